package host

// The module API's blocking family (sdk.BlockAPI): blocked clients,
// thread-safe contexts, timers.
//
// A module blocks a client by returning from its handler after
// BlockClient: the handle (modBlocked) registers a blockState on the client
// (blocking.go), so the client's connection goroutine releases the
// execution lock and waits exactly as for BLPOP, its pipelined commands
// staying in the socket. The handle is shared by three parties:
//
//   - the module's goroutines, which call UnblockClient, AbortBlock, the
//     measure functions and SetDisconnectCallback. Those touch only the
//     fields under modBlocked.mu and close the wake channel; they never take
//     the execution lock, so they may be called while holding it (from a
//     thread-safe context) or from the handler itself;
//   - the waiting connection goroutine, which wakes on wake, the deadline
//     or a disconnect, takes the lock and runs the reply, timeout or
//     disconnect callback (end);
//   - serveReady, which calls serveKey for a client blocked on keys when
//     one is signalled ready, from whichever goroutine ran the write.
//
// "attached" (under mu) says whether the client still waits on the handle;
// whoever detaches it decides, under mu, whether free runs now or when the
// module unblocks the handle later, so free runs exactly once.
//
// Thread-safe contexts (tsCtx) wrap a modCtx whose phase is phaseDone while
// unlocked: every phase-checking method then refuses (Call, replies, keys).
// Lock takes the execution lock and opens the phase; replies of a context
// tied to a blocked client go into the handle's temporary client and are
// delivered when the client is unblocked. Timers live in a heap served by
// one goroutine of the server's, started with the first timer.

import (
	"container/heap"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"modis/host/internal/keyspace"
	"modis/host/internal/resp"
	"modis/sdk"
)

// phaseBackground is the phase of a context that may Call and open keys but
// has no client to reply to: a timer, a disconnect callback, a locked
// detached thread-safe context. Far from modctx.go's iota phases on purpose.
const phaseBackground = 200

// modBlockState is the server's state for the blocking family. Lock held.
type modBlockState struct {
	byCtx map[*modCtx]*modBlocked // the handles of handlers still running

	// blocks maps the blockState of each client waiting on a module handle
	// to the handle (CLIENT UNBLOCK asks moduleBlockMayTimeout); live counts
	// each module's handles not yet freed (MODULE UNLOAD refuses while any
	// is, as Redis's module->blocked_clients).
	blocks map[*blockState]*modBlocked
	live   map[*Module]*atomic.Int64

	timers    map[sdk.TimerID]*modTimer
	queue     timerHeap
	lastTimer sdk.TimerID
	kick      chan struct{} // wakes the timer goroutine; nil until it runs
}

// Callback kinds of a blocked client's context.
const (
	cbReply = iota
	cbTimeout
	cbDisconnect
)

// How a blocked client's wait ended (modBlocked.end).
const (
	endWake    = iota // UnblockClient or AbortBlock
	endTimeout        // the deadline, or CLIENT UNBLOCK
	endGone           // disconnected, killed, or CLIENT UNBLOCK ERROR
	endCancel         // the handler replied, failed or panicked after blocking
)

// modBlocked implements sdk.BlockedClient.
type modBlocked struct {
	s              *Server
	mod            *Module
	onKeys         bool
	reply, timeout sdk.BlockCallback
	free           sdk.FreePrivdataFunc
	wake           chan struct{} // closed by UnblockClient/AbortBlock while attached
	cmd            *Command
	args           [][]byte      // a copy of the command line, for SLOWLOG
	noBlockReason  string        // why the block was faked ("" for a real one)
	live           *atomic.Int64 // the module's count of handles not yet freed

	mu           sync.Mutex // guards the fields down to the blank line; any goroutine
	attached     bool       // the client waits on this handle
	unblocked    bool       // UnblockClient or AbortBlock was called
	aborted      bool
	freed        bool // free ran (or is running)
	privdata     any
	disconnect   sdk.DisconnectFunc
	measureStart time.Time
	background   time.Duration

	// Guarded by the execution lock.
	b         *blockState
	tmp       *Client      // the thread-safe contexts' client: replies accumulate in tmp.buf
	rt        replyTracker // what the thread-safe contexts replied
	delivered bool         // those replies were sent (or dropped)
}

var _ sdk.BlockedClient = (*modBlocked)(nil)

// newModuleClient makes a temporary client for module contexts (no
// connection, ID 0, authenticated) without reading the server's state, so
// any goroutine may call it. db may be nil until first use.
func newModuleClient(s *Server, db *keyspace.DB) *Client {
	c := &Client{srv: s, db: db, fd: -1, authed: true, killCh: make(chan struct{})}
	c.out = &c.buf
	c.created = time.Now()
	c.lastAt = c.created
	return c
}

// BlockClient implements sdk.BlockAPI.
func (x *modCtx) BlockClient(reply, timeout sdk.BlockCallback, free sdk.FreePrivdataFunc, timeoutMs int64) (sdk.BlockedClient, error) {
	return x.blockClient("BlockClient", reply, timeout, free, timeoutMs, nil, nil)
}

// BlockClientOnKeys implements sdk.BlockAPI.
func (x *modCtx) BlockClientOnKeys(reply, timeout sdk.BlockCallback, free sdk.FreePrivdataFunc, timeoutMs int64, keys []sdk.String, privdata any) (sdk.BlockedClient, error) {
	if len(keys) == 0 {
		return nil, errors.New("BlockClientOnKeys: no keys")
	}
	if reply == nil {
		return nil, errors.New("BlockClientOnKeys: the reply callback is nil")
	}
	kb := make([][]byte, len(keys))
	for i, k := range keys {
		kb[i] = k.Bytes()
	}
	return x.blockClient("BlockClientOnKeys", reply, timeout, free, timeoutMs, copyKeys(kb), privdata)
}

func (x *modCtx) blockClient(what string, reply, timeout sdk.BlockCallback, free sdk.FreePrivdataFunc, timeoutMs int64, keys [][]byte, privdata any) (sdk.BlockedClient, error) {
	if x.phase != phaseCommand || x.c == nil || x.cmd == nil || x.cmd.Module != x.mod {
		return nil, fmt.Errorf("%s may only be called in a command handler", what)
	}
	s, c := x.s, x.c
	st := &s.modBlk
	if st.byCtx[x] != nil {
		return nil, fmt.Errorf("%s: this command already blocked the client", what)
	}
	if x.rt.done || len(x.rt.open) > 0 || x.rt.dangling {
		return nil, fmt.Errorf("%s: the command has already replied", what)
	}
	if timeoutMs < 0 {
		return nil, fmt.Errorf("%s: negative timeout %d", what, timeoutMs)
	}
	mb := &modBlocked{
		s: s, mod: x.mod, onKeys: keys != nil, reply: reply, timeout: timeout, free: free,
		wake: make(chan struct{}), cmd: x.cmd, privdata: privdata,
	}
	// Counted until freed, a faked block included, as Redis's
	// module->blocked_clients (moduleBlockClient to moduleHandleBlockedClients).
	if st.live == nil {
		st.live = map[*Module]*atomic.Int64{}
	}
	if st.live[x.mod] == nil {
		st.live[x.mod] = new(atomic.Int64)
	}
	mb.live = st.live[x.mod]
	mb.live.Add(1)
	if x.sc != nil {
		for _, a := range x.sc.argv {
			mb.args = append(mb.args, append([]byte(nil), a.Bytes()...))
		}
	} else {
		mb.args = [][]byte{append([]byte(nil), x.argv0...)}
	}
	mb.tmp = newModuleClient(s, c.db)
	mb.tmp.buf.P3 = c.proto() == 3
	if st.byCtx == nil {
		st.byCtx = map[*modCtx]*modBlocked{}
	}
	st.byCtx[x] = mb
	// Where Redis cannot block (MULTI, a script) the block is faked as it
	// does: the handle exists, detached, and the client gets an error.
	switch {
	case c.inScript:
		mb.noBlockReason = "Lua script"
	case c.multi != nil && c.multi.executing:
		mb.noBlockReason = "transaction"
	case c.out != resp.Writer(&c.buf):
		mb.noBlockReason = "a module Call"
	case c.conn == nil && localConnOf(c) == nil: // an in-process client blocks (inproc.go)
		mb.noBlockReason = "a client without a connection"
	}
	if mb.noBlockReason != "" {
		mb.delivered = true
		c.replyError(errors.New("ERR Blocking module command called from " + mb.noBlockReason))
		x.rt.wrote()
		return mb, nil
	}
	b := &blockState{
		onTimeout: func(c *Client) { mb.end(c, endTimeout) },
		wake:      mb.wake,
		onWake:    func(c *Client) { mb.end(c, endWake) },
		onEnd:     func(c *Client) { mb.end(c, endGone) },
	}
	if mb.onKeys {
		b.serveKey = mb.serveKey
	}
	c.block(b, keys, time.Duration(timeoutMs)*time.Millisecond)
	mb.b, mb.attached = b, true
	if st.blocks == nil {
		st.blocks = map[*blockState]*modBlocked{}
	}
	st.blocks[b] = mb
	return mb, nil
}

// moduleBlockMayTimeout is Redis 7.0's moduleBlockedClientMayTimeout for
// CLIENT UNBLOCK: a client blocked by a module command without a timeout
// callback is not unblocked (the command did not expect to time out), with
// TIMEOUT or ERROR alike; any other block may be. Lock held.
func (s *Server) moduleBlockMayTimeout(b *blockState) bool {
	mb := s.modBlk.blocks[b]
	return mb == nil || mb.timeout != nil
}

// modBlockUnloadCheck refuses to unload a module while handles of its
// blocked clients are not freed yet, with Redis 7.0's text. Lock held.
func (s *Server) modBlockUnloadCheck(m *Module) error {
	if n := s.modBlk.live[m]; n != nil && n.Load() > 0 {
		return errors.New("ERR Error unloading module: the module has blocked clients. Please wait them unblocked and try again")
	}
	return nil
}

// detached forgets the client's wait on mb (lock held), when the wait ends.
func (mb *modBlocked) detached() {
	if mb.b != nil {
		delete(mb.s.modBlk.blocks, mb.b)
	}
}

// freedNow counts the handle as freed (the module's live count). Called
// once, where freed becomes true. Any goroutine.
func (mb *modBlocked) freedNow() {
	if mb.live != nil {
		mb.live.Add(-1)
	}
}

// moduleHandlerDone is called by runModuleCommand when the handler that ran
// with x returns (returned is false when it panicked). It reports whether
// the client stays blocked, in which case there is no reply now. Lock held.
func (s *Server) moduleHandlerDone(x *modCtx, err error, returned bool) (blocked bool) {
	st := &s.modBlk
	if len(st.byCtx) == 0 {
		return false
	}
	mb := st.byCtx[x]
	if mb == nil {
		return false
	}
	delete(st.byCtx, x)
	if mb.noBlockReason != "" {
		if mb.onKeys { // the module never unblocks a keys handle: finish it
			mb.finish()
		}
		return false
	}
	mb.mu.Lock()
	aborted := mb.aborted
	mb.mu.Unlock()
	if returned && !aborted && err == nil && !x.rt.done && len(x.rt.open) == 0 && !x.rt.dangling {
		return true
	}
	// The handler aborted the block, replied, failed or panicked: the client
	// does not wait, and gets the handler's reply.
	if !aborted && returned {
		x.mod.log.Warn("handler blocked the client but replied or returned an error; the block is cancelled",
			"command", x.cmd.Name)
	}
	mb.end(x.c, endCancel)
	return false
}

// end ends the client's wait on mb (lock held): runs the callback that
// replies (or the disconnect callback), delivers what thread-safe contexts
// replied, and finishes the handle when it is the server's to finish.
func (mb *modBlocked) end(c *Client, why int) {
	mb.mu.Lock()
	if !mb.attached {
		mb.mu.Unlock()
		return
	}
	mb.attached = false
	unblocked, aborted, privdata, disconnect := mb.unblocked, mb.aborted, mb.privdata, mb.disconnect
	mb.mu.Unlock()
	mb.detached()
	s := mb.s
	if c.blocked == mb.b { // a cancel; the other ways out unblocked already
		s.unblock(c)
	}
	if why == endCancel {
		mb.delivered = true
		if mb.onKeys || unblocked {
			mb.finish()
		}
		return
	}
	if why == endTimeout && unblocked {
		why = endWake // the unblock came first
	}
	switch why {
	case endGone:
		mb.delivered = true
		if disconnect != nil {
			x := mb.callbackCtx(mb.tmp, cbDisconnect, privdata, nil)
			s.modBlockRecover(mb.mod, "disconnect callback", true, func() { disconnect(x, mb) })
			x.release()
		}
		if mb.onKeys || unblocked {
			mb.finish()
		}
	case endTimeout:
		mb.respond(c, cbTimeout, mb.timeout, privdata, nil, false)
		if mb.onKeys {
			mb.finish()
		}
	case endWake:
		switch {
		case mb.onKeys: // UnblockClient and AbortBlock on keys: the timeout callback, as Redis
			mb.respond(c, cbTimeout, mb.timeout, privdata, nil, false)
		case aborted:
			mb.respond(c, cbReply, nil, privdata, nil, true)
		default:
			mb.respond(c, cbReply, mb.reply, privdata, nil, false)
		}
		mb.finish()
	}
}

// serveKey is a keys-blocked client's serve function: the reply callback
// runs for the key that became ready; ErrNotReady keeps the client
// waiting. Lock held.
func (mb *modBlocked) serveKey(c *Client, key []byte) bool {
	// Redis 7.0 serves module clients only while the key exists.
	if c.db.PeekNoTouch(key, mb.s.now) == nil {
		return false
	}
	mb.mu.Lock()
	if !mb.attached || mb.unblocked { // UnblockClient wins: the wait ends through wake
		mb.mu.Unlock()
		return false
	}
	privdata := mb.privdata
	mb.mu.Unlock()
	if !mb.respond(c, cbReply, mb.reply, privdata, key, false) {
		return false
	}
	mb.mu.Lock()
	mb.attached = false
	mb.mu.Unlock()
	mb.detached()
	mb.finish()
	return true
}

// respond runs a reply or timeout callback for the blocked client c and
// makes sure c gets exactly one reply: the callback's, or what thread-safe
// contexts replied, or else an error (a null for a timeout without a
// callback, an "aborted" error after AbortBlock). For a keys reply callback
// that returns ErrNotReady it writes nothing and reports false. Lock held.
func (mb *modBlocked) respond(c *Client, kind int, fn sdk.BlockCallback, privdata any, readyKey []byte, aborted bool) (served bool) {
	s := mb.s
	start := time.Now()
	x := mb.callbackCtx(c, kind, privdata, readyKey)
	tsDone := !mb.delivered && mb.rt.done
	if tsDone {
		x.rt.done = true // the thread-safe context replied: that is the reply
	}
	w := c.out
	mark := w.Mark()
	var err error
	var panicked any
	if fn != nil {
		what := "reply callback"
		if kind == cbTimeout {
			what = "timeout callback"
		}
		panicked = s.modBlockRecover(mb.mod, what, true, func() { err = fn(x, privdata) })
	}
	x.release()
	if panicked == nil && kind == cbReply && mb.onKeys && errors.Is(err, sdk.ErrNotReady) {
		w.Truncate(mark)
		return false
	}
	name := mb.cmd.Name
	switch {
	case panicked != nil:
		w.Truncate(mark)
		if !tsDone {
			c.replyError(fmt.Errorf("ERR command '%s' (module %s) panicked: %v; the server keeps serving, see its log", name, mb.mod.Name, panicked))
		}
	case x.rt.done && !tsDone: // the callback replied
		if err != nil {
			mb.mod.log.Warn("blocked client callback returned an error after replying; error dropped", "command", name, "error", err)
		}
	case len(x.rt.open) > 0 || x.rt.dangling:
		w.Truncate(mark)
		mb.mod.log.Error("blocked client callback returned with an incomplete reply", "command", name)
		c.replyError(x.rt.incompleteError(name))
	case tsDone:
		if err != nil {
			mb.mod.log.Warn("blocked client callback returned an error after a thread-safe context replied; error dropped", "command", name, "error", err)
		}
	case errors.Is(err, sdk.ErrWrongArity):
		c.replyError(errWrongArity(name))
	case err != nil:
		c.replyError(err)
	case kind == cbTimeout && fn == nil:
		c.out.Null()
	case aborted:
		c.replyError(fmt.Errorf("ERR module command '%s' was aborted without a reply", name))
	default:
		mb.mod.log.Error("blocked client was unblocked without a reply", "command", name)
		c.replyError(fmt.Errorf("ERR module command '%s' was unblocked without replying", name))
	}
	if tsDone {
		w.Truncate(mark) // nothing but the thread-safe reply
		c.buf.B = append(c.buf.B, mb.tmp.buf.B...)
	} else if !mb.delivered && len(mb.tmp.buf.B) > 0 {
		mb.mod.log.Error("a thread-safe context left an incomplete reply; it was dropped", "command", name)
	}
	mb.delivered = true
	mb.tmp.buf.Reset()
	mb.accountUnblock(c, time.Since(start))
	return true
}

// accountUnblock adds the time the module measured in the background and
// the callback's to the command's statistics and SLOWLOG, as Redis's
// updateStatsOnUnblock. Lock held.
func (mb *modBlocked) accountUnblock(c *Client, reply time.Duration) {
	s := mb.s
	mb.mu.Lock()
	bg := mb.background
	mb.mu.Unlock()
	total := bg + reply
	mb.cmd.usec += total.Microseconds()
	if mb.cmd.Flags&FlagSkipSlowlog == 0 {
		s.slowlogPush(c, mb.args, total.Microseconds())
	}
	if s.cfg.LatencyMonitorThreshold > 0 {
		s.latencySample("command-unblocking", reply)
	}
}

// finish runs free(privdata) unless it already ran. Any goroutine.
func (mb *modBlocked) finish() {
	mb.mu.Lock()
	if mb.freed {
		mb.mu.Unlock()
		return
	}
	mb.freed, mb.unblocked = true, true
	p := mb.privdata
	mb.mu.Unlock()
	mb.runFree(p, true)
	mb.freedNow()
}

// runFree calls the free callback, recovering a panic. locked says whether
// the execution lock is held (the panic is then counted in INFO).
func (mb *modBlocked) runFree(p any, locked bool) {
	if mb.free == nil {
		return
	}
	mb.s.modBlockRecover(mb.mod, "free callback", locked, func() { mb.free(p) })
}

// UnblockClient implements sdk.BlockedClient. Goroutine-safe.
func (mb *modBlocked) UnblockClient(privdata any) error {
	mb.mu.Lock()
	if mb.unblocked {
		mb.mu.Unlock()
		return sdk.ErrAlreadyUnblocked
	}
	mb.unblocked = true
	if !mb.onKeys {
		mb.privdata = privdata
	}
	return mb.wakeOrFree()
}

// AbortBlock implements sdk.BlockedClient. Goroutine-safe.
func (mb *modBlocked) AbortBlock() error {
	mb.mu.Lock()
	if mb.unblocked {
		mb.mu.Unlock()
		return sdk.ErrAlreadyUnblocked
	}
	mb.unblocked, mb.aborted = true, true
	return mb.wakeOrFree()
}

// wakeOrFree ends an unblocked handle: the waiting client's goroutine
// finishes it, or, when no client waits, free runs here. mu held; released.
func (mb *modBlocked) wakeOrFree() error {
	if mb.attached {
		close(mb.wake)
		mb.mu.Unlock()
		return nil
	}
	if mb.freed {
		mb.mu.Unlock()
		return nil
	}
	mb.freed = true
	p := mb.privdata
	mb.mu.Unlock()
	mb.runFree(p, false)
	mb.freedNow()
	return nil
}

// SetDisconnectCallback implements sdk.BlockedClient. Goroutine-safe.
func (mb *modBlocked) SetDisconnectCallback(cb sdk.DisconnectFunc) {
	mb.mu.Lock()
	mb.disconnect = cb
	mb.mu.Unlock()
}

// BlockedClientMeasureTimeStart implements sdk.BlockedClient.
func (mb *modBlocked) BlockedClientMeasureTimeStart() error {
	mb.mu.Lock()
	mb.measureStart = time.Now()
	mb.mu.Unlock()
	return nil
}

// BlockedClientMeasureTimeEnd implements sdk.BlockedClient.
func (mb *modBlocked) BlockedClientMeasureTimeEnd() error {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	if mb.measureStart.IsZero() {
		return errors.New("BlockedClientMeasureTimeEnd: no measure was started")
	}
	mb.background += time.Since(mb.measureStart)
	mb.measureStart = time.Time{}
	return nil
}

// GetThreadSafeContext implements sdk.BlockedClient. Goroutine-safe.
func (mb *modBlocked) GetThreadSafeContext() sdk.ThreadSafeCtx {
	return newTSCtx(mb.s, mb.mod, mb)
}

// modBlockRecover runs a module callback, recovering a panic: the log gets
// it with the stack; with the lock held (locked) INFO counts it. It returns
// the panic value, nil if none.
func (s *Server) modBlockRecover(m *Module, what string, locked bool, fn func()) (panicked any) {
	defer func() {
		if r := recover(); r != nil {
			panicked = r
			if locked {
				s.stats.moduleRecovers++
			}
			s.log.Error("module callback panicked", "module", m.Name, "callback", what,
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	fn()
	return nil
}

// blockCtx is the context of a blocked client's reply, timeout or
// disconnect callback: a modCtx that knows the handle.
type blockCtx struct {
	*modCtx
	mb       *modBlocked
	kind     int
	privdata any
	readyKey []byte
}

// callbackCtx makes the context of a callback of mb running for client c
// (the blocked client, or the handle's temporary client for a disconnect).
// Lock held; release it after the callback.
func (mb *modBlocked) callbackCtx(c *Client, kind int, privdata any, readyKey []byte) *blockCtx {
	x := &modCtx{s: mb.s, mod: mb.mod, c: c, cmd: mb.cmd, argv0: mb.args[0], phase: phaseCommand}
	if kind == cbDisconnect {
		x.phase = phaseBackground
	} else {
		x.sc = c.acquireScratch()
	}
	return &blockCtx{modCtx: x, mb: mb, kind: kind, privdata: privdata, readyKey: readyKey}
}

// release ends a callback's context: keys are closed, the Ctx is dead.
func (x *blockCtx) release() {
	x.closeKeys()
	x.phase = phaseDone
	if x.sc != nil {
		x.c.releaseScratch(x.sc)
		x.sc = nil
	}
}

// BlockClient implements sdk.BlockAPI: a callback cannot block again.
func (x *blockCtx) BlockClient(sdk.BlockCallback, sdk.BlockCallback, sdk.FreePrivdataFunc, int64) (sdk.BlockedClient, error) {
	return nil, errors.New("BlockClient: cannot block from a blocked client's callback")
}

// BlockClientOnKeys implements sdk.BlockAPI: a callback cannot block again.
func (x *blockCtx) BlockClientOnKeys(sdk.BlockCallback, sdk.BlockCallback, sdk.FreePrivdataFunc, int64, []sdk.String, any) (sdk.BlockedClient, error) {
	return nil, errors.New("BlockClientOnKeys: cannot block from a blocked client's callback")
}

// IsBlockedReplyRequest implements sdk.BlockAPI.
func (x *blockCtx) IsBlockedReplyRequest() bool { return x.kind == cbReply && x.phase != phaseDone }

// IsBlockedTimeoutRequest implements sdk.BlockAPI.
func (x *blockCtx) IsBlockedTimeoutRequest() bool { return x.kind == cbTimeout && x.phase != phaseDone }

// BlockedClientDisconnected implements sdk.BlockAPI.
func (x *blockCtx) BlockedClientDisconnected() bool {
	return x.kind == cbDisconnect && x.phase != phaseDone
}

// GetBlockedClientPrivateData implements sdk.BlockAPI.
func (x *blockCtx) GetBlockedClientPrivateData() any { return x.privdata }

// GetBlockedClientHandle implements sdk.BlockAPI.
func (x *blockCtx) GetBlockedClientHandle() sdk.BlockedClient { return x.mb }

// GetBlockedClientReadyKey implements sdk.BlockAPI.
func (x *blockCtx) GetBlockedClientReadyKey() (sdk.String, bool) {
	if x.readyKey == nil || x.phase == phaseDone {
		return sdk.String{}, false
	}
	return sdk.StringFromBytes(x.readyKey), true
}

// SignalKeyAsReady implements sdk.BlockAPI.
func (x *modCtx) SignalKeyAsReady(key sdk.String) error {
	if x.phase == phaseDone {
		return errors.New("SignalKeyAsReady: the context is not valid now (a returned call, or an unlocked thread-safe context)")
	}
	x.s.signalKeyReady(x.client().db, key.Bytes())
	return nil
}

// GetBlockedClientReadyKey implements sdk.BlockAPI: only a keys reply
// callback has one.
func (x *modCtx) GetBlockedClientReadyKey() (sdk.String, bool) { return sdk.String{}, false }

// IsBlockedReplyRequest implements sdk.BlockAPI.
func (x *modCtx) IsBlockedReplyRequest() bool { return false }

// IsBlockedTimeoutRequest implements sdk.BlockAPI.
func (x *modCtx) IsBlockedTimeoutRequest() bool { return false }

// BlockedClientDisconnected implements sdk.BlockAPI.
func (x *modCtx) BlockedClientDisconnected() bool { return false }

// GetBlockedClientPrivateData implements sdk.BlockAPI.
func (x *modCtx) GetBlockedClientPrivateData() any { return nil }

// GetBlockedClientHandle implements sdk.BlockAPI.
func (x *modCtx) GetBlockedClientHandle() sdk.BlockedClient { return nil }

// GetThreadSafeContext implements sdk.BlockAPI. Goroutine-safe.
func (x *modCtx) GetThreadSafeContext(bc sdk.BlockedClient) sdk.ThreadSafeCtx {
	if mb, ok := bc.(*modBlocked); ok && mb != nil {
		return newTSCtx(mb.s, mb.mod, mb)
	}
	return newTSCtx(x.s, x.mod, nil)
}

// GetDetachedThreadSafeContext implements sdk.BlockAPI. Goroutine-safe.
func (x *modCtx) GetDetachedThreadSafeContext() sdk.ThreadSafeCtx {
	return newTSCtx(x.s, x.mod, nil)
}

// Milliseconds implements sdk.BlockAPI.
func (x *modCtx) Milliseconds() int64 { return time.Now().UnixMilli() }

// monoBase is the origin of MonotonicMicroseconds.
var monoBase = time.Now()

// MonotonicMicroseconds implements sdk.BlockAPI.
func (x *modCtx) MonotonicMicroseconds() int64 { return time.Since(monoBase).Microseconds() }

// Yield implements sdk.BlockAPI: nothing to do (see the sdk).
func (x *modCtx) Yield(flags int, busyReply string) {}

// tsCtx implements sdk.ThreadSafeCtx.
type tsCtx struct {
	*modCtx             // phaseDone while unlocked
	mb      *modBlocked // nil for a detached context
	locked  atomic.Bool
	freed   atomic.Bool
}

var _ sdk.ThreadSafeCtx = (*tsCtx)(nil)

// newTSCtx makes a thread-safe context of module m, tied to mb when not
// nil. Goroutine-safe: it reads nothing the lock guards.
func newTSCtx(s *Server, m *Module, mb *modBlocked) *tsCtx {
	x := &modCtx{s: s, mod: m, phase: phaseDone}
	if mb != nil {
		x.c, x.cmd, x.argv0 = mb.tmp, mb.cmd, mb.args[0]
	} else {
		x.c = newModuleClient(s, nil) // database 0 from the first Lock
	}
	return &tsCtx{modCtx: x, mb: mb}
}

// check reports why the context may not be used now.
func (t *tsCtx) check() error {
	if t.freed.Load() {
		return sdk.ErrCtxFreed
	}
	if !t.locked.Load() {
		return sdk.ErrNotLocked
	}
	return nil
}

// Lock implements sdk.ThreadSafeCtx.
func (t *tsCtx) Lock() error {
	if t.freed.Load() {
		return sdk.ErrCtxFreed
	}
	if !t.locked.CompareAndSwap(false, true) {
		return errors.New("thread-safe context is already locked (Unlock it first)")
	}
	t.s.mu.Lock()
	t.enter()
	return nil
}

// TryLock implements sdk.ThreadSafeCtx.
func (t *tsCtx) TryLock() error {
	if t.freed.Load() {
		return sdk.ErrCtxFreed
	}
	if !t.locked.CompareAndSwap(false, true) {
		return errors.New("thread-safe context is already locked (Unlock it first)")
	}
	if !t.s.mu.TryLock() {
		t.locked.Store(false)
		return sdk.ErrLockBusy
	}
	t.enter()
	return nil
}

// enter opens the context once the lock is held.
func (t *tsCtx) enter() {
	s := t.s
	s.now = time.Now().UnixMilli()
	if t.c.db == nil {
		t.c.db = s.dbs[0]
	}
	if t.mb != nil && !t.mb.delivered {
		t.phase = phaseCommand // replies accumulate for the blocked client
		t.rt = t.mb.rt
	} else {
		t.phase = phaseBackground
	}
}

// Unlock implements sdk.ThreadSafeCtx.
func (t *tsCtx) Unlock() error {
	if !t.locked.Load() {
		if t.freed.Load() {
			return sdk.ErrCtxFreed
		}
		return sdk.ErrNotLocked
	}
	t.unlock()
	return nil
}

// unlock closes the context and releases the lock, doing what the server
// does after a command: blocked clients whose keys became ready are served
// and the writes go to the AOF.
func (t *tsCtx) unlock() {
	s := t.s
	t.closeKeys()
	if t.phase == phaseCommand && t.mb != nil {
		t.mb.rt = t.rt
	}
	t.phase = phaseDone
	s.modBlockAfterWork()
	ab := s.aofBatchEnd()
	t.locked.Store(false)
	s.mu.Unlock()
	s.aofBatchCommit(ab)
}

// Free implements sdk.ThreadSafeCtx.
func (t *tsCtx) Free() {
	if t.freed.Swap(true) {
		return
	}
	if t.locked.Load() {
		t.unlock()
	}
}

// Call implements sdk.Ctx for a thread-safe context: only under the lock.
func (t *tsCtx) Call(cmd string, format string, args ...any) sdk.CallReply {
	if err := t.check(); err != nil {
		return resp.ErrorValue("ERR Call " + cmd + ": " + err.Error())
	}
	return t.modCtx.Call(cmd, format, args...)
}

// SignalKeyAsReady implements sdk.BlockAPI for a thread-safe context.
func (t *tsCtx) SignalKeyAsReady(key sdk.String) error {
	if err := t.check(); err != nil {
		return err
	}
	return t.modCtx.SignalKeyAsReady(key)
}

// CreateTimer implements sdk.BlockAPI for a thread-safe context.
func (t *tsCtx) CreateTimer(periodMs int64, cb sdk.TimerFunc, data any) (sdk.TimerID, error) {
	if err := t.check(); err != nil {
		return 0, err
	}
	return t.modCtx.CreateTimer(periodMs, cb, data)
}

// BlockClient implements sdk.BlockAPI: a thread-safe context has no
// command to block.
func (t *tsCtx) BlockClient(sdk.BlockCallback, sdk.BlockCallback, sdk.FreePrivdataFunc, int64) (sdk.BlockedClient, error) {
	return nil, errors.New("BlockClient may only be called in a command handler, not on a thread-safe context")
}

// BlockClientOnKeys implements sdk.BlockAPI: see BlockClient.
func (t *tsCtx) BlockClientOnKeys(sdk.BlockCallback, sdk.BlockCallback, sdk.FreePrivdataFunc, int64, []sdk.String, any) (sdk.BlockedClient, error) {
	return nil, errors.New("BlockClientOnKeys may only be called in a command handler, not on a thread-safe context")
}

// modBlockAfterWork is what follows module work done outside a command
// (a thread-safe context, a timer): clients blocked on keys that became
// ready are served. Lock held.
func (s *Server) modBlockAfterWork() {
	if len(s.ready) > 0 {
		s.serveReady()
	}
}

// modTimer is one CreateTimer.
type modTimer struct {
	id    sdk.TimerID
	mod   *Module
	when  time.Time
	cb    sdk.TimerFunc
	data  any
	db    *keyspace.DB
	index int // in the heap
}

// timerHeap orders timers by when, then id.
type timerHeap []*modTimer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].when.Equal(h[j].when) {
		return h[i].when.Before(h[j].when)
	}
	return h[i].id < h[j].id
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(v any) {
	t := v.(*modTimer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.index = -1
	return t
}

// CreateTimer implements sdk.BlockAPI.
func (x *modCtx) CreateTimer(periodMs int64, cb sdk.TimerFunc, data any) (sdk.TimerID, error) {
	if x.phase == phaseDone {
		return 0, errors.New("CreateTimer: the context is not valid now (a returned call, or an unlocked thread-safe context)")
	}
	if cb == nil {
		return 0, errors.New("CreateTimer: the callback is nil")
	}
	if periodMs < 0 {
		return 0, fmt.Errorf("CreateTimer: negative period %d", periodMs)
	}
	s := x.s
	st := &s.modBlk
	st.lastTimer++
	t := &modTimer{id: st.lastTimer, mod: x.mod, when: time.Now().Add(time.Duration(periodMs) * time.Millisecond),
		cb: cb, data: data, db: x.client().db}
	if st.timers == nil {
		st.timers = map[sdk.TimerID]*modTimer{}
	}
	st.timers[t.id] = t
	heap.Push(&st.queue, t)
	if st.kick == nil {
		st.kick = make(chan struct{}, 1)
		go s.timerLoop(st.kick)
	}
	select {
	case st.kick <- struct{}{}:
	default:
	}
	return t.id, nil
}

// modTimerOf finds one of x's module's timers. Lock held.
func (x *modCtx) modTimerOf(id sdk.TimerID) *modTimer {
	if x.phase == phaseDone {
		return nil
	}
	t := x.s.modBlk.timers[id]
	if t == nil || t.mod != x.mod {
		return nil
	}
	return t
}

// StopTimer implements sdk.BlockAPI.
func (x *modCtx) StopTimer(id sdk.TimerID) (any, bool) {
	t := x.modTimerOf(id)
	if t == nil {
		return nil, false
	}
	st := &x.s.modBlk
	delete(st.timers, id)
	heap.Remove(&st.queue, t.index)
	return t.data, true
}

// GetTimerInfo implements sdk.BlockAPI.
func (x *modCtx) GetTimerInfo(id sdk.TimerID) (int64, any, bool) {
	t := x.modTimerOf(id)
	if t == nil {
		return 0, nil, false
	}
	return max(time.Until(t.when).Milliseconds(), 0), t.data, true
}

// timerLoop fires module timers, under the execution lock, until the server
// stops.
func (s *Server) timerLoop(kick chan struct{}) {
	wait := time.NewTimer(time.Hour)
	defer wait.Stop()
	for {
		s.mu.Lock()
		s.dropUnloadedTimers()
		var next time.Duration = -1
		if q := s.modBlk.queue; len(q) > 0 {
			// At least once a second, to drop an unloaded module's timers.
			next = min(max(time.Until(q[0].when), 0), time.Second)
		}
		s.mu.Unlock()
		var fire <-chan time.Time
		if next >= 0 {
			wait.Reset(next)
			fire = wait.C
		}
		select {
		case <-s.stop:
			return
		case <-kick:
			continue
		case <-fire:
		}
		s.mu.Lock()
		if s.stopping() {
			s.mu.Unlock()
			return
		}
		s.dropUnloadedTimers()
		s.fireTimers()
		ab := s.aofBatchEnd()
		s.mu.Unlock()
		s.aofBatchCommit(ab)
	}
}

// fireTimers runs the callbacks of the timers that are due. Lock held.
func (s *Server) fireTimers() {
	st := &s.modBlk
	now := time.Now()
	s.now = now.UnixMilli()
	for len(st.queue) > 0 && !st.queue[0].when.After(now) {
		t := heap.Pop(&st.queue).(*modTimer)
		delete(st.timers, t.id)
		if !s.moduleLoaded(t.mod) {
			continue
		}
		x := &modCtx{s: s, mod: t.mod, c: newModuleClient(s, t.db), phase: phaseBackground}
		s.modBlockRecover(t.mod, "timer callback", true, func() { t.cb(x, t.data) })
		x.closeKeys()
		x.phase = phaseDone
	}
	s.modBlockAfterWork()
}

// dropUnloadedTimers stops the timers of modules that were unloaded. Lock
// held.
func (s *Server) dropUnloadedTimers() {
	st := &s.modBlk
	for i := 0; i < len(st.queue); {
		t := st.queue[i]
		if s.moduleLoaded(t.mod) {
			i++
			continue
		}
		delete(st.timers, t.id)
		heap.Remove(&st.queue, i)
		i = 0 // the heap moved things around
	}
}

// moduleLoaded reports whether m is loaded now. Lock held.
func (s *Server) moduleLoaded(m *Module) bool {
	for _, l := range s.modules.loaded {
		if l == m {
			return true
		}
	}
	return false
}
