package sdktest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"modis/sdk"
)

// Reply is one reply as a client received it, parsed from RESP2 or RESP3.
// Its Type uses the sdk's reply types, so a reply reads like a CallReply:
// simple and bulk strings are ReplyString (Simple tells them apart), the
// RESP2 null bulk string and null array are ReplyNull.
type Reply struct {
	Type sdk.ReplyType
	// Str is the text of a string, error (without the leading '-'),
	// verbatim string (without its format) or big number, and a double as
	// the server wrote it.
	Str string
	// Int is an integer's value (1 or 0 for a bool).
	Int int64
	// Float is a double's value.
	Float float64
	// Bool is a bool's value.
	Bool bool
	// Simple is set for a simple string (+OK) rather than a bulk string.
	Simple bool
	// Format is a verbatim string's format ("txt", "mkd").
	Format string
	// Elems are the elements of an array, set or push message, and the keys
	// and values of a map, in turn (key 0, value 0, key 1, ...).
	Elems []Reply
	// Attr is the RESP3 attribute sent before the reply, or nil.
	Attr *Reply
	// Push is set for a RESP3 push message (>), which has Type ReplyArray.
	Push bool
	// RESP is the reply exactly as the server sent it.
	RESP string
}

// Err returns the error of an error reply (its text, "ERR ..." included),
// nil for any other reply.
func (r Reply) Err() error {
	if r.Type != sdk.ReplyError {
		return nil
	}
	return errors.New(r.Str)
}

// IsNull reports whether the reply is null (RESP3 _, RESP2 $-1 or *-1).
func (r Reply) IsNull() bool { return r.Type == sdk.ReplyNull }

// Len returns the number of elements of an array, set or push, the number
// of pairs of a map, the length of a string; 0 otherwise.
func (r Reply) Len() int {
	switch r.Type {
	case sdk.ReplyArray, sdk.ReplySet:
		return len(r.Elems)
	case sdk.ReplyMap:
		return len(r.Elems) / 2
	case sdk.ReplyString, sdk.ReplyVerbatim, sdk.ReplyBigNumber:
		return len(r.Str)
	}
	return 0
}

// Strings returns the texts of an aggregate's elements (a map's keys and
// values in turn), or the reply's own text, one element, for a string.
func (r Reply) Strings() []string {
	switch r.Type {
	case sdk.ReplyArray, sdk.ReplySet, sdk.ReplyMap:
		out := make([]string, len(r.Elems))
		for i, e := range r.Elems {
			out[i] = e.Str
		}
		return out
	case sdk.ReplyString, sdk.ReplyVerbatim, sdk.ReplyBigNumber:
		return []string{r.Str}
	}
	return nil
}

// Map returns a map reply (or a RESP2 flat array of pairs) as a Go map
// keyed by each key's text.
func (r Reply) Map() map[string]Reply {
	out := make(map[string]Reply, len(r.Elems)/2)
	for i := 0; i+1 < len(r.Elems); i += 2 {
		out[r.Elems[i].Str] = r.Elems[i+1]
	}
	return out
}

// Value returns the reply as a plain Go value, the form MustEqual compares:
// string (strings, verbatim strings, big numbers), int64, float64, bool,
// nil (null), error (an error reply), []any (arrays, sets, pushes) and
// map[string]any (maps, keyed by each key's Value printed with %v).
func (r Reply) Value() any {
	switch r.Type {
	case sdk.ReplyString, sdk.ReplyVerbatim, sdk.ReplyBigNumber:
		return r.Str
	case sdk.ReplyError:
		return r.Err()
	case sdk.ReplyInteger:
		return r.Int
	case sdk.ReplyDouble:
		return r.Float
	case sdk.ReplyBool:
		return r.Bool
	case sdk.ReplyArray, sdk.ReplySet:
		out := make([]any, len(r.Elems))
		for i, e := range r.Elems {
			out[i] = e.Value()
		}
		return out
	case sdk.ReplyMap:
		out := make(map[string]any, len(r.Elems)/2)
		for i := 0; i+1 < len(r.Elems); i += 2 {
			out[fmt.Sprint(r.Elems[i].Value())] = r.Elems[i+1].Value()
		}
		return out
	}
	return nil
}

// String renders the reply on one line, for test failure messages:
// "text", (integer) 5, (nil), (error) ERR ..., [a b], {k: v}, ...
func (r Reply) String() string {
	var b strings.Builder
	r.render(&b)
	return b.String()
}

func (r Reply) render(b *strings.Builder) {
	if r.Attr != nil {
		b.WriteString("(attribute ")
		r.Attr.render(b)
		b.WriteString(") ")
	}
	switch r.Type {
	case sdk.ReplyString:
		if r.Simple {
			b.WriteString(r.Str)
		} else {
			b.WriteString(strconv.Quote(r.Str))
		}
	case sdk.ReplyError:
		b.WriteString("(error) " + r.Str)
	case sdk.ReplyInteger:
		b.WriteString("(integer) " + strconv.FormatInt(r.Int, 10))
	case sdk.ReplyNull:
		b.WriteString("(nil)")
	case sdk.ReplyDouble:
		b.WriteString("(double) " + r.Str)
	case sdk.ReplyBool:
		b.WriteString("(" + strconv.FormatBool(r.Bool) + ")")
	case sdk.ReplyBigNumber:
		b.WriteString("(big number) " + r.Str)
	case sdk.ReplyVerbatim:
		b.WriteString("(verbatim " + r.Format + ") " + strconv.Quote(r.Str))
	case sdk.ReplyArray, sdk.ReplySet:
		open, end := "[", "]"
		if r.Type == sdk.ReplySet {
			open, end = "(set) [", "]"
		}
		b.WriteString(open)
		for i, e := range r.Elems {
			if i > 0 {
				b.WriteByte(' ')
			}
			e.render(b)
		}
		b.WriteString(end)
	case sdk.ReplyMap, sdk.ReplyAttribute:
		b.WriteByte('{')
		for i := 0; i+1 < len(r.Elems); i += 2 {
			if i > 0 {
				b.WriteString(", ")
			}
			r.Elems[i].render(b)
			b.WriteString(": ")
			r.Elems[i+1].render(b)
		}
		b.WriteByte('}')
	default:
		b.WriteString("(no reply)")
	}
}

// ParseReply parses one RESP2 or RESP3 reply. It is what Do uses; a test
// can use it on bytes it got elsewhere.
func ParseReply(raw []byte) (Reply, error) {
	rd := bufio.NewReader(bytes.NewReader(raw))
	r, err := readReply(rd, 0)
	if err != nil {
		return Reply{}, err
	}
	if rest, _ := io.ReadAll(rd); len(rest) > 0 {
		return Reply{}, fmt.Errorf("%d bytes after the reply: %q", len(rest), rest)
	}
	r.RESP = string(raw)
	return r, nil
}

// maxDepth bounds nesting, so that a corrupt reply cannot exhaust the stack.
const maxDepth = 1000

func readReply(rd *bufio.Reader, depth int) (Reply, error) {
	if depth > maxDepth {
		return Reply{}, errors.New("reply nested too deeply")
	}
	line, err := rd.ReadString('\n')
	if err != nil {
		return Reply{}, fmt.Errorf("truncated reply: %w", err)
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return Reply{}, fmt.Errorf("malformed line %q", line)
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+':
		return Reply{Type: sdk.ReplyString, Str: body, Simple: true}, nil
	case '-':
		return Reply{Type: sdk.ReplyError, Str: body}, nil
	case ':':
		n, err := strconv.ParseInt(body, 10, 64)
		if err != nil {
			return Reply{}, fmt.Errorf("bad integer %q", line)
		}
		return Reply{Type: sdk.ReplyInteger, Int: n}, nil
	case '_':
		return Reply{Type: sdk.ReplyNull}, nil
	case ',':
		return Reply{Type: sdk.ReplyDouble, Str: body, Float: parseDouble(body)}, nil
	case '#':
		switch body {
		case "t":
			return Reply{Type: sdk.ReplyBool, Bool: true, Int: 1}, nil
		case "f":
			return Reply{Type: sdk.ReplyBool}, nil
		}
		return Reply{}, fmt.Errorf("bad boolean %q", line)
	case '(':
		return Reply{Type: sdk.ReplyBigNumber, Str: body}, nil
	case '$', '=', '!':
		n, err := strconv.Atoi(body)
		if err != nil || n < -1 {
			return Reply{}, fmt.Errorf("bad length %q", line)
		}
		if n == -1 {
			if line[0] != '$' {
				return Reply{}, fmt.Errorf("bad length %q", line)
			}
			return Reply{Type: sdk.ReplyNull}, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(rd, buf); err != nil {
			return Reply{}, fmt.Errorf("truncated string: %w", err)
		}
		if buf[n] != '\r' || buf[n+1] != '\n' {
			return Reply{}, fmt.Errorf("string of length %d not followed by CRLF", n)
		}
		s := string(buf[:n])
		switch line[0] {
		case '=':
			if len(s) < 4 || s[3] != ':' {
				return Reply{}, fmt.Errorf("bad verbatim string %q", s)
			}
			return Reply{Type: sdk.ReplyVerbatim, Format: s[:3], Str: s[4:]}, nil
		case '!':
			return Reply{Type: sdk.ReplyError, Str: s}, nil
		}
		return Reply{Type: sdk.ReplyString, Str: s}, nil
	case '*', '~', '%', '>', '|':
		n, err := strconv.Atoi(body)
		if err != nil || n < -1 || n == -1 && line[0] != '*' {
			return Reply{}, fmt.Errorf("bad length %q", line)
		}
		if n == -1 {
			return Reply{Type: sdk.ReplyNull}, nil
		}
		count := n
		if line[0] == '%' || line[0] == '|' {
			count = 2 * n
		}
		r := Reply{Type: sdk.ReplyArray, Push: line[0] == '>'}
		switch line[0] {
		case '~':
			r.Type = sdk.ReplySet
		case '%':
			r.Type = sdk.ReplyMap
		case '|':
			r.Type = sdk.ReplyAttribute
		}
		r.Elems = make([]Reply, 0, min(count, 1024))
		for range count {
			e, err := readReply(rd, depth+1)
			if err != nil {
				return Reply{}, err
			}
			r.Elems = append(r.Elems, e)
		}
		if r.Type == sdk.ReplyAttribute {
			v, err := readReply(rd, depth+1)
			if err != nil {
				return Reply{}, fmt.Errorf("attribute without its reply: %w", err)
			}
			v.Attr = &r
			return v, nil
		}
		return r, nil
	}
	return Reply{}, fmt.Errorf("unknown reply type %q", line)
}

// parseDouble reads a RESP3 double as Redis writes it ("inf", "-inf",
// "nan" included).
func parseDouble(s string) float64 {
	switch s {
	case "inf":
		return math.Inf(1)
	case "-inf":
		return math.Inf(-1)
	case "nan", "-nan":
		return math.NaN()
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

// normalize turns a MustEqual expectation into Reply.Value's form: every
// integer kind becomes int64, []string and [][]byte become []any, string
// maps become map[string]any, []byte becomes string, recursively.
func normalize(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		return int64(x)
	case float32:
		return float64(x)
	case []byte:
		return string(x)
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	case [][]byte:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = string(s)
		}
		return out
	case []int64:
		out := make([]any, len(x))
		for i, n := range x {
			out[i] = n
		}
		return out
	case []int:
		out := make([]any, len(x))
		for i, n := range x {
			out[i] = int64(n)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case map[string]string:
		out := make(map[string]any, len(x))
		for k, s := range x {
			out[k] = s
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	}
	return v
}
