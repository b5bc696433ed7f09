package test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis's own tools against Modis: redis-cli's special modes (--scan,
// --bigkeys, --memkeys, --pipe, --stat, --latency) and redis-benchmark's
// default run. Each needs particular commands and reply fields, the way they
// are in Redis.

// tool runs a Redis tool against host:port with a deadline and returns its
// combined output.
func tool(t *testing.T, port int, stdin []byte, name string, args ...string) (string, error) {
	t.Helper()
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	all := append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(port)}, args...)
	cmd := exec.CommandContext(cctx, name, all...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("%s %s: %v", name, strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	if cctx.Err() != nil {
		err = fmt.Errorf("%v (timed out)", err)
	}
	return string(out), err
}

func TestRedisCLITools(t *testing.T) {
	needTool(t, "redis-cli", "Debian's redis-tools")
	addr, port := clientTarget(t)
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()

	// A keyspace with one key of each type that is the biggest of its type.
	var users []string
	_, popErr := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := 0; i < 300; i++ {
			users = append(users, fmt.Sprintf("user:%d", i))
			p.Set(ctx, users[i], strings.Repeat("x", i%50), 0)
		}
		p.Set(ctx, "big:string", strings.Repeat("s", 1000), 0)
		for i := 0; i < 10; i++ {
			p.HSet(ctx, "big:hash", fmt.Sprintf("f%d", i), i)
		}
		return nil
	})
	_, popTypesErr := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := 0; i < 20; i++ {
			p.RPush(ctx, "big:list", i)
		}
		p.SAdd(ctx, "big:set", "a", "b", "c", "d", "e")
		for i := 0; i < 7; i++ {
			p.ZAdd(ctx, "big:zset", redis.Z{Score: float64(i), Member: i})
		}
		return nil
	})
	if popErr != nil {
		t.Fatalf("populating strings and hashes: %v", popErr)
	}
	sort.Strings(users)
	keys := rdb.DBSize(ctx).Val()

	t.Run("scan", func(t *testing.T) {
		out, err := tool(t, port, nil, "redis-cli", "--scan", "--pattern", "user:*")
		if err != nil || strings.Contains(out, "error") {
			t.Fatalf("redis-cli --scan --pattern user:*: %v\n%s", err, out)
		}
		got := strings.Fields(out)
		sort.Strings(got)
		if strings.Join(got, " ") != strings.Join(users, " ") {
			t.Errorf("redis-cli --scan --pattern user:* listed %d keys, want the 300 user:N:\n%s", len(got), out)
		}
		out, err = tool(t, port, nil, "redis-cli", "--scan")
		if n := len(strings.Fields(out)); err != nil || int64(n) != keys {
			t.Errorf("redis-cli --scan listed %d keys, want %d: %v\n%s", n, keys, err, out)
		}
	})

	checkSummary := func(t *testing.T, mode, unit string, wants []string) {
		t.Helper()
		if popTypesErr != nil {
			t.Errorf("populating lists, sets and sorted sets: %v", popTypesErr)
		}
		out, err := tool(t, port, nil, "redis-cli", mode)
		if err != nil || regexp.MustCompile(`(?i)error`).MatchString(out) {
			t.Fatalf("redis-cli %s: %v\n%s", mode, err, out)
		}
		if want := fmt.Sprintf("Sampled %d keys in the keyspace!", keys); !strings.Contains(out, want) {
			t.Errorf("redis-cli %s: no %q in\n%s", mode, want, out)
		}
		for _, w := range wants {
			if !regexp.MustCompile(w).MatchString(out) {
				t.Errorf("redis-cli %s: no match for %q in\n%s", mode, w, out)
			}
		}
		if want := fmt.Sprintf(`301 strings with \d+ %s`, unit); !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("redis-cli %s: no match for %q in\n%s", mode, want, out)
		}
	}

	t.Run("bigkeys", func(t *testing.T) {
		checkSummary(t, "--bigkeys", "bytes", []string{
			`Biggest string found '"big:string"' has 1000 bytes`,
			`Biggest   hash found '"big:hash"' has 10 fields`,
			`Biggest   list found '"big:list"' has 20 items`,
			`Biggest    set found '"big:set"' has 5 members`,
			`Biggest   zset found '"big:zset"' has 7 members`,
		})
	})

	t.Run("memkeys", func(t *testing.T) {
		checkSummary(t, "--memkeys", "bytes", []string{
			`Biggest string found '"big:string"' has \d{4,} bytes`,
			`Biggest   hash found '"big:hash"' has \d+ bytes`,
			`Biggest   list found '"big:list"' has \d+ bytes`,
			`Biggest    set found '"big:set"' has \d+ bytes`,
			`Biggest   zset found '"big:zset"' has \d+ bytes`,
		})
	})

	t.Run("pipe", func(t *testing.T) {
		// Mass insertion: raw RESP on stdin, as the Redis docs describe.
		const n = 5000
		var in bytes.Buffer
		for i := 0; i < n; i++ {
			k, v := "pipe:"+strconv.Itoa(i), "v"+strconv.Itoa(i)
			fmt.Fprintf(&in, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(k), k, len(v), v)
		}
		out, err := tool(t, port, in.Bytes(), "redis-cli", "--pipe")
		if err != nil || !strings.Contains(out, fmt.Sprintf("errors: 0, replies: %d", n)) {
			t.Fatalf("redis-cli --pipe: %v\n%s", err, out)
		}
		if got := rdb.Get(ctx, "pipe:4999").Val(); got != "v4999" {
			t.Errorf("GET pipe:4999 after --pipe = %q", got)
		}
		if got := rdb.DBSize(ctx).Val(); got != keys+n {
			t.Errorf("DBSIZE after --pipe = %d, want %d", got, keys+n)
		}
		// An error in the stream is counted, and the rest still runs.
		bad := "*2\r\n$4\r\nINCR\r\n$6\r\npipe:0\r\n*3\r\n$3\r\nSET\r\n$5\r\npipe:\r\n$1\r\nx\r\n"
		out, _ = tool(t, port, []byte(bad), "redis-cli", "--pipe")
		if !strings.Contains(out, "errors: 1, replies: 2") {
			t.Errorf("redis-cli --pipe with a failing INCR:\n%s", out)
		}
	})

	t.Run("stat", func(t *testing.T) {
		// --stat polls INFO; stdbuf makes redis-cli flush each line into the pipe.
		stdbuf, err := exec.LookPath("stdbuf")
		if err != nil {
			t.Skip("stdbuf (coreutils) is missing")
		}
		want := rdb.DBSize(ctx).Val()
		cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		cmd := exec.CommandContext(cctx, stdbuf, "-oL", "redis-cli", "-h", "127.0.0.1", "-p", strconv.Itoa(port), "--stat", "-i", "0.1")
		stdout, _ := cmd.StdoutPipe()
		cmd.Stderr = cmd.Stdout
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { cmd.Process.Kill(); cmd.Wait() }()
		var lines, data []string
		sc := bufio.NewScanner(stdout)
		for len(data) < 3 && sc.Scan() {
			lines = append(lines, sc.Text())
			if f := strings.Fields(sc.Text()); len(f) >= 6 {
				if _, err := strconv.Atoi(f[0]); err == nil {
					data = append(data, sc.Text())
				}
			}
		}
		if len(data) < 3 {
			t.Fatalf("redis-cli --stat printed no 3 data lines:\n%s", strings.Join(lines, "\n"))
		}
		// keys  mem  clients  blocked  requests (+delta)  connections
		var prev int64 = -1
		for _, line := range data {
			f := strings.Fields(line)
			if f[0] != strconv.FormatInt(want, 10) {
				t.Errorf("--stat keys = %s, want %d: %q", f[0], want, line)
			}
			if !regexp.MustCompile(`^[0-9.]+[BKMG]$`).MatchString(f[1]) {
				t.Errorf("--stat mem = %q: %q", f[1], line)
			}
			if c, _ := strconv.Atoi(f[2]); c < 1 {
				t.Errorf("--stat clients = %q: %q", f[2], line)
			}
			req, err := strconv.ParseInt(f[4], 10, 64)
			if err != nil || req <= prev {
				t.Errorf("--stat requests = %q after %d: %q", f[4], prev, line)
			}
			prev = req
		}
		t.Logf("redis-cli --stat:\n%s", strings.Join(lines, "\n"))
	})

	t.Run("latency", func(t *testing.T) {
		// Without a terminal --latency samples PING for a second and prints
		// "min max avg samples".
		out, err := tool(t, port, nil, "redis-cli", "--latency", "-i", "0.1")
		m := regexp.MustCompile(`(?m)^(\d+) (\d+) ([0-9.]+) (\d+)\s*$`).FindStringSubmatch(out)
		if err != nil || m == nil {
			t.Fatalf("redis-cli --latency: %v\n%s", err, out)
		}
		if n, _ := strconv.Atoi(m[4]); n < 1 {
			t.Errorf("redis-cli --latency took no samples: %q", out)
		}
		t.Logf("redis-cli --latency (min max avg samples): %s", strings.TrimSpace(out))
	})
}

// The tests of redis-benchmark's default run, in its order.
var benchmarkTests = []string{
	"PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "LPUSH", "RPUSH", "LPOP", "RPOP", "SADD", "HSET",
	"SPOP", "ZADD", "ZPOPMIN", "LPUSH (needed to benchmark LRANGE)", "LRANGE_100 (first 100 elements)",
	"LRANGE_300 (first 300 elements)", "LRANGE_500 (first 500 elements)", "LRANGE_600 (first 600 elements)",
	"MSET (10 keys)",
}

func TestRedisBenchmark(t *testing.T) {
	needTool(t, "redis-benchmark", "Debian's redis-tools")
	_, port := clientTarget(t)
	out, err := tool(t, port, nil, "redis-benchmark", "-q", "-n", "2000")
	// Progress lines end in \r; keep the final line of each test.
	var lines, got []string
	resultRe := regexp.MustCompile(`^(.+): ([0-9.]+) requests per second`)
	for _, l := range strings.FieldsFunc(out, func(r rune) bool { return r == '\r' || r == '\n' }) {
		if l = strings.TrimSpace(l); l == "" || strings.Contains(l, "rps=") {
			continue
		}
		lines = append(lines, l)
		if m := resultRe.FindStringSubmatch(l); m != nil {
			got = append(got, m[1])
		}
	}
	clean := strings.Join(lines, "\n")
	if err != nil {
		t.Errorf("redis-benchmark -q -n 2000: %v", err)
	}
	for _, l := range lines { // only result lines: no errors, no warnings
		if !resultRe.MatchString(l) {
			t.Errorf("redis-benchmark printed %q", l)
		}
	}
	if strings.Join(got, "\n") != strings.Join(benchmarkTests, "\n") {
		t.Errorf("redis-benchmark ran %q,\nwant %q", got, benchmarkTests)
	}
	t.Logf("redis-benchmark -q -n 2000:\n%s", clean)
}
