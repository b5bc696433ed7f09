package types

import (
	"fmt"
	"testing"
)

func TestHashEncodings(t *testing.T) {
	h := NewHash()
	if !h.Set([]byte("a"), []byte("1")) || h.Set([]byte("a"), []byte("2")) {
		t.Fatal("Set should report new fields only")
	}
	if v, ok := h.Get([]byte("a")); !ok || string(v) != "2" {
		t.Fatalf("Get a = %q %v", v, ok)
	}
	if h.Encoding() != "listpack" {
		t.Fatalf("small hash encoding %s", h.Encoding())
	}
	for i := 0; i < HashMaxListpackEntries; i++ {
		h.Set([]byte(fmt.Sprint("f", i)), []byte("v"))
	}
	if h.Encoding() != "hashtable" || h.Len() != HashMaxListpackEntries+1 {
		t.Fatalf("big hash: %s len %d", h.Encoding(), h.Len())
	}
	if v, ok := h.Get([]byte("a")); !ok || string(v) != "2" {
		t.Fatalf("after convert Get a = %q %v", v, ok)
	}
	if !h.Delete([]byte("a")) || h.Delete([]byte("a")) {
		t.Fatal("Delete should report presence")
	}
	big := NewHash()
	big.Set([]byte("f"), make([]byte, HashMaxListpackValue+1))
	if big.Encoding() != "hashtable" {
		t.Fatal("long value should convert")
	}
}

func bigHash(n int) *Hash {
	h := NewHash()
	for i := 0; i < n; i++ {
		h.Set([]byte(fmt.Sprint("f", i)), []byte(fmt.Sprint("v", i)))
	}
	return h
}

func TestHashSwapRemove(t *testing.T) {
	h := bigHash(1000)
	if h.Encoding() != "hashtable" {
		t.Fatal("want a hashtable")
	}
	for i := 0; i < 1000; i += 3 {
		if !h.Delete([]byte(fmt.Sprint("f", i))) {
			t.Fatalf("Delete f%d", i)
		}
	}
	if h.Len() != 666 {
		t.Fatalf("Len %d", h.Len())
	}
	seen := map[string]bool{}
	for i := 0; i < h.Len(); i++ {
		f, v := h.At(i)
		if "v"+string(f[1:]) != string(v) || seen[string(f)] {
			t.Fatalf("At(%d) = %s %s", i, f, v)
		}
		seen[string(f)] = true
		if got, ok := h.Get(f); !ok || string(got) != string(v) {
			t.Fatalf("Get(%s) = %s %v", f, got, ok)
		}
	}
	for i := 0; i < 1000; i++ {
		_, ok := h.Get([]byte(fmt.Sprint("f", i)))
		if ok != (i%3 != 0) {
			t.Fatalf("f%d present %v", i, ok)
		}
	}
	// Deleting down to nothing and refilling works.
	for i := 0; i < 1000; i++ {
		h.Delete([]byte(fmt.Sprint("f", i)))
	}
	if h.Len() != 0 || h.Encoding() != "hashtable" {
		t.Fatalf("emptied: len %d %s", h.Len(), h.Encoding())
	}
	if !h.Set([]byte("x"), []byte("y")) || h.Len() != 1 {
		t.Fatal("refill")
	}
}

func TestHashScanDesc(t *testing.T) {
	small := bigHash(3)
	n := 0
	if next := small.ScanDesc(12345, 1, func(f, v []byte) { n++ }); next != 0 || n != 3 {
		t.Fatalf("compact scan: next %d, %d visited", next, n)
	}
	h := bigHash(100)
	seen := map[string]int{}
	cursor, calls := uint64(0), 0
	for {
		cursor = h.ScanDesc(cursor, 7, func(f, _ []byte) { seen[string(f)]++ })
		calls++
		if cursor == 0 {
			break
		}
		// Delete a field the scan has not reached (the last entry moves
		// into it) and add one.
		if calls%2 == 0 {
			f, _ := h.At(int(cursor) / 2)
			h.Delete(append([]byte(nil), f...))
		}
		h.Set([]byte(fmt.Sprint("new", calls)), []byte("v"))
	}
	for i := 0; i < 100; i++ {
		f := fmt.Sprint("f", i)
		if _, ok := h.Get([]byte(f)); ok && seen[f] == 0 {
			t.Fatalf("%s present throughout but never visited", f)
		}
	}
}

func TestHashClone(t *testing.T) {
	for _, n := range []int{3, 600} {
		h := bigHash(n)
		c := h.Clone()
		if c.Len() != n || c.Encoding() != h.Encoding() {
			t.Fatalf("clone of %d: len %d %s", n, c.Len(), c.Encoding())
		}
		h.Set([]byte("f0"), []byte("changed"))
		h.Delete([]byte("f1"))
		if v, _ := c.Get([]byte("f0")); string(v) != "v0" {
			t.Fatalf("clone shares values: %s", v)
		}
		if _, ok := c.Get([]byte("f1")); !ok {
			t.Fatal("clone shares fields")
		}
		f, _ := c.At(2)
		if v, _ := c.Get(f); string(v) != "v"+string(f[1:]) {
			t.Fatal("clone index broken")
		}
	}
}

func TestHashMemoryUsage(t *testing.T) {
	small, big := bigHash(10), bigHash(10000)
	if m := small.MemoryUsage(); m < 10*(2+2) || m > 2000 {
		t.Fatalf("10 fields: %d bytes", m)
	}
	// Each field holds ~10 bytes of data plus headers and the map.
	if m := big.MemoryUsage(); m < 10000*(10+40) || m > 10000*200 {
		t.Fatalf("10000 fields: %d bytes", m)
	}
	before := big.MemoryUsage()
	big.Set([]byte("f1"), make([]byte, 10000))
	if big.MemoryUsage() < before+9000 {
		t.Fatal("a big value is not counted")
	}
}
