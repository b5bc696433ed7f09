package host

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"modis/host/internal/types"
)

// The expected splits were checked against Redis's sdssplitargs through
// redis-cli 7.0.15 (which splits its input lines with it).
func TestSplitArgsRedis(t *testing.T) {
	tests := []struct {
		line    string
		want    []string
		wantErr string
	}{
		{"", nil, ""},
		{"   \t ", nil, ""},
		{"set k v", []string{"set", "k", "v"}, ""},
		{"  a   b  ", []string{"a", "b"}, ""},
		{"a\tb\r\nc", []string{"a", "b", "c"}, ""},
		// Between arguments, any of C's isspace characters separates ...
		{"\v\fa \v\fb", []string{"a", "b"}, ""},
		// ... but inside an unquoted argument only space, tab, CR and LF do.
		{"a\vb", []string{"a\vb"}, ""},
		{"\va\fb", []string{"a\fb"}, ""},
		{`"hello world"`, []string{"hello world"}, ""},
		{`"a\x41b"`, []string{"aAb"}, ""},
		{`"\x4a\x4B"`, []string{"JK"}, ""},
		{`"\x00"`, []string{"\x00"}, ""},
		{`"\xZZ"`, []string{"xZZ"}, ""}, // not hex: \x is x
		{`"\x4"`, []string{"x4"}, ""},
		{`"\n\r\t\b\a"`, []string{"\n\r\t\b\a"}, ""},
		{`"\\ \" \q"`, []string{`\ " q`}, ""},
		{`'it\'s'`, []string{"it's"}, ""},
		{`'a\nb\x41'`, []string{`a\nb\x41`}, ""}, // single quotes: only \'
		{`'a"b'`, []string{`a"b`}, ""},
		{`"a'b"`, []string{`a'b`}, ""},
		{`foo"bar"`, []string{"foobar"}, ""},
		{`foo'bar' baz`, []string{"foobar", "baz"}, ""},
		{`""`, []string{""}, ""},
		{`'' ""`, []string{"", ""}, ""},
		{`"a"	b`, []string{"a", "b"}, ""},
		{"\"a\"\vb", []string{"a", "b"}, ""},
		{"\"a\"\fb", []string{"a", "b"}, ""},
		{`loadmodule "/a b/m.so" 'x y' z`, []string{"loadmodule", "/a b/m.so", "x y", "z"}, ""},
		{`"unbalanced`, nil, "unbalanced quotes"},
		{`'unbalanced`, nil, "unbalanced quotes"},
		{`"a\"`, nil, "unbalanced quotes"},
		{`"a\`, nil, "unbalanced quotes"},
		{`"a"b`, nil, "closing quote must be followed by a space"},
		{`'a'b`, nil, "closing quote must be followed by a space"},
		{`a"b c"d`, nil, "closing quote must be followed by a space"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got, err := SplitArgs(tt.line)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("SplitArgs(%q) = %q, %v; want error %q", tt.line, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SplitArgs(%q) = %q, %v; want %q", tt.line, got, err, tt.want)
			}
		})
	}
}

func TestDefaultConfigValues(t *testing.T) {
	want := Config{
		Port:                6379,
		Bind:                []string{"127.0.0.1"},
		LogLevel:            "notice",
		LogFormat:           "text",
		EnableModuleCommand: "local",
		Databases:           16,
		Hz:                  10,
		HashMaxEntries:      512,
		HashMaxValue:        64,
	}
	if got := DefaultConfig(); !reflect.DeepEqual(got, want) {
		t.Errorf("DefaultConfig() =\n%+v\nwant\n%+v", got, want)
	}
	// Each call returns its own Bind slice.
	a, b := DefaultConfig(), DefaultConfig()
	a.Bind[0] = "changed"
	if b.Bind[0] != "127.0.0.1" {
		t.Error("DefaultConfig shares its Bind slice")
	}
}

// cfgWriteFile writes content to a file in a temporary directory.
func cfgWriteFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "modis.conf")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConfigLoadFile(t *testing.T) {
	path := cfgWriteFile(t, strings.Join([]string{
		"# modis test config",
		"",
		"   # an indented comment",
		"PORT 6380\r", // directives are case-insensitive; CRLF files work
		"bind 127.0.0.1 ::1",
		"\t loglevel   WARNING  ",
		"loadmodule /opt/a.so x y",
		`loadmodule "/opt/with space/b.so" 'arg one' "t\x41b"`,
		"loadmodule /opt/c.so",
		"hz 1000",
		"hash-max-listpack-entries 512",
		"enable-module-command yes",
		"",
	}, "\n"))
	c := DefaultConfig()
	if err := c.LoadFile(path); err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	want := DefaultConfig()
	want.Port = 6380
	want.Bind = []string{"127.0.0.1", "::1"}
	want.LogLevel = "warning"
	want.LoadModules = []ModuleSpec{
		{Path: "/opt/a.so", Args: []string{"x", "y"}},
		{Path: "/opt/with space/b.so", Args: []string{"arg one", "tAb"}},
		{Path: "/opt/c.so", Args: []string{}},
	}
	want.Hz = 500 // Redis clamps hz
	want.HashMaxEntries = 512
	want.EnableModuleCommand = "yes"
	want.ConfigFile = path
	if !reflect.DeepEqual(c, want) {
		t.Errorf("LoadFile:\n got %+v\nwant %+v", c, want)
	}
}

func TestConfigLoadFileErrors(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string // the error after "PATH:"
	}{
		{"unknown directive", "port 6380\n# fine\nfrobnicate 1 2\n", `3: unknown directive "frobnicate"`},
		{"unknown directive keeps its case", "\nFrobNicate\n", `2: unknown directive "FrobNicate"`},
		{"bad number", "port 6380\nport 70000\n", "2: port: argument must be between 0 and 65535 inclusive"},
		{"not a number", "hz fast\n", "1: hz: argument couldn't be parsed into an integer"},
		{"a plus sign is no number", "databases +4\n", "1: databases: argument couldn't be parsed into an integer"},
		{"bad enum", "loglevel loud\n", "1: loglevel: argument(s) must be one of the following: debug, verbose, notice, warning"},
		{"too many arguments", "port 1 2\n", "1: port: wrong number of arguments"},
		{"no argument", "port\n", "1: port: wrong number of arguments"},
		{"loadmodule without a path", "loadmodule\n", "1: loadmodule: wrong number of arguments"},
		{"unbalanced quotes", "bind \"127.0.0.1\n", "1: unbalanced quotes"},
		{"closing quote", "bind \"a\"b\n", "1: closing quote must be followed by a space"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := cfgWriteFile(t, tt.content)
			c := DefaultConfig()
			err := c.LoadFile(path)
			if err == nil || err.Error() != path+":"+tt.want {
				t.Fatalf("LoadFile error = %v\nwant %s:%s", err, path, tt.want)
			}
			if c.ConfigFile != "" {
				t.Errorf("ConfigFile set after a failed load: %q", c.ConfigFile)
			}
		})
	}
	c := DefaultConfig()
	err := c.LoadFile(filepath.Join(t.TempDir(), "missing.conf"))
	if !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "read config: ") {
		t.Errorf("missing file: %v", err)
	}
}

func TestConfigSetParams(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
		check   func(c *Config) bool
	}{
		{"port", []string{"6380"}, "", func(c *Config) bool { return c.Port == 6380 }},
		{"PORT", []string{"0"}, "", func(c *Config) bool { return c.Port == 0 }},
		{"port", []string{"65536"}, "argument must be between 0 and 65535 inclusive", nil},
		{"port", []string{"-1"}, "argument must be between 0 and 65535 inclusive", nil},
		{"port", []string{"+6380"}, "argument couldn't be parsed into an integer", nil},
		{"port", []string{"06380"}, "argument couldn't be parsed into an integer", nil},
		{"port", []string{" 6380"}, "argument couldn't be parsed into an integer", nil},
		{"port", []string{"63.5"}, "argument couldn't be parsed into an integer", nil},
		{"port", []string{"99999999999999999999"}, "argument couldn't be parsed into an integer", nil},
		{"port", nil, "wrong number of arguments", nil},
		{"port", []string{"1", "2"}, "wrong number of arguments", nil},
		{"bind", []string{"0.0.0.0", "::"}, "", func(c *Config) bool { return reflect.DeepEqual(c.Bind, []string{"0.0.0.0", "::"}) }},
		{"bind", nil, "wrong number of arguments", nil},
		{"loadmodule", []string{"/m.so", "a"}, "", func(c *Config) bool {
			return reflect.DeepEqual(c.LoadModules, []ModuleSpec{{Path: "/m.so", Args: []string{"a"}}})
		}},
		{"loadmodule", nil, "wrong number of arguments", nil},
		{"loglevel", []string{"debug"}, "", func(c *Config) bool { return c.LogLevel == "debug" }},
		{"loglevel", []string{"Verbose"}, "", func(c *Config) bool { return c.LogLevel == "verbose" }},
		{"loglevel", []string{"nothing"}, "argument(s) must be one of the following: debug, verbose, notice, warning", nil},
		{"loglevel", []string{"debug", "x"}, "wrong number of arguments", nil},
		{"log-format", []string{"JSON"}, "", func(c *Config) bool { return c.LogFormat == "json" }},
		{"log-format", []string{"xml"}, "argument(s) must be one of the following: text, json", nil},
		{"enable-module-command", []string{"no"}, "", func(c *Config) bool { return c.EnableModuleCommand == "no" }},
		{"enable-module-command", []string{"maybe"}, "argument(s) must be one of the following: yes, no, local", nil},
		{"databases", []string{"1"}, "", func(c *Config) bool { return c.Databases == 1 }},
		{"databases", []string{"0"}, "argument must be between 1 and 1048576 inclusive", nil},
		// hz: Redis accepts 0..INT_MAX and uses 1..500.
		{"hz", []string{"100"}, "", func(c *Config) bool { return c.Hz == 100 }},
		{"hz", []string{"1000"}, "", func(c *Config) bool { return c.Hz == 500 }},
		{"hz", []string{"0"}, "", func(c *Config) bool { return c.Hz == 1 }},
		{"hz", []string{"-1"}, "argument must be between 0 and 2147483647 inclusive", nil},
		{"hz", []string{"2147483648"}, "argument must be between 0 and 2147483647 inclusive", nil},
		{"timeout", []string{"300"}, "", func(c *Config) bool { return c.Timeout == 300 }},
		{"timeout", []string{"-1"}, "argument must be between 0 and 2147483647 inclusive", nil},
		{"hash-max-listpack-entries", []string{"0"}, "", func(c *Config) bool { return c.HashMaxEntries == 0 }},
		{"hash-max-listpack-entries", []string{"-1"}, "argument must be between 0 and 9223372036854775807 inclusive", nil},
		{"hash-max-listpack-value", []string{"1024"}, "", func(c *Config) bool { return c.HashMaxValue == 1024 }},
		// Parameters reported but not settable, and unknown ones.
		{"save", []string{""}, `unknown directive "save"`, nil},
		{"appendonly", []string{"no"}, `unknown directive "appendonly"`, nil},
		{"nosuch", []string{"1"}, `unknown directive "nosuch"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name+" "+strings.Join(tt.args, " "), func(t *testing.T) {
			c := DefaultConfig()
			err := c.Set(tt.name, tt.args)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Set error = %v, want %q", err, tt.wantErr)
				}
				if !reflect.DeepEqual(c, DefaultConfig()) {
					t.Errorf("a failed Set changed the config: %+v", c)
				}
				return
			}
			if err != nil {
				t.Fatalf("Set: %v", err)
			}
			if !tt.check(&c) {
				t.Errorf("after Set: %+v", c)
			}
		})
	}
}

// Set copies the arguments it keeps.
func TestConfigSetCopies(t *testing.T) {
	c := DefaultConfig()
	args := []string{"1.2.3.4", "5.6.7.8"}
	if err := c.Set("bind", args); err != nil {
		t.Fatal(err)
	}
	args[0] = "changed"
	if c.Bind[0] != "1.2.3.4" {
		t.Errorf("Bind shares the caller's slice: %q", c.Bind)
	}
	if err := c.Set("loadmodule", []string{"/a.so", "x"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Set("loadmodule", []string{"/b.so"}); err != nil {
		t.Fatal(err)
	}
	if len(c.LoadModules) != 2 || c.LoadModules[1].Path != "/b.so" {
		t.Errorf("loadmodule does not accumulate: %+v", c.LoadModules)
	}
}

func TestConfigGetMatching(t *testing.T) {
	c := DefaultConfig()
	c.Bind = []string{"127.0.0.1", "::1"}
	c.LoadModules = []ModuleSpec{{Path: "/a.so", Args: []string{"x", "y"}}, {Path: "/b.so"}}
	allNames := []string{
		"port", "bind", "loadmodule", "loglevel", "log-format", "enable-module-command",
		"databases", "hz", "timeout", "hash-max-listpack-entries", "hash-max-listpack-value",
		"save", "appendonly", "maxmemory", "maxmemory-policy",
	}
	tests := []struct {
		pattern string
		want    [][2]string
	}{
		{"port", [][2]string{{"port", "6379"}}},
		{"PORT", [][2]string{{"port", "6379"}}}, // case-insensitive
		{"*max-*-entries*", [][2]string{{"hash-max-listpack-entries", "512"}}},
		{"hash-max-*", [][2]string{{"hash-max-listpack-entries", "512"}, {"hash-max-listpack-value", "64"}}},
		{"h?", [][2]string{{"hz", "10"}}},
		{"[pb]*", [][2]string{{"port", "6379"}, {"bind", "127.0.0.1 ::1"}}},
		{"loadmodule", [][2]string{{"loadmodule", "/a.so x y, /b.so"}}},
		{"log*", [][2]string{{"loglevel", "notice"}, {"log-format", "text"}}},
		{"*module*", [][2]string{{"loadmodule", "/a.so x y, /b.so"}, {"enable-module-command", "local"}}},
		{"save", [][2]string{{"save", ""}}},
		{"maxmemory*", [][2]string{{"maxmemory", "0"}, {"maxmemory-policy", "noeviction"}}},
		{"appendonly", [][2]string{{"appendonly", "no"}}},
		{"nosuch", nil},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			if got := c.getMatching(tt.pattern); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("getMatching(%q) = %q, want %q", tt.pattern, got, tt.want)
			}
		})
	}
	// "*" lists every parameter of the table, in its order; the ones
	// above are among them in this order.
	var names, table []string
	for _, kv := range c.getMatching("*") {
		names = append(names, kv[0])
	}
	for _, p := range params {
		table = append(table, p.name)
	}
	if !reflect.DeepEqual(names, table) {
		t.Errorf("getMatching(\"*\") names = %q\nwant the table's %q", names, table)
	}
	i := 0
	for _, n := range names {
		if i < len(allNames) && n == allNames[i] {
			i++
		}
	}
	if i != len(allNames) {
		t.Errorf("getMatching(\"*\") = %q lacks %q (in this order)", names, allNames[i:])
	}
}

func TestModuleSpecString(t *testing.T) {
	tests := []struct {
		spec ModuleSpec
		want string
	}{
		{ModuleSpec{Path: "/a.so"}, "/a.so"},
		{ModuleSpec{Path: "/a.so", Args: []string{"x", "y"}}, "/a.so x y"},
	}
	for _, tt := range tests {
		if got := tt.spec.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.spec, got, tt.want)
		}
	}
}

// apply pushes the listpack limits into the types package.
func TestConfigApply(t *testing.T) {
	oldEntries, oldValue := types.HashMaxListpackEntries, types.HashMaxListpackValue
	t.Cleanup(func() { types.HashMaxListpackEntries, types.HashMaxListpackValue = oldEntries, oldValue })
	c := DefaultConfig()
	c.HashMaxEntries, c.HashMaxValue = 3, 5
	c.apply()
	if types.HashMaxListpackEntries != 3 || types.HashMaxListpackValue != 5 {
		t.Errorf("apply: entries %d value %d", types.HashMaxListpackEntries, types.HashMaxListpackValue)
	}
}

// CONFIG SET and GET go through the same table: hz is clamped as in Redis.
func TestConfigCommandsUseTheTable(t *testing.T) {
	runScripts(t, []script{{name: "config hz and integers", steps: []step{
		{"CONFIG SET hz 1000", rOK},
		{"CONFIG GET hz", bulks("hz", "500")},
		{"CONFIG SET hz 0", rOK},
		{"CONFIG GET hz", bulks("hz", "1")},
		{"CONFIG SET hz +5", errr("ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer")},
		{"CONFIG SET hz -1", errr("ERR CONFIG SET failed (possibly related to argument 'hz') - argument must be between 0 and 2147483647 inclusive")},
		{"CONFIG SET hash-max-listpack-entries 007", errr("ERR CONFIG SET failed (possibly related to argument 'hash-max-listpack-entries') - argument couldn't be parsed into an integer")},
		{"CONFIG SET loglevel foo", errr("ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning")},
		{"CONFIG SET hz 10", rOK},
		{"CONFIG GET hz", bulks("hz", "10")},
	}}})
}
