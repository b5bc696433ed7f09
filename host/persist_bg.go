package host

// Background saves (BGSAVE), save points and SHUTDOWN.
//
// Go cannot fork, so BGSAVE takes a consistent snapshot with copy-on-write
// at the key level (keyspace.Snapshot): under the execution lock it starts
// a snapshot and records the change counter; a saver goroutine then writes
// the file, taking the lock only to serialize bgsaveChunk keys at a time
// (into memory: the file is written without the lock). A write to a key the
// saver has not reached yet first copies the old value aside, and the saver
// writes that copy instead. See docs/architecture.md.

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"modis/host/internal/keyspace"
	"modis/host/internal/rdb"
)

// bgsaveChunk is how many slots the saver visits per hold of the lock.
const bgsaveChunk = 256

// bgsaveRetryDelay is how long the save points wait after a failed
// background save before trying again (Redis's CONFIG_BGSAVE_RETRY_DELAY).
const bgsaveRetryDelay = 5 * time.Second

// bgState is the persistence state the server keeps across saves. Lock
// held for every field.
type bgState struct {
	running   *bgsave
	scheduled bool // BGSAVE inside a transaction: start at the next cron

	lastFailed  bool          // rdb_last_bgsave_status:err
	lastTook    time.Duration // rdb_last_bgsave_time_sec
	haveLast    bool          // a background save ended
	lastTry     time.Time     // the last start, for the retry delay
	saves       int64         // rdb_saves: successful saves, SAVE included
	lastCow     int64         // rdb_last_cow_size
	shutdownErr bool          // the last shutdown attempt failed
	stopping    bool          // a shutdown succeeded: the server is stopping
	down        chan struct{} // closed when a shutdown stopped the server

	// hook, when set (tests), runs in the saver between chunks without the
	// lock.
	hook func()
}

// bgsave is one running background save.
type bgsave struct {
	snap    *keyspace.Snapshot
	start   time.Time
	dirty   int64 // the change counter at the start
	aborted bool  // SHUTDOWN or Stop: give up and remove the file
	done    chan struct{}
}

// bgsaveInProgress reports whether a background save runs. Lock held.
func (s *Server) bgsaveInProgress() bool { return s.bg.running != nil }

// startBgsave starts a background save. Lock held.
func (s *Server) startBgsave() error {
	if s.bg.running != nil {
		return ErrBgsaveInProgress
	}
	if s.aofStat.rw != nil {
		return errBgsaveChild
	}
	select {
	case <-s.stop:
		return errors.New("ERR server is shutting down")
	default:
	}
	now := time.Now()
	s.bg.lastTry = now
	s.bg.scheduled = false
	b := &bgsave{start: now, dirty: s.dirty, done: make(chan struct{})}
	at := s.now // the batch clock, as expiry uses
	if at == 0 {
		at = now.UnixMilli()
	}
	b.snap = keyspace.Begin(s.dbs, at)
	s.bg.running = b
	s.evPersistenceBgStart() // modules' Persistence event (mod_events.go)
	s.wg.Add(1)
	go s.runBgsave(b, s.rdbPath(), s.rdbCompression())
	s.log.Info("background saving started")
	return nil
}

// runBgsave is the saver goroutine.
func (s *Server) runBgsave(b *bgsave, path string, compress bool) {
	defer s.wg.Done()
	defer close(b.done)
	dir := filepath.Dir(path)
	tmp := filepath.Join(dir, fmt.Sprintf("temp-bg-%d.rdb", os.Getpid()))
	err := s.writeBgsave(b, tmp, compress)
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() { s.evPersistenceDone(err == nil && !b.aborted) }() // modules' Persistence event (mod_events.go)
	b.snap.End()
	if err == nil && !b.aborted {
		// The rename is under the lock, so a SHUTDOWN's final save cannot
		// be overwritten by a cancelled one; the directory fsync is not.
		err = os.Rename(tmp, path)
		if err == nil {
			defer func() {
				s.mu.Unlock()
				if d, derr := os.Open(dir); derr == nil {
					d.Sync()
					d.Close()
				}
				s.mu.Lock()
			}()
		}
	}
	took := time.Since(b.start)
	s.bg.running = nil
	s.bg.lastCow = b.snap.CowBytes
	if b.aborted {
		os.Remove(tmp)
		s.log.Warn("background saving terminated", "file", path)
		return
	}
	s.bg.haveLast, s.bg.lastTook = true, took
	if err != nil {
		os.Remove(tmp)
		s.bg.lastFailed = true
		s.log.Warn("background saving error", "file", path, "error", err)
		return
	}
	s.bg.lastFailed = false
	s.bg.saves++
	s.dirty -= b.dirty
	if s.dirty < 0 {
		s.dirty = 0
	}
	s.lastSave = time.Now()
	s.log.Info("background saving terminated with success", "file", path, "took", took.String(), "cow_bytes", b.snap.CowBytes)
}

// errBgsaveAborted ends a saver that SHUTDOWN or Stop cancelled.
var errBgsaveAborted = errors.New("background save aborted")

// errBgsaveChild is BGSAVE's answer while an AOF rewrite runs.
var errBgsaveChild = errors.New("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.")

// writeBgsave writes the snapshot to tmp, fsynced.
func (s *Server) writeBgsave(b *bgsave, tmp string, compress bool) error {
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("failed opening the temp RDB file %s for saving: %w", filepath.Base(tmp), err)
	}
	defer f.Close()
	var buf bytes.Buffer
	enc := rdb.NewEncoder(&buf, compress)
	s.mu.Lock()
	enc.NoChecksum = !s.rdbChecksum()
	s.mu.Unlock()
	flush := func() error {
		if err := enc.Flush(); err != nil {
			return err
		}
		_, err := f.Write(buf.Bytes())
		buf.Reset()
		return err
	}
	s.mu.Lock()
	codes := s.scripting.libraryCodes() // the function libraries, as they are now
	aux := s.captureModuleAux()         // module types' AUX data, now (mod_type_aux.go)
	hook := s.bg.hook
	nd := len(s.dbs)
	ids := make([]int, nd)
	for i, db := range s.dbs {
		ids[i] = db.ID
	}
	s.mu.Unlock()
	enc.Header()
	enc.Aux("redis-ver", RedisVersion)
	enc.AuxInt("redis-bits", strconv.IntSize)
	enc.AuxInt("ctime", b.start.Unix())
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	enc.AuxInt("used-mem", int64(ms.HeapAlloc))
	enc.AuxInt("aof-base", 0)
	if err := aux.write(enc, rdb.AuxBefore); err != nil {
		return err
	}
	for _, code := range codes {
		enc.Function(code)
	}
	var werr error
	var kb []byte // the key, reused: the saver should not feed the GC
	curDB := 0    // the database being written, for the warning below
	entry := func(e *keyspace.Entry) {
		if werr != nil {
			return
		}
		if e.Kind == keyspace.KindModule && !rdb.IsSavableModuleValue(e.Obj) {
			// As SAVE and the AOF rewrite: skip it with a warning.
			s.log.Warn("BGSAVE skips a module value whose type is not known", "key", e.Key(), "db", curDB)
			return
		}
		kb = append(kb[:0], e.Key()...)
		werr = enc.Entry(kb, e)
	}
	for i := 0; i < nd; i++ {
		keys, exps := b.snap.Size(i)
		if keys == 0 {
			continue
		}
		enc.SelectDB(ids[i])
		enc.ResizeDB(keys, exps)
		curDB = ids[i]
		for done := false; !done; {
			if hook != nil {
				hook()
			}
			s.mu.Lock()
			select {
			case <-s.stop:
				b.aborted = true
			default:
			}
			if b.aborted {
				s.mu.Unlock()
				return errBgsaveAborted
			}
			done = b.snap.Next(i, bgsaveChunk, entry)
			side := b.snap.TakeSide(i)
			s.mu.Unlock()
			for _, e := range side { // copies owned by the snapshot: no lock
				entry(e)
			}
			if werr != nil {
				return werr
			}
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := aux.write(enc, rdb.AuxAfter); err != nil {
		return err
	}
	if err := enc.Finish(); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	return f.Sync()
}

// abortBgsave cancels a running background save: the snapshot stops
// copying values now, and the saver removes its file when it next looks.
// Lock held.
func (s *Server) abortBgsave() {
	if b := s.bg.running; b != nil {
		b.aborted = true
		b.snap.End()
		s.log.Warn("there is a background save in progress: killing it")
	}
}

// saveCron starts a background save when one was scheduled or a save
// point matches. Lock held.
func (s *Server) saveCron(now time.Time) {
	if s.childActive() || s.aofStat.scheduled && !s.aofRewriteLimited(now) {
		return // aofAutoRewrite starts the scheduled rewrite first, as Redis
	}
	if s.bg.scheduled && (!s.bg.lastFailed || now.Sub(s.bg.lastTry) > bgsaveRetryDelay) {
		s.startBgsave()
		return
	}
	since := int64(now.Sub(s.lastSave) / time.Second)
	for _, sp := range s.cfg.SavePoints {
		if s.dirty >= sp[1] && since >= sp[0] &&
			(!s.bg.lastFailed || now.Sub(s.bg.lastTry) > bgsaveRetryDelay) {
			s.log.Info("save point reached: saving", "changes", sp[1], "seconds", sp[0])
			s.startBgsave()
			return
		}
	}
}

// cmdBgsave is BGSAVE [SCHEDULE].
func cmdBgsave(c *Client, args [][]byte) error {
	schedule := false
	if len(args) > 1 {
		if len(args) == 2 && strings.EqualFold(string(args[1]), "schedule") {
			schedule = true
		} else {
			return ErrSyntax
		}
	}
	s := c.srv
	inExec := c.multi != nil && c.multi.executing
	switch {
	case s.bg.running != nil:
		return ErrBgsaveInProgress
	case s.childActive() || inExec: // an AOF rewrite holds the snapshot
		if !schedule && !inExec {
			return errBgsaveChild
		}
		s.bg.scheduled = true
		c.out.SimpleString("Background saving scheduled")
		return nil
	}
	if err := s.startBgsave(); err != nil {
		return err
	}
	c.out.SimpleString("Background saving started")
	return nil
}

// shutdownFlags are SHUTDOWN's options.
type shutdownFlags struct {
	save, nosave, now, force bool
}

// cmdShutdown is SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. With no
// replicas there is nothing to wait for, so a shutdown never stays pending
// and ABORT always finds none.
func cmdShutdown(c *Client, args [][]byte) error {
	var fl shutdownFlags
	abort, any := false, false
	for _, a := range args[1:] {
		switch strings.ToLower(string(a)) {
		case "nosave":
			fl.nosave = true
		case "save":
			fl.save = true
		case "now":
			fl.now = true
		case "force":
			fl.force = true
		case "abort":
			abort = true
			continue
		default:
			return ErrSyntax
		}
		any = true
	}
	if abort && any || fl.save && fl.nosave {
		return ErrSyntax
	}
	if abort {
		return ErrNoShutdown
	}
	if err := c.srv.prepareShutdown(fl); err != nil {
		return err
	}
	return nil // no reply: the connection closes with the server
}

// prepareShutdown is Redis's prepareForShutdown and finishShutdown: kill a
// background save, save if save points are configured (or SAVE was given)
// unless NOSAVE, and stop the server. A failed save refuses to shut down
// unless FORCE. Lock held.
func (s *Server) prepareShutdown(fl shutdownFlags) error {
	s.log.Warn("user requested shutdown")
	if j := s.aofStat.rw; j != nil {
		// The AOF we have is longer but holds the whole dataset, unless
		// this rewrite is what turns the AOF on.
		if j.on && !fl.force {
			s.log.Warn("writing initial AOF, can't exit")
			s.bg.shutdownErr = true
			return ErrShutdownFailed
		}
		s.aofKillRewrite()
	}
	s.abortBgsave()
	if !fl.nosave && (len(s.cfg.SavePoints) > 0 || fl.save) {
		s.log.Info("saving the final RDB snapshot before exiting")
		if err := s.saveRDB(); err != nil {
			if !fl.force {
				s.log.Warn("error trying to save the DB, can't exit", "error", err)
				s.bg.shutdownErr = true
				return ErrShutdownFailed
			}
			s.log.Warn("error trying to save the DB: exiting anyway (FORCE)", "error", err)
		}
	}
	s.evShutdown() // modules' Shutdown event (mod_events.go)
	s.log.Warn("Modis is now ready to exit, bye bye")
	if s.bg.down == nil {
		s.bg.down = make(chan struct{})
	}
	if !s.bg.stopping {
		s.bg.stopping = true
		down := s.bg.down
		go func() {
			s.Stop() // waits for the cancelled saver too
			close(down)
		}()
	}
	return nil
}

// Shutdown does what SIGTERM does in Redis: SHUTDOWN without options. On an
// error the server keeps running.
func (s *Server) Shutdown() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.prepareShutdown(shutdownFlags{})
}

// Done returns a channel closed when SHUTDOWN (or Shutdown) has stopped the
// server: listeners and connections closed, a cancelled background save
// cleaned up.
func (s *Server) Done() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bg.down == nil {
		s.bg.down = make(chan struct{})
	}
	return s.bg.down
}

// infoBgsave is INFO persistence's rdb_* fields about background saves.
// Lock held.
func (s *Server) infoBgsave() (inProgress, status, lastSec, curSec, saves, cow string) {
	inProgress, status, lastSec, curSec = "0", "ok", "-1", "-1"
	if b := s.bg.running; b != nil {
		inProgress = "1"
		curSec = strconv.FormatInt(int64(time.Since(b.start)/time.Second), 10)
	}
	if s.bg.lastFailed {
		status = "err"
	}
	if s.bg.haveLast {
		lastSec = strconv.FormatInt(int64(s.bg.lastTook/time.Second), 10)
	}
	return inProgress, status, lastSec, curSec, strconv.FormatInt(s.bg.saves, 10), strconv.FormatInt(s.bg.lastCow, 10)
}
