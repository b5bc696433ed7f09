package host

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"modis/host/internal/resp"
	"modis/sdk"
)

// phases of a module context: what the module may do with it.
const (
	phaseLoad = iota
	phaseCommand
	phaseUnload
	phaseDone
)

// modCtx implements sdk.Ctx for one OnLoad, OnUnload or command call.
type modCtx struct {
	s     *Server
	mod   *Module
	c     *Client  // the calling client; nil outside a command
	cmd   *Command // the running command
	argv0 []byte   // the command name as the client sent it
	phase int
	rt    replyTracker
	sc    *callScratch // reusable memory of a command call; nil outside one
}

// callScratch is memory a module command call reuses: its argv, Call's
// command lines, and the Recorder whose arenas hold the CallReplies. It is
// released when the handler returns, which is why those are valid only
// until then.
type callScratch struct {
	argv     []sdk.String
	callArgv [][]byte
	name     []byte // Call's command name
	rec      resp.Recorder
}

// acquireScratch takes a callScratch from the client's pool (module commands
// nest when one Calls another).
func (c *Client) acquireScratch() *callScratch {
	if n := len(c.scratchPool); n > 0 {
		sc := c.scratchPool[n-1]
		c.scratchPool = c.scratchPool[:n-1]
		return sc
	}
	return &callScratch{}
}

func (c *Client) releaseScratch(sc *callScratch) {
	clear(sc.argv)
	sc.argv = sc.argv[:0]
	clear(sc.callArgv)
	sc.callArgv = sc.callArgv[:0]
	sc.rec.Release()
	c.scratchPool = append(c.scratchPool, sc)
}

var _ sdk.Ctx = (*modCtx)(nil)

var nameOK = func(r rune) bool { return r > ' ' && r != 0x7f }

// Init implements sdk.Ctx.
func (x *modCtx) Init(name string, version int, apiVersion int) error {
	if x.phase != phaseLoad {
		return errors.New("Init may only be called in OnLoad")
	}
	if x.mod.Name != "" {
		return fmt.Errorf("Init called twice (module already named %q)", x.mod.Name)
	}
	if name == "" || strings.IndexFunc(name, func(r rune) bool { return !nameOK(r) }) >= 0 {
		return fmt.Errorf("invalid module name %q: it must be non-empty, without spaces or control characters", name)
	}
	if apiVersion != sdk.APIVER_1 {
		return fmt.Errorf("module %q asks for API version %d; this server has %d", name, apiVersion, sdk.APIVER_1)
	}
	if m := x.s.modules.byName(name); m != nil {
		return fmt.Errorf("a module named %q is already loaded from %s", name, m.Path)
	}
	x.mod.Name = name
	x.mod.Version = version
	x.mod.log = x.s.log.Named("module." + name)
	return nil
}

// CreateCommand implements sdk.Ctx.
func (x *modCtx) CreateCommand(name string, handler sdk.CmdFunc, flags string, firstKey, lastKey, keyStep int) error {
	if x.phase != phaseLoad {
		return errors.New("CreateCommand may only be called in OnLoad")
	}
	if x.mod.Name == "" {
		return errors.New("CreateCommand called before Init")
	}
	if handler == nil {
		return fmt.Errorf("CreateCommand %q: handler is nil", name)
	}
	if name == "" || strings.IndexFunc(name, func(r rune) bool { return !nameOK(r) || r == '|' }) >= 0 {
		return fmt.Errorf("CreateCommand: invalid command name %q", name)
	}
	fl, err := parseModuleFlags(flags)
	if err != nil {
		return fmt.Errorf("CreateCommand %q: %w", name, err)
	}
	if firstKey < 0 || keyStep < 0 || (lastKey < 0 && lastKey != -1) || (firstKey == 0 && (lastKey != 0 || keyStep != 0)) ||
		(firstKey > 0 && (lastKey == 0 || lastKey > 0 && lastKey < firstKey)) {
		return fmt.Errorf("CreateCommand %q: invalid key positions first=%d last=%d step=%d", name, firstKey, lastKey, keyStep)
	}
	if firstKey > 0 && keyStep == 0 {
		return fmt.Errorf("CreateCommand %q: key step must be at least 1 when first key is %d", name, firstKey)
	}
	mod := x.mod
	cmd := &Command{
		Name: name, Arity: -1, Flags: fl, FirstKey: firstKey, LastKey: lastKey, Step: keyStep,
		Group: "module", Module: mod,
	}
	cmd.Handler = func(c *Client, args [][]byte) error {
		return runModuleCommand(c, cmd, handler, args)
	}
	if err := x.s.table.Add(cmd); err != nil {
		return fmt.Errorf("CreateCommand: %w", err)
	}
	mod.commands = append(mod.commands, cmd)
	return nil
}

// runModuleCommand calls a module's handler and makes sure the client gets
// exactly one well-formed reply, whatever the handler did.
func runModuleCommand(c *Client, cmd *Command, handler sdk.CmdFunc, args [][]byte) error {
	sc := c.acquireScratch()
	defer c.releaseScratch(sc)
	x := &modCtx{s: c.srv, mod: cmd.Module, c: c, cmd: cmd, argv0: args[0], phase: phaseCommand, sc: sc}
	argv := sc.argv[:0]
	for _, a := range args {
		argv = append(argv, sdk.StringFromBytes(a))
	}
	sc.argv = argv
	mark := c.out.Mark()
	err := handler(x, argv)
	x.phase = phaseDone
	switch {
	case x.rt.done:
		if err != nil {
			x.mod.log.Warn("handler returned an error after replying; error dropped", "command", cmd.Name, "error", err)
		}
		return nil
	case len(x.rt.open) > 0:
		c.out.Truncate(mark)
		x.mod.log.Error("handler returned with an incomplete reply", "command", cmd.Name)
		return fmt.Errorf("ERR module command '%s' returned with an incomplete reply (an array was not finished)", cmd.Name)
	case err != nil:
		return err
	default:
		x.mod.log.Error("handler returned without replying", "command", cmd.Name)
		return fmt.Errorf("ERR module command '%s' returned without replying", cmd.Name)
	}
}

// replyTracker counts a handler's replies so that a module can never send
// two replies, or a broken array, to a client.
type replyTracker struct {
	open []openAgg
	done bool
}

type openAgg struct {
	remaining int // elements still expected; -1 while the length is postponed
	written   int
	handle    int
}

var errReplyDone = errors.New("a reply was already sent for this command")

// begin is called before one value is written.
func (t *replyTracker) begin() error {
	if t.done {
		return errReplyDone
	}
	return nil
}

// wrote records one complete value.
func (t *replyTracker) wrote() {
	if len(t.open) == 0 {
		t.done = true
		return
	}
	top := &t.open[len(t.open)-1]
	top.written++
	if top.remaining > 0 {
		top.remaining--
		if top.remaining == 0 {
			t.open = t.open[:len(t.open)-1]
			t.wrote()
		}
	}
}

func (x *modCtx) replyCheck(what string) error {
	if x.phase != phaseCommand {
		return fmt.Errorf("%s may only be called in a command handler", what)
	}
	return x.rt.begin()
}

// out returns the writer for one reply value, or an error when the module
// may not reply now. After writing, the caller calls x.rt.wrote().
func (x *modCtx) out(what string) (resp.Writer, error) {
	if err := x.replyCheck(what); err != nil {
		return nil, err
	}
	return x.c.out, nil
}

// WrongArity implements sdk.Ctx: Redis's text with the name as sent.
func (x *modCtx) WrongArity() error {
	w, err := x.out("WrongArity")
	if err != nil {
		return err
	}
	w.Error(fmt.Sprintf("ERR wrong number of arguments for '%s' command", x.argv0))
	x.rt.wrote()
	return nil
}

// AutoMemory implements sdk.Ctx: nothing to do under a garbage collector.
func (x *modCtx) AutoMemory() {}

// ReplyWithSimpleString implements sdk.Ctx.
func (x *modCtx) ReplyWithSimpleString(msg string) error {
	w, err := x.out("ReplyWithSimpleString")
	if err != nil {
		return err
	}
	w.SimpleString(msg)
	x.rt.wrote()
	return nil
}

// ReplyWithError implements sdk.Ctx.
func (x *modCtx) ReplyWithError(msg string) error {
	w, err := x.out("ReplyWithError")
	if err != nil {
		return err
	}
	w.Error(errorText(msg))
	x.rt.wrote()
	return nil
}

// ReplyWithLongLong implements sdk.Ctx.
func (x *modCtx) ReplyWithLongLong(n int64) error {
	w, err := x.out("ReplyWithLongLong")
	if err != nil {
		return err
	}
	w.Int(n)
	x.rt.wrote()
	return nil
}

// ReplyWithString implements sdk.Ctx.
func (x *modCtx) ReplyWithString(s sdk.String) error {
	w, err := x.out("ReplyWithString")
	if err != nil {
		return err
	}
	w.Bulk(s.Bytes())
	x.rt.wrote()
	return nil
}

// ReplyWithStringBuffer implements sdk.Ctx.
func (x *modCtx) ReplyWithStringBuffer(b []byte) error {
	w, err := x.out("ReplyWithStringBuffer")
	if err != nil {
		return err
	}
	w.Bulk(b)
	x.rt.wrote()
	return nil
}

// ReplyWithCString implements sdk.Ctx.
func (x *modCtx) ReplyWithCString(s string) error {
	w, err := x.out("ReplyWithCString")
	if err != nil {
		return err
	}
	w.BulkString(s)
	x.rt.wrote()
	return nil
}

// ReplyWithNull implements sdk.Ctx.
func (x *modCtx) ReplyWithNull() error {
	w, err := x.out("ReplyWithNull")
	if err != nil {
		return err
	}
	w.Null()
	x.rt.wrote()
	return nil
}

// ReplyWithDouble implements sdk.Ctx.
func (x *modCtx) ReplyWithDouble(f float64) error {
	w, err := x.out("ReplyWithDouble")
	if err != nil {
		return err
	}
	w.Double(f)
	x.rt.wrote()
	return nil
}

// ReplyWithCallReply implements sdk.Ctx.
func (x *modCtx) ReplyWithCallReply(r sdk.CallReply) error {
	v, ok := r.(*resp.Value)
	if !ok || v == nil {
		return errors.New("ReplyWithCallReply: not a reply returned by Call")
	}
	w, err := x.out("ReplyWithCallReply")
	if err != nil {
		return err
	}
	v.WriteTo(w)
	x.rt.wrote()
	return nil
}

// ReplyWithArray implements sdk.Ctx.
func (x *modCtx) ReplyWithArray(n int) error {
	if err := x.replyCheck("ReplyWithArray"); err != nil {
		return err
	}
	switch {
	case n == sdk.PostponedLen:
		h := x.c.out.Defer('*')
		x.rt.open = append(x.rt.open, openAgg{remaining: -1, handle: h})
	case n < 0:
		return fmt.Errorf("ReplyWithArray: invalid length %d", n)
	case n == 0:
		x.c.out.Array(0)
		x.rt.wrote()
	default:
		x.c.out.Array(n)
		x.rt.open = append(x.rt.open, openAgg{remaining: n})
	}
	return nil
}

// ReplySetArrayLength implements sdk.Ctx. The length written is the number
// of elements actually replied; a different n is reported as an error.
func (x *modCtx) ReplySetArrayLength(n int) error {
	if x.phase != phaseCommand {
		return errors.New("ReplySetArrayLength may only be called in a command handler")
	}
	for i := len(x.rt.open) - 1; i >= 0; i-- {
		a := x.rt.open[i]
		if a.remaining != -1 {
			continue
		}
		if i != len(x.rt.open)-1 {
			return errors.New("ReplySetArrayLength: an inner array is not finished")
		}
		x.c.out.SetDeferred(a.handle, a.written)
		x.rt.open = x.rt.open[:i]
		x.rt.wrote()
		if n != a.written {
			return fmt.Errorf("ReplySetArrayLength(%d): %d elements were replied; the length was set to %d", n, a.written, a.written)
		}
		return nil
	}
	return errors.New("ReplySetArrayLength: no array with a postponed length is open")
}

// Log implements sdk.Ctx.
func (x *modCtx) Log(level string, format string, args ...any) {
	l := x.mod.log
	msg := fmt.Sprintf(format, args...)
	l.Log(hclogLevel(level), msg)
}

// ModuleName implements sdk.Ctx.
func (x *modCtx) ModuleName() string { return x.mod.Name }

// CommandName implements sdk.Ctx.
func (x *modCtx) CommandName() string {
	if x.cmd == nil {
		return ""
	}
	return x.cmd.Name
}

// Call implements sdk.Ctx: the command runs in-process, on the calling
// client's database, and its reply is recorded as a tree of values.
func (x *modCtx) Call(cmdName string, format string, args ...any) sdk.CallReply {
	if x.phase == phaseDone {
		return resp.ErrorValue("ERR Call used after the handler returned")
	}
	var dst [][]byte
	var name []byte
	var rec *resp.Recorder
	if x.sc != nil {
		x.sc.name = append(x.sc.name[:0], cmdName...)
		dst, name, rec = x.sc.callArgv[:0], x.sc.name, &x.sc.rec
	} else { // in OnLoad and OnUnload: no scratch to reuse
		name, rec = []byte(cmdName), &resp.Recorder{}
	}
	argv, p3, err := buildCallArgs(dst, name, format, args)
	if err != nil {
		return resp.ErrorValue("ERR Call " + cmdName + ": " + err.Error())
	}
	if x.sc != nil {
		x.sc.callArgv = argv
	}
	c := x.c
	if c == nil {
		c = x.s.modules.internal
	}
	rec.Begin(p3)
	saved := c.out
	c.out = rec
	defer func() { c.out = saved }()
	cmd, err := c.resolve(argv)
	if err != nil {
		return resp.ErrorValue(errorText(err.Error()))
	}
	c.call(cmd, argv)
	if v := rec.Result(); v != nil {
		return v
	}
	return resp.ErrorValue("ERR Call " + cmdName + ": the command sent no reply")
}

// buildCallArgs turns Call's format and Go arguments into a command line.
// The command line is appended to dst.
func buildCallArgs(dst [][]byte, cmdName []byte, format string, args []any) (argv [][]byte, p3 bool, err error) {
	argv = append(dst, cmdName)
	ai := 0
	next := func(spec byte) (any, error) {
		if ai >= len(args) {
			return nil, fmt.Errorf("format %q wants more arguments than the %d given", format, len(args))
		}
		ai++
		return args[ai-1], nil
	}
	for i := 0; i < len(format); i++ {
		spec := format[i]
		switch spec {
		case '!', 'E':
			continue
		case '3':
			p3 = true
			continue
		case '2':
			p3 = false
			continue
		}
		if specWant[spec] == "" {
			return nil, false, fmt.Errorf("unknown format specifier '%c' in %q (known: c s b l d v and modifiers ! E 3)", spec, format)
		}
		a, err := next(spec)
		if err != nil {
			return nil, false, err
		}
		bad := func() error {
			return fmt.Errorf("argument %d for '%c' is %T, want %s", ai, spec, a, specWant[spec])
		}
		switch spec {
		case 'c':
			s, ok := a.(string)
			if !ok {
				return nil, false, bad()
			}
			argv = append(argv, []byte(s))
		case 's':
			s, ok := a.(sdk.String)
			if !ok {
				return nil, false, bad()
			}
			argv = append(argv, s.Bytes())
		case 'b':
			b, ok := a.([]byte)
			if !ok {
				return nil, false, bad()
			}
			argv = append(argv, b)
		case 'l':
			switch n := a.(type) {
			case int:
				argv = append(argv, strconv.AppendInt(nil, int64(n), 10))
			case int64:
				argv = append(argv, strconv.AppendInt(nil, n, 10))
			default:
				return nil, false, bad()
			}
		case 'd':
			f, ok := a.(float64)
			if !ok {
				return nil, false, bad()
			}
			argv = append(argv, sdk.AppendDouble(nil, f))
		case 'v':
			v, ok := a.([]sdk.String)
			if !ok {
				return nil, false, bad()
			}
			for _, s := range v {
				argv = append(argv, s.Bytes())
			}
		default:
			return nil, false, fmt.Errorf("unknown format specifier '%c' in %q (known: c s b l d v and modifiers ! E 3)", spec, format)
		}
	}
	if ai != len(args) {
		return nil, false, fmt.Errorf("format %q uses %d arguments but %d were given", format, ai, len(args))
	}
	return argv, p3, nil
}

var specWant = map[byte]string{
	'c': "string", 's': "sdk.String", 'b': "[]byte", 'l': "int or int64", 'd': "float64", 'v': "[]sdk.String",
}
