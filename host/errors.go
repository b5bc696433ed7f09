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
