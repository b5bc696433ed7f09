package host

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSaveAndDebugReload(t *testing.T) {
	s, c := newTestServer(t)
	s.cfg.Dir = t.TempDir()
	for _, cmd := range [][]string{
		{"SET", "s", "hello"}, {"SET", "n", "42"}, {"RPUSH", "l", "a", "b", "3"}, {"SADD", "si", "1", "2"},
		{"SADD", "ss", "x", "y"}, {"ZADD", "z", "1.5", "a", "2", "b"}, {"HSET", "h", "f", "v"},
		{"PEXPIRE", "s", "100000"}, {"SELECT", "3"}, {"SET", "k3", "v3"}, {"SELECT", "0"},
	} {
		do(t, c, cmd...)
	}
	if got := do(t, c, "SAVE"); got != "+OK\r\n" {
		t.Fatalf("SAVE: %q", got)
	}
	if _, err := os.Stat(filepath.Join(s.cfg.Dir, "dump.rdb")); err != nil {
		t.Fatal(err)
	}
	if got := do(t, c, "INFO", "persistence"); !strings.Contains(got, "rdb_changes_since_last_save:0\r\n") {
		t.Errorf("INFO persistence: %q", got)
	}
	if got := do(t, c, "DEBUG", "RELOAD"); got != "+OK\r\n" {
		t.Fatalf("DEBUG RELOAD: %q", got)
	}
	for _, tc := range []struct{ cmd, want string }{
		{"GET s", "$5\r\nhello\r\n"},
		{"OBJECT ENCODING n", "$3\r\nint\r\n"},
		{"LRANGE l 0 -1", "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\n3\r\n"},
		{"OBJECT ENCODING si", "$6\r\nintset\r\n"},
		{"SCARD ss", ":2\r\n"},
		{"ZRANGE z 0 -1 WITHSCORES", "*4\r\n$1\r\na\r\n$3\r\n1.5\r\n$1\r\nb\r\n$1\r\n2\r\n"},
		{"HGET h f", "$1\r\nv\r\n"},
		{"PTTL s", ":100000\r\n"},
		{"DBSIZE", ":7\r\n"},
	} {
		if got := do(t, c, strings.Fields(tc.cmd)...); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.cmd, got, tc.want)
		}
	}
	// A corrupt file: DEBUG RELOAD NOSAVE fails to load it.
	path := filepath.Join(s.cfg.Dir, "dump.rdb")
	data, _ := os.ReadFile(path)
	os.WriteFile(path, data[:len(data)-3], 0o644)
	if got := do(t, c, "DEBUG", "RELOAD", "NOSAVE"); !strings.HasPrefix(got, "-ERR Error trying to load") {
		t.Errorf("DEBUG RELOAD of a truncated file: %q", got)
	}
	if err := s.loadRDB(); err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "offset") {
		t.Errorf("loadRDB error: %v", err)
	}
}

// TestFunctionsPersist: function libraries are saved in the RDB (FUNCTION2)
// and come back with DEBUG RELOAD.
func TestFunctionsPersist(t *testing.T) {
	s, c := newTestServer(t)
	s.cfg.Dir = t.TempDir()
	lib := "#!lua name=keep\nredis.register_function('kept', function() return 'still here' end)"
	if got := do(t, c, "FUNCTION", "LOAD", lib); got != "$4\r\nkeep\r\n" {
		t.Fatalf("FUNCTION LOAD = %q", got)
	}
	if got := do(t, c, "DEBUG", "RELOAD"); got != "+OK\r\n" {
		t.Fatalf("DEBUG RELOAD = %q", got)
	}
	if got := do(t, c, "FCALL", "kept", "0"); got != "$10\r\nstill here\r\n" {
		t.Fatalf("FCALL after reload = %q", got)
	}
}
