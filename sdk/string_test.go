package sdk

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// The expected results below were checked against redis-server 7.0.15:
// integers with SET k V; INCR k, floats with ZADD z V m (what
// getDoubleFromObject, and so RedisModule_StringToDouble, accepts).

func TestParseInt(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"1", 1, true},
		{"-1", -1, true},
		{"1234567890", 1234567890, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"-9223372036854775808", math.MinInt64, true},
		{"9223372036854775808", 0, false},
		{"-9223372036854775809", 0, false},
		{"18446744073709551615", 0, false},
		{"18446744073709551616", 0, false},
		{"99999999999999999999", 0, false},
		{"123456789012345678901", 0, false},
		{"-0", 0, false},
		{"00", 0, false},
		{"01", 0, false},
		{"-01", 0, false},
		{"+1", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{"+", 0, false},
		{"1a", 0, false},
		{"1.0", 0, false},
		{"1e3", 0, false},
		{"0x10", 0, false},
		{"--1", 0, false},
		{"1\x00", 0, false},
		{"１", 0, false}, // a full-width digit
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseInt([]byte(tt.in))
			if got != tt.want || ok != tt.ok {
				t.Errorf("ParseInt(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseFloat(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"0", 0, true},
		{"-0", math.Copysign(0, -1), true},
		{"0.1", 0.1, true},
		{"-3.5", -3.5, true},
		{"1e5", 1e5, true},
		{"1E5", 1e5, true},
		{"1e+5", 1e5, true},
		{".5", 0.5, true},
		{"5.", 5, true},
		{"+1.5", 1.5, true},
		{"007.5", 7.5, true},
		{"1." + strings.Repeat("0", 600), 1, true},
		{"inf", math.Inf(1), true},
		{"+inf", math.Inf(1), true},
		{"-inf", math.Inf(-1), true},
		{"Inf", math.Inf(1), true},
		{"INFINITY", math.Inf(1), true},
		{"-Infinity", math.Inf(-1), true},
		// strtod reads hexadecimal, with an optional binary exponent.
		{"0x10", 16, true},
		{"0X10", 16, true},
		{"-0x10", -16, true},
		{"0x1p4", 16, true},
		{"0x1.8", 1.5, true},
		{"0x1e", 30, true},
		{"0x.8p1", 1, true},
		// Subnormal results are accepted (ERANGE, but not zero) ...
		{"1e-310", 1e-310, true},
		{"3e-324", 5e-324, true},
		// ... underflow to zero and overflow to infinity are not.
		{"1e-400", 0, false},
		{"2e-324", 0, false},
		{"0." + strings.Repeat("0", 600) + "1", 0, false},
		{"0x1p-2000", 0, false},
		{"1e400", 0, false},
		{"-1e400", 0, false},
		{"1" + strings.Repeat("0", 400), 0, false},
		{"0x1p2000", 0, false},
		// An exact zero with a huge exponent is no underflow.
		{"0e-400", 0, true},
		{"0.000e999", 0, true},
		{"0x0p-9999", 0, true},
		{"nan", 0, false},
		{"NaN", 0, false},
		{"-nan", 0, false},
		{"", 0, false},
		{" 1", 0, false},
		{"\t1", 0, false},
		{"\n1", 0, false},
		{"1 ", 0, false},
		{"1_0", 0, false},
		{"0x_1p0", 0, false},
		{"1e", 0, false},
		{"1e+", 0, false},
		{".", 0, false},
		{"-", 0, false},
		{"0x", 0, false},
		{"0x1p", 0, false},
		{"1.5x", 0, false},
		{"infinit", 0, false},
		{"0b101", 0, false},
	}
	for _, tt := range tests {
		name := tt.in
		if len(name) > 40 {
			name = name[:40] + "..."
		}
		t.Run(name, func(t *testing.T) {
			got, ok := ParseFloat([]byte(tt.in))
			if ok != tt.ok || got != tt.want || math.Signbit(got) != math.Signbit(tt.want) {
				t.Errorf("ParseFloat(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestAppendDouble(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "-0"},
		{1, "1"},
		{-3, "-3"},
		{3.5, "3.5"},
		{-0.25, "-0.25"},
		{0.1, "0.1"},
		{1.0 / 3, "0.3333333333333333"},
		{123456789.123, "123456789.123"},
		// Plain notation up to an exponent of 16, as %.17g.
		{1e6, "1000000"},
		{1234567, "1234567"},
		{1e16, "10000000000000000"},
		{1e17, "1e+17"},
		{1.2345678901234568e17, "1.2345678901234568e+17"},
		{1e300, "1e+300"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		// ... and down to an exponent of -4.
		{0.0001, "0.0001"},
		{0.00012, "0.00012"},
		{1e-5, "1e-05"},
		{-1.5e-7, "-1.5e-07"},
		{5e-324, "5e-324"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{math.NaN(), "nan"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := string(AppendDouble([]byte("x="), tt.in)); got != "x="+tt.want {
				t.Errorf("AppendDouble(%v) = %q, want %q", tt.in, got, "x="+tt.want)
			}
			if got := CreateStringFromDouble(tt.in).String(); got != tt.want {
				t.Errorf("CreateStringFromDouble(%v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// What AppendDouble prints, ParseFloat reads back exactly.
func TestAppendDoubleRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		f := math.Float64frombits(r.Uint64())
		if math.IsNaN(f) {
			continue
		}
		s := AppendDouble(nil, f)
		got, ok := ParseFloat(s)
		if !ok || got != f {
			t.Fatalf("ParseFloat(AppendDouble(%v) = %q) = %v, %v", f, s, got, ok)
		}
	}
}

func TestStringConstructors(t *testing.T) {
	var zero String
	if zero.Len() != 0 || zero.String() != "" || zero.Bytes() != nil {
		t.Errorf("zero String: %q", zero.Bytes())
	}
	tests := []struct {
		name string
		s    String
		want string
	}{
		{"CreateString", CreateString("héllo"), "héllo"},
		{"CreateString empty", CreateString(""), ""},
		{"StringFromBytes", StringFromBytes([]byte("abc")), "abc"},
		{"CreateStringFromLongLong", CreateStringFromLongLong(-42), "-42"},
		{"CreateStringFromLongLong min", CreateStringFromLongLong(math.MinInt64), "-9223372036854775808"},
		{"CreateStringFromDouble", CreateStringFromDouble(2.5), "2.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.s.String() != tt.want || string(tt.s.Bytes()) != tt.want || tt.s.Len() != len(tt.want) {
				t.Errorf("String %q Bytes %q Len %d; want %q", tt.s.String(), tt.s.Bytes(), tt.s.Len(), tt.want)
			}
		})
	}
}

// StringFromBytes and Bytes share memory (the zero-copy path of argv);
// CreateString, String and Retain copy.
func TestStringSharingAndCopies(t *testing.T) {
	buf := []byte("hello")
	s := StringFromBytes(buf)
	kept := s.Retain()
	str := s.String()
	buf[0] = 'J' // the server reuses its read buffer
	if s.String() != "Jello" {
		t.Errorf("StringFromBytes copied: %q", s.String())
	}
	if &s.Bytes()[0] != &buf[0] {
		t.Error("Bytes copied")
	}
	if kept.String() != "hello" || str != "hello" {
		t.Errorf("Retain %q, String %q: not copies", kept.String(), str)
	}
	kept.Bytes()[1] = 'a'
	if buf[1] != 'e' {
		t.Error("a retained String shares memory with the original")
	}
	src := "abc"
	c := CreateString(src)
	c.Bytes()[0] = 'x'
	if src != "abc" || c.String() != "xbc" {
		t.Errorf("CreateString: %q %q", src, c.String())
	}
	if r := (String{}).Retain(); r.Len() != 0 {
		t.Errorf("Retain of the zero String: %q", r.Bytes())
	}
}

func TestStringToLongLong(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr error
	}{
		{"123", 123, nil},
		{"-9223372036854775808", math.MinInt64, nil},
		{"9223372036854775808", 0, ErrNotInteger},
		{"-0", 0, ErrNotInteger},
		{"+5", 0, ErrNotInteger},
		{"1.5", 0, ErrNotInteger},
		{"", 0, ErrNotInteger},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := CreateString(tt.in).ToLongLong()
			if got != tt.want || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("ToLongLong(%q) = %d, %v; want %d, %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestStringToDouble(t *testing.T) {
	tests := []struct {
		in      string
		want    float64
		wantErr error
	}{
		{"1.5", 1.5, nil},
		{"-inf", math.Inf(-1), nil},
		{"0x10", 16, nil},
		{"nan", 0, ErrNotFloat},
		{"1e400", 0, ErrNotFloat},
		{"abc", 0, ErrNotFloat},
		{"", 0, ErrNotFloat},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := CreateString(tt.in).ToDouble()
			if got != tt.want || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("ToDouble(%q) = %v, %v; want %v, %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// The errors carry Redis's exact texts: handlers return them as replies.
func TestErrorTexts(t *testing.T) {
	if ErrNotInteger.Error() != "ERR value is not an integer or out of range" {
		t.Errorf("ErrNotInteger = %q", ErrNotInteger)
	}
	if ErrNotFloat.Error() != "ERR value is not a valid float" {
		t.Errorf("ErrNotFloat = %q", ErrNotFloat)
	}
}

func TestStringCompare(t *testing.T) {
	sign := func(n int) int {
		switch {
		case n < 0:
			return -1
		case n > 0:
			return 1
		}
		return 0
	}
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "abc", 0},
		{"abc", "abd", -1},
		{"abd", "abc", 1},
		{"ab", "abc", -1},
		{"abc", "ab", 1},
		{"", "a", -1},
		{"B", "a", -1},        // bytewise: 'B' < 'a'
		{"\xff", "\x01", 1},   // bytes compare unsigned
		{"a\x00", "a", 1},     // a NUL byte counts
		{"héllo", "hello", 1}, // UTF-8 bytes, not runes
		{"10", "9", -1},       // not numeric
		{"same\x00x", "same\x00x", 0},
	}
	for _, tt := range tests {
		t.Run(tt.a+"|"+tt.b, func(t *testing.T) {
			a, b := StringFromBytes([]byte(tt.a)), CreateString(tt.b)
			if got := sign(a.Compare(b)); got != tt.want {
				t.Errorf("Compare(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := sign(b.Compare(a)); got != -tt.want {
				t.Errorf("Compare(%q, %q) = %d, want %d", tt.b, tt.a, got, -tt.want)
			}
		})
	}
}

// The expected texts are C's printf("%.17Lg") and printf("%.17Lf") (then
// ld2string's trimming) of the same values, as Python's % operator (C's
// printf) prints them.
func TestCreateStringFromLongDouble(t *testing.T) {
	tests := []struct {
		in          float64
		auto, human string
	}{
		{0, "0", "0"},
		{math.Copysign(0, -1), "-0", "0"},
		{1, "1", "1"},
		{-1, "-1", "-1"},
		{0.1, "0.10000000000000001", "0.10000000000000001"},
		{1.5, "1.5", "1.5"},
		{2.5, "2.5", "2.5"},
		{100, "100", "100"},
		{1e16, "10000000000000000", "10000000000000000"},
		{1e17, "1e+17", "100000000000000000"},
		{123456789012345678, "1.2345678901234568e+17", "123456789012345680"},
		{1e-4, "0.0001", "0.0001"},
		{1e-5, "1.0000000000000001e-05", "0.00001"},
		{3.14159, "3.1415899999999999", "3.14158999999999988"},
		{1.0 / 3, "0.33333333333333331", "0.33333333333333331"},
		{12345.678, "12345.678", "12345.67799999999988358"},
		{5e-324, "4.9406564584124654e-324", "0"},
		{-1e-30, "-1.0000000000000001e-30", "0"},
		{math.Inf(1), "inf", "inf"},
		{math.Inf(-1), "-inf", "-inf"},
		{math.NaN(), "nan", "nan"},
	}
	for _, tt := range tests {
		t.Run(tt.auto, func(t *testing.T) {
			if got := CreateStringFromLongDouble(tt.in, false).String(); got != tt.auto {
				t.Errorf("CreateStringFromLongDouble(%v, false) = %q, want %q", tt.in, got, tt.auto)
			}
			if got := CreateStringFromLongDouble(tt.in, true).String(); got != tt.human {
				t.Errorf("CreateStringFromLongDouble(%v, true) = %q, want %q", tt.in, got, tt.human)
			}
			if got := string(AppendLongDouble([]byte("x"), tt.in, true)); got != "x"+tt.human {
				t.Errorf("AppendLongDouble(x, %v, true) = %q", tt.in, got)
			}
		})
	}
	// What %.17g prints reads back as the same float64.
	r := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		f := math.Float64frombits(r.Uint64())
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		s := CreateStringFromLongDouble(f, false)
		if got, err := s.ToLongDouble(); err != nil || got != f {
			t.Fatalf("ToLongDouble(%q) = %v, %v; want %v", s, got, err, f)
		}
	}
}

func TestCreateStringPrintfAndCopies(t *testing.T) {
	if got := CreateStringPrintf("%s=%d %v", CreateString("n"), 42, 1.5).String(); got != "n=42 1.5" {
		t.Errorf("CreateStringPrintf = %q", got)
	}
	if got := CreateStringPrintf("plain").String(); got != "plain" {
		t.Errorf("CreateStringPrintf without arguments = %q", got)
	}
	buf := []byte("abc")
	orig := StringFromBytes(buf)
	cp := CreateStringFromString(orig)
	held := orig.Hold()
	buf[0] = 'X'
	if cp.String() != "abc" || held.String() != "abc" {
		t.Errorf("CreateStringFromString %q, Hold %q: not copies", cp, held)
	}
	orig.TrimAllocation()
	if orig.String() != "Xbc" {
		t.Errorf("TrimAllocation changed the string: %q", orig)
	}
	for _, tt := range []struct {
		in   uint64
		want string
	}{{0, "0"}, {42, "42"}, {math.MaxUint64, "18446744073709551615"}, {1 << 63, "9223372036854775808"}} {
		if got := CreateStringFromULongLong(tt.in).String(); got != tt.want {
			t.Errorf("CreateStringFromULongLong(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// AppendBuffer never writes into the memory of the String it extends: an
// argv String shares the server's read buffer, whose next bytes are the
// next argument.
func TestStringAppendBuffer(t *testing.T) {
	req := []byte("key1value")
	key := StringFromBytes(req[:4]) // cap reaches into "value"
	got := key.AppendBuffer([]byte("-suffix"))
	if got.String() != "key1-suffix" {
		t.Errorf("AppendBuffer = %q", got)
	}
	if string(req) != "key1value" {
		t.Errorf("AppendBuffer wrote into the shared buffer: %q", req)
	}
	if key.String() != "key1" {
		t.Errorf("AppendBuffer changed its receiver: %q", key)
	}
	s := String{}
	for i := range 100 {
		s = s.AppendBuffer([]byte{byte('a' + i%26)})
	}
	if s.Len() != 100 || s.String()[:3] != "abc" || s.String()[26:29] != "abc" {
		t.Errorf("repeated AppendBuffer: %q", s)
	}
	if got := CreateString("x").AppendBuffer(nil).String(); got != "x" {
		t.Errorf("AppendBuffer(nil) = %q", got)
	}
	if StringCompare(CreateString("a"), CreateString("b")) >= 0 || StringCompare(CreateString("b"), CreateString("b")) != 0 {
		t.Error("StringCompare")
	}
}

// The expected results follow string2ull: string2ll first (negative
// refused), then C's strtoull with Redis's checks (checked with glibc).
func TestStringToULongLong(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true},
		{"42", 42, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"9223372036854775808", 1 << 63, true},
		{"18446744073709551615", math.MaxUint64, true},
		{"18446744073709551616", 0, false}, // ERANGE
		{"99999999999999999999999", 0, false},
		{"-1", 0, false}, // string2ll reads it: negative
		{"-9223372036854775808", 0, false},
		{"+5", 5, true},               // strtoull's sign
		{" 7", 7, true},               // strtoull skips leading space
		{"\t\n 8", 8, true},           // any isspace
		{"007", 7, true},              // leading zeros
		{"-0", 0, true},               // not string2ll's, strtoull's
		{"-01", math.MaxUint64, true}, // strtoull negates in unsigned arithmetic
		{"-18446744073709551615", 1, true},
		{"7 ", 0, false},
		{"", 0, false},
		{" ", 0, false},
		{"+", 0, false},
		{"-", 0, false},
		{"0x10", 0, false},
		{"1.0", 0, false},
		{"12\x00junk", 12, true}, // C stops at the NUL
		{"\x00", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := CreateString(tt.in).ToULongLong()
			if got != tt.want || (err == nil) != tt.ok || err != nil && !errors.Is(err, ErrNotInteger) {
				t.Errorf("ToULongLong(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
			}
		})
	}
}

func TestStringToLongDouble(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1.5", 1.5, true},
		{"-inf", math.Inf(-1), true},
		{"1e308", 1e308, true},
		{"1e400", 0, false}, // a long double, not a float64
		{"nan", 0, false},
		{" 1", 0, false},
		{"", 0, false},
		{"0." + strings.Repeat("0", 5000) + "1", 0, false}, // 5120 bytes and more: refused
		{"1." + strings.Repeat("0", 5000), 1, true},
	}
	for _, tt := range tests {
		name := tt.in
		if len(name) > 20 {
			name = name[:20]
		}
		t.Run(name, func(t *testing.T) {
			got, err := CreateString(tt.in).ToLongDouble()
			if got != tt.want || (err == nil) != tt.ok || err != nil && !errors.Is(err, ErrNotFloat) {
				t.Errorf("ToLongDouble(%q) = %v, %v; want %v, ok %v", name, got, err, tt.want, tt.ok)
			}
		})
	}
}

func TestScanCursor(t *testing.T) {
	c := ScanCursorCreate()
	if c.Done() || c.Position() != 0 {
		t.Fatalf("new cursor: done %v at %d", c.Done(), c.Position())
	}
	c.Advance(17)
	if c.Done() || c.Position() != 17 {
		t.Fatalf("advanced: done %v at %d", c.Done(), c.Position())
	}
	c.Advance(0)
	if !c.Done() {
		t.Fatal("a cursor advanced to 0 is not done")
	}
	c.Restart()
	if c.Done() || c.Position() != 0 {
		t.Fatal("Restart did not reset the cursor")
	}
	c.Destroy()
	var nilc *ScanCursor
	nilc.Restart()
	nilc.Advance(3)
	if !nilc.Done() || nilc.Position() != 0 {
		t.Fatal("a nil cursor is not done")
	}
}

func TestKeyTypeNames(t *testing.T) {
	want := map[KeyType]string{KeyTypeEmpty: "empty", KeyTypeString: "string", KeyTypeList: "list", KeyTypeHash: "hash",
		KeyTypeSet: "set", KeyTypeZSet: "zset", KeyTypeModule: "module", KeyTypeStream: "stream", 8: "unknown", -1: "unknown"}
	for typ, name := range want {
		if typ.String() != name {
			t.Errorf("KeyType(%d) = %q, want %q", typ, typ.String(), name)
		}
	}
	// Redis's numbers.
	if KeyTypeHash != 3 || KeyTypeZSet != 5 || KeyTypeStream != 7 || ZaddGT != 32 || ZaddNop != 16 || HashCountAll != 16 || OpenKeyNoTouch != 65536 {
		t.Error("a constant lost Redis's number")
	}
	if !IsHashDelete(HashDelete) || IsHashDelete(CreateString("x")) || IsHashDelete(nil) {
		t.Error("IsHashDelete")
	}
}
