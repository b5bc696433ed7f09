package host

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
)

// Sorted set commands, in the one-line script style. Every expected reply
// here was produced by redis-server 7.0.15 (run the scripts against it with
// MODIS_COMPARE_REDIS). The "skiplist" variants run the same steps on a set
// forced to the skiplist encoding (a long member added and removed: a
// sorted set never converts back).

// zdbl is the RESP3 double s.
func zdbl(s string) string { return "," + s + "\r\n" }

// zNull3 is the RESP3 null.
const zNull3 = "_\r\n"

func TestZsetCommands(t *testing.T) {
	runScripts(t, []script{
		{name: "zadd basic", steps: []step{
			{"zadd z 1 a 2 b 3 c", ints(3)},
			{"zadd z 1 a", rZero},
			{"zadd z 5 a", rZero},
			{"zcard z", ints(3)},
			{"zscore z a", bulk("5")},
			{"zscore z nomember", rNull},
			{"zscore nokey a", rNull},
			{"zadd z 1.1 f", rOne},
			{"zscore z f", bulk("1.1000000000000001")},
			{"zadd z 0x10 h 1e-310 i", ints(2)},
			{"zscore z h", bulk("16")},
			{"zscore z i", bulk("9.9999999999999694e-311")},
			{"zadd z inf j -inf k", ints(2)},
			{"zrange z 0 -1 withscores", bulks("k", "-inf", "i", "9.9999999999999694e-311", "f", "1.1000000000000001", "b", "2", "c", "3", "a", "5", "h", "16", "j", "inf")},
			{"zadd z 1e400 x", rNotFloat},
			{"zadd z 1e-400 x", rNotFloat},
			{"zadd z \" 1\" x", rNotFloat},
			{"zadd z \"1 \" x", rNotFloat},
			{"zadd z \"\" x", rNotFloat},
			{"zadd z nan x", rNotFloat},
			{"zadd z abc x", rNotFloat},
			{"zadd z 1_0 x", rNotFloat},
			{"zadd z", errr("ERR wrong number of arguments for 'zadd' command")},
			{"zadd z 1", errr("ERR wrong number of arguments for 'zadd' command")},
			{"zadd z nx", errr("ERR wrong number of arguments for 'zadd' command")},
			{"zadd z 1 a 2", rSyntax},
			{"zadd z 1 a abc", rSyntax},
			{"zadd z nx 1", rSyntax},
			{"exists x", rZero},
			{"type z", "+zset\r\n"},
			{"object encoding z", bulk("listpack")},
			{"set s v", rOK},
			{"zadd s 1 a", rWrongType},
			{"zadd s abc a", rNotFloat},
			{"zadd s nx xx 1 a", errr("ERR XX and NX options at the same time are not compatible")},
			{"zadd s 1 a 2", rSyntax},
			{"zcard s", rWrongType},
			{"zcard nokey", rZero},
		}},

		{name: "zadd options", steps: []step{
			{"zadd z nx xx 1 a", errr("ERR XX and NX options at the same time are not compatible")},
			{"zadd z gt lt 1 a", errr("ERR GT, LT, and/or NX options at the same time are not compatible")},
			{"zadd z gt nx 1 a", errr("ERR GT, LT, and/or NX options at the same time are not compatible")},
			{"zadd z lt nx 1 a", errr("ERR GT, LT, and/or NX options at the same time are not compatible")},
			{"zadd z nx xx gt 1 a", errr("ERR XX and NX options at the same time are not compatible")},
			{"zadd z incr 1 a 2 b", errr("ERR INCR option supports a single increment-element pair")},
			{"zadd z incr nx xx 1 a 2 b", errr("ERR XX and NX options at the same time are not compatible")},
			{"zadd z incr gt lt 1 a 2 b", errr("ERR GT, LT, and/or NX options at the same time are not compatible")},
			{"zadd z xx 1 a", rZero},
			{"exists z", rZero},
			{"zadd z xx incr 1 a", rNull},
			{"exists z", rZero},
			{"zadd z incr 1 a", bulk("1")},
			{"zadd z nx incr 1 a", rNull},
			{"zadd z xx incr 1 a", bulk("2")},
			{"zadd z gt incr -1 a", rNull},
			{"zadd z lt incr -1 a", bulk("1")},
			{"zadd z gt incr 0 a", rNull},
			{"zadd z lt incr 0 a", rNull},
			{"zadd z gt 5 a", rZero},
			{"zadd z gt 1 a", rZero},
			{"zscore z a", bulk("5")},
			{"zadd z lt 7 a", rZero},
			{"zadd z lt 2 a", rZero},
			{"zscore z a", bulk("2")},
			{"zadd z gt ch 5 a 1 b", ints(2)},
			{"zadd z lt ch 1 a 1 b 0 c", ints(2)},
			{"zadd z ch 1 a 1 b 7 c", rOne},
			{"zadd z CH NX 1 a 2 newone", rOne},
			{"zadd z XX CH 9 a 9 nothere", rOne},
			{"zrange z 0 -1 withscores", bulks("b", "1", "newone", "2", "c", "7", "a", "9")},
			{"zadd z ch incr 1 a", bulk("10")},
			{"zadd z inf a", rZero},
			{"zadd z incr -inf a", errr("ERR resulting score is not a number (NaN)")},
			{"zscore z a", bulk("inf")},
			{"zadd z incr +inf a", bulk("inf")},
			{"zadd z incr 0 fresh", bulk("0")},
			{"zadd z xx incr 0 fresh2", rNull},
			{"zadd z Nx 3 c Gt 4 c", rSyntax},
			{"zadd z nx gt 3 c", errr("ERR GT, LT, and/or NX options at the same time are not compatible")},
		}},

		{name: "zincrby", steps: []step{
			{"zincrby z 1 a", bulk("1")},
			{"zincrby z 2.5 a", bulk("3.5")},
			{"zincrby z -0.5 a", bulk("3")},
			{"zscore z a", bulk("3")},
			{"zincrby z abc a", rNotFloat},
			{"zincrby z nan a", rNotFloat},
			{"zincrby z nx a", rSyntax},
			{"zincrby z xx a", rSyntax},
			{"zincrby z 1e400 a", rNotFloat},
			{"zincrby z inf a", bulk("inf")},
			{"zincrby z -inf a", errr("ERR resulting score is not a number (NaN)")},
			{"zincrby z 1 b", bulk("1")},
			{"zincrby z 0.1 b", bulk("1.1000000000000001")},
			{"zincrby z 0.2 b", bulk("1.3")},
			{"set s v", rOK},
			{"zincrby s 1 a", rWrongType},
			{"zincrby s abc a", rNotFloat},
			{"zincrby z 1", errr("ERR wrong number of arguments for 'zincrby' command")},
		}},

		{name: "zrem", steps: []step{
			{"zadd z 1 a 2 b 3 c", ints(3)},
			{"zrem z a", rOne},
			{"zrem z a", rZero},
			{"zrem z x y", rZero},
			{"zrem nokey a", rZero},
			{"zrem z b b c d", ints(2)},
			{"exists z", rZero},
			{"zadd z 1 a 2 b", ints(2)},
			{"zrem z a a b c", ints(2)},
			{"exists z", rZero},
			{"set s v", rOK},
			{"zrem s a", rWrongType},
			{"zrem z", errr("ERR wrong number of arguments for 'zrem' command")},
		}},

		{name: "zmscore", steps: []step{
			{"zadd z 1 a 2.5 b -3 c", ints(3)},
			{"zmscore z a b c x", arr(bulk("1"), bulk("2.5"), bulk("-3"), rNull)},
			{"zmscore z x", arr(rNull)},
			{"zmscore nokey a b", arr(rNull, rNull)},
			{"set s v", rOK},
			{"zmscore s a", rWrongType},
			{"zmscore z", errr("ERR wrong number of arguments for 'zmscore' command")},
		}},

		{name: "zrank", steps: []step{
			{"zadd z 1 a 2 b 3 c 3 d 0 e", ints(5)},
			{"zrank z a", rOne},
			{"zrank z e", rZero},
			{"zrank z d", ints(4)},
			{"zrevrank z d", rZero},
			{"zrevrank z e", ints(4)},
			{"zrank z x", rNull},
			{"zrevrank z x", rNull},
			{"zrank nokey x", rNull},
			{"set s v", rOK},
			{"zrank s x", rWrongType},
			{"zrevrank s x", rWrongType},
			{"zrank z c withscore", errr("ERR wrong number of arguments for 'zrank' command")},
			{"zrank z", errr("ERR wrong number of arguments for 'zrank' command")},
		}},

		{name: "zrank skiplist", steps: []step{
			{"zadd z 1 a 2 b 3 c 3 d 0 e", ints(5)},
			{"zadd z 0 LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL", rOne},
			{"zrem z LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL", rOne},
			{"object encoding z", bulk("skiplist")},
			{"zrank z a", rOne},
			{"zrank z e", rZero},
			{"zrank z d", ints(4)},
			{"zrevrank z d", rZero},
			{"zrevrank z e", ints(4)},
			{"zrank z x", rNull},
			{"zrevrank z x", rNull},
			{"zrank nokey x", rNull},
			{"set s v", rOK},
			{"zrank s x", rWrongType},
			{"zrevrank s x", rWrongType},
			{"zrank z c withscore", errr("ERR wrong number of arguments for 'zrank' command")},
			{"zrank z", errr("ERR wrong number of arguments for 'zrank' command")},
		}},

		{name: "zcount lexcount", steps: []step{
			{"zadd z 1 a 2 b 3 c 4 d 5 e", ints(5)},
			{"zcount z 2 4", ints(3)},
			{"zcount z (2 4", ints(2)},
			{"zcount z (2 (4", rOne},
			{"zcount z -inf +inf", ints(5)},
			{"zcount z -inf (1", rZero},
			{"zcount z 5 1", rZero},
			{"zcount z 3 3", rOne},
			{"zcount z (3 3", rZero},
			{"zcount z a 4", errr("ERR min or max is not a float")},
			{"zcount z 1 b", errr("ERR min or max is not a float")},
			{"zcount z \"\" 3", ints(3)},
			{"zcount z \"(\" 3", ints(3)},
			{"zcount z \" 1\" 3", ints(3)},
			{"zcount z \"1 \" 3", errr("ERR min or max is not a float")},
			{"zcount z 1e400 inf", rZero},
			{"zcount z -1e400 1e-400", rZero},
			{"zcount z nan 1", errr("ERR min or max is not a float")},
			{"zcount z ((1 2", errr("ERR min or max is not a float")},
			{"zcount nokey a 4", errr("ERR min or max is not a float")},
			{"zcount nokey 1 4", rZero},
			{"zlexcount z - +", ints(5)},
			{"zlexcount z [b (d", ints(2)},
			{"zlexcount z [b [d", ints(3)},
			{"zlexcount z (a (c", rOne},
			{"zlexcount z + -", rZero},
			{"zlexcount z - -", rZero},
			{"zlexcount z [c [b", rZero},
			{"zlexcount z [c (c", rZero},
			{"zlexcount z [c [c", rOne},
			{"zlexcount z a b", errr("ERR min or max not valid string range item")},
			{"zlexcount z -a +", errr("ERR min or max not valid string range item")},
			{"zlexcount z \"\" +", errr("ERR min or max not valid string range item")},
			{"zlexcount z \"[\" +", ints(5)},
			{"zlexcount z - \"(\"", rZero},
			{"zlexcount nokey a b", errr("ERR min or max not valid string range item")},
			{"zlexcount nokey - +", rZero},
			{"set s v", rOK},
			{"zcount s 1 4", rWrongType},
			{"zcount s a b", errr("ERR min or max is not a float")},
			{"zlexcount s - +", rWrongType},
			{"zlexcount s a b", errr("ERR min or max not valid string range item")},
		}},

		{name: "zcount lexcount skiplist", steps: []step{
			{"zadd z 1 a 2 b 3 c 4 d 5 e", ints(5)},
			{"zadd z 0 LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL", rOne},
			{"zrem z LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL", rOne},
			{"object encoding z", bulk("skiplist")},
			{"zcount z 2 4", ints(3)},
			{"zcount z (2 4", ints(2)},
			{"zcount z (2 (4", rOne},
			{"zcount z -inf +inf", ints(5)},
			{"zcount z -inf (1", rZero},
			{"zcount z 5 1", rZero},
			{"zcount z 3 3", rOne},
			{"zcount z (3 3", rZero},
			{"zcount z a 4", errr("ERR min or max is not a float")},
			{"zcount z 1 b", errr("ERR min or max is not a float")},
			{"zcount z \"\" 3", ints(3)},
			{"zcount z \"(\" 3", ints(3)},
			{"zcount z \" 1\" 3", ints(3)},
			{"zcount z \"1 \" 3", errr("ERR min or max is not a float")},
			{"zcount z 1e400 inf", rZero},
			{"zcount z -1e400 1e-400", rZero},
			{"zcount z nan 1", errr("ERR min or max is not a float")},
			{"zcount z ((1 2", errr("ERR min or max is not a float")},
			{"zcount nokey a 4", errr("ERR min or max is not a float")},
			{"zcount nokey 1 4", rZero},
			{"zlexcount z - +", ints(5)},
			{"zlexcount z [b (d", ints(2)},
			{"zlexcount z [b [d", ints(3)},
			{"zlexcount z (a (c", rOne},
			{"zlexcount z + -", rZero},
			{"zlexcount z - -", rZero},
			{"zlexcount z [c [b", rZero},
			{"zlexcount z [c (c", rZero},
			{"zlexcount z [c [c", rOne},
			{"zlexcount z a b", errr("ERR min or max not valid string range item")},
			{"zlexcount z -a +", errr("ERR min or max not valid string range item")},
			{"zlexcount z \"\" +", errr("ERR min or max not valid string range item")},
			{"zlexcount z \"[\" +", ints(5)},
			{"zlexcount z - \"(\"", rZero},
			{"zlexcount nokey a b", errr("ERR min or max not valid string range item")},
			{"zlexcount nokey - +", rZero},
			{"set s v", rOK},
			{"zcount s 1 4", rWrongType},
			{"zcount s a b", errr("ERR min or max is not a float")},
			{"zlexcount s - +", rWrongType},
			{"zlexcount s a b", errr("ERR min or max not valid string range item")},
		}},

		{name: "zrange rank", steps: []step{
			{"zadd z 1 a 2 b 3 c 4 d 5 e", ints(5)},
			{"zrange z 0 -1", bulks("a", "b", "c", "d", "e")},
			{"zrange z 0 -1 withscores", bulks("a", "1", "b", "2", "c", "3", "d", "4", "e", "5")},
			{"zrange z 1 2 withscores", bulks("b", "2", "c", "3")},
			{"zrange z -2 -1", bulks("d", "e")},
			{"zrange z -100 1", bulks("a", "b")},
			{"zrange z 3 100", bulks("d", "e")},
			{"zrange z 5 10", rEmpty},
			{"zrange z 2 1", rEmpty},
			{"zrange z -1 -2", rEmpty},
			{"zrange z 0 -1 rev", bulks("e", "d", "c", "b", "a")},
			{"zrange z 0 1 rev withscores", bulks("e", "5", "d", "4")},
			{"zrevrange z 0 1 withscores", bulks("e", "5", "d", "4")},
			{"zrevrange z -1 -1", bulks("a")},
			{"zrevrange z 0 -1", bulks("e", "d", "c", "b", "a")},
			{"zrange z 0 -1 withscores withscores", bulks("a", "1", "b", "2", "c", "3", "d", "4", "e", "5")},
			{"zrange z a b", rNotInt},
			{"zrange z 0 b", rNotInt},
			{"zrange z 0 -1 foo", rSyntax},
			{"zrange z 0 -1 rev rev", rSyntax},
			{"zrange z 0 -1 limit 0 1", errr("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")},
			{"zrange z 0 -1 limit 0", rSyntax},
			{"zrange z 0 -1 limit a 1", rNotInt},
			{"zrange z 0 -1 limit 0 a", rNotInt},
			{"zrevrange z 0 1 limit 0 1", errr("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")},
			{"zrevrange z 0 1 rev", rSyntax},
			{"zrevrange z 0 1 byscore", rSyntax},
			{"zrange nokey 0 -1", rEmpty},
			{"zrange nokey a b", rNotInt},
			{"zrange nokey 0 -1 withscores", rEmpty},
			{"set s v", rOK},
			{"zrange s 0 1", rWrongType},
			{"zrange s a b", rNotInt},
			{"zrevrange s 0 1", rWrongType},
			{"zrange z 0", errr("ERR wrong number of arguments for 'zrange' command")},
		}},

		{name: "zrange rank skiplist", steps: []step{
			{"zadd z 1 a 2 b 3 c 4 d 5 e", ints(5)},
			{"zadd z 0 LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL", rOne},
			{"zrem z LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL", rOne},
			{"object encoding z", bulk("skiplist")},
			{"zrange z 0 -1", bulks("a", "b", "c", "d", "e")},
			{"zrange z 0 -1 withscores", bulks("a", "1", "b", "2", "c", "3", "d", "4", "e", "5")},
			{"zrange z 1 2 withscores", bulks("b", "2", "c", "3")},
			{"zrange z -2 -1", bulks("d", "e")},
			{"zrange z -100 1", bulks("a", "b")},
			{"zrange z 3 100", bulks("d", "e")},
			{"zrange z 5 10", rEmpty},
			{"zrange z 2 1", rEmpty},
			{"zrange z -1 -2", rEmpty},
			{"zrange z 0 -1 rev", bulks("e", "d", "c", "b", "a")},
			{"zrange z 0 1 rev withscores", bulks("e", "5", "d", "4")},
			{"zrevrange z 0 1 withscores", bulks("e", "5", "d", "4")},
			{"zrevrange z -1 -1", bulks("a")},
			{"zrevrange z 0 -1", bulks("e", "d", "c", "b", "a")},
			{"zrange z 0 -1 withscores withscores", bulks("a", "1", "b", "2", "c", "3", "d", "4", "e", "5")},
			{"zrange z a b", rNotInt},
			{"zrange z 0 b", rNotInt},
			{"zrange z 0 -1 foo", rSyntax},
			{"zrange z 0 -1 rev rev", rSyntax},
			{"zrange z 0 -1 limit 0 1", errr("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")},
			{"zrange z 0 -1 limit 0", rSyntax},
			{"zrange z 0 -1 limit a 1", rNotInt},
			{"zrange z 0 -1 limit 0 a", rNotInt},
			{"zrevrange z 0 1 limit 0 1", errr("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")},
			{"zrevrange z 0 1 rev", rSyntax},
			{"zrevrange z 0 1 byscore", rSyntax},
			{"zrange nokey 0 -1", rEmpty},
			{"zrange nokey a b", rNotInt},
			{"zrange nokey 0 -1 withscores", rEmpty},
			{"set s v", rOK},
			{"zrange s 0 1", rWrongType},
			{"zrange s a b", rNotInt},
			{"zrevrange s 0 1", rWrongType},
			{"zrange z 0", errr("ERR wrong number of arguments for 'zrange' command")},
		}},

		{name: "zrange score", steps: []step{
			{"zadd z 1 a 2 b 3 c 4 d 5 e 3 cc", ints(6)},
			{"zrange z 1 3 byscore", bulks("a", "b", "c", "cc")},
			{"zrange z (1 5 byscore limit 1 2 withscores", bulks("c", "3", "cc", "3")},
			{"zrange z 5 1 byscore rev limit 0 2", bulks("e", "d")},
			{"zrange z 5 1 byscore rev withscores", bulks("e", "5", "d", "4", "cc", "3", "c", "3", "b", "2", "a", "1")},
			{"zrange z -inf +inf byscore", bulks("a", "b", "c", "cc", "d", "e")},
			{"zrange z 0 -1 byscore", rEmpty},
			{"zrangebyscore z -inf +inf", bulks("a", "b", "c", "cc", "d", "e")},
			{"zrangebyscore z -inf +inf withscores", bulks("a", "1", "b", "2", "c", "3", "cc", "3", "d", "4", "e", "5")},
			{"zrangebyscore z (1 (3", bulks("b")},
			{"zrangebyscore z 3 3", bulks("c", "cc")},
			{"zrangebyscore z 3 1", rEmpty},
			{"zrangebyscore z -INF +Infinity", bulks("a", "b", "c", "cc", "d", "e")},
			{"zrangebyscore z 0x1 0x3", bulks("a", "b", "c", "cc")},
			{"zrangebyscore z \"\" 3", bulks("a", "b", "c", "cc")},
			{"zrangebyscore z \"(\" 3", bulks("a", "b", "c", "cc")},
			{"zrangebyscore z \" 1\" 3", bulks("a", "b", "c", "cc")},
			{"zrangebyscore z \"1 \" 3", errr("ERR min or max is not a float")},
			{"zrangebyscore z 1e400 inf", rEmpty},
			{"zrangebyscore z nan 1", errr("ERR min or max is not a float")},
			{"zrangebyscore z ( (", rEmpty},
			{"zrangebyscore z -inf +inf limit 1 -1", bulks("b", "c", "cc", "d", "e")},
			{"zrangebyscore z -inf +inf limit -1 -1", rEmpty},
			{"zrangebyscore z -inf +inf limit 2 -5", bulks("c", "cc", "d", "e")},
			{"zrangebyscore z -inf +inf limit 0 0", rEmpty},
			{"zrangebyscore z -inf +inf limit 10 1", rEmpty},
			{"zrangebyscore z -inf +inf limit 5 10", bulks("e")},
			{"zrangebyscore z -inf +inf limit 1 2 limit 2 2", bulks("c", "cc")},
			{"zrangebyscore z -inf +inf withscores limit 1 2", bulks("b", "2", "c", "3")},
			{"zrangebyscore z -inf +inf limit 1", rSyntax},
			{"zrangebyscore z 0 5 rev", rSyntax},
			{"zrangebyscore z 0 5 bylex", rSyntax},
			{"zrangebyscore z 0 5 byscore", rSyntax},
			{"zrevrangebyscore z 5 1 withscores limit 1 2", bulks("d", "4", "cc", "3")},
			{"zrevrangebyscore z 1 5", rEmpty},
			{"zrevrangebyscore z +inf -inf limit 4 10", bulks("b", "a")},
			{"zrevrangebyscore z (3 -inf", bulks("b", "a")},
			{"zrevrangebyscore z 3 (2", bulks("cc", "c")},
			{"zrange z a b byscore", errr("ERR min or max is not a float")},
			{"zrange z 1 b byscore", errr("ERR min or max is not a float")},
			{"zrange z 0 -1 byscore limit a 1", rNotInt},
			{"zrangebyscore nokey a 1", errr("ERR min or max is not a float")},
			{"zrangebyscore nokey 0 1", rEmpty},
			{"set s v", rOK},
			{"zrangebyscore s 0 1", rWrongType},
			{"zrangebyscore s a 1", errr("ERR min or max is not a float")},
		}},

		{name: "zrange score skiplist", steps: []step{
			{"zadd z 1 a 2 b 3 c 4 d 5 e 3 cc", ints(6)},
			{"zadd z 0 LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL", rOne},
			{"zrem z LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL", rOne},
			{"object encoding z", bulk("skiplist")},
			{"zrange z 1 3 byscore", bulks("a", "b", "c", "cc")},
			{"zrange z (1 5 byscore limit 1 2 withscores", bulks("c", "3", "cc", "3")},
			{"zrange z 5 1 byscore rev limit 0 2", bulks("e", "d")},
			{"zrange z 5 1 byscore rev withscores", bulks("e", "5", "d", "4", "cc", "3", "c", "3", "b", "2", "a", "1")},
			{"zrange z -inf +inf byscore", bulks("a", "b", "c", "cc", "d", "e")},
			{"zrange z 0 -1 byscore", rEmpty},
			{"zrangebyscore z -inf +inf", bulks("a", "b", "c", "cc", "d", "e")},
			{"zrangebyscore z -inf +inf withscores", bulks("a", "1", "b", "2", "c", "3", "cc", "3", "d", "4", "e", "5")},
			{"zrangebyscore z (1 (3", bulks("b")},
			{"zrangebyscore z 3 3", bulks("c", "cc")},
			{"zrangebyscore z 3 1", rEmpty},
			{"zrangebyscore z -INF +Infinity", bulks("a", "b", "c", "cc", "d", "e")},
			{"zrangebyscore z 0x1 0x3", bulks("a", "b", "c", "cc")},
			{"zrangebyscore z \"\" 3", bulks("a", "b", "c", "cc")},
			{"zrangebyscore z \"(\" 3", bulks("a", "b", "c", "cc")},
			{"zrangebyscore z \" 1\" 3", bulks("a", "b", "c", "cc")},
			{"zrangebyscore z \"1 \" 3", errr("ERR min or max is not a float")},
			{"zrangebyscore z 1e400 inf", rEmpty},
			{"zrangebyscore z nan 1", errr("ERR min or max is not a float")},
			{"zrangebyscore z ( (", rEmpty},
			{"zrangebyscore z -inf +inf limit 1 -1", bulks("b", "c", "cc", "d", "e")},
			{"zrangebyscore z -inf +inf limit -1 -1", rEmpty},
			{"zrangebyscore z -inf +inf limit 2 -5", bulks("c", "cc", "d", "e")},
			{"zrangebyscore z -inf +inf limit 0 0", rEmpty},
			{"zrangebyscore z -inf +inf limit 10 1", rEmpty},
			{"zrangebyscore z -inf +inf limit 5 10", bulks("e")},
			{"zrangebyscore z -inf +inf limit 1 2 limit 2 2", bulks("c", "cc")},
			{"zrangebyscore z -inf +inf withscores limit 1 2", bulks("b", "2", "c", "3")},
			{"zrangebyscore z -inf +inf limit 1", rSyntax},
			{"zrangebyscore z 0 5 rev", rSyntax},
			{"zrangebyscore z 0 5 bylex", rSyntax},
			{"zrangebyscore z 0 5 byscore", rSyntax},
			{"zrevrangebyscore z 5 1 withscores limit 1 2", bulks("d", "4", "cc", "3")},
			{"zrevrangebyscore z 1 5", rEmpty},
			{"zrevrangebyscore z +inf -inf limit 4 10", bulks("b", "a")},
			{"zrevrangebyscore z (3 -inf", bulks("b", "a")},
			{"zrevrangebyscore z 3 (2", bulks("cc", "c")},
			{"zrange z a b byscore", errr("ERR min or max is not a float")},
			{"zrange z 1 b byscore", errr("ERR min or max is not a float")},
			{"zrange z 0 -1 byscore limit a 1", rNotInt},
			{"zrangebyscore nokey a 1", errr("ERR min or max is not a float")},
			{"zrangebyscore nokey 0 1", rEmpty},
			{"set s v", rOK},
			{"zrangebyscore s 0 1", rWrongType},
			{"zrangebyscore s a 1", errr("ERR min or max is not a float")},
		}},

		{name: "zrange lex", steps: []step{
			{"zadd z 0 a 0 b 0 c 0 d 0 e 0 ee", ints(6)},
			{"zrange z - + bylex", bulks("a", "b", "c", "d", "e", "ee")},
			{"zrange z - + bylex withscores", errr("ERR syntax error, WITHSCORES not supported in combination with BYLEX")},
			{"zrange z - + bylex limit 0 2", bulks("a", "b")},
			{"zrange z [b (d bylex", bulks("b", "c")},
			{"zrange z + - bylex rev", bulks("ee", "e", "d", "c", "b", "a")},
			{"zrange z (d - bylex rev limit 1 2", bulks("b", "a")},
			{"zrange z a b bylex", errr("ERR min or max not valid string range item")},
			{"zrangebylex z - +", bulks("a", "b", "c", "d", "e", "ee")},
			{"zrangebylex z - + withscores", errr("ERR syntax error, WITHSCORES not supported in combination with BYLEX")},
			{"zrangebylex z - + limit 1 1", bulks("b")},
			{"zrangebylex z - + limit -1 2", rEmpty},
			{"zrangebylex z - + limit 3 -1", bulks("d", "e", "ee")},
			{"zrangebylex z [a [c", bulks("a", "b", "c")},
			{"zrangebylex z (a (c", bulks("b")},
			{"zrangebylex z - (c", bulks("a", "b")},
			{"zrangebylex z [c -", rEmpty},
			{"zrangebylex z + -", rEmpty},
			{"zrangebylex z + +", rEmpty},
			{"zrangebylex z - -", rEmpty},
			{"zrangebylex z [e [e", bulks("e")},
			{"zrangebylex z [e (e", rEmpty},
			{"zrangebylex z \"[\" +", bulks("a", "b", "c", "d", "e", "ee")},
			{"zrangebylex z \"(\" \"[\"", rEmpty},
			{"zrangebylex z \"\" +", errr("ERR min or max not valid string range item")},
			{"zrangebylex z -a +", errr("ERR min or max not valid string range item")},
			{"zrangebylex z +a +", errr("ERR min or max not valid string range item")},
			{"zrangebylex z a b", errr("ERR min or max not valid string range item")},
			{"zrangebylex z [e [ef", bulks("e", "ee")},
			{"zrevrangebylex z + - limit 1 1", bulks("e")},
			{"zrevrangebylex z + -", bulks("ee", "e", "d", "c", "b", "a")},
			{"zrevrangebylex z [d [b", bulks("d", "c", "b")},
			{"zrevrangebylex z [b [d", rEmpty},
			{"zrevrangebylex z + - limit 3 -1", bulks("c", "b", "a")},
			{"zrevrangebylex z - +", rEmpty},
			{"zrangebylex nokey - +", rEmpty},
			{"zrangebylex nokey a b", errr("ERR min or max not valid string range item")},
			{"set s v", rOK},
			{"zrangebylex s - +", rWrongType},
			{"zrangebylex s a b", errr("ERR min or max not valid string range item")},
		}},

		{name: "zrange lex skiplist", steps: []step{
			{"zadd z 0 a 0 b 0 c 0 d 0 e 0 ee", ints(6)},
			{"zadd z 0 LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL", rOne},
			{"zrem z LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL", rOne},
			{"object encoding z", bulk("skiplist")},
			{"zrange z - + bylex", bulks("a", "b", "c", "d", "e", "ee")},
			{"zrange z - + bylex withscores", errr("ERR syntax error, WITHSCORES not supported in combination with BYLEX")},
			{"zrange z - + bylex limit 0 2", bulks("a", "b")},
			{"zrange z [b (d bylex", bulks("b", "c")},
			{"zrange z + - bylex rev", bulks("ee", "e", "d", "c", "b", "a")},
			{"zrange z (d - bylex rev limit 1 2", bulks("b", "a")},
			{"zrange z a b bylex", errr("ERR min or max not valid string range item")},
			{"zrangebylex z - +", bulks("a", "b", "c", "d", "e", "ee")},
			{"zrangebylex z - + withscores", errr("ERR syntax error, WITHSCORES not supported in combination with BYLEX")},
			{"zrangebylex z - + limit 1 1", bulks("b")},
			{"zrangebylex z - + limit -1 2", rEmpty},
			{"zrangebylex z - + limit 3 -1", bulks("d", "e", "ee")},
			{"zrangebylex z [a [c", bulks("a", "b", "c")},
			{"zrangebylex z (a (c", bulks("b")},
			{"zrangebylex z - (c", bulks("a", "b")},
			{"zrangebylex z [c -", rEmpty},
			{"zrangebylex z + -", rEmpty},
			{"zrangebylex z + +", rEmpty},
			{"zrangebylex z - -", rEmpty},
			{"zrangebylex z [e [e", bulks("e")},
			{"zrangebylex z [e (e", rEmpty},
			{"zrangebylex z \"[\" +", bulks("a", "b", "c", "d", "e", "ee")},
			{"zrangebylex z \"(\" \"[\"", rEmpty},
			{"zrangebylex z \"\" +", errr("ERR min or max not valid string range item")},
			{"zrangebylex z -a +", errr("ERR min or max not valid string range item")},
			{"zrangebylex z +a +", errr("ERR min or max not valid string range item")},
			{"zrangebylex z a b", errr("ERR min or max not valid string range item")},
			{"zrangebylex z [e [ef", bulks("e", "ee")},
			{"zrevrangebylex z + - limit 1 1", bulks("e")},
			{"zrevrangebylex z + -", bulks("ee", "e", "d", "c", "b", "a")},
			{"zrevrangebylex z [d [b", bulks("d", "c", "b")},
			{"zrevrangebylex z [b [d", rEmpty},
			{"zrevrangebylex z + - limit 3 -1", bulks("c", "b", "a")},
			{"zrevrangebylex z - +", rEmpty},
			{"zrangebylex nokey - +", rEmpty},
			{"zrangebylex nokey a b", errr("ERR min or max not valid string range item")},
			{"set s v", rOK},
			{"zrangebylex s - +", rWrongType},
			{"zrangebylex s a b", errr("ERR min or max not valid string range item")},
		}},

		{name: "zrange lex mixed", steps: []step{
			{"zadd z 3 a 1 b 2 c 5 d 4 e", ints(5)},
			{"zrangebylex z - +", bulks("b", "c", "a", "e", "d")},
			{"zrangebylex z [b [d", bulks("b", "c", "a")},
			{"zrevrangebylex z [d [b", bulks("d", "e")},
			{"zrangebylex z [c +", bulks("c", "a", "e", "d")},
			{"zrevrangebylex z + [c", bulks("d", "e")},
			{"zrangebylex z - [c", bulks("b", "c", "a")},
			{"zrevrangebylex z [c -", bulks("a", "c", "b")},
			{"zlexcount z [b [d", ints(3)},
			{"zlexcount z [c +", ints(4)},
			{"zlexcount z - [c", ints(3)},
			{"zremrangebylex z [b [c", ints(3)},
			{"zrange z 0 -1 withscores", bulks("e", "4", "d", "5")},
		}},

		{name: "zrangestore", steps: []step{
			{"zadd z 1 a 2 b 3 c 4 d 5 e", ints(5)},
			{"zrangestore d z 0 -1", ints(5)},
			{"zrange d 0 -1 withscores", bulks("a", "1", "b", "2", "c", "3", "d", "4", "e", "5")},
			{"zrangestore d z 1 2", ints(2)},
			{"zrange d 0 -1 withscores", bulks("b", "2", "c", "3")},
			{"zrangestore d z 0 1 rev", ints(2)},
			{"zrange d 0 -1 withscores", bulks("d", "4", "e", "5")},
			{"zrangestore d z (1 4 byscore limit 1 5", ints(2)},
			{"zrange d 0 -1 withscores", bulks("c", "3", "d", "4")},
			{"zrangestore d z 4 (1 byscore rev limit 0 2", ints(2)},
			{"zrange d 0 -1 withscores", bulks("c", "3", "d", "4")},
			{"zrangestore d z [b [c bylex", ints(2)},
			{"zrange d 0 -1 withscores", bulks("b", "2", "c", "3")},
			{"zrangestore d z 0 -1 withscores", rSyntax},
			{"zrangestore d z 0 -1 limit 0 1", errr("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")},
			{"zrangestore d z 5 10", rZero},
			{"exists d", rZero},
			{"zrangestore d z 0 -1", ints(5)},
			{"zrangestore d nokey 0 -1", rZero},
			{"exists d", rZero},
			{"set s v", rOK},
			{"zrangestore d s 0 -1", rWrongType},
			{"zrangestore s z 0 1", ints(2)},
			{"type s", "+zset\r\n"},
			{"zrange s 0 -1", bulks("a", "b")},
			{"zrangestore z z 1 2", ints(2)},
			{"zrange z 0 -1", bulks("b", "c")},
			{"object encoding d", rNull},
			{"zrangestore d z 0", errr("ERR wrong number of arguments for 'zrangestore' command")},
		}},

		{name: "zremrange", steps: []step{
			{"zadd z 1 a 2 b 3 c 4 d 5 e", ints(5)},
			{"zremrangebyrank z a 1", rNotInt},
			{"zremrangebyrank z 1 b", rNotInt},
			{"zremrangebyrank z 1 -2", ints(3)},
			{"zrange z 0 -1", bulks("a", "e")},
			{"zremrangebyrank z 5 10", rZero},
			{"zremrangebyrank z 1 0", rZero},
			{"zremrangebyrank z -100 -100", rZero},
			{"zremrangebyrank z -1 -1", rOne},
			{"zrange z 0 -1", bulks("a")},
			{"zremrangebyrank z 0 100", rOne},
			{"exists z", rZero},
			{"zadd z 1 a 2 b 3 c 4 d 5 e", ints(5)},
			{"zremrangebyscore z a 1", errr("ERR min or max is not a float")},
			{"zremrangebyscore z (1 (3", rOne},
			{"zrange z 0 -1", bulks("a", "c", "d", "e")},
			{"zremrangebyscore z 5 1", rZero},
			{"zremrangebyscore z -inf (5", ints(3)},
			{"zremrangebyscore z -inf +inf", rOne},
			{"exists z", rZero},
			{"zadd z 0 a 0 b 0 c 0 d 0 e", ints(5)},
			{"zremrangebylex z a b", errr("ERR min or max not valid string range item")},
			{"zremrangebylex z (a [c", ints(2)},
			{"zrange z 0 -1", bulks("a", "d", "e")},
			{"zremrangebylex z + -", rZero},
			{"zremrangebylex z [e +", rOne},
			{"zremrangebylex z - +", ints(2)},
			{"exists z", rZero},
			{"zremrangebyrank nokey 0 1", rZero},
			{"zremrangebyscore nokey 0 1", rZero},
			{"zremrangebyscore nokey a 1", errr("ERR min or max is not a float")},
			{"zremrangebylex nokey - +", rZero},
			{"zremrangebylex nokey a b", errr("ERR min or max not valid string range item")},
			{"set s v", rOK},
			{"zremrangebyrank s 0 1", rWrongType},
			{"zremrangebyrank s a 1", rNotInt},
			{"zremrangebyscore s 0 1", rWrongType},
			{"zremrangebylex s - +", rWrongType},
			{"zremrangebylex s a b", errr("ERR min or max not valid string range item")},
		}},

		{name: "zpop", steps: []step{
			{"zadd z 1 a 2 b 3 c 4 d 5 e", ints(5)},
			{"zpopmin z", bulks("a", "1")},
			{"zpopmax z", bulks("e", "5")},
			{"zpopmin z 2", bulks("b", "2", "c", "3")},
			{"zpopmax z 0", rEmpty},
			{"zpopmin z 10", bulks("d", "4")},
			{"exists z", rZero},
			{"zpopmin nokey", rEmpty},
			{"zpopmin nokey 2", rEmpty},
			{"zpopmax nokey 0", rEmpty},
			{"zadd z 1 a", rOne},
			{"zpopmin z -1", errr("ERR value is out of range, must be positive")},
			{"zpopmin z a", errr("ERR value is out of range, must be positive")},
			{"zpopmin z 1 2", rSyntax},
			{"zpopmax z 1", bulks("a", "1")},
			{"set s v", rOK},
			{"zpopmin s", rWrongType},
			{"zpopmin s 1", rWrongType},
			{"zpopmin s 0", rWrongType},
			{"zpopmin s -1", errr("ERR value is out of range, must be positive")},
			{"zpopmin s a", errr("ERR value is out of range, must be positive")},
		}},

		{name: "zpop skiplist", steps: []step{
			{"zadd z 1 a 2 b 3 c 4 d 5 e", ints(5)},
			{"zadd z 0 LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL", rOne},
			{"zrem z LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL", rOne},
			{"object encoding z", bulk("skiplist")},
			{"zpopmin z", bulks("a", "1")},
			{"zpopmax z", bulks("e", "5")},
			{"zpopmin z 2", bulks("b", "2", "c", "3")},
			{"zpopmax z 0", rEmpty},
			{"zpopmin z 10", bulks("d", "4")},
			{"exists z", rZero},
			{"zpopmin nokey", rEmpty},
			{"zpopmin nokey 2", rEmpty},
			{"zpopmax nokey 0", rEmpty},
			{"zadd z 1 a", rOne},
			{"zpopmin z -1", errr("ERR value is out of range, must be positive")},
			{"zpopmin z a", errr("ERR value is out of range, must be positive")},
			{"zpopmin z 1 2", rSyntax},
			{"zpopmax z 1", bulks("a", "1")},
			{"set s v", rOK},
			{"zpopmin s", rWrongType},
			{"zpopmin s 1", rWrongType},
			{"zpopmin s 0", rWrongType},
			{"zpopmin s -1", errr("ERR value is out of range, must be positive")},
			{"zpopmin s a", errr("ERR value is out of range, must be positive")},
		}},

		{name: "zmpop", steps: []step{
			{"zadd z 1 a 2 b 3 c 4 d 5 e", ints(5)},
			{"zmpop 1 z min", arr(bulk("z"), arr(bulks("a", "1")))},
			{"zmpop 1 z MAX COUNT 2", arr(bulk("z"), arr(bulks("e", "5"), bulks("d", "4")))},
			{"zmpop 2 nokey z max", arr(bulk("z"), arr(bulks("c", "3")))},
			{"zmpop 1 z min count 10", arr(bulk("z"), arr(bulks("b", "2")))},
			{"exists z", rZero},
			{"zmpop 1 z min", "*-1\r\n"},
			{"zmpop 2 nokey nokey2 min count 3", "*-1\r\n"},
			{"zmpop 0 z min", errr("ERR numkeys should be greater than 0")},
			{"zmpop -1 z min", errr("ERR numkeys should be greater than 0")},
			{"zmpop a z min", errr("ERR numkeys should be greater than 0")},
			{"zmpop 1 z", errr("ERR wrong number of arguments for 'zmpop' command")},
			{"zmpop 1 z foo", rSyntax},
			{"zmpop 2 z min", rSyntax},
			{"zmpop 1 z min count", rSyntax},
			{"zmpop 1 z min count 0", errr("ERR count should be greater than 0")},
			{"zmpop 1 z min count -1", errr("ERR count should be greater than 0")},
			{"zmpop 1 z min count a", errr("ERR count should be greater than 0")},
			{"zmpop 1 z min count 1 count 2", rSyntax},
			{"zmpop 1 z min foo 1", rSyntax},
			{"zmpop 1 z min count 99999999999999999999", errr("ERR count should be greater than 0")},
			{"set s v", rOK},
			{"zadd z2 1 x", rOne},
			{"zmpop 2 s z2 max", rWrongType},
			{"zmpop 2 nokey s max", rWrongType},
			{"zmpop 2 z2 s max", arr(bulk("z2"), arr(bulks("x", "1")))},
			{"bzmpop 0 1 nokey", errr("ERR wrong number of arguments for 'bzmpop' command")},
			{"bzmpop a 1 nokey min", errr("ERR timeout is not a float or out of range")},
			{"bzmpop -1 1 nokey min", errr("ERR timeout is negative")},
			{"bzmpop 0 0 nokey min", errr("ERR numkeys should be greater than 0")},
			{"bzmpop a 0 nokey min", errr("ERR numkeys should be greater than 0")},
			{"bzmpop a 1 nokey foo", rSyntax},
			{"bzmpop 0 1 s min", rWrongType},
			{"zadd z3 1 a 2 b", ints(2)},
			{"bzmpop 0 2 nokey z3 max count 5", arr(bulk("z3"), arr(bulks("b", "2"), bulks("a", "1")))},
			{"bzpopmin nokey a", errr("ERR timeout is not a float or out of range")},
			{"bzpopmin nokey -1", errr("ERR timeout is negative")},
			{"bzpopmin s 0", rWrongType},
			{"bzpopmin s a", errr("ERR timeout is not a float or out of range")},
			{"bzpopmin nokey s 0", rWrongType},
			{"zadd z4 1 a 2 b 3 c", ints(3)},
			{"bzpopmin z4 0", bulks("z4", "a", "1")},
			{"bzpopmax z4 nokey 0", bulks("z4", "c", "3")},
			{"bzpopmax nokey z4 s 0", bulks("z4", "b", "2")},
			{"exists z4", rZero},
		}},

		{name: "zmpop skiplist", steps: []step{
			{"zadd z 1 a 2 b 3 c 4 d 5 e", ints(5)},
			{"zadd z 0 LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL", rOne},
			{"zrem z LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL", rOne},
			{"object encoding z", bulk("skiplist")},
			{"zmpop 1 z min", arr(bulk("z"), arr(bulks("a", "1")))},
			{"zmpop 1 z MAX COUNT 2", arr(bulk("z"), arr(bulks("e", "5"), bulks("d", "4")))},
			{"zmpop 2 nokey z max", arr(bulk("z"), arr(bulks("c", "3")))},
			{"zmpop 1 z min count 10", arr(bulk("z"), arr(bulks("b", "2")))},
			{"exists z", rZero},
			{"zmpop 1 z min", "*-1\r\n"},
			{"zmpop 2 nokey nokey2 min count 3", "*-1\r\n"},
			{"zmpop 0 z min", errr("ERR numkeys should be greater than 0")},
			{"zmpop -1 z min", errr("ERR numkeys should be greater than 0")},
			{"zmpop a z min", errr("ERR numkeys should be greater than 0")},
			{"zmpop 1 z", errr("ERR wrong number of arguments for 'zmpop' command")},
			{"zmpop 1 z foo", rSyntax},
			{"zmpop 2 z min", rSyntax},
			{"zmpop 1 z min count", rSyntax},
			{"zmpop 1 z min count 0", errr("ERR count should be greater than 0")},
			{"zmpop 1 z min count -1", errr("ERR count should be greater than 0")},
			{"zmpop 1 z min count a", errr("ERR count should be greater than 0")},
			{"zmpop 1 z min count 1 count 2", rSyntax},
			{"zmpop 1 z min foo 1", rSyntax},
			{"zmpop 1 z min count 99999999999999999999", errr("ERR count should be greater than 0")},
			{"set s v", rOK},
			{"zadd z2 1 x", rOne},
			{"zmpop 2 s z2 max", rWrongType},
			{"zmpop 2 nokey s max", rWrongType},
			{"zmpop 2 z2 s max", arr(bulk("z2"), arr(bulks("x", "1")))},
			{"bzmpop 0 1 nokey", errr("ERR wrong number of arguments for 'bzmpop' command")},
			{"bzmpop a 1 nokey min", errr("ERR timeout is not a float or out of range")},
			{"bzmpop -1 1 nokey min", errr("ERR timeout is negative")},
			{"bzmpop 0 0 nokey min", errr("ERR numkeys should be greater than 0")},
			{"bzmpop a 0 nokey min", errr("ERR numkeys should be greater than 0")},
			{"bzmpop a 1 nokey foo", rSyntax},
			{"bzmpop 0 1 s min", rWrongType},
			{"zadd z3 1 a 2 b", ints(2)},
			{"bzmpop 0 2 nokey z3 max count 5", arr(bulk("z3"), arr(bulks("b", "2"), bulks("a", "1")))},
			{"bzpopmin nokey a", errr("ERR timeout is not a float or out of range")},
			{"bzpopmin nokey -1", errr("ERR timeout is negative")},
			{"bzpopmin s 0", rWrongType},
			{"bzpopmin s a", errr("ERR timeout is not a float or out of range")},
			{"bzpopmin nokey s 0", rWrongType},
			{"zadd z4 1 a 2 b 3 c", ints(3)},
			{"bzpopmin z4 0", bulks("z4", "a", "1")},
			{"bzpopmax z4 nokey 0", bulks("z4", "c", "3")},
			{"bzpopmax nokey z4 s 0", bulks("z4", "b", "2")},
			{"exists z4", rZero},
		}},

		{name: "zsetops", steps: []step{
			{"zadd z1 1 a 2 b 3 c", ints(3)},
			{"zadd z2 1 b 2 c 3 d", ints(3)},
			{"sadd st a d x", ints(3)},
			{"sadd si 1 2 3", ints(3)},
			{"zadd zn 1 1 5 3 7 9", ints(3)},
			{"zunion 2 z1 z2", bulks("a", "b", "d", "c")},
			{"zunion 2 z1 z2 withscores", bulks("a", "1", "b", "3", "d", "3", "c", "5")},
			{"zinter 2 z1 z2 withscores", bulks("b", "3", "c", "5")},
			{"zdiff 2 z1 z2 withscores", bulks("a", "1")},
			{"zdiff 2 z2 z1 withscores", bulks("d", "3")},
			{"zunion 2 z1 z2 aggregate max withscores", bulks("a", "1", "b", "2", "c", "3", "d", "3")},
			{"zunion 2 z1 z2 aggregate min withscores", bulks("a", "1", "b", "1", "c", "2", "d", "3")},
			{"zunion 2 z1 z2 aggregate sum withscores", bulks("a", "1", "b", "3", "d", "3", "c", "5")},
			{"zunion 2 z1 z2 weights 2 -1 withscores", bulks("d", "-3", "a", "2", "b", "3", "c", "4")},
			{"zunion 2 z1 z2 weights 2 -1 aggregate max withscores", bulks("d", "-3", "a", "2", "b", "4", "c", "6")},
			{"zinter 2 z1 z2 weights 0.5 10 aggregate min withscores", bulks("b", "1", "c", "1.5")},
			{"zunion 2 z1 z2 withscores withscores", bulks("a", "1", "b", "3", "d", "3", "c", "5")},
			{"zunion 3 z1 z2 st withscores", bulks("x", "1", "a", "2", "b", "3", "d", "4", "c", "5")},
			{"zinter 3 z1 z2 st withscores", rEmpty},
			{"zinter 2 z1 st withscores", bulks("a", "2")},
			{"zdiff 2 z1 st withscores", bulks("b", "2", "c", "3")},
			{"zdiff 2 st z1 withscores", bulks("d", "1", "x", "1")},
			{"zunion 2 si zn withscores", bulks("2", "1", "1", "2", "3", "6", "9", "7")},
			{"zinter 2 si zn withscores", bulks("1", "2", "3", "6")},
			{"zdiff 2 si zn withscores", bulks("2", "1")},
			{"zdiff 1 si withscores", bulks("1", "1", "2", "1", "3", "1")},
			{"zunion 1 z1 weights inf withscores", bulks("a", "inf", "b", "inf", "c", "inf")},
			{"zunion 2 z1 z1 withscores", bulks("a", "2", "b", "4", "c", "6")},
			{"zinter 2 z1 z1 withscores", bulks("a", "2", "b", "4", "c", "6")},
			{"zdiff 2 z1 z1 withscores", rEmpty},
			{"zunion 2 nokey nokey", rEmpty},
			{"zinter 2 z1 nokey", rEmpty},
			{"zdiff 2 nokey z1", rEmpty},
			{"zdiff 2 z1 nokey", bulks("a", "b", "c")},
			{"zunion 0 z1", errr("ERR at least 1 input key is needed for 'zunion' command")},
			{"zunion -1 z1", errr("ERR at least 1 input key is needed for 'zunion' command")},
			{"zunion a z1", rNotInt},
			{"zunion 2 z1", rSyntax},
			{"zunion 1 z1 z2", rSyntax},
			{"zunion 1 z1 weights", rSyntax},
			{"zunion 1 z1 weights a", errr("ERR weight value is not a float")},
			{"zunion 1 z1 weights 2 3", rSyntax},
			{"zunion 2 z1 z2 weights 1", rSyntax},
			{"zunion 2 z1 z2 weights 1 nan", errr("ERR weight value is not a float")},
			{"zunion 2 z1 z2 weights 1 1e400", errr("ERR weight value is not a float")},
			{"zunion 2 z1 z2 aggregate", rSyntax},
			{"zunion 2 z1 z2 aggregate foo", rSyntax},
			{"zunion 2 z1 z2 foo", rSyntax},
			{"zdiff 2 z1 z2 weights 1 2", rSyntax},
			{"zdiff 2 z1 z2 aggregate sum", rSyntax},
			{"zinter 0 z1", errr("ERR at least 1 input key is needed for 'zinter' command")},
			{"zdiff 0 z1", errr("ERR at least 1 input key is needed for 'zdiff' command")},
			{"set s v", rOK},
			{"zunion 2 z1 s", rWrongType},
			{"zunion 2 s nokey", rWrongType},
			{"zunion 2 s nokey weights a", rWrongType},
			{"zinter 2 nokey s", rWrongType},
			{"zdiff 2 z1 s", rWrongType},
			{"zadd zi 1 a", rOne},
			{"zadd zj -1 a", rOne},
			{"zunion 2 zi zj weights inf inf withscores", bulks("a", "0")},
			{"zunion 2 zi zj weights inf 0 withscores", bulks("a", "inf")},
			{"zadd zk inf a", rOne},
			{"zunion 2 zk zj weights 1 0 withscores", bulks("a", "inf")},
			{"zunion 2 zk zj weights 0 1 withscores", bulks("a", "-1")},
			{"zinter 2 zk zj weights 0 1 withscores", bulks("a", "-1")},
			{"zadd zm -inf a", rOne},
			{"zunion 2 zk zm withscores", bulks("a", "0")},
			{"zinter 2 zk zm withscores", bulks("a", "0")},
			{"zinter 2 zk zm aggregate max withscores", bulks("a", "inf")},
			{"zinter 2 zk zm aggregate min withscores", bulks("a", "-inf")},
			{"zadd f1 0.1 a", rOne},
			{"zadd f2 0.2 a", rOne},
			{"zadd f3 0.3 a 1 b", ints(2)},
			{"zunion 3 f1 f2 f3 withscores", bulks("a", "0.60000000000000009", "b", "1")},
			{"zunion 3 f3 f2 f1 withscores", bulks("a", "0.60000000000000009", "b", "1")},
			{"zinter 3 f3 f2 f1 withscores", bulks("a", "0.60000000000000009")},
			{"zunion 1 z1 weights -1 withscores", bulks("c", "-3", "b", "-2", "a", "-1")},
			{"zadd zero 0 a", rOne},
			{"zunion 1 zero weights -1 withscores", bulks("a", "-0")},
		}},

		{name: "zsetops store", steps: []step{
			{"zadd z1 1 a 2 b 3 c", ints(3)},
			{"zadd z2 1 b 2 c 3 d", ints(3)},
			{"sadd st a d x", ints(3)},
			{"zunionstore d 2 z1 z2", ints(4)},
			{"zrange d 0 -1 withscores", bulks("a", "1", "b", "3", "d", "3", "c", "5")},
			{"zinterstore d 2 z1 z2 weights 2 3", ints(2)},
			{"zrange d 0 -1 withscores", bulks("b", "7", "c", "12")},
			{"zdiffstore d 2 z1 z2", rOne},
			{"zrange d 0 -1 withscores", bulks("a", "1")},
			{"zunionstore d 3 z1 z2 st aggregate max", ints(5)},
			{"zrange d 0 -1 withscores", bulks("a", "1", "x", "1", "b", "2", "c", "3", "d", "3")},
			{"object encoding d", bulk("listpack")},
			{"zunionstore d 2 z1 z2 withscores", rSyntax},
			{"zunionstore d 0 z1", errr("ERR at least 1 input key is needed for 'zunionstore' command")},
			{"zinterstore d 0 z1", errr("ERR at least 1 input key is needed for 'zinterstore' command")},
			{"zdiffstore d 0 z1", errr("ERR at least 1 input key is needed for 'zdiffstore' command")},
			{"zinterstore d 2 z1 nokey", rZero},
			{"exists d", rZero},
			{"zdiffstore d 2 z1 nokey", ints(3)},
			{"zdiffstore d 2 nokey z1", rZero},
			{"exists d", rZero},
			{"zunionstore d 1 nokey", rZero},
			{"set s v", rOK},
			{"zunionstore d 2 z1 s", rWrongType},
			{"zinterstore s 2 z1 z2", ints(2)},
			{"type s", "+zset\r\n"},
			{"zrange s 0 -1 withscores", bulks("b", "3", "c", "5")},
			{"zunionstore z1 2 z1 z2", ints(4)},
			{"zrange z1 0 -1 withscores", bulks("a", "1", "b", "3", "d", "3", "c", "5")},
			{"zadd zero 0 a", rOne},
			{"zunionstore d 1 zero weights -1", rOne},
			{"zscore d a", bulk("0")},
			{"zunionstore d a z1", rNotInt},
			{"zunionstore d 2 z1", rSyntax},
			{"zdiffstore d 2 z1 z2 weights 1 1", rSyntax},
			{"zunionstore d", errr("ERR wrong number of arguments for 'zunionstore' command")},
		}},

		{name: "zintercard", steps: []step{
			{"zadd z1 1 a 2 b 3 c", ints(3)},
			{"zadd z2 1 b 2 c 3 d", ints(3)},
			{"sadd st a b x", ints(3)},
			{"zintercard 1 z1", ints(3)},
			{"zintercard 2 z1 z2", ints(2)},
			{"zintercard 2 z1 z2 limit 1", rOne},
			{"zintercard 2 z1 z2 limit 0", ints(2)},
			{"zintercard 2 z1 z2 limit 5", ints(2)},
			{"zintercard 2 z1 z2 limit -1", errr("ERR LIMIT can't be negative")},
			{"zintercard 2 z1 z2 limit a", errr("ERR LIMIT can't be negative")},
			{"zintercard 2 z1 z2 limit", rSyntax},
			{"zintercard 2 z1 z2 limit 1 limit 2", ints(2)},
			{"zintercard 2 z1 z2 foo 1", rSyntax},
			{"zintercard 2 z1 z2 withscores", rSyntax},
			{"zintercard 2 z1 z2 weights 1 1", rSyntax},
			{"zintercard 3 z1 z2 st", rOne},
			{"zintercard 2 z1 st", ints(2)},
			{"zintercard 2 z1 z1", ints(3)},
			{"zintercard 2 nokey z1", rZero},
			{"zintercard 3 z1 z2", rSyntax},
			{"zintercard a z1", rNotInt},
			{"zintercard 0 z1", errr("ERR at least 1 input key is needed for 'zintercard' command")},
			{"set s v", rOK},
			{"zintercard 2 z1 s", rWrongType},
			{"zintercard 2 nokey s", rWrongType},
		}},

		{name: "zrandmember", steps: []step{
			{"zadd z 1 a 2 b 3 c 4 d 5 e", ints(5)},
			{"zrandmember z a", rNotInt},
			{"zrandmember z 1 foo", rSyntax},
			{"zrandmember z 1 withscores foo", rSyntax},
			{"zrandmember z 0", rEmpty},
			{"zrandmember z 0 withscores", rEmpty},
			{"zrandmember z -9223372036854775808", errr("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")},
			{"zrandmember z -4611686018427387904 withscores", errr("ERR value is out of range")},
			{"zrandmember z 4611686018427387904 withscores", errr("ERR value is out of range")},
			{"zrandmember z 10 withscores", bulks("e", "5", "d", "4", "c", "3", "b", "2", "a", "1")},
			{"zrandmember z 9223372036854775807", bulks("e", "d", "c", "b", "a")},
			{"zrandmember nokey", rNull},
			{"zrandmember nokey 0", rEmpty},
			{"zrandmember nokey -5 withscores", rEmpty},
			{"zrandmember nokey 5", rEmpty},
			{"zadd one 7 x", rOne},
			{"zrandmember one", bulk("x")},
			{"zrandmember one 1 withscores", bulks("x", "7")},
			{"zrandmember one -3 withscores", bulks("x", "7", "x", "7", "x", "7")},
			{"zrandmember one -2", bulks("x", "x")},
			{"set s v", rOK},
			{"zrandmember s", rWrongType},
			{"zrandmember s 1", rWrongType},
			{"zrandmember s 0", rWrongType},
			{"zrandmember s a", rNotInt},
		}},

		{name: "zrandmember skiplist", steps: []step{
			{"zadd z 1 a 2 b 3 c 4 d 5 e", ints(5)},
			{"zadd z 0 LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL", rOne},
			{"zrem z LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL", rOne},
			{"object encoding z", bulk("skiplist")},
			{"zrandmember z a", rNotInt},
			{"zrandmember z 1 foo", rSyntax},
			{"zrandmember z 1 withscores foo", rSyntax},
			{"zrandmember z 0", rEmpty},
			{"zrandmember z 0 withscores", rEmpty},
			{"zrandmember z -9223372036854775808", errr("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")},
			{"zrandmember z -4611686018427387904 withscores", errr("ERR value is out of range")},
			{"zrandmember z 4611686018427387904 withscores", errr("ERR value is out of range")},
			{"zrandmember z 10 withscores", bulks("e", "5", "d", "4", "c", "3", "b", "2", "a", "1")},
			{"zrandmember z 9223372036854775807", bulks("e", "d", "c", "b", "a")},
			{"zrandmember nokey", rNull},
			{"zrandmember nokey 0", rEmpty},
			{"zrandmember nokey -5 withscores", rEmpty},
			{"zrandmember nokey 5", rEmpty},
			{"zadd one 7 x", rOne},
			{"zrandmember one", bulk("x")},
			{"zrandmember one 1 withscores", bulks("x", "7")},
			{"zrandmember one -3 withscores", bulks("x", "7", "x", "7", "x", "7")},
			{"zrandmember one -2", bulks("x", "x")},
			{"set s v", rOK},
			{"zrandmember s", rWrongType},
			{"zrandmember s 1", rWrongType},
			{"zrandmember s 0", rWrongType},
			{"zrandmember s a", rNotInt},
		}},

		{name: "zscan", steps: []step{
			{"zadd z 1 a 2 b 3.5 c -0.25 d", ints(4)},
			{"zscan z 0", arr(bulk("0"), bulks("d", "-0.25", "a", "1", "b", "2", "c", "3.5"))},
			{"zscan z 0 count 1", arr(bulk("0"), bulks("d", "-0.25", "a", "1", "b", "2", "c", "3.5"))},
			{"zscan z 5", arr(bulk("0"), bulks("d", "-0.25", "a", "1", "b", "2", "c", "3.5"))},
			{"zscan z 0 match a*", arr(bulk("0"), bulks("a", "1"))},
			{"zscan z 0 match b", arr(bulk("0"), bulks("b", "2"))},
			{"zscan z abc", errr("ERR invalid cursor")},
			{"zscan z 0 count 0", rSyntax},
			{"zscan z 0 count a", rNotInt},
			{"zscan z 0 foo bar", rSyntax},
			{"zscan z 0 match", rSyntax},
			{"zscan nokey 0", arr(bulk("0"), rEmpty)},
			{"zscan nokey 0 count 0", arr(bulk("0"), rEmpty)},
			{"zscan nokey abc", errr("ERR invalid cursor")},
			{"set s v", rOK},
			{"zscan s 0", rWrongType},
			{"zscan s 0 count 0", rWrongType},
			{"zscan s abc", errr("ERR invalid cursor")},
		}},

		{name: "resp3", p3: true, steps: []step{
			{"zadd z 1 a 2 b 3 c", ints(3)},
			{"zscore z a", zdbl("1")},
			{"zscore z x", zNull3},
			{"zscore nokey x", zNull3},
			{"zmscore z a x", arr(zdbl("1"), zNull3)},
			{"zincrby z 1.5 a", zdbl("2.5")},
			{"zadd z incr 1 a", zdbl("3.5")},
			{"zadd z xx incr 1 x", zNull3},
			{"zrank z x", zNull3},
			{"zrange z 0 -1 withscores", arr(arr(bulk("b"), zdbl("2")), arr(bulk("c"), zdbl("3")), arr(bulk("a"), zdbl("3.5")))},
			{"zrange z 0 -1", bulks("b", "c", "a")},
			{"zrange z 0 -1 withscores rev", arr(arr(bulk("a"), zdbl("3.5")), arr(bulk("c"), zdbl("3")), arr(bulk("b"), zdbl("2")))},
			{"zrange z -inf +inf byscore withscores limit 1 1", arr(arr(bulk("c"), zdbl("3")))},
			{"zrange nokey 0 -1 withscores", rEmpty},
			{"zrevrange z 0 0 withscores", arr(arr(bulk("a"), zdbl("3.5")))},
			{"zrangebyscore z -inf +inf withscores", arr(arr(bulk("b"), zdbl("2")), arr(bulk("c"), zdbl("3")), arr(bulk("a"), zdbl("3.5")))},
			{"zrevrangebyscore z +inf -inf withscores", arr(arr(bulk("a"), zdbl("3.5")), arr(bulk("c"), zdbl("3")), arr(bulk("b"), zdbl("2")))},
			{"zrangebylex z - +", bulks("b", "c", "a")},
			{"zrandmember z 5 withscores", arr(arr(bulk("a"), zdbl("3.5")), arr(bulk("c"), zdbl("3")), arr(bulk("b"), zdbl("2")))},
			{"zrandmember z 5", bulks("a", "c", "b")},
			{"zrandmember nokey", zNull3},
			{"zrandmember nokey 3 withscores", rEmpty},
			{"zunion 1 z withscores", arr(arr(bulk("b"), zdbl("2")), arr(bulk("c"), zdbl("3")), arr(bulk("a"), zdbl("3.5")))},
			{"zinter 1 z withscores", arr(arr(bulk("b"), zdbl("2")), arr(bulk("c"), zdbl("3")), arr(bulk("a"), zdbl("3.5")))},
			{"zdiff 1 z withscores", arr(arr(bulk("b"), zdbl("2")), arr(bulk("c"), zdbl("3")), arr(bulk("a"), zdbl("3.5")))},
			{"zunion 1 z", bulks("b", "c", "a")},
			{"zscan z 0", arr(bulk("0"), bulks("b", "2", "c", "3", "a", "3.5"))},
			{"zpopmin z", arr(bulk("b"), zdbl("2"))},
			{"zpopmin z 1", arr(arr(bulk("c"), zdbl("3")))},
			{"zpopmax z 0", rEmpty},
			{"zpopmin nokey", rEmpty},
			{"zpopmin nokey 1", rEmpty},
			{"zadd z 1 a 2 b 3 c", ints(2)},
			{"zmpop 1 z min", arr(bulk("z"), arr(arr(bulk("a"), zdbl("1"))))},
			{"zmpop 1 z max count 5", arr(bulk("z"), arr(arr(bulk("c"), zdbl("3")), arr(bulk("b"), zdbl("2"))))},
			{"zmpop 1 nokey min", zNull3},
			{"bzmpop 0.01 1 nokey min", zNull3},
			{"bzpopmin nokey 0.01", zNull3},
			{"zadd z 1 a 2 b 3 c", ints(3)},
			{"bzpopmin z 0", arr(bulk("z"), bulk("a"), zdbl("1"))},
			{"bzmpop 0 1 z max count 1", arr(bulk("z"), arr(arr(bulk("c"), zdbl("3"))))},
			{"zadd z incr -0 m", zdbl("-0")},
			{"zadd z incr inf n", zdbl("inf")},
			{"zscore z n", zdbl("inf")},
		}},

		{name: "resp3 skiplist", p3: true, steps: []step{
			{"zadd z 1 a 2 b 3 c", ints(3)},
			{"zadd z 0 LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL", rOne},
			{"zrem z LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL", rOne},
			{"object encoding z", bulk("skiplist")},
			{"zscore z a", zdbl("1")},
			{"zscore z x", zNull3},
			{"zscore nokey x", zNull3},
			{"zmscore z a x", arr(zdbl("1"), zNull3)},
			{"zincrby z 1.5 a", zdbl("2.5")},
			{"zadd z incr 1 a", zdbl("3.5")},
			{"zadd z xx incr 1 x", zNull3},
			{"zrank z x", zNull3},
			{"zrange z 0 -1 withscores", arr(arr(bulk("b"), zdbl("2")), arr(bulk("c"), zdbl("3")), arr(bulk("a"), zdbl("3.5")))},
			{"zrange z 0 -1", bulks("b", "c", "a")},
			{"zrange z 0 -1 withscores rev", arr(arr(bulk("a"), zdbl("3.5")), arr(bulk("c"), zdbl("3")), arr(bulk("b"), zdbl("2")))},
			{"zrange z -inf +inf byscore withscores limit 1 1", arr(arr(bulk("c"), zdbl("3")))},
			{"zrange nokey 0 -1 withscores", rEmpty},
			{"zrevrange z 0 0 withscores", arr(arr(bulk("a"), zdbl("3.5")))},
			{"zrangebyscore z -inf +inf withscores", arr(arr(bulk("b"), zdbl("2")), arr(bulk("c"), zdbl("3")), arr(bulk("a"), zdbl("3.5")))},
			{"zrevrangebyscore z +inf -inf withscores", arr(arr(bulk("a"), zdbl("3.5")), arr(bulk("c"), zdbl("3")), arr(bulk("b"), zdbl("2")))},
			{"zrangebylex z - +", bulks("b", "c", "a")},
			{"zrandmember z 5 withscores", arr(arr(bulk("a"), zdbl("3.5")), arr(bulk("c"), zdbl("3")), arr(bulk("b"), zdbl("2")))},
			{"zrandmember z 5", bulks("a", "c", "b")},
			{"zrandmember nokey", zNull3},
			{"zrandmember nokey 3 withscores", rEmpty},
			{"zunion 1 z withscores", arr(arr(bulk("b"), zdbl("2")), arr(bulk("c"), zdbl("3")), arr(bulk("a"), zdbl("3.5")))},
			{"zinter 1 z withscores", arr(arr(bulk("b"), zdbl("2")), arr(bulk("c"), zdbl("3")), arr(bulk("a"), zdbl("3.5")))},
			{"zdiff 1 z withscores", arr(arr(bulk("b"), zdbl("2")), arr(bulk("c"), zdbl("3")), arr(bulk("a"), zdbl("3.5")))},
			{"zunion 1 z", bulks("b", "c", "a")},
			{"zscan z 0", arr(bulk("0"), bulks("c", "3", "b", "2", "a", "3.5"))},
			{"zpopmin z", arr(bulk("b"), zdbl("2"))},
			{"zpopmin z 1", arr(arr(bulk("c"), zdbl("3")))},
			{"zpopmax z 0", rEmpty},
			{"zpopmin nokey", rEmpty},
			{"zpopmin nokey 1", rEmpty},
			{"zadd z 1 a 2 b 3 c", ints(2)},
			{"zmpop 1 z min", arr(bulk("z"), arr(arr(bulk("a"), zdbl("1"))))},
			{"zmpop 1 z max count 5", arr(bulk("z"), arr(arr(bulk("c"), zdbl("3")), arr(bulk("b"), zdbl("2"))))},
			{"zmpop 1 nokey min", zNull3},
			{"bzmpop 0.01 1 nokey min", zNull3},
			{"bzpopmin nokey 0.01", zNull3},
			{"zadd z 1 a 2 b 3 c", ints(3)},
			{"bzpopmin z 0", arr(bulk("z"), bulk("a"), zdbl("1"))},
			{"bzmpop 0 1 z max count 1", arr(bulk("z"), arr(arr(bulk("c"), zdbl("3"))))},
			{"zadd z incr -0 m", zdbl("-0")},
			{"zadd z incr inf n", zdbl("inf")},
			{"zscore z n", zdbl("inf")},
		}},

		{name: "encoding", steps: []step{
			{"zadd z 0 m0 1 m1 2 m2 3 m3 4 m4 5 m5 6 m6 7 m7 8 m8 9 m9 10 m10 11 m11 12 m12 13 m13 14 m14 15 m15 16 m16 17 m17 18 m18 19 m19 20 m20 21 m21 22 m22 23 m23 24 m24 25 m25 26 m26 27 m27 28 m28 29 m29 30 m30 31 m31 32 m32 33 m33 34 m34 35 m35 36 m36 37 m37 38 m38 39 m39 40 m40 41 m41 42 m42 43 m43 44 m44 45 m45 46 m46 47 m47 48 m48 49 m49 50 m50 51 m51 52 m52 53 m53 54 m54 55 m55 56 m56 57 m57 58 m58 59 m59 60 m60 61 m61 62 m62 63 m63 64 m64 65 m65 66 m66 67 m67 68 m68 69 m69 70 m70 71 m71 72 m72 73 m73 74 m74 75 m75 76 m76 77 m77 78 m78 79 m79 80 m80 81 m81 82 m82 83 m83 84 m84 85 m85 86 m86 87 m87 88 m88 89 m89 90 m90 91 m91 92 m92 93 m93 94 m94 95 m95 96 m96 97 m97 98 m98 99 m99 100 m100 101 m101 102 m102 103 m103 104 m104 105 m105 106 m106 107 m107 108 m108 109 m109 110 m110 111 m111 112 m112 113 m113 114 m114 115 m115 116 m116 117 m117 118 m118 119 m119 120 m120 121 m121 122 m122 123 m123 124 m124 125 m125 126 m126 127 m127", ints(128)},
			{"object encoding z", bulk("listpack")},
			{"zadd z 200 m200", rOne},
			{"object encoding z", bulk("skiplist")},
			{"zrem z m200 m1 m2 m3", ints(4)},
			{"object encoding z", bulk("skiplist")},
			{"zcard z", ints(125)},
			{"zadd v 1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", rOne},
			{"object encoding v", bulk("listpack")},
			{"zadd v 2 bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", rOne},
			{"object encoding v", bulk("skiplist")},
			{"zadd w 2 bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", rOne},
			{"object encoding w", bulk("skiplist")},
			{"zincrby w2 2 bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", bulk("2")},
			{"object encoding w2", bulk("skiplist")},
			{"zadd v2 xx 2 bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", rZero},
			{"exists v2", rZero},
			{"zunionstore u 1 z", ints(125)},
			{"object encoding u", bulk("listpack")},
			{"zrangestore u z 0 127", ints(125)},
			{"object encoding u", bulk("listpack")},
			{"zrangestore u z 0 124", ints(125)},
			{"object encoding u", bulk("listpack")},
			{"zrangestore u z -inf +inf byscore", ints(125)},
			{"object encoding u", bulk("listpack")},
			{"zrangestore u z 0 10 byscore", ints(8)},
			{"object encoding u", bulk("listpack")},
			{"zunionstore u 1 v", ints(2)},
			{"object encoding u", bulk("skiplist")},
			{"zunionstore u 2 z v", ints(127)},
			{"object encoding u", bulk("skiplist")},
			{"zinterstore u 2 z z", ints(125)},
			{"object encoding u", bulk("listpack")},
			{"zdiffstore u 2 z v", ints(125)},
			{"object encoding u", bulk("listpack")},
			{"zremrangebyrank z 0 -3", ints(123)},
			{"object encoding z", bulk("skiplist")},
			{"copy z zc", rOne},
			{"object encoding zc", bulk("skiplist")},
			{"zrange zc 0 -1 withscores", bulks("m126", "126", "m127", "127")},
			{"zadd neg -0 m", rOne},
			{"zscore neg m", bulk("0")},
			{"zadd negsl 1 ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc", rOne},
			{"zadd negsl -0 m", rOne},
			{"zscore negsl m", bulk("-0")},
			{"zadd negsl 0 m", rZero},
			{"zscore negsl m", bulk("-0")},
			{"zadd negsl ch 0 m", rZero},
			{"zunionstore u 1 negsl", ints(2)},
			{"zscore u m", bulk("-0")},
			{"zrem negsl ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc", rOne},
			{"zunionstore u 1 negsl", rOne},
			{"zscore u m", bulk("0")},
			{"object encoding u", bulk("listpack")},
			{"zunion 1 negsl withscores", bulks("m", "-0")},
			{"zrangestore u negsl 0 -1", rOne},
			{"zscore u m", bulk("0")},
		}},

		{name: "multi block", steps: []step{
			{"multi", rOK},
			{"bzpopmin nokey 0", "+QUEUED\r\n"},
			{"bzpopmax nokey 0", "+QUEUED\r\n"},
			{"bzmpop 0 1 nokey min", "+QUEUED\r\n"},
			{"zadd z 1 a", "+QUEUED\r\n"},
			{"bzpopmin z 0", "+QUEUED\r\n"},
			{"exec", arr("*-1\r\n", "*-1\r\n", "*-1\r\n", rOne, bulks("z", "a", "1"))},
		}},

		{name: "getkeys", steps: []step{
			{"command getkeys zunionstore d 2 a b weights 1 2", bulks("d", "a", "b")},
			{"command getkeys zinterstore d 1 a", bulks("d", "a")},
			{"command getkeys zdiffstore d 2 a b", bulks("d", "a", "b")},
			{"command getkeys zunion 2 a b withscores", bulks("a", "b")},
			{"command getkeys zinter 1 a", bulks("a")},
			{"command getkeys zdiff 3 a b c", bulks("a", "b", "c")},
			{"command getkeys zintercard 2 a b limit 1", bulks("a", "b")},
			{"command getkeys zmpop 2 a b min count 1", bulks("a", "b")},
			{"command getkeys bzmpop 0 2 a b max", bulks("a", "b")},
			{"command getkeys bzpopmin a b 0", bulks("a", "b")},
			{"command getkeys zrangestore d s 0 1", bulks("d", "s")},
			{"command getkeys zadd k 1 a", bulks("k")},
			{"command getkeys zrange k 0 1", bulks("k")},
		}},
	})
}

// TestZsetHotPathAllocs: simple reads and writes on existing sorted sets do
// not allocate, in either encoding.
func TestZsetHotPathAllocs(t *testing.T) {
	s, c := newTestServer(t)
	run := func(args ...string) func() {
		argv := make([][]byte, len(args))
		for i, a := range args {
			argv[i] = []byte(a)
		}
		return func() {
			s.mu.Lock()
			c.exec(argv)
			s.mu.Unlock()
			c.buf.Reset()
		}
	}
	long := strings.Repeat("x", 100)
	for _, key := range []string{"small", "big"} {
		run("ZADD", key, "1", "a", "2", "b", "3", "c")()
		if key == "big" {
			run("ZADD", key, "0", long)()
		}
		for _, cmd := range [][]string{
			{"ZADD", key, "5", "a"},
			{"ZADD", key, "XX", "CH", "6", "a"},
			{"ZINCRBY", key, "1", "b"},
			{"ZSCORE", key, "a"},
			{"ZMSCORE", key, "a", "nomember"},
			{"ZRANK", key, "c"},
			{"ZREVRANK", key, "c"},
			{"ZCARD", key},
			{"ZCOUNT", key, "-inf", "+inf"},
			{"ZRANGE", key, "0", "1", "WITHSCORES"},
			{"ZRANGEBYSCORE", key, "1", "10", "LIMIT", "0", "2"},
			{"ZREM", key, "nomember"},
		} {
			if n := testing.AllocsPerRun(100, run(cmd...)); n > 0 {
				t.Errorf("%v: %v allocations", cmd, n)
			}
		}
	}
}

// TestZsetFuzzAgainstRedis runs random sorted set commands (only those with
// deterministic replies) on Modis and on the real Redis side by side and
// compares every reply byte for byte. Sets grow past the listpack limits, so
// both encodings and the conversions are exercised. It runs only with
// MODIS_COMPARE_REDIS.
func TestZsetFuzzAgainstRedis(t *testing.T) {
	addr := os.Getenv("MODIS_COMPARE_REDIS")
	if addr == "" {
		t.Skip("MODIS_COMPARE_REDIS not set")
	}
	for _, p3 := range []bool{false, true} {
		t.Run(fmt.Sprintf("resp%d", map[bool]int{false: 2, true: 3}[p3]), func(t *testing.T) {
			zFuzz(t, addr, p3, 5000)
		})
	}
}

func zFuzz(t *testing.T, addr string, p3 bool, n int) {
	rc := dialLive(t, addr)
	send := func(args []string) string { return rc.do(args...) }
	_, c := newTestServer(t)
	send([]string{"FLUSHALL"})
	if p3 {
		send([]string{"HELLO", "3"})
		c.buf.P3 = true
	}
	rng := rand.New(rand.NewPCG(42, map[bool]uint64{false: 1, true: 2}[p3]))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	keys := []string{"k1", "k2", "k3"}
	key := func() string { return keys[rng.IntN(len(keys))] }
	member := func() string {
		if rng.IntN(60) == 0 {
			return "long-" + strings.Repeat("m", 60+rng.IntN(10))
		}
		return fmt.Sprintf("m%03d", rng.IntN(260))
	}
	score := func() string {
		return pick("0", "1", "-1", "2.5", "0.1", "0.2", "0.3", "7", "-3.25", "1e3", "inf", "-inf", "10", "3", "4", "5")
	}
	bound := func() string {
		b := pick("0", "1", "2.5", "-1", "5", "7", "-inf", "+inf", "10", "0.3", "3")
		if rng.IntN(3) == 0 {
			b = "(" + b
		}
		return b
	}
	lexBound := func() string {
		switch rng.IntN(6) {
		case 0:
			return "-"
		case 1:
			return "+"
		}
		return pick("[", "(") + fmt.Sprintf("m%d", rng.IntN(26))
	}
	idx := func() string { return strconv.Itoa(rng.IntN(300) - 150) }
	opts := func(withScores bool) []string {
		var o []string
		if withScores && rng.IntN(2) == 0 {
			o = append(o, "WITHSCORES")
		}
		if rng.IntN(3) == 0 {
			o = append(o, "LIMIT", strconv.Itoa(rng.IntN(20)-2), strconv.Itoa(rng.IntN(40)-5))
		}
		return o
	}
	gen := func() []string {
		switch k := rng.IntN(100); {
		case k < 30:
			args := []string{"ZADD", key()}
			for _, f := range []string{"NX", "XX", "GT", "LT", "CH"} {
				if rng.IntN(8) == 0 {
					args = append(args, f)
				}
			}
			if rng.IntN(10) == 0 {
				return append(args, "INCR", score(), member())
			}
			for i := 1 + rng.IntN(8); i > 0; i-- {
				args = append(args, score(), member())
			}
			return args
		case k < 33:
			return []string{"ZINCRBY", key(), score(), member()}
		case k < 36:
			args := []string{"ZREM", key()}
			for i := 1 + rng.IntN(5); i > 0; i-- {
				args = append(args, member())
			}
			return args
		case k < 38:
			args := []string{"ZADD", "lexk"}
			for i := 1 + rng.IntN(6); i > 0; i-- {
				args = append(args, "0", fmt.Sprintf("m%d", rng.IntN(400)))
			}
			return args
		case k < 48:
			args := []string{"ZRANGE", key(), idx(), idx()}
			if rng.IntN(2) == 0 {
				args = append(args, "REV")
			}
			if rng.IntN(2) == 0 {
				args = append(args, "WITHSCORES")
			}
			return args
		case k < 56:
			cmd := pick("ZRANGEBYSCORE", "ZREVRANGEBYSCORE")
			return append([]string{cmd, key(), bound(), bound()}, opts(true)...)
		case k < 60:
			args := []string{"ZRANGE", key(), bound(), bound(), "BYSCORE"}
			if rng.IntN(2) == 0 {
				args = append(args, "REV")
			}
			return append(args, opts(true)...)
		case k < 64:
			cmd := pick("ZRANGEBYLEX", "ZREVRANGEBYLEX")
			return append([]string{cmd, "lexk", lexBound(), lexBound()}, opts(false)...)
		case k < 66:
			return []string{"ZLEXCOUNT", "lexk", lexBound(), lexBound()}
		case k < 70:
			return []string{"ZCOUNT", key(), bound(), bound()}
		case k < 74:
			return []string{pick("ZRANK", "ZREVRANK", "ZSCORE"), key(), member()}
		case k < 75:
			return []string{"ZMSCORE", key(), member(), member(), member()}
		case k < 76:
			return []string{pick("ZCARD", "OBJECT"), key()}
		case k < 78:
			return []string{"ZREMRANGEBYRANK", key(), idx(), idx()}
		case k < 79:
			return []string{"ZREMRANGEBYSCORE", key(), bound(), bound()}
		case k < 80:
			lo := fmt.Sprintf("m%d", rng.IntN(400))
			return []string{"ZREMRANGEBYLEX", "lexk", pick("[", "(") + lo, pick("[", "(") + lo + "5"}
		case k < 83:
			args := []string{pick("ZPOPMIN", "ZPOPMAX"), key()}
			if rng.IntN(2) == 0 {
				args = append(args, strconv.Itoa(rng.IntN(6)))
			}
			return args
		case k < 84:
			return []string{"ZMPOP", "2", key(), key(), pick("MIN", "MAX"), "COUNT", strconv.Itoa(1 + rng.IntN(4))}
		case k < 93:
			op := pick("ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE", "ZINTERCARD")
			nk := 1 + rng.IntN(3)
			args := []string{op}
			if strings.HasSuffix(op, "STORE") {
				args = append(args, pick("d1", "k3"))
			}
			args = append(args, strconv.Itoa(nk))
			for i := 0; i < nk; i++ {
				args = append(args, pick("k1", "k2", "k3", "s1", "nokey"))
			}
			if op != "ZDIFF" && op != "ZDIFFSTORE" && op != "ZINTERCARD" {
				if rng.IntN(2) == 0 {
					args = append(args, "WEIGHTS")
					for i := 0; i < nk; i++ {
						args = append(args, pick("1", "2", "0.5", "-1", "0", "inf"))
					}
				}
				if rng.IntN(2) == 0 {
					args = append(args, "AGGREGATE", pick("SUM", "MIN", "MAX"))
				}
			}
			if op == "ZINTERCARD" && rng.IntN(2) == 0 {
				args = append(args, "LIMIT", strconv.Itoa(rng.IntN(5)))
			}
			if !strings.HasSuffix(op, "STORE") && op != "ZINTERCARD" && rng.IntN(2) == 0 {
				args = append(args, "WITHSCORES")
			}
			return args
		case k < 95:
			return []string{"SADD", "s1", member(), member()}
		case k < 97:
			args := []string{"ZRANGESTORE", pick("d2", "k2"), key(), bound(), bound(), "BYSCORE"}
			if rng.IntN(2) == 0 {
				args = append(args, "REV")
			}
			return append(args, opts(false)...)
		case k < 98:
			return []string{"ZRANDMEMBER", key(), "1000", "WITHSCORES"}
		default:
			return []string{"ZRANGE", "d1", "0", "-1", "WITHSCORES"}
		}
	}
	for i := 0; i < n; i++ {
		args := gen()
		if args[0] == "OBJECT" {
			args = []string{"OBJECT", "ENCODING", args[1]}
		}
		want := send(args)
		got := do(t, c, args...)
		if got != want {
			t.Fatalf("op %d: %q\nmodis: %q\nredis: %q", i, args, got, want)
		}
	}
}
