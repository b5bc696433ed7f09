// Command gen regenerates host/internal/cmdmeta/commands.resp: Redis's
// command metadata, as redis-server 7.0.15 reports it through COMMAND INFO
// and COMMAND DOCS in RESP3.
//
//	go run ./host/internal/cmdmeta/gen                  # starts redis-server on a free loopback port
//	go run ./host/internal/cmdmeta/gen -addr 127.0.0.1:6379
//
// It refuses any other Redis version (-version says which one it wants).
// Subcommands, which Redis lists in its hash table's order, are sorted by
// name so that the file only changes when Redis's metadata does.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

func main() {
	addr := flag.String("addr", "", "host:port of a running redis-server (default: start one on a free loopback port)")
	server := flag.String("redis-server", "redis-server", "the redis-server binary to start when -addr is not given")
	version := flag.String("version", "7.0.15", "the Redis version the metadata must come from")
	out := flag.String("out", defaultOut(), "the data file to write")
	flag.Parse()
	if err := run(*addr, *server, *version, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// defaultOut is commands.resp next to this program's package directory,
// when run from the module root or from host/internal/cmdmeta.
func defaultOut() string {
	for _, p := range []string{"host/internal/cmdmeta", "."} {
		if _, err := os.Stat(filepath.Join(p, "cmdmeta.go")); err == nil {
			return filepath.Join(p, "commands.resp")
		}
	}
	return "commands.resp"
}

func run(addr, server, version, out string) error {
	if addr == "" {
		a, stop, err := startServer(server)
		if err != nil {
			return err
		}
		defer stop()
		addr = a
	}
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	c := &client{conn: conn, r: bufio.NewReaderSize(conn, 1<<20)}

	if _, err := c.do("HELLO", "3"); err != nil {
		return err
	}
	info, err := c.do("INFO", "server")
	if err != nil {
		return err
	}
	got := ""
	for _, line := range strings.Split(string(info.str), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "redis_version:"); ok {
			got = v
		}
	}
	if got != version {
		return fmt.Errorf("the server at %s is Redis %q, not %s", addr, got, version)
	}
	list, err := c.do("COMMAND", "LIST")
	if err != nil {
		return err
	}
	var names []string
	for _, e := range list.elems {
		// COMMAND LIST names subcommands too ("config|get"): they are
		// stored inside their container's entries.
		if !bytes.Contains(e.str, []byte("|")) {
			names = append(names, string(e.str))
		}
	}
	sort.Strings(names)

	var buf bytes.Buffer
	// The file: the Redis version, then for every command its name, its
	// COMMAND INFO entry and its COMMAND DOCS entry, all RESP3.
	writeBulk(&buf, version)
	for _, name := range names {
		infos, err := c.do("COMMAND", "INFO", name)
		if err != nil {
			return err
		}
		if len(infos.elems) != 1 || infos.elems[0].kind != '*' {
			return fmt.Errorf("COMMAND INFO %s: unexpected reply", name)
		}
		docs, err := c.do("COMMAND", "DOCS", name)
		if err != nil {
			return err
		}
		if docs.kind != '%' || len(docs.elems) != 2 || string(docs.elems[0].str) != name {
			return fmt.Errorf("COMMAND DOCS %s: unexpected reply", name)
		}
		entry := infos.elems[0]
		if string(entry.elems[0].str) != name {
			return fmt.Errorf("COMMAND INFO %s names %q", name, entry.elems[0].str)
		}
		sortInfoSubs(entry)
		sortDocsSubs(docs.elems[1])
		writeBulk(&buf, name)
		entry.encode(&buf)
		docs.elems[1].encode(&buf)
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gen: wrote %d commands of Redis %s to %s (%d bytes)\n", len(names), version, out, buf.Len())
	return nil
}

// sortInfoSubs sorts the subcommand entries (element 9) of a COMMAND INFO
// entry by name.
func sortInfoSubs(entry *value) {
	if len(entry.elems) != 10 {
		return
	}
	subs := entry.elems[9].elems
	sort.Slice(subs, func(i, j int) bool { return string(subs[i].elems[0].str) < string(subs[j].elems[0].str) })
}

// sortDocsSubs sorts the "subcommands" map of a COMMAND DOCS entry by name.
func sortDocsSubs(docs *value) {
	for i := 0; i+1 < len(docs.elems); i += 2 {
		if string(docs.elems[i].str) != "subcommands" {
			continue
		}
		m := docs.elems[i+1]
		type pair struct{ k, v *value }
		pairs := make([]pair, 0, len(m.elems)/2)
		for j := 0; j+1 < len(m.elems); j += 2 {
			pairs = append(pairs, pair{m.elems[j], m.elems[j+1]})
		}
		sort.Slice(pairs, func(a, b int) bool { return string(pairs[a].k.str) < string(pairs[b].k.str) })
		m.elems = m.elems[:0]
		for _, p := range pairs {
			m.elems = append(m.elems, p.k, p.v)
		}
	}
}

// startServer starts redis-server on a free loopback port, persisting
// nothing.
func startServer(path string) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir, err := os.MkdirTemp("", "cmdmeta-gen")
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(path, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "no", "--daemonize", "no", "--dir", dir, "--loglevel", "warning")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	stop := func() {
		cmd.Process.Kill()
		cmd.Wait()
		os.RemoveAll(dir)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr, stop, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	return "", nil, fmt.Errorf("%s did not start on %s", path, addr)
}

// value is a RESP3 reply: its type byte, the text of a line or bulk, and
// the elements of an aggregate (a map's keys and values in turn).
type value struct {
	kind  byte
	str   []byte
	elems []*value
}

type client struct {
	conn net.Conn
	r    *bufio.Reader
}

func (c *client) do(args ...string) (*value, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		writeBulk(&b, a)
	}
	c.conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.conn.Write(b.Bytes()); err != nil {
		return nil, err
	}
	v, err := c.read()
	if err != nil {
		return nil, err
	}
	if v.kind == '-' {
		return nil, fmt.Errorf("%s: %s", strings.Join(args, " "), v.str)
	}
	return v, nil
}

func (c *client) read() (*value, error) {
	line, err := c.r.ReadBytes('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return nil, errors.New("malformed reply line")
	}
	v := &value{kind: line[0], str: line[1 : len(line)-2]}
	switch v.kind {
	case '+', '-', ':', '_', ',', '#', '(':
		return v, nil
	case '$', '=', '!':
		n, err := strconv.Atoi(string(v.str))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("bad length %q", v.str)
		}
		b := make([]byte, n+2)
		if _, err := io.ReadFull(c.r, b); err != nil {
			return nil, err
		}
		v.str = b[:n]
		return v, nil
	case '*', '~', '%', '>', '|':
		n, err := strconv.Atoi(string(v.str))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("bad length %q", v.str)
		}
		if v.kind == '%' || v.kind == '|' {
			n *= 2
		}
		v.str = nil
		for i := 0; i < n; i++ {
			e, err := c.read()
			if err != nil {
				return nil, err
			}
			v.elems = append(v.elems, e)
		}
		return v, nil
	}
	return nil, fmt.Errorf("unknown reply type %q", v.kind)
}

func writeBulk(b *bytes.Buffer, s string) {
	fmt.Fprintf(b, "$%d\r\n%s\r\n", len(s), s)
}

// encode writes v back in RESP3, byte for byte as Redis sent it.
func (v *value) encode(b *bytes.Buffer) {
	switch v.kind {
	case '$', '=', '!':
		fmt.Fprintf(b, "%c%d\r\n", v.kind, len(v.str))
		b.Write(v.str)
		b.WriteString("\r\n")
	case '*', '~', '>':
		fmt.Fprintf(b, "%c%d\r\n", v.kind, len(v.elems))
		for _, e := range v.elems {
			e.encode(b)
		}
	case '%', '|':
		fmt.Fprintf(b, "%c%d\r\n", v.kind, len(v.elems)/2)
		for _, e := range v.elems {
			e.encode(b)
		}
	default:
		b.WriteByte(v.kind)
		b.Write(v.str)
		b.WriteString("\r\n")
	}
}
