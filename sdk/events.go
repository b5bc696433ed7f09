package sdk

import (
	"errors"
	"strconv"
)

// EventAPI is the part of Ctx for keyspace and server events, INFO sections,
// the shared API between modules, command filters, client information and
// ACL checks.
//
// Callbacks registered here (keyspace and server event subscribers, INFO
// functions, command filters, post-notification jobs) run synchronously
// under the server's execution lock, like command handlers. A callback that
// panics is recovered by the server: the panic and its stack go to the log,
// the event goes on to the other subscribers and the server keeps serving.
// The Ctx a callback receives is valid only during the call; it cannot
// reply (there is no client waiting), but it can Call commands, open keys
// and log.
type EventAPI interface {
	// SubscribeToKeyspaceEvents registers cb for every keyspace event of the
	// classes in types (a mask of NotifyGeneric, NotifyString, ...,
	// NotifyAll), as RedisModule_SubscribeToKeyspaceEvents. As in Redis the
	// callback fires whatever notify-keyspace-events says, synchronously,
	// as the event happens; it is not called for events it causes itself
	// while it runs (no re-entrance). typ is the event's class bit, event
	// its name ("set", "del", "expired", ...), key the key, valid only
	// during the call. The Ctx has the event's database selected. Writing
	// from the callback is allowed but, as Redis advises, better done in a
	// post-notification job (AddPostNotificationJob).
	SubscribeToKeyspaceEvents(types int, cb NotificationFunc) error

	// NotifyKeyspaceEvent fires a keyspace event, as
	// RedisModule_NotifyKeyspaceEvent: it reaches the pub/sub channels
	// __keyspace@<db>__:<key> and __keyevent@<db>__:<event> when
	// notify-keyspace-events enables one of the classes in typ (NotifyModule
	// is the class 'd'), and every module subscribed to one of those
	// classes. The database is the calling client's (0 in OnLoad).
	NotifyKeyspaceEvent(typ int, event string, key String) error

	// PublishMessage publishes message on channel to the pub/sub
	// subscribers, as RedisModule_PublishMessage (PUBLISH), and returns how
	// many clients received it.
	PublishMessage(channel, message String) (int, error)

	// PublishMessageShard publishes on a shard channel (SPUBLISH), as
	// RedisModule_PublishMessageShard.
	PublishMessageShard(channel, message String) (int, error)

	// GetNotifyKeyspaceEvents returns the classes notify-keyspace-events
	// enables, as a mask of the Notify constants (NotifyKeyspace and
	// NotifyKeyevent included), as RedisModule_GetNotifyKeyspaceEvents.
	GetNotifyKeyspaceEvents() int

	// GetKeyspaceNotificationFlagsAll returns every class this server knows,
	// as RedisModule_GetKeyspaceNotificationFlagsAll (Redis 7.2).
	GetKeyspaceNotificationFlagsAll() int

	// AddPostNotificationJob schedules fn to run once the current unit of
	// execution (the command, the expiry or eviction of a key) has finished,
	// as RedisModule_AddPostNotificationJob (Redis 7.2). Call it from a
	// keyspace notification callback when the reaction writes: fn may call
	// write commands, and its writes are propagated after the command's.
	// Its Ctx has the database of the Ctx that added it selected. Jobs added
	// by jobs run too, in order.
	AddPostNotificationJob(fn func(ctx Ctx)) error

	// SubscribeToServerEvent registers cb for a server event, as
	// RedisModule_SubscribeToServerEvent; a nil cb unsubscribes. A module
	// has at most one callback per event: subscribing again replaces it.
	// sub is the sub-event (the Subevent... constants) and data a value of
	// the event's data type (see the Event constants), or nil.
	SubscribeToServerEvent(event Event, cb ServerEventFunc) error

	// IsSubEventSupported reports whether the server knows sub-event sub of
	// event, as RedisModule_IsSubEventSupported. (The replication events
	// are known but never fire: Modis has no replication.)
	IsSubEventSupported(event Event, sub int) bool

	// RegisterInfoFunc registers the module's INFO callback, as
	// RedisModule_RegisterInfoFunc; nil removes it. The callback adds
	// sections and fields through ic; the sections appear as
	// "# <module>_<section>" under INFO modules, INFO everything, INFO
	// <module> and INFO <module>_<section>, as in Redis 7.0. forCrashReport
	// is always false (Go reports crashes itself).
	RegisterInfoFunc(cb InfoFunc) error

	// GetServerInfo returns the fields of an INFO section ("" for "all";
	// "everything", "default" and module sections work too), as
	// RedisModule_GetServerInfo. It never returns nil.
	GetServerInfo(section string) *ServerInfoData

	// ExportSharedAPI makes fn (any Go value, usually a func) available to
	// other modules under name, as RedisModule_ExportSharedAPI. Names are
	// global to the server; exporting a name already exported is an error.
	// Call it in OnLoad.
	ExportSharedAPI(name string, fn any) error

	// GetSharedAPI returns what another module exported under name, as
	// RedisModule_GetSharedAPI (false when nothing is). From then on the
	// exporter is "used by" this module: INFO modules shows it, and the
	// exporter cannot be unloaded while this module is loaded. Assert the
	// value to the type the exporter documents: api.(func(int) int).
	GetSharedAPI(name string) (any, bool)

	// RegisterCommandFilter registers a command filter, as
	// RedisModule_RegisterCommandFilter. cb runs before every command is
	// looked up: commands from clients, from Lua scripts and from modules'
	// Call (except, with CmdFilterNoSelf, the Calls of the registering
	// module itself), and may rewrite its arguments. Filters run in the
	// order they were registered.
	RegisterCommandFilter(cb CommandFilterFunc, flags int) (CommandFilter, error)

	// UnregisterCommandFilter removes a filter this module registered, as
	// RedisModule_UnregisterCommandFilter.
	UnregisterCommandFilter(f CommandFilter) error

	// GetClientId returns the ID of the client running the command, as
	// RedisModule_GetClientId; 0 when there is none (OnLoad, event
	// callbacks, timers).
	GetClientId() uint64

	// GetClientInfoById describes a connected client, as
	// RedisModule_GetClientInfoById; an error when there is none with that
	// ID.
	GetClientInfoById(id uint64) (ClientInfo, error)

	// GetClientNameById returns the name a client set with CLIENT SETNAME,
	// as RedisModule_GetClientNameById (Redis 7.2).
	GetClientNameById(id uint64) (string, error)

	// SetClientNameById sets a client's name, as
	// RedisModule_SetClientNameById (Redis 7.2), with CLIENT SETNAME's rules.
	SetClientNameById(id uint64, name string) error

	// GetClientUserNameById returns the name of the user a client is
	// authenticated as, as RedisModule_GetClientUserNameById: "default",
	// or the name of a module user.
	GetClientUserNameById(id uint64) (string, error)

	// GetCurrentUserName returns the name of the user of the client running
	// the command, as RedisModule_GetCurrentUserName; an error when there is
	// no client.
	GetCurrentUserName() (string, error)

	// CreateModuleUser creates a user that exists only for this module, as
	// RedisModule_CreateModuleUser: it is not in any ACL list, starts with
	// no permissions ("off" and no commands, keys or channels, as in
	// Redis), gets rules with SetModuleUserACL, and clients are
	// authenticated as it with AuthenticateClientWithUser.
	CreateModuleUser(name string) (User, error)

	// FreeModuleUser frees a module user, as RedisModule_FreeModuleUser:
	// every client authenticated as it is disconnected (its
	// UserChangedFunc is called first).
	FreeModuleUser(u User) error

	// SetModuleUserACL applies one ACL rule to a module user, as
	// RedisModule_SetModuleUserACL. Rules Modis understands: on, off,
	// nopass, reset, allcommands (+@all), nocommands (-@all), +<command>,
	// -<command>, +<command>|<sub>, +@<category> and -@<category> (Redis's
	// categories), allkeys (~*), resetkeys, ~<pattern>, %R~<pattern>,
	// %W~<pattern>, %RW~<pattern>, allchannels (&*), resetchannels,
	// &<pattern>. Others are an error.
	SetModuleUserACL(u User, op string) error

	// SetModuleUserACLString applies space-separated rules at once, as
	// RedisModule_SetModuleUserACLString (Redis 7.2); on error none apply.
	SetModuleUserACLString(u User, acl string) error

	// GetModuleUserACLString describes a module user's rules, as
	// RedisModule_GetModuleUserACLString (Redis 7.2).
	GetModuleUserACLString(u User) string

	// GetModuleUserFromUserName returns a user by name, as
	// RedisModule_GetModuleUserFromUserName. Modis has one ACL user,
	// "default" (with every permission; requirepass is its password), so
	// other names are an error.
	GetModuleUserFromUserName(name string) (User, error)

	// ACLCheckCommandPermissions checks whether u may run the command argv
	// (name first), as RedisModule_ACLCheckCommandPermissions: nil, or an
	// error saying what is denied.
	ACLCheckCommandPermissions(u User, argv []String) error

	// ACLCheckKeyPermissions checks whether u may access key, as
	// RedisModule_ACLCheckKeyPermissions. flags is a mask of
	// KeyPermRead and KeyPermWrite; 0 asks for both.
	ACLCheckKeyPermissions(u User, key String, flags int) error

	// ACLCheckChannelPermissions checks whether u may use channel ch, as
	// RedisModule_ACLCheckChannelPermissions. With flags ChannelPermPattern
	// ch is a pattern (PSUBSCRIBE), which must equal one of the user's
	// patterns unless the user has allchannels.
	ACLCheckChannelPermissions(u User, ch String, flags int) error

	// ACLAddLogEntry records an ACL failure, as RedisModule_ACLAddLogEntry.
	// Modis has no ACL LOG command: the entry goes to the server log (a
	// warning naming the user, the object and the reason).
	ACLAddLogEntry(u User, object String, reason ACLLogReason) error

	// AuthenticateClientWithUser authenticates the client running the
	// command as u, as RedisModule_AuthenticateClientWithUser, and returns
	// its ID. From then on the client's commands are checked against u's
	// rules (NOPERM errors as Redis's); cb (may be nil) is called when the
	// client stops being authenticated as u (u freed, the client
	// re-authenticates or disconnects), under the lock.
	AuthenticateClientWithUser(u User, cb UserChangedFunc) (uint64, error)

	// AuthenticateClientWithACLUser is AuthenticateClientWithUser with an
	// ACL user name, as RedisModule_AuthenticateClientWithACLUser; only
	// "default" exists.
	AuthenticateClientWithACLUser(name string, cb UserChangedFunc) (uint64, error)

	// DeauthenticateAndCloseClient disconnects a client, as
	// RedisModule_DeauthenticateAndCloseClient; an error when there is no
	// client with that ID.
	DeauthenticateAndCloseClient(id uint64) error
}

// Keyspace notification classes, REDISMODULE_NOTIFY_* with Redis's values.
// The letters are those of notify-keyspace-events.
const (
	NotifyKeyspace = 1 << 0  // K
	NotifyKeyevent = 1 << 1  // E
	NotifyGeneric  = 1 << 2  // g
	NotifyString   = 1 << 3  // $
	NotifyList     = 1 << 4  // l
	NotifySet      = 1 << 5  // s
	NotifyHash     = 1 << 6  // h
	NotifyZset     = 1 << 7  // z
	NotifyExpired  = 1 << 8  // x
	NotifyEvicted  = 1 << 9  // e
	NotifyStream   = 1 << 10 // t
	NotifyKeyMiss  = 1 << 11 // m (not in NotifyAll, as in Redis)
	NotifyLoaded   = 1 << 12 // a key loaded from an RDB file: modules only
	NotifyModule   = 1 << 13 // d
	NotifyNew      = 1 << 14 // n (not in NotifyAll)
	// NotifyAll is every class 'A' stands for.
	NotifyAll = NotifyGeneric | NotifyString | NotifyList | NotifySet | NotifyHash | NotifyZset |
		NotifyExpired | NotifyEvicted | NotifyStream | NotifyModule
)

// NotificationFunc is a keyspace notification callback, the Go form of
// RedisModuleNotificationFunc (whose int result Redis ignores).
type NotificationFunc func(ctx Ctx, typ int, event string, key String)

// Event is a server event, the Go form of RedisModuleEvent (the ids are
// Redis's REDISMODULE_EVENT_* values).
type Event int

// The server events. Each comment names the data a callback receives.
const (
	// EventReplicationRoleChanged (ReplicationInfo): never fires in Modis,
	// which has no replication.
	EventReplicationRoleChanged Event = 0
	// EventPersistence (nil): SubeventPersistence...; Modis fires RDB_START
	// for BGSAVE (a goroutine, not a forked child: the callback runs in the
	// server, under the lock), SYNC_RDB_START for SAVE, DEBUG RELOAD and
	// SHUTDOWN's save, AOF_START for BGREWRITEAOF and the automatic
	// rewrite (also a goroutine), then ENDED or FAILED.
	EventPersistence Event = 1
	// EventFlushDB (FlushInfo): FLUSHDB, FLUSHALL (DBNum -1), DEBUG RELOAD.
	EventFlushDB Event = 2
	// EventLoading (nil): loading dump.rdb or the AOF at startup, and DEBUG
	// RELOAD.
	EventLoading Event = 3
	// EventClientChange (ClientInfo): a client connected or disconnected.
	EventClientChange Event = 4
	// EventShutdown (nil): the server is about to exit (SHUTDOWN, SIGTERM).
	EventShutdown Event = 5
	// EventReplicaChange: never fires in Modis (no replication).
	EventReplicaChange Event = 6
	// EventMasterLinkChange: never fires in Modis (no replication).
	EventMasterLinkChange Event = 7
	// EventCronLoop (CronLoop): every run of the server cron, hz times a
	// second.
	EventCronLoop Event = 8
	// EventModuleChange (ModuleChange): a module was loaded or unloaded.
	EventModuleChange Event = 9
	// EventLoadingProgress (LoadingProgress): during a load, about hz times
	// a second.
	EventLoadingProgress Event = 10
	// EventSwapDB (SwapDbInfo): SWAPDB.
	EventSwapDB Event = 11
	// EventConfig (ConfigChange): CONFIG SET changed parameters.
	EventConfig Event = 16
	// EventKey (KeyInfo): a key is about to be removed, or its value
	// replaced by a new one (Redis 7.2's RedisModuleEvent_Key).
	EventKey Event = 17
)

// Sub-events, REDISMODULE_SUBEVENT_* with Redis's values.
const (
	SubeventPersistenceRDBStart     = 0
	SubeventPersistenceAOFStart     = 1
	SubeventPersistenceSyncRDBStart = 2
	SubeventPersistenceEnded        = 3
	SubeventPersistenceFailed       = 4
	SubeventPersistenceSyncAOFStart = 5

	SubeventLoadingRDBStart  = 0
	SubeventLoadingAOFStart  = 1
	SubeventLoadingReplStart = 2
	SubeventLoadingEnded     = 3
	SubeventLoadingFailed    = 4

	SubeventClientChangeConnected    = 0
	SubeventClientChangeDisconnected = 1

	SubeventMasterLinkUp   = 0
	SubeventMasterLinkDown = 1

	SubeventReplicaChangeOnline  = 0
	SubeventReplicaChangeOffline = 1

	SubeventReplRoleChangedNowMaster  = 0
	SubeventReplRoleChangedNowReplica = 1

	SubeventFlushDBStart = 0
	SubeventFlushDBEnd   = 1

	SubeventModuleLoaded   = 0
	SubeventModuleUnloaded = 1

	SubeventConfigChange = 0

	SubeventLoadingProgressRDB = 0
	SubeventLoadingProgressAOF = 1

	// Key about to be removed (Redis 7.2): deleted (DEL, a command that
	// empties a container, RENAME, MOVE, the key RESTORE REPLACE and COPY
	// REPLACE delete first), expired (lazily or actively), evicted, or
	// overwritten (its value replaced by a new object: SET and the *STORE
	// commands over an existing key; not in-place changes such as INCR or
	// APPEND).
	SubeventKeyDeleted     = 0
	SubeventKeyExpired     = 1
	SubeventKeyEvicted     = 2
	SubeventKeyOverwritten = 3
)

// ServerEventFunc is a server event callback, the Go form of
// RedisModuleEventCallback: sub is the sub-event and data the event's data
// value (FlushInfo, ClientInfo, ...), or nil for events without data.
type ServerEventFunc func(ctx Ctx, sub int, data any)

// FlushInfo is EventFlushDB's data (RedisModuleFlushInfo). Modis always
// flushes synchronously, so Sync is true.
type FlushInfo struct {
	Sync  bool
	DBNum int // -1 for FLUSHALL
}

// ClientInfo flags, REDISMODULE_CLIENTINFO_FLAG_*.
const (
	ClientInfoFlagSSL        = 1 << 0
	ClientInfoFlagPubSub     = 1 << 1
	ClientInfoFlagBlocked    = 1 << 2
	ClientInfoFlagTracking   = 1 << 3
	ClientInfoFlagUnixSocket = 1 << 4
	ClientInfoFlagMulti      = 1 << 5
)

// ClientInfo describes a client (RedisModuleClientInfo): EventClientChange's
// data and GetClientInfoById's result.
type ClientInfo struct {
	Flags uint64 // ClientInfoFlag...
	ID    uint64
	Addr  string // the IP address, without the port
	Port  int
	DB    int // the selected database
}

// ModuleChange is EventModuleChange's data (RedisModuleModuleChange).
type ModuleChange struct {
	ModuleName    string
	ModuleVersion int
}

// LoadingProgress is EventLoadingProgress's data
// (RedisModuleLoadingProgress).
type LoadingProgress struct {
	Hz       int
	Progress int // 0 to 1024, or -1 when unknown
}

// CronLoop is EventCronLoop's data (RedisModuleCronLoop).
type CronLoop struct {
	Hz int
}

// SwapDbInfo is EventSwapDB's data (RedisModuleSwapDbInfo).
type SwapDbInfo struct {
	DBNumFirst  int
	DBNumSecond int
}

// ConfigChange is EventConfig's data (RedisModuleConfigChangeV1): the
// canonical names of the parameters CONFIG SET changed, in its order.
type ConfigChange struct {
	ConfigNames []string
}

// KeyInfo is EventKey's data (RedisModuleKeyInfo). The event fires BEFORE
// the key leaves the keyspace (or its value is replaced), so the value can
// still be read: Key is the key opened read-only (REDISMODULE_READ), as in
// Redis 7.2, and OpenKey in read mode on Name in the callback's Ctx (whose
// selected database is the key's) sees the same value. Both are valid
// only during the callback (Key is closed when it returns; writes through
// it fail with ErrKeyNotWritable). Lazy expiry is off while the callback
// runs, so an expiring key and others read as live, as in Redis. The
// callback must not change the keyspace (as in Redis): do writes in a
// post-notification job (AddPostNotificationJob). Go differs from C in that
// the key's database and name are also plain fields.
type KeyInfo struct {
	DB   int    // the key's database
	Name String // the key's name (valid during the callback)
	Key  Key    // the key, read-only
}

// ReplicationInfo is EventReplicationRoleChanged's data
// (RedisModuleReplicationInfo). It is defined for ported code; the event
// never fires in Modis.
type ReplicationInfo struct {
	Master      bool
	MasterHost  string
	MasterPort  int
	ReplID1     string
	ReplID2     string
	Repl1Offset uint64
	Repl2Offset uint64
}

// InfoFunc is a module's INFO callback (RedisModuleInfoFunc).
type InfoFunc func(ic InfoCtx, forCrashReport bool)

// InfoCtx is what an INFO callback adds sections and fields through, the Go
// form of RedisModuleInfoCtx. Field names are written as
// "<module>_<field>:<value>". Adding a field before any section, or to a
// section INFO was not asked for, returns an error and adds nothing (as
// Redis's REDISMODULE_ERR); callbacks may ignore it.
type InfoCtx interface {
	// InfoAddSection starts the section "# <module>_<name>" ("# <module>"
	// for ""), as RedisModule_InfoAddSection. An error means INFO did not
	// ask for it: skip its fields.
	InfoAddSection(name string) error
	// InfoBeginDictField starts a field whose value is a list of
	// name=value pairs ("<module>_<name>:a=1,b=2"), as
	// RedisModule_InfoBeginDictField.
	InfoBeginDictField(name string) error
	// InfoEndDictField ends it (RedisModule_InfoEndDictField). Starting a
	// section or another dict field ends it too.
	InfoEndDictField() error
	// InfoAddFieldString adds a field (RedisModule_InfoAddFieldString).
	InfoAddFieldString(field string, value String) error
	// InfoAddFieldCString adds a field (RedisModule_InfoAddFieldCString).
	InfoAddFieldCString(field string, value string) error
	// InfoAddFieldDouble adds a field formatted as %.17g
	// (RedisModule_InfoAddFieldDouble).
	InfoAddFieldDouble(field string, value float64) error
	// InfoAddFieldLongLong adds a field (RedisModule_InfoAddFieldLongLong).
	InfoAddFieldLongLong(field string, value int64) error
	// InfoAddFieldULongLong adds a field
	// (RedisModule_InfoAddFieldULongLong).
	InfoAddFieldULongLong(field string, value uint64) error
}

// ServerInfoData is the result of GetServerInfo
// (RedisModuleServerInfoData): INFO's "field:value" lines. Nothing needs
// freeing (RedisModule_FreeServerInfo has no Go counterpart). A nil
// *ServerInfoData has no fields.
type ServerInfoData struct {
	fields map[string]string
}

// NewServerInfoData builds a ServerInfoData from field values; the server
// uses it, and tests of module code may.
func NewServerInfoData(fields map[string]string) *ServerInfoData {
	return &ServerInfoData{fields: fields}
}

// ErrNoField is returned for a field a ServerInfoData does not have.
var ErrNoField = errors.New("no such INFO field")

// GetField returns a field as a String, as RedisModule_ServerInfoGetField
// (false when there is no such field).
func (d *ServerInfoData) GetField(field string) (String, bool) {
	v, ok := d.GetFieldC(field)
	if !ok {
		return String{}, false
	}
	return CreateString(v), true
}

// GetFieldC returns a field, as RedisModule_ServerInfoGetFieldC (false when
// there is no such field).
func (d *ServerInfoData) GetFieldC(field string) (string, bool) {
	if d == nil {
		return "", false
	}
	v, ok := d.fields[field]
	return v, ok
}

// GetFieldSigned returns a field as an integer, as
// RedisModule_ServerInfoGetFieldSigned: ErrNoField, or an error when the
// value is not an integer.
func (d *ServerInfoData) GetFieldSigned(field string) (int64, error) {
	v, ok := d.GetFieldC(field)
	if !ok {
		return 0, ErrNoField
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, ErrNotInteger
	}
	return n, nil
}

// GetFieldUnsigned returns a field as an unsigned integer, as
// RedisModule_ServerInfoGetFieldUnsigned.
func (d *ServerInfoData) GetFieldUnsigned(field string) (uint64, error) {
	v, ok := d.GetFieldC(field)
	if !ok {
		return 0, ErrNoField
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, ErrNotInteger
	}
	return n, nil
}

// GetFieldDouble returns a field as a float64, as
// RedisModule_ServerInfoGetFieldDouble.
func (d *ServerInfoData) GetFieldDouble(field string) (float64, error) {
	v, ok := d.GetFieldC(field)
	if !ok {
		return 0, ErrNoField
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, ErrNotFloat
	}
	return f, nil
}

// Fields returns the names of every field, in no particular order.
func (d *ServerInfoData) Fields() []string {
	if d == nil {
		return nil
	}
	out := make([]string, 0, len(d.fields))
	for k := range d.fields {
		out = append(out, k)
	}
	return out
}

// CmdFilterNoSelf is RegisterCommandFilter's flag REDISMODULE_CMDFILTER_NOSELF:
// the filter does not see the commands the registering module runs with
// Call.
const CmdFilterNoSelf = 1 << 0

// CommandFilterFunc is a command filter (RedisModuleCommandFilterFunc).
type CommandFilterFunc func(f CommandFilterCtx)

// CommandFilter is a registered filter (RedisModuleCommandFilter*), for
// UnregisterCommandFilter.
type CommandFilter interface {
	// Flags returns the flags it was registered with.
	Flags() int
}

// CommandFilterCtx is the command a filter sees, the Go form of
// RedisModuleCommandFilterCtx. Argument 0 is the command name. It is valid
// only during the filter's call; the Strings it returns are valid until the
// command has run.
type CommandFilterCtx interface {
	// CommandFilterArgsCount returns the number of arguments, the name
	// included (RedisModule_CommandFilterArgsCount).
	CommandFilterArgsCount() int
	// CommandFilterArgGet returns argument pos, and false when pos is out of
	// range (RedisModule_CommandFilterArgGet returns NULL).
	CommandFilterArgGet(pos int) (String, bool)
	// CommandFilterArgInsert inserts arg before position pos (pos equal to
	// the count appends), as RedisModule_CommandFilterArgInsert.
	CommandFilterArgInsert(pos int, arg String) error
	// CommandFilterArgReplace replaces argument pos
	// (RedisModule_CommandFilterArgReplace).
	CommandFilterArgReplace(pos int, arg String) error
	// CommandFilterArgDelete deletes argument pos
	// (RedisModule_CommandFilterArgDelete). The last remaining argument
	// cannot be deleted: a command needs a name.
	CommandFilterArgDelete(pos int) error
	// CommandFilterGetClientId returns the ID of the client whose command
	// this is, 0 for a module's internal client
	// (RedisModule_CommandFilterGetClientId, Redis 7.2).
	CommandFilterGetClientId() uint64
}

// User is an ACL user (RedisModuleUser*): a module user made by
// CreateModuleUser, or "default" from GetModuleUserFromUserName.
type User interface {
	// Name returns the user's name.
	Name() string
}

// UserChangedFunc is called when a client authenticated with
// AuthenticateClientWithUser stops being authenticated as that user
// (RedisModuleUserChangedFunc); clientID says which client.
type UserChangedFunc func(clientID uint64)

// Key permission flags for ACLCheckKeyPermissions: read (Redis's
// REDISMODULE_CMD_KEY_ACCESS) and write (REDISMODULE_CMD_KEY_INSERT,
// UPDATE, DELETE). 0 asks for both, as in Redis.
const (
	KeyPermRead  = 1 << 0
	KeyPermWrite = 1 << 1
)

// ChannelPermPattern for ACLCheckChannelPermissions: the channel is a
// pattern (REDISMODULE_CMD_CHANNEL_PATTERN).
const ChannelPermPattern = 1 << 0

// ACLLogReason is ACLAddLogEntry's reason (RedisModuleACLLogEntryReason).
type ACLLogReason int

// The reasons, REDISMODULE_ACL_LOG_* with Redis's values.
const (
	ACLLogAuth    ACLLogReason = 0
	ACLLogCmd     ACLLogReason = 1
	ACLLogKey     ACLLogReason = 2
	ACLLogChannel ACLLogReason = 3
)
