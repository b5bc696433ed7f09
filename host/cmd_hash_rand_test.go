package host

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"modis/host/internal/resp"
)

func TestHashRandScanCommands(t *testing.T) {
	runScripts(t, []script{
		{name: "hrandfield errors", steps: []step{
			{`HSET h a 1`, rOne},
			{`HRANDFIELD h`, bulk("a")},
			{`HRANDFIELD h 1`, "*1\r\n$1\r\na\r\n"},
			{`HRANDFIELD h 1 WITHVALUES`, "*2\r\n$1\r\na\r\n$1\r\n1\r\n"},
			{`HRANDFIELD h -1 WITHVALUES`, "*2\r\n$1\r\na\r\n$1\r\n1\r\n"},
			{`HRANDFIELD h 5 withvalues`, "*2\r\n$1\r\na\r\n$1\r\n1\r\n"},
			{`HRANDFIELD h -3`, "*3\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n"},
			{`HRANDFIELD h -2 WITHVALUES`, "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n1\r\n"},
			{`HRANDFIELD h 0`, rEmpty},
			{`HRANDFIELD h 0 WITHVALUES`, rEmpty},
			{`HRANDFIELD h -9223372036854775808`, errr("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")},
			{`HRANDFIELD h -9223372036854775807 foo`, rSyntax},
			{`HRANDFIELD h x`, rNotInt},
			{`HRANDFIELD h 1.5`, rNotInt},
			{`HRANDFIELD h 1 foo`, rSyntax},
			{`HRANDFIELD h 1 WITHVALUES x`, rSyntax},
			{`HRANDFIELD h -4611686018427387904 WITHVALUES`, errr("ERR value is out of range")},
			{`HRANDFIELD h 4611686018427387904 WITHVALUES`, errr("ERR value is out of range")},
			{`HRANDFIELD h 4611686018427387903 WITHVALUES`, "*2\r\n$1\r\na\r\n$1\r\n1\r\n"},
			{`HRANDFIELD nokey`, rNull},
			{`HRANDFIELD nokey 5`, rEmpty},
			{`HRANDFIELD nokey -5 WITHVALUES`, rEmpty},
			{`HRANDFIELD nokey 0 foo`, rSyntax},
			{`HRANDFIELD nokey x`, rNotInt},
			{`SET s v`, rOK},
			{`HRANDFIELD s`, rWrongType},
			{`HRANDFIELD s 0`, rWrongType},
			{`HRANDFIELD s 1 WITHVALUES`, rWrongType},
			{`HRANDFIELD s x`, rNotInt},
			{`HRANDFIELD`, errr("ERR wrong number of arguments for 'hrandfield' command")},
		}},
		{name: "hrandfield p3", p3: true, steps: []step{
			{`HSET h a 1`, rOne},
			{`HRANDFIELD h 1 WITHVALUES`, "*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"},
			{`HRANDFIELD h -2 WITHVALUES`, "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"},
			{`HRANDFIELD h 5 WITHVALUES`, "*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"},
			{`HRANDFIELD h -2`, "*2\r\n$1\r\na\r\n$1\r\na\r\n"},
			{`HRANDFIELD nokey`, "_\r\n"},
			{`HRANDFIELD nokey 3 WITHVALUES`, rEmpty},
		}},
		{name: "hscan", steps: []step{
			{`HSET h a 1 b 2 c 3 ab 4`, ints(4)},
			{`HSCAN h 0`, "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n"},
			{`HSCAN h 0 COUNT 1`, "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n"},
			{`HSCAN h 123`, "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n"},
			{`HSCAN h 0 MATCH a*`, "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$2\r\nab\r\n$1\r\n4\r\n"},
			{`HSCAN h 0 match *b count 2`, "*2\r\n$1\r\n0\r\n*4\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nab\r\n$1\r\n4\r\n"},
			{`HSCAN h 0 MATCH nomatch`, "*2\r\n$1\r\n0\r\n*0\r\n"},
			{`HSCAN h 0 COUNT 0`, rSyntax},
			{`HSCAN h 0 COUNT -1`, rSyntax},
			{`HSCAN h 0 COUNT x`, rNotInt},
			{`HSCAN h 0 COUNT`, rSyntax},
			{`HSCAN h 0 FOO bar`, rSyntax},
			{`HSCAN h 0 TYPE hash`, rSyntax},
			{`HSCAN h x`, errr("ERR invalid cursor")},
			{`HSCAN h 18446744073709551616`, errr("ERR invalid cursor")},
			{`HSCAN nokey 0`, "*2\r\n$1\r\n0\r\n*0\r\n"},
			{`HSCAN nokey 0 COUNT 0`, "*2\r\n$1\r\n0\r\n*0\r\n"},
			{`HSCAN nokey 0 FOO`, "*2\r\n$1\r\n0\r\n*0\r\n"},
			{`HSCAN nokey x`, errr("ERR invalid cursor")},
			{`SET s v`, rOK},
			{`HSCAN s 0`, rWrongType},
			{`HSCAN s 0 COUNT 0`, rWrongType},
			{`HSCAN s x`, errr("ERR invalid cursor")},
			{`HSCAN h`, errr("ERR wrong number of arguments for 'hscan' command")},
		}},
		{name: "hscan p3", p3: true, steps: []step{
			{`HSET h a 1 b 2`, ints(2)},
			{`HSCAN h 0`, "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"},
			{`HSCAN nokey 0`, "*2\r\n$1\r\n0\r\n*0\r\n"},
		}},
	})
}

// parseReply decodes one RESP reply into nested []any of strings and
// int64s (nil for a null).
func parseReply(t *testing.T, raw string) any {
	t.Helper()
	r := bufio.NewReader(strings.NewReader(raw))
	var read func() any
	read = func() any {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("short reply %q", raw)
		}
		body := strings.TrimSuffix(line[1:], "\r\n")
		switch line[0] {
		case ':':
			n, _ := strconv.ParseInt(body, 10, 64)
			return n
		case '$':
			n, _ := strconv.Atoi(body)
			if n < 0 {
				return nil
			}
			b := make([]byte, n+2)
			if _, err := io.ReadFull(r, b); err != nil {
				t.Fatal(err)
			}
			return string(b[:n])
		case '*', '%', '~':
			n, _ := strconv.Atoi(body)
			if line[0] == '%' {
				n *= 2
			}
			out := make([]any, n)
			for i := range out {
				out[i] = read()
			}
			return out
		case '_':
			return nil
		}
		t.Fatalf("unexpected reply %q", raw)
		return nil
	}
	return read()
}

func TestHrandfieldShapes(t *testing.T) {
	for _, n := range []int{5, 700} { // listpack and hashtable
		for _, p3 := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d fields resp%d", n, map[bool]int{false: 2, true: 3}[p3]), func(t *testing.T) {
				_, c := newTestServer(t)
				c.buf.P3 = p3
				args := []string{"HSET", "h"}
				fields := map[string]string{}
				for i := 0; i < n; i++ {
					f, v := "f"+strconv.Itoa(i), "v"+strconv.Itoa(i*7)
					fields[f] = v
					args = append(args, f, v)
				}
				do(t, c, args...)
				for _, count := range []int{1, 3, n - 1, n, n + 10, -1, -3, -(2 * n)} {
					for _, wv := range []bool{false, true} {
						cmd := []string{"HRANDFIELD", "h", strconv.Itoa(count)}
						if wv {
							cmd = append(cmd, "WITHVALUES")
						}
						items := parseReply(t, do(t, c, cmd...)).([]any)
						want := count
						if count < 0 {
							want = -count
						} else if count > n {
							want = n
						}
						var got []string
						switch {
						case wv && p3:
							for _, it := range items {
								pair := it.([]any)
								if len(pair) != 2 || fields[pair[0].(string)] != pair[1].(string) {
									t.Fatalf("%v: bad pair %v", cmd, pair)
								}
								got = append(got, pair[0].(string))
							}
						case wv:
							if len(items)%2 != 0 {
								t.Fatalf("%v: odd reply", cmd)
							}
							for i := 0; i < len(items); i += 2 {
								if fields[items[i].(string)] != items[i+1].(string) {
									t.Fatalf("%v: bad pair %v %v", cmd, items[i], items[i+1])
								}
								got = append(got, items[i].(string))
							}
						default:
							for _, it := range items {
								if _, ok := fields[it.(string)]; !ok {
									t.Fatalf("%v: unknown field %v", cmd, it)
								}
								got = append(got, it.(string))
							}
						}
						if len(got) != want {
							t.Fatalf("%v: %d fields, want %d", cmd, len(got), want)
						}
						if count > 0 {
							seen := map[string]bool{}
							for _, f := range got {
								if seen[f] {
									t.Fatalf("%v: %s twice", cmd, f)
								}
								seen[f] = true
							}
						}
					}
				}
				// Without a count: one field, as a bulk string.
				if f, ok := parseReply(t, do(t, c, "HRANDFIELD", "h")).(string); !ok || fields[f] == "" {
					t.Fatalf("HRANDFIELD h = %v", f)
				}
			})
		}
	}
}

// A positive count smaller than the hash picks every field with the same
// chance; a negative one too.
func TestHrandfieldDistribution(t *testing.T) {
	for _, n := range []int{10, 600} {
		_, c := newTestServer(t)
		args := []string{"HSET", "h"}
		for i := 0; i < n; i++ {
			args = append(args, "f"+strconv.Itoa(i), "v")
		}
		do(t, c, args...)
		for _, count := range []string{"3", "-3"} {
			hits := map[string]int{}
			rounds := 200 * n / 3
			for i := 0; i < rounds; i++ {
				for _, f := range parseReply(t, do(t, c, "HRANDFIELD", "h", count)).([]any) {
					hits[f.(string)]++
				}
			}
			if len(hits) != n {
				t.Fatalf("n=%d count %s: %d distinct fields seen", n, count, len(hits))
			}
			for f, h := range hits {
				if h < 100 || h > 300 {
					t.Fatalf("n=%d count %s: %s drawn %d times of ~200", n, count, f, h)
				}
			}
		}
	}
}

// hscanAll runs HSCAN to the end with count, calling between (if not nil)
// after each call, and returns every field seen and how many calls it took.
func hscanAll(t *testing.T, c *Client, key string, count int, between func(call int)) (map[string]int, int) {
	t.Helper()
	seen := map[string]int{}
	cursor := "0"
	calls := 0
	for {
		rep := parseReply(t, do(t, c, "HSCAN", key, cursor, "COUNT", strconv.Itoa(count))).([]any)
		calls++
		items := rep[1].([]any)
		for i := 0; i < len(items); i += 2 {
			seen[items[i].(string)]++
		}
		cursor = rep[0].(string)
		if cursor == "0" {
			return seen, calls
		}
		if calls > 100000 {
			t.Fatal("HSCAN does not end")
		}
		if between != nil {
			between(calls)
		}
	}
}

func TestHscanLarge(t *testing.T) {
	_, c := newTestServer(t)
	args := []string{"HSET", "h"}
	for i := 0; i < 1000; i++ {
		args = append(args, "f"+strconv.Itoa(i), strconv.Itoa(i))
	}
	do(t, c, args...)
	if got := do(t, c, "OBJECT", "ENCODING", "h"); got != "$9\r\nhashtable\r\n" && !strings.HasPrefix(got, "-ERR unknown command") {
		t.Fatalf("encoding %q", got)
	}
	seen, calls := hscanAll(t, c, "h", 10, nil)
	if len(seen) != 1000 || calls < 90 || calls > 110 {
		t.Fatalf("%d fields in %d calls", len(seen), calls)
	}
	for f, n := range seen {
		if n != 1 {
			t.Fatalf("%s seen %d times without changes", f, n)
		}
	}
	// MATCH filters what a call visited: fields and their values.
	rep := parseReply(t, do(t, c, "HSCAN", "h", "0", "MATCH", "f99*", "COUNT", "100000")).([]any)
	items := rep[1].([]any)
	if rep[0] != "0" || len(items) != 2*11 {
		t.Fatalf("MATCH f99*: cursor %v, %d items", rep[0], len(items))
	}
	for i := 0; i < len(items); i += 2 {
		if "f"+items[i+1].(string) != items[i].(string) {
			t.Fatalf("MATCH: pair %v %v", items[i], items[i+1])
		}
	}
}

// Fields present for the whole scan are returned, however the hash changes
// between calls: deletions (which move the last entry into the hole) and
// insertions included.
func TestHscanGuarantee(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 20; round++ {
		_, c := newTestServer(t)
		args := []string{"HSET", "h"}
		for i := 0; i < 2000; i++ {
			args = append(args, "f"+strconv.Itoa(i), "v")
		}
		do(t, c, args...)
		// Fields f0..f999 stay; f1000..f1999 and new ones come and go.
		next := 2000
		seen, _ := hscanAll(t, c, "h", 1+r.IntN(50), func(int) {
			for k := r.IntN(30); k > 0; k-- {
				if r.IntN(2) == 0 {
					do(t, c, "HDEL", "h", "f"+strconv.Itoa(1000+r.IntN(1000+next-2000)))
				} else {
					do(t, c, "HSET", "h", "f"+strconv.Itoa(next), "v")
					next++
				}
			}
		})
		for i := 0; i < 1000; i++ {
			if seen["f"+strconv.Itoa(i)] == 0 {
				t.Fatalf("round %d: f%d was never returned", round, i)
			}
		}
	}
}

// The elements of a RESP3 HSCAN are a flat array, as in Redis.
func TestHscanResp3Large(t *testing.T) {
	_, c := newTestServer(t)
	args := []string{"HSET", "h"}
	for i := 0; i < 600; i++ {
		args = append(args, "f"+strconv.Itoa(i), "v")
	}
	do(t, c, args...)
	c.buf.P3 = true
	got := do(t, c, "HSCAN", "h", "0", "COUNT", "2")
	var b resp.Buffer
	b.P3 = true
	b.Array(2)
	b.BulkString("598")
	b.Array(4)
	b.BulkString("f599")
	b.BulkString("v")
	b.BulkString("f598")
	b.BulkString("v")
	if !bytes.Equal([]byte(got), b.B) {
		t.Fatalf("HSCAN h 0 COUNT 2 = %q", got)
	}
}
