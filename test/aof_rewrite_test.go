package test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// aofRewriteConf writes a config with the AOF on, appendfsync always and
// the automatic rewrite off.
func aofRewriteConf(t *testing.T, dir string, extra ...string) string {
	p := filepath.Join(t.TempDir(), "modis.conf")
	conf := fmt.Sprintf("dir %s\nappendonly yes\nappendfsync always\nauto-aof-rewrite-percentage 0\n%s\n", dir, strings.Join(extra, "\n"))
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// aofFill writes n keys of every type (a third with an expiry), pipelined.
func aofFill(t *testing.T, ctx context.Context, rc *redis.Client, n int) {
	t.Helper()
	for i := 0; i < n; i += 1000 {
		p := rc.Pipeline()
		for k := i; k < i+1000 && k < n; k++ {
			key := fmt.Sprintf("fill:%d", k)
			switch k % 5 {
			case 0:
				p.Set(ctx, key, strings.Repeat("v", k%40), 0)
			case 1:
				p.HSet(ctx, key, "a", k, "b", "x")
			case 2:
				p.RPush(ctx, key, "a", k, "c")
			case 3:
				p.SAdd(ctx, key, k, k+1, "m")
			case 4:
				p.ZAdd(ctx, key, redis.Z{Score: float64(k) / 4, Member: "a"}, redis.Z{Score: 1, Member: "b"})
			}
			if k%3 == 0 {
				p.Expire(ctx, key, time.Hour)
			}
		}
		if _, err := p.Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// aofDigest renders every key of database 0 with its value and absolute
// expiry, read in pipelines.
func aofDigest(t *testing.T, ctx context.Context, rc *redis.Client) map[string]string {
	t.Helper()
	var keys []string
	for cur := uint64(0); ; {
		ks, next, err := rc.Scan(ctx, cur, "*", 5000).Result()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, ks...)
		if cur = next; cur == 0 {
			break
		}
	}
	sort.Strings(keys)
	keys = dedup(keys)
	out := make(map[string]string, len(keys))
	for i := 0; i < len(keys); i += 1000 {
		batch := keys[i:min(i+1000, len(keys))]
		p := rc.Pipeline()
		types := make([]*redis.StatusCmd, len(batch))
		for j, k := range batch {
			types[j] = p.Type(ctx, k)
		}
		if _, err := p.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		p = rc.Pipeline()
		vals := make([]redis.Cmder, len(batch))
		exps := make([]*redis.DurationCmd, len(batch))
		for j, k := range batch {
			switch types[j].Val() {
			case "string":
				vals[j] = p.Get(ctx, k)
			case "hash":
				vals[j] = p.HGetAll(ctx, k)
			case "list":
				vals[j] = p.LRange(ctx, k, 0, -1)
			case "set":
				vals[j] = p.SMembers(ctx, k)
			case "zset":
				vals[j] = p.ZRangeWithScores(ctx, k, 0, -1)
			default:
				t.Fatalf("key %s has type %q", k, types[j].Val())
			}
			exps[j] = p.PExpireTime(ctx, k)
		}
		if _, err := p.Exec(ctx); err != nil && err != redis.Nil {
			t.Fatal(err)
		}
		for j, k := range batch {
			var v string
			switch c := vals[j].(type) {
			case *redis.StringCmd:
				v = c.Val()
			case *redis.MapStringStringCmd:
				v = fmt.Sprint(c.Val()) // fmt sorts map keys
			case *redis.StringSliceCmd:
				s := c.Val()
				if types[j].Val() == "set" {
					s = append([]string(nil), s...)
					sort.Strings(s)
				}
				v = strings.Join(s, ",")
			case *redis.ZSliceCmd:
				v = fmt.Sprint(c.Val())
			}
			out[k] = types[j].Val() + " " + v + " exp=" + strconv.FormatInt(exps[j].Val().Milliseconds(), 10)
		}
	}
	return out
}

func dedup(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// compareDigests reports the keys that differ (at most 10).
func compareDigests(t *testing.T, what string, want, got map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d keys, want %d", what, len(got), len(want))
	}
	bad := 0
	for k, v := range want {
		if got[k] != v {
			if bad++; bad <= 10 {
				t.Errorf("%s: %s = %.120q, want %.120q", what, k, got[k], v)
			}
		}
	}
}

// persistField returns one field of INFO persistence.
func persistField(ctx context.Context, rc *redis.Client, name string) string {
	info, _ := rc.Info(ctx, "persistence").Result()
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return v
		}
	}
	return ""
}

// redisCheckAOF runs redis-check-aof on the manifest in dir.
func redisCheckAOF(t *testing.T, dir string) {
	t.Helper()
	if _, err := exec.LookPath("redis-check-aof"); err != nil {
		t.Log("redis-check-aof not available")
		return
	}
	out, err := exec.Command("redis-check-aof", filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "is valid") {
		t.Errorf("redis-check-aof: %v\n%s", err, out)
	}
}

// TestAOFRewriteUnderLoad: BGREWRITEAOF of a big dataset while four
// clients write with appendfsync always and another PINGs. The server
// keeps answering during the rewrite; afterwards every acknowledged write
// is there after a SIGKILL and restart, the whole dataset is identical, the
// directory passes redis-check-aof and loads into redis-server 7.0.15 with
// the same data. Both base formats.
func TestAOFRewriteUnderLoad(t *testing.T) {
	for _, preamble := range []string{"yes", "no"} {
		t.Run("preamble="+preamble, func(t *testing.T) {
			dir := t.TempDir()
			conf := aofRewriteConf(t, dir, "aof-use-rdb-preamble "+preamble)
			s := startServer(t, "--config", conf)
			ctx := context.Background()
			rc := s.Client()
			aofFill(t, ctx, rc, 200000)

			const workers = 4
			var acks [workers][]aofAck
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for w := 0; w < workers; w++ {
				wc := redis.NewClient(&redis.Options{Addr: s.Addr})
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					defer wc.Close()
					aofWorker(ctx, wc, w, stop, &acks[w])
				}(w)
			}
			// The pinger records when each PING was sent and answered.
			type span struct{ sent, got time.Time }
			var pings []span
			pc := s.Client()
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					t0 := time.Now()
					if pc.Ping(ctx).Err() != nil {
						return
					}
					pings = append(pings, span{t0, time.Now()})
				}
			}()
			time.Sleep(200 * time.Millisecond)
			rwStart := time.Now()
			if got := rc.Do(ctx, "bgrewriteaof").String(); !strings.Contains(got, "rewriting started") {
				t.Fatal(got)
			}
			for persistField(ctx, rc, "aof_rewrite_in_progress") != "0" {
				time.Sleep(5 * time.Millisecond)
			}
			rwEnd := time.Now()
			if st := persistField(ctx, rc, "aof_last_bgrewrite_status"); st != "ok" {
				t.Fatalf("aof_last_bgrewrite_status:%s", st)
			}
			time.Sleep(200 * time.Millisecond)
			close(stop)
			wg.Wait()

			during, worst := 0, time.Duration(0)
			for _, p := range pings {
				if p.sent.After(rwStart) && p.got.Before(rwEnd) {
					during++
				}
				if p.got.After(rwStart) && p.sent.Before(rwEnd) {
					worst = max(worst, p.got.Sub(p.sent))
				}
			}
			total := 0
			for w := range acks {
				total += len(acks[w])
			}
			t.Logf("rewrite took %v; %d PINGs answered during it, the longest %v; %d write rounds acknowledged",
				rwEnd.Sub(rwStart), during, worst, total)
			if during < 10 {
				t.Errorf("only %d PINGs were answered during the rewrite: the server stalled", during)
			}
			man, _ := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"))
			ext := map[string]string{"yes": "rdb", "no": "aof"}[preamble]
			if want := "file appendonly.aof.2.base." + ext + " seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"; string(man) != want {
				t.Errorf("manifest %q, want %q", man, want)
			}
			want := aofDigest(t, ctx, rc)
			s.cmd.Process.Kill()
			<-s.done
			redisCheckAOF(t, dir)

			s2 := startServer(t, "--config", conf)
			rc2 := s2.Client()
			for w := 0; w < workers; w++ {
				aofCheck(t, ctx, rc2, w, acks[w], time.Now())
			}
			compareDigests(t, "Modis after a restart", want, aofDigest(t, ctx, rc2))
			s2.cmd.Process.Kill()
			<-s2.done

			if _, err := exec.LookPath("redis-server"); err != nil {
				t.Skip("redis-server not available")
			}
			rp := aofRedis(t, dir)
			r := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", rp)})
			defer r.Close()
			compareDigests(t, "redis-server 7.0", want, aofDigest(t, ctx, r))
		})
	}
}

// TestAOFCrashDuringRewrite: SIGKILL in the middle of a background rewrite,
// with clients writing (appendfsync always), round after round. Every start
// loads the directory and finds every acknowledged write.
func TestAOFCrashDuringRewrite(t *testing.T) {
	dir := t.TempDir()
	conf := aofRewriteConf(t, dir)
	ctx := context.Background()
	const workers, rounds = 3, 4
	var prev [workers][]aofAck
	mid := 0
	for r := 0; r <= rounds; r++ {
		s := startServer(t, "--config", conf)
		rc := s.Client()
		for w := 0; w < workers; w++ {
			aofCheck(t, ctx, rc, w+(r-1)*workers, prev[w], time.Now())
		}
		if r == rounds {
			break
		}
		if r == 0 {
			aofFill(t, ctx, rc, 150000)
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
		time.Sleep(100 * time.Millisecond)
		if got := rc.Do(ctx, "bgrewriteaof").String(); !strings.Contains(got, "rewriting started") {
			t.Fatal(got)
		}
		time.Sleep(time.Duration(20+40*r) * time.Millisecond)
		s.cmd.Process.Kill() // SIGKILL, with the rewrite and the workers running
		<-s.done
		close(stop)
		wg.Wait()
		ents, _ := os.ReadDir(filepath.Join(dir, "appendonlydir"))
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), "temp-rewriteaof-") {
				mid++
			}
		}
	}
	if mid == 0 {
		t.Error("no SIGKILL landed in the middle of a rewrite")
	}
	t.Logf("%d of %d kills landed during a rewrite", mid, rounds)
}
