package test

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// Blocking sorted set commands (BZPOPMIN BZPOPMAX BZMPOP) over real
// connections. Every test runs against Modis and, with
// MODIS_COMPARE_REDIS=host:port (a scratch redis-server 7.0.15 on
// loopback), against the real Redis too: that is how the expected replies
// were checked. Whether a client is blocked is read from CLIENT LIST (its
// name, set by CLIENT SETNAME, and its current command).

// zTargets runs fn against a fresh Modis and, if configured, the real Redis
// (flushed first).
func zTargets(t *testing.T, fn func(t *testing.T, addr string, ctl *Conn)) {
	t.Run("modis", func(t *testing.T) {
		s := startServer(t)
		fn(t, s.Addr, zDial(t, s.Addr))
	})
	if addr := os.Getenv("MODIS_COMPARE_REDIS"); addr != "" {
		t.Run("redis", func(t *testing.T) {
			ctl := zDial(t, addr)
			ctl.Do("FLUSHALL")
			fn(t, addr, ctl)
		})
	}
}

func zDial(t *testing.T, addr string) *Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &Conn{t: t, c: c, rd: bufio.NewReader(c)}
}

// zSend writes a command without reading its reply.
func zSend(c *Conn, args ...string) {
	c.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	c.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.c.Write([]byte(b.String())); err != nil {
		c.t.Fatal(err)
	}
}

// zRead reads one reply, waiting at most d.
func zRead(c *Conn, d time.Duration) (string, error) {
	c.c.SetReadDeadline(time.Now().Add(d))
	var out strings.Builder
	err := readReply(c.rd, &out)
	return out.String(), err
}

// zMust reads one reply within 5 seconds.
func zMust(c *Conn) string {
	c.t.Helper()
	r, err := zRead(c, 5*time.Second)
	if err != nil {
		c.t.Fatalf("reading a reply: %v (so far %q)", err, r)
	}
	return r
}

// zSilent checks that c receives nothing for d.
func zSilent(c *Conn, d time.Duration) {
	c.t.Helper()
	if r, err := zRead(c, d); err == nil || r != "" {
		c.t.Fatalf("unexpected reply %q", r)
	}
}

// zNamed dials a client and names it.
func zNamed(t *testing.T, addr, name string) *Conn {
	t.Helper()
	c := zDial(t, addr)
	if r := c.Do("CLIENT", "SETNAME", name); r != "+OK\r\n" {
		t.Fatalf("CLIENT SETNAME: %q", r)
	}
	return c
}

// zBlocked dials a client called name, sends a blocking command and waits
// until the server shows it blocked in it.
func zBlocked(t *testing.T, addr string, ctl *Conn, name string, args ...string) *Conn {
	t.Helper()
	c := zNamed(t, addr, name)
	zSend(c, args...)
	want := "name=" + name + " "
	cmd := "cmd=" + strings.ToLower(args[0]) + " "
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(ctl.Do("CLIENT", "LIST"), "\n") {
			if strings.Contains(line, want) && strings.Contains(line, cmd) {
				return c
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("client %s never blocked in %v", name, args)
	return nil
}

func zExpect(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

func zBulk(s string) string { return fmt.Sprintf("$%d\r\n%s\r\n", len(s), s) }

func zArr(elems ...string) string {
	return fmt.Sprintf("*%d\r\n", len(elems)) + strings.Join(elems, "")
}

func TestZsetBlockingServedByZadd(t *testing.T) {
	zTargets(t, func(t *testing.T, addr string, ctl *Conn) {
		a := zBlocked(t, addr, ctl, "za", "BZPOPMIN", "nokey", "z", "0")
		zExpect(t, "ZADD", ctl.Do("ZADD", "z", "2", "b", "1", "a"), ":2\r\n")
		zExpect(t, "BZPOPMIN", zMust(a), zArr(zBulk("z"), zBulk("a"), zBulk("1")))
		zExpect(t, "ZRANGE", ctl.Do("ZRANGE", "z", "0", "-1"), zArr(zBulk("b")))

		b := zBlocked(t, addr, ctl, "zb", "BZPOPMAX", "z2", "0")
		zExpect(t, "ZINCRBY", ctl.Do("ZINCRBY", "z2", "1.5", "m"), zBulk("1.5"))
		zExpect(t, "BZPOPMAX", zMust(b), zArr(zBulk("z2"), zBulk("m"), zBulk("1.5")))
		zExpect(t, "EXISTS", ctl.Do("EXISTS", "z2"), ":0\r\n")

		// The client runs its next command normally afterwards.
		zExpect(t, "PING", a.Do("PING"), "+PONG\r\n")

		// A store command also serves.
		c := zBlocked(t, addr, ctl, "zc", "BZPOPMIN", "dst", "0")
		zExpect(t, "ZUNIONSTORE", ctl.Do("ZUNIONSTORE", "dst", "1", "z"), ":1\r\n")
		zExpect(t, "BZPOPMIN", zMust(c), zArr(zBulk("dst"), zBulk("b"), zBulk("2")))
	})
}

func TestZsetBlockingTimeout(t *testing.T) {
	zTargets(t, func(t *testing.T, addr string, ctl *Conn) {
		c := zDial(t, addr)
		start := time.Now()
		zExpect(t, "BZPOPMIN", c.Do("BZPOPMIN", "z", "0.2"), "*-1\r\n")
		if d := time.Since(start); d < 150*time.Millisecond || d > 3*time.Second {
			t.Errorf("timed out after %v", d)
		}
		zExpect(t, "BZMPOP", c.Do("BZMPOP", "0.05", "2", "a", "b", "MAX", "COUNT", "3"), "*-1\r\n")
		c.Do("HELLO", "3")
		zExpect(t, "BZPOPMAX RESP3", c.Do("BZPOPMAX", "z", "0.05"), "_\r\n")
		zExpect(t, "BZMPOP RESP3", c.Do("BZMPOP", "0.05", "1", "z", "MIN"), "_\r\n")
		// Nothing was left behind: a later ZADD is not consumed.
		ctl.Do("ZADD", "z", "1", "a")
		zExpect(t, "ZCARD", ctl.Do("ZCARD", "z"), ":1\r\n")
	})
}

// TestZsetBlockingFIFO: clients blocked on a key are served in the order
// they blocked, each popping from what the previous one left.
func TestZsetBlockingFIFO(t *testing.T) {
	zTargets(t, func(t *testing.T, addr string, ctl *Conn) {
		a := zBlocked(t, addr, ctl, "fa", "BZPOPMIN", "z", "0")
		b := zBlocked(t, addr, ctl, "fb", "BZPOPMAX", "other", "z", "0")
		c := zBlocked(t, addr, ctl, "fc", "BZMPOP", "0", "1", "z", "MIN", "COUNT", "2")
		d := zBlocked(t, addr, ctl, "fd", "BZPOPMIN", "z", "0")
		zExpect(t, "ZADD", ctl.Do("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"), ":5\r\n")
		zExpect(t, "first", zMust(a), zArr(zBulk("z"), zBulk("a"), zBulk("1")))
		zExpect(t, "second", zMust(b), zArr(zBulk("z"), zBulk("e"), zBulk("5")))
		zExpect(t, "third", zMust(c), zArr(zBulk("z"), zArr(zArr(zBulk("b"), zBulk("2")), zArr(zBulk("c"), zBulk("3")))))
		zExpect(t, "fourth", zMust(d), zArr(zBulk("z"), zBulk("d"), zBulk("4")))
		zExpect(t, "EXISTS", ctl.Do("EXISTS", "z"), ":0\r\n")

		// One element for two waiters: the first is served, the second keeps
		// waiting until the next one.
		e := zBlocked(t, addr, ctl, "fe", "BZPOPMIN", "z", "0")
		f := zBlocked(t, addr, ctl, "ff", "BZPOPMIN", "z", "0")
		ctl.Do("ZADD", "z", "1", "x")
		zExpect(t, "fifth", zMust(e), zArr(zBulk("z"), zBulk("x"), zBulk("1")))
		zSilent(f, 100*time.Millisecond)
		ctl.Do("ZADD", "z", "2", "y")
		zExpect(t, "sixth", zMust(f), zArr(zBulk("z"), zBulk("y"), zBulk("2")))
	})
}

// TestZsetBlockingBzmpop: BZMPOP is served with its COUNT, in RESP2 and
// RESP3.
func TestZsetBlockingBzmpop(t *testing.T) {
	zTargets(t, func(t *testing.T, addr string, ctl *Conn) {
		a := zBlocked(t, addr, ctl, "ma", "BZMPOP", "0", "2", "k1", "k2", "MAX", "COUNT", "2")
		ctl.Do("ZADD", "k2", "1", "a", "2", "b", "3", "c")
		zExpect(t, "BZMPOP", zMust(a), zArr(zBulk("k2"), zArr(zArr(zBulk("c"), zBulk("3")), zArr(zBulk("b"), zBulk("2")))))

		b := zNamed(t, addr, "mb")
		b.Do("HELLO", "3")
		zSend(b, "BZMPOP", "0", "1", "k3", "MIN")
		zWaitCmd(t, ctl, "mb", "bzmpop")
		ctl.Do("ZADD", "k3", "1.5", "x")
		zExpect(t, "BZMPOP RESP3", zMust(b), "*2\r\n$2\r\nk3\r\n*1\r\n*2\r\n$1\r\nx\r\n,1.5\r\n")

		c := zNamed(t, addr, "mc")
		c.Do("HELLO", "3")
		zSend(c, "BZPOPMIN", "k4", "0")
		zWaitCmd(t, ctl, "mc", "bzpopmin")
		ctl.Do("ZADD", "k4", "7", "y")
		zExpect(t, "BZPOPMIN RESP3", zMust(c), "*3\r\n$2\r\nk4\r\n$1\r\ny\r\n,7\r\n")
	})
}

// zWaitCmd waits until the client called name is running cmd.
func zWaitCmd(t *testing.T, ctl *Conn, name, cmd string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(ctl.Do("CLIENT", "LIST"), "\n") {
			if strings.Contains(line, "name="+name+" ") && strings.Contains(line, "cmd="+cmd+" ") {
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("client %s never ran %s", name, cmd)
}

// TestZsetBlockingReadyKey: a client blocked on several keys is served
// from the key that got elements first, even when a key it lists earlier
// got some in the same transaction.
func TestZsetBlockingReadyKey(t *testing.T) {
	zTargets(t, func(t *testing.T, addr string, ctl *Conn) {
		a := zBlocked(t, addr, ctl, "ra", "BZPOPMIN", "k1", "k2", "0")
		ctl.Do("MULTI")
		ctl.Do("ZADD", "k2", "2", "b")
		ctl.Do("ZADD", "k1", "1", "a")
		zExpect(t, "EXEC", ctl.Do("EXEC"), zArr(":1\r\n", ":1\r\n"))
		zExpect(t, "BZPOPMIN", zMust(a), zArr(zBulk("k2"), zBulk("b"), zBulk("2")))
		zExpect(t, "ZCARD k1", ctl.Do("ZCARD", "k1"), ":1\r\n")
	})
}

// TestZsetBlockingWrongTypeAndDisconnect: a key that becomes another type
// does not serve a blocked client; a client that disconnects while blocked
// takes nothing.
func TestZsetBlockingWrongTypeAndDisconnect(t *testing.T) {
	zTargets(t, func(t *testing.T, addr string, ctl *Conn) {
		a := zBlocked(t, addr, ctl, "wa", "BZPOPMIN", "k", "0")
		ctl.Do("RPUSH", "k", "v")
		zSilent(a, 100*time.Millisecond)
		ctl.Do("DEL", "k")
		ctl.Do("ZADD", "k", "1", "m")
		zExpect(t, "BZPOPMIN", zMust(a), zArr(zBulk("k"), zBulk("m"), zBulk("1")))

		b := zBlocked(t, addr, ctl, "wb", "BZPOPMIN", "gone", "0")
		b.c.Close()
		deadline := time.Now().Add(5 * time.Second)
		for strings.Contains(ctl.Do("CLIENT", "LIST"), "name=wb ") {
			if time.Now().After(deadline) {
				t.Fatal("the closed client is still listed")
			}
			time.Sleep(5 * time.Millisecond)
		}
		ctl.Do("ZADD", "gone", "1", "m")
		zExpect(t, "ZCARD", ctl.Do("ZCARD", "gone"), ":1\r\n")

		// WRONGTYPE before blocking, and a ready key listed after it does
		// not help.
		ctl.Do("SET", "str", "v")
		c := zDial(t, addr)
		zExpect(t, "BZPOPMIN", c.Do("BZPOPMIN", "nokey", "str", "0"), "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
		zExpect(t, "BZPOPMIN", c.Do("BZPOPMIN", "gone", "str", "0"), zArr(zBulk("gone"), zBulk("m"), zBulk("1")))
	})
}
