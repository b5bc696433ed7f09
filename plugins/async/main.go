// Command async is an example module that blocks clients and finishes their
// work on goroutines, the Go form of Redis's helloblock.c and of the
// thread-pool pattern of its blocking-commands guide. Go goroutines are the
// worker pool: a handler blocks its client, starts a goroutine, and returns;
// the server goes on serving everyone else; the goroutine calls
// UnblockClient with the result, and the reply callback sends it.
//
// Commands:
//
//	ASYNC.SLEEP ms
//	    Replies +OK after ms milliseconds. The client waits; nobody else
//	    does: the sleep runs on a goroutine, without the execution lock.
//
//	ASYNC.HSUM key [timeout-ms]
//	    Replies the sum of the values of the hash at key, as a double. A
//	    goroutine reads the hash under a thread-safe context's lock (so the
//	    read is atomic, as in a command), releases the lock, then does the
//	    (here trivial) work of parsing and adding outside it. Fields whose
//	    values are not numbers are an error; a missing key sums to 0. With
//	    a timeout, a slow sum replies -TIMEOUT instead.
//
//	ASYNC.BPOP key timeout
//	    BLPOP for one key, as a module writes it: pops the list's first
//	    element if there is one; else blocks until the key is ready (an
//	    LPUSH or RPUSH by anyone, or a module's SignalKeyAsReady) or until
//	    timeout seconds pass (0: forever), and replies [key, element] or
//	    a null.
//
// Build it with scripts/build-plugins.sh plugins/async and load it with
// --loadmodule bin/plugins/async.so.
package main

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"modis/sdk"
)

// errTimeout is the reply of a timed out ASYNC.HSUM.
var errTimeout = errors.New("TIMEOUT the operation did not finish in time")

// replyResult is a reply callback for the results the goroutines pass to
// UnblockClient: a float64 is a double reply, an error an error reply,
// anything else +OK.
func replyResult(ctx sdk.Ctx, result any) error {
	switch v := result.(type) {
	case float64:
		return ctx.ReplyWithDouble(v)
	case error:
		return v
	}
	return ctx.ReplyWithSimpleString("OK")
}

// Sleep is ASYNC.SLEEP ms.
func Sleep(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	ms, err := argv[1].ToLongLong()
	if err != nil || ms < 0 {
		return errors.New("ERR ms must be a non-negative integer")
	}
	bc, err := ctx.BlockClient(replyResult, nil, nil, 0)
	if err != nil {
		return err
	}
	go func() {
		bc.BlockedClientMeasureTimeStart() // the sleep counts in INFO commandstats and SLOWLOG
		time.Sleep(time.Duration(ms) * time.Millisecond)
		bc.BlockedClientMeasureTimeEnd()
		bc.UnblockClient(nil)
	}()
	return nil
}

// HSum is ASYNC.HSUM key [timeout-ms].
func HSum(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 && len(argv) != 3 {
		return ctx.WrongArity()
	}
	var timeout int64
	if len(argv) == 3 {
		t, err := argv[2].ToLongLong()
		if err != nil || t < 0 {
			return errors.New("ERR timeout must be a non-negative integer")
		}
		timeout = t
	}
	key := argv[1].Retain() // argv is not valid once the handler returns
	bc, err := ctx.BlockClient(replyResult,
		func(ctx sdk.Ctx, _ any) error { return errTimeout },
		nil, timeout)
	if err != nil {
		return err
	}
	go func() {
		// The blocked client's thread-safe context: Calls run in the
		// client's database, atomically, while the lock is held.
		tsc := bc.GetThreadSafeContext()
		defer tsc.Free()
		if err := tsc.Lock(); err != nil {
			bc.UnblockClient(err)
			return
		}
		r := tsc.Call("HVALS", "s", key)
		var vals []string
		var callErr error
		if r.Type() == sdk.ReplyError {
			callErr = errors.New(r.Error())
		} else {
			for i := 0; i < r.Length(); i++ {
				vals = append(vals, r.ArrayElement(i).String()) // copies, kept past Unlock
			}
		}
		tsc.Unlock()
		if callErr != nil {
			bc.UnblockClient(callErr)
			return
		}
		// The work, outside the lock.
		sum := 0.0
		for _, v := range vals {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				bc.UnblockClient(errors.New("ERR hash value is not a number: " + strconv.Quote(v)))
				return
			}
			sum += f
		}
		bc.UnblockClient(sum)
	}()
	return nil
}

// BPop is ASYNC.BPOP key timeout.
func BPop(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 3 {
		return ctx.WrongArity()
	}
	secs, err := argv[2].ToDouble()
	if err != nil || secs < 0 {
		return errors.New("ERR timeout is not a float or out of range")
	}
	// Served at once when the list has an element.
	if r := ctx.Call("LPOP", "s", argv[1]); r.Type() == sdk.ReplyString {
		return replyPopped(ctx, argv[1], r)
	} else if r.Type() == sdk.ReplyError {
		return ctx.ReplyWithCallReply(r)
	}
	key := argv[1].Retain()
	_, err = ctx.BlockClientOnKeys(
		func(ctx sdk.Ctx, _ any) error { // a key is ready: pop, or keep waiting
			r := ctx.Call("LPOP", "s", key)
			switch r.Type() {
			case sdk.ReplyString:
				return replyPopped(ctx, key, r)
			case sdk.ReplyError: // the key is not a list now
				return ctx.ReplyWithCallReply(r)
			}
			return sdk.ErrNotReady // someone else was faster
		},
		func(ctx sdk.Ctx, _ any) error { return ctx.ReplyWithNull() },
		nil, int64(secs*1000), []sdk.String{key}, nil)
	return err
}

func replyPopped(ctx sdk.Ctx, key sdk.String, elem sdk.CallReply) error {
	ctx.ReplyWithArray(2)
	ctx.ReplyWithString(key)
	return ctx.ReplyWithCallReply(elem)
}

// keySpec is the one key of ASYNC.HSUM and ASYNC.BPOP, at argv[1].
func keySpec(flags sdk.CmdKeyFlags) []sdk.CommandKeySpec {
	return []sdk.CommandKeySpec{{
		Flags:           flags,
		BeginSearchType: sdk.KSpecBSIndex,
		BSIndex:         sdk.KeySpecBSIndex{Pos: 1},
		FindKeysType:    sdk.KSpecFKRange,
		FKRange:         sdk.KeySpecFKRange{LastKey: 0, KeyStep: 1},
	}}
}

// commands are the module's commands: handler, CreateCommand's flags and
// key positions, and the COMMAND INFO / COMMAND DOCS description.
var commands = []struct {
	name, flags       string
	fn                sdk.CmdFunc
	first, last, step int
	info              sdk.CommandInfo
}{
	{"async.sleep", "blocking", Sleep, 0, 0, 0, sdk.CommandInfo{
		Summary:    "Replies OK after a number of milliseconds, without holding up other clients",
		Complexity: "O(1)",
		Since:      "1.0.0",
		Arity:      2,
		Args:       []sdk.CommandArg{{Name: "milliseconds", Type: sdk.ArgTypeInteger}},
	}},
	{"async.hsum", "readonly blocking", HSum, 1, 1, 1, sdk.CommandInfo{
		Summary:    "Returns the sum of the values of a hash, computed on a goroutine",
		Complexity: "O(N) where N is the number of fields in the hash",
		Since:      "1.0.0",
		Arity:      -2,
		KeySpecs:   keySpec(sdk.CmdKeyRO | sdk.CmdKeyAccess),
		Args: []sdk.CommandArg{
			{Name: "key", Type: sdk.ArgTypeKey, KeySpecIndex: 0},
			{Name: "timeout", Type: sdk.ArgTypeInteger, Flags: sdk.CmdArgOptional},
		},
	}},
	{"async.bpop", "write blocking", BPop, 1, 1, 1, sdk.CommandInfo{
		Summary:    "Removes and returns the first element of a list, or blocks until one is available",
		Complexity: "O(1)",
		Since:      "1.0.0",
		Arity:      3,
		KeySpecs:   keySpec(sdk.CmdKeyRW | sdk.CmdKeyAccess | sdk.CmdKeyDelete),
		Args: []sdk.CommandArg{
			{Name: "key", Type: sdk.ArgTypeKey, KeySpecIndex: 0},
			{Name: "timeout", Type: sdk.ArgTypeDouble},
		},
	}},
}

// OnLoad registers the commands and describes them for COMMAND INFO and
// COMMAND DOCS.
func OnLoad(ctx sdk.Ctx, args []sdk.String) error {
	if err := ctx.Init("async", 1, sdk.APIVER_1); err != nil {
		return err
	}
	for _, c := range commands {
		if err := ctx.CreateCommand(c.name, c.fn, c.flags, c.first, c.last, c.step); err != nil {
			return err
		}
		cmd, err := ctx.GetCommand(c.name)
		if err != nil {
			return err
		}
		if err := cmd.SetCommandInfo(&c.info); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
	}
	return nil
}

func main() {}
