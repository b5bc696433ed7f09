package test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The blocking family of the sdk through the real server and the blockmod
// test module (test/testdata/plugins/blockmod): clients blocked and
// unblocked from goroutines, timeouts, disconnects, free callbacks,
// clients blocked on keys, thread-safe contexts, timers, and panicking
// callbacks.

func startBlockmod(t *testing.T, extra ...string) (*Server, *bconn) {
	t.Helper()
	s := startServer(t, append([]string{"--loadmodule", plugin("blockmod")}, extra...)...)
	return s, bdial(t, s.Addr)
}

// blockStats reads BLOCK.STATS: frees, disconnects, timeouts, timer fires.
func blockStats(t *testing.T, ctl *bconn) [4]int64 {
	t.Helper()
	r := ctl.do("BLOCK.STATS")
	m := regexp.MustCompile(`:(-?\d+)`).FindAllStringSubmatch(r, -1)
	if len(m) != 4 {
		t.Fatalf("BLOCK.STATS = %q", r)
	}
	var out [4]int64
	for i := range out {
		out[i], _ = strconv.ParseInt(m[i][1], 10, 64)
	}
	return out
}

// freedTimes is how many times privdata v was freed.
func freedTimes(t *testing.T, ctl *bconn, v string) string {
	t.Helper()
	return ctl.do("BLOCK.STATS", v)
}

// eventually polls ctl's reply to args until it is want.
func eventually(t *testing.T, ctl *bconn, want string, args ...string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := ctl.do(args...)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v: got %q, want %q", args, got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestModBlockUnblockFromGoroutine(t *testing.T) {
	s, ctl := startBlockmod(t)
	a := named(t, s.Addr, "a")
	start := time.Now()
	expect(t, "BLOCK.SLEEP", a.do("BLOCK.SLEEP", "60"), ":60\r\n")
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Fatalf("BLOCK.SLEEP 60 replied after %v", d)
	}
	eventually(t, ctl, ":1\r\n", "BLOCK.STATS", "60")

	// While a blocks, the server serves others; a's pipelined commands
	// wait in the socket and run, in order, after its reply.
	a.send([]string{"BLOCK.SLEEP", "300"}, []string{"PING"}, []string{"SET", "after", "1"}, []string{"GET", "after"})
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		list := ctl.do("CLIENT", "LIST")
		if regexp.MustCompile(`name=a .*flags=b .*cmd=block\.sleep `).MatchString(list) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the client never showed blocked (flag b):\n%s", list)
		}
	}
	if info := ctl.do("INFO", "clients"); !strings.Contains(info, "blocked_clients:1\r\n") {
		t.Fatalf("INFO clients while blocked:\n%s", info)
	}
	expect(t, "PING from another client", ctl.do("PING"), "+PONG\r\n")
	expect(t, "the pipelined SET has not run", ctl.do("GET", "after"), "$-1\r\n")
	a.silent(100 * time.Millisecond)
	expect(t, "blocked reply", a.must(), ":300\r\n")
	expect(t, "pipelined PING", a.must(), "+PONG\r\n")
	expect(t, "pipelined SET", a.must(), "+OK\r\n")
	expect(t, "pipelined GET", a.must(), "$1\r\n1\r\n")
	if info := ctl.do("INFO", "clients"); !strings.Contains(info, "blocked_clients:0\r\n") {
		t.Fatalf("INFO clients after:\n%s", info)
	}
	// RESP3 client, same reply.
	b := bdial(t, s.Addr)
	b.do("HELLO", "3")
	expect(t, "RESP3 BLOCK.SLEEP", b.do("BLOCK.SLEEP", "1"), ":1\r\n")
	expect(t, "BLOCK.CLOCK", ctl.do("BLOCK.CLOCK"), "+OK\r\n")
	// Every handle was freed exactly once.
	eventually(t, ctl, ":1\r\n", "BLOCK.STATS", "300")
	eventually(t, ctl, ":1\r\n", "BLOCK.STATS", "1")
}

func TestModBlockTimeout(t *testing.T) {
	s, ctl := startBlockmod(t)
	a := named(t, s.Addr, "a")
	start := time.Now()
	expect(t, "timed out", a.do("BLOCK.HOLD", "h1", "50"), "-TIMEDOUT the blocked command timed out\r\n")
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Fatalf("timed out after %v", d)
	}
	expect(t, "PING after", a.do("PING"), "+PONG\r\n")
	// After a timeout the module still unblocks the handle, as in Redis:
	// free runs then, once, and no reply reaches the client.
	expect(t, "not freed yet", freedTimes(t, ctl, "v1"), ":0\r\n")
	expect(t, "BLOCK.RELEASE", ctl.do("BLOCK.RELEASE", "h1", "v1"), ":1\r\n")
	expect(t, "freed", freedTimes(t, ctl, "v1"), ":1\r\n")
	a.silent(50 * time.Millisecond)

	// The goroutine finishes after the timeout: free still runs once.
	expect(t, "BLOCK.SLEEP timed out", a.do("BLOCK.SLEEP", "200", "20"), "-TIMEDOUT the blocked command timed out\r\n")
	eventually(t, ctl, ":1\r\n", "BLOCK.STATS", "200")
	a.silent(50 * time.Millisecond)
	if st := blockStats(t, ctl); st[2] != 2 {
		t.Fatalf("timeouts = %d, want 2", st[2])
	}
	// CLIENT UNBLOCK runs the timeout callback.
	b := blocked(t, s.Addr, ctl, "b", "BLOCK.HOLD", "h2")
	expect(t, "CLIENT UNBLOCK", ctl.do("CLIENT", "UNBLOCK", clientID(t, ctl, "b")), ":1\r\n")
	expect(t, "unblocked", b.must(), "-TIMEDOUT the blocked command timed out\r\n")
	expect(t, "BLOCK.RELEASE h2", ctl.do("BLOCK.RELEASE", "h2", "v2"), ":1\r\n")
	expect(t, "h2 freed", freedTimes(t, ctl, "v2"), ":1\r\n")
}

// clientID finds the id of the client called name in CLIENT LIST.
func clientID(t *testing.T, ctl *bconn, name string) string {
	t.Helper()
	m := regexp.MustCompile(`id=(\d+) [^\n]* name=` + name + ` `).FindStringSubmatch(ctl.do("CLIENT", "LIST"))
	if m == nil {
		t.Fatalf("no client %s", name)
	}
	return m[1]
}

// eventuallyStat polls BLOCK.STATS until counter i (0 frees, 1
// disconnects, 2 timeouts, 3 timer fires) is want.
func eventuallyStat(t *testing.T, ctl *bconn, i int, want int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st := blockStats(t, ctl)
		if st[i] == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("BLOCK.STATS[%d] = %d, want %d", i, st[i], want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestModBlockDisconnect(t *testing.T) {
	s, ctl := startBlockmod(t)
	// The peer goes away: the disconnect callback runs (and cannot reply);
	// the module unblocks the handle later, which frees it.
	a := blocked(t, s.Addr, ctl, "a", "BLOCK.HOLD", "d1")
	a.c.Close()
	waitClient(t, ctl, "a", "")
	eventuallyStat(t, ctl, 1, 1)
	expect(t, "release", ctl.do("BLOCK.RELEASE", "d1", "vd1"), ":1\r\n")
	expect(t, "freed", freedTimes(t, ctl, "vd1"), ":1\r\n")
	// CLIENT KILL, the same.
	b := blocked(t, s.Addr, ctl, "b", "BLOCK.HOLD", "d2")
	expect(t, "CLIENT KILL", ctl.do("CLIENT", "KILL", "ID", clientID(t, ctl, "b")), ":1\r\n")
	eventuallyStat(t, ctl, 1, 2)
	expect(t, "release", ctl.do("BLOCK.RELEASE", "d2", "vd2"), ":1\r\n")
	expect(t, "freed", freedTimes(t, ctl, "vd2"), ":1\r\n")
	_ = b
	// A client blocked on keys that goes away: the server finishes the
	// handle itself.
	before := freedTimes(t, ctl, "pop")
	c := blocked(t, s.Addr, ctl, "c", "BLOCK.POP", "dk")
	c.c.Close()
	waitClient(t, ctl, "c", "")
	n, _ := strconv.Atoi(strings.Trim(before, ":\r\n"))
	eventually(t, ctl, ":"+strconv.Itoa(n+1)+"\r\n", "BLOCK.STATS", "pop")
	// A timeout is not a disconnect.
	ctl.do("BLOCK.HOLD", "d3", "10")
	if st := blockStats(t, ctl); st[1] != 2 {
		t.Fatalf("disconnects = %d after a timeout", st[1])
	}
	ctl.do("BLOCK.RELEASE", "d3", "vd3")
	s.mustAlive()
}

func TestModBlockAbort(t *testing.T) {
	s, ctl := startBlockmod(t)
	before := blockStats(t, ctl)[0]
	// Aborted inside the handler, which then replies itself.
	expect(t, "BLOCK.ABORTNOW", ctl.do("BLOCK.ABORTNOW"), "+ABORTED\r\n")
	expect(t, "PING", ctl.do("PING"), "+PONG\r\n")
	eventuallyStat(t, ctl, 0, before+1)
	// Aborted later: no reply callback; the client is told.
	a := blocked(t, s.Addr, ctl, "a", "BLOCK.HOLD", "ab")
	expect(t, "BLOCK.ABORT", ctl.do("BLOCK.ABORT", "ab"), ":1\r\n")
	expect(t, "aborted", a.must(), "-ERR module command 'block.hold' was aborted without a reply\r\n")
	eventuallyStat(t, ctl, 0, before+2)
	// A handler that replies after blocking: the block is cancelled.
	expect(t, "BLOCK.REPLYBLOCK", ctl.do("BLOCK.REPLYBLOCK"), "+replied\r\n")
	expect(t, "PING after", ctl.do("PING"), "+PONG\r\n")
}

func TestModBlockOnKeys(t *testing.T) {
	s, ctl := startBlockmod(t)
	// A list push makes the key ready.
	a := blocked(t, s.Addr, ctl, "a", "BLOCK.POP", "l")
	a.silent(50 * time.Millisecond)
	expect(t, "LPUSH", ctl.do("LPUSH", "l", "x", "y"), ":2\r\n")
	expect(t, "served", a.must(), rarr(rbulk("l"), rbulk("y")))
	expect(t, "left", ctl.do("LRANGE", "l", "0", "-1"), rarr(rbulk("x")))

	// One queue for module and built-in blocked clients: first blocked,
	// first served.
	x := blocked(t, s.Addr, ctl, "x", "BLPOP", "q", "0")
	y := blocked(t, s.Addr, ctl, "y", "BLOCK.POP", "q")
	z := blocked(t, s.Addr, ctl, "z", "BLPOP", "q", "0")
	expect(t, "RPUSH", ctl.do("RPUSH", "q", "1", "2", "3"), ":3\r\n")
	expect(t, "x", x.must(), rarr(rbulk("q"), rbulk("1")))
	expect(t, "y", y.must(), rarr(rbulk("q"), rbulk("2")))
	expect(t, "z", z.must(), rarr(rbulk("q"), rbulk("3")))

	// A module client that declines (ErrNotReady) does not stop the
	// clients behind it, and what it replied before declining is dropped.
	w := blocked(t, s.Addr, ctl, "w", "BLOCK.WAITVAL", "k", "go")
	expect(t, "SET k no", ctl.do("SET", "k", "no"), "+OK\r\n")
	expect(t, "signal", ctl.do("BLOCK.SIGNAL", "k"), "+OK\r\n")
	w.silent(50 * time.Millisecond)
	expect(t, "SET k go", ctl.do("SET", "k", "go"), "+OK\r\n")
	w.silent(50 * time.Millisecond) // a SET does not signal a module's key
	expect(t, "signal", ctl.do("BLOCK.SIGNAL", "k"), "+OK\r\n")
	expect(t, "served", w.must(), rbulk("go"))
	expect(t, "freed", freedTimes(t, ctl, "waitval:k"), ":1\r\n")

	// As in Redis 7.0, a signalled key that does not exist serves nobody.
	v := blocked(t, s.Addr, ctl, "v", "BLOCK.WAITVAL", "nokey", "")
	ctl.do("BLOCK.SIGNAL", "nokey")
	v.silent(50 * time.Millisecond)

	// Timeout.
	expect(t, "timeout", ctl.do("BLOCK.POP", "none", "30"), "-TIMEDOUT the blocked command timed out\r\n")

	// Inside MULTI BLPOP does not block; neither does a module on keys.
	ctl.do("MULTI")
	ctl.do("BLOCK.POP", "none")
	expect(t, "EXEC", ctl.do("EXEC"), "*1\r\n-ERR Blocking module command called from transaction\r\n")
	s.mustAlive()
}

func TestModBlockThreadSafeContexts(t *testing.T) {
	_, ctl := startBlockmod(t)
	// 8 goroutines, 50 INCRs each, under Lock or TryLock, while this
	// client's own commands interleave.
	ctl.send([]string{"BLOCK.TSINCR", "n", "8", "50"})
	other := bdial(t, ctl.c.RemoteAddr().String())
	for i := 0; i < 5; i++ {
		other.do("INCR", "n")
	}
	got := ctl.must()
	if n, err := strconv.Atoi(strings.TrimSpace(got[strings.Index(got, "\n")+1:])); err != nil || n < 400 || n > 405 {
		t.Fatalf("BLOCK.TSINCR = %q, want 400 to 405", got)
	}
	expect(t, "GET n", other.do("GET", "n"), rbulk("405"))
	// Replies through the blocked client's thread-safe context, over two
	// holds of the lock, delivered at unblock; the reply callback's own
	// reply is refused.
	expect(t, "BLOCK.TSREPLY", ctl.do("BLOCK.TSREPLY", "3"), "*3\r\n:1\r\n:2\r\n:3\r\n")
	ctl.do("HELLO", "3")
	expect(t, "BLOCK.TSREPLY RESP3", ctl.do("BLOCK.TSREPLY", "0"), "*0\r\n")
	ctl.do("HELLO", "2")
	// Misuse returns errors.
	got = ctl.do("BLOCK.MISUSE")
	notLocked := "thread-safe context is not locked (call Lock first)"
	want := []string{
		"ERR Call PING: " + notLocked, // Call without Lock
		notLocked,                     // Unlock without Lock
		"nil",                         // Lock
		"thread-safe context is already locked (Unlock it first)", // Lock twice
		"",                              // a detached context replies: refused (the text is the reply API's)
		"nil",                           // Unlock
		notLocked,                       // Unlock twice
		notLocked,                       // SignalKeyAsReady without Lock
		notLocked,                       // CreateTimer without Lock
		"thread-safe context was freed", // Lock after Free
		"ERR Call PING: thread-safe context was freed", // Call after Free
		"BlockClient may only be called in a command handler, not on a thread-safe context",
	}
	elems := regexp.MustCompile(`\$\d+\r\n([^\r]*)\r\n`).FindAllStringSubmatch(got, -1)
	if !strings.HasPrefix(got, "*12\r\n") || len(elems) != len(want) {
		t.Fatalf("BLOCK.MISUSE = %q", got)
	}
	for i, w := range want {
		if e := elems[i][1]; w == "" && (e == "nil" || e == "") || w != "" && e != w {
			t.Errorf("BLOCK.MISUSE[%d] = %q, want %q", i, e, w)
		}
	}
}

func TestModBlockTimers(t *testing.T) {
	s, ctl := startBlockmod(t)
	eventually(t, ctl, rbulk("1"), "GET", "blockmod:loaded") // the OnLoad timer
	id := strings.Trim(ctl.do("BLOCK.TIMER", "300", "tk", "v"), ":\r\n")
	info := ctl.do("BLOCK.TIMERINFO", id)
	m := regexp.MustCompile(`^\*2\r\n:(\d+)\r\n\$1\r\nv\r\n$`).FindStringSubmatch(info)
	if m == nil {
		t.Fatalf("BLOCK.TIMERINFO = %q", info)
	}
	if rem, _ := strconv.Atoi(m[1]); rem > 300 || rem <= 0 {
		t.Fatalf("remaining %d ms of 300", rem)
	}
	expect(t, "not yet", ctl.do("GET", "tk"), "$-1\r\n")
	eventually(t, ctl, rbulk("v"), "GET", "tk")
	expect(t, "fired timer info", ctl.do("BLOCK.TIMERINFO", id), "$-1\r\n")
	expect(t, "fired timer stop", ctl.do("BLOCK.STOPTIMER", id), "$-1\r\n")

	id2 := strings.Trim(ctl.do("BLOCK.TIMER", "100", "tk2", "w"), ":\r\n")
	expect(t, "stop", ctl.do("BLOCK.STOPTIMER", id2), rbulk("w"))
	expect(t, "stop twice", ctl.do("BLOCK.STOPTIMER", id2), "$-1\r\n")
	time.Sleep(200 * time.Millisecond)
	expect(t, "a stopped timer did not fire", ctl.do("GET", "tk2"), "$-1\r\n")

	// A panicking timer callback is recovered.
	fires := blockStats(t, ctl)[3]
	ctl.do("BLOCK.TIMERPANIC", "1")
	eventuallyStat(t, ctl, 3, fires+1)
	if !s.waitLog("boom from a timer") {
		t.Fatalf("no log of the timer's panic:\n%s", s.Log())
	}
	s.mustAlive()

	// Unloading the module stops its timers.
	ctl.do("BLOCK.TIMER", "150", "tk3", "z")
	expect(t, "MODULE UNLOAD", ctl.do("MODULE", "UNLOAD", "blockmod"), "+OK\r\n")
	time.Sleep(300 * time.Millisecond)
	expect(t, "an unloaded module's timer did not fire", ctl.do("GET", "tk3"), "$-1\r\n")
}

func TestModBlockPanics(t *testing.T) {
	s, ctl := startBlockmod(t)
	for _, what := range []string{"reply", "timeout"} {
		got := ctl.do("BLOCK.PANIC", what)
		if !strings.HasPrefix(got, "-ERR command 'block.panic' (module blockmod) panicked: boom from the "+what+" callback") {
			t.Fatalf("BLOCK.PANIC %s = %q", what, got)
		}
		expect(t, "PING after", ctl.do("PING"), "+PONG\r\n")
	}
	expect(t, "BLOCK.PANIC free", ctl.do("BLOCK.PANIC", "free"), rbulk("x"))
	if !s.waitLog("boom from free") {
		t.Fatalf("no log of the free callback's panic")
	}
	// A handler that panics after blocking: the client gets the panic's
	// error and does not stay blocked.
	got := ctl.do("BLOCK.PANIC", "handler")
	if !strings.Contains(got, "panicked: boom from the handler after blocking") {
		t.Fatalf("BLOCK.PANIC handler = %q", got)
	}
	expect(t, "PING after", ctl.do("PING"), "+PONG\r\n")
	if info := ctl.do("INFO", "clients"); !strings.Contains(info, "blocked_clients:0\r\n") {
		t.Fatalf("INFO clients:\n%s", info)
	}
	s.mustAlive()
}

func TestModBlockWhereBlockingIsNotPossible(t *testing.T) {
	s, ctl := startBlockmod(t, "--loadmodule", plugin("testmod"))
	// MULTI: the block is faked as Redis does, the client gets an error;
	// the module's goroutine unblocks the handle, which frees it.
	ctl.do("MULTI")
	ctl.do("BLOCK.SLEEP", "7")
	ctl.do("PING")
	expect(t, "EXEC", ctl.do("EXEC"), "*2\r\n-ERR Blocking module command called from transaction\r\n+PONG\r\n")
	eventually(t, ctl, ":1\r\n", "BLOCK.STATS", "7")
	// A script.
	got := ctl.do("EVAL", "return redis.call('block.sleep', '8')", "0")
	if !strings.Contains(got, "Blocking module command called from Lua script") {
		t.Fatalf("EVAL = %q", got)
	}
	eventually(t, ctl, ":1\r\n", "BLOCK.STATS", "8")
	// A module's Call.
	expect(t, "Call", ctl.do("TESTMOD.CALL", "block.sleep", "9"), "-ERR Blocking module command called from a module Call\r\n")
	eventually(t, ctl, ":1\r\n", "BLOCK.STATS", "9")
	s.mustAlive()
}

func TestModBlockStatistics(t *testing.T) {
	_, ctl := startBlockmod(t)
	expect(t, "CONFIG SET", ctl.do("CONFIG", "SET", "slowlog-log-slower-than", "50000"), "+OK\r\n")
	ctl.do("SLOWLOG", "RESET")
	expect(t, "BLOCK.MEASURE", ctl.do("BLOCK.MEASURE", "80"), ":80\r\n")
	info := ctl.do("INFO", "commandstats")
	m := regexp.MustCompile(`cmdstat_block\.measure:calls=1,usec=(\d+),`).FindStringSubmatch(info)
	if m == nil {
		t.Fatalf("INFO commandstats:\n%s", info)
	}
	if us, _ := strconv.Atoi(m[1]); us < 80000 {
		t.Fatalf("block.measure usec=%d, want the 80 ms measured in the background", us)
	}
	if sl := ctl.do("SLOWLOG", "GET"); !strings.Contains(sl, "BLOCK.MEASURE") {
		t.Fatalf("SLOWLOG GET = %q", sl)
	}
}

// TestModBlockQueueSkipsOtherTypes: a client that cannot be served from a
// ready key does not stop those blocked behind it on the same key (the
// per-key queue serveReady walks is shared by module and built-in blocked
// clients).
func TestModBlockQueueSkipsOtherTypes(t *testing.T) {
	onTargets(t, func(t *testing.T, addr string, ctl *bconn) {
		z := blocked(t, addr, ctl, "z", "BZPOPMIN", "k", "0")
		l := blocked(t, addr, ctl, "l", "BLPOP", "k", "0")
		expect(t, "LPUSH", ctl.do("LPUSH", "k", "v"), ":1\r\n")
		expect(t, "BLPOP served", l.must(), rarr(rbulk("k"), rbulk("v")))
		z.silent(50 * time.Millisecond)
		ctl.do("ZADD", "k", "1", "m")
		expect(t, "BZPOPMIN served", z.must(), rarr(rbulk("k"), rbulk("m"), rbulk("1")))
	})
}
