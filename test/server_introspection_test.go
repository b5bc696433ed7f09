package test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server and connection introspection over real connections: MONITOR,
// CLIENT KILL / PAUSE / REPLY / UNBLOCK, SLOWLOG, INFO, maxclients,
// timeout, requirepass, config files, and maxmemory eviction on the real Go
// heap. The tests that run on both targets (icTargets) were checked
// against redis-server 7.0.15 with MODIS_COMPARE_REDIS=127.0.0.1:PORT.

// icConn is a raw RESP connection.
type icConn struct {
	t  *testing.T
	c  net.Conn
	rd *bufio.Reader
}

func icDial(t *testing.T, addr string) *icConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &icConn{t: t, c: c, rd: bufio.NewReader(c)}
}

func (c *icConn) send(args ...string) {
	c.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	c.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.c.Write([]byte(b.String())); err != nil {
		c.t.Fatal(err)
	}
}

func (c *icConn) read(d time.Duration) (string, error) {
	c.c.SetReadDeadline(time.Now().Add(d))
	var out strings.Builder
	err := readReply(c.rd, &out)
	return out.String(), err
}

func (c *icConn) must() string {
	c.t.Helper()
	r, err := c.read(5 * time.Second)
	if err != nil {
		c.t.Fatalf("reading a reply: %v (so far %q)", err, r)
	}
	return r
}

func (c *icConn) do(args ...string) string {
	c.t.Helper()
	c.send(args...)
	return c.must()
}

// silent checks that nothing arrives within d.
func (c *icConn) silent(d time.Duration) {
	c.t.Helper()
	r, err := c.read(d)
	var ne net.Error
	if err == nil || r != "" || !errors.As(err, &ne) || !ne.Timeout() {
		c.t.Fatalf("expected nothing yet, got %q (%v)", r, err)
	}
}

// closed checks that the server closes the connection within d.
func (c *icConn) closed(d time.Duration) {
	c.t.Helper()
	c.c.SetReadDeadline(time.Now().Add(d))
	b, err := c.rd.ReadByte()
	if err == nil {
		rest, _ := c.rd.Peek(c.rd.Buffered())
		c.t.Fatalf("connection still open: read %q%q", b, rest)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.t.Fatalf("connection not closed within %v", d)
	}
}

// id returns the connection's CLIENT ID.
func (c *icConn) id() string {
	c.t.Helper()
	r := c.do("CLIENT", "ID")
	return strings.TrimSuffix(strings.TrimPrefix(r, ":"), "\r\n")
}

// icTargets runs fn against a fresh Modis and, with MODIS_COMPARE_REDIS,
// against that Redis (after FLUSHALL; fn must put back what it changes).
func icTargets(t *testing.T, fn func(t *testing.T, addr string)) {
	t.Run("modis", func(t *testing.T) {
		fn(t, startServer(t).Addr)
	})
	if addr := os.Getenv("MODIS_COMPARE_REDIS"); addr != "" {
		t.Run("redis", func(t *testing.T) {
			icDial(t, addr).do("FLUSHALL")
			fn(t, addr)
		})
	}
}

// infoField reads one field of INFO.
func infoField(t *testing.T, c *icConn, section, field string) string {
	t.Helper()
	r := c.do("INFO", section)
	for _, l := range strings.Split(r, "\r\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && k == field {
			return v
		}
	}
	t.Fatalf("INFO %s has no %s:\n%s", section, field, r)
	return ""
}

func infoInt(t *testing.T, c *icConn, section, field string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(infoField(t, c, section, field), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

var monitorLineRe = regexp.MustCompile(`^\+(\d{10})\.(\d{6}) \[(\d+) ([^\]]+)\] (.*)\r\n$`)

func TestMonitorWire(t *testing.T) {
	icTargets(t, func(t *testing.T, addr string) {
		mon := icDial(t, addr)
		expectReply(t, "MONITOR", mon.do("MONITOR"), "+OK\r\n")
		c := icDial(t, addr)
		local := c.c.LocalAddr().String()
		c.do("SET", "k", "a b\"c\n")
		c.do("CONFIG", "GET", "hz")
		c.do("GET")
		c.do("AUTH", "x")
		c.do("SELECT", "2")
		c.do("GET", "k")
		c.do("SELECT", "0")
		c.send("MULTI")
		c.send("INCR", "n")
		c.send("EXEC")
		c.must()
		c.must()
		c.must()
		want := []string{
			`[0 ` + local + `] "SET" "k" "a b\"c\n"`,
			`[0 ` + local + `] "AUTH" "(redacted)"`,
			`[2 ` + local + `] "SELECT" "2"`,
			`[2 ` + local + `] "GET" "k"`,
			`[0 ` + local + `] "SELECT" "0"`,
			`[0 ` + local + `] "MULTI"`,
			`[0 ` + local + `] "INCR" "n"`,
			`[0 ` + local + `] "EXEC"`,
		}
		for i, w := range want {
			line := mon.must()
			m := monitorLineRe.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("line %d: %q is not a MONITOR line", i, line)
			}
			sec, _ := strconv.ParseInt(m[1], 10, 64)
			if d := time.Now().Unix() - sec; d < -2 || d > 5 {
				t.Errorf("line %d: timestamp %s is not now", i, m[1])
			}
			if got := "[" + m[3] + " " + m[4] + "] " + m[5]; got != w {
				t.Errorf("line %d:\n got %s\nwant %s", i, got, w)
			}
		}
		mon.silent(100 * time.Millisecond)
		// The monitor may not touch the keyspace; QUIT ends it.
		expectReply(t, "GET from the monitor", mon.do("GET", "k"), "-ERR Replica can't interact with the keyspace\r\n")
	})
}

func expectReply(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s:\n got %q\nwant %q", what, got, want)
	}
}

// CLIENT KILL closes idle, blocked and subscribed clients; they vanish
// from CLIENT LIST at once.
func TestClientKillWire(t *testing.T) {
	icTargets(t, func(t *testing.T, addr string) {
		ctl := icDial(t, addr)
		idle := icDial(t, addr)
		idleID := idle.id()
		expectReply(t, "CLIENT KILL ID", ctl.do("CLIENT", "KILL", "ID", idleID), ":1\r\n")
		idle.closed(2 * time.Second)
		if list := ctl.do("CLIENT", "LIST"); strings.Contains(list, "id="+idleID+" ") {
			t.Errorf("killed client still listed:\n%s", list)
		}

		blocked := icDial(t, addr)
		blockedID := blocked.id()
		blocked.send("BLPOP", "nolist", "0")
		waitFor(t, func() bool { return strings.Contains(ctl.do("CLIENT", "LIST", "ID", blockedID), "cmd=blpop") })
		expectReply(t, "blocked_clients", infoField(t, ctl, "clients", "blocked_clients"), "1")
		baddr := blocked.c.LocalAddr().String()
		expectReply(t, "CLIENT KILL addr", ctl.do("CLIENT", "KILL", baddr), "+OK\r\n")
		blocked.closed(2 * time.Second)
		expectReply(t, "blocked_clients after the kill", infoField(t, ctl, "clients", "blocked_clients"), "0")
		expectReply(t, "BLPOP after the kill", ctl.do("LPUSH", "nolist", "x"), ":1\r\n")

		sub := icDial(t, addr)
		sub.do("SUBSCRIBE", "ch")
		expectReply(t, "CLIENT KILL TYPE pubsub", ctl.do("CLIENT", "KILL", "TYPE", "pubsub"), ":1\r\n")
		sub.closed(2 * time.Second)
		expectReply(t, "PUBLISH after the kill", ctl.do("PUBLISH", "ch", "m"), ":0\r\n")

		// SKIPME no: the caller goes too, after its reply.
		self := icDial(t, addr)
		expectReply(t, "self kill", self.do("CLIENT", "KILL", "ID", self.id(), "SKIPME", "no"), ":1\r\n")
		self.closed(2 * time.Second)
		expectReply(t, "SKIPME yes", ctl.do("CLIENT", "KILL", "ID", ctl.id()), ":0\r\n")
	})
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// CLIENT PAUSE WRITE holds writes back (reads go on), ALL holds
// everything; CLIENT UNPAUSE, or the timeout, releases them in order.
func TestClientPauseWire(t *testing.T) {
	icTargets(t, func(t *testing.T, addr string) {
		ctl := icDial(t, addr)
		c := icDial(t, addr)
		cID := c.id()
		expectReply(t, "CLIENT PAUSE", ctl.do("CLIENT", "PAUSE", "10000", "WRITE"), "+OK\r\n")
		start := time.Now()
		expectReply(t, "GET while paused", c.do("GET", "k"), "$-1\r\n")
		if d := time.Since(start); d > time.Second {
			t.Errorf("a read waited %v under PAUSE WRITE", d)
		}
		c.send("SET", "k", "v")
		c.send("GET", "k")
		c.silent(200 * time.Millisecond)
		line := ctl.do("CLIENT", "LIST", "ID", cID)
		if !strings.Contains(line, "flags=b ") || !strings.Contains(line, "cmd=set ") && !strings.Contains(line, "cmd=get ") {
			t.Errorf("paused client in CLIENT LIST:\n%s", line)
		}
		expectReply(t, "CLIENT UNPAUSE", ctl.do("CLIENT", "UNPAUSE"), "+OK\r\n")
		expectReply(t, "SET after UNPAUSE", c.must(), "+OK\r\n")
		expectReply(t, "GET after UNPAUSE", c.must(), "$1\r\nv\r\n")

		// ALL: even PING waits, until the pause times out.
		expectReply(t, "CLIENT PAUSE ALL", ctl.do("CLIENT", "PAUSE", "300"), "+OK\r\n")
		start = time.Now()
		expectReply(t, "PING under PAUSE ALL", c.do("PING"), "+PONG\r\n")
		if d := time.Since(start); d < 200*time.Millisecond || d > 3*time.Second {
			t.Errorf("PING under a 300ms PAUSE ALL took %v", d)
		}
		// A MULTI of writes: the EXEC waits, the queued commands too.
		expectReply(t, "CLIENT PAUSE WRITE", ctl.do("CLIENT", "PAUSE", "300", "WRITE"), "+OK\r\n")
		start = time.Now()
		expectReply(t, "MULTI", c.do("MULTI"), "+OK\r\n")
		expectReply(t, "INCR queued", c.do("INCR", "n"), "+QUEUED\r\n")
		expectReply(t, "EXEC", c.do("EXEC"), "*1\r\n:1\r\n")
		if d := time.Since(start); d < 200*time.Millisecond {
			t.Errorf("a write in MULTI was not held back (%v)", d)
		}
	})
}

// CLIENT REPLY OFF and SKIP on the wire.
func TestClientReplyWire(t *testing.T) {
	icTargets(t, func(t *testing.T, addr string) {
		c := icDial(t, addr)
		c.send("CLIENT", "REPLY", "OFF")
		c.send("SET", "k", "1")
		c.send("GET", "k")
		c.send("NOSUCH")
		c.silent(150 * time.Millisecond)
		expectReply(t, "CLIENT REPLY ON", c.do("CLIENT", "REPLY", "ON"), "+OK\r\n")
		c.send("CLIENT", "REPLY", "SKIP")
		c.send("INCR", "k")
		expectReply(t, "the command after the skipped one", c.do("INCR", "k"), ":3\r\n")
		// A blocking command's reply is dropped too.
		c.send("CLIENT", "REPLY", "SKIP")
		c.send("BLPOP", "nolist", "0.1")
		expectReply(t, "after a skipped BLPOP", c.do("GET", "k"), "$1\r\n3\r\n")
	})
}

// CLIENT UNBLOCK ends a blocked command as a timeout or with an error.
func TestClientUnblockWire(t *testing.T) {
	icTargets(t, func(t *testing.T, addr string) {
		ctl := icDial(t, addr)
		b := icDial(t, addr)
		id := b.id()
		b.send("BLPOP", "nolist", "0")
		waitFor(t, func() bool { return strings.Contains(ctl.do("CLIENT", "LIST", "ID", id), "flags=b") })
		expectReply(t, "CLIENT UNBLOCK", ctl.do("CLIENT", "UNBLOCK", id), ":1\r\n")
		expectReply(t, "BLPOP unblocked", b.must(), "*-1\r\n")
		b.send("BZPOPMIN", "nozset", "0")
		waitFor(t, func() bool { return strings.Contains(ctl.do("CLIENT", "LIST", "ID", id), "flags=b") })
		expectReply(t, "CLIENT UNBLOCK ERROR", ctl.do("CLIENT", "UNBLOCK", id, "ERROR"), ":1\r\n")
		expectReply(t, "BZPOPMIN unblocked", b.must(), "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n")
		expectReply(t, "not blocked any more", ctl.do("CLIENT", "UNBLOCK", id), ":0\r\n")
		expectReply(t, "still connected", b.do("PING"), "+PONG\r\n")
	})
}

func TestSlowlogWire(t *testing.T) {
	icTargets(t, func(t *testing.T, addr string) {
		c := icDial(t, addr)
		c.do("SLOWLOG", "RESET")
		c.do("CONFIG", "SET", "slowlog-log-slower-than", "20000")
		defer icDial(t, addr).do("CONFIG", "SET", "slowlog-log-slower-than", "10000")
		c.do("CLIENT", "SETNAME", "slowpoke")
		c.do("DEBUG", "SLEEP", "0.05")
		c.do("PING")
		got := c.do("SLOWLOG", "GET")
		re := regexp.MustCompile(`^\*1\r\n\*6\r\n:(\d+)\r\n:(\d+)\r\n:(\d+)\r\n\*3\r\n\$5\r\nDEBUG\r\n\$5\r\nSLEEP\r\n\$4\r\n0\.05\r\n\$\d+\r\n([0-9.:]+)\r\n\$8\r\nslowpoke\r\n$`)
		m := re.FindStringSubmatch(got)
		if m == nil {
			t.Fatalf("SLOWLOG GET: %q", got)
		}
		if us, _ := strconv.Atoi(m[3]); us < 50000 {
			t.Errorf("duration %s µs for a 50ms sleep", m[3])
		}
		if m[4] != c.c.LocalAddr().String() {
			t.Errorf("client address %s, want %s", m[4], c.c.LocalAddr())
		}
		expectReply(t, "SLOWLOG LEN", c.do("SLOWLOG", "LEN"), ":1\r\n")
	})
}

func TestInfoWire(t *testing.T) {
	s := startServer(t)
	c := icDial(t, s.Addr)
	for i := 0; i < 50; i++ {
		c.do("SET", "k"+strconv.Itoa(i), "v")
	}
	c.do("GET", "nosuch")
	if n := infoInt(t, c, "stats", "total_net_input_bytes"); n < 50*25 {
		t.Errorf("total_net_input_bytes = %d", n)
	}
	if n := infoInt(t, c, "stats", "total_net_output_bytes"); n < 50*5 {
		t.Errorf("total_net_output_bytes = %d", n)
	}
	if n := infoInt(t, c, "stats", "total_connections_received"); n < 1 {
		t.Errorf("total_connections_received = %d", n)
	}
	expectReply(t, "tcp_port", infoField(t, c, "server", "tcp_port"), strconv.Itoa(s.Port))
	expectReply(t, "keyspace", infoField(t, c, "keyspace", "db0"), "keys=50,expires=0,avg_ttl=0")
	// instantaneous_ops_per_sec follows the load, sampled by the cron.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		load := icDial(t, s.Addr)
		for {
			select {
			case <-stop:
				return
			default:
				load.send("PING")
				load.must()
			}
		}
	}()
	time.Sleep(700 * time.Millisecond)
	ops := infoInt(t, c, "stats", "instantaneous_ops_per_sec")
	close(stop)
	wg.Wait()
	if ops < 100 {
		t.Errorf("instantaneous_ops_per_sec = %d under load", ops)
	}
	// redis-cli's latency mode only needs PING.
	cmd := exec.Command("redis-cli", "-h", "127.0.0.1", "-p", strconv.Itoa(s.Port), "--latency", "--raw")
	out, _ := startAndKill(cmd, 1500*time.Millisecond)
	if !regexp.MustCompile(`^\d+ \d+ \d+\.\d+ \d+`).MatchString(strings.TrimSpace(out)) {
		t.Errorf("redis-cli --latency: %q", out)
	}
	// redis-cli reads CONFIG GET and INFO for its own needs.
	if got := s.CLI("CONFIG", "GET", "maxmemory"); got != "maxmemory\n0\n" {
		t.Errorf("redis-cli CONFIG GET maxmemory: %q", got)
	}
}

// startAndKill runs cmd for d and returns what it printed.
func startAndKill(cmd *exec.Cmd, d time.Duration) (string, error) {
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return "", err
	}
	time.Sleep(d)
	cmd.Process.Kill()
	cmd.Wait()
	return out.String(), nil
}

func TestMaxclientsWire(t *testing.T) {
	s := startServer(t)
	c := icDial(t, s.Addr)
	expectReply(t, "CONFIG SET maxclients", c.do("CONFIG", "SET", "maxclients", "2"), "+OK\r\n")
	icDial(t, s.Addr).do("PING")
	third := icDial(t, s.Addr)
	third.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := io.ReadAll(third.rd)
	if string(got) != "-ERR max number of clients reached\r\n" {
		t.Errorf("third client: %q (%v)", got, err)
	}
	expectReply(t, "rejected_connections", infoField(t, c, "stats", "rejected_connections"), "1")
}

func TestTimeoutWire(t *testing.T) {
	s := startServer(t)
	c := icDial(t, s.Addr)
	expectReply(t, "CONFIG SET timeout", c.do("CONFIG", "SET", "timeout", "1"), "+OK\r\n")
	idle := icDial(t, s.Addr)
	idle.do("PING")
	blocked := icDial(t, s.Addr)
	blocked.send("BLPOP", "nolist", "0")
	sub := icDial(t, s.Addr)
	sub.do("SUBSCRIBE", "ch")
	idle.closed(4 * time.Second)
	c.closed(time.Second) // idle too
	// Blocked and subscribed clients are not timed out.
	c = icDial(t, s.Addr)
	expectReply(t, "LPUSH", c.do("LPUSH", "nolist", "x"), ":1\r\n")
	expectReply(t, "the blocked client", blocked.must(), "*2\r\n$6\r\nnolist\r\n$1\r\nx\r\n")
	expectReply(t, "PUBLISH", c.do("PUBLISH", "ch", "m"), ":1\r\n")
}

func TestRequirepassWire(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "modis.conf")
	// A stock redis.conf's common directives load; what Modis cannot do is
	// logged and ignored.
	os.WriteFile(conf, []byte(strings.Join([]string{
		"requirepass s3cret", "save 3600 1", "save 300 100", "appendonly no", "dir ./", "daemonize no",
		"protected-mode yes", "tcp-backlog 511", "supervised no", "databases 16", "always-show-logo no",
		"daemonize yes", "maxmemory 100mb", "maxmemory-policy allkeys-lru", "bind 127.0.0.1 -::1",
	}, "\n")+"\n"), 0o644)
	s := startServer(t, "--config", conf)
	if log := s.Log(); !strings.Contains(log, "daemonize yes: ignored") {
		t.Errorf("warnings not logged:\n%s", log)
	}
	c := icDial(t, s.Addr)
	expectReply(t, "PING", c.do("PING"), "-NOAUTH Authentication required.\r\n")
	expectReply(t, "AUTH bad", c.do("AUTH", "nope"), "-WRONGPASS invalid username-password pair or user is disabled.\r\n")
	expectReply(t, "AUTH", c.do("AUTH", "s3cret"), "+OK\r\n")
	expectReply(t, "maxmemory", c.do("CONFIG", "GET", "maxmemory"), "*2\r\n$9\r\nmaxmemory\r\n$9\r\n104857600\r\n")
	// save lines in a file accumulate, as in Redis.
	expectReply(t, "save", c.do("CONFIG", "GET", "save"), "*2\r\n$4\r\nsave\r\n$14\r\n3600 1 300 100\r\n")
	out, _ := exec.Command("redis-cli", "-p", strconv.Itoa(s.Port), "--no-auth-warning", "-a", "s3cret", "PING").CombinedOutput()
	if strings.TrimSpace(string(out)) != "PONG" {
		t.Errorf("redis-cli -a: %q", out)
	}
}

// maxmemory 20mb with allkeys-lru: writing five times that keeps the
// server's memory bounded, by evicting keys.
// TestUsedMemoryWithoutLimit: INFO's used_memory follows the data without
// maxmemory too (monitoring tools read it), up with writes and down after
// a flush and a collection.
func TestUsedMemoryWithoutLimit(t *testing.T) {
	s := startServer(t)
	c := icDial(t, s.Addr)
	u0 := infoInt(t, c, "memory", "used_memory")
	value := strings.Repeat("v", 10000)
	w := bufio.NewWriter(c.c)
	for i := 0; i < 2000; i += 100 {
		for j := i; j < i+100; j++ {
			k := "big:" + strconv.Itoa(j)
			fmt.Fprintf(w, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(k), k, len(value), value)
		}
		w.Flush()
		for j := i; j < i+100; j++ {
			if r, err := c.read(30 * time.Second); r != "+OK\r\n" {
				t.Fatalf("SET %d: %q %v", j, r, err)
			}
		}
	}
	u1 := infoInt(t, c, "memory", "used_memory")
	if u1 < u0+10_000_000 { // the estimate is rough; without writes counted it did not move at all
		t.Errorf("used_memory %d after writing 20 MB, was %d", u1, u0)
	}
	c.do("FLUSHALL")
	c.do("MEMORY", "PURGE")
	waitFor(t, func() bool { return infoInt(t, c, "memory", "used_memory") < u0+10_000_000 })
}

func TestEvictionAllkeysLRUWire(t *testing.T) {
	s := startServer(t)
	c := icDial(t, s.Addr)
	c.do("CONFIG", "SET", "maxmemory", "20mb", "maxmemory-policy", "allkeys-lru")
	value := strings.Repeat("x", 1000)
	const keys = 100000
	// Pipelines of 100 commands, as clients send them. (An unbounded
	// pipeline would make the network library's read buffer keep what it
	// read, which counts as used memory.)
	w := bufio.NewWriter(c.c)
	for i := 0; i < keys; i += 100 {
		for j := i; j < i+100; j++ {
			k := "key:" + strconv.Itoa(j)
			fmt.Fprintf(w, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(k), k, len(value), value)
		}
		w.Flush()
		for j := i; j < i+100; j++ {
			if r, err := c.read(30 * time.Second); r != "+OK\r\n" {
				t.Fatalf("SET %d: %q %v", j, r, err)
			}
		}
	}
	used := infoInt(t, c, "memory", "used_memory")
	peak := infoInt(t, c, "memory", "used_memory_peak")
	evicted := infoInt(t, c, "stats", "evicted_keys")
	dbsize, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(c.do("DBSIZE"), ":")))
	rss := infoInt(t, c, "memory", "used_memory_rss")
	t.Logf("used_memory %d, peak %d, rss %d, keys %d, evicted %d", used, peak, rss, dbsize, evicted)
	if used > 21<<20 {
		t.Errorf("used_memory %d is over maxmemory", used)
	}
	if peak > 30<<20 {
		t.Errorf("used_memory_peak %d: memory was not kept near 20mb", peak)
	}
	if rss > 120<<20 {
		t.Errorf("RSS %d for 20mb of data", rss)
	}
	if evicted < keys/2 || int64(dbsize)+evicted != keys {
		t.Errorf("evicted_keys %d, keys left %d (of %d)", evicted, dbsize, keys)
	}
	if dbsize < 5000 {
		t.Errorf("only %d keys of 1000 bytes kept in 20mb", dbsize)
	}
	// The most recently written keys are there.
	expectReply(t, "the last key", c.do("EXISTS", "key:"+strconv.Itoa(keys-1)), ":1\r\n")
}

// noeviction: past maxmemory, writes that may grow memory are refused
// with OOM; reads and deletes work.
func TestEvictionNoevictionWire(t *testing.T) {
	s := startServer(t)
	c := icDial(t, s.Addr)
	c.do("MEMORY", "PURGE")
	used := infoInt(t, c, "memory", "used_memory")
	c.do("CONFIG", "SET", "maxmemory", strconv.FormatInt(used+4<<20, 10))
	value := strings.Repeat("x", 10000)
	oom := "-OOM command not allowed when used memory > 'maxmemory'.\r\n"
	var i int
	for i = 0; i < 2000; i++ {
		r := c.do("SET", "k"+strconv.Itoa(i), value)
		if r == oom {
			break
		}
		if r != "+OK\r\n" {
			t.Fatalf("SET: %q", r)
		}
	}
	if i == 2000 || i < 200 {
		t.Fatalf("OOM after %d SETs of 10kb with 4mb of room", i)
	}
	expectReply(t, "GET", c.do("GET", "k0"), "$10000\r\n"+value+"\r\n")
	expectReply(t, "APPEND", c.do("APPEND", "k0", "x"), oom)
	expectReply(t, "DEL", c.do("DEL", "k0"), ":1\r\n")
	expectReply(t, "evicted_keys", infoField(t, c, "stats", "evicted_keys"), "0")
	if n := infoInt(t, c, "stats", "total_error_replies"); n != 2 {
		t.Errorf("total_error_replies %d", n)
	}
	if !strings.Contains(c.do("INFO", "errorstats"), "errorstat_OOM:count=2") {
		t.Error("errorstat_OOM not counted")
	}
	// Freeing memory lets writes in again.
	c.do("FLUSHALL")
	c.do("MEMORY", "PURGE")
	expectReply(t, "SET after FLUSHALL", c.do("SET", "k", "v"), "+OK\r\n")
}

// volatile-ttl evicts the keys that expire soonest first, and never keys
// without a TTL.
func TestEvictionVolatileTTLWire(t *testing.T) {
	s := startServer(t)
	c := icDial(t, s.Addr)
	c.do("CONFIG", "SET", "maxmemory-policy", "volatile-ttl", "maxmemory-samples", "1000", "notify-keyspace-events", "Ee")
	sub := icDial(t, s.Addr)
	sub.do("SUBSCRIBE", "__keyevent@0__:evicted")
	value := strings.Repeat("v", 100000)
	for i := 0; i < 50; i++ {
		c.do("SET", "keep:"+strconv.Itoa(i), value)
	}
	for i := 0; i < 100; i++ {
		c.do("SET", "ttl:"+strconv.Itoa(i), value, "EX", strconv.Itoa(1000+i))
	}
	c.do("MEMORY", "PURGE")
	used := infoInt(t, c, "memory", "used_memory")
	expectReply(t, "CONFIG SET maxmemory", c.do("CONFIG", "SET", "maxmemory", strconv.FormatInt(used-4<<20, 10)), "+OK\r\n")
	c.do("PING") // evicts before it runs
	evicted := infoInt(t, c, "stats", "evicted_keys")
	// About 40 keys of 100kb free 4mb; the heap reading moves with the
	// machine's load (the whole suite runs in parallel), so allow a margin.
	if evicted < 20 || evicted > 90 {
		t.Errorf("evicted %d keys of 100kb to free 4mb", evicted)
	}
	for i := 0; i < 50; i++ {
		if c.do("EXISTS", "keep:"+strconv.Itoa(i)) != ":1\r\n" {
			t.Errorf("keep:%d, without a TTL, was evicted", i)
		}
	}
	// The heap reading moves, so more keys may go while we look: read the
	// count after looking.
	exists := make([]bool, 100)
	for i := range exists {
		exists[i] = c.do("EXISTS", "ttl:"+strconv.Itoa(i)) == ":1\r\n"
	}
	evicted = infoInt(t, c, "stats", "evicted_keys")
	for i, ok := range exists {
		// volatile-ttl evicts the shortest TTLs first: well below the count
		// must be gone, well above it must be there.
		if int64(i) < evicted-10 && ok || int64(i) >= evicted+10 && !ok {
			t.Errorf("ttl:%d (TTL %ds) exists=%v after evicting %d keys", i, 1000+i, ok, evicted)
		}
	}
	// Each eviction was announced.
	for j := int64(0); j < evicted; j++ {
		msg := sub.must()
		if !strings.HasPrefix(msg, "*3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:evicted\r\n$") || !strings.Contains(msg, "ttl:") {
			t.Fatalf("evicted event %d: %q", j, msg)
		}
	}
}
