package lualibs

import (
	"math"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// The libraries' replies are checked against redis-server 7.0.15 by the
// host package's script tests; these cover the Go helpers and round trips
// on a bare interpreter.

func newState(t *testing.T) *lua.LState {
	t.Helper()
	L := lua.NewState()
	t.Cleanup(L.Close)
	Open(L, L.G.Global)
	return L
}

func run(t *testing.T, L *lua.LState, code string) lua.LValue {
	t.Helper()
	if err := L.DoString(code); err != nil {
		t.Fatalf("%s: %v", code, err)
	}
	v := L.Get(-1)
	L.Pop(1)
	return v
}

func TestRoundTrips(t *testing.T) {
	L := newState(t)
	tests := []struct{ code, want string }{
		{`return cjson.encode(cjson.decode('{"a":[1,2,{"b":"x\\u00e9"}]}'))`, `{"a":[1,2,{"b":"xé"}]}`},
		{`return cjson.encode({1, "two", true, cjson.null})`, `[1,"two",true,null]`},
		{`local t = cmsgpack.unpack(cmsgpack.pack({1, {2, 3}, "x"})) return t[2][2] .. t[3]`, "3x"},
		{`return tostring(cmsgpack.unpack(cmsgpack.pack(-2147483649)))`, "-2147483649"},
		{`local a, b, n = struct.unpack('>hs', struct.pack('>hs', -3, 'ab')) return a .. b .. n`, "-3ab6"},
		{`return struct.size('!4 b i d')`, "16"},
		{`return bit.tohex(bit.bxor(0xf0f0, 0x0ff0))`, "0000ff00"},
		{`return bit.arshift(bit.lshift(1, 31), 31)`, "-1"},
	}
	for _, tc := range tests {
		if got := lua.LVAsString(run(t, L, tc.code)); got != tc.want {
			t.Errorf("%s\n got: %q\nwant: %q", tc.code, got, tc.want)
		}
	}
}

func TestErrorsCarryPosition(t *testing.T) {
	L := newState(t)
	err := L.DoString(`cjson.decode('[1,')`)
	if err == nil || !strings.Contains(err.Error(), "Expected value but found T_END at character 4") {
		t.Errorf("decode error: %v", err)
	}
	// Called straight from pcall (a Go function), Lua gives no position.
	v := run(t, L, `local ok, e = pcall(cjson.decode, 'x') return e`)
	if lua.LVAsString(v) != "Expected value but found invalid token at character 1" {
		t.Errorf("pcall'd error: %q", lua.LVAsString(v))
	}
}

func TestStrtod(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		used int
	}{
		{"12", 12, 2}, {"-0.5e3x", -500, 6}, {"0x1F]", 31, 4}, {"+7", 7, 2},
		{"1e", 1, 1}, {".5", 0.5, 2}, {"-", 0, 0}, {"inf", math.Inf(1), 3},
	}
	for _, tc := range tests {
		got, used := strtod(tc.in)
		if got != tc.want || used != tc.used {
			t.Errorf("strtod(%q) = %v, %d; want %v, %d", tc.in, got, used, tc.want, tc.used)
		}
	}
}

func TestFmtG(t *testing.T) {
	for f, want := range map[float64]string{1.0 / 3: "0.33333333333333", 1e20: "1e+20", 100: "100",
		math.Inf(-1): "-inf", 0.1: "0.1"} {
		if got := fmtG(f, 14); got != want {
			t.Errorf("fmtG(%v) = %q, want %q", f, got, want)
		}
	}
}
