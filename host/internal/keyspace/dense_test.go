package keyspace

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// scanAll runs a whole scan with count per call, calling between after each
// call but the last, and returns every key returned (duplicates included).
func scanAll(db *DB, count int, between func()) []string {
	var got []string
	cursor := uint64(0)
	for {
		cursor = db.Scan(cursor, count, func(e *Entry) { got = append(got, e.key) })
		if cursor == 0 {
			return got
		}
		if between != nil {
			between()
		}
	}
}

func TestScanWholeDatabase(t *testing.T) {
	for _, n := range []int{0, 1, 9, 10, 11, 100} {
		for _, count := range []int{1, 3, 10, 1000} {
			db, _ := newDB(t)
			var want []string
			for i := range n {
				k := fmt.Sprint("k", i)
				want = append(want, k)
				db.Set([]byte(k), str("v", 0))
			}
			got := scanAll(db, count, nil)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("n %d count %d: scan returned %d keys, want each of %d once", n, count, len(got), n)
			}
		}
	}
}

// The SCAN guarantee: a key present from the start to the end of a scan is
// returned, however other keys come and go between calls.
func TestScanUnderChurn(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		db, _ := newDB(t)
		stable := map[string]bool{}
		var churn []string
		next := 0
		add := func(isStable bool) {
			k := fmt.Sprint("k", next)
			next++
			db.Set([]byte(k), str("v", 0))
			if isStable {
				stable[k] = true
			} else {
				churn = append(churn, k)
			}
		}
		for range rng.IntN(200) {
			add(rng.IntN(3) == 0)
		}
		count := 1 + rng.IntN(15)
		got := scanAll(db, count, func() {
			// Remove some churn keys, anywhere in the slice, and add new ones.
			for range rng.IntN(10) {
				if len(churn) > 0 {
					i := rng.IntN(len(churn))
					db.Delete([]byte(churn[i]), now)
					churn = slices.Delete(churn, i, i+1)
				}
			}
			for range rng.IntN(10) {
				add(false)
			}
		})
		seen := map[string]bool{}
		for _, k := range got {
			seen[k] = true
		}
		for k := range stable {
			if !seen[k] {
				t.Fatalf("trial %d (count %d): stable key %s never returned", trial, count, k)
			}
		}
		checkInvariants(t, db)
	}
}

func TestScanCursorBounds(t *testing.T) {
	db, _ := newDB(t)
	for i := range 5 {
		db.Set(fmt.Appendf(nil, "k%d", i), str("v", 0))
	}
	var got []string
	// A cursor past the end (the database shrank, or a made-up cursor)
	// starts at the top; the maximum cursor is valid.
	next := db.Scan(1<<64-1, 2, func(e *Entry) { got = append(got, e.key) })
	if next != 3 || len(got) != 2 {
		t.Errorf("Scan(max, 2) = %d after %d keys, want 3 after 2", next, len(got))
	}
	next = db.Scan(next, 100, func(e *Entry) { got = append(got, e.key) })
	if next != 0 || len(got) != 5 {
		t.Errorf("second call: cursor %d, %d keys", next, len(got))
	}
	empty, _ := newDB(t)
	if c := empty.Scan(0, 10, func(*Entry) { t.Error("called on an empty database") }); c != 0 {
		t.Errorf("empty scan cursor %d", c)
	}
}

func TestOnExpire(t *testing.T) {
	db, stats := newDB(t)
	var expired []string
	SetOnExpire([]*DB{db}, func(d *DB, key string) {
		if d != db {
			t.Errorf("OnExpire got db %d", d.ID)
		}
		if d.keys[key] != nil {
			t.Errorf("OnExpire(%q) before the key was removed", key)
		}
		expired = append(expired, key)
	})
	db.Set([]byte("a"), str("1", now-1))
	db.Set([]byte("b"), str("2", now-1))
	db.Set([]byte("c"), str("3", now-1))
	db.Set([]byte("d"), str("4", now-1))
	db.Set([]byte("e"), str("5", now-1))
	db.Set([]byte("live"), str("6", now+1000))
	db.Lookup([]byte("a"), now)
	db.Peek([]byte("b"), now)
	db.Delete([]byte("c"), now) // an expired key is expired, not deleted
	db.PeekNoTouch([]byte("d"), now)
	for i := 0; i < 100 && db.ExpiresLen() > 1; i++ { // sampling may draw "live"
		db.ActiveExpire(now, 16)
	}
	db.Lookup([]byte("live"), now)
	slices.Sort(expired)
	if !slices.Equal(expired, []string{"a", "b", "c", "d", "e"}) || stats.Expired != 5 {
		t.Errorf("expired %q, stats %+v", expired, *stats)
	}
	// RANDOMKEY removes the expired keys it draws.
	expired = nil
	db.Set([]byte("x"), str("v", now-5))
	for range 50 {
		if k, ok := db.RandomKey(now); !ok || k != "live" {
			t.Fatalf("RandomKey = %q %v", k, ok)
		}
	}
	if !slices.Equal(expired, []string{"x"}) {
		t.Errorf("RandomKey expired %q", expired)
	}
}

func TestRandomKey(t *testing.T) {
	db, _ := newDB(t)
	if k, ok := db.RandomKey(now); ok {
		t.Errorf("empty: %q", k)
	}
	for i := range 10 {
		db.Set(fmt.Appendf(nil, "k%d", i), str("v", 0))
	}
	seen := map[string]int{}
	for range 2000 {
		k, ok := db.RandomKey(now)
		if !ok {
			t.Fatal("no key")
		}
		seen[k]++
	}
	if len(seen) != 10 {
		t.Errorf("2000 draws saw %d of 10 keys", len(seen))
	}
	for k, n := range seen {
		if n < 100 { // expected 200
			t.Errorf("%s drawn %d times of 2000", k, n)
		}
	}
	// All expired: every one is removed and there is no key.
	db.Flush()
	for i := range 30 {
		db.Set(fmt.Appendf(nil, "k%d", i), str("v", now))
	}
	if k, ok := db.RandomKey(now); ok || db.Len() != 0 {
		t.Errorf("all expired: %q %v, Len %d", k, ok, db.Len())
	}
}

func TestSample(t *testing.T) {
	db, _ := newDB(t)
	if got := db.SampleKeys(5, nil); len(got) != 0 {
		t.Errorf("empty SampleKeys: %d", len(got))
	}
	for i := range 10 {
		db.Set(fmt.Appendf(nil, "k%d", i), str("v", 0))
	}
	db.Set([]byte("t"), str("v", now+5))
	got := db.SampleKeys(20, make([]*Entry, 0, 20))
	if len(got) != 20 {
		t.Errorf("SampleKeys(20) = %d entries", len(got))
	}
	for _, e := range got {
		if db.keys[e.Key()] != e {
			t.Errorf("sampled %q, not in the database", e.Key())
		}
	}
	exp := db.SampleExpires(3, nil)
	if len(exp) != 3 || exp[0].Key() != "t" || exp[2].Key() != "t" {
		t.Errorf("SampleExpires = %v", exp)
	}
}

// Set replacing entries keeps both indexes right whatever the expiries.
func TestSetReplaceExpiryCombinations(t *testing.T) {
	for _, before := range []int64{0, now + 10} {
		for _, after := range []int64{0, now + 20} {
			db, _ := newDB(t)
			db.Set([]byte("other"), str("o", now+30)) // something to swap with
			db.Set([]byte("k"), str("a", before))
			db.Set([]byte("z"), str("z", now+40))
			db.Set([]byte("k"), str("b", after))
			e := db.Peek([]byte("k"), now)
			if e == nil || string(e.Str) != "b" || e.Expire != after || db.Len() != 3 {
				t.Errorf("before %d after %d: %+v Len %d", before, after, e, db.Len())
			}
			want := 2
			if after != 0 {
				want = 3
			}
			if db.ExpiresLen() != want {
				t.Errorf("before %d after %d: ExpiresLen %d, want %d", before, after, db.ExpiresLen(), want)
			}
			// Setting the same entry again is harmless.
			db.Set([]byte("k"), e)
			checkInvariants(t, db)
		}
	}
}

// RENAME's pattern: delete the entry under one name, set it under another.
func TestRenamePattern(t *testing.T) {
	db, _ := newDB(t)
	e := str("v", now+100)
	db.Set([]byte("a"), e)
	db.Set([]byte("b"), str("w", 0))
	db.Delete([]byte("a"), now)
	db.Set([]byte("b"), e)
	if got := db.Peek([]byte("b"), now); got != e || e.Key() != "b" || db.Len() != 1 || db.ExpiresLen() != 1 {
		t.Errorf("after rename: %+v Len %d ExpiresLen %d", got, db.Len(), db.ExpiresLen())
	}
}

func TestSwapAndMove(t *testing.T) {
	dbs := New(3, &Stats{})
	dbs[0].Set([]byte("a"), str("0", now+100))
	dbs[0].Set([]byte("b"), str("0", 0))
	dbs[1].Set([]byte("c"), str("1", 0))
	dbs[0].Swap(dbs[1])
	if dbs[0].ID != 0 || dbs[0].Len() != 1 || dbs[1].Len() != 2 || dbs[1].ExpiresLen() != 1 ||
		dbs[0].Peek([]byte("c"), now) == nil || dbs[1].Peek([]byte("a"), now) == nil {
		t.Fatalf("after Swap: db0 %d keys, db1 %d keys", dbs[0].Len(), dbs[1].Len())
	}
	if dbs[1].Move([]byte("nosuch"), dbs[2], now) {
		t.Error("moved a missing key")
	}
	dbs[2].Set([]byte("b"), str("2", 0))
	if dbs[1].Move([]byte("b"), dbs[2], now) {
		t.Error("moved onto an existing key")
	}
	if dbs[1].Move([]byte("a"), dbs[1], now) {
		t.Error("moved onto itself")
	}
	if !dbs[1].Move([]byte("a"), dbs[2], now) {
		t.Fatal("Move failed")
	}
	e := dbs[2].Peek([]byte("a"), now)
	if e == nil || e.Expire != now+100 || dbs[1].Peek([]byte("a"), now) != nil || dbs[2].ExpiresLen() != 1 || dbs[1].ExpiresLen() != 0 {
		t.Errorf("after Move: %+v", e)
	}
	for _, db := range dbs {
		checkInvariants(t, db)
	}
}

func TestLRU(t *testing.T) {
	db, stats := newDB(t)
	db.Peek([]byte("nosuch"), now) // the clock the next Set stamps
	db.Set([]byte("k"), str("v", 0))
	e := db.PeekNoTouch([]byte("k"), now+5500)
	if got := e.IdleMillis(now + 5500); got != 5000 && got != 6000 {
		t.Errorf("idle after 5.5s = %d", got)
	}
	db.LookupNoTouch([]byte("k"), now+7000) // does not touch, counts a hit
	if got := e.IdleMillis(now + 7000); got < 6000 {
		t.Errorf("LookupNoTouch touched: idle %d", got)
	}
	db.Lookup([]byte("k"), now+8000)
	if got := e.IdleMillis(now + 8000); got != 0 {
		t.Errorf("idle after Lookup = %d", got)
	}
	db.Peek([]byte("k"), now+20000)
	if got := e.IdleMillis(now + 21000); got != 1000 {
		t.Errorf("idle 1s after Peek = %d", got)
	}
	if stats.Hits != 2 || stats.Misses != 0 {
		t.Errorf("stats %+v", *stats)
	}
	// The 24-bit clock wraps (Redis counts one second short across it).
	e.lru = lruClockMax - 1
	if got := e.IdleMillis(int64(lruClockMax+1+2) * 1000); got != 3000 {
		t.Errorf("idle across the wrap = %d", got)
	}
}

func TestLFU(t *testing.T) {
	dbs := New(1, &Stats{})
	db := dbs[0]
	SetPolicyLFU(dbs, true)
	db.Peek([]byte("nosuch"), now)
	db.Set([]byte("k"), str("v", 0))
	e := db.keys["k"]
	if got := e.Freq(now); got != lfuInitVal {
		t.Errorf("new key freq %d", got)
	}
	db.Lookup([]byte("k"), now) // below the init value: always counts
	if got := e.Freq(now); got != lfuInitVal+1 {
		t.Errorf("freq after one access %d", got)
	}
	for range 1000 {
		db.Lookup([]byte("k"), now)
	}
	// With log factor 10, 1000 hits bring the counter to about 18.
	f := e.Freq(now)
	if f < 12 || f > 25 {
		t.Errorf("freq after 1000 accesses %d", f)
	}
	// One decrement per minute without access.
	if got := e.Freq(now + 3*60000); got != f-3 {
		t.Errorf("freq after 3 idle minutes %d, want %d", got, f-3)
	}
	if got := e.Freq(now + 600*60000); got != 0 {
		t.Errorf("freq after 10 idle hours %d", got)
	}
	for range 100000 {
		db.Lookup([]byte("k"), now)
	}
	if got := e.Freq(now); got < 25 || got > 255 {
		t.Errorf("freq after 100000 accesses %d", got)
	}
	e.lru = lfuMinutes(now)<<8 | 255
	db.Lookup([]byte("k"), now)
	if got := e.Freq(now); got != 255 {
		t.Errorf("saturated counter %d", got)
	}
}

func TestParseStrictInt(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"1", 1, true}, {"-1", -1, true}, {"9999", 9999, true},
		{"9223372036854775807", 1<<63 - 1, true}, {"-9223372036854775808", -1 << 63, true},
		{"9223372036854775808", 0, false}, {"-9223372036854775809", 0, false},
		{"18446744073709551616", 0, false}, {"99999999999999999999", 0, false},
		{"", 0, false}, {"-", 0, false}, {"-0", 0, false}, {"00", 0, false}, {"01", 0, false},
		{"+1", 0, false}, {" 1", 0, false}, {"1 ", 0, false}, {"1a", 0, false}, {"1.0", 0, false},
		{"123456789012345678901", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseStrictInt([]byte(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseStrictInt(%q) = %d %v, want %d %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestStrEncoding(t *testing.T) {
	s44 := string(make([]byte, 44))
	tests := []struct {
		val    string
		enc    uint8
		want   string
		shared bool
	}{
		{"123", StrEncAuto, "int", true},
		{"0", StrEncAuto, "int", true},
		{"9999", StrEncAuto, "int", true},
		{"10000", StrEncAuto, "int", false},
		{"-1", StrEncAuto, "int", false},
		{"007", StrEncAuto, "embstr", false},
		{"hello", StrEncAuto, "embstr", false},
		{"", StrEncAuto, "embstr", false},
		{s44, StrEncAuto, "embstr", false},
		{s44 + "x", StrEncAuto, "raw", false},
		{"hello", StrEncRaw, "raw", false},
		{"12", StrEncRaw, "raw", false},
		{"12", StrEncNoInt, "embstr", false},
		{s44 + "x", StrEncNoInt, "raw", false},
		{"12", StrEncIntDup, "int", false},
	}
	for _, tt := range tests {
		e := &Entry{Kind: KindString, Str: []byte(tt.val), StrEnc: tt.enc}
		if got := e.StrEncoding(); got != tt.want {
			t.Errorf("%q enc %d: %s, want %s", tt.val, tt.enc, got, tt.want)
		}
		if got := e.SharedInt(true); got != tt.shared {
			t.Errorf("%q enc %d: shared %v", tt.val, tt.enc, got)
		}
		if e.SharedInt(false) {
			t.Errorf("%q: shared although sharing is off", tt.val)
		}
	}
}

// SetExpire on an entry that was replaced or deleted since it was looked up
// must not put it back into the indexes.
func TestSetExpireOnStaleEntry(t *testing.T) {
	db, _ := newDB(t)
	stale := str("a", 0)
	db.Set([]byte("k"), stale)
	db.Set([]byte("other"), str("o", 0))
	db.Set([]byte("k"), str("b", 0)) // replaces stale
	db.SetExpire([]byte("k"), stale, now+100)
	gone := str("c", 0)
	db.Set([]byte("g"), gone)
	db.Delete([]byte("g"), now)
	db.SetExpire([]byte("g"), gone, now+100)
	if db.ExpiresLen() != 0 {
		t.Errorf("stale entries in the expires index: %d", db.ExpiresLen())
	}
	db.ActiveExpire(now+1000, 16)
	if db.Len() != 2 {
		t.Errorf("Len %d", db.Len())
	}
}

func BenchmarkLookupHit(b *testing.B) {
	dbs := New(1, &Stats{})
	db := dbs[0]
	for i := range 10000 {
		db.Set(fmt.Appendf(nil, "key:%d", i), str("v", 0))
	}
	k := []byte("key:5000")
	b.ReportAllocs()
	for b.Loop() {
		db.Lookup(k, now)
	}
}

func BenchmarkSetDelete(b *testing.B) {
	dbs := New(1, &Stats{})
	db := dbs[0]
	for i := range 10000 {
		db.Set(fmt.Appendf(nil, "key:%d", i), str("v", now+1000))
	}
	k := []byte("new")
	e := str("v", now+1000)
	b.ReportAllocs()
	for b.Loop() {
		db.Set(k, e)
		db.Delete(k, now)
	}
}
