package host

import (
	"errors"
	"strconv"
	"strings"

	"modis/host/internal/glob"
)

// scanArgs are the options of SCAN, HSCAN, SSCAN and ZSCAN.
type scanArgs struct {
	cursor uint64
	match  string // "" matches everything
	count  int    // default 10
	typ    string // SCAN's TYPE filter, lower case; "" none
}

var errInvalidCursor = errors.New("ERR invalid cursor")

// parseScan parses a cursor at args[cursorAt] and the options after it:
// MATCH pattern, COUNT n (at least 1) and, when allowType, TYPE name.
func parseScan(args [][]byte, cursorAt int, allowType bool) (scanArgs, error) {
	a := scanArgs{count: 10}
	cur, ok := parseCursor(args[cursorAt])
	if !ok {
		return a, errInvalidCursor
	}
	a.cursor = cur
	for i := cursorAt + 1; i < len(args); i++ {
		opt := strings.ToUpper(string(args[i]))
		if i+1 >= len(args) {
			return a, ErrSyntax
		}
		val := args[i+1]
		i++
		switch {
		case opt == "MATCH":
			a.match = string(val)
			if a.match == "*" {
				a.match = ""
			}
		case opt == "COUNT":
			n, err := strconv.ParseInt(string(val), 10, 64)
			if err != nil {
				return a, ErrNotInteger
			}
			if n < 1 {
				return a, ErrSyntax
			}
			if n > 1<<30 {
				n = 1 << 30
			}
			a.count = int(n)
		case opt == "TYPE" && allowType:
			a.typ = strings.ToLower(string(val))
		default:
			return a, ErrSyntax
		}
	}
	return a, nil
}

// matches reports whether name passes the MATCH filter.
func (a *scanArgs) matches(name []byte) bool {
	return a.match == "" || glob.Match(a.match, string(name), false)
}

// writeScanReply writes SCAN's reply: the next cursor and the elements.
func writeScanReply(c *Client, next uint64, elems [][]byte) {
	c.out.Array(2)
	c.out.BulkString(strconv.FormatUint(next, 10))
	c.out.Array(len(elems))
	for _, e := range elems {
		c.out.Bulk(e)
	}
}

// parseCursor parses a cursor as Redis does with strtoul: an optional sign
// (a negative cursor wraps around), decimal digits, nothing else.
func parseCursor(b []byte) (uint64, bool) {
	s := string(b)
	neg := false
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" && !neg && len(b) == 0 {
		return 0, true // strtoul("") is 0, and Redis accepts it
	}
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}
