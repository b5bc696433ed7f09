// Command replymod is a test module for the reply and Call families of the
// sdk: every reply type (RESP2 and RESP3, postponed lengths included),
// every Call modifier, the CallReply accessors, and the argument helper.
//
//	replymod.reply KIND         one reply of the kind (see reply below)
//	replymod.call FLAGS CMD ... Call(CMD, FLAGS+"v", args) and forward its reply
//	replymod.describe FLAGS CMD ...  the same Call, described through the
//	                            CallReply accessors, as one bulk string
//	replymod.args KEY N [NX] [EX secs]  the sdk.Args helper
//	replymod.noscript           flagged deny-script, for Call's "S"
//	replymod.onload             what Calls made in OnLoad returned
//	replymod.login              authenticate as the module user "limited"
//	                            (+@all -hset ~allowed* resetchannels), for "C"
package main

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"modis/sdk"
)

// onloadResults are what Calls made in OnLoad returned (C: no client).
var onloadResults []string

// limited is the module user replymod.login authenticates as.
var limited sdk.User

func OnLoad(ctx sdk.Ctx, args []sdk.String) error {
	if err := ctx.Init("replymod", 1, sdk.APIVER_1); err != nil {
		return err
	}
	onloadResults = onloadResults[:0]
	for _, f := range []string{"C", "", "3", "0", "D"} {
		r := ctx.Call("PING", f)
		onloadResults = append(onloadResults, fmt.Sprintf("%q:%s:%s", f, r.Type(), r.String()))
	}
	u, err := ctx.CreateModuleUser("limited")
	if err != nil {
		return err
	}
	if err := ctx.SetModuleUserACLString(u, "on +@all -hset ~allowed* resetchannels"); err != nil {
		return err
	}
	limited = u
	cmds := []struct {
		name  string
		fn    sdk.CmdFunc
		flags string
	}{
		{"replymod.login", func(ctx sdk.Ctx, _ []sdk.String) error {
			if _, err := ctx.AuthenticateClientWithUser(limited, nil); err != nil {
				return err
			}
			return ctx.ReplyWithSimpleString("OK")
		}, "readonly"},
		{"replymod.reply", reply, "readonly"},
		{"replymod.call", call, ""},
		{"replymod.describe", describeCmd, ""},
		{"replymod.args", argsCmd, "readonly"},
		{"replymod.noscript", func(ctx sdk.Ctx, _ []sdk.String) error { return ctx.ReplyWithSimpleString("OK") }, "readonly deny-script"},
		{"replymod.onload", func(ctx sdk.Ctx, _ []sdk.String) error {
			ctx.ReplyWithArray(len(onloadResults))
			for _, s := range onloadResults {
				ctx.ReplyWithCString(s)
			}
			return nil
		}, "readonly"},
	}
	for _, c := range cmds {
		if err := ctx.CreateCommand(c.name, c.fn, c.flags, 0, 0, 0); err != nil {
			return err
		}
	}
	return nil
}

// reply KIND: one reply. Kinds named like DEBUG PROTOCOL's types send the
// same values DEBUG PROTOCOL sends, so their bytes can be compared with
// redis-server's.
func reply(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	switch strings.ToLower(argv[1].String()) {
	// DEBUG PROTOCOL's values.
	case "map":
		ctx.ReplyWithMap(3)
		for i := range 3 {
			ctx.ReplyWithLongLong(int64(i))
			ctx.ReplyWithBool(i == 1)
		}
		return nil
	case "set":
		ctx.ReplyWithSet(3)
		for i := range 3 {
			ctx.ReplyWithLongLong(int64(i))
		}
		return nil
	case "attrib":
		if err := ctx.ReplyWithAttribute(1); err != nil {
			// RESP2: Redis refuses attributes; the value alone is sent.
			return ctx.ReplyWithCString("Some real reply following the attribute")
		}
		ctx.ReplyWithCString("key-popularity")
		ctx.ReplyWithArray(2)
		ctx.ReplyWithCString("key:123")
		ctx.ReplyWithLongLong(90)
		return ctx.ReplyWithCString("Some real reply following the attribute")
	case "bignum":
		return ctx.ReplyWithBigNumber("1234567999999999999999999999999999999")
	case "verbatim":
		return ctx.ReplyWithVerbatimString("This is a verbatim\nstring")
	case "true":
		return ctx.ReplyWithBool(true)
	case "false":
		return ctx.ReplyWithBool(false)
	case "double":
		return ctx.ReplyWithDouble(3.141)
	case "null":
		return ctx.ReplyWithNull()

	// The rest of the reply API.
	case "verbatim-mkd":
		return ctx.ReplyWithVerbatimStringType("# title", "mkd")
	case "emptyarray":
		return ctx.ReplyWithEmptyArray()
	case "nullarray":
		return ctx.ReplyWithNullArray()
	case "emptystring":
		return ctx.ReplyWithEmptyString()
	case "emptymap":
		return ctx.ReplyWithMap(0)
	case "emptyset":
		return ctx.ReplyWithSet(0)
	case "longdouble":
		vals := []float64{3.5, 0.1, 100, -0.0, 1e20, math.Inf(-1)}
		ctx.ReplyWithArray(len(vals))
		for _, f := range vals {
			ctx.ReplyWithLongDouble(f)
		}
		return nil
	case "errorformat":
		return ctx.ReplyWithErrorFormat("MYERR %d items, %q", 3, "x")
	case "errorformat-nocode":
		return ctx.ReplyWithErrorFormat("bad %s", "thing")
	case "postponed-map":
		// A map whose length is known at the end, holding a postponed set.
		ctx.ReplyWithMap(sdk.PostponedLen)
		ctx.ReplyWithCString("a")
		ctx.ReplyWithLongLong(1)
		ctx.ReplyWithCString("b")
		ctx.ReplyWithSet(sdk.PostponedLen)
		ctx.ReplyWithCString("x")
		ctx.ReplyWithCString("y")
		if err := ctx.ReplySetSetLength(2); err != nil {
			return err
		}
		return ctx.ReplySetMapLength(2)
	case "postponed-attrib":
		// A postponed attribute inside a postponed array, before its value.
		ctx.ReplyWithArray(sdk.PostponedLen)
		ctx.ReplyWithLongLong(1)
		if err := ctx.ReplyWithAttribute(sdk.PostponedLen); err == nil {
			ctx.ReplyWithCString("ttl")
			ctx.ReplyWithLongLong(100)
			if err := ctx.ReplySetAttributeLength(1); err != nil {
				return err
			}
		}
		ctx.ReplyWithCString("value")
		return ctx.ReplySetArrayLength(2)
	case "map-odd":
		// A key without its value: ReplySetMapLength refuses and the map
		// stays open; the value is added and the length set again.
		ctx.ReplyWithMap(sdk.PostponedLen)
		ctx.ReplyWithCString("k")
		err := ctx.ReplySetMapLength(1)
		ctx.ReplyWithCString(errText(err))
		return ctx.ReplySetMapLength(1)
	case "wrong-kind":
		// Ending a postponed set with ReplySetArrayLength is refused.
		ctx.ReplyWithSet(sdk.PostponedLen)
		ctx.ReplyWithCString(errText(ctx.ReplySetArrayLength(1)))
		return ctx.ReplySetSetLength(1)
	case "attrib-dangling":
		// An attribute and no value: the client gets an error instead.
		if err := ctx.ReplyWithAttribute(0); err != nil {
			return ctx.ReplyWithError("ERR " + err.Error())
		}
		return nil
	case "misuse":
		// API misuse the sdk reports as errors (C would send bad protocol).
		ctx.ReplyWithArray(4)
		ctx.ReplyWithCString(errText(ctx.ReplyWithBigNumber("12a")))
		ctx.ReplyWithCString(errText(ctx.ReplyWithVerbatimStringType("x", "markdown")))
		ctx.ReplyWithCString(errText(ctx.ReplySetMapLength(1)))
		return ctx.ReplyWithCString(errText(ctx.ReplyWithMap(-5)))
	case "wrongarity-err":
		return fmt.Errorf("parsing: %w", sdk.ErrWrongArity)
	}
	return ctx.ReplyWithError("ERR unknown kind " + argv[1].String())
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// call FLAGS CMD ARGS...: Call(CMD, FLAGS+"v", ARGS) and forward the reply.
// A dry run's ReplyNull success is forwarded as "+DRYRUN-OK".
func call(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) < 3 {
		return ctx.WrongArity()
	}
	flags := argv[1].String()
	r := ctx.Call(argv[2].String(), flags+"v", argv[3:])
	if strings.Contains(flags, "D") && r.Type() == sdk.ReplyNull {
		return ctx.ReplyWithSimpleString("DRYRUN-OK")
	}
	if err := ctx.ReplyWithCallReply(r); err != nil {
		return ctx.ReplyWithError("ERR ReplyWithCallReply: " + err.Error())
	}
	return nil
}

// describe FLAGS CMD ARGS...: the Call's reply described through the
// accessors.
func describeCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) < 3 {
		return ctx.WrongArity()
	}
	r := ctx.Call(argv[2].String(), argv[1].String()+"v", argv[3:])
	return ctx.ReplyWithCString(describe(r))
}

func describe(r sdk.CallReply) string {
	var b strings.Builder
	if a := r.Attribute(); a.Type() == sdk.ReplyAttribute {
		b.WriteString("attr{")
		for i := range a.Length() {
			k, v := a.AttributeElement(i)
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(describe(k) + "=" + describe(v))
		}
		b.WriteString("} ")
	}
	switch r.Type() {
	case sdk.ReplyString:
		fmt.Fprintf(&b, "str(%s)", r.String())
	case sdk.ReplyError:
		fmt.Fprintf(&b, "err(%s)", r.Error())
	case sdk.ReplyInteger:
		fmt.Fprintf(&b, "int(%d)", r.Integer())
	case sdk.ReplyNull:
		b.WriteString("null")
	case sdk.ReplyBool:
		fmt.Fprintf(&b, "bool(%v)", r.Bool())
	case sdk.ReplyDouble:
		fmt.Fprintf(&b, "double(%v)", r.Double())
	case sdk.ReplyBigNumber:
		fmt.Fprintf(&b, "big(%s)", r.BigNumber())
	case sdk.ReplyVerbatim:
		text, format := r.Verbatim()
		fmt.Fprintf(&b, "verbatim(%s:%s)", format, text)
	case sdk.ReplyArray:
		b.WriteString("array[")
		for i := range r.Length() {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(describe(r.ArrayElement(i)))
		}
		b.WriteString("]")
	case sdk.ReplySet:
		b.WriteString("set[")
		for i := range r.Length() {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(describe(r.SetElement(i)))
		}
		b.WriteString("]")
	case sdk.ReplyMap:
		b.WriteString("map{")
		for i := range r.Length() {
			k, v := r.MapElement(i)
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(describe(k) + "=" + describe(v))
		}
		b.WriteString("}")
	default:
		b.WriteString(r.Type().String())
	}
	return b.String()
}

// args KEY N [NX] [EX secs] [F float] [U unsigned]: parsed with sdk.Args;
// replies with what was parsed. Errors are returned as they come: a missing
// argument is the wrong-arity error, a bad number Redis's text, a left-over
// argument "ERR syntax error".
func argsCmd(ctx sdk.Ctx, argv []sdk.String) error {
	args := sdk.NewArgs(argv)
	key, err := args.NextString()
	if err != nil {
		return err
	}
	n, err := args.NextInt64()
	if err != nil {
		return err
	}
	var nx bool
	var ex int64 = -1
	var f float64
	var u uint64
	for args.Len() > 0 {
		switch {
		case args.MatchToken("NX"):
			nx = true
		case args.MatchToken("EX"):
			if ex, err = args.NextInt64(); err != nil {
				return err
			}
		case args.MatchToken("F"):
			if f, err = args.NextFloat64(); err != nil {
				return err
			}
		case args.MatchToken("U"):
			if u, err = args.NextUint64(); err != nil {
				return err
			}
		default:
			if err := args.Done(); err != nil {
				return err
			}
		}
	}
	if err := args.Done(); err != nil {
		return errors.New("unreachable")
	}
	return ctx.ReplyWithCString(fmt.Sprintf("key=%s n=%d nx=%v ex=%d f=%v u=%d", key, n, nx, ex, f, u))
}

func main() {}
