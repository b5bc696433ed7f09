package main

// The module's commands and persistence, tested in-process with
// sdk/sdktest (test/bloom_test.go runs the same module through the real
// .so): `go test -race -cover ./plugins/bloom`.

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"modis/sdk"
	"modis/sdk/sdktest"
)

const wrongType = "WRONGTYPE Operation against a key holding the wrong kind of value"

func TestReserveErrors(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	for _, e := range []struct {
		want string
		args []string
	}{
		{"ERR bad error rate", []string{"BF.RESERVE", "f", "x", "100"}},
		{"ERR (0 < error rate range < 1) ", []string{"BF.RESERVE", "f", "0", "100"}},
		{"ERR (0 < error rate range < 1) ", []string{"BF.RESERVE", "f", "1", "100"}},
		{"ERR bad capacity", []string{"BF.RESERVE", "f", "0.01", "x"}},
		{"ERR (capacity should be larger than 0)", []string{"BF.RESERVE", "f", "0.01", "0"}},
		{"ERR no expansion", []string{"BF.RESERVE", "f", "0.01", "100", "EXPANSION"}},
		{"ERR bad expansion", []string{"BF.RESERVE", "f", "0.01", "100", "expansion", "x"}},
		{"ERR expansion should be greater or equal to 1", []string{"BF.RESERVE", "f", "0.01", "100", "EXPANSION", "0"}},
		{"ERR Nonscaling filters cannot expand", []string{"BF.RESERVE", "f", "0.01", "100", "NONSCALING", "EXPANSION", "2"}},
		{"ERR could not create filter", []string{"BF.RESERVE", "f", "0.0000001", "4000000000"}},
		{"ERR wrong number of arguments for 'bf.reserve' command", []string{"BF.RESERVE", "f", "0.01"}},
		{"ERR wrong number of arguments for 'bf.reserve' command", []string{"BF.RESERVE", "f", "0.01", "1", "EXPANSION", "2", "NONSCALING", "x"}},
	} {
		h.MustError(e.want, e.args...)
	}
	h.MustEqual(int64(0), "EXISTS", "f")
	h.MustEqual("OK", "BF.RESERVE", "f", "0.001", "1000", "EXPANSION", "4")
	h.MustError("ERR item exists", "BF.RESERVE", "f", "0.01", "100")
	h.MustEqual("OK", "SET", "s", "x")
	h.MustError(wrongType, "BF.RESERVE", "s", "0.01", "100")
	h.MustEqual("MBbloom--", "TYPE", "f")
}

func TestAddExists(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	h.MustEqual("OK", "BF.RESERVE", "f", "0.001", "1000")
	h.MustEqual(int64(1), "BF.ADD", "f", "apple")
	h.MustEqual(int64(0), "BF.ADD", "f", "apple")
	h.MustEqual([]any{int64(0), int64(1), int64(1)}, "BF.MADD", "f", "apple", "pear", "plum")
	h.MustEqual(int64(1), "BF.EXISTS", "f", "pear")
	h.MustEqual(int64(0), "BF.EXISTS", "f", "kiwi")
	h.MustEqual([]any{int64(1), int64(0), int64(1)}, "BF.MEXISTS", "f", "plum", "kiwi", "apple")
	// A missing key, or one of another type, has nothing (RedisBloom).
	h.MustEqual(int64(0), "BF.EXISTS", "nokey", "x")
	h.MustEqual([]any{int64(0), int64(0)}, "BF.MEXISTS", "nokey", "x", "y")
	h.MustEqual("OK", "SET", "s", "x")
	h.MustEqual(int64(0), "BF.EXISTS", "s", "x")
	h.MustError(wrongType, "BF.ADD", "s", "x")
	h.MustError(wrongType, "BF.MADD", "s", "x", "y")
	for _, args := range [][]string{
		{"BF.ADD", "f"}, {"BF.ADD", "f", "a", "b"}, {"BF.MADD", "f"},
		{"BF.EXISTS", "f"}, {"BF.EXISTS", "f", "a", "b"}, {"BF.MEXISTS", "f"},
	} {
		h.MustError("ERR wrong number of arguments for '"+strings.ToLower(args[0])+"' command", args...)
	}
	// BF.ADD and BF.MADD create a filter with the defaults.
	h.MustEqual(int64(1), "BF.ADD", "auto", "x")
	h.MustEqual([]any{int64(1), int64(0)}, "BF.MADD", "auto2", "y", "y")
	h.MustEqual([]any{int64(100)}, "BF.INFO", "auto2", "CAPACITY")
}

func TestInfo(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	h.MustError("ERR not found", "BF.INFO", "f")
	h.MustError("ERR wrong number of arguments for 'bf.info' command", "BF.INFO")
	h.MustError("ERR wrong number of arguments for 'bf.info' command", "BF.INFO", "f", "items", "x")
	h.MustEqual("OK", "BF.RESERVE", "f", "0.001", "1000", "EXPANSION", "4")
	h.MustEqual([]any{int64(1), int64(1), int64(1)}, "BF.MADD", "f", "a", "b", "c")
	// 1000 items at 0.0005: 1984 bytes of bits, 32 + 64 more in
	// RedisBloom's accounting.
	size := int64(32 + 64 + 1984)
	h.MustEqual([]any{"Capacity", int64(1000), "Size", size, "Number of filters", int64(1),
		"Number of items inserted", int64(3), "Expansion rate", int64(4)}, "BF.INFO", "f")
	for field, want := range map[string]int64{"capacity": 1000, "SIZE": size, "Filters": 1, "items": 3, "expansion": 4} {
		h.MustEqual([]any{want}, "BF.INFO", "f", field)
	}
	h.MustError("ERR Invalid information value", "BF.INFO", "f", "bogus")
	h.MustEqual(size+8+24, "MEMORY", "USAGE", "f")
	h.MustEqual("OK", "SET", "s", "x")
	h.MustError(wrongType, "BF.INFO", "s")
	// RESP3: a map; a non-scaling filter's expansion is null.
	c := h.Client()
	c.MustDo("HELLO", "3")
	c.MustEqual("OK", "BF.RESERVE", "ns", "0.01", "3", "NONSCALING")
	if got := c.DoRaw("BF.INFO", "ns"); got != "%5\r\n+Capacity\r\n:3\r\n+Size\r\n:104\r\n+Number of filters\r\n:1\r\n+Number of items inserted\r\n:0\r\n+Expansion rate\r\n_\r\n" {
		t.Errorf("RESP3 BF.INFO: %q", got)
	}
	c.MustEqual([]any{nil}, "BF.INFO", "ns", "EXPANSION")
}

// A non-scaling filter refuses items past its capacity; BF.MADD stops at
// the first refusal. A scaling filter grows.
func TestCapacity(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	h.MustEqual("OK", "BF.RESERVE", "ns", "0.01", "3", "NONSCALING")
	h.MustEqual([]any{int64(1), int64(1), int64(1)}, "BF.MADD", "ns", "a", "b", "c")
	h.MustEqual([]any{int64(0), errors.New("ERR non scaling filter is full")}, "BF.MADD", "ns", "a", "d", "e")
	h.MustError("ERR non scaling filter is full", "BF.ADD", "ns", "f")
	h.MustEqual([]any{int64(0), int64(0)}, "BF.MEXISTS", "ns", "e", "f")

	add := []string{"BF.MADD", "grow"}
	for i := range 1000 {
		add = append(add, "item"+strconv.Itoa(i))
	}
	if r := h.MustDo(add...); r.Len() != 1000 {
		t.Fatalf("BF.MADD: %s", r)
	}
	// 100 + 200 + 400 + 800.
	h.MustEqual([]any{int64(4)}, "BF.INFO", "grow", "FILTERS")
	h.MustEqual([]any{int64(1500)}, "BF.INFO", "grow", "CAPACITY")
	q := append([]string{"BF.MEXISTS"}, add[1:]...)
	for i, e := range h.MustDo(q...).Elems {
		if e.Int != 1 {
			t.Fatalf("item%d is missing", i)
		}
	}
	// An expansion so large the next filter cannot be made.
	h.MustEqual("OK", "BF.RESERVE", "huge", "0.01", "1", "EXPANSION", "4000000000000000000")
	h.MustEqual(int64(1), "BF.ADD", "huge", "a")
	h.MustError("ERR could not create filter", "BF.ADD", "huge", "b")
}

// Filters survive DEBUG RELOAD and restarts, through the RDB file and the
// AOF (with and without its RDB preamble), bit for bit (DEBUG DIGEST).
func TestPersistence(t *testing.T) {
	for _, mode := range []string{"rdb", "aof-preamble", "aof-commands"} {
		t.Run(mode, func(t *testing.T) {
			var cfg []string
			switch mode {
			case "aof-preamble":
				cfg = []string{"appendonly yes"}
			case "aof-commands":
				cfg = []string{"appendonly yes", "aof-use-rdb-preamble no"}
			}
			h := sdktest.NewWithOptions(t, OnLoad, sdktest.Options{Config: cfg})
			h.MustEqual("OK", "BF.RESERVE", "f", "0.001", "50", "EXPANSION", "3")
			add := []string{"BF.MADD", "f"}
			for i := range 500 {
				add = append(add, "x"+strconv.Itoa(i))
			}
			h.MustDo(add...)
			h.MustEqual("OK", "BF.RESERVE", "ns", "0.01", "10", "NONSCALING")
			h.MustEqual(int64(1), "BF.ADD", "ns", "only")
			h.MustEqual(int64(1), "BF.ADD", "other-db-check", "v")
			infoF, infoNS := h.DoRaw("BF.INFO", "f"), h.DoRaw("BF.INFO", "ns")
			digest := h.MustDo("DEBUG", "DIGEST").Str
			check := func(when string) {
				t.Helper()
				if got := h.DoRaw("BF.INFO", "f"); got != infoF {
					t.Errorf("%s: BF.INFO f %q, want %q", when, got, infoF)
				}
				if got := h.DoRaw("BF.INFO", "ns"); got != infoNS {
					t.Errorf("%s: BF.INFO ns %q, want %q", when, got, infoNS)
				}
				if got := h.MustDo("DEBUG", "DIGEST").Str; got != digest {
					t.Errorf("%s: DEBUG DIGEST %s, want %s", when, got, digest)
				}
				q := append([]string{"BF.MEXISTS"}, add[1:]...)
				for i, e := range h.MustDo(q...).Elems {
					if e.Int != 1 {
						t.Fatalf("%s: x%d is missing", when, i)
					}
				}
				h.MustEqual("MBbloom--", "TYPE", "f")
			}
			h.Reload()
			check("DEBUG RELOAD")
			if mode != "rdb" {
				h.MustEqual("Background append only file rewriting started", "BGREWRITEAOF")
				waitRewrite(t, h)
				// A write after the rewrite goes to the new AOF's
				// incremental file, as a command.
				h.MustEqual(int64(1), "BF.ADD", "f", "after-the-rewrite")
				infoF = h.DoRaw("BF.INFO", "f")
				digest = h.MustDo("DEBUG", "DIGEST").Str
			}
			h.Restart()
			check("restart")
			if mode != "rdb" {
				h.MustEqual(int64(1), "BF.EXISTS", "f", "after-the-rewrite")
			}
		})
	}
}

func waitRewrite(t *testing.T, h *sdktest.Harness) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		info := h.MustDo("INFO", "persistence").Str
		if strings.Contains(info, "aof_rewrite_in_progress:0\r\n") && strings.Contains(info, "aof_rewrite_scheduled:0\r\n") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the AOF rewrite did not end:\n%s", info)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// DUMP and RESTORE go through the type's RDB callbacks; COPY is refused,
// as with RedisBloom.
func TestDumpRestore(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	h.MustEqual("OK", "BF.RESERVE", "f", "0.01", "20", "EXPANSION", "2")
	for i := range 50 {
		h.MustDo("BF.ADD", "f", "v"+strconv.Itoa(i))
	}
	payload := h.MustDo("DUMP", "f").Str
	h.MustEqual("OK", "RESTORE", "g", "0", payload)
	if a, b := h.DoRaw("BF.INFO", "f"), h.DoRaw("BF.INFO", "g"); a != b {
		t.Errorf("BF.INFO after RESTORE %q, want %q", b, a)
	}
	if a, b := h.MustDo("DEBUG", "DIGEST-VALUE", "f"), h.MustDo("DEBUG", "DIGEST-VALUE", "g"); a.String() != b.String() {
		t.Errorf("DIGEST-VALUE %s and %s", a, b)
	}
	h.MustEqual(int64(1), "BF.EXISTS", "g", "v49")
	h.MustError("ERR not supported for this module key", "COPY", "f", "f2")
}

// Load arguments set the defaults of the filters BF.ADD creates.
func TestLoadArgs(t *testing.T) {
	t.Cleanup(func() { defaultErrorRate, defaultCapacity = 0.01, 100 })
	h := sdktest.New(t, OnLoad, "INITIAL_SIZE", "1000", "error_rate", "0.001")
	h.MustEqual(int64(1), "BF.ADD", "f", "x")
	h.MustEqual([]any{int64(1000)}, "BF.INFO", "f", "CAPACITY")
	h.MustEqual([]any{int64(32 + 64 + 1984)}, "BF.INFO", "f", "SIZE")

	for _, e := range []struct {
		args []string
		want string
	}{
		{[]string{"ERROR_RATE"}, "Invalid number of arguments passed"},
		{[]string{"INITIAL_SIZE", "x"}, "Invalid argument for 'INITIAL_SIZE'"},
		{[]string{"INITIAL_SIZE", "0"}, "INITIAL_SIZE must be > 0"},
		{[]string{"ERROR_RATE", "x"}, "Invalid argument for 'ERROR_RATE'"},
		{[]string{"ERROR_RATE", "0"}, "ERROR_RATE must be > 0"},
		{[]string{"ERROR_RATE", "1"}, "ERROR_RATE must be < 1"},
		{[]string{"CAPACITY", "5"}, "Unrecognized option"},
	} {
		var args []sdk.String
		for _, a := range e.args {
			args = append(args, sdk.StringFromBytes([]byte(a)))
		}
		if err := parseLoadArgs(args); err == nil || err.Error() != e.want {
			t.Errorf("parseLoadArgs(%q) = %v, want %q", e.args, err, e.want)
		}
	}
}

// The commands are described for COMMAND INFO, DOCS and GETKEYS.
func TestCommandInfo(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	h.MustEqual([]string{"f"}, "COMMAND", "GETKEYS", "BF.MADD", "f", "a", "b")
	info := h.MustDo("COMMAND", "INFO", "bf.madd", "bf.exists")
	if info.Elems[0].Elems[1].Int != -3 || strings.Join(info.Elems[0].Elems[2].Strings(), " ") != "write denyoom module" {
		t.Errorf("COMMAND INFO bf.madd: %s", info.Elems[0])
	}
	if strings.Join(info.Elems[1].Elems[2].Strings(), " ") != "readonly module fast" {
		t.Errorf("COMMAND INFO bf.exists: %s", info.Elems[1])
	}
	docs := h.MustDo("COMMAND", "DOCS", "bf.add").Elems[1].Map()
	if docs["summary"].Str != "Adds an item to a Bloom Filter" || docs["module"].Str != "bf" {
		t.Errorf("COMMAND DOCS bf.add: %v", docs)
	}
}

// fakeIO feeds rdbLoad a sequence of values; the methods rdbLoad does not
// use are the nil embedded interface's.
type fakeIO struct {
	sdk.IO
	vals []any
	err  error
}

func (f *fakeIO) next() any {
	if len(f.vals) == 0 {
		if f.err == nil {
			f.err = errors.New("short read")
		}
		return nil
	}
	v := f.vals[0]
	f.vals = f.vals[1:]
	return v
}

func (f *fakeIO) LoadUnsigned() uint64 {
	v, _ := f.next().(uint64)
	return v
}

func (f *fakeIO) LoadDouble() float64 {
	v, _ := f.next().(float64)
	return v
}

func (f *fakeIO) LoadStringBuffer() []byte {
	v, _ := f.next().([]byte)
	return v
}

func (f *fakeIO) IsIOError() bool { return f.err != nil }
func (f *fakeIO) Err() error      { return f.err }

// rdbLoad reads every encoding version and refuses what is not a whole,
// consistent filter.
func TestRDBLoad(t *testing.T) {
	good, err := newChain(100, 0.01, 2, false)
	if err != nil {
		t.Fatal(err)
	}
	good.Add([]byte("x"))
	f := good.filters[0]
	sub := func(f *filter) []any {
		return []any{f.entries, f.errRate, f.hashes, f.bpe, f.bits, f.n2, f.bf, f.size}
	}
	header := func(nf, opts uint64) []any { return []any{uint64(1), nf, opts, uint64(2)} }
	v4 := append(header(1, good.options), sub(f)...)
	if v, err := rdbLoad(&fakeIO{vals: v4}, 4); err != nil || !v.(*Chain).Exists([]byte("x")) {
		t.Fatalf("version 4: %v", err)
	}
	// Version 3: no growth (the default); version 1: no options either, so
	// 32-bit hashes, which are refused.
	v3 := append([]any{uint64(1), uint64(1), good.options}, sub(f)...)
	if v, err := rdbLoad(&fakeIO{vals: v3}, 3); err != nil || v.(*Chain).growth != defaultExpansion {
		t.Errorf("version 3: %v", err)
	}
	if _, err := rdbLoad(&fakeIO{vals: []any{uint64(1), uint64(1)}}, 1); err == nil || !strings.Contains(err.Error(), "32-bit") {
		t.Errorf("version 1: %v", err)
	}
	// Version 0: the bits are entries * bits per entry, no n2.
	v0f := &filter{entries: 8, errRate: 0.5, bpe: 8, hashes: uint64(math.Ceil(ln2 * 8)), bf: make([]byte, 8)}
	v0 := []any{uint64(0), uint64(1), v0f.entries, v0f.errRate, v0f.hashes, v0f.bpe, v0f.bf, uint64(0)}
	if _, err := rdbLoad(&fakeIO{vals: v0}, 0); err == nil { // options come only from version 2
		t.Error("version 0 without options loaded")
	}
	if _, err := rdbLoad(&fakeIO{vals: v4}, 5); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("version 5: %v", err)
	}
	bad := func(name string, vals []any, want string) {
		t.Helper()
		if _, err := rdbLoad(&fakeIO{vals: vals}, 4); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error with %q", name, err, want)
		}
	}
	bad("short header", []any{uint64(1)}, "short read")
	bad("no filters", header(0, good.options), "0 sub-filters")
	bad("too many filters", header(1001, good.options), "1001 sub-filters")
	bad("short filter", append(header(1, good.options), f.entries, f.errRate), "short read")
	mod := func(change func(*filter)) []any {
		g := *f
		change(&g)
		return append(header(1, good.options), sub(&g)...)
	}
	bad("error rate", mod(func(g *filter) { g.errRate = 1 }), "error rate")
	bad("NaN error rate", mod(func(g *filter) { g.errRate = math.NaN() }), "error rate")
	bad("n2", mod(func(g *filter) { g.n2 = 64 }), "bad size")
	bad("bits", mod(func(g *filter) { g.bits++ }), "bits in a")
	bad("no bits", mod(func(g *filter) { g.bits, g.bf = 0, nil }), "bits in a")
	bad("hashes", mod(func(g *filter) { g.hashes++ }), "hash functions")
	bad("second filter short", append(header(2, good.options), sub(f)...), "short read")
}
