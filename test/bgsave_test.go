package test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// bgConf writes a config file setting dir and any extra lines.
func bgConf(t *testing.T, dir string, lines ...string) string {
	p := filepath.Join(t.TempDir(), "modis.conf")
	body := "dir " + dir + "\n" + strings.Join(lines, "\n") + "\n"
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// waitBgsave waits until INFO persistence reports no background save.
func waitBgsave(t *testing.T, m *Server) string {
	t.Helper()
	for i := 0; i < 500; i++ {
		out := m.CLI("info", "persistence")
		if strings.Contains(out, "rdb_bgsave_in_progress:0") {
			return out
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("BGSAVE did not finish")
	return ""
}

// TestBgsaveWhileWriting: BGSAVE on a keyspace clients keep changing
// writes the keyspace as it was when BGSAVE started; the file passes
// redis-check-rdb and a restart loads it.
func TestBgsaveWhileWriting(t *testing.T) {
	dir := t.TempDir()
	m := startServer(t, "--config", bgConf(t, dir))
	ctx := context.Background()
	rc := m.Client()
	const n = 50000
	pipe := rc.Pipeline()
	for i := 0; i < n; i++ {
		pipe.Set(ctx, fmt.Sprintf("key:%d", i), fmt.Sprintf("v%d", i), 0)
		if i%1000 == 0 {
			pipe.HSet(ctx, fmt.Sprintf("h:%d", i), "f", i)
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if got := rc.Do(ctx, "bgsave").String(); !strings.Contains(got, "Background saving started") {
		t.Fatalf("BGSAVE: %s", got)
	}
	// Writers change, delete and add keys while the save runs.
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := m.Client()
			for i := w; i < 4000; i += 4 {
				c.Set(ctx, fmt.Sprintf("key:%d", i*11%n), "changed", 0)
				c.Del(ctx, fmt.Sprintf("key:%d", (i*13+7)%n))
				c.Set(ctx, fmt.Sprintf("new:%d", i), "x", 0)
				c.HSet(ctx, fmt.Sprintf("h:%d", (i%50)*1000), "g", "w")
			}
		}(w)
	}
	if got := rc.Do(ctx, "bgsave").Err(); got == nil {
		// The save may already be over on a fast machine.
		waitBgsave(t, m)
	} else if got.Error() != "ERR Background save already in progress" {
		t.Fatalf("second BGSAVE: %v", got)
	}
	wg.Wait()
	info := waitBgsave(t, m)
	for _, want := range []string{"rdb_last_bgsave_status:ok", "rdb_current_bgsave_time_sec:-1"} {
		if !strings.Contains(info, want) {
			t.Errorf("INFO persistence lacks %s:\n%s", want, info)
		}
	}
	path := filepath.Join(dir, "dump.rdb")
	if out, err := exec.Command("redis-check-rdb", path).CombinedOutput(); err != nil {
		t.Fatalf("redis-check-rdb: %v\n%s", err, out)
	}
	// Load the file into a second server: it must hold the dataset as it
	// was at the first BGSAVE (or a later one if the first finished before
	// the writers started: then only check it loads and counts add up).
	m2 := startServer(t, "--config", bgConf(t, dir))
	rc2 := m2.Client()
	size, err := rc2.DBSize(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	if size < n/2 {
		t.Fatalf("loaded %d keys", size)
	}
	newKeys, _ := rc2.Keys(ctx, "new:*").Result()
	if len(newKeys) == 0 {
		if size != n+n/1000 {
			t.Errorf("snapshot at start: %d keys, want %d", size, n+n/1000)
		}
		for i := 0; i < n; i += 97 {
			if v, _ := rc2.Get(ctx, fmt.Sprintf("key:%d", i)).Result(); v != fmt.Sprintf("v%d", i) {
				t.Fatalf("key:%d = %q, want the value at the start", i, v)
			}
		}
	}
}

// TestBgsaveErrors: the replies Redis 7.0 gives.
func TestBgsaveErrors(t *testing.T) {
	dir := t.TempDir()
	m := startServer(t, "--config", bgConf(t, dir))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"bgsave", "foo"}, "ERR syntax error"},
		{[]string{"bgsave", "schedule", "x"}, "ERR syntax error"},
		{[]string{"shutdown", "abort"}, "ERR No shutdown in progress."},
		{[]string{"shutdown", "foo"}, "ERR syntax error"},
		{[]string{"shutdown", "save", "nosave"}, "ERR syntax error"},
		{[]string{"shutdown", "abort", "now"}, "ERR syntax error"},
		{[]string{"bgsave", "schedule"}, "Background saving started"},
	} {
		if got := strings.TrimSpace(m.CLI(c.args...)); got != c.want {
			t.Errorf("%v: %q, want %q", c.args, got, c.want)
		}
	}
	waitBgsave(t, m)
	if out := m.CLI("info", "persistence"); !strings.Contains(out, "rdb_saves:1") {
		t.Errorf("rdb_saves after one BGSAVE:\n%s", out)
	}
}

// TestSavePoints: a matching save rule starts a background save.
func TestSavePoints(t *testing.T) {
	dir := t.TempDir()
	m := startServer(t, "--config", bgConf(t, dir, "save 3600 1", "save 1 3"))
	if got := strings.TrimSpace(m.CLI("config", "get", "save")); got != "save\n3600 1 1 3" {
		t.Fatalf("CONFIG GET save: %q", got)
	}
	m.CLI("set", "a", "1")
	m.CLI("set", "b", "2")
	time.Sleep(1500 * time.Millisecond)
	if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err == nil {
		t.Fatal("saved after 2 changes; the rule wants 3")
	}
	m.CLI("set", "c", "3")
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no save after 3 changes:\n%s", m.CLI("info", "persistence"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	info := waitBgsave(t, m)
	if !strings.Contains(info, "rdb_changes_since_last_save:0") {
		t.Errorf("after the save:\n%s", info)
	}
	m.CLI("config", "set", "save", "")
	if got := strings.TrimSpace(m.CLI("config", "get", "save")); got != "save" {
		t.Errorf("CONFIG GET save after disabling: %q", got)
	}
}

// waitExit waits for the server process to end and returns its error.
func waitExit(t *testing.T, m *Server) error {
	t.Helper()
	select {
	case <-m.done:
		return m.err
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not exit")
		return nil
	}
}

// TestShutdownSaves: SHUTDOWN SAVE, SHUTDOWN NOSAVE and SIGTERM with save
// points leave (or not) a dump the next start loads.
func TestShutdownSaves(t *testing.T) {
	for _, c := range []struct {
		name  string
		save  []string
		stop  func(m *Server)
		saved bool
	}{
		{"shutdown save", nil, func(m *Server) { m.CLI("shutdown", "save") }, true},
		{"shutdown nosave", []string{"save 3600 1"}, func(m *Server) { m.CLI("shutdown", "nosave") }, false},
		{"shutdown default, no save points", nil, func(m *Server) { m.CLI("shutdown") }, false},
		{"shutdown default, save points", []string{"save 3600 1"}, func(m *Server) { m.CLI("shutdown") }, true},
		{"sigterm, save points", []string{"save 3600 1"}, func(m *Server) { m.cmd.Process.Signal(syscall.SIGTERM) }, true},
		{"sigint, no save points", nil, func(m *Server) { m.cmd.Process.Signal(syscall.SIGINT) }, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			m := startServer(t, "--config", bgConf(t, dir, c.save...))
			m.CLI("set", "kept", "yes")
			m.CLI("rpush", "list", "a", "b")
			c.stop(m)
			if err := waitExit(t, m); err != nil {
				t.Fatalf("exit status: %v\n%s", err, m.Log())
			}
			_, err := os.Stat(filepath.Join(dir, "dump.rdb"))
			if (err == nil) != c.saved {
				t.Fatalf("dump.rdb exists: %v, want %v", err == nil, c.saved)
			}
			if !c.saved {
				return
			}
			m2 := startServer(t, "--config", bgConf(t, dir))
			if got := strings.TrimSpace(m2.CLI("get", "kept")); got != "yes" {
				t.Errorf("after restart GET kept = %q", got)
			}
			if got := strings.TrimSpace(m2.CLI("llen", "list")); got != "2" {
				t.Errorf("after restart LLEN list = %q", got)
			}
		})
	}
}

// TestShutdownSaveError: a failing save refuses to shut down unless FORCE.
func TestShutdownSaveError(t *testing.T) {
	dir := t.TempDir()
	m := startServer(t, "--config", bgConf(t, dir))
	m.CLI("set", "k", "v")
	// A non-empty directory where the dump goes: the rename fails, even
	// for root.
	if err := os.MkdirAll(filepath.Join(dir, "dump.rdb", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(m.CLI("shutdown", "save")); got != "ERR Errors trying to SHUTDOWN. Check logs." {
		t.Fatalf("SHUTDOWN SAVE on a read-only dir: %q", got)
	}
	if got := strings.TrimSpace(m.CLI("ping")); got != "PONG" {
		t.Fatalf("server gone after a refused shutdown: %q", got)
	}
	m.CLI("shutdown", "save", "force")
	if err := waitExit(t, m); err != nil {
		t.Fatalf("exit status: %v", err)
	}
}

// TestCrashMidSaveKeepsSnapshot: SIGKILL in the middle of a BGSAVE (at
// different points of its progress, read from INFO persistence) or of a
// SAVE never damages the previous dump.rdb: after each kill the file passes
// redis-check-rdb and the next start loads it whole (the dataset of the
// last save that completed, every key and value), whatever partial
// temporary file the killed save left next to it; and the restarted server
// saves again over such leftovers.
func TestCrashMidSaveKeepsSnapshot(t *testing.T) {
	if _, err := exec.LookPath("redis-check-rdb"); err != nil {
		t.Skip("redis-check-rdb not available")
	}
	dir := t.TempDir()
	conf := bgConf(t, dir, "enable-debug-command yes")
	ctx := context.Background()
	const n = 400000 // strings, plus hashes and sorted sets below
	const others = 2000
	// Each round r writes gen=r, mod:r, deletes key:r and pushes r onto
	// "rounds"; applied lists the rounds the last completed save holds.
	var applied []int
	const rounds = 9
	// check verifies that m holds the dataset of the last completed save:
	// the one holding the rounds in applied, or, when pending is not 0,
	// possibly also round pending (its save ended before the kill took
	// effect). It reports whether round pending was there.
	check := func(m *Server, pending int) bool {
		t.Helper()
		rc := m.Client()
		g, _ := rc.Get(ctx, "gen").Result()
		got := pending != 0 && g == strconv.Itoa(pending)
		want := applied
		if got {
			want = append(slices.Clone(applied), pending)
		}
		wantGen, wantRounds := "0", []string{"0"}
		for _, r := range want {
			wantGen = strconv.Itoa(r)
			wantRounds = append(wantRounds, wantGen)
		}
		if g != wantGen {
			t.Fatalf("gen = %q, want %q (rounds saved: %v)", g, wantGen, want)
		}
		if got, _ := rc.LRange(ctx, "rounds", 0, -1).Result(); strings.Join(got, ",") != strings.Join(wantRounds, ",") {
			t.Fatalf("rounds = %v, want %v", got, wantRounds)
		}
		if size, _ := rc.DBSize(ctx).Result(); size != n+2*others+2 {
			t.Fatalf("DBSIZE = %d, want %d", size, n+2*others+2)
		}
		pipe := rc.Pipeline()
		var gets []*redis.StringCmd
		for j := 0; j < n; j += 97 {
			gets = append(gets, pipe.Get(ctx, fmt.Sprintf("key:%d", j)))
		}
		var mods, dels []*redis.IntCmd
		for r := 1; r <= rounds; r++ {
			mods = append(mods, pipe.Exists(ctx, fmt.Sprintf("mod:%d", r)))
			dels = append(dels, pipe.Exists(ctx, fmt.Sprintf("key:%d", r)))
		}
		hl := pipe.HLen(ctx, fmt.Sprintf("h:%d", others-1))
		zs := pipe.ZScore(ctx, "z:7", "m19")
		pipe.Exec(ctx)
		for i, c := range gets {
			if v := c.Val(); v != fmt.Sprintf("value:%d", i*97) {
				t.Fatalf("key:%d = %q", i*97, v)
			}
		}
		for i := range mods {
			in := int64(0)
			if slices.Contains(want, i+1) {
				in = 1
			}
			if mods[i].Val() != in || dels[i].Val() != 1-in {
				t.Fatalf("round %d saved: %v, but mod:%d exists %d, key:%d exists %d", i+1, in == 1, i+1, mods[i].Val(), i+1, dels[i].Val())
			}
		}
		if hl.Val() != 20 || zs.Val() != 19 {
			t.Fatalf("h:%d has %d fields, z:7 m19 scores %v", others-1, hl.Val(), zs.Val())
		}
		return got
	}
	// The first dataset, saved by SAVE.
	m := startServer(t, "--config", conf)
	rc := m.Client()
	if err := rc.Do(ctx, "debug", "populate", n, "key").Err(); err != nil {
		t.Fatal(err)
	}
	pipe := rc.Pipeline()
	for i := 0; i < others; i++ {
		for f := 0; f < 20; f++ {
			pipe.HSet(ctx, fmt.Sprintf("h:%d", i), fmt.Sprintf("f%d", f), f)
			pipe.ZAdd(ctx, fmt.Sprintf("z:%d", i), redis.Z{Score: float64(f), Member: fmt.Sprintf("m%d", f)})
		}
	}
	pipe.Set(ctx, "gen", "0", 0)
	pipe.RPush(ctx, "rounds", "0")
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if err := rc.Save(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	m.cmd.Process.Kill()
	<-m.done

	dump := filepath.Join(dir, "dump.rdb")
	type point struct {
		save bool    // SAVE, else BGSAVE
		perc float64 // BGSAVE: kill once this share of keys is processed
	}
	points := [rounds]point{{false, 0}, {false, 0.5}, {true, 0}, {true, 0.1}, {true, 0.3}, {true, 0.5}, {true, 0.7}, {true, 0.9}, {false, 0.2}}
	midway, pending, completed := 0, 0, false
	for r, p := range points {
		r++ // rounds are numbered from 1
		m := startServer(t, "--config", conf)
		if check(m, pending) {
			applied = append(applied, pending)
		} else if completed {
			t.Fatalf("round %d: the save replied, but the restart does not find its dataset", pending)
		} else if pending != 0 {
			midway++
		}
		rc := m.Client()
		pid := m.cmd.Process.Pid
		// Garbage where this server's temporary files go: a save must
		// overwrite it, and nothing may load it.
		for _, name := range []string{fmt.Sprintf("temp-%d.rdb", pid), fmt.Sprintf("temp-bg-%d.rdb", pid)} {
			os.WriteFile(filepath.Join(dir, name), []byte("REDIS0010garbage"), 0o644)
		}
		pipe := rc.Pipeline()
		pipe.Set(ctx, "gen", r, 0)
		pipe.Set(ctx, fmt.Sprintf("mod:%d", r), r, 0)
		pipe.Del(ctx, fmt.Sprintf("key:%d", r))
		pipe.RPush(ctx, "rounds", r)
		if _, err := pipe.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		pending, completed = r, false
		if p.save {
			if got := rc.BgSave(ctx).Val(); got != "Background saving started" {
				t.Fatalf("round %d: BGSAVE: %q", r, got)
			}
			for {
				info := rc.Info(ctx, "persistence").Val()
				if infoValue(info, "rdb_bgsave_in_progress") == "0" {
					completed = true // too fast: the save ended
					break
				}
				done, _ := strconv.ParseFloat(infoValue(info, "current_save_keys_processed"), 64)
				total, _ := strconv.ParseFloat(infoValue(info, "current_save_keys_total"), 64)
				if total > 0 && done >= p.perc*total {
					t.Logf("round %d: SIGKILL during BGSAVE at %s%% (%v of %v keys)", r, infoValue(info, "current_fork_perc"), done, total)
					break
				}
			}
		} else {
			// SAVE holds the server: kill once its temporary file grows.
			res := make(chan error, 1)
			sc := redis.NewClient(&redis.Options{Addr: m.Addr, MaxRetries: -1})
			defer sc.Close()
			go func() { res <- sc.Save(ctx).Err() }()
			tmp := filepath.Join(dir, fmt.Sprintf("temp-%d.rdb", pid))
			for {
				if st, err := os.Stat(tmp); err == nil && st.Size() > int64(p.perc*4e6)+100 {
					t.Logf("round %d: SIGKILL during SAVE, its temporary file at %d bytes", r, st.Size())
					break
				}
				select {
				case err := <-res:
					t.Logf("round %d: SAVE ended before the kill: %v", r, err)
					completed = err == nil
				default:
					time.Sleep(time.Millisecond)
					continue
				}
				break
			}
		}
		m.cmd.Process.Kill()
		<-m.done
		if out, err := exec.Command("redis-check-rdb", dump).CombinedOutput(); err != nil {
			t.Fatalf("round %d: redis-check-rdb: %v\n%s", r, err, out)
		}
	}
	// A save may end between the last look at its progress and the kill:
	// then the next start finds the new dataset, which check tells apart.
	// The kills that landed mid-save must be most of them.
	m = startServer(t, "--config", conf)
	if check(m, pending) {
		applied = append(applied, pending)
	} else if completed {
		t.Fatalf("round %d: the save replied, but the restart does not find its dataset", pending)
	} else {
		midway++
	}
	t.Logf("%d of %d kills landed in the middle of a save; saves that completed: %v", midway, len(points), applied)
	if midway < len(points)-2 {
		t.Errorf("only %d of %d kills landed in the middle of a save", midway, len(points))
	}
	// The restarted server saves over the leftovers of killed saves.
	if out := m.CLI("bgsave"); !strings.Contains(out, "started") {
		t.Fatal(out)
	}
	if info := waitBgsave(t, m); !strings.Contains(info, "rdb_last_bgsave_status:ok") {
		t.Fatalf("BGSAVE after the crashes:\n%s", info)
	}
	if out := m.CLI("save"); strings.TrimSpace(out) != "OK" {
		t.Fatalf("SAVE after the crashes: %q", out)
	}
}
