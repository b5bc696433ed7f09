package host

import (
	"errors"

	"modis/host/internal/keyspace"
)

// Transactions: MULTI queues commands, EXEC runs them all under the
// execution lock (nothing can run in between), DISCARD drops them. WATCH
// makes EXEC fail if a watched key was modified, expired or flushed since.

// multiState is a client's open transaction.
type multiState struct {
	queue     [][][]byte
	aborted   bool // a command failed to queue: EXEC answers EXECABORT
	executing bool
}

// watchedKey is one key a client watches.
type watchedKey struct {
	rk         readyKey
	expiredNow bool // the key was already logically expired at WATCH
}

var (
	errMultiNested  = errors.New("ERR MULTI calls can not be nested")
	errExecNoMulti  = errors.New("ERR EXEC without MULTI")
	errDiscardMulti = errors.New("ERR DISCARD without MULTI")
	errWatchInMulti = errors.New("ERR WATCH inside MULTI is not allowed")
	errExecAbort    = errors.New("EXECABORT Transaction discarded because of previous errors.")
	errNotInMulti   = errors.New("ERR Command not allowed inside a transaction")
)

func multiCommands() []*Command {
	f := FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagAllowBusy
	return []*Command{
		{Name: "multi", Arity: 1, Flags: f, Group: "transactions", Handler: cmdMulti,
			Summary: "Starts a transaction.", Since: "1.2.0"},
		{Name: "exec", Arity: 1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagSkipSlowlog, Group: "transactions", Handler: cmdExec,
			Summary: "Executes all commands in a transaction.", Since: "1.2.0"},
		{Name: "discard", Arity: 1, Flags: f, Group: "transactions", Handler: cmdDiscard,
			Summary: "Discards a transaction.", Since: "2.0.0"},
		{Name: "watch", Arity: -2, Flags: f, FirstKey: 1, LastKey: -1, Step: 1, Group: "transactions", Handler: cmdWatch,
			Summary: "Monitors changes to keys to determine the execution of a transaction.", Since: "2.2.0"},
		{Name: "unwatch", Arity: 1, Flags: f, Group: "transactions", Handler: cmdUnwatch,
			Summary: "Forgets about watched keys of a transaction.", Since: "2.2.0"},
	}
}

// queueInMulti decides whether exec must queue a command instead of running
// it, and queues it. It reports whether the command was handled.
func (c *Client) queueInMulti(cmd *Command, args [][]byte, resolveErr error) bool {
	m := c.multi
	if m == nil || m.executing {
		return false
	}
	if resolveErr == nil {
		switch cmd.Name {
		case "exec", "discard", "multi", "watch", "quit", "reset":
			return false
		}
	}
	switch {
	case resolveErr != nil:
		m.aborted = true
		c.replyError(resolveErr)
	case cmd.Flags&FlagNoMulti != 0:
		m.aborted = true
		c.replyError(errNotInMulti)
	default:
		cp := make([][]byte, len(args))
		for i, a := range args {
			cp[i] = append([]byte(nil), a...)
		}
		m.queue = append(m.queue, cp)
		c.out.SimpleString("QUEUED")
	}
	return true
}

func cmdMulti(c *Client, _ [][]byte) error {
	if c.multi != nil {
		return errMultiNested
	}
	c.multi = &multiState{}
	c.out.SimpleString("OK")
	return nil
}

func cmdDiscard(c *Client, _ [][]byte) error {
	if c.multi == nil {
		return errDiscardMulti
	}
	c.multi = nil
	c.srv.unwatchAll(c)
	c.out.SimpleString("OK")
	return nil
}

func cmdExec(c *Client, _ [][]byte) error {
	m := c.multi
	if m == nil {
		return errExecNoMulti
	}
	s := c.srv
	defer func() {
		c.multi = nil
		s.unwatchAll(c)
	}()
	if m.aborted {
		return errExecAbort
	}
	if c.watchDirty || s.watchedKeyExpired(c) {
		c.out.NullArray()
		return nil
	}
	m.executing = true
	c.out.Array(len(m.queue))
	for _, args := range m.queue {
		cmd, err := c.resolve(args)
		if err != nil {
			c.replyError(err)
			continue
		}
		c.call(cmd, args)
	}
	return nil
}

func cmdWatch(c *Client, args [][]byte) error {
	if c.multi != nil {
		return errWatchInMulti
	}
	s := c.srv
	if s.watched == nil {
		s.watched = map[readyKey][]*Client{}
	}
	for _, k := range args[1:] {
		rk := readyKey{c.db, string(k)}
		already := false
		for _, w := range c.watching {
			if w.rk == rk {
				already = true
				break
			}
		}
		if already {
			continue
		}
		e := c.db.RawLookup(k)
		expired := e != nil && e.Expire != 0 && e.Expire <= s.now
		c.watching = append(c.watching, watchedKey{rk: rk, expiredNow: expired})
		s.watched[rk] = append(s.watched[rk], c)
	}
	c.out.SimpleString("OK")
	return nil
}

func cmdUnwatch(c *Client, _ [][]byte) error {
	c.srv.unwatchAll(c)
	c.out.SimpleString("OK")
	return nil
}

// unwatchAll forgets every key c watches. Lock held.
func (s *Server) unwatchAll(c *Client) {
	for _, w := range c.watching {
		q := s.watched[w.rk]
		for i, x := range q {
			if x == c {
				q = append(q[:i], q[i+1:]...)
				break
			}
		}
		if len(q) == 0 {
			delete(s.watched, w.rk)
		} else {
			s.watched[w.rk] = q
		}
	}
	c.watching = nil
	c.watchDirty = false
}

// touchWatched marks every client watching key dirty. Lock held.
func (s *Server) touchWatched(db *keyspace.DB, key []byte) {
	if len(s.watched) == 0 {
		return
	}
	for _, c := range s.watched[readyKey{db, string(key)}] {
		c.watchDirty = true
	}
}

// touchAllWatched marks dirty the clients watching a key that exists in db,
// before a flush empties it. Lock held.
func (s *Server) touchAllWatched(db *keyspace.DB) {
	for rk, cs := range s.watched {
		if rk.db != db || db.RawLookup([]byte(rk.key)) == nil {
			continue
		}
		for _, c := range cs {
			c.watchDirty = true
		}
	}
}

// watchedKeyExpired reports whether a key c watches has expired since WATCH
// (Redis 7 fails EXEC then, even if no command touched the key).
func (s *Server) watchedKeyExpired(c *Client) bool {
	for _, w := range c.watching {
		if w.expiredNow {
			continue
		}
		e := w.rk.db.RawLookup([]byte(w.rk.key))
		if e != nil && e.Expire != 0 && e.Expire <= s.now {
			return true
		}
	}
	return false
}
