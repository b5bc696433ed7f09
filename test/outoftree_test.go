package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A module written outside the repository, as docs/modules.md ("Building a
// module outside this repository") tells a newcomer to: its own go.mod
// requiring modis and replacing it by the repository, the repository's
// go.sum (the module needs nothing beyond modis, so this keeps the build
// offline), GOFLAGS=-mod=mod and GOPROXY as the environment has them.

const ootGoMod = `module example.com/ootmod

go 1.26.8

require modis v0.0.0

replace modis => REPO
`

// ootMain is the module's plugin, at the module's root: OOT.GREET name
// [TIMES n], with sdk.Args parsing and command info.
const ootMain = `// Package main is a module built outside the Modis repository.
package main

import (
	"strings"

	"modis/sdk"
)

// Greet is OOT.GREET name [TIMES n].
func Greet(ctx sdk.Ctx, argv []sdk.String) error {
	args := sdk.NewArgs(argv)
	name, err := args.NextString()
	if err != nil {
		return err
	}
	times := int64(1)
	if args.MatchToken("TIMES") {
		if times, err = args.NextInt64(); err != nil {
			return err
		}
		if times < 0 || times > 100 {
			return sdk.ErrSyntax
		}
	}
	if err := args.Done(); err != nil {
		return err
	}
	return ctx.ReplyWithCString(strings.Repeat("hello "+name+"!", int(times)))
}

func OnLoad(ctx sdk.Ctx, args []sdk.String) error {
	if err := ctx.Init("oot", 1, sdk.APIVER_1); err != nil {
		return err
	}
	if err := ctx.CreateCommand("oot.greet", Greet, "readonly fast", 0, 0, 0); err != nil {
		return err
	}
	cmd, err := ctx.GetCommand("oot.greet")
	if err != nil {
		return err
	}
	return cmd.SetCommandInfo(&sdk.CommandInfo{Summary: "Greets someone", Since: "1.0.0", Arity: -2})
}

func main() {}
`

// ootSecond is a second plugin in a subdirectory of the same module.
const ootSecond = `package main

import "modis/sdk"

func OnLoad(ctx sdk.Ctx, args []sdk.String) error {
	if err := ctx.Init("ootsecond", 1, sdk.APIVER_1); err != nil {
		return err
	}
	return ctx.CreateCommand("oot.second", func(ctx sdk.Ctx, argv []sdk.String) error {
		return ctx.ReplyWithLongLong(int64(len(argv)))
	}, "fast", 0, 0, 0)
}

func main() {}
`

// writeOutOfTreeModule writes the module into dir/ootmod and returns that
// directory.
func writeOutOfTreeModule(t *testing.T, dir string) string {
	t.Helper()
	mod := filepath.Join(dir, "ootmod")
	sum, err := os.ReadFile(filepath.Join(repoRoot, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"go.mod":         strings.Replace(ootGoMod, "REPO", repoRoot, 1),
		"go.sum":         string(sum),
		"main.go":        ootMain,
		"second/main.go": ootSecond,
	} {
		p := filepath.Join(mod, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return mod
}

// ootEnv is the environment of the builds: the test's, with -mod=mod added
// to GOFLAGS and OUT set.
func ootEnv(out string) []string {
	return append(os.Environ(), "OUT="+out, "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -mod=mod"))
}

// TestOutOfTreeModule: scripts/build-plugins.sh builds a module directory
// outside the repository (given relative to the caller's directory, and a
// plugin in a subdirectory of the module, given absolute) with the
// server's flags; the server checks and loads the results with
// --loadmodule and MODULE LOAD.
func TestOutOfTreeModule(t *testing.T) {
	work := t.TempDir()
	mod := writeOutOfTreeModule(t, work)
	out := filepath.Join(work, "out")
	cmd := exec.Command(filepath.Join(repoRoot, "scripts", "build-plugins.sh"), "ootmod", filepath.Join(mod, "second"))
	cmd.Dir = work
	cmd.Env = ootEnv(out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build-plugins.sh: %v\n%s", err, b)
	} else if !strings.Contains(string(b), "ok: "+filepath.Join(out, "plugins", "ootmod.so")+" can be loaded by this server") {
		t.Fatalf("build-plugins.sh did not check the plugin:\n%s", b)
	}
	so := filepath.Join(out, "plugins", "ootmod.so")
	second := filepath.Join(out, "plugins", "second.so")
	// The workspace the script used is gone, and the module is untouched
	// but for what -mod=mod may add to go.mod.
	if _, err := os.Stat(filepath.Join(mod, "go.work")); err == nil {
		t.Fatal("the script left a go.work in the module")
	}

	// The test harness's server, built earlier from the same tree, accepts
	// the files too.
	for _, p := range []string{so, second} {
		b, err := exec.Command(filepath.Join(outDir, "server"), "check-module", p).CombinedOutput()
		if err != nil || !strings.HasPrefix(string(b), "ok: ") {
			t.Fatalf("check-module %s: %v\n%s", p, err, b)
		}
	}

	// --loadmodule at startup.
	s := startServer(t, "--loadmodule", so)
	c := s.Dial()
	expect(t, "OOT.GREET", c.Do("OOT.GREET", "newcomer"), "$15\r\nhello newcomer!\r\n")
	expect(t, "OOT.GREET TIMES", c.Do("oot.greet", "x", "times", "2"), "$16\r\nhello x!hello x!\r\n")
	expect(t, "OOT.GREET arity", c.Do("OOT.GREET"), "-ERR wrong number of arguments for 'oot.greet' command\r\n")
	expect(t, "OOT.GREET syntax", c.Do("OOT.GREET", "x", "loud"), "-ERR syntax error\r\n")
	expect(t, "OOT.GREET not an integer", c.Do("OOT.GREET", "x", "TIMES", "many"), "-ERR value is not an integer or out of range\r\n")
	if docs := c.Do("COMMAND", "DOCS", "oot.greet"); !strings.Contains(docs, "$14\r\nGreets someone\r\n") || !strings.Contains(docs, "$6\r\nmodule\r\n$3\r\noot\r\n") {
		t.Fatalf("COMMAND DOCS oot.greet = %q", docs)
	}
	// MODULE LOAD at run time, next to it: the two plugins share modis/sdk.
	expect(t, "MODULE LOAD", c.Do("MODULE", "LOAD", second), "+OK\r\n")
	expect(t, "oot.second", c.Do("OOT.SECOND", "a", "b"), ":3\r\n")
	if list := s.CLI("MODULE", "LIST"); !strings.Contains(list, so) || !strings.Contains(list, second) {
		t.Fatalf("MODULE LIST:\n%s", list)
	}
	// redis-cli, as a user would.
	if got := s.CLI("oot.greet", "cli"); strings.TrimSpace(got) != "hello cli!" {
		t.Fatalf("redis-cli oot.greet = %q", got)
	}

	// Why the script builds in a workspace: built by hand from the module
	// with the same flags, but with modis as a replaced dependency,
	// -trimpath records modis/sdk's files as modis@v0.0.0/sdk/..., the
	// compiler's fingerprint of modis/sdk differs from the server's, and the
	// server refuses the file.
	if os.Getenv("GOFLAGS_EXTRA") != "" {
		return // the script's extra flags are not repeated here
	}
	plain := filepath.Join(work, "plain.so")
	flags := []string{"build", "-trimpath"}
	if os.Getenv("RACE") == "1" {
		flags = append(flags, "-race")
	}
	build := exec.Command("go", append(flags, "-buildmode=plugin", "-o", plain, ".")...)
	build.Dir = mod
	build.Env = ootEnv(out)
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	b, err := exec.Command(filepath.Join(outDir, "server"), "check-module", plain).CombinedOutput()
	if err == nil || !strings.Contains(string(b), "package modis/sdk differs from the server's") {
		t.Fatalf("check-module of a plugin built with modis as a replaced dependency: %v\n%s", err, b)
	}
	// (It also differs from the loaded ootmod.so in its own main package,
	// which was compiled against that other modis/sdk.)
	if got := c.Do("MODULE", "LOAD", plain); !strings.HasPrefix(got, "-ERR Error loading the extension: load module \""+plain+"\": "+
		"package modis/sdk differs from the server's: rebuild the plugin against the server's source") {
		t.Fatalf("MODULE LOAD %s = %q", plain, got)
	}
	s.mustAlive()
}

// TestOutOfTreeModuleNoGoMod: a directory outside the repository that is
// in no Go module is refused before anything is built, with the fix.
func TestOutOfTreeModuleNoGoMod(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(filepath.Join(repoRoot, "scripts", "build-plugins.sh"), dir)
	cmd.Env = append(os.Environ(), "OUT="+filepath.Join(dir, "out"))
	b, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(b), dir+" is outside the repository "+repoRoot+" and in no Go module: give it a go.mod") {
		t.Fatalf("build-plugins.sh %s: %v\n%s", dir, err, b)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Fatal("something was built")
	}
}
