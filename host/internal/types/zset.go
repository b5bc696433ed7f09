package types

import (
	"math/rand/v2"
	"slices"
	"sort"
	"unsafe"
)

// Sorted set limits, Redis's defaults for zset-max-listpack-entries and
// zset-max-listpack-value: within both, a sorted set is a compact sorted
// slice ("listpack").
var (
	ZSetMaxListpackEntries = 128
	ZSetMaxListpackValue   = 64
)

// ZEntry is a sorted set member and its score.
type ZEntry struct {
	Member string
	Score  float64
}

// ZSet is a sorted set with Redis 7.0's two encodings:
//
//   - "listpack": while it has at most ZSetMaxListpackEntries members, none
//     longer than ZSetMaxListpackValue bytes, a slice of (member, score)
//     sorted by score, then member (bytewise);
//   - "skiplist": otherwise, Redis's skiplist with spans (O(log n) rank and
//     range), a map from member to node, and a dense slice of the nodes for
//     O(1) random members and a ZSCAN cursor that never misses a member
//     present for the whole scan.
//
// Like Redis, a sorted set never converts back to a listpack. Members are
// immutable strings (copied once, on insertion). Scores are never NaN.
//
// Like a listpack, which stores a zero score as the integer 0, the listpack
// encoding keeps -0 as 0; the skiplist keeps -0.
type ZSet struct {
	lp []ZEntry // listpack: sorted; used while sl == nil
	sl *zskiplist
}

// NewZSet returns an empty listpack-encoded sorted set.
func NewZSet() *ZSet { return &ZSet{} }

// NewZSetFrom builds a sorted set from entries with distinct members, in any
// order, choosing the encoding Redis gives a new set of that content (what
// ZUNIONSTORE, ZRANGESTORE... store). It takes ownership of entries.
func NewZSetFrom(entries []ZEntry) *ZSet {
	slices.SortFunc(entries, func(a, b ZEntry) int { return zcmp(a.Score, a.Member, b.Score, b.Member) })
	z := &ZSet{}
	maxLen := 0
	for _, e := range entries {
		maxLen = max(maxLen, len(e.Member))
	}
	if len(entries) <= ZSetMaxListpackEntries && maxLen <= ZSetMaxListpackValue {
		for i := range entries {
			if entries[i].Score == 0 {
				entries[i].Score = 0 // -0 as a listpack stores it
			}
		}
		z.lp = entries
		return z
	}
	z.sl = newZskiplist(len(entries))
	for _, e := range entries {
		z.sl.add(e.Member, e.Score)
	}
	return z
}

// zcmp orders by score, then member.
func zcmp(s1 float64, m1 string, s2 float64, m2 string) int {
	switch {
	case s1 < s2:
		return -1
	case s1 > s2:
		return 1
	case m1 < m2:
		return -1
	case m1 > m2:
		return 1
	}
	return 0
}

// Len returns the number of members.
func (z *ZSet) Len() int {
	if z.sl != nil {
		return z.sl.length
	}
	return len(z.lp)
}

// Encoding is the name OBJECT ENCODING reports.
func (z *ZSet) Encoding() string {
	if z.sl != nil {
		return "skiplist"
	}
	return "listpack"
}

// lpFind returns member's index in the listpack, or -1.
func (z *ZSet) lpFind(member []byte) int {
	for i := range z.lp {
		if z.lp[i].Member == string(member) {
			return i
		}
	}
	return -1
}

// lpInsert inserts a new member at its sorted place.
func (z *ZSet) lpInsert(member string, score float64) {
	if score == 0 {
		score = 0 // a listpack stores -0 as the integer 0
	}
	i := sort.Search(len(z.lp), func(i int) bool {
		return zcmp(z.lp[i].Score, z.lp[i].Member, score, member) > 0
	})
	z.lp = slices.Insert(z.lp, i, ZEntry{member, score})
}

// lpMove gives the entry at i a new score and moves it to its sorted place,
// without allocating.
func (z *ZSet) lpMove(i int, score float64) {
	if score == 0 {
		score = 0
	}
	e := z.lp[i]
	e.Score = score
	j := i
	for j > 0 && zcmp(z.lp[j-1].Score, z.lp[j-1].Member, e.Score, e.Member) > 0 {
		z.lp[j] = z.lp[j-1]
		j--
	}
	for j < len(z.lp)-1 && zcmp(z.lp[j+1].Score, z.lp[j+1].Member, e.Score, e.Member) < 0 {
		z.lp[j] = z.lp[j+1]
		j++
	}
	z.lp[j] = e
}

// lpDeleteRange deletes the entries [from, to).
func (z *ZSet) lpDeleteRange(from, to int) { z.lp = slices.Delete(z.lp, from, to) }

// convert moves a listpack to the skiplist encoding.
func (z *ZSet) convert() {
	z.sl = newZskiplist(len(z.lp))
	for _, e := range z.lp {
		z.sl.add(e.Member, e.Score)
	}
	z.lp = nil
}

// Score returns member's score.
func (z *ZSet) Score(member []byte) (float64, bool) {
	if z.sl != nil {
		if n := z.sl.dict[string(member)]; n != nil {
			return n.score, true
		}
		return 0, false
	}
	if i := z.lpFind(member); i >= 0 {
		return z.lp[i].Score, true
	}
	return 0, false
}

// ScoreString is Score for a member held as a string.
func (z *ZSet) ScoreString(member string) (float64, bool) {
	if z.sl != nil {
		if n := z.sl.dict[member]; n != nil {
			return n.score, true
		}
		return 0, false
	}
	for i := range z.lp {
		if z.lp[i].Member == member {
			return z.lp[i].Score, true
		}
	}
	return 0, false
}

// ZADD input flags.
const (
	ZAddNX   = 1 << iota // only add new members
	ZAddXX               // only update existing members
	ZAddGT               // only update to a greater score
	ZAddLT               // only update to a lower score
	ZAddIncr             // score is an increment
)

// ZADD results.
const (
	ZAddedNaN = 1 << iota // the (resulting) score is NaN: nothing was done
	ZAdded                // a new member
	ZUpdated              // an existing member got a new score
	ZNop                  // nothing to do (NX, XX, GT or LT said so)
)

// Add is Redis's zsetAdd: add member with score (or increment its score,
// with ZAddIncr), as the flags allow. It returns the member's new score
// (valid unless the result has ZAddedNaN or ZNop) and what happened. A new
// member is copied.
func (z *ZSet) Add(member []byte, score float64, flags int) (float64, int) {
	if score != score {
		return 0, ZAddedNaN
	}
	xx := flags&ZAddXX != 0
	if z.sl == nil {
		if i := z.lpFind(member); i >= 0 {
			s, res, changed := zaddExisting(z.lp[i].Score, score, flags)
			if changed {
				z.lpMove(i, s)
			}
			return s, res
		}
		if xx {
			return 0, ZNop
		}
		if len(z.lp)+1 <= ZSetMaxListpackEntries && len(member) <= ZSetMaxListpackValue {
			z.lpInsert(string(member), score)
			return score, ZAdded
		}
		z.convert()
	}
	if n := z.sl.dict[string(member)]; n != nil {
		s, res, changed := zaddExisting(n.score, score, flags)
		if changed {
			z.sl.updateScore(n, s)
		}
		return s, res
	}
	if xx {
		return 0, ZNop
	}
	z.sl.add(string(member), score)
	return score, ZAdded
}

// zaddExisting decides what Add does to a member of score cur: its new
// score, the result, and whether the score changes.
func zaddExisting(cur, score float64, flags int) (float64, int, bool) {
	if flags&ZAddNX != 0 {
		return 0, ZNop, false
	}
	if flags&ZAddIncr != 0 {
		score += cur
		if score != score {
			return 0, ZAddedNaN, false
		}
	}
	if flags&ZAddLT != 0 && score >= cur || flags&ZAddGT != 0 && score <= cur {
		return 0, ZNop, false
	}
	if score != cur {
		return score, ZUpdated, true
	}
	return score, 0, false
}

// Remove removes member and reports whether it was there.
func (z *ZSet) Remove(member []byte) bool {
	if z.sl != nil {
		n := z.sl.dict[string(member)]
		if n == nil {
			return false
		}
		z.sl.remove(n)
		return true
	}
	i := z.lpFind(member)
	if i < 0 {
		return false
	}
	z.lpDeleteRange(i, i+1)
	return true
}

// Rank returns member's 0-based rank, from the lowest score (or from the
// highest, rev).
func (z *ZSet) Rank(member []byte, rev bool) (int, bool) {
	var r int
	if z.sl != nil {
		n := z.sl.dict[string(member)]
		if n == nil {
			return 0, false
		}
		r = z.sl.rank(n.score, n.member) - 1
	} else {
		r = z.lpFind(member)
		if r < 0 {
			return 0, false
		}
	}
	if rev {
		r = z.Len() - 1 - r
	}
	return r, true
}

// At returns the entry of 0-based rank i (0 <= i < Len), from the lowest
// score.
func (z *ZSet) At(i int) ZEntry {
	if z.sl != nil {
		n := z.sl.byRank(i + 1)
		return ZEntry{n.member, n.score}
	}
	return z.lp[i]
}

// RangeByRank calls fn for the members of 0-based ranks start to end
// (0 <= start <= end < Len), counted from the lowest score, or from the
// highest with rev, in that order, until fn returns false.
func (z *ZSet) RangeByRank(start, end int, rev bool, fn func(member string, score float64) bool) {
	if z.sl == nil {
		if rev {
			for i := len(z.lp) - 1 - start; i >= len(z.lp)-1-end; i-- {
				if !fn(z.lp[i].Member, z.lp[i].Score) {
					return
				}
			}
			return
		}
		for i := start; i <= end; i++ {
			if !fn(z.lp[i].Member, z.lp[i].Score) {
				return
			}
		}
		return
	}
	var n *zslNode
	if rev {
		n = z.sl.byRank(z.sl.length - start)
	} else {
		n = z.sl.byRank(start + 1)
	}
	for k := end - start + 1; k > 0 && n != nil; k-- {
		if !fn(n.member, n.score) {
			return
		}
		if rev {
			n = n.backward
		} else {
			n = n.level[0].forward
		}
	}
}

// Ascend calls fn for every member from the lowest score, until fn returns
// false. fn must not change the set.
func (z *ZSet) Ascend(fn func(member string, score float64) bool) {
	if z.sl == nil {
		for _, e := range z.lp {
			if !fn(e.Member, e.Score) {
				return
			}
		}
		return
	}
	for n := z.sl.header.level[0].forward; n != nil; n = n.level[0].forward {
		if !fn(n.member, n.score) {
			return
		}
	}
}

// Descend calls fn for every member from the highest score, until fn
// returns false. (Redis's zset iterator for ZUNION and friends and for a
// whole-set ZRANDMEMBER walks this way.) fn must not change the set.
func (z *ZSet) Descend(fn func(member string, score float64) bool) {
	if z.sl == nil {
		for i := len(z.lp) - 1; i >= 0; i-- {
			if !fn(z.lp[i].Member, z.lp[i].Score) {
				return
			}
		}
		return
	}
	for n := z.sl.tail; n != nil; n = n.backward {
		if !fn(n.member, n.score) {
			return
		}
	}
}

// Each calls fn for every member in rank order with a fresh copy of the
// member's bytes, until fn returns false (the shape SORT reads).
func (z *ZSet) Each(fn func(member []byte, score float64) bool) {
	z.Ascend(func(m string, s float64) bool { return fn([]byte(m), s) })
}

// Pop removes and returns the member with the lowest score (or the highest,
// max). The set must not be empty.
func (z *ZSet) Pop(max bool) ZEntry {
	if z.sl == nil {
		i := 0
		if max {
			i = len(z.lp) - 1
		}
		e := z.lp[i]
		z.lpDeleteRange(i, i+1)
		return e
	}
	n := z.sl.header.level[0].forward
	if max {
		n = z.sl.tail
	}
	z.sl.remove(n)
	return ZEntry{n.member, n.score}
}

// ScoreRange is a score interval; MinEx and MaxEx make its ends exclusive.
type ScoreRange struct {
	Min, Max     float64
	MinEx, MaxEx bool
}

func (r *ScoreRange) gteMin(v float64) bool {
	if r.MinEx {
		return v > r.Min
	}
	return v >= r.Min
}

func (r *ScoreRange) lteMax(v float64) bool {
	if r.MaxEx {
		return v < r.Max
	}
	return v <= r.Max
}

// empty reports a range no score can be in.
func (r *ScoreRange) empty() bool {
	return r.Min > r.Max || r.Min == r.Max && (r.MinEx || r.MaxEx)
}

// LexBound is one end of a lexicographic range: "-" (Inf < 0), "+"
// (Inf > 0), or a value, exclusive or inclusive.
type LexBound struct {
	Inf   int8
	Value string
	Ex    bool
}

// LexRange is a lexicographic interval of members.
type LexRange struct{ Min, Max LexBound }

// cmpLex compares a member with a bound's value, as Redis's sdscmplex does.
func cmpLex(m string, b *LexBound) int {
	switch {
	case b.Inf < 0:
		return 1
	case b.Inf > 0:
		return -1
	case m < b.Value:
		return -1
	case m > b.Value:
		return 1
	}
	return 0
}

func (r *LexRange) gteMin(m string) bool {
	if r.Min.Ex {
		return cmpLex(m, &r.Min) > 0
	}
	return cmpLex(m, &r.Min) >= 0
}

func (r *LexRange) lteMax(m string) bool {
	if r.Max.Ex {
		return cmpLex(m, &r.Max) < 0
	}
	return cmpLex(m, &r.Max) <= 0
}

// empty reports a range no member can be in (Redis compares the bounds
// themselves, "-" and "+" included).
func (r *LexRange) empty() bool {
	var c int
	a, b := &r.Min, &r.Max
	switch {
	case a.Inf == b.Inf && a.Inf != 0:
		c = 0
	case a.Inf < 0 || b.Inf > 0:
		c = -1
	case a.Inf > 0 || b.Inf < 0:
		c = 1
	default:
		c = cmpLex(a.Value, b)
	}
	return c > 0 || c == 0 && (a.Ex || b.Ex)
}

// The first and last ranks (0-based, inclusive) in a score or lex range:
// ok is false when the range holds nothing. They follow Redis's
// zzlFirstInRange/zslFirstInRange and friends, for both encodings.

func (z *ZSet) scoreBounds(r *ScoreRange) (first, last int, ok bool) {
	if r.empty() || z.Len() == 0 {
		return 0, 0, false
	}
	if z.sl == nil {
		first = sort.Search(len(z.lp), func(i int) bool { return r.gteMin(z.lp[i].Score) })
		last = sort.Search(len(z.lp), func(i int) bool { return !r.lteMax(z.lp[i].Score) }) - 1
		return first, last, first <= last
	}
	f := z.sl.firstInRange(r)
	if f == nil {
		return 0, 0, false
	}
	l := z.sl.lastInRange(r)
	return z.sl.rank(f.score, f.member) - 1, z.sl.rank(l.score, l.member) - 1, true
}

// lexFirst returns the rank of the first member in r, walking up from the
// lowest (as Redis does: with members of different scores the result is
// what Redis's walk gives), and of the last member, walking down.
func (z *ZSet) lexFirst(r *LexRange) (int, bool) {
	if r.empty() || z.Len() == 0 {
		return 0, false
	}
	if z.sl == nil {
		if !r.gteMin(z.lp[len(z.lp)-1].Member) || !r.lteMax(z.lp[0].Member) {
			return 0, false
		}
		for i := range z.lp {
			if r.gteMin(z.lp[i].Member) {
				return i, r.lteMax(z.lp[i].Member)
			}
		}
		return 0, false
	}
	n := z.sl.firstInLexRange(r)
	if n == nil {
		return 0, false
	}
	return z.sl.rank(n.score, n.member) - 1, true
}

func (z *ZSet) lexLast(r *LexRange) (int, bool) {
	if r.empty() || z.Len() == 0 {
		return 0, false
	}
	if z.sl == nil {
		if !r.gteMin(z.lp[len(z.lp)-1].Member) || !r.lteMax(z.lp[0].Member) {
			return 0, false
		}
		for i := len(z.lp) - 1; i >= 0; i-- {
			if r.lteMax(z.lp[i].Member) {
				return i, r.gteMin(z.lp[i].Member)
			}
		}
		return 0, false
	}
	n := z.sl.lastInLexRange(r)
	if n == nil {
		return 0, false
	}
	return z.sl.rank(n.score, n.member) - 1, true
}

// CountByScore is ZCOUNT: the number of members with a score in r.
func (z *ZSet) CountByScore(r ScoreRange) int {
	first, last, ok := z.scoreBounds(&r)
	if !ok {
		return 0
	}
	return last - first + 1
}

// CountByLex is ZLEXCOUNT.
func (z *ZSet) CountByLex(r LexRange) int {
	if z.sl != nil {
		first, ok := z.lexFirst(&r)
		if !ok {
			return 0
		}
		count := z.sl.length - first
		if last, ok := z.lexLast(&r); ok {
			count -= z.sl.length - 1 - last
		}
		return count
	}
	first, ok := z.lexFirst(&r)
	if !ok {
		return 0
	}
	n := 0
	for i := first; i < len(z.lp) && r.lteMax(z.lp[i].Member); i++ {
		n++
	}
	return n
}

// RangeByScore calls fn for the members with a score in r, from the lowest
// (or from the highest, rev), skipping the first offset (>= 0) and
// stopping after limit of them (limit < 0: no limit) or when fn returns
// false.
func (z *ZSet) RangeByScore(r ScoreRange, rev bool, offset, limit int, fn func(member string, score float64) bool) {
	first, last, ok := z.scoreBounds(&r)
	if !ok || offset > last-first {
		return
	}
	n := last - first + 1 - offset
	if limit >= 0 && limit < n {
		n = limit
	}
	if n <= 0 {
		return
	}
	if rev {
		z.RangeByRank(z.Len()-1-last+offset, z.Len()-1-last+offset+n-1, true, fn)
	} else {
		z.RangeByRank(first+offset, first+offset+n-1, false, fn)
	}
}

// RangeByLex is RangeByScore for a lexicographic range. As in Redis, the
// walk starts at the first member in range (the last, rev) and goes on
// while members stay within the other end.
func (z *ZSet) RangeByLex(r LexRange, rev bool, offset, limit int, fn func(member string, score float64) bool) {
	var start int
	var ok bool
	if rev {
		start, ok = z.lexLast(&r)
	} else {
		start, ok = z.lexFirst(&r)
	}
	if !ok {
		return
	}
	length := z.Len()
	if rev {
		start = length - 1 - start // as a reverse rank
	}
	start += offset
	if start >= length || limit == 0 {
		return
	}
	z.RangeByRank(start, length-1, rev, func(m string, s float64) bool {
		if rev && !r.gteMin(m) || !rev && !r.lteMax(m) {
			return false
		}
		if !fn(m, s) {
			return false
		}
		limit--
		return limit != 0
	})
}

// RemoveRangeByRank removes the members of 0-based ranks start to end
// (0 <= start <= end < Len) and returns how many it removed.
func (z *ZSet) RemoveRangeByRank(start, end int) int {
	if z.sl == nil {
		z.lpDeleteRange(start, end+1)
		return end - start + 1
	}
	left := end - start + 1
	return z.sl.removeRange(start+1, func(*zslNode) bool { left--; return left >= 0 })
}

// RemoveRangeByScore is ZREMRANGEBYSCORE.
func (z *ZSet) RemoveRangeByScore(r ScoreRange) int {
	first, last, ok := z.scoreBounds(&r)
	if !ok {
		return 0
	}
	return z.RemoveRangeByRank(first, last)
}

// RemoveRangeByLex is ZREMRANGEBYLEX: the members from the first in range
// on, while they stay within the maximum.
func (z *ZSet) RemoveRangeByLex(r LexRange) int {
	first, ok := z.lexFirst(&r)
	if !ok {
		return 0
	}
	last := first
	if z.sl == nil {
		for last+1 < len(z.lp) && r.lteMax(z.lp[last+1].Member) {
			last++
		}
		return z.RemoveRangeByRank(first, last)
	}
	return z.sl.removeRange(first+1, func(n *zslNode) bool { return r.lteMax(n.member) })
}

// Random returns a uniformly random member. The set must not be empty.
func (z *ZSet) Random() ZEntry {
	if z.sl != nil {
		n := z.sl.dense[rand.IntN(len(z.sl.dense))]
		return ZEntry{n.member, n.score}
	}
	return z.lp[rand.IntN(len(z.lp))]
}

// RandomDistinct calls fn for count (0 < count < Len) distinct random
// members: in rank order for a listpack (as Redis's lpRandomPairsUnique),
// in random order for a skiplist.
func (z *ZSet) RandomDistinct(count int, fn func(member string, score float64)) {
	n := z.Len()
	var picks []int
	if count*3 > n { // a partial shuffle of every position
		perm := make([]int, n)
		for i := range perm {
			perm[i] = i
		}
		for i := 0; i < count; i++ {
			j := i + rand.IntN(n-i)
			perm[i], perm[j] = perm[j], perm[i]
		}
		picks = perm[:count]
	} else {
		seen := make(map[int]struct{}, count)
		picks = make([]int, 0, count)
		for len(picks) < count {
			i := rand.IntN(n)
			if _, dup := seen[i]; !dup {
				seen[i] = struct{}{}
				picks = append(picks, i)
			}
		}
	}
	if z.sl == nil {
		slices.Sort(picks)
		for _, i := range picks {
			fn(z.lp[i].Member, z.lp[i].Score)
		}
		return
	}
	for _, i := range picks {
		nd := z.sl.dense[i]
		fn(nd.member, nd.score)
	}
}

// Scan visits the members for one ZSCAN call and returns the next cursor (0
// when the scan is complete). A listpack is visited whole, as Redis does. In
// a skiplist, cursor 0 starts at the highest position of the dense node
// slice and cursor c visits the positions below c, from high to low, count
// of them per call: a node that swap-removal moves only moves from the end
// to a lower position, so a member present for the whole scan is never
// missed (it may be reported twice). fn must not change the set.
func (z *ZSet) Scan(cursor uint64, count int, fn func(member string, score float64)) uint64 {
	if z.sl == nil {
		for _, e := range z.lp {
			fn(e.Member, e.Score)
		}
		return 0
	}
	hi := len(z.sl.dense)
	if cursor != 0 && cursor < uint64(hi) {
		hi = int(cursor)
	}
	lo := max(hi-max(count, 1), 0)
	for i := hi - 1; i >= lo; i-- {
		n := z.sl.dense[i]
		fn(n.member, n.score)
	}
	return uint64(lo)
}

// Clone returns a deep copy with the same encoding (members are immutable
// strings, so the copy shares their bytes).
func (z *ZSet) Clone() *ZSet {
	if z.sl == nil {
		return &ZSet{lp: slices.Clone(z.lp)}
	}
	c := &ZSet{sl: newZskiplist(z.sl.length)}
	for n := z.sl.header.level[0].forward; n != nil; n = n.level[0].forward {
		c.sl.add(n.member, n.score)
	}
	return c
}

// MemoryUsage estimates the bytes the set holds: the struct, and for a
// listpack the entry slice and the member bytes; for a skiplist every node
// with its levels, the member bytes, the map and the dense slice.
func (z *ZSet) MemoryUsage() int {
	const header = int(unsafe.Sizeof(ZSet{}))
	if z.sl == nil {
		n := header + cap(z.lp)*int(unsafe.Sizeof(ZEntry{}))
		for i := range z.lp {
			n += len(z.lp[i].Member)
		}
		return n
	}
	const node = int(unsafe.Sizeof(zslNode{}))
	const level = int(unsafe.Sizeof(zslLevel{}))
	const mapSlot = (16 + 8 + 1) * 8 / 7 // string key, pointer, control byte at 7/8 load
	sl := z.sl
	return header + int(unsafe.Sizeof(zskiplist{})) + node + zslMaxLevel*level + // the header node
		sl.length*(node+mapSlot+8) + sl.levels*level + sl.bytes + 8*cap(sl.dense)
}
