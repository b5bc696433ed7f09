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

// PostponedLen passed to ReplyWithArray, ReplyWithMap, ReplyWithSet or
// ReplyWithAttribute postpones the aggregate's length: reply the elements,
// then call the matching ReplySet...Length (REDISMODULE_POSTPONED_LEN, once
// REDISMODULE_POSTPONED_ARRAY_LEN).
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
	// ErrWrongArity means the command was given too few or too many
	// arguments. A handler that returns it (or an error wrapping it) before
	// replying makes the server send Redis's wrong-arity error naming the
	// running command, exactly as Ctx.WrongArity does: Args.Next returns it
	// for a missing argument, so "return err" is all a handler needs.
	ErrWrongArity = errors.New("ERR wrong number of arguments")
	// ErrSyntax is Redis's "ERR syntax error": Args.Done returns it when
	// arguments are left over, MatchToken-style parsing its callers do.
	ErrSyntax = errors.New("ERR syntax error")
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
	// command, as RedisModule_WrongArity: "ERR wrong number of arguments
	// for '<name>' command", with the command's registered name as Redis
	// 7.0 does. It returns nil, so both "return ctx.WrongArity()" and the C
	// habit of calling it and then returning nil work. Returning
	// ErrWrongArity has the same effect.
	WrongArity() error

	// AutoMemory is RedisModule_AutoMemory. Go's garbage collector already
	// frees every String and CallReply, so it does nothing; it exists so
	// ported code reads like the original.
	AutoMemory()

	// Call runs a server or module command in-process, as RedisModule_Call,
	// and returns its reply. It never returns nil: an unknown command, a
	// wrong number of arguments, a check a modifier asked for, a bad format
	// or a runtime error all come back as a reply of type ReplyError whose
	// text says what went wrong, the text RedisModule_Call gives with "E".
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
	// and may contain these modifiers anywhere, as in Redis 7.0:
	//
	//	!  propagate the command to the AOF (and replicas: Modis has none).
	//	   Without it nothing the command writes is propagated: the module
	//	   replicates its own effects (Replicate, ReplicateVerbatim)
	//	A  with !, do not propagate to the AOF (only to replicas)
	//	R  with !, do not propagate to replicas (only to the AOF)
	//	3  record the reply in RESP3 (maps, sets, doubles, bools, big
	//	   numbers, verbatim strings, attributes keep their types); the
	//	   default is RESP2, as in Redis
	//	0  record the reply in the protocol of the calling client (RESP2 in
	//	   OnLoad and OnUnload); "3" wins over "0"
	//	C  check that the calling client's user may run the command (ACL);
	//	   refused with "ERR acl verification failed, ..." otherwise, and
	//	   where there is no calling client (OnLoad, OnUnload, event
	//	   callbacks, timers, thread-safe contexts)
	//	S  script mode: refuse commands flagged noscript (module commands
	//	   flagged "deny-script"): "ERR command 'x' is not allowed on
	//	   script mode"
	//	W  refuse write commands: "ERR Write command 'x' was called while
	//	   write is not allowed."
	//	M  refuse deny-oom commands while used memory is over maxmemory:
	//	   "OOM command not allowed when used memory > 'maxmemory'."
	//	E  return errors as replies: always the case in Go; accepted for ports
	//	D  dry run (Redis 7.2): make every check above and the command
	//	   lookup and arity check, but do not run the command; the reply is
	//	   the error a check gave, or a reply of type ReplyNull when the
	//	   command would have run (C returns NULL)
	//
	// The command runs on the calling client's selected database (0 in
	// OnLoad), through the same dispatcher and with the same error texts a
	// client would get; it can never block (a blocking command behaves as
	// in MULTI). Other letters are an error reply naming the letter.
	Call(cmd string, format string, args ...any) CallReply

	// ReplyWithSimpleString replies +msg (RedisModule_ReplyWithSimpleString).
	ReplyWithSimpleString(msg string) error
	// ReplyWithError replies with an error, as RedisModule_ReplyWithError.
	// A text that does not start with an upper-case code word gets the
	// "ERR " prefix (C sends the text as it is).
	ReplyWithError(msg string) error
	// ReplyWithErrorFormat replies with the error fmt.Sprintf(format,
	// args...), as RedisModule_ReplyWithErrorFormat (Redis 7.2; Go's fmt
	// verbs instead of printf's). The "ERR " rule of ReplyWithError applies.
	ReplyWithErrorFormat(format string, args ...any) error
	// ReplyWithLongLong replies with an integer.
	ReplyWithLongLong(n int64) error
	// ReplyWithString replies with a bulk string.
	ReplyWithString(s String) error
	// ReplyWithStringBuffer replies with a bulk string holding b.
	ReplyWithStringBuffer(b []byte) error
	// ReplyWithCString replies with a bulk string holding s.
	ReplyWithCString(s string) error
	// ReplyWithEmptyString replies with the empty bulk string
	// (RedisModule_ReplyWithEmptyString).
	ReplyWithEmptyString() error
	// ReplyWithVerbatimString replies with a verbatim string of format
	// "txt" (RedisModule_ReplyWithVerbatimString): RESP3 "=", RESP2 a bulk
	// string.
	ReplyWithVerbatimString(text string) error
	// ReplyWithVerbatimStringType replies with a verbatim string of the
	// given three-character format, such as "txt" or "mkd"
	// (RedisModule_ReplyWithVerbatimStringType). Another length, or a CR or
	// LF in ext, is an error and nothing is sent.
	ReplyWithVerbatimStringType(text string, ext string) error
	// ReplyWithNull replies with the null value (RESP2 null bulk, RESP3 _).
	ReplyWithNull() error
	// ReplyWithNullArray replies with the null array: RESP2 *-1, RESP3 _
	// (RedisModule_ReplyWithNullArray).
	ReplyWithNullArray() error
	// ReplyWithEmptyArray replies with an empty array, *0 in both protocols
	// (RedisModule_ReplyWithEmptyArray).
	ReplyWithEmptyArray() error
	// ReplyWithArray starts an array of n elements: the next n replies are
	// its elements. n may be PostponedLen; then ReplySetArrayLength gives the
	// length once the elements are written.
	ReplyWithArray(n int) error
	// ReplySetArrayLength sets the length of the aggregate started with
	// PostponedLen most recently and not set yet, which must be an array
	// whose elements are all finished. The length written is the number of
	// elements actually replied, so the reply stays well formed; an n that
	// differs is reported as an error (C trusts n).
	ReplySetArrayLength(n int) error
	// ReplyWithMap starts a map of n key-value pairs
	// (RedisModule_ReplyWithMap): the next 2n replies are its keys and
	// values, in turn. RESP3 sends a map (%n), RESP2 a flat array of 2n
	// elements, as Redis does. n may be PostponedLen.
	ReplyWithMap(n int) error
	// ReplySetMapLength sets the length, in pairs, of a map started with
	// PostponedLen (RedisModule_ReplySetMapLength), as ReplySetArrayLength
	// does for arrays. An odd number of elements (a key without its value)
	// is an error and the map stays open, so the handler can add the value.
	ReplySetMapLength(n int) error
	// ReplyWithSet starts a set of n elements (RedisModule_ReplyWithSet):
	// RESP3 ~n, RESP2 an array. n may be PostponedLen.
	ReplyWithSet(n int) error
	// ReplySetSetLength sets the length of a set started with PostponedLen
	// (RedisModule_ReplySetSetLength).
	ReplySetSetLength(n int) error
	// ReplyWithAttribute starts a RESP3 attribute of n key-value pairs
	// (RedisModule_ReplyWithAttribute): 2n replies follow, then the reply
	// the attribute describes, which is the command's reply (or the array
	// element). The attribute is not a reply by itself. A RESP2 client
	// cannot receive attributes: the call returns an error and sends
	// nothing, as in Redis. n may be PostponedLen.
	ReplyWithAttribute(n int) error
	// ReplySetAttributeLength sets the length, in pairs, of an attribute
	// started with PostponedLen (RedisModule_ReplySetAttributeLength).
	ReplySetAttributeLength(n int) error
	// ReplyWithBool replies with a boolean (RedisModule_ReplyWithBool):
	// RESP3 #t/#f, RESP2 the integer 1 or 0.
	ReplyWithBool(b bool) error
	// ReplyWithDouble replies with a double (RESP3 double, RESP2 bulk string).
	ReplyWithDouble(f float64) error
	// ReplyWithBigNumber replies with a big number given as its decimal
	// digits, an optional '-' first (RedisModule_ReplyWithBigNumber): RESP3
	// "(", RESP2 a bulk string. Unlike C, anything else is refused with an
	// error and nothing is sent (C leaves validity to the caller).
	ReplyWithBigNumber(digits string) error
	// ReplyWithLongDouble replies with f in Redis's human-readable long
	// double form (RedisModule_ReplyWithLongDouble; Go has no long double):
	// at most 17 decimals, trailing zeros dropped ("3.5", "100",
	// "0.10000000000000001" for 0.1). RESP3 sends a double, RESP2 a bulk
	// string.
	ReplyWithLongDouble(f float64) error
	// ReplyWithCallReply replies with a reply returned by Call, forwarding it
	// whole, as RedisModule_ReplyWithCallReply. A reply Call recorded in
	// RESP3 is downgraded for a RESP2 client by Redis's rules (C refuses
	// it with REDISMODULE_ERR instead).
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
