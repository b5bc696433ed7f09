package test

import (
	"debug/buildinfo"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The example JSON module (plugins/json) through the real plugin: it binds
// gjson and sjson, which the server does not link.

// jbulk renders a RESP bulk string.
func jbulk(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }

func TestJSONModuleCommands(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("json"))
	c := s.Dial()
	runKeySteps(t, c, []keyStep{
		{keyCmd(`JSON.SET doc $ {"a":2,"b":[1,2],"c":{"d":"x"}}`), "+OK\r\n"},
		{keyCmd(`JSON.GET doc`), jbulk(`{"a":2,"b":[1,2],"c":{"d":"x"}}`)},
		{keyCmd(`JSON.GET doc $.b[-1] .c.d`), jbulk(`{"$.b[-1]":[2],".c.d":["x"]}`)},
		{keyCmd(`JSON.GET doc .c.d`), "$3\r\n\"x\"\r\n"},
		{keyCmd(`JSON.GET doc .nope`), "-ERR Path '$.nope' does not exist\r\n"},
		{keyCmd(`JSON.TYPE doc`), "$6\r\nobject\r\n"},
		{keyCmd(`JSON.TYPE doc $..*`), bulks("integer", "array", "object", "integer", "integer", "string")},
		{keyCmd(`JSON.NUMINCRBY doc .a 0.5`), "$3\r\n2.5\r\n"},
		{keyCmd(`JSON.NUMINCRBY doc $.b[*] 10`), "$7\r\n[11,12]\r\n"},
		{keyCmd(`JSON.ARRAPPEND doc .b 13 "x"`), ":4\r\n"},
		{keyCmd(`JSON.ARRAPPEND doc $.* 0`), "*3\r\n$-1\r\n:5\r\n$-1\r\n"},
		{keyCmd(`JSON.ARRAPPEND doc .a 1`), "-ERR Path '.a' does not exist or not an array\r\n"},
		{keyCmd(`JSON.SET doc .c.e [true,null]`), "+OK\r\n"},
		{keyCmd(`JSON.SET doc .c.e 1 NX`), "$-1\r\n"},
		{keyCmd(`JSON.DEL doc $..d`), ":1\r\n"},
		{keyCmd(`JSON.GET doc`), jbulk(`{"a":2.5,"b":[11,12,13,"x",0],"c":{"e":[true,null]}}`)},
		{keyCmd(`JSON.SET nokey .a 1`), "-ERR new objects must be created at the root\r\n"},
		{keyCmd(`JSON.NUMINCRBY nokey . 1`), "-ERR could not perform this operation on a key that doesn't exist\r\n"},
		{keyCmd(`JSON.SET doc $ {"a":}`), "-ERR expected value at line 1 column 6\r\n"},
		{keyCmd(`SET str x`), "+OK\r\n"},
		{keyCmd(`JSON.GET str`), wrongType},
		{keyCmd(`TYPE doc`), "+ReJSON-RL\r\n"},
		{keyCmd(`JSON.DEL doc`), ":1\r\n"},
		{keyCmd(`EXISTS doc`), ":0\r\n"},
	})
	// RESP3 clients get the same replies.
	c.Do("HELLO", "3")
	c.Do("JSON.SET", "d3", "$", `{"n":1}`)
	if got := c.Do("JSON.GET", "d3", "$.n"); got != "$3\r\n[1]\r\n" {
		t.Errorf("RESP3 JSON.GET = %q", got)
	}
	// The commands are documented.
	if got := c.Do("COMMAND", "DOCS", "json.set"); !strings.Contains(got, "Sets or updates the JSON value at a path") || !strings.Contains(got, "ReJSON") {
		t.Errorf("COMMAND DOCS json.set = %q", got)
	}
	if got := c.Do("COMMAND", "GETKEYS", "JSON.ARRAPPEND", "k", "$", "1"); got != "*1\r\n$1\r\nk\r\n" {
		t.Errorf("COMMAND GETKEYS = %q", got)
	}
}

// A WATCHed document changed by JSON.SET aborts the transaction; JSON.SET
// fires its keyspace event; COPY and MEMORY USAGE work on documents.
func TestJSONModuleKeyspace(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("json"))
	w, c := s.Dial(), s.Dial()
	c.Do("JSON.SET", "doc", "$", `{"a":1}`)
	w.Do("WATCH", "doc")
	c.Do("JSON.NUMINCRBY", "doc", ".a", "1")
	w.Do("MULTI")
	w.Do("PING")
	if got := w.Do("EXEC"); got != "*-1\r\n" {
		t.Errorf("EXEC after a JSON write = %q", got)
	}
	c.Do("CONFIG", "SET", "notify-keyspace-events", "KEA")
	rdb := s.Client()
	sub := rdb.PSubscribe(ctx, "__keyevent@0__:*")
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	c.Do("JSON.SET", "doc", "$.b", `2`)
	msg, err := sub.ReceiveMessage(ctx)
	if err != nil || msg.Channel != "__keyevent@0__:json.set" || msg.Payload != "doc" {
		t.Errorf("event: %v %v", msg, err)
	}
	if got := c.Do("COPY", "doc", "doc2"); got != ":1\r\n" {
		t.Fatalf("COPY = %q", got)
	}
	c.Do("JSON.SET", "doc2", "$.a", `"changed"`)
	if got := c.Do("JSON.GET", "doc"); got != "$13\r\n{\"a\":2,\"b\":2}\r\n" {
		t.Errorf("the copy shares the original: %q", got)
	}
	big := `{"list":[` + strings.Repeat(`"0123456789",`, 999) + `"end"]}`
	c.Do("JSON.SET", "big", "$", big)
	got := c.Do("MEMORY", "USAGE", "big")
	if n, err := strconv.Atoi(strings.Trim(got, ":\r\n")); err != nil || n < len(big) || n > 2*len(big) {
		t.Errorf("MEMORY USAGE of a %d-byte document = %q", len(big), got)
	}
}

// Documents come back after a restart, from the RDB file and from the AOF.
func TestJSONModulePersistence(t *testing.T) {
	for _, mode := range []string{"rdb", "aof"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			conf := rdbConf(t, dir)
			if mode == "aof" {
				conf = aofConf(t, dir, "always")
			}
			s := startServer(t, "--config", conf, "--loadmodule", plugin("json"))
			c := s.Dial()
			c.Do("JSON.SET", "doc", "$", `{"a":[1,2],"s":"é\n"}`)
			c.Do("JSON.ARRAPPEND", "doc", ".a", "3")
			c.Do("JSON.NUMINCRBY", "doc", ".a[0]", "0.5")
			c.Do("JSON.SET", "other", ".", `[]`)
			c.Do("JSON.DEL", "other")
			want := jbulk(`{"a":[1.5,2,3],"s":"é\n"}`)
			if got := c.Do("JSON.GET", "doc"); got != want {
				t.Fatalf("before the restart: %q", got)
			}
			if mode == "rdb" {
				if got := c.Do("SAVE"); got != "+OK\r\n" {
					t.Fatalf("SAVE = %q", got)
				}
			} else {
				// A rewrite without the RDB preamble: the type's AOFRewrite
				// emits JSON.SET, then a write lands in the new increment.
				c.Do("CONFIG", "SET", "aof-use-rdb-preamble", "no")
				if got := c.Do("BGREWRITEAOF"); !strings.Contains(got, "rewriting started") {
					t.Fatalf("BGREWRITEAOF = %q", got)
				}
				deadline := time.Now().Add(10 * time.Second)
				for {
					out := c.Do("INFO", "persistence")
					if strings.Contains(out, "aof_rewrite_in_progress:0") && !strings.Contains(out, "aof_rewrite_scheduled:1") {
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("the rewrite did not finish: %s", out)
					}
					time.Sleep(20 * time.Millisecond)
				}
				c.Do("JSON.SET", "late", "$", `{"after":"rewrite"}`)
			}
			s.cmd.Process.Kill()
			<-s.done
			s2 := startServer(t, "--config", conf, "--loadmodule", plugin("json"))
			c2 := s2.Dial()
			if got := c2.Do("JSON.GET", "doc"); got != want {
				t.Errorf("after the restart: %q", got)
			}
			if got := c2.Do("EXISTS", "other"); got != ":0\r\n" {
				t.Errorf("a deleted document came back: %q", got)
			}
			if mode == "aof" {
				if got := c2.Do("JSON.GET", "late", ".after"); got != jbulk(`"rewrite"`) {
					t.Errorf("the write after the rewrite: %q", got)
				}
			}
		})
	}
}

// The server binary does not link the module's third-party libraries: only
// the plugin does.
func TestJSONModuleDependencies(t *testing.T) {
	deps := func(path string) string {
		bi, err := buildinfo.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range bi.Deps {
			out = append(out, d.Path)
		}
		return strings.Join(out, " ")
	}
	if d := deps(filepath.Join(outDir, "server")); strings.Contains(d, "tidwall/gjson") || strings.Contains(d, "tidwall/sjson") {
		t.Errorf("the server links gjson or sjson: %s", d)
	}
	if d := deps(plugin("json")); !strings.Contains(d, "tidwall/gjson") || !strings.Contains(d, "tidwall/sjson") {
		t.Errorf("the plugin does not link gjson and sjson: %s", d)
	}
}
