package host

// In-process use of a server: the entry points sdk/sdktest drives a module
// through, so a module's tests run against the real dispatcher, command
// table and persistence without a plugin file or a socket.

import (
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modis/host/internal/loader"
	"modis/sdk"
)

// LocalClient is a client of the server in the same process: no
// connection, no network. Its commands go through the same lookup, checks
// and handlers as a network client's, and it replies in RESP2 until it
// sends HELLO 3. It is not listed by CLIENT LIST (so CLIENT KILL and
// CLIENT UNBLOCK do not reach it), and pub/sub messages are dropped and
// CLIENT PAUSE does not hold it. It blocks as a connection does: a blocking
// command (BLPOP, a module command that calls BlockClient) makes Do wait,
// without the execution lock, until the client is served, unblocked or
// times out; Close stands for the peer disconnecting.
type LocalClient struct {
	s  *Server
	c  *Client
	lc *localConn
	mu sync.Mutex // held by Do, the wait included: one command at a time
}

// localConn is what the server knows of an in-process client beyond its
// Client (blocking.go asks for it through localConnOf).
type localConn struct {
	gone      chan struct{} // closed by Close: the "connection" dropped
	closeOnce sync.Once
	waits     atomic.Int64 // how many times the client blocked
}

// localConns maps the Client of each open LocalClient to its localConn: a
// client without a connection that is in it may block. Entries go at Close,
// or when the LocalClient is garbage.
var localConns sync.Map

// localConnOf returns c's localConn if c is an open in-process client,
// else nil. Any goroutine.
func localConnOf(c *Client) *localConn {
	if c.conn != nil {
		return nil
	}
	if v, ok := localConns.Load(c); ok {
		return v.(*localConn)
	}
	return nil
}

// NewLocalClient returns a new in-process client, on database 0, with a
// fresh client ID. It takes the execution lock.
func (s *Server) NewLocalClient() *LocalClient {
	s.mu.Lock()
	s.nextID++
	c := newClient(s, nil, s.nextID)
	s.mu.Unlock()
	lc := &LocalClient{s: s, c: c, lc: &localConn{gone: make(chan struct{})}}
	localConns.Store(c, lc.lc)
	runtime.AddCleanup(lc, func(c *Client) { localConns.Delete(c) }, c)
	return lc
}

// ID returns the client's ID, as CLIENT ID would.
func (lc *LocalClient) ID() int64 { return lc.c.ID }

// Do runs one command as the client and returns its whole reply as RESP
// bytes (nil for a command that sends none, such as SHUTDOWN, and after
// Close). It takes the execution lock for the command, as a connection does
// for a batch, and writes the command's effects to the AOF (appendonly yes)
// before it returns, as a connection does before it replies.
//
// A command that blocks the client makes Do release the lock and wait, as
// a connection's goroutine does, until the client is served (a write by
// another client makes a key ready, a module calls UnblockClient), its
// timeout passes, or Close disconnects it (then Do returns nil). Safe for
// concurrent use; the client runs one command at a time, so a Do waits
// while another Do of the same client is blocked.
func (lc *LocalClient) Do(args [][]byte) []byte {
	if len(args) == 0 {
		return nil
	}
	lc.mu.Lock()
	defer lc.mu.Unlock()
	s, c := lc.s, lc.c
	s.mu.Lock()
	now := time.Now()
	s.now = now.UnixMilli()
	c.lastAt = now
	s.stats.netIn += respSize(args)
	if !c.closing {
		c.run(args) // releases and takes the lock again while blocked
		c.argvMem = 0
		if c.quietBlocked { // CLIENT REPLY OFF or SKIP covered the blocked command
			c.quietBlocked = false
			c.buf.Truncate(0)
		}
	}
	var out []byte
	if len(c.buf.B) > 0 {
		out = append(out, c.buf.B...)
		s.stats.netOut += int64(len(out))
	}
	c.buf.Reset()
	ab := s.aofBatchEnd()
	s.mu.Unlock()
	s.aofBatchCommit(ab)
	return out
}

// Blocked reports whether the client waits on a blocking command now. It
// takes the execution lock.
func (lc *LocalClient) Blocked() bool {
	lc.s.mu.Lock()
	defer lc.s.mu.Unlock()
	return lc.c.blocked != nil
}

// Waits returns how many times a command of the client has blocked it
// since it was made: a test compares it before and after starting a
// command to know that the command blocked. Goroutine-safe.
func (lc *LocalClient) Waits() int64 { return lc.lc.waits.Load() }

// Close disconnects the client as if its peer closed the connection: a
// blocking command it waits in ends without a reply (a module's
// disconnect callback runs, as for a network client), and its watches,
// subscriptions and tracking are dropped. Close returns once a Do that was
// blocked has returned. Later Do calls return nil. Safe to call more than
// once, from any goroutine.
func (lc *LocalClient) Close() {
	lc.lc.closeOnce.Do(func() { close(lc.lc.gone) })
	lc.mu.Lock() // a blocked Do wakes on gone and finishes first
	defer lc.mu.Unlock()
	s, c := lc.s, lc.c
	s.mu.Lock()
	if !c.closing {
		c.closing = true
		s.dropClient(c) // not in s.clients: no ClientChange event, as none announced it
	}
	s.mu.Unlock()
	localConns.Delete(c)
}

// LoadModuleFuncEx is LoadModuleFunc with module configs, as MODULE
// LOADEX's CONFIG name value pairs (or a config file's "module.name value"
// lines for a --loadmodule file) give them: the module's LoadConfigs
// applies them, and the load fails, as LOADEX's, if one is left that the
// module did not register. Names are full ("audit.interval-ms").
func (s *Server) LoadModuleFuncEx(name string, onLoad sdk.OnLoadFunc, onUnload sdk.OnUnloadFunc, args []string, configs [][2]string) error {
	if onLoad == nil {
		return errors.New("load module: OnLoad is nil")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.modules.cfgs
	var queue []queuedConfig
next:
	for _, kv := range configs {
		for i := range queue {
			if strings.EqualFold(queue[i].name, kv[0]) { // the last value wins, as in LOADEX
				queue[i].value = kv[1]
				continue next
			}
		}
		queue = append(queue, queuedConfig{name: kv[0], value: kv[1]})
	}
	st.queue, st.loadex = queue, true
	defer func() { st.queue, st.loadex = nil, false }()
	p := &loader.Plugin{RealPath: "func:" + name, PluginPath: name, OnLoad: onLoad, OnUnload: onUnload}
	_, err := s.modules.start(p, name, args, s.log.With("path", name))
	return err
}

// StartLocal starts the server without listening: it loads the configured
// module files (--loadmodule), then the dataset (the RDB file, or the AOF
// with appendonly yes) as Start does, and runs the periodic work (active
// expiry, the AOF's fsync and rewrites). Load in-process modules with
// LoadModuleFunc before it, so that their data types exist when the
// dataset loads. Stop ends it.
func (s *Server) StartLocal() error {
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
	s.mu.Lock()
	s.load.active = true
	s.mu.Unlock()
	if err := s.loadStartup(); err != nil {
		s.Stop()
		return err
	}
	s.wg.Add(1)
	go s.cron()
	s.wg.Add(1)
	go s.aofCron()
	return nil
}
