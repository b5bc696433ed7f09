// Package keyspace holds the databases: keys to typed entries, with expiry.
//
// Every method expects the server's execution lock to be held. Expiry is
// lazy (a lookup of an expired key deletes it) and active (ActiveExpire
// samples keys that have a TTL, as Redis's expire cycle does). Times are Unix
// milliseconds, read once per command batch by the caller.
//
// Besides the map from names to entries, a database keeps its entries in a
// dense slice (and the entries with an expiry in a second one), each entry
// remembering its position. Deletion swaps the last element into the hole.
// That gives O(1) random keys (RANDOMKEY, eviction and expiry sampling) and a
// SCAN cursor that walks the slice from the top down: an entry only ever
// moves from the end to a lower position, so a key present for a whole scan
// is never missed.
package keyspace

import (
	"math/rand/v2"

	"modis/host/internal/glob"
	"modis/host/internal/types"
)

// Kind is the type of a value, as TYPE reports it.
type Kind uint8

// The value kinds.
const (
	KindString Kind = iota + 1
	KindHash
	KindList
	KindSet
	KindZSet
	KindModule
)

var kindNames = [...]string{"none", "string", "hash", "list", "set", "zset", "module"}

// String is the name TYPE replies with.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "none"
}

// String encodings an Entry can be forced to. Redis picks a string's
// encoding when the value is stored (tryObjectEncoding: "int" for a canonical
// 64-bit integer, "embstr" up to 44 bytes, "raw" beyond) except where a
// command builds the object another way; StrEnc records those exceptions.
// Any command that stores a new string value resets StrEnc to StrEncAuto.
const (
	StrEncAuto   uint8 = iota // chosen from the contents, as tryObjectEncoding does
	StrEncRaw                 // modified in place (APPEND, SETRANGE): "raw"
	StrEncNoInt               // built by createStringObject (INCRBYFLOAT): "embstr" up to 44 bytes, else "raw"
	StrEncIntDup              // a COPY of an integer: "int", but not a shared object
)

// Entry is one key's value. Strings live in Str; other kinds in Obj.
type Entry struct {
	Kind   Kind
	StrEnc uint8 // see the StrEnc constants; strings only
	// lru is Redis's robj.lru: the LRU clock (seconds, 24 bits) of the last
	// access, or under an LFU policy the time of the last decrement in
	// minutes (16 bits) and a logarithmic access counter (8 bits).
	lru    uint32
	Str    []byte
	Obj    any
	Expire int64 // Unix ms; 0 means no expiry

	key  string // the name, shared with the map's key
	idx  uint32 // position in DB.slots
	eidx uint32 // position in DB.exps plus one; 0 when not there
	// snap is the generation of the last snapshot that accounted for the
	// entry: visited it, copied its old value aside, or saw it born after
	// its start. An entry whose snap is not the running snapshot's
	// generation still has to be saved (see snapshot.go).
	snap uint32
}

// Hash returns the entry's hash (nil if it is not one).
func (e *Entry) Hash() *types.Hash {
	h, _ := e.Obj.(*types.Hash)
	return h
}

// Key returns the name the entry is stored under (valid while it is stored).
func (e *Entry) Key() string { return e.key }

// Stats counts what the keyspace did, for INFO.
type Stats struct {
	Hits, Misses, Expired int64
}

// shared is the state all databases of one New share.
type shared struct {
	now  int64     // the latest clock a call passed in (Unix ms)
	lfu  bool      // an LFU maxmemory policy: access counters instead of times
	snap *Snapshot // the running background save, or nil
	gen  uint32    // the generation of the latest snapshot
	// unlinking counts the OnUnlink callbacks running: lazy expiry is off
	// meanwhile, as Redis's lazy_expire_disabled during moduleNotifyKeyUnlink.
	unlinking int
}

// Unlink says why an entry leaves its database (OnUnlink), Redis 7.2's
// DB_FLAG_KEY_* of moduleNotifyKeyUnlink.
type Unlink uint8

// The reasons, in the order of Redis's REDISMODULE_SUBEVENT_KEY_*.
const (
	UnlinkDeleted     Unlink = iota // Delete, or Move's source
	UnlinkExpired                   // lazy or active expiry
	UnlinkEvicted                   // Evict
	UnlinkOverwritten               // Set replacing an entry with another
)

// DB is one numbered database.
type DB struct {
	ID int
	// OnExpire, when set, runs after an expired key was removed, lazily or
	// by ActiveExpire. It must not change db.
	OnExpire func(db *DB, key string)
	// OnMiss, when set, runs when a read lookup finds no key (Redis's
	// "keymiss" keyspace event). It must not change db.
	OnMiss func(db *DB, key []byte)
	// OnNew, when set, runs when Set adds a key that was not there (Redis's
	// dbAdd, which fires the "new" keyspace event). It must not change db.
	OnNew func(db *DB, key string)
	// OnUnlink, when set, runs BEFORE an entry leaves the database, while it
	// is still stored and readable (Redis 7.2's moduleNotifyKeyUnlink): why
	// says how. Lazy expiry is off while it runs (Unlinking). It should not
	// change db; if it does, the removal it announced is skipped when the
	// entry is no longer stored. Nil (the default) costs one compare.
	OnUnlink func(db *DB, e *Entry, why Unlink)

	keys  map[string]*Entry
	slots []*Entry // every entry, dense; Entry.idx is its position
	exps  []*Entry // the entries with an expiry, dense; Entry.eidx-1
	stats *Stats
	sh    *shared
}

// New returns n empty databases sharing stats.
func New(n int, stats *Stats) []*DB {
	sh := &shared{}
	dbs := make([]*DB, n)
	for i := range dbs {
		dbs[i] = &DB{ID: i, keys: map[string]*Entry{}, stats: stats, sh: sh}
	}
	return dbs
}

// SetOnExpire sets OnExpire on every database.
func SetOnExpire(dbs []*DB, fn func(db *DB, key string)) {
	for _, db := range dbs {
		db.OnExpire = fn
	}
}

// miss counts a read lookup that found nothing and runs OnMiss.
func (db *DB) miss(key []byte) {
	db.stats.Misses++
	if db.OnMiss != nil {
		db.OnMiss(db, key)
	}
}

// SetOnMiss sets OnMiss on every database.
func SetOnMiss(dbs []*DB, fn func(db *DB, key []byte)) {
	for _, db := range dbs {
		db.OnMiss = fn
	}
}

// SetOnNew sets OnNew on every database.
func SetOnNew(dbs []*DB, fn func(db *DB, key string)) {
	for _, db := range dbs {
		db.OnNew = fn
	}
}

// SetOnUnlink sets OnUnlink on every database (nil turns it off).
func SetOnUnlink(dbs []*DB, fn func(db *DB, e *Entry, why Unlink)) {
	for _, db := range dbs {
		db.OnUnlink = fn
	}
}

// Unlinking reports whether an OnUnlink callback is running (of any
// database made by the same New): lazy expiry is off, so an expired entry
// reads as live.
func (db *DB) Unlinking() bool { return db.sh.unlinking > 0 }

// unlinking runs OnUnlink for e, stored in db, and reports whether e is
// still stored after it.
func (db *DB) unlinking(e *Entry, why Unlink) bool {
	db.sh.unlinking++
	db.OnUnlink(db, e, why)
	db.sh.unlinking--
	return db.owns(e) && db.keys[e.key] == e
}

// SetPolicyLFU switches the access bookkeeping of the databases that New
// made together with dbs between LRU (off, the default) and LFU (on), as a
// change of maxmemory-policy does in Redis. Like Redis, entries keep what
// they had: the values adjust as keys are accessed.
func SetPolicyLFU(dbs []*DB, on bool) {
	for _, db := range dbs {
		db.sh.lfu = on
	}
}

// Len returns the number of keys, expired ones not yet removed included.
func (db *DB) Len() int { return len(db.slots) }

// ExpiresLen returns the number of keys with an expiry.
func (db *DB) ExpiresLen() int { return len(db.exps) }

// live returns key's entry, removing it (and counting it) if it expired.
func (db *DB) live(key []byte, now int64) *Entry {
	e := db.keys[string(key)]
	if e == nil {
		return nil
	}
	if e.Expire != 0 && e.Expire <= now && db.sh.unlinking == 0 {
		db.expire(e)
		return nil
	}
	return e
}

// expire removes an expired entry, counts it and runs OnExpire (OnUnlink
// first).
func (db *DB) expire(e *Entry) {
	if db.OnUnlink != nil && !db.unlinking(e, UnlinkExpired) {
		return
	}
	db.remove(e)
	db.stats.Expired++
	if db.OnExpire != nil {
		db.OnExpire(db, e.key)
	}
}

// Peek returns the live entry for key for a write: no hit/miss stats, but
// the access is recorded (LRU/LFU), as Redis's lookupKeyWrite does.
func (db *DB) Peek(key []byte, now int64) *Entry {
	e := db.peek(key, now)
	if e != nil && db.sh.snap != nil {
		db.sh.snap.preserve(db, e)
	}
	return e
}

// peek is Peek without the snapshot's copy-on-write, for reads.
func (db *DB) peek(key []byte, now int64) *Entry {
	db.sh.now = now
	e := db.live(key, now)
	if e != nil {
		db.touch(e, now)
	}
	return e
}

// PeekNoTouch returns the live entry for key without stats and without
// recording an access (OBJECT, DEBUG-like inspection, internal checks).
func (db *DB) PeekNoTouch(key []byte, now int64) *Entry {
	db.sh.now = now
	e := db.live(key, now)
	if e != nil && db.sh.snap != nil {
		db.sh.snap.preserve(db, e)
	}
	return e
}

// Lookup returns the live entry for key (nil if missing or expired), counts
// a keyspace hit or miss and records the access (LRU/LFU).
func (db *DB) Lookup(key []byte, now int64) *Entry {
	e := db.peek(key, now)
	if e == nil {
		db.miss(key)
	} else {
		db.stats.Hits++
	}
	return e
}

// LookupNoTouch is Lookup without recording the access, as Redis's
// LOOKUP_NOTOUCH reads (EXISTS, TYPE, TTL) do.
func (db *DB) LookupNoTouch(key []byte, now int64) *Entry {
	db.sh.now = now
	e := db.live(key, now)
	if e == nil {
		db.miss(key)
	} else {
		db.stats.Hits++
	}
	return e
}

// Set stores e under key, replacing any entry. e's Expire is honoured. e
// must not be stored under another key or in another database.
func (db *DB) Set(key []byte, e *Entry) {
	old := db.keys[string(key)]
	if old != nil && old != e && db.OnUnlink != nil {
		db.unlinking(old, UnlinkOverwritten)
		old = db.keys[string(key)] // unchanged, unless the callback broke the rule
	}
	if sn := db.sh.snap; sn != nil {
		if old != nil && old != e {
			sn.preserve(db, old)
		}
		if old != e {
			e.snap = sn.gen // a new value: not part of the snapshot
		}
	}
	switch {
	case old == e:
		db.trackExpire(e)
		return
	case old != nil:
		e.key, e.idx = old.key, old.idx
		db.slots[e.idx] = e
		db.keys[e.key] = e
		e.eidx = 0
		if old.eidx != 0 {
			if e.Expire != 0 { // take the old entry's place
				e.eidx = old.eidx
				db.exps[e.eidx-1] = e
			} else {
				db.removeExpire(old)
			}
		}
		old.eidx = 0
	default:
		e.key = string(key)
		e.idx = uint32(len(db.slots))
		e.eidx = 0
		db.slots = append(db.slots, e)
		db.keys[e.key] = e
		if db.OnNew != nil {
			db.OnNew(db, e.key)
		}
	}
	db.trackExpire(e)
	db.stamp(e)
}

// Overwriting announces that the stored entry e is about to get a new
// value in place, which for Redis is a new object replacing the old one
// (setKey): OnUnlink sees UnlinkOverwritten. It reports whether e is still
// stored (always, unless the callback broke its rule); with no OnUnlink it
// is one compare.
func (db *DB) Overwriting(e *Entry) bool {
	return db.OnUnlink == nil || db.unlinking(e, UnlinkOverwritten)
}

// SetExpire sets (at > 0) or clears (at == 0) the expiry of a present key.
func (db *DB) SetExpire(key []byte, e *Entry, at int64) {
	if db.sh.snap != nil && db.owns(e) {
		db.sh.snap.preserve(db, e)
	}
	e.Expire = at
	db.trackExpire(e)
}

// trackExpire puts e in the expires index or takes it out, as its Expire
// says. An entry that is no longer stored here (replaced or deleted since
// the caller looked it up) is left alone.
func (db *DB) trackExpire(e *Entry) {
	switch {
	case e.Expire != 0 && e.eidx == 0 && db.owns(e):
		db.exps = append(db.exps, e)
		e.eidx = uint32(len(db.exps))
	case e.Expire == 0 && e.eidx != 0:
		db.removeExpire(e)
	}
}

// owns reports whether e is stored in db.
func (db *DB) owns(e *Entry) bool {
	return int(e.idx) < len(db.slots) && db.slots[e.idx] == e
}

// Delete removes key and reports whether a live key was removed.
func (db *DB) Delete(key []byte, now int64) bool {
	return db.deleteAs(key, now, UnlinkDeleted)
}

// Evict is Delete for eviction: OnUnlink sees UnlinkEvicted.
func (db *DB) Evict(key []byte, now int64) bool {
	return db.deleteAs(key, now, UnlinkEvicted)
}

func (db *DB) deleteAs(key []byte, now int64, why Unlink) bool {
	e := db.PeekNoTouch(key, now)
	if e == nil {
		return false
	}
	if db.OnUnlink != nil && !db.unlinking(e, why) {
		return true // gone already
	}
	db.remove(e)
	return true
}

// remove takes e out of the map and both dense slices.
func (db *DB) remove(e *Entry) {
	if db.sh.snap != nil {
		db.sh.snap.preserve(db, e)
	}
	delete(db.keys, e.key)
	last := len(db.slots) - 1
	if i := int(e.idx); i != last {
		m := db.slots[last]
		db.slots[i] = m
		m.idx = uint32(i)
	}
	db.slots[last] = nil
	db.slots = db.slots[:last]
	if e.eidx != 0 {
		db.removeExpire(e)
	}
}

func (db *DB) removeExpire(e *Entry) {
	last := len(db.exps) - 1
	if i := int(e.eidx) - 1; i != last {
		m := db.exps[last]
		db.exps[i] = m
		m.eidx = uint32(i + 1)
	}
	db.exps[last] = nil
	db.exps = db.exps[:last]
	e.eidx = 0
}

// Flush removes every key.
func (db *DB) Flush() {
	if sn := db.sh.snap; sn != nil {
		for _, e := range db.slots {
			sn.preserve(db, e)
		}
	}
	db.keys = map[string]*Entry{}
	db.slots = nil
	db.exps = nil
}

// Swap exchanges the contents of two databases, as SWAPDB does: IDs,
// callbacks and stats stay with the DB values.
func (db *DB) Swap(other *DB) {
	if sn := db.sh.snap; sn != nil {
		for _, e := range db.slots {
			sn.preserve(db, e)
		}
		for _, e := range other.slots {
			sn.preserve(other, e)
		}
	}
	db.keys, other.keys = other.keys, db.keys
	db.slots, other.slots = other.slots, db.slots
	db.exps, other.exps = other.exps, db.exps
}

// Move moves key's live entry, with its expiry, to dst (MOVE). It reports
// false, changing nothing, when key is missing here or present in dst.
func (db *DB) Move(key []byte, dst *DB, now int64) bool {
	e := db.Peek(key, now)
	if e == nil || db == dst || dst.Peek(key, now) != nil {
		return false
	}
	if db.OnUnlink != nil && !db.unlinking(e, UnlinkDeleted) {
		return false
	}
	db.remove(e)
	dst.Set(key, e)
	return true
}

// Keys returns the live keys matching a glob pattern.
func (db *DB) Keys(pattern string, now int64) []string {
	var out []string
	all := pattern == "*"
	for _, e := range db.slots {
		if e.Expire != 0 && e.Expire <= now {
			continue
		}
		if all || glob.Match(pattern, e.key, false) {
			out = append(out, e.key)
		}
	}
	return out
}

// Scan visits up to count positions of the key slice from the cursor down
// and calls fn with each entry found there, expired or not; fn must not
// change db (collect, then act). The cursor 0 starts a scan; the returned
// cursor is 0 when the scan is complete. A cursor is one more than the next
// position to visit, so any uint64 is valid: one past the end starts at the
// top. A key present for the whole scan is returned at least once, however
// keys are added and removed between calls.
func (db *DB) Scan(cursor uint64, count int, fn func(e *Entry)) uint64 {
	n := uint64(len(db.slots))
	var pos uint64 // one more than the next position, as the cursor
	if cursor == 0 || cursor > n {
		pos = n
	} else {
		pos = cursor
	}
	for ; pos > 0 && count > 0; count-- {
		pos--
		fn(db.slots[pos])
	}
	return pos
}

// RandomKey returns a random live key, removing the expired keys it draws
// (as Redis's dbRandomKey does), or false if the database is empty.
func (db *DB) RandomKey(now int64) (string, bool) {
	db.sh.now = now
	for len(db.slots) > 0 {
		e := db.slots[rand.IntN(len(db.slots))]
		if e.Expire != 0 && e.Expire <= now && db.sh.unlinking == 0 {
			db.expire(e)
			continue
		}
		return e.key, true
	}
	return "", false
}

// SampleKeys appends up to n entries drawn at random (with replacement,
// expired or not) to dst and returns it, for eviction.
func (db *DB) SampleKeys(n int, dst []*Entry) []*Entry {
	return sample(db.slots, n, dst)
}

// SampleExpires is SampleKeys over the keys that have an expiry.
func (db *DB) SampleExpires(n int, dst []*Entry) []*Entry {
	return sample(db.exps, n, dst)
}

func sample(from []*Entry, n int, dst []*Entry) []*Entry {
	if len(from) == 0 {
		return dst
	}
	for ; n > 0; n-- {
		dst = append(dst, from[rand.IntN(len(from))])
	}
	return dst
}

// ActiveExpire runs one pass of Redis's expire cycle: sample up to 20 keys
// that have an expiry, delete the expired ones, and repeat while more than a
// quarter of a sample had expired, within maxRounds. It returns how many keys
// it deleted.
func (db *DB) ActiveExpire(now int64, maxRounds int) int {
	const sample = 20
	db.sh.now = now
	deleted := 0
	for round := 0; round < maxRounds && len(db.exps) > 0; round++ {
		n := min(sample, len(db.exps))
		expired := 0
		for range n {
			if len(db.exps) == 0 {
				break
			}
			e := db.exps[rand.IntN(len(db.exps))]
			if e.Expire == 0 { // persisted behind SetExpire's back: not a TTL key
				db.removeExpire(e)
				continue
			}
			if e.Expire <= now {
				db.expire(e)
				expired++
			}
		}
		deleted += expired
		if expired*4 <= n {
			break
		}
	}
	return deleted
}
