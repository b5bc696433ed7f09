package keyspace

// SetAccess sets an entry's access bookkeeping as Redis's objectSetLRUOrLFU
// does for RESTORE's IDLETIME and FREQ (and the RDB's IDLE and FREQ
// opcodes): under an LFU policy the counter becomes freq (0-255) when freq
// >= 0, with the decrement time now; otherwise, when idle >= 0, the last
// access becomes idle seconds before now on the 24-bit LRU clock. An idle
// time reaching past the clock's origin wraps as Redis 7.0.15 was measured
// to wrap it (LRU_CLOCK_MAX added once, then the 24-bit field truncates):
// OBJECT IDLETIME then reports what Redis reports. It reports whether it
// changed anything.
func (db *DB) SetAccess(e *Entry, now, idle, freq int64) bool {
	if db.sh.lfu {
		if freq < 0 {
			return false
		}
		e.lru = lfuMinutes(now)<<8 | uint32(min(freq, 255))
		return true
	}
	if idle < 0 {
		return false
	}
	clock := int64(lruClock(now))
	abs := clock - idle
	if abs < 0 {
		abs += lruClockMax
	}
	e.lru = uint32(abs) & lruClockMax
	return true
}
