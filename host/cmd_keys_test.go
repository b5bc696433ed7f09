package host

import (
	"fmt"
	"sort"
	"testing"
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
