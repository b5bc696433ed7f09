package host

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
)

func TestBitmapCommands(t *testing.T) {
	runScripts(t, []script{
		{name: "setbit getbit", steps: []step{
			{`SETBIT b 7 1`, rZero},
			{`GETBIT b 7`, rOne},
			{`GETBIT b 6`, rZero},
			{`GETBIT b 100`, rZero},
			{`GET b`, bulk("\x01")},
			{`SETBIT b 7 1`, rOne},
			{`SETBIT b 7 0`, rOne},
			{`GET b`, bulk("\x00")},
			{`SETBIT b 17 1`, rZero},
			{`GET b`, bulk("\x00\x00@")},
			{`STRLEN b`, ints(3)},
			{`SETBIT b 0 true`, errr("ERR bit is not an integer or out of range")},
			{`SETBIT b 0 2`, errr("ERR bit is not an integer or out of range")},
			{`SETBIT b 0 -1`, errr("ERR bit is not an integer or out of range")},
			{`SETBIT b -1 1`, errr("ERR bit offset is not an integer or out of range")},
			{`SETBIT b x 1`, errr("ERR bit offset is not an integer or out of range")},
			{`SETBIT b 4294967296 1`, errr("ERR bit offset is not an integer or out of range")},
			{`SETBIT b 01 1`, errr("ERR bit offset is not an integer or out of range")},
			{`GETBIT b 4294967296`, errr("ERR bit offset is not an integer or out of range")},
			{`GETBIT b -1`, errr("ERR bit offset is not an integer or out of range")},
			{`GETBIT nokey 5`, rZero},
			{`GETBIT nokey x`, errr("ERR bit offset is not an integer or out of range")},
			{`SET s "\xff"`, rOK},
			{`GETBIT s 0`, rOne},
			{`GETBIT s 7`, rOne},
			{`GETBIT s 8`, rZero},
			{`SETBIT s 3 0`, rOne},
			{`GET s`, bulk("\xef")},
			{`HSET h f v`, rOne},
			{`SETBIT h 1 1`, rWrongType},
			{`GETBIT h 1`, rWrongType},
			{`GETBIT h x`, errr("ERR bit offset is not an integer or out of range")},
			{`SETBIT h x 1`, errr("ERR bit offset is not an integer or out of range")},
			{`SETBIT b 1`, errr("ERR wrong number of arguments for 'setbit' command")},
			{`GETBIT b`, errr("ERR wrong number of arguments for 'getbit' command")},
		}},
		{name: "bitcount", steps: []step{
			{`SET s foobar`, rOK},
			{`BITCOUNT s`, ints(26)},
			{`BITCOUNT s 0 0`, ints(4)},
			{`BITCOUNT s 1 1`, ints(6)},
			{`BITCOUNT s 1 -1`, ints(22)},
			{`BITCOUNT s -2 -1`, ints(7)},
			{`BITCOUNT s -1 -2`, rZero},
			{`BITCOUNT s -1 -2 foo`, rZero},
			{`BITCOUNT s 2 1`, rZero},
			{`BITCOUNT s 0 100`, ints(26)},
			{`BITCOUNT s -100 100`, ints(26)},
			{`BITCOUNT s 5 30 BIT`, ints(17)},
			{`BITCOUNT s 5 30 bit`, ints(17)},
			{`BITCOUNT s 5 30 BYTE`, ints(4)},
			{`BITCOUNT s 0 -1 BIT`, ints(26)},
			{`BITCOUNT s -5 -1 BIT`, ints(2)},
			{`BITCOUNT s 1 1 BIT`, rOne},
			{`BITCOUNT s 9 9 BIT`, rOne},
			{`BITCOUNT s 47 47 BIT`, rZero},
			{`BITCOUNT s 48 100 BIT`, rZero},
			{`BITCOUNT s 3 2 BIT`, rZero},
			{`BITCOUNT s 1`, rSyntax},
			{`BITCOUNT s 1 2 3`, rSyntax},
			{`BITCOUNT s a b`, rNotInt},
			{`BITCOUNT s 0 b`, rNotInt},
			{`BITCOUNT s 0 1 foo`, rSyntax},
			{`BITCOUNT nokey`, rZero},
			{`BITCOUNT nokey 0 1`, rZero},
			{`BITCOUNT nokey a b`, rZero},
			{`BITCOUNT nokey 1`, rZero},
			{`BITCOUNT nokey 0 1 foo`, rZero},
			{`HSET h f v`, rOne},
			{`BITCOUNT h`, rWrongType},
			{`BITCOUNT h a b`, rWrongType},
			{`SET e ""`, rOK},
			{`BITCOUNT e`, rZero},
			{`BITCOUNT e 0 -1`, rZero},
			{`BITCOUNT e 0 -1 BIT`, rZero},
			{`SET n 12345`, rOK},
			{`BITCOUNT n`, ints(17)},
			{`BITCOUNT`, errr("ERR wrong number of arguments for 'bitcount' command")},
		}},
		{name: "bitpos", steps: []step{
			{`SET s "\xff\xf0\x00"`, rOK},
			{`BITPOS s 0`, ints(12)},
			{`BITPOS s 1`, rZero},
			{`BITPOS s 0 1`, ints(12)},
			{`BITPOS s 1 2`, ints(-1)},
			{`BITPOS s 0 0 0`, ints(-1)},
			{`BITPOS s 0 0 1`, ints(12)},
			{`BITPOS s 1 2 -1`, ints(-1)},
			{`BITPOS s 1 0 -1 BIT`, rZero},
			{`BITPOS s 0 0 -1 BIT`, ints(12)},
			{`BITPOS s 0 3 10 BIT`, ints(-1)},
			{`BITPOS s 1 7 8 BIT`, ints(7)},
			{`BITPOS s 1 12 15 BIT`, ints(-1)},
			{`BITPOS s 0 12 15 BIT`, ints(12)},
			{`BITPOS s 0 0 11 BIT`, ints(-1)},
			{`BITPOS s 1 16 100 BIT`, ints(-1)},
			{`BITPOS s 0 16 100 BIT`, ints(16)},
			{`BITPOS s 1 5 3 BIT`, ints(-1)},
			{`BITPOS s 0 -5 -1 BIT`, ints(19)},
			{`BITPOS s 0 -20 -12 BIT`, ints(12)},
			{`BITPOS s 1 -1 -1`, ints(-1)},
			{`BITPOS s 0 10`, ints(-1)},
			{`BITPOS s 0 -1`, ints(16)},
			{`BITPOS s 1 3`, ints(-1)},
			{`SET ones "\xff\xff"`, rOK},
			{`BITPOS ones 0`, ints(16)},
			{`BITPOS ones 0 0`, ints(16)},
			{`BITPOS ones 0 0 -1`, ints(-1)},
			{`BITPOS ones 0 0 -1 BIT`, ints(-1)},
			{`BITPOS ones 0 0 15 BIT`, ints(-1)},
			{`BITPOS ones 1 0 15 BIT`, rZero},
			{`SET zeros "\x00\x00"`, rOK},
			{`BITPOS zeros 1`, ints(-1)},
			{`BITPOS zeros 0`, rZero},
			{`BITPOS zeros 1 0 -1 BIT`, ints(-1)},
			{`BITPOS zeros 0 9 9 BIT`, ints(9)},
			{`BITPOS nokey 1`, ints(-1)},
			{`BITPOS nokey 0`, rZero},
			{`BITPOS nokey 0 5 10`, rZero},
			{`BITPOS nokey 1 a`, ints(-1)},
			{`BITPOS nokey 2`, errr("ERR The bit argument must be 1 or 0.")},
			{`BITPOS nokey x`, rNotInt},
			{`BITPOS s 2`, errr("ERR The bit argument must be 1 or 0.")},
			{`BITPOS s -1`, errr("ERR The bit argument must be 1 or 0.")},
			{`BITPOS s 1 a`, rNotInt},
			{`BITPOS s 1 0 a`, rNotInt},
			{`BITPOS s 1 0 x foo`, rSyntax},
			{`BITPOS s 1 0 x bit`, rNotInt},
			{`BITPOS s 1 x 2 foo`, rNotInt},
			{`BITPOS s 1 0 -1 foo`, rSyntax},
			{`BITPOS s 1 0 1 bit 5`, rSyntax},
			{`HSET h f v`, rOne},
			{`BITPOS h 1`, rWrongType},
			{`BITPOS h 5`, errr("ERR The bit argument must be 1 or 0.")},
			{`BITPOS h 1 x`, rWrongType},
			{`SET e ""`, rOK},
			{`BITPOS e 0`, ints(-1)},
			{`BITPOS e 1`, ints(-1)},
			{`BITPOS e 0 0 -1`, ints(-1)},
			{`BITPOS e 0 0 -1 BIT`, ints(-1)},
		}},
		{name: "bitop", steps: []step{
			{`SET a "\x0f\xf0"`, rOK},
			{`SET b "\xff"`, rOK},
			{`BITOP AND d a b`, ints(2)},
			{`GET d`, bulk("\x0f\x00")},
			{`BITOP OR d a b`, ints(2)},
			{`GET d`, bulk("\xff\xf0")},
			{`BITOP XOR d a b`, ints(2)},
			{`GET d`, bulk("\xf0\xf0")},
			{`BITOP NOT d a`, ints(2)},
			{`GET d`, bulk("\xf0\x0f")},
			{`BITOP not d b`, rOne},
			{`GET d`, bulk("\x00")},
			{`BITOP AND d a nokey`, ints(2)},
			{`GET d`, bulk("\x00\x00")},
			{`BITOP OR d nokey1 nokey2`, rZero},
			{`EXISTS d`, rZero},
			{`BITOP NOT d a b`, errr("ERR BITOP NOT must be called with a single source key.")},
			{`BITOP NOT d`, errr("ERR wrong number of arguments for 'bitop' command")},
			{`BITOP FOO d a`, rSyntax},
			{`BITOP AND d`, errr("ERR wrong number of arguments for 'bitop' command")},
			{`HSET h f v`, rOne},
			{`BITOP AND d a h`, rWrongType},
			{`BITOP AND h a`, ints(2)},
			{`TYPE h`, "+string\r\n"},
			{`GET h`, bulk("\x0f\xf0")},
			{`SET t v EX 100`, rOK},
			{`BITOP OR t a`, ints(2)},
			{`TTL t`, ints(-1)},
			{`BITOP AND a a b`, ints(2)},
			{`GET a`, bulk("\x0f\x00")},
		}},
		{name: "bitfield", steps: []step{
			{`BITFIELD k SET i8 0 100 GET i8 0`, "*2\r\n:0\r\n:100\r\n"},
			{`GET k`, bulk("d")},
			{`BITFIELD k INCRBY i8 0 100`, "*1\r\n:-56\r\n"},
			{`BITFIELD k OVERFLOW SAT INCRBY i8 0 100`, "*1\r\n:44\r\n"},
			{`BITFIELD k OVERFLOW FAIL INCRBY i8 0 100`, "*1\r\n$-1\r\n"},
			{`BITFIELD k OVERFLOW WRAP INCRBY i8 0 100`, "*1\r\n:-112\r\n"},
			{`BITFIELD k overflow sat INCRBY i8 0 -500`, "*1\r\n:-128\r\n"},
			{`BITFIELD k GET u8 0 GET i8 0 GET u4 0 GET i4 4 GET u1 0`, "*5\r\n:128\r\n:-128\r\n:8\r\n:0\r\n:1\r\n"},
			{`BITFIELD k GET u8 100 GET i64 60 GET u63 1`, "*3\r\n:0\r\n:0\r\n:0\r\n"},
			{`BITFIELD k SET u8 #1 255 GET u8 #1 GET u16 0`, "*3\r\n:0\r\n:255\r\n:33023\r\n"},
			{`BITFIELD k SET i5 #3 -1 GET i5 15 GET u5 #3`, "*3\r\n:-16\r\n:-1\r\n:31\r\n"},
			{`GET k`, bulk("\x80\xff\xf0")},
			{`BITFIELD k SET u8 0 256`, "*1\r\n:128\r\n"},
			{`BITFIELD k SET u8 0 -1 GET u8 0`, "*2\r\n:0\r\n:255\r\n"},
			{`BITFIELD k OVERFLOW SAT SET u8 0 -1 GET u8 0`, "*2\r\n:255\r\n:255\r\n"},
			{`BITFIELD k OVERFLOW SAT SET u8 0 300 GET u8 0`, "*2\r\n:255\r\n:255\r\n"},
			{`BITFIELD k OVERFLOW FAIL SET u8 0 300 GET u8 0`, "*2\r\n$-1\r\n:255\r\n"},
			{`BITFIELD k OVERFLOW SAT SET i8 0 300 SET i8 0 -300 GET i8 0`, "*3\r\n:-1\r\n:127\r\n:-128\r\n"},
			{`BITFIELD k OVERFLOW FAIL SET i8 0 -300 GET i8 0`, "*2\r\n$-1\r\n:-128\r\n"},
			{`BITFIELD k OVERFLOW WRAP SET i8 0 200 GET i8 0`, "*2\r\n:-128\r\n:-56\r\n"},
			{`BITFIELD k SET i64 0 -1 GET i64 0 GET u63 0 GET u63 1`, "*4\r\n:-3963185264272080896\r\n:-1\r\n:9223372036854775807\r\n:9223372036854775807\r\n"},
			{`BITFIELD k INCRBY i64 0 1`, "*1\r\n:0\r\n"},
			{`BITFIELD k INCRBY i64 0 9223372036854775807`, "*1\r\n:9223372036854775807\r\n"},
			{`BITFIELD k OVERFLOW SAT INCRBY i64 0 9223372036854775807`, "*1\r\n:9223372036854775807\r\n"},
			{`BITFIELD k OVERFLOW SAT INCRBY i64 0 -9223372036854775808`, "*1\r\n:-1\r\n"},
			{`BITFIELD k OVERFLOW SAT INCRBY i64 0 -9223372036854775808`, "*1\r\n:-9223372036854775808\r\n"},
			{`BITFIELD k OVERFLOW WRAP INCRBY i64 0 -9223372036854775808`, "*1\r\n:0\r\n"},
			{`BITFIELD k OVERFLOW FAIL INCRBY i64 0 -9223372036854775808`, "*1\r\n:-9223372036854775808\r\n"},
			{`BITFIELD k SET u63 0 0 INCRBY u63 0 -1`, "*2\r\n:4611686018427387904\r\n:9223372036854775807\r\n"},
			{`BITFIELD k OVERFLOW SAT INCRBY u63 0 -1 INCRBY u63 0 9223372036854775807 INCRBY u63 0 1`, "*3\r\n:9223372036854775806\r\n:9223372036854775807\r\n:9223372036854775807\r\n"},
			{`BITFIELD k OVERFLOW FAIL INCRBY u63 0 1 INCRBY u63 0 -9223372036854775807`, "*2\r\n$-1\r\n:0\r\n"},
			{`BITFIELD k INCRBY u2 100 1 INCRBY u2 100 1 INCRBY u2 100 1 INCRBY u2 100 1`, "*4\r\n:1\r\n:2\r\n:3\r\n:0\r\n"},
			{`BITFIELD k OVERFLOW SAT INCRBY u2 102 1 INCRBY u2 102 1 INCRBY u2 102 1 INCRBY u2 102 1`, "*4\r\n:1\r\n:2\r\n:3\r\n:3\r\n"},
			{`BITFIELD k OVERFLOW SAT INCRBY i2 104 1 INCRBY i2 104 1 INCRBY i2 104 -1 INCRBY i2 104 -5`, "*4\r\n:1\r\n:1\r\n:0\r\n:-2\r\n"},
			{`BITFIELD k OVERFLOW WRAP INCRBY i2 106 1 INCRBY i2 106 1 INCRBY i2 106 -5`, "*3\r\n:1\r\n:-2\r\n:1\r\n"},
			{`BITFIELD k OVERFLOW FAIL INCRBY i1 110 1 INCRBY i1 110 -1 INCRBY i1 110 -1`, "*3\r\n$-1\r\n:-1\r\n$-1\r\n"},
			{`STRLEN k`, ints(14)},
			{`BITFIELD k`, rEmpty},
			{`BITFIELD nokey`, rEmpty},
			{`BITFIELD nokey GET u8 0`, "*1\r\n:0\r\n"},
			{`EXISTS nokey`, rZero},
			{`BITFIELD nokey OVERFLOW FAIL SET u8 0 300`, "*1\r\n$-1\r\n"},
			{`EXISTS nokey`, rOne},
			{`GET nokey`, bulk("\x00")},
			{`BITFIELD k GET u64 0`, errr("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")},
			{`BITFIELD k GET i65 0`, errr("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")},
			{`BITFIELD k GET i0 0`, errr("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")},
			{`BITFIELD k GET I8 0`, errr("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")},
			{`BITFIELD k GET x8 0`, errr("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")},
			{`BITFIELD k GET u 0`, errr("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")},
			{`BITFIELD k GET i08 0`, errr("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")},
			{`BITFIELD k GET u8 -1`, errr("ERR bit offset is not an integer or out of range")},
			{`BITFIELD k GET u8 x`, errr("ERR bit offset is not an integer or out of range")},
			{`BITFIELD k GET u8 #x`, errr("ERR bit offset is not an integer or out of range")},
			{`BITFIELD k GET u8 #-1`, errr("ERR bit offset is not an integer or out of range")},
			{`BITFIELD k GET u8 4294967295`, "*1\r\n:0\r\n"},
			{`BITFIELD k GET u8 4294967296`, errr("ERR bit offset is not an integer or out of range")},
			{`BITFIELD k GET u8 #536870911`, "*1\r\n:0\r\n"},
			{`BITFIELD k GET u8 #536870912`, errr("ERR bit offset is not an integer or out of range")},
			{`BITFIELD k SET u8 0`, rSyntax},
			{`BITFIELD k SET u8 0 x`, rNotInt},
			{`BITFIELD k GET u8`, rSyntax},
			{`BITFIELD k INCRBY u8 0`, rSyntax},
			{`BITFIELD k OVERFLOW`, rSyntax},
			{`BITFIELD k OVERFLOW FOO GET u8 0`, errr("ERR Invalid OVERFLOW type specified")},
			{`BITFIELD k FOO`, rSyntax},
			{`BITFIELD k GET u8 0 FOO`, rSyntax},
			{`BITFIELD k GET u8 x SET u8 0 x`, errr("ERR bit offset is not an integer or out of range")},
			{`BITFIELD k SET u8 0 x GET x8 0`, rNotInt},
			{`HSET h f v`, rOne},
			{`BITFIELD h GET u8 0`, rWrongType},
			{`BITFIELD h SET u8 0 1`, rWrongType},
			{`BITFIELD h GET x8 0`, errr("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")},
			{`BITFIELD_RO k GET u8 0 GET i8 #1`, "*2\r\n:0\r\n:0\r\n"},
			{`BITFIELD_RO k SET u8 0 1`, errr("ERR BITFIELD_RO only supports the GET subcommand")},
			{`BITFIELD_RO k INCRBY u8 0 1`, errr("ERR BITFIELD_RO only supports the GET subcommand")},
			{`BITFIELD_RO k OVERFLOW SAT GET u8 0`, "*1\r\n:0\r\n"},
			{`BITFIELD_RO k OVERFLOW SAT`, rEmpty},
			{`BITFIELD_RO h GET u8 0`, rWrongType},
			{`BITFIELD_RO h SET u8 0 1`, errr("ERR BITFIELD_RO only supports the GET subcommand")},
			{`BITFIELD_RO nokey GET u8 0`, "*1\r\n:0\r\n"},
			{`BITFIELD_RO k`, rEmpty},
			{`BITFIELD_RO k GET x8 0`, errr("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")},
			{`SET t v EX 100`, rOK},
			{`BITFIELD t SET u8 100 1`, "*1\r\n:0\r\n"},
			{`TTL t`, ints(100)},
		}},
		{name: "bitfield p3", p3: true, steps: []step{
			{`BITFIELD k OVERFLOW FAIL INCRBY u2 0 5 GET u2 0`, "*2\r\n_\r\n:0\r\n"},
			{`BITFIELD_RO k GET u2 0`, "*1\r\n:0\r\n"},
		}},
	})
}

// dialCmpRedis connects to the real Redis of MODIS_COMPARE_REDIS, flushed.
func dialCmpRedis(t testing.TB) *liveRedis {
	t.Helper()
	addr := os.Getenv("MODIS_COMPARE_REDIS")
	if addr == "" {
		t.Skip("MODIS_COMPARE_REDIS not set")
	}
	rc := dialLive(t, addr)
	rc.do("FLUSHALL")
	return rc
}

// fuzzAgainstRedis runs n random commands from gen on Modis and on the real
// Redis and requires identical replies.
func fuzzAgainstRedis(t *testing.T, n int, gen func(r *rand.Rand) []string) {
	t.Helper()
	rc := dialCmpRedis(t)
	_, c := newTestServer(t)
	seed := uint64(time.Now().UnixNano())
	r := rand.New(rand.NewPCG(seed, 7))
	for i := 0; i < n; i++ {
		args := gen(r)
		want := rc.do(args...)
		if got := do(t, c, args...); got != want {
			t.Fatalf("seed %d, command %d: %q\n got: %q\nredis: %q", seed, i, args, got, want)
		}
	}
}

// TestBitmapFuzz compares random bitmap commands with the real Redis.
func TestBitmapFuzz(t *testing.T) {
	keys := []string{"a", "b", "c"}
	num := func(r *rand.Rand, span int) string { return strconv.Itoa(r.IntN(2*span+1) - span) }
	bitsArg := func(r *rand.Rand) string {
		if r.IntN(2) == 0 {
			return "i" + strconv.Itoa(1+r.IntN(64))
		}
		return "u" + strconv.Itoa(1+r.IntN(63))
	}
	big := func(r *rand.Rand) string {
		switch r.IntN(4) {
		case 0:
			return strconv.FormatInt(int64(r.Uint64()), 10)
		case 1:
			return num(r, 300)
		case 2:
			return strconv.FormatInt(1<<(r.IntN(63))-int64(r.IntN(3)), 10)
		}
		return strconv.FormatInt(-(1 << r.IntN(63)), 10)
	}
	fuzzAgainstRedis(t, 20000, func(r *rand.Rand) []string {
		k := keys[r.IntN(len(keys))]
		switch r.IntN(9) {
		case 0:
			return []string{"SETBIT", k, strconv.Itoa(r.IntN(200)), strconv.Itoa(r.IntN(2))}
		case 1:
			return []string{"GETBIT", k, strconv.Itoa(r.IntN(220))}
		case 2:
			args := []string{"BITCOUNT", k}
			if r.IntN(4) > 0 {
				args = append(args, num(r, 40), num(r, 40))
				if r.IntN(2) == 0 {
					args = append(args, []string{"BIT", "BYTE"}[r.IntN(2)])
				}
			}
			return args
		case 3, 4:
			args := []string{"BITPOS", k, strconv.Itoa(r.IntN(2))}
			switch r.IntN(4) {
			case 1:
				args = append(args, num(r, 40))
			case 2:
				args = append(args, num(r, 40), num(r, 40))
			case 3:
				args = append(args, num(r, 220), num(r, 220), "BIT")
			}
			return args
		case 5:
			op := []string{"AND", "OR", "XOR", "NOT"}[r.IntN(4)]
			if op == "NOT" {
				return []string{"BITOP", op, keys[r.IntN(3)], keys[r.IntN(3)]}
			}
			return []string{"BITOP", op, keys[r.IntN(3)], keys[r.IntN(3)], keys[r.IntN(3)]}
		case 6:
			return []string{"SET", k, string([]byte{byte(r.IntN(256)), byte(r.IntN(256)), 0xff, 0, byte(r.IntN(256))}[:r.IntN(6)])}
		default:
			args := []string{"BITFIELD", k}
			for n := 1 + r.IntN(4); n > 0; n-- {
				off := strconv.Itoa(r.IntN(150))
				if r.IntN(5) == 0 {
					off = "#" + strconv.Itoa(r.IntN(5))
				}
				switch r.IntN(5) {
				case 0:
					args = append(args, "GET", bitsArg(r), off)
				case 1:
					args = append(args, "SET", bitsArg(r), off, big(r))
				case 2, 3:
					args = append(args, "INCRBY", bitsArg(r), off, big(r))
				default:
					args = append(args, "OVERFLOW", []string{"WRAP", "SAT", "FAIL"}[r.IntN(3)])
				}
			}
			return args
		}
	})
}
