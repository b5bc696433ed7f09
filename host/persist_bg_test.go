package host

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
)

// renderKeyspace renders every key of db 0 and 3 with its value and TTL.
func renderKeyspace(t *testing.T, c *Client) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, db := range []string{"0", "3"} {
		do(t, c, "select", db)
		keys := strings.Split(do(t, c, "keys", "*"), "\r\n")
		for i := 2; i < len(keys); i += 2 {
			k := keys[i]
			typ := do(t, c, "type", k)
			var v string
			switch typ {
			case "+string\r\n":
				v = do(t, c, "get", k)
			case "+list\r\n":
				v = do(t, c, "lrange", k, "0", "-1")
			case "+set\r\n":
				f := strings.Split(do(t, c, "smembers", k), "\r\n")
				sort.Strings(f)
				v = strings.Join(f, ",")
			case "+zset\r\n":
				v = do(t, c, "zrange", k, "0", "-1", "withscores")
			case "+hash\r\n":
				f := strings.Split(do(t, c, "hgetall", k), "\r\n")
				sort.Strings(f)
				v = strings.Join(f, ",")
			}
			m[db+":"+k] = typ + v + do(t, c, "pttl", k)
		}
	}
	do(t, c, "select", "0")
	return m
}

// TestBgsaveSnapshotConsistency starts a BGSAVE on a big keyspace and, from
// the saver's test hook between chunks, changes, deletes, renames, expires
// and adds keys; the file must hold the dataset as it was at the start.
func TestBgsaveSnapshotConsistency(t *testing.T) {
	for _, flush := range []bool{false, true} {
		s, c := newTestServer(t)
		dir := t.TempDir()
		s.cfg.Dir = dir
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
				do(t, c, "zadd", k, "1", "a", fmt.Sprint(i), "b")
			case 5:
				do(t, c, "set", k, fmt.Sprint(i), "px", fmt.Sprint(100000+i))
			}
		}
		do(t, c, "select", "3")
		do(t, c, "set", "in3", "x")
		do(t, c, "select", "0")
		want := renderKeyspace(t, c)

		hook, steps := snapshotChurn(t, s, n, false, flush)
		s.bg.hook = hook
		if got := do(t, c, "bgsave"); got != "+Background saving started\r\n" {
			t.Fatalf("BGSAVE: %q", got)
		}
		if got := do(t, c, "bgsave"); got != "-ERR Background save already in progress\r\n" {
			t.Errorf("second BGSAVE: %q", got)
		}
		if got := do(t, c, "save"); got != "-ERR Background save already in progress\r\n" {
			t.Errorf("SAVE during BGSAVE: %q", got)
		}
		if got := do(t, c, "info", "persistence"); !strings.Contains(got, "rdb_bgsave_in_progress:1") {
			t.Errorf("INFO during BGSAVE:\n%s", got)
		}
		s.mu.Lock()
		b := s.bg.running
		s.mu.Unlock()
		<-b.done
		info := do(t, c, "info", "persistence")
		for _, f := range []string{"rdb_bgsave_in_progress:0", "rdb_last_bgsave_status:ok", "rdb_saves:1"} {
			if !strings.Contains(info, f) {
				t.Errorf("INFO after BGSAVE lacks %s:\n%s", f, info)
			}
		}
		if strings.Contains(info, "rdb_last_cow_size:0\r\n") || strings.Contains(info, "rdb_changes_since_last_save:0\r\n") {
			t.Errorf("writes during the save not accounted:\n%s", info)
		}
		if steps() < 10 {
			t.Fatalf("the hook ran %d times: the save was not interleaved", steps())
		}

		s2, c2 := newTestServer(t)
		s2.cfg.Dir = dir
		s2.mu.Lock()
		s2.now = clockOf(s2) // keys expire by the test clock
		err := s2.loadRDB()
		s2.mu.Unlock()
		if err != nil {
			t.Fatal(err)
		}
		got := renderKeyspace(t, c2)
		if len(got) != len(want) {
			t.Errorf("flush=%v: loaded %d keys, want %d", flush, len(got), len(want))
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("flush=%v: %s = %q, want %q", flush, k, got[k], v)
			}
		}
	}
}

// TestBgsaveInMulti: BGSAVE inside a transaction is scheduled for the cron.
func TestBgsaveInMulti(t *testing.T) {
	s, c := newTestServer(t)
	s.cfg.Dir = t.TempDir()
	do(t, c, "multi")
	do(t, c, "bgsave")
	if got := do(t, c, "exec"); got != "*1\r\n+Background saving scheduled\r\n" {
		t.Fatalf("EXEC: %q", got)
	}
	s.mu.Lock()
	s.saveCron(s.started)
	b := s.bg.running
	s.mu.Unlock()
	if b == nil {
		t.Fatal("the scheduled save did not start")
	}
	<-b.done
}

// TestShutdownParsing: SHUTDOWN's option errors, as Redis 7.0 answers.
func TestShutdownParsing(t *testing.T) {
	runScripts(t, []script{{name: "shutdown", steps: []step{
		{"SHUTDOWN ABORT", errr("ERR No shutdown in progress.")},
		{"SHUTDOWN foo", errr("ERR syntax error")},
		{"SHUTDOWN SAVE NOSAVE", errr("ERR syntax error")},
		{"SHUTDOWN ABORT NOW", errr("ERR syntax error")},
		{"SHUTDOWN NOW ABORT", errr("ERR syntax error")},
		{"BGSAVE foo", errr("ERR syntax error")},
		{"BGSAVE SCHEDULE x", errr("ERR syntax error")},
	}}})
}

// snapshotChurn returns a saver hook (Server.bg.hook) that, each time the
// saver calls it, makes 30 writes of every kind a snapshot must see
// through: changes, deletions, type-specific writes, expiries, renames, new
// keys, appends, and with otherDB writes in database 3; with flush, a
// FLUSHALL on the 20th call. Keys are k0..k<n+99>. steps tells how many
// times the hook ran.
func snapshotChurn(t *testing.T, s *Server, n int, otherDB, flush bool) (hook func(), steps func() int) {
	w := newClient(s, nil, 2)
	var mu sync.Mutex
	step := 0
	kinds := 9
	if otherDB {
		kinds = 10
	}
	steps = func() int {
		mu.Lock()
		defer mu.Unlock()
		return step
	}
	return func() {
		mu.Lock()
		defer mu.Unlock()
		step++
		for j := 0; j < 30; j++ {
			i := (step*31 + j*677) % (n + 100)
			k := fmt.Sprint("k", i)
			switch j % kinds {
			case 0:
				do(t, w, "set", k, "changed")
			case 1:
				do(t, w, "del", k)
			case 2:
				do(t, w, "hset", k, "zz", "new")
			case 3:
				do(t, w, "rpush", k, "more")
			case 4:
				do(t, w, "sadd", k, "more")
			case 5:
				do(t, w, "expire", k, "5")
			case 6:
				do(t, w, "rename", k, fmt.Sprint("renamed", step, j))
			case 7:
				do(t, w, "set", fmt.Sprint("new", step, j), "x")
			case 8:
				do(t, w, "append", k, "tail")
			case 9:
				do(t, w, "select", "3")
				do(t, w, "incr", "in3counter")
				do(t, w, "select", "0")
			}
		}
		if flush && step == 20 {
			do(t, w, "flushall")
		}
	}, steps
}
