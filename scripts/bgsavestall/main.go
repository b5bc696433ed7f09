// Command bgsavestall measures what a background save costs the clients of
// a Redis-compatible server on loopback: it fills -keys keys (pipelined
// SETs), then runs BGSAVE (or, with -rewrite, BGREWRITEAOF) while one
// client PINGs in a loop, and prints the longest PING round trip during the
// save and the save's duration:
//
//	stall_us=1234 save_ms=567
//
// Used by scripts/bench-bgsave.sh.
package main

import (
	"flag"
	"fmt"
	"modis/scripts/internal/benchconn"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "server address (loopback)")
	keys := flag.Int("keys", 1000000, "keys to fill (0: keep what is there)")
	idle := flag.Duration("idle", 0, "instead of BGSAVE, measure the PING stall over this long with no save (a baseline)")
	rewrite := flag.Bool("rewrite", false, "run BGREWRITEAOF instead of BGSAVE (the server must have appendonly yes)")
	flag.Parse()
	idleFor = *idle
	if *rewrite {
		bgCmd, inProgress, okStatus = "bgrewriteaof", "aof_rewrite_in_progress:0", "aof_last_bgrewrite_status:ok"
	}
	if err := run(*addr, *keys); err != nil {
		fmt.Fprintln(os.Stderr, "bgsavestall:", err)
		os.Exit(1)
	}
}

var idleFor time.Duration

// The command measured and the INFO persistence lines that say it ended
// and succeeded.
var bgCmd, inProgress, okStatus = "bgsave", "rdb_bgsave_in_progress:0", "rdb_last_bgsave_status:ok"

func run(addr string, keys int) error {
	c, err := benchconn.Dial(addr)
	if err != nil {
		return err
	}
	if keys > 0 {
		c.Do("flushall")
		val := strings.Repeat("v", 32)
		const batch = 10000
		for i := 0; i < keys; i += batch {
			n := min(batch, keys-i)
			for j := 0; j < n; j++ {
				c.Send("set", "key:"+strconv.Itoa(i+j), val)
			}
			c.W.Flush()
			for j := 0; j < n; j++ {
				if _, err := c.Reply(); err != nil {
					return err
				}
			}
		}
	}
	// Let the server settle, then ping in the background.
	p, err := benchconn.Dial(addr)
	if err != nil {
		return err
	}
	stop := make(chan struct{})
	res := make(chan time.Duration, 1)
	go func() {
		var worst time.Duration
		for {
			select {
			case <-stop:
				res <- worst
				return
			default:
			}
			t := time.Now()
			if _, err := p.Do("ping"); err != nil {
				res <- -1
				return
			}
			worst = max(worst, time.Since(t))
		}
	}()
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	if idleFor > 0 {
		time.Sleep(idleFor)
		close(stop)
		fmt.Printf("stall_us=%d save_ms=0\n", (<-res).Microseconds())
		return nil
	}
	if r, err := c.Do(bgCmd); err != nil {
		return fmt.Errorf("%s: %v %s", bgCmd, err, r)
	}
	for {
		info, err := c.Do("info", "persistence")
		if err != nil {
			return err
		}
		if strings.Contains(info, inProgress) {
			if !strings.Contains(info, okStatus) {
				return fmt.Errorf("%s failed", bgCmd)
			}
			break
		}
		time.Sleep(time.Millisecond)
	}
	took := time.Since(start)
	close(stop)
	worst := <-res
	if worst < 0 {
		return fmt.Errorf("PING failed")
	}
	fmt.Printf("stall_us=%d save_ms=%d\n", worst.Microseconds(), took.Milliseconds())
	return nil
}
