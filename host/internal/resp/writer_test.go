package resp

import (
	"math"
	"strings"
	"testing"
)

// newBuffer returns an empty Buffer speaking RESP3 when p3 is set.
func newBuffer(t *testing.T, p3 bool) *Buffer {
	t.Helper()
	b := &Buffer{P3: p3}
	t.Cleanup(func() {
		// Every test leaves its postponed headers set (or taken back).
		if len(b.deferred) != 0 {
			t.Errorf("postponed headers left open: %v", b.deferred)
		}
	})
	return b
}

// wantBytes fails the test when the buffer does not hold want.
func wantBytes(t *testing.T, b *Buffer, want string) {
	t.Helper()
	if got := string(b.B); got != want {
		t.Errorf("\n got: %q\nwant: %q", got, want)
	}
}

// TestBufferWriters checks every writer method, in RESP2 and RESP3, byte for
// byte.
func TestBufferWriters(t *testing.T) {
	tests := []struct {
		name       string
		write      func(w Writer)
		resp2, res string // res is the RESP3 encoding
	}{
		{"simple string", func(w Writer) { w.SimpleString("OK") }, "+OK\r\n", "+OK\r\n"},
		{"simple string with newlines", func(w Writer) { w.SimpleString("a\r\nb\nc") }, "+a  b c\r\n", "+a  b c\r\n"},
		{"empty simple string", func(w Writer) { w.SimpleString("") }, "+\r\n", "+\r\n"},
		{"error", func(w Writer) { w.Error("ERR bad") }, "-ERR bad\r\n", "-ERR bad\r\n"},
		{"error with CRLF inside", func(w Writer) { w.Error("ERR one\r\ntwo\nthree") }, "-ERR one  two three\r\n", "-ERR one  two three\r\n"},
		// Redis's addReplyErrorFormat trims CR/LF at the ends first.
		{"error with CRLF at the ends", func(w Writer) { w.Error("\nERR x\r\n") }, "-ERR x\r\n", "-ERR x\r\n"},
		{"int", func(w Writer) { w.Int(42) }, ":42\r\n", ":42\r\n"},
		{"negative int", func(w Writer) { w.Int(-7) }, ":-7\r\n", ":-7\r\n"},
		{"min int", func(w Writer) { w.Int(math.MinInt64) }, ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"},
		{"bulk", func(w Writer) { w.Bulk([]byte("hello")) }, "$5\r\nhello\r\n", "$5\r\nhello\r\n"},
		{"binary bulk", func(w Writer) { w.Bulk([]byte("a\r\n\x00b")) }, "$5\r\na\r\n\x00b\r\n", "$5\r\na\r\n\x00b\r\n"},
		{"empty bulk", func(w Writer) { w.Bulk(nil) }, "$0\r\n\r\n", "$0\r\n\r\n"},
		{"bulk string", func(w Writer) { w.BulkString("héllo") }, "$6\r\nhéllo\r\n", "$6\r\nhéllo\r\n"},
		{"null", func(w Writer) { w.Null() }, "$-1\r\n", "_\r\n"},
		{"null array", func(w Writer) { w.NullArray() }, "*-1\r\n", "_\r\n"},
		{"array", func(w Writer) { w.Array(2); w.Int(1); w.Int(2) }, "*2\r\n:1\r\n:2\r\n", "*2\r\n:1\r\n:2\r\n"},
		{"empty array", func(w Writer) { w.Array(0) }, "*0\r\n", "*0\r\n"},
		{"map", func(w Writer) { w.Map(1); w.BulkString("k"); w.Int(1) }, "*2\r\n$1\r\nk\r\n:1\r\n", "%1\r\n$1\r\nk\r\n:1\r\n"},
		{"empty map", func(w Writer) { w.Map(0) }, "*0\r\n", "%0\r\n"},
		{"set", func(w Writer) { w.Set(2); w.BulkString("a"); w.BulkString("b") }, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "~2\r\n$1\r\na\r\n$1\r\nb\r\n"},
		{"push", func(w Writer) { w.Push(1); w.BulkString("message") }, "*1\r\n$7\r\nmessage\r\n", ">1\r\n$7\r\nmessage\r\n"},
		{"double", func(w Writer) { w.Double(3.5) }, "$3\r\n3.5\r\n", ",3.5\r\n"},
		{"double 0.1", func(w Writer) { w.Double(0.1) }, "$19\r\n0.10000000000000001\r\n", ",0.10000000000000001\r\n"}, // Redis 7.0's %.17g
		{"double 1e300", func(w Writer) { w.Double(1e300) }, "$23\r\n1.0000000000000001e+300\r\n", ",1.0000000000000001e+300\r\n"},
		{"double 1e6 is not written in exponent form", func(w Writer) { w.Double(1e6) }, "$7\r\n1000000\r\n", ",1000000\r\n"},
		{"double small", func(w Writer) { w.Double(-1.5e-7) }, "$23\r\n-1.4999999999999999e-07\r\n", ",-1.4999999999999999e-07\r\n"},
		{"double integral", func(w Writer) { w.Double(-3) }, "$2\r\n-3\r\n", ",-3\r\n"},
		{"double zero", func(w Writer) { w.Double(0) }, "$1\r\n0\r\n", ",0\r\n"},
		{"double inf", func(w Writer) { w.Double(math.Inf(1)) }, "$3\r\ninf\r\n", ",inf\r\n"},
		{"double -inf", func(w Writer) { w.Double(math.Inf(-1)) }, "$4\r\n-inf\r\n", ",-inf\r\n"},
		{"double nan", func(w Writer) { w.Double(math.NaN()) }, "$3\r\nnan\r\n", ",nan\r\n"},
		{"bool true", func(w Writer) { w.Bool(true) }, ":1\r\n", "#t\r\n"},
		{"bool false", func(w Writer) { w.Bool(false) }, ":0\r\n", "#f\r\n"},
		{"verbatim", func(w Writer) { w.Verbatim("txt", []byte("Some string")) }, "$11\r\nSome string\r\n", "=15\r\ntxt:Some string\r\n"},
		{"verbatim markdown", func(w Writer) { w.Verbatim("mkd", []byte("# x")) }, "$3\r\n# x\r\n", "=7\r\nmkd:# x\r\n"},
		{"verbatim empty", func(w Writer) { w.Verbatim("txt", nil) }, "$0\r\n\r\n", "=4\r\ntxt:\r\n"},
		// The frame length assumes three letters: anything else is "txt".
		{"verbatim bad format", func(w Writer) { w.Verbatim("markdown", []byte("x")) }, "$1\r\nx\r\n", "=5\r\ntxt:x\r\n"},
		{"big number", func(w Writer) { w.BigNumber("3492890328409238509324850943850943825024385") }, "$43\r\n3492890328409238509324850943850943825024385\r\n", "(3492890328409238509324850943850943825024385\r\n"},
	}
	for _, tt := range tests {
		for _, p3 := range []bool{false, true} {
			want := tt.resp2
			if p3 {
				want = tt.res
			}
			t.Run(protoName(p3)+"/"+tt.name, func(t *testing.T) {
				b := newBuffer(t, p3)
				tt.write(b)
				wantBytes(t, b, want)
			})
		}
	}
}

func protoName(p3 bool) string {
	if p3 {
		return "resp3"
	}
	return "resp2"
}

func TestBufferProtoAndReset(t *testing.T) {
	var zero Buffer
	if zero.Proto() != 2 {
		t.Errorf("zero Buffer Proto = %d, want 2", zero.Proto())
	}
	b := newBuffer(t, true)
	if b.Proto() != 3 {
		t.Errorf("P3 Buffer Proto = %d, want 3", b.Proto())
	}
	b.Defer('*')
	b.Int(1)
	b.Reset()
	if len(b.B) != 0 || len(b.deferred) != 0 {
		t.Errorf("Reset left %q and %v", b.B, b.deferred)
	}
	b.SimpleString("OK")
	wantBytes(t, b, "+OK\r\n")
}

// TestBufferDeferred checks postponed lengths against the same replies
// written with their lengths known up front, and some exact bytes.
func TestBufferDeferred(t *testing.T) {
	ints := func(w Writer, n int) {
		for i := range n {
			w.Int(int64(i))
		}
	}
	tests := []struct {
		name string
		// deferred writes with postponed lengths; direct writes the same
		// reply with the lengths known.
		deferred, direct func(w Writer)
	}{
		{"empty", func(w Writer) {
			h := w.Defer('*')
			w.SetDeferred(h, 0)
		}, func(w Writer) { w.Array(0) }},
		{"9 elements", func(w Writer) {
			h := w.Defer('*')
			ints(w, 9)
			w.SetDeferred(h, 9)
		}, func(w Writer) { w.Array(9); ints(w, 9) }},
		{"10 elements (a wider header)", func(w Writer) {
			h := w.Defer('*')
			ints(w, 10)
			w.SetDeferred(h, 10)
		}, func(w Writer) { w.Array(10); ints(w, 10) }},
		{"100 elements", func(w Writer) {
			h := w.Defer('*')
			ints(w, 100)
			w.SetDeferred(h, 100)
		}, func(w Writer) { w.Array(100); ints(w, 100) }},
		{"nested, inner set first, 9 inside 10", func(w Writer) {
			outer := w.Defer('*')
			inner := w.Defer('*')
			ints(w, 9)
			w.SetDeferred(inner, 9)
			ints(w, 9)
			w.SetDeferred(outer, 10)
		}, func(w Writer) { w.Array(10); w.Array(9); ints(w, 9); ints(w, 9) }},
		{"nested, outer set first", func(w Writer) {
			outer := w.Defer('*')
			w.Int(7)
			inner := w.Defer('*')
			ints(w, 100)
			w.SetDeferred(outer, 2)
			w.SetDeferred(inner, 100)
		}, func(w Writer) { w.Array(2); w.Int(7); w.Array(100); ints(w, 100) }},
		{"three levels with siblings", func(w Writer) {
			a := w.Defer('*')
			b := w.Defer('*')
			ints(w, 10)
			w.SetDeferred(b, 10)
			c := w.Defer('*')
			d := w.Defer('*')
			ints(w, 100)
			w.SetDeferred(d, 100)
			w.Int(5)
			w.SetDeferred(c, 2)
			w.SimpleString("end")
			w.SetDeferred(a, 3)
		}, func(w Writer) {
			w.Array(3)
			w.Array(10)
			ints(w, 10)
			w.Array(2)
			w.Array(100)
			ints(w, 100)
			w.Int(5)
			w.SimpleString("end")
		}},
		{"map", func(w Writer) {
			h := w.Defer('%')
			for i := range 5 {
				w.BulkString("k")
				w.Int(int64(i))
			}
			w.SetDeferred(h, 5)
		}, func(w Writer) {
			w.Map(5)
			for i := range 5 {
				w.BulkString("k")
				w.Int(int64(i))
			}
		}},
		{"map in map", func(w Writer) {
			outer := w.Defer('%')
			w.BulkString("inner")
			inner := w.Defer('%')
			for range 5 {
				w.BulkString("k")
				w.Null()
			}
			w.SetDeferred(inner, 5)
			w.SetDeferred(outer, 1)
		}, func(w Writer) {
			w.Map(1)
			w.BulkString("inner")
			w.Map(5)
			for range 5 {
				w.BulkString("k")
				w.Null()
			}
		}},
		{"set", func(w Writer) {
			h := w.Defer('~')
			ints(w, 3)
			w.SetDeferred(h, 3)
		}, func(w Writer) { w.Set(3); ints(w, 3) }},
		{"after other replies", func(w Writer) {
			w.SimpleString("OK")
			w.Int(1)
			h := w.Defer('*')
			ints(w, 12)
			w.SetDeferred(h, 12)
			w.Int(2)
		}, func(w Writer) { w.SimpleString("OK"); w.Int(1); w.Array(12); ints(w, 12); w.Int(2) }},
	}
	for _, tt := range tests {
		for _, p3 := range []bool{false, true} {
			t.Run(protoName(p3)+"/"+tt.name, func(t *testing.T) {
				got := newBuffer(t, p3)
				tt.deferred(got)
				want := newBuffer(t, p3)
				tt.direct(want)
				wantBytes(t, got, string(want.B))
			})
		}
	}
}

func TestBufferDeferredExactBytes(t *testing.T) {
	tests := []struct {
		name  string
		p3    bool
		write func(w Writer)
		want  string
	}{
		{"two digits inside one", false, func(w Writer) {
			outer := w.Defer('*')
			inner := w.Defer('*')
			for range 10 {
				w.Int(1)
			}
			w.SetDeferred(inner, 10)
			w.SetDeferred(outer, 1)
		}, "*1\r\n*10\r\n" + strings.Repeat(":1\r\n", 10)},
		// A postponed map counts pairs; RESP2 writes a flat array of twice
		// as many elements.
		{"map in RESP2 doubles the count", false, func(w Writer) {
			h := w.Defer('%')
			w.BulkString("a")
			w.Int(1)
			w.BulkString("b")
			w.Int(2)
			w.SetDeferred(h, 2)
		}, "*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n"},
		{"map in RESP3", true, func(w Writer) {
			h := w.Defer('%')
			w.BulkString("a")
			w.Int(1)
			w.SetDeferred(h, 1)
		}, "%1\r\n$1\r\na\r\n:1\r\n"},
		{"set in RESP2", false, func(w Writer) {
			h := w.Defer('~')
			w.Int(1)
			w.SetDeferred(h, 1)
		}, "*1\r\n:1\r\n"},
		{"set in RESP3", true, func(w Writer) {
			h := w.Defer('~')
			w.Int(1)
			w.SetDeferred(h, 1)
		}, "~1\r\n:1\r\n"},
		{"five pairs of maps in RESP2: 10", false, func(w Writer) {
			h := w.Defer('%')
			for range 5 {
				w.Int(0)
				w.Int(0)
			}
			w.SetDeferred(h, 5)
		}, "*10\r\n" + strings.Repeat(":0\r\n", 10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBuffer(t, tt.p3)
			tt.write(b)
			wantBytes(t, b, tt.want)
		})
	}
}

// Handles that are unknown or already used change nothing (and do not
// panic).
func TestBufferSetDeferredBadHandles(t *testing.T) {
	b := newBuffer(t, false)
	h := b.Defer('*')
	b.Int(1)
	b.SetDeferred(h+1, 5)
	b.SetDeferred(-1, 5)
	b.SetDeferred(h, 1)
	b.SetDeferred(h, 7) // already set
	wantBytes(t, b, "*1\r\n:1\r\n")

	// The outer handle set first leaves a hole in the handle list; setting
	// it again must not touch the bytes either.
	b.Reset()
	outer := b.Defer('*')
	inner := b.Defer('*')
	b.SetDeferred(outer, 1)
	b.SetDeferred(outer, 3)
	b.Int(1)
	b.SetDeferred(inner, 1)
	wantBytes(t, b, "*1\r\n*1\r\n:1\r\n")
}

func TestBufferMarkTruncate(t *testing.T) {
	tests := []struct {
		name  string
		write func(t *testing.T, b *Buffer)
		want  string
	}{
		{"drop a partial array", func(t *testing.T, b *Buffer) {
			b.SimpleString("OK")
			m := b.Mark()
			b.Array(3)
			b.Int(1)
			b.Truncate(m)
		}, "+OK\r\n"},
		{"drop an open postponed array, then postpone again", func(t *testing.T, b *Buffer) {
			b.SimpleString("OK")
			m := b.Mark()
			b.Defer('*')
			b.Int(1)
			b.Truncate(m)
			h := b.Defer('*')
			b.Int(2)
			b.SetDeferred(h, 1)
		}, "+OK\r\n*1\r\n:2\r\n"},
		{"drop a nested postponed array set out of order", func(t *testing.T, b *Buffer) {
			b.Int(0)
			m := b.Mark()
			a := b.Defer('*')
			bb := b.Defer('*')
			b.Defer('*')
			b.SetDeferred(bb, 1) // the outer one before the innermost
			b.Truncate(m)
			if len(b.deferred) != 0 {
				t.Errorf("handles left after Truncate: %v", b.deferred)
			}
			b.SetDeferred(a, 1) // taken back: ignored, no panic
			h := b.Defer('*')
			b.SetDeferred(h, 0)
		}, ":0\r\n*0\r\n"},
		{"keep an aggregate opened before the mark", func(t *testing.T, b *Buffer) {
			h := b.Defer('*')
			b.Int(1)
			m := b.Mark()
			b.Int(2)
			b.Truncate(m)
			b.SetDeferred(h, 1)
		}, "*1\r\n:1\r\n"},
		{"truncate to the start", func(t *testing.T, b *Buffer) {
			b.Int(1)
			b.Truncate(0)
		}, ""},
		{"a mark out of range changes nothing", func(t *testing.T, b *Buffer) {
			b.Int(1)
			b.Truncate(100)
			b.Truncate(-1)
		}, ":1\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBuffer(t, false)
			tt.write(t, b)
			wantBytes(t, b, tt.want)
		})
	}
}

func TestBufferMark(t *testing.T) {
	b := newBuffer(t, false)
	if b.Mark() != 0 {
		t.Fatalf("Mark of an empty buffer = %d", b.Mark())
	}
	b.SimpleString("OK")
	if b.Mark() != len("+OK\r\n") {
		t.Fatalf("Mark = %d, want %d", b.Mark(), len("+OK\r\n"))
	}
}
