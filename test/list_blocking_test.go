package test

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// Blocking list commands (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP) and list
// keyspace events, over real connections. Every test runs against Modis
// and, with MODIS_COMPARE_REDIS=host:port (a scratch redis-server 7.0.15 on
// loopback), against the real Redis too: that is how the expected replies
// were checked. Whether a client is blocked is read from CLIENT LIST: its
// name (set by CLIENT SETNAME) and its current command.

// bconn is a raw RESP connection to any address.
type bconn struct {
	t  *testing.T
	c  net.Conn
	rd *bufio.Reader
}

func bdial(t *testing.T, addr string) *bconn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &bconn{t: t, c: c, rd: bufio.NewReader(c)}
}

func encodeCmd(args ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.String()
}

// send writes commands without reading their replies.
func (b *bconn) send(cmds ...[]string) {
	b.t.Helper()
	var all strings.Builder
	for _, c := range cmds {
		all.WriteString(encodeCmd(c...))
	}
	b.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := b.c.Write([]byte(all.String())); err != nil {
		b.t.Fatal(err)
	}
}

// read reads one reply, waiting at most d.
func (b *bconn) read(d time.Duration) (string, error) {
	b.c.SetReadDeadline(time.Now().Add(d))
	var out strings.Builder
	err := readReply(b.rd, &out)
	return out.String(), err
}

// must reads one reply within 5 seconds.
func (b *bconn) must() string {
	b.t.Helper()
	r, err := b.read(5 * time.Second)
	if err != nil {
		b.t.Fatalf("reading a reply: %v (so far %q)", err, r)
	}
	return r
}

func (b *bconn) do(args ...string) string {
	b.t.Helper()
	b.send(args)
	return b.must()
}

// silent checks that no reply arrives within d.
func (b *bconn) silent(d time.Duration) {
	b.t.Helper()
	r, err := b.read(d)
	var ne net.Error
	if err == nil || r != "" || !errors.As(err, &ne) || !ne.Timeout() {
		b.t.Fatalf("expected no reply yet, got %q (%v)", r, err)
	}
}

// named dials a connection named name.
func named(t *testing.T, addr, name string) *bconn {
	t.Helper()
	b := bdial(t, addr)
	if r := b.do("CLIENT", "SETNAME", name); r != "+OK\r\n" {
		t.Fatalf("CLIENT SETNAME: %q", r)
	}
	return b
}

// waitClient polls CLIENT LIST until the client called name is running cmd
// (blocked in it), or, with cmd "", until it is gone.
func waitClient(t *testing.T, ctl *bconn, name, cmd string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		list := ctl.do("CLIENT", "LIST")
		found, running := false, false
		for _, line := range strings.Split(list, "\n") {
			if strings.Contains(line, " name="+name+" ") {
				found = true
				running = strings.Contains(line, " cmd="+cmd+" ")
			}
		}
		if cmd == "" && !found || cmd != "" && running {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("client %s never reached cmd=%q:\n%s", name, cmd, list)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// blocked sends a blocking command on a new connection called name and
// returns once the server shows it blocked.
func blocked(t *testing.T, addr string, ctl *bconn, name string, args ...string) *bconn {
	t.Helper()
	b := named(t, addr, name)
	b.send(args)
	waitClient(t, ctl, name, strings.ToLower(args[0]))
	return b
}

// onTargets runs fn against a fresh Modis and, when MODIS_COMPARE_REDIS is
// set, against that Redis after a FLUSHALL.
func onTargets(t *testing.T, fn func(t *testing.T, addr string, ctl *bconn)) {
	t.Run("modis", func(t *testing.T) {
		s := startServer(t)
		fn(t, s.Addr, bdial(t, s.Addr))
	})
	if addr := os.Getenv("MODIS_COMPARE_REDIS"); addr != "" {
		t.Run("redis", func(t *testing.T) {
			ctl := bdial(t, addr)
			ctl.do("FLUSHALL")
			ctl.do("CONFIG", "SET", "notify-keyspace-events", "")
			t.Cleanup(func() {
				c := bdial(t, addr)
				c.do("FLUSHALL")
				c.do("CONFIG", "SET", "notify-keyspace-events", "")
			})
			fn(t, addr, ctl)
		})
	}
}

func expect(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s:\n got: %q\nwant: %q", what, got, want)
	}
}

func rbulk(s string) string { return bulk(s) }

func rarr(elems ...string) string {
	return "*" + itoa(len(elems)) + "\r\n" + strings.Join(elems, "")
}

func TestListBlockingServedByPush(t *testing.T) {
	onTargets(t, func(t *testing.T, addr string, ctl *bconn) {
		a := blocked(t, addr, ctl, "a", "BLPOP", "nokey", "k", "0")
		a.silent(100 * time.Millisecond)
		expect(t, "RPUSH", ctl.do("RPUSH", "k", "v1", "v2"), ":2\r\n")
		expect(t, "served BLPOP", a.must(), rarr(rbulk("k"), rbulk("v1")))
		expect(t, "left over", ctl.do("LRANGE", "k", "0", "-1"), rarr(rbulk("v2")))
		expect(t, "PING after", a.do("PING"), "+PONG\r\n")

		// BRPOP served, the list emptied and deleted.
		b := blocked(t, addr, ctl, "b", "BRPOP", "q", "0")
		expect(t, "LPUSH", ctl.do("LPUSH", "q", "x"), ":1\r\n")
		expect(t, "served BRPOP", b.must(), rarr(rbulk("q"), rbulk("x")))
		expect(t, "EXISTS", ctl.do("EXISTS", "q"), ":0\r\n")

		// BLMPOP with COUNT takes what there is, up to COUNT.
		c := blocked(t, addr, ctl, "c", "BLMPOP", "0", "2", "m1", "m2", "RIGHT", "COUNT", "2")
		expect(t, "RPUSH", ctl.do("RPUSH", "m2", "1", "2", "3"), ":3\r\n")
		expect(t, "served BLMPOP", c.must(), rarr(rbulk("m2"), rarr(rbulk("3"), rbulk("2"))))

		// A RESP3 client gets the same array.
		d := named(t, addr, "d")
		if r := d.do("HELLO", "3"); !strings.HasPrefix(r, "%") {
			t.Fatalf("HELLO 3: %q", r)
		}
		d.send([]string{"BLPOP", "r3", "0"})
		waitClient(t, ctl, "d", "blpop")
		ctl.do("RPUSH", "r3", "z")
		expect(t, "served RESP3 BLPOP", d.must(), rarr(rbulk("r3"), rbulk("z")))

		// A push to the same key in another database serves nobody.
		e := named(t, addr, "e")
		e.do("SELECT", "1")
		e.send([]string{"BLPOP", "k1", "0"})
		waitClient(t, ctl, "e", "blpop")
		ctl.do("RPUSH", "k1", "db0")
		e.silent(100 * time.Millisecond)
		other := bdial(t, addr)
		other.do("SELECT", "1")
		other.do("RPUSH", "k1", "db1")
		expect(t, "served in db 1", e.must(), rarr(rbulk("k1"), rbulk("db1")))
		expect(t, "db 0 untouched", ctl.do("LLEN", "k1"), ":1\r\n")
	})
}

func TestListBlockingFIFO(t *testing.T) {
	onTargets(t, func(t *testing.T, addr string, ctl *bconn) {
		var cs []*bconn
		for _, name := range []string{"first", "second", "third"} {
			cs = append(cs, blocked(t, addr, ctl, name, "BLPOP", "k", "0"))
		}
		// One element: only the first blocked client gets it.
		ctl.do("RPUSH", "k", "e1")
		expect(t, "first", cs[0].must(), rarr(rbulk("k"), rbulk("e1")))
		cs[1].silent(50 * time.Millisecond)
		cs[2].silent(10 * time.Millisecond)
		// Two more: second, then third, in the order they blocked.
		ctl.do("RPUSH", "k", "e2", "e3")
		expect(t, "second", cs[1].must(), rarr(rbulk("k"), rbulk("e2")))
		expect(t, "third", cs[2].must(), rarr(rbulk("k"), rbulk("e3")))
		expect(t, "EXISTS", ctl.do("EXISTS", "k"), ":0\r\n")

		// A client blocked on several keys is served from the key that
		// became ready first, not from the first key it named.
		m := blocked(t, addr, ctl, "multi", "BLPOP", "ka", "kb", "0")
		ctl.send([]string{"MULTI"}, []string{"RPUSH", "kb", "x"}, []string{"RPUSH", "ka", "y"}, []string{"EXEC"})
		for i := 0; i < 3; i++ {
			ctl.must()
		}
		expect(t, "EXEC", ctl.must(), rarr(":1\r\n", ":1\r\n"))
		expect(t, "served from kb", m.must(), rarr(rbulk("kb"), rbulk("x")))
		expect(t, "ka kept", ctl.do("LRANGE", "ka", "0", "-1"), rarr(rbulk("y")))
	})
}

func TestListBlockingTimeout(t *testing.T) {
	onTargets(t, func(t *testing.T, addr string, ctl *bconn) {
		for _, cmd := range [][]string{
			{"BLPOP", "k", "0.3"},
			{"BRPOP", "k", "other", "0.3"},
			{"BLMOVE", "k", "d", "LEFT", "RIGHT", "0.3"},
			{"BRPOPLPUSH", "k", "d", "0.3"},
			{"BLMPOP", "0.3", "1", "k", "LEFT"},
		} {
			a := bdial(t, addr)
			start := time.Now()
			a.send(cmd)
			r, err := a.read(5 * time.Second)
			took := time.Since(start)
			if err != nil || r != "*-1\r\n" {
				t.Fatalf("%v: %q, %v", cmd, r, err)
			}
			if took < 250*time.Millisecond || took > 2*time.Second {
				t.Fatalf("%v timed out after %v, want about 300ms", cmd, took)
			}
		}
		expect(t, "EXISTS d", ctl.do("EXISTS", "d"), ":0\r\n")
		// RESP3: null.
		a := bdial(t, addr)
		a.do("HELLO", "3")
		expect(t, "RESP3 timeout", a.do("BLPOP", "k", "0.05"), "_\r\n")
	})
}

func TestListBlockingMoveChain(t *testing.T) {
	onTargets(t, func(t *testing.T, addr string, ctl *bconn) {
		// src -> mid by a blocked BLMOVE, whose push makes mid ready for a
		// client blocked on it, whose BRPOPLPUSH makes dst ready for a
		// third.
		mover := blocked(t, addr, ctl, "mover", "BLMOVE", "src", "mid", "LEFT", "RIGHT", "0")
		mover2 := blocked(t, addr, ctl, "mover2", "BRPOPLPUSH", "mid", "dst", "0")
		popper := blocked(t, addr, ctl, "popper", "BLPOP", "dst", "0")
		expect(t, "RPUSH", ctl.do("RPUSH", "src", "x"), ":1\r\n")
		expect(t, "BLMOVE", mover.must(), rbulk("x"))
		expect(t, "BRPOPLPUSH", mover2.must(), rbulk("x"))
		expect(t, "BLPOP", popper.must(), rarr(rbulk("dst"), rbulk("x")))
		for _, k := range []string{"src", "mid", "dst"} {
			expect(t, "EXISTS "+k, ctl.do("EXISTS", k), ":0\r\n")
		}

		// A destination of the wrong type fails the blocked client with
		// WRONGTYPE when it is served; the element stays for the next.
		ctl.do("SET", "str", "v")
		bad := blocked(t, addr, ctl, "bad", "BLMOVE", "src", "str", "LEFT", "LEFT", "0")
		next := blocked(t, addr, ctl, "next", "BLPOP", "src", "0")
		ctl.do("RPUSH", "src", "y")
		expect(t, "wrong type", bad.must(), "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
		expect(t, "next", next.must(), rarr(rbulk("src"), rbulk("y")))
		expect(t, "str", ctl.do("GET", "str"), rbulk("v"))

		// BLMOVE onto its own source key.
		self := blocked(t, addr, ctl, "self", "BLMOVE", "ring", "ring", "RIGHT", "LEFT", "0")
		ctl.do("RPUSH", "ring", "r")
		expect(t, "self move", self.must(), rbulk("r"))
		expect(t, "ring", ctl.do("LRANGE", "ring", "0", "-1"), rarr(rbulk("r")))
	})
}

func TestListBlockingInMulti(t *testing.T) {
	onTargets(t, func(t *testing.T, addr string, ctl *bconn) {
		a := bdial(t, addr)
		a.do("MULTI")
		for _, cmd := range [][]string{
			{"BLPOP", "k", "0"}, {"BRPOP", "k", "0"}, {"BLMOVE", "k", "d", "LEFT", "LEFT", "0"},
			{"BRPOPLPUSH", "k", "d", "0"}, {"BLMPOP", "0", "1", "k", "LEFT"},
		} {
			expect(t, "queue", a.do(cmd...), "+QUEUED\r\n")
		}
		start := time.Now()
		expect(t, "EXEC", a.do("EXEC"), rarr("*-1\r\n", "*-1\r\n", "$-1\r\n", "$-1\r\n", "*-1\r\n"))
		if time.Since(start) > time.Second {
			t.Fatal("EXEC waited")
		}
		// A push inside the transaction serves a client blocked outside it
		// once EXEC has finished.
		w := blocked(t, addr, ctl, "w", "BLPOP", "k", "0")
		a.do("MULTI")
		a.do("RPUSH", "k", "1", "2")
		a.do("LPOP", "k")
		expect(t, "EXEC", a.do("EXEC"), rarr(":2\r\n", rbulk("1")))
		expect(t, "served after EXEC", w.must(), rarr(rbulk("k"), rbulk("2")))
		// A push that is popped again in the same transaction serves nobody.
		w2 := blocked(t, addr, ctl, "w2", "BLPOP", "k", "0")
		a.do("MULTI")
		a.do("RPUSH", "k", "3")
		a.do("LPOP", "k")
		expect(t, "EXEC", a.do("EXEC"), rarr(":1\r\n", rbulk("3")))
		w2.silent(100 * time.Millisecond)
		ctl.do("RPUSH", "k", "4")
		expect(t, "served later", w2.must(), rarr(rbulk("k"), rbulk("4")))
	})
}

func TestListBlockingDisconnect(t *testing.T) {
	onTargets(t, func(t *testing.T, addr string, ctl *bconn) {
		gone := blocked(t, addr, ctl, "gone", "BLPOP", "k", "0")
		stays := blocked(t, addr, ctl, "stays", "BLPOP", "k", "0")
		gone.c.Close()
		waitClient(t, ctl, "gone", "")
		ctl.do("RPUSH", "k", "v")
		expect(t, "the one still there", stays.must(), rarr(rbulk("k"), rbulk("v")))

		alone := blocked(t, addr, ctl, "alone", "BRPOPLPUSH", "k", "d", "0")
		alone.c.Close()
		waitClient(t, ctl, "alone", "")
		ctl.do("RPUSH", "k", "w")
		expect(t, "not swallowed", ctl.do("LRANGE", "k", "0", "-1"), rarr(rbulk("w")))
		expect(t, "no move", ctl.do("EXISTS", "d"), ":0\r\n")
	})
}

func TestListBlockingPipeline(t *testing.T) {
	onTargets(t, func(t *testing.T, addr string, ctl *bconn) {
		a := named(t, addr, "piped")
		// Commands pipelined behind a blocking command wait for it.
		a.send([]string{"SET", "before", "1"}, []string{"BLPOP", "k", "0"}, []string{"RPUSH", "after", "x"},
			[]string{"PING"}, []string{"LLEN", "k"})
		expect(t, "SET", a.must(), "+OK\r\n")
		waitClient(t, ctl, "piped", "blpop")
		a.silent(100 * time.Millisecond)
		expect(t, "not run yet", ctl.do("EXISTS", "after"), ":0\r\n")
		ctl.do("RPUSH", "k", "v1", "v2")
		expect(t, "BLPOP", a.must(), rarr(rbulk("k"), rbulk("v1")))
		expect(t, "RPUSH", a.must(), ":1\r\n")
		expect(t, "PING", a.must(), "+PONG\r\n")
		expect(t, "LLEN", a.must(), ":1\r\n")

		// Two blocking commands in one pipeline: the second blocks after
		// the first is served.
		a.send([]string{"BLPOP", "p", "0"}, []string{"BLPOP", "p", "0"}, []string{"PING"})
		waitClient(t, ctl, "piped", "blpop")
		ctl.do("RPUSH", "p", "1")
		expect(t, "first", a.must(), rarr(rbulk("p"), rbulk("1")))
		a.silent(100 * time.Millisecond)
		ctl.do("RPUSH", "p", "2")
		expect(t, "second", a.must(), rarr(rbulk("p"), rbulk("2")))
		expect(t, "PING", a.must(), "+PONG\r\n")
	})
}

// TestListBlockingGoRedis: go-redis's BLPop, BLMove and BLMPop, served by
// pushes from other goroutines.
func TestListBlockingGoRedis(t *testing.T) {
	s := startServer(t)
	rdb, pusher := s.Client(), s.Client()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(100 * time.Millisecond)
		pusher.RPush(ctx, "gq", "job1")
	}()
	got, err := rdb.BLPop(ctx, 5*time.Second, "gq").Result()
	wg.Wait()
	if err != nil || len(got) != 2 || got[0] != "gq" || got[1] != "job1" {
		t.Fatalf("BLPop = %v, %v", got, err)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(100 * time.Millisecond)
		pusher.LPush(ctx, "gq", "job2")
	}()
	v, err := rdb.BLMove(ctx, "gq", "done", "RIGHT", "LEFT", 5*time.Second).Result()
	wg.Wait()
	if err != nil || v != "job2" {
		t.Fatalf("BLMove = %q, %v", v, err)
	}
	if _, err := rdb.BLPop(ctx, 100*time.Millisecond, "empty").Result(); err == nil || err.Error() != "redis: nil" {
		t.Fatalf("BLPop timeout: %v", err)
	}
	pusher.RPush(ctx, "gq", "a", "b", "c")
	key, vals, err := rdb.BLMPop(ctx, time.Second, "left", 2, "none", "gq").Result()
	if err != nil || key != "gq" || strings.Join(vals, ",") != "a,b" {
		t.Fatalf("BLMPop = %q %v %v", key, vals, err)
	}
}

// TestListKeyspaceEvents records the keyevent notifications of a sequence
// of list commands, blocked clients served included.
func TestListKeyspaceEvents(t *testing.T) {
	onTargets(t, func(t *testing.T, addr string, ctl *bconn) {
		expect(t, "CONFIG SET", ctl.do("CONFIG", "SET", "notify-keyspace-events", "KEA"), "+OK\r\n")
		sub := bdial(t, addr)
		sub.do("PSUBSCRIBE", "__keyevent@*__:*")
		for _, cmd := range [][]string{
			{"RPUSH", "l", "a", "b", "c"},
			{"LPUSH", "l", "x"},
			{"LPUSHX", "nokey", "a"},
			{"RPUSHX", "l", "d"},
			{"LPOP", "l"},
			{"RPOP", "l", "2"},
			{"LPOP", "l", "0"},
			{"LSET", "l", "0", "z"},
			{"LINSERT", "l", "BEFORE", "z", "y"},
			{"LINSERT", "l", "BEFORE", "nope", "y"},
			{"LREM", "l", "0", "nope"},
			{"LREM", "l", "1", "y"},
			{"LTRIM", "l", "0", "-1"},
			{"RPUSH", "m", "1", "2"},
			{"LMOVE", "m", "l", "LEFT", "RIGHT"},
			{"RPOPLPUSH", "m", "l"},
			{"LMPOP", "1", "l", "RIGHT", "COUNT", "10"},
			{"RPUSH", "l", "a"},
			{"LTRIM", "l", "1", "0"},
			{"RPUSH", "l", "a", "a"},
			{"LREM", "l", "0", "a"},
			{"RPUSH", "l", "a"},
			{"BLPOP", "l", "0"},
			{"LMOVE", "nokey", "l", "LEFT", "LEFT"},
		} {
			ctl.do(cmd...)
		}
		// Served blocked clients.
		w := blocked(t, addr, ctl, "w", "BLPOP", "q", "0")
		ctl.do("RPUSH", "q", "v")
		w.must()
		mv := blocked(t, addr, ctl, "mv", "BLMOVE", "q", "q2", "RIGHT", "LEFT", "0")
		ctl.do("LPUSH", "q", "v", "w")
		mv.must()
		got := collectEvents(t, ctl, sub)
		want := []string{
			"rpush l", "lpush l", "rpush l", "lpop l", "rpop l", "lset l", "linsert l", "lrem l", "ltrim l",
			"rpush m", "rpush l", "lpop m", "lpush l", "rpop m", "del m",
			"rpop l", "del l",
			"rpush l", "ltrim l", "del l",
			"rpush l", "lrem l", "del l",
			"rpush l", "lpop l", "del l",
			"rpush q", "lpop q", "del q",
			"lpush q", "lpush q2", "rpop q",
		}
		expect(t, "events", strings.Join(got, ", "), strings.Join(want, ", "))
	})
}

// collectEvents returns the keyevent notifications sub has received, as
// "event key", up to a marker it publishes through ctl.
func collectEvents(t *testing.T, ctl, sub *bconn) []string {
	t.Helper()
	ctl.do("PUBLISH", "__keyevent@0__:end", "end")
	var got []string
	for {
		r := sub.must()
		parts := strings.Split(r, "\r\n")
		// *4 $8 pmessage $N pattern $N channel $N key
		if len(parts) < 9 {
			t.Fatalf("odd message %q", r)
		}
		ev := strings.TrimPrefix(parts[6], "__keyevent@0__:")
		if ev == "end" {
			return got
		}
		got = append(got, ev+" "+parts[8])
	}
}

// TestListNewKeyEvent: a list command that creates its key fires "new"
// first (class n, not part of A).
func TestListNewKeyEvent(t *testing.T) {
	onTargets(t, func(t *testing.T, addr string, ctl *bconn) {
		expect(t, "CONFIG SET", ctl.do("CONFIG", "SET", "notify-keyspace-events", "KElgn"), "+OK\r\n")
		sub := bdial(t, addr)
		sub.do("PSUBSCRIBE", "__keyevent@*__:*")
		for _, cmd := range [][]string{
			{"RPUSH", "l", "a", "b"},
			{"LPUSH", "l", "c"},
			{"LMOVE", "l", "d", "LEFT", "LEFT"},
			{"RPOPLPUSH", "l", "d"},
			{"LMPOP", "1", "l", "LEFT"},
			{"LPUSHX", "nokey", "a"},
		} {
			ctl.do(cmd...)
		}
		want := "new l, rpush l, lpush l, new d, lpush d, lpop l, lpush d, rpop l, lpop l, del l"
		expect(t, "events", strings.Join(collectEvents(t, ctl, sub), ", "), want)
	})
}
