package host

import (
	"modis/host/internal/keyspace"
	"modis/sdk"
)

// The hooks every write command calls, as Redis's commands call
// signalModifiedKey, notifyKeyspaceEvent and signalKeyAsReady. They connect
// commands to WATCH, client-side caching, keyspace notifications, blocked
// clients and the persistence change counter, so a command needs to know
// none of those.

// Keyspace notification classes (notify-keyspace-events letters).
const (
	NotifyGeneric = 'g'
	NotifyString  = '$'
	NotifyList    = 'l'
	NotifySet     = 's'
	NotifyHash    = 'h'
	NotifyZSet    = 'z'
	NotifyExpired = 'x'
	NotifyEvicted = 'e'
	NotifyStream  = 't'
	NotifyKeyMiss = 'm'
	NotifyModule  = 'd'
	NotifyNew     = 'n'
)

// keyModified is signalModifiedKey: key's value changed (or it was deleted).
// It invalidates WATCH and client-side caches and counts one change. Call it
// once per changed key, after the change.
func (c *Client) keyModified(key []byte) {
	c.srv.keyModified(c, c.db, key)
}

// notify is notifyKeyspaceEvent: publish event about key to the keyspace
// notification channels, if the class is enabled.
func (c *Client) notify(class byte, event string, key []byte) {
	c.srv.notifyAll(class, event, key, c.db.ID)
}

// keyReady is signalKeyAsReady: key (a list or sorted set) got elements, so
// clients blocked on it may be served after this command.
func (c *Client) keyReady(key []byte) {
	c.srv.signalKeyReady(c.db, key)
}

// keyModified is the server side of signalModifiedKey; by is the client that
// made the change (nil for the server itself). Lock held.
func (s *Server) keyModified(by *Client, db *keyspace.DB, key []byte) {
	s.dirty++
	s.touchWatched(db, key)
	s.trackingInvalidate(key, by)
}

// keyExpired runs when the keyspace removes an expired key, lazily or in the
// active cycle. Lock held.
func (s *Server) keyExpired(db *keyspace.DB, key string) {
	k := []byte(key)
	s.propagateDeletion(db.ID, k)
	s.touchWatched(db, k)
	s.trackingInvalidate(k, nil)
	s.notifyAll(NotifyExpired, "expired", k, db.ID)
}

// keyAdded runs when a key that was not there is stored (Redis's dbAdd):
// the "new" keyspace event. Lock held.
func (s *Server) keyAdded(db *keyspace.DB, key string) {
	if s.cfg.NotifyKeyspaceEvents != "" || s.modKeysActive(NotifyNew) {
		s.notifyAll(NotifyNew, "new", []byte(key), db.ID)
	}
}

// keyMissed runs when a read command's lookup finds no key: the "keymiss"
// keyspace event. Lock held.
func (s *Server) keyMissed(db *keyspace.DB, key []byte) {
	if s.cfg.NotifyKeyspaceEvents != "" || s.modKeysActive(NotifyKeyMiss) {
		s.notifyAll(NotifyKeyMiss, "keymiss", key, db.ID)
	}
}

// flushed runs before FLUSHDB (db) or FLUSHALL (db nil) empties databases.
// Lock held.
func (s *Server) flushed(db *keyspace.DB) {
	s.evFlush(db, sdk.SubeventFlushDBStart) // modules' FlushDB event (mod_events.go); flushDone fires the end
	for _, d := range s.dbs {
		if db == nil || d == db {
			s.touchAllWatched(d)
			s.dirty += int64(d.Len())
		}
	}
	s.trackingInvalidateAll()
}
