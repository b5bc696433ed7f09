package types

import "unsafe"

// List chunk limits. A chunk holds at most listChunkBytes bytes of element
// data (Redis's default list-max-listpack-size -2: 8 kB per quicklist node)
// and at most listChunkElems elements. An element larger than the byte
// limit gets a chunk of its own.
const (
	listChunkBytes = 8 << 10
	listChunkElems = 1024
	listMinBytes   = 32 // smallest data buffer a growing chunk allocates
	listMinOffs    = 4  // smallest offset buffer a growing chunk allocates
)

// List is Redis's list: a deque of chunks, each a packed run of elements,
// as Redis's quicklist is a linked list of listpacks. An element costs its
// bytes plus a 4-byte offset, and the chunks hold no pointers for the
// garbage collector to scan. Push and pop at either end are O(1)
// (amortised), access by index is O(number of chunks), and a change in the
// middle rewrites one chunk. Like every Redis 7.0 list it reports the
// "quicklist" encoding.
//
// Slices the List returns (Index, PopFront, the Range callbacks...) point
// into its own memory: they are valid until the next change of the list.
type List struct {
	ring   []*chunk // live chunks are ring[lo:hi]
	lo, hi int
	n      int // elements
}

// chunk is a packed run of elements: element k (olo <= k < ohi) is
// data[offs[k]:offs[k+1]], the last one data[offs[ohi-1]:bhi]. Both
// buffers have free room at either end, so a chunk grows at its front (the
// head chunk, for LPUSH) and at its back (the tail chunk, for RPUSH)
// without moving its data.
type chunk struct {
	data     []byte
	offs     []uint32
	blo, bhi int // live bytes: data[blo:bhi]
	olo, ohi int // live offsets: offs[olo:ohi]
}

func (ch *chunk) count() int { return ch.ohi - ch.olo }
func (ch *chunk) size() int  { return ch.bhi - ch.blo }

// at returns element k (an absolute offset index), capped so that an append
// to it cannot write into the chunk.
func (ch *chunk) at(k int) []byte {
	end := ch.bhi
	if k+1 < ch.ohi {
		end = int(ch.offs[k+1])
	}
	return ch.data[ch.offs[k]:end:end]
}

// fits reports whether an element of n bytes may join the chunk.
func (ch *chunk) fits(n int) bool {
	return ch.count() == 0 || ch.count() < listChunkElems && ch.size()+n <= listChunkBytes
}

// reshape moves the live elements into buffers of capB bytes and capO
// offsets (the current ones when large enough), starting at byte blo and
// offset olo.
func (ch *chunk) reshape(capB, capO, blo, olo int) {
	n, sz := ch.count(), ch.size()
	data := ch.data
	if capB != len(data) {
		data = make([]byte, capB)
	}
	copy(data[blo:blo+sz], ch.data[ch.blo:ch.bhi])
	offs := ch.offs
	if capO != len(offs) {
		offs = make([]uint32, capO)
	}
	copy(offs[olo:olo+n], ch.offs[ch.olo:ch.ohi])
	delta := blo - ch.blo
	for k := olo; k < olo+n; k++ {
		offs[k] = uint32(int(offs[k]) + delta)
	}
	ch.data, ch.offs = data, offs
	ch.blo, ch.bhi = blo, blo+sz
	ch.olo, ch.ohi = olo, olo+n
}

// room makes space for one more element of n bytes at the front or the
// back. A chunk that is both the list's head and tail keeps free room at
// both ends; any other chunk grows only at the end that receives elements.
func (ch *chunk) room(n int, front, both bool) {
	if front {
		if ch.blo >= n && ch.olo >= 1 {
			return
		}
	} else if len(ch.data)-ch.bhi >= n && len(ch.offs)-ch.ohi >= 1 {
		return
	}
	needB, needO := ch.size()+n, ch.count()+1
	// Keep the buffers when they have room to spare (then the data only
	// moves); otherwise double, up to the chunk limits.
	capB := len(ch.data)
	if capB < needB || capB < 2*needB && capB < listChunkBytes {
		capB = max(listMinBytes, 2*needB)
		if capB > listChunkBytes {
			capB = max(listChunkBytes, needB)
		}
	}
	capO := len(ch.offs)
	if capO < needO || capO < 2*needO && capO < listChunkElems {
		capO = max(listMinOffs, 2*needO)
		if capO > listChunkElems {
			capO = max(listChunkElems, needO)
		}
	}
	var blo, olo int
	switch {
	case both:
		blo = (capB - needB) / 2
		olo = (capO - needO) / 2
		if front {
			blo += n
			olo++
		}
	case front:
		blo, olo = capB-ch.size(), capO-ch.count()
	}
	ch.reshape(capB, capO, blo, olo)
}

// tighten gives the chunk buffers of exactly its size: done to a chunk that
// stops being the list's head or tail, since it will not grow again.
func (ch *chunk) tighten() {
	if len(ch.data) > ch.size()+ch.size()/4+16 || len(ch.offs) > ch.count()+ch.count()/4+4 {
		ch.reshape(ch.size(), ch.count(), 0, 0)
	}
}

func (ch *chunk) pushFront(v []byte, both bool) {
	ch.room(len(v), true, both)
	ch.blo -= len(v)
	copy(ch.data[ch.blo:], v)
	ch.olo--
	ch.offs[ch.olo] = uint32(ch.blo)
}

func (ch *chunk) pushBack(v []byte, both bool) {
	ch.room(len(v), false, both)
	ch.offs[ch.ohi] = uint32(ch.bhi)
	ch.ohi++
	ch.bhi += copy(ch.data[ch.bhi:], v)
}

// dropFront removes the first k elements.
func (ch *chunk) dropFront(k int) {
	ch.olo += k
	if ch.olo == ch.ohi {
		ch.blo = ch.bhi
		return
	}
	ch.blo = int(ch.offs[ch.olo])
}

// dropBack removes the last k elements.
func (ch *chunk) dropBack(k int) {
	ch.ohi -= k
	if ch.olo == ch.ohi {
		ch.bhi = ch.blo
		return
	}
	ch.bhi = int(ch.offs[ch.ohi])
}

// compact removes, in place, the elements k (absolute) for which del
// returns true, keeping the others in order.
func (ch *chunk) compact(del func(k int) bool) {
	w, wo := ch.blo, ch.olo
	for k := ch.olo; k < ch.ohi; k++ {
		start, end := int(ch.offs[k]), ch.bhi
		if k+1 < ch.ohi {
			end = int(ch.offs[k+1])
		}
		if del(k) {
			continue
		}
		copy(ch.data[w:], ch.data[start:end])
		ch.offs[wo] = uint32(w)
		wo++
		w += end - start
	}
	ch.ohi, ch.bhi = wo, w
}

func (ch *chunk) clone() *chunk {
	cp := &chunk{data: make([]byte, ch.size()), offs: make([]uint32, ch.count())}
	copy(cp.data, ch.data[ch.blo:ch.bhi])
	copy(cp.offs, ch.offs[ch.olo:ch.ohi])
	for i := range cp.offs {
		cp.offs[i] -= uint32(ch.blo)
	}
	cp.bhi, cp.ohi = len(cp.data), len(cp.offs)
	return cp
}

// packChunks packs elements into new, exactly sized chunks.
func packChunks(elems [][]byte) []*chunk {
	var out []*chunk
	for i := 0; i < len(elems); {
		j, sz := i, 0
		for j < len(elems) && (j == i || j-i < listChunkElems && sz+len(elems[j]) <= listChunkBytes) {
			sz += len(elems[j])
			j++
		}
		ch := &chunk{data: make([]byte, sz), offs: make([]uint32, j-i)}
		for _, e := range elems[i:j] {
			ch.offs[ch.ohi] = uint32(ch.bhi)
			ch.ohi++
			ch.bhi += copy(ch.data[ch.bhi:], e)
		}
		out = append(out, ch)
		i = j
	}
	return out
}

// NewList returns an empty list.
func NewList() *List { return &List{} }

// Len returns the number of elements.
func (l *List) Len() int { return l.n }

// Encoding is the name OBJECT ENCODING reports: Redis 7.0 encodes every
// list as a quicklist.
func (l *List) Encoding() string { return "quicklist" }

func (l *List) chunks() int        { return l.hi - l.lo }
func (l *List) chunk(i int) *chunk { return l.ring[l.lo+i] }

// regrow moves the chunk pointers into a ring sized for twice the live
// chunks plus one, centred, so that one more fits at either end.
func (l *List) regrow() {
	n := l.chunks()
	ring := make([]*chunk, max(4, 2*n+2))
	lo := (len(ring) - n) / 2
	copy(ring[lo:], l.ring[l.lo:l.hi])
	l.ring, l.lo, l.hi = ring, lo, lo+n
}

// insertChunks puts cs before chunk i.
func (l *List) insertChunks(i int, cs ...*chunk) {
	if len(cs) == 0 {
		return
	}
	if l.hi+len(cs) > len(l.ring) {
		n := l.chunks() + len(cs)
		ring := make([]*chunk, max(4, 2*n+2))
		lo := (len(ring) - n) / 2
		copy(ring[lo:], l.ring[l.lo:l.lo+i])
		copy(ring[lo+i+len(cs):], l.ring[l.lo+i:l.hi])
		l.ring, l.lo, l.hi = ring, lo, lo+n
	} else {
		copy(l.ring[l.lo+i+len(cs):], l.ring[l.lo+i:l.hi])
		l.hi += len(cs)
	}
	copy(l.ring[l.lo+i:], cs)
}

// removeChunk drops chunk i (which must be empty or no longer counted).
func (l *List) removeChunk(i int) {
	switch {
	case i == 0:
		l.ring[l.lo] = nil
		l.lo++
	case i == l.chunks()-1:
		l.hi--
		l.ring[l.hi] = nil
	default:
		copy(l.ring[l.lo+i:], l.ring[l.lo+i+1:l.hi])
		l.hi--
		l.ring[l.hi] = nil
	}
	if l.lo == l.hi {
		l.lo, l.hi = len(l.ring)/2, len(l.ring)/2
	} else if len(l.ring) > 64 && l.chunks() < len(l.ring)/8 {
		l.regrow()
	}
}

// PushFront adds a copy of v at the head.
func (l *List) PushFront(v []byte) {
	if l.chunks() == 0 || !l.chunk(0).fits(len(v)) {
		if l.lo == 0 {
			l.regrow()
		}
		if l.chunks() > 1 { // the head becomes an inner chunk
			l.chunk(0).tighten()
		}
		l.lo--
		l.ring[l.lo] = &chunk{}
	}
	l.chunk(0).pushFront(v, l.chunks() == 1)
	l.n++
}

// PushBack adds a copy of v at the tail.
func (l *List) PushBack(v []byte) {
	if l.chunks() == 0 || !l.chunk(l.chunks()-1).fits(len(v)) {
		if l.hi == len(l.ring) {
			l.regrow()
		}
		if l.chunks() > 1 { // the tail becomes an inner chunk
			l.chunk(l.chunks() - 1).tighten()
		}
		l.ring[l.hi] = &chunk{}
		l.hi++
	}
	l.chunk(l.chunks()-1).pushBack(v, l.chunks() == 1)
	l.n++
}

// PopFront removes and returns the head element.
func (l *List) PopFront() ([]byte, bool) {
	if l.n == 0 {
		return nil, false
	}
	ch := l.chunk(0)
	v := ch.at(ch.olo)
	ch.dropFront(1)
	if ch.count() == 0 {
		l.removeChunk(0)
	}
	l.n--
	return v, true
}

// PopBack removes and returns the tail element.
func (l *List) PopBack() ([]byte, bool) {
	if l.n == 0 {
		return nil, false
	}
	i := l.chunks() - 1
	ch := l.chunk(i)
	v := ch.at(ch.ohi - 1)
	ch.dropBack(1)
	if ch.count() == 0 {
		l.removeChunk(i)
	}
	l.n--
	return v, true
}

// Trim removes front elements from the head and back elements from the
// tail (LTRIM, and the pops of several elements).
func (l *List) Trim(front, back int) {
	front, back = max(front, 0), max(back, 0)
	if front >= l.n || back >= l.n-front {
		l.Clear()
		return
	}
	l.n -= front + back
	for front > 0 {
		ch := l.chunk(0)
		if ch.count() > front {
			ch.dropFront(front)
			break
		}
		front -= ch.count()
		l.removeChunk(0)
	}
	for back > 0 {
		i := l.chunks() - 1
		ch := l.chunk(i)
		if ch.count() > back {
			ch.dropBack(back)
			break
		}
		back -= ch.count()
		l.removeChunk(i)
	}
}

// Clear removes every element.
func (l *List) Clear() { *l = List{} }

// locate finds element i (0 <= i < Len): its chunk and absolute offset
// index, walking from the nearer end.
func (l *List) locate(i int) (int, int) {
	if i < l.n/2 {
		for ci := 0; ; ci++ {
			ch := l.chunk(ci)
			if i < ch.count() {
				return ci, ch.olo + i
			}
			i -= ch.count()
		}
	}
	i = l.n - 1 - i // from the tail
	for ci := l.chunks() - 1; ; ci-- {
		ch := l.chunk(ci)
		if i < ch.count() {
			return ci, ch.ohi - 1 - i
		}
		i -= ch.count()
	}
}

// normIndex turns a Redis index (negative counts from the tail) into a
// position, reporting whether it is in range.
func (l *List) normIndex(i int) (int, bool) {
	if i < 0 {
		i += l.n
	}
	return i, i >= 0 && i < l.n
}

// Index returns element i; a negative i counts from the tail (-1 is the
// last element), as LINDEX does.
func (l *List) Index(i int) ([]byte, bool) {
	i, ok := l.normIndex(i)
	if !ok {
		return nil, false
	}
	ci, k := l.locate(i)
	return l.chunk(ci).at(k), true
}

// Set replaces element i (negative counts from the tail) with a copy of v,
// reporting whether i was in range.
func (l *List) Set(i int, v []byte) bool {
	i, ok := l.normIndex(i)
	if !ok {
		return false
	}
	ci, k := l.locate(i)
	ch := l.chunk(ci)
	if old := ch.at(k); len(old) == len(v) {
		copy(old, v)
		return true
	}
	l.rewrite(ci, k, v, false)
	return true
}

// rewrite replaces chunk ci by new chunks holding its elements with
// element k replaced by v (insert false) or v inserted before element k
// (insert true; k may be ohi to append).
func (l *List) rewrite(ci, k int, v []byte, insert bool) {
	ch := l.chunk(ci)
	elems := make([][]byte, 0, ch.count()+1)
	for j := ch.olo; j < ch.ohi; j++ {
		if j == k {
			elems = append(elems, v)
			if !insert {
				continue
			}
		}
		elems = append(elems, ch.at(j))
	}
	if k == ch.ohi {
		elems = append(elems, v)
	}
	cs := packChunks(elems)
	l.ring[l.lo+ci] = cs[0]
	l.insertChunks(ci+1, cs[1:]...)
}

// Insert puts a copy of v before (or after) the first element equal to
// pivot, reporting whether pivot was found (LINSERT).
func (l *List) Insert(pivot, v []byte, after bool) bool {
	for ci := 0; ci < l.chunks(); ci++ {
		ch := l.chunk(ci)
		for k := ch.olo; k < ch.ohi; k++ {
			if string(ch.at(k)) != string(pivot) {
				continue
			}
			switch {
			case ci == 0 && k == ch.olo && !after:
				l.PushFront(v)
				return true
			case ci == l.chunks()-1 && k == ch.ohi-1 && after:
				l.PushBack(v)
				return true
			}
			if after {
				k++
			}
			l.rewrite(ci, k, v, true)
			l.n++
			return true
		}
	}
	return false
}

// Remove deletes elements equal to v (LREM): the first count of them from
// the head when count > 0, the last -count from the tail when count < 0,
// all of them when count is 0. It returns how many it removed.
func (l *List) Remove(v []byte, count int) int {
	fromTail := count < 0
	limit := count
	if fromTail {
		limit = -count // math.MinInt stays negative: no limit, as in Redis
	}
	removed := 0
	for step := 0; step < l.chunks(); step++ {
		ci := step
		if fromTail {
			ci = l.chunks() - 1 - step
		}
		ch := l.chunk(ci)
		// Find the part of the chunk whose matches go: [from, to).
		from, to := ch.olo, ch.ohi
		hits := 0
		if fromTail {
			for k := ch.ohi - 1; k >= ch.olo; k-- {
				if string(ch.at(k)) == string(v) {
					hits++
					from = k
					if limit > 0 && removed+hits == limit {
						break
					}
				}
			}
		} else {
			for k := ch.olo; k < ch.ohi; k++ {
				if string(ch.at(k)) == string(v) {
					hits++
					to = k + 1
					if limit > 0 && removed+hits == limit {
						break
					}
				}
			}
		}
		if hits == 0 {
			continue
		}
		ch.compact(func(k int) bool {
			return k >= from && k < to && string(ch.at(k)) == string(v)
		})
		removed += hits
		l.n -= hits
		if ch.count() == 0 {
			l.removeChunk(ci)
			step-- // the next chunk in this direction now has the same step
		} else if ci != 0 && ci != l.chunks()-1 {
			ch.tighten()
		}
		if limit > 0 && removed == limit {
			break
		}
	}
	return removed
}

// Range calls fn with elements start to stop (positions, inclusive,
// 0 <= start <= stop < Len) from head to tail, until fn returns false. fn
// must not change the list.
func (l *List) Range(start, stop int, fn func(v []byte) bool) {
	if l.n == 0 || start > stop {
		return
	}
	ci, k := l.locate(start)
	left := stop - start + 1
	for ; ci < l.chunks(); ci++ {
		ch := l.chunk(ci)
		if k < 0 {
			k = ch.olo
		}
		for ; k < ch.ohi; k++ {
			if !fn(ch.at(k)) {
				return
			}
			if left--; left == 0 {
				return
			}
		}
		k = -1
	}
}

// RangeReverse calls fn with elements stop down to start (positions,
// inclusive, 0 <= start <= stop < Len), from tail towards head, until fn
// returns false. fn must not change the list.
func (l *List) RangeReverse(start, stop int, fn func(v []byte) bool) {
	if l.n == 0 || start > stop {
		return
	}
	ci, k := l.locate(stop)
	left := stop - start + 1
	for ; ci >= 0; ci-- {
		ch := l.chunk(ci)
		if k < 0 {
			k = ch.ohi - 1
		}
		for ; k >= ch.olo; k-- {
			if !fn(ch.at(k)) {
				return
			}
			if left--; left == 0 {
				return
			}
		}
		k = -1
	}
}

// Each calls fn with every element from head to tail until fn returns
// false. fn must not change the list.
func (l *List) Each(fn func(v []byte) bool) { l.Range(0, l.n-1, fn) }

// EachReverse calls fn with every element from tail to head until fn
// returns false. fn must not change the list.
func (l *List) EachReverse(fn func(v []byte) bool) { l.RangeReverse(0, l.n-1, fn) }

// Clone returns a deep copy.
func (l *List) Clone() *List {
	cp := &List{n: l.n}
	if l.chunks() == 0 {
		return cp
	}
	cp.ring = make([]*chunk, l.chunks()+2)
	cp.lo, cp.hi = 1, 1+l.chunks()
	for i := 0; i < l.chunks(); i++ {
		cp.ring[cp.lo+i] = l.chunk(i).clone()
	}
	return cp
}

// MemoryUsage estimates the bytes the list occupies: its header, the chunk
// ring, and every chunk's header and buffers.
func (l *List) MemoryUsage() int {
	n := int(unsafe.Sizeof(*l)) + cap(l.ring)*int(unsafe.Sizeof((*chunk)(nil)))
	for i := 0; i < l.chunks(); i++ {
		ch := l.chunk(i)
		n += int(unsafe.Sizeof(*ch)) + cap(ch.data) + cap(ch.offs)*4
	}
	return n
}
