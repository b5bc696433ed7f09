package keyspace

// RawLookup returns key's entry as stored, expired or not, without side
// effects (no expiry, no stats).
func (db *DB) RawLookup(key []byte) *Entry { return db.keys[string(key)] }
