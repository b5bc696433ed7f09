package test

import (
	"strings"
	"testing"
)

// TestModuleReplies: every ReplyWith... of the sdk, exact on the wire, in
// RESP2 and RESP3.
func TestModuleReplies(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("testmod"))
	cases := []struct{ typ, resp2, resp3 string }{
		{"simple", "+OK\r\n", ""},
		{"error", "-MYERR custom error\r\n", ""},
		{"errnocode", "-ERR no code here\r\n", ""},
		{"int", ":-42\r\n", ""},
		{"string", "$5\r\nhello\r\n", ""},
		{"buffer", "$7\r\nbin\x00ary\r\n", ""},
		{"cstring", "$8\r\nc-string\r\n", ""},
		{"null", "$-1\r\n", "_\r\n"},
		{"double", "$3\r\n3.5\r\n", ",3.5\r\n"},
		{"array", "*3\r\n:1\r\n$3\r\ntwo\r\n$-1\r\n", "*3\r\n:1\r\n$3\r\ntwo\r\n_\r\n"},
		{"empty", "*0\r\n", ""},
		{"postponed", "*4\r\n:0\r\n:1\r\n:2\r\n:3\r\n", ""},
		{"nested", "*2\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n*1\r\n$5\r\n-0.25\r\n", "*2\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n*1\r\n,-0.25\r\n"},
		{"wronglen", "*2\r\n:1\r\n:2\r\n", ""},
	}
	c2 := s.Dial()
	c3 := s.Dial()
	if got := c3.Do("HELLO", "3"); !strings.HasPrefix(got, "%7\r\n") {
		t.Fatalf("HELLO 3 = %q", got)
	}
	for _, tc := range cases {
		if got := c2.Do("testmod.reply", tc.typ); got != tc.resp2 {
			t.Errorf("RESP2 %s\n got %q\nwant %q", tc.typ, got, tc.resp2)
		}
		want3 := tc.resp3
		if want3 == "" {
			want3 = tc.resp2
		}
		if got := c3.Do("testmod.reply", tc.typ); got != want3 {
			t.Errorf("RESP3 %s\n got %q\nwant %q", tc.typ, got, want3)
		}
	}
	if got := c2.Do("testmod.info", "12", "-3.5", "x"); got != "*5\r\n$7\r\ntestmod\r\n$12\r\ntestmod.info\r\n:12\r\n$4\r\n-3.5\r\n-ERR value is not a valid float\r\n" {
		t.Errorf("testmod.info = %q", got)
	}
}

// TestModuleCall: Call with each format specifier, its errors reported as
// error replies, and the CallReply accessors.
func TestModuleCall(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("testmod"))
	c := s.Dial()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"testmod.callbad", "unknown"}, "-ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'x' \r\n"},
		{[]string{"testmod.callbad", "arity"}, "-ERR wrong number of arguments for 'get' command\r\n"},
		{[]string{"testmod.callbad", "spec"}, "-ERR Call GET: unknown format specifier 'q' in \"q\" (known: c s b l d v and modifiers ! A R 3 0 C S W M E D)\r\n"},
		{[]string{"testmod.callbad", "type"}, "-ERR Call GET: argument 1 for 's' is int, want sdk.String\r\n"},
		{[]string{"testmod.callbad", "count"}, "-ERR Call GET: format \"cc\" wants more arguments than the 1 given\r\n"},
		{[]string{"testmod.callbad", "all"}, "*6\r\n$5\r\nbytes\r\n$2\r\n15\r\n$3\r\n2.5\r\n$1\r\na\r\n$1\r\nb\r\n$-1\r\n"},
		{[]string{"testmod.callbad", "accessors"}, bulk(`int=42 type=array len=2 el0=f el1=42 el9=unknown null=null err="ERR wrong number of arguments for 'hget' command"`)},
		// Call records in RESP2 unless asked for RESP3 ("3"), as in Redis.
		{[]string{"testmod.call", "HGETALL", "testmod:h"}, "*2\r\n$1\r\nf\r\n$2\r\n42\r\n"},
		{[]string{"testmod.call", "PING"}, "+PONG\r\n"},
	}
	for _, tc := range cases {
		if got := c.Do(tc.args...); got != tc.want {
			t.Errorf("%v\n got %q\nwant %q", tc.args, got, tc.want)
		}
	}
	c.Do("HELLO", "3")
	if got := c.Do("testmod.call", "3:HGETALL", "testmod:h"); got != "%1\r\n$1\r\nf\r\n$2\r\n42\r\n" {
		t.Errorf("RESP3 Call of HGETALL = %q", got)
	}
}

// bulk is s as a RESP bulk string.
func bulk(s string) string { return "$" + itoa(len(s)) + "\r\n" + s + "\r\n" }
