package test

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// The events family of the module API, through the real eventmod and
// eventmodb plugins (test/testdata/plugins/eventmod*): keyspace
// notifications, post-notification jobs, server events, INFO sections,
// GetServerInfo, command filters, the shared API, client information and
// module users.

// evLog returns a log command's lines (eventmod.kslog, eventmod.srvlog,
// ...) from a RESP2 array of bulk strings, resetting the log.
func evLog(t *testing.T, c *Conn, cmd string) []string {
	t.Helper()
	raw := c.Do(cmd, "RESET")
	if !strings.HasPrefix(raw, "*") {
		t.Fatalf("%s = %q", cmd, raw)
	}
	var out []string
	lines := strings.Split(raw, "\r\n")
	for i := 1; i+1 < len(lines); i += 2 {
		out = append(out, lines[i+1])
	}
	return out
}

// evHasInOrder fails unless every wanted line is in got, in this order.
func evHasInOrder(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	if i < len(want) {
		t.Fatalf("%s: %q lacks %q (in this order: %q)", what, got, want[i], want)
	}
}

func evCount(got []string, line string) int {
	n := 0
	for _, g := range got {
		if g == line {
			n++
		}
	}
	return n
}

// TestModEventsKeyspace: a module's keyspace subscription sees every class
// it asked for whatever notify-keyspace-events says, not the events its own
// callback causes; post-notification jobs write after the command;
// NotifyKeyspaceEvent reaches pub/sub and modules; a panicking callback is
// recovered.
func TestModEventsKeyspace(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("eventmod"))
	c := s.Dial()
	evLog(t, c, "eventmod.kslog")

	// Class bits: generic 4, string 8, expired 256, keymiss 2048,
	// module 8192, new 16384.
	c.Do("SET", "foo", "bar")
	c.Do("GET", "missing")
	c.Do("DEL", "foo")
	c.Do("SET", "e", "v", "PX", "1")
	time.Sleep(20 * time.Millisecond)
	c.Do("GET", "e")
	evHasInOrder(t, "keyspace log", evLog(t, c, "eventmod.kslog"),
		"16384:new:foo", "8:set:foo", "2048:keymiss:missing", "4:del:foo",
		"16384:new:e", "8:set:e", "256:expired:e", "2048:keymiss:e")

	// The callback's own write does not come back to it.
	c.Do("SET", "selfset", "x")
	if got := c.Do("GET", "selfset"); got != "$5\r\nagain\r\n" {
		t.Fatalf("the callback's SET did not run: GET selfset = %q", got)
	}
	if n := evCount(evLog(t, c, "eventmod.kslog"), "8:set:selfset"); n != 1 {
		t.Fatalf("set:selfset seen %d times, want 1 (no re-entrance)", n)
	}

	// A post-notification job writes after the command.
	c.Do("SET", "job:a", "1")
	if got := c.Do("GET", "jobs:job:a"); got != "$1\r\n1\r\n" {
		t.Fatalf("post-notification job: GET jobs:job:a = %q", got)
	}
	evHasInOrder(t, "job log", evLog(t, c, "eventmod.kslog"), "8:set:job:a", "8:incrby:jobs:job:a")
	// In a transaction the job runs after EXEC.
	c.Do("MULTI")
	c.Do("SET", "job:b", "1")
	c.Do("GET", "jobs:job:b")
	if got := c.Do("EXEC"); got != "*2\r\n+OK\r\n$-1\r\n" {
		t.Fatalf("EXEC = %q (the job must wait for the end of the transaction)", got)
	}
	if got := c.Do("GET", "jobs:job:b"); got != "$1\r\n1\r\n" {
		t.Fatalf("job after EXEC: %q", got)
	}

	// NotifyKeyspaceEvent: to modules always, to pub/sub when enabled.
	sub := s.Dial()
	if got := sub.Do("SUBSCRIBE", "__keyevent@0__:myevent"); !strings.Contains(got, "subscribe") {
		t.Fatalf("SUBSCRIBE = %q", got)
	}
	if got := c.Do("CONFIG", "SET", "notify-keyspace-events", "Ed"); got != "+OK\r\n" {
		t.Fatalf("CONFIG SET = %q", got)
	}
	if got := c.Do("eventmod.notify", "module", "myevent", "k1"); got != "+OK\r\n" {
		t.Fatalf("eventmod.notify = %q", got)
	}
	var msg strings.Builder
	sub.c.SetDeadline(time.Now().Add(5 * time.Second))
	if err := readReply(sub.rd, &msg); err != nil || !strings.Contains(msg.String(), "__keyevent@0__:myevent\r\n$2\r\nk1\r\n") {
		t.Fatalf("pub/sub message for a module event: %q, %v", msg.String(), err)
	}
	evHasInOrder(t, "module event", evLog(t, c, "eventmod.kslog"), "8192:myevent:k1")

	// PublishMessage: one subscriber of __keyevent@0__:myevent.
	if got := c.Do("eventmod.publish", "__keyevent@0__:myevent", "hello"); got != ":1\r\n" {
		t.Fatalf("eventmod.publish = %q", got)
	}
	msg.Reset()
	if err := readReply(sub.rd, &msg); err != nil || !strings.Contains(msg.String(), "$5\r\nhello\r\n") {
		t.Fatalf("PublishMessage's message: %q, %v", msg.String(), err)
	}
	if got := c.Do("eventmod.publish", "nobody", "x", "shard"); got != ":0\r\n" {
		t.Fatalf("eventmod.publish shard = %q", got)
	}

	// GetNotifyKeyspaceEvents: E|module = 2|8192; every class = 32764.
	if got := c.Do("eventmod.nke"); got != "*2\r\n:8194\r\n:32764\r\n" {
		t.Fatalf("eventmod.nke = %q", got)
	}
	c.Do("CONFIG", "SET", "notify-keyspace-events", "KEA")
	if got := c.Do("eventmod.nke"); got != "*2\r\n:10239\r\n:32764\r\n" {
		t.Fatalf("eventmod.nke with KEA = %q", got)
	}

	// A panicking subscriber: the command still succeeds.
	if got := c.Do("SET", "panic:ks", "1"); got != "+OK\r\n" {
		t.Fatalf("SET with a panicking subscriber = %q", got)
	}
	s.mustAlive()
	if !s.waitLog("module callback panicked", "eventmod keyspace callback panics") {
		t.Fatalf("no panic in the log:\n%s", s.Log())
	}
}

// TestModEventsServer: the server events with their data.
func TestModEventsServer(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("eventmod"), "--config", writeConf(t, "hz 50\n"))
	c := s.Dial()
	evLog(t, c, "eventmod.srvlog")

	c.Do("SET", "k", "v")
	c.Do("FLUSHDB")
	c.Do("SELECT", "2")
	c.Do("FLUSHALL")
	c.Do("SELECT", "0")
	c.Do("SWAPDB", "0", "1")
	c.Do("CONFIG", "SET", "maxmemory-samples", "7", "HZ", "50")
	c.Do("SET", "gone", "1")
	c.Do("DEL", "gone")
	c.Do("SET", "short", "1", "PX", "1")
	time.Sleep(20 * time.Millisecond)
	c.Do("GET", "short")
	if got := c.Do("SET", "panic:key", "1"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	if got := c.Do("DEL", "panic:key"); got != ":1\r\n" {
		t.Fatalf("DEL with a panicking Key subscriber = %q", got)
	}
	c.Do("SAVE")
	log := evLog(t, c, "eventmod.srvlog")
	evHasInOrder(t, "server events", log,
		"flushdb:0:db=0,sync=true", "flushdb:1:db=0,sync=true",
		"flushdb:0:db=-1,sync=true", "flushdb:1:db=-1,sync=true",
		"swapdb:0:0,1",
		"config:0:maxmemory-samples,hz",
		"key:0:db=0,key=gone",
		"key:1:db=0,key=short",
		"key:0:db=0,key=panic:key",
		"persistence:2:-", "persistence:3:-")

	// BGSAVE: RDB_START, then ENDED when the saver finishes.
	c.Do("BGSAVE")
	waitFor(t, func() bool { return strings.Contains(c.Do("INFO", "persistence"), "rdb_bgsave_in_progress:0") })
	evHasInOrder(t, "bgsave events", evLog(t, c, "eventmod.srvlog"), "persistence:0:-", "persistence:3:-")

	// BGREWRITEAOF: AOF_START, then ENDED when the rewrite finishes.
	c.Do("BGREWRITEAOF")
	waitFor(t, func() bool { return strings.Contains(c.Do("INFO", "persistence"), "aof_rewrite_in_progress:0") })
	evHasInOrder(t, "rewrite events", evLog(t, c, "eventmod.srvlog"), "persistence:1:-", "persistence:3:-")

	// ClientChange, with the client's ID.
	other := s.Dial()
	id := strings.TrimSpace(strings.TrimPrefix(other.Do("CLIENT", "ID"), ":"))
	other.c.Close()
	waitFor(t, func() bool {
		return evCount(evLog(t, c, "eventmod.srvlog"), "clientchange:1:id="+id) == 1
	})

	// ModuleChange: loads and unloads of another module.
	if got := c.Do("MODULE", "LOAD", plugin("eventmodb")); got != "+OK\r\n" {
		t.Fatalf("MODULE LOAD eventmodb = %q", got)
	}
	if got := c.Do("eventmodb.modlog"); got != "*1\r\n$11\r\n0:eventmodb\r\n" {
		t.Fatalf("the loaded module sees its own load: %q", got)
	}
	c.Do("MODULE", "UNLOAD", "eventmodb")
	evHasInOrder(t, "module change", evLog(t, c, "eventmod.srvlog"), "modulechange:0:eventmodb/1", "modulechange:1:eventmodb/1")

	// CronLoop fires hz times a second.
	time.Sleep(300 * time.Millisecond)
	if got := c.Do("eventmod.counts"); !strings.HasPrefix(got, "*2\r\n:") || strings.HasPrefix(got, "*2\r\n:0\r\n") {
		t.Fatalf("no CronLoop events: %q", got)
	}

	// IsSubEventSupported.
	for _, tc := range []struct{ ev, sub, want string }{
		{"2", "1", ":1\r\n"}, {"2", "2", ":0\r\n"}, {"17", "3", ":1\r\n"}, {"1", "5", ":1\r\n"},
		{"99", "0", ":0\r\n"}, {"12", "0", ":0\r\n"},
	} {
		if got := c.Do("eventmod.subevent", tc.ev, tc.sub); got != tc.want {
			t.Errorf("IsSubEventSupported(%s, %s) = %q, want %q", tc.ev, tc.sub, got, tc.want)
		}
	}
	if !s.waitLog("eventmod key event callback panics") {
		t.Fatalf("the Key event panic is not in the log")
	}

	// Shutdown.
	evSendOnly(c, "SHUTDOWN", "NOSAVE")
	if !s.waitLog("eventmod: shutdown event") {
		t.Fatalf("no Shutdown event in the log:\n%s", s.Log())
	}
}

// TestModEventsLoading: Loading, LoadingProgress and the "loaded" keyspace
// event when a restart loads dump.rdb, and Loading for the AOF.
func TestModEventsLoading(t *testing.T) {
	dir := t.TempDir()
	conf := writeConf(t, "dir "+dir+"\n")
	s1 := startServer(t, "--config", conf)
	c1 := s1.Dial()
	if got := c1.Do("DEBUG", "POPULATE", "3000", "key"); got != "+OK\r\n" {
		t.Fatalf("DEBUG POPULATE = %q", got)
	}
	c1.Do("SET", "mykey", "v")
	if got := c1.Do("SAVE"); got != "+OK\r\n" {
		t.Fatalf("SAVE = %q", got)
	}
	evSendOnly(c1, "SHUTDOWN", "NOSAVE")
	<-s1.done

	s2 := startServer(t, "--config", conf, "--loadmodule", plugin("eventmod"))
	c := s2.Dial()
	evHasInOrder(t, "loading events", evLog(t, c, "eventmod.srvlog"), "loading:0:-", "loading:3:-")
	ks := evLog(t, c, "eventmod.kslog")
	if evCount(ks, "4096:loaded:mykey") != 1 {
		t.Fatalf("no loaded event for mykey in %d events", len(ks))
	}
	if got := c.Do("eventmod.counts"); strings.HasSuffix(got, ":0\r\n") {
		t.Fatalf("no LoadingProgress event for 3001 keys: %q", got)
	}
	if got := c.Do("DEBUG", "RELOAD"); got != "+OK\r\n" {
		t.Fatalf("DEBUG RELOAD = %q", got)
	}
	evHasInOrder(t, "DEBUG RELOAD events", evLog(t, c, "eventmod.srvlog"),
		"persistence:2:-", "persistence:3:-", "flushdb:0:db=-1,sync=true", "flushdb:1:db=-1,sync=true",
		"loading:0:-", "loading:3:-")

	adir := t.TempDir()
	aconf := writeConf(t, "dir "+adir+"\nappendonly yes\n")
	s3 := startServer(t, "--config", aconf)
	s3.Dial().Do("SET", "a", "1")
	evSendOnly(s3.Dial(), "SHUTDOWN", "NOSAVE")
	<-s3.done
	s4 := startServer(t, "--config", aconf, "--loadmodule", plugin("eventmod"))
	evHasInOrder(t, "AOF loading events", evLog(t, s4.Dial(), "eventmod.srvlog"), "loading:1:-", "loading:3:-")
}

// TestModEventsInfo: the module's INFO sections appear where Redis 7.0
// shows them, and GetServerInfo reads INFO's fields.
func TestModEventsInfo(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("eventmod"))
	c := s.Dial()
	stats := "# eventmod_stats\r\neventmod_keyspace_events:"
	rest := "eventmod_big:18446744073709551615\r\neventmod_ratio:0.5\r\neventmod_owner:tests\r\neventmod_dict:a=1,b=two\r\n"
	conf := "# eventmod_conf\r\neventmod_mode:test\r\neventmod_open:x=9\r\n"
	// options: what eventmod set with SetModuleOptions, as Redis renders it.
	line := "module:name=eventmod,ver=3,api=1,filters=1,usedby=[],using=[],options=[handle-io-errors|handle-repl-async-load]\r\n"
	for _, tc := range []struct {
		args         []string
		want, absent []string
	}{
		{[]string{"INFO", "modules"}, []string{"# Modules\r\n" + line, stats, rest, conf}, []string{"# Server"}},
		{[]string{"INFO", "everything"}, []string{"# Server", line, stats, conf}, nil},
		{[]string{"INFO"}, []string{"# Server", line}, []string{stats, conf}},
		{[]string{"INFO", "all"}, []string{"# Commandstats", line}, []string{stats, conf}},
		{[]string{"INFO", "module_list"}, []string{"# Modules\r\n" + line}, []string{stats, conf, "# Server"}},
		{[]string{"INFO", "eventmod"}, []string{stats, rest, conf}, []string{"# Server", "# Modules"}},
		{[]string{"INFO", "eventmod_conf"}, []string{conf}, []string{stats, "# Modules"}},
		{[]string{"INFO", "server", "EVENTMOD_STATS"}, []string{"# Server", stats}, []string{conf}},
	} {
		got := c.Do(tc.args...)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%v lacks %q:\n%s", tc.args, w, got)
			}
		}
		for _, a := range tc.absent {
			if strings.Contains(got, a) {
				t.Errorf("%v has %q:\n%s", tc.args, a, got)
			}
		}
	}
	if got := c.Do("INFO", "eventmod"); !strings.HasPrefix(got, "$") || !strings.Contains(got, "\r\n# eventmod_stats") {
		t.Fatalf("INFO eventmod = %q", got)
	}

	// GetServerInfo: a string field, a number, a module's own field.
	for _, tc := range []struct{ section, field, want string }{
		{"server", "redis_version", "*4\r\n$6\r\n7.0.15\r\n$43\r\nERR value is not an integer or out of range\r\n$30\r\nERR value is not a valid float\r\n:"},
		{"clients", "maxclients", "*4\r\n$5\r\n10000\r\n:10000\r\n$5\r\n10000\r\n:"},
		{"", "nope", "*4\r\n$-1\r\n$18\r\nno such INFO field\r\n"},
		{"eventmod", "eventmod_mode", "*4\r\n$4\r\ntest\r\n"},
	} {
		if got := c.Do("eventmod.serverinfo", tc.section, tc.field); !strings.HasPrefix(got, tc.want) {
			t.Errorf("GetServerInfo(%q).%s = %q, want prefix %q", tc.section, tc.field, got, tc.want)
		}
	}

	// A panicking INFO callback: INFO still answers.
	c.Do("eventmod.infopanic", "on")
	if got := c.Do("INFO", "modules"); !strings.Contains(got, line) {
		t.Fatalf("INFO modules with a panicking callback = %q", got)
	}
	s.mustAlive()
	if !s.waitLog("eventmod INFO callback panics") {
		t.Fatal("the INFO panic is not in the log")
	}
}

// TestModEventsFilters: a command filter rewrites client, Lua, MULTI and
// other modules' commands, not its own module's Calls (NoSelf); a
// panicking filter is recovered; unregistering stops it.
func TestModEventsFilters(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("eventmod"), "--loadmodule", plugin("eventmodb"))
	c := s.Dial()
	id := strings.TrimSpace(strings.TrimPrefix(c.Do("CLIENT", "ID"), ":"))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"FILTERED.ECHO", "hi"}, "$11\r\nhi-filtered\r\n"},
		{[]string{"filter.del", "a", "b", "c"}, "$1\r\nc\r\n"},
		{[]string{"FILTER.INSERT", "x"}, "$1\r\nx\r\n"},
		{[]string{"FILTER.CLIENTID"}, "$" + itoa(len(id)) + "\r\n" + id + "\r\n"},
		{[]string{"EVAL", "return redis.call('filtered.echo','lua')", "0"}, "$12\r\nlua-filtered\r\n"},
		{[]string{"eventmodb.call", "filtered.echo", "b"}, "$10\r\nb-filtered\r\n"},
		{[]string{"eventmod.call", "filtered.echo", "self"}, "-ERR unknown command 'filtered.echo'"},
	} {
		if got := c.Do(tc.args...); !strings.HasPrefix(got, tc.want) {
			t.Errorf("%v = %q, want %q", tc.args, got, tc.want)
		}
	}
	c.Do("MULTI")
	if got := c.Do("FILTERED.ECHO", "m"); got != "+QUEUED\r\n" {
		t.Fatalf("queued = %q", got)
	}
	if got := c.Do("EXEC"); got != "*1\r\n$10\r\nm-filtered\r\n" {
		t.Fatalf("EXEC = %q", got)
	}
	if got := c.Do("FILTER.PANIC"); !strings.HasPrefix(got, "-ERR unknown command 'FILTER.PANIC'") {
		t.Fatalf("a panicking filter = %q", got)
	}
	s.mustAlive()
	if got := c.Do("eventmod.unfilter"); got != "+OK\r\n" {
		t.Fatalf("eventmod.unfilter = %q", got)
	}
	if got := c.Do("FILTERED.ECHO", "hi"); !strings.HasPrefix(got, "-ERR unknown command 'FILTERED.ECHO'") {
		t.Fatalf("after unregister = %q", got)
	}
	if got := c.Do("INFO", "modules"); !strings.Contains(got, "module:name=eventmod,ver=3,api=1,filters=0,") {
		t.Fatalf("INFO modules after unregister:\n%s", got)
	}
	if !s.waitLog("eventmod filter panics") {
		t.Fatal("the filter panic is not in the log")
	}
}

// TestModEventsSharedAPI: one module uses another's exported API; INFO
// shows who uses whom; the exporter cannot be unloaded while used.
func TestModEventsSharedAPI(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("eventmod"), "--loadmodule", plugin("eventmodb"))
	c := s.Dial()
	if got := c.Do("eventmodb.duperr"); !strings.Contains(got, `"eventmod.add": already exported by module "eventmod"`) {
		t.Fatalf("exporting a taken name: %q", got)
	}
	if got := c.Do("INFO", "modules"); !strings.Contains(got, "filters=1,usedby=[],using=[]") {
		t.Fatalf("before any use:\n%s", got)
	}
	if got := c.Do("eventmodb.add", "2", "3"); got != ":5\r\n" {
		t.Fatalf("eventmodb.add 2 3 = %q", got)
	}
	if got := c.Do("eventmodb.greeting"); got != "$19\r\nhello from eventmod\r\n" {
		t.Fatalf("eventmodb.greeting = %q", got)
	}
	info := c.Do("INFO", "modules")
	for _, w := range []string{
		"module:name=eventmod,ver=3,api=1,filters=1,usedby=[eventmodb],using=[],options=[handle-io-errors|handle-repl-async-load]\r\n",
		"module:name=eventmodb,ver=1,api=1,filters=0,usedby=[],using=[eventmod],options=[]\r\n",
	} {
		if !strings.Contains(info, w) {
			t.Fatalf("INFO modules lacks %q:\n%s", w, info)
		}
	}
	if got := c.Do("MODULE", "UNLOAD", "eventmod"); got != "-ERR Error unloading module: the module exports APIs used by other modules. Please unload them first and try again\r\n" {
		t.Fatalf("unload of a used exporter = %q", got)
	}
	if got := c.Do("MODULE", "UNLOAD", "eventmodb"); got != "+OK\r\n" {
		t.Fatalf("unload eventmodb = %q", got)
	}
	if got := c.Do("INFO", "modules"); !strings.Contains(got, "usedby=[],using=[]") {
		t.Fatalf("after the user's unload:\n%s", got)
	}
	if got := c.Do("MODULE", "UNLOAD", "eventmod"); got != "+OK\r\n" {
		t.Fatalf("unload eventmod = %q", got)
	}
	// Its subscriptions, filters and INFO went with it.
	if got := c.Do("INFO", "everything"); strings.Contains(got, "eventmod") {
		t.Fatalf("INFO still shows eventmod:\n%s", got)
	}
	c.Do("SET", "x", "1")
	s.mustAlive()
}

// TestModEventsClientsACL: client information, module users and the
// dispatcher's checks of clients authenticated as them.
func TestModEventsClientsACL(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("eventmod"))
	c := s.Dial()
	id := strings.TrimSpace(strings.TrimPrefix(c.Do("CLIENT", "ID"), ":"))
	c.Do("CLIENT", "SETNAME", "alice")
	c.Do("SELECT", "3")
	got := c.Do("eventmod.client")
	for _, w := range []string{"*8\r\n:" + id + "\r\n$9\r\n127.0.0.1\r\n:", "\r\n:3\r\n:0\r\n$5\r\nalice\r\n$15\r\ndefault/default\r\n", "no client with ID 999999"} {
		if !strings.Contains(got, w) {
			t.Fatalf("eventmod.client = %q, lacks %q", got, w)
		}
	}
	c.Do("SELECT", "0")
	if got := c.Do("eventmod.setname", id, "bob"); got != "+OK\r\n" {
		t.Fatalf("setname = %q", got)
	}
	if got := c.Do("CLIENT", "GETNAME"); got != "$3\r\nbob\r\n" {
		t.Fatalf("CLIENT GETNAME = %q", got)
	}
	if got := c.Do("eventmod.setname", id, "b o b"); !strings.HasPrefix(got, "-ERR Client names cannot contain spaces") {
		t.Fatalf("invalid name = %q", got)
	}

	// A disabled user cannot authenticate.
	u := s.Dial()
	if got := u.Do("eventmod.auth", "~foo*"); !strings.Contains(got, "disabled") {
		t.Fatalf("auth as a disabled user = %q", got)
	}
	uid := strings.TrimSpace(strings.TrimPrefix(u.Do("CLIENT", "ID"), ":"))
	if got := u.Do("eventmod.auth", "on", "~foo*", "&ch*", "-@all", "+get", "+set", "+eventmod.client", "+@connection"); got != ":"+uid+"\r\n" {
		t.Fatalf("eventmod.auth = %q", got)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"SET", "foo1", "x"}, "+OK\r\n"},
		{[]string{"GET", "foo1"}, "$1\r\nx\r\n"},
		{[]string{"GET", "bar"}, "-NOPERM this user has no permissions to access one of the keys used as arguments\r\n"},
		{[]string{"DEL", "foo1"}, "-NOPERM this user has no permissions to run the 'del' command\r\n"},
		{[]string{"CONFIG", "GET", "hz"}, "-NOPERM this user has no permissions to run the 'config|get' command\r\n"},
		{[]string{"PING"}, "+PONG\r\n"},
	} {
		if got := u.Do(tc.args...); got != tc.want {
			t.Errorf("as modu: %v = %q, want %q", tc.args, got, tc.want)
		}
	}
	if got := u.Do("eventmod.client"); !strings.Contains(got, "$9\r\nmodu/modu\r\n") {
		t.Fatalf("user names as modu: %q", got)
	}
	checks := []struct {
		args []string
		want string
	}{
		{[]string{"describe"}, "modu: on ~foo* resetchannels &ch* -@all +get +set +eventmod.client +@connection"},
		{[]string{"cmd", "get", "foo"}, "allowed"},
		{[]string{"cmd", "get", "bar"}, "denied: NOPERM this user has no permissions to access one of the keys used as arguments"},
		{[]string{"cmd", "del", "foo"}, "denied: NOPERM this user has no permissions to run the 'del' command"},
		{[]string{"cmd", "nosuchcmd"}, "denied: ERR unknown command 'nosuchcmd'"},
		{[]string{"key", "foo", "read"}, "allowed"},
		{[]string{"key", "bar", "both"}, "denied: NOPERM"},
		{[]string{"channel", "ch1"}, "allowed"},
		{[]string{"channel", "ch*", "pattern"}, "allowed"},
		{[]string{"channel", "c*", "pattern"}, "denied: NOPERM"},
		{[]string{"channel", "other"}, "denied: NOPERM"},
		{[]string{"log", "somekey"}, "allowed"},
		{[]string{"setacl", "bogus"}, "denied: Error in ACL SETUSER modifier 'bogus': Syntax error"},
		{[]string{"setacl", "+nosuch"}, "denied: Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL"},
	}
	for _, tc := range checks {
		got := c.Do(append([]string{"eventmod.aclcheck"}, tc.args...)...)
		if !strings.Contains(got, tc.want) {
			t.Errorf("aclcheck %v = %q, want %q", tc.args, got, tc.want)
		}
	}
	if !s.waitLog("ACL log entry", "username=modu") {
		t.Errorf("no ACL log entry in the log")
	}
	// AUTH as default ends the module authentication.
	if got := u.Do("AUTH", "default", "whatever"); got != "+OK\r\n" {
		t.Fatalf("AUTH default = %q", got)
	}
	if got := u.Do("DEL", "foo1"); got != ":1\r\n" {
		t.Fatalf("DEL after AUTH default = %q", got)
	}
	if got := c.Do("eventmod.userlog", "RESET"); got != "*1\r\n$"+itoa(len("changed:"+uid))+"\r\nchanged:"+uid+"\r\n" {
		t.Fatalf("userlog after AUTH = %q", got)
	}
	// Freeing the user disconnects its clients.
	u.Do("eventmod.auth", "on", "allkeys", "+@all")
	if got := c.Do("eventmod.freeuser"); got != "+OK\r\n" {
		t.Fatalf("freeuser = %q", got)
	}
	evAssertClosed(t, u)
	// DeauthenticateAndCloseClient.
	v := s.Dial()
	vid := strings.TrimSpace(strings.TrimPrefix(v.Do("CLIENT", "ID"), ":"))
	if got := c.Do("eventmod.deauth", vid); got != "+OK\r\n" {
		t.Fatalf("deauth = %q", got)
	}
	evAssertClosed(t, v)
	if got := c.Do("eventmod.deauth", "999999"); !strings.Contains(got, "no client with ID 999999") {
		t.Fatalf("deauth of a missing client = %q", got)
	}
	if got := c.Do("eventmod.authdefault"); got != "+OK\r\n" {
		t.Fatalf("authdefault = %q", got)
	}
	s.mustAlive()
}

// evSendOnly sends a command without waiting for a reply (SHUTDOWN).
func evSendOnly(c *Conn, args ...string) {
	var b strings.Builder
	b.WriteString("*" + itoa(len(args)) + "\r\n")
	for _, a := range args {
		b.WriteString("$" + itoa(len(a)) + "\r\n" + a + "\r\n")
	}
	c.c.Write([]byte(b.String()))
}

// evAssertClosed fails unless the server closed the connection.
func evAssertClosed(t *testing.T, c *Conn) {
	t.Helper()
	c.c.SetDeadline(time.Now().Add(5 * time.Second))
	c.c.Write([]byte("*1\r\n$4\r\nPING\r\n"))
	if line, err := c.rd.ReadString('\n'); err == nil {
		t.Fatalf("the connection is still open: %q", line)
	}
}

// TestModEventsKeyRemoved: the Key server event fires BEFORE the key goes
// (or its value is replaced), so eventmod's callback reads the value
// through the event's Key, a fresh OpenKey and a Call, which agree ("ok"),
// with Redis 7.2's sub-events (the cases of Redis's hooks.tcl "Test
// removed key event").
func TestModEventsKeyRemoved(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("eventmod"))
	c := s.Dial()
	removed := func(key string) string {
		t.Helper()
		r := c.Do("eventmod.removed", key)
		if strings.HasPrefix(r, "-") {
			return r
		}
		_, v, _ := strings.Cut(r, "\r\n")
		return strings.TrimSuffix(v, "\r\n")
	}
	notRemoved := "-ERR Key was not removed\r\n"
	for _, tc := range []struct {
		cmds [][]string
		key  string
		want string
	}{
		{[][]string{{"SET", "str", "abcd"}, {"SET", "str", "abcde"}}, "str", "abcd overwritten -1 ok"},
		{[][]string{{"DEL", "str"}}, "str", "abcde deleted -1 ok"},
		{[][]string{{"SET", "intstr", "12345678"}, {"INCR", "intstr"}}, "intstr", notRemoved},
		{[][]string{{"DEL", "intstr"}}, "intstr", "12345679 deleted -1 ok"},
		{[][]string{{"HSET", "hash", "f", "v"}, {"HDEL", "hash", "f"}}, "hash", "0 deleted -1 ok"},
		{[][]string{{"HSET", "hash", "f", "v", "a", "b"}, {"DEL", "hash"}}, "hash", "2 deleted -1 ok"},
		{[][]string{{"RPUSH", "list", "1"}, {"LPOP", "list"}}, "list", "0 deleted -1 ok"},
		{[][]string{{"SADD", "set", "1", "2", "3", "4"}, {"UNLINK", "set"}}, "set", "4 deleted -1 ok"},
		{[][]string{{"ZADD", "zset", "1", "f"}, {"ZPOPMIN", "zset"}}, "zset", "0 deleted -1 ok"},
		{[][]string{{"SADD", "dst", "x"}, {"SADD", "src", "1", "2"}, {"SUNIONSTORE", "dst", "src"}}, "dst", "1 overwritten -1 ok"},
		{[][]string{{"SET", "a", "av"}, {"SET", "b", "bv"}, {"RENAME", "a", "b"}}, "b", "bv deleted -1 ok"},
		{nil, "a", "av deleted -1 ok"},
		{[][]string{{"SET", "c", "cv"}, {"COPY", "b", "c", "REPLACE"}}, "c", "cv deleted -1 ok"},
		{[][]string{{"MOVE", "c", "5"}}, "c", "av deleted -1 ok"},
		{[][]string{{"SET", "not-expire", "abcd", "PXAT", "99999999999999"}, {"DEL", "not-expire"}}, "not-expire", "abcd deleted 99999999999999 ok"},
	} {
		for _, cmd := range tc.cmds {
			if got := c.Do(cmd...); strings.HasPrefix(got, "-") {
				t.Fatalf("%v = %q", cmd, got)
			}
		}
		if got := removed(tc.key); got != tc.want {
			t.Errorf("after %v: removed %s = %q, want %q", tc.cmds, tc.key, got, tc.want)
		}
	}

	// Expired: the value and the expiry (in the past) still read.
	c.Do("SET", "lazy", "abcd", "PX", "1")
	time.Sleep(20 * time.Millisecond)
	c.Do("GET", "lazy")
	got := removed("lazy")
	f := strings.Fields(got)
	if len(f) != 4 || f[0] != "abcd" || f[1] != "expired" || f[3] != "ok" {
		t.Fatalf("removed lazy = %q", got)
	}
	if at, err := strconv.ParseInt(f[2], 10, 64); err != nil || at > time.Now().UnixMilli() || at < time.Now().Add(-time.Minute).UnixMilli() {
		t.Fatalf("the expired key's expiry = %q", f[2])
	}

	// Evicted.
	c.Do("SET", "victim", "v")
	c.Do("CONFIG", "SET", "maxmemory-policy", "allkeys-random")
	c.Do("CONFIG", "SET", "maxmemory", "1")
	c.Do("SET", "trigger", "x")
	c.Do("CONFIG", "SET", "maxmemory", "0")
	if got := removed("victim"); got != "v evicted -1 ok" {
		t.Fatalf("removed victim = %q", got)
	}
	s.mustAlive()
}

// TestModEventsACLCategories: a module user's category rules see a module
// command's categories as COMMAND INFO shows them (Redis 7.0: only those
// SetCommandACLCategories gave; none from the flags).
func TestModEventsACLCategories(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("eventmod"))
	c := s.Dial()
	info := c.Do("COMMAND", "INFO", "eventmod.cat", "eventmod.nocat")
	if !strings.Contains(info, "eventmod.cat\r\n") || strings.Count(info, "+@hash\r\n") != 1 {
		t.Fatalf("COMMAND INFO = %q, want @hash on eventmod.cat only", info)
	}
	u := s.Dial()
	uid := strings.TrimSpace(strings.TrimPrefix(u.Do("CLIENT", "ID"), ":"))
	if got := u.Do("eventmod.auth", "on", "allkeys", "-@all", "+@hash", "+@read"); got != ":"+uid+"\r\n" {
		t.Fatalf("eventmod.auth = %q", got)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"eventmod.cat"}, "+OK\r\n"},
		// Readonly-flagged but without categories: +@read does not cover it.
		{[]string{"eventmod.nocat"}, "-NOPERM this user has no permissions to run the 'eventmod.nocat' command\r\n"},
		{[]string{"HSET", "h", "f", "v"}, ":1\r\n"},
		{[]string{"GET", "h"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{[]string{"SET", "k", "v"}, "-NOPERM this user has no permissions to run the 'set' command\r\n"},
	} {
		if got := u.Do(tc.args...); got != tc.want {
			t.Errorf("as modu: %v = %q, want %q", tc.args, got, tc.want)
		}
	}
	if got := c.Do("eventmod.aclcheck", "cmd", "eventmod.nocat"); !strings.Contains(got, "denied: NOPERM") {
		t.Errorf("ACLCheckCommandPermissions eventmod.nocat = %q", got)
	}
	if got := c.Do("eventmod.aclcheck", "cmd", "eventmod.cat"); !strings.Contains(got, "allowed") {
		t.Errorf("ACLCheckCommandPermissions eventmod.cat = %q", got)
	}
}

// TestModEventsModuleBlocked: CLIENT UNBLOCK leaves a client blocked by a
// module command without a timeout callback blocked (0), and runs the
// timeout callback otherwise (1), as Redis 7.0; MODULE UNLOAD refuses while
// the module's blocked-client handles are not freed (blockmod).
func TestModEventsModuleBlocked(t *testing.T) {
	s, ctl := startBlockmod(t)
	refused := "-ERR Error unloading module: the module has blocked clients. Please wait them unblocked and try again\r\n"

	b := blocked(t, s.Addr, ctl, "b", "BLOCK.HOLDBARE", "h1")
	id := clientID(t, ctl, "b")
	expect(t, "CLIENT UNBLOCK without a timeout callback", ctl.do("CLIENT", "UNBLOCK", id), ":0\r\n")
	expect(t, "CLIENT UNBLOCK ERROR without a timeout callback", ctl.do("CLIENT", "UNBLOCK", id, "ERROR"), ":0\r\n")
	b.silent(50 * time.Millisecond)
	expect(t, "MODULE UNLOAD with a blocked client", ctl.do("MODULE", "UNLOAD", "blockmod"), refused)
	expect(t, "BLOCK.RELEASE h1", ctl.do("BLOCK.RELEASE", "h1", "v1"), ":1\r\n")
	expect(t, "h1's reply", b.must(), rbulk("v1"))
	eventually(t, ctl, ":1\r\n", "BLOCK.STATS", "v1")

	// With a timeout callback CLIENT UNBLOCK ends the wait; the handle stays
	// the module's (and unload refused) until it unblocks it.
	d := blocked(t, s.Addr, ctl, "d", "BLOCK.HOLD", "h2")
	expect(t, "CLIENT UNBLOCK with a timeout callback", ctl.do("CLIENT", "UNBLOCK", clientID(t, ctl, "d")), ":1\r\n")
	expect(t, "h2 timed out", d.must(), "-TIMEDOUT the blocked command timed out\r\n")
	expect(t, "MODULE UNLOAD with a handle not unblocked", ctl.do("MODULE", "UNLOAD", "blockmod"), refused)
	expect(t, "BLOCK.RELEASE h2", ctl.do("BLOCK.RELEASE", "h2", "v2"), ":1\r\n")
	expect(t, "h2 freed", freedTimes(t, ctl, "v2"), ":1\r\n")
	expect(t, "MODULE UNLOAD", ctl.do("MODULE", "UNLOAD", "blockmod"), "+OK\r\n")
}

// TestModEventsClientConnected: ClientChange's "connected" sub-event fires
// when a client connects, before its first command, with its ID and
// address; "disconnected" follows when it goes, with its database.
func TestModEventsClientConnected(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("eventmod"))
	c := s.Dial()
	evLog(t, c, "eventmod.clientlog") // c's own connection
	other := s.Dial()
	port := strings.TrimPrefix(other.c.LocalAddr().String(), "127.0.0.1:")
	var log []string // the server may accept the connection a little after Dial returns
	waitFor(t, func() bool { log = append(log, evLog(t, c, "eventmod.clientlog")...); return len(log) > 0 })
	if len(log) != 1 || !strings.HasPrefix(log[0], "0:") || !strings.HasSuffix(log[0], ":127.0.0.1:"+port+":0:0") {
		t.Fatalf("ClientChange on connecting (before any command) = %q, want 0:<id>:127.0.0.1:%s:0:0", log, port)
	}
	id := strings.TrimSpace(strings.TrimPrefix(other.Do("CLIENT", "ID"), ":"))
	if want := "0:" + id + ":127.0.0.1:" + port + ":0:0"; log[0] != want {
		t.Fatalf("ClientChange connected = %q, want %q", log[0], want)
	}
	other.Do("SELECT", "2")
	other.c.Close()
	want := "1:" + id + ":127.0.0.1:" + port + ":2:0"
	waitFor(t, func() bool { return evCount(evLog(t, c, "eventmod.clientlog"), want) == 1 })
}

// TestModEventsChannelsACL: a "getchannels-api" command run by a client
// authenticated as a module user is asked for its channels
// (IsChannelsPositionRequest, ChannelAtPosWithFlags), which the user's
// channel rules check as Redis does: published and subscribed channels
// (patterns literally), not unsubscribed ones; a handler that panics when
// asked is denied. ACLCheckCommandPermissions checks them the same way.
func TestModEventsChannelsACL(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("eventmod"))
	c := s.Dial()
	u := s.Dial()
	uid := strings.TrimSpace(strings.TrimPrefix(u.Do("CLIENT", "ID"), ":"))
	if got := u.Do("eventmod.auth", "on", "allkeys", "resetchannels", "&ch*", "-@all", "+eventmod.chan", "+publish", "+ping"); got != ":"+uid+"\r\n" {
		t.Fatalf("eventmod.auth = %q", got)
	}
	const denied = "-NOPERM this user has no permissions to access one of the channels used as arguments\r\n"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"pub", "ch1"}, ":1\r\n"},
		{[]string{"pub", "other"}, denied},
		{[]string{"sub", "other"}, denied},
		{[]string{"sub", "ch2", "pub", "ch3"}, ":2\r\n"},
		{[]string{"pub", "ch1", "pub", "other"}, denied},
		{[]string{"unsub", "other"}, ":1\r\n"}, // unsubscribing is not checked
		{[]string{"none", "other"}, ":1\r\n"},  // nor a channel without flags
		{[]string{"psub", "ch*"}, ":1\r\n"},    // a pattern matches literally
		{[]string{"psub", "ch1"}, denied},      // (as PSUBSCRIBE's)
		{[]string{"psub", "c*"}, denied},
		{[]string{"ppub", "other*"}, denied},
		{[]string{"panic", "ch1"}, denied}, // fails closed
	} {
		if got := u.Do(append([]string{"eventmod.chan"}, tc.args...)...); got != tc.want {
			t.Errorf("as modu: eventmod.chan %v = %q, want %q", tc.args, got, tc.want)
		}
	}
	if got := u.Do("PUBLISH", "other", "x"); got != denied {
		t.Errorf("as modu: PUBLISH other = %q", got)
	}
	if !s.waitLog("module handler panicked in a channels-position request", "eventmod.chan panics", "stack=") {
		t.Errorf("the panic in the channels-position request is not logged:\n%s", s.Log())
	}
	// The default user is not checked: the handler is not asked.
	if got := c.Do("eventmod.chan", "pub", "other", "panic", "x"); got != ":2\r\n" {
		t.Errorf("as default: eventmod.chan pub other = %q", got)
	}
	// ACLCheckCommandPermissions asks too.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"pub", "ch9"}, "allowed"},
		{[]string{"pub", "other"}, "denied: NOPERM this user has no permissions to access one of the channels"},
		{[]string{"unsub", "other"}, "allowed"},
	} {
		got := c.Do(append([]string{"eventmod.aclcheck", "cmd", "eventmod.chan"}, tc.args...)...)
		if !strings.Contains(got, tc.want) {
			t.Errorf("aclcheck eventmod.chan %v = %q, want %q", tc.args, got, tc.want)
		}
	}
	// With allchannels nothing is checked.
	if got := u.Do("eventmod.auth", "on", "allkeys", "allchannels", "-@all", "+eventmod.chan"); got != ":"+uid+"\r\n" {
		t.Fatalf("eventmod.auth allchannels = %q", got)
	}
	if got := u.Do("eventmod.chan", "pub", "other", "panic", "x"); got != ":2\r\n" {
		t.Errorf("with allchannels: eventmod.chan = %q", got)
	}
	s.mustAlive()
}
