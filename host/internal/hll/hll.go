// Package hll implements Redis's HyperLogLog string representation, byte for
// byte: a 16-byte header ("HYLL", the encoding, three unused bytes and the
// cached cardinality, little endian, its top bit set when stale) followed by
// 16384 6-bit registers, either dense (12288 bytes) or sparse (run-length
// opcodes ZERO, XZERO and VAL). Values made here read the same in Redis and
// the other way round, and counts agree exactly: the hash is MurmurHash64A
// with Redis's seed and the estimator is Redis 7's (Otmar Ertl's "new"
// cardinality estimation).
//
// The functions work on the string's bytes; nothing here knows about keys.
package hll

import (
	"encoding/binary"
	"errors"
	"math"
)

// The layout, as Redis's hyperloglog.c defines it.
const (
	P         = 14
	Q         = 64 - P
	Registers = 1 << P
	pMask     = Registers - 1
	bits      = 6
	regMax    = 1<<bits - 1
	HdrSize   = 16
	DenseSize = HdrSize + (Registers*bits+7)/8

	encDense  = 0
	encSparse = 1

	sparseXZeroBit    = 0x40
	sparseValBit      = 0x80
	sparseValMaxValue = 32
	sparseValMaxLen   = 4
	sparseZeroMaxLen  = 64
	sparseXZeroMaxLen = 16384

	alphaInf = 0.721347520444481703680 // 0.5/ln(2)
)

// SparseMaxBytes is hll-sparse-max-bytes: past it (header included) a sparse
// HyperLogLog becomes dense.
var SparseMaxBytes = 3000

// Errors, with Redis's texts.
var (
	ErrNotHLL  = errors.New("WRONGTYPE Key is not a valid HyperLogLog string value.")
	ErrCorrupt = errors.New("INVALIDOBJ Corrupted HLL object detected")
)

// New returns an empty HyperLogLog: sparse, one XZERO opcode covering every
// register, cached cardinality 0.
func New() []byte {
	b := make([]byte, HdrSize+2, 64)
	copy(b, "HYLL")
	b[4] = encSparse
	setXZero(b[HdrSize:], Registers)
	return b
}

// Valid reports whether s is a HyperLogLog as far as Redis checks before
// using one (isHLLObjectOrReply): the magic, a known encoding, and the exact
// size for a dense one. A sparse one can still turn out corrupt.
func Valid(s []byte) bool {
	if len(s) < HdrSize || string(s[:4]) != "HYLL" || s[4] > encSparse {
		return false
	}
	return s[4] != encDense || len(s) == DenseSize
}

// IsSparse reports whether a valid HyperLogLog uses the sparse encoding.
func IsSparse(s []byte) bool { return s[4] == encSparse }

func invalidateCache(s []byte) { s[15] |= 1 << 7 }

// Invalidate marks the cached cardinality of s stale.
func Invalidate(s []byte) { invalidateCache(s) }

// murmurHash64A is MurmurHash2, 64-bit version, endian neutral, as in Redis.
func murmurHash64A(key []byte, seed uint64) uint64 {
	const m = 0xc6a4a7935bd1e995
	const r = 47
	h := seed ^ uint64(len(key))*m
	n := len(key) &^ 7
	for i := 0; i < n; i += 8 {
		k := binary.LittleEndian.Uint64(key[i:])
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
	}
	tail := key[n:]
	switch len(tail) {
	case 7:
		h ^= uint64(tail[6]) << 48
		fallthrough
	case 6:
		h ^= uint64(tail[5]) << 40
		fallthrough
	case 5:
		h ^= uint64(tail[4]) << 32
		fallthrough
	case 4:
		h ^= uint64(tail[3]) << 24
		fallthrough
	case 3:
		h ^= uint64(tail[2]) << 16
		fallthrough
	case 2:
		h ^= uint64(tail[1]) << 8
		fallthrough
	case 1:
		h ^= uint64(tail[0])
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}

// patLen returns the register an element hashes to and the length of the
// 000..1 pattern of its hash (hllPatLen).
func patLen(ele []byte) (int, uint8) {
	hash := murmurHash64A(ele, 0xadc83b19)
	index := int(hash & pMask)
	hash >>= P
	hash |= 1 << Q
	count := uint8(1)
	for bit := uint64(1); hash&bit == 0; bit <<= 1 {
		count++
	}
	return index, count
}

// Dense registers. The register after the last byte is never touched: its
// bits would fall past the string, where Redis reads the sds terminator.

func denseGet(regs []byte, i int) uint8 {
	byt := i * bits / 8
	fb := uint(i * bits & 7)
	b0 := uint(regs[byt])
	var b1 uint
	if byt+1 < len(regs) {
		b1 = uint(regs[byt+1])
	}
	return uint8((b0>>fb | b1<<(8-fb)) & regMax)
}

func denseSet(regs []byte, i int, val uint8) {
	byt := i * bits / 8
	fb := uint(i * bits & 7)
	v := uint(val)
	regs[byt] &^= byte(regMax << fb)
	regs[byt] |= byte(v << fb)
	if byt+1 < len(regs) {
		regs[byt+1] &^= byte(regMax >> (8 - fb))
		regs[byt+1] |= byte(v >> (8 - fb))
	}
}

// denseSetMax sets register i to count if that is larger; it reports whether
// it changed (hllDenseSet).
func denseSetMax(regs []byte, i int, count uint8) bool {
	if count > denseGet(regs, i) {
		denseSet(regs, i, count)
		return true
	}
	return false
}

// Sparse opcodes.

func isZero(b byte) bool  { return b&0xc0 == 0 }
func isXZero(b byte) bool { return b&0xc0 == sparseXZeroBit }
func isVal(b byte) bool   { return b&sparseValBit != 0 }
func zeroLen(b byte) int  { return int(b&0x3f) + 1 }
func xzeroLen(p []byte) int {
	return (int(p[0]&0x3f)<<8 | int(p[1])) + 1
}
func valValue(b byte) int { return int(b>>2&0x1f) + 1 }
func valLen(b byte) int   { return int(b&0x3) + 1 }
func valOp(val, n int) byte {
	return byte((val-1)<<2|(n-1)) | sparseValBit
}
func setXZero(p []byte, n int) {
	n--
	p[0] = byte(n>>8) | sparseXZeroBit
	p[1] = byte(n)
}

// appendZeros appends the shortest opcode for a run of n zero registers
// (at most 16384), as hllSparseSet writes them.
func appendZeros(seq []byte, n int) []byte {
	if n > sparseZeroMaxLen {
		var x [2]byte
		setXZero(x[:], n)
		return append(seq, x[0], x[1])
	}
	return append(seq, byte(n-1))
}

// sparseRange calls fn for each run of registers of a sparse body: first
// register, length, value. It reports whether the body is well formed:
// no run past the last register, and all registers covered.
func sparseRange(body []byte, fn func(first, n, val int)) bool {
	idx := 0
	for p := 0; p < len(body); {
		var n, val int
		switch b := body[p]; {
		case isZero(b):
			n = zeroLen(b)
			p++
		case isXZero(b):
			if p+1 >= len(body) {
				// Redis reads the sds terminator (0) as the second byte.
				n = int(b&0x3f)<<8 + 1
			} else {
				n = xzeroLen(body[p:])
			}
			p += 2
		default:
			n, val = valLen(b), valValue(b)
			p++
		}
		if idx+n > Registers {
			return false
		}
		if fn != nil {
			fn(idx, n, val)
		}
		idx += n
	}
	return idx == Registers
}

// toDense converts a sparse HyperLogLog to dense (hllSparseToDense); the
// header, cached cardinality included, is kept. ok is false if the sparse
// body is corrupt.
func toDense(s []byte) ([]byte, bool) {
	if s[4] == encDense {
		return s, true
	}
	d := make([]byte, DenseSize)
	copy(d, s[:HdrSize])
	d[4] = encDense
	regs := d[HdrSize:]
	ok := sparseRange(s[HdrSize:], func(first, n, val int) {
		if val != 0 {
			for i := first; i < first+n; i++ {
				denseSet(regs, i, uint8(val))
			}
		}
	})
	if !ok {
		return s, false
	}
	return d, true
}

// sparseSet sets register index to count if that is larger, in a sparse
// HyperLogLog (hllSparseSet). It returns the (possibly reallocated or
// promoted to dense) value and 1 if the register changed, 0 if not, -1 if
// the value is corrupt.
func sparseSet(s []byte, index int, count uint8) ([]byte, int) {
	if count > sparseValMaxValue {
		return promote(s, index, count)
	}
	body := s[HdrSize:]
	// Step 1: find the opcode covering index.
	first, p, prev := 0, 0, -1
	span := 0
	for p < len(body) {
		oplen := 1
		switch b := body[p]; {
		case isZero(b):
			span = zeroLen(b)
		case isVal(b):
			span = valLen(b)
		default:
			if p+1 >= len(body) {
				return s, -1 // an XZERO cut short
			}
			span = xzeroLen(body[p:])
			oplen = 2
		}
		if index <= first+span-1 {
			break
		}
		prev = p
		p += oplen
		first += span
	}
	if span == 0 || p >= len(body) {
		return s, -1
	}
	b := body[p]
	var runlen int
	isz, isxz, isv := false, false, false
	switch {
	case isZero(b):
		isz, runlen = true, zeroLen(b)
	case isXZero(b):
		isxz, runlen = true, xzeroLen(body[p:])
	default:
		isv, runlen = true, valLen(b)
	}

	end := len(body)
	updated := false
	if isv {
		old := valValue(b)
		if old >= int(count) {
			return s, 0 // case A
		}
		if runlen == 1 { // case B
			body[p] = valOp(int(count), 1)
			updated = true
		}
	}
	if !updated && isz && runlen == 1 { // case C
		body[p] = valOp(int(count), 1)
		updated = true
	}
	if !updated {
		// Case D: split the opcode into up to three.
		var seqBuf [5]byte
		seq := seqBuf[:0]
		last := first + span - 1
		if isz || isxz {
			if index != first {
				seq = appendZeros(seq, index-first)
			}
			seq = append(seq, valOp(int(count), 1))
			if index != last {
				seq = appendZeros(seq, last-index)
			}
		} else {
			cur := valValue(b)
			if index != first {
				seq = append(seq, valOp(cur, index-first))
			}
			seq = append(seq, valOp(int(count), 1))
			if index != last {
				seq = append(seq, valOp(cur, last-index))
			}
		}
		oldlen := 1
		if isxz {
			oldlen = 2
		}
		delta := len(seq) - oldlen
		if delta > 0 && len(s)+delta > SparseMaxBytes {
			return promote(s, index, count)
		}
		if delta > 0 {
			s = append(s, make([]byte, delta)...)
			body = s[HdrSize:]
			copy(body[p+oldlen+delta:], body[p+oldlen:end])
		} else if delta < 0 {
			copy(body[p+oldlen+delta:], body[p+oldlen:end])
			s = s[:len(s)+delta]
			body = s[HdrSize:]
		}
		copy(body[p:], seq)
		end += delta
	}

	// Step 4: merge adjacent VAL opcodes of the same value, scanning at most
	// five opcodes from the previous one.
	q := 0
	if prev >= 0 {
		q = prev
	}
	for scan := 5; q < end && scan > 0; scan-- {
		switch {
		case isXZero(body[q]):
			q += 2
			continue
		case isZero(body[q]):
			q++
			continue
		}
		if q+1 < end && isVal(body[q+1]) {
			v1, v2 := valValue(body[q]), valValue(body[q+1])
			if v1 == v2 {
				if n := valLen(body[q]) + valLen(body[q+1]); n <= sparseValMaxLen {
					body[q+1] = valOp(v1, n)
					copy(body[q:], body[q+1:end])
					end--
					s = s[:HdrSize+end]
					body = s[HdrSize:]
					continue // try to merge with the next one too
				}
			}
		}
		q++
	}
	invalidateCache(s)
	return s, 1
}

// promote converts to dense and sets the register there (the "promote"
// path of hllSparseSet).
func promote(s []byte, index int, count uint8) ([]byte, int) {
	d, ok := toDense(s)
	if !ok {
		return s, -1
	}
	denseSetMax(d[HdrSize:], index, count)
	return d, 1
}

// Add adds ele (hllAdd). It returns the value, which may have been
// reallocated or become dense, and 1 if a register changed, 0 if not, -1 if
// the value is corrupt. The caller invalidates the cached cardinality when
// anything changed.
func Add(s []byte, ele []byte) ([]byte, int) {
	index, count := patLen(ele)
	switch s[4] {
	case encDense:
		if denseSetMax(s[HdrSize:], index, count) {
			return s, 1
		}
		return s, 0
	case encSparse:
		return sparseSet(s, index, count)
	}
	return s, -1
}

// Count returns the cardinality (the PFCOUNT of one key): the cached value
// if valid, or a new estimate, which it then caches in the header
// (recomputed reports that: the value changed). ok is false for a corrupt
// sparse value.
func Count(s []byte) (card uint64, recomputed, ok bool) {
	if s[15]&(1<<7) == 0 {
		return binary.LittleEndian.Uint64(s[8:16]), false, true
	}
	var histo [64]int
	if s[4] == encDense {
		regs := s[HdrSize:DenseSize]
		for i := 0; i+3 <= len(regs); i += 3 {
			// Four 6-bit registers in three bytes.
			b0, b1, b2 := regs[i], regs[i+1], regs[i+2]
			histo[b0&63]++
			histo[(b0>>6|b1<<2)&63]++
			histo[(b1>>4|b2<<4)&63]++
			histo[b2>>2]++
		}
	} else if !sparseRange(s[HdrSize:], func(_, n, val int) { histo[val] += n }) {
		return 0, false, false
	}
	card = estimate(&histo)
	binary.LittleEndian.PutUint64(s[8:16], card)
	return card, true, true
}

// Merge sets max[i] to the larger of max[i] and register i of s (hllMerge).
// It reports false for a corrupt sparse value.
func Merge(max *[Registers]uint8, s []byte) bool {
	if s[4] == encDense {
		regs := s[HdrSize:DenseSize]
		for i, r := 0, 0; i+3 <= len(regs); i, r = i+3, r+4 {
			b0, b1, b2 := regs[i], regs[i+1], regs[i+2]
			m := max[r : r+4 : r+4]
			m[0] = maxU8(m[0], b0&63)
			m[1] = maxU8(m[1], (b0>>6|b1<<2)&63)
			m[2] = maxU8(m[2], (b1>>4|b2<<4)&63)
			m[3] = maxU8(m[3], b2>>2)
		}
		return true
	}
	return sparseRange(s[HdrSize:], func(first, n, val int) {
		if val == 0 {
			return
		}
		for i := first; i < first+n; i++ {
			if uint8(val) > max[i] {
				max[i] = uint8(val)
			}
		}
	})
}

func maxU8(a, b uint8) uint8 {
	if b > a {
		return b
	}
	return a
}

// CountRegisters estimates the cardinality of raw registers (the union
// PFCOUNT of several keys computes).
func CountRegisters(regs *[Registers]uint8) uint64 {
	var histo [64]int
	for _, r := range regs {
		histo[r&63]++
	}
	return estimate(&histo)
}

// SetRegisters writes registers into s, dense or sparse, where they are
// larger (what PFMERGE does to its destination), and marks the cached
// cardinality stale. It returns the value, possibly reallocated or now dense;
// ok is false if s is corrupt.
func SetRegisters(s []byte, regs *[Registers]uint8, dense bool) ([]byte, bool) {
	if dense {
		var ok bool
		if s, ok = toDense(s); !ok {
			return s, false
		}
	}
	for i, v := range regs {
		if v == 0 {
			continue
		}
		if s[4] == encDense {
			denseSetMax(s[HdrSize:], i, v)
		} else {
			s, _ = sparseSet(s, i, v)
		}
	}
	invalidateCache(s)
	return s, true
}

// estimate is hllCount's estimator on a register histogram.
func estimate(histo *[64]int) uint64 {
	m := float64(Registers)
	z := m * tau((m-float64(histo[Q+1]))/m)
	for j := Q; j >= 1; j-- {
		z += float64(histo[j])
		z *= 0.5
	}
	z += m * sigma(float64(histo[0])/m)
	// The conversions keep each operation rounded to a double, as in C.
	e := float64(float64(alphaInf*m)*m) / z
	return uint64(math.Round(e))
}

// sigma and tau are the helper functions of Otmar Ertl, "New cardinality
// estimation algorithms for HyperLogLog sketches", arXiv:1702.01284.
func sigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x *= x
		zPrime := z
		z += float64(x * y)
		y += y
		if zPrime == z {
			return z
		}
	}
}

func tau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		zPrime := z
		y *= 0.5
		d := 1 - x
		z -= float64(float64(d*d) * y)
		if zPrime == z {
			return z / 3
		}
	}
}
