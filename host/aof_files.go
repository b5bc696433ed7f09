package host

// The AOF directory: the manifest, the base and incremental files. The
// background rewrite that replaces them is in aof_rewrite.go.

import (
	"bufio"
	"bytes"
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

// aofFile is one line of the manifest.
type aofFile struct {
	name string
	seq  int64
	typ  byte // 'b' base, 'i' incremental, 'h' history
}

// aofManifest is appendonly.aof.manifest: at most one base, then the
// incremental files in order.
type aofManifest struct {
	base    *aofFile
	incrs   []aofFile
	history []aofFile
}

func (m *aofManifest) lastIncrSeq() int64 {
	if len(m.incrs) == 0 {
		return 0
	}
	return m.incrs[len(m.incrs)-1].seq
}

func manifestName(filename string) string { return filename + ".manifest" }

// readManifest reads dir's manifest. A missing file is an error for which
// os.IsNotExist is true.
func readManifest(dir, filename string) (aofManifest, error) {
	var m aofManifest
	path := filepath.Join(dir, manifestName(filename))
	data, err := os.ReadFile(path)
	if err != nil {
		return m, err
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		return m, fmt.Errorf("the AOF manifest file %s is truncated", path)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Fields(text)
		if len(f)%2 != 0 {
			return m, fmt.Errorf("invalid AOF manifest file %s: line %d: invalid number of fields", path, line)
		}
		var af aofFile
		for i := 0; i < len(f); i += 2 {
			switch f[i] {
			case "file":
				af.name = f[i+1]
			case "seq":
				n, err := strconv.ParseInt(f[i+1], 10, 64)
				if err != nil || n <= 0 {
					return m, fmt.Errorf("invalid AOF manifest file %s: line %d: bad seq", path, line)
				}
				af.seq = n
			case "type":
				if len(f[i+1]) != 1 {
					return m, fmt.Errorf("invalid AOF manifest file %s: line %d: bad type", path, line)
				}
				af.typ = f[i+1][0]
			}
		}
		if af.name == "" || af.seq == 0 || strings.ContainsAny(af.name, "/\\") {
			return m, fmt.Errorf("invalid AOF manifest file %s: line %d: missing or invalid file name or seq", path, line)
		}
		switch af.typ {
		case 'b':
			if m.base != nil {
				return m, fmt.Errorf("invalid AOF manifest file %s: found duplicate base file information", path)
			}
			b := af
			m.base = &b
		case 'i':
			if n := len(m.incrs); n > 0 && m.incrs[n-1].seq >= af.seq {
				return m, fmt.Errorf("invalid AOF manifest file %s: found a non-monotonic sequence number", path)
			}
			m.incrs = append(m.incrs, af)
		case 'h':
			m.history = append(m.history, af)
		default:
			return m, fmt.Errorf("invalid AOF manifest file %s: line %d: unknown type", path, line)
		}
	}
	if m.base == nil && len(m.incrs) == 0 {
		return m, fmt.Errorf("invalid AOF manifest file %s: it lists no file", path)
	}
	return m, nil
}

// writeManifest writes the manifest atomically: a temporary file, fsync,
// rename, fsync of the directory.
func writeManifest(dir, filename string, m aofManifest) error {
	var b strings.Builder
	line := func(f aofFile) {
		fmt.Fprintf(&b, "file %s seq %d type %c\n", f.name, f.seq, f.typ)
	}
	if m.base != nil {
		line(*m.base)
	}
	for _, f := range m.history {
		line(f)
	}
	for _, f := range m.incrs {
		line(f)
	}
	tmp := filepath.Join(dir, "temp-"+manifestName(filename))
	if err := writeFileSync(tmp, []byte(b.String())); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, manifestName(filename))); err != nil {
		return err
	}
	return syncDir(dir)
}

func writeFileSync(path string, data []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// openIncr opens an incremental file for appending.
func openIncr(path string) (*aofWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening the append only file %s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("opening the append only file %s: %w", path, err)
	}
	// base: a short write is truncated back to base plus what was written.
	return &aofWriter{f: f, base: st.Size()}, nil
}

// aofCreate starts an AOF where there is none, at startup (Redis's
// aofOpenIfNeededOnServerStart): a base of the dataset (empty: with
// appendonly yes nothing else was loaded) and the first incremental file,
// written synchronously, then the manifest. Lock held.
func (s *Server) aofCreate() error {
	dir, fn := s.aofDir(), s.cfg.aofFilename()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating the append only file directory: %w", err)
	}
	preamble := s.cfg.aofRDBPreamble()
	ext := ".aof"
	if preamble {
		ext = ".rdb"
	}
	var man aofManifest
	man.base = &aofFile{name: fmt.Sprintf("%s.1.base%s", fn, ext), seq: 1, typ: 'b'}
	man.incrs = []aofFile{{name: fn + ".1.incr.aof", seq: 1, typ: 'i'}}
	tmp := filepath.Join(dir, fmt.Sprintf("temp-rewriteaof-%d.aof", os.Getpid()))
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("opening the temporary AOF base %s: %w", tmp, err)
	}
	err = s.writeBaseLocked(f, preamble)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	basePath := filepath.Join(dir, man.base.name)
	if err == nil {
		err = os.Rename(tmp, basePath)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing the AOF base: %w", err)
	}
	incrPath := filepath.Join(dir, man.incrs[0].name)
	os.Remove(incrPath) // a leftover
	w, err := openIncr(incrPath)
	if err != nil {
		return err
	}
	if err := writeManifest(dir, fn, man); err != nil {
		w.f.Close()
		return fmt.Errorf("writing the AOF manifest: %w", err)
	}
	a := &aofState{seldb: -1, man: man, w: w}
	a.setFsyncPolicy(s.cfg.aofFsync())
	if st, err := os.Stat(basePath); err == nil {
		a.startSize, a.baseSize = st.Size(), st.Size()
	}
	s.aof = a
	s.log.Info("creating AOF base file on server start", "base", man.base.name, "incr", man.incrs[0].name)
	return nil
}

// writeBaseLocked writes a base of the dataset as it is, under the lock:
// an RDB file with the aof-base AUX field, or commands.
func (s *Server) writeBaseLocked(f *os.File, preamble bool) error {
	if preamble {
		enc := rdb.NewEncoder(f, s.rdbCompression())
		enc.NoChecksum = !s.rdbChecksum()
		enc.Header()
		enc.Aux("redis-ver", RedisVersion)
		enc.AuxInt("redis-bits", strconv.IntSize)
		enc.AuxInt("ctime", time.Now().Unix())
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		enc.AuxInt("used-mem", int64(ms.HeapAlloc))
		enc.AuxInt("aof-base", 1)
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
				if werr == nil && (e.Kind != keyspace.KindModule || rdb.IsSavableModuleValue(e.Obj)) {
					werr = enc.Entry([]byte(e.Key()), e)
				}
			})
			if werr != nil {
				return werr
			}
		}
		return enc.Finish()
	}
	var cw aofCmdWriter
	for _, code := range s.scripting.libraryCodes() {
		cw.command([]byte("FUNCTION"), []byte("LOAD"), []byte(code))
	}
	for _, db := range s.dbs {
		if db.Len() == 0 {
			continue
		}
		cw.command([]byte("SELECT"), []byte(strconv.Itoa(db.ID)))
		var werr error
		db.Scan(0, db.Len(), func(e *keyspace.Entry) {
			if werr == nil {
				werr = cw.entry([]byte(e.Key()), e, s.rdbCompression())
			}
		})
		if werr != nil {
			return werr
		}
	}
	_, err := f.Write(cw.b)
	return err
}
