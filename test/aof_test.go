package test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// aofConf writes a config file with the AOF on in dir.
func aofConf(t *testing.T, dir, fsync string) string {
	p := filepath.Join(t.TempDir(), "modis.conf")
	conf := fmt.Sprintf("dir %s\nappendonly yes\nappendfsync %s\n", dir, fsync)
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// aofAck is what one worker knows the server acknowledged.
type aofAck struct {
	at      time.Time
	key     string // SET key (also EXPIREd, HSET/SADD/ZADD member n)
	n       int
	ctr     int64 // INCR's reply
	listLen int64 // LPUSH's reply
}

// aofWorker writes until stop, recording every acknowledged write.
func aofWorker(ctx context.Context, rc *redis.Client, w int, stop <-chan struct{}, acks *[]aofAck) {
	for n := 0; ; n++ {
		select {
		case <-stop:
			return
		default:
		}
		key := fmt.Sprintf("w%d:s:%d", w, n)
		if err := rc.Set(ctx, key, n, 0).Err(); err != nil {
			return
		}
		ctr, err := rc.Incr(ctx, fmt.Sprintf("w%d:ctr", w)).Result()
		if err != nil {
			return
		}
		l, err := rc.LPush(ctx, fmt.Sprintf("w%d:list", w), n).Result()
		if err != nil {
			return
		}
		if rc.HSet(ctx, fmt.Sprintf("w%d:h", w), strconv.Itoa(n), n).Err() != nil ||
			rc.SAdd(ctx, fmt.Sprintf("w%d:set", w), n).Err() != nil ||
			rc.ZAdd(ctx, fmt.Sprintf("w%d:z", w), redis.Z{Score: float64(n), Member: n}).Err() != nil ||
			rc.Expire(ctx, key, time.Hour).Err() != nil {
			return
		}
		*acks = append(*acks, aofAck{at: time.Now(), key: key, n: n, ctr: ctr, listLen: l})
	}
}

// aofCheck verifies that every write acknowledged before cutoff is there
// (each of its seven commands, read back pipelined) and returns how many
// acknowledgements it checked.
func aofCheck(t *testing.T, ctx context.Context, rc *redis.Client, w int, acks []aofAck, cutoff time.Time) int {
	t.Helper()
	n := 0
	for n < len(acks) && !acks[n].at.After(cutoff) {
		n++
	}
	if n == 0 {
		return 0
	}
	h, set, z := fmt.Sprintf("w%d:h", w), fmt.Sprintf("w%d:set", w), fmt.Sprintf("w%d:z", w)
	lost := 0
	for from := 0; from < n; from += 500 {
		batch := acks[from:min(from+500, n)]
		pipe := rc.Pipeline()
		type reads struct {
			get *redis.StringCmd
			ttl *redis.DurationCmd
			hex *redis.BoolCmd
			sis *redis.BoolCmd
			zs  *redis.FloatCmd
		}
		rs := make([]reads, len(batch))
		for i, a := range batch {
			m := strconv.Itoa(a.n)
			rs[i] = reads{pipe.Get(ctx, a.key), pipe.TTL(ctx, a.key), pipe.HExists(ctx, h, m),
				pipe.SIsMember(ctx, set, m), pipe.ZScore(ctx, z, m)}
		}
		pipe.Exec(ctx) // a missing key is a redis.Nil in its command
		for i, a := range batch {
			r := rs[i]
			var bad []string
			if v, err := r.get.Result(); err != nil || v != strconv.Itoa(a.n) {
				bad = append(bad, fmt.Sprintf("GET %s = %q, %v", a.key, v, err))
			}
			if ttl, err := r.ttl.Result(); err != nil || ttl <= 0 {
				bad = append(bad, fmt.Sprintf("TTL %s = %v, %v", a.key, ttl, err))
			}
			if ok, err := r.hex.Result(); !ok {
				bad = append(bad, fmt.Sprintf("field %d lost (%v)", a.n, err))
			}
			if ok, err := r.sis.Result(); !ok {
				bad = append(bad, fmt.Sprintf("member %d lost (%v)", a.n, err))
			}
			if sc, err := r.zs.Result(); err != nil || sc != float64(a.n) {
				bad = append(bad, fmt.Sprintf("zset member %d: %v, %v", a.n, sc, err))
			}
			if len(bad) > 0 {
				if lost++; lost <= 5 {
					t.Errorf("worker %d, write %d acknowledged %v before the cutoff: %s", w, a.n, cutoff.Sub(a.at), strings.Join(bad, "; "))
				}
			}
		}
	}
	if lost > 5 {
		t.Errorf("worker %d: %d of %d acknowledged writes lost", w, lost, n)
	}
	last := acks[n-1]
	if ctr, _ := rc.Get(ctx, fmt.Sprintf("w%d:ctr", w)).Int64(); ctr < last.ctr {
		t.Errorf("worker %d: counter %d, acknowledged %d", w, ctr, last.ctr)
	}
	if l, _ := rc.LLen(ctx, fmt.Sprintf("w%d:list", w)).Result(); l < last.listLen {
		t.Errorf("worker %d: list length %d, acknowledged %d", w, l, last.listLen)
	}
	return n
}

// aofCrashRounds starts the server on one AOF directory again and again,
// writes from several clients for about write (plus a random part, so the
// kill lands at different points), kills it with SIGKILL mid-load, and
// checks on the next start that the file loads and that every write
// acknowledged more than loss before the kill survived. Each round must
// have checked a substantial number of acknowledgements: at least 100, and
// at least a quarter of those made.
func aofCrashRounds(t *testing.T, fsync string, rounds int, write, loss time.Duration) {
	dir := t.TempDir()
	conf := aofConf(t, dir, fsync)
	ctx := context.Background()
	const workers = 4
	var prev [workers][]aofAck
	var killedAt time.Time
	made := 0
	for r := 0; r <= rounds; r++ {
		s := startServer(t, "--config", conf)
		rc := s.Client()
		checked := 0
		for w := 0; w < workers; w++ {
			// Every round writes new keys for new worker numbers, so a
			// round's checks see only the acknowledgements they know of.
			checked += aofCheck(t, ctx, rc, w+(r-1)*workers, prev[w], killedAt.Add(-loss))
		}
		if r > 0 {
			t.Logf("round %d: %d of %d acknowledged writes (7 commands each) were older than %v at the SIGKILL; all checked", r-1, checked, made, loss)
			if checked < 100 || checked < made/4 {
				t.Errorf("round %d: only %d of %d acknowledged writes were checked", r-1, checked, made)
			}
		}
		if r == rounds {
			break
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			prev[w] = nil
			wc := redis.NewClient(&redis.Options{Addr: s.Addr, MaxRetries: -1})
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				defer wc.Close()
				aofWorker(ctx, wc, w+r*workers, stop, &prev[w])
			}(w)
		}
		time.Sleep(write + time.Duration(rand.Int64N(int64(300*time.Millisecond))))
		s.cmd.Process.Kill() // SIGKILL, with the workers writing
		killedAt = time.Now()
		<-s.done
		close(stop)
		wg.Wait()
		made = 0
		for w := range prev {
			made += len(prev[w])
		}
		if made == 0 {
			t.Fatalf("round %d: no write was acknowledged", r)
		}
	}
}

// TestAOFCrashAlways: with appendfsync always, every write acknowledged
// before a SIGKILL is there after it, 8 times in a row.
func TestAOFCrashAlways(t *testing.T) { aofCrashRounds(t, "always", 8, 500*time.Millisecond, 0) }

// TestAOFCrashEverysec: with appendfsync everysec, a SIGKILL loses at most
// the last second of acknowledged writes, 5 times in a row; each round
// writes for well over a second, so most of its writes are checked.
func TestAOFCrashEverysec(t *testing.T) {
	aofCrashRounds(t, "everysec", 5, 2*time.Second, time.Second)
}

// TestAOFToRedis: an AOF directory Modis wrote (a rewritten base and
// commands after it) loads into redis-server 7.0.15 with the same data.
func TestAOFToRedis(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not available")
	}
	dir := t.TempDir()
	m := startServer(t, "--config", aofConf(t, dir, "always"))
	rdbPopulate(t, m.Port)
	if out := m.CLI("bgrewriteaof"); !strings.Contains(out, "rewriting started") {
		t.Fatal(out)
	}
	for i := 0; strings.Contains(m.CLI("info", "persistence"), "aof_rewrite_in_progress:1"); i++ {
		if i == 500 {
			t.Fatal("the rewrite did not end")
		}
		time.Sleep(10 * time.Millisecond)
	}
	m.CLI("set", "after", "rewrite", "ex", "1000")
	m.CLI("incrbyfloat", "fl", "2.5")
	m.CLI("-n", "5", "rpush", "l5", "x", "y")
	m.CLI("spop", "set:str")
	m.CLI("eval", "redis.call('incr','sc'); redis.call('incr','sc')", "0")
	want := rdbSnapshot(t, m.Port)
	m.cmd.Process.Kill()
	<-m.done
	redisCheckAOF(t, dir)
	rp := aofRedis(t, dir)
	compareSnapshots(t, want, rdbSnapshot(t, rp))
}

// TestAOFFromRedis: an AOF directory redis-server 7.0.15 wrote loads into
// Modis with the same data.
func TestAOFFromRedis(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not available")
	}
	dir := t.TempDir()
	rp := aofRedis(t, dir)
	rdbPopulate(t, rp)
	cli(t, rp, "set", "x", "1", "ex", "1000")
	cli(t, rp, "incrbyfloat", "fl", "2.5")
	cli(t, rp, "spop", "set:str")
	want := rdbSnapshot(t, rp)
	cli(t, rp, "shutdown", "nosave")
	time.Sleep(200 * time.Millisecond)
	m := startServer(t, "--config", aofConf(t, dir, "everysec"))
	compareSnapshots(t, want, rdbSnapshot(t, m.Port))
}

// aofRedis starts a private redis-server 7.0.15 with the AOF on in dir.
func aofRedis(t *testing.T, dir string) int {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "yes", "--appendfsync", "always", "--dir", dir, "--appenddirname", "appendonlydir")
	if err := cmd.Start(); err != nil {
		t.Skip("redis-server not available:", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for i := 0; i < 250; i++ {
		if out, _ := exec.Command("redis-cli", "-p", strconv.Itoa(port), "ping").Output(); strings.TrimSpace(string(out)) == "PONG" {
			return port
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("redis-server did not start")
	return 0
}

// freePort picks a free loopback port.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestAOFBlockedServed: pops served to blocked clients by another client's
// push are in the AOF (as the pops they were), as are SPOP and scripts.
func TestAOFBlockedServed(t *testing.T) {
	dir := t.TempDir()
	conf := aofConf(t, dir, "always")
	s := startServer(t, "--config", conf)
	ctx := context.Background()
	rc := s.Client()
	blocked := s.Client()
	res := make(chan []string, 3)
	go func() {
		v, _ := blocked.BLPop(ctx, 5*time.Second, "q").Result()
		res <- v
		z, _ := blocked.BZPopMin(ctx, 5*time.Second, "z").Result()
		res <- []string{fmt.Sprint(z.Member)}
		m, _ := blocked.BLMove(ctx, "src", "dst", "LEFT", "RIGHT", 5*time.Second).Result()
		res <- []string{m}
	}()
	time.Sleep(150 * time.Millisecond)
	rc.RPush(ctx, "q", "a", "b")
	if v := <-res; len(v) != 2 || v[1] != "a" {
		t.Fatalf("BLPOP: %v", v)
	}
	time.Sleep(100 * time.Millisecond)
	rc.ZAdd(ctx, "z", redis.Z{Score: 1, Member: "one"}, redis.Z{Score: 2, Member: "two"})
	if v := <-res; v[0] != "one" {
		t.Fatalf("BZPOPMIN: %v", v)
	}
	time.Sleep(100 * time.Millisecond)
	rc.RPush(ctx, "src", "x", "y")
	if v := <-res; v[0] != "x" {
		t.Fatalf("BLMOVE: %v", v)
	}
	rc.SAdd(ctx, "s", "1", "2", "3")
	popped, _ := rc.SPop(ctx, "s").Result()
	rc.Eval(ctx, "redis.call('set', KEYS[1], 'v', 'EX', 100); redis.call('incrbyfloat', 'f', '0.5')", []string{"k"})
	s.cmd.Process.Kill()
	<-s.done

	s2 := startServer(t, "--config", conf)
	rc2 := s2.Client()
	check := func(what string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: got %v, want %v", what, got, want)
		}
	}
	q, _ := rc2.LRange(ctx, "q", 0, -1).Result()
	check("q", q, []string{"b"})
	z, _ := rc2.ZRange(ctx, "z", 0, -1).Result()
	check("z", z, []string{"two"})
	src, _ := rc2.LRange(ctx, "src", 0, -1).Result()
	check("src", src, []string{"y"})
	dst, _ := rc2.LRange(ctx, "dst", 0, -1).Result()
	check("dst", dst, []string{"x"})
	ok, _ := rc2.SIsMember(ctx, "s", popped).Result()
	check("SPOP'd member still there", ok, false)
	n, _ := rc2.SCard(ctx, "s").Result()
	check("SCARD", n, 2)
	ttl, _ := rc2.TTL(ctx, "k").Result()
	if ttl <= 90*time.Second || ttl > 100*time.Second {
		t.Errorf("TTL k: %v", ttl)
	}
	f, _ := rc2.Get(ctx, "f").Result()
	check("f", f, "0.5")
}
