package lualibs

import (
	"encoding/binary"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// cmsgpack is lua-cmsgpack 0.4.0 as Redis ships it.

const cmsgpackMaxNesting = 16

func openCmsgpack(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(mpPack))
	t.RawSetString("unpack", L.NewFunction(func(L *lua.LState) int { return mpUnpackFull(L, 0, 0) }))
	t.RawSetString("unpack_one", L.NewFunction(func(L *lua.LState) int {
		offset := 0
		if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
			offset = int(checkNumber(L, 2, "unpack_one"))
		}
		return mpUnpackFull(L, 1, offset)
	}))
	t.RawSetString("unpack_limit", L.NewFunction(func(L *lua.LState) int {
		limit := int(checkNumber(L, 2, "unpack_limit"))
		offset := 0
		if L.GetTop() >= 3 && L.Get(3) != lua.LNil {
			offset = int(checkNumber(L, 3, "unpack_limit"))
		}
		return mpUnpackFull(L, limit, offset)
	}))
	t.RawSetString("_NAME", lua.LString("cmsgpack"))
	t.RawSetString("_VERSION", lua.LString("lua-cmsgpack 0.4.0"))
	t.RawSetString("_COPYRIGHT", lua.LString("Copyright (C) 2012, Salvatore Sanfilippo"))
	t.RawSetString("_DESCRIPTION", lua.LString("MessagePack C implementation for Lua"))
	return t
}

func mpPack(L *lua.LState) int {
	n := L.GetTop()
	if n == 0 {
		argError(L, 0, "pack", "MessagePack pack needs input.")
	}
	var b []byte
	for i := 1; i <= n; i++ {
		b = mpEncode(b, L.Get(i), 0)
	}
	L.Push(lua.LString(b))
	return 1
}

// isInt64 is IS_INT64_EQUIVALENT.
func isInt64(f float64) bool {
	if math.IsInf(f, 0) || math.IsNaN(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0 {
		return false
	}
	return float64(int64(f)) == f
}

func mpEncode(b []byte, v lua.LValue, level int) []byte {
	switch x := v.(type) {
	case lua.LString:
		return mpEncodeBytes(b, string(x))
	case lua.LBool:
		if x {
			return append(b, 0xc3)
		}
		return append(b, 0xc2)
	case lua.LNumber:
		f := float64(x)
		if isInt64(f) {
			return mpEncodeInt(b, int64(f))
		}
		if float64(float32(f)) == f {
			b = append(b, 0xca)
			return binary.BigEndian.AppendUint32(b, math.Float32bits(float32(f)))
		}
		b = append(b, 0xcb)
		return binary.BigEndian.AppendUint64(b, math.Float64bits(f))
	case *lua.LTable:
		if level == cmsgpackMaxNesting {
			return append(b, 0xc0)
		}
		if n, ok := mpArrayLen(x); ok {
			b = mpHeader(b, n, 0x90, 0xdc, 0xdd)
			for i := 1; i <= n; i++ {
				b = mpEncode(b, x.RawGetInt(i), level+1)
			}
			return b
		}
		n := 0
		x.ForEach(func(_, _ lua.LValue) { n++ })
		b = mpHeader(b, n, 0x80, 0xde, 0xdf)
		for k, val := x.Next(lua.LNil); k != lua.LNil; k, val = x.Next(k) {
			b = mpEncode(b, k, level+1)
			b = mpEncode(b, val, level+1)
		}
		return b
	}
	return append(b, 0xc0)
}

// mpArrayLen is table_is_an_array: keys 1..n exactly.
func mpArrayLen(t *lua.LTable) (int, bool) {
	count, max := 0, 0.0
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		n, ok := k.(lua.LNumber)
		f := float64(n)
		if !ok || f <= 0 || math.Floor(f) != f {
			return 0, false
		}
		if f > max {
			max = f
		}
		count++
	}
	return count, float64(count) == max
}

func mpHeader(b []byte, n int, fix, b16, b32 byte) []byte {
	switch {
	case n <= 15:
		return append(b, fix|byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, b16), uint16(n))
	default:
		return binary.BigEndian.AppendUint32(append(b, b32), uint32(n))
	}
}

func mpEncodeBytes(b []byte, s string) []byte {
	n := len(s)
	switch {
	case n < 32:
		b = append(b, 0xa0|byte(n))
	case n <= 0xff:
		b = append(b, 0xd9, byte(n))
	case n <= 0xffff:
		b = binary.BigEndian.AppendUint16(append(b, 0xda), uint16(n))
	default:
		b = binary.BigEndian.AppendUint32(append(b, 0xdb), uint32(n))
	}
	return append(b, s...)
}

func mpEncodeInt(b []byte, n int64) []byte {
	if n >= 0 {
		switch {
		case n <= 127:
			return append(b, byte(n))
		case n <= 0xff:
			return append(b, 0xcc, byte(n))
		case n <= 0xffff:
			return binary.BigEndian.AppendUint16(append(b, 0xcd), uint16(n))
		case n <= 0xffffffff:
			return binary.BigEndian.AppendUint32(append(b, 0xce), uint32(n))
		}
		return binary.BigEndian.AppendUint64(append(b, 0xcf), uint64(n))
	}
	switch {
	case n >= -32:
		return append(b, byte(int8(n)))
	case n >= -128:
		return append(b, 0xd0, byte(int8(n)))
	case n >= -32768:
		return binary.BigEndian.AppendUint16(append(b, 0xd1), uint16(int16(n)))
	case n >= -2147483648:
		return binary.BigEndian.AppendUint32(append(b, 0xd2), uint32(int32(n)))
	}
	return binary.BigEndian.AppendUint64(append(b, 0xd3), uint64(n))
}

type mpErr int

const (
	mpOK mpErr = iota
	mpEOF
	mpBadFmt
)

type mpCursor struct {
	L   *lua.LState
	b   string
	pos int
	err mpErr
}

func (c *mpCursor) need(n int) bool {
	if len(c.b)-c.pos < n {
		c.err = mpEOF
		return false
	}
	return true
}

func (c *mpCursor) u(n int) uint64 {
	var v uint64
	for i := 0; i < n; i++ {
		v = v<<8 | uint64(c.b[c.pos+i])
	}
	c.pos += n
	return v
}

func (c *mpCursor) decode() lua.LValue {
	if !c.need(1) {
		return lua.LNil
	}
	t := c.b[c.pos]
	fixed := func(n int) (uint64, bool) {
		if !c.need(1 + n) {
			return 0, false
		}
		c.pos++
		return c.u(n), true
	}
	switch t {
	case 0xcc, 0xcd, 0xce, 0xcf:
		v, ok := fixed(1 << (t - 0xcc))
		if !ok {
			return lua.LNil
		}
		return lua.LNumber(float64(v))
	case 0xd0:
		v, ok := fixed(1)
		if !ok {
			return lua.LNil
		}
		return lua.LNumber(int8(v))
	case 0xd1:
		v, ok := fixed(2)
		if !ok {
			return lua.LNil
		}
		return lua.LNumber(int16(v))
	case 0xd2:
		v, ok := fixed(4)
		if !ok {
			return lua.LNil
		}
		return lua.LNumber(int32(v))
	case 0xd3:
		v, ok := fixed(8)
		if !ok {
			return lua.LNil
		}
		return lua.LNumber(float64(int64(v)))
	case 0xc0:
		c.pos++
		return lua.LNil
	case 0xc3:
		c.pos++
		return lua.LTrue
	case 0xc2:
		c.pos++
		return lua.LFalse
	case 0xca:
		v, ok := fixed(4)
		if !ok {
			return lua.LNil
		}
		return lua.LNumber(math.Float32frombits(uint32(v)))
	case 0xcb:
		v, ok := fixed(8)
		if !ok {
			return lua.LNil
		}
		return lua.LNumber(math.Float64frombits(v))
	case 0xd9, 0xda, 0xdb:
		n, ok := fixed(1 << (t - 0xd9))
		if !ok {
			return lua.LNil
		}
		return c.str(int(n))
	case 0xdc, 0xdd:
		n, ok := fixed(2 << (t - 0xdc))
		if !ok {
			return lua.LNil
		}
		return c.array(int(n))
	case 0xde, 0xdf:
		n, ok := fixed(2 << (t - 0xde))
		if !ok {
			return lua.LNil
		}
		return c.mapOf(int(n))
	}
	switch {
	case t&0x80 == 0:
		c.pos++
		return lua.LNumber(t)
	case t&0xe0 == 0xe0:
		c.pos++
		return lua.LNumber(int8(t))
	case t&0xe0 == 0xa0:
		c.pos++
		return c.str(int(t & 0x1f))
	case t&0xf0 == 0x90:
		c.pos++
		return c.array(int(t & 0x0f))
	case t&0xf0 == 0x80:
		c.pos++
		return c.mapOf(int(t & 0x0f))
	}
	c.err = mpBadFmt
	return lua.LNil
}

func (c *mpCursor) str(n int) lua.LValue {
	if !c.need(n) {
		return lua.LNil
	}
	s := c.b[c.pos : c.pos+n]
	c.pos += n
	return lua.LString(s)
}

func (c *mpCursor) array(n int) lua.LValue {
	t := c.L.NewTable()
	for j := 1; j <= n; j++ {
		v := c.decode()
		if c.err != mpOK {
			return lua.LNil
		}
		t.RawSetInt(j, v)
	}
	return t
}

func (c *mpCursor) mapOf(n int) lua.LValue {
	t := c.L.NewTable()
	for j := 0; j < n; j++ {
		k := c.decode()
		if c.err != mpOK {
			return lua.LNil
		}
		v := c.decode()
		if c.err != mpOK {
			return lua.LNil
		}
		if k == lua.LNil {
			RaiseError(c.L, "table index is nil")
		}
		t.RawSet(k, v)
	}
	return t
}

func mpUnpackFull(L *lua.LState, limit, offset int) int {
	s := checkString(L, 1, "unpack")
	decodeAll := limit == 0 && offset == 0
	if offset < 0 || limit < 0 {
		RaiseError(L, "Invalid request to unpack with offset of %d and limit of %d.", offset, len(s))
	} else if offset > len(s) {
		RaiseError(L, "Start offset %d greater than input length %d.", offset, len(s))
	}
	if decodeAll {
		limit = math.MaxInt
	}
	c := &mpCursor{L: L, b: s, pos: offset}
	var out []lua.LValue
	for cnt := 0; c.pos < len(s) && cnt < limit; cnt++ {
		v := c.decode()
		switch c.err {
		case mpEOF:
			RaiseError(L, "Missing bytes in input.")
		case mpBadFmt:
			RaiseError(L, "Bad data format in input.")
		}
		out = append(out, v)
	}
	n := 0
	if !decodeAll {
		if c.pos >= len(s) {
			L.Push(lua.LNumber(-1))
		} else {
			L.Push(lua.LNumber(c.pos))
		}
		n++
	}
	for _, v := range out {
		L.Push(v)
	}
	return n + len(out)
}
