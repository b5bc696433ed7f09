package host

import (
	"errors"
	"math"
	"net"
	"strconv"
	"syscall"
	"time"

	"modis/host/internal/keyspace"
	"modis/host/internal/resp"
)

// Blocking commands (BLPOP, BZPOPMIN, ...). A command that finds nothing to
// serve calls c.blockOn and returns without replying. The connection
// goroutine then releases the execution lock and waits, which is exactly
// Redis's semantics: a blocked client runs no further commands. Writes that
// add elements call keyReady; after each top-level command the server serves
// the clients blocked on the keys that became ready, first blocked first
// served, by running their serve function under the lock on their behalf.
// A timeout replies with the command's timeout reply; a disconnect simply
// unblocks. An in-process client (inproc.go) blocks the same way: the
// goroutine in LocalClient.Do waits, and LocalClient.Close is its
// disconnect.

// blockState is a blocked client's wait.
type blockState struct {
	db        *keyspace.DB
	keys      []string
	deadline  time.Time // zero: wait forever
	serve     func(c *Client) bool
	onTimeout func(c *Client)
	done      chan struct{} // closed when served

	// Module blocked clients (mod_block.go). serveKey, when set, is called
	// instead of serve with the key that became ready. wake, when closed,
	// ends the wait early (UnblockClient); onWake then replies. onEnd runs
	// after every wait, served or not, so a module learns that a client it
	// blocked was killed or unblocked by CLIENT UNBLOCK.
	serveKey func(c *Client, key []byte) bool
	wake     <-chan struct{}
	onWake   func(c *Client)
	onEnd    func(c *Client)
}

type readyKey struct {
	db  *keyspace.DB
	key string
}

// ErrTimeoutNotFloat and ErrTimeoutNegative are Redis's timeout errors.
var (
	ErrTimeoutNotFloat = errors.New("ERR timeout is not a float or out of range")
	ErrTimeoutNegative = errors.New("ERR timeout is negative")
)

// parseTimeout parses a blocking command's timeout in seconds (a float, 0
// meaning forever), as Redis does.
func parseTimeout(b []byte) (time.Duration, error) {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) || math.IsNaN(f) {
		return 0, ErrTimeoutNotFloat
	}
	// Redis 7.0 turns the timeout into milliseconds since the epoch; a value
	// that overflows comes out negative, and so does its error.
	if f < 0 || math.IsInf(f, 0) || f*1000 > float64(math.MaxInt64-time.Now().UnixMilli()) {
		return 0, ErrTimeoutNegative
	}
	return time.Duration(f * float64(time.Second)), nil
}

// copyKeys copies keys (which live only as long as the command's
// arguments) for a blocked client's serve function, dropping duplicates as
// Redis's blockForKeys does.
func copyKeys(keys [][]byte) [][]byte {
	out := make([][]byte, 0, len(keys))
next:
	for _, k := range keys {
		for _, o := range out {
			if string(o) == string(k) {
				continue next
			}
		}
		out = append(out, append([]byte(nil), k...))
	}
	return out
}

// servingKey finds, for a blocked client being served, the key to serve it
// from: among keys holding a non-empty value of kind (size gives its length),
// the one that is no longer in the ready queue, since Redis serves a client
// from the key that became ready, not from the first of its keys (keys still
// queued became ready later); failing that, the first non-empty one.
func (c *Client) servingKey(keys [][]byte, kind keyspace.Kind, size func(*keyspace.Entry) int) ([]byte, *keyspace.Entry) {
	var firstKey []byte
	var first *keyspace.Entry
	for _, k := range keys {
		e := c.db.Peek(k, c.srv.now)
		if e == nil || e.Kind != kind || size(e) == 0 {
			continue
		}
		if !c.srv.queuedReady(c.db, k) {
			return k, e
		}
		if first == nil {
			firstKey, first = k, e
		}
	}
	return firstKey, first
}

// queuedReady reports whether key is still waiting in the ready queue.
func (s *Server) queuedReady(db *keyspace.DB, key []byte) bool {
	for _, r := range s.ready {
		if r.db == db && r.key == string(key) {
			return true
		}
	}
	return false
}

// blockOn blocks c on keys (in c's database) until serve, run under the lock
// when one of them is ready, returns true, or until timeout (0: never), when
// onTimeout writes the timeout reply. serve must write the reply when it
// returns true and nothing when it returns false. Inside MULTI, a script or
// a module's Call, the command cannot block: onTimeout runs at once.
func (c *Client) blockOn(keys [][]byte, timeout time.Duration, serve func(c *Client) bool, onTimeout func(c *Client)) {
	if c.noBlock() {
		onTimeout(c)
		return
	}
	c.block(&blockState{serve: serve, onTimeout: onTimeout}, keys, timeout)
}

// block makes c wait on b (and on keys, in c's database). Lock held.
func (c *Client) block(b *blockState, keys [][]byte, timeout time.Duration) {
	b.db, b.done = c.db, make(chan struct{})
	if timeout > 0 {
		b.deadline = time.Now().Add(timeout)
	}
	s := c.srv
	if s.blocked == nil {
		s.blocked = map[readyKey][]*Client{}
	}
	for _, k := range keys {
		rk := readyKey{c.db, string(k)}
		b.keys = append(b.keys, rk.key)
		s.blocked[rk] = append(s.blocked[rk], c)
	}
	c.blocked = b
	s.stats.blockedClients++
}

// noBlock reports whether a blocking command must not block now. Of the
// clients without a connection only an in-process client (inproc.go) may
// block: its Do waits as a connection's goroutine does.
func (c *Client) noBlock() bool {
	return c.multi != nil && c.multi.executing || c.out != resp.Writer(&c.buf) || c.inScript || c.conn == nil && localConnOf(c) == nil
}

// unblock removes c from every wait queue. Lock held.
func (s *Server) unblock(c *Client) {
	b := c.blocked
	if b == nil {
		return
	}
	for _, k := range b.keys {
		rk := readyKey{b.db, k}
		q := s.blocked[rk]
		for i, x := range q {
			if x == c {
				q = append(q[:i], q[i+1:]...)
				break
			}
		}
		if len(q) == 0 {
			delete(s.blocked, rk)
		} else {
			s.blocked[rk] = q
		}
	}
	c.blocked = nil
	s.stats.blockedClients--
}

// signalKeyReady notes that key may serve blocked clients. Lock held.
func (s *Server) signalKeyReady(db *keyspace.DB, key []byte) {
	if len(s.blocked) == 0 {
		return
	}
	rk := readyKey{db, string(key)}
	if _, ok := s.blocked[rk]; !ok {
		return
	}
	for _, r := range s.ready {
		if r == rk {
			return
		}
	}
	s.ready = append(s.ready, rk)
}

// serveReady serves clients blocked on keys that became ready, in the order
// they blocked, until no key is ready (serving one may make another ready,
// as BLMOVE does). Lock held.
func (s *Server) serveReady() {
	for len(s.ready) > 0 {
		rk := s.ready[0]
		s.ready = s.ready[1:]
		// Every client blocked on the key gets its turn, first blocked
		// first served: one that cannot be served (a module declining, a
		// BZPOPMIN on a key that is a list) does not stop those behind it.
		q := s.blocked[rk]
		if len(q) > 1 {
			q = append([]*Client(nil), q...) // serving removes clients from the queue
		}
		for _, bc := range q {
			b := bc.blocked
			if b == nil { // served through another key meanwhile
				continue
			}
			saved := bc.db
			bc.db = b.db
			var served bool
			if b.serveKey != nil {
				served = b.serveKey(bc, []byte(rk.key))
			} else {
				served = b.serve(bc)
			}
			bc.db = saved
			if served {
				s.unblock(bc)
				close(b.done)
			}
		}
	}
}

// run executes one top-level command and, if it blocked the client, waits
// until the client is served, times out or disconnects. Lock held; it is
// released while waiting.
func (c *Client) run(args [][]byte) {
	c.exec(args)
	if len(c.srv.ready) > 0 {
		c.srv.serveReady()
	}
	if c.blocked != nil {
		c.waitBlocked()
	}
}

func (c *Client) waitBlocked() {
	s := c.srv
	b := c.blocked
	var gone <-chan struct{}
	stopWatch := func() {}
	if lc := localConnOf(c); lc != nil {
		// An in-process client: its replies stay in c.buf for
		// LocalClient.Do, and LocalClient.Close is its disconnect.
		lc.waits.Add(1)
		gone = lc.gone
		ab := s.aofBatchEnd()
		s.mu.Unlock()
		s.aofBatchCommit(ab)
	} else {
		out := c.endBatch() // what was replied before the blocking command
		ab := s.aofBatchEnd()
		s.mu.Unlock()
		s.aofBatchCommit(ab) // those commands' writes reach the AOF before their replies
		c.releaseHeld()
		if out != nil {
			c.conn.WriteRaw(out)
		}
		c.flushNow()
		gone, stopWatch = watchDisconnect(c.conn.NetConn())
	}
	var timer <-chan time.Time
	if !b.deadline.IsZero() {
		t := time.NewTimer(time.Until(b.deadline))
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-b.done:
	case <-timer:
	case <-gone:
	case <-b.wake: // nil for built-in commands: never
	}
	stopWatch()
	s.mu.Lock()
	s.now = time.Now().UnixMilli()
	if c.blocked == b { // not served
		s.unblock(c)
		select {
		case <-gone:
			c.closing = true
		default:
			select {
			case <-b.wake: // UnblockClient: it wins over a timeout at the same moment
				b.onWake(c)
			default:
				b.onTimeout(c)
			}
		}
	}
	if b.onEnd != nil {
		b.onEnd(c)
	}
}

// watchDisconnect reports on gone when the peer closes nc, without reading
// any of its data (a blocked client's next commands must stay in the
// socket). stop ends the watch and returns once the watcher is gone, leaving
// nc as it was.
func watchDisconnect(nc net.Conn) (gone <-chan struct{}, stop func()) {
	g := make(chan struct{})
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return g, func() {}
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return g, func() {}
	}
	quit := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		var buf [1]byte
		for {
			closed, pending := false, false
			err := raw.Read(func(fd uintptr) bool {
				n, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
				switch {
				case err == syscall.EAGAIN:
					return false // wait until readable
				case err != nil || n == 0:
					closed = true
				default:
					pending = true // commands wait in the socket; leave them
				}
				return true
			})
			select {
			case <-quit:
				return
			default:
			}
			if closed || err != nil {
				close(g)
				return
			}
			if pending {
				select {
				case <-quit:
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		}
	}()
	return g, func() {
		close(quit)
		nc.SetReadDeadline(time.Now()) // wakes a raw.Read that waits
		<-exited
		nc.SetReadDeadline(time.Time{})
	}
}
