package sdk

import "errors"

// CmdFunc is a command handler, the Go form of
//
//	int MyCommand(RedisModuleCtx *ctx, RedisModuleString **argv, int argc)
//
// argv[0] is the command name. See the package documentation for the reply
// rules, what a returned error does, and how long argv stays valid.
type CmdFunc func(ctx Ctx, argv []String) error

// OnLoadFunc is the type a module's exported OnLoad must have. args are the
// arguments after the path in --loadmodule or MODULE LOAD.
type OnLoadFunc = func(ctx Ctx, args []String) error

// OnUnloadFunc is the type of a module's optional exported OnUnload. Returning
// an error refuses the unload, as in Redis.
type OnUnloadFunc = func(ctx Ctx) error

// PostponedLen passed to ReplyWithArray postpones the array's length: reply
// the elements, then call ReplySetArrayLength
// (REDISMODULE_POSTPONED_ARRAY_LEN).
const PostponedLen = -1

// Log levels for Ctx.Log, the ones Redis's RedisModule_Log takes.
const (
	LogDebug   = "debug"
	LogVerbose = "verbose"
	LogNotice  = "notice"
	LogWarning = "warning"
)

// Errors the sdk returns. Wire errors (the ones clients see) carry Redis's
// exact texts.
var (
	// ErrNotInteger is String.ToLongLong's error, Redis's text.
	ErrNotInteger = errors.New("ERR value is not an integer or out of range")
	// ErrNotFloat is String.ToDouble's error, Redis's text.
	ErrNotFloat = errors.New("ERR value is not a valid float")
)

// Ctx is the Go form of RedisModuleCtx: what the server hands OnLoad, OnUnload
// and every command handler. It is valid only for the duration of the call it
// was passed to, and is not safe for use by other goroutines.
//
// Methods that only make sense in one place say so: Init and CreateCommand
// work only in OnLoad; the ReplyWith methods only in a command handler. Used
// elsewhere they return an error and do nothing.
type Ctx interface {
	// The API families, each in its own file of this package.
	KeyAPI    // key.go: open keys and work on their values; scan
	TypeAPI   // datatype.go: module data types, persistence, replication
	BlockAPI  // block.go: blocked clients, thread-safe contexts, timers
	EventAPI  // events.go: keyspace and server events, INFO, shared API, filters, ACL
	ConfigAPI // config.go: module configs, command info, subcommands, options

	// Init names the module and its version, as RedisModule_Init. It must be
	// the first call in OnLoad. apiVersion is APIVER_1. The name may not
	// contain spaces and may not be the name of a loaded module.
	Init(name string, version int, apiVersion int) error

	// CreateCommand registers a command, as RedisModule_CreateCommand. The
	// name is case-insensitive and may not clash with a built-in command or
	// another module's. flags is a space-separated list of Redis's command
	// flag words ("write", "readonly", "admin", "deny-oom", "deny-script",
	// "allow-loading", "pubsub", "random", "allow-stale", "no-monitor",
	// "no-slowlog", "fast", "getkeys-api", "no-cluster", "no-auth",
	// "may-replicate", "no-mandatory-keys", "blocking", "allow-busy",
	// "getchannels-api"); an unknown word is an error. firstKey, lastKey and
	// keyStep give the positions of the key arguments (0, 0, 0 when there are
	// none; lastKey -1 means the last argument).
	CreateCommand(name string, handler CmdFunc, flags string, firstKey, lastKey, keyStep int) error

	// WrongArity replies with Redis's wrong-arity error for the running
	// command, as RedisModule_WrongArity. It returns nil, so both
	// "return ctx.WrongArity()" and the C habit of calling it and then
	// returning nil work.
	WrongArity() error

	// AutoMemory is RedisModule_AutoMemory. Go's garbage collector already
	// frees every String and CallReply, so it does nothing; it exists so
	// ported code reads like the original.
	AutoMemory()

	// Call runs a server or module command in-process, as RedisModule_Call,
	// and returns its reply. It never returns nil: an unknown command, a wrong
	// number of arguments, a bad format or a runtime error all come back as a
	// reply of type ReplyError whose text says what went wrong.
	//
	// format has one letter per argument after cmd:
	//
	//	c  a Go string                       (C: a C string)
	//	s  an sdk.String                     (C: a RedisModuleString*)
	//	b  a []byte                          (C: a buffer and its length)
	//	l  an int or int64                   (C: a long long)
	//	d  a float64                         (C: a double)
	//	v  a []sdk.String, spread as arguments (C: a vector and its count)
	//
	// and may contain these modifiers anywhere:
	//
	//	!  replicate the command (to the AOF and replicas, once they exist)
	//	E  return errors as replies: always the case in Go; accepted for ports
	//
	// Other letters are an error reply naming the letter.
	Call(cmd string, format string, args ...any) CallReply

	// ReplyWithSimpleString replies +msg (RedisModule_ReplyWithSimpleString).
	ReplyWithSimpleString(msg string) error
	// ReplyWithError replies with an error. A text that does not start with
	// an upper-case code word gets the "ERR " prefix, as in Redis.
	ReplyWithError(msg string) error
	// ReplyWithLongLong replies with an integer.
	ReplyWithLongLong(n int64) error
	// ReplyWithString replies with a bulk string.
	ReplyWithString(s String) error
	// ReplyWithStringBuffer replies with a bulk string holding b.
	ReplyWithStringBuffer(b []byte) error
	// ReplyWithCString replies with a bulk string holding s.
	ReplyWithCString(s string) error
	// ReplyWithNull replies with the null value (RESP2 null bulk, RESP3 _).
	ReplyWithNull() error
	// ReplyWithArray starts an array of n elements: the next n replies are
	// its elements. n may be PostponedLen; then ReplySetArrayLength gives the
	// length once the elements are written.
	ReplyWithArray(n int) error
	// ReplySetArrayLength sets the length of the innermost array started
	// with PostponedLen whose length is not set yet.
	ReplySetArrayLength(n int) error
	// ReplyWithDouble replies with a double (RESP3 double, RESP2 bulk string).
	ReplyWithDouble(f float64) error
	// ReplyWithCallReply replies with a reply returned by Call, forwarding it
	// whole, as RedisModule_ReplyWithCallReply.
	ReplyWithCallReply(r CallReply) error

	// Log writes to the server's log through the module's own named logger,
	// as RedisModule_Log. level is one of LogDebug, LogVerbose, LogNotice,
	// LogWarning; format and args are as fmt.Sprintf.
	Log(level string, format string, args ...any)

	// ModuleName returns the name given to Init ("" before Init).
	ModuleName() string
	// CommandName returns the name of the running command ("" outside a
	// command handler).
	CommandName() string
}
