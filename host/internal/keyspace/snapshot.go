package keyspace

import "modis/host/internal/types"

// Snapshot is a consistent view of the databases as they were when Begin
// ran, read while they keep changing: copy-on-write at the key level.
//
// Begin bumps the generation. The saver walks each database's dense slot
// slice from the top down (Next) and marks every entry it visits with the
// generation; entries born after Begin carry the generation already and are
// skipped. Before a write changes or removes an entry that is not marked yet
// (Peek, PeekNoTouch, Set over it, SetExpire, Delete and expiry, Flush,
// Swap), preserve copies the old value into the snapshot's side table and
// marks the entry, so the saver never sees the new value. Deletion only
// moves the last entry down into the hole, so the walk, clamped to the
// slice's length, meets every unmarked entry exactly once.
//
// All methods expect the execution lock, like the rest of the package.
type Snapshot struct {
	dbs  []*DB
	gen  uint32
	now  int64      // Unix ms at Begin: keys expired by then are not saved
	pos  []int      // per database: one more than the next slot to visit
	size []int      // per database: keys at Begin
	exps []int      // per database: keys with an expiry at Begin
	side [][]*Entry // per database: values preserved for the saver
	// CowBytes is an estimate of the bytes copied aside so far.
	CowBytes int64

	total int64 // keys in every database at Begin
	seen  int64 // of those, visited by Next or marked by preserve so far
}

// Begin starts a snapshot of dbs (all made by one New) at time now.
func Begin(dbs []*DB, now int64) *Snapshot {
	sh := dbs[0].sh
	sh.gen++
	sn := &Snapshot{dbs: dbs, gen: sh.gen, now: now}
	for _, db := range dbs {
		sn.pos = append(sn.pos, len(db.slots))
		sn.size = append(sn.size, len(db.slots))
		sn.exps = append(sn.exps, len(db.exps))
		sn.total += int64(len(db.slots))
	}
	sn.side = make([][]*Entry, len(dbs))
	sh.snap = sn
	return sn
}

// End detaches the snapshot: writes stop copying values aside.
func (sn *Snapshot) End() {
	if sh := sn.dbs[0].sh; sh.snap == sn {
		sh.snap = nil
	}
}

// Size returns the number of keys and of keys with an expiry database i
// held at Begin.
func (sn *Snapshot) Size(i int) (keys, expires int) { return sn.size[i], sn.exps[i] }

// Progress returns how many of the keys present at Begin the snapshot has
// accounted for so far (visited by Next, or copied aside or dropped before
// a write) and how many there were: INFO's current_save_keys_processed and
// current_save_keys_total. processed reaches total when every database's
// walk is complete.
func (sn *Snapshot) Progress() (processed, total int64) { return sn.seen, sn.total }

// Cow returns CowBytes: the estimated bytes copied aside so far (INFO's
// current_cow_size during a save).
func (sn *Snapshot) Cow() int64 { return sn.CowBytes }

// Now returns the time the snapshot was taken (Unix ms).
func (sn *Snapshot) Now() int64 { return sn.now }

// Next visits up to max slots of database i not visited yet, from the top
// down, and calls fn with each entry that belongs to the snapshot (present
// at Begin, unchanged since, not expired at Begin). It reports whether the
// walk of database i is complete.
func (sn *Snapshot) Next(i int, max int, fn func(e *Entry)) bool {
	db := sn.dbs[i]
	pos := min(sn.pos[i], len(db.slots))
	for ; pos > 0 && max > 0; max-- {
		pos--
		e := db.slots[pos]
		if e.snap == sn.gen {
			continue
		}
		e.snap = sn.gen
		sn.seen++
		if e.Expire != 0 && e.Expire <= sn.now {
			continue
		}
		fn(e)
	}
	sn.pos[i] = pos
	return pos == 0
}

// TakeSide returns the values preserved for database i so far and forgets
// them; they belong to the caller, which may read them without the lock.
func (sn *Snapshot) TakeSide(i int) []*Entry {
	out := sn.side[i]
	sn.side[i] = nil
	return out
}

// preserve copies e's value aside if the snapshot still needs it.
func (sn *Snapshot) preserve(db *DB, e *Entry) {
	if e.snap == sn.gen {
		return
	}
	e.snap = sn.gen
	sn.seen++
	if e.Expire != 0 && e.Expire <= sn.now {
		return // expired at Begin: not saved anyway
	}
	c := &Entry{Kind: e.Kind, StrEnc: e.StrEnc, Expire: e.Expire, key: e.key, snap: sn.gen}
	n := int64(len(e.key)) + 64
	if e.Kind == KindString {
		c.Str = append([]byte(nil), e.Str...)
		n += int64(len(e.Str))
	} else {
		c.Obj = cloneObj(e.Obj)
		if m, ok := e.Obj.(interface{ MemoryUsage() int }); ok {
			n += int64(m.MemoryUsage())
		}
	}
	sn.CowBytes += n
	i := sn.index(db)
	sn.side[i] = append(sn.side[i], c)
}

func (sn *Snapshot) index(db *DB) int {
	for i, d := range sn.dbs {
		if d == db {
			return i
		}
	}
	return db.ID
}

// cloneObj deep-copies a value through its Clone method; a value without
// one (a module value) is shared.
func cloneObj(v any) any {
	switch v := v.(type) {
	case *types.Hash:
		return v.Clone()
	case *types.List:
		return v.Clone()
	case *types.Set:
		return v.Clone()
	case *types.ZSet:
		return v.Clone()
	case interface{ Clone() any }:
		return v.Clone()
	}
	return v
}
