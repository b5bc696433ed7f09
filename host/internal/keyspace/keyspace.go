// Package keyspace holds the databases: keys to typed entries, with expiry.
//
// Every method expects the server's execution lock to be held. Expiry is
// lazy (a lookup of an expired key deletes it) and active (ActiveExpire
// samples keys that have a TTL, as Redis's expire cycle does). Times are Unix
// milliseconds, read once per command batch by the caller.
package keyspace

import (
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

// Entry is one key's value. Strings live in Str; other kinds in Obj.
type Entry struct {
	Kind   Kind
	Str    []byte
	Obj    any
	Expire int64 // Unix ms; 0 means no expiry
}

// Hash returns the entry's hash (nil if it is not one).
func (e *Entry) Hash() *types.Hash {
	h, _ := e.Obj.(*types.Hash)
	return h
}

// Stats counts what the keyspace did, for INFO.
type Stats struct {
	Hits, Misses, Expired int64
}

// DB is one numbered database.
type DB struct {
	ID      int
	keys    map[string]*Entry
	expires map[string]*Entry // the keys that have an expiry
	stats   *Stats
}

// New returns n empty databases sharing stats.
func New(n int, stats *Stats) []*DB {
	dbs := make([]*DB, n)
	for i := range dbs {
		dbs[i] = &DB{ID: i, keys: map[string]*Entry{}, expires: map[string]*Entry{}, stats: stats}
	}
	return dbs
}

// Len returns the number of keys, expired ones not yet removed included.
func (db *DB) Len() int { return len(db.keys) }

// ExpiresLen returns the number of keys with an expiry.
func (db *DB) ExpiresLen() int { return len(db.expires) }

// Peek returns the live entry for key without touching hit/miss stats.
func (db *DB) Peek(key []byte, now int64) *Entry {
	e := db.keys[string(key)]
	if e == nil {
		return nil
	}
	if e.Expire != 0 && e.Expire <= now {
		db.remove(string(key))
		db.stats.Expired++
		return nil
	}
	return e
}

// Lookup returns the live entry for key (nil if missing or expired) and
// counts a keyspace hit or miss.
func (db *DB) Lookup(key []byte, now int64) *Entry {
	e := db.Peek(key, now)
	if e == nil {
		db.stats.Misses++
	} else {
		db.stats.Hits++
	}
	return e
}

// Set stores e under key, replacing any entry. e's Expire is honoured.
func (db *DB) Set(key []byte, e *Entry) {
	k := string(key)
	db.keys[k] = e
	if e.Expire != 0 {
		db.expires[k] = e
	} else {
		delete(db.expires, k)
	}
}

// SetExpire sets (at > 0) or clears (at == 0) the expiry of a present key.
func (db *DB) SetExpire(key []byte, e *Entry, at int64) {
	e.Expire = at
	if at != 0 {
		db.expires[string(key)] = e
	} else {
		delete(db.expires, string(key))
	}
}

// Delete removes key and reports whether a live key was removed.
func (db *DB) Delete(key []byte, now int64) bool {
	if db.Peek(key, now) == nil {
		return false
	}
	db.remove(string(key))
	return true
}

func (db *DB) remove(k string) {
	delete(db.keys, k)
	delete(db.expires, k)
}

// Flush removes every key.
func (db *DB) Flush() {
	db.keys = map[string]*Entry{}
	db.expires = map[string]*Entry{}
}

// Keys returns the live keys matching a glob pattern.
func (db *DB) Keys(pattern string, now int64) []string {
	var out []string
	all := pattern == "*"
	for k, e := range db.keys {
		if e.Expire != 0 && e.Expire <= now {
			continue
		}
		if all || glob.Match(pattern, k, false) {
			out = append(out, k)
		}
	}
	return out
}

// ActiveExpire runs one pass of Redis's expire cycle: sample up to 20 keys
// that have an expiry, delete the expired ones, and repeat while more than a
// quarter of a sample had expired, within maxRounds. It returns how many keys
// it deleted.
func (db *DB) ActiveExpire(now int64, maxRounds int) int {
	const sample = 20
	deleted := 0
	for round := 0; round < maxRounds && len(db.expires) > 0; round++ {
		n, expired := 0, 0
		for k, e := range db.expires { // Go's map iteration starts at a random place
			if n == sample {
				break
			}
			n++
			if e.Expire == 0 { // persisted behind SetExpire's back: not a TTL key
				delete(db.expires, k)
				continue
			}
			if e.Expire <= now {
				db.remove(k)
				expired++
			}
		}
		deleted += expired
		if expired*4 <= n {
			break
		}
	}
	db.stats.Expired += int64(deleted)
	return deleted
}
