package types

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
)

// SetMaxIntsetEntries is Redis's set-max-intset-entries: a set whose members
// are all integers stays a sorted integer array ("intset") up to this many
// members.
var SetMaxIntsetEntries = 512

// Set is a set of binary-safe strings with Redis 7.0's two encodings:
//
//   - "intset": while every member is an integer in canonical decimal form
//     within int64 and there are at most SetMaxIntsetEntries of them, a sorted
//     []int64 (iteration is in ascending order, as Redis's intset);
//   - "hashtable": otherwise, the members in a dense slice plus a map from
//     member to its index. Deletion swap-removes (the last member moves into
//     the hole), which keeps random selection O(1) and lets SSCAN's cursor,
//     which walks the slice from high indexes to low, never miss a member
//     present for the whole scan.
//
// Like Redis, a set never converts back to an intset.
type Set struct {
	ints    []int64        // intset: sorted ascending (used while idx == nil)
	members []string       // hashtable: the members, dense
	idx     map[string]int // hashtable: member -> index in members
	bytes   int            // hashtable: total length of the members
}

// NewSet returns an empty set, encoded as an intset until a member that is
// not an integer arrives (Redis's createIntsetObject).
func NewSet() *Set { return &Set{} }

// Len returns the number of members.
func (s *Set) Len() int {
	if s.idx != nil {
		return len(s.members)
	}
	return len(s.ints)
}

// Encoding is the name OBJECT ENCODING reports.
func (s *Set) Encoding() string {
	if s.idx != nil {
		return "hashtable"
	}
	return "intset"
}

// IsIntset reports whether the set is encoded as an intset.
func (s *Set) IsIntset() bool { return s.idx == nil }

// parseSetInt is Redis's string2ll, as isSdsRepresentableAsLongLong uses it:
// an optional '-', no leading zeros ("-0" is refused), no spaces or '+',
// within int64.
func parseSetInt[T string | []byte](b T) (int64, bool) {
	n := len(b)
	if n == 0 || n > 20 {
		return 0, false
	}
	if n == 1 && b[0] == '0' {
		return 0, true
	}
	i := 0
	neg := b[0] == '-'
	if neg {
		i = 1
		if n == 1 {
			return 0, false
		}
	}
	if b[i] < '1' || b[i] > '9' {
		return 0, false
	}
	var v uint64
	for ; i < n; i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return int64(-v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// convert turns an intset into a hashtable, the members in ascending order.
func (s *Set) convert(extra int) {
	n := len(s.ints)
	s.members = make([]string, n, n+extra)
	s.idx = make(map[string]int, n+extra)
	for i, v := range s.ints {
		m := strconv.FormatInt(v, 10)
		s.members[i] = m
		s.idx[m] = i
		s.bytes += len(m)
	}
	s.ints = nil
}

// addInt adds v to an intset and reports whether it is new.
func (s *Set) addInt(v int64) bool {
	i, found := slices.BinarySearch(s.ints, v)
	if found {
		return false
	}
	s.ints = slices.Insert(s.ints, i, v)
	if len(s.ints) > SetMaxIntsetEntries {
		s.convert(0)
	}
	return true
}

// addString adds m to a hashtable and reports whether it is new.
func (s *Set) addString(m string) bool {
	if _, ok := s.idx[m]; ok {
		return false
	}
	s.insert(m)
	return true
}

// insert appends m, known not to be a member, to a hashtable.
func (s *Set) insert(m string) {
	s.idx[m] = len(s.members)
	s.members = append(s.members, m)
	s.bytes += len(m)
}

// Add adds a copy of m and reports whether it is new. It converts an intset
// to a hashtable when m is not an integer or the intset grows past
// SetMaxIntsetEntries.
func (s *Set) Add(m []byte) bool {
	if s.idx == nil {
		if v, ok := parseSetInt(m); ok {
			return s.addInt(v)
		}
		s.convert(1)
	}
	if _, ok := s.idx[string(m)]; ok {
		return false
	}
	s.insert(string(m)) // the copy the set keeps
	return true
}

// AddString is Add for a member held as a string (shared, not copied).
func (s *Set) AddString(m string) bool {
	if s.idx == nil {
		if v, ok := parseSetInt(m); ok {
			return s.addInt(v)
		}
		s.convert(1)
	}
	return s.addString(m)
}

// AddInt is Add for an integer member.
func (s *Set) AddInt(v int64) bool {
	if s.idx == nil {
		return s.addInt(v)
	}
	var tmp [24]byte
	b := strconv.AppendInt(tmp[:0], v, 10)
	if _, ok := s.idx[string(b)]; ok {
		return false
	}
	s.insert(string(b))
	return true
}

// Has reports whether m is a member.
func (s *Set) Has(m []byte) bool {
	if s.idx != nil {
		_, ok := s.idx[string(m)]
		return ok
	}
	v, ok := parseSetInt(m)
	if !ok {
		return false
	}
	_, found := slices.BinarySearch(s.ints, v)
	return found
}

// HasString is Has for a member held as a string.
func (s *Set) HasString(m string) bool {
	if s.idx != nil {
		_, ok := s.idx[m]
		return ok
	}
	v, ok := parseSetInt(m)
	if !ok {
		return false
	}
	_, found := slices.BinarySearch(s.ints, v)
	return found
}

// HasInt is Has for an integer member.
func (s *Set) HasInt(v int64) bool {
	if s.idx != nil {
		var tmp [24]byte
		_, ok := s.idx[string(strconv.AppendInt(tmp[:0], v, 10))]
		return ok
	}
	_, found := slices.BinarySearch(s.ints, v)
	return found
}

// Remove removes m and reports whether it was a member.
func (s *Set) Remove(m []byte) bool {
	if s.idx != nil {
		i, ok := s.idx[string(m)]
		if !ok {
			return false
		}
		s.RemoveAt(i)
		return true
	}
	v, ok := parseSetInt(m)
	if !ok {
		return false
	}
	i, found := slices.BinarySearch(s.ints, v)
	if !found {
		return false
	}
	s.ints = slices.Delete(s.ints, i, i+1)
	return true
}

// RemoveString is Remove for a member held as a string.
func (s *Set) RemoveString(m string) bool {
	if s.idx != nil {
		i, ok := s.idx[m]
		if !ok {
			return false
		}
		s.RemoveAt(i)
		return true
	}
	v, ok := parseSetInt(m)
	if !ok {
		return false
	}
	return s.RemoveInt(v)
}

// RemoveInt is Remove for an integer member.
func (s *Set) RemoveInt(v int64) bool {
	if s.idx != nil {
		var tmp [24]byte
		i, ok := s.idx[string(strconv.AppendInt(tmp[:0], v, 10))]
		if !ok {
			return false
		}
		s.RemoveAt(i)
		return true
	}
	i, found := slices.BinarySearch(s.ints, v)
	if !found {
		return false
	}
	s.ints = slices.Delete(s.ints, i, i+1)
	return true
}

// At returns the member at position i (0 <= i < Len): an integer (isInt) for
// an intset, where positions are in ascending order, else a string. The
// string is the set's own; it stays valid (strings are immutable).
func (s *Set) At(i int) (str string, v int64, isInt bool) {
	if s.idx != nil {
		return s.members[i], 0, false
	}
	return "", s.ints[i], true
}

// RemoveAt removes the member at position i and returns it, as At does. In
// a hashtable the last member moves into position i.
func (s *Set) RemoveAt(i int) (str string, v int64, isInt bool) {
	if s.idx == nil {
		v = s.ints[i]
		s.ints = slices.Delete(s.ints, i, i+1)
		return "", v, true
	}
	str = s.members[i]
	last := len(s.members) - 1
	if i != last {
		moved := s.members[last]
		s.members[i] = moved
		s.idx[moved] = i
	}
	s.members[last] = ""
	s.members = s.members[:last]
	delete(s.idx, str)
	s.bytes -= len(str)
	s.shrink()
	return str, 0, false
}

// shrink gives memory back once a hashtable is mostly empty: Go keeps a
// slice's and a map's size, so both are rebuilt when under a quarter full.
// The order of the members is kept, and so are the positions SSCAN's cursor
// relies on.
func (s *Set) shrink() {
	if c := cap(s.members); c > 64 && len(s.members) < c/4 {
		s.members = slices.Clip(slices.Clone(s.members))
		idx := make(map[string]int, len(s.members))
		for i, m := range s.members {
			idx[m] = i
		}
		s.idx = idx
	}
}

// AppendMember appends the member at position i to dst.
func (s *Set) AppendMember(dst []byte, i int) []byte {
	if s.idx != nil {
		return append(dst, s.members[i]...)
	}
	return strconv.AppendInt(dst, s.ints[i], 10)
}

// RandomIndex returns a uniformly random position (the set must not be
// empty).
func (s *Set) RandomIndex() int { return rand.IntN(s.Len()) }

// RandomDistinct returns n distinct random positions, 0 <= n <= Len, in no
// particular order (Floyd's sampling: O(n) time and space).
func (s *Set) RandomDistinct(n int) []int {
	size := s.Len()
	out := make([]int, 0, n)
	if n <= 0 {
		return out
	}
	if n*2 >= size { // a partial shuffle is cheaper here
		perm := make([]int, size)
		for i := range perm {
			perm[i] = i
		}
		for i := 0; i < n; i++ {
			j := i + rand.IntN(size-i)
			perm[i], perm[j] = perm[j], perm[i]
		}
		return append(out, perm[:n]...)
	}
	seen := make(map[int]struct{}, n)
	for j := size - n; j < size; j++ {
		t := rand.IntN(j + 1)
		if _, dup := seen[t]; dup {
			t = j
		}
		seen[t] = struct{}{}
		out = append(out, t)
	}
	return out
}

// spopMoveStrategyMul is Redis's SPOP_MOVE_STRATEGY_MUL.
const spopMoveStrategyMul = 5

// PopRandom removes count random members, 0 < count < Len, calling fn with
// each (as At returns them) before the set changes again. It follows Redis
// 7.0's SPOP: when few members would remain (remaining*5 <= count), the
// remaining members are picked instead and rebuilt into a fresh set — which
// takes the intset encoding again if they allow it — and the popped ones are
// reported in the old set's order. Either way no survivor moves to a higher
// position, which SSCAN's guarantee needs.
func (s *Set) PopRandom(count int, fn func(str string, v int64, isInt bool)) {
	size := s.Len()
	remaining := size - count
	if remaining*spopMoveStrategyMul > count {
		for ; count > 0; count-- {
			str, v, isInt := s.RemoveAt(s.RandomIndex())
			fn(str, v, isInt)
		}
		return
	}
	keep := make([]bool, size)
	for _, p := range s.RandomDistinct(remaining) {
		keep[p] = true
	}
	// Built as Redis builds it (an intset if the survivors allow it), but a
	// hashtable is filled in the old order: no survivor moves to a higher
	// position, so a scan in progress still misses none of them.
	n, ints := 0, true
	for i := 0; i < size; i++ {
		if keep[i] {
			n++
			if str, _, isInt := s.At(i); !isInt {
				_, ok := parseSetInt(str)
				ints = ints && ok
			}
		}
	}
	ns := NewSet()
	if !ints || n > SetMaxIntsetEntries {
		ns.members = make([]string, 0, n)
		ns.idx = make(map[string]int, n)
	}
	for i := 0; i < size; i++ {
		str, v, isInt := s.At(i)
		switch {
		case !keep[i]:
			fn(str, v, isInt)
		case ns.idx == nil && isInt:
			ns.addInt(v)
		case ns.idx == nil:
			v, _ = parseSetInt(str)
			ns.addInt(v)
		case isInt:
			ns.insert(strconv.FormatInt(v, 10))
		default:
			ns.insert(str)
		}
	}
	*s = *ns
}

// Scan visits the members for one SSCAN call and returns the next cursor
// (0 when the scan is complete). An intset is visited whole, as Redis does.
// In a hashtable, cursor 0 starts at the highest position and cursor c
// visits the positions below c, from high to low, count of them per call: a
// member that swap-removal moves only moves from the end to a lower
// position, so a member present for the whole scan is never missed (it may
// be reported twice). fn must not change the set.
func (s *Set) Scan(cursor uint64, count int, fn func(i int)) uint64 {
	if s.idx == nil {
		for i := range s.ints {
			fn(i)
		}
		return 0
	}
	hi := len(s.members)
	if cursor != 0 && cursor < uint64(hi) {
		hi = int(cursor)
	}
	lo := max(hi-max(count, 1), 0)
	for i := hi - 1; i >= lo; i-- {
		fn(i)
	}
	return uint64(lo)
}

// Clone returns a deep copy with the same encoding. (Members are immutable
// strings, so the copy shares their bytes.)
func (s *Set) Clone() *Set {
	c := &Set{bytes: s.bytes}
	if s.idx == nil {
		c.ints = slices.Clone(s.ints)
		return c
	}
	c.members = slices.Clone(s.members)
	c.idx = make(map[string]int, len(s.idx))
	for k, v := range s.idx {
		c.idx[k] = v
	}
	return c
}

// MemoryUsage estimates the bytes the set holds: the struct, the integer
// array, or the member slice, the member bytes and the map (a key's string
// header and int value, plus Go's per-slot overhead at its load factor).
func (s *Set) MemoryUsage() int {
	const header = 64 // the Set struct and the slice and map headers
	if s.idx == nil {
		return header + 8*cap(s.ints)
	}
	const stringHeader = 16
	const mapSlot = (stringHeader + 8 + 1) * 8 / 7 // key, value, control byte at 7/8 load
	return header + stringHeader*cap(s.members) + s.bytes + mapSlot*len(s.idx)
}
