package host

import (
	"fmt"
	"sort"
	"strings"
)

// Flag is a command flag, as COMMAND reports it.
type Flag uint32

// Command flags. Their names are Redis 7's COMMAND flag words.
const (
	FlagWrite Flag = 1 << iota
	FlagReadonly
	FlagDenyOOM
	FlagModule
	FlagAdmin
	FlagPubSub
	FlagNoScript
	FlagBlocking
	FlagLoading
	FlagStale
	FlagSkipMonitor
	FlagSkipSlowlog
	FlagFast
	FlagNoAuth
	FlagMayReplicate
	FlagNoMandatoryKeys
	FlagMovableKeys
	FlagAllowBusy
	FlagNoMulti
	FlagNoAsyncLoading
)

var flagNames = []struct {
	f    Flag
	name string
}{
	{FlagWrite, "write"}, {FlagReadonly, "readonly"}, {FlagDenyOOM, "denyoom"},
	{FlagModule, "module"}, {FlagAdmin, "admin"}, {FlagPubSub, "pubsub"},
	{FlagNoScript, "noscript"}, {FlagBlocking, "blocking"}, {FlagLoading, "loading"},
	{FlagStale, "stale"}, {FlagSkipMonitor, "skip_monitor"}, {FlagSkipSlowlog, "skip_slowlog"},
	{FlagFast, "fast"}, {FlagNoAuth, "no_auth"}, {FlagMayReplicate, "may_replicate"},
	{FlagNoMandatoryKeys, "no_mandatory_keys"}, {FlagNoAsyncLoading, "no_async_loading"},
	{FlagNoMulti, "no_multi"}, {FlagMovableKeys, "movablekeys"}, {FlagAllowBusy, "allow_busy"},
}

// Names lists the flag words set in f, in Redis's order.
func (f Flag) Names() []string {
	var out []string
	for _, n := range flagNames {
		if f&n.f != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

// moduleFlagWords maps RedisModule_CreateCommand's flag words to flags. A
// word that maps to 0 is accepted and has no COMMAND flag (as in Redis).
var moduleFlagWords = map[string]Flag{
	"write": FlagWrite, "readonly": FlagReadonly, "admin": FlagAdmin,
	"deny-oom": FlagDenyOOM, "deny-script": FlagNoScript, "allow-loading": FlagLoading,
	"pubsub": FlagPubSub, "random": 0, "allow-stale": FlagStale,
	"no-monitor": FlagSkipMonitor, "no-slowlog": FlagSkipSlowlog, "fast": FlagFast,
	"getkeys-api": FlagMovableKeys, "no-cluster": 0, "no-auth": FlagNoAuth,
	"may-replicate": FlagMayReplicate, "no-mandatory-keys": FlagNoMandatoryKeys,
	"blocking": FlagBlocking, "allow-busy": FlagAllowBusy, "getchannels-api": 0,
}

// parseModuleFlags turns a CreateCommand flags string into flags.
func parseModuleFlags(s string) (Flag, error) {
	var f Flag
	for _, w := range strings.Fields(s) {
		fl, ok := moduleFlagWords[strings.ToLower(w)]
		if !ok {
			words := make([]string, 0, len(moduleFlagWords))
			for k := range moduleFlagWords {
				words = append(words, k)
			}
			sort.Strings(words)
			return 0, fmt.Errorf("unknown command flag %q (known flags: %s)", w, strings.Join(words, " "))
		}
		f |= fl
	}
	return f | FlagModule, nil
}

// HandlerFunc runs a command. args[0] is the command name as the client sent
// it; args are valid only until the handler returns. A returned error is
// written as the reply (the handler must not have written one).
type HandlerFunc func(c *Client, args [][]byte) error

// Command is one entry of the command table: built-in and module commands
// alike.
type Command struct {
	Name     string // lower case; "parent|sub" for subcommands
	Arity    int    // >0 exact, <0 at least -Arity
	Flags    Flag
	FirstKey int
	LastKey  int
	Step     int
	Group    string // COMMAND DOCS group: string, hash, generic, server, ...
	Summary  string
	Since    string
	ACL      string // extra ACL categories ("@dangerous @keyspace"), beyond those the flags and group give
	Handler  HandlerFunc
	Module   *Module             // nil for built-ins
	Subs     map[string]*Command // subcommands of a container (CONFIG, CLIENT, ...)
	// GetKeys, if set, finds the keys of a command line whose key positions
	// depend on its arguments (movablekeys: EVAL's and FCALL's numkeys).
	GetKeys func(args [][]byte) [][]byte
	// mod is what only module commands carry: handler, command info, key
	// specifications, ACL categories (mod_cmdinfo.go).
	mod *moduleCmd

	calls int64 // guarded by the execution lock
	usec  int64
}

// aclOrder is Redis's order of ACL categories, the order COMMAND lists them.
var aclOrder = []string{"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string",
	"bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking",
	"dangerous", "connection", "transaction", "scripting"}

// aclCategories derives a command's ACL categories from its flags and group,
// plus its explicit ACL list, in Redis's order.
func (c *Command) aclCategories() []string {
	if c.Module != nil { // only those SetCommandACLCategories gave, as in Redis
		return c.moduleACLCategories()
	}
	on := map[string]bool{}
	if c.Flags&FlagWrite != 0 {
		on["write"] = true
	}
	if c.Flags&FlagReadonly != 0 {
		on["read"] = true
	}
	group := c.Group
	if c.Subs != nil {
		group = "" // a container (CONFIG, SCRIPT, ...) is only @slow
	}
	switch group {
	case "string", "hash", "list", "set", "pubsub", "connection", "bitmap", "hyperloglog", "scripting", "geo", "stream":
		on[group] = true
	case "sorted-set":
		on["sortedset"] = true
	case "transactions":
		on["transaction"] = true
	case "generic":
		on["keyspace"] = true
	}
	if c.Flags&FlagAdmin != 0 {
		on["admin"] = true
		on["dangerous"] = true
	}
	if c.Flags&FlagFast != 0 {
		on["fast"] = true
	} else {
		on["slow"] = true
	}
	if c.Flags&FlagBlocking != 0 {
		on["blocking"] = true
	}
	for _, a := range strings.Fields(c.ACL) {
		on[strings.TrimPrefix(a, "@")] = true
	}
	var cats []string
	for _, name := range aclOrder {
		if on[name] {
			cats = append(cats, "@"+name)
		}
	}
	return cats
}

// Table is the one command table. It is read and changed under the
// execution lock.
type Table struct {
	cmds map[string]*Command
}

func newTable() *Table { return &Table{cmds: map[string]*Command{}} }

// Add registers c. A duplicate name is an error naming the owner.
func (t *Table) Add(c *Command) error {
	c.Name = strings.ToLower(c.Name)
	if old, ok := t.cmds[c.Name]; ok {
		owner := "a built-in command"
		if old.Module != nil {
			owner = fmt.Sprintf("a command of module %q", old.Module.Name)
		}
		return fmt.Errorf("command %q already exists: it is %s", c.Name, owner)
	}
	for name, sub := range c.Subs {
		sub.Name = c.Name + "|" + strings.ToLower(name)
		if sub.Group == "" {
			sub.Group = c.Group
		}
	}
	t.cmds[c.Name] = c
	return nil
}

// mustAdd registers built-ins; a duplicate is a programming error.
func (t *Table) mustAdd(cmds ...*Command) {
	for _, c := range cmds {
		if err := t.Add(c); err != nil {
			panic(err)
		}
	}
}

// Remove unregisters the command with that name.
func (t *Table) Remove(name string) { delete(t.cmds, strings.ToLower(name)) }

// Get finds a command by its lower-case name.
func (t *Table) Get(name string) *Command { return t.cmds[name] }

// lookup finds a command by a client-supplied name, in any case, without
// allocating for names already in lower case.
func (t *Table) lookup(name []byte, scratch *[]byte) *Command {
	if c, ok := t.cmds[string(name)]; ok {
		return c
	}
	b := (*scratch)[:0]
	for _, ch := range name {
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		b = append(b, ch)
	}
	*scratch = b
	return t.cmds[string(b)]
}

// Sorted returns every top-level command, sorted by name.
func (t *Table) Sorted() []*Command {
	out := make([]*Command, 0, len(t.cmds))
	for _, c := range t.cmds {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Len returns the number of top-level commands.
func (t *Table) Len() int { return len(t.cmds) }

// arityOK checks n arguments (the name included) against arity.
func arityOK(arity, n int) bool {
	if arity >= 0 {
		return n == arity
	}
	return n >= -arity
}
