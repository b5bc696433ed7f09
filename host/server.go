// Package host is the Modis server: connections, the command table, the
// dispatcher, the keyspace and the module host.
//
// The path of a command: a connection goroutine (redcon) reads every command
// already in the socket buffer; the server takes the execution lock once for
// the batch, looks each command up in the one command table (built-ins and
// module commands alike), checks arity, runs the handler and writes its reply
// into the client's buffer; the buffer is flushed once per batch. Everything
// that touches the keyspace, the table, the config or the client list runs
// under that lock, which is what makes every command (and a module command
// with all its Calls) atomic.
package host

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"

	"modis/host/internal/keyspace"
	"modis/host/internal/redcon"
)

// Version is Modis's own version.
const Version = "0.1.0"

// RedisVersion is the Redis version whose behaviour Modis follows; it is what
// HELLO and INFO report as redis_version, which clients read.
const RedisVersion = "7.0.15"

// Server is one Modis server. Create it with New, then Start it.
type Server struct {
	log hclog.Logger

	mu      sync.Mutex // the execution lock: guards everything below
	cfg     Config
	now     int64 // Unix ms, read once per batch
	dbs     []*keyspace.DB
	ks      keyspace.Stats
	stats   serverStats
	table   *Table
	modules *moduleHost
	clients map[int64]*Client
	// scripting is the Lua engine: EVAL's scripts and FUNCTION's libraries.
	scripting *scriptEngine
	nextID    int64
	dirty     int64     // changes since the last save (Redis's server.dirty)
	aof       *aofState // the append-only file; nil when appendonly is no
	ps        pubsub
	trk       tracking
	blocked   map[readyKey][]*Client // clients blocked on each key, in order
	ready     []readyKey             // keys that may serve blocked clients
	watched   map[readyKey][]*Client // WATCHed keys
	modBlk    modBlockState          // modules' blocked clients and timers (mod_block.go)
	mev       modEvents              // modules' events, INFO, filters, shared API, ACL (mod_events.go)

	monitors     []*Client        // clients in MONITOR mode
	slowlog      slowlog          // SLOWLOG
	latency      latencyMonitor   // LATENCY
	errorStats   map[string]int64 // INFO errorstats, by error code
	prevErrs     int64            // errorReplies after the last call (failed_calls)
	pause        pauseState       // CLIENT PAUSE
	mem          memState         // used memory, for maxmemory and INFO
	evict        evictState       // the eviction pool
	inst         instMetrics      // instantaneous_ops_per_sec and friends
	activeExpire bool             // DEBUG SET-ACTIVE-EXPIRE
	lastSave     time.Time        // LASTSAVE: the last successful SAVE, else the start time
	listening    bool             // Start ran: process-wide settings (memory limit) apply
	cmdStats     map[*Command]*cmdStat
	memProbe     memProbe  // tests: replaces the runtime's memory reading
	bg           bgState   // BGSAVE, save points, SHUTDOWN (persist_bg.go)
	load         loadState // loading the dataset (loading.go)
	aofStat      aofStats  // INFO's aof_* counters (aof_files.go)
	aofDie       aofDeath  // a fatal AOF error (aof.go): no reply goes out after it

	started   time.Time
	listeners []*redcon.Server
	lns       []net.Listener // their sockets: closed by Stop even before Serve runs
	addrs     []net.Addr
	stop      chan struct{}
	wg        sync.WaitGroup
}

// serverStats are INFO's counters. CONFIG RESETSTAT zeroes them, except
// the gauges (blockedClients).
type serverStats struct {
	connections    int64
	commands       int64
	rejectedConns  int64
	expiredCycles  int64
	errorReplies   int64
	moduleRecovers int64
	blockedClients int64 // a gauge: blocked and paused clients now
	evictedKeys    int64
	netIn          int64 // bytes of commands read (RESP)
	netOut         int64 // bytes of replies written
	reads          int64 // batches read from sockets
	writes         int64 // writes to sockets
	expireCycleUs  int64 // time spent in active expiry
	evictExceedUs  int64 // time used memory stayed over maxmemory
	outputKills    int64 // clients closed for an output backlog
}

// New builds a server from cfg. It opens nothing: Start does.
func New(cfg Config, log hclog.Logger) (*Server, error) {
	if log == nil {
		log = hclog.NewNullLogger()
	}
	if cfg.Databases <= 0 {
		return nil, fmt.Errorf("databases must be at least 1, got %d", cfg.Databases)
	}
	if len(cfg.Bind) == 0 {
		return nil, errors.New("no bind address")
	}
	for _, w := range cfg.warnings {
		log.Warn("config directive not honoured", "directive", w)
	}
	cfg = cfg.clone()
	cfg.apply()
	s := &Server{
		log:          log,
		cfg:          cfg,
		table:        newTable(),
		clients:      map[int64]*Client{},
		stop:         make(chan struct{}),
		activeExpire: true,
		errorStats:   map[string]int64{},
		started:      time.Now(),
	}
	s.lastSave = s.started
	s.aofStat.lastSec = -1
	s.pause.wake = make(chan struct{})
	s.dbs = keyspace.New(cfg.Databases, &s.ks)
	keyspace.SetOnExpire(s.dbs, s.keyExpired)
	keyspace.SetOnNew(s.dbs, s.keyAdded)
	keyspace.SetOnMiss(s.dbs, s.keyMissed)
	keyspace.SetPolicyLFU(s.dbs, strings.HasSuffix(cfg.MaxMemoryPolicy, "-lfu"))
	s.registerBuiltins()
	mh, err := newModuleHost(s)
	if err != nil {
		return nil, err
	}
	s.modules = mh
	return s, nil
}

// Start loads the configured modules, then listens on every bind address.
// A module that fails to load fails Start with the reason, as in Redis. An
// address written with a leading "-" may be unavailable (Redis's
// "bind 127.0.0.1 -::1").
func (s *Server) Start() error {
	s.started = time.Now()
	s.lastSave = s.started
	for _, m := range s.cfg.LoadModules {
		s.mu.Lock()
		_, err := s.modules.load(m.Path, m.Args)
		s.mu.Unlock()
		if err != nil {
			return err
		}
	}
	// Listen first, then load (loading.go): clients connect and get
	// -LOADING until the dataset is in memory, as in Redis.
	s.mu.Lock()
	s.load.active = true
	s.mu.Unlock()
	for _, b := range s.cfg.Bind {
		optional := strings.HasPrefix(b, "-")
		host := strings.TrimPrefix(b, "-")
		switch host {
		case "*":
			host = "0.0.0.0"
		case "::*":
			host = "::"
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(s.cfg.Port)))
		if err != nil {
			if optional {
				s.log.Warn("optional bind address unavailable", "addr", host, "error", err)
				continue
			}
			s.Stop()
			return fmt.Errorf("listen: %w", err)
		}
		rs := redcon.NewServerNetwork("tcp", ln.Addr().String(), s.serveRESP, s.accept, s.closed)
		s.listeners = append(s.listeners, rs)
		s.lns = append(s.lns, ln)
		s.addrs = append(s.addrs, ln.Addr())
		if s.cfg.Port == 0 { // report the port the system picked
			s.cfg.Port = ln.Addr().(*net.TCPAddr).Port
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := rs.Serve(ln); err != nil && !s.stopping() {
				s.log.Error("serve failed", "addr", ln.Addr().String(), "error", err)
			}
		}()
		s.log.Info("listening", "addr", ln.Addr().String())
	}
	if len(s.listeners) == 0 {
		s.Stop()
		return errors.New("listen: no bind address is available")
	}
	s.mu.Lock()
	s.listening = true
	s.applyMemoryLimit()
	s.mu.Unlock()
	if err := s.loadStartup(); err != nil {
		if errors.Is(err, errShutdownWhileLoading) {
			// SHUTDOWN during the load: the server is stopping (Done),
			// nothing was saved; not a failure to start.
			s.log.Warn("shutdown during the load: the dataset was not loaded completely")
			return nil
		}
		s.Stop()
		return err
	}
	for _, a := range s.addrs {
		s.log.Info("ready to accept connections", "addr", a.String())
	}
	s.wg.Add(1)
	go s.cron()
	s.wg.Add(1)
	go s.aofCron()
	return nil
}

// Addrs returns the addresses the server listens on.
func (s *Server) Addrs() []net.Addr { return s.addrs }

// Stop closes the listeners and every connection.
func (s *Server) Stop() {
	select {
	case <-s.stop:
		return
	default:
		close(s.stop)
	}
	for _, l := range s.listeners {
		l.Close()
	}
	for _, ln := range s.lns { // a Serve not started yet returns at once
		ln.Close()
	}
	s.wg.Wait()
	s.mu.Lock()
	s.aofStop()
	if s.listening {
		s.listening = false
		s.restoreMemoryLimit()
	}
	s.mu.Unlock()
}

// stopping reports whether Stop has begun.
func (s *Server) stopping() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

// cron runs the server's periodic work hz times a second, as Redis's
// serverCron does: active expiry, the instantaneous metrics, the memory
// reading and eviction, the end of a client pause, idle client timeouts.
func (s *Server) cron() {
	defer s.wg.Done()
	var lastSlow time.Time
	for {
		s.mu.Lock()
		hz := s.cfg.Hz
		s.mu.Unlock()
		select {
		case <-s.stop:
			return
		case <-time.After(time.Second / time.Duration(hz)):
		}
		s.mu.Lock()
		if s.pause.cron { // DEBUG PAUSE-CRON 1
			s.mu.Unlock()
			continue
		}
		start := time.Now()
		s.now = start.UnixMilli()
		s.pauseExpire()
		if s.activeExpire && !s.pause.active {
			for _, db := range s.dbs {
				db.ActiveExpire(s.now, 16)
			}
			s.stats.expiredCycles++
			took := time.Since(start)
			s.stats.expireCycleUs += took.Microseconds()
			s.latencySample("expire-cycle", took)
		}
		s.inst.sample(s, start)
		s.mem.refresh(s)
		if s.cfg.MaxMemory > 0 {
			s.performEvictions()
		}
		s.saveCron(start)
		s.aofAutoRewrite(start)
		if start.Sub(lastSlow) >= time.Second {
			lastSlow = start
			s.clientsCron(start)
			s.applyMemoryLimit()
		}
		s.modCron() // modules' CronLoop event and post-notification jobs (mod_events.go)
		s.mu.Unlock()
	}
}

// clientsCron closes clients idle longer than timeout, as Redis does (not
// blocked, subscribed or monitoring clients). Lock held.
func (s *Server) clientsCron(now time.Time) {
	if s.cfg.Timeout <= 0 {
		return
	}
	limit := time.Duration(s.cfg.Timeout) * time.Second
	for _, c := range s.clients {
		if c.conn == nil || c.blocked != nil || c.paused || c.monitor || c.subs.count() > 0 || c.subs != nil && len(c.subs.shards) > 0 {
			continue
		}
		if now.Sub(c.lastAt) > limit {
			s.log.Debug("closing idle client", "id", c.ID, "addr", c.addr)
			s.killClient(c)
		}
	}
}

// protectedModeDenied is Redis's reply to a non-loopback client when
// protected mode is on and no password is set.
const protectedModeDenied = "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside."

// accept registers a new connection as a client, unless maxclients is
// reached or protected mode refuses it.
func (s *Server) accept(conn redcon.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.clients) >= s.cfg.MaxClients {
		s.stats.rejectedConns++
		conn.WriteError("ERR max number of clients reached")
		return false
	}
	if s.cfg.ProtectedMode && s.cfg.RequirePass == "" && !isLoopbackAddr(conn.RemoteAddr()) {
		s.stats.rejectedConns++
		conn.WriteError(protectedModeDenied)
		return false
	}
	if tc, ok := conn.NetConn().(*net.TCPConn); ok && s.cfg.TCPKeepalive > 0 {
		tc.SetKeepAlive(true)
		tc.SetKeepAlivePeriod(time.Duration(s.cfg.TCPKeepalive) * time.Second)
	}
	s.nextID++
	c := newClient(s, conn, s.nextID)
	c.fd = connFD(conn.NetConn())
	s.clients[c.ID] = c
	s.stats.connections++
	conn.SetContext(c)
	s.clientConnected(c) // modules' ClientChange event (mod_events.go)
	return true
}

// isLoopbackAddr reports whether host:port is a loopback address.
func isLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// connFD returns the connection's file descriptor, for CLIENT LIST.
func connFD(nc net.Conn) int {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return -1
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return -1
	}
	fd := -1
	raw.Control(func(f uintptr) { fd = int(f) })
	return fd
}

// closed forgets a connection's client: its subscriptions, blocked state,
// watched keys and caching are dropped.
func (s *Server) closed(conn redcon.Conn, err error) {
	c, _ := conn.Context().(*Client)
	if c == nil {
		return
	}
	s.mu.Lock()
	s.dropClient(c)
	s.mu.Unlock()
}

// dropClient removes every trace of c from the server. It may run twice for
// a client (CLIENT KILL, then the connection's end). Lock held.
func (s *Server) dropClient(c *Client) {
	s.clientGone(c) // modules' ClientChange event and module users (mod_events.go)
	delete(s.clients, c.ID)
	s.unblock(c)
	s.unwatchAll(c)
	s.unsubscribeAll(c)
	s.trackingOff(c)
	s.monitorOff(c)
	c.closeOutput()
}

// killClient disconnects c now (CLIENT KILL, timeout): it disappears from
// the client list at once, a blocked or paused wait ends, and its
// connection is closed. Lock held.
func (s *Server) killClient(c *Client) {
	if c.killed {
		return
	}
	c.killed = true
	c.closing = true
	s.dropClient(c)
	close(c.killCh)
	if c.conn != nil {
		if nc := c.conn.NetConn(); nc != nil {
			nc.Close()
		}
	}
}

// serveRESP runs one pipelined batch: the command redcon passes and every
// command already read behind it, under one take of the execution lock, then
// hands the replies to redcon, which flushes them once. The commands'
// arguments point into the connection's read buffer (host/internal/redcon)
// and are valid only until serveRESP returns: what outlives it is copied.
func (s *Server) serveRESP(conn redcon.Conn, cmd redcon.Command) {
	c, _ := conn.Context().(*Client)
	if c == nil {
		return
	}
	s.mu.Lock()
	now := time.Now()
	s.now = now.UnixMilli()
	c.lastAt = now
	s.stats.reads++
	if !c.closing {
		s.runOne(c, cmd.Args)
		for _, more := range conn.ReadPipeline() {
			if c.closing {
				break
			}
			s.runOne(c, more.Args)
		}
	}
	out := c.endBatch()
	ab := s.aofBatchEnd()
	s.mu.Unlock()
	s.aofBatchCommit(ab) // the batch's writes reach the AOF before its replies go out
	if s.aofDie.dead.Load() {
		// appendfsync always and the AOF failed: the server exits (aofFatal),
		// nothing it did may be acknowledged.
		conn.Close()
		return
	}
	c.releaseHeld()
	if out != nil {
		c.conn.WriteRaw(out)
	}
	if c.closing {
		c.flushNow()
		conn.Close()
	}
}

// runOne runs one command of a batch: it waits first while a client pause
// holds it back. Lock held (released while paused or blocked).
func (s *Server) runOne(c *Client, args [][]byte) {
	s.stats.netIn += respSize(args)
	if s.pause.active {
		c.waitWhilePaused(args)
		if c.closing {
			return
		}
	}
	c.run(args)
	c.argvMem = 0
	if c.quietBlocked { // CLIENT REPLY OFF or SKIP covered the blocked command
		c.quietBlocked = false
		c.buf.Truncate(0)
	}
}

// respSize is the size of a command sent as a RESP array of bulk strings.
func respSize(args [][]byte) int64 {
	n := int64(1 + decimalLen(len(args)) + 2)
	for _, a := range args {
		n += int64(1 + decimalLen(len(a)) + 2 + len(a) + 2)
	}
	return n
}

func decimalLen(n int) int {
	d := 1
	for n >= 10 {
		n /= 10
		d++
	}
	return d
}

// Now returns the batch clock (Unix ms). Lock held.
func (s *Server) nowMs() int64 { return s.now }

// pid is cached for INFO.
var pid = os.Getpid()
