package host

import (
	"math"
	"math/bits"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"modis/host/internal/keyspace"
)

// Object introspection: OBJECT ENCODING|REFCOUNT|IDLETIME|FREQ|HELP and
// MEMORY USAGE|DOCTOR|STATS|MALLOC-STATS|PURGE|HELP.

func objectCommands() []*Command {
	const ro = FlagReadonly
	return []*Command{
		{
			Name: "object", Arity: -2, Group: "generic", Summary: "A container for object introspection commands", Since: "2.2.3",
			Subs: map[string]*Command{
				"encoding": {Arity: 3, Flags: ro, FirstKey: 2, LastKey: 2, Step: 1, Handler: cmdObjectEncoding,
					Summary: "Inspect the internal encoding of a Redis object", Since: "2.2.3"},
				"refcount": {Arity: 3, Flags: ro, FirstKey: 2, LastKey: 2, Step: 1, Handler: cmdObjectRefcount,
					Summary: "Get the number of references to the value of the key", Since: "2.2.3"},
				"idletime": {Arity: 3, Flags: ro, FirstKey: 2, LastKey: 2, Step: 1, Handler: cmdObjectIdletime,
					Summary: "Get the time since a Redis object was last accessed", Since: "2.2.3"},
				"freq": {Arity: 3, Flags: ro, FirstKey: 2, LastKey: 2, Step: 1, Handler: cmdObjectFreq,
					Summary: "Get the logarithmic access frequency counter of a Redis object", Since: "4.0.0"},
				"help": {Arity: 2, Flags: FlagLoading | FlagStale, Handler: replyHelp("OBJECT",
					"ENCODING <key>",
					"    Return the kind of internal representation used in order to store the value",
					"    associated with a <key>.",
					"FREQ <key>",
					"    Return the access frequency index of the <key>. The returned integer is",
					"    proportional to the logarithm of the recent access frequency of the key.",
					"IDLETIME <key>",
					"    Return the idle time of the <key>, that is the approximated number of",
					"    seconds elapsed since the last access to the key.",
					"REFCOUNT <key>",
					"    Return the number of references of the value associated with the specified",
					"    <key>.",
				), Summary: "Show helpful text about the different subcommands", Since: "6.2.0"},
			},
		},
		{
			Name: "memory", Arity: -2, Group: "server", Summary: "A container for memory diagnostics commands", Since: "4.0.0",
			Subs: map[string]*Command{
				"usage": {Arity: -3, Flags: ro, FirstKey: 2, LastKey: 2, Step: 1, Handler: cmdMemoryUsage,
					Summary: "Estimate the memory usage of a key", Since: "4.0.0"},
				"doctor": {Arity: 2, Handler: cmdMemoryDoctor,
					Summary: "Outputs memory problems report", Since: "4.0.0"},
				"stats": {Arity: 2, Handler: cmdMemoryStats,
					Summary: "Show memory usage details", Since: "4.0.0"},
				"malloc-stats": {Arity: 2, Handler: cmdMemoryMallocStats,
					Summary: "Show allocator internal stats", Since: "4.0.0"},
				"purge": {Arity: 2, Handler: cmdMemoryPurge,
					Summary: "Ask the allocator to release memory", Since: "4.0.0"},
				"help": {Arity: 2, Flags: FlagLoading | FlagStale, Handler: replyHelp("MEMORY",
					"DOCTOR",
					"    Return memory problems reports.",
					"MALLOC-STATS",
					"    Return internal statistics report from the memory allocator.",
					"PURGE",
					"    Attempt to purge dirty pages for reclamation by the allocator.",
					"STATS",
					"    Return information about the memory usage of the server.",
					"USAGE <key> [SAMPLES <count>]",
					"    Return memory in bytes used by <key> and its value. Nested values are",
					"    sampled up to <count> times (default: 5, 0 means sample all).",
				), Summary: "Show helpful text about the different subcommands", Since: "4.0.0"},
			},
		},
	}
}

// replyHelp is Redis's addReplyHelp: a header line, the lines, and HELP.
func replyHelp(container string, lines ...string) HandlerFunc {
	all := append([]string{container + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"}, lines...)
	all = append(all, "HELP", "    Prints this help.")
	return func(c *Client, _ [][]byte) error {
		c.out.Array(len(all))
		for _, l := range all {
			c.out.SimpleString(l)
		}
		return nil
	}
}

// configValue returns a configuration parameter's current value, as CONFIG
// GET shows it ("" if there is no such parameter).
func (s *Server) configValue(name string) string {
	if p := findParam(name); p != nil && p.get != nil {
		return p.get(&s.cfg)
	}
	return ""
}

// lfuPolicy reports whether maxmemory-policy is an LFU policy.
func (s *Server) lfuPolicy() bool {
	return strings.HasSuffix(s.configValue("maxmemory-policy"), "-lfu")
}

// sharedIntegersAllowed mirrors tryObjectEncoding's condition for using the
// shared integer objects: no maxmemory, or a policy that is neither LRU nor
// LFU.
func (s *Server) sharedIntegersAllowed() bool {
	mm := s.configValue("maxmemory")
	if mm == "" || mm == "0" {
		return true
	}
	p := s.configValue("maxmemory-policy")
	return !strings.HasSuffix(p, "-lru") && !strings.HasSuffix(p, "-lfu")
}

// objectLookup is objectCommandLookup: a read that counts stats but is not
// an access. A missing key replies null.
func (c *Client) objectLookup(key []byte) *keyspace.Entry {
	e := c.db.LookupNoTouch(key, c.srv.now)
	if e == nil {
		c.out.Null()
	}
	return e
}

// encodingOf is the name OBJECT ENCODING reports for e.
func encodingOf(e *keyspace.Entry) string {
	if e.Kind == keyspace.KindString {
		return e.StrEncoding()
	}
	if enc, ok := e.Obj.(interface{ Encoding() string }); ok {
		return enc.Encoding()
	}
	if e.Kind == keyspace.KindModule {
		return "raw" // module values are OBJ_ENCODING_RAW
	}
	return "unknown"
}

func cmdObjectEncoding(c *Client, args [][]byte) error {
	if e := c.objectLookup(args[2]); e != nil {
		c.out.BulkString(encodingOf(e))
	}
	return nil
}

func cmdObjectRefcount(c *Client, args [][]byte) error {
	e := c.objectLookup(args[2])
	if e == nil {
		return nil
	}
	if e.SharedInt(c.srv.sharedIntegersAllowed()) {
		c.out.Int(math.MaxInt32) // OBJ_SHARED_REFCOUNT
	} else {
		c.out.Int(1)
	}
	return nil
}

func cmdObjectIdletime(c *Client, args [][]byte) error {
	e := c.objectLookup(args[2])
	if e == nil {
		return nil
	}
	if c.srv.lfuPolicy() {
		return ErrLFUSelected
	}
	c.out.Int(e.IdleMillis(c.srv.now) / 1000)
	return nil
}

func cmdObjectFreq(c *Client, args [][]byte) error {
	e := c.objectLookup(args[2])
	if e == nil {
		return nil
	}
	if !c.srv.lfuPolicy() {
		return ErrLFUNotSelected
	}
	c.out.Int(int64(e.Freq(c.srv.now)))
	return nil
}

// Memory accounting in Redis's terms, so that MEMORY USAGE of a string is
// what Redis 7.0 (with jemalloc) reports.
const (
	robjSize      = 16 // sizeof(robj)
	dictEntrySize = 24 // sizeof(dictEntry)
)

// mallocSize is the jemalloc size class holding an n-byte allocation.
func mallocSize(n int) int {
	switch {
	case n <= 8:
		return 8
	case n <= 128:
		return (n + 15) &^ 15
	}
	k := bits.Len(uint(n-1)) - 1 // 2^k < n <= 2^(k+1)
	step := 1 << (k - 2)
	return (n + step - 1) &^ (step - 1)
}

// sdsAllocSize is the allocation of an sds string of length n with room
// for capacity bytes (sdsZmallocSize).
func sdsAllocSize(n, capacity int) int {
	var hdr int
	switch {
	case n < 1<<5 && n > 0:
		hdr = 1
	case n < 1<<8:
		hdr = 3
	case n < 1<<16:
		hdr = 5
	case n < 1<<32:
		hdr = 9
	default:
		hdr = 17
	}
	return mallocSize(hdr + max(n, capacity) + 1)
}

// valueSize is objectComputeSize: the bytes a value takes, its object
// header included.
func valueSize(e *keyspace.Entry) int {
	if e.Kind == keyspace.KindString {
		switch e.StrEncoding() {
		case "int":
			return robjSize
		case "embstr":
			return mallocSize(robjSize + 3 + len(e.Str) + 1)
		default:
			return robjSize + sdsAllocSize(len(e.Str), cap(e.Str))
		}
	}
	if mu, ok := e.Obj.(interface{ MemoryUsage() int }); ok {
		return robjSize + mu.MemoryUsage()
	}
	return robjSize
}

// entryMemory is what MEMORY USAGE reports for key's entry e: the value,
// the key's own string and the hash table entry.
func entryMemory(key []byte, e *keyspace.Entry) int {
	return valueSize(e) + sdsAllocSize(len(key), 0) + dictEntrySize
}

// cmdMemoryUsage is MEMORY USAGE key [SAMPLES count]. Values report their
// whole size, so SAMPLES is checked but not needed. Like Redis it looks the
// key up without expiring it.
func cmdMemoryUsage(c *Client, args [][]byte) error {
	samples := int64(5) // OBJ_COMPUTE_SIZE_DEF_SAMPLES, for module types' MemUsage
	for j := 3; j < len(args); j++ {
		if !kwIs(args[j], "SAMPLES") || j+1 >= len(args) {
			return ErrSyntax
		}
		n, ok := keyspace.ParseStrictInt(args[j+1])
		if !ok {
			return ErrNotInteger
		}
		if n < 0 {
			return ErrSyntax
		}
		samples = n
		j++
	}
	e := c.db.RawLookup(args[2])
	if e == nil {
		c.out.Null()
		return nil
	}
	if e.Kind == keyspace.KindModule {
		c.out.Int(int64(moduleMemoryUsage(c.db, args[2], e, int(samples)))) // mod_type_cmds.go
		return nil
	}
	c.out.Int(int64(entryMemory(args[2], e)))
	return nil
}

// The texts of MEMORY DOCTOR.
const (
	doctorEmpty = "Hi Sam, this instance is empty or is using very little memory, " +
		"my issues detector can't be used in these conditions. " +
		"Please, leave for your mission on Earth and fill it with some data. " +
		"The new Sam and I will be back to our programming as soon as I " +
		"finished rebooting.\n"
	doctorFine = "Hi Sam, I can't find any memory issue in your instance. " +
		"I can only account for what occurs on this base.\n"
	doctorIssues = "Sam, I detected a few issues in this Redis instance memory implants:\n\n"
	doctorPeak   = " * Peak memory: In the past this instance used more than 150% the memory that is currently using. " +
		"The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, " +
		"however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) " +
		"is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. " +
		"If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, " +
		"otherwise the only other option is to shutdown and restart the instance.\n\n"
	doctorEnd = "I'm here to keep you safe, Sam. I want to help you.\n"
)

// cmdMemoryDoctor is MEMORY DOCTOR, on the Go heap's figures: an instance
// using under 5 MB is "empty"; the one check that applies to Go's memory is
// the peak (the heap reserved is more than 150% of what is in use).
func cmdMemoryDoctor(c *Client, _ [][]byte) error {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	var report string
	switch {
	case ms.HeapAlloc < 5<<20:
		report = doctorEmpty
	case float64(ms.HeapSys-ms.HeapReleased) > 1.5*float64(ms.HeapAlloc):
		report = doctorIssues + doctorPeak + doctorEnd
	default:
		report = doctorFine
	}
	c.out.Verbatim("txt", []byte(report))
	return nil
}

// cmdMemoryStats is MEMORY STATS: Redis's fields, in its order, filled from
// the Go runtime where they have a counterpart and 0 where they do not.
func cmdMemoryStats(c *Client, _ [][]byte) error {
	s := c.srv
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	total := int64(ms.HeapAlloc)
	peak := int64(ms.HeapSys)
	keys := int64(0)
	var overheadDBs int64
	type dbOverhead struct {
		id          int
		main, exprs int64
	}
	var dbs []dbOverhead
	for _, db := range s.dbs {
		if db.Len() == 0 {
			continue
		}
		keys += int64(db.Len())
		// A hash table slot and an entry per key, an entry per expiry.
		o := dbOverhead{db.ID, int64(db.Len()) * (8 + dictEntrySize), int64(db.ExpiresLen()) * (8 + dictEntrySize)}
		overheadDBs += o.main + o.exprs
		dbs = append(dbs, o)
	}
	clients := int64(0)
	for _, cl := range s.clients {
		clients += int64(cap(cl.buf.B))
	}
	overhead := clients + overheadDBs
	dataset := max(total-overhead, 0)
	netUsage := max(total, 1)
	bytesPerKey := int64(0)
	if keys > 0 {
		bytesPerKey = netUsage / keys
	}
	rss := int64(ms.Sys - ms.HeapReleased)
	ratio := func(a, b int64) float64 {
		if b == 0 {
			return 0
		}
		return float64(float32(float64(a) / float64(b)))
	}
	w := c.out
	w.Map(27 + len(dbs))
	pair := func(k string, v int64) {
		w.BulkString(k)
		w.Int(v)
	}
	pairF := func(k string, v float64) {
		w.BulkString(k)
		w.Double(v)
	}
	pair("peak.allocated", peak)
	pair("total.allocated", total)
	pair("startup.allocated", 0)
	pair("replication.backlog", 0)
	pair("clients.slaves", 0)
	pair("clients.normal", clients)
	pair("cluster.links", 0)
	pair("aof.buffer", 0)
	pair("lua.caches", 0)
	pair("functions.caches", 0)
	for _, o := range dbs {
		w.BulkString("db." + strconv.Itoa(o.id))
		w.Map(3)
		pair("overhead.hashtable.main", o.main)
		pair("overhead.hashtable.expires", o.exprs)
		pair("overhead.hashtable.slot-to-keys", 0)
	}
	pair("overhead.total", overhead)
	pair("keys.count", keys)
	pair("keys.bytes-per-key", bytesPerKey)
	pair("dataset.bytes", dataset)
	pairF("dataset.percentage", float64(float32(float64(dataset)*100/float64(netUsage))))
	pairF("peak.percentage", float64(float32(float64(total)*100/float64(max(peak, 1)))))
	pair("allocator.allocated", total)
	pair("allocator.active", int64(ms.HeapInuse))
	pair("allocator.resident", int64(ms.HeapSys-ms.HeapReleased))
	pairF("allocator-fragmentation.ratio", ratio(int64(ms.HeapInuse), total))
	pair("allocator-fragmentation.bytes", int64(ms.HeapInuse)-total)
	pairF("allocator-rss.ratio", ratio(int64(ms.HeapSys-ms.HeapReleased), int64(ms.HeapInuse)))
	pair("allocator-rss.bytes", int64(ms.HeapSys-ms.HeapReleased)-int64(ms.HeapInuse))
	pairF("rss-overhead.ratio", ratio(rss, int64(ms.HeapSys-ms.HeapReleased)))
	pair("rss-overhead.bytes", rss-int64(ms.HeapSys-ms.HeapReleased))
	pairF("fragmentation", ratio(rss, total))
	pair("fragmentation.bytes", rss-total)
	return nil
}

// cmdMemoryMallocStats is MEMORY MALLOC-STATS: Redis built without jemalloc
// says it has none; the Go runtime's allocator is that case.
func cmdMemoryMallocStats(c *Client, _ [][]byte) error {
	c.out.BulkString("Stats not supported for the current allocator")
	return nil
}

// cmdMemoryPurge is MEMORY PURGE: return freed memory to the system.
func cmdMemoryPurge(c *Client, _ [][]byte) error {
	debug.FreeOSMemory()
	c.out.SimpleString("OK")
	return nil
}
