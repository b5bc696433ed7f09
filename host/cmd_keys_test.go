package host

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestKeyCommands(t *testing.T) {
	invalid := func(cmd string) string { return errr("ERR invalid expire time in '" + cmd + "' command") }
	nxAnd := errr("ERR NX and XX, GT or LT options at the same time are not compatible")
	gtAndLt := errr("ERR GT and LT options at the same time are not compatible")
	runScripts(t, []script{
		{name: "del unlink exists touch type", steps: []step{
			{"MSET a 1 b 2 c 3 d 4", rOK},
			{"HSET h f v", rOne},
			{"EXISTS a a nokey", ints(2)},
			{"TOUCH a a nokey h", ints(3)},
			{"TYPE a", "+string\r\n"},
			{"TYPE h", "+hash\r\n"},
			{"TYPE nokey", "+none\r\n"},
			{"DEL a a nokey", rOne},
			{"DEL a", rZero},
			{"EXISTS a", rZero},
			{"UNLINK b c nokey", ints(2)},
			{"DEL d h", ints(2)},
			{"EXISTS d h", rZero},
			{"DEL", errr("ERR wrong number of arguments for 'del' command")},
			{"EXISTS", errr("ERR wrong number of arguments for 'exists' command")},
			{"TYPE", errr("ERR wrong number of arguments for 'type' command")},
		}},
		{name: "keys", steps: []step{
			{"KEYS *", rEmpty},
			{"MSET hello 1 hallo 2 world 3", rOK},
			{"KEYS w*", bulks("world")},
			{"KEYS h[a]llo", bulks("hallo")},
			{"KEYS nomatch*", rEmpty},
			{"KEYS", errr("ERR wrong number of arguments for 'keys' command")},
		}},
		{name: "expire errors", steps: []step{
			{"SET k v", rOK},
			{"EXPIRE k 10 nx xx", nxAnd},
			{"EXPIRE k 10 NX GT", nxAnd},
			{"EXPIRE k 10 NX LT", nxAnd},
			{"EXPIRE k 10 GT LT", gtAndLt},
			{"EXPIRE k 10 XX GT LT", gtAndLt},
			{"EXPIRE k 10 foo", errr("ERR Unsupported option foo")},
			{"EXPIRE k abc foo", errr("ERR Unsupported option foo")},
			{"EXPIRE k abc", rNotInt},
			{"EXPIRE k 1.5", rNotInt},
			{"EXPIRE k 9223372036854775807", invalid("expire")},
			{"EXPIRE k 9223372036854775", invalid("expire")},
			{"EXPIRE k 9223372036854770", invalid("expire")},
			{"PEXPIRE k 9223372036854775807", invalid("pexpire")},
			{"EXPIREAT k 9223372036854776", invalid("expireat")},
			{"EXPIREAT k -9223372036854775808", invalid("expireat")},
			{"TTL k", ints(-1)},
			{"PEXPIREAT k 9223372036854775807", rOne},
			{"PEXPIRETIME k", ints(9223372036854775807)},
			{"EXPIRE nokey abc", rNotInt},
			{"EXPIRE nokey 10 nx xx", nxAnd},
			{"EXPIRE nokey 10", rZero},
			{"EXPIRE k", errr("ERR wrong number of arguments for 'expire' command")},
		}},
		{name: "expire and ttl", steps: []step{
			{"TTL nokey", ints(-2)},
			{"PTTL nokey", ints(-2)},
			{"EXPIRETIME nokey", ints(-2)},
			{"PEXPIRETIME nokey", ints(-2)},
			{"SET k v", rOK},
			{"TTL k", ints(-1)},
			{"PTTL k", ints(-1)},
			{"EXPIRETIME k", ints(-1)},
			{"PEXPIRETIME k", ints(-1)},
			{"EXPIRE k 100 XX", rZero},
			{"EXPIRE k 100 GT", rZero},
			{"EXPIRE k 100 LT", rOne},
			{"TTL k", ints(100)},
			{"EXPIRE k 50 NX", rZero},
			{"EXPIRE k 200 LT", rZero},
			{"EXPIRE k 200 gt", rOne},
			{"EXPIRE k 300 xx", rOne},
			{"TTL k", ints(300)},
			{"EXPIRE k 100 nx NX", rZero},
			{"PERSIST k", rOne},
			{"PERSIST k", rZero},
			{"PERSIST nokey", rZero},
			{"TTL k", ints(-1)},
			{"EXPIRE k 100 NX", rOne},
			{"PEXPIRE k 200000", rOne},
			{"TTL k", ints(200)},
			{"EXPIRE k 0", rOne},
			{"EXISTS k", rZero},
			{"SET k v", rOK},
			{"EXPIRE k -5", rOne},
			{"EXISTS k", rZero},
			{"SET k v", rOK},
			{"PEXPIREAT k 1", rOne},
			{"EXISTS k", rZero},
			{"SET k v", rOK},
			{"EXPIREAT k 100 LT", rOne},
			{"EXISTS k", rZero},
			{"SET k v", rOK},
			{"EXPIREAT k 100 GT", rZero},
			{"EXISTS k", rOne},
			{"HSET h f v", rOne},
			{"EXPIRE h 100", rOne},
			{"TTL h", ints(100)},
		}},
		{name: "rename", steps: []step{
			{"SET a 1", rOK},
			{"RENAME a a", rOK},
			{"RENAMENX a a", rZero},
			{"RENAME nokey nokey", errr("ERR no such key")},
			{"RENAME nokey x", errr("ERR no such key")},
			{"RENAMENX nokey x", errr("ERR no such key")},
			{"SET b 2", rOK},
			{"EXPIRE a 100", rOne},
			{"RENAME a b", rOK},
			{"EXISTS a", rZero},
			{"GET b", bulk("1")},
			{"TTL b", ints(100)},
			{"SET c 3", rOK},
			{"RENAMENX b c", rZero},
			{"GET c", bulk("3")},
			{"RENAMENX b d", rOne},
			{"TTL d", ints(100)},
			{"EXISTS b", rZero},
			{"EXPIRE c 500", rOne},
			{"RENAME d c", rOK},
			{"TTL c", ints(100)},
			{"SET e 5", rOK},
			{"RENAME e c", rOK},
			{"TTL c", ints(-1)},
			{"HSET h f v", rOne},
			{"RENAME h h2", rOK},
			{"HGET h2 f", bulk("v")},
			{"TYPE h", "+none\r\n"},
			{"RENAME a", errr("ERR wrong number of arguments for 'rename' command")},
		}},
		{name: "expiry on the clock", clock: true, steps: []step{
			{"SET k v", rOK},
			{"EXPIRE k 10", rOne},
			{"TTL k", ints(10)},
			{"PTTL k", ints(10000)},
			{"EXPIRETIME k", ints(1700000010)},
			{"PEXPIRETIME k", ints(1700000010000)},
			{"EXPIRE k 10 GT", rZero}, // equal is not greater
			{"EXPIRE k 10 LT", rZero}, // nor less
			{"PEXPIRE k 10001 GT", rOne},
			{"PEXPIRE k 10000 LT", rOne},
			{"@advance 1499", ""},
			{"PTTL k", ints(8501)},
			{"TTL k", ints(9)},
			{"@advance 1", ""},
			{"TTL k", ints(9)},
			{"@advance 1", ""},
			{"TTL k", ints(8)},
			{"@advance 8499", ""},
			{"PTTL k", ints(-2)},
			{"GET k", rNull},
			{"SET k v", rOK},
			{"EXPIREAT k 1700000020", rOne},
			{"EXPIRETIME k", ints(1700000020)},
			{"PEXPIREAT k 1700000030500", rOne},
			{"EXPIRETIME k", ints(1700000031)},
			{"PEXPIRETIME k", ints(1700000030500)},
			{"PEXPIREAT k 1700000010000", rOne}, // the clock is there: expired at once
			{"EXISTS k", rZero},
			{"SET a 1", rOK},
			{"PEXPIRE a 1000", rOne},
			{"RENAME a b", rOK},
			{"@advance 999", ""},
			{"GET b", bulk("1")},
			{"@advance 1", ""},
			{"GET b", rNull},
			{"RENAME b c", errr("ERR no such key")},
			{"SET x 1", rOK},
			{"PEXPIRE x 10", rOne},
			{"@advance 10", ""},
			{"EXISTS x", rZero},
			{"TYPE x", "+none\r\n"},
			{"TTL x", ints(-2)},
			{"PERSIST x", rZero},
			{"EXPIRE x 10", rZero},
			{"INCR x", rOne},
			{"TTL x", ints(-1)},
		}},
		{name: "active expiry", clock: true, steps: []step{
			{"SET a 1 PX 100", rOK},
			{"SET b 2", rOK},
			{"DBSIZE", ints(2)},
			{"@advance 100", ""},
			{"DBSIZE", ints(2)}, // not yet removed: nothing touched it
			{"@active", ""},
			{"DBSIZE", rOne},
			{"GET b", bulk("2")},
		}},
	})
}

// KEYS replies in no particular order: compare sorted. Scripts above check
// only single-match patterns.
func TestKeysPatterns(t *testing.T) {
	_, c := newTestServer(t)
	do(t, c, "MSET", "hello", "1", "hallo", "2", "hxllo", "3", "hllo", "4", "heeeello", "5", "world", "6")
	do(t, c, "SET", "gone", "x", "PX", "1")
	do(t, c, "HSET", "hash", "f", "v")
	for _, tc := range []struct {
		pattern string
		want    []string
	}{
		{"*", []string{"gone", "hallo", "hash", "heeeello", "hello", "hllo", "hxllo", "world"}},
		{"h?llo", []string{"hallo", "hello", "hxllo"}},
		{"h*llo", []string{"hallo", "heeeello", "hello", "hllo", "hxllo"}},
		{"h[ae]llo", []string{"hallo", "hello"}},
		{"h[^e]llo", []string{"hallo", "hxllo"}},
		{"h[a-b]llo", []string{"hallo"}},
		{"nomatch", nil},
	} {
		got := parseBulkArray(t, do(t, c, "KEYS", tc.pattern))
		sort.Strings(got)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("KEYS %s = %v, want %v", tc.pattern, got, tc.want)
		}
		if tc.pattern == "*" {
			advance(c.srv, 1) // "gone" expires from here on
		}
	}
}

// Active expiry removes keys nobody touches, and counts them.
func TestActiveExpire(t *testing.T) {
	s, c := newTestServer(t)
	for i := 0; i < 100; i++ {
		do(t, c, "SET", fmt.Sprint("k", i), "v", "PX", "50")
	}
	for i := 0; i < 10; i++ {
		do(t, c, "SET", fmt.Sprint("keep", i), "v", "EX", "100")
	}
	advance(s, 50)
	s.mu.Lock()
	before := s.ks.Expired
	for i := 0; i < 1000 && c.db.Len() > 10; i++ {
		c.db.ActiveExpire(clockOf(s), 16)
	}
	expired := s.ks.Expired - before
	s.mu.Unlock()
	if expired != 100 {
		t.Fatalf("active expiry removed %d keys, want 100", expired)
	}
	if got := do(t, c, "DBSIZE"); got != ints(10) {
		t.Fatalf("DBSIZE = %q", got)
	}
	if got := do(t, c, "TTL", "keep3"); got != ints(100) {
		t.Fatalf("TTL keep3 = %q", got)
	}
}

func TestGenericKeyCommands(t *testing.T) {
	wrongArgs := func(cmd string) string { return errr("ERR wrong number of arguments for '" + cmd + "' command") }
	scan := func(cursor string, keys ...string) string { return arr(bulk(cursor), bulks(keys...)) }
	runScripts(t, []script{
		{name: "scan errors", steps: []step{
			{"SCAN x", errr("ERR invalid cursor")},
			{"SCAN 18446744073709551616", errr("ERR invalid cursor")},
			{"SCAN 1.5", errr("ERR invalid cursor")},
			{"SCAN 0 COUNT 0", rSyntax},
			{"SCAN 0 COUNT -1", rSyntax},
			{"SCAN 0 COUNT x", rNotInt},
			{"SCAN 0 MATCH", rSyntax},
			{"SCAN 0 TYPE", rSyntax},
			{"SCAN 0 COUNT", rSyntax},
			{"SCAN 0 foo bar", rSyntax},
			{"SCAN", wrongArgs("scan")},
		}},
		{name: "scan one key", steps: []step{
			{"SCAN 0", scan("0")},
			{"SET k v", rOK},
			{"SCAN 0", scan("0", "k")},
			{"SCAN 0 COUNT 1", scan("0", "k")},
			{"SCAN 0 MATCH k*", scan("0", "k")},
			{"SCAN 0 match x* count 100", scan("0")},
			{"SCAN 0 TYPE string", scan("0", "k")},
			{"SCAN 0 TYPE STRING", scan("0", "k")},
			{"SCAN 0 TYPE hash", scan("0")},
			{"SCAN 0 TYPE nosuchtype", scan("0")},
			{"SCAN 18446744073709551615", scan("0", "k")},
			{"DEL k", rOne},
			{"HSET h f v", rOne},
			{"SCAN 0 TYPE hash MATCH h", scan("0", "h")},
			{"SCAN 0 TYPE string", scan("0")},
		}},
		{name: "scan resp3", p3: true, steps: []step{
			{"SET k v", rOK},
			{"SCAN 0", scan("0", "k")},
		}},
		{name: "randomkey", steps: []step{
			{"RANDOMKEY", rNull},
			{"SET k v", rOK},
			{"RANDOMKEY", bulk("k")},
			{"RANDOMKEY x", wrongArgs("randomkey")},
		}},
		{name: "randomkey resp3", p3: true, steps: []step{
			{"RANDOMKEY", "_\r\n"},
		}},
		{name: "exists touch", steps: []step{
			{"SET a 1", rOK},
			{"TOUCH a a nokey", ints(2)},
			{"TOUCH", wrongArgs("touch")},
		}},
		{name: "copy errors", steps: []step{
			{"SET k hello", rOK},
			{"COPY k k", errr("ERR source and destination objects are the same")},
			{"COPY k k DB 0", errr("ERR source and destination objects are the same")},
			{"COPY nokey k3", rZero},
			{"COPY k k3 DB x", rNotInt},
			{"COPY k k3 DB 2147483648", errr("ERR value is out of range, value must between -2147483648 and 2147483647")},
			{"COPY k k3 DB -2147483649", errr("ERR value is out of range, value must between -2147483648 and 2147483647")},
			{"COPY k k3 DB 2147483647", errr("ERR DB index is out of range")},
			{"COPY k k3 DB 100", errr("ERR DB index is out of range")},
			{"COPY k k3 DB -1", errr("ERR DB index is out of range")},
			{"COPY k k3 DB", rSyntax},
			{"COPY k k3 foo", rSyntax},
			{"COPY k k3 DB 1 foo", rSyntax},
			{"COPY nokey k3 foo", rSyntax},
			{"COPY k", wrongArgs("copy")},
			{"EXISTS k3", rZero},
		}},
		{name: "copy", steps: []step{
			{"SET k hello", rOK},
			{"COPY k k2", rOne},
			{"GET k2", bulk("hello")},
			{"SET other x", rOK},
			{"COPY k other", rZero},
			{"GET other", bulk("x")},
			{"COPY k other replace REPLACE", rOne},
			{"GET other", bulk("hello")},
			{"COPY k k DB 1", rOne},
			{"COPY k k DB 1", rZero},
			{"SELECT 1", rOK},
			{"GET k", bulk("hello")},
			{"SELECT 0", rOK},
			{"PEXPIRE k 100000", rOne},
			{"COPY k ttl", rOne},
			{"PTTL ttl", ints(100000)},
			{"COPY k2 ttl REPLACE", rOne},
			{"TTL ttl", ints(-1)},
			// Deep copies: changing the copy leaves the original alone.
			{"HSET h f v", rOne},
			{"COPY h h2", rOne},
			{"HSET h2 f w g x", ints(1)},
			{"HGET h f", bulk("v")},
			{"HLEN h2", ints(2)},
			{"TYPE h2", "+hash\r\n"},
			{"RPUSH l a b", ints(2)},
			{"COPY l l2", rOne},
			{"RPUSH l2 c", ints(3)},
			{"LRANGE l 0 -1", bulks("a", "b")},
			{"SADD s 1 2", ints(2)},
			{"COPY s s2", rOne},
			{"SADD s2 x", rOne},
			{"SCARD s", ints(2)},
			{"OBJECT ENCODING s2", bulk("hashtable")},
			{"OBJECT ENCODING s", bulk("intset")},
			{"COPY s k REPLACE", rOne},
			{"TYPE k", "+set\r\n"},
		}},
		{name: "copy keeps string encodings", steps: []step{
			{"SET a 100", rOK},
			{"OBJECT REFCOUNT a", ints(2147483647)},
			{"COPY a b", rOne},
			{"OBJECT ENCODING b", bulk("int")},
			{"OBJECT REFCOUNT b", rOne},
			{"SET c hello", rOK},
			{"COPY c d", rOne},
			{"OBJECT ENCODING d", bulk("embstr")},
			{"SET e 01234567890123456789012345678901234567890123456789", rOK},
			{"COPY e f", rOne},
			{"OBJECT ENCODING f", bulk("raw")},
		}},
		{name: "move", steps: []step{
			{"SET k v", rOK},
			{"MOVE k 0", errr("ERR source and destination objects are the same")},
			{"MOVE k 100", errr("ERR DB index is out of range")},
			{"MOVE k -1", errr("ERR DB index is out of range")},
			{"MOVE k x", rNotInt},
			{"MOVE k 9999999999", errr("ERR value is out of range, value must between -2147483648 and 2147483647")},
			{"MOVE k 01", rNotInt},
			{"MOVE nokey 0", errr("ERR source and destination objects are the same")},
			{"MOVE nokey 1", rZero},
			{"EXPIRE k 100", rOne},
			{"MOVE k 1", rOne},
			{"EXISTS k", rZero},
			{"SELECT 1", rOK},
			{"GET k", bulk("v")},
			{"TTL k", ints(100)},
			{"SELECT 0", rOK},
			{"SET k v2", rOK},
			{"MOVE k 1", rZero},
			{"GET k", bulk("v2")},
			{"MOVE k", wrongArgs("move")},
		}},
		{name: "swapdb", steps: []step{
			{"SET a 0", rOK},
			{"SELECT 1", rOK},
			{"SET b 1", rOK},
			{"EXPIRE b 100", rOne},
			{"SELECT 0", rOK},
			{"SWAPDB 0 x", errr("ERR invalid second DB index")},
			{"SWAPDB x 0", errr("ERR invalid first DB index")},
			{"SWAPDB x y", errr("ERR invalid first DB index")},
			{"SWAPDB 0 100", errr("ERR DB index is out of range")},
			{"SWAPDB -1 0", errr("ERR DB index is out of range")},
			{"SWAPDB 0 4294967296", errr("ERR invalid second DB index")},
			{"SWAPDB 0 0", rOK},
			{"GET a", bulk("0")},
			{"SWAPDB 0 1", rOK},
			{"GET a", rNull},
			{"GET b", bulk("1")},
			{"TTL b", ints(100)},
			{"DBSIZE", rOne},
			{"SELECT 1", rOK},
			{"GET a", bulk("0")},
			{"SWAPDB 1 0", rOK},
			{"GET a", rNull},
			{"SWAPDB 0", wrongArgs("swapdb")},
		}},
	})
}

// The key commands invalidate WATCH: EXEC fails after a change to a
// watched key, also by the watching client itself, and SWAPDB fails the
// transactions watching a key that exists on either side.
func TestKeyCommandsTouchWatch(t *testing.T) {
	execFails := []step{{"MULTI", rOK}, {"PING", "+QUEUED\r\n"}, {"EXEC", "*-1\r\n"}}
	execRuns := []step{{"MULTI", rOK}, {"PING", "+QUEUED\r\n"}, {"EXEC", arr("+PONG\r\n")}}
	watched := func(name string, setup []string, cmd string, fails bool) script {
		var steps []step
		for _, s := range setup {
			steps = append(steps, step{s, ""})
		}
		steps = append(steps, step{"WATCH k", rOK})
		steps = append(steps, step{cmd, ""})
		if fails {
			steps = append(steps, execFails...)
		} else {
			steps = append(steps, execRuns...)
		}
		return script{name: name, steps: steps}
	}
	scripts := []script{
		watched("del", []string{"SET k v"}, "DEL k", true),
		watched("del missing", nil, "DEL k", false),
		watched("expire", []string{"SET k v"}, "EXPIRE k 100", true),
		watched("expire xx refused", []string{"SET k v"}, "EXPIRE k 100 XX", false),
		watched("expire in the past", []string{"SET k v"}, "EXPIRE k -1", true),
		watched("persist", []string{"SET k v EX 100"}, "PERSIST k", true),
		watched("persist without ttl", []string{"SET k v"}, "PERSIST k", false),
		watched("rename from", []string{"SET k v"}, "RENAME k x", true),
		watched("rename to", []string{"SET x v"}, "RENAME x k", true),
		watched("renamenx refused", []string{"SET x v", "SET k v"}, "RENAMENX x k", false),
		watched("copy to", []string{"SET x v"}, "COPY x k", true),
		watched("copy from", []string{"SET k v"}, "COPY k x", false),
		watched("move", []string{"SET k v"}, "MOVE k 1", true),
		watched("move refused", []string{"SET k v", "SELECT 1", "SET k w", "SELECT 0"}, "MOVE k 1", false),
		watched("swapdb, key here", []string{"SET k v"}, "SWAPDB 0 1", true),
		watched("swapdb, key there", []string{"SELECT 1", "SET k v", "SELECT 0"}, "SWAPDB 0 1", true),
		watched("swapdb, key nowhere", []string{"SET x v"}, "SWAPDB 0 1", false),
		watched("swapdb, other dbs", []string{"SET k v"}, "SWAPDB 1 2", false),
		watched("sort store", []string{"RPUSH l 1"}, "SORT l STORE k", true),
		watched("sort store nothing", []string{"RPUSH l 1"}, "SORT l LIMIT 0 0 STORE k", false),
		watched("sort", []string{"RPUSH k 1"}, "SORT k", false),
	}
	// The setup and command replies vary; check only what EXEC does.
	for i := range scripts {
		for j := range scripts[i].steps {
			if scripts[i].steps[j].want == "" {
				scripts[i].steps[j].want = "*"
			}
		}
	}
	for _, sc := range scripts {
		t.Run(sc.name, func(t *testing.T) {
			_, c := newTestServer(t)
			for i, st := range sc.steps {
				got := doLine(t, c, st.cmd)
				if st.want != "*" && got != st.want {
					t.Errorf("step %d: %s\n got: %q\nwant: %q", i, st.cmd, got, st.want)
				}
			}
			if addr := os.Getenv("MODIS_COMPARE_REDIS"); addr != "" {
				compareLoose(t, addr, sc)
			}
		})
	}
}

// compareLoose is compareWithRedis for steps whose want is "*" (any reply).
func compareLoose(t *testing.T, addr string, sc script) {
	t.Helper()
	rc := dialLive(t, addr)
	send := func(args []string) string { return rc.do(args...) }
	send([]string{"FLUSHALL"})
	for i, st := range sc.steps {
		args, _ := SplitArgs(st.cmd)
		if got := send(args); st.want != "*" && got != st.want {
			t.Errorf("redis at %s, step %d: %s\n got: %q\nwant: %q", addr, i, st.cmd, got, st.want)
		}
	}
}

// SCAN returns each key once when nothing changes, whatever COUNT is.
func TestScanWhole(t *testing.T) {
	_, c := newTestServer(t)
	want := map[string]bool{}
	for i := 0; i < 137; i++ {
		k := fmt.Sprint("key:", i)
		want[k] = true
		do(t, c, "SET", k, "v")
	}
	do(t, c, "HSET", "h1", "f", "v")
	do(t, c, "HSET", "h2", "f", "v")
	for _, count := range []string{"1", "7", "10", "1000"} {
		got, calls := scanKeys(t, c, "COUNT", count)
		if len(got) != 139 {
			t.Errorf("COUNT %s: %d keys returned in %d calls, want 139", count, len(got), calls)
		}
		for k := range want {
			if got[k] != 1 {
				t.Errorf("COUNT %s: %s returned %d times", count, k, got[k])
			}
		}
	}
	got, _ := scanKeys(t, c, "TYPE", "hash")
	if len(got) != 2 || got["h1"] != 1 || got["h2"] != 1 {
		t.Errorf("TYPE hash: %v", got)
	}
	got, _ = scanKeys(t, c, "MATCH", "key:1?", "COUNT", "3")
	if len(got) != 10 || got["key:15"] != 1 {
		t.Errorf("MATCH key:1?: %v", got)
	}
}

// scanKeys runs a whole SCAN with the options and counts each key returned.
func scanKeys(t *testing.T, c *Client, opts ...string) (map[string]int, int) {
	t.Helper()
	got := map[string]int{}
	cursor := "0"
	calls := 0
	for {
		calls++
		cur, keys := parseScanReply(t, do(t, c, append([]string{"SCAN", cursor}, opts...)...))
		for _, k := range keys {
			got[k]++
		}
		if cur == "0" {
			return got, calls
		}
		cursor = cur
		if calls > 10000 {
			t.Fatal("SCAN does not end")
		}
	}
}

// parseScanReply splits a RESP2 SCAN reply into the cursor and the keys.
func parseScanReply(t *testing.T, reply string) (string, []string) {
	t.Helper()
	// *2\r\n$N\r\ncursor\r\n*M\r\n...
	rest := strings.TrimPrefix(reply, "*2\r\n")
	if rest == reply {
		t.Fatalf("not a SCAN reply: %q", reply)
	}
	lines := strings.SplitN(rest, "\r\n", 3)
	return lines[1], parseBulkArray(t, lines[2])
}

// The SCAN guarantee through the command: keys deleted and added between
// calls never hide a key that stays for the whole scan; expired keys are
// not returned.
func TestScanWhileChanging(t *testing.T) {
	s, c := newTestServer(t)
	rng := rand.New(rand.NewPCG(7, 11))
	for trial := 0; trial < 30; trial++ {
		do(t, c, "FLUSHALL")
		stable := map[string]bool{}
		var churn []string
		next := 0
		add := func(keep bool) {
			k := fmt.Sprint("k", next)
			next++
			do(t, c, "SET", k, "v")
			if keep {
				stable[k] = true
			} else {
				churn = append(churn, k)
			}
		}
		for i := 0; i < 300; i++ {
			add(rng.IntN(2) == 0)
		}
		do(t, c, "SET", "gone", "v", "PX", "5")
		count := fmt.Sprint(1 + rng.IntN(20))
		seen := map[string]bool{}
		cursor := "0"
		for first := true; first || cursor != "0"; first = false {
			var keys []string
			cursor, keys = parseScanReply(t, do(t, c, "SCAN", cursor, "COUNT", count))
			for _, k := range keys {
				seen[k] = true
			}
			for i := rng.IntN(8); i > 0 && len(churn) > 0; i-- {
				j := rng.IntN(len(churn))
				do(t, c, "DEL", churn[j])
				churn = append(churn[:j], churn[j+1:]...)
			}
			for i := rng.IntN(8); i > 0; i-- {
				add(false)
			}
			advance(s, 1)
		}
		for k := range stable {
			if !seen[k] {
				t.Fatalf("trial %d, COUNT %s: %s was there all along and never returned", trial, count, k)
			}
		}
	}
}

// EXISTS, TYPE and the TTL family do not count as accesses; TOUCH, GET and
// writes do (OBJECT IDLETIME).
func TestAccessTimes(t *testing.T) {
	runScripts(t, []script{
		{name: "idle time", clock: true, steps: []step{
			{"SET k v", rOK},
			{"OBJECT IDLETIME k", rZero},
			{"@advance 5000", ""},
			{"OBJECT IDLETIME k", ints(5)},
			{"EXISTS k", rOne},
			{"TYPE k", "+string\r\n"},
			{"TTL k", ints(-1)},
			{"PTTL k", ints(-1)},
			{"EXPIRETIME k", ints(-1)},
			{"OBJECT ENCODING k", bulk("embstr")},
			{"OBJECT FREQ k", errr("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")},
			{"MEMORY USAGE k", ints(64)},
			{"SCAN 0", arr(bulk("0"), bulks("k"))},
			{"OBJECT IDLETIME k", ints(5)},
			{"GET k", bulk("v")},
			{"OBJECT IDLETIME k", rZero},
			{"@advance 3000", ""},
			{"TOUCH k", rOne},
			{"OBJECT IDLETIME k", rZero},
			{"@advance 3000", ""},
			{"APPEND k x", ints(2)},
			{"OBJECT IDLETIME k", rZero},
			{"@advance 2000", ""},
			{"COPY k k2", rOne},
			{"OBJECT IDLETIME k", rZero},
			{"OBJECT IDLETIME k2", rZero},
			{"@advance 2000", ""},
			{"RENAME k2 k3", rOK},
			{"OBJECT IDLETIME k3", rZero},
			{"OBJECT IDLETIME nokey", rNull},
		}},
	})
}

// keyEvent is a command and the keyevent notifications it fires, as
// "event:key" words in order ("" none).
type keyEvent struct{ cmd, events string }

// runKeyEventScripts runs each script on a fresh server with an in-process
// client subscribed to every keyevent channel (notify-keyspace-events KEA),
// and, with MODIS_COMPARE_REDIS, the same against the real Redis.
func runKeyEventScripts(t *testing.T, scripts map[string][]keyEvent) {
	t.Helper()
	runKeyEventScriptsFlags(t, "KEA", scripts)
}

// runKeyEventScriptsFlags is runKeyEventScripts with the given
// notify-keyspace-events flags.
func runKeyEventScriptsFlags(t *testing.T, flags string, scripts map[string][]keyEvent) {
	t.Helper()
	addr := os.Getenv("MODIS_COMPARE_REDIS")
	for name, steps := range scripts {
		t.Run(name, func(t *testing.T) {
			s, c := newTestServer(t)
			if got := do(t, c, "CONFIG", "SET", "notify-keyspace-events", flags); got != rOK {
				t.Fatalf("CONFIG SET notify-keyspace-events: %q", got)
			}
			sub := newClient(s, nil, 1_000_000)
			sub.push = &pushOut{kick: make(chan struct{}, 1), done: make(chan struct{})}
			do(t, sub, "PSUBSCRIBE", "__keyevent@*__:*")
			pending := func() []byte {
				s.mu.Lock()
				defer s.mu.Unlock()
				sub.push.outMu.Lock()
				defer sub.push.outMu.Unlock()
				data := sub.push.pending
				sub.push.pending = nil
				return data
			}
			pending()
			for i, st := range steps {
				doLine(t, c, st.cmd)
				if got := keyEventWords(t, pending()); got != st.events {
					t.Errorf("step %d: %s\n got events: %q\nwant: %q", i, st.cmd, got, st.events)
				}
			}
			if addr != "" {
				compareKeyEvents(t, addr, flags, steps)
			}
		})
	}
}

// keyEventWords turns pmessage pushes into "event:key" words.
func keyEventWords(t *testing.T, data []byte) string {
	t.Helper()
	r := bufio.NewReader(bytes.NewReader(data))
	var out []string
	for {
		if _, err := r.Peek(1); err != nil {
			return strings.Join(out, " ")
		}
		var raw bytes.Buffer
		if err := readRawReply(r, &raw); err != nil {
			t.Fatalf("bad push: %v", err)
		}
		parts := parseBulkArray(t, raw.String())
		if len(parts) != 4 || parts[0] != "pmessage" {
			continue // a confirmation or a pong
		}
		ch := parts[2]
		out = append(out, ch[strings.Index(ch, "__:")+3:]+":"+parts[3])
	}
}

func compareKeyEvents(t *testing.T, addr, flags string, steps []keyEvent) {
	t.Helper()
	dial := func() (net.Conn, *bufio.Reader) {
		conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatalf("compare: %v", err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn, bufio.NewReader(conn)
	}
	send := func(conn net.Conn, r *bufio.Reader, args ...string) string {
		var b bytes.Buffer
		fmt.Fprintf(&b, "*%d\r\n", len(args))
		for _, a := range args {
			fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
		}
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := conn.Write(b.Bytes()); err != nil {
			t.Fatalf("compare: %v", err)
		}
		var out bytes.Buffer
		if err := readRawReply(r, &out); err != nil {
			t.Fatalf("compare: %v", err)
		}
		return out.String()
	}
	mc, mr := dial()
	sc, sr := dial()
	send(mc, mr, "FLUSHALL")
	send(mc, mr, "CONFIG", "SET", "notify-keyspace-events", flags)
	defer send(mc, mr, "CONFIG", "SET", "notify-keyspace-events", "")
	send(sc, sr, "PSUBSCRIBE", "__keyevent@*__:*")
	for i, st := range steps {
		args, _ := SplitArgs(st.cmd)
		send(mc, mr, args...)
		// The PING's reply comes after every message the command published.
		var raw bytes.Buffer
		for one := send(sc, sr, "PING"); !strings.Contains(one, "pong"); {
			raw.WriteString(one)
			var next bytes.Buffer
			if err := readRawReply(sr, &next); err != nil {
				t.Fatalf("compare: %v", err)
			}
			one = next.String()
		}
		if got := keyEventWords(t, raw.Bytes()); got != st.events {
			t.Errorf("redis at %s, step %d: %s\n got events: %q\nwant: %q", addr, i, st.cmd, got, st.events)
		}
	}
}

func TestKeyEvents(t *testing.T) {
	runKeyEventScripts(t, map[string][]keyEvent{
		"del expire persist": {
			{"SET a 1", "set:a"},
			{"SET b 2", "set:b"},
			{"DEL a nokey a", "del:a"},
			{"UNLINK b", "del:b"},
			{"DEL b", ""},
			{"SET k v", "set:k"},
			{"EXPIRE k 100", "expire:k"},
			{"EXPIRE k 100 NX", ""},
			{"PEXPIRE k 100000 XX", "expire:k"},
			{"EXPIREAT k 99999999999", "expire:k"},
			{"PEXPIREAT k 99999999999999", "expire:k"},
			{"PERSIST k", "persist:k"},
			{"PERSIST k", ""},
			{"EXPIRE nokey 10", ""},
			{"EXPIRE k 0", "del:k"},
			{"SET k v", "set:k"},
			{"PEXPIREAT k 1", "del:k"},
			{"SET k v", "set:k"},
			{"EXPIRE k -1 LT", "del:k"},
		},
		"rename copy move": {
			{"SET a 1", "set:a"},
			{"RENAME a b", "rename_from:a rename_to:b"},
			{"RENAME b b", ""},
			{"RENAME nokey x", ""},
			{"SET c 3", "set:c"},
			{"RENAME b c", "rename_from:b rename_to:c"},
			{"SET d 4", "set:d"},
			{"RENAMENX c d", ""},
			{"RENAMENX c e", "rename_from:c rename_to:e"},
			{"COPY e f", "copy_to:f"},
			{"COPY e f", ""},
			{"COPY e f REPLACE", "copy_to:f"},
			{"COPY e f DB 1", "copy_to:f"},
			{"MOVE e 1", "move_from:e move_to:e"},
			{"MOVE f 1", ""},
			{"SWAPDB 0 1", ""},
			{"FLUSHALL", ""},
		},
		"sort store": {
			{"RPUSH l 3 1 2", "rpush:l"},
			{"SORT l", ""},
			{"SORT l STORE dst", "sortstore:dst"},
			{"SORT l STORE dst", "sortstore:dst"},
			{"SORT nokey STORE dst", "del:dst"},
			{"SORT nokey STORE dst", ""},
			{"SORT l LIMIT 5 5 STORE dst", ""},
		},
	})
}

// Keys that a command adds fire "new" (Redis 7's dbAdd), also when they
// replace a key.
func TestKeyNewEvents(t *testing.T) {
	runKeyEventScriptsFlags(t, "Egln", map[string][]keyEvent{
		"new": {
			{"RPUSH a 1", "new:a rpush:a"},
			{"RPUSH c 1", "new:c rpush:c"},
			{"RENAME a b", "new:b rename_from:a rename_to:b"},
			{"RENAME b c", "new:c rename_from:b rename_to:c"},
			{"COPY c d", "new:d copy_to:d"},
			{"COPY c d REPLACE", "new:d copy_to:d"},
			{"MOVE d 1", "new:d move_from:d move_to:d"},
			{"RPUSH l 2 1", "new:l rpush:l"},
			{"SORT l STORE s", "new:s sortstore:s"},
			{"SORT l STORE s", "sortstore:s"},
			{"SORT nokey STORE s", "del:s"},
		},
	})
}

// An expired key fires "expired" when a lookup removes it, and when the
// active cycle does; WATCH sees it.
func TestExpiredEvents(t *testing.T) {
	s, c := newTestServer(t)
	do(t, c, "CONFIG", "SET", "notify-keyspace-events", "Ex")
	sub := newClient(s, nil, 1_000_000)
	sub.push = &pushOut{kick: make(chan struct{}, 1), done: make(chan struct{})}
	do(t, sub, "SUBSCRIBE", "__keyevent@0__:expired")
	events := func() string {
		s.mu.Lock()
		defer s.mu.Unlock()
		sub.push.outMu.Lock()
		defer sub.push.outMu.Unlock()
		data := sub.push.pending
		sub.push.pending = nil
		return strings.Join(parseBulkArrays(t, data), " ")
	}
	events()
	do(t, c, "SET", "lazy", "v", "PX", "10")
	do(t, c, "SET", "active", "v", "PX", "10")
	advance(s, 10)
	if got := do(t, c, "GET", "lazy"); got != rNull {
		t.Fatalf("GET lazy = %q", got)
	}
	if got := events(); got != "message __keyevent@0__:expired lazy" {
		t.Errorf("lazy expiry events: %q", got)
	}
	s.mu.Lock()
	for i := 0; i < 100 && c.db.Len() > 0; i++ {
		c.db.ActiveExpire(clockOf(s), 16)
	}
	s.mu.Unlock()
	if got := events(); got != "message __keyevent@0__:expired active" {
		t.Errorf("active expiry events: %q", got)
	}
}

// parseBulkArrays concatenates the elements of consecutive RESP2 arrays of
// bulk strings.
func parseBulkArrays(t *testing.T, data []byte) []string {
	t.Helper()
	r := bufio.NewReader(bytes.NewReader(data))
	var out []string
	for {
		if _, err := r.Peek(1); err != nil {
			return out
		}
		var raw bytes.Buffer
		if err := readRawReply(r, &raw); err != nil {
			t.Fatalf("bad push: %v", err)
		}
		out = append(out, parseBulkArray(t, raw.String())...)
	}
}
