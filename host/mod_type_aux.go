package host

// Module AUX data (sdk.TypeMethods.AuxSave, AuxLoad): data a module type
// keeps outside any key, saved in RDB files as MODULE_AUX records
// (rdb.Encoder.ModuleAux) before the keys, after them, or both.
//
// The writers of RDB files (SAVE, BGSAVE, the AOF's RDB base) capture the
// data under the execution lock when they start, by running every type's
// AuxSave into recorded calls (captureModuleAux), and write the records at
// their places: for a background save the data is then that of the
// snapshot's moment, and no module code runs outside the lock.

import (
	"fmt"
	"sort"

	"modis/host/internal/rdb"
	"modis/sdk"
)

// AuxLoad implements rdb.ModuleAuxType: the type's AuxLoad.
func (t *modType) AuxLoad(r *rdb.ModuleReader, encver, when int) error {
	if t.m.AuxLoad == nil {
		return fmt.Errorf("the module type %s does not load AUX data", t.name)
	}
	io := &modIO{t: t, mode: ioLoad, r: r, db: -1}
	var lerr error
	if err := t.guard("AuxLoad", nil, true, func() { lerr = t.m.AuxLoad(io, encver, when) }); err != nil {
		return err
	}
	if io.err != nil {
		return io.err
	}
	return lerr
}

// moduleAux is the AUX data of a server's module types, recorded for one
// RDB file.
type moduleAux []auxRecord

type auxRecord struct {
	t    *modType
	when int // rdb.AuxBefore or rdb.AuxAfter
	ops  []ioOp
	err  error // AuxSave failed or panicked: the save fails with it
}

// captureModuleAux runs the AuxSave of every type this server's modules
// registered, for each trigger it asked for, into recorded calls. Lock
// held.
func (s *Server) captureModuleAux() moduleAux {
	if typesLive.Load() == 0 {
		return nil
	}
	typeReg.Lock()
	var ts []*modType
	for _, t := range typeReg.byName {
		if t.srv == s && t.m.AuxSave != nil {
			ts = append(ts, t)
		}
	}
	typeReg.Unlock()
	sort.Slice(ts, func(i, j int) bool { return ts[i].name < ts[j].name })
	var out moduleAux
	for _, when := range []int{sdk.AuxBeforeRDB, sdk.AuxAfterRDB} {
		for _, t := range ts {
			if t.m.AuxSaveTriggers&when == 0 {
				continue
			}
			io := &modIO{t: t, mode: ioRecord, db: -1}
			err := t.guard("AuxSave", nil, true, func() { t.m.AuxSave(io, when) })
			if err == nil {
				err = io.err
			}
			out = append(out, auxRecord{t: t, when: when, ops: io.ops, err: err})
		}
	}
	return out
}

// write writes the records of trigger when (rdb.AuxBefore, rdb.AuxAfter).
func (a moduleAux) write(enc *rdb.Encoder, when int) error {
	for _, r := range a {
		if r.when != when {
			continue
		}
		if r.err != nil {
			return r.err
		}
		ops := r.ops
		if err := enc.ModuleAux(r.t, when, func(w *rdb.ModuleWriter) error {
			replayOps(w, ops)
			return w.Err()
		}); err != nil {
			return err
		}
	}
	return nil
}
