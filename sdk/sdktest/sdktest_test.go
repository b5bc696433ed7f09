package sdktest_test

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"modis/sdk"
	"modis/sdk/sdktest"
)

// counter is a tiny module: COUNTER.INCR key [BY n] adds to a string key
// through Call, COUNTER.INFO replies with a RESP3 map, COUNTER.LOADS says
// how often OnLoad ran.
var (
	loadsMu sync.Mutex
	loads   int
)

func onLoad(ctx sdk.Ctx, args []sdk.String) error {
	if err := ctx.Init("counter", 1, sdk.APIVER_1); err != nil {
		return err
	}
	if len(args) > 0 && args[0].String() == "fail" {
		return errors.New("asked to fail")
	}
	loadsMu.Lock()
	loads++
	loadsMu.Unlock()
	if err := ctx.CreateCommand("counter.incr", incr, "write deny-oom", 1, 1, 1); err != nil {
		return err
	}
	if err := ctx.CreateCommand("counter.info", info, "readonly", 0, 0, 0); err != nil {
		return err
	}
	return ctx.CreateCommand("counter.loads", func(ctx sdk.Ctx, _ []sdk.String) error {
		loadsMu.Lock()
		defer loadsMu.Unlock()
		return ctx.ReplyWithLongLong(int64(loads))
	}, "readonly", 0, 0, 0)
}

func incr(ctx sdk.Ctx, argv []sdk.String) error {
	args := sdk.NewArgs(argv)
	key, err := args.Next()
	if err != nil {
		return err
	}
	by := int64(1)
	if args.MatchToken("BY") {
		if by, err = args.NextInt64(); err != nil {
			return err
		}
	}
	if err := args.Done(); err != nil {
		return err
	}
	return ctx.ReplyWithCallReply(ctx.Call("INCRBY", "!sl", key, by))
}

func info(ctx sdk.Ctx, _ []sdk.String) error {
	ctx.ReplyWithMap(3)
	ctx.ReplyWithCString("name")
	ctx.ReplyWithVerbatimString("counter")
	ctx.ReplyWithCString("ok")
	ctx.ReplyWithBool(true)
	ctx.ReplyWithCString("ratio")
	return ctx.ReplyWithDouble(0.5)
}

func TestHarnessCommands(t *testing.T) {
	h := sdktest.New(t, onLoad)
	h.MustEqual(int64(1), "COUNTER.INCR", "c")
	h.MustEqual(11, "counter.incr", "c", "by", "10")
	h.MustEqual("11", "GET", "c")
	h.MustError("ERR wrong number of arguments for 'counter.incr' command", "COUNTER.INCR")
	h.MustError("ERR value is not an integer or out of range", "COUNTER.INCR", "c", "BY", "x")
	h.MustError("ERR wrong number of arguments for 'counter.incr' command", "COUNTER.INCR", "c", "BY")
	h.MustError("ERR syntax error", "COUNTER.INCR", "c", "extra")
	h.MustError("ERR unknown command*", "NOSUCH")
	h.MustEqual(errors.New("WRONGTYPE Operation against a key holding the wrong kind of value"), "LPUSH", "c", "x")
	h.MustEqual(nil, "GET", "missing")
	h.MustEqual([]any{"11", nil}, "MGET", "c", "nope")
	if got := h.DoRaw("MGET", "c", "nope"); got != "*2\r\n$2\r\n11\r\n$-1\r\n" {
		t.Errorf("DoRaw = %q", got)
	}
	r := h.MustDo("MGET", "c", "nope")
	if r.Type != sdk.ReplyArray || r.Len() != 2 || !r.Elems[1].IsNull() || r.Elems[0].Str != "11" {
		t.Errorf("MGET reply %s", r)
	}
	if r.Err() != nil || h.Do("NOSUCH").Err() == nil {
		t.Error("Err")
	}
	// RESP2 map: a flat array; RESP3: a map with typed values.
	h.MustEqual([]any{"name", "counter", "ok", int64(1), "ratio", "0.5"}, "COUNTER.INFO")
	c3 := h.Client()
	c3.MustDo("HELLO", "3")
	c3.MustEqual(map[string]any{"name": "counter", "ok": true, "ratio": 0.5}, "COUNTER.INFO")
	info := c3.Do("COUNTER.INFO")
	if info.Type != sdk.ReplyMap || info.Map()["name"].Format != "txt" || info.Map()["ratio"].Str != "0.5" {
		t.Errorf("RESP3 info %s", info)
	}
	if got := info.String(); got != `{"name": (verbatim txt) "counter", "ok": (true), "ratio": (double) 0.5}` {
		t.Errorf("String() = %s", got)
	}
	// Clients have their own connection state.
	c3.MustDo("SELECT", "1")
	c3.MustEqual(nil, "GET", "c")
	h.MustEqual("11", "GET", "c")
}

// A module that fails to load fails the test; Options reach the server.
func TestHarnessOptions(t *testing.T) {
	h := sdktest.NewWithOptions(t, onLoad, sdktest.Options{
		Name:   "counter.so",
		Config: []string{"maxmemory 1", "notify-keyspace-events KEA"},
	})
	h.MustEqual([]string{"notify-keyspace-events", "AKE"}, "CONFIG", "GET", "notify-keyspace-events")
	mods := h.MustDo("MODULE", "LIST")
	if mods.Len() != 1 || mods.Elems[0].Map()["name"].Str != "counter" || mods.Elems[0].Map()["path"].Str != "counter.so" {
		t.Errorf("MODULE LIST %s", mods)
	}
	// deny-oom module command over maxmemory.
	h.MustError("OOM command not allowed when used memory > 'maxmemory'.", "COUNTER.INCR", "c")
	if h.Dir() == "" || h.Server() == nil {
		t.Error("Dir or Server")
	}
}

// Reload goes through the RDB file; Restart starts a new server on the same
// directory, with the module loaded again, from the RDB or the AOF.
func TestHarnessPersistence(t *testing.T) {
	for _, aof := range []bool{false, true} {
		t.Run(fmt.Sprintf("aof=%v", aof), func(t *testing.T) {
			var cfg []string
			if aof {
				cfg = []string{"appendonly yes", "appendfsync always"}
			}
			h := sdktest.NewWithOptions(t, onLoad, sdktest.Options{Config: cfg})
			before := h.Do("COUNTER.LOADS").Int
			h.MustEqual(5, "COUNTER.INCR", "c", "BY", "5")
			h.Reload()
			h.MustEqual("5", "GET", "c")
			other := h.Client()
			other.MustDo("SELECT", "2")
			h.Restart()
			h.MustEqual(before+1, "COUNTER.LOADS")
			h.MustEqual("5", "GET", "c")
			other.MustEqual("5", "GET", "c") // reconnected: database 0 again
			h.MustEqual(6, "COUNTER.INCR", "c")
			h.Restart()
			h.MustEqual("6", "GET", "c")
			if aof {
				if _, err := os.Stat(filepath.Join(h.Dir(), "appendonlydir")); err != nil {
					t.Errorf("no AOF directory: %v", err)
				}
			}
		})
	}
}

// Clients may run commands from several goroutines at once (go test -race).
func TestHarnessConcurrentClients(t *testing.T) {
	h := sdktest.New(t, onLoad)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		c := h.Client()
		go func() {
			defer wg.Done()
			for range 50 {
				if r := c.Do("COUNTER.INCR", "shared"); r.Type != sdk.ReplyInteger {
					t.Errorf("client %d: %s", i, r)
					return
				}
			}
		}()
	}
	wg.Wait()
	h.MustEqual("200", "GET", "shared")
}

// A module whose handler panics: the harness client gets the error and
// the server keeps serving, as a network client would.
func TestHarnessPanickingModule(t *testing.T) {
	h := sdktest.New(t, func(ctx sdk.Ctx, _ []sdk.String) error {
		ctx.Init("boom", 1, sdk.APIVER_1)
		return ctx.CreateCommand("boom.now", func(sdk.Ctx, []sdk.String) error { panic("kaboom") }, "readonly", 0, 0, 0)
	})
	h.MustError("ERR command 'boom.now' (module boom) panicked: kaboom; the server keeps serving, see its log", "BOOM.NOW")
	h.MustEqual("PONG", "PING")
	if !strings.Contains(h.Log(), "kaboom") {
		t.Errorf("the panic is not in the log:\n%s", h.Log())
	}
}

// ParseReply reads every RESP2 and RESP3 type.
func TestParseReply(t *testing.T) {
	tests := []struct {
		raw  string
		want string // Reply.String()
		val  any
	}{
		{"+OK\r\n", "OK", "OK"},
		{"-ERR bad\r\n", "(error) ERR bad", errors.New("ERR bad")},
		{":-5\r\n", "(integer) -5", int64(-5)},
		{"$3\r\na\r\n\r\n", `"a\r\n"`, "a\r\n"},
		{"$0\r\n\r\n", `""`, ""},
		{"$-1\r\n", "(nil)", nil},
		{"*-1\r\n", "(nil)", nil},
		{"_\r\n", "(nil)", nil},
		{",inf\r\n", "(double) inf", math.Inf(1)},
		{"#f\r\n", "(false)", false},
		{"(123\r\n", "(big number) 123", "123"},
		{"=8\r\nmkd:# hi\r\n", `(verbatim mkd) "# hi"`, "# hi"},
		{"!5\r\nERR x\r\n", "(error) ERR x", errors.New("ERR x")},
		{"*2\r\n:1\r\n*0\r\n", "[(integer) 1 []]", []any{int64(1), []any{}}},
		{"~1\r\n+a\r\n", "(set) [a]", []any{"a"}},
		{"%1\r\n:1\r\n#t\r\n", "{(integer) 1: (true)}", map[string]any{"1": true}},
		{"|1\r\n+k\r\n:1\r\n$1\r\nv\r\n", `(attribute {k: (integer) 1}) "v"`, "v"},
		{">2\r\n$7\r\nmessage\r\n$1\r\nx\r\n", `["message" "x"]`, []any{"message", "x"}},
	}
	for _, tt := range tests {
		r, err := sdktest.ParseReply([]byte(tt.raw))
		if err != nil {
			t.Errorf("%q: %v", tt.raw, err)
			continue
		}
		if r.String() != tt.want || r.RESP != tt.raw {
			t.Errorf("%q: %s (RESP %q), want %s", tt.raw, r, r.RESP, tt.want)
		}
		if got := fmt.Sprintf("%#v", r.Value()); got != fmt.Sprintf("%#v", tt.val) {
			t.Errorf("%q: Value %s, want %#v", tt.raw, got, tt.val)
		}
	}
	for _, bad := range []string{"", "+OK", "$5\r\nab\r\n", "*2\r\n:1\r\n", "?x\r\n", "#x\r\n", ":x\r\n", "+a\r\n+b\r\n", "|1\r\n+k\r\n+v\r\n", "=3\r\ntxt\r\n"} {
		if r, err := sdktest.ParseReply([]byte(bad)); err == nil {
			t.Errorf("%q parsed as %s", bad, r)
		}
	}
}
