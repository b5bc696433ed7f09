package host

import (
	"fmt"
	"math"
	"reflect"
	"strings"

	"modis/host/internal/glob"
	"modis/host/internal/keyspace"
	"modis/host/internal/types"
	"modis/sdk"
)

// Generic key commands: DEL UNLINK EXISTS TOUCH TYPE KEYS EXPIRE PEXPIRE
// EXPIREAT PEXPIREAT TTL PTTL EXPIRETIME PEXPIRETIME PERSIST RENAME RENAMENX
// SCAN RANDOMKEY COPY MOVE SWAPDB.

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
		{Name: "touch", Arity: -2, Flags: ro, FirstKey: 1, LastKey: -1, Step: 1, Group: "generic", Handler: cmdTouch,
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
		{Name: "scan", Arity: -2, Flags: FlagReadonly, Group: "generic", Handler: cmdScan,
			Summary: "Incrementally iterate the keys space", Since: "2.8.0"},
		{Name: "randomkey", Arity: 1, Flags: FlagReadonly, Group: "generic", Handler: cmdRandomkey,
			Summary: "Return a random key from the keyspace", Since: "1.0.0"},
		{Name: "copy", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1, Group: "generic", Handler: cmdCopy,
			Summary: "Copy a key", Since: "6.2.0"},
		{Name: "move", Arity: 3, Flags: wf, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic", Handler: cmdMove,
			Summary: "Move a key to another database", Since: "1.0.0"},
		{Name: "swapdb", Arity: 3, Flags: wf, Group: "server", Handler: cmdSwapdb,
			Summary: "Swaps two Redis databases", Since: "4.0.0"},
	}
}

// cmdDel is DEL and UNLINK (which frees in the background in Redis; Go's
// collector does that here). A key named twice is deleted and counted once.
func cmdDel(c *Client, args [][]byte) error {
	n := 0
	for _, k := range args[1:] {
		rel := c.srv.moduleDeleting(c.db, k) // a module value's Unlink, then Free (mod_type_cmds.go)
		if c.db.Delete(k, c.srv.now) {
			rel.done(c.cur != nil && c.cur.Name == "unlink")
			c.keyModified(k)
			c.notify(NotifyGeneric, "del", k)
			n++
		}
	}
	c.out.Int(int64(n))
	return nil
}

// cmdExists is EXISTS: a key named twice counts twice. It does not count as
// an access (LOOKUP_NOTOUCH).
func cmdExists(c *Client, args [][]byte) error {
	n := 0
	for _, k := range args[1:] {
		if c.db.LookupNoTouch(k, c.srv.now) != nil {
			n++
		}
	}
	c.out.Int(int64(n))
	return nil
}

// cmdTouch is TOUCH: EXISTS that records an access (LRU/LFU).
func cmdTouch(c *Client, args [][]byte) error {
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
	e := c.db.LookupNoTouch(args[1], c.srv.now)
	if e == nil {
		c.out.SimpleString("none")
		return nil
	}
	c.out.SimpleString(entryTypeName(e))
	return nil
}

// entryTypeName is the name TYPE reports and SCAN TYPE matches: the kind,
// or a module value's 9-character type name, as Redis's getObjectTypeName.
func entryTypeName(e *keyspace.Entry) string {
	if e.Kind == keyspace.KindModule {
		return moduleTypeName(e)
	}
	return e.Kind.String()
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
			c.keyModified(args[1])
			c.notify(NotifyGeneric, "del", args[1])
		} else {
			c.db.SetExpire(args[1], e, when)
			c.keyModified(args[1])
			c.notify(NotifyGeneric, "expire", args[1])
		}
		c.out.Int(1)
		return nil
	}
}

// ttlHandler builds TTL, PTTL, EXPIRETIME and PEXPIRETIME: -2 for a missing
// key, -1 for one without expiry; seconds are rounded to the nearest.
func ttlHandler(millis, absolute bool) HandlerFunc {
	return func(c *Client, args [][]byte) error {
		e := c.db.LookupNoTouch(args[1], c.srv.now)
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
	c.keyModified(args[1])
	c.notify(NotifyGeneric, "persist", args[1])
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
		c.db.Delete(dst, c.srv.now) // RENAME deletes, then adds: "new" fires as in Redis
		c.db.Set(dst, e)
		c.keyModified(src)
		c.keyModified(dst)
		c.notify(NotifyGeneric, "rename_from", src)
		c.notify(NotifyGeneric, "rename_to", dst)
		if blockable(e.Kind) {
			c.keyReady(dst)
		}
		if nx {
			c.out.Int(1)
		} else {
			c.out.SimpleString("OK")
		}
		return nil
	}
}

// blockable reports whether clients can block on a key of kind k (lists and
// sorted sets): a command that adds such a key signals it ready, as Redis's
// dbAdd does.
func blockable(k keyspace.Kind) bool {
	return k == keyspace.KindList || k == keyspace.KindZSet
}

// cmdScan is SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]. The
// cursor walks the keyspace's dense key slice from the top down (see
// keyspace.DB.Scan): every key present for a whole scan is returned at
// least once. Expired keys found are deleted, not returned.
func cmdScan(c *Client, args [][]byte) error {
	a, err := parseScan(args, 1, true)
	if err != nil {
		return err
	}
	now := c.srv.now
	var found []*keyspace.Entry
	next := c.db.Scan(a.cursor, a.count, func(e *keyspace.Entry) { found = append(found, e) })
	keys := make([][]byte, 0, len(found))
	for _, e := range found {
		name := e.Key()
		if a.match != "" && !glob.Match(a.match, name, false) {
			continue
		}
		if a.typ != "" {
			// Redis reads the type with a lookup (stats, lazy expiry) and
			// compares it case-insensitively.
			le := c.db.LookupNoTouch([]byte(name), now)
			if le == nil || !strings.EqualFold(entryTypeName(le), a.typ) {
				continue
			}
		}
		if c.db.PeekNoTouch([]byte(name), now) == nil { // expired: deleted now
			continue
		}
		keys = append(keys, []byte(name))
	}
	writeScanReply(c, next, keys)
	return nil
}

func cmdRandomkey(c *Client, _ [][]byte) error {
	k, ok := c.db.RandomKey(c.srv.now)
	if !ok {
		c.out.Null()
		return nil
	}
	c.out.BulkString(k)
	return nil
}

// parseDBIndex parses a database number as getIntFromObjectOrReply does
// and checks it as selectDb does.
func (c *Client) parseDBIndex(b []byte) (int, error) {
	n, ok := keyspace.ParseStrictInt(b)
	if !ok {
		return 0, ErrNotInteger
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return 0, ErrNotInt32
	}
	if n < 0 || n >= int64(len(c.srv.dbs)) {
		return 0, ErrDBIndex
	}
	return int(n), nil
}

// cmdCopy is COPY source destination [DB destination-db] [REPLACE].
func cmdCopy(c *Client, args [][]byte) error {
	dst := c.db
	replace := false
	for j := 3; j < len(args); j++ {
		switch {
		case kwIs(args[j], "REPLACE"):
			replace = true
		case kwIs(args[j], "DB") && j+1 < len(args):
			id, err := c.parseDBIndex(args[j+1])
			if err != nil {
				return err
			}
			dst = c.srv.dbs[id]
			j++
		default:
			return ErrSyntax
		}
	}
	src, dkey := args[1], args[2]
	if dst == c.db && string(src) == string(dkey) {
		return ErrSameObject
	}
	now := c.srv.now
	e := c.db.Lookup(src, now)
	if e == nil {
		c.out.Int(0)
		return nil
	}
	if dst.Peek(dkey, now) != nil && !replace {
		c.out.Int(0)
		return nil
	}
	ne, err := c.copyEntry(e, src, dkey, dst) // module values through their type's Copy
	if err != nil {
		return err
	}
	dst.Delete(dkey, now)
	dst.Set(dkey, ne)
	c.srv.keyModified(c, dst, dkey)
	c.srv.notifyAll(NotifyGeneric, "copy_to", dkey, dst.ID)
	if blockable(ne.Kind) {
		c.srv.signalKeyReady(dst, dkey)
	}
	c.out.Int(1)
	return nil
}

// cloneEntry deep-copies an entry for COPY: strings here, every other kind
// through its value's Clone method, whatever type that returns (the value
// types live in host/internal/types and grow independently of this file).
func cloneEntry(e *keyspace.Entry) (*keyspace.Entry, error) {
	ne := &keyspace.Entry{Kind: e.Kind, Expire: e.Expire}
	if e.Kind == keyspace.KindString {
		ne.Str = append(make([]byte, 0, len(e.Str)), e.Str...)
		ne.StrEnc = e.StrEnc
		if e.StrEncoding() == "int" {
			ne.StrEnc = keyspace.StrEncIntDup // dupStringObject: int, unshared
		}
		return ne, nil
	}
	obj, ok := cloneValue(e.Obj)
	if !ok {
		if e.Kind == keyspace.KindModule {
			return nil, ErrCopyModuleValue
		}
		return nil, fmt.Errorf("ERR cannot copy a value of type %s", e.Kind)
	}
	ne.Obj = obj
	return ne, nil
}

// cloneValue calls v's Clone method: the value types' own, Clone() any, or
// by reflection any Clone() with no arguments and one result, so a value
// type added later is copied without a change here.
func cloneValue(v any) (any, bool) {
	switch v := v.(type) {
	case *types.Hash:
		return v.Clone(), true
	case *types.List:
		return v.Clone(), true
	case *types.Set:
		return v.Clone(), true
	case *types.ZSet:
		return v.Clone(), true
	case interface{ Clone() any }:
		return v.Clone(), true
	}
	if v == nil {
		return nil, false
	}
	m := reflect.ValueOf(v).MethodByName("Clone")
	if !m.IsValid() || m.Type().NumIn() != 0 || m.Type().NumOut() != 1 {
		return nil, false
	}
	return m.Call(nil)[0].Interface(), true
}

// cmdMove is MOVE key db.
func cmdMove(c *Client, args [][]byte) error {
	id, err := c.parseDBIndex(args[2])
	if err != nil {
		return err
	}
	dst := c.srv.dbs[id]
	if dst == c.db {
		return ErrSameObject
	}
	key := args[1]
	e := c.db.Peek(key, c.srv.now)
	if !c.db.Move(key, dst, c.srv.now) {
		c.out.Int(0)
		return nil
	}
	c.keyModified(key)
	c.srv.keyModified(c, dst, key)
	c.notify(NotifyGeneric, "move_from", key)
	c.srv.notifyAll(NotifyGeneric, "move_to", key, dst.ID)
	if blockable(e.Kind) {
		c.srv.signalKeyReady(dst, key)
	}
	c.out.Int(1)
	return nil
}

// cmdSwapdb is SWAPDB index1 index2: the databases' contents change places;
// clients, their WATCHed keys and their blocking waits stay with the
// database numbers.
func cmdSwapdb(c *Client, args [][]byte) error {
	s := c.srv
	a, ok1 := keyspace.ParseStrictInt(args[1])
	if !ok1 || a < math.MinInt32 || a > math.MaxInt32 {
		return ErrFirstDBIndex
	}
	b, ok2 := keyspace.ParseStrictInt(args[2])
	if !ok2 || b < math.MinInt32 || b > math.MaxInt32 {
		return ErrSecondDBIndex
	}
	n := int64(len(s.dbs))
	if a < 0 || a >= n || b < 0 || b >= n {
		return ErrDBIndex
	}
	if a != b {
		db1, db2 := s.dbs[a], s.dbs[b]
		s.touchWatchedSwap(db1, db2)
		s.touchWatchedSwap(db2, db1)
		db1.Swap(db2)
		s.scanReadyKeys(db1)
		s.scanReadyKeys(db2)
	}
	s.evSwapDB(int(a), int(b)) // modules' SwapDB event (mod_events.go)
	s.dirty++
	c.out.SimpleString("OK")
	return nil
}

// touchWatchedSwap is Redis's touchAllWatchedKeysInDb(emptied,
// replacedWith): clients watching a key of emptied that exists there or in
// replacedWith see their transaction fail.
func (s *Server) touchWatchedSwap(emptied, replacedWith *keyspace.DB) {
	for rk, cs := range s.watched {
		if rk.db != emptied {
			continue
		}
		k := []byte(rk.key)
		if emptied.RawLookup(k) == nil && replacedWith.RawLookup(k) == nil {
			continue
		}
		for _, cl := range cs {
			cl.watchDirty = true
		}
	}
}

// scanReadyKeys is scanDatabaseForReadyKeys: after a swap, the keys clients
// block on in db may exist now.
func (s *Server) scanReadyKeys(db *keyspace.DB) {
	for rk := range s.blocked {
		if rk.db != db {
			continue
		}
		if e := db.PeekNoTouch([]byte(rk.key), s.now); e != nil && blockable(e.Kind) {
			s.signalKeyReady(db, []byte(rk.key))
		}
	}
}
