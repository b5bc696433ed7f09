package loader

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// wantErr checks that err is an *Error for path whose text contains every
// one of wants, or that err is nil when wants is empty.
func wantErr(t *testing.T, err error, path string, wants ...string) {
	t.Helper()
	if len(wants) == 0 {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want one containing %q", wants)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	t.Log(err)
	prefix := `load module "` + path + `": `
	if !strings.HasPrefix(err.Error(), prefix) {
		t.Errorf("error %q does not start with %q", err, prefix)
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q\ndoes not contain %q", err, w)
		}
	}
}

// TestPreflightFiles covers the verdicts that need no Go build.
func TestPreflightFiles(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("#!/bin/sh\necho this is not a module\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.so")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(dir, "dangling.so")
	if err := os.Symlink(filepath.Join(dir, "gone.so"), dangling); err != nil {
		t.Fatal(err)
	}
	relMissing := "no-such-module.so"
	absMissing, _ := filepath.Abs(relMissing)
	tests := []struct {
		name  string
		path  string
		wants []string
		is    error
	}{
		{"missing", filepath.Join(dir, "missing.so"), []string{filepath.Join(dir, "missing.so") + ": no such file or directory"}, fs.ErrNotExist},
		{"missing relative", relMissing, []string{absMissing + ": no such file or directory"}, fs.ErrNotExist},
		{"dangling symlink", dangling, []string{"gone.so: no such file or directory"}, fs.ErrNotExist},
		{"directory", dir, []string{dir + " is a directory, not a module file"}, nil},
		{"text file", text, []string{"not an ELF shared object: bad magic number"}, nil},
		{"empty file", empty, []string{"not an ELF shared object: " + empty + " is empty"}, nil},
		{"empty path", "", []string{"empty path"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Preflight(tt.path, nil)
			if c != nil {
				t.Errorf("Checked = %+v, want nil", c)
			}
			wantErr(t, err, tt.path, tt.wants...)
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
		})
	}
}

func TestPreflightUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every file")
	}
	p := filepath.Join(t.TempDir(), "secret.so")
	if err := os.WriteFile(p, []byte("x"), 0o000); err != nil {
		t.Fatal(err)
	}
	_, err := Preflight(p, nil)
	wantErr(t, err, p, p+": permission denied")
}

// TestPreflightCLibrary needs only gcc.
func TestPreflightCLibrary(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no gcc")
	}
	dir := t.TempDir()
	lib := filepath.Join(dir, "libadd.so")
	out, err := exec.Command("gcc", "-shared", "-fPIC", "-o", lib, "testdata/clib/lib.c").CombinedOutput()
	if err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	_, err = Preflight(lib, nil)
	wantErr(t, err, lib, "a C shared library or other non-Go object, not a Go plugin (build with go build -buildmode=plugin)")
}

// TestPreflightGo checks the verdicts on Go-built files against the settings
// of an executable built like a server (-trimpath, links plugin and sdk).
func TestPreflightGo(t *testing.T) {
	f := getFixtures(t)
	ref, err := SettingsOf(f.host)
	if err != nil {
		t.Fatal(err)
	}
	if len(ref.Fingerprints) == 0 {
		t.Fatal("the host executable has no fingerprints")
	}
	noCgo := cloneSettings(ref)
	noCgo.Build["CGO_ENABLED"] = "0"

	tests := []struct {
		name  string
		path  string
		ref   *Settings
		wants []string // empty: loadable
		skip  bool
	}{
		{name: "good plugin", path: f.good, ref: ref},
		{name: "good plugin through a symlink", path: f.symlink, ref: ref},
		{name: "good plugin without a reference", path: f.good},
		{name: "unnamed plugin", path: f.unnamed, ref: ref},
		{name: "Go executable", path: f.host, ref: ref, wants: []string{"not an ELF shared object (ELF type ET_EXEC, an executable); a module is built with go build -buildmode=plugin"}},
		{name: "Go c-shared library", path: f.cshared, ref: ref, skip: f.cshared == "", wants: []string{
			`a Go c-shared library (built with -buildmode=c-shared), not a Go plugin: opening it would kill the server with "fatal error: runtime: no plugin module data"; build it with go build -buildmode=plugin`}},
		{name: "C shared library", path: f.clib, ref: ref, skip: f.clib == "", wants: []string{
			"a C shared library or other non-Go object, not a Go plugin (build with go build -buildmode=plugin)"}},
		{name: "gcflags", path: f.gcflags, ref: ref, wants: []string{
			`built differently from the server: built with -gcflags="all=-N -l", the server with -gcflags=""`,
			"packages it shares with the server differ)",
			"; " + fixHint,
		}},
		{name: "sdk differs", path: f.sdkDiff, ref: ref, wants: []string{
			"package modis/sdk differs from the server's: rebuild the plugin against the server's source",
		}},
		{name: "no OnLoad", path: f.noOnLoad, ref: ref, wants: []string{
			"the module exports no OnLoad function: a module must export func OnLoad(ctx sdk.Ctx, args []sdk.String) error"}},
		{name: "OnLoad variable", path: f.varOnLoad, ref: ref, wants: []string{
			"OnLoad is a variable, not a function: a module must export func OnLoad(ctx sdk.Ctx, args []sdk.String) error"}},
		{name: "server without cgo", path: f.good, ref: noCgo, wants: []string{
			"the server was built with CGO_ENABLED=0 and cannot load plugins"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skip {
				t.Skip("no gcc")
			}
			c, err := Preflight(tt.path, tt.ref)
			wantErr(t, err, tt.path, tt.wants...)
			if len(tt.wants) > 0 {
				return
			}
			real, _ := filepath.EvalSymlinks(tt.path)
			if c.RealPath != real {
				t.Errorf("RealPath = %q, want %q", c.RealPath, real)
			}
			if c.Settings.BuildMode() != "plugin" {
				t.Errorf("build mode = %q", c.Settings.BuildMode())
			}
			if c.Hash == ([32]byte{}) {
				t.Error("no hash")
			}
		})
	}

	// The unnamed plugin is registered by the runtime under the linker's
	// plugin/unnamed-HASH path, which Preflight finds among its symbols.
	c, err := Preflight(f.unnamed, ref)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.PluginPath, "plugin/unnamed-") {
		t.Errorf("unnamed PluginPath = %q", c.PluginPath)
	}
	c, err = Preflight(f.good, ref)
	if err != nil {
		t.Fatal(err)
	}
	if want := "modis/host/internal/loader/testdata/good"; c.PluginPath != want {
		t.Errorf("PluginPath = %q, want %q", c.PluginPath, want)
	}
}

// TestPreflightEveryDifference checks that one error names every build
// difference (here, against a made-up server).
func TestPreflightEveryDifference(t *testing.T) {
	f := getFixtures(t)
	ref, err := SettingsOf(f.host)
	if err != nil {
		t.Fatal(err)
	}
	other := cloneSettings(ref)
	other.GoVersion = "go1.99.0"
	delete(other.Build, "-trimpath")
	other.Build["-race"] = "true"
	other.Build["GOAMD64"] = "v3"
	other.Build["-ldflags"] = "-X main.version=1" // not compared
	_, err = Preflight(f.good, other)
	wantErr(t, err, f.good,
		"built with "+ref.GoVersion+", the server with go1.99.0",
		"built without -race, the server with -race",
		"built with -trimpath, the server without -trimpath",
		"built with GOAMD64=v1, the server with GOAMD64=v3",
		fixHint)
	if strings.Contains(err.Error(), "ldflags") {
		t.Errorf("error mentions -ldflags: %v", err)
	}
}

// TestPreflightTestBinary: a go test binary is not built with -trimpath, so
// a -trimpath plugin does not match it; the error says so.
func TestPreflightTestBinary(t *testing.T) {
	f := getFixtures(t)
	self, err := Self()
	if err != nil {
		t.Fatal(err)
	}
	_, err = Preflight(f.good, self)
	wantErr(t, err, f.good, "built with -trimpath, the server without -trimpath")
}

// TestFingerprints checks the facts Preflight relies on: both sides carry
// fingerprints, an unchanged package has the same one, a changed one not.
func TestFingerprints(t *testing.T) {
	f := getFixtures(t)
	host, err := SettingsOf(f.host)
	if err != nil {
		t.Fatal(err)
	}
	good, err := SettingsOf(f.good)
	if err != nil {
		t.Fatal(err)
	}
	sdkDiff, err := SettingsOf(f.sdkDiff)
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"runtime", "modis/sdk"} {
		if _, ok := host.Fingerprints[pkg]; !ok {
			t.Errorf("host has no fingerprint for %s", pkg)
		}
		if good.Fingerprints[pkg] != host.Fingerprints[pkg] {
			t.Errorf("%s: good plugin %x, host %x", pkg, good.Fingerprints[pkg], host.Fingerprints[pkg])
		}
	}
	if sdkDiff.Fingerprints["modis/sdk"] == host.Fingerprints["modis/sdk"] {
		t.Error("changed modis/sdk has the same fingerprint")
	}
	if sdkDiff.Fingerprints["runtime"] != host.Fingerprints["runtime"] {
		t.Error("unchanged runtime has another fingerprint")
	}
	if _, ok := good.Fingerprints["modis/host/internal/loader/testdata/good"]; !ok {
		t.Error("the plugin's main package has no fingerprint under its plugin path")
	}
}

func cloneSettings(s *Settings) *Settings {
	c := *s
	c.Build = make(map[string]string)
	for k, v := range s.Build {
		c.Build[k] = v
	}
	c.Deps = make(map[string]string)
	for k, v := range s.Deps {
		c.Deps[k] = v
	}
	c.Fingerprints = make(map[string][8]byte)
	for k, v := range s.Fingerprints {
		c.Fingerprints[k] = v
	}
	return &c
}
