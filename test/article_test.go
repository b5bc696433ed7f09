package test

import (
	"strings"
	"testing"
)

// TestArticleSession replays "Writing Redis Modules" against the real
// server: the example module loaded with --loadmodule, HGETSET through
// go-redis and redis-cli, and the wrong-arity error text.
func TestArticleSession(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("example"))
	rdb := s.Client()

	if n, err := rdb.HSet(ctx, "foo", "bar", "baz").Result(); err != nil || n != 1 {
		t.Fatalf("HSET = %d, %v", n, err)
	}
	old, err := rdb.Do(ctx, "example.hgetset", "foo", "bar", "qux").Text()
	if err != nil || old != "baz" {
		t.Fatalf("example.hgetset returned %q, %v; want the old value baz", old, err)
	}
	if v, err := rdb.HGet(ctx, "foo", "bar").Result(); err != nil || v != "qux" {
		t.Fatalf("HGET after example.hgetset = %q, %v; want qux", v, err)
	}
	_, err = rdb.Do(ctx, "example.hgetset", "foo").Result()
	if err == nil || err.Error() != "ERR wrong number of arguments for 'example.hgetset' command" {
		t.Fatalf("wrong arity error = %v", err)
	}
	// A missing field: the old value is nil.
	if got := s.Raw("EXAMPLE.HGETSET", "foo", "new", "1"); got != "$-1\r\n" {
		t.Fatalf("hgetset of a new field = %q", got)
	}
	// The error of the inner HGET is forwarded.
	rdb.Set(ctx, "str", "v", 0)
	if got := s.Raw("example.hgetset", "str", "f", "v"); got != "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n" {
		t.Fatalf("hgetset on a string = %q", got)
	}

	// The same through redis-cli, as the article ends.
	if out := s.CLI("example.hgetset", "foo", "bar", "again"); strings.TrimSpace(out) != "qux" {
		t.Fatalf("redis-cli example.hgetset = %q", out)
	}
	if out := s.CLI("hget", "foo", "bar"); strings.TrimSpace(out) != "again" {
		t.Fatalf("redis-cli hget = %q", out)
	}
	if out := s.CLI("example.hgetset", "foo"); !strings.Contains(out, "ERR wrong number of arguments for 'example.hgetset' command") {
		t.Fatalf("redis-cli wrong arity = %q", out)
	}
}

// TestArticleCommandInfo: beyond the article, the example module describes
// its command with SetCommandInfo. COMMAND DOCS shows the summary and the
// arguments, COMMAND INFO the arity (4) and the key specification (argv[1]
// is read and updated), and redis-cli's help shows them too.
func TestArticleCommandInfo(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("example"))
	c := s.Dial()
	const summary = "Sets the value of a hash field and returns the value it had before"
	want := "*2\r\n$15\r\nexample.hgetset\r\n*12\r\n" +
		"$7\r\nsummary\r\n$66\r\n" + summary + "\r\n" +
		"$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nmodule\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n" +
		"$6\r\nmodule\r\n$7\r\nexample\r\n" +
		"$9\r\narguments\r\n*3\r\n" +
		"*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n" +
		"*4\r\n$4\r\nname\r\n$7\r\nelement\r\n$4\r\ntype\r\n$6\r\nstring\r\n" +
		"*4\r\n$4\r\nname\r\n$8\r\nnewvalue\r\n$4\r\ntype\r\n$6\r\nstring\r\n"
	if got := c.Do("COMMAND", "DOCS", "example.hgetset"); got != want {
		t.Fatalf("COMMAND DOCS example.hgetset =\n%q\nwant\n%q", got, want)
	}
	want = "*1\r\n*10\r\n$15\r\nexample.hgetset\r\n:4\r\n*2\r\n+write\r\n+module\r\n:1\r\n:1\r\n:1\r\n*0\r\n*0\r\n" +
		"*1\r\n*6\r\n$5\r\nflags\r\n*3\r\n+RW\r\n+access\r\n+update\r\n" +
		"$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n" +
		"$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n" +
		"*0\r\n"
	if got := c.Do("COMMAND", "INFO", "example.hgetset"); got != want {
		t.Fatalf("COMMAND INFO example.hgetset =\n%q\nwant\n%q", got, want)
	}
	// The RESP3 form is a map, as for built-in commands.
	c.Do("HELLO", "3")
	if got := c.Do("COMMAND", "DOCS", "example.hgetset"); !strings.HasPrefix(got, "%1\r\n$15\r\nexample.hgetset\r\n%6\r\n$7\r\nsummary\r\n") {
		t.Fatalf("RESP3 COMMAND DOCS = %q", got)
	}
	// redis-cli's COMMAND DOCS output, as a user reads it.
	if out := s.CLI("command", "docs", "example.hgetset"); !strings.Contains(out, summary) || !strings.Contains(out, "newvalue") {
		t.Fatalf("redis-cli command docs = %q", out)
	}
	if out := s.CLI("command", "getkeys", "example.hgetset", "foo", "bar", "baz"); strings.TrimSpace(out) != "foo" {
		t.Fatalf("redis-cli command getkeys = %q", out)
	}
}

// TestArticleAOF: the example module's writes reach the append-only file
// (it propagates its command verbatim) and come back after a crash.
func TestArticleAOF(t *testing.T) {
	dir := t.TempDir()
	args := []string{"--loadmodule", plugin("example"), "--dir", dir, "--appendonly", "yes", "--appendfsync", "always"}
	s := startServer(t, args...)
	s.Raw("HSET", "foo", "bar", "baz")
	if got := s.Raw("example.hgetset", "foo", "bar", "qux"); got != "$3\r\nbaz\r\n" {
		t.Fatalf("example.hgetset = %q", got)
	}
	s.cmd.Process.Kill() // SIGKILL: only what the AOF holds survives
	<-s.done
	s2 := startServer(t, args...)
	if got := s2.Raw("HGET", "foo", "bar"); got != "$3\r\nqux\r\n" {
		t.Fatalf("after a crash and restart, HGET foo bar = %q, want qux", got)
	}
}
