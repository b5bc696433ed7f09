package host

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
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
}

// Server commands: DBSIZE FLUSHDB FLUSHALL CONFIG INFO COMMAND.
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
		configCommand(),
		commandCommand(),
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
		if all {
			c.srv.flushed(nil)
			for _, db := range c.srv.dbs {
				db.Flush()
			}
		} else {
			c.srv.flushed(c.db)
			c.db.Flush()
		}
		c.out.SimpleString("OK")
		return nil
	}
}

func configCommand() *Command {
	return &Command{
		Name: "config", Arity: -2, Group: "server", Summary: "A container for server configuration commands.", Since: "2.0.0",
		Subs: map[string]*Command{
			"get": {Arity: -3, Flags: FlagAdmin | FlagNoScript | FlagLoading | FlagStale, Handler: cmdConfigGet,
				Summary: "Returns the effective values of configuration parameters.", Since: "2.0.0"},
			"set": {Arity: -4, Flags: FlagAdmin | FlagNoScript | FlagLoading | FlagStale, Handler: cmdConfigSet,
				Summary: "Sets configuration parameters in-flight.", Since: "2.0.0"},
			"resetstat": {Arity: 2, Flags: FlagAdmin | FlagNoScript | FlagLoading | FlagStale, Handler: cmdConfigResetstat,
				Summary: "Resets the server's statistics.", Since: "2.0.0"},
			"help": {Arity: 2, Flags: FlagLoading | FlagStale, Handler: helpHandler("CONFIG",
				"GET <pattern>",
				"    Return parameters matching the glob-like <pattern> and their values.",
				"SET <directive> <value>",
				"    Set the configuration <directive> to <value>.",
				"RESETSTAT",
				"    Reset statistics reported by the INFO command.",
			), Summary: "Returns helpful text about the different subcommands.", Since: "5.0.0"},
		},
	}
}

func cmdConfigGet(c *Client, args [][]byte) error {
	seen := map[string]bool{}
	var pairs [][2]string
	for _, pat := range args[2:] {
		for _, kv := range c.srv.cfg.getMatching(string(pat)) {
			if !seen[kv[0]] {
				seen[kv[0]] = true
				pairs = append(pairs, kv)
			}
		}
	}
	c.out.Map(len(pairs))
	for _, kv := range pairs {
		c.out.BulkString(kv[0])
		c.out.BulkString(kv[1])
	}
	return nil
}

func cmdConfigSet(c *Client, args [][]byte) error {
	if len(args)%2 != 0 {
		return errWrongArity("config|set")
	}
	next := c.srv.cfg
	next.Bind = append([]string(nil), next.Bind...)
	for i := 2; i < len(args); i += 2 {
		name := strings.ToLower(string(args[i]))
		p := findParam(name)
		if p == nil || p.set == nil {
			return fmt.Errorf("ERR Unknown option or number of arguments for CONFIG SET - '%s'", args[i])
		}
		if !p.mutable {
			return fmt.Errorf("ERR CONFIG SET failed (possibly related to argument '%s') - can't set immutable config", name)
		}
		val, err := SplitArgs(string(args[i+1]))
		if err != nil || (len(val) == 0 && p.name != "bind") {
			val = []string{string(args[i+1])}
		}
		if err := p.set(&next, val); err != nil {
			return fmt.Errorf("ERR CONFIG SET failed (possibly related to argument '%s') - %v", name, err)
		}
	}
	c.srv.cfg = next
	next.apply()
	c.srv.log.SetLevel(hclogLevel(next.LogLevel))
	c.out.SimpleString("OK")
	return nil
}

func cmdConfigResetstat(c *Client, _ [][]byte) error {
	s := c.srv
	s.stats = serverStats{}
	s.ks.Hits, s.ks.Misses, s.ks.Expired = 0, 0, 0
	for _, cmd := range s.table.cmds {
		cmd.calls, cmd.usec = 0, 0
		for _, sub := range cmd.Subs {
			sub.calls, sub.usec = 0, 0
		}
	}
	c.out.SimpleString("OK")
	return nil
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

// infoSections lists INFO's sections in order, each with its writer.
var infoSections = []struct {
	name    string
	dflt    bool
	section func(s *Server, sb *strings.Builder)
}{
	{"server", true, infoServer},
	{"clients", true, infoClients},
	{"memory", true, infoMemory},
	{"stats", true, infoStats},
	{"modules", true, infoModules},
	{"keyspace", true, infoKeyspace},
}

func cmdInfo(c *Client, args [][]byte) error {
	want := map[string]bool{}
	all := len(args) == 1
	for _, a := range args[1:] {
		sec := strings.ToLower(string(a))
		switch sec {
		case "all", "everything", "default":
			all = true
		default:
			want[sec] = true
		}
	}
	var sb strings.Builder
	for _, sec := range infoSections {
		if !(all && sec.dflt) && !want[sec.name] {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteString("\r\n")
		}
		sb.WriteString("# " + strings.ToUpper(sec.name[:1]) + sec.name[1:] + "\r\n")
		sec.section(c.srv, &sb)
	}
	c.out.Verbatim("txt", []byte(sb.String()))
	return nil
}

func infoLine(sb *strings.Builder, key string, val any) {
	fmt.Fprintf(sb, "%s:%v\r\n", key, val)
}

// runID is the server's random run id, as INFO reports it.
var runID = fmt.Sprintf("%040x", time.Now().UnixNano())

func infoServer(s *Server, sb *strings.Builder) {
	exe, _ := os.Executable()
	up := time.Since(s.started)
	infoLine(sb, "redis_version", RedisVersion)
	infoLine(sb, "redis_git_sha1", "00000000")
	infoLine(sb, "redis_git_dirty", 0)
	infoLine(sb, "redis_build_id", "0")
	infoLine(sb, "redis_mode", "standalone")
	infoLine(sb, "modis_version", Version)
	infoLine(sb, "go_version", runtime.Version())
	infoLine(sb, "os", runtime.GOOS+" "+runtime.GOARCH)
	infoLine(sb, "arch_bits", strconv.Itoa(strconv.IntSize))
	infoLine(sb, "multiplexing_api", "goroutines")
	infoLine(sb, "process_id", pid)
	infoLine(sb, "process_supervised", "no")
	infoLine(sb, "run_id", runID)
	infoLine(sb, "tcp_port", s.cfg.Port)
	infoLine(sb, "server_time_usec", time.Now().UnixMicro())
	infoLine(sb, "uptime_in_seconds", int64(up.Seconds()))
	infoLine(sb, "uptime_in_days", int64(up.Hours()/24))
	infoLine(sb, "hz", s.cfg.Hz)
	infoLine(sb, "configured_hz", s.cfg.Hz)
	infoLine(sb, "executable", exe)
	infoLine(sb, "config_file", s.cfg.ConfigFile)
	infoLine(sb, "io_threads_active", 0)
}

func infoClients(s *Server, sb *strings.Builder) {
	infoLine(sb, "connected_clients", len(s.clients))
	infoLine(sb, "cluster_connections", 0)
	infoLine(sb, "maxclients", 10000)
	infoLine(sb, "blocked_clients", 0)
	infoLine(sb, "tracking_clients", 0)
	infoLine(sb, "clients_in_timeout_table", 0)
}

func infoMemory(s *Server, sb *strings.Builder) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	infoLine(sb, "used_memory", ms.HeapAlloc)
	infoLine(sb, "used_memory_human", humanBytes(ms.HeapAlloc))
	infoLine(sb, "used_memory_rss", ms.Sys-ms.HeapReleased)
	infoLine(sb, "used_memory_rss_human", humanBytes(ms.Sys-ms.HeapReleased))
	infoLine(sb, "used_memory_peak", ms.HeapSys)
	infoLine(sb, "used_memory_peak_human", humanBytes(ms.HeapSys))
	infoLine(sb, "total_system_memory", 0)
	infoLine(sb, "maxmemory", 0)
	infoLine(sb, "maxmemory_human", "0B")
	infoLine(sb, "maxmemory_policy", "noeviction")
	infoLine(sb, "mem_allocator", "go-"+runtime.Version())
	infoLine(sb, "go_gc_cycles", ms.NumGC)
}

func humanBytes(n uint64) string {
	f := float64(n)
	for _, unit := range []string{"B", "K", "M", "G", "T"} {
		if f < 1024 || unit == "T" {
			if unit == "B" {
				return fmt.Sprintf("%dB", n)
			}
			return fmt.Sprintf("%.2f%s", f, unit)
		}
		f /= 1024
	}
	return ""
}

func infoStats(s *Server, sb *strings.Builder) {
	infoLine(sb, "total_connections_received", s.stats.connections)
	infoLine(sb, "total_commands_processed", s.stats.commands)
	infoLine(sb, "instantaneous_ops_per_sec", 0)
	infoLine(sb, "rejected_connections", s.stats.rejectedConns)
	infoLine(sb, "expired_keys", s.ks.Expired)
	infoLine(sb, "evicted_keys", 0)
	infoLine(sb, "keyspace_hits", s.ks.Hits)
	infoLine(sb, "keyspace_misses", s.ks.Misses)
	infoLine(sb, "pubsub_channels", 0)
	infoLine(sb, "pubsub_patterns", 0)
	infoLine(sb, "total_error_replies", s.stats.errorReplies)
	infoLine(sb, "module_panics_recovered", s.stats.moduleRecovers)
}

func infoModules(s *Server, sb *strings.Builder) {
	for _, m := range s.modules.sortedModules() {
		fmt.Fprintf(sb, "module:name=%s,ver=%d,api=1,filters=0,usedby=[],using=[],options=[]\r\n", m.Name, m.Version)
	}
}

func infoKeyspace(s *Server, sb *strings.Builder) {
	for _, db := range s.dbs {
		if db.Len() > 0 {
			fmt.Fprintf(sb, "db%d:keys=%d,expires=%d,avg_ttl=0\r\n", db.ID, db.Len(), db.ExpiresLen())
		}
	}
}
