package host

import (
	"errors"
	"fmt"

	"modis/sdk"
)

// Command filters (RegisterCommandFilter): module callbacks that see, and
// may rewrite, every command before it is looked up: a client's command
// (Client.exec, before MULTI queuing), a Lua script's redis.call, and a
// module's Call. As in Redis's moduleCallCommandFilters, a filter with
// CmdFilterNoSelf skips the Calls of its own module. The AOF loader's
// commands are not filtered (Redis replays the AOF without them).

// cmdFilter is one registered filter.
type cmdFilter struct {
	mod   *Module
	cb    sdk.CommandFilterFunc
	flags int
}

// Flags implements sdk.CommandFilter.
func (f *cmdFilter) Flags() int { return f.flags }

// RegisterCommandFilter implements sdk.EventAPI.
func (x *modCtx) RegisterCommandFilter(cb sdk.CommandFilterFunc, flags int) (sdk.CommandFilter, error) {
	if err := x.liveCtx("RegisterCommandFilter"); err != nil {
		return nil, err
	}
	if cb == nil {
		return nil, errors.New("RegisterCommandFilter: filter is nil")
	}
	if flags&^sdk.CmdFilterNoSelf != 0 {
		return nil, fmt.Errorf("RegisterCommandFilter: unknown flags %#x", flags&^sdk.CmdFilterNoSelf)
	}
	f := &cmdFilter{mod: x.mod, cb: cb, flags: flags}
	ev := &x.s.mev
	ev.filters = append(ev.filters[:len(ev.filters):len(ev.filters)], f)
	return f, nil
}

// UnregisterCommandFilter implements sdk.EventAPI.
func (x *modCtx) UnregisterCommandFilter(f sdk.CommandFilter) error {
	if err := x.liveCtx("UnregisterCommandFilter"); err != nil {
		return err
	}
	cf, ok := f.(*cmdFilter)
	if !ok || cf == nil {
		return errors.New("UnregisterCommandFilter: not a filter returned by RegisterCommandFilter")
	}
	if cf.mod != x.mod {
		return fmt.Errorf("UnregisterCommandFilter: the filter belongs to module %q", cf.mod.Name)
	}
	ev := &x.s.mev
	var keep []*cmdFilter
	found := false
	for _, g := range ev.filters {
		if g == cf {
			found = true
			continue
		}
		keep = append(keep, g)
	}
	if !found {
		return errors.New("UnregisterCommandFilter: the filter is not registered")
	}
	ev.filters = keep
	return nil
}

// filtering reports whether any command filter is registered: the
// dispatcher's zero-cost check.
func (s *Server) filtering() bool { return len(s.mev.filters) > 0 }

// filterCommand runs the filters over a command line run by c and returns
// the (possibly rewritten) line. caller is the module whose Call runs the
// command (nil for a client's or a script's): its CmdFilterNoSelf filters
// are skipped. Lock held.
func (s *Server) filterCommand(c *Client, args [][]byte, caller *Module) [][]byte {
	filters := s.mev.filters
	if len(filters) == 0 || len(args) == 0 {
		return args
	}
	fc := &filterCtx{args: args, c: c}
	for _, f := range filters {
		if f.flags&sdk.CmdFilterNoSelf != 0 && caller != nil && f.mod == caller {
			continue
		}
		s.modCallback(f.mod, "command filter", func() { f.cb(fc) })
	}
	fc.dead = true
	return fc.args
}

// filterCall is filterCommand for a module's Call (the hook in
// modCtx.Call).
func (s *Server) filterCall(x *modCtx, c *Client, args [][]byte) [][]byte {
	if !s.filtering() {
		return args
	}
	return s.filterCommand(c, args, x.mod)
}

// filterCtx implements sdk.CommandFilterCtx over one command line. The
// first change copies the slice, so the caller's is never modified.
type filterCtx struct {
	args   [][]byte
	copied bool
	c      *Client
	dead   bool
}

var errFilterDone = errors.New("command filter: the context is no longer valid (the filter returned)")

func (f *filterCtx) own() {
	if !f.copied {
		f.args = append([][]byte(nil), f.args...)
		f.copied = true
	}
}

// CommandFilterArgsCount implements sdk.CommandFilterCtx.
func (f *filterCtx) CommandFilterArgsCount() int {
	if f.dead {
		return 0
	}
	return len(f.args)
}

// CommandFilterArgGet implements sdk.CommandFilterCtx.
func (f *filterCtx) CommandFilterArgGet(pos int) (sdk.String, bool) {
	if f.dead || pos < 0 || pos >= len(f.args) {
		return sdk.String{}, false
	}
	return sdk.StringFromBytes(f.args[pos]), true
}

// CommandFilterArgInsert implements sdk.CommandFilterCtx.
func (f *filterCtx) CommandFilterArgInsert(pos int, arg sdk.String) error {
	if f.dead {
		return errFilterDone
	}
	if pos < 0 || pos > len(f.args) {
		return fmt.Errorf("CommandFilterArgInsert: position %d out of range (0..%d)", pos, len(f.args))
	}
	f.own()
	b := append([]byte(nil), arg.Bytes()...)
	f.args = append(f.args, nil)
	copy(f.args[pos+1:], f.args[pos:])
	f.args[pos] = b
	return nil
}

// CommandFilterArgReplace implements sdk.CommandFilterCtx.
func (f *filterCtx) CommandFilterArgReplace(pos int, arg sdk.String) error {
	if f.dead {
		return errFilterDone
	}
	if pos < 0 || pos >= len(f.args) {
		return fmt.Errorf("CommandFilterArgReplace: position %d out of range (0..%d)", pos, len(f.args)-1)
	}
	f.own()
	f.args[pos] = append([]byte(nil), arg.Bytes()...)
	return nil
}

// CommandFilterArgDelete implements sdk.CommandFilterCtx.
func (f *filterCtx) CommandFilterArgDelete(pos int) error {
	if f.dead {
		return errFilterDone
	}
	if pos < 0 || pos >= len(f.args) {
		return fmt.Errorf("CommandFilterArgDelete: position %d out of range (0..%d)", pos, len(f.args)-1)
	}
	if len(f.args) == 1 {
		return errors.New("CommandFilterArgDelete: a command needs at least its name")
	}
	f.own()
	f.args = append(f.args[:pos], f.args[pos+1:]...)
	return nil
}

// CommandFilterGetClientId implements sdk.CommandFilterCtx.
func (f *filterCtx) CommandFilterGetClientId() uint64 {
	if f.dead || f.c == nil || f.c.ID < 0 {
		return 0
	}
	return uint64(f.c.ID)
}
