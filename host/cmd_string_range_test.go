package host

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestStringRangeCommands(t *testing.T) {
	runScripts(t, []script{
		{name: "getrange substr", steps: []step{
			{`SET s "This is a string"`, rOK},
			{`GETRANGE s 0 3`, bulk("This")},
			{`GETRANGE s -3 -1`, bulk("ing")},
			{`GETRANGE s 0 -1`, bulk("This is a string")},
			{`GETRANGE s 10 100`, bulk("string")},
			{`GETRANGE s 5 3`, bulk("")},
			{`GETRANGE s -1 -2`, bulk("")},
			{`GETRANGE s -100 -100`, bulk("T")},
			{`GETRANGE s 0 -100`, bulk("T")},
			{`GETRANGE s 16 20`, bulk("")},
			{`GETRANGE s 15 20`, bulk("g")},
			{`GETRANGE s 9223372036854775807 9223372036854775807`, bulk("")},
			{`GETRANGE s -9223372036854775808 -9223372036854775807`, bulk("T")},
			{`GETRANGE s -9223372036854775808 9223372036854775807`, bulk("This is a string")},
			{`SUBSTR s 0 3`, bulk("This")},
			{`SUBSTR s -3 -1`, bulk("ing")},
			{`GETRANGE nokey 0 1`, bulk("")},
			{`GETRANGE nokey a b`, rNotInt},
			{`GETRANGE s a 1`, rNotInt},
			{`GETRANGE s 0 b`, rNotInt},
			{`GETRANGE s 0`, errr("ERR wrong number of arguments for 'getrange' command")},
			{`SET e ""`, rOK},
			{`GETRANGE e 0 -1`, bulk("")},
			{`GETRANGE e -1 0`, bulk("")},
			{`SET n 1234`, rOK},
			{`GETRANGE n 1 2`, bulk("23")},
			{`HSET h f v`, rOne},
			{`GETRANGE h 0 1`, rWrongType},
			{`GETRANGE h a 1`, rNotInt},
		}},
		{name: "setrange", steps: []step{
			{`SETRANGE k 0 hello`, ints(5)},
			{`GET k`, bulk("hello")},
			{`SETRANGE k 6 world`, ints(11)},
			{`GET k`, bulk("hello\x00world")},
			{`SETRANGE k 1 E`, ints(11)},
			{`GET k`, bulk("hEllo\x00world")},
			{`SETRANGE k 0 ""`, ints(11)},
			{`SETRANGE k 100 ""`, ints(11)},
			{`STRLEN k`, ints(11)},
			{`SETRANGE nokey 0 ""`, rZero},
			{`SETRANGE nokey 5 ""`, rZero},
			{`EXISTS nokey`, rZero},
			{`SETRANGE nokey2 3 x`, ints(4)},
			{`GET nokey2`, bulk("\x00\x00\x00x")},
			{`SETRANGE k -1 x`, errr("ERR offset is out of range")},
			{`SETRANGE k x y`, rNotInt},
			{`SETRANGE k 1.5 y`, rNotInt},
			{`SETRANGE k 536870911 ""`, ints(11)},
			{`SETRANGE k 536870912 x`, errr("ERR string exceeds maximum allowed size (proto-max-bulk-len)")},
			{`SETRANGE k 536870911 xy`, errr("ERR string exceeds maximum allowed size (proto-max-bulk-len)")},
			{`SETRANGE k 9223372036854775807 x`, errr("ERR string exceeds maximum allowed size (proto-max-bulk-len)")},
			{`SETRANGE nokey 536870912 x`, errr("ERR string exceeds maximum allowed size (proto-max-bulk-len)")},
			{`SETRANGE nokey 9223372036854775807 x`, errr("ERR string exceeds maximum allowed size (proto-max-bulk-len)")},
			{`EXISTS nokey`, rZero},
			{`HSET h f v`, rOne},
			{`SETRANGE h 0 x`, rWrongType},
			{`SETRANGE h 0 ""`, rWrongType},
			{`SETRANGE h -1 ""`, errr("ERR offset is out of range")},
			{`SET t v EX 100`, rOK},
			{`SETRANGE t 1 x`, ints(2)},
			{`GET t`, bulk("vx")},
			{`TTL t`, ints(100)},
			{`SET n 12`, rOK},
			{`SETRANGE n 1 3`, ints(2)},
			{`INCR n`, ints(14)},
			{`SETRANGE k 1`, errr("ERR wrong number of arguments for 'setrange' command")},
		}},
		{name: "lcs", steps: []step{
			{`SET a ohmytext`, rOK},
			{`SET b mynewtext`, rOK},
			{`LCS a b`, bulk("mytext")},
			{`LCS a b LEN`, ints(6)},
			{`LCS a b len`, ints(6)},
			{`LCS a b IDX`, "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"},
			{`LCS a b IDX MINMATCHLEN 4`, "*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n$3\r\nlen\r\n:6\r\n"},
			{`LCS a b IDX MINMATCHLEN 4 WITHMATCHLEN`, "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n"},
			{`LCS a b IDX WITHMATCHLEN`, "*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n"},
			{`LCS a b idx withmatchlen minmatchlen -5`, "*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n"},
			{`LCS a b MINMATCHLEN 100 IDX`, "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:6\r\n"},
			{`LCS a b LEN IDX`, errr("ERR If you want both the length and indexes, please just use IDX.")},
			{`LCS a b IDX LEN`, errr("ERR If you want both the length and indexes, please just use IDX.")},
			{`LCS a b MINMATCHLEN`, rSyntax},
			{`LCS a b MINMATCHLEN x`, rNotInt},
			{`LCS a b MINMATCHLEN 1.5`, rNotInt},
			{`LCS a b FOO`, rSyntax},
			{`LCS a b WITHMATCHLEN`, bulk("mytext")},
			{`LCS a b LEN WITHMATCHLEN`, ints(6)},
			{`LCS a a IDX`, "*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:0\r\n:7\r\n*2\r\n:0\r\n:7\r\n$3\r\nlen\r\n:8\r\n"},
			{`LCS a nokey`, bulk("")},
			{`LCS a nokey IDX`, "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"},
			{`LCS a nokey LEN`, rZero},
			{`LCS nokey1 nokey2 IDX WITHMATCHLEN`, "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"},
			{`HSET h f v`, rOne},
			{`LCS a h`, errr("ERR The specified keys must contain string values")},
			{`LCS h a`, errr("ERR The specified keys must contain string values")},
			{`LCS h a FOO`, errr("ERR The specified keys must contain string values")},
			{`LCS a h LEN`, errr("ERR The specified keys must contain string values")},
			{`SET x "ABCBDAB"`, rOK},
			{`SET y "BDCABA"`, rOK},
			{`LCS x y`, bulk("BDAB")},
			{`LCS x y IDX WITHMATCHLEN`, "*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:5\r\n:6\r\n*2\r\n:3\r\n:4\r\n:2\r\n*3\r\n*2\r\n:3\r\n:4\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:4\r\n"},
			{`SET p "aaaa"`, rOK},
			{`SET q "aa"`, rOK},
			{`LCS p q IDX WITHMATCHLEN`, "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:2\r\n"},
			{`LCS q p IDX WITHMATCHLEN`, "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:0\r\n:1\r\n*2\r\n:2\r\n:3\r\n:2\r\n$3\r\nlen\r\n:2\r\n"},
			{`LCS a`, errr("ERR wrong number of arguments for 'lcs' command")},
		}},
		{name: "lcs p3", p3: true, steps: []step{
			{`SET a ohmytext`, rOK},
			{`SET b mynewtext`, rOK},
			{`LCS a b IDX`, "%2\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"},
			{`LCS a b IDX MINMATCHLEN 4 WITHMATCHLEN`, "%2\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n"},
			{`LCS a nokey IDX`, "%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"},
			{`LCS a b LEN`, ints(6)},
		}},
		{name: "object encoding after writes", steps: []step{
			{`SET a 12`, rOK},
			{`SETBIT a 100 0`, rZero},
			{`OBJECT ENCODING a`, bulk("raw")},
			{`SET b 12`, rOK},
			{`BITFIELD b GET u8 0`, "*1\r\n:49\r\n"},
			{`OBJECT ENCODING b`, bulk("int")},
			{`BITFIELD b SET u8 0 49`, "*1\r\n:49\r\n"},
			{`OBJECT ENCODING b`, bulk("raw")},
			{`SET c 12`, rOK},
			{`BITFIELD c OVERFLOW FAIL SET u8 0 1000`, "*1\r\n$-1\r\n"},
			{`OBJECT ENCODING c`, bulk("raw")},
			{`SETBIT new 1 1`, rZero},
			{`OBJECT ENCODING new`, bulk("raw")},
			{`PFADD h x`, rOne},
			{`OBJECT ENCODING h`, bulk("raw")},
			{`SET h2 "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff"`, rOK},
			{`OBJECT ENCODING h2`, bulk("embstr")},
			{`PFCOUNT h2 h`, rOne},
			{`OBJECT ENCODING h2`, bulk("embstr")},
			{`PFCOUNT h2`, rZero},
			{`OBJECT ENCODING h2`, bulk("raw")},
			{`SET h3 "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff"`, rOK},
			{`PFADD h3`, rZero},
			{`OBJECT ENCODING h3`, bulk("raw")},
			{`SET h4 "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff"`, rOK},
			{`PFMERGE h4`, rOK},
			{`OBJECT ENCODING h4`, bulk("raw")},
			{`PFMERGE h5 h`, rOK},
			{`OBJECT ENCODING h5`, bulk("raw")},
			{`BITOP OR d a`, ints(13)},
			{`OBJECT ENCODING d`, bulk("raw")},
			{`SET d 1`, rOK},
			{`BITOP OR d a`, ints(13)},
			{`OBJECT ENCODING d`, bulk("raw")},
			{`SETRANGE e 0 1`, rOne},
			{`OBJECT ENCODING e`, bulk("raw")},
			{`SET e 1`, rOK},
			{`SETRANGE e 0 2`, rOne},
			{`OBJECT ENCODING e`, bulk("raw")},
			{`SETRANGE e 0 ""`, rOne},
			{`APPEND f 12`, ints(2)},
			{`OBJECT ENCODING f`, bulk("int")},
			{`APPEND f 3`, ints(3)},
			{`OBJECT ENCODING f`, bulk("raw")},
			{`SET f 1`, rOK},
			{`OBJECT ENCODING f`, bulk("int")},
			{`INCRBYFLOAT g 1`, bulk("1")},
			{`OBJECT ENCODING g`, bulk("embstr")},
			{`INCRBYFLOAT g 1.5`, bulk("2.5")},
			{`OBJECT ENCODING g`, bulk("embstr")},
			{`SET g 1`, rOK},
			{`INCRBYFLOAT g 1`, bulk("2")},
			{`OBJECT ENCODING g`, bulk("embstr")},
			{`SET i 5`, rOK},
			{`INCR i`, ints(6)},
			{`OBJECT ENCODING i`, bulk("int")},
			{`SET i 5.0`, rOK},
			{`APPEND i 1`, ints(4)},
			{`SET i 5`, rOK},
			{`OBJECT ENCODING i`, bulk("int")},
			{`GETSET i abc`, bulk("5")},
			{`OBJECT ENCODING i`, bulk("embstr")},
			{`SET j 100000`, rOK},
			{`GETEX j PERSIST`, bulk("100000")},
			{`OBJECT ENCODING j`, bulk("int")},
			{`MSET k 1 l aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`, rOK},
			{`OBJECT ENCODING k`, bulk("int")},
			{`OBJECT ENCODING l`, bulk("raw")},
		}},
		{name: "lcs memory", steps: []step{
			{`SETRANGE big1 11999 x`, ints(12000)},
			{`SETRANGE big2 11999 y`, ints(12000)},
			{`LCS big1 big2 LEN`, errr("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")},
			{`SETRANGE big3 9999 y`, ints(10000)},
			{`LCS big1 big3 LEN`, ints(9999)},
		}},
	})
}

// TestStringRangeFuzz compares random GETRANGE, SETRANGE and LCS commands
// with the real Redis.
func TestStringRangeFuzz(t *testing.T) {
	keys := []string{"a", "b", "c"}
	word := func(r *rand.Rand) string {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = "abcx"[r.IntN(4)]
		}
		return string(b)
	}
	fuzzAgainstRedis(t, 20000, func(r *rand.Rand) []string {
		k := keys[r.IntN(len(keys))]
		n := func(span int) string { return strconv.Itoa(r.IntN(2*span+1) - span) }
		switch r.IntN(6) {
		case 0:
			return []string{"SET", k, word(r)}
		case 1:
			return []string{"GETRANGE", k, n(15), n(15)}
		case 2:
			return []string{"SETRANGE", k, strconv.Itoa(r.IntN(15)), word(r)}
		case 3:
			return []string{"APPEND", k, word(r)}
		default:
			args := []string{"LCS", k, keys[r.IntN(len(keys))]}
			switch r.IntN(4) {
			case 0:
				args = append(args, "LEN")
			case 1:
				args = append(args, "IDX")
			case 2:
				args = append(args, "IDX", "WITHMATCHLEN", "MINMATCHLEN", strconv.Itoa(r.IntN(4)))
			}
			return args
		}
	})
}
