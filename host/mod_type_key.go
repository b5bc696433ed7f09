package host

// sdk.TypedKey on the key API's modKey (mod_key.go): module values stored
// at and read from an open key.

import (
	"errors"

	"modis/host/internal/keyspace"
	"modis/sdk"
)

// errNotModuleType: a sdk.ModuleType not made by CreateDataType.
var errNotModuleType = errors.New("ERR not a module type created by CreateDataType")

// asModType returns the host type behind a sdk.ModuleType.
func asModType(t sdk.ModuleType) (*modType, error) {
	mt, ok := t.(*modType)
	if !ok || mt == nil {
		return nil, errNotModuleType
	}
	return mt, nil
}

// keyOpt is the KeyOptCtx of a key in a database.
func keyOpt(db *keyspace.DB, key []byte) sdk.KeyOptCtx {
	return sdk.KeyOptCtx{Key: sdk.StringFromBytes(key), DB: db.ID, ToDB: -1}
}

// ModuleTypeSetValue implements sdk.TypedKey: RM_ModuleTypeSetValue, which
// deletes the key (unlinking and freeing a module value it held) and sets
// the new value without an expiry.
func (k *modKey) ModuleTypeSetValue(t sdk.ModuleType, value any) error {
	if err := k.check(true); err != nil {
		return err
	}
	mt, err := asModType(t)
	if err != nil {
		return err
	}
	if value == nil {
		return errors.New("ERR ModuleTypeSetValue: the value is nil")
	}
	if old := k.entryForWrite(); old != nil {
		w := moduleValueOf(old)
		ko := keyOpt(k.db, k.name)
		if w != nil {
			w.unlink(ko)
		}
		k.db.Delete(k.name, k.x.s.now)
		if w != nil {
			w.free(ko, false)
		}
	}
	nv := mt.newValue(value)
	k.store(&keyspace.Entry{Kind: keyspace.KindModule, Obj: nv})
	k.noteValue(nv)
	return nil
}

// noteValue counts a module value the key now holds in the used-memory
// estimate, as the bytes a write command brings in (evict.go's noteWrite,
// which counts only the command's arguments: a module value can be much
// larger than those). It asks the type's MemUsage, as the eviction
// accounting does for the bytes an eviction frees; like noteWrite, only
// with maxmemory set. Lock held.
func (k *modKey) noteValue(w *modValue) {
	if s := k.x.s; s.cfg.MaxMemory > 0 {
		s.mem.writes += int64(w.memUsage(keyOpt(k.db, k.name), 0))
	}
}

// ModuleTypeReplaceValue implements sdk.TypedKey.
func (k *modKey) ModuleTypeReplaceValue(t sdk.ModuleType, value any) (any, error) {
	if err := k.check(true); err != nil {
		return nil, err
	}
	mt, err := asModType(t)
	if err != nil {
		return nil, err
	}
	if value == nil {
		return nil, errors.New("ERR ModuleTypeReplaceValue: the value is nil")
	}
	e := k.entryForWrite()
	if e == nil {
		return nil, sdk.ErrNoSuchKey
	}
	w := moduleValueOf(e)
	if w == nil || w.t != mt {
		return nil, sdk.ErrWrongType
	}
	w.disown() // the old value is the module's again
	nv := mt.newValue(value)
	e.Obj = nv
	k.noteValue(nv)
	k.wrote()
	return w.v, nil
}

// typedEntry returns the key's entry for the typed-value getters: for a
// key open for writing through entryForWrite (a background save copies
// the value first, since the module may change it in place), else live.
func (k *modKey) typedEntry() *keyspace.Entry {
	if k.mode&sdk.Write != 0 {
		return k.entryForWrite()
	}
	return k.live()
}

// ModuleTypeGetType implements sdk.TypedKey.
func (k *modKey) ModuleTypeGetType() sdk.ModuleType {
	if k.isClosed() {
		return nil
	}
	if w := moduleValueOf(k.typedEntry()); w != nil {
		return w.t
	}
	return nil
}

// ModuleTypeGetValue implements sdk.TypedKey.
func (k *modKey) ModuleTypeGetValue() any {
	if k.isClosed() {
		return nil
	}
	if w := moduleValueOf(k.typedEntry()); w != nil {
		return w.v
	}
	return nil
}

// ModuleTypeValue implements sdk.TypedKey.
func (k *modKey) ModuleTypeValue(t sdk.ModuleType) (any, error) {
	if k.isClosed() {
		return nil, sdk.ErrKeyClosed
	}
	mt, err := asModType(t)
	if err != nil {
		return nil, err
	}
	e := k.typedEntry()
	if e == nil {
		return nil, nil
	}
	if w := moduleValueOf(e); w != nil && w.t == mt {
		return w.v, nil
	}
	return nil, sdk.ErrWrongType
}
