package host

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"modis/host/internal/keyspace"
	"modis/sdk"
)

// String commands: GET SET SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET
// MSETNX INCR DECR INCRBY DECRBY INCRBYFLOAT APPEND STRLEN.

func stringCommands() []*Command {
	const rw = FlagWrite | FlagDenyOOM
	return []*Command{
		{Name: "get", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string", Handler: cmdGet,
			Summary: "Returns the string value of a key.", Since: "1.0.0"},
		{Name: "set", Arity: -3, Flags: rw, FirstKey: 1, LastKey: 1, Step: 1, Group: "string", Handler: cmdSet,
			Summary: "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.", Since: "1.0.0"},
		{Name: "setnx", Arity: 3, Flags: rw | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string", Handler: cmdSetnx,
			Summary: "Set the string value of a key only when the key doesn't exist.", Since: "1.0.0"},
		{Name: "setex", Arity: 4, Flags: rw, FirstKey: 1, LastKey: 1, Step: 1, Group: "string", Handler: cmdSetex,
			Summary: "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.", Since: "2.0.0"},
		{Name: "psetex", Arity: 4, Flags: rw, FirstKey: 1, LastKey: 1, Step: 1, Group: "string", Handler: cmdPsetex,
			Summary: "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.", Since: "2.6.0"},
		{Name: "getset", Arity: 3, Flags: rw | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string", Handler: cmdGetset,
			Summary: "Returns the previous string value of a key after setting it to a new value.", Since: "1.0.0"},
		{Name: "getdel", Arity: 2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string", Handler: cmdGetdel,
			Summary: "Returns the string value of a key after deleting the key.", Since: "6.2.0"},
		{Name: "getex", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string", Handler: cmdGetex,
			Summary: "Returns the string value of a key after setting its expiration time.", Since: "6.2.0"},
		{Name: "mget", Arity: -2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: -1, Step: 1, Group: "string", Handler: cmdMget,
			Summary: "Atomically returns the string values of one or more keys.", Since: "1.0.0"},
		{Name: "mset", Arity: -3, Flags: rw, FirstKey: 1, LastKey: -1, Step: 2, Group: "string", Handler: cmdMset,
			Summary: "Atomically creates or modifies the string values of one or more keys.", Since: "1.0.1"},
		{Name: "msetnx", Arity: -3, Flags: rw, FirstKey: 1, LastKey: -1, Step: 2, Group: "string", Handler: cmdMsetnx,
			Summary: "Atomically modifies the string values of one or more keys only when all keys don't exist.", Since: "1.0.1"},
		{Name: "incr", Arity: 2, Flags: rw | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string", Handler: cmdIncr,
			Summary: "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", Since: "1.0.0"},
		{Name: "decr", Arity: 2, Flags: rw | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string", Handler: cmdDecr,
			Summary: "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", Since: "1.0.0"},
		{Name: "incrby", Arity: 3, Flags: rw | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string", Handler: cmdIncrby,
			Summary: "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.", Since: "1.0.0"},
		{Name: "decrby", Arity: 3, Flags: rw | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string", Handler: cmdDecrby,
			Summary: "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.", Since: "1.0.0"},
		{Name: "incrbyfloat", Arity: 3, Flags: rw | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string", Handler: cmdIncrbyfloat,
			Summary: "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.", Since: "2.6.0"},
		{Name: "append", Arity: 3, Flags: rw | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string", Handler: cmdAppend,
			Summary: "Appends a string to the value of a key. Creates the key if it doesn't exist.", Since: "2.0.0"},
		{Name: "strlen", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string", Handler: cmdStrlen,
			Summary: "Returns the length of a string value.", Since: "2.2.0"},
	}
}

// maxStringLen is Redis's default proto-max-bulk-len: no string value may
// grow past it.
const maxStringLen = 512 << 20

// kwIs reports whether the argument b is the keyword upper (given in upper
// case), ignoring ASCII case, without allocating.
func kwIs(b []byte, upper string) bool {
	if len(b) != len(upper) {
		return false
	}
	for i := 0; i < len(b); i++ {
		ch := b[i]
		if ch >= 'a' && ch <= 'z' {
			ch -= 'a' - 'A'
		}
		if ch != upper[i] {
			return false
		}
	}
	return true
}

// stringEntry returns key's live string entry for a write (no keyspace
// stats): nil if missing, ErrWrongType if it holds another type.
func (c *Client) stringEntry(key []byte) (*keyspace.Entry, error) {
	e := c.db.Peek(key, c.srv.now)
	if e != nil && e.Kind != keyspace.KindString {
		return nil, ErrWrongType
	}
	return e, nil
}

// copyInto returns a copy of val, reusing buf's memory when it fits and is
// not wastefully large.
func copyInto(buf, val []byte) []byte {
	if cap(buf) >= len(val) && cap(buf) <= 2*len(val)+64 {
		return append(buf[:0], val...)
	}
	return append(make([]byte, 0, len(val)), val...)
}

// setString stores a copy of val under key, as Redis's setKey does: any old
// value of any type is replaced. old is key's live entry (nil if none). With
// keepTTL an old expiry is kept; otherwise the expiry becomes expireAt (0:
// none). A string entry is updated in place.
func (c *Client) setString(key, val []byte, old *keyspace.Entry, keepTTL bool, expireAt int64) {
	if old != nil && old.Kind == keyspace.KindString {
		old.Str = copyInto(old.Str, val)
		if !keepTTL && old.Expire != expireAt {
			c.db.SetExpire(key, old, expireAt)
		}
		return
	}
	e := &keyspace.Entry{Kind: keyspace.KindString, Str: append(make([]byte, 0, len(val)), val...), Expire: expireAt}
	if keepTTL {
		e.Expire = 0
		if old != nil {
			e.Expire = old.Expire
		}
	}
	c.db.Set(key, e)
}

func cmdGet(c *Client, args [][]byte) error {
	e := c.db.Lookup(args[1], c.srv.now)
	if e == nil {
		c.out.Null()
		return nil
	}
	if e.Kind != keyspace.KindString {
		return ErrWrongType
	}
	c.out.Bulk(e.Str)
	return nil
}

// SET/GETEX option flags, as Redis's parseExtendedStringArgumentsOrReply
// names them.
const (
	setNX = 1 << iota
	setXX
	setGet
	setKeepTTL
	setPersist
	setEX
	setPX
	setEXAT
	setPXAT

	setAnyExpire = setEX | setPX | setEXAT | setPXAT
)

// parseSetOptions parses the options of SET (getex false) or GETEX (getex
// true) from args[start:], with Redis's rules for which may be combined. It
// returns the flags and the expire argument (nil if none).
func parseSetOptions(args [][]byte, start int, getex bool) (int, []byte, error) {
	flags := 0
	var expire []byte
	for j := start; j < len(args); j++ {
		opt := args[j]
		hasNext := j+1 < len(args)
		var unit int
		switch {
		case !getex && kwIs(opt, "NX") && flags&setXX == 0:
			flags |= setNX
			continue
		case !getex && kwIs(opt, "XX") && flags&setNX == 0:
			flags |= setXX
			continue
		case !getex && kwIs(opt, "GET"):
			flags |= setGet
			continue
		case !getex && kwIs(opt, "KEEPTTL") && flags&(setPersist|setAnyExpire) == 0:
			flags |= setKeepTTL
			continue
		case getex && kwIs(opt, "PERSIST") && flags&(setKeepTTL|setAnyExpire) == 0:
			flags |= setPersist
			continue
		case kwIs(opt, "EX"):
			unit = setEX
		case kwIs(opt, "PX"):
			unit = setPX
		case kwIs(opt, "EXAT"):
			unit = setEXAT
		case kwIs(opt, "PXAT"):
			unit = setPXAT
		default:
			return 0, nil, ErrSyntax
		}
		// An expire option: the same one may repeat (the last wins), no other.
		if !hasNext || flags&(setKeepTTL|setPersist) != 0 || flags&setAnyExpire&^unit != 0 {
			return 0, nil, ErrSyntax
		}
		flags |= unit
		expire = args[j+1]
		j++
	}
	return flags, expire, nil
}

// expireMillis turns a SET-style expire argument into an absolute Unix ms
// time, as Redis's getExpireMillisecondsOrReply does. cmd names the command
// in the error.
func (c *Client) expireMillis(arg []byte, flags int, cmd string) (int64, error) {
	ms, ok := sdk.ParseInt(arg)
	if !ok {
		return 0, ErrNotInteger
	}
	seconds := flags&(setEX|setEXAT) != 0
	if ms <= 0 || seconds && ms > math.MaxInt64/1000 {
		return 0, errInvalidExpire(cmd)
	}
	if seconds {
		ms *= 1000
	}
	if flags&(setEX|setPX) != 0 {
		ms += c.srv.now // wraps negative on overflow, as in Redis
	}
	if ms <= 0 {
		return 0, errInvalidExpire(cmd)
	}
	return ms, nil
}

func cmdSet(c *Client, args [][]byte) error {
	if len(args) == 3 { // the hot path: no options
		c.setString(args[1], args[2], c.db.Peek(args[1], c.srv.now), false, 0)
		c.out.SimpleString("OK")
		return nil
	}
	flags, expArg, err := parseSetOptions(args, 3, false)
	if err != nil {
		return err
	}
	return c.setGeneric(args[1], args[2], flags, expArg, "set", false)
}

// setGeneric is Redis's setGenericCommand. nxReplies makes the replies
// SETNX's (:1 set, :0 not set) instead of +OK and null.
func (c *Client) setGeneric(key, val []byte, flags int, expArg []byte, cmd string, nxReplies bool) error {
	var at int64
	if expArg != nil {
		var err error
		if at, err = c.expireMillis(expArg, flags, cmd); err != nil {
			return err
		}
	}
	if flags&setGet != 0 {
		e := c.db.Lookup(key, c.srv.now)
		switch {
		case e == nil:
			c.out.Null()
		case e.Kind != keyspace.KindString:
			return ErrWrongType
		default:
			c.out.Bulk(e.Str)
		}
	}
	old := c.db.Peek(key, c.srv.now)
	if flags&setNX != 0 && old != nil || flags&setXX != 0 && old == nil {
		switch {
		case flags&setGet != 0:
		case nxReplies:
			c.out.Int(0)
		default:
			c.out.Null()
		}
		return nil
	}
	c.setString(key, val, old, flags&setKeepTTL != 0, at)
	switch {
	case flags&setGet != 0:
	case nxReplies:
		c.out.Int(1)
	default:
		c.out.SimpleString("OK")
	}
	return nil
}

func cmdSetnx(c *Client, args [][]byte) error {
	return c.setGeneric(args[1], args[2], setNX, nil, "setnx", true)
}

func cmdSetex(c *Client, args [][]byte) error {
	return c.setGeneric(args[1], args[3], setEX, args[2], "setex", false)
}

func cmdPsetex(c *Client, args [][]byte) error {
	return c.setGeneric(args[1], args[3], setPX, args[2], "psetex", false)
}

// getString replies with key's string value (or null) and returns its entry;
// it is Redis's getGenericCommand.
func (c *Client) getString(key []byte) (*keyspace.Entry, error) {
	e := c.db.Lookup(key, c.srv.now)
	if e == nil {
		c.out.Null()
		return nil, nil
	}
	if e.Kind != keyspace.KindString {
		return nil, ErrWrongType
	}
	c.out.Bulk(e.Str)
	return e, nil
}

func cmdGetset(c *Client, args [][]byte) error {
	e, err := c.getString(args[1])
	if err != nil {
		return err
	}
	c.setString(args[1], args[2], e, false, 0)
	return nil
}

func cmdGetdel(c *Client, args [][]byte) error {
	e, err := c.getString(args[1])
	if err != nil {
		return err
	}
	if e != nil {
		c.db.Delete(args[1], c.srv.now)
	}
	return nil
}

func cmdGetex(c *Client, args [][]byte) error {
	flags, expArg, err := parseSetOptions(args, 2, true)
	if err != nil {
		return err
	}
	e := c.db.Lookup(args[1], c.srv.now)
	if e == nil {
		c.out.Null()
		return nil
	}
	if e.Kind != keyspace.KindString {
		return ErrWrongType
	}
	var at int64
	if expArg != nil {
		if at, err = c.expireMillis(expArg, flags, "getex"); err != nil {
			return err
		}
	}
	c.out.Bulk(e.Str)
	switch {
	case flags&(setEXAT|setPXAT) != 0 && at <= c.srv.now:
		c.db.Delete(args[1], c.srv.now)
	case expArg != nil:
		c.db.SetExpire(args[1], e, at)
	case flags&setPersist != 0 && e.Expire != 0:
		c.db.SetExpire(args[1], e, 0)
	}
	return nil
}

func cmdMget(c *Client, args [][]byte) error {
	c.out.Array(len(args) - 1)
	for _, k := range args[1:] {
		e := c.db.Lookup(k, c.srv.now)
		if e == nil || e.Kind != keyspace.KindString {
			c.out.Null()
			continue
		}
		c.out.Bulk(e.Str)
	}
	return nil
}

func cmdMset(c *Client, args [][]byte) error {
	if len(args)%2 == 0 {
		return errWrongArity("mset")
	}
	for j := 1; j < len(args); j += 2 {
		c.setString(args[j], args[j+1], c.db.Peek(args[j], c.srv.now), false, 0)
	}
	c.out.SimpleString("OK")
	return nil
}

func cmdMsetnx(c *Client, args [][]byte) error {
	if len(args)%2 == 0 {
		return errWrongArity("msetnx")
	}
	for j := 1; j < len(args); j += 2 {
		if c.db.Peek(args[j], c.srv.now) != nil {
			c.out.Int(0)
			return nil
		}
	}
	for j := 1; j < len(args); j += 2 {
		c.setString(args[j], args[j+1], c.db.Peek(args[j], c.srv.now), false, 0)
	}
	c.out.Int(1)
	return nil
}

// addOverflows reports whether v+by overflows an int64.
func addOverflows(v, by int64) bool {
	return by < 0 && v < 0 && by < math.MinInt64-v || by > 0 && v > 0 && by > math.MaxInt64-v
}

// incrDecr is Redis's incrDecrCommand: the value is updated in place and
// keeps its expiry.
func (c *Client) incrDecr(key []byte, by int64) error {
	e, err := c.stringEntry(key)
	if err != nil {
		return err
	}
	var v int64
	if e != nil {
		var ok bool
		if v, ok = sdk.ParseInt(e.Str); !ok {
			return ErrNotInteger
		}
	}
	if addOverflows(v, by) {
		return ErrOverflow
	}
	v += by
	if e == nil {
		c.db.Set(key, &keyspace.Entry{Kind: keyspace.KindString, Str: strconv.AppendInt(make([]byte, 0, 8), v, 10)})
	} else {
		e.Str = strconv.AppendInt(e.Str[:0], v, 10)
	}
	c.out.Int(v)
	return nil
}

func cmdIncr(c *Client, args [][]byte) error { return c.incrDecr(args[1], 1) }

func cmdDecr(c *Client, args [][]byte) error { return c.incrDecr(args[1], -1) }

func cmdIncrby(c *Client, args [][]byte) error {
	by, ok := sdk.ParseInt(args[2])
	if !ok {
		return ErrNotInteger
	}
	return c.incrDecr(args[1], by)
}

func cmdDecrby(c *Client, args [][]byte) error {
	by, ok := sdk.ParseInt(args[2])
	if !ok {
		return ErrNotInteger
	}
	if by == math.MinInt64 {
		return ErrDecrOverflow
	}
	return c.incrDecr(args[1], -by)
}

func cmdIncrbyfloat(c *Client, args [][]byte) error {
	e, err := c.stringEntry(args[1])
	if err != nil {
		return err
	}
	v := new(big.Float)
	if e != nil {
		var ok bool
		if v, ok = parseLongDouble(e.Str); !ok {
			return ErrNotFloat
		}
	}
	incr, ok := parseLongDouble(args[2])
	if !ok {
		return ErrNotFloat
	}
	sum, ok := addLongDouble(v, incr)
	if !ok {
		return ErrIncrNaNOrInf
	}
	if e == nil {
		c.db.Set(args[1], &keyspace.Entry{Kind: keyspace.KindString, Str: []byte(sum)})
	} else {
		e.Str = append(e.Str[:0], sum...)
	}
	c.out.BulkString(sum)
	return nil
}

func cmdAppend(c *Client, args [][]byte) error {
	e, err := c.stringEntry(args[1])
	if err != nil {
		return err
	}
	if e == nil {
		c.db.Set(args[1], &keyspace.Entry{Kind: keyspace.KindString, Str: append([]byte(nil), args[2]...)})
		c.out.Int(int64(len(args[2])))
		return nil
	}
	if len(e.Str)+len(args[2]) > maxStringLen {
		return ErrStringTooLong
	}
	e.Str = append(e.Str, args[2]...)
	c.out.Int(int64(len(e.Str)))
	return nil
}

func cmdStrlen(c *Client, args [][]byte) error {
	e := c.db.Lookup(args[1], c.srv.now)
	if e == nil {
		c.out.Int(0)
		return nil
	}
	if e.Kind != keyspace.KindString {
		return ErrWrongType
	}
	c.out.Int(int64(len(e.Str)))
	return nil
}

// Long double arithmetic. Redis's INCRBYFLOAT and HINCRBYFLOAT parse with
// strtold, add in C's long double (x87 extended precision on x86-64: a 64-bit
// mantissa and a 15-bit exponent) and print with "%.17Lf", trimming trailing
// zeros. big.Float with 64 bits of precision and round-to-nearest-even
// computes exactly the same values, so "0.1 + 0.2" is "0.3" here as there.
const (
	ldPrec     = 64
	ldMaxChars = 5 * 1024 // Redis's MAX_LONG_DOUBLE_CHARS
	ldMaxExp   = 16384    // big.Float exponent of the largest finite long double
	ldMinExp   = -16444   // below it a value underflows to zero
)

// parseLongDouble parses b as Redis's string2ld does: what strtold accepts
// (decimal or hexadecimal, "inf", "infinity"), the whole string, no leading
// space, not NaN, not overflowing or underflowing a long double.
func parseLongDouble(b []byte) (*big.Float, bool) {
	if len(b) == 0 || len(b) >= ldMaxChars {
		return nil, false
	}
	switch b[0] {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return nil, false
	}
	s := string(b)
	body, neg := s, false
	if body[0] == '+' || body[0] == '-' {
		neg = body[0] == '-'
		body = body[1:]
	}
	if strings.EqualFold(body, "inf") || strings.EqualFold(body, "infinity") {
		return new(big.Float).SetInf(neg), true
	}
	base := 10
	if len(body) > 1 && body[0] == '0' && (body[1]|0x20) == 'x' {
		if strings.IndexByte(body, '_') >= 0 {
			return nil, false
		}
		base = 0 // big.Float reads the 0x prefix and a 'p' exponent
	}
	f, _, err := big.ParseFloat(s, base, ldPrec, big.ToNearestEven)
	if err != nil {
		return nil, false
	}
	if f.Sign() == 0 {
		if mantissaNonZero(body, base == 0) {
			return nil, false // underflowed to zero
		}
	} else if exp := f.MantExp(nil); exp > ldMaxExp || exp < ldMinExp {
		return nil, false
	}
	return f, true
}

// mantissaNonZero reports whether the digits of a number's mantissa (before
// its exponent) are not all zero.
func mantissaNonZero(body string, hex bool) bool {
	if hex {
		body = body[2:]
	}
	for i := 0; i < len(body); i++ {
		switch ch := body[i]; {
		case !hex && (ch == 'e' || ch == 'E'), hex && (ch == 'p' || ch == 'P'):
			return false
		case ch >= '1' && ch <= '9', hex && (ch|0x20) >= 'a' && (ch|0x20) <= 'f':
			return true
		}
	}
	return false
}

// addLongDouble adds in long double precision and formats the sum as Redis
// does; ok is false if the sum is NaN or infinite.
func addLongDouble(a, b *big.Float) (string, bool) {
	if a.IsInf() || b.IsInf() {
		return "", false // inf, or NaN for inf-inf
	}
	z := new(big.Float).SetPrec(ldPrec).SetMode(big.ToNearestEven).Add(a, b)
	if z.Sign() != 0 && z.MantExp(nil) > ldMaxExp {
		return "", false
	}
	return formatLongDouble(z), true
}

// formatLongDouble prints like Redis's ld2string in LD_STR_HUMAN mode:
// "%.17Lf" with trailing zeros (and a trailing point) removed, "-0" as "0".
func formatLongDouble(z *big.Float) string {
	s := z.Text('f', 17)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}
