// Package lualibs implements, for gopher-lua, the Lua libraries Redis 7.0
// ships to scripts besides Lua's own: cjson (lua-cjson 2.1.0), bit
// (LuaBitOp 1.0.2), struct (Roberto Ierusalimschy's struct 0.2) and
// cmsgpack (lua-cmsgpack 0.4.0), with their results and error texts.
package lualibs

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Open registers cjson, bit, struct and cmsgpack in the globals table g.
func Open(L *lua.LState, g *lua.LTable) {
	g.RawSetString("cjson", openCjson(L))
	g.RawSetString("bit", openBit(L))
	g.RawSetString("struct", openStruct(L))
	g.RawSetString("cmsgpack", openCmsgpack(L))
}

// toNumber is lua_tonumber: numbers and numeric strings, else 0 and false.
func toNumber(v lua.LValue) (float64, bool) {
	switch x := v.(type) {
	case lua.LNumber:
		return float64(x), true
	case lua.LString:
		s := strings.TrimSpace(string(x))
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f, true
		}
		if n, err := strconv.ParseInt(s, 0, 64); err == nil {
			return float64(n), true
		}
	}
	return 0, false
}

// fmtG formats f like C's printf("%.<prec>g").
func fmtG(f float64, prec int) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		if math.Signbit(f) {
			return "-nan"
		}
		return "nan"
	}
	return strconv.FormatFloat(f, 'g', prec, 64)
}

// typeName is lua_typename.
func typeName(v lua.LValue) string {
	if _, ok := v.(*lua.LUserData); ok {
		return "userdata"
	}
	return v.Type().String()
}

// argError raises luaL_argerror's message.
func argError(L *lua.LState, n int, fname, msg string) {
	RaiseError(L, "bad argument #%d to '%s' (%s)", n, fname, msg)
}

// checkNumber is luaL_checknumber with the function's name in the message.
func checkNumber(L *lua.LState, n int, fname string) float64 {
	f, ok := toNumber(L.Get(n))
	if !ok {
		argError(L, n, fname, "number expected, got "+typeNameArg(L, n))
	}
	return f
}

// typeNameArg is luaL_typename of an argument: "no value" past the last.
func typeNameArg(L *lua.LState, n int) string {
	if n > L.GetTop() {
		return "no value"
	}
	return typeName(L.Get(n))
}

// checkString is luaL_checklstring (numbers are converted).
func checkString(L *lua.LState, n int, fname string) string {
	switch x := L.Get(n).(type) {
	case lua.LString:
		return string(x)
	case lua.LNumber:
		return fmtG(float64(x), 14)
	}
	argError(L, n, fname, "string expected, got "+typeNameArg(L, n))
	return ""
}

// Where is luaL_where(L, level): "source:line: " of the function at that
// level (1: the caller of the running Go function), or "" when that is a
// Go function, as Lua gives "" for a C function.
func Where(L *lua.LState, level int) string {
	dbg, ok := L.GetStack(level)
	if !ok {
		return ""
	}
	if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil || dbg.What == "G" || dbg.CurrentLine < 0 {
		return ""
	}
	return dbg.Source + ":" + strconv.Itoa(dbg.CurrentLine) + ": "
}

// RaiseError is luaL_error: the message with the position of the running
// Go function's caller.
func RaiseError(L *lua.LState, format string, args ...any) {
	L.Error(lua.LString(Where(L, 1)+fmt.Sprintf(format, args...)), 0)
}
