package sdk

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

func argv(args ...string) []String {
	out := make([]String, len(args))
	for i, a := range args {
		out[i] = CreateString(a)
	}
	return out
}

// Each Next... takes one argument; a missing one is ErrWrongArity, a bad
// number Redis's text, and the cursor moves past a bad argument.
func TestArgsNext(t *testing.T) {
	tests := []struct {
		name string
		args []string // after the command name
		take func(a *Args) (any, error)
		want any
		err  error
		left int
	}{
		{"Next", []string{"k", "v"}, func(a *Args) (any, error) { s, err := a.Next(); return s.String(), err }, "k", nil, 1},
		{"Next at the end", nil, func(a *Args) (any, error) { s, err := a.Next(); return s.String(), err }, "", ErrWrongArity, 0},
		{"NextString", []string{"héllo"}, func(a *Args) (any, error) { return a.NextString() }, "héllo", nil, 0},
		{"NextString at the end", nil, func(a *Args) (any, error) { return a.NextString() }, "", ErrWrongArity, 0},
		{"NextInt64", []string{"-42", "x"}, func(a *Args) (any, error) { return a.NextInt64() }, int64(-42), nil, 1},
		{"NextInt64 min", []string{"-9223372036854775808"}, func(a *Args) (any, error) { return a.NextInt64() }, int64(math.MinInt64), nil, 0},
		{"NextInt64 overflow", []string{"9223372036854775808"}, func(a *Args) (any, error) { return a.NextInt64() }, int64(0), ErrNotInteger, 0},
		{"NextInt64 not a number", []string{"12a", "next"}, func(a *Args) (any, error) { return a.NextInt64() }, int64(0), ErrNotInteger, 1},
		{"NextInt64 with a plus", []string{"+1"}, func(a *Args) (any, error) { return a.NextInt64() }, int64(0), ErrNotInteger, 0},
		{"NextInt64 with a space", []string{" 1"}, func(a *Args) (any, error) { return a.NextInt64() }, int64(0), ErrNotInteger, 0},
		{"NextInt64 at the end", nil, func(a *Args) (any, error) { return a.NextInt64() }, int64(0), ErrWrongArity, 0},
		{"NextUint64", []string{"18446744073709551615"}, func(a *Args) (any, error) { return a.NextUint64() }, uint64(math.MaxUint64), nil, 0},
		{"NextUint64 negative", []string{"-1"}, func(a *Args) (any, error) { return a.NextUint64() }, uint64(0), ErrNotInteger, 0},
		{"NextUint64 overflow", []string{"18446744073709551616"}, func(a *Args) (any, error) { return a.NextUint64() }, uint64(0), ErrNotInteger, 0},
		{"NextUint64 at the end", nil, func(a *Args) (any, error) { return a.NextUint64() }, uint64(0), ErrWrongArity, 0},
		{"NextFloat64", []string{"1.5e3"}, func(a *Args) (any, error) { return a.NextFloat64() }, 1500.0, nil, 0},
		{"NextFloat64 inf", []string{"-inf"}, func(a *Args) (any, error) { return a.NextFloat64() }, math.Inf(-1), nil, 0},
		{"NextFloat64 nan", []string{"nan"}, func(a *Args) (any, error) { return a.NextFloat64() }, 0.0, ErrNotFloat, 0},
		{"NextFloat64 not a number", []string{"abc"}, func(a *Args) (any, error) { return a.NextFloat64() }, 0.0, ErrNotFloat, 0},
		{"NextFloat64 at the end", nil, func(a *Args) (any, error) { return a.NextFloat64() }, 0.0, ErrWrongArity, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewArgs(argv(append([]string{"cmd"}, tt.args...)...))
			got, err := tt.take(&a)
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if fmt.Sprintf("%T %v", got, got) != fmt.Sprintf("%T %v", tt.want, tt.want) {
				t.Errorf("got %T %v, want %T %v", got, got, tt.want, tt.want)
			}
			if a.Len() != tt.left {
				t.Errorf("%d arguments left, want %d", a.Len(), tt.left)
			}
		})
	}
}

// The errors carry Redis's wire texts.
func TestArgsErrorTexts(t *testing.T) {
	for err, want := range map[error]string{
		ErrWrongArity: "ERR wrong number of arguments",
		ErrSyntax:     "ERR syntax error",
		ErrNotInteger: "ERR value is not an integer or out of range",
		ErrNotFloat:   "ERR value is not a valid float",
	} {
		if err.Error() != want {
			t.Errorf("%q, want %q", err.Error(), want)
		}
	}
}

// MatchToken takes the next argument only when it is the token, in any
// ASCII case; Done refuses leftovers.
func TestArgsMatchTokenAndDone(t *testing.T) {
	a := NewArgs(argv("SET", "k", "v", "nx", "Ex", "10", "extra"))
	key, _ := a.Next()
	val, _ := a.Next()
	if key.String() != "k" || val.String() != "v" {
		t.Fatalf("key %q value %q", key, val)
	}
	if a.MatchToken("XX") {
		t.Error("XX matched nx")
	}
	if !a.MatchToken("NX") {
		t.Error("NX did not match nx")
	}
	if a.MatchToken("E") || a.MatchToken("EXX") {
		t.Error("a prefix or a longer token matched")
	}
	if !a.MatchToken("EX") {
		t.Error("EX did not match Ex")
	}
	if n, err := a.NextInt64(); n != 10 || err != nil {
		t.Errorf("EX value %d %v", n, err)
	}
	if err := a.Done(); err != ErrSyntax {
		t.Errorf("Done with an extra argument = %v", err)
	}
	if s, ok := a.Peek(); !ok || s.String() != "extra" || a.Len() != 1 {
		t.Errorf("Peek = %q %v, Len %d", s, ok, a.Len())
	}
	if r := a.Rest(); len(r) != 1 || r[0].String() != "extra" {
		t.Errorf("Rest = %v", r)
	}
	if err := a.Done(); err != nil {
		t.Errorf("Done at the end = %v", err)
	}
	if a.MatchToken("extra") {
		t.Error("MatchToken at the end matched")
	}
	if _, ok := a.Peek(); ok {
		t.Error("Peek at the end")
	}
	if r := a.Rest(); r != nil {
		t.Errorf("Rest at the end = %v", r)
	}
	if a.Pos() != 7 {
		t.Errorf("Pos = %d", a.Pos())
	}
}

// Only ASCII letters fold, as strcasecmp: the Kelvin sign is not a K.
func TestArgsMatchTokenASCII(t *testing.T) {
	a := NewArgs(argv("cmd", "\u212a", "ß"))
	if a.MatchToken("k") || a.MatchToken("K") {
		t.Error("the Kelvin sign matched K")
	}
	a.Next()
	if a.MatchToken("SS") {
		t.Error("ß matched SS")
	}
	if !a.MatchToken("ß") {
		t.Error("ß did not match itself")
	}
}

// A cursor over nothing, or over the command name only, is empty.
func TestArgsEmpty(t *testing.T) {
	for _, v := range [][]String{nil, argv("cmd")} {
		a := NewArgs(v)
		if a.Len() != 0 || a.Done() != nil {
			t.Errorf("%v: Len %d Done %v", v, a.Len(), a.Done())
		}
		if _, err := a.Next(); err != ErrWrongArity {
			t.Errorf("%v: Next = %v", v, err)
		}
	}
}

// NewArgs and the Next... calls do not allocate.
func TestArgsNoAllocations(t *testing.T) {
	v := argv("cmd", "key", "12", "1.5", "NX")
	n := testing.AllocsPerRun(100, func() {
		a := NewArgs(v)
		a.Next()
		a.NextInt64()
		a.NextFloat64()
		a.MatchToken("nx")
		_ = a.Done()
	})
	if n != 0 {
		t.Errorf("%v allocations per parse", n)
	}
}

func ExampleArgs() {
	// A handler's argv for "MYMOD.SET key 10 NX".
	argv := []String{CreateString("MYMOD.SET"), CreateString("key"), CreateString("10"), CreateString("nx")}
	args := NewArgs(argv)
	key, _ := args.Next()
	n, _ := args.NextInt64()
	nx := args.MatchToken("NX")
	fmt.Println(key, n, nx, args.Done())
	// A missing argument is a wrong-arity error.
	_, err := args.Next()
	fmt.Println(err == ErrWrongArity)
	// Output:
	// key 10 true <nil>
	// true
}
