package test

import (
	"context"
	"fmt"
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

// aofCheck verifies that every write acknowledged before cutoff is there.
func aofCheck(t *testing.T, ctx context.Context, rc *redis.Client, w int, acks []aofAck, cutoff time.Time) {
	t.Helper()
	var last *aofAck
	for i := range acks {
		a := &acks[i]
		if a.at.After(cutoff) {
			break
		}
		last = a
		if i%7 != 0 && i != len(acks)-1 { // a sample of the keys, and the last
			continue
		}
		if v, err := rc.Get(ctx, a.key).Result(); err != nil || v != strconv.Itoa(a.n) {
			t.Errorf("worker %d: GET %s = %q, %v", w, a.key, v, err)
		}
		if ttl, _ := rc.TTL(ctx, a.key).Result(); ttl <= 0 {
			t.Errorf("worker %d: TTL %s = %v", w, a.key, ttl)
		}
		m := strconv.Itoa(a.n)
		if ok, _ := rc.HExists(ctx, fmt.Sprintf("w%d:h", w), m).Result(); !ok {
			t.Errorf("worker %d: field %s lost", w, m)
		}
		if ok, _ := rc.SIsMember(ctx, fmt.Sprintf("w%d:set", w), m).Result(); !ok {
			t.Errorf("worker %d: member %s lost", w, m)
		}
		if _, err := rc.ZScore(ctx, fmt.Sprintf("w%d:z", w), m).Result(); err != nil {
			t.Errorf("worker %d: zset member %s lost: %v", w, m, err)
		}
	}
	if last == nil {
		return
	}
	if ctr, _ := rc.Get(ctx, fmt.Sprintf("w%d:ctr", w)).Int64(); ctr < last.ctr {
		t.Errorf("worker %d: counter %d, acknowledged %d", w, ctr, last.ctr)
	}
	if l, _ := rc.LLen(ctx, fmt.Sprintf("w%d:list", w)).Result(); l < last.listLen {
		t.Errorf("worker %d: list length %d, acknowledged %d", w, l, last.listLen)
	}
}

// aofCrashRounds starts the server on one AOF directory again and again,
// writes from several clients, kills it with SIGKILL mid-load, and checks
// on the next start that the acknowledged writes survived (those older
// than loss before the kill).
func aofCrashRounds(t *testing.T, fsync string, rounds int, loss time.Duration) {
	dir := t.TempDir()
	conf := aofConf(t, dir, fsync)
	ctx := context.Background()
	const workers = 4
	var prev [workers][]aofAck
	var killedAt time.Time
	for r := 0; r <= rounds; r++ {
		s := startServer(t, "--config", conf)
		rc := s.Client()
		for w := 0; w < workers; w++ {
			// Every round writes new keys for new worker numbers, so a
			// round's checks see only the acknowledgements they know of.
			aofCheck(t, ctx, rc, w+(r-1)*workers, prev[w], killedAt.Add(-loss))
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
		time.Sleep(700 * time.Millisecond)
		s.cmd.Process.Kill() // SIGKILL, with the workers writing
		killedAt = time.Now()
		<-s.done
		close(stop)
		wg.Wait()
		total := 0
		for w := range prev {
			total += len(prev[w])
		}
		if total == 0 {
			t.Fatalf("round %d: no write was acknowledged", r)
		}
		t.Logf("round %d: %d acknowledged writes before SIGKILL", r, total*7)
	}
}

func TestAOFCrashAlways(t *testing.T) { aofCrashRounds(t, "always", 4, 0) }

func TestAOFCrashEverysec(t *testing.T) { aofCrashRounds(t, "everysec", 2, time.Second) }

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
