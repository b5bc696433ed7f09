package keyspace

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestSnapshotProgress: Progress counts every key present at Begin exactly
// once, whether the walk visits it or a write copies it aside (or drops it)
// first, never counts keys born later, only grows, and reaches the total
// when the walk is complete; Cow grows with the copies.
func TestSnapshotProgress(t *testing.T) {
	var st Stats
	dbs := New(2, &st)
	const n = 2000
	now := int64(1_000_000)
	for d, db := range dbs {
		for i := range n {
			e := &Entry{Kind: KindString, Str: []byte(fmt.Sprintf("v%d-%d", d, i))}
			if i%13 == 0 {
				e.Expire = now - 1 // expired at Begin: counted, not saved
			}
			db.Set([]byte(fmt.Sprint("k", i)), e)
		}
	}
	dbs[1].Delete([]byte("k1"), now) // db 1 holds n-1 keys
	sn := Begin(dbs, now)
	if p, tot := sn.Progress(); p != 0 || tot != 2*n-1 {
		t.Fatalf("at Begin: processed %d total %d, want 0 and %d", p, tot, 2*n-1)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	last := int64(0)
	for d := range dbs {
		for done := false; !done; {
			done = sn.Next(d, 50, func(*Entry) {})
			sn.TakeSide(d)
			for range 20 {
				db := dbs[rng.IntN(2)]
				k := []byte(fmt.Sprint("k", rng.IntN(n+200)))
				switch rng.IntN(3) {
				case 0:
					db.Set(k, &Entry{Kind: KindString, Str: []byte("new")})
				case 1:
					db.Delete(k, now)
				case 2:
					db.Peek(k, now)
				}
			}
			p, tot := sn.Progress()
			if p < last || p > tot {
				t.Fatalf("processed %d after %d (total %d)", p, last, tot)
			}
			last = p
		}
	}
	if p, tot := sn.Progress(); p != tot {
		t.Errorf("walk complete: processed %d, total %d", p, tot)
	}
	if sn.Cow() == 0 || sn.Cow() != sn.CowBytes {
		t.Errorf("Cow() = %d after writes to unvisited keys (CowBytes %d)", sn.Cow(), sn.CowBytes)
	}
	sn.End()
}
