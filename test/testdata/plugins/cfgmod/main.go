// Command cfgmod is a test module for the lifecycle, command info and
// config family of the sdk: module configs of every kind, subcommands,
// SetCommandInfo, ACL categories, the getkeys-api, module options, context
// flags and the server version. Its OnLoad arguments choose a behaviour:
//
//	noload     register configs but do not call LoadConfigs (the load fails)
package main

import (
	"errors"
	"fmt"

	"modis/sdk"
)

// The module's config values, as the setters store them.
var (
	flag      bool
	limit     int64
	mem       int64
	name      sdk.String
	mode      int
	flags     int
	fixed     int64
	hidden    bool
	password  sdk.String
	guard     int64
	applied   int   // apply calls
	sets      []any // every value a setter received, in order
	loadArgs  []string
	loadFlags sdk.CtxFlags
	regErrs   []string // what the registration checks answered
)

func OnLoad(ctx sdk.Ctx, args []sdk.String) error {
	if err := ctx.Init("cfgmod", 1, sdk.APIVER_1); err != nil {
		return err
	}
	loadArgs = loadArgs[:0]
	for _, a := range args {
		loadArgs = append(loadArgs, a.String())
	}
	sets, applied, regErrs = nil, 0, nil
	behaviour := ""
	if len(args) > 0 {
		behaviour = args[0].String()
	}
	loadFlags = ctx.GetContextFlags()
	ctx.SetModuleOptions(sdk.ModuleOptionHandleIOErrors | sdk.ModuleOptionNoImplicitSignalModified)

	if err := registerConfigs(ctx); err != nil {
		return err
	}
	if behaviour != "noload" {
		if err := ctx.LoadConfigs(); err != nil {
			return err
		}
	}
	if err := registerCommands(ctx); err != nil {
		return err
	}
	return nil
}

// applyLimits is shared by limit and mem: one CONFIG SET of both calls it
// once. It refuses limit 999, to test the rollback.
func applyLimits(ctx sdk.Ctx) error {
	applied++
	if limit == 999 {
		return errors.New("limit 999 is refused by apply")
	}
	return nil
}

func registerConfigs(ctx sdk.Ctx) error {
	record := func(name string, v any) { sets = append(sets, name+"="+fmt.Sprint(v)) }
	steps := []error{
		ctx.RegisterBoolConfig("flag", true, sdk.ConfigDefault,
			func(string) bool { return flag },
			func(n string, v bool) error { record(n, v); flag = v; return nil }, nil),
		ctx.RegisterNumericConfig("limit", 100, sdk.ConfigDefault, 0, 1000,
			func(string) int64 { return limit },
			func(n string, v int64) error { record(n, v); limit = v; return nil }, applyLimits),
		ctx.RegisterNumericConfig("mem", 1<<20, sdk.ConfigMemory, 0, 1<<40,
			func(string) int64 { return mem },
			func(n string, v int64) error { record(n, v); mem = v; return nil }, applyLimits),
		ctx.RegisterStringConfig("name", "hello", sdk.ConfigDefault,
			func(string) sdk.String { return name },
			func(n string, v sdk.String) error {
				if v.String() == "bad" {
					return errors.New("name 'bad' is not allowed")
				}
				if v.String() == "panic" {
					panic("the name setter panics")
				}
				record(n, v.String())
				name = v
				return nil
			}, nil),
		ctx.RegisterEnumConfig("mode", 1, sdk.ConfigDefault, []string{"fast", "slow", "off"}, []int{1, 2, 0},
			func(string) int { return mode },
			func(n string, v int) error { record(n, v); mode = v; return nil }, nil),
		ctx.RegisterEnumConfig("flags", 3, sdk.ConfigBitFlags, []string{"none", "one", "two", "three"}, []int{0, 1, 2, 4},
			func(string) int { return flags },
			func(n string, v int) error { record(n, v); flags = v; return nil }, nil),
		ctx.RegisterNumericConfig("fixed", 5, sdk.ConfigImmutable, 0, 10,
			func(string) int64 { return fixed },
			func(n string, v int64) error { record(n, v); fixed = v; return nil }, nil),
		ctx.RegisterBoolConfig("hidden", false, sdk.ConfigHidden,
			func(string) bool { return hidden },
			func(n string, v bool) error { hidden = v; return nil }, nil),
		ctx.RegisterStringConfig("password", "", sdk.ConfigSensitive,
			func(string) sdk.String { return password },
			func(n string, v sdk.String) error { password = v; return nil }, nil),
		ctx.RegisterNumericConfig("guard", 1, sdk.ConfigProtected|sdk.ConfigDenyLoading, 0, 100,
			func(string) int64 { return guard },
			func(n string, v int64) error { guard = v; return nil }, nil),
	}
	for _, err := range steps {
		if err != nil {
			return err
		}
	}
	// Registrations that must fail, with what they answered.
	nop := func(string, bool) error { return nil }
	get := func(string) bool { return false }
	for _, err := range []error{
		ctx.RegisterBoolConfig("flag", true, sdk.ConfigDefault, get, nop, nil),
		ctx.RegisterBoolConfig("FLAG", true, sdk.ConfigDefault, get, nop, nil),
		ctx.RegisterBoolConfig("bad name", true, sdk.ConfigDefault, get, nop, nil),
		ctx.RegisterBoolConfig("", true, sdk.ConfigDefault, get, nop, nil),
		ctx.RegisterBoolConfig("mem2", true, sdk.ConfigMemory, get, nop, nil),
		ctx.RegisterNumericConfig("bits", 1, sdk.ConfigBitFlags, 0, 2, func(string) int64 { return 0 }, func(string, int64) error { return nil }, nil),
		ctx.RegisterNumericConfig("range", 50, sdk.ConfigDefault, 0, 10, func(string) int64 { return 0 }, func(string, int64) error { return nil }, nil),
		ctx.RegisterEnumConfig("enum", 0, sdk.ConfigDefault, []string{"a", "b"}, []int{0}, func(string) int { return 0 }, func(string, int) error { return nil }, nil),
		ctx.RegisterBoolConfig("nilset", true, sdk.ConfigDefault, get, nil, nil),
	} {
		if err == nil {
			regErrs = append(regErrs, "accepted")
		} else {
			regErrs = append(regErrs, err.Error())
		}
	}
	return nil
}

func registerCommands(ctx sdk.Ctx) error {
	for _, c := range []struct {
		name  string
		fn    sdk.CmdFunc
		flags string
		f, l  int
		step  int
	}{
		{"cfgmod.cfg", nil, "", 0, 0, 0}, // a container
		{"cfgmod.args", argsCmd, "readonly fast", 0, 0, 0},
		{"cfgmod.flags", flagsCmd, "readonly", 0, 0, 0},
		{"cfgmod.version", versionCmd, "readonly", 0, 0, 0},
		{"cfgmod.info", infoCmd, "write", 1, 1, 1},
		{"cfgmod.set", okCmd, "write deny-oom", 1, 1, 1},
		{"cfgmod.getkeys", getkeysCmd, "readonly getkeys-api", 0, 0, 0},
		{"cfgmod.ranged", okCmd, "write", 1, -1, 2},
		{"cfgmod.acl", okCmd, "write fast", 0, 0, 0},
		{"cfgmod.keys", keysCmd, "readonly", 0, 0, 0},
		{"cfgmod.keypos", keyPosCmd, "readonly", 0, 0, 0},
		{"cfgmod.redact", okCmd, "readonly", 0, 0, 0},
		{"cfgmod.misc", miscCmd, "readonly", 0, 0, 0},
	} {
		if err := ctx.CreateCommand(c.name, c.fn, c.flags, c.f, c.l, c.step); err != nil {
			return err
		}
	}
	parent, err := ctx.GetCommand("cfgmod.cfg")
	if err != nil {
		return err
	}
	if err := parent.CreateSubcommand("get", cfgGet, "readonly fast", 0, 0, 0); err != nil {
		return err
	}
	if err := parent.CreateSubcommand("regerrs", regErrsCmd, "readonly", 0, 0, 0); err != nil {
		return err
	}
	if err := parent.CreateSubcommand("touch", okCmd, "write", 2, 2, 1); err != nil {
		return err
	}
	// Subcommand errors, recorded for cfgmod.cfg regerrs.
	child, err := ctx.GetCommand("cfgmod.cfg|get")
	if err != nil {
		return err
	}
	info, _ := ctx.GetCommand("cfgmod.info")
	for _, err := range []error{
		parent.CreateSubcommand("get", cfgGet, "readonly", 0, 0, 0), // taken
		child.CreateSubcommand("deeper", cfgGet, "", 0, 0, 0),       // no nesting
		info.CreateSubcommand("sub", cfgGet, "", 0, 0, 0),           // info has a handler
		parent.CreateSubcommand("x", cfgGet, "bogus", 0, 0, 0),      // unknown flag
		errOf(ctx.GetCommand("get")),                                // a built-in
		errOf(ctx.GetCommand("nosuch")),
	} {
		if err == nil {
			regErrs = append(regErrs, "accepted")
		} else {
			regErrs = append(regErrs, err.Error())
		}
	}
	if err := child.SetCommandInfo(&sdk.CommandInfo{Summary: "Returns a config as the module holds it.", Since: "1.0.0", Arity: 3}); err != nil {
		return err
	}
	if err := info.SetCommandInfo(&sdk.CommandInfo{
		Summary:    "A documented command.",
		Complexity: "O(1)",
		Since:      "1.2.0",
		History:    []sdk.CommandHistoryEntry{{Since: "1.3.0", Changes: "Added the NX option."}},
		Tips:       "nondeterministic_output request_policy:all_shards",
		Arity:      -3,
		KeySpecs: []sdk.CommandKeySpec{
			{Notes: "the main key", Flags: sdk.CmdKeyRW | sdk.CmdKeyUpdate, BeginSearchType: sdk.KSpecBSIndex, BSIndex: sdk.KeySpecBSIndex{Pos: 1}},
			{Flags: sdk.CmdKeyRO | sdk.CmdKeyAccess, BeginSearchType: sdk.KSpecBSKeyword, BSKeyword: sdk.KeySpecBSKeyword{Keyword: "FROM", StartFrom: 2},
				FindKeysType: sdk.KSpecFKKeyNum, FKKeyNum: sdk.KeySpecFKKeyNum{KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}},
		},
		Args: []sdk.CommandArg{
			{Name: "key", Type: sdk.ArgTypeKey, KeySpecIndex: 0},
			{Name: "value", Type: sdk.ArgTypeString, Summary: "The value."},
			{Name: "condition", Type: sdk.ArgTypeOneOf, Flags: sdk.CmdArgOptional, Since: "1.3.0", Subargs: []sdk.CommandArg{
				{Name: "nx", Type: sdk.ArgTypePureToken, Token: "NX"},
				{Name: "xx", Type: sdk.ArgTypePureToken, Token: "XX"},
			}},
			{Name: "from", Type: sdk.ArgTypeBlock, Token: "FROM", Flags: sdk.CmdArgOptional, Subargs: []sdk.CommandArg{
				{Name: "numkeys", Type: sdk.ArgTypeInteger},
				{Name: "src", Type: sdk.ArgTypeKey, KeySpecIndex: 1, Flags: sdk.CmdArgMultiple, DisplayText: "source"},
			}},
		},
	}); err != nil {
		return err
	}
	// cfgmod.set is described exactly as Redis 7.0.15 describes SET, so the
	// tests can compare the two descriptions byte for byte.
	set, _ := ctx.GetCommand("cfgmod.set")
	if err := set.SetCommandInfo(setInfo); err != nil {
		return err
	}
	// Invalid infos, each with Redis's complaint; then a second set.
	ranged, _ := ctx.GetCommand("cfgmod.ranged")
	for _, bad := range []*sdk.CommandInfo{
		{History: []sdk.CommandHistoryEntry{{Since: "1.0.0"}}},
		{KeySpecs: []sdk.CommandKeySpec{{Flags: sdk.CmdKeyRO | sdk.CmdKeyRW, BeginSearchType: sdk.KSpecBSIndex}}},
		{KeySpecs: []sdk.CommandKeySpec{{Flags: sdk.CmdKeyRW | sdk.CmdKeyInsert | sdk.CmdKeyDelete, BeginSearchType: sdk.KSpecBSIndex}}},
		{KeySpecs: []sdk.CommandKeySpec{{Flags: sdk.CmdKeyRO, BeginSearchType: sdk.KSpecBSKeyword}}},
		{KeySpecs: []sdk.CommandKeySpec{{Flags: sdk.CmdKeyRO}}},
		{Args: []sdk.CommandArg{{Name: "t", Type: sdk.ArgTypePureToken}}},
		{Args: []sdk.CommandArg{{Name: "k", Type: sdk.ArgTypeKey, KeySpecIndex: -1}}},
		{Args: []sdk.CommandArg{{Name: "s", Type: sdk.ArgTypeString, KeySpecIndex: 2}}},
		{Args: []sdk.CommandArg{{Name: "o", Type: sdk.ArgTypeOneOf}}},
		{Args: []sdk.CommandArg{{Name: "s", Type: sdk.ArgTypeString, Subargs: []sdk.CommandArg{{Name: "x"}}}}},
		{Args: []sdk.CommandArg{{Name: "f", Type: sdk.ArgTypeString, Flags: 8}}},
		{Args: []sdk.CommandArg{{Name: "u", Type: 42}}},
	} {
		if err := ranged.SetCommandInfo(bad); err == nil {
			regErrs = append(regErrs, "accepted")
		} else {
			regErrs = append(regErrs, err.Error())
		}
	}
	if err := info.SetCommandInfo(&sdk.CommandInfo{Summary: "again"}); err == nil {
		regErrs = append(regErrs, "accepted")
	} else {
		regErrs = append(regErrs, err.Error())
	}
	acl, _ := ctx.GetCommand("cfgmod.acl")
	if err := acl.SetCommandACLCategories("nosuchcategory"); err == nil {
		regErrs = append(regErrs, "accepted")
	} else {
		regErrs = append(regErrs, err.Error())
	}
	return acl.SetCommandACLCategories("write @fast keyspace")
}

func errOf(_ sdk.Command, err error) error { return err }

func okCmd(ctx sdk.Ctx, argv []sdk.String) error { return ctx.ReplyWithSimpleString("OK") }

func argsCmd(ctx sdk.Ctx, argv []sdk.String) error {
	ctx.ReplyWithArray(len(loadArgs))
	for _, a := range loadArgs {
		ctx.ReplyWithCString(a)
	}
	return nil
}

// cfgGet NAME: the value the module holds (what its setter received).
func cfgGet(ctx sdk.Ctx, argv []sdk.String) error {
	switch argv[2].String() {
	case "flag":
		return ctx.ReplyWithBool(flag)
	case "limit":
		return ctx.ReplyWithLongLong(limit)
	case "mem":
		return ctx.ReplyWithLongLong(mem)
	case "name":
		return ctx.ReplyWithString(name)
	case "mode":
		return ctx.ReplyWithLongLong(int64(mode))
	case "flags":
		return ctx.ReplyWithLongLong(int64(flags))
	case "fixed":
		return ctx.ReplyWithLongLong(fixed)
	case "password":
		return ctx.ReplyWithString(password)
	case "guard":
		return ctx.ReplyWithLongLong(guard)
	case "applied":
		return ctx.ReplyWithLongLong(int64(applied))
	case "sets":
		ctx.ReplyWithArray(len(sets))
		for _, s := range sets {
			ctx.ReplyWithCString(fmt.Sprint(s))
		}
		return nil
	case "loadflags":
		return ctx.ReplyWithLongLong(int64(loadFlags))
	}
	return ctx.ReplyWithError("ERR no such config")
}

func regErrsCmd(ctx sdk.Ctx, argv []sdk.String) error {
	ctx.ReplyWithArray(len(regErrs))
	for _, e := range regErrs {
		ctx.ReplyWithCString(e)
	}
	return nil
}

func flagsCmd(ctx sdk.Ctx, argv []sdk.String) error {
	return ctx.ReplyWithLongLong(int64(ctx.GetContextFlags()))
}

func versionCmd(ctx sdk.Ctx, argv []sdk.String) error {
	ctx.ReplyWithArray(5)
	ctx.ReplyWithLongLong(int64(ctx.GetServerVersion()))
	ctx.ReplyWithLongLong(int64(ctx.GetTypeMethodVersion()))
	ctx.ReplyWithBool(ctx.IsModuleNameBusy("CFGMOD"))
	ctx.ReplyWithBool(ctx.IsModuleNameBusy("nosuchmodule"))
	return ctx.ReplyWithLongLong(int64(ctx.GetContextFlagsAll()))
}

// infoCmd key value [NX|XX] [FROM numkeys src...]: documented with
// SetCommandInfo; it only answers OK.
func infoCmd(ctx sdk.Ctx, argv []sdk.String) error { return ctx.ReplyWithSimpleString("OK") }

// getkeysCmd x [KEYS k...] [RO k]: keys are every argument after KEYS
// (full access), and the one after RO (read-only). In a keys-position
// request it reports them; otherwise it answers OK. It tries to reply in
// the request, which must be refused.
func getkeysCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if !ctx.IsKeysPositionRequest() {
		return ctx.ReplyWithSimpleString("OK")
	}
	if err := ctx.ReplyWithSimpleString("must not be sent"); err == nil {
		panic("a reply was accepted in a keys-position request")
	}
	ctx.KeyAtPos(0)   // ignored
	ctx.KeyAtPos(999) // not an argument: dropped
	for i := 1; i < len(argv); i++ {
		switch argv[i].String() {
		case "KEYS":
			for j := i + 1; j < len(argv) && argv[j].String() != "RO"; j++ {
				ctx.KeyAtPos(j)
				i = j
			}
		case "RO":
			if i+1 < len(argv) {
				ctx.KeyAtPosWithFlags(i+1, sdk.CmdKeyRO|sdk.CmdKeyAccess)
				i++
			}
		case "PANIC":
			panic("getkeys panics")
		}
	}
	return nil
}

// keysCmd CMD ARGS...: the positions and flags GetCommandKeysWithFlags
// finds in the command line, as [pos, flags] pairs, or its error.
func keysCmd(ctx sdk.Ctx, argv []sdk.String) error {
	pos, fl, err := ctx.GetCommandKeysWithFlags(argv[1:])
	if err != nil {
		return err
	}
	ctx.ReplyWithArray(len(pos))
	for i := range pos {
		ctx.ReplyWithArray(2)
		ctx.ReplyWithLongLong(int64(pos[i]))
		ctx.ReplyWithLongLong(int64(fl[i]))
	}
	return nil
}

// keyPosCmd CMD ARGS...: the positions GetCommandKeys finds in the
// command line, or its error.
func keyPosCmd(ctx sdk.Ctx, argv []sdk.String) error {
	pos, err := ctx.GetCommandKeys(argv[1:])
	if err != nil {
		return err
	}
	ctx.ReplyWithArray(len(pos))
	for _, p := range pos {
		ctx.ReplyWithLongLong(int64(p))
	}
	return nil
}

// miscCmd: what the cluster and time functions answer, a redaction, and a
// latency sample.
func miscCmd(ctx sdk.Ctx, argv []sdk.String) error {
	_, nodeErr := ctx.GetClusterNodeInfo("x")
	sendErr := ctx.SendClusterMessage("x", 1, nil)
	hex := make([]byte, 8)
	sdk.GetRandomHexChars(hex)
	redactErr := ctx.RedactClientCommandArgument(0)
	ctx.LatencyAddSample("cfgmod-misc", 25)
	ctx.LatencyAddSample("cfgmod-fast", 0) // under any threshold: not recorded
	if len(argv) > 1 {
		ctx.RedactClientCommandArgument(1)
	}
	ctx.ReplyWithArray(9)
	ctx.ReplyWithCString(ctx.GetMyClusterID())
	ctx.ReplyWithLongLong(int64(ctx.GetClusterSize()))
	ctx.ReplyWithLongLong(int64(len(ctx.GetClusterNodesList())))
	ctx.ReplyWithCString(nodeErr.Error())
	ctx.ReplyWithCString(sendErr.Error())
	ctx.ReplyWithBool(ctx.Microseconds() > 1_600_000_000_000_000)
	ctx.ReplyWithBool(ctx.CachedMicroseconds()%1000 == 0 && ctx.CachedMicroseconds() > 1_600_000_000_000_000)
	ctx.ReplyWithLongLong(int64(len(hex)))
	return ctx.ReplyWithBool(redactErr != nil)
}

// setInfo is Redis 7.0.15's description of SET (COMMAND DOCS set, COMMAND
// INFO set's key specification).
var setInfo = &sdk.CommandInfo{
	Summary:    "Set the string value of a key",
	Complexity: "O(1)",
	Since:      "1.0.0",
	History: []sdk.CommandHistoryEntry{
		{Since: "2.6.12", Changes: "Added the `EX`, `PX`, `NX` and `XX` options."},
		{Since: "6.0.0", Changes: "Added the `KEEPTTL` option."},
		{Since: "6.2.0", Changes: "Added the `GET`, `EXAT` and `PXAT` option."},
		{Since: "7.0.0", Changes: "Allowed the `NX` and `GET` options to be used together."},
	},
	Arity: -3,
	KeySpecs: []sdk.CommandKeySpec{{
		Notes:           "RW and ACCESS due to the optional `GET` argument",
		Flags:           sdk.CmdKeyRW | sdk.CmdKeyAccess | sdk.CmdKeyUpdate | sdk.CmdKeyVariableFlags,
		BeginSearchType: sdk.KSpecBSIndex, BSIndex: sdk.KeySpecBSIndex{Pos: 1},
		FindKeysType: sdk.KSpecFKRange, FKRange: sdk.KeySpecFKRange{LastKey: 0, KeyStep: 1, Limit: 0},
	}},
	Args: []sdk.CommandArg{
		{Name: "key", Type: sdk.ArgTypeKey, KeySpecIndex: 0},
		{Name: "value", Type: sdk.ArgTypeString},
		{Name: "condition", Type: sdk.ArgTypeOneOf, Since: "2.6.12", Flags: sdk.CmdArgOptional, Subargs: []sdk.CommandArg{
			{Name: "nx", Type: sdk.ArgTypePureToken, Token: "NX"},
			{Name: "xx", Type: sdk.ArgTypePureToken, Token: "XX"},
		}},
		{Name: "get", Type: sdk.ArgTypePureToken, Token: "GET", Since: "6.2.0", Flags: sdk.CmdArgOptional},
		{Name: "expiration", Type: sdk.ArgTypeOneOf, Flags: sdk.CmdArgOptional, Subargs: []sdk.CommandArg{
			{Name: "seconds", Type: sdk.ArgTypeInteger, Token: "EX", Since: "2.6.12"},
			{Name: "milliseconds", Type: sdk.ArgTypeInteger, Token: "PX", Since: "2.6.12"},
			{Name: "unix-time-seconds", Type: sdk.ArgTypeUnixTime, Token: "EXAT", Since: "6.2.0"},
			{Name: "unix-time-milliseconds", Type: sdk.ArgTypeUnixTime, Token: "PXAT", Since: "6.2.0"},
			{Name: "keepttl", Type: sdk.ArgTypePureToken, Token: "KEEPTTL", Since: "6.0.0"},
		}},
	},
}
