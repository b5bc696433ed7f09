package host

import (
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/hashicorp/go-hclog"

	"modis/host/internal/loader"
	"modis/sdk"
)

// Module is a loaded module.
type Module struct {
	Name     string
	Version  int
	Path     string // as given to --loadmodule or MODULE LOAD
	RealPath string
	Args     []string
	log      hclog.Logger
	commands []*Command
	plugin   *loader.Plugin
	// noImplicitSignal is the NO_IMPLICIT_SIGNAL_MODIFIED module option:
	// keys opened for writing are not signalled as modified when they close
	// (mod_key.go reads it).
	noImplicitSignal bool
	// options are the module's SetModuleOptions (mod_config_lifecycle.go).
	options sdk.ModuleOptions
	// configs are the configs the module registered; configsLoaded is set
	// by LoadConfigs (mod_config.go).
	configs           []*moduleConfig
	configsRegistered bool
	configsLoaded     bool
}

// moduleHost loads and unloads modules. Its methods expect the execution
// lock held: loading registers commands in the table, and serialises loads.
type moduleHost struct {
	s        *Server
	reg      *loader.Registry
	loaded   []*Module // in load order, as MODULE LIST shows them
	internal *Client   // the client OnLoad's Calls run as
	// cfgs holds module configs and the values waiting for them (mod_config.go).
	cfgs moduleConfigState
}

func newModuleHost(s *Server) (*moduleHost, error) {
	self, err := loader.Self()
	if err != nil {
		return nil, fmt.Errorf("read the server's own build settings: %w", err)
	}
	h := &moduleHost{s: s, reg: loader.NewRegistry(self)}
	h.internal = newClient(s, nil, 0)
	if err := h.initConfigs(); err != nil { // module config values given at startup (mod_config.go)
		return nil, err
	}
	return h, nil
}

func (h *moduleHost) byName(name string) *Module {
	for _, m := range h.loaded {
		if strings.EqualFold(m.Name, name) {
			return m
		}
	}
	return nil
}

// load opens a module file, runs its OnLoad and keeps what it registered. On
// any failure nothing the module registered remains. The error says what is
// wrong; the log has the detail.
func (h *moduleHost) load(path string, args []string) (*Module, error) {
	log := h.s.log.With("path", path)
	p, err := h.reg.Open(path)
	if err != nil {
		log.Error("module load failed", "error", err)
		return nil, err
	}
	for _, m := range h.loaded {
		if m.RealPath == p.RealPath {
			err := fmt.Errorf("load module %q: module %q is already loaded from this file (MODULE UNLOAD %s first)", path, m.Name, m.Name)
			log.Error("module load failed", "error", err)
			return nil, err
		}
	}
	return h.start(p, path, args, log)
}

// start runs an opened plugin's OnLoad and keeps what it registered. On any
// failure nothing the module registered remains.
func (h *moduleHost) start(p *loader.Plugin, path string, args []string, log hclog.Logger) (*Module, error) {
	m := &Module{Path: path, RealPath: p.RealPath, Args: args, plugin: p, log: h.s.log.Named("module")}
	ctx := &modCtx{s: h.s, mod: m, phase: phaseLoad}
	sargs := make([]sdk.String, len(args))
	for i, a := range args {
		sargs[i] = sdk.CreateString(a)
	}
	err := h.callHook(m, "OnLoad", func() error { return p.OnLoad(ctx, sargs) })
	ctx.closeKeys()
	if err == nil && m.Name == "" {
		err = errors.New("OnLoad returned without calling Init")
	}
	if err == nil {
		err = h.afterOnLoad(m) // configs loaded, LOADEX values taken (mod_config.go)
	}
	if err != nil {
		h.unregister(m)
		err = fmt.Errorf("load module %q: %w", path, err)
		log.Error("module load failed", "error", err)
		return nil, err
	}
	ctx.phase = phaseDone
	h.loaded = append(h.loaded, m)
	h.s.modLoaded(m) // modules' ModuleChange event and post-notification jobs (mod_events.go)
	log.Info("module loaded", "module", m.Name, "version", m.Version, "commands", len(m.commands))
	return m, nil
}

// callHook runs OnLoad or OnUnload, turning a panic into an error.
func (h *moduleHost) callHook(m *Module, hook string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			h.s.stats.moduleRecovers++
			h.s.log.Error("module hook panicked", "hook", hook, "path", m.Path,
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("%s panicked: %v", hook, r)
		}
	}()
	if err := fn(); err != nil {
		return fmt.Errorf("%s failed: %w", hook, err)
	}
	return nil
}

// unregister removes every command m registered.
func (h *moduleHost) unregister(m *Module) {
	for _, c := range m.commands {
		if h.s.table.Get(c.Name) == c {
			h.s.table.Remove(c.Name)
		}
	}
	m.commands = nil
	dropModuleTypes(m) // the types of a module whose OnLoad failed (mod_type.go)
	h.unregisterConfigs(m)
	h.s.modForget(m) // subscriptions, filters, INFO, shared API (mod_events.go)
}

// unload runs the module's OnUnload (an error refuses the unload, as in
// Redis) and unregisters its commands. Its code stays mapped: Go cannot
// unload a plugin.
func (h *moduleHost) unload(name string) error {
	m := h.byName(name)
	if m == nil {
		return errors.New("ERR Error unloading module: no such module with that name")
	}
	if err := typesBlockUnload(m); err != nil { // data types (mod_type.go), checked first as in Redis
		return err
	}
	if err := h.s.modUnloadCheck(m); err != nil { // a shared API in use (mod_events.go)
		return err
	}
	if err := h.s.modBlockUnloadCheck(m); err != nil { // blocked clients not freed yet (mod_block.go)
		return err
	}
	if m.plugin.OnUnload != nil {
		ctx := &modCtx{s: h.s, mod: m, phase: phaseUnload}
		if err := h.callHook(m, "OnUnload", func() error { return m.plugin.OnUnload(ctx) }); err != nil {
			h.s.log.Warn("module unload refused", "module", m.Name, "error", err)
			return fmt.Errorf("ERR Error unloading module: operation not possible (%v)", err)
		}
	}
	h.unregister(m)
	for i, x := range h.loaded {
		if x == m {
			h.loaded = append(h.loaded[:i], h.loaded[i+1:]...)
			break
		}
	}
	h.s.log.Info("module unloaded", "module", m.Name, "path", m.Path)
	h.s.modUnloaded(m) // modules' ModuleChange event (mod_events.go)
	return nil
}

// cmdModule is MODULE LOAD|LOADEX|UNLOAD|LIST|HELP.
func cmdModuleLoad(c *Client, args [][]byte) error {
	if err := c.moduleCommandAllowed(); err != nil {
		return err
	}
	margs := make([]string, 0, len(args)-3)
	for _, a := range args[3:] {
		margs = append(margs, string(a))
	}
	if _, err := c.srv.modules.load(string(args[2]), margs); err != nil {
		return fmt.Errorf("ERR Error loading the extension: %v", err)
	}
	c.out.SimpleString("OK")
	return nil
}

func cmdModuleUnload(c *Client, args [][]byte) error {
	if err := c.moduleCommandAllowed(); err != nil {
		return err
	}
	if err := c.srv.modules.unload(string(args[2])); err != nil {
		return err
	}
	c.out.SimpleString("OK")
	return nil
}

func cmdModuleList(c *Client, args [][]byte) error {
	writeModuleList(c.out, c.srv.modules.loaded)
	return nil
}

// moduleCommandAllowed applies enable-module-command: no, local (loopback
// clients only) or yes.
func (c *Client) moduleCommandAllowed() error {
	switch c.srv.cfg.EnableModuleCommand {
	case "yes":
		return nil
	case "local":
		if c.isLocal() {
			return nil
		}
	}
	return errors.New(`ERR MODULE command not allowed. If the enable-module-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`)
}

func moduleCommands() *Command {
	return &Command{
		Name: "module", Arity: -2, Group: "server", Summary: "A container for module commands.", Since: "4.0.0",
		Subs: map[string]*Command{
			"load": {Arity: -3, Flags: FlagAdmin | FlagNoScript | FlagNoAsyncLoading, Handler: cmdModuleLoad,
				Summary: "Loads a module.", Since: "4.0.0"},
			"loadex": {Arity: -3, Flags: FlagAdmin | FlagNoScript | FlagNoAsyncLoading, Handler: cmdModuleLoadex, // mod_config.go
				Summary: "Loads a module using extended parameters.", Since: "7.0.0"},
			"unload": {Arity: 3, Flags: FlagAdmin | FlagNoScript | FlagNoAsyncLoading, Handler: cmdModuleUnload,
				Summary: "Unloads a module.", Since: "4.0.0"},
			"list": {Arity: 2, Flags: FlagAdmin | FlagNoScript, Handler: cmdModuleList,
				Summary: "Returns all loaded modules.", Since: "4.0.0"},
			"help": {Arity: 2, Flags: FlagLoading | FlagStale, Handler: helpHandler("MODULE",
				"LIST",
				"    Return a list of loaded modules.",
				"LOAD <path> [<arg> ...]",
				"    Load a module library from <path>, passing to it any optional arguments.",
				"LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
				"    Load a module library from <path>, while passing it module configurations and optional arguments.",
				"UNLOAD <name>",
				"    Unload a module: its commands are unregistered. (Go cannot unmap plugin code:",
				"    it stays in memory, and a file rebuilt at the same path needs a restart.)",
			), Summary: "Returns helpful text about the different subcommands.", Since: "5.0.0"},
		},
	}
}

// helpHandler replies with Redis's HELP shape: a header line, the lines,
// and the HELP line, as status strings.
func helpHandler(container string, lines ...string) HandlerFunc {
	all := append([]string{fmt.Sprintf("%s <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", container)}, lines...)
	all = append(all, "HELP", "    Prints this help.")
	return func(c *Client, args [][]byte) error {
		c.out.Array(len(all))
		for _, l := range all {
			c.out.SimpleString(l)
		}
		return nil
	}
}

// sortedModuleNames lists loaded modules' names for INFO.
func (h *moduleHost) sortedModules() []*Module {
	out := append([]*Module(nil), h.loaded...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// LoadModuleFunc loads a module from its OnLoad and OnUnload functions
// instead of a plugin file, exactly as MODULE LOAD runs a plugin's: the
// in-process test harness (sdk/sdktest) uses it. name stands for the path
// in MODULE LIST and the log. It takes the execution lock.
func (s *Server) LoadModuleFunc(name string, onLoad sdk.OnLoadFunc, onUnload sdk.OnUnloadFunc, args []string) error {
	if onLoad == nil {
		return errors.New("load module: OnLoad is nil")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &loader.Plugin{RealPath: "func:" + name, PluginPath: name, OnLoad: onLoad, OnUnload: onUnload}
	_, err := s.modules.start(p, name, args, s.log.With("path", name))
	return err
}
