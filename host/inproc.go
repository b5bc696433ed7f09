package host

// In-process use of a server: the entry points sdk/sdktest drives a module
// through, so a module's tests run against the real dispatcher, command
// table and persistence without a plugin file or a socket.

import "time"

// LocalClient is a client of the server in the same process: no
// connection, no network. Its commands go through the same lookup, checks
// and handlers as a network client's, and it replies in RESP2 until it
// sends HELLO 3. It is not listed by CLIENT LIST; what needs a connection
// does not reach it: pub/sub messages are dropped, CLIENT PAUSE does not
// hold it, and a blocking command replies at once as in MULTI.
type LocalClient struct {
	s *Server
	c *Client
}

// NewLocalClient returns a new in-process client, on database 0, with a
// fresh client ID. It takes the execution lock.
func (s *Server) NewLocalClient() *LocalClient {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	return &LocalClient{s: s, c: newClient(s, nil, s.nextID)}
}

// ID returns the client's ID, as CLIENT ID would.
func (lc *LocalClient) ID() int64 { return lc.c.ID }

// Do runs one command as the client and returns its whole reply as RESP
// bytes (nil for a command that sends none, such as SHUTDOWN). It takes
// the execution lock for the command, as a connection does for a batch,
// and writes the command's effects to the AOF (appendonly yes) before it
// returns, as a connection does before it replies. Safe for concurrent use.
func (lc *LocalClient) Do(args [][]byte) []byte {
	if len(args) == 0 {
		return nil
	}
	s, c := lc.s, lc.c
	s.mu.Lock()
	now := time.Now()
	s.now = now.UnixMilli()
	c.lastAt = now
	s.stats.netIn += respSize(args)
	if !c.closing {
		c.run(args)
		c.argvMem = 0
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
