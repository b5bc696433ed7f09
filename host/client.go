package host

import (
	"errors"
	"fmt"
	"net"
	"runtime/debug"
	"strings"
	"time"

	"modis/host/internal/keyspace"
	"modis/host/internal/redcon"
	"modis/host/internal/resp"
)

// Client is one connection's state. Its fields are guarded by the execution
// lock.
type Client struct {
	ID      int64
	srv     *Server
	conn    redcon.Conn // nil for internal clients
	db      *keyspace.DB
	buf     resp.Buffer // replies of the running batch
	spare   []byte      // the other half of buf's double buffer
	push    *pushOut    // non-nil once the client is on the push path
	blocked *blockState // non-nil while a blocking command waits
	out     resp.Writer // where handlers write: &buf, or a Recorder during Call
	addr    string
	laddr   string
	fd      int
	name    string
	libName string
	libVer  string
	created time.Time
	lastCmd string
	lastAt  time.Time
	closing bool // QUIT: close after this batch's replies are flushed

	multi      *multiState  // open MULTI, nil if none
	watching   []watchedKey // WATCHed keys
	watchDirty bool         // a watched key changed: EXEC fails
	subs       *subs        // pub/sub subscriptions
	track      *trackState  // CLIENT TRACKING, nil when off
	inScript   bool         // running inside EVAL/FCALL
	scratch    []byte
	// scratchPool holds reusable memory for module command calls.
	scratchPool []*callScratch
	// modCallFrames holds the propagate flag ("!") of each module Call
	// running on this client, innermost last (mod_type_repl.go).
	modCallFrames []bool

	authed  bool // AUTH passed, or no password was required when it connected
	monitor bool // MONITOR: receives every command others run
	noEvict bool // CLIENT NO-EVICT ON (reported in CLIENT LIST)
	paused  bool // waiting for a CLIENT PAUSE to end
	killed  bool // CLIENT KILL: disconnected, its goroutine will notice
	killCh  chan struct{}
	// CLIENT REPLY: replyOff drops every reply; replySkip the current
	// command's; replySkipNext turns into replySkip after the current one.
	replyOff, replySkip, replySkipNext bool
	quietBlocked                       bool     // the blocked command's reply is to be dropped
	cur                                *Command // the command running now
	redact                             []int    // arguments MONITOR and SLOWLOG show as "(redacted)"
	argvMem                            int      // bytes of the current command's arguments
}

func newClient(s *Server, conn redcon.Conn, id int64) *Client {
	c := &Client{ID: id, srv: s, conn: conn, db: s.dbs[0], created: time.Now(), fd: -1}
	c.out = &c.buf
	c.lastAt = c.created
	c.authed = s.cfg.RequirePass == ""
	c.killCh = make(chan struct{})
	if conn != nil {
		c.addr = conn.RemoteAddr()
		if nc := conn.NetConn(); nc != nil {
			c.laddr = nc.LocalAddr().String()
		}
	}
	return c
}

// isLocal reports whether the client connects from a loopback address (or is
// internal).
func (c *Client) isLocal() bool {
	if c.conn == nil {
		return true
	}
	host, _, err := net.SplitHostPort(c.addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Errors of the gates exec applies before a command runs.
var (
	errNoAuth     = errors.New("NOAUTH Authentication required.")
	errOOM        = errors.New("OOM command not allowed when used memory > 'maxmemory'.")
	errReplicaKey = errors.New("ERR Replica can't interact with the keyspace")
)

// exec looks a command up, checks it, and runs it (or queues it inside
// MULTI). Lock held. The gates run in Redis's order: unknown command and
// arity, authentication, MULTI-only restrictions, maxmemory (evicting keys
// first), RESP2 subscribed mode, MONITOR clients touching keys.
func (c *Client) exec(args [][]byte) {
	if len(args) == 0 {
		return
	}
	if c.ID != 0 && c.srv.filtering() { // modules' command filters (mod_filter.go); not the AOF loader
		args = c.srv.filterCommand(c, args, nil)
	}
	mark := c.buf.Mark()
	c.redact = c.redact[:0]
	c.argvMem = 0
	for _, a := range args {
		c.argvMem += len(a)
	}
	c.dispatch(args)
	if c.replyOff || c.replySkip {
		if c.blocked != nil {
			c.quietBlocked = true
		} else if c.out == resp.Writer(&c.buf) {
			c.buf.Truncate(mark)
		}
	}
	c.replySkip = false
	if c.replySkipNext {
		c.replySkip, c.replySkipNext = true, false
	}
	if len(c.srv.mev.jobs) > 0 { // modules' post-notification jobs (mod_events.go)
		c.srv.runPostJobs()
	}
}

func (c *Client) dispatch(args [][]byte) {
	s := c.srv
	cmd, err := c.resolve(args)
	if cmd != nil {
		c.lastCmd = cmd.Name
	} else {
		c.lastCmd = ""
	}
	if err != nil {
		c.reject(cmd, err)
		return
	}
	if cmd.Name == "debug" && !c.allowProtected(s.cfg.EnableDebugCommand) {
		c.reject(cmd, errDebugNotAllowed)
		return
	}
	if !c.authed && cmd.Flags&FlagNoAuth == 0 {
		c.reject(cmd, errNoAuth)
		return
	}
	if s.mev.acl.authed != nil { // clients authenticated as module users (mod_acl.go)
		if err := s.modACLCheck(c, cmd, args); err != nil {
			c.reject(cmd, err)
			return
		}
	}
	inMulti := c.multi != nil && !c.multi.executing
	if s.cfg.MaxMemory > 0 && c.out == resp.Writer(&c.buf) && !s.load.active { // no evictions while loading, as Redis
		if s.performEvictions() == evictFail {
			deny := cmd.Flags&FlagDenyOOM != 0
			if cmd.Name == "exec" && c.multi != nil {
				deny = c.multiFlags()&FlagDenyOOM != 0
			}
			if inMulti {
				switch cmd.Name {
				case "exec", "discard", "quit", "reset":
				default:
					deny = true
				}
			}
			if deny {
				c.reject(cmd, errOOM)
				return
			}
		}
	}
	// Persistence failing (Redis's writeCommandsDeniedByDiskError): write
	// commands, EXEC of a transaction with writes, and PING are refused
	// with -MISCONF; not the AOF loader (aof.go: diskWriteError).
	if c.ID != 0 && c.out == resp.Writer(&c.buf) {
		if derr := s.diskWriteError(); derr != nil {
			deny := cmd.Flags&FlagWrite != 0 || cmd.Name == "ping"
			if cmd.Name == "exec" && c.multi != nil {
				deny = c.multiFlags()&FlagWrite != 0
			}
			if deny {
				c.reject(cmd, derr)
				return
			}
		}
	}
	if c.subs != nil && c.inSubscribedMode() && !allowedInSubscribedMode(cmd.Name) {
		c.reject(cmd, fmt.Errorf(errSubscribedMode, cmd.Name))
		return
	}
	if s.load.active && c.ID != 0 { // not the AOF loader or a module's internal client
		if cmd.Flags&FlagLoading == 0 {
			c.reject(cmd, errLoading)
			return
		}
		if cmd.Name == "shutdown" {
			args = shutdownNoSave(args) // Redis never saves a half-loaded dataset
		}
	}
	if c.monitor && cmd.Flags&(FlagWrite|FlagReadonly|FlagMayReplicate) != 0 {
		c.reject(cmd, errReplicaKey)
		return
	}
	if c.multi != nil && c.queueInMulti(cmd, args, nil) {
		return
	}
	c.call(cmd, args)
	if c.track != nil && c.multi == nil && cmd.Name != "client|caching" {
		c.track.caching = 0 // CLIENT CACHING applies to the next command only
	}
}

// reject answers a command that may not run with err: it counts as a
// rejected call of cmd (when known) and, inside MULTI, makes EXEC fail. A
// rejected EXEC discards the transaction and says why, as Redis's
// execCommandAbort.
func (c *Client) reject(cmd *Command, err error) {
	if c.multi != nil && !c.multi.executing {
		c.multi.aborted = true
	}
	if cmd != nil && cmd.Name == "exec" {
		c.multi = nil
		c.srv.unwatchAll(c)
		err = errors.New("EXECABORT Transaction discarded because of: " + strings.TrimPrefix(errorText(err.Error()), "ERR "))
	}
	c.replyError(err)
	s := c.srv
	s.prevErrs = s.stats.errorReplies
	if cmd != nil {
		s.cmdStat(cmd).rejected++
	}
}

// multiFlags is the union of the flags of the commands queued in MULTI.
func (c *Client) multiFlags() Flag {
	var f Flag
	for _, q := range c.multi.queue {
		if cmd, err := c.resolve(q); err == nil {
			f |= cmd.Flags
			if isScriptWrite(cmd) {
				f |= FlagMayReplicate
			}
		}
	}
	return f
}

// isScriptWrite reports whether cmd runs a script that may write (EVAL,
// EVALSHA, FCALL): Redis counts those as may-replicate.
func isScriptWrite(cmd *Command) bool {
	switch cmd.Name {
	case "eval", "evalsha", "fcall":
		return true
	}
	return false
}

// resolve finds the command (or subcommand) args name and checks its arity,
// with Redis's error texts. On an arity error the command is returned
// along with the error.
func (c *Client) resolve(args [][]byte) (*Command, error) {
	cmd := c.srv.table.lookup(args[0], &c.scratch)
	if cmd == nil {
		return nil, errUnknownCommand(args)
	}
	if !arityOK(cmd.Arity, len(args)) {
		return cmd, errWrongArity(cmd.Name)
	}
	if cmd.Subs != nil && len(args) > 1 {
		sub := cmd.Subs[strings.ToLower(string(args[1]))]
		if sub == nil {
			return nil, errUnknownSubcommand(string(args[1]), strings.ToUpper(cmd.Name))
		}
		if !arityOK(sub.Arity, len(args)) {
			return sub, errWrongArity(sub.Name)
		}
		cmd = sub
	}
	return cmd, nil
}

// call runs a handler, recovering a panic: the partial reply is taken back,
// the client gets an error naming the command, the log gets the stack.
// It keeps the command's statistics, and feeds SLOWLOG, LATENCY and
// MONITOR.
func (c *Client) call(cmd *Command, args [][]byte) {
	w := c.out
	mark := w.Mark()
	outer := c.cur
	c.cur = cmd
	start := time.Now()
	var am aofMark
	if a := c.srv.aof; a != nil {
		am = a.enter(c)
	}
	defer func() {
		if r := recover(); r != nil {
			w.Truncate(mark)
			c.srv.stats.moduleRecovers++
			who := "built-in command"
			if cmd.Module != nil {
				who = "module " + cmd.Module.Name
			}
			c.srv.log.Error("command panicked", "command", cmd.Name, "owner", who,
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			c.replyError(fmt.Errorf("ERR command '%s' (%s) panicked: %v; the server keeps serving, see its log", cmd.Name, who, r))
		}
		c.cur = outer
		if am.on {
			c.srv.aofLeave(c, cmd, args, am)
		}
		c.srv.afterCall(c, cmd, args, time.Since(start))
	}()
	if err := cmd.Handler(c, args); err != nil {
		c.replyError(err)
	}
	if c.track != nil && cmd.Flags&FlagReadonly != 0 {
		c.srv.trackingRemember(c, cmd, args)
	}
}

// replyError writes err as an error reply, adding the ERR code when the text
// has none. An error that reaches the client counts in INFO's
// total_error_replies and errorstats; one recorded for a script's or a
// module's Call only marks the command as failed, as in Redis.
func (c *Client) replyError(err error) {
	msg := errorText(err.Error())
	if c.out == resp.Writer(&c.buf) {
		c.srv.countError(msg)
	} else if c.cur != nil {
		c.srv.cmdStat(c.cur).failed++
	}
	c.out.Error(msg)
}

// countError counts an error reply sent to a client (msg without the "-"):
// total_error_replies and its code's errorstat. Lock held.
func (s *Server) countError(msg string) {
	s.stats.errorReplies++
	code := "ERR"
	if sp := strings.IndexByte(msg, ' '); sp > 0 && sp < 32 {
		code = msg[:sp]
	}
	if _, ok := s.errorStats[code]; !ok && len(s.errorStats) >= maxErrorCodes {
		code = "ERRORSTATS_DISABLED"
	}
	s.errorStats[code]++
}

// maxErrorCodes bounds errorstats, as Redis 7.2 does: past it, errors with
// new codes are counted together.
const maxErrorCodes = 128

// errorText gives msg Redis's error shape: it must start with an upper-case
// code word ("ERR", "WRONGTYPE"); one is added if it does not.
func errorText(msg string) string {
	msg = strings.TrimPrefix(msg, "-")
	if hasErrorCode(msg) {
		return msg
	}
	return "ERR " + msg
}

func hasErrorCode(msg string) bool {
	end := strings.IndexByte(msg, ' ')
	if end < 0 {
		end = len(msg)
	}
	if end < 2 {
		return false
	}
	for i := 0; i < end; i++ {
		ch := msg[i]
		if !(ch >= 'A' && ch <= 'Z' || ch == '_' || ch == '-' || ch >= '0' && ch <= '9') {
			return false
		}
	}
	return true
}

// proto returns the client's protocol version.
func (c *Client) proto() int { return c.buf.Proto() }

// redactArg marks argument i to be shown as "(redacted)" by MONITOR and
// SLOWLOG (passwords).
func (c *Client) redactArg(i int) { c.redact = append(c.redact, i) }
