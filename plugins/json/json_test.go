package main

// The module tested in-process with sdk/sdktest (go test -race -cover
// ./plugins/json); test/json_test.go runs it through the real .so. The
// expected replies follow RedisJSON 2's documentation and source.

import (
	"fmt"
	"strings"
	"testing"

	"modis/sdk/sdktest"
)

func TestCanonical(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a" : 1, "b":[true,false,null] }`, `{"a":1,"b":[true,false,null]}`},
		{` [ ] `, `[]`},
		{`{}`, `{}`},
		{`1.0`, `1.0`},
		{`1e2`, `100.0`},
		{`-0`, `-0.0`},
		{`0`, `0`},
		{`-12`, `-12`},
		{`0.5e-10`, `5e-11`},
		{`1.5E300`, `1.5e300`},
		{`1e16`, `1e16`},
		{`1e15`, `1000000000000000.0`},
		{`0.0001`, `0.0001`},
		{`0.00001`, `0.00001`},
		{`0.000001`, `1e-6`},
		{`123.456`, `123.456`},
		{`-1.5e-7`, `-1.5e-7`},
		{`9223372036854775807`, `9223372036854775807`},
		{`18446744073709551615`, `18446744073709551615`},
		{`18446744073709551616`, `1.8446744073709552e19`},
		{`123456789012345678901234`, `1.2345678901234569e23`},
		{`"a\/b\u00e9\n\"\\\t\u0001\u007f"`, "\"a/bé\\n\\\"\\\\\\t\\u0001\x7f\""},
		{`"\ud83d\ude00"`, `"😀"`},
		{`"<&>"`, `"<&>"`},
		{`{"a":1,"b":2,"a":3}`, `{"a":3,"b":2}`},
		{"\t\r\n[1,\n2]", `[1,2]`},
	}
	for _, tt := range tests {
		got, err := canonical([]byte(tt.in))
		if err != nil || string(got) != tt.want {
			t.Errorf("canonical(%s) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
		// Canonical input is a fixed point.
		if again, err := canonical(got); err != nil || string(again) != string(got) {
			t.Errorf("canonical(%s) is not a fixed point: %s %v", got, again, err)
		}
	}
}

// serde_json's error texts and positions.
func TestCanonicalErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{``, "EOF while parsing a value at line 1 column 0"},
		{`x`, "expected value at line 1 column 1"},
		{`1 2`, "trailing characters at line 1 column 3"},
		{`{bad`, "key must be a string at line 1 column 2"},
		{`[1,]`, "trailing comma at line 1 column 4"},
		{`{"a":1,}`, "trailing comma at line 1 column 8"},
		{`[1 2]`, "expected `,` or `]` at line 1 column 4"},
		{`{"a" 1}`, "expected `:` at line 1 column 6"},
		{`{"a":1 "b"}`, "expected `,` or `}` at line 1 column 8"},
		{`"abc`, "EOF while parsing a string at line 1 column 4"},
		{`[1,2`, "EOF while parsing a list at line 1 column 4"},
		{`{"a":1`, "EOF while parsing an object at line 1 column 6"},
		{`tru`, "EOF while parsing a value at line 1 column 3"},
		{`trux`, "expected ident at line 1 column 4"},
		{`01`, "invalid number at line 1 column 2"},
		{`-a`, "invalid number at line 1 column 2"},
		{`1.e`, "invalid number at line 1 column 3"},
		{`"a\qb"`, "invalid escape at line 1 column 4"},
		{"\"a\nb\"", "control character (\\u0000-\\u001F) found while parsing a string at line 2 column 0"},
		{"\"a\x01", "control character (\\u0000-\\u001F) found while parsing a string at line 1 column 3"},
		{"[\n1,\nx]", "expected value at line 3 column 1"},
		{strings.Repeat("[", 129) + strings.Repeat("]", 129), "recursion limit exceeded at line 1 column 129"},
	}
	for _, tt := range tests {
		_, err := canonical([]byte(tt.in))
		if err == nil || err.Error() != tt.want {
			t.Errorf("canonical(%q) error %v, want %q", tt.in, err, tt.want)
		}
	}
	if _, err := canonical([]byte(strings.Repeat("[", 128) + strings.Repeat("]", 128))); err != nil {
		t.Errorf("128 levels: %v", err)
	}
}

func TestParsePath(t *testing.T) {
	tests := []struct {
		in, fixed string
		legacy    bool
		steps     string
	}{
		{"$", "$", false, ""},
		{".", "$", true, ""},
		{"a", "$.a", true, "k:a"},
		{".a.b[0]", "$.a.b[0]", true, "k:a k:b i:0"},
		{"[0]", "$.[0]", true, "i:0"},
		{"$.a[-1]", "$.a[-1]", false, "k:a i:-1"},
		{"$..a", "$..a", false, "d k:a"},
		{"$.*", "$.*", false, "*"},
		{"$[*].x", "$[*].x", false, "* k:x"},
		{`$['a.b']["c\"d"]`, `$['a.b']["c\"d"]`, false, `k:a.b k:c"d`},
		{"$..[0]", "$..[0]", false, "d i:0"},
		{"$x", "$.$x", true, "k:$x"},
	}
	for _, tt := range tests {
		p, err := parsePath(tt.in)
		if err != nil {
			t.Errorf("parsePath(%q): %v", tt.in, err)
			continue
		}
		var steps []string
		for _, st := range p.steps {
			switch st.kind {
			case stepKey:
				steps = append(steps, "k:"+st.key)
			case stepIndex:
				steps = append(steps, fmt.Sprintf("i:%d", st.index))
			case stepWild:
				steps = append(steps, "*")
			case stepDescend:
				steps = append(steps, "d")
			}
		}
		if p.fixed != tt.fixed || p.legacy != tt.legacy || strings.Join(steps, " ") != tt.steps {
			t.Errorf("parsePath(%q) = %q legacy %v steps %q; want %q %v %q", tt.in, p.fixed, p.legacy, steps, tt.fixed, tt.legacy, tt.steps)
		}
	}
	for _, bad := range []string{"$.", "$..", "$[", "$[1", "$[a]", "$['a'", "$.a[?(@.b)]", "$[1:2]"} {
		if _, err := parsePath(bad); err == nil || !strings.HasPrefix(err.Error(), "ERR Error occurred on position") {
			t.Errorf("parsePath(%q) error %v", bad, err)
		}
	}
}

// Writes through sjson keep the document canonical, whatever the member
// names hold.
func TestSjsonPaths(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	keys := []string{"a.b", "0", "-1", "x*y", "q?", "p|q", "#", "@h", `back\slash`, ":colon", "sp ace", "ü"}
	for _, k := range keys {
		ek := strings.ReplaceAll(k, `\`, `\\`) // k in a JSON string
		h.MustEqual("OK", "JSON.SET", "doc", "$", `{"keep":[1,{"`+ek+`":0}],"`+ek+`":{"in":1}}`)
		q := strings.ReplaceAll(strings.ReplaceAll(k, `\`, `\\`), `'`, `\'`)
		h.MustEqual("OK", "JSON.SET", "doc", "$['"+q+"'].in", `"new"`)
		h.MustEqual("OK", "JSON.SET", "doc", "$['"+q+"'].add", `[]`)
		h.MustEqual([]any{int64(1)}, "JSON.ARRAPPEND", "doc", "$['"+q+"'].add", `1`)
		want := `{"keep":[1,{"` + ek + `":0}],"` + ek + `":{"in":"new","add":[1]}}`
		h.MustEqual(want, "JSON.GET", "doc")
		h.MustEqual(int64(1), "JSON.DEL", "doc", "$['"+q+"']")
		h.MustEqual(`{"keep":[1,{"`+ek+`":0}]}`, "JSON.GET", "doc")
	}
}

// step is one command and its expected reply, as sdktest renders it.
type jstep struct {
	args []string
	want any // a reply value, or an error string starting with "ERR "/"WRONGTYPE"
}

func runSteps(t *testing.T, h *sdktest.Harness, steps []jstep) {
	t.Helper()
	for i, st := range steps {
		if s, ok := st.want.(string); ok && (strings.HasPrefix(s, "ERR ") || strings.HasPrefix(s, "WRONGTYPE ")) {
			r := h.Do(st.args...)
			if r.Err() == nil || r.Err().Error() != s {
				t.Errorf("step %d %q: %v, want error %q", i, st.args, r, s)
			}
			continue
		}
		r := h.Do(st.args...)
		if r.Err() != nil {
			t.Errorf("step %d %q: error %v, want %v", i, st.args, r.Err(), st.want)
			continue
		}
		if got, want := fmt.Sprint(r.Value()), fmt.Sprint(st.want); got != want {
			t.Errorf("step %d %q: %s, want %s", i, st.args, got, want)
		}
	}
}

func a(s ...string) []string { return s }

// The examples of RedisJSON's command documentation, and its legacy path
// errors.
func TestJSONCommands(t *testing.T) {
	h := sdktest.New(t, OnLoad)
	runSteps(t, h, []jstep{
		// JSON.SET
		{a("JSON.SET", "doc", "$", `{"a":2}`), "OK"},
		{a("JSON.SET", "doc", "$.a", `3`), "OK"},
		{a("JSON.GET", "doc", "$"), `[{"a":3}]`},
		{a("JSON.SET", "doc", "$.b", `8`), "OK"},
		{a("JSON.GET", "doc", "$"), `[{"a":3,"b":8}]`},
		{a("JSON.SET", "doc", "$", `{"f1": {"a":1}, "f2":{"a":2}}`), "OK"},
		{a("JSON.SET", "doc", "$..a", `3`), "OK"},
		{a("JSON.GET", "doc"), `{"f1":{"a":3},"f2":{"a":3}}`},
		{a("JSON.SET", "doc", "$..nope", `3`), "ERR wrong static path"},
		{a("JSON.SET", "doc", ".f1.x.y", `3`), nil}, // the parent does not exist
		{a("JSON.SET", "doc", ".f1.a", `4`, "NX"), nil},
		{a("JSON.SET", "doc", ".f1.new", `4`, "XX"), nil},
		{a("JSON.SET", "doc", ".f1.new", `4`, "NX"), "OK"},
		{a("JSON.SET", "doc", ".f1.a", `5`, "XX"), "OK"},
		{a("JSON.SET", "doc", "$", `{}`, "NX"), nil},
		{a("JSON.SET", "doc", ".", `[1,2]`, "XX"), "OK"},
		{a("JSON.SET", "doc", "[5]", `0`), "ERR array index out of range"},
		{a("JSON.SET", "doc", "[-1]", `0`), "OK"},
		{a("JSON.SET", "doc", "$.x", `0`), nil}, // not an object
		{a("JSON.GET", "doc"), `[1,0]`},
		{a("JSON.SET", "doc", "$", `{bad`), "ERR key must be a string at line 1 column 2"},
		{a("JSON.SET", "doc", "$", `1`, "NX", "XX"), "ERR syntax error"},
		{a("JSON.SET", "doc", "$", `1`, "EX"), "ERR syntax error"},
		{a("JSON.SET", "new", ".a", `1`), "ERR new objects must be created at the root"},
		{a("JSON.SET", "new", "$", `1`, "XX"), nil},
		{a("JSON.SET", "new", "$", `1`, "NX"), "OK"},
		{a("JSON.SET", "doc"), "ERR wrong number of arguments for 'json.set' command"},
		{a("SET", "str", "x"), "OK"},
		{a("JSON.SET", "str", "$", `1`), "WRONGTYPE Operation against a key holding the wrong kind of value"},
		{a("JSON.GET", "str"), "WRONGTYPE Operation against a key holding the wrong kind of value"},
		// JSON.GET
		{a("JSON.SET", "doc", "$", `{"a":2, "b": 3, "nested": {"a": 4, "b": null}}`), "OK"},
		{a("JSON.GET", "doc", "$..b"), `[3,null]`},
		{a("JSON.GET", "doc", "..a", "$..b"), `{"..a":[2,4],"$..b":[3,null]}`},
		{a("JSON.GET", "doc", ".a", ".nested.a"), `{".a":2,".nested.a":4}`},
		{a("JSON.GET", "doc", ".a", ".x"), "ERR Path '.x' does not exist"},
		{a("JSON.GET", "doc", ".nope"), "ERR Path '$.nope' does not exist"},
		{a("JSON.GET", "doc", "$.nope"), `[]`},
		{a("JSON.GET", "doc", "nested"), `{"a":4,"b":null}`},
		{a("JSON.GET", "doc", "INDENT", "\t", "NEWLINE", "\n", "SPACE", " ", "nested"), "{\n\t\"a\": 4,\n\t\"b\": null\n}"},
		{a("JSON.GET", "doc", "NEWLINE", "\n", "$.nested"), "[\n{\n\"a\":4,\n\"b\":null\n}\n]"},
		{a("JSON.GET", "doc", "INDENT"), "ERR wrong number of arguments for 'json.get' command"},
		{a("JSON.GET", "doc", "$[1:2]"), "ERR Error occurred on position 3, expected an index, '*' or a quoted name (slices and filters are not supported)"},
		{a("JSON.GET", "missing"), nil},
		// JSON.TYPE
		{a("JSON.SET", "doc", "$", `{"a":2, "nested": {"a": true}, "foo": "bar", "f": 1.5, "n": null, "arr": [], "o": {}}`), "OK"},
		{a("JSON.TYPE", "doc", "$..foo"), []any{"string"}},
		{a("JSON.TYPE", "doc", "$..a"), []any{"integer", "boolean"}},
		{a("JSON.TYPE", "doc", "$..dummy"), []any{}},
		{a("JSON.TYPE", "doc"), "object"},
		{a("JSON.TYPE", "doc", ".f"), "number"},
		{a("JSON.TYPE", "doc", ".n"), "null"},
		{a("JSON.TYPE", "doc", ".arr"), "array"},
		{a("JSON.TYPE", "doc", ".nope"), nil},
		{a("JSON.TYPE", "doc", "[["), nil},
		{a("JSON.TYPE", "missing"), nil},
		// JSON.NUMINCRBY
		{a("JSON.SET", "doc", ".", `{"a":"b","b":[{"a":2}, {"a":5}, {"a":"c"}]}`), "OK"},
		{a("JSON.NUMINCRBY", "doc", "$.a", "2"), `[null]`},
		{a("JSON.NUMINCRBY", "doc", "$..a", "2"), `[null,4,7,null]`},
		{a("JSON.NUMINCRBY", "doc", ".b[1].a", "0.5"), "7.5"},
		{a("JSON.NUMINCRBY", "doc", ".b[1].a", "0.5"), "8.0"},
		{a("JSON.NUMINCRBY", "doc", ".b[0].a", "-10"), "-6"},
		{a("JSON.NUMINCRBY", "doc", ".a", "1"), "ERR Path '$.a' does not exist or does not contains a number"},
		{a("JSON.NUMINCRBY", "doc", ".b[0].a", `"x"`), "ERR bad input number"},
		{a("JSON.NUMINCRBY", "doc", ".b[0].a", `x`), "ERR expected value at line 1 column 1"},
		{a("JSON.NUMINCRBY", "doc", ".b[0].a", `1e308`), "1e308"},
		{a("JSON.NUMINCRBY", "doc", ".b[0].a", `1e308`), "ERR result is not a number"},
		{a("JSON.GET", "doc"), `{"a":"b","b":[{"a":1e308},{"a":8.0},{"a":"c"}]}`},
		{a("JSON.SET", "big", "$", `9223372036854775807`), "OK"},
		{a("JSON.NUMINCRBY", "big", ".", "1"), "9.223372036854776e18"},
		{a("JSON.NUMINCRBY", "missing", ".", "1"), "ERR could not perform this operation on a key that doesn't exist"},
		{a("JSON.NUMINCRBY", "doc", ".a"), "ERR wrong number of arguments for 'json.numincrby' command"},
		// JSON.ARRAPPEND
		{a("JSON.SET", "item:1", "$", `{"name":"Noise-cancelling Bluetooth headphones","description":"Wireless Bluetooth headphones with noise-cancelling technology","connection":{"wireless":true,"type":"Bluetooth"},"price":99.98,"stock":25,"colors":["black","silver"]}`), "OK"},
		{a("JSON.ARRAPPEND", "item:1", "$.colors", `"blue"`), []any{int64(3)}},
		{a("JSON.GET", "item:1", "colors"), `["black","silver","blue"]`},
		{a("JSON.GET", "item:1", "price"), `99.98`},
		{a("JSON.ARRAPPEND", "item:1", ".colors", `"red"`, `{"x": [ ]}`), int64(5)},
		{a("JSON.ARRAPPEND", "item:1", "$..*", `0`), []any{nil, nil, nil, nil, nil, int64(6), nil, nil, nil, nil, nil, nil, nil, int64(1)}},
		{a("JSON.GET", "item:1", "colors"), `["black","silver","blue","red",{"x":[0]},0]`},
		{a("JSON.ARRAPPEND", "item:1", ".name", `1`), "ERR Path '.name' does not exist or not an array"},
		{a("JSON.ARRAPPEND", "item:1", ".colors", `bad`), "ERR expected value at line 1 column 1"},
		{a("JSON.ARRAPPEND", "missing", ".", `1`), "ERR could not perform this operation on a key that doesn't exist"},
		{a("JSON.ARRAPPEND", "item:1", ".colors"), "ERR wrong number of arguments for 'json.arrappend' command"},
		// JSON.DEL
		{a("JSON.SET", "doc", "$", `{"a": 1, "nested": {"a": 2, "b": 3}}`), "OK"},
		{a("JSON.DEL", "doc", "$..a"), int64(2)},
		{a("JSON.GET", "doc", "$"), `[{"nested":{"b":3}}]`},
		{a("JSON.DEL", "doc", ".nope"), int64(0)},
		{a("JSON.SET", "arr", "$", `[1,[2,[3]],4]`), "OK"},
		{a("JSON.DEL", "arr", "$..*"), int64(3)},
		{a("JSON.GET", "arr"), `[]`},
		{a("JSON.SET", "arr", "$", `{"x":{"x":{"x":1}},"y":[1,2,3]}`), "OK"},
		{a("JSON.DEL", "arr", "$..x"), int64(1)},
		{a("JSON.FORGET", "arr", "$.y[0]"), int64(1)},
		{a("JSON.GET", "arr"), `{"y":[2,3]}`},
		{a("JSON.DEL", "arr"), int64(1)},
		{a("EXISTS", "arr"), int64(0)},
		{a("JSON.DEL", "arr"), int64(0)},
		{a("JSON.DEL", "str"), "WRONGTYPE Operation against a key holding the wrong kind of value"},
		{a("TYPE", "doc"), "ReJSON-RL"},
	})
}

// Documents survive a restart through the RDB file and through the AOF
// (with and without the RDB preamble in the rewritten AOF), COPY makes an
// independent copy, and MEMORY USAGE sees the document's size.
func TestJSONPersistence(t *testing.T) {
	doc := `{"a":[1,2.5,"x",{"b":null}],"é":true}`
	for _, conf := range [][]string{
		nil,
		{"appendonly yes"},
		{"appendonly yes", "aof-use-rdb-preamble no"},
	} {
		t.Run(strings.Join(conf, ","), func(t *testing.T) {
			h := sdktest.NewWithOptions(t, OnLoad, sdktest.Options{Config: conf})
			h.MustEqual("OK", "JSON.SET", "k", "$", doc)
			h.MustEqual("OK", "JSON.SET", "k", "$.a[3].c", "[]")
			h.MustEqual(int64(1), "JSON.ARRAPPEND", "k", ".a[3].c", "1")
			want := `{"a":[1,2.5,"x",{"b":null,"c":[1]}],"é":true}`
			h.MustEqual(want, "JSON.GET", "k")
			if len(conf) > 0 {
				h.MustEqual("Background append only file rewriting started", "BGREWRITEAOF")
				h.MustEqual("OK", "JSON.SET", "k", "$.after", "1") // in the new AOF's increment
				want = `{"a":[1,2.5,"x",{"b":null,"c":[1]}],"é":true,"after":1}`
			} else {
				h.MustEqual("OK", "SAVE")
			}
			h.Restart()
			h.MustEqual(want, "JSON.GET", "k")
			h.MustEqual(int64(1), "COPY", "k", "k2")
			h.MustEqual("OK", "JSON.SET", "k2", "$.a", "0")
			h.MustEqual(want, "JSON.GET", "k")
			want2 := `{"a":0,"é":true}`
			if len(conf) > 0 {
				want2 = `{"a":0,"é":true,"after":1}`
			}
			h.MustEqual(want2, "JSON.GET", "k2")
			n := h.MustDo("MEMORY", "USAGE", "k").Int
			if n < int64(len(want)) || n > int64(len(want))+300 {
				t.Errorf("MEMORY USAGE %d for a %d-byte document", n, len(want))
			}
		})
	}
}
