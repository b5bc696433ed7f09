package test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
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
