package test

import (
	"strconv"
	"strings"
	"testing"
)

// The Bloom filter module (plugins/bloom) through its real plugin.

func bloomServer(t *testing.T, dir string, lines ...string) *Server {
	t.Helper()
	return startServer(t, "--config", bgConf(t, dir, lines...), "--loadmodule", plugin("bloom"))
}

func TestBloomCommands(t *testing.T) {
	m := bloomServer(t, t.TempDir())
	c := m.Dial()
	errs := []struct {
		args []string
		want string
	}{
		{[]string{"bf.reserve", "f", "x", "100"}, "-ERR bad error rate\r\n"},
		{[]string{"bf.reserve", "f", "0", "100"}, "-ERR (0 < error rate range < 1) \r\n"},
		{[]string{"bf.reserve", "f", "1", "100"}, "-ERR (0 < error rate range < 1) \r\n"},
		{[]string{"bf.reserve", "f", "0.01", "x"}, "-ERR bad capacity\r\n"},
		{[]string{"bf.reserve", "f", "0.01", "0"}, "-ERR (capacity should be larger than 0)\r\n"},
		{[]string{"bf.reserve", "f", "0.01", "100", "EXPANSION"}, "-ERR no expansion\r\n"},
		{[]string{"bf.reserve", "f", "0.01", "100", "expansion", "x"}, "-ERR bad expansion\r\n"},
		{[]string{"bf.reserve", "f", "0.01", "100", "EXPANSION", "0"}, "-ERR expansion should be greater or equal to 1\r\n"},
		{[]string{"bf.reserve", "f", "0.01", "100", "NONSCALING", "EXPANSION", "2"}, "-ERR Nonscaling filters cannot expand\r\n"},
		{[]string{"bf.reserve", "f", "0.01"}, "-ERR wrong number of arguments for 'bf.reserve' command\r\n"},
		{[]string{"bf.add", "f"}, "-ERR wrong number of arguments for 'bf.add' command\r\n"},
		{[]string{"bf.info", "f"}, "-ERR not found\r\n"},
	}
	for _, e := range errs {
		tmExpect(t, c, e.want, e.args...)
	}
	tmExpect(t, c, "+OK\r\n", "bf.reserve", "f", "0.001", "1000", "EXPANSION", "4")
	tmExpect(t, c, "-ERR item exists\r\n", "bf.reserve", "f", "0.01", "100")
	tmExpect(t, c, "+MBbloom--\r\n", "type", "f")
	tmExpect(t, c, tmInt(1), "bf.add", "f", "apple")
	tmExpect(t, c, tmInt(0), "bf.add", "f", "apple")
	tmExpect(t, c, tmArr(tmInt(0), tmInt(1), tmInt(1)), "bf.madd", "f", "apple", "pear", "plum")
	tmExpect(t, c, tmInt(1), "bf.exists", "f", "pear")
	tmExpect(t, c, tmInt(0), "bf.exists", "f", "kiwi")
	tmExpect(t, c, tmArr(tmInt(1), tmInt(0), tmInt(1)), "bf.mexists", "f", "plum", "kiwi", "apple")
	tmExpect(t, c, tmInt(0), "bf.exists", "nokey", "x")
	tmExpect(t, c, "+OK\r\n", "set", "str", "x")
	tmExpect(t, c, tmInt(0), "bf.exists", "str", "x") // as RedisBloom
	tmExpect(t, c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "bf.add", "str", "x")
	tmExpect(t, c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "bf.info", "str")
	// 1000 items at 0.0005 (0.001 tightened): 15.82 bits an item, 1984
	// bytes, in RedisBloom's accounting 32 + 64 + 1984.
	size := 32 + 64 + 1984
	info := tmArr("+Capacity\r\n", tmInt(1000), "+Size\r\n", tmInt(size), "+Number of filters\r\n", tmInt(1),
		"+Number of items inserted\r\n", tmInt(3), "+Expansion rate\r\n", tmInt(4))
	tmExpect(t, c, info, "bf.info", "f")
	for field, want := range map[string]string{"capacity": tmInt(1000), "SIZE": tmInt(size), "Filters": tmInt(1),
		"items": tmInt(3), "expansion": tmInt(4)} {
		tmExpect(t, c, tmArr(want), "bf.info", "f", field)
	}
	tmExpect(t, c, "-ERR Invalid information value\r\n", "bf.info", "f", "bogus")
	tmExpect(t, c, tmInt(size+8+24), "memory", "usage", "f")
	// BF.ADD creates a filter with the defaults: 100 items at 0.01 (the
	// first sub-filter at 0.005), 240 bytes as RedisBloom reports.
	tmExpect(t, c, tmInt(1), "bf.add", "auto", "x")
	tmExpect(t, c, tmArr("+Capacity\r\n", tmInt(100), "+Size\r\n", tmInt(240), "+Number of filters\r\n", tmInt(1),
		"+Number of items inserted\r\n", tmInt(1), "+Expansion rate\r\n", tmInt(2)), "bf.info", "auto")
	// RESP3: a map, and null for a non-scaling filter's expansion.
	c3 := m.Dial()
	c3.Do("hello", "3")
	tmExpect(t, c3, "+OK\r\n", "bf.reserve", "ns", "0.01", "3", "NONSCALING")
	tmExpect(t, c3, "%5\r\n+Capacity\r\n:3\r\n+Size\r\n:104\r\n+Number of filters\r\n:1\r\n+Number of items inserted\r\n:0\r\n+Expansion rate\r\n_\r\n",
		"bf.info", "ns")
	tmExpect(t, c3, "*3\r\n:1\r\n:1\r\n:1\r\n", "bf.madd", "ns", "a", "b", "c")
	tmExpect(t, c3, "*2\r\n:0\r\n-ERR non scaling filter is full\r\n", "bf.madd", "ns", "a", "d", "e")
	tmExpect(t, c3, "-ERR non scaling filter is full\r\n", "bf.add", "ns", "f")
	tmExpect(t, c, "-ERR not supported for this module key\r\n", "copy", "f", "f2")
	// COMMAND INFO and COMMAND DOCS describe the commands.
	if got := c.Do("command", "info", "bf.madd"); !strings.Contains(got, ":-3\r\n") || !strings.Contains(got, "+write\r\n") {
		t.Errorf("COMMAND INFO bf.madd: %q", got)
	}
	if got := c.Do("command", "docs", "bf.add"); !strings.Contains(got, "Adds an item to a Bloom Filter") || !strings.Contains(got, "bf") {
		t.Errorf("COMMAND DOCS bf.add: %q", got)
	}
}

// TestBloomFalsePositives: over 10,000 items, a filter answers yes for
// every item added and for at most about error_rate of the others.
func TestBloomFalsePositives(t *testing.T) {
	m := bloomServer(t, t.TempDir())
	c := m.Dial()
	tmExpect(t, c, "+OK\r\n", "bf.reserve", "reserved", "0.01", "10000")
	const n = 10000
	for _, key := range []string{"reserved", "scaled"} { // scaled: BF.MADD creates it with capacity 100
		add := []string{"bf.madd", key}
		for i := 0; i < n; i++ {
			add = append(add, "member:"+strconv.Itoa(i))
			if len(add) == 1002 {
				if got := c.Do(add...); strings.Contains(got, "-") {
					t.Fatalf("BF.MADD: %q", got)
				}
				add = add[:2]
			}
		}
		present, fp := 0, 0
		for _, prefix := range []string{"member:", "other:"} {
			q := []string{"bf.mexists", key}
			for i := 0; i < n; i++ {
				q = append(q, prefix+strconv.Itoa(i))
			}
			ones := strings.Count(c.Do(q...), ":1\r\n")
			if prefix == "member:" {
				present = ones
			} else {
				fp = ones
			}
		}
		if present != n {
			t.Errorf("%s: %d of %d members found: a Bloom filter has no false negatives", key, present, n)
		}
		rate := float64(fp) / n
		t.Logf("%s: false positive rate %.4f (error rate 0.01)", key, rate)
		if rate > 0.015 {
			t.Errorf("%s: false positive rate %.4f, want at most about 0.01", key, rate)
		}
		// An item whose bits were all set already is not counted.
		items, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(c.Do("bf.info", key, "items"), "*1\r\n:"), "\r\n"))
		if items > n || items < n*98/100 {
			t.Errorf("%s: BF.INFO ITEMS %d after %d adds", key, items, n)
		}
	}
	if got := c.Do("bf.info", "scaled", "filters"); got == tmArr(tmInt(1)) {
		t.Errorf("the scaled filter did not grow: %q", got)
	}
}

// TestBloomPersistence: filters come back after a restart, from the RDB
// file and from the AOF (with and without its RDB preamble).
func TestBloomPersistence(t *testing.T) {
	for _, mode := range []string{"rdb", "aof-preamble", "aof-commands"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			var conf []string
			switch mode {
			case "aof-preamble":
				conf = []string{"appendonly yes"}
			case "aof-commands":
				conf = []string{"appendonly yes", "aof-use-rdb-preamble no"}
			}
			m := bloomServer(t, dir, conf...)
			c := m.Dial()
			tmExpect(t, c, "+OK\r\n", "bf.reserve", "f", "0.001", "50", "EXPANSION", "3")
			add := []string{"bf.madd", "f"}
			for i := 0; i < 500; i++ {
				add = append(add, "x"+strconv.Itoa(i))
			}
			c.Do(add...)
			tmExpect(t, c, "+OK\r\n", "bf.reserve", "ns", "0.01", "10", "NONSCALING")
			tmExpect(t, c, tmInt(1), "bf.add", "ns", "only")
			if mode != "rdb" {
				tmExpect(t, c, "+Background append only file rewriting started\r\n", "bgrewriteaof")
				tmWaitAOFRewrite(t, m)
			}
			tmExpect(t, c, tmInt(1), "bf.add", "f", "after-the-rewrite")
			infoF, infoNS := c.Do("bf.info", "f"), c.Do("bf.info", "ns")
			digest := c.Do("debug", "digest")
			if mode == "rdb" {
				tmExpect(t, c, "+OK\r\n", "save")
			}
			tmKill(m)
			m2 := bloomServer(t, dir, conf...)
			c2 := m2.Dial()
			tmExpect(t, c2, infoF, "bf.info", "f")
			tmExpect(t, c2, infoNS, "bf.info", "ns")
			tmExpect(t, c2, digest, "debug", "digest")
			q := []string{"bf.mexists", "f", "after-the-rewrite"}
			for i := 0; i < 500; i++ {
				q = append(q, "x"+strconv.Itoa(i))
			}
			if got := c2.Do(q...); strings.Count(got, ":1\r\n") != 501 {
				t.Errorf("items lost in the restart: %q", got)
			}
			tmExpect(t, c2, "+MBbloom--\r\n", "type", "f")
		})
	}
}
