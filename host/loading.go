package host

// Loading the dataset at startup while clients can connect, as Redis does:
// Start listens first, then loads the AOF or dump.rdb. While it loads,
// every command without the loading flag is answered with -LOADING (the
// gate in Client.dispatch). The loader takes the execution lock per chunk
// of keys or commands, so INFO, CONFIG and the other loading commands are
// answered meanwhile. Progress is logged about once a second and reported
// by INFO persistence.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"modis/host/internal/keyspace"
)

// errLoading is Redis's reply to a command refused while loading.
var errLoading = errors.New("LOADING Redis is loading the dataset in memory")

// errShutdownWhileLoading ends a load interrupted by SHUTDOWN.
var errShutdownWhileLoading = errors.New("shut down while loading the dataset")

// loadChunk is how many keys (or AOF commands) the loader handles per take
// of the execution lock.
const loadChunk = 1024

// loadState is the running load (INFO's loading_* fields) and the last
// load's result. Guarded by the execution lock.
type loadState struct {
	active  bool      // loading at startup: commands get -LOADING
	yield   bool      // release the lock between chunks (startup only)
	start   time.Time // loading_start_time
	total   int64     // loading_total_bytes: the size of the files
	done    int64     // bytes of the files finished before the current one
	pos     int64     // position in the current file (estimated while decoding)
	cur     int64     // size of the current file
	usedMem int64     // loading_rdb_used_mem: the RDB's used-mem AUX field
	keys    int64     // keys (or AOF commands) loaded so far
	expired int64     // keys skipped as already expired
	cmds    int64     // AOF commands replayed so far
	n       int       // keys or commands since the last release of the lock
	lastLog time.Time
	lastAt  int64 // keys at lastLog, for the rate

	lastKeys    int64 // rdb_last_load_keys_loaded
	lastExpired int64 // rdb_last_load_keys_expired
}

// loaded returns loading_loaded_bytes.
func (l *loadState) loaded() int64 {
	pos := l.pos
	if pos > l.cur {
		pos = l.cur
	}
	return l.done + pos
}

// begin starts tracking a load of total bytes. Lock held.
func (l *loadState) begin(total int64) {
	l.start = time.Now()
	l.total, l.done, l.pos, l.cur, l.usedMem = total, 0, 0, 0, 0
	l.keys, l.expired, l.cmds, l.n, l.lastAt = 0, 0, 0, 0, 0
	l.lastLog = l.start
}

// tick is called per key or command loaded: every loadChunk it releases
// the execution lock for a moment (at startup) and about once a second it
// logs the progress. It fails when the server is shutting down. Lock held.
func (s *Server) loadTick() error {
	l := &s.load
	l.n++
	if l.n < loadChunk {
		return nil
	}
	l.n = 0
	s.evLoadingProgress() // modules' LoadingProgress event (mod_events.go)
	if l.yield {
		s.mu.Unlock()
		s.mu.Lock()
		if s.loadInterrupted() {
			return errShutdownWhileLoading
		}
	}
	if now := time.Now(); now.Sub(l.lastLog) >= time.Second {
		s.logLoadProgress(now)
	}
	return nil
}

// loadInterrupted reports whether SHUTDOWN (or Stop) came during the load.
// Lock held.
func (s *Server) loadInterrupted() bool {
	select {
	case <-s.stop:
		return true
	default:
	}
	return s.bg.stopping
}

// logLoadProgress logs keys loaded, percent of the file(s) read and the
// rate since the last line. Lock held.
func (s *Server) logLoadProgress(now time.Time) {
	l := &s.load
	done := l.keys + l.cmds
	rate := float64(done-l.lastAt) / now.Sub(l.lastLog).Seconds()
	if l.cmds > 0 {
		s.log.Info("loading the dataset", "keys", l.keys, "commands", l.cmds, "percent", fmt.Sprintf("%.2f", l.perc()),
			"per_sec", int64(rate))
	} else {
		s.log.Info("loading the dataset", "keys", l.keys, "percent", fmt.Sprintf("%.2f", l.perc()),
			"keys_per_sec", int64(rate))
	}
	l.lastLog, l.lastAt = now, done
}

// perc is loading_loaded_perc.
func (l *loadState) perc() float64 {
	if l.total <= 0 {
		return 0
	}
	return float64(l.loaded()) * 100 / float64(l.total)
}

// eta is loading_eta_seconds, as Redis computes it.
func (l *loadState) eta() int64 {
	elapsed := time.Since(l.start).Seconds()
	loaded := l.loaded()
	if loaded <= 0 || elapsed <= 0 {
		return 1
	}
	return int64(float64(l.total-loaded) / (float64(loaded) / elapsed))
}

// readCounting reads a whole file through a reader that counts the bytes,
// in chunks of 4 MB, releasing the lock between chunks when yielding.
// Lock held.
func (s *Server) readCounting(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	cr := &countingReader{r: f}
	data := make([]byte, 0, st.Size()+1)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		end := min(cap(data), len(data)+4<<20)
		n, err := cr.Read(data[len(data):end])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
		if s.load.yield {
			s.mu.Unlock()
			s.mu.Lock()
		}
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// advancePos moves the load position past key, which the decoder just
// read: the key's bytes are searched from pos within a window covering the
// previous entry (prev, its estimated size). A key not found there (an
// integer-encoded or compressed key) moves the position by the estimate.
func advancePos(data []byte, pos int64, key []byte, prev int64) int64 {
	size := int64(len(data))
	if pos >= size {
		return size
	}
	end := min(size, pos+max(2*prev, 4096)+int64(len(key)))
	if len(key) > 0 {
		if i := bytes.Index(data[pos:end], key); i >= 0 {
			return pos + int64(i+len(key))
		}
	}
	return min(size, pos+prev)
}

// entryFileSize estimates the bytes an entry took in the RDB file, to move
// the load position while the decoder (which takes the whole file) runs.
func entryFileSize(key []byte, e *keyspace.Entry) int64 {
	n := int64(len(key)) + 2
	if e.Expire != 0 {
		n += 9
	}
	switch {
	case e.Kind == keyspace.KindString:
		n += int64(len(e.Str)) + 2
	case e.Obj != nil:
		if m, ok := e.Obj.(interface{ MemoryUsage() int }); ok {
			n += int64(m.MemoryUsage()) / 2
		}
	}
	return n
}

// loadStartup loads the dataset after the listeners opened: -LOADING for
// commands meanwhile, the lock released between chunks. Called by Start
// without the lock.
func (s *Server) loadStartup() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load.yield = true
	err := s.loadDataEvents() // loadData with the modules' Loading events (mod_events.go)
	s.load.yield = false
	s.load.active = false
	if err == nil && s.loadInterrupted() { // SHUTDOWN came with the last chunk
		err = errShutdownWhileLoading
	}
	if err != nil {
		return err
	}
	// CONFIG SET appendonly during the load is applied now.
	if s.cfg.aofEnabled() != (s.aof != nil) {
		s.aofConfigChanged(s.cfg)
	}
	return nil
}

// shutdownNoSave turns SHUTDOWN's SAVE into NOSAVE while loading, as
// Redis's prepareForShutdown does (a half-loaded dataset is never saved).
// ABORT and invalid arguments are left for the command to refuse.
func shutdownNoSave(args [][]byte) [][]byte {
	out := [][]byte{args[0]}
	for _, a := range args[1:] {
		switch string(bytesToLower(a)) {
		case "abort":
			return args
		case "save", "nosave":
			continue
		}
		out = append(out, a)
	}
	return append(out, []byte("nosave"))
}
