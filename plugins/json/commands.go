package main

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"modis/sdk"
)

// Error texts of RedisJSON 2.
var (
	errNoKey     = errors.New("ERR could not perform this operation on a key that doesn't exist")
	errNewAtRoot = errors.New("ERR new objects must be created at the root")
	errSyntax    = errors.New("ERR syntax error")
	errStatic    = errors.New("ERR wrong static path")
	errOutRange  = errors.New("ERR array index out of range")
	errBadNumber = errors.New("ERR bad input number")
	errNaN       = errors.New("ERR result is not a number")
)

func errNoPath(path string) error { return errors.New("ERR Path '" + path + "' does not exist") }

func errNoPathOr(path, or string) error {
	return errors.New("ERR Path '" + path + "' does not exist or " + or)
}

// isRootArg reports whether a path argument is the root ("$" or "."), as
// RedisJSON compares Path values.
func isRootArg(s string) bool { return s == "$" || s == "." }

// openDoc opens key and returns its document (nil when the key is empty);
// WRONGTYPE for a key of another type.
func openDoc(ctx sdk.Ctx, key sdk.String, mode int) (sdk.Key, *Doc, error) {
	k := ctx.OpenKey(key, mode)
	d, err := sdk.ValueAs[*Doc](k, docType)
	return k, d, err
}

// changed finishes a write, as RedisJSON's apply_changes: the keyspace
// event, and the command replicated as it was sent (to the AOF).
func changed(ctx sdk.Ctx, event string, key sdk.String) error {
	if err := ctx.NotifyKeyspaceEvent(sdk.NotifyModule, event, key); err != nil {
		return err
	}
	return ctx.ReplicateVerbatim()
}

// at returns the value at a concrete path of the current document (the
// result of an earlier write may have moved bytes, never paths).
func (d *Doc) at(path []seg) (gjson.Result, bool) {
	v := gjson.ParseBytes(d.raw)
	for _, s := range path {
		var next []match
		if s.isIdx {
			next = appendChildren(nil, match{val: v}, step{kind: stepIndex, index: s.index})
		} else {
			next = appendChildren(nil, match{val: v}, step{kind: stepKey, key: s.key})
		}
		if len(next) == 0 {
			return gjson.Result{}, false
		}
		v = next[0].val
	}
	return v, true
}

// JSON.SET key path value [NX | XX]
func jsonSet(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) < 4 {
		return ctx.WrongArity()
	}
	key, pathArg := argv[1], argv[2].String()
	nx, xx := false, false
	for _, a := range argv[4:] {
		switch {
		case strings.EqualFold(a.String(), "NX") && !nx && !xx:
			nx = true
		case strings.EqualFold(a.String(), "XX") && !nx && !xx:
			xx = true
		default:
			return errSyntax
		}
	}
	k, d, err := openDoc(ctx, key, sdk.Read|sdk.Write)
	if err != nil {
		return err
	}
	val, err := canonical(argv[3].Bytes())
	if err != nil {
		return err
	}
	if d == nil {
		switch {
		case xx:
			return ctx.ReplyWithNull()
		case !isRootArg(pathArg):
			return errNewAtRoot
		}
		if err := k.ModuleTypeSetValue(docType, &Doc{raw: val}); err != nil {
			return err
		}
		if err := changed(ctx, "json.set", key); err != nil {
			return err
		}
		return ctx.ReplyWithSimpleString("OK")
	}
	if isRootArg(pathArg) {
		if nx {
			return ctx.ReplyWithNull()
		}
		d.raw = val
		if err := changed(ctx, "json.set", key); err != nil {
			return err
		}
		return ctx.ReplyWithSimpleString("OK")
	}
	p, err := parsePath(pathArg)
	if err != nil {
		return err
	}
	updated, err := d.set(p, val, nx, xx)
	if err != nil {
		return err
	}
	if !updated {
		return ctx.ReplyWithNull()
	}
	if err := changed(ctx, "json.set", key); err != nil {
		return err
	}
	return ctx.ReplyWithSimpleString("OK")
}

// set is JSON.SET below the root: replace what the path finds (unless NX),
// else add the member it names to its parent object (unless XX).
func (d *Doc) set(p *jpath, val []byte, nx, xx bool) (bool, error) {
	if !nx {
		if ms := find(d.raw, p.steps); len(ms) > 0 {
			paths := make([][]seg, len(ms))
			for i, m := range ms {
				paths[i] = m.at
			}
			for _, at := range forDeletion(paths) { // outer values only
				if err := d.replace(at, val); err != nil {
					return false, err
				}
			}
			return true, nil
		}
	}
	if xx {
		return false, nil
	}
	if !p.isStatic() {
		return false, errStatic
	}
	last := p.steps[len(p.steps)-1]
	if last.kind == stepIndex {
		if len(find(d.raw, p.steps)) == 0 {
			return false, errOutRange
		}
		return false, nil // NX, and the element exists
	}
	updated := false
	for _, parent := range find(d.raw, p.steps[:len(p.steps)-1]) {
		if !parent.val.IsObject() {
			continue
		}
		cur, ok := d.at(parent.at)
		if !ok {
			continue
		}
		if _, exists := member(cur, last.key); exists {
			continue
		}
		if err := d.addMember(parent.at, cur, last.key, val); err != nil {
			return updated, err
		}
		updated = true
	}
	return updated, nil
}

// JSON.GET key [INDENT indent] [NEWLINE newline] [SPACE space] [path ...]
func jsonGet(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) < 2 {
		return ctx.WrongArity()
	}
	var indent, newline, space string
	var paths []*jpath
	var pathArgs []string
	for i := 2; i < len(argv); i++ {
		a := argv[i].String()
		opt := func(dst *string) bool {
			if i+1 >= len(argv) {
				return false
			}
			i++
			*dst = argv[i].String()
			return true
		}
		switch {
		case strings.EqualFold(a, "INDENT"):
			if !opt(&indent) {
				return ctx.WrongArity()
			}
		case strings.EqualFold(a, "NEWLINE"):
			if !opt(&newline) {
				return ctx.WrongArity()
			}
		case strings.EqualFold(a, "SPACE"):
			if !opt(&space) {
				return ctx.WrongArity()
			}
		case strings.EqualFold(a, "NOESCAPE"): // RedisJSON 1's option, ignored
		case strings.EqualFold(a, "FORMAT"):
			return errors.New("ERR FORMAT argument is not supported on RESP2")
		default:
			pathArgs = append(pathArgs, a)
		}
	}
	if len(pathArgs) == 0 {
		pathArgs = []string{"."}
	}
	_, d, err := openDoc(ctx, argv[1], sdk.Read)
	if err != nil {
		return err
	}
	if d == nil {
		return ctx.ReplyWithNull()
	}
	legacy := true
	for _, a := range pathArgs {
		p, err := parsePath(a)
		if err != nil {
			return err
		}
		paths = append(paths, p)
		legacy = legacy && p.legacy
	}
	var out []byte
	if len(paths) == 1 {
		p := paths[0]
		ms := find(d.raw, p.steps)
		if legacy {
			if len(ms) == 0 {
				return errNoPath(p.fixed)
			}
			out = []byte(ms[0].val.Raw)
		} else {
			out = appendMatches(nil, ms)
		}
	} else {
		out = append(out, '{')
		seen := map[string]bool{}
		n := 0
		for _, p := range paths {
			if seen[p.orig] {
				continue
			}
			seen[p.orig] = true
			ms := find(d.raw, p.steps)
			if n > 0 {
				out = append(out, ',')
			}
			n++
			out = appendQuoted(out, p.orig)
			out = append(out, ':')
			if legacy {
				if len(ms) == 0 {
					return errNoPath(p.orig)
				}
				out = append(out, ms[0].val.Raw...)
			} else {
				out = appendMatches(out, ms)
			}
		}
		out = append(out, '}')
	}
	return ctx.ReplyWithStringBuffer(format(out, indent, newline, space))
}

// appendMatches appends the values as a JSON array.
func appendMatches(dst []byte, ms []match) []byte {
	dst = append(dst, '[')
	for i, m := range ms {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, m.val.Raw...)
	}
	return append(dst, ']')
}

// JSON.DEL key [path] (and its alias JSON.FORGET)
func jsonDel(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) < 2 {
		return ctx.WrongArity()
	}
	pathArg := "."
	if len(argv) > 2 {
		pathArg = argv[2].String()
	}
	k, d, err := openDoc(ctx, argv[1], sdk.Read|sdk.Write)
	if err != nil {
		return err
	}
	if d == nil {
		return ctx.ReplyWithLongLong(0)
	}
	deleted := 0
	if isRootArg(pathArg) {
		if err := k.DeleteKey(); err != nil {
			return err
		}
		deleted = 1
	} else {
		p, err := parsePath(pathArg)
		if err != nil {
			return err
		}
		ms := find(d.raw, p.steps)
		paths := make([][]seg, 0, len(ms))
		for _, m := range ms {
			paths = append(paths, m.at)
		}
		for _, at := range forDeletion(paths) {
			if len(at) == 0 { // the root, found by a JSONPath
				if err := k.DeleteKey(); err != nil {
					return err
				}
				deleted++
				break
			}
			if err := d.remove(at); err != nil {
				return err
			}
			deleted++
		}
	}
	if deleted > 0 {
		if err := changed(ctx, "json.del", argv[1]); err != nil {
			return err
		}
	}
	return ctx.ReplyWithLongLong(int64(deleted))
}

// JSON.TYPE key [path]
func jsonTypeCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) < 2 {
		return ctx.WrongArity()
	}
	pathArg := "."
	if len(argv) > 2 {
		pathArg = argv[2].String()
	}
	_, d, err := openDoc(ctx, argv[1], sdk.Read)
	if err != nil {
		return err
	}
	if d == nil {
		return ctx.ReplyWithNull()
	}
	p, err := parsePath(pathArg)
	if err != nil {
		if strings.HasPrefix(pathArg, "$") {
			return err
		}
		return ctx.ReplyWithNull() // RedisJSON turns a bad legacy path into null
	}
	ms := find(d.raw, p.steps)
	if p.legacy {
		if len(ms) == 0 {
			return ctx.ReplyWithNull()
		}
		return ctx.ReplyWithCString(typeName(ms[0].val))
	}
	if err := ctx.ReplyWithArray(len(ms)); err != nil {
		return err
	}
	for _, m := range ms {
		ctx.ReplyWithCString(typeName(m.val))
	}
	return nil
}

// JSON.NUMINCRBY key path number
func jsonNumIncrBy(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 4 {
		return ctx.WrongArity()
	}
	key := argv[1]
	_, d, err := openDoc(ctx, key, sdk.Read|sdk.Write)
	if err != nil {
		return err
	}
	if d == nil {
		return errNoKey
	}
	p, err := parsePath(argv[2].String())
	if err != nil {
		return err
	}
	ms := find(d.raw, p.steps)
	var in gjson.Result
	parsed := false
	parseIn := func() error {
		if parsed {
			return nil
		}
		raw, err := canonical(argv[3].Bytes())
		if err != nil {
			return err
		}
		in = gjson.ParseBytes(raw)
		if in.Type != gjson.Number {
			return errBadNumber
		}
		parsed = true
		return nil
	}
	results := make([][]byte, len(ms)) // nil: not a number
	updated := false
	for i, m := range ms {
		if m.val.Type != gjson.Number {
			continue
		}
		if err := parseIn(); err != nil {
			return err
		}
		cur, ok := d.at(m.at)
		if !ok {
			continue
		}
		res, err := addNumbers(cur.Raw, in.Raw)
		if err != nil {
			return err
		}
		if err := d.replace(m.at, res); err != nil {
			return err
		}
		results[i] = res
		updated = true
	}
	var reply []byte
	if p.legacy {
		for _, r := range results {
			if r != nil {
				reply = r
			}
		}
		if reply == nil {
			return errNoPathOr(p.fixed, "does not contains a number")
		}
	} else {
		reply = append(reply, '[')
		for i, r := range results {
			if i > 0 {
				reply = append(reply, ',')
			}
			if r == nil {
				r = []byte("null")
			}
			reply = append(reply, r...)
		}
		reply = append(reply, ']')
	}
	if updated {
		if err := changed(ctx, "json.numincrby", key); err != nil {
			return err
		}
	}
	return ctx.ReplyWithStringBuffer(reply)
}

// addNumbers adds two canonical numbers as RedisJSON does: two integers
// give an integer (a float when the sum overflows an int64), anything else
// a float, printed as serde_json prints it; a sum that is not finite is an
// error.
func addNumbers(a, b string) ([]byte, error) {
	if isInteger(a) && isInteger(b) {
		x, _ := strconv.ParseInt(a, 10, 64)
		y, _ := strconv.ParseInt(b, 10, 64)
		if s := x + y; (s > x) == (y > 0) {
			return strconv.AppendInt(nil, s, 10), nil
		}
	}
	x, _ := strconv.ParseFloat(a, 64)
	y, _ := strconv.ParseFloat(b, 64)
	s := x + y
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return nil, errNaN
	}
	return appendRyu(nil, s), nil
}

// JSON.ARRAPPEND key path value [value ...]
func jsonArrAppend(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) < 4 {
		return ctx.WrongArity()
	}
	key := argv[1]
	vals := make([][]byte, 0, len(argv)-3)
	for _, a := range argv[3:] {
		v, err := canonical(a.Bytes())
		if err != nil {
			return err
		}
		vals = append(vals, v)
	}
	_, d, err := openDoc(ctx, key, sdk.Read|sdk.Write)
	if err != nil {
		return err
	}
	if d == nil {
		return errNoKey
	}
	p, err := parsePath(argv[2].String())
	if err != nil {
		return err
	}
	ms := find(d.raw, p.steps)
	lens := make([]int, len(ms)) // -1: not an array
	updated := false
	last := -1
	for i, m := range ms {
		lens[i] = -1
		if !m.val.IsArray() {
			continue
		}
		cur, ok := d.at(m.at)
		if !ok {
			continue
		}
		n, err := d.appendElems(m.at, cur, vals)
		if err != nil {
			return err
		}
		lens[i], last, updated = n, n, true
	}
	if p.legacy && !updated {
		return errNoPathOr(p.orig, "not an array")
	}
	if updated {
		if err := changed(ctx, "json.arrappend", key); err != nil {
			return err
		}
	}
	if p.legacy {
		return ctx.ReplyWithLongLong(int64(last))
	}
	if err := ctx.ReplyWithArray(len(lens)); err != nil {
		return err
	}
	for _, n := range lens {
		if n < 0 {
			ctx.ReplyWithNull()
		} else {
			ctx.ReplyWithLongLong(int64(n))
		}
	}
	return nil
}
