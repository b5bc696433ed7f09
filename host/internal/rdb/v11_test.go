package rdb

import (
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"testing"

	"modis/host/internal/keyspace"
	"modis/host/internal/types"
)

// setListpack is a listpack, built by hand byte by byte as Redis 7.2's
// listpack.c lays it out, holding the members "a", 5, "hello", -2 and
// 70000: each entry is its encoding and its back length.
var setListpack = func() []byte {
	body := []byte{
		0x81, 'a', 0x02, // 6-bit string "a", backlen 2
		0x05, 0x01, // 7-bit unsigned 5
		0x85, 'h', 'e', 'l', 'l', 'o', 0x06, // 6-bit string "hello"
		0xDF, 0xFE, 0x02, // 13-bit signed -2 (8190)
		0xF2, 0x70, 0x11, 0x01, 0x04, // 24-bit signed 70000
	}
	lp := binary.LittleEndian.AppendUint32(nil, uint32(6+len(body)+1))
	lp = binary.LittleEndian.AppendUint16(lp, 5)
	lp = append(lp, body...)
	return append(lp, 0xFF)
}()

// rdbString is an RDB string with a 6-bit length (short strings only).
func rdbString(s []byte) []byte { return append([]byte{byte(len(s))}, s...) }

// TestDecodeVersion11SetListpack: a file as Redis 7.2 writes it (REDIS0011,
// a set in RDB_TYPE_SET_LISTPACK, 20) loads, the CRC-64 checked.
func TestDecodeVersion11SetListpack(t *testing.T) {
	b := []byte("REDIS0011")
	b = append(b, OpAux)
	b = append(b, rdbString([]byte("redis-ver"))...)
	b = append(b, rdbString([]byte("7.2.4"))...)
	b = append(b, OpSelectDB, 0, OpResizeDB, 2, 1)
	b = append(b, TypeSetListpack)
	b = append(b, rdbString([]byte("myset"))...)
	b = append(b, rdbString(setListpack)...)
	b = append(b, OpExpireTimeMS)
	b = binary.LittleEndian.AppendUint64(b, 1<<42)
	b = append(b, TypeSetListpack)
	b = append(b, rdbString([]byte("ints"))...)
	ints := []byte{0x0B, 0, 0, 0, 2, 0, 0x01, 0x01, 0x07, 0x01, 0xFF} // 1 and 7
	b = append(b, rdbString(ints)...)
	b = append(b, OpEOF)
	b = binary.LittleEndian.AppendUint64(b, CRC64(0, b))

	got := map[string]*keyspace.Entry{}
	err := Decode(b, Handler{Entry: func(db int, key []byte, e *keyspace.Entry) error {
		got[string(key)] = e
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	members := func(e *keyspace.Entry) []string {
		s, ok := e.Obj.(*types.Set)
		if e.Kind != keyspace.KindSet || !ok {
			t.Fatalf("not a set: %v %T", e.Kind, e.Obj)
		}
		var out []string
		for i := 0; i < s.Len(); i++ {
			out = append(out, string(s.AppendMember(nil, i)))
		}
		slices.Sort(out)
		return out
	}
	if m := members(got["myset"]); !slices.Equal(m, []string{"-2", "5", "70000", "a", "hello"}) {
		t.Errorf("myset = %q", m)
	}
	if e := got["ints"]; e == nil || e.Expire != 1<<42 || !slices.Equal(members(e), []string{"1", "7"}) {
		t.Errorf("ints = %+v", e)
	} else if !e.Obj.(*types.Set).IsIntset() {
		t.Errorf("a listpack set of integers should load as an intset (as the configured thresholds say)")
	}

	// The checksum covers it: a flipped byte in the listpack fails.
	bad := slices.Clone(b)
	bad[len(b)-20] ^= 1
	if err := Decode(bad, Handler{}); err == nil {
		t.Error("a corrupt version 11 file loaded")
	}
	// A duplicate member is corruption, as in Redis; an empty set is
	// refused as the decoder refuses every empty collection.
	for name, lp := range map[string][]byte{
		"duplicate": {0x0D, 0, 0, 0, 2, 0, 0x81, 'a', 0x02, 0x81, 'a', 0x02, 0xFF},
		"empty":     {0x07, 0, 0, 0, 0, 0, 0xFF},
	} {
		f := []byte("REDIS0011")
		f = append(f, TypeSetListpack)
		f = append(f, rdbString([]byte("k"))...)
		f = append(f, rdbString(lp)...)
		f = append(f, OpEOF)
		f = binary.LittleEndian.AppendUint64(f, CRC64(0, f))
		var re *Error
		if err := Decode(f, Handler{}); !errors.As(err, &re) || !strings.Contains(err.Error(), `key "k"`) {
			t.Errorf("%s set listpack: %v", name, err)
		}
	}
	// Version 12 (Redis 7.4) is refused by name.
	if err := Decode([]byte("REDIS0012\xff"), Handler{}); err == nil || !strings.Contains(err.Error(), "version") {
		t.Errorf("version 12: %v", err)
	}
	// Modis keeps writing version 10.
	if Version != 10 {
		t.Errorf("Version = %d, want 10", Version)
	}
}

// TestRestoreVersion11Payload: a DUMP payload of RDB version 11 (a Redis
// 7.2 DUMP of a small set) passes CheckPayload and restores; version 12
// does not.
func TestRestoreVersion11Payload(t *testing.T) {
	payload := func(ver uint16) []byte {
		p := []byte{TypeSetListpack}
		p = append(p, rdbString(setListpack)...)
		p = binary.LittleEndian.AppendUint16(p, ver)
		return binary.LittleEndian.AppendUint64(p, CRC64(0, p))
	}
	p := payload(11)
	if err := CheckPayload(p, false); err != nil {
		t.Fatalf("CheckPayload(v11): %v", err)
	}
	e, err := RestoreValue(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := e.Obj.(*types.Set); !ok || s.Len() != 5 || !s.Has([]byte("hello")) || !s.Has([]byte("70000")) {
		t.Errorf("restored %+v", e)
	}
	p[len(p)-9] ^= 0x40 // the checksum no longer matches
	if CheckPayload(p, false) == nil {
		t.Error("a v11 payload with a wrong checksum passed")
	}
	if err := CheckPayload(payload(12), false); !errors.Is(err, ErrBadPayload) {
		t.Errorf("CheckPayload(v12): %v", err)
	}
	// What Modis itself dumps is still version 10.
	out, err := DumpValue(e, false)
	if err != nil {
		t.Fatal(err)
	}
	if v := binary.LittleEndian.Uint16(out[len(out)-10:]); v != 10 {
		t.Errorf("DumpValue writes version %d", v)
	}
}
