package host

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"modis/host/internal/resp"
)

// Eviction, with the used memory measured as the sum of the keys' own
// sizes (MEMORY USAGE's estimate) instead of the Go heap, so that the
// tests are exact. The integration test runs it on the real heap.

// evictServer returns a server whose used memory is the keyspace's size,
// with maxmemory set to room for about n keys made by fill.
func evictServer(t *testing.T, policy string, n int) (*Server, *Client) {
	t.Helper()
	s, c := newTestServer(t)
	s.memProbe = func() int64 {
		var total int64
		for _, db := range s.dbs {
			for _, k := range db.Keys("*", s.now) {
				total += int64(entryMemory([]byte(k), db.RawLookup([]byte(k))))
			}
		}
		return total
	}
	do(t, c, "SET", "probe:000", strings.Repeat("v", 100))
	one := s.memProbe()
	do(t, c, "DEL", "probe:000")
	do(t, c, "CONFIG", "SET", "maxmemory", fmt.Sprint(int64(n)*one+one/2), "maxmemory-policy", policy, "maxmemory-samples", "1000")
	return s, c
}

func fillKey(t *testing.T, c *Client, key string, extra ...string) string {
	t.Helper()
	return do(t, c, append([]string{"SET", key, strings.Repeat("v", 100)}, extra...)...)
}

func TestEvictNoeviction(t *testing.T) {
	s, c := evictServer(t, "noeviction", 3)
	for i := 0; i < 3; i++ {
		if got := fillKey(t, c, fmt.Sprintf("key:%03d", i)); got != rOK {
			t.Fatalf("SET %d: %q", i, got)
		}
	}
	// Over the limit now (the 4th key is stored: the check runs before a
	// command, as in Redis).
	fillKey(t, c, "key:003")
	oom := errr("OOM command not allowed when used memory > 'maxmemory'.")
	if got := fillKey(t, c, "key:004"); got != oom {
		t.Fatalf("SET over maxmemory: %q", got)
	}
	// Reads and deletes still work; a denyoom command in MULTI aborts it,
	// and inside MULTI even a read is refused.
	if got := do(t, c, "GET", "key:000"); got != bulk(strings.Repeat("v", 100)) {
		t.Errorf("GET: %q", got)
	}
	do(t, c, "MULTI")
	if got := do(t, c, "GET", "key:000"); got != oom {
		t.Errorf("GET in MULTI over maxmemory: %q", got)
	}
	if got := do(t, c, "EXEC"); got != errr("EXECABORT Transaction discarded because of previous errors.") {
		t.Errorf("EXEC: %q", got)
	}
	if got := do(t, c, "DEL", "key:003"); got != rOne {
		t.Errorf("DEL: %q", got)
	}
	if got := fillKey(t, c, "key:004"); got != rOK {
		t.Errorf("SET under the limit again: %q", got)
	}
	if got := s.cmdStats[s.table.Get("set")]; got == nil || got.rejected != 1 {
		t.Errorf("rejected SETs: %+v", got)
	}
	if s.stats.evictedKeys != 0 {
		t.Errorf("noeviction evicted %d keys", s.stats.evictedKeys)
	}
}

func TestEvictAllkeysLRU(t *testing.T) {
	s, c := evictServer(t, "allkeys-lru", 5)
	events := recordEvents(t, s, c)
	for i := 0; i < 5; i++ {
		fillKey(t, c, fmt.Sprintf("key:%03d", i))
		advance(s, 2000)
	}
	// key:000 and key:001 are used again: the least recently used keys are
	// now 002, 003, 004.
	do(t, c, "GET", "key:000")
	do(t, c, "GET", "key:001")
	watcher := newClient(s, nil, 77)
	do(t, watcher, "WATCH", "key:002")
	advance(s, 2000)
	for i := 5; i < 8; i++ {
		fillKey(t, c, fmt.Sprintf("key:%03d", i))
		advance(s, 2000)
	}
	do(t, c, "PING") // the check before this command evicts for the last SET
	keys := do(t, c, "KEYS", "*")
	for _, gone := range []string{"key:002", "key:003", "key:004"} {
		if strings.Contains(keys, gone) {
			t.Errorf("%s should have been evicted: %q", gone, keys)
		}
	}
	for _, kept := range []string{"key:000", "key:001", "key:005", "key:006", "key:007"} {
		if !strings.Contains(keys, kept) {
			t.Errorf("%s should have been kept: %q", kept, keys)
		}
	}
	// Evicting a watched key fails the transaction, as any change does.
	do(t, watcher, "MULTI")
	do(t, watcher, "PING")
	if got := do(t, watcher, "EXEC"); got != "*-1\r\n" {
		t.Errorf("EXEC after the watched key was evicted: %q", got)
	}
	if s.dirty != 10 { // the 8 keys, and the probe key set and deleted
		t.Errorf("dirty = %d: evictions are not changes to save", s.dirty)
	}
	if s.stats.evictedKeys != 3 {
		t.Errorf("evicted_keys = %d", s.stats.evictedKeys)
	}
	if got := events(); got != "evicted:key:002 evicted:key:003 evicted:key:004" {
		t.Errorf("keyspace events: %q", got)
	}
	info := bulkText(t, do(t, c, "INFO", "stats"))
	if !strings.Contains(info, "\r\nevicted_keys:3\r\n") {
		t.Errorf("INFO stats: %s", info)
	}
}

func TestEvictVolatileTTL(t *testing.T) {
	_, c := evictServer(t, "volatile-ttl", 6)
	fillKey(t, c, "persist:1")
	fillKey(t, c, "persist:2")
	fillKey(t, c, "ttl:500", "EX", "500")
	fillKey(t, c, "ttl:100", "EX", "100")
	fillKey(t, c, "ttl:300", "EX", "300")
	fillKey(t, c, "ttl:200", "EX", "200")
	fillKey(t, c, "new:1")
	do(t, c, "PING")
	if got := do(t, c, "EXISTS", "ttl:100"); got != rZero {
		t.Errorf("the key with the shortest TTL survived")
	}
	fillKey(t, c, "new:2")
	do(t, c, "PING")
	if got := do(t, c, "EXISTS", "ttl:200", "ttl:300", "ttl:500"); got != ":2\r\n" {
		t.Errorf("after a second eviction: %q (want ttl:300 and ttl:500 left)", got)
	}
	if got := do(t, c, "EXISTS", "ttl:200"); got != rZero {
		t.Error("ttl:200 should be the second one evicted")
	}
	// With only persistent keys left, volatile-ttl cannot free anything.
	do(t, c, "DEL", "ttl:300", "ttl:500")
	for i := 3; i < 8; i++ {
		fillKey(t, c, fmt.Sprintf("new:%d", i))
	}
	if got := fillKey(t, c, "new:9"); got != errr("OOM command not allowed when used memory > 'maxmemory'.") {
		t.Errorf("volatile-ttl with nothing volatile: %q", got)
	}
	if got := do(t, c, "EXISTS", "persist:1", "persist:2"); got != ":2\r\n" {
		t.Errorf("persistent keys were evicted: %q", got)
	}
}

func TestEvictRandomAndLFU(t *testing.T) {
	for _, policy := range []string{"allkeys-random", "volatile-random", "allkeys-lfu", "volatile-lfu", "volatile-lru"} {
		t.Run(policy, func(t *testing.T) {
			s, c := evictServer(t, policy, 10)
			for i := 0; i < 30; i++ {
				fillKey(t, c, fmt.Sprintf("key:%03d", i), "EX", "1000")
				if i%3 == 0 {
					do(t, c, "SELECT", fmt.Sprint(i%4)) // spread over databases
				}
			}
			do(t, c, "PING")
			total := 0
			for _, db := range s.dbs {
				total += db.Len()
			}
			if total > 10 || total < 8 {
				t.Errorf("%d keys left, want about 10", total)
			}
			if s.stats.evictedKeys != int64(30-total) {
				t.Errorf("evicted_keys %d, keys left %d", s.stats.evictedKeys, total)
			}
		})
	}
}

// The LFU policy keeps the keys read often.
func TestEvictLFUKeepsHotKeys(t *testing.T) {
	s, c := evictServer(t, "allkeys-lfu", 4)
	for i := 0; i < 4; i++ {
		fillKey(t, c, fmt.Sprintf("key:%03d", i))
	}
	for j := 0; j < 50; j++ {
		do(t, c, "GET", "key:000")
		do(t, c, "GET", "key:001")
	}
	fillKey(t, c, "key:004")
	fillKey(t, c, "key:005")
	do(t, c, "PING")
	if got := do(t, c, "EXISTS", "key:000", "key:001"); got != ":2\r\n" {
		t.Errorf("hot keys evicted under allkeys-lfu: %q", got)
	}
	_ = s
}

// A pass stops at the tenacity's time limit without failing commands; the
// cron goes on.
func TestEvictTimeLimit(t *testing.T) {
	if got := evictionTimeLimit(10); got != 500*time.Microsecond {
		t.Errorf("tenacity 10: %v", got)
	}
	if got := evictionTimeLimit(0); got != 0 {
		t.Errorf("tenacity 0: %v", got)
	}
	if got := evictionTimeLimit(11); got != 575*time.Microsecond {
		t.Errorf("tenacity 11: %v", got)
	}
	s, c := evictServer(t, "allkeys-random", 1000)
	for i := 0; i < 400; i++ {
		fillKey(t, c, fmt.Sprintf("key:%04d", i))
	}
	do(t, c, "CONFIG", "SET", "maxmemory-eviction-tenacity", "0", "maxmemory", "1")
	s.mu.Lock()
	r := s.performEvictions()
	s.mu.Unlock()
	if r != evictRunning || s.stats.evictedKeys != 16 {
		t.Errorf("tenacity 0: result %d, evicted %d (want a pass of 16 keys, still running)", r, s.stats.evictedKeys)
	}
	if got := fillKey(t, c, "more"); got != rOK {
		t.Errorf("a command while eviction runs: %q", got)
	}
}

func TestMemtoull(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "1": 1, "1b": 1, "1k": 1000, "1K": 1000, "1kb": 1024, "1KB": 1024,
		"2m": 2000000, "2mb": 2 << 20, "3g": 3000000000, "3gb": 3 << 30, "": 0, "mb": 0, "007": 7} {
		if got, ok := parseMemory(in); !ok || got != want {
			t.Errorf("parseMemory(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, bad := range []string{"-1", "+1", "1.5mb", "1 mb", "1tb", "x", "1kbb"} {
		if _, ok := parseMemory(bad); ok {
			t.Errorf("parseMemory(%q) accepted", bad)
		}
	}
}

// recordEvents turns on keyspace events and returns a function giving the
// "event:key" keyevents published since the last call.
func recordEvents(t *testing.T, s *Server, c *Client) func() string {
	t.Helper()
	do(t, c, "CONFIG", "SET", "notify-keyspace-events", "Ee")
	sub := newClient(s, nil, 900)
	sub.push = &pushOut{kick: make(chan struct{}, 1), done: make(chan struct{})}
	do(t, sub, "PSUBSCRIBE", "__keyevent@*__:*")
	return func() string {
		s.mu.Lock()
		sub.push.outMu.Lock()
		data := string(sub.push.pending)
		sub.push.pending = nil
		sub.push.outMu.Unlock()
		s.mu.Unlock()
		var out []string
		for _, msg := range strings.Split(data, "*4\r\n$8\r\npmessage\r\n")[1:] {
			parts := strings.Split(msg, "\r\n")
			// pattern, channel, key: $n, text, ...
			ch, key := parts[3], parts[5]
			out = append(out, ch[strings.LastIndexByte(ch, ':')+1:]+":"+key)
		}
		return strings.Join(out, " ")
	}
}

var _ resp.Writer = (*resp.Buffer)(nil)
