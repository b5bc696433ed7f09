package host

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"modis/host/internal/cmdmeta"
	"modis/host/internal/resp"
	"modis/sdk"
)

// Module commands beyond CreateCommand: subcommands, command info (COMMAND
// INFO / COMMAND DOCS), ACL categories and the getkeys-api. What only a
// module command carries lives in Command.mod (a *moduleCmd); COMMAND and
// its subcommands (cmd_command.go) consult it through the helpers below, so
// module commands are described exactly as Redis 7.0 describes them:
//
//   - COMMAND INFO: the key specifications are the module's (by default the
//     one Redis builds from first/last/step: RW access update
//     variable_flags), first/last/step are derived from them as Redis's
//     populateCommandLegacyRangeSpec does, the tips are the module's, and
//     the ACL categories only those SetCommandACLCategories gave (Redis 7.0
//     gives module commands none).
//   - COMMAND DOCS: only the fields the module set (summary, since,
//     complexity, history, arguments), plus group "module" and the module's
//     name.
//   - COMMAND GETKEYS: key specifications when they are reliable, else the
//     module's getkeys-api (the handler runs in keys-position mode), as
//     Redis's getKeysFromCommandWithSpecs.
//   - ACL channel checks: a "getchannels-api" command run by a client
//     authenticated as a module user (mod_acl.go) is asked for its channels
//     (the handler runs in channels-position mode), as Redis's
//     moduleGetCommandChannelsViaAPI.

// phaseKeysPos is the phase of a modCtx whose handler runs only to report
// its keys (IsKeysPositionRequest): replies are refused.
const phaseKeysPos = 1000

// phaseChannelsPos is the phase of a modCtx whose handler runs only to
// report its channels (IsChannelsPositionRequest): replies are refused.
const phaseChannelsPos = 1001

// chanRef is a channel argument a getchannels-api handler reported: its
// position and its sdk.CmdChannel* flags.
type chanRef struct {
	pos   int
	flags sdk.CmdChannelFlags
}

// moduleCmd is what a module command or subcommand has beyond the table's
// fields.
type moduleCmd struct {
	srv         *Server
	handler     sdk.CmdFunc // nil for a container
	getKeysAPI  bool        // the "getkeys-api" flag
	getChansAPI bool        // the "getchannels-api" flag
	parent      *Command    // the container of a subcommand
	keySpecs    []cmdmeta.KeySpec
	infoSet     bool
	complexity  string
	history     []sdk.CommandHistoryEntry
	tips        []string
	args        []sdk.CommandArg
	acl         []string // ACL categories, without '@'

	keys  []cmdmeta.KeyRef // collected by KeyAtPos during a keys-position request
	chans []chanRef        // collected by ChannelAtPosWithFlags during a channels-position request
}

// newModuleCmd builds the module part of a command created with these
// CreateCommand arguments: Redis's default key specification from the key
// positions (RW access update variable_flags, as RM_CreateCommand does in
// 7.0), and first/last/step derived from it.
func newModuleCmd(s *Server, cmd *Command, handler sdk.CmdFunc, flags string, firstKey, lastKey, keyStep int) *moduleCmd {
	mc := &moduleCmd{srv: s, handler: handler}
	for _, w := range strings.Fields(flags) {
		if strings.EqualFold(w, "getkeys-api") {
			mc.getKeysAPI = true
		}
		if strings.EqualFold(w, "getchannels-api") {
			mc.getChansAPI = true
		}
	}
	if firstKey != 0 {
		last := lastKey
		if last >= 0 {
			last -= firstKey
		}
		mc.keySpecs = []cmdmeta.KeySpec{{
			Flags:       cmdmeta.KeyRW | cmdmeta.KeyAccess | cmdmeta.KeyUpdate | cmdmeta.KeyVariableFlags,
			BeginSearch: cmdmeta.SearchIndex, Index: firstKey,
			FindKeys: cmdmeta.FindRange, LastKey: last, KeyStep: keyStep,
		}}
	}
	cmd.mod = mc
	mc.populateLegacyRange(cmd)
	return mc
}

// containerHandler answers a module container called without a known
// subcommand. The dispatcher already answers those (the container has
// Subs), so this only guards against a direct call.
func containerHandler(c *Client, args [][]byte) error {
	if len(args) < 2 {
		return errWrongArity(strings.ToLower(string(args[0])))
	}
	return errUnknownSubcommand(string(args[1]), strings.ToUpper(string(args[0])))
}

// populateLegacyRange sets the command's first/last/step and its
// movablekeys flag from its key specifications, as Redis's
// populateCommandLegacyRangeSpec.
func (mc *moduleCmd) populateLegacyRange(cmd *Command) {
	cmd.FirstKey, cmd.LastKey, cmd.Step = 0, 0, 0
	cmd.Flags &^= FlagMovableKeys
	if mc.getKeysAPI {
		cmd.Flags |= FlagMovableKeys
	}
	specs := mc.keySpecs
	if len(specs) == 0 {
		return
	}
	set := func(first, last, step int) {
		cmd.FirstKey, cmd.Step = first, step
		cmd.LastKey = last
		if last >= 0 {
			cmd.LastKey = last + first
		}
	}
	if len(specs) == 1 && specs[0].BeginSearch == cmdmeta.SearchIndex && specs[0].FindKeys == cmdmeta.FindRange {
		set(specs[0].Index, specs[0].LastKey, specs[0].KeyStep)
		if specs[0].Flags&cmdmeta.KeyIncomplete != 0 {
			cmd.Flags |= FlagMovableKeys
		}
		return
	}
	const none = int(^uint(0) >> 1)
	first, last, prevLast := none, 0, 0
	for _, s := range specs {
		if s.BeginSearch != cmdmeta.SearchIndex || s.FindKeys != cmdmeta.FindRange {
			cmd.Flags |= FlagMovableKeys
			continue
		}
		if s.KeyStep != 1 || prevLast != 0 && prevLast != s.Index-1 {
			cmd.Flags |= FlagMovableKeys
			continue
		}
		if s.Flags&cmdmeta.KeyIncomplete != 0 {
			cmd.Flags |= FlagMovableKeys
		}
		first = min(first, s.Index)
		abs := s.LastKey
		if abs >= 0 {
			abs += s.Index
		}
		if uint32(abs) > uint32(last) { // Redis compares as unsigned: -1 wins
			last = abs
		}
		prevLast = last
	}
	if first == none {
		cmd.Flags |= FlagMovableKeys
		return
	}
	rel := last
	if last >= 0 {
		rel = last - first
	}
	set(first, rel, 1)
}

// hasKeys is Redis's doesCommandHaveKeys for a module command.
func (mc *moduleCmd) hasKeys() bool {
	if mc.getKeysAPI {
		return true
	}
	for _, s := range mc.keySpecs {
		if s.Flags&cmdmeta.KeyNotKey == 0 {
			return true
		}
	}
	return false
}

// findKeys is Redis's getKeysFromCommandWithSpecs for a module command: the
// key specifications when there is one that is a key and their flags are
// reliable (the default specification's variable_flags count only when the
// module has a getkeys-api), else the module's getkeys-api.
func (mc *moduleCmd) findKeys(cmd *Command, args [][]byte) []cmdmeta.KeyRef {
	hasSpec, varFlags := false, false
	for _, s := range mc.keySpecs {
		if s.Flags&cmdmeta.KeyNotKey == 0 {
			hasSpec = true
		}
		if s.Flags&cmdmeta.KeyVariableFlags != 0 {
			varFlags = true
		}
	}
	if !mc.getKeysAPI {
		varFlags = false
	}
	if hasSpec && !varFlags {
		if keys, ok := cmdmeta.KeysFromSpecs(mc.keySpecs, args); ok {
			return keys
		}
	}
	if mc.getKeysAPI {
		return mc.keysViaAPI(cmd, args)
	}
	return nil
}

// keysViaAPI runs the handler in keys-position mode (Redis's
// moduleGetCommandKeysViaAPI): it reports its keys with KeyAtPos, replies
// are refused, and a panic is recovered and logged (no keys then).
func (mc *moduleCmd) keysViaAPI(cmd *Command, args [][]byte) (keys []cmdmeta.KeyRef) {
	if mc.handler == nil || len(args) == 0 {
		return nil
	}
	x := &modCtx{s: mc.srv, mod: cmd.Module, cmd: cmd, argv0: args[0], phase: phaseKeysPos}
	argv := make([]sdk.String, len(args))
	for i, a := range args {
		argv[i] = sdk.StringFromBytes(a)
	}
	saved := mc.keys
	mc.keys = nil
	defer func() {
		x.phase = phaseDone
		if r := recover(); r != nil {
			mc.srv.stats.moduleRecovers++
			mc.srv.log.Error("module handler panicked in a keys-position request", "command", cmd.Name,
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			keys = nil
		} else {
			keys = mc.keys
		}
		mc.keys = saved
		// Positions the arguments do not have are dropped (Redis would read
		// past its argv).
		n := 0
		for _, k := range keys {
			if k.Pos > 0 && k.Pos < len(args) {
				keys[n] = k
				n++
			}
		}
		keys = keys[:n]
	}()
	if err := mc.handler(x, argv); err != nil {
		mc.srv.log.Debug("module handler returned an error in a keys-position request", "command", cmd.Name, "error", err)
	}
	return
}

// IsKeysPositionRequest implements sdk.Ctx.
func (x *modCtx) IsKeysPositionRequest() bool { return x.phase == phaseKeysPos }

// KeyAtPos implements sdk.Ctx: full access, as Redis's CMD_KEY_FULL_ACCESS.
func (x *modCtx) KeyAtPos(pos int) {
	x.KeyAtPosWithFlags(pos, sdk.CmdKeyRW|sdk.CmdKeyAccess|sdk.CmdKeyUpdate)
}

// KeyAtPosWithFlags implements sdk.Ctx.
func (x *modCtx) KeyAtPosWithFlags(pos int, flags sdk.CmdKeyFlags) {
	if x.phase != phaseKeysPos || x.cmd == nil || x.cmd.mod == nil || pos <= 0 {
		return
	}
	x.cmd.mod.keys = append(x.cmd.mod.keys, cmdmeta.KeyRef{Pos: pos, Flags: keyFlagsFromSDK(flags)})
}

// channelsViaAPI runs the handler in channels-position mode (Redis's
// moduleGetCommandChannelsViaAPI), for the ACL channel check of a module
// user: it reports its channels with ChannelAtPosWithFlags, replies are
// refused, and a panic is recovered and logged (ok is false then: the ACL
// check fails closed). Positions the arguments do not have are dropped.
func (mc *moduleCmd) channelsViaAPI(cmd *Command, args [][]byte) (chans []chanRef, ok bool) {
	if mc.handler == nil || len(args) == 0 {
		return nil, true
	}
	x := &modCtx{s: mc.srv, mod: cmd.Module, cmd: cmd, argv0: args[0], phase: phaseChannelsPos}
	argv := make([]sdk.String, len(args))
	for i, a := range args {
		argv[i] = sdk.StringFromBytes(a)
	}
	saved := mc.chans
	mc.chans = nil
	defer func() {
		x.phase = phaseDone
		if r := recover(); r != nil {
			mc.srv.stats.moduleRecovers++
			mc.srv.log.Error("module handler panicked in a channels-position request", "command", cmd.Name,
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			chans, ok = nil, false
		} else {
			chans, ok = mc.chans, true
		}
		mc.chans = saved
		n := 0
		for _, ch := range chans {
			if ch.pos > 0 && ch.pos < len(args) {
				chans[n] = ch
				n++
			}
		}
		chans = chans[:n]
	}()
	if err := mc.handler(x, argv); err != nil {
		mc.srv.log.Debug("module handler returned an error in a channels-position request", "command", cmd.Name, "error", err)
	}
	return
}

// IsChannelsPositionRequest implements sdk.Ctx: true while the handler
// runs for the ACL channel check of a client authenticated as a module
// user (mod_acl.go), for a command registered with "getchannels-api".
func (x *modCtx) IsChannelsPositionRequest() bool { return x.phase == phaseChannelsPos }

// ChannelAtPosWithFlags implements sdk.Ctx: records a channel during a
// channels-position request (ignored elsewhere, and for pos <= 0).
func (x *modCtx) ChannelAtPosWithFlags(pos int, flags sdk.CmdChannelFlags) {
	if x.phase != phaseChannelsPos || x.cmd == nil || x.cmd.mod == nil || pos <= 0 {
		return
	}
	x.cmd.mod.chans = append(x.cmd.mod.chans, chanRef{pos: pos, flags: flags})
}

// keyFlagsFromSDK converts REDISMODULE_CMD_KEY_* flags (unknown bits are
// dropped, as Redis's moduleConvertKeySpecsFlags does). The bits are the
// same in both.
func keyFlagsFromSDK(f sdk.CmdKeyFlags) cmdmeta.KeyFlag {
	return cmdmeta.KeyFlag(f & (sdk.CmdKeyVariableFlags<<1 - 1))
}

// GetCommandKeysWithFlags implements sdk.Ctx, as
// RedisModule_GetCommandKeysWithFlags (the keys COMMAND GETKEYS reports).
func (x *modCtx) GetCommandKeysWithFlags(argv []sdk.String) ([]int, []sdk.CmdKeyFlags, error) {
	if len(argv) == 0 {
		return nil, nil, sdk.ErrCommandNotFound
	}
	args := make([][]byte, len(argv))
	for i, a := range argv {
		args[i] = a.Bytes()
	}
	cmd := x.s.table.findCommand(string(args[0]))
	if cmd != nil && cmd.Subs != nil && len(args) > 1 {
		cmd = cmd.Subs[strings.ToLower(string(args[1]))]
	}
	if cmd == nil {
		return nil, nil, sdk.ErrCommandNotFound
	}
	if !commandHasKeys(cmd) {
		return nil, nil, nil
	}
	if !arityOK(cmd.Arity, len(args)) {
		return nil, nil, sdk.ErrCommandArity
	}
	refs := findKeys(cmd, args)
	if len(refs) == 0 {
		return nil, nil, nil
	}
	pos := make([]int, len(refs))
	flags := make([]sdk.CmdKeyFlags, len(refs))
	for i, r := range refs {
		pos[i] = r.Pos
		flags[i] = sdk.CmdKeyFlags(r.Flags)
	}
	return pos, flags, nil
}

// GetCommandKeys implements sdk.Ctx.
func (x *modCtx) GetCommandKeys(argv []sdk.String) ([]int, error) {
	pos, _, err := x.GetCommandKeysWithFlags(argv)
	return pos, err
}

// RedactClientCommandArgument implements sdk.Ctx.
func (x *modCtx) RedactClientCommandArgument(pos int) error {
	if x.phase != phaseCommand || x.c == nil || x.sc == nil {
		return errors.New("RedactClientCommandArgument may only be called in a command handler")
	}
	if pos <= 0 || pos >= len(x.sc.argv) {
		return fmt.Errorf("RedactClientCommandArgument: no argument at position %d (the command has %d arguments after its name)", pos, len(x.sc.argv)-1)
	}
	x.c.redactArg(pos)
	return nil
}

// cmdHandle implements sdk.Command for one of a module's commands.
type cmdHandle struct {
	ctx *modCtx // the OnLoad context that returned it
	cmd *Command
}

var _ sdk.Command = (*cmdHandle)(nil)

// GetCommand implements sdk.Ctx, as RedisModule_GetCommand.
func (x *modCtx) GetCommand(name string) (sdk.Command, error) {
	if x.mod == nil || x.mod.Name == "" {
		return nil, errors.New("GetCommand called before Init")
	}
	cmd := x.s.table.findCommand(name)
	switch {
	case cmd == nil:
		return nil, fmt.Errorf("GetCommand: no command %q", name)
	case cmd.Module == nil || cmd.mod == nil:
		return nil, fmt.Errorf("GetCommand: %q is a built-in command, not a module command", name)
	case cmd.Module != x.mod:
		return nil, fmt.Errorf("GetCommand: %q is a command of module %q", name, cmd.Module.Name)
	}
	return &cmdHandle{ctx: x, cmd: cmd}, nil
}

// Name implements sdk.Command.
func (h *cmdHandle) Name() string { return h.cmd.Name }

// check refuses a handle used outside OnLoad, or whose command is gone.
func (h *cmdHandle) check(what string) error {
	if h.ctx.phase != phaseLoad {
		return fmt.Errorf("%s may only be called in OnLoad", what)
	}
	return nil
}

// CreateSubcommand implements sdk.Command, as RedisModule_CreateSubcommand.
func (h *cmdHandle) CreateSubcommand(name string, handler sdk.CmdFunc, flags string, firstKey, lastKey, keyStep int) error {
	if err := h.check("CreateSubcommand"); err != nil {
		return err
	}
	parent := h.cmd
	if parent.mod.parent != nil {
		return fmt.Errorf("CreateSubcommand %q: %q is a subcommand; subcommands cannot have subcommands", name, parent.Name)
	}
	if parent.mod.handler != nil {
		return fmt.Errorf("CreateSubcommand %q: %q has a handler; a parent must be a container created with a nil handler", name, parent.Name)
	}
	if handler == nil {
		return fmt.Errorf("CreateSubcommand %q: handler is nil", name)
	}
	if name == "" || strings.IndexFunc(name, func(r rune) bool { return !nameOK(r) || r == '|' }) >= 0 {
		return fmt.Errorf("CreateSubcommand: invalid subcommand name %q", name)
	}
	lower := strings.ToLower(name)
	if parent.Subs[lower] != nil {
		return fmt.Errorf("CreateSubcommand: %q already has a subcommand %q", parent.Name, lower)
	}
	fl, err := parseModuleFlags(flags)
	if err != nil {
		return fmt.Errorf("CreateSubcommand %q: %w", name, err)
	}
	if err := checkKeyPositions(firstKey, lastKey, keyStep); err != nil {
		return fmt.Errorf("CreateSubcommand %q: %w", name, err)
	}
	sub := &Command{Name: parent.Name + "|" + lower, Arity: -2, Flags: fl, Group: "module", Module: parent.Module}
	mc := newModuleCmd(h.ctx.s, sub, handler, flags, firstKey, lastKey, keyStep)
	mc.parent = parent
	sub.Handler = func(c *Client, args [][]byte) error {
		return runModuleCommand(c, sub, handler, args)
	}
	if parent.Subs == nil {
		parent.Subs = map[string]*Command{}
	}
	parent.Subs[lower] = sub
	return nil
}

// checkKeyPositions validates CreateCommand's key positions.
func checkKeyPositions(firstKey, lastKey, keyStep int) error {
	if firstKey < 0 || keyStep < 0 || (lastKey < 0 && lastKey != -1) || (firstKey == 0 && (lastKey != 0 || keyStep != 0)) ||
		(firstKey > 0 && (lastKey == 0 || lastKey > 0 && lastKey < firstKey)) {
		return fmt.Errorf("invalid key positions first=%d last=%d step=%d", firstKey, lastKey, keyStep)
	}
	if firstKey > 0 && keyStep == 0 {
		return fmt.Errorf("key step must be at least 1 when first key is %d", firstKey)
	}
	return nil
}

// SetCommandACLCategories implements sdk.Command.
func (h *cmdHandle) SetCommandACLCategories(categories string) error {
	if err := h.check("SetCommandACLCategories"); err != nil {
		return err
	}
	var cats []string
	for _, w := range strings.Split(categories, " ") {
		if w == "" {
			continue
		}
		name := strings.ToLower(strings.TrimPrefix(w, "@"))
		known := false
		for _, c := range aclOrder {
			if c == name {
				known = true
			}
		}
		if !known {
			return fmt.Errorf("SetCommandACLCategories %q: unknown ACL category %q (known: %s)", h.cmd.Name, w, strings.Join(aclOrder, " "))
		}
		cats = append(cats, name)
	}
	h.cmd.mod.acl = cats
	return nil
}

// moduleACLCategories returns a module command's ACL categories in
// Redis's order: only those the module set, as in Redis.
func (c *Command) moduleACLCategories() []string {
	if c.mod == nil {
		return nil
	}
	on := map[string]bool{}
	for _, a := range c.mod.acl {
		on[a] = true
	}
	var out []string
	for _, name := range aclOrder {
		if on[name] {
			out = append(out, "@"+name)
		}
	}
	return out
}

// SetCommandInfo implements sdk.Command, as RedisModule_SetCommandInfo.
func (h *cmdHandle) SetCommandInfo(info *sdk.CommandInfo) error {
	if err := h.check("SetCommandInfo"); err != nil {
		return err
	}
	if info == nil {
		return errors.New("SetCommandInfo: info is nil")
	}
	if err := validateCommandInfo(info); err != nil {
		return fmt.Errorf("SetCommandInfo %q: %w", h.cmd.Name, err)
	}
	cmd, mc := h.cmd, h.cmd.mod
	legacyOnly := len(mc.keySpecs) == 0 ||
		len(mc.keySpecs) == 1 && mc.keySpecs[0].BeginSearch == cmdmeta.SearchIndex && mc.keySpecs[0].FindKeys == cmdmeta.FindRange
	if mc.infoSet || cmd.Summary != "" || cmd.Since != "" || !legacyOnly {
		return fmt.Errorf("SetCommandInfo %q: the command info is already set (it can be set once)", cmd.Name)
	}
	mc.infoSet = true
	cmd.Summary, cmd.Since, mc.complexity = info.Summary, info.Since, info.Complexity
	mc.history = append([]sdk.CommandHistoryEntry(nil), info.History...)
	if info.Tips != "" {
		mc.tips = strings.Split(info.Tips, " ") // sdssplitlen: empty tokens kept
	}
	if info.Arity != 0 {
		cmd.Arity = info.Arity
	}
	if len(info.KeySpecs) > 0 {
		specs := make([]cmdmeta.KeySpec, len(info.KeySpecs))
		for i, ks := range info.KeySpecs {
			s := cmdmeta.KeySpec{Notes: ks.Notes, Flags: keyFlagsFromSDK(ks.Flags)}
			switch ks.BeginSearchType {
			case sdk.KSpecBSUnknown:
				s.BeginSearch = cmdmeta.Unknown
			case sdk.KSpecBSIndex:
				s.BeginSearch, s.Index = cmdmeta.SearchIndex, ks.BSIndex.Pos
			case sdk.KSpecBSKeyword:
				s.BeginSearch, s.Keyword, s.StartFrom = cmdmeta.SearchKeyword, ks.BSKeyword.Keyword, ks.BSKeyword.StartFrom
			}
			switch ks.FindKeysType {
			case sdk.KSpecFKOmitted: // a single key
				s.FindKeys, s.LastKey, s.KeyStep, s.Limit = cmdmeta.FindRange, 0, 1, 0
			case sdk.KSpecFKUnknown:
				s.FindKeys = cmdmeta.Unknown
			case sdk.KSpecFKRange:
				s.FindKeys, s.LastKey, s.KeyStep, s.Limit = cmdmeta.FindRange, ks.FKRange.LastKey, ks.FKRange.KeyStep, ks.FKRange.Limit
			case sdk.KSpecFKKeyNum:
				s.FindKeys, s.KeyNumIdx, s.FirstKey, s.KeyStep = cmdmeta.FindKeynum, ks.FKKeyNum.KeyNumIdx, ks.FKKeyNum.FirstKey, ks.FKKeyNum.KeyStep
			}
			specs[i] = s
		}
		mc.keySpecs = specs
		mc.populateLegacyRange(cmd)
	}
	mc.args = copyCommandArgs(info.Args)
	return nil
}

func copyCommandArgs(args []sdk.CommandArg) []sdk.CommandArg {
	if len(args) == 0 {
		return nil
	}
	out := make([]sdk.CommandArg, len(args))
	for i, a := range args {
		if a.Type != sdk.ArgTypeKey {
			a.KeySpecIndex = -1
		}
		a.Subargs = copyCommandArgs(a.Subargs)
		out[i] = a
	}
	return out
}

// validateCommandInfo is Redis's moduleValidateCommandInfo, with its
// messages. Go slices have lengths, so what C's zero terminators mean is an
// error here (an entry without since, a key spec of type INVALID, an
// argument without a name).
func validateCommandInfo(info *sdk.CommandInfo) error {
	for j, h := range info.History {
		if h.Since == "" {
			return fmt.Errorf("Invalid command info: history[%d].since missing", j)
		}
		if h.Changes == "" {
			return fmt.Errorf("Invalid command info: history[%d].changes missing", j)
		}
	}
	const keyFlags = sdk.CmdKeyRO | sdk.CmdKeyRW | sdk.CmdKeyOW | sdk.CmdKeyRM
	const writeFlags = sdk.CmdKeyInsert | sdk.CmdKeyDelete | sdk.CmdKeyUpdate
	isPow2 := func(v sdk.CmdKeyFlags) bool { return v != 0 && v&(v-1) == 0 }
	for j, s := range info.KeySpecs {
		if !isPow2(s.Flags & keyFlags) {
			return fmt.Errorf("Invalid command info: key_specs[%d].flags: Exactly one of the flags RO, RW, OW, RM required", j)
		}
		if s.Flags&writeFlags != 0 && !isPow2(s.Flags&writeFlags) {
			return fmt.Errorf("Invalid command info: key_specs[%d].flags: INSERT, DELETE and UPDATE are mutually exclusive", j)
		}
		switch s.BeginSearchType {
		case sdk.KSpecBSUnknown, sdk.KSpecBSIndex:
		case sdk.KSpecBSKeyword:
			if s.BSKeyword.Keyword == "" {
				return fmt.Errorf("Invalid command info: key_specs[%d].bs.keyword.keyword required when begin_search_type is KEYWORD", j)
			}
		default:
			return fmt.Errorf("Invalid command info: key_specs[%d].begin_search_type: Invalid value %d", j, s.BeginSearchType)
		}
		switch s.FindKeysType {
		case sdk.KSpecFKOmitted, sdk.KSpecFKUnknown, sdk.KSpecFKRange, sdk.KSpecFKKeyNum:
		default:
			return fmt.Errorf("Invalid command info: key_specs[%d].find_keys_type: Invalid value %d", j, s.FindKeysType)
		}
	}
	return validateCommandArgs(info.Args)
}

// validateCommandArgs is Redis's moduleValidateCommandArgs.
func validateCommandArgs(args []sdk.CommandArg) error {
	for j, a := range args {
		if a.Name == "" {
			return fmt.Errorf("Invalid command info: args[%d]: name missing", j)
		}
		if a.Type < sdk.ArgTypeString || a.Type > sdk.ArgTypeBlock {
			return fmt.Errorf("Invalid command info: Argument \"%s\": Undefined type %d", a.Name, a.Type)
		}
		if a.Type == sdk.ArgTypePureToken && a.Token == "" {
			return fmt.Errorf("Invalid command info: Argument \"%s\": token required when type is PURE_TOKEN", a.Name)
		}
		if a.Type == sdk.ArgTypeKey {
			if a.KeySpecIndex < 0 {
				return fmt.Errorf("Invalid command info: Argument \"%s\": key_spec_index required when type is KEY", a.Name)
			}
		} else if a.KeySpecIndex != -1 && a.KeySpecIndex != 0 {
			return fmt.Errorf("Invalid command info: Argument \"%s\": key_spec_index specified but type isn't KEY", a.Name)
		}
		if a.Flags&^(sdk.CmdArgOptional|sdk.CmdArgMultiple|sdk.CmdArgMultipleToken) != 0 {
			return fmt.Errorf("Invalid command info: Argument \"%s\": Invalid flags", a.Name)
		}
		if a.Type == sdk.ArgTypeOneOf || a.Type == sdk.ArgTypeBlock {
			if len(a.Subargs) == 0 {
				return fmt.Errorf("Invalid command info: Argument \"%s\": subargs required when type is ONEOF or BLOCK", a.Name)
			}
			if err := validateCommandArgs(a.Subargs); err != nil {
				return err
			}
		} else if len(a.Subargs) > 0 {
			return fmt.Errorf("Invalid command info: Argument \"%s\": subargs specified but type isn't ONEOF nor BLOCK", a.Name)
		}
	}
	return nil
}

// writeModuleTips writes a command's tips as COMMAND INFO does: a set of
// bulk strings (empty for built-ins described from the table).
func writeModuleTips(w resp.Writer, cmd *Command) {
	if cmd.mod == nil {
		w.Set(0)
		return
	}
	w.Set(len(cmd.mod.tips))
	for _, t := range cmd.mod.tips {
		w.BulkString(t)
	}
}

// writeModuleDocs writes a module command's COMMAND DOCS entry as Redis's
// addReplyCommandDocs: the fields the module set, the group "module" and
// the module's name, in Redis's order.
func writeModuleDocs(w resp.Writer, cmd *Command) {
	mc := cmd.mod
	if mc == nil {
		mc = &moduleCmd{}
	}
	n := 2 // group, module
	for _, set := range []bool{cmd.Summary != "", cmd.Since != "", mc.complexity != "", len(mc.history) > 0, len(mc.args) > 0, cmd.Subs != nil} {
		if set {
			n++
		}
	}
	w.Map(n)
	if cmd.Summary != "" {
		w.BulkString("summary")
		w.BulkString(cmd.Summary)
	}
	if cmd.Since != "" {
		w.BulkString("since")
		w.BulkString(cmd.Since)
	}
	w.BulkString("group")
	w.BulkString("module")
	if mc.complexity != "" {
		w.BulkString("complexity")
		w.BulkString(mc.complexity)
	}
	w.BulkString("module")
	w.BulkString(cmd.Module.Name)
	if len(mc.history) > 0 {
		w.BulkString("history")
		w.Set(len(mc.history))
		for _, h := range mc.history {
			w.Array(2)
			w.BulkString(h.Since)
			w.BulkString(h.Changes)
		}
	}
	if len(mc.args) > 0 {
		w.BulkString("arguments")
		writeCommandArgs(w, mc.args)
	}
	if cmd.Subs != nil {
		writeSubcommandDocs(w, sortedSubs(cmd))
	}
}

var argTypeNames = [...]string{"string", "integer", "double", "key", "pattern", "unix-time", "pure-token", "oneof", "block"}

// writeCommandArgs writes arguments as Redis's addReplyCommandArgList
// (with Redis 7.2's display_text when the module set one).
func writeCommandArgs(w resp.Writer, args []sdk.CommandArg) {
	w.Array(len(args))
	for _, a := range args {
		n := 2
		for _, set := range []bool{a.DisplayText != "", a.KeySpecIndex != -1, a.Token != "", a.Summary != "", a.Since != "",
			a.DeprecatedSince != "", a.Flags != 0, a.Type == sdk.ArgTypeOneOf || a.Type == sdk.ArgTypeBlock} {
			if set {
				n++
			}
		}
		w.Map(n)
		w.BulkString("name")
		w.BulkString(a.Name)
		w.BulkString("type")
		w.BulkString(argTypeNames[a.Type])
		if a.DisplayText != "" {
			w.BulkString("display_text")
			w.BulkString(a.DisplayText)
		}
		if a.KeySpecIndex != -1 {
			w.BulkString("key_spec_index")
			w.Int(int64(a.KeySpecIndex))
		}
		if a.Token != "" {
			w.BulkString("token")
			w.BulkString(a.Token)
		}
		if a.Summary != "" {
			w.BulkString("summary")
			w.BulkString(a.Summary)
		}
		if a.Since != "" {
			w.BulkString("since")
			w.BulkString(a.Since)
		}
		if a.DeprecatedSince != "" {
			w.BulkString("deprecated_since")
			w.BulkString(a.DeprecatedSince)
		}
		if a.Flags != 0 {
			w.BulkString("flags")
			var names []string
			for i, f := range []string{"optional", "multiple", "multiple_token"} {
				if a.Flags&(1<<i) != 0 {
					names = append(names, f)
				}
			}
			w.Set(len(names))
			for _, f := range names {
				w.SimpleString(f)
			}
		}
		if a.Type == sdk.ArgTypeOneOf || a.Type == sdk.ArgTypeBlock {
			w.BulkString("arguments")
			writeCommandArgs(w, a.Subargs)
		}
	}
}
