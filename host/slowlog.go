package host

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"modis/sdk"
)

// SLOWLOG: every command that ran at least slowlog-log-slower-than
// microseconds (0: all, -1: none) is remembered, newest first, up to
// slowlog-max-len entries, as Redis does: an id, the Unix time, the
// duration in microseconds, the arguments (at most 32, the last one then
// saying how many more there were; strings past 128 bytes cut and marked
// "... (N more bytes)"), the client's address and name. Commands flagged
// skip_slowlog (EXEC: its commands are logged one by one) and commands
// that blocked are not logged.

const (
	slowlogMaxArgc   = 32
	slowlogMaxString = 128
)

type slowlogEntry struct {
	id       int64
	time     int64 // Unix seconds
	duration int64 // microseconds
	args     [][]byte
	peer     string
	name     string
}

// slowlog is the server's slow log, newest entry first.
type slowlog struct {
	entries []slowlogEntry
	nextID  int64
}

// slowlogPush records c's command if it was slow enough. Lock held.
func (s *Server) slowlogPush(c *Client, args [][]byte, us int64) {
	if s.cfg.SlowlogLogSlowerThan < 0 || us < s.cfg.SlowlogLogSlowerThan {
		return
	}
	argc := min(len(args), slowlogMaxArgc)
	e := slowlogEntry{
		id:       s.slowlog.nextID,
		time:     time.Now().Unix(),
		duration: us,
		args:     make([][]byte, argc),
		peer:     c.addr,
		name:     c.name,
	}
	if c.inScript && c.conn == nil {
		e.peer = ""
	}
	s.slowlog.nextID++
	for j := 0; j < argc; j++ {
		a := args[j]
		switch {
		case argc != len(args) && j == argc-1:
			e.args[j] = []byte(fmt.Sprintf("... (%d more arguments)", len(args)-argc+1))
		case c.isRedacted(j):
			e.args[j] = redactedArg
		case len(a) > slowlogMaxString:
			b := make([]byte, 0, slowlogMaxString+32)
			b = append(b, a[:slowlogMaxString]...)
			e.args[j] = fmt.Appendf(b, "... (%d more bytes)", len(a)-slowlogMaxString)
		default:
			e.args[j] = append([]byte(nil), a...)
		}
	}
	l := &s.slowlog
	l.entries = append(l.entries, slowlogEntry{})
	copy(l.entries[1:], l.entries)
	l.entries[0] = e
	s.slowlogTrim()
}

// slowlogTrim drops the oldest entries beyond slowlog-max-len.
func (s *Server) slowlogTrim() {
	if max := s.cfg.SlowlogMaxLen; int64(len(s.slowlog.entries)) > max {
		for i := max; i < int64(len(s.slowlog.entries)); i++ {
			s.slowlog.entries[i] = slowlogEntry{}
		}
		s.slowlog.entries = s.slowlog.entries[:max]
	}
}

var errSlowlogCount = errors.New("ERR count should be greater than or equal to -1")

func slowlogCommand() *Command {
	f := FlagAdmin | FlagLoading | FlagStale
	return &Command{
		Name: "slowlog", Arity: -2, Group: "server", Summary: "A container for slow log commands.", Since: "2.2.12",
		Subs: map[string]*Command{
			"get": {Arity: -2, Flags: f, Handler: cmdSlowlogGet,
				Summary: "Returns the slow log's entries.", Since: "2.2.12"},
			"len": {Arity: 2, Flags: f, Handler: func(c *Client, _ [][]byte) error {
				c.out.Int(int64(len(c.srv.slowlog.entries)))
				return nil
			}, Summary: "Returns the number of entries in the slow log.", Since: "2.2.12"},
			"reset": {Arity: 2, Flags: f, Handler: func(c *Client, _ [][]byte) error {
				c.srv.slowlog.entries = nil
				c.out.SimpleString("OK")
				return nil
			}, Summary: "Clears all entries from the slow log.", Since: "2.2.12"},
			"help": {Arity: 2, Flags: FlagLoading | FlagStale, Handler: helpHandler("SLOWLOG",
				"GET [<count>]",
				"    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
				"    Entries are made of:",
				"    id, timestamp, time in microseconds, arguments array, client IP and port,",
				"    client name",
				"LEN",
				"    Return the length of the slowlog.",
				"RESET",
				"    Reset the slowlog.",
			), Summary: "Show helpful text about the different subcommands", Since: "6.2.0"},
		},
	}
}

func cmdSlowlogGet(c *Client, args [][]byte) error {
	if len(args) > 3 {
		return errSubcommandSyntax(args[1], "SLOWLOG")
	}
	entries := c.srv.slowlog.entries
	count := int64(10)
	if len(args) == 3 {
		n, ok := sdk.ParseInt(args[2])
		if !ok || n < -1 {
			return errSlowlogCount
		}
		count = n
		if n == -1 {
			count = int64(len(entries))
		}
	}
	count = min(count, int64(len(entries)))
	w := c.out
	w.Array(int(count))
	for _, e := range entries[:count] {
		w.Array(6)
		w.Int(e.id)
		w.Int(e.time)
		w.Int(e.duration)
		w.Array(len(e.args))
		for _, a := range e.args {
			w.Bulk(a)
		}
		w.BulkString(e.peer)
		w.BulkString(e.name)
	}
	return nil
}

// errSubcommandSyntax is Redis's addReplySubcommandSyntaxError: a known
// subcommand with arguments it does not take.
func errSubcommandSyntax(sub []byte, container string) error {
	return fmt.Errorf("ERR unknown subcommand or wrong number of arguments for '%.128s'. Try %s HELP.", sub, container)
}

// formatUint is strconv.FormatInt for the INFO writers.
func formatInt(n int64) string { return strconv.FormatInt(n, 10) }
