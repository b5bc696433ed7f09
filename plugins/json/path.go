package main

// Paths, as RedisJSON 2 reads them. A path that starts with "$" followed by
// nothing, "." or "[" is a JSONPath: its commands reply with every match
// (JSON.GET with a JSON array). Any other path is a legacy (RedisJSON 1)
// path, turned into a JSONPath the way RedisJSON does ("." is "$", ".a.b"
// is "$.a.b", "a.b" is "$.a.b"), whose commands work on the first match
// and fail when there is none. The JSONPath subset understood here:
//
//	$              the root
//	.name          an object member (name: anything up to the next . or [)
//	['name'] ["n"] an object member, quoted (\' \" \\ escapes)
//	[3] [-1]       an array element; negative counts from the end
//	.* [*]         every member or element
//	..name ..* ..[n] the same, at any depth (the node itself included)
//
// Matching reads the document with gjson; writes go through sjson at the
// concrete path of each match (see doc.go).

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

type stepKind uint8

const (
	stepKey stepKind = iota
	stepIndex
	stepWild
	stepDescend // the next step applies at every depth
)

type step struct {
	kind  stepKind
	key   string
	index int
}

// jpath is a parsed path.
type jpath struct {
	orig   string // as the client gave it
	fixed  string // the JSONPath it stands for (orig, or a legacy path turned into one)
	legacy bool
	steps  []step
}

// parsePath parses a path as RedisJSON's Path::new and json_path do.
// Syntax errors have json_path's form.
func parsePath(s string) (*jpath, error) {
	p := &jpath{orig: s, fixed: s}
	if !(strings.HasPrefix(s, "$") && (len(s) == 1 || s[1] == '.' || s[1] == '[')) {
		p.legacy = true
		switch {
		case s == ".":
			p.fixed = "$"
		case strings.HasPrefix(s, "."):
			p.fixed = "$" + s
		default:
			p.fixed = "$." + s
		}
	}
	steps, err := parseSteps(p.fixed)
	if err != nil {
		return nil, err
	}
	p.steps = steps
	return p, nil
}

func pathError(pos int, msg string) error {
	return fmt.Errorf("ERR Error occurred on position %d, %s", pos, msg)
}

func parseSteps(s string) ([]step, error) {
	if s == "" || s[0] != '$' {
		return nil, pathError(1, "expected root '$'")
	}
	var steps []step
	i := 1
	for i < len(s) {
		switch s[i] {
		case '.':
			i++
			if i < len(s) && s[i] == '.' { // recursive descent
				i++
				steps = append(steps, step{kind: stepDescend})
				if i < len(s) && s[i] == '[' {
					continue // ..[n] ..['a'] ..[*]
				}
			}
			if i >= len(s) {
				return nil, pathError(i, "expected a member name after '.'")
			}
			if s[i] == '[' { // ".[0]", as a legacy path "[0]" becomes
				continue
			}
			if s[i] == '*' {
				steps = append(steps, step{kind: stepWild})
				i++
				continue
			}
			j := i
			for j < len(s) && s[j] != '.' && s[j] != '[' {
				j++
			}
			if j == i {
				return nil, pathError(i+1, "expected a member name after '.'")
			}
			steps = append(steps, step{kind: stepKey, key: s[i:j]})
			i = j
		case '[':
			st, n, err := parseBracket(s, i)
			if err != nil {
				return nil, err
			}
			steps = append(steps, st)
			i = n
		default:
			return nil, pathError(i+1, fmt.Sprintf("unexpected '%c'", s[i]))
		}
	}
	if len(steps) > 0 && steps[len(steps)-1].kind == stepDescend {
		return nil, pathError(len(s), "expected a member name after '..'")
	}
	return steps, nil
}

// parseBracket parses a [...] selector at s[i] and returns it and the
// position after it.
func parseBracket(s string, i int) (step, int, error) {
	i++ // [
	if i >= len(s) {
		return step{}, 0, pathError(i, "unterminated '['")
	}
	switch c := s[i]; {
	case c == '*':
		if i+1 >= len(s) || s[i+1] != ']' {
			return step{}, 0, pathError(i+2, "expected ']'")
		}
		return step{kind: stepWild}, i + 2, nil
	case c == '\'' || c == '"':
		var key []byte
		j := i + 1
		for ; j < len(s) && s[j] != c; j++ {
			if s[j] == '\\' && j+1 < len(s) {
				j++
			}
			key = append(key, s[j])
		}
		if j >= len(s) || j+1 >= len(s) || s[j+1] != ']' {
			return step{}, 0, pathError(j+1, "expected a quoted member name and ']'")
		}
		return step{kind: stepKey, key: string(key)}, j + 2, nil
	default:
		j := i
		if j < len(s) && s[j] == '-' {
			j++
		}
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j >= len(s) || s[j] != ']' || j == i || s[i:j] == "-" {
			return step{}, 0, pathError(i+1, "expected an index, '*' or a quoted name (slices and filters are not supported)")
		}
		n, err := strconv.Atoi(s[i:j])
		if err != nil {
			return step{}, 0, pathError(i+1, "index out of range")
		}
		return step{kind: stepIndex, index: n}, j + 1, nil
	}
}

// isRoot reports whether the path is the whole document ("$" or ".").
func (p *jpath) isRoot() bool { return len(p.steps) == 0 }

// isStatic reports whether the path names at most one place (no wildcard,
// no descent), as json_path's is_static.
func (p *jpath) isStatic() bool {
	for _, st := range p.steps {
		if st.kind == stepWild || st.kind == stepDescend {
			return false
		}
	}
	return true
}

// seg is one step of a concrete path: an object member or array position.
type seg struct {
	key   string
	index int
	isIdx bool
}

// match is a value a path found: where it is, and it.
type match struct {
	at  []seg
	val gjson.Result
}

// find returns the values the steps select in doc, in document order.
func find(doc []byte, steps []step) []match {
	cur := []match{{val: gjson.ParseBytes(doc)}}
	descend := false
	for _, st := range steps {
		if st.kind == stepDescend {
			descend = true
			continue
		}
		if descend {
			var all []match
			for _, m := range cur {
				all = appendSubtree(all, m)
			}
			cur = all
			descend = false
		}
		var next []match
		for _, m := range cur {
			next = appendChildren(next, m, st)
		}
		cur = next
		if len(cur) == 0 {
			break
		}
	}
	return cur
}

// child extends a concrete path by one segment (a fresh slice).
func child(at []seg, s seg) []seg {
	out := make([]seg, len(at), len(at)+1)
	copy(out, at)
	return append(out, s)
}

// appendSubtree appends m and every value under it, in document order.
func appendSubtree(dst []match, m match) []match {
	dst = append(dst, m)
	switch {
	case m.val.IsObject():
		m.val.ForEach(func(k, v gjson.Result) bool {
			dst = appendSubtree(dst, match{at: child(m.at, seg{key: k.Str}), val: v})
			return true
		})
	case m.val.IsArray():
		i := 0
		m.val.ForEach(func(_, v gjson.Result) bool {
			dst = appendSubtree(dst, match{at: child(m.at, seg{index: i, isIdx: true}), val: v})
			i++
			return true
		})
	}
	return dst
}

// appendChildren appends the children of m that st selects.
func appendChildren(dst []match, m match, st step) []match {
	switch {
	case m.val.IsObject():
		switch st.kind {
		case stepKey:
			if v, ok := member(m.val, st.key); ok {
				dst = append(dst, match{at: child(m.at, seg{key: st.key}), val: v})
			}
		case stepWild:
			m.val.ForEach(func(k, v gjson.Result) bool {
				dst = append(dst, match{at: child(m.at, seg{key: k.Str}), val: v})
				return true
			})
		}
	case m.val.IsArray():
		switch st.kind {
		case stepIndex:
			elems := m.val.Array()
			i := st.index
			if i < 0 {
				i += len(elems)
			}
			if i >= 0 && i < len(elems) {
				dst = append(dst, match{at: child(m.at, seg{index: i, isIdx: true}), val: elems[i]})
			}
		case stepWild:
			i := 0
			m.val.ForEach(func(_, v gjson.Result) bool {
				dst = append(dst, match{at: child(m.at, seg{index: i, isIdx: true}), val: v})
				i++
				return true
			})
		}
	}
	return dst
}

// member finds an object member by its (decoded) name.
func member(obj gjson.Result, name string) (gjson.Result, bool) {
	var out gjson.Result
	found := false
	obj.ForEach(func(k, v gjson.Result) bool {
		if k.Str == name {
			out, found = v, true
			return false
		}
		return true
	})
	return out, found
}

// sjsonPath spells a concrete path in sjson's syntax: members with sjson's
// special characters escaped, and forced to be member names (":") when
// they look like array positions; positions in decimal.
func sjsonPath(at []seg) string {
	var b strings.Builder
	for i, s := range at {
		if i > 0 {
			b.WriteByte('.')
		}
		if s.isIdx {
			b.WriteString(strconv.Itoa(s.index))
			continue
		}
		if looksNumeric(s.key) {
			b.WriteByte(':')
		}
		for j := 0; j < len(s.key); j++ {
			switch c := s.key[j]; c {
			case '.', '\\', '|', '#', '@', '*', '?':
				b.WriteByte('\\')
				b.WriteByte(c)
			case ':':
				if j == 0 && !looksNumeric(s.key) {
					b.WriteByte('\\')
				}
				b.WriteByte(c)
			default:
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}

func looksNumeric(k string) bool {
	if k == "" {
		return false
	}
	if k[0] == '-' {
		k = k[1:]
	}
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < '0' || k[i] > '9' {
			return false
		}
	}
	return true
}

// typeName is the name JSON.TYPE gives a value.
func typeName(v gjson.Result) string {
	switch v.Type {
	case gjson.Null:
		return "null"
	case gjson.True, gjson.False:
		return "boolean"
	case gjson.String:
		return "string"
	case gjson.Number:
		if isInteger(v.Raw) {
			return "integer"
		}
		return "number"
	}
	if v.IsArray() {
		return "array"
	}
	return "object"
}

// isInteger reports whether a canonical number is an integer that fits an
// int64 (what RedisJSON calls an integer).
func isInteger(raw string) bool {
	_, err := strconv.ParseInt(raw, 10, 64)
	return err == nil
}
