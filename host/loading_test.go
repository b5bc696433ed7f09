package host

import (
	"strings"
	"testing"
)

// TestLoadingGate: while the dataset loads, commands without the loading
// flag get -LOADING (inside MULTI too, which then fails); INFO, CONFIG,
// SELECT and the connection commands run.
func TestLoadingGate(t *testing.T) {
	s, c := newTestServer(t)
	s.load.active = true
	s.load.begin(1000)
	s.load.cur, s.load.pos = 1000, 250
	loading := "-LOADING Redis is loading the dataset in memory\r\n"
	for _, tt := range []struct{ cmd, want string }{
		{"GET k", loading},
		{"PING", loading},
		{"SET k v", loading},
		{"SELECT 1", "+OK\r\n"},
		{"CONFIG GET maxmemory", "*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n"},
		{"MULTI", "+OK\r\n"},
		{"GET k", loading},
		{"EXEC", "-EXECABORT Transaction discarded because of previous errors.\r\n"},
	} {
		if got := doLine(t, c, tt.cmd); got != tt.want {
			t.Fatalf("%s: got %q, want %q", tt.cmd, got, tt.want)
		}
	}
	info := do(t, c, "INFO", "persistence")
	for _, f := range []string{"loading:1\r\n", "async_loading:0\r\n", "loading_total_bytes:1000\r\n",
		"loading_loaded_bytes:250\r\n", "loading_loaded_perc:25.00\r\n", "loading_eta_seconds:"} {
		if !strings.Contains(info, f) {
			t.Fatalf("INFO lacks %q:\n%s", f, info)
		}
	}
	// The AOF loader's internal client (ID 0) is not gated.
	loader := newClient(s, nil, 0)
	if got := do(t, loader, "SET", "k", "v"); got != "+OK\r\n" {
		t.Fatalf("loader SET: %q", got)
	}
	s.load.active = false
	if got := doLine(t, c, "PING"); got != "+PONG\r\n" {
		t.Fatalf("PING after loading: %q", got)
	}
	if info := do(t, c, "INFO", "persistence"); !strings.Contains(info, "loading:0\r\n") || strings.Contains(info, "loading_total_bytes") {
		t.Fatalf("INFO after loading:\n%s", info)
	}
}

func TestShutdownNoSaveWhileLoading(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"shutdown", "shutdown nosave"},
		{"shutdown SAVE", "shutdown nosave"},
		{"shutdown now force", "shutdown now force nosave"},
		{"shutdown abort", "shutdown abort"},
	} {
		var args [][]byte
		for _, f := range strings.Fields(tt.in) {
			args = append(args, []byte(f))
		}
		var got []string
		for _, a := range shutdownNoSave(args) {
			got = append(got, string(a))
		}
		if strings.Join(got, " ") != tt.want {
			t.Fatalf("%s: got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAdvancePos(t *testing.T) {
	data := []byte("REDIS0010\x00\x04key1\x02v1\x00\x04key2\x02v2")
	pos := advancePos(data, 0, []byte("key1"), 0)
	if pos != 15 {
		t.Fatalf("key1: %d", pos)
	}
	if pos = advancePos(data, pos, []byte("key2"), 6); pos != 24 {
		t.Fatalf("key2: %d", pos)
	}
	if pos = advancePos(data, pos, []byte("nothere"), 6); pos != int64(len(data)) {
		t.Fatalf("missing key: %d", pos)
	}
}
