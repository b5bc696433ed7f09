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
	keys  []*modKey    // keys opened by the module (mod_key.go); see closeKeys
	oom   int8         // Call's "M": 0 not measured yet, 1 under maxmemory, 2 over
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
	// Command info, key specifications, subcommands (mod_cmdinfo.go). A nil
	// handler makes a container for subcommands, as in Redis: arity -2.
	newModuleCmd(x.s, cmd, handler, flags, firstKey, lastKey, keyStep)
	if handler == nil {
		cmd.Arity, cmd.Subs, cmd.Handler = -2, map[string]*Command{}, containerHandler
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
	returned := false
	defer func() {
		if !returned { // it panicked: a block it made does not survive it (mod_block.go)
			x.closeKeys()
			x.phase = phaseDone // a Ctx or Key the module kept is dead
			c.srv.moduleHandlerDone(x, nil, false)
		}
	}()
	err := handler(x, argv)
	returned = true
	x.closeKeys() // keys left open close now, as in Redis (mod_key.go)
	x.phase = phaseDone
	if c.srv.moduleHandlerDone(x, err, true) {
		return nil // the client is blocked (BlockClient): the reply comes later
	}
	switch {
	case x.rt.done:
		if err != nil {
			x.mod.log.Warn("handler returned an error after replying; error dropped", "command", cmd.Name, "error", err)
		}
		return nil
	case len(x.rt.open) > 0 || x.rt.dangling:
		c.out.Truncate(mark)
		x.mod.log.Error("handler returned with an incomplete reply", "command", cmd.Name)
		return x.rt.incompleteError(cmd.Name)
	case errors.Is(err, sdk.ErrWrongArity):
		return errWrongArity(cmd.Name)
	case err != nil:
		return err
	default:
		x.mod.log.Error("handler returned without replying", "command", cmd.Name)
		return fmt.Errorf("ERR module command '%s' returned without replying", cmd.Name)
	}
}

// replyTracker counts a handler's replies so that a module can never send
// two replies, or a broken aggregate, to a client: a map must get its two
// elements per pair, an attribute must be followed by the value it
// describes.
type replyTracker struct {
	open []openAgg
	done bool
	// dangling is set when an attribute was finished and the value it
	// describes has not started yet.
	dangling bool
}

// aggKind is the kind of an open aggregate reply.
type aggKind uint8

const (
	aggArray aggKind = iota
	aggMap
	aggSet
	aggAttribute
)

var aggNames = [...]string{aggArray: "an array", aggMap: "a map", aggSet: "a set", aggAttribute: "an attribute"}

// aggDefer is the kind byte resp.Writer.Defer takes.
var aggDefer = [...]byte{aggArray: '*', aggMap: '%', aggSet: '~', aggAttribute: '|'}

type openAgg struct {
	kind      aggKind
	remaining int // elements still expected (a map's pair counts 2); -1 while the length is postponed
	written   int // elements written
	handle    int // the Defer handle of a postponed aggregate
}

var errReplyDone = errors.New("a reply was already sent for this command")

// incompleteError is the client's error when a handler returned with its
// reply unfinished: it names the outermost aggregate left open.
func (t *replyTracker) incompleteError(name string) error {
	what := "an attribute was not followed by its value"
	if len(t.open) > 0 {
		what = aggNames[t.open[0].kind] + " was not finished"
	}
	return fmt.Errorf("ERR module command '%s' returned with an incomplete reply (%s)", name, what)
}

// begin is called before one value is written.
func (t *replyTracker) begin() error {
	if t.done {
		return errReplyDone
	}
	return nil
}

// wrote records one complete value: it counts in the innermost open
// aggregate, and closes the aggregates it completes. A completed attribute
// does not count as a value of its parent: the value after it does.
func (t *replyTracker) wrote() {
	t.dangling = false
	for {
		if len(t.open) == 0 {
			t.done = true
			return
		}
		top := &t.open[len(t.open)-1]
		top.written++
		if top.remaining < 0 {
			return
		}
		top.remaining--
		if top.remaining > 0 {
			return
		}
		kind := top.kind
		t.open = t.open[:len(t.open)-1]
		if kind == aggAttribute {
			t.dangling = true
			return
		}
	}
}

// opened records an aggregate of elems elements (-1: postponed) started.
func (t *replyTracker) opened(kind aggKind, elems, handle int) {
	if kind != aggAttribute {
		t.dangling = false
	}
	if elems == 0 {
		if kind == aggAttribute {
			t.dangling = true
		} else {
			t.wrote()
		}
		return
	}
	t.open = append(t.open, openAgg{kind: kind, remaining: elems, handle: handle})
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

// WrongArity implements sdk.Ctx: Redis 7.0's text, which names the
// command's registered name (c->cmd->fullname), however the client typed
// it.
func (x *modCtx) WrongArity() error {
	w, err := x.out("WrongArity")
	if err != nil {
		return err
	}
	w.Error(errWrongArity(x.cmd.Name).Error())
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

// ReplyWithErrorFormat implements sdk.Ctx.
func (x *modCtx) ReplyWithErrorFormat(format string, args ...any) error {
	w, err := x.out("ReplyWithErrorFormat")
	if err != nil {
		return err
	}
	w.Error(errorText(fmt.Sprintf(format, args...)))
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

// ReplyWithEmptyString implements sdk.Ctx.
func (x *modCtx) ReplyWithEmptyString() error {
	w, err := x.out("ReplyWithEmptyString")
	if err != nil {
		return err
	}
	w.BulkString("")
	x.rt.wrote()
	return nil
}

// ReplyWithVerbatimString implements sdk.Ctx.
func (x *modCtx) ReplyWithVerbatimString(text string) error {
	return x.verbatim("ReplyWithVerbatimString", text, "txt")
}

// ReplyWithVerbatimStringType implements sdk.Ctx.
func (x *modCtx) ReplyWithVerbatimStringType(text string, ext string) error {
	return x.verbatim("ReplyWithVerbatimStringType", text, ext)
}

func (x *modCtx) verbatim(what, text, ext string) error {
	if len(ext) != 3 || strings.ContainsAny(ext, "\r\n") {
		return fmt.Errorf("%s: the format must be 3 characters without CR or LF, got %q", what, ext)
	}
	w, err := x.out(what)
	if err != nil {
		return err
	}
	w.Verbatim(ext, []byte(text))
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

// ReplyWithNullArray implements sdk.Ctx.
func (x *modCtx) ReplyWithNullArray() error {
	w, err := x.out("ReplyWithNullArray")
	if err != nil {
		return err
	}
	w.NullArray()
	x.rt.wrote()
	return nil
}

// ReplyWithEmptyArray implements sdk.Ctx.
func (x *modCtx) ReplyWithEmptyArray() error {
	w, err := x.out("ReplyWithEmptyArray")
	if err != nil {
		return err
	}
	w.Array(0)
	x.rt.wrote()
	return nil
}

// ReplyWithBool implements sdk.Ctx.
func (x *modCtx) ReplyWithBool(b bool) error {
	w, err := x.out("ReplyWithBool")
	if err != nil {
		return err
	}
	w.Bool(b)
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

// ReplyWithLongDouble implements sdk.Ctx. A writer without the long double
// form (a script's) gets a plain double.
func (x *modCtx) ReplyWithLongDouble(f float64) error {
	w, err := x.out("ReplyWithLongDouble")
	if err != nil {
		return err
	}
	if lw, ok := w.(resp.LongDoubleWriter); ok {
		lw.LongDouble(f)
	} else {
		w.Double(f)
	}
	x.rt.wrote()
	return nil
}

// ReplyWithBigNumber implements sdk.Ctx.
func (x *modCtx) ReplyWithBigNumber(digits string) error {
	if !validBigNumber(digits) {
		return fmt.Errorf("ReplyWithBigNumber: %q is not a big number (decimal digits, an optional '-' first)", digits)
	}
	w, err := x.out("ReplyWithBigNumber")
	if err != nil {
		return err
	}
	w.BigNumber(digits)
	x.rt.wrote()
	return nil
}

// validBigNumber reports whether s is what RESP3 allows after '(': decimal
// digits with an optional leading '-'.
func validBigNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ReplyWithCallReply implements sdk.Ctx.
func (x *modCtx) ReplyWithCallReply(r sdk.CallReply) error {
	v, ok := r.(*resp.Value)
	if !ok || v == nil {
		return errors.New("ReplyWithCallReply: not a reply returned by Call")
	}
	if v.Kind == sdk.ReplyUnknown {
		return errors.New("ReplyWithCallReply: the reply is of type unknown (an accessor's out-of-range result)")
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
	return x.aggregate("ReplyWithArray", aggArray, n)
}

// ReplyWithMap implements sdk.Ctx.
func (x *modCtx) ReplyWithMap(n int) error {
	return x.aggregate("ReplyWithMap", aggMap, n)
}

// ReplyWithSet implements sdk.Ctx.
func (x *modCtx) ReplyWithSet(n int) error {
	return x.aggregate("ReplyWithSet", aggSet, n)
}

// ReplyWithAttribute implements sdk.Ctx: RESP3 only, as in Redis.
func (x *modCtx) ReplyWithAttribute(n int) error {
	return x.aggregate("ReplyWithAttribute", aggAttribute, n)
}

// aggregate starts an array, map, set or attribute of n elements (pairs
// for maps and attributes), or one whose length is postponed.
func (x *modCtx) aggregate(what string, kind aggKind, n int) error {
	if err := x.replyCheck(what); err != nil {
		return err
	}
	if n < 0 && n != sdk.PostponedLen {
		return fmt.Errorf("%s: invalid length %d", what, n)
	}
	w := x.c.out
	var aw resp.AttributeWriter
	if kind == aggAttribute {
		var ok bool
		aw, ok = w.(resp.AttributeWriter)
		if !ok || w.Proto() != 3 {
			return errors.New("ReplyWithAttribute: attributes exist only in RESP3, and the client uses RESP2")
		}
	}
	if n == sdk.PostponedLen {
		x.rt.opened(kind, -1, w.Defer(aggDefer[kind]))
		return nil
	}
	elems := n
	switch kind {
	case aggArray:
		w.Array(n)
	case aggMap:
		w.Map(n)
		elems = 2 * n
	case aggSet:
		w.Set(n)
	case aggAttribute:
		aw.Attribute(n)
		elems = 2 * n
	}
	x.rt.opened(kind, elems, 0)
	return nil
}

// ReplySetArrayLength implements sdk.Ctx. The length written is the number
// of elements actually replied; a different n is reported as an error.
func (x *modCtx) ReplySetArrayLength(n int) error {
	return x.setLength("ReplySetArrayLength", aggArray, n)
}

// ReplySetMapLength implements sdk.Ctx: n counts pairs.
func (x *modCtx) ReplySetMapLength(n int) error {
	return x.setLength("ReplySetMapLength", aggMap, n)
}

// ReplySetSetLength implements sdk.Ctx.
func (x *modCtx) ReplySetSetLength(n int) error {
	return x.setLength("ReplySetSetLength", aggSet, n)
}

// ReplySetAttributeLength implements sdk.Ctx: n counts pairs.
func (x *modCtx) ReplySetAttributeLength(n int) error {
	return x.setLength("ReplySetAttributeLength", aggAttribute, n)
}

// setLength ends the most recent aggregate of kind started with
// PostponedLen, as Redis's moduleReplySetCollectionLength, with the checks
// that keep the reply well formed.
func (x *modCtx) setLength(what string, kind aggKind, n int) error {
	if x.phase != phaseCommand {
		return fmt.Errorf("%s may only be called in a command handler", what)
	}
	t := &x.rt
	for i := len(t.open) - 1; i >= 0; i-- {
		a := t.open[i]
		if a.remaining != -1 {
			continue
		}
		if a.kind != kind {
			return fmt.Errorf("%s: the innermost aggregate with a postponed length is %s", what, aggNames[a.kind])
		}
		if i != len(t.open)-1 {
			return fmt.Errorf("%s: %s inside it is not finished", what, aggNames[t.open[len(t.open)-1].kind])
		}
		if t.dangling {
			return fmt.Errorf("%s: an attribute is not followed by the value it describes", what)
		}
		count := a.written
		if kind == aggMap || kind == aggAttribute {
			if count%2 != 0 {
				return fmt.Errorf("%s: %d elements were replied, a key is missing its value; %s stays open", what, count, aggNames[kind])
			}
			count /= 2
		}
		x.c.out.SetDeferred(a.handle, count)
		t.open = t.open[:i]
		if kind == aggAttribute {
			t.dangling = true
		} else {
			t.wrote()
		}
		if n != count {
			unit := "elements"
			if kind == aggMap || kind == aggAttribute {
				unit = "pairs"
			}
			return fmt.Errorf("%s(%d): %d %s were replied; the length was set to %d", what, n, count, unit, count)
		}
		return nil
	}
	return fmt.Errorf("%s: no aggregate with a postponed length is open", what)
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

// callFlags are the modifiers of Call's format, REDISMODULE_ARGV_*.
type callFlags uint16

const (
	callReplicate  callFlags = 1 << iota // '!': propagate to the AOF and replicas
	callNoAOF                            // 'A': not to the AOF
	callNoReplicas                       // 'R': not to replicas
	callRESP3                            // '3': record the reply in RESP3
	callRESPAuto                         // '0': in the calling client's protocol
	callCheckACL                         // 'C': the calling client's user may run it
	callScriptMode                       // 'S': refuse noscript (deny-script) commands
	callNoWrites                         // 'W': refuse write commands
	callDenyOOM                          // 'M': refuse deny-oom commands over maxmemory
	callErrors                           // 'E': errors as replies (always, in Go)
	callDryRun                           // 'D': checks only (Redis 7.2)
)

// callModifiers maps each modifier letter to its flag.
var callModifiers = [256]callFlags{
	'!': callReplicate, 'A': callNoAOF, 'R': callNoReplicas, '3': callRESP3, '0': callRESPAuto,
	'C': callCheckACL, 'S': callScriptMode, 'W': callNoWrites, 'M': callDenyOOM, 'E': callErrors,
	'D': callDryRun,
}

// propagatesToAOF reports whether what the called command writes goes to
// the AOF: "!" without "A", as RM_Call's CMD_CALL_PROPAGATE_AOF. (Modis has
// no replicas, so "R" changes nothing.)
func (f callFlags) propagatesToAOF() bool {
	return f&callReplicate != 0 && f&callNoAOF == 0
}

// Call implements sdk.Ctx: the command runs in-process, as the calling
// client and on its database, through the same lookup and checks RM_Call
// makes (in Redis 7.0's order), and its reply is recorded as a tree of
// values.
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
	argv, flags, err := buildCallArgs(dst, name, format, args)
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
	p3 := flags&callRESP3 != 0
	if !p3 && flags&callRESPAuto != 0 {
		p3 = c.out.Proto() == 3 // the protocol the calling client's replies go out in
	}
	argv = x.s.filterCall(x, c, argv) // modules' command filters (mod_filter.go)
	cmd, err := c.resolve(argv)
	if err == nil {
		err = x.callChecks(cmd, argv, flags)
	}
	if err != nil {
		return resp.ErrorValue(errorText(err.Error()))
	}
	if flags&callDryRun != 0 {
		return &resp.Value{Kind: sdk.ReplyNull}
	}
	rec.Begin(p3)
	saved := c.out
	c.out = rec
	defer func() { c.out = saved }()
	c.callFromModule(cmd, argv, flags.propagatesToAOF())
	if v := rec.Result(); v != nil {
		return v
	}
	return resp.ErrorValue("ERR Call " + cmdName + ": the command sent no reply")
}

// callChecks makes the checks Call's modifiers ask for, in the order and
// with the texts of Redis 7.0's RM_Call.
func (x *modCtx) callChecks(cmd *Command, argv [][]byte, flags callFlags) error {
	if flags&callScriptMode != 0 && cmd.Flags&FlagNoScript != 0 {
		return fmt.Errorf("ERR command '%s' is not allowed on script mode", cmd.Name)
	}
	if flags&callDenyOOM != 0 && cmd.Flags&FlagDenyOOM != 0 && x.outOfMemory() {
		return errOOM
	}
	if flags&callNoWrites != 0 && cmd.Flags&FlagWrite != 0 {
		return fmt.Errorf("ERR Write command '%s' was called while write is not allowed.", cmd.Name)
	}
	// Script mode's other write checks (min-replicas-to-write, a failed
	// background save with stop-writes-on-bgsave-error, a read-only
	// replica) never apply: Modis has no replication and does not stop
	// writes after a failed save.
	if flags&callCheckACL != 0 {
		// OnLoad, OnUnload, event callbacks, timers and thread-safe
		// contexts run on no client or on a temporary one (ID 0), which
		// has no user in Redis either.
		if x.c == nil || x.c.ID <= 0 {
			return errors.New("ERR acl verification failed, context is not attached to a client.")
		}
		if err := x.callACL(cmd, argv); err != nil {
			return err
		}
	}
	return nil
}

// callACL is the ACL check of Call's "C", Redis's
// ACLCheckAllUserCommandPerm for the calling client's user: the default
// user may run everything; a client a module authenticated as one of its
// users is checked against that user's rules (mod_acl.go), and a refusal
// gets RM_Call's text with getAclErrorMessage's reason.
func (x *modCtx) callACL(cmd *Command, argv [][]byte) error {
	a := x.s.mev.acl.authed[x.c]
	if a == nil {
		return nil
	}
	err := a.u.checkCommand(cmd, argv)
	if err == nil {
		return nil
	}
	reason := "can't run this command or subcommand"
	switch {
	case errors.Is(err, errNoPermKey):
		reason = "can't access at least one of the keys mentioned in the command arguments"
	case errors.Is(err, errNoPermChannel):
		reason = "can't publish to the channel mentioned in the command"
	}
	return fmt.Errorf("ERR acl verification failed, %s.", reason)
}

// outOfMemory is Redis's pre_command_oom_state for Call's "M": whether used
// memory is over maxmemory with nothing left to evict. In a command it is
// measured once, at its first "M" Call, as scripts measure it once; other
// contexts (thread-safe ones live long) measure it each time, as Redis
// does off the main thread.
func (x *modCtx) outOfMemory() bool {
	if x.phase != phaseCommand {
		return x.s.overMaxmemory()
	}
	if x.oom == 0 {
		x.oom = 1
		if x.s.overMaxmemory() {
			x.oom = 2
		}
	}
	return x.oom == 2
}

// buildCallArgs turns Call's format and Go arguments into a command line,
// appended to dst, and collects the format's modifiers.
func buildCallArgs(dst [][]byte, cmdName []byte, format string, args []any) (argv [][]byte, flags callFlags, err error) {
	argv = append(dst, cmdName)
	ai := 0
	for i := 0; i < len(format); i++ {
		spec := format[i]
		if f := callModifiers[spec]; f != 0 {
			flags |= f
			continue
		}
		if specWant[spec] == "" {
			return nil, 0, fmt.Errorf("unknown format specifier '%s' in %q (known: c s b l d v and modifiers ! A R 3 0 C S W M E D)", specName(spec), format)
		}
		if ai >= len(args) {
			return nil, 0, fmt.Errorf("format %q wants more arguments than the %d given", format, len(args))
		}
		a := args[ai]
		ai++
		bad := func() error {
			return fmt.Errorf("argument %d for '%c' is %T, want %s", ai, spec, a, specWant[spec])
		}
		switch spec {
		case 'c':
			s, ok := a.(string)
			if !ok {
				return nil, 0, bad()
			}
			argv = append(argv, []byte(s))
		case 's':
			s, ok := a.(sdk.String)
			if !ok {
				return nil, 0, bad()
			}
			argv = append(argv, s.Bytes())
		case 'b':
			b, ok := a.([]byte)
			if !ok {
				return nil, 0, bad()
			}
			argv = append(argv, b)
		case 'l':
			switch n := a.(type) {
			case int:
				argv = append(argv, strconv.AppendInt(nil, int64(n), 10))
			case int64:
				argv = append(argv, strconv.AppendInt(nil, n, 10))
			default:
				return nil, 0, bad()
			}
		case 'd':
			f, ok := a.(float64)
			if !ok {
				return nil, 0, bad()
			}
			argv = append(argv, sdk.AppendDouble(nil, f))
		case 'v':
			v, ok := a.([]sdk.String)
			if !ok {
				return nil, 0, bad()
			}
			for _, s := range v {
				argv = append(argv, s.Bytes())
			}
		}
	}
	if ai != len(args) {
		return nil, 0, fmt.Errorf("format %q uses %d arguments but %d were given", format, ai, len(args))
	}
	return argv, flags, nil
}

// specName shows a format byte: itself when printable ASCII, else \xNN.
func specName(b byte) string {
	if b > ' ' && b < 0x7f {
		return string(rune(b))
	}
	return fmt.Sprintf("\\x%02x", b)
}

var specWant = [256]string{
	'c': "string", 's': "sdk.String", 'b': "[]byte", 'l': "int or int64", 'd': "float64", 'v': "[]sdk.String",
}
