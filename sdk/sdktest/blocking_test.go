package sdktest_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"modis/sdk"
	"modis/sdk/sdktest"
)

// waiter is a module that blocks: WAITER.WAIT blocks its client until
// WAITER.WAKE value (another client) unblocks it with value, or until its
// timeout in milliseconds; WAITER.KEYS key blocks on a list until it can
// pop an element, and replies it. The disconnect callback counts disconnects.
var waiter struct {
	mu           sync.Mutex
	pending      []sdk.BlockedClient
	disconnected int
	freed        int
}

func waiterLoad(ctx sdk.Ctx, _ []sdk.String) error {
	if err := ctx.Init("waiter", 1, sdk.APIVER_1); err != nil {
		return err
	}
	if err := ctx.CreateCommand("waiter.wait", waitCmd, "readonly", 0, 0, 0); err != nil {
		return err
	}
	if err := ctx.CreateCommand("waiter.wake", wakeCmd, "readonly", 0, 0, 0); err != nil {
		return err
	}
	return ctx.CreateCommand("waiter.keys", keysCmd, "readonly", 1, 1, 1)
}

func waitCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	ms, err := argv[1].ToLongLong()
	if err != nil {
		return err
	}
	bc, err := ctx.BlockClient(
		func(ctx sdk.Ctx, v any) error { return ctx.ReplyWithString(v.(sdk.String)) },
		func(ctx sdk.Ctx, _ any) error { return ctx.ReplyWithSimpleString("TIMEDOUT") },
		func(any) { waiter.mu.Lock(); waiter.freed++; waiter.mu.Unlock() },
		ms)
	if err != nil {
		return err
	}
	bc.SetDisconnectCallback(func(ctx sdk.Ctx, bc sdk.BlockedClient) {
		waiter.mu.Lock()
		waiter.disconnected++
		waiter.mu.Unlock()
	})
	waiter.mu.Lock()
	waiter.pending = append(waiter.pending, bc)
	waiter.mu.Unlock()
	return nil
}

// wakeCmd unblocks every waiting client from a goroutine, as a worker would.
func wakeCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	waiter.mu.Lock()
	pending := waiter.pending
	waiter.pending = nil
	waiter.mu.Unlock()
	v := argv[1].Retain()
	go func() {
		for _, bc := range pending {
			bc.UnblockClient(v)
		}
	}()
	return ctx.ReplyWithLongLong(int64(len(pending)))
}

func keysCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	_, err := ctx.BlockClientOnKeys(
		func(ctx sdk.Ctx, _ any) error {
			key, _ := ctx.GetBlockedClientReadyKey()
			r := ctx.Call("LPOP", "s", key)
			if r.Type() != sdk.ReplyString {
				return sdk.ErrNotReady
			}
			return ctx.ReplyWithCallReply(r)
		},
		nil, nil, 0, []sdk.String{argv[1]}, nil)
	return err
}

func waiterCounts() (disconnected, freed int) {
	waiter.mu.Lock()
	defer waiter.mu.Unlock()
	return waiter.disconnected, waiter.freed
}

// A module's BlockClient blocks the in-process client until a goroutine
// unblocks it; meanwhile the server serves the other clients.
func TestBlockModuleUnblock(t *testing.T) {
	h := sdktest.New(t, waiterLoad)
	_, freed := waiterCounts()
	p := h.DoAsync("WAITER.WAIT", "0")
	p.WaitBlocked()
	if p.Done() {
		t.Fatal("replied while blocked")
	}
	other := h.Client()
	other.MustEqual("PONG", "PING")
	// INFO counts the blocked client.
	if info := other.MustDo("INFO", "clients").Str; !strings.Contains(info, "blocked_clients:1\r\n") {
		t.Errorf("INFO clients:\n%s", info)
	}
	if _, ok := p.WaitTimeout(50 * time.Millisecond); ok {
		t.Fatal("replied before WAITER.WAKE")
	}
	other.MustEqual(int64(1), "WAITER.WAKE", "hello")
	p.MustEqual("hello")
	if _, f := waiterCounts(); f != freed+1 {
		t.Errorf("free callback ran %d times, want 1", f-freed)
	}
	// The client is usable again.
	h.MustEqual("PONG", "PING")
}

// A block with a timeout runs the timeout callback.
func TestBlockModuleTimeout(t *testing.T) {
	h := sdktest.New(t, waiterLoad)
	start := time.Now()
	h.MustEqual("TIMEDOUT", "WAITER.WAIT", "30")
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("timed out after %v", d)
	}
	waiter.mu.Lock()
	pending := waiter.pending
	waiter.pending = nil
	waiter.mu.Unlock()
	for _, bc := range pending { // the module still unblocks the handle: free runs
		bc.UnblockClient(sdk.StringFromBytes(nil))
	}
}

// Close is a disconnect: the blocked command ends without a reply, the
// disconnect callback has run when Close returns, and the client's next
// command opens a new connection.
func TestBlockModuleDisconnect(t *testing.T) {
	h := sdktest.New(t, waiterLoad)
	c := h.Client()
	c.MustEqual("OK", "SELECT", "3")
	disc, _ := waiterCounts()
	p := c.DoAsync("WAITER.WAIT", "0")
	p.WaitBlocked()
	if !c.Blocked() {
		t.Fatal("Blocked() = false")
	}
	c.Close()
	if d, _ := waiterCounts(); d != disc+1 {
		t.Errorf("disconnect callback ran %d times, want 1", d-disc)
	}
	if r := p.Wait(); r.Type != sdk.ReplyUnknown {
		t.Errorf("reply after Close: %s", r)
	}
	if c.Blocked() {
		t.Error("Blocked() after Close")
	}
	h.MustEqual(int64(1), "WAITER.WAKE", "late") // the module unblocks the dead handle
	// The next command opens a new connection, on database 0.
	if info := c.MustDo("CLIENT", "INFO").Str; !strings.Contains(info, " db=0 ") {
		t.Errorf("CLIENT INFO after Close: %s", info)
	}
}

// BlockClientOnKeys: clients blocked on a key are served by other
// clients' writes, first blocked first served.
func TestBlockModuleOnKeys(t *testing.T) {
	h := sdktest.New(t, waiterLoad)
	p1 := h.DoAsync("WAITER.KEYS", "k")
	p1.WaitBlocked()
	p2 := h.Client().DoAsync("WAITER.KEYS", "k")
	p2.WaitBlocked()
	other := h.Client()
	other.MustEqual(int64(1), "LPUSH", "k", "x")
	p1.MustEqual("x")
	if _, ok := p2.WaitTimeout(20 * time.Millisecond); ok {
		t.Fatal("both served by one element")
	}
	other.MustEqual(int64(1), "LPUSH", "k", "y")
	p2.MustEqual("y")
}

// Built-in blocking commands block too: BLPOP served by an LPUSH, BLPOP
// timing out, BLMOVE, and no blocking inside MULTI.
func TestBlockBuiltin(t *testing.T) {
	h := sdktest.New(t, onLoad)
	p := h.DoAsync("BLPOP", "a", "b", "0")
	p.WaitBlocked()
	h.Client().MustEqual(int64(1), "RPUSH", "b", "x")
	p.MustEqual([]string{"b", "x"})

	start := time.Now()
	h.MustEqual(nil, "BLPOP", "a", "0.05")
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("BLPOP timed out after %v", d)
	}

	p = h.DoAsync("BLMOVE", "src", "dst", "LEFT", "RIGHT", "0")
	p.WaitBlocked()
	h.Client().MustEqual(int64(2), "RPUSH", "src", "1", "2")
	p.MustEqual("1")
	h.MustEqual([]string{"1"}, "LRANGE", "dst", "0", "-1")

	c := h.Client()
	c.MustEqual("OK", "MULTI")
	c.MustEqual("QUEUED", "BLPOP", "none", "0")
	c.MustEqual([]any{nil}, "EXEC")

	// A second command of a blocked client waits for the first.
	p = c.DoAsync("BLPOP", "q", "0")
	p.WaitBlocked()
	p2 := c.DoAsync("ECHO", "after")
	if _, ok := p2.WaitTimeout(20 * time.Millisecond); ok {
		t.Fatal("a blocked client ran its next command")
	}
	h.MustEqual(int64(1), "LPUSH", "q", "v")
	p.MustEqual([]string{"q", "v"})
	p2.MustEqual("after")
}

// The harness ends blocked commands at Restart and at the end of the test.
func TestBlockRestart(t *testing.T) {
	h := sdktest.New(t, onLoad)
	p := h.Client().DoAsync("BLPOP", "q", "0")
	p.WaitBlocked()
	h.MustEqual(int64(1), "RPUSH", "keep", "x")
	h.Restart()
	if r := p.Wait(); r.Type != sdk.ReplyUnknown {
		t.Errorf("reply after Restart: %s", r)
	}
	h.MustEqual(int64(1), "LLEN", "keep")
	h.DoAsync("BLPOP", "q", "0").WaitBlocked() // left blocked: the cleanup ends it
}

// WaitBlocked fails for a command that does not block; checked through a
// fake testing.TB.
func TestWaitBlockedFails(t *testing.T) {
	ft := &fakeT{TB: t}
	h := sdktest.New(ft, onLoad)
	done := make(chan struct{})
	go func() { // Fatalf ends the goroutine, as in a test
		defer close(done)
		h.DoAsync("PING").WaitBlocked()
	}()
	<-done
	if ft.failed == "" {
		t.Error("WaitBlocked did not fail for PING")
	}
}

type fakeT struct {
	testing.TB
	mu     sync.Mutex
	failed string
}

func (f *fakeT) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.failed = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fakeT) Helper() {}
