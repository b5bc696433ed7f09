package sdk

import "errors"

// Blocked clients, thread-safe contexts and timers: the Go form of Redis's
// "Blocking clients from modules", "Thread Safe Contexts" and "Modules Timers
// API" sections.
//
// # Blocking a client
//
// A command handler that cannot answer at once calls BlockClient and returns
// nil without replying. The client blocks: it runs nothing else (its
// pipelined commands wait in the socket), and the server goes on serving
// everyone else. Some goroutine later calls BlockedClient.UnblockClient; the
// server then runs the reply callback, under the execution lock, with a Ctx
// that can reply. If the timeout passes first, the timeout callback replies
// instead; if the client disconnects, the disconnect callback runs. Either
// way the free callback runs exactly once, when the handle is finished (see
// BlockClient).
//
// Go goroutines are the worker pool: a handler blocks the client, starts a
// goroutine that does the slow work (without the lock), and the goroutine
// calls UnblockClient with the result. The reply callback receives that
// result as its privdata:
//
//	func Sleep(ctx sdk.Ctx, argv []sdk.String) error {
//		ms, err := argv[1].ToLongLong()
//		if err != nil {
//			return err
//		}
//		bc, err := ctx.BlockClient(
//			func(ctx sdk.Ctx, privdata any) error { // reply
//				return ctx.ReplyWithLongLong(privdata.(int64))
//			},
//			func(ctx sdk.Ctx, privdata any) error { // timeout
//				return ctx.ReplyWithError("ERR timed out")
//			},
//			nil, 5000)
//		if err != nil {
//			return err
//		}
//		go func() {
//			time.Sleep(time.Duration(ms) * time.Millisecond)
//			bc.UnblockClient(ms) // goroutine-safe
//		}()
//		return nil // no reply now: the reply callback sends it
//	}
//
// A goroutine that needs the keyspace takes the lock through a thread-safe
// context (GetThreadSafeContext), which is an ordinary Ctx between Lock and
// Unlock:
//
//	go func() {
//		tsc := bc.GetThreadSafeContext()
//		defer tsc.Free()
//		if err := tsc.Lock(); err != nil {
//			bc.AbortBlock()
//			return
//		}
//		r := tsc.Call("HGETALL", "s", key) // atomic, as in a handler
//		sum := sumOf(r)                     // use r before Unlock
//		tsc.Unlock()
//		bc.UnblockClient(sum)
//	}()
//
// # What may run where
//
// Everything on Ctx runs under the server's execution lock: in a handler, a
// reply/timeout/disconnect callback, a timer callback, or a thread-safe
// context between Lock and Unlock. The methods documented as goroutine-safe
// (BlockedClient's methods, GetThreadSafeContext, GetDetachedThreadSafeContext,
// Milliseconds, MonotonicMicroseconds, and a ThreadSafeCtx's Lock, TryLock,
// Unlock and Free) may be called from any goroutine at any time. Strings and
// CallReplies obey the usual lifetime rule: argv is not valid in callbacks
// or goroutines unless retained (String.Retain), and a CallReply of a
// thread-safe context is valid until its Unlock.

// Errors of the blocking API.
var (
	// ErrNotReady is what a BlockClientOnKeys reply callback returns to say
	// "not served: keep waiting" (REDISMODULE_ERR from the C reply callback).
	// It is not an error reply: nothing the callback replied is sent, and
	// the client stays blocked until the next signal or its timeout.
	ErrNotReady = errors.New("blocked client not served: keep waiting")

	// ErrAlreadyUnblocked is returned by UnblockClient and AbortBlock on a
	// handle that was already unblocked or aborted.
	ErrAlreadyUnblocked = errors.New("blocked client already unblocked")

	// ErrLockBusy is TryLock's error when the execution lock is held by
	// someone else (REDISMODULE_ERR from RedisModule_ThreadSafeContextTryLock).
	ErrLockBusy = errors.New("the execution lock is held")

	// ErrNotLocked is returned by the methods of a ThreadSafeCtx that need
	// the lock when it is not held (and by Unlock).
	ErrNotLocked = errors.New("thread-safe context is not locked (call Lock first)")

	// ErrCtxFreed is returned by every method of a ThreadSafeCtx after Free.
	ErrCtxFreed = errors.New("thread-safe context was freed")
)

// BlockCallback is the Go form of the reply and timeout callbacks of
// RedisModule_BlockClient (a RedisModuleCmdFunc called with the blocked
// client's context). privdata is the value given to UnblockClient (or to
// BlockClientOnKeys), the C API's RedisModule_GetBlockedClientPrivateData.
// The command's argv is not passed (it is not valid any more): what a
// callback needs, the handler captures in its closure, retained.
//
// The callback replies as a handler does; a returned error is sent as the
// error reply, as a handler's is. ErrNotReady is special, see ErrNotReady.
type BlockCallback func(ctx Ctx, privdata any) error

// FreePrivdataFunc is the free_privdata callback of RedisModule_BlockClient:
// it is called exactly once per finished handle with the handle's privdata
// (nil when there is none; C calls it only for a non-NULL privdata). It gets
// no Ctx, as it needs none, and may run on any goroutine.
type FreePrivdataFunc func(privdata any)

// DisconnectFunc is RedisModuleDisconnectFunc: called, under the lock, when
// a blocked client's connection is closed (the peer went away, or CLIENT
// KILL) while it waits. ctx.BlockedClientDisconnected reports true in it.
type DisconnectFunc func(ctx Ctx, bc BlockedClient)

// TimerID identifies a module timer (RedisModuleTimerID). IDs are never
// reused; 0 is never a valid ID.
type TimerID uint64

// TimerFunc is RedisModuleTimerProc: a timer's callback, called once, under
// the execution lock, on the server's own timer goroutine, with a Ctx that
// may Call commands and open keys (in the database selected when the timer
// was created) but cannot reply, and with the data given to CreateTimer.
type TimerFunc func(ctx Ctx, data any)

// Yield flags (REDISMODULE_YIELD_FLAG_NONE, REDISMODULE_YIELD_FLAG_CLIENTS).
const (
	YieldFlagNone    = 1 << 0
	YieldFlagClients = 1 << 1
)

// BlockedClient is a blocked client's handle, the Go form of
// RedisModuleBlockedClient. Every method is goroutine-safe.
type BlockedClient interface {
	// UnblockClient is RedisModule_UnblockClient: it ends the block, and the
	// server runs the reply callback with privdata (as soon as it can, on the
	// client's own goroutine, under the lock), then the free callback. It may
	// be called from any goroutine, including while that goroutine holds a
	// thread-safe context's lock, and from the handler itself.
	//
	// If the client is no longer waiting (its timeout fired, it
	// disconnected, or the block was not possible inside MULTI or a
	// script), no reply callback runs and free(privdata) runs right away:
	// as in Redis, a module that blocks a client must always unblock it
	// eventually, and that is when its privdata is freed.
	//
	// For a client blocked with BlockClientOnKeys, privdata is ignored
	// (the one given to BlockClientOnKeys stays) and the timeout callback
	// runs now, as Redis does: the module gives up waiting for the keys.
	//
	// A second call returns ErrAlreadyUnblocked and does nothing.
	UnblockClient(privdata any) error

	// AbortBlock is RedisModule_AbortBlock: it ends the block without
	// calling the reply callback (for BlockClientOnKeys, the timeout
	// callback runs, as in Redis). Called from the handler before it
	// returns, the handler then replies itself, the usual way out when the
	// work cannot be started. Called later, the client gets what a
	// thread-safe context replied for it, or else an error saying the
	// command was aborted (Redis would leave it without any reply).
	AbortBlock() error

	// SetDisconnectCallback is RedisModule_SetDisconnectCallback: cb runs
	// if the client disconnects while blocked (not on timeout, not after
	// being unblocked). The module should then stop the work and still call
	// UnblockClient (for BlockClient; a BlockClientOnKeys handle is
	// finished by the server).
	SetDisconnectCallback(cb DisconnectFunc)

	// BlockedClientMeasureTimeStart is RedisModule_BlockedClientMeasureTimeStart:
	// it starts measuring background time. Time measured between Start and
	// End (possibly several intervals) is added to the command's time in
	// INFO commandstats and SLOWLOG when the client is unblocked.
	BlockedClientMeasureTimeStart() error
	// BlockedClientMeasureTimeEnd is RedisModule_BlockedClientMeasureTimeEnd;
	// it returns an error when no measure was started.
	BlockedClientMeasureTimeEnd() error

	// GetThreadSafeContext is RedisModule_GetThreadSafeContext(bc), as a
	// method so a goroutine needs only the handle. See ThreadSafeCtx.
	GetThreadSafeContext() ThreadSafeCtx
}

// ThreadSafeCtx is a thread-safe context (RedisModule_GetThreadSafeContext):
// a Ctx a goroutine may use between Lock and Unlock, when it holds the
// server's execution lock exactly as a command handler does. Everything done
// between Lock and Unlock is atomic.
//
// Lock, TryLock, Unlock and Free are goroutine-safe. The Ctx methods may be
// used only by the goroutine that holds the lock, between Lock and Unlock;
// one ThreadSafeCtx is for one goroutine at a time (make one per goroutine:
// they are cheap). Misuse returns an error and never deadlocks or panics:
// Call without the lock returns an error reply, OpenKey a closed key, the
// ReplyWith methods and SignalKeyAsReady, CreateTimer, StopTimer and
// GetTimerInfo an error (or a false ok); a second Lock on the same context
// without Unlock, an Unlock without Lock, and anything after Free return
// ErrNotLocked, ErrCtxFreed or a similar error. What remains the module's
// own business, as in C: calling Lock from code that already runs under the
// lock (a handler or callback) waits for itself forever.
//
// The context of a blocked client (GetThreadSafeContext with a handle) can
// reply: the replies accumulate and are sent to the client when it is
// unblocked, as in Redis; they count as the command's one reply (the reply
// callback may then not reply). Its Calls and keys use the database the
// client had selected. A detached context (GetDetachedThreadSafeContext)
// cannot reply, and works on database 0.
type ThreadSafeCtx interface {
	Ctx

	// Lock is RedisModule_ThreadSafeContextLock: it waits for the execution
	// lock. It returns an error, without locking, after Free or when this
	// context already holds the lock.
	Lock() error
	// TryLock is RedisModule_ThreadSafeContextTryLock: it takes the lock if
	// it is free now, else returns ErrLockBusy.
	TryLock() error
	// Unlock is RedisModule_ThreadSafeContextUnlock. Before releasing the
	// lock it does what the server does after a command: it serves clients
	// blocked on keys that became ready and hands the writes to the AOF.
	// It returns ErrNotLocked when the context does not hold the lock.
	Unlock() error
	// Free is RedisModule_FreeThreadSafeContext. A context freed while
	// locked is unlocked first. Freeing twice does nothing.
	Free()
}

// BlockAPI is the part of Ctx for blocked clients, thread-safe contexts and
// timers.
type BlockAPI interface {
	// BlockClient is RedisModule_BlockClient: it blocks the client running
	// the command; the handler then returns nil without replying. reply
	// runs after BlockedClient.UnblockClient, timeout after timeoutMs
	// milliseconds (0: never; a nil timeout callback makes a timeout reply
	// null, as a built-in blocking command's does). free, when not nil, runs
	// exactly once, when the handle is finished: after the reply callback,
	// or, if the client is no longer waiting, when the module calls
	// UnblockClient or AbortBlock (as in Redis, after a timeout or a
	// disconnect the module must still unblock the handle).
	//
	// It returns an error (and blocks nothing) outside a command handler
	// (in OnLoad, a callback, a timer, a thread-safe context), when the
	// handler has already replied, or when it already blocked the client.
	//
	// Inside MULTI, a script (EVAL, FCALL) or a module's Call a client
	// cannot block. As in Redis, BlockClient then returns a handle that is
	// already detached from the client, with a nil error, and the client
	// gets the error "Blocking module command called from transaction"
	// ("from Lua script", "from a module Call"): the handler carries on as
	// usual (the handler's own replies are refused), its UnblockClient runs
	// only free, and no callback runs.
	BlockClient(reply, timeout BlockCallback, free FreePrivdataFunc, timeoutMs int64) (BlockedClient, error)

	// BlockClientOnKeys is RedisModule_BlockClientOnKeys: it blocks the
	// client until one of keys (of the client's database) is signalled
	// ready: by SignalKeyAsReady, or by a write that makes a list or sorted
	// set key ready for BLPOP-style commands (LPUSH, ZADD, ...). reply then
	// runs with privdata and GetBlockedClientReadyKey telling which key; it
	// returns ErrNotReady (having replied nothing) to keep waiting, as the C
	// callback returns REDISMODULE_ERR. As in Redis 7.0, the callback runs
	// only while the signalled key exists. Clients blocked on one key are
	// served first blocked, first served, module and built-in blocking
	// commands alike.
	//
	// The server finishes the handle itself (the module never needs to
	// call UnblockClient): after a reply that served, after the timeout
	// callback, or after a disconnect; free(privdata) runs then.
	BlockClientOnKeys(reply, timeout BlockCallback, free FreePrivdataFunc, timeoutMs int64, keys []String, privdata any) (BlockedClient, error)

	// SignalKeyAsReady is RedisModule_SignalKeyAsReady: clients blocked on
	// key (in the context's database) with BlockClientOnKeys, or with a
	// built-in blocking command, are served after the running command (or
	// callback, or thread-safe context's Unlock). It is an error outside the
	// lock.
	SignalKeyAsReady(key String) error

	// GetBlockedClientReadyKey is RedisModule_GetBlockedClientReadyKey: in
	// a BlockClientOnKeys reply callback, the key that was signalled ready.
	// ok is false elsewhere.
	GetBlockedClientReadyKey() (key String, ok bool)

	// IsBlockedReplyRequest is RedisModule_IsBlockedReplyRequest: true in a
	// reply callback.
	IsBlockedReplyRequest() bool
	// IsBlockedTimeoutRequest is RedisModule_IsBlockedTimeoutRequest: true
	// in a timeout callback.
	IsBlockedTimeoutRequest() bool
	// BlockedClientDisconnected is RedisModule_BlockedClientDisconnected:
	// true in a disconnect callback.
	BlockedClientDisconnected() bool
	// GetBlockedClientPrivateData is RedisModule_GetBlockedClientPrivateData:
	// the privdata in a reply, timeout or disconnect callback (the
	// callbacks also receive it as an argument); nil elsewhere.
	GetBlockedClientPrivateData() any
	// GetBlockedClientHandle is RedisModule_GetBlockedClientHandle: the
	// handle in a reply, timeout or disconnect callback; nil elsewhere.
	GetBlockedClientHandle() BlockedClient

	// GetThreadSafeContext is RedisModule_GetThreadSafeContext: a context
	// for a goroutine, tied to bc (its replies go to bc's client when it is
	// unblocked). A nil bc gives a detached context, as NULL does in C.
	// Goroutine-safe; the Ctx it is called on may have returned.
	GetThreadSafeContext(bc BlockedClient) ThreadSafeCtx
	// GetDetachedThreadSafeContext is RedisModule_GetDetachedThreadSafeContext:
	// a context tied to no client, for a goroutine that lives as long as
	// the module. Goroutine-safe; the Ctx it is called on may have returned.
	GetDetachedThreadSafeContext() ThreadSafeCtx

	// CreateTimer is RedisModule_CreateTimer: callback runs once, periodMs
	// milliseconds from now (a timer does not repeat: create the next one
	// from the callback), under the execution lock on the server's timer
	// goroutine. Its Ctx works on the database selected now. A panic in it
	// is recovered and logged. Timers of a module that is unloaded are
	// stopped. It is an error outside the lock, with a nil callback, or a
	// negative period.
	CreateTimer(periodMs int64, callback TimerFunc, data any) (TimerID, error)
	// StopTimer is RedisModule_StopTimer: it stops one of this module's
	// timers before it fires and returns its data; ok is false when there
	// is no such timer (fired, stopped, or another module's).
	StopTimer(id TimerID) (data any, ok bool)
	// GetTimerInfo is RedisModule_GetTimerInfo: the milliseconds left
	// before one of this module's timers fires, and its data; ok is false
	// when there is no such timer.
	GetTimerInfo(id TimerID) (remainingMs int64, data any, ok bool)

	// Milliseconds is RedisModule_Milliseconds: the Unix time in
	// milliseconds. Goroutine-safe.
	Milliseconds() int64
	// MonotonicMicroseconds is RedisModule_MonotonicMicroseconds: a
	// monotonic clock in microseconds, for measuring intervals.
	// Goroutine-safe.
	MonotonicMicroseconds() int64
	// Yield is RedisModule_Yield. In Redis a long-running command calls it
	// so the event loop can answer other clients with -BUSY; in Modis the
	// other connections simply wait for the execution lock (and the server
	// keeps its timers and cron waiting too), so there is nothing to do: it
	// returns at once. It exists so ported code compiles.
	Yield(flags int, busyReply string)
}
