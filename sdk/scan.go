package sdk

// ScanCursor is the position of a scan over the keyspace (Ctx.Scan) or over
// the elements of a key (Key.ScanKey), the Go form of RedisModuleScanCursor.
// A new cursor starts at the beginning. It is a plain value with no tie to
// the server: keep it as long as needed, between commands or in a
// goroutine (the scan calls themselves need the execution lock).
type ScanCursor struct {
	pos  uint64
	done bool
}

// ScanCursorCreate returns a cursor at the beginning
// (RedisModule_ScanCursorCreate).
func ScanCursorCreate() *ScanCursor { return &ScanCursor{} }

// Restart moves the cursor back to the beginning
// (RedisModule_ScanCursorRestart).
func (c *ScanCursor) Restart() {
	if c != nil {
		*c = ScanCursor{}
	}
}

// Destroy does nothing (RedisModule_ScanCursorDestroy): the garbage
// collector frees the cursor.
func (c *ScanCursor) Destroy() {}

// Done reports whether the scan the cursor belongs to is complete.
func (c *ScanCursor) Done() bool { return c == nil || c.done }

// Position returns the cursor's position: 0 at the beginning, then a value
// whose meaning belongs to the server. Implementations of Scan use it; a
// module has no need to.
func (c *ScanCursor) Position() uint64 {
	if c == nil {
		return 0
	}
	return c.pos
}

// Advance records the position for the next scan call: next is the cursor
// a SCAN-like walk returned, 0 meaning the walk is complete. Implementations
// of Scan and ScanKey call it; a module has no need to.
func (c *ScanCursor) Advance(next uint64) {
	if c == nil {
		return
	}
	c.pos = next
	c.done = next == 0
}

// ScanAPI is the part of KeyAPI that scans the keyspace.
type ScanAPI interface {
	// Scan calls fn for some of the keys of the selected database, from
	// where cursor is, moves cursor on, and reports whether there are more
	// keys to scan (RedisModule_Scan): loop while it returns true.
	//
	//	c := sdk.ScanCursorCreate()
	//	for ctx.Scan(c, func(name sdk.String, k sdk.Key) { ... }) {
	//	}
	//
	// It has the guarantee of the SCAN command: a key present from the
	// start to the end of the scan is reported at least once (possibly more
	// than once); keys added or removed meanwhile may or may not be. Keys
	// that have expired are not reported.
	//
	// k is the key opened for Read without recording an access; it and
	// name are valid only during the call of fn (Retain name to keep it).
	// fn may change or delete the key it is given, or any other key: the
	// keys of one call are collected before fn runs, so a key deleted
	// before its turn is skipped. A done cursor, or a nil one, returns
	// false at once without calling fn.
	Scan(cursor *ScanCursor, fn func(name String, k Key)) bool
}

// KeyScan is the part of Key that scans its elements.
type KeyScan interface {
	// ScanKey calls fn for some of the elements of a hash, set or sorted
	// set value, from where cursor is, moves cursor on, and reports whether
	// there are more (RedisModule_ScanKey): loop while it returns true.
	// For a hash fn gets each field and its value, for a sorted set each
	// member and its score (formatted as ZSCAN replies it), for a set each
	// member and the zero String.
	//
	// It has HSCAN's guarantee: an element present from the start to the
	// end of the scan is reported at least once; a small (listpack or
	// intset encoded) value is reported whole in one call. field and value
	// are copies, valid after fn returns. The elements of one call are
	// collected before fn runs, so fn may change the key (deleting the
	// element it is given, say); the more it changes, the more duplicates
	// later calls may report. An empty key, a value of another type, a
	// closed key, or a done or nil cursor return false without calling fn.
	ScanKey(cursor *ScanCursor, fn func(field, value String)) bool
}
