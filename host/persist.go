package host

// Persistence: RDB snapshots (SAVE, loading at startup, DEBUG RELOAD).
// SAVE is synchronous: it runs under the execution lock, like Redis's SAVE.
// BGSAVE, save points and SHUTDOWN are in persist_bg.go. There is no AOF yet.

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

// saveRDB writes every database to dir/dbfilename: a temporary file in the
// same directory, fsynced, renamed over the target, then the directory
// fsynced. On success the change counter resets and LASTSAVE moves. Lock
// held.
func (s *Server) saveRDB() error {
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
	enc.Header()
	enc.Aux("redis-ver", RedisVersion)
	enc.AuxInt("redis-bits", strconv.IntSize)
	enc.AuxInt("ctime", time.Now().Unix())
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	enc.AuxInt("used-mem", int64(ms.HeapAlloc))
	enc.AuxInt("aof-base", 0)
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
			if e.Kind == keyspace.KindModule {
				s.log.Warn("SAVE skips a module value: it has no RDB encoding yet", "key", e.Key(), "db", db.ID)
				return
			}
			werr = enc.Entry([]byte(e.Key()), e)
		})
		if werr != nil {
			return werr
		}
	}
	return enc.Finish()
}

// loadRDB loads dir/dbfilename into the (empty) databases if the file
// exists. A truncated or corrupt file is an error naming the file, the
// offset and the problem. Keys already expired are skipped, as a master
// does. Lock held, or nothing else running.
func (s *Server) loadRDB() error {
	path := s.rdbPath()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the RDB file %s: %w", path, err)
	}
	start := time.Now()
	now := s.now
	if now == 0 {
		now = time.Now().UnixMilli()
	}
	loaded, expired := 0, 0
	err = rdb.Decode(data, rdb.Handler{
		Entry: func(dbi int, key []byte, e *keyspace.Entry) error {
			if dbi < 0 || dbi >= len(s.dbs) {
				return fmt.Errorf("database %d is out of range (databases is %d)", dbi, len(s.dbs))
			}
			if e.Expire != 0 && e.Expire < now {
				expired++
				return nil
			}
			db := s.dbs[dbi]
			if db.RawLookup(key) != nil {
				return errors.New("duplicate key")
			}
			db.Set(key, e)
			loaded++
			return nil
		},
	})
	if err != nil {
		return fmt.Errorf("bad RDB file %s: %w", path, err)
	}
	s.log.Info("DB loaded from disk", "file", path, "keys", loaded, "expired_skipped", expired, "took", time.Since(start).String())
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
