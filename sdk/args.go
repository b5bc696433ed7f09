package sdk

// Args is a cursor over a command's arguments, the sdk's argument-parsing
// helper in the spirit of rmutil's RMUtil_ParseArgs and redismodule-rs's
// next_arg: each Next... call takes the next argument, and a missing one is
// ErrWrongArity, which a handler simply returns (the server then replies
// with the wrong-arity error naming the command). Bad numbers give Redis's
// texts (ErrNotInteger, ErrNotFloat), and Done reports left-over arguments
// as ErrSyntax:
//
//	func Set(ctx sdk.Ctx, argv []sdk.String) error {
//		args := sdk.NewArgs(argv)
//		key, err := args.Next()
//		if err != nil {
//			return err // too few arguments: wrong arity
//		}
//		n, err := args.NextInt64()
//		if err != nil {
//			return err // missing: wrong arity; not a number: Redis's text
//		}
//		nx := args.MatchToken("NX") // an optional flag, any case
//		if err := args.Done(); err != nil {
//			return err // anything left: ERR syntax error
//		}
//		...
//	}
//
// An Args is a small value: NewArgs does not allocate. It holds the argv
// slice, so it is valid as long as argv is (until the handler returns).
type Args struct {
	argv []String
	pos  int
}

// NewArgs returns a cursor over argv's arguments after the command name
// argv[0].
func NewArgs(argv []String) Args {
	if len(argv) == 0 {
		return Args{}
	}
	return Args{argv: argv, pos: 1}
}

// Len returns the number of arguments not taken yet.
func (a *Args) Len() int { return len(a.argv) - a.pos }

// Pos returns the index in argv of the next argument (len(argv) at the
// end), for error messages that name a position.
func (a *Args) Pos() int { return a.pos }

// Next takes the next argument, or returns ErrWrongArity when there is
// none.
func (a *Args) Next() (String, error) {
	if a.pos >= len(a.argv) {
		return String{}, ErrWrongArity
	}
	s := a.argv[a.pos]
	a.pos++
	return s, nil
}

// NextString takes the next argument as a Go string (a copy).
func (a *Args) NextString() (string, error) {
	s, err := a.Next()
	if err != nil {
		return "", err
	}
	return s.String(), nil
}

// NextInt64 takes the next argument as a signed 64-bit integer, parsed as
// String.ToLongLong does. A missing argument is ErrWrongArity, a bad one
// ErrNotInteger ("ERR value is not an integer or out of range"); a bad
// argument is consumed all the same.
func (a *Args) NextInt64() (int64, error) {
	s, err := a.Next()
	if err != nil {
		return 0, err
	}
	return s.ToLongLong()
}

// NextUint64 takes the next argument as an unsigned 64-bit integer, parsed
// as String.ToULongLong does (RedisModule_StringToULongLong). A missing
// argument is ErrWrongArity, a bad one ErrNotInteger.
func (a *Args) NextUint64() (uint64, error) {
	s, err := a.Next()
	if err != nil {
		return 0, err
	}
	return s.ToULongLong()
}

// NextFloat64 takes the next argument as a double, parsed as
// String.ToDouble does ("inf", "-inf" and exponents allowed, NaN refused).
// A missing argument is ErrWrongArity, a bad one ErrNotFloat ("ERR value is
// not a valid float").
func (a *Args) NextFloat64() (float64, error) {
	s, err := a.Next()
	if err != nil {
		return 0, err
	}
	return s.ToDouble()
}

// Peek returns the next argument without taking it; false at the end.
func (a *Args) Peek() (String, bool) {
	if a.pos >= len(a.argv) {
		return String{}, false
	}
	return a.argv[a.pos], true
}

// MatchToken takes the next argument and returns true if it is token,
// compared case-insensitively (ASCII), as Redis compares option words
// (strcasecmp). Otherwise, or at the end, it takes nothing and returns
// false. Use it for optional flags and keywords:
//
//	for args.Len() > 0 {
//		switch {
//		case args.MatchToken("NX"):
//			nx = true
//		case args.MatchToken("EX"):
//			if ttl, err = args.NextInt64(); err != nil {
//				return err
//			}
//		default:
//			return sdk.ErrSyntax
//		}
//	}
func (a *Args) MatchToken(token string) bool {
	s, ok := a.Peek()
	if !ok || !equalFoldASCII(s.Bytes(), token) {
		return false
	}
	a.pos++
	return true
}

// equalFoldASCII is strcasecmp(b, s) == 0: only ASCII letters fold.
func equalFoldASCII(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// Rest takes every argument left (an empty slice at the end).
func (a *Args) Rest() []String {
	if a.pos >= len(a.argv) {
		return nil
	}
	r := a.argv[a.pos:]
	a.pos = len(a.argv)
	return r
}

// Done returns ErrSyntax ("ERR syntax error", Redis's reply to unexpected
// extra arguments) if arguments are left, nil otherwise.
func (a *Args) Done() error {
	if a.pos < len(a.argv) {
		return ErrSyntax
	}
	return nil
}
