package host

import "testing"

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
