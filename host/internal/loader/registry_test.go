package loader

import (
	"errors"
	"os"
	"path/filepath"
	"plugin"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"modis/sdk"
)

// fakeSyms is a plugin's symbol table.
type fakeSyms map[string]plugin.Symbol

func (f fakeSyms) Lookup(name string) (plugin.Symbol, error) {
	if s, ok := f[name]; ok {
		return s, nil
	}
	return nil, errors.New("plugin: symbol " + name + " not found")
}

func goodSyms() fakeSyms {
	return fakeSyms{
		"OnLoad":   func(ctx sdk.Ctx, args []sdk.String) error { return nil },
		"OnUnload": func(ctx sdk.Ctx) error { return nil },
	}
}

// fakeOpener stands in for plugin.Open: it counts calls per path and answers
// from a table of behaviours keyed by base name ("" for the default).
type fakeOpener struct {
	mu    sync.Mutex
	calls map[string]int
	do    map[string]func() (symbols, error)
}

func newFakeRegistry(ref *Settings) (*Registry, *fakeOpener) {
	f := &fakeOpener{calls: map[string]int{}, do: map[string]func() (symbols, error){}}
	r := NewRegistry(ref)
	r.open = func(path string) (symbols, error) {
		f.mu.Lock()
		f.calls[path]++
		do := f.do[filepath.Base(path)]
		f.mu.Unlock()
		if do == nil {
			return goodSyms(), nil
		}
		return do()
	}
	return r, f
}

func (f *fakeOpener) count(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[path]
}

// copyFile copies src to a new file dst.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

func restartRequired(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.RestartRequired
}

// TestRegistry walks the registry rules in order on one registry, with
// plugin.Open replaced by a fake.
func TestRegistry(t *testing.T) {
	fx := getFixtures(t)
	ref, err := SettingsOf(fx.host)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "good.so")
	copyFile(t, fx.good, good)
	link := filepath.Join(dir, "link.so")
	if err := os.Symlink(good, link); err != nil {
		t.Fatal(err)
	}
	r, fake := newFakeRegistry(ref)

	// A good plugin opens, with both entry points.
	p, err := r.Open(good)
	if err != nil {
		t.Fatal(err)
	}
	if p.OnLoad == nil || p.OnUnload == nil || p.RealPath != good || p.PluginPath != "modis/host/internal/loader/testdata/good" {
		t.Fatalf("Plugin = %+v", p)
	}

	steps := []struct {
		name    string
		setup   func()
		path    string
		wants   []string // empty: succeeds with the cached plugin
		restart bool
	}{
		{name: "same file again is the cached plugin", path: good},
		{name: "through a symlink is the cached plugin", path: link},
		{name: "a copy at another path claims the same plugin path", setup: func() { copyFile(t, fx.good, filepath.Join(dir, "copy.so")) },
			path: filepath.Join(dir, "copy.so"), restart: true,
			wants: []string{"restart required: a plugin built from package modis/host/internal/loader/testdata/good is already loaded from " + good}},
		{name: "rebuilt at the same path", setup: func() {
			// Rename a different file into place, as a build does.
			tmp := filepath.Join(dir, ".good.tmp")
			copyFile(t, fx.sdkDiff, tmp)
			if err := os.Rename(tmp, good); err != nil {
				t.Fatal(err)
			}
		}, path: good, restart: true,
			wants: []string{"restart required: " + good + " was rebuilt after it was loaded; Go cannot load new code at the same path (rename the new file to a new path, or restart the server)"}},
		{name: "a preflight failure", path: fx.gcflags,
			wants: []string{`built with -gcflags="all=-N -l", the server with -gcflags=""`}},
		{name: "is not remembered", path: fx.gcflags,
			wants: []string{`built with -gcflags="all=-N -l", the server with -gcflags=""`}},
		{name: "plugin.Open fails", setup: func() {
			fake.do["usesa.so"] = func() (symbols, error) {
				return nil, errors.New(`plugin.Open("x"): plugin was built with a different version of package y`)
			}
		}, path: fx.usesA, restart: true,
			wants: []string{`plugin.Open("x"): plugin was built with a different version of package y; Go cannot retry it in this process`}},
		{name: "a failed file is refused", path: fx.usesA, restart: true,
			wants: []string{"restart required: an earlier load of " + fx.usesA + ` failed (plugin.Open("x"): plugin was built with a different version of package y); Go cannot retry it in this process`}},
		{name: "package init panics", setup: func() {
			fake.do["unnamed.so"] = func() (symbols, error) { panic("boom in init") }
		}, path: fx.unnamed, restart: true,
			wants: []string{"package init panicked: boom in init"}},
		{name: "a panicked file is refused", path: fx.unnamed, restart: true,
			wants: []string{"restart required: an earlier load of " + fx.unnamed + " failed (boom in init); Go cannot retry it in this process"}},
	}
	for _, s := range steps {
		if s.setup != nil {
			s.setup()
		}
		got, err := r.Open(s.path)
		if len(s.wants) == 0 {
			if err != nil {
				t.Errorf("%s: %v", s.name, err)
			} else if got != p {
				t.Errorf("%s: got %p, want the cached %p", s.name, got, p)
			}
			continue
		}
		t.Run(s.name, func(t *testing.T) { wantErr(t, err, s.path, s.wants...) })
		if restartRequired(err) != s.restart {
			t.Errorf("%s: RestartRequired = %v, want %v", s.name, !s.restart, s.restart)
		}
	}
	if n := fake.count(good); n != 1 {
		t.Errorf("plugin.Open called %d times for %s, want 1", n, good)
	}
	if n := fake.count(fx.gcflags); n != 0 {
		t.Errorf("plugin.Open called for a file that failed preflight")
	}
	for _, p := range []string{fx.usesA, fx.unnamed} {
		if n := fake.count(p); n != 1 {
			t.Errorf("plugin.Open called %d times for %s, want 1", n, p)
		}
	}
	r.mu.Lock()
	panicked := r.byReal[fx.unnamed]
	r.mu.Unlock()
	if panicked == nil || !panicked.restart {
		t.Errorf("the panicked file is not recorded as failed: %+v", panicked)
	}
}

func TestRegistryPanicStack(t *testing.T) {
	fx := getFixtures(t)
	ref, err := SettingsOf(fx.host)
	if err != nil {
		t.Fatal(err)
	}
	r, fake := newFakeRegistry(ref)
	fake.do["good.so"] = func() (symbols, error) { panic(errors.New("init failed")) }
	_, err = r.Open(fx.good)
	var e *Error
	if !errors.As(err, &e) || !e.RestartRequired || !strings.Contains(string(e.Stack), "openRecover") {
		t.Fatalf("err = %v (%#v), want a restart-required *Error with the panic's stack", err, e)
	}
}

// TestRegistryEntryPoints covers the symbol type checks after plugin.Open. A
// wrong type is not a failed load: a retry gives the same answer.
func TestRegistryEntryPoints(t *testing.T) {
	fx := getFixtures(t)
	ref, err := SettingsOf(fx.host)
	if err != nil {
		t.Fatal(err)
	}
	onLoad := func(ctx sdk.Ctx, args []sdk.String) error { return nil }
	var varOnLoad sdk.OnLoadFunc = onLoad
	var number int
	tests := []struct {
		name  string
		syms  fakeSyms
		wants []string
		check func(*Plugin) bool
	}{
		{name: "OnLoad only", syms: fakeSyms{"OnLoad": onLoad},
			check: func(p *Plugin) bool { return p.OnLoad != nil && p.OnUnload == nil }},
		{name: "both", syms: goodSyms(),
			check: func(p *Plugin) bool { return p.OnLoad != nil && p.OnUnload != nil }},
		{name: "no OnLoad", syms: fakeSyms{},
			wants: []string{"the module exports no OnLoad function: a module must export func OnLoad(ctx sdk.Ctx, args []sdk.String) error"}},
		{name: "OnLoad of another type", syms: fakeSyms{"OnLoad": func() {}},
			wants: []string{"OnLoad has type func(), want func(sdk.Ctx, []sdk.String) error"}},
		{name: "OnLoad a variable", syms: fakeSyms{"OnLoad": &varOnLoad},
			wants: []string{"OnLoad is a variable, not a function"}},
		{name: "OnLoad an int variable", syms: fakeSyms{"OnLoad": &number},
			wants: []string{"OnLoad is a variable of type int, want a function of type func(sdk.Ctx, []sdk.String) error"}},
		{name: "OnUnload of another type", syms: fakeSyms{"OnLoad": onLoad, "OnUnload": func(int) error { return nil }},
			wants: []string{"OnUnload has type func(int) error, want func(sdk.Ctx) error"}},
		{name: "both wrong", syms: fakeSyms{"OnLoad": func() {}, "OnUnload": func() {}},
			wants: []string{"OnLoad has type func(), want func(sdk.Ctx, []sdk.String) error; OnUnload has type func(), want func(sdk.Ctx) error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, fake := newFakeRegistry(ref)
			fake.do["good.so"] = func() (symbols, error) { return tt.syms, nil }
			for range 2 {
				p, err := r.Open(fx.good)
				wantErr(t, err, fx.good, tt.wants...)
				if restartRequired(err) {
					t.Errorf("a wrong entry point is reported as restart required: %v", err)
				}
				if tt.check != nil && !tt.check(p) {
					t.Errorf("Plugin = %+v", p)
				}
			}
			if n := fake.count(fx.good); n != 1 {
				t.Errorf("plugin.Open called %d times, want 1", n)
			}
		})
	}
}

// TestRegistrySharedWithPlugin: a package the server does not link is bound
// to the first plugin that brought it; a plugin with another version of it
// is refused before dlopen.
func TestRegistrySharedWithPlugin(t *testing.T) {
	fx := getFixtures(t)
	ref, err := SettingsOf(fx.host)
	if err != nil {
		t.Fatal(err)
	}
	// Alone, each is fine.
	for _, p := range []string{fx.usesA, fx.usesB} {
		if _, err := Preflight(p, ref); err != nil {
			t.Fatal(err)
		}
	}
	r, _ := newFakeRegistry(ref)
	if _, err := r.Open(fx.usesA); err != nil {
		t.Fatal(err)
	}
	_, err = r.Open(fx.usesB)
	wantErr(t, err, fx.usesB, "package modis/host/internal/loader/testdata/shared differs from the one in the module already loaded from "+fx.usesA)
}

func TestRegistryConcurrent(t *testing.T) {
	fx := getFixtures(t)
	ref, err := SettingsOf(fx.host)
	if err != nil {
		t.Fatal(err)
	}
	r, fake := newFakeRegistry(ref)
	var wg sync.WaitGroup
	var first atomic.Pointer[Plugin]
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := r.Open(fx.symlink)
			if err != nil {
				t.Error(err)
				return
			}
			if !first.CompareAndSwap(nil, p) && first.Load() != p {
				t.Error("concurrent opens returned different plugins")
			}
		}()
	}
	wg.Wait()
	if n := fake.count(fx.good); n != 1 {
		t.Errorf("plugin.Open called %d times, want 1", n)
	}
}
