package host

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"modis/host/internal/keyspace"
)

// INFO, and the statistics behind it: the per-command statistics kept by
// Client.call (calls, time, rejected and failed calls, latency histograms),
// error codes, and the instantaneous metrics the cron samples.

// cmdStat is what a command has beyond the calls and usec the Command keeps.
type cmdStat struct {
	rejected int64
	failed   int64
	hist     *latencyHist
}

// cmdStat returns cmd's statistics, creating them. Lock held.
func (s *Server) cmdStat(cmd *Command) *cmdStat {
	st := s.cmdStats[cmd]
	if st == nil {
		if s.cmdStats == nil {
			s.cmdStats = map[*Command]*cmdStat{}
		}
		st = &cmdStat{}
		s.cmdStats[cmd] = st
	}
	return st
}

// afterCall accounts for one call of cmd that took d: its statistics, the
// slow log, the latency monitor and MONITOR. Lock held.
func (s *Server) afterCall(c *Client, cmd *Command, args [][]byte, d time.Duration) {
	us := d.Microseconds()
	cmd.calls++
	cmd.usec += us
	s.stats.commands++
	if s.stats.errorReplies != s.prevErrs {
		s.prevErrs = s.stats.errorReplies
		s.cmdStat(cmd).failed++
	}
	if cmd.Flags&FlagWrite != 0 { // with or without maxmemory: INFO's used_memory moves either way
		s.noteWrite(args)
	}
	if s.cfg.LatencyTracking {
		st := s.cmdStat(cmd)
		if st.hist == nil {
			st.hist = &latencyHist{}
		}
		st.hist.add(d)
	}
	if c.blocked == nil {
		if cmd.Flags&FlagSkipSlowlog == 0 {
			s.slowlogPush(c, args, us)
		}
		if s.cfg.LatencyMonitorThreshold > 0 {
			event := "command"
			if cmd.Flags&FlagFast != 0 {
				event = "fast-command"
			}
			s.latencySample(event, d)
		}
	}
	if len(s.monitors) > 0 && cmd.Flags&(FlagSkipMonitor|FlagAdmin) == 0 {
		s.feedMonitors(c, args)
	}
}

// resetStats is CONFIG RESETSTAT: every counter INFO reports goes back to
// zero (gauges and the slow log and latency monitor stay). Lock held.
func (s *Server) resetStats() {
	blocked := s.stats.blockedClients
	s.stats = serverStats{blockedClients: blocked}
	s.prevErrs = 0
	s.ks.Hits, s.ks.Misses, s.ks.Expired = 0, 0, 0
	for _, cmd := range s.allCommands() {
		cmd.calls, cmd.usec = 0, 0
	}
	s.cmdStats = nil
	s.errorStats = map[string]int64{}
	s.inst = instMetrics{}
	if !s.mem.exceedSince.IsZero() {
		s.mem.exceedSince = time.Now()
	}
}

// allCommands lists every command and subcommand of the table, by name.
func (s *Server) allCommands() []*Command {
	var out []*Command
	for _, cmd := range s.table.Sorted() {
		out = append(out, cmd)
		out = append(out, sortedSubs(cmd)...)
	}
	return out
}

// instMetrics is Redis's instantaneous metrics: every 100ms the cron
// samples the rate of commands and of network bytes; INFO reports the
// average of the last 16 samples.
type instMetrics struct {
	last    time.Time
	counts  [3]int64 // commands, net in, net out at the last sample
	samples [3][16]int64
	idx     int
}

func (m *instMetrics) sample(s *Server, now time.Time) {
	cur := [3]int64{s.stats.commands, s.stats.netIn, s.stats.netOut}
	if m.last.IsZero() {
		m.last, m.counts = now, cur
		return
	}
	el := now.Sub(m.last).Milliseconds()
	if el < 100 {
		return
	}
	for i := range cur {
		m.samples[i][m.idx] = (cur[i] - m.counts[i]) * 1000 / el
	}
	m.idx = (m.idx + 1) % 16
	m.last, m.counts = now, cur
}

func (m *instMetrics) get(i int) int64 {
	var sum int64
	for _, v := range m.samples[i] {
		sum += v
	}
	return sum / 16
}

// runID is the server's random run id, as INFO reports it; replID the
// replication id.
var runID, replID = randomHex40(), randomHex40()

func randomHex40() string {
	b := make([]byte, 20)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// infoSections lists INFO's sections in Redis's order: whether INFO with
// no argument (or "default") shows them, and their writer.
var infoSections = []struct {
	name    string
	title   string
	dflt    bool
	section func(s *Server, sb *strings.Builder)
}{
	{"server", "Server", true, infoServer},
	{"clients", "Clients", true, infoClients},
	{"memory", "Memory", true, infoMemory},
	{"persistence", "Persistence", true, infoPersistence},
	{"stats", "Stats", true, infoStats},
	{"replication", "Replication", true, infoReplication},
	{"cpu", "CPU", true, infoCPU},
	{"modules", "Modules", true, infoModules},
	{"commandstats", "Commandstats", false, infoCommandstats},
	{"errorstats", "Errorstats", true, infoErrorstats},
	{"latencystats", "Latencystats", false, infoLatencystats},
	{"cluster", "Cluster", true, infoCluster},
	{"keyspace", "Keyspace", true, infoKeyspace},
}

func cmdInfo(c *Client, args [][]byte) error {
	c.out.Verbatim("txt", []byte(c.srv.infoText(args[1:])))
	return nil
}

// infoText builds INFO's reply for the given section names ("all",
// "everything", "default" or section names; none means default).
func (s *Server) infoText(names [][]byte) string {
	want := map[string]bool{}
	all, dflt := false, len(names) == 0
	for _, a := range names {
		switch sec := strings.ToLower(string(a)); sec {
		case "all", "everything":
			all = true
		case "default":
			dflt = true
		case "module_list": // Redis 7.0: the module list without the modules' own sections
			want["modules"] = true
		default:
			want[sec] = true
		}
	}
	var sb strings.Builder
	for _, sec := range infoSections {
		if !all && !(dflt && sec.dflt) && !want[sec.name] {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteString("\r\n")
		}
		sb.WriteString("# " + sec.title + "\r\n")
		sec.section(s, &sb)
	}
	s.infoModuleSections(&sb, names) // modules' own sections (mod_info.go)
	return sb.String()
}

func infoLine(sb *strings.Builder, key string, val any) {
	sb.WriteString(key)
	sb.WriteByte(':')
	switch v := val.(type) {
	case string:
		sb.WriteString(v)
	case int:
		sb.WriteString(strconv.Itoa(v))
	case int64:
		sb.WriteString(strconv.FormatInt(v, 10))
	default:
		fmt.Fprint(sb, v)
	}
	sb.WriteString("\r\n")
}

// The machine, read once.
var machine struct {
	once     sync.Once
	os       string
	totalMem int64
}

func machineInfo() (string, int64) {
	machine.once.Do(func() {
		read := func(path string) string {
			b, _ := os.ReadFile(path)
			return strings.TrimSpace(string(b))
		}
		arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64", "386": "i686"}[runtime.GOARCH]
		if arch == "" {
			arch = runtime.GOARCH
		}
		ostype, release := read("/proc/sys/kernel/ostype"), read("/proc/sys/kernel/osrelease")
		if ostype == "" {
			ostype = strings.ToUpper(runtime.GOOS[:1]) + runtime.GOOS[1:]
		}
		machine.os = strings.TrimSpace(ostype + " " + release + " " + arch)
		if b, err := os.ReadFile("/proc/meminfo"); err == nil {
			for _, l := range strings.Split(string(b), "\n") {
				if f := strings.Fields(l); len(f) >= 2 && f[0] == "MemTotal:" {
					kb, _ := strconv.ParseInt(f[1], 10, 64)
					machine.totalMem = kb * 1024
				}
			}
		}
	})
	return machine.os, machine.totalMem
}

// processRSS is the resident set size, from /proc (0 where there is none).
func processRSS() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(string(f[1]), 10, 64)
	return pages * int64(os.Getpagesize())
}

func infoServer(s *Server, sb *strings.Builder) {
	exe, _ := os.Executable()
	osName, _ := machineInfo()
	now := time.Now()
	up := now.Sub(s.started)
	infoLine(sb, "redis_version", RedisVersion)
	infoLine(sb, "redis_git_sha1", "00000000")
	infoLine(sb, "redis_git_dirty", 0)
	infoLine(sb, "redis_build_id", "0")
	infoLine(sb, "redis_mode", "standalone")
	infoLine(sb, "os", osName)
	infoLine(sb, "arch_bits", strconv.IntSize)
	infoLine(sb, "monotonic_clock", "POSIX clock_gettime")
	infoLine(sb, "multiplexing_api", map[bool]string{true: "epoll", false: "kqueue"}[runtime.GOOS == "linux"])
	infoLine(sb, "atomicvar_api", "go-sync-atomic")
	infoLine(sb, "gcc_version", "0.0.0")
	infoLine(sb, "process_id", pid)
	infoLine(sb, "process_supervised", "no")
	infoLine(sb, "run_id", runID)
	infoLine(sb, "tcp_port", s.cfg.Port)
	infoLine(sb, "server_time_usec", now.UnixMicro())
	infoLine(sb, "uptime_in_seconds", int64(up.Seconds()))
	infoLine(sb, "uptime_in_days", int64(up.Hours()/24))
	infoLine(sb, "hz", s.cfg.Hz)
	infoLine(sb, "configured_hz", s.cfg.Hz)
	infoLine(sb, "lru_clock", (now.Unix())&(1<<24-1))
	infoLine(sb, "executable", exe)
	infoLine(sb, "config_file", s.cfg.ConfigFile)
	infoLine(sb, "io_threads_active", 0)
	infoLine(sb, "modis_version", Version)
	infoLine(sb, "go_version", runtime.Version())
}

func infoClients(s *Server, sb *strings.Builder) {
	var pubsubClients, watching, timeouts int
	var maxOut int64
	for _, c := range s.clients {
		if c.subs.count() > 0 || c.subs != nil && len(c.subs.shards) > 0 {
			pubsubClients++
		}
		if len(c.watching) > 0 {
			watching++
		}
		if c.blocked != nil && !c.blocked.deadline.IsZero() {
			timeouts++
		}
		if c.push != nil {
			c.push.outMu.Lock()
			maxOut = max(maxOut, int64(len(c.push.pending)))
			c.push.outMu.Unlock()
		}
	}
	infoLine(sb, "connected_clients", len(s.clients))
	infoLine(sb, "cluster_connections", 0)
	infoLine(sb, "maxclients", s.cfg.MaxClients)
	infoLine(sb, "client_recent_max_input_buffer", 0)
	infoLine(sb, "client_recent_max_output_buffer", maxOut)
	infoLine(sb, "blocked_clients", s.stats.blockedClients)
	infoLine(sb, "tracking_clients", s.trk.clients)
	infoLine(sb, "pubsub_clients", pubsubClients)
	infoLine(sb, "watching_clients", watching)
	infoLine(sb, "clients_in_timeout_table", timeouts)
	infoLine(sb, "total_watched_keys", len(s.watched))
	infoLine(sb, "total_blocking_keys", len(s.blocked))
	infoLine(sb, "total_blocking_keys_on_nokey", 0)
}

func infoMemory(s *Server, sb *strings.Builder) {
	used := s.usedMemory(true)
	m := &s.mem
	m.peak = max(m.peak, used)
	rss := processRSS()
	_, total := machineInfo()
	var clientMem int64
	for _, c := range s.clients {
		clientMem += int64(cap(c.buf.B) + cap(c.spare))
	}
	overhead := min(m.startup+clientMem, used)
	dataset := used - overhead
	pct := func(a, b int64) string {
		if b <= 0 {
			return "0.00%"
		}
		return fmt.Sprintf("%.2f%%", float64(a)*100/float64(b))
	}
	ratio := func(a, b int64) string {
		if b <= 0 {
			return "0.00"
		}
		return fmt.Sprintf("%.2f", float64(a)/float64(b))
	}
	heapInuse := m.heap + m.heapUnused
	heapSys := heapInuse + m.heapFree
	infoLine(sb, "used_memory", used)
	infoLine(sb, "used_memory_human", humanBytes(used))
	infoLine(sb, "used_memory_rss", rss)
	infoLine(sb, "used_memory_rss_human", humanBytes(rss))
	infoLine(sb, "used_memory_peak", m.peak)
	infoLine(sb, "used_memory_peak_human", humanBytes(m.peak))
	infoLine(sb, "used_memory_peak_perc", pct(used, m.peak))
	infoLine(sb, "used_memory_overhead", overhead)
	infoLine(sb, "used_memory_startup", m.startup)
	infoLine(sb, "used_memory_dataset", dataset)
	infoLine(sb, "used_memory_dataset_perc", pct(dataset, used-m.startup))
	infoLine(sb, "allocator_allocated", m.heap)
	infoLine(sb, "allocator_active", heapInuse)
	infoLine(sb, "allocator_resident", heapSys)
	infoLine(sb, "total_system_memory", total)
	infoLine(sb, "total_system_memory_human", humanBytes(total))
	infoLine(sb, "used_memory_lua", 0)
	infoLine(sb, "used_memory_vm_eval", 0)
	infoLine(sb, "used_memory_lua_human", "0B")
	infoLine(sb, "used_memory_scripts_eval", 0)
	infoLine(sb, "number_of_cached_scripts", 0)
	infoLine(sb, "number_of_functions", 0)
	infoLine(sb, "number_of_libraries", 0)
	infoLine(sb, "used_memory_vm_functions", 0)
	infoLine(sb, "used_memory_vm_total", 0)
	infoLine(sb, "used_memory_vm_total_human", "0B")
	infoLine(sb, "used_memory_functions", 0)
	infoLine(sb, "used_memory_scripts", 0)
	infoLine(sb, "used_memory_scripts_human", "0B")
	infoLine(sb, "maxmemory", s.cfg.MaxMemory)
	infoLine(sb, "maxmemory_human", humanBytes(s.cfg.MaxMemory))
	infoLine(sb, "maxmemory_policy", s.cfg.MaxMemoryPolicy)
	infoLine(sb, "allocator_frag_ratio", ratio(heapInuse, m.heap))
	infoLine(sb, "allocator_frag_bytes", heapInuse-m.heap)
	infoLine(sb, "allocator_rss_ratio", ratio(heapSys, heapInuse))
	infoLine(sb, "allocator_rss_bytes", heapSys-heapInuse)
	infoLine(sb, "rss_overhead_ratio", ratio(rss, heapSys))
	infoLine(sb, "rss_overhead_bytes", rss-heapSys)
	infoLine(sb, "mem_fragmentation_ratio", ratio(rss, used))
	infoLine(sb, "mem_fragmentation_bytes", rss-used)
	infoLine(sb, "mem_not_counted_for_evict", 0)
	infoLine(sb, "mem_replication_backlog", 0)
	infoLine(sb, "mem_total_replication_buffers", 0)
	infoLine(sb, "mem_clients_slaves", 0)
	infoLine(sb, "mem_clients_normal", clientMem)
	infoLine(sb, "mem_cluster_links", 0)
	infoLine(sb, "mem_aof_buffer", 0)
	infoLine(sb, "mem_allocator", "go-"+runtime.Version())
	infoLine(sb, "active_defrag_running", 0)
	infoLine(sb, "lazyfree_pending_objects", 0)
	infoLine(sb, "lazyfreed_objects", 0)
	infoLine(sb, "go_gc_cycles", int64(m.cycles))
	infoLine(sb, "go_memory_limit", m.limitNow)
}

// humanBytes is Redis's bytesToHuman.
func humanBytes(n int64) string {
	f := float64(n)
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + "B"
	case n < 1<<20:
		return fmt.Sprintf("%.2fK", f/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.2fM", f/(1<<20))
	case n < 1<<40:
		return fmt.Sprintf("%.2fG", f/(1<<30))
	case n < 1<<50:
		return fmt.Sprintf("%.2fT", f/(1<<40))
	case n < 1<<60:
		return fmt.Sprintf("%.2fP", f/(1<<50))
	}
	return strconv.FormatInt(n, 10) + "B"
}

func infoPersistence(s *Server, sb *strings.Builder) {
	loading := "0"
	if s.load.active {
		loading = "1"
	}
	cow, processed, total := s.infoSaveProgress()
	perc := 0.0
	if total > 0 {
		perc = float64(processed) / float64(total) * 100
	}
	for _, kv := range [][2]string{
		{"loading", loading}, {"async_loading", "0"},
		{"current_cow_peak", strconv.FormatInt(cow, 10)}, {"current_cow_size", strconv.FormatInt(cow, 10)},
		{"current_cow_size_age", "0"}, {"current_fork_perc", fmt.Sprintf("%.2f", perc)},
		{"current_save_keys_processed", strconv.FormatInt(processed, 10)},
		{"current_save_keys_total", strconv.FormatInt(total, 10)},
	} {
		infoLine(sb, kv[0], kv[1])
	}
	infoLine(sb, "rdb_changes_since_last_save", s.dirty)
	bgIn, bgStatus, bgLast, bgCur, bgSaves, bgCow := s.infoBgsave()
	st := &s.aofStat
	rwIn, rwSched, rwCur, rwCow := s.infoAOFRewrite()
	rwStatus := "ok"
	if st.lastFailed {
		rwStatus = "err"
	}
	for _, kv := range [][2]string{
		{"rdb_bgsave_in_progress", bgIn}, {"rdb_last_save_time", strconv.FormatInt(s.lastSave.Unix(), 10)},
		{"rdb_last_bgsave_status", bgStatus}, {"rdb_last_bgsave_time_sec", bgLast}, {"rdb_current_bgsave_time_sec", bgCur},
		{"rdb_saves", bgSaves}, {"rdb_last_cow_size", bgCow},
		{"rdb_last_load_keys_expired", strconv.FormatInt(s.load.lastExpired, 10)},
		{"rdb_last_load_keys_loaded", strconv.FormatInt(s.load.lastKeys, 10)},
		{"aof_enabled", s.infoAOFEnabled()}, {"aof_rewrite_in_progress", rwIn},
		{"aof_rewrite_scheduled", rwSched}, {"aof_last_rewrite_time_sec", strconv.FormatInt(st.lastSec, 10)},
		{"aof_current_rewrite_time_sec", rwCur},
		{"aof_last_bgrewrite_status", rwStatus}, {"aof_rewrites", strconv.FormatInt(st.rewrites, 10)},
		{"aof_rewrites_consecutive_failures", strconv.FormatInt(st.failures, 10)},
		{"aof_last_write_status", s.infoAOFWriteStatus()}, {"aof_last_cow_size", rwCow}, {"module_fork_in_progress", "0"},
		{"module_fork_last_cow_size", "0"},
	} {
		infoLine(sb, kv[0], kv[1])
	}
	if a := s.aof; a != nil {
		infoLine(sb, "aof_current_size", a.currentSize())
		infoLine(sb, "aof_base_size", a.baseSize)
		infoLine(sb, "aof_pending_rewrite", rwSched)
		infoLine(sb, "aof_buffer_length", aofPendingBytes(a))
		infoLine(sb, "aof_pending_bio_fsync", 0)
		infoLine(sb, "aof_delayed_fsync", 0)
	}
	if l := &s.load; l.active {
		infoLine(sb, "loading_start_time", l.start.Unix())
		infoLine(sb, "loading_total_bytes", l.total)
		infoLine(sb, "loading_rdb_used_mem", l.usedMem)
		infoLine(sb, "loading_loaded_bytes", l.loaded())
		infoLine(sb, "loading_loaded_perc", fmt.Sprintf("%.2f", l.perc()))
		infoLine(sb, "loading_eta_seconds", l.eta())
	}
}

// infoSaveProgress is INFO persistence's current_* fields, what Redis's
// fork child reports while it saves: the running BGSAVE's or AOF rewrite's
// snapshot (one runs at a time) gives the bytes copied aside so far
// (current_cow_size, and current_cow_peak: the copies only accumulate),
// the keys accounted for and the keys at the start. Zeros when neither
// runs, as Redis's resetChildState leaves them. Lock held.
func (s *Server) infoSaveProgress() (cow, processed, total int64) {
	var sn *keyspace.Snapshot
	switch {
	case s.bg.running != nil:
		sn = s.bg.running.snap
	case s.aofStat.rw != nil:
		sn = s.aofStat.rw.snap
	}
	if sn == nil {
		return 0, 0, 0
	}
	processed, total = sn.Progress()
	return sn.Cow(), processed, total
}

// aofPendingBytes is aof_buffer_length: the bytes propagated but not yet
// written to the AOF (Redis's aof_buf): the buffer of the running batch
// plus what the writer has queued and not written. Lock held.
func aofPendingBytes(a *aofState) int64 {
	n := int64(len(a.buf))
	if w := a.w; w != nil {
		w.pmu.Lock()
		n += w.queued - w.written.Load()
		w.pmu.Unlock()
	}
	return max(n, 0)
}

func infoStats(s *Server, sb *strings.Builder) {
	st := &s.stats
	var trackedItems int
	for _, ids := range s.trk.keys {
		trackedItems += len(ids)
	}
	exceed := st.evictExceedUs
	var current int64
	if !s.mem.exceedSince.IsZero() {
		current = time.Since(s.mem.exceedSince).Milliseconds()
		exceed += time.Since(s.mem.exceedSince).Microseconds()
	}
	kbps := func(i int) string { return fmt.Sprintf("%.2f", float64(s.inst.get(i))/1024) }
	infoLine(sb, "total_connections_received", st.connections)
	infoLine(sb, "total_commands_processed", st.commands)
	infoLine(sb, "instantaneous_ops_per_sec", s.inst.get(0))
	infoLine(sb, "total_net_input_bytes", st.netIn)
	infoLine(sb, "total_net_output_bytes", st.netOut)
	infoLine(sb, "total_net_repl_input_bytes", 0)
	infoLine(sb, "total_net_repl_output_bytes", 0)
	infoLine(sb, "instantaneous_input_kbps", kbps(1))
	infoLine(sb, "instantaneous_output_kbps", kbps(2))
	infoLine(sb, "instantaneous_input_repl_kbps", "0.00")
	infoLine(sb, "instantaneous_output_repl_kbps", "0.00")
	infoLine(sb, "rejected_connections", st.rejectedConns)
	infoLine(sb, "sync_full", 0)
	infoLine(sb, "sync_partial_ok", 0)
	infoLine(sb, "sync_partial_err", 0)
	infoLine(sb, "expired_keys", s.ks.Expired)
	infoLine(sb, "expired_stale_perc", "0.00")
	infoLine(sb, "expired_time_cap_reached_count", 0)
	infoLine(sb, "expire_cycle_cpu_milliseconds", st.expireCycleUs/1000)
	infoLine(sb, "evicted_keys", st.evictedKeys)
	infoLine(sb, "evicted_clients", 0)
	infoLine(sb, "total_eviction_exceeded_time", exceed/1000)
	infoLine(sb, "current_eviction_exceeded_time", current)
	infoLine(sb, "keyspace_hits", s.ks.Hits)
	infoLine(sb, "keyspace_misses", s.ks.Misses)
	infoLine(sb, "pubsub_channels", len(s.ps.channels))
	infoLine(sb, "pubsub_patterns", len(s.ps.patterns))
	infoLine(sb, "pubsubshard_channels", len(s.ps.shards))
	infoLine(sb, "latest_fork_usec", 0)
	infoLine(sb, "total_forks", 0)
	infoLine(sb, "migrate_cached_sockets", 0)
	infoLine(sb, "slave_expires_tracked_keys", 0)
	infoLine(sb, "active_defrag_hits", 0)
	infoLine(sb, "active_defrag_misses", 0)
	infoLine(sb, "active_defrag_key_hits", 0)
	infoLine(sb, "active_defrag_key_misses", 0)
	infoLine(sb, "total_active_defrag_time", 0)
	infoLine(sb, "current_active_defrag_time", 0)
	infoLine(sb, "tracking_total_keys", len(s.trk.keys))
	infoLine(sb, "tracking_total_items", trackedItems)
	infoLine(sb, "tracking_total_prefixes", len(s.trk.prefixes))
	infoLine(sb, "unexpected_error_replies", 0)
	infoLine(sb, "total_error_replies", st.errorReplies)
	infoLine(sb, "dump_payload_sanitizations", 0)
	infoLine(sb, "total_reads_processed", st.reads)
	infoLine(sb, "total_writes_processed", st.writes)
	infoLine(sb, "io_threaded_reads_processed", 0)
	infoLine(sb, "io_threaded_writes_processed", 0)
	infoLine(sb, "reply_buffer_shrinks", 0)
	infoLine(sb, "reply_buffer_expands", 0)
	infoLine(sb, "client_query_buffer_limit_disconnections", 0)
	infoLine(sb, "client_output_buffer_limit_disconnections", st.outputKills)
	infoLine(sb, "module_panics_recovered", st.moduleRecovers)
}

func infoReplication(s *Server, sb *strings.Builder) {
	infoLine(sb, "role", "master")
	infoLine(sb, "connected_slaves", 0)
	infoLine(sb, "master_failover_state", "no-failover")
	infoLine(sb, "master_replid", replID)
	infoLine(sb, "master_replid2", strings.Repeat("0", 40))
	infoLine(sb, "master_repl_offset", 0)
	infoLine(sb, "second_repl_offset", -1)
	infoLine(sb, "repl_backlog_active", 0)
	infoLine(sb, "repl_backlog_size", 1048576)
	infoLine(sb, "repl_backlog_first_byte_offset", 0)
	infoLine(sb, "repl_backlog_histlen", 0)
}

func infoCPU(s *Server, sb *strings.Builder) {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	tv := func(t syscall.Timeval) string {
		return fmt.Sprintf("%d.%06d", int64(t.Sec), int64(t.Usec))
	}
	infoLine(sb, "used_cpu_sys", tv(ru.Stime))
	infoLine(sb, "used_cpu_user", tv(ru.Utime))
	infoLine(sb, "used_cpu_sys_children", "0.000000")
	infoLine(sb, "used_cpu_user_children", "0.000000")
}

func infoModules(s *Server, sb *strings.Builder) {
	for _, m := range s.modules.sortedModules() {
		s.infoModuleLine(sb, m) // filters, usedby, using (mod_info.go)
	}
}

func infoCommandstats(s *Server, sb *strings.Builder) {
	for _, cmd := range s.allCommands() {
		st := s.cmdStats[cmd]
		var rejected, failed int64
		if st != nil {
			rejected, failed = st.rejected, st.failed
		}
		if cmd.calls == 0 && rejected == 0 && failed == 0 {
			continue
		}
		perCall := 0.0
		if cmd.calls > 0 {
			perCall = float64(cmd.usec) / float64(cmd.calls)
		}
		fmt.Fprintf(sb, "cmdstat_%s:calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,failed_calls=%d\r\n",
			cmd.Name, cmd.calls, cmd.usec, perCall, rejected, failed)
	}
}

func infoErrorstats(s *Server, sb *strings.Builder) {
	codes := make([]string, 0, len(s.errorStats))
	for c := range s.errorStats {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		fmt.Fprintf(sb, "errorstat_%s:count=%d\r\n", c, s.errorStats[c])
	}
}

func infoLatencystats(s *Server, sb *strings.Builder) {
	for _, cmd := range s.allCommands() {
		st := s.cmdStats[cmd]
		if st == nil || st.hist == nil || st.hist.total == 0 {
			continue
		}
		sb.WriteString("latency_percentiles_usec_" + cmd.Name + ":")
		for i, p := range s.cfg.LatencyTrackingPercentiles {
			if i > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(sb, "p%s=%.3f", strconv.FormatFloat(p, 'f', -1, 64), st.hist.percentile(p))
		}
		sb.WriteString("\r\n")
	}
}

func infoCluster(s *Server, sb *strings.Builder) {
	infoLine(sb, "cluster_enabled", 0)
}

// infoKeyspace lists the databases that have keys. avg_ttl is estimated
// from a sample of the keys with an expiry, as Redis's is.
func infoKeyspace(s *Server, sb *strings.Builder) {
	now := s.now
	for _, db := range s.dbs {
		if db.Len() == 0 {
			continue
		}
		var avg int64
		if db.ExpiresLen() > 0 {
			s.evict.sample = db.SampleExpires(min(db.ExpiresLen(), 64), s.evict.sample[:0])
			var sum, n int64
			for _, e := range s.evict.sample {
				if e.Expire > now {
					sum += e.Expire - now
					n++
				}
			}
			if n > 0 {
				avg = sum / n
			}
			s.evict.sample = s.evict.sample[:0]
		}
		fmt.Fprintf(sb, "db%d:keys=%d,expires=%d,avg_ttl=%d\r\n", db.ID, db.Len(), db.ExpiresLen(), avg)
	}
}
