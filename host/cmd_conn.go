package host

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"modis/host/internal/resp"
)

// Connection commands: PING ECHO QUIT SELECT HELLO AUTH CLIENT.

func connCommands() []*Command {
	return []*Command{
		{Name: "ping", Arity: -1, Flags: FlagFast | FlagStale, Group: "connection", Handler: cmdPing,
			Summary: "Returns the server's liveliness response.", Since: "1.0.0"},
		{Name: "echo", Arity: 2, Flags: FlagFast | FlagStale | FlagLoading, Group: "connection", Handler: cmdEcho,
			Summary: "Returns the given string.", Since: "1.0.0"},
		{Name: "quit", Arity: -1, Flags: FlagFast | FlagStale | FlagLoading | FlagNoAuth | FlagAllowBusy, Group: "connection", Handler: cmdQuit,
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

// cmdReset returns the connection to its initial state: no MULTI, no
// watched keys, no subscriptions, no tracking, database 0, RESP2, no name.
func cmdReset(c *Client, _ [][]byte) error {
	s := c.srv
	c.multi = nil
	s.unwatchAll(c)
	s.unsubscribeAll(c)
	s.trackingOff(c)
	c.db = s.dbs[0]
	c.buf.P3 = false
	c.name = ""
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

// checkAuth accepts what Redis accepts when no password is configured: the
// default user with any password.
func checkAuth(user, pass []byte) error {
	if strings.EqualFold(string(user), "default") {
		return nil
	}
	return fmt.Errorf("WRONGPASS invalid username-password pair or user is disabled.")
}

func cmdAuth(c *Client, args [][]byte) error {
	switch len(args) {
	case 2:
		return fmt.Errorf("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
	case 3:
		if err := checkAuth(args[1], args[2]); err != nil {
			return err
		}
		c.out.SimpleString("OK")
		return nil
	}
	return ErrSyntax
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
	var name []byte
	setName := false
	for i := 2; i < len(args); i++ {
		opt := strings.ToUpper(string(args[i]))
		switch {
		case opt == "AUTH" && i+2 < len(args):
			if err := checkAuth(args[i+1], args[i+2]); err != nil {
				return err
			}
			i += 2
		case opt == "SETNAME" && i+1 < len(args):
			if err := validClientName(args[i+1]); err != nil {
				return err
			}
			name, setName = args[i+1], true
			i++
		default:
			return fmt.Errorf("ERR Syntax error in HELLO option '%s'", args[i])
		}
	}
	if setName {
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
	return &Command{
		Name: "client", Arity: -2, Group: "connection", Summary: "A container for client connection commands.", Since: "2.4.0",
		Subs: map[string]*Command{
			"id": {Arity: 2, Flags: FlagNoScript | FlagLoading | FlagStale, Handler: func(c *Client, _ [][]byte) error {
				c.out.Int(c.ID)
				return nil
			}, Summary: "Returns the unique client ID of the connection.", Since: "5.0.0"},
			"setname": {Arity: 3, Flags: FlagNoScript | FlagLoading | FlagStale, Handler: func(c *Client, args [][]byte) error {
				if err := validClientName(args[2]); err != nil {
					return err
				}
				c.name = string(args[2])
				c.out.SimpleString("OK")
				return nil
			}, Summary: "Sets the connection name.", Since: "2.6.9"},
			"getname": {Arity: 2, Flags: FlagNoScript | FlagLoading | FlagStale, Handler: func(c *Client, _ [][]byte) error {
				if c.name == "" {
					c.out.Null()
				} else {
					c.out.BulkString(c.name)
				}
				return nil
			}, Summary: "Returns the name of the connection.", Since: "2.6.9"},
			"setinfo": {Arity: 4, Flags: FlagNoScript | FlagLoading | FlagStale, Handler: cmdClientSetinfo,
				Summary: "Sets information specific to the client or connection.", Since: "7.2.0"},
			"list": {Arity: -2, Flags: FlagAdmin | FlagNoScript | FlagLoading | FlagStale, Handler: cmdClientList,
				Summary: "Lists open connections.", Since: "2.4.0"},
			"info": {Arity: 2, Flags: FlagNoScript | FlagLoading | FlagStale, Handler: func(c *Client, _ [][]byte) error {
				c.out.Verbatim("txt", []byte(c.infoLine(time.Now())+"\n"))
				return nil
			}, Summary: "Returns information about the connection.", Since: "6.2.0"},
			"tracking": {Arity: -3, Flags: FlagNoScript | FlagLoading | FlagStale, Handler: cmdClientTracking,
				Summary: "Controls server-assisted client-side caching for the connection.", Since: "6.0.0"},
			"caching": {Arity: 3, Flags: FlagNoScript | FlagLoading | FlagStale, Handler: cmdClientCaching,
				Summary: "Instructs the server whether to track the keys in the next request.", Since: "6.0.0"},
			"getredir": {Arity: 2, Flags: FlagNoScript | FlagLoading | FlagStale, Handler: cmdClientGetredir,
				Summary: "Returns the client ID to which the connection's tracking notifications are redirected.", Since: "6.0.0"},
			"trackinginfo": {Arity: 2, Flags: FlagNoScript | FlagLoading | FlagStale, Handler: cmdClientTrackinginfo,
				Summary: "Returns information about server-assisted client-side caching for the connection.", Since: "6.2.0"},
			"help": {Arity: 2, Flags: FlagLoading | FlagStale, Handler: helpHandler("CLIENT",
				"GETNAME",
				"    Return the name of the current connection.",
				"ID",
				"    Return the ID of the current connection.",
				"INFO",
				"    Return information about the current client connection.",
				"LIST [TYPE normal] [ID <id> [<id> ...]]",
				"    Return information about client connections.",
				"SETINFO <option> <value>",
				"    Set client meta attr. Options are: LIB-NAME, LIB-VER.",
				"SETNAME <name>",
				"    Assign the name <name> to the current connection.",
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

func cmdClientList(c *Client, args [][]byte) error {
	var ids map[int64]bool
	for i := 2; i < len(args); i++ {
		switch strings.ToUpper(string(args[i])) {
		case "TYPE":
			if i+1 >= len(args) {
				return ErrSyntax
			}
			t := strings.ToLower(string(args[i+1]))
			switch t {
			case "normal":
			case "master", "replica", "slave", "pubsub":
				ids = map[int64]bool{} // none of those exist yet
			default:
				return fmt.Errorf("ERR Unknown client type '%s'", args[i+1])
			}
			i++
		case "ID":
			if i+1 >= len(args) {
				return ErrSyntax
			}
			ids = map[int64]bool{}
			for i++; i < len(args); i++ {
				n, err := strconv.ParseInt(string(args[i]), 10, 64)
				if err != nil || n <= 0 {
					return fmt.Errorf("ERR Invalid client ID")
				}
				ids[n] = true
			}
		default:
			return ErrSyntax
		}
	}
	now := time.Now()
	var sb strings.Builder
	for _, cl := range c.srv.sortedClients() {
		if ids != nil && !ids[cl.ID] {
			continue
		}
		sb.WriteString(cl.infoLine(now))
		sb.WriteByte('\n')
	}
	c.out.Verbatim("txt", []byte(sb.String()))
	return nil
}

// infoLine is the client's CLIENT LIST line, in Redis's field order.
func (c *Client) infoLine(now time.Time) string {
	return fmt.Sprintf("id=%d addr=%s laddr=%s fd=0 name=%s age=%d idle=%d flags=N db=%d sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=%s user=default redir=-1 resp=%d lib-name=%s lib-ver=%s",
		c.ID, c.addr, c.laddr, c.name, int(now.Sub(c.created).Seconds()), int(now.Sub(c.lastAt).Seconds()),
		c.db.ID, orNULL(c.lastCmd), c.proto(), c.libName, c.libVer)
}

func orNULL(s string) string {
	if s == "" {
		return "NULL"
	}
	return s
}
