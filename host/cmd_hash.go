package host

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"

	"modis/host/internal/keyspace"
	"modis/host/internal/types"
	"modis/sdk"
)

// Hash commands: HSET HMSET HSETNX HGET HMGET HDEL HLEN HEXISTS HGETALL
// HKEYS HVALS HINCRBY HINCRBYFLOAT HSTRLEN HRANDFIELD HSCAN.

func hashCommands() []*Command {
	const rw = FlagWrite | FlagDenyOOM | FlagFast
	const ro = FlagReadonly | FlagFast
	return []*Command{
		{Name: "hset", Arity: -4, Flags: rw, FirstKey: 1, LastKey: 1, Step: 1, Group: "hash", Handler: cmdHset,
			Summary: "Creates or modifies the value of a field in a hash.", Since: "2.0.0"},
		{Name: "hmset", Arity: -4, Flags: rw, FirstKey: 1, LastKey: 1, Step: 1, Group: "hash", Handler: cmdHmset,
			Summary: "Sets the values of multiple fields.", Since: "2.0.0"},
		{Name: "hsetnx", Arity: 4, Flags: rw, FirstKey: 1, LastKey: 1, Step: 1, Group: "hash", Handler: cmdHsetnx,
			Summary: "Sets the value of a field in a hash only when the field doesn't exist.", Since: "2.0.0"},
		{Name: "hget", Arity: 3, Flags: ro, FirstKey: 1, LastKey: 1, Step: 1, Group: "hash", Handler: cmdHget,
			Summary: "Returns the value of a field in a hash.", Since: "2.0.0"},
		{Name: "hmget", Arity: -3, Flags: ro, FirstKey: 1, LastKey: 1, Step: 1, Group: "hash", Handler: cmdHmget,
			Summary: "Returns the values of all fields in a hash.", Since: "2.0.0"},
		{Name: "hdel", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "hash", Handler: cmdHdel,
			Summary: "Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.", Since: "2.0.0"},
		{Name: "hlen", Arity: 2, Flags: ro, FirstKey: 1, LastKey: 1, Step: 1, Group: "hash", Handler: cmdHlen,
			Summary: "Returns the number of fields in a hash.", Since: "2.0.0"},
		{Name: "hexists", Arity: 3, Flags: ro, FirstKey: 1, LastKey: 1, Step: 1, Group: "hash", Handler: cmdHexists,
			Summary: "Determines whether a field exists in a hash.", Since: "2.0.0"},
		{Name: "hgetall", Arity: 2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Group: "hash", Handler: cmdHgetall,
			Summary: "Returns all fields and values in a hash.", Since: "2.0.0"},
		{Name: "hkeys", Arity: 2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Group: "hash", Handler: cmdHkeys,
			Summary: "Returns all fields in a hash.", Since: "2.0.0"},
		{Name: "hvals", Arity: 2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Group: "hash", Handler: cmdHvals,
			Summary: "Returns all values in a hash.", Since: "2.0.0"},
		{Name: "hincrby", Arity: 4, Flags: rw, FirstKey: 1, LastKey: 1, Step: 1, Group: "hash", Handler: cmdHincrby,
			Summary: "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist.", Since: "2.0.0"},
		{Name: "hincrbyfloat", Arity: 4, Flags: rw, FirstKey: 1, LastKey: 1, Step: 1, Group: "hash", Handler: cmdHincrbyfloat,
			Summary: "Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn't exist.", Since: "2.6.0"},
		{Name: "hstrlen", Arity: 3, Flags: ro, FirstKey: 1, LastKey: 1, Step: 1, Group: "hash", Handler: cmdHstrlen,
			Summary: "Returns the length of the value of a field.", Since: "3.2.0"},
		{Name: "hrandfield", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Group: "hash", Handler: cmdHrandfield,
			Summary: "Get one or multiple random fields from a hash", Since: "6.2.0"},
		{Name: "hscan", Arity: -3, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Group: "hash", Handler: cmdHscan,
			Summary: "Incrementally iterate hash fields and associated values", Since: "2.8.0"},
	}
}

// readHash returns key's hash for a read command (counting a keyspace hit or
// miss): nil if the key is missing, ErrWrongType if it is not a hash.
func (c *Client) readHash(key []byte) (*types.Hash, error) {
	return valueOf[*types.Hash](c, key, keyspace.KindHash, true)
}

// writeHash returns key's hash for a write command: nil if the key is
// missing, ErrWrongType if it is not a hash.
func (c *Client) writeHash(key []byte) (*types.Hash, error) {
	return valueOf[*types.Hash](c, key, keyspace.KindHash, false)
}

// createHash stores a new empty hash under key and returns it.
func (c *Client) createHash(key []byte) *types.Hash {
	h := types.NewHash()
	c.db.Set(key, &keyspace.Entry{Kind: keyspace.KindHash, Obj: h})
	return h
}

// hsetPairs sets the field-value pairs args[2:] of the hash at args[1],
// creating it, and returns how many fields are new.
func (c *Client) hsetPairs(args [][]byte, name string) (int, error) {
	if len(args)%2 != 0 {
		return 0, errWrongArity(name)
	}
	h, err := c.writeHash(args[1])
	if err != nil {
		return 0, err
	}
	if h == nil {
		h = c.createHash(args[1])
	}
	added := 0
	for i := 2; i < len(args); i += 2 {
		if h.Set(args[i], args[i+1]) {
			added++
		}
	}
	return added, nil
}

func cmdHset(c *Client, args [][]byte) error {
	n, err := c.hsetPairs(args, "hset")
	if err != nil {
		return err
	}
	c.keyModified(args[1])
	c.notify(NotifyHash, "hset", args[1])
	c.out.Int(int64(n))
	return nil
}

func cmdHmset(c *Client, args [][]byte) error {
	if _, err := c.hsetPairs(args, "hmset"); err != nil {
		return err
	}
	c.keyModified(args[1])
	c.notify(NotifyHash, "hset", args[1])
	c.out.SimpleString("OK")
	return nil
}

func cmdHsetnx(c *Client, args [][]byte) error {
	h, err := c.writeHash(args[1])
	if err != nil {
		return err
	}
	if h == nil {
		h = c.createHash(args[1])
	} else if _, ok := h.Get(args[2]); ok {
		c.out.Int(0)
		return nil
	}
	h.Set(args[2], args[3])
	c.keyModified(args[1])
	c.notify(NotifyHash, "hset", args[1])
	c.out.Int(1)
	return nil
}

func cmdHget(c *Client, args [][]byte) error {
	h, err := c.readHash(args[1])
	if err != nil {
		return err
	}
	if h != nil {
		if v, ok := h.Get(args[2]); ok {
			c.out.Bulk(v)
			return nil
		}
	}
	c.out.Null()
	return nil
}

func cmdHmget(c *Client, args [][]byte) error {
	h, err := c.readHash(args[1])
	if err != nil {
		return err
	}
	c.out.Array(len(args) - 2)
	for _, f := range args[2:] {
		if h != nil {
			if v, ok := h.Get(f); ok {
				c.out.Bulk(v)
				continue
			}
		}
		c.out.Null()
	}
	return nil
}

func cmdHdel(c *Client, args [][]byte) error {
	h, err := c.writeHash(args[1])
	if err != nil || h == nil {
		if err == nil {
			c.out.Int(0)
		}
		return err
	}
	n, removed := 0, false
	for _, f := range args[2:] {
		if h.Delete(f) {
			n++
			if h.Len() == 0 {
				c.db.Delete(args[1], c.srv.now)
				removed = true
				break
			}
		}
	}
	if n > 0 {
		c.keyModified(args[1])
		c.notify(NotifyHash, "hdel", args[1])
		if removed {
			c.notify(NotifyGeneric, "del", args[1])
		}
	}
	c.out.Int(int64(n))
	return nil
}

func cmdHlen(c *Client, args [][]byte) error {
	h, err := c.readHash(args[1])
	if err != nil {
		return err
	}
	n := 0
	if h != nil {
		n = h.Len()
	}
	c.out.Int(int64(n))
	return nil
}

func cmdHexists(c *Client, args [][]byte) error {
	h, err := c.readHash(args[1])
	if err != nil {
		return err
	}
	n := int64(0)
	if h != nil {
		if _, ok := h.Get(args[2]); ok {
			n = 1
		}
	}
	c.out.Int(n)
	return nil
}

// hashAll replies with a hash's fields and/or values: a map of both for
// HGETALL (a flat array in RESP2), an array of one for HKEYS and HVALS.
func (c *Client) hashAll(key []byte, fields, values bool) error {
	h, err := c.readHash(key)
	if err != nil {
		return err
	}
	n := 0
	if h != nil {
		n = h.Len()
	}
	if fields && values {
		c.out.Map(n)
	} else {
		c.out.Array(n)
	}
	if h == nil {
		return nil
	}
	out := c.out
	h.Range(func(f, v []byte) bool {
		if fields {
			out.Bulk(f)
		}
		if values {
			out.Bulk(v)
		}
		return true
	})
	return nil
}

func cmdHgetall(c *Client, args [][]byte) error { return c.hashAll(args[1], true, true) }

func cmdHkeys(c *Client, args [][]byte) error { return c.hashAll(args[1], true, false) }

func cmdHvals(c *Client, args [][]byte) error { return c.hashAll(args[1], false, true) }

func cmdHincrby(c *Client, args [][]byte) error {
	by, ok := sdk.ParseInt(args[3])
	if !ok {
		return ErrNotInteger
	}
	h, err := c.writeHash(args[1])
	if err != nil {
		return err
	}
	var v int64
	if h != nil {
		if cur, found := h.Get(args[2]); found {
			if v, ok = sdk.ParseInt(cur); !ok {
				return ErrHashNotInt
			}
		}
	}
	if addOverflows(v, by) {
		return ErrOverflow
	}
	v += by
	if h == nil {
		h = c.createHash(args[1])
	}
	var tmp [24]byte
	h.Set(args[2], strconv.AppendInt(tmp[:0], v, 10))
	c.keyModified(args[1])
	c.notify(NotifyHash, "hincrby", args[1])
	c.out.Int(v)
	return nil
}

func cmdHincrbyfloat(c *Client, args [][]byte) error {
	incr, ok := parseLongDouble(args[3])
	if !ok {
		return ErrNotFloat
	}
	if incr.IsInf() {
		return ErrHashIncrNaNOrInf
	}
	h, err := c.writeHash(args[1])
	if err != nil {
		return err
	}
	v := new(big.Float)
	if h != nil {
		if cur, found := h.Get(args[2]); found {
			if v, ok = parseLongDouble(cur); !ok {
				return ErrHashNotFloat
			}
		}
	}
	sum, ok := addLongDouble(v, incr)
	if !ok {
		return ErrIncrNaNOrInf
	}
	if h == nil {
		h = c.createHash(args[1])
	}
	h.Set(args[2], []byte(sum))
	c.keyModified(args[1])
	c.notify(NotifyHash, "hincrbyfloat", args[1])
	c.out.BulkString(sum)
	return nil
}

func cmdHstrlen(c *Client, args [][]byte) error {
	h, err := c.readHash(args[1])
	if err != nil {
		return err
	}
	n := 0
	if h != nil {
		if v, ok := h.Get(args[2]); ok {
			n = len(v)
		}
	}
	c.out.Int(int64(n))
	return nil
}

// hrandfieldMaxCount bounds HRANDFIELD's count (Redis accepts -LONG_MAX to
// LONG_MAX, and half of that WITHVALUES).
const hrandfieldMaxCount = math.MaxInt64

func cmdHrandfield(c *Client, args [][]byte) error {
	if len(args) >= 3 {
		l, ok := sdk.ParseInt(args[2])
		if !ok {
			return ErrNotInteger
		}
		if l < -hrandfieldMaxCount {
			return ErrRandCountRange
		}
		withValues := false
		if len(args) > 4 || len(args) == 4 && !kwIs(args[3], "WITHVALUES") {
			return ErrSyntax
		}
		if len(args) == 4 {
			withValues = true
			if l < -hrandfieldMaxCount/2 || l > hrandfieldMaxCount/2 {
				return ErrValueOutOfRange
			}
		}
		return c.hrandfieldCount(args[1], l, withValues)
	}
	h, err := c.readHash(args[1])
	if err != nil {
		return err
	}
	if h == nil {
		c.out.Null()
		return nil
	}
	f, _ := h.At(rand.IntN(h.Len()))
	c.out.Bulk(f)
	return nil
}

// hrandfieldCount is HRANDFIELD with a count: distinct fields for a
// positive count (all of them if it is not smaller than the hash), fields
// that may repeat for a negative one. WITHVALUES replies pairs: flat in
// RESP2, two-element arrays in RESP3.
func (c *Client) hrandfieldCount(key []byte, l int64, withValues bool) error {
	h, err := c.readHash(key)
	if err != nil {
		return err
	}
	if h == nil || l == 0 {
		c.out.Array(0)
		return nil
	}
	size := h.Len()
	nested := withValues && c.out.Proto() >= 3
	header := func(n int) {
		if withValues && !nested {
			c.out.Array(2 * n)
		} else {
			c.out.Array(n)
		}
	}
	emit := func(i int) {
		f, v := h.At(i)
		if nested {
			c.out.Array(2)
		}
		c.out.Bulk(f)
		if withValues {
			c.out.Bulk(v)
		}
	}
	if l < 0 || l == 1 {
		n := uint64(l)
		if l < 0 {
			n = uint64(-l)
		}
		header(int(n))
		for ; n > 0; n-- {
			emit(rand.IntN(size))
		}
		return nil
	}
	if l >= int64(size) {
		header(size)
		for i := 0; i < size; i++ {
			emit(i)
		}
		return nil
	}
	count := int(l)
	header(count)
	if count*3 > size {
		// Many of the fields: selection sampling, one pass in order.
		need := count
		for i := 0; i < size && need > 0; i++ {
			if rand.IntN(size-i) < need {
				emit(i)
				need--
			}
		}
		return nil
	}
	// Few of the fields: random picks, skipping repeats.
	picked := make(map[int]struct{}, count)
	for len(picked) < count {
		i := rand.IntN(size)
		if _, dup := picked[i]; dup {
			continue
		}
		picked[i] = struct{}{}
		emit(i)
	}
	return nil
}

func cmdHscan(c *Client, args [][]byte) error {
	// The cursor is checked first, the key next, the options last.
	if _, err := parseScan(args[:3], 2, false); err != nil {
		return err
	}
	h, err := c.readHash(args[1])
	if err != nil {
		return err
	}
	if h == nil {
		writeScanReply(c, 0, nil)
		return nil
	}
	sa, err := parseScan(args, 2, false)
	if err != nil {
		return err
	}
	var pairs [][]byte
	next := h.ScanDesc(sa.cursor, sa.count, func(f, v []byte) {
		if sa.matches(f) {
			pairs = append(pairs, f, v)
		}
	})
	writeScanReply(c, next, pairs)
	return nil
}
