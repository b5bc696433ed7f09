package lualibs

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// bit is LuaBitOp 1.0.2: 32-bit operations on Lua numbers, results as
// signed 32-bit numbers.

func openBit(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	reg := func(name string, fn func(L *lua.LState) int) { t.RawSetString(name, L.NewFunction(fn)) }
	reg("tobit", func(L *lua.LState) int { return pushBits(L, bitArg(L, 1, "tobit")) })
	reg("bnot", func(L *lua.LState) int { return pushBits(L, ^bitArg(L, 1, "bnot")) })
	reg("band", bitFold("band", func(a, b uint32) uint32 { return a & b }))
	reg("bor", bitFold("bor", func(a, b uint32) uint32 { return a | b }))
	reg("bxor", bitFold("bxor", func(a, b uint32) uint32 { return a ^ b }))
	reg("lshift", bitShift("lshift", func(b uint32, n uint) uint32 { return b << n }))
	reg("rshift", bitShift("rshift", func(b uint32, n uint) uint32 { return b >> n }))
	reg("arshift", bitShift("arshift", func(b uint32, n uint) uint32 { return uint32(int32(b) >> n) }))
	reg("rol", bitShift("rol", func(b uint32, n uint) uint32 { return b<<n | b>>(32-n) }))
	reg("ror", bitShift("ror", func(b uint32, n uint) uint32 { return b<<(32-n) | b>>n }))
	reg("bswap", func(L *lua.LState) int {
		b := bitArg(L, 1, "bswap")
		return pushBits(L, b>>24|b>>8&0xff00|b&0xff00<<8|b<<24)
	})
	reg("tohex", func(L *lua.LState) int {
		b := bitArg(L, 1, "tohex")
		n := int32(8)
		if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
			n = int32(bitArg(L, 2, "tohex"))
		}
		digits := "0123456789abcdef"
		if n < 0 {
			n = -n
			digits = "0123456789ABCDEF"
		}
		if n > 8 {
			n = 8
		}
		buf := make([]byte, n)
		for i := int(n) - 1; i >= 0; i-- {
			buf[i] = digits[b&15]
			b >>= 4
		}
		L.Push(lua.LString(buf))
		return 1
	})
	return t
}

// bitArg is LuaBitOp's barg: the number's low 32 bits after rounding (the
// 2^52+2^51 trick).
func bitArg(L *lua.LState, n int, fname string) uint32 {
	f, ok := toNumber(L.Get(n))
	b := uint32(math.Float64bits(f + 6755399441055744.0))
	if b == 0 && !ok {
		argError(L, n, fname, "number expected, got "+typeNameArg(L, n))
	}
	return b
}

func pushBits(L *lua.LState, b uint32) int {
	L.Push(lua.LNumber(int32(b)))
	return 1
}

func bitFold(name string, op func(a, b uint32) uint32) lua.LGFunction {
	return func(L *lua.LState) int {
		b := bitArg(L, 1, name)
		for i := 2; i <= L.GetTop(); i++ {
			b = op(b, bitArg(L, i, name))
		}
		return pushBits(L, b)
	}
}

func bitShift(name string, op func(b uint32, n uint) uint32) lua.LGFunction {
	return func(L *lua.LState) int {
		b := bitArg(L, 1, name)
		n := uint(bitArg(L, 2, name) & 31)
		return pushBits(L, op(b, n))
	}
}
