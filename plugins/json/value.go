package main

// JSON text in RedisJSON's form. A document is kept as canonical compact
// JSON: what RedisJSON (serde_json) prints for the parsed value. So a
// reply is the stored bytes, a sub-value is a slice of them, and a value
// written back is canonical by construction.
//
// canonical parses client input with serde_json's rules and error
// messages, and prints it canonically: no white space; strings with
// serde's escapes (\" \\ \b \f \n \r \t, other control characters as
// \u00xx, everything else as UTF-8); integers as integers; other numbers
// as the float64 they denote, printed as Rust's ryu prints them ("1.0",
// "100.0" for 1e2, "1e16", "1.5e-7"); object members in their order, a
// repeated member keeping its first place and its last value.

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth is serde_json's recursion limit, which RedisJSON keeps.
const maxDepth = 128

// jsonError is a parse error with serde_json's text: "expected value at
// line 1 column 3".
type jsonError struct {
	msg       string
	line, col int
}

func (e *jsonError) Error() string {
	return fmt.Sprintf("%s at line %d column %d", e.msg, e.line, e.col)
}

type parser struct {
	in    []byte
	pos   int
	out   []byte
	depth int
}

// canonical validates in as one JSON value and returns its canonical form.
func canonical(in []byte) ([]byte, error) {
	p := &parser{in: in, out: make([]byte, 0, len(in))}
	p.skipSpace()
	if err := p.value(); err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.in) {
		return nil, p.errAt("trailing characters", p.pos+1)
	}
	return p.out, nil
}

// errAt makes an error at byte offset col (1-based) of the current line,
// as serde counts: the line and the column of the byte it stopped at.
func (p *parser) errAt(msg string, upto int) error {
	line, col := 1, 0
	for i := 0; i < upto && i < len(p.in); i++ {
		if p.in[i] == '\n' {
			line++
			col = 0
		} else {
			col++
		}
	}
	return &jsonError{msg: msg, line: line, col: col}
}

// errHere is an error at the byte being looked at (or at EOF).
func (p *parser) errHere(msg string) error { return p.errAt(msg, p.pos+1) }

func (p *parser) eof(what string) error { return p.errAt("EOF while parsing "+what, len(p.in)) }

func (p *parser) skipSpace() {
	for p.pos < len(p.in) {
		switch p.in[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value() error {
	if p.pos >= len(p.in) {
		return p.eof("a value")
	}
	switch c := p.in[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str()
		if err != nil {
			return err
		}
		p.out = appendQuoted(p.out, s)
		return nil
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't':
		return p.ident("true")
	case c == 'f':
		return p.ident("false")
	case c == 'n':
		return p.ident("null")
	}
	return p.errHere("expected value")
}

func (p *parser) ident(word string) error {
	for i := 0; i < len(word); i++ {
		if p.pos >= len(p.in) {
			return p.eof("a value")
		}
		if p.in[p.pos] != word[i] {
			return p.errHere("expected ident")
		}
		p.pos++
	}
	p.out = append(p.out, word...)
	return nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errHere("recursion limit exceeded")
	}
	return nil
}

func (p *parser) array() error {
	if err := p.enter(); err != nil {
		return err
	}
	p.pos++ // [
	p.out = append(p.out, '[')
	p.skipSpace()
	if p.pos < len(p.in) && p.in[p.pos] == ']' {
		p.pos++
		p.out = append(p.out, ']')
		p.depth--
		return nil
	}
	for n := 0; ; n++ {
		if n > 0 {
			p.out = append(p.out, ',')
		}
		if err := p.value(); err != nil {
			return err
		}
		p.skipSpace()
		if p.pos >= len(p.in) {
			return p.eof("a list")
		}
		switch p.in[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
			if p.pos < len(p.in) && p.in[p.pos] == ']' {
				return p.errHere("trailing comma")
			}
		case ']':
			p.pos++
			p.out = append(p.out, ']')
			p.depth--
			return nil
		default:
			return p.errHere("expected `,` or `]`")
		}
	}
}

func (p *parser) object() error {
	if err := p.enter(); err != nil {
		return err
	}
	p.pos++ // {
	p.skipSpace()
	if p.pos < len(p.in) && p.in[p.pos] == '}' {
		p.pos++
		p.out = append(p.out, '{', '}')
		p.depth--
		return nil
	}
	type member struct {
		key string
		val []byte
	}
	var members []member
	index := map[string]int{}
	saved := p.out
	for {
		if p.pos >= len(p.in) {
			return p.eof("an object")
		}
		if p.in[p.pos] != '"' {
			return p.errHere("key must be a string")
		}
		key, err := p.str()
		if err != nil {
			return err
		}
		p.skipSpace()
		if p.pos >= len(p.in) {
			return p.eof("an object")
		}
		if p.in[p.pos] != ':' {
			return p.errHere("expected `:`")
		}
		p.pos++
		p.skipSpace()
		p.out = nil
		if err := p.value(); err != nil {
			return err
		}
		if i, dup := index[key]; dup {
			members[i].val = p.out
		} else {
			index[key] = len(members)
			members = append(members, member{key, p.out})
		}
		p.skipSpace()
		if p.pos >= len(p.in) {
			return p.eof("an object")
		}
		switch p.in[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
			if p.pos < len(p.in) && p.in[p.pos] == '}' {
				return p.errHere("trailing comma")
			}
			continue
		case '}':
			p.pos++
		default:
			return p.errHere("expected `,` or `}`")
		}
		break
	}
	p.out = append(saved, '{')
	for i, m := range members {
		if i > 0 {
			p.out = append(p.out, ',')
		}
		p.out = appendQuoted(p.out, m.key)
		p.out = append(p.out, ':')
		p.out = append(p.out, m.val...)
	}
	p.out = append(p.out, '}')
	p.depth--
	return nil
}

// str reads a string (the opening quote is at p.pos) and returns its value.
func (p *parser) str() (string, error) {
	p.pos++
	var b []byte
	start := p.pos
	for {
		if p.pos >= len(p.in) {
			return "", p.eof("a string")
		}
		c := p.in[p.pos]
		switch {
		case c == '"':
			b = append(b, p.in[start:p.pos]...)
			p.pos++
			if !utf8.Valid(b) {
				return "", p.errAt("invalid unicode code point", p.pos)
			}
			return string(b), nil
		case c < 0x20:
			return "", p.errHere("control character (\\u0000-\\u001F) found while parsing a string")
		case c == '\\':
			b = append(b, p.in[start:p.pos]...)
			p.pos++
			if p.pos >= len(p.in) {
				return "", p.eof("a string")
			}
			switch e := p.in[p.pos]; e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, err := p.hex4()
				if err != nil {
					return "", err
				}
				if utf16.IsSurrogate(r) {
					if r >= 0xdc00 {
						return "", p.errHere("lone leading surrogate in hex escape")
					}
					if p.pos+2 >= len(p.in) || p.in[p.pos+1] != '\\' || p.in[p.pos+2] != 'u' {
						return "", p.errHere("unexpected end of hex escape")
					}
					p.pos += 2
					r2, err := p.hex4()
					if err != nil {
						return "", err
					}
					if r2 < 0xdc00 || r2 > 0xdfff {
						return "", p.errHere("lone leading surrogate in hex escape")
					}
					r = utf16.DecodeRune(r, r2)
				}
				b = utf8.AppendRune(b, r)
			default:
				return "", p.errAt("invalid escape", p.pos+1)
			}
			p.pos++
			start = p.pos
		default:
			p.pos++
		}
	}
}

// hex4 reads the 4 hex digits after \u (p.pos is at the 'u'), leaving
// p.pos at the last digit.
func (p *parser) hex4() (rune, error) {
	if p.pos+4 >= len(p.in) {
		return 0, p.eof("a string")
	}
	var r rune
	for i := 1; i <= 4; i++ {
		c := p.in[p.pos+i]
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, p.errAt("invalid escape", p.pos+i+1)
		}
		r = r<<4 | rune(d)
	}
	p.pos += 4
	return r, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *parser) number() error {
	start := p.pos
	if p.in[p.pos] == '-' {
		p.pos++
	}
	if p.pos >= len(p.in) {
		return p.eof("a value")
	}
	switch c := p.in[p.pos]; {
	case c == '0':
		p.pos++
		if p.pos < len(p.in) && isDigit(p.in[p.pos]) {
			return p.errHere("invalid number")
		}
	case isDigit(c):
		for p.pos < len(p.in) && isDigit(p.in[p.pos]) {
			p.pos++
		}
	default:
		return p.errHere("invalid number")
	}
	integer := true
	if p.pos < len(p.in) && p.in[p.pos] == '.' {
		integer = false
		p.pos++
		if p.pos >= len(p.in) {
			return p.eof("a value")
		}
		if !isDigit(p.in[p.pos]) {
			return p.errHere("invalid number")
		}
		for p.pos < len(p.in) && isDigit(p.in[p.pos]) {
			p.pos++
		}
	}
	if p.pos < len(p.in) && (p.in[p.pos] == 'e' || p.in[p.pos] == 'E') {
		integer = false
		p.pos++
		if p.pos < len(p.in) && (p.in[p.pos] == '+' || p.in[p.pos] == '-') {
			p.pos++
		}
		if p.pos >= len(p.in) {
			return p.eof("a value")
		}
		if !isDigit(p.in[p.pos]) {
			return p.errHere("invalid number")
		}
		for p.pos < len(p.in) && isDigit(p.in[p.pos]) {
			p.pos++
		}
	}
	lit := string(p.in[start:p.pos])
	out, ok := canonicalNumber(lit, integer)
	if !ok {
		return p.errAt("number out of range", p.pos)
	}
	p.out = append(p.out, out...)
	return nil
}

// canonicalNumber prints a valid JSON number literal as serde_json prints
// what it parses: an integer within int64 or uint64 as it is (but -0 is the
// float -0.0), anything else as a float64, in ryu's layout. ok is false for
// a number too large for a float64.
func canonicalNumber(lit string, integer bool) ([]byte, bool) {
	if integer {
		if lit == "-0" {
			return []byte("-0.0"), true
		}
		if _, err := strconv.ParseInt(lit, 10, 64); err == nil {
			return []byte(lit), true
		}
		if _, err := strconv.ParseUint(lit, 10, 64); err == nil {
			return []byte(lit), true
		}
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) || math.IsInf(f, 0) {
		return nil, false
	}
	return appendRyu(nil, f), true
}

// appendRyu appends f as Rust's ryu crate formats a finite f64 (what
// serde_json prints): the shortest digits that read back as f, with a
// decimal point and ".0" for integral values up to 1e16, and an exponent
// ("1e16", "1.5e-7") beyond 1e16 or below 1e-5.
func appendRyu(dst []byte, f float64) []byte {
	if f == 0 {
		if math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	if f < 0 {
		dst = append(dst, '-')
		f = -f
	}
	// The shortest digits and the decimal exponent: f = 0.d1d2...dn × 10^kk.
	e := strconv.AppendFloat(nil, f, 'e', -1, 64) // d.ddde±xx
	mant, exp := e, 0
	for i, c := range e {
		if c == 'e' {
			mant = e[:i]
			exp, _ = strconv.Atoi(string(e[i+1:]))
			break
		}
	}
	digits := make([]byte, 0, len(mant))
	for _, c := range mant {
		if c != '.' {
			digits = append(digits, c)
		}
	}
	n := len(digits)
	kk := exp + 1 // the position of the decimal point after the first digit
	switch {
	case n <= kk && kk <= 16: // 1234e7 -> 12340000000.0
		dst = append(dst, digits...)
		for i := n; i < kk; i++ {
			dst = append(dst, '0')
		}
		return append(dst, '.', '0')
	case 0 < kk && kk <= 16: // 1234e-2 -> 12.34
		dst = append(dst, digits[:kk]...)
		dst = append(dst, '.')
		return append(dst, digits[kk:]...)
	case -5 < kk && kk <= 0: // 1234e-6 -> 0.001234
		dst = append(dst, '0', '.')
		for i := kk; i < 0; i++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	case n == 1: // 1e30
		dst = append(dst, digits[0], 'e')
		return strconv.AppendInt(dst, int64(kk-1), 10)
	default: // 1234e30 -> 1.234e33
		dst = append(dst, digits[0], '.')
		dst = append(dst, digits[1:]...)
		dst = append(dst, 'e')
		return strconv.AppendInt(dst, int64(kk-1), 10)
	}
}

// appendQuoted appends s as a JSON string, escaped as serde_json escapes.
func appendQuoted(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// format re-prints canonical JSON with RedisJSON's INDENT, NEWLINE and
// SPACE options: each element of a non-empty array or object on its own
// line (newline, then indent once per level), space after each ':'.
func format(raw []byte, indent, newline, space string) []byte {
	if indent == "" && newline == "" && space == "" {
		return raw
	}
	out := make([]byte, 0, len(raw)*2)
	level := 0
	nl := func() {
		out = append(out, newline...)
		for i := 0; i < level; i++ {
			out = append(out, indent...)
		}
	}
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch c {
		case '"':
			j := i + 1
			for ; j < len(raw) && raw[j] != '"'; j++ {
				if raw[j] == '\\' {
					j++
				}
			}
			out = append(out, raw[i:j+1]...)
			i = j
		case '[', '{':
			out = append(out, c)
			if i+1 < len(raw) && (raw[i+1] == ']' || raw[i+1] == '}') {
				out = append(out, raw[i+1])
				i++
				continue
			}
			level++
			nl()
		case ']', '}':
			level--
			nl()
			out = append(out, c)
		case ',':
			out = append(out, ',')
			nl()
		case ':':
			out = append(out, ':')
			out = append(out, space...)
		default:
			out = append(out, c)
		}
	}
	return out
}
