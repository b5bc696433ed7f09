package host

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
)

func TestHashCommands(t *testing.T) {
	runScripts(t, []script{
		{name: "hset hget", steps: []step{
			{"HGET h f", rNull},
			{"HSET h f v", rOne},
			{"HSET h f w", rZero},
			{"HSET h f x g y", rOne},
			{"HGET h f", bulk("x")},
			{"HGET h g", bulk("y")},
			{"HGET h nofield", rNull},
			{"HSET h a", errr("ERR wrong number of arguments for 'hset' command")},
			{"HSET h a 1 b", errr("ERR wrong number of arguments for 'hset' command")},
			{"HSET h", errr("ERR wrong number of arguments for 'hset' command")},
			{"HMSET h a", errr("ERR wrong number of arguments for 'hmset' command")},
			{"HMSET h a 1 b", errr("ERR wrong number of arguments for 'hmset' command")},
			{"HMSET h a 1 b 2", rOK},
			{"HLEN h", ints(4)},
			{`HSET h "" "\x00\xff"`, rOne},
			{`HGET h ""`, bulk("\x00\xff")},
			{"SET s v", rOK},
			{"HSET s f v", rWrongType},
			{"HMSET s f v", rWrongType},
			{"HGET s f", rWrongType},
			{"HSET s f", errr("ERR wrong number of arguments for 'hset' command")},
		}},
		{name: "hsetnx hmget hexists hstrlen", steps: []step{
			{"HSETNX h f v", rOne},
			{"HSETNX h f w", rZero},
			{"HGET h f", bulk("v")},
			{"HSETNX h g w", rOne},
			{"HMGET h f g nofield", arr(bulk("v"), bulk("w"), rNull)},
			{"HMGET nokey a b", arr(rNull, rNull)},
			{"HEXISTS h f", rOne},
			{"HEXISTS h nofield", rZero},
			{"HEXISTS nokey f", rZero},
			{"HSTRLEN h f", rOne},
			{"HSTRLEN h nofield", rZero},
			{"HSTRLEN nokey f", rZero},
			{"SET s v", rOK},
			{"HSETNX s f v", rWrongType},
			{"HMGET s a", rWrongType},
			{"HEXISTS s f", rWrongType},
			{"HSTRLEN s f", rWrongType},
			{"HLEN s", rWrongType},
			{"HLEN nokey", rZero},
			{"HMGET h", errr("ERR wrong number of arguments for 'hmget' command")},
		}},
		{name: "hdel", steps: []step{
			{"HSET h a 1 b 2 c 3", ints(3)},
			{"HDEL h a nofield", rOne},
			{"HDEL h a", rZero},
			{"HDEL nokey a", rZero},
			{"HDEL h b b c", ints(2)},
			{"EXISTS h", rZero},
			{"TYPE h", "+none\r\n"},
			{"SET s v", rOK},
			{"HDEL s a", rWrongType},
			{"HDEL h", errr("ERR wrong number of arguments for 'hdel' command")},
		}},
		{name: "hgetall hkeys hvals resp2", steps: []step{
			{"HGETALL nokey", rEmpty},
			{"HKEYS nokey", rEmpty},
			{"HVALS nokey", rEmpty},
			{"HSET h f1 v1 f2 v2", ints(2)},
			{"HGETALL h", bulks("f1", "v1", "f2", "v2")},
			{"HKEYS h", bulks("f1", "f2")},
			{"HVALS h", bulks("v1", "v2")},
			{"SET s v", rOK},
			{"HGETALL s", rWrongType},
			{"HKEYS s", rWrongType},
			{"HVALS s", rWrongType},
		}},
		{name: "hgetall resp3", p3: true, steps: []step{
			{"HGETALL nokey", "%0\r\n"},
			{"HKEYS nokey", rEmpty},
			{"HGET h f", "_\r\n"},
			{"HSET h f1 v1 f2 v2", ints(2)},
			{"HGETALL h", "%2\r\n" + bulk("f1") + bulk("v1") + bulk("f2") + bulk("v2")},
			{"HKEYS h", bulks("f1", "f2")},
			{"HVALS h", bulks("v1", "v2")},
			{"HMGET h f1 nofield", arr(bulk("v1"), "_\r\n")},
			{"HINCRBYFLOAT h n 1.5", bulk("1.5")},
		}},
		{name: "hincrby", steps: []step{
			{"HINCRBY h f 5", ints(5)},
			{"HINCRBY h f -7", ints(-2)},
			{"HGET h f", bulk("-2")},
			{"HINCRBY h f abc", rNotInt},
			{"HINCRBY nokey f abc", rNotInt},
			{"EXISTS nokey", rZero},
			{"HSET h s x big 9223372036854775807", ints(2)},
			{"HINCRBY h s 1", errr("ERR hash value is not an integer")},
			{"HINCRBY h big 1", rOverflow},
			{"HINCRBY h big -9223372036854775807", rZero},
			{"SET str v", rOK},
			{"HINCRBY str f abc", rNotInt},
			{"HINCRBY str f 1", rWrongType},
			{"HINCRBY h f", errr("ERR wrong number of arguments for 'hincrby' command")},
		}},
		{name: "hincrbyfloat", steps: []step{
			{"HINCRBYFLOAT h f 10.5", bulk("10.5")},
			{"HINCRBYFLOAT h f 0.1", bulk("10.6")},
			{"HGET h f", bulk("10.6")},
			{"HSET h g 0.1", rOne},
			{"HINCRBYFLOAT h g 0.2", bulk("0.3")},
			{"HSET h e 5.0e3", rOne},
			{"HINCRBYFLOAT h e 0", bulk("5000")},
			{"HINCRBYFLOAT h f abc", rNotFloat},
			{"HINCRBYFLOAT nokey f inf", errr("ERR value is NaN or Infinity")},
			{"HINCRBYFLOAT nokey f -inf", errr("ERR value is NaN or Infinity")},
			{"HINCRBYFLOAT nokey f nan", rNotFloat},
			{"EXISTS nokey", rZero},
			{"HSET h s x i inf", ints(2)},
			{"HINCRBYFLOAT h s 1", errr("ERR hash value is not a float")},
			{"HINCRBYFLOAT h i 1", errr("ERR increment would produce NaN or Infinity")},
			{"SET str v", rOK},
			{"HINCRBYFLOAT str f abc", rNotFloat},
			{"HINCRBYFLOAT str f 1", rWrongType},
		}},
		{name: "hash expiry", clock: true, steps: []step{
			{"HSET h f v", rOne},
			{"PEXPIRE h 100", rOne},
			{"HSET h g w", rOne},
			{"PTTL h", ints(100)},
			{"@advance 100", ""},
			{"HGET h f", rNull},
			{"HLEN h", rZero},
			{"HSET h f v", rOne},
			{"TTL h", ints(-1)},
		}},
	})
}

// A hash outgrows its compact encoding and keeps working.
func TestHashLarge(t *testing.T) {
	_, c := newTestServer(t)
	const n = 300
	for i := 0; i < n; i++ {
		if got := do(t, c, "HSET", "h", fmt.Sprint("f", i), fmt.Sprint("v", i)); got != rOne {
			t.Fatalf("HSET %d: %q", i, got)
		}
	}
	if got := do(t, c, "HLEN", "h"); got != ints(n) {
		t.Fatalf("HLEN: %q", got)
	}
	if got := do(t, c, "HGET", "h", "f123"); got != bulk("v123") {
		t.Fatalf("HGET: %q", got)
	}
	long := strings.Repeat("y", 100)
	do(t, c, "HSET", "h2", "f", long)
	if got := do(t, c, "HGET", "h2", "f"); got != bulk(long) {
		t.Fatalf("HGET long: %q", got)
	}
	// HKEYS of a hashtable: any order, every field once.
	keys := parseBulkArray(t, do(t, c, "HKEYS", "h"))
	sort.Strings(keys)
	if len(keys) != n || keys[0] != "f0" || keys[n-1] != "f99" {
		t.Fatalf("HKEYS: %d keys, first %q", len(keys), keys[0])
	}
	all := parseBulkArray(t, do(t, c, "HGETALL", "h"))
	if len(all) != 2*n {
		t.Fatalf("HGETALL: %d elements", len(all))
	}
	for i := 0; i < len(all); i += 2 {
		if "v"+all[i][1:] != all[i+1] {
			t.Fatalf("HGETALL pair %q %q", all[i], all[i+1])
		}
	}
	for i := 0; i < n; i++ {
		do(t, c, "HDEL", "h", fmt.Sprint("f", i))
	}
	if got := do(t, c, "EXISTS", "h"); got != rZero {
		t.Fatalf("EXISTS after deleting every field: %q", got)
	}
}

func TestHashValuesAreCopied(t *testing.T) {
	_, c := newTestServer(t)
	do(t, c, "HSET", "h", "field1", "value1", "field2", "value2")
	do(t, c, "HSETNX", "h", "field3", "value3")
	do(t, c, "HMSET", "h", "field4", "value4")
	got := do(t, c, "HGETALL", "h")
	want := bulks("field1", "value1", "field2", "value2", "field3", "value3", "field4", "value4")
	if got != want {
		t.Fatalf("HGETALL = %q, want %q", got, want)
	}
}

// parseBulkArray reads a RESP2 array of bulk strings.
func parseBulkArray(t *testing.T, s string) []string {
	t.Helper()
	lines := strings.Split(s, "\r\n")
	n, err := strconv.Atoi(strings.TrimPrefix(lines[0], "*"))
	if err != nil || !strings.HasPrefix(lines[0], "*") {
		t.Fatalf("not an array: %q", s)
	}
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, lines[2+2*i])
	}
	return out
}

// The hot path of GET SET INCR HSET HGET does not allocate for an existing
// key (SET and HSET of a same-sized value reuse memory where they can).
func TestHotPathAllocations(t *testing.T) {
	s, c := newTestServer(t)
	do(t, c, "SET", "k", "value")
	do(t, c, "SET", "n", "100")
	do(t, c, "HSET", "h", "f", "value")
	cases := []struct {
		args []string
		max  float64
	}{
		{[]string{"get", "k"}, 0},
		{[]string{"GET", "k"}, 0},
		{[]string{"set", "k", "other"}, 0},
		{[]string{"incr", "n"}, 0},
		{[]string{"hget", "h", "f"}, 0},
		{[]string{"hset", "h", "f", "other"}, 1}, // the hash copies the value
		{[]string{"exists", "k"}, 0},
		{[]string{"ttl", "k"}, 0},
	}
	for _, tc := range cases {
		argv := make([][]byte, len(tc.args))
		for i, a := range tc.args {
			argv[i] = []byte(a)
		}
		s.mu.Lock()
		s.now = clockOf(s)
		allocs := testing.AllocsPerRun(100, func() {
			c.exec(argv)
			c.buf.Reset()
		})
		s.mu.Unlock()
		if allocs > tc.max {
			t.Errorf("%v: %.1f allocations per run, want at most %.0f", tc.args, allocs, tc.max)
		}
	}
}
