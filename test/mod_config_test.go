package test

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Tests of the lifecycle, commands/command info and module config family
// through test/testdata/plugins/cfgmod.

// mcNode is a parsed RESP2/RESP3 reply: its first line, its raw bytes and
// its elements (a map's keys and values alternate).
type mcNode struct {
	line string
	raw  string
	kids []*mcNode
}

// mcParse parses one reply from raw RESP text.
func mcParse(t *testing.T, raw string) *mcNode {
	t.Helper()
	n, rest, err := mcParseOne(raw)
	if err != nil || rest != "" {
		t.Fatalf("parse %q: %v (rest %q)", raw, err, rest)
	}
	return n
}

func mcParseOne(s string) (*mcNode, string, error) {
	i := strings.Index(s, "\r\n")
	if i < 1 {
		return nil, s, fmt.Errorf("no line")
	}
	line, rest := s[:i], s[i+2:]
	n := &mcNode{line: line}
	switch line[0] {
	case '$', '=', '!':
		l, _ := strconv.Atoi(line[1:])
		if l >= 0 {
			rest = rest[l+2:]
		}
	case '*', '~', '%', '>', '|':
		l, _ := strconv.Atoi(line[1:])
		if line[0] == '%' || line[0] == '|' {
			l *= 2
		}
		for j := 0; j < l; j++ {
			k, r, err := mcParseOne(rest)
			if err != nil {
				return nil, s, err
			}
			n.kids = append(n.kids, k)
			rest = r
		}
	}
	n.raw = s[:len(s)-len(rest)]
	return n, rest, nil
}

// str returns a bulk or simple string's text.
func (n *mcNode) str() string {
	switch n.line[0] {
	case '+', '-', ':':
		return n.line[1:]
	case '$':
		return strings.TrimSuffix(strings.SplitN(n.raw, "\r\n", 2)[1], "\r\n")
	}
	return n.line
}

// field returns the value of a map (or a flat RESP2 map) for a key.
func (n *mcNode) field(key string) *mcNode {
	for i := 0; i+1 < len(n.kids); i += 2 {
		if n.kids[i].str() == key {
			return n.kids[i+1]
		}
	}
	return nil
}

func (n *mcNode) keys() []string {
	var out []string
	for i := 0; i+1 < len(n.kids); i += 2 {
		out = append(out, n.kids[i].str())
	}
	return out
}

func (n *mcNode) strs() []string {
	var out []string
	for _, k := range n.kids {
		out = append(out, k.str())
	}
	return out
}

// mcExpect fails unless the raw reply of the command is want.
func mcExpect(t *testing.T, c *Conn, want string, args ...string) {
	t.Helper()
	if got := c.Do(args...); got != want {
		t.Errorf("%q\n got %q\nwant %q", args, got, want)
	}
}

// mcPrefix fails unless the raw reply starts with want.
func mcPrefix(t *testing.T, c *Conn, want string, args ...string) {
	t.Helper()
	if got := c.Do(args...); !strings.HasPrefix(got, want) {
		t.Errorf("%q\n got %q\nwant prefix %q", args, got, want)
	}
}

func mcBulks(ss ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(ss))
	for _, s := range ss {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(s), s)
	}
	return b.String()
}

func cfgGetReply(name, value string) string { return mcBulks(name, value) }

// TestModConfigLoadex: MODULE LOADEX with Redis 7.0's parsing, every way
// it fails, and a load whose CONFIG values and ARGS reach the module.
func TestModConfigLoadex(t *testing.T) {
	s := startServer(t)
	c := s.Dial()
	so := plugin("cfgmod")

	fails := []struct {
		args []string
		want string
	}{
		{[]string{"CONFIG", "cfgmod.limit"}, "CONFIG specified without name value pair"},
		{[]string{"CONFIG"}, "CONFIG specified without name value pair"},
		{[]string{"BOGUS"}, "syntax error from arguments to loadex around 'BOGUS'"},
		{[]string{"CONFIG", "cfgmod.nosuch", "1"}, "LOADEX configurations were not applied, likely due to invalid arguments (no config cfgmod.nosuch)"},
		{[]string{"CONFIG", "cfgmod.limit", "5000"}, "issue during loading of configuration cfgmod.limit : argument must be between 0 and 1000 inclusive"},
		{[]string{"CONFIG", "cfgmod.flags", "one bogus"}, "argument(s) must be one of the following: none, one, two, three"},
		{[]string{"ARGS", "noload"}, "did not call LoadConfigs"},
	}
	for _, f := range fails {
		got := c.Do(append([]string{"MODULE", "LOADEX", so}, f.args...)...)
		if !strings.HasPrefix(got, "-ERR Error loading the extension: ") || !strings.Contains(got, f.want) {
			t.Errorf("MODULE LOADEX %q = %q, want an error with %q", f.args, got, f.want)
		}
		// Nothing of the failed load remains.
		mcExpect(t, c, "*0\r\n", "CONFIG", "GET", "cfgmod.*")
		mcExpect(t, c, "*0\r\n", "MODULE", "LIST")
	}
	mcPrefix(t, c, "-ERR wrong number of arguments for 'module|loadex' command", "MODULE", "LOADEX")

	// A name given twice keeps the last value; ARGS takes everything after
	// it, CONFIG included.
	mcExpect(t, c, "+OK\r\n", "MODULE", "LOADEX", so, "CONFIG", "cfgmod.limit", "7", "config", "CFGMOD.LIMIT", "250",
		"CONFIG", "cfgmod.mem", "2mb", "CONFIG", "cfgmod.flags", "one three", "CONFIG", "cfgmod.name", "world",
		"ARGS", "a", "CONFIG", "b")
	mcExpect(t, c, mcBulks("a", "CONFIG", "b"), "cfgmod.args")
	mcExpect(t, c, "*1\r\n*8\r\n$4\r\nname\r\n$6\r\ncfgmod\r\n$3\r\nver\r\n:1\r\n$4\r\npath\r\n$"+strconv.Itoa(len(so))+"\r\n"+so+"\r\n$4\r\nargs\r\n"+mcBulks("a", "CONFIG", "b"),
		"MODULE", "LIST")
	for name, want := range map[string]string{
		"cfgmod.limit": "250", "cfgmod.mem": "2097152", "cfgmod.flags": "one three", "cfgmod.name": "world",
		"cfgmod.mode": "fast", "cfgmod.flag": "yes", "cfgmod.fixed": "5", "cfgmod.hidden": "no", "cfgmod.password": "",
	} {
		mcExpect(t, c, cfgGetReply(name, want), "CONFIG", "GET", name)
	}
	// The setters saw the LOADEX values, and the defaults for the rest.
	mcExpect(t, c, mcBulks("flag=true", "limit=250", "mem=2097152", "name=world", "mode=1", "flags=5", "fixed=5"),
		"cfgmod.cfg", "get", "sets")
	mcExpect(t, c, ":0\r\n", "cfgmod.cfg", "get", "applied") // apply does not run at load
	// Loaded by MODULE LOADEX at run time: not a server startup.
	if got := c.Do("cfgmod.cfg", "get", "loadflags"); got != ":4\r\n" {
		t.Errorf("OnLoad's context flags = %q, want :4 (MASTER)", got)
	}

	// MODULE LOAD of a module with configs uses the defaults.
	mcExpect(t, c, "+OK\r\n", "MODULE", "UNLOAD", "cfgmod")
	mcExpect(t, c, "*0\r\n", "CONFIG", "GET", "cfgmod.*")
	mcExpect(t, c, "+OK\r\n", "MODULE", "LOAD", so, "x")
	mcExpect(t, c, cfgGetReply("cfgmod.limit", "100"), "CONFIG", "GET", "cfgmod.limit")
	mcExpect(t, c, mcBulks("x"), "cfgmod.args")
	help := c.Do("MODULE", "HELP")
	if !strings.Contains(help, "+LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]\r\n") {
		t.Errorf("MODULE HELP lacks LOADEX: %q", help)
	}
}

// TestModConfigSet: CONFIG GET and CONFIG SET of every kind of module
// config, their validation errors, and Redis 7's all-or-nothing rollback.
func TestModConfigSet(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("cfgmod"))
	c := s.Dial()
	set := func(want string, args ...string) {
		t.Helper()
		mcExpect(t, c, want, append([]string{"CONFIG", "SET"}, args...)...)
	}
	failed := func(name, msg string) string {
		return "-ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + msg + "\r\n"
	}
	get := func(name, want string) {
		t.Helper()
		mcExpect(t, c, cfgGetReply(name, want), "CONFIG", "GET", name)
	}
	held := func(name, want string) { // the value the module holds
		t.Helper()
		mcExpect(t, c, want, "cfgmod.cfg", "get", name)
	}

	set("+OK\r\n", "cfgmod.limit", "500")
	get("cfgmod.limit", "500")
	held("limit", ":500\r\n")
	held("applied", ":1\r\n")
	set("+OK\r\n", "cfgmod.limit", "500") // unchanged: neither set nor apply runs
	held("applied", ":1\r\n")
	held("sets", mcBulks("flag=true", "limit=100", "mem=1048576", "name=hello", "mode=1", "flags=3", "fixed=5", "limit=500"))

	// Numeric, memory, bool, enum: Redis's parsing and messages.
	set(failed("cfgmod.limit", "argument must be between 0 and 1000 inclusive"), "cfgmod.limit", "5000")
	set(failed("cfgmod.limit", "argument must be between 0 and 1000 inclusive"), "cfgmod.limit", "-1")
	set(failed("cfgmod.limit", "argument couldn't be parsed into an integer"), "cfgmod.limit", "12abc")
	set(failed("cfgmod.limit", "argument couldn't be parsed into an integer"), "cfgmod.limit", "1kb")
	set("+OK\r\n", "cfgmod.mem", "1gb")
	get("cfgmod.mem", "1073741824")
	held("mem", ":1073741824\r\n")
	set("+OK\r\n", "cfgmod.mem", "64K")
	get("cfgmod.mem", "64000")
	set(failed("cfgmod.mem", "argument must be a memory value"), "cfgmod.mem", "1x")
	set(failed("cfgmod.mem", "argument must be a memory value"), "cfgmod.mem", "-5")
	set("+OK\r\n", "cfgmod.flag", "NO")
	get("cfgmod.flag", "no")
	held("flag", ":0\r\n") // a bool, in RESP2
	set(failed("cfgmod.flag", "argument must be 'yes' or 'no'"), "cfgmod.flag", "maybe")
	set("+OK\r\n", "cfgmod.mode", "SLOW")
	get("cfgmod.mode", "slow")
	held("mode", ":2\r\n")
	set(failed("cfgmod.mode", "argument(s) must be one of the following: fast, slow, off"), "cfgmod.mode", "bogus")
	set(failed("cfgmod.mode", "argument(s) must be one of the following: fast, slow, off"), "cfgmod.mode", "fast slow")
	// Bit flags: several names OR'ed; shown as the names that make the value.
	for _, tc := range []struct{ in, shown, held string }{
		{"two three", "two three", ":6\r\n"},
		{"three two", "two three", ":6\r\n"},
		{"none", "none", ":0\r\n"},
		{"one two three", "one two three", ":7\r\n"},
		{"ONE", "one", ":1\r\n"},
	} {
		set("+OK\r\n", "cfgmod.flags", tc.in)
		get("cfgmod.flags", tc.shown)
		held("flags", tc.held)
	}
	set(failed("cfgmod.flags", "argument(s) must be one of the following: none, one, two, three"), "cfgmod.flags", "one four")
	set(failed("cfgmod.flags", "argument(s) must be one of the following: none, one, two, three"), "cfgmod.flags", "")
	// Strings, and a setter's own error.
	set("+OK\r\n", "cfgmod.name", "with space")
	get("cfgmod.name", "with space")
	set(failed("cfgmod.name", "name 'bad' is not allowed"), "cfgmod.name", "bad")
	get("cfgmod.name", "with space")
	if got := c.Do("CONFIG", "SET", "cfgmod.name", "panic"); !strings.HasPrefix(got, "-ERR CONFIG SET failed (possibly related to argument 'cfgmod.name') - the module's set function panicked") {
		t.Errorf("a panicking setter: %q", got)
	}
	s.mustAlive()

	// Flags: immutable, protected, deny-loading (not loading now), hidden.
	set(failed("cfgmod.fixed", "can't set immutable config"), "cfgmod.fixed", "6")
	set(failed("cfgmod.guard", "can't set protected config"), "cfgmod.guard", "2")
	set("+OK\r\n", "cfgmod.hidden", "yes")
	mcExpect(t, c, cfgGetReply("cfgmod.hidden", "yes"), "CONFIG", "GET", "cfgmod.hidden")
	all := mcParse(t, c.Do("CONFIG", "GET", "cfgmod.*"))
	if got := strings.Join(all.keys(), " "); got != "cfgmod.flag cfgmod.limit cfgmod.mem cfgmod.name cfgmod.mode cfgmod.flags cfgmod.fixed cfgmod.password cfgmod.guard" {
		t.Errorf("CONFIG GET cfgmod.* names = %s (hidden must need its exact name)", got)
	}
	star := mcParse(t, c.Do("CONFIG", "GET", "*"))
	if star.field("cfgmod.limit") == nil || star.field("maxmemory") == nil || star.field("cfgmod.hidden") != nil {
		t.Errorf("CONFIG GET * lacks module or built-in configs, or shows a hidden one")
	}
	mcExpect(t, c, cfgGetReply("CFGMOD.Limit", "500"), "CONFIG", "GET", "CFGMOD.Limit") // as typed, in any case
	mcExpect(t, c, "*4\r\n$12\r\ncfgmod.limit\r\n$3\r\n500\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n", "CONFIG", "GET", "cfgmod.limit", "maxmemory")

	// Several values: all or none. A later value failing sets the module's
	// values back (the setters see the rollback).
	set(failed("cfgmod.name", "name 'bad' is not allowed"), "cfgmod.limit", "300", "cfgmod.name", "bad")
	get("cfgmod.limit", "500")
	held("limit", ":500\r\n")
	sets := mcParse(t, c.Do("cfgmod.cfg", "get", "sets")).strs()
	if tail := strings.Join(sets[len(sets)-2:], " "); tail != "limit=300 limit=500" {
		t.Errorf("the setter calls of a failed CONFIG SET end with %q, want limit=300 limit=500", tail)
	}
	// A built-in failing after a module config, and the reverse.
	set("-ERR CONFIG SET failed (possibly related to argument 'maxmemory-samples') - argument must be between 1 and 2147483647 inclusive\r\n",
		"cfgmod.limit", "450", "maxmemory-samples", "0")
	get("cfgmod.limit", "500")
	set(failed("cfgmod.limit", "argument must be between 0 and 1000 inclusive"), "maxmemory-samples", "7", "cfgmod.limit", "5000")
	get("maxmemory-samples", "5")
	// An apply function failing: every value goes back, the apply runs
	// again on the restored values. Its error names the config without
	// the module prefix, as Redis does.
	applied := mcParse(t, c.Do("cfgmod.cfg", "get", "applied")).str()
	set("-ERR CONFIG SET failed (possibly related to argument 'limit') - limit 999 is refused by apply\r\n",
		"cfgmod.limit", "999", "cfgmod.mode", "off", "maxmemory-samples", "9")
	get("cfgmod.limit", "500")
	get("cfgmod.mode", "slow")
	get("maxmemory-samples", "5")
	n, _ := strconv.Atoi(applied)
	held("applied", ":"+strconv.Itoa(n+2)+"\r\n")
	// Two configs with one apply function: one call.
	set("+OK\r\n", "cfgmod.limit", "400", "cfgmod.mem", "2mb")
	held("applied", ":"+strconv.Itoa(n+3)+"\r\n")
	set(failed("cfgmod.limit", "duplicate parameter"), "cfgmod.limit", "1", "cfgmod.limit", "2")
	set("-ERR Unknown option or number of arguments for CONFIG SET - 'cfgmod.nosuch'\r\n", "cfgmod.nosuch", "1")

	// A sensitive value is redacted from SLOWLOG.
	set("+OK\r\n", "slowlog-log-slower-than", "0")
	mcExpect(t, c, "+OK\r\n", "SLOWLOG", "RESET")
	set("+OK\r\n", "cfgmod.password", "s3cret")
	held("password", "$6\r\ns3cret\r\n")
	if log := c.Do("SLOWLOG", "GET", "10"); strings.Contains(log, "s3cret") || !strings.Contains(log, "(redacted)") {
		t.Errorf("SLOWLOG shows a sensitive config value: %q", log)
	}
	set("+OK\r\n", "slowlog-log-slower-than", "10000")

	// Unloading removes the configs.
	mcExpect(t, c, "+OK\r\n", "MODULE", "UNLOAD", "cfgmod")
	mcExpect(t, c, "*0\r\n", "CONFIG", "GET", "cfgmod.*")
	set("-ERR Unknown option or number of arguments for CONFIG SET - 'cfgmod.limit'\r\n", "cfgmod.limit", "1")
}

// TestModConfigStartup: module config values from the config file and from
// --<module>.<name> flags, CONFIG REWRITE, and the values the server
// refuses at startup, as Redis does.
func TestModConfigStartup(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "modis.conf")
	write := func(lines ...string) {
		if err := os.WriteFile(conf, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("loadmodule "+plugin("cfgmod")+" fromfile", "cfgmod.limit 42", `cfgmod.flags "two three"`, "CFGMOD.MEM 64kb", "cfgmod.name fromfile")
	s := startServer(t, "--config", conf, "--cfgmod.name", "fromflag", "--cfgmod.mode=off")
	c := s.Dial()
	for name, want := range map[string]string{
		"cfgmod.limit": "42", "cfgmod.flags": "two three", "cfgmod.mem": "65536", "cfgmod.name": "fromflag", "cfgmod.mode": "off",
	} {
		mcExpect(t, c, cfgGetReply(name, want), "CONFIG", "GET", name)
	}
	// OnLoad ran while the server was starting.
	flags, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(c.Do("cfgmod.cfg", "get", "loadflags"), ":")))
	if flags&(1<<24) == 0 || flags&4 == 0 {
		t.Errorf("OnLoad's context flags %#x lack SERVER_STARTUP or MASTER", flags)
	}
	// CONFIG REWRITE writes the module configs away from their defaults,
	// memory in Redis's units, and a restart reads them back.
	mcExpect(t, c, "+OK\r\n", "CONFIG", "SET", "cfgmod.limit", "43", "cfgmod.mem", "1gb", "cfgmod.mode", "fast")
	mcExpect(t, c, "+OK\r\n", "CONFIG", "REWRITE")
	text, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\ncfgmod.limit 43\n", "\ncfgmod.flags two three\n", "\ncfgmod.mem 1gb\n", "cfgmod.name fromflag\n"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("rewritten config lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(string(text), "cfgmod.mode") || strings.Contains(string(text), "cfgmod.fixed") {
		t.Errorf("rewritten config has configs at their default:\n%s", text)
	}
	s2 := startServer(t, "--config", conf)
	c2 := s2.Dial()
	mcExpect(t, c2, cfgGetReply("cfgmod.limit", "43"), "CONFIG", "GET", "cfgmod.limit")
	mcExpect(t, c2, cfgGetReply("cfgmod.mem", "1073741824"), "CONFIG", "GET", "cfgmod.mem")

	// Refused at startup: a config no module registers, a config without a
	// module, a bad value, a flag without a value.
	for _, tc := range []struct {
		lines []string
		args  []string
		want  string
	}{
		{[]string{"loadmodule " + plugin("cfgmod"), "cfgmod.nosuch 1"}, nil, "Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting (cfgmod.nosuch)"},
		{[]string{"other.x 1"}, nil, "Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting (other.x)"},
		{[]string{"cfgmod.limit"}, nil, "Module config specified without value"},
		{[]string{"loadmodule " + plugin("cfgmod")}, []string{"--cfgmod.limit", "5000"}, "argument must be between 0 and 1000 inclusive"},
		{[]string{"loadmodule " + plugin("cfgmod")}, []string{"--cfgmod.limit"}, "--cfgmod.limit: Module config specified without value"},
		{[]string{"loadmodule " + plugin("cfgmod") + " noload"}, nil, "did not call LoadConfigs"},
	} {
		write(tc.lines...)
		srv, err := launch(t, append([]string{"--config", conf}, tc.args...)...)
		if err == nil {
			t.Errorf("%q %q: the server started", tc.lines, tc.args)
			continue
		}
		if !strings.Contains(srv.Log(), tc.want) {
			t.Errorf("%q %q: the log lacks %q:\n%s", tc.lines, tc.args, tc.want, srv.Log())
		}
	}
}

// TestModSubcommands: a container created with a nil handler, its
// subcommands, and Redis's errors for them.
func TestModSubcommands(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("cfgmod"))
	c := s.Dial()
	mcExpect(t, c, "-ERR wrong number of arguments for 'cfgmod.cfg' command\r\n", "cfgmod.cfg")
	mcExpect(t, c, "-ERR unknown subcommand 'nosuch'. Try CFGMOD.CFG HELP.\r\n", "cfgmod.cfg", "nosuch")
	mcExpect(t, c, "-ERR unknown subcommand 'help'. Try CFGMOD.CFG HELP.\r\n", "CFGMOD.cfg", "help")
	mcExpect(t, c, ":100\r\n", "cfgmod.cfg", "GET", "limit")
	mcExpect(t, c, "-ERR wrong number of arguments for 'cfgmod.cfg|get' command\r\n", "cfgmod.cfg", "get") // arity 3 from SetCommandInfo
	mcExpect(t, c, "+OK\r\n", "cfgmod.cfg", "touch")                                                       // a subcommand's default arity is -2
	errs := mcParse(t, c.Do("cfgmod.cfg", "regerrs")).strs()
	want := []string{
		`RegisterBoolConfig: configuration "flag" already registered`,
		`RegisterBoolConfig: configuration "FLAG" already registered`,
		`RegisterBoolConfig: invalid character ' ' in module config name "bad name"`,
		`RegisterBoolConfig: module config names cannot be an empty string`,
		`RegisterBoolConfig "mem2": ConfigMemory provided for a non-numeric configuration`,
		`RegisterNumericConfig "bits": ConfigBitFlags provided for a non-enum configuration`,
		`RegisterNumericConfig "range": default 50 is not between 0 and 10`,
		`RegisterEnumConfig "enum": want as many values as names`,
		`RegisterBoolConfig "nilset": get and set are required`,
		`CreateSubcommand: "cfgmod.cfg" already has a subcommand "get"`,
		`CreateSubcommand "deeper": "cfgmod.cfg|get" is a subcommand; subcommands cannot have subcommands`,
		`CreateSubcommand "sub": "cfgmod.info" has a handler; a parent must be a container created with a nil handler`,
		`CreateSubcommand "x": unknown command flag "bogus"`,
		`GetCommand: "get" is a built-in command, not a module command`,
		`GetCommand: no command "nosuch"`,
		`Invalid command info: history[0].changes missing`,
		`Invalid command info: key_specs[0].flags: Exactly one of the flags RO, RW, OW, RM required`,
		`Invalid command info: key_specs[0].flags: INSERT, DELETE and UPDATE are mutually exclusive`,
		`Invalid command info: key_specs[0].bs.keyword.keyword required when begin_search_type is KEYWORD`,
		`Invalid command info: key_specs[0].begin_search_type: Invalid value 0`,
		`Invalid command info: Argument "t": token required when type is PURE_TOKEN`,
		`Invalid command info: Argument "k": key_spec_index required when type is KEY`,
		`Invalid command info: Argument "s": key_spec_index specified but type isn't KEY`,
		`Invalid command info: Argument "o": subargs required when type is ONEOF or BLOCK`,
		`Invalid command info: Argument "s": subargs specified but type isn't ONEOF nor BLOCK`,
		`Invalid command info: Argument "f": Invalid flags`,
		`Invalid command info: Argument "u": Undefined type 42`,
		`SetCommandInfo "cfgmod.info": the command info is already set`,
		`SetCommandACLCategories "cfgmod.acl": unknown ACL category "nosuchcategory"`,
	}
	if len(errs) != len(want) {
		t.Fatalf("%d registration errors, want %d:\n%s", len(errs), len(want), strings.Join(errs, "\n"))
	}
	for i := range want {
		if !strings.Contains(errs[i], want[i]) {
			t.Errorf("registration error %d = %q, want it to contain %q", i, errs[i], want[i])
		}
	}
}

// TestModCommandInfo: COMMAND INFO, DOCS, COUNT and LIST show module
// commands in Redis 7.0's shapes; a command described with
// SetCommandInfo as Redis describes SET gives the same bytes as Redis
// 7.0.15's SET.
func TestModCommandInfo(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("cfgmod"))
	c := s.Dial()
	count := func() int {
		n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(c.Do("COMMAND", "COUNT"), ":")))
		return n
	}
	withMod := count()

	// A container: arity -2, flags module, no keys, its subcommands.
	info := mcParse(t, c.Do("COMMAND", "INFO", "cfgmod.cfg")).kids[0]
	if got := info.raw[:strings.Index(info.raw, "*3\r\n*10")]; got != "*10\r\n$10\r\ncfgmod.cfg\r\n:-2\r\n*1\r\n+module\r\n:0\r\n:0\r\n:0\r\n*0\r\n*0\r\n*0\r\n" {
		t.Errorf("COMMAND INFO cfgmod.cfg = %q", info.raw)
	}
	subs := info.kids[9]
	if len(subs.kids) != 3 || subs.kids[0].kids[0].str() != "cfgmod.cfg|get" || subs.kids[2].kids[0].str() != "cfgmod.cfg|touch" {
		t.Fatalf("subcommands %q", subs.raw)
	}
	if got := subs.kids[0].raw; got != "*10\r\n$14\r\ncfgmod.cfg|get\r\n:3\r\n*3\r\n+readonly\r\n+module\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*0\r\n*0\r\n*0\r\n*0\r\n" {
		t.Errorf("COMMAND INFO of cfgmod.cfg|get = %q", got)
	}
	touch := subs.kids[2]
	if touch.kids[3].str() != "2" || touch.kids[4].str() != "2" || touch.kids[5].str() != "1" {
		t.Errorf("cfgmod.cfg|touch key positions %q", touch.raw)
	}
	mcExpect(t, c, "*1\r\n"+mcParse(t, c.Do("COMMAND", "INFO", "cfgmod.cfg")).kids[0].kids[9].kids[0].raw,
		"COMMAND", "INFO", "CFGMOD.CFG|GET") // a subcommand by its full name
	mcExpect(t, c, "*1\r\n$-1\r\n", "COMMAND", "INFO", "cfgmod.cfg|nosuch")

	// Default key specification (RW access update variable_flags), and
	// no ACL categories unless the module gives some.
	mcExpect(t, c, "*1\r\n*10\r\n$13\r\ncfgmod.ranged\r\n:-1\r\n*2\r\n+write\r\n+module\r\n:1\r\n:-1\r\n:2\r\n*0\r\n*0\r\n"+
		"*1\r\n*6\r\n$5\r\nflags\r\n*4\r\n+RW\r\n+access\r\n+update\r\n+variable_flags\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n"+
		"$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:2\r\n$5\r\nlimit\r\n:0\r\n*0\r\n",
		"COMMAND", "INFO", "cfgmod.ranged")
	acl := mcParse(t, c.Do("COMMAND", "INFO", "cfgmod.acl")).kids[0]
	if got := acl.kids[6].raw; got != "*3\r\n+@keyspace\r\n+@write\r\n+@fast\r\n" {
		t.Errorf("SetCommandACLCategories: COMMAND INFO categories %q", got)
	}
	list := mcParse(t, c.Do("COMMAND", "LIST", "FILTERBY", "ACLCAT", "keyspace")).strs()
	if !containsStr(list, "cfgmod.acl") || containsStr(list, "cfgmod.ranged") || !containsStr(list, "del") {
		t.Errorf("COMMAND LIST FILTERBY ACLCAT keyspace = %v", list)
	}

	// SetCommandInfo: arity, tips, key specs (with notes; a keyword and
	// keynum spec makes the command movablekeys), docs.
	inf := mcParse(t, c.Do("COMMAND", "INFO", "cfgmod.info")).kids[0]
	if got := inf.raw[:strings.Index(inf.raw, "*2\r\n$23")]; got != "*10\r\n$11\r\ncfgmod.info\r\n:-3\r\n*3\r\n+write\r\n+module\r\n+movablekeys\r\n:1\r\n:1\r\n:1\r\n*0\r\n" {
		t.Errorf("COMMAND INFO cfgmod.info head = %q", inf.raw)
	}
	if got := strings.Join(inf.kids[7].strs(), " "); got != "nondeterministic_output request_policy:all_shards" {
		t.Errorf("tips %q", got)
	}
	specs := inf.kids[8]
	if len(specs.kids) != 2 || specs.kids[0].field("notes").str() != "the main key" || specs.kids[1].field("notes") != nil ||
		specs.kids[1].field("begin_search").field("spec").field("keyword").str() != "FROM" ||
		specs.kids[1].field("find_keys").field("type").str() != "keynum" {
		t.Errorf("key specs %q", specs.raw)
	}
	docs := mcParse(t, c.Do("COMMAND", "DOCS", "cfgmod.info"))
	d := docs.field("cfgmod.info")
	if got := strings.Join(d.keys(), " "); got != "summary since group complexity module history arguments" {
		t.Errorf("COMMAND DOCS cfgmod.info fields: %s", got)
	}
	if d.field("group").str() != "module" || d.field("module").str() != "cfgmod" || d.field("since").str() != "1.2.0" {
		t.Errorf("COMMAND DOCS cfgmod.info = %q", d.raw)
	}
	from := d.field("arguments").kids[3]
	if got := strings.Join(from.keys(), " "); got != "name type token flags arguments" {
		t.Errorf("block argument fields %s", got)
	}
	if src := from.field("arguments").kids[1]; strings.Join(src.keys(), " ") != "name type display_text key_spec_index flags" || src.field("display_text").str() != "source" {
		t.Errorf("sub-argument %q", src.raw)
	}
	// Docs of a container: group, module, subcommands; a subcommand with
	// only a summary and since.
	cd := mcParse(t, c.Do("COMMAND", "DOCS", "cfgmod.cfg")).field("cfgmod.cfg")
	if got := strings.Join(cd.keys(), " "); got != "group module subcommands" {
		t.Errorf("COMMAND DOCS cfgmod.cfg fields %s", got)
	}
	if got := cd.field("subcommands").field("cfgmod.cfg|get").raw; got != "*8\r\n$7\r\nsummary\r\n$40\r\nReturns a config as the module holds it.\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nmodule\r\n$6\r\nmodule\r\n$6\r\ncfgmod\r\n" {
		t.Errorf("docs of cfgmod.cfg|get %q", got)
	}
	mcExpect(t, c, "*2\r\n$13\r\ncfgmod.ranged\r\n*4\r\n$5\r\ngroup\r\n$6\r\nmodule\r\n$6\r\nmodule\r\n$6\r\ncfgmod\r\n", "COMMAND", "DOCS", "cfgmod.ranged")

	// COMMAND LIST FILTERBY MODULE: every command and subcommand of the
	// module; COMMAND COUNT counts top-level commands.
	mods := mcParse(t, c.Do("COMMAND", "LIST", "FILTERBY", "MODULE", "cfgmod")).strs()
	if got := strings.Join(mods, " "); got != "cfgmod.acl cfgmod.args cfgmod.cfg cfgmod.cfg|get cfgmod.cfg|regerrs cfgmod.cfg|touch cfgmod.flags cfgmod.getkeys cfgmod.info cfgmod.keypos cfgmod.keys cfgmod.misc cfgmod.ranged cfgmod.redact cfgmod.set cfgmod.version" {
		t.Errorf("COMMAND LIST FILTERBY MODULE cfgmod = %s", got)
	}
	mcExpect(t, c, "*0\r\n", "COMMAND", "LIST", "FILTERBY", "MODULE", "nosuchmodule")
	mcExpect(t, c, "+OK\r\n", "MODULE", "UNLOAD", "cfgmod")
	if got := count(); got != withMod-13 {
		t.Errorf("COMMAND COUNT %d after unloading, want %d", got, withMod-13)
	}
	mcExpect(t, c, "*0\r\n", "COMMAND", "LIST", "FILTERBY", "MODULE", "cfgmod")
}

// TestModCommandInfoVsRedis compares, in RESP2 and RESP3, cfgmod.set
// (SetCommandInfo with Redis's description of SET) with Redis 7.0.15's own
// SET: its history, arguments and key specification must be the same
// bytes.
func TestModCommandInfoVsRedis(t *testing.T) {
	addr := realRedis(t)
	s := startServer(t, "--loadmodule", plugin("cfgmod"))
	for _, proto := range []string{"2", "3"} {
		m := s.Dial()
		rc, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		r := &Conn{t: t, c: rc, rd: bufio.NewReader(rc)}
		m.Do("HELLO", proto)
		r.Do("HELLO", proto)
		mine := mcParse(t, m.Do("COMMAND", "DOCS", "cfgmod.set")).field("cfgmod.set")
		theirs := mcParse(t, r.Do("COMMAND", "DOCS", "set")).field("set")
		for _, f := range []string{"summary", "since", "complexity", "history", "arguments"} {
			if mine.field(f) == nil || theirs.field(f) == nil || mine.field(f).raw != theirs.field(f).raw {
				t.Errorf("RESP%s COMMAND DOCS %s differs:\n modis %q\n redis %q", proto, f, rawOf(mine.field(f)), rawOf(theirs.field(f)))
			}
		}
		mi := mcParse(t, m.Do("COMMAND", "INFO", "cfgmod.set")).kids[0]
		ri := mcParse(t, r.Do("COMMAND", "INFO", "set")).kids[0]
		for _, i := range []int{1, 3, 4, 5, 7, 8, 9} { // arity, first, last, step, tips, key specs, subcommands
			if mi.kids[i].raw != ri.kids[i].raw {
				t.Errorf("RESP%s COMMAND INFO element %d differs:\n modis %q\n redis %q", proto, i, mi.kids[i].raw, ri.kids[i].raw)
			}
		}
		// The flags are SET's plus module.
		if got := strings.Join(mi.kids[2].strs(), " "); got != "write denyoom module" {
			t.Errorf("flags %s", got)
		}
		// The same keys. (Their flags differ: SET has a key finder of its
		// own that resolves variable_flags; for a module command without
		// the getkeys-api Redis reports the key specification's flags.)
		mg := m.Do("COMMAND", "GETKEYS", "cfgmod.set", "k", "v", "GET")
		rg := r.Do("COMMAND", "GETKEYS", "set", "k", "v", "GET")
		if mg != rg {
			t.Errorf("RESP%s GETKEYS: modis %q, redis %q", proto, mg, rg)
		}
		if got := m.Do("COMMAND", "GETKEYSANDFLAGS", "cfgmod.set", "k", "v"); !strings.Contains(got, "+RW\r\n+access\r\n+update\r\n+variable_flags\r\n") {
			t.Errorf("RESP%s GETKEYSANDFLAGS cfgmod.set = %q", proto, got)
		}
	}
}

func rawOf(n *mcNode) string {
	if n == nil {
		return "<missing>"
	}
	return n.raw
}

func containsStr(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// TestModGetkeys: COMMAND GETKEYS and GETKEYSANDFLAGS for a getkeys-api
// command (the handler runs in keys-position mode), for key specifications
// and first/last/step, and GetCommandKeysWithFlags from a module.
func TestModGetkeys(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("cfgmod"))
	c := s.Dial()
	mcExpect(t, c, mcBulks("a", "b", "c"), "COMMAND", "GETKEYS", "cfgmod.getkeys", "x", "KEYS", "a", "b", "RO", "c")
	mcExpect(t, c, "*3\r\n*2\r\n$1\r\na\r\n*3\r\n+RW\r\n+access\r\n+update\r\n*2\r\n$1\r\nb\r\n*3\r\n+RW\r\n+access\r\n+update\r\n*2\r\n$1\r\nc\r\n*2\r\n+RO\r\n+access\r\n",
		"COMMAND", "GETKEYSANDFLAGS", "cfgmod.getkeys", "x", "KEYS", "a", "b", "RO", "c")
	mcExpect(t, c, "-ERR Invalid arguments specified for command\r\n", "COMMAND", "GETKEYS", "cfgmod.getkeys", "x")
	mcExpect(t, c, "-ERR Invalid arguments specified for command\r\n", "COMMAND", "GETKEYS", "cfgmod.getkeys", "PANIC", "KEYS", "a")
	s.mustAlive()
	mcExpect(t, c, "+OK\r\n", "cfgmod.getkeys", "x", "KEYS", "a") // executed normally, it replies
	// COMMAND INFO says movablekeys for the getkeys-api.
	if got := mcParse(t, c.Do("COMMAND", "INFO", "cfgmod.getkeys")).kids[0].kids[2].raw; got != "*3\r\n+readonly\r\n+module\r\n+movablekeys\r\n" {
		t.Errorf("getkeys-api flags %q", got)
	}
	// Key specifications: first/last/step, a keyword/keynum spec, and a
	// subcommand's positions.
	mcExpect(t, c, mcBulks("a", "c"), "COMMAND", "GETKEYS", "cfgmod.ranged", "a", "1", "c", "2")
	mcExpect(t, c, mcBulks("k", "s1", "s2"), "COMMAND", "GETKEYS", "cfgmod.info", "k", "v", "NX", "FROM", "2", "s1", "s2")
	mcExpect(t, c, "*2\r\n*2\r\n$1\r\nk\r\n*2\r\n+RW\r\n+update\r\n*2\r\n$2\r\ns1\r\n*2\r\n+RO\r\n+access\r\n",
		"COMMAND", "GETKEYSANDFLAGS", "cfgmod.info", "k", "v", "FROM", "1", "s1")
	mcExpect(t, c, mcBulks("k"), "COMMAND", "GETKEYS", "cfgmod.cfg", "touch", "k")
	mcExpect(t, c, "-ERR The command has no key arguments\r\n", "COMMAND", "GETKEYS", "cfgmod.args", "x")
	mcExpect(t, c, "-ERR Invalid number of arguments specified for command\r\n", "COMMAND", "GETKEYS", "cfgmod.info", "k")
	// From a module: GetCommandKeysWithFlags.
	mcExpect(t, c, "*1\r\n*2\r\n:1\r\n:50\r\n", "cfgmod.keys", "set", "k", "v", "GET")                                           // RW access update variable_flags
	mcExpect(t, c, "*2\r\n*2\r\n:3\r\n:50\r\n*2\r\n:5\r\n:17\r\n", "cfgmod.keys", "cfgmod.getkeys", "x", "KEYS", "a", "RO", "b") // via the getkeys-api
	mcExpect(t, c, "*0\r\n", "cfgmod.keys", "ping")
	mcExpect(t, c, "-ERR Invalid command specified\r\n", "cfgmod.keys", "nosuch", "x")
	mcExpect(t, c, "-ERR Invalid number of arguments specified for command\r\n", "cfgmod.keys", "get")
}

// TestModContextFlags: GetContextFlags from the server's real state, and
// the version and utility functions.
func TestModContextFlags(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("cfgmod"))
	c := s.Dial()
	const (
		lua, multi, master, aof, rdb = 1 << 0, 1 << 1, 1 << 2, 1 << 6, 1 << 7
		maxmem, evict, oom, oomWarn  = 1 << 8, 1 << 9, 1 << 10, 1 << 11
		dirty, denyBlock, resp3      = 1 << 19, 1 << 21, 1 << 22
	)
	flags := func(c *Conn) int {
		t.Helper()
		r := c.Do("cfgmod.flags")
		n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(r, ":")))
		if err != nil {
			t.Fatalf("cfgmod.flags = %q", r)
		}
		return n
	}
	if got := flags(c); got != master {
		t.Errorf("plain: %#x, want MASTER", got)
	}
	mcExpect(t, c, "+OK\r\n", "MULTI")
	mcExpect(t, c, "+QUEUED\r\n", "cfgmod.flags")
	mcExpect(t, c, "*1\r\n:"+strconv.Itoa(master|multi|denyBlock)+"\r\n", "EXEC")
	mcExpect(t, c, ":"+strconv.Itoa(master|lua|denyBlock)+"\r\n", "EVAL", "return redis.call('cfgmod.flags')", "0")
	// A WATCHed key changed: the next EXEC will fail.
	mcExpect(t, c, "+OK\r\n", "WATCH", "wk")
	s.Dial().Do("SET", "wk", "1")
	if got := flags(c); got != master|dirty {
		t.Errorf("after a watched key changed: %#x, want MASTER|MULTI_DIRTY", got)
	}
	mcExpect(t, c, "+OK\r\n", "UNWATCH")
	// Persistence and memory settings.
	mcExpect(t, c, "+OK\r\n", "CONFIG", "SET", "save", "3600 1", "maxmemory", "1gb")
	if got := flags(c); got != master|rdb|maxmem {
		t.Errorf("with save points and maxmemory: %#x", got)
	}
	mcExpect(t, c, "+OK\r\n", "CONFIG", "SET", "maxmemory-policy", "allkeys-lru", "appendonly", "yes")
	time.Sleep(100 * time.Millisecond)
	if got := flags(c); got&(master|rdb|maxmem|evict|aof) != master|rdb|maxmem|evict|aof {
		t.Errorf("with an evicting policy and the AOF: %#x", got)
	}
	mcExpect(t, c, "+OK\r\n", "CONFIG", "SET", "maxmemory", "1")
	if got := flags(c); got&(oom|oomWarn) != oom|oomWarn {
		t.Errorf("over maxmemory: %#x lacks OOM and OOM_WARNING", got)
	}
	mcExpect(t, c, "+OK\r\n", "CONFIG", "SET", "maxmemory", "0", "save", "", "appendonly", "no")
	r3 := s.Dial()
	r3.Do("HELLO", "3")
	if got := flags(r3); got != master|resp3 {
		t.Errorf("RESP3 client: %#x", got)
	}

	// Version, type method version, module names, all flags.
	mcExpect(t, c, "*5\r\n:"+strconv.Itoa(0x0007000f)+"\r\n:4\r\n:1\r\n:0\r\n:"+strconv.Itoa(1<<25-1)+"\r\n", "cfgmod.version")
	if !strings.Contains(c.Do("INFO", "server"), "redis_version:7.0.15\r\n") {
		t.Errorf("GetServerVersion must match INFO's redis_version")
	}
	// Cluster (none), clocks, random hex, redaction.
	misc := mcParse(t, c.Do("cfgmod.misc"))
	want := []string{"", "0", "0", "ERR This instance has cluster support disabled", "ERR This instance has cluster support disabled"}
	for i, w := range want {
		if misc.kids[i].str() != w {
			t.Errorf("cfgmod.misc[%d] = %q, want %q", i, misc.kids[i].str(), w)
		}
	}
	if got := misc.raw[len(misc.raw)-len(":1\r\n:1\r\n:8\r\n:1\r\n"):]; got != ":1\r\n:1\r\n:8\r\n:1\r\n" {
		t.Errorf("clocks, hex and redaction %q (whole reply %q)", got, misc.raw)
	}
	mcExpect(t, c, "+OK\r\n", "CONFIG", "SET", "slowlog-log-slower-than", "0", "latency-monitor-threshold", "10")
	c.Do("SLOWLOG", "RESET")
	c.Do("cfgmod.misc", "secret-arg")
	if lat := c.Do("LATENCY", "LATEST"); !strings.Contains(lat, "$11\r\ncfgmod-misc\r\n") || !strings.Contains(lat, ":25\r\n") || strings.Contains(lat, "cfgmod-fast") {
		t.Errorf("LatencyAddSample: LATENCY LATEST %q", lat)
	}
	if log := c.Do("SLOWLOG", "GET", "2"); strings.Contains(log, "secret-arg") || !strings.Contains(log, "(redacted)") {
		t.Errorf("RedactClientCommandArgument: SLOWLOG %q", log)
	}
}

// TestModConfigGetCommandKeys: GetCommandKeys (positions only) from a module,
// for key specifications, a subcommand, a getkeys-api command, a command
// without keys, and its errors.
func TestModConfigGetCommandKeys(t *testing.T) {
	s := startServer(t, "--loadmodule", plugin("cfgmod"))
	c := s.Dial()
	mcExpect(t, c, "*1\r\n:1\r\n", "cfgmod.keypos", "set", "k", "v")
	mcExpect(t, c, "*2\r\n:1\r\n:3\r\n", "cfgmod.keypos", "mset", "a", "1", "b", "2")
	mcExpect(t, c, "*1\r\n:2\r\n", "cfgmod.keypos", "object", "encoding", "k")
	mcExpect(t, c, "*2\r\n:3\r\n:5\r\n", "cfgmod.keypos", "cfgmod.getkeys", "x", "KEYS", "a", "RO", "b")
	mcExpect(t, c, "*2\r\n:1\r\n:3\r\n", "cfgmod.keypos", "cfgmod.ranged", "a", "1", "c", "2")
	mcExpect(t, c, "*0\r\n", "cfgmod.keypos", "ping")
	mcExpect(t, c, "-ERR Invalid command specified\r\n", "cfgmod.keypos", "nosuch", "x")
	mcExpect(t, c, "-ERR Invalid number of arguments specified for command\r\n", "cfgmod.keypos", "get")
}
