package test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rdbRedis starts a private redis-server 7.0.15 whose dir is dir.
func rdbRedis(t *testing.T, dir string) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir)
	if err := cmd.Start(); err != nil {
		t.Skip("redis-server not available:", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for i := 0; i < 250; i++ {
		if out, _ := exec.Command("redis-cli", "-p", strconv.Itoa(port), "ping").Output(); strings.TrimSpace(string(out)) == "PONG" {
			return port
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("redis-server did not start")
	return 0
}

func cli(t *testing.T, port int, args ...string) string {
	t.Helper()
	out, err := exec.Command("redis-cli", append([]string{"-p", strconv.Itoa(port)}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli %v: %v %s", args, err, out)
	}
	return string(out)
}

// rdbPopulate fills a server with every type, compact and big, and TTLs.
func rdbPopulate(t *testing.T, port int) {
	var b strings.Builder
	b.WriteString("SET s:small hello\nSET s:int 12345\nSET s:big " + strings.Repeat("abc", 3000) + "\n")
	b.WriteString("SET s:ttl v PX 500000\nRPUSH l:small a b 1 -2 300\nSADD set:int 1 2 3 -70000\nSADD set:str a b c\n")
	b.WriteString("ZADD z:small 1 a 2.5 b -inf c\nHSET h:small f1 v1 f2 2\nEXPIRE h:small 1000\nSELECT 5\nSET other db5\nSELECT 0\n")
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&b, "RPUSH l:big elem-%d-%s\nSADD set:big m%d\nSADD set:bigint %d\nZADD z:big %d.25 mem%d\nHSET h:big f%d v%d\n", i, strings.Repeat("x", i%50), i, i*3, i, i, i, i)
	}
	b.WriteString("HSET h:long f " + strings.Repeat("y", 100) + "\nZADD z:long 1 " + strings.Repeat("m", 100) + "\n")
	cmd := exec.Command("redis-cli", "-p", strconv.Itoa(port))
	cmd.Stdin = strings.NewReader(b.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("populate: %v %s", err, out)
	}
	// A function library, saved as FUNCTION2.
	cli(t, port, "FUNCTION", "LOAD", "#!lua name=keep\nredis.register_function('kept', function() return 'still here' end)")
}

// rdbSnapshot reads every key's value on a server, in a comparable form.
func rdbSnapshot(t *testing.T, port int) map[string]string {
	m := map[string]string{}
	for _, db := range []string{"0", "5"} {
		keys := strings.Fields(cli(t, port, "-n", db, "keys", "*"))
		for _, k := range keys {
			typ := strings.TrimSpace(cli(t, port, "-n", db, "type", k))
			var v string
			switch typ {
			case "string":
				v = cli(t, port, "-n", db, "get", k)
			case "list":
				v = cli(t, port, "-n", db, "lrange", k, "0", "-1")
			case "set":
				f := strings.Fields(cli(t, port, "-n", db, "smembers", k))
				sort.Strings(f)
				v = strings.Join(f, " ")
			case "zset":
				v = cli(t, port, "-n", db, "zrange", k, "0", "-1", "withscores")
			case "hash":
				f := strings.Split(strings.TrimSpace(cli(t, port, "-n", db, "hgetall", k)), "\n")
				var pairs []string
				for i := 0; i+1 < len(f); i += 2 {
					pairs = append(pairs, f[i]+"="+f[i+1])
				}
				sort.Strings(pairs)
				v = strings.Join(pairs, " ")
			}
			// The absolute expiry (ms), which persistence keeps exactly; a
			// relative TTL would drift with the time the test takes.
			at, _ := strconv.ParseInt(strings.TrimSpace(cli(t, port, "-n", db, "pexpiretime", k)), 10, 64)
			m[db+":"+k] = fmt.Sprintf("%s expireat=%d enc=%s %s", typ, at, strings.TrimSpace(cli(t, port, "-n", db, "object", "encoding", k)), v)
		}
	}
	m["function kept"] = cli(t, port, "FCALL", "kept", "0")
	return m
}

func compareSnapshots(t *testing.T, want, got map[string]string) {
	t.Helper()
	if len(want) != len(got) {
		t.Errorf("%d keys, want %d", len(got), len(want))
	}
	for k, w := range want {
		if g := got[k]; g != w {
			t.Errorf("key %s:\n got %.200s\nwant %.200s", k, g, w)
		}
	}
}

func TestRDBFromRedis(t *testing.T) {
	dir := t.TempDir()
	rp := rdbRedis(t, dir)
	rdbPopulate(t, rp)
	if out := cli(t, rp, "save"); strings.TrimSpace(out) != "OK" {
		t.Fatal(out)
	}
	want := rdbSnapshot(t, rp)
	m := startServer(t, "--config", rdbConf(t, dir))
	got := rdbSnapshot(t, m.Port)
	compareSnapshots(t, want, got)
}

func TestRDBToRedis(t *testing.T) {
	dir := t.TempDir()
	m := startServer(t, "--config", rdbConf(t, dir))
	rdbPopulate(t, m.Port)
	want := rdbSnapshot(t, m.Port)
	if out := m.CLI("save"); strings.TrimSpace(out) != "OK" {
		t.Fatal(out)
	}
	if out := m.CLI("info", "persistence"); !strings.Contains(out, "rdb_changes_since_last_save:0") {
		t.Errorf("INFO persistence after SAVE:\n%s", out)
	}
	path := filepath.Join(dir, "dump.rdb")
	if out, err := exec.Command("redis-check-rdb", path).CombinedOutput(); err != nil {
		t.Fatalf("redis-check-rdb: %v\n%s", err, out)
	}
	rp := rdbRedis(t, dir)
	compareSnapshots(t, want, rdbSnapshot(t, rp))
	// DEBUG RELOAD keeps everything.
	if out := m.CLI("debug", "reload"); strings.TrimSpace(out) != "OK" {
		t.Fatal(out)
	}
	compareSnapshots(t, want, rdbSnapshot(t, m.Port))
}

func TestRDBCorruptRefusesToStart(t *testing.T) {
	dir := t.TempDir()
	m := startServer(t, "--config", rdbConf(t, dir))
	rdbPopulate(t, m.Port)
	m.CLI("save")
	data, err := os.ReadFile(filepath.Join(dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"truncated": data[:len(data)/2],
		"flipped":   func() []byte { b := append([]byte(nil), data...); b[len(b)/3] ^= 0xff; return b }(),
	} {
		d := t.TempDir()
		path := filepath.Join(d, "dump.rdb")
		os.WriteFile(path, bad, 0o644)
		s, err := launch(t, "--config", rdbConf(t, d))
		if err == nil {
			t.Fatalf("%s: the server started", name)
		}
		<-s.done
		if s.err == nil {
			t.Errorf("%s: exit status 0", name)
		}
		if log := s.Log(); !strings.Contains(log, path) || !strings.Contains(log, "offset") {
			t.Errorf("%s: the error does not name the file and offset:\n%s", name, log)
		}
	}
}

// rdbConf writes a config file setting dir (the server has no --dir flag).
func rdbConf(t *testing.T, dir string) string {
	p := filepath.Join(t.TempDir(), "modis.conf")
	if err := os.WriteFile(p, []byte("dir "+dir+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
