package test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The compatibility suite: test/testdata/compat/*.txt, one command per line
// and its exact reply after "->", run against Modis and against Debian's
// redis-server in the same test run, so every expected reply is proven to be
// what Redis says. Format:
//
//	# a comment
//	SET k v -> +OK
//	GET k -> "v"
//	GET missing -> nil
//	LRANGE l 0 -1 -> ["a", "b"]
//	HGETALL h -> {"f": "v"}            (a RESP3 map; RESP2 shows a flat array)
//	SMEMBERS s ->unordered ["a", "b"]  (elements compared sorted)
//	INCR s -> -ERR value is not an integer or out of range
//	!sleep 120                         (milliseconds)
//	!resp3                             (HELLO 3 on the current connection, reply not compared)
//	!resp2                             (HELLO 2, back to RESP2)
//	!conn 2                            (switch to connection 2 of each server, dialled on first use)
//	!read -> >["message", "ch", "hi"]  (read one more reply, e.g. a pushed message, sending nothing)
//	!send BLPOP l 5                    (send a command, read nothing: its reply comes with a later !read)
//
// Arguments are split like redis-cli's, except that "double quotes" take
// Go's escapes (\x00, \n, \", \u00e9...); 'single quotes' are verbatim. An
// argument containing " ->" must be quoted with the space escaped (\x20->).
//
// Replies are rendered canonically: +simple, -error, :int, "bulk" (Go
// quoting), nil (RESP2 null bulk), nil* (RESP2 null array), null (RESP3),
// [a, b] arrays, {k: v} maps, ~[a] sets, >[a] pushes, ,1.5 doubles, #t/#f
// booleans, (123) big numbers, =txt:... verbatim strings. ->unordered sorts
// the elements of every aggregate in the reply, at every depth (map pairs
// as a whole), so set-like replies compare equal whatever their order.
// Each file starts on connection 1 of each server, after FLUSHALL, in RESP2.
// The files run in name order against the same two servers: a file that
// changes server state FLUSHALL does not reset (CONFIG SET, FUNCTION LOAD,
// SCRIPT LOAD) restores it. An I/O error (or a !read that times out after
// 2s) ends that server's part of the file; the other server carries on.
//
// Avoid replies that vary from run to run: hashtable iteration order
// (Redis seeds its hash function at random on every start: use ->unordered,
// or small sets, hashes and sorted sets, whose compact encodings keep
// insertion or sorted order), SCAN cursors over hashtables, random members,
// ids, times and memory sizes. TTL rounds to seconds: check it right after
// setting a TTL of whole seconds, never PTTL.

var (
	redisOnce sync.Once
	redisAddr string
	redisErr  error
	redisCmd  *exec.Cmd
)

// realRedis starts Debian's redis-server once, on a free loopback port.
func realRedis(t *testing.T) string {
	t.Helper()
	redisOnce.Do(func() {
		path, err := exec.LookPath("redis-server")
		if err != nil {
			redisErr = fmt.Errorf("redis-server is not installed (apt-get install redis-server): %v", err)
			return
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			redisErr = err
			return
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		redisCmd = exec.Command(path, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
			"--appendonly", "no", "--daemonize", "no", "--dir", os.TempDir(), "--loglevel", "warning",
			// Modis's defaults for these two (documented in docs/configuration.md).
			"--enable-debug-command", "local", "--enable-module-command", "local")
		if err := redisCmd.Start(); err != nil {
			redisErr = err
			return
		}
		redisAddr = fmt.Sprintf("127.0.0.1:%d", port)
		for i := 0; i < 100; i++ {
			if c, err := net.Dial("tcp", redisAddr); err == nil {
				c.Close()
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		redisErr = fmt.Errorf("redis-server did not start on %s", redisAddr)
	})
	if redisErr != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(redisErr)
		}
		t.Skip(redisErr)
	}
	return redisAddr
}

func stopRealRedis() {
	if redisCmd != nil && redisCmd.Process != nil {
		redisCmd.Process.Kill()
		redisCmd.Wait()
	}
}

// compatLine is one step of a compat file.
type compatLine struct {
	lineNo    int
	args      []string
	want      string
	unordered bool
	sleep     time.Duration
	resp3     bool
	resp2     bool
	conn      int  // !conn N: switch to connection N
	read      bool // !read: read one more reply without sending a command
	send      bool // !send: send the command, do not read its reply
}

func parseCompatFile(t *testing.T, path string) []compatLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []compatLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "!sleep ") {
			ms, err := strconv.Atoi(strings.TrimSpace(line[7:]))
			if err != nil {
				t.Fatalf("%s:%d: bad sleep", path, n)
			}
			out = append(out, compatLine{lineNo: n, sleep: time.Duration(ms) * time.Millisecond})
			continue
		}
		if line == "!resp3" {
			out = append(out, compatLine{lineNo: n, resp3: true})
			continue
		}
		if line == "!resp2" {
			out = append(out, compatLine{lineNo: n, resp2: true})
			continue
		}
		if rest, ok := strings.CutPrefix(line, "!send "); ok {
			args, err := splitCompatArgs(rest)
			if err != nil || len(args) == 0 {
				t.Fatalf("%s:%d: bad command %q: %v", path, n, rest, err)
			}
			out = append(out, compatLine{lineNo: n, args: args, send: true})
			continue
		}
		if strings.HasPrefix(line, "!conn ") {
			id, err := strconv.Atoi(strings.TrimSpace(line[6:]))
			if err != nil || id < 1 {
				t.Fatalf("%s:%d: bad connection number", path, n)
			}
			out = append(out, compatLine{lineNo: n, conn: id})
			continue
		}
		cmd, want, ok := strings.Cut(line, " ->")
		if !ok {
			t.Fatalf("%s:%d: no -> in %q", path, n, line)
		}
		cl := compatLine{lineNo: n}
		if strings.HasPrefix(want, "unordered") {
			cl.unordered = true
			want = strings.TrimPrefix(want, "unordered")
		}
		cl.want = strings.TrimSpace(want)
		if strings.TrimSpace(cmd) == "!read" {
			cl.read = true
			out = append(out, cl)
			continue
		}
		cl.args, err = splitCompatArgs(cmd)
		if err != nil || len(cl.args) == 0 {
			t.Fatalf("%s:%d: bad command %q: %v", path, n, cmd, err)
		}
		out = append(out, cl)
	}
	return out
}

// splitCompatArgs splits a command as redis-cli does: spaces, "double
// quotes" with Go-style escapes, 'single quotes' verbatim.
func splitCompatArgs(s string) ([]string, error) {
	var out []string
	i := 0
	for {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) {
			return out, nil
		}
		switch s[i] {
		case '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unbalanced quotes")
			}
			v, err := strconv.Unquote(s[i : j+1])
			if err != nil {
				return nil, err
			}
			out = append(out, v)
			i = j + 1
		case '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unbalanced quotes")
			}
			out = append(out, s[i+1:i+1+j])
			i += j + 2
		default:
			j := strings.IndexByte(s[i:], ' ')
			if j < 0 {
				j = len(s) - i
			}
			out = append(out, s[i:i+j])
			i += j
		}
	}
}

// render turns one raw RESP reply into the canonical text.
func render(rd *bufio.Reader, unordered bool) (string, error) {
	line, err := rd.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("empty line")
	}
	body := line[1:]
	switch line[0] {
	case '+':
		return "+" + body, nil
	case '-':
		return "-" + body, nil
	case ':':
		return ":" + body, nil
	case ',':
		return "," + body, nil
	case '#':
		return "#" + body, nil
	case '(':
		return "(" + body + ")", nil
	case '_':
		return "null", nil
	case '$', '=':
		n, err := strconv.Atoi(body)
		if err != nil {
			return "", err
		}
		if n < 0 {
			return "nil", nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(rd, buf); err != nil {
			return "", err
		}
		if line[0] == '=' {
			return "=" + string(buf[:n]), nil
		}
		return strconv.Quote(string(buf[:n])), nil
	case '*', '~', '>', '%':
		n, err := strconv.Atoi(body)
		if err != nil {
			return "", err
		}
		if n < 0 {
			return "nil*", nil
		}
		count := n
		if line[0] == '%' {
			count *= 2
		}
		elems := make([]string, 0, count)
		for i := 0; i < count; i++ {
			e, err := render(rd, unordered)
			if err != nil {
				return "", err
			}
			elems = append(elems, e)
		}
		if line[0] == '%' {
			pairs := make([]string, 0, n)
			for i := 0; i < count; i += 2 {
				pairs = append(pairs, elems[i]+": "+elems[i+1])
			}
			if unordered {
				sort.Strings(pairs)
			}
			return "{" + strings.Join(pairs, ", ") + "}", nil
		}
		if unordered {
			sort.Strings(elems)
		}
		prefix := map[byte]string{'*': "", '~': "~", '>': ">"}[line[0]]
		return prefix + "[" + strings.Join(elems, ", ") + "]", nil
	}
	return "", fmt.Errorf("unknown reply %q", line)
}

// compatConn runs commands and renders replies.
type compatConn struct {
	c  net.Conn
	rd *bufio.Reader
}

func dialCompat(t *testing.T, addr string) *compatConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &compatConn{c: c, rd: bufio.NewReader(c)}
}

func (cc *compatConn) do(args []string, unordered bool) (string, error) {
	if err := cc.send(args); err != nil {
		return "", err
	}
	return render(cc.rd, unordered)
}

// send writes one command.
func (cc *compatConn) send(args []string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	cc.c.SetDeadline(time.Now().Add(10 * time.Second))
	_, err := cc.c.Write([]byte(b.String()))
	return err
}

// read renders the next reply (a pushed message) without sending anything.
func (cc *compatConn) read(unordered bool) (string, error) {
	cc.c.SetDeadline(time.Now().Add(2 * time.Second))
	return render(cc.rd, unordered)
}

// compatServer is one server under test: its connections (numbered from 1,
// dialled on first use), the current one, and the first I/O error, after
// which the server's remaining lines in the file are skipped.
type compatServer struct {
	name  string
	addr  string
	conns map[int]*compatConn
	cur   int
	err   error
}

func (s *compatServer) conn(t *testing.T) *compatConn {
	cc := s.conns[s.cur]
	if cc == nil {
		cc = dialCompat(t, s.addr)
		s.conns[s.cur] = cc
	}
	return cc
}

func TestCompat(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "compat", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no compat files: %v", err)
	}
	raddr := realRedis(t)
	s := startServer(t)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txt")
		t.Run(name, func(t *testing.T) {
			lines := parseCompatFile(t, file)
			servers := []*compatServer{
				{name: "modis", addr: s.Addr, conns: map[int]*compatConn{}, cur: 1},
				{name: "redis", addr: raddr, conns: map[int]*compatConn{}, cur: 1},
			}
			for _, srv := range servers {
				if _, err := srv.conn(t).do([]string{"FLUSHALL"}, false); err != nil {
					t.Fatal(err)
				}
			}
			for _, l := range lines {
				if l.sleep > 0 {
					time.Sleep(l.sleep)
					continue
				}
				for _, srv := range servers {
					if srv.err != nil {
						continue
					}
					switch {
					case l.conn > 0:
						srv.cur = l.conn
					case l.resp3 || l.resp2:
						proto := "3"
						if l.resp2 {
							proto = "2"
						}
						if _, err := srv.conn(t).do([]string{"HELLO", proto}, false); err != nil {
							srv.err = err
							t.Errorf("%s:%d %s: HELLO %s: %v (skipping the rest of the file)", file, l.lineNo, srv.name, proto, err)
						}
					default:
						if l.send {
							if err := srv.conn(t).send(l.args); err != nil {
								srv.err = err
								t.Errorf("%s:%d %s: !send: %v (skipping the rest of the file)", file, l.lineNo, srv.name, err)
							}
							continue
						}
						var got string
						var err error
						what := "!read"
						if l.read {
							got, err = srv.conn(t).read(l.unordered)
						} else {
							what = strings.Join(l.args, " ")
							got, err = srv.conn(t).do(l.args, l.unordered)
						}
						if err != nil {
							srv.err = err
							t.Errorf("%s:%d %s: %s: %v (skipping the rest of the file)", file, l.lineNo, srv.name, what, err)
							continue
						}
						// Trailing spaces are not compared (editors strip them).
						if strings.TrimRight(got, " ") != l.want {
							t.Errorf("%s:%d %s: %s\n got %s\nwant %s", file, l.lineNo, srv.name, what, got, l.want)
						}
					}
				}
			}
		})
	}
}
