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
