package host

import (
	"sync"

	"modis/host/internal/redcon"
	"modis/host/internal/resp"
)

// Output. A client's replies are written into c.buf under the execution lock
// and leave through one of two paths:
//
//   - the fast path: at the end of a batch the connection goroutine hands the
//     bytes to redcon, which flushes them once;
//   - the push path, for clients that can receive messages they did not ask
//     for (pub/sub subscribers, client-side caching, MONITOR): every reply
//     and every push is appended, in order, to c.pending under c.outMu, and
//     written by whichever goroutine flushes first (the connection goroutine
//     after a batch, or the client's flusher goroutine after a push).
//
// A client switches to the push path the first time it needs it, and stays.

// maxPending is the most a push-path client may have queued and unsent, the
// pubsub class of Redis's client-output-buffer-limit (32mb): a client that
// does not read is disconnected rather than letting the server grow.
const maxPending = 32 << 20

// pushOut is a push-path client's output queue.
type pushOut struct {
	outMu   sync.Mutex // guards pending, closed, hold
	pending []byte
	closed  bool
	// hold keeps pending unsent while the batch's writes wait for the AOF's
	// fsync (appendfsync always): a reply goes out only once durable.
	hold    bool
	writeMu sync.Mutex // serialises writes to the connection, keeping order
	kick    chan struct{}
	done    chan struct{}
}

// enablePush moves c to the push path. Lock held.
func (c *Client) enablePush() {
	if c.push != nil || c.conn == nil {
		return
	}
	p := &pushOut{kick: make(chan struct{}, 1), done: make(chan struct{})}
	c.push = p
	go func() {
		for {
			select {
			case <-p.done:
				return
			case <-p.kick:
				c.flushPending()
			}
		}
	}()
}

// takeBuf returns the batch's replies and gives c a fresh buffer. Lock held.
func (c *Client) takeBuf() []byte {
	out := c.buf.B
	c.buf.B = c.spare[:0]
	c.spare = out
	return out
}

// queue appends bytes to a push-path client's pending output, disconnecting a
// client whose backlog is past maxPending. It reports whether the flusher
// must be woken.
func (c *Client) queue(b []byte) {
	p := c.push
	p.outMu.Lock()
	if p.closed {
		p.outMu.Unlock()
		return
	}
	p.pending = append(p.pending, b...)
	over := len(p.pending) > maxPending
	p.outMu.Unlock()
	if over {
		c.srv.stats.outputKills++
		c.srv.log.Warn("client output backlog over the limit, closing it", "id", c.ID, "addr", c.addr, "limit", maxPending)
		c.conn.Close()
		return
	}
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// flushPending writes a push-path client's pending output.
func (c *Client) flushPending() {
	p := c.push
	p.writeMu.Lock()
	defer p.writeMu.Unlock()
	p.outMu.Lock()
	if p.hold {
		p.outMu.Unlock()
		return // releaseHeld sends it after the fsync
	}
	data := p.pending
	p.pending = nil
	p.outMu.Unlock()
	if len(data) == 0 {
		return
	}
	if nc := c.conn.NetConn(); nc != nil {
		if _, err := nc.Write(data); err != nil {
			c.conn.Close()
		}
	}
}

// pushTo writes a message into another client's output: encoded in that
// client's protocol, appended after what it already has. Lock held.
func (c *Client) pushTo(write func(w resp.Writer)) {
	if c.push == nil {
		c.enablePush()
		if c.push == nil {
			return
		}
	}
	var b resp.Buffer
	b.P3 = c.buf.P3
	write(&b)
	c.srv.stats.netOut += int64(len(b.B))
	c.queue(b.B)
}

// endBatch takes what the batch replied. Lock held. For a push-path client
// the bytes are queued (the flusher writes them, in order with any pushes)
// and nil is returned; otherwise the caller hands the returned bytes to
// redcon with conn.WriteRaw after releasing the lock.
func (c *Client) endBatch() []byte {
	if len(c.buf.B) == 0 {
		return nil
	}
	out := c.takeBuf()
	c.srv.stats.netOut += int64(len(out))
	c.srv.stats.writes++
	if c.push != nil {
		if a := c.srv.aof; a != nil && a.always {
			c.push.outMu.Lock()
			c.push.hold = true
			c.push.outMu.Unlock()
		}
		c.queue(out)
		return nil
	}
	return out
}

// releaseHeld sends a push-path client's output that endBatch held back for
// the AOF's fsync. Call it after aofBatchCommit, without the lock.
func (c *Client) releaseHeld() {
	p := c.push
	if p == nil {
		return
	}
	p.outMu.Lock()
	held := p.hold
	p.hold = false
	p.outMu.Unlock()
	if held {
		c.flushPending()
	}
}

// flushNow writes what redcon holds for the connection now (used before a
// client blocks or closes, when redcon will not flush for us).
func (c *Client) flushNow() {
	if c.push != nil {
		c.flushPending()
		return
	}
	redcon.BaseWriter(c.conn).Flush()
}

// closeOutput stops a push-path client's flusher. Lock held.
func (c *Client) closeOutput() {
	if c.push == nil {
		return
	}
	c.push.outMu.Lock()
	if !c.push.closed {
		c.push.closed = true
		close(c.push.done)
	}
	c.push.outMu.Unlock()
}
