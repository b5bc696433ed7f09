package host

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The command test harness: a Server built with New (no Start, no network),
// an in-process client, and commands run through the real dispatcher
// (c.exec) under the execution lock. A reply is returned as its RESP text.
//
// Scripts are tables of one-line steps, a command in and the exact reply
// out. Lines are split like redis-cli does (SplitArgs: "double quotes" with
// \xHH escapes for binary values). A step whose command starts with '@' is
// a harness action:
//
//	@advance N   move the server's clock N milliseconds forward
//	@active      run one active expire cycle on the client's database
//
// With MODIS_COMPARE_REDIS=host:port set, every script not marked clock is
// also run against that (real) Redis, after a FLUSHALL, and its replies are
// compared too: that is how the expected replies here were checked against
// redis-server 7.0.15. Use only a scratch server on a loopback address.

// testEpoch is the fixed time (Unix ms) a test server's clock starts at.
const testEpoch int64 = 1_700_000_000_000

var (
	testClockMu sync.Mutex
	testClocks  = map[*Server]int64{}
)

// newTestServer returns a server whose clock stands still at testEpoch, and
// a client of it.
func newTestServer(t testing.TB) (*Server, *Client) {
	t.Helper()
	s, err := New(DefaultConfig(), nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	testClockMu.Lock()
	testClocks[s] = testEpoch
	testClockMu.Unlock()
	t.Cleanup(func() {
		testClockMu.Lock()
		delete(testClocks, s)
		testClockMu.Unlock()
	})
	return s, newClient(s, nil, 1)
}

// clockOf returns the test clock of s, or the wall clock for a server that
// has none.
func clockOf(s *Server) int64 {
	testClockMu.Lock()
	defer testClockMu.Unlock()
	if ms, ok := testClocks[s]; ok {
		return ms
	}
	return time.Now().UnixMilli()
}

// advance moves the test clock of s forward by ms.
func advance(s *Server, ms int64) {
	testClockMu.Lock()
	testClocks[s] += ms
	testClockMu.Unlock()
}

// do runs one command as c and returns its reply in RESP. The argument bytes
// are overwritten afterwards, as a reused read buffer would be: a handler
// that kept them without copying shows up as corrupted values.
func do(t testing.TB, c *Client, args ...string) string {
	t.Helper()
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	s := c.srv
	s.mu.Lock()
	s.now = clockOf(s)
	c.exec(argv)
	out := string(c.buf.B)
	c.buf.Reset()
	s.mu.Unlock()
	for _, a := range argv {
		for i := range a {
			a[i] = '#'
		}
	}
	return out
}

// doLine splits line as redis-cli does and runs it.
func doLine(t testing.TB, c *Client, line string) string {
	t.Helper()
	args, err := SplitArgs(line)
	if err != nil {
		t.Fatalf("bad test line %q: %v", line, err)
	}
	return do(t, c, args...)
}

// step is one command and its exact expected reply.
type step struct{ cmd, want string }

// script is a sequence of steps run on a fresh server.
type script struct {
	name  string
	p3    bool // the client speaks RESP3
	clock bool // uses the harness clock: not comparable with a live Redis
	steps []step
}

func runScripts(t *testing.T, scripts []script) {
	t.Helper()
	addr := os.Getenv("MODIS_COMPARE_REDIS")
	for _, sc := range scripts {
		t.Run(sc.name, func(t *testing.T) {
			s, c := newTestServer(t)
			c.buf.P3 = sc.p3
			for i, st := range sc.steps {
				if strings.HasPrefix(st.cmd, "@") {
					harnessAction(t, s, c, st.cmd)
					continue
				}
				if got := doLine(t, c, st.cmd); got != st.want {
					t.Errorf("step %d: %s\n got: %q\nwant: %q", i, st.cmd, got, st.want)
				}
			}
			if addr != "" && !sc.clock {
				compareWithRedis(t, addr, sc)
			}
		})
	}
}

func harnessAction(t *testing.T, s *Server, c *Client, cmd string) {
	t.Helper()
	f := strings.Fields(cmd)
	switch f[0] {
	case "@advance":
		ms, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			t.Fatalf("bad %q", cmd)
		}
		advance(s, ms)
	case "@active":
		s.mu.Lock()
		c.db.ActiveExpire(clockOf(s), 16)
		s.mu.Unlock()
	default:
		t.Fatalf("unknown harness action %q", cmd)
	}
}

// Shorthands for expected replies.
const (
	rOK        = "+OK\r\n"
	rNull      = "$-1\r\n"
	rZero      = ":0\r\n"
	rOne       = ":1\r\n"
	rEmpty     = "*0\r\n"
	rSyntax    = "-ERR syntax error\r\n"
	rWrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
	rNotInt    = "-ERR value is not an integer or out of range\r\n"
	rNotFloat  = "-ERR value is not a valid float\r\n"
	rOverflow  = "-ERR increment or decrement would overflow\r\n"
)

// bulk is the RESP bulk string s.
func bulk(s string) string { return fmt.Sprintf("$%d\r\n%s\r\n", len(s), s) }

// ints is the RESP integer n.
func ints(n int64) string { return ":" + strconv.FormatInt(n, 10) + "\r\n" }

// arr is a RESP2 array of already encoded elements.
func arr(elems ...string) string {
	return "*" + strconv.Itoa(len(elems)) + "\r\n" + strings.Join(elems, "")
}

// bulks is a RESP2 array of bulk strings.
func bulks(ss ...string) string {
	elems := make([]string, len(ss))
	for i, s := range ss {
		elems[i] = bulk(s)
	}
	return arr(elems...)
}

// errr is the RESP error msg.
func errr(msg string) string { return "-" + msg + "\r\n" }

// compareWithRedis runs sc's steps against a live Redis at addr and reports
// every reply that differs from the expected one.
func compareWithRedis(t *testing.T, addr string, sc script) {
	t.Helper()
	rc := dialLive(t, addr)
	send := func(args []string) string { return rc.do(args...) }
	send([]string{"FLUSHALL"})
	if sc.p3 {
		send([]string{"HELLO", "3"})
	}
	for i, st := range sc.steps {
		if strings.HasPrefix(st.cmd, "@") {
			t.Fatalf("script %q uses the harness clock: mark it clock", sc.name)
		}
		args, _ := SplitArgs(st.cmd)
		if got := send(args); got != st.want {
			t.Errorf("redis at %s, step %d: %s\n got: %q\nwant: %q", addr, i, st.cmd, got, st.want)
		}
	}
}

// readRawReply copies one RESP2/RESP3 reply from r to out.
func readRawReply(r *bufio.Reader, out *bytes.Buffer) error {
	line, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	out.WriteString(line)
	body := strings.TrimSuffix(line[1:], "\r\n")
	switch line[0] {
	case '$', '=', '!':
		n, _ := strconv.Atoi(body)
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		out.Write(buf)
	case '*', '~', '>', '%':
		n, _ := strconv.Atoi(body)
		if line[0] == '%' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if err := readRawReply(r, out); err != nil {
				return err
			}
		}
	}
	return nil
}

func TestHarness(t *testing.T) {
	s, c := newTestServer(t)
	if got := do(t, c, "SET", "k", "v"); got != rOK {
		t.Fatalf("SET: %q", got)
	}
	if got := doLine(t, c, `GET k`); got != bulk("v") {
		t.Fatalf("GET: %q", got)
	}
	if got := do(t, c, "NOSUCHCMD", "a"); got != errr("ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' ") {
		t.Fatalf("unknown: %q", got)
	}
	before := clockOf(s)
	advance(s, 1500)
	if clockOf(s)-before != 1500 {
		t.Fatal("advance")
	}
}

// liveRedis is a raw RESP connection to a real Redis, for the comparisons
// MODIS_COMPARE_REDIS turns on. It is closed when the test ends.
type liveRedis struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
}

func dialLive(t testing.TB, addr string) *liveRedis {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatalf("compare: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return &liveRedis{t: t, conn: conn, r: bufio.NewReader(conn)}
}

// write sends a command without reading a reply.
func (l *liveRedis) write(args ...string) {
	l.t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	l.conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := l.conn.Write(b.Bytes()); err != nil {
		l.t.Fatalf("compare: %v", err)
	}
}

// read reads one reply, as raw RESP.
func (l *liveRedis) read() string {
	l.t.Helper()
	l.conn.SetDeadline(time.Now().Add(10 * time.Second))
	var out bytes.Buffer
	if err := readRawReply(l.r, &out); err != nil {
		l.t.Fatalf("compare: %v", err)
	}
	return out.String()
}

// do sends a command and returns its reply.
func (l *liveRedis) do(args ...string) string {
	l.t.Helper()
	l.write(args...)
	return l.read()
}
