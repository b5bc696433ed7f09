package keyspace

import (
	"fmt"
	"slices"
	"testing"

	"modis/host/internal/types"
)

const now int64 = 1_700_000_000_000

// newDB returns database 0 of a fresh keyspace and its stats.
func newDB(t *testing.T) (*DB, *Stats) {
	t.Helper()
	stats := &Stats{}
	dbs := New(2, stats)
	if len(dbs) != 2 || dbs[0].ID != 0 || dbs[1].ID != 1 {
		t.Fatalf("New(2): %d databases", len(dbs))
	}
	t.Cleanup(func() { checkInvariants(t, dbs[0]) })
	return dbs[0], stats
}

// checkInvariants checks that the map and both dense slices agree: every
// entry sits at its recorded positions, and exactly the entries with an
// expiry are in the expires slice.
func checkInvariants(t *testing.T, db *DB) {
	t.Helper()
	if len(db.keys) != len(db.slots) {
		t.Errorf("map holds %d keys, slots %d", len(db.keys), len(db.slots))
	}
	withTTL := 0
	for i, e := range db.slots {
		if int(e.idx) != i {
			t.Errorf("slot %d holds %q whose idx is %d", i, e.key, e.idx)
		}
		if db.keys[e.key] != e {
			t.Errorf("slot %d holds %q, which the map does not (or holds another entry)", i, e.key)
		}
		if (e.eidx != 0) != (e.Expire != 0) {
			t.Errorf("key %q: expire %d, eidx %d", e.key, e.Expire, e.eidx)
		}
		if e.Expire != 0 {
			withTTL++
		}
	}
	if withTTL != len(db.exps) {
		t.Errorf("%d keys have an expiry, expires holds %d", withTTL, len(db.exps))
	}
	for i, e := range db.exps {
		if int(e.eidx) != i+1 {
			t.Errorf("expires %d holds %q whose eidx is %d", i, e.key, e.eidx)
		}
		if db.keys[e.key] != e {
			t.Errorf("expires holds %q, which the map does not (or holds another entry)", e.key)
		}
	}
}

func str(v string, expire int64) *Entry {
	return &Entry{Kind: KindString, Str: []byte(v), Expire: expire}
}

func TestKindString(t *testing.T) {
	tests := []struct {
		k    Kind
		want string
	}{
		{0, "none"}, {KindString, "string"}, {KindHash, "hash"}, {KindList, "list"},
		{KindSet, "set"}, {KindZSet, "zset"}, {KindModule, "module"}, {Kind(200), "none"},
	}
	for _, tt := range tests {
		if got := tt.k.String(); got != tt.want {
			t.Errorf("Kind(%d).String() = %q, want %q", tt.k, got, tt.want)
		}
	}
}

func TestEntryHash(t *testing.T) {
	h := types.NewHash()
	if got := (&Entry{Kind: KindHash, Obj: h}).Hash(); got != h {
		t.Errorf("Hash of a hash entry = %p, want %p", got, h)
	}
	if got := str("v", 0).Hash(); got != nil {
		t.Errorf("Hash of a string entry = %v", got)
	}
}

// Lookup and Peek expire lazily; Lookup counts hits and misses, and both
// count expired keys.
func TestLookupPeekExpiry(t *testing.T) {
	type op struct {
		do   string // "lookup" or "peek"
		key  string
		at   int64
		want string // the value found, or "" for none
	}
	tests := []struct {
		name  string
		ops   []op
		stats Stats
		left  int // keys left in the database
	}{
		{"hit", []op{{"lookup", "plain", now, "p"}}, Stats{Hits: 1}, 3},
		{"miss", []op{{"lookup", "nosuch", now, ""}}, Stats{Misses: 1}, 3},
		{"not yet expired", []op{{"lookup", "ttl", now + 999, "t"}}, Stats{Hits: 1}, 3},
		{"expires at its time exactly", []op{{"lookup", "ttl", now + 1000, ""}}, Stats{Misses: 1, Expired: 1}, 2},
		{"expired once, then missing", []op{
			{"lookup", "ttl", now + 5000, ""},
			{"lookup", "ttl", now + 5000, ""},
		}, Stats{Misses: 2, Expired: 1}, 2},
		{"peek counts no hit or miss", []op{
			{"peek", "plain", now, "p"},
			{"peek", "nosuch", now, ""},
			{"peek", "ttl", now, "t"},
		}, Stats{}, 3},
		{"peek expires", []op{{"peek", "past", now, ""}}, Stats{Expired: 1}, 2},
		{"no expiry never expires", []op{
			{"lookup", "plain", 1 << 62, "p"},
			{"peek", "ttl", 1 << 62, ""},
			{"peek", "past", 1 << 62, ""},
		}, Stats{Hits: 1, Expired: 2}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, stats := newDB(t)
			db.Set([]byte("plain"), str("p", 0))
			db.Set([]byte("ttl"), str("t", now+1000))
			db.Set([]byte("past"), str("x", now-1))
			for i, o := range tt.ops {
				var e *Entry
				if o.do == "lookup" {
					e = db.Lookup([]byte(o.key), o.at)
				} else {
					e = db.Peek([]byte(o.key), o.at)
				}
				got := ""
				if e != nil {
					got = string(e.Str)
				}
				if got != o.want {
					t.Errorf("op %d: %s %q at +%d = %q, want %q", i, o.do, o.key, o.at-now, got, o.want)
				}
			}
			if *stats != tt.stats {
				t.Errorf("stats = %+v, want %+v", *stats, tt.stats)
			}
			if db.Len() != tt.left {
				t.Errorf("Len = %d, want %d", db.Len(), tt.left)
			}
		})
	}
}

func TestSetReplacesAndTracksExpiry(t *testing.T) {
	db, _ := newDB(t)
	k := []byte("k")
	db.Set(k, str("a", now+10))
	if db.Len() != 1 || db.ExpiresLen() != 1 {
		t.Fatalf("after Set with TTL: Len %d ExpiresLen %d", db.Len(), db.ExpiresLen())
	}
	db.Set(k, str("b", 0)) // replacing drops the old expiry
	if db.ExpiresLen() != 0 {
		t.Fatalf("Set without TTL left the key in expires")
	}
	if e := db.Lookup(k, now+100); e == nil || string(e.Str) != "b" {
		t.Fatalf("Lookup after replace = %v", e)
	}
	db.Set(k, str("c", now+20))
	if e := db.Peek(k, now); e == nil || e.Expire != now+20 || db.ExpiresLen() != 1 {
		t.Fatalf("Set with a new TTL: %+v, ExpiresLen %d", e, db.ExpiresLen())
	}
	// Set copies the key: the caller may reuse its bytes.
	k[0] = 'x'
	if db.Peek([]byte("k"), now) == nil {
		t.Fatal("the key was not copied")
	}
}

func TestSetExpire(t *testing.T) {
	tests := []struct {
		name       string
		initial    int64 // the key's expiry before
		at         int64 // SetExpire's argument
		lookupAt   int64
		wantAlive  bool
		wantInExps bool
	}{
		{"add an expiry", 0, now + 100, now + 50, true, true},
		{"the expiry applies", 0, now + 100, now + 100, false, false},
		{"move an expiry later", now + 10, now + 100, now + 50, true, true},
		{"clear an expiry (PERSIST)", now + 10, 0, now + 1_000_000, true, false},
		{"an expiry in the past", 0, now - 1, now, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := newDB(t)
			e := str("v", tt.initial)
			db.Set([]byte("k"), e)
			db.SetExpire([]byte("k"), e, tt.at)
			if e.Expire != tt.at {
				t.Errorf("Expire = %d, want %d", e.Expire, tt.at)
			}
			alive := db.Lookup([]byte("k"), tt.lookupAt) != nil
			inExps := e.eidx != 0
			if alive != tt.wantAlive || inExps != tt.wantInExps {
				t.Errorf("alive %v (want %v), in expires %v (want %v)", alive, tt.wantAlive, inExps, tt.wantInExps)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	tests := []struct {
		name        string
		key         string
		want        bool
		wantExpired int64
	}{
		{"live key", "plain", true, 0},
		{"key with a TTL", "ttl", true, 0},
		{"missing key", "nosuch", false, 0},
		{"expired key: removed, but not a deletion", "past", false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, stats := newDB(t)
			db.Set([]byte("plain"), str("p", 0))
			db.Set([]byte("ttl"), str("t", now+1000))
			db.Set([]byte("past"), str("x", now-1))
			if got := db.Delete([]byte(tt.key), now); got != tt.want {
				t.Errorf("Delete(%q) = %v, want %v", tt.key, got, tt.want)
			}
			if db.Peek([]byte(tt.key), now) != nil {
				t.Errorf("%q still there", tt.key)
			}
			if stats.Expired != tt.wantExpired || stats.Hits != 0 || stats.Misses != 0 {
				t.Errorf("stats = %+v", *stats)
			}
		})
	}
}

func TestKeys(t *testing.T) {
	db, stats := newDB(t)
	for _, k := range []string{"one", "two", "three", "four", "ONE", "a*b", "h\xffllo"} {
		db.Set([]byte(k), str("v", 0))
	}
	db.Set([]byte("tomorrow"), str("v", now+86_400_000))
	db.Set([]byte("yesterday"), str("v", now-86_400_000))
	db.Set([]byte("token"), str("v", now)) // expires now: gone
	tests := []struct {
		pattern string
		want    []string
	}{
		{"*", []string{"ONE", "a*b", "four", "h\xffllo", "one", "three", "tomorrow", "two"}},
		{"t*", []string{"three", "tomorrow", "two"}},
		{"*o*", []string{"four", "h\xffllo", "one", "tomorrow", "two"}},
		{"one", []string{"one"}}, // case-sensitive
		{"?n?", []string{"one"}},
		{"[ot]*", []string{"one", "three", "tomorrow", "two"}},
		{"[^o]*", []string{"ONE", "a*b", "four", "h\xffllo", "three", "tomorrow", "two"}},
		{`a\*b`, []string{"a*b"}},
		{"h?llo", []string{"h\xffllo"}},
		{"yesterday", nil},
		{"tok*", nil},
		{"nomatch*", nil},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			got := db.Keys(tt.pattern, now)
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Keys(%q) = %q, want %q", tt.pattern, got, tt.want)
			}
		})
	}
	// KEYS skips expired keys without deleting them, and counts nothing.
	if db.Len() != 10 || *stats != (Stats{}) {
		t.Errorf("after Keys: Len %d, stats %+v", db.Len(), *stats)
	}
}

func TestFlush(t *testing.T) {
	dbs := New(2, &Stats{})
	dbs[0].Set([]byte("a"), str("1", 0))
	dbs[0].Set([]byte("b"), str("2", now+5))
	dbs[1].Set([]byte("c"), str("3", 0))
	dbs[0].Flush()
	if dbs[0].Len() != 0 || dbs[0].ExpiresLen() != 0 || dbs[0].Lookup([]byte("a"), now) != nil {
		t.Errorf("db0 after Flush: Len %d ExpiresLen %d", dbs[0].Len(), dbs[0].ExpiresLen())
	}
	if dbs[1].Len() != 1 {
		t.Errorf("Flush of db0 touched db1: Len %d", dbs[1].Len())
	}
	dbs[0].Set([]byte("a"), str("again", 0))
	if e := dbs[0].Lookup([]byte("a"), now); e == nil || string(e.Str) != "again" {
		t.Errorf("db0 unusable after Flush")
	}
}

// fill adds n keys with a TTL to db, the first expired of them already
// expired at now, and plain keys without one.
func fill(t *testing.T, db *DB, n, expired, plain int) {
	t.Helper()
	for i := range n {
		at := now + 60_000
		if i < expired {
			at = now - int64(i) - 1
		}
		db.Set(fmt.Appendf(nil, "ttl:%d", i), str("v", at))
	}
	for i := range plain {
		db.Set(fmt.Appendf(nil, "plain:%d", i), str("v", 0))
	}
}

func TestActiveExpire(t *testing.T) {
	const rounds = 16
	tests := []struct {
		name              string
		n, expired, plain int
		// bounds on what one call deletes
		min, max int
	}{
		{"empty", 0, 0, 0, 0, 0},
		{"no keys with a TTL", 0, 0, 1000, 0, 0},
		{"nothing expired: one sample and stop", 5000, 0, 100, 0, 0},
		// 1% expired: the first sample has at most a quarter expired (with
		// overwhelming probability), so the cycle stops after one round.
		{"mostly not expired: stops early", 5000, 50, 0, 0, 20},
		// All expired: every round deletes a full sample, up to the bound.
		{"all expired: bounded by the rounds", 5000, 5000, 0, 20 * rounds, 20 * rounds},
		// 90% expired: the cycle keeps going past the first round.
		{"mostly expired: more than one round", 5000, 4500, 0, 21, 20 * rounds},
		{"few keys, all expired: all deleted", 30, 30, 10, 30, 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, stats := newDB(t)
			fill(t, db, tt.n, tt.expired, tt.plain)
			got := db.ActiveExpire(now, rounds)
			if got < tt.min || got > tt.max {
				t.Errorf("deleted %d keys, want %d..%d", got, tt.min, tt.max)
			}
			if stats.Expired != int64(got) {
				t.Errorf("stats.Expired = %d, want %d", stats.Expired, got)
			}
			if db.Len() != tt.n+tt.plain-got || db.ExpiresLen() != tt.n-got {
				t.Errorf("Len %d ExpiresLen %d after deleting %d of %d+%d", db.Len(), db.ExpiresLen(), got, tt.n, tt.plain)
			}
			// Only expired keys were deleted.
			for i := tt.expired; i < tt.n; i++ {
				if db.Peek(fmt.Appendf(nil, "ttl:%d", i), now) == nil {
					t.Fatalf("live key ttl:%d deleted", i)
				}
			}
		})
	}
}

// Repeated cycles clear a database that is mostly expired.
func TestActiveExpireConverges(t *testing.T) {
	db, stats := newDB(t)
	fill(t, db, 3000, 2900, 50)
	total := 0
	for range 200 {
		total += db.ActiveExpire(now, 16)
	}
	// What is left expired is at most a quarter of a sample's worth of the
	// keys with a TTL, in probability; with 100 live keys the cycle cannot
	// find many of the last expired ones, so allow some.
	if total < 2800 || db.Len() != 3050-total || stats.Expired != int64(total) {
		t.Errorf("deleted %d of 2900 expired keys; Len %d; stats %+v", total, db.Len(), *stats)
	}
}

// A key whose Expire was cleared without SetExpire is not deleted by the
// cycle: it only leaves the expires index.
func TestActiveExpireSkipsPersistedEntry(t *testing.T) {
	db, stats := newDB(t)
	e := str("v", now-10)
	db.Set([]byte("k"), e)
	e.Expire = 0 // behind the keyspace's back
	if got := db.ActiveExpire(now, 16); got != 0 {
		t.Errorf("ActiveExpire deleted %d keys", got)
	}
	if db.Peek([]byte("k"), now) == nil || db.ExpiresLen() != 0 || stats.Expired != 0 {
		t.Errorf("k: Len %d ExpiresLen %d stats %+v", db.Len(), db.ExpiresLen(), *stats)
	}
}

func TestStatsShared(t *testing.T) {
	stats := &Stats{}
	dbs := New(3, stats)
	dbs[0].Lookup([]byte("x"), now)
	dbs[2].Set([]byte("y"), str("v", 0))
	dbs[2].Lookup([]byte("y"), now)
	if *stats != (Stats{Hits: 1, Misses: 1}) {
		t.Errorf("stats = %+v", *stats)
	}
}
