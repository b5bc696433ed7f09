package test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// The key, scan and string APIs through the real keymod plugin
// (test/testdata/plugins/keymod). KEYMOD.DO runs a list of key operations
// on one open key and replies with one result per operation.

// keyStep is one command and its exact RESP2 reply.
type keyStep struct {
	cmd  []string
	want string
}

func runKeySteps(t *testing.T, c *Conn, steps []keyStep) {
	t.Helper()
	for i, st := range steps {
		if got := c.Do(st.cmd...); got != st.want {
			t.Errorf("step %d: %q\n got: %q\nwant: %q", i, st.cmd, got, st.want)
		}
	}
}

func keyCmd(s string) []string { return strings.Fields(s) }

// bulks renders a RESP2 array of bulk strings.
func bulks(items ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(items))
	for _, it := range items {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(it), it)
	}
	return b.String()
}

const (
	wrongType   = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
	notWritable = "-ERR the key is not open for writing\r\n"
)

func TestModKeyOps(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("keymod"))
	c := s.Dial()
	runKeySteps(t, c, []keyStep{
		// Strings, DMA, truncate.
		{keyCmd("keymod.do s rw type set hello type len dma"), "*5\r\n+empty\r\n+OK\r\n+string\r\n:5\r\n$5\r\nhello\r\n"},
		{keyCmd("keymod.do s w dmawrite 0 J"), "*1\r\n$5\r\nJello\r\n"},
		{keyCmd("get s"), "$5\r\nJello\r\n"},
		{keyCmd("object encoding s"), "$3\r\nraw\r\n"},
		{keyCmd("keymod.do s rw truncate 7 dma truncate 2 dma"), "*4\r\n+OK\r\n$7\r\nJello\x00\x00\r\n+OK\r\n$2\r\nJe\r\n"},
		{keyCmd("keymod.do s w truncate 536870913"), "*1\r\n-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"},
		{keyCmd("keymod.do s rw dmawrite 1 xyz"), "*1\r\n-ERR dmawrite past the end\r\n"},
		// A Read key refuses every write; a list op on a string is WRONGTYPE first.
		{keyCmd("keymod.do s r set x del unlink truncate 1 dmawrite 0 a setexpire 10 setabsexpire -1 push head a zadd none 1 m"),
			"*9\r\n" + strings.Repeat(notWritable, 7) + wrongType + notWritable},
		{keyCmd("get s"), "$2\r\nJe\r\n"},
		// WRONGTYPE everywhere.
		{keyCmd("keymod.do s rw push tail a pop head lget 0 linsert 1 x ldel 0 hset none f v hget f zadd none 1 m zscore m zrem m zrlex first - + zrscore first 0 1 0 0"),
			"*12\r\n" + strings.Repeat(wrongType, 12)},
		{keyCmd("keymod.do l rw dma truncate 1"), "*2\r\n$0\r\n\r\n+OK\r\n"},
		{keyCmd("del l"), ":1\r\n"},
		// Lists, with negative indexes.
		{keyCmd("keymod.do l rw pop head lget 0 linsert 1 x linsert 0 b push head a push tail d linsert -2 c lget -1 lset 0 A ldel 1 pop tail len"),
			"*12\r\n-ERR no such key\r\n-ERR no such key\r\n-ERR no such key\r\n+OK\r\n+OK\r\n+OK\r\n+OK\r\n$1\r\nd\r\n+OK\r\n+OK\r\n$1\r\nd\r\n:2\r\n"},
		{keyCmd("lrange l 0 -1"), bulks("A", "c")},
		{keyCmd("keymod.do l rw lget 2 lget -3 lset 2 x ldel -3 linsert 3 x linsert -4 x"), "*6\r\n" + strings.Repeat("-ERR index out of range\r\n", 6)},
		{keyCmd("keymod.do l w lget 0"), "*1\r\n-ERR the key is not open for reading\r\n"},
		{keyCmd("keymod.do l rw linsert 2 z linsert -3 y linsert 1 m"), "*3\r\n+OK\r\n+OK\r\n+OK\r\n"},
		{keyCmd("lrange l 0 -1"), bulks("A", "m", "y", "c", "z")},
		{keyCmd("keymod.do l rw ldel -1 ldel 0 pop tail pop head ldel 0 type"), "*6\r\n+OK\r\n+OK\r\n$1\r\nc\r\n$1\r\nm\r\n+OK\r\n+empty\r\n"},
		{keyCmd("exists l"), ":0\r\n"},
		// Hashes.
		{keyCmd("keymod.do h rw hset xx f1 v hset none f1 v1 hset2 countall f2 v2 f1 v1b hget f1 hexists f2 hexists nope hset xx nope x hset nx f1 zzz hset none f2 __DEL__ len hget nope"),
			"*11\r\n:0\r\n:0\r\n:2\r\n$3\r\nv1b\r\n:1\r\n:0\r\n:0\r\n:0\r\n:1\r\n:1\r\n$-1\r\n"},
		{keyCmd("hgetall h"), bulks("f1", "v1b")},
		{keyCmd("keymod.do h rw hset exists f v hgetbad"),
			"*2\r\n-ERR invalid flags\r\n-ERR HashGet: argument 1 is int, want sdk.String, string or []byte\r\n"},
		{keyCmd("keymod.do h w hset none f1 __DEL__ type"), "*2\r\n:1\r\n+empty\r\n"},
		{keyCmd("exists h"), ":0\r\n"},
		// Sorted sets.
		{keyCmd("keymod.do z rw zscore a zadd xx 1 a type zadd none 1 a zadd nx 2 b zadd xx 5 nope zadd gt 0 a zadd lt 0 a zadd none 0 a zincr none 2.5 b zincr nx 1 b zscore b zscore nope zrem a zrem a len"),
			"*16\r\n-ERR no such key\r\n+nop\r\n+empty\r\n+added\r\n+added\r\n+nop\r\n+nop\r\n+updated\r\n+none\r\n+4.5 updated\r\n+4.5 nop\r\n$3\r\n4.5\r\n-ERR no such element\r\n:1\r\n:0\r\n:1\r\n"},
		{keyCmd("zrange z 0 -1 withscores"), bulks("b", "4.5")},
		{keyCmd("keymod.do z rw zincr none -inf b zincr none +inf b"), "*2\r\n+-Inf updated\r\n-ERR resulting score is not a number (NaN)\r\n"},
		{keyCmd("zadd zr 1 a 2 b 2 c 3 d 5 e"), ":5\r\n"},
		{keyCmd("keymod.do zr r zrscore first 2 3 0 0 zrscore last 2 3 1 0 zrscore first 4 4.5 0 0 zrlex first [b (d zrlex last - + ziter score 2 inf rev ziter lex [a [c fwd zstate zrlex first x y"),
			"*9\r\n" + bulks("b:2", "c:2", "d:3") + bulks("d:3") + bulks() + bulks("b:2", "c:2") + bulks("e:5", "d:3", "c:2", "b:2", "a:1") +
				bulks("e:5", "d:3", "c:2", "b:2") + bulks("a:1", "b:2", "c:2") + "+end=true cur=false next=false prev=false\r\n" +
				"-ERR min or max not valid string range item\r\n"},
		// Elements scan.
		{keyCmd("hset hs a 1 b 2"), ":2\r\n"},
		{keyCmd("keymod.do hs r scankey"), "*1\r\n" + bulks("a=1", "b=2")},
		{keyCmd("keymod.do zr r scankey"), "*1\r\n" + bulks("a=1", "b=2", "c=2", "d=3", "e=5")},
		{keyCmd("sadd st x y"), ":2\r\n"},
		{keyCmd("keymod.do st r scankey"), "*1\r\n" + bulks("x=", "y=")},
		{keyCmd("keymod.do s r scankey"), "*1\r\n*0\r\n"},
		// Names, databases, closing.
		{keyCmd("keymod.do s rw name dbid close type set x"), "*5\r\n$1\r\ns\r\n:0\r\n+OK\r\n+empty\r\n-ERR the key is closed\r\n"},
		{keyCmd("keymod.exists s"), ":1\r\n"},
		{keyCmd("keymod.exists nope"), ":0\r\n"},
		{keyCmd("keymod.select 99"), "-ERR DB index is out of range\r\n"},
		{keyCmd("keymod.select 2"), ":2\r\n"},
		{keyCmd("keymod.dbsize"), ":0\r\n"},
		{keyCmd("keymod.randomkey"), "$-1\r\n"},
		{keyCmd("set only 1"), "+OK\r\n"}, // the connection stays on database 2
		{keyCmd("keymod.randomkey"), "$4\r\nonly\r\n"},
		{keyCmd("keymod.do only r name dbid"), "*2\r\n$4\r\nonly\r\n:2\r\n"},
		{keyCmd("select 0"), "+OK\r\n"},
		{keyCmd("keymod.dbsize"), ":5\r\n"},
		{keyCmd("keymod.scan"), bulks("hs:hash", "s:string", "st:set", "z:zset", "zr:zset")},
	})
}

func TestModKeyExpire(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("keymod"))
	c := s.Dial()
	c.Do("set", "k", "v")
	if got := c.Do("keymod.do", "k", "w", "getexpire", "setexpire", "100000", "getexpire"); got != "*3\r\n:-1\r\n+OK\r\n:100000\r\n" {
		t.Fatalf("setexpire: %q", got)
	}
	pttl, _ := strconv.Atoi(strings.Trim(c.Do("pttl", "k"), ":\r\n"))
	if pttl <= 99000 || pttl > 100000 {
		t.Errorf("PTTL after SetExpire(100000) = %d", pttl)
	}
	if got := c.Do("ttl", "k"); got != ":100\r\n" {
		t.Errorf("TTL = %q", got)
	}
	at := time.Now().Add(time.Hour).UnixMilli()
	ats := strconv.FormatInt(at, 10)
	if got := c.Do("keymod.do", "k", "w", "setabsexpire", ats, "getabsexpire"); got != "*2\r\n+OK\r\n:"+ats+"\r\n" {
		t.Fatalf("setabsexpire: %q", got)
	}
	if got := c.Do("pexpiretime", "k"); got != ":"+ats+"\r\n" {
		t.Errorf("PEXPIRETIME = %q, want %s", got, ats)
	}
	if got := c.Do("keymod.do", "k", "w", "setexpire", "-5", "setexpire", "-1", "getexpire", "getabsexpire"); got != "*4\r\n-ERR invalid expire time\r\n+OK\r\n:-1\r\n:-1\r\n" {
		t.Errorf("NoExpire: %q", got)
	}
	if got := c.Do("ttl", "k"); got != ":-1\r\n" {
		t.Errorf("TTL after NoExpire = %q", got)
	}
	if got := c.Do("keymod.do", "nokey", "w", "setexpire", "10"); got != "*1\r\n-ERR no such key\r\n" {
		t.Errorf("SetExpire of an empty key: %q", got)
	}
	// A short TTL set by the module expires the key.
	c.Do("keymod.do", "k", "w", "setexpire", "50")
	time.Sleep(120 * time.Millisecond)
	if got := c.Do("exists", "k"); got != ":0\r\n" {
		t.Errorf("the key outlived its module-set TTL: %q", got)
	}
	// StringSet removes a TTL, as SET does.
	c.Do("set", "k2", "v", "ex", "100")
	c.Do("keymod.do", "k2", "w", "set", "new")
	if got := c.Do("ttl", "k2"); got != ":-1\r\n" {
		t.Errorf("TTL after StringSet = %q", got)
	}
}

// A module's write through an open key makes a WATCHing client's EXEC fail,
// whether the module closes the key or leaves it to the server; a Read
// open does not.
func TestModKeyWatch(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("keymod"))
	w, m := s.Dial(), s.Dial()
	tx := func(what string, touch []string, wantAbort bool) {
		t.Helper()
		w.Do("watch", "k")
		if got := m.Do(touch...); strings.HasPrefix(got, "-") {
			t.Fatalf("%s: %q", what, got)
		}
		w.Do("multi")
		w.Do("set", "k", "from-tx")
		got := w.Do("exec")
		if aborted := got == "*-1\r\n"; aborted != wantAbort {
			t.Errorf("%s: EXEC = %q, want aborted %v", what, got, wantAbort)
		}
	}
	tx("StringSet, key closed by the module", []string{"keymod.do", "k", "w", "set", "v"}, true)
	tx("StringSet, key left open", []string{"keymod.leaveopen", "k", "v2"}, true)
	tx("ListPush on another key", []string{"keymod.do", "other", "w", "push", "tail", "x"}, false)
	tx("a Read open", []string{"keymod.do", "k", "r", "type", "len"}, false)
	tx("SignalModifiedKey", []string{"keymod.signal", "k"}, true)
	tx("HashSet", []string{"keymod.do", "k", "w", "del", "hset", "none", "f", "v"}, true)
	if got := w.Do("get", "k"); !strings.HasPrefix(got, "-WRONGTYPE") {
		t.Errorf("k after the module's hash write: %q", got)
	}
}

// With NO_IMPLICIT_SIGNAL_MODIFIED, closing a written key does not signal
// it: only SignalModifiedKey does.
func TestModKeyNoImplicitSignal(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("keymod")+" noimplicit")
	w, m := s.Dial(), s.Dial()
	w.Do("watch", "k")
	m.Do("keymod.do", "k", "w", "set", "v")
	w.Do("multi")
	w.Do("ping")
	if got := w.Do("exec"); got != "*1\r\n+PONG\r\n" {
		t.Errorf("EXEC after an unsignalled module write = %q", got)
	}
	w.Do("watch", "k")
	m.Do("keymod.do", "k", "w", "set", "v2", "signal")
	w.Do("multi")
	w.Do("ping")
	if got := w.Do("exec"); got != "*-1\r\n" {
		t.Errorf("EXEC after SignalModifiedKey = %q", got)
	}
	if got := w.Do("get", "k"); got != "$2\r\nv2\r\n" {
		t.Errorf("k = %q", got)
	}
}

// The key API fires no keyspace events: a subscriber to every event sees
// the next command's events first.
func TestModKeyNoKeyspaceEvents(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("keymod"))
	c := s.Dial()
	c.Do("config", "set", "notify-keyspace-events", "KEA")
	rdb := s.Client()
	sub := rdb.PSubscribe(ctx, "__key*__:*")
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	c.Do("keymod.do", "k", "w", "set", "v", "setexpire", "100000", "del", "push", "tail", "x", "pop", "head")
	c.Do("keymod.do", "z", "w", "zadd", "none", "1", "m", "hset", "none", "f", "v")
	c.Do("set", "marker", "1")
	msg, err := sub.ReceiveMessage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Channel != "__keyspace@0__:marker" {
		t.Errorf("first event after the module's writes: %s %s", msg.Channel, msg.Payload)
	}
}

// Clients blocked on a list or sorted set are served by the module's
// ListPush, ListInsert and ZsetAdd.
func TestModKeyServesBlockedClients(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("keymod"))
	c := s.Dial()
	cases := []struct {
		block  func(rdb *redis.Client) (string, error)
		module []string
	}{
		{func(rdb *redis.Client) (string, error) {
			r, err := rdb.BLPop(ctx, 5*time.Second, "bl").Result()
			return strings.Join(r, " "), err
		}, []string{"keymod.do", "bl", "w", "push", "tail", "pushed"}},
		{func(rdb *redis.Client) (string, error) {
			r, err := rdb.BRPop(ctx, 5*time.Second, "bl2").Result()
			return strings.Join(r, " "), err
		}, []string{"keymod.do", "bl2", "w", "linsert", "0", "inserted"}},
		{func(rdb *redis.Client) (string, error) {
			r, err := rdb.BZPopMin(ctx, 5*time.Second, "bz").Result()
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%s %v %g", r.Key, r.Member, r.Score), nil
		}, []string{"keymod.do", "bz", "w", "zadd", "none", "1.5", "zm"}},
	}
	want := []string{"bl pushed", "bl2 inserted", "bz zm 1.5"}
	for i, tc := range cases {
		rdb := s.Client2()
		done := make(chan string, 1)
		go func() {
			r, err := tc.block(rdb)
			if err != nil {
				r = "error: " + err.Error()
			}
			done <- r
		}()
		// Wait until the client is blocked.
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(c.Do("info", "clients"), "blocked_clients:1") {
			if time.Now().After(deadline) {
				t.Fatal("the client never blocked")
			}
			time.Sleep(10 * time.Millisecond)
		}
		if got := c.Do(tc.module...); !strings.HasPrefix(got, "*1\r\n+") {
			t.Fatalf("%q: %q", tc.module, got)
		}
		select {
		case got := <-done:
			if got != want[i] {
				t.Errorf("blocked client got %q, want %q", got, want[i])
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%q did not serve the blocked client", tc.module)
		}
		if got := c.Do("exists", tc.module[1]); got != ":0\r\n" {
			t.Errorf("%s after the pop: %q", tc.module[1], got)
		}
	}
}

// KEYMOD.SCAN reports exactly the keys; KEYMOD.SCANDEL deletes keys while
// scanning and still sees every key present throughout.
func TestModKeyScan(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("keymod"))
	c := s.Dial()
	runKeySteps(t, c, []keyStep{
		{keyCmd("keymod.scan"), "*0\r\n"},
		{keyCmd("set a 1"), "+OK\r\n"},
		{keyCmd("rpush l x"), ":1\r\n"},
		{keyCmd("hset h f v"), ":1\r\n"},
		{keyCmd("keymod.scan"), bulks("a:string", "h:hash", "l:list")},
	})
	rdb := s.Client()
	pipe := rdb.Pipeline()
	for i := 0; i < 2000; i++ {
		pipe.Set(ctx, fmt.Sprintf("del:%d", i), "v", 0)
		pipe.Set(ctx, fmt.Sprintf("keep:%d", i), "v", 0)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if got := c.Do("keymod.scandel", "del:"); got != ":4003\r\n" {
		t.Errorf("KEYMOD.SCANDEL saw %q keys, want 4003", got)
	}
	if got := c.Do("dbsize"); got != ":2003\r\n" {
		t.Errorf("DBSIZE after SCANDEL = %q", got)
	}
	if got := c.Do("keymod.dbsize"); got != ":2003\r\n" {
		t.Errorf("KEYMOD.DBSIZE = %q", got)
	}
	// A big hash, scanned and emptied field by field.
	for i := 0; i < 1000; i++ {
		pipe.HSet(ctx, "big", fmt.Sprintf("f%d", i), i)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if got := c.Do("keymod.do", "big", "rw", "scankeydel", "type"); got != "*2\r\n:1000\r\n+empty\r\n" {
		t.Errorf("scankeydel: %q", got)
	}
}

func TestModKeyStrings(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("keymod"))
	c := s.Dial()
	runKeySteps(t, c, []keyStep{
		{keyCmd("keymod.str printf abc 42"), "$12\r\nabc-00042-2a\r\n"},
		{keyCmd("keymod.str fromstring xyz"), "$3\r\nxyz\r\n"},
		{keyCmd("keymod.str longdouble 0.1 auto"), "$19\r\n0.10000000000000001\r\n"},
		{keyCmd("keymod.str longdouble 3.0 human"), "$1\r\n3\r\n"},
		{keyCmd("keymod.str longdouble 1e17 auto"), "$5\r\n1e+17\r\n"},
		{keyCmd("keymod.str longdouble -inf human"), "$4\r\n-inf\r\n"},
		{keyCmd("keymod.str longdouble 1e400 auto"), "-ERR value is not a valid float\r\n"},
		{keyCmd("keymod.str ulonglong 18446744073709551615"), "$20\r\n18446744073709551615\r\n"},
		{keyCmd("keymod.str ulonglong +7"), "$1\r\n7\r\n"},
		{keyCmd("keymod.str ulonglong -1"), "-ERR value is not an integer or out of range\r\n"},
		{keyCmd("keymod.str ulonglong 18446744073709551616"), "-ERR value is not an integer or out of range\r\n"},
		{keyCmd("keymod.str maxuint"), "$20\r\n18446744073709551615\r\n"},
		{keyCmd("keymod.str longlong -9223372036854775808"), "$20\r\n-9223372036854775808\r\n"},
		{keyCmd("keymod.str double 1e-5"), "$5\r\n1e-05\r\n"},
		{keyCmd("keymod.str compare a b"), ":-1\r\n"},
		{keyCmd("keymod.str compare b b"), ":0\r\n"},
		{keyCmd("keymod.str compare b a"), ":1\r\n"},
		{keyCmd("keymod.str append ab cd ef"), "$6\r\nabcdef\r\n"},
	})
}

// Module writes through open keys, replicated verbatim by the module, come
// back from the AOF after a restart; reads are not replicated.
func TestModKeyAOF(t *testing.T) {
	dir := t.TempDir()
	conf := aofConf(t, dir, "always")
	s := startServer(t, "--config", conf, "--loadmodule", plugin("keymod"))
	c := s.Dial()
	runKeySteps(t, c, []keyStep{
		{keyCmd("keymod.do s w set hello"), "*1\r\n+OK\r\n"},
		{keyCmd("keymod.do l w push tail a push tail b"), "*2\r\n+OK\r\n+OK\r\n"},
		{keyCmd("keymod.do h w hset none f v"), "*1\r\n:0\r\n"},
		{keyCmd("keymod.do z w zadd none 2 m"), "*1\r\n+added\r\n"},
		{keyCmd("keymod.do s r type"), "*1\r\n+string\r\n"},
	})
	s.cmd.Process.Kill()
	<-s.done
	s2 := startServer(t, "--config", conf, "--loadmodule", plugin("keymod"))
	c2 := s2.Dial()
	runKeySteps(t, c2, []keyStep{
		{keyCmd("get s"), "$5\r\nhello\r\n"},
		{keyCmd("lrange l 0 -1"), bulks("a", "b")},
		{keyCmd("hgetall h"), bulks("f", "v")},
		{keyCmd("zscore z m"), "$1\r\n2\r\n"},
	})
}

// TestModKeyDeleteModuleValue: the key API's UnlinkKey and DeleteKey on a
// key holding another module's value (typemod's) remove it and run the
// type's Unlink and Free; a key open only for reading refuses both.
func TestModKeyDeleteModuleValue(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("keymod"), "--loadmodule", plugin("typemod"))
	c := s.Dial()
	stats := func() string { return c.Do("tm.stats") }
	c.Do("tm.push", "m1", "a", "b")
	c.Do("tm.push", "m2", "c")
	before := stats()
	runKeySteps(t, c, []keyStep{
		{keyCmd("keymod.do m1 r type unlink del"), "*3\r\n+module\r\n" + notWritable + notWritable},
		{keyCmd("exists m1"), ":1\r\n"},
	})
	if got := stats(); got != before {
		t.Errorf("a refused UnlinkKey changed tm.stats: %q, was %q", got, before)
	}
	runKeySteps(t, c, []keyStep{
		{keyCmd("keymod.do m1 w unlink type"), "*2\r\n+OK\r\n+empty\r\n"},
		{keyCmd("keymod.do m2 w del type"), "*2\r\n+OK\r\n+empty\r\n"},
		{keyCmd("exists m1 m2"), ":0\r\n"},
		// Free ran twice, Unlink twice, no AUX load.
		{keyCmd("tm.stats"), "*3\r\n:2\r\n:2\r\n:0\r\n"},
	})
}
