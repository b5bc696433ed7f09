package host

import (
	"errors"
	"sort"
	"strconv"
	"strings"

	"modis/host/internal/glob"
	"modis/host/internal/resp"
)

// Pub/sub: channels, patterns and shard channels, and keyspace
// notifications published through them. Messages reach subscribers through
// the push path (see output.go), as RESP3 push messages or RESP2 arrays.

// pubsub is the server's subscription state. Guarded by the execution lock.
type pubsub struct {
	channels map[string]map[*Client]struct{}
	patterns map[string]map[*Client]struct{}
	shards   map[string]map[*Client]struct{}
}

// subs is a client's own subscriptions.
type subs struct {
	channels map[string]struct{}
	patterns map[string]struct{}
	shards   map[string]struct{}
}

func (x *subs) count() int {
	if x == nil {
		return 0
	}
	return len(x.channels) + len(x.patterns)
}

// inSubscribedMode reports whether c is a RESP2 client in subscribed mode,
// where only the (un)subscribe commands, PING, QUIT and RESET are allowed.
func (c *Client) inSubscribedMode() bool {
	return c.subs != nil && (c.subs.count() > 0 || len(c.subs.shards) > 0) && !c.buf.P3
}

var errSubscribedMode = "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"

func allowedInSubscribedMode(name string) bool {
	switch name {
	case "subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe", "ping", "quit", "reset":
		return true
	}
	return false
}

func pubsubCommands() []*Command {
	f := FlagPubSub | FlagNoScript | FlagLoading | FlagStale
	return []*Command{
		{Name: "subscribe", Arity: -2, Flags: f, Group: "pubsub", Handler: subscribeHandler(kindChannel),
			Summary: "Listens for messages published to channels.", Since: "2.0.0"},
		{Name: "unsubscribe", Arity: -1, Flags: f, Group: "pubsub", Handler: unsubscribeHandler(kindChannel),
			Summary: "Stops listening to messages posted to channels.", Since: "2.0.0"},
		{Name: "psubscribe", Arity: -2, Flags: f, Group: "pubsub", Handler: subscribeHandler(kindPattern),
			Summary: "Listens for messages published to channels that match one or more patterns.", Since: "2.0.0"},
		{Name: "punsubscribe", Arity: -1, Flags: f, Group: "pubsub", Handler: unsubscribeHandler(kindPattern),
			Summary: "Stops listening to messages published to channels that match one or more patterns.", Since: "2.0.0"},
		{Name: "ssubscribe", Arity: -2, Flags: f, FirstKey: 1, LastKey: -1, Step: 1, Group: "pubsub", Handler: subscribeHandler(kindShard),
			Summary: "Listens for messages published to shard channels.", Since: "7.0.0"},
		{Name: "sunsubscribe", Arity: -1, Flags: f, FirstKey: 1, LastKey: -1, Step: 1, Group: "pubsub", Handler: unsubscribeHandler(kindShard),
			Summary: "Stops listening to messages posted to shard channels.", Since: "7.0.0"},
		{Name: "publish", Arity: 3, Flags: FlagPubSub | FlagLoading | FlagStale | FlagFast, Group: "pubsub", Handler: cmdPublish,
			Summary: "Posts a message to a channel.", Since: "2.0.0"},
		{Name: "spublish", Arity: 3, Flags: FlagPubSub | FlagLoading | FlagStale | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "pubsub", Handler: cmdSpublish,
			Summary: "Post a message to a shard channel", Since: "7.0.0"},
		{Name: "pubsub", Arity: -2, Group: "pubsub", Summary: "A container for Pub/Sub commands.", Since: "2.8.0",
			Subs: map[string]*Command{
				"channels": {Arity: -2, Flags: FlagPubSub | FlagLoading | FlagStale, Handler: pubsubChannels(kindChannel),
					Summary: "Returns the active channels.", Since: "2.8.0"},
				"shardchannels": {Arity: -2, Flags: FlagPubSub | FlagLoading | FlagStale, Handler: pubsubChannels(kindShard),
					Summary: "Returns the active shard channels.", Since: "7.0.0"},
				"numsub": {Arity: -2, Flags: FlagPubSub | FlagLoading | FlagStale, Handler: pubsubNumsub(kindChannel),
					Summary: "Returns a count of subscribers to channels.", Since: "2.8.0"},
				"shardnumsub": {Arity: -2, Flags: FlagPubSub | FlagLoading | FlagStale, Handler: pubsubNumsub(kindShard),
					Summary: "Returns the count of subscribers of shard channels.", Since: "7.0.0"},
				"numpat": {Arity: 2, Flags: FlagPubSub | FlagLoading | FlagStale, Handler: func(c *Client, _ [][]byte) error {
					c.out.Int(int64(len(c.srv.ps.patterns)))
					return nil
				}, Summary: "Returns a count of unique pattern subscriptions.", Since: "2.8.0"},
				"help": {Arity: 2, Flags: FlagLoading | FlagStale, Handler: helpHandler("PUBSUB",
					"CHANNELS [<pattern>]",
					"    Return the currently active channels matching a <pattern> (default: '*').",
					"NUMPAT",
					"    Return number of subscriptions to patterns.",
					"NUMSUB [<channel> ...]",
					"    Return the number of subscribers for the specified channels, excluding",
					"    pattern subscriptions(default: no channels).",
					"SHARDCHANNELS [<pattern>]",
					"    Return the currently active shard level channels matching a <pattern> (default: '*').",
					"SHARDNUMSUB [<shardchannel> ...]",
					"    Return the number of subscribers for the specified shard level channel(s)",
				), Summary: "Returns helpful text about the different subcommands.", Since: "6.2.0"},
			}},
	}
}

type subKind int

const (
	kindChannel subKind = iota
	kindPattern
	kindShard
)

var subWords = [...][2]string{
	kindChannel: {"subscribe", "unsubscribe"},
	kindPattern: {"psubscribe", "punsubscribe"},
	kindShard:   {"ssubscribe", "sunsubscribe"},
}

// maps returns the server's and c's map for kind.
func (s *Server) subMaps(c *Client, kind subKind) (map[string]map[*Client]struct{}, map[string]struct{}) {
	if s.ps.channels == nil {
		s.ps.channels = map[string]map[*Client]struct{}{}
		s.ps.patterns = map[string]map[*Client]struct{}{}
		s.ps.shards = map[string]map[*Client]struct{}{}
	}
	if c.subs == nil {
		c.subs = &subs{channels: map[string]struct{}{}, patterns: map[string]struct{}{}, shards: map[string]struct{}{}}
	}
	switch kind {
	case kindPattern:
		return s.ps.patterns, c.subs.patterns
	case kindShard:
		return s.ps.shards, c.subs.shards
	}
	return s.ps.channels, c.subs.channels
}

// subCount is the count Redis reports in (un)subscribe confirmations.
func (c *Client) subCount(kind subKind) int {
	if c.subs == nil {
		return 0
	}
	if kind == kindShard {
		return len(c.subs.shards)
	}
	return c.subs.count()
}

// confirm writes a subscribe/unsubscribe confirmation: a push in RESP3.
func confirm(w resp.Writer, word string, name []byte, nameNull bool, count int) {
	w.Push(3)
	w.BulkString(word)
	if nameNull {
		w.Null()
	} else {
		w.Bulk(name)
	}
	w.Int(int64(count))
}

func subscribeHandler(kind subKind) HandlerFunc {
	return func(c *Client, args [][]byte) error {
		s := c.srv
		c.enablePush()
		srv, own := s.subMaps(c, kind)
		for _, name := range args[1:] {
			n := string(name)
			if _, ok := own[n]; !ok {
				own[n] = struct{}{}
				if srv[n] == nil {
					srv[n] = map[*Client]struct{}{}
				}
				srv[n][c] = struct{}{}
			}
			confirm(c.out, subWords[kind][0], name, false, c.subCount(kind))
		}
		return nil
	}
}

func unsubscribeHandler(kind subKind) HandlerFunc {
	return func(c *Client, args [][]byte) error {
		s := c.srv
		srv, own := s.subMaps(c, kind)
		names := args[1:]
		if len(names) == 0 {
			all := make([]string, 0, len(own))
			for n := range own {
				all = append(all, n)
			}
			sort.Strings(all)
			if len(all) == 0 {
				confirm(c.out, subWords[kind][1], nil, true, c.subCount(kind))
				return nil
			}
			for _, n := range all {
				s.unsub(c, srv, own, n)
				confirm(c.out, subWords[kind][1], []byte(n), false, c.subCount(kind))
			}
			return nil
		}
		for _, name := range names {
			s.unsub(c, srv, own, string(name))
			confirm(c.out, subWords[kind][1], name, false, c.subCount(kind))
		}
		return nil
	}
}

func (s *Server) unsub(c *Client, srv map[string]map[*Client]struct{}, own map[string]struct{}, n string) {
	if _, ok := own[n]; !ok {
		return
	}
	delete(own, n)
	if m := srv[n]; m != nil {
		delete(m, c)
		if len(m) == 0 {
			delete(srv, n)
		}
	}
}

// unsubscribeAll drops every subscription of c (a disconnect, RESET).
func (s *Server) unsubscribeAll(c *Client) {
	if c.subs == nil {
		return
	}
	for _, kind := range []subKind{kindChannel, kindPattern, kindShard} {
		srv, own := s.subMaps(c, kind)
		for n := range own {
			s.unsub(c, srv, own, n)
		}
	}
	c.subs = nil
}

// publish delivers a message to a channel's and matching patterns'
// subscribers and returns how many received it. Lock held.
func (s *Server) publish(channel, message []byte, shard bool) int {
	n := 0
	if shard {
		for sub := range s.ps.shards[string(channel)] {
			sub.pushTo(func(w resp.Writer) { writeMessage(w, "smessage", nil, channel, message) })
			n++
		}
		return n
	}
	for sub := range s.ps.channels[string(channel)] {
		sub.pushTo(func(w resp.Writer) { writeMessage(w, "message", nil, channel, message) })
		n++
	}
	for pat, clients := range s.ps.patterns {
		if !glob.Match(pat, string(channel), false) {
			continue
		}
		for sub := range clients {
			p := []byte(pat)
			sub.pushTo(func(w resp.Writer) { writeMessage(w, "pmessage", p, channel, message) })
			n++
		}
	}
	return n
}

func writeMessage(w resp.Writer, kind string, pattern, channel, message []byte) {
	if pattern != nil {
		w.Push(4)
		w.BulkString(kind)
		w.Bulk(pattern)
	} else {
		w.Push(3)
		w.BulkString(kind)
	}
	w.Bulk(channel)
	w.Bulk(message)
}

func cmdPublish(c *Client, args [][]byte) error {
	c.out.Int(int64(c.srv.publish(args[1], args[2], false)))
	return nil
}

func cmdSpublish(c *Client, args [][]byte) error {
	c.out.Int(int64(c.srv.publish(args[1], args[2], true)))
	return nil
}

func pubsubChannels(kind subKind) HandlerFunc {
	return func(c *Client, args [][]byte) error {
		if len(args) > 3 {
			return errSubcommandSyntax(args[1], "PUBSUB")
		}
		m := c.srv.ps.channels
		if kind == kindShard {
			m = c.srv.ps.shards
		}
		var out []string
		for n := range m {
			if len(args) == 2 || glob.Match(string(args[2]), n, false) {
				out = append(out, n)
			}
		}
		sort.Strings(out)
		c.out.Array(len(out))
		for _, n := range out {
			c.out.BulkString(n)
		}
		return nil
	}
}

func pubsubNumsub(kind subKind) HandlerFunc {
	return func(c *Client, args [][]byte) error {
		m := c.srv.ps.channels
		if kind == kindShard {
			m = c.srv.ps.shards
		}
		c.out.Array(2 * (len(args) - 2)) // a flat array, in RESP3 too (as Redis 7.0)
		for _, a := range args[2:] {
			c.out.Bulk(a)
			c.out.Int(int64(len(m[string(a)])))
		}
		return nil
	}
}

// Keyspace notifications.

// parseNotifyFlags parses notify-keyspace-events and returns it in Redis's
// canonical form: "A" (g$lshzxetd) or the class letters in Redis's order,
// then K (keyspace channel), E (keyevent channel) and m (key misses). Unlike
// Redis, which prints "A" alone for "An" (and so loses the 'n' class when the
// value is read back), Modis keeps the 'n': "AnKE".
func parseNotifyFlags(s string) (string, error) {
	const all = "g$lshzxetd"
	set := map[byte]bool{}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == 'A':
			for _, x := range []byte(all) {
				set[x] = true
			}
		case strings.IndexByte(all+"nKEm", ch) >= 0:
			set[ch] = true
		default:
			return "", errors.New("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
		}
	}
	var b strings.Builder
	allSet := true
	for _, x := range []byte(all) {
		allSet = allSet && set[x]
	}
	if allSet {
		b.WriteByte('A')
		if set['n'] {
			b.WriteByte('n')
		}
	} else {
		for _, x := range []byte(all + "n") {
			if set[x] {
				b.WriteByte(x)
			}
		}
	}
	for _, x := range []byte("KEm") {
		if set[x] {
			b.WriteByte(x)
		}
	}
	return b.String(), nil
}

// notifyKeyspaceEvent publishes a keyspace event, if enabled. Lock held.
func (s *Server) notifyKeyspaceEvent(class byte, event string, key []byte, dbID int) {
	flags := s.cfg.NotifyKeyspaceEvents
	if flags == "" {
		return
	}
	enabled := strings.IndexByte(flags, class) >= 0 ||
		flags[0] == 'A' && strings.IndexByte("g$lshzxetd", class) >= 0
	if !enabled {
		return
	}
	db := strconv.Itoa(dbID)
	if strings.Contains(flags, "K") {
		ch := make([]byte, 0, 16+len(db)+len(key))
		ch = append(ch, "__keyspace@"...)
		ch = append(ch, db...)
		ch = append(ch, "__:"...)
		ch = append(ch, key...)
		s.publish(ch, []byte(event), false)
	}
	if strings.Contains(flags, "E") {
		ch := "__keyevent@" + db + "__:" + event
		s.publish([]byte(ch), key, false)
	}
}
