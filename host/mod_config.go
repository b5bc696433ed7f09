package host

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"unsafe"

	"modis/sdk"
)

// Module configs (RedisModule_Register*Config, LoadConfigs) and MODULE
// LOADEX. A module config is a param (config.go's table entry type) that
// lives outside the static table: Config.lookupParam finds it by its full
// name "<module>.<name>", so CONFIG GET, CONFIG SET and CONFIG REWRITE treat
// it like a built-in parameter. Its value lives in the module: get and set
// call the module's callbacks.
//
// Values given before a module registers its configs wait in a queue, as
// Redis's server.module_configs_queue: "<module>.<name> value" lines of the
// config file and --<module>.<name> flags (Config.moduleConfigArgs, copied
// at New), or MODULE LOADEX's CONFIG pairs. LoadConfigs takes a module's
// values from it. At startup, once every --loadmodule module is loaded, a
// value left in the queue (a typo, a module that was not loaded, a module
// that did not call LoadConfigs) stops the server, as in Redis.
//
// CONFIG SET of module configs is transactional as in Redis 7: the setters
// run in argument order, each recording the value it replaced; if a later
// value fails, or an apply function fails, every recorded value is set back
// (and, after an apply failure, the apply functions run again).

// moduleConfigState is the module host's config state.
type moduleConfigState struct {
	byName map[string]*moduleConfig // by lower-case full name
	order  []*moduleConfig          // registration order (CONFIG GET patterns)

	queue        []queuedConfig // values waiting for LoadConfigs
	loadex       bool           // a MODULE LOADEX is running: its values must all be taken
	startupLoads int            // modules loaded before the server listens
	txn          *configTxn     // the CONFIG SET running now, nil outside
}

// queuedConfig is one value waiting for its module.
type queuedConfig struct {
	name  string // "<module>.<name>", as given
	value string
}

// queueModuleConfig records a "<module>.<name> value" directive of the
// config file or the command line. A later value for the same name (in any
// case) replaces the earlier one, as Redis's dictReplace. args are joined
// by spaces (a bitflags enum may be given several names).
func (c *Config) queueModuleConfig(name string, args []string) error {
	if len(args) == 0 {
		return errors.New("Module config specified without value")
	}
	v := strings.Join(args, " ")
	for i, q := range c.moduleConfigArgs {
		if strings.EqualFold(q.name, name) {
			c.moduleConfigArgs[i].value = v
			return nil
		}
	}
	c.moduleConfigArgs = append(c.moduleConfigArgs, queuedConfig{name: name, value: v})
	return nil
}

// ModuleConfigArgs returns the "<module>.<name> value" directives waiting
// for their modules, as name, value pairs.
func (c *Config) ModuleConfigArgs() [][2]string {
	out := make([][2]string, len(c.moduleConfigArgs))
	for i, q := range c.moduleConfigArgs {
		out[i] = [2]string{q.name, q.value}
	}
	return out
}

// isModuleConfigName reports whether a directive name is a module config's
// (it has a dot; no built-in parameter does).
func isModuleConfigName(name string) bool { return strings.Contains(name, ".") }

// initConfigs takes the queued values of the config, and refuses them when
// no module is to be loaded (Redis aborts then too).
func (h *moduleHost) initConfigs() error {
	h.cfgs.byName = map[string]*moduleConfig{}
	h.cfgs.queue = append([]queuedConfig(nil), h.s.cfg.moduleConfigArgs...)
	h.s.cfg.modParams = &h.cfgs
	if len(h.cfgs.queue) > 0 && len(h.s.cfg.LoadModules) == 0 {
		return fmt.Errorf("Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting (%s)", h.cfgs.queuedNames())
	}
	return nil
}

func (st *moduleConfigState) queuedNames() string {
	names := make([]string, len(st.queue))
	for i, q := range st.queue {
		names[i] = q.name
	}
	return strings.Join(names, ", ")
}

// takeQueued removes and returns the queued value for a full name.
func (st *moduleConfigState) takeQueued(full string) (string, bool) {
	for i, q := range st.queue {
		if strings.EqualFold(q.name, full) {
			st.queue = append(st.queue[:i], st.queue[i+1:]...)
			return q.value, true
		}
	}
	return "", false
}

// find returns the param of a registered module config (nil-safe).
func (st *moduleConfigState) find(name string) *param {
	if st == nil || !isModuleConfigName(name) {
		return nil
	}
	if mc := st.byName[strings.ToLower(name)]; mc != nil {
		return &mc.p
	}
	return nil
}

// each calls fn for every registered module config, in registration order
// (nil-safe).
func (st *moduleConfigState) each(fn func(p *param)) {
	if st == nil {
		return
	}
	for _, mc := range st.order {
		fn(&mc.p)
	}
}

// lookupParam finds a built-in parameter, or a config a loaded module
// registered.
func (c *Config) lookupParam(name string) *param {
	if p := findParam(name); p != nil {
		return p
	}
	return c.modParams.find(name)
}

// afterOnLoad runs once a module's OnLoad succeeded, before the module is
// kept: Redis's checks of moduleLoad. An error unloads the module again
// (OnUnload runs, as Redis's moduleUnload) and fails the load.
func (h *moduleHost) afterOnLoad(m *Module) error {
	var err error
	st := &h.cfgs
	switch {
	case m.configsRegistered && !m.configsLoaded:
		err = errors.New("the module registered configs but did not call LoadConfigs in OnLoad (module configurations were not set); module unloaded")
	case st.loadex && len(st.queue) > 0:
		err = fmt.Errorf("LOADEX configurations were not applied, likely due to invalid arguments (no config %s); module unloaded", st.queuedNames())
	case !h.s.listening:
		st.startupLoads++
		if st.startupLoads == len(h.s.cfg.LoadModules) && len(st.queue) > 0 {
			err = fmt.Errorf("Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting (%s)", st.queuedNames())
		}
	}
	if err != nil && m.plugin != nil && m.plugin.OnUnload != nil {
		ctx := &modCtx{s: h.s, mod: m, phase: phaseUnload}
		if uerr := h.callHook(m, "OnUnload", func() error { return m.plugin.OnUnload(ctx) }); uerr != nil {
			h.s.log.Warn("module OnUnload failed while unloading a module whose load failed", "module", m.Name, "error", uerr)
		}
		ctx.phase = phaseDone
	}
	return err
}

// unregisterConfigs removes a module's configs (unload, failed load).
func (h *moduleHost) unregisterConfigs(m *Module) {
	st := &h.cfgs
	kept := st.order[:0]
	for _, mc := range st.order {
		if mc.mod == m {
			delete(st.byName, strings.ToLower(mc.full))
			continue
		}
		kept = append(kept, mc)
	}
	clear(st.order[len(kept):])
	st.order = kept
	m.configs = nil
}

// Config kinds.
const (
	cfgBool = iota
	cfgNumeric
	cfgString
	cfgEnum
)

// moduleConfig is one config a module registered.
type moduleConfig struct {
	h     *moduleHost
	mod   *Module
	name  string // as registered
	full  string // "<module>.<name>"
	kind  int
	flags sdk.ConfigFlags

	dBool          bool
	dNum, min, max int64
	dStr           string
	dEnum          int
	names          []string
	vals           []int

	getB  func(string) bool
	setB  func(string, bool) error
	getN  func(string) int64
	setN  func(string, int64) error
	getS  func(string) sdk.String
	setS  func(string, sdk.String) error
	getE  func(string) int
	setE  func(string, int) error
	apply sdk.ConfigApplyFunc

	p param
}

// applyID identifies an apply function value, so that configs registered
// with the same function (or the same closure) share one call per CONFIG
// SET, as Redis deduplicates by function and privdata. A func value is a
// pointer to its closure; two closures of one function literal differ.
func applyID(fn sdk.ConfigApplyFunc) uintptr {
	if fn == nil {
		return 0
	}
	return *(*uintptr)(unsafe.Pointer(&fn))
}

const knownConfigFlags = sdk.ConfigImmutable | sdk.ConfigSensitive | sdk.ConfigHidden | sdk.ConfigProtected |
	sdk.ConfigDenyLoading | sdk.ConfigMemory | sdk.ConfigBitFlags

// register validates and registers a config (Redis's
// moduleConfigValidityCheck and addModule*Config).
func (x *modCtx) registerConfig(mc *moduleConfig, what string) error {
	switch {
	case x.phase != phaseLoad:
		return fmt.Errorf("%s may only be called in OnLoad", what)
	case x.mod.Name == "":
		return fmt.Errorf("%s called before Init", what)
	case x.mod.configsLoaded:
		return fmt.Errorf("%s %q: configs must be registered before LoadConfigs", what, mc.name)
	}
	if mc.flags&^knownConfigFlags != 0 {
		return fmt.Errorf("%s %q: invalid flag(s) for configuration %#x", what, mc.name, uint(mc.flags&^knownConfigFlags))
	}
	if mc.kind != cfgNumeric && mc.flags&sdk.ConfigMemory != 0 {
		return fmt.Errorf("%s %q: ConfigMemory provided for a non-numeric configuration", what, mc.name)
	}
	if mc.kind != cfgEnum && mc.flags&sdk.ConfigBitFlags != 0 {
		return fmt.Errorf("%s %q: ConfigBitFlags provided for a non-enum configuration", what, mc.name)
	}
	if mc.name == "" {
		return fmt.Errorf("%s: module config names cannot be an empty string", what)
	}
	for _, r := range mc.name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return fmt.Errorf("%s: invalid character %q in module config name %q (letters, digits, '_' and '-' only)", what, r, mc.name)
		}
	}
	for _, o := range x.mod.configs {
		if strings.EqualFold(o.name, mc.name) {
			return fmt.Errorf("%s: configuration %q already registered", what, mc.name)
		}
	}
	h := x.s.modules
	mc.h, mc.mod = h, x.mod
	mc.full = x.mod.Name + "." + mc.name
	if h.cfgs.byName[strings.ToLower(mc.full)] != nil {
		return fmt.Errorf("%s: configuration %q already exists", what, mc.full)
	}
	mc.p = param{
		name:        mc.full,
		mutable:     mc.flags&sdk.ConfigImmutable == 0,
		protected:   mc.flags&sdk.ConfigProtected != 0,
		sensitive:   mc.flags&sdk.ConfigSensitive != 0,
		hidden:      mc.flags&sdk.ConfigHidden != 0,
		denyLoading: mc.flags&sdk.ConfigDenyLoading != 0,
		multiArg:    mc.kind == cfgEnum && mc.flags&sdk.ConfigBitFlags != 0,
		mod:         mc,
		get:         func(*Config) string { return mc.value() },
		set: func(_ *Config, args []string) error {
			return mc.setArgs(args)
		},
	}
	x.mod.configs = append(x.mod.configs, mc)
	x.mod.configsRegistered = true
	h.cfgs.byName[strings.ToLower(mc.full)] = mc
	h.cfgs.order = append(h.cfgs.order, mc)
	return nil
}

// RegisterBoolConfig implements sdk.Ctx.
func (x *modCtx) RegisterBoolConfig(name string, dflt bool, flags sdk.ConfigFlags,
	get func(string) bool, set func(string, bool) error, apply sdk.ConfigApplyFunc) error {
	if get == nil || set == nil {
		return fmt.Errorf("RegisterBoolConfig %q: get and set are required", name)
	}
	return x.registerConfig(&moduleConfig{name: name, kind: cfgBool, flags: flags, dBool: dflt, getB: get, setB: set, apply: apply}, "RegisterBoolConfig")
}

// RegisterNumericConfig implements sdk.Ctx.
func (x *modCtx) RegisterNumericConfig(name string, dflt int64, flags sdk.ConfigFlags, min, max int64,
	get func(string) int64, set func(string, int64) error, apply sdk.ConfigApplyFunc) error {
	switch {
	case get == nil || set == nil:
		return fmt.Errorf("RegisterNumericConfig %q: get and set are required", name)
	case min > max:
		return fmt.Errorf("RegisterNumericConfig %q: min %d is greater than max %d", name, min, max)
	case dflt < min || dflt > max:
		return fmt.Errorf("RegisterNumericConfig %q: default %d is not between %d and %d", name, dflt, min, max)
	}
	return x.registerConfig(&moduleConfig{name: name, kind: cfgNumeric, flags: flags, dNum: dflt, min: min, max: max,
		getN: get, setN: set, apply: apply}, "RegisterNumericConfig")
}

// RegisterStringConfig implements sdk.Ctx.
func (x *modCtx) RegisterStringConfig(name string, dflt string, flags sdk.ConfigFlags,
	get func(string) sdk.String, set func(string, sdk.String) error, apply sdk.ConfigApplyFunc) error {
	if get == nil || set == nil {
		return fmt.Errorf("RegisterStringConfig %q: get and set are required", name)
	}
	return x.registerConfig(&moduleConfig{name: name, kind: cfgString, flags: flags, dStr: dflt, getS: get, setS: set, apply: apply}, "RegisterStringConfig")
}

// RegisterEnumConfig implements sdk.Ctx.
func (x *modCtx) RegisterEnumConfig(name string, dflt int, flags sdk.ConfigFlags, names []string, values []int,
	get func(string) int, set func(string, int) error, apply sdk.ConfigApplyFunc) error {
	switch {
	case get == nil || set == nil:
		return fmt.Errorf("RegisterEnumConfig %q: get and set are required", name)
	case len(names) == 0 || len(names) != len(values):
		return fmt.Errorf("RegisterEnumConfig %q: want as many values as names, and at least one (got %d names, %d values)", name, len(names), len(values))
	}
	for i, n := range names {
		if n == "" || strings.ContainsAny(n, " \t\r\n") {
			return fmt.Errorf("RegisterEnumConfig %q: invalid enum name %q", name, n)
		}
		for _, o := range names[:i] {
			if strings.EqualFold(o, n) {
				return fmt.Errorf("RegisterEnumConfig %q: enum name %q given twice", name, n)
			}
		}
	}
	return x.registerConfig(&moduleConfig{name: name, kind: cfgEnum, flags: flags, dEnum: dflt,
		names: append([]string(nil), names...), vals: append([]int(nil), values...), getE: get, setE: set, apply: apply}, "RegisterEnumConfig")
}

// LoadConfigs implements sdk.Ctx, as RedisModule_LoadConfigs.
func (x *modCtx) LoadConfigs() error {
	switch {
	case x.phase != phaseLoad:
		return errors.New("LoadConfigs may only be called in OnLoad")
	case x.mod.Name == "":
		return errors.New("LoadConfigs called before Init")
	}
	st := &x.s.modules.cfgs
	for _, mc := range x.mod.configs {
		if v, ok := st.takeQueued(mc.full); ok {
			var args []string
			if mc.p.multiArg {
				args = splitSpaces(v)
			} else {
				args = []string{v}
			}
			if err := mc.setArgs(args); err != nil {
				st.queue = nil // Redis empties the whole queue
				x.mod.log.Warn("issue during loading of configuration", "config", mc.full, "error", err)
				return fmt.Errorf("LoadConfigs: issue during loading of configuration %s : %v", mc.full, err)
			}
			continue
		}
		if err := mc.setDefault(); err != nil {
			st.queue = nil
			x.mod.log.Warn("issue attempting to set default value of configuration", "config", mc.name, "error", err)
			return fmt.Errorf("LoadConfigs: issue attempting to set default value of configuration %s : %v", mc.full, err)
		}
	}
	x.mod.configsLoaded = true
	return nil
}

// splitSpaces splits as Redis's sdssplitlen(value, " "): every space
// separates, so "a  b" has an empty middle argument, and "" has none.
func splitSpaces(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, " ")
}

// call runs a module callback, turning a panic into an error (the stack
// goes to the log).
func (mc *moduleConfig) call(what string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s := mc.h.s
			s.stats.moduleRecovers++
			s.log.Error("module config callback panicked", "config", mc.full, "callback", what,
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("the module's %s function panicked: %v", what, r)
		}
	}()
	return fn()
}

// value returns the config's current value as CONFIG GET shows it.
func (mc *moduleConfig) value() string {
	var out string
	err := mc.call("get", func() error {
		switch mc.kind {
		case cfgBool:
			out = yesNo(mc.getB(mc.name))
		case cfgNumeric:
			n := mc.getN(mc.name)
			if mc.flags&sdk.ConfigMemory != 0 {
				out = strconv.FormatUint(uint64(n), 10) // ull2string, as Redis
			} else {
				out = strconv.FormatInt(n, 10)
			}
		case cfgString:
			out = mc.getS(mc.name).String()
		case cfgEnum:
			out = mc.enumName(mc.getE(mc.name))
		}
		return nil
	})
	if err != nil {
		return ""
	}
	return out
}

// defaultValue is the default as CONFIG GET would show it (CONFIG REWRITE
// leaves a config at its default out of the file).
func (mc *moduleConfig) defaultValue() string {
	switch mc.kind {
	case cfgBool:
		return yesNo(mc.dBool)
	case cfgNumeric:
		if mc.flags&sdk.ConfigMemory != 0 {
			return strconv.FormatUint(uint64(mc.dNum), 10)
		}
		return strconv.FormatInt(mc.dNum, 10)
	case cfgString:
		return mc.dStr
	default:
		return mc.enumName(mc.dEnum)
	}
}

// enumName is Redis's configEnumGetName: the exact name of a value, or for
// bitflags the names whose bits make it up, in registration order; else
// "unknown".
func (mc *moduleConfig) enumName(v int) string {
	bitflags := mc.flags&sdk.ConfigBitFlags != 0
	var names []string
	unmatched := v
	for i, n := range mc.names {
		val := mc.vals[i]
		if v == val {
			return n
		}
		if bitflags && val != 0 && val == unmatched&val {
			names = append(names, n)
			unmatched &^= val
		}
	}
	if len(names) == 0 || unmatched != 0 {
		return "unknown"
	}
	return strings.Join(names, " ")
}

// parse checks values as Redis's set functions do, with their error texts,
// and returns the value in the module's type.
func (mc *moduleConfig) parse(args []string) (any, error) {
	if mc.kind == cfgEnum {
		bitflags := mc.flags&sdk.ConfigBitFlags != 0
		if len(args) == 0 || !bitflags && len(args) != 1 {
			return nil, mc.enumError()
		}
		v := 0
		for _, a := range args {
			matched := false
			for i, n := range mc.names {
				if strings.EqualFold(a, n) {
					v |= mc.vals[i]
					matched = true
				}
			}
			if !matched {
				return nil, mc.enumError()
			}
		}
		return v, nil
	}
	s, err := oneArg(args)
	if err != nil {
		return nil, err
	}
	switch mc.kind {
	case cfgBool:
		return parseYesNo(s)
	case cfgNumeric:
		return parseNum(numSpec{lo: mc.min, hi: mc.max, memory: mc.flags&sdk.ConfigMemory != 0}, s)
	default:
		return s, nil
	}
}

func (mc *moduleConfig) enumError() error {
	return fmt.Errorf("argument(s) must be one of the following: %s", strings.Join(mc.names, ", "))
}

// setArgs parses and sets a value the way Redis's performInterfaceSet does:
// a value equal to the current one does not reach the module. Inside a
// CONFIG SET the replaced value is recorded for the rollback.
func (mc *moduleConfig) setArgs(args []string) error {
	v, err := mc.parse(args)
	if err != nil {
		return err
	}
	old := mc.value()
	if mc.same(v) {
		return nil
	}
	if err := mc.store(v); err != nil {
		return err
	}
	if t := mc.h.cfgs.txn; t != nil {
		t.record(mc, old)
	}
	return nil
}

// same reports whether v is the module's current value.
func (mc *moduleConfig) same(v any) (eq bool) {
	mc.call("get", func() error {
		switch mc.kind {
		case cfgBool:
			eq = mc.getB(mc.name) == v.(bool)
		case cfgNumeric:
			eq = mc.getN(mc.name) == v.(int64)
		case cfgString:
			eq = mc.getS(mc.name).String() == v.(string)
		case cfgEnum:
			eq = mc.getE(mc.name) == v.(int)
		}
		return nil
	})
	return eq
}

// store calls the module's set function.
func (mc *moduleConfig) store(v any) error {
	return mc.call("set", func() error {
		switch mc.kind {
		case cfgBool:
			return mc.setB(mc.name, v.(bool))
		case cfgNumeric:
			return mc.setN(mc.name, v.(int64))
		case cfgString:
			return mc.setS(mc.name, sdk.CreateString(v.(string)))
		default:
			return mc.setE(mc.name, v.(int))
		}
	})
}

// setDefault gives the module its default, unchecked, as Redis's
// performModuleConfigSetDefaultFromName.
func (mc *moduleConfig) setDefault() error {
	switch mc.kind {
	case cfgBool:
		return mc.store(mc.dBool)
	case cfgNumeric:
		return mc.store(mc.dNum)
	case cfgString:
		return mc.store(mc.dStr)
	default:
		return mc.store(mc.dEnum)
	}
}

// restore sets a value CONFIG GET returned back (a rollback).
func (mc *moduleConfig) restore(old string) {
	args := []string{old}
	if mc.p.multiArg {
		args = splitSpaces(old)
	}
	if err := mc.setArgs(args); err != nil {
		mc.h.s.log.Warn("failed restoring failed CONFIG SET command", "config", mc.full, "value", old, "error", err)
	}
}

// configLines writes the config's value as CONFIG REWRITE does: a memory
// value in Redis's human form (1gb, 64mb, 512kb), a bitflags enum as its
// names, a string quoted when it needs it.
func (mc *moduleConfig) configLines(name string) []string {
	v := mc.value()
	switch {
	case mc.kind == cfgNumeric && mc.flags&sdk.ConfigMemory != 0:
		n, _ := strconv.ParseInt(v, 10, 64)
		return []string{name + " " + formatMemory(n)}
	case mc.kind == cfgEnum:
		return []string{name + " " + v}
	}
	return []string{name + " " + configQuote(v)}
}

// formatMemory is Redis's rewriteConfigFormatMemory.
func formatMemory(n int64) string {
	const kb, mb, gb = 1024, 1024 * 1024, 1024 * 1024 * 1024
	switch {
	case n != 0 && n%gb == 0:
		return strconv.FormatInt(n/gb, 10) + "gb"
	case n != 0 && n%mb == 0:
		return strconv.FormatInt(n/mb, 10) + "mb"
	case n != 0 && n%kb == 0:
		return strconv.FormatInt(n/kb, 10) + "kb"
	}
	return strconv.FormatInt(n, 10)
}

// configTxn is one CONFIG SET's changes to module configs.
type configTxn struct {
	h       *moduleHost
	undo    []configUndo
	applies []*moduleConfig // one per apply function, in first-set order
}

type configUndo struct {
	mc  *moduleConfig
	old string
}

// beginConfigSet starts recording module config changes for a CONFIG SET.
// The caller ends it with rollback or commit. Lock held.
func (h *moduleHost) beginConfigSet() *configTxn {
	t := &configTxn{h: h}
	h.cfgs.txn = t
	return t
}

func (t *configTxn) record(mc *moduleConfig, old string) {
	t.undo = append(t.undo, configUndo{mc, old})
	if mc.apply == nil {
		return
	}
	id := applyID(mc.apply)
	for _, a := range t.applies {
		if a.mod == mc.mod && applyID(a.apply) == id {
			return
		}
	}
	t.applies = append(t.applies, mc)
}

// rollback sets every recorded value back (a later value of the CONFIG SET
// failed). Apply functions do not run, as in Redis.
func (t *configTxn) rollback() {
	if t == nil {
		return
	}
	t.h.cfgs.txn = nil
	for _, u := range t.undo {
		u.mc.restore(u.old)
	}
}

// commit runs the apply functions of the configs that changed. If one
// fails, every value is set back, the apply functions run again on the
// restored values, and the error is CONFIG SET's reply.
func (t *configTxn) commit() error {
	if t == nil {
		return nil
	}
	t.h.cfgs.txn = nil
	for _, mc := range t.applies {
		if err := mc.runApply(); err != nil {
			t.h.s.log.Warn("failed applying new module configuration, restoring previous settings", "config", mc.full, "error", err)
			for _, u := range t.undo {
				u.mc.restore(u.old)
			}
			for _, a := range t.applies {
				if rerr := a.runApply(); rerr != nil {
					t.h.s.log.Warn("failed applying restored failed CONFIG SET command", "config", a.full, "error", rerr)
				}
			}
			return configSetError(mc.name, err.Error())
		}
	}
	return nil
}

// runApply calls the config's apply function with a Ctx of its module.
func (mc *moduleConfig) runApply() error {
	ctx := &modCtx{s: mc.h.s, mod: mc.mod, phase: phaseConfigApply}
	defer func() { ctx.closeKeys(); ctx.phase = phaseDone }()
	return mc.call("apply", func() error { return mc.apply(ctx) })
}

// phaseConfigApply is the phase of the Ctx an apply function gets: it can
// Call and log, not reply.
const phaseConfigApply = 1001

// cmdModuleLoadex is MODULE LOADEX path [CONFIG name value ...] [ARGS ...].
func cmdModuleLoadex(c *Client, args [][]byte) error {
	if err := c.moduleCommandAllowed(); err != nil {
		return err
	}
	path := string(args[2])
	queue, margs, err := parseLoadexArgs(args[3:])
	if err != nil {
		c.srv.log.Info("module load failed", "path", path, "error", err)
		return fmt.Errorf("ERR Error loading the extension: load module %q: %v", path, err)
	}
	st := &c.srv.modules.cfgs
	st.queue, st.loadex = queue, true
	defer func() { st.queue, st.loadex = nil, false }()
	if _, err := c.srv.modules.load(path, margs); err != nil {
		return fmt.Errorf("ERR Error loading the extension: %v", err)
	}
	c.out.SimpleString("OK")
	return nil
}

// parseLoadexArgs is Redis's parseLoadexArguments: CONFIG name value pairs
// (a name given twice keeps the last value), then optionally ARGS and the
// module's arguments.
func parseLoadexArgs(args [][]byte) (queue []queuedConfig, margs []string, err error) {
	for i := 0; i < len(args); i++ {
		a := string(args[i])
		switch {
		case strings.EqualFold(a, "CONFIG"):
			if i+2 >= len(args) {
				return nil, nil, errors.New("CONFIG specified without name value pair")
			}
			name, value := string(args[i+1]), string(args[i+2])
			replaced := false
			for j := range queue {
				if strings.EqualFold(queue[j].name, name) {
					queue[j].value, replaced = value, true
				}
			}
			if !replaced {
				queue = append(queue, queuedConfig{name: name, value: value})
			}
			i += 2
		case strings.EqualFold(a, "ARGS"):
			margs = []string{}
			for _, m := range args[i+1:] {
				margs = append(margs, string(m))
			}
			return queue, margs, nil
		default:
			return nil, nil, fmt.Errorf("syntax error from arguments to loadex around '%s' (want CONFIG name value pairs, then ARGS and the module's arguments)", a)
		}
	}
	return queue, []string{}, nil
}
