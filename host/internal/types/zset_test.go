package types

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// zmodel is the reference: a plain map, sorted on demand.
type zmodel map[string]float64

func (m zmodel) sorted() []ZEntry {
	out := make([]ZEntry, 0, len(m))
	for k, v := range m {
		out = append(out, ZEntry{k, v})
	}
	slices.SortFunc(out, func(a, b ZEntry) int { return zcmp(a.Score, a.Member, b.Score, b.Member) })
	return out
}

func collect(fn func(func(string, float64) bool)) []ZEntry {
	var out []ZEntry
	fn(func(m string, s float64) bool {
		out = append(out, ZEntry{m, s})
		return true
	})
	return out
}

func sameEntries(a, b []ZEntry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		// -0 and 0 are the same score (a listpack keeps 0).
		if a[i].Member != b[i].Member || a[i].Score != b[i].Score {
			return false
		}
	}
	return true
}

// checkZSet compares z with the model in every read operation, and checks
// the skiplist's internal invariants.
func checkZSet(t *testing.T, z *ZSet, m zmodel, rng *rand.Rand) {
	t.Helper()
	want := m.sorted()
	if z.Len() != len(want) {
		t.Fatalf("Len %d, want %d", z.Len(), len(want))
	}
	if got := collect(z.Ascend); !sameEntries(got, want) {
		t.Fatalf("Ascend:\n got %v\nwant %v", got, want)
	}
	rev := slices.Clone(want)
	slices.Reverse(rev)
	if got := collect(z.Descend); !sameEntries(got, rev) {
		t.Fatalf("Descend:\n got %v\nwant %v", got, rev)
	}
	for i, e := range want {
		if s, ok := z.Score([]byte(e.Member)); !ok || s != e.Score {
			t.Fatalf("Score(%q) = %v %v, want %v", e.Member, s, ok, e.Score)
		}
		if r, ok := z.Rank([]byte(e.Member), false); !ok || r != i {
			t.Fatalf("Rank(%q) = %d %v, want %d", e.Member, r, ok, i)
		}
		if r, ok := z.Rank([]byte(e.Member), true); !ok || r != len(want)-1-i {
			t.Fatalf("RevRank(%q) = %d, want %d", e.Member, r, len(want)-1-i)
		}
		if got := z.At(i); got.Member != e.Member {
			t.Fatalf("At(%d) = %v, want %v", i, got, e)
		}
	}
	if _, ok := z.Score([]byte("absent")); ok {
		t.Fatal("Score of an absent member")
	}
	if len(want) == 0 {
		return
	}
	// Rank ranges.
	for k := 0; k < 5; k++ {
		s := rng.IntN(len(want))
		e := s + rng.IntN(len(want)-s)
		if got := collect(func(fn func(string, float64) bool) { z.RangeByRank(s, e, false, fn) }); !sameEntries(got, want[s:e+1]) {
			t.Fatalf("RangeByRank(%d, %d):\n got %v\nwant %v", s, e, got, want[s:e+1])
		}
		if got := collect(func(fn func(string, float64) bool) { z.RangeByRank(s, e, true, fn) }); !sameEntries(got, rev[s:e+1]) {
			t.Fatalf("RangeByRank(%d, %d, rev):\n got %v\nwant %v", s, e, got, rev[s:e+1])
		}
	}
	// Score ranges, with offsets and limits.
	for k := 0; k < 10; k++ {
		r := randomScoreRange(rng)
		var in []ZEntry
		for _, e := range want {
			if r.gteMin(e.Score) && r.lteMax(e.Score) {
				in = append(in, e)
			}
		}
		if got := z.CountByScore(r); got != len(in) {
			t.Fatalf("CountByScore(%+v) = %d, want %d", r, got, len(in))
		}
		off, lim := rng.IntN(4), rng.IntN(6)-1
		for _, rv := range []bool{false, true} {
			src := slices.Clone(in)
			if rv {
				slices.Reverse(src)
			}
			exp := src[min(off, len(src)):]
			if lim >= 0 && lim < len(exp) {
				exp = exp[:lim]
			}
			got := collect(func(fn func(string, float64) bool) { z.RangeByScore(r, rv, off, lim, fn) })
			if !sameEntries(got, exp) {
				t.Fatalf("RangeByScore(%+v, rev %v, %d, %d):\n got %v\nwant %v", r, rv, off, lim, got, exp)
			}
		}
	}
	if z.sl != nil {
		checkSkiplist(t, z.sl)
	}
}

// checkSkiplist verifies spans, backward pointers, the map and the dense
// slice.
func checkSkiplist(t *testing.T, sl *zskiplist) {
	t.Helper()
	if len(sl.dict) != sl.length || len(sl.dense) != sl.length {
		t.Fatalf("length %d, dict %d, dense %d", sl.length, len(sl.dict), len(sl.dense))
	}
	for i, n := range sl.dense {
		if n.pos != i || sl.dict[n.member] != n {
			t.Fatalf("dense[%d] = %q at pos %d", i, n.member, n.pos)
		}
	}
	// Every level's spans add up to the ranks of the nodes they reach.
	rank := map[*zslNode]int{sl.header: 0}
	i := 0
	var prev *zslNode
	bytes := 0
	for n := sl.header.level[0].forward; n != nil; n = n.level[0].forward {
		i++
		rank[n] = i
		if n.backward != prev {
			t.Fatalf("backward of %q", n.member)
		}
		prev = n
		bytes += len(n.member)
	}
	if sl.tail != prev {
		t.Fatal("tail")
	}
	if bytes != sl.bytes {
		t.Fatalf("bytes %d, want %d", sl.bytes, bytes)
	}
	for lvl := 0; lvl < sl.level; lvl++ {
		for x := sl.header; x != nil; x = x.level[lvl].forward {
			if f := x.level[lvl].forward; f != nil && rank[f]-rank[x] != x.level[lvl].span {
				t.Fatalf("level %d span from rank %d: %d, want %d", lvl, rank[x], x.level[lvl].span, rank[f]-rank[x])
			}
		}
	}
}

func randomScoreRange(rng *rand.Rand) ScoreRange {
	v := func() float64 {
		switch rng.IntN(10) {
		case 0:
			return math.Inf(-1)
		case 1:
			return math.Inf(1)
		}
		return float64(rng.IntN(30)) - 5
	}
	r := ScoreRange{Min: v(), Max: v(), MinEx: rng.IntN(3) == 0, MaxEx: rng.IntN(3) == 0}
	if rng.IntN(4) != 0 && r.Min > r.Max {
		r.Min, r.Max = r.Max, r.Min
	}
	return r
}

// TestZSetRandomOps runs random operations on sorted sets of both encodings
// (a small one and one that converts) against the model.
func TestZSetRandomOps(t *testing.T) {
	for _, size := range []int{20, 400} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(size), 7))
			z, m := NewZSet(), zmodel{}
			member := func() string { return fmt.Sprintf("m%03d", rng.IntN(size)) }
			score := func() float64 { return float64(rng.IntN(20)) - 3 + float64(rng.IntN(2))/2 }
			for op := 0; op < 3000; op++ {
				switch k := rng.IntN(100); {
				case k < 55:
					mb, s := member(), score()
					flags := []int{0, ZAddNX, ZAddXX, ZAddGT, ZAddLT, ZAddIncr, ZAddIncr | ZAddXX}[rng.IntN(7)]
					got, res := z.Add([]byte(mb), s, flags)
					cur, exists := m[mb]
					want := s
					if flags&ZAddIncr != 0 && exists {
						want = cur + s
					}
					switch {
					case !exists && flags&ZAddXX != 0, exists && flags&ZAddNX != 0,
						exists && flags&ZAddGT != 0 && want <= cur, exists && flags&ZAddLT != 0 && want >= cur:
						if res != ZNop {
							t.Fatalf("Add(%q, %v, %d): result %d, want ZNop", mb, s, flags, res)
						}
					case !exists:
						if res != ZAdded || got != want {
							t.Fatalf("Add(%q, %v, %d) = %v %d, want added %v", mb, s, flags, got, res, want)
						}
						m[mb] = want
					default:
						wantRes := 0
						if want != cur {
							wantRes = ZUpdated
						}
						if res != wantRes || got != want {
							t.Fatalf("Add(%q, %v, %d) = %v %d, want %v %d", mb, s, flags, got, res, want, wantRes)
						}
						m[mb] = want
					}
				case k < 75:
					mb := member()
					_, exists := m[mb]
					if z.Remove([]byte(mb)) != exists {
						t.Fatalf("Remove(%q) != %v", mb, exists)
					}
					delete(m, mb)
				case k < 80 && z.Len() > 0:
					max := rng.IntN(2) == 0
					want := m.sorted()
					e := want[0]
					if max {
						e = want[len(want)-1]
					}
					if got := z.Pop(max); got.Member != e.Member {
						t.Fatalf("Pop(%v) = %v, want %v", max, got, e)
					}
					delete(m, e.Member)
				case k < 84 && z.Len() > 0:
					want := m.sorted()
					s := rng.IntN(len(want))
					e := s + rng.IntN(min(len(want)-s, 5))
					if n := z.RemoveRangeByRank(s, e); n != e-s+1 {
						t.Fatalf("RemoveRangeByRank = %d", n)
					}
					for _, x := range want[s : e+1] {
						delete(m, x.Member)
					}
				case k < 88:
					r := randomScoreRange(rng)
					if r.Max-r.Min > 3 {
						r.Max = r.Min + 1
					}
					n := 0
					for mb, s := range m {
						if r.gteMin(s) && r.lteMax(s) {
							delete(m, mb)
							n++
						}
					}
					if got := z.RemoveRangeByScore(r); got != n {
						t.Fatalf("RemoveRangeByScore(%+v) = %d, want %d", r, got, n)
					}
				case k < 90:
					c := z.Clone()
					if c.Encoding() != z.Encoding() || !sameEntries(collect(c.Ascend), collect(z.Ascend)) {
						t.Fatal("Clone differs")
					}
					c.Add([]byte("only-in-clone"), 1, 0)
					if _, ok := z.ScoreString("only-in-clone"); ok {
						t.Fatal("Clone shares state")
					}
				}
				if op%10 == 0 {
					checkZSet(t, z, m, rng)
				}
				if z.MemoryUsage() <= 0 {
					t.Fatal("MemoryUsage")
				}
			}
			checkZSet(t, z, m, rng)
		})
	}
}

// TestZSetLex checks lexicographic ranges on sets whose members all have
// the same score (where they are defined), in both encodings.
func TestZSetLex(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{30, 300} {
		z := NewZSet()
		var all []string
		for i := 0; i < n; i++ {
			mb := fmt.Sprintf("%c%d", 'a'+rune(i%26), i)
			all = append(all, mb)
			z.Add([]byte(mb), 0, 0)
		}
		slices.Sort(all)
		bound := func() LexBound {
			switch rng.IntN(8) {
			case 0:
				return LexBound{Inf: -1, Ex: true}
			case 1:
				return LexBound{Inf: 1, Ex: true}
			}
			v := all[rng.IntN(len(all))]
			if rng.IntN(3) == 0 {
				v = v[:1]
			}
			return LexBound{Value: v, Ex: rng.IntN(2) == 0}
		}
		for k := 0; k < 500; k++ {
			r := LexRange{Min: bound(), Max: bound()}
			var in []string
			for _, mb := range all {
				if r.gteMin(mb) && r.lteMax(mb) {
					in = append(in, mb)
				}
			}
			if got := z.CountByLex(r); got != len(in) {
				t.Fatalf("n=%d CountByLex(%+v) = %d, want %d", n, r, got, len(in))
			}
			off, lim := rng.IntN(3), rng.IntN(5)-1
			for _, rv := range []bool{false, true} {
				src := slices.Clone(in)
				if rv {
					slices.Reverse(src)
				}
				exp := src[min(off, len(src)):]
				if lim >= 0 && lim < len(exp) {
					exp = exp[:lim]
				}
				var got []string
				z.RangeByLex(r, rv, off, lim, func(m string, _ float64) bool { got = append(got, m); return true })
				if !slices.Equal(got, exp) {
					t.Fatalf("n=%d RangeByLex(%+v, rev %v, %d, %d):\n got %v\nwant %v", n, r, rv, off, lim, got, exp)
				}
			}
		}
		c := z.Clone()
		r := LexRange{Min: LexBound{Value: "b"}, Max: LexBound{Value: "d"}}
		want := c.CountByLex(r)
		if got := c.RemoveRangeByLex(r); got != want || c.CountByLex(r) != 0 || c.Len() != n-want {
			t.Fatalf("RemoveRangeByLex = %d, want %d", got, want)
		}
		if c.sl != nil {
			checkSkiplist(t, c.sl)
		}
	}
}

func TestZSetEncoding(t *testing.T) {
	z := NewZSet()
	for i := 0; i < ZSetMaxListpackEntries; i++ {
		z.Add([]byte(strconv.Itoa(i)), float64(i), 0)
	}
	if z.Encoding() != "listpack" {
		t.Fatalf("%d entries: %s", z.Len(), z.Encoding())
	}
	z.Add([]byte("0"), 5, 0) // an update does not convert
	if z.Encoding() != "listpack" {
		t.Fatal("update converted")
	}
	z.Add([]byte("new"), 1, 0)
	if z.Encoding() != "skiplist" {
		t.Fatalf("%d entries: %s", z.Len(), z.Encoding())
	}
	for z.Len() > 1 {
		z.Pop(false)
	}
	if z.Encoding() != "skiplist" {
		t.Fatal("converted back")
	}

	v := NewZSet()
	v.Add(make([]byte, ZSetMaxListpackValue), 1, 0)
	if v.Encoding() != "listpack" {
		t.Fatal("a member of the maximum length converted")
	}
	v.Add(make([]byte, ZSetMaxListpackValue+1), 1, 0)
	if v.Encoding() != "skiplist" {
		t.Fatal("a long member did not convert")
	}

	// -0: a listpack keeps 0, a skiplist -0.
	negZero := math.Copysign(0, -1)
	lp := NewZSet()
	lp.Add([]byte("m"), negZero, 0)
	if s, _ := lp.Score([]byte("m")); math.Signbit(s) {
		t.Fatal("listpack kept -0")
	}
	sl := NewZSet()
	sl.Add(make([]byte, 100), 1, 0)
	sl.Add([]byte("m"), negZero, 0)
	if s, _ := sl.Score([]byte("m")); !math.Signbit(s) {
		t.Fatal("skiplist lost -0")
	}

	// NewZSetFrom picks the encoding by content.
	small := NewZSetFrom([]ZEntry{{"b", 2}, {"a", 1}})
	if small.Encoding() != "listpack" || small.At(0).Member != "a" {
		t.Fatal("NewZSetFrom small")
	}
	big := make([]ZEntry, ZSetMaxListpackEntries+1)
	for i := range big {
		big[i] = ZEntry{strconv.Itoa(i), float64(-i)}
	}
	if b := NewZSetFrom(big); b.Encoding() != "skiplist" || b.At(0).Score != -float64(ZSetMaxListpackEntries) {
		t.Fatal("NewZSetFrom big")
	}
	if NewZSetFrom([]ZEntry{{string(make([]byte, 65)), 1}}).Encoding() != "skiplist" {
		t.Fatal("NewZSetFrom long member")
	}
}

// TestZSetAddNaN: a NaN score, or an increment that makes one, changes
// nothing.
func TestZSetAddNaN(t *testing.T) {
	z := NewZSet()
	if _, res := z.Add([]byte("a"), math.NaN(), 0); res != ZAddedNaN || z.Len() != 0 {
		t.Fatal("NaN added")
	}
	z.Add([]byte("a"), math.Inf(1), 0)
	if _, res := z.Add([]byte("a"), math.Inf(-1), ZAddIncr); res != ZAddedNaN {
		t.Fatal("inf + -inf")
	}
	if s, _ := z.Score([]byte("a")); !math.IsInf(s, 1) {
		t.Fatal("score changed")
	}
}

// TestZSetScanNeverMisses: a member present for a whole ZSCAN is returned
// even while other members are added and removed between the calls.
func TestZSetScanNeverMisses(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for round := 0; round < 50; round++ {
		z := NewZSet()
		stable := map[string]bool{}
		for i := 0; i < 300; i++ {
			mb := fmt.Sprintf("s%d", i)
			stable[mb] = true
			z.Add([]byte(mb), float64(rng.IntN(50)), 0)
		}
		var churn []string
		seen := map[string]bool{}
		cursor := uint64(0)
		for calls := 0; ; calls++ {
			cursor = z.Scan(cursor, 1+rng.IntN(20), func(m string, _ float64) { seen[m] = true })
			if cursor == 0 {
				break
			}
			if calls > 10000 {
				t.Fatal("scan does not end")
			}
			for k := rng.IntN(10); k > 0; k-- {
				if len(churn) > 0 && rng.IntN(2) == 0 {
					i := rng.IntN(len(churn))
					z.Remove([]byte(churn[i]))
					churn = append(churn[:i], churn[i+1:]...)
				} else {
					mb := fmt.Sprintf("c%d-%d", round, rng.IntN(1<<30))
					z.Add([]byte(mb), float64(rng.IntN(50)), 0)
					churn = append(churn, mb)
				}
			}
		}
		for mb := range stable {
			if !seen[mb] {
				t.Fatalf("round %d: %q missed", round, mb)
			}
		}
	}
	// A listpack is returned whole with cursor 0, whatever the cursor.
	z := NewZSet()
	z.Add([]byte("a"), 1, 0)
	z.Add([]byte("b"), 2, 0)
	n := 0
	if next := z.Scan(77, 1, func(string, float64) { n++ }); next != 0 || n != 2 {
		t.Fatalf("listpack scan: next %d, %d members", next, n)
	}
}

func TestZSetRandom(t *testing.T) {
	for _, size := range []int{10, 200} {
		z := NewZSet()
		for i := 0; i < size; i++ {
			z.Add([]byte(strconv.Itoa(i)), float64(i), 0)
		}
		for _, count := range []int{1, 2, size / 3, size / 2, size - 1} {
			seen := map[string]bool{}
			var order []float64
			z.RandomDistinct(count, func(m string, s float64) {
				if seen[m] {
					t.Fatalf("size %d count %d: %q twice", size, count, m)
				}
				seen[m] = true
				order = append(order, s)
			})
			if len(seen) != count {
				t.Fatalf("size %d count %d: got %d", size, count, len(seen))
			}
			if z.Encoding() == "listpack" && !slices.IsSorted(order) {
				t.Fatalf("listpack sample not in rank order: %v", order)
			}
		}
		hits := map[string]int{}
		for i := 0; i < 100*size; i++ {
			hits[z.Random().Member]++
		}
		if len(hits) != size {
			t.Fatalf("size %d: Random reached %d members", size, len(hits))
		}
	}
}

func BenchmarkZSetAddExisting(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			z := NewZSet()
			members := make([][]byte, n)
			for i := range members {
				members[i] = []byte("member:" + strconv.Itoa(i))
				z.Add(members[i], float64(i), 0)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				z.Add(members[i%n], float64(i%(2*n)), 0)
			}
		})
	}
}
