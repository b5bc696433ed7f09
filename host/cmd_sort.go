package host

import (
	"bytes"
	"math"
	"sort"
	"strconv"

	"modis/host/internal/keyspace"
	"modis/host/internal/types"
)

// SORT and SORT_RO, as Redis 7.0's sortCommandGeneric: BY pattern (a
// constant pattern means no sorting), GET patterns ("#" for the element,
// "key*->field" for a hash field), LIMIT offset count, ASC|DESC, ALPHA and
// STORE. Lists, sets and sorted sets are read through small interfaces, so
// this file depends only on what their types can do.

func sortCommands() []*Command {
	return []*Command{
		{Name: "sort", Arity: -2, Flags: FlagWrite | FlagDenyOOM | FlagMovableKeys, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic",
			Handler: sortHandler(false), Summary: "Sort the elements in a list, set or sorted set", Since: "1.0.0"},
		{Name: "sort_ro", Arity: -2, Flags: FlagReadonly | FlagMovableKeys, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic",
			Handler: sortHandler(true), Summary: "Sort the elements in a list, set or sorted set. Read-only variant of SORT.", Since: "7.0.0"},
	}
}

// The shapes SORT reads values through.
type (
	// eacher visits elements in order (lists; sets and sorted sets may
	// offer it too, sorted sets in rank order).
	eacher interface {
		Each(fn func(v []byte) bool)
	}
	// memberEacher visits sorted set members with their scores, in rank
	// order.
	memberEacher interface {
		Each(fn func(member []byte, score float64) bool)
	}
	// indexedMembers gives set members by position (types.Set).
	indexedMembers interface {
		Len() int
		AppendMember(dst []byte, i int) []byte
	}
)

// sortElements returns the elements of a list, set or sorted set in their
// native order (list order, set iteration order, sorted set rank order).
func sortElements(e *keyspace.Entry) ([][]byte, bool) {
	var out [][]byte
	switch v := e.Obj.(type) {
	case indexedMembers:
		n := v.Len()
		out = make([][]byte, 0, n)
		for i := 0; i < n; i++ {
			out = append(out, v.AppendMember(nil, i))
		}
	case eacher:
		v.Each(func(b []byte) bool {
			out = append(out, b)
			return true
		})
	case memberEacher:
		v.Each(func(m []byte, _ float64) bool {
			out = append(out, m)
			return true
		})
	default:
		return nil, false
	}
	return out, true
}

type sortItem struct {
	elem  []byte
	score float64
	cmp   []byte // the BY value, for ALPHA with a BY pattern
	hasBy bool   // cmp was found
}

func sortHandler(readonly bool) HandlerFunc {
	return func(c *Client, args [][]byte) error {
		var (
			desc, alpha, dontsort bool
			limitStart, limitCnt  int64 = 0, -1
			sortBy, storeKey      []byte
			gets                  [][]byte
		)
		for j := 2; j < len(args); j++ {
			left := len(args) - j - 1
			a := args[j]
			switch {
			case kwIs(a, "ASC"):
				desc = false
			case kwIs(a, "DESC"):
				desc = true
			case kwIs(a, "ALPHA"):
				alpha = true
			case kwIs(a, "LIMIT") && left >= 2:
				var ok bool
				if limitStart, ok = keyspace.ParseStrictInt(args[j+1]); !ok {
					return ErrNotInteger
				}
				if limitCnt, ok = keyspace.ParseStrictInt(args[j+2]); !ok {
					return ErrNotInteger
				}
				j += 2
			case !readonly && kwIs(a, "STORE") && left >= 1:
				storeKey = args[j+1]
				j++
			case kwIs(a, "BY") && left >= 1:
				sortBy = args[j+1]
				dontsort = bytes.IndexByte(cString(sortBy), '*') < 0
				j++
			case kwIs(a, "GET") && left >= 1:
				gets = append(gets, args[j+1])
				j++
			default:
				return ErrSyntax
			}
		}

		now := c.srv.now
		e := c.db.Lookup(args[1], now)
		if e != nil && e.Kind != keyspace.KindList && e.Kind != keyspace.KindSet && e.Kind != keyspace.KindZSet {
			return ErrWrongType
		}
		var elems [][]byte
		kind := keyspace.KindList // a missing key sorts as an empty list
		if e != nil {
			kind = e.Kind
			// Redis converts a sorted set to its skiplist encoding for SORT.
			if z, ok := e.Obj.(interface{ ConvertToSkiplist() }); ok {
				z.ConvertToSkiplist()
			}
			var ok bool
			if elems, ok = sortElements(e); !ok {
				return ErrWrongType
			}
		}
		// A set has no order of its own: when it is stored (or sorted in a
		// script) without sorting, sort it alphabetically so the result is
		// deterministic.
		if dontsort && kind == keyspace.KindSet && (storeKey != nil || c.inScript) {
			dontsort, alpha, sortBy = false, true, nil
		}

		n := int64(len(elems))
		start := min(max(limitStart, 0), n)
		limitCnt = min(max(limitCnt, -1), n)
		end := n - 1
		if limitCnt >= 0 {
			end = start + limitCnt - 1
		}
		if start >= n {
			start, end = n-1, n-2
		}
		if end >= n {
			end = n - 1
		}

		items := make([]sortItem, len(elems))
		for i, el := range elems {
			items[i].elem = el
		}
		if dontsort && kind != keyspace.KindSet && desc {
			// Lists and sorted sets keep their order, reversed by DESC.
			for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
				items[i], items[j] = items[j], items[i]
			}
		}

		badScore := false
		if !dontsort {
			for i := range items {
				it := &items[i]
				by := it.elem
				if sortBy != nil {
					v, ok := c.lookupByPattern(sortBy, it.elem)
					if !ok {
						continue
					}
					by = v
				}
				if alpha {
					if sortBy != nil {
						it.cmp, it.hasBy = by, true
					}
				} else if f, ok := strtod(by); ok {
					it.score = f
				} else {
					badScore = true
				}
			}
			sort.SliceStable(items, func(i, j int) bool {
				return sortCompare(&items[i], &items[j], alpha, sortBy != nil, desc) < 0
			})
		}

		if badScore {
			return ErrSortScoreNotFloat
		}
		count := max(end-start+1, 0)
		outLen := count
		if len(gets) > 0 {
			outLen = int64(len(gets)) * count
		}
		if storeKey == nil {
			c.out.Array(int(outLen))
			for i := start; i <= end; i++ {
				el := items[i].elem
				if len(gets) == 0 {
					c.out.Bulk(el)
				}
				for _, g := range gets {
					if v, ok := c.lookupByPattern(g, el); ok {
						c.out.Bulk(v)
					} else {
						c.out.Null()
					}
				}
			}
			return nil
		}

		if outLen > 0 {
			l := types.NewList()
			for i := start; i <= end; i++ {
				el := items[i].elem
				if len(gets) == 0 {
					l.PushBack(el)
				}
				for _, g := range gets {
					v, _ := c.lookupByPattern(g, el) // missing: an empty string
					l.PushBack(v)
				}
			}
			c.db.Peek(storeKey, now)                                             // an expired destination goes first
			c.db.Set(storeKey, &keyspace.Entry{Kind: keyspace.KindList, Obj: l}) // "new" if it was not there
			c.keyModified(storeKey)
			c.keyReady(storeKey)
			c.notify(NotifyList, "sortstore", storeKey)
			c.srv.dirty += outLen - 1 // keyModified counted one
		} else if c.db.Delete(storeKey, now) {
			c.keyModified(storeKey)
			c.notify(NotifyGeneric, "del", storeKey)
		}
		c.out.Int(outLen)
		return nil
	}
}

// sortCompare is Redis's sortCompare.
func sortCompare(a, b *sortItem, alpha, byPattern, desc bool) int {
	var cmp int
	switch {
	case !alpha:
		switch {
		case a.score > b.score:
			cmp = 1
		case a.score < b.score:
			cmp = -1
		default:
			cmp = bytes.Compare(a.elem, b.elem)
		}
	case byPattern:
		switch {
		case !a.hasBy || !b.hasBy:
			if a.hasBy == b.hasBy {
				cmp = 0
			} else if !a.hasBy {
				cmp = -1
			} else {
				cmp = 1
			}
		default:
			cmp = bytes.Compare(a.cmp, b.cmp)
		}
	default:
		cmp = bytes.Compare(a.elem, b.elem)
	}
	if desc {
		return -cmp
	}
	return cmp
}

// cString is b up to its first NUL byte: what C's string functions see of
// an sds.
func cString(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// lookupByPattern is Redis's lookupKeyByPattern: "#" is the element itself;
// otherwise the first '*' of the pattern is replaced by the element to make
// a key name, whose string value is returned, or, with "->field" after the
// '*', that field of the hash stored there. ok is false when there is no
// such value (or no '*').
func (c *Client) lookupByPattern(pattern, subst []byte) ([]byte, bool) {
	cs := cString(pattern)
	if len(cs) == 1 && cs[0] == '#' {
		return subst, true
	}
	p := bytes.IndexByte(cs, '*')
	if p < 0 {
		return nil, false
	}
	var field []byte
	fieldLen := 0
	if f := bytes.Index(cs[p+1:], []byte("->")); f >= 0 && p+1+f+2 < len(cs) {
		at := p + 1 + f
		field = pattern[at+2:]
		fieldLen = len(field)
	}
	postfix := len(pattern) - (p + 1)
	if fieldLen > 0 {
		postfix -= fieldLen + 2
	}
	key := make([]byte, 0, p+len(subst)+postfix)
	key = append(key, pattern[:p]...)
	key = append(key, subst...)
	key = append(key, pattern[p+1:p+1+postfix]...)

	e := c.db.Lookup(key, c.srv.now)
	if e == nil {
		return nil, false
	}
	if fieldLen > 0 {
		if e.Kind != keyspace.KindHash {
			return nil, false
		}
		h := e.Hash()
		if h == nil {
			return nil, false
		}
		return h.Get(field)
	}
	if e.Kind != keyspace.KindString {
		return nil, false
	}
	return e.Str, true
}

// strtod converts b as SORT does with C's strtod: the whole string (up to a
// NUL) must be a number, leading white space allowed; NaN, overflow and
// underflow (ERANGE) are errors. An empty string is 0.
func strtod(b []byte) (float64, bool) {
	s := cString(b)
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	if i == len(s) {
		return 0, i == 0 // nothing converted: fine only if nothing is there
	}
	body := s[i:]
	j := 0
	if body[j] == '+' || body[j] == '-' {
		j++
	}
	rest := body[j:]
	lower := bytes.ToLower(rest)
	switch {
	case bytes.Equal(lower, []byte("inf")), bytes.Equal(lower, []byte("infinity")):
		return math.Inf(1 - 2*boolInt(body[0] == '-')), true
	case bytes.HasPrefix(lower, []byte("nan")):
		return 0, false
	}
	hex := len(lower) > 2 && lower[0] == '0' && lower[1] == 'x' && isNumStart(lower[2:], true)
	digits, nonzero := 0, false
	k := 0
	if hex {
		k = 2
	}
	isDigit := func(ch byte) bool {
		if hex {
			return ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f'
		}
		return ch >= '0' && ch <= '9'
	}
	for k < len(lower) && isDigit(lower[k]) {
		nonzero = nonzero || lower[k] != '0'
		digits++
		k++
	}
	if k < len(lower) && lower[k] == '.' {
		k++
		for k < len(lower) && isDigit(lower[k]) {
			nonzero = nonzero || lower[k] != '0'
			digits++
			k++
		}
	}
	if digits == 0 {
		return 0, false
	}
	expCh := byte('e')
	if hex {
		expCh = 'p'
	}
	hasExp := false
	if k < len(lower) && lower[k] == expCh {
		m := k + 1
		if m < len(lower) && (lower[m] == '+' || lower[m] == '-') {
			m++
		}
		e0 := m
		for m < len(lower) && lower[m] >= '0' && lower[m] <= '9' {
			m++
		}
		if m > e0 {
			k, hasExp = m, true
		}
	}
	if k != len(lower) {
		return 0, false
	}
	num := string(body)
	if hex && !hasExp {
		num += "p0"
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil && !isRangeErr(err) {
		return 0, false
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false // overflow: ERANGE
	}
	if nonzero && math.Abs(f) < 0x1p-1022 {
		return 0, false // underflow to zero or a subnormal: ERANGE
	}
	return f, true
}

// isNumStart reports whether s starts like the digits of a number: a digit,
// or a '.' and a digit.
func isNumStart(s []byte, hex bool) bool {
	d := func(ch byte) bool {
		return ch >= '0' && ch <= '9' || hex && ch >= 'a' && ch <= 'f'
	}
	return len(s) > 0 && (d(s[0]) || s[0] == '.' && len(s) > 1 && d(s[1]))
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
