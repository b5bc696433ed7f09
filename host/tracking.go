package host

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"modis/host/internal/resp"
)

// Client-side caching (CLIENT TRACKING). In the default mode the server
// remembers which clients read which keys, and sends each an invalidation
// message when such a key is modified (then forgets the pair). In BCAST mode
// clients register key prefixes instead, and hear about every modified key
// under them. Messages go as RESP3 "invalidate" pushes, or, with REDIRECT, to
// another client (as a push if it speaks RESP3, as a message on the
// __redis__:invalidate channel if it speaks RESP2 and subscribed to it).

const invalidateChannel = "__redis__:invalidate"

// trackState is a client's tracking mode.
type trackState struct {
	redirect int64 // client id, 0: none
	bcast    bool
	optin    bool
	optout   bool
	noloop   bool
	prefixes []string
	// caching is CLIENT CACHING's answer for the next command: 'y', 'n' or 0.
	caching byte
}

// tracking is the server's tracking table. Guarded by the execution lock.
type tracking struct {
	keys     map[string]map[int64]struct{} // key -> ids of clients that read it
	prefixes map[string]map[int64]struct{} // BCAST prefix -> client ids
	clients  int                           // clients with tracking on
}

func cmdClientTracking(c *Client, args [][]byte) error {
	on := strings.ToLower(string(args[2]))
	if on != "on" && on != "off" {
		return ErrSyntax
	}
	t := &trackState{}
	for i := 3; i < len(args); i++ {
		switch strings.ToUpper(string(args[i])) {
		case "REDIRECT":
			if i+1 >= len(args) {
				return ErrSyntax
			}
			id, err := strconv.ParseInt(string(args[i+1]), 10, 64)
			if err != nil {
				return ErrNotInteger
			}
			i++
			if id == c.ID {
				continue
			}
			if c.srv.clients[id] == nil {
				return errors.New("ERR The client ID you want redirect to does not exist")
			}
			t.redirect = id
		case "BCAST":
			t.bcast = true
		case "OPTIN":
			t.optin = true
		case "OPTOUT":
			t.optout = true
		case "NOLOOP":
			t.noloop = true
		case "PREFIX":
			if i+1 >= len(args) {
				return ErrSyntax
			}
			t.prefixes = append(t.prefixes, string(args[i+1]))
			i++
		default:
			return ErrSyntax
		}
	}
	s := c.srv
	if on == "off" {
		s.trackingOff(c)
		c.out.SimpleString("OK")
		return nil
	}
	if c.track != nil && c.track.bcast != t.bcast {
		return errors.New("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.")
	}
	if len(t.prefixes) > 0 && !t.bcast {
		return errors.New("ERR PREFIX option requires BCAST mode to be enabled")
	}
	if t.optin && t.optout {
		return errors.New("ERR You can't specify both OPTIN mode and OPTOUT mode")
	}
	if (t.optin || t.optout) && t.bcast {
		return errors.New("ERR OPTIN and OPTOUT are not compatible with BCAST")
	}
	if t.bcast {
		if len(t.prefixes) == 0 {
			t.prefixes = []string{""}
		}
		for i, p := range t.prefixes {
			for _, q := range t.prefixes[i+1:] {
				if strings.HasPrefix(p, q) || strings.HasPrefix(q, p) {
					return fmt.Errorf("ERR Prefix '%s' overlaps with another provided prefix '%s'. Prefixes for a single client must not overlap.", p, q)
				}
			}
		}
	}
	if c.track == nil {
		s.trk.clients++
	} else {
		s.trackingUnregisterPrefixes(c)
		t.prefixes = append(c.track.prefixes, t.prefixes...)
	}
	c.track = t
	if t.bcast {
		if s.trk.prefixes == nil {
			s.trk.prefixes = map[string]map[int64]struct{}{}
		}
		for _, p := range t.prefixes {
			if s.trk.prefixes[p] == nil {
				s.trk.prefixes[p] = map[int64]struct{}{}
			}
			s.trk.prefixes[p][c.ID] = struct{}{}
		}
	}
	c.enablePush()
	c.out.SimpleString("OK")
	return nil
}

func cmdClientCaching(c *Client, args [][]byte) error {
	t := c.track
	if t == nil || !t.optin && !t.optout {
		return errors.New("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled")
	}
	switch strings.ToLower(string(args[2])) {
	case "yes":
		if !t.optin {
			return errors.New("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
		}
		t.caching = 'y'
	case "no":
		if !t.optout {
			return errors.New("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
		}
		t.caching = 'n'
	default:
		return ErrSyntax
	}
	c.out.SimpleString("OK")
	return nil
}

func cmdClientGetredir(c *Client, _ [][]byte) error {
	switch {
	case c.track == nil:
		c.out.Int(-1)
	default:
		c.out.Int(c.track.redirect)
	}
	return nil
}

func cmdClientTrackinginfo(c *Client, _ [][]byte) error {
	w := c.out
	w.Map(3)
	w.BulkString("flags")
	t := c.track
	var flags []string
	if t == nil {
		flags = []string{"off"}
	} else {
		flags = append(flags, "on")
		for _, f := range []struct {
			on   bool
			name string
		}{{t.bcast, "bcast"}, {t.optin, "optin"}, {t.optout, "optout"}, {t.caching == 'y', "caching-yes"}, {t.caching == 'n', "caching-no"}, {t.noloop, "noloop"}} {
			if f.on {
				flags = append(flags, f.name)
			}
		}
		if t.redirect != 0 && c.srv.clients[t.redirect] == nil {
			flags = append(flags, "broken_redirect")
		}
	}
	w.Set(len(flags))
	for _, f := range flags {
		w.BulkString(f)
	}
	w.BulkString("redirect")
	switch {
	case t == nil:
		w.Int(-1)
	default:
		w.Int(t.redirect)
	}
	w.BulkString("prefixes")
	var ps []string
	if t != nil && t.bcast {
		ps = append(ps, t.prefixes...)
		sort.Strings(ps)
	}
	w.Array(len(ps))
	for _, p := range ps {
		w.BulkString(p)
	}
	return nil
}

// trackingOff turns tracking off for c. Lock held.
func (s *Server) trackingOff(c *Client) {
	if c.track == nil {
		return
	}
	s.trackingUnregisterPrefixes(c)
	c.track = nil
	s.trk.clients--
	// Keys it read stay in the table; invalidations to a client that left
	// tracking are dropped when they are sent.
}

func (s *Server) trackingUnregisterPrefixes(c *Client) {
	if c.track == nil || !c.track.bcast {
		return
	}
	for _, p := range c.track.prefixes {
		if m := s.trk.prefixes[p]; m != nil {
			delete(m, c.ID)
			if len(m) == 0 {
				delete(s.trk.prefixes, p)
			}
		}
	}
}

// trackingRemember records the keys a read command of c used. Lock held.
func (s *Server) trackingRemember(c *Client, cmd *Command, args [][]byte) {
	t := c.track
	if t.bcast || t.optin && t.caching != 'y' || t.optout && t.caching == 'n' {
		return
	}
	keys := commandKeys(cmd, args)
	if len(keys) == 0 {
		return
	}
	if s.trk.keys == nil {
		s.trk.keys = map[string]map[int64]struct{}{}
	}
	for _, k := range keys {
		m := s.trk.keys[string(k)]
		if m == nil {
			m = map[int64]struct{}{}
			s.trk.keys[string(k)] = m
		}
		m[c.ID] = struct{}{}
	}
}

// trackingInvalidate sends invalidations for key, modified by client by (nil
// when the server did it, e.g. on expiry). Lock held.
func (s *Server) trackingInvalidate(key []byte, by *Client) {
	if s.trk.clients == 0 && len(s.trk.keys) == 0 {
		return
	}
	if ids, ok := s.trk.keys[string(key)]; ok {
		delete(s.trk.keys, string(key))
		for id := range ids {
			target := s.clients[id]
			if target == nil || target.track == nil || target.track.bcast {
				continue
			}
			if target == by && target.track.noloop {
				continue
			}
			s.sendInvalidation(target, key, false)
		}
	}
	for p, ids := range s.trk.prefixes {
		if !strings.HasPrefix(string(key), p) {
			continue
		}
		for id := range ids {
			target := s.clients[id]
			if target == nil || target == by && target.track.noloop {
				continue
			}
			s.sendInvalidation(target, key, false)
		}
	}
}

// trackingInvalidateAll tells every tracking client that everything changed
// (FLUSHDB, FLUSHALL). Lock held.
func (s *Server) trackingInvalidateAll() {
	if s.trk.clients == 0 {
		return
	}
	s.trk.keys = nil
	for _, c := range s.clients {
		if c.track != nil {
			s.sendInvalidation(c, nil, true)
		}
	}
}

// sendInvalidation delivers one invalidation (all: a null key list).
func (s *Server) sendInvalidation(c *Client, key []byte, all bool) {
	target := c
	if c.track.redirect != 0 {
		target = s.clients[c.track.redirect]
		if target == nil {
			return
		}
	}
	write := func(w resp.Writer) {
		if all {
			w.NullArray()
			return
		}
		w.Array(1)
		w.Bulk(key)
	}
	if target.buf.P3 {
		target.pushTo(func(w resp.Writer) {
			w.Push(2)
			w.BulkString("invalidate")
			write(w)
		})
		return
	}
	// A RESP2 target hears it on the invalidation channel, if subscribed.
	if target.subs == nil {
		return
	}
	if _, ok := target.subs.channels[invalidateChannel]; !ok {
		return
	}
	target.pushTo(func(w resp.Writer) {
		w.Push(3)
		w.BulkString("message")
		w.BulkString(invalidateChannel)
		write(w)
	})
}
