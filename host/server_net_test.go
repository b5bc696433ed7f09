package host

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// The connection paths of CLIENT KILL, CLIENT PAUSE, CLIENT UNBLOCK,
// MONITOR and timeouts, on a started in-process server (so that go test
// -race sees the goroutines involved). The integration tests in test/ check
// the same against redis-server 7.0.15.

func startTestServer(t *testing.T) *Server {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Port = 0
	s, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

type netConn struct {
	t  *testing.T
	c  net.Conn
	rd *bufio.Reader
}

func netDial(t *testing.T, s *Server) *netConn {
	t.Helper()
	c, err := net.Dial("tcp", s.Addrs()[0].String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &netConn{t: t, c: c, rd: bufio.NewReader(c)}
}

func (n *netConn) send(args ...string) {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	n.c.Write([]byte(b.String()))
}

func (n *netConn) read(d time.Duration) (string, error) {
	n.c.SetReadDeadline(time.Now().Add(d))
	var out bytes.Buffer
	err := readRawReply(n.rd, &out)
	return out.String(), err
}

func (n *netConn) do(args ...string) string {
	n.t.Helper()
	n.send(args...)
	r, err := n.read(5 * time.Second)
	if err != nil {
		n.t.Fatalf("%v: %v (%q)", args, err, r)
	}
	return r
}

func (n *netConn) closedWithin(d time.Duration) bool {
	n.c.SetReadDeadline(time.Now().Add(d))
	_, err := n.rd.ReadByte()
	return err == io.EOF || err != nil && !strings.Contains(err.Error(), "timeout")
}

func TestNetKillPauseUnblockMonitor(t *testing.T) {
	s := startTestServer(t)
	ctl := netDial(t, s)
	mon := netDial(t, s)
	if got := mon.do("MONITOR"); got != rOK {
		t.Fatalf("MONITOR: %q", got)
	}

	// A blocked client, killed.
	b := netDial(t, s)
	id := strings.TrimSuffix(strings.TrimPrefix(b.do("CLIENT", "ID"), ":"), "\r\n")
	b.send("BLPOP", "l", "0")
	waitTrue(t, func() bool { return strings.Contains(ctl.do("CLIENT", "LIST", "ID", id), "flags=b") })
	if got := ctl.do("CLIENT", "KILL", "ID", id); got != rOne {
		t.Fatalf("CLIENT KILL: %q", got)
	}
	if !b.closedWithin(2 * time.Second) {
		t.Error("the killed blocked client's connection is open")
	}

	// A blocked client, unblocked.
	u := netDial(t, s)
	uid := strings.TrimSuffix(strings.TrimPrefix(u.do("CLIENT", "ID"), ":"), "\r\n")
	u.send("BLPOP", "l", "0")
	waitTrue(t, func() bool { return strings.Contains(ctl.do("CLIENT", "LIST", "ID", uid), "flags=b") })
	if got := ctl.do("CLIENT", "UNBLOCK", uid, "ERROR"); got != rOne {
		t.Fatalf("CLIENT UNBLOCK: %q", got)
	}
	if got, _ := u.read(2 * time.Second); got != "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n" {
		t.Errorf("unblocked client got %q", got)
	}

	// A paused writer, killed while it waits; another released by UNPAUSE.
	ctl.do("CLIENT", "PAUSE", "10000", "WRITE")
	p1, p2 := netDial(t, s), netDial(t, s)
	p1id := strings.TrimSuffix(strings.TrimPrefix(p1.do("CLIENT", "ID"), ":"), "\r\n")
	p2.do("PING")
	p1.send("SET", "a", "1")
	p2.send("SET", "b", "2")
	waitTrue(t, func() bool { return strings.Contains(ctl.do("INFO", "clients"), "blocked_clients:2") })
	ctl.do("CLIENT", "KILL", "ID", p1id)
	if !p1.closedWithin(2 * time.Second) {
		t.Error("the killed paused client's connection is open")
	}
	ctl.do("CLIENT", "UNPAUSE")
	if got, _ := p2.read(2 * time.Second); got != rOK {
		t.Errorf("paused SET after UNPAUSE: %q", got)
	}
	if got := ctl.do("EXISTS", "a", "b"); got != rOne {
		t.Errorf("EXISTS a b = %q: the killed client's SET must not have run", got)
	}

	// MONITOR saw the commands that ran, not the admin ones.
	var lines []string
	for {
		r, err := mon.read(200 * time.Millisecond)
		if err != nil {
			break
		}
		lines = append(lines, r[strings.IndexByte(r, '['):])
	}
	all := strings.Join(lines, "")
	for _, want := range []string{`"BLPOP" "l" "0"`, `"SET" "b" "2"`, `"EXISTS" "a" "b"`} {
		if !strings.Contains(all, want) {
			t.Errorf("MONITOR lacks %s:\n%s", want, all)
		}
	}
	if strings.Contains(all, `"SET" "a" "1"`) || strings.Contains(all, `"CLIENT" "KILL"`) || strings.Contains(all, `"CLIENT" "PAUSE"`) || strings.Contains(all, `"CLIENT" "LIST"`) {
		t.Errorf("MONITOR shows what it must not:\n%s", all)
	}
}

func waitTrue(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
