package host

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"

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
	dir, _ := os.Getwd()
	want := Config{
		Port:                       6379,
		Bind:                       []string{"127.0.0.1"},
		LogLevel:                   "notice",
		LogFormat:                  "text",
		EnableModuleCommand:        "local",
		EnableDebugCommand:         "local",
		EnableProtectedConfigs:     "no",
		Databases:                  16,
		Hz:                         10,
		TCPKeepalive:               300,
		MaxClients:                 10000,
		ProtectedMode:              true,
		Dir:                        dir,
		HashMaxEntries:             512,
		HashMaxValue:               64,
		SetMaxIntsetEntries:        512,
		ZSetMaxEntries:             128,
		ZSetMaxValue:               64,
		BusyReplyThreshold:         5000,
		MaxMemoryPolicy:            "noeviction",
		MaxMemorySamples:           5,
		MaxMemoryEvictionTenacity:  10,
		LFULogFactor:               10,
		LFUDecayTime:               1,
		ProtoMaxBulkLen:            512 << 20,
		SlowlogLogSlowerThan:       10000,
		SlowlogMaxLen:              128,
		LatencyTracking:            true,
		LatencyTrackingPercentiles: []float64{50, 99, 99.9},
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
	// Every parameter's default reads back as Redis 7.0.15 reports it
	// (checked with CONFIG GET * against redis-server 7.0.15; port, bind,
	// dir, save, daemonize, the module and debug command switches and
	// the features Modis does not have are Modis's own).
	c := DefaultConfig()
	redis := map[string]string{
		"maxmemory": "0", "maxmemory-policy": "noeviction", "maxmemory-samples": "5",
		"maxmemory-eviction-tenacity": "10", "maxmemory-clients": "0", "lfu-log-factor": "10",
		"lfu-decay-time": "1", "slowlog-log-slower-than": "10000", "slowlog-max-len": "128",
		"latency-monitor-threshold": "0", "latency-tracking": "yes",
		"latency-tracking-info-percentiles": "50 99 99.9", "maxclients": "10000",
		"proto-max-bulk-len": "536870912", "set-max-intset-entries": "512",
		"zset-max-listpack-entries": "128", "zset-max-listpack-value": "64",
		"zset-max-ziplist-entries": "128", "hash-max-ziplist-value": "64",
		"list-max-listpack-size": "-2", "list-max-ziplist-size": "-2", "tcp-keepalive": "300",
		"timeout": "0", "databases": "16", "hz": "10", "requirepass": "", "protected-mode": "yes",
		"appendonly": "no", "save": "", "io-threads": "1", "cluster-enabled": "no",
		"dbfilename": "dump.rdb", "appendfsync": "everysec", "tcp-backlog": "511",
		"client-output-buffer-limit": "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
		"oom-score-adj-values":       "0 200 800", "repl-backlog-size": "1048576",
		"client-query-buffer-limit": "1073741824", "auto-aof-rewrite-min-size": "67108864",
		"active-defrag-ignore-bytes": "104857600", "slave-priority": "100", "lua-time-limit": "5000",
		"supervised": "no", "syslog-facility": "local0", "unixsocketperm": "0", "replicaof": "",
		"notify-keyspace-events": "", "enable-protected-configs": "no",
	}
	for name, want := range redis {
		got := c.getMatching(name)
		if len(got) != 1 || got[0][1] != want {
			t.Errorf("CONFIG GET %s = %q, want %q", name, got, want)
		}
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
		{"enable-module-command", []string{"maybe"}, "argument(s) must be one of the following: no, yes, local", nil},
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
		// Features Modis does not have: only what Modis does is accepted.
		{"save", []string{""}, "", func(c *Config) bool { return true }},
		{"save", []string{"3600", "1", "60", "5"}, "", func(c *Config) bool { return reflect.DeepEqual(c.SavePoints, [][2]int64{{3600, 1}, {60, 5}}) }},
		{"save", []string{"3600"}, "Invalid save parameters", nil},
		{"appendonly", []string{"no"}, "", func(c *Config) bool { return true }},
		{"appendonly", []string{"yes"}, "", func(c *Config) bool { return c.aofEnabled() }},
		{"appendonly", []string{"maybe"}, "argument must be 'yes' or 'no'", nil},
		// Memory values, as Redis's memtoull.
		{"maxmemory", []string{"100mb"}, "", func(c *Config) bool { return c.MaxMemory == 100<<20 }},
		{"maxmemory", []string{"1GB"}, "", func(c *Config) bool { return c.MaxMemory == 1<<30 }},
		{"maxmemory", []string{"1g"}, "", func(c *Config) bool { return c.MaxMemory == 1e9 }},
		{"maxmemory", []string{"100k"}, "", func(c *Config) bool { return c.MaxMemory == 100000 }},
		{"maxmemory", []string{"5kb"}, "", func(c *Config) bool { return c.MaxMemory == 5120 }},
		{"maxmemory", []string{"007"}, "", func(c *Config) bool { return c.MaxMemory == 7 }},
		{"maxmemory", []string{"mb"}, "", func(c *Config) bool { return c.MaxMemory == 0 }},
		{"maxmemory", []string{"1.5mb"}, "argument must be a memory value", nil},
		{"maxmemory", []string{"-1"}, "argument must be a memory value", nil},
		{"maxmemory", []string{"+5"}, "argument must be a memory value", nil},
		{"maxmemory", []string{"10tb"}, "argument must be a memory value", nil},
		{"maxmemory-policy", []string{"ALLKEYS-LRU"}, "", func(c *Config) bool { return c.MaxMemoryPolicy == "allkeys-lru" }},
		{"maxmemory-policy", []string{"lru"}, "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction", nil},
		{"maxmemory-samples", []string{"0"}, "argument must be between 1 and 2147483647 inclusive", nil},
		{"maxclients", []string{"0"}, "argument must be between 1 and 4294967295 inclusive", nil},
		{"proto-max-bulk-len", []string{"100"}, "argument must be between 1048576 and 9223372036854775807 inclusive", nil},
		{"proto-max-bulk-len", []string{"1mb"}, "", func(c *Config) bool { return c.ProtoMaxBulkLen == 1<<20 }},
		{"maxmemory-clients", []string{"10%"}, "", func(c *Config) bool { return c.Extra["maxmemory-clients"] == "10%" }},
		{"slowlog-log-slower-than", []string{"-1"}, "", func(c *Config) bool { return c.SlowlogLogSlowerThan == -1 }},
		{"slowlog-log-slower-than", []string{"-2"}, "argument must be between -1 and 9223372036854775807 inclusive", nil},
		{"latency-tracking-info-percentiles", []string{"50", "101"}, "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]", nil},
		{"latency-tracking-info-percentiles", []string{"50.5", "99"}, "", func(c *Config) bool {
			return reflect.DeepEqual(c.LatencyTrackingPercentiles, []float64{50.5, 99})
		}},
		{"client-output-buffer-limit", []string{"pubsub", "1mb", "2mb", "3"}, "", func(c *Config) bool {
			return c.Extra["client-output-buffer-limit"] == "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 2097152 3"
		}},
		{"client-output-buffer-limit", []string{"foo", "1", "2", "3"}, "Invalid client class specified in buffer limit configuration.", nil},
		{"client-output-buffer-limit", []string{"normal", "1", "2"}, "Wrong number of arguments in buffer limit configuration.", nil},
		{"activerehashing", []string{"YES"}, "", func(c *Config) bool { return c.Extra["activerehashing"] == "yes" }},
		{"activerehashing", []string{""}, "argument must be 'yes' or 'no'", nil},
		{"hash-max-ziplist-entries", []string{"7"}, "", func(c *Config) bool { return c.HashMaxEntries == 7 }},
		{"replicaof", []string{"no", "one"}, "", func(c *Config) bool { return true }},
		{"replicaof", []string{"10.0.0.1", "6379"}, "Modis does not support replication", nil},
		// Unknown ones.
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
	tests := []struct {
		patterns []string
		want     [][2]string
	}{
		{[]string{"port"}, [][2]string{{"port", "6379"}}},
		// A plain name is answered under the name as given, as Redis does.
		{[]string{"PORT"}, [][2]string{{"PORT", "6379"}}},
		{[]string{"Hash-Max-Ziplist-Entries"}, [][2]string{{"Hash-Max-Ziplist-Entries", "512"}}},
		// Patterns match names and aliases, case-insensitively.
		{[]string{"hash-max-*"}, [][2]string{{"hash-max-listpack-entries", "512"}, {"hash-max-ziplist-entries", "512"},
			{"hash-max-listpack-value", "64"}, {"hash-max-ziplist-value", "64"}}},
		{[]string{"HASH-MAX-LISTPACK-*"}, [][2]string{{"hash-max-listpack-entries", "512"}, {"hash-max-listpack-value", "64"}}},
		{[]string{"h?"}, [][2]string{{"hz", "10"}}},
		{[]string{"loadmodule"}, [][2]string{{"loadmodule", "/a.so x y, /b.so"}}},
		{[]string{"bind"}, [][2]string{{"bind", "127.0.0.1 ::1"}}},
		{[]string{"save"}, [][2]string{{"save", ""}}},
		{[]string{"maxmemory*"}, [][2]string{{"maxmemory", "0"}, {"maxmemory-policy", "noeviction"}, {"maxmemory-samples", "5"},
			{"maxmemory-eviction-tenacity", "10"}, {"maxmemory-clients", "0"}}},
		{[]string{"slowlog*"}, [][2]string{{"slowlog-log-slower-than", "10000"}, {"slowlog-max-len", "128"}}},
		{[]string{"appendonly"}, [][2]string{{"appendonly", "no"}}},
		// Each name once, across arguments.
		{[]string{"maxmemory", "MAXMEMORY", "maxmem*"}, [][2]string{{"maxmemory", "0"}, {"maxmemory-policy", "noeviction"},
			{"maxmemory-samples", "5"}, {"maxmemory-eviction-tenacity", "10"}, {"maxmemory-clients", "0"}}},
		{[]string{"nosuch"}, nil},
		{[]string{""}, nil},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.patterns, " "), func(t *testing.T) {
			if got := c.getMatching(tt.patterns...); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("getMatching(%q) = %q, want %q", tt.patterns, got, tt.want)
			}
		})
	}
	// "*" lists every parameter and alias of the table, in its order.
	var names, table []string
	for _, kv := range c.getMatching("*") {
		names = append(names, kv[0])
	}
	for _, p := range params {
		table = append(table, p.name)
		if p.alias != "" {
			table = append(table, p.alias)
		}
	}
	if !reflect.DeepEqual(names, table) {
		t.Errorf("getMatching(\"*\") names = %q\nwant the table's %q", names, table)
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

// A stock redis.conf (Debian's redis-server 7.0.15, its active lines)
// loads: what Modis cannot honour is accepted with a warning.
func TestConfigLoadStockRedisConf(t *testing.T) {
	path := cfgWriteFile(t, `bind 127.0.0.1 -::1
protected-mode yes
port 6379
tcp-backlog 511
timeout 0
tcp-keepalive 300
daemonize yes
pidfile /run/redis/redis-server.pid
loglevel notice
logfile /var/log/redis/redis-server.log
databases 16
always-show-logo no
set-proc-title yes
proc-title-template "{title} {listen-addr} {server-mode}"
stop-writes-on-bgsave-error yes
rdbcompression yes
rdbchecksum yes
dbfilename dump.rdb
rdb-del-sync-files no
dir ./
replica-serve-stale-data yes
replica-read-only yes
repl-diskless-sync yes
repl-diskless-sync-delay 5
repl-diskless-sync-max-replicas 0
repl-diskless-load disabled
repl-disable-tcp-nodelay no
replica-priority 100
acllog-max-len 128
lazyfree-lazy-eviction no
lazyfree-lazy-expire no
lazyfree-lazy-server-del no
replica-lazy-flush no
lazyfree-lazy-user-del no
lazyfree-lazy-user-flush no
oom-score-adj no
oom-score-adj-values 0 200 800
disable-thp yes
appendonly no
appendfilename "appendonly.aof"
appenddirname "appendonlydir"
appendfsync everysec
no-appendfsync-on-rewrite no
auto-aof-rewrite-percentage 100
auto-aof-rewrite-min-size 64mb
aof-load-truncated yes
aof-use-rdb-preamble yes
aof-timestamp-enabled no
slowlog-log-slower-than 10000
slowlog-max-len 128
latency-monitor-threshold 0
notify-keyspace-events ""
hash-max-listpack-entries 512
hash-max-listpack-value 64
list-max-listpack-size -2
list-compress-depth 0
set-max-intset-entries 512
zset-max-listpack-entries 128
zset-max-listpack-value 64
hll-sparse-max-bytes 3000
stream-node-max-bytes 4096
stream-node-max-entries 100
activerehashing yes
client-output-buffer-limit normal 0 0 0
client-output-buffer-limit replica 256mb 64mb 60
client-output-buffer-limit pubsub 32mb 8mb 60
hz 10
dynamic-hz yes
aof-rewrite-incremental-fsync yes
rdb-save-incremental-fsync yes
jemalloc-bg-thread yes
save 3600 1
save 300 100
save 60 10000
supervised no
maxmemory 100mb
maxmemory-policy allkeys-lru
requirepass foobared
`)
	c := DefaultConfig()
	if err := c.LoadFile(path); err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	if !reflect.DeepEqual(c.Bind, []string{"127.0.0.1", "-::1"}) || c.MaxMemory != 100<<20 || c.MaxMemoryPolicy != "allkeys-lru" ||
		c.RequirePass != "foobared" || c.TCPKeepalive != 300 {
		t.Errorf("honoured directives: %+v", c)
	}
	var ignored []string
	for _, w := range c.Warnings() {
		ignored = append(ignored, strings.Fields(strings.SplitN(w, ": ", 2)[1])[0])
	}
	want := []string{"daemonize", "pidfile", "logfile"}
	if !reflect.DeepEqual(c.SavePoints, [][2]int64{{3600, 1}, {300, 100}, {60, 10000}}) {
		t.Errorf("save lines accumulate: %v", c.SavePoints)
	}
	if !reflect.DeepEqual(ignored, want) {
		t.Errorf("warnings for %q, want %q:\n%s", ignored, want, strings.Join(c.Warnings(), "\n"))
	}
	if got := c.getMatching("client-output-buffer-limit"); got[0][1] != "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60" {
		t.Errorf("client-output-buffer-limit: %q", got)
	}
}

// Every parameter CONFIG SET takes is accepted by a config file too: its
// current value, written as a directive, loads back unchanged.
func TestConfigFileTakesEveryParameter(t *testing.T) {
	var lines []string
	base := DefaultConfig()
	for _, p := range params {
		if p.set == nil || p.name == "loadmodule" || p.name == "replicaof" { // replicaof takes "no one" or a host and port
			continue
		}
		v := p.get(&base)
		if p.multiArg && v != "" {
			lines = append(lines, p.name+" "+v)
		} else {
			lines = append(lines, p.name+" "+strconv.Quote(v))
		}
		if p.alias != "" {
			if p.multiArg && v != "" {
				lines = append(lines, p.alias+" "+v)
			} else {
				lines = append(lines, p.alias+" "+strconv.Quote(v))
			}
		}
	}
	path := cfgWriteFile(t, strings.Join(lines, "\n")+"\n")
	c := DefaultConfig()
	if err := c.LoadFile(path); err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	for _, p := range params {
		if got, want := p.get(&c), p.get(&base); got != want {
			t.Errorf("%s: %q after loading, want %q", p.name, got, want)
		}
	}
	if len(c.Warnings()) != 0 {
		t.Errorf("warnings for default values: %q", c.Warnings())
	}
}

func TestConfigInclude(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.conf"), []byte("hz 20\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.conf"), []byte("maxmemory 1mb\n"), 0o644)
	main := filepath.Join(dir, "main.conf")
	os.WriteFile(main, []byte("include "+filepath.Join(dir, "a.conf")+"\ninclude "+filepath.Join(dir, "[b]*.conf")+
		"\ninclude "+filepath.Join(dir, "none-*.conf")+"\nlist-max-ziplist-entries 5\nport 7000\n"), 0o644)
	c := DefaultConfig()
	if err := c.LoadFile(main); err != nil {
		t.Fatal(err)
	}
	if c.Hz != 20 || c.MaxMemory != 1<<20 || c.Port != 7000 {
		t.Errorf("include: hz %d maxmemory %d port %d", c.Hz, c.MaxMemory, c.Port)
	}
	os.WriteFile(main, []byte("include "+filepath.Join(dir, "missing.conf")+"\n"), 0o644)
	if err := c.LoadFile(main); err == nil || !strings.Contains(err.Error(), "missing.conf") {
		t.Errorf("include of a missing file: %v", err)
	}
	os.WriteFile(main, []byte("rename-command FLUSHALL \"\"\n"), 0o644)
	if err := c.LoadFile(main); err == nil || !strings.Contains(err.Error(), "rename-command: not supported by modis") {
		t.Errorf("rename-command: %v", err)
	}
}

// New logs the directives a config file could not honour.
func TestConfigWarningsLogged(t *testing.T) {
	path := cfgWriteFile(t, "daemonize yes\nactiverehashing no\n")
	c := DefaultConfig()
	if err := c.LoadFile(path); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	log := hclog.New(&hclog.LoggerOptions{Output: &buf})
	if _, err := New(c, log); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"daemonize yes: ignored", "activerehashing no: accepted, but modis does not use it"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestConfigRewrite(t *testing.T) {
	path := cfgWriteFile(t, strings.Join([]string{
		"# my server",
		"port 7000",
		"maxmemory 10mb",
		"save 3600 1",
		"hz 20",
		"HZ 30", // a second hz line goes
		"client-output-buffer-limit normal 0 0 0",
		"client-output-buffer-limit pubsub 32mb 8mb 60",
		"",
	}, "\n"))
	c := DefaultConfig()
	if err := c.LoadFile(path); err != nil {
		t.Fatal(err)
	}
	for _, kv := range [][2]string{{"maxmemory", "2mb"}, {"maxmemory-policy", "allkeys-lru"}, {"requirepass", "a b"}, {"hz", "15"}} {
		if err := c.Set(kv[0], []string{kv[1]}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Rewrite(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	want := strings.Join([]string{
		"# my server",
		"port 7000",
		"maxmemory 2097152",
		"save 3600 1",
		"hz 15",
		"client-output-buffer-limit normal 0 0 0",
		"client-output-buffer-limit slave 268435456 67108864 60",
		"client-output-buffer-limit pubsub 33554432 8388608 60",
		"# Generated by CONFIG REWRITE",
		"requirepass \"a b\"",
		"maxmemory-policy allkeys-lru",
		"",
	}, "\n")
	if string(b) != want {
		t.Errorf("rewritten file:\n%s\nwant\n%s", b, want)
	}
	// The rewritten file loads back to the same configuration.
	c2 := DefaultConfig()
	if err := c2.LoadFile(path); err != nil {
		t.Fatal(err)
	}
	for _, p := range params {
		if p.get(&c2) != p.get(&c) {
			t.Errorf("%s: %q after reloading, was %q", p.name, p.get(&c2), p.get(&c))
		}
	}
	// Rewriting again changes nothing.
	if err := c2.Rewrite(); err != nil {
		t.Fatal(err)
	}
	if b2, _ := os.ReadFile(path); string(b2) != want {
		t.Errorf("second rewrite:\n%s", b2)
	}
}
