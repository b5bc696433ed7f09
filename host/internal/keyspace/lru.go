package keyspace

import "math/rand/v2"

// Access bookkeeping for eviction, OBJECT IDLETIME and OBJECT FREQ, as
// Redis keeps it in robj.lru (evict.c): one 24-bit field that holds either
// the LRU clock of the last access or, under an LFU policy, the last
// decrement time in minutes (16 bits) and a logarithmic counter (8 bits).

const (
	lruClockMax = 1<<24 - 1 // LRU_CLOCK_MAX
	lfuInitVal  = 5         // LFU_INIT_VAL: new keys start here
	lfuLogFact  = 10        // lfu-log-factor's default
	lfuDecay    = 1         // lfu-decay-time's default, minutes
)

// lruClock is Redis's LRU_CLOCK: seconds, 24 bits.
func lruClock(now int64) uint32 { return uint32(now/1000) & lruClockMax }

// lfuMinutes is LFUGetTimeInMinutes: minutes, 16 bits.
func lfuMinutes(now int64) uint32 { return uint32(now/60000) & 0xffff }

// touch records an access to e at now (Redis's lookupKey).
func (db *DB) touch(e *Entry, now int64) {
	if !db.sh.lfu {
		e.lru = lruClock(now)
		return
	}
	c := lfuLogIncr(lfuDecrAndReturn(e.lru, now))
	e.lru = lfuMinutes(now)<<8 | uint32(c)
}

// stamp initialises the bookkeeping of a new entry, as createObject does.
func (db *DB) stamp(e *Entry) {
	if db.sh.lfu {
		e.lru = lfuMinutes(db.sh.now)<<8 | lfuInitVal
	} else {
		e.lru = lruClock(db.sh.now)
	}
}

// lfuDecrAndReturn is LFUDecrAndReturn: the counter, decremented by one per
// lfu-decay-time minutes since the last decrement.
func lfuDecrAndReturn(lru uint32, now int64) uint8 {
	ldt := lru >> 8
	counter := lru & 255
	cur := lfuMinutes(now)
	var elapsed uint32
	if cur >= ldt {
		elapsed = cur - ldt
	} else {
		elapsed = 65535 - ldt + cur
	}
	if periods := elapsed / lfuDecay; periods > 0 {
		if periods > counter {
			counter = 0
		} else {
			counter -= periods
		}
	}
	return uint8(counter)
}

// lfuLogIncr is LFULogIncr: the counter grows with probability
// 1/((counter-5)*lfu-log-factor+1), saturating at 255.
func lfuLogIncr(counter uint8) uint8 {
	if counter == 255 {
		return 255
	}
	base := float64(counter) - lfuInitVal
	if base <= 0 {
		return counter + 1
	}
	if rand.Float64() < 1/(base*lfuLogFact+1) {
		counter++
	}
	return counter
}

// IdleMillis is Redis's estimateObjectIdleTime: the milliseconds since the
// last access, at the LRU clock's one-second resolution. Meaningless under
// an LFU policy.
func (e *Entry) IdleMillis(now int64) int64 {
	clock := lruClock(now)
	lru := e.lru & lruClockMax
	if clock >= lru {
		return int64(clock-lru) * 1000
	}
	return int64(clock+(lruClockMax-lru)) * 1000
}

// Freq is the entry's LFU counter after decay (OBJECT FREQ). Meaningless
// under an LRU policy.
func (e *Entry) Freq(now int64) int { return int(lfuDecrAndReturn(e.lru, now)) }
