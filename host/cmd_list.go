package host

import (
	"strconv"
	"time"

	"modis/host/internal/keyspace"
	"modis/host/internal/types"
	"modis/sdk"
)

// List commands: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET
// LREM LTRIM LINSERT LPOS LMOVE RPOPLPUSH LMPOP, and the blocking BLPOP
// BRPOP BLMOVE BRPOPLPUSH BLMPOP. They follow Redis 7.0's t_list.c: the
// order in which arguments are checked, the reply shapes, the keyspace
// events (a pop that empties a list deletes it and fires "del"), and the
// way blocked clients are served (blocking.go).

func listCommands() []*Command {
	const (
		rwFast = FlagWrite | FlagDenyOOM | FlagFast
		rw     = FlagWrite | FlagDenyOOM
		block  = FlagWrite | FlagNoScript | FlagBlocking
	)
	return []*Command{
		{Name: "lpush", Arity: -3, Flags: rwFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "list", Handler: pushHandler(true, false),
			Summary: "Prepend one or multiple elements to a list", Since: "1.0.0"},
		{Name: "rpush", Arity: -3, Flags: rwFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "list", Handler: pushHandler(false, false),
			Summary: "Append one or multiple elements to a list", Since: "1.0.0"},
		{Name: "lpushx", Arity: -3, Flags: rwFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "list", Handler: pushHandler(true, true),
			Summary: "Prepend an element to a list, only if the list exists", Since: "2.2.0"},
		{Name: "rpushx", Arity: -3, Flags: rwFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "list", Handler: pushHandler(false, true),
			Summary: "Append an element to a list, only if the list exists", Since: "2.2.0"},
		{Name: "lpop", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "list", Handler: popHandler(true),
			Summary: "Remove and get the first elements in a list", Since: "1.0.0"},
		{Name: "rpop", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "list", Handler: popHandler(false),
			Summary: "Remove and get the last elements in a list", Since: "1.0.0"},
		{Name: "llen", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "list", Handler: cmdLlen,
			Summary: "Get the length of a list", Since: "1.0.0"},
		{Name: "lrange", Arity: 4, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Group: "list", Handler: cmdLrange,
			Summary: "Get a range of elements from a list", Since: "1.0.0"},
		{Name: "lindex", Arity: 3, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Group: "list", Handler: cmdLindex,
			Summary: "Get an element from a list by its index", Since: "1.0.0"},
		{Name: "lset", Arity: 4, Flags: rw, FirstKey: 1, LastKey: 1, Step: 1, Group: "list", Handler: cmdLset,
			Summary: "Set the value of an element in a list by its index", Since: "1.0.0"},
		{Name: "lrem", Arity: 4, Flags: FlagWrite, FirstKey: 1, LastKey: 1, Step: 1, Group: "list", Handler: cmdLrem,
			Summary: "Remove elements from a list", Since: "1.0.0"},
		{Name: "ltrim", Arity: 4, Flags: FlagWrite, FirstKey: 1, LastKey: 1, Step: 1, Group: "list", Handler: cmdLtrim,
			Summary: "Trim a list to the specified range", Since: "1.0.0"},
		{Name: "linsert", Arity: 5, Flags: rw, FirstKey: 1, LastKey: 1, Step: 1, Group: "list", Handler: cmdLinsert,
			Summary: "Insert an element before or after another element in a list", Since: "2.2.0"},
		{Name: "lpos", Arity: -3, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Group: "list", Handler: cmdLpos,
			Summary: "Return the index of matching elements on a list", Since: "6.0.6"},
		{Name: "lmove", Arity: 5, Flags: rw, FirstKey: 1, LastKey: 2, Step: 1, Group: "list", Handler: cmdLmove,
			Summary: "Pop an element from a list, push it to another list and return it", Since: "6.2.0"},
		{Name: "rpoplpush", Arity: 3, Flags: rw, FirstKey: 1, LastKey: 2, Step: 1, Group: "list", Handler: cmdRpoplpush,
			Summary: "Remove the last element in a list, prepend it to another list and return it", Since: "1.2.0"},
		{Name: "lmpop", Arity: -4, Flags: FlagWrite | FlagMovableKeys, Group: "list", Handler: cmdLmpop,
			Summary: "Pop elements from a list", Since: "7.0.0"},
		{Name: "blpop", Arity: -3, Flags: block, FirstKey: 1, LastKey: -2, Step: 1, Group: "list", Handler: blockingPopHandler(true),
			Summary: "Remove and get the first element in a list, or block until one is available", Since: "2.0.0"},
		{Name: "brpop", Arity: -3, Flags: block, FirstKey: 1, LastKey: -2, Step: 1, Group: "list", Handler: blockingPopHandler(false),
			Summary: "Remove and get the last element in a list, or block until one is available", Since: "2.0.0"},
		{Name: "blmove", Arity: 6, Flags: block | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1, Group: "list", Handler: cmdBlmove,
			Summary: "Pop an element from a list, push it to another list and return it; or block until one is available", Since: "6.2.0"},
		{Name: "brpoplpush", Arity: 4, Flags: block | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1, Group: "list", Handler: cmdBrpoplpush,
			Summary: "Pop an element from a list, push it to another list and return it; or block until one is available", Since: "2.2.0"},
		{Name: "blmpop", Arity: -5, Flags: FlagWrite | FlagBlocking | FlagMovableKeys, Group: "list", Handler: cmdBlmpop,
			Summary: "Pop elements from a list, or block until one is available", Since: "7.0.0"},
	}
}

// listOf returns the entry's list (nil if it is not one).
func listOf(e *keyspace.Entry) *types.List {
	l, _ := e.Obj.(*types.List)
	return l
}

// readList returns key's list for a read command (counting a keyspace hit
// or miss): nil if the key is missing, ErrWrongType if it is not a list.
func (c *Client) readList(key []byte) (*types.List, error) {
	return valueOf[*types.List](c, key, keyspace.KindList, true)
}

// writeList returns key's list for a write command: nil if the key is
// missing, ErrWrongType if it is not a list.
func (c *Client) writeList(key []byte) (*types.List, error) {
	return valueOf[*types.List](c, key, keyspace.KindList, false)
}

// createList stores a new empty list under key and returns it. Like Redis's
// dbAdd it fires the "new" event and signals the key ready for clients
// blocked on it.
func (c *Client) createList(key []byte) *types.List {
	l := types.NewList()
	c.db.Set(key, &keyspace.Entry{Kind: keyspace.KindList, Obj: l})
	c.keyReady(key)
	return l
}

// listRemoved is Redis's listElementsRemoved: after a pop from key's list l,
// fire the pop event, delete the list if it is empty (firing "del"), and
// signal the change. It reports whether the list was deleted.
func (c *Client) listRemoved(key []byte, l *types.List, front bool) bool {
	c.notify(NotifyList, popEvent(front), key)
	deleted := l.Len() == 0
	if deleted {
		c.db.Delete(key, c.srv.now)
		c.notify(NotifyGeneric, "del", key)
	}
	c.keyModified(key)
	return deleted
}

func popEvent(front bool) string {
	if front {
		return "lpop"
	}
	return "rpop"
}

func pushEvent(front bool) string {
	if front {
		return "lpush"
	}
	return "rpush"
}

func listPop(l *types.List, front bool) []byte {
	var v []byte
	if front {
		v, _ = l.PopFront()
	} else {
		v, _ = l.PopBack()
	}
	return v
}

func listPush(l *types.List, v []byte, front bool) {
	if front {
		l.PushFront(v)
	} else {
		l.PushBack(v)
	}
}

// parseWhere parses LEFT or RIGHT (getListPositionFromObjectOrReply).
func parseWhere(b []byte) (front bool, err error) {
	switch {
	case kwIs(b, "LEFT"):
		return true, nil
	case kwIs(b, "RIGHT"):
		return false, nil
	}
	return false, ErrSyntax
}

// pushHandler is LPUSH/RPUSH and, with onlyExisting, LPUSHX/RPUSHX.
func pushHandler(front, onlyExisting bool) HandlerFunc {
	event := pushEvent(front)
	return func(c *Client, args [][]byte) error {
		key := args[1]
		l, err := c.writeList(key)
		if err != nil {
			return err
		}
		if l == nil {
			if onlyExisting {
				c.out.Int(0)
				return nil
			}
			l = c.createList(key)
		}
		for _, v := range args[2:] {
			listPush(l, v, front)
		}
		c.out.Int(int64(l.Len()))
		c.keyModified(key)
		c.notify(NotifyList, event, key)
		c.keyReady(key)
		return nil
	}
}

// popHandler is LPOP/RPOP key [count].
func popHandler(front bool) HandlerFunc {
	name := popEvent(front)
	return func(c *Client, args [][]byte) error {
		if len(args) > 3 {
			return errWrongArity(name)
		}
		hasCount := len(args) == 3
		var count int64
		if hasCount {
			n, ok := sdk.ParseInt(args[2])
			if !ok || n < 0 {
				return ErrListNotPositive
			}
			count = n
		}
		key := args[1]
		l, err := c.writeList(key)
		if err != nil {
			return err
		}
		if l == nil {
			if hasCount {
				c.out.NullArray()
			} else {
				c.out.Null()
			}
			return nil
		}
		if !hasCount {
			c.out.Bulk(listPop(l, front))
			c.listRemoved(key, l, front)
			return nil
		}
		if count == 0 {
			c.out.Array(0)
			return nil
		}
		c.popRangeReply(l, front, count)
		c.listRemoved(key, l, front)
		return nil
	}
}

// popRangeReply replies with up to count elements from one end of l, in
// the order they are popped, and removes them.
func (c *Client) popRangeReply(l *types.List, front bool, count int64) {
	n := l.Len()
	if count < int64(n) {
		n = int(count)
	}
	c.out.Array(n)
	write := func(v []byte) bool { c.out.Bulk(v); return true }
	if front {
		l.Range(0, n-1, write)
		l.Trim(n, 0)
	} else {
		l.RangeReverse(l.Len()-n, l.Len()-1, write)
		l.Trim(0, n)
	}
}

// popRangeWithKey is listPopRangeAndReplyWithKey: reply [key, [elements]]
// with up to count elements popped from one end of key's list l.
func (c *Client) popRangeWithKey(key []byte, l *types.List, front bool, count int64) {
	c.out.Array(2)
	c.out.Bulk(key)
	c.popRangeReply(l, front, count)
	c.listRemoved(key, l, front)
}

func cmdLlen(c *Client, args [][]byte) error {
	l, err := c.readList(args[1])
	if err != nil {
		return err
	}
	n := 0
	if l != nil {
		n = l.Len()
	}
	c.out.Int(int64(n))
	return nil
}

func cmdLrange(c *Client, args [][]byte) error {
	start, ok1 := sdk.ParseInt(args[2])
	end, ok2 := sdk.ParseInt(args[3])
	if !ok1 || !ok2 {
		return ErrNotInteger
	}
	l, err := c.readList(args[1])
	if err != nil {
		return err
	}
	if l == nil {
		c.out.Array(0)
		return nil
	}
	from, to, ok := rankRange(start, end, l.Len())
	if !ok {
		c.out.Array(0)
		return nil
	}
	c.out.Array(to - from + 1)
	l.Range(from, to, func(v []byte) bool { c.out.Bulk(v); return true })
	return nil
}

func cmdLindex(c *Client, args [][]byte) error {
	l, err := c.readList(args[1])
	if err != nil {
		return err
	}
	if l == nil {
		c.out.Null()
		return nil
	}
	i, ok := sdk.ParseInt(args[2])
	if !ok {
		return ErrNotInteger
	}
	if v, ok := l.Index(int(i)); ok {
		c.out.Bulk(v)
	} else {
		c.out.Null()
	}
	return nil
}

func cmdLset(c *Client, args [][]byte) error {
	key := args[1]
	l, err := c.writeList(key)
	if err != nil {
		return err
	}
	if l == nil {
		return ErrNoSuchKey
	}
	i, ok := sdk.ParseInt(args[2])
	if !ok {
		return ErrNotInteger
	}
	if !l.Set(int(i), args[3]) {
		return ErrListIndexOutOfRange
	}
	c.out.SimpleString("OK")
	c.keyModified(key)
	c.notify(NotifyList, "lset", key)
	return nil
}

func cmdLrem(c *Client, args [][]byte) error {
	count, ok := sdk.ParseInt(args[2])
	if !ok {
		return ErrNotInteger
	}
	key := args[1]
	l, err := c.writeList(key)
	if err != nil {
		return err
	}
	if l == nil {
		c.out.Int(0)
		return nil
	}
	removed := l.Remove(args[3], int(count))
	if removed > 0 {
		c.keyModified(key)
		c.notify(NotifyList, "lrem", key)
	}
	if l.Len() == 0 {
		c.db.Delete(key, c.srv.now)
		c.notify(NotifyGeneric, "del", key)
	}
	c.out.Int(int64(removed))
	return nil
}

func cmdLtrim(c *Client, args [][]byte) error {
	start, ok1 := sdk.ParseInt(args[2])
	end, ok2 := sdk.ParseInt(args[3])
	if !ok1 || !ok2 {
		return ErrNotInteger
	}
	key := args[1]
	l, err := c.writeList(key)
	if err != nil {
		return err
	}
	if l == nil {
		c.out.SimpleString("OK")
		return nil
	}
	n := l.Len()
	ltrim, rtrim := n, 0 // an empty range empties the list
	if from, to, ok := rankRange(start, end, n); ok {
		ltrim, rtrim = from, n-to-1
	}
	l.Trim(ltrim, rtrim)
	c.notify(NotifyList, "ltrim", key)
	if l.Len() == 0 {
		c.db.Delete(key, c.srv.now)
		c.notify(NotifyGeneric, "del", key)
	}
	c.keyModified(key)
	c.out.SimpleString("OK")
	return nil
}

func cmdLinsert(c *Client, args [][]byte) error {
	var after bool
	switch {
	case kwIs(args[2], "AFTER"):
		after = true
	case kwIs(args[2], "BEFORE"):
	default:
		return ErrSyntax
	}
	key := args[1]
	l, err := c.writeList(key)
	if err != nil {
		return err
	}
	if l == nil {
		c.out.Int(0)
		return nil
	}
	if !l.Insert(args[3], args[4], after) {
		c.out.Int(-1)
		return nil
	}
	c.keyModified(key)
	c.notify(NotifyList, "linsert", key)
	c.keyReady(key)
	c.out.Int(int64(l.Len()))
	return nil
}

// cmdLpos is LPOS key element [RANK rank] [COUNT num] [MAXLEN len], a port
// of lposCommand, wrap-around arithmetic of a RANK of -2^63 included.
func cmdLpos(c *Client, args [][]byte) error {
	ele := args[2]
	rank, count, maxlen := int64(1), int64(-1), int64(0) // count -1: no COUNT
	for j := 3; j < len(args); j++ {
		more := len(args) - 1 - j
		switch {
		case kwIs(args[j], "RANK") && more > 0:
			j++
			r, ok := sdk.ParseInt(args[j])
			if !ok {
				return ErrNotInteger
			}
			if r == 0 {
				return ErrListRankZero
			}
			rank = r
		case kwIs(args[j], "COUNT") && more > 0:
			j++
			n, ok := sdk.ParseInt(args[j])
			if !ok || n < 0 {
				return ErrListCountNegative
			}
			count = n
		case kwIs(args[j], "MAXLEN") && more > 0:
			j++
			n, ok := sdk.ParseInt(args[j])
			if !ok || n < 0 {
				return ErrListMaxlenNegative
			}
			maxlen = n
		default:
			return ErrSyntax
		}
	}
	fromTail := false
	if rank < 0 {
		rank = -rank
		fromTail = true
	}
	l, err := c.readList(args[1])
	if err != nil {
		return err
	}
	if l == nil {
		if count != -1 {
			c.out.Array(0)
		} else {
			c.out.Null()
		}
		return nil
	}
	handle := 0
	if count != -1 {
		handle = c.out.Defer('*')
	}
	llen := int64(l.Len())
	var index, matches, arraylen int64
	matchindex := int64(-1)
	visit := func(v []byte) bool {
		if maxlen != 0 && index >= maxlen {
			return false
		}
		if string(v) == string(ele) {
			matches++
			matchindex = index
			if fromTail {
				matchindex = llen - index - 1
			}
			if matches >= rank {
				if count == -1 {
					return false
				}
				arraylen++
				c.out.Int(matchindex)
				if count != 0 && matches-rank+1 >= count {
					return false
				}
			}
		}
		index++
		matchindex = -1 // remember that the loop ended without a match
		return true
	}
	if fromTail {
		l.EachReverse(visit)
	} else {
		l.Each(visit)
	}
	switch {
	case count != -1:
		c.out.SetDeferred(handle, int(arraylen))
	case matchindex != -1:
		c.out.Int(matchindex)
	default:
		c.out.Null()
	}
	return nil
}

func cmdLmove(c *Client, args [][]byte) error {
	from, err := parseWhere(args[3])
	if err != nil {
		return err
	}
	to, err := parseWhere(args[4])
	if err != nil {
		return err
	}
	return c.lmove(args[1], args[2], from, to)
}

func cmdRpoplpush(c *Client, args [][]byte) error {
	return c.lmove(args[1], args[2], false, true)
}

// lmove is lmoveGenericCommand: a missing source replies null.
func (c *Client) lmove(src, dst []byte, from, to bool) error {
	sl, err := c.writeList(src)
	if err != nil {
		return err
	}
	if sl == nil {
		c.out.Null()
		return nil
	}
	return c.lmoveFrom(src, sl, dst, from, to)
}

// lmoveFrom moves one element from the non-empty list sl at src to dst and
// replies with it; a destination that is not a list is WRONGTYPE and
// changes nothing. Events as Redis: the push on dst, then the pop on src,
// then "del" if src became empty.
func (c *Client) lmoveFrom(src []byte, sl *types.List, dst []byte, from, to bool) error {
	dl, err := c.writeList(dst) // before the pop: src and dst may be the same list
	if err != nil {
		return err
	}
	v := listPop(sl, from)
	if dl == sl {
		// Pushing into the list the value came from may move its bytes.
		c.scratch = append(c.scratch[:0], v...)
		v = c.scratch
	}
	if dl == nil {
		dl = c.createList(dst)
	}
	c.keyModified(dst)
	listPush(dl, v, to)
	c.notify(NotifyList, pushEvent(to), dst)
	c.keyReady(dst)
	c.out.Bulk(v)
	c.notify(NotifyList, popEvent(from), src)
	if sl.Len() == 0 {
		c.db.Delete(src, c.srv.now)
		c.notify(NotifyGeneric, "del", src)
	}
	c.keyModified(src)
	return nil
}

// mpopArgs are the parsed arguments of LMPOP and BLMPOP.
type mpopArgs struct {
	keys  [][]byte
	front bool
	count int64
}

// parseMpop parses numkeys key [key ...] LEFT|RIGHT [COUNT count] starting
// at args[at], with lmpopGenericCommand's checks in its order.
func parseMpop(args [][]byte, at int) (mpopArgs, error) {
	var a mpopArgs
	numkeys, ok := sdk.ParseInt(args[at])
	if !ok || numkeys < 1 {
		return a, ErrListNumkeys
	}
	if numkeys >= int64(len(args)-at-1) {
		return a, ErrSyntax // no room left for LEFT|RIGHT
	}
	where := at + int(numkeys) + 1
	front, err := parseWhere(args[where])
	if err != nil {
		return a, err
	}
	a.keys, a.front, a.count = args[at+1:where], front, -1
	for j := where + 1; j < len(args); j++ {
		if a.count == -1 && kwIs(args[j], "COUNT") && j+1 < len(args) {
			j++
			n, ok := sdk.ParseInt(args[j])
			if !ok || n < 1 {
				return a, ErrListCountPositive
			}
			a.count = n
			continue
		}
		return a, ErrSyntax
	}
	if a.count == -1 {
		a.count = 1
	}
	return a, nil
}

func cmdLmpop(c *Client, args [][]byte) error {
	a, err := parseMpop(args, 1)
	if err != nil {
		return err
	}
	served, err := c.mpop(a)
	if err == nil && !served {
		c.out.NullArray()
	}
	return err
}

// mpop pops from the first non-empty list of a.keys, replying
// [key, [elements]]; it reports whether it found one.
func (c *Client) mpop(a mpopArgs) (bool, error) {
	for _, k := range a.keys {
		l, err := c.writeList(k)
		if err != nil {
			return false, err
		}
		if l == nil || l.Len() == 0 {
			continue
		}
		c.popRangeWithKey(k, l, a.front, a.count)
		return true, nil
	}
	return false, nil
}

// readyList finds, for a blocked client being served, the key to serve it
// from and its non-empty list (nil if none). Redis serves a client from the
// key that became ready, not from the first of its keys; the key being
// served now is the one that has elements and is no longer in the server's
// ready queue (the keys still queued became ready later).
func (c *Client) readyList(keys [][]byte) ([]byte, *types.List) {
	k, e := c.servingKey(keys, keyspace.KindList, func(e *keyspace.Entry) int { return listOf(e).Len() })
	if e == nil {
		return nil, nil
	}
	return k, listOf(e)
}

func timeoutNullArray(c *Client) { c.out.NullArray() }

// blockingPopHandler is BLPOP/BRPOP key [key ...] timeout.
func blockingPopHandler(front bool) HandlerFunc {
	return func(c *Client, args [][]byte) error {
		timeout, err := parseTimeout(args[len(args)-1])
		if err != nil {
			return err
		}
		keys := args[1 : len(args)-1]
		for _, k := range keys {
			l, err := c.writeList(k)
			if err != nil {
				return err
			}
			if l == nil || l.Len() == 0 {
				continue
			}
			c.out.Array(2)
			c.out.Bulk(k)
			c.out.Bulk(listPop(l, front))
			c.listRemoved(k, l, front)
			return nil
		}
		c.blockPop(keys, front, timeout)
		return nil
	}
}

// blockPop blocks a BLPOP/BRPOP on keys. (Apart from the handler, so that
// what the closure captures is allocated only when the client blocks.)
func (c *Client) blockPop(keys [][]byte, front bool, timeout time.Duration) {
	keys = copyKeys(keys)
	c.blockOn(keys, timeout, func(c *Client) bool {
		k, l := c.readyList(keys)
		if l == nil {
			return false
		}
		if c.aofOn() {
			c.alsoPropagate(popCommandName(front), k)
		}
		c.out.Array(2)
		c.out.Bulk(k)
		c.out.Bulk(listPop(l, front))
		c.listRemoved(k, l, front)
		return true
	}, timeoutNullArray)
}

func cmdBlmpop(c *Client, args [][]byte) error {
	a, err := parseMpop(args, 2)
	if err != nil {
		return err
	}
	timeout, err := parseTimeout(args[1])
	if err != nil {
		return err
	}
	served, err := c.mpop(a)
	if err != nil || served {
		return err
	}
	c.blockMpop(a, timeout)
	return nil
}

// blockMpop blocks a BLMPOP.
func (c *Client) blockMpop(a mpopArgs, timeout time.Duration) {
	a.keys = copyKeys(a.keys)
	c.blockOn(a.keys, timeout, func(c *Client) bool {
		k, l := c.readyList(a.keys)
		if l == nil {
			return false
		}
		if c.aofOn() {
			c.alsoPropagate(popCommandName(a.front), k, strconv.AppendInt(nil, a.count, 10))
		}
		c.popRangeWithKey(k, l, a.front, a.count)
		return true
	}, timeoutNullArray)
}

func cmdBlmove(c *Client, args [][]byte) error {
	from, err := parseWhere(args[3])
	if err != nil {
		return err
	}
	to, err := parseWhere(args[4])
	if err != nil {
		return err
	}
	timeout, err := parseTimeout(args[5])
	if err != nil {
		return err
	}
	return c.blmove(args[1], args[2], from, to, timeout)
}

func cmdBrpoplpush(c *Client, args [][]byte) error {
	timeout, err := parseTimeout(args[3])
	if err != nil {
		return err
	}
	return c.blmove(args[1], args[2], false, true, timeout)
}

// blmove is blmoveGenericCommand: LMOVE when the source has elements,
// otherwise block on the source alone (the destination's type is checked
// when the client is served).
func (c *Client) blmove(src, dst []byte, from, to bool, timeout time.Duration) error {
	sl, err := c.writeList(src)
	if err != nil {
		return err
	}
	if sl != nil && sl.Len() > 0 {
		return c.lmoveFrom(src, sl, dst, from, to)
	}
	if c.noBlock() {
		c.out.Null() // inside MULTI Redis replies a null bulk, not the timeout's null array
		return nil
	}
	c.blockMove(src, dst, from, to, timeout)
	return nil
}

// blockMove blocks a BLMOVE/BRPOPLPUSH on src.
func (c *Client) blockMove(src, dst []byte, from, to bool, timeout time.Duration) {
	keys := copyKeys([][]byte{src})
	dst = append([]byte(nil), dst...)
	c.blockOn(keys, timeout, func(c *Client) bool {
		k, l := c.readyList(keys)
		if l == nil {
			return false
		}
		// A destination of the wrong type fails the client with WRONGTYPE
		// and leaves the element where it is, as Redis 7.0 does.
		if err := c.lmoveFrom(k, l, dst, from, to); err != nil {
			c.replyError(err)
		} else if c.aofOn() {
			c.alsoPropagate([]byte("LMOVE"), k, dst, whereName(from), whereName(to))
		}
		return true
	}, timeoutNullArray)
}
