package sdk

// ReplyType is the type of a CallReply, the Go form of REDISMODULE_REPLY_*.
type ReplyType int

// The reply types. Their numeric values are those of Redis's
// REDISMODULE_REPLY_* constants.
const (
	ReplyUnknown   ReplyType = -1
	ReplyString    ReplyType = 0
	ReplyError     ReplyType = 1
	ReplyInteger   ReplyType = 2
	ReplyArray     ReplyType = 3
	ReplyNull      ReplyType = 4
	ReplyMap       ReplyType = 5
	ReplySet       ReplyType = 6
	ReplyBool      ReplyType = 7
	ReplyDouble    ReplyType = 8
	ReplyBigNumber ReplyType = 9
	ReplyVerbatim  ReplyType = 10
	ReplyAttribute ReplyType = 11
)

var replyTypeNames = map[ReplyType]string{
	ReplyUnknown: "unknown", ReplyString: "string", ReplyError: "error",
	ReplyInteger: "integer", ReplyArray: "array", ReplyNull: "null",
	ReplyMap: "map", ReplySet: "set", ReplyBool: "bool", ReplyDouble: "double",
	ReplyBigNumber: "bignumber", ReplyVerbatim: "verbatim", ReplyAttribute: "attribute",
}

// String names the type ("string", "error", "integer", ...).
func (t ReplyType) String() string {
	if s, ok := replyTypeNames[t]; ok {
		return s
	}
	return "unknown"
}

// CallReply is the reply of Ctx.Call, the Go form of RedisModuleCallReply. It
// is valid until the handler returns. Accessors used on the wrong type return
// the zero value (as the C API returns NULL or 0), never panic.
type CallReply interface {
	// Type is RedisModule_CallReplyType.
	Type() ReplyType
	// Integer is RedisModule_CallReplyInteger: the value of an integer reply
	// (also 1 or 0 for a bool).
	Integer() int64
	// Double is RedisModule_CallReplyDouble: the value of a double reply.
	Double() float64
	// Bytes is RedisModule_CallReplyStringPtr: the bytes of a string, error,
	// double or verbatim reply, without copying.
	Bytes() []byte
	// String returns Bytes as a Go string (a copy).
	String() string
	// Error is the text of an error reply, "" for any other type.
	Error() string
	// Length is RedisModule_CallReplyLength: the element count of an array,
	// set or map (pairs), or the length of a string.
	Length() int
	// ArrayElement is RedisModule_CallReplyArrayElement: element i of an
	// array or set. Out of range, or on another type, it returns a reply of
	// type ReplyUnknown (never nil), so chained accessors cannot panic.
	ArrayElement(i int) CallReply
	// MapElement is RedisModule_CallReplyMapElement: the key and value of
	// pair i of a map reply (both of type ReplyUnknown when out of range or
	// on another type). Map replies come from a Call with the "3" (or "0"
	// from a RESP3 client) modifier; in RESP2 a map is a flat array.
	MapElement(i int) (key, value CallReply)
	// SetElement is RedisModule_CallReplySetElement: element i of a set
	// reply (RESP3), a ReplyUnknown reply when out of range or on another
	// type.
	SetElement(i int) CallReply
	// Bool is RedisModule_CallReplyBool: the value of a bool reply (RESP3),
	// false for any other type. (In RESP2 a bool is the integer 1 or 0.)
	Bool() bool
	// BigNumber is RedisModule_CallReplyBigNumber: the digits of a big
	// number reply (RESP3), "" for any other type.
	BigNumber() string
	// Verbatim is RedisModule_CallReplyVerbatim: the text of a verbatim
	// string reply (RESP3) and its three-letter format ("txt", "mkd"); ""
	// and "" for any other type. Bytes gives the text without copying.
	Verbatim() (text, format string)
	// Attribute is RedisModule_CallReplyAttribute: the RESP3 attribute sent
	// before the reply, a reply of type ReplyAttribute; when there is none
	// (C: NULL), a reply of type ReplyUnknown.
	Attribute() CallReply
	// AttributeElement is RedisModule_CallReplyAttributeElement: the key
	// and value of pair i of an attribute reply (both of type ReplyUnknown
	// when out of range or on another type).
	AttributeElement(i int) (key, value CallReply)
	// Proto returns the reply encoded in RESP (RedisModule_CallReplyProto).
	Proto() []byte
	// CreateString makes a String of a string or error reply's bytes, or
	// of an integer reply's decimal form, as
	// RedisModule_CreateStringFromCallReply. Where C returns NULL (the
	// other types), it is the text Bytes gives (a double's, a big
	// number's, a verbatim string's), else the empty String.
	CreateString() String
}
