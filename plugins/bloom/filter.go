package main

import (
	"encoding/binary"
	"errors"
	"math"
	"math/bits"
)

// Option bits of a chain, with the values RedisBloom stores in its RDB
// values (BLOOM_OPT_*), so its files load here and back.
const (
	optNoRound    = 1 // filters are sized to the bit, not to a power of two
	optEntsIsBits = 2 // (RedisBloom only: the size was given in bits)
	optForce64    = 4 // 64-bit hashes
	optNoScaling  = 8 // a full filter refuses new items instead of growing
)

// RedisBloom's constants for ln(2) and ln(2)^2, kept as it writes them so
// that sizes and hash counts come out exactly as its own.
const (
	ln2   = 0.693147180559945
	ln2Sq = 0.480453013918201
)

// tightening is the factor each filter's error rate is multiplied by
// relative to the one before it (and the first relative to the requested
// rate), so that the false positive rates of all the filters add up to at
// most the requested one.
const tightening = 0.5

// maxFilterBytes bounds one filter's bit array (1 GiB): a capacity or
// expansion that asks for more is refused instead of exhausting memory.
const maxFilterBytes = 1 << 30

// errTooBig is what a filter too large to allocate makes the command say,
// RedisBloom's text for a filter it could not create.
var errTooBig = errors.New("ERR could not create filter")

// filter is one fixed-size Bloom filter of a chain (RedisBloom's struct
// bloom and SBLink).
type filter struct {
	entries uint64  // the capacity
	errRate float64 // the false positive rate it was sized for
	hashes  uint64  // hash functions (bit positions per item)
	bpe     float64 // bits per entry
	bits    uint64  // len(bf) * 8
	n2      uint64  // log2 of the bits when they are a power of two; 0 here
	bf      []byte
	size    uint64 // items added
}

// newFilter sizes a filter for capacity entries at error rate e, as
// RedisBloom's bloom_init does with BLOOM_OPT_NOROUND.
func newFilter(capacity uint64, e float64) (*filter, error) {
	if capacity < 1 || e <= 0 || e >= 1 {
		return nil, errTooBig
	}
	f := &filter{entries: capacity, errRate: e, bpe: bitsPerEntry(e)}
	nbits := f.bpe * float64(capacity)
	if nbits/8 > maxFilterBytes {
		return nil, errTooBig
	}
	b := uint64(nbits)
	if b == 0 {
		b = 1
	}
	nbytes := (b + 63) / 64 * 8
	f.bf = make([]byte, nbytes)
	f.bits = nbytes * 8
	f.hashes = uint64(math.Ceil(ln2 * f.bpe))
	return f, nil
}

// bitsPerEntry is -ln(e) / ln(2)^2, the bits per item for error rate e.
func bitsPerEntry(e float64) float64 {
	return math.Abs(-math.Log(e) / ln2Sq)
}

// hashPair is an item's two 64-bit hashes; position i is a + i*b.
type hashPair struct{ a, b uint64 }

// hashItem hashes an item as RedisBloom's bloom_calc_hash64: MurmurHash64A
// with a fixed seed, then again seeded with the first hash.
func hashItem(item []byte) hashPair {
	a := murmur64A(item, 0xc6a4a7935bd1e995)
	return hashPair{a: a, b: murmur64A(item, a)}
}

// mod is the number of bit positions.
func (f *filter) mod() uint64 {
	if f.n2 > 0 {
		return 1 << f.n2
	}
	return f.bits
}

// has reports whether every bit of the item is set.
func (f *filter) has(h hashPair) bool {
	m := f.mod()
	for i := uint64(0); i < f.hashes; i++ {
		x := (h.a + i*h.b) % m
		if f.bf[x>>3]&(1<<(x&7)) == 0 {
			return false
		}
	}
	return true
}

// add sets the item's bits and reports whether one of them was not set
// (the item is new to this filter).
func (f *filter) add(h hashPair) bool {
	m := f.mod()
	added := false
	for i := uint64(0); i < f.hashes; i++ {
		x := (h.a + i*h.b) % m
		if mask := byte(1 << (x & 7)); f.bf[x>>3]&mask == 0 {
			f.bf[x>>3] |= mask
			added = true
		}
	}
	return added
}

// Chain is a scalable Bloom filter (RedisBloom's SBChain): filters of
// growing capacity and shrinking error rate; an item is added to the last
// one, and is present if any has it.
type Chain struct {
	filters []*filter
	size    uint64 // items added
	options uint64
	growth  uint64 // the expansion rate
}

// newChain makes a chain whose first filter holds capacity items at error
// rate e (tightened, for a scaling chain).
func newChain(capacity uint64, e float64, expansion uint64, nonScaling bool) (*Chain, error) {
	c := &Chain{options: optForce64 | optNoRound, growth: expansion}
	t := tightening
	if nonScaling {
		c.options |= optNoScaling
		t = 1
	}
	f, err := newFilter(capacity, e*t)
	if err != nil {
		return nil, err
	}
	c.filters = []*filter{f}
	return c, nil
}

// errFull is BF.ADD's error for a non-scaling filter at its capacity.
var errFull = errors.New("ERR non scaling filter is full")

// Add adds an item. It reports whether the item was new (false: some
// filter may already have it), errFull for a full non-scaling chain, or
// errTooBig when the next filter cannot be allocated.
func (c *Chain) Add(item []byte) (bool, error) {
	h := hashItem(item)
	for i := len(c.filters) - 1; i >= 0; i-- {
		if c.filters[i].has(h) {
			return false, nil
		}
	}
	cur := c.filters[len(c.filters)-1]
	if cur.size >= cur.entries {
		if c.options&optNoScaling != 0 {
			return false, errFull
		}
		hi, next := bits.Mul64(cur.entries, c.growth)
		if hi != 0 {
			return false, errTooBig
		}
		f, err := newFilter(next, cur.errRate*tightening)
		if err != nil {
			return false, err
		}
		c.filters = append(c.filters, f)
		cur = f
	}
	if !cur.add(h) {
		return false, nil
	}
	cur.size++
	c.size++
	return true, nil
}

// Exists reports whether the item may have been added.
func (c *Chain) Exists(item []byte) bool {
	h := hashItem(item)
	for i := len(c.filters) - 1; i >= 0; i-- {
		if c.filters[i].has(h) {
			return true
		}
	}
	return false
}

// Capacity is the items the filters hold without exceeding their error
// rates (BF.INFO Capacity).
func (c *Chain) Capacity() uint64 {
	var n uint64
	for _, f := range c.filters {
		n += f.entries
	}
	return n
}

// Bytes is RedisBloom's BFMemUsage (BF.INFO Size, MEMORY USAGE): its C
// structures' sizes (the chain 32 bytes, each filter 64) and the bit
// arrays.
func (c *Chain) Bytes() int {
	n := 32
	for _, f := range c.filters {
		n += 64 + len(f.bf)
	}
	return n
}

// Expansion is BF.INFO's Expansion rate: nil for a non-scaling chain.
func (c *Chain) Expansion() (uint64, bool) {
	return c.growth, c.options&optNoScaling == 0
}

// murmur64A is Austin Appleby's MurmurHash64A (public domain), reading
// the input as little-endian 64-bit words.
func murmur64A(key []byte, seed uint64) uint64 {
	const m = 0xc6a4a7935bd1e995
	const r = 47
	h := seed ^ (uint64(len(key)) * m)
	n := len(key) / 8 * 8
	for i := 0; i < n; i += 8 {
		k := binary.LittleEndian.Uint64(key[i:])
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
	}
	if rest := key[n:]; len(rest) > 0 {
		for i := len(rest) - 1; i >= 0; i-- {
			h ^= uint64(rest[i]) << (8 * uint(i))
		}
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}
