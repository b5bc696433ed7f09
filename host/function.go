package host

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc64"
	"sort"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"modis/host/internal/glob"
	"modis/host/internal/rdb"
)

// Redis 7 functions: FUNCTION LOAD runs a library's code once, in the
// functions interpreter, with only redis.register_function (and redis.log)
// in sight; the registered callbacks are then called by FCALL with the
// keys and arguments as their two parameters. Library names are
// case-sensitive, function names are not (as in Redis's dictionaries).
//
// FUNCTION DUMP writes Redis's own payload (RDB function records, the RDB
// version and a CRC64), so a dump restores into Redis 7 and back.

// Errors of functions.
var (
	errFunctionNotFound = errors.New("ERR Function not found")
	errLibraryNotFound  = errors.New("ERR Library not found")
	errBadNumkeys       = errors.New("ERR Bad number of keys provided")
	errBadFunctionName  = errors.New("ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long")
	errDumpPayload      = errors.New("ERR DUMP payload version or checksum are wrong")
)

// library is a loaded library.
type library struct {
	name  string
	code  string // the whole code, shebang included
	funcs map[string]*function
}

// function is a registered function.
type function struct {
	name    string
	desc    string
	hasDesc bool
	flags   scriptFlags
	fn      *lua.LFunction
	lib     *library
}

// libraryLoad is the library FUNCTION LOAD is registering functions into.
type libraryLoad struct{ lib *library }

func (e *scriptEngine) functionCommands() []*Command {
	fcallFlags := FlagNoScript | FlagStale | FlagSkipMonitor | FlagNoMandatoryKeys | FlagMovableKeys
	return []*Command{
		{Name: "fcall", Arity: -3, Flags: fcallFlags, GetKeys: numkeysKeys, Group: "scripting",
			Handler: e.fcallHandler(false), Summary: "Invoke a function", Since: "7.0.0"},
		{Name: "fcall_ro", Arity: -3, Flags: fcallFlags | FlagReadonly, GetKeys: numkeysKeys, Group: "scripting",
			Handler: e.fcallHandler(true), Summary: "Invoke a read-only function", Since: "7.0.0"},
		{
			Name: "function", Arity: -2, Group: "scripting", Summary: "A container for function commands", Since: "7.0.0",
			Subs: map[string]*Command{
				"delete": {Arity: 3, Flags: FlagWrite | FlagNoScript, Handler: e.cmdFunctionDelete,
					Summary: "Delete a function by name", Since: "7.0.0"},
				"dump": {Arity: 2, Flags: FlagNoScript, Handler: e.cmdFunctionDump,
					Summary: "Dump all functions into a serialized binary payload", Since: "7.0.0"},
				"flush": {Arity: -2, Flags: FlagWrite | FlagNoScript, Handler: e.cmdFunctionFlush,
					Summary: "Deleting all functions", Since: "7.0.0"},
				"kill": {Arity: 2, Flags: FlagNoScript | FlagAllowBusy, Handler: func(c *Client, _ [][]byte) error {
					return errNotBusy
				}, Summary: "Kill the function currently in execution.", Since: "7.0.0"},
				"list": {Arity: -2, Flags: FlagNoScript, Handler: e.cmdFunctionList,
					Summary: "List information about all the functions", Since: "7.0.0"},
				"load": {Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagNoScript, Handler: e.cmdFunctionLoad,
					Summary: "Create a function with the given arguments (name, code, description)", Since: "7.0.0"},
				"restore": {Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagNoScript, Handler: e.cmdFunctionRestore,
					Summary: "Restore all the functions on the given payload", Since: "7.0.0"},
				"stats": {Arity: 2, Flags: FlagNoScript | FlagAllowBusy, Handler: e.cmdFunctionStats,
					Summary: "Return information about the function currently running (name, description, duration)", Since: "7.0.0"},
				"help": {Arity: 2, Flags: FlagLoading | FlagStale, Handler: cmdFunctionHelp,
					Summary: "Show helpful text about the different subcommands", Since: "7.0.0"},
			},
		},
	}
}

func (e *scriptEngine) functionsVM() *luaVM {
	if e.fvm == nil {
		e.fvm = newLuaVM(e, vmFunctions)
	}
	return e.fvm
}

// validFunctionName reports whether name is [a-zA-Z0-9_]+.
func validFunctionName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		ch := name[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '_') {
			return false
		}
	}
	return true
}

// libraryMeta reads a library's "#!<engine> name=<name>" line; code is
// what follows it (from its newline on).
func libraryMeta(payload string) (engine, name, code string, err error) {
	if !strings.HasPrefix(payload, "#!") {
		return "", "", "", errors.New("ERR Missing library metadata")
	}
	end := strings.IndexByte(payload, '\n')
	if end < 0 {
		return "", "", "", errors.New("ERR Invalid library metadata")
	}
	parts, perr := SplitArgs(payload[:end])
	if perr != nil || len(parts) == 0 {
		return "", "", "", errors.New("ERR Invalid library metadata")
	}
	engine = parts[0][2:]
	haveName := false
	for _, p := range parts[1:] {
		if len(p) >= 5 && strings.EqualFold(p[:5], "name=") {
			if haveName {
				return "", "", "", errors.New("ERR Invalid metadata value, name argument was given multiple times")
			}
			name, haveName = p[5:], true
			continue
		}
		return "", "", "", fmt.Errorf("ERR Invalid metadata value given: %s", p)
	}
	if !haveName {
		return "", "", "", errors.New("ERR Library name was not given")
	}
	return engine, name, payload[end:], nil
}

// functionSet is a set of libraries and the index of their functions.
type functionSet struct {
	libs  map[string]*library
	funcs map[string]*function
}

func (fs functionSet) link(lib *library) {
	fs.libs[lib.name] = lib
	for _, f := range lib.funcs {
		fs.funcs[strings.ToLower(f.name)] = f
	}
}

func (fs functionSet) unlink(lib *library) {
	delete(fs.libs, lib.name)
	for _, f := range lib.funcs {
		delete(fs.funcs, strings.ToLower(f.name))
	}
}

// createLibrary compiles and runs a library's code and links it into fs;
// it is functionsCreateWithLibraryCtx.
func (e *scriptEngine) createLibrary(payload string, replace bool, fs functionSet) (string, error) {
	engine, name, code, err := libraryMeta(payload)
	if err != nil {
		return "", err
	}
	if !validFunctionName(name) {
		return "", errBadFunctionName
	}
	if !strings.EqualFold(engine, "lua") {
		return "", fmt.Errorf("ERR Engine '%s' not found", engine)
	}
	old := fs.libs[name]
	if old != nil && !replace {
		return "", fmt.Errorf("ERR Library '%s' already exists", name)
	}
	if old != nil {
		fs.unlink(old)
	}
	lib, err := e.runLibrary(name, payload, code)
	if err == nil {
		for _, f := range sortedFunctions(lib) {
			if fs.funcs[strings.ToLower(f.name)] != nil {
				err = fmt.Errorf("ERR Function %s already exists", f.name)
				break
			}
		}
	}
	if err != nil {
		if old != nil {
			fs.link(old)
		}
		return "", err
	}
	fs.link(lib)
	return name, nil
}

// functionLoadTimeout bounds a library's top-level code, as Redis does.
const functionLoadTimeout = 500 * time.Millisecond

// runLibrary runs a library's code with the load API as its globals and
// collects the functions it registers.
func (e *scriptEngine) runLibrary(name, payload, code string) (*library, error) {
	proto, err := compileLua(code, "user_function")
	if err != nil {
		return nil, fmt.Errorf("ERR Error compiling function: %v", err)
	}
	vm := e.functionsVM()
	L := vm.L
	lib := &library{name: name, code: payload, funcs: map[string]*function{}}
	savedLoading := vm.loading
	vm.loading = &libraryLoad{lib: lib}
	vm.envMeta.RawSetString("__index", vm.loadAPI)
	ctx, cancel := context.WithTimeout(context.Background(), functionLoadTimeout)
	L.SetContext(ctx)
	defer func() {
		L.RemoveContext()
		cancel()
		vm.envMeta.RawSetString("__index", vm.globals)
		vm.loading = savedLoading
	}()
	fn := L.NewFunctionFromProto(proto)
	fn.Env = vm.env
	base := L.GetTop()
	L.Push(fn)
	err = L.PCall(0, 0, nil)
	L.SetTop(base)
	if err != nil {
		var msg string
		if ctx.Err() != nil {
			msg = "ERR FUNCTION LOAD timeout"
		} else {
			msg = luaErrorMessage(err)
		}
		return nil, fmt.Errorf("ERR Error registering functions: %s", msg)
	}
	if len(lib.funcs) == 0 {
		return nil, errors.New("ERR No functions registered")
	}
	return lib, nil
}

// luaErrorMessage is luaExtractErrorInformation's message for an error
// raised without a handler: a table's err field, or "ERR " and the text.
func luaErrorMessage(err error) string {
	aerr, ok := err.(*lua.ApiError)
	if !ok {
		return "ERR " + err.Error()
	}
	if s, ok := luaToString(aerr.Object); ok {
		return "ERR " + s
	}
	if t, ok := aerr.Object.(*lua.LTable); ok {
		if s, ok := luaToString(t.RawGetString("err")); ok {
			return s
		}
	}
	return "ERR unknown error"
}

// luaRegisterFunction is redis.register_function.
func (vm *luaVM) luaRegisterFunction(L *lua.LState) int {
	ld := vm.loading
	if ld == nil {
		luaRaise(L, "redis.register_function can only be called on FUNCTION LOAD command")
	}
	f := &function{lib: ld.lib}
	switch L.GetTop() {
	case 1:
		t, ok := L.Get(1).(*lua.LTable)
		if !ok {
			luaRaise(L, "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).")
		}
		haveName := false
		for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
			key, ok := luaToString(k)
			if !ok {
				luaRaise(L, "named argument key given to redis.register_function is not a string")
			}
			switch strings.ToLower(key) {
			case "function_name":
				s, ok := luaToString(v)
				if !ok {
					luaRaise(L, "function_name argument given to redis.register_function must be a string")
				}
				f.name, haveName = s, true
			case "description":
				s, ok := luaToString(v)
				if !ok {
					luaRaise(L, "description argument given to redis.register_function must be a string")
				}
				f.desc, f.hasDesc = s, true
			case "callback":
				fn, ok := v.(*lua.LFunction)
				if !ok {
					luaRaise(L, "callback argument given to redis.register_function must be a function")
				}
				f.fn = fn
			case "flags":
				ft, ok := v.(*lua.LTable)
				if !ok {
					luaRaise(L, "flags argument to redis.register_function must be a table representing function flags")
				}
				flags, ok := readFunctionFlags(ft)
				if !ok {
					luaRaise(L, "unknown flag given")
				}
				f.flags = flags
			default:
				luaRaise(L, "unknown argument given to redis.register_function")
			}
		}
		if !haveName {
			luaRaise(L, "redis.register_function must get a function name argument")
		}
		if f.fn == nil {
			luaRaise(L, "redis.register_function must get a callback argument")
		}
	case 2:
		s, ok := luaToString(L.Get(1))
		if !ok {
			luaRaise(L, "first argument to redis.register_function must be a string")
		}
		fn, ok := L.Get(2).(*lua.LFunction)
		if !ok {
			luaRaise(L, "second argument to redis.register_function must be a function")
		}
		f.name, f.fn = s, fn
	default:
		luaRaise(L, "wrong number of arguments to redis.register_function")
	}
	if !validFunctionName(f.name) {
		luaRaise(L, errBadFunctionName.Error()[4:])
	}
	if ld.lib.funcs[f.name] != nil {
		luaRaise(L, "Function already exists in the library")
	}
	ld.lib.funcs[f.name] = f
	return 0
}

// readFunctionFlags reads a register_function flags array.
func readFunctionFlags(t *lua.LTable) (scriptFlags, bool) {
	var flags scriptFlags
	for i := 1; ; i++ {
		v := t.RawGetInt(i)
		if v == lua.LNil {
			return flags, true
		}
		s, ok := luaToString(v)
		if !ok {
			return 0, false
		}
		found := false
		for _, sf := range scriptFlagNames {
			if strings.EqualFold(sf.name, s) {
				flags |= sf.f
				found = true
				break
			}
		}
		if !found {
			return 0, false
		}
	}
}

func (e *scriptEngine) fcallHandler(ro bool) HandlerFunc {
	return func(c *Client, args [][]byte) error {
		e.bind(c)
		f := e.funcs[strings.ToLower(string(args[1]))]
		if f == nil {
			return errFunctionNotFound
		}
		numkeys, err := parseNumkeys(args, errBadNumkeys)
		if err != nil {
			return err
		}
		oom, err := checkScriptFlags(c, f.flags, ro)
		if err != nil {
			return err
		}
		run := &scriptRun{
			c: c, name: f.name, resp: 2, argv: args, start: time.Now(),
			readOnly: ro || f.flags&scriptFlagNoWrites != 0,
			oom:      oom, allowOOM: f.flags&scriptFlagAllowOOM != 0,
		}
		e.runScript(e.functionsVM(), f.fn, run, args[3:3+numkeys], args[3+numkeys:])
		return nil
	}
}

func (e *scriptEngine) functionSet() functionSet { return functionSet{libs: e.libs, funcs: e.funcs} }

func (e *scriptEngine) cmdFunctionLoad(c *Client, args [][]byte) error {
	e.bind(c)
	replace := false
	i := 2
	for ; i < len(args)-1; i++ {
		if !kwIs(args[i], "REPLACE") {
			return fmt.Errorf("ERR Unknown option given: %s", args[i])
		}
		replace = true
	}
	name, err := e.createLibrary(string(args[i]), replace, e.functionSet())
	if err != nil {
		return err
	}
	c.srv.dirty++
	c.out.BulkString(name)
	return nil
}

func (e *scriptEngine) cmdFunctionDelete(c *Client, args [][]byte) error {
	lib := e.libs[string(args[2])]
	if lib == nil {
		return errLibraryNotFound
	}
	e.functionSet().unlink(lib)
	c.srv.dirty++
	c.out.SimpleString("OK")
	return nil
}

func (e *scriptEngine) flushFunctions() {
	e.libs = map[string]*library{}
	e.funcs = map[string]*function{}
	if e.fvm != nil {
		e.fvm.close()
		e.fvm = nil
	}
}

func (e *scriptEngine) cmdFunctionFlush(c *Client, args [][]byte) error {
	if len(args) > 3 {
		return errSubcommandSyntax(args[1], strings.ToUpper(string(args[0])))
	}
	if len(args) == 3 && !kwIs(args[2], "SYNC") && !kwIs(args[2], "ASYNC") {
		return errors.New("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
	}
	e.flushFunctions()
	c.srv.dirty++
	c.out.SimpleString("OK")
	return nil
}

func sortedLibraries(libs map[string]*library) []*library {
	out := make([]*library, 0, len(libs))
	for _, l := range libs {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func sortedFunctions(lib *library) []*function {
	out := make([]*function, 0, len(lib.funcs))
	for _, f := range lib.funcs {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func (e *scriptEngine) cmdFunctionList(c *Client, args [][]byte) error {
	withCode := false
	var pattern string
	havePattern := false
	for i := 2; i < len(args); i++ {
		if !withCode && kwIs(args[i], "WITHCODE") {
			withCode = true
			continue
		}
		if !havePattern && kwIs(args[i], "LIBRARYNAME") {
			if i >= len(args)-1 {
				return errors.New("ERR library name argument was not given")
			}
			i++
			pattern, havePattern = string(args[i]), true
			continue
		}
		return fmt.Errorf("ERR Unknown argument %s", args[i])
	}
	var libs []*library
	for _, l := range sortedLibraries(e.libs) {
		if !havePattern || glob.Match(pattern, l.name, true) {
			libs = append(libs, l)
		}
	}
	w := c.out
	w.Array(len(libs))
	for _, l := range libs {
		if withCode {
			w.Map(4)
		} else {
			w.Map(3)
		}
		w.BulkString("library_name")
		w.BulkString(l.name)
		w.BulkString("engine")
		w.BulkString("LUA")
		w.BulkString("functions")
		fns := sortedFunctions(l)
		w.Array(len(fns))
		for _, f := range fns {
			w.Map(3)
			w.BulkString("name")
			w.BulkString(f.name)
			w.BulkString("description")
			if f.hasDesc {
				w.BulkString(f.desc)
			} else {
				w.Null()
			}
			w.BulkString("flags")
			var names []string
			for _, sf := range scriptFlagNames {
				if f.flags&sf.f != 0 {
					names = append(names, sf.name)
				}
			}
			w.Set(len(names))
			for _, n := range names {
				w.SimpleString(n)
			}
		}
		if withCode {
			w.BulkString("library_code")
			w.BulkString(l.code)
		}
	}
	return nil
}

func (e *scriptEngine) cmdFunctionStats(c *Client, _ [][]byte) error {
	w := c.out
	w.Map(2)
	w.BulkString("running_script")
	if n := len(e.running); n == 0 {
		w.Null()
	} else {
		run := e.running[n-1]
		if run.eval {
			return errors.New("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.")
		}
		w.Map(3)
		w.BulkString("name")
		w.BulkString(run.name)
		w.BulkString("command")
		w.Array(len(run.argv))
		for _, a := range run.argv {
			w.Bulk(a)
		}
		w.BulkString("duration_ms")
		w.Int(time.Since(run.start).Milliseconds())
	}
	nfuncs := 0
	for _, l := range e.libs {
		nfuncs += len(l.funcs)
	}
	w.BulkString("engines")
	w.Map(1)
	w.BulkString("LUA")
	w.Map(2)
	w.BulkString("libraries_count")
	w.Int(int64(len(e.libs)))
	w.BulkString("functions_count")
	w.Int(int64(nfuncs))
	return nil
}

func cmdFunctionHelp(c *Client, _ [][]byte) error {
	helpReply(c.out, "FUNCTION",
		"LOAD [REPLACE] <FUNCTION CODE>",
		"    Create a new library with the given library name and code.",
		"DELETE <LIBRARY NAME>",
		"    Delete the given library.",
		"LIST [LIBRARYNAME PATTERN] [WITHCODE]",
		"    Return general information on all the libraries:",
		"    * Library name",
		"    * The engine used to run the Library",
		"    * Library description",
		"    * Functions list",
		"    * Library code (if WITHCODE is given)",
		"    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
		"STATS",
		"    Return information about the current function running:",
		"    * Function name",
		"    * Command used to run the function",
		"    * Duration in MS that the function is running",
		"    If no function is running, return nil",
		"    In addition, returns a list of available engines.",
		"KILL",
		"    Kill the current running function.",
		"FLUSH [ASYNC|SYNC]",
		"    Delete all the libraries.",
		"    When called without the optional mode argument, the behavior is determined by the",
		"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
		"    * ASYNC: Asynchronously flush the libraries.",
		"    * SYNC: Synchronously flush the libraries.",
		"DUMP",
		"    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
		"RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
		"    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
		"    control how to handle existing libraries (default APPEND):",
		"    * FLUSH: delete all existing libraries.",
		"    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
		"    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
		"      libraries with the new libraries (notice that even on this option there is a chance of failure",
		"      in case of functions name collision with another library).",
	)
	return nil
}

// --- DUMP and RESTORE: Redis's payload format ---

const (
	rdbOpcodeFunction  = 246 // pre-GA format, refused as Redis 7.0 does
	rdbOpcodeFunction2 = 245
	rdbVersion         = 10
)

// crcJones is the CRC-64 (Jones polynomial, reflected, no inversion) that
// Redis's DUMP payloads carry.
var crcJones = crc64.MakeTable(0x95AC9329AC4BC9B5)

func redisCRC64(b []byte) uint64 { return ^crc64.Update(^uint64(0), crcJones, b) }

func appendRDBLen(dst []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(dst, byte(n))
	case n < 1<<14:
		return append(dst, byte(n>>8)|0x40, byte(n))
	case n <= 0xFFFFFFFF:
		dst = append(dst, 0x80)
		return binary.BigEndian.AppendUint32(dst, uint32(n))
	default:
		dst = append(dst, 0x81)
		return binary.BigEndian.AppendUint64(dst, n)
	}
}

func (e *scriptEngine) cmdFunctionDump(c *Client, _ [][]byte) error {
	var b []byte
	for _, l := range sortedLibraries(e.libs) {
		b = append(b, rdbOpcodeFunction2)
		b = appendRDBLen(b, uint64(len(l.code)))
		b = append(b, l.code...)
	}
	b = binary.LittleEndian.AppendUint16(b, rdbVersion)
	b = binary.LittleEndian.AppendUint64(b, redisCRC64(b))
	c.out.Bulk(b)
	return nil
}

// rdbReader reads RDB strings from a payload.
type rdbReader struct {
	b   []byte
	pos int
}

var errRDBShort = errors.New("short read")

func (r *rdbReader) byte() (byte, error) {
	if r.pos >= len(r.b) {
		return 0, errRDBShort
	}
	r.pos++
	return r.b[r.pos-1], nil
}

func (r *rdbReader) take(n uint64) ([]byte, error) {
	if n > uint64(len(r.b)-r.pos) {
		return nil, errRDBShort
	}
	out := r.b[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return out, nil
}

// length reads an RDB length; enc reports a special encoding instead.
func (r *rdbReader) length() (n uint64, enc bool, err error) {
	first, err := r.byte()
	if err != nil {
		return 0, false, err
	}
	switch first >> 6 {
	case 0:
		return uint64(first & 0x3F), false, nil
	case 1:
		next, err := r.byte()
		return uint64(first&0x3F)<<8 | uint64(next), false, err
	case 2:
		switch first {
		case 0x80:
			b, err := r.take(4)
			if err != nil {
				return 0, false, err
			}
			return uint64(binary.BigEndian.Uint32(b)), false, nil
		case 0x81:
			b, err := r.take(8)
			if err != nil {
				return 0, false, err
			}
			return binary.BigEndian.Uint64(b), false, nil
		}
		return 0, false, errors.New("unknown length encoding")
	}
	return uint64(first & 0x3F), true, nil
}

// string reads an RDB string: raw, an integer, or LZF-compressed.
func (r *rdbReader) string() ([]byte, error) {
	n, enc, err := r.length()
	if err != nil {
		return nil, err
	}
	if !enc {
		return r.take(n)
	}
	switch n {
	case 0, 1, 2: // 8, 16, 32-bit integers
		size := 1 << n
		b, err := r.take(uint64(size))
		if err != nil {
			return nil, err
		}
		var v int64
		switch size {
		case 1:
			v = int64(int8(b[0]))
		case 2:
			v = int64(int16(binary.LittleEndian.Uint16(b)))
		default:
			v = int64(int32(binary.LittleEndian.Uint32(b)))
		}
		return fmt.Appendf(nil, "%d", v), nil
	case 3: // LZF
		clen, _, err := r.length()
		if err != nil {
			return nil, err
		}
		ulen, _, err := r.length()
		if err != nil {
			return nil, err
		}
		comp, err := r.take(clen)
		if err != nil {
			return nil, err
		}
		return lzfDecompress(comp, int(ulen))
	}
	return nil, errors.New("unknown string encoding")
}

// lzfDecompress is liblzf's decompressor, which Redis uses for RDB strings.
func lzfDecompress(in []byte, outLen int) ([]byte, error) {
	if outLen < 0 || outLen > 512<<20 {
		return nil, errors.New("invalid LZF length")
	}
	out := make([]byte, 0, outLen)
	bad := errors.New("invalid LZF data")
	for i := 0; i < len(in); {
		ctrl := int(in[i])
		i++
		if ctrl < 32 { // literal run of ctrl+1 bytes
			n := ctrl + 1
			if i+n > len(in) || len(out)+n > outLen {
				return nil, bad
			}
			out = append(out, in[i:i+n]...)
			i += n
			continue
		}
		n := ctrl >> 5
		ref := len(out) - (ctrl&0x1f)<<8 - 1
		if n == 7 {
			if i >= len(in) {
				return nil, bad
			}
			n += int(in[i])
			i++
		}
		if i >= len(in) {
			return nil, bad
		}
		ref -= int(in[i])
		i++
		n += 2
		if ref < 0 || len(out)+n > outLen {
			return nil, bad
		}
		for k := 0; k < n; k++ {
			out = append(out, out[ref+k])
		}
	}
	if len(out) != outLen {
		return nil, bad
	}
	return out, nil
}

func (e *scriptEngine) cmdFunctionRestore(c *Client, args [][]byte) error {
	e.bind(c)
	if len(args) > 4 {
		return errSubcommandSyntax(args[1], strings.ToUpper(string(args[0])))
	}
	policy := "APPEND"
	if len(args) == 4 {
		switch {
		case kwIs(args[3], "APPEND"):
		case kwIs(args[3], "REPLACE"):
			policy = "REPLACE"
		case kwIs(args[3], "FLUSH"):
			policy = "FLUSH"
		default:
			return errors.New("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
		}
	}
	data := args[2]
	if len(data) < 10 {
		return errDumpPayload
	}
	footer := data[len(data)-10:]
	if ver := binary.LittleEndian.Uint16(footer); ver > rdb.MaxReadVersion { // Redis 7.2's payloads (11) too
		return errDumpPayload
	}
	if binary.LittleEndian.Uint64(footer[2:]) != redisCRC64(data[:len(data)-8]) {
		return errDumpPayload
	}
	tmp := functionSet{libs: map[string]*library{}, funcs: map[string]*function{}}
	r := &rdbReader{b: data[:len(data)-10]}
	for r.pos < len(r.b) {
		typ, _ := r.byte()
		if typ == rdbOpcodeFunction {
			return errors.New("ERR Pre-GA function format not supported")
		}
		if typ != rdbOpcodeFunction2 {
			return errors.New("ERR given type is not a function")
		}
		code, err := r.string()
		if err != nil {
			return errors.New("ERR failed loading the given functions payload")
		}
		if _, err := e.createLibrary(string(code), false, tmp); err != nil {
			return err
		}
	}
	switch policy {
	case "FLUSH":
		e.libs, e.funcs = tmp.libs, tmp.funcs
	default:
		if err := e.joinLibraries(tmp, policy == "REPLACE"); err != nil {
			return err
		}
	}
	c.srv.dirty++
	c.out.SimpleString("OK")
	return nil
}

// joinLibraries adds the libraries of src, replacing same-named ones if
// replace is set; on a collision nothing changes (libraryJoin).
func (e *scriptEngine) joinLibraries(src functionSet, replace bool) error {
	dst := e.functionSet()
	var replaced []*library
	undo := func() {
		for _, l := range replaced {
			dst.link(l)
		}
	}
	for _, l := range sortedLibraries(src.libs) {
		if old := dst.libs[l.name]; old != nil {
			if !replace {
				undo()
				return fmt.Errorf("ERR Library %s already exists", l.name)
			}
			dst.unlink(old)
			replaced = append(replaced, old)
		}
	}
	for _, l := range sortedLibraries(src.libs) {
		for _, f := range sortedFunctions(l) {
			if dst.funcs[strings.ToLower(f.name)] != nil {
				undo()
				return fmt.Errorf("ERR Function %s already exists", f.name)
			}
		}
	}
	for _, l := range src.libs {
		dst.link(l)
	}
	return nil
}
