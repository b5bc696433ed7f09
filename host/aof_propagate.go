package host

// Effect forms: what a command that changed the dataset writes to the AOF
// when that is not the command itself, as Redis propagates it. Relative
// expiries become absolute (PEXPIREAT, SET ... PXAT), INCRBYFLOAT and
// HINCRBYFLOAT become the value they set, blocking commands the
// non-blocking command that did the same thing. Commands whose effect
// depends on chance (SPOP) or that are served later (blocked clients)
// call c.alsoPropagate themselves.

import (
	"bytes"
	"strconv"
)

// propagateEffect records cmd's effect form, if it has one, and reports
// whether it did. Lock held, AOF on.
func propagateEffect(c *Client, cmd *Command, args [][]byte, db int) bool {
	if cmd.Module != nil || c.modCallMuted() {
		// A module command propagates only what it replicates, and a
		// command a module Calls without "!" nothing (mod_type_repl.go).
		return true
	}
	a := c.srv.aof
	switch cmd.Name {
	case "set", "setex", "psetex":
		val := args[2]
		if cmd.Name != "set" {
			val = args[3]
		}
		e := c.db.PeekNoTouch(args[1], c.srv.now)
		switch {
		case e == nil:
			a.add(db, [][]byte{[]byte("DEL"), args[1]})
		case e.Expire != 0:
			a.add(db, [][]byte{[]byte("SET"), args[1], val, []byte("PXAT"), strconv.AppendInt(nil, e.Expire, 10)})
		default:
			a.add(db, [][]byte{[]byte("SET"), args[1], val})
		}
		return true
	case "expire", "pexpire", "expireat", "pexpireat", "getex":
		e := c.db.PeekNoTouch(args[1], c.srv.now)
		switch {
		case e == nil:
			a.add(db, [][]byte{[]byte("DEL"), args[1]})
		case e.Expire != 0:
			a.add(db, [][]byte{[]byte("PEXPIREAT"), args[1], strconv.AppendInt(nil, e.Expire, 10)})
		default:
			a.add(db, [][]byte{[]byte("PERSIST"), args[1]})
		}
		return true
	case "incrbyfloat":
		e := c.db.PeekNoTouch(args[1], c.srv.now)
		if e == nil {
			return false
		}
		a.add(db, [][]byte{[]byte("SET"), args[1], e.Str, []byte("KEEPTTL")})
		return true
	case "hincrbyfloat":
		e := c.db.PeekNoTouch(args[1], c.srv.now)
		if e == nil || e.Hash() == nil {
			return false
		}
		v, ok := e.Hash().Get(args[2])
		if !ok {
			return false
		}
		a.add(db, [][]byte{[]byte("HSET"), args[1], args[2], v})
		return true
	case "restore":
		e := c.db.PeekNoTouch(args[1], c.srv.now)
		if e == nil || e.Expire == 0 {
			return false
		}
		out := append([][]byte(nil), args...)
		out[2] = strconv.AppendInt(nil, e.Expire, 10)
		abs := false
		for _, x := range args[4:] {
			if bytes.EqualFold(x, []byte("absttl")) {
				abs = true
			}
		}
		if !abs {
			out = append(out, []byte("ABSTTL"))
		}
		a.add(db, out)
		return true
	// Blocking commands served at once: the non-blocking command that does
	// the same on the same data.
	case "blpop", "brpop":
		keys := args[1 : len(args)-1]
		out := [][]byte{[]byte("LMPOP"), strconv.AppendInt(nil, int64(len(keys)), 10)}
		out = append(out, keys...)
		if cmd.Name == "blpop" {
			out = append(out, []byte("LEFT"))
		} else {
			out = append(out, []byte("RIGHT"))
		}
		a.add(db, out)
		return true
	case "bzpopmin", "bzpopmax":
		keys := args[1 : len(args)-1]
		out := [][]byte{[]byte("ZMPOP"), strconv.AppendInt(nil, int64(len(keys)), 10)}
		out = append(out, keys...)
		if cmd.Name == "bzpopmin" {
			out = append(out, []byte("MIN"))
		} else {
			out = append(out, []byte("MAX"))
		}
		a.add(db, out)
		return true
	case "blmpop", "bzmpop":
		name := "LMPOP"
		if cmd.Name == "bzmpop" {
			name = "ZMPOP"
		}
		out := append([][]byte{[]byte(name)}, args[2:]...)
		a.add(db, out)
		return true
	case "blmove":
		a.add(db, [][]byte{[]byte("LMOVE"), args[1], args[2], args[3], args[4]})
		return true
	case "brpoplpush":
		a.add(db, [][]byte{[]byte("RPOPLPUSH"), args[1], args[2]})
		return true
	}
	return false
}

// popCommandName is LPOP or RPOP, for a pop from the front or the back.
func popCommandName(front bool) []byte {
	if front {
		return []byte("LPOP")
	}
	return []byte("RPOP")
}

// zpopCommandName is ZPOPMAX or ZPOPMIN.
func zpopCommandName(max bool) []byte {
	if max {
		return []byte("ZPOPMAX")
	}
	return []byte("ZPOPMIN")
}

// whereName is LEFT or RIGHT.
func whereName(left bool) []byte {
	if left {
		return []byte("LEFT")
	}
	return []byte("RIGHT")
}

// setMemberBytes is a set member as the bytes SREM takes.
func setMemberBytes(str string, v int64, isInt bool) []byte {
	if isInt {
		return strconv.AppendInt(nil, v, 10)
	}
	return []byte(str)
}
