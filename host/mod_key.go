package host

// The key API of the module sdk (sdk.KeyAPI, sdk.Key): RedisModule_OpenKey
// and the functions on the returned key, over the same keyspace entries and
// value types the built-in commands use.
//
// A modKey does not hold on to the entry it found when it was opened: every
// operation looks the key up again (a map lookup), so a key changed behind
// the module's back (by a Call, by a second open key) is never seen stale,
// and nothing can crash. Reads look the entry up without side effects
// (live); writes look it up with PeekNoTouch (entryForWrite), which removes
// an expired key and lets a running background save copy the old value
// aside before it changes. Every write marks the key written (wrote).
//
// When a key opened with Write closes (Close, or closeKeys when the handler
// returns) it is signalled as Redis's moduleCloseKey does: keyModified if it
// was written (WATCH, client-side caching, the change counter of the save
// rules), the WATCH and caching part alone if it was not, unless the module
// set NO_IMPLICIT_SIGNAL_MODIFIED (Module.noImplicitSignal); a write still
// counts as a change then. As in Redis, nothing reaches the AOF unless the
// module replicates it (ReplicateVerbatim, Replicate). The key API
// fires no keyspace events of its own ("new" and "keymiss" come from the
// keyspace, as in Redis); lists and sorted sets that gain elements signal
// blocked clients (signalKeyReady).
//
// For the module data type API (TypedKey, in its own file): check with
// k.check(needWrite), read with k.live(), write with k.entryForWrite() or
// k.store(e), then call k.wrote().

import (
	"fmt"
	"math"

	"modis/host/internal/keyspace"
	"modis/host/internal/types"
	"modis/sdk"
)

// modKey implements sdk.Key: a key of one database opened by a module.
type modKey struct {
	x       *modCtx
	c       *Client // the client whose database the key is in
	db      *keyspace.DB
	name    []byte // a copy: the module's String may be reused
	mode    int
	closed  bool
	written bool     // a write went through this key
	zi      zsetIter // the sorted set range iteration
}

var _ sdk.Key = (*modKey)(nil)

// OpenKey implements sdk.KeyAPI.
func (x *modCtx) OpenKey(name sdk.String, mode int) sdk.Key {
	c := x.client()
	k := &modKey{x: x, c: c, db: c.db, name: append([]byte(nil), name.Bytes()...), mode: mode}
	if x.phase == phaseDone {
		k.closed = true
		return k
	}
	now := x.s.now
	notouch := mode&sdk.OpenKeyNoTouch != 0
	switch {
	case mode&sdk.Write != 0 && notouch:
		k.db.PeekNoTouch(k.name, now)
	case mode&sdk.Write != 0:
		k.db.Peek(k.name, now)
	case notouch:
		k.db.LookupNoTouch(k.name, now)
	default:
		k.db.Lookup(k.name, now)
	}
	x.keys = append(x.keys, k)
	return k
}

// client returns the client a context's key operations act for: the
// calling client, or the module host's internal client outside a command.
func (x *modCtx) client() *Client {
	if x.c != nil {
		return x.c
	}
	return x.s.modules.internal
}

// closeKeys closes the keys a context opened and left open. Every kind of
// module context calls it when its call ends (a handler returning, OnLoad,
// a callback).
func (x *modCtx) closeKeys() {
	for _, k := range x.keys {
		k.Close()
	}
	clear(x.keys)
	x.keys = x.keys[:0]
}

// Close implements sdk.Key: Redis's moduleCloseKey.
func (k *modKey) Close() {
	if k == nil || k.closed {
		return
	}
	k.closed = true
	k.zi = zsetIter{}
	if k.mode&sdk.Write == 0 {
		return
	}
	s := k.x.s
	switch {
	case k.x.mod != nil && k.x.mod.noImplicitSignal:
		if k.written {
			s.dirty++ // the change still counts for the save rules
		}
	case k.written:
		s.keyModified(k.x.c, k.db, k.name)
	default: // Redis signals every key opened for writing
		s.touchWatched(k.db, k.name)
		s.trackingInvalidate(k.name, k.x.c)
	}
}

// isClosed reports whether the key may no longer be used.
func (k *modKey) isClosed() bool {
	return k == nil || k.closed || k.x.phase == phaseDone
}

// check returns the error for an operation on k: ErrKeyClosed, or
// ErrKeyNotWritable when needWrite and the key was not opened for writing.
func (k *modKey) check(needWrite bool) error {
	if k.isClosed() {
		return sdk.ErrKeyClosed
	}
	if needWrite && k.mode&sdk.Write == 0 {
		return sdk.ErrKeyNotWritable
	}
	return nil
}

// live returns the key's entry for a read, nil when it is missing or has
// expired, without side effects.
func (k *modKey) live() *keyspace.Entry {
	e := k.db.RawLookup(k.name)
	// During a Key event lazy expiry is off: the expiring key reads as live.
	if e != nil && e.Expire != 0 && e.Expire <= k.x.s.now && !k.db.Unlinking() {
		return nil
	}
	return e
}

// entryForWrite returns the key's entry for a change (nil when missing): an
// expired key is removed, and a background save gets its copy first.
func (k *modKey) entryForWrite() *keyspace.Entry {
	return k.db.PeekNoTouch(k.name, k.x.s.now)
}

// store stores a new entry under the key (firing "new" if the key was
// not there) and marks the key written.
func (k *modKey) store(e *keyspace.Entry) {
	k.db.Set(k.name, e)
	k.wrote()
}

// wrote marks the key written: it is signalled as modified when closed.
func (k *modKey) wrote() { k.written = true }

// deleteIfEmpty deletes the key when its container value has no elements
// left (moduleDelKeyIfEmpty).
func (k *modKey) deleteIfEmpty(n int) {
	if n == 0 {
		k.db.Delete(k.name, k.x.s.now)
		k.zi = zsetIter{}
	}
}

// ready tells clients blocked on the key that it may have elements.
func (k *modKey) ready() { k.x.s.signalKeyReady(k.db, k.name) }

// KeyType implements sdk.Key.
func (k *modKey) KeyType() sdk.KeyType {
	if k.isClosed() {
		return sdk.KeyTypeEmpty
	}
	e := k.live()
	if e == nil {
		return sdk.KeyTypeEmpty
	}
	switch e.Kind {
	case keyspace.KindString:
		return sdk.KeyTypeString
	case keyspace.KindList:
		return sdk.KeyTypeList
	case keyspace.KindHash:
		return sdk.KeyTypeHash
	case keyspace.KindSet:
		return sdk.KeyTypeSet
	case keyspace.KindZSet:
		return sdk.KeyTypeZSet
	case keyspace.KindModule:
		return sdk.KeyTypeModule
	}
	return sdk.KeyTypeEmpty
}

// ValueLength implements sdk.Key.
func (k *modKey) ValueLength() int64 {
	if k.isClosed() {
		return 0
	}
	e := k.live()
	if e == nil {
		return 0
	}
	switch v := e.Obj.(type) {
	case *types.List:
		return int64(v.Len())
	case *types.Hash:
		return int64(v.Len())
	case *types.Set:
		return int64(v.Len())
	case *types.ZSet:
		return int64(v.Len())
	}
	if e.Kind == keyspace.KindString {
		return int64(len(e.Str))
	}
	return 0
}

// DeleteKey implements sdk.Key.
func (k *modKey) DeleteKey() error { return k.deleteKey(false) }

// UnlinkKey implements sdk.Key.
func (k *modKey) UnlinkKey() error { return k.deleteKey(true) }

// deleteKey is RM_DeleteKey and RM_UnlinkKey: as DEL and UNLINK, a module
// value gets its Unlink and Free callbacks (Free in the background for
// unlink, as UNLINK's lazy free).
func (k *modKey) deleteKey(unlink bool) error {
	if err := k.check(true); err != nil {
		return err
	}
	k.remove(unlink)
	return nil
}

// remove deletes the key's value, if any.
func (k *modKey) remove(unlink bool) {
	rel := k.x.s.moduleDeleting(k.db, k.name)
	if k.db.Delete(k.name, k.x.s.now) {
		rel.done(unlink)
		k.wrote()
	}
	k.zi = zsetIter{}
}

// GetExpire implements sdk.Key.
func (k *modKey) GetExpire() int64 {
	if k.isClosed() {
		return sdk.NoExpire
	}
	e := k.live()
	if e == nil || e.Expire == 0 {
		return sdk.NoExpire
	}
	return max(e.Expire-k.x.s.now, 0)
}

// GetAbsExpire implements sdk.Key.
func (k *modKey) GetAbsExpire() int64 {
	if k.isClosed() {
		return sdk.NoExpire
	}
	e := k.live()
	if e == nil || e.Expire == 0 {
		return sdk.NoExpire
	}
	return e.Expire
}

// SetExpire implements sdk.Key.
func (k *modKey) SetExpire(ms int64) error {
	if err := k.check(true); err != nil {
		return err
	}
	if ms != sdk.NoExpire {
		if ms < 0 {
			return sdk.ErrInvalidExpire
		}
		now := k.x.s.now
		if ms > math.MaxInt64-now {
			return sdk.ErrInvalidExpire
		}
		ms += now
	}
	return k.setExpireAt(ms)
}

// SetAbsExpire implements sdk.Key.
func (k *modKey) SetAbsExpire(unixMs int64) error {
	if unixMs < 0 && unixMs != sdk.NoExpire {
		return sdk.ErrInvalidExpire
	}
	return k.setExpireAt(unixMs)
}

// setExpireAt sets the expiry (a Unix ms time, or NoExpire), as Redis's
// setExpire and removeExpire: an expiry in the past makes the key expire
// at its next access.
func (k *modKey) setExpireAt(at int64) error {
	if err := k.check(true); err != nil {
		return err
	}
	e := k.entryForWrite()
	if e == nil {
		return sdk.ErrNoSuchKey
	}
	if at == sdk.NoExpire {
		at = 0
	} else if at == 0 {
		at = 1 // 0 means "no expiry" to the keyspace; 1 ms after the epoch is as past
	}
	if e.Expire != at {
		k.db.SetExpire(k.name, e, at)
	}
	k.wrote()
	return nil
}

// StringSet implements sdk.Key: Redis deletes the old value and adds the
// new one (the "new" event fires), without a TTL.
func (k *modKey) StringSet(s sdk.String) error {
	if err := k.check(true); err != nil {
		return err
	}
	k.entryForWrite()
	k.remove(false)
	v := s.Bytes()
	k.store(&keyspace.Entry{Kind: keyspace.KindString, Str: append(make([]byte, 0, len(v)), v...)})
	k.zi = zsetIter{}
	return nil
}

// StringDMA implements sdk.Key.
func (k *modKey) StringDMA(mode int) ([]byte, error) {
	if err := k.check(mode&sdk.Write != 0); err != nil {
		return nil, err
	}
	var e *keyspace.Entry
	if mode&sdk.Write != 0 {
		e = k.entryForWrite()
	} else {
		e = k.live()
	}
	if e == nil {
		return []byte{}, nil
	}
	if e.Kind != keyspace.KindString {
		return nil, sdk.ErrWrongType
	}
	if mode&sdk.Write != 0 {
		e.StrEnc = keyspace.StrEncRaw // as dbUnshareStringValue leaves it
		k.wrote()
	}
	n := len(e.Str)
	return e.Str[:n:n], nil
}

// StringTruncate implements sdk.Key.
func (k *modKey) StringTruncate(n int64) error {
	if err := k.check(true); err != nil {
		return err
	}
	e := k.entryForWrite()
	if e != nil && e.Kind != keyspace.KindString {
		return sdk.ErrWrongType
	}
	if n < 0 || n > maxStringLen {
		return sdk.ErrStringTooLong
	}
	switch {
	case e == nil && n == 0:
	case e == nil:
		k.store(&keyspace.Entry{Kind: keyspace.KindString, Str: make([]byte, n), StrEnc: keyspace.StrEncRaw})
	default:
		if int(n) > len(e.Str) {
			e.Str = growZero(e.Str, int(n))
		} else if int(n) < len(e.Str) {
			e.Str = e.Str[:n]
			if cap(e.Str) > 2*len(e.Str)+64 { // too wasteful: reallocate
				e.Str = append(make([]byte, 0, len(e.Str)), e.Str...)
			}
		}
		e.StrEnc = keyspace.StrEncRaw
		k.wrote()
	}
	return nil
}

// listOfEntry returns an entry's list: ErrNoSuchKey for no entry,
// ErrWrongType for a value of another type.
func listOfEntry(e *keyspace.Entry) (*types.List, error) {
	if e == nil {
		return nil, sdk.ErrNoSuchKey
	}
	l, ok := e.Obj.(*types.List)
	if !ok || e.Kind != keyspace.KindList {
		return nil, sdk.ErrWrongType
	}
	return l, nil
}

// ListPush implements sdk.Key.
func (k *modKey) ListPush(where sdk.ListWhere, ele sdk.String) error {
	if err := k.check(false); err != nil {
		return err
	}
	e := k.live()
	if e != nil && e.Kind != keyspace.KindList {
		return sdk.ErrWrongType
	}
	if k.mode&sdk.Write == 0 {
		return sdk.ErrKeyNotWritable
	}
	var l *types.List
	if e = k.entryForWrite(); e == nil {
		l = types.NewList()
		k.store(&keyspace.Entry{Kind: keyspace.KindList, Obj: l})
	} else if l, _ = e.Obj.(*types.List); l == nil {
		return sdk.ErrWrongType
	}
	if where == sdk.ListHead {
		l.PushFront(ele.Bytes())
	} else {
		l.PushBack(ele.Bytes())
	}
	k.wrote()
	k.ready()
	return nil
}

// ListPop implements sdk.Key.
func (k *modKey) ListPop(where sdk.ListWhere) (sdk.String, error) {
	if err := k.check(false); err != nil {
		return sdk.String{}, err
	}
	if _, err := listOfEntry(k.live()); err != nil {
		return sdk.String{}, err
	}
	if k.mode&sdk.Write == 0 {
		return sdk.String{}, sdk.ErrKeyNotWritable
	}
	l, err := listOfEntry(k.entryForWrite())
	if err != nil {
		return sdk.String{}, err
	}
	var v []byte
	if where == sdk.ListHead {
		v, _ = l.PopFront()
	} else {
		v, _ = l.PopBack()
	}
	out := sdk.StringFromBytes(append([]byte(nil), v...)) // v is the list's memory
	k.wrote()
	k.deleteIfEmpty(l.Len())
	return out, nil
}

// listSeek is moduleListIteratorSeek's checks: the key's list for an
// operation on index, which must be within it. need is sdk.Read or
// sdk.Write: the mode the operation needs.
func (k *modKey) listSeek(index int64, need int) (*types.List, int, error) {
	if err := k.check(false); err != nil {
		return nil, 0, err
	}
	l, err := listOfEntry(k.live())
	if err != nil {
		return nil, 0, err
	}
	if k.mode&need == 0 {
		if need == sdk.Write {
			return nil, 0, sdk.ErrKeyNotWritable
		}
		return nil, 0, sdk.ErrKeyNotReadable
	}
	n := int64(l.Len())
	if index < -n || index >= n {
		return nil, 0, sdk.ErrIndexOutOfRange
	}
	if index < 0 {
		index += n
	}
	if need == sdk.Write {
		if l, err = listOfEntry(k.entryForWrite()); err != nil {
			return nil, 0, err
		}
	}
	return l, int(index), nil
}

// ListGet implements sdk.Key.
func (k *modKey) ListGet(index int64) (sdk.String, error) {
	l, i, err := k.listSeek(index, sdk.Read)
	if err != nil {
		return sdk.String{}, err
	}
	v, _ := l.Index(i)
	return sdk.StringFromBytes(append([]byte(nil), v...)), nil
}

// ListSet implements sdk.Key.
func (k *modKey) ListSet(index int64, value sdk.String) error {
	l, i, err := k.listSeek(index, sdk.Write)
	if err != nil {
		return err
	}
	l.Set(i, value.Bytes())
	k.wrote()
	return nil
}

// ListInsert implements sdk.Key: RM_ListInsert's cases, in its order.
func (k *modKey) ListInsert(index int64, value sdk.String) error {
	if err := k.check(false); err != nil {
		return err
	}
	e := k.live()
	if e == nil && (index == 0 || index == -1) {
		return k.ListPush(sdk.ListTail, value)
	}
	if l, ok := listOfEntry(e); ok == nil {
		n := int64(l.Len())
		switch {
		case index == n || index == -1:
			return k.ListPush(sdk.ListTail, value)
		case index == 0 || index == -n-1:
			return k.ListPush(sdk.ListHead, value)
		}
	}
	l, i, err := k.listSeek(index, sdk.Write)
	if err != nil {
		return err
	}
	if index < 0 {
		i++ // after the element: the new one takes its place from the tail
	}
	l.InsertAt(i, value.Bytes())
	k.wrote()
	k.ready()
	return nil
}

// ListDelete implements sdk.Key.
func (k *modKey) ListDelete(index int64) error {
	l, i, err := k.listSeek(index, sdk.Write)
	if err != nil {
		return err
	}
	l.DeleteAt(i)
	k.wrote()
	k.deleteIfEmpty(l.Len())
	return nil
}

// hashArg turns a field name or value given to HashSet or HashGet into
// bytes: a String, a string or a []byte.
func hashArg(fn string, i int, a any) ([]byte, error) {
	switch v := a.(type) {
	case sdk.String:
		return v.Bytes(), nil
	case string:
		return []byte(v), nil
	case []byte:
		return v, nil
	case *sdk.String:
		if v != nil {
			return v.Bytes(), nil
		}
	}
	return nil, fmt.Errorf("ERR %s: argument %d is %T, want sdk.String, string or []byte", fn, i+1, a)
}

// HashSet implements sdk.Key.
func (k *modKey) HashSet(flags sdk.HashFlag, fieldsAndValues ...any) (int, error) {
	if flags&^(sdk.HashNX|sdk.HashXX|sdk.HashCFields|sdk.HashCountAll) != 0 {
		return 0, sdk.ErrInvalidFlags
	}
	if err := k.check(false); err != nil {
		return 0, err
	}
	e := k.live()
	if e != nil && e.Kind != keyspace.KindHash {
		return 0, sdk.ErrWrongType
	}
	if k.mode&sdk.Write == 0 {
		return 0, sdk.ErrKeyNotWritable
	}
	if len(fieldsAndValues)%2 != 0 {
		return 0, fmt.Errorf("ERR HashSet: argument %d (a field) has no value after it", len(fieldsAndValues))
	}
	type op struct {
		field, value []byte
		del          bool
	}
	ops := make([]op, 0, len(fieldsAndValues)/2)
	for i := 0; i < len(fieldsAndValues); i += 2 {
		f, err := hashArg("HashSet", i, fieldsAndValues[i])
		if err != nil {
			return 0, err
		}
		if sdk.IsHashDelete(fieldsAndValues[i+1]) {
			ops = append(ops, op{field: f, del: true})
			continue
		}
		v, err := hashArg("HashSet", i+1, fieldsAndValues[i+1])
		if err != nil {
			return 0, err
		}
		ops = append(ops, op{field: f, value: v})
	}
	var h *types.Hash
	if e = k.entryForWrite(); e != nil {
		h = e.Hash()
	}
	count := 0
	for _, o := range ops {
		if flags&(sdk.HashNX|sdk.HashXX) != 0 {
			exists := false
			if h != nil {
				_, exists = h.Get(o.field)
			}
			if flags&sdk.HashXX != 0 && !exists || flags&sdk.HashNX != 0 && exists {
				continue
			}
		}
		if o.del {
			if h != nil && h.Delete(o.field) {
				count++
				k.wrote()
			}
			continue
		}
		if h == nil { // created on the first field set
			h = types.NewHash()
			k.store(&keyspace.Entry{Kind: keyspace.KindHash, Obj: h})
		}
		added := h.Set(o.field, o.value)
		if !added || flags&sdk.HashCountAll != 0 {
			count++
		}
		k.wrote()
	}
	if h != nil {
		k.deleteIfEmpty(h.Len())
	}
	return count, nil
}

// HashGet implements sdk.Key.
func (k *modKey) HashGet(flags sdk.HashFlag, fields ...any) ([]sdk.HashValue, error) {
	if err := k.check(false); err != nil {
		return nil, err
	}
	e := k.live()
	var h *types.Hash
	if e != nil {
		if h = e.Hash(); h == nil || e.Kind != keyspace.KindHash {
			return nil, sdk.ErrWrongType
		}
	}
	out := make([]sdk.HashValue, len(fields))
	for i, a := range fields {
		f, err := hashArg("HashGet", i, a)
		if err != nil {
			return nil, err
		}
		if h == nil {
			continue
		}
		v, ok := h.Get(f)
		out[i].Exists = ok
		if ok && flags&sdk.HashExists == 0 {
			out[i].Value = sdk.StringFromBytes(append(make([]byte, 0, len(v)), v...))
		}
	}
	return out, nil
}

// zsetForWrite returns the key's sorted set for a ZsetAdd-like write,
// creating an empty one in an empty key (create false: nil then).
func (k *modKey) zsetForWrite(create bool) (*types.ZSet, error) {
	if err := k.check(true); err != nil {
		return nil, err
	}
	e := k.entryForWrite()
	if e == nil {
		if !create {
			return nil, nil
		}
		z := types.NewZSet()
		k.store(&keyspace.Entry{Kind: keyspace.KindZSet, Obj: z})
		return z, nil
	}
	z, ok := e.Obj.(*types.ZSet)
	if !ok || e.Kind != keyspace.KindZSet {
		return nil, sdk.ErrWrongType
	}
	return z, nil
}

// zaddTypesFlags maps the module's ZADD input flags to the sorted set's.
func zaddTypesFlags(f sdk.ZaddFlag) int {
	out := 0
	if f&sdk.ZaddXX != 0 {
		out |= types.ZAddXX
	}
	if f&sdk.ZaddNX != 0 {
		out |= types.ZAddNX
	}
	if f&sdk.ZaddGT != 0 {
		out |= types.ZAddGT
	}
	if f&sdk.ZaddLT != 0 {
		out |= types.ZAddLT
	}
	return out
}

// zadd is RM_ZsetAdd and RM_ZsetIncrby.
func (k *modKey) zadd(score float64, ele sdk.String, flags sdk.ZaddFlag, incr int) (float64, sdk.ZaddFlag, error) {
	z, err := k.zsetForWrite(true)
	if err != nil {
		return 0, 0, err
	}
	newScore, res := z.Add(ele.Bytes(), score, zaddTypesFlags(flags)|incr)
	var out sdk.ZaddFlag
	switch {
	case res&types.ZAddedNaN != 0:
		k.deleteIfEmpty(z.Len())
		return 0, 0, sdk.ErrScoreNaN
	case res&types.ZAdded != 0:
		out = sdk.ZaddAdded
		k.wrote()
		k.ready()
	case res&types.ZUpdated != 0:
		out = sdk.ZaddUpdated
		k.wrote()
	case res&types.ZNop != 0:
		out = sdk.ZaddNop
	}
	k.deleteIfEmpty(z.Len()) // an XX add that created nothing leaves no empty set
	if res&types.ZNop != 0 {
		if cur, ok := z.Score(ele.Bytes()); ok {
			newScore = cur
		}
	}
	return newScore, out, nil
}

// ZsetAdd implements sdk.Key.
func (k *modKey) ZsetAdd(score float64, ele sdk.String, flags sdk.ZaddFlag) (sdk.ZaddFlag, error) {
	_, out, err := k.zadd(score, ele, flags, 0)
	return out, err
}

// ZsetIncrby implements sdk.Key.
func (k *modKey) ZsetIncrby(incr float64, ele sdk.String, flags sdk.ZaddFlag) (float64, sdk.ZaddFlag, error) {
	return k.zadd(incr, ele, flags, types.ZAddIncr)
}

// zsetRead returns the key's sorted set for a read: ErrNoSuchKey when
// empty, ErrWrongType when it holds another type.
func (k *modKey) zsetRead() (*types.ZSet, error) {
	if err := k.check(false); err != nil {
		return nil, err
	}
	e := k.live()
	if e == nil {
		return nil, sdk.ErrNoSuchKey
	}
	z, ok := e.Obj.(*types.ZSet)
	if !ok || e.Kind != keyspace.KindZSet {
		return nil, sdk.ErrWrongType
	}
	return z, nil
}

// ZsetScore implements sdk.Key.
func (k *modKey) ZsetScore(ele sdk.String) (float64, error) {
	z, err := k.zsetRead()
	if err != nil {
		return 0, err
	}
	s, ok := z.Score(ele.Bytes())
	if !ok {
		return 0, sdk.ErrNoSuchElement
	}
	return s, nil
}

// ZsetRem implements sdk.Key.
func (k *modKey) ZsetRem(ele sdk.String) (bool, error) {
	z, err := k.zsetForWrite(false)
	if err != nil || z == nil {
		return false, err
	}
	if !z.Remove(ele.Bytes()) {
		return false, nil
	}
	k.wrote()
	k.deleteIfEmpty(z.Len())
	return true, nil
}

// The sorted set range iteration: the rank of the current member in the
// set, and the range. Moving checks only the end the move goes towards,
// as Redis does.
const (
	zrangeNone = iota
	zrangeScore
	zrangeLex
)

type zsetIter struct {
	kind int
	rank int  // of the current member
	cur  bool // there is a current member
	er   bool // end reached
	sr   types.ScoreRange
	lr   types.LexRange
}

func scoreGteMin(r *types.ScoreRange, v float64) bool {
	if r.MinEx {
		return v > r.Min
	}
	return v >= r.Min
}

func scoreLteMax(r *types.ScoreRange, v float64) bool {
	if r.MaxEx {
		return v < r.Max
	}
	return v <= r.Max
}

// lexCmp compares a member with a bound, as Redis's sdscmplex.
func lexCmp(m string, b *types.LexBound) int {
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

func lexGteMin(r *types.LexRange, m string) bool {
	if r.Min.Ex {
		return lexCmp(m, &r.Min) > 0
	}
	return lexCmp(m, &r.Min) >= 0
}

func lexLteMax(r *types.LexRange, m string) bool {
	if r.Max.Ex {
		return lexCmp(m, &r.Max) < 0
	}
	return lexCmp(m, &r.Max) <= 0
}

// zsetRangeStart positions the iteration on the first (or last) member the
// range holds; first is the member found, if any.
func (k *modKey) zsetRangeStart(z *types.ZSet, it zsetIter, found string, ok bool) {
	it.er = true
	if ok {
		if r, in := z.Rank([]byte(found), false); in {
			it.rank, it.cur, it.er = r, true, false
		}
	}
	k.zi = it
}

func (k *modKey) zsetScoreRange(min, max float64, minex, maxex, last bool) error {
	z, err := k.zsetRead()
	if err != nil {
		return err
	}
	it := zsetIter{kind: zrangeScore, sr: types.ScoreRange{Min: min, Max: max, MinEx: minex, MaxEx: maxex}}
	var found string
	var ok bool
	z.RangeByScore(it.sr, last, 0, 1, func(m string, _ float64) bool { found, ok = m, true; return false })
	k.zsetRangeStart(z, it, found, ok)
	return nil
}

func (k *modKey) zsetLexRange(min, max sdk.String, last bool) error {
	z, err := k.zsetRead()
	if err != nil {
		return err
	}
	k.zi = zsetIter{}
	lr, ok := zsetParseLexRange(min.Bytes(), max.Bytes())
	if !ok {
		return sdk.ErrLexRange
	}
	it := zsetIter{kind: zrangeLex, lr: lr}
	var found string
	var in bool
	z.RangeByLex(lr, last, 0, 1, func(m string, _ float64) bool { found, in = m, true; return false })
	k.zsetRangeStart(z, it, found, in)
	return nil
}

// ZsetFirstInScoreRange implements sdk.Key.
func (k *modKey) ZsetFirstInScoreRange(min, max float64, minex, maxex bool) error {
	return k.zsetScoreRange(min, max, minex, maxex, false)
}

// ZsetLastInScoreRange implements sdk.Key.
func (k *modKey) ZsetLastInScoreRange(min, max float64, minex, maxex bool) error {
	return k.zsetScoreRange(min, max, minex, maxex, true)
}

// ZsetFirstInLexRange implements sdk.Key.
func (k *modKey) ZsetFirstInLexRange(min, max sdk.String) error {
	return k.zsetLexRange(min, max, false)
}

// ZsetLastInLexRange implements sdk.Key.
func (k *modKey) ZsetLastInLexRange(min, max sdk.String) error {
	return k.zsetLexRange(min, max, true)
}

// zsetIterSet returns the sorted set an active iteration walks, or nil.
func (k *modKey) zsetIterSet() *types.ZSet {
	if k.isClosed() || k.zi.kind == zrangeNone {
		return nil
	}
	e := k.live()
	if e == nil {
		return nil
	}
	z, _ := e.Obj.(*types.ZSet)
	return z
}

// ZsetRangeCurrentElement implements sdk.Key.
func (k *modKey) ZsetRangeCurrentElement() (sdk.String, float64, bool) {
	z := k.zsetIterSet()
	if z == nil || !k.zi.cur || k.zi.rank >= z.Len() {
		return sdk.String{}, 0, false
	}
	e := z.At(k.zi.rank)
	return sdk.CreateString(e.Member), e.Score, true
}

// zsetMove moves the iteration one member up (dir 1) or down (-1).
func (k *modKey) zsetMove(dir int) bool {
	z := k.zsetIterSet()
	if z == nil || !k.zi.cur {
		return false
	}
	next := k.zi.rank + dir
	if next < 0 || next >= z.Len() {
		k.zi.er = true
		return false
	}
	e := z.At(next)
	var in bool
	switch {
	case k.zi.kind == zrangeScore && dir > 0:
		in = scoreLteMax(&k.zi.sr, e.Score)
	case k.zi.kind == zrangeScore:
		in = scoreGteMin(&k.zi.sr, e.Score)
	case dir > 0:
		in = lexLteMax(&k.zi.lr, e.Member)
	default:
		in = lexGteMin(&k.zi.lr, e.Member)
	}
	if !in {
		k.zi.er = true
		return false
	}
	k.zi.rank = next
	return true
}

// ZsetRangeNext implements sdk.Key.
func (k *modKey) ZsetRangeNext() bool { return k.zsetMove(1) }

// ZsetRangePrev implements sdk.Key.
func (k *modKey) ZsetRangePrev() bool { return k.zsetMove(-1) }

// ZsetRangeEndReached implements sdk.Key.
func (k *modKey) ZsetRangeEndReached() bool {
	if k.zsetIterSet() == nil {
		return true
	}
	return k.zi.er
}

// ZsetRangeStop implements sdk.Key.
func (k *modKey) ZsetRangeStop() {
	if k != nil {
		k.zi = zsetIter{}
	}
}

// GetKeyNameFromModuleKey implements sdk.Key.
func (k *modKey) GetKeyNameFromModuleKey() sdk.String {
	if k == nil {
		return sdk.String{}
	}
	return sdk.StringFromBytes(append([]byte(nil), k.name...))
}

// GetDbIdFromModuleKey implements sdk.Key.
func (k *modKey) GetDbIdFromModuleKey() int {
	if k == nil {
		return 0
	}
	return k.db.ID
}

// KeyExists implements sdk.KeyAPI.
func (x *modCtx) KeyExists(name sdk.String) bool {
	if x.phase == phaseDone {
		return false
	}
	return x.client().db.LookupNoTouch(name.Bytes(), x.s.now) != nil
}

// SelectDb implements sdk.KeyAPI.
func (x *modCtx) SelectDb(id int) error {
	if x.phase == phaseDone {
		return sdk.ErrKeyClosed
	}
	if id < 0 || id >= len(x.s.dbs) {
		return sdk.ErrDBIndex
	}
	x.client().db = x.s.dbs[id]
	return nil
}

// GetSelectedDb implements sdk.KeyAPI.
func (x *modCtx) GetSelectedDb() int { return x.client().db.ID }

// DbSize implements sdk.KeyAPI.
func (x *modCtx) DbSize() int64 { return int64(x.client().db.Len()) }

// RandomKey implements sdk.KeyAPI.
func (x *modCtx) RandomKey() (sdk.String, bool) {
	if x.phase == phaseDone {
		return sdk.String{}, false
	}
	k, ok := x.client().db.RandomKey(x.s.now)
	if !ok {
		return sdk.String{}, false
	}
	return sdk.CreateString(k), true
}

// SignalModifiedKey implements sdk.KeyAPI.
func (x *modCtx) SignalModifiedKey(name sdk.String) error {
	if x.phase == phaseDone {
		return sdk.ErrKeyClosed
	}
	x.s.keyModified(x.c, x.client().db, name.Bytes())
	return nil
}
