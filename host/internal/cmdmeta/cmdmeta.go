// Package cmdmeta is Redis's command metadata: the key specifications,
// command tips, ACL categories, arguments, complexity and history of every
// command, as redis-server 7.0.15 reports them through COMMAND INFO and
// COMMAND DOCS. COMMAND, COMMAND INFO and COMMAND DOCS replay it for the
// built-in commands Modis has, so tools that build their help and hints from
// it (redis-cli, RedisInsight) see what Redis 7.0.15 would tell them.
//
// The data is commands.resp, embedded in the binary: a RESP3 stream made of
// the Redis version as a bulk string, then, for each top-level command in
// name order, its name (a bulk string), its COMMAND INFO entry and its
// COMMAND DOCS entry, byte for byte as Redis sent them in RESP3, except that
// subcommands are sorted by name (Redis lists them in hash table order).
// Subcommands ("config|get") live inside their container's entries. To
// regenerate it, with Debian's redis-server 7.0.15 installed, run from the
// module root:
//
//	go run ./host/internal/cmdmeta/gen     (or: go generate ./host/internal/cmdmeta)
//
// (it starts its own redis-server on a free loopback port; -addr uses a
// running one). Nothing is parsed at startup: the first lookup indexes the
// file, and each command's entries are parsed into resp.Value trees the
// first time they are asked for, once.
package cmdmeta

//go:generate go run ./gen

import (
	_ "embed"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"modis/host/internal/resp"
)

//go:embed commands.resp
var data []byte

// Command is the metadata of one command or subcommand.
type Command struct {
	// Name is the lower-case full name: "get", "config|get".
	Name string
	// Info is the command's COMMAND INFO entry, a RESP3 array of ten:
	// name, arity, flags, first key, last key, step, ACL categories, tips,
	// key specifications, subcommands.
	Info *resp.Value
	// Docs is the command's COMMAND DOCS entry, a RESP3 map (summary,
	// since, group, complexity, doc_flags, deprecated_since, replaced_by,
	// history, arguments, subcommands; only those Redis has for it).
	Docs *resp.Value
	// Parent is the container of a subcommand, nil for a top-level
	// command.
	Parent *Command

	subs     map[string]*Command
	keySpecs []KeySpec
	specErr  error // a key specification this package cannot read
}

// The elements of a COMMAND INFO entry.
const (
	InfoName = iota
	InfoArity
	InfoFlags
	InfoFirstKey
	InfoLastKey
	InfoStep
	InfoACLCategories
	InfoTips
	InfoKeySpecs
	InfoSubcommands
)

// Sub returns the subcommand named sub ("get" for "config|get"), or nil.
func (c *Command) Sub(sub string) *Command { return c.subs[strings.ToLower(sub)] }

// Subs returns the subcommands, sorted by name.
func (c *Command) Subs() []*Command {
	out := make([]*Command, 0, len(c.subs))
	for _, s := range c.subs {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// InfoField returns element i of the COMMAND INFO entry (InfoACLCategories,
// InfoTips, InfoKeySpecs...).
func (c *Command) InfoField(i int) *resp.Value {
	if c.Info == nil || i < 0 || i >= len(c.Info.Elems) {
		return nil
	}
	return c.Info.Elems[i]
}

// DocsField returns the value of a field of the COMMAND DOCS entry
// ("summary", "arguments"...), or nil if Redis has none for the command.
func (c *Command) DocsField(name string) *resp.Value {
	for i := 0; c.Docs != nil && i+1 < len(c.Docs.Elems); i += 2 {
		if string(c.Docs.Elems[i].Str) == name {
			return c.Docs.Elems[i+1]
		}
	}
	return nil
}

// ACLCategories returns the command's ACL categories ("@read", ...).
func (c *Command) ACLCategories() []string { return strs(c.InfoField(InfoACLCategories)) }

// Tips returns the command's tips ("nondeterministic_output", ...).
func (c *Command) Tips() []string { return strs(c.InfoField(InfoTips)) }

func strs(v *resp.Value) []string {
	if v == nil {
		return nil
	}
	out := make([]string, len(v.Elems))
	for i, e := range v.Elems {
		out[i] = string(e.Str)
	}
	return out
}

// entry is one top-level command's place in the data, parsed on first use.
type entry struct {
	name       string
	info, docs []byte
	once       sync.Once
	cmd        *Command
	err        error
}

type table struct {
	version string
	names   []string
	entries map[string]*entry
	err     error
}

var index = sync.OnceValue(func() *table { return buildIndex(data) })

// buildIndex finds every command's entries in b without parsing them.
func buildIndex(b []byte) *table {
	t := &table{entries: map[string]*entry{}}
	pos := 0
	next := func() ([]byte, error) {
		n, err := Scan(b[pos:])
		if err != nil {
			return nil, fmt.Errorf("cmdmeta: commands.resp at byte %d: %w", pos, err)
		}
		v := b[pos : pos+n]
		pos += n
		return v, nil
	}
	bulk := func() (string, error) {
		raw, err := next()
		if err != nil {
			return "", err
		}
		if raw[0] != '$' {
			return "", fmt.Errorf("cmdmeta: commands.resp at byte %d: expected a bulk string", pos-len(raw))
		}
		v, _, err := Parse(raw)
		if err != nil {
			return "", err
		}
		return string(v.Str), nil
	}
	var err error
	if t.version, err = bulk(); err != nil {
		t.err = err
		return t
	}
	for pos < len(b) {
		e := &entry{}
		if e.name, err = bulk(); err == nil {
			if e.info, err = next(); err == nil {
				e.docs, err = next()
			}
		}
		if err != nil {
			t.err = err
			return t
		}
		t.entries[e.name] = e
		t.names = append(t.names, e.name)
	}
	return t
}

// Err reports a damaged data file (nil normally): lookups then find
// nothing.
func Err() error { return index().err }

// Version returns the Redis version the metadata comes from.
func Version() string { return index().version }

// Names returns the names of every top-level command Redis has, sorted.
func Names() []string { return append([]string(nil), index().names...) }

// Lookup returns the metadata of a command ("get") or subcommand
// ("config|get"), given in lower case, or nil if Redis 7.0.15 has no such
// command.
func Lookup(name string) *Command {
	parent, sub, isSub := strings.Cut(name, "|")
	e := index().entries[parent]
	if e == nil {
		return nil
	}
	e.once.Do(e.load)
	if e.cmd == nil {
		return nil
	}
	if !isSub {
		return e.cmd
	}
	return e.cmd.subs[sub]
}

func (e *entry) load() {
	info, _, err := Parse(e.info)
	if err != nil {
		e.err = err
		return
	}
	docs, _, err := Parse(e.docs)
	if err != nil {
		e.err = err
		return
	}
	e.cmd = newCommand(e.name, info, docs, nil)
}

func newCommand(name string, info, docs *resp.Value, parent *Command) *Command {
	c := &Command{Name: name, Info: info, Docs: docs, Parent: parent}
	c.keySpecs, c.specErr = parseKeySpecs(c.InfoField(InfoKeySpecs))
	subInfo := c.InfoField(InfoSubcommands)
	if subInfo == nil || len(subInfo.Elems) == 0 {
		return c
	}
	subDocs := c.DocsField("subcommands")
	c.subs = make(map[string]*Command, len(subInfo.Elems))
	for _, si := range subInfo.Elems {
		if len(si.Elems) == 0 {
			continue
		}
		full := string(si.Elems[0].Str)
		var sd *resp.Value
		for i := 0; subDocs != nil && i+1 < len(subDocs.Elems); i += 2 {
			if string(subDocs.Elems[i].Str) == full {
				sd = subDocs.Elems[i+1]
			}
		}
		_, short, _ := strings.Cut(full, "|")
		c.subs[short] = newCommand(full, si, sd, c)
	}
	return c
}

// Scan returns the length of the first RESP3 value in b.
func Scan(b []byte) (int, error) {
	pos := 0
	pending := 1 // values still to skip
	for pending > 0 {
		pending--
		line, n, err := readLine(b[pos:])
		if err != nil {
			return 0, err
		}
		pos += n
		switch line[0] {
		case '+', '-', ':', '_', ',', '#', '(':
		case '$', '=', '!':
			l, err := length(line)
			if err != nil {
				return 0, err
			}
			if l < 0 {
				break
			}
			if pos+l+2 > len(b) || b[pos+l] != '\r' || b[pos+l+1] != '\n' {
				return 0, errors.New("truncated bulk string")
			}
			pos += l + 2
		case '*', '~', '>', '%', '|':
			l, err := length(line)
			if err != nil {
				return 0, err
			}
			if l < 0 {
				break
			}
			if line[0] == '%' || line[0] == '|' {
				l *= 2
			}
			pending += l
		default:
			return 0, fmt.Errorf("unknown RESP type %q", line[0])
		}
	}
	return pos, nil
}

// readLine returns the line at the start of b without its CRLF, and the
// bytes it takes with it.
func readLine(b []byte) ([]byte, int, error) {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == '\r' && b[i+1] == '\n' {
			if i == 0 {
				return nil, 0, errors.New("empty line")
			}
			return b[:i], i + 2, nil
		}
	}
	return nil, 0, errors.New("truncated line")
}

func length(line []byte) (int, error) {
	n, err := strconv.Atoi(string(line[1:]))
	if err != nil || n < -1 {
		return 0, fmt.Errorf("bad length %q", line)
	}
	return n, nil
}

// Parse parses the first RESP3 value in b into a resp.Value tree, which
// replays into RESP3 or RESP2 through resp.Writer with Redis's downgrade
// rules (maps become flat arrays, sets arrays; simple strings stay simple
// strings). It returns the tree and the bytes it took.
func Parse(b []byte) (*resp.Value, int, error) {
	n, err := Scan(b)
	if err != nil {
		return nil, 0, err
	}
	rec := &resp.Recorder{}
	rec.Begin(true)
	if _, err := replay(b[:n], rec); err != nil {
		return nil, 0, err
	}
	return rec.Result(), n, nil
}

// replay sends the first value in b (already checked by Scan) to w.
func replay(b []byte, w resp.Writer) (int, error) {
	line, pos, err := readLine(b)
	if err != nil {
		return 0, err
	}
	text := string(line[1:])
	switch line[0] {
	case '+':
		w.SimpleString(text)
	case '-':
		w.Error(text)
	case ':':
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("bad integer %q", text)
		}
		w.Int(n)
	case '_':
		w.Null()
	case ',':
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return 0, fmt.Errorf("bad double %q", text)
		}
		w.Double(f)
	case '#':
		w.Bool(text == "t")
	case '(':
		w.BigNumber(text)
	case '$', '=', '!':
		l, _ := length(line)
		if l < 0 {
			w.Null()
			break
		}
		s := b[pos : pos+l]
		pos += l + 2
		switch line[0] {
		case '$':
			w.Bulk(s)
		case '!':
			w.Error(string(s))
		default:
			if len(s) < 4 || s[3] != ':' {
				return 0, errors.New("bad verbatim string")
			}
			w.Verbatim(string(s[:3]), s[4:])
		}
	case '*', '~', '>', '%':
		l, _ := length(line)
		if l < 0 {
			w.NullArray()
			break
		}
		n := l
		switch line[0] {
		case '*':
			w.Array(l)
		case '~':
			w.Set(l)
		case '>':
			w.Push(l)
		case '%':
			w.Map(l)
			n = 2 * l
		}
		for i := 0; i < n; i++ {
			m, err := replay(b[pos:], w)
			if err != nil {
				return 0, err
			}
			pos += m
		}
	default:
		return 0, fmt.Errorf("unsupported RESP type %q", line[0])
	}
	return pos, nil
}
