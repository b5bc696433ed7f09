package host

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// MONITOR, with an in-process monitoring client on the push path. The
// lines were compared with what redis-server 7.0.15's MONITOR prints for
// the same commands (the integration test checks the wire).

func monitorClient(t *testing.T, s *Server) (*Client, func() []string) {
	t.Helper()
	mon := newClient(s, nil, 500)
	mon.push = &pushOut{kick: make(chan struct{}, 1), done: make(chan struct{})}
	s.clients[500] = mon
	if got := do(t, mon, "MONITOR"); got != rOK {
		t.Fatalf("MONITOR: %q", got)
	}
	stamp := regexp.MustCompile(`^\+\d{10}\.\d{6} `)
	return mon, func() []string {
		s.mu.Lock()
		mon.push.outMu.Lock()
		data := string(mon.push.pending)
		mon.push.pending = nil
		mon.push.outMu.Unlock()
		s.mu.Unlock()
		var out []string
		for _, l := range strings.Split(strings.TrimSuffix(data, "\r\n"), "\r\n") {
			if l == "" {
				continue
			}
			if !stamp.MatchString(l) {
				t.Errorf("MONITOR line without a timestamp: %q", l)
				continue
			}
			out = append(out, stamp.ReplaceAllString(l, ""))
		}
		return out
	}
}

func TestMonitor(t *testing.T) {
	s, c := newTestServer(t)
	c.addr = "127.0.0.1:5000"
	mon, lines := monitorClient(t, s)
	for _, cmd := range [][]string{
		{"SET", "k", "a b\"c\\\n\r\t\x07\x08\x01\xff"},
		{"GET", "k"},
		{"CONFIG", "GET", "hz"}, // admin: not shown
		{"DEBUG", "SLEEP", "0"}, // admin
		{"SLOWLOG", "LEN"},      // admin
		{"NOSUCH", "x"},         // rejected: not shown
		{"GET"},                 // rejected
		{"SET", "a", "b", "c"},  // runs (and fails): shown
		{"AUTH", "pw"},          // password redacted
		{"HELLO", "2", "AUTH", "default", "pw"},
		{"CONFIG", "SET", "requirepass", ""},
		{"SELECT", "3"}, // shown with the new database
		{"MULTI"}, {"INCR", "n"}, {"EXEC"},
		{"INFO", "server"},
		{"CLIENT", "LIST"}, // admin
		{"CLIENT", "ID"},
	} {
		do(t, c, cmd...)
	}
	want := []string{
		`[0 127.0.0.1:5000] "SET" "k" "a b\"c\\\n\r\t\a\b\x01\xff"`,
		`[0 127.0.0.1:5000] "GET" "k"`,
		`[0 127.0.0.1:5000] "SET" "a" "b" "c"`,
		`[0 127.0.0.1:5000] "AUTH" "(redacted)"`,
		`[0 127.0.0.1:5000] "HELLO" "2" "AUTH" "(redacted)" "(redacted)"`,
		`[3 127.0.0.1:5000] "SELECT" "3"`,
		`[3 127.0.0.1:5000] "MULTI"`,
		`[3 127.0.0.1:5000] "INCR" "n"`,
		`[3 127.0.0.1:5000] "EXEC"`,
		`[3 127.0.0.1:5000] "INFO" "server"`,
		`[3 127.0.0.1:5000] "CLIENT" "ID"`,
	}
	if got := lines(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("MONITOR lines:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The monitoring client sees its own commands, and may not touch the
	// keyspace.
	if got := do(t, mon, "PING"); got != "+PONG\r\n" {
		t.Errorf("PING from the monitor: %q", got)
	}
	if got := do(t, mon, "GET", "k"); got != errr("ERR Replica can't interact with the keyspace") {
		t.Errorf("GET from the monitor: %q", got)
	}
	if got := do(t, mon, "MONITOR"); got != "" {
		t.Errorf("a second MONITOR replies %q; Redis ignores it", got)
	}
	if got := lines(); strings.Join(got, "|") != `[0 ?] "PING"` {
		t.Errorf("own commands: %q", got)
	}
	// CLIENT LIST shows it with the O flag; RESET ends it.
	if f := clientField(bulkText(t, do(t, c, "CLIENT", "LIST", "ID", "500")), "flags"); f != "O" {
		t.Errorf("monitor flags %q", f)
	}
	do(t, mon, "RESET")
	do(t, c, "PING")
	if got := lines(); got != nil {
		t.Errorf("after RESET the client still monitors: %q", got)
	}
	if len(s.monitors) != 0 {
		t.Errorf("monitors left: %d", len(s.monitors))
	}
	// Inside EXEC MONITOR is refused.
	do(t, c, "MULTI")
	do(t, c, "MONITOR")
	if got := do(t, c, "EXEC"); got != arr(errr("ERR MONITOR isn't allowed for DENY BLOCKING client")) {
		t.Errorf("MONITOR in MULTI: %q", got)
	}
}

func TestMonitorLineFormat(t *testing.T) {
	s, c := newTestServer(t)
	c.addr = "10.0.0.1:1234"
	c.db = s.dbs[2]
	ts := time.Unix(1700000000, 123456789)
	if got := monitorLine(ts, c, [][]byte{[]byte("SET"), []byte("k"), []byte("v")}); got != `1700000000.123456 [2 10.0.0.1:1234] "SET" "k" "v"` {
		t.Errorf("line: %q", got)
	}
	ts = time.Unix(1700000000, 5000)
	c.inScript = true
	if got := monitorLine(ts, c, [][]byte{[]byte("get"), []byte("")}); got != `1700000000.000005 [2 lua] "get" ""` {
		t.Errorf("script line: %q", got)
	}
}
