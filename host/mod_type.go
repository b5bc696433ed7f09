package host

// Module data types (sdk.TypeAPI.CreateDataType and sdk.TypeMethods): the
// host side.
//
// A type is a *modType. It is registered process-wide in rdb.Modules (what
// the RDB loader, RESTORE and the AOF's base use to find a type by its id)
// and in typeReg (by name, for uniqueness across modules, MODULE UNLOAD and
// the AUX data). A key holding a module value is a keyspace.KindModule entry
// whose Obj is a *modValue: the type and the module's value. modValue
// implements what the rest of the server asks of a value through small
// interfaces: rdb.ModuleObject (the RDB encoder, DUMP), Clone (BGSAVE's
// copy-on-write snapshot: the value is serialized through RDBSave at once,
// into a *modSnap), MemoryUsage (MEMORY USAGE, eviction accounting),
// Encoding (OBJECT ENCODING: "raw", as Redis's OBJ_ENCODING_RAW) and
// RewriteAOF (the AOF rewrite without an RDB preamble).
//
// Every module callback runs through modType.guard, which recovers a
// panic (logged with the stack, counted in INFO), so a misbehaving type
// fails the operation that called it and never the server.
//
// The rest of the family lives in mod_type_key.go (the TypedKey methods),
// mod_type_io.go (sdk.IO, sdk.Digest), mod_type_repl.go (Replicate and
// Call's propagation), mod_type_aux.go (module AUX data in RDB files),
// mod_type_digest.go (DEBUG DIGEST) and mod_type_cmds.go (what TYPE, COPY,
// MEMORY USAGE, DEL, UNLINK, FLUSHALL and MODULE UNLOAD do with module
// values).

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/go-hclog"

	"modis/host/internal/keyspace"
	"modis/host/internal/rdb"
	"modis/sdk"
)

// modType is a registered module data type. Its fields do not change
// after CreateDataType.
type modType struct {
	name   string
	encver int
	m      sdk.TypeMethods
	mod    *Module
	srv    *Server
	log    hclog.Logger
}

var (
	_ rdb.ModuleType    = (*modType)(nil)
	_ rdb.ModuleAuxType = (*modType)(nil)
	_ sdk.ModuleType    = (*modType)(nil)
)

// Name implements sdk.ModuleType and rdb.ModuleType.
func (t *modType) Name() string { return t.name }

// EncVer implements sdk.ModuleType and rdb.ModuleType.
func (t *modType) EncVer() int { return t.encver }

// typeReg holds the registered types by name, process-wide like
// rdb.Modules and like the plugins that define them.
var typeReg = struct {
	sync.Mutex
	byName map[string]*modType
}{byName: map[string]*modType{}}

// typesLive counts the registered types: the hooks in DEL, FLUSHALL and
// friends cost one atomic load while no module registered a type.
var typesLive atomic.Int32

// reservedTypeName is the name whose id with version 0 is 0, which Redis
// documents as reserved.
const reservedTypeName = "AAAAAAAAA"

// CreateDataType implements sdk.TypeAPI.
func (x *modCtx) CreateDataType(name string, encver int, methods *sdk.TypeMethods) (sdk.ModuleType, error) {
	if x.phase != phaseLoad {
		return nil, errors.New("CreateDataType may only be called in OnLoad")
	}
	if x.mod.Name == "" {
		return nil, errors.New("CreateDataType called before Init")
	}
	if methods == nil {
		return nil, fmt.Errorf("CreateDataType %q: methods is nil", name)
	}
	if _, err := rdb.ModuleTypeID(name, encver); err != nil {
		return nil, fmt.Errorf("CreateDataType: %w", err)
	}
	if name == reservedTypeName {
		return nil, fmt.Errorf("CreateDataType: the module type name %q is reserved", name)
	}
	m := *methods
	switch {
	case m.RDBLoad == nil || m.RDBSave == nil:
		return nil, fmt.Errorf("CreateDataType %q: RDBLoad and RDBSave are required", name)
	case (m.AuxLoad == nil) != (m.AuxSave == nil):
		return nil, fmt.Errorf("CreateDataType %q: AuxLoad and AuxSave go together (both or neither)", name)
	case m.AuxSave != nil && m.AuxSaveTriggers&^(sdk.AuxBeforeRDB|sdk.AuxAfterRDB) != 0:
		return nil, fmt.Errorf("CreateDataType %q: AuxSaveTriggers %d is not a combination of AuxBeforeRDB and AuxAfterRDB", name, m.AuxSaveTriggers)
	}
	if m.AuxSave != nil && m.AuxSaveTriggers == 0 {
		m.AuxSaveTriggers = sdk.AuxBeforeRDB
	}
	t := &modType{name: name, encver: encver, m: m, mod: x.mod, srv: x.s, log: x.mod.log}
	typeReg.Lock()
	defer typeReg.Unlock()
	if old := typeReg.byName[name]; old != nil {
		// The same module (by name) loaded into another server of this
		// process, or a load of it that failed, takes the name over;
		// anything else is a clash, as in Redis.
		if old.mod.Name != x.mod.Name || old.mod == x.mod {
			return nil, fmt.Errorf("CreateDataType: a module type named %q is already registered by module %q", name, old.mod.Name)
		}
		rdb.Modules.Unregister(name)
		delete(typeReg.byName, name)
		typesLive.Add(-1)
	}
	if err := rdb.Modules.Register(t); err != nil {
		return nil, fmt.Errorf("CreateDataType: %w", err)
	}
	typeReg.byName[name] = t
	typesLive.Add(1)
	return t, nil
}

// moduleTypes returns the types a module registered.
func moduleTypes(m *Module) []*modType {
	typeReg.Lock()
	defer typeReg.Unlock()
	var out []*modType
	for _, t := range typeReg.byName {
		if t.mod == m {
			out = append(out, t)
		}
	}
	return out
}

// dropModuleTypes unregisters the types of a module whose OnLoad failed
// (modules.go calls it when it unregisters a module's commands).
func dropModuleTypes(m *Module) {
	typeReg.Lock()
	defer typeReg.Unlock()
	for name, t := range typeReg.byName {
		if t.mod == m {
			rdb.Modules.Unregister(name)
			delete(typeReg.byName, name)
			typesLive.Add(-1)
		}
	}
}

// errUnloadTypes is MODULE UNLOAD's answer for a module that registered a
// data type, Redis's text.
var errUnloadTypes = errors.New("ERR Error unloading module: the module exports one or more module-side data types, can't unload")

// typesBlockUnload refuses MODULE UNLOAD of a module that registered a
// data type, as Redis does (its values could not be loaded, saved or freed
// without it).
func typesBlockUnload(m *Module) error {
	if len(moduleTypes(m)) > 0 {
		return errUnloadTypes
	}
	return nil
}

// guard runs one module callback, turning a panic into an error naming
// the type, the callback and the key, logged with the stack. locked says
// whether the execution lock is held (for the INFO counter).
func (t *modType) guard(what string, key []byte, locked bool, fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if locked {
				t.srv.stats.moduleRecovers++
			}
			t.log.Error("module type callback panicked", "type", t.name, "callback", what, "key", string(key),
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("module type %s: %s panicked: %v", t.name, what, r)
		}
	}()
	fn()
	return nil
}

// Save implements rdb.ModuleType: RDBSave for a live value, the recorded
// calls for a snapshot copy. Lock held for a *modValue.
func (t *modType) Save(w *rdb.ModuleWriter, value any) error {
	switch v := value.(type) {
	case *modValue:
		io := &modIO{t: t, mode: ioSave, w: w, key: w.Key(), db: w.DB()}
		if err := t.guard("RDBSave", io.key, true, func() { t.m.RDBSave(io, v.v) }); err != nil {
			return err
		}
		return io.err
	case *modSnap:
		if v.err != nil {
			return v.err
		}
		replayOps(w, v.ops)
		return w.Err()
	}
	return fmt.Errorf("module type %s: cannot save a %T", t.name, value)
}

// Load implements rdb.ModuleType: RDBLoad, whose value becomes a
// *modValue. An IO error (recorded by the reader) wins over what RDBLoad
// returned; the decoder reports it with the key and the offset.
func (t *modType) Load(r *rdb.ModuleReader, encver int) (any, error) {
	io := &modIO{t: t, mode: ioLoad, r: r, key: r.Key(), db: r.DB()}
	var v any
	var lerr error
	if err := t.guard("RDBLoad", io.key, true, func() { v, lerr = t.m.RDBLoad(io, encver) }); err != nil {
		return nil, err
	}
	if io.err != nil {
		return nil, io.err
	}
	if lerr != nil {
		return nil, lerr
	}
	if v == nil {
		return nil, errors.New("RDBLoad returned no value")
	}
	return t.newValue(v), nil
}

// modValue is a module value in the keyspace: Obj of a KindModule entry.
// A new value gets a new modValue (the wrapper never changes), so that a
// snapshot's copy, a Free and the garbage collector's cleanup always refer
// to one value.
type modValue struct {
	t  *modType
	v  any
	lf *valLife // nil when the type has no Free
}

// valLife tracks whether a value was freed: explicitly (DEL, FLUSHALL...)
// or by the cleanup the garbage collector runs once the wrapper is
// unreachable, whichever comes first.
type valLife struct {
	done    atomic.Bool
	cleanup runtime.Cleanup
}

var (
	_ rdb.ModuleObject = (*modValue)(nil)
	_ rdb.ModuleObject = (*modSnap)(nil)
)

// gcFree is what the collector's cleanup hands the value to: the type, the
// life record and the value itself (never the wrapper, which must become
// unreachable).
type gcFree struct {
	t  *modType
	lf *valLife
	v  any
}

// newValue wraps a module value for the keyspace.
func (t *modType) newValue(v any) *modValue {
	w := &modValue{t: t, v: v}
	if t.m.Free != nil {
		w.lf = &valLife{}
		w.lf.cleanup = runtime.AddCleanup(w, func(g gcFree) {
			if g.lf.done.CompareAndSwap(false, true) {
				go g.t.freeLocked(g.v)
			}
		}, gcFree{t: t, lf: w.lf, v: v})
	}
	return w
}

// freeLocked runs Free for a value the collector found unreachable, under
// the execution lock, on its own goroutine.
func (t *modType) freeLocked(v any) {
	t.srv.mu.Lock()
	defer t.srv.mu.Unlock()
	t.guard("Free", nil, true, func() { t.m.Free(v) })
}

// disown marks the value as no longer the keyspace's to free: it was freed
// explicitly, or handed back to the module (ModuleTypeReplaceValue). It
// reports whether it was still owned.
func (w *modValue) disown() bool {
	if w.lf == nil {
		return true
	}
	if !w.lf.done.CompareAndSwap(false, true) {
		return false
	}
	w.lf.cleanup.Stop()
	return true
}

// lazyFreeThreshold is Redis's LAZYFREE_THRESHOLD: a value whose free
// effort is above it is freed in the background by UNLINK and the ASYNC
// flushes.
const lazyFreeThreshold = 64

// free runs the type's Free for a value the keyspace let go of, once. With
// async (UNLINK, FLUSHALL ASYNC) a value whose FreeEffort is above 64 is
// freed on a goroutine, as Redis's lazy free. Lock held.
func (w *modValue) free(k sdk.KeyOptCtx, async bool) {
	t := w.t
	if t.m.Free == nil || !w.disown() {
		return
	}
	if async && t.m.FreeEffort != nil {
		effort := 0
		t.guard("FreeEffort", k.Key.Bytes(), true, func() { effort = t.m.FreeEffort(k, w.v) })
		if effort > lazyFreeThreshold {
			v := w.v
			go t.guard("Free", nil, false, func() { t.m.Free(v) })
			return
		}
	}
	t.guard("Free", k.Key.Bytes(), true, func() { t.m.Free(w.v) })
}

// unlink runs the type's Unlink: the value left the keyspace through DEL,
// UNLINK or ModuleTypeSetValue. Lock held.
func (w *modValue) unlink(k sdk.KeyOptCtx) {
	if w.t.m.Unlink != nil {
		w.t.guard("Unlink", k.Key.Bytes(), true, func() { w.t.m.Unlink(k, w.v) })
	}
}

// ModuleType implements rdb.ModuleObject.
func (w *modValue) ModuleType() rdb.ModuleType { return w.t }

// Encoding is what OBJECT ENCODING reports: module values are
// OBJ_ENCODING_RAW in Redis.
func (w *modValue) Encoding() string { return "raw" }

// MemoryUsage is the type's MemUsage for the whole value (0 without one),
// for the eviction accounting and BGSAVE's copy-on-write figures. Lock
// held.
func (w *modValue) MemoryUsage() int {
	return w.memUsage(sdk.KeyOptCtx{DB: -1, ToDB: -1}, 0)
}

// memUsage runs the type's MemUsage. Lock held.
func (w *modValue) memUsage(k sdk.KeyOptCtx, samples int) int {
	if w.t.m.MemUsage == nil {
		return 0
	}
	n := 0
	w.t.guard("MemUsage", k.Key.Bytes(), true, func() { n = w.t.m.MemUsage(k, w.v, samples) })
	return max(n, 0)
}

// Clone implements the snapshot's copy-on-write (keyspace.cloneObj): a
// write is about to change or drop this value while a background save (or
// AOF rewrite) still has to write it, so it is serialized now, under the
// lock, through RDBSave; the saver writes the recorded calls without
// running module code. (COPY does not come here: it uses the type's Copy,
// see copyModuleEntry.) Lock held.
func (w *modValue) Clone() any {
	sn := &modSnap{t: w.t}
	io := &modIO{t: w.t, mode: ioRecord, db: -1}
	if err := w.t.guard("RDBSave", nil, true, func() { w.t.m.RDBSave(io, w.v) }); err != nil {
		sn.err = err
	} else {
		sn.err = io.err
	}
	sn.ops = io.ops
	for _, op := range io.ops {
		sn.size += 16 + len(op.b)
	}
	return sn
}

// RewriteAOF writes the value as commands for an AOF rewrite without an
// RDB preamble: the type's AOFRewrite, or, for a type without one, a
// RESTORE of the value's DUMP payload (which any server with the module
// loads; Redis would crash on a type without aof_rewrite). Lock held.
func (w *modValue) RewriteAOF(key []byte, emit func(argv [][]byte)) error {
	t := w.t
	if t.m.AOFRewrite == nil {
		p, err := rdb.DumpValue(&keyspace.Entry{Kind: keyspace.KindModule, Obj: w}, true)
		if err != nil {
			return err
		}
		emit([][]byte{[]byte("RESTORE"), key, []byte("0"), p})
		return nil
	}
	io := &modIO{t: t, mode: ioAOF, emit: emit, key: key, db: -1}
	if err := t.guard("AOFRewrite", key, true, func() {
		t.m.AOFRewrite(io, sdk.StringFromBytes(key), w.v)
	}); err != nil {
		return err
	}
	return io.err
}

// modSnap is a module value copied aside for a running background save:
// the calls its RDBSave made, replayed into the file by Save. It has no
// RewriteAOF: an AOF rewrite without a preamble writes it as a RESTORE of
// its DUMP payload.
type modSnap struct {
	t    *modType
	ops  []ioOp
	err  error // RDBSave failed (or panicked): the save fails with it
	size int
}

// ModuleType implements rdb.ModuleObject.
func (s *modSnap) ModuleType() rdb.ModuleType { return s.t }

// MemoryUsage is the size of the recorded calls.
func (s *modSnap) MemoryUsage() int { return s.size }

// Encoding is OBJECT ENCODING's "raw".
func (s *modSnap) Encoding() string { return "raw" }

// moduleValueOf returns the wrapper of a KindModule entry's value, or nil.
func moduleValueOf(e *keyspace.Entry) *modValue {
	if e == nil || e.Kind != keyspace.KindModule {
		return nil
	}
	w, _ := e.Obj.(*modValue)
	return w
}

// moduleTypeName is the 9-character name TYPE replies for a module value.
func moduleTypeName(e *keyspace.Entry) string {
	if o, ok := e.Obj.(rdb.ModuleObject); ok && o.ModuleType() != nil {
		return o.ModuleType().Name()
	}
	if v, ok := e.Obj.(*rdb.ModuleValue); ok && v.Type != nil {
		return v.Type.Name()
	}
	return e.Kind.String()
}
