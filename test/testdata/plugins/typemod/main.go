// Command typemod is a test module for module data types: a type
// "typemod-L" holding a list of strings and a few numbers, saved with every
// RDB helper (unsigned, signed, string, float, double, long double), with
// every optional callback (AOF rewrite, memory usage, digest, copy,
// unlink, free, free effort, AUX data), and commands that replicate in
// each of the ways a module can (ReplicateVerbatim, Replicate, Call with
// and without "!"). A value can be marked to misbehave when it is saved or
// loaded, so the tests can watch the server survive.
//
// OnLoad arguments: "dup" registers the type twice (OnLoad fails);
// "badname", "badchar" and "reserved" register a type with an invalid
// name, "encver-1" and "encver1024" one with an encoding version out of
// range (OnLoad fails); "encver1023" registers it with the highest
// version.
package main

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"modis/sdk"
)

// Val is the type's value.
type Val struct {
	Items []string
	N     int64
	F     float32
	D     float64
	LD    float64
	// Bad makes the value misbehave: "savepanic" (RDBSave panics),
	// "loadpanic" (RDBLoad panics), "badsave" (RDBSave writes a string
	// where RDBLoad reads a count), "shortsave" (RDBSave leaves fields
	// out), "logio" (RDBSave and RDBLoad log through LogIOError).
	Bad string
}

var (
	vtype     sdk.ModuleType
	freed     atomic.Int64
	unlinked  atomic.Int64
	auxData   string
	auxLoaded int64

	// ioLog records what the callbacks learn of their key:
	// "<callback>:<key>:<db>" (IO.KeyName and DbID, Digest.KeyName and
	// DbID). RDBSave may run on the background saver's goroutine.
	ioMu  sync.Mutex
	ioLog []string
)

func logIO(what string, key sdk.String, db int) {
	ioMu.Lock()
	ioLog = append(ioLog, fmt.Sprintf("%s:%s:%d", what, key.String(), db))
	ioMu.Unlock()
}

func OnLoad(ctx sdk.Ctx, args []sdk.String) error {
	if err := ctx.Init("typemod", 1, sdk.APIVER_1); err != nil {
		return err
	}
	mode := ""
	if len(args) > 0 {
		mode = args[0].String()
	}
	name, encver := "typemod-L", 1
	switch mode {
	case "badname":
		name = "typemod" // 7 characters
	case "badchar":
		name = "typemod.L" // '.' is not in the charset
	case "reserved":
		name = "AAAAAAAAA"
	case "encver-1":
		encver = -1
	case "encver1024":
		encver = 1024
	case "encver1023":
		encver = 1023
	}
	t, err := ctx.CreateDataType(name, encver, &sdk.TypeMethods{
		RDBLoad:         rdbLoad,
		RDBSave:         rdbSave,
		AOFRewrite:      aofRewrite,
		MemUsage:        memUsage,
		Digest:          digest,
		Free:            func(any) { freed.Add(1) },
		Copy:            copyVal,
		Unlink:          func(sdk.KeyOptCtx, any) { unlinked.Add(1) },
		FreeEffort:      func(_ sdk.KeyOptCtx, v any) int { return len(v.(*Val).Items) },
		AuxLoad:         auxLoad,
		AuxSave:         auxSave,
		AuxSaveTriggers: sdk.AuxBeforeRDB | sdk.AuxAfterRDB,
	})
	if err != nil {
		return err
	}
	vtype = t
	if mode == "dup" {
		if _, err := ctx.CreateDataType(name, 1, &sdk.TypeMethods{RDBLoad: rdbLoad, RDBSave: rdbSave}); err != nil {
			return err
		}
	}
	cmds := []struct {
		name  string
		fn    sdk.CmdFunc
		flags string
		f     int
	}{
		{"tm.set", tmSet, "write deny-oom", 1},
		{"tm.push", tmPush, "write deny-oom", 1},
		{"tm.get", tmGet, "readonly", 1},
		{"tm.nums", tmNums, "write", 1},
		{"tm.info", tmInfo, "readonly", 1},
		{"tm.mark", tmMark, "write", 1},
		{"tm.repl", tmRepl, "write", 1},
		{"tm.multi", tmMulti, "write", 1},
		{"tm.callset", tmCallSet, "write", 1},
		{"tm.callnorep", tmCallNoRep, "write", 1},
		{"tm.keyonly", tmKeyOnly, "write", 1},
		{"tm.dupstr", tmDupStr, "write", 1},
		{"tm.stats", tmStats, "readonly", 0},
		{"tm.aux", tmAux, "write", 0},
		{"tm.auxget", tmAuxGet, "readonly", 0},
		{"tm.late", tmLate, "readonly", 0},
		{"tm.replace", tmReplace, "write", 1},
		{"tm.replaceread", tmReplaceRead, "readonly", 1},
		{"tm.typeof", tmTypeOf, "readonly", 1},
		{"tm.valueas", tmValueAs, "readonly", 1},
		{"tm.setmisuse", tmSetMisuse, "write", 1},
		{"tm.unlinkkey", tmUnlinkKey, "write", 1},
		{"tm.big", tmBig, "write deny-oom", 1},
		{"tm.iolog", tmIOLog, "readonly", 0},
	}
	for _, c := range cmds {
		l := c.f
		if err := ctx.CreateCommand(c.name, c.fn, c.flags, c.f, l, c.f); err != nil {
			return err
		}
	}
	return nil
}

func rdbSave(io sdk.IO, v any) {
	val := v.(*Val)
	logIO("save", io.KeyName(), io.DbID())
	switch val.Bad {
	case "logio":
		io.LogIOError("warning", "typemod: saving key %s of db %d", io.KeyName(), io.DbID())
	case "savepanic":
		panic("typemod: RDBSave panics (asked to)")
	case "badsave":
		io.SaveStringBuffer([]byte("not a count"))
		return
	}
	io.SaveUnsigned(uint64(len(val.Items)))
	for _, it := range val.Items {
		io.SaveStringBuffer([]byte(it))
	}
	if val.Bad == "shortsave" {
		return
	}
	io.SaveSigned(val.N)
	io.SaveFloat(val.F)
	io.SaveDouble(val.D)
	io.SaveLongDouble(val.LD)
	io.SaveString(sdk.CreateString(val.Bad))
}

func rdbLoad(io sdk.IO, encver int) (any, error) {
	if encver > 1 {
		return nil, fmt.Errorf("typemod-L: unknown encoding version %d", encver)
	}
	n := io.LoadUnsigned()
	if io.IsIOError() {
		return nil, io.Err()
	}
	if n > 1<<20 {
		return nil, fmt.Errorf("typemod-L: %d items is too many", n)
	}
	val := &Val{Items: make([]string, 0, n)}
	for i := uint64(0); i < n; i++ {
		val.Items = append(val.Items, string(io.LoadStringBuffer()))
	}
	val.N = io.LoadSigned()
	val.F = io.LoadFloat()
	val.D = io.LoadDouble()
	val.LD = io.LoadLongDouble()
	val.Bad = io.LoadString().String()
	logIO("load", io.KeyName(), io.DbID())
	if val.Bad == "logio" {
		io.LogIOError("notice", "typemod: loaded key %s into db %d", io.KeyName(), io.DbID())
	}
	if val.Bad == "loadpanic" {
		panic("typemod: RDBLoad panics (asked to)")
	}
	return val, nil // an IO error, if any, fails the load whatever is returned
}

func aofRewrite(io sdk.IO, key sdk.String, v any) {
	val := v.(*Val)
	strs := make([]sdk.String, len(val.Items))
	for i, it := range val.Items {
		strs[i] = sdk.CreateString(it)
	}
	io.EmitAOF("TM.SET", "sv", key, strs)
	if val.N != 0 || val.F != 0 || val.D != 0 || val.LD != 0 {
		io.EmitAOF("TM.NUMS", "sldcd", key, val.N, val.D, fmt.Sprint(val.F), val.LD)
	}
}

// memUsage counts 64 bytes, and 16 plus the length of each item; with a
// sample size it measures that many items and scales (as Redis's types
// do for MEMORY USAGE ... SAMPLES).
func memUsage(_ sdk.KeyOptCtx, v any, samples int) int {
	items := v.(*Val).Items
	if samples > 0 && len(items) > samples {
		n := 0
		for _, it := range items[:samples] {
			n += 16 + len(it)
		}
		return 64 + n*len(items)/samples
	}
	n := 64
	for _, it := range items {
		n += 16 + len(it)
	}
	return n
}

// digest feeds the items in order, then N, as one sequence.
func digest(d sdk.Digest, v any) {
	val := v.(*Val)
	logIO("digest", d.KeyName(), d.DbID())
	for _, it := range val.Items {
		d.AddStringBuffer([]byte(it))
	}
	d.AddLongLong(val.N)
	d.EndSequence()
}

func copyVal(_ sdk.KeyOptCtx, v any) any {
	val := *v.(*Val)
	val.Items = append([]string(nil), val.Items...)
	return &val
}

func auxSave(io sdk.IO, when int) {
	io.SaveString(sdk.CreateString(fmt.Sprintf("%d:%s", when, auxData)))
}

func auxLoad(io sdk.IO, encver int, when int) error {
	s := io.LoadString().String()
	if io.IsIOError() {
		return io.Err()
	}
	w, data, ok := strings.Cut(s, ":")
	if !ok || w != fmt.Sprint(when) {
		return fmt.Errorf("typemod-L: AUX data %q does not match trigger %d", s, when)
	}
	auxData = data
	auxLoaded++
	return nil
}

// open returns the key and its value (nil if empty) or the error to reply.
func open(ctx sdk.Ctx, name sdk.String, mode int) (sdk.Key, *Val, error) {
	key := ctx.OpenKey(name, mode)
	v, err := sdk.ValueAs[*Val](key, vtype)
	return key, v, err
}

// getOrCreate returns the value at argv[1], creating an empty one.
func getOrCreate(ctx sdk.Ctx, name sdk.String) (*Val, error) {
	key, v, err := open(ctx, name, sdk.Read|sdk.Write)
	if err != nil {
		return nil, err
	}
	if v == nil {
		v = &Val{}
		if err := key.ModuleTypeSetValue(vtype, v); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func strs(argv []sdk.String) []string {
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = a.String()
	}
	return out
}

// tm.set key item... : replace the value.
func tmSet(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) < 2 {
		return ctx.WrongArity()
	}
	key := ctx.OpenKey(argv[1], sdk.Write)
	if err := key.ModuleTypeSetValue(vtype, &Val{Items: strs(argv[2:])}); err != nil {
		return err
	}
	ctx.ReplicateVerbatim()
	return ctx.ReplyWithSimpleString("OK")
}

// tm.push key item... : append, creating the value.
func tmPush(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) < 3 {
		return ctx.WrongArity()
	}
	v, err := getOrCreate(ctx, argv[1])
	if err != nil {
		return err
	}
	v.Items = append(v.Items, strs(argv[2:])...)
	ctx.ReplicateVerbatim()
	return ctx.ReplyWithLongLong(int64(len(v.Items)))
}

// tm.get key : the items, null for an empty key.
func tmGet(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	_, v, err := open(ctx, argv[1], sdk.Read)
	if err != nil {
		return err
	}
	if v == nil {
		return ctx.ReplyWithNull()
	}
	ctx.ReplyWithArray(len(v.Items))
	for _, it := range v.Items {
		ctx.ReplyWithCString(it)
	}
	return nil
}

// tm.nums key n d f ld : set the numbers (n integer, d double, f float,
// ld long double).
func tmNums(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 6 {
		return ctx.WrongArity()
	}
	n, err := argv[2].ToLongLong()
	if err != nil {
		return err
	}
	d, err := argv[3].ToDouble()
	if err != nil {
		return err
	}
	f, err := argv[4].ToDouble()
	if err != nil {
		return err
	}
	ld, err := argv[5].ToDouble()
	if err != nil {
		return err
	}
	v, err := getOrCreate(ctx, argv[1])
	if err != nil {
		return err
	}
	v.N, v.D, v.F, v.LD = n, d, float32(f), ld
	ctx.ReplicateVerbatim()
	return ctx.ReplyWithSimpleString("OK")
}

// tm.info key : N, F, D, LD as strings.
func tmInfo(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	_, v, err := open(ctx, argv[1], sdk.Read)
	if err != nil {
		return err
	}
	if v == nil {
		return ctx.ReplyWithNull()
	}
	ctx.ReplyWithArray(4)
	ctx.ReplyWithLongLong(v.N)
	ctx.ReplyWithCString(fmt.Sprint(v.F))
	ctx.ReplyWithCString(fmt.Sprint(v.D))
	return ctx.ReplyWithCString(fmt.Sprint(v.LD))
}

// tm.mark key mode : make the value misbehave (see Val.Bad).
func tmMark(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 3 {
		return ctx.WrongArity()
	}
	v, err := getOrCreate(ctx, argv[1])
	if err != nil {
		return err
	}
	v.Bad = argv[2].String()
	return ctx.ReplyWithSimpleString("OK")
}

// tm.repl key item : append, and propagate it with Replicate (as a
// TM.PUSH), not verbatim.
func tmRepl(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 3 {
		return ctx.WrongArity()
	}
	v, err := getOrCreate(ctx, argv[1])
	if err != nil {
		return err
	}
	v.Items = append(v.Items, argv[2].String())
	if err := ctx.Replicate("TM.PUSH", "ss", argv[1], argv[2]); err != nil {
		return err
	}
	return ctx.ReplyWithLongLong(int64(len(v.Items)))
}

// tm.multi key a b : two appends, two Replicates (MULTI/EXEC in the AOF).
func tmMulti(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 4 {
		return ctx.WrongArity()
	}
	v, err := getOrCreate(ctx, argv[1])
	if err != nil {
		return err
	}
	for _, a := range argv[2:] {
		v.Items = append(v.Items, a.String())
		if err := ctx.Replicate("TM.PUSH", "sb", argv[1], a.Bytes()); err != nil {
			return err
		}
	}
	return ctx.ReplyWithLongLong(int64(len(v.Items)))
}

// tm.callset key value : SET through Call with "!": propagated.
func tmCallSet(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 3 {
		return ctx.WrongArity()
	}
	return ctx.ReplyWithCallReply(ctx.Call("SET", "!ss", argv[1], argv[2]))
}

// tm.callnorep key value : SET through Call without "!": not propagated.
func tmCallNoRep(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 3 {
		return ctx.WrongArity()
	}
	return ctx.ReplyWithCallReply(ctx.Call("SET", "ss", argv[1], argv[2]))
}

// tm.keyonly key item : append through the key API only: not propagated.
func tmKeyOnly(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 3 {
		return ctx.WrongArity()
	}
	v, err := getOrCreate(ctx, argv[1])
	if err != nil {
		return err
	}
	v.Items = append(v.Items, argv[2].String())
	return ctx.ReplyWithLongLong(int64(len(v.Items)))
}

// tm.dupstr src dst : dst becomes a copy of src made by
// SaveDataTypeToString and LoadDataTypeFromString.
func tmDupStr(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 3 {
		return ctx.WrongArity()
	}
	_, v, err := open(ctx, argv[1], sdk.Read)
	if err != nil {
		return err
	}
	if v == nil {
		return errors.New("ERR no such key")
	}
	s, err := ctx.SaveDataTypeToString(v, vtype)
	if err != nil {
		return err
	}
	nv, err := ctx.LoadDataTypeFromString(s, vtype)
	if err != nil {
		return err
	}
	// A string cut short does not load.
	if _, err := ctx.LoadDataTypeFromString(sdk.StringFromBytes(s.Bytes()[:s.Len()/2]), vtype); err == nil {
		return errors.New("ERR a truncated string loaded")
	}
	dst := ctx.OpenKey(argv[2], sdk.Write)
	if err := dst.ModuleTypeSetValue(vtype, nv); err != nil {
		return err
	}
	ctx.ReplicateVerbatim()
	return ctx.ReplyWithLongLong(int64(s.Len()))
}

// tm.stats : Free calls, Unlink calls, AUX loads.
func tmStats(ctx sdk.Ctx, argv []sdk.String) error {
	ctx.ReplyWithArray(3)
	ctx.ReplyWithLongLong(freed.Load())
	ctx.ReplyWithLongLong(unlinked.Load())
	return ctx.ReplyWithLongLong(auxLoaded)
}

// tm.aux data : set the module-global data saved as AUX.
func tmAux(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	auxData = argv[1].String()
	ctx.ReplicateVerbatim()
	return ctx.ReplyWithSimpleString("OK")
}

func tmAuxGet(ctx sdk.Ctx, argv []sdk.String) error {
	return ctx.ReplyWithCString(auxData)
}

// tm.late : CreateDataType outside OnLoad is an error (replied).
func tmLate(ctx sdk.Ctx, argv []sdk.String) error {
	_, err := ctx.CreateDataType("typemod-Z", 0, &sdk.TypeMethods{RDBLoad: rdbLoad, RDBSave: rdbSave})
	if err == nil {
		return errors.New("ERR CreateDataType worked outside OnLoad")
	}
	return ctx.ReplyWithCString(err.Error())
}

// main is never run: a plugin is opened, not executed; it lets go build ./... build
// this package.
func main() {}

// replyItems replies with a value's items (null for nil).
func replyItems(ctx sdk.Ctx, v *Val) error {
	if v == nil {
		return ctx.ReplyWithNull()
	}
	ctx.ReplyWithArray(len(v.Items))
	for _, it := range v.Items {
		ctx.ReplyWithCString(it)
	}
	return nil
}

// tm.replace key item... : ModuleTypeReplaceValue with a value of the
// items; replies with the old value's items. The old value is the
// module's again: it is neither unlinked nor freed (tm.stats shows it).
func tmReplace(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) < 2 {
		return ctx.WrongArity()
	}
	key := ctx.OpenKey(argv[1], sdk.Read|sdk.Write)
	old, err := key.ModuleTypeReplaceValue(vtype, &Val{Items: strs(argv[2:])})
	if err != nil {
		return err
	}
	if old == nil {
		return errors.New("ERR ModuleTypeReplaceValue returned no old value")
	}
	return replyItems(ctx, old.(*Val))
}

// tm.replaceread key : ModuleTypeReplaceValue on a key open only for
// reading must fail.
func tmReplaceRead(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	key := ctx.OpenKey(argv[1], sdk.Read)
	if _, err := key.ModuleTypeReplaceValue(vtype, &Val{}); err != nil {
		return err
	}
	return errors.New("ERR ModuleTypeReplaceValue worked on a read-only key")
}

// tm.typeof key : what ModuleTypeGetType, ModuleTypeGetValue and
// ModuleTypeValue say of the key, then the same after Close:
// [type name|null, Go type of the value, ModuleTypeValue's error or "ok",
// type name|null, Go type, ModuleTypeValue's error].
func tmTypeOf(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	key := ctx.OpenKey(argv[1], sdk.Read)
	describe := func() {
		if t := key.ModuleTypeGetType(); t != nil {
			ctx.ReplyWithCString(fmt.Sprintf("%s/%d/same=%v", t.Name(), t.EncVer(), t == vtype))
		} else {
			ctx.ReplyWithNull()
		}
		ctx.ReplyWithCString(fmt.Sprintf("%T", key.ModuleTypeGetValue()))
		if _, err := key.ModuleTypeValue(vtype); err != nil {
			ctx.ReplyWithCString(err.Error())
		} else {
			ctx.ReplyWithCString("ok")
		}
	}
	ctx.ReplyWithArray(6)
	describe()
	key.Close()
	describe()
	return nil
}

// tm.valueas key : sdk.ValueAs as the module means it (*Val), with the
// wrong Go type (string), with a nil key and with a nil type; each
// result's error text, or "nil" (an empty key) or "items=N".
func tmValueAs(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	key := ctx.OpenKey(argv[1], sdk.Read)
	res := func(n int, isNil bool, err error) string {
		switch {
		case err != nil:
			return err.Error()
		case isNil:
			return "nil"
		}
		return fmt.Sprintf("items=%d", n)
	}
	ctx.ReplyWithArray(4)
	v, err := sdk.ValueAs[*Val](key, vtype)
	n := 0
	if v != nil {
		n = len(v.Items)
	}
	ctx.ReplyWithCString(res(n, v == nil, err))
	s, err := sdk.ValueAs[string](key, vtype)
	ctx.ReplyWithCString(res(len(s), s == "", err))
	v, err = sdk.ValueAs[*Val](nil, vtype)
	ctx.ReplyWithCString(res(0, v == nil, err))
	v, err = sdk.ValueAs[*Val](key, nil)
	return ctx.ReplyWithCString(res(0, v == nil, err))
}

// tm.setmisuse key : ModuleTypeSetValue misused (a nil value, a nil type,
// a read-only key, a closed key) and ModuleTypeReplaceValue with a nil
// value; each error text. The key is left as it was.
func tmSetMisuse(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	errText := func(err error) string {
		if err == nil {
			return "no error"
		}
		return err.Error()
	}
	w := ctx.OpenKey(argv[1], sdk.Read|sdk.Write)
	ctx.ReplyWithArray(5)
	ctx.ReplyWithCString(errText(w.ModuleTypeSetValue(vtype, nil)))
	ctx.ReplyWithCString(errText(w.ModuleTypeSetValue(nil, &Val{})))
	_, err := w.ModuleTypeReplaceValue(vtype, nil)
	ctx.ReplyWithCString(errText(err))
	r := ctx.OpenKey(argv[1], sdk.Read)
	ctx.ReplyWithCString(errText(r.ModuleTypeSetValue(vtype, &Val{})))
	w.Close()
	return ctx.ReplyWithCString(errText(w.ModuleTypeSetValue(vtype, &Val{})))
}

// tm.unlinkkey key : UnlinkKey on a key open for writing; replies with the
// key type the open key then reports (sdk.KeyTypeEmpty is 0).
func tmUnlinkKey(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	key := ctx.OpenKey(argv[1], sdk.Read|sdk.Write)
	if err := key.UnlinkKey(); err != nil {
		return err
	}
	ctx.ReplicateVerbatim()
	return ctx.ReplyWithLongLong(int64(key.KeyType()))
}

// tm.big key bytes : the value becomes one item of that many bytes, made
// by the module (the command's arguments are small).
func tmBig(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 3 {
		return ctx.WrongArity()
	}
	n, err := argv[2].ToLongLong()
	if err != nil || n < 0 || n > 1<<30 {
		return errors.New("ERR bad size")
	}
	key := ctx.OpenKey(argv[1], sdk.Write)
	if err := key.ModuleTypeSetValue(vtype, &Val{Items: []string{strings.Repeat("x", int(n))}}); err != nil {
		return err
	}
	return ctx.ReplyWithSimpleString("OK")
}

// tm.iolog : what the callbacks learnt of their keys since the last call
// (see ioLog); the log is emptied.
func tmIOLog(ctx sdk.Ctx, argv []sdk.String) error {
	ioMu.Lock()
	lines := ioLog
	ioLog = nil
	ioMu.Unlock()
	ctx.ReplyWithArray(len(lines))
	for _, l := range lines {
		ctx.ReplyWithCString(l)
	}
	return nil
}
