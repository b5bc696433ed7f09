// Command blockmod is a test module for the blocking family of the sdk:
// blocked clients unblocked from goroutines, timeouts, disconnect and free
// callbacks, clients blocked on keys, thread-safe contexts and timers. Its
// counters (BLOCK.STATS) let the tests see what the server called.
package main

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"modis/sdk"
)

// Counters of the callbacks the server ran.
var (
	frees       atomic.Int64
	freeVals    sync.Map // privdata value -> times freed
	disconnects atomic.Int64
	timeouts    atomic.Int64
	timerFires  atomic.Int64
)

// held are the handles BLOCK.HOLD keeps, by name.
var (
	heldMu sync.Mutex
	held   = map[string]sdk.BlockedClient{}
)

func free(privdata any) {
	frees.Add(1)
	if privdata != nil {
		k := fmt.Sprint(privdata)
		v, _ := freeVals.LoadOrStore(k, new(atomic.Int64))
		v.(*atomic.Int64).Add(1)
	}
}

func replyPrivdata(ctx sdk.Ctx, privdata any) error {
	if !ctx.IsBlockedReplyRequest() || ctx.IsBlockedTimeoutRequest() || ctx.GetBlockedClientHandle() == nil {
		return errors.New("ERR not in a reply callback")
	}
	if ctx.GetBlockedClientPrivateData() != privdata {
		return errors.New("ERR GetBlockedClientPrivateData differs from the callback's privdata")
	}
	switch v := privdata.(type) {
	case int64:
		return ctx.ReplyWithLongLong(v)
	case string:
		return ctx.ReplyWithCString(v)
	case nil:
		return ctx.ReplyWithNull()
	}
	return fmt.Errorf("ERR unexpected privdata %T", privdata)
}

func timedOut(ctx sdk.Ctx, privdata any) error {
	if !ctx.IsBlockedTimeoutRequest() || ctx.IsBlockedReplyRequest() {
		return errors.New("ERR not in a timeout callback")
	}
	timeouts.Add(1)
	return ctx.ReplyWithError("TIMEDOUT the blocked command timed out")
}

func argInt(s sdk.String) (int64, error) { return s.ToLongLong() }

// BLOCK.SLEEP ms [timeout-ms]: replies ms after ms milliseconds, from a
// goroutine; with a timeout shorter than that, TIMEDOUT.
func sleepCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 && len(argv) != 3 {
		return ctx.WrongArity()
	}
	ms, err := argInt(argv[1])
	if err != nil {
		return err
	}
	var tmo int64
	if len(argv) == 3 {
		if tmo, err = argInt(argv[2]); err != nil {
			return err
		}
	}
	bc, err := ctx.BlockClient(replyPrivdata, timedOut, free, tmo)
	if err != nil {
		return err
	}
	go func() {
		time.Sleep(time.Duration(ms) * time.Millisecond)
		if err := bc.UnblockClient(ms); err != nil {
			panic(err)
		}
		if err := bc.UnblockClient(ms); !errors.Is(err, sdk.ErrAlreadyUnblocked) {
			panic(fmt.Sprintf("second UnblockClient: %v", err))
		}
	}()
	return nil
}

// BLOCK.MEASURE ms: as BLOCK.SLEEP, measuring the sleep as background time.
func measureCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	ms, err := argInt(argv[1])
	if err != nil {
		return err
	}
	bc, err := ctx.BlockClient(replyPrivdata, nil, free, 0)
	if err != nil {
		return err
	}
	if bc.BlockedClientMeasureTimeEnd() == nil {
		return errors.New("ERR MeasureTimeEnd without a start succeeded")
	}
	go func() {
		bc.BlockedClientMeasureTimeStart()
		time.Sleep(time.Duration(ms) * time.Millisecond)
		bc.BlockedClientMeasureTimeEnd()
		bc.UnblockClient(ms)
	}()
	return nil
}

// BLOCK.HOLD name [timeout-ms]: blocks until BLOCK.RELEASE name, BLOCK.ABORT
// name, the timeout (TIMEDOUT) or a disconnect (counted).
func holdCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 && len(argv) != 3 {
		return ctx.WrongArity()
	}
	var tmo int64
	var err error
	if len(argv) == 3 {
		if tmo, err = argInt(argv[2]); err != nil {
			return err
		}
	}
	bc, err := ctx.BlockClient(replyPrivdata, timedOut, free, tmo)
	if err != nil {
		return err
	}
	bc.SetDisconnectCallback(func(ctx sdk.Ctx, b sdk.BlockedClient) {
		if !ctx.BlockedClientDisconnected() || b != bc {
			panic("disconnect callback without BlockedClientDisconnected")
		}
		if ctx.ReplyWithSimpleString("nobody listens") == nil {
			panic("a disconnect callback could reply")
		}
		disconnects.Add(1)
	})
	heldMu.Lock()
	held[argv[1].String()] = bc
	heldMu.Unlock()
	return nil
}

// BLOCK.HOLDBARE name: as BLOCK.HOLD without a timeout callback or a
// timeout, so CLIENT UNBLOCK may not end it (Redis 7.0).
func holdBareCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	bc, err := ctx.BlockClient(replyPrivdata, nil, free, 0)
	if err != nil {
		return err
	}
	heldMu.Lock()
	held[argv[1].String()] = bc
	heldMu.Unlock()
	return nil
}

func takeHeld(name string) sdk.BlockedClient {
	heldMu.Lock()
	defer heldMu.Unlock()
	bc := held[name]
	delete(held, name)
	return bc
}

// BLOCK.RELEASE name value: unblocks a held client from a goroutine with
// value as privdata; replies 1 if it was held.
func releaseCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 3 {
		return ctx.WrongArity()
	}
	bc := takeHeld(argv[1].String())
	if bc == nil {
		return ctx.ReplyWithLongLong(0)
	}
	v := argv[2].String()
	done := make(chan error)
	go func() { done <- bc.UnblockClient(v) }()
	if err := <-done; err != nil {
		return err
	}
	return ctx.ReplyWithLongLong(1)
}

// BLOCK.ABORT name: aborts a held client's block.
func abortCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	bc := takeHeld(argv[1].String())
	if bc == nil {
		return ctx.ReplyWithLongLong(0)
	}
	if err := bc.AbortBlock(); err != nil {
		return err
	}
	return ctx.ReplyWithLongLong(1)
}

// BLOCK.ABORTNOW: blocks, aborts at once, and replies itself, the C idiom
// for "cannot start the thread".
func abortNowCmd(ctx sdk.Ctx, argv []sdk.String) error {
	bc, err := ctx.BlockClient(replyPrivdata, nil, free, 0)
	if err != nil {
		return err
	}
	if err := bc.AbortBlock(); err != nil {
		return err
	}
	return ctx.ReplyWithSimpleString("ABORTED")
}

// BLOCK.POP key [timeout-ms]: blocks on a list key until it has an element
// (LPUSH makes it ready) and pops it: [key, element].
func popCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 && len(argv) != 3 {
		return ctx.WrongArity()
	}
	var tmo int64
	var err error
	if len(argv) == 3 {
		if tmo, err = argInt(argv[2]); err != nil {
			return err
		}
	}
	key := argv[1].Retain()
	_, err = ctx.BlockClientOnKeys(func(ctx sdk.Ctx, privdata any) error {
		ready, ok := ctx.GetBlockedClientReadyKey()
		if !ok || ready.String() != key.String() || privdata != "pop" {
			return errors.New("ERR wrong ready key or privdata")
		}
		r := ctx.Call("LPOP", "s", key)
		if r.Type() != sdk.ReplyString {
			return sdk.ErrNotReady
		}
		ctx.ReplyWithArray(2)
		ctx.ReplyWithString(key)
		return ctx.ReplyWithCallReply(r)
	}, timedOut, free, tmo, []sdk.String{key}, "pop")
	return err
}

// BLOCK.WAITVAL key value [timeout-ms]: blocks until the string key holds
// value, checked each time BLOCK.SIGNAL key signals it; replies the value.
func waitValCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 3 && len(argv) != 4 {
		return ctx.WrongArity()
	}
	var tmo int64
	var err error
	if len(argv) == 4 {
		if tmo, err = argInt(argv[3]); err != nil {
			return err
		}
	}
	key, want := argv[1].Retain(), argv[2].String()
	_, err = ctx.BlockClientOnKeys(func(ctx sdk.Ctx, privdata any) error {
		r := ctx.Call("GET", "s", key)
		if r.String() != want {
			ctx.ReplyWithSimpleString("this must not be seen")
			return sdk.ErrNotReady
		}
		return ctx.ReplyWithCallReply(r)
	}, timedOut, free, tmo, []sdk.String{key}, "waitval:"+key.String())
	return err
}

// BLOCK.SIGNAL key: SignalKeyAsReady.
func signalCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	if err := ctx.SignalKeyAsReady(argv[1]); err != nil {
		return err
	}
	return ctx.ReplyWithSimpleString("OK")
}

// BLOCK.TSINCR key goroutines times: blocks; each of the goroutines runs
// INCR key times under a thread-safe context's lock; then the client gets
// the key's final value.
func tsIncrCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 4 {
		return ctx.WrongArity()
	}
	n, err := argInt(argv[2])
	if err != nil {
		return err
	}
	times, err := argInt(argv[3])
	if err != nil {
		return err
	}
	key := argv[1].String()
	bc, err := ctx.BlockClient(replyPrivdata, nil, free, 0)
	if err != nil {
		return err
	}
	go func() {
		var wg sync.WaitGroup
		var failed atomic.Value
		for i := int64(0); i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tsc := ctx.GetDetachedThreadSafeContext() // a Ctx that returned: still fine for this
				defer tsc.Free()
				for j := int64(0); j < times; j++ {
					if j%2 == 0 {
						if err := tsc.Lock(); err != nil {
							failed.Store(err.Error())
							return
						}
					} else {
						for tsc.TryLock() != nil {
							time.Sleep(time.Microsecond)
						}
					}
					r := tsc.Call("INCR", "c", key)
					if r.Type() != sdk.ReplyInteger {
						failed.Store(r.String())
					}
					tsc.Unlock()
				}
			}()
		}
		wg.Wait()
		tsc := bc.GetThreadSafeContext()
		defer tsc.Free()
		if err := tsc.Lock(); err != nil {
			bc.AbortBlock()
			return
		}
		var v any
		if f := failed.Load(); f != nil {
			v = "failed: " + f.(string)
		} else {
			v = tsc.Call("GET", "c", key).String()
		}
		tsc.Unlock()
		bc.UnblockClient(v)
	}()
	return nil
}

// BLOCK.TSREPLY n: blocks; a goroutine replies an array 1..n through the
// blocked client's thread-safe context and unblocks with no reply callback
// of its own (the reply callback tries to reply too, and is refused).
func tsReplyCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	n, err := argInt(argv[1])
	if err != nil {
		return err
	}
	bc, err := ctx.BlockClient(func(ctx sdk.Ctx, _ any) error {
		if ctx.ReplyWithSimpleString("second reply") == nil {
			return errors.New("ERR a second reply was accepted")
		}
		return nil
	}, nil, free, 0)
	if err != nil {
		return err
	}
	go func() {
		tsc := bc.GetThreadSafeContext()
		defer tsc.Free()
		if tsc.ReplyWithLongLong(1) == nil {
			panic("a reply without the lock was accepted")
		}
		tsc.Lock()
		tsc.ReplyWithArray(sdk.PostponedLen)
		for i := int64(1); i <= n; i++ {
			tsc.ReplyWithLongLong(i)
		}
		tsc.Unlock()
		tsc.Lock() // a second hold continues the same reply
		tsc.ReplySetArrayLength(int(n))
		tsc.Unlock()
		bc.UnblockClient(nil)
	}()
	return nil
}

// BLOCK.MISUSE: thread-safe context misuse, from a goroutine; replies
// the errors each misuse returned, in order.
func misuseCmd(ctx sdk.Ctx, argv []sdk.String) error {
	bc, err := ctx.BlockClient(func(ctx sdk.Ctx, privdata any) error {
		errs := privdata.([]string)
		ctx.ReplyWithArray(len(errs))
		for _, e := range errs {
			ctx.ReplyWithCString(e)
		}
		return nil
	}, nil, free, 0)
	if err != nil {
		return err
	}
	go func() {
		var out []string
		note := func(err error) {
			if err == nil {
				out = append(out, "nil")
			} else {
				out = append(out, err.Error())
			}
		}
		tsc := ctx.GetDetachedThreadSafeContext()
		out = append(out, tsc.Call("PING", "").Error())           // Call without Lock
		note(tsc.Unlock())                                        // Unlock without Lock
		note(tsc.Lock())                                          // fine
		note(tsc.Lock())                                          // twice
		note(tsc.ReplyWithLongLong(1))                            // a detached context cannot reply
		note(tsc.Unlock())                                        // fine
		note(tsc.Unlock())                                        // twice
		note(tsc.SignalKeyAsReady(sdk.CreateString("k")))         // without Lock
		_, err := tsc.CreateTimer(10, func(sdk.Ctx, any) {}, nil) // without Lock
		note(err)
		tsc.Free()
		tsc.Free()                                      // twice: nothing
		note(tsc.Lock())                                // after Free
		out = append(out, tsc.Call("PING", "").Error()) // after Free
		_, err = tsc.BlockClient(nil, nil, nil, 0)      // not a handler
		note(err)
		k := tsc.OpenKey(sdk.CreateString("k"), sdk.Read) // a closed key
		_ = k
		bc.UnblockClient(out)
	}()
	return nil
}

// BLOCK.PANIC what: a callback that panics: "reply", "timeout", "free".
func panicCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	what := argv[1].String()
	boom := func(ctx sdk.Ctx, _ any) error { panic("boom from the " + what + " callback") }
	var bc sdk.BlockedClient
	var err error
	switch what {
	case "reply":
		bc, err = ctx.BlockClient(boom, nil, free, 0)
	case "timeout":
		bc, err = ctx.BlockClient(replyPrivdata, boom, free, 10)
	case "free":
		bc, err = ctx.BlockClient(replyPrivdata, nil, func(any) { frees.Add(1); panic("boom from free") }, 0)
	case "handler":
		if _, err := ctx.BlockClient(replyPrivdata, nil, free, 0); err != nil {
			return err
		}
		panic("boom from the handler after blocking")
	default:
		return errors.New("ERR reply, timeout, free or handler")
	}
	if err != nil {
		return err
	}
	if what != "timeout" {
		go bc.UnblockClient("x")
	}
	return nil
}

// BLOCK.REPLYBLOCK: replies, then blocks: the block is cancelled.
func replyBlockCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if _, err := ctx.BlockClient(replyPrivdata, nil, free, 0); err != nil {
		return err
	}
	if err := ctx.ReplyWithSimpleString("replied"); err != nil {
		return err
	}
	if _, err := ctx.BlockClient(replyPrivdata, nil, free, 0); err == nil {
		return errors.New("ERR blocking twice succeeded")
	}
	return nil
}

// BLOCK.TIMER ms key value: a timer that SETs key to value and counts.
// Replies the timer's id.
func timerCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 4 {
		return ctx.WrongArity()
	}
	ms, err := argInt(argv[1])
	if err != nil {
		return err
	}
	key, value := argv[2].String(), argv[3].String()
	id, err := ctx.CreateTimer(ms, func(ctx sdk.Ctx, data any) {
		if data.(string) != value {
			panic("timer data differs")
		}
		timerFires.Add(1)
		ctx.Call("SET", "cc", key, value)
		if ctx.ReplyWithLongLong(1) == nil {
			panic("a timer could reply")
		}
	}, value)
	if err != nil {
		return err
	}
	return ctx.ReplyWithLongLong(int64(id))
}

// BLOCK.TIMERPANIC ms: a timer whose callback panics.
func timerPanicCmd(ctx sdk.Ctx, argv []sdk.String) error {
	ms, err := argInt(argv[1])
	if err != nil {
		return err
	}
	id, err := ctx.CreateTimer(ms, func(sdk.Ctx, any) { timerFires.Add(1); panic("boom from a timer") }, nil)
	if err != nil {
		return err
	}
	return ctx.ReplyWithLongLong(int64(id))
}

func timerID(s sdk.String) (sdk.TimerID, error) {
	n, err := strconv.ParseUint(s.String(), 10, 64)
	return sdk.TimerID(n), err
}

// BLOCK.TIMERINFO id: [remaining-ms, data] or null.
func timerInfoCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	id, err := timerID(argv[1])
	if err != nil {
		return err
	}
	rem, data, ok := ctx.GetTimerInfo(id)
	if !ok {
		return ctx.ReplyWithNull()
	}
	ctx.ReplyWithArray(2)
	ctx.ReplyWithLongLong(rem)
	return ctx.ReplyWithCString(fmt.Sprint(data))
}

// BLOCK.STOPTIMER id: the stopped timer's data, or null.
func stopTimerCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	id, err := timerID(argv[1])
	if err != nil {
		return err
	}
	data, ok := ctx.StopTimer(id)
	if !ok {
		return ctx.ReplyWithNull()
	}
	return ctx.ReplyWithCString(fmt.Sprint(data))
}

// BLOCK.STATS: frees disconnects timeouts timer-fires, and with an
// argument, how many times that privdata value was freed.
func statsCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) == 2 {
		var n int64
		if v, ok := freeVals.Load(argv[1].String()); ok {
			n = v.(*atomic.Int64).Load()
		}
		return ctx.ReplyWithLongLong(n)
	}
	ctx.ReplyWithArray(4)
	ctx.ReplyWithLongLong(frees.Load())
	ctx.ReplyWithLongLong(disconnects.Load())
	ctx.ReplyWithLongLong(timeouts.Load())
	return ctx.ReplyWithLongLong(timerFires.Load())
}

// BLOCK.CLOCK: Milliseconds and MonotonicMicroseconds agree with the wall
// clock; Yield returns.
func clockCmd(ctx sdk.Ctx, argv []sdk.String) error {
	ms := ctx.Milliseconds()
	if d := time.Now().UnixMilli() - ms; d < 0 || d > 1000 {
		return fmt.Errorf("ERR Milliseconds is off by %d", d)
	}
	m1 := ctx.MonotonicMicroseconds()
	time.Sleep(2 * time.Millisecond)
	ctx.Yield(sdk.YieldFlagClients, "")
	if d := ctx.MonotonicMicroseconds() - m1; d < 2000 {
		return fmt.Errorf("ERR MonotonicMicroseconds moved %d us in 2 ms", d)
	}
	return ctx.ReplyWithSimpleString("OK")
}

func OnLoad(ctx sdk.Ctx, args []sdk.String) error {
	if err := ctx.Init("blockmod", 1, sdk.APIVER_1); err != nil {
		return err
	}
	cmds := []struct {
		name  string
		fn    sdk.CmdFunc
		flags string
		f, l  int
	}{
		{"block.sleep", sleepCmd, "readonly", 0, 0},
		{"block.measure", measureCmd, "readonly", 0, 0},
		{"block.hold", holdCmd, "readonly", 0, 0},
		{"block.holdbare", holdBareCmd, "readonly", 0, 0},
		{"block.release", releaseCmd, "readonly", 0, 0},
		{"block.abort", abortCmd, "readonly", 0, 0},
		{"block.abortnow", abortNowCmd, "readonly", 0, 0},
		{"block.pop", popCmd, "write", 1, 1},
		{"block.waitval", waitValCmd, "readonly", 1, 1},
		{"block.signal", signalCmd, "readonly", 1, 1},
		{"block.tsincr", tsIncrCmd, "write", 1, 1},
		{"block.tsreply", tsReplyCmd, "readonly", 0, 0},
		{"block.misuse", misuseCmd, "readonly", 0, 0},
		{"block.panic", panicCmd, "readonly", 0, 0},
		{"block.replyblock", replyBlockCmd, "readonly", 0, 0},
		{"block.timer", timerCmd, "write", 0, 0},
		{"block.timerpanic", timerPanicCmd, "readonly", 0, 0},
		{"block.timerinfo", timerInfoCmd, "readonly", 0, 0},
		{"block.stoptimer", stopTimerCmd, "readonly", 0, 0},
		{"block.stats", statsCmd, "readonly", 0, 0},
		{"block.clock", clockCmd, "readonly", 0, 0},
	}
	for _, c := range cmds {
		step := 0
		if c.f > 0 {
			step = 1
		}
		if err := ctx.CreateCommand(c.name, c.fn, c.flags, c.f, c.l, step); err != nil {
			return err
		}
	}
	// A timer from OnLoad: it fires once the server runs.
	if _, err := ctx.CreateTimer(1, func(ctx sdk.Ctx, _ any) {
		ctx.Call("SET", "cc", "blockmod:loaded", "1")
	}, nil); err != nil {
		return err
	}
	return nil
}

func main() {}
