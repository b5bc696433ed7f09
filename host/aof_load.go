package host

// Loading the AOF at startup: the base (an RDB file, or commands), then
// the incremental files in the manifest's order, replayed through the
// dispatcher by an internal client.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// loadData loads the dataset at startup: the AOF when appendonly is yes
// (dump.rdb is then ignored, as in Redis 7.0), else dir/dbfilename. With
// the AOF on it is opened for appending afterwards (created, from the
// loaded dataset, if there is none). Lock held.
func (s *Server) loadData() error {
	if !s.cfg.aofEnabled() {
		return s.loadRDB()
	}
	dir, fn := s.aofDir(), s.cfg.aofFilename()
	man, err := readManifest(dir, fn)
	if os.IsNotExist(err) {
		if _, serr := os.Stat(filepath.Join(s.cfg.Dir, fn)); serr == nil {
			return fmt.Errorf("found a single-file append only file %s (Redis 6 layout): Modis does not upgrade it; load it into Redis 7 first",
				filepath.Join(s.cfg.Dir, fn))
		}
		return s.aofCreate()
	}
	if err != nil {
		return err
	}
	if err := s.loadAOF(dir, man); err != nil {
		return err
	}
	// What a rewrite killed with the process left behind, and the history
	// files of one that ended just before (Redis's aofDelHistoryFiles).
	aofCleanTemp(dir)
	os.Remove(filepath.Join(dir, tempIncrName(fn)))
	if len(man.history) > 0 {
		for _, f := range man.history {
			os.Remove(filepath.Join(dir, f.name))
		}
		man.history = nil
		if err := writeManifest(dir, fn, man); err != nil {
			return fmt.Errorf("writing the AOF manifest: %w", err)
		}
	}
	a := &aofState{seldb: -1, man: man}
	a.setFsyncPolicy(s.cfg.aofFsync())
	if len(man.incrs) == 0 {
		man.incrs = []aofFile{nextIncr(man, fn)}
		if err := writeManifest(dir, fn, man); err != nil {
			return fmt.Errorf("writing the AOF manifest: %w", err)
		}
		a.man = man
	}
	w, err := openIncr(filepath.Join(dir, man.incrs[len(man.incrs)-1].name))
	if err != nil {
		return err
	}
	a.w = w
	for _, f := range manifestFiles(man) {
		if st, err := os.Stat(filepath.Join(dir, f.name)); err == nil {
			a.startSize += st.Size()
		}
	}
	a.baseSize = a.startSize
	s.aof = a
	return nil
}

// loadAOF replays the files of man. Lock held, nothing else running.
func (s *Server) loadAOF(dir string, man aofManifest) error {
	start := time.Now()
	files := manifestFiles(man)
	if s.now == 0 {
		s.now = time.Now().UnixMilli()
	}
	var total int64
	for _, f := range files {
		if st, err := os.Stat(filepath.Join(dir, f.name)); err == nil {
			total += st.Size()
		}
	}
	s.load.begin(total)
	c := newClient(s, nil, 0)
	c.authed = true
	commands := 0
	for i, f := range files {
		path := filepath.Join(dir, f.name)
		head, err := fileHead(path, 5)
		if err != nil {
			return fmt.Errorf("reading the append only file %s: %w", path, err)
		}
		if f.typ == 'b' && string(head) == "REDIS" {
			if err := s.loadRDBFile(path, "bad AOF base file"); err != nil {
				return err
			}
			continue
		}
		data, err := s.readCounting(path)
		if err != nil {
			return fmt.Errorf("reading the append only file %s: %w", path, err)
		}
		s.load.cur, s.load.pos = int64(len(data)), 0
		n, err := s.replayAOF(c, path, data, i == len(files)-1)
		commands += n
		if err != nil {
			return err
		}
		s.load.done += s.load.cur
		s.load.cur, s.load.pos = 0, 0
	}
	s.load.lastKeys, s.load.lastExpired = s.load.keys, s.load.expired
	s.log.Info("DB loaded from append only file", "dir", dir, "keys", s.load.keys, "expired_skipped", s.load.expired,
		"commands", commands, "took", time.Since(start).String())
	return nil
}

// fileHead returns up to n first bytes of a file.
func fileHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, n)
	m, err := io.ReadFull(f, b)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		err = nil
	}
	return b[:m], err
}

// manifestFiles lists the manifest's base and incremental files in loading order.
func manifestFiles(man aofManifest) []aofFile {
	var fs []aofFile
	if man.base != nil {
		fs = append(fs, *man.base)
	}
	return append(fs, man.incrs...)
}

// errAOFTruncated marks a command cut short by the end of the file.
var errAOFTruncated = errors.New("unexpected end of file")

// parseAOFCommand reads one RESP array of bulk strings at data[0:]. It
// returns the arguments (slices of data), the bytes used, and
// errAOFTruncated when the data ends inside the command.
func parseAOFCommand(data []byte, args [][]byte) ([][]byte, int, error) {
	off := 0
	readLine := func(prefix byte) (int, error) {
		if off >= len(data) {
			return 0, errAOFTruncated
		}
		if data[off] != prefix {
			return 0, fmt.Errorf("expected '%c', got '%s'", prefix, strconv.QuoteToASCII(string(data[off:off+1])))
		}
		end := bytes.IndexByte(data[off:], '\n')
		if end < 0 {
			if len(data)-off > 32 {
				return 0, errors.New("line too long")
			}
			return 0, errAOFTruncated
		}
		line := data[off+1 : off+end]
		if len(line) == 0 || line[len(line)-1] != '\r' {
			return 0, errors.New("line without CR")
		}
		n, err := strconv.Atoi(string(line[:len(line)-1]))
		if err != nil || n < 0 {
			return 0, fmt.Errorf("invalid length %q", line[:len(line)-1])
		}
		off += end + 1
		return n, nil
	}
	argc, err := readLine('*')
	if err != nil {
		return nil, 0, err
	}
	if argc < 1 {
		return nil, 0, errors.New("empty command")
	}
	args = args[:0]
	for i := 0; i < argc; i++ {
		n, err := readLine('$')
		if err != nil {
			return nil, 0, err
		}
		if len(data)-off < n+2 {
			return nil, 0, errAOFTruncated
		}
		if data[off+n] != '\r' || data[off+n+1] != '\n' {
			return nil, 0, errors.New("bulk string without CRLF")
		}
		args = append(args, data[off:off+n])
		off += n + 2
	}
	return args, off, nil
}

// replayAOF runs the commands of one AOF file. A command cut short at the
// end of the last file (or a MULTI without its EXEC) is dropped with a
// warning, and the file truncated to the last whole command, when
// aof-load-truncated is yes; otherwise, and for garbage anywhere, loading
// fails with the file and the offset. Lock held.
func (s *Server) replayAOF(c *Client, path string, data []byte, last bool) (int, error) {
	off, valid, multiAt := 0, 0, -1
	commands := 0
	var args [][]byte
	truncated := func(at int) (int, error) {
		c.multi = nil
		if !last || !s.cfg.aofLoadTruncated() {
			return commands, fmt.Errorf("unexpected end of file reading the append only file %s at offset %d: run redis-check-aof --fix on its manifest, or set aof-load-truncated yes to load what is valid", path, at)
		}
		s.log.Warn("!!! Warning: short read while loading the AOF file !!! truncating the AOF at the last valid command",
			"file", path, "offset", at, "dropped_bytes", len(data)-at)
		if err := os.Truncate(path, int64(at)); err != nil {
			return commands, fmt.Errorf("truncating the append only file %s: %w", path, err)
		}
		return commands, nil
	}
	for off < len(data) {
		var n int
		var err error
		args, n, err = parseAOFCommand(data[off:], args)
		if errors.Is(err, errAOFTruncated) {
			if multiAt >= 0 {
				return truncated(multiAt)
			}
			return truncated(valid)
		}
		if err != nil {
			return commands, fmt.Errorf("bad file format reading the append only file %s at offset %d: %v", path, off, err)
		}
		switch {
		case bytes.EqualFold(args[0], []byte("multi")):
			multiAt = off
		case bytes.EqualFold(args[0], []byte("exec")):
			multiAt = -1
		}
		if _, err := c.resolve(args); err != nil {
			return commands, fmt.Errorf("bad command in the append only file %s at offset %d: %v", path, off, err)
		}
		c.exec(args)
		c.buf.Truncate(0)
		commands++
		off += n
		valid = off
		s.load.pos = int64(off)
		s.load.cmds++
		if err := s.loadTick(); err != nil {
			return commands, err
		}
	}
	if multiAt >= 0 {
		return truncated(multiAt)
	}
	return commands, nil
}
