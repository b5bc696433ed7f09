package loader

import (
	"encoding/hex"
	"fmt"
	"plugin"
	"reflect"
	"runtime/debug"
	"strings"
	"sync"

	"modis/sdk"
)

// Plugin is a module file opened by a Registry, with its entry points.
type Plugin struct {
	// RealPath is the file's absolute path with symlinks resolved.
	RealPath string
	// PluginPath is the package path the runtime registered it under (see
	// Checked.PluginPath).
	PluginPath string
	// OnLoad is the module's exported OnLoad.
	OnLoad sdk.OnLoadFunc
	// OnUnload is the module's exported OnUnload, nil if it has none.
	OnUnload sdk.OnUnloadFunc
}

// symbols is what Registry needs of a *plugin.Plugin (tests substitute it).
type symbols interface {
	Lookup(name string) (plugin.Symbol, error)
}

// entry is the registry's record of one file it handed to plugin.Open.
type entry struct {
	realPath string
	key      string // plugin path, or "sha256:HEX" for an unnamed plugin
	hash     [32]byte
	plugin   *Plugin // nil unless the file opened and has valid entry points
	// err is why plugin.Open failed or panicked (restart is then set), or why
	// the opened file is not a valid module (a wrong OnLoad type, which a
	// retry reproduces exactly).
	err     string
	restart bool
}

// Registry opens plugin files and remembers every file it handed to
// plugin.Open, failures included, keyed by real path and by plugin path.
// It is safe for concurrent use; opens are serialised.
type Registry struct {
	mu       sync.Mutex
	ref      *Settings
	byReal   map[string]*entry
	byPlugin map[string]*entry
	// global holds, for packages the server does not link, the fingerprint
	// of the first opened plugin that links them: what the dynamic linker
	// will bind later plugins to (see fingerprint.go).
	global map[string]fpOwner
	// open is plugin.Open (tests substitute it).
	open func(path string) (symbols, error)
}

// NewRegistry returns a Registry that checks files against the server
// settings ref (normally Self()). A nil ref skips those comparisons.
func NewRegistry(ref *Settings) *Registry {
	return &Registry{
		ref:      ref,
		byReal:   make(map[string]*entry),
		byPlugin: make(map[string]*entry),
		global:   make(map[string]fpOwner),
		open: func(path string) (symbols, error) {
			p, err := plugin.Open(path)
			if err != nil {
				return nil, err
			}
			return p, nil
		},
	}
}

// Open preflights path, consults the registry, opens the file with
// plugin.Open (recovering a panic in the plugin's package init) and looks up
// OnLoad (required) and OnUnload (optional) with exact type checks.
//
// Opening again a file that opened successfully, unchanged, returns the
// same *Plugin (MODULE UNLOAD then MODULE LOAD). A file rebuilt at a path
// opened before, a second file with the plugin path of one opened before,
// and a file whose earlier plugin.Open failed are refused with an *Error
// whose RestartRequired is set. Preflight failures are not remembered.
func (r *Registry) Open(path string) (*Plugin, error) {
	r.mu.Lock()
	defer r.mu.Unlock()

	// A real path seen before is answered from the registry: Go caches
	// plugins by real path and would hand back the old code, or block.
	if real, err := resolve(path); err == nil {
		if e := r.byReal[real]; e != nil {
			sum, err := hashFile(real)
			if err != nil {
				return nil, &Error{Path: path, Reason: osReason(real, err), Err: err}
			}
			if sum != e.hash {
				return nil, &Error{Path: path, RestartRequired: true, Reason: fmt.Sprintf(
					"restart required: %s was rebuilt after it was loaded; Go cannot load new code at the same path (rename the new file to a new path, or restart the server)", real)}
			}
			return e.result(path)
		}
	}

	c, err := preflight(path, r.ref, r.global)
	if err != nil {
		return nil, err
	}
	key := c.PluginPath
	if key == "command-line-arguments" {
		key = "sha256:" + hex.EncodeToString(c.Hash[:])
	}
	if e := r.byPlugin[key]; e != nil {
		what := "a plugin built from package " + c.PluginPath
		if key != c.PluginPath {
			what = "the same plugin file (" + key + ")"
		}
		reason := fmt.Sprintf("restart required: %s is already loaded from %s", what, e.realPath)
		if e.restart {
			reason = fmt.Sprintf("restart required: %s was already opened from %s and failed (%s)", what, e.realPath, e.err)
		}
		return nil, &Error{Path: path, RestartRequired: true, Reason: reason}
	}

	// From here on the file is mapped into the process for good: record it
	// whatever happens.
	e := &entry{realPath: c.RealPath, key: key, hash: c.Hash}
	r.byReal[c.RealPath] = e
	r.byPlugin[key] = e
	for pkg, fp := range c.Settings.Fingerprints {
		if r.ref != nil {
			if _, ok := r.ref.Fingerprints[pkg]; ok {
				continue
			}
		}
		if _, ok := r.global[pkg]; !ok {
			r.global[pkg] = fpOwner{fp: fp, owner: c.RealPath}
		}
	}

	syms, stack, err := r.openRecover(c.RealPath)
	if err != nil {
		e.err, e.restart = err.Error(), true
		if stack != nil {
			return nil, &Error{Path: path, Reason: "package init panicked: " + err.Error() + "; fix the module, then restart the server to load it (Go cannot retry it in this process)", Err: err, Stack: stack, RestartRequired: true}
		}
		return nil, &Error{Path: path, Reason: err.Error() + "; Go cannot retry it in this process (fix the module, then restart the server)", Err: err, RestartRequired: true}
	}
	p, reason := entryPoints(syms)
	if reason != "" {
		e.err = reason
		return nil, &Error{Path: path, Reason: reason}
	}
	p.RealPath, p.PluginPath = c.RealPath, c.PluginPath
	e.plugin = p
	return p, nil
}

// result answers a repeated Open of an unchanged file.
func (e *entry) result(path string) (*Plugin, error) {
	switch {
	case e.plugin != nil:
		return e.plugin, nil
	case e.restart:
		return nil, &Error{Path: path, RestartRequired: true, Reason: fmt.Sprintf(
			"restart required: an earlier load of %s failed (%s); Go cannot retry it in this process", e.realPath, e.err)}
	default:
		return nil, &Error{Path: path, Reason: e.err}
	}
}

// panicError is a panic recovered from a plugin's package init.
type panicError struct{ v any }

func (p panicError) Error() string { return fmt.Sprint(p.v) }

// openRecover calls r.open, turning a panic into an error with its stack.
func (r *Registry) openRecover(real string) (syms symbols, stack []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			syms, stack, err = nil, debug.Stack(), panicError{v}
		}
	}()
	syms, err = r.open(real)
	return syms, nil, err
}

// entryPoints looks up OnLoad and OnUnload with exact types; reason is ""
// when they are right, else it names every problem.
func entryPoints(syms symbols) (p *Plugin, reason string) {
	const wantLoad = "func(sdk.Ctx, []sdk.String) error"
	const wantUnload = "func(sdk.Ctx) error"
	p = &Plugin{}
	var problems []string
	if s, err := syms.Lookup("OnLoad"); err != nil || s == nil {
		problems = append(problems, noOnLoad)
	} else {
		switch f := s.(type) {
		case func(sdk.Ctx, []sdk.String) error:
			p.OnLoad = f
		case *func(sdk.Ctx, []sdk.String) error:
			problems = append(problems, "OnLoad is a variable, not a function: a module must export func OnLoad(ctx sdk.Ctx, args []sdk.String) error")
		default:
			problems = append(problems, wrongType("OnLoad", s, wantLoad))
		}
	}
	if s, err := syms.Lookup("OnUnload"); err == nil && s != nil {
		switch f := s.(type) {
		case func(sdk.Ctx) error:
			p.OnUnload = f
		case *func(sdk.Ctx) error:
			problems = append(problems, "OnUnload is a variable, not a function: a module may export func OnUnload(ctx sdk.Ctx) error")
		default:
			problems = append(problems, wrongType("OnUnload", s, wantUnload))
		}
	}
	if p.OnLoad == nil && len(problems) == 0 {
		problems = append(problems, "OnLoad is a nil function")
	}
	if len(problems) > 0 {
		return nil, strings.Join(problems, "; ")
	}
	return p, ""
}

// wrongType says that symbol name has the wrong type: "OnLoad has type
// func(), want ...", or "OnLoad is a variable of type int, want a function
// ..." (Lookup returns a pointer to a variable).
func wrongType(name string, s plugin.Symbol, want string) string {
	if t := reflect.TypeOf(s); t != nil && t.Kind() == reflect.Pointer {
		return fmt.Sprintf("%s is a variable of type %s, want a function of type %s", name, t.Elem(), want)
	}
	return fmt.Sprintf("%s has type %T, want %s", name, s, want)
}
