package host

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"modis/host/internal/keyspace"
	"modis/host/internal/rdb"
)

// aofLoadInto loads the AOF in dir into a fresh server and returns its
// client.
func aofLoadInto(t *testing.T, dir string) (*Server, *Client) {
	t.Helper()
	s2, c2 := newTestServer(t)
	s2.cfg.Dir = dir
	s2.cfg.setExtra("appendonly", "yes")
	s2.mu.Lock()
	s2.now = clockOf(s2)
	err := s2.loadData()
	s2.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s2.mu.Lock(); s2.aofStop(); s2.mu.Unlock() })
	return s2, c2
}

// aofDirFiles lists the AOF directory.
func aofDirFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// TestAOFRewriteConsistency rewrites a big keyspace in the background
// while, from the rewriter's hook between chunks, another client changes,
// deletes, renames, expires and adds keys (and once flushes everything).
// The new base plus the incremental file opened at the start must load
// into exactly the dataset as it is at the end, in both base formats.
func TestAOFRewriteConsistency(t *testing.T) {
	for _, tc := range []struct {
		preamble string
		flush    bool
	}{{"yes", false}, {"no", false}, {"yes", true}} {
		t.Run(fmt.Sprintf("preamble=%s,flush=%v", tc.preamble, tc.flush), func(t *testing.T) {
			dir := t.TempDir()
			s, c := aofTestServer(t, dir)
			do(t, c, "config", "set", "aof-use-rdb-preamble", tc.preamble)
			const n = 20000
			for i := 0; i < n; i++ {
				k := fmt.Sprint("k", i)
				switch i % 6 {
				case 0:
					do(t, c, "set", k, fmt.Sprint("v", i))
				case 1:
					do(t, c, "hset", k, "a", "1", "b", strings.Repeat("x", i%100))
				case 2:
					do(t, c, "rpush", k, "a", "b", fmt.Sprint(i))
				case 3:
					do(t, c, "sadd", k, "1", "2", fmt.Sprint(i))
				case 4:
					do(t, c, "zadd", k, "1.5", "a", fmt.Sprint(i), "b", "-inf", "c")
				case 5:
					do(t, c, "set", k, fmt.Sprint(i), "px", fmt.Sprint(100000+i))
				}
			}
			// Big values: more than one command each in the commands form.
			for i := 0; i < 200; i++ {
				m := fmt.Sprint(i)
				do(t, c, "rpush", "biglist", m)
				do(t, c, "sadd", "bigset", "m"+m)
				do(t, c, "zadd", "bigz", m+".25", "m"+m)
				do(t, c, "hset", "bighash", "f"+m, m)
			}
			do(t, c, "select", "3")
			do(t, c, "set", "in3", "x")
			do(t, c, "select", "0")
			do(t, c, "function", "load", "#!lua name=keep\nredis.register_function('kept', function() return 'still here' end)")

			hook, steps := snapshotChurn(t, s, n, true, tc.flush)
			s.bg.hook = hook
			if got := do(t, c, "bgrewriteaof"); got != "+Background append only file rewriting started\r\n" {
				t.Fatalf("BGREWRITEAOF: %q", got)
			}
			if got := do(t, c, "bgrewriteaof"); got != "-ERR Background append only file rewriting already in progress\r\n" {
				t.Errorf("second BGREWRITEAOF: %q", got)
			}
			if got := do(t, c, "bgsave"); got != "-"+errBgsaveChild.Error()+"\r\n" {
				t.Errorf("BGSAVE during the rewrite: %q", got)
			}
			info := do(t, c, "info", "persistence")
			for _, f := range []string{"aof_rewrite_in_progress:1", "aof_current_rewrite_time_sec:0", "aof_rewrites:2"} {
				if !strings.Contains(info, f+"\r\n") {
					t.Errorf("INFO during the rewrite lacks %s:\n%s", f, info)
				}
			}
			waitRewrite(t, s)
			s.bg.hook = nil
			if steps() < 10 {
				t.Fatalf("the hook ran %d times: the rewrite was not interleaved", steps())
			}
			info = do(t, c, "info", "persistence")
			for _, f := range []string{"aof_rewrite_in_progress:0", "aof_last_bgrewrite_status:ok", "aof_current_rewrite_time_sec:-1", "aof_last_rewrite_time_sec:0"} {
				if !strings.Contains(info, f+"\r\n") {
					t.Errorf("INFO after the rewrite lacks %s:\n%s", f, info)
				}
			}
			if strings.Contains(info, "aof_last_cow_size:0\r\n") {
				t.Errorf("writes during the rewrite not accounted:\n%s", info)
			}
			do(t, c, "set", "after", "rewrite")
			want := renderKeyspace(t, c)
			wantFn := do(t, c, "fcall", "kept", "0")

			adir := filepath.Join(dir, "appendonlydir")
			ext := map[string]string{"yes": "rdb", "no": "aof"}[tc.preamble]
			man, _ := os.ReadFile(filepath.Join(adir, "appendonly.aof.manifest"))
			if want := "file appendonly.aof.2.base." + ext + " seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"; string(man) != want {
				t.Errorf("manifest: %q, want %q", man, want)
			}
			if got := strings.Join(aofDirFiles(t, adir), " "); got != "appendonly.aof.2.base."+ext+" appendonly.aof.2.incr.aof appendonly.aof.manifest" {
				t.Errorf("AOF directory: %s", got)
			}
			head, _ := fileHead(filepath.Join(adir, "appendonly.aof.2.base."+ext), 5)
			if (string(head) == "REDIS") != (tc.preamble == "yes") {
				t.Errorf("base starts with %q", head)
			}
			s.mu.Lock()
			s.aofStop()
			s.mu.Unlock()

			_, c2 := aofLoadInto(t, dir)
			got := renderKeyspace(t, c2)
			if len(got) != len(want) {
				t.Errorf("loaded %d keys, want %d", len(got), len(want))
			}
			bad := 0
			for k, v := range want {
				if got[k] != v && bad < 10 {
					bad++
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
			if got := do(t, c2, "fcall", "kept", "0"); got != wantFn {
				t.Errorf("FCALL kept after loading: %q, want %q", got, wantFn)
			}
		})
	}
}

// TestAOFRewriteScheduling: BGREWRITEAOF during a BGSAVE (or in a
// transaction) is scheduled and started by the cron once nothing runs;
// BGSAVE SCHEDULE during a rewrite likewise.
func TestAOFRewriteScheduling(t *testing.T) {
	dir := t.TempDir()
	s, c := aofTestServer(t, dir)
	for i := 0; i < 5000; i++ {
		do(t, c, "set", fmt.Sprint("k", i), "v")
	}
	release := make(chan struct{})
	var once sync.Once
	s.bg.hook = func() { once.Do(func() { <-release }) }
	if got := do(t, c, "bgsave"); got != "+Background saving started\r\n" {
		t.Fatalf("BGSAVE: %q", got)
	}
	if got := do(t, c, "bgrewriteaof"); got != "+Background append only file rewriting scheduled\r\n" {
		t.Fatalf("BGREWRITEAOF during BGSAVE: %q", got)
	}
	info := do(t, c, "info", "persistence")
	for _, f := range []string{"aof_rewrite_scheduled:1", "aof_pending_rewrite:1", "aof_rewrite_in_progress:0", "rdb_bgsave_in_progress:1"} {
		if !strings.Contains(info, f+"\r\n") {
			t.Errorf("INFO lacks %s:\n%s", f, info)
		}
	}
	s.mu.Lock()
	s.saveCron(s.started)
	s.aofAutoRewrite(s.started)
	if s.aofStat.rw != nil {
		t.Error("the rewrite started while BGSAVE runs")
	}
	b := s.bg.running
	s.mu.Unlock()
	close(release)
	<-b.done

	once = sync.Once{}
	release = make(chan struct{})
	s.mu.Lock()
	s.saveCron(s.started) // the scheduled rewrite goes first
	if s.bg.running != nil {
		t.Error("a save started instead of the scheduled rewrite")
	}
	s.aofAutoRewrite(s.started)
	j := s.aofStat.rw
	s.mu.Unlock()
	if j == nil {
		t.Fatal("the scheduled rewrite did not start")
	}
	if got := do(t, c, "bgsave"); got != "-"+errBgsaveChild.Error()+"\r\n" {
		t.Errorf("BGSAVE during the rewrite: %q", got)
	}
	if got := do(t, c, "bgsave", "schedule"); got != "+Background saving scheduled\r\n" {
		t.Errorf("BGSAVE SCHEDULE during the rewrite: %q", got)
	}
	close(release)
	<-j.done
	s.mu.Lock()
	s.saveCron(s.started)
	b = s.bg.running
	s.mu.Unlock()
	if b == nil {
		t.Fatal("the scheduled save did not start after the rewrite")
	}
	<-b.done
	s.bg.hook = nil

	// In a transaction: scheduled.
	do(t, c, "multi")
	do(t, c, "bgrewriteaof")
	if got := do(t, c, "exec"); got != "*1\r\n+Background append only file rewriting scheduled\r\n" {
		t.Errorf("EXEC: %q", got)
	}
	s.mu.Lock()
	s.aofAutoRewrite(s.started)
	j = s.aofStat.rw
	s.mu.Unlock()
	if j == nil {
		t.Fatal("the rewrite scheduled in a transaction did not start")
	}
	<-j.done
	if got := do(t, c, "info", "persistence"); !strings.Contains(got, "aof_rewrites:3\r\n") || !strings.Contains(got, "aof_rewrite_scheduled:0\r\n") {
		t.Errorf("INFO: %s", got)
	}
}

// TestAOFAutoRewrite: the cron starts a background rewrite once the AOF
// grew past auto-aof-rewrite-min-size by auto-aof-rewrite-percentage.
func TestAOFAutoRewrite(t *testing.T) {
	s, c := aofTestServer(t, t.TempDir())
	do(t, c, "config", "set", "auto-aof-rewrite-min-size", "10000")
	do(t, c, "config", "set", "auto-aof-rewrite-percentage", "100")
	for i := 0; i < 1000; i++ {
		do(t, c, "set", fmt.Sprint("k", i%10), strings.Repeat("v", 20))
	}
	aofFlush(t, s)
	s.mu.Lock()
	before := s.aof.currentSize()
	s.aofAutoRewrite(s.started)
	j := s.aofStat.rw
	s.mu.Unlock()
	if j == nil {
		t.Fatalf("no automatic rewrite at size %d", before)
	}
	<-j.done
	s.mu.Lock()
	defer s.mu.Unlock()
	if after := s.aof.currentSize(); after >= before || s.aof.baseSize != after {
		t.Errorf("size %d before, %d after (base %d)", before, after, s.aof.baseSize)
	}
}

// TestAOFTurnOnInBackground: CONFIG SET appendonly yes rewrites in the
// background; writes made meanwhile go to the temporary incremental file,
// which becomes the first incremental file of the new AOF.
func TestAOFTurnOnInBackground(t *testing.T) {
	s, c := newTestServer(t)
	dir := t.TempDir()
	s.cfg.Dir = dir
	for i := 0; i < 3000; i++ {
		do(t, c, "set", fmt.Sprint("k", i), fmt.Sprint(i))
	}
	w := newClient(s, nil, 2)
	step := 0
	s.bg.hook = func() {
		step++
		do(t, w, "incr", "during")
		do(t, w, "del", fmt.Sprint("k", step))
	}
	if got := do(t, c, "config", "set", "appendonly", "yes"); got != "+OK\r\n" {
		t.Fatalf("CONFIG SET appendonly yes: %q", got)
	}
	s.mu.Lock()
	waiting := s.aof != nil && s.aof.waiting
	s.mu.Unlock()
	if !waiting {
		t.Fatal("the AOF is not waiting for its rewrite")
	}
	if got := do(t, c, "info", "persistence"); !strings.Contains(got, "aof_enabled:1\r\n") || !strings.Contains(got, "aof_rewrite_in_progress:1\r\n") {
		t.Errorf("INFO while turning on: %s", got)
	}
	adir := filepath.Join(dir, "appendonlydir")
	if _, err := os.Stat(filepath.Join(adir, "temp-appendonly.aof.incr")); err != nil {
		t.Errorf("no temporary incr file: %v", err)
	}
	waitRewrite(t, s)
	s.bg.hook = nil
	if step < 5 {
		t.Fatalf("the hook ran %d times", step)
	}
	do(t, c, "set", "after", "1")
	want := renderKeyspace(t, c)
	s.mu.Lock()
	s.aofStop()
	s.mu.Unlock()
	if got := strings.Join(aofDirFiles(t, adir), " "); got != "appendonly.aof.1.base.rdb appendonly.aof.1.incr.aof appendonly.aof.manifest" {
		t.Errorf("AOF directory: %s", got)
	}
	_, c2 := aofLoadInto(t, dir)
	got := renderKeyspace(t, c2)
	if len(got) != len(want) || got["0:during"] != want["0:during"] || got["0:after"] != want["0:after"] {
		t.Errorf("loaded %d keys (want %d), during=%q want %q", len(got), len(want), got["0:during"], want["0:during"])
	}
}

// TestAOFRewriteKilled: CONFIG SET appendonly no kills a running rewrite;
// its temporary file goes, the files the manifest lists stay loadable.
func TestAOFRewriteKilled(t *testing.T) {
	dir := t.TempDir()
	s, c := aofTestServer(t, dir)
	for i := 0; i < 3000; i++ {
		do(t, c, "set", fmt.Sprint("k", i), fmt.Sprint(i))
	}
	release := make(chan struct{})
	var once sync.Once
	s.bg.hook = func() { once.Do(func() { <-release }) }
	do(t, c, "bgrewriteaof")
	s.mu.Lock()
	j := s.aofStat.rw
	s.mu.Unlock()
	do(t, c, "set", "during", "1")
	aofFlush(t, s)
	if got := do(t, c, "config", "set", "appendonly", "no"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	close(release)
	<-j.done
	adir := filepath.Join(dir, "appendonlydir")
	for _, f := range aofDirFiles(t, adir) {
		if strings.HasPrefix(f, "temp-") {
			t.Errorf("%s left behind", f)
		}
	}
	if got := do(t, c, "info", "persistence"); !strings.Contains(got, "aof_rewrite_in_progress:0\r\n") || !strings.Contains(got, "aof_last_bgrewrite_status:ok\r\n") {
		t.Errorf("INFO: %s", got)
	}
	_, c2 := aofLoadInto(t, dir)
	if got := do(t, c2, "dbsize"); got != ":3001\r\n" {
		t.Errorf("DBSIZE after loading: %q", got)
	}
}

// rewriteModValue is a module value that rewrites itself as commands.
type rewriteModValue struct{ n int }

func (v *rewriteModValue) RewriteAOF(key []byte, emit func(argv [][]byte)) error {
	emit([][]byte{[]byte("SET"), key, []byte(fmt.Sprint("from-module-", v.n))})
	return nil
}

// TestAOFRewriteModuleValues: in the commands form a module value is
// written by its RewriteAOF, or as a RESTORE of its DUMP payload when it
// has none; with the RDB preamble it goes through the type's Save.
func TestAOFRewriteModuleValues(t *testing.T) {
	if err := rdb.Modules.Register(counterType{}); err != nil {
		t.Fatal(err)
	}
	defer rdb.Modules.Unregister("modistest")
	for _, preamble := range []string{"no", "yes"} {
		dir := t.TempDir()
		s, c := aofTestServer(t, dir)
		do(t, c, "config", "set", "aof-use-rdb-preamble", preamble)
		s.mu.Lock()
		s.dbs[0].Set([]byte("rw"), &keyspace.Entry{Kind: keyspace.KindModule, Obj: &rewriteModValue{7}})
		s.dbs[0].Set([]byte("ctr"), &keyspace.Entry{Kind: keyspace.KindModule, Obj: &counterValue{"hits", 42}, Expire: clockOf(s) + 100000})
		s.mu.Unlock()
		do(t, c, "bgrewriteaof")
		waitRewrite(t, s)
		if got := do(t, c, "info", "persistence"); !strings.Contains(got, "aof_last_bgrewrite_status:ok\r\n") {
			t.Fatalf("preamble %s: the rewrite failed:\n%s", preamble, got)
		}
		s.mu.Lock()
		s.aofStop()
		s.mu.Unlock()
		_, c2 := aofLoadInto(t, dir)
		if preamble == "no" {
			if got := do(t, c2, "get", "rw"); got != bulk("from-module-7") {
				t.Errorf("rw: %q", got)
			}
		}
		if got := do(t, c2, "type", "ctr"); got != "+modistest\r\n" { // the type's name, as Redis
			t.Errorf("preamble %s: TYPE ctr: %q", preamble, got)
		}
		if got := do(t, c2, "pttl", "ctr"); got != ":100000\r\n" {
			t.Errorf("preamble %s: PTTL ctr: %q", preamble, got)
		}
	}
}
