package host

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-hclog"

	"modis/host/internal/keyspace"
)

// infoField returns a field of an INFO reply, or "" when it is absent.
func infoField(info, name string) string {
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return v
		}
	}
	return ""
}

// TestConfigRDBParamsNotInert: rdbcompression and rdbchecksum are honoured
// (persist.go), so a config file changing them gets no "modis does not use
// it" warning, while a truly inert parameter still does; and the values
// take effect (a SAVE with rdbchecksum no has a zero trailer).
func TestConfigRDBParamsNotInert(t *testing.T) {
	path := cfgWriteFile(t, "rdbcompression no\nrdbchecksum no\nactiverehashing no\n")
	c := DefaultConfig()
	if err := c.LoadFile(path); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	s, err := New(c, hclog.New(&hclog.LoggerOptions{Output: &buf}))
	if err != nil {
		t.Fatal(err)
	}
	log := buf.String()
	if !strings.Contains(log, "activerehashing no: accepted, but modis does not use it") {
		t.Fatalf("the inert parameter's warning is missing (is the log captured?):\n%s", log)
	}
	for _, p := range []string{"rdbcompression", "rdbchecksum"} {
		if strings.Contains(log, p) {
			t.Errorf("%s is reported as unused:\n%s", p, log)
		}
	}
	if s.rdbCompression() || s.rdbChecksum() {
		t.Fatalf("rdbcompression %v rdbchecksum %v, want both off", s.rdbCompression(), s.rdbChecksum())
	}
	s.cfg.Dir = t.TempDir()
	cl := newClient(s, nil, 1)
	do(t, cl, "SET", "k", strings.Repeat("compressible ", 100))
	if got := do(t, cl, "SAVE"); got != "+OK\r\n" {
		t.Fatalf("SAVE: %q", got)
	}
	b, err := os.ReadFile(filepath.Join(s.cfg.Dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b[len(b)-8:], make([]byte, 8)) {
		t.Errorf("rdbchecksum no: trailer %x", b[len(b)-8:])
	}
	if !bytes.Contains(b, []byte(strings.Repeat("compressible ", 100))) {
		t.Error("rdbcompression no: the value was compressed")
	}
}

// TestBgsaveSkipsUnknownModuleValue: BGSAVE, like SAVE and the AOF
// rewrite, skips a module value whose type is not known, with a warning,
// and saves the rest (it used to fail the whole save).
func TestBgsaveSkipsUnknownModuleValue(t *testing.T) {
	s, c := newTestServer(t)
	dir := t.TempDir()
	s.cfg.Dir = dir
	logs := &syncBuffer{}
	s.log = hclog.New(&hclog.LoggerOptions{Output: logs})
	for i := 0; i < 1000; i++ {
		do(t, c, "SET", fmt.Sprint("k", i), "v")
	}
	s.mu.Lock()
	s.dbs[0].Set([]byte("anon"), &keyspace.Entry{Kind: keyspace.KindModule, Obj: struct{}{}})
	s.dbs[2].Set([]byte("anon2"), &keyspace.Entry{Kind: keyspace.KindModule, Obj: struct{}{}})
	s.mu.Unlock()
	if got := do(t, c, "BGSAVE"); got != "+Background saving started\r\n" {
		t.Fatalf("BGSAVE: %q", got)
	}
	s.mu.Lock()
	b := s.bg.running
	s.mu.Unlock()
	<-b.done
	info := do(t, c, "INFO", "persistence")
	if st := infoField(info, "rdb_last_bgsave_status"); st != "ok" {
		t.Fatalf("rdb_last_bgsave_status:%s\n%s", st, logs.String())
	}
	for _, want := range []string{
		`BGSAVE skips a module value whose type is not known: key=anon db=0`,
		`BGSAVE skips a module value whose type is not known: key=anon2 db=2`,
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	s2, c2 := newTestServer(t)
	s2.cfg.Dir = dir
	s2.mu.Lock()
	err := s2.loadRDB()
	s2.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if got := do(t, c2, "DBSIZE"); got != ":1000\r\n" {
		t.Errorf("DBSIZE after loading: %q", got)
	}
}

// TestInfoSaveProgress: during a BGSAVE and a BGREWRITEAOF of many keys,
// INFO persistence's current_save_keys_total is the keys at the start,
// current_save_keys_processed grows towards it, current_fork_perc is their
// ratio in percent, and current_cow_size/peak grow as writes copy values
// aside; all are zero once the save is over, as in Redis.
func TestInfoSaveProgress(t *testing.T) {
	for _, cmd := range []string{"BGSAVE", "BGREWRITEAOF"} {
		t.Run(cmd, func(t *testing.T) {
			s, c := newTestServer(t)
			s.cfg.Dir = t.TempDir()
			const n = 20000
			for i := 0; i < n; i++ {
				do(t, c, "SET", fmt.Sprint("k", i), "value")
			}
			w := newClient(s, nil, 2)
			var (
				mu        sync.Mutex
				steps     int
				lastProc  int64
				sawMiddle bool
				sawCow    bool
				errs      []string
			)
			s.bg.hook = func() {
				mu.Lock()
				defer mu.Unlock()
				steps++
				info := do(t, w, "INFO", "persistence")
				proc, _ := strconv.ParseInt(infoField(info, "current_save_keys_processed"), 10, 64)
				total := infoField(info, "current_save_keys_total")
				perc := infoField(info, "current_fork_perc")
				cow, _ := strconv.ParseInt(infoField(info, "current_cow_size"), 10, 64)
				if total != strconv.Itoa(n) {
					errs = append(errs, "current_save_keys_total:"+total)
				}
				if proc < lastProc || proc > n {
					errs = append(errs, fmt.Sprintf("processed %d after %d", proc, lastProc))
				}
				if want := fmt.Sprintf("%.2f", float64(proc)/n*100); perc != want {
					errs = append(errs, fmt.Sprintf("current_fork_perc:%s with %d of %d processed, want %s", perc, proc, n, want))
				}
				if infoField(info, "current_cow_peak") != infoField(info, "current_cow_size") {
					errs = append(errs, "cow peak "+infoField(info, "current_cow_peak")+" size "+infoField(info, "current_cow_size"))
				}
				if proc > 0 && proc < n {
					sawMiddle = true
				}
				if cow > 0 {
					sawCow = true
				}
				lastProc = proc
				// Write to keys the saver has not reached (it walks from the
				// top slot down: the low slots come last).
				do(t, w, "SET", fmt.Sprint("k", steps), "changed")
			}
			if got := do(t, c, cmd); !strings.Contains(got, "started") {
				t.Fatalf("%s: %q", cmd, got)
			}
			s.mu.Lock()
			var done chan struct{}
			if b := s.bg.running; b != nil {
				done = b.done
			} else {
				done = s.aofStat.rw.done
			}
			s.mu.Unlock()
			<-done
			s.bg.hook = nil
			mu.Lock()
			defer mu.Unlock()
			for _, e := range errs[:min(len(errs), 5)] {
				t.Error(e)
			}
			if steps < 10 || !sawMiddle || !sawCow {
				t.Errorf("%d steps; saw a partial progress: %v; saw copied bytes: %v", steps, sawMiddle, sawCow)
			}
			info := do(t, c, "INFO", "persistence")
			for _, f := range []string{"current_cow_peak", "current_cow_size", "current_save_keys_processed", "current_save_keys_total"} {
				if v := infoField(info, f); v != "0" {
					t.Errorf("after the save %s:%s", f, v)
				}
			}
			if v := infoField(info, "current_fork_perc"); v != "0.00" {
				t.Errorf("after the save current_fork_perc:%s", v)
			}
		})
	}
}

// TestInfoAOFBufferLength: aof_buffer_length is the bytes propagated and
// not yet written to the AOF, whether still in the batch's buffer or
// queued for the writer; once written they show in aof_current_size.
func TestInfoAOFBufferLength(t *testing.T) {
	s, c := aofTestServer(t, t.TempDir())
	aofFlush(t, s)
	num := func(f string) int64 {
		t.Helper()
		v, err := strconv.ParseInt(infoField(do(t, c, "INFO", "persistence"), f), 10, 64)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		return v
	}
	if n := num("aof_buffer_length"); n != 0 {
		t.Fatalf("aof_buffer_length:%d with nothing pending", n)
	}
	size := num("aof_current_size")
	do(t, c, "SET", "k", "v")
	do(t, c, "RPUSH", "l", "a", "b", "c")
	pending := num("aof_buffer_length")
	if pending < int64(len("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n")) {
		t.Fatalf("aof_buffer_length:%d after two writes", pending)
	}
	s.mu.Lock()
	s.aofQueue() // handed to the writer, not written yet
	s.mu.Unlock()
	if n := num("aof_buffer_length"); n != pending {
		t.Errorf("aof_buffer_length:%d once queued, want %d", n, pending)
	}
	aofFlush(t, s)
	if n := num("aof_buffer_length"); n != 0 {
		t.Errorf("aof_buffer_length:%d after the write", n)
	}
	if grown := num("aof_current_size") - size; grown != pending {
		t.Errorf("aof_current_size grew by %d, aof_buffer_length said %d", grown, pending)
	}
}
