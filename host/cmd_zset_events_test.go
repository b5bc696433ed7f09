package host

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
)

// Keyspace events of the sorted set commands: an in-process subscriber (on
// the push path, with no connection) receives every keyevent notification
// (generic, string, sorted set and new-key classes); each step lists the events its command must
// fire, as "event:key", in order. With MODIS_COMPARE_REDIS the same steps
// run against the real Redis with a second, subscribed connection.

type zEvStep struct{ cmd, events string }

const zEvFlags = "KEg$lzn" // not "KEAn": see the report on parseNotifyFlags dropping n after A

func TestZsetKeyspaceEvents(t *testing.T) {
	steps := []zEvStep{
		{"ZADD z 1 a", "new:z zadd:z"},
		{"ZADD z 2 b", "zadd:z"},
		{"ZADD z 2 b", ""},
		{"ZADD z XX 3 c", ""},
		{"ZADD nokey XX 3 c", ""},
		{"ZADD z NX 5 a", ""},
		{"ZADD z CH 5 a", "zadd:z"},
		{"ZADD z INCR 1 a", "zincr:z"},
		{"ZADD z GT INCR -1 a", ""},
		{"ZINCRBY z 1 a", "zincr:z"},
		{"ZINCRBY z2 1 a", "new:z2 zincr:z2"},
		{"ZINCRBY z 0 a", ""},
		{"ZADD z INCR -inf a", "zincr:z"},
		{"ZADD z INCR +inf a", ""},
		{"ZPOPMIN z", "zpopmin:z"},
		{"ZPOPMAX z 5", "zpopmax:z del:z"},
		{"ZPOPMAX z 5", ""},
		{"ZADD z 1 a 2 b", "new:z zadd:z"},
		{"ZPOPMIN z 0", ""},
		{"ZREM z x", ""},
		{"ZREM z a", "zrem:z"},
		{"ZREM z a b", "zrem:z del:z"},
		{"ZADD z 1 a 2 b 3 c 4 d", "new:z zadd:z"},
		{"ZREMRANGEBYRANK z 5 6", ""},
		{"ZREMRANGEBYRANK z 0 0", "zremrangebyrank:z"},
		{"ZREMRANGEBYSCORE z 10 20", ""},
		{"ZREMRANGEBYSCORE z 0 2", "zremrangebyscore:z"},
		{"ZREMRANGEBYLEX z [x [y", ""},
		{"ZREMRANGEBYLEX z [c [c", "zremrangebylex:z"},
		{"ZREMRANGEBYLEX z - +", "zremrangebylex:z del:z"},
		{"ZADD z 1 a 2 b 3 c", "new:z zadd:z"},
		{"ZUNIONSTORE d 1 z", "new:d zunionstore:d"},
		{"ZUNIONSTORE d 1 z", "zunionstore:d"},
		{"ZINTERSTORE d 2 z nokey", "del:d"},
		{"ZINTERSTORE d 2 z nokey", ""},
		{"ZINTERSTORE d 2 z z", "new:d zinterstore:d"},
		{"ZDIFFSTORE d 1 z", "zdiffstore:d"},
		{"ZDIFFSTORE d 2 z z", "del:d"},
		{"ZRANGESTORE d2 z 0 0", "new:d2 zrangestore:d2"},
		{"ZRANGESTORE d2 z 0 0 BYSCORE", "del:d2"},
		{"ZRANGESTORE d2 nokey 0 0", ""},
		{"ZMPOP 2 nokey z MIN", "zpopmin:z"},
		{"ZMPOP 1 z MAX COUNT 5", "zpopmax:z del:z"},
		{"ZMPOP 1 z MAX COUNT 5", ""},
		{"ZADD z 1 a", "new:z zadd:z"},
		{"BZPOPMAX z 0", "zpopmax:z del:z"},
		{"ZADD z 1 a 2 b", "new:z zadd:z"},
		{"BZMPOP 0 1 z MIN COUNT 1", "zpopmin:z"},
		{"BZMPOP 0 1 z MIN COUNT 1", "zpopmin:z del:z"},
		{"RPUSH s v", "new:s rpush:s"},
		{"ZUNIONSTORE s 1 nokey", "del:s"},
		{"ZADD z 1 a", "new:z zadd:z"},
		{"ZRANGE z 0 -1", ""},
		{"ZSCORE z a", ""},
	}
	s, c := newTestServer(t)
	if got := do(t, c, "CONFIG", "SET", "notify-keyspace-events", zEvFlags); got != rOK {
		t.Fatalf("CONFIG SET notify-keyspace-events: %q", got)
	}
	sub := newClient(s, nil, 1_000_000)
	sub.push = &pushOut{kick: make(chan struct{}, 1), done: make(chan struct{})}
	do(t, sub, "PSUBSCRIBE", "__keyevent@*__:*")
	events := func() string {
		s.mu.Lock()
		sub.push.outMu.Lock()
		data := sub.push.pending
		sub.push.pending = nil
		sub.push.outMu.Unlock()
		s.mu.Unlock()
		return zEvDecode(t, data)
	}
	events()
	for i, st := range steps {
		doLine(t, c, st.cmd)
		if got := events(); got != st.events {
			t.Errorf("step %d: %s\n got events: %q\nwant: %q", i, st.cmd, got, st.events)
		}
	}
	if addr := os.Getenv("MODIS_COMPARE_REDIS"); addr != "" {
		zEvCompareWithRedis(t, addr, steps)
	}
}

// zEvDecode turns pmessage pushes into "event:key" words.
func zEvDecode(t *testing.T, data []byte) string {
	t.Helper()
	r := bufio.NewReader(bytes.NewReader(data))
	var out []string
	for {
		if _, err := r.Peek(1); err != nil {
			break
		}
		var raw bytes.Buffer
		if err := readRawReply(r, &raw); err != nil {
			t.Fatalf("bad push: %v", err)
		}
		parts := zBulkStrings(raw.String())
		if len(parts) != 4 || parts[0] != "pmessage" {
			continue // a confirmation or a pong
		}
		ch := parts[2]
		out = append(out, ch[strings.Index(ch, "__:")+3:]+":"+parts[3])
	}
	return strings.Join(out, " ")
}

// zBulkStrings returns the bulk strings of a RESP2 or RESP3 aggregate of bulk
// strings (other elements are skipped).
func zBulkStrings(raw string) []string {
	var out []string
	r := bufio.NewReader(strings.NewReader(raw))
	r.ReadString('\n')
	for {
		h, err := r.ReadString('\n')
		if err != nil {
			return out
		}
		if h[0] != '$' {
			continue
		}
		var n int
		fmt.Sscanf(h[1:], "%d", &n)
		b := make([]byte, n+2)
		if _, err := r.Read(b); err != nil {
			return out
		}
		out = append(out, string(b[:n]))
	}
}

// zEvCompareWithRedis runs steps against a live Redis with a subscribed
// second connection and checks the events of each step.
func zEvCompareWithRedis(t *testing.T, addr string, steps []zEvStep) {
	t.Helper()
	mc, sc := dialLive(t, addr), dialLive(t, addr)
	mc.write("FLUSHALL")
	mc.read()
	mc.write("CONFIG", "SET", "notify-keyspace-events", zEvFlags)
	mc.read()
	defer func() {
		mc.write("CONFIG", "SET", "notify-keyspace-events", "")
		mc.read()
	}()
	sc.write("PSUBSCRIBE", "__keyevent@*__:*")
	sc.read()
	for i, st := range steps {
		args, _ := SplitArgs(st.cmd)
		mc.write(args...)
		mc.read()
		sc.write("PING") // answered after every message the command published
		var raw bytes.Buffer
		for {
			one := sc.read()
			if strings.Contains(one, "pong") {
				break
			}
			raw.WriteString(one)
		}
		if got := zEvDecode(t, raw.Bytes()); got != st.events {
			t.Errorf("redis at %s, step %d: %s\n got events: %q\nwant: %q", addr, i, st.cmd, got, st.events)
		}
	}
}
