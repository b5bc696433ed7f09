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

// ParseFloat parses b as Redis parses float arguments: what strtod accepts,
// including "inf" and "-inf", without spaces, and never NaN.
func ParseFloat(b []byte) (float64, bool) {
	if len(b) == 0 || b[0] == ' ' || b[len(b)-1] == ' ' {
		return 0, false
	}
	s := string(b)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Redis accepts overflowing values as ±inf only when spelled so.
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange || math.IsInf(f, 0) {
			return 0, false
		}
	}
	if math.IsNaN(f) {
		return 0, false
	}
	if strings.ContainsAny(s, "_") || strings.HasPrefix(strings.ToLower(strings.TrimLeft(s, "+-")), "0x") {
		return 0, false
	}
	return f, true
}

// AppendDouble appends f as Redis prints a double reply or an INCRBYFLOAT
// result: the shortest form that reads back exactly, "inf" or "-inf".
func AppendDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		return append(dst, "nan"...)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}
