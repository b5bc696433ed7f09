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
// MSETNX INCR DECR INCRBY DECRBY INCRBYFLOAT APPEND STRLEN GETRANGE SUBSTR
// SETRANGE LCS.

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
		{Name: "getrange", Arity: 4, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Group: "string", Handler: cmdGetrange,
			Summary: "Get a substring of the string stored at a key", Since: "2.4.0"},
		{Name: "substr", Arity: 4, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Group: "string", Handler: cmdGetrange,
			Summary: "Get a substring of the string stored at a key", Since: "1.0.0"},
		{Name: "setrange", Arity: 4, Flags: rw, FirstKey: 1, LastKey: 1, Step: 1, Group: "string", Handler: cmdSetrange,
			Summary: "Overwrite part of a string at key starting at the specified offset", Since: "2.2.0"},
		{Name: "lcs", Arity: -3, Flags: FlagReadonly, FirstKey: 1, LastKey: 2, Step: 1, Group: "string", Handler: cmdLcs,
			Summary: "Find longest common substring", Since: "7.0.0"},
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
	// Overwriting: for Redis a new object replaces the old one, so modules
	// see the Key event "overwritten" (mod_events.go).
	if old != nil && old.Kind == keyspace.KindString && c.db.Overwriting(old) {
		old.Str = copyInto(old.Str, val)
		old.StrEnc = keyspace.StrEncAuto
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
		c.keyModified(args[1])
		c.notify(NotifyString, "set", args[1])
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
	c.keyModified(key)
	c.notify(NotifyString, "set", key)
	if expArg != nil {
		c.notify(NotifyGeneric, "expire", key)
	}
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
	c.keyModified(args[1])
	c.notify(NotifyString, "set", args[1])
	return nil
}

func cmdGetdel(c *Client, args [][]byte) error {
	e, err := c.getString(args[1])
	if err != nil {
		return err
	}
	if e != nil && c.db.Delete(args[1], c.srv.now) {
		c.keyModified(args[1])
		c.notify(NotifyGeneric, "del", args[1])
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
		c.keyModified(args[1])
		c.notify(NotifyGeneric, "del", args[1])
	case expArg != nil:
		c.db.SetExpire(args[1], e, at)
		c.keyModified(args[1])
		c.notify(NotifyGeneric, "expire", args[1])
	case flags&setPersist != 0 && e.Expire != 0:
		c.db.SetExpire(args[1], e, 0)
		c.keyModified(args[1])
		c.notify(NotifyGeneric, "persist", args[1])
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
	c.msetPairs(args)
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
	c.msetPairs(args)
	c.out.Int(1)
	return nil
}

// msetPairs sets the key-value pairs args[1:], each as SET would.
func (c *Client) msetPairs(args [][]byte) {
	for j := 1; j < len(args); j += 2 {
		c.setString(args[j], args[j+1], c.db.Peek(args[j], c.srv.now), false, 0)
		c.keyModified(args[j])
		c.notify(NotifyString, "set", args[j])
	}
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
		e.StrEnc = keyspace.StrEncAuto
	}
	c.keyModified(key)
	c.notify(NotifyString, "incrby", key)
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
	// Redis builds the value with createStringObject: never "int".
	if e == nil {
		c.db.Set(args[1], &keyspace.Entry{Kind: keyspace.KindString, Str: []byte(sum), StrEnc: keyspace.StrEncNoInt})
	} else {
		e.Str = append(e.Str[:0], sum...)
		e.StrEnc = keyspace.StrEncNoInt
	}
	c.keyModified(args[1])
	c.notify(NotifyString, "incrbyfloat", args[1])
	c.out.BulkString(sum)
	return nil
}

func cmdAppend(c *Client, args [][]byte) error {
	e, err := c.stringEntry(args[1])
	if err != nil {
		return err
	}
	if e == nil {
		e = &keyspace.Entry{Kind: keyspace.KindString, Str: append([]byte(nil), args[2]...)}
		c.db.Set(args[1], e)
	} else {
		if len(e.Str)+len(args[2]) > maxStringLen {
			return ErrStringTooLong
		}
		e.Str = append(e.Str, args[2]...)
		e.StrEnc = keyspace.StrEncRaw // appended in place
	}
	c.keyModified(args[1])
	c.notify(NotifyString, "append", args[1])
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

func cmdGetrange(c *Client, args [][]byte) error {
	start, ok := sdk.ParseInt(args[2])
	if !ok {
		return ErrNotInteger
	}
	end, ok := sdk.ParseInt(args[3])
	if !ok {
		return ErrNotInteger
	}
	e := c.db.Lookup(args[1], c.srv.now)
	if e == nil {
		c.out.BulkString("")
		return nil
	}
	if e.Kind != keyspace.KindString {
		return ErrWrongType
	}
	n := int64(len(e.Str))
	if start < 0 && end < 0 && start > end {
		c.out.BulkString("")
		return nil
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start, end = max(start, 0), max(end, 0)
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		c.out.BulkString("")
		return nil
	}
	c.out.Bulk(e.Str[start : end+1])
	return nil
}

// stringFits is Redis's checkStringLength: a string of size bytes may grow
// by grow bytes.
func stringFits(size, grow int64) bool {
	total := int64(uint64(size) + uint64(grow))
	return total <= maxStringLen && total >= size && total >= grow
}

func cmdSetrange(c *Client, args [][]byte) error {
	offset, ok := sdk.ParseInt(args[2])
	if !ok {
		return ErrNotInteger
	}
	if offset < 0 {
		return ErrOffsetRange
	}
	key, val := args[1], args[3]
	e, err := c.stringEntry(key)
	if err != nil {
		return err
	}
	if e == nil {
		if len(val) == 0 {
			c.out.Int(0)
			return nil
		}
		if !stringFits(offset, int64(len(val))) {
			return ErrStringTooLong
		}
		e = &keyspace.Entry{Kind: keyspace.KindString, Str: make([]byte, int(offset)+len(val))}
		c.db.Set(key, e)
	} else {
		if len(val) == 0 {
			c.out.Int(int64(len(e.Str)))
			return nil
		}
		if !stringFits(offset, int64(len(val))) {
			return ErrStringTooLong
		}
		e.Str = growZero(e.Str, int(offset)+len(val))
	}
	copy(e.Str[offset:], val)
	e.StrEnc = keyspace.StrEncRaw // written in place
	c.keyModified(key)
	c.notify(NotifyString, "setrange", key)
	c.out.Int(int64(len(e.Str)))
	return nil
}

// lcsRange is one match of LCS IDX: positions in the first and the second
// string, inclusive.
type lcsRange struct{ aStart, aEnd, bStart, bEnd uint32 }

func cmdLcs(c *Client, args [][]byte) error {
	ea := c.db.Lookup(args[1], c.srv.now)
	eb := c.db.Lookup(args[2], c.srv.now)
	if ea != nil && ea.Kind != keyspace.KindString || eb != nil && eb.Kind != keyspace.KindString {
		return ErrLcsNotStrings
	}
	var a, b []byte
	if ea != nil {
		a = ea.Str
	}
	if eb != nil {
		b = eb.Str
	}
	var getLen, getIdx, withMatchLen bool
	var minMatchLen int64
	for j := 3; j < len(args); j++ {
		opt := args[j]
		more := len(args) - 1 - j
		switch {
		case kwIs(opt, "IDX"):
			getIdx = true
		case kwIs(opt, "LEN"):
			getLen = true
		case kwIs(opt, "WITHMATCHLEN"):
			withMatchLen = true
		case kwIs(opt, "MINMATCHLEN") && more > 0:
			n, ok := sdk.ParseInt(args[j+1])
			if !ok {
				return ErrNotInteger
			}
			minMatchLen = max(n, 0)
			j++
		default:
			return ErrSyntax
		}
	}
	if getIdx && getLen {
		return ErrLcsLenAndIdx
	}
	alen, blen := uint64(len(a)), uint64(len(b))
	if alen >= math.MaxUint32-1 || blen >= math.MaxUint32-1 {
		return ErrLcsTooLong
	}
	if (alen+1)*(blen+1)*4 > maxStringLen {
		return ErrLcsMemory
	}
	// lcs[i*(blen+1)+j] is the length of the LCS of a[:i] and b[:j].
	w := blen + 1
	lcs := make([]uint32, (alen+1)*w)
	for i := uint64(1); i <= alen; i++ {
		row, prev := lcs[i*w:(i+1)*w], lcs[(i-1)*w:i*w]
		ai := a[i-1]
		for j := uint64(1); j <= blen; j++ {
			if ai == b[j-1] {
				row[j] = prev[j-1] + 1
			} else {
				row[j] = max(prev[j], row[j-1])
			}
		}
	}
	total := lcs[alen*w+blen]
	if getLen {
		c.out.Int(int64(total))
		return nil
	}
	// Walk back from the end, building the string and the ranges.
	result := make([]byte, total)
	idx := total
	var ranges []lcsRange
	cur := lcsRange{aStart: uint32(alen)} // aStart == alen: no range open
	i, j := alen, blen
	for i > 0 && j > 0 {
		emit := false
		if a[i-1] == b[j-1] {
			result[idx-1] = a[i-1]
			if uint64(cur.aStart) == alen {
				cur = lcsRange{uint32(i - 1), uint32(i - 1), uint32(j - 1), uint32(j - 1)}
			} else if uint64(cur.aStart) == i && uint64(cur.bStart) == j {
				cur.aStart--
				cur.bStart--
			} else {
				emit = true
			}
			if cur.aStart == 0 || cur.bStart == 0 {
				emit = true
			}
			idx--
			i--
			j--
		} else {
			if lcs[(i-1)*w+j] > lcs[i*w+j-1] {
				i--
			} else {
				j--
			}
			if uint64(cur.aStart) != alen {
				emit = true
			}
		}
		if emit {
			if n := int64(cur.aEnd - cur.aStart + 1); minMatchLen == 0 || n >= minMatchLen {
				ranges = append(ranges, cur)
			}
			cur.aStart = uint32(alen)
		}
	}
	if !getIdx {
		c.out.Bulk(result)
		return nil
	}
	c.out.Map(2)
	c.out.BulkString("matches")
	c.out.Array(len(ranges))
	for _, r := range ranges {
		if withMatchLen {
			c.out.Array(3)
		} else {
			c.out.Array(2)
		}
		c.out.Array(2)
		c.out.Int(int64(r.aStart))
		c.out.Int(int64(r.aEnd))
		c.out.Array(2)
		c.out.Int(int64(r.bStart))
		c.out.Int(int64(r.bEnd))
		if withMatchLen {
			c.out.Int(int64(r.aEnd - r.aStart + 1))
		}
	}
	c.out.BulkString("len")
	c.out.Int(int64(total))
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
