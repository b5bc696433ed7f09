package host

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"modis/host/internal/keyspace"
	"modis/host/internal/types"
	"modis/sdk"
)

// Sorted set commands: ZADD ZINCRBY ZREM ZSCORE ZMSCORE ZCARD ZCOUNT
// ZLEXCOUNT ZRANK ZREVRANK ZRANGE ZRANGESTORE ZREVRANGE ZRANGEBYSCORE
// ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX (this file);
// ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX ZPOPMIN ZPOPMAX BZPOPMIN
// BZPOPMAX ZMPOP BZMPOP ZUNION ZINTER ZDIFF ZUNIONSTORE ZINTERSTORE
// ZDIFFSTORE ZINTERCARD ZRANDMEMBER ZSCAN (cmd_zset_ops.go). They follow
// Redis 7.0's t_zset.c: argument parsing order, error texts, reply shapes
// (RESP3 WITHSCORES replies are arrays of [member, score] pairs).

// Errors of the sorted set commands.
var (
	errZaddXXNX        = errors.New("ERR XX and NX options at the same time are not compatible")
	errZaddGTLTNX      = errors.New("ERR GT, LT, and/or NX options at the same time are not compatible")
	errZaddIncrPair    = errors.New("ERR INCR option supports a single increment-element pair")
	errZaddNaN         = errors.New("ERR resulting score is not a number (NaN)")
	errZMinMaxNotFloat = errors.New("ERR min or max is not a float")
	errZLexRange       = errors.New("ERR min or max not valid string range item")
	errZLimitRank      = errors.New("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
	errZWithscoresLex  = errors.New("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
	errZWeightNotFloat = errors.New("ERR weight value is not a float")
	errZNotPositive    = errors.New("ERR value is out of range, must be positive")
	errZNumkeys        = errors.New("ERR numkeys should be greater than 0")
	errZCount          = errors.New("ERR count should be greater than 0")
	errZLimitNegative  = errors.New("ERR LIMIT can't be negative")
	errZOutOfRange     = errors.New("ERR value is out of range")
)

func zsetCommands() []*Command {
	const (
		rwf = FlagWrite | FlagDenyOOM | FlagFast
		rof = FlagReadonly | FlagFast
		ro  = FlagReadonly
	)
	key1 := func(c *Command) *Command { c.FirstKey, c.LastKey, c.Step, c.Group = 1, 1, 1, "sorted-set"; return c }
	movable := func(c *Command) *Command { c.Group = "sorted-set"; c.Flags |= FlagMovableKeys; return c }
	return []*Command{
		key1(&Command{Name: "zadd", Arity: -4, Flags: rwf, Handler: cmdZadd,
			Summary: "Add one or more members to a sorted set, or update its score if it already exists", Since: "1.2.0"}),
		key1(&Command{Name: "zincrby", Arity: 4, Flags: rwf, Handler: cmdZincrby,
			Summary: "Increment the score of a member in a sorted set", Since: "1.2.0"}),
		key1(&Command{Name: "zrem", Arity: -3, Flags: FlagWrite | FlagFast, Handler: cmdZrem,
			Summary: "Remove one or more members from a sorted set", Since: "1.2.0"}),
		key1(&Command{Name: "zscore", Arity: 3, Flags: rof, Handler: cmdZscore,
			Summary: "Get the score associated with the given member in a sorted set", Since: "1.2.0"}),
		key1(&Command{Name: "zmscore", Arity: -3, Flags: rof, Handler: cmdZmscore,
			Summary: "Get the score associated with the given members in a sorted set", Since: "6.2.0"}),
		key1(&Command{Name: "zcard", Arity: 2, Flags: rof, Handler: cmdZcard,
			Summary: "Get the number of members in a sorted set", Since: "1.2.0"}),
		key1(&Command{Name: "zcount", Arity: 4, Flags: rof, Handler: cmdZcount,
			Summary: "Count the members in a sorted set with scores within the given values", Since: "2.0.0"}),
		key1(&Command{Name: "zlexcount", Arity: 4, Flags: rof, Handler: cmdZlexcount,
			Summary: "Count the number of members in a sorted set between a given lexicographical range", Since: "2.8.9"}),
		key1(&Command{Name: "zrank", Arity: 3, Flags: rof, Handler: zrankHandler(false),
			Summary: "Determine the index of a member in a sorted set", Since: "2.0.0"}),
		key1(&Command{Name: "zrevrank", Arity: 3, Flags: rof, Handler: zrankHandler(true),
			Summary: "Determine the index of a member in a sorted set, with scores ordered from high to low", Since: "2.0.0"}),
		key1(&Command{Name: "zrange", Arity: -4, Flags: ro, Handler: zrangeHandler(zrAuto, zdirAuto, false),
			Summary: "Return a range of members in a sorted set", Since: "1.2.0"}),
		{Name: "zrangestore", Arity: -5, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1, Group: "sorted-set",
			Handler: zrangeHandler(zrAuto, zdirAuto, true),
			Summary: "Store a range of members from sorted set into another key", Since: "6.2.0"},
		key1(&Command{Name: "zrevrange", Arity: -4, Flags: ro, Handler: zrangeHandler(zrRank, zdirRev, false),
			Summary: "Return a range of members in a sorted set, by index, with scores ordered from high to low", Since: "1.2.0"}),
		key1(&Command{Name: "zrangebyscore", Arity: -4, Flags: ro, Handler: zrangeHandler(zrScore, zdirFwd, false),
			Summary: "Return a range of members in a sorted set, by score", Since: "1.0.5"}),
		key1(&Command{Name: "zrevrangebyscore", Arity: -4, Flags: ro, Handler: zrangeHandler(zrScore, zdirRev, false),
			Summary: "Return a range of members in a sorted set, by score, with scores ordered from high to low", Since: "2.2.0"}),
		key1(&Command{Name: "zrangebylex", Arity: -4, Flags: ro, Handler: zrangeHandler(zrLex, zdirFwd, false),
			Summary: "Return a range of members in a sorted set, by lexicographical range", Since: "2.8.9"}),
		key1(&Command{Name: "zrevrangebylex", Arity: -4, Flags: ro, Handler: zrangeHandler(zrLex, zdirRev, false),
			Summary: "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.", Since: "2.8.9"}),
		key1(&Command{Name: "zremrangebyrank", Arity: 4, Flags: FlagWrite, Handler: zremrangeHandler(zrRank),
			Summary: "Remove all members in a sorted set within the given indexes", Since: "2.0.0"}),
		key1(&Command{Name: "zremrangebyscore", Arity: 4, Flags: FlagWrite, Handler: zremrangeHandler(zrScore),
			Summary: "Remove all members in a sorted set within the given scores", Since: "1.2.0"}),
		key1(&Command{Name: "zremrangebylex", Arity: 4, Flags: FlagWrite, Handler: zremrangeHandler(zrLex),
			Summary: "Remove all members in a sorted set between the given lexicographical range", Since: "2.8.9"}),
		key1(&Command{Name: "zpopmin", Arity: -2, Flags: FlagWrite | FlagFast, Handler: zpopHandler(false),
			Summary: "Remove and return members with the lowest scores in a sorted set", Since: "5.0.0"}),
		key1(&Command{Name: "zpopmax", Arity: -2, Flags: FlagWrite | FlagFast, Handler: zpopHandler(true),
			Summary: "Remove and return members with the highest scores in a sorted set", Since: "5.0.0"}),
		{Name: "bzpopmin", Arity: -3, Flags: FlagWrite | FlagNoScript | FlagBlocking | FlagFast, FirstKey: 1, LastKey: -2, Step: 1,
			Group: "sorted-set", Handler: bzpopHandler(false),
			Summary: "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", Since: "5.0.0"},
		{Name: "bzpopmax", Arity: -3, Flags: FlagWrite | FlagNoScript | FlagBlocking | FlagFast, FirstKey: 1, LastKey: -2, Step: 1,
			Group: "sorted-set", Handler: bzpopHandler(true),
			Summary: "Remove and return the member with the highest score from one or more sorted sets, or block until one is available", Since: "5.0.0"},
		movable(&Command{Name: "zmpop", Arity: -4, Flags: FlagWrite, Handler: cmdZmpop, GetKeys: zsetNumkeysKeys(1, false),
			Summary: "Remove and return members with scores in a sorted set", Since: "7.0.0"}),
		movable(&Command{Name: "bzmpop", Arity: -5, Flags: FlagWrite | FlagBlocking, Handler: cmdBzmpop, GetKeys: zsetNumkeysKeys(2, false),
			Summary: "Remove and return members with scores in a sorted set or block until one is available", Since: "7.0.0"}),
		movable(&Command{Name: "zunion", Arity: -3, Flags: ro, Handler: zsetOpHandler(zopUnion, false, false), GetKeys: zsetNumkeysKeys(1, false),
			Summary: "Add multiple sorted sets", Since: "6.2.0"}),
		movable(&Command{Name: "zinter", Arity: -3, Flags: ro, Handler: zsetOpHandler(zopInter, false, false), GetKeys: zsetNumkeysKeys(1, false),
			Summary: "Intersect multiple sorted sets", Since: "6.2.0"}),
		movable(&Command{Name: "zdiff", Arity: -3, Flags: ro, Handler: zsetOpHandler(zopDiff, false, false), GetKeys: zsetNumkeysKeys(1, false),
			Summary: "Subtract multiple sorted sets", Since: "6.2.0"}),
		movable(key1(&Command{Name: "zunionstore", Arity: -4, Flags: FlagWrite | FlagDenyOOM, Handler: zsetOpHandler(zopUnion, true, false),
			GetKeys: zsetNumkeysKeys(2, true),
			Summary: "Add multiple sorted sets and store the resulting sorted set in a new key", Since: "2.0.0"})),
		movable(key1(&Command{Name: "zinterstore", Arity: -4, Flags: FlagWrite | FlagDenyOOM, Handler: zsetOpHandler(zopInter, true, false),
			GetKeys: zsetNumkeysKeys(2, true),
			Summary: "Intersect multiple sorted sets and store the resulting sorted set in a new key", Since: "2.0.0"})),
		movable(key1(&Command{Name: "zdiffstore", Arity: -4, Flags: FlagWrite | FlagDenyOOM, Handler: zsetOpHandler(zopDiff, true, false),
			GetKeys: zsetNumkeysKeys(2, true),
			Summary: "Subtract multiple sorted sets and store the resulting sorted set in a new key", Since: "6.2.0"})),
		movable(&Command{Name: "zintercard", Arity: -3, Flags: ro, Handler: zsetOpHandler(zopInter, false, true), GetKeys: zsetNumkeysKeys(1, false),
			Summary: "Intersect multiple sorted sets and return the cardinality of the result", Since: "7.0.0"}),
		key1(&Command{Name: "zrandmember", Arity: -2, Flags: ro, Handler: cmdZrandmember,
			Summary: "Get one or multiple random elements from a sorted set", Since: "6.2.0"}),
		key1(&Command{Name: "zscan", Arity: -3, Flags: ro, Handler: cmdZscan,
			Summary: "Incrementally iterate sorted sets elements and associated scores", Since: "2.8.0"}),
	}
}

// zsetNumkeysKeys finds the keys of a command with a numkeys argument at
// index at: the numkeys keys after it, and the destination key args[1]
// first when dst.
func zsetNumkeysKeys(at int, dst bool) func(args [][]byte) [][]byte {
	return func(args [][]byte) [][]byte {
		if len(args) <= at {
			return nil
		}
		n, ok := sdk.ParseInt(args[at])
		if !ok || n <= 0 || n > int64(len(args)-at-1) {
			return nil
		}
		var keys [][]byte
		if dst {
			keys = append(keys, args[1])
		}
		return append(keys, args[at+1:at+1+int(n)]...)
	}
}

// zsetOf returns an entry's sorted set.
func zsetOf(e *keyspace.Entry) *types.ZSet {
	z, _ := e.Obj.(*types.ZSet)
	return z
}

// readZSet returns key's sorted set for a read command (counting a keyspace
// hit or miss): nil if the key is missing, ErrWrongType if it is not a
// sorted set.
func (c *Client) readZSet(key []byte) (*types.ZSet, error) {
	return valueOf[*types.ZSet](c, key, keyspace.KindZSet, true)
}

// writeZSet is readZSet for a write command.
func (c *Client) writeZSet(key []byte) (*types.ZSet, error) {
	return valueOf[*types.ZSet](c, key, keyspace.KindZSet, false)
}

// createZSet stores a new empty sorted set under key and returns it. Like
// Redis's dbAdd it fires the "new" event and signals the key ready for
// clients blocked on it.
func (c *Client) createZSet(key []byte) *types.ZSet {
	z := types.NewZSet()
	c.db.Set(key, &keyspace.Entry{Kind: keyspace.KindZSet, Obj: z})
	c.keyReady(key)
	return z
}

// zsetStore stores z (not empty) under dst, replacing what was there (and
// its TTL), as Redis's setKey: the "new" event for a new key, the change
// signal, and the key ready for blocked clients.
func (c *Client) zsetStore(dst []byte, z *types.ZSet) {
	c.db.PeekNoTouch(dst, c.srv.now)                                // an expired destination goes first
	c.db.Set(dst, &keyspace.Entry{Kind: keyspace.KindZSet, Obj: z}) // "new" if it was not there
	c.keyModified(dst)
	c.keyReady(dst)
}

// zsetStoreEmpty is the store of an empty result: dst is deleted, with the
// "del" event if it existed.
func (c *Client) zsetStoreEmpty(dst []byte) {
	if c.db.Delete(dst, c.srv.now) {
		c.keyModified(dst)
		c.notify(NotifyGeneric, "del", dst)
	}
}

// zsetDeleteIfEmpty deletes key if its sorted set z became empty, firing
// "del", and reports whether it did.
func (c *Client) zsetDeleteIfEmpty(key []byte, z *types.ZSet) bool {
	if z.Len() != 0 {
		return false
	}
	c.db.Delete(key, c.srv.now)
	c.notify(NotifyGeneric, "del", key)
	return true
}

// zsetOpt reports whether arg is the option word (ASCII, any case), without
// allocating.
func zsetOpt(arg []byte, word string) bool {
	if len(arg) != len(word) {
		return false
	}
	for i := 0; i < len(arg); i++ {
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

// zsetParseRangeFloat parses one end of a score range as Redis's
// zslParseRange does with strtod: leading spaces are skipped, the empty
// string is 0, overflow and underflow are accepted (as inf and 0), NaN is
// not.
func zsetParseRangeFloat(b []byte) (float64, bool) {
	if len(b) == 0 {
		return 0, true // strtod converts nothing and stops at the end
	}
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] >= '\t' && b[i] <= '\r') {
		i++
	}
	s := string(b[i:])
	if s == "" || strings.IndexByte(s, '_') >= 0 {
		return 0, false
	}
	body := s
	if body[0] == '+' || body[0] == '-' {
		body = body[1:]
	}
	if len(body) > 1 && body[0] == '0' && body[1]|0x20 == 'x' && !strings.ContainsAny(body, "pP") {
		s += "p0" // strtod's binary exponent is optional; Go's is not
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// zsetParseScoreRange parses a min and max score ("(1", "-inf", "+inf").
func zsetParseScoreRange(min, max []byte) (types.ScoreRange, bool) {
	var r types.ScoreRange
	var ok bool
	if len(min) > 0 && min[0] == '(' {
		r.MinEx = true
		min = min[1:]
	}
	if r.Min, ok = zsetParseRangeFloat(min); !ok {
		return r, false
	}
	if len(max) > 0 && max[0] == '(' {
		r.MaxEx = true
		max = max[1:]
	}
	if r.Max, ok = zsetParseRangeFloat(max); !ok {
		return r, false
	}
	return r, true
}

// zsetParseLexBound parses "-", "+", "(value" or "[value".
func zsetParseLexBound(b []byte) (types.LexBound, bool) {
	if len(b) == 0 {
		return types.LexBound{}, false
	}
	switch b[0] {
	case '+', '-':
		if len(b) > 1 && b[1] != 0 { // Redis tests the C string
			return types.LexBound{}, false
		}
		inf := int8(1)
		if b[0] == '-' {
			inf = -1
		}
		return types.LexBound{Inf: inf, Ex: true}, true
	case '(':
		return types.LexBound{Value: string(b[1:]), Ex: true}, true
	case '[':
		return types.LexBound{Value: string(b[1:])}, true
	}
	return types.LexBound{}, false
}

func zsetParseLexRange(min, max []byte) (types.LexRange, bool) {
	lo, ok1 := zsetParseLexBound(min)
	hi, ok2 := zsetParseLexBound(max)
	return types.LexRange{Min: lo, Max: hi}, ok1 && ok2
}

func cmdZadd(c *Client, args [][]byte) error { return zaddGeneric(c, args, 0) }

func cmdZincrby(c *Client, args [][]byte) error { return zaddGeneric(c, args, types.ZAddIncr) }

// zaddGeneric is ZADD and ZINCRBY (ZADD INCR), as Redis's
// zaddGenericCommand: options, then the pairs' shape, the option conflicts,
// every score, and only then the key.
func zaddGeneric(c *Client, args [][]byte, flags int) error {
	ch := false
	i := 2
options:
	for ; i < len(args); i++ {
		switch a := args[i]; {
		case zsetOpt(a, "nx"):
			flags |= types.ZAddNX
		case zsetOpt(a, "xx"):
			flags |= types.ZAddXX
		case zsetOpt(a, "ch"):
			ch = true
		case zsetOpt(a, "incr"):
			flags |= types.ZAddIncr
		case zsetOpt(a, "gt"):
			flags |= types.ZAddGT
		case zsetOpt(a, "lt"):
			flags |= types.ZAddLT
		default:
			break options
		}
	}
	n := len(args) - i
	if n == 0 || n%2 != 0 {
		return ErrSyntax
	}
	elements := n / 2
	nx, xx := flags&types.ZAddNX != 0, flags&types.ZAddXX != 0
	gt, lt := flags&types.ZAddGT != 0, flags&types.ZAddLT != 0
	incr := flags&types.ZAddIncr != 0
	if nx && xx {
		return errZaddXXNX
	}
	if gt && nx || lt && nx || gt && lt {
		return errZaddGTLTNX
	}
	if incr && elements > 1 {
		return errZaddIncrPair
	}
	for j := i; j < len(args); j += 2 {
		if _, ok := sdk.ParseFloat(args[j]); !ok {
			return ErrNotFloat
		}
	}
	key := args[1]
	z, err := c.writeZSet(key)
	if err != nil {
		return err
	}
	added, updated, processed := 0, 0, 0
	var score float64
	if z == nil && !xx {
		z = c.createZSet(key)
	}
	if z != nil {
		for j := i; j < len(args); j += 2 {
			s, _ := sdk.ParseFloat(args[j])
			ns, res := z.Add(args[j+1], s, flags)
			if res&types.ZAddedNaN != 0 {
				err = errZaddNaN
				break
			}
			if res&types.ZAdded != 0 {
				added++
			}
			if res&types.ZUpdated != 0 {
				updated++
			}
			if res&types.ZNop == 0 {
				processed++
			}
			score = ns
		}
		if added+updated > 0 {
			c.keyModified(key)
			event := "zadd"
			if incr {
				event = "zincr"
			}
			c.notify(NotifyZSet, event, key)
			c.srv.dirty += int64(added + updated - 1) // keyModified counted one
		}
		c.zsetDeleteIfEmpty(key, z) // only if nothing could be added
	}
	if err != nil {
		return err
	}
	switch {
	case !incr && ch:
		c.out.Int(int64(added + updated))
	case !incr:
		c.out.Int(int64(added))
	case processed > 0:
		c.out.Double(score)
	default:
		c.out.Null()
	}
	return nil
}

func cmdZrem(c *Client, args [][]byte) error {
	key := args[1]
	z, err := c.writeZSet(key)
	if err != nil {
		return err
	}
	deleted, removed := 0, false
	if z != nil {
		for _, m := range args[2:] {
			if z.Remove(m) {
				deleted++
				if z.Len() == 0 {
					c.db.Delete(key, c.srv.now)
					removed = true
					break
				}
			}
		}
	}
	if deleted > 0 {
		c.notify(NotifyZSet, "zrem", key)
		if removed {
			c.notify(NotifyGeneric, "del", key)
		}
		c.keyModified(key)
		c.srv.dirty += int64(deleted - 1)
	}
	c.out.Int(int64(deleted))
	return nil
}

func cmdZscore(c *Client, args [][]byte) error {
	z, err := c.readZSet(args[1])
	if err != nil {
		return err
	}
	if z != nil {
		if s, ok := z.Score(args[2]); ok {
			c.out.Double(s)
			return nil
		}
	}
	c.out.Null()
	return nil
}

func cmdZmscore(c *Client, args [][]byte) error {
	z, err := c.readZSet(args[1])
	if err != nil {
		return err
	}
	c.out.Array(len(args) - 2)
	for _, m := range args[2:] {
		if z != nil {
			if s, ok := z.Score(m); ok {
				c.out.Double(s)
				continue
			}
		}
		c.out.Null()
	}
	return nil
}

func cmdZcard(c *Client, args [][]byte) error {
	z, err := c.readZSet(args[1])
	if err != nil {
		return err
	}
	n := 0
	if z != nil {
		n = z.Len()
	}
	c.out.Int(int64(n))
	return nil
}

func cmdZcount(c *Client, args [][]byte) error {
	r, ok := zsetParseScoreRange(args[2], args[3])
	if !ok {
		return errZMinMaxNotFloat
	}
	z, err := c.readZSet(args[1])
	if err != nil {
		return err
	}
	n := 0
	if z != nil {
		n = z.CountByScore(r)
	}
	c.out.Int(int64(n))
	return nil
}

func cmdZlexcount(c *Client, args [][]byte) error {
	r, ok := zsetParseLexRange(args[2], args[3])
	if !ok {
		return errZLexRange
	}
	z, err := c.readZSet(args[1])
	if err != nil {
		return err
	}
	n := 0
	if z != nil {
		n = z.CountByLex(r)
	}
	c.out.Int(int64(n))
	return nil
}

func zrankHandler(rev bool) HandlerFunc {
	return func(c *Client, args [][]byte) error {
		z, err := c.readZSet(args[1])
		if err != nil {
			return err
		}
		if z != nil {
			if r, ok := z.Rank(args[2], rev); ok {
				c.out.Int(int64(r))
				return nil
			}
		}
		c.out.Null()
		return nil
	}
}

// The kinds of range and their directions, as zrangeGenericCommand's.
type zrangeKind int

const (
	zrAuto zrangeKind = iota
	zrRank
	zrScore
	zrLex
)

type zrangeDir int

const (
	zdirAuto zrangeDir = iota
	zdirFwd
	zdirRev
)

// zrangeHandler is ZRANGE and its variants (kind and dir preset by the
// older commands), and ZRANGESTORE (store).
func zrangeHandler(kind zrangeKind, dir zrangeDir, store bool) HandlerFunc {
	return func(c *Client, args [][]byte) error {
		return zrangeGeneric(c, args, kind, dir, store)
	}
}

// zrangeGeneric is Redis's zrangeGenericCommand.
func zrangeGeneric(c *Client, args [][]byte, kind zrangeKind, dir zrangeDir, store bool) error {
	at := 1 // the source key
	if store {
		at = 2
	}
	minIdx, maxIdx := at+1, at+2
	withScores := false
	var offset, limit int64 = 0, -1
	for j := at + 3; j < len(args); j++ {
		left := len(args) - j - 1
		a := args[j]
		switch {
		case !store && zsetOpt(a, "withscores"):
			withScores = true
		case zsetOpt(a, "limit") && left >= 2:
			var ok bool
			if offset, ok = sdk.ParseInt(args[j+1]); !ok {
				return ErrNotInteger
			}
			if limit, ok = sdk.ParseInt(args[j+2]); !ok {
				return ErrNotInteger
			}
			j += 2
		case dir == zdirAuto && zsetOpt(a, "rev"):
			dir = zdirRev
		case kind == zrAuto && zsetOpt(a, "bylex"):
			kind = zrLex
		case kind == zrAuto && zsetOpt(a, "byscore"):
			kind = zrScore
		default:
			return ErrSyntax
		}
	}
	if dir == zdirAuto {
		dir = zdirFwd
	}
	if kind == zrAuto {
		kind = zrRank
	}
	if limit != -1 && kind == zrRank {
		return errZLimitRank
	}
	if withScores && kind == zrLex {
		return errZWithscoresLex
	}
	rev := dir == zdirRev
	if rev && kind != zrRank {
		minIdx, maxIdx = maxIdx, minIdx
	}
	var start, end int64
	var sr types.ScoreRange
	var lr types.LexRange
	switch kind {
	case zrRank:
		var ok bool
		if start, ok = sdk.ParseInt(args[minIdx]); !ok {
			return ErrNotInteger
		}
		if end, ok = sdk.ParseInt(args[maxIdx]); !ok {
			return ErrNotInteger
		}
	case zrScore:
		var ok bool
		if sr, ok = zsetParseScoreRange(args[minIdx], args[maxIdx]); !ok {
			return errZMinMaxNotFloat
		}
	case zrLex:
		var ok bool
		if lr, ok = zsetParseLexRange(args[minIdx], args[maxIdx]); !ok {
			return errZLexRange
		}
	}
	z, err := c.readZSet(args[at])
	if err != nil {
		return err
	}
	var res zrangeResult
	if store {
		res.entries = []types.ZEntry{}
	} else {
		res.c, res.withScores = c, withScores
	}
	if z != nil {
		switch kind {
		case zrRank:
			if s, e, ok := rankRange(start, end, z.Len()); ok {
				res.begin(e - s + 1)
				z.RangeByRank(s, e, rev, res.emit)
				res.end()
			} else {
				res.begin(0)
				res.end()
			}
		case zrScore:
			res.beginDeferred()
			if offset >= 0 && limit != 0 {
				z.RangeByScore(sr, rev, zsetClampInt(offset), zsetClampInt(limit), res.emit)
			}
			res.end()
		case zrLex:
			res.beginDeferred()
			if offset >= 0 && limit != 0 {
				z.RangeByLex(lr, rev, zsetClampInt(offset), zsetClampInt(limit), res.emit)
			}
			res.end()
		}
	} else if !store {
		c.out.Array(0)
		return nil
	}
	if store {
		dst := args[1]
		if len(res.entries) > 0 {
			c.zsetStore(dst, types.NewZSetFrom(res.entries))
			c.out.Int(int64(len(res.entries)))
			c.notify(NotifyZSet, "zrangestore", dst)
		} else {
			c.out.Int(0)
			c.zsetStoreEmpty(dst)
		}
	}
	return nil
}

// zsetClampInt converts an int64 option to int (they are the same size on
// 64-bit platforms; elsewhere large values saturate).
func zsetClampInt(v int64) int {
	if int64(int(v)) != v {
		if v < 0 {
			return math.MinInt
		}
		return math.MaxInt
	}
	return int(v)
}

// zrangeResult receives a range: it replies to the client (members, with
// their scores as [member, score] pairs in RESP3 or a flat array in RESP2)
// or collects the entries for ZRANGESTORE.
type zrangeResult struct {
	c          *Client
	withScores bool
	entries    []types.ZEntry // store
	handle     int
	deferred   bool
	n          int
}

func (r *zrangeResult) begin(n int) {
	if r.c == nil {
		return
	}
	if r.withScores && r.c.out.Proto() == 2 {
		n *= 2
	}
	r.c.out.Array(n)
}

func (r *zrangeResult) beginDeferred() {
	if r.c == nil {
		return
	}
	r.handle = r.c.out.Defer('*')
	r.deferred = true
}

func (r *zrangeResult) emit(member string, score float64) bool {
	r.n++
	if r.c == nil {
		r.entries = append(r.entries, types.ZEntry{Member: member, Score: score})
		return true
	}
	out := r.c.out
	if r.withScores && out.Proto() > 2 {
		out.Array(2)
	}
	out.BulkString(member)
	if r.withScores {
		out.Double(score)
	}
	return true
}

func (r *zrangeResult) end() {
	if r.c == nil || !r.deferred {
		return
	}
	n := r.n
	if r.withScores && r.c.out.Proto() == 2 {
		n *= 2
	}
	r.c.out.SetDeferred(r.handle, n)
}
