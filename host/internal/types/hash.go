// Package types holds the pure data structures behind Redis's value types.
// Nothing here knows about commands, clients or expiry.
package types

// Hash limits, Redis's defaults for hash-max-listpack-entries and
// hash-max-listpack-value: below both, a hash is a compact slice of pairs.
var (
	HashMaxListpackEntries = 512
	HashMaxListpackValue   = 64
)

// Hash is a field-value map with Redis's two encodings: a compact slice of
// pairs ("listpack") while small, a Go map ("hashtable") once it outgrows the
// limits. Like Redis, it never converts back.
type Hash struct {
	pairs [][]byte // f0, v0, f1, v1, ... while compact
	m     map[string][]byte
}

// NewHash returns an empty compact hash.
func NewHash() *Hash { return &Hash{} }

// Len returns the number of fields.
func (h *Hash) Len() int {
	if h.m != nil {
		return len(h.m)
	}
	return len(h.pairs) / 2
}

// Encoding is the name OBJECT ENCODING reports.
func (h *Hash) Encoding() string {
	if h.m != nil {
		return "hashtable"
	}
	return "listpack"
}

func (h *Hash) find(field []byte) int {
	for i := 0; i < len(h.pairs); i += 2 {
		if string(h.pairs[i]) == string(field) {
			return i
		}
	}
	return -1
}

// Get returns the value of field. The slice is the hash's own: copy it to
// keep it across a change of the hash.
func (h *Hash) Get(field []byte) ([]byte, bool) {
	if h.m != nil {
		v, ok := h.m[string(field)]
		return v, ok
	}
	if i := h.find(field); i >= 0 {
		return h.pairs[i+1], true
	}
	return nil, false
}

// Set sets field to a copy of value and reports whether the field is new.
func (h *Hash) Set(field, value []byte) bool {
	if h.m != nil {
		_, exists := h.m[string(field)]
		h.m[string(field)] = append([]byte(nil), value...)
		return !exists
	}
	if i := h.find(field); i >= 0 {
		h.pairs[i+1] = append(h.pairs[i+1][:0:0], value...)
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
	h.m = make(map[string][]byte, len(h.pairs)/2)
	for i := 0; i < len(h.pairs); i += 2 {
		h.m[string(h.pairs[i])] = h.pairs[i+1]
	}
	h.pairs = nil
}

// Delete removes field and reports whether it was there.
func (h *Hash) Delete(field []byte) bool {
	if h.m != nil {
		if _, ok := h.m[string(field)]; ok {
			delete(h.m, string(field))
			return true
		}
		return false
	}
	i := h.find(field)
	if i < 0 {
		return false
	}
	h.pairs = append(h.pairs[:i], h.pairs[i+2:]...)
	return true
}

// Range calls fn for each field and value, in insertion order while compact,
// until fn returns false. fn must not change the hash.
func (h *Hash) Range(fn func(field, value []byte) bool) {
	if h.m != nil {
		for f, v := range h.m {
			if !fn([]byte(f), v) {
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
