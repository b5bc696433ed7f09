package host

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"modis/host/internal/resp"
	"modis/sdk"
)

// Connection commands: PING ECHO QUIT SELECT HELLO AUTH CLIENT.

func connCommands() []*Command {
	return []*Command{
		{Name: "ping", Arity: -1, Flags: FlagFast, Group: "connection", Handler: cmdPing,
			Summary: "Returns the server's liveliness response.", Since: "1.0.0"},
		{Name: "echo", Arity: 2, Flags: FlagFast | FlagStale | FlagLoading, Group: "connection", Handler: cmdEcho,
			Summary: "Returns the given string.", Since: "1.0.0"},
		{Name: "quit", Arity: -1, Flags: FlagNoScript | FlagFast | FlagStale | FlagLoading | FlagNoAuth | FlagAllowBusy, Group: "connection", Handler: cmdQuit,
			Summary: "Closes the connection.", Since: "1.0.0"},
		{Name: "select", Arity: 2, Flags: FlagFast | FlagStale | FlagLoading, Group: "connection", Handler: cmdSelect,
			Summary: "Changes the selected database.", Since: "1.0.0"},
		{Name: "hello", Arity: -1, Flags: FlagFast | FlagStale | FlagLoading | FlagNoAuth | FlagNoScript | FlagAllowBusy, Group: "connection", Handler: cmdHello,
			Summary: "Handshakes with the Redis server.", Since: "6.0.0"},
		{Name: "auth", Arity: -2, Flags: FlagFast | FlagStale | FlagLoading | FlagNoAuth | FlagNoScript | FlagAllowBusy, Group: "connection", Handler: cmdAuth,
			Summary: "Authenticates the connection.", Since: "1.0.0"},
		{Name: "reset", Arity: 1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagNoAuth | FlagAllowBusy, Group: "connection", Handler: cmdReset,
			Summary: "Resets the connection.", Since: "6.2.0"},
		clientCommand(),
	}
}

// cmdReset returns the connection to its initial state, as Redis's
// clearClientConnectionState: out of MONITOR, no tracking, database 0,
// RESP2, not authenticated if a password is required, no MULTI, no watched
// keys, no subscriptions, no name, replies on.
func cmdReset(c *Client, _ [][]byte) error {
	s := c.srv
	s.monitorOff(c)
	s.trackingOff(c)
	c.db = s.dbs[0]
	c.buf.P3 = false
	c.authed = s.cfg.RequirePass == ""
	c.multi = nil
	s.unwatchAll(c)
	s.unsubscribeAll(c)
	c.name = ""
	c.replyOff, c.replySkip, c.replySkipNext = false, false, false
	c.out.SimpleString("RESET")
	return nil
}

func cmdPing(c *Client, args [][]byte) error {
	if c.inSubscribedMode() { // RESP2 subscribed mode answers a pong message
		if len(args) > 2 {
			return errWrongArity("ping")
		}
		c.out.Array(2)
		c.out.BulkString("pong")
		if len(args) == 2 {
			c.out.Bulk(args[1])
		} else {
			c.out.BulkString("")
		}
		return nil
	}
	switch len(args) {
	case 1:
		c.out.SimpleString("PONG")
	case 2:
		c.out.Bulk(args[1])
	default:
		return errWrongArity("ping")
	}
	return nil
}

func cmdEcho(c *Client, args [][]byte) error {
	c.out.Bulk(args[1])
	return nil
}

func cmdQuit(c *Client, args [][]byte) error {
	c.out.SimpleString("OK")
	c.closing = true
	return nil
}

func cmdSelect(c *Client, args [][]byte) error {
	n, err := strconv.Atoi(string(args[1]))
	if err != nil {
		return ErrNotInteger
	}
	if n < 0 || n >= len(c.srv.dbs) {
		return ErrDBIndex
	}
	c.db = c.srv.dbs[n]
	c.out.SimpleString("OK")
	return nil
}

var errWrongPass = errors.New("WRONGPASS invalid username-password pair or user is disabled.")

// checkAuth checks a user and password as Redis does with only the default
// user: without requirepass it takes any password, with it only that one.
func (c *Client) checkAuth(user, pass []byte) error {
	if string(user) != "default" {
		return errWrongPass
	}
	if rp := c.srv.cfg.RequirePass; rp != "" && string(pass) != rp {
		return errWrongPass
	}
	c.authed = true
	return nil
}

func cmdAuth(c *Client, args [][]byte) error {
	for i := 1; i < len(args) && i <= 2; i++ {
		c.redactArg(i)
	}
	switch len(args) {
	case 2:
		if c.srv.cfg.RequirePass == "" {
			return fmt.Errorf("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
		}
		if err := c.checkAuth([]byte("default"), args[1]); err != nil {
			return err
		}
	case 3:
		if err := c.checkAuth(args[1], args[2]); err != nil {
			return err
		}
	default:
		return ErrSyntax
	}
	c.out.SimpleString("OK")
	return nil
}

func cmdHello(c *Client, args [][]byte) error {
	proto := c.proto()
	if len(args) >= 2 {
		n, err := strconv.ParseInt(string(args[1]), 10, 64)
		if err != nil {
			return fmt.Errorf("ERR Protocol version is not an integer or out of range")
		}
		if n < 2 || n > 3 {
			return ErrNoProto
		}
		proto = int(n)
	}
	var user, pass, name []byte
	auth, setName := false, false
	for i := 2; i < len(args); i++ {
		opt := strings.ToUpper(string(args[i]))
		switch {
		case opt == "AUTH" && i+2 < len(args):
			c.redactArg(i + 1)
			c.redactArg(i + 2)
			user, pass, auth = args[i+1], args[i+2], true
			i += 2
		case opt == "SETNAME" && i+1 < len(args):
			name, setName = args[i+1], true
			i++
		default:
			return fmt.Errorf("ERR Syntax error in HELLO option '%s'", args[i])
		}
	}
	if auth {
		if err := c.checkAuth(user, pass); err != nil {
			return err
		}
	}
	if !c.authed {
		return errors.New("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
	}
	if setName {
		if err := validClientName(name); err != nil {
			return err
		}
		c.name = string(name)
	}
	c.buf.P3 = proto == 3
	w := c.out
	w.Map(7)
	w.BulkString("server")
	w.BulkString("redis")
	w.BulkString("version")
	w.BulkString(RedisVersion)
	w.BulkString("proto")
	w.Int(int64(proto))
	w.BulkString("id")
	w.Int(c.ID)
	w.BulkString("mode")
	w.BulkString("standalone")
	w.BulkString("role")
	w.BulkString("master")
	w.BulkString("modules")
	writeModuleList(w, c.srv.modules.loaded)
	return nil
}

// writeModuleList writes modules as MODULE LIST and HELLO show them.
func writeModuleList(w resp.Writer, mods []*Module) {
	w.Array(len(mods))
	for _, m := range mods {
		w.Map(4)
		w.BulkString("name")
		w.BulkString(m.Name)
		w.BulkString("ver")
		w.Int(int64(m.Version))
		w.BulkString("path")
		w.BulkString(m.Path)
		w.BulkString("args")
		w.Array(len(m.Args))
		for _, a := range m.Args {
			w.BulkString(a)
		}
	}
}

func validClientName(b []byte) error {
	for _, ch := range b {
		if ch < '!' || ch > '~' {
			return fmt.Errorf("ERR Client names cannot contain spaces, newlines or special characters.")
		}
	}
	return nil
}

func clientCommand() *Command {
	admin := FlagAdmin | FlagNoScript | FlagLoading | FlagStale
	conn := FlagNoScript | FlagLoading | FlagStale
	return &Command{
		Name: "client", Arity: -2, Group: "connection", Summary: "A container for client connection commands.", Since: "2.4.0",
		Subs: map[string]*Command{
			"id": {Arity: 2, Flags: conn, Handler: func(c *Client, _ [][]byte) error {
				c.out.Int(c.ID)
				return nil
			}, Summary: "Returns the unique client ID of the connection.", Since: "5.0.0"},
			"setname": {Arity: 3, Flags: conn, Handler: func(c *Client, args [][]byte) error {
				if err := validClientName(args[2]); err != nil {
					return err
				}
				c.name = string(args[2])
				c.out.SimpleString("OK")
				return nil
			}, Summary: "Sets the connection name.", Since: "2.6.9"},
			"getname": {Arity: 2, Flags: conn, Handler: func(c *Client, _ [][]byte) error {
				if c.name == "" {
					c.out.Null()
				} else {
					c.out.BulkString(c.name)
				}
				return nil
			}, Summary: "Returns the name of the connection.", Since: "2.6.9"},
			"setinfo": {Arity: 4, Flags: conn, Handler: cmdClientSetinfo,
				Summary: "Sets information specific to the client or connection.", Since: "7.2.0"},
			"list": {Arity: -2, Flags: admin, Handler: cmdClientList,
				Summary: "Lists open connections.", Since: "2.4.0"},
			"info": {Arity: 2, Flags: conn, Handler: func(c *Client, _ [][]byte) error {
				c.out.Verbatim("txt", []byte(c.infoLine(time.Now())+"\n"))
				return nil
			}, Summary: "Returns information about the connection.", Since: "6.2.0"},
			"kill": {Arity: -3, Flags: admin, Handler: cmdClientKill,
				Summary: "Terminates open connections.", Since: "2.4.0"},
			"pause": {Arity: -3, Flags: admin, Handler: cmdClientPause,
				Summary: "Suspends commands processing.", Since: "3.0.0"},
			"unpause": {Arity: 2, Flags: admin, Handler: func(c *Client, _ [][]byte) error {
				c.srv.unpauseClients()
				c.out.SimpleString("OK")
				return nil
			}, Summary: "Resumes processing commands from paused clients.", Since: "6.2.0"},
			"reply": {Arity: 3, Flags: conn, Handler: cmdClientReply,
				Summary: "Instructs the server whether to reply to commands.", Since: "3.2.0"},
			"no-evict": {Arity: 3, Flags: admin, Handler: cmdClientNoEvict,
				Summary: "Sets the client eviction mode of the connection.", Since: "7.0.0"},
			"unblock": {Arity: -3, Flags: admin, Handler: cmdClientUnblock,
				Summary: "Unblocks a client blocked by a blocking command from a different connection.", Since: "5.0.0"},
			"tracking": {Arity: -3, Flags: conn, Handler: cmdClientTracking,
				Summary: "Controls server-assisted client-side caching for the connection.", Since: "6.0.0"},
			"caching": {Arity: 3, Flags: conn, Handler: cmdClientCaching,
				Summary: "Instructs the server whether to track the keys in the next request.", Since: "6.0.0"},
			"getredir": {Arity: 2, Flags: conn, Handler: cmdClientGetredir,
				Summary: "Returns the client ID to which the connection's tracking notifications are redirected.", Since: "6.0.0"},
			"trackinginfo": {Arity: 2, Flags: conn, Handler: cmdClientTrackinginfo,
				Summary: "Returns information about server-assisted client-side caching for the connection.", Since: "6.2.0"},
			"help": {Arity: 2, Flags: FlagLoading | FlagStale, Handler: helpHandler("CLIENT",
				"CACHING (YES|NO)",
				"    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
				"GETREDIR",
				"    Return the client ID we are redirecting to when tracking is enabled.",
				"GETNAME",
				"    Return the name of the current connection.",
				"ID",
				"    Return the ID of the current connection.",
				"INFO",
				"    Return information about the current client connection.",
				"KILL <ip:port>",
				"    Kill connection made from <ip:port>.",
				"KILL <option> <value> [<option> <value> [...]]",
				"    Kill connections. Options are:",
				"    * ADDR (<ip:port>|<unixsocket>:0)",
				"      Kill connections made from the specified address",
				"    * LADDR (<ip:port>|<unixsocket>:0)",
				"      Kill connections made to specified local address",
				"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
				"      Kill connections by type.",
				"    * USER <username>",
				"      Kill connections authenticated by <username>.",
				"    * SKIPME (YES|NO)",
				"      Skip killing current connection (default: yes).",
				"LIST [options ...]",
				"    Return information about client connections. Options:",
				"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
				"      Return clients of specified type.",
				"UNPAUSE",
				"    Stop the current client pause, resuming traffic.",
				"PAUSE <timeout> [WRITE|ALL]",
				"    Suspend all, or just write, clients for <timeout> milliseconds.",
				"REPLY (ON|OFF|SKIP)",
				"    Control the replies sent to the current connection.",
				"SETINFO <option> <value>",
				"    Set client meta attr. Options are:",
				"    * LIB-NAME: the client lib name.",
				"    * LIB-VER: the client lib version.",
				"SETNAME <name>",
				"    Assign the name <name> to the current connection.",
				"UNBLOCK <clientid> [TIMEOUT|ERROR]",
				"    Unblock the specified blocked client.",
				"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
				"         [OPTIN] [OPTOUT] [NOLOOP]",
				"    Control server assisted client side caching.",
				"TRACKINGINFO",
				"    Report tracking status for the current connection.",
				"NO-EVICT (ON|OFF)",
				"    Protect current client connection from eviction.",
			), Summary: "Returns helpful text about the different subcommands.", Since: "5.0.0"},
		},
	}
}

func cmdClientSetinfo(c *Client, args [][]byte) error {
	attr := strings.ToLower(string(args[2]))
	if attr != "lib-name" && attr != "lib-ver" {
		return fmt.Errorf("ERR Unrecognized option '%s'", args[2])
	}
	for _, ch := range args[3] {
		if ch < '!' || ch > '~' {
			return fmt.Errorf("ERR %s cannot contain spaces, newlines or special characters.", attr)
		}
	}
	if attr == "lib-name" {
		c.libName = string(args[3])
	} else {
		c.libVer = string(args[3])
	}
	c.out.SimpleString("OK")
	return nil
}

// Client types, as CLIENT LIST TYPE and CLIENT KILL TYPE name them. Modis
// has no replicas and no master; a MONITOR client is normal, as in Redis.
const (
	clientNormal = iota
	clientReplica
	clientPubsub
	clientMaster
)

func clientTypeByName(name []byte) (int, bool) {
	switch strings.ToLower(string(name)) {
	case "normal":
		return clientNormal, true
	case "slave", "replica":
		return clientReplica, true
	case "pubsub":
		return clientPubsub, true
	case "master":
		return clientMaster, true
	}
	return 0, false
}

func (c *Client) clientType() int {
	if c.subscribed() {
		return clientPubsub
	}
	return clientNormal
}

// subscribed reports whether c has any channel, pattern or shard channel
// subscription (Redis's CLIENT_PUBSUB flag).
func (c *Client) subscribed() bool {
	return c.subs != nil && (c.subs.count() > 0 || len(c.subs.shards) > 0)
}

func cmdClientList(c *Client, args [][]byte) error {
	s := c.srv
	typ := -1
	var ids []int64
	switch {
	case len(args) == 4 && strings.EqualFold(string(args[2]), "type"):
		t, ok := clientTypeByName(args[3])
		if !ok {
			return fmt.Errorf("ERR Unknown client type '%s'", args[3])
		}
		typ = t
	case len(args) > 3 && strings.EqualFold(string(args[2]), "id"):
		for _, a := range args[3:] {
			id, ok := sdk.ParseInt(a)
			if !ok {
				return errors.New("ERR Invalid client ID")
			}
			ids = append(ids, id)
		}
	case len(args) != 2:
		return ErrSyntax
	}
	now := time.Now()
	var sb strings.Builder
	if ids != nil {
		for _, id := range ids {
			if cl := s.clients[id]; cl != nil {
				sb.WriteString(cl.infoLine(now))
				sb.WriteByte('\n')
			}
		}
	} else {
		for _, cl := range s.sortedClients() {
			if typ != -1 && cl.clientType() != typ {
				continue
			}
			sb.WriteString(cl.infoLine(now))
			sb.WriteByte('\n')
		}
	}
	c.out.Verbatim("txt", []byte(sb.String()))
	return nil
}

// flags is CLIENT LIST's flags field, in Redis's order.
func (c *Client) flags() string {
	var b []byte
	if c.monitor {
		b = append(b, 'O')
	}
	if c.subscribed() {
		b = append(b, 'P')
	}
	if c.multi != nil {
		b = append(b, 'x')
	}
	if c.blocked != nil || c.paused {
		b = append(b, 'b')
	}
	if c.track != nil {
		b = append(b, 't')
		if c.track.redirect != 0 && c.srv.clients[c.track.redirect] == nil {
			b = append(b, 'R')
		}
		if c.track.bcast {
			b = append(b, 'B')
		}
	}
	if c.watchDirty {
		b = append(b, 'd')
	}
	if c.closing && !c.killed {
		b = append(b, 'c')
	}
	if c.killed {
		b = append(b, 'A')
	}
	if c.noEvict {
		b = append(b, 'e')
	}
	if len(b) == 0 {
		return "N"
	}
	return string(b)
}

// infoLine is the client's CLIENT LIST line, in Redis's field order (with
// Redis 7.2's lib-name and lib-ver at the end). Query buffers belong to
// the network library and are reported as empty.
func (c *Client) infoLine(now time.Time) string {
	var sub, psub, ssub int
	if c.subs != nil {
		sub, psub, ssub = len(c.subs.channels), len(c.subs.patterns), len(c.subs.shards)
	}
	multi, multiMem := -1, 0
	if c.multi != nil {
		multi = len(c.multi.queue)
		for _, q := range c.multi.queue {
			for _, a := range q {
				multiMem += len(a) + 16
			}
		}
	}
	var omem int
	if c.push != nil {
		c.push.outMu.Lock()
		omem = len(c.push.pending)
		c.push.outMu.Unlock()
	}
	events := "r"
	if omem > 0 {
		events = "rw"
	}
	redir := int64(-1)
	if c.track != nil {
		redir = c.track.redirect
	}
	rbs := cap(c.buf.B)
	totMem := c.argvMem + multiMem + rbs + cap(c.spare) + omem + 1024
	return fmt.Sprintf("id=%d addr=%s laddr=%s fd=%d name=%s age=%d idle=%d flags=%s db=%d sub=%d psub=%d ssub=%d multi=%d qbuf=0 qbuf-free=0 argv-mem=%d multi-mem=%d rbs=%d rbp=%d obl=%d oll=0 omem=%d tot-mem=%d events=%s cmd=%s user=default redir=%d resp=%d lib-name=%s lib-ver=%s",
		c.ID, c.addr, c.laddr, c.fd, c.name, int64(now.Sub(c.created).Seconds()), int64(now.Sub(c.lastAt).Seconds()),
		c.flags(), c.db.ID, sub, psub, ssub, multi, c.argvMem, multiMem, rbs, rbs, len(c.buf.B), omem, totMem,
		events, orNULL(c.lastCmd), redir, c.proto(), c.libName, c.libVer)
}

func orNULL(s string) string {
	if s == "" {
		return "NULL"
	}
	return s
}

var errClientIDRange = errors.New("ERR client-id should be greater than 0")

// cmdClientKill is CLIENT KILL addr (the old form: OK or "No such client",
// and a client may kill itself) and CLIENT KILL with filters (ID, ADDR,
// LADDR, TYPE, USER, SKIPME; the number killed). A killed client is gone
// from the client list at once; its connection is closed, which also ends
// a blocked or paused wait. The calling client, if it matches and SKIPME
// is no, is closed after this reply.
func cmdClientKill(c *Client, args [][]byte) error {
	s := c.srv
	var addr, laddr []byte
	var id int64
	typ := -1
	skipme := true
	userGiven := false
	switch {
	case len(args) == 3:
		addr = args[2]
		skipme = false
	default:
		for i := 2; i < len(args); i += 2 {
			if i+1 >= len(args) {
				return ErrSyntax
			}
			opt, val := strings.ToLower(string(args[i])), args[i+1]
			switch opt {
			case "id":
				n, ok := sdk.ParseInt(val)
				if !ok || n < 1 {
					return errClientIDRange
				}
				id = n
			case "type":
				t, ok := clientTypeByName(val)
				if !ok {
					return fmt.Errorf("ERR Unknown client type '%s'", val)
				}
				typ = t
			case "addr":
				addr = val
			case "laddr":
				laddr = val
			case "user":
				if string(val) != "default" {
					return fmt.Errorf("ERR No such user '%s'", val)
				}
				userGiven = true
			case "skipme":
				switch strings.ToLower(string(val)) {
				case "yes":
					skipme = true
				case "no":
					skipme = false
				default:
					return ErrSyntax
				}
			default:
				return ErrSyntax
			}
		}
	}
	_ = userGiven // every client is the default user's
	killed := 0
	closeSelf := false
	for _, cl := range s.sortedClients() {
		if cl.conn == nil {
			continue
		}
		if addr != nil && cl.addr != string(addr) ||
			laddr != nil && cl.laddr != string(laddr) ||
			typ != -1 && cl.clientType() != typ ||
			id != 0 && cl.ID != id ||
			cl == c && skipme {
			continue
		}
		if cl == c {
			closeSelf = true
		} else {
			s.killClient(cl)
		}
		killed++
	}
	if len(args) == 3 {
		if killed == 0 {
			return errors.New("ERR No such client")
		}
		c.out.SimpleString("OK")
	} else {
		c.out.Int(int64(killed))
	}
	if closeSelf {
		c.closing = true
	}
	return nil
}

// CLIENT PAUSE. While a pause holds, the batch loop keeps back the commands
// it covers (all of them, or with WRITE those that may write: write and
// may-replicate commands, scripts, and an EXEC of such commands), without
// the execution lock, until the pause ends or CLIENT UNPAUSE. A paused
// client shows as blocked. Active expiry and eviction wait too, as in Redis.

// pauseState is the current pause.
type pauseState struct {
	active bool
	all    bool          // ALL; otherwise WRITE
	end    time.Time     // when it ends
	wake   chan struct{} // closed and replaced when the pause ends or changes
	cron   bool          // DEBUG PAUSE-CRON 1
}

func cmdClientPause(c *Client, args [][]byte) error {
	if len(args) > 4 {
		return errSubcommandSyntax(args[1], "CLIENT")
	}
	all := true
	if len(args) == 4 {
		switch strings.ToLower(string(args[3])) {
		case "write":
			all = false
		case "all":
		default:
			return errors.New("ERR CLIENT PAUSE mode must be WRITE or ALL")
		}
	}
	ms, ok := sdk.ParseInt(args[2])
	if !ok {
		return errors.New("ERR timeout is not an integer or out of range")
	}
	if ms < 0 {
		return ErrTimeoutNegative
	}
	var end time.Time
	if now := time.Now(); ms > 0 && ms <= (1<<62-now.UnixMilli()) {
		end = now.Add(time.Duration(ms) * time.Millisecond)
	}
	c.srv.pauseClients(end, all)
	c.out.SimpleString("OK")
	return nil
}

// pauseClients starts or changes the pause: the mode is replaced, the end
// only moves later (Redis's pauseClients). Lock held.
func (s *Server) pauseClients(end time.Time, all bool) {
	p := &s.pause
	p.all = all
	if end.After(p.end) {
		p.end = end
	}
	p.active = time.Now().Before(p.end)
	p.wakeAll()
}

// unpauseClients ends the pause. Lock held.
func (s *Server) unpauseClients() {
	p := &s.pause
	p.active = false
	p.end = time.Time{}
	p.wakeAll()
}

func (p *pauseState) wakeAll() {
	close(p.wake)
	p.wake = make(chan struct{})
}

// pauseExpire ends a pause whose time is up. Lock held.
func (s *Server) pauseExpire() {
	if s.pause.active && !time.Now().Before(s.pause.end) {
		s.unpauseClients()
	}
}

// pauseHolds reports whether the pause keeps back c's next command. Lock
// held.
func (s *Server) pauseHolds(c *Client, args [][]byte) bool {
	if !s.pause.active || c.conn == nil || len(args) == 0 {
		return false
	}
	s.pauseExpire()
	if !s.pause.active {
		return false
	}
	cmd, err := c.resolve(args)
	if err != nil || !c.authed && cmd.Flags&FlagNoAuth == 0 {
		return false // rejected before any pause, as in Redis
	}
	if s.pause.all {
		return true
	}
	f := cmd.Flags
	if cmd.Name == "exec" && c.multi != nil {
		f |= c.multiFlags()
	}
	return f&(FlagWrite|FlagMayReplicate) != 0 || isScriptWrite(cmd)
}

// waitWhilePaused holds c back while the pause covers its next command.
// What c was already answered is sent first. Lock held; released while
// waiting.
func (c *Client) waitWhilePaused(args [][]byte) {
	s := c.srv
	for !c.closing && s.pauseHolds(c, args) {
		out := c.endBatch()
		wake, end := s.pause.wake, s.pause.end
		c.paused = true
		s.stats.blockedClients++
		s.mu.Unlock()
		if out != nil {
			c.conn.WriteRaw(out)
		}
		c.flushNow()
		t := time.NewTimer(time.Until(end))
		gone, stopWatch := watchDisconnect(c.conn.NetConn())
		select {
		case <-wake:
		case <-t.C:
		case <-c.killCh:
		case <-gone:
		}
		t.Stop()
		stopWatch()
		s.mu.Lock()
		c.paused = false
		s.stats.blockedClients--
		s.now = time.Now().UnixMilli()
		select {
		case <-gone:
			c.closing = true
		default:
		}
	}
}

func cmdClientReply(c *Client, args [][]byte) error {
	switch strings.ToLower(string(args[2])) {
	case "on":
		c.replyOff, c.replySkip, c.replySkipNext = false, false, false
		c.out.SimpleString("OK")
	case "off":
		c.replyOff = true
	case "skip":
		if !c.replyOff {
			c.replySkipNext = true
		}
	default:
		return ErrSyntax
	}
	return nil
}

func cmdClientNoEvict(c *Client, args [][]byte) error {
	switch strings.ToLower(string(args[2])) {
	case "on":
		c.noEvict = true
	case "off":
		c.noEvict = false
	default:
		return ErrSyntax
	}
	c.out.SimpleString("OK")
	return nil
}

// cmdClientUnblock ends another client's blocking command as if it timed
// out (TIMEOUT, the default) or with an UNBLOCKED error (ERROR). A client
// held by CLIENT PAUSE is not blocked in this sense: 0.
func cmdClientUnblock(c *Client, args [][]byte) error {
	if len(args) > 4 {
		return errSubcommandSyntax(args[1], "CLIENT")
	}
	withError := false
	if len(args) == 4 {
		switch strings.ToLower(string(args[3])) {
		case "timeout":
		case "error":
			withError = true
		default:
			return errors.New("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
		}
	}
	id, ok := sdk.ParseInt(args[2])
	if !ok {
		return ErrNotInteger
	}
	s := c.srv
	target := s.clients[id]
	// A module command without a timeout callback is not unblocked, as
	// Redis 7.0's moduleBlockedClientMayTimeout (mod_block.go).
	if target == nil || target.blocked == nil || !s.moduleBlockMayTimeout(target.blocked) {
		c.out.Int(0)
		return nil
	}
	b := target.blocked
	s.unblock(target)
	saved := target.db
	target.db = b.db
	if withError {
		target.replyError(errors.New("UNBLOCKED client unblocked via CLIENT UNBLOCK"))
		if cmd := s.table.findCommand(target.lastCmd); cmd != nil {
			s.cmdStat(cmd).failed++
		}
	} else {
		b.onTimeout(target)
	}
	target.db = saved
	close(b.done)
	c.out.Int(1)
	return nil
}
