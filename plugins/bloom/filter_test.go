package main

import (
	"fmt"
	"testing"
)

func TestMurmur64A(t *testing.T) {
	// From the C reference implementation (RedisBloom's MurmurHash64A_Bloom):
	// the first hash with the fixed seed, the second seeded with the first.
	for _, tt := range []struct {
		in   string
		a, b uint64
	}{
		{"", 0x1ab11ea5a7b2c56e, 0xbbddcb5ab56dd547},
		{"a", 0x4292cee227b9150a, 0x7e9b527031f50c11},
		{"hello", 0x5ba5b8a59803e699, 0xa7d451d588a0c2a4},
		{"hello world!", 0x6fc090f3e01a7b8c, 0xac7352133b63861a},
		{"0123456789abcdef0", 0x64e08134eb3a4633, 0x0cd8a9cd5913ff62},
	} {
		if h := hashItem([]byte(tt.in)); h.a != tt.a || h.b != tt.b {
			t.Errorf("hashItem(%q) = %#x %#x, want %#x %#x", tt.in, h.a, h.b, tt.a, tt.b)
		}
	}
}

func TestChainSizingAndScaling(t *testing.T) {
	// RedisBloom's BF.INFO for a filter BF.ADD creates (0.01, 100): Size 240.
	c, err := newChain(100, 0.01, 2, false)
	if err != nil {
		t.Fatal(err)
	}
	if c.Bytes() != 240 || c.filters[0].hashes != 8 {
		t.Errorf("Bytes %d, hashes %d; want 240 and 8", c.Bytes(), c.filters[0].hashes)
	}
	for i := 0; i < 1000; i++ {
		if _, err := c.Add([]byte(fmt.Sprint("item", i))); err != nil {
			t.Fatal(err)
		}
	}
	// 100 + 200 + 400 + 800: four filters hold 1000 items.
	if len(c.filters) != 4 || c.Capacity() != 1500 {
		t.Errorf("%d filters, capacity %d; want 4 and 1500", len(c.filters), c.Capacity())
	}
	for i := 0; i < 1000; i++ {
		if !c.Exists([]byte(fmt.Sprint("item", i))) {
			t.Fatalf("item%d is missing", i)
		}
	}
	n, err := newChain(10, 0.01, 2, true)
	if err != nil {
		t.Fatal(err)
	}
	var full error
	for i := 0; i < 20 && full == nil; i++ {
		_, full = n.Add([]byte(fmt.Sprint(i)))
	}
	if full != errFull || n.size != 10 {
		t.Errorf("a non-scaling filter of 10: %v after %d items", full, n.size)
	}
}
