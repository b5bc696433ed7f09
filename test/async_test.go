package test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// The example module plugins/async through the real .so: ASYNC.SLEEP,
// ASYNC.HSUM and ASYNC.BPOP.

func TestAsyncSleep(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("async"))
	ctl := bdial(t, s.Addr)
	a := named(t, s.Addr, "a")
	start := time.Now()
	a.send([]string{"ASYNC.SLEEP", "150"})
	waitClient(t, ctl, "a", "async.sleep")
	// The server serves everyone else meanwhile.
	expect(t, "PING meanwhile", ctl.do("PING"), "+PONG\r\n")
	if d := time.Since(start); d > 140*time.Millisecond {
		t.Logf("slow machine: PING answered %v after the sleep began", d)
	}
	expect(t, "ASYNC.SLEEP", a.must(), "+OK\r\n")
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("ASYNC.SLEEP 150 replied after %v", d)
	}
	// The sleep was measured as the command's time.
	if info := ctl.do("INFO", "commandstats"); !strings.Contains(info, "cmdstat_async.sleep:calls=1,usec=1") {
		t.Fatalf("INFO commandstats:\n%s", info)
	}
	expect(t, "bad ms", ctl.do("ASYNC.SLEEP", "x"), "-ERR ms must be a non-negative integer\r\n")
	expect(t, "arity", ctl.do("ASYNC.SLEEP"), "-ERR wrong number of arguments for 'async.sleep' command\r\n")
}

func TestAsyncHSum(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("async"))
	c := bdial(t, s.Addr)
	expect(t, "HSET", c.do("HSET", "h", "a", "1", "b", "2.5", "c", "-0.5"), ":3\r\n")
	expect(t, "ASYNC.HSUM", c.do("ASYNC.HSUM", "h"), "$1\r\n3\r\n")
	expect(t, "ASYNC.HSUM missing", c.do("ASYNC.HSUM", "nokey"), "$1\r\n0\r\n")
	c.do("SET", "s", "x")
	expect(t, "ASYNC.HSUM string", c.do("ASYNC.HSUM", "s"), "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
	c.do("HSET", "bad", "f", "one")
	expect(t, "ASYNC.HSUM not a number", c.do("ASYNC.HSUM", "bad"), "-ERR hash value is not a number: \"one\"\r\n")
	// The database the client selected.
	c.do("SELECT", "3")
	c.do("HSET", "h", "x", "10")
	expect(t, "ASYNC.HSUM db 3", c.do("ASYNC.HSUM", "h", "1000"), "$2\r\n10\r\n")
	c.do("HELLO", "3")
	expect(t, "ASYNC.HSUM RESP3", c.do("ASYNC.HSUM", "h"), ",10\r\n")
	// Many clients at once, each served by its own goroutine.
	var conns []*bconn
	for i := 0; i < 20; i++ {
		b := bdial(t, s.Addr)
		b.send([]string{"ASYNC.HSUM", "h"}, []string{"PING"})
		conns = append(conns, b)
	}
	for _, b := range conns {
		expect(t, "concurrent ASYNC.HSUM", b.must(), "$1\r\n3\r\n")
		expect(t, "pipelined PING", b.must(), "+PONG\r\n")
	}
}

func TestAsyncBPop(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("async"))
	ctl := bdial(t, s.Addr)
	// An element is there: served at once.
	ctl.do("RPUSH", "l", "first")
	expect(t, "at once", ctl.do("ASYNC.BPOP", "l", "0"), rarr(rbulk("l"), rbulk("first")))
	// Blocks until a push.
	a := blocked(t, s.Addr, ctl, "a", "ASYNC.BPOP", "l", "0")
	a.silent(50 * time.Millisecond)
	expect(t, "RPUSH", ctl.do("RPUSH", "l", "x", "y"), ":2\r\n")
	expect(t, "served", a.must(), rarr(rbulk("l"), rbulk("x")))
	expect(t, "left", ctl.do("LRANGE", "l", "0", "-1"), rarr(rbulk("y")))
	// Two waiters, one element: the first blocked is served; the second
	// keeps waiting (its reply callback declines) until its timeout.
	ctl.do("DEL", "l")
	b := blocked(t, s.Addr, ctl, "b", "ASYNC.BPOP", "l", "0")
	c := blocked(t, s.Addr, ctl, "c", "ASYNC.BPOP", "l", "0.3")
	ctl.do("LPUSH", "l", "only")
	expect(t, "b served", b.must(), rarr(rbulk("l"), rbulk("only")))
	c.silent(50 * time.Millisecond)
	expect(t, "c timed out", c.must(), "$-1\r\n")
	// Errors.
	ctl.do("SET", "str", "v")
	expect(t, "wrong type", ctl.do("ASYNC.BPOP", "str", "0"), "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
	expect(t, "bad timeout", ctl.do("ASYNC.BPOP", "l", "-1"), "-ERR timeout is not a float or out of range\r\n")
	// The commands are documented like any other.
	if docs := ctl.do("COMMAND", "DOCS", "async.bpop"); !strings.Contains(docs, "async.bpop") {
		t.Fatalf("COMMAND DOCS async.bpop = %q", docs)
	}
	if info := ctl.do("COMMAND", "INFO", "async.bpop"); !strings.Contains(info, "blocking") {
		t.Fatalf("COMMAND INFO async.bpop = %q", info)
	}
}

// TestAsyncCommandInfo: the module describes its commands with
// SetCommandInfo. COMMAND DOCS shows each summary and its arguments,
// COMMAND INFO the arity and the key specification, and the server checks
// the arity before the handler runs.
func TestAsyncCommandInfo(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("async"))
	c := s.Dial()
	keySpec := func(flags ...string) string {
		f := fmt.Sprintf("*%d\r\n", len(flags))
		for _, x := range flags {
			f += "+" + x + "\r\n"
		}
		return "*1\r\n*6\r\n$5\r\nflags\r\n" + f +
			"$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n" +
			"$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n"
	}
	for _, tc := range []struct {
		name, info, summary, args string
	}{
		{"async.sleep",
			"*1\r\n*10\r\n$11\r\nasync.sleep\r\n:2\r\n*2\r\n+module\r\n+blocking\r\n:0\r\n:0\r\n:0\r\n*0\r\n*0\r\n*0\r\n*0\r\n",
			"Replies OK after a number of milliseconds, without holding up other clients",
			"$9\r\narguments\r\n*1\r\n*4\r\n$4\r\nname\r\n$12\r\nmilliseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n"},
		{"async.hsum",
			"*1\r\n*10\r\n$10\r\nasync.hsum\r\n:-2\r\n*3\r\n+readonly\r\n+module\r\n+blocking\r\n:1\r\n:1\r\n:1\r\n*0\r\n*0\r\n" +
				keySpec("RO", "access") + "*0\r\n",
			"Returns the sum of the values of a hash, computed on a goroutine",
			"$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n" +
				"*6\r\n$4\r\nname\r\n$7\r\ntimeout\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\nflags\r\n*1\r\n+optional\r\n"},
		{"async.bpop",
			"*1\r\n*10\r\n$10\r\nasync.bpop\r\n:3\r\n*3\r\n+write\r\n+module\r\n+blocking\r\n:1\r\n:1\r\n:1\r\n*0\r\n*0\r\n" +
				keySpec("RW", "access", "delete") + "*0\r\n",
			"Removes and returns the first element of a list, or blocks until one is available",
			"$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n" +
				"*4\r\n$4\r\nname\r\n$7\r\ntimeout\r\n$4\r\ntype\r\n$6\r\ndouble\r\n"},
	} {
		expect(t, "COMMAND INFO "+tc.name, c.Do("COMMAND", "INFO", tc.name), tc.info)
		docs := c.Do("COMMAND", "DOCS", tc.name)
		for _, w := range []string{
			fmt.Sprintf("*2\r\n$%d\r\n%s\r\n*12\r\n$7\r\nsummary\r\n$%d\r\n%s\r\n", len(tc.name), tc.name, len(tc.summary), tc.summary),
			"$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nmodule\r\n",
			"$6\r\nmodule\r\n$5\r\nasync\r\n" + tc.args,
		} {
			if !strings.Contains(docs, w) {
				t.Errorf("COMMAND DOCS %s = %q, lacks %q", tc.name, docs, w)
			}
		}
	}
	// COMMAND GETKEYS finds the key through the key specification.
	expect(t, "GETKEYS", c.Do("COMMAND", "GETKEYS", "ASYNC.HSUM", "h", "10"), "*1\r\n$1\r\nh\r\n")
	// The arity is checked before the handler runs.
	expect(t, "arity", c.Do("ASYNC.BPOP", "l"), "-ERR wrong number of arguments for 'async.bpop' command\r\n")
	expect(t, "arity", c.Do("ASYNC.SLEEP", "1", "2"), "-ERR wrong number of arguments for 'async.sleep' command\r\n")
}
