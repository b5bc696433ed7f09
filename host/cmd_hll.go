package host

import (
	"modis/host/internal/hll"
	"modis/host/internal/keyspace"
)

// HyperLogLog commands: PFADD PFCOUNT PFMERGE. A HyperLogLog is a string
// value in Redis's exact representation (see host/internal/hll), so GET,
// SET, DUMP-less copying between Modis and Redis all keep it intact.

func hllCommands() []*Command {
	return []*Command{
		{Name: "pfadd", Arity: -2, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "hyperloglog", Handler: cmdPfadd,
			Summary: "Adds the specified elements to the specified HyperLogLog.", Since: "2.8.9"},
		{Name: "pfcount", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: -1, Step: 1, Group: "hyperloglog", Handler: cmdPfcount,
			Summary: "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).", Since: "2.8.9"},
		{Name: "pfmerge", Arity: -2, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 1, Group: "hyperloglog", Handler: cmdPfmerge,
			Summary: "Merge N different HyperLogLogs into a single one.", Since: "2.8.9"},
	}
}

// hllEntry checks that a live entry holds a HyperLogLog, as Redis's
// isHLLObjectOrReply does.
func hllEntry(e *keyspace.Entry) error {
	if e.Kind != keyspace.KindString {
		return ErrWrongType
	}
	if !hll.Valid(e.Str) {
		return hll.ErrNotHLL
	}
	return nil
}

func cmdPfadd(c *Client, args [][]byte) error {
	key := args[1]
	e := c.db.Peek(key, c.srv.now)
	updated := 0
	if e == nil {
		e = &keyspace.Entry{Kind: keyspace.KindString, Str: hll.New()}
		c.db.Set(key, e)
		updated++
	} else if err := hllEntry(e); err != nil {
		return err
	}
	e.StrEnc = keyspace.StrEncRaw // Redis unshares the value: now "raw"
	for _, ele := range args[2:] {
		var r int
		e.Str, r = hll.Add(e.Str, ele)
		switch r {
		case 1:
			updated++
		case -1:
			return hll.ErrCorrupt
		}
	}
	if updated > 0 {
		hll.Invalidate(e.Str)
		c.keyModified(key)
		c.notify(NotifyString, "pfadd", key)
		c.out.Int(1)
	} else {
		c.out.Int(0)
	}
	return nil
}

func cmdPfcount(c *Client, args [][]byte) error {
	if len(args) > 2 {
		// The cardinality of the union.
		var max [hll.Registers]uint8
		for _, k := range args[1:] {
			e := c.db.Lookup(k, c.srv.now)
			if e == nil {
				continue
			}
			if err := hllEntry(e); err != nil {
				return err
			}
			if !hll.Merge(&max, e.Str) {
				return hll.ErrCorrupt
			}
		}
		c.out.Int(int64(hll.CountRegisters(&max)))
		return nil
	}
	e := c.db.Lookup(args[1], c.srv.now)
	if e == nil {
		c.out.Int(0)
		return nil
	}
	if err := hllEntry(e); err != nil {
		return err
	}
	e.StrEnc = keyspace.StrEncRaw // Redis unshares the value: now "raw"
	card, recomputed, ok := hll.Count(e.Str)
	if !ok {
		return hll.ErrCorrupt
	}
	if recomputed {
		// The cached cardinality in the value changed: as in Redis, that
		// is a modification of the key.
		c.keyModified(args[1])
	}
	c.out.Int(int64(card))
	return nil
}

func cmdPfmerge(c *Client, args [][]byte) error {
	var max [hll.Registers]uint8
	dense := false
	// The destination's own registers take part, as in Redis.
	for _, k := range args[1:] {
		e := c.db.Lookup(k, c.srv.now)
		if e == nil {
			continue
		}
		if err := hllEntry(e); err != nil {
			return err
		}
		if !hll.IsSparse(e.Str) {
			dense = true
		}
		if !hll.Merge(&max, e.Str) {
			return hll.ErrCorrupt
		}
	}
	key := args[1]
	e := c.db.Peek(key, c.srv.now)
	if e == nil {
		e = &keyspace.Entry{Kind: keyspace.KindString, Str: hll.New()}
		c.db.Set(key, e)
	}
	e.StrEnc = keyspace.StrEncRaw
	s, ok := hll.SetRegisters(e.Str, &max, dense)
	if !ok {
		return hll.ErrCorrupt
	}
	e.Str = s
	c.keyModified(key)
	c.notify(NotifyString, "pfadd", key)
	c.out.SimpleString("OK")
	return nil
}
