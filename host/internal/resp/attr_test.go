package resp

import (
	"math"
	"testing"

	"modis/sdk"
)

// Attributes: |n in RESP3 and nothing in RESP2 for a Buffer; for a
// Recorder, the Attr of the value after them, kept by WriteTo in RESP3 and
// dropped in RESP2 (as Redis sends DEBUG PROTOCOL attrib to a RESP2
// client), postponed lengths included.
func TestAttributes(t *testing.T) {
	write := func(w Writer) {
		w.Array(2)
		w.(AttributeWriter).Attribute(1)
		w.BulkString("ttl")
		w.Int(5)
		w.BulkString("v")
		h := w.Defer('|')
		w.BulkString("a")
		w.Map(1)
		w.BulkString("k")
		w.Bool(true)
		w.SetDeferred(h, 1)
		w.Int(7)
	}
	const want3 = "*2\r\n|1\r\n$3\r\nttl\r\n:5\r\n$1\r\nv\r\n|1\r\n$1\r\na\r\n%1\r\n$1\r\nk\r\n#t\r\n:7\r\n"
	b := &Buffer{P3: true}
	write(b)
	if string(b.B) != want3 {
		t.Errorf("RESP3 buffer\n got %q\nwant %q", b.B, want3)
	}
	b2 := &Buffer{}
	b2.Attribute(3)
	if len(b2.B) != 0 {
		t.Errorf("RESP2 buffer wrote %q for an attribute", b2.B)
	}

	r := &Recorder{P3: true}
	write(r)
	v := r.Result()
	if v.Type() != sdk.ReplyArray || v.Length() != 2 || v.Attr != nil {
		t.Fatalf("recorded %s len %d attr %v", v.Type(), v.Length(), v.Attr)
	}
	e0, e1 := v.ArrayElement(0), v.ArrayElement(1)
	if e0.String() != "v" || e0.Attribute().Type() != sdk.ReplyAttribute || e0.Attribute().Length() != 1 {
		t.Errorf("element 0: %q attr %s", e0.String(), e0.Attribute().Type())
	}
	if k, val := e0.Attribute().AttributeElement(0); k.String() != "ttl" || val.Integer() != 5 {
		t.Errorf("attribute pair: %q %d", k.String(), val.Integer())
	}
	if k, val := e1.Attribute().AttributeElement(0); k.String() != "a" || val.Type() != sdk.ReplyMap || e1.Integer() != 7 {
		t.Errorf("postponed attribute pair: %q %s, value %d", k.String(), val.Type(), e1.Integer())
	}
	if k, _ := e1.Attribute().AttributeElement(1); k.Type() != sdk.ReplyUnknown {
		t.Errorf("pair out of range: %s", k.Type())
	}
	if k, _ := v.AttributeElement(0); k.Type() != sdk.ReplyUnknown {
		t.Errorf("AttributeElement of an array: %s", k.Type())
	}
	if got := string(v.Proto()); got != want3 {
		t.Errorf("Proto\n got %q\nwant %q", got, want3)
	}
	down := &Buffer{}
	v.WriteTo(down)
	if want := "*2\r\n$1\r\nv\r\n:7\r\n"; string(down.B) != want {
		t.Errorf("RESP2 replay\n got %q\nwant %q", down.B, want)
	}
	// An attribute of zero pairs, and Truncate forgetting a pending one.
	r.Begin(true)
	r.Attribute(0)
	r.Truncate(0)
	r.Int(1)
	if v := r.Result(); v.Attr != nil {
		t.Errorf("a truncated attribute stuck to the next reply")
	}
	r.Begin(true)
	r.Attribute(0)
	r.Int(2)
	if v := r.Result(); v.Attr == nil || v.Attr.Length() != 0 || v.Integer() != 2 {
		t.Errorf("empty attribute: %+v", v)
	}
}

// The long double form: %.17Lf without trailing zeros.
func TestLongDouble(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{3.5, "3.5"}, {0.1, "0.10000000000000001"}, {100, "100"}, {-2.25, "-2.25"},
		{math.Copysign(0, -1), "0"}, {0, "0"}, {1e20, "100000000000000000000"},
		{1e-20, "0"}, {-1e-20, "0"}, {123456.1, "123456.10000000000582077"},
		{math.Inf(1), "inf"}, {math.Inf(-1), "-inf"}, {math.NaN(), "nan"},
	}
	for _, tt := range tests {
		if got := string(AppendHumanLongDouble([]byte("x"), tt.f)); got != "x"+tt.want {
			t.Errorf("%v: %q, want %q", tt.f, got, "x"+tt.want)
		}
		b2, b3 := &Buffer{}, &Buffer{P3: true}
		b2.LongDouble(tt.f)
		b3.LongDouble(tt.f)
		if want := "$" + itoa(len(tt.want)) + "\r\n" + tt.want + "\r\n"; string(b2.B) != want {
			t.Errorf("%v RESP2: %q, want %q", tt.f, b2.B, want)
		}
		if want := "," + tt.want + "\r\n"; string(b3.B) != want {
			t.Errorf("%v RESP3: %q, want %q", tt.f, b3.B, want)
		}
		// Recorded and replayed, the text stays the long double form.
		for _, p3 := range []bool{false, true} {
			r := &Recorder{P3: p3}
			r.LongDouble(tt.f)
			out := &Buffer{P3: p3}
			r.Result().WriteTo(out)
			want := b2.B
			if p3 {
				want = b3.B
			}
			if string(out.B) != string(want) {
				t.Errorf("%v replay p3=%v: %q, want %q", tt.f, p3, out.B, want)
			}
		}
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// The RESP3 accessors: right type, value; wrong type, the zero value.
func TestValueRESP3Accessors(t *testing.T) {
	r := &Recorder{P3: true}
	r.Array(5)
	r.Set(1)
	r.Bool(true)
	r.BigNumber("-123")
	r.Verbatim("mkd", []byte("# x"))
	r.Bool(false)
	r.Double(2.5)
	v := r.Result()
	set := v.ArrayElement(0)
	if set.SetElement(0).Type() != sdk.ReplyBool || !set.SetElement(0).Bool() || set.SetElement(1).Type() != sdk.ReplyUnknown || set.SetElement(-1).Type() != sdk.ReplyUnknown {
		t.Errorf("set elements")
	}
	if v.SetElement(0).Type() != sdk.ReplyUnknown {
		t.Errorf("SetElement of an array")
	}
	if v.ArrayElement(1).BigNumber() != "-123" || v.ArrayElement(2).BigNumber() != "" {
		t.Errorf("BigNumber")
	}
	if text, format := v.ArrayElement(2).Verbatim(); text != "# x" || format != "mkd" {
		t.Errorf("Verbatim %q %q", text, format)
	}
	if text, format := v.ArrayElement(1).Verbatim(); text != "" || format != "" {
		t.Errorf("Verbatim of a big number %q %q", text, format)
	}
	if v.ArrayElement(3).Bool() || v.ArrayElement(4).Bool() {
		t.Errorf("Bool of false, or of a double")
	}
	if v.Attribute().Type() != sdk.ReplyUnknown {
		t.Errorf("Attribute without one: %s", v.Attribute().Type())
	}
	var nilv *Value
	if nilv.Bool() || nilv.BigNumber() != "" || nilv.SetElement(0).Type() != sdk.ReplyUnknown || nilv.Attribute().Type() != sdk.ReplyUnknown {
		t.Errorf("nil value accessors")
	}
	if k, val := nilv.AttributeElement(0); k.Type() != sdk.ReplyUnknown || val.Type() != sdk.ReplyUnknown {
		t.Errorf("nil AttributeElement")
	}
	if text, format := nilv.Verbatim(); text != "" || format != "" {
		t.Errorf("nil Verbatim")
	}
}
