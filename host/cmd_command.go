package host

import (
	"fmt"
	"sort"
	"strings"

	"modis/host/internal/glob"
	"modis/host/internal/resp"
)

// COMMAND and its subcommands answer from the command table, so module
// commands show up exactly like built-ins (with the module flag).

func commandCommand() *Command {
	return &Command{
		Name: "command", Arity: -1, Flags: FlagLoading | FlagStale, Group: "server", Handler: cmdCommandAll,
		Summary: "Returns detailed information about all commands.", Since: "2.8.13",
		Subs: map[string]*Command{
			"count": {Arity: 2, Flags: FlagLoading | FlagStale, Handler: func(c *Client, _ [][]byte) error {
				c.out.Int(int64(c.srv.table.Len()))
				return nil
			}, Summary: "Returns a count of commands.", Since: "2.8.13"},
			"info": {Arity: -2, Flags: FlagLoading | FlagStale, Handler: cmdCommandInfo,
				Summary: "Returns information about one, multiple or all commands.", Since: "2.8.13"},
			"docs": {Arity: -2, Flags: FlagLoading | FlagStale, Handler: cmdCommandDocs,
				Summary: "Returns documentary information about one, multiple or all commands.", Since: "7.0.0"},
			"list": {Arity: -2, Flags: FlagLoading | FlagStale, Handler: cmdCommandList,
				Summary: "Returns a list of command names.", Since: "7.0.0"},
			"getkeys": {Arity: -3, Flags: FlagLoading | FlagStale, Handler: cmdCommandGetkeys,
				Summary: "Extracts the key names from an arbitrary command.", Since: "2.8.13"},
			"help": {Arity: 2, Flags: FlagLoading | FlagStale, Handler: helpHandler("COMMAND",
				"(no subcommand)",
				"    Return details about all Redis commands.",
				"COUNT",
				"    Return the total number of commands in this Redis server.",
				"LIST",
				"    Return a list of all commands in this Redis server.",
				"INFO [<command-name> ...]",
				"    Return details about multiple Redis commands.",
				"DOCS [<command-name> ...]",
				"    Return documentation details about multiple Redis commands.",
				"GETKEYS <full-command>",
				"    Return the keys from a full Redis command.",
			), Summary: "Returns helpful text about the different subcommands.", Since: "5.0.0"},
		},
	}
}

func cmdCommandAll(c *Client, args [][]byte) error {
	if len(args) > 1 {
		return errUnknownSubcommand(string(args[1]), "COMMAND")
	}
	cmds := c.srv.table.Sorted()
	c.out.Array(len(cmds))
	for _, cmd := range cmds {
		writeCommandInfo(c.out, cmd)
	}
	return nil
}

// findCommand resolves "get" or "config|get" to a table entry.
func (t *Table) findCommand(name string) *Command {
	name = strings.ToLower(name)
	parent, sub, isSub := strings.Cut(name, "|")
	cmd := t.cmds[parent]
	if cmd == nil || !isSub {
		return cmd
	}
	return cmd.Subs[sub]
}

func cmdCommandInfo(c *Client, args [][]byte) error {
	if len(args) == 2 {
		return cmdCommandAll(c, args[:1])
	}
	c.out.Array(len(args) - 2)
	for _, a := range args[2:] {
		if cmd := c.srv.table.findCommand(string(a)); cmd != nil {
			writeCommandInfo(c.out, cmd)
		} else {
			c.out.NullArray()
		}
	}
	return nil
}

func sortedSubs(cmd *Command) []*Command {
	subs := make([]*Command, 0, len(cmd.Subs))
	for _, s := range cmd.Subs {
		subs = append(subs, s)
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].Name < subs[j].Name })
	return subs
}

// writeCommandInfo writes Redis 7's ten-element command description.
func writeCommandInfo(w resp.Writer, cmd *Command) {
	w.Array(10)
	w.BulkString(cmd.Name)
	w.Int(int64(cmd.Arity))
	flags := cmd.Flags.Names()
	w.Set(len(flags))
	for _, f := range flags {
		w.SimpleString(f)
	}
	w.Int(int64(cmd.FirstKey))
	w.Int(int64(cmd.LastKey))
	w.Int(int64(cmd.Step))
	cats := cmd.aclCategories()
	w.Set(len(cats))
	for _, cat := range cats {
		w.SimpleString(cat)
	}
	w.Set(0) // tips
	writeKeySpecs(w, cmd)
	subs := sortedSubs(cmd)
	w.Array(len(subs))
	for _, s := range subs {
		writeCommandInfo(w, s)
	}
}

// writeKeySpecs derives a Redis 7 key specification from the legacy
// first/last/step positions.
func writeKeySpecs(w resp.Writer, cmd *Command) {
	if cmd.FirstKey <= 0 {
		w.Array(0)
		return
	}
	w.Array(1)
	var flags []string
	switch {
	case cmd.Flags&FlagWrite != 0:
		flags = []string{"RW", "UPDATE"}
	default:
		flags = []string{"RO", "ACCESS"}
	}
	w.Map(3)
	w.BulkString("flags")
	w.Set(len(flags))
	for _, f := range flags {
		w.SimpleString(f)
	}
	w.BulkString("begin_search")
	w.Map(2)
	w.BulkString("type")
	w.BulkString("index")
	w.BulkString("spec")
	w.Map(1)
	w.BulkString("index")
	w.Int(int64(cmd.FirstKey))
	w.BulkString("find_keys")
	w.Map(2)
	w.BulkString("type")
	w.BulkString("range")
	w.BulkString("spec")
	w.Map(3)
	last := cmd.LastKey
	if last > 0 {
		last -= cmd.FirstKey
	}
	w.BulkString("lastkey")
	w.Int(int64(last))
	w.BulkString("keystep")
	w.Int(int64(cmd.Step))
	w.BulkString("limit")
	w.Int(0)
}

func cmdCommandDocs(c *Client, args [][]byte) error {
	var cmds []*Command
	if len(args) == 2 {
		cmds = c.srv.table.Sorted()
	} else {
		for _, a := range args[2:] {
			if cmd := c.srv.table.findCommand(string(a)); cmd != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	c.out.Map(len(cmds))
	for _, cmd := range cmds {
		c.out.BulkString(cmd.Name)
		writeCommandDocs(c.out, cmd)
	}
	return nil
}

func writeCommandDocs(w resp.Writer, cmd *Command) {
	n := 3
	if cmd.Module != nil {
		n++
	}
	if len(cmd.Subs) > 0 {
		n++
	}
	w.Map(n)
	w.BulkString("summary")
	w.BulkString(cmd.Summary)
	w.BulkString("since")
	since := cmd.Since
	if since == "" {
		since = "1.0.0"
		if cmd.Module != nil {
			since = fmt.Sprintf("%d", cmd.Module.Version)
		}
	}
	w.BulkString(since)
	w.BulkString("group")
	w.BulkString(cmd.Group)
	if cmd.Module != nil {
		w.BulkString("module")
		w.BulkString(cmd.Module.Name)
	}
	if len(cmd.Subs) > 0 {
		w.BulkString("subcommands")
		subs := sortedSubs(cmd)
		w.Map(len(subs))
		for _, s := range subs {
			w.BulkString(s.Name)
			writeCommandDocs(w, s)
		}
	}
}

func cmdCommandList(c *Client, args [][]byte) error {
	var filter func(cmd *Command) bool
	switch {
	case len(args) == 2:
	case len(args) == 5 && strings.EqualFold(string(args[2]), "FILTERBY"):
		val := string(args[4])
		switch strings.ToUpper(string(args[3])) {
		case "MODULE":
			filter = func(cmd *Command) bool { return cmd.Module != nil && cmd.Module.Name == val }
		case "ACLCAT":
			filter = func(cmd *Command) bool {
				for _, cat := range cmd.aclCategories() {
					if strings.EqualFold(cat[1:], val) {
						return true
					}
				}
				return false
			}
		case "PATTERN":
			filter = func(cmd *Command) bool { return glob.Match(val, cmd.Name, true) }
		default:
			return ErrSyntax
		}
	default:
		return ErrSyntax
	}
	var names []string
	for _, cmd := range c.srv.table.Sorted() {
		if filter == nil || filter(cmd) {
			names = append(names, cmd.Name)
		}
		for _, s := range sortedSubs(cmd) {
			if filter != nil && filter(s) {
				names = append(names, s.Name)
			}
		}
	}
	c.out.Array(len(names))
	for _, n := range names {
		c.out.BulkString(n)
	}
	return nil
}

func cmdCommandGetkeys(c *Client, args [][]byte) error {
	line := args[2:]
	cmd, err := c.resolve(line)
	if err != nil {
		if strings.Contains(err.Error(), "unknown command") {
			return fmt.Errorf("ERR Invalid command specified")
		}
		return fmt.Errorf("ERR Invalid number of arguments specified for command")
	}
	keys := commandKeys(cmd, line)
	if len(keys) == 0 {
		return fmt.Errorf("ERR The command has no key arguments")
	}
	c.out.Array(len(keys))
	for _, k := range keys {
		c.out.Bulk(k)
	}
	return nil
}

// commandKeys returns the key arguments of a command line from its key
// positions.
func commandKeys(cmd *Command, args [][]byte) [][]byte {
	if cmd.FirstKey <= 0 || cmd.Step <= 0 {
		return nil
	}
	last := cmd.LastKey
	if last < 0 {
		last = len(args) + last
	}
	var keys [][]byte
	for i := cmd.FirstKey; i <= last && i < len(args); i += cmd.Step {
		keys = append(keys, args[i])
	}
	return keys
}
