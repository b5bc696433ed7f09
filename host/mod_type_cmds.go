package host

// What built-in commands do with module values: the hooks TYPE, COPY,
// MEMORY USAGE, DEL, UNLINK, FLUSHDB and FLUSHALL call (each a line in the
// command's file).

import (
	"errors"

	"modis/host/internal/keyspace"
	"modis/sdk"
)

// COPY's errors for module values, Redis 7.0's texts
// (moduleTypeDupOrReply).
var (
	errCopyModuleNotSupported = errors.New("ERR not supported for this module key")
	errCopyModuleFailed       = errors.New("ERR module key failed to copy")
)

// copyEntry is COPY's copy of a value: module values through their type's
// Copy (copy2), every other kind through cloneEntry.
func (c *Client) copyEntry(e *keyspace.Entry, src, dkey []byte, dst *keyspace.DB) (*keyspace.Entry, error) {
	if e.Kind != keyspace.KindModule {
		return cloneEntry(e)
	}
	w := moduleValueOf(e)
	if w == nil || w.t.m.Copy == nil {
		return nil, errCopyModuleNotSupported
	}
	k := sdk.KeyOptCtx{Key: sdk.StringFromBytes(src), DB: c.db.ID, ToKey: sdk.StringFromBytes(dkey), ToDB: dst.ID}
	var nv any
	if err := w.t.guard("Copy", src, true, func() { nv = w.t.m.Copy(k, w.v) }); err != nil || nv == nil {
		return nil, errCopyModuleFailed
	}
	return &keyspace.Entry{Kind: keyspace.KindModule, Obj: w.t.newValue(nv), Expire: e.Expire}, nil
}

// moduleMemoryUsage is MEMORY USAGE of a module value: what the type's
// MemUsage reports (mem_usage2 gets the SAMPLES count, 0 for all), plus
// the key's string and dictionary entry, as Redis's objectComputeSize and
// memoryCommand count it. Lock held.
func moduleMemoryUsage(db *keyspace.DB, key []byte, e *keyspace.Entry, samples int) int {
	n := 0
	if w := moduleValueOf(e); w != nil {
		n = w.memUsage(keyOpt(db, key), samples)
	}
	return n + sdsAllocSize(len(key), 0) + dictEntrySize
}

// modRelease is a module value a deletion is about to drop: Unlink ran,
// Free runs after the deletion (done).
type modRelease struct {
	w *modValue
	k sdk.KeyOptCtx
}

// moduleDeleting is called by DEL and UNLINK before they delete key: a
// live module value gets its Unlink now, and its Free from done once it
// is gone. It returns nil (and done does nothing) for any other key. Lock
// held.
func (s *Server) moduleDeleting(db *keyspace.DB, key []byte) *modRelease {
	if typesLive.Load() == 0 {
		return nil
	}
	e := db.RawLookup(key)
	if e == nil || (e.Expire != 0 && e.Expire <= s.now) {
		return nil
	}
	w := moduleValueOf(e)
	if w == nil {
		return nil
	}
	r := &modRelease{w: w, k: keyOpt(db, key)}
	w.unlink(r.k)
	return r
}

// done frees the value after its key was deleted; async is UNLINK's lazy
// free.
func (r *modRelease) done(async bool) {
	if r != nil {
		r.w.free(r.k, async)
	}
}

// moduleFlushing is called by FLUSHDB (db) and FLUSHALL (db nil) before
// they empty databases: it collects the module values, whose Free runs
// from done once they are gone. Lock held.
func (s *Server) moduleFlushing(db *keyspace.DB) modReleases {
	if typesLive.Load() == 0 {
		return nil
	}
	var out modReleases
	for _, d := range s.dbs {
		if db != nil && d != db {
			continue
		}
		d.Scan(0, d.Len(), func(e *keyspace.Entry) {
			if w := moduleValueOf(e); w != nil && w.t.m.Free != nil {
				out = append(out, modRelease{w: w, k: sdk.KeyOptCtx{Key: sdk.CreateString(e.Key()), DB: d.ID, ToDB: -1}})
			}
		})
	}
	return out
}

// modReleases are the module values a flush dropped.
type modReleases []modRelease

// done frees them; async is FLUSHALL/FLUSHDB ASYNC.
func (rs modReleases) done(async bool) {
	for i := range rs {
		rs[i].w.free(rs[i].k, async)
	}
}
