package host

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"modis/sdk"
)

// The module data type API in-process: a module loaded with LoadModuleFunc
// registers "hosttestT", a list of strings; the integration tests in
// test/mod_type_test.go cover the same through a real plugin.

type htVal struct{ items []string }

// htStats counts the callbacks; test servers' collectors free values on
// their own goroutines, hence the mutex.
var htStats struct {
	sync.Mutex
	freed, unlinked int
	freedItems      []string // the first item of each value freed
}

func htMethods() *sdk.TypeMethods {
	return &sdk.TypeMethods{
		RDBLoad: func(io sdk.IO, encver int) (any, error) {
			n := io.LoadUnsigned()
			if io.IsIOError() {
				return nil, nil
			}
			v := &htVal{}
			for i := uint64(0); i < n; i++ {
				v.items = append(v.items, io.LoadString().String())
			}
			return v, nil
		},
		RDBSave: func(io sdk.IO, v any) {
			h := v.(*htVal)
			io.SaveUnsigned(uint64(len(h.items)))
			for _, it := range h.items {
				io.SaveStringBuffer([]byte(it))
			}
		},
		MemUsage: func(_ sdk.KeyOptCtx, v any, samples int) int { return 100 + samples },
		Digest: func(d sdk.Digest, v any) {
			for _, it := range v.(*htVal).items {
				d.AddStringBuffer([]byte(it))
			}
			d.EndSequence()
		},
		Free: func(v any) {
			htStats.Lock()
			defer htStats.Unlock()
			htStats.freed++
			if it := v.(*htVal).items; len(it) > 0 {
				htStats.freedItems = append(htStats.freedItems, it[0])
			}
		},
		Unlink: func(sdk.KeyOptCtx, any) {
			htStats.Lock()
			htStats.unlinked++
			htStats.Unlock()
		},
		Copy: func(k sdk.KeyOptCtx, v any) any {
			if k.Key.String() == "nocopy" {
				return nil
			}
			return &htVal{append([]string{k.ToKey.String() + "@" + fmt.Sprint(k.ToDB)}, v.(*htVal).items...)}
		},
	}
}

// htServer is a test server with module "ht" loaded: ht.set key items...,
// ht.get key, ht.repl key item (Replicate), ht.verb key (ReplicateVerbatim),
// ht.call key val / ht.callrep key val (SET through Call without / with
// "!"), ht.keyonly key (a value set without replicating).
func htServer(t *testing.T) (*Server, *Client, *sdk.ModuleType) {
	t.Helper()
	s, c := newTestServer(t)
	var ht sdk.ModuleType
	onLoad := func(ctx sdk.Ctx, args []sdk.String) error {
		if err := ctx.Init("ht", 1, sdk.APIVER_1); err != nil {
			return err
		}
		var err error
		if ht, err = ctx.CreateDataType("hosttestT", 2, htMethods()); err != nil {
			return err
		}
		set := func(ctx sdk.Ctx, argv []sdk.String) error {
			items := []string{}
			for _, a := range argv[2:] {
				items = append(items, a.String())
			}
			if err := ctx.OpenKey(argv[1], sdk.Write).ModuleTypeSetValue(ht, &htVal{items}); err != nil {
				return err
			}
			return ctx.ReplyWithSimpleString("OK")
		}
		cmds := map[string]sdk.CmdFunc{
			"ht.set": func(ctx sdk.Ctx, argv []sdk.String) error {
				ctx.ReplicateVerbatim()
				return set(ctx, argv)
			},
			"ht.keyonly": set,
			"ht.get": func(ctx sdk.Ctx, argv []sdk.String) error {
				v, err := sdk.ValueAs[*htVal](ctx.OpenKey(argv[1], sdk.Read), ht)
				if err != nil {
					return err
				}
				if v == nil {
					return ctx.ReplyWithNull()
				}
				return ctx.ReplyWithCString(strings.Join(v.items, ","))
			},
			"ht.repl": func(ctx sdk.Ctx, argv []sdk.String) error {
				if err := ctx.Replicate("HT.SET", "ss", argv[1], argv[2]); err != nil {
					return err
				}
				if err := ctx.Replicate("NOSUCHCMD", ""); err == nil {
					return fmt.Errorf("Replicate of an unknown command worked")
				}
				if err := ctx.Replicate("SET", "sq", argv[1], argv[2]); err == nil {
					return fmt.Errorf("Replicate with a bad format worked")
				}
				ctx.Replicate("SET", "Acc", "notinaof", "x") // "A": not to the AOF
				return set(ctx, argv)
			},
			"ht.call": func(ctx sdk.Ctx, argv []sdk.String) error {
				return ctx.ReplyWithCallReply(ctx.Call("SET", "ss", argv[1], argv[2]))
			},
			"ht.callrep": func(ctx sdk.Ctx, argv []sdk.String) error {
				return ctx.ReplyWithCallReply(ctx.Call("SET", "!ss", argv[1], argv[2]))
			},
		}
		for name, fn := range cmds {
			if err := ctx.CreateCommand(name, fn, "write", 1, 1, 1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := s.LoadModuleFunc("ht", onLoad, nil, nil); err != nil {
		t.Fatalf("load: %v", err)
	}
	return s, c, &ht
}

func TestModTypeKeyspace(t *testing.T) {
	s, c, _ := htServer(t)
	htStats.Lock()
	htStats.freed, htStats.unlinked, htStats.freedItems = 0, 0, nil
	htStats.Unlock()
	steps := []step{
		{"ht.get k", rNull},
		{"ht.set k a b", rOK},
		{"ht.get k", bulk("a,b")},
		{"type k", "+hosttestT\r\n"},
		{"object encoding k", bulk("raw")},
		{"memory usage k", ints(100 + 5 + int64(sdsAllocSize(1, 0)) + dictEntrySize)},
		{"memory usage k samples 0", ints(100 + int64(sdsAllocSize(1, 0)) + dictEntrySize)},
		{"set str x", rOK},
		{"ht.get str", rWrongType},
		{"copy k k2", rOne},
		{"ht.get k2", bulk("k2@0,a,b")},
		{"ht.set nocopy x", rOK},
		{"copy nocopy k9", "-ERR module key failed to copy\r\n"},
		{"rename k2 k3", rOK},
		{"ht.get k3", bulk("k2@0,a,b")},
		{"move k3 1", rOne},
		{"exists k3", rZero},
		{"ht.set k c", rOK}, // replaces: the old value is unlinked and freed
		{"ht.get k", bulk("c")},
		{"del k", rOne},
		{"ht.get k", rNull},
	}
	for i, st := range steps {
		if got := doLine(t, c, st.cmd); got != st.want {
			t.Errorf("step %d: %s\n got: %q\nwant: %q", i, st.cmd, got, st.want)
		}
	}
	htStats.Lock()
	freed, unlinked := slices.Clone(htStats.freedItems), htStats.unlinked
	htStats.Unlock()
	if !slices.Contains(freed, "a") || !slices.Contains(freed, "c") || unlinked != 2 {
		t.Errorf("freed %q, %d unlinked; want a (the replaced value) and c (DEL), 2 unlinked", freed, unlinked)
	}
	// DUMP and RESTORE, and DEBUG RELOAD, carry module values.
	doLine(t, c, "ht.set d x y z")
	dump := do(t, c, "dump", "d")
	payload := dump[strings.Index(dump, "\r\n")+2 : len(dump)-2]
	if got := do(t, c, "restore", "d2", "0", payload); got != rOK {
		t.Fatalf("RESTORE: %q", got)
	}
	if got := doLine(t, c, "ht.get d2"); got != bulk("x,y,z") {
		t.Errorf("after RESTORE: %q", got)
	}
	s.cfg.Dir = t.TempDir()
	if got := doLine(t, c, "debug reload"); got != rOK {
		t.Fatalf("DEBUG RELOAD: %q", got)
	}
	if got := doLine(t, c, "ht.get d"); got != bulk("x,y,z") {
		t.Errorf("after DEBUG RELOAD: %q", got)
	}
	if got := doLine(t, c, "flushall"); got != rOK {
		t.Fatal(got)
	}
	htStats.Lock()
	freed = slices.Clone(htStats.freedItems)
	htStats.Unlock()
	if !slices.Contains(freed, "x") || !slices.Contains(freed, "k2@0") {
		t.Errorf("FLUSHALL did not free the values: freed %q", freed)
	}
}

func TestModTypeUnloadRefused(t *testing.T) {
	_, c, _ := htServer(t)
	want := "-ERR Error unloading module: the module exports one or more module-side data types, can't unload\r\n"
	if got := doLine(t, c, "module unload ht"); got != want {
		t.Errorf("MODULE UNLOAD: %q", got)
	}
}

func TestModTypeCreateRules(t *testing.T) {
	s, _ := newTestServer(t)
	tests := []struct {
		name   string
		encver int
		m      *sdk.TypeMethods
		want   string // "" for success
	}{
		{"goodname1", 0, htMethods(), ""},
		{"short", 0, htMethods(), "exactly 9 characters"},
		{"toolongname", 0, htMethods(), "exactly 9 characters"},
		{"bad name!", 0, htMethods(), "is not in A-Z a-z 0-9 - _"},
		{"AAAAAAAAA", 1, htMethods(), "reserved"},
		{"goodname2", 1024, htMethods(), "out of range 0-1023"},
		{"goodname3", -1, htMethods(), "out of range 0-1023"},
		{"goodname4", 0, &sdk.TypeMethods{RDBSave: htMethods().RDBSave}, "RDBLoad and RDBSave are required"},
		{"goodname5", 0, &sdk.TypeMethods{RDBLoad: htMethods().RDBLoad, RDBSave: htMethods().RDBSave,
			AuxSave: func(sdk.IO, int) {}}, "AuxLoad and AuxSave go together"},
		{"goodname1", 0, htMethods(), `already registered by module "rules"`},
		{"GOODNAME1", 0, htMethods(), ""}, // names are case-sensitive, as in Redis 7.0
	}
	var errs []string
	onLoad := func(ctx sdk.Ctx, _ []sdk.String) error {
		if _, err := ctx.CreateDataType("beforeini", 0, htMethods()); err == nil {
			return fmt.Errorf("CreateDataType before Init worked")
		}
		ctx.Init("rules", 1, sdk.APIVER_1)
		for _, tt := range tests {
			_, err := ctx.CreateDataType(tt.name, tt.encver, tt.m)
			e := ""
			if err != nil {
				e = err.Error()
			}
			errs = append(errs, e)
		}
		return nil
	}
	if err := s.LoadModuleFunc("rules", onLoad, nil, nil); err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		if tt.want == "" && errs[i] != "" || tt.want != "" && !strings.Contains(errs[i], tt.want) {
			t.Errorf("CreateDataType(%q, %d): %q, want %q", tt.name, tt.encver, errs[i], tt.want)
		}
	}
	// Another module cannot take a registered name.
	s2, _ := newTestServer(t)
	err := s2.LoadModuleFunc("other", func(ctx sdk.Ctx, _ []sdk.String) error {
		ctx.Init("other", 1, sdk.APIVER_1)
		_, err := ctx.CreateDataType("goodname1", 0, htMethods())
		return err
	}, nil, nil)
	if err == nil || !strings.Contains(err.Error(), `already registered by module "rules"`) {
		t.Errorf("a second module took the name: %v", err)
	}
	// A module whose OnLoad fails leaves no type behind.
	err = s2.LoadModuleFunc("failing", func(ctx sdk.Ctx, _ []sdk.String) error {
		ctx.Init("failing", 1, sdk.APIVER_1)
		if _, err := ctx.CreateDataType("failtype1", 0, htMethods()); err != nil {
			return err
		}
		return fmt.Errorf("refusing to load")
	}, nil, nil)
	if err == nil {
		t.Fatal("the failing module loaded")
	}
	err = s2.LoadModuleFunc("taker", func(ctx sdk.Ctx, _ []sdk.String) error {
		ctx.Init("taker", 1, sdk.APIVER_1)
		_, err := ctx.CreateDataType("failtype1", 0, htMethods())
		return err
	}, nil, nil)
	if err != nil {
		t.Errorf("the type of a module whose OnLoad failed is still registered: %v", err)
	}
}

func TestModTypePropagation(t *testing.T) {
	s, c := aofTestServer(t, t.TempDir())
	var ht sdk.ModuleType
	err := s.LoadModuleFunc("ht2", func(ctx sdk.Ctx, _ []sdk.String) error {
		ctx.Init("ht2", 1, sdk.APIVER_1)
		var err error
		m := htMethods()
		m.Copy = nil
		if ht, err = ctx.CreateDataType("hosttest2", 0, m); err != nil {
			return err
		}
		write := func(ctx sdk.Ctx, argv []sdk.String) error {
			return ctx.OpenKey(argv[1], sdk.Write).ModuleTypeSetValue(ht, &htVal{[]string{argv[2].String()}})
		}
		cmds := map[string]sdk.CmdFunc{
			"h2.verb": func(ctx sdk.Ctx, argv []sdk.String) error {
				write(ctx, argv)
				ctx.ReplicateVerbatim()
				return ctx.ReplyWithSimpleString("OK")
			},
			"h2.silent": func(ctx sdk.Ctx, argv []sdk.String) error {
				write(ctx, argv)
				return ctx.ReplyWithSimpleString("OK")
			},
			"h2.two": func(ctx sdk.Ctx, argv []sdk.String) error {
				write(ctx, argv)
				ctx.Replicate("H2.VERB", "sc", argv[1], "one")
				ctx.Replicate("H2.VERB", "sc", argv[1], "two")
				ctx.Replicate("SET", "Acc", "x", "not in the AOF")
				return ctx.ReplyWithSimpleString("OK")
			},
			"h2.call": func(ctx sdk.Ctx, argv []sdk.String) error {
				return ctx.ReplyWithCallReply(ctx.Call("SET", "ss", argv[1], argv[2]))
			},
			"h2.callrep": func(ctx sdk.Ctx, argv []sdk.String) error {
				ctx.Call("SET", "!ss", argv[1], argv[2])
				return ctx.ReplyWithCallReply(ctx.Call("INCR", "!c", "counter"))
			},
		}
		for name, fn := range cmds {
			if err := ctx.CreateCommand(name, fn, "write", 1, 1, 1); err != nil {
				return err
			}
		}
		return nil
	}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"h2.verb a 1", "h2.silent b 2", "h2.two c 3", "h2.call d 4", "h2.callrep e 5"} {
		if got := doLine(t, c, line); !strings.HasPrefix(got, "+OK") && !strings.HasPrefix(got, ":") {
			t.Fatalf("%s: %q", line, got)
		}
	}
	if got := doLine(t, c, "copy a a2"); got != "-ERR not supported for this module key\r\n" {
		t.Errorf("COPY of a type without Copy: %q", got)
	}
	got := strings.Join(aofFlush(t, s), "\n")
	want := strings.Join([]string{
		"SELECT 0",
		"h2.verb a 1",
		"MULTI", "H2.VERB c one", "H2.VERB c two", "EXEC",
		"MULTI", "SET e 5", "INCR counter", "EXEC",
	}, "\n")
	if got != want {
		t.Errorf("AOF:\n%s\nwant:\n%s", got, want)
	}
}

func TestModTypeDigest(t *testing.T) {
	// Reference digests from Redis 7.0.15 for the same dataset.
	_, c := newTestServer(t)
	for _, line := range []string{
		"set s hello", "set n 12345", "rpush l a b 1 2", "sadd set x y 3", "sadd iset 1 2 3",
		"zadd z 1.5 a 2 b 1e20 c 0.1 d", "hset h f1 v1 f2 v2", "set e v px 100000",
	} {
		doLine(t, c, line)
	}
	want := arr("+36b23a1456b2dce2c3ed252c456761301dba8060\r\n", "+e1cf90774e995ae03de66e8109dc5cb9d9c2dc83\r\n",
		"+6b15aa298e0e4d1f6244448df32b23e74a4147ce\r\n", "+415a07507e2348d139f9fd645a024f6be569dd65\r\n",
		"+2a462a3f51a1db89738ebbeef0c47ce1bbc85246\r\n", "+bb0e7b4adbc2cce75f767590b4c7e138ec5ee2db\r\n",
		"+047cc60ea73a34cde6d08a2721a4a26d19ee6570\r\n", "+311b17018163335616e089f6b951c82c477335ac\r\n",
		"+0000000000000000000000000000000000000000\r\n")
	if got := doLine(t, c, "debug digest-value s n l set iset z h e nokey"); got != want {
		t.Errorf("DIGEST-VALUE:\n got %q\nwant %q", got, want)
	}
	if got := doLine(t, c, "debug digest"); got != "+9769ed7f687643fc71c41c5d590a0129b2e3358a\r\n" {
		t.Errorf("DIGEST: %q", got)
	}
	doLine(t, c, "select 1")
	doLine(t, c, "set other 1")
	if got := doLine(t, c, "debug digest"); got != "+5bdfef1576311454caa9ee7fcb042b04c34d4081\r\n" {
		t.Errorf("DIGEST with db 1: %q", got)
	}
	doLine(t, c, "flushall")
	if got := doLine(t, c, "debug digest"); got != "+0000000000000000000000000000000000000000\r\n" {
		t.Errorf("DIGEST of nothing: %q", got)
	}
	if got := doLine(t, c, "debug digest-value"); got != rEmpty {
		t.Errorf("DIGEST-VALUE without keys: %q", got)
	}
}

func TestModTypeLongDouble(t *testing.T) {
	// What glibc's printf("%La") prints for these values as long doubles.
	for _, tt := range []struct {
		v    float64
		want string
	}{
		{1, "0x8p-3"}, {1.5, "0xcp-3"}, {0.1, "0xc.cccccccccccdp-7"}, {-2.75, "-0xbp-2"},
		{0, "0x0p+0"}, {math.Copysign(0, -1), "-0x0p+0"}, {3, "0xcp-2"}, {5e-324, "0x8p-1077"},
		{math.Inf(1), "inf"}, {math.Inf(-1), "-inf"},
	} {
		if got := formatLongDoubleHex(tt.v); got != tt.want {
			t.Errorf("formatLongDoubleHex(%v) = %q, want %q", tt.v, got, tt.want)
		}
		if back, ok := parseSavedLongDouble(tt.want); !ok || back != tt.v {
			t.Errorf("parseSavedLongDouble(%q) = %v, %v", tt.want, back, ok)
		}
	}
	// What C modules write for values a float64 cannot hold exactly.
	if f, ok := parseSavedLongDouble("0xc.ccccccccccccccdp-7"); !ok || f != 0.1 {
		t.Errorf("a long double 0.1: %v %v", f, ok)
	}
}

func TestModTypeFreeByCollector(t *testing.T) {
	_, c, _ := htServer(t)
	doLine(t, c, "ht.set g gcvalue")
	doLine(t, c, "set g overwritten") // no hook runs: the collector finds the value
	for i := 0; i < 200; i++ {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
		htStats.Lock()
		found := slices.Contains(htStats.freedItems, "gcvalue")
		htStats.Unlock()
		if found {
			return
		}
	}
	t.Fatalf("Free was not called for a value overwritten by SET")
}

// TestModTypeBgsaveSnapshot: BGSAVE writes module values as they were when
// it started, though writes between its chunks replace, delete and change
// them (each copied aside through RDBSave first).
func TestModTypeBgsaveSnapshot(t *testing.T) {
	s, c, _ := htServer(t)
	dir := t.TempDir()
	s.cfg.Dir = dir
	const n = 3000
	for i := 0; i < n; i++ {
		do(t, c, "ht.set", fmt.Sprint("k", i), "before", fmt.Sprint(i))
	}
	w := newClient(s, nil, 2)
	step := 0
	s.bg.hook = func() {
		step++
		for j := 0; j < 40; j++ {
			k := fmt.Sprint("k", (step*41+j*677)%n)
			switch j % 4 {
			case 0:
				do(t, w, "ht.set", k, "after")
			case 1:
				do(t, w, "del", k)
			case 2:
				do(t, w, "rename", k, fmt.Sprint("renamed", step, j))
			case 3:
				do(t, w, "set", k, "a string now")
			}
		}
	}
	if got := do(t, c, "bgsave"); got != "+Background saving started\r\n" {
		t.Fatalf("BGSAVE: %q", got)
	}
	s.mu.Lock()
	b := s.bg.running
	s.mu.Unlock()
	<-b.done
	if step < 5 {
		t.Fatalf("the hook ran %d times: the save was not interleaved", step)
	}
	if got := do(t, c, "info", "persistence"); !strings.Contains(got, "rdb_last_bgsave_status:ok") {
		t.Fatalf("BGSAVE failed:\n%s", got)
	}
	s2, c2, _ := htServer(t)
	s2.cfg.Dir = dir
	s2.mu.Lock()
	err := s2.loadRDB()
	s2.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if got := do(t, c2, "dbsize"); got != ints(n) {
		t.Errorf("DBSIZE after loading: %q", got)
	}
	for i := 0; i < n; i++ {
		if got := do(t, c2, "ht.get", fmt.Sprint("k", i)); got != bulk(fmt.Sprint("before,", i)) {
			t.Fatalf("k%d: %q", i, got)
		}
	}
}
