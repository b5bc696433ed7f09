package host

import (
	"math"

	"modis/sdk"
)

// Generic key commands: DEL UNLINK EXISTS TOUCH TYPE KEYS EXPIRE PEXPIRE
// EXPIREAT PEXPIREAT TTL PTTL EXPIRETIME PEXPIRETIME PERSIST RENAME RENAMENX.

func keyCommands() []*Command {
	const ro = FlagReadonly | FlagFast
	const wf = FlagWrite | FlagFast
	return []*Command{
		{Name: "del", Arity: -2, Flags: FlagWrite, FirstKey: 1, LastKey: -1, Step: 1, Group: "generic", Handler: cmdDel,
			Summary: "Deletes one or more keys.", Since: "1.0.0"},
		{Name: "unlink", Arity: -2, Flags: wf, FirstKey: 1, LastKey: -1, Step: 1, Group: "generic", Handler: cmdDel,
			Summary: "Asynchronously deletes one or more keys.", Since: "4.0.0"},
		{Name: "exists", Arity: -2, Flags: ro, FirstKey: 1, LastKey: -1, Step: 1, Group: "generic", Handler: cmdExists,
			Summary: "Determines whether one or more keys exist.", Since: "1.0.0"},
		{Name: "touch", Arity: -2, Flags: ro, FirstKey: 1, LastKey: -1, Step: 1, Group: "generic", Handler: cmdExists,
			Summary: "Returns the number of existing keys out of those specified after updating the time they were last accessed.", Since: "3.2.1"},
		{Name: "type", Arity: 2, Flags: ro, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic", Handler: cmdType,
			Summary: "Determines the type of value stored at a key.", Since: "1.0.0"},
		{Name: "keys", Arity: 2, Flags: FlagReadonly, Group: "generic", Handler: cmdKeys,
			Summary: "Returns all key names that match a pattern.", Since: "1.0.0"},
		{Name: "expire", Arity: -3, Flags: wf, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic", Handler: expireHandler("expire", false, true),
			Summary: "Sets the expiration time of a key in seconds.", Since: "1.0.0"},
		{Name: "pexpire", Arity: -3, Flags: wf, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic", Handler: expireHandler("pexpire", false, false),
			Summary: "Sets the expiration time of a key in milliseconds.", Since: "2.6.0"},
		{Name: "expireat", Arity: -3, Flags: wf, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic", Handler: expireHandler("expireat", true, true),
			Summary: "Sets the expiration time of a key to a Unix timestamp.", Since: "1.2.0"},
		{Name: "pexpireat", Arity: -3, Flags: wf, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic", Handler: expireHandler("pexpireat", true, false),
			Summary: "Sets the expiration time of a key to a Unix milliseconds timestamp.", Since: "2.6.0"},
		{Name: "ttl", Arity: 2, Flags: ro, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic", Handler: ttlHandler(false, false),
			Summary: "Returns the expiration time in seconds of a key.", Since: "1.0.0"},
		{Name: "pttl", Arity: 2, Flags: ro, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic", Handler: ttlHandler(true, false),
			Summary: "Returns the expiration time in milliseconds of a key.", Since: "2.6.0"},
		{Name: "expiretime", Arity: 2, Flags: ro, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic", Handler: ttlHandler(false, true),
			Summary: "Returns the expiration time of a key as a Unix timestamp.", Since: "7.0.0"},
		{Name: "pexpiretime", Arity: 2, Flags: ro, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic", Handler: ttlHandler(true, true),
			Summary: "Returns the expiration time of a key as a Unix milliseconds timestamp.", Since: "7.0.0"},
		{Name: "persist", Arity: 2, Flags: wf, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic", Handler: cmdPersist,
			Summary: "Removes the expiration time of a key.", Since: "2.2.0"},
		{Name: "rename", Arity: 3, Flags: FlagWrite, FirstKey: 1, LastKey: 2, Step: 1, Group: "generic", Handler: renameHandler(false),
			Summary: "Renames a key and overwrites the destination.", Since: "1.0.0"},
		{Name: "renamenx", Arity: 3, Flags: wf, FirstKey: 1, LastKey: 2, Step: 1, Group: "generic", Handler: renameHandler(true),
			Summary: "Renames a key only when the target key name doesn't exist.", Since: "1.0.0"},
	}
}

// cmdDel is DEL and UNLINK (which frees in the background in Redis; Go's
// collector does that here). A key named twice is deleted and counted once.
func cmdDel(c *Client, args [][]byte) error {
	n := 0
	for _, k := range args[1:] {
		if c.db.Delete(k, c.srv.now) {
			n++
		}
	}
	c.out.Int(int64(n))
	return nil
}

// cmdExists is EXISTS and TOUCH: a key named twice counts twice.
func cmdExists(c *Client, args [][]byte) error {
	n := 0
	for _, k := range args[1:] {
		if c.db.Lookup(k, c.srv.now) != nil {
			n++
		}
	}
	c.out.Int(int64(n))
	return nil
}

func cmdType(c *Client, args [][]byte) error {
	e := c.db.Lookup(args[1], c.srv.now)
	if e == nil {
		c.out.SimpleString("none")
		return nil
	}
	c.out.SimpleString(e.Kind.String())
	return nil
}

func cmdKeys(c *Client, args [][]byte) error {
	keys := c.db.Keys(string(args[1]), c.srv.now)
	c.out.Array(len(keys))
	for _, k := range keys {
		c.out.BulkString(k)
	}
	return nil
}

// EXPIRE option flags.
const (
	expireNX = 1 << iota
	expireXX
	expireGT
	expireLT
)

// expireHandler builds EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT: Redis's
// expireGenericCommand, with its NX XX GT LT options.
func expireHandler(name string, absolute, seconds bool) HandlerFunc {
	return func(c *Client, args [][]byte) error {
		flags := 0
		for _, opt := range args[3:] {
			switch {
			case kwIs(opt, "NX"):
				flags |= expireNX
			case kwIs(opt, "XX"):
				flags |= expireXX
			case kwIs(opt, "GT"):
				flags |= expireGT
			case kwIs(opt, "LT"):
				flags |= expireLT
			default:
				return errUnsupportedOption(opt)
			}
		}
		if flags&expireNX != 0 && flags&(expireXX|expireGT|expireLT) != 0 {
			return ErrExpireNXAndOthers
		}
		if flags&expireGT != 0 && flags&expireLT != 0 {
			return ErrExpireGTAndLT
		}
		when, ok := sdk.ParseInt(args[2])
		if !ok {
			return ErrNotInteger
		}
		if seconds {
			if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
				return errInvalidExpire(name)
			}
			when *= 1000
		}
		var base int64
		if !absolute {
			base = c.srv.now
		}
		if when > math.MaxInt64-base {
			return errInvalidExpire(name)
		}
		when += base

		e := c.db.Peek(args[1], c.srv.now)
		if e == nil {
			c.out.Int(0)
			return nil
		}
		cur := e.Expire // 0: no expiry, an infinite TTL
		switch {
		case flags&expireNX != 0 && cur != 0,
			flags&expireXX != 0 && cur == 0,
			flags&expireGT != 0 && (cur == 0 || when <= cur),
			flags&expireLT != 0 && cur != 0 && when >= cur:
			c.out.Int(0)
			return nil
		}
		if when <= c.srv.now {
			c.db.Delete(args[1], c.srv.now)
		} else {
			c.db.SetExpire(args[1], e, when)
		}
		c.out.Int(1)
		return nil
	}
}

// ttlHandler builds TTL, PTTL, EXPIRETIME and PEXPIRETIME: -2 for a missing
// key, -1 for one without expiry; seconds are rounded to the nearest.
func ttlHandler(millis, absolute bool) HandlerFunc {
	return func(c *Client, args [][]byte) error {
		e := c.db.Lookup(args[1], c.srv.now)
		if e == nil {
			c.out.Int(-2)
			return nil
		}
		if e.Expire == 0 {
			c.out.Int(-1)
			return nil
		}
		t := e.Expire
		if !absolute {
			t = max(t-c.srv.now, 0)
		}
		if !millis {
			t = (t + 500) / 1000
		}
		c.out.Int(t)
		return nil
	}
}

func cmdPersist(c *Client, args [][]byte) error {
	e := c.db.Peek(args[1], c.srv.now)
	if e == nil || e.Expire == 0 {
		c.out.Int(0)
		return nil
	}
	c.db.SetExpire(args[1], e, 0)
	c.out.Int(1)
	return nil
}

// renameHandler builds RENAME and RENAMENX: the value moves with its expiry.
func renameHandler(nx bool) HandlerFunc {
	return func(c *Client, args [][]byte) error {
		src, dst := args[1], args[2]
		e := c.db.Peek(src, c.srv.now)
		if e == nil {
			return ErrNoSuchKey
		}
		if string(src) == string(dst) {
			if nx {
				c.out.Int(0)
			} else {
				c.out.SimpleString("OK")
			}
			return nil
		}
		if nx && c.db.Peek(dst, c.srv.now) != nil {
			c.out.Int(0)
			return nil
		}
		c.db.Delete(src, c.srv.now)
		c.db.Set(dst, e)
		if nx {
			c.out.Int(1)
		} else {
			c.out.SimpleString("OK")
		}
		return nil
	}
}
