package host

import (
	"fmt"
	"testing"
)

// TestDumpRestoreRoundTrip: DUMP then RESTORE gives back every type, with
// its encoding.
func TestDumpRestoreRoundTrip(t *testing.T) {
	_, c := newTestServer(t)
	for _, cmd := range [][]string{
		{"SET", "s", "hello"}, {"SET", "i", "123"}, {"RPUSH", "l", "a", "b"}, {"SADD", "si", "1", "2"},
		{"SADD", "ss", "a", "b"}, {"ZADD", "z", "1.5", "a", "2", "b"}, {"HSET", "h", "f", "v"},
	} {
		do(t, c, cmd...)
	}
	for _, k := range []string{"s", "i", "l", "si", "ss", "z", "h"} {
		p := do(t, c, "DUMP", k)
		payload := p[indexAfterHeader(p):]
		payload = payload[:len(payload)-2]
		if got := do(t, c, "RESTORE", k+"2", "0", payload); got != "+OK\r\n" {
			t.Fatalf("RESTORE %s: %q", k, got)
		}
		for _, q := range [][]string{{"TYPE"}, {"OBJECT", "ENCODING"}} {
			a := do(t, c, append(q, k)...)
			b := do(t, c, append(q, k+"2")...)
			if a != b {
				t.Errorf("%v %s = %q, restored %q", q, k, a, b)
			}
		}
	}
	if got := do(t, c, "LRANGE", "l2", "0", "-1"); got != "*2\r\n$1\r\na\r\n$1\r\nb\r\n" {
		t.Errorf("restored list = %q", got)
	}
}

// indexAfterHeader returns where a bulk reply's bytes start ("$N\r\n").
func indexAfterHeader(p string) int {
	for i := 0; i+1 < len(p); i++ {
		if p[i] == '\r' && p[i+1] == '\n' {
			return i + 2
		}
	}
	return 0
}

// TestRestoreIdletimeFreq: RESTORE's IDLETIME sets the key's idle time
// under an LRU policy and FREQ its counter under an LFU policy (each is
// ignored under the other policy), as OBJECT IDLETIME and FREQ then report.
func TestRestoreIdletimeFreq(t *testing.T) {
	s, c := newTestServer(t)
	clock := clockOf(s) / 1000 & (1<<24 - 1) // the LRU clock

	do(t, c, "SET", "s", "hello")
	p := do(t, c, "DUMP", "s")
	payload := p[indexAfterHeader(p) : len(p)-2]
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"RESTORE", "a", "0", payload, "IDLETIME", "1000"}, "+OK\r\n"},
		{[]string{"RESTORE", "b", "0", payload, "IDLETIME", "0"}, "+OK\r\n"},
		{[]string{"RESTORE", "c", "0", payload, "FREQ", "100"}, "+OK\r\n"},
		{[]string{"RESTORE", "d", "0", payload, "IDLETIME", "-1"}, "-ERR Invalid IDLETIME value, must be >= 0\r\n"},
		{[]string{"RESTORE", "d", "0", payload, "FREQ", "256"}, "-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n"},
		{[]string{"RESTORE", "d", "0", payload, "IDLETIME", "1", "FREQ", "1"}, "-ERR syntax error\r\n"},
		{[]string{"OBJECT", "IDLETIME", "a"}, ":1000\r\n"},
		{[]string{"OBJECT", "IDLETIME", "b"}, ":0\r\n"},
		{[]string{"OBJECT", "IDLETIME", "c"}, ":0\r\n"},
		// Idle times past the 24-bit LRU clock's origin wrap; the replies
		// are those of redis-server 7.0.15 (clock + 100 and 2^24 + 5 and
		// 2^24 - 1 seconds idle gave clock + 100, 6 and 0).
		{[]string{"RESTORE", "w1", "0", payload, "IDLETIME", fmt.Sprint(clock + 100)}, "+OK\r\n"},
		{[]string{"OBJECT", "IDLETIME", "w1"}, fmt.Sprintf(":%d\r\n", clock+100)},
		{[]string{"RESTORE", "w2", "0", payload, "IDLETIME", fmt.Sprint(1<<24 + 5)}, "+OK\r\n"},
		{[]string{"OBJECT", "IDLETIME", "w2"}, ":6\r\n"},
		{[]string{"RESTORE", "w3", "0", payload, "IDLETIME", fmt.Sprint(1<<24 - 1)}, "+OK\r\n"},
		{[]string{"OBJECT", "IDLETIME", "w3"}, ":0\r\n"},
		{[]string{"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"}, "+OK\r\n"},
		{[]string{"RESTORE", "e", "0", payload, "FREQ", "100"}, "+OK\r\n"},
		{[]string{"RESTORE", "f", "0", payload, "IDLETIME", "1000"}, "+OK\r\n"},
		{[]string{"OBJECT", "FREQ", "e"}, ":100\r\n"},
		{[]string{"OBJECT", "FREQ", "f"}, ":5\r\n"}, // LFU_INIT_VAL
	} {
		if got := do(t, c, tc.args...); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.args[:2], got, tc.want)
		}
	}
}
