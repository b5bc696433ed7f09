// Command bench-persist is the client side of scripts/bench-persist.sh,
// for a Redis-compatible server on loopback:
//
//	bench-persist fill -addr A -keys N   mixed keys: 60% strings (DEBUG
//	                                     POPULATE), 10% each hashes, lists,
//	                                     sets, sorted sets (pipelined; every
//	                                     100th container is big)
//	bench-persist save -addr A           SAVE; prints save_ms=N
//	bench-persist wait -addr A           polls PING until +PONG (not
//	                                     -LOADING, not refused); prints
//	                                     ready_ms=N since -since (Unix ns)
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
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: bench-persist fill|save|wait -addr HOST:PORT [-keys N] [-since UNIXNS]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:6379", "server address (loopback)")
	keys := fs.Int("keys", 1000000, "keys to fill")
	since := fs.Int64("since", 0, "wait: the start time, Unix nanoseconds")
	timeout := fs.Duration("timeout", 5*time.Minute, "wait: give up after")
	fs.Parse(os.Args[2:])
	var err error
	switch os.Args[1] {
	case "fill":
		err = fill(*addr, *keys)
	case "save":
		err = save(*addr)
	case "wait":
		err = wait(*addr, *since, *timeout)
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-persist:", err)
		os.Exit(1)
	}
}

func fill(addr string, keys int) error {
	c, err := benchconn.Dial(addr)
	if err != nil {
		return err
	}
	if _, err := c.Do("flushall"); err != nil {
		return err
	}
	strs := keys * 6 / 10
	if _, err := c.Do("debug", "populate", strconv.Itoa(strs), "s", "32"); err != nil {
		return fmt.Errorf("DEBUG POPULATE: %v", err)
	}
	per := (keys - strs) / 4
	pending := 0
	flush := func() error {
		if err := c.W.Flush(); err != nil {
			return err
		}
		for ; pending > 0; pending-- {
			if _, err := c.Reply(); err != nil {
				return err
			}
		}
		return nil
	}
	for i := 0; i < per; i++ {
		n := 5
		if i%100 == 0 {
			n = 200 // a big one: hashtable / quicklist / skiplist encodings
		}
		is := strconv.Itoa(i)
		h := []string{"hset", "h:" + is}
		l := []string{"rpush", "l:" + is}
		st := []string{"sadd", "set:" + is}
		z := []string{"zadd", "z:" + is}
		for j := 0; j < n; j++ {
			js := strconv.Itoa(j)
			h = append(h, "field:"+js, "value:"+is+":"+js)
			l = append(l, "element:"+js)
			st = append(st, "member:"+js)
			z = append(z, strconv.Itoa(j*3)+".5", "member:"+js)
		}
		c.Send(h...)
		c.Send(l...)
		c.Send(st...)
		c.Send(z...)
		pending += 4
		if pending >= 4000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	n, err := c.Do("dbsize")
	if err != nil {
		return err
	}
	fmt.Printf("keys=%s\n", strings.TrimPrefix(n, ":"))
	return nil
}

func save(addr string) error {
	c, err := benchconn.Dial(addr)
	if err != nil {
		return err
	}
	start := time.Now()
	if r, err := c.Do("save"); err != nil || r != "+OK" {
		return fmt.Errorf("SAVE: %q %v", r, err)
	}
	fmt.Printf("save_ms=%d\n", time.Since(start).Milliseconds())
	return nil
}

func wait(addr string, since int64, timeout time.Duration) error {
	start := time.Unix(0, since)
	if since == 0 {
		start = time.Now()
	}
	deadline := time.Now().Add(timeout)
	var c *benchconn.Conn
	for time.Now().Before(deadline) {
		if c == nil {
			var err error
			if c, err = benchconn.Dial(addr); err != nil {
				c = nil
				time.Sleep(2 * time.Millisecond)
				continue
			}
		}
		r, err := c.Do("ping")
		if err == nil && r == "+PONG" {
			fmt.Printf("ready_ms=%d\n", time.Since(start).Milliseconds())
			return nil
		}
		if err != nil && !strings.HasPrefix(r, "-LOADING") {
			c.C.Close()
			c = nil
		}
		time.Sleep(2 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after %s", addr, timeout)
}
