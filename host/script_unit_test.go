package host

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"modis/host/internal/resp"
)

// Scripting behaviour that a live Redis cannot check: conversions of reply
// types no built-in command produces yet, Modis's own payloads, logging,
// the random generator, and the dispatcher's state around a script.

// replyKinds registers LUATEST <kind>: a command that writes one reply of
// every shape a resp.Writer has.
func replyKinds(s *Server) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.table.mustAdd(&Command{Name: "luatest", Arity: 2, Flags: FlagReadonly, Group: "generic", Handler: func(c *Client, args [][]byte) error {
		w := c.out
		switch string(args[1]) {
		case "double":
			w.Double(1.5)
		case "bool":
			w.Bool(true)
		case "false":
			w.Bool(false)
		case "verbatim":
			w.Verbatim("txt", []byte("hello"))
		case "bignum":
			w.BigNumber("12345678901234567890")
		case "set":
			w.Set(2)
			w.BulkString("a")
			w.BulkString("b")
		case "map":
			w.Map(2)
			w.BulkString("a")
			w.Int(1)
			w.BulkString("b")
			w.Double(2.5)
		case "null":
			w.Null()
		case "nullarray":
			w.NullArray()
		case "deferred":
			h := w.Defer('*')
			w.Int(1)
			h2 := w.Defer('%')
			w.BulkString("k")
			w.BulkString("v")
			w.SetDeferred(h2, 1)
			w.Int(3)
			w.SetDeferred(h, 3)
		case "nested":
			w.Array(3)
			w.Array(2)
			w.Int(1)
			w.Null()
			w.Error("ERR inner")
			w.SimpleString("OK")
		case "panic":
			w.Array(2)
			w.Int(1)
			panic("boom")
		case "nothing":
		}
		return nil
	}})
}

func TestScriptReplyConversions(t *testing.T) {
	s, c := newTestServer(t)
	replyKinds(s)
	tests := []struct{ script, want string }{
		// RESP2 (the default): Redis's downgrades.
		{"return redis.call('luatest','double')", bulk("1.5")},
		{"return redis.call('luatest','bool')", ints(1)},
		{"return redis.call('luatest','false')", ints(0)},
		{"return redis.call('luatest','verbatim')", bulk("hello")},
		{"return redis.call('luatest','bignum')", bulk("12345678901234567890")},
		{"return redis.call('luatest','set')", bulks("a", "b")},
		{"return redis.call('luatest','map')", arr(bulk("a"), ints(1), bulk("b"), bulk("2.5"))},
		{"return type(redis.call('luatest','null'))", bulk("boolean")},
		{"return type(redis.call('luatest','nullarray'))", bulk("boolean")},
		{"return redis.call('luatest','deferred')", arr(ints(1), arr(bulk("k"), bulk("v")), ints(3))},
		{"return redis.call('luatest','nested')", arr(arr(ints(1), rNull), errr("ERR inner"), rOK)},
		{"return redis.pcall('luatest','nested')[2]['err']", bulk("ERR inner")},
		// RESP3 after redis.setresp(3): tables with a type field.
		{"redis.setresp(3); return redis.call('luatest','double')['double']", ints(1)},
		{"redis.setresp(3); return tostring(redis.call('luatest','double')['double'])", bulk("1.5")},
		{"redis.setresp(3); return redis.call('luatest','bool') == true", ints(1)},
		{"redis.setresp(3); return redis.call('luatest','false') == false", ints(1)},
		{"redis.setresp(3); local v = redis.call('luatest','verbatim')['verbatim_string']; return {v.format, v.string}", bulks("txt", "hello")},
		{"redis.setresp(3); return redis.call('luatest','bignum')['big_number']", bulk("12345678901234567890")},
		{"redis.setresp(3); local s = redis.call('luatest','set')['set']; return {s.a, s.b}", arr(ints(1), ints(1))},
		{"redis.setresp(3); local m = redis.call('luatest','map')['map']; return {m.a, m.b.double}", arr(ints(1), ints(2))},
		{"redis.setresp(3); return type(redis.call('luatest','null'))", bulk("nil")},
		{"redis.setresp(3); return type(redis.call('luatest','nullarray'))", bulk("nil")},
		{"redis.setresp(3); local r = redis.call('luatest','deferred'); return {r[1], r[2].map.k, r[3]}", arr(ints(1), bulk("v"), ints(3))},
		// The Lua tables written back as RESP3 types, to a RESP2 client.
		{"redis.setresp(3); return redis.call('luatest','map')", arr(bulk("a"), ints(1), bulk("b"), bulk("2.5"))},
		{"redis.setresp(3); return redis.call('luatest','bool')", ints(1)},
		// A command that panics: the error is the script's.
		{"return redis.pcall('luatest','panic')['err']", bulk("ERR command 'luatest' (built-in command) panicked: boom; the server keeps serving, see its log")},
		{"return redis.pcall('luatest','nothing')['err']", bulk("ERR the command sent no reply")},
		// A table that contains itself ends at a depth limit.
		{"local t = {} t[1] = t return #tostring(t) > 0", ints(1)},
	}
	for _, tc := range tests {
		if got := do(t, c, "EVAL", tc.script, "0"); got != tc.want {
			t.Errorf("%s\n got: %q\nwant: %q", tc.script, got, tc.want)
		}
	}
	got := do(t, c, "EVAL", "local t = {} t[1] = t return t", "0")
	if !strings.Contains(got, "-ERR reached lua stack limit\r\n") {
		t.Errorf("self-containing table: %q", got[:min(len(got), 200)])
	}
	if c.out != resp.Writer(&c.buf) || c.inScript {
		t.Errorf("the client's writer or inScript was not restored")
	}
}

func TestScriptReplyConversionsRESP3(t *testing.T) {
	s, c := newTestServer(t)
	replyKinds(s)
	c.buf.P3 = true
	tests := []struct{ script, want string }{
		{"redis.setresp(3); return redis.call('luatest','double')", ",1.5\r\n"},
		{"redis.setresp(3); return redis.call('luatest','bool')", "#t\r\n"},
		{"redis.setresp(3); return redis.call('luatest','verbatim')", "=9\r\ntxt:hello\r\n"},
		{"redis.setresp(3); return redis.call('luatest','bignum')", "(12345678901234567890\r\n"},
		{"redis.setresp(3); return redis.call('luatest','null')", "_\r\n"},
		{"redis.setresp(3); return redis.call('luatest','set')", "~2\r\n$1\r\na\r\n$1\r\nb\r\n"},
		{"return redis.call('luatest','double')", bulk("1.5")},
		{"return redis.call('luatest','null')", "_\r\n"},
	}
	for _, tc := range tests {
		got := do(t, c, "EVAL", tc.script, "0")
		if tc.script == "redis.setresp(3); return redis.call('luatest','set')" {
			// Set order follows Lua's table order.
			if got != tc.want && got != "~2\r\n$1\r\nb\r\n$1\r\na\r\n" {
				t.Errorf("%s\n got: %q", tc.script, got)
			}
			continue
		}
		if got != tc.want {
			t.Errorf("%s\n got: %q\nwant: %q", tc.script, got, tc.want)
		}
	}
}

func TestScriptCommandTable(t *testing.T) {
	s, _ := newTestServer(t)
	tests := []struct {
		name  string
		arity int
		flags string
	}{
		{"eval", -3, "noscript stale skip_monitor no_mandatory_keys movablekeys"},
		{"evalsha", -3, "noscript stale skip_monitor no_mandatory_keys movablekeys"},
		{"eval_ro", -3, "readonly noscript stale skip_monitor no_mandatory_keys movablekeys"},
		{"evalsha_ro", -3, "readonly noscript stale skip_monitor no_mandatory_keys movablekeys"},
		{"fcall", -3, "noscript stale skip_monitor no_mandatory_keys movablekeys"},
		{"fcall_ro", -3, "readonly noscript stale skip_monitor no_mandatory_keys movablekeys"},
		{"script", -2, ""},
		{"script|exists", -3, "noscript"},
		{"script|flush", -2, "noscript"},
		{"script|help", 2, "loading stale"},
		{"script|kill", 2, "noscript allow_busy"},
		{"script|load", 3, "noscript stale"},
		{"script|debug", 3, "noscript"},
		{"function", -2, ""},
		{"function|delete", 3, "write noscript"},
		{"function|flush", -2, "write noscript"},
		{"function|help", 2, "loading stale"},
		{"function|kill", 2, "noscript allow_busy"},
		{"function|load", -3, "write denyoom noscript"},
		{"function|dump", 2, "noscript"},
		{"function|restore", -3, "write denyoom noscript"},
		{"function|list", -2, "noscript"},
		{"function|stats", 2, "noscript allow_busy"},
	}
	for _, tc := range tests {
		cmd := s.table.findCommand(tc.name)
		if cmd == nil {
			t.Errorf("%s: missing", tc.name)
			continue
		}
		if cmd.Arity != tc.arity || strings.Join(cmd.Flags.Names(), " ") != tc.flags || cmd.Group != "scripting" {
			t.Errorf("%s: arity %d flags %q group %q", tc.name, cmd.Arity, cmd.Flags.Names(), cmd.Group)
		}
	}
}

func TestScriptRandom(t *testing.T) {
	_, c := newTestServer(t)
	// The sequence of a fresh redis-server 7.0.15.
	for i, want := range []string{ints(40), ints(85)} {
		if got := do(t, c, "EVAL", "return math.random(100)", "0"); got != want {
			t.Errorf("random %d: got %q want %q", i, got, want)
		}
	}
	if got := do(t, c, "EVAL", "math.randomseed(7); return {math.random(100), math.random(1000)}", "0"); got != arr(ints(27), ints(683)) {
		t.Errorf("after randomseed(7): %q", got)
	}
	if got := do(t, c, "EVAL", "return math.random(0)", "0"); !strings.Contains(got, "bad argument #1 to 'random' (interval is empty)") {
		t.Errorf("random(0): %q", got)
	}
}

// syncBuffer is a log sink for tests.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestScriptLog(t *testing.T) {
	var out syncBuffer
	log := hclog.New(&hclog.LoggerOptions{Output: &out, Level: hclog.Debug})
	s, err := New(DefaultConfig(), log)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(s, nil, 1)
	if got := do(t, c, "EVAL", "redis.log(redis.LOG_WARNING, 'hello', 42, {}, 'world')", "0"); got != rNull {
		t.Fatalf("redis.log: %q", got)
	}
	if !strings.Contains(out.String(), "hello 42 world") || !strings.Contains(out.String(), "[WARN]") {
		t.Errorf("log output: %q", out.String())
	}
	do(t, c, "FUNCTION", "LOAD", "#!lua name=l\nredis.log(redis.LOG_NOTICE, 'loading')\nredis.register_function('f', function() end)")
	if !strings.Contains(out.String(), "loading") {
		t.Errorf("log output at FUNCTION LOAD: %q", out.String())
	}
}

func TestScriptStateRestored(t *testing.T) {
	s, c := newTestServer(t)
	other := newClient(s, nil, 2)
	// SELECT inside a script does not outlive it.
	do(t, c, "EVAL", "redis.call('select', 3); return redis.call('set', 'k', 'v')", "0")
	if c.db != s.dbs[0] || s.dbs[3].Len() != 1 {
		t.Errorf("db after script: %d, db3 keys %d", c.db.ID, s.dbs[3].Len())
	}
	// A write in a script invalidates another client's WATCH.
	do(t, other, "WATCH", "w")
	do(t, c, "EVAL", "return redis.call('set', KEYS[1], 'x')", "1", "w")
	do(t, other, "MULTI")
	do(t, other, "PING")
	if got := do(t, other, "EXEC"); got != "*-1\r\n" {
		t.Errorf("EXEC after a script wrote a watched key: %q", got)
	}
	// Errors of scripts count in the statistics, once.
	before := s.stats.errorReplies
	do(t, c, "EVAL", "return redis.call('nosuch')", "0")
	do(t, c, "EVAL", "return redis.pcall('nosuch')", "0")
	if n := s.stats.errorReplies - before; n != 2 {
		t.Errorf("error replies counted: %d", n)
	}
	before = s.stats.errorReplies
	do(t, c, "SET", "str", "x")
	do(t, c, "EVAL", "return redis.call('incr', 'str')", "0")
	if n := s.stats.errorReplies - before; n != 1 {
		t.Errorf("a command error raised by a script counted %d times", n)
	}
}

func TestFunctionDumpRestoreRoundTrip(t *testing.T) {
	_, c := newTestServer(t)
	libA := "#!lua name=liba\nredis.register_function{function_name='fa', callback=function() return 'a' end, flags={'no-writes'}, description='A'}"
	libB := "#!lua name=libb\nredis.register_function('fb', function(keys) return #keys end)"
	for _, l := range []string{libA, libB} {
		if got := do(t, c, "FUNCTION", "LOAD", l); !strings.HasPrefix(got, "$4\r\nlib") {
			t.Fatalf("load: %q", got)
		}
	}
	dump := do(t, c, "FUNCTION", "DUMP")
	payload := dump[strings.Index(dump, "\r\n")+2 : len(dump)-2]
	listBefore := do(t, c, "FUNCTION", "LIST", "WITHCODE")

	run := func(want string, args ...string) {
		t.Helper()
		if got := do(t, c, args...); got != want {
			t.Errorf("%v\n got: %q\nwant: %q", args, got, want)
		}
	}
	run(errr("ERR Library liba already exists"), "FUNCTION", "RESTORE", payload)
	run(rOK, "FUNCTION", "RESTORE", payload, "REPLACE")
	run(rOK, "FUNCTION", "FLUSH")
	run(rOK, "FUNCTION", "RESTORE", payload)
	run(listBefore, "FUNCTION", "LIST", "WITHCODE")
	run(bulk("a"), "FCALL_RO", "fa", "0")
	run(ints(2), "FCALL", "fb", "2", "x", "y")
	// FLUSH replaces everything, even a library the payload does not have.
	run(bulk("libc"), "FUNCTION", "LOAD", "#!lua name=libc\nredis.register_function('fc', function() return 1 end)")
	run(rOK, "FUNCTION", "RESTORE", payload, "FLUSH")
	run(errr("ERR Function not found"), "FCALL", "fc", "0")
	run(listBefore, "FUNCTION", "LIST", "WITHCODE")
	// A function name collision leaves the libraries as they were.
	run(rOK, "FUNCTION", "DELETE", "libb")
	run(bulk("other"), "FUNCTION", "LOAD", "#!lua name=other\nredis.register_function('fb', function() return 'other' end)")
	run(errr("ERR Function fb already exists"), "FUNCTION", "RESTORE", payload, "REPLACE")
	run(bulk("a"), "FCALL", "fa", "0")
	run(bulk("other"), "FCALL", "fb", "0")
	// Corrupt payloads.
	bad := []byte(payload)
	bad[5] ^= 1
	run(errr("ERR DUMP payload version or checksum are wrong"), "FUNCTION", "RESTORE", string(bad))
	future := []byte(payload)
	future[len(future)-10] = 11
	run(errr("ERR DUMP payload version or checksum are wrong"), "FUNCTION", "RESTORE", string(future))
	// An empty dump restores to nothing.
	run(rOK, "FUNCTION", "FLUSH")
	empty := do(t, c, "FUNCTION", "DUMP")
	run(rOK, "FUNCTION", "RESTORE", empty[strings.Index(empty, "\r\n")+2:len(empty)-2])
	run(rEmpty, "FUNCTION", "LIST")
}

func TestRedisCRC64AndLZF(t *testing.T) {
	if got := redisCRC64([]byte("123456789")); got != 0xe9c6d914c4b8d9ca {
		t.Errorf("crc64 check value: %x", got)
	}
	// Ten a's as liblzf compresses them: a literal, then a back reference
	// of 9 bytes at distance 1.
	out, err := lzfDecompress([]byte{0x00, 'a', 0xe0, 0x00, 0x00}, 10)
	if err != nil || string(out) != "aaaaaaaaaa" {
		t.Errorf("lzf: %q %v", out, err)
	}
	if _, err := lzfDecompress([]byte{0x00, 'a', 0xe0, 0x00, 0x05}, 10); err == nil {
		t.Errorf("lzf: a reference before the start was accepted")
	}
}

func TestFunctionLoadTimeout(t *testing.T) {
	_, c := newTestServer(t)
	start := time.Now()
	got := do(t, c, "FUNCTION", "LOAD", "#!lua name=t\nwhile true do end")
	if got != errr("ERR Error registering functions: ERR FUNCTION LOAD timeout") {
		t.Errorf("load timeout: %q", got)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("load took %v", d)
	}
	// The interpreter still works afterwards.
	if got := do(t, c, "FUNCTION", "LOAD", "#!lua name=ok\nredis.register_function('f', function() return 1 end)"); got != bulk("ok") {
		t.Errorf("load after a timeout: %q", got)
	}
	if got := do(t, c, "FCALL", "f", "0"); got != ints(1) {
		t.Errorf("fcall: %q", got)
	}
}

func TestScriptCompileErrors(t *testing.T) {
	_, c := newTestServer(t)
	for _, src := range []string{"syntax error here", "return 1 +", "return 'unfinished"} {
		got := do(t, c, "EVAL", src, "0")
		if !strings.HasPrefix(got, "-ERR Error compiling script (new function): user_script:") {
			t.Errorf("%q: %q", src, got)
		}
		got = do(t, c, "FUNCTION", "LOAD", "#!lua name=x\n"+src)
		if !strings.HasPrefix(got, "-ERR Error compiling function: user_function:") {
			t.Errorf("%q: %q", src, got)
		}
	}
	// A script that failed to compile is not cached.
	if got := do(t, c, "SCRIPT", "EXISTS", sha1hex("return 1 +")); got != arr(ints(0)) {
		t.Errorf("exists: %q", got)
	}
}

func TestScriptCacheAndPool(t *testing.T) {
	_, c := newTestServer(t)
	do(t, c, "SCRIPT", "LOAD", "return 1")
	// Many runs reuse the interpreters; a flush drops them.
	for i := 0; i < 20; i++ {
		if got := do(t, c, "EVAL", "return ARGV[1]", "0", "x"); got != bulk("x") {
			t.Fatalf("run %d: %q", i, got)
		}
	}
	do(t, c, "SCRIPT", "FLUSH")
	if got := do(t, c, "EVALSHA", sha1hex("return 1"), "0"); got != errr("NOSCRIPT No matching script. Please use EVAL.") {
		t.Errorf("after flush: %q", got)
	}
	if got := do(t, c, "EVAL", "return 5", "0"); got != ints(5) {
		t.Errorf("after flush: %q", got)
	}
	// KEYS and ARGV do not leak from one script to the next.
	do(t, c, "EVAL", "return 1", "1", "k")
	if got := do(t, c, "EVAL", "return #KEYS", "0"); got != ints(0) {
		t.Errorf("KEYS leaked: %q", got)
	}
}

func BenchmarkEvalGet(b *testing.B) {
	s, c := newTestServer(b)
	do(b, c, "SET", "k", "v")
	argv := [][]byte{[]byte("EVALSHA"), []byte(sha1hex("return redis.call('get', KEYS[1])")), []byte("1"), []byte("k")}
	do(b, c, "SCRIPT", "LOAD", "return redis.call('get', KEYS[1])")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.mu.Lock()
		c.exec(argv)
		c.buf.Reset()
		s.mu.Unlock()
	}
}

func BenchmarkFcallIncr(b *testing.B) {
	s, c := newTestServer(b)
	do(b, c, "FUNCTION", "LOAD", "#!lua name=b\nredis.register_function('incr', function(keys) return redis.call('incr', keys[1]) end)")
	argv := [][]byte{[]byte("FCALL"), []byte("incr"), []byte("1"), []byte("n")}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.mu.Lock()
		c.exec(argv)
		c.buf.Reset()
		s.mu.Unlock()
	}
}
