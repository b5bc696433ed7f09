package types

// Positional insert and delete, for the module key API
// (RedisModule_ListInsert and RedisModule_ListDelete).

// InsertAt inserts a copy of v at position i (0 <= i <= Len), so that it
// becomes element i: 0 is the head, Len appends. It reports false, changing
// nothing, for a position out of range.
func (l *List) InsertAt(i int, v []byte) bool {
	switch {
	case i < 0 || i > l.n:
		return false
	case i == 0:
		l.PushFront(v)
	case i == l.n:
		l.PushBack(v)
	default:
		ci, k := l.locate(i)
		l.rewrite(ci, k, v, true)
		l.n++
	}
	return true
}

// DeleteAt removes element i (negative counts from the tail, as LINDEX) and
// reports whether i was in range.
func (l *List) DeleteAt(i int) bool {
	i, ok := l.normIndex(i)
	if !ok {
		return false
	}
	switch i {
	case 0:
		l.PopFront()
		return true
	case l.n - 1:
		l.PopBack()
		return true
	}
	ci, k := l.locate(i)
	ch := l.chunk(ci)
	ch.compact(func(j int) bool { return j == k })
	l.n--
	if ch.count() == 0 {
		l.removeChunk(ci)
	} else if ci != 0 && ci != l.chunks()-1 {
		ch.tighten()
	}
	return true
}
