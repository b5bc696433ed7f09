package resp

import (
	"modis/sdk"
)

// Value is a recorded reply: what Ctx.Call returns to a module. It implements
// sdk.CallReply, and WriteTo replays it into any Writer.
type Value struct {
	Kind  sdk.ReplyType
	Str   []byte  // string, error, verbatim, big number; formatted double
	Int   int64   // integer; 1 or 0 for bool
	Float float64 // double
	Elems []*Value
	// Fmt is a verbatim string's three-letter format.
	Fmt string
	// nullArray remembers a RESP2 null array (so replay keeps *-1).
	nullArray bool
	// simple remembers a simple string (so replay keeps +OK).
	simple bool
	// p3 remembers that the value was recorded in RESP3, for Proto.
	p3 bool
	// human remembers a double sent in the long double form
	// (LongDoubleWriter), so replay keeps its text.
	human bool
	// Attr is the RESP3 attribute that came before the value, or nil.
	Attr *Value
}

var _ sdk.CallReply = (*Value)(nil)

// unknown is what element accessors return out of range: a reply of type
// ReplyUnknown, so that chained accessors never meet a nil interface.
var unknown = &Value{Kind: sdk.ReplyUnknown}

// ErrorValue makes an error reply value.
func ErrorValue(msg string) *Value { return &Value{Kind: sdk.ReplyError, Str: []byte(msg)} }

// Type implements sdk.CallReply.
func (v *Value) Type() sdk.ReplyType {
	if v == nil {
		return sdk.ReplyUnknown
	}
	return v.Kind
}

// Integer implements sdk.CallReply.
func (v *Value) Integer() int64 {
	if v == nil || (v.Kind != sdk.ReplyInteger && v.Kind != sdk.ReplyBool) {
		return 0
	}
	return v.Int
}

// Double implements sdk.CallReply.
func (v *Value) Double() float64 {
	if v == nil || v.Kind != sdk.ReplyDouble {
		return 0
	}
	return v.Float
}

// Bytes implements sdk.CallReply.
func (v *Value) Bytes() []byte {
	if v == nil {
		return nil
	}
	switch v.Kind {
	case sdk.ReplyString, sdk.ReplyError, sdk.ReplyVerbatim, sdk.ReplyBigNumber, sdk.ReplyDouble:
		return v.Str
	}
	return nil
}

// String implements sdk.CallReply.
func (v *Value) String() string { return string(v.Bytes()) }

// Error implements sdk.CallReply.
func (v *Value) Error() string {
	if v == nil || v.Kind != sdk.ReplyError {
		return ""
	}
	return string(v.Str)
}

// Length implements sdk.CallReply.
func (v *Value) Length() int {
	if v == nil {
		return 0
	}
	switch v.Kind {
	case sdk.ReplyArray, sdk.ReplySet:
		return len(v.Elems)
	case sdk.ReplyMap, sdk.ReplyAttribute:
		return len(v.Elems) / 2
	case sdk.ReplyString, sdk.ReplyError, sdk.ReplyVerbatim, sdk.ReplyBigNumber:
		return len(v.Str)
	}
	return 0
}

// ArrayElement implements sdk.CallReply.
func (v *Value) ArrayElement(i int) sdk.CallReply {
	if v == nil || (v.Kind != sdk.ReplyArray && v.Kind != sdk.ReplySet) || i < 0 || i >= len(v.Elems) {
		return unknown
	}
	return v.Elems[i]
}

// MapElement implements sdk.CallReply.
func (v *Value) MapElement(i int) (key, value sdk.CallReply) {
	if v == nil || (v.Kind != sdk.ReplyMap && v.Kind != sdk.ReplyAttribute) || i < 0 || 2*i+1 >= len(v.Elems) {
		return unknown, unknown
	}
	return v.Elems[2*i], v.Elems[2*i+1]
}

// SetElement implements sdk.CallReply.
func (v *Value) SetElement(i int) sdk.CallReply {
	if v == nil || v.Kind != sdk.ReplySet || i < 0 || i >= len(v.Elems) {
		return unknown
	}
	return v.Elems[i]
}

// Bool implements sdk.CallReply.
func (v *Value) Bool() bool {
	return v != nil && v.Kind == sdk.ReplyBool && v.Int != 0
}

// BigNumber implements sdk.CallReply.
func (v *Value) BigNumber() string {
	if v == nil || v.Kind != sdk.ReplyBigNumber {
		return ""
	}
	return string(v.Str)
}

// Verbatim implements sdk.CallReply.
func (v *Value) Verbatim() (text, format string) {
	if v == nil || v.Kind != sdk.ReplyVerbatim {
		return "", ""
	}
	return string(v.Str), v.Fmt
}

// Attribute implements sdk.CallReply.
func (v *Value) Attribute() sdk.CallReply {
	if v == nil || v.Attr == nil {
		return unknown
	}
	return v.Attr
}

// AttributeElement implements sdk.CallReply.
func (v *Value) AttributeElement(i int) (key, value sdk.CallReply) {
	if v == nil || v.Kind != sdk.ReplyAttribute || i < 0 || 2*i+1 >= len(v.Elems) {
		return unknown, unknown
	}
	return v.Elems[2*i], v.Elems[2*i+1]
}

// Proto implements sdk.CallReply: the reply encoded in the protocol it was
// recorded in (RESP2 unless Call's format had "3"), as
// RedisModule_CallReplyProto returns the bytes the command sent: a RESP2 GET
// of a missing key is "$-1\r\n", not RESP3's "_\r\n".
func (v *Value) Proto() []byte {
	b := &Buffer{P3: v != nil && v.p3}
	v.WriteTo(b)
	return b.B
}

// CreateString implements sdk.CallReply, as
// RedisModule_CreateStringFromCallReply: the bytes of a string or error
// reply, and an integer's decimal form.
func (v *Value) CreateString() sdk.String {
	if v != nil && v.Kind == sdk.ReplyInteger {
		return sdk.CreateStringFromLongLong(v.Int)
	}
	return sdk.StringFromBytes(append([]byte(nil), v.Bytes()...))
}

// WriteTo replays the value into w.
func (v *Value) WriteTo(w Writer) {
	if v == nil {
		w.Null()
		return
	}
	if v.Attr != nil {
		// RESP2 has no attributes: Redis drops them (DEBUG PROTOCOL attrib
		// sends only the value to a RESP2 client), and so does a writer
		// that cannot carry them.
		if aw, ok := w.(AttributeWriter); ok && w.Proto() == 3 {
			aw.Attribute(len(v.Attr.Elems) / 2)
			for _, e := range v.Attr.Elems {
				e.WriteTo(w)
			}
		}
	}
	switch v.Kind {
	case sdk.ReplyString:
		if v.simple {
			w.SimpleString(string(v.Str))
		} else {
			w.Bulk(v.Str)
		}
	case sdk.ReplyError:
		w.Error(string(v.Str))
	case sdk.ReplyInteger:
		w.Int(v.Int)
	case sdk.ReplyNull:
		if v.nullArray {
			w.NullArray()
		} else {
			w.Null()
		}
	case sdk.ReplyDouble:
		if lw, ok := w.(LongDoubleWriter); ok && v.human {
			lw.LongDouble(v.Float)
		} else {
			w.Double(v.Float)
		}
	case sdk.ReplyBool:
		w.Bool(v.Int != 0)
	case sdk.ReplyVerbatim:
		w.Verbatim(v.Fmt, v.Str)
	case sdk.ReplyBigNumber:
		w.BigNumber(string(v.Str))
	case sdk.ReplyArray, sdk.ReplySet, sdk.ReplyMap, sdk.ReplyAttribute:
		switch v.Kind {
		case sdk.ReplyArray:
			w.Array(len(v.Elems))
		case sdk.ReplySet:
			w.Set(len(v.Elems))
		default:
			w.Map(len(v.Elems) / 2)
		}
		for _, e := range v.Elems {
			e.WriteTo(w)
		}
	default:
		if len(v.Str) > 0 {
			w.SimpleString(string(v.Str))
		} else {
			w.Null()
		}
	}
}

// Recorder is a Writer that builds Values. Simple strings are recorded as
// strings, as RedisModule_Call reports them.
//
// A Recorder can record many replies in turn (Begin before each); the Values
// and bytes it hands out come from arenas that stay valid until Release,
// which lets the next user reuse the memory. Ctx.Call uses one Recorder per
// running module command and releases it when the handler returns: that is
// the "valid until the handler returns" rule of sdk.CallReply.
type Recorder struct {
	P3    bool
	root  *Value
	stack []*open
	vals  []Value // arena for Values
	bytes []byte  // arena for copied bytes
	attr  *Value  // a finished attribute waiting for the value it describes
}

// Begin starts recording a new reply. Values recorded before stay valid.
func (r *Recorder) Begin(p3 bool) {
	r.P3 = p3
	r.root = nil
	r.stack = r.stack[:0]
	r.attr = nil
}

// Release forgets everything recorded: the Values and bytes handed out so far
// will be overwritten by the next replies.
func (r *Recorder) Release() {
	r.Begin(false)
	clear(r.vals)
	r.vals = r.vals[:0]
	r.bytes = r.bytes[:0]
}

func (r *Recorder) newValue(kind sdk.ReplyType) *Value {
	if len(r.vals) == cap(r.vals) {
		// A new chunk; Values in the old one stay where they are.
		r.vals = make([]Value, 0, max(16, 2*cap(r.vals)))
	}
	r.vals = append(r.vals, Value{Kind: kind})
	return &r.vals[len(r.vals)-1]
}

func (r *Recorder) copyBytes(b []byte) []byte {
	if len(r.bytes)+len(b) > cap(r.bytes) {
		r.bytes = make([]byte, 0, max(512, 2*cap(r.bytes), len(b)))
	}
	start := len(r.bytes)
	r.bytes = append(r.bytes, b...)
	return r.bytes[start:len(r.bytes):len(r.bytes)]
}

func (r *Recorder) copyString(s string) []byte {
	if len(r.bytes)+len(s) > cap(r.bytes) {
		r.bytes = make([]byte, 0, max(512, 2*cap(r.bytes), len(s)))
	}
	start := len(r.bytes)
	r.bytes = append(r.bytes, s...)
	return r.bytes[start:len(r.bytes):len(r.bytes)]
}

type open struct {
	v         *Value
	remaining int  // elements still expected; -1 while deferred
	attr      bool // an attribute: once complete it goes to the next value
}

// Result returns the recorded reply (nil if nothing was written).
func (r *Recorder) Result() *Value { return r.root }

// Proto returns 2 or 3.
func (r *Recorder) Proto() int {
	if r.P3 {
		return 3
	}
	return 2
}

func (r *Recorder) add(v *Value, elems int) {
	v.p3 = r.P3
	if r.attr != nil {
		v.Attr, r.attr = r.attr, nil
	}
	if len(r.stack) == 0 {
		if r.root == nil {
			r.root = v
		}
	} else {
		top := r.stack[len(r.stack)-1]
		top.v.Elems = append(top.v.Elems, v)
		if top.remaining > 0 {
			top.remaining--
		}
	}
	if elems != 0 {
		r.stack = append(r.stack, &open{v: v, remaining: elems})
	}
	r.pop()
}

// pop closes finished aggregates. A finished attribute is not an element
// of anything: it waits for the next value, which it describes.
func (r *Recorder) pop() {
	for len(r.stack) > 0 && r.stack[len(r.stack)-1].remaining == 0 {
		o := r.stack[len(r.stack)-1]
		r.stack = r.stack[:len(r.stack)-1]
		if o.attr {
			r.attr = o.v
		}
	}
}

// Attribute implements AttributeWriter: an attribute of n pairs, recorded
// as the Attr of the value that follows its 2n elements.
func (r *Recorder) Attribute(n int) {
	v := r.newValue(sdk.ReplyAttribute)
	v.p3 = r.P3
	if n > 0 {
		v.Elems = make([]*Value, 0, min(2*n, maxPrealloc))
	}
	r.stack = append(r.stack, &open{v: v, remaining: 2 * n, attr: true})
	r.pop()
}

// LongDouble implements LongDoubleWriter: a double (RESP3) or a string
// (RESP2) holding the human-readable text.
func (r *Recorder) LongDouble(f float64) {
	s := AppendHumanLongDouble(nil, f)
	if r.P3 {
		r.add(&Value{Kind: sdk.ReplyDouble, Float: f, Str: s, human: true}, 0)
		return
	}
	r.add(&Value{Kind: sdk.ReplyString, Str: s}, 0)
}

// maxPrealloc bounds the elements an aggregate reserves room for up front:
// the count comes from the handler (a module's ReplyWithArray), and a huge
// one must not allocate before a single element is written.
const maxPrealloc = 1024

func (r *Recorder) aggregate(kind sdk.ReplyType, n int) {
	v := r.newValue(kind)
	if n > 0 {
		v.Elems = make([]*Value, 0, min(n, maxPrealloc))
	}
	r.add(v, n)
}

// SimpleString implements Writer.
func (r *Recorder) SimpleString(s string) {
	v := r.newValue(sdk.ReplyString)
	v.Str, v.simple = r.copyString(s), true
	r.add(v, 0)
}

// Error implements Writer.
func (r *Recorder) Error(msg string) {
	v := r.newValue(sdk.ReplyError)
	v.Str = r.copyString(msg)
	r.add(v, 0)
}

// Int implements Writer.
func (r *Recorder) Int(n int64) {
	v := r.newValue(sdk.ReplyInteger)
	v.Int = n
	r.add(v, 0)
}

// Bulk implements Writer. The bytes are copied: handlers may reuse theirs.
func (r *Recorder) Bulk(b []byte) {
	v := r.newValue(sdk.ReplyString)
	v.Str = r.copyBytes(b)
	r.add(v, 0)
}

// BulkString implements Writer.
func (r *Recorder) BulkString(s string) {
	v := r.newValue(sdk.ReplyString)
	v.Str = r.copyString(s)
	r.add(v, 0)
}

// Null implements Writer.
func (r *Recorder) Null() { r.add(r.newValue(sdk.ReplyNull), 0) }

// NullArray implements Writer.
func (r *Recorder) NullArray() {
	v := r.newValue(sdk.ReplyNull)
	v.nullArray = true
	r.add(v, 0)
}

// Array implements Writer.
func (r *Recorder) Array(n int) { r.aggregate(sdk.ReplyArray, n) }

// Map implements Writer (an array of 2n in RESP2).
func (r *Recorder) Map(n int) {
	if r.P3 {
		r.aggregate(sdk.ReplyMap, 2*n)
		return
	}
	r.aggregate(sdk.ReplyArray, 2*n)
}

// Set implements Writer (an array in RESP2).
func (r *Recorder) Set(n int) {
	if r.P3 {
		r.aggregate(sdk.ReplySet, n)
		return
	}
	r.aggregate(sdk.ReplyArray, n)
}

// Push implements Writer.
func (r *Recorder) Push(n int) { r.aggregate(sdk.ReplyArray, n) }

// Double implements Writer (a string in RESP2).
func (r *Recorder) Double(f float64) {
	s := AppendReplyDouble(nil, f)
	if r.P3 {
		r.add(&Value{Kind: sdk.ReplyDouble, Float: f, Str: s}, 0)
		return
	}
	r.add(&Value{Kind: sdk.ReplyString, Str: s}, 0)
}

// Bool implements Writer (an integer in RESP2).
func (r *Recorder) Bool(b bool) {
	var n int64
	if b {
		n = 1
	}
	if r.P3 {
		r.add(&Value{Kind: sdk.ReplyBool, Int: n}, 0)
		return
	}
	r.add(&Value{Kind: sdk.ReplyInteger, Int: n}, 0)
}

// Verbatim implements Writer (a string in RESP2).
func (r *Recorder) Verbatim(format string, text []byte) {
	t := append([]byte{}, text...)
	if r.P3 {
		r.add(&Value{Kind: sdk.ReplyVerbatim, Fmt: format, Str: t}, 0)
		return
	}
	r.add(&Value{Kind: sdk.ReplyString, Str: t}, 0)
}

// BigNumber implements Writer (a string in RESP2).
func (r *Recorder) BigNumber(s string) {
	if r.P3 {
		r.add(&Value{Kind: sdk.ReplyBigNumber, Str: []byte(s)}, 0)
		return
	}
	r.add(&Value{Kind: sdk.ReplyString, Str: []byte(s)}, 0)
}

// Defer implements Writer.
func (r *Recorder) Defer(kind byte) int {
	if kind == '|' {
		v := r.newValue(sdk.ReplyAttribute)
		v.p3 = r.P3
		r.stack = append(r.stack, &open{v: v, remaining: -1, attr: true})
		return len(r.stack) - 1
	}
	k := sdk.ReplyArray
	switch {
	case kind == '%' && r.P3:
		k = sdk.ReplyMap
	case kind == '~' && r.P3:
		k = sdk.ReplySet
	}
	r.add(&Value{Kind: k}, -1)
	return len(r.stack) - 1
}

// SetDeferred implements Writer: the deferred aggregate is complete.
func (r *Recorder) SetDeferred(handle int, n int) {
	if handle < 0 || handle >= len(r.stack) {
		return
	}
	r.stack[handle].remaining = 0
	r.pop()
}

// Mark implements Writer. A Recorder records one command's reply; Truncate to
// a mark taken before anything was written discards it.
func (r *Recorder) Mark() int {
	if r.root == nil {
		return 0
	}
	return 1
}

// Truncate implements Writer.
func (r *Recorder) Truncate(mark int) {
	if mark == 0 {
		r.root = nil
		r.stack = r.stack[:0]
		r.attr = nil
	}
}
