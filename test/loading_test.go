package test

// Loading the dataset while listening: -LOADING for commands without the
// loading flag, INFO answered meanwhile, progress in the log; and the
// automatic AOF rewrite.

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// listeningRe finds the address the server listens on before it loads.
var listeningRe = regexp.MustCompile(`listening.*?addr"?[=:]"?([0-9.:\[\]a-f]+)`)

// launchLoading starts bin/server and returns as soon as it listens, before
// the dataset is loaded.
func launchLoading(t *testing.T, args ...string) *Server {
	t.Helper()
	all := append([]string{"--port", "0", "--bind", "127.0.0.1", "--loglevel", "verbose"}, args...)
	cmd := exec.Command(filepath.Join(outDir, "server"), all...)
	cmd.Dir = t.TempDir()
	s := &Server{t: t, cmd: cmd, log: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout = s.log
	cmd.Stderr = s.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.err = cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-s.done
		if t.Failed() {
			t.Logf("server log:\n%s", s.log.String())
		}
	})
	deadline := time.After(15 * time.Second)
	for {
		if m := listeningRe.FindStringSubmatch(s.log.String()); m != nil {
			s.Addr = m[1]
			_, p, _ := net.SplitHostPort(s.Addr)
			s.Port, _ = strconv.Atoi(p)
			return s
		}
		select {
		case <-s.done:
			t.Fatalf("server exited (%v) before listening:\n%s", s.err, s.log.String())
		case <-deadline:
			t.Fatalf("server not listening after 15s:\n%s", s.log.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func writeConf(t *testing.T, conf string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "modis.conf")
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadingWhileListening(t *testing.T) {
	const keys = 1000000
	dir := t.TempDir()
	conf := writeConf(t, fmt.Sprintf("dir %s\nsave \"\"\n", dir))
	m := startServer(t, "--config", conf)
	if got := m.Raw("DEBUG", "POPULATE", strconv.Itoa(keys), "key", "64"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	m.Raw("SET", "gone", "x", "PX", "300")
	if got := m.Raw("SAVE"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	m.cmd.Process.Kill()
	<-m.done
	time.Sleep(400 * time.Millisecond) // "gone" expires

	s := launchLoading(t, "--config", conf)
	c := s.Dial()
	info := s.Dial()
	sawLoading, sawInfo, sawPing := false, false, false
	began := time.Now()
	for deadline := time.Now().Add(60 * time.Second); ; {
		got := c.Do("GET", "key:1")
		if got == "-LOADING Redis is loading the dataset in memory\r\n" {
			sawLoading = true
			switch p := c.Do("PING"); p {
			case got:
				sawPing = true
			case "+PONG\r\n": // the load just ended
			default:
				t.Fatalf("PING while loading: %q", p)
			}
			inf := info.Do("INFO", "persistence")
			if strings.Contains(inf, "loading:1\r\n") {
				for _, f := range []string{"async_loading:0", "loading_start_time:", "loading_total_bytes:",
					"loading_rdb_used_mem:", "loading_loaded_bytes:", "loading_loaded_perc:", "loading_eta_seconds:"} {
					if !strings.Contains(inf, f) {
						t.Fatalf("INFO while loading lacks %s:\n%s", f, inf)
					}
				}
				sawInfo = true
			}
			if time.Now().After(deadline) {
				t.Fatal("still loading after 60s")
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		if !strings.HasPrefix(got, "$64\r\nvalue:1") {
			t.Fatalf("GET after load: %q", got)
		}
		break
	}
	took := time.Since(began)
	if !sawLoading || !sawInfo || !sawPing {
		t.Fatalf("never saw the server loading (LOADING %v, INFO loading:1 %v, PING %v)", sawLoading, sawInfo, sawPing)
	}
	if took > 1500*time.Millisecond && !s.waitLog("loading the dataset: keys=") {
		t.Fatalf("a %v load logged no progress", took)
	}
	if !s.waitLog("ready to accept connections", "DB loaded from disk") {
		t.Fatalf("no ready/loaded line")
	}
	if got := c.Do("DBSIZE"); got != fmt.Sprintf(":%d\r\n", keys) {
		t.Fatalf("DBSIZE %q", got)
	}
	inf := c.Do("INFO", "persistence")
	for _, f := range []string{"loading:0\r\n", fmt.Sprintf("rdb_last_load_keys_loaded:%d\r\n", keys), "rdb_last_load_keys_expired:1\r\n"} {
		if !strings.Contains(inf, f) {
			t.Fatalf("INFO after load lacks %q:\n%s", f, inf)
		}
	}
	if strings.Contains(inf, "loading_total_bytes") {
		t.Fatalf("loading_* fields after the load:\n%s", inf)
	}

	// SHUTDOWN SAVE during the load does not save the half-loaded
	// dataset, and the process exits 0.
	s.cmd.Process.Kill()
	<-s.done
	before, err := os.Stat(filepath.Join(dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	s2 := launchLoading(t, "--config", conf)
	c2 := s2.Dial()
	if got := c2.Do("GET", "key:1"); got != "-LOADING Redis is loading the dataset in memory\r\n" {
		t.Skipf("the load ended before SHUTDOWN could be tested (%q)", got)
	}
	exec.Command("redis-cli", "-p", strconv.Itoa(s2.Port), "shutdown", "save").Run()
	select {
	case <-s2.done:
	case <-time.After(30 * time.Second):
		t.Fatal("no exit after SHUTDOWN during the load")
	}
	if s2.err != nil {
		t.Fatalf("exit after SHUTDOWN during the load: %v", s2.err)
	}
	after, err := os.Stat(filepath.Join(dir, "dump.rdb"))
	if err != nil || after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
		t.Fatalf("dump.rdb changed by SHUTDOWN during the load: %v %v", before, after)
	}
}

func infoValue(info, name string) string {
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return v
		}
	}
	return ""
}

// TestAOFAutoRewrite: with auto-aof-rewrite-min-size 1mb, writes that grow
// the AOF past it trigger a rewrite from the cron; the data survives a
// restart.
func TestAOFAutoRewrite(t *testing.T) {
	dir := t.TempDir()
	conf := writeConf(t, fmt.Sprintf("dir %s\nsave \"\"\nappendonly yes\nappendfsync everysec\nauto-aof-rewrite-min-size 1mb\nauto-aof-rewrite-percentage 100\n", dir))
	m := startServer(t, "--config", conf)
	c := m.Dial()
	if got := infoValue(c.Do("INFO", "persistence"), "aof_rewrites"); got != "0" {
		t.Fatalf("aof_rewrites %q at start", got)
	}
	val := strings.Repeat("v", 1000)
	for i := 0; i < 3000; i++ {
		if got := c.Do("SET", fmt.Sprintf("k%d", i%200), fmt.Sprintf("%d:%s", i, val)); got != "+OK\r\n" {
			t.Fatal(got)
		}
	}
	var info string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		info = c.Do("INFO", "persistence")
		if infoValue(info, "aof_rewrites") != "0" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no automatic rewrite:\n%s", info)
		}
	}
	for name, want := range map[string]string{"aof_last_bgrewrite_status": "ok", "aof_rewrite_in_progress": "0",
		"aof_rewrites_consecutive_failures": "0", "aof_last_write_status": "ok"} {
		if got := infoValue(info, name); got != want {
			t.Fatalf("%s = %q, want %q", name, got, want)
		}
	}
	cur, _ := strconv.Atoi(infoValue(info, "aof_current_size"))
	base, _ := strconv.Atoi(infoValue(info, "aof_base_size"))
	if base <= 0 || base > 1<<20 || cur < base {
		t.Fatalf("aof_current_size %d aof_base_size %d after the rewrite", cur, base)
	}
	c.Do("SET", "after", "rewrite")
	want := map[string]string{}
	for i := 0; i < 200; i++ {
		want[fmt.Sprintf("k%d", i)] = c.Do("GET", fmt.Sprintf("k%d", i))
	}
	exec.Command("redis-cli", "-p", strconv.Itoa(m.Port), "shutdown", "nosave").Run() // the AOF is closed (fsynced)
	<-m.done

	r := startServer(t, "--config", conf)
	rc := r.Dial()
	for k, v := range want {
		if got := rc.Do("GET", k); got != v {
			t.Fatalf("GET %s after restart: %q, want %q", k, got, v)
		}
	}
	if got := rc.Do("GET", "after"); got != "$7\r\nrewrite\r\n" {
		t.Fatalf("GET after: %q", got)
	}
	if got := rc.Do("DBSIZE"); got != ":201\r\n" {
		t.Fatalf("DBSIZE %q", got)
	}
	info = rc.Do("INFO", "persistence")
	if cur, base := infoValue(info, "aof_current_size"), infoValue(info, "aof_base_size"); cur != base || cur == "0" {
		t.Fatalf("after load aof_current_size %s aof_base_size %s", cur, base)
	}
}
