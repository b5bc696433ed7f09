package sdk

import (
	"errors"
	"iter"
)

// Key open modes for OpenKey, the Go form of REDISMODULE_READ,
// REDISMODULE_WRITE and REDISMODULE_OPEN_KEY_NOTOUCH.
const (
	Read  = 1 << 0
	Write = 1 << 1
	// OpenKeyNoTouch opens the key without recording an access: its LRU
	// idle time and LFU counter stay as they were (REDISMODULE_OPEN_KEY_NOTOUCH).
	OpenKeyNoTouch = 1 << 16
)

// KeyType is the type of the value an open key holds, the Go form of
// REDISMODULE_KEYTYPE_*. The numbers are Redis's.
type KeyType int

// The key types.
const (
	KeyTypeEmpty  KeyType = 0
	KeyTypeString KeyType = 1
	KeyTypeList   KeyType = 2
	KeyTypeHash   KeyType = 3
	KeyTypeSet    KeyType = 4
	KeyTypeZSet   KeyType = 5
	KeyTypeModule KeyType = 6
	// KeyTypeStream is Redis's stream type. Modis has no streams, so no key
	// ever has this type; the constant exists for ported code.
	KeyTypeStream KeyType = 7
)

var keyTypeNames = [...]string{"empty", "string", "list", "hash", "set", "zset", "module", "stream"}

// String names the type: "empty", "string", "list", "hash", "set", "zset",
// "module", "stream" ("unknown" for other values).
func (t KeyType) String() string {
	if t >= 0 && int(t) < len(keyTypeNames) {
		return keyTypeNames[t]
	}
	return "unknown"
}

// NoExpire is what GetExpire and GetAbsExpire return for a key without a
// TTL (or an empty key), and what SetExpire and SetAbsExpire take to remove
// one (REDISMODULE_NO_EXPIRE).
const NoExpire int64 = -1

// ListWhere chooses the end of a list for ListPush and ListPop
// (REDISMODULE_LIST_HEAD, REDISMODULE_LIST_TAIL).
type ListWhere int

// The ends of a list.
const (
	ListHead ListWhere = 0
	ListTail ListWhere = 1
)

// ZaddFlag holds the input and output flags of ZsetAdd and ZsetIncrby,
// the Go form of REDISMODULE_ZADD_*. The bits are Redis's.
type ZaddFlag int

// Input flags.
const (
	ZaddXX ZaddFlag = 1 << 0 // only update members that exist
	ZaddNX ZaddFlag = 1 << 1 // only add members that do not exist
	ZaddGT ZaddFlag = 1 << 5 // only update to a greater score (with or without XX)
	ZaddLT ZaddFlag = 1 << 6 // only update to a lower score (with or without XX)
)

// Output flags.
const (
	ZaddAdded   ZaddFlag = 1 << 2 // the member was added
	ZaddUpdated ZaddFlag = 1 << 3 // the member's score changed
	ZaddNop     ZaddFlag = 1 << 4 // nothing was done because of XX, NX, GT or LT
)

// HashFlag holds the flags of HashSet and HashGet, the Go form of
// REDISMODULE_HASH_*. The bits are Redis's.
type HashFlag int

// The hash flags.
const (
	HashNone HashFlag = 0
	// HashNX sets a field only if it does not exist.
	HashNX HashFlag = 1 << 0
	// HashXX sets (or deletes) a field only if it exists.
	HashXX HashFlag = 1 << 1
	// HashCFields says the field names are C strings in C. In Go, HashSet
	// and HashGet take field names as String, string or []byte whatever
	// the flags, so the flag changes nothing; it is accepted for ported
	// code.
	HashCFields HashFlag = 1 << 2
	// HashExists makes HashGet report whether each field exists without
	// copying its value.
	HashExists HashFlag = 1 << 3
	// HashCountAll makes HashSet count inserted fields too, not only the
	// updated and deleted ones.
	HashCountAll HashFlag = 1 << 4
)

// HashDeleteValue is the type of HashDelete.
type HashDeleteValue uint8

// HashDelete, given to HashSet as a field's value, deletes the field
// (REDISMODULE_HASH_DELETE).
const HashDelete HashDeleteValue = 1

// IsHashDelete reports whether v is HashDelete (for implementations of
// Key.HashSet).
func IsHashDelete(v any) bool {
	_, ok := v.(HashDeleteValue)
	return ok
}

// HashValue is the result of HashGet for one field.
type HashValue struct {
	// Value is a copy of the field's value (the zero String if the field
	// does not exist, or with HashExists).
	Value String
	// Exists reports whether the field exists.
	Exists bool
}

// Errors of the key API. The texts are Redis's where Redis has one for the
// same condition, so a handler can return them to the client as they are.
var (
	// ErrWrongType: the key holds a value of another type
	// (REDISMODULE_ERRORMSG_WRONGTYPE; errno ENOTSUP in C).
	ErrWrongType = errors.New("WRONGTYPE Operation against a key holding the wrong kind of value")
	// ErrKeyNotWritable: a write on a key not opened with Write (errno
	// EBADF in C).
	ErrKeyNotWritable = errors.New("ERR the key is not open for writing")
	// ErrKeyNotReadable: ListGet on a key not opened with Read (errno EBADF
	// in C).
	ErrKeyNotReadable = errors.New("ERR the key is not open for reading")
	// ErrKeyClosed: the key was closed, or the handler that opened it
	// returned.
	ErrKeyClosed = errors.New("ERR the key is closed")
	// ErrNoSuchKey: an operation that needs a value on an empty key (ListPop,
	// ListGet... on a missing list; errno ENOTSUP in C).
	ErrNoSuchKey = errors.New("ERR no such key")
	// ErrIndexOutOfRange: a list index outside the list (errno EDOM in C).
	ErrIndexOutOfRange = errors.New("ERR index out of range")
	// ErrNoSuchElement: ZsetScore of a member the sorted set does not have.
	ErrNoSuchElement = errors.New("ERR no such element")
	// ErrScoreNaN: ZsetAdd with a NaN score, or ZsetIncrby whose result
	// would be NaN.
	ErrScoreNaN = errors.New("ERR resulting score is not a number (NaN)")
	// ErrStringTooLong: StringTruncate past 512 MB.
	ErrStringTooLong = errors.New("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
	// ErrInvalidExpire: a negative expire other than NoExpire.
	ErrInvalidExpire = errors.New("ERR invalid expire time")
	// ErrLexRange: a lexicographic range bound not in ZRANGEBYLEX's form.
	ErrLexRange = errors.New("ERR min or max not valid string range item")
	// ErrDBIndex: SelectDb with a database number out of range.
	ErrDBIndex = errors.New("ERR DB index is out of range")
	// ErrInvalidFlags: flags the function does not know (errno EINVAL in C).
	ErrInvalidFlags = errors.New("ERR invalid flags")
)

// KeyAPI is the part of Ctx for keys: open a key (RedisModule_OpenKey) and
// work on its value through the returned Key; select databases; scan.
//
// Like every Ctx method, these run under the server's execution lock and
// may be called only from the goroutine running the handler (or holding a
// thread-safe context's lock).
type KeyAPI interface {
	ScanAPI // scan.go: Scan over the keyspace

	// OpenKey opens a key of the database the calling client has selected,
	// as RedisModule_OpenKey. mode is Read, Write or Read|Write, optionally
	// with OpenKeyNoTouch. A Read open counts a keyspace hit or miss and
	// may fire the "keymiss" event, as a read command does; a Write open
	// does not, as a write command does not. Either removes the key if it
	// has expired.
	//
	// Unlike C, OpenKey never returns nil: a key that does not exist is an
	// empty Key (KeyType KeyTypeEmpty) whatever the mode, and a Write key
	// can create a value in it. The Key is valid until Close or until the
	// handler returns, whichever is first; used after that, every method
	// returns ErrKeyClosed or a zero value.
	//
	// Writes through a Write key happen at once. When the key is closed (by
	// Close, or by the server when the handler returns) a key opened with
	// Write is signalled as modified (WATCH and client-side caching see
	// it, as RedisModule_SignalModifiedKey), unless the module set the
	// NO_IMPLICIT_SIGNAL_MODIFIED option. The key API never fires keyspace
	// events other than "new" and "keymiss", exactly as in Redis: a module
	// that wants them calls NotifyKeyspaceEvent.
	OpenKey(name String, mode int) Key

	// KeyExists reports whether the key exists in the selected database,
	// without recording an access (RedisModule_KeyExists).
	KeyExists(name String) bool

	// SelectDb selects database id for the rest of the handler and, as in
	// Redis, for the calling client after it (RedisModule_SelectDb).
	// Out of range: ErrDBIndex.
	SelectDb(id int) error

	// GetSelectedDb returns the selected database (RedisModule_GetSelectedDb).
	GetSelectedDb() int

	// DbSize returns the number of keys in the selected database
	// (RedisModule_DbSize), as DBSIZE does.
	DbSize() int64

	// RandomKey returns the name of a random key of the selected database
	// (RedisModule_RandomKey); ok is false when it is empty.
	RandomKey() (name String, ok bool)

	// SignalModifiedKey tells the server that the key changed, as
	// RedisModule_SignalModifiedKey: clients WATCHing it will fail their
	// EXEC, client-side caches are invalidated, and the change counts for
	// the save rules. Keys written through OpenKey are signalled when
	// closed; call this after changing a key some other way, or when the
	// module set NO_IMPLICIT_SIGNAL_MODIFIED.
	SignalModifiedKey(name String) error
}

// Key is an open key, the Go form of RedisModuleKey. Methods on a closed
// key, or used after the handler returned, return ErrKeyClosed or the zero
// value; none panics.
type Key interface {
	TypedKey // datatype.go: module type values
	KeyScan  // scan.go: ScanKey over the elements of a hash, set or sorted set

	// Close closes the key (RedisModule_CloseKey). Keys still open when the
	// handler returns are closed by the server. Closing twice does nothing.
	Close()

	// KeyType returns the type of the key's value (RedisModule_KeyType):
	// KeyTypeEmpty for a missing key or a closed Key.
	KeyType() KeyType

	// ValueLength returns the length of a string value, or the number of
	// elements of a list, set, sorted set or hash (RedisModule_ValueLength).
	// 0 for an empty key, a module value or a closed Key.
	ValueLength() int64

	// DeleteKey deletes the key as DEL does (RedisModule_DeleteKey): a
	// module value gets its Unlink and Free callbacks. The Key stays open
	// and empty, ready for new writes. ErrKeyNotWritable unless opened
	// with Write.
	DeleteKey() error

	// UnlinkKey is DeleteKey as UNLINK does it (RedisModule_UnlinkKey): a
	// module value whose FreeEffort is large is freed on a goroutine.
	UnlinkKey() error

	// GetExpire returns the key's remaining time to live in milliseconds,
	// or NoExpire if it has none or is empty (RedisModule_GetExpire).
	GetExpire() int64

	// SetExpire sets the key's time to live in milliseconds from now, or
	// removes it with NoExpire (RedisModule_SetExpire). Errors:
	// ErrKeyNotWritable, ErrNoSuchKey for an empty key, ErrInvalidExpire
	// for a negative ms other than NoExpire.
	SetExpire(ms int64) error

	// GetAbsExpire returns the key's expiry as a Unix time in milliseconds,
	// or NoExpire (RedisModule_GetAbsExpire).
	GetAbsExpire() int64

	// SetAbsExpire sets the key's expiry as a Unix time in milliseconds, or
	// removes it with NoExpire (RedisModule_SetAbsExpire). Errors as
	// SetExpire.
	SetAbsExpire(unixMs int64) error

	// StringSet replaces the value, of whatever type, with a copy of s and
	// removes any TTL, as SET does (RedisModule_StringSet).
	StringSet(s String) error

	// StringDMA returns the bytes of a string value for direct access
	// (RedisModule_StringDMA). mode is Read, Write or both.
	//
	// With Write (which needs a key opened with Write) the module may change
	// the bytes in place; the change is the value's. Without it the bytes
	// must only be read. The slice's capacity is its length, so append
	// copies instead of writing past the value. The slice is valid until
	// the next operation on this key or any other write to it (StringSet,
	// StringTruncate, Call, ...) and never after the handler returns: call
	// StringDMA again after StringTruncate, as in C. An empty key gives an
	// empty slice; a value of another type ErrWrongType.
	StringDMA(mode int) ([]byte, error)

	// StringTruncate resizes a string value to n bytes, padding with zero
	// bytes, or creates a string of n zero bytes in an empty key (nothing
	// for n == 0) (RedisModule_StringTruncate). Errors: ErrKeyNotWritable,
	// ErrWrongType, ErrStringTooLong past 512 MB.
	StringTruncate(n int64) error

	// ListPush pushes a copy of ele at the head or tail of a list, creating
	// the list in an empty key (RedisModule_ListPush). Clients blocked on
	// the key (BLPOP...) are served after the handler. Errors:
	// ErrWrongType, ErrKeyNotWritable.
	ListPush(where ListWhere, ele String) error

	// ListPop removes and returns the head or tail element of a list
	// (RedisModule_ListPop); a list left empty is deleted. Errors:
	// ErrNoSuchKey, ErrWrongType, ErrKeyNotWritable.
	ListPop(where ListWhere) (String, error)

	// ListGet returns a copy of element index of a list, negative indexes
	// counting from the tail as LINDEX (RedisModule_ListGet). Errors:
	// ErrNoSuchKey, ErrWrongType, ErrKeyNotReadable (the key needs Read,
	// as in Redis), ErrIndexOutOfRange.
	ListGet(index int64) (String, error)

	// ListSet replaces element index (negative from the tail)
	// (RedisModule_ListSet). Errors as ListGet, with ErrKeyNotWritable.
	ListSet(index int64, value String) error

	// ListInsert inserts value so that it becomes element index
	// (RedisModule_ListInsert): 0 inserts at the head; ValueLength or -1
	// appends at the tail; -2 inserts before the last element, so that the
	// new one is the second to last. In an empty key, index 0 or -1 creates
	// the list. Errors: ErrNoSuchKey, ErrWrongType, ErrKeyNotWritable,
	// ErrIndexOutOfRange.
	ListInsert(index int64, value String) error

	// ListDelete removes element index (negative from the tail)
	// (RedisModule_ListDelete); a list left empty is deleted. Errors as
	// ListSet.
	ListDelete(index int64) error

	// HashSet sets or deletes hash fields, as RedisModule_HashSet. The
	// arguments after flags are pairs of a field name and a value. A field
	// name is a String, a string or a []byte; a value is one of those, or
	// HashDelete to delete the field. flags combines HashNX, HashXX,
	// HashCountAll (and HashCFields, accepted and ignored). An empty key
	// becomes a hash; a hash left empty is deleted.
	//
	// It returns the number of fields updated or deleted (and, with
	// HashCountAll, inserted), as Redis 6.2 and later. Errors: ErrWrongType,
	// ErrKeyNotWritable, ErrInvalidFlags, and an error naming an argument
	// of a wrong Go type or a missing value (nothing is changed then).
	HashSet(flags HashFlag, fieldsAndValues ...any) (int, error)

	// HashGet reads hash fields, as RedisModule_HashGet: one HashValue per
	// field, in order. With HashExists only Exists is filled. Field names
	// are String, string or []byte. An empty key gives fields that do not
	// exist. Errors: ErrWrongType, and an error naming a field of a wrong
	// Go type.
	HashGet(flags HashFlag, fields ...any) ([]HashValue, error)

	// ZsetAdd adds ele with score, or updates its score, as
	// RedisModule_ZsetAdd. flags are the input flags (ZaddXX, ZaddNX,
	// ZaddGT, ZaddLT; 0 for none); out has ZaddAdded, ZaddUpdated or
	// ZaddNop (0 when the score was already that). An empty key becomes a
	// sorted set; clients blocked on it (BZPOPMIN...) are served after the
	// handler. Errors: ErrWrongType, ErrKeyNotWritable, ErrScoreNaN.
	ZsetAdd(score float64, ele String, flags ZaddFlag) (out ZaddFlag, err error)

	// ZsetIncrby adds incr to ele's score (a missing member starts at 0),
	// as RedisModule_ZsetIncrby, and returns the new score. Flags and
	// errors as ZsetAdd; ErrScoreNaN also when the sum is NaN.
	ZsetIncrby(incr float64, ele String, flags ZaddFlag) (newScore float64, out ZaddFlag, err error)

	// ZsetScore returns ele's score (RedisModule_ZsetScore). Errors:
	// ErrNoSuchKey, ErrWrongType, ErrNoSuchElement.
	ZsetScore(ele String) (float64, error)

	// ZsetRem removes ele (RedisModule_ZsetRem) and reports whether it was
	// there; a sorted set left empty is deleted. An empty key removes
	// nothing. Errors: ErrWrongType, ErrKeyNotWritable.
	ZsetRem(ele String) (deleted bool, err error)

	// ZsetFirstInScoreRange starts a range iteration at the first member
	// whose score is within min..max (minex, maxex make the ends
	// exclusive; math.Inf for open ends), as
	// RedisModule_ZsetFirstInScoreRange. Then ZsetRangeCurrentElement,
	// ZsetRangeNext, ZsetRangePrev, ZsetRangeEndReached and ZsetRangeStop.
	// A range with no member is not an error: EndReached is true at once.
	// Errors: ErrNoSuchKey, ErrWrongType. (See also ZsetScoreRange, a Go
	// iterator over the same.)
	ZsetFirstInScoreRange(min, max float64, minex, maxex bool) error

	// ZsetLastInScoreRange is ZsetFirstInScoreRange starting at the last
	// member of the range (RedisModule_ZsetLastInScoreRange).
	ZsetLastInScoreRange(min, max float64, minex, maxex bool) error

	// ZsetFirstInLexRange starts a range iteration at the first member
	// within a lexicographic range given as ZRANGEBYLEX takes it ("[a",
	// "(b", "-", "+") (RedisModule_ZsetFirstInLexRange). Errors:
	// ErrNoSuchKey, ErrWrongType, ErrLexRange.
	ZsetFirstInLexRange(min, max String) error

	// ZsetLastInLexRange is ZsetFirstInLexRange starting at the last member
	// of the range (RedisModule_ZsetLastInLexRange).
	ZsetLastInLexRange(min, max String) error

	// ZsetRangeCurrentElement returns a copy of the member the iteration is
	// at and its score (RedisModule_ZsetRangeCurrentElement); ok is false
	// when there is none (no active iteration, or the range is empty).
	ZsetRangeCurrentElement() (ele String, score float64, ok bool)

	// ZsetRangeNext moves to the next member of the range and reports
	// whether there was one (RedisModule_ZsetRangeNext); at the end of the
	// range it returns false and EndReached becomes true.
	ZsetRangeNext() bool

	// ZsetRangePrev moves to the previous member of the range
	// (RedisModule_ZsetRangePrev), as ZsetRangeNext.
	ZsetRangePrev() bool

	// ZsetRangeEndReached reports whether the iteration has left the range
	// (RedisModule_ZsetRangeEndReached); true when none is active.
	ZsetRangeEndReached() bool

	// ZsetRangeStop ends the iteration (RedisModule_ZsetRangeStop).
	// Starting a new one, or closing the key, stops the old one.
	ZsetRangeStop()

	// GetKeyNameFromModuleKey returns the key's name
	// (RedisModule_GetKeyNameFromModuleKey).
	GetKeyNameFromModuleKey() String

	// GetDbIdFromModuleKey returns the database the key was opened in
	// (RedisModule_GetDbIdFromModuleKey).
	GetDbIdFromModuleKey() int
}

// ZsetScoreRange returns a Go iterator over the members of the sorted set
// in k whose score is within min..max (minex, maxex: exclusive ends), from
// the lowest score, or from the highest with reverse. It drives k's range
// iteration (ZsetFirstInScoreRange ... ZsetRangeStop), so do not start
// another one on k inside the loop. Errors (checked at once): those of
// ZsetFirstInScoreRange.
//
//	seq, err := sdk.ZsetScoreRange(k, 0, math.Inf(1), false, false, false)
//	if err != nil { return err }
//	for member, score := range seq { ... }
func ZsetScoreRange(k Key, min, max float64, minex, maxex, reverse bool) (iter.Seq2[String, float64], error) {
	start := func() error {
		if reverse {
			return k.ZsetLastInScoreRange(min, max, minex, maxex)
		}
		return k.ZsetFirstInScoreRange(min, max, minex, maxex)
	}
	return zsetRangeSeq(k, start, reverse)
}

// ZsetLexRange is ZsetScoreRange for a lexicographic range in ZRANGEBYLEX's
// form ("[a", "(b", "-", "+"). Errors: those of ZsetFirstInLexRange.
func ZsetLexRange(k Key, min, max String, reverse bool) (iter.Seq2[String, float64], error) {
	min, max = min.Retain(), max.Retain() // the iterator may outlive argv
	start := func() error {
		if reverse {
			return k.ZsetLastInLexRange(min, max)
		}
		return k.ZsetFirstInLexRange(min, max)
	}
	return zsetRangeSeq(k, start, reverse)
}

func zsetRangeSeq(k Key, start func() error, reverse bool) (iter.Seq2[String, float64], error) {
	if k == nil {
		return nil, ErrKeyClosed
	}
	if err := start(); err != nil {
		return nil, err
	}
	k.ZsetRangeStop()
	return func(yield func(String, float64) bool) {
		if start() != nil {
			return
		}
		defer k.ZsetRangeStop()
		for !k.ZsetRangeEndReached() {
			ele, score, ok := k.ZsetRangeCurrentElement()
			if !ok || !yield(ele, score) {
				return
			}
			if reverse {
				k.ZsetRangePrev()
			} else {
				k.ZsetRangeNext()
			}
		}
	}, nil
}
