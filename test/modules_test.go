package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// copyFile copies a module file to a fresh path of the test's own, so that
// registry state from other tests (same real path) does not interfere.
func copyFile(t *testing.T, src, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, name)
	tmp := dst + ".tmp"
	if err := os.WriteFile(tmp, b, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, dst); err != nil { // atomically, as the build script does
		t.Fatal(err)
	}
	return dst
}

func TestModuleListUnloadLoad(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("example")+" arg1 arg2")
	c := s.Dial()
	want := "*1\r\n*8\r\n$4\r\nname\r\n$7\r\nexample\r\n$3\r\nver\r\n:1\r\n$4\r\npath\r\n$" +
		itoa(len(plugin("example"))) + "\r\n" + plugin("example") + "\r\n$4\r\nargs\r\n*2\r\n$4\r\narg1\r\n$4\r\narg2\r\n"
	if got := c.Do("MODULE", "LIST"); got != want {
		t.Fatalf("MODULE LIST (RESP2)\n got %q\nwant %q", got, want)
	}
	// RESP3: a map per module.
	c.Do("HELLO", "3")
	if got := c.Do("MODULE", "LIST"); !strings.HasPrefix(got, "*1\r\n%4\r\n$4\r\nname\r\n$7\r\nexample\r\n") {
		t.Fatalf("MODULE LIST (RESP3) = %q", got)
	}
	if got := c.Do("MODULE", "UNLOAD", "example"); got != "+OK\r\n" {
		t.Fatalf("MODULE UNLOAD = %q", got)
	}
	if got := c.Do("example.hgetset", "a", "b", "c"); !strings.HasPrefix(got, "-ERR unknown command 'example.hgetset'") {
		t.Fatalf("after unload: %q", got)
	}
	if got := c.Do("MODULE", "LIST"); got != "*0\r\n" {
		t.Fatalf("MODULE LIST after unload = %q", got)
	}
	if got := c.Do("MODULE", "UNLOAD", "example"); got != "-ERR Error unloading module: no such module with that name\r\n" {
		t.Fatalf("second unload = %q", got)
	}
	if got := c.Do("MODULE", "LOAD", plugin("example")); got != "+OK\r\n" {
		t.Fatalf("MODULE LOAD again = %q\n%s", got, s.Log())
	}
	if got := c.Do("example.hgetset", "h", "f", "v"); got != "_\r\n" {
		t.Fatalf("after reload: %q", got)
	}
	if got := c.Do("MODULE", "HELP"); !strings.HasPrefix(got, "*") || !strings.Contains(got, "UNLOAD <name>") {
		t.Fatalf("MODULE HELP = %q", got)
	}
	if !s.waitLog("module unloaded") {
		t.Fatalf("no unload log line:\n%s", s.Log())
	}
}

// TestModuleLoadFailures: each bad module file or misbehaving module gets a
// clear error reply, a log line with the detail, and leaves the server
// serving.
func TestModuleLoadFailures(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("example"))
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "adir"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		path string
		args []string
		want []string // substrings of the error reply
	}{
		{"missing file", filepath.Join(dir, "nope.so"), nil, []string{"no such file or directory"}},
		{"directory", filepath.Join(dir, "adir"), nil, []string{"directory"}},
		{"text file", fixture("notes.txt"), nil, []string{"not an ELF"}},
		{"C shared library", fixture("clib.so"), nil, []string{"not a Go plugin"}},
		{"no OnLoad", fixture("noonload.so"), nil, []string{"exports no OnLoad"}},
		{"wrong OnLoad signature", fixture("badsig.so"), nil, []string{"OnLoad has type func(string) int"}},
		{"other build flags", fixture("testmod-noopt.so"), nil, []string{"-gcflags", "all=-N -l"}},
		{"second load of a loaded module", plugin("example"), nil, []string{"already loaded"}},
		{"OnLoad returns an error", plugin("testmod"), []string{"fail"}, []string{"testmod refuses to load"}},
		{"OnLoad panics", plugin("testmod"), []string{"panic"}, []string{"OnLoad panicked", "testmod OnLoad panics"}},
		{"clash with a built-in", plugin("testmod"), []string{"clash"}, []string{`command "get" already exists: it is a built-in command`}},
		{"clash with another module", plugin("testmod"), []string{"clashmod"}, []string{`command "example.hgetset" already exists: it is a command of module "example"`}},
		{"unknown command flag", plugin("testmod"), []string{"badflag"}, []string{`unknown command flag "sometimes"`}},
		{"package init panics", fixture("initpanic.so"), nil, []string{"initpanic: package init panics"}},
		{"load after a failed load", fixture("initpanic.so"), nil, []string{"restart required"}},
	}
	c := s.Dial()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := c.Do(append([]string{"MODULE", "LOAD", tc.path}, tc.args...)...)
			if !strings.HasPrefix(got, "-ERR Error loading the extension") {
				t.Fatalf("reply %q, want an error", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("reply %q does not say %q", got, w)
				}
			}
			s.mustAlive()
		})
	}
	// Nothing a failed OnLoad registered remains; a good load still works.
	if got := c.Do("testmod.reply", "int"); !strings.HasPrefix(got, "-ERR unknown command 'testmod.reply'") {
		t.Fatalf("a failed OnLoad left a command behind: %q", got)
	}
	if got := c.Do("MODULE", "LOAD", plugin("testmod")); got != "+OK\r\n" {
		t.Fatalf("good load after failures = %q", got)
	}
	if got := c.Do("testmod.reply", "int"); got != ":-42\r\n" {
		t.Fatalf("testmod.reply int = %q", got)
	}
	if !s.waitLog("module load failed", "OnLoad panicked", "stack=") {
		t.Errorf("log lacks the load failures, the panic or its stack:\n%s", s.Log())
	}
}

// TestModuleRebuiltAtSamePath: Go returns the old code for a path it opened
// before, so a file rebuilt there is refused with "restart required".
func TestModuleRebuiltAtSamePath(t *testing.T) {
	s := startServer(t)
	dir := t.TempDir()
	path := copyFile(t, plugin("testmod"), dir, "mod.so")
	c := s.Dial()
	if got := c.Do("MODULE", "LOAD", path); got != "+OK\r\n" {
		t.Fatalf("first load = %q", got)
	}
	if got := c.Do("MODULE", "UNLOAD", "testmod"); got != "+OK\r\n" {
		t.Fatalf("unload = %q", got)
	}
	copyFile(t, fixture("testmod-rebuilt.so"), dir, "mod.so")
	got := c.Do("MODULE", "LOAD", path)
	if !strings.Contains(got, "restart required") || !strings.Contains(got, "rebuilt") {
		t.Fatalf("load of a rebuilt file = %q", got)
	}
	s.mustAlive()
}

// TestModuleHandlerFailures: a module's handler that panics, replies twice,
// leaves an array unfinished or never replies cannot break the connection.
func TestModuleHandlerFailures(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("testmod"))
	c := s.Dial()
	cases := []struct{ cmd, want string }{
		{"testmod.panic", "-ERR command 'testmod.panic' (module testmod) panicked: boom from testmod.panic; the server keeps serving, see its log\r\n"},
		{"testmod.panicmid", "-ERR command 'testmod.panicmid' (module testmod) panicked: panic in the middle of a reply; the server keeps serving, see its log\r\n"},
		{"testmod.noreply", "-ERR module command 'testmod.noreply' returned without replying\r\n"},
		{"testmod.twice", "+first\r\n"},
		{"testmod.incomplete", "-ERR module command 'testmod.incomplete' returned with an incomplete reply (an array was not finished)\r\n"},
		{"testmod.err", "-ERR something went wrong\r\n"},
	}
	for _, tc := range cases {
		if got := c.Do(tc.cmd); got != tc.want {
			t.Errorf("%s\n got %q\nwant %q", tc.cmd, got, tc.want)
		}
		if got := c.Do("PING"); got != "+PONG\r\n" {
			t.Fatalf("after %s the connection is out of step: PING = %q", tc.cmd, got)
		}
	}
	if !s.waitLog("boom from testmod.panic", "second reply refused") {
		t.Fatalf("log lacks the panic or the refused reply:\n%s", s.Log())
	}
}

// TestLoadmoduleFailsAtStartup: a --loadmodule that fails stops the server
// with a non-zero exit and the reason.
func TestLoadmoduleFailsAtStartup(t *testing.T) {
	cases := []struct{ module, want string }{
		{fixture("notes.txt"), "not an ELF"},
		{plugin("testmod") + " fail", "testmod refuses to load"},
	}
	for _, tc := range cases {
		cmd := exec.Command(filepath.Join(outDir, "server"), "--port", "0", "--loadmodule", tc.module)
		done := make(chan struct{})
		var out []byte
		var err error
		go func() { out, err = cmd.CombinedOutput(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("server with a failing --loadmodule %s kept running", tc.module)
		}
		if err == nil {
			t.Fatalf("server exited 0 with a failing --loadmodule %s", tc.module)
		}
		if !strings.Contains(string(out), tc.want) {
			t.Fatalf("startup failure output lacks %q:\n%s", tc.want, out)
		}
	}
}

// TestCheckModule: server check-module gives the preflight verdict as its
// exit status.
func TestCheckModule(t *testing.T) {
	server := filepath.Join(outDir, "server")
	if out, err := exec.Command(server, "check-module", plugin("example")).CombinedOutput(); err != nil {
		t.Fatalf("check-module example: %v\n%s", err, out)
	}
	out, err := exec.Command(server, "check-module", fixture("testmod-noopt.so")).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "-gcflags") {
		t.Fatalf("check-module of a -N -l build: %v\n%s", err, out)
	}
	out, err = exec.Command(server, "version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "sdk API version: 2") || !strings.Contains(string(out), "-trimpath=true") {
		t.Fatalf("server version: %v\n%s", err, out)
	}
}

// TestModuleOnUnloadRefuses: an OnUnload that returns an error (or
// panics) refuses MODULE UNLOAD with its text; the module stays loaded and
// working, and unloads once OnUnload succeeds.
func TestModuleOnUnloadRefuses(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("testmod"))
	c := s.Dial()
	list := c.Do("MODULE", "LIST")
	for _, tc := range []struct{ mode, want string }{
		{"fail", "-ERR Error unloading module: operation not possible (OnUnload failed: testmod is busy (asked to refuse))\r\n"},
		{"panic", "-ERR Error unloading module: operation not possible (OnUnload panicked: testmod OnUnload panics (asked to))\r\n"},
	} {
		if got := c.Do("testmod.unloadmode", tc.mode); got != "+OK\r\n" {
			t.Fatalf("testmod.unloadmode %s = %q", tc.mode, got)
		}
		if got := c.Do("MODULE", "UNLOAD", "testmod"); got != tc.want {
			t.Errorf("MODULE UNLOAD with OnUnload %s:\n got %q\nwant %q", tc.mode, got, tc.want)
		}
		if got := c.Do("MODULE", "LIST"); got != list {
			t.Errorf("MODULE LIST after a refused unload = %q, was %q", got, list)
		}
		if got := c.Do("testmod.reply", "int"); got != ":-42\r\n" {
			t.Errorf("testmod.reply after a refused unload = %q", got)
		}
	}
	if !s.waitLog("module unload refused", "testmod is busy", "module hook panicked", "testmod OnUnload panics", "stack=") {
		t.Errorf("the log lacks the refusals or the panic's stack:\n%s", s.Log())
	}
	c.Do("testmod.unloadmode", "ok")
	if got := c.Do("MODULE", "UNLOAD", "testmod"); got != "+OK\r\n" {
		t.Fatalf("MODULE UNLOAD with a succeeding OnUnload = %q", got)
	}
	if got := c.Do("testmod.reply", "int"); !strings.HasPrefix(got, "-ERR unknown command 'testmod.reply'") {
		t.Errorf("testmod.reply after the unload = %q", got)
	}
	if !s.waitLog("testmod OnUnload ran", "module unloaded") {
		t.Errorf("OnUnload did not run:\n%s", s.Log())
	}
}

// TestModuleCallReplyString: CallReply.CreateString
// (RedisModule_CreateStringFromCallReply) of each kind of reply, and
// String.Hold keeping a String past its handler (an argument's bytes live
// in the server's read buffer, which later commands reuse).
func TestModuleCallReplyString(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("testmod"))
	c := s.Dial()
	c.Do("SET", "k", "hello")
	pair := func(typ, str string) string {
		return "*2\r\n$" + itoa(len(typ)) + "\r\n" + typ + "\r\n$" + itoa(len(str)) + "\r\n" + str + "\r\n"
	}
	wrong := "WRONGTYPE Operation against a key holding the wrong kind of value"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"GET", "k"}, pair("string", "hello")},
		{[]string{"INCRBY", "n", "-42"}, pair("integer", "-42")}, // an integer's decimal form, as Redis
		{[]string{"HGET", "k", "f"}, pair("error", wrong)},
		{[]string{"GET", "nokey"}, pair("null", "")}, // C: NULL
		{[]string{"MGET", "k", "n"}, pair("array", "")},
	} {
		if got := c.Do(append([]string{"testmod.callstr"}, tc.args...)...); got != tc.want {
			t.Errorf("testmod.callstr %v:\n got %q\nwant %q", tc.args, got, tc.want)
		}
	}
	arg := strings.Repeat("held-argument-", 20)
	c.Do("testmod.hold", arg)
	for i := 0; i < 20; i++ { // other commands through the same connection's buffer
		c.Do("SET", "filler", strings.Repeat(string(rune('a'+i)), len(arg)))
	}
	want := "*6\r\n" + "$5\r\nhello\r\n" + "$3\r\n-42\r\n" + "$" + itoa(len(wrong)) + "\r\n" + wrong + "\r\n" +
		"$0\r\n\r\n" + "$0\r\n\r\n" + "$" + itoa(len(arg)) + "\r\n" + arg + "\r\n"
	if got := c.Do("testmod.hold"); got != want {
		t.Errorf("the held Strings:\n got %q\nwant %q", got, want)
	}
}
