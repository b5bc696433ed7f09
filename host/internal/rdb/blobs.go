package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"

	"modis/host/internal/keyspace"
)

// listpackWriter builds a listpack: total bytes (u32), element count
// (u16, 65535 when larger), the entries, 0xFF.
type listpackWriter struct {
	buf   []byte
	count int
}

func (lp *listpackWriter) size() int { return 6 + len(lp.buf) + 1 }

func (lp *listpackWriter) appendString(s string) { lp.append([]byte(s)) }

// append adds an element, integer-encoded when it is a canonical integer
// (lpStringToInt64), as lpAppend does.
func (lp *listpackWriter) append(v []byte) {
	start := len(lp.buf)
	if i, ok := keyspace.ParseStrictInt(v); ok {
		switch {
		case i >= 0 && i <= 127:
			lp.buf = append(lp.buf, byte(i))
		case i >= -4096 && i <= 4095:
			u := uint64(i) & (1<<13 - 1)
			lp.buf = append(lp.buf, byte(u>>8)|0xC0, byte(u))
		case i >= math.MinInt16 && i <= math.MaxInt16:
			lp.buf = append(lp.buf, 0xF1, byte(i), byte(i>>8))
		case i >= -(1<<23) && i < 1<<23:
			lp.buf = append(lp.buf, 0xF2, byte(i), byte(i>>8), byte(i>>16))
		case i >= math.MinInt32 && i <= math.MaxInt32:
			lp.buf = append(lp.buf, 0xF3, byte(i), byte(i>>8), byte(i>>16), byte(i>>24))
		default:
			lp.buf = append(lp.buf, 0xF4)
			lp.buf = binary.LittleEndian.AppendUint64(lp.buf, uint64(i))
		}
	} else {
		n := len(v)
		switch {
		case n < 64:
			lp.buf = append(lp.buf, 0x80|byte(n))
		case n < 4096:
			lp.buf = append(lp.buf, 0xE0|byte(n>>8), byte(n))
		default:
			lp.buf = append(lp.buf, 0xF0)
			lp.buf = binary.LittleEndian.AppendUint32(lp.buf, uint32(n))
		}
		lp.buf = append(lp.buf, v...)
	}
	lp.buf = appendBacklen(lp.buf, uint64(len(lp.buf)-start))
	lp.count++
}

// appendBacklen is lpEncodeBacklen.
func appendBacklen(b []byte, l uint64) []byte {
	switch {
	case l <= 127:
		return append(b, byte(l))
	case l < 16383:
		return append(b, byte(l>>7), byte(l&127)|128)
	case l < 2097151:
		return append(b, byte(l>>14), byte((l>>7)&127)|128, byte(l&127)|128)
	case l < 268435455:
		return append(b, byte(l>>21), byte((l>>14)&127)|128, byte((l>>7)&127)|128, byte(l&127)|128)
	}
	return append(b, byte(l>>28), byte((l>>21)&127)|128, byte((l>>14)&127)|128, byte((l>>7)&127)|128, byte(l&127)|128)
}

func backlenSize(l int) int {
	switch {
	case l <= 127:
		return 1
	case l < 16383:
		return 2
	case l < 2097151:
		return 3
	case l < 268435455:
		return 4
	}
	return 5
}

func (lp *listpackWriter) finish() []byte {
	out := make([]byte, 6, lp.size())
	binary.LittleEndian.PutUint32(out, uint32(lp.size()))
	binary.LittleEndian.PutUint16(out[4:], uint16(min(lp.count, 65535)))
	out = append(out, lp.buf...)
	return append(out, 0xFF)
}

// EncodeIntset builds an intset from sorted distinct values: encoding
// (u32: 2, 4 or 8 bytes a value), length (u32), the values, little endian.
func EncodeIntset(vals []int64) []byte {
	w := 2
	for _, v := range vals {
		if v < math.MinInt32 || v > math.MaxInt32 {
			w = 8
			break
		}
		if v < math.MinInt16 || v > math.MaxInt16 {
			w = 4
		}
	}
	out := make([]byte, 8, 8+w*len(vals))
	binary.LittleEndian.PutUint32(out, uint32(w))
	binary.LittleEndian.PutUint32(out[4:], uint32(len(vals)))
	for _, v := range vals {
		switch w {
		case 2:
			out = binary.LittleEndian.AppendUint16(out, uint16(v))
		case 4:
			out = binary.LittleEndian.AppendUint32(out, uint32(v))
		default:
			out = binary.LittleEndian.AppendUint64(out, uint64(v))
		}
	}
	return out
}

// decodeIntset returns an intset's values, checking they are sorted and
// distinct.
func decodeIntset(b []byte) ([]int64, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("intset too short (%d bytes)", len(b))
	}
	w := int(binary.LittleEndian.Uint32(b))
	n := int(binary.LittleEndian.Uint32(b[4:]))
	if w != 2 && w != 4 && w != 8 {
		return nil, fmt.Errorf("intset with invalid encoding %d", w)
	}
	if len(b) != 8+w*n {
		return nil, fmt.Errorf("intset of %d values of %d bytes is %d bytes long", n, w, len(b))
	}
	vals := make([]int64, n)
	for i := range vals {
		p := b[8+i*w:]
		switch w {
		case 2:
			vals[i] = int64(int16(binary.LittleEndian.Uint16(p)))
		case 4:
			vals[i] = int64(int32(binary.LittleEndian.Uint32(p)))
		default:
			vals[i] = int64(binary.LittleEndian.Uint64(p))
		}
		if i > 0 && vals[i] <= vals[i-1] {
			return nil, errors.New("intset not sorted or with duplicates")
		}
	}
	return vals, nil
}

// decodeListpack returns a listpack's elements (integers as decimal
// strings).
func decodeListpack(b []byte) ([][]byte, error) {
	if len(b) < 7 {
		return nil, fmt.Errorf("listpack too short (%d bytes)", len(b))
	}
	if tot := binary.LittleEndian.Uint32(b); int(tot) != len(b) {
		return nil, fmt.Errorf("listpack header says %d bytes, blob has %d", tot, len(b))
	}
	count := int(binary.LittleEndian.Uint16(b[4:]))
	var out [][]byte
	p := 6
	for {
		if p >= len(b) {
			return nil, errors.New("listpack without terminator")
		}
		c := b[p]
		if c == 0xFF {
			if p != len(b)-1 {
				return nil, errors.New("listpack terminator before the end")
			}
			break
		}
		start := p
		var elem []byte
		need := func(n int) bool { return p+n <= len(b) }
		switch {
		case c&0x80 == 0:
			elem = strconv.AppendInt(nil, int64(c), 10)
			p++
		case c&0xC0 == 0x80:
			n := int(c & 0x3F)
			if !need(1 + n) {
				return nil, errors.New("listpack entry past the end")
			}
			elem = b[p+1 : p+1+n]
			p += 1 + n
		case c&0xE0 == 0xC0:
			if !need(2) {
				return nil, errors.New("listpack entry past the end")
			}
			u := uint64(c&0x1F)<<8 | uint64(b[p+1])
			v := int64(u)
			if u >= 1<<12 {
				v = int64(u) - 1<<13
			}
			elem = strconv.AppendInt(nil, v, 10)
			p += 2
		case c&0xF0 == 0xE0:
			if !need(2) {
				return nil, errors.New("listpack entry past the end")
			}
			n := int(c&0x0F)<<8 | int(b[p+1])
			if !need(2 + n) {
				return nil, errors.New("listpack entry past the end")
			}
			elem = b[p+2 : p+2+n]
			p += 2 + n
		case c == 0xF0:
			if !need(5) {
				return nil, errors.New("listpack entry past the end")
			}
			n := int(binary.LittleEndian.Uint32(b[p+1:]))
			if n < 0 || !need(5+n) {
				return nil, errors.New("listpack entry past the end")
			}
			elem = b[p+5 : p+5+n]
			p += 5 + n
		case c >= 0xF1 && c <= 0xF4:
			w := [...]int{2, 3, 4, 8}[c-0xF1]
			if !need(1 + w) {
				return nil, errors.New("listpack entry past the end")
			}
			var u uint64
			for k := w - 1; k >= 0; k-- {
				u = u<<8 | uint64(b[p+1+k])
			}
			shift := 64 - 8*w
			v := int64(u<<shift) >> shift
			elem = strconv.AppendInt(nil, v, 10)
			p += 1 + w
		default:
			return nil, fmt.Errorf("listpack entry with invalid encoding 0x%02x", c)
		}
		bl := backlenSize(p - start)
		if !need(bl) {
			return nil, errors.New("listpack entry past the end")
		}
		p += bl
		out = append(out, elem)
	}
	if count != 65535 && count != len(out) {
		return nil, fmt.Errorf("listpack header says %d elements, found %d", count, len(out))
	}
	return out, nil
}

// decodeZiplist returns a ziplist's elements (Redis before 7.0).
func decodeZiplist(b []byte) ([][]byte, error) {
	if len(b) < 11 {
		return nil, fmt.Errorf("ziplist too short (%d bytes)", len(b))
	}
	if tot := binary.LittleEndian.Uint32(b); int(tot) != len(b) {
		return nil, fmt.Errorf("ziplist header says %d bytes, blob has %d", tot, len(b))
	}
	count := int(binary.LittleEndian.Uint16(b[8:]))
	var out [][]byte
	p := 10
	short := errors.New("ziplist entry past the end")
	for {
		if p >= len(b) {
			return nil, errors.New("ziplist without terminator")
		}
		if b[p] == 0xFF {
			if p != len(b)-1 {
				return nil, errors.New("ziplist terminator before the end")
			}
			break
		}
		if b[p] == 0xFE { // prevlen
			p += 5
		} else {
			p++
		}
		if p >= len(b) {
			return nil, short
		}
		c := b[p]
		var elem []byte
		strAt := func(hdr, n int) bool {
			if n < 0 || p+hdr+n > len(b) {
				return false
			}
			elem = b[p+hdr : p+hdr+n]
			p += hdr + n
			return true
		}
		ok := true
		switch c >> 6 {
		case 0:
			ok = strAt(1, int(c&0x3F))
		case 1:
			if p+2 > len(b) {
				return nil, short
			}
			ok = strAt(2, int(c&0x3F)<<8|int(b[p+1]))
		case 2:
			if p+5 > len(b) {
				return nil, short
			}
			ok = strAt(5, int(binary.BigEndian.Uint32(b[p+1:])))
		default:
			var w int
			switch c {
			case 0xC0:
				w = 2
			case 0xD0:
				w = 4
			case 0xE0:
				w = 8
			case 0xF0:
				w = 3
			case 0xFE:
				w = 1
			default:
				if c >= 0xF1 && c <= 0xFD {
					elem = strconv.AppendInt(nil, int64(c&0x0F)-1, 10)
					p++
				} else {
					return nil, fmt.Errorf("ziplist entry with invalid encoding 0x%02x", c)
				}
			}
			if w > 0 {
				if p+1+w > len(b) {
					return nil, short
				}
				var u uint64
				for k := w - 1; k >= 0; k-- {
					u = u<<8 | uint64(b[p+1+k])
				}
				shift := 64 - 8*w
				elem = strconv.AppendInt(nil, int64(u<<shift)>>shift, 10)
				p += 1 + w
			}
		}
		if !ok {
			return nil, short
		}
		out = append(out, elem)
	}
	if count != 65535 && count != len(out) {
		return nil, fmt.Errorf("ziplist header says %d elements, found %d", count, len(out))
	}
	return out, nil
}

// decodeZipmap returns a zipmap's fields and values, alternating (Redis
// before 2.6).
func decodeZipmap(b []byte) ([][]byte, error) {
	short := errors.New("zipmap entry past the end")
	if len(b) < 2 {
		return nil, short
	}
	var out [][]byte
	p := 1
	readLen := func() (int, bool) {
		if p >= len(b) {
			return 0, false
		}
		if b[p] < 254 {
			p++
			return int(b[p-1]), true
		}
		if b[p] == 254 && p+5 <= len(b) {
			n := int(binary.LittleEndian.Uint32(b[p+1:]))
			p += 5
			return n, true
		}
		return 0, false
	}
	for {
		if p >= len(b) {
			return nil, short
		}
		if b[p] == 0xFF {
			if p != len(b)-1 {
				return nil, errors.New("zipmap terminator before the end")
			}
			break
		}
		n, ok := readLen()
		if !ok || n < 0 || p+n > len(b) {
			return nil, short
		}
		field := b[p : p+n]
		p += n
		n, ok = readLen()
		if !ok || p >= len(b) {
			return nil, short
		}
		free := int(b[p])
		p++
		if n < 0 || p+n+free > len(b) {
			return nil, short
		}
		out = append(out, field, b[p:p+n])
		p += n + free
	}
	return out, nil
}
