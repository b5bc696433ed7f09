package host

import (
	"math"
	"strconv"
	"strings"
	"unsafe"

	lua "github.com/yuin/gopher-lua"

	"modis/host/internal/lualibs"
	"modis/host/internal/resp"
)

// The Lua side of scripting: the sandboxed interpreter (one luaVM per
// interpreter state, see script.go for how they are pooled), the redis.*
// API, and the conversions between Redis replies and Lua values, following
// Redis 7.0's script_lua.c rule for rule.
//
// Redis protects its globals and every table reachable from them with a
// read-only flag inside its patched Lua. gopher-lua has no such flag, so the
// sandbox uses proxies instead: scripts see an empty table as their globals
// (and as every library table) whose metatable reads through to the real
// table and refuses writes; rawset, setmetatable and the table library
// refuse to touch a proxy. The error texts are Redis's.

// Lua error texts.
const (
	luaErrReadonly    = "Attempt to modify a readonly table"
	luaErrNoGlobalFmt = "Script attempted to access nonexistent global variable '%s'"
)

// vmMode tells an eval interpreter from the functions one.
type vmMode int

const (
	vmEval vmMode = iota
	vmFunctions
)

// luaVM is one Lua interpreter with Redis's sandbox and API.
type luaVM struct {
	L    *lua.LState
	eng  *scriptEngine
	mode vmMode
	gen  int // the engine generation it was made in (SCRIPT FLUSH drops older ones)

	globals    *lua.LTable // the real globals
	env        *lua.LTable // what scripts see as globals: an empty proxy
	envMeta    *lua.LTable // env's metatable; its __index is swapped for FUNCTION LOAD
	loadAPI    *lua.LTable // the globals of a library while FUNCTION LOAD runs it
	protected  map[*lua.LTable]struct{}
	metaView   map[*lua.LTable]lua.LValue     // what getmetatable shows for a protected table
	stringMeta *lua.LTable                    // what getmetatable("") shows
	handler    *lua.LFunction                 // the error handler every run is called with
	fns        map[*evalScript]*lua.LFunction // EVAL scripts made into functions here

	run     *scriptRun   // the running script, nil between runs
	loading *libraryLoad // the library FUNCTION LOAD is registering, if any

	// Memory reused by redis.call; depth > 0 means a nested call (a command
	// that ran another script on this interpreter), which gets fresh memory.
	depth   int
	argBuf  []byte
	argv    [][]byte
	offs    []int
	replyTo luaReplyWriter
}

func newLuaVM(eng *scriptEngine, mode vmMode) *luaVM {
	L := lua.NewState(lua.Options{
		SkipOpenLibs:    true,
		CallStackSize:   1024,
		RegistrySize:    1024 * 8,
		RegistryMaxSize: 1024 * 1024 * 8,
	})
	vm := &luaVM{L: L, eng: eng, mode: mode, protected: map[*lua.LTable]struct{}{}, metaView: map[*lua.LTable]lua.LValue{}, fns: map[*evalScript]*lua.LFunction{}}
	for _, lib := range []struct {
		name string
		fn   lua.LGFunction
	}{
		{"", lua.OpenBase}, {lua.TabLibName, lua.OpenTable}, {lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath}, {lua.CoroutineLibName, lua.OpenCoroutine},
	} {
		L.Push(L.NewFunction(lib.fn))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	g := L.G.Global
	vm.globals = g
	// What Redis does not expose, or removed (getfenv and setfenv since 7.0.x).
	for _, name := range []string{"dofile", "loadfile", "print", "getfenv", "setfenv",
		"module", "require", "newproxy", "_printregs", "package", "channel", "debug", "os", "io"} {
		g.RawSetString(name, lua.LNil)
	}
	g.RawSetString("_VERSION", lua.LString("Lua 5.1"))
	g.RawSetString("gcinfo", L.NewFunction(luaGcinfo))
	g.RawSetString("pcall", L.NewFunction(luaRedisPcall))
	g.RawSetString("error", L.NewFunction(luaError))
	g.RawSetString("tostring", L.NewFunction(luaTostring))
	g.RawSetString("rawset", L.NewFunction(vm.luaRawset))
	g.RawSetString("setmetatable", L.NewFunction(vm.luaSetmetatable))
	tbl := g.RawGetString("table").(*lua.LTable)
	for _, name := range []string{"insert", "remove", "sort", "setn", "foreach", "foreachi"} {
		if f, ok := tbl.RawGetString(name).(*lua.LFunction); ok {
			tbl.RawSetString(name, vm.guardFirstArg(f))
		}
	}
	strLib := g.RawGetString("string").(*lua.LTable)
	if rep, ok := strLib.RawGetString("rep").(*lua.LFunction); ok {
		strLib.RawSetString("rep", L.NewFunction(func(L *lua.LState) int {
			// A result Go cannot allocate would end the process: refuse it
			// as Lua does when malloc fails.
			if s, ok := luaToString(L.Get(1)); ok && luaIsNumber(L.Get(2)) {
				if n := luaToNumber(L.Get(2)); n > 0 && float64(len(s))*n > luaMaxStringLen {
					lualibs.RaiseError(L, "not enough memory")
				}
			}
			return rep.GFunction(L)
		}))
	}
	mathLib := g.RawGetString("math").(*lua.LTable)
	mathLib.RawSetString("random", L.NewFunction(vm.luaMathRandom))
	mathLib.RawSetString("randomseed", L.NewFunction(vm.luaMathRandomseed))
	lualibs.Open(L, g)

	g.RawSetString("redis", vm.redisTable(mode == vmEval))
	vm.handler = L.NewFunction(luaErrorHandler)
	g.RawSetString("__redis__err__handler", vm.handler)

	// Reading a global that does not exist is an error.
	gmeta := L.NewTable()
	gmeta.RawSetString("__index", L.NewFunction(luaNoGlobal))
	gmeta.RawSetString("__newindex", L.NewFunction(luaReadonlyNewindex))
	L.SetMetatable(g, gmeta)

	// Library tables become read-only proxies; the string metatable keeps
	// the real string table for ("x"):len().
	var names []string
	g.ForEach(func(k, v lua.LValue) {
		if _, ok := v.(*lua.LTable); ok {
			if s, ok := k.(lua.LString); ok && s != "_G" {
				names = append(names, string(s))
			}
		}
	})
	for _, name := range names {
		g.RawSetString(name, vm.proxy(g.RawGetString(name).(*lua.LTable)))
	}
	vm.protected[g] = struct{}{}
	// Strings index the read-only string table; getmetatable("") shows a
	// read-only view of their metatable.
	if smt, ok := L.GetMetatable(lua.LString("")).(*lua.LTable); ok {
		smt.RawSetString("__index", g.RawGetString("string"))
		vm.stringMeta = vm.proxy(smt)
	}

	vm.env, vm.envMeta = vm.newProxy(g)
	g.RawSetString("_G", vm.env)
	// getmetatable(_G) shows what Redis's shows: a read-only table whose
	// __index raises the nonexistent-global error.
	decoy := L.NewTable()
	decoy.RawSetString("__index", L.NewFunction(luaNoGlobal))
	vm.metaView[vm.env] = vm.proxy(decoy)
	g.RawSetString("getmetatable", L.NewFunction(vm.luaGetmetatable))
	g.RawSetString("loadstring", L.NewFunction(vm.luaLoadstring))
	g.RawSetString("load", L.NewFunction(vm.luaLoad))
	// Functions made at run time (loadstring, load) get the proxy as their
	// globals, like the scripts themselves.
	L.Env = vm.env

	if mode == vmFunctions {
		// FUNCTION LOAD runs a library with only redis.register_function,
		// redis.log and the version fields in sight.
		lr := L.NewTable()
		lr.RawSetString("register_function", L.NewFunction(vm.luaRegisterFunction))
		vm.addLogAndVersion(lr)
		L.SetMetatable(lr, gmeta)
		vm.loadAPI = L.NewTable()
		vm.loadAPI.RawSetString("redis", vm.proxy(lr))
		L.SetMetatable(vm.loadAPI, gmeta)
		vm.protected[lr] = struct{}{}
		vm.protected[vm.loadAPI] = struct{}{}
	}
	return vm
}

// newProxy returns an empty read-only table reading through to real, and
// its metatable.
func (vm *luaVM) newProxy(real *lua.LTable) (*lua.LTable, *lua.LTable) {
	p := vm.L.NewTable()
	mt := vm.L.NewTable()
	mt.RawSetString("__index", real)
	mt.RawSetString("__newindex", vm.L.NewFunction(luaReadonlyNewindex))
	vm.L.SetMetatable(p, mt)
	vm.protected[p] = struct{}{}
	vm.protected[mt] = struct{}{}
	vm.metaView[p] = lua.LNil
	return p, mt
}

// luaGetmetatable is getmetatable, hiding the sandbox's proxies: a library
// table has none, _G and strings show read-only views.
func (vm *luaVM) luaGetmetatable(L *lua.LState) int {
	v := L.CheckAny(1)
	if _, ok := v.(lua.LString); ok && vm.stringMeta != nil {
		L.Push(vm.stringMeta)
		return 1
	}
	if t, ok := v.(*lua.LTable); ok {
		if mv, ok := vm.metaView[t]; ok {
			L.Push(mv)
			return 1
		}
	}
	mt := L.GetMetatable(v)
	if tb, ok := mt.(*lua.LTable); ok {
		if f := tb.RawGetString("__metatable"); f != lua.LNil {
			L.Push(f)
			return 1
		}
	}
	L.Push(mt)
	return 1
}

// luaLoadstring is loadstring: the chunk gets the sandbox's globals, and
// Lua's chunk name ([string "..."]).
func (vm *luaVM) luaLoadstring(L *lua.LState) int {
	code := L.CheckString(1)
	return vm.loadChunk(L, code, L.OptString(2, code))
}

// luaLoad is load(func [, chunkname]).
func (vm *luaVM) luaLoad(L *lua.LState) int {
	fn := L.CheckFunction(1)
	name := L.OptString(2, "=(load)")
	var b strings.Builder
	for {
		L.Push(fn)
		L.Call(0, 1)
		ret := L.Get(-1)
		L.Pop(1)
		if ret == lua.LNil {
			break
		}
		s, ok := luaToString(ret)
		if !ok {
			L.Push(lua.LNil)
			L.Push(lua.LString("reader function must return a string"))
			return 2
		}
		if s == "" {
			break
		}
		b.WriteString(s)
	}
	return vm.loadChunk(L, b.String(), name)
}

func (vm *luaVM) loadChunk(L *lua.LState, code, chunkname string) int {
	proto, err := compileLua(code, luaChunkID(chunkname))
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	fn := L.NewFunctionFromProto(proto)
	fn.Env = vm.env
	L.Push(fn)
	return 1
}

// luaChunkID is Lua 5.1's luaO_chunkid: how a chunk name shows in error
// positions.
func luaChunkID(source string) string {
	const idsize = 60
	switch {
	case strings.HasPrefix(source, "="):
		return source[1:min(len(source), idsize)]
	case strings.HasPrefix(source, "@"):
		src := source[1:]
		room := idsize - len(" '...' ") - 1
		if len(src) > room {
			return "..." + src[len(src)-room:]
		}
		return src
	}
	n := strings.IndexAny(source, "\n\r")
	if n < 0 {
		n = len(source)
	}
	room := idsize - len(" [string \"...\"] ") - 1
	n = min(n, room)
	if n < len(source) {
		return "[string \"" + source[:n] + "...\"]"
	}
	return "[string \"" + source + "\"]"
}

// luaSourceOf turns a chunk's shown name back into Lua's source string, as
// the error handler reports it.
func luaSourceOf(name string) string {
	switch {
	case name == "user_script" || name == "user_function":
		return "@" + name
	case strings.HasPrefix(name, "[string \"") && strings.HasSuffix(name, "\"]"):
		return name[len("[string \"") : len(name)-2]
	}
	return "=" + name
}

func (vm *luaVM) proxy(real *lua.LTable) *lua.LTable {
	p, _ := vm.newProxy(real)
	return p
}

func (vm *luaVM) isProtected(v lua.LValue) bool {
	t, ok := v.(*lua.LTable)
	if !ok {
		return false
	}
	_, p := vm.protected[t]
	return p
}

// close releases the interpreter.
func (vm *luaVM) close() { vm.L.Close() }

// --- sandbox functions ---

func luaReadonlyNewindex(L *lua.LState) int {
	lualibs.RaiseError(L, luaErrReadonly)
	return 0
}

func luaNoGlobal(L *lua.LState) int {
	name, _ := luaToString(L.Get(2))
	lualibs.RaiseError(L, luaErrNoGlobalFmt, name)
	return 0
}

// luaRawset is rawset refusing protected tables, with no position in the
// message (Redis raises it from inside the C function).
func (vm *luaVM) luaRawset(L *lua.LState) int {
	t := L.CheckTable(1)
	if vm.isProtected(t) {
		L.Error(lua.LString(luaErrReadonly), 0)
	}
	L.RawSet(t, L.CheckAny(2), L.CheckAny(3))
	L.SetTop(1)
	return 1
}

func (vm *luaVM) luaSetmetatable(L *lua.LState) int {
	if vm.isProtected(L.Get(1)) {
		L.Error(lua.LString(luaErrReadonly), 0)
	}
	L.CheckTypes(2, lua.LTNil, lua.LTTable)
	obj := L.Get(1)
	if obj == lua.LNil {
		L.RaiseError("cannot set metatable to a nil object.")
	}
	if m, ok := L.GetMetatable(obj).(*lua.LTable); ok && m.RawGetString("__metatable") != lua.LNil {
		L.RaiseError("cannot change a protected metatable")
	}
	L.SetMetatable(obj, L.Get(2))
	L.SetTop(1)
	return 1
}

// guardFirstArg wraps a table-library function so that it refuses a
// protected table.
func (vm *luaVM) guardFirstArg(f *lua.LFunction) *lua.LFunction {
	return vm.L.NewFunction(func(L *lua.LState) int {
		if vm.isProtected(L.Get(1)) {
			L.Error(lua.LString(luaErrReadonly), 0)
		}
		return f.GFunction(L)
	})
}

// luaRedisPcall is Redis's pcall: an error that is a table with an err
// string is returned as that string, as older Redis versions did.
func luaRedisPcall(L *lua.LState) int {
	L.CheckAny(1)
	v := L.Get(1)
	if v.Type() != lua.LTFunction && L.GetMetaField(v, "__call").Type() != lua.LTFunction {
		L.Push(lua.LFalse)
		L.Push(lua.LString("attempt to call a " + v.Type().String() + " value"))
		return 2
	}
	if err := L.PCall(L.GetTop()-1, lua.MultRet, nil); err != nil {
		var obj lua.LValue = lua.LString(err.Error())
		if aerr, ok := err.(*lua.ApiError); ok {
			obj = aerr.Object
		}
		if t, ok := obj.(*lua.LTable); ok {
			if s, ok := t.RawGetString("err").(lua.LString); ok {
				obj = s
			}
		}
		L.Push(lua.LFalse)
		L.Push(obj)
		return 2
	}
	L.Insert(lua.LTrue, 1)
	return L.GetTop()
}

// luaError is error() with Lua 5.1's rule that a number message gets the
// position too.
func luaError(L *lua.LState) int {
	obj := L.Get(1)
	level := L.OptInt(2, 1)
	if s, ok := luaToString(obj); ok && level > 0 {
		obj = lua.LString(lualibs.Where(L, level) + s)
	}
	L.Error(obj, 0)
	return 0
}

// luaTostring formats numbers as Lua 5.1 does (%.14g).
func luaTostring(L *lua.LState) int {
	v := L.CheckAny(1)
	if n, ok := v.(lua.LNumber); ok {
		L.Push(lua.LString(fmtLuaNumber(float64(n))))
		return 1
	}
	L.Push(L.ToStringMeta(v))
	return 1
}

func luaGcinfo(L *lua.LState) int {
	L.Push(lua.LNumber(0))
	return 1
}

// luaErrorHandler is Redis's __redis__err__handler: it turns any error into
// a table {err=..., source=..., line=...} naming where the script failed
// (the caller of a Go function that raised it).
func luaErrorHandler(L *lua.LState) int {
	errv := L.Get(1)
	t, ok := errv.(*lua.LTable)
	if !ok {
		t = L.NewTable()
		s := "nil"
		switch v := errv.(type) {
		case lua.LNumber:
			s = fmtLuaNumber(float64(v))
		case lua.LString:
			s = string(v)
		default:
			if v != lua.LNil {
				s = lua.LVAsString(L.ToStringMeta(v))
			}
		}
		t.RawSetString("err", lua.LString("ERR "+s))
	}
	dbg, ok := L.GetStack(1)
	if ok {
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err == nil && dbg.What == "G" {
			dbg, ok = L.GetStack(2)
			if ok {
				_, err = L.GetInfo("Sl", dbg, lua.LNil)
				ok = err == nil
			}
		}
	}
	if ok && dbg.What != "G" && dbg.Source != "" {
		t.RawSetString("source", lua.LString(luaSourceOf(dbg.Source)))
		t.RawSetString("line", lua.LNumber(dbg.CurrentLine))
	}
	L.Push(t)
	return 1
}

// --- redis.* ---

const redisVersionNum = 0x07000f // 7.0.15

func (vm *luaVM) addLogAndVersion(t *lua.LTable) {
	L := vm.L
	t.RawSetString("log", L.NewFunction(vm.luaLog))
	t.RawSetString("LOG_DEBUG", lua.LNumber(0))
	t.RawSetString("LOG_VERBOSE", lua.LNumber(1))
	t.RawSetString("LOG_NOTICE", lua.LNumber(2))
	t.RawSetString("LOG_WARNING", lua.LNumber(3))
	t.RawSetString("REDIS_VERSION_NUM", lua.LNumber(redisVersionNum))
	t.RawSetString("REDIS_VERSION", lua.LString(RedisVersion))
}

func (vm *luaVM) redisTable(eval bool) *lua.LTable {
	L := vm.L
	t := L.NewTable()
	t.RawSetString("call", L.NewFunction(func(L *lua.LState) int { return vm.redisCall(L, true) }))
	t.RawSetString("pcall", L.NewFunction(func(L *lua.LState) int { return vm.redisCall(L, false) }))
	vm.addLogAndVersion(t)
	t.RawSetString("setresp", L.NewFunction(vm.luaSetresp))
	t.RawSetString("sha1hex", L.NewFunction(luaSha1hex))
	t.RawSetString("error_reply", L.NewFunction(luaErrorReply))
	t.RawSetString("status_reply", L.NewFunction(luaStatusReply))
	t.RawSetString("set_repl", L.NewFunction(vm.luaSetRepl))
	t.RawSetString("REPL_NONE", lua.LNumber(0))
	t.RawSetString("REPL_AOF", lua.LNumber(1))
	t.RawSetString("REPL_SLAVE", lua.LNumber(2))
	t.RawSetString("REPL_REPLICA", lua.LNumber(2))
	t.RawSetString("REPL_ALL", lua.LNumber(3))
	t.RawSetString("acl_check_cmd", L.NewFunction(vm.luaACLCheckCmd))
	if eval {
		t.RawSetString("breakpoint", L.NewFunction(func(L *lua.LState) int {
			L.Push(lua.LFalse)
			return 1
		}))
		t.RawSetString("debug", L.NewFunction(func(L *lua.LState) int { return 0 }))
		t.RawSetString("replicate_commands", L.NewFunction(func(L *lua.LState) int {
			L.Push(lua.LTrue)
			return 1
		}))
	}
	return t
}

// luaMaxStringLen bounds string.rep's result (Redis's proto-max-bulk-len).
const luaMaxStringLen = 512 << 20

// luaErrTable builds the table redis.pcall returns for an error, from an
// error text "-CODE message" or "message" (which gets the ERR code), as
// Redis's luaPushErrorBuff does.
func luaErrTable(L *lua.LState, s string) *lua.LTable {
	code, msg := "ERR", s
	if strings.HasPrefix(s, "-") {
		if sp := strings.IndexByte(s, ' '); sp < 0 {
			msg = s[1:]
		} else {
			code, msg = s[1:sp], s[sp+1:]
		}
	}
	msg = strings.Trim(msg, "\r\n")
	t := L.CreateTable(0, 2)
	t.RawSetString("err", lua.LString(code+" "+msg))
	return t
}

// raise raises msg as a Redis error table.
func luaRaise(L *lua.LState, msg string) {
	L.Error(luaErrTable(L, msg), 0)
}

// redisCall implements redis.call (raise) and redis.pcall.
func (vm *luaVM) redisCall(L *lua.LState, raise bool) int {
	run := vm.run
	// A command the script may not run is an error reply of the script's
	// command, counted once here (as Redis's afterErrorReply does); a bad
	// call of the API itself is counted when the script replies with it.
	fail := func(msg string, rejected bool) int {
		t := luaErrTable(L, msg)
		if rejected {
			run.c.srv.countError(t.RawGetString("err").String())
			t.RawSetString("ignore_error_stats_update", lua.LTrue)
		}
		if raise {
			L.Error(t, 0)
		}
		L.SetTop(0)
		L.Push(t)
		return 1
	}
	if run == nil {
		luaRaise(L, "redis.call/pcall can only be called inside a script invocation")
	}
	argc := L.GetTop()
	if argc == 0 {
		return fail("Please specify at least one argument for this redis lib call", false)
	}
	// Build the command line in reusable memory (fresh when nested).
	var buf []byte
	var argv [][]byte
	if vm.depth == 0 {
		buf, argv = vm.argBuf[:0], vm.argv[:0]
	}
	var offs []int
	if vm.depth == 0 {
		offs = vm.offs[:0]
	}
	for i := 1; i <= argc; i++ {
		switch v := L.Get(i).(type) {
		case lua.LNumber:
			buf = appendLuaArgNumber(buf, float64(v))
		case lua.LString:
			buf = append(buf, v...)
		default:
			return fail("Lua redis lib command arguments must be strings or integers", false)
		}
		offs = append(offs, len(buf))
	}
	start := 0
	for _, end := range offs {
		argv = append(argv, buf[start:end:end])
		start = end
	}
	if vm.depth == 0 {
		vm.argBuf, vm.argv, vm.offs = buf, argv, offs
	}
	L.SetTop(0)

	c := run.c
	if c.srv.filtering() { // modules' command filters (mod_filter.go)
		argv = c.srv.filterCommand(c, argv, nil)
	}
	cmd := c.srv.table.lookup(argv[0], &c.scratch)
	if cmd != nil && cmd.Subs != nil && len(argv) > 1 {
		cmd = cmd.Subs[strings.ToLower(string(argv[1]))]
	}
	if cmd == nil {
		return fail("Unknown Redis command called from script", true)
	}
	if !arityOK(cmd.Arity, len(argv)) {
		return fail("Wrong number of args calling Redis command from script", true)
	}
	if cmd.Flags&FlagNoScript != 0 {
		return fail("This Redis command is not allowed from script", true)
	}
	if run.readOnly && cmd.Flags&(FlagWrite|FlagMayReplicate) != 0 {
		return fail("Write commands are not allowed from read-only scripts.", true)
	}
	// While persistence is failing (stop-writes-on-bgsave-error, AOF write
	// errors) writes are refused with -MISCONF, as scriptVerifyWriteCommandAllow.
	if cmd.Flags&FlagWrite != 0 {
		if derr := run.c.srv.diskWriteError(); derr != nil {
			return fail("-"+derr.Error(), true)
		}
	}
	// Over maxmemory, a script's first write that may grow memory fails;
	// once it has written it runs to the end.
	if run.oom && !run.allowOOM && !run.writeDirty && cmd.Flags&FlagDenyOOM != 0 {
		return fail("-"+errOOM.Error(), true)
	}
	if cmd.Flags&FlagWrite != 0 {
		run.writeDirty = true
	}

	w := &vm.replyTo
	if vm.depth > 0 {
		w = &luaReplyWriter{}
	}
	w.begin(L, run.c.srv, run.resp == 3)
	saved := c.out
	c.out = w
	vm.depth++
	c.call(cmd, argv)
	vm.depth--
	c.out = saved
	res, isErr := w.result()
	w.L, w.srv = nil, nil
	if isErr && raise {
		L.Error(res, 0)
	}
	L.Push(res)
	return 1
}

// appendLuaArgNumber formats a number argument of redis.call as Redis does
// (%.17g: Lua's own conversion loses precision).
func appendLuaArgNumber(dst []byte, f float64) []byte {
	return appendCFloat(dst, f, 17)
}

// fmtLuaNumber is Lua 5.1's number to string conversion (%.14g).
func fmtLuaNumber(f float64) string {
	return string(appendCFloat(nil, f, 14))
}

// appendCFloat formats f like C's printf("%.<prec>g").
func appendCFloat(dst []byte, f float64, prec int) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		if math.Signbit(f) {
			return append(dst, "-nan"...)
		}
		return append(dst, "nan"...)
	}
	return strconv.AppendFloat(dst, f, 'g', prec, 64)
}

// luaToInteger converts a Lua number to a reply integer as C's (long long)
// cast does on x86: out of range and NaN give the minimum.
func luaToInteger(f float64) int64 {
	if math.IsNaN(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0 {
		return math.MinInt64
	}
	return int64(f)
}

func (vm *luaVM) luaSetresp(L *lua.LState) int {
	if vm.run == nil {
		luaRaise(L, "redis.setresp can only be called inside a script invocation")
	}
	if L.GetTop() != 1 {
		luaRaise(L, "redis.setresp() requires one argument.")
	}
	n := luaToNumber(L.Get(1))
	if n != 2 && n != 3 {
		luaRaise(L, "RESP version must be 2 or 3.")
	}
	vm.run.resp = int(n)
	return 0
}

// luaToNumber is lua_tonumber: numbers and numeric strings, else 0.
func luaToNumber(v lua.LValue) float64 {
	switch x := v.(type) {
	case lua.LNumber:
		return float64(x)
	case lua.LString:
		if f, err := strconv.ParseFloat(strings.TrimSpace(string(x)), 64); err == nil {
			return f
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(string(x)), 0, 64); err == nil {
			return float64(n)
		}
	}
	return 0
}

// luaIsNumber is lua_isnumber.
func luaIsNumber(v lua.LValue) bool {
	switch x := v.(type) {
	case lua.LNumber:
		return true
	case lua.LString:
		s := strings.TrimSpace(string(x))
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return true
		}
		_, err := strconv.ParseInt(s, 0, 64)
		return err == nil
	}
	return false
}

// luaToString is lua_tolstring: strings, and numbers formatted as Lua does.
func luaToString(v lua.LValue) (string, bool) {
	switch x := v.(type) {
	case lua.LString:
		return string(x), true
	case lua.LNumber:
		return fmtLuaNumber(float64(x)), true
	}
	return "", false
}

func luaSha1hex(L *lua.LState) int {
	if L.GetTop() != 1 {
		luaRaise(L, "wrong number of arguments")
	}
	s, _ := luaToString(L.Get(1))
	L.Push(lua.LString(sha1hex(s)))
	return 1
}

func luaErrorReply(L *lua.LState) int {
	if L.GetTop() != 1 || L.Get(-1).Type() != lua.LTString {
		L.Push(luaErrTable(L, "wrong number or type of arguments"))
		return 1
	}
	s := string(L.Get(-1).(lua.LString))
	if !strings.HasPrefix(s, "-") {
		s = "-" + s
	}
	L.Push(luaErrTable(L, s))
	return 1
}

func luaStatusReply(L *lua.LState) int {
	if L.GetTop() != 1 || L.Get(-1).Type() != lua.LTString {
		L.Push(luaErrTable(L, "wrong number or type of arguments"))
		return 1
	}
	t := L.CreateTable(0, 1)
	t.RawSetString("ok", L.Get(-1))
	L.Push(t)
	return 1
}

func (vm *luaVM) luaSetRepl(L *lua.LState) int {
	if vm.run == nil {
		luaRaise(L, "redis.set_repl can only be called inside a script invocation")
	}
	if L.GetTop() != 1 {
		luaRaise(L, "redis.set_repl() requires two arguments.")
	}
	flags := int64(luaToNumber(L.Get(1)))
	if flags&^3 != 0 {
		luaRaise(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
	}
	return 0
}

// luaACLCheckCmd is redis.acl_check_cmd: Modis has no ACLs, so every
// existing command is permitted.
func (vm *luaVM) luaACLCheckCmd(L *lua.LState) int {
	run := vm.run
	if run == nil {
		luaRaise(L, "redis.acl_check_cmd can only be called inside a script invocation")
	}
	argc := L.GetTop()
	if argc == 0 {
		luaRaise(L, "Please specify at least one argument for this redis lib call")
	}
	args := make([][]byte, argc)
	for i := 1; i <= argc; i++ {
		switch v := L.Get(i).(type) {
		case lua.LNumber:
			args[i-1] = appendLuaArgNumber(nil, float64(v))
		case lua.LString:
			args[i-1] = []byte(v)
		default:
			luaRaise(L, "Lua redis lib command arguments must be strings or integers")
		}
	}
	cmd := run.c.srv.table.lookup(args[0], &run.c.scratch)
	if cmd != nil && cmd.Subs != nil && len(args) > 1 {
		cmd = cmd.Subs[strings.ToLower(string(args[1]))]
	}
	if cmd == nil {
		luaRaise(L, "Invalid command passed to redis.acl_check_cmd()")
	}
	L.Push(lua.LTrue)
	return 1
}

func (vm *luaVM) luaLog(L *lua.LState) int {
	argc := L.GetTop()
	if argc < 2 {
		luaRaise(L, "redis.log() requires two arguments or more.")
	}
	if !luaIsNumber(L.Get(1)) {
		luaRaise(L, "First argument must be a number (log level).")
	}
	level := int(luaToNumber(L.Get(1)))
	if level < 0 || level > 3 {
		luaRaise(L, "Invalid debug level.")
	}
	var b strings.Builder
	for j := 2; j <= argc; j++ {
		if s, ok := luaToString(L.Get(j)); ok {
			if j != 2 {
				b.WriteByte(' ')
			}
			b.WriteString(s)
		}
	}
	vm.eng.logScript(level, b.String())
	return 0
}

// math.random and math.randomseed use Redis's own lrand48, so that a
// sequence is the same on every platform.
func (vm *luaVM) luaMathRandom(L *lua.LState) int {
	r := float64(vm.eng.rand.next()%lrand48Max) / float64(lrand48Max)
	switch L.GetTop() {
	case 0:
		L.Push(lua.LNumber(r))
	case 1:
		u := int(luaCheckNumber(L, 1, "random"))
		if u < 1 {
			luaArgError(L, 1, "random", "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u)) + 1))
	case 2:
		l, u := int(luaCheckNumber(L, 1, "random")), int(luaCheckNumber(L, 2, "random"))
		if l > u {
			luaArgError(L, 2, "random", "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u-l+1)) + float64(l)))
	default:
		lualibs.RaiseError(L, "wrong number of arguments")
	}
	return 1
}

func luaArgError(L *lua.LState, n int, fname, msg string) {
	lualibs.RaiseError(L, "bad argument #%d to '%s' (%s)", n, fname, msg)
}

// luaCheckNumber is luaL_checknumber.
func luaCheckNumber(L *lua.LState, n int, fname string) float64 {
	v := L.Get(n)
	if !luaIsNumber(v) {
		luaArgError(L, n, fname, "number expected, got "+v.Type().String())
	}
	return luaToNumber(v)
}

func (vm *luaVM) luaMathRandomseed(L *lua.LState) int {
	vm.eng.rand.seed(int32(luaCheckNumber(L, 1, "randomseed")))
	return 0
}

const lrand48Max = math.MaxInt32

// lrand48 is the 48-bit linear congruential generator of POSIX lrand48,
// which Redis ships as redisLrand48.
type lrand48 struct{ x uint64 }

func newLrand48() lrand48 { return lrand48{x: 0x1234ABCD330E} }

func (r *lrand48) seed(s int32) { r.x = uint64(uint32(s))<<16 | 0x330E }

func (r *lrand48) next() uint64 {
	r.x = (0x5DEECE66D*r.x + 0xB) & (1<<48 - 1)
	return r.x >> 17
}

// --- Redis reply -> Lua ---

// luaReplyWriter is a resp.Writer that turns a command's reply into a Lua
// value, with Redis's conversion rules for RESP2 (the default) or RESP3
// (after redis.setresp(3)).
type luaReplyWriter struct {
	L     *lua.LState
	srv   *Server
	p3    bool
	root  lua.LValue
	isErr bool
	set   bool // root was written
	stack []luaAgg
}

type luaAgg struct {
	t         *lua.LTable // where elements go
	kind      byte        // '*' array, '%' map, '~' set
	remaining int         // -1 while deferred
	n         int         // array elements written
	key       lua.LValue  // a map key waiting for its value
	haveKey   bool
}

func (w *luaReplyWriter) begin(L *lua.LState, srv *Server, p3 bool) {
	w.L, w.srv, w.p3, w.root, w.isErr, w.set = L, srv, p3, lua.LNil, false, false
	clear(w.stack)
	w.stack = w.stack[:0]
}

func (w *luaReplyWriter) result() (lua.LValue, bool) {
	if !w.set {
		return luaErrTable(w.L, "-ERR the command sent no reply"), true
	}
	return w.root, w.isErr
}

// add places a finished value.
func (w *luaReplyWriter) add(v lua.LValue) {
	if len(w.stack) == 0 {
		if !w.set {
			w.root, w.set = v, true
		}
		return
	}
	top := &w.stack[len(w.stack)-1]
	switch top.kind {
	case '%':
		if !top.haveKey {
			top.key, top.haveKey = v, true
			return
		}
		if top.key != lua.LNil {
			top.t.RawSet(top.key, v)
		}
		top.key, top.haveKey = nil, false
	case '~':
		if v != lua.LNil {
			top.t.RawSet(v, lua.LTrue)
		}
	default:
		top.n++
		if v != lua.LNil {
			top.t.RawSetInt(top.n, v)
		}
	}
	if top.remaining > 0 {
		top.remaining--
	}
	w.pop()
}

func (w *luaReplyWriter) pop() {
	for len(w.stack) > 0 {
		top := &w.stack[len(w.stack)-1]
		if top.remaining != 0 || top.haveKey {
			return
		}
		w.stack = w.stack[:len(w.stack)-1]
	}
}

// open starts an aggregate of n elements (-1: deferred); outer is what its
// parent receives, t where its elements go.
func (w *luaReplyWriter) open(kind byte, n int, outer lua.LValue, t *lua.LTable) {
	w.add(outer)
	if n == 0 {
		return
	}
	w.stack = append(w.stack, luaAgg{t: t, kind: kind, remaining: n})
}

func (w *luaReplyWriter) wrapped(field string, kind byte, n int) {
	inner := w.L.NewTable()
	outer := w.L.CreateTable(0, 1)
	outer.RawSetString(field, inner)
	w.open(kind, n, outer, inner)
}

// Proto implements resp.Writer.
func (w *luaReplyWriter) Proto() int {
	if w.p3 {
		return 3
	}
	return 2
}

// SimpleString implements resp.Writer: a status is {ok=s}.
func (w *luaReplyWriter) SimpleString(s string) {
	t := w.L.CreateTable(0, 1)
	t.RawSetString("ok", lua.LString(s))
	w.add(t)
}

// Error implements resp.Writer: an error is {err=s}.
func (w *luaReplyWriter) Error(msg string) {
	t := luaErrTable(w.L, "-"+msg)
	t.RawSetString("ignore_error_stats_update", lua.LTrue)
	if len(w.stack) == 0 && !w.set {
		// The command's error reply counts once, here, as Redis counts
		// the errors of a script's commands.
		w.isErr = true
		w.srv.countError(msg)
	}
	w.add(t)
}

// Int implements resp.Writer.
func (w *luaReplyWriter) Int(n int64) { w.add(lua.LNumber(n)) }

// Bulk implements resp.Writer.
func (w *luaReplyWriter) Bulk(b []byte) { w.add(lua.LString(b)) }

// BulkString implements resp.Writer.
func (w *luaReplyWriter) BulkString(s string) { w.add(lua.LString(s)) }

// Null implements resp.Writer: false in RESP2, nil in RESP3.
func (w *luaReplyWriter) Null() {
	if w.p3 {
		w.add(lua.LNil)
		return
	}
	w.add(lua.LFalse)
}

// NullArray implements resp.Writer.
func (w *luaReplyWriter) NullArray() { w.Null() }

// Array implements resp.Writer.
func (w *luaReplyWriter) Array(n int) {
	t := w.L.CreateTable(min(n, 1024), 0)
	w.open('*', n, t, t)
}

// Map implements resp.Writer: {map={k=v}} in RESP3, a flat array in RESP2.
func (w *luaReplyWriter) Map(n int) {
	if !w.p3 {
		w.Array(2 * n)
		return
	}
	w.wrapped("map", '%', 2*n)
}

// Set implements resp.Writer: {set={e=true}} in RESP3, an array in RESP2.
func (w *luaReplyWriter) Set(n int) {
	if !w.p3 {
		w.Array(n)
		return
	}
	w.wrapped("set", '~', n)
}

// Push implements resp.Writer.
func (w *luaReplyWriter) Push(n int) { w.Array(n) }

// Double implements resp.Writer: {double=f} in RESP3, a string in RESP2.
func (w *luaReplyWriter) Double(f float64) {
	if !w.p3 {
		w.add(lua.LString(resp.AppendReplyDouble(nil, f)))
		return
	}
	t := w.L.CreateTable(0, 1)
	t.RawSetString("double", lua.LNumber(f))
	w.add(t)
}

// Bool implements resp.Writer: a boolean in RESP3, 1 or 0 in RESP2.
func (w *luaReplyWriter) Bool(b bool) {
	if !w.p3 {
		if b {
			w.add(lua.LNumber(1))
		} else {
			w.add(lua.LNumber(0))
		}
		return
	}
	w.add(lua.LBool(b))
}

// Verbatim implements resp.Writer.
func (w *luaReplyWriter) Verbatim(format string, text []byte) {
	if !w.p3 {
		w.add(lua.LString(text))
		return
	}
	inner := w.L.CreateTable(0, 2)
	inner.RawSetString("string", lua.LString(text))
	inner.RawSetString("format", lua.LString(format))
	t := w.L.CreateTable(0, 1)
	t.RawSetString("verbatim_string", inner)
	w.add(t)
}

// BigNumber implements resp.Writer.
func (w *luaReplyWriter) BigNumber(s string) {
	if !w.p3 {
		w.add(lua.LString(s))
		return
	}
	t := w.L.CreateTable(0, 1)
	t.RawSetString("big_number", lua.LString(s))
	w.add(t)
}

// Defer implements resp.Writer.
func (w *luaReplyWriter) Defer(kind byte) int {
	switch {
	case kind == '%' && w.p3:
		w.wrapped("map", '%', -1)
	case kind == '~' && w.p3:
		w.wrapped("set", '~', -1)
	default:
		t := w.L.NewTable()
		w.open('*', -1, t, t)
	}
	return len(w.stack) - 1
}

// SetDeferred implements resp.Writer.
func (w *luaReplyWriter) SetDeferred(handle int, n int) {
	if handle < 0 || handle >= len(w.stack) {
		return
	}
	w.stack[handle].remaining = 0
	w.pop()
}

// Mark implements resp.Writer.
func (w *luaReplyWriter) Mark() int {
	if w.set {
		return 1
	}
	return 0
}

// Truncate implements resp.Writer.
func (w *luaReplyWriter) Truncate(mark int) {
	if mark == 0 {
		w.root, w.set, w.isErr = lua.LNil, false, false
		w.stack = w.stack[:0]
	}
}

// --- Lua -> Redis reply ---

// luaMaxReplyDepth bounds the nesting of a returned table (a table that
// contains itself would otherwise never end), as Lua's stack limit does in
// Redis.
const luaMaxReplyDepth = 1000

// writeLuaReply writes a script's return value to w. scriptResp is the
// protocol the script chose with redis.setresp. count is called for an
// error reply that counts in the error statistics (not one that a command
// the script ran already counted).
func writeLuaReply(w resp.Writer, v lua.LValue, scriptResp int, depth int, count func(msg string)) {
	if depth > luaMaxReplyDepth {
		w.Error("ERR reached lua stack limit")
		count("ERR reached lua stack limit")
		return
	}
	switch x := v.(type) {
	case lua.LString:
		w.Bulk(luaStringBytes(x))
	case lua.LBool:
		if scriptResp == 2 {
			if x {
				w.Int(1)
			} else {
				w.Null()
			}
		} else {
			w.Bool(bool(x))
		}
	case lua.LNumber:
		w.Int(luaToInteger(float64(x)))
	case *lua.LTable:
		if e, ok := x.RawGetString("err").(lua.LString); ok {
			msg := strings.NewReplacer("\r", " ", "\n", " ").Replace(string(e))
			w.Error(msg)
			if x.RawGetString("ignore_error_stats_update") != lua.LTrue {
				count(msg)
			}
			return
		}
		if s, ok := x.RawGetString("ok").(lua.LString); ok {
			w.SimpleString(string(s))
			return
		}
		if d, ok := x.RawGetString("double").(lua.LNumber); ok {
			w.Double(float64(d))
			return
		}
		if s, ok := x.RawGetString("big_number").(lua.LString); ok {
			w.BigNumber(strings.NewReplacer("\r", " ", "\n", " ").Replace(string(s)))
			return
		}
		if vt, ok := x.RawGetString("verbatim_string").(*lua.LTable); ok {
			f, okf := vt.RawGetString("format").(lua.LString)
			s, oks := vt.RawGetString("string").(lua.LString)
			if okf && oks {
				w.Verbatim(string(f), luaStringBytes(s))
				return
			}
		}
		if m, ok := x.RawGetString("map").(*lua.LTable); ok {
			var kv []lua.LValue
			for k, v := m.Next(lua.LNil); k != lua.LNil; k, v = m.Next(k) {
				kv = append(kv, k, v)
			}
			w.Map(len(kv) / 2)
			for _, e := range kv {
				writeLuaReply(w, e, scriptResp, depth+1, count)
			}
			return
		}
		if s, ok := x.RawGetString("set").(*lua.LTable); ok {
			var keys []lua.LValue
			for k, _ := s.Next(lua.LNil); k != lua.LNil; k, _ = s.Next(k) {
				keys = append(keys, k)
			}
			w.Set(len(keys))
			for _, e := range keys {
				writeLuaReply(w, e, scriptResp, depth+1, count)
			}
			return
		}
		n := 0
		for x.RawGetInt(n+1) != lua.LNil {
			n++
		}
		w.Array(n)
		for i := 1; i <= n; i++ {
			writeLuaReply(w, x.RawGetInt(i), scriptResp, depth+1, count)
		}
		return
	default:
		w.Null()
	}
}

// luaStringBytes views a Lua string's bytes without copying; the reply
// writers only read them.
func luaStringBytes(s lua.LString) []byte {
	return unsafe.Slice(unsafe.StringData(string(s)), len(s))
}
