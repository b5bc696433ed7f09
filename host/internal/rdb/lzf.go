package rdb

import "errors"

// LZF (liblzf, as Redis bundles it): literal runs of 1 to 32 bytes (a
// control byte below 32 holding the length minus one) and back references
// (the top 3 bits of the control byte the length minus two, 7 meaning an
// extra length byte follows; the low 5 bits and the next byte the distance
// minus one, up to 8 kB back).

const (
	lzfHashLog = 14
	lzfMaxLit  = 32
	lzfMaxOff  = 1 << 13
	lzfMaxRef  = 255 + 7 + 2 // the longest back reference, in bytes
)

// lzfCompress compresses in and returns the result if it is at most max
// bytes long, else nil. The result is built in buf when it is big enough.
func lzfCompress(buf, in []byte, max int) []byte {
	n := len(in)
	if n < 4 {
		return nil
	}
	out := buf[:0]
	if cap(out) < max {
		out = make([]byte, 0, max)
	}
	var htab [1 << lzfHashLog]int32 // positions plus one
	lit := 0                        // start of the pending literal run
	flush := func(end int) bool {
		for lit < end {
			k := min(end-lit, lzfMaxLit)
			if len(out)+1+k > max {
				return false
			}
			out = append(out, byte(k-1))
			out = append(out, in[lit:lit+k]...)
			lit += k
		}
		return true
	}
	ip := 0
	for ip+2 < n {
		v := uint32(in[ip])<<16 | uint32(in[ip+1])<<8 | uint32(in[ip+2])
		h := ((v >> (3*8 - lzfHashLog)) - v*5) & (1<<lzfHashLog - 1)
		ref := int(htab[h]) - 1
		htab[h] = int32(ip + 1)
		if ref >= 0 && ip-ref-1 < lzfMaxOff && in[ref] == in[ip] && in[ref+1] == in[ip+1] && in[ref+2] == in[ip+2] {
			l := 3
			for ip+l < n && l < lzfMaxRef && in[ref+l] == in[ip+l] {
				l++
			}
			if !flush(ip) {
				return nil
			}
			off := ip - ref - 1
			code := l - 2
			if code < 7 {
				if len(out)+2 > max {
					return nil
				}
				out = append(out, byte(code<<5|off>>8), byte(off))
			} else {
				if len(out)+3 > max {
					return nil
				}
				out = append(out, byte(7<<5|off>>8), byte(code-7), byte(off))
			}
			ip += l
			lit = ip
			continue
		}
		ip++
	}
	if !flush(n) {
		return nil
	}
	return out
}

var errLZF = errors.New("invalid LZF compressed data")

// lzfDecompress expands in, which must decompress to exactly n bytes.
func lzfDecompress(in []byte, n int) ([]byte, error) {
	out := make([]byte, 0, n)
	for ip := 0; ip < len(in); {
		ctrl := int(in[ip])
		ip++
		if ctrl < 32 {
			k := ctrl + 1
			if ip+k > len(in) || len(out)+k > n {
				return nil, errLZF
			}
			out = append(out, in[ip:ip+k]...)
			ip += k
			continue
		}
		l := ctrl >> 5
		if l == 7 {
			if ip >= len(in) {
				return nil, errLZF
			}
			l += int(in[ip])
			ip++
		}
		if ip >= len(in) {
			return nil, errLZF
		}
		ref := len(out) - (ctrl&0x1f)<<8 - 1 - int(in[ip])
		ip++
		l += 2
		if ref < 0 || len(out)+l > n {
			return nil, errLZF
		}
		for k := 0; k < l; k++ {
			out = append(out, out[ref+k])
		}
	}
	if len(out) != n {
		return nil, errLZF
	}
	return out, nil
}
