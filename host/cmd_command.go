package host

import (
	"fmt"
	"sort"
	"strings"

	"modis/host/internal/cmdmeta"
	"modis/host/internal/glob"
	"modis/host/internal/resp"
)

// COMMAND and its subcommands answer from the command table, so module
// commands show up exactly like built-ins (with the module flag). A
// built-in that Redis 7.0.15 also has is described with Redis's own
// metadata (host/internal/cmdmeta): its ACL categories, tips, key
// specifications and documentation (arguments, complexity, history...) are
// Redis's, while its name, arity, flags and first/last/step come from the
// table, which says what Modis does. Module commands, and the few built-ins
// Redis 7.0.15 lacks (CLIENT SETINFO), are described from the table alone.

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
			"getkeys": {Arity: -4, Flags: FlagLoading | FlagStale, Handler: func(c *Client, args [][]byte) error {
				return getKeysReply(c, args[2:], false)
			}, Summary: "Extracts the key names from an arbitrary command.", Since: "2.8.13"},
			"getkeysandflags": {Arity: -4, Flags: FlagLoading | FlagStale, Handler: func(c *Client, args [][]byte) error {
				return getKeysReply(c, args[2:], true)
			}, Summary: "Extracts the key names and access flags for an arbitrary command.", Since: "7.0.0"},
			"help": {Arity: 2, Flags: FlagLoading | FlagStale, Handler: helpHandler("COMMAND",
				"(no subcommand)",
				"    Return details about all Redis commands.",
				"COUNT",
				"    Return the total number of commands in this Redis server.",
				"LIST",
				"    Return a list of all commands in this Redis server.",
				"INFO [<command-name> ...]",
				"    Return details about multiple Redis commands.",
				"    If no command names are given, documentation details for all",
				"    commands are returned.",
				"DOCS [<command-name> ...]",
				"    Return documentation details about multiple Redis commands.",
				"    If no command names are given, documentation details for all",
				"    commands are returned.",
				"GETKEYS <full-command>",
				"    Return the keys from a full Redis command.",
				"GETKEYSANDFLAGS <full-command>",
				"    Return the keys and the access flags from a full Redis command.",
			), Summary: "Returns helpful text about the different subcommands.", Since: "5.0.0"},
		},
	}
}

// redisMeta returns Redis 7.0.15's metadata for a built-in command or
// subcommand, or nil for module commands and built-ins Redis lacks.
func redisMeta(cmd *Command) *cmdmeta.Command {
	if cmd.Module != nil {
		return nil
	}
	return cmdmeta.Lookup(cmd.Name)
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

// findCommand resolves "get" or "config|get" to a table entry, as Redis's
// lookupCommandBySds: one level of subcommands, and a command without
// subcommands has none ("get|x" is nothing).
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
			c.out.Null()
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
	meta := redisMeta(cmd)
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
	if meta != nil {
		meta.InfoField(cmdmeta.InfoACLCategories).WriteTo(w)
		meta.InfoField(cmdmeta.InfoTips).WriteTo(w)
		meta.InfoField(cmdmeta.InfoKeySpecs).WriteTo(w)
	} else {
		cats := cmd.aclCategories()
		w.Set(len(cats))
		for _, cat := range cats {
			w.SimpleString(cat)
		}
		writeModuleTips(w, cmd) // a module's tips (mod_cmdinfo.go); none for built-ins
		writeKeySpecs(w, legacyKeySpecs(cmd))
	}
	// Redis answers an empty set for no subcommands, an array otherwise.
	subs := sortedSubs(cmd)
	if len(subs) == 0 {
		w.Set(0)
		return
	}
	w.Array(len(subs))
	for _, s := range subs {
		writeCommandInfo(w, s)
	}
}

// commandACLCategories returns a command's ACL categories: Redis's for the
// built-ins it has, derived from flags and group for the others.
func commandACLCategories(cmd *Command) []string {
	if meta := redisMeta(cmd); meta != nil {
		return meta.ACLCategories()
	}
	return cmd.aclCategories()
}

// legacyKeySpecs is the key specification of a command that has no Redis
// metadata, made from its first/last/step positions as Redis does for
// module commands.
func legacyKeySpecs(cmd *Command) []cmdmeta.KeySpec {
	if cmd.mod != nil { // a module command's own (mod_cmdinfo.go)
		return cmd.mod.keySpecs
	}
	if cmd.FirstKey <= 0 {
		return nil
	}
	flags := cmdmeta.KeyRO | cmdmeta.KeyAccess
	if cmd.Flags&FlagWrite != 0 {
		flags = cmdmeta.KeyRW | cmdmeta.KeyUpdate
	}
	last := cmd.LastKey
	if last >= 0 {
		last -= cmd.FirstKey
	}
	return []cmdmeta.KeySpec{{
		Flags:       flags,
		BeginSearch: cmdmeta.SearchIndex, Index: cmd.FirstKey,
		FindKeys: cmdmeta.FindRange, LastKey: last, KeyStep: cmd.Step,
	}}
}

// writeKeySpecs writes key specifications as COMMAND INFO does.
func writeKeySpecs(w resp.Writer, specs []cmdmeta.KeySpec) {
	w.Set(len(specs))
	for _, s := range specs {
		if s.Notes != "" {
			w.Map(4)
			w.BulkString("notes")
			w.BulkString(s.Notes)
		} else {
			w.Map(3)
		}
		w.BulkString("flags")
		flags := s.Flags.Names()
		w.Set(len(flags))
		for _, f := range flags {
			w.SimpleString(f)
		}
		w.BulkString("begin_search")
		w.Map(2)
		w.BulkString("type")
		w.BulkString(s.BeginSearch)
		w.BulkString("spec")
		switch s.BeginSearch {
		case cmdmeta.SearchIndex:
			w.Map(1)
			w.BulkString("index")
			w.Int(int64(s.Index))
		case cmdmeta.SearchKeyword:
			w.Map(2)
			w.BulkString("keyword")
			w.BulkString(s.Keyword)
			w.BulkString("startfrom")
			w.Int(int64(s.StartFrom))
		default:
			w.Map(0)
		}
		w.BulkString("find_keys")
		w.Map(2)
		w.BulkString("type")
		w.BulkString(s.FindKeys)
		w.BulkString("spec")
		switch s.FindKeys {
		case cmdmeta.FindRange:
			w.Map(3)
			w.BulkString("lastkey")
			w.Int(int64(s.LastKey))
			w.BulkString("keystep")
			w.Int(int64(s.KeyStep))
			w.BulkString("limit")
			w.Int(int64(s.Limit))
		case cmdmeta.FindKeynum:
			w.Map(3)
			w.BulkString("keynumidx")
			w.Int(int64(s.KeyNumIdx))
			w.BulkString("firstkey")
			w.Int(int64(s.FirstKey))
			w.BulkString("keystep")
			w.Int(int64(s.KeyStep))
		default:
			w.Map(0)
		}
	}
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

// writeCommandDocs writes a command's COMMAND DOCS entry: Redis's for the
// built-ins it has (with only the subcommands Modis has), derived from the
// table for the others.
func writeCommandDocs(w resp.Writer, cmd *Command) {
	meta := redisMeta(cmd)
	if meta == nil || meta.Docs == nil {
		writeDerivedDocs(w, cmd)
		return
	}
	subs := sortedSubs(cmd)
	fields := meta.Docs.Elems
	n := 0
	for i := 0; i+1 < len(fields); i += 2 {
		if string(fields[i].Str) != "subcommands" {
			n++
		}
	}
	if len(subs) > 0 {
		n++
	}
	w.Map(n)
	wroteSubs := false
	for i := 0; i+1 < len(fields); i += 2 {
		if string(fields[i].Str) == "subcommands" {
			if len(subs) > 0 {
				writeSubcommandDocs(w, subs)
				wroteSubs = true
			}
			continue
		}
		fields[i].WriteTo(w)
		fields[i+1].WriteTo(w)
	}
	if len(subs) > 0 && !wroteSubs {
		writeSubcommandDocs(w, subs)
	}
}

func writeSubcommandDocs(w resp.Writer, subs []*Command) {
	w.BulkString("subcommands")
	w.Map(len(subs))
	for _, s := range subs {
		w.BulkString(s.Name)
		writeCommandDocs(w, s)
	}
}

// writeDerivedDocs describes a command from the table: summary, since,
// group, the module that registered it, subcommands.
func writeDerivedDocs(w resp.Writer, cmd *Command) {
	if cmd.Module != nil { // only what the module set, as Redis (mod_cmdinfo.go)
		writeModuleDocs(w, cmd)
		return
	}
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
		writeSubcommandDocs(w, sortedSubs(cmd))
	}
}

// cmdCommandList is COMMAND LIST [FILTERBY MODULE name|ACLCAT cat|PATTERN
// pattern]: the names of the commands and subcommands that pass the filter.
func cmdCommandList(c *Client, args [][]byte) error {
	var filter func(cmd *Command) bool
	switch {
	case len(args) == 2:
	case len(args) == 5 && strings.EqualFold(string(args[2]), "FILTERBY"):
		val := string(args[4])
		switch strings.ToUpper(string(args[3])) {
		case "MODULE":
			filter = func(cmd *Command) bool { return cmd.Module != nil && strings.EqualFold(cmd.Module.Name, val) }
		case "ACLCAT":
			filter = func(cmd *Command) bool {
				for _, cat := range commandACLCategories(cmd) {
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
			if filter == nil || filter(s) {
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

// getKeysReply is COMMAND GETKEYS and GETKEYSANDFLAGS, as Redis 7.0's
// getKeysSubcommandImpl: the command is looked up (a container's
// subcommand too), then it must have keys, then the arity must fit.
func getKeysReply(c *Client, line [][]byte, withFlags bool) error {
	cmd := c.srv.table.lookup(line[0], &c.scratch)
	if cmd != nil && cmd.Subs != nil && len(line) > 1 {
		cmd = cmd.Subs[strings.ToLower(string(line[1]))]
	}
	switch {
	case cmd == nil:
		return errInvalidCommandSpecified
	case !commandHasKeys(cmd):
		return errNoKeyArguments
	case !arityOK(cmd.Arity, len(line)):
		return errGetkeysArity
	}
	keys := findKeys(cmd, line)
	if len(keys) == 0 {
		if cmd.Flags&FlagNoMandatoryKeys == 0 {
			return errGetkeysInvalidArgs
		}
	}
	c.out.Array(len(keys))
	for _, k := range keys {
		if withFlags {
			c.out.Array(2)
		}
		c.out.Bulk(line[k.Pos])
		if withFlags {
			flags := k.Flags.Names()
			c.out.Set(len(flags))
			for _, f := range flags {
				c.out.SimpleString(f)
			}
		}
	}
	return nil
}

// commandHasKeys is Redis's doesCommandHaveKeys: a key finder of its own,
// or a key specification that is not marked not_key.
func commandHasKeys(cmd *Command) bool {
	if meta := redisMeta(cmd); meta != nil {
		return redisGetKeys[cmd.Name] != nil || meta.HasKeys()
	}
	if cmd.mod != nil { // mod_cmdinfo.go
		return cmd.mod.hasKeys()
	}
	if cmd.GetKeys != nil || cmd.Module != nil && cmd.Flags&FlagMovableKeys != 0 {
		return true
	}
	return cmd.FirstKey > 0
}

// findKeys finds the keys of a command line and their flags, as Redis's
// getKeysFromCommandWithSpecs: the key specifications when they can tell
// (no unknown, incomplete or variable-flags specification), else the
// command's own key finder.
func findKeys(cmd *Command, args [][]byte) []cmdmeta.KeyRef {
	meta := redisMeta(cmd)
	if meta == nil {
		if cmd.mod != nil { // key specs or the module's getkeys-api (mod_cmdinfo.go)
			return cmd.mod.findKeys(cmd, args)
		}
		if cmd.GetKeys != nil {
			return keyRefs(cmd, args, cmd.GetKeys(args))
		}
		keys, _ := cmdmeta.KeysFromSpecs(legacyKeySpecs(cmd), args)
		return keys
	}
	if meta.HasKeys() && meta.AllKeyFlags()&cmdmeta.KeyVariableFlags == 0 {
		if keys, ok := meta.KeysFromSpecs(args); ok {
			return keys
		}
	}
	if proc := redisGetKeys[cmd.Name]; proc != nil {
		return proc(args)
	}
	if cmd.GetKeys != nil {
		return keyRefs(cmd, args, cmd.GetKeys(args))
	}
	return nil
}

// keyRefs finds the positions of the keys a Command.GetKeys returned (they
// are sub-slices of args), flagged as the table's key specification says.
func keyRefs(cmd *Command, args, keys [][]byte) []cmdmeta.KeyRef {
	flags := cmdmeta.KeyRO | cmdmeta.KeyAccess
	if cmd.Flags&FlagWrite != 0 {
		flags = cmdmeta.KeyRW | cmdmeta.KeyUpdate
	}
	refs := make([]cmdmeta.KeyRef, 0, len(keys))
	next := 1
	for _, k := range keys {
		pos := -1
		for i := next; i < len(args); i++ {
			if len(args[i]) == len(k) && (len(k) == 0 || &args[i][0] == &k[0]) {
				pos = i
				break
			}
		}
		if pos < 0 { // not one of args: look for an equal argument
			for i := 1; i < len(args); i++ {
				if string(args[i]) == string(k) {
					pos = i
					break
				}
			}
		}
		if pos < 0 {
			continue
		}
		refs = append(refs, cmdmeta.KeyRef{Pos: pos, Flags: flags})
		next = pos + 1
	}
	return refs
}

// commandKeys returns the key arguments of a command line (for client-side
// caching), found as COMMAND GETKEYS finds them.
func commandKeys(cmd *Command, args [][]byte) [][]byte {
	refs := findKeys(cmd, args)
	if len(refs) == 0 {
		return nil
	}
	keys := make([][]byte, len(refs))
	for i, r := range refs {
		keys[i] = args[r.Pos]
	}
	return keys
}

// redisGetKeys are Redis 7.0's own key finders (getkeys_proc) for the
// built-ins Modis has: what Redis resorts to when a command's key
// specifications cannot tell.
var redisGetKeys = map[string]func(args [][]byte) []cmdmeta.KeyRef{
	"eval":        numkeysGetKeys(0, 2, 3),
	"evalsha":     numkeysGetKeys(0, 2, 3),
	"eval_ro":     numkeysGetKeys(0, 2, 3),
	"evalsha_ro":  numkeysGetKeys(0, 2, 3),
	"fcall":       numkeysGetKeys(0, 2, 3),
	"fcall_ro":    numkeysGetKeys(0, 2, 3),
	"sintercard":  numkeysGetKeys(0, 1, 2),
	"zunion":      numkeysGetKeys(0, 1, 2),
	"zinter":      numkeysGetKeys(0, 1, 2),
	"zdiff":       numkeysGetKeys(0, 1, 2),
	"zintercard":  numkeysGetKeys(0, 1, 2),
	"zunionstore": numkeysGetKeys(1, 2, 3),
	"zinterstore": numkeysGetKeys(1, 2, 3),
	"zdiffstore":  numkeysGetKeys(1, 2, 3),
	"lmpop":       numkeysGetKeys(0, 1, 2),
	"blmpop":      numkeysGetKeys(0, 2, 3),
	"zmpop":       numkeysGetKeys(0, 1, 2),
	"bzmpop":      numkeysGetKeys(0, 2, 3),
	"sort":        sortGetKeys,
	"sort_ro":     sortROGetKeys,
	"set":         setGetKeys,
	"bitfield":    bitfieldGetKeys,
}

// numkeysGetKeys finds the keys of "CMD [destkey] numkeys key ..." as
// Redis's genericGetKeys: numkeys read as C's atoi, no keys unless 1 <=
// numkeys <= the arguments left, the destination key last, no flags.
func numkeysGetKeys(storeIdx, countIdx, firstIdx int) func(args [][]byte) []cmdmeta.KeyRef {
	return func(args [][]byte) []cmdmeta.KeyRef {
		if countIdx >= len(args) {
			return nil
		}
		n := cAtoi(args[countIdx])
		if n < 1 || n > len(args)-firstIdx {
			return nil
		}
		keys := make([]cmdmeta.KeyRef, 0, n+1)
		for i := 0; i < n; i++ {
			keys = append(keys, cmdmeta.KeyRef{Pos: firstIdx + i})
		}
		if storeIdx > 0 {
			keys = append(keys, cmdmeta.KeyRef{Pos: storeIdx})
		}
		return keys
	}
}

// cAtoi is C's atoi: leading white space, a sign, digits up to the first
// other byte; the result wraps to 32 bits.
func cAtoi(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] >= '\t' && b[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	var n int64
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if n < 1<<62 {
			n = n*10 + int64(b[i]-'0')
		}
	}
	if neg {
		n = -n
	}
	return int(int32(n))
}

// sortGetKeys is Redis's: the sorted key, and the destination of the last
// STORE, skipping the arguments of LIMIT, GET and BY.
func sortGetKeys(args [][]byte) []cmdmeta.KeyRef {
	keys := []cmdmeta.KeyRef{{Pos: 1, Flags: cmdmeta.KeyRO | cmdmeta.KeyAccess}}
	store := 0
	for i := 2; i < len(args); i++ {
		a := string(args[i])
		switch {
		case strings.EqualFold(a, "limit"):
			i += 2
		case strings.EqualFold(a, "get"), strings.EqualFold(a, "by"):
			i++
		case strings.EqualFold(a, "store") && i+1 < len(args):
			store = i + 1
		}
	}
	if store > 0 {
		keys = append(keys, cmdmeta.KeyRef{Pos: store, Flags: cmdmeta.KeyOW | cmdmeta.KeyUpdate})
	}
	return keys
}

// sortROGetKeys is Redis's: the sorted key.
func sortROGetKeys([][]byte) []cmdmeta.KeyRef {
	return []cmdmeta.KeyRef{{Pos: 1, Flags: cmdmeta.KeyRO | cmdmeta.KeyAccess}}
}

// setGetKeys is Redis's: the key, read and written with GET, overwritten
// without.
func setGetKeys(args [][]byte) []cmdmeta.KeyRef {
	for _, a := range args[min(3, len(args)):] {
		if strings.EqualFold(string(a), "get") {
			return []cmdmeta.KeyRef{{Pos: 1, Flags: cmdmeta.KeyRW | cmdmeta.KeyAccess | cmdmeta.KeyUpdate}}
		}
	}
	return []cmdmeta.KeyRef{{Pos: 1, Flags: cmdmeta.KeyOW | cmdmeta.KeyUpdate}}
}

// bitfieldGetKeys is Redis's: the key, read-only when every subcommand is a
// complete GET or OVERFLOW.
func bitfieldGetKeys(args [][]byte) []cmdmeta.KeyRef {
	readonly := true
	for i := 2; i < len(args); i++ {
		left := len(args) - i - 1
		a := string(args[i])
		if strings.EqualFold(a, "get") && left >= 2 {
			i += 2
		} else if (strings.EqualFold(a, "set") || strings.EqualFold(a, "incrby")) && left >= 3 {
			readonly = false
			break
		} else if strings.EqualFold(a, "overflow") && left >= 1 {
			i++
		} else {
			readonly = false // a syntax error: assume a write
			break
		}
	}
	if readonly {
		return []cmdmeta.KeyRef{{Pos: 1, Flags: cmdmeta.KeyRO | cmdmeta.KeyAccess}}
	}
	return []cmdmeta.KeyRef{{Pos: 1, Flags: cmdmeta.KeyRW | cmdmeta.KeyAccess | cmdmeta.KeyUpdate}}
}
