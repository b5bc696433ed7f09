package host

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"modis/host/internal/resp"
	"modis/sdk"
)

// Lua scripting (EVAL, EVALSHA, their _RO forms and SCRIPT) and, in
// function.go, Redis 7 functions (FUNCTION, FCALL). Scripts run on the
// calling client under the execution lock, so a script with all its
// redis.call commands is atomic; redis.call runs commands through the same
// dispatcher a module's Call uses, with a resp.Writer that builds Lua
// values in place of the client's buffer.
//
// Scripts are compiled once (parse + compile to a FunctionProto, cached by
// SHA1) and run in a pooled interpreter. Functions live in one interpreter
// of their own, as in Redis.

// Script flags: the "#!lua flags=..." shebang of EVAL, and the flags of
// redis.register_function. Their order is FUNCTION LIST's.
type scriptFlags uint8

const (
	scriptFlagNoWrites scriptFlags = 1 << iota
	scriptFlagAllowOOM
	scriptFlagAllowStale
	scriptFlagNoCluster
	scriptFlagAllowCrossSlot
	scriptFlagEvalCompat // an EVAL script without a shebang
)

var scriptFlagNames = []struct {
	f    scriptFlags
	name string
}{
	{scriptFlagNoWrites, "no-writes"}, {scriptFlagAllowOOM, "allow-oom"},
	{scriptFlagAllowStale, "allow-stale"}, {scriptFlagNoCluster, "no-cluster"},
	{scriptFlagAllowCrossSlot, "allow-cross-slot-keys"},
}

// Errors of scripting.
var (
	errNoScript          = errors.New("NOSCRIPT No matching script. Please use EVAL.")
	errNotBusy           = errors.New("NOTBUSY No scripts in execution right now.")
	errNumKeysTooBig     = errors.New("ERR Number of keys can't be greater than number of args")
	errNumKeysNegative   = errors.New("ERR Number of keys can't be negative")
	errScriptWriteFlagRO = errors.New("ERR Can not execute a script with write flag using *_ro command.")
)

// evalScript is a cached EVAL script.
type evalScript struct {
	sha   string
	body  string
	flags scriptFlags
	proto *lua.FunctionProto
}

// scriptRun is one running script or function.
type scriptRun struct {
	c          *Client
	name       string // the SHA1 of a script, the name of a function
	eval       bool
	readOnly   bool
	resp       int // the protocol redis.call replies come in: 2 or 3
	writeDirty bool
	oom        bool     // used memory was over maxmemory when the script started
	allowOOM   bool     // the script has the allow-oom flag
	argv       [][]byte // the calling command, for FUNCTION STATS
	start      time.Time
}

// scriptEngine is the scripting state of one server. It is guarded by the
// execution lock.
type scriptEngine struct {
	log     hclog.Logger
	scripts map[string]*evalScript // by lower-case SHA1
	idle    []*luaVM               // eval interpreters not in use
	gen     int                    // bumped by SCRIPT FLUSH: older interpreters are dropped
	running []*scriptRun           // innermost last
	rand    lrand48

	fvm   *luaVM // the functions interpreter, created on first use
	libs  map[string]*library
	funcs map[string]*function // by lower-case name: FCALL is case-insensitive
}

func newScriptEngine() *scriptEngine {
	return &scriptEngine{
		log:     hclog.NewNullLogger(),
		scripts: map[string]*evalScript{},
		rand:    newLrand48(),
		libs:    map[string]*library{},
		funcs:   map[string]*function{},
	}
}

// bind remembers the server's logger (the engine is created before the
// table is attached to a server).
func (e *scriptEngine) bind(c *Client) {
	if c.srv != nil && c.srv.log != nil {
		e.log = c.srv.log.Named("script")
	}
}

// logScript is redis.log.
func (e *scriptEngine) logScript(level int, msg string) {
	lv := hclog.Debug
	switch level {
	case 2:
		lv = hclog.Info
	case 3:
		lv = hclog.Warn
	}
	e.log.Log(lv, "redis.log", "message", msg)
}

// scriptingCommands returns EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT,
// FCALL, FCALL_RO and FUNCTION, sharing one engine.
func (s *Server) scriptingCommands() []*Command {
	e := newScriptEngine()
	s.scripting = e
	evalFlags := FlagNoScript | FlagStale | FlagSkipMonitor | FlagNoMandatoryKeys | FlagMovableKeys
	cmds := []*Command{
		{Name: "eval", Arity: -3, Flags: evalFlags, GetKeys: numkeysKeys, Group: "scripting",
			Handler: e.evalHandler(false, false), Summary: "Execute a Lua script server side", Since: "2.6.0"},
		{Name: "evalsha", Arity: -3, Flags: evalFlags, GetKeys: numkeysKeys, Group: "scripting",
			Handler: e.evalHandler(true, false), Summary: "Execute a Lua script server side", Since: "2.6.0"},
		{Name: "eval_ro", Arity: -3, Flags: evalFlags | FlagReadonly, GetKeys: numkeysKeys, Group: "scripting",
			Handler: e.evalHandler(false, true), Summary: "Execute a read-only Lua script server side", Since: "7.0.0"},
		{Name: "evalsha_ro", Arity: -3, Flags: evalFlags | FlagReadonly, GetKeys: numkeysKeys, Group: "scripting",
			Handler: e.evalHandler(true, true), Summary: "Execute a read-only Lua script server side", Since: "7.0.0"},
		e.scriptCommand(),
	}
	return append(cmds, e.functionCommands()...)
}

// numkeysKeys returns the keys of EVAL and FCALL: numkeys at index 2, then
// the keys.
func numkeysKeys(args [][]byte) [][]byte {
	if len(args) < 3 {
		return nil
	}
	n, ok := sdk.ParseInt(args[2])
	if !ok || n <= 0 || n > int64(len(args)-3) {
		return nil
	}
	return args[3 : 3+n]
}

// parseNumkeys parses EVAL's and FCALL's numkeys; bad is the error for a
// value that is not an integer.
func parseNumkeys(args [][]byte, bad error) (int, error) {
	n, ok := sdk.ParseInt(args[2])
	if !ok {
		return 0, bad
	}
	if n > int64(len(args)-3) {
		return 0, errNumKeysTooBig
	}
	if n < 0 {
		return 0, errNumKeysNegative
	}
	return int(n), nil
}

func sha1hex(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// sha1hexBytes writes the SHA1 of b in hex into dst.
func sha1hexBytes(dst *[40]byte, b []byte) {
	sum := sha1.Sum(b)
	hex.Encode(dst[:], sum[:])
}

// lookupSHA finds a cached script by a SHA1 in any case, without
// allocating.
func (e *scriptEngine) lookupSHA(b []byte) *evalScript {
	if len(b) != 40 {
		return nil
	}
	var buf [40]byte
	for i, ch := range b {
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		buf[i] = ch
	}
	return e.scripts[string(buf[:])]
}

// extractShebang reads an EVAL script's "#!lua [flags=...]" line. It
// returns the flags and the length of the line (the code after it keeps its
// newline, so line numbers stay the user's).
func extractShebang(body string) (scriptFlags, int, error) {
	if !strings.HasPrefix(body, "#!") {
		return scriptFlagEvalCompat, 0, nil
	}
	end := strings.IndexByte(body, '\n')
	if end < 0 {
		return 0, 0, errors.New("ERR Invalid script shebang")
	}
	parts, err := SplitArgs(body[:end])
	if err != nil || len(parts) == 0 {
		return 0, 0, errors.New("ERR Invalid engine in script shebang")
	}
	if parts[0] != "#!lua" {
		return 0, 0, fmt.Errorf("ERR Unexpected engine in script shebang: %s", parts[0])
	}
	var flags scriptFlags
	for _, p := range parts[1:] {
		list, ok := strings.CutPrefix(p, "flags=")
		if !ok {
			return 0, 0, fmt.Errorf("ERR Unknown lua shebang option: %s", p)
		}
		if list == "" {
			continue
		}
		for _, name := range strings.Split(list, ",") {
			f := scriptFlags(0)
			for _, sf := range scriptFlagNames {
				if sf.name == name {
					f = sf.f
				}
			}
			if f == 0 {
				return 0, 0, fmt.Errorf("ERR Unexpected flag in script shebang: %s", name)
			}
			flags |= f
		}
	}
	return flags, end, nil
}

// compileLua parses and compiles code; chunk is the name errors show
// ("user_script"). gopher-lua's parser words its errors its own way; they
// are given Lua's "chunk:line: message near 'token'" shape.
func compileLua(code, chunk string) (*lua.FunctionProto, error) {
	ast, err := parse.Parse(strings.NewReader(code), chunk)
	if err != nil {
		var pe *parse.Error
		if errors.As(err, &pe) {
			msg := strings.TrimSpace(pe.Message)
			if pe.Pos.Line == parse.EOF {
				return nil, fmt.Errorf("%s:%d: %s near '<eof>'", chunk, strings.Count(code, "\n")+1, msg)
			}
			return nil, fmt.Errorf("%s:%d: %s near '%s'", chunk, pe.Pos.Line, msg, pe.Token)
		}
		return nil, err
	}
	proto, err := lua.Compile(ast, chunk)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", chunk, err)
	}
	// A main chunk has no "arg" table in Lua 5.1 (gopher-lua would build
	// one on every call).
	proto.IsVarArg &^= lua.VarArgNeedsArg
	return proto, nil
}

// createScript compiles body into the cache (or finds it there) and
// returns its SHA1.
func (e *scriptEngine) createScript(body []byte) (string, *evalScript, error) {
	var buf [40]byte
	sha1hexBytes(&buf, body)
	if s := e.scripts[string(buf[:])]; s != nil {
		return s.sha, s, nil
	}
	sha := string(buf[:])
	code := string(body)
	flags, shebangLen, err := extractShebang(code)
	if err != nil {
		return "", nil, err
	}
	proto, err := compileLua(code[shebangLen:], "user_script")
	if err != nil {
		return "", nil, fmt.Errorf("ERR Error compiling script (new function): %v", err)
	}
	s := &evalScript{sha: sha, body: code, flags: flags, proto: proto}
	e.scripts[sha] = s
	return sha, s, nil
}

func (e *scriptEngine) acquireEvalVM() *luaVM {
	if n := len(e.idle); n > 0 {
		vm := e.idle[n-1]
		e.idle = e.idle[:n-1]
		return vm
	}
	vm := newLuaVM(e, vmEval)
	vm.gen = e.gen
	return vm
}

func (e *scriptEngine) releaseEvalVM(vm *luaVM) {
	if vm.gen != e.gen || len(e.idle) >= 4 {
		vm.close()
		return
	}
	e.idle = append(e.idle, vm)
}

// checkScriptFlags is the check of a script's declared flags against the
// command and the server (Modis has no replicas, cluster or disk errors):
// a script that may write is refused by the *_RO commands, and while used
// memory is over maxmemory unless it allows OOM (Redis's processCommand
// refuses it with the plain OOM error, its command flags being the
// script's). It reports whether the server was over maxmemory.
func checkScriptFlags(c *Client, flags scriptFlags, ro bool) (oom bool, err error) {
	oom = c.srv.overMaxmemory()
	if flags&scriptFlagEvalCompat != 0 {
		return oom, nil
	}
	if oom && flags&(scriptFlagNoWrites|scriptFlagAllowOOM) == 0 {
		return oom, errOOM
	}
	if flags&scriptFlagNoWrites == 0 && ro {
		return oom, errScriptWriteFlagRO
	}
	return oom, nil
}

func (e *scriptEngine) evalHandler(evalsha, ro bool) HandlerFunc {
	return func(c *Client, args [][]byte) error {
		e.bind(c)
		if evalsha && len(args[1]) != 40 {
			return errNoScript
		}
		numkeys, err := parseNumkeys(args, ErrNotInteger)
		if err != nil {
			return err
		}
		var s *evalScript
		if evalsha {
			if s = e.lookupSHA(args[1]); s == nil {
				return errNoScript
			}
		} else if _, s, err = e.createScript(args[1]); err != nil {
			return err
		}
		oom, err := checkScriptFlags(c, s.flags, ro)
		if err != nil {
			return err
		}
		compat := s.flags&scriptFlagEvalCompat != 0
		run := &scriptRun{
			c: c, name: s.sha, eval: true, resp: 2, argv: args, start: time.Now(),
			readOnly: ro || (!compat && s.flags&scriptFlagNoWrites != 0),
			oom:      oom, allowOOM: !compat && s.flags&scriptFlagAllowOOM != 0,
		}
		vm := e.acquireEvalVM()
		fn := vm.fns[s]
		if fn == nil {
			fn = vm.L.NewFunctionFromProto(s.proto)
			fn.Env = vm.env
			vm.fns[s] = fn
		}
		e.runScript(vm, fn, run, args[3:3+numkeys], args[3+numkeys:])
		e.releaseEvalVM(vm)
		return nil
	}
}

// newStringArray makes a Lua array of the given strings.
func newStringArray(L *lua.LState, elems [][]byte) *lua.LTable {
	t := L.CreateTable(len(elems), 0)
	for i, b := range elems {
		t.RawSetInt(i+1, lua.LString(b))
	}
	return t
}

// runScript calls fn with the keys and arguments (as the KEYS and ARGV
// globals for EVAL, as arguments for a function) and writes its result or
// error to the caller.
func (e *scriptEngine) runScript(vm *luaVM, fn *lua.LFunction, run *scriptRun, keys, args [][]byte) {
	c, L := run.c, vm.L
	savedRun, savedDB, savedInScript := vm.run, c.db, c.inScript
	vm.run, c.inScript = run, true
	e.running = append(e.running, run)
	defer func() {
		e.running = e.running[:len(e.running)-1]
		vm.run, c.db, c.inScript = savedRun, savedDB, savedInScript
	}()

	base := L.GetTop()
	keysT, argsT := newStringArray(L, keys), newStringArray(L, args)
	nargs := 0
	L.Push(fn)
	if run.eval {
		vm.globals.RawSetString("KEYS", keysT)
		vm.globals.RawSetString("ARGV", argsT)
	} else {
		L.Push(keysT)
		L.Push(argsT)
		nargs = 2
	}
	// A script holds the execution lock: one that never ends would stop the
	// server. Past busy-reply-threshold it is stopped (Redis would answer
	// BUSY to everyone else and wait for SCRIPT KILL).
	var ctx context.Context
	if lim := c.srv.cfg.BusyReplyThreshold; lim > 0 && len(e.running) == 1 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.Background(), time.Duration(lim)*time.Millisecond)
		L.SetContext(ctx)
		defer func() {
			L.RemoveContext()
			cancel()
		}()
	}
	err := L.PCall(nargs, 1, vm.handler)
	killed := err != nil && ctx != nil && ctx.Err() != nil
	if run.eval {
		vm.globals.RawSetString("KEYS", lua.LNil)
		vm.globals.RawSetString("ARGV", lua.LNil)
	}
	c.db = savedDB // SELECT inside a script does not outlive it
	if killed {
		L.SetTop(base)
		lim := c.srv.cfg.BusyReplyThreshold
		c.srv.log.Warn("script stopped: busy-reply-threshold reached", "script", run.name, "limit_ms", lim)
		msg := fmt.Sprintf("BUSY script %s stopped after %d ms (busy-reply-threshold): scripts run under the execution lock", run.name, lim)
		countReplyError(c, msg)
		c.out.Error(msg)
		return
	}
	if err != nil {
		L.SetTop(base)
		e.writeScriptError(c, run, err)
		return
	}
	v := L.Get(-1)
	L.SetTop(base)
	writeLuaReply(c.out, v, run.resp, 0, func(msg string) { countReplyError(c, msg) })
}

// luaPositionRE matches the "chunk:line:" an error message starts with.
var luaPositionRE = regexp.MustCompile(`^(user_script|user_function|\[string "[^\n]*"\]):(\d+): `)

// writeScriptError replies with a script's error as Redis 7 does: the
// error message, then " script: NAME, on SOURCE:LINE.".
func (e *scriptEngine) writeScriptError(c *Client, run *scriptRun, err error) {
	var obj lua.LValue = lua.LString(err.Error())
	if aerr, ok := err.(*lua.ApiError); ok {
		obj = aerr.Object
	}
	t, ok := obj.(*lua.LTable)
	if !ok {
		msg, ok := luaToString(obj)
		if !ok {
			msg = "execution failure"
		}
		// The handler itself could not run (a stack overflow): build what
		// it would have from the message's position.
		if m := luaPositionRE.FindStringSubmatch(msg); m != nil {
			text := fmt.Sprintf("ERR %s script: %s, on %s:%s.", msg, run.name, luaSourceOf(m[1]), m[2])
			countReplyError(c, text)
			c.out.Error(text)
			return
		}
		if len(msg) > 100 {
			msg = msg[:100]
		}
		c.replyError(fmt.Errorf("ERR Error running script %s, %s", run.name, msg))
		return
	}
	msg, ok := luaToString(t.RawGetString("err"))
	if !ok {
		msg = "ERR unknown error"
	}
	source, okSource := luaToString(t.RawGetString("source"))
	line, okLine := luaToString(t.RawGetString("line"))
	if okSource && okLine {
		msg = fmt.Sprintf("%s script: %s, on %s:%s.", msg, run.name, source, line)
	}
	msg = strings.NewReplacer("\r", " ", "\n", " ").Replace(msg)
	if t.RawGetString("ignore_error_stats_update") != lua.LTrue {
		countReplyError(c, msg)
	}
	c.out.Error(msg)
}

// countReplyError counts an error reply a script sends its caller, as
// Client.replyError counts the errors of commands (the script's text may
// have no error code, so it is written as it is).
func countReplyError(c *Client, msg string) {
	if c.out == resp.Writer(&c.buf) {
		c.srv.countError(msg)
	} else if c.cur != nil {
		c.srv.cmdStat(c.cur).failed++
	}
}

// helpReply writes a container's HELP text as Redis 7.0 does.
func helpReply(w interface {
	Array(int)
	SimpleString(string)
}, container string, lines ...string) {
	w.Array(len(lines) + 3)
	w.SimpleString(container + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		w.SimpleString(l)
	}
	w.SimpleString("HELP")
	w.SimpleString("    Prints this help.")
}

func (e *scriptEngine) scriptCommand() *Command {
	return &Command{
		Name: "script", Arity: -2, Group: "scripting", Summary: "A container for Lua scripts management commands", Since: "2.6.0",
		Subs: map[string]*Command{
			"debug": {Arity: 3, Flags: FlagNoScript, Handler: e.cmdScriptDebug,
				Summary: "Set the debug mode for executed scripts.", Since: "3.2.0"},
			"exists": {Arity: -3, Flags: FlagNoScript, Handler: e.cmdScriptExists,
				Summary: "Check existence of scripts in the script cache.", Since: "2.6.0"},
			"flush": {Arity: -2, Flags: FlagNoScript, Handler: e.cmdScriptFlush,
				Summary: "Remove all the scripts from the script cache.", Since: "2.6.0"},
			"kill": {Arity: 2, Flags: FlagNoScript | FlagAllowBusy, Handler: func(c *Client, _ [][]byte) error {
				return errNotBusy
			}, Summary: "Kill the script currently in execution.", Since: "2.6.0"},
			"load": {Arity: 3, Flags: FlagNoScript | FlagStale, Handler: e.cmdScriptLoad,
				Summary: "Load the specified Lua script into the script cache.", Since: "2.6.0"},
			"help": {Arity: 2, Flags: FlagLoading | FlagStale, Handler: func(c *Client, _ [][]byte) error {
				helpReply(c.out, "SCRIPT",
					"DEBUG (YES|SYNC|NO)",
					"    Set the debug mode for subsequent scripts executed.",
					"EXISTS <sha1> [<sha1> ...]",
					"    Return information about the existence of the scripts in the script cache.",
					"FLUSH [ASYNC|SYNC]",
					"    Flush the Lua scripts cache. Very dangerous on replicas.",
					"    When called without the optional mode argument, the behavior is determined by the",
					"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
					"    * ASYNC: Asynchronously flush the scripts cache.",
					"    * SYNC: Synchronously flush the scripts cache.",
					"KILL",
					"    Kill the currently executing Lua script.",
					"LOAD <script>",
					"    Load a script into the scripts cache without executing it.",
				)
				return nil
			}, Summary: "Show helpful text about the different subcommands", Since: "5.0.0"},
		},
	}
}

func (e *scriptEngine) cmdScriptLoad(c *Client, args [][]byte) error {
	e.bind(c)
	sha, _, err := e.createScript(args[2])
	if err != nil {
		return err
	}
	c.out.BulkString(sha)
	return nil
}

func (e *scriptEngine) cmdScriptExists(c *Client, args [][]byte) error {
	c.out.Array(len(args) - 2)
	for _, a := range args[2:] {
		if e.lookupSHA(a) != nil {
			c.out.Int(1)
		} else {
			c.out.Int(0)
		}
	}
	return nil
}

func (e *scriptEngine) cmdScriptFlush(c *Client, args [][]byte) error {
	if len(args) > 3 || len(args) == 3 && !kwIs(args[2], "SYNC") && !kwIs(args[2], "ASYNC") {
		return errors.New("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
	}
	e.scripts = map[string]*evalScript{}
	for _, vm := range e.idle {
		vm.close()
	}
	e.idle = nil
	e.gen++
	c.out.SimpleString("OK")
	return nil
}

// cmdScriptDebug: Modis has no Lua debugger, so only NO (the default) is
// accepted; YES and SYNC say so instead of pretending.
func (e *scriptEngine) cmdScriptDebug(c *Client, args [][]byte) error {
	switch {
	case kwIs(args[2], "NO"):
		c.out.SimpleString("OK")
		return nil
	case kwIs(args[2], "YES"), kwIs(args[2], "SYNC"):
		return errors.New("ERR SCRIPT DEBUG YES and SYNC are not supported: Modis has no Lua debugger")
	}
	return errors.New("ERR Use SCRIPT DEBUG YES/SYNC/NO")
}

// libraryCodes returns the code of every function library, sorted by name,
// for the RDB (FUNCTION2). Lock held.
func (e *scriptEngine) libraryCodes() []string {
	libs := sortedLibraries(e.libs)
	codes := make([]string, len(libs))
	for i, l := range libs {
		codes[i] = l.code
	}
	return codes
}

// loadLibrary loads a library read from an RDB file, replacing one of the
// same name. Lock held.
func (e *scriptEngine) loadLibrary(code []byte) error {
	_, err := e.createLibrary(string(code), true, e.functionSet())
	return err
}
