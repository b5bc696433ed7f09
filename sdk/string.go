package sdk

import (
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

// Bytes returns the String's bytes without copying: the zero-copy access of
// RedisModule_StringPtrLen. Do not modify them, and do not keep them past the
// handler unless the String was retained.
func (s String) Bytes() []byte { return s.b }

// String returns a copy of the String's bytes as a Go string.
func (s String) String() string { return string(s.b) }

// Len returns the String's length in bytes.
func (s String) Len() int { return len(s.b) }

// Retain returns a copy of s that stays valid after the handler returns
// (RedisModule_RetainString / HoldString).
func (s String) Retain() String {
	return String{b: append([]byte(nil), s.b...)}
}

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
