package host

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"modis/host/internal/keyspace"
	"modis/host/internal/resp"
)

// registerBuiltins fills the command table with every built-in command.
func (s *Server) registerBuiltins() {
	s.table.mustAdd(connCommands()...)
	s.table.mustAdd(serverCommands()...)
	s.table.mustAdd(stringCommands()...)
	s.table.mustAdd(hashCommands()...)
	s.table.mustAdd(keyCommands()...)
	s.table.mustAdd(moduleCommands())
	s.table.mustAdd(multiCommands()...)
	s.table.mustAdd(pubsubCommands()...)
	s.table.mustAdd(objectCommands()...)
	s.table.mustAdd(sortCommands()...)
	s.table.mustAdd(s.scriptingCommands()...)
	s.table.mustAdd(dumpCommands()...)
	s.table.mustAdd(listCommands()...)
	s.table.mustAdd(bitmapCommands()...)
	s.table.mustAdd(hllCommands()...)
	s.table.mustAdd(setCommands()...)
	s.table.mustAdd(zsetCommands()...)
	s.table.mustAdd(saveCommands()...)
	s.table.mustAdd(aofCommands()...)
}

// Server commands: DBSIZE FLUSHDB FLUSHALL INFO CONFIG COMMAND TIME LASTSAVE
// DEBUG MONITOR SLOWLOG LATENCY.
func serverCommands() []*Command {
	return []*Command{
		{Name: "dbsize", Arity: 1, Flags: FlagReadonly | FlagFast, Group: "server", Handler: func(c *Client, _ [][]byte) error {
			c.out.Int(int64(c.db.Len()))
			return nil
		}, Summary: "Returns the number of keys in the database.", Since: "1.0.0"},
		{Name: "flushdb", Arity: -1, Flags: FlagWrite, Group: "server", Handler: cmdFlush(false),
			Summary: "Removes all keys from the current database.", Since: "1.0.0"},
		{Name: "flushall", Arity: -1, Flags: FlagWrite, Group: "server", Handler: cmdFlush(true),
			Summary: "Removes all keys from all databases.", Since: "1.0.0"},
		{Name: "info", Arity: -1, Flags: FlagLoading | FlagStale, Group: "server", Handler: cmdInfo,
			Summary: "Returns information and statistics about the server.", Since: "1.0.0"},
		{Name: "time", Arity: 1, Flags: FlagLoading | FlagStale | FlagFast, Group: "server", Handler: cmdTime,
			Summary: "Returns the server time.", Since: "2.6.0"},
		{Name: "lastsave", Arity: 1, Flags: FlagLoading | FlagStale | FlagFast, Group: "server", Handler: func(c *Client, _ [][]byte) error {
			c.out.Int(c.srv.lastSave.Unix())
			return nil
		}, Summary: "Returns the Unix timestamp of the last successful save to disk.", Since: "1.0.0"},
		{Name: "debug", Arity: -2, Flags: FlagAdmin | FlagNoScript | FlagLoading | FlagStale, Group: "server", Handler: cmdDebug,
			Summary: "A container for debugging commands.", Since: "1.0.0"},
		configCommand(),
		commandCommand(),
		monitorCommand(),
		slowlogCommand(),
		latencyCommand(),
	}
}

func cmdFlush(all bool) HandlerFunc {
	return func(c *Client, args [][]byte) error {
		if len(args) > 2 {
			return ErrSyntax
		}
		if len(args) == 2 {
			opt := strings.ToUpper(string(args[1]))
			if opt != "SYNC" && opt != "ASYNC" {
				return ErrSyntax
			}
		}
		var mods modReleases // module values, freed once flushed (mod_type_cmds.go)
		if all {
			mods = c.srv.moduleFlushing(nil)
			c.srv.flushed(nil)
			for _, db := range c.srv.dbs {
				db.Flush()
			}
			c.srv.flushDone(nil) // modules' FlushDB end event (mod_events.go)
		} else {
			mods = c.srv.moduleFlushing(c.db)
			c.srv.flushed(c.db)
			c.db.Flush()
			c.srv.flushDone(c.db)
		}
		mods.done(len(args) == 2 && strings.EqualFold(string(args[1]), "async"))
		c.out.SimpleString("OK")
		return nil
	}
}

func cmdTime(c *Client, _ [][]byte) error {
	now := time.Now()
	c.out.Array(2)
	c.out.BulkString(strconv.FormatInt(now.Unix(), 10))
	c.out.BulkString(strconv.Itoa(now.Nanosecond() / 1000))
	return nil
}

func configCommand() *Command {
	f := FlagAdmin | FlagNoScript | FlagLoading | FlagStale
	return &Command{
		Name: "config", Arity: -2, Group: "server", Summary: "A container for server configuration commands.", Since: "2.0.0",
		Subs: map[string]*Command{
			"get": {Arity: -3, Flags: f, Handler: cmdConfigGet,
				Summary: "Returns the effective values of configuration parameters.", Since: "2.0.0"},
			"set": {Arity: -4, Flags: f, Handler: cmdConfigSet,
				Summary: "Sets configuration parameters in-flight.", Since: "2.0.0"},
			"resetstat": {Arity: 2, Flags: f, Handler: func(c *Client, _ [][]byte) error {
				c.srv.resetStats()
				c.out.SimpleString("OK")
				return nil
			}, Summary: "Resets the server's statistics.", Since: "2.0.0"},
			"rewrite": {Arity: 2, Flags: f, Handler: func(c *Client, _ [][]byte) error {
				if c.srv.cfg.ConfigFile == "" {
					return errors.New("ERR The server is running without a config file")
				}
				if err := c.srv.cfg.Rewrite(); err != nil {
					c.srv.log.Warn("config rewrite failed", "file", c.srv.cfg.ConfigFile, "error", err)
					return fmt.Errorf("ERR Rewriting config file: %v", err)
				}
				c.srv.log.Info("config rewritten", "file", c.srv.cfg.ConfigFile)
				c.out.SimpleString("OK")
				return nil
			}, Summary: "Persists the effective configuration to file.", Since: "2.8.0"},
			"help": {Arity: 2, Flags: FlagLoading | FlagStale, Handler: helpHandler("CONFIG",
				"GET <pattern>",
				"    Return parameters matching the glob-like <pattern> and their values.",
				"SET <directive> <value>",
				"    Set the configuration <directive> to <value>.",
				"RESETSTAT",
				"    Reset statistics reported by the INFO command.",
				"REWRITE",
				"    Rewrite the configuration file.",
			), Summary: "Returns helpful text about the different subcommands.", Since: "5.0.0"},
		},
	}
}

func cmdConfigGet(c *Client, args [][]byte) error {
	pats := make([]string, len(args)-2)
	for i, a := range args[2:] {
		pats[i] = string(a)
	}
	pairs := c.srv.cfg.getMatching(pats...)
	c.out.Map(len(pairs))
	for _, kv := range pairs {
		c.out.BulkString(kv[0])
		c.out.BulkString(kv[1])
	}
	return nil
}

// cmdConfigSet sets one or more parameters, all or none, as Redis 7 does:
// every name is checked first (unknown, immutable, protected, duplicate),
// then the values are set on a copy of the config that replaces it only if
// all of them are valid.
func cmdConfigSet(c *Client, args [][]byte) error {
	if len(args)%2 != 0 {
		return ErrSyntax
	}
	s := c.srv
	n := (len(args) - 2) / 2
	set := make([]*param, n)
	var failure error
	for i := 0; i < n; i++ {
		name := string(args[2+2*i])
		p := s.cfg.lookupParam(name) // a built-in, or a module's config (mod_config.go)
		if p == nil || p.set == nil {
			if failure == nil {
				failure = fmt.Errorf("ERR Unknown option or number of arguments for CONFIG SET - '%s'", name)
			}
			continue
		}
		if p.sensitive {
			c.redactArg(2 + 2*i + 1)
		}
		if failure != nil {
			continue
		}
		switch {
		case !p.mutable:
			failure = configSetError(name, "can't set immutable config")
		case p.protected && !c.allowProtected(s.cfg.EnableProtectedConfigs):
			failure = configSetError(name, "can't set protected config")
		case p.denyLoading && s.load.active:
			failure = errLoading
		}
		for j := 0; j < i && failure == nil; j++ {
			if set[j] == p && strings.EqualFold(string(args[2+2*j]), name) {
				failure = configSetError(name, "duplicate parameter")
			}
		}
		set[i] = p
	}
	if failure != nil {
		return failure
	}
	next := s.cfg.clone()
	// Module configs are set in the module as we go; txn sets them back if
	// a value or an apply function fails (mod_config.go).
	txn := s.modules.beginConfigSet()
	for i, p := range set {
		val := string(args[3+2*i])
		vals := []string{val}
		if p.multiArg {
			vals = nil
			if val != "" {
				vals = strings.Split(val, " ")
			}
		}
		if err := p.set(&next, vals); err != nil {
			txn.rollback()
			shown := p.name
			if strings.EqualFold(string(args[2+2*i]), p.alias) {
				shown = p.alias
			}
			return configSetError(shown, err.Error())
		}
	}
	if err := txn.commit(); err != nil {
		return err
	}
	s.setConfig(next)
	s.evConfigChanged(args) // modules' Config event (mod_events.go)
	c.out.SimpleString("OK")
	return nil
}

func configSetError(name, msg string) error {
	if msg == "" { // a module's error without a text, as Redis words it
		return fmt.Errorf("ERR CONFIG SET failed (possibly related to argument '%s')", name)
	}
	return fmt.Errorf("ERR CONFIG SET failed (possibly related to argument '%s') - %s", name, msg)
}

// setConfig installs a changed configuration and applies what lives
// outside it. Lock held.
func (s *Server) setConfig(next Config) {
	old := s.cfg
	s.cfg = next
	next.apply()
	s.aofConfigChanged(old)
	s.log.SetLevel(hclogLevel(next.LogLevel))
	if lfu := strings.HasSuffix(next.MaxMemoryPolicy, "-lfu"); lfu != strings.HasSuffix(old.MaxMemoryPolicy, "-lfu") {
		keyspace.SetPolicyLFU(s.dbs, lfu)
	}
	if next.MaxMemory != old.MaxMemory {
		s.applyMemoryLimit()
		if next.MaxMemory > 0 {
			if used := s.usedMemory(true); used > next.MaxMemory {
				s.log.Warn("the new maxmemory is smaller than the current memory usage: keys will be evicted now, if the policy allows",
					"maxmemory", next.MaxMemory, "used", used, "policy", next.MaxMemoryPolicy)
			}
		}
	}
}

// allowProtected is Redis's allowProtectedAction for a yes/no/local
// setting.
func (c *Client) allowProtected(setting string) bool {
	return setting == "yes" || setting == "local" && c.isLocal()
}

// sortedClients returns the connected clients by ID. Lock held.
func (s *Server) sortedClients() []*Client {
	out := make([]*Client, 0, len(s.clients))
	for _, cl := range s.clients {
		out = append(out, cl)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// DEBUG: the subcommands tools and test suites use.

var errDebugNotAllowed = errors.New("ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.")

var debugHelp = helpHandler("DEBUG",
	"CHANGE-REPL-ID",
	"    Change the replication IDs of the instance.",
	"    Dangerous: should be used only for testing the replication subsystem.",
	"DIGEST",
	"    Output a hex signature representing the current DB content.",
	"DIGEST-VALUE <key> [<key> ...]",
	"    Output a hex signature of the values of all the specified keys.",
	"ERROR <string>",
	"    Return a Redis protocol error with <string> as message. Useful for clients",
	"    unit tests to simulate Redis errors.",
	"LOG <message>",
	"    Write <message> to the server log.",
	"OBJECT <key>",
	"    Show low level info about `key` and associated value.",
	"PAUSE-CRON <0|1>",
	"    Stop periodic cron job processing.",
	"POPULATE <count> [<prefix>] [<size>]",
	"    Create <count> string keys named key:<num>. If <prefix> is specified then",
	"    it is used instead of the 'key' prefix. These are not propagated to",
	"    replicas. Cluster slots are not respected so keys not belonging to the",
	"    current node can be created in cluster mode.",
	"PROTOCOL <type>",
	"    Reply with a test value of the specified type. <type> can be: string,",
	"    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
	"    true, false.",
	"SET-ACTIVE-EXPIRE <0|1>",
	"    Setting it to 0 disables expiring keys in background when they are not",
	"    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
	"    default.",
	"SLEEP <seconds>",
	"    Stop the server for <seconds>. Decimals allowed.",
)

func cmdDebug(c *Client, args [][]byte) error {
	s := c.srv
	sub := strings.ToLower(string(args[1]))
	argc := len(args)
	switch {
	case sub == "help" && argc == 2:
		return debugHelp(c, args)
	case sub == "reload":
		return debugReload(c, args[2:])
	case sub == "sleep" && argc == 3:
		secs := strtodPrefix(string(args[2]))
		if d := time.Duration(secs * float64(time.Second)); d > 0 {
			time.Sleep(d)
		}
	case sub == "digest" && argc == 2:
		return debugDigest(c) // mod_type_digest.go
	case sub == "digest-value":
		return debugDigestValue(c, args[2:])
	case sub == "object" && argc == 3:
		e := c.db.RawLookup(args[2])
		if e == nil {
			return ErrNoSuchKey
		}
		c.out.SimpleString(s.debugObject(e))
		return nil
	case sub == "set-active-expire" && argc == 3:
		n, _ := strconv.Atoi(strings.TrimSpace(string(args[2])))
		s.activeExpire = n != 0
	case sub == "error" && argc == 3:
		msg := string(args[2])
		s.countError(msg)
		c.out.Error(msg)
		return nil
	case sub == "log" && argc == 3:
		s.log.Warn("DEBUG LOG: " + string(args[2]))
	case sub == "change-repl-id" && argc == 2:
		replID = randomHex40()
	case sub == "pause-cron" && argc == 3:
		n, _ := strconv.Atoi(string(args[2]))
		s.pause.cron = n != 0
	case sub == "protocol" && argc == 3:
		return debugProtocol(c, strings.ToLower(string(args[2])))
	case sub == "populate" && argc >= 3 && argc <= 5:
		return debugPopulate(c, args)
	default:
		return errSubcommandSyntax(args[1], "DEBUG")
	}
	c.out.SimpleString("OK")
	return nil
}

// strtodPrefix is C's strtod: the number at the start of s, 0 if none.
func strtodPrefix(s string) float64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	for end := len(s); end > 0; end-- {
		if f, err := strconv.ParseFloat(s[:end], 64); err == nil {
			return f
		}
	}
	return 0
}

// debugObject is DEBUG OBJECT's line, in Redis's format.
func (s *Server) debugObject(e *keyspace.Entry) string {
	refcount := 1
	if e.Kind == keyspace.KindString && e.SharedInt(s.sharedIntegersAllowed()) {
		refcount = math.MaxInt32
	}
	idle := e.IdleMillis(s.now) / 1000
	lru := (s.now/1000 - idle) & (1<<24 - 1)
	return fmt.Sprintf("Value at:%p refcount:%d encoding:%s serializedlength:%d lru:%d lru_seconds_idle:%d",
		e, refcount, encodingOf(e), serializedLength(e), lru, idle)
}

// serializedLength estimates the bytes the value takes in an RDB file: exact
// for strings (without LZF compression), the value's memory for the rest.
func serializedLength(e *keyspace.Entry) int {
	if e.Kind != keyspace.KindString {
		if mu, ok := e.Obj.(interface{ MemoryUsage() int }); ok {
			return mu.MemoryUsage()
		}
		return 0
	}
	if len(e.Str) <= 11 {
		if n, ok := keyspace.ParseStrictInt(e.Str); ok {
			switch {
			case n >= math.MinInt8 && n <= math.MaxInt8:
				return 2
			case n >= math.MinInt16 && n <= math.MaxInt16:
				return 3
			case n >= math.MinInt32 && n <= math.MaxInt32:
				return 5
			}
		}
	}
	n := len(e.Str)
	switch {
	case n < 1<<6:
		return 1 + n
	case n < 1<<14:
		return 2 + n
	case n <= math.MaxUint32:
		return 5 + n
	}
	return 9 + n
}

var errDebugProtocol = errors.New("ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false")

// debugProtocol replies with a sample of each RESP type.
func debugProtocol(c *Client, name string) error {
	w := c.out
	switch name {
	case "string":
		w.BulkString("Hello World")
	case "integer":
		w.Int(12345)
	case "double":
		w.Double(3.141)
	case "bignum":
		w.BigNumber("1234567999999999999999999999999999999")
	case "null":
		w.Null()
	case "array":
		w.Array(3)
		for i := 0; i < 3; i++ {
			w.Int(int64(i))
		}
	case "set":
		w.Set(3)
		for i := 0; i < 3; i++ {
			w.Int(int64(i))
		}
	case "map":
		w.Map(3)
		for i := 0; i < 3; i++ {
			w.Int(int64(i))
			w.Bool(i == 1)
		}
	case "attrib":
		if b, ok := w.(*resp.Buffer); ok && b.P3 {
			b.B = append(b.B, "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n"...)
		}
		w.BulkString("Some real reply following the attribute")
	case "push":
		if w.Proto() != 3 {
			return errors.New("ERR RESP2 is not supported by this command")
		}
		w.Push(2)
		w.BulkString("server-cpu-usage")
		w.Int(42)
		w.BulkString("Some real reply following the push reply")
	case "true":
		w.Bool(true)
	case "false":
		w.Bool(false)
	case "verbatim":
		w.Verbatim("txt", []byte("This is a verbatim\nstring"))
	default:
		return errDebugProtocol
	}
	return nil
}

// debugPopulate is DEBUG POPULATE count [prefix] [size]: string keys
// prefix:N holding "value:N" (cut or padded with zero bytes to size), keys
// that exist are left alone.
func debugPopulate(c *Client, args [][]byte) error {
	errPositive := errors.New("ERR value is out of range, must be positive")
	count, ok := keyspace.ParseStrictInt(args[2])
	if !ok || count < 0 {
		return errPositive
	}
	prefix := "key"
	if len(args) >= 4 {
		prefix = string(args[3])
	}
	size := int64(0)
	if len(args) == 5 {
		n, ok := keyspace.ParseStrictInt(args[4])
		if !ok || n < 0 {
			return errPositive
		}
		size = n
	}
	s := c.srv
	for j := int64(0); j < count; j++ {
		key := []byte(prefix + ":" + strconv.FormatInt(j, 10))
		if c.db.Peek(key, s.now) != nil {
			continue
		}
		val := []byte("value:" + strconv.FormatInt(j, 10))
		if size > 0 {
			v := make([]byte, size)
			copy(v, val)
			val = v
		}
		c.db.Set(key, &keyspace.Entry{Kind: keyspace.KindString, Str: val})
		c.keyModified(key)
	}
	c.out.SimpleString("OK")
	return nil
}
