package keyspace

// String encodings, as OBJECT ENCODING and OBJECT REFCOUNT report them.

// embstrMax is OBJ_ENCODING_EMBSTR_SIZE_LIMIT.
const embstrMax = 44

// sharedIntegers is OBJ_SHARED_INTEGERS: 0..9999 are shared objects.
const sharedIntegers = 10000

// StrEncoding returns the encoding Redis would report for the string entry
// e: "int", "embstr" or "raw".
func (e *Entry) StrEncoding() string {
	switch e.StrEnc {
	case StrEncRaw:
		return "raw"
	case StrEncIntDup:
		return "int"
	case StrEncNoInt:
	default:
		if _, ok := ParseStrictInt(e.Str); ok {
			return "int"
		}
	}
	if len(e.Str) <= embstrMax {
		return "embstr"
	}
	return "raw"
}

// SharedInt reports whether Redis would hold e's value as one of its shared
// integer objects (OBJECT REFCOUNT 2147483647), given whether the maxmemory
// setup allows shared integers (no maxmemory, or a policy that is neither
// LRU nor LFU).
func (e *Entry) SharedInt(sharingAllowed bool) bool {
	if !sharingAllowed || e.Kind != KindString || e.StrEnc != StrEncAuto {
		return false
	}
	v, ok := ParseStrictInt(e.Str)
	return ok && v >= 0 && v < sharedIntegers
}

// ParseStrictInt parses b as Redis's string2ll does: a canonical base-10
// int64 (no sign but '-', no leading zeros, no spaces, "-0" refused), at
// most 20 bytes.
func ParseStrictInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := b[0] == '-'
	p := b
	if neg {
		p = b[1:]
		if len(p) == 0 {
			return 0, false
		}
	}
	if p[0] < '1' || p[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, ch := range p {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		d := uint64(ch - '0')
		if v > (1<<64-1-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}
