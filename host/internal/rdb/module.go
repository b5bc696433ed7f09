package rdb

// Module data types in the RDB, as Redis 7.0 writes them: the value type
// MODULE_2 (7), the key, the 64-bit module type id as an RDB length, then
// what the type's rdb_save writes through the module "opcodes" (each value
// preceded by its opcode, itself an RDB length), and the opcode EOF.
//
// The id packs the type's 9-character name (6 bits a character over the
// 64-character map below, first character highest) above a 10-bit encoding
// version (moduleTypeEncodeId). A loader finds the type by the name alone
// and hands the version found in the file to the type's Load.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"

	"modis/host/internal/keyspace"
)

// Module value opcodes (rdb.h RDB_MODULE_OPCODE_*).
const (
	ModuleOpEOF    = 0
	ModuleOpSInt   = 1
	ModuleOpUInt   = 2
	ModuleOpFloat  = 3
	ModuleOpDouble = 4
	ModuleOpString = 5
)

var moduleOpNames = [...]string{"EOF", "signed integer", "unsigned integer", "float", "double", "string"}

func moduleOpName(op uint64) string {
	if op < uint64(len(moduleOpNames)) {
		return moduleOpNames[op]
	}
	return "opcode " + strconv.FormatUint(op, 10)
}

// moduleTypeCharset is Redis's ModuleTypeNameCharSet: a character's index
// is its 6-bit code.
const moduleTypeCharset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// MaxModuleEncVer is the largest encoding version (10 bits).
const MaxModuleEncVer = 1023

// ModuleTypeID is moduleTypeEncodeId: the 64-bit id of the type name
// (exactly 9 characters of A-Z a-z 0-9 - _) with encoding version encver
// (0 to 1023).
func ModuleTypeID(name string, encver int) (uint64, error) {
	if len(name) != 9 {
		return 0, fmt.Errorf("module type name %q must be exactly 9 characters", name)
	}
	if encver < 0 || encver > MaxModuleEncVer {
		return 0, fmt.Errorf("module type %s: encoding version %d out of range 0-%d", name, encver, MaxModuleEncVer)
	}
	var id uint64
	for i := 0; i < 9; i++ {
		p := indexByte(moduleTypeCharset, name[i])
		if p < 0 {
			return 0, fmt.Errorf("module type name %q: character %q is not in A-Z a-z 0-9 - _", name, name[i])
		}
		id = id<<6 | uint64(p)
	}
	return id<<10 | uint64(encver), nil
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// ModuleTypeName is moduleTypeNameByID: the name and encoding version an
// id encodes.
func ModuleTypeName(id uint64) (name string, encver int) {
	encver = int(id & MaxModuleEncVer)
	id >>= 10
	var b [9]byte
	for i := 8; i >= 0; i-- {
		b[i] = moduleTypeCharset[id&63]
		id >>= 6
	}
	return string(b[:]), encver
}

// ModuleType is a module data type's persistence: its 9-character name,
// its current encoding version, and its rdb_save/rdb_load callbacks.
type ModuleType interface {
	Name() string
	EncVer() int
	// Save writes value through w's Save* helpers.
	Save(w *ModuleWriter, value any) error
	// Load reads a value written with encoding version encver (the one in
	// the file, which may be older than EncVer) through r's Load* helpers.
	Load(r *ModuleReader, encver int) (any, error)
}

// ModuleObject is what a keyspace.KindModule entry's Obj implements: it
// names its type. Save is given the Obj itself, or ModuleValue.Value.
type ModuleObject interface {
	ModuleType() ModuleType
}

// ModuleValue pairs a value with its type, for types whose values do not
// implement ModuleObject themselves: the loader stores a loaded value that
// does not implement it in one of these.
type ModuleValue struct {
	Type  ModuleType
	Value any
}

// ModuleType implements ModuleObject.
func (v *ModuleValue) ModuleType() ModuleType { return v.Type }

// moduleValueOf returns the type of a module entry's Obj and the value to
// hand its Save.
func moduleValueOf(obj any) (ModuleType, any, bool) {
	switch v := obj.(type) {
	case *ModuleValue:
		return v.Type, v.Value, v.Type != nil
	case ModuleObject:
		mt := v.ModuleType()
		return mt, obj, mt != nil
	}
	return nil, nil, false
}

// IsSavableModuleValue reports whether a KindModule entry's Obj names a
// type, so that Encoder.Entry can write it.
func IsSavableModuleValue(obj any) bool {
	_, _, ok := moduleValueOf(obj)
	return ok
}

// ModuleRegistry maps type ids to the loaded module types. Lookups are by
// name (the id without its encoding version), as moduleTypeLookupModuleByID
// does. Safe for concurrent use.
type ModuleRegistry struct {
	mu    sync.RWMutex
	types map[uint64]ModuleType // by id >> 10
}

// NewModuleRegistry returns an empty registry.
func NewModuleRegistry() *ModuleRegistry {
	return &ModuleRegistry{types: map[uint64]ModuleType{}}
}

// Modules is the process's registry: Decode uses it when the Handler
// names none. Module types are process-wide, like the plugins that
// define them.
var Modules = NewModuleRegistry()

// Register adds a type. Its name must be valid and not taken.
func (r *ModuleRegistry) Register(mt ModuleType) error {
	id, err := ModuleTypeID(mt.Name(), mt.EncVer())
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.types[id>>10]; dup {
		return fmt.Errorf("module type %s is already registered", mt.Name())
	}
	r.types[id>>10] = mt
	return nil
}

// Unregister removes the type with this name (when its module unloads).
func (r *ModuleRegistry) Unregister(name string) {
	id, err := ModuleTypeID(name, 0)
	if err != nil {
		return
	}
	r.mu.Lock()
	delete(r.types, id>>10)
	r.mu.Unlock()
}

// Lookup returns the type an id names, whatever its encoding version, or
// nil.
func (r *ModuleRegistry) Lookup(id uint64) ModuleType {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.types[id>>10]
}

// LookupName returns the type with this name, or nil.
func (r *ModuleRegistry) LookupName(name string) ModuleType {
	id, err := ModuleTypeID(name, 0)
	if err != nil {
		return nil
	}
	return r.Lookup(id)
}

// ModuleWriter is what a type's Save writes through (RM_Save*). Each
// helper writes its opcode, then the value as Redis does.
type ModuleWriter struct {
	e   *Encoder
	key []byte
	db  int
}

// Key returns the key whose value is being written (nil for AUX data, a
// DUMP payload, and a NewModuleWriter).
func (w *ModuleWriter) Key() []byte { return w.key }

// DB returns the database of the key whose value is being written, -1
// where there is none (AUX data, a DUMP payload, a NewModuleWriter).
func (w *ModuleWriter) DB() int { return w.db }

// SaveUnsigned is RM_SaveUnsigned: opcode UINT, the value as an RDB length.
func (w *ModuleWriter) SaveUnsigned(v uint64) {
	w.e.Length(ModuleOpUInt)
	w.e.Length(v)
}

// SaveSigned is RM_SaveSigned: opcode SINT, the value's bits as an RDB
// length.
func (w *ModuleWriter) SaveSigned(v int64) {
	w.e.Length(ModuleOpSInt)
	w.e.Length(uint64(v))
}

// SaveString is RM_SaveStringBuffer: opcode STRING, an RDB string (int-
// encoded or compressed as any other).
func (w *ModuleWriter) SaveString(s []byte) {
	w.e.Length(ModuleOpString)
	w.e.String(s)
}

// SaveDouble is RM_SaveDouble: opcode DOUBLE, 8 bytes little endian.
func (w *ModuleWriter) SaveDouble(v float64) {
	w.e.Length(ModuleOpDouble)
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
	w.e.write(b[:])
}

// SaveFloat is RM_SaveFloat: opcode FLOAT, 4 bytes little endian.
func (w *ModuleWriter) SaveFloat(v float32) {
	w.e.Length(ModuleOpFloat)
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
	w.e.write(b[:])
}

// Err returns the first write error.
func (w *ModuleWriter) Err() error { return w.e.err }

// module writes a module value after its key: the id, what the type's
// Save writes, the EOF opcode.
func (e *Encoder) module(key []byte, mt ModuleType, v any) error {
	id, err := ModuleTypeID(mt.Name(), mt.EncVer())
	if err != nil {
		return fmt.Errorf("key %q: %w", key, err)
	}
	e.Length(id)
	if err := callSave(mt, &ModuleWriter{e: e, key: key, db: e.db}, v); err != nil {
		return fmt.Errorf("key %q: module type %s: saving: %w", key, mt.Name(), err)
	}
	e.Length(ModuleOpEOF)
	return e.err
}

// ModuleReader is what a type's Load reads through (RM_Load*). Each helper
// checks the opcode (in a MODULE_2 value) and returns an error for a
// mismatch or a truncated file; after the first error every read fails.
type ModuleReader struct {
	d    *decoder
	mt   ModuleType
	key  []byte
	db   int
	opcs bool // MODULE_2: values carry opcodes
	err  error
}

// read runs f, turning a decoding failure into the reader's sticky error.
func (r *ModuleReader) read(op uint64, f func()) (err error) {
	if r.err != nil {
		return r.err
	}
	defer func() {
		if x := recover(); x != nil {
			fl, ok := x.(failure)
			if !ok {
				panic(x)
			}
			r.err = fl.err
			err = r.err
		}
	}()
	if r.opcs {
		at := r.d.p
		got, enc := r.d.length("a module value opcode")
		if enc || got != op {
			r.d.fail(at, "key %q: module type %s reads a %s but the file holds %s", r.key, r.mt.Name(), moduleOpName(op), moduleOpName(got))
		}
	}
	f()
	return nil
}

// LoadUnsigned is RM_LoadUnsigned.
func (r *ModuleReader) LoadUnsigned() (v uint64, err error) {
	err = r.read(ModuleOpUInt, func() {
		at := r.d.p
		n, enc := r.d.length("a module unsigned integer")
		if enc {
			r.d.fail(at, "invalid module unsigned integer")
		}
		v = n
	})
	return v, err
}

// LoadSigned is RM_LoadSigned.
func (r *ModuleReader) LoadSigned() (v int64, err error) {
	err = r.read(ModuleOpSInt, func() {
		at := r.d.p
		n, enc := r.d.length("a module signed integer")
		if enc {
			r.d.fail(at, "invalid module signed integer")
		}
		v = int64(n)
	})
	return v, err
}

// LoadString is RM_LoadStringBuffer: a fresh copy.
func (r *ModuleReader) LoadString() (v []byte, err error) {
	err = r.read(ModuleOpString, func() { v = r.d.string("a module string") })
	return v, err
}

// LoadDouble is RM_LoadDouble.
func (r *ModuleReader) LoadDouble() (v float64, err error) {
	err = r.read(ModuleOpDouble, func() {
		v = math.Float64frombits(binary.LittleEndian.Uint64(r.d.bytes(8, "a module double")))
	})
	return v, err
}

// LoadFloat is RM_LoadFloat.
func (r *ModuleReader) LoadFloat() (v float32, err error) {
	err = r.read(ModuleOpFloat, func() {
		v = math.Float32frombits(binary.LittleEndian.Uint32(r.d.bytes(4, "a module float")))
	})
	return v, err
}

// Err returns the first read error.
func (r *ModuleReader) Err() error { return r.err }

// moduleNotLoaded is the message for an id no registered type has.
func moduleNotLoaded(id uint64) string {
	name, _ := ModuleTypeName(id)
	return fmt.Sprintf("module type %s (id %d) is not loaded", name, id)
}

// module reads a module value (after the key): the id, the type's Load,
// then (MODULE_2) the EOF opcode.
func (d *decoder) module(t byte, at int, key []byte) *keyspace.Entry {
	idAt := d.p
	id, enc := d.length("a module type id")
	if enc {
		d.fail(idAt, "key %q: invalid module type id", key)
	}
	reg := d.modules
	if reg == nil {
		reg = Modules
	}
	mt := reg.Lookup(id)
	if mt == nil {
		d.fail(at, "key %q: %s", key, moduleNotLoaded(id))
	}
	r := &ModuleReader{d: d, mt: mt, key: key, db: d.db, opcs: t == TypeModule2}
	v, err := callLoad(mt, r, int(id&MaxModuleEncVer))
	if r.err != nil {
		var re *Error
		if errors.As(r.err, &re) {
			panic(failure{re})
		}
		d.fail(d.p, "key %q: module type %s: %v", key, mt.Name(), r.err)
	}
	if err != nil {
		d.fail(at, "key %q: module type %s: loading: %v", key, mt.Name(), err)
	}
	if v == nil {
		d.fail(at, "key %q: module type %s loaded no value", key, mt.Name())
	}
	if t == TypeModule2 {
		eofAt := d.p
		op, enc := d.length("the module value EOF marker")
		if enc || op != ModuleOpEOF {
			d.fail(eofAt, "key %q: the module type %s value is not terminated by the module value EOF marker", key, mt.Name())
		}
	}
	obj, ok := v.(ModuleObject)
	if !ok || obj.ModuleType() == nil {
		obj = &ModuleValue{Type: mt, Value: v}
	}
	return &keyspace.Entry{Kind: keyspace.KindModule, Obj: obj}
}

// callSave runs a type's Save, a panic in it becoming an error.
func callSave(mt ModuleType, w *ModuleWriter, v any) (err error) {
	defer func() {
		if x := recover(); x != nil {
			err = fmt.Errorf("panic: %v", x)
		}
	}()
	return mt.Save(w, v)
}

// callLoad runs a type's Load, a panic in it becoming an error (a decoding
// failure the reader raised is recorded in r already).
func callLoad(mt ModuleType, r *ModuleReader, encver int) (v any, err error) {
	defer func() {
		if x := recover(); x != nil {
			v, err = nil, fmt.Errorf("panic: %v", x)
		}
	}()
	return mt.Load(r, encver)
}

// Key returns the key whose value is being read (nil for AUX data and for
// a reader made by NewModuleReader).
func (r *ModuleReader) Key() []byte { return r.key }

// DB returns the database the value is read into (the file's last
// SELECTDB), -1 where there is none (AUX data, a DUMP payload, a reader
// made by NewModuleReader).
func (r *ModuleReader) DB() int { return r.db }

// NewModuleWriter returns a writer of module values into e, as the module
// API's RedisModule_SaveDataTypeToString uses: what a type's Save writes,
// with opcodes, and nothing around it.
func NewModuleWriter(e *Encoder) *ModuleWriter { return &ModuleWriter{e: e, db: -1} }

// NewModuleReader returns a reader of what a NewModuleWriter wrote into b
// (RedisModule_LoadDataTypeFromString). Errors name mt.
func NewModuleReader(b []byte, mt ModuleType) *ModuleReader {
	return &ModuleReader{d: &decoder{b: b, ver: Version, db: -1}, mt: mt, db: -1, opcs: true}
}

// Remaining is the number of bytes of a NewModuleReader's buffer not read.
func (r *ModuleReader) Remaining() int { return len(r.d.b) - r.d.p }

// Module AUX data (RDB_OPCODE_MODULE_AUX, 247): data a module type saves
// that belongs to no key, written before the keys, after them, or both, as
// Redis 7.0's rdbSaveSingleModuleAux writes it: the opcode, the type's id,
// the opcode UINT and the trigger (1 before the keys, 2 after), what the
// type's aux_save writes, and the module EOF opcode.

// Module AUX triggers (REDISMODULE_AUX_BEFORE_RDB, _AFTER_RDB).
const (
	AuxBefore = 1 << 0
	AuxAfter  = 1 << 1
)

// ModuleAuxType is a ModuleType that loads AUX data (aux_load). A type
// that does not implement it fails the load of a file holding AUX data of
// its name.
type ModuleAuxType interface {
	ModuleType
	// AuxLoad reads what the type's aux_save wrote for trigger when,
	// written with encoding version encver.
	AuxLoad(r *ModuleReader, encver, when int) error
}

// ModuleAux writes one AUX record of mt for trigger when; save writes the
// data through the ModuleWriter's helpers. A panic in save is an error.
func (e *Encoder) ModuleAux(mt ModuleType, when int, save func(w *ModuleWriter) error) error {
	id, err := ModuleTypeID(mt.Name(), mt.EncVer())
	if err != nil {
		return err
	}
	e.byte1(OpModuleAux)
	e.Length(id)
	e.Length(ModuleOpUInt)
	e.Length(uint64(when))
	err = func() (err error) {
		defer func() {
			if x := recover(); x != nil {
				err = fmt.Errorf("panic: %v", x)
			}
		}()
		return save(&ModuleWriter{e: e, db: -1})
	}()
	if err != nil {
		return fmt.Errorf("module type %s: saving AUX data: %w", mt.Name(), err)
	}
	e.Length(ModuleOpEOF)
	return e.err
}

// moduleAux reads a MODULE_AUX record (after its opcode, at offset at),
// with Redis 7.0's checks and messages.
func (d *decoder) moduleAux(at int) {
	id, enc := d.length("a module AUX type id")
	whenOp, enc2 := d.length("a module AUX when opcode")
	when, enc3 := d.length("a module AUX when")
	if enc || enc2 || enc3 || whenOp != ModuleOpUInt {
		d.fail(at, "bad when_opcode in module AUX data")
	}
	reg := d.modules
	if reg == nil {
		reg = Modules
	}
	name, encver := ModuleTypeName(id)
	mt := reg.Lookup(id)
	if mt == nil {
		d.fail(at, "The RDB file contains AUX module data I can't load: no matching module '%s'", name)
	}
	ax, ok := mt.(ModuleAuxType)
	if !ok {
		d.fail(at, "The RDB file contains module AUX data, but the module '%s' doesn't seem to support it.", name)
	}
	r := &ModuleReader{d: d, mt: mt, db: -1, opcs: true}
	err := func() (err error) {
		defer func() {
			if x := recover(); x != nil {
				err = fmt.Errorf("panic: %v", x)
			}
		}()
		return ax.AuxLoad(r, encver, int(when))
	}()
	if r.err != nil {
		var re *Error
		if errors.As(r.err, &re) {
			panic(failure{re})
		}
		err = r.err
	}
	if err != nil {
		d.fail(at, "The RDB file contains module AUX data for the module type '%s', that the responsible module is not able to load: %v", name, err)
	}
	eofAt := d.p
	op, enc := d.length("the module AUX EOF marker")
	if enc || op != ModuleOpEOF {
		d.fail(eofAt, "The RDB file contains module AUX data for the module '%s' that is not terminated by the proper module value EOF marker", name)
	}
}
