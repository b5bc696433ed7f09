package sdk

// Key open modes for OpenKey, the Go form of REDISMODULE_READ and
// REDISMODULE_WRITE.
const (
	Read  = 1 << 0
	Write = 1 << 1
)

// KeyAPI is the part of Ctx for keys: open a key (RedisModule_OpenKey) and
// work on its value through the returned Key; scan the keyspace.
type KeyAPI interface {
	// OpenKey opens a key of the database the calling client has selected,
	// as RedisModule_OpenKey. mode is Read, Write or Read|Write. It never
	// returns nil: a key that does not exist is an empty Key (KeyType
	// KeyTypeEmpty) that a Write key can create a value in. The Key is
	// valid until Close or until the handler returns.
	OpenKey(name String, mode int) Key
}

// Key is an open key, the Go form of RedisModuleKey.
type Key interface {
	TypedKey // datatype.go: module type values

	// Close closes the key (RedisModule_CloseKey). Keys still open when the
	// handler returns are closed by the server.
	Close()
}
