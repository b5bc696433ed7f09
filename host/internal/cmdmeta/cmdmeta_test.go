package cmdmeta

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"modis/host/internal/resp"
)

func encode(v *resp.Value, p3 bool) string {
	b := &resp.Buffer{P3: p3}
	v.WriteTo(b)
	return string(b.B)
}

func TestIndex(t *testing.T) {
	if err := Err(); err != nil {
		t.Fatal(err)
	}
	if Version() != "7.0.15" {
		t.Fatalf("Version() = %q", Version())
	}
	names := Names()
	if len(names) != 240 { // COMMAND COUNT of redis-server 7.0.15
		t.Fatalf("%d commands", len(names))
	}
	for _, n := range names {
		if n != strings.ToLower(n) || strings.Contains(n, "|") {
			t.Errorf("bad top-level name %q", n)
		}
	}
	if Lookup("nosuch") != nil || Lookup("get|x") != nil || Lookup("config|nosuch") != nil || Lookup("") != nil {
		t.Fatal("lookup of an unknown command found something")
	}
}

// TestRoundTrip: every entry, parsed and replayed in RESP3, gives back the
// stored bytes, so the replay is exactly what Redis sent.
func TestRoundTrip(t *testing.T) {
	tb := buildIndex(data)
	if tb.err != nil {
		t.Fatal(tb.err)
	}
	subs := 0
	for _, name := range tb.names {
		e := tb.entries[name]
		c := Lookup(name)
		if c == nil {
			t.Fatalf("Lookup(%q) = nil", name)
		}
		if got := encode(c.Info, true); got != string(e.info) {
			t.Errorf("%s: COMMAND INFO entry does not round-trip", name)
		}
		if got := encode(c.Docs, true); got != string(e.docs) {
			t.Errorf("%s: COMMAND DOCS entry does not round-trip", name)
		}
		if c.specErr != nil {
			t.Errorf("%s: %v", name, c.specErr)
		}
		if string(c.InfoField(InfoName).Str) != name {
			t.Errorf("%s: entry names %q", name, c.InfoField(InfoName).Str)
		}
		for _, s := range c.Subs() {
			subs++
			if s.Parent != c || !strings.HasPrefix(s.Name, name+"|") || s.Docs == nil {
				t.Errorf("bad subcommand %q of %q", s.Name, name)
			}
			if s.specErr != nil {
				t.Errorf("%s: %v", s.Name, s.specErr)
			}
			if Lookup(s.Name) != s {
				t.Errorf("Lookup(%q) is not the subcommand", s.Name)
			}
		}
	}
	if subs != 126 { // COMMAND LIST of redis-server 7.0.15 names 366
		t.Errorf("%d subcommands", subs)
	}
}

// TestReplay: the RESP2 downgrade of an entry, and simple strings staying
// simple, as redis-server 7.0.15 sends GET's entry.
func TestReplay(t *testing.T) {
	get := Lookup("get")
	want2 := "*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n" +
		"*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n" +
		"$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n"
	if got := encode(get.Info, false); got != want2 {
		t.Fatalf("GET in RESP2:\n got %q\nwant %q", got, want2)
	}
	want3 := strings.NewReplacer("*2\r\n+readonly", "~2\r\n+readonly", "*3\r\n+@read", "~3\r\n+@read", "*0\r\n*1\r\n*6", "~0\r\n~1\r\n%3",
		"*2\r\n+RO", "~2\r\n+RO", "*4\r\n", "%2\r\n", "*2\r\n$5\r\nindex", "%1\r\n$5\r\nindex", "*6\r\n$7", "%3\r\n$7", ":0\r\n*0\r\n", ":0\r\n~0\r\n").Replace(want2)
	if got := encode(get.Info, true); got != want3 {
		t.Fatalf("GET in RESP3:\n got %q\nwant %q", got, want3)
	}
	if got := string(get.DocsField("complexity").Str); got != "O(1)" {
		t.Fatalf("GET complexity %q", got)
	}
	if got := get.ACLCategories(); !reflect.DeepEqual(got, []string{"@read", "@string", "@fast"}) {
		t.Fatalf("GET ACL categories %q", got)
	}
	if got := Lookup("del").Tips(); !reflect.DeepEqual(got, []string{"request_policy:multi_shard", "response_policy:agg_sum"}) {
		t.Fatalf("DEL tips %q", got)
	}
	if got := Lookup("config|get").ACLCategories(); !reflect.DeepEqual(got, []string{"@admin", "@slow", "@dangerous"}) {
		t.Fatalf("CONFIG GET ACL categories %q", got)
	}
}

func TestParse(t *testing.T) {
	in := "%2\r\n+a\r\n~2\r\n:1\r\n_\r\n$1\r\nb\r\n*3\r\n,1.5\r\n#t\r\n=7\r\ntxt:abc\r\nrest"
	v, n, err := Parse([]byte(in))
	if err != nil || n != len(in)-4 {
		t.Fatalf("Parse: %v, %d", err, n)
	}
	if got := encode(v, true); got != in[:n] {
		t.Fatalf("RESP3 replay %q", got)
	}
	if got := encode(v, false); got != "*4\r\n+a\r\n*2\r\n:1\r\n$-1\r\n$1\r\nb\r\n*3\r\n$3\r\n1.5\r\n:1\r\n$3\r\nabc\r\n" {
		t.Fatalf("RESP2 replay %q", got)
	}
	for _, bad := range []string{"", "*2\r\n:1\r\n", "$5\r\nab\r\n", "?x\r\n", "*x\r\n", ":1", "\r\n"} {
		if _, _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
	if tb := buildIndex([]byte("$6\r\n7.0.15\r\n$3\r\nget\r\n*1\r\n")); tb.err == nil {
		t.Error("a truncated data file was accepted")
	}
}

func args(line string) [][]byte {
	var out [][]byte
	for _, f := range strings.Fields(line) {
		out = append(out, []byte(f))
	}
	return out
}

func TestKeysFromSpecs(t *testing.T) {
	cases := []struct {
		line string
		want []string // positions:flags; nil when the specs cannot tell
		ok   bool
	}{
		{"GET k", []string{"1:RO,access"}, true},
		{"MSET a 1 b 2", []string{"1:OW,update", "3:OW,update"}, true},
		{"LMOVE a b LEFT RIGHT", []string{"1:RW,access,delete", "2:RW,insert"}, true},
		{"ZUNIONSTORE d 2 a b WEIGHTS 1 2", []string{"1:OW,update", "3:RO,access", "4:RO,access"}, true},
		{"ZUNIONSTORE d 0 a", nil, false},
		{"ZUNIONSTORE d 3 a b", nil, false},
		{"ZUNIONSTORE d x a b", nil, false},
		{"ZUNIONSTORE d -1 a b", nil, false},
		{"EVAL s 2 k1 k2 a", []string{"3:RW,access,update", "4:RW,access,update"}, true},
		{"EVAL s 0", nil, false},
		{"XREAD COUNT 2 STREAMS a b 0 0", []string{"4:RO,access", "5:RO,access"}, true},
		{"XREAD STREAMS a 0", []string{"2:RO,access"}, true},
		{"XREAD COUNT 2", nil, true},                // no STREAMS: no keys
		{"MIGRATE h p '' 0 5 KEYS a b", nil, false}, // incomplete
		{"MIGRATE h p k 0 5", []string{"3:RW,access,delete"}, true},
		{"SORT k STORE d", nil, false}, // unknown specs
		{"GEORADIUS k 0 0 1 m STORE d", []string{"1:RO,access", "7:OW,update"}, true},
		{"GEORADIUS k 0 0 1 m", []string{"1:RO,access"}, true},
		{"SPUBLISH ch m", nil, true}, // not_key
	}
	for _, tc := range cases {
		a := args(tc.line)
		c := Lookup(strings.ToLower(string(a[0])))
		keys, ok := c.KeysFromSpecs(a)
		var got []string
		for _, k := range keys {
			got = append(got, strconv.Itoa(k.Pos)+":"+strings.Join(k.Flags.Names(), ","))
		}
		if ok != tc.ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %q %v, want %q %v", tc.line, got, ok, tc.want, tc.ok)
		}
	}
	if !Lookup("get").HasKeys() || Lookup("spublish").HasKeys() || Lookup("ping").HasKeys() {
		t.Error("HasKeys")
	}
	if Lookup("set").AllKeyFlags()&KeyVariableFlags == 0 {
		t.Error("SET's key spec has variable_flags")
	}
}

func TestKeyFlags(t *testing.T) {
	all := KeyFlag(1<<len(keyFlagNames) - 1)
	if got := strings.Join(all.Names(), " "); got != "RO RW OW RM access update insert delete not_key incomplete variable_flags" {
		t.Fatal(got)
	}
	for _, n := range keyFlagNames {
		if ParseKeyFlag(n).Names()[0] != n {
			t.Errorf("ParseKeyFlag(%q)", n)
		}
	}
	if ParseKeyFlag("nope") != 0 {
		t.Error("ParseKeyFlag of an unknown flag")
	}
}
