package sdk

import (
	"errors"
	"fmt"
	"reflect"
)

// Module data types, their persistence, and replication: the Go form of
// RedisModule_CreateDataType and RedisModuleTypeMethods, the RDB save/load
// helpers (RedisModule_Save*/Load* on a RedisModuleIO), RedisModule_EmitAOF,
// the digest API, and RedisModule_Replicate / ReplicateVerbatim.
//
// A type is registered once, in OnLoad:
//
//	var counterType sdk.ModuleType
//
//	func OnLoad(ctx sdk.Ctx, args []sdk.String) error {
//		ctx.Init("counter", 1, sdk.APIVER_1)
//		t, err := ctx.CreateDataType("counter1-", 0, &sdk.TypeMethods{
//			RDBLoad: func(io sdk.IO, encver int) (any, error) { return &Counter{N: io.LoadSigned()}, nil },
//			RDBSave: func(io sdk.IO, v any) { io.SaveSigned(v.(*Counter).N) },
//		})
//		if err != nil {
//			return err
//		}
//		counterType = t
//		...
//	}
//
// and its values are stored and fetched through an open key:
//
//	key := ctx.OpenKey(argv[1], sdk.Read|sdk.Write)
//	c, err := sdk.ValueAs[*Counter](key, counterType) // WRONGTYPE error for another type
//	if err != nil {
//		return err
//	}
//	if c == nil { // empty key
//		c = &Counter{}
//		key.ModuleTypeSetValue(counterType, c)
//	}
//	c.N++
//	ctx.ReplicateVerbatim() // the AOF (and replicas) see the command
//
// # Loading safely
//
// Loading is where C modules crash on a corrupt file. In Go the IO's Load
// helpers never panic: a value of the wrong kind (the file holds a string
// where the module reads an unsigned integer), a truncated file or a read
// past the end of the value makes the helper return the zero value and
// records the error on the IO; every later read returns zero values too.
// When RDBLoad (or AuxLoad) returns, the server checks the IO: if it holds
// an error, the whole load fails with that error, naming the type and the
// key ("key \"k\": module type counter1- reads a string but the file holds
// unsigned integer"), whatever RDBLoad returned. So RDBLoad may read all its
// fields and check io.Err() once at the end; it must check it before
// trusting a length it read (before allocating a slice of that length, say).
// A panic in any type callback is recovered: the operation that ran it (the
// load, SAVE, BGSAVE, DUMP, the AOF rewrite, COPY...) fails with an error
// naming the type, the log has the stack, and the server keeps serving.

// Aux save triggers for TypeMethods.AuxSaveTriggers: when AuxSave runs while
// an RDB file is written (REDISMODULE_AUX_BEFORE_RDB, _AFTER_RDB).
const (
	AuxBeforeRDB = 1 << 0 // before the keys (and after the AUX fields)
	AuxAfterRDB  = 1 << 1 // after the keys
)

// TypeMethodVersion is REDISMODULE_TYPE_METHOD_VERSION of Redis 7.0, what
// RedisModule_GetTypeMethodVersion returns. Every field of TypeMethods is
// honoured, so a module never needs to check it.
const TypeMethodVersion = 4

// ModuleType is a registered module data type, the Go form of
// RedisModuleType*. CreateDataType returns it; store it in a package
// variable and pass it to the key methods.
type ModuleType interface {
	// Name is the 9-character type name (what TYPE replies for its keys).
	Name() string
	// EncVer is the encoding version the type was registered with (what
	// RDBSave writes; RDBLoad gets the version of the value it reads).
	EncVer() int
}

// KeyOptCtx is the Go form of RedisModuleKeyOptCtx: which key a callback is
// about. Key and DB are RedisModule_GetKeyNameFromOptCtx and
// GetDbIdFromOptCtx; ToKey and ToDB (GetToKeyNameFromOptCtx,
// GetToDbIdFromOptCtx) are set for Copy only (the destination), and are
// the zero String and -1 elsewhere.
type KeyOptCtx struct {
	Key   String
	DB    int
	ToKey String
	ToDB  int
}

// TypeMethods is the Go form of RedisModuleTypeMethods (version 4, Redis
// 7.0). RDBLoad and RDBSave are required; AuxLoad and AuxSave come as a
// pair; every other callback is optional. Closures replace C's privdata.
// Where Redis 7.0 has a "2" variant of a callback (mem_usage2, copy2,
// unlink2, free_effort2, which receive the key), the Go field has the "2"
// variant's arguments; the C original's arguments are a subset of them.
//
// Every callback runs under the server's execution lock (callbacks never
// run concurrently with each other or with a command), except Free for a
// value whose FreeEffort is above 64 released by UNLINK or FLUSHALL/FLUSHDB
// ASYNC, which runs on its own goroutine, without the lock, as Redis's
// lazy free runs in a background thread.
type TypeMethods struct {
	// RDBLoad is rdb_load: read a value written with encoding version encver
	// (which may be older than the type's) through io's Load helpers. A nil
	// value or a non-nil error fails the load, as does an IO error (see the
	// "Loading safely" notes in the package documentation of this file).
	RDBLoad func(io IO, encver int) (any, error)
	// RDBSave is rdb_save: write value through io's Save helpers. It also
	// serves DUMP, and BGSAVE's snapshot (which calls it when a write is
	// about to change a value the background save has not written yet).
	RDBSave func(io IO, value any)
	// AOFRewrite is aof_rewrite: emit the commands that rebuild value under
	// key, with io.EmitAOF. It runs only for an AOF rewrite with
	// aof-use-rdb-preamble no; without it such a rewrite fails for the
	// type's keys (with the preamble, RDBSave writes the values).
	AOFRewrite func(io IO, key String, value any)
	// MemUsage is mem_usage2: an estimate of value's size in bytes, for
	// MEMORY USAGE (the key's name and dictionary entry are added to it)
	// and the eviction accounting. sampleSize is MEMORY USAGE's SAMPLES
	// count (5 by default; 0 means every element); other callers pass 0.
	// Without it a value counts as 0 bytes, as in Redis.
	MemUsage func(k KeyOptCtx, value any, sampleSize int) int
	// Digest is digest: feed value into d for DEBUG DIGEST and DEBUG
	// DIGEST-VALUE. Without it the value adds nothing to the digest.
	Digest func(d Digest, value any)
	// Free is free: release what value holds outside Go's heap (files,
	// connections, goroutines). Memory needs no freeing. It is called once
	// per value the keyspace lets go of: at once, under the lock, for
	// DEL, UNLINK, FLUSHDB, FLUSHALL and a value replaced by
	// ModuleTypeSetValue; for a value dropped any other way (overwritten by
	// SET, RENAME or RESTORE REPLACE, expired, evicted) once the garbage
	// collector finds it unreachable, on a goroutine that takes the lock.
	Free func(value any)
	// Copy is copy2: a deep copy of value for COPY (from k.Key in k.DB to
	// k.ToKey in k.ToDB). Returning nil fails COPY with "ERR module key
	// failed to copy"; without Copy, COPY replies "ERR not supported for
	// this module key", as Redis does.
	Copy func(k KeyOptCtx, value any) any
	// Unlink is unlink2: value was removed from the keyspace by DEL or
	// UNLINK (or replaced by ModuleTypeSetValue) and is about to be freed.
	Unlink func(k KeyOptCtx, value any)
	// FreeEffort is free_effort2: how much work Free does (the number of
	// allocations, say). UNLINK and the ASYNC flushes free a value whose
	// effort is above 64 (Redis's LAZYFREE_THRESHOLD) on a goroutine.
	FreeEffort func(k KeyOptCtx, value any) int
	// AuxLoad is aux_load: read data saved by AuxSave (not tied to a key),
	// written with encoding version encver, at the trigger when
	// (AuxBeforeRDB or AuxAfterRDB).
	AuxLoad func(io IO, encver int, when int) error
	// AuxSave is aux_save: write module-global data when an RDB file is
	// written (SAVE, BGSAVE, the AOF's RDB base, SHUTDOWN), at the
	// triggers in AuxSaveTriggers. For BGSAVE both triggers run when the
	// save starts, so the data is that of the snapshot's moment.
	AuxSave func(io IO, when int)
	// AuxSaveTriggers is aux_save_triggers: AuxBeforeRDB, AuxAfterRDB or
	// both. Zero with an AuxSave means AuxBeforeRDB.
	AuxSaveTriggers int
}

// IO is the Go form of RedisModuleIO: what RDBLoad, RDBSave, AuxLoad,
// AuxSave and AOFRewrite work through. The Save helpers work in RDBSave and
// AuxSave, the Load helpers in RDBLoad and AuxLoad, EmitAOF in AOFRewrite;
// used anywhere else they record an error on the IO and do nothing.
//
// Errors are sticky: after the first one every Load returns the zero value
// and every Save does nothing, and the operation (the load, the save, the
// rewrite) fails with it. See "Loading safely" above. An IO is valid only
// during the callback it was passed to, and is not safe for use by other
// goroutines.
type IO interface {
	// SaveUnsigned is RedisModule_SaveUnsigned.
	SaveUnsigned(v uint64)
	// SaveSigned is RedisModule_SaveSigned.
	SaveSigned(v int64)
	// SaveString is RedisModule_SaveString.
	SaveString(s String)
	// SaveStringBuffer is RedisModule_SaveStringBuffer.
	SaveStringBuffer(b []byte)
	// SaveDouble is RedisModule_SaveDouble.
	SaveDouble(v float64)
	// SaveFloat is RedisModule_SaveFloat.
	SaveFloat(v float32)
	// SaveLongDouble is RedisModule_SaveLongDouble: Go has no long double,
	// so a float64 is written, in Redis's form (a string holding C's "%La"
	// of the value as an x87 long double), which C modules can read.
	SaveLongDouble(v float64)

	// LoadUnsigned is RedisModule_LoadUnsigned.
	LoadUnsigned() uint64
	// LoadSigned is RedisModule_LoadSigned.
	LoadSigned() int64
	// LoadString is RedisModule_LoadString: a fresh String the module may
	// keep.
	LoadString() String
	// LoadStringBuffer is RedisModule_LoadStringBuffer: a fresh slice the
	// module may keep.
	LoadStringBuffer() []byte
	// LoadDouble is RedisModule_LoadDouble.
	LoadDouble() float64
	// LoadFloat is RedisModule_LoadFloat.
	LoadFloat() float32
	// LoadLongDouble is RedisModule_LoadLongDouble, rounded to float64.
	LoadLongDouble() float64

	// EmitAOF is RedisModule_EmitAOF: in AOFRewrite, emit one command that
	// rebuilds (part of) the value. format and args are as Ctx.Call's
	// (letters c s b l d v); a bad format, or a command the server does
	// not know, records an error on the IO and fails the rewrite.
	EmitAOF(cmd string, format string, args ...any)

	// IsIOError is RedisModule_IsIOError: whether an error was recorded.
	IsIOError() bool
	// Err returns the first error recorded, or nil.
	Err() error
	// LogIOError is RedisModule_LogIOError: log through the module's logger
	// (level as Ctx.Log's).
	LogIOError(level string, format string, args ...any)
	// KeyName is RedisModule_GetKeyNameFromIO: the key being loaded, saved
	// or rewritten; the empty String in AuxLoad and AuxSave, and for a
	// value serialized without its key (DUMP and RESTORE payloads,
	// SaveDataTypeToString, BGSAVE's copy of a value about to change).
	KeyName() String
	// DbID is RedisModule_GetDbIdFromIO: the key's database while an RDB
	// file is written or loaded (SAVE, BGSAVE, the AOF's RDB base, a
	// restart), or -1 where the server does not know it (AuxLoad, AuxSave,
	// AOFRewrite, and the cases where KeyName is empty).
	DbID() int
}

// Digest is the Go form of RedisModuleDigest, for TypeMethods.Digest: DEBUG
// DIGEST and DEBUG DIGEST-VALUE mix what it is fed into the key's digest
// exactly as Redis does, so a value that the module feeds the same way
// digests the same in Redis and in Modis.
type Digest interface {
	// AddStringBuffer is RedisModule_DigestAddStringBuffer: add b to the
	// current sequence (order matters within a sequence).
	AddStringBuffer(b []byte)
	// AddLongLong is RedisModule_DigestAddLongLong: add n, as its decimal
	// form.
	AddLongLong(n int64)
	// EndSequence is RedisModule_DigestEndSequence: close the current
	// sequence (sequences combine without order, like the elements of a
	// set).
	EndSequence()
	// KeyName is RedisModule_GetKeyNameFromDigest.
	KeyName() String
	// DbID is RedisModule_GetDbIdFromDigest.
	DbID() int
}

// TypeAPI is the part of Ctx for module data types (RedisModule_CreateDataType),
// their persistence, and replication.
type TypeAPI interface {
	// CreateDataType registers a data type, as RedisModule_CreateDataType.
	// It works only in OnLoad, after Init. name must be exactly 9
	// characters of A-Z a-z 0-9 - _, not "AAAAAAAAA" (reserved), and not a
	// name another loaded module registered (names are case-sensitive, as
	// in Redis); encver is 0 to 1023. methods must have RDBLoad and RDBSave,
	// and AuxLoad and AuxSave both or neither. Where C returns NULL, the
	// error says which rule was broken. A module that registered a type
	// cannot be unloaded (MODULE UNLOAD refuses, as Redis does).
	CreateDataType(name string, encver int, methods *TypeMethods) (ModuleType, error)

	// Replicate is RedisModule_Replicate: propagate a command to the AOF
	// (and to replicas) as part of the running command's effects, without
	// running it. format and args are as Call's; the modifier "A" leaves
	// the AOF out (and "R" the replicas: Modis has none). When one command
	// propagates more than one command (Replicate, ReplicateVerbatim,
	// Call with "!"), they are wrapped in MULTI/EXEC. An unknown command or
	// a bad format is an error and propagates nothing.
	//
	// A module command's effects reach the AOF only through Replicate,
	// ReplicateVerbatim and Call with "!": a command that changes keys
	// through the key API, or with Call without "!", propagates nothing,
	// exactly as in Redis. Outside a command (OnLoad, a timer) the command
	// goes to the AOF at once.
	Replicate(cmd string, format string, args ...any) error
	// ReplicateVerbatim is RedisModule_ReplicateVerbatim: propagate the
	// running command as the client sent it. It works only in a command
	// handler.
	ReplicateVerbatim() error

	// SaveDataTypeToString is RedisModule_SaveDataTypeToString: value
	// serialized by t's RDBSave into a String (in the RDB module encoding).
	SaveDataTypeToString(value any, t ModuleType) (String, error)
	// LoadDataTypeFromString is RedisModule_LoadDataTypeFromString: a value
	// read back by t's RDBLoad from what SaveDataTypeToString made (with
	// t's encoding version). A short or corrupt String is an error.
	LoadDataTypeFromString(s String, t ModuleType) (any, error)
}

// TypedKey is the part of Key for module data type values
// (RedisModule_ModuleTypeSetValue, ModuleTypeGetValue, ModuleTypeGetType).
type TypedKey interface {
	// ModuleTypeSetValue is RedisModule_ModuleTypeSetValue: store value, of
	// type t, at the key, which must be open for writing. Whatever the key
	// held is deleted first (a module value of any type is unlinked and
	// freed), and the key loses its expiry, as in Redis. value may not be
	// nil. The key's keyspace notification and WATCH signal are the key
	// API's (closing a key opened for writing signals it).
	ModuleTypeSetValue(t ModuleType, value any) error
	// ModuleTypeReplaceValue is RedisModule_ModuleTypeReplaceValue: replace
	// the value of a key that holds a value of type t, keeping its expiry,
	// and return the old value, which is neither unlinked nor freed (it is
	// the caller's again). The key must be open for writing.
	ModuleTypeReplaceValue(t ModuleType, value any) (old any, err error)
	// ModuleTypeGetType is RedisModule_ModuleTypeGetType: the type of the
	// key's value, or nil when the key is empty, holds a built-in type, or
	// is closed.
	ModuleTypeGetType() ModuleType
	// ModuleTypeGetValue is RedisModule_ModuleTypeGetValue: the key's
	// module value, or nil when the key is empty, holds a built-in type, or
	// is closed. Prefer ValueAs, which checks the type.
	ModuleTypeGetValue() any
	// ModuleTypeValue returns the key's value when it is of type t, nil
	// and no error when the key is empty, and Redis's WRONGTYPE error when
	// it holds anything else (a built-in type, or another module type)
	// (ErrWrongType). Closed: ErrKeyClosed. It is what ValueAs is built
	// on; it has no C counterpart.
	ModuleTypeValue(t ModuleType) (any, error)
}

// ValueAs returns key's value as a T when it holds a value of module type
// t: the safe form of the C idiom
//
//	if (RedisModule_ModuleTypeGetType(key) == MyType) v = RedisModule_ModuleTypeGetValue(key);
//
// An empty key gives T's zero value (nil for a pointer type) and no error.
// A key holding anything else gives ErrWrongType (Redis's WRONGTYPE text),
// which a handler can return as it is. A value of type t that is not a T (a
// programming error in the module) is an error naming both Go types; a nil
// key is an error too. ValueAs never panics.
func ValueAs[T any](key Key, t ModuleType) (T, error) {
	var zero T
	if key == nil {
		return zero, errors.New("ValueAs: nil key")
	}
	if t == nil {
		return zero, errors.New("ValueAs: nil module type")
	}
	v, err := key.ModuleTypeValue(t)
	if err != nil || v == nil {
		return zero, err
	}
	tv, ok := v.(T)
	if !ok {
		return zero, fmt.Errorf("ValueAs: the value of module type %s is a %T, not a %v", t.Name(), v, reflect.TypeFor[T]())
	}
	return tv, nil
}
