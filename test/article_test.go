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
