package main

// The document: canonical JSON bytes (value.go), never changed in place.
// Every write builds new bytes with sjson and swaps them in, so a COPY, a
// background save or a reply may share the old ones safely.

import (
	"errors"
	"slices"
	"strings"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// Doc is a JSON document, the value of a ReJSON-RL key.
type Doc struct {
	raw []byte
}

// errEmptyMember: sjson cannot address a member whose name is empty.
var errEmptyMember = errors.New("ERR this module cannot change a value under an empty member name")

func checkPath(at []seg) error {
	for _, s := range at {
		if !s.isIdx && s.key == "" {
			return errEmptyMember
		}
	}
	return nil
}

// replace sets the value at a concrete path (which must exist) to raw.
func (d *Doc) replace(at []seg, raw []byte) error {
	if len(at) == 0 {
		d.raw = raw
		return nil
	}
	if err := checkPath(at); err != nil {
		return err
	}
	out, err := sjson.SetRawBytes(d.raw, sjsonPath(at), raw)
	if err != nil {
		return err
	}
	d.raw = out
	return nil
}

// remove deletes the value at a concrete path (not the root).
func (d *Doc) remove(at []seg) error {
	if err := checkPath(at); err != nil {
		return err
	}
	out, err := sjson.DeleteBytes(d.raw, sjsonPath(at))
	if err != nil {
		return err
	}
	d.raw = out
	return nil
}

// addMember adds member name = raw to the object at a concrete path.
func (d *Doc) addMember(at []seg, obj gjson.Result, name string, raw []byte) error {
	o := obj.Raw
	buf := make([]byte, 0, len(o)+len(name)+len(raw)+4)
	buf = append(buf, o[:len(o)-1]...)
	if len(o) > 2 {
		buf = append(buf, ',')
	}
	buf = appendQuoted(buf, name)
	buf = append(buf, ':')
	buf = append(buf, raw...)
	buf = append(buf, '}')
	return d.replace(at, buf)
}

// appendElems appends values to the array at a concrete path and returns
// its new length.
func (d *Doc) appendElems(at []seg, arr gjson.Result, vals [][]byte) (int, error) {
	a := arr.Raw
	n := len(arr.Array())
	size := len(a)
	for _, v := range vals {
		size += len(v) + 1
	}
	buf := make([]byte, 0, size)
	buf = append(buf, a[:len(a)-1]...)
	for i, v := range vals {
		if n > 0 || i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, v...)
	}
	buf = append(buf, ']')
	if err := d.replace(at, buf); err != nil {
		return 0, err
	}
	return n + len(vals), nil
}

// forDeletion orders concrete paths as RedisJSON's
// prepare_paths_for_updating: a path under another one in the set is
// dropped (deleting the outer one deletes it), and later array positions
// come before earlier ones in the same array, so deleting one never moves
// another.
func forDeletion(paths [][]seg) [][]seg {
	slices.SortFunc(paths, func(a, b []seg) int {
		for i := 0; i < len(a) && i < len(b); i++ {
			x, y := a[i], b[i]
			switch {
			case x.isIdx && y.isIdx:
				if x.index != y.index {
					return y.index - x.index // higher first
				}
			case !x.isIdx && !y.isIdx:
				if c := strings.Compare(x.key, y.key); c != 0 {
					return c
				}
			case x.isIdx:
				return 1
			default:
				return -1
			}
		}
		return len(b) - len(a) // longer first
	})
	var out [][]seg
	for _, p := range paths {
		nested := false
		for _, q := range paths {
			if len(q) < len(p) && segsEqual(q, p[:len(q)]) {
				nested = true
				break
			}
		}
		if !nested && (len(out) == 0 || !segsEqual(out[len(out)-1], p)) {
			out = append(out, p)
		}
	}
	return out
}

func segsEqual(a, b []seg) bool {
	return slices.Equal(a, b)
}
