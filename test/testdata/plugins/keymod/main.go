// Command keymod is a test module for the key, scan and string APIs of the
// sdk. Its main command runs a little program of key operations on one
// open key and replies with one result per operation, so a test can drive
// every function of sdk.Key, in any order, through the real plugin:
//
//	KEYMOD.DO key mode op [arg ...] [op [arg ...] ...]
//
// mode is r, w or rw, with "nt" appended for OpenKeyNoTouch. An operation's
// error is replied in its place (as an error element of the array), and
// the program goes on. The operations and their arguments are listed in
// the ops table below. A program run on a key opened with w is replicated
// verbatim (to the AOF). Loaded with the argument "noimplicit", the module
// sets NO_IMPLICIT_SIGNAL_MODIFIED.
package main

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"modis/sdk"
)

func OnLoad(ctx sdk.Ctx, args []sdk.String) error {
	if err := ctx.Init("keymod", 1, sdk.APIVER_1); err != nil {
		return err
	}
	if len(args) > 0 && args[0].String() == "noimplicit" {
		ctx.SetModuleOptions(sdk.ModuleOptionNoImplicitSignalModified)
	}
	cmds := []struct {
		name  string
		fn    sdk.CmdFunc
		flags string
		f, l  int
	}{
		{"keymod.do", doCmd, "write", 1, 1},
		{"keymod.exists", existsCmd, "readonly", 1, 1},
		{"keymod.select", selectCmd, "readonly", 0, 0},
		{"keymod.dbsize", dbsizeCmd, "readonly", 0, 0},
		{"keymod.randomkey", randomkeyCmd, "readonly", 0, 0},
		{"keymod.signal", signalCmd, "write", 1, 1},
		{"keymod.leaveopen", leaveOpenCmd, "write", 1, 1},
		{"keymod.scan", scanCmd, "readonly", 0, 0},
		{"keymod.scandel", scanDelCmd, "write", 0, 0},
		{"keymod.str", strCmd, "readonly", 0, 0},
	}
	for _, c := range cmds {
		step := 0
		if c.f > 0 {
			step = 1
		}
		if err := ctx.CreateCommand(c.name, c.fn, c.flags, c.f, c.l, step); err != nil {
			return err
		}
	}
	return nil
}

// op is one operation of KEYMOD.DO: it takes n arguments and replies once.
type op struct {
	n  int
	fn func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error
}

var ops map[string]op

func init() {
	ops = map[string]op{
		"type": {0, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			return ctx.ReplyWithSimpleString(k.KeyType().String())
		}},
		"len": {0, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error { return ctx.ReplyWithLongLong(k.ValueLength()) }},
		"del": {0, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error { return ok(ctx, k.DeleteKey()) }},
		"unlink": {0, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			return ok(ctx, k.UnlinkKey())
		}},
		"close": {0, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error { k.Close(); return ctx.ReplyWithSimpleString("OK") }},
		"name": {0, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			return ctx.ReplyWithString(k.GetKeyNameFromModuleKey())
		}},
		"dbid": {0, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			return ctx.ReplyWithLongLong(int64(k.GetDbIdFromModuleKey()))
		}},
		"getexpire":    {0, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error { return ctx.ReplyWithLongLong(k.GetExpire()) }},
		"getabsexpire": {0, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error { return ctx.ReplyWithLongLong(k.GetAbsExpire()) }},
		"setexpire": {1, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			n, err := a[0].ToLongLong()
			if err != nil {
				return err
			}
			return ok(ctx, k.SetExpire(n))
		}},
		"setabsexpire": {1, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			n, err := a[0].ToLongLong()
			if err != nil {
				return err
			}
			return ok(ctx, k.SetAbsExpire(n))
		}},
		"set": {1, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error { return ok(ctx, k.StringSet(a[0])) }},
		"dma": {0, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			b, err := k.StringDMA(sdk.Read)
			if err != nil {
				return err
			}
			return ctx.ReplyWithStringBuffer(b)
		}},
		// dmawrite offset bytes: write bytes at offset through a Write DMA,
		// reply with the whole value as the DMA slice shows it.
		"dmawrite": {2, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			off, err := a[0].ToLongLong()
			if err != nil {
				return err
			}
			b, err := k.StringDMA(sdk.Write)
			if err != nil {
				return err
			}
			if off < 0 || int(off)+a[1].Len() > len(b) {
				return errors.New("ERR dmawrite past the end")
			}
			copy(b[off:], a[1].Bytes())
			_ = append(b, "never-seen"...) // cap == len: this copies
			return ctx.ReplyWithStringBuffer(b)
		}},
		"truncate": {1, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			n, err := a[0].ToLongLong()
			if err != nil {
				return err
			}
			return ok(ctx, k.StringTruncate(n))
		}},
		"push": {2, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error { return ok(ctx, k.ListPush(where(a[0]), a[1])) }},
		"pop": {1, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			v, err := k.ListPop(where(a[0]))
			if err != nil {
				return err
			}
			return ctx.ReplyWithString(v)
		}},
		"lget": {1, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			i, err := a[0].ToLongLong()
			if err != nil {
				return err
			}
			v, err := k.ListGet(i)
			if err != nil {
				return err
			}
			return ctx.ReplyWithString(v)
		}},
		"lset": {2, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			i, err := a[0].ToLongLong()
			if err != nil {
				return err
			}
			return ok(ctx, k.ListSet(i, a[1]))
		}},
		"linsert": {2, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			i, err := a[0].ToLongLong()
			if err != nil {
				return err
			}
			return ok(ctx, k.ListInsert(i, a[1]))
		}},
		"ldel": {1, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			i, err := a[0].ToLongLong()
			if err != nil {
				return err
			}
			return ok(ctx, k.ListDelete(i))
		}},
		// hset flags field value: value "__DEL__" deletes the field.
		"hset": {3, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			return hset(ctx, k, a[0], a[1:])
		}},
		// hset2 flags f1 v1 f2 v2: two pairs in one call, the first field
		// given as a Go string, the second as a []byte.
		"hset2": {5, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			return hset(ctx, k, a[0], a[1:])
		}},
		"hget": {1, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			vals, err := k.HashGet(sdk.HashNone, a[0])
			if err != nil {
				return err
			}
			if !vals[0].Exists {
				return ctx.ReplyWithNull()
			}
			return ctx.ReplyWithString(vals[0].Value)
		}},
		"hexists": {1, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			vals, err := k.HashGet(sdk.HashExists|sdk.HashCFields, a[0].String())
			if err != nil {
				return err
			}
			if vals[0].Value.Len() != 0 {
				return errors.New("ERR HashExists copied the value")
			}
			return ctx.ReplyWithLongLong(b2i(vals[0].Exists))
		}},
		"hgetbad": {0, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			_, err := k.HashGet(sdk.HashNone, 42)
			return err
		}},
		"zadd": {3, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			score, err := a[1].ToDouble()
			if err != nil {
				return err
			}
			out, err := k.ZsetAdd(score, a[2], zflags(a[0]))
			if err != nil {
				return err
			}
			return ctx.ReplyWithSimpleString(zout(out))
		}},
		"zincr": {3, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			incr, err := a[1].ToDouble()
			if err != nil {
				return err
			}
			s, out, err := k.ZsetIncrby(incr, a[2], zflags(a[0]))
			if err != nil {
				return err
			}
			return ctx.ReplyWithSimpleString(strconv.FormatFloat(s, 'g', -1, 64) + " " + zout(out))
		}},
		"zscore": {1, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			s, err := k.ZsetScore(a[0])
			if err != nil {
				return err
			}
			return ctx.ReplyWithDouble(s)
		}},
		"zrem": {1, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			d, err := k.ZsetRem(a[0])
			if err != nil {
				return err
			}
			return ctx.ReplyWithLongLong(b2i(d))
		}},
		// zrscore first|last min max minex maxex: the C-style iteration.
		"zrscore": {5, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			min, err1 := a[1].ToDouble()
			max, err2 := a[2].ToDouble()
			if err := errors.Join(err1, err2); err != nil {
				return err
			}
			last := a[0].String() == "last"
			var err error
			if last {
				err = k.ZsetLastInScoreRange(min, max, a[3].String() == "1", a[4].String() == "1")
			} else {
				err = k.ZsetFirstInScoreRange(min, max, a[3].String() == "1", a[4].String() == "1")
			}
			if err != nil {
				return err
			}
			return zwalk(ctx, k, last)
		}},
		// zrlex first|last min max
		"zrlex": {3, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			last := a[0].String() == "last"
			var err error
			if last {
				err = k.ZsetLastInLexRange(a[1], a[2])
			} else {
				err = k.ZsetFirstInLexRange(a[1], a[2])
			}
			if err != nil {
				return err
			}
			return zwalk(ctx, k, last)
		}},
		// ziter score|lex min max fwd|rev: the Go iterators.
		"ziter": {4, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			rev := a[3].String() == "rev"
			var out []string
			if a[0].String() == "lex" {
				seq, err := sdk.ZsetLexRange(k, a[1], a[2], rev)
				if err != nil {
					return err
				}
				for m, s := range seq {
					out = append(out, fmt.Sprintf("%s:%g", m, s))
				}
			} else {
				min, err1 := a[1].ToDouble()
				max, err2 := a[2].ToDouble()
				if err := errors.Join(err1, err2); err != nil {
					return err
				}
				seq, err := sdk.ZsetScoreRange(k, min, max, false, false, rev)
				if err != nil {
					return err
				}
				for m, s := range seq {
					out = append(out, fmt.Sprintf("%s:%g", m, s))
					if len(out) == 100 {
						break
					}
				}
			}
			return strs(ctx, out)
		}},
		// zstate: the iteration state without an active range.
		"zstate": {0, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			_, _, cur := k.ZsetRangeCurrentElement()
			return ctx.ReplyWithSimpleString(fmt.Sprintf("end=%v cur=%v next=%v prev=%v", k.ZsetRangeEndReached(), cur, k.ZsetRangeNext(), k.ZsetRangePrev()))
		}},
		// scankey: every element, with a ScanKey loop.
		"scankey": {0, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			var out []string
			c := sdk.ScanCursorCreate()
			defer c.Destroy()
			for k.ScanKey(c, func(f, v sdk.String) { out = append(out, f.String()+"="+v.String()) }) {
			}
			slices.Sort(out)
			return strs(ctx, out)
		}},
		// scankeydel: scan a hash, deleting every field as it is reported.
		"scankeydel": {0, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			n := 0
			c := sdk.ScanCursorCreate()
			for more := true; more; {
				more = k.ScanKey(c, func(f, v sdk.String) {
					if d, _ := k.HashSet(sdk.HashNone, f, sdk.HashDelete); d == 1 {
						n++
					}
				})
			}
			return ctx.ReplyWithLongLong(int64(n))
		}},
		"signal": {0, func(ctx sdk.Ctx, k sdk.Key, a []sdk.String) error {
			return ok(ctx, ctx.SignalModifiedKey(k.GetKeyNameFromModuleKey()))
		}},
	}
}

func doCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) < 3 {
		return ctx.WrongArity()
	}
	mode := 0
	m := argv[2].String()
	if strings.HasSuffix(m, "nt") {
		mode |= sdk.OpenKeyNoTouch
		m = strings.TrimSuffix(m, "nt")
	}
	if strings.Contains(m, "r") {
		mode |= sdk.Read
	}
	if strings.Contains(m, "w") {
		mode |= sdk.Write
	}
	// Parse the whole program first: the reply's length is known.
	type step struct {
		o    op
		args []sdk.String
	}
	var prog []step
	for i := 3; i < len(argv); {
		o, found := ops[strings.ToLower(argv[i].String())]
		if !found {
			return fmt.Errorf("ERR unknown op '%s'", argv[i])
		}
		if i+1+o.n > len(argv) {
			return fmt.Errorf("ERR op '%s' needs %d arguments", argv[i], o.n)
		}
		prog = append(prog, step{o, argv[i+1 : i+1+o.n]})
		i += 1 + o.n
	}
	k := ctx.OpenKey(argv[1], mode)
	defer k.Close()
	if err := ctx.ReplyWithArray(len(prog)); err != nil {
		return err
	}
	for _, st := range prog {
		if err := st.o.fn(ctx, k, st.args); err != nil {
			if rerr := ctx.ReplyWithError(err.Error()); rerr != nil {
				return rerr
			}
		}
	}
	if mode&sdk.Write != 0 {
		// As in Redis, the key API's writes reach the AOF only when the
		// module replicates them.
		return ctx.ReplicateVerbatim()
	}
	return nil
}

func ok(ctx sdk.Ctx, err error) error {
	if err != nil {
		return err
	}
	return ctx.ReplyWithSimpleString("OK")
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func strs(ctx sdk.Ctx, out []string) error {
	ctx.ReplyWithArray(len(out))
	for _, s := range out {
		ctx.ReplyWithCString(s)
	}
	return nil
}

func where(s sdk.String) sdk.ListWhere {
	if strings.EqualFold(s.String(), "head") {
		return sdk.ListHead
	}
	return sdk.ListTail
}

func hflags(s sdk.String) sdk.HashFlag {
	var f sdk.HashFlag
	for _, w := range strings.Split(strings.ToLower(s.String()), ",") {
		switch w {
		case "nx":
			f |= sdk.HashNX
		case "xx":
			f |= sdk.HashXX
		case "countall":
			f |= sdk.HashCountAll
		case "exists":
			f |= sdk.HashExists // not a HashSet flag: ErrInvalidFlags
		}
	}
	return f
}

func hset(ctx sdk.Ctx, k sdk.Key, flags sdk.String, pairs []sdk.String) error {
	args := make([]any, 0, len(pairs))
	for i, p := range pairs {
		var a any = p
		switch {
		case i%2 == 1 && p.String() == "__DEL__":
			a = sdk.HashDelete
		case i == 0 && len(pairs) > 2:
			a = p.String()
		case i == 2:
			a = p.Bytes()
		}
		args = append(args, a)
	}
	n, err := k.HashSet(hflags(flags), args...)
	if err != nil {
		return err
	}
	return ctx.ReplyWithLongLong(int64(n))
}

func zflags(s sdk.String) sdk.ZaddFlag {
	var f sdk.ZaddFlag
	for _, w := range strings.Split(strings.ToLower(s.String()), ",") {
		switch w {
		case "nx":
			f |= sdk.ZaddNX
		case "xx":
			f |= sdk.ZaddXX
		case "gt":
			f |= sdk.ZaddGT
		case "lt":
			f |= sdk.ZaddLT
		}
	}
	return f
}

func zout(f sdk.ZaddFlag) string {
	var w []string
	if f&sdk.ZaddAdded != 0 {
		w = append(w, "added")
	}
	if f&sdk.ZaddUpdated != 0 {
		w = append(w, "updated")
	}
	if f&sdk.ZaddNop != 0 {
		w = append(w, "nop")
	}
	if len(w) == 0 {
		return "none"
	}
	return strings.Join(w, ",")
}

// zwalk replies with the members of the active range iteration, walking
// forward (or backward, last), then the end-reached flag.
func zwalk(ctx sdk.Ctx, k sdk.Key, last bool) error {
	var out []string
	for !k.ZsetRangeEndReached() {
		m, s, ok := k.ZsetRangeCurrentElement()
		if !ok {
			break
		}
		out = append(out, fmt.Sprintf("%s:%g", m, s))
		if last {
			k.ZsetRangePrev()
		} else {
			k.ZsetRangeNext()
		}
	}
	k.ZsetRangeStop()
	return strs(ctx, out)
}

func existsCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	return ctx.ReplyWithLongLong(b2i(ctx.KeyExists(argv[1])))
}

// KEYMOD.SELECT db: select, reply with GetSelectedDb.
func selectCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	n, err := argv[1].ToLongLong()
	if err != nil {
		return err
	}
	if err := ctx.SelectDb(int(n)); err != nil {
		return err
	}
	return ctx.ReplyWithLongLong(int64(ctx.GetSelectedDb()))
}

func dbsizeCmd(ctx sdk.Ctx, argv []sdk.String) error { return ctx.ReplyWithLongLong(ctx.DbSize()) }

func randomkeyCmd(ctx sdk.Ctx, argv []sdk.String) error {
	k, ok := ctx.RandomKey()
	if !ok {
		return ctx.ReplyWithNull()
	}
	return ctx.ReplyWithString(k)
}

func signalCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	return ok(ctx, ctx.SignalModifiedKey(argv[1]))
}

// KEYMOD.LEAVEOPEN key value: StringSet through a key the handler never
// closes (the server closes it, and signals it, when the handler returns).
func leaveOpenCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 3 {
		return ctx.WrongArity()
	}
	k := ctx.OpenKey(argv[1], sdk.Write)
	return ok(ctx, k.StringSet(argv[2]))
}

// KEYMOD.SCAN: every key of the selected database with its type, sorted,
// scanned with a cursor loop; "name:type" each.
func scanCmd(ctx sdk.Ctx, argv []sdk.String) error {
	var out []string
	c := sdk.ScanCursorCreate()
	calls := 0
	for more := true; more; {
		calls++
		more = ctx.Scan(c, func(name sdk.String, k sdk.Key) {
			out = append(out, name.String()+":"+k.KeyType().String())
		})
	}
	if ctx.Scan(c, func(sdk.String, sdk.Key) { out = append(out, "after-done") }) {
		return errors.New("ERR Scan of a done cursor returned true")
	}
	slices.Sort(out)
	return strs(ctx, out)
}

// KEYMOD.SCANDEL prefix: delete, during the scan, every key whose name
// starts with prefix (each through its own Write key); reply with how many
// keys the scan reported.
func scanDelCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	prefix := argv[1].String()
	seen := map[string]bool{}
	c := sdk.ScanCursorCreate()
	for ctx.Scan(c, func(name sdk.String, _ sdk.Key) {
		seen[name.String()] = true
		if strings.HasPrefix(name.String(), prefix) {
			w := ctx.OpenKey(name, sdk.Write)
			w.DeleteKey()
			w.Close()
		}
	}) {
	}
	return ctx.ReplyWithLongLong(int64(len(seen)))
}

// KEYMOD.STR op args...: the sdk's string functions.
func strCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) < 2 {
		return ctx.WrongArity()
	}
	a := argv[2:]
	need := func(n int) error {
		if len(a) != n {
			return ctx.WrongArity()
		}
		return nil
	}
	switch strings.ToLower(argv[1].String()) {
	case "printf": // printf name number
		if need(2) != nil {
			return nil
		}
		n, err := a[1].ToLongLong()
		if err != nil {
			return err
		}
		return ctx.ReplyWithString(sdk.CreateStringPrintf("%s-%05d-%x", a[0], n, n))
	case "fromstring":
		if need(1) != nil {
			return nil
		}
		return ctx.ReplyWithString(sdk.CreateStringFromString(a[0]))
	case "longdouble": // longdouble number human|auto
		if need(2) != nil {
			return nil
		}
		f, err := a[0].ToLongDouble()
		if err != nil {
			return err
		}
		return ctx.ReplyWithString(sdk.CreateStringFromLongDouble(f, a[1].String() == "human"))
	case "ulonglong": // parse as unsigned, print back
		if need(1) != nil {
			return nil
		}
		u, err := a[0].ToULongLong()
		if err != nil {
			return err
		}
		return ctx.ReplyWithString(sdk.CreateStringFromULongLong(u))
	case "double":
		if need(1) != nil {
			return nil
		}
		f, err := a[0].ToDouble()
		if err != nil {
			return err
		}
		return ctx.ReplyWithString(sdk.CreateStringFromDouble(f))
	case "longlong":
		if need(1) != nil {
			return nil
		}
		n, err := a[0].ToLongLong()
		if err != nil {
			return err
		}
		return ctx.ReplyWithString(sdk.CreateStringFromLongLong(n))
	case "compare":
		if need(2) != nil {
			return nil
		}
		c := sdk.StringCompare(a[0], a[1])
		return ctx.ReplyWithLongLong(int64(max(-1, min(1, c))))
	case "append": // append s1 s2 ...: AppendBuffer each onto the first
		if len(a) == 0 {
			return ctx.WrongArity()
		}
		s := a[0]
		for _, x := range a[1:] {
			s = s.AppendBuffer(x.Bytes())
		}
		s.TrimAllocation()
		return ctx.ReplyWithString(s)
	case "maxuint":
		return ctx.ReplyWithString(sdk.CreateStringFromULongLong(math.MaxUint64))
	}
	return fmt.Errorf("ERR unknown str op '%s'", argv[1])
}

func main() {}
