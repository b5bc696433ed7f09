package loader

import (
	"crypto/sha256"
	"debug/buildinfo"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Error is the error of Preflight and Registry.Open. Its text is
// `load module "PATH": REASON`, PATH as the caller gave it.
type Error struct {
	// Path is the path as given to Preflight or Open.
	Path string
	// Reason says what is wrong and how to fix it.
	Reason string
	// RestartRequired is set when only a server restart can make this path
	// (or this plugin) loadable: Go cannot unload or reload code.
	RestartRequired bool
	// Err is the underlying error, if any (an *fs.PathError, a plugin.Open
	// error, ...), for errors.Is and errors.As.
	Err error
	// Stack is the goroutine stack of a panic in the plugin's package init.
	Stack []byte
}

func (e *Error) Error() string { return fmt.Sprintf("load module %q: %s", e.Path, e.Reason) }

func (e *Error) Unwrap() error { return e.Err }

// Checked describes a file that passed Preflight.
type Checked struct {
	// RealPath is the absolute path with every symlink resolved.
	RealPath string
	// PluginPath is the path the runtime registers the plugin under: the
	// main package path from the build info ("modis/plugins/example"), or,
	// for a plugin built from a list of .go files, the linker's
	// "plugin/unnamed-HASH" when it can be found ("command-line-arguments"
	// otherwise).
	PluginPath string
	// Hash is the SHA-256 of the file.
	Hash [32]byte
	// Settings are the plugin's build facts.
	Settings *Settings
}

// fixHint ends every error about a build difference.
const fixHint = "rebuild the plugin with the server's Go version, flags and dependencies (scripts/build-plugins.sh builds the server and every plugin with one toolchain and flag set)"

// fpOwner is the fingerprint a package has in the process's global symbol
// scope, and who defined it first: "" for the server, else a plugin's path.
type fpOwner struct {
	fp    [8]byte
	owner string
}

// Preflight checks, without dlopen, that the file at path can be loaded by a
// server with settings ref: it resolves the path, requires a Go plugin (ELF
// ET_DYN, -buildmode=plugin), compares the Go version, target, build settings
// and shared packages with ref, and requires an exported OnLoad function. It
// returns the resolved file's facts, or an *Error whose text says exactly
// what is wrong and how to fix it. A nil ref skips the comparison with the
// server.
func Preflight(path string, ref *Settings) (*Checked, error) {
	return preflight(path, ref, nil)
}

// resolve returns path made absolute with every symlink resolved.
func resolve(path string) (string, error) {
	if path == "" {
		return "", &Error{Path: path, Reason: "empty path"}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", &Error{Path: path, Reason: err.Error(), Err: err}
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", &Error{Path: path, Reason: osReason(abs, err), Err: err}
	}
	return real, nil
}

// osReason spells an OS error as "PATH: reason" (the OS's own words).
func osReason(path string, err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Path + ": " + pe.Err.Error()
	}
	return path + ": " + err.Error()
}

// hashFile returns the SHA-256 of the file at real.
func hashFile(real string) ([32]byte, error) {
	var sum [32]byte
	f, err := os.Open(real)
	if err != nil {
		return sum, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return sum, err
	}
	copy(sum[:], h.Sum(nil))
	return sum, nil
}

// preflight is Preflight that also compares fingerprints with the plugins
// already opened (loaded: package -> first definition in the global symbol
// scope, besides the server's).
func preflight(path string, ref *Settings, loaded map[string]fpOwner) (*Checked, error) {
	fail := func(format string, args ...any) error {
		return &Error{Path: path, Reason: fmt.Sprintf(format, args...)}
	}
	real, err := resolve(path)
	if err != nil {
		return nil, err
	}

	// 1. A readable regular file.
	st, err := os.Stat(real)
	if err != nil {
		return nil, &Error{Path: path, Reason: osReason(real, err), Err: err}
	}
	if st.IsDir() {
		return nil, fail("%s is a directory, not a module file", real)
	}
	if !st.Mode().IsRegular() {
		return nil, fail("%s is not a regular file (%v)", real, st.Mode().Type())
	}
	f, err := os.Open(real)
	if err != nil {
		return nil, &Error{Path: path, Reason: osReason(real, err), Err: err}
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, &Error{Path: path, Reason: osReason(real, err), Err: err}
	}
	c := &Checked{RealPath: real}
	copy(c.Hash[:], h.Sum(nil))

	// 2. An ELF shared object.
	if st.Size() == 0 {
		return nil, fail("not an ELF shared object: %s is empty", real)
	}
	ef, err := elf.NewFile(f)
	if err != nil {
		return nil, &Error{Path: path, Reason: "not an ELF shared object: " + err.Error(), Err: err}
	}
	if ef.Type != elf.ET_DYN {
		what := ""
		switch ef.Type {
		case elf.ET_EXEC:
			what = ", an executable"
		case elf.ET_REL:
			what = ", an object file"
		case elf.ET_CORE:
			what = ", a core dump"
		}
		return nil, fail("not an ELF shared object (ELF type %v%s); a module is built with go build -buildmode=plugin", ef.Type, what)
	}

	// 3. A Go plugin.
	bi, err := buildinfo.Read(f)
	if err != nil {
		if strings.Contains(err.Error(), "not a Go executable") {
			return nil, fail("a C shared library or other non-Go object, not a Go plugin (build with go build -buildmode=plugin)")
		}
		return nil, &Error{Path: path, Reason: "cannot read its Go build info (" + err.Error() + "); build the module with go build -buildmode=plugin", Err: err}
	}
	syms := elfSymbols(ef)
	ps := settingsFromBuildInfo(bi)
	ps.Fingerprints = fingerprintsOf(ef, syms)
	c.Settings = ps
	c.PluginPath = runtimePluginPath(bi.Path, ps.Fingerprints)
	if c.PluginPath == "" {
		c.PluginPath = bi.Path
	}
	switch mode := ps.BuildMode(); mode {
	case "plugin":
	case "":
		return nil, fail("a Go object without a recorded build mode (built by %s), not a Go plugin of this server: %s", bi.GoVersion, fixHint)
	case "c-shared":
		return nil, fail("a Go c-shared library (built with -buildmode=c-shared), not a Go plugin: opening it would kill the server with \"fatal error: runtime: no plugin module data\"; build it with go build -buildmode=plugin")
	default:
		kind := "object"
		switch mode {
		case "exe", "pie":
			kind = "executable"
		case "shared":
			kind = "shared library"
		case "c-archive", "archive":
			kind = "archive"
		}
		return nil, fail("a Go %s (built with -buildmode=%s), not a Go plugin; build it with go build -buildmode=plugin", kind, mode)
	}

	// 4 and 5. The same toolchain, flags and shared packages as the server.
	if ref != nil {
		if ref.Build["CGO_ENABLED"] == "0" {
			return nil, fail("the server was built with CGO_ENABLED=0 and cannot load plugins: rebuild it with CGO_ENABLED=1 (scripts/build-plugins.sh does)")
		}
		if err := compare(path, ps, ref, loaded); err != nil {
			return nil, err
		}
	}

	// The entry points, as far as symbols tell (their types are checked after
	// plugin.Open).
	if c.PluginPath != "command-line-arguments" {
		prefix := pathToPrefix(c.PluginPath) + "."
		s, ok := findSymbol(syms, prefix+"OnLoad")
		if !ok {
			return nil, fail("%s", noOnLoad)
		}
		if elf.ST_TYPE(s.Info) != elf.STT_FUNC {
			return nil, fail("OnLoad is a variable, not a function: a module must export func OnLoad(ctx sdk.Ctx, args []sdk.String) error")
		}
		if s, ok := findSymbol(syms, prefix+"OnUnload"); ok && elf.ST_TYPE(s.Info) != elf.STT_FUNC {
			return nil, fail("OnUnload is a variable, not a function: a module may export func OnUnload(ctx sdk.Ctx) error")
		}
	}
	return c, nil
}

const noOnLoad = "the module exports no OnLoad function: a module must export func OnLoad(ctx sdk.Ctx, args []sdk.String) error"

// compare names every difference between the plugin's build and the
// server's (and the plugins loaded before), or returns nil.
//
// When both sides carry fingerprints they are the exact check, so
// dependency versions are not compared by themselves (a module both use at
// different versions is harmless when no package of it is linked into both);
// they explain the packages that differ instead. Without fingerprints, the
// versions of modules present in both must be equal.
func compare(path string, p, ref *Settings, loaded map[string]fpOwner) error {
	haveFP := len(p.Fingerprints) > 0 && len(ref.Fingerprints) > 0
	diffs := settingDiffs(p, ref, !haveFP)

	var serverPkgs []string            // packages that differ from the server's
	otherPkgs := map[string][]string{} // plugin path -> packages that differ from it
	shared := 0
	if haveFP {
		for _, pkg := range sortedKeys(p.Fingerprints) {
			fp := p.Fingerprints[pkg]
			if rfp, ok := ref.Fingerprints[pkg]; ok {
				shared++
				if rfp != fp {
					serverPkgs = append(serverPkgs, pkg)
				}
				continue
			}
			if o, ok := loaded[pkg]; ok && o.fp != fp {
				otherPkgs[o.owner] = append(otherPkgs[o.owner], pkg)
			}
		}
	} else if len(p.Fingerprints) > 0 {
		for _, pkg := range sortedKeys(p.Fingerprints) {
			if o, ok := loaded[pkg]; ok && o.fp != p.Fingerprints[pkg] {
				otherPkgs[o.owner] = append(otherPkgs[o.owner], pkg)
			}
		}
	}

	if len(diffs) > 0 {
		reason := "built differently from the server: " + strings.Join(diffs, "; ")
		if len(serverPkgs) > 0 {
			reason += fmt.Sprintf(" (so %d of the %d packages it shares with the server differ)", len(serverPkgs), shared)
		}
		return &Error{Path: path, Reason: reason + "; " + fixHint}
	}
	var parts []string
	if len(serverPkgs) > 0 {
		names := make([]string, len(serverPkgs))
		for i, pkg := range serverPkgs {
			names[i] = pkg + moduleNote(pkg, p, ref)
		}
		parts = append(parts, fmt.Sprintf("%s from the server's: rebuild the plugin against the server's source (the same version of every package it shares with the server; scripts/build-plugins.sh builds both from one tree, and builds a module kept outside the tree in a workspace with it; see docs/modules.md, \"Building a module outside this repository\")", packageList(names)))
	}
	owners := make([]string, 0, len(otherPkgs))
	for o := range otherPkgs {
		owners = append(owners, o)
	}
	sort.Strings(owners)
	for _, o := range owners {
		parts = append(parts, fmt.Sprintf("%s from the one in the module already loaded from %s: plugins loaded together must be built from the same version of every package they share (rebuild them together, or restart the server without the other module)", packageList(otherPkgs[o]), o))
	}
	if len(parts) > 0 {
		return &Error{Path: path, Reason: strings.Join(parts, "; ")}
	}
	return nil
}

// packageList spells "package a differs" or "packages a, b and c differ".
func packageList(pkgs []string) string {
	switch len(pkgs) {
	case 1:
		return "package " + pkgs[0] + " differs"
	case 2:
		return "packages " + pkgs[0] + " and " + pkgs[1] + " differ"
	}
	return "packages " + strings.Join(pkgs[:len(pkgs)-1], ", ") + " and " + pkgs[len(pkgs)-1] + " differ"
}

// moduleNote explains a differing package by its module's versions.
func moduleNote(pkg string, p, ref *Settings) string {
	pm, rm := moduleOf(p, pkg), moduleOf(ref, pkg)
	switch {
	case pm == "" && rm == "":
		return ""
	case pm == rm && p.Deps[pm] != ref.Deps[rm]:
		return fmt.Sprintf(" (module %s %s, the server's %s)", pm, p.Deps[pm], ref.Deps[rm])
	case pm != rm && pm != "" && rm != "":
		return fmt.Sprintf(" (from module %s %s, the server's from %s %s)", pm, p.Deps[pm], rm, ref.Deps[rm])
	}
	return ""
}
