package host

// Persistence: RDB snapshots (SAVE, loading at startup, DEBUG RELOAD).
// SAVE is synchronous: it runs under the execution lock, like Redis's SAVE.
// BGSAVE, save points and SHUTDOWN are in persist_bg.go; the append-only
// file is in aof*.go.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"modis/host/internal/keyspace"
	"modis/host/internal/rdb"
)

// rdbPath is dir/dbfilename.
func (s *Server) rdbPath() string {
	return filepath.Join(s.cfg.Dir, s.cfg.extra("dbfilename", "dump.rdb"))
}

// rdbCompression is the rdbcompression parameter.
func (s *Server) rdbCompression() bool { return s.cfg.extra("rdbcompression", "yes") == "yes" }

// rdbChecksum is the rdbchecksum parameter: with no, files get a zero
// checksum and loading does not verify it, as in Redis.
func (s *Server) rdbChecksum() bool { return s.cfg.extra("rdbchecksum", "yes") == "yes" }

// saveRDBFile writes every database to dir/dbfilename: a temporary file in
// the same directory, fsynced, renamed over the target, then the directory
// fsynced. On success the change counter resets and LASTSAVE moves. Lock
// held. (saveRDB, in mod_events.go, wraps it in the modules' Persistence
// events.)
func (s *Server) saveRDBFile() error {
	start := time.Now()
	path := s.rdbPath()
	dir := filepath.Dir(path)
	tmp := filepath.Join(dir, fmt.Sprintf("temp-%d.rdb", os.Getpid()))
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("failed opening the temp RDB file %s (in server root dir %s) for saving: %w", filepath.Base(tmp), dir, err)
	}
	err = s.writeRDB(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		s.log.Warn("error saving DB on disk", "file", path, "error", err)
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	s.dirty = 0
	s.lastSave = time.Now()
	s.bg.saves++
	s.bg.lastFailed = false
	s.log.Info("DB saved on disk", "file", path, "took", time.Since(start).String())
	return nil
}

// writeRDB encodes the databases. Lock held.
func (s *Server) writeRDB(f *os.File) error {
	enc := rdb.NewEncoder(f, s.rdbCompression())
	enc.NoChecksum = !s.rdbChecksum()
	enc.Header()
	enc.Aux("redis-ver", RedisVersion)
	enc.AuxInt("redis-bits", strconv.IntSize)
	enc.AuxInt("ctime", time.Now().Unix())
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	enc.AuxInt("used-mem", int64(ms.HeapAlloc))
	enc.AuxInt("aof-base", 0)
	aux := s.captureModuleAux() // module types' AUX data (mod_type_aux.go)
	if err := aux.write(enc, rdb.AuxBefore); err != nil {
		return err
	}
	for _, code := range s.scripting.libraryCodes() {
		enc.Function(code)
	}
	for _, db := range s.dbs {
		if db.Len() == 0 {
			continue
		}
		enc.SelectDB(db.ID)
		enc.ResizeDB(db.Len(), db.ExpiresLen())
		var werr error
		db.Scan(0, db.Len(), func(e *keyspace.Entry) {
			if werr != nil {
				return
			}
			if e.Kind == keyspace.KindModule && !rdb.IsSavableModuleValue(e.Obj) {
				s.log.Warn("SAVE skips a module value whose type is not known", "key", e.Key(), "db", db.ID)
				return
			}
			werr = enc.Entry([]byte(e.Key()), e)
		})
		if werr != nil {
			return werr
		}
	}
	if err := aux.write(enc, rdb.AuxAfter); err != nil {
		return err
	}
	return enc.Finish()
}

// loadRDB loads dir/dbfilename into the (empty) databases if the file
// exists. A truncated or corrupt file is an error naming the file, the
// offset and the problem. Keys already expired are skipped, as a master
// does. Lock held, or nothing else running; at startup (s.load.yield) the
// lock is released between chunks of keys.
func (s *Server) loadRDB() error {
	path := s.rdbPath()
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the RDB file %s: %w", path, err)
	}
	s.load.begin(st.Size())
	start := time.Now()
	s.evLoadingRDBStart() // modules' Loading event (mod_events.go)
	err = s.loadRDBFile(path, "bad RDB file")
	s.evLoadingDone(err)
	if err != nil {
		return err
	}
	l := &s.load
	l.lastKeys, l.lastExpired = l.keys, l.expired
	s.log.Info("DB loaded from disk", "file", path, "keys", l.keys, "expired_skipped", l.expired, "took", time.Since(start).String())
	return nil
}

// loadRDBFile loads one RDB file (dump.rdb or an AOF base) into the
// databases, counting keys, expired keys and the position in s.load.
// what prefixes a decoding error. Lock held.
func (s *Server) loadRDBFile(path, what string) error {
	data, err := s.readCounting(path)
	if err != nil {
		return fmt.Errorf("reading the RDB file %s: %w", path, err)
	}
	l := &s.load
	l.cur, l.pos = int64(len(data)), 0
	now := s.now
	if now == 0 {
		now = time.Now().UnixMilli()
	}
	var prev int64 // the previous entry's estimated size
	err = rdb.Decode(data, rdb.Handler{
		SkipChecksum: !s.rdbChecksum(),
		Function:     s.loadFunctionLibrary,
		Aux: func(key, val []byte) {
			l.pos += int64(len(key) + len(val) + 3)
			if string(key) == "used-mem" {
				l.usedMem, _ = strconv.ParseInt(string(val), 10, 64)
			}
		},
		Entry: func(dbi int, key []byte, e *keyspace.Entry) error {
			if dbi < 0 || dbi >= len(s.dbs) {
				return fmt.Errorf("database %d is out of range (databases is %d)", dbi, len(s.dbs))
			}
			l.pos, prev = advancePos(data, l.pos, key, prev), entryFileSize(key, e)
			if e.Expire != 0 && e.Expire < now {
				l.expired++
				return s.loadTick()
			}
			db := s.dbs[dbi]
			if db.RawLookup(key) != nil {
				return errors.New("duplicate key")
			}
			db.Set(key, e)
			s.keyLoaded(dbi, key) // modules' "loaded" keyspace event (mod_events.go)
			l.keys++
			return s.loadTick()
		},
	})
	if err != nil && s.loadInterrupted() {
		return errShutdownWhileLoading
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, path, err)
	}
	l.done += l.cur
	l.cur, l.pos = 0, 0
	return nil
}

// cmdSave is SAVE.
func cmdSave(c *Client, _ [][]byte) error {
	if c.srv.bgsaveInProgress() {
		return ErrBgsaveInProgress
	}
	if err := c.srv.saveRDB(); err != nil {
		return errors.New("ERR " + err.Error())
	}
	c.out.SimpleString("OK")
	return nil
}

// debugReload is DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save (unless
// NOSAVE), empty the databases (unless NOFLUSH) and load the file back.
// Lock held.
func debugReload(c *Client, opts [][]byte) error {
	s := c.srv
	save, flush, merge := true, true, false
	for _, o := range opts {
		switch string(bytesToLower(o)) {
		case "merge":
			merge = true
		case "noflush":
			flush = false
		case "nosave":
			save = false
		default:
			return errors.New("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
		}
	}
	if save {
		if err := s.saveRDB(); err != nil {
			return errors.New("ERR Error trying to save the DB, can't reload")
		}
	}
	if flush {
		s.flushed(nil)
		for _, db := range s.dbs {
			db.Flush()
		}
		s.flushDone(nil) // modules' FlushDB end event (mod_events.go)
	}
	_ = merge // a duplicate key fails the load either way
	if err := s.loadRDB(); err != nil {
		s.log.Warn("DEBUG RELOAD failed", "error", err)
		return errors.New("ERR Error trying to load the RDB dump, check server logs.")
	}
	c.out.SimpleString("OK")
	return nil
}

func bytesToLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, ch := range b {
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		out[i] = ch
	}
	return out
}

// saveCommands are the persistence commands.
func saveCommands() []*Command {
	return []*Command{
		{Name: "save", Arity: 1, Flags: FlagAdmin | FlagNoScript | FlagNoAsyncLoading | FlagNoMulti, Group: "server", Handler: cmdSave,
			Summary: "Synchronously saves the database(s) to disk.", Since: "1.0.0"},
		{Name: "bgsave", Arity: -1, Flags: FlagAdmin | FlagNoScript | FlagNoAsyncLoading, Group: "server", Handler: cmdBgsave,
			Summary: "Asynchronously saves the database(s) to disk.", Since: "1.0.0"},
		{Name: "shutdown", Arity: -1, Flags: FlagAdmin | FlagNoScript | FlagLoading | FlagStale | FlagNoMulti | FlagAllowBusy, Group: "server", Handler: cmdShutdown,
			Summary: "Synchronously saves the database(s) to disk and shuts down the Redis server.", Since: "1.0.0"},
	}
}

// loadFunctionLibrary loads a function library found in an RDB file (or an
// AOF's base). Lock held, as for the rest of the load.
func (s *Server) loadFunctionLibrary(code []byte) error {
	return s.scripting.loadLibrary(code)
}
