package host

import (
	"errors"
	"strconv"
	"time"

	"modis/host/internal/resp"
)

// MONITOR. A client that runs MONITOR receives, through the push path (see
// output.go), one status line for every command any client runs after it
// ran (its own included), in Redis's format:
//
//	+1700000000.123456 [0 127.0.0.1:50000] "SET" "k" "v"
//
// Commands flagged admin or skip_monitor are not shown (CONFIG, DEBUG,
// CLIENT ..., and EVAL, which shows itself before the commands its script
// runs, with feedMonitors); commands rejected before they run (unknown,
// wrong arity, NOAUTH, OOM) are not shown either. Passwords (AUTH, HELLO
// AUTH, CONFIG SET requirepass) are shown as "(redacted)". A monitoring
// client is a replica to Redis: it may still run commands that do not touch
// the keyspace.

var errMonitorDenyBlocking = errors.New("ERR MONITOR isn't allowed for DENY BLOCKING client")

func monitorCommand() *Command {
	return &Command{Name: "monitor", Arity: 1, Flags: FlagAdmin | FlagNoScript | FlagLoading | FlagStale,
		Group: "server", Handler: cmdMonitor,
		Summary: "Listens for all requests received by the server in real-time.", Since: "1.0.0"}
}

func cmdMonitor(c *Client, _ [][]byte) error {
	if c.multi != nil && c.multi.executing || c.inScript || c.out != resp.Writer(&c.buf) {
		return errMonitorDenyBlocking
	}
	if c.monitor {
		return nil // Redis ignores a second MONITOR, without a reply
	}
	c.enablePush()
	c.monitor = true
	c.srv.monitors = append(c.srv.monitors, c)
	c.out.SimpleString("OK")
	return nil
}

// monitorOff takes c out of MONITOR mode (RESET, disconnect). Lock held.
func (s *Server) monitorOff(c *Client) {
	if !c.monitor {
		return
	}
	c.monitor = false
	for i, m := range s.monitors {
		if m == c {
			s.monitors = append(s.monitors[:i], s.monitors[i+1:]...)
			break
		}
	}
}

// feedMonitors sends c's command line to every monitoring client. EVAL and
// FCALL (skip_monitor) call it themselves before running their script, so
// that the script's commands follow them. Lock held.
func (s *Server) feedMonitors(c *Client, args [][]byte) {
	if len(s.monitors) == 0 {
		return
	}
	line := monitorLine(time.Now(), c, args)
	for _, m := range s.monitors {
		if m.killed {
			continue
		}
		m.pushTo(func(w resp.Writer) { w.SimpleString(line) })
	}
}

// monitorLine formats one MONITOR line (without the '+' and CRLF).
func monitorLine(now time.Time, c *Client, args [][]byte) string {
	b := make([]byte, 0, 64)
	b = strconv.AppendInt(b, now.Unix(), 10)
	b = append(b, '.')
	us := now.Nanosecond() / 1000
	for d := 100000; d > 1 && us < d; d /= 10 {
		b = append(b, '0')
	}
	b = strconv.AppendInt(b, int64(us), 10)
	b = append(b, " ["...)
	b = strconv.AppendInt(b, int64(c.db.ID), 10)
	b = append(b, ' ')
	switch {
	case c.inScript:
		b = append(b, "lua"...)
	case c.conn == nil && c.addr == "":
		b = append(b, "?"...)
	default:
		b = append(b, c.addr...)
	}
	b = append(b, "] "...)
	for i, a := range args {
		if i > 0 {
			b = append(b, ' ')
		}
		if c.isRedacted(i) {
			a = redactedArg
		}
		b = appendRepr(b, a)
	}
	return string(b)
}

var redactedArg = []byte("(redacted)")

// isRedacted reports whether argument i of the current command is hidden.
func (c *Client) isRedacted(i int) bool {
	for _, r := range c.redact {
		if r == i {
			return true
		}
	}
	return false
}

// appendRepr quotes s as Redis's sdscatrepr does: printable bytes as they
// are, \\ \" \n \r \t \a \b escaped, anything else as \xHH.
func appendRepr(b []byte, s []byte) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, ch := range s {
		switch ch {
		case '\\', '"':
			b = append(b, '\\', ch)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\a':
			b = append(b, '\\', 'a')
		case '\b':
			b = append(b, '\\', 'b')
		default:
			if ch >= 0x20 && ch < 0x7f {
				b = append(b, ch)
			} else {
				b = append(b, '\\', 'x', hex[ch>>4], hex[ch&15])
			}
		}
	}
	return append(b, '"')
}
