package hll

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"testing"
)

// The expected values below were produced by redis-server 7.0.15.

func TestNew(t *testing.T) {
	want := "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"
	if got := string(New()); got != want {
		t.Fatalf("New() = %q", got)
	}
	if !Valid(New()) || !IsSparse(New()) {
		t.Fatal("New is not a valid sparse HyperLogLog")
	}
	if card, _, ok := Count(New()); !ok || card != 0 {
		t.Fatalf("Count(New()) = %d %v", card, ok)
	}
}

func TestValid(t *testing.T) {
	dense := make([]byte, DenseSize)
	copy(dense, "HYLL")
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"", false},
		{"HYLL\x01", false},
		{"HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", true}, // empty body: Valid, but corrupt
		{"HYLX\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff", false},
		{"HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff", false},
		{"HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff", false}, // dense, wrong size
		{string(dense), true},
		{string(dense) + "x", false},
	} {
		if got := Valid([]byte(tc.s)); got != tc.want {
			t.Errorf("Valid(%q) = %v", tc.s, got)
		}
	}
}

func add(t *testing.T, s []byte, from, to int) []byte {
	t.Helper()
	for i := from; i <= to; i++ {
		var r int
		s, r = Add(s, []byte(strconv.Itoa(i)))
		if r < 0 {
			t.Fatalf("Add %d: corrupt", i)
		}
		if r == 1 {
			Invalidate(s)
		}
	}
	return s
}

func digest(s []byte) string {
	h := sha256.Sum256(s)
	return hex.EncodeToString(h[:])
}

func TestGolden(t *testing.T) {
	s := New()
	for _, e := range []string{"a", "b", "c"} {
		var r int
		if s, r = Add(s, []byte(e)); r != 1 {
			t.Fatalf("Add %s = %d", e, r)
		}
	}
	Invalidate(s)
	want := "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80`\xf3\x80P\xb1\x84K\xfb\x80BZ"
	if string(s) != want {
		t.Fatalf("PFADD a b c: %q", s)
	}
	if card, recomputed, ok := Count(s); card != 3 || !recomputed || !ok {
		t.Fatalf("Count = %d %v %v", card, recomputed, ok)
	}
	if string(s[8:16]) != "\x03\x00\x00\x00\x00\x00\x00\x00" {
		t.Fatalf("cached cardinality not stored: %q", s[8:16])
	}
	if _, recomputed, _ := Count(s); recomputed {
		t.Fatal("a valid cache was recomputed")
	}

	// 1..1000 stays sparse; 1..100000 is dense.
	s = add(t, New(), 1, 1000)
	Count(s)
	if len(s) != 1922 || !IsSparse(s) || digest(s) != "719dd6d68459551c0ffe9f675882cee133adeaf55feed3f7ef33f0f0df867a33" {
		t.Fatalf("1..1000: len %d sparse %v sha %s", len(s), IsSparse(s), digest(s))
	}
	if card, _, _ := Count(s); card != 1001 {
		t.Fatalf("1..1000 count %d", card)
	}
	s = add(t, s, 1001, 100000)
	Count(s)
	if len(s) != DenseSize || IsSparse(s) || digest(s) != "c65d9bc48e944a8319c21a54d0311a7f95cf81d44c35395337b09a6382d84c37" {
		t.Fatalf("1..100000: len %d sparse %v sha %s", len(s), IsSparse(s), digest(s))
	}
	if card, _, _ := Count(s); card != 99562 {
		t.Fatalf("1..100000 count %d", card)
	}
}

// TestSparseDenseAgree adds the same elements to a sparse and a dense
// HyperLogLog and checks registers and counts agree all along.
func TestSparseDenseAgree(t *testing.T) {
	sparse := New()
	dense, _ := toDense(New())
	for i := 0; i < 5000; i++ {
		e := []byte("e" + strconv.Itoa(i*7919))
		var r1, r2 int
		sparse, r1 = Add(sparse, e)
		dense, r2 = Add(dense, e)
		if r1 != r2 {
			t.Fatalf("element %d: sparse %d dense %d", i, r1, r2)
		}
		Invalidate(sparse)
		Invalidate(dense)
		if i%250 == 0 {
			c1, _, ok1 := Count(sparse)
			c2, _, ok2 := Count(dense)
			if c1 != c2 || !ok1 || !ok2 {
				t.Fatalf("element %d: counts %d %d", i, c1, c2)
			}
		}
	}
	var m1, m2 [Registers]uint8
	Merge(&m1, sparse)
	Merge(&m2, dense)
	if m1 != m2 {
		t.Fatal("registers differ")
	}
}

func TestCorrupt(t *testing.T) {
	for _, s := range []string{
		"HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80",                 // no opcodes
		"HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfe",         // one register short
		"HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff\x7f\xff", // twice too many
		"HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff\x80",     // one too many
	} {
		b := []byte(s)
		if _, _, ok := Count(b); ok {
			t.Errorf("Count(%q) ok", s)
		}
		var m [Registers]uint8
		if Merge(&m, b) {
			t.Errorf("Merge(%q) ok", s)
		}
	}
}

func BenchmarkAddDense(b *testing.B) {
	s, _ := toDense(New())
	e := []byte("element:000000")
	for i := 0; i < b.N; i++ {
		e[13] = byte(i)
		s, _ = Add(s, e)
	}
}

func BenchmarkCountDense(b *testing.B) {
	s, _ := toDense(New())
	for i := 0; i < b.N; i++ {
		Invalidate(s)
		Count(s)
	}
}
