package host

import (
	"errors"
	"strings"

	"modis/host/internal/rdb"
	"modis/sdk"
)

// DUMP and RESTORE: a value serialized in Redis's RDB format, so payloads
// move between Redis and Modis.

var (
	errBadDumpPayload = errors.New("ERR DUMP payload version or checksum are wrong")
	errBadDataFormat  = errors.New("ERR Bad data format")
	errBusyKey        = errors.New("BUSYKEY Target key name already exists.")
	errInvalidTTL     = errors.New("ERR Invalid TTL value, must be >= 0")
	errInvalidIdle    = errors.New("ERR Invalid IDLETIME value, must be >= 0")
	errInvalidFreq    = errors.New("ERR Invalid FREQ value, must be >= 0 and <= 255")
)

func dumpCommands() []*Command {
	return []*Command{
		{Name: "dump", Arity: 2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic", Handler: cmdDump,
			Summary: "Returns a serialized representation of the value stored at a key.", Since: "2.6.0"},
		{Name: "restore", Arity: -4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic", Handler: cmdRestore,
			Summary: "Creates a key from the serialized representation of a value.", Since: "2.6.0"},
	}
}

func cmdDump(c *Client, args [][]byte) error {
	e := c.db.Lookup(args[1], c.srv.now)
	if e == nil {
		c.out.Null()
		return nil
	}
	p, err := rdb.DumpValue(e, c.srv.rdbCompression())
	if err != nil {
		return errors.New("ERR " + err.Error())
	}
	c.out.Bulk(p)
	return nil
}

func cmdRestore(c *Client, args [][]byte) error {
	key := args[1]
	replace, absTTL := false, false
	idle, freq := int64(-1), int64(-1)
	for i := 4; i < len(args); i++ {
		opt := strings.ToUpper(string(args[i]))
		switch {
		case opt == "REPLACE":
			replace = true
		case opt == "ABSTTL":
			absTTL = true
		case opt == "IDLETIME" && i+1 < len(args) && freq == -1:
			n, ok := sdk.ParseInt(args[i+1])
			if !ok {
				return ErrNotInteger
			}
			if n < 0 {
				return errInvalidIdle
			}
			idle = n
			i++
		case opt == "FREQ" && i+1 < len(args) && idle == -1:
			n, ok := sdk.ParseInt(args[i+1])
			if !ok {
				return ErrNotInteger
			}
			if n < 0 || n > 255 {
				return errInvalidFreq
			}
			freq = n
			i++
		default:
			return ErrSyntax
		}
	}
	if !replace && c.db.Peek(key, c.srv.now) != nil {
		return errBusyKey
	}
	ttl, ok := sdk.ParseInt(args[2])
	if !ok {
		return ErrNotInteger
	}
	if ttl < 0 {
		return errInvalidTTL
	}
	if err := rdb.CheckPayload(args[3], !c.srv.rdbChecksum()); err != nil {
		return errBadDumpPayload
	}
	ent, err := rdb.RestoreValue(args[3], nil)
	if err != nil {
		return errBadDataFormat
	}
	if ttl > 0 && !absTTL {
		ttl += c.srv.now
	}
	deleted := false
	if replace {
		deleted = c.db.Delete(key, c.srv.now)
	}
	if ttl > 0 && ttl <= c.srv.now {
		// Already expired: the key is not created (deleting what REPLACE
		// replaced), as Redis does.
		if deleted {
			c.keyModified(key)
			c.notify(NotifyGeneric, "del", key)
		}
		c.out.SimpleString("OK")
		return nil
	}
	ent.Expire = ttl
	c.db.Set(key, ent)
	c.db.SetAccess(ent, c.srv.now, idle, freq) // IDLETIME or FREQ, by the policy
	c.keyModified(key)
	c.notify(NotifyGeneric, "restore", key)
	c.keyReady(key)
	c.out.SimpleString("OK")
	return nil
}
