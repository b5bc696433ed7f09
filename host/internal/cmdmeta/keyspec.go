package cmdmeta

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"modis/host/internal/resp"
)

// KeyFlag is a key specification flag.
type KeyFlag uint32

// Key specification flags, in Redis's order (the order COMMAND and COMMAND
// GETKEYSANDFLAGS list them).
const (
	KeyRO KeyFlag = 1 << iota
	KeyRW
	KeyOW
	KeyRM
	KeyAccess
	KeyUpdate
	KeyInsert
	KeyDelete
	KeyNotKey
	KeyIncomplete
	KeyVariableFlags
)

var keyFlagNames = []string{"RO", "RW", "OW", "RM", "access", "update", "insert", "delete",
	"not_key", "incomplete", "variable_flags"}

// Names lists the flags set in f, in Redis's order.
func (f KeyFlag) Names() []string {
	var out []string
	for i, n := range keyFlagNames {
		if f&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// ParseKeyFlag returns the flag named name ("RW", "access"...), or 0.
func ParseKeyFlag(name string) KeyFlag {
	for i, n := range keyFlagNames {
		if strings.EqualFold(n, name) {
			return 1 << i
		}
	}
	return 0
}

// Where a key specification's search begins, and how it finds the keys.
const (
	SearchIndex   = "index"
	SearchKeyword = "keyword"
	FindRange     = "range"
	FindKeynum    = "keynum"
	Unknown       = "unknown"
)

// KeySpec is one key specification of a command (Redis 7's key-specs).
type KeySpec struct {
	// Notes are a module's notes on the specification (COMMAND INFO shows
	// them when set); Redis's own specifications are replayed as they are.
	Notes string
	Flags KeyFlag
	// BeginSearch is SearchIndex (at argument Index), SearchKeyword (after
	// the argument Keyword, looked for from StartFrom: backwards from the
	// end when negative) or Unknown.
	BeginSearch string
	Index       int
	Keyword     string
	StartFrom   int
	// FindKeys is FindRange (LastKey relative to the first key, negative
	// from the end; KeyStep; Limit), FindKeynum (the number of keys at
	// KeyNumIdx, the first key at FirstKey, both relative to where the
	// search began; KeyStep) or Unknown.
	FindKeys  string
	LastKey   int
	KeyStep   int
	Limit     int
	KeyNumIdx int
	FirstKey  int
}

// KeyRef is a key found in a command line: its position and its flags.
type KeyRef struct {
	Pos   int
	Flags KeyFlag
}

// KeySpecs returns the command's key specifications.
func (c *Command) KeySpecs() []KeySpec { return c.keySpecs }

// HasKeys reports whether the command has a key specification that is not
// marked not_key.
func (c *Command) HasKeys() bool {
	for _, s := range c.keySpecs {
		if s.Flags&KeyNotKey == 0 {
			return true
		}
	}
	return false
}

// AllKeyFlags returns the union of the flags of every key specification.
func (c *Command) AllKeyFlags() KeyFlag {
	var f KeyFlag
	for _, s := range c.keySpecs {
		f |= s.Flags
	}
	return f
}

// KeysFromSpecs finds the keys of args (args[0] is the command name) with
// the key specifications, as Redis's getKeysUsingKeySpecs does: ok is false
// when a specification cannot tell (an unknown or incomplete one, a bad key
// count, keys out of bounds), and the caller then resorts to the command's
// own key finder. Specifications marked not_key are skipped.
func (c *Command) KeysFromSpecs(args [][]byte) (keys []KeyRef, ok bool) {
	return KeysFromSpecs(c.keySpecs, args)
}

// KeysFromSpecs finds the keys of args with specs, as
// Command.KeysFromSpecs does.
func KeysFromSpecs(specs []KeySpec, args [][]byte) (keys []KeyRef, ok bool) {
	argc := len(args)
	for _, spec := range specs {
		if spec.Flags&KeyNotKey != 0 {
			continue
		}
		first := 0
		switch spec.BeginSearch {
		case SearchIndex:
			first = spec.Index
		case SearchKeyword:
			start, end := spec.StartFrom, 1
			if spec.StartFrom > 0 {
				end = argc - 1
			} else {
				start = argc + spec.StartFrom
			}
			for i := start; i != end; {
				if i >= argc || i < 1 {
					break
				}
				if strings.EqualFold(string(args[i]), spec.Keyword) {
					first = i + 1
					break
				}
				if start <= end {
					i++
				} else {
					i--
				}
			}
			if first == 0 {
				continue // the keyword is not there
			}
		default:
			return nil, false
		}
		var last, step int
		switch spec.FindKeys {
		case FindRange:
			step = spec.KeyStep
			switch {
			case spec.LastKey >= 0:
				last = first + spec.LastKey
			case spec.Limit == 0:
				last = argc + spec.LastKey
			default:
				last = first + ((argc-first)/spec.Limit + spec.LastKey)
			}
		case FindKeynum:
			step = spec.KeyStep
			if spec.KeyNumIdx >= argc || first+spec.KeyNumIdx >= argc {
				return nil, false
			}
			n, err := strconv.ParseInt(string(args[first+spec.KeyNumIdx]), 10, 64)
			if err != nil || n < 0 {
				return nil, false
			}
			first += spec.FirstKey
			last = first + int(n) - 1
		default:
			return nil, false
		}
		if last >= argc || last < first || first >= argc {
			return nil, false
		}
		if step <= 0 {
			step = 1
		}
		for i := first; i <= last; i += step {
			keys = append(keys, KeyRef{Pos: i, Flags: spec.Flags})
		}
		if spec.Flags&KeyIncomplete != 0 {
			return nil, false
		}
	}
	return keys, true
}

// parseKeySpecs reads the key specifications of a COMMAND INFO entry.
func parseKeySpecs(v *resp.Value) ([]KeySpec, error) {
	if v == nil {
		return nil, nil
	}
	out := make([]KeySpec, 0, len(v.Elems))
	for _, m := range v.Elems {
		var s KeySpec
		for i := 0; i+1 < len(m.Elems); i += 2 {
			val := m.Elems[i+1]
			switch string(m.Elems[i].Str) {
			case "flags":
				for _, f := range val.Elems {
					fl := ParseKeyFlag(string(f.Str))
					if fl == 0 {
						return nil, fmt.Errorf("unknown key spec flag %q", f.Str)
					}
					s.Flags |= fl
				}
			case "begin_search":
				typ, spec := typeAndSpec(val)
				s.BeginSearch = typ
				switch typ {
				case SearchIndex:
					s.Index = intField(spec, "index")
				case SearchKeyword:
					s.Keyword = string(field(spec, "keyword").Bytes())
					s.StartFrom = intField(spec, "startfrom")
				case Unknown:
				default:
					return nil, fmt.Errorf("unknown begin_search type %q", typ)
				}
			case "find_keys":
				typ, spec := typeAndSpec(val)
				s.FindKeys = typ
				switch typ {
				case FindRange:
					s.LastKey = intField(spec, "lastkey")
					s.KeyStep = intField(spec, "keystep")
					s.Limit = intField(spec, "limit")
				case FindKeynum:
					s.KeyNumIdx = intField(spec, "keynumidx")
					s.FirstKey = intField(spec, "firstkey")
					s.KeyStep = intField(spec, "keystep")
				case Unknown:
				default:
					return nil, fmt.Errorf("unknown find_keys type %q", typ)
				}
			}
		}
		if s.BeginSearch == "" || s.FindKeys == "" {
			return nil, errors.New("key spec without begin_search or find_keys")
		}
		out = append(out, s)
	}
	return out, nil
}

func field(m *resp.Value, name string) *resp.Value {
	for i := 0; m != nil && i+1 < len(m.Elems); i += 2 {
		if string(m.Elems[i].Str) == name {
			return m.Elems[i+1]
		}
	}
	return nil
}

func intField(m *resp.Value, name string) int { return int(field(m, name).Integer()) }

func typeAndSpec(m *resp.Value) (string, *resp.Value) {
	return string(field(m, "type").Bytes()), field(m, "spec")
}
