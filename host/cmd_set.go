package host

import (
	"math"
	"slices"
	"strconv"

	"modis/host/internal/glob"
	"modis/host/internal/keyspace"
	"modis/host/internal/resp"
	"modis/host/internal/types"
	"modis/sdk"
)

// Set commands: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP
// SRANDMEMBER SMOVE SINTER SINTERCARD SUNION SDIFF SINTERSTORE SUNIONSTORE
// SDIFFSTORE SSCAN, as Redis 7.0's t_set.c.

func setCommands() []*Command {
	const rwFast = FlagWrite | FlagDenyOOM | FlagFast
	const roFast = FlagReadonly | FlagFast
	const store = FlagWrite | FlagDenyOOM
	return []*Command{
		{Name: "sadd", Arity: -3, Flags: rwFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "set", Handler: cmdSadd,
			Summary: "Add one or more members to a set", Since: "1.0.0"},
		{Name: "srem", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "set", Handler: cmdSrem,
			Summary: "Remove one or more members from a set", Since: "1.0.0"},
		{Name: "smembers", Arity: 2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Group: "set", Handler: cmdSmembers,
			Summary: "Get all the members in a set", Since: "1.0.0"},
		{Name: "sismember", Arity: 3, Flags: roFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "set", Handler: cmdSismember,
			Summary: "Determine if a given value is a member of a set", Since: "1.0.0"},
		{Name: "smismember", Arity: -3, Flags: roFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "set", Handler: cmdSmismember,
			Summary: "Returns the membership associated with the given elements for a set", Since: "6.2.0"},
		{Name: "scard", Arity: 2, Flags: roFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "set", Handler: cmdScard,
			Summary: "Get the number of members in a set", Since: "1.0.0"},
		{Name: "spop", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "set", Handler: cmdSpop,
			Summary: "Remove and return one or multiple random members from a set", Since: "1.0.0"},
		{Name: "srandmember", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Group: "set", Handler: cmdSrandmember,
			Summary: "Get one or multiple random members from a set", Since: "1.0.0"},
		{Name: "smove", Arity: 4, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 2, Step: 1, Group: "set", Handler: cmdSmove,
			Summary: "Move a member from one set to another", Since: "1.0.0"},
		{Name: "sinter", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: -1, Step: 1, Group: "set", Handler: cmdSinter,
			Summary: "Intersect multiple sets", Since: "1.0.0"},
		{Name: "sintercard", Arity: -3, Flags: FlagReadonly | FlagMovableKeys, Group: "set", Handler: cmdSintercard,
			Summary: "Intersect multiple sets and return the cardinality of the result", Since: "7.0.0"},
		{Name: "sunion", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: -1, Step: 1, Group: "set", Handler: cmdSunion,
			Summary: "Add multiple sets", Since: "1.0.0"},
		{Name: "sdiff", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: -1, Step: 1, Group: "set", Handler: cmdSdiff,
			Summary: "Subtract multiple sets", Since: "1.0.0"},
		{Name: "sinterstore", Arity: -3, Flags: store, FirstKey: 1, LastKey: -1, Step: 1, Group: "set", Handler: cmdSinterstore,
			Summary: "Intersect multiple sets and store the resulting set in a key", Since: "1.0.0"},
		{Name: "sunionstore", Arity: -3, Flags: store, FirstKey: 1, LastKey: -1, Step: 1, Group: "set", Handler: cmdSunionstore,
			Summary: "Add multiple sets and store the resulting set in a key", Since: "1.0.0"},
		{Name: "sdiffstore", Arity: -3, Flags: store, FirstKey: 1, LastKey: -1, Step: 1, Group: "set", Handler: cmdSdiffstore,
			Summary: "Subtract multiple sets and store the resulting set in a key", Since: "1.0.0"},
		{Name: "sscan", Arity: -3, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Group: "set", Handler: cmdSscan,
			Summary: "Incrementally iterate Set elements", Since: "2.8.0"},
	}
}

// setOf returns the entry's set (nil if it is not one).
func setOf(e *keyspace.Entry) *types.Set {
	s, _ := e.Obj.(*types.Set)
	return s
}

// readSet returns key's set for a read command (counting a keyspace hit or
// miss): nil if the key is missing, ErrWrongType if it is not a set.
func (c *Client) readSet(key []byte) (*types.Set, error) {
	return valueOf[*types.Set](c, key, keyspace.KindSet, true)
}

// writeSet returns key's set for a write command: nil if the key is
// missing, ErrWrongType if it is not a set.
func (c *Client) writeSet(key []byte) (*types.Set, error) {
	return valueOf[*types.Set](c, key, keyspace.KindSet, false)
}

// createSet stores a new empty set under key and returns it.
func (c *Client) createSet(key []byte) *types.Set {
	s := types.NewSet()
	c.db.Set(key, &keyspace.Entry{Kind: keyspace.KindSet, Obj: s})
	return s
}

// deleteEmptySet removes key once its set is empty, with the "del" event.
func (c *Client) deleteEmptySet(key []byte) {
	c.db.Delete(key, c.srv.now)
	c.notify(NotifyGeneric, "del", key)
}

// writeSetInt writes v as a bulk string without allocating on the common
// path (a reply Buffer).
func writeSetInt(w resp.Writer, v int64) {
	var tmp [24]byte
	b := strconv.AppendInt(tmp[:0], v, 10)
	if buf, ok := w.(*resp.Buffer); ok {
		buf.Bulk(b)
		return
	}
	w.BulkString(string(b))
}

// writeSetMember writes a member as At returns it.
func writeSetMember(w resp.Writer, str string, v int64, isInt bool) {
	if isInt {
		writeSetInt(w, v)
	} else {
		w.BulkString(str)
	}
}

// writeSetMembers writes every member of s in its order (an intset's is
// ascending).
func writeSetMembers(w resp.Writer, s *types.Set) {
	for i, n := 0, s.Len(); i < n; i++ {
		writeSetAt(w, s, i)
	}
}

// writeSetAt writes the member of s at position i.
func writeSetAt(w resp.Writer, s *types.Set, i int) {
	str, v, isInt := s.At(i)
	writeSetMember(w, str, v, isInt)
}

// setAddAt adds the member of src at position i to dst.
func setAddAt(dst, src *types.Set, i int) {
	str, v, isInt := src.At(i)
	setAddMember(dst, str, v, isInt)
}

// setAddMember adds a member as At returns it to s.
func setAddMember(s *types.Set, str string, v int64, isInt bool) bool {
	if isInt {
		return s.AddInt(v)
	}
	return s.AddString(str)
}

// setHasMember reports whether s holds a member as At returns it.
func setHasMember(s *types.Set, str string, v int64, isInt bool) bool {
	if isInt {
		return s.HasInt(v)
	}
	return s.HasString(str)
}

func cmdSadd(c *Client, args [][]byte) error {
	key := args[1]
	s, err := c.writeSet(key)
	if err != nil {
		return err
	}
	if s == nil {
		s = c.createSet(key)
	}
	added := 0
	for _, m := range args[2:] {
		if s.Add(m) {
			added++
		}
	}
	if added > 0 {
		c.keyModified(key)
		c.notify(NotifySet, "sadd", key)
	}
	c.out.Int(int64(added))
	return nil
}

func cmdSrem(c *Client, args [][]byte) error {
	key := args[1]
	s, err := c.writeSet(key)
	if err != nil || s == nil {
		if err == nil {
			c.out.Int(0)
		}
		return err
	}
	deleted, removed := 0, false
	for _, m := range args[2:] {
		if s.Remove(m) {
			deleted++
			if s.Len() == 0 {
				c.db.Delete(key, c.srv.now)
				removed = true
				break
			}
		}
	}
	if deleted > 0 {
		c.keyModified(key)
		c.notify(NotifySet, "srem", key)
		if removed {
			c.notify(NotifyGeneric, "del", key)
		}
	}
	c.out.Int(int64(deleted))
	return nil
}

func cmdSmove(c *Client, args [][]byte) error {
	srcKey, dstKey, m := args[1], args[2], args[3]
	se := c.db.Peek(srcKey, c.srv.now)
	de := c.db.Peek(dstKey, c.srv.now)
	if se == nil {
		c.out.Int(0)
		return nil
	}
	if se.Kind != keyspace.KindSet || de != nil && de.Kind != keyspace.KindSet {
		return ErrWrongType
	}
	src := setOf(se)
	if se == de {
		n := int64(0)
		if src.Has(m) {
			n = 1
		}
		c.out.Int(n)
		return nil
	}
	if !src.Remove(m) {
		c.out.Int(0)
		return nil
	}
	c.notify(NotifySet, "srem", srcKey)
	if src.Len() == 0 {
		c.deleteEmptySet(srcKey)
	}
	var dst *types.Set
	if de == nil {
		dst = c.createSet(dstKey)
	} else {
		dst = setOf(de)
	}
	c.keyModified(srcKey)
	if dst.Add(m) {
		c.keyModified(dstKey)
		c.notify(NotifySet, "sadd", dstKey)
	}
	c.out.Int(1)
	return nil
}

func cmdSismember(c *Client, args [][]byte) error {
	s, err := c.readSet(args[1])
	if err != nil {
		return err
	}
	n := int64(0)
	if s != nil && s.Has(args[2]) {
		n = 1
	}
	c.out.Int(n)
	return nil
}

func cmdSmismember(c *Client, args [][]byte) error {
	s, err := c.readSet(args[1])
	if err != nil {
		return err
	}
	c.out.Array(len(args) - 2)
	for _, m := range args[2:] {
		if s != nil && s.Has(m) {
			c.out.Int(1)
		} else {
			c.out.Int(0)
		}
	}
	return nil
}

func cmdScard(c *Client, args [][]byte) error {
	s, err := c.readSet(args[1])
	if err != nil {
		return err
	}
	n := 0
	if s != nil {
		n = s.Len()
	}
	c.out.Int(int64(n))
	return nil
}

// SMEMBERS is SINTER of one key in Redis 7.0; this is its fast path.
func cmdSmembers(c *Client, args [][]byte) error {
	s, err := c.readSet(args[1])
	if err != nil {
		return err
	}
	if s == nil {
		c.out.Set(0)
		return nil
	}
	c.out.Set(s.Len())
	writeSetMembers(c.out, s)
	return nil
}

func cmdSpop(c *Client, args [][]byte) error {
	if len(args) > 3 {
		return ErrSyntax
	}
	key := args[1]
	if len(args) == 3 {
		return c.spopCount(key, args[2])
	}
	s, err := c.writeSet(key)
	if err != nil {
		return err
	}
	if s == nil {
		c.out.Null()
		return nil
	}
	str, v, isInt := s.RemoveAt(s.RandomIndex())
	if c.aofOn() {
		c.alsoPropagate([]byte("SREM"), key, setMemberBytes(str, v, isInt))
	}
	c.notify(NotifySet, "spop", key)
	writeSetMember(c.out, str, v, isInt)
	if s.Len() == 0 {
		c.deleteEmptySet(key)
	}
	c.keyModified(key)
	return nil
}

// spopCount is SPOP key count.
func (c *Client) spopCount(key, arg []byte) error {
	count, ok := sdk.ParseInt(arg)
	if !ok || count < 0 {
		return ErrSetCountNotPositive
	}
	s, err := c.writeSet(key)
	if err != nil {
		return err
	}
	if s == nil || count == 0 {
		c.out.Set(0)
		return nil
	}
	c.notify(NotifySet, "spop", key)
	if count >= int64(s.Len()) {
		// Redis replies through SUNION of the one key: an intset order
		// (ascending) whenever the members allow it.
		all := types.NewSet()
		for i, n := 0, s.Len(); i < n; i++ {
			setAddAt(all, s, i)
		}
		c.out.Set(all.Len())
		writeSetMembers(c.out, all)
		if c.aofOn() {
			c.alsoPropagate([]byte("DEL"), key)
		}
		c.deleteEmptySet(key)
		c.keyModified(key)
		return nil
	}
	c.out.Set(int(count))
	out := c.out
	var popped [][]byte
	aof := c.aofOn()
	if aof {
		popped = [][]byte{[]byte("SREM"), key}
	}
	s.PopRandom(int(count), func(str string, v int64, isInt bool) {
		writeSetMember(out, str, v, isInt)
		if aof {
			popped = append(popped, setMemberBytes(str, v, isInt))
		}
	})
	if aof {
		c.alsoPropagate(popped...)
	}
	c.keyModified(key)
	return nil
}

// srandmemberSubStrategyMul is Redis's SRANDMEMBER_SUB_STRATEGY_MUL.
const srandmemberSubStrategyMul = 3

func cmdSrandmember(c *Client, args [][]byte) error {
	if len(args) > 3 {
		return ErrSyntax
	}
	if len(args) == 3 {
		return c.srandmemberCount(args[1], args[2])
	}
	s, err := c.readSet(args[1])
	if err != nil {
		return err
	}
	if s == nil {
		c.out.Null()
		return nil
	}
	writeSetAt(c.out, s, s.RandomIndex())
	return nil
}

// srandmemberCount is SRANDMEMBER key count: a negative count allows
// repeats; a positive one gives distinct members, at most the whole set.
// The reply is an array in RESP3 too.
func (c *Client) srandmemberCount(key, arg []byte) error {
	l, ok := sdk.ParseInt(arg)
	if !ok {
		return ErrNotInteger
	}
	if l == math.MinInt64 {
		return ErrRandCountRange
	}
	s, err := c.readSet(key)
	if err != nil {
		return err
	}
	if s == nil || l == 0 {
		c.out.Array(0)
		return nil
	}
	size := int64(s.Len())
	if l < 0 || l == 1 {
		count := l
		if count < 0 {
			count = -count
		}
		c.out.Array(int(count))
		for ; count > 0; count-- {
			writeSetAt(c.out, s, s.RandomIndex())
		}
		return nil
	}
	if l >= size {
		c.out.Array(int(size))
		writeSetMembers(c.out, s)
		return nil
	}
	c.out.Array(int(l))
	for _, i := range s.RandomDistinct(int(l)) {
		writeSetAt(c.out, s, i)
	}
	return nil
}

// lookupSets looks every key up for a multi-key read (counting hits and
// misses): nil for a missing key, ErrWrongType if any key is not a set.
func (c *Client) lookupSets(keys [][]byte) ([]*types.Set, error) {
	sets := make([]*types.Set, len(keys))
	for i, k := range keys {
		s, err := c.readSet(k)
		if err != nil {
			return nil, err
		}
		sets[i] = s
	}
	return sets, nil
}

// storeSetResult is the end of the STORE variants: res replaces dst (of any
// type, its TTL dropped) with the event, or, when empty, dst is deleted.
func (c *Client) storeSetResult(dst []byte, res *types.Set, event string) {
	if res.Len() > 0 {
		c.db.Set(dst, &keyspace.Entry{Kind: keyspace.KindSet, Obj: res})
		c.keyModified(dst)
		c.out.Int(int64(res.Len()))
		c.notify(NotifySet, event, dst)
		return
	}
	c.out.Int(0)
	if c.db.Delete(dst, c.srv.now) {
		c.keyModified(dst)
		c.notify(NotifyGeneric, "del", dst)
	}
}

// sinter is Redis's sinterGenericCommand: SINTER (dst nil), SINTERSTORE
// and SINTERCARD (cardOnly, stopping at limit when limit > 0).
func (c *Client) sinter(keys [][]byte, dst []byte, cardOnly bool, limit int64) error {
	sets, err := c.lookupSets(keys)
	if err != nil {
		return err
	}
	if slices.Contains(sets, nil) { // an intersection with an empty set
		switch {
		case dst != nil:
			c.storeSetResult(dst, types.NewSet(), "sinterstore")
		case cardOnly:
			c.out.Int(0)
		default:
			c.out.Set(0)
		}
		return nil
	}
	// Smallest first, stable as glibc's qsort (a merge sort) is.
	slices.SortStableFunc(sets, func(a, b *types.Set) int { return a.Len() - b.Len() })
	var res *types.Set
	handle := -1
	if dst != nil {
		res = types.NewSet()
	} else if !cardOnly {
		handle = c.out.Defer('~')
	}
	first := sets[0]
	var card int64
	for i, n := 0, first.Len(); i < n; i++ {
		str, v, isInt := first.At(i)
		in := true
		for _, other := range sets[1:] {
			if other != first && !setHasMember(other, str, v, isInt) {
				in = false
				break
			}
		}
		if !in {
			continue
		}
		switch {
		case cardOnly:
			card++
			if limit > 0 && card >= limit {
				c.out.Int(card)
				return nil
			}
		case dst != nil:
			setAddMember(res, str, v, isInt)
		default:
			writeSetMember(c.out, str, v, isInt)
			card++
		}
	}
	switch {
	case cardOnly:
		c.out.Int(card)
	case dst != nil:
		c.storeSetResult(dst, res, "sinterstore")
	default:
		c.out.SetDeferred(handle, int(card))
	}
	return nil
}

func cmdSinter(c *Client, args [][]byte) error { return c.sinter(args[1:], nil, false, 0) }

func cmdSinterstore(c *Client, args [][]byte) error {
	return c.sinter(args[2:], args[1], false, 0)
}

func cmdSintercard(c *Client, args [][]byte) error {
	numkeys, ok := sdk.ParseInt(args[1])
	if !ok || numkeys < 1 {
		return ErrSetNumkeysNotPositive
	}
	if numkeys > int64(len(args)-2) {
		return ErrSetNumkeysTooMany
	}
	var limit int64
	for j := 2 + int(numkeys); j < len(args); j++ {
		if !setArgIs(args[j], "limit") || j == len(args)-1 {
			return ErrSyntax
		}
		j++
		l, ok := sdk.ParseInt(args[j])
		if !ok || l < 0 {
			return ErrSetLimitNegative
		}
		limit = l
	}
	return c.sinter(args[2:2+int(numkeys)], nil, true, limit)
}

// setArgIs compares an argument with a lower-case ASCII word, ignoring
// case, without allocating.
func setArgIs(arg []byte, word string) bool {
	if len(arg) != len(word) {
		return false
	}
	for i := range arg {
		ch := arg[i]
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		if ch != word[i] {
			return false
		}
	}
	return true
}

// sunionDiff is Redis's sunionDiffGenericCommand: SUNION, SDIFF and their
// STORE variants (dst non-nil). The result is built as a new set, which is
// an intset whenever its members allow it — so its reply order is ascending
// then, as in Redis. SDIFF picks Redis's algorithm by the same estimate,
// because the two can leave the result in different encodings.
func (c *Client) sunionDiff(keys [][]byte, dst []byte, diff bool) error {
	sets, err := c.lookupSets(keys)
	if err != nil {
		return err
	}
	res := types.NewSet()
	switch {
	case !diff:
		for _, s := range sets {
			if s == nil {
				continue
			}
			for i, n := 0, s.Len(); i < n; i++ {
				setAddAt(res, s, i)
			}
		}
	case sets[0] == nil || slices.Contains(sets[1:], sets[0]):
		// Nothing minus anything, or a set minus itself: empty.
	default:
		first := sets[0]
		var oneWork, twoWork int64
		for _, s := range sets {
			if s != nil {
				oneWork += int64(first.Len())
				twoWork += int64(s.Len())
			}
		}
		oneWork /= 2
		if oneWork <= twoWork {
			// Algorithm 1: each member of the first set not in any other.
			for i, n := 0, first.Len(); i < n; i++ {
				str, v, isInt := first.At(i)
				in := false
				for _, s := range sets[1:] {
					if s != nil && setHasMember(s, str, v, isInt) {
						in = true
						break
					}
				}
				if !in {
					setAddMember(res, str, v, isInt)
				}
			}
		} else {
			// Algorithm 2: the first set, minus each of the others.
			for i, n := 0, first.Len(); i < n; i++ {
				setAddAt(res, first, i)
			}
			for _, s := range sets[1:] {
				if s == nil {
					continue
				}
				for i, n := 0, s.Len(); i < n && res.Len() > 0; i++ {
					if str, v, isInt := s.At(i); isInt {
						res.RemoveInt(v)
					} else {
						res.RemoveString(str)
					}
				}
				if res.Len() == 0 {
					break
				}
			}
		}
	}
	if dst != nil {
		event := "sunionstore"
		if diff {
			event = "sdiffstore"
		}
		c.storeSetResult(dst, res, event)
		return nil
	}
	c.out.Set(res.Len())
	writeSetMembers(c.out, res)
	return nil
}

func cmdSunion(c *Client, args [][]byte) error { return c.sunionDiff(args[1:], nil, false) }

func cmdSunionstore(c *Client, args [][]byte) error {
	return c.sunionDiff(args[2:], args[1], false)
}

func cmdSdiff(c *Client, args [][]byte) error { return c.sunionDiff(args[1:], nil, true) }

func cmdSdiffstore(c *Client, args [][]byte) error {
	return c.sunionDiff(args[2:], args[1], true)
}

// SSCAN key cursor [MATCH pattern] [COUNT count]. As Redis: the cursor is
// checked first, then the key (a missing key replies an empty scan whatever
// the options), then the options.
func cmdSscan(c *Client, args [][]byte) error {
	if _, err := parseScan(args[:3], 2, false); err != nil {
		return err
	}
	s, err := c.readSet(args[1])
	if err != nil {
		return err
	}
	if s == nil {
		writeScanReply(c, 0, nil)
		return nil
	}
	a, err := parseScan(args, 2, false)
	if err != nil {
		return err
	}
	var picked []int
	var buf []byte
	next := s.Scan(a.cursor, a.count, func(i int) {
		if a.match != "" {
			buf = s.AppendMember(buf[:0], i)
			if !glob.Match(a.match, string(buf), false) {
				return
			}
		}
		picked = append(picked, i)
	})
	c.out.Array(2)
	var tmp [20]byte
	c.out.Bulk(strconv.AppendUint(tmp[:0], next, 10))
	c.out.Array(len(picked))
	for _, i := range picked {
		writeSetAt(c.out, s, i)
	}
	return nil
}
