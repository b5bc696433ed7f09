package resp

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"modis/sdk"
)

// record runs write against a fresh Recorder and returns what it recorded.
func record(t *testing.T, p3 bool, write func(w Writer)) *Value {
	t.Helper()
	r := &Recorder{P3: p3}
	write(r)
	return r.Result()
}

// dump renders a recorded tree compactly: "s" strings, +"s" simple
// strings, !"e" errors, 1 integers, null, nullarray, [..] arrays, ~[..]
// sets, %[..] maps, double(x), bool(x), verbatim(fmt:"s"), big(n).
func dump(v *Value) string {
	if v == nil {
		return "<nil>"
	}
	elems := func() string {
		parts := make([]string, len(v.Elems))
		for i, e := range v.Elems {
			parts[i] = dump(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	switch v.Kind {
	case sdk.ReplyString:
		if v.simple {
			return fmt.Sprintf("+%q", v.Str)
		}
		return fmt.Sprintf("%q", v.Str)
	case sdk.ReplyError:
		return fmt.Sprintf("!%q", v.Str)
	case sdk.ReplyInteger:
		return fmt.Sprint(v.Int)
	case sdk.ReplyNull:
		if v.nullArray {
			return "nullarray"
		}
		return "null"
	case sdk.ReplyArray:
		return elems()
	case sdk.ReplySet:
		return "~" + elems()
	case sdk.ReplyMap:
		return "%" + elems()
	case sdk.ReplyDouble:
		return fmt.Sprintf("double(%s)", v.Str)
	case sdk.ReplyBool:
		return fmt.Sprintf("bool(%v)", v.Int != 0)
	case sdk.ReplyVerbatim:
		return fmt.Sprintf("verbatim(%s:%q)", v.Fmt, v.Str)
	case sdk.ReplyBigNumber:
		return fmt.Sprintf("big(%s)", v.Str)
	}
	return fmt.Sprintf("kind(%d)", v.Kind)
}

func TestRecorderTrees(t *testing.T) {
	tests := []struct {
		name         string
		write        func(w Writer)
		resp2, resp3 string
	}{
		{"bulk", func(w Writer) { w.Bulk([]byte("v")) }, `"v"`, `"v"`},
		{"simple string", func(w Writer) { w.SimpleString("OK") }, `+"OK"`, `+"OK"`},
		{"error", func(w Writer) { w.Error("ERR bad") }, `!"ERR bad"`, `!"ERR bad"`},
		{"int", func(w Writer) { w.Int(-3) }, `-3`, `-3`},
		{"null", func(w Writer) { w.Null() }, `null`, `null`},
		{"null array", func(w Writer) { w.NullArray() }, `nullarray`, `nullarray`},
		{"array", func(w Writer) { w.Array(3); w.BulkString("a"); w.Int(1); w.Null() }, `["a" 1 null]`, `["a" 1 null]`},
		{"empty array", func(w Writer) { w.Array(0) }, `[]`, `[]`},
		{"nested arrays", func(w Writer) {
			w.Array(3)
			w.Array(2)
			w.Int(1)
			w.Int(2)
			w.Array(0)
			w.Array(1)
			w.Array(1)
			w.BulkString("deep")
		}, `[[1 2] [] [["deep"]]]`, `[[1 2] [] [["deep"]]]`},
		{"map", func(w Writer) { w.Map(2); w.BulkString("a"); w.Int(1); w.BulkString("b"); w.Int(2) }, `["a" 1 "b" 2]`, `%["a" 1 "b" 2]`},
		{"map of arrays", func(w Writer) {
			w.Map(1)
			w.BulkString("k")
			w.Array(2)
			w.Int(1)
			w.Int(2)
		}, `["k" [1 2]]`, `%["k" [1 2]]`},
		{"set", func(w Writer) { w.Set(2); w.Int(1); w.Int(2) }, `[1 2]`, `~[1 2]`},
		{"push", func(w Writer) { w.Push(1); w.BulkString("m") }, `["m"]`, `["m"]`},
		{"double", func(w Writer) { w.Double(1.5) }, `"1.5"`, `double(1.5)`},
		{"bool", func(w Writer) { w.Array(2); w.Bool(true); w.Bool(false) }, `[1 0]`, `[bool(true) bool(false)]`},
		{"verbatim", func(w Writer) { w.Verbatim("txt", []byte("hi")) }, `"hi"`, `verbatim(txt:"hi")`},
		{"big number", func(w Writer) { w.BigNumber("12345678901234567890") }, `"12345678901234567890"`, `big(12345678901234567890)`},
		{"deferred array", func(w Writer) {
			h := w.Defer('*')
			w.Int(1)
			w.Int(2)
			w.SetDeferred(h, 2)
		}, `[1 2]`, `[1 2]`},
		{"deferred nested, inner set first", func(w Writer) {
			outer := w.Defer('*')
			w.Int(1)
			inner := w.Defer('%')
			w.BulkString("k")
			w.Int(2)
			w.SetDeferred(inner, 1)
			w.SetDeferred(outer, 2)
		}, `[1 ["k" 2]]`, `[1 %["k" 2]]`},
		{"deferred nested, outer set first", func(w Writer) {
			outer := w.Defer('~')
			inner := w.Defer('*')
			w.Int(1)
			w.SetDeferred(outer, 1)
			w.SetDeferred(inner, 1)
		}, `[[1]]`, `~[[1]]`},
		{"fixed array inside a deferred one", func(w Writer) {
			h := w.Defer('*')
			w.Array(2)
			w.Int(1)
			w.Int(2)
			w.Int(3)
			w.SetDeferred(h, 2)
		}, `[[1 2] 3]`, `[[1 2] 3]`},
		{"deferred inside a fixed array", func(w Writer) {
			w.Array(2)
			h := w.Defer('*')
			w.Int(1)
			w.SetDeferred(h, 1)
			w.Int(2)
		}, `[[1] 2]`, `[[1] 2]`},
		{"empty deferred", func(w Writer) {
			h := w.Defer('%')
			w.SetDeferred(h, 0)
		}, `[]`, `%[]`},
		// One reply is recorded; what follows a complete reply is dropped.
		{"a second reply is dropped", func(w Writer) { w.SimpleString("OK"); w.Int(1) }, `+"OK"`, `+"OK"`},
	}
	for _, tt := range tests {
		for _, p3 := range []bool{false, true} {
			want := tt.resp2
			if p3 {
				want = tt.resp3
			}
			t.Run(protoName(p3)+"/"+tt.name, func(t *testing.T) {
				if got := dump(record(t, p3, tt.write)); got != want {
					t.Errorf("\n got: %s\nwant: %s", got, want)
				}
			})
		}
	}
}

func TestRecorderProtoAndEmpty(t *testing.T) {
	r := &Recorder{}
	if r.Proto() != 2 || (&Recorder{P3: true}).Proto() != 3 {
		t.Errorf("Proto: %d, %d", r.Proto(), (&Recorder{P3: true}).Proto())
	}
	if r.Result() != nil {
		t.Errorf("Result of an empty Recorder = %s", dump(r.Result()))
	}
}

// The Recorder keeps its own copy of bytes handlers pass it.
func TestRecorderCopies(t *testing.T) {
	b := []byte("abc")
	v := record(t, true, func(w Writer) {
		w.Array(2)
		w.Bulk(b)
		w.Verbatim("txt", b)
	})
	copy(b, "XYZ")
	if got := dump(v); got != `["abc" verbatim(txt:"abc")]` {
		t.Errorf("recorded %s after the source changed", got)
	}
}

func TestRecorderMarkTruncate(t *testing.T) {
	r := &Recorder{}
	if m := r.Mark(); m != 0 {
		t.Fatalf("Mark of an empty Recorder = %d", m)
	}
	r.Array(3)
	r.Int(1)
	r.Truncate(0) // a panicking handler's partial reply is taken back
	if r.Result() != nil {
		t.Fatalf("after Truncate(0): %s", dump(r.Result()))
	}
	r.Error("ERR replaced")
	if got := dump(r.Result()); got != `!"ERR replaced"` {
		t.Fatalf("after Truncate: %s", got)
	}
	if m := r.Mark(); m == 0 {
		t.Fatalf("Mark after a reply = 0")
	}
}

// accessors collects what sdk.CallReply's scalar accessors return.
type accessors struct {
	typ    sdk.ReplyType
	i      int64
	f      float64
	bytes  string
	errTxt string
	length int
}

func readAccessors(r sdk.CallReply) accessors {
	return accessors{r.Type(), r.Integer(), r.Double(), r.String(), r.Error(), r.Length()}
}

func TestValueAccessors(t *testing.T) {
	tests := []struct {
		name  string
		p3    bool
		write func(w Writer)
		want  accessors
	}{
		{"bulk", false, func(w Writer) { w.BulkString("abc") }, accessors{typ: sdk.ReplyString, bytes: "abc", length: 3}},
		{"simple string", false, func(w Writer) { w.SimpleString("OK") }, accessors{typ: sdk.ReplyString, bytes: "OK", length: 2}},
		{"error", false, func(w Writer) { w.Error("ERR x") }, accessors{typ: sdk.ReplyError, bytes: "ERR x", errTxt: "ERR x", length: 5}},
		{"integer", false, func(w Writer) { w.Int(42) }, accessors{typ: sdk.ReplyInteger, i: 42}},
		{"null", false, func(w Writer) { w.Null() }, accessors{typ: sdk.ReplyNull}},
		{"null array", false, func(w Writer) { w.NullArray() }, accessors{typ: sdk.ReplyNull}},
		{"array", false, func(w Writer) { w.Array(2); w.Int(1); w.Int(2) }, accessors{typ: sdk.ReplyArray, length: 2}},
		{"RESP2 map is an array", false, func(w Writer) { w.Map(1); w.Int(1); w.Int(2) }, accessors{typ: sdk.ReplyArray, length: 2}},
		{"RESP3 map counts pairs", true, func(w Writer) { w.Map(1); w.Int(1); w.Int(2) }, accessors{typ: sdk.ReplyMap, length: 1}},
		{"set", true, func(w Writer) { w.Set(3); w.Int(1); w.Int(2); w.Int(3) }, accessors{typ: sdk.ReplySet, length: 3}},
		{"RESP2 double is a string", false, func(w Writer) { w.Double(2.5) }, accessors{typ: sdk.ReplyString, bytes: "2.5", length: 3}},
		{"RESP3 double", true, func(w Writer) { w.Double(2.5) }, accessors{typ: sdk.ReplyDouble, f: 2.5, bytes: "2.5"}},
		{"RESP3 bool", true, func(w Writer) { w.Bool(true) }, accessors{typ: sdk.ReplyBool, i: 1}},
		{"RESP2 bool is an integer", false, func(w Writer) { w.Bool(true) }, accessors{typ: sdk.ReplyInteger, i: 1}},
		{"verbatim", true, func(w Writer) { w.Verbatim("txt", []byte("text")) }, accessors{typ: sdk.ReplyVerbatim, bytes: "text", length: 4}},
		{"big number", true, func(w Writer) { w.BigNumber("123") }, accessors{typ: sdk.ReplyBigNumber, bytes: "123", length: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := record(t, tt.p3, tt.write)
			if got := readAccessors(v); got != tt.want {
				t.Errorf("\n got: %+v\nwant: %+v", got, tt.want)
			}
			if string(v.Bytes()) != tt.want.bytes {
				t.Errorf("Bytes = %q, want %q", v.Bytes(), tt.want.bytes)
			}
		})
	}
}

func TestValueNilAndUnknown(t *testing.T) {
	var nilValue *Value
	for name, r := range map[string]sdk.CallReply{"nil *Value": nilValue, "unknown": unknown} {
		t.Run(name, func(t *testing.T) {
			if got := readAccessors(r); got != (accessors{typ: sdk.ReplyUnknown}) {
				t.Errorf("accessors = %+v", got)
			}
			if r.Bytes() != nil {
				t.Errorf("Bytes = %q", r.Bytes())
			}
			if e := r.ArrayElement(0); e == nil || e.Type() != sdk.ReplyUnknown {
				t.Errorf("ArrayElement(0) = %v", e)
			}
			if k, v := r.MapElement(0); k == nil || v == nil || k.Type() != sdk.ReplyUnknown || v.Type() != sdk.ReplyUnknown {
				t.Errorf("MapElement(0) = %v, %v", k, v)
			}
			if s := r.CreateString(); s.Len() != 0 {
				t.Errorf("CreateString = %q", s)
			}
		})
	}
}

// Element accessors never return nil: out of range, or on a reply that is
// not an aggregate, they return a ReplyUnknown reply, and chained calls
// keep working.
func TestValueElements(t *testing.T) {
	arr := record(t, true, func(w Writer) {
		w.Array(3)
		w.BulkString("a")
		w.Array(1)
		w.Int(7)
		w.Set(1)
		w.BulkString("s")
	})
	m := record(t, true, func(w Writer) {
		w.Map(2)
		w.BulkString("k1")
		w.Int(1)
		w.BulkString("k2")
		w.Array(1)
		w.Int(2)
	})
	flat := record(t, false, func(w Writer) { w.Map(1); w.BulkString("k"); w.Int(1) })
	str := record(t, false, func(w Writer) { w.BulkString("x") })

	elems := []struct {
		name string
		got  sdk.CallReply
		want string // dump of the element, or "unknown"
	}{
		{"array[0]", arr.ArrayElement(0), `"a"`},
		{"array[1][0]", arr.ArrayElement(1).ArrayElement(0), `7`},
		{"set element", arr.ArrayElement(2).ArrayElement(0), `"s"`},
		{"array[-1]", arr.ArrayElement(-1), "unknown"},
		{"array[len]", arr.ArrayElement(3), "unknown"},
		{"array[99][0][5] chained", arr.ArrayElement(99).ArrayElement(0).ArrayElement(5), "unknown"},
		{"array element of a string", str.ArrayElement(0), "unknown"},
		{"array element of a map", m.ArrayElement(0), "unknown"},
		{"RESP2 map is an array", flat.ArrayElement(1), `1`},
	}
	for _, e := range elems {
		t.Run(e.name, func(t *testing.T) {
			if e.got == nil {
				t.Fatal("nil reply")
			}
			got := "unknown"
			if e.got.Type() != sdk.ReplyUnknown {
				got = dump(e.got.(*Value))
			}
			if got != e.want {
				t.Errorf("got %s, want %s", got, e.want)
			}
		})
	}

	pairs := []struct {
		name       string
		v          *Value
		i          int
		key, value string
	}{
		{"pair 0", m, 0, `"k1"`, `1`},
		{"pair 1", m, 1, `"k2"`, `[2]`},
		{"pair -1", m, -1, "unknown", "unknown"},
		{"pair 2", m, 2, "unknown", "unknown"},
		{"map element of an array", arr, 0, "unknown", "unknown"},
		{"map element of a RESP2 map (an array)", flat, 0, "unknown", "unknown"},
		{"map element of a string", str, 0, "unknown", "unknown"},
	}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			k, v := p.v.MapElement(p.i)
			if k == nil || v == nil {
				t.Fatalf("nil reply: %v, %v", k, v)
			}
			show := func(r sdk.CallReply) string {
				if r.Type() == sdk.ReplyUnknown {
					return "unknown"
				}
				return dump(r.(*Value))
			}
			if show(k) != p.key || show(v) != p.value {
				t.Errorf("got %s => %s, want %s => %s", show(k), show(v), p.key, p.value)
			}
		})
	}
	if _, v := m.MapElement(1); v.ArrayElement(0).Integer() != 2 {
		t.Errorf("chained MapElement(1).ArrayElement(0) = %d", v.ArrayElement(0).Integer())
	}
}

// Proto gives the bytes in the protocol the reply was recorded in.
func TestValueProto(t *testing.T) {
	tests := []struct {
		name  string
		p3    bool
		write func(w Writer)
		want  string
	}{
		{"RESP2 null", false, func(w Writer) { w.Null() }, "$-1\r\n"},
		{"RESP2 null array", false, func(w Writer) { w.NullArray() }, "*-1\r\n"},
		{"RESP3 null", true, func(w Writer) { w.Null() }, "_\r\n"},
		{"simple string", false, func(w Writer) { w.SimpleString("OK") }, "+OK\r\n"},
		{"bulk", false, func(w Writer) { w.BulkString("v") }, "$1\r\nv\r\n"},
		{"error", false, func(w Writer) { w.Error("ERR x") }, "-ERR x\r\n"},
		{"RESP2 map", false, func(w Writer) { w.Map(1); w.BulkString("k"); w.Int(1) }, "*2\r\n$1\r\nk\r\n:1\r\n"},
		{"RESP3 map", true, func(w Writer) { w.Map(1); w.BulkString("k"); w.Int(1) }, "%1\r\n$1\r\nk\r\n:1\r\n"},
		{"RESP2 double", false, func(w Writer) { w.Double(0.5) }, "$3\r\n0.5\r\n"},
		{"RESP3 double", true, func(w Writer) { w.Double(0.5) }, ",0.5\r\n"},
		{"RESP3 set of bools", true, func(w Writer) { w.Set(1); w.Bool(true) }, "~1\r\n#t\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(record(t, tt.p3, tt.write).Proto()); got != tt.want {
				t.Errorf("Proto = %q, want %q", got, tt.want)
			}
		})
	}
	if got := string(ErrorValue("ERR from Call").Proto()); got != "-ERR from Call\r\n" {
		t.Errorf("ErrorValue Proto = %q", got)
	}
}

func TestValueBytesAndCreateString(t *testing.T) {
	v := record(t, false, func(w Writer) { w.BulkString("hello") })
	s := v.CreateString()
	b := v.Bytes()
	b[0] = 'J' // Bytes shares the reply's memory ...
	if v.String() != "Jello" {
		t.Errorf("Bytes is not the reply's memory: String = %q", v.String())
	}
	if s.String() != "hello" { // ... CreateString does not
		t.Errorf("CreateString shares the reply's memory: %q", s.String())
	}
	// An integer's decimal form, as RedisModule_CreateStringFromCallReply.
	if got := (&Value{Kind: sdk.ReplyInteger, Int: -5}).CreateString(); got.String() != "-5" {
		t.Errorf("CreateString of an integer = %q", got)
	}
	e := ErrorValue("ERR x")
	if e.Type() != sdk.ReplyError || e.Error() != "ERR x" || e.String() != "ERR x" {
		t.Errorf("ErrorValue: %s %q", e.Type(), e.Error())
	}
}

// Replaying a recorded reply writes the same bytes as writing it directly.
func TestWriteToRoundTrip(t *testing.T) {
	scripts := []struct {
		name  string
		write func(w Writer)
	}{
		{"simple", func(w Writer) { w.SimpleString("OK") }},
		{"simple with newline", func(w Writer) { w.SimpleString("a\nb") }},
		{"error with CRLF", func(w Writer) { w.Error("ERR a\r\nb\n") }},
		{"bulk", func(w Writer) { w.Bulk([]byte("bin\x00\r\n")) }},
		{"int", func(w Writer) { w.Int(math.MaxInt64) }},
		{"null", func(w Writer) { w.Null() }},
		{"null array", func(w Writer) { w.NullArray() }},
		{"double", func(w Writer) { w.Double(-0.1) }},
		{"inf", func(w Writer) { w.Double(math.Inf(-1)) }},
		{"bool", func(w Writer) { w.Bool(false) }},
		{"verbatim", func(w Writer) { w.Verbatim("txt", []byte("a\r\nb")) }},
		{"big number", func(w Writer) { w.BigNumber("-1") }},
		{"everything in an array", func(w Writer) {
			w.Array(9)
			w.SimpleString("s")
			w.Error("ERR e")
			w.Int(1)
			w.BulkString("b")
			w.Null()
			w.Double(1e300)
			w.Bool(true)
			w.Verbatim("mkd", []byte("m"))
			w.BigNumber("99")
		}},
		{"maps and sets", func(w Writer) {
			w.Map(2)
			w.BulkString("set")
			w.Set(2)
			w.Int(1)
			w.Int(2)
			w.BulkString("map")
			w.Map(1)
			w.BulkString("k")
			w.NullArray()
		}},
		{"deferred", func(w Writer) {
			outer := w.Defer('%')
			w.BulkString("k")
			inner := w.Defer('*')
			for i := range 11 {
				w.Int(int64(i))
			}
			w.SetDeferred(inner, 11)
			w.SetDeferred(outer, 1)
		}},
	}
	for _, sc := range scripts {
		for _, p3 := range []bool{false, true} {
			t.Run(protoName(p3)+"/"+sc.name, func(t *testing.T) {
				direct := &Buffer{P3: p3}
				sc.write(direct)
				replay := &Buffer{P3: p3}
				record(t, p3, sc.write).WriteTo(replay)
				if string(replay.B) != string(direct.B) {
					t.Errorf("\nreplayed: %q\n  direct: %q", replay.B, direct.B)
				}
			})
		}
	}
}

// A reply recorded in RESP3 replays to a RESP2 client with Redis's
// downgrades (ReplyWithCallReply of a Call made with "3").
func TestWriteToDowngrade(t *testing.T) {
	v := record(t, true, func(w Writer) {
		w.Map(1)
		w.BulkString("k")
		w.Set(3)
		w.Double(1.5)
		w.Bool(true)
		w.Null()
	})
	b := &Buffer{}
	v.WriteTo(b)
	want := "*2\r\n$1\r\nk\r\n*3\r\n$3\r\n1.5\r\n:1\r\n$-1\r\n"
	if string(b.B) != want {
		t.Errorf("\n got: %q\nwant: %q", b.B, want)
	}
	b = &Buffer{}
	(*Value)(nil).WriteTo(b)
	if string(b.B) != "$-1\r\n" {
		t.Errorf("nil Value replays as %q", b.B)
	}
}

// A huge announced length allocates nothing up front (a module's
// ReplyWithArray count reaches the Recorder through Call).
func TestRecorderHugeLength(t *testing.T) {
	allocs := testing.AllocsPerRun(1, func() {
		r := &Recorder{}
		r.Array(1 << 40)
		r.Int(1)
		if v := r.Result(); v == nil || len(v.Elems) != 1 {
			t.Fatalf("recorded %s", dump(v))
		}
	})
	if allocs > 20 {
		t.Errorf("%v allocations", allocs)
	}
}
