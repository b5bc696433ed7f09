package main

// The async module tested in-process with sdk/sdktest: its blocked clients
// wait in the harness as they would on a connection, so
// `go test -race -cover ./plugins/async` covers the handlers, the
// goroutines and the reply callbacks. (test/ runs the same module through
// the real .so.)

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"modis/sdk"
	"modis/sdk/sdktest"
)

func TestSleep(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	start := time.Now()
	h.MustEqual("OK", "ASYNC.SLEEP", "50")
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("ASYNC.SLEEP 50 replied after %v", d)
	}
	h.MustEqual("OK", "async.sleep", "0")
	// The sleep is measured as the command's time (BlockedClientMeasureTime*).
	stats := h.MustDo("INFO", "commandstats").Str
	line := lineWith(stats, "cmdstat_async.sleep:")
	if !strings.Contains(line, "calls=2,") {
		t.Errorf("commandstats: %q", line)
	}
	if usec := field(line, "usec"); usec < 50000 {
		t.Errorf("ASYNC.SLEEP's time is %dus, want at least the 50ms sleep: %q", usec, line)
	}
}

// While a client sleeps, the server serves the others: the sleep holds no
// lock, and sleeps of several clients overlap.
func TestSleepDoesNotHoldTheServer(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	p := h.DoAsync("ASYNC.SLEEP", "300")
	p.WaitBlocked()
	other := h.Client()
	other.MustEqual("OK", "SET", "k", "v")
	other.MustEqual("v", "GET", "k")
	if p.Done() {
		t.Error("ASYNC.SLEEP 300 replied before the other client's commands")
	}
	p.MustEqual("OK")

	const n = 5
	start := time.Now()
	var pend []*sdktest.Pending
	for range n {
		pend = append(pend, h.Client().DoAsync("ASYNC.SLEEP", "100"))
	}
	for _, p := range pend {
		p.MustEqual("OK")
	}
	if d := time.Since(start); d > n*100*time.Millisecond {
		t.Errorf("%d sleeps of 100ms took %v: they did not overlap", n, d)
	}
}

func TestSleepErrors(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	h.MustError("ERR wrong number of arguments for 'async.sleep' command", "ASYNC.SLEEP")
	h.MustError("ERR wrong number of arguments for 'async.sleep' command", "ASYNC.SLEEP", "1", "2")
	h.MustError("ERR ms must be a non-negative integer", "ASYNC.SLEEP", "-1")
	h.MustError("ERR ms must be a non-negative integer", "ASYNC.SLEEP", "soon")
	// Inside MULTI the client cannot block: the module gets the handle,
	// the client an error, as in Redis.
	c := h.Client()
	c.MustEqual("OK", "MULTI")
	c.MustEqual("QUEUED", "ASYNC.SLEEP", "10")
	r := c.MustDo("EXEC")
	if r.Len() != 1 || r.Elems[0].Str != "ERR Blocking module command called from transaction" {
		t.Errorf("EXEC: %s", r)
	}
	// From a Lua script either.
	h.MustError("ERR Blocking module command called from Lua script*",
		"EVAL", "return redis.call('async.sleep', '10')", "0")
}

// A client that disconnects while it sleeps gets no reply; the goroutine
// still unblocks the handle and the server goes on.
func TestSleepDisconnect(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	c := h.Client()
	p := c.DoAsync("ASYNC.SLEEP", "50")
	p.WaitBlocked()
	c.Close()
	if r := p.Wait(); r.Type != sdk.ReplyUnknown {
		t.Errorf("reply to a disconnected client: %s", r)
	}
	time.Sleep(80 * time.Millisecond) // the goroutine unblocks a handle nobody waits on
	c.MustEqual("PONG", "PING")
	h.MustEqual("OK", "ASYNC.SLEEP", "1")
}

func TestHSum(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	h.MustEqual(int64(3), "HSET", "h", "a", "1.5", "b", "2", "c", "-0.25")
	h.MustEqual("3.25", "ASYNC.HSUM", "h")
	h.MustEqual("3.25", "ASYNC.HSUM", "h", "10000")
	h.MustEqual("0", "ASYNC.HSUM", "missing")
	// RESP3: a double.
	c := h.Client()
	c.MustDo("HELLO", "3")
	c.MustEqual(3.25, "ASYNC.HSUM", "h")
	// The thread-safe context works in the client's database.
	c.MustEqual("OK", "SELECT", "2")
	c.MustEqual(int64(1), "HSET", "h", "x", "40")
	c.MustEqual(40.0, "ASYNC.HSUM", "h")
	h.MustEqual("3.25", "ASYNC.HSUM", "h")
}

func TestHSumErrors(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	h.MustError("ERR wrong number of arguments for 'async.hsum' command", "ASYNC.HSUM")
	h.MustError("ERR wrong number of arguments for 'async.hsum' command", "ASYNC.HSUM", "h", "1", "2")
	h.MustError("ERR timeout must be a non-negative integer", "ASYNC.HSUM", "h", "-5")
	h.MustError("ERR timeout must be a non-negative integer", "ASYNC.HSUM", "h", "later")
	h.MustEqual(int64(2), "HSET", "h", "a", "1", "b", "two")
	h.MustError(`ERR hash value is not a number: "two"`, "ASYNC.HSUM", "h")
	h.MustEqual("OK", "SET", "s", "x")
	h.MustError("WRONGTYPE Operation against a key holding the wrong kind of value", "ASYNC.HSUM", "s")
}

// A sum slower than its timeout replies -TIMEOUT: the client's deadline
// passes while the goroutine reads the big hash under the lock, and the
// client's wait ends while the goroutine parses the values outside it.
func TestHSumTimeout(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	const fields = 200000
	args := []string{"HSET", "big"}
	for i := range fields {
		args = append(args, "f"+strconv.Itoa(i), "1")
	}
	h.MustEqual(int64(fields), args...)
	// The goroutine could still win on a starved machine (its UnblockClient
	// wins over a deadline the client has not acted on yet): a few tries.
	timedOut := false
	for try := 0; try < 5 && !timedOut; try++ {
		r := h.Do("ASYNC.HSUM", "big", "1")
		switch {
		case r.Type == sdk.ReplyError && r.Str == "TIMEOUT the operation did not finish in time":
			timedOut = true
		case r.Str != strconv.Itoa(fields):
			t.Fatalf("ASYNC.HSUM big 1: %s", r)
		}
	}
	if !timedOut {
		t.Error("ASYNC.HSUM with a 1ms timeout never timed out on a hash of 200000 fields")
	}
	// Without a timeout, or a generous one, the sum comes.
	h.MustEqual(strconv.Itoa(fields), "ASYNC.HSUM", "big")
	h.MustEqual(strconv.Itoa(fields), "ASYNC.HSUM", "big", "60000")
}

func TestBPop(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	// An element is there: served at once.
	h.MustEqual(int64(2), "RPUSH", "q", "a", "b")
	h.MustEqual([]string{"q", "a"}, "ASYNC.BPOP", "q", "0")
	h.MustEqual([]string{"q", "b"}, "ASYNC.BPOP", "q", "1")
	// Empty: the client blocks until another client pushes.
	p := h.DoAsync("ASYNC.BPOP", "q", "0")
	p.WaitBlocked()
	if _, ok := p.WaitTimeout(20 * time.Millisecond); ok {
		t.Fatal("ASYNC.BPOP on an empty list replied")
	}
	h.Client().MustEqual(int64(1), "LPUSH", "q", "x")
	p.MustEqual([]string{"q", "x"})
	h.MustEqual(int64(0), "EXISTS", "q")
}

// Blocked clients are served first blocked first served, one element each,
// with BLPOP's clients in the same queue.
func TestBPopOrder(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	var pend []*sdktest.Pending
	for _, cmd := range [][]string{{"ASYNC.BPOP", "q", "0"}, {"BLPOP", "q", "0"}, {"ASYNC.BPOP", "q", "0"}} {
		p := h.Client().DoAsync(cmd...)
		p.WaitBlocked()
		pend = append(pend, p)
	}
	h.MustEqual(int64(2), "RPUSH", "q", "1", "2")
	pend[0].MustEqual([]string{"q", "1"})
	pend[1].MustEqual([]string{"q", "2"})
	if _, ok := pend[2].WaitTimeout(20 * time.Millisecond); ok {
		t.Fatal("a third client was served by two elements")
	}
	h.MustEqual(int64(1), "RPUSH", "q", "3")
	pend[2].MustEqual([]string{"q", "3"})
}

func TestBPopTimeout(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	start := time.Now()
	h.MustEqual(nil, "ASYNC.BPOP", "q", "0.05")
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("timed out after %v", d)
	}
	c := h.Client()
	c.MustDo("HELLO", "3")
	if r := c.Do("ASYNC.BPOP", "q", "0.01"); r.Type != sdk.ReplyNull {
		t.Errorf("RESP3 timeout reply: %s", r)
	}
	// A push after the timeout stays in the list.
	h.MustEqual(int64(1), "LPUSH", "q", "x")
	h.MustEqual(int64(1), "LLEN", "q")
}

func TestBPopErrors(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	h.MustError("ERR wrong number of arguments for 'async.bpop' command", "ASYNC.BPOP", "q")
	h.MustError("ERR timeout is not a float or out of range", "ASYNC.BPOP", "q", "x")
	h.MustError("ERR timeout is not a float or out of range", "ASYNC.BPOP", "q", "-1")
	h.MustEqual("OK", "SET", "s", "x")
	h.MustError("WRONGTYPE Operation against a key holding the wrong kind of value", "ASYNC.BPOP", "s", "0")
	// Inside MULTI, an empty list cannot block.
	c := h.Client()
	c.MustEqual("OK", "MULTI")
	c.MustEqual("QUEUED", "ASYNC.BPOP", "empty", "0")
	r := c.MustDo("EXEC")
	if r.Len() != 1 || r.Elems[0].Str != "ERR Blocking module command called from transaction" {
		t.Errorf("EXEC: %s", r)
	}
	// A key that is signalled ready but is no longer a list by the time
	// the client is served: the reply callback answers LPOP's error.
	p := h.DoAsync("ASYNC.BPOP", "k", "0")
	p.WaitBlocked()
	c.MustEqual("OK", "MULTI")
	c.MustEqual("QUEUED", "LPUSH", "k", "x")
	c.MustEqual("QUEUED", "DEL", "k")
	c.MustEqual("QUEUED", "SET", "k", "str")
	c.MustDo("EXEC")
	p.MustError("WRONGTYPE Operation against a key holding the wrong kind of value")
}

// A client that disconnects while blocked is not served: the element
// stays for the next client.
func TestBPopDisconnect(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	c := h.Client()
	p := c.DoAsync("ASYNC.BPOP", "q", "0")
	p.WaitBlocked()
	c.Close()
	if r := p.Wait(); r.Type != sdk.ReplyUnknown {
		t.Errorf("reply after Close: %s", r)
	}
	h.MustEqual(int64(1), "LPUSH", "q", "x")
	h.MustEqual([]string{"q", "x"}, "ASYNC.BPOP", "q", "0")
}

// Many clients pushing and popping at once (go test -race).
func TestBPopConcurrent(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	const n = 20
	var wg sync.WaitGroup
	got := make(chan string, n)
	for range n {
		c := h.Client()
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := c.Do("ASYNC.BPOP", "q", "10")
			if r.Len() == 2 {
				got <- r.Elems[1].Str
			} else {
				got <- "bad: " + r.String()
			}
		}()
	}
	pusher := h.Client()
	for i := range n {
		pusher.MustDo("RPUSH", "q", strconv.Itoa(i))
	}
	wg.Wait()
	close(got)
	seen := map[string]bool{}
	for v := range got {
		if seen[v] || strings.HasPrefix(v, "bad") {
			t.Errorf("popped %q twice or badly", v)
		}
		seen[v] = true
	}
	if len(seen) != n {
		t.Errorf("popped %d distinct elements, want %d", len(seen), n)
	}
}

// The commands are described for COMMAND INFO, DOCS and GETKEYS.
func TestCommandInfo(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	h.MustEqual([]string{"h"}, "COMMAND", "GETKEYS", "ASYNC.HSUM", "h", "5")
	h.MustEqual([]string{"q"}, "COMMAND", "GETKEYS", "ASYNC.BPOP", "q", "0")
	info := h.MustDo("COMMAND", "INFO", "async.sleep", "async.hsum", "async.bpop")
	if info.Len() != 3 {
		t.Fatalf("COMMAND INFO: %s", info)
	}
	for i, want := range []struct {
		arity int64
		flags string
	}{{2, "module blocking"}, {-2, "readonly module blocking"}, {3, "write module blocking"}} {
		cmd := info.Elems[i]
		if cmd.Elems[1].Int != want.arity || strings.Join(cmd.Elems[2].Strings(), " ") != want.flags {
			t.Errorf("COMMAND INFO %s: %s", cmd.Elems[0].Str, cmd)
		}
	}
	docs := h.MustDo("COMMAND", "DOCS", "async.bpop").Elems[1].Map()
	if docs["module"].Str != "async" || !strings.HasPrefix(docs["summary"].Str, "Removes and returns") {
		t.Errorf("COMMAND DOCS: %v", docs)
	}
}

func lineWith(text, prefix string) string {
	for _, l := range strings.Split(text, "\r\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// field reads name=value (an integer) from an INFO line's value.
func field(line, name string) int64 {
	for _, kv := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ':' }) {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return -1
}
