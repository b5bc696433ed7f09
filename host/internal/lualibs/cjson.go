package lualibs

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// cjson is lua-cjson 2.1.0 as Redis ships it.

type cjsonConfig struct {
	sparseConvert  bool
	sparseRatio    int
	sparseSafe     int
	encodeMaxDepth int
	decodeMaxDepth int
	encodeInvalid  int // 0 refuse, 1 allow, 2 as null
	decodeInvalid  bool
	keepBuffer     bool
	precision      int
	null           *lua.LUserData
}

func openCjson(L *lua.LState) *lua.LTable {
	return newCjson(L, L.NewUserData())
}

func newCjson(L *lua.LState, null *lua.LUserData) *lua.LTable {
	cfg := &cjsonConfig{
		sparseRatio: 2, sparseSafe: 10, encodeMaxDepth: 1000, decodeMaxDepth: 1000,
		decodeInvalid: true, keepBuffer: true, precision: 14, null: null,
	}
	t := L.NewTable()
	t.RawSetString("encode", L.NewFunction(cfg.encode))
	t.RawSetString("decode", L.NewFunction(cfg.decode))
	t.RawSetString("encode_sparse_array", L.NewFunction(cfg.cfgSparse))
	t.RawSetString("encode_max_depth", L.NewFunction(func(L *lua.LState) int {
		return cfgDepth(L, &cfg.encodeMaxDepth, "encode_max_depth")
	}))
	t.RawSetString("decode_max_depth", L.NewFunction(func(L *lua.LState) int {
		return cfgDepth(L, &cfg.decodeMaxDepth, "decode_max_depth")
	}))
	t.RawSetString("encode_number_precision", L.NewFunction(cfg.cfgPrecision))
	t.RawSetString("encode_keep_buffer", L.NewFunction(func(L *lua.LState) int {
		return cfgBool(L, &cfg.keepBuffer, "encode_keep_buffer")
	}))
	t.RawSetString("encode_invalid_numbers", L.NewFunction(cfg.cfgEncodeInvalid))
	t.RawSetString("decode_invalid_numbers", L.NewFunction(func(L *lua.LState) int {
		return cfgBool(L, &cfg.decodeInvalid, "decode_invalid_numbers")
	}))
	t.RawSetString("new", L.NewFunction(func(L *lua.LState) int {
		L.Push(newCjson(L, null))
		return 1
	}))
	t.RawSetString("null", null)
	t.RawSetString("_NAME", lua.LString("cjson"))
	t.RawSetString("_VERSION", lua.LString("2.1.0"))
	return t
}

func cfgArgCount(L *lua.LState, n int, fname string) {
	if L.GetTop() > n {
		argError(L, n+1, fname, "found too many arguments")
	}
}

func (cfg *cjsonConfig) cfgSparse(L *lua.LState) int {
	cfgArgCount(L, 3, "encode_sparse_array")
	top := L.GetTop()
	if top >= 1 {
		b, ok := L.Get(1).(lua.LBool)
		if !ok && L.Get(1) != lua.LNil {
			argError(L, 1, "encode_sparse_array", "invalid option '"+lua.LVAsString(L.Get(1))+"'")
		}
		cfg.sparseConvert = bool(b)
	}
	if top >= 2 {
		n := int(checkNumber(L, 2, "encode_sparse_array"))
		if n < 0 {
			argError(L, 2, "encode_sparse_array", "expected integer between 0 and 2147483647")
		}
		cfg.sparseRatio = n
	}
	if top >= 3 {
		n := int(checkNumber(L, 3, "encode_sparse_array"))
		if n < 0 {
			argError(L, 3, "encode_sparse_array", "expected integer between 0 and 2147483647")
		}
		cfg.sparseSafe = n
	}
	L.Push(lua.LBool(cfg.sparseConvert))
	L.Push(lua.LNumber(cfg.sparseRatio))
	L.Push(lua.LNumber(cfg.sparseSafe))
	return 3
}

func cfgDepth(L *lua.LState, v *int, fname string) int {
	cfgArgCount(L, 1, fname)
	if L.GetTop() >= 1 {
		n := int(checkNumber(L, 1, fname))
		if n < 1 {
			argError(L, 1, fname, "expected integer between 1 and 2147483647")
		}
		*v = n
	}
	L.Push(lua.LNumber(*v))
	return 1
}

func cfgBool(L *lua.LState, v *bool, fname string) int {
	cfgArgCount(L, 1, fname)
	if L.GetTop() >= 1 {
		switch x := L.Get(1).(type) {
		case lua.LBool:
			*v = bool(x)
		case lua.LString:
			switch x {
			case "on":
				*v = true
			case "off":
				*v = false
			default:
				argError(L, 1, fname, "invalid option '"+string(x)+"'")
			}
		default:
			argError(L, 1, fname, "invalid option '"+lua.LVAsString(x)+"'")
		}
	}
	if *v {
		L.Push(lua.LString("on"))
	} else {
		L.Push(lua.LString("off"))
	}
	return 1
}

func (cfg *cjsonConfig) cfgPrecision(L *lua.LState) int {
	cfgArgCount(L, 1, "encode_number_precision")
	if L.GetTop() >= 1 {
		n := int(checkNumber(L, 1, "encode_number_precision"))
		if n < 1 || n > 14 {
			argError(L, 1, "encode_number_precision", "expected integer between 1 and 14")
		}
		cfg.precision = n
	}
	L.Push(lua.LNumber(cfg.precision))
	return 1
}

func (cfg *cjsonConfig) cfgEncodeInvalid(L *lua.LState) int {
	cfgArgCount(L, 1, "encode_invalid_numbers")
	if L.GetTop() >= 1 {
		switch x := L.Get(1).(type) {
		case lua.LBool:
			if x {
				cfg.encodeInvalid = 1
			} else {
				cfg.encodeInvalid = 0
			}
		case lua.LString:
			switch x {
			case "on":
				cfg.encodeInvalid = 1
			case "off":
				cfg.encodeInvalid = 0
			case "null":
				cfg.encodeInvalid = 2
			default:
				argError(L, 1, "encode_invalid_numbers", "invalid option '"+string(x)+"'")
			}
		default:
			argError(L, 1, "encode_invalid_numbers", "invalid option '"+lua.LVAsString(x)+"'")
		}
	}
	switch cfg.encodeInvalid {
	case 1:
		L.Push(lua.LString("on"))
	case 2:
		L.Push(lua.LString("null"))
	default:
		L.Push(lua.LString("off"))
	}
	return 1
}

// --- encoding ---

func (cfg *cjsonConfig) encode(L *lua.LState) int {
	if L.GetTop() != 1 {
		argError(L, 1, "encode", "expected 1 argument")
	}
	var b []byte
	b = cfg.appendValue(L, b, L.Get(1), 0)
	L.Push(lua.LString(b))
	return 1
}

func (cfg *cjsonConfig) encodeError(L *lua.LState, v lua.LValue, reason string) {
	RaiseError(L, "Cannot serialise %s: %s", typeName(v), reason)
}

func (cfg *cjsonConfig) appendValue(L *lua.LState, b []byte, v lua.LValue, depth int) []byte {
	switch x := v.(type) {
	case lua.LString:
		return appendJSONString(b, string(x))
	case lua.LNumber:
		return cfg.appendNumber(L, b, x)
	case lua.LBool:
		if x {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case *lua.LNilType:
		return append(b, "null"...)
	case *lua.LUserData:
		if x == cfg.null {
			return append(b, "null"...)
		}
	case *lua.LTable:
		depth++
		if depth > cfg.encodeMaxDepth {
			RaiseError(L, "Cannot serialise, excessive nesting (%d)", depth)
		}
		if n := cfg.arrayLength(L, x); n > 0 {
			b = append(b, '[')
			for i := 1; i <= n; i++ {
				if i > 1 {
					b = append(b, ',')
				}
				b = cfg.appendValue(L, b, x.RawGetInt(i), depth)
			}
			return append(b, ']')
		}
		b = append(b, '{')
		first := true
		for k, val := x.Next(lua.LNil); k != lua.LNil; k, val = x.Next(k) {
			if !first {
				b = append(b, ',')
			}
			first = false
			switch kk := k.(type) {
			case lua.LNumber:
				b = append(b, '"')
				b = cfg.appendNumber(L, b, kk)
				b = append(b, '"', ':')
			case lua.LString:
				b = appendJSONString(b, string(kk))
				b = append(b, ':')
			default:
				cfg.encodeError(L, k, "table key must be a number or string")
			}
			b = cfg.appendValue(L, b, val, depth)
		}
		return append(b, '}')
	}
	cfg.encodeError(L, v, "type not supported")
	return b
}

func (cfg *cjsonConfig) appendNumber(L *lua.LState, b []byte, n lua.LNumber) []byte {
	f := float64(n)
	if math.IsInf(f, 0) || math.IsNaN(f) {
		switch cfg.encodeInvalid {
		case 0:
			cfg.encodeError(L, n, "must not be NaN or Inf")
		case 1:
			if math.IsNaN(f) {
				return append(b, "nan"...)
			}
		default:
			return append(b, "null"...)
		}
	}
	return append(b, fmtG(f, cfg.precision)...)
}

// arrayLength is lua_array_length: the array size of a table whose keys
// are all positive integers, or -1.
func (cfg *cjsonConfig) arrayLength(L *lua.LState, t *lua.LTable) int {
	max, items := 0, 0
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		n, ok := k.(lua.LNumber)
		f := float64(n)
		if !ok || f == 0 || math.Floor(f) != f || f < 1 {
			return -1
		}
		if f > float64(max) {
			max = int(f)
		}
		items++
	}
	if cfg.sparseRatio > 0 && max > items*cfg.sparseRatio && max > cfg.sparseSafe {
		if !cfg.sparseConvert {
			cfg.encodeError(L, t, "excessively sparse array")
		}
		return -1
	}
	return max
}

const hexDigits = "0123456789abcdef"

func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '"':
			b = append(b, '\\', '"')
		case ch == '\\':
			b = append(b, '\\', '\\')
		case ch == '/':
			b = append(b, '\\', '/')
		case ch == '\b':
			b = append(b, '\\', 'b')
		case ch == '\t':
			b = append(b, '\\', 't')
		case ch == '\n':
			b = append(b, '\\', 'n')
		case ch == '\f':
			b = append(b, '\\', 'f')
		case ch == '\r':
			b = append(b, '\\', 'r')
		case ch < 0x20 || ch == 0x7f:
			b = append(b, '\\', 'u', '0', '0', hexDigits[ch>>4], hexDigits[ch&15])
		default:
			b = append(b, ch)
		}
	}
	return append(b, '"')
}

// --- decoding ---

type jsonTokenType int

const (
	tObjBegin jsonTokenType = iota
	tObjEnd
	tArrBegin
	tArrEnd
	tString
	tNumber
	tBoolean
	tNull
	tColon
	tComma
	tEnd
	tWhitespace
	tError
	tUnknown
)

var jsonTokenNames = []string{"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END", "T_STRING",
	"T_NUMBER", "T_BOOLEAN", "T_NULL", "T_COLON", "T_COMMA", "T_END", "T_WHITESPACE", "T_ERROR", "T_UNKNOWN"}

type jsonToken struct {
	typ   jsonTokenType
	index int
	str   string
	num   float64
	b     bool
	err   string
}

type jsonParser struct {
	L     *lua.LState
	cfg   *cjsonConfig
	data  string
	pos   int
	depth int
}

// at returns the byte at i, or 0 past the end (the C string's NUL).
func (p *jsonParser) at(i int) byte {
	if i < len(p.data) {
		return p.data[i]
	}
	return 0
}

func (cfg *cjsonConfig) decode(L *lua.LState) int {
	if L.GetTop() != 1 {
		argError(L, 1, "decode", "expected 1 argument")
	}
	s := checkString(L, 1, "decode")
	if len(s) >= 2 && (s[0] == 0 || s[1] == 0) {
		RaiseError(L, "JSON parser does not support UTF-16 or UTF-32")
	}
	p := &jsonParser{L: L, cfg: cfg, data: s}
	tok := p.next()
	v := p.value(&tok)
	tok = p.next()
	if tok.typ != tEnd {
		p.fail("the end", &tok)
	}
	L.Push(v)
	return 1
}

func (p *jsonParser) fail(expected string, tok *jsonToken) {
	found := ""
	if tok.typ == tError {
		found = tok.err
	} else {
		found = jsonTokenNames[tok.typ]
	}
	RaiseError(p.L, "Expected %s but found %s at character %d", expected, found, tok.index+1)
}

func (p *jsonParser) descend() {
	p.depth++
	if p.depth > p.cfg.decodeMaxDepth {
		RaiseError(p.L, "Found too many nested data structures (%d) at character %d", p.depth, p.pos)
	}
}

func (p *jsonParser) value(tok *jsonToken) lua.LValue {
	switch tok.typ {
	case tString:
		return lua.LString(tok.str)
	case tNumber:
		return lua.LNumber(tok.num)
	case tBoolean:
		return lua.LBool(tok.b)
	case tNull:
		return p.cfg.null
	case tObjBegin:
		p.descend()
		t := p.L.NewTable()
		next := p.next()
		if next.typ == tObjEnd {
			p.depth--
			return t
		}
		for {
			if next.typ != tString {
				p.fail("object key string", &next)
			}
			key := next.str
			next = p.next()
			if next.typ != tColon {
				p.fail("colon", &next)
			}
			next = p.next()
			t.RawSetString(key, p.value(&next))
			next = p.next()
			if next.typ == tObjEnd {
				p.depth--
				return t
			}
			if next.typ != tComma {
				p.fail("comma or object end", &next)
			}
			next = p.next()
		}
	case tArrBegin:
		p.descend()
		t := p.L.NewTable()
		next := p.next()
		if next.typ == tArrEnd {
			p.depth--
			return t
		}
		for i := 1; ; i++ {
			t.RawSetInt(i, p.value(&next))
			next = p.next()
			if next.typ == tArrEnd {
				p.depth--
				return t
			}
			if next.typ != tComma {
				p.fail("comma or array end", &next)
			}
			next = p.next()
		}
	}
	p.fail("value", tok)
	return lua.LNil
}

func (p *jsonParser) next() jsonToken {
	for {
		switch p.at(p.pos) {
		case ' ', '\t', '\n', '\r':
			p.pos++
			continue
		}
		break
	}
	tok := jsonToken{index: p.pos}
	ch := p.at(p.pos)
	switch ch {
	case 0:
		tok.typ = tEnd
		return tok
	case '{':
		tok.typ = tObjBegin
	case '}':
		tok.typ = tObjEnd
	case '[':
		tok.typ = tArrBegin
	case ']':
		tok.typ = tArrEnd
	case ',':
		tok.typ = tComma
	case ':':
		tok.typ = tColon
	case '"':
		p.stringToken(&tok)
		return tok
	default:
		switch {
		case ch == '-' || ch >= '0' && ch <= '9':
			if !p.cfg.decodeInvalid && p.invalidNumber() {
				return p.errToken(tok, "invalid number")
			}
			p.numberToken(&tok)
		case strings.HasPrefix(p.data[p.pos:], "true"):
			tok.typ, tok.b = tBoolean, true
			p.pos += 4
		case strings.HasPrefix(p.data[p.pos:], "false"):
			tok.typ, tok.b = tBoolean, false
			p.pos += 5
		case strings.HasPrefix(p.data[p.pos:], "null"):
			tok.typ = tNull
			p.pos += 4
		case p.cfg.decodeInvalid && (ch == '+' || ch == 'i' || ch == 'I' || ch == 'n' || ch == 'N') && p.invalidNumber():
			p.numberToken(&tok)
		default:
			return p.errToken(tok, "invalid token")
		}
		return tok
	}
	p.pos++
	return tok
}

func (p *jsonParser) errToken(tok jsonToken, msg string) jsonToken {
	tok.typ, tok.err, tok.index = tError, msg, p.pos
	return tok
}

// invalidNumber is json_is_invalid_number: what strtod accepts but strict
// JSON does not (a leading +, hex, leading zeros, inf, nan).
func (p *jsonParser) invalidNumber() bool {
	i := p.pos
	if p.at(i) == '+' {
		return true
	}
	if p.at(i) == '-' {
		i++
	}
	if p.at(i) == '0' {
		ch2 := p.at(i + 1)
		return ch2|0x20 == 'x' || ch2 >= '0' && ch2 <= '9'
	} else if p.at(i) <= '9' {
		return false
	}
	rest := strings.ToLower(p.data[i:min(i+3, len(p.data))])
	return rest == "inf" || rest == "nan"
}

func (p *jsonParser) numberToken(tok *jsonToken) {
	n, used := strtod(p.data[p.pos:])
	if used == 0 {
		*tok = p.errToken(*tok, "invalid number")
		return
	}
	tok.typ, tok.num = tNumber, n
	p.pos += used
}

// strtod parses the longest prefix of s that C's strtod accepts.
func strtod(s string) (float64, int) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	rest := strings.ToLower(s[i:])
	sign := 1.0
	if neg {
		sign = -1
	}
	switch {
	case strings.HasPrefix(rest, "infinity"):
		return math.Inf(int(sign)), i + 8
	case strings.HasPrefix(rest, "inf"):
		return math.Inf(int(sign)), i + 3
	case strings.HasPrefix(rest, "nan"):
		return math.NaN(), i + 3
	}
	if strings.HasPrefix(rest, "0x") {
		j := i + 2
		for j < len(s) && isHex(s[j]) {
			j++
		}
		if j == i+2 {
			return 0, i + 1 // just the "0"
		}
		v, err := strconv.ParseUint(s[i+2:j], 16, 64)
		if err != nil {
			f, _ := strconv.ParseFloat("0x"+s[i+2:j]+"p0", 64)
			return sign * f, j
		}
		return sign * float64(v), j
	}
	j := i
	digits := 0
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
		digits++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && s[k] >= '0' && s[k] <= '9' {
			for k < len(s) && s[k] >= '0' && s[k] <= '9' {
				k++
			}
			j = k
		}
	}
	f, err := strconv.ParseFloat(s[:j], 64)
	if err != nil {
		// Out of range: strtod gives +-HUGE_VAL or 0, as ParseFloat does.
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, j
		}
		return 0, 0
	}
	return f, j
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f'
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c|0x20 >= 'a' && c|0x20 <= 'f':
		return int(c|0x20-'a') + 10
	}
	return -1
}

func (p *jsonParser) hex4(i int) int {
	v := 0
	for k := 0; k < 4; k++ {
		d := hexVal(p.at(i + k))
		if d < 0 {
			return -1
		}
		v = v<<4 | d
	}
	return v
}

func (p *jsonParser) stringToken(tok *jsonToken) {
	p.pos++ // the opening quote
	var b []byte
	for {
		ch := p.at(p.pos)
		if ch == '"' {
			break
		}
		if ch == 0 {
			*tok = p.errToken(*tok, "unexpected end of string")
			return
		}
		if ch == '\\' {
			esc := p.at(p.pos + 1)
			var out byte
			switch esc {
			case '"', '\\', '/':
				out = esc
			case 'b':
				out = '\b'
			case 't':
				out = '\t'
			case 'n':
				out = '\n'
			case 'f':
				out = '\f'
			case 'r':
				out = '\r'
			case 'u':
				n := p.unicodeEscape(&b)
				if n < 0 {
					*tok = p.errToken(*tok, "invalid unicode escape code")
					return
				}
				p.pos += n
				continue
			default:
				*tok = p.errToken(*tok, "invalid escape code")
				return
			}
			b = append(b, out)
			p.pos += 2
			continue
		}
		b = append(b, ch)
		p.pos++
	}
	p.pos++
	tok.typ, tok.str = tString, string(b)
}

// unicodeEscape decodes \uXXXX (and a surrogate pair) at p.pos into b; it
// returns the escape's length, or -1.
func (p *jsonParser) unicodeEscape(b *[]byte) int {
	cp := p.hex4(p.pos + 2)
	if cp < 0 {
		return -1
	}
	n := 6
	if cp&0xF800 == 0xD800 {
		if cp&0x400 != 0 {
			return -1
		}
		if p.at(p.pos+6) != '\\' || p.at(p.pos+7) != 'u' {
			return -1
		}
		low := p.hex4(p.pos + 8)
		if low < 0 || low&0xFC00 != 0xDC00 {
			return -1
		}
		cp = ((cp&0x3FF)<<10 | low&0x3FF) + 0x10000
		n = 12
	}
	*b = utf8.AppendRune(*b, rune(cp))
	return n
}
