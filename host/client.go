package host

import (
	"fmt"
	"net"
	"runtime/debug"
	"strings"
	"time"

	"github.com/tidwall/redcon"

	"modis/host/internal/keyspace"
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
}

func newClient(s *Server, conn redcon.Conn, id int64) *Client {
	c := &Client{ID: id, srv: s, conn: conn, db: s.dbs[0], created: time.Now()}
	c.out = &c.buf
	c.lastAt = c.created
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

// exec looks a command up, checks it, and runs it (or queues it inside
// MULTI). Lock held.
func (c *Client) exec(args [][]byte) {
	if len(args) == 0 {
		return
	}
	c.srv.stats.commands++
	cmd, err := c.resolve(args)
	if c.multi != nil && c.queueInMulti(cmd, args, err) {
		return
	}
	if err != nil {
		c.replyError(err)
		return
	}
	if c.subs != nil && c.inSubscribedMode() && !allowedInSubscribedMode(cmd.Name) {
		c.replyError(fmt.Errorf(errSubscribedMode, cmd.Name))
		return
	}
	c.lastCmd = cmd.Name
	c.call(cmd, args)
	if c.track != nil && c.multi == nil && cmd.Name != "client|caching" {
		c.track.caching = 0 // CLIENT CACHING applies to the next command only
	}
}

// resolve finds the command (or subcommand) args name and checks its arity,
// with Redis's error texts.
func (c *Client) resolve(args [][]byte) (*Command, error) {
	cmd := c.srv.table.lookup(args[0], &c.scratch)
	if cmd == nil {
		return nil, errUnknownCommand(args)
	}
	if !arityOK(cmd.Arity, len(args)) {
		return nil, errWrongArity(cmd.Name)
	}
	if cmd.Subs != nil && len(args) > 1 {
		sub := cmd.Subs[strings.ToLower(string(args[1]))]
		if sub == nil {
			return nil, errUnknownSubcommand(string(args[1]), strings.ToUpper(cmd.Name))
		}
		if !arityOK(sub.Arity, len(args)) {
			return nil, errWrongArity(sub.Name)
		}
		cmd = sub
	}
	return cmd, nil
}

// call runs a handler, recovering a panic: the partial reply is taken back,
// the client gets an error naming the command, the log gets the stack.
func (c *Client) call(cmd *Command, args [][]byte) {
	w := c.out
	mark := w.Mark()
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
	}()
	if err := cmd.Handler(c, args); err != nil {
		c.replyError(err)
	}
	cmd.calls++
	if c.track != nil && cmd.Flags&FlagReadonly != 0 {
		c.srv.trackingRemember(c, cmd, args)
	}
}

// replyError writes err as an error reply, adding the ERR code when the text
// has none.
func (c *Client) replyError(err error) {
	c.srv.stats.errorReplies++
	c.out.Error(errorText(err.Error()))
}

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
