package lualibs

import (
	"encoding/binary"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// struct is Roberto Ierusalimschy's struct library (0.2) as Redis ships
// it, on a 64-bit little-endian machine: b/B 1 byte, h/H 2, i/I 4 (or
// in), l/L and T 8, f 4, d 8; '<' '>' '!' control byte order and
// alignment.

const (
	structMaxIntSize = 32
	structMaxAlign   = 8
)

type structHeader struct {
	big   bool
	align int
}

type structFmt struct {
	L     *lua.LState
	fname string
	s     string
	i     int
}

func (f *structFmt) more() bool { return f.i < len(f.s) }

func (f *structFmt) getnum(def int) int {
	if f.i >= len(f.s) || f.s[f.i] < '0' || f.s[f.i] > '9' {
		return def
	}
	a := 0
	for f.i < len(f.s) && f.s[f.i] >= '0' && f.s[f.i] <= '9' {
		d := int(f.s[f.i] - '0')
		if a > (math.MaxInt32-d)/10 {
			RaiseError(f.L, "integral size overflow")
		}
		a = a*10 + d
		f.i++
	}
	return a
}

func (f *structFmt) optsize(opt byte) int {
	switch opt {
	case 'B', 'b', 'x':
		return 1
	case 'H', 'h':
		return 2
	case 'L', 'l', 'T', 'd':
		return 8
	case 'f':
		return 4
	case 'c':
		return f.getnum(1)
	case 'i', 'I':
		sz := f.getnum(4)
		if sz > structMaxIntSize {
			RaiseError(f.L, "integral size %d is larger than limit of %d", sz, structMaxIntSize)
		}
		return sz
	}
	return 0
}

func gettoalign(n int, h *structHeader, opt byte, size int) int {
	if size == 0 || opt == 'c' {
		return 0
	}
	if size > h.align {
		size = h.align
	}
	return (size - (n & (size - 1))) & (size - 1)
}

func (f *structFmt) control(opt byte, h *structHeader) {
	switch opt {
	case ' ':
	case '>':
		h.big = true
	case '<':
		h.big = false
	case '!':
		a := f.getnum(structMaxAlign)
		if a == 0 || a&(a-1) != 0 {
			RaiseError(f.L, "alignment %d is not a power of 2", a)
		}
		h.align = a
	default:
		argError(f.L, 1, f.fname, "invalid format option '"+string(opt)+"'")
	}
}

func openStruct(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(structPack))
	t.RawSetString("unpack", L.NewFunction(structUnpack))
	t.RawSetString("size", L.NewFunction(structSize))
	return t
}

func putInteger(b []byte, n float64, big bool, size int) []byte {
	var v uint64
	if n < 0 {
		v = uint64(int64(n))
	} else {
		v = uint64(n)
	}
	buf := make([]byte, size)
	for i := 0; i < size; i++ {
		if big {
			buf[size-1-i] = byte(v)
		} else {
			buf[i] = byte(v)
		}
		v >>= 8
	}
	return append(b, buf...)
}

func structPack(L *lua.LState) int {
	f := &structFmt{L: L, fname: "pack", s: checkString(L, 1, "pack")}
	L.Push(lua.LNil) // struct.c pushes a nil to mark the end of the arguments
	h := structHeader{align: 1}
	arg := 2
	var b []byte
	for f.more() {
		opt := f.s[f.i]
		f.i++
		size := f.optsize(opt)
		toalign := gettoalign(len(b), &h, opt, size)
		for ; toalign > 0; toalign-- {
			b = append(b, 0)
		}
		switch opt {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			b = putInteger(b, checkNumber(L, arg, "pack"), h.big, size)
			arg++
		case 'x':
			b = append(b, 0)
		case 'f':
			bits := math.Float32bits(float32(checkNumber(L, arg, "pack")))
			arg++
			if h.big {
				b = binary.BigEndian.AppendUint32(b, bits)
			} else {
				b = binary.LittleEndian.AppendUint32(b, bits)
			}
		case 'd':
			bits := math.Float64bits(checkNumber(L, arg, "pack"))
			arg++
			if h.big {
				b = binary.BigEndian.AppendUint64(b, bits)
			} else {
				b = binary.LittleEndian.AppendUint64(b, bits)
			}
		case 'c', 's':
			s := checkString(L, arg, "pack")
			arg++
			if size == 0 {
				size = len(s)
			}
			if len(s) < size {
				argError(L, arg, "pack", "string too short")
			}
			b = append(b, s[:size]...)
			if opt == 's' {
				b = append(b, 0)
			}
		default:
			f.control(opt, &h)
		}
	}
	L.Push(lua.LString(b))
	return 1
}

func getInteger(b []byte, big, signed bool, size int) float64 {
	var l uint64
	for i := 0; i < size; i++ {
		var c byte
		if big {
			c = b[i]
		} else {
			c = b[size-1-i]
		}
		l = l<<8 | uint64(c)
	}
	if !signed {
		return float64(l)
	}
	if size >= 8 {
		return float64(int64(l))
	}
	mask := ^uint64(0) << (size*8 - 1)
	if l&mask != 0 {
		l |= mask
	}
	return float64(int64(l))
}

func structUnpack(L *lua.LState) int {
	f := &structFmt{L: L, fname: "unpack", s: checkString(L, 1, "unpack")}
	data := checkString(L, 2, "unpack")
	pos := 0
	if L.GetTop() >= 3 && L.Get(3) != lua.LNil {
		pos = int(checkNumber(L, 3, "unpack")) - 1
	}
	if pos < 0 {
		pos = math.MaxInt / 2 // size_t wraps: every option is then out of data
	}
	h := structHeader{align: 1}
	var out []lua.LValue
	for f.more() {
		opt := f.s[f.i]
		f.i++
		size := f.optsize(opt)
		pos += gettoalign(pos, &h, opt, size)
		if size > len(data) || pos > len(data)-size {
			argError(L, 2, "unpack", "data string too short")
		}
		switch opt {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			signed := opt >= 'a' && opt <= 'z'
			out = append(out, lua.LNumber(getInteger([]byte(data[pos:pos+size]), h.big, signed, size)))
		case 'x':
		case 'f':
			var bits uint32
			if h.big {
				bits = binary.BigEndian.Uint32([]byte(data[pos : pos+4]))
			} else {
				bits = binary.LittleEndian.Uint32([]byte(data[pos : pos+4]))
			}
			out = append(out, lua.LNumber(math.Float32frombits(bits)))
		case 'd':
			var bits uint64
			if h.big {
				bits = binary.BigEndian.Uint64([]byte(data[pos : pos+8]))
			} else {
				bits = binary.LittleEndian.Uint64([]byte(data[pos : pos+8]))
			}
			out = append(out, lua.LNumber(math.Float64frombits(bits)))
		case 'c':
			if size == 0 {
				var prev lua.LNumber
				ok := false
				if len(out) > 0 {
					prev, ok = out[len(out)-1].(lua.LNumber)
				}
				if !ok {
					RaiseError(L, "format 'c0' needs a previous size")
				}
				size = int(prev)
				out = out[:len(out)-1]
				if size > len(data) || pos > len(data)-size {
					argError(L, 2, "unpack", "data string too short")
				}
			}
			out = append(out, lua.LString(data[pos:pos+size]))
		case 's':
			end := -1
			for k := pos; k < len(data); k++ {
				if data[k] == 0 {
					end = k
					break
				}
			}
			if end < 0 {
				RaiseError(L, "unfinished string in data")
			}
			size = end - pos + 1
			out = append(out, lua.LString(data[pos:end]))
		default:
			f.control(opt, &h)
		}
		pos += size
	}
	for _, v := range out {
		L.Push(v)
	}
	L.Push(lua.LNumber(pos + 1))
	return len(out) + 1
}

func structSize(L *lua.LState) int {
	f := &structFmt{L: L, fname: "size", s: checkString(L, 1, "size")}
	h := structHeader{align: 1}
	pos := 0
	for f.more() {
		opt := f.s[f.i]
		f.i++
		size := f.optsize(opt)
		pos += gettoalign(pos, &h, opt, size)
		if opt == 's' {
			argError(L, 1, "size", "option 's' has no fixed size")
		} else if opt == 'c' && size == 0 {
			argError(L, 1, "size", "option 'c0' has no fixed size")
		}
		if !(opt >= 'a' && opt <= 'z' || opt >= 'A' && opt <= 'Z' || opt >= '0' && opt <= '9') {
			f.control(opt, &h)
		}
		pos += size
	}
	L.Push(lua.LNumber(pos))
	return 1
}
