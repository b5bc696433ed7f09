package host

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"time"

	"modis/host/internal/keyspace"
)

// maxmemory and eviction, as Redis's evict.c.
//
// Used memory. Redis compares the allocator's count of allocated bytes to
// maxmemory; freed memory is gone at once. In Go, freed memory is garbage
// until the collector finds it, so the heap's size says little about what
// the data needs; and the live heap a collection reports includes what was
// allocated while it ran (request buffers, replies: garbage moments later),
// a lot under heavy load. So Modis counts used memory from the live heap of
// a collection it forced itself (runtime.GC, under the execution lock, when
// little else allocates), plus what write commands brought in since
// (their arguments' bytes), minus what evictions freed since; a later
// automatic collection's figure, counted the same way, replaces it when it
// is lower. The runtime is read through runtime/metrics at most once a
// millisecond. A forced collection happens when the estimate crosses
// maxmemory, at most every 100ms (every 10ms before refusing a command or
// finding nothing left to evict), and never taking more than a tenth of the
// time. With a limit set, debug.SetMemoryLimit makes the collector run as
// the process nears maxmemory (plus the runtime's own overhead), so the
// process's memory stays bounded.
//
// Eviction. Before every command (when maxmemory is set) the server evicts
// keys until the estimate is under the limit, the way performEvictions does:
// LRU, LFU and TTL policies sample maxmemory-samples keys per database into
// a pool of the 16 best candidates and evict the best; random policies pick
// a random key, visiting the databases in turn. Each eviction counts in
// evicted_keys, fires the "evicted" keyspace event and invalidates WATCH and
// client-side caches. A pass stops after maxmemory-eviction-tenacity's time
// limit (500µs by default) and the cron goes on. When nothing can be evicted
// (or the policy is noeviction) commands flagged denyoom are refused with
// OOM.

const (
	evictOK      = iota // under the limit
	evictRunning        // still over, but time ran out: the cron goes on
	evictFail           // over, and nothing (more) can be evicted
)

// memState is the used-memory estimate.
type memState struct {
	samples []metrics.Sample
	readAt  int64  // Unix ms of the last reading
	cycles  uint64 // GC cycles completed at the last reading
	// writes and freed count the bytes write commands brought in and
	// evictions freed.
	writes, freed int64
	base, auto    memBase // the last forced and the last automatic collection
	lastForced    time.Time
	forcedTook    time.Duration // how long the last forced collection took
	peak          int64
	startup       int64
	// Heap figures for INFO: objects (live and unswept garbage), spans in
	// use without objects, free spans not returned to the system, and the
	// runtime's memory besides the heap objects.
	heap, heapUnused, heapFree, overhead int64

	limitSet  bool  // we called debug.SetMemoryLimit
	origLimit int64 // the limit before we changed it
	limitNow  int64

	exceedSince time.Time // when used memory went over maxmemory (zero: it is not)
}

// memBase is a collection's live heap and the counters when it was read.
type memBase struct {
	live, writes, freed int64
}

func (m *memState) fromBase(b memBase) int64 {
	return b.live + (m.writes - b.writes) - (m.freed - b.freed)
}

// memProbe, when set (tests), replaces the runtime reading: it returns the
// used memory directly.
type memProbe func() int64

// refresh reads the runtime's heap statistics. Lock held.
func (m *memState) refresh(s *Server) {
	m.readAt = s.now
	if s.memProbe != nil {
		m.base = memBase{live: s.memProbe(), writes: m.writes, freed: m.freed}
		m.auto = m.base
		m.peak = max(m.peak, m.base.live)
		return
	}
	if m.samples == nil {
		m.samples = []metrics.Sample{
			{Name: "/gc/heap/live:bytes"},
			{Name: "/gc/cycles/total:gc-cycles"},
			{Name: "/memory/classes/heap/objects:bytes"},
			{Name: "/memory/classes/total:bytes"},
			{Name: "/memory/classes/heap/released:bytes"},
			{Name: "/memory/classes/heap/unused:bytes"},
			{Name: "/memory/classes/heap/free:bytes"},
		}
	}
	metrics.Read(m.samples)
	m.heap = int64(sampleUint(m.samples[2]))
	if cycles := sampleUint(m.samples[1]); cycles != m.cycles || m.startup == 0 {
		m.cycles = cycles
		live := int64(sampleUint(m.samples[0]))
		if live == 0 { // no collection yet
			live = m.heap
		}
		m.auto = memBase{live: live, writes: m.writes, freed: m.freed}
		if m.startup == 0 {
			m.startup, m.base = live, m.auto
		}
	}
	m.overhead = int64(sampleUint(m.samples[3])) - int64(sampleUint(m.samples[4])) - m.heap
	m.heapUnused = int64(sampleUint(m.samples[5]))
	m.heapFree = int64(sampleUint(m.samples[6]))
	m.peak = max(m.peak, m.used())
}

// forceGC runs a collection now, if the last forced one is older than
// minAge, and takes its live heap as the base. It reports whether it ran.
// Lock held.
func (m *memState) forceGC(s *Server, minAge time.Duration) bool {
	// A forced collection stops the server while it runs: on a big heap,
	// at most a tenth of the time goes to them.
	minAge = max(minAge, 10*m.forcedTook)
	if s.memProbe != nil || time.Since(m.lastForced) < minAge {
		return false
	}
	start := time.Now()
	runtime.GC()
	m.lastForced = time.Now()
	m.forcedTook = m.lastForced.Sub(start)
	m.cycles = 0 // take the new figure as the automatic one too
	m.refresh(s)
	m.base = m.auto
	return true
}

func sampleUint(s metrics.Sample) uint64 {
	if s.Value.Kind() == metrics.KindUint64 {
		return s.Value.Uint64()
	}
	return 0
}

// used is the estimate from the last reading.
func (m *memState) used() int64 {
	return max(min(m.fromBase(m.base), m.fromBase(m.auto)), 0)
}

// usedMemory returns used memory, reading the runtime if the last reading
// is older than a millisecond or force is set. Lock held.
func (s *Server) usedMemory(force bool) int64 {
	m := &s.mem
	if force || s.memProbe != nil || m.readAt == 0 || s.now-m.readAt >= 1 {
		m.refresh(s)
	}
	return m.used()
}

// noteWrite counts what a write command brought in: its arguments, and
// about an entry's overhead. Lock held.
func (s *Server) noteWrite(args [][]byte) {
	n := int64(64)
	for _, a := range args[1:] {
		n += int64(len(a))
	}
	s.mem.writes += n
}

// evictState is the eviction pool and the random policies' next database.
type evictState struct {
	pool   [evictionPoolSize]poolEntry
	nextDB int
	sample []*keyspace.Entry
}

const evictionPoolSize = 16

type poolEntry struct {
	key  string
	db   int
	idle uint64 // higher is a better candidate
}

// evictionTimeLimit is evictionTimeLimitUs: how long one eviction pass may
// run, from maxmemory-eviction-tenacity.
func evictionTimeLimit(tenacity int) time.Duration {
	switch {
	case tenacity <= 10:
		return time.Duration(50*tenacity) * time.Microsecond
	case tenacity < 100:
		return time.Duration(500*math.Pow(1.15, float64(tenacity-10))) * time.Microsecond
	}
	return time.Duration(math.MaxInt64)
}

// performEvictions evicts keys until used memory is under maxmemory. Lock
// held.
func (s *Server) performEvictions() int {
	limit := s.cfg.MaxMemory
	if limit <= 0 || s.pause.active {
		return evictOK
	}
	m := &s.mem
	if s.usedMemory(false) <= limit || s.usedMemory(true) <= limit ||
		m.forceGC(s, 100*time.Millisecond) && m.used() <= limit {
		s.evictExceedEnd()
		return evictOK
	}
	if m.exceedSince.IsZero() {
		m.exceedSince = time.Now()
	}
	if s.cfg.MaxMemoryPolicy == "noeviction" {
		if m.forceGC(s, 10*time.Millisecond) && m.used() <= limit {
			s.evictExceedEnd()
			return evictOK
		}
		return evictFail
	}
	start := time.Now()
	timeLimit := evictionTimeLimit(s.cfg.MaxMemoryEvictionTenacity)
	result := evictOK
	keys := 0
	for m.used() > limit {
		db, key := s.evictPick()
		if db == nil {
			if m.forceGC(s, 10*time.Millisecond) {
				continue // the figure may have been garbage
			}
			result = evictFail
			break
		}
		k := []byte(key)
		e := db.RawLookup(k)
		if e == nil {
			continue
		}
		size := int64(entryMemory(k, e))
		delStart := time.Now()
		deleted := db.Evict(k, s.now) // Delete, but the modules' Key event says "evicted" (mod_events.go)
		s.latencySample("eviction-del", time.Since(delStart))
		m.freed += size
		if deleted {
			s.stats.evictedKeys++
			// signalModifiedKey (WATCH, client-side caching); Redis does
			// not count evictions as changes to save.
			s.touchWatched(db, k)
			s.trackingInvalidate(k, nil)
			s.propagateDeletion(db.ID, k)
			s.keyEvicted(db.ID, k) // modules' Key event, then the "evicted" keyspace event (mod_events.go)
		}
		keys++
		if keys%16 == 0 && time.Since(start) > timeLimit {
			result = evictRunning
			break
		}
	}
	s.latencySample("eviction-cycle", time.Since(start))
	if result == evictOK {
		s.evictExceedEnd()
	}
	return result
}

// evictExceedEnd closes a period of used memory over maxmemory, for
// total_eviction_exceeded_time.
func (s *Server) evictExceedEnd() {
	if !s.mem.exceedSince.IsZero() {
		s.stats.evictExceedUs += time.Since(s.mem.exceedSince).Microseconds()
		s.mem.exceedSince = time.Time{}
	}
}

// evictPick chooses the next key to evict under the current policy, or
// returns a nil database when there is none.
func (s *Server) evictPick() (*keyspace.DB, string) {
	policy := s.cfg.MaxMemoryPolicy
	allkeys := strings.HasPrefix(policy, "allkeys-")
	ev := &s.evict
	if strings.HasSuffix(policy, "-random") {
		n := len(s.dbs)
		for i := 0; i < n; i++ {
			ev.nextDB = (ev.nextDB + 1) % n
			db := s.dbs[ev.nextDB]
			ev.sample = ev.sample[:0]
			if allkeys {
				ev.sample = db.SampleKeys(1, ev.sample)
			} else {
				ev.sample = db.SampleExpires(1, ev.sample)
			}
			if len(ev.sample) > 0 {
				return db, ev.sample[0].Key()
			}
		}
		return nil, ""
	}
	for {
		total := 0
		for _, db := range s.dbs {
			n := db.Len()
			if !allkeys {
				n = db.ExpiresLen()
			}
			if n == 0 {
				continue
			}
			total += n
			s.evictionPoolPopulate(db, allkeys, policy)
		}
		if total == 0 {
			return nil, ""
		}
		found := false
		for k := evictionPoolSize - 1; k >= 0; k-- {
			pe := ev.pool[k]
			if pe.key == "" {
				continue
			}
			found = true
			ev.pool[k] = poolEntry{}
			db := s.dbs[pe.db]
			e := db.RawLookup([]byte(pe.key))
			if e != nil && (allkeys || e.Expire != 0) {
				return db, pe.key
			}
			// A ghost: the key went away since it was sampled.
		}
		if !found {
			return nil, ""
		}
	}
}

// evictionPoolPopulate samples keys of db into the pool, keeping the best
// evictionPoolSize candidates sorted by ascending idle score.
func (s *Server) evictionPoolPopulate(db *keyspace.DB, allkeys bool, policy string) {
	ev := &s.evict
	ev.sample = ev.sample[:0]
	n := max(s.cfg.MaxMemorySamples, 1)
	if allkeys {
		ev.sample = db.SampleKeys(n, ev.sample)
	} else {
		ev.sample = db.SampleExpires(n, ev.sample)
	}
	pool := &ev.pool
	for _, e := range ev.sample {
		var idle uint64
		switch {
		case strings.HasSuffix(policy, "-lru"):
			idle = uint64(e.IdleMillis(s.now))
		case strings.HasSuffix(policy, "-lfu"):
			idle = 255 - uint64(e.Freq(s.now))
		default: // volatile-ttl: the sooner it expires, the better
			idle = math.MaxUint64 - uint64(e.Expire)
		}
		key := e.Key()
		dup := false
		for _, pe := range pool {
			if pe.key == key && pe.db == db.ID {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		k := 0
		for k < evictionPoolSize && pool[k].key != "" && pool[k].idle < idle {
			k++
		}
		switch {
		case k == 0 && pool[evictionPoolSize-1].key != "":
			continue // worse than everything in a full pool
		case k < evictionPoolSize && pool[k].key == "":
			// an empty slot
		case pool[evictionPoolSize-1].key == "":
			copy(pool[k+1:], pool[k:evictionPoolSize-1]) // room on the right
		default:
			k-- // full: drop the worst, on the left
			copy(pool[:k], pool[1:k+1])
		}
		pool[k] = poolEntry{key: key, db: db.ID, idle: idle}
	}
}

// applyMemoryLimit keeps the Go runtime's soft memory limit near maxmemory
// (plus the runtime's own overhead), so the collector works harder as the
// limit approaches; with no maxmemory it restores the previous limit. Only
// a started server changes this process-wide setting. Lock held.
func (s *Server) applyMemoryLimit() {
	m := &s.mem
	if !s.listening || s.memProbe != nil {
		return
	}
	if s.cfg.MaxMemory <= 0 {
		s.restoreMemoryLimit()
		return
	}
	if m.samples == nil {
		m.refresh(s)
	}
	overhead := max(m.overhead, 8<<20)
	target := s.cfg.MaxMemory + s.cfg.MaxMemory/10 + overhead
	if target < 0 { // overflow: no useful limit
		target = math.MaxInt64
	}
	if !m.limitSet {
		m.origLimit = debug.SetMemoryLimit(-1)
		m.limitSet = true
	}
	if d := target - m.limitNow; d > target/20 || -d > target/20 {
		debug.SetMemoryLimit(target)
		m.limitNow = target
	}
}

// restoreMemoryLimit puts back the limit the process had. Lock held.
func (s *Server) restoreMemoryLimit() {
	m := &s.mem
	if m.limitSet {
		debug.SetMemoryLimit(m.origLimit)
		m.limitSet = false
		m.limitNow = 0
	}
}

// OverMaxmemory runs an eviction pass and reports whether used memory is
// still over maxmemory with nothing left to evict: a script's first write
// must then fail with OOM, as Redis's scripts do. Lock held.
func (s *Server) overMaxmemory() bool {
	return s.cfg.MaxMemory > 0 && s.performEvictions() == evictFail
}
