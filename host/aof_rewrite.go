package host

// The background AOF rewrite: BGREWRITEAOF, the automatic rewrite and
// CONFIG SET appendonly yes. Redis 7.0 forks for it; Modis takes the same
// key-level copy-on-write snapshot BGSAVE uses (keyspace.Begin), and keeps
// Redis 7.0's multi-part file design, so nothing acknowledged is lost at any
// point:
//
//   - Start, under the execution lock (startAOFRewrite): the writer's
//     pending bytes are written to the current incremental file (and fsynced
//     with appendfsync always); a new incremental file is opened and the
//     manifest rewritten to list it after the old ones (old base + old
//     incrs + new incr: a crash from now on loads all of them); the old
//     file is closed (fsynced in the background unless always); commands
//     from now on go to the new file; the snapshot is taken. With the AOF
//     being turned on (Redis's AOF_WAIT_REWRITE), the new file is
//     temp-<appendfilename>.incr instead, listed by no manifest yet.
//   - A goroutine writes the new base from the snapshot into a temporary
//     file in the AOF directory: an RDB file (aof-use-rdb-preamble yes) or
//     the commands that rebuild the dataset. It holds the lock only while it
//     visits bgsaveChunk slots; values written to meanwhile were copied aside
//     by the keyspace and are written without the lock.
//   - End, under the lock (aofRewriteDone): the temporary file is fsynced
//     and renamed to the next base name, the manifest becomes the new base
//     plus the incremental file opened at the start (the old base and incrs
//     as history), then the history files are deleted in the background and
//     dropped from the manifest.
//
// Only one snapshot can run at a time, so a rewrite and BGSAVE exclude each
// other as Redis's child processes do: BGREWRITEAOF during a BGSAVE is
// scheduled, BGSAVE during a rewrite is refused (or scheduled with
// SCHEDULE), and the cron starts what was scheduled when nothing runs.

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"modis/host/internal/keyspace"
	"modis/host/internal/rdb"
	"modis/host/internal/types"
	"modis/sdk"
)

// aofRewriteItems is how many elements one command of a rewritten base
// adds (Redis's AOF_REWRITE_ITEMS_PER_CMD).
const aofRewriteItems = 64

// aofRewriteJob is one background rewrite.
type aofRewriteJob struct {
	snap     *keyspace.Snapshot
	start    time.Time
	a        *aofState // the AOF rewritten; nil when appendonly is no (only a base is made)
	on       bool      // turning the AOF on: a.w writes the temporary incremental file
	preamble bool      // aof-use-rdb-preamble at the start
	compress bool      // rdbcompression
	checksum bool      // rdbchecksum
	dir, fn  string    // the AOF directory and appendfilename at the start
	tmp      string    // the temporary base
	codes    []string  // the function libraries at the start
	ids      []int     // the databases' numbers
	aborted  bool      // killed: remove the temporary file, change nothing else
	done     chan struct{}
}

// errAOFRewriteAborted ends a rewrite that was killed.
var errAOFRewriteAborted = errors.New("background append only file rewrite aborted")

// childActive reports whether a background save or AOF rewrite runs (Redis's
// hasActiveChildProcess). Lock held.
func (s *Server) childActive() bool { return s.bg.running != nil || s.aofStat.rw != nil }

// tempIncrName is the temporary incremental file used while the AOF is
// being turned on (Redis's getTempIncrAofName).
func tempIncrName(fn string) string { return "temp-" + fn + ".incr" }

// nextIncr returns the name and sequence number of the incremental file
// that follows man's, skipping names its history still holds.
func nextIncr(man aofManifest, fn string) aofFile {
	seq := man.lastIncrSeq() + 1
	for {
		name := fmt.Sprintf("%s.%d.incr.aof", fn, seq)
		clash := false
		for _, h := range man.history {
			if h.name == name {
				clash = true
			}
		}
		if !clash {
			return aofFile{name: name, seq: seq, typ: 'i'}
		}
		seq++
	}
}

// clone copies a manifest.
func (m aofManifest) clone() aofManifest {
	out := aofManifest{incrs: append([]aofFile(nil), m.incrs...), history: append([]aofFile(nil), m.history...)}
	if m.base != nil {
		b := *m.base
		out.base = &b
	}
	return out
}

// startAOFRewrite starts a background rewrite (Redis's
// rewriteAppendOnlyFileBackground). Lock held.
func (s *Server) startAOFRewrite() error {
	st := &s.aofStat
	if s.childActive() {
		return errors.New("another background save or rewrite is running")
	}
	if s.stopping() {
		return errors.New("the server is shutting down")
	}
	dir, fn := s.aofDir(), s.cfg.aofFilename()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		st.lastFailed = true
		return fmt.Errorf("can't open or create append-only dir %s: %w", dir, err)
	}
	st.jobs++
	j := &aofRewriteJob{
		start: time.Now(), preamble: s.cfg.aofRDBPreamble(), compress: s.rdbCompression(), checksum: s.rdbChecksum(),
		dir: dir, fn: fn, done: make(chan struct{}),
		tmp: filepath.Join(dir, fmt.Sprintf("temp-rewriteaof-bg-%d-%d.aof", os.Getpid(), st.jobs)),
	}
	switch {
	case st.turningOn:
		a, err := s.aofOpenWaiting(dir, fn)
		if err != nil {
			st.lastFailed = true
			return err
		}
		s.aof, j.a, j.on = a, a, true
		st.turningOn = false
	case s.aof != nil:
		if err := s.aofSwitchIncr(s.aof, dir, fn); err != nil {
			st.lastFailed = true
			return err
		}
		j.a = s.aof
	}
	at := s.now // the batch clock, as expiry uses
	if at == 0 {
		at = j.start.UnixMilli()
	}
	j.snap = keyspace.Begin(s.dbs, at)
	j.codes = s.scripting.libraryCodes()
	for _, db := range s.dbs {
		j.ids = append(j.ids, db.ID)
	}
	st.rw = j
	st.scheduled = false
	st.rewrites++
	s.evPersistence(sdk.SubeventPersistenceAOFStart) // modules' Persistence event (mod_events.go)
	s.wg.Add(1)
	go s.runAOFRewrite(j)
	s.log.Info("background append only file rewriting started", "base_format", map[bool]string{true: "rdb", false: "aof"}[j.preamble])
	return nil
}

// aofOpenWaiting makes the state of an AOF being turned on: commands go to
// the temporary incremental file until the rewrite that makes its base
// ends. Lock held.
func (s *Server) aofOpenWaiting(dir, fn string) (*aofState, error) {
	man, err := readManifest(dir, fn)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	path := filepath.Join(dir, tempIncrName(fn))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening the append only file %s: %w", path, err)
	}
	a := &aofState{seldb: -1, man: man, waiting: true, w: &aofWriter{f: f}}
	a.setFsyncPolicy(s.cfg.aofFsync())
	s.log.Info("creating the temporary AOF incr file for the background rewrite", "file", tempIncrName(fn))
	return a, nil
}

// aofSwitchIncr moves the AOF to a new incremental file (Redis's
// openNewIncrAofForAppend): what is pending goes to the current file
// (fsynced with appendfsync always), the new file is created and added to
// the manifest, then the old file is closed (fsynced in the background
// unless always). On an error nothing changed. Lock held.
func (s *Server) aofSwitchIncr(a *aofState, dir, fn string) error {
	old := a.w
	a.endTop() // nothing pending at depth 0; keeps whole commands together otherwise
	if _, target, _ := s.aofQueue(); true {
		if err := old.flush(target, a.always); err != nil {
			// What is pending stays queued on the current file, to be
			// retried there (aof.go); switching files now would lose it.
			s.log.Error("writing the append only file failed", "error", err)
			return fmt.Errorf("writing the append only file: %w", err)
		}
	}
	next := a.man.clone()
	inc := nextIncr(next, fn)
	path := filepath.Join(dir, inc.name)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("opening the append only file %s: %w", path, err)
	}
	next.incrs = append(next.incrs, inc)
	if err := writeManifest(dir, fn, next); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("writing the AOF manifest: %w", err)
	}
	a.w = &aofWriter{f: f}
	a.man = next
	a.startSize += old.written.Load()
	a.seldb = -1 // the new file starts with a SELECT
	if a.always {
		old.close() // already fsynced above
	} else {
		go func() {
			if err := old.close(); err != nil {
				s.log.Error("closing the append only file failed", "error", err)
			}
		}()
	}
	s.log.Info("creating AOF incr file on background rewrite", "file", inc.name)
	return nil
}

// runAOFRewrite is the rewriting goroutine. After the rewrite ended it
// deletes the history files (without the lock) and then drops them from
// the manifest; j.done is closed after that.
func (s *Server) runAOFRewrite(j *aofRewriteJob) {
	defer s.wg.Done()
	defer close(j.done)
	err := s.writeAOFBase(j)
	s.mu.Lock()
	history := s.aofRewriteEnd(j, err)
	s.mu.Unlock()
	if len(history) > 0 {
		s.aofDeleteHistory(j.dir, j.fn, history)
	}
}

// aofRewriteEnd handles the end of the rewrite's writing: it returns the
// history files to delete. Lock held.
func (s *Server) aofRewriteEnd(j *aofRewriteJob, err error) (history []aofFile) {
	j.snap.End()
	defer func() { s.evPersistenceDone(err == nil && !j.aborted) }() // modules' Persistence event
	st := &s.aofStat
	if j.aborted || errors.Is(err, errAOFRewriteAborted) {
		j.aborted = true
		os.Remove(j.tmp)
		if st.rw == j {
			st.rw = nil
		}
		s.log.Warn("background AOF rewrite terminated: killed")
		return nil
	}
	st.rw = nil
	st.lastSec = int64(time.Since(j.start) / time.Second)
	if err == nil {
		history, err = s.aofRewriteDone(j)
	}
	if err != nil {
		os.Remove(j.tmp)
		s.aofRewriteFailed(j, err)
		return nil
	}
	st.lastFailed = false
	st.failures = 0
	st.lastCow = j.snap.CowBytes
	s.log.Info("background AOF rewrite finished successfully", "took", time.Since(j.start).String(), "cow_bytes", j.snap.CowBytes)
	return history
}

// aofRewriteFailed records a failed rewrite. A rewrite that was turning
// the AOF on drops its temporary incremental file and is tried again by
// the cron, as Redis does. Lock held.
func (s *Server) aofRewriteFailed(j *aofRewriteJob, err error) {
	st := &s.aofStat
	st.lastFailed = true
	st.failures++
	st.lastFailedAt = time.Now()
	s.log.Warn("background AOF rewrite terminated with error", "error", err)
	if j.on && s.aof == j.a {
		s.aofDiscardWaiting()
		st.turningOn = true
		st.scheduled = true
	}
}

// aofDiscardWaiting closes the AOF being turned on and removes its
// temporary incremental file. Lock held.
func (s *Server) aofDiscardWaiting() {
	a := s.aof
	s.aof = nil
	a.w.discard()
	os.Remove(filepath.Join(s.aofDir(), tempIncrName(s.cfg.aofFilename())))
}

// aofRewriteDone installs the new base: rename, then the manifest listing
// the old files as history, which it returns. Lock held; the job is no
// longer current.
func (s *Server) aofRewriteDone(j *aofRewriteJob) ([]aofFile, error) {
	dir, fn := j.dir, j.fn
	var man aofManifest
	if j.a != nil {
		man = j.a.man
	} else {
		m, err := readManifest(dir, fn)
		if err != nil && !os.IsNotExist(err) {
			return nil, err
		}
		man = m
	}
	next := aofManifest{history: append([]aofFile(nil), man.history...)}
	hist := func(f aofFile) { f.typ = 'h'; next.history = append(next.history, f) }
	baseSeq := int64(1)
	if man.base != nil {
		baseSeq = man.base.seq + 1
		hist(*man.base)
	}
	ext := ".aof"
	if j.preamble {
		ext = ".rdb"
	}
	next.base = &aofFile{name: fmt.Sprintf("%s.%d.base%s", fn, baseSeq, ext), seq: baseSeq, typ: 'b'}
	basePath := filepath.Join(dir, next.base.name)
	if err := os.Rename(j.tmp, basePath); err != nil {
		return nil, fmt.Errorf("renaming the temporary AOF base file into %s: %w", next.base.name, err)
	}
	s.log.Info("successfully renamed the temporary AOF base file", "file", next.base.name)
	var incrPath string
	switch {
	case j.on:
		for _, f := range man.incrs {
			hist(f)
		}
		inc := nextIncr(aofManifest{incrs: man.incrs, history: next.history}, fn)
		incrPath = filepath.Join(dir, inc.name)
		if err := os.Rename(filepath.Join(dir, tempIncrName(fn)), incrPath); err != nil {
			os.Remove(basePath)
			return nil, fmt.Errorf("renaming the temporary AOF incr file into %s: %w", inc.name, err)
		}
		next.incrs = []aofFile{inc}
	case j.a != nil:
		// The last incremental file is the one opened at the start.
		n := len(man.incrs)
		for _, f := range man.incrs[:n-1] {
			hist(f)
		}
		next.incrs = append(next.incrs, man.incrs[n-1])
	default:
		for _, f := range man.incrs {
			hist(f)
		}
	}
	if err := writeManifest(dir, fn, next); err != nil {
		os.Remove(basePath)
		if incrPath != "" {
			os.Remove(incrPath)
		}
		return nil, fmt.Errorf("writing the AOF manifest: %w", err)
	}
	if a := j.a; a != nil {
		a.man = next
		a.waiting = false
		if a.txn == 0 {
			a.seldb = -1
		}
		if st, err := os.Stat(basePath); err == nil {
			a.startSize = st.Size()
		}
		a.baseSize = a.currentSize()
	}
	return next.history, nil
}

// aofDeleteHistory deletes history files, then drops them from the
// manifest (Redis's aofDelHistoryFiles, whose unlinks run in a background
// thread). Called without the lock.
func (s *Server) aofDeleteHistory(dir, fn string, files []aofFile) {
	gone := map[string]bool{}
	for _, f := range files {
		if err := os.Remove(filepath.Join(dir, f.name)); err == nil || os.IsNotExist(err) {
			gone[f.name] = true
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.aofDropHistory(dir, fn, gone)
}

// aofDropHistory removes the named files from the history of the manifest
// in dir, in memory and on disk. Lock held.
func (s *Server) aofDropHistory(dir, fn string, gone map[string]bool) {
	var man aofManifest
	a := s.aof
	if a != nil && s.aofDir() == dir && s.cfg.aofFilename() == fn {
		man = a.man
	} else {
		a = nil
		m, err := readManifest(dir, fn)
		if err != nil {
			return
		}
		man = m
	}
	keep := man.history[:0:0]
	for _, f := range man.history {
		if !gone[f.name] {
			keep = append(keep, f)
		}
	}
	if len(keep) == len(man.history) {
		return
	}
	next := man.clone()
	next.history = keep
	if next.base == nil && len(next.incrs) == 0 {
		return // a manifest must list a file
	}
	if err := writeManifest(dir, fn, next); err != nil {
		s.log.Warn("writing the AOF manifest after removing history files failed", "error", err)
		return
	}
	if a != nil {
		a.man = next
	}
}

// aofKillRewrite stops a running rewrite (Redis's killAppendOnlyChild): the
// snapshot stops copying now and the goroutine removes its file when it
// next looks. Lock held.
func (s *Server) aofKillRewrite() {
	j := s.aofStat.rw
	if j == nil {
		return
	}
	s.log.Warn("killing the running background AOF rewrite")
	j.aborted = true
	j.snap.End()
	s.aofStat.rw = nil
}

// writeAOFBase writes the snapshot to j.tmp, fsynced: an RDB file with the
// aof-base AUX field, or commands.
func (s *Server) writeAOFBase(j *aofRewriteJob) error {
	f, err := os.Create(j.tmp)
	if err != nil {
		return fmt.Errorf("opening the temp file for the AOF rewrite %s: %w", j.tmp, err)
	}
	defer f.Close()
	var buf bytes.Buffer
	var enc *rdb.Encoder
	var cw aofCmdWriter
	flush := func() error {
		if enc != nil {
			if err := enc.Flush(); err != nil {
				return err
			}
		} else {
			buf.Write(cw.b)
			cw.b = cw.b[:0]
		}
		_, err := f.Write(buf.Bytes())
		buf.Reset()
		return err
	}
	if j.preamble {
		enc = rdb.NewEncoder(&buf, j.compress)
		enc.NoChecksum = !j.checksum
		enc.Header()
		enc.Aux("redis-ver", RedisVersion)
		enc.AuxInt("redis-bits", strconv.IntSize)
		enc.AuxInt("ctime", j.start.Unix())
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		enc.AuxInt("used-mem", int64(ms.HeapAlloc))
		enc.AuxInt("aof-base", 1)
	}
	s.mu.Lock()
	hook := s.bg.hook
	aux := s.captureModuleAux() // module types' AUX data (mod_type_aux.go)
	s.mu.Unlock()
	if enc != nil {
		// As rdbSaveRio: AUX fields, modules' AUX data, then functions.
		if err := aux.write(enc, rdb.AuxBefore); err != nil {
			return err
		}
		for _, code := range j.codes {
			enc.Function(code)
		}
	} else {
		for _, code := range j.codes {
			cw.command([]byte("FUNCTION"), []byte("LOAD"), []byte(code))
		}
	}
	var werr error
	var kb []byte // the key, reused
	entry := func(e *keyspace.Entry) {
		if werr != nil {
			return
		}
		if e.Kind == keyspace.KindModule && !rdb.IsSavableModuleValue(e.Obj) {
			// Neither the RDB encoder nor RESTORE can write it; only the
			// commands form, when the value has RewriteAOF. As SAVE, skip
			// the key with a warning otherwise.
			if _, ok := e.Obj.(aofModuleRewriter); !ok || j.preamble {
				s.log.Warn("the AOF rewrite skips a module value whose type is not known", "key", e.Key())
				return
			}
		}
		kb = append(kb[:0], e.Key()...)
		if enc != nil {
			werr = enc.Entry(kb, e)
		} else {
			werr = cw.entry(kb, e, j.compress)
		}
	}
	for i := range j.ids {
		keys, exps := j.snap.Size(i)
		if keys == 0 {
			continue
		}
		if enc != nil {
			enc.SelectDB(j.ids[i])
			enc.ResizeDB(keys, exps)
		} else {
			cw.command([]byte("SELECT"), []byte(strconv.Itoa(j.ids[i])))
		}
		for done := false; !done; {
			if hook != nil {
				hook()
			}
			s.mu.Lock()
			if j.aborted || s.stopping() {
				j.aborted = true
				s.mu.Unlock()
				return errAOFRewriteAborted
			}
			done = j.snap.Next(i, bgsaveChunk, entry)
			side := j.snap.TakeSide(i)
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
	if enc != nil {
		if err := aux.write(enc, rdb.AuxAfter); err != nil {
			return err
		}
		if err := enc.Finish(); err != nil {
			return err
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return f.Sync()
}

// aofModuleRewriter is what a module value implements to be written as
// commands in a rewritten base (Redis's aof_rewrite type method): emit is
// called once per command.
type aofModuleRewriter interface {
	RewriteAOF(key []byte, emit func(argv [][]byte)) error
}

// aofCmdWriter encodes the commands that rebuild values, as Redis's
// rewriteAppendOnlyFileRio writes them.
type aofCmdWriter struct {
	b    []byte
	args [][]byte
	num  []byte
}

func (w *aofCmdWriter) command(args ...[]byte) { w.b = appendCommand(w.b, args...) }

// batch emits name key items... in commands of at most aofRewriteItems
// items (an item is one or two arguments). The arguments must stay valid
// until batch returns.
func (w *aofCmdWriter) batch(name string, key []byte, items int, each func(add func(args ...[]byte))) {
	if items == 0 {
		return
	}
	w.args = w.args[:0]
	n := 0
	flush := func() {
		if n > 0 {
			w.b = appendCommand(w.b, w.args...)
		}
		w.args = w.args[:0]
		n = 0
	}
	each(func(args ...[]byte) {
		if n == 0 {
			w.args = append(w.args, []byte(name), key)
		}
		w.args = append(w.args, args...)
		n++
		if n == aofRewriteItems {
			flush()
		}
	})
	flush()
}

// entry writes the commands that rebuild one key, then its expiry.
func (w *aofCmdWriter) entry(key []byte, e *keyspace.Entry, compress bool) error {
	switch e.Kind {
	case keyspace.KindString:
		w.command([]byte("SET"), key, e.Str)
	case keyspace.KindList:
		l := e.Obj.(*types.List)
		w.batch("RPUSH", key, l.Len(), func(add func(...[]byte)) {
			l.Each(func(v []byte) bool { add(v); return true })
		})
	case keyspace.KindSet:
		st := e.Obj.(*types.Set)
		w.batch("SADD", key, st.Len(), func(add func(...[]byte)) {
			for i := 0; i < st.Len(); i++ {
				add(st.AppendMember(nil, i))
			}
		})
	case keyspace.KindZSet:
		z := e.Obj.(*types.ZSet)
		w.batch("ZADD", key, z.Len(), func(add func(...[]byte)) {
			z.Ascend(func(m string, sc float64) bool {
				add([]byte(formatRewriteScore(sc)), []byte(m))
				return true
			})
		})
	case keyspace.KindHash:
		h := e.Hash()
		w.batch("HMSET", key, h.Len(), func(add func(...[]byte)) {
			h.Range(func(f, v []byte) bool { add(f, v); return true })
		})
	case keyspace.KindModule:
		if m, ok := e.Obj.(aofModuleRewriter); ok {
			if err := m.RewriteAOF(key, func(argv [][]byte) { w.command(argv...) }); err != nil {
				return fmt.Errorf("key %q: the module type's AOF rewrite failed: %w", key, err)
			}
			break
		}
		// No RewriteAOF: the value goes as a RESTORE of its DUMP payload,
		// which loads wherever the module type is loaded.
		p, err := rdb.DumpValue(&keyspace.Entry{Kind: e.Kind, Obj: e.Obj}, compress)
		if err != nil {
			return fmt.Errorf("key %q: %w", key, err)
		}
		w.command([]byte("RESTORE"), key, []byte("0"), p)
	default:
		return fmt.Errorf("key %q: a %s value cannot be rewritten as commands", key, e.Kind)
	}
	if e.Expire != 0 {
		w.num = strconv.AppendInt(w.num[:0], e.Expire, 10)
		w.command([]byte("PEXPIREAT"), key, w.num)
	}
	return nil
}

// formatRewriteScore formats a score as Redis's rioWriteBulkDouble ("%.17g").
func formatRewriteScore(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	return strconv.FormatFloat(v, 'g', 17, 64) // C's %g: two exponent digits at least, as Go
}

// aofRewriteLimited reports whether the automatic (and scheduled) rewrite
// waits after repeated failures: from the third consecutive failure a
// minute, doubling up to an hour (Redis's aofRewriteLimited). Lock held.
func (s *Server) aofRewriteLimited(now time.Time) bool {
	f := s.aofStat.failures
	if f < 3 {
		return false
	}
	delay := time.Minute << min(f-3, 6)
	if delay > time.Hour {
		delay = time.Hour
	}
	return now.Sub(s.aofStat.lastFailedAt) < delay
}

// aofAutoRewrite is serverCron's part for the AOF rewrite: start one that
// was scheduled, or one the growth calls for, when no background save or
// rewrite runs. Lock held.
func (s *Server) aofAutoRewrite(now time.Time) {
	st := &s.aofStat
	if s.childActive() {
		return
	}
	if st.scheduled && !s.aofRewriteLimited(now) {
		if err := s.startAOFRewrite(); err != nil {
			s.log.Error("starting the scheduled append only file rewrite failed", "error", err)
			st.failures++
			st.lastFailedAt = now
		}
		return
	}
	a := s.aof
	if a == nil || a.waiting {
		return
	}
	perc := s.cfg.aofRewritePerc()
	cur := a.currentSize()
	if perc <= 0 || cur <= s.cfg.aofRewriteMinSize() {
		return
	}
	base := a.baseSize
	if base <= 0 {
		base = 1
	}
	growth := cur*100/base - 100
	if growth < perc || s.aofRewriteLimited(now) {
		return
	}
	s.log.Info("starting automatic rewriting of AOF", "growth_perc", growth, "size", cur, "base_size", a.baseSize)
	if err := s.startAOFRewrite(); err != nil {
		s.log.Error("automatic append only file rewrite failed to start", "error", err)
		st.failures++
		st.lastFailedAt = now
	}
}

// cmdBgrewriteaof is BGREWRITEAOF, with Redis 7.0's replies. Inside a
// transaction, during a background save, or called from another command,
// the rewrite is scheduled for the cron.
func cmdBgrewriteaof(c *Client, _ [][]byte) error {
	s := c.srv
	st := &s.aofStat
	inExec := c.multi != nil && c.multi.executing
	nested := s.aof != nil && s.aof.depth > 1
	switch {
	case st.rw != nil:
		return errors.New("ERR Background append only file rewriting already in progress")
	case s.childActive() || inExec || nested:
		st.scheduled = true
		st.failures = 0 // a manual request is not limited
		c.out.SimpleString("Background append only file rewriting scheduled")
		return nil
	}
	if err := s.startAOFRewrite(); err != nil {
		s.log.Error("can't rewrite the append only file in background", "error", err)
		return errors.New("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.")
	}
	c.out.SimpleString("Background append only file rewriting started")
	return nil
}

// aofCommands are the AOF's commands.
func aofCommands() []*Command {
	return []*Command{
		{Name: "bgrewriteaof", Arity: 1, Flags: FlagAdmin | FlagNoScript | FlagNoAsyncLoading, Group: "server", Handler: cmdBgrewriteaof,
			Summary: "Asynchronously rewrites the append-only file to disk.", Since: "1.0.0"},
	}
}

// infoAOFRewrite is INFO persistence's aof_* fields about rewrites. Lock
// held.
func (s *Server) infoAOFRewrite() (inProgress, scheduled, curSec, cow string) {
	st := &s.aofStat
	inProgress, scheduled, curSec = "0", "0", "-1"
	if st.rw != nil {
		inProgress = "1"
		curSec = strconv.FormatInt(int64(time.Since(st.rw.start)/time.Second), 10)
	}
	if st.scheduled {
		scheduled = "1"
	}
	return inProgress, scheduled, curSec, strconv.FormatInt(st.lastCow, 10)
}

// aofCleanTemp removes what a rewrite killed with the process left in the
// AOF directory (temporary bases). Called at startup.
func aofCleanTemp(dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "temp-rewriteaof-") {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
