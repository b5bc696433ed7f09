package test

import (
	"strings"
	"testing"
	"time"
)

// readPush reads one unsolicited message from a raw connection.
func (c *Conn) readPush() string {
	c.t.Helper()
	c.c.SetDeadline(time.Now().Add(5 * time.Second))
	var out strings.Builder
	if err := readReply(c.rd, &out); err != nil {
		c.t.Fatalf("reading a pushed message: %v (so far %q)", err, out.String())
	}
	return out.String()
}

// send writes a command without reading its reply.
func (c *Conn) send(args ...string) {
	c.t.Helper()
	var b strings.Builder
	b.WriteString("*" + itoa(len(args)) + "\r\n")
	for _, a := range args {
		b.WriteString("$" + itoa(len(a)) + "\r\n" + a + "\r\n")
	}
	if _, err := c.c.Write([]byte(b.String())); err != nil {
		c.t.Fatal(err)
	}
}

func TestPubSubRESP2(t *testing.T) {
	s := startServer(t)
	sub := s.Dial()
	if got := sub.Do("SUBSCRIBE", "news", "sport"); got != "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n" {
		t.Fatalf("SUBSCRIBE first confirmation = %q", got)
	}
	if got := sub.readPush(); got != "*3\r\n$9\r\nsubscribe\r\n$5\r\nsport\r\n:2\r\n" {
		t.Fatalf("SUBSCRIBE second confirmation = %q", got)
	}
	if got := sub.Do("PSUBSCRIBE", "n*"); got != "*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:3\r\n" {
		t.Fatalf("PSUBSCRIBE = %q", got)
	}
	if got := sub.Do("GET", "k"); got != "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n" {
		t.Fatalf("GET in subscribed mode = %q", got)
	}
	if got := sub.Do("PING"); got != "*2\r\n$4\r\npong\r\n$0\r\n\r\n" {
		t.Fatalf("PING in subscribed mode = %q", got)
	}
	pub := s.Dial()
	if got := pub.Do("PUBLISH", "news", "hello"); got != ":2\r\n" {
		t.Fatalf("PUBLISH = %q (want 2 receivers: the channel and the pattern)", got)
	}
	msgs := []string{sub.readPush(), sub.readPush()}
	want := map[string]bool{
		"*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n":              true,
		"*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$5\r\nhello\r\n": true,
	}
	for _, m := range msgs {
		if !want[m] {
			t.Fatalf("unexpected message %q", m)
		}
		delete(want, m)
	}
	if got := pub.Do("PUBSUB", "NUMSUB", "news", "none"); got != "*4\r\n$4\r\nnews\r\n:1\r\n$4\r\nnone\r\n:0\r\n" {
		t.Fatalf("PUBSUB NUMSUB = %q", got)
	}
	if got := pub.Do("PUBSUB", "NUMPAT"); got != ":1\r\n" {
		t.Fatalf("PUBSUB NUMPAT = %q", got)
	}
	if got := pub.Do("PUBSUB", "CHANNELS"); got != "*2\r\n$4\r\nnews\r\n$5\r\nsport\r\n" {
		t.Fatalf("PUBSUB CHANNELS = %q", got)
	}
	sub.send("UNSUBSCRIBE")
	for _, want := range []string{
		"*3\r\n$11\r\nunsubscribe\r\n$4\r\nnews\r\n:2\r\n",
		"*3\r\n$11\r\nunsubscribe\r\n$5\r\nsport\r\n:1\r\n",
	} {
		if got := sub.readPush(); got != want {
			t.Fatalf("UNSUBSCRIBE confirmation = %q, want %q", got, want)
		}
	}
	if got := sub.Do("PUNSUBSCRIBE"); got != "*3\r\n$12\r\npunsubscribe\r\n$2\r\nn*\r\n:0\r\n" {
		t.Fatalf("PUNSUBSCRIBE = %q", got)
	}
	// Out of subscribed mode, commands work again.
	if got := sub.Do("GET", "k"); got != "$-1\r\n" {
		t.Fatalf("GET after unsubscribing = %q", got)
	}
}

func TestPubSubRESP3(t *testing.T) {
	s := startServer(t)
	sub := s.Dial()
	sub.Do("HELLO", "3")
	if got := sub.Do("SUBSCRIBE", "ch"); got != ">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n" {
		t.Fatalf("RESP3 SUBSCRIBE = %q", got)
	}
	// A RESP3 connection keeps serving commands while subscribed.
	if got := sub.Do("SET", "k", "v"); got != "+OK\r\n" {
		t.Fatalf("SET while subscribed = %q", got)
	}
	s.Raw("PUBLISH", "ch", "m1")
	if got := sub.readPush(); got != ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nm1\r\n" {
		t.Fatalf("RESP3 message = %q", got)
	}
	// go-redis's PubSub over RESP3.
	rdb := s.Client()
	ps := rdb.Subscribe(ctx, "events")
	defer ps.Close()
	if _, err := ps.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	if n := rdb.Publish(ctx, "events", "payload").Val(); n != 1 {
		t.Fatalf("PUBLISH reached %d", n)
	}
	msg, err := ps.ReceiveMessage(ctx)
	if err != nil || msg.Payload != "payload" || msg.Channel != "events" {
		t.Fatalf("go-redis message = %+v, %v", msg, err)
	}
}

func TestKeyspaceNotifications(t *testing.T) {
	s := startServer(t)
	sub := s.Dial()
	sub.Do("CONFIG", "SET", "notify-keyspace-events", "KEA")
	if got := sub.Do("CONFIG", "GET", "notify-keyspace-events"); got != "*2\r\n$22\r\nnotify-keyspace-events\r\n$3\r\nAKE\r\n" {
		t.Fatalf("notify-keyspace-events canonical form = %q", got)
	}
	sub.Do("PSUBSCRIBE", "__keyspace@0__:*", "__keyevent@0__:*")
	sub.readPush()
	c := s.Dial()
	c.Do("SET", "k", "v")
	want := []string{
		"*4\r\n$8\r\npmessage\r\n$16\r\n__keyspace@0__:*\r\n$16\r\n__keyspace@0__:k\r\n$3\r\nset\r\n",
		"*4\r\n$8\r\npmessage\r\n$16\r\n__keyevent@0__:*\r\n$18\r\n__keyevent@0__:set\r\n$1\r\nk\r\n",
	}
	for _, w := range want {
		if got := sub.readPush(); got != w {
			t.Fatalf("keyspace event\n got %q\nwant %q", got, w)
		}
	}
	c.Do("SET", "e", "v", "PX", "20")
	sub.readPush() // set on keyspace
	sub.readPush() // set on keyevent
	sub.readPush() // expire on keyspace
	sub.readPush() // expire on keyevent
	// Expiry fires "expired" from the active cycle, with nobody touching the key.
	if got := sub.readPush(); !strings.Contains(got, "expired") {
		t.Fatalf("expected an expired event, got %q", got)
	}
}

func TestClientTracking(t *testing.T) {
	s := startServer(t)
	c := s.Dial()
	c.Do("HELLO", "3")
	if got := c.Do("CLIENT", "TRACKING", "ON"); got != "+OK\r\n" {
		t.Fatalf("CLIENT TRACKING ON = %q", got)
	}
	s.Raw("SET", "k", "v1")
	if got := c.Do("GET", "k"); got != "$2\r\nv1\r\n" {
		t.Fatalf("GET = %q", got)
	}
	s.Raw("SET", "k", "v2")
	if got := c.readPush(); got != ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n" {
		t.Fatalf("invalidation = %q", got)
	}
	// Once invalidated, the key is forgotten until read again.
	s.Raw("SET", "k", "v3")
	if got := c.Do("PING"); got != "+PONG\r\n" {
		t.Fatalf("a second invalidation was sent without a read: %q", got)
	}
	if got := c.Do("CLIENT", "TRACKINGINFO"); got != "%3\r\n$5\r\nflags\r\n~1\r\n$2\r\non\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n" {
		t.Fatalf("CLIENT TRACKINGINFO = %q", got)
	}

	// OPTIN, the way rueidis caches: CLIENT CACHING YES, then MULTI/PTTL/GET/EXEC.
	o := s.Dial()
	o.Do("HELLO", "3")
	o.Do("CLIENT", "TRACKING", "ON", "OPTIN")
	o.Do("GET", "k") // not cached: no CACHING YES before it
	o.Do("CLIENT", "CACHING", "YES")
	o.Do("MULTI")
	o.Do("PTTL", "x")
	o.Do("GET", "x")
	if got := o.Do("EXEC"); got != "*2\r\n:-2\r\n_\r\n" {
		t.Fatalf("EXEC = %q", got)
	}
	s.Raw("SET", "k", "v4")
	s.Raw("SET", "x", "1")
	if got := o.readPush(); got != ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nx\r\n" {
		t.Fatalf("OPTIN invalidation = %q (k was read without CACHING YES and must not be tracked)", got)
	}

	// BCAST with a prefix.
	b := s.Dial()
	b.Do("HELLO", "3")
	b.Do("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:")
	s.Raw("SET", "other", "1")
	s.Raw("SET", "user:1", "1")
	if got := b.readPush(); got != ">2\r\n$10\r\ninvalidate\r\n*1\r\n$6\r\nuser:1\r\n" {
		t.Fatalf("BCAST invalidation = %q", got)
	}

	// REDIRECT to a RESP2 client subscribed to __redis__:invalidate.
	r := s.Dial()
	id := strings.TrimSpace(strings.TrimPrefix(r.Do("CLIENT", "ID"), ":"))
	r.Do("SUBSCRIBE", "__redis__:invalidate")
	t2 := s.Dial()
	if got := t2.Do("CLIENT", "TRACKING", "ON", "REDIRECT", id); got != "+OK\r\n" {
		t.Fatalf("TRACKING REDIRECT = %q", got)
	}
	t2.Do("GET", "rk")
	s.Raw("SET", "rk", "1")
	if got := r.readPush(); got != "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$2\r\nrk\r\n" {
		t.Fatalf("redirected invalidation = %q", got)
	}
	// FLUSHALL invalidates everything: a null key list.
	s.Raw("FLUSHALL")
	if got := c.readPush(); got != ">2\r\n$10\r\ninvalidate\r\n_\r\n" {
		t.Fatalf("FLUSHALL invalidation = %q", got)
	}
}
