package host

import (
	"math"
	"math/bits"

	"modis/host/internal/keyspace"
	"modis/sdk"
)

// Bitmap commands: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO.
// Bit 0 is the most significant bit of the first byte, as in Redis.

func bitmapCommands() []*Command {
	return []*Command{
		{Name: "setbit", Arity: 4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Group: "bitmap", Handler: cmdSetbit,
			Summary: "Sets or clears the bit at offset in the string value stored at key", Since: "2.2.0"},
		{Name: "getbit", Arity: 3, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "bitmap", Handler: cmdGetbit,
			Summary: "Returns the bit value at offset in the string value stored at key", Since: "2.2.0"},
		{Name: "bitcount", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Group: "bitmap", Handler: cmdBitcount,
			Summary: "Count set bits in a string", Since: "2.6.0"},
		{Name: "bitpos", Arity: -3, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Group: "bitmap", Handler: cmdBitpos,
			Summary: "Find first bit set or clear in a string", Since: "2.8.7"},
		{Name: "bitop", Arity: -4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 2, LastKey: -1, Step: 1, Group: "bitmap", Handler: cmdBitop,
			Summary: "Perform bitwise operations between strings", Since: "2.6.0"},
		{Name: "bitfield", Arity: -2, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Group: "bitmap", Handler: cmdBitfield,
			Summary: "Perform arbitrary bitfield integer operations on strings", Since: "3.2.0"},
		{Name: "bitfield_ro", Arity: -2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "bitmap", Handler: cmdBitfieldRO,
			Summary: "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD", Since: "6.0.0"},
	}
}

// parseBitOffset parses a bit offset as Redis's getBitOffsetFromArgument:
// with hash and bits > 0, "#n" means n*bits. The offset must address a byte
// below proto-max-bulk-len.
func parseBitOffset(arg []byte, hash bool, width int) (uint64, error) {
	usehash := hash && width > 0 && len(arg) > 0 && arg[0] == '#'
	if usehash {
		arg = arg[1:]
	}
	off, ok := sdk.ParseInt(arg)
	if !ok {
		return 0, ErrBitOffset
	}
	if usehash {
		off *= int64(width) // wraps as in Redis
	}
	if off < 0 || off>>3 >= maxStringLen {
		return 0, ErrBitOffset
	}
	return uint64(off), nil
}

// growZero returns s extended with zero bytes to at least n bytes.
func growZero(s []byte, n int) []byte {
	if len(s) >= n {
		return s
	}
	if cap(s) >= n {
		old := len(s)
		s = s[:n]
		clear(s[old:])
		return s
	}
	// Room to grow, as sdsMakeRoomFor: double below 1MB, then 1MB more.
	room := 2 * n
	if n >= 1<<20 {
		room = n + 1<<20
	}
	ns := make([]byte, n, room)
	copy(ns, s)
	return ns
}

// stringForBits is Redis's lookupStringForBitCommand: key's string, created
// or zero-padded so that bit maxbit exists. grew reports whether the value
// was created or got longer.
func (c *Client) stringForBits(key []byte, maxbit uint64) (e *keyspace.Entry, grew bool, err error) {
	n := int(maxbit>>3) + 1
	e, err = c.stringEntry(key)
	if err != nil {
		return nil, false, err
	}
	if e == nil {
		e = &keyspace.Entry{Kind: keyspace.KindString, Str: make([]byte, n), StrEnc: keyspace.StrEncRaw}
		c.db.Set(key, e)
		return e, true, nil
	}
	e.StrEnc = keyspace.StrEncRaw // Redis unshares the value: now "raw"
	if len(e.Str) < n {
		e.Str = growZero(e.Str, n)
		grew = true
	}
	return e, grew, nil
}

func cmdSetbit(c *Client, args [][]byte) error {
	off, err := parseBitOffset(args[2], false, 0)
	if err != nil {
		return err
	}
	on, ok := sdk.ParseInt(args[3])
	if !ok || on&^1 != 0 {
		return ErrBitValue
	}
	e, grew, err := c.stringForBits(args[1], off)
	if err != nil {
		return err
	}
	byt, bit := off>>3, 7-off&7
	old := e.Str[byt] >> bit & 1
	if grew || int64(old) != on {
		e.Str[byt] = e.Str[byt]&^(1<<bit) | byte(on)<<bit
		c.keyModified(args[1])
		c.notify(NotifyString, "setbit", args[1])
	}
	c.out.Int(int64(old))
	return nil
}

func cmdGetbit(c *Client, args [][]byte) error {
	off, err := parseBitOffset(args[2], false, 0)
	if err != nil {
		return err
	}
	e := c.db.Lookup(args[1], c.srv.now)
	if e == nil {
		c.out.Int(0)
		return nil
	}
	if e.Kind != keyspace.KindString {
		return ErrWrongType
	}
	var v int64
	if byt := off >> 3; byt < uint64(len(e.Str)) {
		v = int64(e.Str[byt] >> (7 - off&7) & 1)
	}
	c.out.Int(v)
	return nil
}

// popcount counts the set bits of p.
func popcount(p []byte) int64 {
	var n int
	for len(p) >= 8 {
		n += bits.OnesCount64(uint64(p[0]) | uint64(p[1])<<8 | uint64(p[2])<<16 | uint64(p[3])<<24 |
			uint64(p[4])<<32 | uint64(p[5])<<40 | uint64(p[6])<<48 | uint64(p[7])<<56)
		p = p[8:]
	}
	for _, b := range p {
		n += bits.OnesCount8(b)
	}
	return int64(n)
}

// parseBitUnit parses BITCOUNT's and BITPOS's BYTE|BIT argument.
func parseBitUnit(arg []byte) (isBit bool, err error) {
	switch {
	case kwIs(arg, "BIT"):
		return true, nil
	case kwIs(arg, "BYTE"):
		return false, nil
	}
	return false, ErrSyntax
}

func cmdBitcount(c *Client, args [][]byte) error {
	// Redis 7.0 looks the key up before it parses the range.
	e := c.db.Lookup(args[1], c.srv.now)
	if e == nil {
		c.out.Int(0)
		return nil
	}
	if e.Kind != keyspace.KindString {
		return ErrWrongType
	}
	p := e.Str
	var start, end int64
	var firstMask, lastMask byte
	switch len(args) {
	case 4, 5:
		var ok bool
		if start, ok = sdk.ParseInt(args[2]); !ok {
			return ErrNotInteger
		}
		if end, ok = sdk.ParseInt(args[3]); !ok {
			return ErrNotInteger
		}
		if start < 0 && end < 0 && start > end {
			c.out.Int(0)
			return nil
		}
		isBit := false
		if len(args) == 5 {
			var err error
			if isBit, err = parseBitUnit(args[4]); err != nil {
				return err
			}
		}
		total := int64(len(p))
		if isBit {
			total <<= 3
		}
		start, end = clampRange(start, end, total)
		if isBit && start <= end {
			firstMask = ^byte(1<<(8-start&7) - 1)
			lastMask = byte(1<<(7-end&7) - 1)
			start >>= 3
			end >>= 3
		}
	case 2:
		start, end = 0, int64(len(p))-1
	default:
		return ErrSyntax
	}
	if start > end {
		c.out.Int(0)
		return nil
	}
	n := popcount(p[start : end+1])
	n -= int64(bits.OnesCount8(p[start]&firstMask) + bits.OnesCount8(p[end]&lastMask))
	c.out.Int(n)
	return nil
}

// clampRange turns negative start and end into offsets from total and
// clamps them to [0, total-1] as BITCOUNT and BITPOS do.
func clampRange(start, end, total int64) (int64, int64) {
	if start < 0 {
		start += total
	}
	if end < 0 {
		end += total
	}
	if start < 0 {
		start = 0
	}
	if end < 0 {
		end = 0
	}
	if end >= total {
		end = total - 1
	}
	return start, end
}

// bitpos is Redis's redisBitpos: the position of the first bit equal to bit
// in p. Looking for 1 in a string of zeros gives -1; looking for 0 in a
// string of ones gives len(p)*8 (the string is taken as zero padded).
func bitpos(p []byte, bit int) int64 {
	skip := byte(0)
	if bit == 0 {
		skip = 0xff
	}
	i := 0
	for i < len(p) && p[i] == skip {
		i++
	}
	if i == len(p) {
		if bit == 1 {
			return -1
		}
		return int64(len(p)) * 8
	}
	b := p[i]
	if bit == 0 {
		b = ^b
	}
	return int64(i)*8 + int64(bits.LeadingZeros8(b))
}

func cmdBitpos(c *Client, args [][]byte) error {
	bit, ok := sdk.ParseInt(args[2])
	if !ok {
		return ErrNotInteger
	}
	if bit != 0 && bit != 1 {
		return ErrBitArg
	}
	e := c.db.Lookup(args[1], c.srv.now)
	if e == nil {
		if bit == 1 {
			c.out.Int(-1)
		} else {
			c.out.Int(0)
		}
		return nil
	}
	if e.Kind != keyspace.KindString {
		return ErrWrongType
	}
	p := e.Str
	var start, end int64
	var firstMask, lastMask byte
	endGiven := false
	switch len(args) {
	case 4, 5, 6:
		total := int64(len(p))
		if start, ok = sdk.ParseInt(args[3]); !ok {
			return ErrNotInteger
		}
		isBit := false
		if len(args) == 6 {
			var err error
			if isBit, err = parseBitUnit(args[5]); err != nil {
				return err
			}
		}
		if len(args) >= 5 {
			if end, ok = sdk.ParseInt(args[4]); !ok {
				return ErrNotInteger
			}
			endGiven = true
		} else if isBit {
			end = total<<3 + 7
		} else {
			end = total - 1
		}
		if isBit {
			total <<= 3
		}
		start, end = clampRange(start, end, total)
		if isBit && start <= end {
			firstMask = ^byte(1<<(8-start&7) - 1)
			lastMask = byte(1<<(7-end&7) - 1)
			start >>= 3
			end >>= 3
		}
	case 3:
		start, end = 0, int64(len(p))-1
	default:
		return ErrSyntax
	}
	if start > end {
		c.out.Int(-1)
		return nil
	}
	c.out.Int(bitposRange(p, int(bit), start, end, firstMask, lastMask, endGiven))
	return nil
}

// bitposRange finishes BITPOS on bytes start..end of p, the first and last
// of which may be partly outside a BIT range (the masks cover the bits
// outside), step by step as Redis 7.0 does it.
func bitposRange(p []byte, bit int, start, end int64, firstMask, lastMask byte, endGiven bool) int64 {
	n := end - start + 1
	var pos int64
	// edge returns the byte at i with the bits outside the range set so
	// that they never match.
	edge := func(b, mask byte) byte {
		if bit == 1 {
			return b &^ mask
		}
		return b | mask
	}
	done := false
	if firstMask != 0 {
		b := edge(p[start], firstMask)
		if lastMask != 0 && n == 1 {
			b = edge(b, lastMask)
		}
		pos = bitpos([]byte{b}, bit)
		if n == 1 || pos != -1 && pos != 8 {
			done = true
		} else {
			start++
			n--
		}
	}
	if !done {
		cur := n
		if lastMask != 0 {
			cur--
		}
		if cur > 0 {
			pos = bitpos(p[start:start+cur], bit)
			if n == cur || pos != -1 && pos != cur<<3 {
				done = true
			} else {
				start += cur
				n -= cur
			}
		}
	}
	if !done {
		pos = bitpos([]byte{edge(p[end], lastMask)}, bit)
	}
	// With an explicit end, looking for a 0 must not find the padding
	// after the range.
	if endGiven && bit == 0 && pos == n<<3 {
		return -1
	}
	if pos != -1 {
		pos += start << 3
	}
	return pos
}

// bitopNames are BITOP's operations.
const (
	bitopAnd = iota
	bitopOr
	bitopXor
	bitopNot
)

func cmdBitop(c *Client, args [][]byte) error {
	var op int
	switch name := args[1]; {
	case kwIs(name, "AND"):
		op = bitopAnd
	case kwIs(name, "OR"):
		op = bitopOr
	case kwIs(name, "XOR"):
		op = bitopXor
	case kwIs(name, "NOT"):
		op = bitopNot
	default:
		return ErrSyntax
	}
	if op == bitopNot && len(args) != 4 {
		return ErrBitopNot
	}
	srcs := make([][]byte, len(args)-3)
	maxLen := 0
	for i, k := range args[3:] {
		e := c.db.Lookup(k, c.srv.now)
		if e == nil {
			continue
		}
		if e.Kind != keyspace.KindString {
			return ErrWrongType
		}
		srcs[i] = e.Str
		maxLen = max(maxLen, len(e.Str))
	}
	dest := args[2]
	if maxLen == 0 {
		if c.db.Delete(dest, c.srv.now) {
			c.keyModified(dest)
			c.notify(NotifyGeneric, "del", dest)
		}
		c.out.Int(0)
		return nil
	}
	res := make([]byte, maxLen)
	at := func(s []byte, j int) byte {
		if j < len(s) {
			return s[j]
		}
		return 0
	}
	for j := range res {
		out := at(srcs[0], j)
		if op == bitopNot {
			out = ^out
		}
		for _, s := range srcs[1:] {
			b := at(s, j)
			switch op {
			case bitopAnd:
				out &= b
			case bitopOr:
				out |= b
			case bitopXor:
				out ^= b
			}
		}
		res[j] = out
	}
	c.storeString(dest, res)
	c.keyModified(dest)
	c.notify(NotifyString, "set", dest)
	c.out.Int(int64(maxLen))
	return nil
}

// storeString stores val (which the caller hands over) under key, replacing
// any value of any type and dropping any expiry, as Redis's setKey does
// with an object it built itself ("raw").
func (c *Client) storeString(key, val []byte) {
	if old := c.db.Peek(key, c.srv.now); old != nil && old.Kind == keyspace.KindString {
		old.Str = val
		old.StrEnc = keyspace.StrEncRaw
		if old.Expire != 0 {
			c.db.SetExpire(key, old, 0)
		}
		return
	}
	c.db.Set(key, &keyspace.Entry{Kind: keyspace.KindString, Str: val, StrEnc: keyspace.StrEncRaw})
}

// BITFIELD.

const (
	bfGet = iota
	bfSet
	bfIncrby
)

const (
	bfWrap = iota
	bfSat
	bfFail
)

type bitfieldOp struct {
	offset   uint64
	i64      int64
	opcode   int
	overflow int
	bits     int
	signed   bool
}

// parseBitfieldType parses "i<bits>" (1..64) or "u<bits>" (1..63).
func parseBitfieldType(arg []byte) (signed bool, width int, err error) {
	if len(arg) == 0 || arg[0] != 'i' && arg[0] != 'u' {
		return false, 0, ErrBitfieldType
	}
	signed = arg[0] == 'i'
	n, ok := sdk.ParseInt(arg[1:])
	if !ok || n < 1 || signed && n > 64 || !signed && n > 63 {
		return false, 0, ErrBitfieldType
	}
	return signed, int(n), nil
}

// getUnsignedBits reads width bits at offset (which must exist in p).
func getUnsignedBits(p []byte, offset uint64, width int) uint64 {
	var v uint64
	for j := 0; j < width; j++ {
		byt, bit := offset>>3, 7-offset&7
		v = v<<1 | uint64(p[byt]>>bit&1)
		offset++
	}
	return v
}

func getSignedBits(p []byte, offset uint64, width int) int64 {
	v := int64(getUnsignedBits(p, offset, width))
	if width < 64 && v&(1<<(width-1)) != 0 {
		v |= -1 << width
	}
	return v
}

func setBits(p []byte, offset uint64, width int, value uint64) {
	for j := 0; j < width; j++ {
		bitval := byte(value >> (width - 1 - j) & 1)
		byt, bit := offset>>3, 7-offset&7
		p[byt] = p[byt]&^(1<<bit) | bitval<<bit
		offset++
	}
}

// checkUnsignedOverflow is Redis's checkUnsignedBitfieldOverflow: 0 if
// value+incr fits in width bits, 1 on overflow, -1 on underflow, and the
// value to store instead under WRAP or SAT.
func checkUnsignedOverflow(value uint64, incr int64, width int, ow int) (int, uint64) {
	maxv := uint64(1)<<width - 1
	maxincr := int64(maxv - value)
	minincr := -int64(value)
	wrap := func() uint64 { return (value + uint64(incr)) & maxv }
	if value > maxv || incr > 0 && incr > maxincr {
		switch ow {
		case bfWrap:
			return 1, wrap()
		case bfSat:
			return 1, maxv
		}
		return 1, 0
	}
	if incr < 0 && incr < minincr {
		switch ow {
		case bfWrap:
			return 1, wrap() // Redis's wrap path reports 1 here too
		case bfSat:
			return -1, 0
		}
		return -1, 0
	}
	return 0, 0
}

// checkSignedOverflow is Redis's checkSignedBitfieldOverflow.
func checkSignedOverflow(value, incr int64, width int, ow int) (int, int64) {
	maxv := int64(math.MaxInt64)
	if width != 64 {
		maxv = 1<<(width-1) - 1
	}
	minv := -maxv - 1
	maxincr := int64(uint64(maxv) - uint64(value))
	minincr := minv - value // may wrap, as in Redis; used only when meaningful
	wrap := func() int64 {
		c := uint64(value) + uint64(incr)
		if width < 64 {
			mask := ^uint64(0) << width
			if c&(1<<(width-1)) != 0 {
				c |= mask
			} else {
				c &^= mask
			}
		}
		return int64(c)
	}
	if value > maxv || width != 64 && incr > maxincr || value >= 0 && incr > 0 && incr > maxincr {
		switch ow {
		case bfWrap:
			return 1, wrap()
		case bfSat:
			return 1, maxv
		}
		return 1, 0
	}
	if value < minv || width != 64 && incr < minincr || value < 0 && incr < 0 && incr < minincr {
		switch ow {
		case bfWrap:
			return 1, wrap()
		case bfSat:
			return -1, minv
		}
		return -1, 0
	}
	return 0, 0
}

func cmdBitfield(c *Client, args [][]byte) error { return c.bitfield(args, false) }

func cmdBitfieldRO(c *Client, args [][]byte) error { return c.bitfield(args, true) }

// bitfield is Redis's bitfieldGeneric: every operation is parsed first,
// then the key is looked up (and grown to the highest bit any SET or INCRBY
// writes), then the operations run in order.
func (c *Client) bitfield(args [][]byte, readonlyCmd bool) error {
	var ops []bitfieldOp
	overflow := bfWrap
	readonly := true
	var highest uint64
	for j := 2; j < len(args); j++ {
		rem := len(args) - j - 1
		sub := args[j]
		var opcode int
		switch {
		case kwIs(sub, "GET") && rem >= 2:
			opcode = bfGet
		case kwIs(sub, "SET") && rem >= 3:
			opcode = bfSet
		case kwIs(sub, "INCRBY") && rem >= 3:
			opcode = bfIncrby
		case kwIs(sub, "OVERFLOW") && rem >= 1:
			j++
			switch ow := args[j]; {
			case kwIs(ow, "WRAP"):
				overflow = bfWrap
			case kwIs(ow, "SAT"):
				overflow = bfSat
			case kwIs(ow, "FAIL"):
				overflow = bfFail
			default:
				return ErrBitfieldOverflow
			}
			continue
		default:
			return ErrSyntax
		}
		signed, width, err := parseBitfieldType(args[j+1])
		if err != nil {
			return err
		}
		off, err := parseBitOffset(args[j+2], true, width)
		if err != nil {
			return err
		}
		var v int64
		if opcode != bfGet {
			readonly = false
			if last := off + uint64(width) - 1; last > highest {
				highest = last
			}
			var ok bool
			if v, ok = sdk.ParseInt(args[j+3]); !ok {
				return ErrNotInteger
			}
			j += 3
		} else {
			j += 2
		}
		ops = append(ops, bitfieldOp{offset: off, i64: v, opcode: opcode, overflow: overflow, bits: width, signed: signed})
	}

	var e *keyspace.Entry
	grew := false
	if readonly {
		e = c.db.Lookup(args[1], c.srv.now)
		if e != nil && e.Kind != keyspace.KindString {
			return ErrWrongType
		}
	} else {
		if readonlyCmd {
			return ErrBitfieldRO
		}
		var err error
		if e, grew, err = c.stringForBits(args[1], highest); err != nil {
			return err
		}
	}

	c.out.Array(len(ops))
	changes := 0
	for i := range ops {
		op := &ops[i]
		if op.opcode == bfGet {
			// Read through a zero-padded copy of the (up to) 9 bytes
			// involved, so a field may run past the end of the string.
			var buf [9]byte
			byt := op.offset >> 3
			if e != nil && byt < uint64(len(e.Str)) {
				copy(buf[:], e.Str[byt:])
			}
			rel := op.offset - byt*8
			if op.signed {
				c.out.Int(getSignedBits(buf[:], rel, op.bits))
			} else {
				c.out.Int(int64(getUnsignedBits(buf[:], rel, op.bits)))
			}
			continue
		}
		p := e.Str
		if op.signed {
			oldv := getSignedBits(p, op.offset, op.bits)
			var newv, ret int64
			var of int
			var wrapped int64
			if op.opcode == bfIncrby {
				of, wrapped = checkSignedOverflow(oldv, op.i64, op.bits, op.overflow)
				newv = oldv + op.i64
				if of != 0 {
					newv = wrapped
				}
				ret = newv
			} else {
				newv = op.i64
				of, wrapped = checkSignedOverflow(newv, 0, op.bits, op.overflow)
				if of != 0 {
					newv = wrapped
				}
				ret = oldv
			}
			if of != 0 && op.overflow == bfFail {
				c.out.Null()
				continue
			}
			c.out.Int(ret)
			setBits(p, op.offset, op.bits, uint64(newv))
			if grew || oldv != newv {
				changes++
			}
		} else {
			oldv := getUnsignedBits(p, op.offset, op.bits)
			var newv, ret, wrapped uint64
			var of int
			if op.opcode == bfIncrby {
				newv = oldv + uint64(op.i64)
				of, wrapped = checkUnsignedOverflow(oldv, op.i64, op.bits, op.overflow)
				if of != 0 {
					newv = wrapped
				}
				ret = newv
			} else {
				newv = uint64(op.i64)
				of, wrapped = checkUnsignedOverflow(newv, 0, op.bits, op.overflow)
				if of != 0 {
					newv = wrapped
				}
				ret = oldv
			}
			if of != 0 && op.overflow == bfFail {
				c.out.Null()
				continue
			}
			c.out.Int(int64(ret))
			setBits(p, op.offset, op.bits, newv)
			if grew || oldv != newv {
				changes++
			}
		}
	}
	if changes > 0 {
		c.keyModified(args[1])
		c.notify(NotifyString, "setbit", args[1])
	}
	return nil
}
