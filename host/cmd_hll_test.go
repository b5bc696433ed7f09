package host

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestHLLCommands(t *testing.T) {
	runScripts(t, []script{
		{name: "pfadd pfcount", steps: []step{
			{`PFADD h a b c`, rOne},
			{`GET h`, bulk("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80`\xf3\x80P\xb1\x84K\xfb\x80BZ")},
			{`PFCOUNT h`, ints(3)},
			{`GET h`, bulk("HYLL\x01\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00`\xf3\x80P\xb1\x84K\xfb\x80BZ")},
			{`PFADD h a`, rZero},
			{`PFADD h d`, rOne},
			{`GET h`, bulk("HYLL\x01\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x80\\{\x80Dv\x80P\xb1\x84K\xfb\x80BZ")},
			{`PFCOUNT h`, ints(4)},
			{`PFADD h2`, rOne},
			{`GET h2`, bulk("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff")},
			{`PFADD h2`, rZero},
			{`PFCOUNT h2`, rZero},
			{`PFCOUNT nokey`, rZero},
			{`PFCOUNT h h2 nokey`, ints(4)},
			{`PFCOUNT nokey nokey2`, rZero},
			{`PFADD h3 foo bar zap`, rOne},
			{`PFCOUNT h h3`, ints(7)},
			{`PFADD`, errr("ERR wrong number of arguments for 'pfadd' command")},
			{`PFCOUNT`, errr("ERR wrong number of arguments for 'pfcount' command")},
		}},
		{name: "pfmerge", steps: []step{
			{`PFADD a 1 2 3`, rOne},
			{`PFADD b 3 4 5`, rOne},
			{`PFMERGE d a b`, rOK},
			{`PFCOUNT d`, ints(5)},
			{`GET d`, bulk("HYLL\x01\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00A\xee\x84H#\x80SQ\x80Mt\x80Q,\x8cC\xf3")},
			{`PFMERGE d`, rOK},
			{`PFCOUNT d`, ints(5)},
			{`PFMERGE e`, rOK},
			{`GET e`, bulk("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff")},
			{`PFMERGE f nokey`, rOK},
			{`EXISTS f`, rOne},
			{`PFCOUNT f`, rZero},
			{`PFADD d 6`, rOne},
			{`PFMERGE d a`, rOK},
			{`PFCOUNT d`, ints(6)},
			{`PFMERGE`, errr("ERR wrong number of arguments for 'pfmerge' command")},
		}},
		{name: "wrong types", steps: []step{
			{`SET s hello`, rOK},
			{`PFADD s a`, errr("WRONGTYPE Key is not a valid HyperLogLog string value.")},
			{`PFCOUNT s`, errr("WRONGTYPE Key is not a valid HyperLogLog string value.")},
			{`PFCOUNT s h`, errr("WRONGTYPE Key is not a valid HyperLogLog string value.")},
			{`PFMERGE s`, errr("WRONGTYPE Key is not a valid HyperLogLog string value.")},
			{`PFMERGE d s`, errr("WRONGTYPE Key is not a valid HyperLogLog string value.")},
			{`HSET hh f v`, rOne},
			{`PFADD hh a`, rWrongType},
			{`PFCOUNT hh`, rWrongType},
			{`PFCOUNT nokey hh`, rWrongType},
			{`PFMERGE hh`, rWrongType},
			{`PFMERGE d hh`, rWrongType},
			{`SET hd "HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"`, rOK},
			{`PFADD hd a`, errr("WRONGTYPE Key is not a valid HyperLogLog string value.")},
			{`PFCOUNT hd`, errr("WRONGTYPE Key is not a valid HyperLogLog string value.")},
			{`SET he "HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff"`, rOK},
			{`PFADD he a`, errr("WRONGTYPE Key is not a valid HyperLogLog string value.")},
			{`SET short "HYLL\x01"`, rOK},
			{`PFCOUNT short`, errr("WRONGTYPE Key is not a valid HyperLogLog string value.")},
		}},
		{name: "corrupt", steps: []step{
			{`SET c1 "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff\x7f\xff"`, rOK},
			{`PFCOUNT c1`, errr("INVALIDOBJ Corrupted HLL object detected")},
			{`PFADD c1 a`, rOne},
			{`PFCOUNT c1 nokey`, errr("INVALIDOBJ Corrupted HLL object detected")},
			{`PFMERGE d c1`, errr("INVALIDOBJ Corrupted HLL object detected")},
			{`SET c2 "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfe"`, rOK},
			{`PFCOUNT c2`, errr("INVALIDOBJ Corrupted HLL object detected")},
			{`PFADD c2 a b c`, rOne},
			{`SET c3 "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"`, rOK},
			{`PFCOUNT c3`, errr("INVALIDOBJ Corrupted HLL object detected")},
			{`PFADD c3 a`, errr("INVALIDOBJ Corrupted HLL object detected")},
			{`SET c4 "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff\x80"`, rOK},
			{`PFCOUNT c4`, errr("INVALIDOBJ Corrupted HLL object detected")},
			{`SET c5 "HYLL\x01\x00\x00\x00\x2a\x00\x00\x00\x00\x00\x00\x00\x7f\xff"`, rOK},
			{`PFCOUNT c5`, ints(42)},
			{`PFADD c5 a`, rOne},
			{`PFCOUNT c5`, rOne},
			{`SET c6 "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfc\x83"`, rOK},
			{`PFCOUNT c6`, errr("INVALIDOBJ Corrupted HLL object detected")},
			{`PFADD c6 a`, rOne},
			{`GET c6`, bulk("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80q\xa6\x84NT\x83")},
			{`PFCOUNT c6`, errr("INVALIDOBJ Corrupted HLL object detected")},
		}},
		{name: "resp3", p3: true, steps: []step{
			{`PFADD h a b c`, rOne},
			{`PFCOUNT h`, ints(3)},
			{`PFCOUNT h nokey`, ints(3)},
			{`PFMERGE d h`, rOK},
		}},
	})
}

// TestHLLAgainstRedis adds 1..100000 (and a second set) to HyperLogLogs in
// Modis and in the real Redis, in random batches, and requires the same
// replies, the same counts and the same bytes all along; values copied
// from Redis to Modis (GET then SET) and back keep counting the same.
func TestHLLAgainstRedis(t *testing.T) {
	rc := dialCmpRedis(t)
	_, c := newTestServer(t)
	both := func(args ...string) string {
		t.Helper()
		want := rc.do(args...)
		if got := do(t, c, args...); got != want {
			t.Fatalf("%.80q\n got: %.200q\nredis: %.200q", args, got, want)
		}
		return want
	}
	r := rand.New(rand.NewPCG(1, 2))
	next, batches := 1, 0
	for next <= 100000 {
		args := []string{"PFADD", "h"}
		args2 := []string{"PFADD", "h2"}
		for n := 1 + r.IntN(60); n > 0 && next <= 100000; n-- {
			args = append(args, strconv.Itoa(next))
			args2 = append(args2, "x"+strconv.Itoa(next*3))
			next++
		}
		both(args...)
		if next < 20000 {
			both(args2...)
		}
		batches++
		if batches%40 == 0 || next < 4000 && batches%5 == 0 {
			both("PFCOUNT", "h")
			both("GET", "h")
			both("PFCOUNT", "h", "h2")
			both("PFMERGE", "m", "h2", "h")
			both("GET", "m")
			both("PFCOUNT", "m")
		}
	}
	// Copy Redis's value into Modis under another name, and Modis's into
	// Redis: both go on the same.
	val := rc.do("GET", "h")
	raw := val[len(strconv.Itoa(len(val)))+3:] // skip "$<n>\r\n"
	raw = raw[:len(raw)-2]
	rc.do("SET", "fromredis", raw)
	do(t, c, "SET", "fromredis", raw)
	both("PFCOUNT", "fromredis")
	both("PFADD", "fromredis", "new1", "new2", "new3")
	both("PFCOUNT", "fromredis")
	both("GET", "fromredis")
	both("PFCOUNT", "fromredis", "h2", "nokey")
}

// TestHLLSparseFuzz compares small HyperLogLogs (sparse, and at the edge of
// promotion) with the real Redis, merges included.
func TestHLLSparseFuzz(t *testing.T) {
	keys := []string{"a", "b", "c"}
	fuzzAgainstRedis(t, 6000, func(r *rand.Rand) []string {
		k := keys[r.IntN(len(keys))]
		switch r.IntN(10) {
		case 0:
			return []string{"PFCOUNT", k}
		case 1:
			return []string{"PFCOUNT", k, keys[r.IntN(3)]}
		case 2:
			return []string{"PFMERGE", k, keys[r.IntN(3)]}
		case 3:
			return []string{"GET", k}
		case 4:
			if r.IntN(20) == 0 {
				return []string{"DEL", k}
			}
			return []string{"STRLEN", k}
		default:
			args := []string{"PFADD", k}
			for n := r.IntN(30); n > 0; n-- {
				args = append(args, strconv.Itoa(r.IntN(4000)))
			}
			return args
		}
	})
}
