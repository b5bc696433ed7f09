package host

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"modis/host/internal/glob"
	"modis/host/internal/types"
	"modis/sdk"
)

// ModuleSpec is one module to load at startup: a path and its arguments.
type ModuleSpec struct {
	Path string
	Args []string
}

// String gives the spec as it is written in a config file.
func (m ModuleSpec) String() string {
	return strings.TrimSpace(m.Path + " " + strings.Join(m.Args, " "))
}

// Config is the server's configuration. cmd/server fills it from flags and a
// redis.conf-style file; CONFIG GET and SET read and change it at run time
// under the execution lock.
type Config struct {
	Port                   int
	Bind                   []string // an address with a leading "-" may be unavailable
	LoadModules            []ModuleSpec
	LogLevel               string // debug, verbose, notice, warning
	LogFormat              string // text or json
	EnableModuleCommand    string // yes, no or local
	EnableDebugCommand     string // yes, no or local
	EnableProtectedConfigs string // yes, no or local
	Databases              int
	Hz                     int // active expire cycles per second
	Timeout                int // close idle clients after this many seconds; 0 never
	TCPKeepalive           int // seconds; 0 off
	MaxClients             int
	RequirePass            string // the default user's password; "" none
	ProtectedMode          bool   // without a password, refuse non-loopback clients
	Dir                    string // the working directory, as CONFIG GET dir reports it
	HashMaxEntries         int
	HashMaxValue           int
	SetMaxIntsetEntries    int
	ZSetMaxEntries         int
	ZSetMaxValue           int
	// NotifyKeyspaceEvents is notify-keyspace-events in canonical form
	// ("" off; class letters and K/E as Redis prints them).
	NotifyKeyspaceEvents string
	MaxMemory            int64 // bytes; 0 no limit
	// BusyReplyThreshold (lua-time-limit) is how long, in ms, a script may
	// run: Modis stops it then (see docs/configuration.md). 0: no limit.
	BusyReplyThreshold         int64
	MaxMemoryPolicy            string
	MaxMemorySamples           int
	MaxMemoryEvictionTenacity  int
	LFULogFactor               int
	LFUDecayTime               int
	ProtoMaxBulkLen            int64
	SlowlogLogSlowerThan       int64 // microseconds; -1 off, 0 everything
	SlowlogMaxLen              int64
	LatencyMonitorThreshold    int64 // milliseconds; 0 off
	LatencyTracking            bool
	LatencyTrackingPercentiles []float64
	ConfigFile                 string // the file the config was read from, if any

	// Extra holds the parameters Modis accepts, for compatibility with
	// redis.conf files and tools, but does not act on (see
	// docs/configuration.md), by name, as CONFIG GET shows them. A name that
	// is absent has its default.
	Extra map[string]string

	// warnings are the directives of a config file that Modis accepted but
	// cannot honour; New logs them.
	warnings []string

	// SavePoints are the save parameter's rules: a background save starts
	// when at least [1] changes happened and [0] seconds passed since the
	// last save. Empty: no automatic saves (Modis's default).
	SavePoints [][2]int64
	// readingFile is set while LoadFile runs: the first save line of a
	// file replaces the rules, later ones add to them, as in Redis.
	readingFile bool
	saveLoaded  bool

	// moduleConfigArgs are "<module>.<name> value" directives, waiting for
	// their modules' LoadConfigs; modParams finds the configs modules
	// registered (mod_config.go).
	moduleConfigArgs []queuedConfig
	modParams        *moduleConfigState
}

// DefaultConfig returns Redis's defaults.
func DefaultConfig() Config {
	dir, _ := os.Getwd()
	return Config{
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
		BusyReplyThreshold:         5000,
		ProtectedMode:              true,
		Dir:                        dir,
		HashMaxEntries:             512,
		HashMaxValue:               64,
		SetMaxIntsetEntries:        512,
		ZSetMaxEntries:             128,
		ZSetMaxValue:               64,
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
}

// Warnings returns what LoadFile accepted without being able to honour it.
func (c *Config) Warnings() []string { return c.warnings }

// clone returns a copy of c that shares no slices or maps with it.
func (c Config) clone() Config {
	c.Bind = append([]string(nil), c.Bind...)
	c.LoadModules = append([]ModuleSpec(nil), c.LoadModules...)
	c.LatencyTrackingPercentiles = append([]float64(nil), c.LatencyTrackingPercentiles...)
	c.SavePoints = append([][2]int64(nil), c.SavePoints...)
	c.moduleConfigArgs = append([]queuedConfig(nil), c.moduleConfigArgs...)
	if c.Extra != nil {
		m := make(map[string]string, len(c.Extra))
		for k, v := range c.Extra {
			m[k] = v
		}
		c.Extra = m
	}
	c.warnings = nil
	return c
}

// param is one configuration parameter: how to read and set it.
type param struct {
	name      string
	alias     string // an older name that works too (hash-max-ziplist-entries)
	mutable   bool   // CONFIG SET may change it at run time
	protected bool   // CONFIG SET needs enable-protected-configs
	sensitive bool   // CONFIG SET's value is redacted from MONITOR and SLOWLOG
	multiArg  bool   // CONFIG SET's value is split on spaces
	// inert: accepted and reported, but Modis does nothing with it; a config
	// file that changes it gets a warning.
	inert bool
	get   func(c *Config) string
	set   func(c *Config, args []string) error
	// Module configs (mod_config.go): hidden from CONFIG GET patterns,
	// refused by CONFIG SET while loading, and the module config itself.
	hidden      bool
	denyLoading bool
	mod         *moduleConfig
}

// unsupportedError is a value Modis cannot run with (appendonly yes): CONFIG
// SET refuses it; a config file gets a warning and the value is ignored.
type unsupportedError struct{ msg string }

func (e *unsupportedError) Error() string { return e.msg }

func oneArg(args []string) (string, error) {
	if len(args) != 1 {
		return "", errors.New("wrong number of arguments")
	}
	return args[0], nil
}

// parseMemory parses a memory value as Redis's memtoull does: digits and an
// optional unit, b k kb m mb g gb in any case (k is 1000, kb 1024). No sign,
// no fraction. Values beyond int64 are clamped.
func parseMemory(s string) (int64, bool) {
	if strings.HasPrefix(s, "-") {
		return 0, false
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	var mul uint64
	switch strings.ToLower(s[i:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1024 * 1024
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	if i > 127 {
		return 0, false
	}
	var v uint64
	if i > 0 {
		n, err := strconv.ParseUint(s[:i], 10, 64)
		if err != nil {
			n = math.MaxUint64 // strtoull saturates
		}
		v = n
	}
	if mul > 1 && v > math.MaxUint64/mul {
		return 0, false
	}
	v *= mul
	if v > math.MaxInt64 {
		v = math.MaxInt64
	}
	return int64(v), true
}

// numParam is a numeric parameter accepting lo..hi, parsed as Redis parses
// it: string2ll (no '+', no leading zeros, no spaces), or memtoull for a
// memory parameter. Values are clamped into clampLo..clampHi after the check
// (Redis accepts any hz from 0 and uses it between 1 and 500).
type numSpec struct {
	lo, hi           int64
	clampLo, clampHi int64
	memory           bool
	percent          bool // "N%" is stored as -N (maxmemory-clients)
}

func parseNum(spec numSpec, s string) (int64, error) {
	var n int64
	ok := false
	if spec.memory {
		n, ok = parseMemory(s)
	}
	if !ok && spec.percent && len(s) > 1 && s[len(s)-1] == '%' {
		if v, good := sdk.ParseInt([]byte(s[:len(s)-1])); good && v >= 0 {
			n, ok = -v, true
		}
	}
	if !ok && !spec.memory {
		n, ok = sdk.ParseInt([]byte(s))
	}
	if !ok {
		switch {
		case spec.memory && spec.percent:
			return 0, errors.New("argument must be a memory or percent value")
		case spec.memory:
			return 0, errors.New("argument must be a memory value")
		}
		return 0, errors.New("argument couldn't be parsed into an integer")
	}
	if n < spec.lo || n > spec.hi {
		return 0, fmt.Errorf("argument must be between %d and %d inclusive", spec.lo, spec.hi)
	}
	if spec.clampLo < spec.clampHi {
		n = max(spec.clampLo, min(n, spec.clampHi))
	}
	return n, nil
}

func formatNum(spec numSpec, n int64) string {
	if spec.percent && n < 0 {
		return strconv.FormatInt(-n, 10) + "%"
	}
	return strconv.FormatInt(n, 10)
}

func numParam(name, alias string, mutable bool, spec numSpec, get func(c *Config) int64, set func(c *Config, n int64)) param {
	return param{
		name: name, alias: alias, mutable: mutable,
		get: func(c *Config) string { return formatNum(spec, get(c)) },
		set: func(c *Config, args []string) error {
			s, err := oneArg(args)
			if err != nil {
				return err
			}
			n, err := parseNum(spec, s)
			if err != nil {
				return err
			}
			set(c, n)
			return nil
		},
	}
}

// intParam is an int field accepting min..max.
func intParam(name string, mutable bool, min, max int64, field func(c *Config) *int) param {
	return intAliasParam(name, "", mutable, min, max, field)
}

func intAliasParam(name, alias string, mutable bool, min, max int64, field func(c *Config) *int) param {
	return numParam(name, alias, mutable, numSpec{lo: min, hi: max},
		func(c *Config) int64 { return int64(*field(c)) },
		func(c *Config, n int64) { *field(c) = int(n) })
}

func int64Param(name string, mutable bool, spec numSpec, field func(c *Config) *int64) param {
	return numParam(name, "", mutable, spec,
		func(c *Config) int64 { return *field(c) },
		func(c *Config, n int64) { *field(c) = n })
}

// memIntParam is an int field that accepts memory units.
func memIntParam(name, alias string, mutable bool, min, max int64, field func(c *Config) *int) param {
	return numParam(name, alias, mutable, numSpec{lo: min, hi: max, memory: true},
		func(c *Config) int64 { return int64(*field(c)) },
		func(c *Config, n int64) { *field(c) = int(n) })
}

var errYesNo = errors.New("argument must be 'yes' or 'no'")

func parseYesNo(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "yes":
		return true, nil
	case "no":
		return false, nil
	}
	return false, errYesNo
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func boolParam(name string, mutable bool, field func(c *Config) *bool) param {
	return param{
		name: name, mutable: mutable,
		get: func(c *Config) string { return yesNo(*field(c)) },
		set: func(c *Config, args []string) error {
			s, err := oneArg(args)
			if err != nil {
				return err
			}
			b, err := parseYesNo(s)
			if err != nil {
				return err
			}
			*field(c) = b
			return nil
		},
	}
}

func enumParam(name string, mutable bool, values []string, field func(c *Config) *string) param {
	return param{
		name: name, mutable: mutable,
		get: func(c *Config) string { return *field(c) },
		set: func(c *Config, args []string) error {
			s, err := oneArg(args)
			if err != nil {
				return err
			}
			v, err := parseEnum(values, s)
			if err != nil {
				return err
			}
			*field(c) = v
			return nil
		},
	}
}

func parseEnum(values []string, s string) (string, error) {
	for _, v := range values {
		if strings.EqualFold(s, v) {
			return v, nil
		}
	}
	return "", fmt.Errorf("argument(s) must be one of the following: %s", strings.Join(values, ", "))
}

func stringParam(name string, mutable bool, field func(c *Config) *string) param {
	return param{
		name: name, mutable: mutable,
		get: func(c *Config) string { return *field(c) },
		set: func(c *Config, args []string) error {
			s, err := oneArg(args)
			if err != nil {
				return err
			}
			*field(c) = s
			return nil
		},
	}
}

// Parameters Modis accepts without acting on them keep their value in
// Config.Extra.

func (c *Config) extra(name, dflt string) string {
	if v, ok := c.Extra[name]; ok {
		return v
	}
	return dflt
}

func (c *Config) setExtra(name, v string) {
	m := make(map[string]string, len(c.Extra)+1)
	for k, x := range c.Extra {
		m[k] = x
	}
	m[name] = v
	c.Extra = m
}

// inertParam is a parameter Modis stores and reports but does not act on:
// check validates a value and returns its canonical form.
func inertParam(name, alias string, mutable bool, dflt string, check func(args []string) (string, error)) param {
	return param{
		name: name, alias: alias, mutable: mutable, inert: true,
		get: func(c *Config) string { return c.extra(name, dflt) },
		set: func(c *Config, args []string) error {
			v, err := check(args)
			if err != nil {
				return err
			}
			c.setExtra(name, v)
			return nil
		},
	}
}

func inertBool(name, alias string, mutable bool, dflt bool) param {
	return inertParam(name, alias, mutable, yesNo(dflt), func(args []string) (string, error) {
		s, err := oneArg(args)
		if err != nil {
			return "", err
		}
		b, err := parseYesNo(s)
		return yesNo(b), err
	})
}

func inertNum(name, alias string, mutable bool, spec numSpec, dflt int64) param {
	return inertParam(name, alias, mutable, formatNum(spec, dflt), func(args []string) (string, error) {
		s, err := oneArg(args)
		if err != nil {
			return "", err
		}
		n, err := parseNum(spec, s)
		return formatNum(spec, n), err
	})
}

func inertEnum(name string, mutable bool, values []string, dflt string) param {
	return inertParam(name, "", mutable, dflt, func(args []string) (string, error) {
		s, err := oneArg(args)
		if err != nil {
			return "", err
		}
		return parseEnum(values, s)
	})
}

func inertString(name, alias string, mutable bool, dflt string) param {
	return inertParam(name, alias, mutable, dflt, func(args []string) (string, error) {
		return oneArg(args)
	})
}

// unsupportedParam is a feature Modis does not have: the parameter is
// reported with the value Modis runs with, and only that value is accepted.
// parse validates a value as Redis would and returns its canonical form.
func unsupportedParam(name string, mutable bool, value, what string, parse func(args []string) (string, error)) param {
	return param{
		name: name, mutable: mutable,
		get: func(c *Config) string { return value },
		set: func(c *Config, args []string) error {
			v, err := parse(args)
			if err != nil {
				return err
			}
			if v != value {
				return &unsupportedError{fmt.Sprintf("Modis does not support %s: only '%s' is accepted", what, value)}
			}
			return nil
		},
	}
}

func unsupportedBool(name string, mutable bool, what string) param {
	return unsupportedParam(name, mutable, "no", what, func(args []string) (string, error) {
		s, err := oneArg(args)
		if err != nil {
			return "", err
		}
		b, err := parseYesNo(s)
		return yesNo(b), err
	})
}

func unsupportedString(name string, mutable bool, what string) param {
	return unsupportedParam(name, mutable, "", what, func(args []string) (string, error) {
		return oneArg(args)
	})
}

func anyArgs(args []string) (string, error) { return strings.Join(args, " "), nil }

// Enumerations, as Redis lists them in its errors.
var (
	maxmemoryPolicies = []string{"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
		"allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"}
	protectedActions = []string{"no", "yes", "local"}
	unbounded        = int64(math.MaxInt64)
	intMax           = int64(math.MaxInt32)
)

// params is the configuration table, in CONFIG GET's order: first what
// Modis honours, then what it accepts for compatibility.
var params = []param{
	intParam("port", false, 0, 65535, func(c *Config) *int { return &c.Port }),
	{
		name: "bind", multiArg: true,
		get: func(c *Config) string { return strings.Join(c.Bind, " ") },
		set: func(c *Config, args []string) error {
			if len(args) == 0 || len(args) == 1 && args[0] == "" {
				return errors.New("wrong number of arguments")
			}
			if len(args) > 16 {
				return errors.New("Too many bind addresses specified.")
			}
			c.Bind = append([]string(nil), args...)
			return nil
		},
	},
	{
		name: "loadmodule",
		get: func(c *Config) string {
			var s []string
			for _, m := range c.LoadModules {
				s = append(s, m.String())
			}
			return strings.Join(s, ", ")
		},
		set: func(c *Config, args []string) error {
			if len(args) == 0 {
				return errors.New("wrong number of arguments")
			}
			c.LoadModules = append(c.LoadModules, ModuleSpec{Path: args[0], Args: append([]string{}, args[1:]...)})
			return nil
		},
	},
	enumParam("loglevel", true, []string{"debug", "verbose", "notice", "warning"}, func(c *Config) *string { return &c.LogLevel }),
	enumParam("log-format", false, []string{"text", "json"}, func(c *Config) *string { return &c.LogFormat }),
	enumParam("enable-module-command", false, protectedActions, func(c *Config) *string { return &c.EnableModuleCommand }),
	enumParam("enable-debug-command", false, protectedActions, func(c *Config) *string { return &c.EnableDebugCommand }),
	enumParam("enable-protected-configs", false, protectedActions, func(c *Config) *string { return &c.EnableProtectedConfigs }),
	intParam("databases", false, 1, 1<<20, func(c *Config) *int { return &c.Databases }),
	// Redis accepts any hz from 0 and uses it between 1 and 500.
	numParam("hz", "", true, numSpec{lo: 0, hi: intMax, clampLo: 1, clampHi: 500},
		func(c *Config) int64 { return int64(c.Hz) }, func(c *Config, n int64) { c.Hz = int(n) }),
	intParam("timeout", true, 0, intMax, func(c *Config) *int { return &c.Timeout }),
	intParam("tcp-keepalive", true, 0, intMax, func(c *Config) *int { return &c.TCPKeepalive }),
	intParam("maxclients", true, 1, math.MaxUint32, func(c *Config) *int { return &c.MaxClients }),
	{
		name: "requirepass", mutable: true, sensitive: true,
		get: func(c *Config) string { return c.RequirePass },
		set: func(c *Config, args []string) error {
			s, err := oneArg(args)
			if err != nil {
				return err
			}
			c.RequirePass = s
			return nil
		},
	},
	boolParam("protected-mode", true, func(c *Config) *bool { return &c.ProtectedMode }),
	{
		name: "dir", mutable: true, protected: true,
		get: func(c *Config) string { return c.Dir },
		set: func(c *Config, args []string) error {
			s, err := oneArg(args)
			if err != nil {
				return err
			}
			abs, err := filepath.Abs(s)
			if err != nil {
				return err
			}
			st, err := os.Stat(abs)
			if err != nil {
				return errors.Unwrap(err)
			}
			if !st.IsDir() {
				return errors.New("Not a directory")
			}
			c.Dir = abs
			return nil
		},
	},
	intAliasParam("hash-max-listpack-entries", "hash-max-ziplist-entries", true, 0, unbounded, func(c *Config) *int { return &c.HashMaxEntries }),
	memIntParam("hash-max-listpack-value", "hash-max-ziplist-value", true, 0, unbounded, func(c *Config) *int { return &c.HashMaxValue }),
	intParam("set-max-intset-entries", true, 0, unbounded, func(c *Config) *int { return &c.SetMaxIntsetEntries }),
	intAliasParam("zset-max-listpack-entries", "zset-max-ziplist-entries", true, 0, unbounded, func(c *Config) *int { return &c.ZSetMaxEntries }),
	memIntParam("zset-max-listpack-value", "zset-max-ziplist-value", true, 0, unbounded, func(c *Config) *int { return &c.ZSetMaxValue }),
	{
		name: "notify-keyspace-events", mutable: true,
		get: func(c *Config) string { return c.NotifyKeyspaceEvents },
		set: func(c *Config, args []string) error {
			v, err := oneArg(args)
			if err != nil {
				return err
			}
			canon, err := parseNotifyFlags(v)
			if err != nil {
				return err
			}
			c.NotifyKeyspaceEvents = canon
			return nil
		},
	},
	int64Param("maxmemory", true, numSpec{lo: 0, hi: unbounded, memory: true}, func(c *Config) *int64 { return &c.MaxMemory }),
	enumParam("maxmemory-policy", true, maxmemoryPolicies, func(c *Config) *string { return &c.MaxMemoryPolicy }),
	intParam("maxmemory-samples", true, 1, intMax, func(c *Config) *int { return &c.MaxMemorySamples }),
	intParam("maxmemory-eviction-tenacity", true, 0, 100, func(c *Config) *int { return &c.MaxMemoryEvictionTenacity }),
	intParam("lfu-log-factor", true, 0, intMax, func(c *Config) *int { return &c.LFULogFactor }),
	intParam("lfu-decay-time", true, 0, intMax, func(c *Config) *int { return &c.LFUDecayTime }),
	int64Param("proto-max-bulk-len", true, numSpec{lo: 1 << 20, hi: unbounded, memory: true}, func(c *Config) *int64 { return &c.ProtoMaxBulkLen }),
	int64Param("slowlog-log-slower-than", true, numSpec{lo: -1, hi: unbounded}, func(c *Config) *int64 { return &c.SlowlogLogSlowerThan }),
	int64Param("slowlog-max-len", true, numSpec{lo: 0, hi: unbounded}, func(c *Config) *int64 { return &c.SlowlogMaxLen }),
	int64Param("latency-monitor-threshold", true, numSpec{lo: 0, hi: unbounded}, func(c *Config) *int64 { return &c.LatencyMonitorThreshold }),
	boolParam("latency-tracking", true, func(c *Config) *bool { return &c.LatencyTracking }),
	{
		name: "latency-tracking-info-percentiles", mutable: true, multiArg: true,
		get: func(c *Config) string {
			var s []string
			for _, f := range c.LatencyTrackingPercentiles {
				s = append(s, strconv.FormatFloat(f, 'f', -1, 64))
			}
			return strings.Join(s, " ")
		},
		set: func(c *Config, args []string) error {
			if len(args) == 1 && args[0] == "" {
				args = nil
			}
			var out []float64
			for _, a := range args {
				f, err := strconv.ParseFloat(a, 64)
				if err != nil || math.IsNaN(f) || f < 0 || f > 100 {
					return errors.New("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")
				}
				out = append(out, f)
			}
			c.LatencyTrackingPercentiles = out
			return nil
		},
	},

	// Features Modis does not have: reported as what Modis does, and only
	// that accepted.
	{
		name: "save", mutable: true, multiArg: true,
		get: func(c *Config) string {
			var parts []string
			for _, sp := range c.SavePoints {
				parts = append(parts, strconv.FormatInt(sp[0], 10), strconv.FormatInt(sp[1], 10))
			}
			return strings.Join(parts, " ")
		},
		set: func(c *Config, args []string) error {
			if len(args) == 1 && args[0] == "" {
				args = nil
				c.SavePoints = nil
			}
			if len(args)%2 != 0 {
				return errors.New("Invalid save parameters")
			}
			for j, a := range args {
				v, err := strconv.ParseInt(a, 10, 64)
				if err != nil || j%2 == 0 && v < 1 || j%2 == 1 && v < 0 {
					return errors.New("Invalid save parameters")
				}
			}
			// CONFIG SET replaces the rules; in a config file the first
			// save line replaces the defaults and later lines add.
			var pts [][2]int64
			if c.readingFile && c.saveLoaded {
				pts = append(pts, c.SavePoints...)
			}
			if c.readingFile {
				c.saveLoaded = true
			}
			for j := 0; j+1 < len(args); j += 2 {
				secs, _ := strconv.ParseInt(args[j], 10, 64)
				changes, _ := strconv.ParseInt(args[j+1], 10, 64)
				pts = append(pts, [2]int64{secs, changes})
			}
			c.SavePoints = pts
			return nil
		},
	},
	liveParam(inertBool("appendonly", "", true, false)),
	unsupportedBool("daemonize", false, "daemonizing (run it under a supervisor)"),
	unsupportedParam("supervised", false, "no", "supervision protocols", func(args []string) (string, error) {
		s, err := oneArg(args)
		if err != nil {
			return "", err
		}
		return parseEnum([]string{"upstart", "systemd", "auto", "no"}, s)
	}),
	unsupportedString("logfile", false, "log files (it logs to standard error)"),
	unsupportedString("pidfile", false, "pid files"),
	unsupportedBool("syslog-enabled", false, "syslog"),
	unsupportedString("unixsocket", false, "unix sockets"),
	unsupportedParam("io-threads", false, "1", "I/O threads", func(args []string) (string, error) {
		s, err := oneArg(args)
		if err != nil {
			return "", err
		}
		n, err := parseNum(numSpec{lo: 1, hi: 128}, s)
		return strconv.FormatInt(n, 10), err
	}),
	unsupportedBool("io-threads-do-reads", false, "I/O threads"),
	unsupportedBool("cluster-enabled", false, "cluster mode"),
	{
		name: "replicaof", alias: "slaveof", multiArg: true,
		get: func(c *Config) string { return "" },
		set: func(c *Config, args []string) error {
			if len(args) != 2 {
				return errors.New("wrong number of arguments")
			}
			if strings.EqualFold(args[0], "no") && strings.EqualFold(args[1], "one") {
				return nil
			}
			if _, err := strconv.Atoi(args[1]); err != nil {
				return errors.New("Invalid master port")
			}
			return &unsupportedError{"Modis does not support replication"}
		},
	},
	unsupportedParam("tls-port", true, "0", "TLS", func(args []string) (string, error) {
		s, err := oneArg(args)
		if err != nil {
			return "", err
		}
		n, err := parseNum(numSpec{lo: 0, hi: 65535}, s)
		return strconv.FormatInt(n, 10), err
	}),
	unsupportedString("aclfile", false, "ACL files"),

	// Accepted and reported for compatibility; Modis does nothing with them.
	liveParam(inertBool("rdbchecksum", "", false, true)), // persist.go: rdbChecksum
	inertBool("always-show-logo", "", false, false),
	liveParam(inertBool("rdbcompression", "", true, true)), // persist.go: rdbCompression
	inertBool("rdb-del-sync-files", "", true, false),
	inertBool("activerehashing", "", true, true),
	liveParam(inertBool("stop-writes-on-bgsave-error", "", true, true)), // aof.go: diskWriteError
	inertBool("set-proc-title", "", false, true),
	inertBool("dynamic-hz", "", true, true),
	inertBool("lazyfree-lazy-eviction", "", true, false),
	inertBool("lazyfree-lazy-expire", "", true, false),
	inertBool("lazyfree-lazy-server-del", "", true, false),
	inertBool("lazyfree-lazy-user-del", "", true, false),
	inertBool("lazyfree-lazy-user-flush", "", true, false),
	inertBool("repl-disable-tcp-nodelay", "", true, false),
	inertBool("repl-diskless-sync", "", true, true),
	inertBool("aof-rewrite-incremental-fsync", "", true, true),
	inertBool("no-appendfsync-on-rewrite", "", true, false),
	inertBool("cluster-require-full-coverage", "", true, true),
	inertBool("rdb-save-incremental-fsync", "", true, true),
	liveParam(inertBool("aof-load-truncated", "", true, true)),
	liveParam(inertBool("aof-use-rdb-preamble", "", true, true)),
	inertBool("aof-timestamp-enabled", "", true, false),
	inertBool("cluster-replica-no-failover", "cluster-slave-no-failover", true, false),
	inertBool("replica-lazy-flush", "slave-lazy-flush", true, false),
	inertBool("replica-serve-stale-data", "slave-serve-stale-data", true, true),
	inertBool("replica-read-only", "slave-read-only", true, true),
	inertBool("replica-ignore-maxmemory", "slave-ignore-maxmemory", true, true),
	inertBool("jemalloc-bg-thread", "", true, true),
	inertBool("activedefrag", "", true, false),
	inertBool("cluster-allow-reads-when-down", "", true, false),
	inertBool("cluster-allow-pubsubshard-when-down", "", true, true),
	inertBool("crash-log-enabled", "", true, true),
	inertBool("crash-memcheck-enabled", "", true, true),
	inertBool("disable-thp", "", false, true),
	inertBool("cluster-allow-replica-migration", "", true, true),
	inertBool("replica-announced", "", true, true),
	inertBool("aof-disable-auto-gc", "", true, false),
	inertString("replica-announce-ip", "slave-announce-ip", true, ""),
	withSensitive(inertString("masteruser", "", true, "")),
	withSensitive(inertString("masterauth", "", true, "")),
	inertString("cluster-announce-ip", "", true, ""),
	inertString("cluster-config-file", "", false, "nodes.conf"),
	inertString("cluster-announce-hostname", "", true, ""),
	inertString("syslog-ident", "", false, "redis"),
	withProtected(inertParam("dbfilename", "", true, "dump.rdb", func(args []string) (string, error) {
		s, err := oneArg(args)
		if err == nil && strings.ContainsRune(s, '/') {
			err = errors.New("dbfilename can't be a path, just a filename")
		}
		return s, err
	})),
	liveParam(inertString("appendfilename", "", false, "appendonly.aof")),
	liveParam(inertString("appenddirname", "", false, "appendonlydir")),
	inertString("server_cpulist", "", false, ""),
	inertString("bio_cpulist", "", false, ""),
	inertString("aof_rewrite_cpulist", "", false, ""),
	inertString("bgsave_cpulist", "", false, ""),
	inertString("ignore-warnings", "", true, ""),
	inertString("proc-title-template", "", true, "{title} {listen-addr} {server-mode}"),
	inertString("bind-source-addr", "", true, ""),
	inertEnum("syslog-facility", false, []string{"user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}, "local0"),
	inertEnum("repl-diskless-load", true, []string{"disabled", "on-empty-db", "swapdb"}, "disabled"),
	liveParam(inertEnum("appendfsync", true, []string{"everysec", "always", "no"}, "everysec")),
	inertEnum("oom-score-adj", true, []string{"no", "yes", "relative", "absolute"}, "no"),
	inertEnum("acl-pubsub-default", true, []string{"allchannels", "resetchannels"}, "resetchannels"),
	inertEnum("sanitize-dump-payload", true, []string{"no", "yes", "clients"}, "no"),
	inertEnum("cluster-preferred-endpoint-type", true, []string{"ip", "hostname", "unknown-endpoint"}, "ip"),
	liveParam(inertNum("auto-aof-rewrite-percentage", "", true, numSpec{lo: 0, hi: intMax}, 100)),
	inertNum("cluster-replica-validity-factor", "cluster-slave-validity-factor", true, numSpec{lo: 0, hi: intMax}, 10),
	inertNum("list-max-listpack-size", "list-max-ziplist-size", true, numSpec{lo: math.MinInt32, hi: intMax}, -2),
	inertNum("cluster-migration-barrier", "", true, numSpec{lo: 0, hi: intMax}, 1),
	inertNum("active-defrag-cycle-min", "", true, numSpec{lo: 1, hi: 99}, 1),
	inertNum("active-defrag-cycle-max", "", true, numSpec{lo: 1, hi: 99}, 25),
	inertNum("active-defrag-threshold-lower", "", true, numSpec{lo: 0, hi: 1000}, 10),
	inertNum("active-defrag-threshold-upper", "", true, numSpec{lo: 0, hi: 1000}, 100),
	inertNum("replica-priority", "slave-priority", true, numSpec{lo: 0, hi: intMax}, 100),
	inertNum("repl-diskless-sync-delay", "", true, numSpec{lo: 0, hi: intMax}, 5),
	inertNum("replica-announce-port", "slave-announce-port", true, numSpec{lo: 0, hi: 65535}, 0),
	inertNum("tcp-backlog", "", false, numSpec{lo: 0, hi: intMax}, 511),
	inertNum("cluster-port", "", false, numSpec{lo: 0, hi: 65535}, 0),
	inertNum("cluster-announce-bus-port", "", true, numSpec{lo: 0, hi: 65535}, 0),
	inertNum("cluster-announce-port", "", true, numSpec{lo: 0, hi: 65535}, 0),
	inertNum("cluster-announce-tls-port", "", true, numSpec{lo: 0, hi: 65535}, 0),
	inertNum("repl-timeout", "", true, numSpec{lo: 1, hi: intMax}, 60),
	inertNum("repl-ping-replica-period", "repl-ping-slave-period", true, numSpec{lo: 1, hi: intMax}, 10),
	inertNum("list-compress-depth", "", true, numSpec{lo: 0, hi: intMax}, 0),
	inertNum("active-expire-effort", "", true, numSpec{lo: 1, hi: 10}, 1),
	inertNum("min-replicas-to-write", "min-slaves-to-write", true, numSpec{lo: 0, hi: intMax}, 0),
	inertNum("min-replicas-max-lag", "min-slaves-max-lag", true, numSpec{lo: 0, hi: intMax}, 10),
	inertNum("shutdown-timeout", "", true, numSpec{lo: 0, hi: intMax}, 10),
	inertNum("repl-diskless-sync-max-replicas", "", true, numSpec{lo: 0, hi: intMax}, 0),
	inertNum("active-defrag-max-scan-fields", "", true, numSpec{lo: 1, hi: unbounded}, 1000),
	inertNum("acllog-max-len", "", true, numSpec{lo: 0, hi: unbounded}, 128),
	numParam("busy-reply-threshold", "lua-time-limit", true, numSpec{lo: 0, hi: unbounded},
		func(c *Config) int64 { return c.BusyReplyThreshold },
		func(c *Config, n int64) { c.BusyReplyThreshold = n }),
	inertNum("cluster-node-timeout", "", true, numSpec{lo: 0, hi: unbounded}, 15000),
	inertNum("stream-node-max-entries", "", true, numSpec{lo: 0, hi: unbounded}, 100),
	inertNum("repl-backlog-size", "", true, numSpec{lo: 1, hi: unbounded, memory: true}, 1<<20),
	inertNum("cluster-link-sendbuf-limit", "", true, numSpec{lo: 0, hi: unbounded, memory: true}, 0),
	inertNum("active-defrag-ignore-bytes", "", true, numSpec{lo: 1, hi: unbounded, memory: true}, 100<<20),
	inertNum("stream-node-max-bytes", "", true, numSpec{lo: 0, hi: unbounded, memory: true}, 4096),
	inertNum("hll-sparse-max-bytes", "", true, numSpec{lo: 0, hi: unbounded, memory: true}, 3000),
	inertNum("tracking-table-max-keys", "", true, numSpec{lo: 0, hi: unbounded}, 1000000),
	inertNum("client-query-buffer-limit", "", true, numSpec{lo: 1 << 20, hi: unbounded, memory: true}, 1<<30),
	inertNum("maxmemory-clients", "", true, numSpec{lo: -100, hi: unbounded, memory: true, percent: true}, 0),
	inertNum("repl-backlog-ttl", "", true, numSpec{lo: 0, hi: unbounded}, 3600),
	liveParam(inertNum("auto-aof-rewrite-min-size", "", true, numSpec{lo: 0, hi: unbounded, memory: true}, 64<<20)),
	inertNum("unixsocketperm", "", false, numSpec{lo: 0, hi: 0o777}, 0),
	{
		name: "client-output-buffer-limit", mutable: true, multiArg: true, inert: true,
		get: func(c *Config) string { return c.extra("client-output-buffer-limit", defaultOutputBufferLimits) },
		set: setClientOutputBufferLimit,
	},
	withMultiArg(inertParam("oom-score-adj-values", "", true, "0 200 800", func(args []string) (string, error) {
		if len(args) != 3 {
			return "", errors.New("wrong number of arguments")
		}
		for _, a := range args {
			n, err := strconv.Atoi(a)
			if err != nil || n < -2000 || n > 2000 {
				return "", errors.New("Invalid oom-score-adj-values, elements must be between -2000 and 2000.")
			}
		}
		return strings.Join(args, " "), nil
	})),
}

const defaultOutputBufferLimits = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"

func withMultiArg(p param) param  { p.multiArg = true; return p }
func withSensitive(p param) param { p.sensitive = true; return p }
func withProtected(p param) param { p.protected = true; return p }

// paramIndex finds a parameter by name or alias, in any case.
var paramIndex = func() map[string]*param {
	m := map[string]*param{}
	for i := range params {
		p := &params[i]
		m[p.name] = p
		if p.alias != "" {
			m[p.alias] = p
		}
	}
	return m
}()

func findParam(name string) *param {
	return paramIndex[strings.ToLower(name)]
}

// setClientOutputBufferLimit checks and merges "class hard soft seconds"
// groups into client-output-buffer-limit, as Redis does (Modis's only
// enforced limit is the pubsub class's default 32mb, see output.go).
func setClientOutputBufferLimit(c *Config, args []string) error {
	if len(args)%4 != 0 {
		return errors.New("Wrong number of arguments in buffer limit configuration.")
	}
	classes := map[string]int{"normal": 0, "slave": 1, "replica": 1, "pubsub": 2}
	cur := strings.Fields(c.extra("client-output-buffer-limit", defaultOutputBufferLimits))
	vals := [3][3]string{}
	for i := 0; i < 3; i++ {
		copy(vals[i][:], cur[i*4+1:i*4+4])
	}
	for j := 0; j < len(args); j += 4 {
		class, ok := classes[strings.ToLower(args[j])]
		if !ok {
			return errors.New("Invalid client class specified in buffer limit configuration.")
		}
		hard, ok1 := parseMemory(args[j+1])
		soft, ok2 := parseMemory(args[j+2])
		secs, err := strconv.ParseInt(args[j+3], 10, 64)
		if !ok1 || !ok2 || err != nil || secs < 0 {
			return errors.New("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
		}
		vals[class] = [3]string{strconv.FormatInt(hard, 10), strconv.FormatInt(soft, 10), strconv.FormatInt(secs, 10)}
	}
	c.setExtra("client-output-buffer-limit", fmt.Sprintf("normal %s slave %s pubsub %s",
		strings.Join(vals[0][:], " "), strings.Join(vals[1][:], " "), strings.Join(vals[2][:], " ")))
	return nil
}

// Set applies one directive (a config file line or CONFIG SET pair) to c.
func (c *Config) Set(name string, args []string) error {
	p := findParam(name)
	if p == nil && isModuleConfigName(name) { // a module's config: kept until it loads
		return c.queueModuleConfig(strings.ToLower(name), args)
	}
	if p == nil || p.set == nil {
		return fmt.Errorf("unknown directive %q", name)
	}
	return p.set(c, splitMultiArg(p, args))
}

// splitMultiArg splits the single value of a multi-argument parameter on
// spaces, as Redis's config loader does for MULTI_ARG_CONFIG (so
// `--save "3600 1"` and `save "3600 1"` mean save 3600 1).
func splitMultiArg(p *param, args []string) []string {
	if p.multiArg && len(args) == 1 && strings.TrimSpace(args[0]) != "" {
		return strings.Fields(args[0])
	}
	return args
}

// apply pushes the settings that live outside Config into effect.
func (c *Config) apply() {
	types.HashMaxListpackEntries = c.HashMaxEntries
	types.HashMaxListpackValue = c.HashMaxValue
	types.SetMaxIntsetEntries = c.SetMaxIntsetEntries
	types.ZSetMaxListpackEntries = c.ZSetMaxEntries
	types.ZSetMaxListpackValue = c.ZSetMaxValue
}

// hasGlob reports whether a CONFIG GET argument is a pattern.
func hasGlob(s string) bool { return strings.ContainsAny(s, "*?[") }

// getMatching returns name, value pairs for CONFIG GET arguments: a plain
// name (or alias) is answered under the name as given; a glob pattern
// matches names and aliases alike. Each name appears once.
func (c *Config) getMatching(patterns ...string) [][2]string {
	var out [][2]string
	seen := map[string]bool{}
	add := func(shown string, p *param) {
		key := strings.ToLower(shown)
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, [2]string{shown, p.get(c)})
	}
	for _, pat := range patterns {
		if !hasGlob(pat) {
			if p := c.lookupParam(pat); p != nil {
				add(pat, p)
			}
			continue
		}
		for i := range params {
			p := &params[i]
			if glob.Match(pat, p.name, true) {
				add(p.name, p)
			}
			if p.alias != "" && glob.Match(pat, p.alias, true) {
				add(p.alias, p)
			}
		}
		c.modParams.each(func(p *param) { // module configs; hidden ones need their exact name
			if !p.hidden && glob.Match(pat, p.name, true) {
				add(p.name, p)
			}
		})
	}
	return out
}

// LoadFile reads a redis.conf-style file into c: one directive per line,
// arguments split as Redis splits them (quotes and escapes), # comments,
// "include" of other files (glob patterns allowed). An unknown directive or
// a bad value is an error naming the file and line. A directive Modis
// accepts but cannot honour is noted in c.Warnings.
func (c *Config) LoadFile(path string) error {
	c.readingFile = true
	err := c.loadFile(path, 0)
	c.readingFile = false
	if err != nil {
		return err
	}
	c.ConfigFile = path
	return nil
}

func (c *Config) loadFile(path string, depth int) error {
	if depth > 16 {
		return fmt.Errorf("read config %s: too many nested includes", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		args, err := SplitArgs(text)
		if err != nil {
			return fmt.Errorf("%s:%d: %v", path, line, err)
		}
		if len(args) == 0 {
			continue
		}
		name := strings.ToLower(args[0])
		where := fmt.Sprintf("%s:%d", path, line)
		switch {
		case name == "include" && len(args) == 2:
			if err := c.include(args[1], depth); err != nil {
				return fmt.Errorf("%s: %v", where, err)
			}
			continue
		case (name == "list-max-ziplist-entries" || name == "list-max-ziplist-value" || name == "lua-replicate-commands") && len(args) == 2:
			continue // deprecated; Redis ignores them too
		case name == "rename-command" || name == "user" || name == "sentinel":
			return fmt.Errorf("%s: %s: not supported by modis", where, name)
		}
		p := findParam(name)
		if p == nil && isModuleConfigName(name) { // a module's config: kept until it loads (mod_config.go)
			if err := c.queueModuleConfig(name, args[1:]); err != nil {
				return fmt.Errorf("%s: %s: %v", where, name, err)
			}
			continue
		}
		if p == nil || p.set == nil {
			return fmt.Errorf("%s: unknown directive %q", where, args[0])
		}
		vals := args[1:]
		if !p.multiArg && p.name != "loadmodule" && len(vals) != 1 {
			return fmt.Errorf("%s: %s: wrong number of arguments", where, name)
		}
		before := p.get(c)
		err = p.set(c, splitMultiArg(p, vals))
		var unsup *unsupportedError
		switch {
		case errors.As(err, &unsup):
			c.warnings = append(c.warnings, fmt.Sprintf("%s: %s %s: ignored: %s", where, name, strings.Join(args[1:], " "), unsup.msg))
		case err != nil:
			return fmt.Errorf("%s: %s: %v", where, name, err)
		case p.inert && p.get(c) != before && p.get(c) != p.get(ptrDefault()):
			c.warnings = append(c.warnings, fmt.Sprintf("%s: %s %s: accepted, but modis does not use it", where, name, strings.Join(args[1:], " ")))
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read config %s: %w", path, err)
	}
	return nil
}

var defaultConfig = DefaultConfig()

func ptrDefault() *Config { return &defaultConfig }

// include loads the files a pattern names; a pattern that matches nothing
// is no error, a missing plain path is.
func (c *Config) include(pattern string, depth int) error {
	if !hasGlob(pattern) {
		return c.loadFile(pattern, depth+1)
	}
	files, err := filepath.Glob(pattern)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := c.loadFile(f, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// SplitArgs splits a line as Redis's sdssplitargs does: spaces separate
// arguments; "double quotes" understand \n \r \t \b \a \\ \" and \xHH;
// 'single quotes' only \'. A closing quote must be followed by a space (any
// of C's isspace characters) or the end of the line.
func SplitArgs(line string) ([]string, error) {
	var out []string
	i := 0
	for {
		for i < len(line) && splitArgsSpace(line[i]) {
			i++
		}
		if i >= len(line) {
			return out, nil
		}
		var cur []byte
		inDq, inSq := false, false
		for done := false; !done; {
			if i >= len(line) {
				if inDq || inSq {
					return nil, errors.New("unbalanced quotes")
				}
				break
			}
			ch := line[i]
			switch {
			case inDq:
				switch {
				case ch == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]):
					v, _ := strconv.ParseUint(line[i+2:i+4], 16, 8)
					cur = append(cur, byte(v))
					i += 3
				case ch == '\\' && i+1 < len(line):
					i++
					switch line[i] {
					case 'n':
						cur = append(cur, '\n')
					case 'r':
						cur = append(cur, '\r')
					case 't':
						cur = append(cur, '\t')
					case 'b':
						cur = append(cur, '\b')
					case 'a':
						cur = append(cur, '\a')
					default:
						cur = append(cur, line[i])
					}
				case ch == '"':
					if i+1 < len(line) && !splitArgsSpace(line[i+1]) {
						return nil, errors.New("closing quote must be followed by a space")
					}
					done = true
				default:
					cur = append(cur, ch)
				}
			case inSq:
				switch {
				case ch == '\\' && i+1 < len(line) && line[i+1] == '\'':
					i++
					cur = append(cur, '\'')
				case ch == '\'':
					if i+1 < len(line) && !splitArgsSpace(line[i+1]) {
						return nil, errors.New("closing quote must be followed by a space")
					}
					done = true
				default:
					cur = append(cur, ch)
				}
			default:
				switch ch {
				case ' ', '\n', '\r', '\t':
					done = true
				case '"':
					inDq = true
				case '\'':
					inSq = true
				default:
					cur = append(cur, ch)
				}
			}
			i++
		}
		out = append(out, string(cur))
	}
}

// splitArgsSpace is C's isspace in the C locale, which sdssplitargs uses
// between arguments and after a closing quote. (Inside an unquoted argument
// only space, tab, CR and LF end it, as in sdssplitargs.)
func splitArgsSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// Rewrite is CONFIG REWRITE: it rewrites the config file the server was
// started with so that it holds the current configuration, as Redis does:
// a directive's first line takes its current value (further lines of it go),
// comments and other lines stay, and parameters that differ from their
// default but are not in the file are appended after a "# Generated by
// CONFIG REWRITE" line. Lines of features Modis does not have, loadmodule
// and include lines are left as written. The new file replaces the old one
// atomically.
func (c *Config) Rewrite() error {
	if c.ConfigFile == "" {
		return errors.New("The server is running without a config file")
	}
	old, err := os.ReadFile(c.ConfigFile)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	lines := strings.Split(strings.TrimRight(string(old), "\n"), "\n")
	if len(old) == 0 {
		lines = nil
	}
	const marker = "# Generated by CONFIG REWRITE"
	done := map[*param]bool{}
	var out []string
	hasMarker := false
	for _, l := range lines {
		if strings.TrimRight(l, " \t\r") == marker {
			hasMarker = true
		}
		args, err := SplitArgs(strings.TrimSpace(l))
		if err != nil || len(args) == 0 || strings.HasPrefix(strings.TrimSpace(l), "#") {
			out = append(out, l)
			continue
		}
		p := c.lookupParam(args[0])
		if p == nil || !rewritable(p) {
			out = append(out, l)
			continue
		}
		if done[p] {
			continue // a further line of a directive already written
		}
		done[p] = true
		out = append(out, p.configLines(c, strings.ToLower(args[0]))...)
	}
	var extra []string
	for i := range params {
		p := &params[i]
		if done[p] || !rewritable(p) || p.get(c) == p.get(ptrDefault()) {
			continue
		}
		extra = append(extra, p.configLines(c, p.name)...)
	}
	c.modParams.each(func(p *param) { // module configs away from their default
		if !done[p] && p.get(c) != p.mod.defaultValue() {
			extra = append(extra, p.configLines(c, p.name)...)
		}
	})
	if len(extra) > 0 {
		if !hasMarker {
			out = append(out, marker)
		}
		out = append(out, extra...)
	}
	tmp := c.ConfigFile + ".tmp-rewrite"
	if err := os.WriteFile(tmp, []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, c.ConfigFile)
}

// rewritable reports whether CONFIG REWRITE writes a parameter: not the
// features Modis lacks (their lines stay as the user wrote them), nor
// loadmodule.
func rewritable(p *param) bool {
	switch p.name {
	case "loadmodule", "daemonize", "supervised", "logfile", "pidfile", "syslog-enabled",
		"unixsocket", "io-threads", "io-threads-do-reads", "cluster-enabled", "replicaof", "tls-port", "aclfile":
		return false
	}
	return p.set != nil
}

// configLines writes a parameter's current value as config file lines.
func (p *param) configLines(c *Config, name string) []string {
	if p.mod != nil {
		return p.mod.configLines(name)
	}
	v := p.get(c)
	if p.name == "client-output-buffer-limit" {
		f := strings.Fields(v)
		var out []string
		for i := 0; i+3 < len(f); i += 4 {
			out = append(out, name+" "+strings.Join(f[i:i+4], " "))
		}
		return out
	}
	if p.multiArg && v != "" {
		var quoted []string
		for _, a := range strings.Split(v, " ") {
			quoted = append(quoted, configQuote(a))
		}
		return []string{name + " " + strings.Join(quoted, " ")}
	}
	return []string{name + " " + configQuote(v)}
}

// configQuote quotes a value for a config file when it needs it.
func configQuote(v string) string {
	if v != "" && !strings.ContainsAny(v, " \t\r\n\"'\\") && strings.IndexFunc(v, func(r rune) bool { return r < 0x20 || r > 0x7e }) < 0 {
		return v
	}
	return string(appendRepr(nil, []byte(v)))
}
