package test

import (
	"strings"
	"testing"
	"time"
)

// The audit example module (plugins/audit) through its real .so: keyspace
// event counts, AUDIT.STATS, the summary timer whose period is the module
// config audit.interval-ms (at load and by CONFIG SET), the INFO section,
// and its reactions to FLUSHALL and shutdown.
func TestAuditModule(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("audit"), "--audit.interval-ms", "100")
	c := s.Dial()
	if got := c.Do("CONFIG", "GET", "audit.interval-ms"); got != "*2\r\n$17\r\naudit.interval-ms\r\n$3\r\n100\r\n" {
		t.Fatalf("CONFIG GET audit.interval-ms = %q", got)
	}
	c.Do("SET", "a", "1")
	c.Do("SET", "b", "2")
	c.Do("DEL", "a")
	c.Do("LPUSH", "l", "x")
	got := c.Do("AUDIT.STATS")
	for _, w := range []string{
		"*14\r\n$5\r\ntotal\r\n:4\r\n",
		"$7\r\nclasses\r\n*6\r\n$7\r\ngeneric\r\n:1\r\n$4\r\nlist\r\n:1\r\n$6\r\nstring\r\n:2\r\n",
		"$6\r\nevents\r\n*6\r\n$3\r\ndel\r\n:1\r\n$5\r\nlpush\r\n:1\r\n$3\r\nset\r\n:2\r\n",
		"$11\r\ninterval-ms\r\n:100\r\n$5\r\ntimer\r\n$2\r\non\r\n",
	} {
		if !strings.Contains(got, w) {
			t.Fatalf("AUDIT.STATS = %q, lacks %q", got, w)
		}
	}
	// The timer writes the interval's summary to the log.
	if !s.waitLog("audit summary (interval): 4 keyspace events: del=1 lpush=1 set=2") {
		t.Fatalf("no summary in the log:\n%s", s.Log())
	}
	info := c.Do("INFO", "audit")
	for _, w := range []string{"# audit_events\r\naudit_total:4\r\naudit_flushall:0\r\naudit_summaries:1\r\naudit_interval_ms:100\r\n",
		"audit_classes:generic=1,list=1,string=2\r\naudit_events:del=1,lpush=1,set=2\r\n"} {
		if !strings.Contains(info, w) {
			t.Fatalf("INFO audit = %q, lacks %q", info, w)
		}
	}
	if got := c.Do("INFO", "modules"); !strings.Contains(got, "module:name=audit,ver=1,") || !strings.Contains(got, "# audit_events") {
		t.Fatalf("INFO modules = %q", got)
	}

	// CONFIG SET audit.interval-ms 0 stops the summaries; a new period
	// starts them again.
	if got := c.Do("CONFIG", "SET", "audit.interval-ms", "0"); got != "+OK\r\n" {
		t.Fatalf("CONFIG SET 0 = %q", got)
	}
	if got := c.Do("AUDIT.STATS"); !strings.HasSuffix(got, "$5\r\ntimer\r\n$3\r\noff\r\n") {
		t.Fatalf("timer after interval 0: %q", got)
	}
	c.Do("SET", "quiet", "1")
	time.Sleep(300 * time.Millisecond)
	if strings.Contains(s.Log(), "keyspace events: set=1") {
		t.Fatal("a summary was written with the timer off")
	}
	if got := c.Do("CONFIG", "SET", "audit.interval-ms", "50"); got != "+OK\r\n" {
		t.Fatalf("CONFIG SET 50 = %q", got)
	}
	if !s.waitLog("audit summary (interval): 1 keyspace events: set=1") {
		t.Fatalf("no summary after the timer restarted:\n%s", s.Log())
	}
	if got := c.Do("CONFIG", "SET", "audit.interval-ms", "-1"); !strings.HasPrefix(got, "-ERR CONFIG SET failed") {
		t.Fatalf("CONFIG SET -1 = %q", got)
	}

	// FLUSHALL is counted and logged; RESET empties the counts.
	c.Do("FLUSHALL")
	if !s.waitLog("audit: FLUSHALL after 5 keyspace events") {
		t.Fatalf("no FLUSHALL line:\n%s", s.Log())
	}
	if got := c.Do("AUDIT.STATS", "RESET"); !strings.Contains(got, "$8\r\nflushall\r\n:1\r\n") {
		t.Fatalf("AUDIT.STATS RESET = %q", got)
	}
	if got := c.Do("AUDIT.STATS"); !strings.HasPrefix(got, "*14\r\n$5\r\ntotal\r\n:0\r\n") {
		t.Fatalf("after RESET: %q", got)
	}
	if got := c.Do("AUDIT.STATS", "bogus"); !strings.HasPrefix(got, "-ERR wrong number of arguments") {
		t.Fatalf("AUDIT.STATS bogus = %q", got)
	}
	// The command describes itself (SetCommandInfo): COMMAND DOCS shows
	// its summary and its optional RESET token, COMMAND INFO its arity
	// (-1: AUDIT.STATS alone or with RESET) and no keys.
	docs := c.Do("COMMAND", "DOCS", "audit.stats")
	for _, w := range []string{
		"*2\r\n$11\r\naudit.stats\r\n*12\r\n$7\r\nsummary\r\n$81\r\nReturns the keyspace event counts per class and per event; RESET also clears them\r\n",
		"$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nmodule\r\n",
		"$6\r\nmodule\r\n$5\r\naudit\r\n$9\r\narguments\r\n*1\r\n*8\r\n$4\r\nname\r\n$5\r\nreset\r\n$4\r\ntype\r\n$10\r\npure-token\r\n" +
			"$5\r\ntoken\r\n$5\r\nRESET\r\n$5\r\nflags\r\n*1\r\n+optional\r\n",
	} {
		if !strings.Contains(docs, w) {
			t.Fatalf("COMMAND DOCS audit.stats = %q, lacks %q", docs, w)
		}
	}
	if got, want := c.Do("COMMAND", "INFO", "audit.stats"),
		"*1\r\n*10\r\n$11\r\naudit.stats\r\n:-1\r\n*3\r\n+readonly\r\n+module\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*0\r\n*0\r\n*0\r\n*0\r\n"; got != want {
		t.Fatalf("COMMAND INFO audit.stats = %q, want %q", got, want)
	}

	// Shutdown writes the last summary.
	c.Do("CONFIG", "SET", "audit.interval-ms", "0")
	c.Do("SET", "last", "1")
	evSendOnly(c, "SHUTDOWN", "NOSAVE")
	if !s.waitLog("audit summary (shutdown): 1 keyspace events: set=1") {
		t.Fatalf("no shutdown summary:\n%s", s.Log())
	}
}

// TestAuditModuleLoadex: the period set at load time with MODULE LOADEX.
func TestAuditModuleLoadex(t *testing.T) {
	s := startServer(t)
	c := s.Dial()
	if got := c.Do("MODULE", "LOADEX", plugin("audit"), "CONFIG", "audit.interval-ms", "250"); got != "+OK\r\n" {
		t.Fatalf("MODULE LOADEX = %q", got)
	}
	if got := c.Do("CONFIG", "GET", "audit.interval-ms"); !strings.HasSuffix(got, "$3\r\n250\r\n") {
		t.Fatalf("CONFIG GET after LOADEX = %q", got)
	}
	if got := c.Do("AUDIT.STATS"); !strings.Contains(got, "$11\r\ninterval-ms\r\n:250\r\n$5\r\ntimer\r\n$2\r\non\r\n") {
		t.Fatalf("AUDIT.STATS = %q", got)
	}
	c.Do("SET", "k", "v")
	if got := c.Do("MODULE", "UNLOAD", "audit"); got != "+OK\r\n" {
		t.Fatalf("MODULE UNLOAD = %q", got)
	}
	if !s.waitLog("audit summary (unload): 1 keyspace events: set=1") {
		t.Fatalf("no unload summary:\n%s", s.Log())
	}
	// Its subscription went with it: the server keeps serving.
	c.Do("SET", "k2", "v")
	s.mustAlive()
}
