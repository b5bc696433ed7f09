package host

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
)

// Keyspace events of the string, bitmap, HyperLogLog and hash commands.
//
// An in-process subscriber client (on the push path, with no connection)
// receives every keyevent notification; each step lists the events its
// command must fire, as "event:key", in order. With MODIS_COMPARE_REDIS the
// same steps run against the real Redis, with a second connection
// subscribed to the same channels.

// evStep is a command and the keyspace events it fires.
type evStep struct {
	cmd    string
	events string // space separated "event:key"; "" none
}

// evSubscriber subscribes an in-process client of s to every keyevent
// channel and returns a function that returns the events published since
// its last call.
func evSubscriber(t *testing.T, s *Server, c *Client) func() string {
	t.Helper()
	if got := do(t, c, "CONFIG", "SET", "notify-keyspace-events", "KEA"); got != rOK {
		t.Fatalf("CONFIG SET notify-keyspace-events: %q", got)
	}
	sub := newClient(s, nil, 1_000_000)
	sub.push = &pushOut{kick: make(chan struct{}, 1), done: make(chan struct{})}
	do(t, sub, "PSUBSCRIBE", "__keyevent@*__:*")
	return func() string {
		s.mu.Lock()
		sub.push.outMu.Lock()
		data := sub.push.pending
		sub.push.pending = nil
		sub.push.outMu.Unlock()
		s.mu.Unlock()
		return evDecode(t, data)
	}
}

// evDecode turns pmessage pushes (RESP2 arrays) into "event:key" words.
func evDecode(t *testing.T, data []byte) string {
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
		parts := evBulkStrings(raw.String())
		if len(parts) != 4 || parts[0] != "pmessage" {
			continue // a pong or a confirmation
		}
		ch := parts[2]
		event := ch[strings.Index(ch, "__:")+3:]
		out = append(out, event+":"+parts[3])
	}
	return strings.Join(out, " ")
}

// evBulkStrings returns the bulk strings of a RESP2 array of bulk strings.
func evBulkStrings(raw string) []string {
	r := bufio.NewReader(strings.NewReader(raw))
	line, _ := r.ReadString('\n')
	if !strings.HasPrefix(line, "*") {
		return nil
	}
	var n int
	fmt.Sscanf(line[1:], "%d", &n)
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		h, _ := r.ReadString('\n')
		var l int
		if h == "" || h[0] != '$' {
			return out
		}
		fmt.Sscanf(h[1:], "%d", &l)
		b := make([]byte, l+2)
		if _, err := io.ReadFull(r, b); err != nil {
			return out
		}
		out = append(out, string(b[:l]))
	}
	return out
}

func runEvScripts(t *testing.T, scripts map[string][]evStep) {
	t.Helper()
	addr := os.Getenv("MODIS_COMPARE_REDIS")
	for name, steps := range scripts {
		t.Run(name, func(t *testing.T) {
			s, c := newTestServer(t)
			events := evSubscriber(t, s, c)
			for i, st := range steps {
				doLine(t, c, st.cmd)
				if got := events(); got != st.events {
					t.Errorf("step %d: %s\n got events: %q\nwant: %q", i, st.cmd, got, st.events)
				}
			}
			if addr != "" {
				evCompareWithRedis(t, addr, steps)
			}
		})
	}
}

// evCompareWithRedis runs steps against a live Redis with a subscribed
// second connection and checks the events of each step.
func evCompareWithRedis(t *testing.T, addr string, steps []evStep) {
	t.Helper()
	mc, sc := dialLive(t, addr), dialLive(t, addr)
	mc.write("FLUSHALL")
	mc.read()
	mc.write("CONFIG", "SET", "notify-keyspace-events", "KEA")
	mc.read()
	sc.write("PSUBSCRIBE", "__keyevent@*__:*")
	sc.read()
	for i, st := range steps {
		args, _ := SplitArgs(st.cmd)
		mc.write(args...)
		mc.read()
		// A PING on the subscriber is answered after every message the
		// command published.
		sc.write("PING")
		var raw bytes.Buffer
		for {
			one := sc.read()
			if strings.Contains(one, "pong") {
				break
			}
			raw.WriteString(one)
		}
		if got := evDecode(t, raw.Bytes()); got != st.events {
			t.Errorf("redis at %s, step %d: %s\n got events: %q\nwant: %q", addr, i, st.cmd, got, st.events)
		}
	}
	mc.write("CONFIG", "SET", "notify-keyspace-events", "")
	mc.read()
}

func TestStringHashEvents(t *testing.T) {
	runEvScripts(t, map[string][]evStep{
		"set family": {
			{"SET k v", "set:k"},
			{"SET k v NX", ""},
			{"SET k v2 XX GET", "set:k"},
			{"SET k v EX 100", "set:k expire:k"},
			{"SET k v KEEPTTL", "set:k"},
			{"SET k v PXAT 99999999999999", "set:k expire:k"},
			{"SETNX k v", ""},
			{"SETNX k2 v", "set:k2"},
			{"SETEX k3 10 v", "set:k3 expire:k3"},
			{"PSETEX k3 10000 v", "set:k3 expire:k3"},
			{"SETEX k3 0 v", ""},
			{"GETSET k3 w", "set:k3"},
			{"MSET a 1 b 2 a 3", "set:a set:b set:a"},
			{"MSETNX a 1 c 2", ""},
			{"MSETNX c 1 d 2", "set:c set:d"},
			{"HSET h f v", "hset:h"},
			{"GETSET h v", ""},
			{"SET h v GET", ""},
			{"SET past v PXAT 1", "set:past expire:past"},
			{"EXISTS past", "expired:past"},
		},
		"getdel getex": {
			{"SET k v", "set:k"},
			{"GETDEL k", "del:k"},
			{"GETDEL k", ""},
			{"SET k v", "set:k"},
			{"GETEX k", ""},
			{"GETEX k PERSIST", ""},
			{"GETEX k EX 100", "expire:k"},
			{"GETEX k PERSIST", "persist:k"},
			{"GETEX k PXAT 1", "del:k"},
			{"GETEX nokey EX 10", ""},
		},
		"counters append": {
			{"INCR n", "incrby:n"},
			{"DECR n", "incrby:n"},
			{"INCRBY n 5", "incrby:n"},
			{"DECRBY n 5", "incrby:n"},
			{"INCRBY n x", ""},
			{"INCRBYFLOAT f 1.5", "incrbyfloat:f"},
			{"INCRBYFLOAT f x", ""},
			{"APPEND s abc", "append:s"},
			{"APPEND s \"\"", "append:s"},
			{"SET big 9223372036854775807", "set:big"},
			{"INCR big", ""},
		},
		"setrange bits": {
			{"SETRANGE s 0 \"\"", ""},
			{"SETRANGE s 2 ab", "setrange:s"},
			{"SETRANGE s 0 \"\"", ""},
			{"SETRANGE s 0 \"\\x00\"", "setrange:s"},
			{"SETBIT b 7 1", "setbit:b"},
			{"SETBIT b 7 1", ""},
			{"SETBIT b 7 0", "setbit:b"},
			{"SETBIT b 100 0", "setbit:b"},
			{"BITFIELD b SET u8 0 0", ""},
			{"BITFIELD b SET u8 0 1 GET u8 0", "setbit:b"},
			{"BITFIELD b INCRBY u8 0 0", ""},
			{"BITFIELD b SET u8 400 0", "setbit:b"},
			{"BITFIELD b OVERFLOW FAIL INCRBY u8 0 255", ""},
			{"BITFIELD b GET u8 0", ""},
			{"BITFIELD_RO b GET u8 0", ""},
			{"BITOP OR dest b s", "set:dest"},
			{"BITOP AND dest nokey", "del:dest"},
			{"BITOP AND dest nokey", ""},
		},
		"hll": {
			{"PFADD h a b c", "pfadd:h"},
			{"PFADD h a", ""},
			{"PFADD h2", "pfadd:h2"},
			{"PFADD h2", ""},
			{"PFCOUNT h", ""},
			{"PFMERGE m h h2", "pfadd:m"},
			{"PFMERGE m", "pfadd:m"},
		},
		"hash": {
			{"HSET h a 1 b 2", "hset:h"},
			{"HSET h a 1", "hset:h"},
			{"HMSET h a 1", "hset:h"},
			{"HSETNX h a 1", ""},
			{"HSETNX h c 1", "hset:h"},
			{"HINCRBY h n 1", "hincrby:h"},
			{"HINCRBY h a x", ""},
			{"HINCRBYFLOAT h f 1.5", "hincrbyfloat:h"},
			{"HDEL h nofield", ""},
			{"HDEL h a b", "hdel:h"},
			{"HDEL h c n f nofield", "hdel:h del:h"},
			{"HDEL h a", ""},
		},
	})
}
