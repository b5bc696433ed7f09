package sdk

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
)

// Lifecycle, commands, command info and module configs: the Go form of
// Redis's "Commands API", "Module information and time measurement",
// "Modules Cluster API", "Module Configurations API" and of the utilities
// around them (context flags, module options, server version).
//
// # Commands and subcommands
//
// A container command is created with a nil handler; its subcommands are
// created on the handle GetCommand returns, as in C:
//
//	if err := ctx.CreateCommand("mod.config", nil, "", 0, 0, 0); err != nil {
//		return err
//	}
//	parent, err := ctx.GetCommand("mod.config")
//	if err != nil {
//		return err
//	}
//	if err := parent.CreateSubcommand("get", configGet, "readonly", 0, 0, 0); err != nil {
//		return err
//	}
//
// Clients call "MOD.CONFIG GET ..."; COMMAND INFO and COMMAND DOCS list
// "mod.config|get" under its container, and an unknown subcommand gets
// Redis's "ERR unknown subcommand 'x'. Try MOD.CONFIG HELP.".
//
// SetCommandInfo describes a command (summary, complexity, arity, key
// specifications, arguments) for COMMAND INFO and COMMAND DOCS, exactly as
// RedisModule_SetCommandInfo does; SetCommandACLCategories adds it to ACL
// categories (Redis 7.2's API; COMMAND INFO shows them).
//
// # Module configs
//
// A module registers its configs in OnLoad, then calls LoadConfigs, which
// applies the values given at load time (MODULE LOADEX ... CONFIG name value,
// "<module>.<name> value" lines of the server's config file, or
// --<module>.<name> value flags) and the defaults for the others:
//
//	var limit int64
//	err := ctx.RegisterNumericConfig("limit", 100, sdk.ConfigDefault|sdk.ConfigMemory, 0, 1<<40,
//		func(name string) int64 { return limit },
//		func(name string, v int64) error { limit = v; return nil },
//		nil)
//	...
//	return ctx.LoadConfigs()
//
// The config is then "<module>.limit" for CONFIG GET, CONFIG SET and
// CONFIG REWRITE. Getters, setters and apply functions run under the
// server's execution lock (OnLoad, CONFIG SET), never concurrently: a
// module's own goroutines that read the value need their own
// synchronisation (an atomic, a mutex).

// ConfigAPI is the part of Ctx for module configs, command info and
// subcommands, module options, context flags and the server version.
type ConfigAPI interface {
	// GetCommand returns a handle on a command this module registered, as
	// RedisModule_GetCommand: "name" or "parent|sub" for a subcommand. It is
	// an error if there is no such command, or it is a built-in or another
	// module's.
	GetCommand(name string) (Command, error)

	// IsKeysPositionRequest reports whether the handler runs to report the
	// positions of its keys rather than to execute, as
	// RedisModule_IsKeysPositionRequest. That happens only for commands
	// registered with the "getkeys-api" flag, when COMMAND GETKEYS (or
	// client-side caching) asks for their keys. The handler then calls
	// KeyAtPos or KeyAtPosWithFlags for each key and returns without
	// replying (replies are refused in this mode).
	IsKeysPositionRequest() bool
	// KeyAtPos reports argument pos (argv[pos]) as a key with full access
	// (RW, access, update), as RedisModule_KeyAtPos. It does nothing
	// outside a keys-position request, or for a position that is not an
	// argument.
	KeyAtPos(pos int)
	// KeyAtPosWithFlags reports argument pos as a key with the given key
	// spec flags (CmdKeyRO, CmdKeyRW, ...), as RedisModule_KeyAtPosWithFlags.
	KeyAtPosWithFlags(pos int, flags CmdKeyFlags)
	// IsChannelsPositionRequest reports whether the handler runs to report
	// the channels it uses rather than to execute, as
	// RedisModule_IsChannelsPositionRequest. As in Redis, that happens only
	// for commands registered with the "getchannels-api" flag, for the ACL
	// channel check: when a client authenticated as a module user (see
	// CreateModuleUser) whose channel rules are not allchannels runs the
	// command, or ACLCheckCommandPermissions checks it. The handler then
	// calls ChannelAtPosWithFlags for each channel and returns without
	// replying (replies are refused in this mode).
	IsChannelsPositionRequest() bool
	// ChannelAtPosWithFlags reports argument pos (argv[pos]) as a channel,
	// as RedisModule_ChannelAtPosWithFlags: flags say what the command does
	// with it (CmdChannelPublish, CmdChannelSubscribe,
	// CmdChannelUnsubscribe) and whether it is a pattern
	// (CmdChannelPattern). The ACL check, as Redis's, checks the channels
	// published or subscribed to (a pattern literally, as PSUBSCRIBE's);
	// one only unsubscribed from is always allowed. It does nothing outside
	// a channels-position request, or for a position that is not an
	// argument.
	ChannelAtPosWithFlags(pos int, flags CmdChannelFlags)
	// GetCommandKeysWithFlags returns the positions in argv (argv[0] is the
	// command name) of the key arguments of a command line, and their key
	// spec flags, as RedisModule_GetCommandKeysWithFlags: the same keys
	// COMMAND GETKEYS reports. A command that has no keys, or a line
	// without any, gives empty slices and no error; an unknown command
	// gives ErrCommandNotFound, a wrong number of arguments
	// ErrCommandArity.
	GetCommandKeysWithFlags(argv []String) (positions []int, flags []CmdKeyFlags, err error)
	// GetCommandKeys is GetCommandKeysWithFlags without the flags
	// (RedisModule_GetCommandKeys).
	GetCommandKeys(argv []String) (positions []int, err error)
	// RedactClientCommandArgument hides argument pos of the running
	// command from MONITOR and SLOWLOG, which show "(redacted)" instead, as
	// RedisModule_RedactClientCommandArgument. It is an error outside a
	// command handler or for a position that is not an argument (pos 0,
	// the command name, cannot be redacted).
	RedactClientCommandArgument(pos int) error

	// RegisterBoolConfig registers the config "<module>.<name>" of type
	// bool ("yes"/"no" to clients), as RedisModule_RegisterBoolConfig. It
	// may only be called in OnLoad, after Init and before LoadConfigs. get
	// returns the current value; set stores a new one, or returns an error
	// whose text CONFIG SET reports ("ERR CONFIG SET failed (possibly
	// related to argument '<module>.<name>') - <text>"); apply, which may be
	// nil, runs after CONFIG SET has set every value it was given (see
	// ConfigApplyFunc). The name may hold letters, digits, '_' and '-'; a
	// name already registered by the module is an error. The C privdata is
	// a closure here, and name is passed to get and set so one function can
	// serve several configs.
	RegisterBoolConfig(name string, dflt bool, flags ConfigFlags,
		get func(name string) bool, set func(name string, val bool) error, apply ConfigApplyFunc) error
	// RegisterNumericConfig registers a 64-bit integer config accepting
	// min..max (RedisModule_RegisterNumericConfig). With ConfigMemory,
	// clients may give memory units ("1gb", "64kb", "10m"); CONFIG GET
	// shows bytes. A default outside min..max is an error.
	RegisterNumericConfig(name string, dflt int64, flags ConfigFlags, min, max int64,
		get func(name string) int64, set func(name string, val int64) error, apply ConfigApplyFunc) error
	// RegisterStringConfig registers a string config
	// (RedisModule_RegisterStringConfig). The String given to set is the
	// module's to keep: it is not reused by the server. (C distinguishes a
	// NULL string from an empty one; in Go both are the zero String, "".)
	RegisterStringConfig(name string, dflt string, flags ConfigFlags,
		get func(name string) String, set func(name string, val String) error, apply ConfigApplyFunc) error
	// RegisterEnumConfig registers an enum config
	// (RedisModule_RegisterEnumConfig): clients see the names, the module
	// the values (names[i] is values[i]; the two slices must have the same
	// non-zero length). With ConfigBitFlags a client may give several names
	// ("CONFIG SET mod.opts 'a b'"), whose values are OR'ed; CONFIG GET
	// shows the names whose bits make up the value, in registration order
	// (so list combined values first), or "unknown" when they cannot.
	RegisterEnumConfig(name string, dflt int, flags ConfigFlags, names []string, values []int,
		get func(name string) int, set func(name string, val int) error, apply ConfigApplyFunc) error
	// LoadConfigs applies, for each config the module registered, the value
	// given at load time (MODULE LOADEX CONFIG, the config file, a
	// --<module>.<name> flag), or else its default, by calling the config's
	// set function, as RedisModule_LoadConfigs. A module that registers
	// configs must call it in OnLoad, after registering them: a module that
	// does not is unloaded again, and the load fails. An invalid value
	// makes it return an error naming the config (the module should return
	// it from OnLoad). Apply functions are not called at load.
	LoadConfigs() error

	// SetModuleOptions sets the module's options (a mask of the
	// ModuleOption constants), as RedisModule_SetModuleOptions; INFO modules
	// lists them. It replaces the options set before.
	SetModuleOptions(options ModuleOptions)
	// GetContextFlags returns what the server and the calling context are
	// doing now, as RedisModule_GetContextFlags: a mask of the CtxFlags
	// constants, computed from the real state (a MULTI being executed, a
	// script running, maxmemory and the memory in use, persistence
	// settings, loading...).
	GetContextFlags() CtxFlags
	// GetContextFlagsAll returns every flag this server may report
	// (RedisModule_GetContextFlagsAll).
	GetContextFlagsAll() CtxFlags
	// IsModuleNameBusy reports whether a loaded module has that name (in
	// any case), as RedisModule_IsModuleNameBusy.
	IsModuleNameBusy(name string) bool
	// GetServerVersion returns the Redis version Modis follows (the
	// redis_version of INFO) as 0x00MMmmpp, as RedisModule_GetServerVersion:
	// 0x0007000f for 7.0.15.
	GetServerVersion() int
	// GetUsedMemoryRatio returns the memory in use relative to maxmemory,
	// as RedisModule_GetUsedMemoryRatio: 0 when no limit is set, above 1
	// when over it. A module can use it to hold back work that allocates.
	GetUsedMemoryRatio() float64
	// GetTypeMethodVersion returns REDISMODULE_TYPE_METHOD_VERSION, as
	// RedisModule_GetTypeMethodVersion: 4, Redis 7.0's.
	GetTypeMethodVersion() int
	// AvoidReplicaTraffic reports whether clients are paused (CLIENT PAUSE),
	// as RedisModule_AvoidReplicaTraffic: a module should then hold back
	// background writes.
	AvoidReplicaTraffic() bool
	// Microseconds returns the Unix time in microseconds
	// (RedisModule_Microseconds). Goroutine-safe.
	Microseconds() int64
	// CachedMicroseconds returns the server's cached clock, read once before
	// each batch of commands, so that every callback of one command sees the
	// same time (RedisModule_CachedMicroseconds). Modis caches it in
	// milliseconds: the value is a multiple of 1000.
	CachedMicroseconds() int64

	// LatencyAddSample records that event took latencyMs milliseconds in
	// the latency monitor (LATENCY LATEST, HISTORY, DOCTOR), when
	// latency-monitor-threshold is set and the sample reaches it, as
	// RedisModule_LatencyAddSample.
	LatencyAddSample(event string, latencyMs int64)

	// GetMyClusterID is RedisModule_GetMyClusterID. Modis has no cluster
	// mode: it returns "" (C: NULL).
	GetMyClusterID() string
	// GetClusterSize is RedisModule_GetClusterSize: 0 without cluster mode.
	GetClusterSize() int
	// GetClusterNodesList is RedisModule_GetClusterNodesList: nil without
	// cluster mode.
	GetClusterNodesList() []string
	// GetClusterNodeInfo is RedisModule_GetClusterNodeInfo: always
	// ErrNoCluster.
	GetClusterNodeInfo(id string) (ClusterNodeInfo, error)
	// RegisterClusterMessageReceiver is
	// RedisModule_RegisterClusterMessageReceiver: always ErrNoCluster.
	RegisterClusterMessageReceiver(msgType uint8, fn ClusterMessageReceiver) error
	// SendClusterMessage is RedisModule_SendClusterMessage: always
	// ErrNoCluster.
	SendClusterMessage(targetID string, msgType uint8, payload []byte) error
	// SetClusterFlags is RedisModule_SetClusterFlags: nothing to set
	// without cluster mode.
	SetClusterFlags(flags int)
}

// Command is the Go form of RedisModuleCommand: a handle on one of the
// module's commands, returned by Ctx.GetCommand. Its methods, like their C
// counterparts, may only be used during OnLoad; later they return an error.
type Command interface {
	// Name returns the command's full name, in lower case: "mod.cmd" or
	// "mod.cmd|sub".
	Name() string
	// CreateSubcommand registers a subcommand of this container command, as
	// RedisModule_CreateSubcommand: clients call "PARENT NAME ...", and the
	// handler's argv[0] is the parent's name, argv[1] the subcommand's.
	// flags and the key positions are CreateCommand's. It is an error if
	// this command has a handler (a container is created with a nil
	// handler), is itself a subcommand, or already has a subcommand of that
	// name. A subcommand's arity is -2 unless SetCommandInfo says
	// otherwise.
	CreateSubcommand(name string, handler CmdFunc, flags string, firstKey, lastKey, keyStep int) error
	// SetCommandInfo describes the command for COMMAND INFO and COMMAND
	// DOCS, as RedisModule_SetCommandInfo (see CommandInfo). It validates
	// the info as Redis's moduleValidateCommandInfo does and returns an
	// error naming the invalid part; it can be set only once per command.
	// A non-zero Arity makes the server check the number of arguments
	// before the handler runs; key specifications replace the first, last
	// and step positions given to CreateCommand.
	SetCommandInfo(info *CommandInfo) error
	// SetCommandACLCategories sets the command's ACL categories, a
	// space-separated list of Redis's category names ("write slow"; a
	// leading '@' is accepted), as RedisModule_SetCommandACLCategories
	// (Redis 7.2). As in Redis a module command belongs to no category until
	// this is called, and COMMAND INFO and COMMAND LIST FILTERBY ACLCAT show
	// exactly these. An unknown name is an error.
	SetCommandACLCategories(categories string) error
}

// CommandInfo is the Go form of RedisModuleCommandInfo, the argument of
// Command.SetCommandInfo. Every field is optional. C's version field is not
// needed: the struct is the version.
type CommandInfo struct {
	// Summary is a short description of the command.
	Summary string
	// Complexity describes the command's time complexity.
	Complexity string
	// Since is the version of the module that introduced the command.
	Since string
	// History lists changes: each entry's Since and Changes must be set.
	History []CommandHistoryEntry
	// Tips is a space-separated list of command tips
	// ("nondeterministic_output request_policy:all_shards").
	Tips string
	// Arity is the number of arguments, the name included: N exactly, -N
	// at least N. 0 keeps the default (-1, or -2 for a container).
	Arity int
	// KeySpecs describes where the keys are, as Redis's key specifications.
	KeySpecs []CommandKeySpec
	// Args documents the arguments, for COMMAND DOCS.
	Args []CommandArg
}

// CommandHistoryEntry is RedisModuleCommandHistoryEntry.
type CommandHistoryEntry struct {
	Since   string
	Changes string
}

// CommandKeySpec is RedisModuleCommandKeySpec: where a group of keys begins
// (BeginSearchType with BSIndex or BSKeyword) and how to find them from
// there (FindKeysType with FKRange or FKKeyNum). C's unions are separate
// fields; only the one the type selects is read.
type CommandKeySpec struct {
	// Notes are optional notes about this key specification.
	Notes string
	// Flags: exactly one of CmdKeyRO, CmdKeyRW, CmdKeyOW, CmdKeyRM, at most
	// one of CmdKeyInsert, CmdKeyDelete, CmdKeyUpdate, and any of the
	// others.
	Flags CmdKeyFlags
	// BeginSearchType is KSpecBSUnknown, KSpecBSIndex or KSpecBSKeyword
	// (the zero value, KSpecBSInvalid, is an error).
	BeginSearchType KeySpecBeginSearchType
	BSIndex         KeySpecBSIndex
	BSKeyword       KeySpecBSKeyword
	// FindKeysType is KSpecFKUnknown, KSpecFKRange or KSpecFKKeyNum; the
	// zero value, KSpecFKOmitted, means a single key (a range of 0, 1, 0).
	FindKeysType KeySpecFindKeysType
	FKRange      KeySpecFKRange
	FKKeyNum     KeySpecFKKeyNum
}

// KeySpecBSIndex is the begin-search spec "keys start at argument Pos".
type KeySpecBSIndex struct {
	Pos int
}

// KeySpecBSKeyword is the begin-search spec "keys start after the argument
// Keyword", looked for from argument StartFrom (negative: backwards from
// the end).
type KeySpecBSKeyword struct {
	Keyword   string
	StartFrom int
}

// KeySpecFKRange is the find-keys spec "keys up to LastKey (relative to the
// first key; negative counts from the end), every KeyStep arguments";
// Limit, with LastKey -1, stops at 1/Limit of the remaining arguments.
type KeySpecFKRange struct {
	LastKey int
	KeyStep int
	Limit   int
}

// KeySpecFKKeyNum is the find-keys spec "the number of keys is at KeyNumIdx,
// the first key at FirstKey (both relative to where the search began),
// every KeyStep arguments".
type KeySpecFKKeyNum struct {
	KeyNumIdx int
	FirstKey  int
	KeyStep   int
}

// KeySpecBeginSearchType is RedisModuleKeySpecBeginSearchType.
type KeySpecBeginSearchType int

// Begin-search types (REDISMODULE_KSPEC_BS_*).
const (
	KSpecBSInvalid KeySpecBeginSearchType = iota
	KSpecBSUnknown
	KSpecBSIndex
	KSpecBSKeyword
)

// KeySpecFindKeysType is RedisModuleKeySpecFindKeysType.
type KeySpecFindKeysType int

// Find-keys types (REDISMODULE_KSPEC_FK_*).
const (
	KSpecFKOmitted KeySpecFindKeysType = iota
	KSpecFKUnknown
	KSpecFKRange
	KSpecFKKeyNum
)

// CmdKeyFlags are key specification flags (REDISMODULE_CMD_KEY_*), used by
// CommandKeySpec and KeyAtPosWithFlags.
type CmdKeyFlags uint64

// Key specification flags, with Redis's values.
const (
	CmdKeyRO            CmdKeyFlags = 1 << 0
	CmdKeyRW            CmdKeyFlags = 1 << 1
	CmdKeyOW            CmdKeyFlags = 1 << 2
	CmdKeyRM            CmdKeyFlags = 1 << 3
	CmdKeyAccess        CmdKeyFlags = 1 << 4
	CmdKeyUpdate        CmdKeyFlags = 1 << 5
	CmdKeyInsert        CmdKeyFlags = 1 << 6
	CmdKeyDelete        CmdKeyFlags = 1 << 7
	CmdKeyNotKey        CmdKeyFlags = 1 << 8
	CmdKeyIncomplete    CmdKeyFlags = 1 << 9
	CmdKeyVariableFlags CmdKeyFlags = 1 << 10
)

// CmdChannelFlags are REDISMODULE_CMD_CHANNEL_* (see
// ChannelAtPosWithFlags).
type CmdChannelFlags int

// Channel flags, with Redis's values.
const (
	CmdChannelPattern     CmdChannelFlags = 1 << 0
	CmdChannelPublish     CmdChannelFlags = 1 << 1
	CmdChannelSubscribe   CmdChannelFlags = 1 << 2
	CmdChannelUnsubscribe CmdChannelFlags = 1 << 3
)

// CommandArg is RedisModuleCommandArg: one argument in COMMAND DOCS.
type CommandArg struct {
	Name string
	Type CommandArgType
	// KeySpecIndex is the index in CommandInfo.KeySpecs of an argument of
	// type ArgTypeKey; for other types it must be -1 or 0 (ignored).
	KeySpecIndex int
	// Token is the literal that precedes the argument ("EX"); a
	// ArgTypePureToken argument is only its token.
	Token   string
	Summary string
	Since   string
	Flags   CmdArgFlags
	// DeprecatedSince is the version that deprecated the argument.
	DeprecatedSince string
	// Subargs are the arguments of an ArgTypeOneOf or ArgTypeBlock (which
	// require them); other types must have none.
	Subargs []CommandArg
	// DisplayText is how to show the argument in a syntax line (Redis
	// 7.2's display_text); COMMAND DOCS shows it when set.
	DisplayText string
}

// CommandArgType is RedisModuleCommandArgType.
type CommandArgType int

// Argument types (REDISMODULE_ARG_TYPE_*), in Redis's order.
const (
	ArgTypeString CommandArgType = iota
	ArgTypeInteger
	ArgTypeDouble
	ArgTypeKey
	ArgTypePattern
	ArgTypeUnixTime
	ArgTypePureToken
	ArgTypeOneOf
	ArgTypeBlock
)

// CmdArgFlags are REDISMODULE_CMD_ARG_*.
type CmdArgFlags int

// Argument flags, with Redis's values.
const (
	CmdArgNone          CmdArgFlags = 0
	CmdArgOptional      CmdArgFlags = 1 << 0
	CmdArgMultiple      CmdArgFlags = 1 << 1
	CmdArgMultipleToken CmdArgFlags = 1 << 2
)

// ConfigFlags are REDISMODULE_CONFIG_*, the flags of a module config.
type ConfigFlags uint

// Config flags, with Redis's values.
const (
	// ConfigDefault: settable at load time and by CONFIG SET.
	ConfigDefault ConfigFlags = 0
	// ConfigImmutable: settable only at load time; CONFIG SET answers
	// "can't set immutable config".
	ConfigImmutable ConfigFlags = 1 << 0
	// ConfigSensitive: CONFIG SET's value is hidden from MONITOR and
	// SLOWLOG.
	ConfigSensitive ConfigFlags = 1 << 1
	// ConfigHidden: CONFIG GET shows it only when asked by its exact name,
	// never for a pattern.
	ConfigHidden ConfigFlags = 1 << 4
	// ConfigProtected: CONFIG SET is refused unless enable-protected-configs
	// allows the client.
	ConfigProtected ConfigFlags = 1 << 5
	// ConfigDenyLoading: CONFIG SET is refused (-LOADING) while the server
	// loads its dataset.
	ConfigDenyLoading ConfigFlags = 1 << 6
	// ConfigMemory: a numeric config that accepts memory units.
	ConfigMemory ConfigFlags = 1 << 7
	// ConfigBitFlags: an enum config whose names combine as bit flags.
	ConfigBitFlags ConfigFlags = 1 << 8
)

// ConfigApplyFunc is RedisModuleConfigApplyFunc: it runs once after CONFIG
// SET has set all the values it was given, so that related configs can be
// applied together. Configs registered with the same apply func value (one
// function, or one closure passed to several registrations) share one
// call, as C's deduplication by function and privdata. Returning an error
// makes CONFIG SET fail with "ERR CONFIG SET failed (possibly related to
// argument '<name>') - <text>", where name is the config's own name without
// the module prefix (as Redis reports it), and every value of that CONFIG
// SET is restored. The Ctx can Call commands and log; it cannot reply.
type ConfigApplyFunc func(ctx Ctx) error

// ModuleOptions are REDISMODULE_OPTIONS_* / REDISMODULE_OPTION_*, for
// SetModuleOptions.
type ModuleOptions int

// Module options, with Redis's values.
const (
	// ModuleOptionHandleIOErrors: the module checks IsIOError after reading
	// RDB data (REDISMODULE_OPTIONS_HANDLE_IO_ERRORS).
	ModuleOptionHandleIOErrors ModuleOptions = 1 << 0
	// ModuleOptionNoImplicitSignalModified: closing a key opened for writing
	// does not signal it as modified; the module calls SignalModifiedKey
	// itself (REDISMODULE_OPTION_NO_IMPLICIT_SIGNAL_MODIFIED).
	ModuleOptionNoImplicitSignalModified ModuleOptions = 1 << 1
	// ModuleOptionHandleReplAsyncLoad: the module copes with diskless
	// asynchronous replication loading (REDISMODULE_OPTIONS_HANDLE_REPL_ASYNC_LOAD).
	// Modis has no replication; the option is only recorded.
	ModuleOptionHandleReplAsyncLoad ModuleOptions = 1 << 2
)

// CtxFlags are REDISMODULE_CTX_FLAGS_*, what GetContextFlags returns.
type CtxFlags int

// Context flags, with Redis's values. Modis has no replication, cluster or
// fork: it never reports SLAVE, READONLY, CLUSTER, REPLICATED, the
// REPLICA_IS_* states, IS_CHILD or ASYNC_LOADING, and always MASTER.
const (
	// CtxFlagsLua: a script (EVAL, FCALL) is running the command.
	CtxFlagsLua CtxFlags = 1 << 0
	// CtxFlagsMulti: the command runs inside EXEC.
	CtxFlagsMulti CtxFlags = 1 << 1
	// CtxFlagsMaster: the instance is a master (always).
	CtxFlagsMaster CtxFlags = 1 << 2
	// CtxFlagsSlave: the instance is a replica (never).
	CtxFlagsSlave CtxFlags = 1 << 3
	// CtxFlagsReadonly: the instance is read-only (never).
	CtxFlagsReadonly CtxFlags = 1 << 4
	// CtxFlagsCluster: cluster mode (never).
	CtxFlagsCluster CtxFlags = 1 << 5
	// CtxFlagsAOF: appendonly is on.
	CtxFlagsAOF CtxFlags = 1 << 6
	// CtxFlagsRDB: save points are configured.
	CtxFlagsRDB CtxFlags = 1 << 7
	// CtxFlagsMaxmemory: maxmemory is set.
	CtxFlagsMaxmemory CtxFlags = 1 << 8
	// CtxFlagsEvict: maxmemory is set with a policy that evicts keys.
	CtxFlagsEvict CtxFlags = 1 << 9
	// CtxFlagsOOM: the memory in use is over maxmemory.
	CtxFlagsOOM CtxFlags = 1 << 10
	// CtxFlagsOOMWarning: more than 75% of maxmemory is in use.
	CtxFlagsOOMWarning CtxFlags = 1 << 11
	// CtxFlagsReplicated: the command came from the master (never).
	CtxFlagsReplicated CtxFlags = 1 << 12
	// CtxFlagsLoading: the server is loading its dataset (RDB or AOF).
	CtxFlagsLoading CtxFlags = 1 << 13
	// CtxFlagsReplicaIsStale: never (no replication).
	CtxFlagsReplicaIsStale CtxFlags = 1 << 14
	// CtxFlagsReplicaIsConnecting: never.
	CtxFlagsReplicaIsConnecting CtxFlags = 1 << 15
	// CtxFlagsReplicaIsTransferring: never.
	CtxFlagsReplicaIsTransferring CtxFlags = 1 << 16
	// CtxFlagsReplicaIsOnline: never.
	CtxFlagsReplicaIsOnline CtxFlags = 1 << 17
	// CtxFlagsActiveChild: a background save or AOF rewrite is running
	// (Modis's run on goroutines, not child processes).
	CtxFlagsActiveChild CtxFlags = 1 << 18
	// CtxFlagsMultiDirty: the next EXEC will fail (a WATCHed key changed,
	// or a command failed to queue).
	CtxFlagsMultiDirty CtxFlags = 1 << 19
	// CtxFlagsIsChild: never (no fork).
	CtxFlagsIsChild CtxFlags = 1 << 20
	// CtxFlagsDenyBlocking: the client may not block now (inside EXEC, a
	// script, or a module's Call).
	CtxFlagsDenyBlocking CtxFlags = 1 << 21
	// CtxFlagsRESP3: the client speaks RESP3.
	CtxFlagsRESP3 CtxFlags = 1 << 22
	// CtxFlagsAsyncLoading: never (no diskless replication).
	CtxFlagsAsyncLoading CtxFlags = 1 << 23
	// CtxFlagsServerStartup: the server is starting: modules given at
	// startup are being loaded (Redis 7.2's flag).
	CtxFlagsServerStartup CtxFlags = 1 << 24
)

// ClusterNodeInfo is what RedisModule_GetClusterNodeInfo fills in. Modis has
// no cluster mode, so it is never returned.
type ClusterNodeInfo struct {
	IP         string
	MasterID   string
	Port       int
	Flags      int
	MasterPort int
}

// ClusterMessageReceiver is RedisModuleClusterMessageReceiver.
type ClusterMessageReceiver func(ctx Ctx, senderID string, msgType uint8, payload []byte)

// Errors of this part of the API.
var (
	// ErrNoCluster is what the cluster functions return: Modis has no
	// cluster mode.
	ErrNoCluster = errors.New("ERR This instance has cluster support disabled")
	// ErrCommandNotFound is GetCommandKeys's error for an unknown command
	// (C: errno ENOENT), with COMMAND GETKEYS's text.
	ErrCommandNotFound = errors.New("ERR Invalid command specified")
	// ErrCommandArity is GetCommandKeys's error for a wrong number of
	// arguments (C: errno EINVAL), with COMMAND GETKEYS's text.
	ErrCommandArity = errors.New("ERR Invalid number of arguments specified for command")
)

// GetRandomBytes fills dst with cryptographically random bytes, as
// RedisModule_GetRandomBytes. Goroutine-safe.
func GetRandomBytes(dst []byte) {
	rand.Read(dst) // never fails: Go's crypto/rand aborts the program rather than return weak bytes
}

// GetRandomHexChars fills dst with random characters from 0-9a-f, as
// RedisModule_GetRandomHexChars. Goroutine-safe.
func GetRandomHexChars(dst []byte) {
	raw := make([]byte, (len(dst)+1)/2)
	GetRandomBytes(raw)
	h := make([]byte, hex.EncodedLen(len(raw)))
	hex.Encode(h, raw)
	copy(dst, h)
}
