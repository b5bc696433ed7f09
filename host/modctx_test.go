package host

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"

	"modis/host/internal/resp"
	"modis/sdk"
)

// A module without a .so: modFixture is a test server with module "t"
// named by Init in an OnLoad context, so tests register commands with
// handlers written in Go and run them through the client like any command.
type modFixture struct {
	s  *Server
	c  *Client
	ld *modCtx // the module's OnLoad context
}

func newModFixture(t *testing.T) *modFixture {
	t.Helper()
	s, c := newTestServer(t)
	ld := &modCtx{s: s, mod: &Module{Path: "/test/t.so", log: hclog.NewNullLogger()}, phase: phaseLoad}
	if err := ld.Init("t", 3, sdk.APIVER_1); err != nil {
		t.Fatalf("Init: %v", err)
	}
	t.Cleanup(func() {
		// Whatever the handlers did, Call gave every writer back.
		if c.out != resp.Writer(&c.buf) {
			t.Errorf("the client's writer was not restored")
		}
		if in := s.modules.internal; in.out != resp.Writer(&in.buf) {
			t.Errorf("the internal client's writer was not restored")
		}
	})
	return &modFixture{s: s, c: c, ld: ld}
}

// command registers a module command with no flags and no keys.
func (f *modFixture) command(t *testing.T, name string, h sdk.CmdFunc) {
	t.Helper()
	if err := f.ld.CreateCommand(name, h, "", 0, 0, 0); err != nil {
		t.Fatalf("CreateCommand(%q): %v", name, err)
	}
}

// errNotes collects the errors that a handler's Ctx calls returned.
type errNotes []string

func (n *errNotes) note(err error) {
	if err != nil {
		*n = append(*n, err.Error())
	}
}

func TestModuleReplies(t *testing.T) {
	tests := []struct {
		name    string
		p3      bool
		args    []string // after the command name
		handler func(ctx sdk.Ctx, argv []sdk.String, n *errNotes) error
		want    string   // what the client reads
		errs    []string // what the Ctx calls returned
	}{
		{name: "simple string", handler: func(ctx sdk.Ctx, _ []sdk.String, n *errNotes) error {
			return ctx.ReplyWithSimpleString("OK")
		}, want: "+OK\r\n"},
		{name: "a second reply is refused", handler: func(ctx sdk.Ctx, _ []sdk.String, n *errNotes) error {
			n.note(ctx.ReplyWithLongLong(1))
			n.note(ctx.ReplyWithLongLong(2))
			n.note(ctx.ReplyWithArray(1))
			n.note(ctx.WrongArity())
			return nil
		}, want: ":1\r\n", errs: []string{
			"a reply was already sent for this command",
			"a reply was already sent for this command",
			"a reply was already sent for this command",
		}},
		{name: "an error returned after a reply is dropped", handler: func(ctx sdk.Ctx, _ []sdk.String, n *errNotes) error {
			n.note(ctx.ReplyWithNull())
			return errors.New("late")
		}, want: "$-1\r\n"},
		{name: "no reply", handler: func(ctx sdk.Ctx, _ []sdk.String, n *errNotes) error {
			return nil
		}, want: "-ERR module command 't.x' returned without replying\r\n"},
		{name: "an unfinished array is taken back", handler: func(ctx sdk.Ctx, _ []sdk.String, n *errNotes) error {
			n.note(ctx.ReplyWithArray(3))
			n.note(ctx.ReplyWithLongLong(1))
			n.note(ctx.ReplyWithCString("two"))
			return nil
		}, want: "-ERR module command 't.x' returned with an incomplete reply (an array was not finished)\r\n"},
		{name: "an unfinished postponed array, and an error", handler: func(ctx sdk.Ctx, _ []sdk.String, n *errNotes) error {
			n.note(ctx.ReplyWithArray(sdk.PostponedLen))
			n.note(ctx.ReplyWithArray(sdk.PostponedLen))
			n.note(ctx.ReplyWithLongLong(1))
			return errors.New("gave up")
		}, want: "-ERR module command 't.x' returned with an incomplete reply (an array was not finished)\r\n"},
		{name: "returned error without a code", handler: func(ctx sdk.Ctx, _ []sdk.String, n *errNotes) error {
			return errors.New("something failed")
		}, want: "-ERR something failed\r\n"},
		{name: "returned error with a code", handler: func(ctx sdk.Ctx, _ []sdk.String, n *errNotes) error {
			return errors.New("WRONGTYPE Operation against a key holding the wrong kind of value")
		}, want: rWrongType},
		{name: "returned sdk error", args: []string{"x"}, handler: func(ctx sdk.Ctx, argv []sdk.String, n *errNotes) error {
			_, err := argv[1].ToLongLong()
			return err
		}, want: rNotInt},
		{name: "returned error with a newline", handler: func(ctx sdk.Ctx, _ []sdk.String, n *errNotes) error {
			return errors.New("line one\nline two\n")
		}, want: "-ERR line one line two\r\n"},
		{name: "ReplyWithError adds ERR", handler: func(ctx sdk.Ctx, _ []sdk.String, n *errNotes) error {
			return ctx.ReplyWithError("bad thing")
		}, want: "-ERR bad thing\r\n"},
		{name: "ReplyWithError keeps a code", handler: func(ctx sdk.Ctx, _ []sdk.String, n *errNotes) error {
			return ctx.ReplyWithError("NOPE not today")
		}, want: "-NOPE not today\r\n"},
		{name: "every value type", args: []string{"arg"}, handler: func(ctx sdk.Ctx, argv []sdk.String, n *errNotes) error {
			n.note(ctx.ReplyWithArray(8))
			n.note(ctx.ReplyWithSimpleString("s"))
			n.note(ctx.ReplyWithError("ERR e"))
			n.note(ctx.ReplyWithLongLong(-5))
			n.note(ctx.ReplyWithString(argv[1]))
			n.note(ctx.ReplyWithStringBuffer([]byte("buf")))
			n.note(ctx.ReplyWithCString("cs"))
			n.note(ctx.ReplyWithNull())
			n.note(ctx.ReplyWithDouble(1e6))
			return nil
		}, want: "*8\r\n+s\r\n-ERR e\r\n:-5\r\n$3\r\narg\r\n$3\r\nbuf\r\n$2\r\ncs\r\n$-1\r\n$7\r\n1000000\r\n"},
		{name: "every value type, RESP3", p3: true, handler: func(ctx sdk.Ctx, argv []sdk.String, n *errNotes) error {
			n.note(ctx.ReplyWithArray(3))
			n.note(ctx.ReplyWithNull())
			n.note(ctx.ReplyWithDouble(math.Inf(-1)))
			n.note(ctx.ReplyWithDouble(0.1))
			return nil
		}, want: "*3\r\n_\r\n,-inf\r\n,0.10000000000000001\r\n"},
		{name: "empty array is a whole reply", handler: func(ctx sdk.Ctx, _ []sdk.String, n *errNotes) error {
			n.note(ctx.ReplyWithArray(0))
			n.note(ctx.ReplyWithLongLong(1))
			return nil
		}, want: "*0\r\n", errs: []string{"a reply was already sent for this command"}},
		{name: "nested arrays", handler: func(ctx sdk.Ctx, _ []sdk.String, n *errNotes) error {
			n.note(ctx.ReplyWithArray(2))
			n.note(ctx.ReplyWithArray(1))
			n.note(ctx.ReplyWithLongLong(1))
			n.note(ctx.ReplyWithArray(0))
			return nil
		}, want: "*2\r\n*1\r\n:1\r\n*0\r\n"},
		{name: "postponed lengths, nested", handler: func(ctx sdk.Ctx, _ []sdk.String, n *errNotes) error {
			n.note(ctx.ReplyWithArray(sdk.PostponedLen))
			n.note(ctx.ReplyWithLongLong(1))
			n.note(ctx.ReplyWithArray(sdk.PostponedLen))
			for i := range 10 {
				n.note(ctx.ReplyWithLongLong(int64(i)))
			}
			n.note(ctx.ReplySetArrayLength(10))
			n.note(ctx.ReplyWithArray(2))
			n.note(ctx.ReplyWithCString("a"))
			n.note(ctx.ReplyWithArray(sdk.PostponedLen))
			n.note(ctx.ReplySetArrayLength(0))
			n.note(ctx.ReplySetArrayLength(3))
			return nil
		}, want: "*3\r\n:1\r\n*10\r\n:0\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n:6\r\n:7\r\n:8\r\n:9\r\n*2\r\n$1\r\na\r\n*0\r\n"},
		{name: "a postponed array inside a fixed one", handler: func(ctx sdk.Ctx, _ []sdk.String, n *errNotes) error {
			n.note(ctx.ReplyWithArray(2))
			n.note(ctx.ReplyWithArray(sdk.PostponedLen))
			n.note(ctx.ReplyWithNull())
			n.note(ctx.ReplySetArrayLength(1))
			n.note(ctx.ReplyWithLongLong(2))
			return nil
		}, want: "*2\r\n*1\r\n$-1\r\n:2\r\n"},
		{name: "ReplySetArrayLength with a wrong n sets the real length", handler: func(ctx sdk.Ctx, _ []sdk.String, n *errNotes) error {
			n.note(ctx.ReplyWithArray(sdk.PostponedLen))
			n.note(ctx.ReplyWithLongLong(1))
			n.note(ctx.ReplyWithLongLong(2))
			n.note(ctx.ReplySetArrayLength(5))
			return nil
		}, want: "*2\r\n:1\r\n:2\r\n", errs: []string{"ReplySetArrayLength(5): 2 elements were replied; the length was set to 2"}},
		{name: "ReplySetArrayLength with an inner array unfinished", handler: func(ctx sdk.Ctx, _ []sdk.String, n *errNotes) error {
			n.note(ctx.ReplyWithArray(sdk.PostponedLen))
			n.note(ctx.ReplyWithArray(2))
			n.note(ctx.ReplyWithLongLong(1))
			n.note(ctx.ReplySetArrayLength(1))
			n.note(ctx.ReplyWithLongLong(2))
			n.note(ctx.ReplySetArrayLength(1))
			return nil
		}, want: "*1\r\n*2\r\n:1\r\n:2\r\n", errs: []string{"ReplySetArrayLength: an array inside it is not finished"}},
		{name: "ReplySetArrayLength without a postponed array", handler: func(ctx sdk.Ctx, _ []sdk.String, n *errNotes) error {
			n.note(ctx.ReplySetArrayLength(1))
			n.note(ctx.ReplyWithArray(1))
			n.note(ctx.ReplySetArrayLength(1))
			n.note(ctx.ReplyWithLongLong(1))
			n.note(ctx.ReplySetArrayLength(1))
			return nil
		}, want: "*1\r\n:1\r\n", errs: []string{
			"ReplySetArrayLength: no aggregate with a postponed length is open",
			"ReplySetArrayLength: no aggregate with a postponed length is open",
			"ReplySetArrayLength: no aggregate with a postponed length is open",
		}},
		{name: "ReplyWithArray with a negative length", handler: func(ctx sdk.Ctx, _ []sdk.String, n *errNotes) error {
			n.note(ctx.ReplyWithArray(-2))
			return ctx.ReplyWithLongLong(7)
		}, want: ":7\r\n", errs: []string{"ReplyWithArray: invalid length -2"}},
		{name: "ReplyWithCallReply of something else", handler: func(ctx sdk.Ctx, _ []sdk.String, n *errNotes) error {
			n.note(ctx.ReplyWithCallReply(nil))
			n.note(ctx.ReplyWithCallReply((*resp.Value)(nil)))
			return ctx.ReplyWithSimpleString("OK")
		}, want: rOK, errs: []string{
			"ReplyWithCallReply: not a reply returned by Call",
			"ReplyWithCallReply: not a reply returned by Call",
		}},
		{name: "Init and CreateCommand in a handler", handler: func(ctx sdk.Ctx, _ []sdk.String, n *errNotes) error {
			n.note(ctx.Init("other", 1, sdk.APIVER_1))
			n.note(ctx.CreateCommand("t.late", func(sdk.Ctx, []sdk.String) error { return nil }, "", 0, 0, 0))
			return ctx.ReplyWithSimpleString("OK")
		}, want: rOK, errs: []string{
			"Init may only be called in OnLoad",
			"CreateCommand may only be called in OnLoad",
		}},
		{name: "panic after a partial reply", handler: func(ctx sdk.Ctx, _ []sdk.String, n *errNotes) error {
			n.note(ctx.ReplyWithArray(2))
			n.note(ctx.ReplyWithLongLong(1))
			panic("boom")
		}, want: "-ERR command 't.x' (module t) panicked: boom; the server keeps serving, see its log\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newModFixture(t)
			var notes errNotes
			f.command(t, "t.x", func(ctx sdk.Ctx, argv []sdk.String) error {
				return tt.handler(ctx, argv, &notes)
			})
			f.c.buf.P3 = tt.p3
			if got := do(t, f.c, append([]string{"t.x"}, tt.args...)...); got != tt.want {
				t.Errorf("reply\n got: %q\nwant: %q", got, tt.want)
			}
			if strings.Join(notes, "\n") != strings.Join(tt.errs, "\n") {
				t.Errorf("Ctx errors\n got: %q\nwant: %q", notes, tt.errs)
			}
			// The client is fine afterwards.
			if got := do(t, f.c, "PING"); got != "+PONG\r\n" {
				t.Errorf("PING after: %q", got)
			}
		})
	}
}

// A module command's replies and errors sit between other commands' replies
// in one pipelined batch without disturbing them.
func TestModuleRepliesInABatch(t *testing.T) {
	f := newModFixture(t)
	f.command(t, "t.partial", func(ctx sdk.Ctx, _ []sdk.String) error {
		ctx.ReplyWithArray(sdk.PostponedLen)
		ctx.ReplyWithLongLong(1)
		return nil
	})
	f.command(t, "t.postponed", func(ctx sdk.Ctx, _ []sdk.String) error {
		ctx.ReplyWithArray(sdk.PostponedLen)
		for range 10 {
			ctx.ReplyWithLongLong(0)
		}
		return ctx.ReplySetArrayLength(10)
	})
	f.s.mu.Lock()
	for _, cmd := range []string{"PING", "t.partial", "t.postponed", "t.partial", "PING"} {
		f.c.exec([][]byte{[]byte(cmd)})
	}
	got := string(f.c.buf.B)
	f.c.buf.Reset()
	f.s.mu.Unlock()
	partial := "-ERR module command 't.partial' returned with an incomplete reply (an array was not finished)\r\n"
	want := "+PONG\r\n" + partial + "*10\r\n" + strings.Repeat(":0\r\n", 10) + partial + "+PONG\r\n"
	if got != want {
		t.Errorf("batch\n got: %q\nwant: %q", got, want)
	}
}

// WrongArity, and a handler returning sdk.ErrWrongArity (wrapped or not),
// name the command by its registered name however the client typed it, as
// Redis 7.0's addReplyErrorArity does (c->cmd->fullname).
func TestModuleWrongArity(t *testing.T) {
	f := newModFixture(t)
	if err := f.ld.CreateCommand("example.x", func(ctx sdk.Ctx, argv []sdk.String) error {
		if len(argv) != 2 {
			return ctx.WrongArity()
		}
		return ctx.ReplyWithString(argv[1])
	}, "readonly", 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	f.command(t, "example.args", func(ctx sdk.Ctx, argv []sdk.String) error {
		args := sdk.NewArgs(argv)
		if _, err := args.Next(); err != nil {
			return fmt.Errorf("key: %w", err) // wrapped: still wrong arity
		}
		if _, err := args.NextInt64(); err != nil {
			return err
		}
		return ctx.ReplyWithSimpleString("OK")
	})
	f.command(t, "example.late", func(ctx sdk.Ctx, argv []sdk.String) error {
		ctx.ReplyWithLongLong(1)
		return sdk.ErrWrongArity // after the reply: dropped
	})
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"EXAMPLE.X"}, "-ERR wrong number of arguments for 'example.x' command\r\n"},
		{[]string{"Example.X", "a", "b"}, "-ERR wrong number of arguments for 'example.x' command\r\n"},
		{[]string{"example.x"}, "-ERR wrong number of arguments for 'example.x' command\r\n"},
		{[]string{"EXAMPLE.X", "v"}, bulk("v")},
		{[]string{"EXAMPLE.ARGS"}, "-ERR wrong number of arguments for 'example.args' command\r\n"},
		{[]string{"example.args", "k"}, "-ERR wrong number of arguments for 'example.args' command\r\n"},
		{[]string{"example.args", "k", "x"}, rNotInt},
		{[]string{"example.args", "k", "5"}, rOK},
		{[]string{"example.late"}, ints(1)},
	}
	for _, tt := range tests {
		if got := do(t, f.c, tt.args...); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.args, got, tt.want)
		}
	}
}

func TestModuleNames(t *testing.T) {
	f := newModFixture(t)
	if got := f.ld.ModuleName(); got != "t" {
		t.Errorf("ModuleName in OnLoad = %q", got)
	}
	if got := f.ld.CommandName(); got != "" {
		t.Errorf("CommandName in OnLoad = %q", got)
	}
	f.ld.AutoMemory() // does nothing, anywhere
	var mod, cmd string
	f.command(t, "T.Names", func(ctx sdk.Ctx, _ []sdk.String) error {
		ctx.AutoMemory()
		mod, cmd = ctx.ModuleName(), ctx.CommandName()
		return ctx.ReplyWithNull()
	})
	do(t, f.c, "t.NAMES")
	if mod != "t" || cmd != "t.names" {
		t.Errorf("in the handler: ModuleName %q CommandName %q", mod, cmd)
	}
	if f.ld.mod.Version != 3 {
		t.Errorf("Version = %d", f.ld.mod.Version)
	}
}

// Log goes to the module's own named logger, at Redis's levels.
func TestModuleLog(t *testing.T) {
	var out bytes.Buffer
	s, err := New(DefaultConfig(), hclog.New(&hclog.LoggerOptions{Name: "modis", Output: &out, Level: hclog.Debug}))
	if err != nil {
		t.Fatal(err)
	}
	ld := &modCtx{s: s, mod: &Module{log: hclog.NewNullLogger()}, phase: phaseLoad}
	if err := ld.Init("logger", 1, sdk.APIVER_1); err != nil {
		t.Fatal(err)
	}
	ld.Log(sdk.LogWarning, "disk %d%% full", 93)
	ld.Log(sdk.LogVerbose, "verbose line")
	ld.Log(sdk.LogDebug, "debug line") // below the logger's level
	got := out.String()
	for _, want := range []string{"[WARN]  modis.module.logger: disk 93% full", "[DEBUG] modis.module.logger: verbose line"} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "debug line") {
		t.Errorf("a debug line passed a Debug (verbose) logger:\n%s", got)
	}
}

func TestModuleInit(t *testing.T) {
	tests := []struct {
		name       string
		modName    string
		apiVersion int
		setup      func(s *Server, x *modCtx)
		wantErr    string
	}{
		{"valid", "mymod", sdk.APIVER_1, nil, ""},
		{"punctuation is fine", "my-mod.v2", sdk.APIVER_1, nil, ""},
		{"empty name", "", sdk.APIVER_1, nil, `invalid module name "": it must be non-empty, without spaces or control characters`},
		{"space", "my mod", sdk.APIVER_1, nil, `invalid module name "my mod": it must be non-empty, without spaces or control characters`},
		{"tab", "my\tmod", sdk.APIVER_1, nil, `invalid module name "my\tmod": it must be non-empty, without spaces or control characters`},
		{"DEL", "my\x7fmod", sdk.APIVER_1, nil, `invalid module name "my\x7fmod": it must be non-empty, without spaces or control characters`},
		{"wrong API version", "mymod", 2, nil, `module "mymod" asks for API version 2; this server has 1`},
		{"twice", "second", sdk.APIVER_1, func(s *Server, x *modCtx) {
			if err := x.Init("first", 1, sdk.APIVER_1); err != nil {
				panic(err)
			}
		}, `Init called twice (module already named "first")`},
		{"a loaded module has the name", "MyMod", sdk.APIVER_1, func(s *Server, x *modCtx) {
			s.modules.loaded = append(s.modules.loaded, &Module{Name: "mymod", Path: "/lib/mymod.so"})
		}, `a module named "MyMod" is already loaded from /lib/mymod.so`},
		{"in OnUnload", "mymod", sdk.APIVER_1, func(s *Server, x *modCtx) { x.phase = phaseUnload }, "Init may only be called in OnLoad"},
		{"after OnLoad", "mymod", sdk.APIVER_1, func(s *Server, x *modCtx) { x.phase = phaseDone }, "Init may only be called in OnLoad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestServer(t)
			x := &modCtx{s: s, mod: &Module{log: hclog.NewNullLogger()}, phase: phaseLoad}
			if tt.setup != nil {
				tt.setup(s, x)
			}
			before := x.mod.Name
			err := x.Init(tt.modName, 7, tt.apiVersion)
			if tt.wantErr == "" {
				if err != nil || x.mod.Name != tt.modName || x.mod.Version != 7 {
					t.Fatalf("Init: %v; module %q version %d", err, x.mod.Name, x.mod.Version)
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("Init error = %v, want %q", err, tt.wantErr)
			}
			if x.mod.Name != before {
				t.Errorf("a failed Init renamed the module to %q", x.mod.Name)
			}
		})
	}
}

func TestModuleCreateCommand(t *testing.T) {
	h := func(ctx sdk.Ctx, _ []sdk.String) error { return ctx.ReplyWithSimpleString("OK") }
	tests := []struct {
		name                      string
		cmd                       string
		handler                   sdk.CmdFunc
		flags                     string
		first, last, step         int
		wantErr                   string // exact, or a prefix ending in "..."
		wantFlags                 Flag
		wantFirst, wantLast, want int
	}{
		{name: "no keys", cmd: "t.a", handler: h, wantFlags: FlagModule},
		{name: "one key", cmd: "t.a", handler: h, flags: "write deny-oom", first: 1, last: 1, step: 1,
			wantFlags: FlagModule | FlagWrite | FlagDenyOOM, wantFirst: 1, wantLast: 1, want: 1},
		{name: "keys to the end", cmd: "t.a", handler: h, flags: "READONLY  fast", first: 2, last: -1, step: 2,
			wantFlags: FlagModule | FlagReadonly | FlagFast, wantFirst: 2, wantLast: -1, want: 2},
		{name: "flag words without a COMMAND flag", cmd: "t.a", handler: h, flags: "random no-cluster getchannels-api",
			wantFlags: FlagModule},
		{name: "every flag word", cmd: "t.a", handler: h,
			flags: "write readonly admin deny-oom deny-script allow-loading pubsub random allow-stale no-monitor " +
				"no-slowlog fast getkeys-api no-cluster no-auth may-replicate no-mandatory-keys blocking allow-busy getchannels-api",
			wantFlags: FlagModule | FlagWrite | FlagReadonly | FlagAdmin | FlagDenyOOM | FlagNoScript | FlagLoading |
				FlagPubSub | FlagStale | FlagSkipMonitor | FlagSkipSlowlog | FlagFast | FlagMovableKeys | FlagNoAuth |
				FlagMayReplicate | FlagNoMandatoryKeys | FlagBlocking | FlagAllowBusy},
		{name: "unknown flag", cmd: "t.a", handler: h, flags: "write bogus",
			wantErr: `CreateCommand "t.a": unknown command flag "bogus" (known flags: admin allow-busy ...`},
		{name: "empty name", cmd: "", handler: h, wantErr: `CreateCommand: invalid command name ""`},
		{name: "space in the name", cmd: "t a", handler: h, wantErr: `CreateCommand: invalid command name "t a"`},
		{name: "pipe in the name", cmd: "t|a", handler: h, wantErr: `CreateCommand: invalid command name "t|a"`},
		{name: "newline in the name", cmd: "t\na", handler: h, wantErr: `CreateCommand: invalid command name "t\na"`},
		{name: "a built-in", cmd: "get", handler: h, wantErr: `CreateCommand: command "get" already exists: it is a built-in command`},
		{name: "a built-in in upper case", cmd: "GET", handler: h, wantErr: `CreateCommand: command "get" already exists: it is a built-in command`},
		{name: "a container built-in", cmd: "Config", handler: h, wantErr: `CreateCommand: command "config" already exists: it is a built-in command`},
		{name: "negative first key", cmd: "t.a", handler: h, first: -1, wantErr: `CreateCommand "t.a": invalid key positions first=-1 last=0 step=0`},
		{name: "last key without a first", cmd: "t.a", handler: h, last: 1, wantErr: `CreateCommand "t.a": invalid key positions first=0 last=1 step=0`},
		{name: "step without a first key", cmd: "t.a", handler: h, step: 1, wantErr: `CreateCommand "t.a": invalid key positions first=0 last=0 step=1`},
		{name: "last before first", cmd: "t.a", handler: h, first: 3, last: 2, step: 1, wantErr: `CreateCommand "t.a": invalid key positions first=3 last=2 step=1`},
		{name: "last key -2", cmd: "t.a", handler: h, first: 1, last: -2, step: 1, wantErr: `CreateCommand "t.a": invalid key positions first=1 last=-2 step=1`},
		{name: "negative step", cmd: "t.a", handler: h, first: 1, last: 1, step: -1, wantErr: `CreateCommand "t.a": invalid key positions first=1 last=1 step=-1`},
		{name: "no step", cmd: "t.a", handler: h, first: 1, last: 1, wantErr: `CreateCommand "t.a": key step must be at least 1 when first key is 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newModFixture(t)
			tableLen := f.s.table.Len()
			err := f.ld.CreateCommand(tt.cmd, tt.handler, tt.flags, tt.first, tt.last, tt.step)
			if tt.wantErr != "" {
				ok := err != nil && err.Error() == tt.wantErr
				if prefix, cut := strings.CutSuffix(tt.wantErr, "..."); cut {
					ok = err != nil && strings.HasPrefix(err.Error(), prefix)
				}
				if !ok {
					t.Fatalf("CreateCommand error = %v\nwant %q", err, tt.wantErr)
				}
				if f.s.table.Len() != tableLen || len(f.ld.mod.commands) != 0 {
					t.Errorf("a refused command was registered")
				}
				return
			}
			if err != nil {
				t.Fatalf("CreateCommand: %v", err)
			}
			cmd := f.s.table.Get(strings.ToLower(tt.cmd))
			if cmd == nil || cmd.Module != f.ld.mod || len(f.ld.mod.commands) != 1 || f.ld.mod.commands[0] != cmd {
				t.Fatalf("command not registered for the module")
			}
			if cmd.Flags != tt.wantFlags || cmd.FirstKey != tt.wantFirst || cmd.LastKey != tt.wantLast || cmd.Step != tt.want ||
				cmd.Arity != -1 || cmd.Group != "module" {
				t.Errorf("command = flags %v keys %d,%d,%d arity %d group %q", cmd.Flags.Names(), cmd.FirstKey, cmd.LastKey, cmd.Step, cmd.Arity, cmd.Group)
			}
			if got := do(t, f.c, strings.ToUpper(tt.cmd), "k1", "k2", "k3"); got != rOK {
				t.Errorf("running it: %q", got)
			}
		})
	}
}

func TestModuleCreateCommandLifecycle(t *testing.T) {
	h := func(ctx sdk.Ctx, _ []sdk.String) error { return ctx.ReplyWithNull() }
	s, _ := newTestServer(t)
	x := &modCtx{s: s, mod: &Module{log: hclog.NewNullLogger()}, phase: phaseLoad}
	if err := x.CreateCommand("t.a", h, "", 0, 0, 0); err == nil || err.Error() != "CreateCommand called before Init" {
		t.Errorf("before Init: %v", err)
	}
	if err := x.Init("t", 1, sdk.APIVER_1); err != nil {
		t.Fatal(err)
	}
	if err := x.CreateCommand("t.a", h, "", 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	if err := x.CreateCommand("T.A", h, "", 0, 0, 0); err == nil || err.Error() != `CreateCommand: command "t.a" already exists: it is a command of module "t"` {
		t.Errorf("twice: %v", err)
	}
	other := &modCtx{s: s, mod: &Module{log: hclog.NewNullLogger()}, phase: phaseLoad}
	if err := other.Init("other", 1, sdk.APIVER_1); err != nil {
		t.Fatal(err)
	}
	if err := other.CreateCommand("t.a", h, "", 0, 0, 0); err == nil || err.Error() != `CreateCommand: command "t.a" already exists: it is a command of module "t"` {
		t.Errorf("another module's name: %v", err)
	}
	for _, phase := range []int{phaseDone, phaseUnload} {
		x.phase = phase
		if err := x.CreateCommand("t.b", h, "", 0, 0, 0); err == nil || err.Error() != "CreateCommand may only be called in OnLoad" {
			t.Errorf("phase %d: %v", phase, err)
		}
	}
	if s.table.Get("t.b") != nil {
		t.Error("t.b registered outside OnLoad")
	}
}

// Replies belong in command handlers: in OnLoad (and after it) every
// ReplyWith call is an error and writes nothing.
func TestModuleRepliesOutsideAHandler(t *testing.T) {
	f := newModFixture(t)
	calls := []struct {
		name string
		call func(x *modCtx) error
	}{
		{"ReplyWithSimpleString", func(x *modCtx) error { return x.ReplyWithSimpleString("OK") }},
		{"ReplyWithError", func(x *modCtx) error { return x.ReplyWithError("ERR x") }},
		{"ReplyWithLongLong", func(x *modCtx) error { return x.ReplyWithLongLong(1) }},
		{"ReplyWithString", func(x *modCtx) error { return x.ReplyWithString(sdk.CreateString("s")) }},
		{"ReplyWithStringBuffer", func(x *modCtx) error { return x.ReplyWithStringBuffer([]byte("b")) }},
		{"ReplyWithCString", func(x *modCtx) error { return x.ReplyWithCString("c") }},
		{"ReplyWithNull", func(x *modCtx) error { return x.ReplyWithNull() }},
		{"ReplyWithArray", func(x *modCtx) error { return x.ReplyWithArray(1) }},
		{"ReplyWithDouble", func(x *modCtx) error { return x.ReplyWithDouble(1) }},
		{"WrongArity", func(x *modCtx) error { return x.WrongArity() }},
		{"ReplyWithCallReply", func(x *modCtx) error { return x.ReplyWithCallReply(x.Call("PING", "")) }},
	}
	for _, phase := range []int{phaseLoad, phaseUnload, phaseDone} {
		for _, c := range calls {
			t.Run(fmt.Sprintf("phase %d/%s", phase, c.name), func(t *testing.T) {
				f.ld.phase = phase
				err := c.call(f.ld)
				if err == nil || err.Error() != c.name+" may only be called in a command handler" {
					t.Errorf("got %v", err)
				}
			})
		}
		f.ld.phase = phase
		if err := f.ld.ReplySetArrayLength(1); err == nil || err.Error() != "ReplySetArrayLength may only be called in a command handler" {
			t.Errorf("phase %d: ReplySetArrayLength: %v", phase, err)
		}
	}
	if len(f.c.buf.B) != 0 || len(f.s.modules.internal.buf.B) != 0 {
		t.Errorf("something was written: %q %q", f.c.buf.B, f.s.modules.internal.buf.B)
	}
}

// Call runs on the calling client's database, sees what the client wrote,
// and returns errors as replies.
func TestModuleCall(t *testing.T) {
	f := newModFixture(t)
	var got []result
	var keep []sdk.CallReply
	var args []struct {
		format string
		args   []any
		cmd    string
	}
	f.command(t, "t.call", func(ctx sdk.Ctx, argv []sdk.String) error {
		got, keep = got[:0], keep[:0]
		for _, a := range args {
			r := ctx.Call(a.cmd, a.format, a.args...)
			if r == nil {
				return errors.New("Call returned nil")
			}
			keep = append(keep, r)
		}
		// Earlier replies stay valid while the handler runs.
		for _, r := range keep {
			got = append(got, result{r.Type(), r.String(), r.Integer(), r.Length()})
		}
		return ctx.ReplyWithCallReply(keep[len(keep)-1])
	})
	type call = struct {
		format string
		args   []any
		cmd    string
	}
	tests := []struct {
		name  string
		calls []call
		want  []result
		reply string // what the client gets: the last reply, forwarded
	}{
		{"set and get", []call{
			{"cc", []any{"k", "v1"}, "SET"},
			{"c", []any{"k"}, "GET"},
			{"c", []any{"k"}, "get"},
		}, []result{strResult(sdk.ReplyString, "OK"), strResult(sdk.ReplyString, "v1"), strResult(sdk.ReplyString, "v1")}, bulk("v1")},
		{"simple strings forward as simple strings", []call{{"", nil, "PING"}},
			[]result{strResult(sdk.ReplyString, "PONG")}, "+PONG\r\n"},
		{"missing key", []call{{"c", []any{"nosuch"}, "GET"}}, []result{{sdk.ReplyNull, "", 0, 0}}, rNull},
		{"integer", []call{{"c", []any{"n"}, "INCR"}, {"cl", []any{"n", 41}, "INCRBY"}},
			[]result{{sdk.ReplyInteger, "", 1, 0}, {sdk.ReplyInteger, "", 42, 0}}, ints(42)},
		{"unknown command", []call{{"c", []any{"a"}, "NOSUCH"}},
			[]result{strResult(sdk.ReplyError, "ERR unknown command 'NOSUCH', with args beginning with: 'a' ")},
			"-ERR unknown command 'NOSUCH', with args beginning with: 'a' \r\n"},
		{"wrong arity", []call{{"", nil, "GET"}},
			[]result{strResult(sdk.ReplyError, "ERR wrong number of arguments for 'get' command")},
			"-ERR wrong number of arguments for 'get' command\r\n"},
		{"a command's own error", []call{{"cc", []any{"s", "x"}, "SET"}, {"c", []any{"s"}, "INCR"}},
			[]result{strResult(sdk.ReplyString, "OK"), strResult(sdk.ReplyError, "ERR value is not an integer or out of range")}, rNotInt},
		{"bad format", []call{{"x", []any{"a"}, "GET"}},
			[]result{strResult(sdk.ReplyError, `ERR Call GET: unknown format specifier 'x' in "x" (known: c s b l d v and modifiers ! A R 3 0 C S W M E D)`)},
			"-ERR Call GET: unknown format specifier 'x' in \"x\" (known: c s b l d v and modifiers ! A R 3 0 C S W M E D)\r\n"},
		{"RESP2 map is an array", []call{{"ccc", []any{"h", "f", "v"}, "HSET"}, {"c", []any{"h"}, "HGETALL"}},
			[]result{{sdk.ReplyInteger, "", 1, 0}, {sdk.ReplyArray, "", 0, 2}}, bulks("f", "v")},
		{"RESP3 with 3", []call{{"ccc", []any{"h", "f", "v"}, "HSET"}, {"3c", []any{"h"}, "HGETALL"}},
			[]result{{sdk.ReplyInteger, "", 1, 0}, {sdk.ReplyMap, "", 0, 1}}, bulks("f", "v")},
		{"all the specifiers", []call{
			{"!Esbldcv", []any{sdk.CreateString("m"), []byte("a"), int64(1), 2.5, "b", []sdk.String{sdk.CreateString("c")}}, "RPUSH_NOT_HERE"},
		}, []result{strResult(sdk.ReplyError, "ERR unknown command 'RPUSH_NOT_HERE', with args beginning with: 'm' 'a' '1' '2.5' 'b' 'c' ")},
			"-ERR unknown command 'RPUSH_NOT_HERE', with args beginning with: 'm' 'a' '1' '2.5' 'b' 'c' \r\n"},
		{"a module command through Call", []call{{"c", []any{"x"}, "t.echo"}},
			[]result{{sdk.ReplyArray, "", 0, 2}}, "*2\r\n$6\r\nt.echo\r\n$1\r\nx\r\n"},
	}
	f.command(t, "t.echo", func(ctx sdk.Ctx, argv []sdk.String) error {
		ctx.ReplyWithArray(sdk.PostponedLen)
		for _, a := range argv {
			ctx.ReplyWithString(a)
		}
		return ctx.ReplySetArrayLength(len(argv))
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			do(t, f.c, "FLUSHALL")
			args = tt.calls
			if reply := do(t, f.c, "t.call"); reply != tt.reply {
				t.Errorf("reply\n got: %q\nwant: %q", reply, tt.reply)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Call results\n got: %v\nwant: %v", got, tt.want)
			}
		})
	}
}

// result is what a CallReply's scalar accessors say.
type result struct {
	typ sdk.ReplyType
	str string
	n   int64
	len int
}

// strResult is the result of a string or error reply: its Length is the
// length of its text.
func strResult(typ sdk.ReplyType, s string) result { return result{typ, s, 0, len(s)} }

// Call uses the database the client selected, and writes there.
func TestModuleCallUsesTheClientsDB(t *testing.T) {
	f := newModFixture(t)
	f.command(t, "t.getset", func(ctx sdk.Ctx, argv []sdk.String) error {
		old := ctx.Call("GET", "s", argv[1])
		ctx.Call("SET", "ss", argv[1], argv[2])
		return ctx.ReplyWithCallReply(old)
	})
	steps := []step{
		{"SET k db0", rOK},
		{"SELECT 1", rOK},
		{"SET k db1", rOK},
		{"t.getset k new1", bulk("db1")},
		{"GET k", bulk("new1")},
		{"SELECT 0", rOK},
		{"GET k", bulk("db0")},
		{"t.getset k new0", bulk("db0")},
		{"t.getset nosuch v", rNull},
		{"GET nosuch", bulk("v")},
	}
	for i, st := range steps {
		if got := doLine(t, f.c, st.cmd); got != st.want {
			t.Errorf("step %d %s: got %q, want %q", i, st.cmd, got, st.want)
		}
	}
}

// A reply recorded in RESP3 is forwarded to a RESP2 client downgraded, and
// Proto gives the bytes of the protocol the Call used.
func TestModuleCallProtocols(t *testing.T) {
	f := newModFixture(t)
	var protos []string
	f.command(t, "t.proto", func(ctx sdk.Ctx, argv []sdk.String) error {
		protos = protos[:0]
		for _, format := range []string{"c", "3c"} {
			protos = append(protos, string(ctx.Call("HGETALL", format, "h").Proto()))
			protos = append(protos, string(ctx.Call("GET", format, "missing").Proto()))
		}
		return ctx.ReplyWithCallReply(ctx.Call("HGETALL", "3c", "h"))
	})
	do(t, f.c, "HSET", "h", "f", "v")
	if got := do(t, f.c, "t.proto"); got != bulks("f", "v") {
		t.Errorf("RESP2 client: %q", got)
	}
	want := []string{"*2\r\n$1\r\nf\r\n$1\r\nv\r\n", "$-1\r\n", "%1\r\n$1\r\nf\r\n$1\r\nv\r\n", "_\r\n"}
	if fmt.Sprint(protos) != fmt.Sprint(want) {
		t.Errorf("Proto\n got: %q\nwant: %q", protos, want)
	}
	f.c.buf.P3 = true
	if got := do(t, f.c, "t.proto"); got != "%1\r\n$1\r\nf\r\n$1\r\nv\r\n" {
		t.Errorf("RESP3 client: %q", got)
	}
}

// Call works in OnLoad, as the server's internal client on database 0.
func TestModuleCallInOnLoad(t *testing.T) {
	f := newModFixture(t)
	if r := f.ld.Call("SET", "cc", "loaded", "yes"); r.Type() != sdk.ReplyString || r.String() != "OK" {
		t.Fatalf("SET in OnLoad: %s %q", r.Type(), r.String())
	}
	if r := f.ld.Call("PING", ""); r.String() != "PONG" {
		t.Errorf("PING in OnLoad: %q", r.String())
	}
	if r := f.ld.Call("GET", ""); r.Type() != sdk.ReplyError || r.Error() != "ERR wrong number of arguments for 'get' command" {
		t.Errorf("wrong arity in OnLoad: %s %q", r.Type(), r.Error())
	}
	if got := do(t, f.c, "GET", "loaded"); got != bulk("yes") {
		t.Errorf("GET after OnLoad's SET: %q", got)
	}
	f.ld.phase = phaseDone
	if r := f.ld.Call("PING", ""); r.Type() != sdk.ReplyError || r.Error() != "ERR Call used after the handler returned" {
		t.Errorf("Call after OnLoad: %s %q", r.Type(), r.Error())
	}
}

// callArgs runs buildCallArgs: the one place that knows its signature.
func callArgs(format string, args ...any) ([]string, callFlags, error) {
	argv, flags, err := buildCallArgs(nil, []byte("CMD"), format, args)
	var out []string
	for _, a := range argv {
		out = append(out, string(a))
	}
	return out, flags, err
}

func TestBuildCallArgs(t *testing.T) {
	tests := []struct {
		name    string
		format  string
		args    []any
		want    []string
		flags   callFlags
		wantErr string
	}{
		{"no arguments", "", nil, []string{"CMD"}, 0, ""},
		{"c", "c", []any{"str"}, []string{"CMD", "str"}, 0, ""},
		{"s", "s", []any{sdk.CreateString("sdk")}, []string{"CMD", "sdk"}, 0, ""},
		{"b", "b", []any{[]byte("bytes\x00")}, []string{"CMD", "bytes\x00"}, 0, ""},
		{"l int", "l", []any{-42}, []string{"CMD", "-42"}, 0, ""},
		{"l int64", "l", []any{int64(math.MinInt64)}, []string{"CMD", "-9223372036854775808"}, 0, ""},
		{"d", "ddd", []any{1.5, 1e6, math.Inf(1)}, []string{"CMD", "1.5", "1000000", "inf"}, 0, ""},
		{"v", "v", []any{[]sdk.String{sdk.CreateString("a"), sdk.CreateString("b")}}, []string{"CMD", "a", "b"}, 0, ""},
		{"empty v", "cvc", []any{"x", []sdk.String{}, "y"}, []string{"CMD", "x", "y"}, 0, ""},
		{"modifiers", "!Ec!E", []any{"x"}, []string{"CMD", "x"}, callReplicate | callErrors, ""},
		{"3", "3c", []any{"x"}, []string{"CMD", "x"}, callRESP3, ""},
		{"3 anywhere", "c3", []any{"x"}, []string{"CMD", "x"}, callRESP3, ""},
		{"every modifier", "!AR30CSWMED", nil, []string{"CMD"}, callReplicate | callNoAOF | callNoReplicas | callRESP3 |
			callRESPAuto | callCheckACL | callScriptMode | callNoWrites | callDenyOOM | callErrors | callDryRun, ""},
		{"everything", "!3csbldv", []any{"c", sdk.CreateString("s"), []byte("b"), 7, 0.25, []sdk.String{sdk.CreateString("v")}},
			[]string{"CMD", "c", "s", "b", "7", "0.25", "v"}, callReplicate | callRESP3, ""},
		{"c given an int", "c", []any{5}, nil, 0, "argument 1 for 'c' is int, want string"},
		{"c given nil", "c", []any{nil}, nil, 0, "argument 1 for 'c' is <nil>, want string"},
		{"s given a string", "cs", []any{"a", "b"}, nil, 0, "argument 2 for 's' is string, want sdk.String"},
		{"b given a string", "b", []any{"a"}, nil, 0, "argument 1 for 'b' is string, want []byte"},
		{"l given an int32", "l", []any{int32(1)}, nil, 0, "argument 1 for 'l' is int32, want int or int64"},
		{"l given a float", "l", []any{1.0}, nil, 0, "argument 1 for 'l' is float64, want int or int64"},
		{"d given an int", "d", []any{1}, nil, 0, "argument 1 for 'd' is int, want float64"},
		{"v given a []string", "v", []any{[]string{"a"}}, nil, 0, "argument 1 for 'v' is []string, want []sdk.String"},
		{"too few arguments", "cc", []any{"a"}, nil, 0, `format "cc" wants more arguments than the 1 given`},
		{"too many arguments", "c", []any{"a", "b"}, nil, 0, `format "c" uses 1 arguments but 2 were given`},
		{"arguments without a format", "", []any{"a"}, nil, 0, `format "" uses 0 arguments but 1 were given`},
		{"unknown specifier", "cx", []any{"a", "b"}, nil, 0, `unknown format specifier 'x' in "cx" (known: c s b l d v and modifiers ! A R 3 0 C S W M E D)`},
		{"unknown specifier, no argument left", "x", nil, nil, 0, `unknown format specifier 'x' in "x" (known: c s b l d v and modifiers ! A R 3 0 C S W M E D)`},
		{"2 is not a modifier", "2", nil, nil, 0, `unknown format specifier '2' in "2" (known: c s b l d v and modifiers ! A R 3 0 C S W M E D)`},
		{"non-ASCII letter", "é", nil, nil, 0, `unknown format specifier '\xc3' in "é" (known: c s b l d v and modifiers ! A R 3 0 C S W M E D)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, flags, err := callArgs(tt.format, tt.args...)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) || flags != tt.flags {
				t.Errorf("got %q flags=%b err=%v, want %q flags=%b", got, flags, err, tt.want, tt.flags)
			}
		})
	}
}

// 's' and 'b' pass the caller's bytes without copying them.
func TestBuildCallArgsZeroCopy(t *testing.T) {
	b := []byte("bytes")
	s := sdk.StringFromBytes([]byte("string"))
	argv, _, err := buildCallArgs(nil, []byte("CMD"), "bs", []any{b, s})
	if err != nil {
		t.Fatal(err)
	}
	if &argv[1][0] != &b[0] || &argv[2][0] != &s.Bytes()[0] {
		t.Error("arguments were copied")
	}
}

// Every RESP3 reply type, and its RESP2 downgrade as Redis 7.0 makes it
// (the RESP2 and RESP3 bytes of DEBUG PROTOCOL on redis-server 7.0.15 for
// map, set, attrib, bignum, verbatim, true and double).
func TestModuleRepliesRESP3Types(t *testing.T) {
	tests := []struct {
		name         string
		handler      func(ctx sdk.Ctx, n *errNotes) error
		resp2, resp3 string
		errs2, errs3 []string // what the Ctx calls returned
	}{
		{name: "map", handler: func(ctx sdk.Ctx, n *errNotes) error {
			n.note(ctx.ReplyWithMap(3))
			for i := range 3 {
				n.note(ctx.ReplyWithLongLong(int64(i)))
				n.note(ctx.ReplyWithBool(i == 1))
			}
			return nil
		}, resp2: "*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n", resp3: "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n"},
		{name: "set", handler: func(ctx sdk.Ctx, n *errNotes) error {
			n.note(ctx.ReplyWithSet(3))
			for i := range 3 {
				n.note(ctx.ReplyWithLongLong(int64(i)))
			}
			return nil
		}, resp2: "*3\r\n:0\r\n:1\r\n:2\r\n", resp3: "~3\r\n:0\r\n:1\r\n:2\r\n"},
		{name: "attribute", handler: func(ctx sdk.Ctx, n *errNotes) error {
			if err := ctx.ReplyWithAttribute(1); err != nil {
				n.note(err)
				return ctx.ReplyWithCString("Some real reply following the attribute")
			}
			n.note(ctx.ReplyWithCString("key-popularity"))
			n.note(ctx.ReplyWithArray(2))
			n.note(ctx.ReplyWithCString("key:123"))
			n.note(ctx.ReplyWithLongLong(90))
			return ctx.ReplyWithCString("Some real reply following the attribute")
		}, resp2: "$39\r\nSome real reply following the attribute\r\n",
			resp3: "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n",
			errs2: []string{"ReplyWithAttribute: attributes exist only in RESP3, and the client uses RESP2"}},
		{name: "big number", handler: func(ctx sdk.Ctx, n *errNotes) error {
			return ctx.ReplyWithBigNumber("1234567999999999999999999999999999999")
		}, resp2: "$37\r\n1234567999999999999999999999999999999\r\n", resp3: "(1234567999999999999999999999999999999\r\n"},
		{name: "verbatim", handler: func(ctx sdk.Ctx, n *errNotes) error {
			return ctx.ReplyWithVerbatimString("This is a verbatim\nstring")
		}, resp2: "$25\r\nThis is a verbatim\nstring\r\n", resp3: "=29\r\ntxt:This is a verbatim\nstring\r\n"},
		{name: "verbatim with a type", handler: func(ctx sdk.Ctx, n *errNotes) error {
			n.note(ctx.ReplyWithVerbatimStringType("x", "markdown"))
			n.note(ctx.ReplyWithVerbatimStringType("x", "a\nb"))
			return ctx.ReplyWithVerbatimStringType("# T", "mkd")
		}, resp2: "$3\r\n# T\r\n", resp3: "=7\r\nmkd:# T\r\n", errs2: []string{
			`ReplyWithVerbatimStringType: the format must be 3 characters without CR or LF, got "markdown"`,
			`ReplyWithVerbatimStringType: the format must be 3 characters without CR or LF, got "a\nb"`,
		}, errs3: []string{
			`ReplyWithVerbatimStringType: the format must be 3 characters without CR or LF, got "markdown"`,
			`ReplyWithVerbatimStringType: the format must be 3 characters without CR or LF, got "a\nb"`,
		}},
		{name: "bools", handler: func(ctx sdk.Ctx, n *errNotes) error {
			n.note(ctx.ReplyWithArray(2))
			n.note(ctx.ReplyWithBool(true))
			return ctx.ReplyWithBool(false)
		}, resp2: "*2\r\n:1\r\n:0\r\n", resp3: "*2\r\n#t\r\n#f\r\n"},
		{name: "double", handler: func(ctx sdk.Ctx, n *errNotes) error {
			return ctx.ReplyWithDouble(3.141)
		}, resp2: "$5\r\n3.141\r\n", resp3: ",3.141\r\n"},
		{name: "long doubles", handler: func(ctx sdk.Ctx, n *errNotes) error {
			vals := []float64{3.5, 0.1, 100, math.Copysign(0, -1), 1e20, math.Inf(-1), -2.25}
			n.note(ctx.ReplyWithArray(len(vals)))
			for _, f := range vals {
				n.note(ctx.ReplyWithLongDouble(f))
			}
			return nil
		}, resp2: "*7\r\n$3\r\n3.5\r\n$19\r\n0.10000000000000001\r\n$3\r\n100\r\n$1\r\n0\r\n$21\r\n100000000000000000000\r\n$4\r\n-inf\r\n$5\r\n-2.25\r\n",
			resp3: "*7\r\n,3.5\r\n,0.10000000000000001\r\n,100\r\n,0\r\n,100000000000000000000\r\n,-inf\r\n,-2.25\r\n"},
		{name: "empties and nulls", handler: func(ctx sdk.Ctx, n *errNotes) error {
			n.note(ctx.ReplyWithArray(6))
			n.note(ctx.ReplyWithEmptyArray())
			n.note(ctx.ReplyWithNullArray())
			n.note(ctx.ReplyWithEmptyString())
			n.note(ctx.ReplyWithMap(0))
			n.note(ctx.ReplyWithSet(0))
			return ctx.ReplyWithNull()
		}, resp2: "*6\r\n*0\r\n*-1\r\n$0\r\n\r\n*0\r\n*0\r\n$-1\r\n", resp3: "*6\r\n*0\r\n_\r\n$0\r\n\r\n%0\r\n~0\r\n_\r\n"},
		{name: "error format", handler: func(ctx sdk.Ctx, n *errNotes) error {
			n.note(ctx.ReplyWithArray(2))
			n.note(ctx.ReplyWithErrorFormat("MYERR %d items, %q", 3, "x"))
			return ctx.ReplyWithErrorFormat("no %s", "code")
		}, resp2: "*2\r\n-MYERR 3 items, \"x\"\r\n-ERR no code\r\n"},
		{name: "bad big numbers", handler: func(ctx sdk.Ctx, n *errNotes) error {
			for _, s := range []string{"", "-", "12a", "1\r\n:2", "+1"} {
				n.note(ctx.ReplyWithBigNumber(s))
			}
			return ctx.ReplyWithBigNumber("-0")
		}, resp2: "$2\r\n-0\r\n", resp3: "(-0\r\n", errs2: []string{
			`ReplyWithBigNumber: "" is not a big number (decimal digits, an optional '-' first)`,
			`ReplyWithBigNumber: "-" is not a big number (decimal digits, an optional '-' first)`,
			`ReplyWithBigNumber: "12a" is not a big number (decimal digits, an optional '-' first)`,
			`ReplyWithBigNumber: "1\r\n:2" is not a big number (decimal digits, an optional '-' first)`,
			`ReplyWithBigNumber: "+1" is not a big number (decimal digits, an optional '-' first)`,
		}},
	}
	for _, tt := range tests {
		for _, p3 := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/RESP%d", tt.name, map[bool]int{false: 2, true: 3}[p3]), func(t *testing.T) {
				f := newModFixture(t)
				var notes errNotes
				f.command(t, "t.x", func(ctx sdk.Ctx, argv []sdk.String) error {
					return tt.handler(ctx, &notes)
				})
				f.c.buf.P3 = p3
				want, errs := tt.resp2, tt.errs2
				if p3 {
					want, errs = tt.resp3, tt.errs3
					if want == "" {
						want = tt.resp2
					}
					if errs == nil && tt.name == "bad big numbers" {
						errs = tt.errs2
					}
				}
				if got := do(t, f.c, "t.x"); got != want {
					t.Errorf("reply\n got: %q\nwant: %q", got, want)
				}
				if strings.Join(notes, "\n") != strings.Join(errs, "\n") {
					t.Errorf("Ctx errors\n got: %q\nwant: %q", notes, errs)
				}
			})
		}
	}
}

// Postponed lengths for arrays, maps, sets and attributes, and the checks
// that keep the reply well formed whatever the handler does.
func TestModulePostponedAggregates(t *testing.T) {
	tests := []struct {
		name    string
		p3      bool
		handler func(ctx sdk.Ctx, n *errNotes) error
		want    string
		errs    []string
	}{
		{name: "postponed map with a postponed set", p3: true, handler: func(ctx sdk.Ctx, n *errNotes) error {
			n.note(ctx.ReplyWithMap(sdk.PostponedLen))
			n.note(ctx.ReplyWithCString("a"))
			n.note(ctx.ReplyWithLongLong(1))
			n.note(ctx.ReplyWithCString("b"))
			n.note(ctx.ReplyWithSet(sdk.PostponedLen))
			n.note(ctx.ReplyWithCString("x"))
			n.note(ctx.ReplySetSetLength(1))
			return ctx.ReplySetMapLength(2)
		}, want: "%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n~1\r\n$1\r\nx\r\n"},
		{name: "postponed map in RESP2 counts pairs twice", handler: func(ctx sdk.Ctx, n *errNotes) error {
			n.note(ctx.ReplyWithMap(sdk.PostponedLen))
			for i := range 3 {
				n.note(ctx.ReplyWithLongLong(int64(i)))
				n.note(ctx.ReplyWithNull())
			}
			return ctx.ReplySetMapLength(3)
		}, want: "*6\r\n:0\r\n$-1\r\n:1\r\n$-1\r\n:2\r\n$-1\r\n"},
		{name: "a map with a key missing its value stays open", p3: true, handler: func(ctx sdk.Ctx, n *errNotes) error {
			n.note(ctx.ReplyWithMap(sdk.PostponedLen))
			n.note(ctx.ReplyWithCString("k"))
			n.note(ctx.ReplySetMapLength(1))
			n.note(ctx.ReplyWithCString("v"))
			return ctx.ReplySetMapLength(1)
		}, want: "%1\r\n$1\r\nk\r\n$1\r\nv\r\n", errs: []string{
			"ReplySetMapLength: 1 elements were replied, a key is missing its value; a map stays open",
		}},
		{name: "a map left with a key missing its value", p3: true, handler: func(ctx sdk.Ctx, n *errNotes) error {
			n.note(ctx.ReplyWithMap(1))
			return ctx.ReplyWithCString("k")
		}, want: "-ERR module command 't.x' returned with an incomplete reply (a map was not finished)\r\n"},
		{name: "the wrong ReplySet...Length", p3: true, handler: func(ctx sdk.Ctx, n *errNotes) error {
			n.note(ctx.ReplyWithSet(sdk.PostponedLen))
			n.note(ctx.ReplyWithLongLong(1))
			n.note(ctx.ReplySetArrayLength(1))
			n.note(ctx.ReplySetMapLength(1))
			n.note(ctx.ReplySetAttributeLength(1))
			n.note(ctx.ReplySetSetLength(2))
			return nil
		}, want: "~1\r\n:1\r\n", errs: []string{
			"ReplySetArrayLength: the innermost aggregate with a postponed length is a set",
			"ReplySetMapLength: the innermost aggregate with a postponed length is a set",
			"ReplySetAttributeLength: the innermost aggregate with a postponed length is a set",
			"ReplySetSetLength(2): 1 elements were replied; the length was set to 1",
		}},
		{name: "a wrong map length counts pairs", p3: true, handler: func(ctx sdk.Ctx, n *errNotes) error {
			n.note(ctx.ReplyWithMap(sdk.PostponedLen))
			n.note(ctx.ReplyWithLongLong(1))
			n.note(ctx.ReplyWithLongLong(2))
			n.note(ctx.ReplySetMapLength(2))
			return nil
		}, want: "%1\r\n:1\r\n:2\r\n", errs: []string{"ReplySetMapLength(2): 1 pairs were replied; the length was set to 1"}},
		{name: "postponed attribute before an array element", p3: true, handler: func(ctx sdk.Ctx, n *errNotes) error {
			n.note(ctx.ReplyWithArray(sdk.PostponedLen))
			n.note(ctx.ReplyWithLongLong(1))
			n.note(ctx.ReplyWithAttribute(sdk.PostponedLen))
			n.note(ctx.ReplyWithCString("ttl"))
			n.note(ctx.ReplyWithLongLong(100))
			n.note(ctx.ReplySetAttributeLength(1))
			n.note(ctx.ReplySetArrayLength(1)) // the attribute's value is missing
			n.note(ctx.ReplyWithCString("v"))
			return ctx.ReplySetArrayLength(2)
		}, want: "*2\r\n:1\r\n|1\r\n$3\r\nttl\r\n:100\r\n$1\r\nv\r\n", errs: []string{
			"ReplySetArrayLength: an attribute is not followed by the value it describes",
		}},
		{name: "an attribute of an aggregate", p3: true, handler: func(ctx sdk.Ctx, n *errNotes) error {
			n.note(ctx.ReplyWithAttribute(0))
			n.note(ctx.ReplyWithMap(1))
			n.note(ctx.ReplyWithAttribute(1))
			n.note(ctx.ReplyWithCString("a"))
			n.note(ctx.ReplyWithCString("b"))
			n.note(ctx.ReplyWithCString("k"))
			return ctx.ReplyWithBool(true)
		}, want: "|0\r\n%1\r\n|1\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nk\r\n#t\r\n"},
		{name: "an attribute alone is not a reply", p3: true, handler: func(ctx sdk.Ctx, n *errNotes) error {
			n.note(ctx.ReplyWithAttribute(1))
			n.note(ctx.ReplyWithCString("k"))
			return ctx.ReplyWithCString("v")
		}, want: "-ERR module command 't.x' returned with an incomplete reply (an attribute was not followed by its value)\r\n"},
		{name: "an empty postponed attribute alone", p3: true, handler: func(ctx sdk.Ctx, n *errNotes) error {
			n.note(ctx.ReplyWithAttribute(sdk.PostponedLen))
			return ctx.ReplySetAttributeLength(0)
		}, want: "-ERR module command 't.x' returned with an incomplete reply (an attribute was not followed by its value)\r\n"},
		{name: "RESP2: no attribute, the length call has nothing to end", handler: func(ctx sdk.Ctx, n *errNotes) error {
			n.note(ctx.ReplyWithAttribute(sdk.PostponedLen))
			n.note(ctx.ReplySetAttributeLength(0))
			return ctx.ReplyWithLongLong(5)
		}, want: ":5\r\n", errs: []string{
			"ReplyWithAttribute: attributes exist only in RESP3, and the client uses RESP2",
			"ReplySetAttributeLength: no aggregate with a postponed length is open",
		}},
		{name: "invalid lengths", p3: true, handler: func(ctx sdk.Ctx, n *errNotes) error {
			n.note(ctx.ReplyWithMap(-3))
			n.note(ctx.ReplyWithSet(-2))
			n.note(ctx.ReplyWithAttribute(-7))
			return ctx.ReplyWithNullArray()
		}, want: "_\r\n", errs: []string{
			"ReplyWithMap: invalid length -3",
			"ReplyWithSet: invalid length -2",
			"ReplyWithAttribute: invalid length -7",
		}},
		{name: "a map after the reply is refused", handler: func(ctx sdk.Ctx, n *errNotes) error {
			n.note(ctx.ReplyWithLongLong(1))
			n.note(ctx.ReplyWithMap(1))
			n.note(ctx.ReplyWithSet(sdk.PostponedLen))
			n.note(ctx.ReplyWithBool(true))
			return nil
		}, want: ":1\r\n", errs: []string{
			"a reply was already sent for this command",
			"a reply was already sent for this command",
			"a reply was already sent for this command",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newModFixture(t)
			var notes errNotes
			f.command(t, "t.x", func(ctx sdk.Ctx, argv []sdk.String) error {
				return tt.handler(ctx, &notes)
			})
			f.c.buf.P3 = tt.p3
			if got := do(t, f.c, "t.x"); got != tt.want {
				t.Errorf("reply\n got: %q\nwant: %q", got, tt.want)
			}
			if strings.Join(notes, "\n") != strings.Join(tt.errs, "\n") {
				t.Errorf("Ctx errors\n got: %q\nwant: %q", notes, tt.errs)
			}
			if got := do(t, f.c, "PING"); got != "+PONG\r\n" {
				t.Errorf("PING after: %q", got)
			}
		})
	}
}

// A module command called through Call replies into the Call's recorder:
// RESP3 types, attributes and long doubles come back through the
// CallReply accessors, and forwarded replies keep their shape.
func TestModuleCallReplyAccessors(t *testing.T) {
	f := newModFixture(t)
	f.command(t, "t.all", func(ctx sdk.Ctx, argv []sdk.String) error {
		ctx.ReplyWithArray(5)
		ctx.ReplyWithMap(1)
		ctx.ReplyWithCString("k")
		ctx.ReplyWithSet(2)
		ctx.ReplyWithBool(true)
		ctx.ReplyWithBigNumber("-12345678901234567890")
		if err := ctx.ReplyWithAttribute(1); err == nil {
			ctx.ReplyWithCString("a")
			ctx.ReplyWithLongLong(1)
		}
		ctx.ReplyWithVerbatimStringType("text", "mkd")
		ctx.ReplyWithDouble(1.5)
		ctx.ReplyWithLongDouble(0.1)
		return ctx.ReplyWithBool(false)
	})
	var got []string
	f.command(t, "t.read", func(ctx sdk.Ctx, argv []sdk.String) error {
		got = got[:0]
		r := ctx.Call("t.all", argv[1].String())
		m := r.ArrayElement(0)
		k, v := m.MapElement(0)
		text, format := r.ArrayElement(1).Verbatim()
		attr := r.ArrayElement(1).Attribute()
		ak, av := attr.AttributeElement(0)
		ak2, _ := attr.AttributeElement(1)
		got = append(got,
			fmt.Sprintf("%s %s len=%d", r.Type(), m.Type(), m.Length()),
			fmt.Sprintf("key=%s value=%s %d", k.String(), v.Type(), v.Length()),
			fmt.Sprintf("set: %v %s %q", v.SetElement(0).Bool(), v.SetElement(1).BigNumber(), v.SetElement(2).Type()),
			fmt.Sprintf("verbatim: %q %q %s", text, format, r.ArrayElement(1).Type()),
			fmt.Sprintf("attribute: %s len=%d %s=%d %s", attr.Type(), attr.Length(), ak.String(), av.Integer(), ak2.Type()),
			fmt.Sprintf("double: %v %q long: %v %q", r.ArrayElement(2).Double(), r.ArrayElement(2).String(), r.ArrayElement(3).Double(), r.ArrayElement(3).String()),
			fmt.Sprintf("bool: %v %d %s", r.ArrayElement(4).Bool(), r.ArrayElement(4).Integer(), r.ArrayElement(4).Type()),
			fmt.Sprintf("wrong types: %v %q %q %s %s", m.Bool(), m.BigNumber(), m.String(), m.SetElement(0).Type(), r.Attribute().Type()),
		)
		return ctx.ReplyWithCallReply(r)
	})
	want3 := []string{
		"array map len=1",
		"key=k value=set 2",
		`set: true -12345678901234567890 "unknown"`,
		`verbatim: "text" "mkd" verbatim`,
		"attribute: attribute len=1 a=1 unknown",
		`double: 1.5 "1.5" long: 0.1 "0.10000000000000001"`,
		"bool: false 0 bool",
		`wrong types: false "" "" unknown unknown`,
	}
	f.c.buf.P3 = true
	full3 := "*5\r\n%1\r\n$1\r\nk\r\n~2\r\n#t\r\n(-12345678901234567890\r\n|1\r\n$1\r\na\r\n:1\r\n=8\r\nmkd:text\r\n,1.5\r\n,0.10000000000000001\r\n#f\r\n"
	if r := do(t, f.c, "t.read", "3"); r != full3 {
		t.Errorf("RESP3 forward\n got: %q\nwant: %q", r, full3)
	}
	if fmt.Sprint(got) != fmt.Sprint(want3) {
		t.Errorf("RESP3 accessors\n got: %q\nwant: %q", got, want3)
	}
	// "0" takes the client's protocol: RESP3 here.
	if r := do(t, f.c, "t.read", "0"); r != full3 {
		t.Errorf("'0' from a RESP3 client\n got: %q\nwant: %q", r, full3)
	}
	// A RESP3 reply forwarded to a RESP2 client is downgraded; RESP2
	// recording has no attribute (the module's ReplyWithAttribute failed).
	f.c.buf.P3 = false
	full2 := "*5\r\n*2\r\n$1\r\nk\r\n*2\r\n:1\r\n$21\r\n-12345678901234567890\r\n$4\r\ntext\r\n$3\r\n1.5\r\n$19\r\n0.10000000000000001\r\n:0\r\n"
	for _, format := range []string{"3", "0", ""} {
		if r := do(t, f.c, "t.read", format); r != full2 {
			t.Errorf("RESP2 client, format %q\n got: %q\nwant: %q", format, r, full2)
		}
	}
	if got[0] != "array array len=2" {
		t.Errorf("RESP2 recording: %q", got)
	}
}

// Call's checks, in Redis 7.0's order and with RM_Call's texts.
func TestModuleCallModifiers(t *testing.T) {
	f := newModFixture(t)
	f.command(t, "t.call", func(ctx sdk.Ctx, argv []sdk.String) error {
		r := ctx.Call(argv[2].String(), argv[1].String()+"v", argv[3:])
		if strings.Contains(argv[1].String(), "D") && r.Type() == sdk.ReplyNull {
			return ctx.ReplyWithSimpleString("DRYRUN-OK")
		}
		return ctx.ReplyWithCallReply(r)
	})
	if err := f.ld.CreateCommand("t.noscript", func(ctx sdk.Ctx, _ []sdk.String) error {
		return ctx.ReplyWithSimpleString("ran")
	}, "deny-script", 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	steps := []step{
		{"t.call W GET k", rNull},
		{"t.call W SET k v", "-ERR Write command 'set' was called while write is not allowed.\r\n"},
		{"t.call W CONFIG SET maxmemory 0", rOK}, // not flagged write
		{"GET k", rNull},
		{"t.call S SET k v", rOK},
		{"t.call S t.noscript", "-ERR command 't.noscript' is not allowed on script mode\r\n"},
		{"t.call S SCRIPT FLUSH", "-ERR command 'script|flush' is not allowed on script mode\r\n"},
		{"t.call '' t.noscript", "+ran\r\n"},
		{"t.call C GET k", bulk("v")},
		{"t.call SW SCRIPT FLUSH", "-ERR command 'script|flush' is not allowed on script mode\r\n"}, // S before W
		{"t.call D SET k other", "+DRYRUN-OK\r\n"},
		{"GET k", bulk("v")}, // the dry run did not run
		{"t.call DW SET k other", "-ERR Write command 'set' was called while write is not allowed.\r\n"},
		{"t.call D NOSUCH x", "-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n"},
		{"t.call D GET", "-ERR wrong number of arguments for 'get' command\r\n"},
		{"t.call D CONFIG NOSUCH", "-ERR unknown subcommand 'NOSUCH'. Try CONFIG HELP.\r\n"},
		{"t.call M SET k2 v", rOK}, // no maxmemory
		{"t.call !AR3 GET k", bulk("v")},
	}
	for i, st := range steps {
		if got := doLine(t, f.c, st.cmd); got != st.want {
			t.Errorf("step %d %s:\n got %q\nwant %q", i, st.cmd, got, st.want)
		}
	}
	// Over maxmemory with nothing to evict, "M" refuses deny-oom commands
	// and lets the rest run; without "M" the module may still write.
	f.s.mu.Lock()
	f.s.cfg.MaxMemory = 1
	f.s.mu.Unlock()
	for i, st := range []step{
		{"t.call M SET k3 v", "-OOM command not allowed when used memory > 'maxmemory'.\r\n"},
		{"t.call MD SET k3 v", "-OOM command not allowed when used memory > 'maxmemory'.\r\n"},
		{"t.call M GET k", bulk("v")},
		{"t.call M DEL k", ints(1)}, // DEL is not deny-oom
		{"t.call '' SET k3 v", rOK},
	} {
		if got := doLine(t, f.c, st.cmd); got != st.want {
			t.Errorf("maxmemory step %d %s:\n got %q\nwant %q", i, st.cmd, got, st.want)
		}
	}
	f.s.mu.Lock()
	f.s.cfg.MaxMemory = 0
	f.s.mu.Unlock()
	// In OnLoad there is no client: "C" fails; the rest works on the
	// internal client, RESP2 for "0".
	if r := f.ld.Call("PING", "C"); r.Error() != "ERR acl verification failed, context is not attached to a client." {
		t.Errorf("C in OnLoad: %s %q", r.Type(), r.String())
	}
	if r := f.ld.Call("HGETALL", "0c", "h"); r.Type() != sdk.ReplyArray {
		t.Errorf("0 in OnLoad: %s", r.Type())
	}
	if r := f.ld.Call("SET", "Dcc", "onload", "x"); r.Type() != sdk.ReplyNull {
		t.Errorf("D in OnLoad: %s %q", r.Type(), r.String())
	}
}

// Call's "C" checks the calling client's user: a client a module
// authenticated as one of its users gets RM_Call's refusals, with the
// reasons Redis 7.0's getAclErrorMessage gives; without "C" nothing is
// checked, as in Redis.
func TestModuleCallACL(t *testing.T) {
	f := newModFixture(t)
	u, err := f.ld.CreateModuleUser("limited")
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{"on", "+@all", "-hset", "~allowed*", "resetchannels"} {
		if err := f.ld.SetModuleUserACL(u, op); err != nil {
			t.Fatalf("SetModuleUserACL(%s): %v", op, err)
		}
	}
	f.command(t, "t.login", func(ctx sdk.Ctx, _ []sdk.String) error {
		if _, err := ctx.AuthenticateClientWithUser(u, nil); err != nil {
			return err
		}
		return ctx.ReplyWithSimpleString("OK")
	})
	f.command(t, "t.call", func(ctx sdk.Ctx, argv []sdk.String) error {
		return ctx.ReplyWithCallReply(ctx.Call(argv[2].String(), argv[1].String()+"v", argv[3:]))
	})
	steps := []step{
		{"t.call C GET other", rNull}, // the default user: everything
		{"t.login", rOK},
		{"t.call C GET allowed:1", rNull},
		{"t.call C HSET allowed:1 f v", "-ERR acl verification failed, can't run this command or subcommand.\r\n"},
		{"t.call C GET other", "-ERR acl verification failed, can't access at least one of the keys mentioned in the command arguments.\r\n"},
		{"t.call C PUBLISH ch m", "-ERR acl verification failed, can't publish to the channel mentioned in the command.\r\n"},
		{"t.call CD HSET allowed:1 f v", "-ERR acl verification failed, can't run this command or subcommand.\r\n"},
		{"t.call '' GET other", rNull},            // no "C": not checked
		{"t.call '' HSET allowed:1 f v", ints(1)}, // as in Redis
	}
	for i, st := range steps {
		if got := doLine(t, f.c, st.cmd); got != st.want {
			t.Errorf("step %d %s:\n got %q\nwant %q", i, st.cmd, got, st.want)
		}
	}
}
