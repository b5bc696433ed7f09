package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Reply shapes redis-server 7.0.15 sends for DEBUG PROTOCOL <type>, RESP2
// and RESP3 (captured from the real server): replymod.reply <type> replies
// with the same values through the sdk, so the bytes must be the same.
var redisProtocolBytes = []struct{ typ, resp2, resp3 string }{
	{"map", "*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n", "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n"},
	{"set", "*3\r\n:0\r\n:1\r\n:2\r\n", "~3\r\n:0\r\n:1\r\n:2\r\n"},
	{"attrib", "$39\r\nSome real reply following the attribute\r\n",
		"|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n"},
	{"bignum", "$37\r\n1234567999999999999999999999999999999\r\n", "(1234567999999999999999999999999999999\r\n"},
	{"verbatim", "$25\r\nThis is a verbatim\nstring\r\n", "=29\r\ntxt:This is a verbatim\nstring\r\n"},
	{"true", ":1\r\n", "#t\r\n"},
	{"false", ":0\r\n", "#f\r\n"},
	{"double", "$5\r\n3.141\r\n", ",3.141\r\n"},
	{"null", "$-1\r\n", "_\r\n"},
}

// TestModReplyTypes: every RESP3 type a module can reply, through the real
// .so, in RESP2 and RESP3, byte for byte what Redis 7.0 sends for the same
// values (and what Modis's own DEBUG PROTOCOL sends).
func TestModReplyTypes(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("replymod"))
	c2, c3 := s.Dial(), s.Dial()
	c3.Do("HELLO", "3")
	for _, tc := range redisProtocolBytes {
		if got := c2.Do("replymod.reply", tc.typ); got != tc.resp2 {
			t.Errorf("RESP2 %s\n got %q\nwant %q", tc.typ, got, tc.resp2)
		}
		if got := c3.Do("replymod.reply", tc.typ); got != tc.resp3 {
			t.Errorf("RESP3 %s\n got %q\nwant %q", tc.typ, got, tc.resp3)
		}
		if got := c3.Do("DEBUG", "PROTOCOL", tc.typ); got != tc.resp3 {
			t.Errorf("Modis's own DEBUG PROTOCOL %s (RESP3)\n got %q\nwant %q", tc.typ, got, tc.resp3)
		}
	}
	// HELLO 3 + CONFIG GET is a map in Redis 7.0; a module map has its shape.
	if got := c3.Do("CONFIG", "GET", "maxmemory"); got != "%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n" {
		t.Errorf("CONFIG GET in RESP3 = %q", got)
	}
	cases := []struct{ kind, resp2, resp3 string }{
		{"verbatim-mkd", "$7\r\n# title\r\n", "=11\r\nmkd:# title\r\n"},
		{"emptyarray", "*0\r\n", ""},
		{"nullarray", "*-1\r\n", "_\r\n"},
		{"emptystring", "$0\r\n\r\n", ""},
		{"emptymap", "*0\r\n", "%0\r\n"},
		{"emptyset", "*0\r\n", "~0\r\n"},
		{"longdouble", "*6\r\n$3\r\n3.5\r\n$19\r\n0.10000000000000001\r\n$3\r\n100\r\n$1\r\n0\r\n$21\r\n100000000000000000000\r\n$4\r\n-inf\r\n",
			"*6\r\n,3.5\r\n,0.10000000000000001\r\n,100\r\n,0\r\n,100000000000000000000\r\n,-inf\r\n"},
		{"errorformat", "-MYERR 3 items, \"x\"\r\n", ""},
		{"errorformat-nocode", "-ERR bad thing\r\n", ""},
		{"postponed-map", "*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n",
			"%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n~2\r\n$1\r\nx\r\n$1\r\ny\r\n"},
		{"postponed-attrib", "*2\r\n:1\r\n$5\r\nvalue\r\n", "*2\r\n:1\r\n|1\r\n$3\r\nttl\r\n:100\r\n$5\r\nvalue\r\n"},
		{"map-odd", "*2\r\n$1\r\nk\r\n$88\r\nReplySetMapLength: 1 elements were replied, a key is missing its value; a map stays open\r\n",
			"%1\r\n$1\r\nk\r\n$88\r\nReplySetMapLength: 1 elements were replied, a key is missing its value; a map stays open\r\n"},
		{"wrong-kind", "*1\r\n" + bulk("ReplySetArrayLength: the innermost aggregate with a postponed length is a set"),
			"~1\r\n" + bulk("ReplySetArrayLength: the innermost aggregate with a postponed length is a set")},
		{"attrib-dangling", "-ERR ReplyWithAttribute: attributes exist only in RESP3, and the client uses RESP2\r\n",
			"-ERR module command 'replymod.reply' returned with an incomplete reply (an attribute was not followed by its value)\r\n"},
		{"misuse", "*4\r\n" + bulk(`ReplyWithBigNumber: "12a" is not a big number (decimal digits, an optional '-' first)`) +
			bulk(`ReplyWithVerbatimStringType: the format must be 3 characters without CR or LF, got "markdown"`) +
			bulk("ReplySetMapLength: no aggregate with a postponed length is open") +
			bulk("ReplyWithMap: invalid length -5"), ""},
		{"wrongarity-err", "-ERR wrong number of arguments for 'replymod.reply' command\r\n", ""},
	}
	for _, tc := range cases {
		if got := c2.Do("replymod.reply", tc.kind); got != tc.resp2 {
			t.Errorf("RESP2 %s\n got %q\nwant %q", tc.kind, got, tc.resp2)
		}
		want3 := tc.resp3
		if want3 == "" {
			want3 = tc.resp2
		}
		if got := c3.Do("replymod.reply", tc.kind); got != want3 {
			t.Errorf("RESP3 %s\n got %q\nwant %q", tc.kind, got, want3)
		}
	}
	// The connections are in step after all of it.
	if got := c2.Do("PING"); got != "+PONG\r\n" {
		t.Errorf("PING = %q", got)
	}
	if got := c3.Do("replymod.reply"); got != "-ERR wrong number of arguments for 'replymod.reply' command\r\n" {
		t.Errorf("WrongArity = %q", got)
	}
}

// TestModCallModifiers: every Call modifier through the real .so, with the
// error texts RM_Call gives with "E".
func TestModCallModifiers(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("replymod"))
	c := s.Dial()
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"replymod.call", "", "SET", "k", "v"}, "+OK\r\n"},
		{[]string{"replymod.call", "", "NOSUCH", "a", "b"}, "-ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' \r\n"},
		{[]string{"replymod.call", "", "GET"}, "-ERR wrong number of arguments for 'get' command\r\n"},
		{[]string{"replymod.call", "", "CONFIG", "NOSUCH"}, "-ERR unknown subcommand 'NOSUCH'. Try CONFIG HELP.\r\n"},
		{[]string{"replymod.call", "", "CONFIG", "GET"}, "-ERR wrong number of arguments for 'config|get' command\r\n"},
		{[]string{"replymod.call", "E", "INCR", "k"}, "-ERR value is not an integer or out of range\r\n"},
		// W: no writes.
		{[]string{"replymod.call", "W", "SET", "k", "w"}, "-ERR Write command 'set' was called while write is not allowed.\r\n"},
		{[]string{"replymod.call", "W", "GET", "k"}, "$1\r\nv\r\n"},
		// S: script mode.
		{[]string{"replymod.call", "S", "replymod.noscript"}, "-ERR command 'replymod.noscript' is not allowed on script mode\r\n"},
		{[]string{"replymod.call", "S", "SCRIPT", "FLUSH"}, "-ERR command 'script|flush' is not allowed on script mode\r\n"},
		{[]string{"replymod.call", "", "replymod.noscript"}, "+OK\r\n"},
		{[]string{"replymod.call", "S", "GET", "k"}, "$1\r\nv\r\n"},
		// C: the calling client's user (Modis's single user may run everything).
		{[]string{"replymod.call", "C", "GET", "k"}, "$1\r\nv\r\n"},
		// D: dry run (Redis 7.2): the checks, not the command.
		{[]string{"replymod.call", "D", "SET", "k", "dry"}, "+DRYRUN-OK\r\n"},
		{[]string{"GET", "k"}, "$1\r\nv\r\n"},
		{[]string{"replymod.call", "DW", "SET", "k", "dry"}, "-ERR Write command 'set' was called while write is not allowed.\r\n"},
		{[]string{"replymod.call", "D", "NOSUCH"}, "-ERR unknown command 'NOSUCH', with args beginning with: \r\n"},
		// 3 and 0: the reply's protocol, seen through the accessors.
		{[]string{"HSET", "h", "f", "1"}, ":1\r\n"},
		{[]string{"replymod.describe", "", "HGETALL", "h"}, bulk("array[str(f),str(1)]")},
		{[]string{"replymod.describe", "3", "HGETALL", "h"}, bulk("map{str(f)=str(1)}")},
		{[]string{"replymod.describe", "0", "HGETALL", "h"}, bulk("array[str(f),str(1)]")}, // a RESP2 client
		{[]string{"replymod.describe", "3", "replymod.reply", "set"}, bulk("set[int(0),int(1),int(2)]")},
		{[]string{"replymod.describe", "3", "replymod.reply", "map"}, bulk("map{int(0)=bool(false),int(1)=bool(true),int(2)=bool(false)}")},
		{[]string{"replymod.describe", "3", "replymod.reply", "bignum"}, bulk("big(1234567999999999999999999999999999999)")},
		{[]string{"replymod.describe", "3", "replymod.reply", "verbatim-mkd"}, bulk("verbatim(mkd:# title)")},
		{[]string{"replymod.describe", "3", "replymod.reply", "double"}, bulk("double(3.141)")},
		{[]string{"replymod.describe", "3", "replymod.reply", "attrib"},
			bulk("attr{str(key-popularity)=array[str(key:123),int(90)]} str(Some real reply following the attribute)")},
		{[]string{"replymod.describe", "", "replymod.reply", "attrib"}, bulk("str(Some real reply following the attribute)")},
		{[]string{"replymod.describe", "", "replymod.reply", "true"}, bulk("int(1)")},
		{[]string{"replymod.describe", "D", "GET", "k"}, bulk("null")},
		// In OnLoad: no client for "C"; "0" is RESP2; "D" gives null.
		{[]string{"replymod.onload"}, "*5\r\n" + bulk(`"C":error:ERR acl verification failed, context is not attached to a client.`) +
			bulk(`"":string:PONG`) + bulk(`"3":string:PONG`) + bulk(`"0":string:PONG`) + bulk(`"D":null:`)},
	}
	for _, st := range steps {
		if got := c.Do(st.args...); got != st.want {
			t.Errorf("%q\n got %q\nwant %q", st.args, got, st.want)
		}
	}
	// "0" follows the calling client: RESP3 after HELLO 3, and a reply
	// recorded in RESP3 reaches the RESP3 client whole.
	c3 := s.Dial()
	c3.Do("HELLO", "3")
	if got := c3.Do("replymod.describe", "0", "HGETALL", "h"); got != bulk("map{str(f)=str(1)}") {
		t.Errorf("0 from a RESP3 client: %q", got)
	}
	if got := c3.Do("replymod.call", "0", "replymod.reply", "attrib"); got != redisProtocolBytes[2].resp3 {
		t.Errorf("forwarded attribute: %q", got)
	}
	// A RESP3 recording forwarded to a RESP2 client is downgraded.
	if got := c.Do("replymod.call", "3", "replymod.reply", "map"); got != redisProtocolBytes[0].resp2 {
		t.Errorf("RESP3 map to a RESP2 client: %q", got)
	}
	// C: a client a module authenticated as its user "limited" is checked
	// against that user's rules, with RM_Call's texts; without "C" nothing
	// is checked, as in Redis.
	cu := s.Dial()
	for _, st := range []struct {
		args []string
		want string
	}{
		{[]string{"replymod.login"}, "+OK\r\n"},
		{[]string{"replymod.call", "C", "GET", "allowed:1"}, "$-1\r\n"},
		{[]string{"replymod.call", "C", "HSET", "allowed:1", "f", "v"}, "-ERR acl verification failed, can't run this command or subcommand.\r\n"},
		{[]string{"replymod.call", "C", "GET", "k"}, "-ERR acl verification failed, can't access at least one of the keys mentioned in the command arguments.\r\n"},
		{[]string{"replymod.call", "C", "PUBLISH", "ch", "m"}, "-ERR acl verification failed, can't publish to the channel mentioned in the command.\r\n"},
		{[]string{"replymod.call", "", "GET", "k"}, "$1\r\nv\r\n"},
	} {
		if got := cu.Do(st.args...); got != st.want {
			t.Errorf("ACL: %q\n got %q\nwant %q", st.args, got, st.want)
		}
	}
	// M: over maxmemory (noeviction), deny-oom commands are refused; the
	// module command itself is not deny-oom, so it runs.
	if got := c.Do("CONFIG", "SET", "maxmemory", "1"); got != "+OK\r\n" {
		t.Fatalf("CONFIG SET maxmemory: %q", got)
	}
	for _, st := range []struct {
		args []string
		want string
	}{
		{[]string{"replymod.call", "M", "SET", "k2", "v"}, "-OOM command not allowed when used memory > 'maxmemory'.\r\n"},
		{[]string{"replymod.call", "M", "GET", "k"}, "$1\r\nv\r\n"},
		{[]string{"replymod.call", "", "SET", "k2", "v"}, "+OK\r\n"},
		{[]string{"SET", "k3", "v"}, "-OOM command not allowed when used memory > 'maxmemory'.\r\n"},
	} {
		if got := c.Do(st.args...); got != st.want {
			t.Errorf("maxmemory: %q\n got %q\nwant %q", st.args, got, st.want)
		}
	}
	c.Do("CONFIG", "SET", "maxmemory", "0")
	s.mustAlive()
}

// TestModCallPropagation: only a Call with "!" (and without "A") reaches
// the AOF; after a restart the dataset is what the AOF replays.
func TestModCallPropagation(t *testing.T) {
	dir := t.TempDir()
	conf := aofConf(t, dir, "always")
	s := startServer(t, "--config", conf, "--loadmodule", plugin("replymod"))
	c := s.Dial()
	for _, st := range [][]string{
		{"replymod.call", "", "SET", "plain", "1"},
		{"replymod.call", "!", "SET", "bang", "2"},
		{"replymod.call", "!A", "SET", "noaof", "3"},
		{"replymod.call", "!R", "SET", "noreplicas", "4"},
		{"replymod.call", "E!", "SET", "bang2", "5"},
	} {
		if got := c.Do(st...); got != "+OK\r\n" {
			t.Fatalf("%q = %q", st, got)
		}
	}
	aof := readAOFIncr(t, dir)
	for key, want := range map[string]bool{"plain": false, "bang": true, "noaof": false, "noreplicas": true, "bang2": true} {
		if got := strings.Contains(aof, "$3\r\nSET\r\n$"+itoa(len(key))+"\r\n"+key+"\r\n"); got != want {
			t.Errorf("SET %s in the AOF: %v, want %v\nAOF: %q", key, got, want, aof)
		}
	}
	if strings.Contains(strings.ToLower(aof), "replymod.call") {
		t.Errorf("the module command itself was propagated: %q", aof)
	}
	// Restart on the same directory: the AOF replays.
	s.cmd.Process.Kill()
	<-s.done
	s2 := startServer(t, "--config", conf, "--loadmodule", plugin("replymod"))
	c2 := s2.Dial()
	for key, want := range map[string]string{"plain": "$-1\r\n", "bang": "$1\r\n2\r\n", "noaof": "$-1\r\n", "noreplicas": "$1\r\n4\r\n", "bang2": "$1\r\n5\r\n"} {
		if got := c2.Do("GET", key); got != want {
			t.Errorf("after restart GET %s = %q, want %q", key, got, want)
		}
	}
}

// readAOFIncr returns the contents of the AOF's incremental files.
func readAOFIncr(t *testing.T, dir string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "appendonlydir", "*.incr.aof"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no incremental AOF file in %s (%v)", dir, err)
	}
	var b strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return b.String()
}

// TestModArgsHelper: sdk.Args through the real .so: a missing argument is
// the wrong-arity error, bad numbers Redis's texts, leftovers a syntax
// error.
func TestModArgsHelper(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("replymod"))
	c := s.Dial()
	arity := "-ERR wrong number of arguments for 'replymod.args' command\r\n"
	for _, st := range []struct {
		args []string
		want string
	}{
		{[]string{"replymod.args"}, arity},
		{[]string{"REPLYMOD.ARGS", "k"}, arity},
		{[]string{"replymod.args", "k", "5", "EX"}, arity},
		{[]string{"replymod.args", "k", "x"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"replymod.args", "k", "5", "ex", "1.5"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"replymod.args", "k", "5", "F", "abc"}, "-ERR value is not a valid float\r\n"},
		{[]string{"replymod.args", "k", "5", "U", "-1"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"replymod.args", "k", "5", "XX"}, "-ERR syntax error\r\n"},
		{[]string{"replymod.args", "k", "5"}, bulk("key=k n=5 nx=false ex=-1 f=0 u=0")},
		{[]string{"replymod.args", "k", "-7", "nx", "Ex", "10", "f", "2.5", "u", "18446744073709551615"},
			bulk("key=k n=-7 nx=true ex=10 f=2.5 u=18446744073709551615")},
	} {
		if got := c.Do(st.args...); got != st.want {
			t.Errorf("%q\n got %q\nwant %q", st.args, got, st.want)
		}
	}
}
