package host

// The AOF directory: the manifest, the base and incremental files, and
// the rewrite (BGREWRITEAOF, CONFIG SET appendonly yes), which Modis runs
// synchronously under the execution lock (Redis forks for it).

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
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
	return &aofWriter{f: f}, nil
}

// aofRewrite makes a new base from the current dataset and a new empty
// incremental file, swaps the manifest to them atomically, and deletes
// the files the old manifest listed. Pending propagation is dropped: the
// new base already holds its effect. Lock held.
func (s *Server) aofRewrite(a *aofState) error {
	start := time.Now()
	dir, fn := s.aofDir(), s.cfg.aofFilename()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating the append only file directory: %w", err)
	}
	if !s.cfg.aofRDBPreamble() {
		s.log.Warn("aof-use-rdb-preamble no is not supported yet: the AOF base is written as an RDB file")
	}
	old := a.man
	var next aofManifest
	baseSeq := int64(1)
	if old.base != nil {
		baseSeq = old.base.seq + 1
	}
	next.base = &aofFile{name: fmt.Sprintf("%s.%d.base.rdb", fn, baseSeq), seq: baseSeq, typ: 'b'}
	incrSeq := old.lastIncrSeq() + 1
	next.incrs = []aofFile{{name: fmt.Sprintf("%s.%d.incr.aof", fn, incrSeq), seq: incrSeq, typ: 'i'}}

	tmp := filepath.Join(dir, fmt.Sprintf("temp-rewriteaof-%d.aof", os.Getpid()))
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("opening the temporary AOF base %s: %w", tmp, err)
	}
	err = s.writeRDB(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, next.base.name))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing the AOF base: %w", err)
	}
	incrPath := filepath.Join(dir, next.incrs[0].name)
	os.Remove(incrPath) // a leftover of a failed rewrite
	w, err := openIncr(incrPath)
	if err != nil {
		return err
	}
	if err := writeManifest(dir, fn, next); err != nil {
		w.f.Close()
		return fmt.Errorf("writing the AOF manifest: %w", err)
	}
	if a.w != nil {
		a.w.mu.Lock()
		if !a.w.closed {
			a.w.closed = true
			a.w.f.Close()
		}
		a.w.mu.Unlock()
	}
	a.w = w
	a.man = next
	if st, err := os.Stat(filepath.Join(dir, next.base.name)); err == nil {
		a.startSize, a.baseSize = st.Size(), st.Size()
	}
	a.buf = a.buf[:0]
	a.tx = a.tx[:0]
	a.txn, a.side = 0, 0
	a.seldb = -1
	keep := map[string]bool{next.base.name: true, next.incrs[0].name: true}
	var gone []aofFile
	if old.base != nil {
		gone = append(gone, *old.base)
	}
	gone = append(append(gone, old.incrs...), old.history...)
	for _, f := range gone {
		if !keep[f.name] {
			os.Remove(filepath.Join(dir, f.name))
		}
	}
	s.log.Info("append only file rewritten", "base", next.base.name, "incr", next.incrs[0].name, "took", time.Since(start).String())
	return nil
}

// aofRewriteCounted runs aofRewrite and keeps INFO's counters. Lock held.
func (s *Server) aofRewriteCounted(a *aofState) error {
	start := time.Now()
	err := s.aofRewrite(a)
	st := &s.aofStat
	if err != nil {
		st.lastFailed = true
		st.failures++
		st.lastFailedAt = time.Now()
		return err
	}
	st.rewrites++
	st.lastSec = int64(time.Since(start).Seconds())
	st.lastFailed = false
	st.failures = 0
	return nil
}

// aofAutoRewrite is serverCron's automatic rewrite: when the AOF is larger
// than auto-aof-rewrite-min-size and has grown by auto-aof-rewrite-percentage
// since the last rewrite (or load), rewrite it. After three consecutive
// failures the next try waits a minute, doubling up to an hour, as Redis's
// aofRewriteLimited. Lock held.
func (s *Server) aofAutoRewrite(now time.Time) {
	a := s.aof
	if a == nil || s.bgsaveInProgress() {
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
	if cur*100/base-100 < perc {
		return
	}
	if f := s.aofStat.failures; f >= 3 {
		delay := time.Minute << min(f-3, 6)
		if delay > time.Hour {
			delay = time.Hour
		}
		if now.Sub(s.aofStat.lastFailedAt) < delay {
			return
		}
	}
	s.log.Info("starting automatic rewriting of AOF", "growth_perc", cur*100/base-100, "size", cur, "base_size", a.baseSize)
	if err := s.aofRewriteCounted(a); err != nil {
		s.log.Error("automatic append only file rewrite failed", "error", err)
	}
}

// cmdBgrewriteaof is BGREWRITEAOF. Modis rewrites synchronously, under the
// execution lock; the reply is Redis's.
func cmdBgrewriteaof(c *Client, _ [][]byte) error {
	s := c.srv
	if s.aof == nil {
		// Redis rewrites even when the AOF is off (a base of the dataset);
		// Modis only rewrites an active AOF.
		return errors.New("ERR Background append only file rewriting is not possible while appendonly is no in Modis")
	}
	if err := s.aofRewriteCounted(s.aof); err != nil {
		s.log.Error("append only file rewrite failed", "error", err)
		return errors.New("ERR Background append only file rewriting failed: " + err.Error())
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
