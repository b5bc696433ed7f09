package glob

import "testing"

func TestMatch(t *testing.T) {
	cases := []struct {
		pat, s string
		nocase bool
		want   bool
	}{
		{"*", "", false, true},
		{"*", "anything", false, true},
		{"h?llo", "hello", false, true},
		{"h?llo", "hllo", false, false},
		{"h*llo", "heeeello", false, true},
		{"h[ae]llo", "hallo", false, true},
		{"h[ae]llo", "hillo", false, false},
		{"h[^e]llo", "hallo", false, true},
		{"h[^e]llo", "hello", false, false},
		{"h[a-b]llo", "hbllo", false, true},
		{"h[b-a]llo", "hallo", false, true},
		{"h\\*llo", "h*llo", false, true},
		{"h\\*llo", "hello", false, false},
		{"port", "PORT", true, true},
		{"port", "PORT", false, false},
		{"*max-*-entries*", "hash-max-listpack-entries", false, true},
		{"a*", "a", false, true},
		{"a**b", "axxb", false, true},
		{"abc", "ab", false, false},
		{"ab", "abc", false, false},
		{"[", "a", false, false},
		{"user:*:name", "user:42:name", false, true},
	}
	for _, c := range cases {
		if got := Match(c.pat, c.s, c.nocase); got != c.want {
			t.Errorf("Match(%q, %q, %v) = %v, want %v", c.pat, c.s, c.nocase, got, c.want)
		}
	}
}
