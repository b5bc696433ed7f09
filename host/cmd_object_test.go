package host

import (
	"strings"
	"testing"
)

func TestObjectCommand(t *testing.T) {
	s44 := strings.Repeat("x", 44)
	lfuNot := errr("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
	help := []string{
		"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"ENCODING <key>",
		"    Return the kind of internal representation used in order to store the value",
		"    associated with a <key>.",
		"FREQ <key>",
		"    Return the access frequency index of the <key>. The returned integer is",
		"    proportional to the logarithm of the recent access frequency of the key.",
		"IDLETIME <key>",
		"    Return the idle time of the <key>, that is the approximated number of",
		"    seconds elapsed since the last access to the key.",
		"REFCOUNT <key>",
		"    Return the number of references of the value associated with the specified",
		"    <key>.",
		"HELP",
		"    Prints this help.",
	}
	helpReply := "*" + itoaTest(len(help)) + "\r\n"
	for _, l := range help {
		helpReply += "+" + l + "\r\n"
	}
	runScripts(t, []script{
		{name: "arguments", steps: []step{
			{"OBJECT", errr("ERR wrong number of arguments for 'object' command")},
			{"OBJECT foo", errr("ERR unknown subcommand 'foo'. Try OBJECT HELP.")},
			{"OBJECT foo k", errr("ERR unknown subcommand 'foo'. Try OBJECT HELP.")},
			{"OBJECT ENCODING", errr("ERR wrong number of arguments for 'object|encoding' command")},
			{"OBJECT encoding a b", errr("ERR wrong number of arguments for 'object|encoding' command")},
			{"OBJECT REFCOUNT", errr("ERR wrong number of arguments for 'object|refcount' command")},
			{"OBJECT IDLETIME", errr("ERR wrong number of arguments for 'object|idletime' command")},
			{"OBJECT FREQ", errr("ERR wrong number of arguments for 'object|freq' command")},
			{"OBJECT HELP x", errr("ERR wrong number of arguments for 'object|help' command")},
			{"OBJECT help", helpReply},
		}},
		{name: "missing keys", steps: []step{
			{"OBJECT ENCODING nokey", rNull},
			{"OBJECT REFCOUNT nokey", rNull},
			{"OBJECT IDLETIME nokey", rNull},
			{"OBJECT FREQ nokey", rNull},
		}},
		{name: "missing keys resp3", p3: true, steps: []step{
			{"OBJECT ENCODING nokey", "_\r\n"},
			{"OBJECT FREQ nokey", "_\r\n"},
		}},
		{name: "string encodings", steps: []step{
			{"SET a 123", rOK},
			{"OBJECT ENCODING a", bulk("int")},
			{"OBJECT REFCOUNT a", ints(2147483647)},
			{"SET a 9999", rOK},
			{"OBJECT REFCOUNT a", ints(2147483647)},
			{"SET a 10000", rOK},
			{"OBJECT ENCODING a", bulk("int")},
			{"OBJECT REFCOUNT a", rOne},
			{"SET a -1", rOK},
			{"OBJECT ENCODING a", bulk("int")},
			{"OBJECT REFCOUNT a", rOne},
			{"SET a -9223372036854775808", rOK},
			{"OBJECT ENCODING a", bulk("int")},
			{"SET a 9223372036854775808", rOK},
			{"OBJECT ENCODING a", bulk("embstr")},
			{"SET a 007", rOK},
			{"OBJECT ENCODING a", bulk("embstr")},
			{"SET a -0", rOK},
			{"OBJECT ENCODING a", bulk("embstr")},
			{"SET a +1", rOK},
			{"OBJECT ENCODING a", bulk("embstr")},
			{"SET a \"\"", rOK},
			{"OBJECT ENCODING a", bulk("embstr")},
			{"SET a " + s44, rOK},
			{"OBJECT ENCODING a", bulk("embstr")},
			{"OBJECT REFCOUNT a", rOne},
			{"SET a " + s44 + "x", rOK},
			{"OBJECT ENCODING a", bulk("raw")},
			{"SET a hello", rOK},
			{"OBJECT ENCODING a", bulk("embstr")},
			{"MSET b 1 c hello", rOK},
			{"OBJECT ENCODING b", bulk("int")},
			{"OBJECT ENCODING c", bulk("embstr")},
			{"SETNX d 5", rOne},
			{"OBJECT ENCODING d", bulk("int")},
			{"GETSET d x", bulk("5")},
			{"OBJECT ENCODING d", bulk("embstr")},
			{"SETEX e 100 77", rOK},
			{"OBJECT ENCODING e", bulk("int")},
			{"INCR n", rOne},
			{"OBJECT ENCODING n", bulk("int")},
			{"OBJECT REFCOUNT n", ints(2147483647)},
			{"INCRBY n 99999", ints(100000)},
			{"OBJECT ENCODING n", bulk("int")},
			{"OBJECT REFCOUNT n", rOne},
		}},
		{name: "other encodings", steps: []step{
			{"HSET h f v", rOne},
			{"OBJECT ENCODING h", bulk("listpack")},
			{"OBJECT REFCOUNT h", rOne},
			{"RPUSH l a", rOne},
			{"OBJECT ENCODING l", bulk("quicklist")},
			{"SADD s 1 2", ints(2)},
			{"OBJECT ENCODING s", bulk("intset")},
			{"SADD s x", rOne},
			{"OBJECT ENCODING s", bulk("hashtable")},
		}},
		{name: "idletime and freq", steps: []step{
			{"SET k v", rOK},
			{"OBJECT IDLETIME k", rZero},
			{"OBJECT FREQ k", lfuNot},
		}},
		{name: "memory usage", steps: []step{
			{"SET k 1", rOK},
			{"MEMORY USAGE k", ints(48)},
			{"SET k hello", rOK},
			{"MEMORY USAGE k", ints(64)},
			{"SET k " + s44, rOK},
			{"MEMORY USAGE k", ints(96)},
			{"SET k " + strings.Repeat("x", 100), rOK},
			{"MEMORY USAGE k", ints(160)},
			{"SET " + strings.Repeat("k", 40) + " 1", rOK},
			{"MEMORY USAGE " + strings.Repeat("k", 40), ints(88)},
			{"SET k 12345678", rOK},
			{"MEMORY USAGE k SAMPLES 0", ints(48)},
			{"MEMORY USAGE k samples 5 SAMPLES 10", ints(48)},
			{"MEMORY USAGE nokey", rNull},
			{"MEMORY USAGE k SAMPLES", rSyntax},
			{"MEMORY USAGE k SAMPLES x", rNotInt},
			{"MEMORY USAGE k SAMPLES -1", rSyntax},
			{"MEMORY USAGE k foo 1", rSyntax},
			{"MEMORY USAGE nokey SAMPLES x", rNotInt},
			{"MEMORY USAGE", errr("ERR wrong number of arguments for 'memory|usage' command")},
			{"MEMORY", errr("ERR wrong number of arguments for 'memory' command")},
			{"MEMORY foo", errr("ERR unknown subcommand 'foo'. Try MEMORY HELP.")},
			{"MEMORY DOCTOR x", errr("ERR wrong number of arguments for 'memory|doctor' command")},
			{"MEMORY PURGE", rOK},
			{"MEMORY HELP", "*14\r\n" +
				"+MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n" +
				"+DOCTOR\r\n+    Return memory problems reports.\r\n" +
				"+MALLOC-STATS\r\n+    Return internal statistics report from the memory allocator.\r\n" +
				"+PURGE\r\n+    Attempt to purge dirty pages for reclamation by the allocator.\r\n" +
				"+STATS\r\n+    Return information about the memory usage of the server.\r\n" +
				"+USAGE <key> [SAMPLES <count>]\r\n" +
				"+    Return memory in bytes used by <key> and its value. Nested values are\r\n" +
				"+    sampled up to <count> times (default: 5, 0 means sample all).\r\n" +
				"+HELP\r\n+    Prints this help.\r\n"},
		}},
		{name: "memory usage resp3", p3: true, steps: []step{
			{"MEMORY USAGE nokey", "_\r\n"},
		}},
	})
}

func itoaTest(n int) string {
	return strings.TrimSuffix(strings.TrimPrefix(ints(int64(n)), ":"), "\r\n")
}

// Entries with other value types report their value's MemoryUsage plus the
// key's overhead; an expired key not yet removed is still measured, as in
// Redis (MEMORY USAGE does not expire keys).
func TestMemoryUsageOtherTypes(t *testing.T) {
	s, c := newTestServer(t)
	do(t, c, "HSET", "h", "f", "v")
	do(t, c, "RPUSH", "l", "a", "b", "c")
	do(t, c, "SADD", "s", "a", "b")
	for _, k := range []string{"h", "l", "s"} {
		got := do(t, c, "MEMORY", "USAGE", k)
		if !strings.HasPrefix(got, ":") || got == ":0\r\n" {
			t.Errorf("MEMORY USAGE %s = %q", k, got)
		}
	}
	do(t, c, "SET", "e", "v", "PX", "10")
	advance(s, 20)
	if got := do(t, c, "MEMORY", "USAGE", "e"); got != ints(64) {
		t.Errorf("MEMORY USAGE of an expired key = %q", got)
	}
}

func TestMemoryReports(t *testing.T) {
	_, c := newTestServer(t)
	do(t, c, "SET", "k", "v")
	if got := do(t, c, "MEMORY", "DOCTOR"); !strings.Contains(got, "Sam") {
		t.Errorf("MEMORY DOCTOR = %q", got)
	}
	if got := do(t, c, "MEMORY", "MALLOC-STATS"); got != bulk("Stats not supported for the current allocator") {
		t.Errorf("MEMORY MALLOC-STATS = %q", got)
	}
	// MEMORY STATS has Redis's fields in Redis's order (db.N for each
	// database with keys).
	want := []string{"peak.allocated", "total.allocated", "startup.allocated", "replication.backlog",
		"clients.slaves", "clients.normal", "cluster.links", "aof.buffer", "lua.caches", "functions.caches",
		"db.0", "overhead.total", "keys.count", "keys.bytes-per-key", "dataset.bytes", "dataset.percentage",
		"peak.percentage", "allocator.allocated", "allocator.active", "allocator.resident",
		"allocator-fragmentation.ratio", "allocator-fragmentation.bytes", "allocator-rss.ratio",
		"allocator-rss.bytes", "rss-overhead.ratio", "rss-overhead.bytes", "fragmentation", "fragmentation.bytes"}
	c.buf.P3 = true
	got := do(t, c, "MEMORY", "STATS")
	if !strings.HasPrefix(got, "%28\r\n") {
		t.Fatalf("MEMORY STATS is not a map of 28: %q", got[:min(len(got), 20)])
	}
	at := 0
	for _, k := range want {
		i := strings.Index(got[at:], "$"+itoaTest(len(k))+"\r\n"+k+"\r\n")
		if i < 0 {
			t.Fatalf("MEMORY STATS: %s missing or out of order", k)
		}
		at += i
	}
	if !strings.Contains(got, "keys.count\r\n:1\r\n") {
		t.Errorf("keys.count is not 1")
	}
}

// Strings change encoding as Redis's commands rebuild or modify them:
// APPEND and SETRANGE make a string "raw" in place, INCRBYFLOAT never
// produces "int", and any command that stores a new value starts again
// from the contents. The string commands record this in Entry.StrEnc.
func TestStringEncodingTransitions(t *testing.T) {
	runScripts(t, []script{
		{name: "append setrange incrbyfloat", steps: []step{
			{"SET a hello", rOK},
			{"OBJECT ENCODING a", bulk("embstr")},
			{"APPEND a x", ints(6)},
			{"OBJECT ENCODING a", bulk("raw")},
			{"GET a", bulk("hellox")},
			{"SET a hello", rOK},
			{"OBJECT ENCODING a", bulk("embstr")},
			{"APPEND a \"\"", ints(5)},
			{"OBJECT ENCODING a", bulk("raw")},
			{"SET a hello KEEPTTL", rOK},
			{"OBJECT ENCODING a", bulk("embstr")},
			{"APPEND b 123", ints(3)},
			{"OBJECT ENCODING b", bulk("int")},
			{"OBJECT REFCOUNT b", ints(2147483647)},
			{"APPEND b 4", ints(4)},
			{"OBJECT ENCODING b", bulk("raw")},
			{"OBJECT REFCOUNT b", rOne},
			{"INCR b", ints(1235)},
			{"OBJECT ENCODING b", bulk("int")},
			{"APPEND b \"\"", ints(4)},
			{"OBJECT ENCODING b", bulk("raw")},
			{"INCRBY b 0", ints(1235)},
			{"OBJECT ENCODING b", bulk("int")},
			{"SETRANGE c 0 12", ints(2)},
			{"OBJECT ENCODING c", bulk("raw")},
			{"SET c 12", rOK},
			{"OBJECT ENCODING c", bulk("int")},
			{"SETRANGE c 0 \"\"", ints(2)},
			{"OBJECT ENCODING c", bulk("int")},
			{"SETRANGE c 0 3", ints(2)},
			{"OBJECT ENCODING c", bulk("raw")},
			{"GET c", bulk("32")},
			{"MSET c 1", rOK},
			{"OBJECT ENCODING c", bulk("int")},
			{"SETRANGE nokey 0 \"\"", rZero},
			{"EXISTS nokey", rZero},
			{"INCRBYFLOAT f 3", bulk("3")},
			{"OBJECT ENCODING f", bulk("embstr")},
			{"OBJECT REFCOUNT f", rOne},
			{"INCRBYFLOAT f 1.5", bulk("4.5")},
			{"OBJECT ENCODING f", bulk("embstr")},
			{"INCR g", rOne},
			{"INCRBYFLOAT g 1", bulk("2")},
			{"OBJECT ENCODING g", bulk("embstr")},
			{"INCR g", ints(3)},
			{"OBJECT ENCODING g", bulk("int")},
			{"SET f 3", rOK},
			{"OBJECT ENCODING f", bulk("int")},
			{"INCRBYFLOAT f 1", bulk("4")},
			{"GETSET f 5", bulk("4")},
			{"OBJECT ENCODING f", bulk("int")},
			{"SET h " + strings.Repeat("y", 40), rOK},
			{"APPEND h yyyy", ints(44)},
			{"OBJECT ENCODING h", bulk("raw")},
			{"COPY h h2", rOne},
			{"OBJECT ENCODING h2", bulk("raw")},
			{"RENAME h h3", rOK},
			{"OBJECT ENCODING h3", bulk("raw")},
			{"GETEX h3 EX 100", bulk(strings.Repeat("y", 44))},
			{"OBJECT ENCODING h3", bulk("raw")},
		}},
	})
}
