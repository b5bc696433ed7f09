// Package test holds Modis's integration tests: they build the server and
// the plugins once through scripts/build-plugins.sh (the same script and
// flags users use), start bin/server as a subprocess on a free loopback port,
// and drive it with real clients: go-redis v9, redis-cli, and raw RESP.
package test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

var (
	repoRoot string // the repository
	outDir   string // what the build script produced: server, plugins/*.so
	fixtures string // deliberately broken module files
)

func TestMain(m *testing.M) {
	code, err := setup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "test setup:", err)
		os.Exit(2)
	}
	if code == 0 {
		code = m.Run()
	}
	stopRealRedis()
	os.RemoveAll(filepath.Dir(outDir))
	os.Exit(code)
}

// setup builds everything the tests use, in parallel where it can.
func setup() (int, error) {
	wd, err := os.Getwd()
	if err != nil {
		return 0, err
	}
	repoRoot = filepath.Dir(wd)
	tmp, err := os.MkdirTemp("", "modis-test-")
	if err != nil {
		return 0, err
	}
	outDir = filepath.Join(tmp, "bin")
	fixtures = filepath.Join(tmp, "fixtures")
	if err := os.MkdirAll(fixtures, 0o755); err != nil {
		return 0, err
	}
	script := filepath.Join(repoRoot, "scripts", "build-plugins.sh")
	fix := func(name string) string { return "test/testdata/plugins/" + name }

	// The server, every module in plugins/ and every good test module in
	// test/testdata/plugins (the broken fixtures are built below), built and
	// checked by the script.
	good := []string{"env", "OUT=" + outDir, script}
	for _, pattern := range []string{"plugins/*", "test/testdata/plugins/*"} {
		dirs, err := filepath.Glob(filepath.Join(repoRoot, pattern))
		if err != nil {
			return 0, err
		}
		for _, d := range dirs {
			switch filepath.Base(d) {
			case "noonload", "badsig", "initpanic":
				continue
			}
			rel, _ := filepath.Rel(repoRoot, d)
			good = append(good, rel)
		}
	}
	steps := [][]string{good}
	var mu sync.Mutex
	var errs []string
	run := func(step []string) {
		cmd := exec.Command(step[0], step[1:]...)
		cmd.Dir = repoRoot
		out, err := cmd.CombinedOutput()
		if err != nil {
			mu.Lock()
			errs = append(errs, fmt.Sprintf("%s: %v\n%s", strings.Join(step, " "), err, out))
			mu.Unlock()
		}
	}
	for _, s := range steps {
		run(s)
	}
	if len(errs) > 0 {
		return 0, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	// The broken fixtures: built directly with go build, since each breaks a
	// rule on purpose (the script would refuse them). The good flags are the
	// script's: -trimpath.
	gobuild := func(out, pkg string, extra ...string) []string {
		args := []string{"go", "build", "-buildmode=plugin", "-trimpath"}
		args = append(args, extra...)
		return append(args, "-o", filepath.Join(fixtures, out), "./"+pkg)
	}
	parallel := [][]string{
		gobuild("noonload.so", fix("noonload")),
		gobuild("badsig.so", fix("badsig")),
		gobuild("initpanic.so", fix("initpanic")),
		gobuild("testmod-rebuilt.so", fix("testmod"), "-ldflags=-X=main.build=2"),
		gobuild("testmod-noopt.so", fix("testmod"), "-gcflags=all=-N -l"),
		{"sh", "-c", "printf 'int answer(void) { return 42; }\\n' > " + fixtures + "/clib.c && gcc -shared -fPIC -o " +
			fixtures + "/clib.so " + fixtures + "/clib.c"},
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for _, s := range parallel {
		wg.Add(1)
		go func(s []string) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			run(s)
		}(s)
	}
	wg.Wait()
	if len(errs) > 0 {
		return 0, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	if err := os.WriteFile(filepath.Join(fixtures, "notes.txt"), []byte("not a module\n"), 0o644); err != nil {
		return 0, err
	}
	return 0, nil
}

func plugin(name string) string  { return filepath.Join(outDir, "plugins", name+".so") }
func fixture(name string) string { return filepath.Join(fixtures, name) }

// lockedBuffer collects a subprocess's output safely.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Server is a running bin/server subprocess.
type Server struct {
	t    *testing.T
	cmd  *exec.Cmd
	Addr string
	Port int
	log  *lockedBuffer
	done chan struct{}
	err  error
}

// readyRe finds the listening address in the ready log line, text or JSON.
var readyRe = regexp.MustCompile(`ready to accept connections.*?addr"?[=:]"?([0-9.:\[\]a-f]+)`)

// startServer starts bin/server on a free loopback port with extra flags and
// waits until it accepts connections. It is killed and waited for when the
// test ends.
func startServer(t *testing.T, args ...string) *Server {
	t.Helper()
	s, err := launch(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func launch(t *testing.T, args ...string) (*Server, error) {
	t.Helper()
	all := append([]string{"--port", "0", "--bind", "127.0.0.1", "--loglevel", "verbose"}, args...)
	cmd := exec.Command(filepath.Join(outDir, "server"), all...)
	cmd.Dir = t.TempDir()
	s := &Server{t: t, cmd: cmd, log: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout = s.log
	cmd.Stderr = s.log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.err = cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-s.done
		if t.Failed() {
			t.Logf("server log:\n%s", s.log.String())
		}
	})
	deadline := time.After(15 * time.Second)
	for {
		if m := readyRe.FindStringSubmatch(s.log.String()); m != nil {
			s.Addr = m[1]
			_, p, _ := net.SplitHostPort(s.Addr)
			s.Port, _ = strconv.Atoi(p)
			return s, nil
		}
		select {
		case <-s.done:
			return s, fmt.Errorf("server exited (%v) before it was ready:\n%s", s.err, s.log.String())
		case <-deadline:
			return s, fmt.Errorf("server not ready after 15s:\n%s", s.log.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Log returns what the server has logged so far.
func (s *Server) Log() string { return s.log.String() }

// waitLog reports whether the server logs every one of the substrings within
// a few seconds (its stderr reaches the test through a pipe, a little after
// the replies).
func (s *Server) waitLog(subs ...string) bool {
	deadline := time.Now().Add(5 * time.Second)
	for {
		all := true
		log := s.Log()
		for _, sub := range subs {
			if !strings.Contains(log, sub) {
				all = false
			}
		}
		if all {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Client returns a go-redis client with its default settings (RESP3).
func (s *Server) Client() *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.Addr})
	s.t.Cleanup(func() { c.Close() })
	return c
}

// Client2 returns a go-redis client that speaks RESP2.
func (s *Server) Client2() *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.Addr, Protocol: 2})
	s.t.Cleanup(func() { c.Close() })
	return c
}

// CLI runs redis-cli against the server and returns its output.
func (s *Server) CLI(args ...string) string {
	s.t.Helper()
	all := append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(s.Port)}, args...)
	out, err := exec.Command("redis-cli", all...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("redis-cli %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// mustAlive fails the test unless the server still answers PING.
func (s *Server) mustAlive() {
	s.t.Helper()
	if got := s.Raw("PING"); got != "+PONG\r\n" {
		s.t.Fatalf("server does not answer PING after the failure: %q\nlog:\n%s", got, s.Log())
	}
}

// Conn is a raw RESP connection: commands in, exact reply bytes out.
type Conn struct {
	t  *testing.T
	c  net.Conn
	rd *bufio.Reader
}

// Dial opens a raw connection.
func (s *Server) Dial() *Conn {
	s.t.Helper()
	c, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { c.Close() })
	return &Conn{t: s.t, c: c, rd: bufio.NewReader(c)}
}

// Raw sends one command on a new connection and returns the raw reply.
func (s *Server) Raw(args ...string) string {
	s.t.Helper()
	return s.Dial().Do(args...)
}

// Do sends a command and returns its whole reply as raw RESP text.
func (c *Conn) Do(args ...string) string {
	c.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	c.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.c.Write([]byte(b.String())); err != nil {
		c.t.Fatal(err)
	}
	var out strings.Builder
	if err := readReply(c.rd, &out); err != nil {
		c.t.Fatalf("%v: reading reply: %v (so far %q)", args, err, out.String())
	}
	return out.String()
}

// readReply copies one complete RESP2/RESP3 reply into out.
func readReply(rd *bufio.Reader, out *strings.Builder) error {
	line, err := rd.ReadString('\n')
	if err != nil {
		return err
	}
	out.WriteString(line)
	if len(line) < 3 {
		return fmt.Errorf("short line %q", line)
	}
	body := strings.TrimSuffix(line[1:], "\r\n")
	switch line[0] {
	case '+', '-', ':', '_', ',', '#', '(':
		return nil
	case '$', '=', '!':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(rd, buf); err != nil {
			return err
		}
		out.Write(buf)
		return nil
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(body)
		if err != nil {
			return err
		}
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if err := readReply(rd, out); err != nil {
				return err
			}
		}
		if line[0] == '|' { // an attribute precedes the real reply
			return readReply(rd, out)
		}
		return nil
	}
	return fmt.Errorf("unknown reply type %q", line)
}

var ctx = context.Background()
