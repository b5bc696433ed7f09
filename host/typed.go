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
