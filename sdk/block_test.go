package sdk_test

import (
	"errors"
	"strconv"
	"testing"

	"modis/sdk"
)

// A command that blocks its client and finishes the work on a goroutine:
// the goroutine reads a hash under a thread-safe context's lock, sums it
// outside the lock, and unblocks the client with the result, which the
// reply callback sends.
func ExampleBlockAPI_BlockClient() {
	hsum := func(ctx sdk.Ctx, argv []sdk.String) error {
		if len(argv) != 2 {
			return ctx.WrongArity()
		}
		key := argv[1].Retain() // argv dies when the handler returns
		bc, err := ctx.BlockClient(
			func(ctx sdk.Ctx, result any) error { // reply: under the lock
				if err, ok := result.(error); ok {
					return err
				}
				return ctx.ReplyWithDouble(result.(float64))
			},
			func(ctx sdk.Ctx, _ any) error { // timeout
				return ctx.ReplyWithError("TIMEOUT too slow")
			},
			nil,  // nothing to free
			1000) // ms
		if err != nil {
			return err
		}
		go func() { // the worker: no lock held
			tsc := bc.GetThreadSafeContext()
			defer tsc.Free()
			if err := tsc.Lock(); err != nil {
				bc.UnblockClient(err)
				return
			}
			r := tsc.Call("HVALS", "s", key)
			vals := make([]string, r.Length())
			for i := range vals {
				vals[i] = r.ArrayElement(i).String() // copied: r dies at Unlock
			}
			tsc.Unlock()
			sum := 0.0
			for _, v := range vals {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					bc.UnblockClient(errors.New("ERR not a number"))
					return
				}
				sum += f
			}
			bc.UnblockClient(sum) // goroutine-safe
		}()
		return nil // no reply now
	}
	_ = hsum // ctx.CreateCommand("hsum", hsum, "readonly blocking", 1, 1, 1) in OnLoad
}

// A timer that re-arms itself: timers fire once.
func ExampleBlockAPI_CreateTimer() {
	var tick sdk.TimerFunc
	tick = func(ctx sdk.Ctx, data any) {
		ctx.Call("INCR", "c", data.(string))
		ctx.CreateTimer(1000, tick, data)
	}
	onLoad := func(ctx sdk.Ctx, _ []sdk.String) error {
		if err := ctx.Init("ticker", 1, sdk.APIVER_1); err != nil {
			return err
		}
		_, err := ctx.CreateTimer(1000, tick, "ticks")
		return err
	}
	_ = onLoad
}

func TestBlockErrorsAreDistinct(t *testing.T) {
	errs := []error{sdk.ErrNotReady, sdk.ErrAlreadyUnblocked, sdk.ErrLockBusy, sdk.ErrNotLocked, sdk.ErrCtxFreed}
	for i, a := range errs {
		for j, b := range errs {
			if (i == j) != errors.Is(a, b) {
				t.Errorf("errors.Is(%v, %v) = %v", a, b, errors.Is(a, b))
			}
		}
	}
}
