package loader

import (
	"debug/buildinfo"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Settings are the build facts a plugin must share with the server.
type Settings struct {
	// MainPath is the main package's path from the build info
	// ("modis/cmd/server", "modis/plugins/example", "command-line-arguments").
	MainPath string
	// GoVersion is the toolchain that built the file (BuildInfo.GoVersion).
	GoVersion string
	// GOOS and GOARCH are the target.
	GOOS, GOARCH string
	// Build holds the build settings that must be equal (see comparedSetting)
	// and -buildmode, which is reported but not compared. A setting that was
	// not recorded is absent.
	Build map[string]string
	// Deps maps each dependency module's path to its version and sum, and
	// its replacement if any ("v1.2.3 h1:...", "v1.2.3 h1:... => ../x").
	Deps map[string]string
	// Fingerprints maps each linked package's import path to its link
	// fingerprint (see fingerprint.go). It is empty for a file linked without
	// plugin support.
	Fingerprints map[string][8]byte
}

// BuildMode returns the -buildmode setting ("exe", "plugin", "c-shared",
// ...), or "" when the file does not record it.
func (s *Settings) BuildMode() string { return s.Build["-buildmode"] }

// comparedSetting reports whether a build setting must be equal in the
// server and its plugins. -buildmode differs by nature; -ldflags (versions
// stamped with -X), -pgo (a path), DefaultGODEBUG, the CGO_*FLAGS and vcs.*
// settings do not change the packages a plugin shares with the server (and
// if they did, the fingerprints would tell).
func comparedSetting(key string) bool {
	switch key {
	case "-asan", "-asmflags", "-compiler", "-cover", "-gccgoflags", "-gcflags",
		"-msan", "-race", "-tags", "-trimpath", "CGO_ENABLED", "GOEXPERIMENT", "GOFIPS140":
		return true
	case "GOOS", "GOARCH":
		return false // Settings.GOOS and GOARCH
	}
	return isArchLevel(key)
}

// isArchLevel reports whether key is a GO<arch> level setting (GOAMD64,
// GOARM, GOARM64, GO386, GOPPC64, GORISCV64, GOMIPS, GOWASM, ...).
func isArchLevel(key string) bool {
	rest, ok := strings.CutPrefix(key, "GO")
	if !ok || rest == "" {
		return false
	}
	for _, c := range rest {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// boolSetting reports whether key is a flag recorded as "true" when given
// and not recorded otherwise.
func boolSetting(key string) bool {
	switch key {
	case "-asan", "-cover", "-msan", "-race", "-trimpath":
		return true
	}
	return false
}

// settingsFromBuildInfo extracts Settings from bi. Fingerprints is empty.
func settingsFromBuildInfo(bi *debug.BuildInfo) *Settings {
	s := &Settings{
		MainPath:     bi.Path,
		GoVersion:    bi.GoVersion,
		Build:        make(map[string]string),
		Deps:         make(map[string]string),
		Fingerprints: make(map[string][8]byte),
	}
	for _, kv := range bi.Settings {
		switch {
		case kv.Key == "GOOS":
			s.GOOS = kv.Value
		case kv.Key == "GOARCH":
			s.GOARCH = kv.Value
		case kv.Key == "-buildmode" || comparedSetting(kv.Key):
			s.Build[kv.Key] = kv.Value
		}
	}
	for _, d := range bi.Deps {
		s.Deps[d.Path] = moduleVersion(d)
	}
	return s
}

// moduleVersion spells a module's version, sum and replacement.
func moduleVersion(m *debug.Module) string {
	v := strings.TrimSpace(m.Version + " " + m.Sum)
	if m.Replace != nil {
		v += " => " + strings.TrimSpace(m.Replace.Path+" "+m.Replace.Version+" "+m.Replace.Sum)
	}
	return v
}

// SettingsOf reads the Settings of any Go ELF file: its build info and its
// link fingerprints.
func SettingsOf(path string) (*Settings, error) {
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s := settingsFromBuildInfo(bi)
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s.Fingerprints = fingerprintsOf(f, elfSymbols(f))
	return s, nil
}

var self struct {
	once sync.Once
	s    *Settings
	err  error
}

// Self returns the running binary's Settings: its build info from
// runtime/debug.ReadBuildInfo and its fingerprints from its own ELF file.
// The file is read through /proc/self/exe, which names the running image
// even after the file on disk was replaced or removed (falling back to
// os.Executable). When the file cannot be read, Fingerprints is empty and
// the other checks still apply. The result is computed once; do not modify it.
func Self() (*Settings, error) {
	self.once.Do(func() {
		bi, ok := debug.ReadBuildInfo()
		if !ok {
			self.err = errors.New("the server binary has no Go build info")
			return
		}
		s := settingsFromBuildInfo(bi)
		s.Fingerprints = selfFingerprints()
		self.s = s
	})
	return self.s, self.err
}

func selfFingerprints() map[string][8]byte {
	paths := []string{"/proc/self/exe"}
	if exe, err := os.Executable(); err == nil {
		paths = append(paths, exe)
	}
	for _, p := range paths {
		f, err := elf.Open(p)
		if err != nil {
			continue
		}
		fps := fingerprintsOf(f, elfSymbols(f))
		f.Close()
		return fps
	}
	return map[string][8]byte{}
}

// settingDisplay spells one side of a build-setting difference for
// "built with X, the server with Y".
func settingDisplay(key, value string, present bool) string {
	if boolSetting(key) {
		if present && value == "true" {
			return "with " + key
		}
		if present && value != "" {
			return "with " + key + "=" + value
		}
		return "without " + key
	}
	if strings.HasPrefix(key, "-") {
		return fmt.Sprintf("with %s=%q", key, value)
	}
	if !present {
		return fmt.Sprintf("with %s unset", key)
	}
	return fmt.Sprintf("with %s=%s", key, value)
}

// normalSetting returns a build setting's value for comparison.
func normalSetting(key, value string) string {
	if boolSetting(key) && value == "false" {
		return ""
	}
	if key == "-tags" {
		tags := strings.Split(value, ",")
		sort.Strings(tags)
		tags = slices.Compact(tags)
		if len(tags) > 0 && tags[0] == "" {
			tags = tags[1:]
		}
		return strings.Join(tags, ",")
	}
	return value
}

// settingDiffs names every difference between a plugin's settings and the
// server's, one "built with ..., the server with ..." phrase each. Dependency
// versions are compared only when checkDeps is set.
func settingDiffs(p, ref *Settings, checkDeps bool) []string {
	var diffs []string
	if p.GoVersion != ref.GoVersion {
		diffs = append(diffs, fmt.Sprintf("built with %s, the server with %s", p.GoVersion, ref.GoVersion))
	}
	if p.GOOS != ref.GOOS || p.GOARCH != ref.GOARCH {
		diffs = append(diffs, fmt.Sprintf("built for %s/%s, the server for %s/%s", p.GOOS, p.GOARCH, ref.GOOS, ref.GOARCH))
	}
	keys := make(map[string]bool)
	for k := range p.Build {
		keys[k] = true
	}
	for k := range ref.Build {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		if comparedSetting(k) {
			sorted = append(sorted, k)
		}
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		pv, pok := p.Build[k]
		rv, rok := ref.Build[k]
		if normalSetting(k, pv) == normalSetting(k, rv) {
			continue
		}
		diffs = append(diffs, fmt.Sprintf("built %s, the server %s", settingDisplay(k, pv, pok), settingDisplay(k, rv, rok)))
	}
	if checkDeps {
		diffs = append(diffs, depDiffs(p, ref)...)
	}
	return diffs
}

// depDiffs names the dependency modules present in both with other versions.
func depDiffs(p, ref *Settings) []string {
	var diffs []string
	for _, m := range sortedKeys(p.Deps) {
		rv, ok := ref.Deps[m]
		if ok && rv != p.Deps[m] {
			diffs = append(diffs, fmt.Sprintf("built with module %s %s, the server with %s", m, p.Deps[m], rv))
		}
	}
	return diffs
}

// moduleOf returns the dependency module of s that provides package pkg, or "".
func moduleOf(s *Settings, pkg string) string {
	best := ""
	for m := range s.Deps {
		if (pkg == m || strings.HasPrefix(pkg, m+"/")) && len(m) > len(best) {
			best = m
		}
	}
	return best
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
