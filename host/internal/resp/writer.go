// Package resp writes replies. Every command handler, built-in or module,
// replies through the Writer interface; two implementations exist:
//
//   - Buffer encodes RESP2 or RESP3 into a byte slice that the connection
//     flushes once per pipelined batch;
//   - Recorder builds a tree of Values, which is what Ctx.Call returns to a
//     module: no RESP encode and decode round trip.
//
// Both downgrade RESP3 types for RESP2 the way Redis does (maps become flat
// arrays, sets arrays, doubles bulk strings, booleans integers, null the null
// bulk string, and attributes are not sent). Attributes and the long double
// form are optional interfaces (AttributeWriter, LongDoubleWriter) that
// both implement, so other Writers (a script's) need not.
package resp

import (
	"math"
	"strconv"
	"strings"

	"modis/sdk"
)

// Writer receives one command's reply. Aggregates (Array, Map, Set, Push) are
// followed by their elements; a Map of n pairs by 2n elements.
type Writer interface {
	Proto() int
	SimpleString(s string)
	Error(msg string)
	Int(n int64)
	Bulk(b []byte)
	BulkString(s string)
	Null()
	NullArray()
	Array(n int)
	Map(n int)
	Set(n int)
	Push(n int)
	Double(f float64)
	Bool(b bool)
	Verbatim(format string, text []byte)
	BigNumber(s string)
	// Defer starts an aggregate of kind '*', '%' or '~' whose length is given
	// later by SetDeferred(handle, n). Handles nest like the aggregates.
	Defer(kind byte) int
	SetDeferred(handle int, n int)
	// Mark and Truncate drop everything written after Mark: used to take back
	// the partial reply of a handler that panicked.
	Mark() int
	Truncate(mark int)
}

// Buffer encodes replies in RESP2 or RESP3. The zero value is a RESP2 buffer.
type Buffer struct {
	B        []byte
	P3       bool
	deferred []int
}

// Proto returns 2 or 3.
func (w *Buffer) Proto() int {
	if w.P3 {
		return 3
	}
	return 2
}

// Reset empties the buffer, keeping its memory.
func (w *Buffer) Reset() { w.B = w.B[:0]; w.deferred = w.deferred[:0] }

func (w *Buffer) line(prefix byte, s string) {
	w.B = append(w.B, prefix)
	w.B = append(w.B, s...)
	w.B = append(w.B, '\r', '\n')
}

func (w *Buffer) header(prefix byte, n int64) {
	w.B = append(w.B, prefix)
	w.B = strconv.AppendInt(w.B, n, 10)
	w.B = append(w.B, '\r', '\n')
}

// SimpleString writes +s. Newlines in s are replaced by spaces.
func (w *Buffer) SimpleString(s string) { w.line('+', cleanLine(s)) }

// Error writes -msg the way Redis's addReplyErrorFormat does: CR and LF at
// either end are trimmed, the ones inside become spaces.
func (w *Buffer) Error(msg string) { w.line('-', cleanError(msg)) }

// Int writes :n.
func (w *Buffer) Int(n int64) { w.header(':', n) }

// Bulk writes a bulk string.
func (w *Buffer) Bulk(b []byte) {
	w.header('$', int64(len(b)))
	w.B = append(w.B, b...)
	w.B = append(w.B, '\r', '\n')
}

// BulkString writes a bulk string.
func (w *Buffer) BulkString(s string) {
	w.header('$', int64(len(s)))
	w.B = append(w.B, s...)
	w.B = append(w.B, '\r', '\n')
}

// Null writes the null bulk string (RESP2) or null (RESP3).
func (w *Buffer) Null() {
	if w.P3 {
		w.B = append(w.B, "_\r\n"...)
		return
	}
	w.B = append(w.B, "$-1\r\n"...)
}

// NullArray writes the null array (RESP2) or null (RESP3).
func (w *Buffer) NullArray() {
	if w.P3 {
		w.B = append(w.B, "_\r\n"...)
		return
	}
	w.B = append(w.B, "*-1\r\n"...)
}

// Array starts an array of n elements.
func (w *Buffer) Array(n int) { w.header('*', int64(n)) }

// Map starts a map of n pairs (a flat array of 2n in RESP2).
func (w *Buffer) Map(n int) {
	if w.P3 {
		w.header('%', int64(n))
		return
	}
	w.header('*', int64(2*n))
}

// Set starts a set of n elements (an array in RESP2).
func (w *Buffer) Set(n int) {
	if w.P3 {
		w.header('~', int64(n))
		return
	}
	w.header('*', int64(n))
}

// Push starts a push message of n elements (an array in RESP2).
func (w *Buffer) Push(n int) {
	if w.P3 {
		w.header('>', int64(n))
		return
	}
	w.header('*', int64(n))
}

// Double writes a double (a bulk string in RESP2).
func (w *Buffer) Double(f float64) {
	if w.P3 {
		w.B = append(w.B, ',')
		w.B = AppendReplyDouble(w.B, f)
		w.B = append(w.B, '\r', '\n')
		return
	}
	var tmp [32]byte
	w.Bulk(AppendReplyDouble(tmp[:0], f))
}

// AppendReplyDouble formats a double reply as Redis 7.0 does (C's "%.17g";
// "inf", "-inf", "nan"): ZSCORE of 1.1 is "1.1000000000000001".
func AppendReplyDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		return append(dst, "nan"...)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}

// Bool writes a boolean (the integer 1 or 0 in RESP2).
func (w *Buffer) Bool(b bool) {
	if w.P3 {
		if b {
			w.B = append(w.B, "#t\r\n"...)
		} else {
			w.B = append(w.B, "#f\r\n"...)
		}
		return
	}
	if b {
		w.Int(1)
	} else {
		w.Int(0)
	}
}

// Verbatim writes a verbatim string with a three-letter format such as
// "txt" (a bulk string in RESP2). A format that is not three bytes long is
// written as "txt", so the frame's length is always right.
func (w *Buffer) Verbatim(format string, text []byte) {
	if !w.P3 {
		w.Bulk(text)
		return
	}
	if len(format) != 3 {
		format = "txt"
	}
	w.header('=', int64(len(text)+4))
	w.B = append(w.B, format...)
	w.B = append(w.B, ':')
	w.B = append(w.B, text...)
	w.B = append(w.B, '\r', '\n')
}

// BigNumber writes a big number (a bulk string in RESP2).
func (w *Buffer) BigNumber(s string) {
	if !w.P3 {
		w.BulkString(s)
		return
	}
	w.line('(', s)
}

// Defer starts an aggregate whose length is set later.
func (w *Buffer) Defer(kind byte) int {
	w.deferred = append(w.deferred, len(w.B))
	w.B = append(w.B, kind) // placeholder byte, replaced by SetDeferred
	return len(w.deferred) - 1
}

// SetDeferred writes the header of the aggregate started by Defer. A handle
// that is unknown, already set, or was taken back by Truncate is ignored.
func (w *Buffer) SetDeferred(handle int, n int) {
	if handle < 0 || handle >= len(w.deferred) {
		return
	}
	pos := w.deferred[handle]
	if pos < 0 || pos >= len(w.B) {
		return
	}
	kind := w.B[pos]
	var hdr [24]byte
	h := hdr[:0]
	switch {
	case kind == '%' && !w.P3:
		h = append(h, '*')
		n *= 2
	case kind == '~' && !w.P3:
		h = append(h, '*')
	default:
		h = append(h, kind)
	}
	h = strconv.AppendInt(h, int64(n), 10)
	h = append(h, '\r', '\n')
	// Replace the one placeholder byte by the header.
	extra := len(h) - 1
	w.B = append(w.B, h[:extra]...)
	copy(w.B[pos+len(h):], w.B[pos+1:len(w.B)-extra])
	copy(w.B[pos:], h)
	// Deferred aggregates opened after this one moved.
	for i := handle + 1; i < len(w.deferred); i++ {
		if w.deferred[i] > pos {
			w.deferred[i] += extra
		}
	}
	w.deferred[handle] = -1
	w.trimDeferred()
}

// trimDeferred drops the finished handles at the end of the list.
func (w *Buffer) trimDeferred() {
	for len(w.deferred) > 0 && w.deferred[len(w.deferred)-1] == -1 {
		w.deferred = w.deferred[:len(w.deferred)-1]
	}
}

// Mark returns the current length.
func (w *Buffer) Mark() int { return len(w.B) }

// Truncate drops what was written after mark.
func (w *Buffer) Truncate(mark int) {
	if mark < 0 || mark > len(w.B) {
		return
	}
	w.B = w.B[:mark]
	// Every postponed header at or after mark was taken back with it, even
	// behind a handle that was set out of order.
	for i, pos := range w.deferred {
		if pos >= mark {
			w.deferred[i] = -1
		}
	}
	w.trimDeferred()
}

// crlfToSpace replaces CR and LF by spaces.
var crlfToSpace = strings.NewReplacer("\r", " ", "\n", " ")

func cleanLine(s string) string {
	if strings.ContainsAny(s, "\r\n") {
		return crlfToSpace.Replace(s)
	}
	return s
}

// cleanError is what Redis does to an error text: sdstrim(s, "\r\n") and
// sdsmapchars(s, "\r\n", "  ").
func cleanError(s string) string {
	if strings.ContainsAny(s, "\r\n") {
		return crlfToSpace.Replace(strings.Trim(s, "\r\n"))
	}
	return s
}

// AttributeWriter is implemented by the Writers that can carry RESP3
// attributes (Buffer and Recorder; a script's writer cannot). Attribute
// starts an attribute of n key-value pairs: its 2n elements follow, then the
// value it describes. Attributes exist only in RESP3: Redis refuses to send
// them to a RESP2 client (RM_ReplyWithAttribute returns an error), so a
// caller checks Proto first; a RESP2 Buffer writes nothing for Attribute.
type AttributeWriter interface {
	Attribute(n int)
}

// LongDoubleWriter is implemented by the Writers that can send a double in
// Redis's human-readable long double form (addReplyHumanLongDouble, what
// RM_ReplyWithLongDouble sends): "%.17Lf" without trailing zeros, a bulk
// string in RESP2 and a double in RESP3.
type LongDoubleWriter interface {
	LongDouble(f float64)
}

// Attribute implements AttributeWriter: |n in RESP3, nothing in RESP2.
func (w *Buffer) Attribute(n int) {
	if w.P3 {
		w.header('|', int64(n))
	}
}

// LongDouble implements LongDoubleWriter.
func (w *Buffer) LongDouble(f float64) {
	if w.P3 {
		w.B = append(w.B, ',')
		w.B = AppendHumanLongDouble(w.B, f)
		w.B = append(w.B, '\r', '\n')
		return
	}
	var tmp [64]byte
	w.Bulk(AppendHumanLongDouble(tmp[:0], f))
}

// AppendHumanLongDouble formats f as Redis's ld2string(LD_STR_HUMAN) does:
// "%.17Lf", then the trailing zeros of the fraction (and a bare '.')
// dropped, "-0" written "0"; "inf", "-inf" and "nan" for the special values.
// A float64 widened to a long double keeps its exact value, so this is what
// a C module passing a double to RedisModule_ReplyWithLongDouble sends:
// 3.5 is "3.5", 0.1 is "0.10000000000000001". It is the sdk's
// CreateStringFromLongDouble(f, true) form.
func AppendHumanLongDouble(dst []byte, f float64) []byte {
	return sdk.AppendLongDouble(dst, f, true)
}
