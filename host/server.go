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
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/tidwall/redcon"

	"modis/host/internal/keyspace"
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
	nextID  int64
	dirty   int64 // changes since the last save (Redis's server.dirty)
	ps      pubsub
	trk     tracking
	blocked map[readyKey][]*Client // clients blocked on each key, in order
	ready   []readyKey             // keys that may serve blocked clients
	watched map[readyKey][]*Client // WATCHed keys

	started   time.Time
	listeners []*redcon.Server
	addrs     []net.Addr
	stop      chan struct{}
	wg        sync.WaitGroup
}

type serverStats struct {
	connections    int64
	commands       int64
	rejectedConns  int64
	expiredCycles  int64
	errorReplies   int64
	moduleRecovers int64
	blockedClients int64
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
	cfg.apply()
	s := &Server{
		log:     log,
		cfg:     cfg,
		table:   newTable(),
		clients: map[int64]*Client{},
		stop:    make(chan struct{}),
	}
	s.dbs = keyspace.New(cfg.Databases, &s.ks)
	s.registerBuiltins()
	mh, err := newModuleHost(s)
	if err != nil {
		return nil, err
	}
	s.modules = mh
	return s, nil
}

// Start loads the configured modules, then listens on every bind address.
// A module that fails to load fails Start with the reason, as in Redis.
func (s *Server) Start() error {
	s.started = time.Now()
	for _, m := range s.cfg.LoadModules {
		s.mu.Lock()
		_, err := s.modules.load(m.Path, m.Args)
		s.mu.Unlock()
		if err != nil {
			return err
		}
	}
	for _, b := range s.cfg.Bind {
		ln, err := net.Listen("tcp", net.JoinHostPort(b, strconv.Itoa(s.cfg.Port)))
		if err != nil {
			s.Stop()
			return fmt.Errorf("listen: %w", err)
		}
		rs := redcon.NewServerNetwork("tcp", ln.Addr().String(), s.serveRESP, s.accept, s.closed)
		if s.cfg.Timeout > 0 {
			rs.SetIdleClose(time.Duration(s.cfg.Timeout) * time.Second)
		}
		s.listeners = append(s.listeners, rs)
		s.addrs = append(s.addrs, ln.Addr())
		if s.cfg.Port == 0 { // report the port the system picked
			s.cfg.Port = ln.Addr().(*net.TCPAddr).Port
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := rs.Serve(ln); err != nil {
				s.log.Error("serve failed", "addr", ln.Addr().String(), "error", err)
			}
		}()
		s.log.Info("ready to accept connections", "addr", ln.Addr().String())
	}
	s.wg.Add(1)
	go s.cron()
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
	s.wg.Wait()
}

// cron runs the server's periodic work hz times a second: the active expire
// cycle, as Redis's serverCron does.
func (s *Server) cron() {
	defer s.wg.Done()
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
		now := time.Now().UnixMilli()
		for _, db := range s.dbs {
			db.ActiveExpire(now, 16)
		}
		s.stats.expiredCycles++
		s.mu.Unlock()
	}
}

// accept registers a new connection as a client.
func (s *Server) accept(conn redcon.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	c := newClient(s, conn, s.nextID)
	s.clients[c.ID] = c
	s.stats.connections++
	conn.SetContext(c)
	return true
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

// dropClient removes every trace of c from the server. Lock held.
func (s *Server) dropClient(c *Client) {
	delete(s.clients, c.ID)
	s.unblock(c)
	s.unwatchAll(c)
	s.unsubscribeAll(c)
	s.trackingOff(c)
	c.closeOutput()
}

// serveRESP runs one pipelined batch: the command redcon passes and every
// command already read behind it, under one take of the execution lock, then
// hands the replies to redcon, which flushes them once.
func (s *Server) serveRESP(conn redcon.Conn, cmd redcon.Command) {
	c, _ := conn.Context().(*Client)
	if c == nil {
		return
	}
	s.mu.Lock()
	s.now = time.Now().UnixMilli()
	c.run(cmd.Args)
	for _, more := range conn.ReadPipeline() {
		if c.closing {
			break
		}
		c.run(more.Args)
	}
	out := c.endBatch()
	s.mu.Unlock()
	if out != nil {
		c.conn.WriteRaw(out)
	}
	if c.closing {
		c.flushNow()
		conn.Close()
	}
}

// Now returns the batch clock (Unix ms). Lock held.
func (s *Server) nowMs() int64 { return s.now }

// pid is cached for INFO.
var pid = os.Getpid()
