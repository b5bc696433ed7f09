package test

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// What clients see when persistence fails: stop-writes-on-bgsave-error,
// with a save that really fails (dump.rdb is a directory, so the rename of
// the temporary file over it fails, whoever runs the test, root included),
// checked reply by reply against redis-server 7.0.15 when it is installed.

// perrMisconf is Redis's shared.bgsaveerr.
const perrMisconf = "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.\r\n"

// perrConf writes a Modis config file with dir and a save point.
func perrConf(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "modis.conf")
	if err := os.WriteFile(p, []byte("dir "+dir+"\nsave 3600 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// perrRedis starts a private redis-server with dir and a save point, and
// returns its address; the test is skipped without redis-server.
func perrRedis(t *testing.T, dir string) string {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not available")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "3600 1", "--appendonly", "no", "--dir", dir)
	if err := cmd.Start(); err != nil {
		t.Skip("redis-server not available:", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for i := 0; i < 250; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("redis-server did not start")
	return ""
}

// perrDial opens a raw RESP connection to addr.
func perrDial(t *testing.T, addr string) *Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &Conn{t: t, c: c, rd: bufio.NewReader(c)}
}

// perrWaitBgsave waits for the background save to end and returns INFO
// persistence.
func perrWaitBgsave(t *testing.T, c *Conn) string {
	t.Helper()
	for i := 0; i < 500; i++ {
		if out := c.Do("INFO", "persistence"); strings.Contains(out, "rdb_bgsave_in_progress:0") {
			return out
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the background save did not end")
	return ""
}

// perrScript runs the failing-save scenario on the server at addr whose
// dir is dir and returns every reply (INFO reduced to
// rdb_last_bgsave_status), failing on a step whose reply is not want.
func perrScript(t *testing.T, addr, dir string) []string {
	t.Helper()
	c := perrDial(t, addr)
	var got []string
	step := func(want string, args ...string) {
		t.Helper()
		r := c.Do(args...)
		if args[0] == "SAVE" && strings.HasPrefix(r, "-ERR") {
			r = "-ERR\r\n" // Modis says why; Redis says only ERR
		}
		got = append(got, r)
		if r != want {
			t.Fatalf("%v: %q, want %q", args, r, want)
		}
	}
	status := func(want string) {
		t.Helper()
		info := perrWaitBgsave(t, c)
		line := "rdb_last_bgsave_status:" + want
		got = append(got, line)
		if !strings.Contains(info, line) {
			t.Fatalf("INFO persistence lacks %s:\n%s", line, info)
		}
	}
	bad := filepath.Join(dir, "dump.rdb")
	step("+OK\r\n", "SET", "a", "1")
	if err := os.Mkdir(bad, 0o755); err != nil { // every save now fails
		t.Fatal(err)
	}
	step("-ERR\r\n", "SAVE")
	step("+OK\r\n", "SET", "b", "1") // a failed SAVE does not stop writes
	status("ok")
	step("+Background saving started\r\n", "BGSAVE")
	status("err")
	step(perrMisconf, "SET", "c", "1")
	step(perrMisconf, "PING")
	// A script's write is refused too (scriptVerifyWriteCommandAllow).
	step(strings.TrimSuffix(perrMisconf, "\r\n")+" script: 331f1eab19bd8416f59ae02df4f687b1fb44edb5, on @user_script:1.\r\n",
		"EVAL", "return redis.call('set','s','1')", "0")
	step("$1\r\n1\r\n", "GET", "a")
	step(":0\r\n", "EXISTS", "c")
	step("+OK\r\n", "MULTI")
	step(perrMisconf, "SET", "x", "1")
	step("-EXECABORT Transaction discarded because of previous errors.\r\n", "EXEC")
	step("+OK\r\n", "CONFIG", "SET", "stop-writes-on-bgsave-error", "no")
	step("+OK\r\n", "SET", "d", "1")
	step("+PONG\r\n", "PING")
	step("+OK\r\n", "CONFIG", "SET", "stop-writes-on-bgsave-error", "yes")
	step(perrMisconf, "SET", "e", "1")
	step("+OK\r\n", "CONFIG", "SET", "save", "")
	step("+OK\r\n", "SET", "f", "1") // no save points: no refusal
	step("+OK\r\n", "CONFIG", "SET", "save", "3600 1")
	step(perrMisconf, "SET", "g", "1")
	if err := os.Remove(bad); err != nil {
		t.Fatal(err)
	}
	step("+Background saving started\r\n", "BGSAVE")
	status("ok")
	step("+OK\r\n", "SET", "h", "1")
	step("+PONG\r\n", "PING")
	step("$1\r\n1\r\n", "GET", "d")
	return got
}

// TestStopWritesOnBgsaveErrorReal: after a BGSAVE that really failed, with
// save points set, write commands and PING get Redis's -MISCONF (inside
// MULTI too, making EXEC fail) while reads are served; CONFIG SET
// stop-writes-on-bgsave-error no, or no save points, lift it, and a
// successful BGSAVE ends it. The same script against redis-server 7.0.15
// gives the same replies.
func TestStopWritesOnBgsaveErrorReal(t *testing.T) {
	dir := t.TempDir()
	m := startServer(t, "--config", perrConf(t, dir))
	modis := perrScript(t, m.Addr, dir)
	if !m.waitLog("background saving error") {
		t.Errorf("the failed BGSAVE is not logged:\n%s", m.Log())
	}

	rdir := t.TempDir()
	redis := perrScript(t, perrRedis(t, rdir), rdir)
	if strings.Join(modis, "") != strings.Join(redis, "") {
		t.Fatalf("replies differ:\nmodis %q\nredis %q", modis, redis)
	}
}
