package main

// The article's module, tested in-process with sdk/sdktest: no plugin
// build, no server process, so `go test -race -cover ./plugins/example`
// covers the module's own code. (test/article_test.go runs the same module
// through the real .so.)

import (
	"strings"
	"testing"

	"modis/sdk/sdktest"
)

func TestHGetSet(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	h.MustEqual(int64(1), "HSET", "foo", "bar", "baz")
	h.MustEqual("baz", "EXAMPLE.HGETSET", "foo", "bar", "qux")
	h.MustEqual("qux", "HGET", "foo", "bar")
	// A field that did not exist: null, and it is set.
	h.MustEqual(nil, "example.hgetset", "foo", "new", "v")
	h.MustEqual("v", "HGET", "foo", "new")
	// A key that did not exist is created.
	h.MustEqual(nil, "example.hgetset", "fresh", "f", "1")
	h.MustEqual([]string{"f", "1"}, "HGETALL", "fresh") // RESP2: a map is a flat array
}

func TestHGetSetErrors(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	for _, args := range [][]string{
		{"EXAMPLE.HGETSET"},
		{"EXAMPLE.HGETSET", "k"},
		{"EXAMPLE.HGETSET", "k", "f"},
		{"EXAMPLE.HGETSET", "k", "f", "v", "extra"},
	} {
		h.MustError("ERR wrong number of arguments for 'example.hgetset' command", args...)
	}
	// HGET's error comes back as the command's reply, and nothing is set.
	h.MustEqual("OK", "SET", "str", "x")
	h.MustError("WRONGTYPE Operation against a key holding the wrong kind of value", "EXAMPLE.HGETSET", "str", "f", "v")
	h.MustEqual("x", "GET", "str")
}

// The command is atomic: concurrent clients each see the value the one
// before them set.
func TestHGetSetAtomic(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	const clients, rounds = 4, 100
	done := make(chan map[string]bool, clients)
	for i := range clients {
		c := h.Client()
		go func() {
			seen := map[string]bool{}
			for j := range rounds {
				r := c.Do("EXAMPLE.HGETSET", "h", "f", string(rune('a'+i))+string(rune('0'+j%10)))
				if r.Err() != nil {
					t.Errorf("client %d: %v", i, r.Err())
				}
				seen[r.Str] = true
			}
			done <- seen
		}()
	}
	for range clients {
		<-done
	}
	h.MustEqual(int64(1), "HLEN", "h")
}

// The module's commands are registered as the article describes (a write
// command with one key, found by COMMAND GETKEYS), and described beyond it
// with SetCommandInfo: COMMAND INFO shows the arity and the key
// specification, COMMAND DOCS the summary and the arguments.
func TestHGetSetCommandInfo(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	h.MustEqual([]string{"foo"}, "COMMAND", "GETKEYS", "EXAMPLE.HGETSET", "foo", "bar", "baz")
	info := h.MustDo("COMMAND", "INFO", "example.hgetset")
	if info.Len() != 1 || info.Elems[0].Elems[0].Str != "example.hgetset" || info.Elems[0].Elems[1].Int != 4 {
		t.Errorf("COMMAND INFO %s", info)
	}
	// name, arity, flags, first, last, step, categories, tips, key specs.
	cmd := info.Elems[0]
	if got := cmd.Elems[2].Strings(); len(got) != 2 || got[0] != "write" || got[1] != "module" {
		t.Errorf("flags %v", got)
	}
	if cmd.Elems[3].Int != 1 || cmd.Elems[4].Int != 1 || cmd.Elems[5].Int != 1 {
		t.Errorf("first/last/step %s", cmd)
	}
	spec := cmd.Elems[8].Elems[0].Map()
	if flags := spec["flags"].Strings(); len(flags) != 3 || flags[0] != "RW" || flags[1] != "access" || flags[2] != "update" {
		t.Errorf("key spec flags %v", flags)
	}
	docs := h.MustDo("COMMAND", "DOCS", "example.hgetset").Elems[1].Map()
	if got := docs["summary"].Str; got != "Sets the value of a hash field and returns the value it had before" {
		t.Errorf("COMMAND DOCS summary %q", got)
	}
	if docs["since"].Str != "1.0.0" || docs["complexity"].Str != "O(1)" || docs["module"].Str != "example" || docs["group"].Str != "module" {
		t.Errorf("COMMAND DOCS %v", docs)
	}
	var args []string
	for _, a := range docs["arguments"].Elems {
		args = append(args, a.Map()["name"].Str+":"+a.Map()["type"].Str)
	}
	if strings.Join(args, " ") != "key:key element:string newvalue:string" {
		t.Errorf("COMMAND DOCS arguments %v", args)
	}
	// The data survives a restart, through the RDB file.
	h.MustEqual(nil, "EXAMPLE.HGETSET", "k", "f", "v")
	h.Restart()
	h.MustEqual("v", "HGET", "k", "f")
}
