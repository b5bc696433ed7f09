package host

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"modis/host/internal/cmdmeta"
	"modis/sdk"
)

// Unit tests of the lifecycle / command info / config family with
// in-process modules (LoadModuleFunc). The plugin path is tested in
// test/mod_config_test.go.

func loadCfgModule(t *testing.T, s *Server, name string, onLoad func(ctx sdk.Ctx) error) error {
	t.Helper()
	return s.LoadModuleFunc(name, func(ctx sdk.Ctx, _ []sdk.String) error {
		if err := ctx.Init(name, 1, sdk.APIVER_1); err != nil {
			return err
		}
		return onLoad(ctx)
	}, nil, nil)
}

// TestModCfgLegacyRange: first/last/step and movablekeys from key
// specifications, as Redis's populateCommandLegacyRangeSpec.
func TestModCfgLegacyRange(t *testing.T) {
	rng := func(index, last, step int) cmdmeta.KeySpec {
		return cmdmeta.KeySpec{Flags: cmdmeta.KeyRW, BeginSearch: cmdmeta.SearchIndex, Index: index, FindKeys: cmdmeta.FindRange, LastKey: last, KeyStep: step}
	}
	kw := cmdmeta.KeySpec{Flags: cmdmeta.KeyRO, BeginSearch: cmdmeta.SearchKeyword, Keyword: "K", FindKeys: cmdmeta.FindRange, KeyStep: 1}
	incomplete := rng(1, 0, 1)
	incomplete.Flags |= cmdmeta.KeyIncomplete
	for _, tc := range []struct {
		name             string
		specs            []cmdmeta.KeySpec
		getkeys          bool
		first, last, stp int
		movable          bool
	}{
		{"none", nil, false, 0, 0, 0, false},
		{"getkeys-api", nil, true, 0, 0, 0, true},
		{"one range", []cmdmeta.KeySpec{rng(1, -1, 2)}, false, 1, -1, 2, false},
		{"relative last", []cmdmeta.KeySpec{rng(2, 1, 1)}, false, 2, 3, 1, false},
		{"incomplete", []cmdmeta.KeySpec{incomplete}, false, 1, 1, 1, true},
		{"consecutive ranges glue", []cmdmeta.KeySpec{rng(1, 0, 1), rng(2, 0, 1)}, false, 1, 2, 1, false},
		{"gap: movable", []cmdmeta.KeySpec{rng(1, 0, 1), rng(3, 0, 1)}, false, 1, 1, 1, true},
		{"-1 wins (unsigned)", []cmdmeta.KeySpec{rng(1, 0, 1), rng(2, -1, 1)}, false, 1, -1, 1, false},
		{"keyword only", []cmdmeta.KeySpec{kw}, false, 0, 0, 0, true},
		{"range and keyword", []cmdmeta.KeySpec{rng(1, 0, 1), kw}, false, 1, 1, 1, true},
	} {
		cmd := &Command{Name: "x", Flags: FlagModule}
		mc := &moduleCmd{keySpecs: tc.specs, getKeysAPI: tc.getkeys}
		cmd.mod = mc
		mc.populateLegacyRange(cmd)
		if cmd.FirstKey != tc.first || cmd.LastKey != tc.last || cmd.Step != tc.stp || (cmd.Flags&FlagMovableKeys != 0) != tc.movable {
			t.Errorf("%s: first/last/step %d/%d/%d movable %v, want %d/%d/%d %v", tc.name, cmd.FirstKey, cmd.LastKey, cmd.Step,
				cmd.Flags&FlagMovableKeys != 0, tc.first, tc.last, tc.stp, tc.movable)
		}
	}
}

// TestModCfgHelpers: enum names (bit flags), memory formatting for
// CONFIG REWRITE, LOADEX parsing, the server version, module options.
func TestModCfgHelpers(t *testing.T) {
	mc := &moduleConfig{names: []string{"none", "one", "two", "three", "all"}, vals: []int{0, 1, 2, 4, 7}, flags: sdk.ConfigBitFlags}
	for v, want := range map[int]string{0: "none", 1: "one", 3: "one two", 7: "all", 6: "two three", 8: "unknown", 9: "unknown"} {
		if got := mc.enumName(v); got != want {
			t.Errorf("enumName(%d) = %q, want %q", v, got, want)
		}
	}
	plain := &moduleConfig{names: []string{"a", "b"}, vals: []int{1, 2}}
	if got := plain.enumName(3); got != "unknown" {
		t.Errorf("a plain enum's combined value = %q, want unknown", got)
	}
	for n, want := range map[int64]string{0: "0", 1023: "1023", 1024: "1kb", 3 << 20: "3mb", 5 << 30: "5gb", 1536: "1536", (1 << 20) + 1024: "1025kb"} {
		if got := formatMemory(n); got != want {
			t.Errorf("formatMemory(%d) = %q, want %q", n, got, want)
		}
	}
	b := func(ss ...string) [][]byte {
		out := make([][]byte, len(ss))
		for i, s := range ss {
			out[i] = []byte(s)
		}
		return out
	}
	q, args, err := parseLoadexArgs(b("CONFIG", "m.a", "1", "config", "M.A", "2", "CONFIG", "m.b", "x y", "ARGS", "CONFIG", "z"))
	if err != nil || !reflect.DeepEqual(q, []queuedConfig{{"m.a", "2"}, {"m.b", "x y"}}) || !reflect.DeepEqual(args, []string{"CONFIG", "z"}) {
		t.Errorf("parseLoadexArgs = %v %v %v", q, args, err)
	}
	if _, args, err := parseLoadexArgs(nil); err != nil || args == nil || len(args) != 0 {
		t.Errorf("no arguments: %v %v", args, err)
	}
	for _, bad := range [][][]byte{b("CONFIG", "m.a"), b("x"), b("CONFIG", "m.a", "1", "ARG")} {
		if _, _, err := parseLoadexArgs(bad); err == nil {
			t.Errorf("parseLoadexArgs(%q) accepted", bad)
		}
	}
	if serverVersionNum != 0x0007000f {
		t.Errorf("GetServerVersion = %#x, want 0x0007000f for %s", serverVersionNum, RedisVersion)
	}
	m := &Module{}
	x := &modCtx{mod: m}
	if got := m.infoOptions(); got != "[]" {
		t.Errorf("no options: %q", got)
	}
	x.SetModuleOptions(sdk.ModuleOptionHandleIOErrors | sdk.ModuleOptionNoImplicitSignalModified | sdk.ModuleOptionHandleReplAsyncLoad)
	if got := m.infoOptions(); got != "[handle-io-errors|handle-repl-async-load|no-implicit-signal-modified]" || !m.noImplicitSignal {
		t.Errorf("options %q, noImplicitSignal %v", got, m.noImplicitSignal)
	}
	x.SetModuleOptions(sdk.ModuleOptionHandleIOErrors)
	if got := m.infoOptions(); got != "[handle-io-errors]" || m.noImplicitSignal {
		t.Errorf("options replaced: %q, noImplicitSignal %v", got, m.noImplicitSignal)
	}
}

// TestModCfgConfigFile: "<module>.<name> value" lines wait in the config
// for their module; without any module to load, New refuses them.
func TestModCfgConfigFile(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "m.conf")
	os.WriteFile(conf, []byte("port 7000\nMod.A 1\nmod.b two words\nmod.a 3\n"), 0o644)
	cfg := DefaultConfig()
	if err := cfg.LoadFile(conf); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Set("mod.c", []string{"x"}); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Set("mod.d", nil); err == nil || err.Error() != "Module config specified without value" {
		t.Errorf("a module config without a value: %v", err)
	}
	if got := cfg.ModuleConfigArgs(); !reflect.DeepEqual(got, [][2]string{{"mod.a", "3"}, {"mod.b", "two words"}, {"mod.c", "x"}}) {
		t.Errorf("queued %q", got)
	}
	os.WriteFile(conf, []byte("mod.x\n"), 0o644)
	bare := DefaultConfig()
	if err := bare.LoadFile(conf); err == nil || !strings.Contains(err.Error(), "Module config specified without value") {
		t.Errorf("a bare module config line: %v", err)
	}
	if _, err := New(cfg, nil); err == nil || !strings.Contains(err.Error(), "Module Configuration detected without loadmodule directive") {
		t.Errorf("New with module configs and no module: %v", err)
	}
}

// TestModCfgInProcess: a module's configs through CONFIG GET/SET/REWRITE,
// deny-loading, the LOADING context flag, apply deduplication, and keys
// reported through the getkeys-api, in-process.
func TestModCfgInProcess(t *testing.T) {
	s, c := newTestServer(t)
	var num int64
	var str sdk.String
	var applies []string
	apply := func(ctx sdk.Ctx) error {
		applies = append(applies, "shared")
		if num == 13 {
			return errors.New("")
		}
		return nil
	}
	err := loadCfgModule(t, s, "m", func(ctx sdk.Ctx) error {
		for _, err := range []error{
			ctx.RegisterNumericConfig("num", 7, sdk.ConfigDenyLoading, -5, 20,
				func(string) int64 { return num }, func(_ string, v int64) error { num = v; return nil }, apply),
			ctx.RegisterStringConfig("str", "d", sdk.ConfigDefault,
				func(string) sdk.String { return str }, func(_ string, v sdk.String) error { str = v; return nil }, apply),
			ctx.LoadConfigs(),
			ctx.CreateCommand("m.flags", func(ctx sdk.Ctx, _ []sdk.String) error {
				return ctx.ReplyWithLongLong(int64(ctx.GetContextFlags()))
			}, "readonly allow-loading", 0, 0, 0),
			ctx.CreateCommand("m.keys", func(ctx sdk.Ctx, argv []sdk.String) error {
				if ctx.IsKeysPositionRequest() {
					ctx.KeyAtPosWithFlags(len(argv)-1, sdk.CmdKeyOW|sdk.CmdKeyUpdate)
					ctx.KeyAtPos(1)
					return nil
				}
				return ctx.ReplyWithSimpleString("OK")
			}, "write getkeys-api", 0, 0, 0),
		} {
			if err != nil {
				return err
			}
		}
		if err := ctx.RegisterBoolConfig("late", true, sdk.ConfigDefault, func(string) bool { return true }, func(string, bool) error { return nil }, nil); err == nil {
			return errors.New("registering after LoadConfigs was accepted")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := do(t, c, "CONFIG", "GET", "m.num"); got != "*2\r\n$5\r\nm.num\r\n$1\r\n7\r\n" {
		t.Errorf("CONFIG GET m.num = %q", got)
	}
	if got := do(t, c, "CONFIG", "SET", "m.num", "-3", "m.str", "x"); got != "+OK\r\n" || num != -3 || str.String() != "x" {
		t.Errorf("CONFIG SET = %q, num %d, str %q", got, num, str)
	}
	if len(applies) != 1 {
		t.Errorf("one apply function for two configs ran %d times", len(applies))
	}
	// An apply error without a text: Redis's shorter message.
	if got := do(t, c, "CONFIG", "SET", "m.num", "13"); got != "-ERR CONFIG SET failed (possibly related to argument 'num')\r\n" || num != -3 {
		t.Errorf("apply failure = %q, num %d", got, num)
	}
	// Deny-loading while loading, and the LOADING context flag.
	s.mu.Lock()
	s.load.active = true
	s.mu.Unlock()
	if got := do(t, c, "CONFIG", "SET", "m.num", "1"); !strings.HasPrefix(got, "-LOADING") {
		t.Errorf("CONFIG SET of a deny-loading config while loading = %q", got)
	}
	if got := do(t, c, "CONFIG", "SET", "m.str", "y"); got != "+OK\r\n" {
		t.Errorf("CONFIG SET of another config while loading = %q", got)
	}
	flags := do(t, c, "m.flags")
	s.mu.Lock()
	s.load.active = false
	s.mu.Unlock()
	// The harness client has no connection, as Redis's AOF client: it may
	// not block.
	want := int64(sdk.CtxFlagsMaster | sdk.CtxFlagsLoading | sdk.CtxFlagsServerStartup | sdk.CtxFlagsDenyBlocking)
	if flags != ":"+strconv.FormatInt(want, 10)+"\r\n" {
		t.Errorf("flags while loading (not listening) = %q, want %d", flags, want)
	}
	// The getkeys-api: positions and flags; a position past the line is dropped.
	if got := do(t, c, "COMMAND", "GETKEYSANDFLAGS", "m.keys", "a", "b"); got != "*2\r\n*2\r\n$1\r\nb\r\n*2\r\n+OW\r\n+update\r\n*2\r\n$1\r\na\r\n*3\r\n+RW\r\n+access\r\n+update\r\n" {
		t.Errorf("GETKEYSANDFLAGS m.keys = %q", got)
	}
	// CONFIG REWRITE: a module config away from its default is written.
	conf := filepath.Join(t.TempDir(), "r.conf")
	os.WriteFile(conf, []byte("m.str old\n"), 0o644)
	s.mu.Lock()
	s.cfg.ConfigFile = conf
	s.mu.Unlock()
	if got := do(t, c, "CONFIG", "REWRITE"); got != "+OK\r\n" {
		t.Fatalf("CONFIG REWRITE = %q", got)
	}
	text, _ := os.ReadFile(conf)
	if string(text) != "m.str y\n# Generated by CONFIG REWRITE\nm.num -3\n" {
		t.Errorf("rewritten file %q", text)
	}
}

// TestModCfgUsedMemoryRatio: 0 without maxmemory, used/maxmemory with it.
func TestModCfgUsedMemoryRatio(t *testing.T) {
	s, c := newTestServer(t)
	if err := loadCfgModule(t, s, "memratio", func(ctx sdk.Ctx) error {
		return ctx.CreateCommand("memratio", func(ctx sdk.Ctx, _ []sdk.String) error {
			return ctx.ReplyWithDouble(ctx.GetUsedMemoryRatio())
		}, "readonly", 0, 0, 0)
	}); err != nil {
		t.Fatal(err)
	}
	if got := do(t, c, "memratio"); got != "$1\r\n0\r\n" {
		t.Fatalf("without maxmemory: %q", got)
	}
	used := s.usedMemory(true)
	do(t, c, "config", "set", "maxmemory", strconv.FormatInt(used*4, 10))
	got := do(t, c, "memratio")
	f, err := strconv.ParseFloat(strings.TrimSpace(got[strings.Index(got, "\n")+1:]), 64)
	if err != nil || f < 0.1 || f > 0.5 {
		t.Fatalf("with maxmemory 4x the used memory: %q (want about 0.25)", got)
	}
}
