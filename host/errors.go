package host

import (
	"errors"
	"fmt"
)

// Redis's error texts, in one place. Handlers return these; the dispatcher
// writes them.
var (
	ErrSyntax        = errors.New("ERR syntax error")
	ErrWrongType     = errors.New("WRONGTYPE Operation against a key holding the wrong kind of value")
	ErrNotInteger    = errors.New("ERR value is not an integer or out of range")
	ErrNotFloat      = errors.New("ERR value is not a valid float")
	ErrHashNotInt    = errors.New("ERR hash value is not an integer")
	ErrHashNotFloat  = errors.New("ERR hash value is not a float")
	ErrOverflow      = errors.New("ERR increment or decrement would overflow")
	ErrIncrNaNOrInf  = errors.New("ERR increment would produce NaN or Infinity")
	ErrNoSuchKey     = errors.New("ERR no such key")
	ErrDBIndex       = errors.New("ERR DB index is out of range")
	ErrStringTooLong = errors.New("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
	ErrNoProto       = errors.New("NOPROTO unsupported protocol version")
)

// errWrongArity is Redis's wrong-arity error for a command's full name
// ("get", "config|get").
func errWrongArity(name string) error {
	return fmt.Errorf("ERR wrong number of arguments for '%s' command", name)
}

// errInvalidExpire is Redis's error for a bad EX/PX/EXAT/PXAT value.
func errInvalidExpire(cmd string) error {
	return fmt.Errorf("ERR invalid expire time in '%s' command", cmd)
}

// errUnknownSubcommand is Redis's error for a container command's unknown
// subcommand.
func errUnknownSubcommand(sub, parent string) error {
	return fmt.Errorf("ERR unknown subcommand '%.128s'. Try %s HELP.", sub, parent)
}

// errUnknownCommand builds Redis's unknown-command error, quoting up to 128
// bytes of the arguments.
func errUnknownCommand(args [][]byte) error {
	var quoted []byte
	for _, a := range args[1:] {
		if len(quoted) >= 128 {
			break
		}
		room := 128 - len(quoted)
		if len(a) > room {
			a = a[:room]
		}
		quoted = append(quoted, '\'')
		quoted = append(quoted, a...)
		quoted = append(quoted, '\'', ' ')
	}
	name := args[0]
	if len(name) > 128 {
		name = name[:128]
	}
	return fmt.Errorf("ERR unknown command '%s', with args beginning with: %s", name, quoted)
}

// Errors of the string, hash and key commands.
var (
	ErrDecrOverflow      = errors.New("ERR decrement would overflow")
	ErrHashIncrNaNOrInf  = errors.New("ERR value is NaN or Infinity")
	ErrExpireNXAndOthers = errors.New("ERR NX and XX, GT or LT options at the same time are not compatible")
	ErrExpireGTAndLT     = errors.New("ERR GT and LT options at the same time are not compatible")
)

// errUnsupportedOption is Redis's error for an unknown EXPIRE-family option.
func errUnsupportedOption(opt []byte) error {
	return fmt.Errorf("ERR Unsupported option %s", opt)
}

// Errors of the set commands.
var (
	ErrSetCountNotPositive = errors.New("ERR value is out of range, must be positive")
	// ErrRandCountRange is SRANDMEMBER's, HRANDFIELD's and ZRANDMEMBER's
	// error for a count whose negation overflows.
	ErrRandCountRange        = errors.New("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
	ErrSetNumkeysNotPositive = errors.New("ERR numkeys should be greater than 0")
	ErrSetNumkeysTooMany     = errors.New("ERR Number of keys can't be greater than number of args")
	ErrSetLimitNegative      = errors.New("ERR LIMIT can't be negative")
)

// Errors of the string commands GETRANGE, SETRANGE and LCS.
var (
	ErrOffsetRange   = errors.New("ERR offset is out of range")
	ErrLcsNotStrings = errors.New("ERR The specified keys must contain string values")
	ErrLcsLenAndIdx  = errors.New("ERR If you want both the length and indexes, please just use IDX.")
	ErrLcsTooLong    = errors.New("ERR String too long for LCS")
	ErrLcsMemory     = errors.New("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
)

// Errors of the bitmap commands.
var (
	ErrBitOffset        = errors.New("ERR bit offset is not an integer or out of range")
	ErrBitValue         = errors.New("ERR bit is not an integer or out of range")
	ErrBitArg           = errors.New("ERR The bit argument must be 1 or 0.")
	ErrBitopNot         = errors.New("ERR BITOP NOT must be called with a single source key.")
	ErrBitfieldType     = errors.New("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")
	ErrBitfieldOverflow = errors.New("ERR Invalid OVERFLOW type specified")
	ErrBitfieldRO       = errors.New("ERR BITFIELD_RO only supports the GET subcommand")
)

// Errors of the generic key commands (COPY MOVE SWAPDB OBJECT SORT MEMORY).
var (
	ErrSameObject        = errors.New("ERR source and destination objects are the same")
	ErrFirstDBIndex      = errors.New("ERR invalid first DB index")
	ErrSecondDBIndex     = errors.New("ERR invalid second DB index")
	ErrCopyModuleValue   = errors.New("ERR Copying module type object is not supported")
	ErrLFUNotSelected    = errors.New("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
	ErrLFUSelected       = errors.New("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
	ErrSortScoreNotFloat = errors.New("ERR One or more scores can't be converted into double")
	ErrNotInt32          = errors.New("ERR value is out of range, value must between -2147483648 and 2147483647")
)

// Errors of HRANDFIELD.
var (
	ErrValueOutOfRange = errors.New("ERR value is out of range")
)

// Errors of the list commands.
var (
	ErrListNotPositive     = errors.New("ERR value is out of range, must be positive")
	ErrListIndexOutOfRange = errors.New("ERR index out of range")
	ErrListRankZero        = errors.New("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")
	ErrListCountNegative   = errors.New("ERR COUNT can't be negative")
	ErrListMaxlenNegative  = errors.New("ERR MAXLEN can't be negative")
	ErrListNumkeys         = errors.New("ERR numkeys should be greater than 0")
	ErrListCountPositive   = errors.New("ERR count should be greater than 0")
)

// Errors of COMMAND GETKEYS and GETKEYSANDFLAGS.
var (
	errInvalidCommandSpecified = errors.New("ERR Invalid command specified")
	errNoKeyArguments          = errors.New("ERR The command has no key arguments")
	errGetkeysArity            = errors.New("ERR Invalid number of arguments specified for command")
	errGetkeysInvalidArgs      = errors.New("ERR Invalid arguments specified for command")
)

// Errors of BGSAVE, SAVE and SHUTDOWN.
var (
	ErrBgsaveInProgress = errors.New("ERR Background save already in progress")
	ErrShutdownFailed   = errors.New("ERR Errors trying to SHUTDOWN. Check logs.")
	ErrNoShutdown       = errors.New("ERR No shutdown in progress.")
)
