package host

// Replication of module commands (sdk.TypeAPI.Replicate and
// ReplicateVerbatim, and Call's "!"), and the values-to-strings helpers.
//
// Redis's rule, which Modis follows: a module command's effects reach the
// AOF (and replicas) only through what it propagates explicitly:
// RM_Replicate, RM_ReplicateVerbatim, and RM_Call with "!". The module
// command itself is never propagated, whatever it changed (aofLeave asks
// propagateEffect, which says so for module commands), and a command a
// module runs with Call without "!" propagates nothing itself. What one
// command propagates goes out wrapped in MULTI/EXEC when it is more than
// one command (aofState.endTop).

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"modis/host/internal/rdb"
	"modis/sdk"
)

// Replicate implements sdk.TypeAPI.
func (x *modCtx) Replicate(cmd string, format string, args ...any) error {
	if x.phase == phaseDone {
		return errors.New("Replicate used after the handler returned")
	}
	if x.s.table.Get(strings.ToLower(cmd)) == nil {
		return fmt.Errorf("Replicate: unknown command '%s'", cmd)
	}
	argv, noAOF, err := typeFormatArgs(cmd, format, args)
	if err != nil {
		return fmt.Errorf("Replicate %s: %w", cmd, err)
	}
	x.s.dirty++ // as RM_Replicate: the change counts for the save points
	if !noAOF && x.s.aof != nil {
		x.client().alsoPropagate(argv...)
	}
	return nil
}

// ReplicateVerbatim implements sdk.TypeAPI.
func (x *modCtx) ReplicateVerbatim() error {
	if x.phase != phaseCommand || x.sc == nil {
		return errors.New("ReplicateVerbatim may only be called in a command handler")
	}
	x.s.dirty++
	if x.s.aof != nil {
		argv := make([][]byte, len(x.sc.argv))
		for i, a := range x.sc.argv {
			argv[i] = a.Bytes()
		}
		x.c.alsoPropagate(argv...) // encoded at once: argv need not outlive the call
	}
	return nil
}

// callPropagating runs a command for a module's Call (callFromModule,
// mod_call.go). propagate is Call's "!" without "A": only then does the
// command propagate what it wrote, as RM_Call passes
// CMD_CALL_PROPAGATE_AOF only with "!". The flag is pushed on the
// client's modCallFrames for propagateEffect to ask. Lock held.
func (c *Client) callPropagating(cmd *Command, argv [][]byte, propagate bool) {
	if c.srv.aof == nil {
		c.call(cmd, argv)
		return
	}
	c.modCallFrames = append(c.modCallFrames, propagate)
	defer func() { c.modCallFrames = c.modCallFrames[:len(c.modCallFrames)-1] }()
	c.call(cmd, argv)
}

// modCallMuted reports whether the command that just returned on c (and
// whose propagation aofLeave is deciding) was run by a module's Call
// without "!". c.cur is then the module command. Lock held, AOF on.
func (c *Client) modCallMuted() bool {
	if c.cur == nil || c.cur.Module == nil {
		return false
	}
	fr := c.modCallFrames
	return len(fr) > 0 && !fr[len(fr)-1]
}

// SaveDataTypeToString implements sdk.TypeAPI.
func (x *modCtx) SaveDataTypeToString(value any, t sdk.ModuleType) (sdk.String, error) {
	mt, err := asModType(t)
	if err != nil {
		return sdk.String{}, err
	}
	if value == nil {
		return sdk.String{}, errors.New("SaveDataTypeToString: the value is nil")
	}
	var buf bytes.Buffer
	enc := rdb.NewEncoder(&buf, false)
	io := &modIO{t: mt, mode: ioSave, w: rdb.NewModuleWriter(enc), db: -1}
	if err := mt.guard("RDBSave", nil, true, func() { mt.m.RDBSave(io, value) }); err != nil {
		return sdk.String{}, err
	}
	if io.err != nil {
		return sdk.String{}, io.err
	}
	if err := enc.Flush(); err != nil {
		return sdk.String{}, err
	}
	return sdk.StringFromBytes(buf.Bytes()), nil
}

// LoadDataTypeFromString implements sdk.TypeAPI. (Redis 7.0 passes
// encoding version 0 to rdb_load here; Modis passes the type's own, which
// is what the string was written with.)
func (x *modCtx) LoadDataTypeFromString(s sdk.String, t sdk.ModuleType) (any, error) {
	mt, err := asModType(t)
	if err != nil {
		return nil, err
	}
	r := rdb.NewModuleReader(s.Bytes(), mt)
	io := &modIO{t: mt, mode: ioLoad, r: r, db: -1}
	var v any
	var lerr error
	if err := mt.guard("RDBLoad", nil, true, func() { v, lerr = mt.m.RDBLoad(io, mt.encver) }); err != nil {
		return nil, err
	}
	switch {
	case io.err != nil:
		return nil, fmt.Errorf("LoadDataTypeFromString: %w", io.err)
	case lerr != nil:
		return nil, fmt.Errorf("LoadDataTypeFromString: module type %s: %w", mt.name, lerr)
	case v == nil:
		return nil, fmt.Errorf("LoadDataTypeFromString: module type %s: RDBLoad returned no value", mt.name)
	}
	return v, nil
}
