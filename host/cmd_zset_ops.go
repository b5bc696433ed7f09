package host

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"modis/host/internal/keyspace"
	"modis/host/internal/resp"
	"modis/host/internal/types"
	"modis/sdk"
)

// Sorted set commands that remove ranges, pop, block, combine sets, sample
// and scan (the rest are in cmd_zset.go).

// zremrangeHandler is ZREMRANGEBYRANK, ZREMRANGEBYSCORE and ZREMRANGEBYLEX.
func zremrangeHandler(kind zrangeKind) HandlerFunc {
	event := map[zrangeKind]string{zrRank: "zremrangebyrank", zrScore: "zremrangebyscore", zrLex: "zremrangebylex"}[kind]
	return func(c *Client, args [][]byte) error {
		var start, end int64
		var sr types.ScoreRange
		var lr types.LexRange
		var ok bool
		switch kind {
		case zrRank:
			if start, ok = sdk.ParseInt(args[2]); !ok {
				return ErrNotInteger
			}
			if end, ok = sdk.ParseInt(args[3]); !ok {
				return ErrNotInteger
			}
		case zrScore:
			if sr, ok = zsetParseScoreRange(args[2], args[3]); !ok {
				return errZMinMaxNotFloat
			}
		case zrLex:
			if lr, ok = zsetParseLexRange(args[2], args[3]); !ok {
				return errZLexRange
			}
		}
		key := args[1]
		z, err := c.writeZSet(key)
		if err != nil || z == nil {
			if err == nil {
				c.out.Int(0)
			}
			return err
		}
		deleted := 0
		switch kind {
		case zrRank:
			if s, e, ok := rankRange(start, end, z.Len()); ok {
				deleted = z.RemoveRangeByRank(s, e)
			}
		case zrScore:
			deleted = z.RemoveRangeByScore(sr)
		case zrLex:
			deleted = z.RemoveRangeByLex(lr)
		}
		if deleted > 0 {
			c.keyModified(key)
			c.notify(NotifyZSet, event, key)
			c.zsetDeleteIfEmpty(key, z)
			c.srv.dirty += int64(deleted - 1)
		}
		c.out.Int(int64(deleted))
		return nil
	}
}

// zsetPop pops up to count (>= 1) members from the lowest (or highest, max)
// end of key's sorted set z and replies, as Redis's genericZpopCommand, in
// one of its four shapes: a flat [member, score, ...] (ZPOPMIN in RESP2 or
// without COUNT), nested [[member, score], ...] (ZPOPMIN COUNT in RESP3),
// [key, member, score] (BZPOPMIN), or [key, [[member, score], ...]] (ZMPOP,
// BZMPOP). Then it fires the events and deletes an emptied key.
func (c *Client) zsetPop(key []byte, z *types.ZSet, max bool, count int, emitKey, nested bool) {
	n := min(count, z.Len())
	switch {
	case !emitKey && !nested:
		c.out.Array(2 * n)
	case !emitKey && nested:
		c.out.Array(n)
	case emitKey && !nested:
		c.out.Array(2*n + 1)
		c.out.Bulk(key)
	default:
		c.out.Array(2)
		c.out.Bulk(key)
		c.out.Array(n)
	}
	for i := 0; i < n; i++ {
		e := z.Pop(max)
		if nested {
			c.out.Array(2)
		}
		c.out.BulkString(e.Member)
		c.out.Double(e.Score)
	}
	event := "zpopmin"
	if max {
		event = "zpopmax"
	}
	c.notify(NotifyZSet, event, key)
	c.zsetDeleteIfEmpty(key, z)
	c.keyModified(key)
	c.srv.dirty += int64(n - 1)
}

// zsetFirstOf finds the first of keys that holds a sorted set (write
// access), or WRONGTYPE if a key before it holds something else.
func (c *Client) zsetFirstOf(keys [][]byte) ([]byte, *types.ZSet, error) {
	for _, k := range keys {
		z, err := c.writeZSet(k)
		if err != nil {
			return nil, nil, err
		}
		if z != nil && z.Len() > 0 {
			return k, z, nil
		}
	}
	return nil, nil, nil
}

// zpopHandler is ZPOPMIN and ZPOPMAX key [count].
func zpopHandler(max bool) HandlerFunc {
	return func(c *Client, args [][]byte) error {
		if len(args) > 3 {
			return ErrSyntax
		}
		count := int64(-1) // a plain single pop
		if len(args) == 3 {
			n, ok := sdk.ParseInt(args[2])
			if !ok || n < 0 {
				return errZNotPositive
			}
			count = n
		}
		nested := c.out.Proto() > 2 && count != -1
		z, err := c.writeZSet(args[1])
		if err != nil {
			return err
		}
		if z == nil || count == 0 {
			c.out.Array(0)
			return nil
		}
		if count == -1 {
			count = 1
		}
		c.zsetPop(args[1], z, max, zsetClampInt(count), false, nested)
		return nil
	}
}

// zsetMpopArgs are ZMPOP's and BZMPOP's parsed arguments.
type zsetMpopArgs struct {
	keys  [][]byte
	max   bool
	count int
}

// zsetParseMpop parses numkeys (at index at), the keys, MIN|MAX and
// [COUNT count], as zmpopGenericCommand.
func zsetParseMpop(args [][]byte, at int) (zsetMpopArgs, error) {
	var a zsetMpopArgs
	n, ok := sdk.ParseInt(args[at])
	if !ok || n < 1 {
		return a, errZNumkeys
	}
	if n >= int64(len(args)-at-1) {
		return a, ErrSyntax // no room for MIN|MAX
	}
	where := at + int(n) + 1
	switch {
	case zsetOpt(args[where], "min"):
	case zsetOpt(args[where], "max"):
		a.max = true
	default:
		return a, ErrSyntax
	}
	a.keys = args[at+1 : where]
	count := int64(-1)
	for j := where + 1; j < len(args); j++ {
		if count == -1 && zsetOpt(args[j], "count") && j+1 < len(args) {
			j++
			v, ok := sdk.ParseInt(args[j])
			if !ok || v < 1 {
				return a, errZCount
			}
			count = v
			continue
		}
		return a, ErrSyntax
	}
	if count == -1 {
		count = 1
	}
	a.count = zsetClampInt(count)
	return a, nil
}

// cmdZmpop is ZMPOP numkeys key [key ...] MIN|MAX [COUNT count].
func cmdZmpop(c *Client, args [][]byte) error {
	a, err := zsetParseMpop(args, 1)
	if err != nil {
		return err
	}
	for _, k := range a.keys {
		z, err := c.writeZSet(k)
		if err != nil {
			return err
		}
		if z != nil {
			c.zsetPop(k, z, a.max, a.count, true, true)
			return nil
		}
	}
	c.out.NullArray()
	return nil
}

// bzpopHandler is BZPOPMIN and BZPOPMAX key [key ...] timeout.
func bzpopHandler(max bool) HandlerFunc {
	return func(c *Client, args [][]byte) error {
		timeout, err := parseTimeout(args[len(args)-1])
		if err != nil {
			return err
		}
		keys := args[1 : len(args)-1]
		k, z, err := c.zsetFirstOf(keys)
		if err != nil {
			return err
		}
		if z != nil {
			c.zsetPop(k, z, max, 1, true, false)
			return nil
		}
		c.zsetBlock(keys, max, 1, false, timeout)
		return nil
	}
}

// cmdBzmpop is BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count].
func cmdBzmpop(c *Client, args [][]byte) error {
	a, err := zsetParseMpop(args, 2)
	if err != nil {
		return err
	}
	timeout, err := parseTimeout(args[1])
	if err != nil {
		return err
	}
	k, z, err := c.zsetFirstOf(a.keys)
	if err != nil {
		return err
	}
	if z != nil {
		c.zsetPop(k, z, a.max, a.count, true, true)
		return nil
	}
	c.zsetBlock(a.keys, a.max, a.count, true, timeout)
	return nil
}

// zsetBlock blocks a BZPOPMIN/BZPOPMAX/BZMPOP on keys. (Apart from the
// handlers, so that what the closure captures is allocated only when the
// client blocks.) The timeout reply is the null array, as Redis's.
func (c *Client) zsetBlock(keys [][]byte, max bool, count int, mpop bool, timeout time.Duration) {
	keys = copyKeys(keys)
	c.blockOn(keys, timeout, func(c *Client) bool {
		k, z := c.zsetReady(keys)
		if z == nil {
			return false
		}
		if c.aofOn() {
			c.alsoPropagate(zpopCommandName(max), k, []byte(strconv.Itoa(count)))
		}
		c.zsetPop(k, z, max, count, true, mpop)
		return true
	}, func(c *Client) { c.out.NullArray() })
}

// zsetReady finds, for a blocked client being served, the key to serve it
// from and its sorted set (nil if none). Redis serves a client from the key
// that became ready, not the first of its keys that has members: the key
// being served now is one with members that is no longer in the server's
// ready queue (keys still queued became ready later).
func (c *Client) zsetReady(keys [][]byte) ([]byte, *types.ZSet) {
	k, e := c.servingKey(keys, keyspace.KindZSet, func(e *keyspace.Entry) int { return zsetOf(e).Len() })
	if e == nil {
		return nil, nil
	}
	return k, zsetOf(e)
}

// The set operations of ZUNION, ZINTER, ZDIFF, their STORE forms and
// ZINTERCARD.
type zsetOp int

const (
	zopUnion zsetOp = iota
	zopInter
	zopDiff
)

// zsetOpAggregate is AGGREGATE SUM|MIN|MAX.
type zsetOpAggregate int

const (
	zaggSum zsetOpAggregate = iota
	zaggMin
	zaggMax
)

// zsetSetSource is what a plain set offers as an input of ZUNION and
// friends (every member scores 1). ADAPTER: types.Set's Len, At and
// HasString; if that API changes, only this interface and zsetSource need
// to follow.
type zsetSetSource interface {
	Len() int
	At(i int) (str string, v int64, isInt bool)
	HasString(m string) bool
}

var _ zsetSetSource = (*types.Set)(nil)

// zsetSource is one input: a sorted set, a plain set, or nothing (a
// missing key), with its weight.
type zsetSource struct {
	z      *types.ZSet
	set    zsetSetSource
	obj    any // the value, to notice the same key given twice
	weight float64
}

func (s *zsetSource) len() int {
	switch {
	case s.z != nil:
		return s.z.Len()
	case s.set != nil:
		return s.set.Len()
	}
	return 0
}

// each visits the members with their scores: a sorted set from its highest
// score down, as Redis's zuiNext walks one.
func (s *zsetSource) each(fn func(member string, score float64) bool) {
	switch {
	case s.z != nil:
		s.z.Descend(fn)
	case s.set != nil:
		for i, n := 0, s.set.Len(); i < n; i++ {
			str, v, isInt := s.set.At(i)
			if isInt {
				str = strconv.FormatInt(v, 10)
			}
			if !fn(str, 1) {
				return
			}
		}
	}
}

// find returns member's score in the input.
func (s *zsetSource) find(member string) (float64, bool) {
	switch {
	case s.z != nil:
		return s.z.ScoreString(member)
	case s.set != nil:
		if s.set.HasString(member) {
			return 1, true
		}
	}
	return 0, false
}

// zsetAggregate is zunionInterAggregate.
func zsetAggregate(target *float64, val float64, agg zsetOpAggregate) {
	switch agg {
	case zaggSum:
		*target += val
		if math.IsNaN(*target) { // inf + -inf
			*target = 0
		}
	case zaggMin:
		if val < *target {
			*target = val
		}
	case zaggMax:
		if val > *target {
			*target = val
		}
	}
}

// zsetOpHandler is ZUNION/ZINTER/ZDIFF numkeys key... [WEIGHTS w...]
// [AGGREGATE SUM|MIN|MAX] [WITHSCORES], their STORE forms (destination
// first) and ZINTERCARD numkeys key... [LIMIT limit] (cardOnly), as Redis's
// zunionInterDiffGenericCommand: numkeys, the keys' types, then the options.
func zsetOpHandler(op zsetOp, store, cardOnly bool) HandlerFunc {
	return func(c *Client, args [][]byte) error {
		at := 1
		if store {
			at = 2
		}
		n, ok := sdk.ParseInt(args[at])
		if !ok {
			return ErrNotInteger
		}
		if n < 1 {
			return errZAtLeastOneKey(args[0])
		}
		if n > int64(len(args)-at-1) {
			return ErrSyntax
		}
		src := make([]zsetSource, n)
		j := at + 1
		for i := range src {
			src[i].weight = 1
			e := c.db.Lookup(args[j], c.srv.now)
			j++
			if e == nil {
				continue
			}
			switch e.Kind {
			case keyspace.KindZSet:
				src[i].z = zsetOf(e)
			case keyspace.KindSet:
				s, ok := e.Obj.(zsetSetSource)
				if !ok {
					return ErrWrongType
				}
				src[i].set = s
			default:
				return ErrWrongType
			}
			src[i].obj = e.Obj
		}
		agg, withScores, limit := zaggSum, false, int64(0)
		for j < len(args) {
			left := len(args) - j
			a := args[j]
			switch {
			case op != zopDiff && !cardOnly && left >= len(src)+1 && zsetOpt(a, "weights"):
				j++
				for i := range src {
					w, ok := sdk.ParseFloat(args[j])
					if !ok {
						return errZWeightNotFloat
					}
					src[i].weight = w
					j++
				}
			case op != zopDiff && !cardOnly && left >= 2 && zsetOpt(a, "aggregate"):
				switch w := args[j+1]; {
				case zsetOpt(w, "sum"):
					agg = zaggSum
				case zsetOpt(w, "min"):
					agg = zaggMin
				case zsetOpt(w, "max"):
					agg = zaggMax
				default:
					return ErrSyntax
				}
				j += 2
			case !store && !cardOnly && zsetOpt(a, "withscores"):
				withScores = true
				j++
			case cardOnly && left >= 2 && zsetOpt(a, "limit"):
				v, ok := sdk.ParseInt(args[j+1])
				if !ok || v < 0 {
					return errZLimitNegative
				}
				limit = v
				j += 2
			default:
				return ErrSyntax
			}
		}
		if op != zopDiff { // smallest first, as Redis sorts them
			sort.SliceStable(src, func(a, b int) bool { return src[a].len() < src[b].len() })
		}
		var out []types.ZEntry
		switch op {
		case zopInter:
			if cardOnly {
				c.out.Int(zsetInterCard(src, limit))
				return nil
			}
			out = zsetInter(src, agg)
		case zopUnion:
			out = zsetUnion(src, agg)
		case zopDiff:
			out = zsetDiff(src)
		}
		if store {
			dst := args[1]
			if len(out) > 0 {
				c.zsetStore(dst, types.NewZSetFrom(out))
				c.out.Int(int64(len(out)))
				c.notify(NotifyZSet, [...]string{"zunionstore", "zinterstore", "zdiffstore"}[op], dst)
			} else {
				c.out.Int(0)
				c.zsetStoreEmpty(dst)
			}
			return nil
		}
		slices.SortFunc(out, func(a, b types.ZEntry) int {
			switch {
			case a.Score < b.Score:
				return -1
			case a.Score > b.Score:
				return 1
			case a.Member < b.Member:
				return -1
			case a.Member > b.Member:
				return 1
			}
			return 0
		})
		zsetWriteEntries(c.out, out, withScores)
		return nil
	}
}

// errZAtLeastOneKey is the error for numkeys < 1, naming the command.
func errZAtLeastOneKey(name []byte) error {
	return fmt.Errorf("ERR at least 1 input key is needed for '%s' command", strings.ToLower(string(name)))
}

// zsetWriteEntries replies with members, and with their scores as
// [member, score] pairs in RESP3 or a flat array in RESP2.
func zsetWriteEntries(w resp.Writer, out []types.ZEntry, withScores bool) {
	if withScores && w.Proto() == 2 {
		w.Array(2 * len(out))
	} else {
		w.Array(len(out))
	}
	for _, e := range out {
		if withScores && w.Proto() > 2 {
			w.Array(2)
		}
		w.BulkString(e.Member)
		if withScores {
			w.Double(e.Score)
		}
	}
}

func zsetInter(src []zsetSource, agg zsetOpAggregate) []types.ZEntry {
	var out []types.ZEntry
	if src[0].len() == 0 {
		return out
	}
	src[0].each(func(m string, s float64) bool {
		score := src[0].weight * s
		if math.IsNaN(score) {
			score = 0
		}
		for j := 1; j < len(src); j++ {
			var v float64
			if src[j].obj == src[0].obj {
				v = s
			} else {
				var ok bool
				if v, ok = src[j].find(m); !ok {
					return true
				}
			}
			zsetAggregate(&score, v*src[j].weight, agg)
		}
		out = append(out, types.ZEntry{Member: m, Score: score})
		return true
	})
	return out
}

func zsetInterCard(src []zsetSource, limit int64) int64 {
	var card int64
	if src[0].len() == 0 {
		return 0
	}
	src[0].each(func(m string, _ float64) bool {
		for j := 1; j < len(src); j++ {
			if src[j].obj == src[0].obj {
				continue
			}
			if _, ok := src[j].find(m); !ok {
				return true
			}
		}
		card++
		return limit == 0 || card < limit
	})
	return card
}

func zsetUnion(src []zsetSource, agg zsetOpAggregate) []types.ZEntry {
	acc := map[string]int{} // member -> index in out
	var out []types.ZEntry
	for i := range src {
		w := src[i].weight
		src[i].each(func(m string, s float64) bool {
			score := w * s
			if math.IsNaN(score) {
				score = 0
			}
			if k, ok := acc[m]; ok {
				zsetAggregate(&out[k].Score, score, agg)
			} else {
				acc[m] = len(out)
				out = append(out, types.ZEntry{Member: m, Score: score})
			}
			return true
		})
	}
	return out
}

// zsetDiff is the members of the first input in none of the others, with
// their scores in the first.
func zsetDiff(src []zsetSource) []types.ZEntry {
	var out []types.ZEntry
	if src[0].len() == 0 {
		return out
	}
	src[0].each(func(m string, s float64) bool {
		for j := 1; j < len(src); j++ {
			if src[j].obj == src[0].obj {
				return true
			}
			if _, ok := src[j].find(m); ok {
				return true
			}
		}
		out = append(out, types.ZEntry{Member: m, Score: s})
		return true
	})
	return out
}

// cmdZrandmember is ZRANDMEMBER key [count [WITHSCORES]].
func cmdZrandmember(c *Client, args [][]byte) error {
	if len(args) == 2 {
		z, err := c.readZSet(args[1])
		if err != nil {
			return err
		}
		if z == nil {
			c.out.Null()
			return nil
		}
		c.out.BulkString(z.Random().Member)
		return nil
	}
	l, ok := sdk.ParseInt(args[2])
	if !ok {
		return ErrNotInteger
	}
	if l == math.MinInt64 {
		return ErrRandCountRange
	}
	withScores := false
	if len(args) > 4 || len(args) == 4 && !zsetOpt(args[3], "withscores") {
		return ErrSyntax
	}
	if len(args) == 4 {
		withScores = true
		if l < -math.MaxInt64/2 || l > math.MaxInt64/2 {
			return errZOutOfRange
		}
	}
	z, err := c.readZSet(args[1])
	if err != nil {
		return err
	}
	if z == nil || l == 0 {
		c.out.Array(0)
		return nil
	}
	out := c.out
	pair := func(m string, s float64) {
		if withScores && out.Proto() > 2 {
			out.Array(2)
		}
		out.BulkString(m)
		if withScores {
			out.Double(s)
		}
	}
	header := func(n int) {
		if withScores && out.Proto() == 2 {
			out.Array(2 * n)
		} else {
			out.Array(n)
		}
	}
	size := z.Len()
	switch {
	case l < 0 || l == 1: // repeats allowed: count random draws
		count := zsetClampInt(l)
		if count < 0 {
			count = -count
		}
		header(count)
		for i := 0; i < count; i++ {
			e := z.Random()
			pair(e.Member, e.Score)
		}
	case l >= int64(size): // the whole set, walked as Redis's zuiNext does
		header(size)
		z.Descend(func(m string, s float64) bool { pair(m, s); return true })
	default:
		header(int(l))
		z.RandomDistinct(int(l), pair)
	}
	return nil
}

// cmdZscan is ZSCAN key cursor [MATCH pattern] [COUNT count]: the cursor is
// parsed first, then the key is looked up, then the options (Redis's order).
func cmdZscan(c *Client, args [][]byte) error {
	a, perr := parseScan(args, 2, false)
	if perr == errInvalidCursor {
		return perr
	}
	z, err := c.readZSet(args[1])
	if err != nil {
		return err
	}
	if z == nil {
		writeScanReply(c, 0, nil)
		return nil
	}
	if perr != nil {
		return perr
	}
	var elems [][]byte
	next := z.Scan(a.cursor, a.count, func(m string, s float64) {
		if a.matches([]byte(m)) {
			elems = append(elems, []byte(m), resp.AppendReplyDouble(nil, s))
		}
	})
	writeScanReply(c, next, elems)
	return nil
}
