package host

import (
	"strconv"
	"strings"
	"time"

	"modis/sdk"
)

// Module options, context flags, the server version and the small
// utilities of the lifecycle family (RedisModule_SetModuleOptions,
// GetContextFlags, GetServerVersion, ...), and the cluster API, which
// Modis answers as a Redis without cluster mode does.

// SetModuleOptions implements sdk.Ctx. ModuleOptionNoImplicitSignalModified
// is kept in Module.noImplicitSignal, which the key API reads when a key
// opened for writing is closed.
func (x *modCtx) SetModuleOptions(options sdk.ModuleOptions) {
	if x.mod == nil {
		return
	}
	x.mod.options = options
	x.mod.noImplicitSignal = options&sdk.ModuleOptionNoImplicitSignalModified != 0
}

// infoOptions renders a module's options as INFO modules does
// (genModulesInfoStringRenderModuleOptions): "[handle-io-errors|...]".
func (m *Module) infoOptions() string {
	var opts []string
	if m.options&sdk.ModuleOptionHandleIOErrors != 0 {
		opts = append(opts, "handle-io-errors")
	}
	if m.options&sdk.ModuleOptionHandleReplAsyncLoad != 0 {
		opts = append(opts, "handle-repl-async-load")
	}
	if m.options&sdk.ModuleOptionNoImplicitSignalModified != 0 {
		opts = append(opts, "no-implicit-signal-modified")
	}
	return "[" + strings.Join(opts, "|") + "]"
}

// GetContextFlags implements sdk.Ctx, from the server's real state, as
// RedisModule_GetContextFlags.
func (x *modCtx) GetContextFlags() sdk.CtxFlags {
	s := x.s
	f := sdk.CtxFlagsMaster
	if c := x.c; c != nil {
		if c.noBlock() {
			f |= sdk.CtxFlagsDenyBlocking
		}
		if c.proto() == 3 {
			f |= sdk.CtxFlagsRESP3
		}
		if c.watchDirty || c.multi != nil && c.multi.aborted {
			f |= sdk.CtxFlagsMultiDirty
		}
		if c.inScript {
			f |= sdk.CtxFlagsLua
		}
		if c.multi != nil && c.multi.executing {
			f |= sdk.CtxFlagsMulti
		}
	}
	if s.load.active {
		f |= sdk.CtxFlagsLoading
	}
	if s.cfg.MaxMemory > 0 {
		f |= sdk.CtxFlagsMaxmemory
		if s.cfg.MaxMemoryPolicy != "noeviction" {
			f |= sdk.CtxFlagsEvict
		}
		used := s.usedMemory(false)
		if used > s.cfg.MaxMemory {
			f |= sdk.CtxFlagsOOM
		}
		if float64(used)/float64(s.cfg.MaxMemory) > 0.75 {
			f |= sdk.CtxFlagsOOMWarning
		}
	}
	if s.aof != nil {
		f |= sdk.CtxFlagsAOF
	}
	if len(s.cfg.SavePoints) > 0 {
		f |= sdk.CtxFlagsRDB
	}
	if s.childActive() {
		f |= sdk.CtxFlagsActiveChild
	}
	if !s.listening {
		f |= sdk.CtxFlagsServerStartup
	}
	return f
}

// GetContextFlagsAll implements sdk.Ctx: every flag up to SERVER_STARTUP.
func (x *modCtx) GetContextFlagsAll() sdk.CtxFlags { return sdk.CtxFlagsServerStartup<<1 - 1 }

// IsModuleNameBusy implements sdk.Ctx.
func (x *modCtx) IsModuleNameBusy(name string) bool { return x.s.modules.byName(name) != nil }

// serverVersionNum is RedisVersion as 0x00MMmmpp (REDIS_VERSION_NUM).
var serverVersionNum = func() int {
	n := 0
	for _, part := range strings.SplitN(RedisVersion, ".", 3) {
		v, _ := strconv.Atoi(part)
		n = n<<8 | v&0xff
	}
	return n
}()

// GetServerVersion implements sdk.Ctx.
func (x *modCtx) GetServerVersion() int { return serverVersionNum }

// GetUsedMemoryRatio implements sdk.Ctx: used memory (as INFO's
// used_memory) over maxmemory, 0 without a limit, as Redis's
// getMaxmemoryState reports it to modules.
func (x *modCtx) GetUsedMemoryRatio() float64 {
	if x.phase == phaseDone || x.s.cfg.MaxMemory <= 0 {
		return 0
	}
	return float64(x.s.usedMemory(false)) / float64(x.s.cfg.MaxMemory)
}

// GetTypeMethodVersion implements sdk.Ctx: Redis 7.0's
// REDISMODULE_TYPE_METHOD_VERSION.
func (x *modCtx) GetTypeMethodVersion() int { return 4 }

// AvoidReplicaTraffic implements sdk.Ctx: clients are paused.
func (x *modCtx) AvoidReplicaTraffic() bool { return x.s.pause.active }

// Microseconds implements sdk.Ctx.
func (x *modCtx) Microseconds() int64 { return time.Now().UnixMicro() }

// CachedMicroseconds implements sdk.Ctx: the batch's clock (Server.now, in
// milliseconds), or the time now before the first batch.
func (x *modCtx) CachedMicroseconds() int64 {
	if x.s.now == 0 {
		return time.Now().UnixMilli() * 1000
	}
	return x.s.now * 1000
}

// LatencyAddSample implements sdk.Ctx, as Redis's
// latencyAddSampleIfNeeded.
func (x *modCtx) LatencyAddSample(event string, latencyMs int64) {
	if event == "" || latencyMs < 0 {
		return
	}
	x.s.latencySample(event, time.Duration(latencyMs)*time.Millisecond)
}

// GetMyClusterID implements sdk.Ctx: no cluster mode.
func (x *modCtx) GetMyClusterID() string { return "" }

// GetClusterSize implements sdk.Ctx: no cluster mode.
func (x *modCtx) GetClusterSize() int { return 0 }

// GetClusterNodesList implements sdk.Ctx: no cluster mode.
func (x *modCtx) GetClusterNodesList() []string { return nil }

// GetClusterNodeInfo implements sdk.Ctx: no cluster mode.
func (x *modCtx) GetClusterNodeInfo(id string) (sdk.ClusterNodeInfo, error) {
	return sdk.ClusterNodeInfo{}, sdk.ErrNoCluster
}

// RegisterClusterMessageReceiver implements sdk.Ctx: no cluster mode.
func (x *modCtx) RegisterClusterMessageReceiver(msgType uint8, fn sdk.ClusterMessageReceiver) error {
	return sdk.ErrNoCluster
}

// SendClusterMessage implements sdk.Ctx: no cluster mode.
func (x *modCtx) SendClusterMessage(targetID string, msgType uint8, payload []byte) error {
	return sdk.ErrNoCluster
}

// SetClusterFlags implements sdk.Ctx: nothing to set.
func (x *modCtx) SetClusterFlags(flags int) {}
