package keyspace

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"modis/host/internal/types"
)

// snapValue renders an entry for comparison.
func snapValue(e *Entry) string {
	if e.Kind == KindString {
		return fmt.Sprintf("s:%s:%d", e.Str, e.Expire)
	}
	h := e.Hash()
	return fmt.Sprintf("h:%d:%d", h.Len(), e.Expire)
}

// TestSnapshotConsistency walks a snapshot in chunks while keys are
// changed, deleted, expired, added, flushed and swapped between chunks, and
// checks that what it yields is the dataset as it was at Begin.
func TestSnapshotConsistency(t *testing.T) {
	for round := range 20 {
		var st Stats
		dbs := New(2, &st)
		now := int64(1_000_000)
		want := make([]map[string]string, 2)
		for d, db := range dbs {
			want[d] = map[string]string{}
			for i := range 3000 {
				k := fmt.Sprintf("k%d", i)
				e := &Entry{Kind: KindString, Str: []byte(fmt.Sprintf("v%d-%d", d, i))}
				if i%7 == 0 {
					e.Expire = now + 1000
				}
				if i%11 == 0 {
					e.Expire = now - 1 // expired at Begin: not saved
				}
				if i%5 == 0 {
					h := types.NewHash()
					h.Set([]byte("f"), []byte("v"))
					e = &Entry{Kind: KindHash, Obj: h, Expire: e.Expire}
				}
				db.Set([]byte(k), e)
				if e.Expire == 0 || e.Expire > now {
					want[d][k] = snapValue(e)
				}
			}
		}
		sn := Begin(dbs, now)
		got := make([]map[string]string, 2)
		rng := rand.New(rand.NewPCG(uint64(round), 7))
		for d := range dbs {
			got[d] = map[string]string{}
			add := func(e *Entry) {
				if _, dup := got[d][e.Key()]; dup {
					t.Fatalf("round %d: %s yielded twice", round, e.Key())
				}
				got[d][e.Key()] = snapValue(e)
			}
			for done := false; !done; {
				done = sn.Next(d, 64, add)
				for _, e := range sn.TakeSide(d) {
					add(e)
				}
				// Mutate between chunks, in both databases.
				for range 40 {
					db := dbs[rng.IntN(2)]
					k := []byte(fmt.Sprintf("k%d", rng.IntN(3500)))
					switch rng.IntN(7) {
					case 0, 1:
						if e := db.Peek(k, now+2000); e != nil && e.Kind == KindString {
							e.Str = append(e.Str, 'X') // in place
						} else if e != nil {
							e.Hash().Set([]byte("g"), []byte("w"))
						}
					case 2:
						db.Set(k, &Entry{Kind: KindString, Str: []byte("new")})
					case 3:
						db.Delete(k, now+2000) // also expires lazily
					case 4:
						if e := db.Peek(k, now); e != nil {
							db.SetExpire(k, e, now+99)
						}
					case 5:
						db.ActiveExpire(now+2000, 2)
					case 6:
						if rng.IntN(50) == 0 {
							dbs[0].Swap(dbs[1])
						}
					}
				}
			}
			for _, e := range sn.TakeSide(d) {
				add(e)
			}
		}
		sn.End()
		for d := range dbs {
			if len(got[d]) != len(want[d]) {
				t.Fatalf("round %d db %d: %d keys, want %d", round, d, len(got[d]), len(want[d]))
			}
			for k, v := range want[d] {
				if got[d][k] != v {
					t.Fatalf("round %d db %d: %s = %q, want %q", round, d, k, got[d][k], v)
				}
			}
		}
	}
}

// TestSnapshotFlush: a flush during a snapshot keeps the old keys for it.
func TestSnapshotFlush(t *testing.T) {
	var st Stats
	dbs := New(1, &st)
	for i := range 1000 {
		dbs[0].Set([]byte(fmt.Sprint(i)), &Entry{Kind: KindString, Str: []byte("v")})
	}
	sn := Begin(dbs, 1)
	n := 0
	sn.Next(0, 100, func(*Entry) { n++ })
	dbs[0].Flush()
	dbs[0].Set([]byte("after"), &Entry{Kind: KindString, Str: []byte("v")})
	for !sn.Next(0, 100, func(*Entry) { n++ }) {
	}
	n += len(sn.TakeSide(0))
	sn.End()
	if n != 1000 {
		t.Fatalf("saved %d keys, want 1000", n)
	}
}

// TestSnapshotNoAllocs: writes to visited keys and reads cost nothing.
func TestSnapshotNoAllocs(t *testing.T) {
	var st Stats
	dbs := New(1, &st)
	dbs[0].Set([]byte("k"), &Entry{Kind: KindString, Str: []byte("v")})
	key := []byte("k")
	if n := testing.AllocsPerRun(100, func() { dbs[0].Peek(key, 1); dbs[0].Lookup(key, 1) }); n != 0 {
		t.Fatalf("no snapshot: %v allocs", n)
	}
	sn := Begin(dbs, 1)
	for !sn.Next(0, 10, func(*Entry) {}) {
	}
	if n := testing.AllocsPerRun(100, func() { dbs[0].Peek(key, 1); dbs[0].Lookup(key, 1) }); n != 0 {
		t.Fatalf("visited key during a snapshot: %v allocs", n)
	}
	sn.End()
}
