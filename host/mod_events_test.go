package host

import (
	"fmt"
	"strings"
	"testing"

	"modis/sdk"
)

// Unit tests of the events family through in-process modules
// (LoadModuleFunc). The plugin path is tested in test/mod_events_test.go.

func loadEventModule(t *testing.T, s *Server, name string, onLoad func(ctx sdk.Ctx) error) {
	t.Helper()
	err := s.LoadModuleFunc(name, func(ctx sdk.Ctx, _ []sdk.String) error {
		if err := ctx.Init(name, 1, sdk.APIVER_1); err != nil {
			return err
		}
		return onLoad(ctx)
	}, nil, nil)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
}

func TestModEventsUnitKeyspace(t *testing.T) {
	s, c := newTestServer(t)
	var log []string
	loadEventModule(t, s, "ksmod", func(ctx sdk.Ctx) error {
		return ctx.SubscribeToKeyspaceEvents(sdk.NotifyString|sdk.NotifyGeneric, func(ctx sdk.Ctx, typ int, event string, key sdk.String) {
			log = append(log, event+":"+key.String())
			if event == "set" && key.String() == "a" {
				ctx.AddPostNotificationJob(func(ctx sdk.Ctx) {
					log = append(log, "job")
					ctx.Call("SET", "cc", "b", "from-job")
				})
			}
		})
	})
	do(t, c, "SET", "a", "1")
	do(t, c, "LPUSH", "l", "x") // list class: not subscribed
	do(t, c, "DEL", "l")
	want := "set:a job set:b del:l"
	if got := strings.Join(log, " "); got != want {
		t.Fatalf("events %q, want %q", got, want)
	}
	if got := do(t, c, "GET", "b"); got != "$8\r\nfrom-job\r\n" {
		t.Fatalf("GET b = %q", got)
	}
	// Unloading removes the subscription.
	s.mu.Lock()
	err := s.modules.unload("ksmod")
	s.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	log = nil
	do(t, c, "SET", "a", "2")
	if len(log) != 0 || s.mev.ksMask != 0 {
		t.Fatalf("events after unload: %q, mask %d", log, s.mev.ksMask)
	}
}

func TestModEventsUnitFilterCtx(t *testing.T) {
	orig := [][]byte{[]byte("set"), []byte("k"), []byte("v")}
	f := &filterCtx{args: orig}
	if err := f.CommandFilterArgInsert(4, sdk.CreateString("x")); err == nil {
		t.Fatal("insert past the end accepted")
	}
	if err := f.CommandFilterArgInsert(3, sdk.CreateString("EX")); err != nil {
		t.Fatal(err)
	}
	if err := f.CommandFilterArgInsert(4, sdk.CreateString("10")); err != nil {
		t.Fatal(err)
	}
	if err := f.CommandFilterArgReplace(0, sdk.CreateString("SET")); err != nil {
		t.Fatal(err)
	}
	if err := f.CommandFilterArgDelete(5); err == nil {
		t.Fatal("delete past the end accepted")
	}
	if got := string(joinArgs(f.args)); got != "SET k v EX 10" {
		t.Fatalf("args %q", got)
	}
	if string(orig[0]) != "set" || len(orig) != 3 {
		t.Fatalf("the caller's slice changed: %q", orig)
	}
	for f.CommandFilterArgsCount() > 1 {
		if err := f.CommandFilterArgDelete(0); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.CommandFilterArgDelete(0); err == nil {
		t.Fatal("the last argument was deleted")
	}
	f.dead = true
	if f.CommandFilterArgsCount() != 0 || f.CommandFilterArgReplace(0, sdk.CreateString("x")) == nil {
		t.Fatal("a dead filter context still works")
	}
}

func joinArgs(args [][]byte) []byte {
	var b []byte
	for i, a := range args {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, a...)
	}
	return b
}

func TestModEventsUnitInfo(t *testing.T) {
	s, c := newTestServer(t)
	loadEventModule(t, s, "im", func(ctx sdk.Ctx) error {
		return ctx.RegisterInfoFunc(func(ic sdk.InfoCtx, _ bool) {
			if err := ic.InfoAddFieldLongLong("early", 1); err == nil {
				panic("a field before any section was accepted")
			}
			if ic.InfoAddSection("") == nil {
				ic.InfoAddFieldDouble("d", 1.0/3)
				ic.InfoBeginDictField("x:y")
				ic.InfoAddFieldULongLong("u", 7)
				ic.InfoBeginDictField("z") // ends x:y
				ic.InfoEndDictField()
			}
		})
	})
	got := do(t, c, "INFO", "im")
	want := "# im\r\nim_d:0.33333333333333331\r\nim_x_y:u=7\r\nim_z:\r\n"
	if !strings.Contains(got, want) || strings.Contains(got, "# Server") {
		t.Fatalf("INFO im = %q, want %q", got, want)
	}
}

func TestModEventsUnitUserRules(t *testing.T) {
	s, _ := newTestServer(t)
	u := &modUser{name: "u"}
	for _, op := range []string{"on", "+@read", "-get", "%R~r:*", "~rw:*", "&news"} {
		if err := u.apply(s, op); err != nil {
			t.Fatalf("%s: %v", op, err)
		}
	}
	get, set, mget := s.table.Get("get"), s.table.Get("set"), s.table.Get("mget")
	if u.commandAllowed(get) || u.commandAllowed(set) || !u.commandAllowed(mget) {
		t.Fatalf("get %v set %v mget %v", u.commandAllowed(get), u.commandAllowed(set), u.commandAllowed(mget))
	}
	if err := u.checkCommand(mget, [][]byte{[]byte("mget"), []byte("r:1"), []byte("rw:2")}); err != nil {
		t.Fatalf("mget r:1 rw:2: %v", err)
	}
	if err := u.checkCommand(mget, [][]byte{[]byte("mget"), []byte("x")}); err != errNoPermKey {
		t.Fatalf("mget x: %v", err)
	}
	if !u.keyAllowed([]byte("r:1"), sdk.KeyPermRead) || u.keyAllowed([]byte("r:1"), sdk.KeyPermWrite) {
		t.Fatal("%R~ must allow reads only")
	}
	if got, want := u.describe(), "on %R~r:* ~rw:* resetchannels &news -@all +@read -get"; got != want {
		t.Fatalf("describe = %q, want %q", got, want)
	}
	if err := u.apply(s, "+config|nosuch"); err == nil {
		t.Fatal("an unknown subcommand was accepted")
	}
	if err := u.apply(s, "+config|get"); err != nil {
		t.Fatal(err)
	}
	if !u.commandAllowed(s.table.Get("config").Subs["get"]) || u.commandAllowed(s.table.Get("config").Subs["set"]) {
		t.Fatal("+config|get must allow CONFIG GET only")
	}
}

// keyEventModule loads a module that records each Key event as
// "<sub>:<key>=<value or length>" read through the event's Key, before the
// removal.
func keyEventModule(t *testing.T, s *Server, log *[]string, extra func(ctx sdk.Ctx, sub int, d sdk.KeyInfo)) {
	t.Helper()
	names := []string{"deleted", "expired", "evicted", "overwritten"}
	loadEventModule(t, s, "keyev", func(ctx sdk.Ctx) error {
		return ctx.SubscribeToServerEvent(sdk.EventKey, func(ctx sdk.Ctx, sub int, data any) {
			d := data.(sdk.KeyInfo)
			v := fmt.Sprint(d.Key.ValueLength())
			if b, err := d.Key.StringDMA(sdk.Read); err == nil {
				v = string(b)
			}
			*log = append(*log, fmt.Sprintf("%s:%s=%s", names[sub], d.Name.String(), v))
			if extra != nil {
				extra(ctx, sub, d)
			}
		})
	})
}

// TestModEventsUnitKeyEvent: the Key event fires before the removal, with
// the value readable, with Redis 7.2's sub-event for each way a key goes.
func TestModEventsUnitKeyEvent(t *testing.T) {
	s, c := newTestServer(t)
	if s.dbs[0].OnUnlink != nil {
		t.Fatal("the keyspace hook is set with no subscriber")
	}
	var log []string
	keyEventModule(t, s, &log, nil)
	steps := []struct {
		cmds [][]string
		want string
	}{
		{[][]string{{"SET", "s", "abcd"}, {"SET", "s", "abcde"}}, "overwritten:s=abcd"},
		{[][]string{{"DEL", "s"}}, "deleted:s=abcde"},
		{[][]string{{"SET", "i", "1"}, {"INCR", "i"}, {"APPEND", "i", "0"}, {"SETRANGE", "i", "0", "3"}}, ""},
		{[][]string{{"DEL", "i"}}, "deleted:i=30"},
		{[][]string{{"HSET", "h", "f", "v"}, {"HDEL", "h", "f"}}, "deleted:h=0"},
		{[][]string{{"RPUSH", "l", "a", "b"}, {"LPOP", "l", "2"}}, "deleted:l=0"},
		{[][]string{{"SADD", "a", "1", "2"}, {"SADD", "b", "3"}, {"SUNIONSTORE", "b", "a"}}, "overwritten:b=1"},
		{[][]string{{"RPUSH", "srt", "2", "1"}, {"SORT", "srt", "STORE", "b"}}, "overwritten:b=2"},
		{[][]string{{"SET", "x", "xv"}, {"SET", "y", "yv"}, {"RENAME", "x", "y"}}, "deleted:x=xv deleted:y=yv"},
		{[][]string{{"SET", "z", "zv"}, {"COPY", "y", "z", "REPLACE"}}, "deleted:z=zv"},
		{[][]string{{"MOVE", "y", "1"}}, "deleted:y=xv"},
		{[][]string{{"FLUSHALL"}}, ""},
	}
	for _, st := range steps {
		log = nil
		for _, cmd := range st.cmds {
			do(t, c, cmd...)
		}
		if got := strings.Join(log, " "); got != st.want {
			t.Errorf("%v: Key events %q, want %q", st.cmds, got, st.want)
		}
	}

	// RESTORE REPLACE deletes the old value first, as Redis.
	do(t, c, "SET", "r", "old")
	dump := do(t, c, "DUMP", "r")
	payload := dump[strings.Index(dump, "\r\n")+2 : len(dump)-2]
	log = nil
	if got := do(t, c, "RESTORE", "r", "0", payload, "REPLACE"); got != "+OK\r\n" {
		t.Fatalf("RESTORE = %q", got)
	}
	if got := strings.Join(log, " "); got != "deleted:r=old" {
		t.Errorf("RESTORE REPLACE: Key events %q", got)
	}

	// Expired, lazily and actively: the value still reads.
	log = nil
	do(t, c, "SET", "e1", "gone", "PX", "10")
	do(t, c, "SET", "e2", "gone2", "PX", "10")
	advance(s, 20)
	do(t, c, "GET", "e1")
	s.mu.Lock()
	s.dbs[0].ActiveExpire(clockOf(s), 10)
	s.mu.Unlock()
	if got := strings.Join(log, " "); got != "expired:e1=gone expired:e2=gone2" {
		t.Errorf("expiry: Key events %q", got)
	}
	if got := do(t, c, "EXISTS", "e1", "e2"); got != ":0\r\n" {
		t.Fatalf("the expired keys are still there: %q", got)
	}

	// Unloading the last subscriber removes the keyspace hook.
	s.mu.Lock()
	err := s.modules.unload("keyev")
	s.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if s.dbs[0].OnUnlink != nil {
		t.Fatal("the keyspace hook is still set after unload")
	}
}

// TestModEventsUnitKeyEventEvicted: eviction's sub-event, and a callback
// that breaks the rules (it deletes the key, writes another) neither
// recurses nor corrupts the keyspace.
func TestModEventsUnitKeyEventEvicted(t *testing.T) {
	s, c := evictServer(t, "allkeys-random", 3)
	var log []string
	keyEventModule(t, s, &log, func(ctx sdk.Ctx, sub int, d sdk.KeyInfo) {
		if d.Name.String() == "rude" {
			ctx.Call("DEL", "s", d.Name)
			ctx.Call("SET", "cc", "other", "x")
			ctx.Call("SET", "cc", "rude", "again")
		}
	})
	for i := 0; i < 6; i++ {
		fillKey(t, c, fmt.Sprintf("key:%03d", i))
	}
	n := 0
	for _, l := range log {
		if strings.HasPrefix(l, "evicted:key:") && strings.HasSuffix(l, "="+strings.Repeat("v", 100)) {
			n++
		}
	}
	if n == 0 {
		t.Fatalf("no evicted Key event with the value: %q", log)
	}
	do(t, c, "CONFIG", "SET", "maxmemory", "0")

	log = nil
	do(t, c, "SET", "rude", "1")
	if got := do(t, c, "DEL", "rude"); got != ":1\r\n" {
		t.Fatalf("DEL rude = %q", got)
	}
	if got := strings.Join(log, " "); got != "deleted:rude=1" {
		t.Fatalf("Key events %q (the callback's own DEL must not come back to it)", got)
	}
	// The callback re-created the key; the keyspace stayed consistent.
	if got := do(t, c, "GET", "rude"); got != "$5\r\nagain\r\n" {
		t.Fatalf("GET rude = %q", got)
	}
	if got := do(t, c, "GET", "other"); got != "$1\r\nx\r\n" {
		t.Fatalf("GET other = %q", got)
	}
	keys := do(t, c, "DBSIZE")
	scan := do(t, c, "KEYS", "*")
	if !strings.HasPrefix(scan, "*"+strings.TrimPrefix(strings.TrimSpace(keys), ":")+"\r\n") {
		t.Fatalf("DBSIZE %q disagrees with KEYS %q", keys, scan)
	}
}
