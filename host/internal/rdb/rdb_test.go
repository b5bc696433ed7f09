package rdb

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"modis/host/internal/keyspace"
	"modis/host/internal/types"
)

func TestCRC64(t *testing.T) {
	// crc64.c's test vector.
	if got := CRC64(0, []byte("123456789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("crc64 = %x", got)
	}
}

func TestLZFRoundTrip(t *testing.T) {
	for _, s := range []string{
		strings.Repeat("a", 100), strings.Repeat("abcdefgh", 1000), "the quick brown fox jumps over the lazy dog the quick brown fox",
		strings.Repeat("x", 70000) + "tail",
	} {
		c := lzfCompress(nil, []byte(s), len(s)-4)
		if c == nil {
			t.Fatalf("%d bytes did not compress", len(s))
		}
		d, err := lzfDecompress(c, len(s))
		if err != nil || string(d) != s {
			t.Fatalf("round trip of %d bytes: %v", len(s), err)
		}
	}
	if lzfCompress(nil, []byte("abcdefghijklmnopqrstuvwxyz"), 22) != nil {
		t.Fatal("incompressible data compressed")
	}
}

func entries() map[string]*keyspace.Entry {
	m := map[string]*keyspace.Entry{}
	str := func(k, v string, exp int64) {
		m[k] = &keyspace.Entry{Kind: keyspace.KindString, Str: []byte(v), Expire: exp}
	}
	str("s:small", "hello", 0)
	str("s:int", "12345", 0)
	str("s:neg", "-7", 0)
	str("s:i32", "2147483647", 0)
	str("s:i64", "9223372036854775807", 0)
	str("s:lead0", "007", 0)
	str("s:bin", "\x00\xff\r\nbinary", 0)
	str("s:big", strings.Repeat("compressible ", 5000), 1<<42)
	str("s:empty", "", 0)
	l := types.NewList()
	for i := 0; i < 3000; i++ {
		l.PushBack([]byte(fmt.Sprintf("elem-%d-%s", i, strings.Repeat("z", i%100))))
	}
	l.PushBack([]byte("-4096"))
	l.PushBack([]byte("8388607"))
	l.PushBack([]byte("-9223372036854775808"))
	l.PushBack(bytes.Repeat([]byte{1, 2, 3}, 10000))
	m["l:big"] = &keyspace.Entry{Kind: keyspace.KindList, Obj: l}
	ls := types.NewList()
	ls.PushBack([]byte("a"))
	ls.PushBack([]byte("100"))
	m["l:small"] = &keyspace.Entry{Kind: keyspace.KindList, Obj: ls, Expire: 1 << 41}
	si := types.NewSet()
	for _, v := range []int64{1, -5, 40000, 1 << 40} {
		si.AddInt(v)
	}
	m["set:int"] = &keyspace.Entry{Kind: keyspace.KindSet, Obj: si}
	ss := types.NewSet()
	for i := 0; i < 600; i++ {
		ss.Add([]byte(fmt.Sprint("m", i)))
	}
	m["set:big"] = &keyspace.Entry{Kind: keyspace.KindSet, Obj: ss}
	zs := types.NewZSet()
	zs.Add([]byte("a"), 1.5, 0)
	zs.Add([]byte("b"), math.Inf(-1), 0)
	zs.Add([]byte("c"), 3, 0)
	zs.Add([]byte("d"), 1e300, 0)
	zs.Add([]byte("e"), 0.1, 0)
	m["z:small"] = &keyspace.Entry{Kind: keyspace.KindZSet, Obj: zs}
	zb := types.NewZSet()
	for i := 0; i < 300; i++ {
		zb.Add([]byte(fmt.Sprint("member", i)), float64(i)/7, 0)
	}
	m["z:big"] = &keyspace.Entry{Kind: keyspace.KindZSet, Obj: zb}
	hs := types.NewHash()
	hs.Set([]byte("f1"), []byte("v1"))
	hs.Set([]byte("n"), []byte("42"))
	m["h:small"] = &keyspace.Entry{Kind: keyspace.KindHash, Obj: hs}
	hb := types.NewHash()
	hb.Set([]byte("long"), bytes.Repeat([]byte("v"), 100))
	for i := 0; i < 50; i++ {
		hb.Set([]byte(fmt.Sprint("f", i)), []byte(fmt.Sprint(i)))
	}
	m["h:big"] = &keyspace.Entry{Kind: keyspace.KindHash, Obj: hb}
	return m
}

// dump renders an entry's contents for comparison.
func dump(e *keyspace.Entry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s exp=%d ", e.Kind, e.Expire)
	switch e.Kind {
	case keyspace.KindString:
		fmt.Fprintf(&b, "%q", e.Str)
	case keyspace.KindList:
		e.Obj.(*types.List).Each(func(v []byte) bool { fmt.Fprintf(&b, "%q,", v); return true })
	case keyspace.KindSet:
		s := e.Obj.(*types.Set)
		var ms []string
		for i := 0; i < s.Len(); i++ {
			ms = append(ms, string(s.AppendMember(nil, i)))
		}
		slices.Sort(ms)
		fmt.Fprintf(&b, "%s %v", s.Encoding(), ms)
	case keyspace.KindZSet:
		z := e.Obj.(*types.ZSet)
		fmt.Fprintf(&b, "%s ", z.Encoding())
		z.Ascend(func(m string, s float64) bool { fmt.Fprintf(&b, "%q=%v,", m, s); return true })
	case keyspace.KindHash:
		h := e.Hash()
		var ms []string
		h.Range(func(f, v []byte) bool { ms = append(ms, fmt.Sprintf("%q=%q", f, v)); return true })
		slices.Sort(ms)
		fmt.Fprintf(&b, "%s %v", h.Encoding(), ms)
	}
	return b.String()
}

func encodeAll(t *testing.T, m map[string]*keyspace.Entry, compress bool) []byte {
	var buf bytes.Buffer
	enc := NewEncoder(&buf, compress)
	enc.Header()
	enc.Aux("redis-ver", "7.0.15")
	enc.AuxInt("redis-bits", 64)
	enc.SelectDB(3)
	enc.ResizeDB(len(m), 0)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := enc.Entry([]byte(k), m[k]); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Finish(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	for _, compress := range []bool{false, true} {
		m := entries()
		data := encodeAll(t, m, compress)
		got := map[string]*keyspace.Entry{}
		aux := map[string]string{}
		err := Decode(data, Handler{
			Aux: func(k, v []byte) { aux[string(k)] = string(v) },
			Entry: func(db int, key []byte, e *keyspace.Entry) error {
				if db != 3 {
					t.Errorf("db %d", db)
				}
				got[string(key)] = e
				return nil
			},
		})
		if err != nil {
			t.Fatalf("compress=%v: %v", compress, err)
		}
		if aux["redis-ver"] != "7.0.15" || aux["redis-bits"] != "64" {
			t.Errorf("aux %v", aux)
		}
		if len(got) != len(m) {
			t.Fatalf("%d keys back, want %d", len(got), len(m))
		}
		for k, e := range m {
			if a, b := dump(e), dump(got[k]); a != b {
				t.Errorf("compress=%v key %s:\n got %.300s\nwant %.300s", compress, k, b, a)
			}
		}
	}
	if a, b := len(encodeAll(t, entries(), true)), len(encodeAll(t, entries(), false)); a >= b {
		t.Errorf("compressed %d bytes, uncompressed %d", a, b)
	}
}

func TestCorruption(t *testing.T) {
	data := encodeAll(t, entries(), true)
	h := Handler{Entry: func(int, []byte, *keyspace.Entry) error { return nil }}
	for _, cut := range []int{0, 5, 9, 20, len(data) / 2, len(data) - 9, len(data) - 1} {
		err := Decode(data[:cut], h)
		var re *Error
		if !errors.As(err, &re) {
			t.Fatalf("truncated at %d: %v", cut, err)
		}
	}
	for _, at := range []int{30, len(data) / 3, len(data) - 12} {
		bad := bytes.Clone(data)
		bad[at] ^= 0x5a
		if err := Decode(bad, h); err == nil {
			t.Fatalf("flipped byte at %d loaded", at)
		}
	}
	if err := Decode([]byte("REDIS0012\xff"), h); err == nil || !strings.Contains(err.Error(), "version") {
		t.Fatalf("version 12: %v", err)
	}
}

func TestLegacyBlobs(t *testing.T) {
	// A ziplist of "a", 5, -2, 300, 70000 (hand-built).
	zl := []byte{0, 0, 0, 0, 0, 0, 0, 0, 5, 0,
		0, 0x01, 'a',
		3, 0xF6, // immediate 5
		2, 0xFE, 0xFE, // int8 -2
		2, 0xC0, 0x2C, 0x01, // int16 300
		4, 0xF0, 0x70, 0x11, 0x01, // int24 70000
		0xFF}
	zl[0] = byte(len(zl))
	got, err := decodeZiplist(zl)
	if err != nil || fmt.Sprintf("%q", got) != `["a" "5" "-2" "300" "70000"]` {
		t.Fatalf("ziplist: %q %v", got, err)
	}
	zm := []byte{1, 2, 'f', '1', 3, 1, 'v', 'a', 'l', 0, 0xFF}
	got, err = decodeZipmap(zm)
	if err != nil || fmt.Sprintf("%q", got) != `["f1" "val"]` {
		t.Fatalf("zipmap: %q %v", got, err)
	}
	vals, err := decodeIntset(EncodeIntset([]int64{-70000, 1, 1 << 33}))
	if err != nil || !slices.Equal(vals, []int64{-70000, 1, 1 << 33}) {
		t.Fatalf("intset: %v %v", vals, err)
	}
}

// TestNoChecksum: with rdbchecksum no the trailer is zero, and a loader told
// to skip the check accepts a file whose trailer does not match.
func TestNoChecksum(t *testing.T) {
	var buf bytes.Buffer
	enc := NewEncoder(&buf, false)
	enc.NoChecksum = true
	enc.Header()
	if err := enc.Finish(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if !bytes.Equal(b[len(b)-8:], make([]byte, 8)) {
		t.Fatalf("trailer %x, want zero", b[len(b)-8:])
	}
	if err := Decode(b, Handler{}); err != nil {
		t.Fatalf("a zero checksum must load: %v", err)
	}
	b[len(b)-1] = 1 // a wrong checksum
	if err := Decode(b, Handler{}); err == nil {
		t.Fatal("a wrong checksum loaded")
	}
	if err := Decode(b, Handler{SkipChecksum: true}); err != nil {
		t.Fatalf("SkipChecksum: %v", err)
	}
}
