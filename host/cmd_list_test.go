package host

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// List command scripts. Every script not marked clock was run against
// redis-server 7.0.15 with MODIS_COMPARE_REDIS. Blocking commands on empty
// keys are run inside MULTI, where Redis does not block either (the
// in-process test client can never block); blocking itself is tested with
// real connections in test/list_blocking_test.go.

const (
	lNullArr  = "*-1\r\n"
	lNull3    = "_\r\n"
	lPositive = "-ERR value is out of range, must be positive\r\n"
)

func lArity(cmd string) string {
	return errr("ERR wrong number of arguments for '" + cmd + "' command")
}

func TestListPushPop(t *testing.T) {
	runScripts(t, []script{
		{name: "push and pop", steps: []step{
			{"RPUSH l a b c", ints(3)},
			{"LPUSH l x y", ints(5)},
			{"LRANGE l 0 -1", bulks("y", "x", "a", "b", "c")},
			{"TYPE l", "+list\r\n"},
			{"OBJECT ENCODING l", bulk("quicklist")},
			{"LPUSHX nokey a", rZero},
			{"RPUSHX nokey a", rZero},
			{"EXISTS nokey", rZero},
			{"RPUSHX l z w", ints(7)},
			{"LPUSHX l q", ints(8)},
			{"LPOP l", bulk("q")},
			{"RPOP l", bulk("w")},
			{"LPOP l 0", rEmpty},
			{"LPOP l 2", bulks("y", "x")},
			{"RPOP l 2", bulks("z", "c")},
			{"LLEN l", ints(2)},
			{"RPOP l 5", bulks("b", "a")},
			{"EXISTS l", rZero},
			{"LPOP l", rNull},
			{"RPOP l", rNull},
			{"LPOP l 2", lNullArr},
			{"RPOP l 0", lNullArr},
			{"LPOP l -1", lPositive},
			{"LPOP l abc", lPositive},
			{"LPOP l 9223372036854775808", lPositive},
			{"LPOP l 1 2", lArity("lpop")},
			{"RPOP l 1 2", lArity("rpop")},
			{"LPUSH l", lArity("lpush")},
			{"RPUSHX l", lArity("rpushx")},
			{"LPOP", lArity("lpop")},
			{"RPUSH l a", ints(1)},
			{"LPOP l 9223372036854775807", bulks("a")},
			{"RPUSH l a b", ints(2)},
			{"RPOP l 1", bulks("b")},
			{"LPOP l", bulk("a")},
			{"EXISTS l", rZero},
			{`RPUSH bin "\x00\xff" ""`, ints(2)},
			{"LRANGE bin 0 -1", arr(bulk("\x00\xff"), bulk(""))},
		}},
		{name: "wrong type", steps: []step{
			{"SET s x", rOK},
			{"LPUSH s a", rWrongType},
			{"RPUSH s a", rWrongType},
			{"LPUSHX s a", rWrongType},
			{"RPUSHX s a", rWrongType},
			{"LPOP s", rWrongType},
			{"RPOP s 0", rWrongType},
			{"LPOP s -1", lPositive},
			{"LLEN s", rWrongType},
			{"LRANGE s 0 -1", rWrongType},
			{"LRANGE s a 1", rNotInt},
			{"LINDEX s 0", rWrongType},
			{"LINDEX s abc", rWrongType},
			{"LSET s 0 x", rWrongType},
			{"LSET s abc x", rWrongType},
			{"LREM s 0 x", rWrongType},
			{"LREM s x x", rNotInt},
			{"LTRIM s 0 1", rWrongType},
			{"LTRIM s a 1", rNotInt},
			{"LINSERT s BEFORE a b", rWrongType},
			{"LINSERT s MIDDLE a b", rSyntax},
			{"LPOS s a", rWrongType},
			{"LPOS s a RANK 0", errr("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")},
			{"LMOVE s d LEFT LEFT", rWrongType},
			{"RPOPLPUSH s d", rWrongType},
			{"LMPOP 1 s LEFT", rWrongType},
			{"BLPOP s 0", rWrongType},
			{"BRPOP nokey s 0", rWrongType},
			{"BLMOVE s d LEFT LEFT 0", rWrongType},
			{"BRPOPLPUSH s d 0", rWrongType},
			{"BLMPOP 0 1 s LEFT", rWrongType},
			{"GET s", bulk("x")},
		}},
		{name: "resp3", p3: true, steps: []step{
			{"LPOP nokey", lNull3},
			{"LPOP nokey 2", lNull3},
			{"RPOP nokey 0", lNull3},
			{"LINDEX nokey 0", lNull3},
			{"LPOS nokey a", lNull3},
			{"LMOVE nokey d LEFT LEFT", lNull3},
			{"LMPOP 1 nokey LEFT", lNull3},
			{"RPUSH l a b c", ints(3)},
			{"LPOP l 0", rEmpty},
			{"LPOP l", bulk("a")},
			{"RPOP l 1", bulks("c")},
			{"LINDEX l 5", lNull3},
			{"LPOS l zz", lNull3},
			{"LPOS l b COUNT 0", arr(ints(0))},
			{"LMPOP 1 l LEFT COUNT 5", arr(bulk("l"), bulks("b"))},
			{"MULTI", rOK},
			{"BLPOP l 0", "+QUEUED\r\n"},
			{"BLMOVE l d LEFT LEFT 0", "+QUEUED\r\n"},
			{"BLMPOP 0 1 l LEFT", "+QUEUED\r\n"},
			{"EXEC", arr(lNull3, lNull3, lNull3)},
		}},
	})
}

func TestListReads(t *testing.T) {
	runScripts(t, []script{
		{name: "lrange", steps: []step{
			{"LRANGE nokey 0 -1", rEmpty},
			{"LRANGE nokey a 0", rNotInt},
			{"RPUSH l a b c d e", ints(5)},
			{"LRANGE l 0 0", bulks("a")},
			{"LRANGE l 1 3", bulks("b", "c", "d")},
			{"LRANGE l -2 -1", bulks("d", "e")},
			{"LRANGE l -100 1", bulks("a", "b")},
			{"LRANGE l 3 100", bulks("d", "e")},
			{"LRANGE l 3 2", rEmpty},
			{"LRANGE l 5 10", rEmpty},
			{"LRANGE l -1 -2", rEmpty},
			{"LRANGE l 0 -6", rEmpty},
			{"LRANGE l -9223372036854775808 9223372036854775807", bulks("a", "b", "c", "d", "e")},
			{"LRANGE l 0 1.5", rNotInt},
			{"LRANGE l 01 2", rNotInt},
			{"LRANGE l 0", lArity("lrange")},
		}},
		{name: "lindex and llen", steps: []step{
			{"LINDEX nokey 0", rNull},
			{"LINDEX nokey abc", rNull},
			{"LLEN nokey", rZero},
			{"RPUSH l a b c", ints(3)},
			{"LLEN l", ints(3)},
			{"LINDEX l 0", bulk("a")},
			{"LINDEX l 2", bulk("c")},
			{"LINDEX l 3", rNull},
			{"LINDEX l -1", bulk("c")},
			{"LINDEX l -3", bulk("a")},
			{"LINDEX l -4", rNull},
			{"LINDEX l abc", rNotInt},
			{"LINDEX l -9223372036854775808", rNull},
			{"LLEN l extra", lArity("llen")},
		}},
		{name: "lpos", steps: []step{
			{"LPOS nokey a", rNull},
			{"LPOS nokey a COUNT 0", rEmpty},
			{"LPOS nokey a COUNT 2 RANK -1 MAXLEN 3", rEmpty},
			{"RPUSH l a b c 1 2 3 c c", ints(8)},
			{"LPOS l c", ints(2)},
			{"LPOS l zz", rNull},
			{"LPOS l c RANK 1", ints(2)},
			{"LPOS l c RANK 2", ints(6)},
			{"LPOS l c RANK 4", rNull},
			{"LPOS l c RANK -1", ints(7)},
			{"LPOS l c RANK -3", ints(2)},
			{"LPOS l c COUNT 0", arr(ints(2), ints(6), ints(7))},
			{"LPOS l c COUNT 2", arr(ints(2), ints(6))},
			{"LPOS l c COUNT 2 RANK 2", arr(ints(6), ints(7))},
			{"LPOS l c COUNT 0 RANK -1", arr(ints(7), ints(6), ints(2))},
			{"LPOS l c COUNT 1 RANK -2", arr(ints(6))},
			{"LPOS l zz COUNT 0", rEmpty},
			{"LPOS l c MAXLEN 2", rNull},
			{"LPOS l c MAXLEN 3", ints(2)},
			{"LPOS l c RANK -1 MAXLEN 1", ints(7)},
			{"LPOS l a RANK -1 MAXLEN 7", rNull},
			{"LPOS l c COUNT 0 MAXLEN 7", arr(ints(2), ints(6))},
			{"LPOS l c COUNT 0 MAXLEN 0", arr(ints(2), ints(6), ints(7))},
			{"lpos l c count 1 rank 1 maxlen 0", arr(ints(2))},
			{"LPOS l c RANK 1 RANK 2", ints(6)},
			{"LPOS l c RANK -9223372036854775808", ints(7)},
			{"LPOS l c RANK -9223372036854775808 COUNT 2", arr(ints(7), ints(6), ints(2))},
			{"LPOS l c RANK 9223372036854775807", rNull},
			{"LPOS l c RANK 0", errr("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")},
			{"LPOS l c RANK abc", rNotInt},
			{"LPOS l c RANK 9223372036854775808", rNotInt},
			{"LPOS l c COUNT -1", errr("ERR COUNT can't be negative")},
			{"LPOS l c COUNT abc", errr("ERR COUNT can't be negative")},
			{"LPOS l c MAXLEN -1", errr("ERR MAXLEN can't be negative")},
			{"LPOS l c MAXLEN x", errr("ERR MAXLEN can't be negative")},
			{"LPOS l c RANK", rSyntax},
			{"LPOS l c COUNT", rSyntax},
			{"LPOS l c FOO 1", rSyntax},
			{"LPOS l c RANK 1 FOO", rSyntax},
			{"LPOS nokey c FOO", rSyntax},
			{"LPOS nokey c COUNT -1", errr("ERR COUNT can't be negative")},
			{"LPOS l", lArity("lpos")},
		}},
	})
}

func TestListWrites(t *testing.T) {
	runScripts(t, []script{
		{name: "lset", steps: []step{
			{"LSET nokey 0 x", errr("ERR no such key")},
			{"LSET nokey abc x", errr("ERR no such key")},
			{"RPUSH l a b c", ints(3)},
			{"LSET l 0 A", rOK},
			{"LSET l -1 Cee", rOK},
			{"LSET l 1 ''", rOK},
			{"LRANGE l 0 -1", bulks("A", "", "Cee")},
			{"LSET l 3 x", errr("ERR index out of range")},
			{"LSET l -4 x", errr("ERR index out of range")},
			{"LSET l abc x", rNotInt},
			{"LSET l 0", lArity("lset")},
		}},
		{name: "lrem", steps: []step{
			{"LREM nokey 0 a", rZero},
			{"LREM nokey abc a", rNotInt},
			{"RPUSH l a b a c a b a", ints(7)},
			{"LREM l 2 a", ints(2)},
			{"LRANGE l 0 -1", bulks("b", "c", "a", "b", "a")},
			{"LREM l -1 a", ints(1)},
			{"LRANGE l 0 -1", bulks("b", "c", "a", "b")},
			{"LREM l 0 b", ints(2)},
			{"LRANGE l 0 -1", bulks("c", "a")},
			{"LREM l 0 zz", rZero},
			{"LREM l 5 c", ints(1)},
			{"LREM l -5 a", ints(1)},
			{"EXISTS l", rZero},
			{"RPUSH l x x x", ints(3)},
			{"LREM l -9223372036854775808 x", ints(3)},
			{"EXISTS l", rZero},
		}},
		{name: "ltrim", steps: []step{
			{"LTRIM nokey 0 1", rOK},
			{"LTRIM nokey a 1", rNotInt},
			{"EXISTS nokey", rZero},
			{"RPUSH l a b c d e f", ints(6)},
			{"LTRIM l 1 -2", rOK},
			{"LRANGE l 0 -1", bulks("b", "c", "d", "e")},
			{"LTRIM l -3 100", rOK},
			{"LRANGE l 0 -1", bulks("c", "d", "e")},
			{"LTRIM l -100 1", rOK},
			{"LRANGE l 0 -1", bulks("c", "d")},
			{"LTRIM l 0 -1", rOK},
			{"LLEN l", ints(2)},
			{"LTRIM l 1 0", rOK},
			{"EXISTS l", rZero},
			{"RPUSH l a b", ints(2)},
			{"LTRIM l 2 5", rOK},
			{"EXISTS l", rZero},
			{"RPUSH l a b", ints(2)},
			{"LTRIM l 0 -3", rOK},
			{"EXISTS l", rZero},
			{"RPUSH l a b", ints(2)},
			{"LTRIM l -9223372036854775808 9223372036854775807", rOK},
			{"LLEN l", ints(2)},
			{"LTRIM l 0 x", rNotInt},
		}},
		{name: "linsert", steps: []step{
			{"LINSERT nokey BEFORE a b", rZero},
			{"LINSERT nokey MIDDLE a b", rSyntax},
			{"EXISTS nokey", rZero},
			{"RPUSH l a b c b", ints(4)},
			{"LINSERT l BEFORE b x", ints(5)},
			{"LINSERT l after b y", ints(6)},
			{"LINSERT l before a first", ints(7)},
			{"LINSERT l AFTER c last", ints(8)},
			{"LRANGE l 0 -1", bulks("first", "a", "x", "b", "y", "c", "last", "b")},
			{"LINSERT l BEFORE zz x", ints(-1)},
			{"LINSERT l AFTER b", lArity("linsert")},
		}},
	})
}

func TestListMove(t *testing.T) {
	runScripts(t, []script{
		{name: "lmove", steps: []step{
			{"LMOVE nokey d LEFT LEFT", rNull},
			{"EXISTS d", rZero},
			{"LMOVE nokey d LEFT MIDDLE", rSyntax},
			{"LMOVE nokey d UP LEFT", rSyntax},
			{"RPUSH s a b c", ints(3)},
			{"LMOVE s d LEFT LEFT", bulk("a")},
			{"LMOVE s d RIGHT LEFT", bulk("c")},
			{"LRANGE d 0 -1", bulks("c", "a")},
			{"LMOVE s d left right", bulk("b")},
			{"EXISTS s", rZero},
			{"LRANGE d 0 -1", bulks("c", "a", "b")},
			{"RPOPLPUSH d d", bulk("b")},
			{"LRANGE d 0 -1", bulks("b", "c", "a")},
			{"LMOVE d d LEFT RIGHT", bulk("b")},
			{"LRANGE d 0 -1", bulks("c", "a", "b")},
			{"LMOVE d d LEFT LEFT", bulk("c")},
			{"LRANGE d 0 -1", bulks("c", "a", "b")},
			{"SET str x", rOK},
			{"LMOVE d str LEFT LEFT", rWrongType},
			{"RPOPLPUSH d str", rWrongType},
			{"LRANGE d 0 -1", bulks("c", "a", "b")},
			{"RPOPLPUSH d n", bulk("b")},
			{"RPOPLPUSH d n", bulk("a")},
			{"RPOPLPUSH d n", bulk("c")},
			{"RPOPLPUSH d n", rNull},
			{"LRANGE n 0 -1", bulks("c", "a", "b")},
			{"RPUSH one x", ints(1)},
			{"RPOPLPUSH one one", bulk("x")},
			{"LRANGE one 0 -1", bulks("x")},
			{"RPOPLPUSH one", lArity("rpoplpush")},
		}},
		{name: "lmpop", steps: []step{
			{"LMPOP 1 nokey LEFT", lNullArr},
			{"LMPOP 2 a b RIGHT COUNT 3", lNullArr},
			{"LMPOP 0 a LEFT", errr("ERR numkeys should be greater than 0")},
			{"LMPOP -1 a LEFT", errr("ERR numkeys should be greater than 0")},
			{"LMPOP abc a LEFT", errr("ERR numkeys should be greater than 0")},
			{"LMPOP 9223372036854775808 a LEFT", errr("ERR numkeys should be greater than 0")},
			{"LMPOP 9223372036854775807 a LEFT", rSyntax},
			{"LMPOP 2 a LEFT", rSyntax},
			{"LMPOP 1 a MIDDLE", rSyntax},
			{"LMPOP 1 a LEFT COUNT", rSyntax},
			{"LMPOP 1 a LEFT COUNT 0", errr("ERR count should be greater than 0")},
			{"LMPOP 1 a LEFT COUNT -1", errr("ERR count should be greater than 0")},
			{"LMPOP 1 a LEFT COUNT x", errr("ERR count should be greater than 0")},
			{"LMPOP 1 a LEFT COUNT 1 COUNT 1", rSyntax},
			{"LMPOP 1 a LEFT FOO", rSyntax},
			{"LMPOP 1 a", lArity("lmpop")},
			{"RPUSH b 1 2 3 4", ints(4)},
			{"RPUSH c x", ints(1)},
			{"LMPOP 3 a b c LEFT", arr(bulk("b"), bulks("1"))},
			{"LMPOP 3 a b c RIGHT COUNT 2", arr(bulk("b"), bulks("4", "3"))},
			{"lmpop 2 b c left count 10", arr(bulk("b"), bulks("2"))},
			{"EXISTS b", rZero},
			{"LMPOP 2 b c RIGHT COUNT 9223372036854775807", arr(bulk("c"), bulks("x"))},
			{"EXISTS c", rZero},
			{"SET s x", rOK},
			{"RPUSH c x", ints(1)},
			{"LMPOP 2 s c LEFT", rWrongType},
			{"LMPOP 2 c s LEFT", arr(bulk("c"), bulks("x"))},
		}},
	})
}

func TestListBlockingImmediate(t *testing.T) {
	runScripts(t, []script{
		{name: "served at once", steps: []step{
			{"RPUSH a 1 2 3", ints(3)},
			{"RPUSH b x", ints(1)},
			{"BLPOP nokey a b 0", arr(bulk("a"), bulk("1"))},
			{"BRPOP nokey a b 0", arr(bulk("a"), bulk("3"))},
			{"BRPOP b a 0.5", arr(bulk("b"), bulk("x"))},
			{"EXISTS b", rZero},
			{"BLMOVE a d LEFT RIGHT 0", bulk("2")},
			{"EXISTS a", rZero},
			{"BRPOPLPUSH d a 0", bulk("2")},
			{"RPUSH a 3 4 5", ints(4)},
			{"BLMPOP 0 2 nokey a RIGHT COUNT 2", arr(bulk("a"), bulks("5", "4"))},
			{"BLMPOP 0 1 a LEFT COUNT 5", arr(bulk("a"), bulks("2", "3"))},
			{"EXISTS a", rZero},
		}},
		{name: "in multi", steps: []step{
			{"MULTI", rOK},
			{"BLPOP nokey 0", "+QUEUED\r\n"},
			{"BRPOP nokey other 1", "+QUEUED\r\n"},
			{"BLMOVE nokey d LEFT LEFT 0", "+QUEUED\r\n"},
			{"BRPOPLPUSH nokey d 0", "+QUEUED\r\n"},
			{"BLMPOP 0 1 nokey LEFT", "+QUEUED\r\n"},
			{"RPUSH nokey v", "+QUEUED\r\n"},
			{"BLPOP nokey 0", "+QUEUED\r\n"},
			{"EXEC", arr(lNullArr, lNullArr, rNull, rNull, lNullArr, ints(1), arr(bulk("nokey"), bulk("v")))},
			{"EXISTS d", rZero},
		}},
		{name: "argument errors", steps: []step{
			{"BLPOP a abc", errr("ERR timeout is not a float or out of range")},
			{"BLPOP a -1", errr("ERR timeout is negative")},
			{"BRPOP a", lArity("brpop")},
			{"BLMOVE a b LEFT MIDDLE 0", rSyntax},
			{"BLMOVE a b LEFT LEFT x", errr("ERR timeout is not a float or out of range")},
			{"BLMOVE a b MIDDLE LEFT x", rSyntax},
			{"BRPOPLPUSH a b x", errr("ERR timeout is not a float or out of range")},
			{"BRPOPLPUSH a b -1", errr("ERR timeout is negative")},
			{"BLMPOP abc 0 a LEFT", errr("ERR numkeys should be greater than 0")},
			{"BLMPOP abc 1 a LEFT", errr("ERR timeout is not a float or out of range")},
			{"BLMPOP -1 1 a LEFT", errr("ERR timeout is negative")},
			{"BLMPOP 0 1 a MIDDLE", rSyntax},
			{"BLMPOP 0 2 a LEFT", rSyntax},
			{"BLMPOP 0 1 a LEFT COUNT 0", errr("ERR count should be greater than 0")},
			{"BLMPOP 0 1 a LEFT COUNT 1 x", rSyntax},
			{"BLMPOP 0 1 a", lArity("blmpop")},
		}},
	})
}

// TestListCommandInfo checks the table entries against what Redis 7.0.15's
// COMMAND INFO reports.
func TestListCommandInfo(t *testing.T) {
	s, _ := newTestServer(t)
	want := map[string]string{
		"lpush":      "-3 write,denyoom,fast 1 1 1",
		"rpush":      "-3 write,denyoom,fast 1 1 1",
		"lpushx":     "-3 write,denyoom,fast 1 1 1",
		"rpushx":     "-3 write,denyoom,fast 1 1 1",
		"lpop":       "-2 write,fast 1 1 1",
		"rpop":       "-2 write,fast 1 1 1",
		"llen":       "2 readonly,fast 1 1 1",
		"lrange":     "4 readonly 1 1 1",
		"lindex":     "3 readonly 1 1 1",
		"lset":       "4 write,denyoom 1 1 1",
		"lrem":       "4 write 1 1 1",
		"ltrim":      "4 write 1 1 1",
		"linsert":    "5 write,denyoom 1 1 1",
		"lpos":       "-3 readonly 1 1 1",
		"lmove":      "5 write,denyoom 1 2 1",
		"rpoplpush":  "3 write,denyoom 1 2 1",
		"lmpop":      "-4 write,movablekeys 0 0 0",
		"blpop":      "-3 write,noscript,blocking 1 -2 1",
		"brpop":      "-3 write,noscript,blocking 1 -2 1",
		"blmove":     "6 write,denyoom,noscript,blocking 1 2 1",
		"brpoplpush": "4 write,denyoom,noscript,blocking 1 2 1",
		"blmpop":     "-5 write,blocking,movablekeys 0 0 0",
	}
	for name, w := range want {
		c := s.table.Get(name)
		if c == nil {
			t.Errorf("%s: not registered", name)
			continue
		}
		got := strings.Join([]string{
			lItoa(c.Arity), strings.Join(c.Flags.Names(), ","), lItoa(c.FirstKey), lItoa(c.LastKey), lItoa(c.Step),
		}, " ")
		if got != w || c.Group != "list" || c.Summary == "" || c.Since == "" {
			t.Errorf("%s: %s (group %q), want %s", name, got, c.Group, w)
		}
	}
}

func lItoa(n int) string { return strings.TrimSuffix(strings.TrimPrefix(ints(int64(n)), ":"), "\r\n") }

// A push and a pop on an existing list allocate nothing.
func TestListHotPathAllocs(t *testing.T) {
	_, c := newTestServer(t)
	do(t, c, "RPUSH", "l", "a", "b", "c")
	push := [][]byte{[]byte("RPUSH"), []byte("l"), []byte("v")}
	pop := [][]byte{[]byte("LPOP"), []byte("l")}
	lrange := [][]byte{[]byte("LRANGE"), []byte("l"), []byte("0"), []byte("-1")}
	lindex := [][]byte{[]byte("LINDEX"), []byte("l"), []byte("1")}
	s := c.srv
	for i := 0; i < 100; i++ { // warm the buffers
		c.exec(push)
		c.exec(pop)
		c.exec(lrange)
		c.buf.Reset()
	}
	allocs := testing.AllocsPerRun(1000, func() {
		s.mu.Lock()
		c.exec(push)
		c.exec(pop)
		c.exec(lrange)
		c.exec(lindex)
		c.buf.Reset()
		s.mu.Unlock()
	})
	if allocs > 0 {
		t.Errorf("%.2f allocations per RPUSH+LPOP+LRANGE+LINDEX", allocs)
	}
}

// TestListRandomScript drives a long list (thousands of elements, values
// from one byte to beyond a chunk) through random commands whose replies
// come from a plain slice model; with MODIS_COMPARE_REDIS the same script
// runs against Redis, which checks the model too.
func TestListRandomScript(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	var m []string
	var steps []step
	add := func(cmd, want string) { steps = append(steps, step{cmd, want}) }
	value := func() string {
		switch r := rng.Intn(100); {
		case r < 40:
			return fmt.Sprint("v", rng.Intn(8))
		case r < 97:
			return strings.Repeat(string(rune('a'+rng.Intn(26))), 1+rng.Intn(40))
		default:
			return strings.Repeat("B", 5000+rng.Intn(6000))
		}
	}
	bulkList := func(vs []string) string { return bulks(vs...) }
	norm := func(i int) int {
		if i < 0 {
			i += len(m)
		}
		return i
	}
	for len(steps) < 1500 {
		switch op := rng.Intn(16); {
		case op < 4 || len(m) < 200 && op < 8:
			n := 1 + rng.Intn(30)
			vs := make([]string, n)
			for i := range vs {
				vs[i] = value()
			}
			if op%2 == 0 {
				for _, v := range vs {
					m = append([]string{v}, m...)
				}
				add("LPUSH l "+strings.Join(vs, " "), ints(int64(len(m))))
			} else {
				m = append(m, vs...)
				add("RPUSH l "+strings.Join(vs, " "), ints(int64(len(m))))
			}
		case op == 4:
			n := rng.Intn(4)
			if len(m) == 0 {
				continue
			}
			n = min(n, len(m))
			got := append([]string(nil), m[:n]...)
			m = m[n:]
			add(fmt.Sprint("LPOP l ", n), bulkList(got))
		case op == 5:
			if len(m) < 2 {
				continue
			}
			v := m[len(m)-1]
			m = m[:len(m)-1]
			add("RPOP l", bulk(v))
		case op == 6:
			if len(m) == 0 {
				continue
			}
			i := rng.Intn(2*len(m)) - len(m)
			add(fmt.Sprint("LINDEX l ", i), bulk(m[norm(i)]))
		case op == 7:
			a, b := rng.Intn(len(m)+10), rng.Intn(len(m)+10)
			if a > b {
				a, b = b, a
			}
			want := []string{}
			if a < len(m) {
				want = m[a:min(b+1, len(m))]
			}
			add(fmt.Sprint("LRANGE l ", a, " ", b), bulkList(want))
		case op == 8:
			if len(m) == 0 {
				continue
			}
			i := rng.Intn(len(m))
			v := value()
			m[i] = v
			add(fmt.Sprint("LSET l ", i, " ", v), rOK)
		case op == 9:
			if len(m) == 0 {
				continue
			}
			pivot, v := m[rng.Intn(len(m))], value()
			where := []string{"BEFORE", "AFTER"}[rng.Intn(2)]
			i := 0
			for m[i] != pivot {
				i++
			}
			if where == "AFTER" {
				i++
			}
			m = append(m[:i], append([]string{v}, m[i:]...)...)
			add("LINSERT l "+where+" "+pivot+" "+v, ints(int64(len(m))))
		case op == 10:
			v := fmt.Sprint("v", rng.Intn(8))
			count := rng.Intn(9) - 4
			var keep []string
			removed := 0
			if count >= 0 {
				for _, e := range m {
					if e == v && (count == 0 || removed < count) {
						removed++
						continue
					}
					keep = append(keep, e)
				}
			} else {
				for i := len(m) - 1; i >= 0; i-- {
					if m[i] == v && removed < -count {
						removed++
						continue
					}
					keep = append([]string{m[i]}, keep...)
				}
			}
			m = keep
			add(fmt.Sprint("LREM l ", count, " ", v), ints(int64(removed)))
		case op == 11:
			v := fmt.Sprint("v", rng.Intn(8))
			rank := rng.Intn(7) - 3
			if rank == 0 {
				rank = 1
			}
			count, maxlen := rng.Intn(4), rng.Intn(len(m)+1)
			var found []string
			seen := 0
			for k := 0; k < len(m) && (maxlen == 0 || k < maxlen); k++ {
				i := k
				if rank < 0 {
					i = len(m) - 1 - k
				}
				if m[i] == v {
					seen++
					if seen >= max(rank, -rank) {
						found = append(found, ints(int64(i)))
						if count != 0 && len(found) >= count {
							break
						}
					}
				}
			}
			add(fmt.Sprint("LPOS l ", v, " RANK ", rank, " COUNT ", count, " MAXLEN ", maxlen), arr(found...))
		case op == 12:
			if len(m) < 100 {
				continue
			}
			a, b := rng.Intn(10), len(m)-1-rng.Intn(10)
			m = m[a : b+1]
			add(fmt.Sprint("LTRIM l ", a, " ", b), rOK)
		case op == 13:
			if len(m) == 0 {
				continue
			}
			from, to := []string{"LEFT", "RIGHT"}[rng.Intn(2)], []string{"LEFT", "RIGHT"}[rng.Intn(2)]
			var v string
			if from == "LEFT" {
				v, m = m[0], m[1:]
			} else {
				v, m = m[len(m)-1], m[:len(m)-1]
			}
			if to == "LEFT" {
				m = append([]string{v}, m...)
			} else {
				m = append(m, v)
			}
			add("LMOVE l l "+from+" "+to, bulk(v))
		default:
			add("LLEN l", ints(int64(len(m))))
		}
	}
	add("LRANGE l 0 -1", bulkList(m))
	t.Logf("%d steps, %d elements at the end", len(steps), len(m))
	runScripts(t, []script{{name: "random", steps: steps}})
}
