package host

import (
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
)

// Faults injected into the AOF writer (aofWriteFile, aofSyncFile,
// aofTruncateFile, aofExit): what Redis 7.0's flushAppendOnlyFile does on
// a failed write or fsync. These tests replace package variables: they
// must not run in parallel.

// aofFaults controls the injected faults; the zero value injects none.
type aofFaults struct {
	writeErr atomic.Bool                   // writes fail with ENOSPC, nothing written
	short    atomic.Bool                   // writes write half, then fail with ENOSPC
	truncErr atomic.Bool                   // ftruncate fails
	syncErr  atomic.Bool                   // fsyncs fail with EIO
	gate     atomic.Pointer[chan struct{}] // fsyncs wait for it to close
	entered  chan struct{}                 // an fsync reached the gate
	syncs    atomic.Int64                  // fsyncs returned
	exits    chan int                      // aofExit's codes
}

// installAOFFaults replaces the writer's file operations and the exit for
// the test. Call it before the server starts (its Stop cleanup then runs
// before the restore).
func installAOFFaults(t *testing.T) *aofFaults {
	t.Helper()
	fl := &aofFaults{entered: make(chan struct{}, 16), exits: make(chan int, 16)}
	oldW, oldS, oldT, oldE := aofWriteFile, aofSyncFile, aofTruncateFile, aofExit
	t.Cleanup(func() { aofWriteFile, aofSyncFile, aofTruncateFile, aofExit = oldW, oldS, oldT, oldE })
	aofWriteFile = func(f *os.File, b []byte) (int, error) {
		switch {
		case fl.writeErr.Load():
			return 0, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
		case fl.short.Load() && len(b) > 1:
			n, _ := f.Write(b[:len(b)/2])
			return n, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
		}
		return f.Write(b)
	}
	aofSyncFile = func(f *os.File) error {
		if g := fl.gate.Load(); g != nil {
			select {
			case fl.entered <- struct{}{}:
			default:
			}
			<-*g
		}
		defer fl.syncs.Add(1)
		if fl.syncErr.Load() {
			return &os.PathError{Op: "sync", Path: f.Name(), Err: syscall.EIO}
		}
		return f.Sync()
	}
	aofTruncateFile = func(f *os.File, size int64) error {
		if fl.truncErr.Load() {
			return &os.PathError{Op: "truncate", Path: f.Name(), Err: syscall.EIO}
		}
		return f.Truncate(size)
	}
	aofExit = func(code int) { fl.exits <- code }
	return fl
}

// startAOFServer starts a server on a loopback port with the AOF on in dir.
func startAOFServer(t *testing.T, dir, fsync string) (*Server, *syncBuffer) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Port = 0
	cfg.Dir = dir
	cfg.setExtra("appendonly", "yes")
	cfg.setExtra("appendfsync", fsync)
	logs := &syncBuffer{}
	s, err := New(cfg, hclog.New(&hclog.LoggerOptions{Output: logs}))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop(); waitAOFClosed(t, s) })
	return s, logs
}

// waitAOFClosed waits until the server's AOF is closed (a Stop started by
// a fatal error is done with the writer).
func waitAOFClosed(t *testing.T, s *Server) {
	t.Helper()
	for i := 0; i < 500; i++ {
		s.mu.Lock()
		done := s.aof == nil
		s.mu.Unlock()
		if done {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the AOF was not closed")
}

// incrFile is the path of the AOF's current incremental file.
func incrFile(t *testing.T, s *Server) string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.aof.man
	return filepath.Join(s.aofDir(), m.incrs[len(m.incrs)-1].name)
}

// parseAOFFile parses every command of an incremental file, failing the
// test on a partial or malformed one, and returns them joined by spaces.
func parseAOFFile(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var args [][]byte
	for off := 0; off < len(data); {
		var n int
		args, n, err = parseAOFCommand(data[off:], args)
		if err != nil {
			t.Fatalf("%s is not loadable at offset %d of %d: %v", path, off, len(data), err)
		}
		parts := make([]string, len(args))
		for i, a := range args {
			parts[i] = string(a)
		}
		out = append(out, strings.Join(parts, " "))
		off += n
	}
	return out
}

// reloadGet restarts a server on dir (the AOF loaded at startup) and
// returns GET's replies for keys.
func reloadGet(t *testing.T, dir string, keys ...string) []string {
	t.Helper()
	s, _ := startAOFServer(t, dir, "everysec")
	n := netDial(t, s)
	var got []string
	for _, k := range keys {
		got = append(got, n.do("GET", k))
	}
	return got
}

const misconfENOSPC = "-MISCONF Errors writing to the AOF file: No space left on device\r\n"

// TestAOFFaultAlwaysFsyncFatal: with appendfsync always a failed fsync is
// fatal: the server exits (aofExit(1)), the client never gets the reply
// of its write, and the log says why in Redis's words.
func TestAOFFaultAlwaysFsyncFatal(t *testing.T) {
	fl := installAOFFaults(t)
	s, logs := startAOFServer(t, t.TempDir(), "always")
	n := netDial(t, s)
	if got := n.do("SET", "a", "1"); got != "+OK\r\n" {
		t.Fatalf("SET a: %q", got)
	}
	fl.syncErr.Store(true)
	n.send("SET", "b", "2")
	reply, err := n.read(3 * time.Second)
	if err == nil || reply != "" {
		t.Fatalf("a write whose fsync failed was answered: %q (err %v)", reply, err)
	}
	select {
	case code := <-fl.exits:
		if code != 1 {
			t.Fatalf("exit code %d, want 1", code)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the server did not exit")
	}
	waitAOFClosed(t, s)
	if !s.stopping() {
		t.Fatal("the server keeps running after a fatal AOF error")
	}
	if !strings.Contains(logs.String(), "Can't persist AOF for fsync error when the AOF fsync policy is 'always': Input/output error. Exiting...") {
		t.Fatalf("log: %s", logs.String())
	}
}

// TestAOFFaultAlwaysWriteFatal: the same for a failed write.
func TestAOFFaultAlwaysWriteFatal(t *testing.T) {
	fl := installAOFFaults(t)
	s, logs := startAOFServer(t, t.TempDir(), "always")
	n := netDial(t, s)
	fl.writeErr.Store(true)
	n.send("SET", "b", "2")
	reply, err := n.read(3 * time.Second)
	if err == nil || reply != "" {
		t.Fatalf("a write that failed was answered: %q (err %v)", reply, err)
	}
	select {
	case <-fl.exits:
	case <-time.After(3 * time.Second):
		t.Fatal("the server did not exit")
	}
	waitAOFClosed(t, s)
	if !strings.Contains(logs.String(), "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...") {
		t.Fatalf("log: %s", logs.String())
	}
}

// TestAOFFaultAlwaysReplyAfterFsync: with appendfsync always the reply to a
// write arrives only after the fsync that covers it has returned.
func TestAOFFaultAlwaysReplyAfterFsync(t *testing.T) {
	fl := installAOFFaults(t)
	s, _ := startAOFServer(t, t.TempDir(), "always")
	n := netDial(t, s)
	if got := n.do("SET", "warm", "1"); got != "+OK\r\n" {
		t.Fatalf("SET warm: %q", got)
	}
	gate := make(chan struct{})
	var opened atomic.Bool
	open := func() {
		if opened.CompareAndSwap(false, true) {
			fl.gate.Store(nil)
			close(gate)
		}
	}
	t.Cleanup(open) // a failure must not leave the fsyncs blocked
	fl.gate.Store(&gate)
	before := fl.syncs.Load()
	n.send("SET", "a", "1")
	select {
	case <-fl.entered:
	case <-time.After(3 * time.Second):
		t.Fatal("no fsync started for the write")
	}
	if reply, err := n.read(300 * time.Millisecond); err == nil || reply != "" {
		t.Fatalf("the reply arrived while the fsync had not returned: %q", reply)
	}
	open()
	n.rd.Reset(n.c) // the timed-out read left nothing behind
	reply, err := n.read(3 * time.Second)
	if err != nil || reply != "+OK\r\n" {
		t.Fatalf("SET a after the fsync: %q, %v", reply, err)
	}
	if fl.syncs.Load() == before {
		t.Fatal("the reply arrived and no fsync had returned")
	}
	select {
	case <-fl.exits:
		t.Fatal("the server exited")
	default:
	}
}

// TestAOFFaultEverysecMisconf: with appendfsync everysec a failed write
// does not end the server: the command's reply goes out, its bytes stay
// pending, aof_last_write_status turns err and write commands (and PING)
// get -MISCONF while reads are served; once writes work again (retried by
// every batch and once a second) the pending bytes reach the file, writes
// are accepted and nothing acknowledged is missing after a restart.
func TestAOFFaultEverysecMisconf(t *testing.T) {
	fl := installAOFFaults(t)
	dir := t.TempDir()
	s, logs := startAOFServer(t, dir, "everysec")
	n := netDial(t, s)
	if got := n.do("SET", "a", "1"); got != "+OK\r\n" {
		t.Fatalf("SET a: %q", got)
	}
	fl.writeErr.Store(true)
	if got := n.do("SET", "b", "2"); got != "+OK\r\n" { // Redis answers it: the bytes are in its buffer
		t.Fatalf("SET b: %q", got)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"SET", "c", "3"}, misconfENOSPC},
		{[]string{"INCR", "n"}, misconfENOSPC},
		{[]string{"PING"}, misconfENOSPC},
		{[]string{"GET", "a"}, "$1\r\n1\r\n"},
		{[]string{"GET", "b"}, "$1\r\n2\r\n"},
		{[]string{"EXISTS", "c"}, ":0\r\n"},
		{[]string{"MULTI"}, "+OK\r\n"},
		{[]string{"SET", "c", "3"}, misconfENOSPC},
		{[]string{"EXEC"}, "-EXECABORT Transaction discarded because of previous errors.\r\n"},
	} {
		if got := n.do(tc.args...); got != tc.want {
			t.Fatalf("%v: %q, want %q", tc.args, got, tc.want)
		}
	}
	if got := n.do("INFO", "persistence"); !strings.Contains(got, "aof_last_write_status:err") {
		t.Fatalf("INFO persistence: %s", got)
	}
	if got := parseAOFFile(t, incrFile(t, s)); strings.Contains(strings.Join(got, "\n"), "SET b 2") {
		t.Fatalf("SET b reached the file while writes fail: %q", got)
	}
	fl.writeErr.Store(false)
	setWhenWritable(t, n, "c", "3", "writes are still refused after the fault cleared")
	if got := n.do("INFO", "persistence"); !strings.Contains(got, "aof_last_write_status:ok") {
		t.Fatalf("INFO persistence: %s", got)
	}
	if got := n.do("PING"); got != "+PONG\r\n" {
		t.Fatalf("PING: %q", got)
	}
	for _, want := range []string{"Error writing to the AOF file: No space left on device", "AOF write error looks solved, Redis can write again."} {
		if !strings.Contains(logs.String(), want) {
			t.Fatalf("log lacks %q: %s", want, logs.String())
		}
	}
	select {
	case <-fl.exits:
		t.Fatal("the server exited")
	default:
	}
	s.Stop()
	waitAOFClosed(t, s)
	got := reloadGet(t, dir, "a", "b", "c")
	if want := []string{"$1\r\n1\r\n", "$1\r\n2\r\n", "$1\r\n3\r\n"}; strings.Join(got, "") != strings.Join(want, "") {
		t.Fatalf("after a restart: %q, want %q", got, want)
	}
}

// TestAOFFaultEverysecFsync: a failed fsync under everysec is a write
// error too (-MISCONF with the fsync's errno) until an fsync succeeds.
func TestAOFFaultEverysecFsync(t *testing.T) {
	fl := installAOFFaults(t)
	s, _ := startAOFServer(t, t.TempDir(), "everysec")
	n := netDial(t, s)
	fl.syncErr.Store(true)
	if got := n.do("SET", "a", "1"); got != "+OK\r\n" {
		t.Fatalf("SET a: %q", got)
	}
	const want = "-MISCONF Errors writing to the AOF file: Input/output error\r\n"
	refused := false
	for i := 0; i < 300 && !refused; i++ { // the everysec fsync fails within ~1 s
		refused = n.do("SET", "b", "2") == want
		if !refused {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if !refused {
		t.Fatal("writes are accepted while the AOF cannot be fsynced")
	}
	if got := n.do("GET", "a"); got != "$1\r\n1\r\n" {
		t.Fatalf("GET a: %q", got)
	}
	fl.syncErr.Store(false)
	setWhenWritable(t, n, "b", "2", "writes are still refused after fsync works again")
}

// TestAOFFaultShortWrite: a short write is truncated away, so the file
// stays loadable; the bytes stay pending and reach the file once writes
// work. When the truncation fails too, the written part stays and only
// the rest is retried: the file is whole again after the retry.
func TestAOFFaultShortWrite(t *testing.T) {
	for _, truncFails := range []bool{false, true} {
		name := "truncated"
		if truncFails {
			name = "truncate-fails"
		}
		t.Run(name, func(t *testing.T) {
			fl := installAOFFaults(t)
			dir := t.TempDir()
			s, logs := startAOFServer(t, dir, "everysec")
			n := netDial(t, s)
			if got := n.do("SET", "a", "1"); got != "+OK\r\n" {
				t.Fatalf("SET a: %q", got)
			}
			path := incrFile(t, s)
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			good := st.Size()
			fl.truncErr.Store(truncFails)
			fl.short.Store(true)
			if got := n.do("SET", "b", strings.Repeat("x", 100)); got != "+OK\r\n" {
				t.Fatalf("SET b: %q", got)
			}
			if got := n.do("SET", "c", "3"); got != misconfENOSPC {
				t.Fatalf("SET c: %q", got)
			}
			st, _ = os.Stat(path)
			if !truncFails {
				if st.Size() != good {
					t.Fatalf("the short write was not truncated: %d bytes, was %d", st.Size(), good)
				}
				parseAOFFile(t, path) // loadable
			} else if st.Size() <= good {
				t.Fatalf("the short write is not in the file: %d bytes, was %d", st.Size(), good)
			}
			if !strings.Contains(logs.String(), "Short write while writing to the AOF file: (nwritten=") {
				t.Fatalf("log: %s", logs.String())
			}
			if truncFails && !strings.Contains(logs.String(), "Could not remove short write from the append-only file.") {
				t.Fatalf("log: %s", logs.String())
			}
			fl.short.Store(false)
			setWhenWritable(t, n, "c", "3", "writes are still refused after the fault cleared")
			n.do("GET", "a") // a batch: the writes are in the file
			cmds := parseAOFFile(t, path)
			if j := strings.Join(cmds, "\n"); !strings.Contains(j, "SET b "+strings.Repeat("x", 100)) || !strings.Contains(j, "SET c 3") {
				t.Fatalf("the file lacks the retried writes: %q", cmds)
			}
			s.Stop()
			waitAOFClosed(t, s)
			got := reloadGet(t, dir, "a", "b", "c")
			if got[0] != "$1\r\n1\r\n" || got[1] != "$100\r\n"+strings.Repeat("x", 100)+"\r\n" || got[2] != "$1\r\n3\r\n" {
				t.Fatalf("after a restart: %q", got)
			}
		})
	}
}

// TestStopWritesOnBgsaveError: after a failed BGSAVE with save points set,
// writes and PING get -MISCONF (reads are served) until a save succeeds;
// stop-writes-on-bgsave-error no, or no save points, lift it; a failed
// SAVE does not set it, as in Redis 7.0.15.
func TestStopWritesOnBgsaveError(t *testing.T) {
	dir := t.TempDir()
	s, c := newTestServer(t)
	s.cfg.Dir = dir
	s.cfg.SavePoints = [][2]int64{{3600, 1}}
	misconf := "-" + errBgsaveMisconf.Error() + "\r\n"
	doLine(t, c, "SET a 1")
	// dump.rdb is a directory: the rename over it fails.
	if err := os.Mkdir(filepath.Join(dir, "dump.rdb"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := do(t, c, "SAVE"); !strings.HasPrefix(got, "-") {
		t.Fatalf("SAVE: %q", got)
	}
	if got := do(t, c, "SET", "b", "1"); got != "+OK\r\n" {
		t.Fatalf("SET after a failed SAVE: %q", got)
	}
	if got := do(t, c, "BGSAVE"); got != "+Background saving started\r\n" {
		t.Fatalf("BGSAVE: %q", got)
	}
	for i := 0; i < 500; i++ {
		s.mu.Lock()
		running := s.bg.running != nil
		s.mu.Unlock()
		if !running {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, tc := range [][2]string{
		{"SET c 1", misconf},
		{"PING", misconf},
		{"GET a", "$1\r\n1\r\n"},
		{"CONFIG SET stop-writes-on-bgsave-error no", "+OK\r\n"},
		{"SET c 1", "+OK\r\n"},
		{"CONFIG SET stop-writes-on-bgsave-error yes", "+OK\r\n"},
		{"SET d 1", misconf},
		{"CONFIG SET save \"\"", "+OK\r\n"},
		{"SET d 1", "+OK\r\n"},
		{"CONFIG SET save \"3600 1\"", "+OK\r\n"},
		{"SET e 1", misconf},
	} {
		if got := doLine(t, c, tc[0]); got != tc[1] {
			t.Fatalf("%s: %q, want %q", tc[0], got, tc[1])
		}
	}
	if err := os.Remove(filepath.Join(dir, "dump.rdb")); err != nil {
		t.Fatal(err)
	}
	if got := do(t, c, "SAVE"); got != "+OK\r\n" {
		t.Fatalf("SAVE: %q", got)
	}
	if got := do(t, c, "SET", "e", "1"); got != "+OK\r\n" {
		t.Fatalf("SET after a successful SAVE: %q", got)
	}
}

// TestAOFFaultRewriteKeepsPending: BGREWRITEAOF while the AOF cannot be
// written does not switch to a new incremental file (that would drop the
// bytes still pending on the current one): it fails, and once writes work
// again the pending write reaches the file and survives a restart.
func TestAOFFaultRewriteKeepsPending(t *testing.T) {
	fl := installAOFFaults(t)
	dir := t.TempDir()
	s, _ := startAOFServer(t, dir, "everysec")
	n := netDial(t, s)
	n.do("SET", "a", "1")
	fl.writeErr.Store(true)
	if got := n.do("SET", "b", "2"); got != "+OK\r\n" {
		t.Fatalf("SET b: %q", got)
	}
	if got := n.do("BGREWRITEAOF"); !strings.HasPrefix(got, "-") {
		t.Fatalf("BGREWRITEAOF while the AOF cannot be written: %q, want an error", got)
	}
	fl.writeErr.Store(false)
	setWhenWritable(t, n, "c", "3", "writes are still refused after the fault cleared")
	s.Stop()
	waitAOFClosed(t, s)
	got := reloadGet(t, dir, "a", "b", "c")
	if want := []string{"$1\r\n1\r\n", "$1\r\n2\r\n", "$1\r\n3\r\n"}; strings.Join(got, "") != strings.Join(want, "") {
		t.Fatalf("after a restart: %q, want %q", got, want)
	}
}

// setWhenWritable retries SET key value for up to 3 s, until the server
// accepts writes again (the -MISCONF state lifts on the next successful AOF
// write, by a batch or the once-a-second retry), failing with why.
func setWhenWritable(t *testing.T, n *netConn, key, value, why string) {
	t.Helper()
	for i := 0; i < 300; i++ {
		if n.do("SET", key, value) == "+OK\r\n" {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal(why)
}
