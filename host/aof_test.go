package host

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// aofTestServer is a test server with the AOF turned on in a temporary
// directory.
func aofTestServer(t *testing.T, dir string) (*Server, *Client) {
	t.Helper()
	s, c := newTestServer(t)
	s.cfg.Dir = dir
	if got := do(t, c, "CONFIG", "SET", "appendonly", "yes"); got != "+OK\r\n" {
		t.Fatalf("CONFIG SET appendonly yes: %q", got)
	}
	if s.aof == nil {
		t.Fatal("the AOF is not on")
	}
	waitRewrite(t, s)
	if s.aof == nil || s.aof.waiting {
		t.Fatal("the AOF is not on after its first rewrite")
	}
	t.Cleanup(func() {
		s.mu.Lock()
		s.aofStop()
		s.mu.Unlock()
	})
	return s, c
}

// waitRewrite waits for the running AOF rewrite, if any, to end.
func waitRewrite(t *testing.T, s *Server) {
	t.Helper()
	s.mu.Lock()
	j := s.aofStat.rw
	s.mu.Unlock()
	if j != nil {
		<-j.done
	}
}

// aofFlush writes what is pending and returns the commands of the current
// incremental file, one line each, arguments joined by spaces.
func aofFlush(t *testing.T, s *Server) []string {
	t.Helper()
	s.mu.Lock()
	w, target, _ := s.aofQueue()
	a := s.aof
	s.mu.Unlock()
	if err := w.flush(target, true); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(s.aofDir(), a.man.incrs[len(a.man.incrs)-1].name))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	var args [][]byte
	for off := 0; off < len(data); {
		var n int
		args, n, err = parseAOFCommand(data[off:], args)
		if err != nil {
			t.Fatalf("parsing the AOF at %d: %v", off, err)
		}
		parts := make([]string, len(args))
		for i, a := range args {
			parts[i] = string(a)
		}
		lines = append(lines, strings.Join(parts, " "))
		off += n
	}
	return lines
}

func TestAOFPropagation(t *testing.T) {
	dir := t.TempDir()
	s, c := aofTestServer(t, dir)
	now := clockOf(s)
	at := func(ms int64) string { return strconv.FormatInt(now+ms, 10) }
	for _, line := range []string{
		"SET k v EX 100",
		"GET k",
		"SET k2 v2",
		"SET k2 v3 NX", // no change: not propagated
		"EXPIRE k2 50",
		"SETEX k3 10 x",
		"PSETEX k4 500 y",
		"INCRBYFLOAT f 1.5",
		"HINCRBYFLOAT h fld 2.5",
		"GETEX k2 PERSIST",
		"MULTI", "INCR n", "LPUSH l a b", "EXEC",
		"MULTI", "INCR n", "EXEC",
		"EVAL \"redis.call('set','e1','1'); redis.call('incr','e1')\" 0",
		"SADD s 1",
		"SPOP s",
		"SRANDMEMBER s",
		"RPUSH bl x",
		"BLPOP nope bl 0",
		"SELECT 2",
		"SET other 1",
		"EXPIRE other -1",
	} {
		doLine(t, c, line)
	}
	got := aofFlush(t, s)
	want := []string{
		"SELECT 0",
		"SET k v PXAT " + at(100000),
		"SET k2 v2",
		"PEXPIREAT k2 " + at(50000),
		"SET k3 x PXAT " + at(10000),
		"SET k4 y PXAT " + at(500),
		"SET f 1.5 KEEPTTL",
		"HSET h fld 2.5",
		"PERSIST k2",
		"MULTI", "INCR n", "LPUSH l a b", "EXEC",
		"INCR n",
		"MULTI", "SET e1 1", "incr e1", "EXEC",
		"SADD s 1",
		"SREM s 1",
		"RPUSH bl x",
		"LMPOP 2 nope bl LEFT",
		"SELECT 2",
		"SET other 1",
		"DEL other",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("AOF:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The directory holds Redis 7.0's layout.
	man, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"))
	if err != nil {
		t.Fatal(err)
	}
	if string(man) != "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n" {
		t.Errorf("manifest: %q", man)
	}

	// Loading it back gives the same data.
	s2, c2 := newTestServer(t)
	s2.cfg.Dir = dir
	s2.cfg.setExtra("appendonly", "yes")
	s2.mu.Lock()
	s2.now = clockOf(s2)
	err = s2.loadData()
	s2.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s2.mu.Lock(); s2.aofStop(); s2.mu.Unlock() }()
	for _, tc := range []struct{ cmd, want string }{
		{"GET k", bulk("v")},
		{"PTTL k", ints(100000)},
		{"TTL k2", ints(-1)},
		{"GET f", bulk("1.5")},
		{"HGET h fld", bulk("2.5")},
		{"GET n", bulk("2")},
		{"LRANGE l 0 -1", bulks("b", "a")},
		{"GET e1", bulk("2")},
		{"EXISTS s bl", ints(0)},
		{"DBSIZE", ints(9)},
		{"SELECT 2", "+OK\r\n"},
		{"DBSIZE", ints(0)},
	} {
		if got := doLine(t, c2, tc.cmd); got != tc.want {
			t.Errorf("after loading, %s: got %q, want %q", tc.cmd, got, tc.want)
		}
	}
}

func TestAOFRewriteAndTruncated(t *testing.T) {
	dir := t.TempDir()
	s, c := aofTestServer(t, dir)
	doLine(t, c, "SET a 1")
	doLine(t, c, "RPUSH l x y")
	if got := doLine(t, c, "BGREWRITEAOF"); got != "+Background append only file rewriting started\r\n" {
		t.Fatalf("BGREWRITEAOF: %q", got)
	}
	doLine(t, c, "INCR a")
	waitRewrite(t, s)
	aofFlush(t, s)
	adir := filepath.Join(dir, "appendonlydir")
	man, _ := os.ReadFile(filepath.Join(adir, "appendonly.aof.manifest"))
	if string(man) != "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n" {
		t.Errorf("manifest after rewrite: %q", man)
	}
	for _, gone := range []string{"appendonly.aof.1.base.rdb", "appendonly.aof.1.incr.aof"} {
		if _, err := os.Stat(filepath.Join(adir, gone)); !os.IsNotExist(err) {
			t.Errorf("%s still there: %v", gone, err)
		}
	}
	s.mu.Lock()
	s.aofStop()
	s.mu.Unlock()

	load := func(truncatedOK bool) (*Server, *Client, error) {
		s2, c2 := newTestServer(t)
		s2.cfg.Dir = dir
		s2.cfg.setExtra("appendonly", "yes")
		if !truncatedOK {
			s2.cfg.setExtra("aof-load-truncated", "no")
		}
		s2.mu.Lock()
		s2.now = clockOf(s2)
		err := s2.loadData()
		s2.mu.Unlock()
		t.Cleanup(func() { s2.mu.Lock(); s2.aofStop(); s2.mu.Unlock() })
		return s2, c2, err
	}
	incr := filepath.Join(adir, "appendonly.aof.2.incr.aof")
	good, _ := os.ReadFile(incr)
	// A command cut short at the end.
	os.WriteFile(incr, append(append([]byte(nil), good...), "*3\r\n$3\r\nSET\r\n$1\r\nb"...), 0o644)
	if _, _, err := load(false); err == nil || !strings.Contains(err.Error(), "offset "+strconv.Itoa(len(good))) {
		t.Errorf("truncated, aof-load-truncated no: %v", err)
	}
	_, c2, err := load(true)
	if err != nil {
		t.Fatalf("truncated, aof-load-truncated yes: %v", err)
	}
	if got := doLine(t, c2, "GET a"); got != bulk("2") {
		t.Errorf("GET a: %q", got)
	}
	if got := doLine(t, c2, "LRANGE l 0 -1"); got != bulks("x", "y") {
		t.Errorf("LRANGE l: %q", got)
	}
	// An unfinished MULTI is dropped too; garbage is refused.
	now, _ := os.ReadFile(incr)
	if string(now) != string(good) {
		t.Errorf("the file was not truncated to the last whole command: %q", now)
	}
	os.WriteFile(incr, append(append([]byte(nil), good...), "*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$1\r\na\r\n"...), 0o644)
	_, c3, err := load(true)
	if err != nil {
		t.Fatalf("unfinished MULTI: %v", err)
	}
	if got := doLine(t, c3, "GET a"); got != bulk("2") {
		t.Errorf("GET a after an unfinished MULTI: %q", got)
	}
	os.WriteFile(incr, append(append([]byte(nil), good...), "GARBAGE\r\n"...), 0o644)
	if _, _, err := load(true); err == nil || !strings.Contains(err.Error(), "bad file format") || !strings.Contains(err.Error(), incr) {
		t.Errorf("garbage: %v", err)
	}
}

func TestAOFInfoAndTurningOff(t *testing.T) {
	s, c := aofTestServer(t, t.TempDir())
	if got := doLine(t, c, "INFO persistence"); !strings.Contains(got, "aof_enabled:1\r\n") || !strings.Contains(got, "aof_last_write_status:ok\r\n") {
		t.Errorf("INFO persistence: %q", got)
	}
	if got := doLine(t, c, "CONFIG SET appendfsync always"); got != "+OK\r\n" || !s.aof.always {
		t.Errorf("CONFIG SET appendfsync always: %q", got)
	}
	if got := doLine(t, c, "CONFIG SET appendonly no"); got != "+OK\r\n" || s.aof != nil {
		t.Errorf("CONFIG SET appendonly no: %q", got)
	}
	if got := doLine(t, c, "INFO persistence"); !strings.Contains(got, "aof_enabled:0\r\n") {
		t.Errorf("INFO persistence: %q", got)
	}
	// With the AOF off, BGREWRITEAOF makes a base and a manifest that
	// lists only it (the incremental files become history), as Redis does.
	doLine(t, c, "SET off 1")
	if got := doLine(t, c, "BGREWRITEAOF"); got != "+Background append only file rewriting started\r\n" {
		t.Errorf("BGREWRITEAOF with the AOF off: %q", got)
	}
	waitRewrite(t, s)
	man, err := os.ReadFile(filepath.Join(s.aofDir(), "appendonly.aof.manifest"))
	if err != nil || string(man) != "file appendonly.aof.2.base.rdb seq 2 type b\n" {
		t.Errorf("manifest after BGREWRITEAOF with the AOF off: %q %v", man, err)
	}
	if got := doLine(t, c, "INFO persistence"); !strings.Contains(got, "aof_rewrites:2\r\n") || !strings.Contains(got, "aof_last_bgrewrite_status:ok\r\n") {
		t.Errorf("INFO persistence: %q", got)
	}
}

// TestAOFExpiredDeletions: a key removed because it expired is written as a
// DEL, ahead of (and wrapped with) the command that found it expired, and
// on its own when the active cycle removes it.
func TestAOFExpiredDeletions(t *testing.T) {
	s, c := aofTestServer(t, t.TempDir())
	do(t, c, "SET", "a", "1", "PX", "100")
	do(t, c, "SET", "b", "1", "PX", "100")
	aofFlush(t, s)
	advance(s, 200)
	do(t, c, "SET", "a", "2") // finds a expired first
	s.mu.Lock()
	s.now = clockOf(s)
	c.db.ActiveExpire(s.now, 16) // removes b
	s.mu.Unlock()
	got := strings.Join(aofFlush(t, s), "\n")
	for _, want := range []string{"MULTI\nDEL a\nSET a 2\nEXEC", "DEL b"} {
		if !strings.Contains(got, want) {
			t.Errorf("AOF lacks %q:\n%s", want, got)
		}
	}
}

// TestAOFFunctions: FUNCTION LOAD and FUNCTION DELETE reach the AOF, so a
// library survives a restart from the AOF as it does from the RDB.
func TestAOFFunctions(t *testing.T) {
	s, c := aofTestServer(t, t.TempDir())
	lib := "#!lua name=keep\nredis.register_function('kept', function() return 1 end)"
	do(t, c, "FUNCTION", "LOAD", lib)
	do(t, c, "FUNCTION", "DELETE", "keep")
	got := strings.Join(aofFlush(t, s), "\n")
	for _, want := range []string{"FUNCTION LOAD " + lib, "FUNCTION DELETE keep"} {
		if !strings.Contains(got, want) {
			t.Errorf("AOF lacks %q:\n%s", want, got)
		}
	}
}
