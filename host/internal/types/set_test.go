package types

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// members returns the set's members as strings, in the set's order.
func members(s *Set) []string {
	out := make([]string, 0, s.Len())
	for i := 0; i < s.Len(); i++ {
		out = append(out, string(s.AppendMember(nil, i)))
	}
	return out
}

func TestParseSetInt(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"1", 1, true}, {"-1", -1, true}, {"123", 123, true},
		{"9223372036854775807", 9223372036854775807, true},
		{"-9223372036854775808", -9223372036854775808, true},
		{"9223372036854775808", 0, false}, {"-9223372036854775809", 0, false},
		{"99999999999999999999", 0, false}, {"-0", 0, false}, {"00", 0, false},
		{"007", 0, false}, {"+1", 0, false}, {" 1", 0, false}, {"1 ", 0, false},
		{"", 0, false}, {"-", 0, false}, {"1a", 0, false}, {"1.0", 0, false},
		{"123456789012345678901", 0, false},
	} {
		got, ok := parseSetInt(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseSetInt(%q) = %d %v, want %d %v", tt.in, got, ok, tt.want, tt.ok)
		}
		got, ok = parseSetInt([]byte(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseSetInt([]byte %q) = %d %v", tt.in, got, ok)
		}
	}
}

func TestSetEncodings(t *testing.T) {
	s := NewSet()
	for _, m := range []string{"3", "-1", "2", "9223372036854775807", "-9223372036854775808"} {
		if !s.Add([]byte(m)) {
			t.Fatalf("Add %s: not new", m)
		}
	}
	if s.Add([]byte("2")) {
		t.Fatal("Add of a member reported new")
	}
	if s.Encoding() != "intset" || s.Len() != 5 {
		t.Fatalf("encoding %s len %d", s.Encoding(), s.Len())
	}
	want := []string{"-9223372036854775808", "-1", "2", "3", "9223372036854775807"}
	if got := members(s); !slices.Equal(got, want) {
		t.Fatalf("intset order %v", got)
	}
	for _, m := range []string{"-0", "007", "+1", "x"} {
		if s.Has([]byte(m)) || s.Remove([]byte(m)) {
			t.Fatalf("%q is no member", m)
		}
	}
	if !s.Has([]byte("-1")) || !s.HasInt(3) || !s.HasString("2") || s.HasInt(4) {
		t.Fatal("Has on intset")
	}
	// A non-integer converts, for good.
	if !s.Add([]byte("-0")) || s.Encoding() != "hashtable" || s.Len() != 6 {
		t.Fatalf("after -0: %s %d", s.Encoding(), s.Len())
	}
	if !s.Has([]byte("-1")) || !s.HasInt(-9223372036854775808) || !s.Has([]byte("-0")) || s.HasInt(0) {
		t.Fatal("Has on hashtable")
	}
	if !s.Remove([]byte("-0")) || s.Encoding() != "hashtable" {
		t.Fatal("remove keeps hashtable")
	}
	if !s.RemoveInt(3) || s.RemoveInt(3) || !s.RemoveString("2") || s.RemoveString("2") {
		t.Fatal("RemoveInt/RemoveString on hashtable")
	}
	if s.AddInt(-1) || !s.AddInt(42) || !s.HasString("42") {
		t.Fatal("AddInt on hashtable")
	}

	// Too many integers convert too.
	big := NewSet()
	for i := 0; i < SetMaxIntsetEntries; i++ {
		big.AddInt(int64(i))
	}
	if big.Encoding() != "intset" {
		t.Fatal("512 integers should stay an intset")
	}
	big.Add([]byte("512"))
	if big.Encoding() != "hashtable" || big.Len() != SetMaxIntsetEntries+1 {
		t.Fatalf("513 integers: %s %d", big.Encoding(), big.Len())
	}
	for i := 0; i <= SetMaxIntsetEntries; i++ {
		if !big.Has([]byte(strconv.Itoa(i))) {
			t.Fatalf("lost %d", i)
		}
	}

	// The threshold is a variable, as hash-max-listpack-entries.
	defer func(old int) { SetMaxIntsetEntries = old }(SetMaxIntsetEntries)
	SetMaxIntsetEntries = 2
	small := NewSet()
	small.AddInt(1)
	small.AddInt(2)
	if small.Encoding() != "intset" {
		t.Fatal("2 of 2")
	}
	small.AddInt(3)
	if small.Encoding() != "hashtable" {
		t.Fatal("3 of 2")
	}
}

func TestSetRemoveAtSwap(t *testing.T) {
	s := NewSet()
	for _, m := range []string{"a", "b", "c", "d"} {
		s.Add([]byte(m))
	}
	str, _, isInt := s.RemoveAt(1)
	if str != "b" || isInt {
		t.Fatalf("RemoveAt(1) = %q", str)
	}
	if got := members(s); !slices.Equal(got, []string{"a", "d", "c"}) {
		t.Fatalf("after swap-remove %v", got)
	}
	if !s.Has([]byte("d")) || s.Has([]byte("b")) || !s.Remove([]byte("d")) || !s.Has([]byte("c")) {
		t.Fatal("index map out of date")
	}
	is := NewSet()
	is.AddInt(5)
	is.AddInt(1)
	if _, v, isInt := is.RemoveAt(0); v != 1 || !isInt || is.Len() != 1 {
		t.Fatal("intset RemoveAt")
	}
}

// Every member present for a whole SSCAN is returned, however the set
// changes between the calls.
func TestSetScanGuarantee(t *testing.T) {
	for round := 0; round < 50; round++ {
		s := NewSet()
		stable := map[string]bool{}
		var volatile []string
		for i := 0; i < 600; i++ {
			m := fmt.Sprint("m", i)
			s.Add([]byte(m))
			if rand.IntN(2) == 0 {
				stable[m] = true
			} else {
				volatile = append(volatile, m)
			}
		}
		seen := map[string]bool{}
		var cursor uint64
		next := 1000
		for calls := 0; ; calls++ {
			if calls > 10000 {
				t.Fatal("scan does not end")
			}
			cursor = s.Scan(cursor, 1+rand.IntN(20), func(i int) {
				str, _, _ := s.At(i)
				seen[str] = true
			})
			if cursor == 0 {
				break
			}
			// Change the set: remove volatile members, add new ones.
			for k := rand.IntN(15); k > 0 && len(volatile) > 0; k-- {
				j := rand.IntN(len(volatile))
				s.Remove([]byte(volatile[j]))
				volatile = slices.Delete(volatile, j, j+1)
			}
			for k := rand.IntN(15); k > 0; k-- {
				m := fmt.Sprint("n", next)
				next++
				s.Add([]byte(m))
				volatile = append(volatile, m)
			}
		}
		for m := range stable {
			if !seen[m] {
				t.Fatalf("round %d: scan missed %s", round, m)
			}
		}
	}
}

func TestSetScanIntset(t *testing.T) {
	s := NewSet()
	for i := 0; i < 100; i++ {
		s.AddInt(int64(i))
	}
	n := 0
	if next := s.Scan(12345, 10, func(int) { n++ }); next != 0 || n != 100 {
		t.Fatalf("intset scan: next %d, %d members", next, n)
	}
}

func TestSetRandom(t *testing.T) {
	for _, size := range []int{1, 2, 10, 100, 1000} {
		s := NewSet()
		for i := 0; i < size; i++ {
			s.Add([]byte(fmt.Sprint("x", i)))
		}
		for _, n := range []int{0, 1, size / 3, size / 2, size - 1, size} {
			if n < 0 {
				continue
			}
			got := s.RandomDistinct(n)
			if len(got) != n {
				t.Fatalf("RandomDistinct(%d) of %d: %d", n, size, len(got))
			}
			seen := map[int]bool{}
			for _, i := range got {
				if i < 0 || i >= size || seen[i] {
					t.Fatalf("RandomDistinct(%d) of %d: bad %v", n, size, got)
				}
				seen[i] = true
			}
		}
		for k := 0; k < 100; k++ {
			if i := s.RandomIndex(); i < 0 || i >= size {
				t.Fatal("RandomIndex out of range")
			}
		}
	}
}

func TestSetPopRandom(t *testing.T) {
	for _, tt := range []struct {
		members []string
		count   int
		enc     string // encoding after the pop
	}{
		{[]string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}, 2, "intset"},   // one at a time
		{[]string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}, 9, "intset"},   // rebuilt
		{[]string{"a", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, 2, "hashtable"}, // one at a time
	} {
		s := NewSet()
		for _, m := range tt.members {
			s.Add([]byte(m))
		}
		var popped []string
		s.PopRandom(tt.count, func(str string, v int64, isInt bool) {
			if isInt {
				str = strconv.FormatInt(v, 10)
			}
			popped = append(popped, str)
		})
		if len(popped) != tt.count || s.Len() != len(tt.members)-tt.count {
			t.Fatalf("popped %d, left %d", len(popped), s.Len())
		}
		all := append(members(s), popped...)
		slices.Sort(all)
		want := slices.Clone(tt.members)
		slices.Sort(want)
		if !slices.Equal(all, want) {
			t.Fatalf("popped+left %v, want %v", all, want)
		}
		if tt.enc == "intset" && s.Encoding() != "intset" {
			t.Fatalf("encoding %s", s.Encoding())
		}
	}
	// The rebuild takes the intset encoding back when the survivors allow it,
	// as Redis's SPOP with a large count does.
	for tries := 0; tries < 100; tries++ {
		s := NewSet()
		for _, m := range []string{"a", "1", "2", "3", "4", "5"} {
			s.Add([]byte(m))
		}
		s.PopRandom(5, func(string, int64, bool) {})
		if s.Len() != 1 {
			t.Fatal("len")
		}
		if str, _, isInt := s.At(0); !isInt && str != "a" || isInt != (s.Encoding() == "intset") {
			t.Fatalf("rebuilt %q as %s", str, s.Encoding())
		}
	}
}

func TestSetCloneAndMemory(t *testing.T) {
	s := NewSet()
	s.AddInt(1)
	c := s.Clone()
	c.AddInt(2)
	if s.Len() != 1 || c.Len() != 2 || c.Encoding() != "intset" {
		t.Fatal("intset clone shares")
	}
	small := s.MemoryUsage()
	for i := 0; i < 100; i++ {
		s.Add([]byte(fmt.Sprint("member-", i)))
	}
	c = s.Clone()
	c.Remove([]byte("member-5"))
	c.Add([]byte("other"))
	if !s.Has([]byte("member-5")) || s.Has([]byte("other")) || c.Encoding() != "hashtable" {
		t.Fatal("hashtable clone shares")
	}
	if !slices.Equal(members(s)[:3], []string{"1", "member-0", "member-1"}) {
		t.Fatalf("order %v", members(s)[:3])
	}
	big := s.MemoryUsage()
	if big <= small+100*len("member-00") {
		t.Fatalf("MemoryUsage %d -> %d", small, big)
	}
	for i := 0; i < 100; i++ {
		s.Remove([]byte(fmt.Sprint("member-", i)))
	}
	if s.Len() != 1 || s.MemoryUsage() >= big {
		t.Fatalf("after removals: len %d, memory %d (was %d)", s.Len(), s.MemoryUsage(), big)
	}
	if !s.Has([]byte("1")) {
		t.Fatal("lost 1 in shrink")
	}
}

func TestSetHotPathAllocs(t *testing.T) {
	s := NewSet()
	for i := 0; i < 1000; i++ {
		s.Add([]byte(fmt.Sprint("k", i)))
	}
	m := []byte("k500")
	num := []byte("500")
	is := NewSet()
	is.AddInt(500)
	if n := testing.AllocsPerRun(100, func() {
		s.Has(m)
		s.Add(m)
		s.HasInt(500)
		is.Has(num)
		is.Add(num)
		is.HasString("500")
	}); n != 0 {
		t.Fatalf("%v allocations", n)
	}
}

// SPOP's rebuild (few survivors) keeps the scan guarantee: a survivor never
// moves to a higher position.
func TestSetScanAcrossPopRebuild(t *testing.T) {
	for round := 0; round < 200; round++ {
		s := NewSet()
		for i := 0; i < 60; i++ {
			if rand.IntN(3) == 0 {
				s.AddInt(int64(rand.IntN(1000)))
			} else {
				s.Add([]byte(fmt.Sprint("m", i)))
			}
		}
		if s.Encoding() != "hashtable" {
			continue
		}
		seen := map[string]bool{}
		visit := func(i int) { seen[string(s.AppendMember(nil, i))] = true }
		// Stop the first call a few positions above the bottom, where the
		// survivors of the rebuild land.
		cursor := s.Scan(0, s.Len()-1-rand.IntN(10), visit)
		var survivors []string
		if cursor != 0 {
			before := members(s)
			popped := map[string]bool{}
			s.PopRandom(s.Len()-1-rand.IntN(s.Len()/6), func(str string, v int64, isInt bool) {
				if isInt {
					str = strconv.FormatInt(v, 10)
				}
				popped[str] = true
			})
			for _, m := range before {
				if !popped[m] {
					survivors = append(survivors, m)
				}
			}
			for cursor != 0 {
				cursor = s.Scan(cursor, 1+rand.IntN(5), visit)
			}
		}
		for _, m := range survivors {
			if !seen[m] {
				t.Fatalf("round %d: scan missed survivor %s (%s)", round, m, s.Encoding())
			}
		}
	}
}
