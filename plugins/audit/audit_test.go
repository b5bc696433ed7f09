package main

// The audit module tested in-process with sdk/sdktest (test/audit_test.go
// runs the same module through the real .so): `go test -race -cover
// ./plugins/audit`. The module's state is package-level, shared by every
// harness of the test binary as by every load in one server, so the tests
// compare counts they read, or RESET them first.

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"modis/sdk/sdktest"
)

func newAudit(t *testing.T, config ...string) *sdktest.Harness {
	t.Helper()
	// OnLoad empties the events since the last summary but not their
	// count (recentN): a harness stopped at the end of a test (no
	// shutdown summary) would leave it to the next. No server runs now.
	audit.recentN = 0
	h := sdktest.NewWithOptions(t, OnLoad, sdktest.Options{Name: "audit.so", OnUnload: OnUnload, Config: config})
	return h
}

// auditStats reads AUDIT.STATS (RESP3) as name -> value, with the class and
// event maps flattened to "classes.NAME" and "events.NAME".
func auditStats(t *testing.T, c *sdktest.Client, args ...string) map[string]string {
	t.Helper()
	r := c.MustDo(append([]string{"AUDIT.STATS"}, args...)...)
	out := map[string]string{}
	for k, v := range r.Map() {
		switch k {
		case "classes", "events":
			for name, n := range v.Map() {
				out[k+"."+name] = strconv.FormatInt(n.Int, 10)
			}
		case "timer":
			out[k] = v.Str
		default:
			out[k] = strconv.FormatInt(v.Int, 10)
		}
	}
	return out
}

func resp3(h *sdktest.Harness) *sdktest.Client {
	c := h.Client()
	c.MustDo("HELLO", "3")
	return c
}

func TestEventsCounted(t *testing.T) {
	h := newAudit(t)
	c := resp3(h)
	h.MustEqual("OK", "SET", "s", "1")
	h.MustEqual(int64(2), "INCR", "s")
	h.MustEqual(int64(2), "LPUSH", "l", "a", "b")
	h.MustEqual(int64(1), "HSET", "h", "f", "v")
	h.MustEqual(int64(1), "SADD", "set", "m")
	h.MustEqual(int64(1), "ZADD", "z", "1", "m")
	h.MustEqual(int64(1), "EXPIRE", "h", "100")
	h.MustEqual(int64(1), "DEL", "set")
	// SET with PX: "set" and "expire"; once expired, "expired" (no "del").
	h.MustEqual("OK", "SET", "short", "v", "PX", "1")
	time.Sleep(5 * time.Millisecond)
	h.MustEqual(nil, "GET", "short")
	// A read sends nothing.
	h.MustEqual("2", "GET", "s")
	want := map[string]string{
		"total":          "11",
		"classes.string": "3", "classes.list": "1", "classes.hash": "1", "classes.set": "1",
		"classes.zset": "1", "classes.generic": "3", "classes.expired": "1",
		"events.set": "2", "events.incrby": "1", "events.lpush": "1", "events.hset": "1", "events.sadd": "1",
		"events.zadd": "1", "events.expire": "2", "events.del": "1", "events.expired": "1",
		"interval-ms": "10000", "timer": "on",
	}
	got := auditStats(t, c, "RESET")
	for k, v := range want {
		if got[k] != v {
			t.Errorf("AUDIT.STATS %s = %q, want %q", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok && k != "flushall" && k != "summaries" {
			t.Errorf("AUDIT.STATS has %s = %s", k, got[k])
		}
	}
	// RESET replied with the counts, then cleared them.
	if got := auditStats(t, c); got["total"] != "0" || len(got) != 5 {
		t.Errorf("after RESET: %v", got)
	}
	// RESP2: a flat array.
	r := h.MustDo("AUDIT.STATS")
	if r.Len() != 14 || r.Elems[0].Str != "total" || r.Elems[1].Int != 0 || r.Elems[3].Len() != 0 {
		t.Errorf("RESP2 AUDIT.STATS: %s", r)
	}
	// Evictions are counted too.
	h.MustEqual("OK", "CONFIG", "SET", "maxmemory-policy", "allkeys-random")
	h.MustEqual("OK", "CONFIG", "SET", "maxmemory", "1")
	h.Do("SET", "more", "x") // evicts what it can, then may be refused
	h.MustEqual("OK", "CONFIG", "SET", "maxmemory", "0")
	if got := auditStats(t, c); got["classes.evicted"] == "" || got["events.evicted"] != got["classes.evicted"] {
		t.Errorf("no evictions counted: %v", got)
	}
}

func TestStatsErrors(t *testing.T) {
	h := newAudit(t)
	h.MustError("ERR wrong number of arguments for 'audit.stats' command", "AUDIT.STATS", "bogus")
	h.MustError("ERR wrong number of arguments for 'audit.stats' command", "AUDIT.STATS", "RESET", "x")
	h.MustEqual("OK", "SET", "k", "v")
	if r := h.MustDo("AUDIT.STATS", "reset"); r.Elems[1].Int != 1 { // lower case
		t.Errorf("AUDIT.STATS reset: %s", r)
	}
	if r := h.MustDo("AUDIT.STATS"); r.Elems[1].Int != 0 {
		t.Errorf("AUDIT.STATS after reset: %s", r)
	}
}

// FLUSHALL is counted and logged; FLUSHDB is not a FLUSHALL.
func TestFlushAll(t *testing.T) {
	h := newAudit(t)
	c := resp3(h)
	before := auditStats(t, c, "RESET")["flushall"]
	h.MustEqual("OK", "SET", "a", "1")
	h.MustEqual("OK", "SET", "b", "1")
	h.MustEqual("OK", "FLUSHDB")
	h.MustEqual("OK", "SET", "c", "1")
	h.MustEqual("OK", "FLUSHALL")
	got := auditStats(t, c)
	if n, _ := strconv.Atoi(before); got["flushall"] != strconv.Itoa(n+1) {
		t.Errorf("flushall %s, was %s", got["flushall"], before)
	}
	if !strings.Contains(h.Log(), "audit: FLUSHALL after 3 keyspace events") {
		t.Errorf("no FLUSHALL line in the log:\n%s", h.Log())
	}
}

// audit.interval-ms: its default, set at load time (a config line), changed
// with CONFIG SET; the timer writes summaries with it.
func TestIntervalConfig(t *testing.T) {
	h := newAudit(t, "audit.interval-ms 60")
	h.MustEqual([]string{"audit.interval-ms", "60"}, "CONFIG", "GET", "audit.interval-ms")
	h.MustEqual("OK", "SET", "a", "1")
	h.MustEqual(int64(1), "LPUSH", "l", "x")
	waitLog(t, h, "audit summary (interval): 2 keyspace events: lpush=1 set=1")
	c := resp3(h)
	if got := auditStats(t, c); got["timer"] != "on" || got["interval-ms"] != "60" || got["summaries"] == "0" {
		t.Errorf("AUDIT.STATS %v", got)
	}
	// 0 stops the timer; nothing is summarized.
	h.MustEqual("OK", "CONFIG", "SET", "audit.interval-ms", "0")
	if got := auditStats(t, c); got["timer"] != "off" {
		t.Errorf("timer %q after interval 0", got["timer"])
	}
	h.MustEqual("OK", "SET", "quiet", "1")
	time.Sleep(150 * time.Millisecond)
	if strings.Contains(h.Log(), "keyspace events: set=1") {
		t.Fatalf("a summary with the timer off:\n%s", h.Log())
	}
	// A new period starts it again.
	h.MustEqual("OK", "CONFIG", "SET", "audit.interval-ms", "40")
	waitLog(t, h, "audit summary (interval): 1 keyspace events: set=1")
	for _, bad := range []string{"-1", "3600001", "x"} {
		h.MustError("ERR CONFIG SET failed*", "CONFIG", "SET", "audit.interval-ms", bad)
	}
	h.MustEqual([]string{"audit.interval-ms", "40"}, "CONFIG", "GET", "audit.interval-ms")
	// Without events, no summary is written.
	n := strings.Count(h.Log(), "audit summary")
	time.Sleep(150 * time.Millisecond)
	if m := strings.Count(h.Log(), "audit summary"); m != n {
		t.Errorf("%d summaries written without events", m-n)
	}
}

// The default period when nothing sets it.
func TestIntervalDefault(t *testing.T) {
	h := newAudit(t)
	h.MustEqual([]string{"audit.interval-ms", "10000"}, "CONFIG", "GET", "audit.interval-ms")
}

func TestInfo(t *testing.T) {
	h := newAudit(t)
	h.MustDo("AUDIT.STATS", "RESET")
	h.MustEqual("OK", "SET", "a", "1")
	h.MustEqual(int64(1), "DEL", "a")
	info := h.MustDo("INFO", "audit").Str
	for _, w := range []string{"# audit_events\r\naudit_total:2\r\naudit_flushall:",
		"audit_interval_ms:10000\r\naudit_classes:generic=1,string=1\r\naudit_events:del=1,set=1\r\n"} {
		if !strings.Contains(info, w) {
			t.Errorf("INFO audit lacks %q:\n%s", w, info)
		}
	}
	if got := h.MustDo("INFO", "modules").Str; !strings.Contains(got, "module:name=audit,ver=1,") || !strings.Contains(got, "# audit_events") {
		t.Errorf("INFO modules:\n%s", got)
	}
	// Empty counts: the dict fields are empty.
	h.MustDo("AUDIT.STATS", "RESET")
	if got := h.MustDo("INFO", "audit").Str; !strings.Contains(got, "audit_total:0\r\n") {
		t.Errorf("INFO audit after RESET:\n%s", got)
	}
}

// Shutdown and MODULE UNLOAD write the last summary.
func TestShutdownAndUnload(t *testing.T) {
	h := newAudit(t)
	h.MustEqual("OK", "SET", "last", "1")
	h.Restart()
	waitLog(t, h, "audit summary (shutdown): 1 keyspace events: set=1")
	// Loaded again by the restart: counting goes on.
	h.MustEqual(int64(1), "LPUSH", "l", "x")
	h.MustEqual("OK", "MODULE", "UNLOAD", "audit")
	waitLog(t, h, "audit summary (unload): 1 keyspace events: lpush=1")
	h.MustError("ERR unknown command*", "AUDIT.STATS")
}

func TestCommandInfo(t *testing.T) {
	h := newAudit(t)
	r := h.MustDo("COMMAND", "INFO", "audit.stats").Elems[0]
	if r.Elems[1].Int != -1 || strings.Join(r.Elems[2].Strings(), " ") != "readonly module fast" {
		t.Errorf("COMMAND INFO: %s", r)
	}
	docs := h.MustDo("COMMAND", "DOCS", "audit.stats").Elems[1].Map()
	if docs["module"].Str != "audit" || !strings.HasPrefix(docs["summary"].Str, "Returns the keyspace event counts") {
		t.Errorf("COMMAND DOCS: %v", docs)
	}
	if args := docs["arguments"]; args.Len() != 1 || args.Elems[0].Map()["token"].Str != "RESET" {
		t.Errorf("COMMAND DOCS arguments: %s", args)
	}
}

func waitLog(t *testing.T, h *sdktest.Harness, line string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(h.Log(), line) {
		if time.Now().After(deadline) {
			t.Fatalf("%q is not in the log:\n%s", line, h.Log())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
