package host

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"modis/host/internal/cmdmeta"
	"modis/host/internal/resp"
	"modis/sdk"
)

// COMMAND INFO and COMMAND DOCS of every built-in Redis 7.0.15 also has
// are compared with Redis's metadata (host/internal/cmdmeta); with
// MODIS_COMPARE_REDIS set, with the live server too.

// tableDeviations are the built-ins whose name, arity, flags or key
// positions in Modis's table differ from what redis-server 7.0.15's COMMAND
// INFO says. COMMAND reports the table (what Modis does); these are known
// and reported, and are not this file's to fix.
var tableDeviations = map[string]string{}

// modisOnly are the built-ins Redis 7.0.15 does not have.
var modisOnly = map[string]bool{"client|setinfo": true}

// parseCmdReply parses one RESP reply.
func parseCmdReply(t *testing.T, s string) *resp.Value {
	t.Helper()
	v, n, err := cmdmeta.Parse([]byte(s))
	if err != nil || n != len(s) {
		t.Fatalf("bad reply %q: %v", s, err)
	}
	return v
}

func enc(v *resp.Value, p3 bool) string {
	b := &resp.Buffer{P3: p3}
	v.WriteTo(b)
	return string(b.B)
}

// allCommands lists every top-level command and subcommand of the table.
func allCommands(s *Server) []*Command {
	var out []*Command
	for _, cmd := range s.table.Sorted() {
		out = append(out, cmd)
		out = append(out, sortedSubs(cmd)...)
	}
	return out
}

// subsComplete reports whether Modis has the subcommands Redis has, no
// more, no fewer.
func subsComplete(cmd *Command, meta *cmdmeta.Command) bool {
	for _, ms := range meta.Subs() {
		_, short, _ := strings.Cut(ms.Name, "|")
		if cmd.Subs[short] == nil {
			return false
		}
	}
	return len(cmd.Subs) == len(meta.Subs())
}

func TestCommandInfoMatchesRedis(t *testing.T) {
	s, c := newTestServer(t)
	_, c2 := newTestServer(t)
	c.buf.P3 = true
	checked := 0
	for _, cmd := range allCommands(s) {
		meta := redisMeta(cmd)
		if meta == nil {
			if !modisOnly[cmd.Name] {
				t.Errorf("%s: no Redis metadata", cmd.Name)
			}
			continue
		}
		checked++
		got3 := do(t, c, "COMMAND", "INFO", cmd.Name)
		got := parseCmdReply(t, got3).Elems[0]
		for i := cmdmeta.InfoName; i <= cmdmeta.InfoKeySpecs; i++ {
			g, w := enc(got.Elems[i], true), enc(meta.InfoField(i), true)
			if g == w {
				continue
			}
			if i <= cmdmeta.InfoStep && tableDeviations[cmd.Name] != "" {
				t.Logf("%s: known deviation (%s): element %d is %q, Redis says %q", cmd.Name, tableDeviations[cmd.Name], i, g, w)
				continue
			}
			t.Errorf("%s: COMMAND INFO element %d\n got %q\nwant %q", cmd.Name, i, g, w)
		}
		var names []string
		for _, sub := range got.Elems[cmdmeta.InfoSubcommands].Elems {
			names = append(names, string(sub.Elems[0].Str))
		}
		var want []string
		for _, sub := range sortedSubs(cmd) {
			want = append(want, sub.Name)
		}
		if fmt.Sprint(names) != fmt.Sprint(want) {
			t.Errorf("%s: subcommands %q, want %q", cmd.Name, names, want)
		}
		if tableDeviations[cmd.Name] == "" && subsComplete(cmd, meta) {
			for _, sub := range cmd.Subs {
				if tableDeviations[sub.Name] != "" {
					goto next
				}
			}
			if want := "*1\r\n" + enc(meta.Info, true); got3 != want {
				t.Errorf("%s: RESP3 COMMAND INFO\n got %q\nwant %q", cmd.Name, got3, want)
			}
			if got2, want := do(t, c2, "COMMAND", "INFO", cmd.Name), "*1\r\n"+enc(meta.Info, false); got2 != want {
				t.Errorf("%s: RESP2 COMMAND INFO\n got %q\nwant %q", cmd.Name, got2, want)
			}
		}
	next:
	}
	if checked < 260 {
		t.Errorf("only %d commands checked", checked)
	}
}

func TestCommandDocsMatchesRedis(t *testing.T) {
	s, c := newTestServer(t)
	_, c2 := newTestServer(t)
	c.buf.P3 = true
	for _, cmd := range allCommands(s) {
		meta := redisMeta(cmd)
		if meta == nil {
			continue
		}
		got3 := do(t, c, "COMMAND", "DOCS", cmd.Name)
		top := parseCmdReply(t, got3)
		if len(top.Elems) != 2 || string(top.Elems[0].Str) != cmd.Name {
			t.Errorf("%s: COMMAND DOCS %q", cmd.Name, got3)
			continue
		}
		got := top.Elems[1]
		if subsComplete(cmd, meta) {
			if want := "%1\r\n" + bulk(cmd.Name) + enc(meta.Docs, true); got3 != want {
				t.Errorf("%s: RESP3 COMMAND DOCS\n got %q\nwant %q", cmd.Name, got3, want)
			}
			if got2, want := do(t, c2, "COMMAND", "DOCS", cmd.Name), "*2\r\n"+bulk(cmd.Name)+enc(meta.Docs, false); got2 != want {
				t.Errorf("%s: RESP2 COMMAND DOCS\n got %q\nwant %q", cmd.Name, got2, want)
			}
			continue
		}
		// Only the subcommands Modis has.
		var gotKeys, wantKeys []string
		for i := 0; i+1 < len(got.Elems); i += 2 {
			k := string(got.Elems[i].Str)
			gotKeys = append(gotKeys, k)
			if k == "subcommands" {
				var names []string
				for j := 0; j < len(got.Elems[i+1].Elems); j += 2 {
					names = append(names, string(got.Elems[i+1].Elems[j].Str))
				}
				var want []string
				for _, sub := range sortedSubs(cmd) {
					want = append(want, sub.Name)
				}
				if fmt.Sprint(names) != fmt.Sprint(want) {
					t.Errorf("%s: DOCS subcommands %q, want %q", cmd.Name, names, want)
				}
				continue
			}
			if g, w := enc(got.Elems[i+1], true), enc(meta.DocsField(k), true); g != w {
				t.Errorf("%s: DOCS %s\n got %q\nwant %q", cmd.Name, k, g, w)
			}
		}
		for i := 0; i+1 < len(meta.Docs.Elems); i += 2 {
			wantKeys = append(wantKeys, string(meta.Docs.Elems[i].Str))
		}
		if fmt.Sprint(gotKeys) != fmt.Sprint(wantKeys) {
			t.Errorf("%s: DOCS fields %q, want %q", cmd.Name, gotKeys, wantKeys)
		}
	}
}

// TestCommandMetaDerived: module commands and built-ins Redis lacks are
// described from the table, in Redis's reply shapes.
func TestCommandMetaDerived(t *testing.T) {
	_, c := newTestServer(t)
	if got, want := do(t, c, "COMMAND", "INFO", "client|setinfo"), "*1\r\n*10\r\n$14\r\nclient|setinfo\r\n:4\r\n*3\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n"; got != want {
		t.Errorf("COMMAND INFO client|setinfo\n got %q\nwant %q", got, want)
	}
	c.buf.P3 = true
	if got := do(t, c, "COMMAND", "INFO", "client|setinfo"); !strings.HasSuffix(got, "~2\r\n+@slow\r\n+@connection\r\n~0\r\n~0\r\n~0\r\n") {
		t.Errorf("RESP3 COMMAND INFO client|setinfo = %q", got)
	}
	if got := do(t, c, "COMMAND", "DOCS", "client|setinfo"); !strings.HasPrefix(got, "%1\r\n$14\r\nclient|setinfo\r\n%3\r\n$7\r\nsummary\r\n") {
		t.Errorf("COMMAND DOCS client|setinfo = %q", got)
	}
	// A module command is described as Redis 7.0 describes one: the key
	// specification RM_CreateCommand builds (RW access update
	// variable_flags), no ACL categories, and docs with only the group and
	// the module (mod_cmdinfo.go).
	cmd := &Command{Name: "m.cmd", Arity: -2, Flags: FlagWrite | FlagModule, Group: "module", Module: &Module{Name: "m", Version: 3}}
	newModuleCmd(nil, cmd, func(sdk.Ctx, []sdk.String) error { return nil }, "write", 1, -1, 2)
	b := &resp.Buffer{P3: true}
	writeCommandInfo(b, cmd)
	want := "*10\r\n$5\r\nm.cmd\r\n:-2\r\n~2\r\n+write\r\n+module\r\n:1\r\n:-1\r\n:2\r\n~0\r\n~0\r\n" +
		"~1\r\n%3\r\n$5\r\nflags\r\n~4\r\n+RW\r\n+access\r\n+update\r\n+variable_flags\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n" +
		"$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:2\r\n$5\r\nlimit\r\n:0\r\n~0\r\n"
	if string(b.B) != want {
		t.Errorf("module command info\n got %q\nwant %q", b.B, want)
	}
	b = &resp.Buffer{}
	writeCommandDocs(b, cmd)
	if want := "*4\r\n$5\r\ngroup\r\n$6\r\nmodule\r\n$6\r\nmodule\r\n$1\r\nm\r\n"; string(b.B) != want {
		t.Errorf("module command docs\n got %q\nwant %q", b.B, want)
	}
	if keys := commandKeys(cmd, [][]byte{[]byte("m.cmd"), []byte("a"), []byte("x"), []byte("b"), []byte("y")}); fmt.Sprintf("%s", keys) != "[a b]" {
		t.Errorf("module command keys %s", keys)
	}
}

func TestCommandGetkeys(t *testing.T) {
	kf := func(pairs ...string) string { // key, flags, key, flags...
		var elems []string
		for i := 0; i < len(pairs); i += 2 {
			var flags []string
			if pairs[i+1] != "" {
				for _, f := range strings.Split(pairs[i+1], ",") {
					flags = append(flags, "+"+f+"\r\n")
				}
			}
			elems = append(elems, arr(bulk(pairs[i]), arr(flags...)))
		}
		return arr(elems...)
	}
	invalid := errr("ERR Invalid arguments specified for command")
	runScripts(t, []script{{name: "getkeys", steps: []step{
		{"COMMAND GETKEYS get k", bulks("k")},
		{"COMMAND GETKEYS GET k", bulks("k")},
		{"COMMAND GETKEYS set k v EX 10", bulks("k")},
		{"COMMAND GETKEYS mset a 1 b 2", bulks("a", "b")},
		{"COMMAND GETKEYS del a b c", bulks("a", "b", "c")},
		{"COMMAND GETKEYS lmove a b LEFT RIGHT", bulks("a", "b")},
		{"COMMAND GETKEYS zunionstore dst 2 a b WEIGHTS 1 2", bulks("dst", "a", "b")},
		{"COMMAND GETKEYS zunionstore dst 2x a b", bulks("a", "b", "dst")},
		{"COMMAND GETKEYS zunionstore dst 0 a b", invalid},
		{"COMMAND GETKEYS zunionstore dst 3 a b", invalid},
		{"COMMAND GETKEYS zunion 2 a b", bulks("a", "b")},
		{"COMMAND GETKEYS zinter 1 a WITHSCORES", bulks("a")},
		{"COMMAND GETKEYS zintercard 2 a b LIMIT 1", bulks("a", "b")},
		{"COMMAND GETKEYS sintercard 2x a b", bulks("a", "b")},
		{"COMMAND GETKEYS lmpop 2 a b LEFT", bulks("a", "b")},
		{"COMMAND GETKEYS blmpop 0 2 a b LEFT", bulks("a", "b")},
		{"COMMAND GETKEYS zmpop 1 a MIN", bulks("a")},
		{"COMMAND GETKEYS bzmpop 0 1 a MIN", bulks("a")},
		{"COMMAND GETKEYS eval \"return 1\" 2 k1 k2 a1", bulks("k1", "k2")},
		{"COMMAND GETKEYS eval s 0 a", rEmpty},
		{"COMMAND GETKEYS eval s 2x a b", bulks("a", "b")},
		{"COMMAND GETKEYS eval_ro s 1 a", bulks("a")},
		{"COMMAND GETKEYS evalsha s 1 a", bulks("a")},
		{"COMMAND GETKEYS fcall f 1 a b", bulks("a")},
		{"COMMAND GETKEYS fcall_ro f 0", rEmpty},
		{"COMMAND GETKEYS sort k BY w* GET o* STORE dst", bulks("k", "dst")},
		{"COMMAND GETKEYS sort k limit store x store y", bulks("k", "y")},
		{"COMMAND GETKEYS sort k STORE", bulks("k")},
		{"COMMAND GETKEYS sort_ro k STORE d", bulks("k")},
		{"COMMAND GETKEYS object encoding k", bulks("k")},
		{"COMMAND GETKEYS OBJECT FREQ k", bulks("k")},
		{"COMMAND GETKEYS memory usage k", bulks("k")},
		{"COMMAND GETKEYS bitop and d a b", bulks("d", "a", "b")},
		{"COMMAND GETKEYS rename a b", bulks("a", "b")},
		{"COMMAND GETKEYS msetnx a 1 b 2", bulks("a", "b")},
		{"COMMAND GETKEYS watch a b", bulks("a", "b")},
		{"COMMAND GETKEYS ping x", errr("ERR The command has no key arguments")},
		{"COMMAND GETKEYS spublish ch m", errr("ERR The command has no key arguments")},
		{"COMMAND GETKEYS ssubscribe a b", errr("ERR The command has no key arguments")},
		{"COMMAND GETKEYS config get", errr("ERR The command has no key arguments")},
		{"COMMAND GETKEYS config get x", errr("ERR The command has no key arguments")},
		{"COMMAND GETKEYS config x y", errr("ERR Invalid command specified")},
		{"COMMAND GETKEYS nosuch a", errr("ERR Invalid command specified")},
		{"COMMAND GETKEYS get a b", errr("ERR Invalid number of arguments specified for command")},
		{"COMMAND GETKEYS object encoding", errr("ERR Invalid number of arguments specified for command")},
		{"COMMAND GETKEYS get", errr("ERR wrong number of arguments for 'command|getkeys' command")},
		{"COMMAND GETKEYS", errr("ERR wrong number of arguments for 'command|getkeys' command")},
		{"COMMAND GETKEYSANDFLAGS get", errr("ERR wrong number of arguments for 'command|getkeysandflags' command")},
		{"COMMAND GETKEYSANDFLAGS get k", kf("k", "RO,access")},
		{"COMMAND GETKEYSANDFLAGS set k v get", kf("k", "RW,access,update")},
		{"COMMAND GETKEYSANDFLAGS set k v", kf("k", "OW,update")},
		{"COMMAND GETKEYSANDFLAGS set k v gets", kf("k", "OW,update")},
		{"COMMAND GETKEYSANDFLAGS bitfield k get u8 0", kf("k", "RO,access")},
		{"COMMAND GETKEYSANDFLAGS bitfield k get u8 0 overflow wrap get u8 1", kf("k", "RO,access")},
		{"COMMAND GETKEYSANDFLAGS bitfield k get u8", kf("k", "RW,access,update")},
		{"COMMAND GETKEYSANDFLAGS bitfield k incrby u8 0 1", kf("k", "RW,access,update")},
		{"COMMAND GETKEYSANDFLAGS bitfield_ro k get u8 0", kf("k", "RO,access")},
		{"COMMAND GETKEYSANDFLAGS sort k store d by x", kf("k", "RO,access", "d", "OW,update")},
		{"COMMAND GETKEYSANDFLAGS sort_ro k", kf("k", "RO,access")},
		{"COMMAND GETKEYSANDFLAGS lmove a b left right", kf("a", "RW,access,delete", "b", "RW,insert")},
		{"COMMAND GETKEYSANDFLAGS zunionstore d 2 a b", kf("d", "OW,update", "a", "RO,access", "b", "RO,access")},
		{"COMMAND GETKEYSANDFLAGS zunionstore d 2x a b", kf("a", "", "b", "", "d", "")},
		{"COMMAND GETKEYSANDFLAGS del a", kf("a", "RM,delete")},
		{"COMMAND GETKEYSANDFLAGS eval s 0", rEmpty},
		{"COMMAND GETKEYSANDFLAGS ping x", errr("ERR The command has no key arguments")},
	}}, {name: "getkeys-resp3", p3: true, steps: []step{
		{"COMMAND GETKEYSANDFLAGS lmove a b left right", "*2\r\n*2\r\n$1\r\na\r\n~3\r\n+RW\r\n+access\r\n+delete\r\n*2\r\n$1\r\nb\r\n~2\r\n+RW\r\n+insert\r\n"},
		{"COMMAND GETKEYS get k", "*1\r\n$1\r\nk\r\n"},
	}}})
}

func TestCommandListCountHelp(t *testing.T) {
	s, c := newTestServer(t)
	all := allCommands(s)
	if got := do(t, c, "COMMAND", "COUNT"); got != ints(int64(s.table.Len())) {
		t.Errorf("COMMAND COUNT = %q", got)
	}
	list := parseCmdReply(t, do(t, c, "COMMAND", "LIST"))
	if len(list.Elems) != len(all) {
		t.Errorf("COMMAND LIST has %d names, the table %d", len(list.Elems), len(all))
	}
	for _, e := range list.Elems {
		if s.table.findCommand(string(e.Str)) == nil {
			t.Errorf("COMMAND LIST names %q, which Modis lacks", e.Str)
		}
	}
	if got := parseCmdReply(t, do(t, c, "COMMAND")); len(got.Elems) != s.table.Len() {
		t.Errorf("COMMAND has %d entries", len(got.Elems))
	}
	if got := parseCmdReply(t, do(t, c, "COMMAND", "INFO")); len(got.Elems) != s.table.Len() {
		t.Errorf("COMMAND INFO has %d entries", len(got.Elems))
	}
	if got := parseCmdReply(t, do(t, c, "COMMAND", "DOCS")); len(got.Elems) != 2*s.table.Len() {
		t.Errorf("COMMAND DOCS has %d entries", len(got.Elems)/2)
	}
	sorted := func(v *resp.Value) string {
		var names []string
		for _, e := range v.Elems {
			names = append(names, string(e.Str))
		}
		sort.Strings(names)
		return strings.Join(names, " ")
	}
	cases := []struct{ args, want string }{
		{"COMMAND LIST FILTERBY ACLCAT hyperloglog", "pfadd pfcount pfmerge"},
		{"COMMAND LIST FILTERBY aclcat BITMAP", "bitcount bitfield bitfield_ro bitop bitpos getbit setbit"},
		{"COMMAND LIST FILTERBY ACLCAT nosuch", ""},
		{"COMMAND LIST FILTERBY PATTERN xx*", ""},
		{"COMMAND LIST FILTERBY PATTERN object*", "object object|encoding object|freq object|help object|idletime object|refcount"},
		{"COMMAND LIST FILTERBY PATTERN *|GETKEYS*", "command|getkeys command|getkeysandflags"},
		{"COMMAND LIST FILTERBY MODULE nosuch", ""},
	}
	for _, tc := range cases {
		if got := sorted(parseCmdReply(t, doLine(t, c, tc.args))); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.args, got, tc.want)
		}
	}
	runScripts(t, []script{{name: "command-errors", steps: []step{
		{"COMMAND LIST FILTERBY", rSyntax},
		{"COMMAND LIST FILTERBY ACLCAT", rSyntax},
		{"COMMAND LIST FILTERBY NOSUCH x", rSyntax},
		{"COMMAND LIST x", rSyntax},
		{"COMMAND LIST FILTERBY ACLCAT read x", rSyntax},
		{"COMMAND COUNT x", errr("ERR wrong number of arguments for 'command|count' command")},
		{"COMMAND FOO", errr("ERR unknown subcommand 'FOO'. Try COMMAND HELP.")},
		{"COMMAND INFO nosuch get|x config|get|x config|", arr(rNull, rNull, rNull, rNull)},
		{"COMMAND DOCS nosuch get|x", "*0\r\n"},
		{"COMMAND HELP", arr("+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n",
			"+(no subcommand)\r\n", "+    Return details about all Redis commands.\r\n",
			"+COUNT\r\n", "+    Return the total number of commands in this Redis server.\r\n",
			"+LIST\r\n", "+    Return a list of all commands in this Redis server.\r\n",
			"+INFO [<command-name> ...]\r\n", "+    Return details about multiple Redis commands.\r\n",
			"+    If no command names are given, documentation details for all\r\n", "+    commands are returned.\r\n",
			"+DOCS [<command-name> ...]\r\n", "+    Return documentation details about multiple Redis commands.\r\n",
			"+    If no command names are given, documentation details for all\r\n", "+    commands are returned.\r\n",
			"+GETKEYS <full-command>\r\n", "+    Return the keys from a full Redis command.\r\n",
			"+GETKEYSANDFLAGS <full-command>\r\n", "+    Return the keys and the access flags from a full Redis command.\r\n",
			"+HELP\r\n", "+    Prints this help.\r\n")},
		{"COMMAND HELP x", errr("ERR wrong number of arguments for 'command|help' command")},
	}}, {name: "command-resp3", p3: true, steps: []step{
		{"COMMAND INFO nosuch", "*1\r\n_\r\n"},
		{"COMMAND DOCS nosuch", "%0\r\n"},
	}}})
}

// TestCommandMetaLive compares COMMAND INFO and COMMAND DOCS of every
// built-in (not containers, whose subcommands Redis lists in hash order:
// each subcommand is compared on its own) with the live Redis at
// MODIS_COMPARE_REDIS, in RESP2 and RESP3, byte for byte.
func TestCommandMetaLive(t *testing.T) {
	addr := os.Getenv("MODIS_COMPARE_REDIS")
	if addr == "" {
		t.Skip("MODIS_COMPARE_REDIS not set")
	}
	s, c := newTestServer(t)
	for _, p3 := range []bool{false, true} {
		conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(conn)
		send := func(args ...string) string {
			var b bytes.Buffer
			fmt.Fprintf(&b, "*%d\r\n", len(args))
			for _, a := range args {
				fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
			}
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := conn.Write(b.Bytes()); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := readRawReply(r, &out); err != nil {
				t.Fatal(err)
			}
			return out.String()
		}
		if p3 {
			send("HELLO", "3")
		}
		c.buf.P3 = p3
		compared := 0
		for _, cmd := range allCommands(s) {
			if cmd.Subs != nil || redisMeta(cmd) == nil || tableDeviations[cmd.Name] != "" {
				continue
			}
			compared++
			for _, sub := range []string{"INFO", "DOCS"} {
				if got, want := do(t, c, "COMMAND", sub, cmd.Name), send("COMMAND", sub, cmd.Name); got != want {
					t.Errorf("RESP3=%v COMMAND %s %s\n got %q\nwant %q", p3, sub, cmd.Name, got, want)
				}
			}
		}
		conn.Close()
		if compared < 240 {
			t.Errorf("only %d commands compared", compared)
		}
	}
}

// TestFlagNamesOrder: COMMAND lists flags in Redis 7.0's order (SHUTDOWN:
// "no_multi allow_busy"; SYNC: "no_async_loading no_multi").
func TestFlagNamesOrder(t *testing.T) {
	f := FlagAllowBusy | FlagMovableKeys | FlagNoMulti | FlagNoAsyncLoading | FlagNoMandatoryKeys | FlagMayReplicate | FlagNoAuth
	if got := strings.Join(f.Names(), " "); got != "no_auth may_replicate no_mandatory_keys no_async_loading no_multi movablekeys allow_busy" {
		t.Fatalf("flag order: %s", got)
	}
}
