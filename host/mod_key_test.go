package host

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"modis/sdk"
)

// keyHarness is a test server with a module whose command KEYTEST.RUN runs
// the Go function the test sets: the key API is exercised from inside a
// real command handler, with the same context a plugin gets.
type keyHarness struct {
	t   *testing.T
	s   *Server
	c   *Client
	run func(ctx sdk.Ctx) error
	mod *Module
}

func newKeyHarness(t *testing.T) *keyHarness {
	t.Helper()
	s, c := newTestServer(t)
	h := &keyHarness{t: t, s: s, c: c}
	err := s.LoadModuleFunc("keytest", func(ctx sdk.Ctx, _ []sdk.String) error {
		if err := ctx.Init("keytest", 1, sdk.APIVER_1); err != nil {
			return err
		}
		return ctx.CreateCommand("keytest.run", func(ctx sdk.Ctx, _ []sdk.String) error {
			if err := h.run(ctx); err != nil {
				return err
			}
			return ctx.ReplyWithSimpleString("OK")
		}, "write", 0, 0, 0)
	}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	h.mod = s.modules.byName("keytest")
	return h
}

// in runs fn inside KEYTEST.RUN as client c (h.c when nil) and fails the
// test unless the command replied +OK.
func (h *keyHarness) in(c *Client, fn func(ctx sdk.Ctx) error) {
	h.t.Helper()
	if c == nil {
		c = h.c
	}
	h.run = fn
	if got := do(h.t, c, "keytest.run"); got != "+OK\r\n" {
		h.t.Fatalf("keytest.run: %q", got)
	}
}

// is fails the test unless err is want (nil for no error).
func is(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) || (want == nil) != (err == nil) {
		t.Errorf("%s: error %v, want %v", what, err, want)
	}
}

func str(s string) sdk.String { return sdk.CreateString(s) }

func TestModKeyStrings(t *testing.T) {
	h := newKeyHarness(t)
	do(t, h.c, "set", "s", "hello")
	do(t, h.c, "pexpire", "s", "100000")
	h.in(nil, func(ctx sdk.Ctx) error {
		k := ctx.OpenKey(str("s"), sdk.Read|sdk.Write)
		if k.KeyType() != sdk.KeyTypeString || k.ValueLength() != 5 {
			t.Errorf("type %v len %d", k.KeyType(), k.ValueLength())
		}
		b, err := k.StringDMA(sdk.Read)
		if err != nil || string(b) != "hello" || cap(b) != len(b) {
			t.Errorf("DMA read %q cap %d %v", b, cap(b), err)
		}
		b, err = k.StringDMA(sdk.Read | sdk.Write)
		is(t, "DMA write", err, nil)
		copy(b, "J")
		is(t, "truncate grow", k.StringTruncate(8), nil)
		b, _ = k.StringDMA(sdk.Read)
		if string(b) != "Jello\x00\x00\x00" {
			t.Errorf("after grow: %q", b)
		}
		is(t, "truncate shrink", k.StringTruncate(2), nil)
		is(t, "truncate too long", k.StringTruncate(512<<20+1), sdk.ErrStringTooLong)
		if k.GetExpire() <= 0 {
			t.Errorf("GetExpire %d: the TTL went away", k.GetExpire())
		}
		return nil
	})
	if got := do(t, h.c, "get", "s"); got != "$2\r\nJe\r\n" {
		t.Errorf("GET after DMA and truncate: %q", got)
	}
	if got := do(t, h.c, "object", "encoding", "s"); got != "$3\r\nraw\r\n" {
		t.Errorf("encoding after DMA write: %q", got)
	}
	h.in(nil, func(ctx sdk.Ctx) error {
		k := ctx.OpenKey(str("s"), sdk.Write)
		is(t, "StringSet", k.StringSet(str("12")), nil)
		if k.GetExpire() != sdk.NoExpire {
			t.Errorf("StringSet kept the TTL: %d", k.GetExpire())
		}
		l := ctx.OpenKey(str("list"), sdk.Write)
		l.ListPush(sdk.ListTail, str("x"))
		is(t, "StringSet over a list", l.StringSet(str("now a string")), nil)
		e := ctx.OpenKey(str("empty"), sdk.Write)
		b, err := e.StringDMA(sdk.Write)
		if err != nil || b == nil || len(b) != 0 {
			t.Errorf("DMA of an empty key: %q %v", b, err)
		}
		is(t, "truncate 0 of empty", e.StringTruncate(0), nil)
		if e.KeyType() != sdk.KeyTypeEmpty {
			t.Error("StringTruncate(0) created a key")
		}
		is(t, "truncate 3 of empty", e.StringTruncate(3), nil)
		return nil
	})
	for _, tc := range [][2]string{{"s", "$2\r\n12\r\n"}, {"list", "$12\r\nnow a string\r\n"}, {"empty", "$3\r\n\x00\x00\x00\r\n"}} {
		if got := do(t, h.c, "get", tc[0]); got != tc[1] {
			t.Errorf("GET %s = %q, want %q", tc[0], got, tc[1])
		}
	}
	if got := do(t, h.c, "object", "encoding", "s"); got != "$3\r\nint\r\n" {
		t.Errorf("encoding after StringSet: %q", got)
	}
}

// A Read key refuses every write; a key of another type gives WRONGTYPE.
func TestModKeyModesAndTypes(t *testing.T) {
	h := newKeyHarness(t)
	do(t, h.c, "set", "s", "v")
	do(t, h.c, "rpush", "l", "a")
	do(t, h.c, "hset", "h", "f", "v")
	do(t, h.c, "zadd", "z", "1", "m")
	h.in(nil, func(ctx sdk.Ctx) error {
		for _, name := range []string{"s", "l", "h", "z", "missing"} {
			k := ctx.OpenKey(str(name), sdk.Read)
			is(t, name+" DeleteKey", k.DeleteKey(), sdk.ErrKeyNotWritable)
			is(t, name+" UnlinkKey", k.UnlinkKey(), sdk.ErrKeyNotWritable)
			is(t, name+" SetExpire", k.SetExpire(1000), sdk.ErrKeyNotWritable)
			is(t, name+" SetAbsExpire", k.SetAbsExpire(sdk.NoExpire), sdk.ErrKeyNotWritable)
			is(t, name+" StringSet", k.StringSet(str("x")), sdk.ErrKeyNotWritable)
			_, err := k.StringDMA(sdk.Write)
			is(t, name+" StringDMA write", err, sdk.ErrKeyNotWritable)
			is(t, name+" StringTruncate", k.StringTruncate(1), sdk.ErrKeyNotWritable)
			_, err = k.ZsetRem(str("m"))
			is(t, name+" ZsetRem", err, sdk.ErrKeyNotWritable)
			_, err = k.ZsetAdd(1, str("m"), 0)
			is(t, name+" ZsetAdd", err, sdk.ErrKeyNotWritable)
			_, _, err = k.ZsetIncrby(1, str("m"), 0)
			is(t, name+" ZsetIncrby", err, sdk.ErrKeyNotWritable)
		}
		// The list and hash functions check the type first, as Redis does.
		l := ctx.OpenKey(str("l"), sdk.Read)
		is(t, "ListPush", l.ListPush(sdk.ListHead, str("x")), sdk.ErrKeyNotWritable)
		_, err := l.ListPop(sdk.ListHead)
		is(t, "ListPop", err, sdk.ErrKeyNotWritable)
		is(t, "ListSet", l.ListSet(0, str("x")), sdk.ErrKeyNotWritable)
		is(t, "ListInsert", l.ListInsert(1, str("x")), sdk.ErrKeyNotWritable)
		is(t, "ListDelete", l.ListDelete(0), sdk.ErrKeyNotWritable)
		if v, err := l.ListGet(0); err != nil || v.String() != "a" {
			t.Errorf("ListGet on a Read key: %q %v", v, err)
		}
		hk := ctx.OpenKey(str("h"), sdk.Read)
		_, err = hk.HashSet(sdk.HashNone, "f", "x")
		is(t, "HashSet", err, sdk.ErrKeyNotWritable)
		// A Write-only key cannot ListGet (Redis checks REDISMODULE_READ).
		_, err = ctx.OpenKey(str("l"), sdk.Write).ListGet(0)
		is(t, "ListGet on a Write key", err, sdk.ErrKeyNotReadable)

		// WRONGTYPE, on Read|Write keys.
		s := ctx.OpenKey(str("s"), sdk.Read|sdk.Write)
		is(t, "ListPush on a string", s.ListPush(sdk.ListHead, str("x")), sdk.ErrWrongType)
		_, err = s.ListPop(sdk.ListHead)
		is(t, "ListPop on a string", err, sdk.ErrWrongType)
		_, err = s.ListGet(0)
		is(t, "ListGet on a string", err, sdk.ErrWrongType)
		is(t, "ListInsert on a string", s.ListInsert(0, str("x")), sdk.ErrWrongType)
		_, err = s.HashSet(sdk.HashNone, "f", "v")
		is(t, "HashSet on a string", err, sdk.ErrWrongType)
		_, err = s.HashGet(sdk.HashNone, "f")
		is(t, "HashGet on a string", err, sdk.ErrWrongType)
		_, err = s.ZsetAdd(1, str("m"), 0)
		is(t, "ZsetAdd on a string", err, sdk.ErrWrongType)
		_, err = s.ZsetScore(str("m"))
		is(t, "ZsetScore on a string", err, sdk.ErrWrongType)
		_, err = s.ZsetRem(str("m"))
		is(t, "ZsetRem on a string", err, sdk.ErrWrongType)
		is(t, "ZsetFirstInScoreRange on a string", s.ZsetFirstInScoreRange(0, 1, false, false), sdk.ErrWrongType)
		is(t, "ZsetLastInLexRange on a string", s.ZsetLastInLexRange(str("-"), str("+")), sdk.ErrWrongType)
		z := ctx.OpenKey(str("z"), sdk.Read|sdk.Write)
		_, err = z.StringDMA(sdk.Read)
		is(t, "StringDMA on a zset", err, sdk.ErrWrongType)
		is(t, "StringTruncate on a zset", z.StringTruncate(1), sdk.ErrWrongType)
		return nil
	})
	for _, k := range []string{"s", "l", "h", "z"} {
		if got := do(t, h.c, "exists", k); got != ":1\r\n" {
			t.Errorf("%s was changed by refused writes", k)
		}
	}
}

func TestModKeyExpire(t *testing.T) {
	h := newKeyHarness(t)
	do(t, h.c, "set", "k", "v")
	h.in(nil, func(ctx sdk.Ctx) error {
		k := ctx.OpenKey(str("k"), sdk.Write)
		if k.GetExpire() != sdk.NoExpire || k.GetAbsExpire() != sdk.NoExpire {
			t.Errorf("no TTL: %d %d", k.GetExpire(), k.GetAbsExpire())
		}
		is(t, "SetExpire", k.SetExpire(5000), nil)
		if k.GetExpire() != 5000 || k.GetAbsExpire() != testEpoch+5000 {
			t.Errorf("after SetExpire: %d %d", k.GetExpire(), k.GetAbsExpire())
		}
		is(t, "negative", k.SetExpire(-5), sdk.ErrInvalidExpire)
		is(t, "negative abs", k.SetAbsExpire(-5), sdk.ErrInvalidExpire)
		e := ctx.OpenKey(str("nokey"), sdk.Write)
		is(t, "SetExpire of an empty key", e.SetExpire(10), sdk.ErrNoSuchKey)
		if e.GetExpire() != sdk.NoExpire {
			t.Error("an empty key has a TTL")
		}
		return nil
	})
	if got := do(t, h.c, "pttl", "k"); got != ":5000\r\n" {
		t.Errorf("PTTL = %q", got)
	}
	h.in(nil, func(ctx sdk.Ctx) error {
		return ctx.OpenKey(str("k"), sdk.Write).SetAbsExpire(testEpoch + 2000)
	})
	if got := do(t, h.c, "pexpiretime", "k"); got != ":"+strconv.FormatInt(testEpoch+2000, 10)+"\r\n" {
		t.Errorf("PEXPIRETIME = %q", got)
	}
	h.in(nil, func(ctx sdk.Ctx) error { return ctx.OpenKey(str("k"), sdk.Write).SetExpire(sdk.NoExpire) })
	if got := do(t, h.c, "ttl", "k"); got != ":-1\r\n" {
		t.Errorf("TTL after NoExpire = %q", got)
	}
	h.in(nil, func(ctx sdk.Ctx) error { return ctx.OpenKey(str("k"), sdk.Write).SetExpire(100) })
	advance(h.s, 101)
	if got := do(t, h.c, "exists", "k"); got != ":0\r\n" {
		t.Errorf("the key outlived its module-set TTL: %q", got)
	}
	// An expired key opens empty.
	do(t, h.c, "set", "k2", "v", "px", "10")
	advance(h.s, 11)
	h.in(nil, func(ctx sdk.Ctx) error {
		if typ := ctx.OpenKey(str("k2"), sdk.Read).KeyType(); typ != sdk.KeyTypeEmpty {
			t.Errorf("expired key has type %v", typ)
		}
		return nil
	})
}

func lrange(t *testing.T, c *Client, key string) string {
	t.Helper()
	return do(t, c, "lrange", key, "0", "-1")
}

func TestModKeyLists(t *testing.T) {
	h := newKeyHarness(t)
	h.in(nil, func(ctx sdk.Ctx) error {
		k := ctx.OpenKey(str("l"), sdk.Read|sdk.Write)
		_, err := k.ListPop(sdk.ListHead)
		is(t, "ListPop of empty", err, sdk.ErrNoSuchKey)
		_, err = k.ListGet(0)
		is(t, "ListGet of empty", err, sdk.ErrNoSuchKey)
		is(t, "ListInsert 1 into empty", k.ListInsert(1, str("x")), sdk.ErrNoSuchKey)
		is(t, "ListInsert 0 into empty", k.ListInsert(0, str("b")), nil) // creates
		is(t, "push head", k.ListPush(sdk.ListHead, str("a")), nil)
		is(t, "push tail", k.ListPush(sdk.ListTail, str("d")), nil)
		is(t, "insert -1 (append)", k.ListInsert(-1, str("e")), nil)
		is(t, "insert -2", k.ListInsert(-2, str("d2")), nil) // a b d d2 e
		is(t, "insert 2", k.ListInsert(2, str("c")), nil)    // a b c d d2 e
		is(t, "insert len", k.ListInsert(6, str("f")), nil)  // ... f
		is(t, "insert -len-1", k.ListInsert(-8, str("0")), nil)
		is(t, "insert out of range", k.ListInsert(9, str("x")), sdk.ErrIndexOutOfRange)
		is(t, "insert out of range low", k.ListInsert(-10, str("x")), sdk.ErrIndexOutOfRange)
		var all []string
		for i := int64(0); i < k.ValueLength(); i++ {
			v, _ := k.ListGet(i)
			all = append(all, v.String())
		}
		if got := strings.Join(all, " "); got != "0 a b c d d2 e f" {
			t.Errorf("after the inserts: %q", got)
		}
		for i, want := range map[int64]string{0: "0", 1: "a", -1: "f", -3: "d2", 7: "f"} {
			if v, err := k.ListGet(i); err != nil || v.String() != want {
				t.Errorf("ListGet(%d) = %q, %v; want %q", i, v, err, want)
			}
		}
		_, err = k.ListGet(8)
		is(t, "ListGet(8)", err, sdk.ErrIndexOutOfRange)
		_, err = k.ListGet(-9)
		is(t, "ListGet(-9)", err, sdk.ErrIndexOutOfRange)
		is(t, "ListSet -1", k.ListSet(-1, str("F")), nil)
		is(t, "ListSet 0", k.ListSet(0, str("zero")), nil)
		is(t, "ListSet 8", k.ListSet(8, str("x")), sdk.ErrIndexOutOfRange)
		is(t, "ListDelete -3", k.ListDelete(-3), nil) // d2
		is(t, "ListDelete 0", k.ListDelete(0), nil)
		is(t, "ListDelete 6", k.ListDelete(6), sdk.ErrIndexOutOfRange)
		if v, err := k.ListPop(sdk.ListTail); err != nil || v.String() != "F" {
			t.Errorf("pop tail %q %v", v, err)
		}
		if k.ValueLength() != 5 {
			t.Errorf("length %d", k.ValueLength())
		}
		return nil
	})
	if got, want := lrange(t, h.c, "l"), "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"; got != want {
		t.Errorf("LRANGE = %q, want %q", got, want)
	}
	// Emptied by pops and deletes: the key goes.
	h.in(nil, func(ctx sdk.Ctx) error {
		k := ctx.OpenKey(str("l"), sdk.Read|sdk.Write)
		for i := 0; i < 4; i++ {
			if _, err := k.ListPop(sdk.ListHead); err != nil {
				return err
			}
		}
		if k.KeyType() != sdk.KeyTypeList {
			t.Error("list gone too soon")
		}
		is(t, "last delete", k.ListDelete(-1), nil)
		if k.KeyType() != sdk.KeyTypeEmpty {
			t.Errorf("emptied list still there: %v", k.KeyType())
		}
		return nil
	})
	if got := do(t, h.c, "exists", "l"); got != ":0\r\n" {
		t.Errorf("empty list kept: %q", got)
	}
	// The values returned are copies.
	do(t, h.c, "rpush", "l2", "abc", "def")
	var kept sdk.String
	h.in(nil, func(ctx sdk.Ctx) error {
		k := ctx.OpenKey(str("l2"), sdk.Read|sdk.Write)
		kept, _ = k.ListGet(0)
		kept.Bytes()[0] = 'X'
		return nil
	})
	if got := lrange(t, h.c, "l2"); got != "*2\r\n$3\r\nabc\r\n$3\r\ndef\r\n" {
		t.Errorf("changing ListGet's result changed the list: %q", got)
	}
}

func TestModKeyHashes(t *testing.T) {
	h := newKeyHarness(t)
	h.in(nil, func(ctx sdk.Ctx) error {
		k := ctx.OpenKey(str("h"), sdk.Read|sdk.Write)
		vals, err := k.HashGet(sdk.HashNone, "a")
		if err != nil || len(vals) != 1 || vals[0].Exists {
			t.Errorf("HashGet of empty: %v %v", vals, err)
		}
		n, err := k.HashSet(sdk.HashXX, "a", "1")
		if n != 0 || err != nil || k.KeyType() != sdk.KeyTypeEmpty {
			t.Errorf("XX on empty: %d %v %v", n, err, k.KeyType())
		}
		n, err = k.HashSet(sdk.HashNone, str("a"), str("1"), []byte("b"), []byte("2"))
		if n != 0 || err != nil {
			t.Errorf("insert two: %d %v (inserted fields do not count)", n, err)
		}
		n, _ = k.HashSet(sdk.HashCountAll, "c", "3", "a", "10")
		if n != 2 {
			t.Errorf("COUNT_ALL: %d", n)
		}
		n, _ = k.HashSet(sdk.HashNX, "a", "x", "d", "4")
		if n != 0 {
			t.Errorf("NX: %d", n)
		}
		n, _ = k.HashSet(sdk.HashXX, "a", "11", "e", "5")
		if n != 1 {
			t.Errorf("XX: %d", n)
		}
		n, _ = k.HashSet(sdk.HashNone, "b", sdk.HashDelete, "zz", sdk.HashDelete)
		if n != 1 {
			t.Errorf("delete: %d", n)
		}
		_, err = k.HashSet(sdk.HashExists, "a", "1")
		is(t, "HashExists is no HashSet flag", err, sdk.ErrInvalidFlags)
		_, err = k.HashSet(sdk.HashNone, "a")
		if err == nil || !strings.Contains(err.Error(), "no value") {
			t.Errorf("odd arguments: %v", err)
		}
		_, err = k.HashSet(sdk.HashNone, "a", 12)
		if err == nil || !strings.Contains(err.Error(), "argument 2 is int") {
			t.Errorf("wrong type: %v", err)
		}
		vals, err = k.HashGet(sdk.HashNone, "a", str("b"), []byte("c"), "d")
		got := fmt.Sprint(vals[0].Value, vals[0].Exists, vals[1].Exists, vals[2].Value, vals[3].Exists)
		if err != nil || got != "11 true false 3 true" {
			t.Errorf("HashGet: %s %v", got, err)
		}
		vals, _ = k.HashGet(sdk.HashExists|sdk.HashCFields, "a", "b")
		if !vals[0].Exists || vals[1].Exists || vals[0].Value.Len() != 0 {
			t.Errorf("HashExists: %+v", vals)
		}
		_, err = k.HashGet(sdk.HashNone, 1.5)
		if err == nil {
			t.Error("HashGet took a float64 field")
		}
		return nil
	})
	if got := do(t, h.c, "hgetall", "h"); got != "*6\r\n$1\r\na\r\n$2\r\n11\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n" {
		t.Errorf("HGETALL = %q", got)
	}
	h.in(nil, func(ctx sdk.Ctx) error {
		k := ctx.OpenKey(str("h"), sdk.Write)
		n, _ := k.HashSet(sdk.HashNone, "a", sdk.HashDelete, "c", sdk.HashDelete, "d", sdk.HashDelete)
		if n != 3 || k.KeyType() != sdk.KeyTypeEmpty {
			t.Errorf("deleting all: %d, %v", n, k.KeyType())
		}
		return nil
	})
	if got := do(t, h.c, "exists", "h"); got != ":0\r\n" {
		t.Errorf("empty hash kept: %q", got)
	}
}

func TestModKeyZsets(t *testing.T) {
	h := newKeyHarness(t)
	h.in(nil, func(ctx sdk.Ctx) error {
		k := ctx.OpenKey(str("z"), sdk.Read|sdk.Write)
		_, err := k.ZsetScore(str("a"))
		is(t, "score of empty", err, sdk.ErrNoSuchKey)
		is(t, "range of empty", k.ZsetFirstInScoreRange(0, 1, false, false), sdk.ErrNoSuchKey)
		if d, err := k.ZsetRem(str("a")); d || err != nil {
			t.Errorf("ZsetRem of empty: %v %v", d, err)
		}
		out, err := k.ZsetAdd(1, str("a"), sdk.ZaddXX)
		if out != sdk.ZaddNop || err != nil || k.KeyType() != sdk.KeyTypeEmpty {
			t.Errorf("XX on empty: %v %v %v", out, err, k.KeyType())
		}
		checks := []struct {
			score float64
			m     string
			flags sdk.ZaddFlag
			out   sdk.ZaddFlag
		}{
			{1, "a", 0, sdk.ZaddAdded},
			{2, "b", sdk.ZaddNX, sdk.ZaddAdded},
			{3, "b", sdk.ZaddNX, sdk.ZaddNop},
			{3, "b", sdk.ZaddXX, sdk.ZaddUpdated},
			{3, "b", 0, 0},
			{1, "b", sdk.ZaddGT, sdk.ZaddNop},
			{4, "b", sdk.ZaddGT | sdk.ZaddXX, sdk.ZaddUpdated},
			{5, "b", sdk.ZaddLT, sdk.ZaddNop},
			{0.5, "c", sdk.ZaddLT, sdk.ZaddAdded}, // LT without XX adds new members
		}
		for _, c := range checks {
			out, err := k.ZsetAdd(c.score, str(c.m), c.flags)
			if out != c.out || err != nil {
				t.Errorf("ZsetAdd(%v, %s, %b) = %b, %v; want %b", c.score, c.m, c.flags, out, err, c.out)
			}
		}
		_, err = k.ZsetAdd(math.NaN(), str("a"), 0)
		is(t, "NaN", err, sdk.ErrScoreNaN)
		s, out, err := k.ZsetIncrby(2.5, str("a"), 0)
		if s != 3.5 || out != sdk.ZaddUpdated || err != nil {
			t.Errorf("incr: %v %v %v", s, out, err)
		}
		s, out, _ = k.ZsetIncrby(7, str("n"), 0)
		if s != 7 || out != sdk.ZaddAdded {
			t.Errorf("incr new: %v %v", s, out)
		}
		k.ZsetAdd(math.Inf(1), str("inf"), 0)
		_, _, err = k.ZsetIncrby(math.Inf(-1), str("inf"), 0)
		is(t, "incr to NaN", err, sdk.ErrScoreNaN)
		if s, err := k.ZsetScore(str("b")); s != 4 || err != nil {
			t.Errorf("score b %v %v", s, err)
		}
		_, err = k.ZsetScore(str("nope"))
		is(t, "score of a missing member", err, sdk.ErrNoSuchElement)
		if d, err := k.ZsetRem(str("inf")); !d || err != nil {
			t.Errorf("rem: %v %v", d, err)
		}
		if d, _ := k.ZsetRem(str("inf")); d {
			t.Error("removed twice")
		}
		return nil
	})
	want := "*8\r\n$1\r\nc\r\n$3\r\n0.5\r\n$1\r\na\r\n$3\r\n3.5\r\n$1\r\nb\r\n$1\r\n4\r\n$1\r\nn\r\n$1\r\n7\r\n"
	if got := do(t, h.c, "zrange", "z", "0", "-1", "withscores"); got != want {
		t.Errorf("ZRANGE = %q, want %q", got, want)
	}
}

// walk drains k's active range iteration, forward or back.
func walk(k sdk.Key, back bool) string {
	var out []string
	for !k.ZsetRangeEndReached() {
		m, s, ok := k.ZsetRangeCurrentElement()
		if !ok {
			out = append(out, "!")
			break
		}
		out = append(out, fmt.Sprintf("%s:%g", m, s))
		if back {
			k.ZsetRangePrev()
		} else {
			k.ZsetRangeNext()
		}
	}
	return strings.Join(out, " ")
}

func TestModKeyZsetRanges(t *testing.T) {
	for _, big := range []bool{false, true} {
		t.Run(fmt.Sprint("skiplist=", big), func(t *testing.T) {
			h := newKeyHarness(t)
			do(t, h.c, "zadd", "z", "1", "a", "2", "b", "2", "c", "3", "d", "5", "e")
			if big {
				do(t, h.c, "zadd", "z", "100", strings.Repeat("x", 100)) // converts to a skiplist
			}
			h.in(nil, func(ctx sdk.Ctx) error {
				k := ctx.OpenKey(str("z"), sdk.Read)
				inf := math.Inf(1)
				scores := []struct {
					min, max     float64
					minex, maxex bool
					fwd, back    string
				}{
					{2, 3, false, false, "b:2 c:2 d:3", "d:3 c:2 b:2"},
					{2, 3, true, false, "d:3", "d:3"},
					{2, 3, false, true, "b:2 c:2", "c:2 b:2"},
					{-inf, 1, false, false, "a:1", "a:1"},
					{4, 4.5, false, false, "", ""},
					{3, 2, false, false, "", ""},
					{5, 5, true, false, "", ""},
				}
				for _, c := range scores {
					is(t, "first", k.ZsetFirstInScoreRange(c.min, c.max, c.minex, c.maxex), nil)
					if got := walk(k, false); got != c.fwd {
						t.Errorf("score %v..%v ex %v %v forward: %q, want %q", c.min, c.max, c.minex, c.maxex, got, c.fwd)
					}
					is(t, "last", k.ZsetLastInScoreRange(c.min, c.max, c.minex, c.maxex), nil)
					if got := walk(k, true); got != c.back {
						t.Errorf("score %v..%v backward: %q, want %q", c.min, c.max, got, c.back)
					}
				}
				lex := []struct{ min, max, fwd, back string }{
					{"[b", "[d", "b:2 c:2 d:3", "d:3 c:2 b:2"},
					{"(b", "(d", "c:2", "c:2"},
					{"-", "(c", "a:1 b:2", "b:2 a:1"},
					{"[e", "+", "e:5", "e:5"}, // the long member (score 100) sorts after e: not below max
					{"(z", "+", "", ""},
				}
				if big {
					lex[3].fwd = "e:5 " + strings.Repeat("x", 100) + ":100"
					lex[3].back = strings.Repeat("x", 100) + ":100 e:5"
				}
				for _, c := range lex {
					is(t, "lex first", k.ZsetFirstInLexRange(str(c.min), str(c.max)), nil)
					if got := walk(k, false); got != c.fwd {
						t.Errorf("lex %s..%s forward: %q, want %q", c.min, c.max, got, c.fwd)
					}
					is(t, "lex last", k.ZsetLastInLexRange(str(c.min), str(c.max)), nil)
					if got := walk(k, true); got != c.back {
						t.Errorf("lex %s..%s backward: %q, want %q", c.min, c.max, got, c.back)
					}
				}
				is(t, "bad lex", k.ZsetFirstInLexRange(str("b"), str("+")), sdk.ErrLexRange)
				is(t, "bad lex max", k.ZsetLastInLexRange(str("-"), str("x")), sdk.ErrLexRange)
				// Moving and reading without an iteration: safe no-ops.
				k.ZsetRangeStop()
				if !k.ZsetRangeEndReached() || k.ZsetRangeNext() || k.ZsetRangePrev() {
					t.Error("an inactive iteration moves")
				}
				if _, _, ok := k.ZsetRangeCurrentElement(); ok {
					t.Error("an inactive iteration has a current element")
				}
				// The Go iterators.
				seq, err := sdk.ZsetScoreRange(k, 2, inf, false, false, true)
				is(t, "ZsetScoreRange", err, nil)
				var got []string
				for m, s := range seq {
					got = append(got, fmt.Sprintf("%s:%g", m, s))
					if len(got) == 3 {
						break
					}
				}
				if want := []string{"e:5", "d:3", "c:2"}; big && !slices.Equal(got, []string{strings.Repeat("x", 100) + ":100", "e:5", "d:3"}) || !big && !slices.Equal(got, want) {
					t.Errorf("ZsetScoreRange reverse, 3 of them: %q", got)
				}
				if !k.ZsetRangeEndReached() {
					t.Error("breaking out of the loop left the iteration active")
				}
				seq, err = sdk.ZsetLexRange(k, str("[b"), str("(d"), false)
				is(t, "ZsetLexRange", err, nil)
				got = got[:0]
				for m := range seq {
					got = append(got, m.String())
				}
				if !slices.Equal(got, []string{"b", "c"}) {
					t.Errorf("ZsetLexRange: %q", got)
				}
				if _, err := sdk.ZsetLexRange(k, str("b"), str("c"), false); !errors.Is(err, sdk.ErrLexRange) {
					t.Errorf("ZsetLexRange of a bad range: %v", err)
				}
				return nil
			})
		})
	}
}

// The range iteration survives changes to the set: it never panics.
func TestModKeyZsetRangeChanged(t *testing.T) {
	h := newKeyHarness(t)
	do(t, h.c, "zadd", "z", "1", "a", "2", "b", "3", "c")
	h.in(nil, func(ctx sdk.Ctx) error {
		k := ctx.OpenKey(str("z"), sdk.Read|sdk.Write)
		k.ZsetLastInScoreRange(math.Inf(-1), math.Inf(1), false, false)
		k.ZsetRem(str("c"))
		k.ZsetRem(str("b"))
		if _, _, ok := k.ZsetRangeCurrentElement(); ok {
			t.Error("current element past the end")
		}
		k.ZsetRangeNext()
		k.ZsetRangePrev()
		k.DeleteKey()
		if !k.ZsetRangeEndReached() {
			t.Error("iteration over a deleted key")
		}
		return nil
	})
}

// Writes through a Write key signal the key at Close (WATCH sees them);
// a Write key signals even without writes, as in Redis; a Read key never;
// NO_IMPLICIT_SIGNAL_MODIFIED turns the implicit signal off, and
// SignalModifiedKey signals by hand.
func TestModKeySignalModified(t *testing.T) {
	h := newKeyHarness(t)
	watcher := newClient(h.s, nil, 2)
	watchAndExec := func(what string, touch func(), wantAbort bool) {
		t.Helper()
		do(t, watcher, "watch", "k")
		touch()
		do(t, watcher, "multi")
		do(t, watcher, "ping")
		got := do(t, watcher, "exec")
		if aborted := got == "*-1\r\n"; aborted != wantAbort {
			t.Errorf("%s: EXEC = %q, want aborted %v", what, got, wantAbort)
		}
	}
	dirty := func() int64 { return h.s.dirty }
	watchAndExec("a write", func() {
		h.in(nil, func(ctx sdk.Ctx) error { return ctx.OpenKey(str("k"), sdk.Write).StringSet(str("v")) })
	}, true)
	watchAndExec("a Read open", func() {
		h.in(nil, func(ctx sdk.Ctx) error { ctx.OpenKey(str("k"), sdk.Read).Close(); return nil })
	}, false)
	before := dirty()
	watchAndExec("a Write open without writes", func() {
		h.in(nil, func(ctx sdk.Ctx) error { ctx.OpenKey(str("k"), sdk.Write|sdk.Read).ValueLength(); return nil })
	}, true)
	if dirty() != before {
		t.Errorf("an unwritten key counted %d changes", dirty()-before)
	}
	watchAndExec("another key", func() {
		h.in(nil, func(ctx sdk.Ctx) error { return ctx.OpenKey(str("other"), sdk.Write).StringSet(str("v")) })
	}, false)
	h.mod.noImplicitSignal = true
	before = dirty()
	watchAndExec("NO_IMPLICIT_SIGNAL_MODIFIED", func() {
		h.in(nil, func(ctx sdk.Ctx) error { return ctx.OpenKey(str("k"), sdk.Write).StringSet(str("w")) })
	}, false)
	if dirty() == before {
		t.Error("a write without the implicit signal did not count as a change")
	}
	watchAndExec("SignalModifiedKey", func() {
		h.in(nil, func(ctx sdk.Ctx) error { return ctx.SignalModifiedKey(str("k")) })
	}, true)
	h.mod.noImplicitSignal = false
	// The signal comes when the key closes, here when the handler returns.
	do(t, watcher, "watch", "k")
	h.in(nil, func(ctx sdk.Ctx) error {
		ctx.OpenKey(str("k"), sdk.Write).StringSet(str("x"))
		if watcher.watchDirty {
			t.Error("signalled before the key closed")
		}
		return nil
	})
	if !watcher.watchDirty {
		t.Error("a key left open was not signalled when the handler returned")
	}
	do(t, watcher, "unwatch")
}

// A key is unusable once closed, or once the handler has returned, even if
// the module kept it: no panic, ErrKeyClosed or zero values.
func TestModKeyClosed(t *testing.T) {
	h := newKeyHarness(t)
	do(t, h.c, "rpush", "l", "a")
	var kept sdk.Key
	var keptCtx sdk.Ctx
	h.in(nil, func(ctx sdk.Ctx) error {
		k := ctx.OpenKey(str("l"), sdk.Read|sdk.Write)
		k.Close()
		k.Close()
		is(t, "push after Close", k.ListPush(sdk.ListTail, str("x")), sdk.ErrKeyClosed)
		if k.KeyType() != sdk.KeyTypeEmpty || k.ValueLength() != 0 {
			t.Error("a closed key shows its value")
		}
		kept = ctx.OpenKey(str("l"), sdk.Read|sdk.Write)
		keptCtx = ctx
		return nil
	})
	is(t, "push after the handler", kept.ListPush(sdk.ListTail, str("x")), sdk.ErrKeyClosed)
	_, err := kept.ListPop(sdk.ListHead)
	is(t, "pop after the handler", err, sdk.ErrKeyClosed)
	_, err = kept.HashGet(sdk.HashNone, "f")
	is(t, "HashGet after the handler", err, sdk.ErrKeyClosed)
	if kept.ScanKey(sdk.ScanCursorCreate(), func(f, v sdk.String) {}) {
		t.Error("ScanKey after the handler")
	}
	if kept.GetExpire() != sdk.NoExpire || !kept.ZsetRangeEndReached() {
		t.Error("a closed key has state")
	}
	if k := keptCtx.OpenKey(str("l"), sdk.Write); k.ListPush(sdk.ListTail, str("x")) == nil {
		t.Error("a key opened through a finished context works")
	}
	if keptCtx.KeyExists(str("l")) || keptCtx.SelectDb(1) == nil || keptCtx.SignalModifiedKey(str("l")) == nil {
		t.Error("a finished context works")
	}
	if got := lrange(t, h.c, "l"); got != "*1\r\n$1\r\na\r\n" {
		t.Errorf("the list changed: %q", got)
	}
}

func TestModKeyDatabases(t *testing.T) {
	h := newKeyHarness(t)
	do(t, h.c, "set", "a", "1")
	do(t, h.c, "set", "b", "2")
	do(t, h.c, "select", "3")
	do(t, h.c, "set", "c", "3")
	do(t, h.c, "select", "0")
	h.in(nil, func(ctx sdk.Ctx) error {
		if ctx.GetSelectedDb() != 0 || ctx.DbSize() != 2 || !ctx.KeyExists(str("a")) || ctx.KeyExists(str("c")) {
			t.Errorf("db 0: selected %d size %d", ctx.GetSelectedDb(), ctx.DbSize())
		}
		if k, ok := ctx.RandomKey(); !ok || k.String() != "a" && k.String() != "b" {
			t.Errorf("RandomKey %q %v", k, ok)
		}
		a := ctx.OpenKey(str("a"), sdk.Write)
		is(t, "SelectDb 3", ctx.SelectDb(3), nil)
		is(t, "SelectDb 16", ctx.SelectDb(16), sdk.ErrDBIndex)
		is(t, "SelectDb -1", ctx.SelectDb(-1), sdk.ErrDBIndex)
		if ctx.GetSelectedDb() != 3 || ctx.DbSize() != 1 || !ctx.KeyExists(str("c")) {
			t.Errorf("db 3: selected %d size %d", ctx.GetSelectedDb(), ctx.DbSize())
		}
		// The key opened before stays in its database.
		if a.GetDbIdFromModuleKey() != 0 || a.GetKeyNameFromModuleKey().String() != "a" {
			t.Errorf("key a: db %d name %q", a.GetDbIdFromModuleKey(), a.GetKeyNameFromModuleKey())
		}
		is(t, "write to a", a.StringSet(str("one")), nil)
		if c := ctx.OpenKey(str("c"), sdk.Read); c.GetDbIdFromModuleKey() != 3 || c.ValueLength() != 1 {
			t.Error("key c")
		}
		return nil
	})
	// The selection stays with the client, as in Redis.
	if got := do(t, h.c, "get", "c"); got != "$1\r\n3\r\n" {
		t.Errorf("after the module's SelectDb: %q", got)
	}
	do(t, h.c, "select", "0")
	if got := do(t, h.c, "get", "a"); got != "$3\r\none\r\n" {
		t.Errorf("a = %q", got)
	}
	do(t, h.c, "flushall")
	h.in(nil, func(ctx sdk.Ctx) error {
		if _, ok := ctx.RandomKey(); ok || ctx.DbSize() != 0 {
			t.Error("RandomKey of an empty database")
		}
		return nil
	})
}

// Scan reports every key present for the whole scan at least once, even
// when keys are added and deleted between (and during) its calls.
func TestModScan(t *testing.T) {
	h := newKeyHarness(t)
	for i := 0; i < 300; i++ {
		do(t, h.c, "set", fmt.Sprintf("stay:%d", i), "v")
		do(t, h.c, "set", fmt.Sprintf("go:%d", i), "v")
	}
	do(t, h.c, "set", "expired", "v", "px", "5")
	advance(h.s, 6)
	seen := map[string]int{}
	c := sdk.ScanCursorCreate()
	calls := 0
	for more := true; more; calls++ {
		h.in(nil, func(ctx sdk.Ctx) error {
			more = ctx.Scan(c, func(name sdk.String, k sdk.Key) {
				seen[name.String()]++
				if k.KeyType() != sdk.KeyTypeString {
					t.Errorf("%s: type %v", name, k.KeyType())
				}
				if err := k.StringSet(str("x")); !errors.Is(err, sdk.ErrKeyNotWritable) {
					t.Errorf("the scanned key is writable: %v", err)
				}
				if strings.HasPrefix(name.String(), "go:") { // delete it, and another one
					w := ctx.OpenKey(name, sdk.Write)
					w.DeleteKey()
					w.Close()
					n, _ := strconv.Atoi(strings.TrimPrefix(name.String(), "go:"))
					ctx.OpenKey(str(fmt.Sprintf("go:%d", (n+7)%300)), sdk.Write).DeleteKey()
				}
			})
			return nil
		})
		do(t, h.c, "set", fmt.Sprintf("new:%d", calls), "v")
	}
	for i := 0; i < 300; i++ {
		if seen[fmt.Sprintf("stay:%d", i)] == 0 {
			t.Errorf("stay:%d not reported", i)
		}
	}
	if seen["expired"] != 0 {
		t.Error("an expired key was reported")
	}
	if calls < 30 {
		t.Errorf("a scan of 600 keys took %d calls: not incremental", calls)
	}
	h.in(nil, func(ctx sdk.Ctx) error {
		if ctx.Scan(c, func(sdk.String, sdk.Key) { t.Error("a done cursor called fn") }) || ctx.Scan(nil, nil) {
			t.Error("Scan of a done or nil cursor returned true")
		}
		c.Restart()
		n := 0
		for ctx.Scan(c, func(sdk.String, sdk.Key) { n++ }) {
		}
		if int64(n) != ctx.DbSize() {
			t.Errorf("after Restart: %d keys of %d", n, ctx.DbSize())
		}
		return nil
	})
}

func TestModScanKey(t *testing.T) {
	h := newKeyHarness(t)
	do(t, h.c, "hset", "hsmall", "a", "1", "b", "2")
	do(t, h.c, "sadd", "sint", "1", "2", "3")
	do(t, h.c, "zadd", "zsmall", "1.5", "a", "2", "b")
	for i := 0; i < 600; i++ {
		do(t, h.c, "hset", "hbig", fmt.Sprintf("f%d", i), fmt.Sprint(i))
		do(t, h.c, "sadd", "sbig", fmt.Sprintf("m%d", i))
		do(t, h.c, "zadd", "zbig", fmt.Sprint(i), fmt.Sprintf("m%d", i))
	}
	do(t, h.c, "set", "str", "v")
	scanAll := func(ctx sdk.Ctx, key string) (map[string]string, int) {
		k := ctx.OpenKey(str(key), sdk.Read|sdk.Write)
		out := map[string]string{}
		c := sdk.ScanCursorCreate()
		calls := 1
		for k.ScanKey(c, func(f, v sdk.String) { out[f.String()] = v.String() }) {
			calls++
		}
		return out, calls
	}
	h.in(nil, func(ctx sdk.Ctx) error {
		m, calls := scanAll(ctx, "hsmall")
		if fmt.Sprint(m) != "map[a:1 b:2]" || calls != 1 {
			t.Errorf("small hash: %v in %d calls", m, calls)
		}
		m, _ = scanAll(ctx, "sint")
		if fmt.Sprint(m) != "map[1: 2: 3:]" {
			t.Errorf("intset: %v", m)
		}
		m, _ = scanAll(ctx, "zsmall")
		if fmt.Sprint(m) != "map[a:1.5 b:2]" {
			t.Errorf("small zset: %v", m)
		}
		for _, key := range []string{"hbig", "sbig", "zbig"} {
			m, calls := scanAll(ctx, key)
			if len(m) != 600 || calls < 30 {
				t.Errorf("%s: %d elements in %d calls", key, len(m), calls)
			}
		}
		if m, _ := scanAll(ctx, "zbig"); m["m42"] != "42" {
			t.Errorf("zbig m42 = %q", m["m42"])
		}
		for _, key := range []string{"str", "missing"} {
			if m, _ := scanAll(ctx, key); len(m) != 0 {
				t.Errorf("%s scanned: %v", key, m)
			}
		}
		// Deleting each field as it comes: every field is still reported.
		k := ctx.OpenKey(str("hbig"), sdk.Read|sdk.Write)
		c := sdk.ScanCursorCreate()
		deleted := 0
		for more := true; more; {
			more = k.ScanKey(c, func(f, v sdk.String) {
				if n, _ := k.HashSet(sdk.HashNone, f, sdk.HashDelete); n == 1 {
					deleted++
				}
			})
		}
		if deleted != 600 || k.KeyType() != sdk.KeyTypeEmpty {
			t.Errorf("deleted %d of 600 while scanning; key %v", deleted, k.KeyType())
		}
		return nil
	})
}

// OpenKey's lookups count as a read or a write command's do: a Read open
// counts a hit or miss, a Write open neither; NoTouch keeps the idle time.
func TestModKeyOpenStats(t *testing.T) {
	h := newKeyHarness(t)
	do(t, h.c, "set", "k", "v")
	stats := func() string {
		info := do(t, h.c, "info", "stats")
		var out []string
		for _, l := range strings.Split(info, "\r\n") {
			if strings.HasPrefix(l, "keyspace_hits:") || strings.HasPrefix(l, "keyspace_misses:") {
				out = append(out, l)
			}
		}
		return strings.Join(out, " ")
	}
	base := stats()
	h.in(nil, func(ctx sdk.Ctx) error {
		ctx.OpenKey(str("k"), sdk.Write)
		ctx.OpenKey(str("nokey"), sdk.Write)
		return nil
	})
	if got := stats(); got != base {
		t.Errorf("Write opens counted: %s -> %s", base, got)
	}
	h.in(nil, func(ctx sdk.Ctx) error {
		ctx.OpenKey(str("k"), sdk.Read)
		ctx.OpenKey(str("nokey"), sdk.Read|sdk.OpenKeyNoTouch)
		return nil
	})
	if got := stats(); got != "keyspace_hits:1 keyspace_misses:1" {
		t.Errorf("Read opens: %s", got)
	}
	advance(h.s, 10_000)
	h.in(nil, func(ctx sdk.Ctx) error { ctx.OpenKey(str("k"), sdk.Read|sdk.OpenKeyNoTouch); return nil })
	if got := do(t, h.c, "object", "idletime", "k"); got != ":10\r\n" {
		t.Errorf("IDLETIME after a NoTouch open: %q", got)
	}
	h.in(nil, func(ctx sdk.Ctx) error { ctx.OpenKey(str("k"), sdk.Read); return nil })
	if got := do(t, h.c, "object", "idletime", "k"); got != ":0\r\n" {
		t.Errorf("IDLETIME after an open: %q", got)
	}
}
