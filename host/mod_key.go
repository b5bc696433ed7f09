package host

import (
	"modis/host/internal/keyspace"
	"modis/sdk"
)

// modKey implements sdk.Key: a key of one database opened by a module.
type modKey struct {
	x      *modCtx
	c      *Client // the client whose database the key is in
	db     *keyspace.DB
	name   []byte // a copy: the module's String may be reused
	mode   int
	closed bool
}

var _ sdk.Key = (*modKey)(nil)

// OpenKey implements sdk.KeyAPI.
func (x *modCtx) OpenKey(name sdk.String, mode int) sdk.Key {
	c := x.c
	if c == nil {
		c = x.s.modules.internal
	}
	return &modKey{x: x, c: c, db: c.db, name: append([]byte(nil), name.Bytes()...), mode: mode}
}

// Close implements sdk.Key.
func (k *modKey) Close() { k.closed = true }
