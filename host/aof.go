package host

// The append-only file, as Redis 7.0 keeps it: a directory (appenddirname)
// holding a base file (an RDB snapshot, appendonly.aof.N.base.rdb), the
// incremental files of commands written since (appendonly.aof.M.incr.aof)
// and the manifest that lists them (appendonly.aof.manifest).
//
// Propagation: Client.call counts calls and, after a command that changed
// the dataset (Server.dirty grew) and propagated nothing itself, records
// its effect form (aof_propagate.go) in RESP into aofState.tx. Commands
// that run others (EXEC, EVAL, FCALL, module commands) propagate what their
// inner commands did. When the outermost call returns, tx goes to the AOF
// buffer, wrapped in MULTI/EXEC when it holds more than one command.
//
// Writing: at the end of each batch, while the execution lock is still
// held, the buffer moves to the writer's pending bytes; after the lock is
// released the connection goroutine writes them (and with appendfsync
// always waits for an fsync that covers them) before it sends the batch's
// replies. Writes are short and serialized by the writer's mutex; an fsync
// runs without it, by one goroutine at a time (the leader), while others
// keep writing: when it ends, every goroutine whose bytes it covered
// returns at once, and one of the others leads the next fsync, which
// covers everything written meanwhile (a group commit). With everysec a
// goroutine fsyncs once a second.
//
// Errors, as Redis 7.0's flushAppendOnlyFile: with appendfsync always a
// failed write or fsync is fatal (the server exits before any reply of the
// batch goes out: an acknowledged write is always durable). Otherwise the
// bytes stay pending (a short write is truncated away first, so the file
// stays loadable), aof_last_write_status turns err and write commands get
// -MISCONF until a later write (and fsync) succeeds: every batch and the
// everysec goroutine try again.
//
// Everything here is touched only when appendonly is yes: Server.aof is nil
// otherwise.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
)

// The AOF writer's file operations, and the exit of a fatal AOF error:
// variables so that tests can inject faults (aof_fault_test.go). Tests
// that replace them must not run in parallel.
var (
	aofWriteFile    = func(f *os.File, b []byte) (int, error) { return f.Write(b) }
	aofSyncFile     = func(f *os.File) error { return f.Sync() }
	aofTruncateFile = func(f *os.File, size int64) error { return f.Truncate(size) }
	aofExit         = func(code int) { os.Exit(code) }
)

// aofWriteLogRate is how often a persisting AOF error is logged (Redis's
// AOF_WRITE_LOG_ERROR_RATE).
const aofWriteLogRate = 30 * time.Second

// aofIOError is a failed AOF write or fsync.
type aofIOError struct {
	op  string // "write" (a short write included) or "fsync"
	err error  // the cause; syscall.ENOSPC for a short write
}

func (e *aofIOError) Error() string { return e.op + " of the append only file: " + e.err.Error() }
func (e *aofIOError) Unwrap() error { return e.err }

// strerror is e's cause as C's strerror words it ("No space left on
// device"), for -MISCONF and the log.
func (e *aofIOError) strerror() string { return strerror(e.err) }

// strerror words err as C's strerror does: Go's errno texts are glibc's
// with a lower-case first letter.
func strerror(err error) string {
	var en syscall.Errno
	msg := err.Error()
	if errors.As(err, &en) {
		msg = en.Error()
	} else {
		for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
			msg = u.Error()
		}
	}
	if msg == "" {
		return msg
	}
	return strings.ToUpper(msg[:1]) + msg[1:]
}

// aofState is the AOF's propagation state and writer. Fields other than w
// are guarded by the execution lock.
type aofState struct {
	depth   int    // nesting of running calls
	txn     int    // commands encoded in tx
	side    int    // of those, deletions of expired or evicted keys
	tx      []byte // the outermost command's propagated commands, RESP
	txdb    int    // database the commands in tx are in
	seldb   int    // database the AOF is in (-1: unknown, a SELECT is due)
	buf     []byte // encoded, not yet handed to the writer
	always  bool   // appendfsync always
	fsync   bool   // appendfsync always or everysec
	w       *aofWriter
	man     aofManifest
	lastErr error
	// waiting is Redis's AOF_WAIT_REWRITE: the AOF is being turned on and w
	// writes the temporary incremental file until the rewrite ends.
	waiting bool

	startSize int64 // bytes of the manifest's files when the writer opened
	baseSize  int64 // aof_base_size: the size after the last rewrite or load
}

// currentSize is aof_current_size: the files' size when the writer opened
// plus what it wrote since. Lock held.
func (a *aofState) currentSize() int64 { return a.startSize + a.w.written.Load() }

// aofStats are the rewrite's state and INFO's aof_* counters; they outlive
// the AOF being turned off. Lock held.
type aofStats struct {
	rw           *aofRewriteJob // the running background rewrite
	scheduled    bool           // aof_rewrite_scheduled: start when nothing else runs
	turningOn    bool           // appendonly yes, the rewrite that turns it on not started yet
	jobs         int64          // rewrites started since the process started (temporary names)
	rewrites     int64          // aof_rewrites: rewrites started
	lastSec      int64          // aof_last_rewrite_time_sec (-1: none)
	lastFailed   bool           // aof_last_bgrewrite_status
	failures     int64          // aof_rewrites_consecutive_failures
	lastFailedAt time.Time      // for the retry delay of the automatic rewrite
	lastCow      int64          // aof_last_cow_size
}

// aofWriter appends to the current incremental file.
type aofWriter struct {
	mu       sync.Mutex // file writes, and the fields below
	fsyncEnd sync.Cond  // on mu: signalled when an fsync ends
	syncing  bool       // an fsync runs (without mu)
	f        *os.File
	closed   bool
	written  atomic.Int64 // bytes written to the file (changed under mu)
	synced   atomic.Int64 // bytes fsynced (changed under mu)
	base     int64        // the file's size when it was opened (a short write is truncated to base+written)

	// Errors (under mu): writeErr is aof_last_write_status:err, the last
	// write failed; syncErr is Redis's aof_bio_fsync_status:err, the last
	// fsync failed. failed mirrors them for the -MISCONF check (writeErr
	// first), nil when both are clear.
	writeErr *aofIOError
	syncErr  *aofIOError
	failed   atomic.Pointer[aofIOError]
	closeErr error                        // close could not write or fsync everything
	lastLog  time.Time                    // the last error logged (rate limit)
	lg       atomic.Pointer[hclog.Logger] // the server's, set by aofQueue

	pmu     sync.Mutex // pending and queued
	pending []byte
	spare   []byte
	queued  int64
}

// aofMark is what call remembers about the AOF when a command starts.
type aofMark struct {
	on    bool
	dirty int64
	txn   int // a.txn - a.side when the call started
	db    int
}

// aofEnter notes a call starting. Lock held, AOF on.
func (a *aofState) enter(c *Client) aofMark {
	a.depth++
	return aofMark{on: true, dirty: c.srv.dirty, txn: a.txn - a.side, db: c.db.ID}
}

// aofLeave records what a finished call propagates. Lock held.
func (s *Server) aofLeave(c *Client, cmd *Command, args [][]byte, m aofMark) {
	a := s.aof
	if a == nil {
		return
	}
	if a.depth > 0 {
		a.depth--
	}
	// Nothing the call ran propagated anything itself (deletions of expired
	// keys found on the way do not count): record its effect form.
	if a.txn-a.side == m.txn && s.dirty > m.dirty && (cmd.Flags&FlagWrite != 0 || cmd.Module != nil) {
		if !propagateEffect(c, cmd, args, m.db) {
			a.add(m.db, args)
		}
	}
	if a.depth == 0 {
		a.endTop()
	}
}

// alsoPropagate records args as (part of) the running command's effect, as
// Redis's alsoPropagate. Outside any call (a blocked client being served)
// it goes to the AOF at once. Call it only when c.srv.aof != nil.
func (c *Client) alsoPropagate(args ...[]byte) {
	a := c.srv.aof
	if a == nil {
		return
	}
	a.add(c.db.ID, args)
	if a.depth == 0 {
		a.endTop()
	}
}

// aofOn reports whether commands are being propagated to an AOF.
func (c *Client) aofOn() bool { return c.srv.aof != nil }

// add encodes one command in db into tx.
func (a *aofState) add(db int, args [][]byte) {
	if a.txn == 0 {
		a.txdb = a.seldb
	}
	if db != a.seldb {
		a.tx = appendCommand(a.tx, []byte("SELECT"), []byte(strconv.Itoa(db)))
		a.seldb = db
	}
	a.tx = appendCommand(a.tx, args...)
	a.txn++
}

// endTop moves the outermost command's propagation to the buffer.
func (a *aofState) endTop() {
	switch {
	case a.txn == 0:
		return
	case a.txn == 1:
		a.buf = append(a.buf, a.tx...)
	default:
		a.buf = append(a.buf, "*1\r\n$5\r\nMULTI\r\n"...)
		a.buf = append(a.buf, a.tx...)
		a.buf = append(a.buf, "*1\r\n$4\r\nEXEC\r\n"...)
	}
	a.tx = a.tx[:0]
	a.txn, a.side = 0, 0
}

// propagateDeletion records the removal of an expired or evicted key as a
// DEL, as Redis's propagateDeletion does, so a reload does not bring it back.
// During a command it goes into the command's propagation (ahead of the
// command's own effects, wrapped with them in MULTI/EXEC); from the cron it
// goes out at once. Lock held.
func (s *Server) propagateDeletion(db int, key []byte) {
	a := s.aof
	if a == nil {
		return
	}
	a.add(db, [][]byte{[]byte("DEL"), key})
	a.side++
	if a.depth == 0 {
		a.endTop()
	}
}

// appendCommand appends args as a RESP array of bulk strings.
func appendCommand(b []byte, args ...[]byte) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, '\r', '\n')
	for _, x := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(x)), 10)
		b = append(b, '\r', '\n')
		b = append(b, x...)
		b = append(b, '\r', '\n')
	}
	return b
}

// aofQueue hands the buffer to the writer. It returns the writer and the
// position the caller must see written (and fsynced, with always) before
// it replies; nil when there is nothing to wait for. Lock held.
func (s *Server) aofQueue() (*aofWriter, int64, bool) {
	a := s.aof
	if a == nil {
		return nil, 0, false
	}
	w := a.w
	if w.lg.Load() == nil {
		w.lg.Store(&s.log)
	}
	w.pmu.Lock()
	if len(a.buf) > 0 {
		w.pending = append(w.pending, a.buf...)
		w.queued += int64(len(a.buf))
		a.buf = a.buf[:0]
	}
	target := w.queued
	w.pmu.Unlock()
	return w, target, a.always
}

// flush writes the pending bytes up to target (and whatever else is
// pending) and, when asked, waits for an fsync that covers them. It returns
// an *aofIOError when the write failed (the bytes stay pending, for the
// next try) or when the fsync that was to cover them failed. Called without
// the execution lock.
func (w *aofWriter) flush(target int64, fsync bool) error {
	// Fast path: a batch that wrote nothing, and whose reads saw nothing
	// not yet durable, does not wait for another goroutine's fsync.
	if fsync && w.synced.Load() >= target || !fsync && w.written.Load() >= target {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		// A rewrite or shutdown made these bytes durable, unless its
		// last write or fsync failed.
		return w.closeErr
	}
	if w.written.Load() < target {
		if err := w.writePending(); err != nil {
			return err
		}
		if n := w.written.Load(); n < target { // cannot be: queued = written + pending
			target = n
		}
	}
	for fsync && w.synced.Load() < target && !w.closed {
		if w.syncing {
			w.syncCond().Wait() // the running fsync may cover target
			if w.syncErr != nil && w.synced.Load() < target {
				return w.syncErr // it failed: these bytes are not durable
			}
			continue
		}
		if err := w.syncLocked(); err != nil {
			return err
		}
	}
	return nil
}

// writePending writes everything pending, as Redis's flushAppendOnlyFile
// does with aof_buf: on a failed write the bytes stay pending for the next
// try; a short write is first truncated away (so the file ends with whole
// commands and stays loadable), or, when that fails too, only what was
// not written stays pending. w.mu held.
func (w *aofWriter) writePending() error {
	w.pmu.Lock()
	data := w.pending
	w.pending = w.spare[:0]
	w.pmu.Unlock()
	if len(data) == 0 {
		return nil
	}
	n, err := aofWriteFile(w.f, data)
	if err == nil && n == len(data) {
		w.written.Add(int64(n))
		w.spare = data[:0]
		if w.writeErr != nil {
			w.writeErr = nil
			w.setFailed()
			w.logger().Warn("AOF write error looks solved, Redis can write again.")
		}
		return nil
	}
	canLog := w.canLog()
	ioErr := &aofIOError{op: "write", err: err}
	if n <= 0 {
		if err == nil { // a writer that wrote nothing and said nothing
			ioErr.err = syscall.EIO
		}
		if canLog {
			w.logger().Warn(fmt.Sprintf("Error writing to the AOF file: %s", ioErr.strerror()))
		}
		n = 0
	} else {
		if canLog {
			w.logger().Warn(fmt.Sprintf("Short write while writing to the AOF file: (nwritten=%d, expected=%d)", n, len(data)))
		}
		if terr := aofTruncateFile(w.f, w.base+w.written.Load()); terr != nil {
			if canLog {
				w.logger().Warn(fmt.Sprintf("Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next time it starts.  ftruncate: %s", strerror(terr)))
			}
			// The written part stays in the file: only the rest is retried.
			w.written.Add(int64(n))
			data = data[n:]
		}
		ioErr.err = syscall.ENOSPC // as Redis: a short write means a full disk
	}
	// Put the bytes not written back in front of what was queued since.
	w.pmu.Lock()
	rest := append(data, w.pending...)
	w.spare = w.pending[:0]
	w.pending = rest
	w.pmu.Unlock()
	w.writeErr = ioErr
	w.setFailed()
	return ioErr
}

// syncLocked fsyncs what is written, as the leader: w.mu is released
// during the fsync, so other goroutines keep writing meanwhile; the waiters
// are woken when it ends. A failed fsync leaves synced where it was and
// sets syncErr until an fsync succeeds. w.mu held, no fsync running.
func (w *aofWriter) syncLocked() error {
	w.syncing = true
	n := w.written.Load()
	w.mu.Unlock()
	err := aofSyncFile(w.f)
	w.mu.Lock()
	w.syncing = false
	defer w.syncCond().Broadcast()
	if err != nil {
		first := w.syncErr == nil
		w.syncErr = &aofIOError{op: "fsync", err: err}
		w.setFailed()
		if first || w.canLog() {
			w.logger().Warn(fmt.Sprintf("Fail to fsync the AOF file: %s", w.syncErr.strerror()))
		}
		return w.syncErr
	}
	if w.syncErr != nil {
		w.syncErr = nil
		w.setFailed()
		w.logger().Warn("AOF fsync error looks solved: write commands are accepted again.")
	}
	if n > w.synced.Load() {
		w.synced.Store(n)
	}
	return nil
}

// setFailed publishes the error state for the -MISCONF check. w.mu held.
func (w *aofWriter) setFailed() {
	switch {
	case w.writeErr != nil:
		w.failed.Store(w.writeErr)
	case w.syncErr != nil:
		w.failed.Store(w.syncErr)
	default:
		w.failed.Store(nil)
	}
}

// canLog rate-limits the logging of a persisting error. w.mu held.
func (w *aofWriter) canLog() bool {
	now := time.Now()
	if now.Sub(w.lastLog) < aofWriteLogRate && !w.lastLog.IsZero() {
		return false
	}
	w.lastLog = now
	return true
}

// logger is the server's logger (a null one before aofQueue set it).
func (w *aofWriter) logger() hclog.Logger {
	if l := w.lg.Load(); l != nil {
		return *l
	}
	return hclog.NewNullLogger()
}

// syncCond is the condition an fsync's end signals. w.mu held.
func (w *aofWriter) syncCond() *sync.Cond {
	if w.fsyncEnd.L == nil {
		w.fsyncEnd.L = &w.mu
	}
	return &w.fsyncEnd
}

// close writes what is pending, fsyncs and closes the file.
func (w *aofWriter) close() error {
	w.pmu.Lock()
	target := w.queued
	w.pmu.Unlock()
	err := w.flush(target, true)
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		for w.syncing {
			w.syncCond().Wait()
		}
		if w.synced.Load() < w.written.Load() { // written by another since
			if serr := w.syncLocked(); err == nil {
				err = serr
			}
		}
		w.closed = true
		if ioErr := (*aofIOError)(nil); errors.As(err, &ioErr) {
			w.closeErr = ioErr // for those still waiting on these bytes
		}
		if cerr := w.f.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// discard closes the file without writing what is pending.
func (w *aofWriter) discard() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.syncing {
		w.syncCond().Wait()
	}
	if !w.closed {
		w.closed = true
		w.f.Close()
	}
}

// aofCommit writes the batch's AOF bytes before its replies go out; with
// appendfsync always they are fsynced first, and a failure is fatal (the
// replies never go out). With everysec or no a failure leaves the bytes
// pending and the writer in error (write commands get -MISCONF); the
// replies go out, as Redis's do. Called by the connection goroutine after
// it releases the execution lock.
func (s *Server) aofCommit(w *aofWriter, target int64, always bool) {
	if err := w.flush(target, always); err != nil && always {
		s.aofFatal(err)
	}
}

// aofFatal ends the server on an AOF error with appendfsync always, as
// Redis's exit(1) in flushAppendOnlyFile: a client was to be told its
// write is durable, and it is not. aofExit returns only in tests: then the
// server is marked dead (serveRESP drops the replies and closes the
// connection) and stopped. Any goroutine, without the execution lock.
func (s *Server) aofFatal(err error) {
	var ioErr *aofIOError
	if errors.As(err, &ioErr) && ioErr.op == "fsync" {
		s.log.Error(fmt.Sprintf("Can't persist AOF for fsync error when the AOF fsync policy is 'always': %s. Exiting...", ioErr.strerror()))
	} else {
		s.log.Error("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...")
	}
	s.aofDie.dead.Store(true)
	aofExit(1)
	s.aofDie.once.Do(func() { go s.Stop() })
}

// aofDeath is the state of a fatal AOF error whose exit returned (tests).
type aofDeath struct {
	dead atomic.Bool // no reply may go out any more
	once sync.Once   // the server is stopped once
}

// diskWriteError is Redis's writeCommandsDeniedByDiskError with
// writeCommandsGetDiskErrorMessage: the -MISCONF error write commands get
// while the last background save failed (stop-writes-on-bgsave-error, with
// save points) or the AOF cannot be written or fsynced; nil when writes
// may go on. Lock held.
func (s *Server) diskWriteError() error {
	if s.bg.lastFailed && len(s.cfg.SavePoints) > 0 && s.cfg.extra("stop-writes-on-bgsave-error", "yes") == "yes" {
		return errBgsaveMisconf
	}
	if a := s.aof; a != nil {
		if e := a.w.failed.Load(); e != nil {
			return errors.New("MISCONF Errors writing to the AOF file: " + e.strerror())
		}
	}
	return nil
}

// errBgsaveMisconf is Redis's shared.bgsaveerr.
var errBgsaveMisconf = errors.New("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.")

// aofRewritePerc is auto-aof-rewrite-percentage; aofRewriteMinSize is
// auto-aof-rewrite-min-size, in bytes.
func (c *Config) aofRewritePerc() int64 {
	n, _ := strconv.ParseInt(c.extra("auto-aof-rewrite-percentage", "100"), 10, 64)
	return n
}
func (c *Config) aofRewriteMinSize() int64 {
	n, err := strconv.ParseInt(c.extra("auto-aof-rewrite-min-size", "67108864"), 10, 64)
	if err != nil {
		return 64 << 20
	}
	return n
}

// aofParams reads the AOF parameters.
func (c *Config) aofEnabled() bool    { return c.extra("appendonly", "no") == "yes" }
func (c *Config) aofFsync() string    { return c.extra("appendfsync", "everysec") }
func (c *Config) aofFilename() string { return c.extra("appendfilename", "appendonly.aof") }
func (c *Config) aofDirname() string  { return c.extra("appenddirname", "appendonlydir") }
func (c *Config) aofLoadTruncated() bool {
	return c.extra("aof-load-truncated", "yes") == "yes"
}
func (c *Config) aofRDBPreamble() bool { return c.extra("aof-use-rdb-preamble", "yes") == "yes" }

// liveParam is a parameter kept in Config.Extra that Modis acts on (the
// AOF's): no "not honoured" warning.
func liveParam(p param) param {
	p.inert = false
	return p
}

// aofDir is dir/appenddirname.
func (s *Server) aofDir() string { return filepath.Join(s.cfg.Dir, s.cfg.aofDirname()) }

// setFsyncPolicy copies appendfsync into the state. Lock held.
func (a *aofState) setFsyncPolicy(p string) {
	a.always = p == "always"
	a.fsync = p != "no"
}

// aofCron is the everysec goroutine: once a second it writes what is
// pending and, unless appendfsync is no, fsyncs.
func (s *Server) aofCron() {
	defer s.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		s.mu.Lock()
		w, target, always := s.aofQueue()
		fsync := s.aof != nil && s.aof.fsync
		s.mu.Unlock()
		if w != nil {
			// A failed write or fsync is retried here every second too
			// (Redis's serverCron): its success lifts the -MISCONF.
			if err := w.flush(target, fsync); err != nil && always {
				s.aofFatal(err)
			}
		}
	}
}

// aofStop closes the AOF (appendonly turned off, server stopping), killing
// a running rewrite as Redis's stopAppendOnly does. Lock held.
func (s *Server) aofStop() {
	st := &s.aofStat
	st.scheduled = false
	st.turningOn = false
	a := s.aof
	if a == nil {
		return
	}
	s.aofKillRewrite()
	a.endTop()
	w, _, _ := s.aofQueue()
	s.aof = nil
	if err := w.close(); err != nil {
		s.log.Error("closing the append only file failed", "error", err)
	}
	if a.waiting {
		os.Remove(filepath.Join(s.aofDir(), tempIncrName(s.cfg.aofFilename())))
	}
}

// aofConfigChanged applies a CONFIG SET of the AOF parameters. Lock held.
func (s *Server) aofConfigChanged(old Config) {
	on := s.cfg.aofEnabled()
	enabled := s.aof != nil || s.aofStat.turningOn
	switch {
	case s.load.active:
		// Loading: applied when the load ends (loadStartup).
	case on && !enabled:
		s.aofTurnOn()
	case !on && enabled:
		s.aofStop()
	case on && s.aof != nil:
		s.aof.setFsyncPolicy(s.cfg.aofFsync())
	}
}

// aofTurnOn turns the AOF on at run time (CONFIG SET appendonly yes), as
// Redis's startAppendOnly: a background rewrite makes the base, and
// commands go to a temporary incremental file meanwhile (aof_enabled is 1
// from now on). During a background save the rewrite is scheduled; a
// rewrite running with the AOF off is killed and started again. Lock held.
func (s *Server) aofTurnOn() {
	st := &s.aofStat
	st.turningOn = true
	if j := st.rw; j != nil && j.a == nil {
		s.log.Warn("AOF was enabled but there is already an AOF rewriting in background: stopping it and starting a rewrite now")
		s.aofKillRewrite()
	}
	if s.childActive() {
		st.scheduled = true
		s.log.Warn("AOF was enabled but there is already another background operation: an AOF rewrite was scheduled to start when possible")
		return
	}
	if err := s.startAOFRewrite(); err != nil {
		st.turningOn = false
		s.log.Error("turning the append only file on failed: can't trigger a background AOF rewrite", "error", err)
		s.cfg.setExtra("appendonly", "no")
	}
}

// infoAOFEnabled is INFO's aof_enabled: on, or being turned on. Lock held.
func (s *Server) infoAOFEnabled() string {
	if s.aof != nil || s.aofStat.turningOn {
		return "1"
	}
	return "0"
}

// infoAOFWriteStatus is INFO's aof_last_write_status. Lock held.
func (s *Server) infoAOFWriteStatus() string {
	if s.aof == nil {
		return "ok"
	}
	if s.aof.w.failed.Load() != nil {
		return "err"
	}
	return "ok"
}

// aofBatch is what a batch must make durable before its replies go out.
type aofBatch struct {
	w      *aofWriter
	target int64
	always bool
}

// aofBatchEnd hands the batch's AOF bytes to the writer. Lock held.
func (s *Server) aofBatchEnd() aofBatch {
	if s.aof == nil {
		return aofBatch{}
	}
	w, target, always := s.aofQueue()
	return aofBatch{w: w, target: target, always: always}
}

// aofBatchCommit writes them (and, with appendfsync always, waits for the
// fsync). Call it after releasing the lock, before sending the replies.
func (s *Server) aofBatchCommit(b aofBatch) {
	if b.w != nil {
		s.aofCommit(b.w, b.target, b.always)
	}
}
