package host

import "modis/host/internal/keyspace"

// valueOf returns key's value if it is of kind (the zero T if the key is
// missing), or ErrWrongType. read counts a keyspace hit or miss, as read
// commands do; writes look the key up without counting.
func valueOf[T any](c *Client, key []byte, kind keyspace.Kind, read bool) (T, error) {
	var zero T
	var e *keyspace.Entry
	if read {
		e = c.db.Lookup(key, c.srv.now)
	} else {
		e = c.db.Peek(key, c.srv.now)
	}
	if e == nil {
		return zero, nil
	}
	if e.Kind != kind {
		return zero, ErrWrongType
	}
	v, _ := e.Obj.(T)
	return v, nil
}

// rankRange turns start and end (negative: from the end) into 0-based
// positions within a list or sorted set of length n, as Redis sanitizes them; ok is false
// for an empty range.
func rankRange(start, end int64, n int) (int, int, bool) {
	l := int64(n)
	if start < 0 {
		start += l
	}
	if end < 0 {
		end += l
	}
	if start < 0 {
		start = 0
	}
	if start > end || start >= l {
		return 0, 0, false
	}
	if end >= l {
		end = l - 1
	}
	return int(start), int(end), true
}
