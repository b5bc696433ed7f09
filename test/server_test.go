package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestGoRedisDefaults: go-redis v9 with its defaults sends HELLO 3 and
// CLIENT SETINFO, and gets real RESP3 replies.
func TestGoRedisDefaults(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("testmod"))
	rdb := s.Client()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	rdb.HSet(ctx, "h", "a", "1", "b", "2")
	m, err := rdb.HGetAll(ctx, "h").Result()
	if err != nil || len(m) != 2 || m["a"] != "1" || m["b"] != "2" {
		t.Fatalf("HGETALL = %v, %v", m, err)
	}
	// A RESP3 double comes back as a float64.
	v, err := rdb.Do(ctx, "testmod.reply", "double").Result()
	if f, ok := v.(float64); err != nil || !ok || f != 3.5 {
		t.Fatalf("RESP3 double = %#v, %v", v, err)
	}
	list := s.CLI("CLIENT", "LIST")
	if !strings.Contains(list, "lib-name=go-redis") || !strings.Contains(list, "resp=3") {
		t.Fatalf("CLIENT LIST does not show go-redis's SETINFO and HELLO 3:\n%s", list)
	}
	// RESP2 client too.
	r2 := s.Client2()
	if m, err := r2.HGetAll(ctx, "h").Result(); err != nil || len(m) != 2 {
		t.Fatalf("RESP2 HGETALL = %v, %v", m, err)
	}
}

// TestProtocolAndErrors: exact replies on the wire, Redis's error texts.
func TestProtocolAndErrors(t *testing.T) {
	s := startServer(t)
	c := s.Dial()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"PING"}, "+PONG\r\n"},
		{[]string{"ping", "hi"}, "$2\r\nhi\r\n"},
		{[]string{"ECHO", "x"}, "$1\r\nx\r\n"},
		{[]string{"NOSUCH", "a", "b"}, "-ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' \r\n"},
		{[]string{"NOSUCH"}, "-ERR unknown command 'NOSUCH', with args beginning with: \r\n"},
		{[]string{"GET"}, "-ERR wrong number of arguments for 'get' command\r\n"},
		{[]string{"CONFIG", "NOPE"}, "-ERR unknown subcommand 'NOPE'. Try CONFIG HELP.\r\n"},
		{[]string{"CONFIG", "GET"}, "-ERR wrong number of arguments for 'config|get' command\r\n"},
		{[]string{"SELECT", "16"}, "-ERR DB index is out of range\r\n"},
		{[]string{"SELECT", "x"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"HELLO", "4"}, "-NOPROTO unsupported protocol version\r\n"},
		{[]string{"SET", "s", "v"}, "+OK\r\n"},
		{[]string{"HGET", "s", "f"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{[]string{"SELECT", "1"}, "+OK\r\n"},
		{[]string{"DBSIZE"}, ":0\r\n"},
		{[]string{"SELECT", "0"}, "+OK\r\n"},
		{[]string{"DBSIZE"}, ":1\r\n"},
		{[]string{"CONFIG", "GET", "port*"}, "*2\r\n$4\r\nport\r\n$" + itoa(len(itoa(s.Port))) + "\r\n" + itoa(s.Port) + "\r\n"},
		{[]string{"CONFIG", "GET", "enable-module-command"}, "*2\r\n$21\r\nenable-module-command\r\n$5\r\nlocal\r\n"},
		{[]string{"CONFIG", "SET", "hz", "20"}, "+OK\r\n"},
		{[]string{"CONFIG", "GET", "hz"}, "*2\r\n$2\r\nhz\r\n$2\r\n20\r\n"},
		{[]string{"CONFIG", "SET", "hz", "x"}, "-ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer\r\n"},
		{[]string{"CONFIG", "SET", "port", "1"}, "-ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config\r\n"},
		{[]string{"CONFIG", "SET", "nope", "1"}, "-ERR Unknown option or number of arguments for CONFIG SET - 'nope'\r\n"},
		{[]string{"CLIENT", "SETNAME", "my conn"}, "-ERR Client names cannot contain spaces, newlines or special characters.\r\n"},
		{[]string{"CLIENT", "SETNAME", "tester"}, "+OK\r\n"},
		{[]string{"CLIENT", "GETNAME"}, "$6\r\ntester\r\n"},
		{[]string{"FLUSHALL"}, "+OK\r\n"},
		{[]string{"DBSIZE"}, ":0\r\n"},
	}
	for _, tc := range cases {
		if got := c.Do(tc.args...); got != tc.want {
			t.Errorf("%v\n got %q\nwant %q", tc.args, got, tc.want)
		}
	}
	// Pipelined commands all get their replies, in order.
	raw := "PING\r\nECHO a\r\nGET nokey\r\n"
	c.c.Write([]byte(raw))
	for _, want := range []string{"+PONG\r\n", "$1\r\na\r\n", "$-1\r\n"} {
		var sb strings.Builder
		if err := readReply(c.rd, &sb); err != nil || sb.String() != want {
			t.Fatalf("pipelined reply %q, %v; want %q", sb.String(), err, want)
		}
	}
	if got := c.Do("QUIT"); got != "+OK\r\n" {
		t.Fatalf("QUIT = %q", got)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestExpiry: keys vanish on access and through the active expire cycle.
func TestExpiry(t *testing.T) {
	s := startServer(t)
	rdb := s.Client()
	if err := rdb.Set(ctx, "short", "v", 100*time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	if ttl := rdb.PTTL(ctx, "short").Val(); ttl <= 0 || ttl > 100*time.Millisecond {
		t.Fatalf("PTTL = %v", ttl)
	}
	time.Sleep(150 * time.Millisecond)
	if n, err := rdb.Exists(ctx, "short").Result(); err != nil || n != 0 {
		t.Fatalf("expired key still exists: %d %v", n, err)
	}
	// Never touched again: only the active cycle can remove these.
	for i := 0; i < 200; i++ {
		rdb.Set(ctx, "k"+itoa(i), "v", 50*time.Millisecond)
	}
	rdb.Set(ctx, "forever", "v", 0)
	deadline := time.Now().Add(5 * time.Second)
	for {
		info := rdb.Info(ctx, "keyspace").Val()
		if strings.Contains(info, "db0:keys=1,expires=0") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("active expiry did not remove the keys:\n%s", info)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(rdb.Info(ctx, "stats").Val(), "expired_keys:201") {
		t.Fatalf("expired_keys: %s", rdb.Info(ctx, "stats").Val())
	}
}

// TestCommandIntrospection: COMMAND answers from the one table; module
// commands carry the module flag and their key positions.
func TestCommandIntrospection(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("example"), "--loadmodule", plugin("testmod"))
	c := s.Dial()
	info := c.Do("COMMAND", "INFO", "example.hgetset")
	want := "*1\r\n*10\r\n$15\r\nexample.hgetset\r\n:4\r\n*2\r\n+write\r\n+module\r\n:1\r\n:1\r\n:1\r\n"
	if !strings.HasPrefix(info, want) {
		t.Fatalf("COMMAND INFO example.hgetset\n got %q\nwant prefix %q", info, want)
	}
	if got := c.Do("COMMAND", "INFO", "get", "nosuch"); !strings.HasPrefix(got, "*2\r\n*10\r\n$3\r\nget\r\n:2\r\n") || !strings.HasSuffix(got, "$-1\r\n") {
		t.Fatalf("COMMAND INFO get nosuch = %q", got)
	}
	if got := c.Do("COMMAND", "GETKEYS", "testmod.keys", "a", "1", "b", "2"); got != "*2\r\n$1\r\na\r\n$1\r\nb\r\n" {
		t.Fatalf("COMMAND GETKEYS = %q", got)
	}
	docs := c.Do("COMMAND", "DOCS", "example.hgetset")
	if !strings.Contains(docs, "$6\r\nmodule\r\n$7\r\nexample\r\n") {
		t.Fatalf("COMMAND DOCS = %q", docs)
	}
	if got := c.Do("COMMAND", "LIST", "FILTERBY", "MODULE", "example"); got != "*1\r\n$15\r\nexample.hgetset\r\n" {
		t.Fatalf("COMMAND LIST FILTERBY MODULE = %q", got)
	}
	count := c.Do("COMMAND", "COUNT")
	all := c.Do("COMMAND")
	if !strings.HasPrefix(all, "*"+strings.TrimPrefix(strings.TrimSpace(count), ":")+"\r\n") {
		t.Fatalf("COMMAND COUNT %q does not match COMMAND's length %q", count, all[:10])
	}
	// INFO modules and the other sections.
	infoAll := c.Do("INFO")
	for _, w := range []string{"# Server", "redis_version:", "# Clients", "connected_clients:", "# Memory", "used_memory:",
		"# Stats", "total_commands_processed:", "# Modules", "module:name=example,ver=1", "module:name=testmod,ver=1", "# Keyspace"} {
		if !strings.Contains(infoAll, w) {
			t.Errorf("INFO lacks %q", w)
		}
	}
}

// TestConfigFile: a redis.conf-style file sets the server up; an unknown
// directive stops it with the file and line.
func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.conf")
	os.WriteFile(good, []byte("# modis\nport 0\nbind 127.0.0.1\nloglevel verbose\nenable-module-command yes\nloadmodule "+plugin("example")+" a b\n"), 0o644)
	s := startServer(t, "--config", good)
	if got := s.Raw("CONFIG", "GET", "enable-module-command"); got != "*2\r\n$21\r\nenable-module-command\r\n$3\r\nyes\r\n" {
		t.Fatalf("config file not applied: %q", got)
	}
	if got := s.Raw("MODULE", "LIST"); !strings.Contains(got, "$1\r\na\r\n$1\r\nb\r\n") {
		t.Fatalf("loadmodule args from the config file: %q", got)
	}
	bad := filepath.Join(dir, "bad.conf")
	os.WriteFile(bad, []byte("port 0\n\nfrobnicate yes\n"), 0o644)
	out, err := exec.Command(filepath.Join(outDir, "server"), "--config", bad).CombinedOutput()
	if err == nil || !strings.Contains(string(out), bad+":3: unknown directive \"frobnicate\"") {
		t.Fatalf("bad config: %v\n%s", err, out)
	}
}

// TestConfigFlags: every configuration parameter is also a flag, as
// redis-server takes them (--save "" --hz 20), and a bad one stops the
// server with a message naming it.
func TestConfigFlags(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, "--hz", "20", "--save", "900", "1", "300", "10", "--dir", dir, "--appendonly=no")
	for param, want := range map[string]string{"hz": "20", "save": "900 1 300 10", "dir": dir, "appendonly": "no"} {
		if got := s.Raw("CONFIG", "GET", param); !strings.Contains(got, "\r\n"+want+"\r\n") {
			t.Errorf("--%s: CONFIG GET %s = %q, want %q", param, param, got, want)
		}
	}
	s2 := startServer(t, "--save", "")
	if got := s2.Raw("CONFIG", "GET", "save"); got != "*2\r\n$4\r\nsave\r\n$0\r\n\r\n" {
		t.Errorf(`--save "": %q`, got)
	}
	// A multi-argument parameter's single value is split, as Redis does.
	s3 := startServer(t, "--save", "3600 1 60 100")
	if got := s3.Raw("CONFIG", "GET", "save"); got != "*2\r\n$4\r\nsave\r\n$13\r\n3600 1 60 100\r\n" {
		t.Errorf(`--save "3600 1 60 100": %q`, got)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--frobnicate", "yes"}, `--frobnicate: unknown directive "frobnicate"`},
		{[]string{"--hz"}, "--hz: wrong number of arguments"},
		{[]string{"--hz", "fast"}, "--hz"},
		{[]string{"--no-such-flag=1"}, `unknown directive "no-such-flag"`},
	} {
		out, err := exec.Command(filepath.Join(outDir, "server"), append([]string{"--port", "0"}, tc.args...)...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "*** FATAL CONFIG ERROR *** ") || !strings.Contains(string(out), tc.want) {
			t.Errorf("%v: err %v, output %q, want it to name %q", tc.args, err, out, tc.want)
		}
	}
}

// TestHelloOptions: HELLO with AUTH and SETNAME, and AUTH itself, as Redis
// without a password configured answers them.
func TestHelloOptions(t *testing.T) {
	s := startServer(t)
	c := s.Dial()
	got := c.Do("HELLO", "3", "AUTH", "default", "anything", "SETNAME", "hello-client")
	if !strings.HasPrefix(got, "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n") || !strings.Contains(got, "$5\r\nproto\r\n:3\r\n") {
		t.Fatalf("HELLO 3 AUTH SETNAME = %q", got)
	}
	if got := c.Do("CLIENT", "GETNAME"); got != "$12\r\nhello-client\r\n" {
		t.Fatalf("name after HELLO SETNAME = %q", got)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"HELLO", "3", "AUTH", "bob", "pw"}, "-WRONGPASS invalid username-password pair or user is disabled.\r\n"},
		{[]string{"HELLO", "3", "SETNAME", "a b"}, "-ERR Client names cannot contain spaces, newlines or special characters.\r\n"},
		{[]string{"HELLO", "3", "BOGUS"}, "-ERR Syntax error in HELLO option 'BOGUS'\r\n"},
		{[]string{"HELLO", "x"}, "-ERR Protocol version is not an integer or out of range\r\n"},
		{[]string{"AUTH", "pw"}, "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n"},
		{[]string{"AUTH", "default", "pw"}, "+OK\r\n"},
		{[]string{"CLIENT", "SETINFO", "LIB-NAME", "mylib"}, "+OK\r\n"},
		{[]string{"CLIENT", "SETINFO", "BOGUS", "x"}, "-ERR Unrecognized option 'BOGUS'\r\n"},
	}
	for _, tc := range cases {
		if got := c.Do(tc.args...); got != tc.want {
			t.Errorf("%v\n got %q\nwant %q", tc.args, got, tc.want)
		}
	}
	// HELLO 2 goes back to RESP2.
	if got := c.Do("HELLO", "2"); !strings.HasPrefix(got, "*14\r\n") {
		t.Fatalf("HELLO 2 = %q", got)
	}
	if got := c.Do("CLIENT", "INFO"); !strings.Contains(got, "name=hello-client") || !strings.Contains(got, "lib-name=mylib") || !strings.Contains(got, "resp=2") {
		t.Fatalf("CLIENT INFO = %q", got)
	}
}

// TestEnableModuleCommand: enable-module-command no refuses MODULE LOAD and
// UNLOAD (local is the default and allows loopback clients, as the other
// tests show).
func TestEnableModuleCommand(t *testing.T) {
	s := startServer(t, "--enable-module-command", "no", "--loadmodule", plugin("example"))
	want := "-ERR MODULE command not allowed. If the enable-module-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n"
	if got := s.Raw("MODULE", "LOAD", plugin("testmod")); got != want {
		t.Fatalf("MODULE LOAD with enable-module-command no = %q", got)
	}
	if got := s.Raw("MODULE", "UNLOAD", "example"); got != want {
		t.Fatalf("MODULE UNLOAD with enable-module-command no = %q", got)
	}
	if got := s.Raw("MODULE", "LIST"); !strings.Contains(got, "example") {
		t.Fatalf("MODULE LIST is still allowed: %q", got)
	}
}

// TestAtomicity: concurrent clients running INCR and a module command that
// does a read-modify-write through two Calls never lose an update.
func TestAtomicity(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("example"), "--loadmodule", plugin("testmod"))
	const clients, rounds = 8, 200
	done := make(chan error, clients)
	for i := 0; i < clients; i++ {
		go func() {
			rdb := s.Client()
			for j := 0; j < rounds; j++ {
				if err := rdb.Incr(ctx, "counter").Err(); err != nil {
					done <- err
					return
				}
				// GET then SET through Call, inside one module command.
				if err := rdb.Do(ctx, "testmod.call", "INCRBY", "counter2", "2").Err(); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for i := 0; i < clients; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	rdb := s.Client()
	if n, _ := rdb.Get(ctx, "counter").Int(); n != clients*rounds {
		t.Fatalf("counter = %d, want %d", n, clients*rounds)
	}
	if n, _ := rdb.Get(ctx, "counter2").Int(); n != 2*clients*rounds {
		t.Fatalf("counter2 = %d, want %d", n, 2*clients*rounds)
	}
}

// TestJSONLogs: --log-format json writes one JSON object per line.
func TestJSONLogs(t *testing.T) {
	s := startServer(t, "--log-format", "json", "--loadmodule", plugin("example"))
	// startServer found the ready line; every line must be JSON.
	for _, line := range strings.Split(strings.TrimSpace(s.Log()), "\n") {
		if !strings.HasPrefix(line, "{") || !strings.Contains(line, `"@message"`) {
			t.Fatalf("not a JSON log line: %q", line)
		}
	}
}
