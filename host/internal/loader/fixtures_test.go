package loader

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The fixtures are built once per test binary, in parallel, into one
// temporary directory that TestMain removes. They are never plugin.Open'ed
// here: a test binary can only load plugins built with its own flags, and
// opening is tested through the real server by the integration tests.

var fixtureDir string // created by TestMain

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "loader-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fixtureDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fixtureSet holds the paths of the built fixtures; "" when a tool is missing.
type fixtureSet struct {
	host      string // an executable linking plugin and modis/sdk: the reference server
	good      string // a valid plugin
	symlink   string // a symlink to good
	noOnLoad  string // a plugin without OnLoad
	varOnLoad string // a plugin whose OnLoad is a variable
	gcflags   string // good built with -gcflags="all=-N -l"
	sdkDiff   string // good built with one more function in modis/sdk
	unnamed   string // good built from its .go file (command-line-arguments)
	usesA     string // a plugin linking testdata/shared
	usesB     string // another plugin linking another version of testdata/shared
	cshared   string // a Go c-shared library (needs gcc)
	clib      string // a C shared library (needs gcc)
}

var fixtures struct {
	once sync.Once
	set  fixtureSet
	err  error
}

// moduleRoot is the directory of modis's go.mod.
func moduleRoot() (string, error) {
	root, err := filepath.Abs("../../..")
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return "", err
	}
	return root, nil
}

// getFixtures builds every fixture the first time it is called (about a
// minute with a cold build cache, a few seconds with a warm one). Tests that
// need them are skipped with -short.
func getFixtures(t *testing.T) fixtureSet {
	t.Helper()
	if testing.Short() {
		t.Skip("builds plugins; skipped with -short")
	}
	fixtures.once.Do(func() { fixtures.set, fixtures.err = buildFixtures() })
	if fixtures.err != nil {
		t.Fatal(fixtures.err)
	}
	return fixtures.set
}

func buildFixtures() (fixtureSet, error) {
	root, err := moduleRoot()
	if err != nil {
		return fixtureSet{}, err
	}
	td := filepath.Join(root, "host/internal/loader/testdata")
	out := func(name string) string { return filepath.Join(fixtureDir, name) }
	writeOverlay := func(name string, replace map[string]string) (string, error) {
		b, err := json.Marshal(map[string]any{"Replace": replace})
		if err != nil {
			return "", err
		}
		p := out(name)
		return p, os.WriteFile(p, b, 0o644)
	}
	sdkOverlay, err := writeOverlay("sdk-overlay.json", map[string]string{
		filepath.Join(root, "sdk/zz_extra.go"): filepath.Join(td, "sdkextra/extra.go"),
	})
	if err != nil {
		return fixtureSet{}, err
	}
	sharedOverlay, err := writeOverlay("shared-overlay.json", map[string]string{
		filepath.Join(td, "shared/shared.go"): filepath.Join(td, "shared/v2.go.txt"),
	})
	if err != nil {
		return fixtureSet{}, err
	}

	const pkg = "./host/internal/loader/testdata/"
	pluginBuild := []string{"build", "-trimpath", "-buildmode=plugin"}
	fs := fixtureSet{
		host:      out("host"),
		good:      out("good.so"),
		symlink:   out("link.so"),
		noOnLoad:  out("noonload.so"),
		varOnLoad: out("varonload.so"),
		gcflags:   out("gcflags.so"),
		sdkDiff:   out("sdkdiff.so"),
		unnamed:   out("unnamed.so"),
		usesA:     out("usesa.so"),
		usesB:     out("usesb.so"),
	}
	type job struct {
		name string
		args []string
	}
	cat := func(a []string, b ...string) []string { return append(append([]string(nil), a...), b...) }
	jobs := []job{
		{"go", []string{"build", "-trimpath", "-o", fs.host, pkg + "host"}},
		{"go", cat(pluginBuild, "-o", fs.good, pkg+"good")},
		{"go", cat(pluginBuild, "-o", fs.noOnLoad, pkg+"noonload")},
		{"go", cat(pluginBuild, "-o", fs.varOnLoad, pkg+"varonload")},
		{"go", cat(pluginBuild, "-gcflags=all=-N -l", "-o", fs.gcflags, pkg+"good")},
		{"go", cat(pluginBuild, "-overlay", sdkOverlay, "-o", fs.sdkDiff, pkg+"good")},
		{"go", cat(pluginBuild, "-o", fs.unnamed, pkg+"good/main.go")},
		{"go", cat(pluginBuild, "-o", fs.usesA, pkg+"usesa")},
		{"go", cat(pluginBuild, "-overlay", sharedOverlay, "-o", fs.usesB, pkg+"usesb")},
	}
	if _, err := exec.LookPath("gcc"); err == nil {
		fs.cshared = out("cshared.so")
		fs.clib = out("clib.so")
		jobs = append(jobs,
			job{"go", []string{"build", "-trimpath", "-buildmode=c-shared", "-o", fs.cshared, pkg + "cshared"}},
			job{"gcc", []string{"-shared", "-fPIC", "-o", fs.clib, filepath.Join(td, "clib/lib.c")}},
		)
	}

	// go build parallelises inside one build too; three at a time keeps two
	// cores busy without thrashing.
	sem := make(chan struct{}, 3)
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			cmd := exec.Command(j.name, j.args...)
			cmd.Dir = root
			cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
			if b, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("%s %s: %v\n%s", j.name, strings.Join(j.args, " "), err, b)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return fixtureSet{}, err
		}
	}
	if err := os.Symlink(fs.good, fs.symlink); err != nil {
		return fixtureSet{}, err
	}
	return fs, nil
}
