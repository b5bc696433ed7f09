package host

// The scan API of the module sdk: RedisModule_Scan over the keyspace and
// RedisModule_ScanKey over a key's elements, on the cursors SCAN and HSCAN
// use, with their guarantee (see keyspace.DB.Scan and the types' Scan
// methods): an element present for the whole scan is reported at least
// once. Each call collects its batch first and calls the module after, so
// the module's callback may change anything.

import (
	"modis/host/internal/keyspace"
	"modis/host/internal/resp"
	"modis/host/internal/types"
	"modis/sdk"
)

// scanBatch is how many keyspace slots (or elements of a big hash, set or
// sorted set) one Scan or ScanKey call visits: SCAN's default COUNT.
const scanBatch = 10

// Scan implements sdk.ScanAPI.
func (x *modCtx) Scan(cursor *sdk.ScanCursor, fn func(name sdk.String, k sdk.Key)) bool {
	if cursor == nil || cursor.Done() || fn == nil || x.phase == phaseDone {
		return false
	}
	c := x.client()
	db := c.db
	var names []string
	next := db.Scan(cursor.Position(), scanBatch, func(e *keyspace.Entry) { names = append(names, e.Key()) })
	cursor.Advance(next)
	now := x.s.now
	for _, n := range names {
		name := []byte(n)
		if db.PeekNoTouch(name, now) == nil { // expired (removed now) or deleted by fn
			continue
		}
		k := &modKey{x: x, c: c, db: db, name: name, mode: sdk.Read}
		fn(sdk.StringFromBytes(name), k)
		k.Close()
	}
	return !cursor.Done()
}

// ScanKey implements sdk.Key.
func (k *modKey) ScanKey(cursor *sdk.ScanCursor, fn func(field, value sdk.String)) bool {
	if cursor == nil || cursor.Done() || fn == nil || k.isClosed() {
		return false
	}
	e := k.live()
	if e == nil {
		return false
	}
	var pairs [][]byte // field, value, field, value...
	var next uint64
	switch v := e.Obj.(type) {
	case *types.Hash:
		next = v.ScanDesc(cursor.Position(), scanBatch, func(f, val []byte) {
			pairs = append(pairs, append([]byte(nil), f...), append([]byte(nil), val...))
		})
	case *types.Set:
		next = v.Scan(cursor.Position(), scanBatch, func(i int) {
			pairs = append(pairs, v.AppendMember(nil, i), nil)
		})
	case *types.ZSet:
		next = v.Scan(cursor.Position(), scanBatch, func(m string, s float64) {
			pairs = append(pairs, []byte(m), resp.AppendReplyDouble(nil, s))
		})
	default:
		return false
	}
	cursor.Advance(next)
	for i := 0; i < len(pairs); i += 2 {
		fn(sdk.StringFromBytes(pairs[i]), sdk.StringFromBytes(pairs[i+1]))
	}
	return !cursor.Done()
}
