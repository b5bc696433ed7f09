package sdk

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// String is the Go form of RedisModuleString: a command argument or a string
// the module made. Its bytes are shared with the server without copying, and
// are valid only until the handler that received them returns (see Retain).
// The zero String is the empty string.
type String struct {
	b []byte
}

// StringFromBytes wraps b without copying it (RedisModule_CreateString without
// the copy): the String shares b's memory.
func StringFromBytes(b []byte) String { return String{b: b} }

// CreateString makes a String holding a copy of s.
func CreateString(s string) String { return String{b: []byte(s)} }

// CreateStringFromLongLong makes a String holding n in decimal, as
// RedisModule_CreateStringFromLongLong.
func CreateStringFromLongLong(n int64) String {
	return String{b: strconv.AppendInt(nil, n, 10)}
}

// CreateStringFromDouble makes a String holding f the way Redis prints
// doubles (shortest exact form, "inf", "-inf").
func CreateStringFromDouble(f float64) String {
	return String{b: AppendDouble(nil, f)}
}

// CreateStringPrintf makes a String from a format and arguments, as
// RedisModule_CreateStringPrintf; the format is Go's (fmt.Sprintf), not C's
// printf: %d takes any integer, %s a string or a String (String has a
// String method), %v anything.
func CreateStringPrintf(format string, args ...any) String {
	return String{b: fmt.Appendf(nil, format, args...)}
}

// CreateStringFromString makes a copy of s (RedisModule_CreateStringFromString).
func CreateStringFromString(s String) String { return s.Retain() }

// CreateStringFromULongLong makes a String holding u in decimal
// (RedisModule_CreateStringFromULongLong).
func CreateStringFromULongLong(u uint64) String {
	return String{b: strconv.AppendUint(nil, u, 10)}
}

// CreateStringFromLongDouble makes a String holding f as Redis prints a long
// double (RedisModule_CreateStringFromLongDouble): with humanFriendly false,
// C's "%.17Lg" (17 significant digits, an exponent below 1e-4 or from 1e17);
// with humanFriendly true, "%.17Lf" with the trailing zeros (and a trailing
// point) removed and "-0" printed "0", as INCRBYFLOAT prints. "inf", "-inf"
// and "nan" are spelled so.
//
// Go has no long double: f is a float64, printed as Redis prints a long
// double holding exactly that value. So 0.1 prints "0.10000000000000001",
// which is what Redis prints for the double 0.1 converted to long double
// (Redis prints "0.1" only for the long double nearest to 0.1, which a
// float64 cannot hold). Use CreateStringFromDouble for the shortest form.
func CreateStringFromLongDouble(f float64, humanFriendly bool) String {
	return String{b: AppendLongDouble(nil, f, humanFriendly)}
}

// AppendLongDouble appends f as CreateStringFromLongDouble formats it.
func AppendLongDouble(dst []byte, f float64, humanFriendly bool) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		return append(dst, "nan"...)
	}
	if !humanFriendly {
		// Go's 'g' with a precision is C's %g: the exponent form for
		// exponents below -4 or from the precision on, trailing zeros
		// removed, at least two exponent digits.
		return strconv.AppendFloat(dst, f, 'g', 17, 64)
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'f', 17, 64)
	end := len(dst)
	for end > start && dst[end-1] == '0' {
		end--
	}
	if end > start && dst[end-1] == '.' {
		end--
	}
	dst = dst[:end]
	if string(dst[start:]) == "-0" {
		dst = append(dst[:start], '0')
	}
	return dst
}

// Bytes returns the String's bytes without copying: the zero-copy access of
// RedisModule_StringPtrLen. Do not modify them, and do not keep them past the
// handler unless the String was retained.
func (s String) Bytes() []byte { return s.b }

// String returns a copy of the String's bytes as a Go string.
func (s String) String() string { return string(s.b) }

// Len returns the String's length in bytes.
func (s String) Len() int { return len(s.b) }

// Retain returns a copy of s that stays valid after the handler returns
// (RedisModule_RetainString). In C, retaining bumps a reference count; in Go
// a String is a small value that shares its bytes, so keeping one means
// copying the bytes out of the server's reusable buffers, once.
func (s String) Retain() String {
	return String{b: append([]byte(nil), s.b...)}
}

// Hold is Retain (RedisModule_HoldString): in C it may copy or share, in Go
// it copies, as Retain.
func (s String) Hold() String { return s.Retain() }

// TrimAllocation does nothing (RedisModule_TrimStringAllocation). In C it
// gives back the spare room of a string's allocation. The Strings the sdk
// makes are allocated at their size, argv Strings live in the server's read
// buffer, which the server reuses, and Retain copies exactly: there is never
// spare room to give back.
func (s String) TrimAllocation() {}

// AppendBuffer returns s with b appended, as RedisModule_StringAppendBuffer
// (which changes the string in place: in Go, assign the result, s =
// s.AppendBuffer(b)). The result has memory of its own: s, which may share
// the server's buffers, is never written to.
func (s String) AppendBuffer(b []byte) String {
	out := make([]byte, len(s.b), len(s.b)+len(b))
	copy(out, s.b)
	return String{b: append(out, b...)}
}

// StringCompare compares a and b bytewise, as RedisModule_StringCompare:
// negative, zero or positive (a.Compare(b)).
func StringCompare(a, b String) int { return a.Compare(b) }

// ToLongLong parses the String as a signed 64-bit decimal integer the way
// Redis does (no spaces, no leading '+', no leading zeros), as
// RedisModule_StringToLongLong. The error is ErrNotInteger.
func (s String) ToLongLong() (int64, error) {
	if n, ok := ParseInt(s.b); ok {
		return n, nil
	}
	return 0, ErrNotInteger
}

// ToDouble parses the String as a double the way Redis does, as
// RedisModule_StringToDouble. NaN is refused. The error is ErrNotFloat.
func (s String) ToDouble() (float64, error) {
	if f, ok := ParseFloat(s.b); ok {
		return f, nil
	}
	return 0, ErrNotFloat
}

// maxLongDoubleChars is Redis's MAX_LONG_DOUBLE_CHARS: longer strings are
// not parsed as long doubles.
const maxLongDoubleChars = 5 * 1024

// ToLongDouble parses the String as Redis parses a long double
// (RedisModule_StringToLongDouble, string2ld): as ToDouble, but at most
// 5120 bytes. Go has no long double: the result is a float64, and a value
// beyond a float64's range (such as "1e400", a valid long double) is
// refused with ErrNotFloat rather than rounded to an infinity.
func (s String) ToLongDouble() (float64, error) {
	if len(s.b) >= maxLongDoubleChars {
		return 0, ErrNotFloat
	}
	return s.ToDouble()
}

// ToULongLong parses the String as an unsigned 64-bit integer the way
// RedisModule_StringToULongLong (string2ull) does: a canonical integer
// (as ToLongLong) must not be negative; anything else goes to C's strtoull,
// which also takes leading white space, a '+', leading zeros, and, since
// strtoull negates in unsigned arithmetic, a '-' before a non-canonical
// number ("-01" is 2^64-1). The string ends at its first NUL byte, as in C.
// The error is ErrNotInteger.
func (s String) ToULongLong() (uint64, error) {
	b := s.b
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	if n, ok := ParseInt(b); ok {
		if n < 0 {
			return 0, ErrNotInteger
		}
		return uint64(n), nil
	}
	if u, ok := strtoull(b); ok {
		return u, nil
	}
	return 0, ErrNotInteger
}

// strtoull is C's strtoull(s, &end, 10) with the checks string2ull makes:
// the whole string must be used, at least one digit read, no overflow.
func strtoull(b []byte) (uint64, bool) {
	i := 0
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	start := i
	var n uint64
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		d := uint64(b[i] - '0')
		if n > (math.MaxUint64-d)/10 {
			return 0, false // ERANGE
		}
		n = n*10 + d
	}
	if i == start || i != len(b) {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// Compare compares two Strings bytewise like RedisModule_StringCompare:
// negative, zero or positive.
func (s String) Compare(o String) int { return strings.Compare(string(s.b), string(o.b)) }

// ParseInt parses b as Redis parses integer arguments: optional '-', decimal
// digits, no leading zeros, no spaces, within int64.
func ParseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	neg := false
	i := 0
	if b[0] == '-' {
		neg = true
		i = 1
		if len(b) == 1 {
			return 0, false
		}
	}
	if b[i] == '0' && len(b) > i+1 {
		return 0, false
	}
	var n uint64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (math.MaxUint64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	if neg {
		if n > 1<<63 {
			return 0, false
		}
		if n == 0 && len(b) > 1 { // "-0"
			return 0, false
		}
		return -int64(n), true
	}
	if n > math.MaxInt64 {
		return 0, false
	}
	return int64(n), true
}

// ParseFloat parses b as Redis parses float arguments (getDoubleFromObject):
// the whole of b must be what C's strtod accepts, decimal or hexadecimal
// ("0x10", "0x1.8p3"), including "inf", "-inf" and "infinity"; no leading
// space; never NaN; and not a value that overflows to infinity or underflows
// to zero ("1e400", "1e-400"), which strtod reports with ERANGE. Subnormal
// values such as "1e-310" are accepted, as in Redis.
func ParseFloat(b []byte) (float64, bool) {
	if len(b) == 0 || isSpace(b[0]) {
		return 0, false
	}
	s := string(b)
	// Go's syntax allows digit separators; strtod does not.
	if strings.IndexByte(s, '_') >= 0 {
		return 0, false
	}
	body := s
	if body[0] == '+' || body[0] == '-' {
		body = body[1:]
	}
	hex := len(body) > 1 && body[0] == '0' && (body[1]|0x20) == 'x'
	if hex && !strings.ContainsAny(body, "pP") {
		s += "p0" // strtod's binary exponent is optional; Go's is not
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) { // a syntax error, or ERANGE overflow
		return 0, false
	}
	if f == 0 && !zeroMantissa(body, hex) { // ERANGE underflow to zero
		return 0, false
	}
	return f, true
}

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// zeroMantissa reports whether the digits of a number (without its sign) up
// to the exponent are all zeros: then a zero result is exact, not an
// underflow.
func zeroMantissa(body string, hex bool) bool {
	if hex {
		body = body[2:]
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '.' || c == '0':
		case hex && (c == 'p' || c == 'P'), !hex && (c == 'e' || c == 'E'):
			return true
		default:
			return false
		}
	}
	return true
}

// AppendDouble appends f the way Redis prints a double reply: the shortest
// digits that read back as f, laid out as C's "%.17g" lays them out (plain
// notation for exponents from -4 to 16, "1e+17" and "1e-05" beyond), and
// "inf", "-inf", "nan". So 1000000 prints "1000000", 0.1 "0.1" and 1e300
// "1e+300". (Redis 7.0 prints all 17 significant digits, "0.10000000000000001";
// Redis 7.2 and later print the shortest digits.)
func AppendDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		return append(dst, "nan"...)
	}
	// The shortest digits of f have decimal exponent floor(log10(|f|)), so
	// comparing |f| with the doubles 1e-4 and 1e17 is %g's test.
	if a := math.Abs(f); a != 0 && (a < 1e-4 || a >= 1e17) {
		return strconv.AppendFloat(dst, f, 'e', -1, 64)
	}
	return strconv.AppendFloat(dst, f, 'f', -1, 64)
}
