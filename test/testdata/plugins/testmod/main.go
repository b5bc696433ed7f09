// Command testmod is a test module: it exercises the reply and Call API of
// the sdk, and misbehaves on request so the tests can watch the server
// survive. Its OnLoad arguments choose a failure:
//
//	fail       register a command, then return an error
//	panic      register a command, then panic
//	clash      register "get", which a built-in owns
//	clashmod   register "example.hgetset", which the example module owns
//	badflag    register a command with an unknown flag word
//
// OnUnload succeeds, refuses or panics as testmod.unloadmode says.
package main

import (
	"errors"
	"fmt"

	"modis/sdk"
)

// build is set with -ldflags=-X main.build=N to make a different file.
var build = "1"

func OnLoad(ctx sdk.Ctx, args []sdk.String) error {
	if err := ctx.Init("testmod", 1, sdk.APIVER_1); err != nil {
		return err
	}
	mode := ""
	if len(args) > 0 {
		mode = args[0].String()
	}
	cmds := []struct {
		name  string
		fn    sdk.CmdFunc
		flags string
		f, l  int
		step  int
	}{
		{"testmod.reply", reply, "readonly fast", 0, 0, 0},
		{"testmod.call", call, "write", 0, 0, 0},
		{"testmod.callbad", callBad, "readonly", 0, 0, 0},
		{"testmod.panic", func(sdk.Ctx, []sdk.String) error { panic("boom from testmod.panic") }, "readonly", 0, 0, 0},
		{"testmod.panicmid", panicMid, "readonly", 0, 0, 0},
		{"testmod.noreply", func(sdk.Ctx, []sdk.String) error { return nil }, "readonly", 0, 0, 0},
		{"testmod.twice", twice, "readonly", 0, 0, 0},
		{"testmod.incomplete", incomplete, "readonly", 0, 0, 0},
		{"testmod.err", func(sdk.Ctx, []sdk.String) error { return errors.New("something went wrong") }, "readonly", 0, 0, 0},
		{"testmod.keys", keysCmd, "readonly", 1, -1, 2},
		{"testmod.info", info, "readonly", 0, 0, 0},
		{"testmod.unloadmode", unloadModeCmd, "readonly", 0, 0, 0},
		{"testmod.callstr", callStr, "write", 0, 0, 0},
		{"testmod.hold", hold, "readonly", 0, 0, 0},
	}
	for _, c := range cmds {
		if err := ctx.CreateCommand(c.name, c.fn, c.flags, c.f, c.l, c.step); err != nil {
			return err
		}
	}
	switch mode {
	case "fail":
		return errors.New("testmod refuses to load (asked to fail)")
	case "panic":
		panic("testmod OnLoad panics (asked to)")
	case "clash":
		return ctx.CreateCommand("get", reply, "readonly", 1, 1, 1)
	case "clashmod":
		return ctx.CreateCommand("example.hgetset", reply, "write", 1, 1, 1)
	case "badflag":
		return ctx.CreateCommand("testmod.badflag", reply, "write sometimes", 1, 1, 1)
	}
	ctx.Log(sdk.LogNotice, "testmod loaded (build %s, %d args)", build, len(args))
	return nil
}

// reply TYPE: one reply of each kind the sdk offers.
func reply(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	switch argv[1].String() {
	case "simple":
		return ctx.ReplyWithSimpleString("OK")
	case "error":
		return ctx.ReplyWithError("MYERR custom error")
	case "errnocode":
		return ctx.ReplyWithError("no code here")
	case "int":
		return ctx.ReplyWithLongLong(-42)
	case "string":
		return ctx.ReplyWithString(sdk.CreateString("hello"))
	case "buffer":
		return ctx.ReplyWithStringBuffer([]byte("bin\x00ary"))
	case "cstring":
		return ctx.ReplyWithCString("c-string")
	case "null":
		return ctx.ReplyWithNull()
	case "double":
		return ctx.ReplyWithDouble(3.5)
	case "array":
		ctx.ReplyWithArray(3)
		ctx.ReplyWithLongLong(1)
		ctx.ReplyWithCString("two")
		return ctx.ReplyWithNull()
	case "empty":
		return ctx.ReplyWithArray(0)
	case "postponed":
		ctx.ReplyWithArray(sdk.PostponedLen)
		for i := 0; i < 4; i++ {
			ctx.ReplyWithLongLong(int64(i))
		}
		return ctx.ReplySetArrayLength(4)
	case "nested":
		ctx.ReplyWithArray(2)
		ctx.ReplyWithArray(sdk.PostponedLen)
		ctx.ReplyWithCString("a")
		ctx.ReplyWithCString("b")
		ctx.ReplySetArrayLength(2)
		ctx.ReplyWithArray(1)
		return ctx.ReplyWithDouble(-0.25)
	case "wronglen":
		ctx.ReplyWithArray(sdk.PostponedLen)
		ctx.ReplyWithLongLong(1)
		ctx.ReplyWithLongLong(2)
		if err := ctx.ReplySetArrayLength(5); err != nil {
			ctx.Log(sdk.LogWarning, "ReplySetArrayLength: %v", err)
		}
		return nil
	case "int-parse":
		return ctx.ReplyWithLongLong(0)
	}
	return ctx.ReplyWithError("ERR unknown reply type " + argv[1].String())
}

// call CMD ARGS...: Call with the "v" specifier and forward the reply, so
// the test sees what Call recorded. CALL3 uses RESP3.
func call(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) < 2 {
		return ctx.WrongArity()
	}
	format := "!v"
	name := argv[1].String()
	if len(name) > 2 && name[:2] == "3:" {
		format, name = "3v", name[2:]
	}
	r := ctx.Call(name, format, argv[2:])
	return ctx.ReplyWithCallReply(r)
}

// callbad WHICH: Call misused in various ways; the reply says what Call did.
func callBad(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	var r sdk.CallReply
	switch argv[1].String() {
	case "unknown":
		r = ctx.Call("NOSUCHCOMMAND", "c", "x")
	case "arity":
		r = ctx.Call("GET", "")
	case "spec":
		r = ctx.Call("GET", "q", "x")
	case "type":
		r = ctx.Call("GET", "s", 42)
	case "count":
		r = ctx.Call("GET", "cc", "x")
	case "all":
		// Every specifier once: SET k (c) to (b), INCRBY n (l), SET d (d)
		// and MSET via a vector (v).
		ctx.Call("SET", "cb", "testmod:k", []byte("bytes"))
		ctx.Call("SET", "sc", sdk.CreateString("testmod:n"), "10")
		ctx.Call("INCRBY", "cl", "testmod:n", 5)
		ctx.Call("SET", "cd", "testmod:d", 2.5)
		ctx.Call("MSET", "v", []sdk.String{sdk.CreateString("testmod:v1"), sdk.CreateString("a"), sdk.CreateString("testmod:v2"), sdk.CreateString("b")})
		r = ctx.Call("MGET", "cccccc", "testmod:k", "testmod:n", "testmod:d", "testmod:v1", "testmod:v2", "testmod:none")
	case "accessors":
		// Read a reply through the accessors and describe it.
		ctx.Call("DEL", "c", "testmod:h")
		ctx.Call("HSET", "ccc", "testmod:h", "f", "1")
		n := ctx.Call("HINCRBY", "ccl", "testmod:h", "f", int64(41))
		arr := ctx.Call("HGETALL", "c", "testmod:h")
		miss := ctx.Call("HGET", "cc", "testmod:h", "nope")
		e := ctx.Call("HGET", "c", "testmod:h")
		desc := fmt.Sprintf("int=%d type=%s len=%d el0=%s el1=%s el9=%s null=%s err=%q",
			n.Integer(), arr.Type(), arr.Length(), arr.ArrayElement(0).String(), arr.ArrayElement(1).String(),
			arr.ArrayElement(9).Type(), miss.Type(), e.Error())
		return ctx.ReplyWithCString(desc)
	default:
		return ctx.ReplyWithError("ERR unknown case")
	}
	return ctx.ReplyWithCallReply(r)
}

// panicMid starts a reply and panics: the partial reply must not reach the
// client.
func panicMid(ctx sdk.Ctx, argv []sdk.String) error {
	ctx.ReplyWithArray(3)
	ctx.ReplyWithLongLong(1)
	panic("panic in the middle of a reply")
}

func twice(ctx sdk.Ctx, argv []sdk.String) error {
	ctx.ReplyWithSimpleString("first")
	if err := ctx.ReplyWithSimpleString("second"); err != nil {
		ctx.Log(sdk.LogWarning, "second reply refused: %v", err)
	}
	return nil
}

func incomplete(ctx sdk.Ctx, argv []sdk.String) error {
	ctx.ReplyWithArray(2)
	return ctx.ReplyWithLongLong(1)
}

// keysCmd key val [key val ...]: registered with key positions 1,-1,2 so
// COMMAND INFO and GETKEYS can be checked.
func keysCmd(ctx sdk.Ctx, argv []sdk.String) error {
	return ctx.ReplyWithLongLong(int64(len(argv) / 2))
}

// info replies with the module and command names, and parses numbers.
func info(ctx sdk.Ctx, argv []sdk.String) error {
	ctx.ReplyWithArray(sdk.PostponedLen)
	ctx.ReplyWithCString(ctx.ModuleName())
	ctx.ReplyWithCString(ctx.CommandName())
	n := 2
	for _, a := range argv[1:] {
		if i, err := a.ToLongLong(); err == nil {
			ctx.ReplyWithLongLong(i)
		} else if f, err := a.ToDouble(); err == nil {
			ctx.ReplyWithDouble(f)
		} else {
			ctx.ReplyWithError(err.Error())
		}
		n++
	}
	return ctx.ReplySetArrayLength(n)
}

// unloadMode is what OnUnload does: "" (succeed), "fail" or "panic".
var unloadMode string

// unloadmode MODE: set what OnUnload does.
func unloadModeCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	unloadMode = argv[1].String()
	return ctx.ReplyWithSimpleString("OK")
}

// OnUnload refuses the unload with an error, or panics, when asked to.
func OnUnload(ctx sdk.Ctx) error {
	switch unloadMode {
	case "fail":
		return errors.New("testmod is busy (asked to refuse)")
	case "panic":
		panic("testmod OnUnload panics (asked to)")
	}
	ctx.Log(sdk.LogNotice, "testmod OnUnload ran")
	return nil
}

// held are the Strings testmod.callstr and testmod.hold kept past their
// handler (String.Hold).
var held []sdk.String

// callstr CMD ARGS...: Call the command, and reply with the reply's type
// and CreateString of it (RedisModule_CreateStringFromCallReply); the
// String is kept (Hold) for testmod.hold.
func callStr(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) < 2 {
		return ctx.WrongArity()
	}
	r := ctx.Call(argv[1].String(), "v", argv[2:])
	s := r.CreateString()
	held = append(held, s.Hold())
	ctx.ReplyWithArray(2)
	ctx.ReplyWithCString(r.Type().String())
	return ctx.ReplyWithString(s)
}

// hold [ARG]: keep ARG (an argument: its bytes are the server's read
// buffer) with Hold; reply with every String kept so far.
func hold(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) > 1 {
		held = append(held, argv[1].Hold())
	}
	ctx.ReplyWithArray(len(held))
	for _, h := range held {
		ctx.ReplyWithString(h)
	}
	return nil
}

func main() {}
