package test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"
)

// Real Redis clients, unchanged and with their default settings, against
// Modis: rueidis and go-redis in process, ioredis and node-redis (npm,
// test/clients/node) and redis-py (Debian's python3-redis,
// test/clients/python) as subprocesses. Each scenario is what applications
// do with every data type, pipelines, transactions, pub/sub, SCAN and
// client-side caching.
//
// With MODIS_CLIENTS_AGAINST=redis the same tests run against Debian's
// redis-server instead, which proves the scenarios themselves.

// clientTarget is the server a client test talks to: a fresh Modis, or the
// real Redis (flushed) when MODIS_CLIENTS_AGAINST=redis.
func clientTarget(t *testing.T) (addr string, port int) {
	t.Helper()
	if againstRedis() {
		addr = realRedis(t)
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("*1\r\n$8\r\nFLUSHALL\r\n"))
		buf := make([]byte, 16)
		c.Read(buf)
		c.Close()
	} else {
		addr = startServer(t).Addr
	}
	_, p, _ := net.SplitHostPort(addr)
	port, _ = strconv.Atoi(p)
	return addr, port
}

func againstRedis() bool { return os.Getenv("MODIS_CLIENTS_AGAINST") == "redis" }

// report fails the test for err; a command the server does not have yet ends
// the subtest with one clear line instead of a cascade.
func report(t *testing.T, what string, err error) {
	t.Helper()
	if strings.Contains(err.Error(), "unknown command") {
		t.Fatalf("%s: %v (command not implemented)", what, err)
	}
	t.Errorf("%s: %v", what, err)
}

// ---------------------------------------------------------------- rueidis

// rcheck runs rueidis commands and compares their replies.
type rcheck struct {
	t *testing.T
	c rueidis.Client
}

func (r rcheck) do(cmd rueidis.Completed) (rueidis.RedisResult, string) {
	text := strings.Join(cmd.Commands(), " ")
	return r.c.Do(ctx, cmd), text
}

func (r rcheck) ok(cmd rueidis.Completed) {
	r.t.Helper()
	res, text := r.do(cmd)
	if err := res.Error(); err != nil {
		report(r.t, text, err)
	}
}

func (r rcheck) str(cmd rueidis.Completed, want string) {
	r.t.Helper()
	res, text := r.do(cmd)
	got, err := res.ToString()
	r.cmp(text, got, err, want)
}

func (r rcheck) int(cmd rueidis.Completed, want int64) {
	r.t.Helper()
	res, text := r.do(cmd)
	got, err := res.AsInt64()
	r.cmp(text, got, err, want)
}

func (r rcheck) float(cmd rueidis.Completed, want float64) {
	r.t.Helper()
	res, text := r.do(cmd)
	got, err := res.AsFloat64()
	r.cmp(text, got, err, want)
}

func (r rcheck) bool(cmd rueidis.Completed, want bool) {
	r.t.Helper()
	res, text := r.do(cmd)
	got, err := res.AsBool()
	r.cmp(text, got, err, want)
}

func (r rcheck) null(cmd rueidis.Completed) {
	r.t.Helper()
	res, text := r.do(cmd)
	if err := res.Error(); !rueidis.IsRedisNil(err) {
		if err == nil {
			m, _ := res.ToMessage()
			err = fmt.Errorf("got %v, want nil", m.String())
		}
		report(r.t, text, err)
	}
}

func (r rcheck) strs(cmd rueidis.Completed, want ...string) {
	r.t.Helper()
	res, text := r.do(cmd)
	got, err := res.AsStrSlice()
	if want == nil {
		want = []string{}
	}
	r.cmp(text, got, err, want)
}

// members compares a reply with no order (SMEMBERS, SINTER...) sorted.
func (r rcheck) members(cmd rueidis.Completed, want ...string) {
	r.t.Helper()
	res, text := r.do(cmd)
	got, err := res.AsStrSlice()
	sort.Strings(got)
	sort.Strings(want)
	if want == nil {
		want = []string{}
	}
	r.cmp(text, got, err, want)
}

func (r rcheck) strMap(cmd rueidis.Completed, want map[string]string) {
	r.t.Helper()
	res, text := r.do(cmd)
	got, err := res.AsStrMap()
	r.cmp(text, got, err, want)
}

func (r rcheck) zscores(cmd rueidis.Completed, want ...rueidis.ZScore) {
	r.t.Helper()
	res, text := r.do(cmd)
	got, err := res.AsZScores()
	r.cmp(text, got, err, want)
}

func (r rcheck) cmp(text string, got any, err error, want any) {
	r.t.Helper()
	if err != nil {
		report(r.t, text, err)
		return
	}
	if !reflect.DeepEqual(got, want) {
		r.t.Errorf("%s = %#v, want %#v", text, got, want)
	}
}

// TestRueidis: rueidis with its defaults speaks RESP3 (HELLO 3), turns on
// client-side caching (CLIENT TRACKING ON OPTIN), names itself with CLIENT
// SETINFO, and auto-pipelines concurrent commands on one connection.
func TestRueidis(t *testing.T) {
	addr, _ := clientTarget(t)
	newClient := func(t *testing.T) rueidis.Client {
		t.Helper()
		c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}})
		if err != nil {
			t.Fatalf("rueidis.NewClient with default options: %v", err)
		}
		t.Cleanup(c.Close)
		return c
	}
	c := newClient(t)
	other := newClient(t) // a second application instance
	b := c.B

	t.Run("handshake", func(t *testing.T) {
		r := rcheck{t: t, c: c}
		res, _ := r.do(b().ClientList().Build())
		list, err := res.ToString()
		if err != nil {
			report(t, "CLIENT LIST", err)
			return
		}
		wants := []string{"resp=3"}
		if !againstRedis() { // CLIENT SETINFO came in Redis 7.2
			wants = append(wants, "lib-name=rueidis")
		}
		for _, want := range wants {
			if !strings.Contains(list, want) {
				t.Errorf("CLIENT LIST has no %q:\n%s", want, list)
			}
		}
		// Every connection rueidis opened has tracking on, in OPTIN mode.
		res, _ = r.do(b().ClientTrackinginfo().Build())
		if info, err := res.ToMap(); err != nil {
			report(t, "CLIENT TRACKINGINFO", err)
		} else {
			f := info["flags"]
			if flags, _ := f.AsStrSlice(); !reflect.DeepEqual(flags, []string{"on", "optin"}) {
				t.Errorf("CLIENT TRACKINGINFO flags = %q, want [on optin]", flags)
			}
		}
		r.str(b().Ping().Build(), "PONG")
		r.str(b().Echo().Message("héllo").Build(), "héllo")
	})

	t.Run("strings", func(t *testing.T) {
		r := rcheck{t: t, c: c}
		r.str(b().Set().Key("s:k").Value("v").Build(), "OK")
		r.str(b().Get().Key("s:k").Build(), "v")
		r.null(b().Get().Key("s:missing").Build())
		r.null(b().Set().Key("s:k").Value("w").Nx().Build())
		r.str(b().Set().Key("s:k").Value("w").Get().Build(), "v")
		r.int(b().Append().Key("s:k").Value("xyz").Build(), 4)
		r.int(b().Strlen().Key("s:k").Build(), 4)
		r.str(b().Getrange().Key("s:k").Start(1).End(-1).Build(), "xyz")
		r.int(b().Setrange().Key("s:k").Offset(1).Value("XY").Build(), 4)
		r.str(b().Get().Key("s:k").Build(), "wXYz")
		r.int(b().Incr().Key("s:n").Build(), 1)
		r.int(b().Incrby().Key("s:n").Increment(41).Build(), 42)
		r.int(b().Decrby().Key("s:n").Decrement(2).Build(), 40)
		r.float(b().Incrbyfloat().Key("s:n").Increment(0.5).Build(), 40.5)
		r.str(b().Mset().KeyValue().KeyValue("s:a", "1").KeyValue("s:b", "2").Build(), "OK")
		res, text := r.do(b().Mget().Key("s:a", "s:nope", "s:b").Build())
		if arr, err := res.ToArray(); err != nil {
			report(t, text, err)
		} else if len(arr) != 3 || !arr[1].IsNil() {
			t.Errorf("%s = %v", text, arr)
		} else if a, _ := arr[0].ToString(); a != "1" {
			t.Errorf("%s = %v", text, arr)
		}
		r.str(b().Set().Key("s:ttl").Value("x").Ex(100*time.Second).Build(), "OK")
		r.int(b().Ttl().Key("s:ttl").Build(), 100)
		r.str(b().Getex().Key("s:ttl").Persist().Build(), "x")
		r.int(b().Ttl().Key("s:ttl").Build(), -1)
		r.str(b().Getdel().Key("s:ttl").Build(), "x")
		r.int(b().Exists().Key("s:ttl").Build(), 0)
		// Binary-safe values.
		bin := make([]byte, 256)
		for i := range bin {
			bin[i] = byte(i)
		}
		r.str(b().Set().Key("s:bin").Value(string(bin)).Build(), "OK")
		r.str(b().Get().Key("s:bin").Build(), string(bin))
		res, text = r.do(b().Incr().Key("s:bin").Build())
		if err := res.Error(); err == nil || !strings.Contains(err.Error(), "not an integer") {
			t.Errorf("%s: error %v, want 'value is not an integer'", text, err)
		}
	})

	t.Run("hashes", func(t *testing.T) {
		r := rcheck{t: t, c: c}
		r.int(b().Hset().Key("h").FieldValue().FieldValue("a", "1").FieldValue("b", "2").Build(), 2)
		r.strMap(b().Hgetall().Key("h").Build(), map[string]string{"a": "1", "b": "2"})
		r.int(b().Hincrby().Key("h").Field("a").Increment(9).Build(), 10)
		r.float(b().Hincrbyfloat().Key("h").Field("b").Increment(0.25).Build(), 2.25)
		res, text := r.do(b().Hmget().Key("h").Field("a", "zz").Build())
		if arr, err := res.ToArray(); err != nil {
			report(t, text, err)
		} else if v, _ := arr[0].ToString(); len(arr) != 2 || v != "10" || !arr[1].IsNil() {
			t.Errorf("%s = %v", text, arr)
		}
		r.bool(b().Hexists().Key("h").Field("a").Build(), true)
		r.int(b().Hdel().Key("h").Field("a", "zz").Build(), 1)
		r.int(b().Hlen().Key("h").Build(), 1)
		r.strMap(b().Hgetall().Key("h:none").Build(), map[string]string{})
		res, text = r.do(b().Hscan().Key("h").Cursor(0).Build())
		if e, err := res.AsScanEntry(); err != nil {
			report(t, text, err)
		} else if e.Cursor != 0 || !reflect.DeepEqual(e.Elements, []string{"b", "2.25"}) {
			t.Errorf("%s = %+v", text, e)
		}
	})

	t.Run("lists", func(t *testing.T) {
		r := rcheck{t: t, c: c}
		r.int(b().Rpush().Key("l").Element("a", "b", "c").Build(), 3)
		r.int(b().Lpush().Key("l").Element("z").Build(), 4)
		r.strs(b().Lrange().Key("l").Start(0).Stop(-1).Build(), "z", "a", "b", "c")
		r.str(b().Lindex().Key("l").Index(-1).Build(), "c")
		r.str(b().Lset().Key("l").Index(0).Element("y").Build(), "OK")
		r.int(b().Linsert().Key("l").Before().Pivot("b").Element("a2").Build(), 5)
		r.int(b().Lpos().Key("l").Element("b").Build(), 3)
		r.int(b().Lrem().Key("l").Count(0).Element("a2").Build(), 1)
		r.str(b().Lpop().Key("l").Build(), "y")
		r.strs(b().Rpop().Key("l").Count(2).Build(), "c", "b")
		r.int(b().Llen().Key("l").Build(), 1)
		r.str(b().Lmove().Source("l").Destination("l2").Left().Right().Build(), "a")
		r.int(b().Exists().Key("l").Build(), 0) // an emptied list is deleted
		r.int(b().Rpush().Key("l3").Element("1", "2", "3", "4").Build(), 4)
		r.str(b().Ltrim().Key("l3").Start(1).Stop(2).Build(), "OK")
		r.strs(b().Lrange().Key("l3").Start(0).Stop(-1).Build(), "2", "3")
		// A blocked pop served by another client's push (on a dedicated connection).
		go func() {
			time.Sleep(100 * time.Millisecond)
			other.Do(ctx, other.B().Rpush().Key("bl").Element("job").Build())
		}()
		r.strs(b().Blpop().Key("bl").Timeout(5).Build(), "bl", "job")
		start := time.Now()
		res, text := r.do(b().Blpop().Key("bl").Timeout(0.2).Build())
		if err := res.Error(); !rueidis.IsRedisNil(err) {
			report(t, text, fmt.Errorf("%v, want a nil timeout reply", err))
		} else if d := time.Since(start); d < 150*time.Millisecond {
			t.Errorf("%s returned after %v", text, d)
		}
	})

	t.Run("sets", func(t *testing.T) {
		r := rcheck{t: t, c: c}
		r.int(b().Sadd().Key("set1").Member("a", "b", "c", "a").Build(), 3)
		r.int(b().Sadd().Key("set2").Member("b", "c", "d").Build(), 3)
		r.members(b().Smembers().Key("set1").Build(), "a", "b", "c")
		r.bool(b().Sismember().Key("set1").Member("a").Build(), true)
		r.bool(b().Sismember().Key("set1").Member("d").Build(), false)
		res, text := r.do(b().Smismember().Key("set1").Member("a", "d").Build())
		if got, err := res.AsBoolSlice(); err != nil {
			report(t, text, err)
		} else if !reflect.DeepEqual(got, []bool{true, false}) {
			t.Errorf("%s = %v", text, got)
		}
		r.int(b().Scard().Key("set1").Build(), 3)
		r.members(b().Sinter().Key("set1", "set2").Build(), "b", "c")
		r.members(b().Sunion().Key("set1", "set2").Build(), "a", "b", "c", "d")
		r.members(b().Sdiff().Key("set1", "set2").Build(), "a")
		r.int(b().Sinterstore().Destination("set3").Key("set1", "set2").Build(), 2)
		r.int(b().Srem().Key("set1").Member("a", "zz").Build(), 1)
		res, text = r.do(b().Srandmember().Key("set1").Count(5).Build())
		if got, err := res.AsStrSlice(); err != nil {
			report(t, text, err)
		} else if sort.Strings(got); !reflect.DeepEqual(got, []string{"b", "c"}) {
			t.Errorf("%s = %v", text, got)
		}
		res, text = r.do(b().Spop().Key("set3").Build())
		if got, err := res.ToString(); err != nil {
			report(t, text, err)
		} else if got != "b" && got != "c" {
			t.Errorf("%s = %q", text, got)
		}
		r.int(b().Scard().Key("set3").Build(), 1)
	})

	t.Run("sorted sets", func(t *testing.T) {
		r := rcheck{t: t, c: c}
		r.int(b().Zadd().Key("z").ScoreMember().ScoreMember(1, "a").ScoreMember(2, "b").ScoreMember(3, "c").Build(), 3)
		r.zscores(b().Zrange().Key("z").Min("0").Max("-1").Withscores().Build(),
			rueidis.ZScore{Member: "a", Score: 1}, rueidis.ZScore{Member: "b", Score: 2}, rueidis.ZScore{Member: "c", Score: 3})
		r.float(b().Zscore().Key("z").Member("b").Build(), 2)
		r.null(b().Zscore().Key("z").Member("nope").Build())
		r.float(b().Zincrby().Key("z").Increment(2.5).Member("a").Build(), 3.5)
		r.int(b().Zrank().Key("z").Member("a").Build(), 2)
		r.strs(b().Zrevrange().Key("z").Start(0).Stop(-1).Build(), "a", "c", "b")
		r.strs(b().Zrangebyscore().Key("z").Min("(2").Max("+inf").Build(), "c", "a")
		r.strs(b().Zrange().Key("z").Min("2").Max("3").Byscore().Limit(1, 1).Build(), "c")
		r.int(b().Zcount().Key("z").Min("-inf").Max("3").Build(), 2)
		res, text := r.do(b().Zpopmin().Key("z").Build())
		if got, err := res.AsZScore(); err != nil {
			report(t, text, err)
		} else if got != (rueidis.ZScore{Member: "b", Score: 2}) {
			t.Errorf("%s = %v", text, got)
		}
		r.int(b().Zrem().Key("z").Member("c", "nope").Build(), 1)
		r.int(b().Zcard().Key("z").Build(), 1)
	})

	t.Run("bitmaps and hyperloglog", func(t *testing.T) {
		r := rcheck{t: t, c: c}
		r.int(b().Setbit().Key("bits").Offset(7).Value(1).Build(), 0)
		r.int(b().Setbit().Key("bits").Offset(9).Value(1).Build(), 0)
		r.int(b().Getbit().Key("bits").Offset(7).Build(), 1)
		r.int(b().Bitcount().Key("bits").Build(), 2)
		r.int(b().Bitpos().Key("bits").Bit(1).Build(), 7)
		r.int(b().Pfadd().Key("hll").Element("a", "b", "c", "a").Build(), 1)
		r.int(b().Pfadd().Key("hll2").Element("c", "d").Build(), 1)
		r.int(b().Pfcount().Key("hll").Build(), 3)
		r.str(b().Pfmerge().Destkey("hll3").Sourcekey("hll", "hll2").Build(), "OK")
		r.int(b().Pfcount().Key("hll3").Build(), 4)
	})

	t.Run("keys and scan", func(t *testing.T) {
		r := rcheck{t: t, c: c}
		var cmds rueidis.Commands
		for i := 0; i < 120; i++ {
			cmds = append(cmds, b().Set().Key(fmt.Sprintf("g:%03d", i)).Value("x").Build())
		}
		for _, res := range c.DoMulti(ctx, cmds...) {
			if err := res.Error(); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[string]int{}
		cursor, rounds := uint64(0), 0
		for {
			res, text := r.do(b().Scan().Cursor(cursor).Match("g:*").Count(10).Build())
			e, err := res.AsScanEntry()
			if err != nil {
				report(t, text, err)
				return
			}
			for _, k := range e.Elements {
				seen[k]++
			}
			rounds++
			if cursor = e.Cursor; cursor == 0 || rounds > 1000 {
				break
			}
		}
		if len(seen) != 120 {
			t.Errorf("SCAN MATCH g:* found %d keys, want 120", len(seen))
		}
		r.str(b().Type().Key("g:001").Build(), "string")
		r.str(b().Rename().Key("g:001").Newkey("g:renamed").Build(), "OK")
		r.int(b().Expire().Key("g:renamed").Seconds(100).Build(), 1)
		r.int(b().Persist().Key("g:renamed").Build(), 1)
		r.int(b().Pttl().Key("g:renamed").Build(), -1)
		r.int(b().Del().Key("g:renamed", "g:002", "nope").Build(), 2)
		r.int(b().Exists().Key("g:003", "g:003", "nope").Build(), 2)
	})

	t.Run("lua script", func(t *testing.T) {
		script := rueidis.NewLuaScript("redis.call('SET', KEYS[1], ARGV[1]); return {redis.call('INCR', KEYS[1]), ARGV[2]}")
		for i := 1; i <= 2; i++ { // EVALSHA fails with NOSCRIPT the first time, then EVAL loads it
			got, err := script.Exec(ctx, c, []string{"lua:k"}, []string{"41", "tag"}).ToAny()
			if err != nil {
				report(t, "Lua.Exec", err)
				return
			}
			if !reflect.DeepEqual(got, []any{int64(42), "tag"}) {
				t.Errorf("Lua.Exec #%d = %#v", i, got)
			}
		}
	})

	t.Run("pipelining", func(t *testing.T) {
		// DoMulti writes every command before reading any reply.
		var cmds rueidis.Commands
		for i := 0; i < 1000; i++ {
			cmds = append(cmds, b().Set().Key("p:"+strconv.Itoa(i)).Value(strconv.Itoa(i)).Build())
		}
		for i, res := range c.DoMulti(ctx, cmds...) {
			if err := res.Error(); err != nil {
				t.Fatalf("pipelined SET #%d: %v", i, err)
			}
		}
		cmds = cmds[:0]
		for i := 0; i < 1000; i++ {
			cmds = append(cmds, b().Get().Key("p:"+strconv.Itoa(i)).Build())
		}
		for i, res := range c.DoMulti(ctx, cmds...) {
			if v, err := res.ToString(); err != nil || v != strconv.Itoa(i) {
				t.Fatalf("pipelined GET #%d = %q, %v", i, v, err)
			}
		}
		// Auto-pipelining: concurrent callers share the connection.
		var wg sync.WaitGroup
		var fails atomic.Int64
		for g := 0; g < 50; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 100; i++ {
					if c.Do(ctx, c.B().Incr().Key("p:counter").Build()).Error() != nil {
						fails.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		if fails.Load() != 0 {
			t.Errorf("%d concurrent INCRs failed", fails.Load())
		}
		rcheck{t: t, c: c}.int(b().Get().Key("p:counter").Build(), 5000)
	})

	t.Run("transactions", func(t *testing.T) {
		r := rcheck{t: t, c: c}
		// MULTI/EXEC in one DoMulti.
		res := c.DoMulti(ctx, b().Multi().Build(), b().Incr().Key("tx:n").Build(),
			b().Incrby().Key("tx:n").Increment(10).Build(), b().Exec().Build())
		if got, err := res[3].ToAny(); err != nil || !reflect.DeepEqual(got, []any{int64(1), int64(11)}) {
			t.Errorf("MULTI INCR INCRBY EXEC = %#v, %v", got, err)
		}
		// Check-and-set with WATCH on a dedicated connection.
		cas := func(interfere bool) (rueidis.RedisResult, error) {
			var exec rueidis.RedisResult
			err := c.Dedicated(func(d rueidis.DedicatedClient) error {
				if err := d.Do(ctx, d.B().Watch().Key("tx:w").Build()).Error(); err != nil {
					return err
				}
				n, _ := d.Do(ctx, d.B().Get().Key("tx:w").Build()).AsInt64()
				if interfere {
					other.Do(ctx, other.B().Set().Key("tx:w").Value("100").Build())
				}
				out := d.DoMulti(ctx, d.B().Multi().Build(),
					d.B().Set().Key("tx:w").Value(strconv.FormatInt(n+1, 10)).Build(), d.B().Exec().Build())
				exec = out[2]
				return nil
			})
			return exec, err
		}
		if exec, err := cas(false); err != nil || exec.Error() != nil {
			t.Errorf("WATCH/MULTI/EXEC: %v %v", err, exec.Error())
		}
		r.str(b().Get().Key("tx:w").Build(), "1")
		if exec, err := cas(true); err != nil {
			t.Errorf("WATCH with a conflicting write: %v", err)
		} else if err := exec.Error(); !rueidis.IsRedisNil(err) {
			t.Errorf("EXEC after the watched key changed = %v, want a nil reply", err)
		}
		r.str(b().Get().Key("tx:w").Build(), "100")
	})

	t.Run("pub/sub", func(t *testing.T) {
		r := rcheck{t: t, c: c}
		msgs := make(chan rueidis.PubSubMessage, 16)
		rctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		receive := func(cmd rueidis.Completed) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := c.Receive(rctx, cmd, func(m rueidis.PubSubMessage) { msgs <- m })
				if err != nil && !errors.Is(err, context.Canceled) {
					t.Errorf("Receive: %v", err)
				}
			}()
		}
		receive(b().Subscribe().Channel("news").Build())
		receive(b().Psubscribe().Pattern("ev:*").Build())
		defer func() { cancel(); wg.Wait() }()
		deadline := time.Now().Add(5 * time.Second)
		for {
			subs, _ := c.Do(ctx, b().PubsubNumsub().Channel("news").Build()).AsIntMap()
			pats, _ := c.Do(ctx, b().PubsubNumpat().Build()).AsInt64()
			if subs["news"] == 1 && pats == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the subscriptions never showed in PUBSUB NUMSUB/NUMPAT: %v %d", subs, pats)
			}
			time.Sleep(10 * time.Millisecond)
		}
		o := rcheck{t: t, c: other}
		o.int(other.B().Publish().Channel("news").Message("hello").Build(), 1)
		o.int(other.B().Publish().Channel("ev:1").Message("fired").Build(), 1)
		got := map[rueidis.PubSubMessage]bool{}
		for len(got) < 2 {
			select {
			case m := <-msgs:
				got[m] = true
			case <-time.After(5 * time.Second):
				t.Fatalf("messages received: %v", got)
			}
		}
		for _, m := range []rueidis.PubSubMessage{{Channel: "news", Message: "hello"}, {Pattern: "ev:*", Channel: "ev:1", Message: "fired"}} {
			if !got[m] {
				t.Errorf("missing %+v in %v", m, got)
			}
		}
		// The RESP3 connection that holds the subscriptions still runs commands.
		r.str(b().Ping().Build(), "PONG")
	})

	t.Run("client-side caching", func(t *testing.T) {
		o := rcheck{t: t, c: other}
		o.str(other.B().Set().Key("cache:k").Value("v1").Build(), "OK")
		cached := func(key string) rueidis.RedisResult {
			return c.DoCache(ctx, c.B().Get().Key(key).Cache(), time.Minute)
		}
		res := cached("cache:k")
		if v, err := res.ToString(); err != nil || v != "v1" || res.IsCacheHit() {
			t.Fatalf("first DoCache GET = %q, %v, hit %v; want v1 from the server", v, err, res.IsCacheHit())
		}
		res = cached("cache:k")
		if v, err := res.ToString(); err != nil || v != "v1" || !res.IsCacheHit() {
			t.Fatalf("second DoCache GET = %q, %v, hit %v; want v1 from the local cache", v, err, res.IsCacheHit())
		}
		// Another client's write invalidates the local copy.
		waitFor := func(what string, ok func() bool) {
			t.Helper()
			deadline := time.Now().Add(3 * time.Second)
			for !ok() {
				if time.Now().After(deadline) {
					t.Fatalf("%s: the server's invalidation never arrived", what)
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
		o.str(other.B().Set().Key("cache:k").Value("v2").Build(), "OK")
		waitFor("SET by another client", func() bool {
			v, _ := cached("cache:k").ToString()
			return v == "v2"
		})
		if res := cached("cache:k"); !res.IsCacheHit() {
			t.Errorf("the new value was not cached again")
		}
		o.int(other.B().Del().Key("cache:k").Build(), 1)
		waitFor("DEL by another client", func() bool { return rueidis.IsRedisNil(cached("cache:k").Error()) })
		// A missing key is cached too, until it is created.
		if res := cached("cache:k"); !res.IsCacheHit() || !rueidis.IsRedisNil(res.Error()) {
			t.Errorf("a missing key was not cached: %v hit %v", res.Error(), res.IsCacheHit())
		}
		o.str(other.B().Set().Key("cache:k").Value("v3").Build(), "OK")
		waitFor("creation by another client", func() bool {
			v, _ := cached("cache:k").ToString()
			return v == "v3"
		})
		// The local TTL is capped by the key's PTTL (read in the same MULTI).
		o.str(other.B().Set().Key("cache:ttl").Value("x").Px(5*time.Second).Build(), "OK")
		if res := cached("cache:ttl"); res.Error() != nil {
			t.Errorf("DoCache GET cache:ttl: %v", res.Error())
		} else if ttl := res.CacheTTL(); ttl < 1 || ttl > 5 {
			t.Errorf("cache TTL = %ds, want at most the key's 5s", ttl)
		}
		// Hashes, several keys at once, and FLUSHALL.
		o.int(other.B().Hset().Key("cache:h").FieldValue().FieldValue("f", "1").Build(), 1)
		multi := c.DoMultiCache(ctx,
			rueidis.CT(c.B().Hgetall().Key("cache:h").Cache(), time.Minute),
			rueidis.CT(c.B().Get().Key("cache:k").Cache(), time.Minute))
		if m, err := multi[0].AsStrMap(); err != nil || m["f"] != "1" {
			t.Errorf("DoMultiCache HGETALL = %v, %v", m, err)
		}
		if v, err := multi[1].ToString(); err != nil || v != "v3" {
			t.Errorf("DoMultiCache GET = %q, %v", v, err)
		}
		o.int(other.B().Hincrby().Key("cache:h").Field("f").Increment(1).Build(), 2)
		waitFor("HINCRBY by another client", func() bool {
			m, _ := c.DoCache(ctx, c.B().Hgetall().Key("cache:h").Cache(), time.Minute).AsStrMap()
			return m["f"] == "2"
		})
		o.ok(other.B().Flushall().Build())
		waitFor("FLUSHALL by another client", func() bool { return rueidis.IsRedisNil(cached("cache:k").Error()) })
	})
}

// ---------------------------------------------------------------- go-redis

// resulter is any go-redis command with a typed result.
type resulter[T any] interface {
	Result() (T, error)
	Args() []any
}

// argsText is a go-redis command as it would be typed.
func argsText(args []any) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = fmt.Sprint(a)
	}
	return strings.Join(parts, " ")
}

func chk[T any](t *testing.T, cmd resulter[T], want T) {
	t.Helper()
	got, err := cmd.Result()
	what := argsText(cmd.Args())
	if err != nil {
		report(t, what, err)
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func chkNil(t *testing.T, cmd redis.Cmder) {
	t.Helper()
	if err := cmd.Err(); err != redis.Nil {
		if err == nil {
			t.Errorf("%s = %v, want nil", argsText(cmd.Args()), cmd)
			return
		}
		report(t, argsText(cmd.Args()), err)
	}
}

func chkSorted(t *testing.T, cmd *redis.StringSliceCmd, want ...string) {
	t.Helper()
	got, err := cmd.Result()
	if err != nil {
		report(t, argsText(cmd.Args()), err)
		return
	}
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %q, want %q", argsText(cmd.Args()), got, want)
	}
}

// TestGoRedis: go-redis v9 as applications use it, with its defaults (RESP3)
// and with Protocol: 2.
func TestGoRedis(t *testing.T) {
	addr, _ := clientTarget(t)
	for _, proto := range []int{3, 2} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			opts := &redis.Options{Addr: addr}
			if proto == 2 {
				opts.Protocol = 2
			}
			rdb := redis.NewClient(opts)
			defer rdb.Close()
			other := redis.NewClient(&redis.Options{Addr: addr})
			defer other.Close()
			if err := rdb.FlushAll(ctx).Err(); err != nil {
				t.Fatal(err)
			}
			goRedisScenario(t, rdb, other)
		})
	}
}

func goRedisScenario(t *testing.T, rdb, other *redis.Client) {
	t.Run("strings", func(t *testing.T) {
		chk(t, rdb.Set(ctx, "s:k", "v", 0), "OK")
		chk(t, rdb.Get(ctx, "s:k"), "v")
		chkNil(t, rdb.Get(ctx, "s:missing"))
		chk(t, rdb.SetNX(ctx, "s:k", "w", 0), false)
		chk(t, rdb.SetNX(ctx, "s:new", "w", time.Minute), true)
		chk(t, rdb.SetArgs(ctx, "s:k", "w", redis.SetArgs{Get: true}), "v")
		chk(t, rdb.Incr(ctx, "s:n"), 1)
		chk(t, rdb.IncrBy(ctx, "s:n", 41), 42)
		chk(t, rdb.IncrByFloat(ctx, "s:n", 0.5), 42.5)
		chk(t, rdb.MSet(ctx, "s:a", "1", "s:b", "2"), "OK")
		chk(t, rdb.MGet(ctx, "s:a", "s:nope", "s:b"), []any{"1", nil, "2"})
		chk(t, rdb.Set(ctx, "s:ttl", "x", 100*time.Second), "OK")
		chk(t, rdb.TTL(ctx, "s:ttl"), 100*time.Second)
		chk(t, rdb.GetEx(ctx, "s:ttl", 0), "x")
		chk(t, rdb.Expire(ctx, "s:ttl", time.Hour), true)
		chk(t, rdb.Persist(ctx, "s:ttl"), true)
		chk(t, rdb.TTL(ctx, "s:ttl"), time.Duration(-1))
		chk(t, rdb.GetDel(ctx, "s:ttl"), "x")
		chk(t, rdb.Exists(ctx, "s:ttl", "s:k"), 1)
		chk(t, rdb.Append(ctx, "s:k", "!!"), 3)
		chk(t, rdb.GetRange(ctx, "s:k", 1, -1), "!!")
		chk(t, rdb.StrLen(ctx, "s:k"), 3)
		chk(t, rdb.Set(ctx, "s:px", "x", 50*time.Millisecond), "OK")
		time.Sleep(120 * time.Millisecond)
		chkNil(t, rdb.Get(ctx, "s:px"))
		type user struct {
			Name string `redis:"name"`
			Age  int    `redis:"age"`
		}
		chk(t, rdb.HSet(ctx, "s:user", user{Name: "ann", Age: 37}), 2)
		var u user
		if err := rdb.HGetAll(ctx, "s:user").Scan(&u); err != nil || u != (user{"ann", 37}) {
			t.Errorf("HGETALL into a struct = %+v, %v", u, err)
		}
	})

	t.Run("hashes", func(t *testing.T) {
		chk(t, rdb.HSet(ctx, "h", map[string]any{"a": "1", "b": "2"}), 2)
		chk(t, rdb.HGetAll(ctx, "h"), map[string]string{"a": "1", "b": "2"})
		chk(t, rdb.HIncrBy(ctx, "h", "a", 9), 10)
		chk(t, rdb.HIncrByFloat(ctx, "h", "b", 0.5), 2.5)
		chk(t, rdb.HMGet(ctx, "h", "a", "zz"), []any{"10", nil})
		chk(t, rdb.HExists(ctx, "h", "a"), true)
		chk(t, rdb.HSetNX(ctx, "h", "a", "x"), false)
		chk(t, rdb.HDel(ctx, "h", "a", "zz"), 1)
		chk(t, rdb.HLen(ctx, "h"), 1)
		chk(t, rdb.HKeys(ctx, "h"), []string{"b"})
		chk(t, rdb.HVals(ctx, "h"), []string{"2.5"})
		chk(t, rdb.HGetAll(ctx, "h:none"), map[string]string{})
		var fields []string
		for it := rdb.HScan(ctx, "h", 0, "*", 10).Iterator(); it.Next(ctx); {
			fields = append(fields, it.Val())
		}
		if !reflect.DeepEqual(fields, []string{"b", "2.5"}) {
			t.Errorf("HSCAN iterator = %q", fields)
		}
	})

	t.Run("lists", func(t *testing.T) {
		chk(t, rdb.RPush(ctx, "l", "a", "b", "c"), 3)
		chk(t, rdb.LPush(ctx, "l", "z"), 4)
		chk(t, rdb.LRange(ctx, "l", 0, -1), []string{"z", "a", "b", "c"})
		chk(t, rdb.LIndex(ctx, "l", 1), "a")
		chk(t, rdb.LLen(ctx, "l"), 4)
		chk(t, rdb.LPop(ctx, "l"), "z")
		chk(t, rdb.RPopCount(ctx, "l", 2), []string{"c", "b"})
		chk(t, rdb.LInsertAfter(ctx, "l", "a", "a2"), 2)
		chk(t, rdb.LRem(ctx, "l", 0, "a2"), 1)
		chk(t, rdb.LMove(ctx, "l", "l2", "LEFT", "RIGHT"), "a")
		chk(t, rdb.Exists(ctx, "l"), 0)
		chk(t, rdb.RPush(ctx, "l3", 1, 2, 3, 4, 5), 5)
		chk(t, rdb.LTrim(ctx, "l3", 1, -2), "OK")
		chk(t, rdb.LRange(ctx, "l3", 0, -1), []string{"2", "3", "4"})
		chk(t, rdb.LPos(ctx, "l3", "4", redis.LPosArgs{}), 2)
		// A worker queue: BRPOP blocks until a producer pushes.
		go func() {
			time.Sleep(100 * time.Millisecond)
			other.LPush(ctx, "queue", "job1")
		}()
		chk(t, rdb.BRPop(ctx, 5*time.Second, "queue"), []string{"queue", "job1"})
		chkNil(t, rdb.Do(ctx, "BLPOP", "queue", "0.1")) // go-redis's BLPop rounds timeouts up to 1s
		chk(t, rdb.LPush(ctx, "src", "x"), 1)
		chk(t, rdb.BLMove(ctx, "src", "dst", "RIGHT", "LEFT", time.Second), "x")
	})

	t.Run("sets", func(t *testing.T) {
		chk(t, rdb.SAdd(ctx, "set1", "a", "b", "c", "a"), 3)
		chk(t, rdb.SAdd(ctx, "set2", "b", "c", "d"), 3)
		chkSorted(t, rdb.SMembers(ctx, "set1"), "a", "b", "c")
		chk(t, rdb.SIsMember(ctx, "set1", "a"), true)
		chk(t, rdb.SMIsMember(ctx, "set1", "a", "d"), []bool{true, false})
		chk(t, rdb.SCard(ctx, "set1"), 3)
		chkSorted(t, rdb.SInter(ctx, "set1", "set2"), "b", "c")
		chkSorted(t, rdb.SUnion(ctx, "set1", "set2"), "a", "b", "c", "d")
		chkSorted(t, rdb.SDiff(ctx, "set1", "set2"), "a")
		chk(t, rdb.SUnionStore(ctx, "set3", "set1", "set2"), 4)
		chk(t, rdb.SMove(ctx, "set1", "set2", "a"), true)
		chk(t, rdb.SRem(ctx, "set1", "b", "zz"), 1)
		chk(t, rdb.SPop(ctx, "set1"), "c")
		chk(t, rdb.Exists(ctx, "set1"), 0)
		members, err := rdb.SMembersMap(ctx, "set2").Result()
		if err != nil || len(members) != 4 {
			t.Errorf("SMEMBERS as a map = %v, %v", members, err)
		}
		var all []string
		for it := rdb.SScan(ctx, "set3", 0, "", 2).Iterator(); it.Next(ctx); {
			all = append(all, it.Val())
		}
		if sort.Strings(all); !reflect.DeepEqual(all, []string{"a", "b", "c", "d"}) {
			t.Errorf("SSCAN iterator = %q", all)
		}
	})

	t.Run("sorted sets", func(t *testing.T) {
		chk(t, rdb.ZAdd(ctx, "lb", redis.Z{Score: 10, Member: "ann"}, redis.Z{Score: 20, Member: "bob"}, redis.Z{Score: 15, Member: "cid"}), 3)
		chk(t, rdb.ZRangeWithScores(ctx, "lb", 0, -1), []redis.Z{{Score: 10, Member: "ann"}, {Score: 15, Member: "cid"}, {Score: 20, Member: "bob"}})
		chk(t, rdb.ZRevRange(ctx, "lb", 0, 1), []string{"bob", "cid"})
		chk(t, rdb.ZIncrBy(ctx, "lb", 7.5, "ann"), 17.5)
		chk(t, rdb.ZScore(ctx, "lb", "ann"), 17.5)
		chk(t, rdb.ZRank(ctx, "lb", "ann"), 1)
		chk(t, rdb.ZRevRank(ctx, "lb", "ann"), 1)
		chk(t, rdb.ZCard(ctx, "lb"), 3)
		chk(t, rdb.ZCount(ctx, "lb", "(15", "+inf"), 2)
		chk(t, rdb.ZRangeByScore(ctx, "lb", &redis.ZRangeBy{Min: "-inf", Max: "+inf", Offset: 1, Count: 1}), []string{"ann"})
		chk(t, rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: "lb", Start: 20, Stop: 0, ByScore: true, Rev: true}), []string{"bob", "ann", "cid"})
		chk(t, rdb.ZAddArgs(ctx, "lb", redis.ZAddArgs{XX: true, GT: true, Members: []redis.Z{{Score: 1, Member: "bob"}}}), 0)
		chk(t, rdb.ZMScore(ctx, "lb", "bob", "nope"), []float64{20, 0})
		chk(t, rdb.ZPopMin(ctx, "lb"), []redis.Z{{Score: 15, Member: "cid"}})
		chk(t, rdb.ZRem(ctx, "lb", "ann"), 1)
		chk(t, rdb.ZRangeWithScores(ctx, "lb", 0, -1), []redis.Z{{Score: 20, Member: "bob"}})
		var all []string
		rdb.ZAdd(ctx, "lb", redis.Z{Score: 1, Member: "x"})
		for it := rdb.ZScan(ctx, "lb", 0, "", 10).Iterator(); it.Next(ctx); {
			all = append(all, it.Val())
		}
		if !reflect.DeepEqual(all, []string{"x", "1", "bob", "20"}) {
			t.Errorf("ZSCAN iterator = %q", all)
		}
	})

	t.Run("bitmaps and hyperloglog", func(t *testing.T) {
		chk(t, rdb.SetBit(ctx, "bits", 3, 1), 0)
		chk(t, rdb.GetBit(ctx, "bits", 3), 1)
		chk(t, rdb.BitCount(ctx, "bits", nil), 1)
		chk(t, rdb.PFAdd(ctx, "visitors", "u1", "u2", "u1"), 1)
		chk(t, rdb.PFCount(ctx, "visitors"), 2)
	})

	t.Run("pipelines", func(t *testing.T) {
		cmds, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := 0; i < 500; i++ {
				p.Set(ctx, fmt.Sprintf("pipe:%d", i), i, 0)
			}
			p.Incr(ctx, "pipe:counter")
			p.Get(ctx, "pipe:499")
			return nil
		})
		if err != nil {
			report(t, "Pipelined", err)
			return
		}
		if len(cmds) != 502 || cmds[500].(*redis.IntCmd).Val() != 1 || cmds[501].(*redis.StringCmd).Val() != "499" {
			t.Errorf("pipeline replies: %d, %v, %v", len(cmds), cmds[500], cmds[501])
		}
		// An error in the middle of a pipeline is that command's only.
		p := rdb.Pipeline()
		ok1 := p.Set(ctx, "pipe:x", "1", 0)
		bad := p.HGet(ctx, "pipe:x", "f")
		ok2 := p.Get(ctx, "pipe:x")
		p.Exec(ctx)
		if ok1.Err() != nil || ok2.Val() != "1" || bad.Err() == nil || !strings.HasPrefix(bad.Err().Error(), "WRONGTYPE") {
			t.Errorf("pipeline with a WRONGTYPE in the middle: %v / %v / %v", ok1, bad, ok2)
		}
	})

	t.Run("transactions", func(t *testing.T) {
		cmds, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Incr(ctx, "tx:n")
			p.IncrBy(ctx, "tx:n", 10)
			p.Expire(ctx, "tx:n", time.Hour)
			return nil
		})
		if err != nil || len(cmds) != 3 || cmds[1].(*redis.IntCmd).Val() != 11 {
			t.Errorf("TxPipelined = %v, %v", cmds, err)
		}
		// Optimistic locking: concurrent WATCH/GET/MULTI/SET/EXEC increments,
		// retried on conflict, lose no update.
		incr := func(key string) error {
			for retries := 0; retries < 1000; retries++ {
				err := rdb.Watch(ctx, func(tx *redis.Tx) error {
					n, err := tx.Get(ctx, key).Int()
					if err != nil && err != redis.Nil {
						return err
					}
					_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
						p.Set(ctx, key, n+1, 0)
						return nil
					})
					return err
				}, key)
				if err != redis.TxFailedErr {
					return err
				}
			}
			return errors.New("too many retries")
		}
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for g := 0; g < 10; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					if err := incr("tx:cas"); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			report(t, "WATCH increment", err)
		}
		chk(t, rdb.Get(ctx, "tx:cas"), "100")
		// A conflicting write between WATCH and EXEC aborts the transaction.
		err = rdb.Watch(ctx, func(tx *redis.Tx) error {
			other.Set(ctx, "tx:w", "theirs", 0)
			_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, "tx:w", "mine", 0)
				return nil
			})
			return err
		}, "tx:w")
		if err != redis.TxFailedErr {
			t.Errorf("transaction after a conflicting write: %v, want redis.TxFailedErr", err)
		}
		chk(t, rdb.Get(ctx, "tx:w"), "theirs")
	})

	t.Run("pub/sub", func(t *testing.T) {
		sub := rdb.Subscribe(ctx, "news")
		defer sub.Close()
		if _, err := sub.Receive(ctx); err != nil { // the subscription confirmation
			t.Fatal(err)
		}
		if err := sub.PSubscribe(ctx, "ev:*"); err != nil {
			t.Fatal(err)
		}
		ch := sub.Channel()
		deadline := time.Now().Add(5 * time.Second)
		for rdb.PubSubNumPat(ctx).Val() != 1 {
			if time.Now().After(deadline) {
				t.Fatal("PSUBSCRIBE never showed in PUBSUB NUMPAT")
			}
			time.Sleep(10 * time.Millisecond)
		}
		chk(t, rdb.PubSubNumSub(ctx, "news"), map[string]int64{"news": 1})
		chk(t, other.Publish(ctx, "news", "hello"), 1)
		chk(t, other.Publish(ctx, "ev:7", "fired"), 1)
		var got []string
		for len(got) < 2 {
			select {
			case m := <-ch:
				got = append(got, m.Pattern+"|"+m.Channel+"|"+m.Payload)
			case <-time.After(5 * time.Second):
				t.Fatalf("messages received: %q", got)
			}
		}
		sort.Strings(got)
		if want := []string{"ev:*|ev:7|fired", "|news|hello"}; !reflect.DeepEqual(got, want) {
			t.Errorf("messages = %q, want %q", got, want)
		}
		if err := sub.Unsubscribe(ctx, "news"); err != nil {
			t.Error(err)
		}
	})

	t.Run("scan iterator", func(t *testing.T) {
		for i := 0; i < 250; i++ {
			rdb.Set(ctx, fmt.Sprintf("scan:%d", i), i, 0)
		}
		rdb.RPush(ctx, "scan:list", "x")
		seen := map[string]bool{}
		it := rdb.Scan(ctx, 0, "scan:*", 20).Iterator()
		for it.Next(ctx) {
			seen[it.Val()] = true
		}
		if err := it.Err(); err != nil {
			report(t, "SCAN iterator", err)
			return
		}
		if len(seen) != 251 {
			t.Errorf("SCAN MATCH scan:* iterated %d distinct keys, want 251", len(seen))
		}
		var lists []string
		for it := rdb.ScanType(ctx, 0, "scan:*", 100, "list").Iterator(); it.Next(ctx); {
			lists = append(lists, it.Val())
		}
		if !reflect.DeepEqual(lists, []string{"scan:list"}) {
			t.Errorf("SCAN TYPE list = %q", lists)
		}
	})

	t.Run("scripts", func(t *testing.T) {
		// redis.Script: EVALSHA first, EVAL on NOSCRIPT.
		limiter := redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`)
		for i := int64(1); i <= 3; i++ {
			chk(t, limiter.Run(ctx, rdb, []string{"rate:ip"}, 60000), any(i))
		}
		chk(t, rdb.Eval(ctx, "return {KEYS[1], ARGV[1], 3.7, false}", []string{"k"}, "a"), any([]any{"k", "a", int64(3), nil}))
	})
}

// ---------------------------------------------------------------- subprocess clients

// needTool returns the path of a program the test needs. Missing it skips
// the test on a developer's machine and fails it in CI.
func needTool(t *testing.T, name string, hint string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing (%s)", name, hint)
		}
		t.Skipf("%s is missing (%s)", name, hint)
	}
	return path
}

// runScenario runs a client program against addr and fails the test with its
// output unless it exits 0.
func runScenario(t *testing.T, dir string, env []string, name string, args ...string) {
	t.Helper()
	cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(cctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v after %v\n%s", name, strings.Join(args, " "), err, time.Since(start).Round(time.Millisecond), out)
	}
	t.Logf("%s %s (%v):\n%s", filepath.Base(name), strings.Join(args, " "), time.Since(start).Round(time.Millisecond), out)
}

var (
	npmOnce sync.Once
	npmErr  error
)

// npmCI installs test/clients/node's locked dependencies, once per run, and
// not at all when node_modules already holds what package-lock.json says
// (a stamp with the lock file's hash, written after a successful npm ci).
func npmCI(t *testing.T, dir string) {
	t.Helper()
	npmOnce.Do(func() {
		lock, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
		if err != nil {
			npmErr = err
			return
		}
		sum := sha256.Sum256(lock)
		stampFile := filepath.Join(dir, "node_modules", ".modis-lock-sha256")
		stamp := hex.EncodeToString(sum[:])
		if old, err := os.ReadFile(stampFile); err == nil && string(old) == stamp {
			return
		}
		start := time.Now()
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			npmErr = fmt.Errorf("npm ci in %s: %v\n%s", dir, err, out)
			return
		}
		t.Logf("npm ci: %v", time.Since(start).Round(time.Millisecond))
		npmErr = os.WriteFile(stampFile, []byte(stamp), 0o644)
	})
	if npmErr != nil {
		t.Fatal(npmErr)
	}
}

// TestNodeClients: ioredis and node-redis (exact versions in
// test/clients/node/package-lock.json) run the same scenario.
func TestNodeClients(t *testing.T) {
	needTool(t, "node", "Debian's nodejs")
	needTool(t, "npm", "Debian's npm")
	dir := filepath.Join(repoRoot, "test", "clients", "node")
	npmCI(t, dir)
	addr, _ := clientTarget(t)
	for _, c := range []struct{ name, script, resp string }{
		{"ioredis", "ioredis.js", ""}, // RESP3 by default in ioredis 6
		{"ioredis RESP2", "ioredis.js", "2"},
		{"node-redis", "node-redis.js", ""}, // RESP3 by default in node-redis 6, and client-side caching
		{"node-redis RESP2", "node-redis.js", "2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			runScenario(t, dir, []string{"REDIS_ADDR=" + addr, "REDIS_RESP=" + c.resp}, "node", c.script)
		})
	}
}

// TestPythonClient: Debian's python3-redis (redis-py) runs the scenario.
func TestPythonClient(t *testing.T) {
	python := "/usr/bin/python3" // Debian's, where python3-redis installs
	if _, err := os.Stat(python); err != nil {
		python = needTool(t, "python3", "Debian's python3")
	}
	if err := exec.Command(python, "-c", "import redis").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s cannot import redis (apt-get install python3-redis): %v", python, err)
		}
		t.Skipf("%s cannot import redis (apt-get install python3-redis)", python)
	}
	addr, _ := clientTarget(t)
	runScenario(t, filepath.Join(repoRoot, "test", "clients", "python"), []string{"REDIS_ADDR=" + addr}, python, "scenario.py")
}
