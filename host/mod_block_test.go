package host

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"modis/sdk"
)

// In-process tests of the blocking family: thread-safe contexts used by
// many goroutines against commands run by a client at the same time (run
// them with -race), their misuse, and timers. Blocking a client needs a
// connection: test/mod_block_test.go covers it through the real server.

// loadBlockModule loads a module from OnLoad and returns its OnLoad
// context (valid for the goroutine-safe methods after OnLoad).
func loadBlockModule(t *testing.T, s *Server, name string, extra func(ctx sdk.Ctx) error) sdk.Ctx {
	t.Helper()
	var ld sdk.Ctx
	err := s.LoadModuleFunc(name, func(ctx sdk.Ctx, _ []sdk.String) error {
		if err := ctx.Init(name, 1, sdk.APIVER_1); err != nil {
			return err
		}
		ld = ctx
		if extra != nil {
			return extra(ctx)
		}
		return nil
	}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ld
}

func TestModBlockThreadSafeContextsConcurrently(t *testing.T) {
	s, c := newTestServer(t)
	ld := loadBlockModule(t, s, "tsc", nil)
	const workers, times = 8, 100
	var wg sync.WaitGroup
	errs := make(chan string, workers*times)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			tsc := ld.GetDetachedThreadSafeContext()
			defer tsc.Free()
			for j := 0; j < times; j++ {
				if i%2 == 0 {
					if err := tsc.Lock(); err != nil {
						errs <- err.Error()
						return
					}
				} else {
					for {
						err := tsc.TryLock()
						if err == nil {
							break
						}
						if !errors.Is(err, sdk.ErrLockBusy) {
							errs <- err.Error()
							return
						}
						time.Sleep(time.Microsecond)
					}
				}
				if r := tsc.Call("INCR", "c", "n"); r.Type() != sdk.ReplyInteger {
					errs <- "INCR: " + r.String()
				}
				if r := tsc.Call("LPUSH", "cc", "l", "x"); r.Type() != sdk.ReplyInteger {
					errs <- "LPUSH: " + r.String()
				}
				if err := tsc.Unlock(); err != nil {
					errs <- err.Error()
				}
			}
		}(i)
	}
	// The client's commands interleave with the goroutines', atomically.
	for j := 0; j < times; j++ {
		if got := do(t, c, "INCR", "n"); !strings.HasPrefix(got, ":") {
			t.Fatalf("INCR from the client: %q", got)
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if got := do(t, c, "GET", "n"); got != bulk("900") {
		t.Fatalf("GET n = %q, want 900", got)
	}
	if got := do(t, c, "LLEN", "l"); got != ints(workers*times) {
		t.Fatalf("LLEN l = %q", got)
	}
}

func TestModBlockThreadSafeMisuse(t *testing.T) {
	s, _ := newTestServer(t)
	ld := loadBlockModule(t, s, "tsm", nil)
	tsc := ld.GetDetachedThreadSafeContext()
	if r := tsc.Call("PING", ""); r.Type() != sdk.ReplyError || !strings.Contains(r.Error(), "not locked") {
		t.Fatalf("Call without Lock = %v %q", r.Type(), r.String())
	}
	if err := tsc.Unlock(); !errors.Is(err, sdk.ErrNotLocked) {
		t.Fatalf("Unlock without Lock = %v", err)
	}
	if err := tsc.ReplyWithLongLong(1); err == nil {
		t.Fatal("a reply without the lock was accepted")
	}
	if err := tsc.SignalKeyAsReady(sdk.CreateString("k")); err == nil {
		t.Fatal("SignalKeyAsReady without the lock was accepted")
	}
	if _, err := tsc.CreateTimer(1, func(sdk.Ctx, any) {}, nil); err == nil {
		t.Fatal("CreateTimer without the lock was accepted")
	}
	if k := tsc.OpenKey(sdk.CreateString("k"), sdk.Read); k == nil {
		t.Fatal("OpenKey returned nil")
	}
	if err := tsc.Lock(); err != nil {
		t.Fatal(err)
	}
	if err := tsc.Lock(); err == nil { // would deadlock if it waited
		t.Fatal("a second Lock on the same context succeeded")
	}
	if err := tsc.TryLock(); err == nil {
		t.Fatal("TryLock on a locked context succeeded")
	}
	if r := tsc.Call("SET", "cc", "k", "v"); r.String() != "OK" {
		t.Fatalf("Call under the lock = %q", r.String())
	}
	if err := tsc.ReplyWithLongLong(1); err == nil {
		t.Fatal("a detached context replied")
	}
	if _, err := tsc.BlockClient(nil, nil, nil, 0); err == nil {
		t.Fatal("a thread-safe context blocked")
	}
	if err := tsc.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := tsc.Unlock(); !errors.Is(err, sdk.ErrNotLocked) {
		t.Fatalf("second Unlock = %v", err)
	}
	if err := tsc.Lock(); err != nil {
		t.Fatal(err)
	}
	tsc.Free() // unlocks
	tsc.Free() // nothing
	if !s.mu.TryLock() {
		t.Fatal("Free while locked did not unlock")
	}
	s.mu.Unlock()
	if err := tsc.Lock(); !errors.Is(err, sdk.ErrCtxFreed) {
		t.Fatalf("Lock after Free = %v", err)
	}
	if err := tsc.Unlock(); !errors.Is(err, sdk.ErrCtxFreed) {
		t.Fatalf("Unlock after Free = %v", err)
	}
	if r := tsc.Call("PING", ""); !strings.Contains(r.Error(), "freed") {
		t.Fatalf("Call after Free = %q", r.String())
	}
	// Outside a handler nothing blocks.
	if _, err := ld.BlockClient(nil, nil, nil, 0); err == nil {
		t.Fatal("BlockClient in OnLoad's context succeeded")
	}
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestModBlockTimers(t *testing.T) {
	s, c := newTestServer(t)
	defer s.Stop()
	var mu sync.Mutex
	fired := map[string]int{}
	fire := func(ctx sdk.Ctx, data any) {
		mu.Lock()
		fired[data.(string)]++
		mu.Unlock()
		ctx.Call("RPUSH", "cc", "fired", data.(string))
	}
	var soon, later, other sdk.TimerID
	ld := loadBlockModule(t, s, "tim", func(ctx sdk.Ctx) error {
		var err error
		if soon, err = ctx.CreateTimer(5, fire, "soon"); err != nil {
			return err
		}
		if later, err = ctx.CreateTimer(60_000, fire, "later"); err != nil {
			return err
		}
		if _, err := ctx.CreateTimer(-1, fire, nil); err == nil {
			return errors.New("a negative period was accepted")
		}
		if _, err := ctx.CreateTimer(1, nil, nil); err == nil {
			return errors.New("a nil callback was accepted")
		}
		return nil
	})
	other2 := loadBlockModule(t, s, "tim2", func(ctx sdk.Ctx) error {
		var err error
		other, err = ctx.CreateTimer(60_000, fire, "other")
		return err
	})
	waitFor(t, "the first timer", func() bool { mu.Lock(); defer mu.Unlock(); return fired["soon"] == 1 })
	if got := do(t, c, "LRANGE", "fired", "0", "-1"); got != bulks("soon") {
		t.Fatalf("LRANGE fired = %q", got)
	}
	tsc := ld.GetDetachedThreadSafeContext()
	defer tsc.Free()
	tsc.Lock()
	if _, _, ok := tsc.GetTimerInfo(soon); ok {
		t.Error("a fired timer has info")
	}
	rem, data, ok := tsc.GetTimerInfo(later)
	if !ok || data != "later" || rem <= 59_000 || rem > 60_000 {
		t.Errorf("GetTimerInfo(later) = %d %v %v", rem, data, ok)
	}
	if _, _, ok := tsc.GetTimerInfo(other); ok {
		t.Error("another module's timer is visible")
	}
	if _, ok := tsc.StopTimer(other); ok {
		t.Error("another module's timer was stopped")
	}
	if data, ok := tsc.StopTimer(later); !ok || data != "later" {
		t.Errorf("StopTimer(later) = %v %v", data, ok)
	}
	if _, ok := tsc.StopTimer(later); ok {
		t.Error("a timer was stopped twice")
	}
	// A timer created from a timer: 0 ms fires on the next round.
	if _, err := tsc.CreateTimer(0, func(ctx sdk.Ctx, _ any) {
		if _, err := ctx.CreateTimer(0, fire, "chained"); err != nil {
			panic(err)
		}
	}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := tsc.CreateTimer(0, func(sdk.Ctx, any) { panic("boom from a test timer") }, nil); err != nil {
		t.Fatal(err)
	}
	tsc.Unlock()
	waitFor(t, "the chained timer", func() bool { mu.Lock(); defer mu.Unlock(); return fired["chained"] == 1 })
	s.mu.Lock()
	recovers := s.stats.moduleRecovers
	s.mu.Unlock()
	if recovers == 0 {
		t.Error("the panicking timer was not counted")
	}
	// Unloading a module stops its timers.
	s.mu.Lock()
	if err := s.modules.unload("tim2"); err != nil {
		t.Fatal(err)
	}
	s.mu.Unlock()
	tsc2 := other2.GetDetachedThreadSafeContext()
	defer tsc2.Free()
	waitFor(t, "the unloaded module's timer to go", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.modBlk.timers[other] == nil
	})
}
