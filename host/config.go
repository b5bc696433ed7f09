package host

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
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
	Port                int
	Bind                []string
	LoadModules         []ModuleSpec
	LogLevel            string // debug, verbose, notice, warning
	LogFormat           string // text or json
	EnableModuleCommand string // yes, no or local
	Databases           int
	Hz                  int // active expire cycles per second
	Timeout             int // close idle clients after this many seconds; 0 never
	HashMaxEntries      int
	HashMaxValue        int
	// NotifyKeyspaceEvents is notify-keyspace-events in canonical form
	// ("" off; class letters and K/E as Redis prints them).
	NotifyKeyspaceEvents string
	ConfigFile           string // the file the config was read from, if any
}

// DefaultConfig returns Redis's defaults.
func DefaultConfig() Config {
	return Config{
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
}

// param is one configuration parameter: how to read and set it.
type param struct {
	name    string
	mutable bool // CONFIG SET may change it at run time
	get     func(c *Config) string
	set     func(c *Config, args []string) error
}

func oneArg(args []string) (string, error) {
	if len(args) != 1 {
		return "", errors.New("wrong number of arguments")
	}
	return args[0], nil
}

// intParam is an integer parameter accepting min..max. Values are parsed as
// Redis parses them (string2ll: no '+', no leading zeros, no spaces).
func intParam(name string, mutable bool, min, max int, field func(c *Config) *int) param {
	return clampedIntParam(name, mutable, min, max, min, max, field)
}

// clampedIntParam accepts lowest..highest and then brings the value into
// lo..hi, as Redis does with hz (accepted from 0, used between 1 and 500).
func clampedIntParam(name string, mutable bool, lowest, highest, lo, hi int, field func(c *Config) *int) param {
	return param{
		name: name, mutable: mutable,
		get: func(c *Config) string { return strconv.Itoa(*field(c)) },
		set: func(c *Config, args []string) error {
			s, err := oneArg(args)
			if err != nil {
				return err
			}
			n, ok := sdk.ParseInt([]byte(s))
			if !ok {
				return errors.New("argument couldn't be parsed into an integer")
			}
			if n < int64(lowest) || n > int64(highest) {
				return fmt.Errorf("argument must be between %d and %d inclusive", lowest, highest)
			}
			*field(c) = int(max(int64(lo), min(n, int64(hi))))
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
			for _, v := range values {
				if strings.EqualFold(s, v) {
					*field(c) = v
					return nil
				}
			}
			return fmt.Errorf("argument(s) must be one of the following: %s", strings.Join(values, ", "))
		},
	}
}

// fixedParam reports a value Modis does not let anyone change: a feature it
// does not have, reported honestly so tools that read it work.
func fixedParam(name, value string) param {
	return param{name: name, get: func(*Config) string { return value }}
}

// params is the configuration table, in CONFIG GET's order.
var params = []param{
	intParam("port", false, 0, 65535, func(c *Config) *int { return &c.Port }),
	{
		name: "bind",
		get:  func(c *Config) string { return strings.Join(c.Bind, " ") },
		set: func(c *Config, args []string) error {
			if len(args) == 0 {
				return errors.New("wrong number of arguments")
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
			c.LoadModules = append(c.LoadModules, ModuleSpec{Path: args[0], Args: args[1:]})
			return nil
		},
	},
	enumParam("loglevel", true, []string{"debug", "verbose", "notice", "warning"}, func(c *Config) *string { return &c.LogLevel }),
	enumParam("log-format", false, []string{"text", "json"}, func(c *Config) *string { return &c.LogFormat }),
	enumParam("enable-module-command", false, []string{"yes", "no", "local"}, func(c *Config) *string { return &c.EnableModuleCommand }),
	intParam("databases", false, 1, 1<<20, func(c *Config) *int { return &c.Databases }),
	// Redis accepts any hz from 0 and uses it between 1 and 500.
	clampedIntParam("hz", true, 0, math.MaxInt32, 1, 500, func(c *Config) *int { return &c.Hz }),
	intParam("timeout", false, 0, 1<<31-1, func(c *Config) *int { return &c.Timeout }),
	intParam("hash-max-listpack-entries", true, 0, math.MaxInt64, func(c *Config) *int { return &c.HashMaxEntries }),
	intParam("hash-max-listpack-value", true, 0, math.MaxInt64, func(c *Config) *int { return &c.HashMaxValue }),
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
	// Not implemented yet; reported as what they are (tools such as
	// redis-benchmark read them).
	fixedParam("save", ""),
	fixedParam("appendonly", "no"),
	fixedParam("maxmemory", "0"),
	fixedParam("maxmemory-policy", "noeviction"),
}

func findParam(name string) *param {
	for i := range params {
		if strings.EqualFold(params[i].name, name) {
			return &params[i]
		}
	}
	return nil
}

// Set applies one directive (a config file line or CONFIG SET pair) to c.
func (c *Config) Set(name string, args []string) error {
	p := findParam(name)
	if p == nil || p.set == nil {
		return fmt.Errorf("unknown directive %q", name)
	}
	return p.set(c, args)
}

// apply pushes the settings that live outside Config into effect.
func (c *Config) apply() {
	types.HashMaxListpackEntries = c.HashMaxEntries
	types.HashMaxListpackValue = c.HashMaxValue
}

// getMatching returns name, value pairs for every parameter matching a glob
// pattern, for CONFIG GET.
func (c *Config) getMatching(pattern string) [][2]string {
	var out [][2]string
	for _, p := range params {
		if glob.Match(pattern, p.name, true) {
			out = append(out, [2]string{p.name, p.get(c)})
		}
	}
	return out
}

// LoadFile reads a redis.conf-style file into c: one directive per line,
// arguments split as Redis splits them (quotes and escapes), # comments.
// An unknown directive or a bad value is an error naming the file and line.
func (c *Config) LoadFile(path string) error {
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
		if findParam(name) == nil || findParam(name).set == nil {
			return fmt.Errorf("%s:%d: unknown directive %q", path, line, args[0])
		}
		if err := c.Set(name, args[1:]); err != nil {
			return fmt.Errorf("%s:%d: %s: %v", path, line, name, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read config %s: %w", path, err)
	}
	c.ConfigFile = path
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
