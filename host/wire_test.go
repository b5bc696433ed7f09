package host

import (
	"bufio"
	"fmt"
	"net"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The connection reader (the vendored redcon in internal/redcon): no
// allocation per command, and a huge pipeline is never held whole.

// TestWireNoAllocsPerCommand: GET, SET and HSET over a real connection,
// alone and pipelined, allocate nothing per command once warm (upstream
// redcon's reader allocated 2 to 3 times per command: a copy of the command
// and a new argument slice).
func TestWireNoAllocsPerCommand(t *testing.T) {
	s := startTestServer(t)
	c, err := net.Dial("tcp", s.Addrs()[0].String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rd := bufio.NewReader(c)
	cmds := map[string]string{
		"GET":  "*2\r\n$3\r\nGET\r\n$5\r\nk:123\r\n",
		"SET":  "*3\r\n$3\r\nSET\r\n$5\r\nk:123\r\n$1\r\nv\r\n",
		"HSET": "*4\r\n$4\r\nHSET\r\n$5\r\nh:123\r\n$1\r\nf\r\n$1\r\nv\r\n",
	}
	for _, name := range []string{"SET", "GET", "HSET"} {
		for _, p := range []int{1, 16} {
			req := []byte(strings.Repeat(cmds[name], p))
			run := func(n int) {
				c.SetDeadline(time.Now().Add(30 * time.Second))
				for i := 0; i < n; i++ {
					if _, err := c.Write(req); err != nil {
						t.Fatal(err)
					}
					for j := 0; j < p; j++ { // each reply is one line here
						if _, err := rd.ReadSlice('\n'); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			run(200)
			const n = 8000
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			run(n / p)
			runtime.ReadMemStats(&m1)
			// The whole process counts (the test's own writes and reads,
			// the server's cron): a bound well under one per command.
			if per := float64(m1.Mallocs-m0.Mallocs) / n; per > 0.5 {
				t.Errorf("%s pipelined by %d: %.2f allocations per command, want none", name, p, per)
			}
		}
	}
}

// TestWireHugePipelineBounded: 200,000 SETs (40 MB) written without pause
// while the replies are read: the server parses and answers them as they
// come, so its heap stays far below the pipeline's size (upstream redcon
// doubled its read buffer whenever it ended in a partial command, and kept
// a copy of every command of a read).
func TestWireHugePipelineBounded(t *testing.T) {
	s := startTestServer(t)
	c, err := net.Dial("tcp", s.Addrs()[0].String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const n = 200000
	val := strings.Repeat("v", 160)
	var one []byte
	for i := 0; i < 100; i++ { // 100 keys, rewritten: the keyspace stays small
		k := "k:" + strconv.Itoa(i)
		one = fmt.Appendf(one, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(k), k, len(val), val)
	}
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	werr := make(chan error, 1)
	go func() {
		for i := 0; i < n/100; i++ {
			if _, err := c.Write(one); err != nil {
				werr <- err
				return
			}
		}
		werr <- nil
	}()
	rd := bufio.NewReaderSize(c, 64*1024)
	c.SetReadDeadline(time.Now().Add(120 * time.Second))
	var peak uint64
	for i := 0; i < n; i++ {
		line, err := rd.ReadSlice('\n')
		if err != nil {
			t.Fatalf("reply %d: %v", i, err)
		}
		if string(line) != "+OK\r\n" {
			t.Fatalf("reply %d: %q", i, line)
		}
		if i%5000 == 0 {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak {
				peak = m.HeapInuse
			}
		}
	}
	if err := <-werr; err != nil {
		t.Fatal(err)
	}
	total := n * len(one) / 100
	grown := int64(peak) - int64(base.HeapInuse)
	t.Logf("pipeline %d MB, heap in use grew by at most %.1f MB", total>>20, float64(grown)/(1<<20))
	if grown > int64(total/4) {
		t.Errorf("heap in use grew by %d bytes for a %d-byte pipeline: the server holds the pipeline", grown, total)
	}
}
