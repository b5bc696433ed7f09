// Package types holds the pure data structures behind Redis's value types.
// Nothing here knows about commands, clients or expiry.
package types

import "unsafe"

// Hash limits, Redis's defaults for hash-max-listpack-entries and
// hash-max-listpack-value: below both, a hash is a compact slice of pairs.
var (
	HashMaxListpackEntries = 512
	HashMaxListpackValue   = 64
)

// Hash is a field-value map with Redis's two encodings: a compact slice of
// pairs ("listpack") while small, and once it outgrows the limits a dense
// slice of entries with a field-to-index map ("hashtable"). Like Redis, it
// never converts back.
//
// The hashtable's entries stay dense: Delete moves the last entry into the
// hole (swap-remove). So an entry only ever moves from the end to a lower
// index, and a scan that walks indexes from high to low (ScanDesc) returns
// every field present for the whole scan at least once.
type Hash struct {
	pairs [][]byte // f0, v0, f1, v1, ... while compact

	ents []hashEntry      // hashtable: the entries, dense
	idx  map[string]int32 // hashtable: field -> index in ents
}

type hashEntry struct {
	field string // shares its bytes with the map key
	value []byte
}

// NewHash returns an empty compact hash.
func NewHash() *Hash { return &Hash{} }

// Len returns the number of fields.
func (h *Hash) Len() int {
	if h.idx != nil {
		return len(h.ents)
	}
	return len(h.pairs) / 2
}

// Encoding is the name OBJECT ENCODING reports.
func (h *Hash) Encoding() string {
	if h.idx != nil {
		return "hashtable"
	}
	return "listpack"
}

// Compact reports whether the hash uses the compact (listpack) encoding.
func (h *Hash) Compact() bool { return h.idx == nil }

func (h *Hash) find(field []byte) int {
	for i := 0; i < len(h.pairs); i += 2 {
		if string(h.pairs[i]) == string(field) {
			return i
		}
	}
	return -1
}

// bytesOf returns the bytes of s without copying; they must not be
// modified.
func bytesOf(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// Get returns the value of field. The slice is the hash's own: copy it to
// keep it across a change of the hash.
func (h *Hash) Get(field []byte) ([]byte, bool) {
	if h.idx != nil {
		if i, ok := h.idx[string(field)]; ok {
			return h.ents[i].value, true
		}
		return nil, false
	}
	if i := h.find(field); i >= 0 {
		return h.pairs[i+1], true
	}
	return nil, false
}

// setValue returns a copy of value, reusing old's memory when it fits and
// is not wastefully large.
func setValue(old, value []byte) []byte {
	if cap(old) >= len(value) && cap(old) <= 2*len(value)+32 {
		return append(old[:0], value...)
	}
	return append(make([]byte, 0, len(value)), value...)
}

// Set sets field to a copy of value and reports whether the field is new.
func (h *Hash) Set(field, value []byte) bool {
	if h.idx != nil {
		if i, ok := h.idx[string(field)]; ok {
			h.ents[i].value = setValue(h.ents[i].value, value)
			return false
		}
		f := string(field)
		h.idx[f] = int32(len(h.ents))
		h.ents = append(h.ents, hashEntry{field: f, value: append(make([]byte, 0, len(value)), value...)})
		return true
	}
	if i := h.find(field); i >= 0 {
		h.pairs[i+1] = setValue(h.pairs[i+1], value)
		h.convertIfBig(len(value))
		return false
	}
	h.pairs = append(h.pairs, append([]byte(nil), field...), append([]byte(nil), value...))
	h.convertIfBig(max(len(field), len(value)))
	return true
}

func (h *Hash) convertIfBig(size int) {
	if len(h.pairs)/2 <= HashMaxListpackEntries && size <= HashMaxListpackValue {
		return
	}
	n := len(h.pairs) / 2
	h.ents = make([]hashEntry, n, n+n/4+1)
	h.idx = make(map[string]int32, n)
	for i := 0; i < n; i++ {
		f := string(h.pairs[2*i])
		h.ents[i] = hashEntry{field: f, value: h.pairs[2*i+1]}
		h.idx[f] = int32(i)
	}
	h.pairs = nil
}

// Delete removes field and reports whether it was there.
func (h *Hash) Delete(field []byte) bool {
	if h.idx != nil {
		i, ok := h.idx[string(field)]
		if !ok {
			return false
		}
		delete(h.idx, string(field))
		last := int32(len(h.ents) - 1)
		if i != last {
			h.ents[i] = h.ents[last]
			h.idx[h.ents[i].field] = i
		}
		h.ents[last] = hashEntry{}
		h.ents = h.ents[:last]
		if c := cap(h.ents); c > 64 && len(h.ents) < c/4 {
			h.ents = append(make([]hashEntry, 0, len(h.ents)*2), h.ents...)
		}
		return true
	}
	i := h.find(field)
	if i < 0 {
		return false
	}
	copy(h.pairs[i:], h.pairs[i+2:])
	h.pairs[len(h.pairs)-1], h.pairs[len(h.pairs)-2] = nil, nil
	h.pairs = h.pairs[:len(h.pairs)-2]
	return true
}

// At returns the i-th field and value (0 <= i < Len()): in insertion order
// while compact, in entry order once a hashtable. The slices are the hash's
// own and must not be modified.
func (h *Hash) At(i int) (field, value []byte) {
	if h.idx != nil {
		e := &h.ents[i]
		return bytesOf(e.field), e.value
	}
	return h.pairs[2*i], h.pairs[2*i+1]
}

// Range calls fn for each field and value, in index order (see At), until
// fn returns false. fn must not change the hash, nor modify the slices.
func (h *Hash) Range(fn func(field, value []byte) bool) {
	if h.idx != nil {
		for i := range h.ents {
			e := &h.ents[i]
			if !fn(bytesOf(e.field), e.value) {
				return
			}
		}
		return
	}
	for i := 0; i < len(h.pairs); i += 2 {
		if !fn(h.pairs[i], h.pairs[i+1]) {
			return
		}
	}
}

// ScanDesc visits up to count entries of a hashtable hash, walking indexes
// down from cursor (0 starts at the top), and returns the cursor of the
// next call, 0 when the walk is done. A field present for the whole walk is
// visited at least once. For a compact hash it visits everything and
// returns 0, as Redis does for a listpack.
func (h *Hash) ScanDesc(cursor uint64, count int, fn func(field, value []byte)) uint64 {
	if h.idx == nil {
		h.Range(func(f, v []byte) bool { fn(f, v); return true })
		return 0
	}
	n := uint64(len(h.ents))
	pos := n // one past the next index to visit
	if cursor != 0 && cursor < n {
		pos = cursor
	}
	for ; pos > 0 && count > 0; count-- {
		pos--
		e := &h.ents[pos]
		fn(bytesOf(e.field), e.value)
	}
	return pos
}

// Clone returns a deep copy of h.
func (h *Hash) Clone() *Hash {
	c := &Hash{}
	if h.idx == nil {
		c.pairs = make([][]byte, len(h.pairs))
		for i, b := range h.pairs {
			c.pairs[i] = append(make([]byte, 0, len(b)), b...)
		}
		return c
	}
	c.ents = make([]hashEntry, len(h.ents), cap(h.ents))
	c.idx = make(map[string]int32, len(h.ents))
	for i, e := range h.ents {
		f := string(append([]byte(nil), e.field...))
		c.ents[i] = hashEntry{field: f, value: append(make([]byte, 0, len(e.value)), e.value...)}
		c.idx[f] = int32(i)
	}
	return c
}

// MemoryUsage estimates the bytes the hash holds: the struct, the pair or
// entry slice, the field and value bytes and, once a hashtable, the map (a
// key's string header and int32 value plus Go's per-slot overhead at its
// load factor).
func (h *Hash) MemoryUsage() int {
	const header = 80 // the Hash struct and the slice and map headers
	const sliceHeader = 24
	const alloc = 8 // rounding and allocation overhead per byte slice
	if h.idx == nil {
		n := header + sliceHeader*cap(h.pairs)
		for _, b := range h.pairs {
			n += cap(b) + alloc
		}
		return n
	}
	const stringHeader = 16
	const mapSlot = (stringHeader + 4 + 1) * 8 / 7 // key, value, control byte at 7/8 load
	n := header + (stringHeader+sliceHeader)*cap(h.ents) + mapSlot*len(h.idx)
	for i := range h.ents {
		n += len(h.ents[i].field) + cap(h.ents[i].value) + 2*alloc
	}
	return n
}
