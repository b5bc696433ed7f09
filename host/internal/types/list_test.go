package types

import (
	"bytes"
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// listModel is the obvious list: the reference the List is checked against.
type listModel [][]byte

// checkList verifies l's invariants and that it holds exactly want.
func checkList(t *testing.T, l *List, want listModel, ctx string) {
	t.Helper()
	if l.Len() != len(want) {
		t.Fatalf("%s: Len %d, want %d", ctx, l.Len(), len(want))
	}
	total := 0
	for ci := 0; ci < l.chunks(); ci++ {
		ch := l.chunk(ci)
		if ch.count() == 0 {
			t.Fatalf("%s: chunk %d of %d is empty", ctx, ci, l.chunks())
		}
		if ch.count() > listChunkElems {
			t.Fatalf("%s: chunk %d has %d elements", ctx, ci, ch.count())
		}
		if ch.count() > 1 && ch.size() > listChunkBytes {
			t.Fatalf("%s: chunk %d has %d elements in %d bytes", ctx, ci, ch.count(), ch.size())
		}
		if int(ch.offs[ch.olo]) != ch.blo {
			t.Fatalf("%s: chunk %d: first offset %d, blo %d", ctx, ci, ch.offs[ch.olo], ch.blo)
		}
		for k := ch.olo + 1; k < ch.ohi; k++ {
			if ch.offs[k] < ch.offs[k-1] || int(ch.offs[k]) > ch.bhi {
				t.Fatalf("%s: chunk %d: offsets out of order at %d", ctx, ci, k)
			}
		}
		total += ch.count()
	}
	if total != l.Len() {
		t.Fatalf("%s: chunks hold %d elements, Len %d", ctx, total, l.Len())
	}
	i := 0
	l.Each(func(v []byte) bool {
		if !bytes.Equal(v, want[i]) {
			t.Fatalf("%s: element %d is %q, want %q", ctx, i, v, want[i])
		}
		i++
		return true
	})
	if i != len(want) {
		t.Fatalf("%s: Each visited %d of %d", ctx, i, len(want))
	}
	i = len(want) - 1
	l.EachReverse(func(v []byte) bool {
		if !bytes.Equal(v, want[i]) {
			t.Fatalf("%s: reverse element %d is %q, want %q", ctx, i, v, want[i])
		}
		i--
		return true
	})
	if i != -1 {
		t.Fatalf("%s: EachReverse stopped at %d", ctx, i)
	}
}

func TestListBasics(t *testing.T) {
	l := NewList()
	if l.Encoding() != "quicklist" || l.Len() != 0 {
		t.Fatal("new list")
	}
	if _, ok := l.PopFront(); ok {
		t.Fatal("pop of an empty list")
	}
	if _, ok := l.PopBack(); ok {
		t.Fatal("pop of an empty list")
	}
	if _, ok := l.Index(0); ok {
		t.Fatal("index of an empty list")
	}
	l.PushBack([]byte("b"))
	l.PushFront([]byte("a"))
	l.PushBack([]byte("c"))
	checkList(t, l, listModel{[]byte("a"), []byte("b"), []byte("c")}, "pushes")
	if v, _ := l.Index(-1); string(v) != "c" {
		t.Fatalf("Index(-1) = %q", v)
	}
	if _, ok := l.Index(-4); ok {
		t.Fatal("Index(-4) in range")
	}
	if _, ok := l.Index(3); ok {
		t.Fatal("Index(3) in range")
	}
	if !l.Set(-2, []byte("BB")) || l.Set(3, []byte("x")) {
		t.Fatal("Set")
	}
	if !l.Insert([]byte("BB"), []byte("x"), true) || l.Insert([]byte("zz"), []byte("y"), false) {
		t.Fatal("Insert")
	}
	checkList(t, l, listModel{[]byte("a"), []byte("BB"), []byte("x"), []byte("c")}, "set and insert")
	// Values handed out are the list's own, but never writable into it.
	v, _ := l.Index(0)
	_ = append(v, 'Z')
	checkList(t, l, listModel{[]byte("a"), []byte("BB"), []byte("x"), []byte("c")}, "append to a value")
	cp := l.Clone()
	l.Set(0, []byte("q"))
	checkList(t, cp, listModel{[]byte("a"), []byte("BB"), []byte("x"), []byte("c")}, "clone")
	if l.MemoryUsage() <= 0 || cp.MemoryUsage() <= 0 {
		t.Fatal("MemoryUsage")
	}
	l.Trim(1, 1)
	checkList(t, l, listModel{[]byte("BB"), []byte("x")}, "trim")
	l.Trim(1, 1)
	checkList(t, l, nil, "trim all")
	if NewList().Clone().Len() != 0 {
		t.Fatal("clone of an empty list")
	}
}

// TestListAgainstModel runs long random sequences of every operation on a
// List and on the model, with small chunk-sized and large elements, and
// compares them after every step.
func TestListAgainstModel(t *testing.T) {
	for seed := int64(1); seed <= 12; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewSource(seed))
			l := NewList()
			var m listModel
			value := func() []byte {
				var n int
				switch r := rng.Intn(100); {
				case r < 70:
					n = rng.Intn(12)
				case r < 95:
					n = rng.Intn(300)
				case r < 99:
					n = listChunkBytes/2 + rng.Intn(listChunkBytes)
				default:
					n = 3 * listChunkBytes
				}
				if rng.Intn(3) == 0 { // a value likely to repeat
					return []byte(fmt.Sprint("v", rng.Intn(5)))
				}
				b := make([]byte, n)
				for i := range b {
					b[i] = byte('a' + rng.Intn(26))
				}
				return b
			}
			target := 50 + rng.Intn(3000)
			for step := 0; step < 6000; step++ {
				grow := len(m) < target
				op := rng.Intn(14)
				ctx := fmt.Sprintf("step %d op %d len %d", step, op, len(m))
				switch op {
				case 0, 1, 2:
					if grow || rng.Intn(2) == 0 {
						v := value()
						l.PushFront(v)
						m = append(listModel{append([]byte(nil), v...)}, m...)
						for i := range v {
							v[i] = '#' // the list must have copied it
						}
					}
				case 3, 4, 5:
					if grow || rng.Intn(2) == 0 {
						v := value()
						l.PushBack(v)
						m = append(m, append([]byte(nil), v...))
						for i := range v {
							v[i] = '#' // the list must have copied it
						}
					}
				case 6:
					v, ok := l.PopFront()
					if ok != (len(m) > 0) || ok && !bytes.Equal(v, m[0]) {
						t.Fatalf("%s: PopFront %q %v", ctx, v, ok)
					}
					if ok {
						m = m[1:]
					}
				case 7:
					v, ok := l.PopBack()
					if ok != (len(m) > 0) || ok && !bytes.Equal(v, m[len(m)-1]) {
						t.Fatalf("%s: PopBack %q %v", ctx, v, ok)
					}
					if ok {
						m = m[:len(m)-1]
					}
				case 8:
					if len(m) == 0 {
						continue
					}
					i := rng.Intn(len(m))
					if rng.Intn(2) == 0 {
						i -= len(m)
					}
					v := value()
					if !l.Set(i, v) {
						t.Fatalf("%s: Set(%d)", ctx, i)
					}
					if i < 0 {
						i += len(m)
					}
					m[i] = append([]byte(nil), v...)
				case 9:
					if len(m) == 0 {
						continue
					}
					pivot := m[rng.Intn(len(m))]
					if rng.Intn(4) == 0 {
						pivot = []byte("nosuchpivot")
					}
					v := value()
					after := rng.Intn(2) == 0
					want := -1
					for i, e := range m {
						if bytes.Equal(e, pivot) {
							want = i
							break
						}
					}
					pivot = append([]byte(nil), pivot...)
					if got := l.Insert(pivot, v, after); got != (want >= 0) {
						t.Fatalf("%s: Insert found %v", ctx, got)
					}
					if want >= 0 {
						if after {
							want++
						}
						m = append(m[:want], append(listModel{append([]byte(nil), v...)}, m[want:]...)...)
					}
				case 10:
					v := []byte(fmt.Sprint("v", rng.Intn(5)))
					count := rng.Intn(7) - 3
					if rng.Intn(10) == 0 {
						count = math.MinInt
					}
					want := 0
					var keep listModel
					if count >= 0 {
						for _, e := range m {
							if bytes.Equal(e, v) && (count == 0 || want < count) {
								want++
								continue
							}
							keep = append(keep, e)
						}
					} else {
						limit := -count
						for i := len(m) - 1; i >= 0; i-- {
							if bytes.Equal(m[i], v) && (limit < 0 || want < limit) {
								want++
								continue
							}
							keep = append(listModel{m[i]}, keep...)
						}
					}
					if got := l.Remove(v, count); got != want {
						t.Fatalf("%s: Remove(%q, %d) = %d, want %d", ctx, v, count, got, want)
					}
					m = keep
				case 11:
					if len(m) == 0 {
						continue
					}
					front, back := rng.Intn(len(m)/4+2), rng.Intn(len(m)/4+2)
					l.Trim(front, back)
					if front+back >= len(m) {
						m = nil
					} else {
						m = m[front : len(m)-back]
					}
				case 12:
					if len(m) == 0 {
						continue
					}
					i := rng.Intn(len(m))
					v, ok := l.Index(i)
					if !ok || !bytes.Equal(v, m[i]) {
						t.Fatalf("%s: Index(%d) = %q", ctx, i, v)
					}
					v, ok = l.Index(i - len(m))
					if !ok || !bytes.Equal(v, m[i]) {
						t.Fatalf("%s: Index(%d) = %q", ctx, i-len(m), v)
					}
				case 13:
					if len(m) == 0 {
						continue
					}
					a, b := rng.Intn(len(m)), rng.Intn(len(m))
					if a > b {
						a, b = b, a
					}
					i := a
					l.Range(a, b, func(v []byte) bool {
						if !bytes.Equal(v, m[i]) {
							t.Fatalf("%s: Range(%d, %d) at %d: %q", ctx, a, b, i, v)
						}
						i++
						return true
					})
					if i != b+1 {
						t.Fatalf("%s: Range(%d, %d) stopped at %d", ctx, a, b, i)
					}
					i = b
					l.RangeReverse(a, b, func(v []byte) bool {
						if !bytes.Equal(v, m[i]) {
							t.Fatalf("%s: RangeReverse(%d, %d) at %d: %q", ctx, a, b, i, v)
						}
						i--
						return true
					})
					if i != a-1 {
						t.Fatalf("%s: RangeReverse(%d, %d) stopped at %d", ctx, a, b, i)
					}
				}
				if step%50 == 0 || len(m) < 20 {
					checkList(t, l, m, ctx)
				}
				if step%1000 == 999 {
					checkList(t, l.Clone(), m, ctx+" clone")
				}
			}
			checkList(t, l, m, "end")
		})
	}
}

// TestListMemory checks that small elements cost about their size plus an
// offset, as in a listpack, rather than a slice header and an allocation
// each.
func TestListMemory(t *testing.T) {
	for _, front := range []bool{false, true} {
		l := NewList()
		const n = 100000
		for i := 0; i < n; i++ {
			v := []byte(fmt.Sprintf("%08d", i))
			if front {
				l.PushFront(v)
			} else {
				l.PushBack(v)
			}
		}
		per := float64(l.MemoryUsage()) / n
		if per > 14 {
			t.Errorf("front=%v: %.1f bytes per 8-byte element", front, per)
		}
		// Pops from both ends keep working across chunks and give memory
		// back.
		for i := 0; i < n-10; i++ {
			if i%2 == 0 {
				l.PopFront()
			} else {
				l.PopBack()
			}
		}
		if l.Len() != 10 || l.MemoryUsage() > 40000 {
			t.Errorf("front=%v: after pops: len %d, %d bytes", front, l.Len(), l.MemoryUsage())
		}
	}
}

// A queue (push at one end, pop at the other) runs without allocating once
// warm.
func TestListQueueAllocs(t *testing.T) {
	l := NewList()
	v := []byte("0123456789")
	for i := 0; i < 5000; i++ {
		l.PushBack(v)
	}
	allocs := testing.AllocsPerRun(10000, func() {
		l.PushBack(v)
		l.PopFront()
	})
	if allocs > 0.01 {
		t.Errorf("%.3f allocations per push+pop", allocs)
	}
	small := NewList()
	small.PushBack(v)
	allocs = testing.AllocsPerRun(10000, func() {
		small.PushFront(v)
		small.PopBack()
	})
	if allocs > 0.01 {
		t.Errorf("one-chunk list: %.3f allocations per push+pop", allocs)
	}
}

func BenchmarkListPushPop(b *testing.B) {
	l := NewList()
	v := []byte("0123456789")
	for i := 0; i < 1000; i++ {
		l.PushBack(v)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		l.PushBack(v)
		l.PopFront()
	}
}

func BenchmarkListIndexMiddle(b *testing.B) {
	l := NewList()
	v := []byte("0123456789")
	for i := 0; i < 100000; i++ {
		l.PushBack(v)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		l.Index(50000)
	}
}
