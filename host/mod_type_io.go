package host

// sdk.IO and sdk.Digest: what a module type's callbacks read and write
// through.

import (
	"crypto/sha1"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"modis/host/internal/rdb"
	"modis/sdk"
)

// ioMode is what a modIO is for; each callback gets the helpers of its
// mode and an error for the others.
type ioMode uint8

const (
	ioSave   ioMode = iota + 1 // RDBSave, AuxSave into an RDB stream
	ioLoad                     // RDBLoad, AuxLoad from an RDB stream
	ioRecord                   // RDBSave, AuxSave into recorded calls (snapshots, AUX captures)
	ioAOF                      // AOFRewrite
)

// ioOp is one recorded Save call.
type ioOp struct {
	op uint8 // rdb.ModuleOp*
	u  uint64
	b  []byte
	d  float64
	f  float32
}

// replayOps writes recorded Save calls.
func replayOps(w *rdb.ModuleWriter, ops []ioOp) {
	for _, op := range ops {
		switch op.op {
		case rdb.ModuleOpUInt:
			w.SaveUnsigned(op.u)
		case rdb.ModuleOpSInt:
			w.SaveSigned(int64(op.u))
		case rdb.ModuleOpString:
			w.SaveString(op.b)
		case rdb.ModuleOpDouble:
			w.SaveDouble(op.d)
		case rdb.ModuleOpFloat:
			w.SaveFloat(op.f)
		}
	}
}

// modIO implements sdk.IO. Errors are sticky (see sdk.IO).
type modIO struct {
	t    *modType
	mode ioMode
	w    *rdb.ModuleWriter
	r    *rdb.ModuleReader
	ops  []ioOp
	emit func(argv [][]byte)
	key  []byte
	db   int
	err  error
}

var _ sdk.IO = (*modIO)(nil)

// fail records the first error.
func (io *modIO) fail(err error) {
	if io.err == nil {
		io.err = err
	}
}

// saving reports whether a Save helper may write now.
func (io *modIO) saving(what string) bool {
	if io.err != nil {
		return false
	}
	if io.mode != ioSave && io.mode != ioRecord {
		io.fail(fmt.Errorf("module type %s: %s called outside RDBSave and AuxSave", io.t.name, what))
		return false
	}
	return true
}

func (io *modIO) save(op ioOp) {
	if io.mode == ioRecord {
		io.ops = append(io.ops, op)
		return
	}
	switch op.op {
	case rdb.ModuleOpUInt:
		io.w.SaveUnsigned(op.u)
	case rdb.ModuleOpSInt:
		io.w.SaveSigned(int64(op.u))
	case rdb.ModuleOpString:
		io.w.SaveString(op.b)
	case rdb.ModuleOpDouble:
		io.w.SaveDouble(op.d)
	case rdb.ModuleOpFloat:
		io.w.SaveFloat(op.f)
	}
	if err := io.w.Err(); err != nil {
		io.fail(err)
	}
}

// SaveUnsigned implements sdk.IO.
func (io *modIO) SaveUnsigned(v uint64) {
	if io.saving("SaveUnsigned") {
		io.save(ioOp{op: rdb.ModuleOpUInt, u: v})
	}
}

// SaveSigned implements sdk.IO.
func (io *modIO) SaveSigned(v int64) {
	if io.saving("SaveSigned") {
		io.save(ioOp{op: rdb.ModuleOpSInt, u: uint64(v)})
	}
}

// SaveString implements sdk.IO.
func (io *modIO) SaveString(s sdk.String) { io.saveBytes("SaveString", s.Bytes()) }

// SaveStringBuffer implements sdk.IO.
func (io *modIO) SaveStringBuffer(b []byte) { io.saveBytes("SaveStringBuffer", b) }

func (io *modIO) saveBytes(what string, b []byte) {
	if io.saving(what) {
		if io.mode == ioRecord {
			b = append([]byte(nil), b...) // the module may reuse b
		}
		io.save(ioOp{op: rdb.ModuleOpString, b: b})
	}
}

// SaveDouble implements sdk.IO.
func (io *modIO) SaveDouble(v float64) {
	if io.saving("SaveDouble") {
		io.save(ioOp{op: rdb.ModuleOpDouble, d: v})
	}
}

// SaveFloat implements sdk.IO.
func (io *modIO) SaveFloat(v float32) {
	if io.saving("SaveFloat") {
		io.save(ioOp{op: rdb.ModuleOpFloat, f: v})
	}
}

// SaveLongDouble implements sdk.IO: Redis writes a long double as the
// string of C's "%La" (ld2string's LD_STR_HEX).
func (io *modIO) SaveLongDouble(v float64) {
	io.saveBytes("SaveLongDouble", []byte(formatLongDoubleHex(v)))
}

// loading reports whether a Load helper may read now.
func (io *modIO) loading(what string) bool {
	if io.err != nil {
		return false
	}
	if io.mode != ioLoad {
		io.fail(fmt.Errorf("module type %s: %s called outside RDBLoad and AuxLoad", io.t.name, what))
		return false
	}
	return true
}

// LoadUnsigned implements sdk.IO.
func (io *modIO) LoadUnsigned() uint64 {
	if !io.loading("LoadUnsigned") {
		return 0
	}
	v, err := io.r.LoadUnsigned()
	if err != nil {
		io.fail(err)
		return 0
	}
	return v
}

// LoadSigned implements sdk.IO.
func (io *modIO) LoadSigned() int64 {
	if !io.loading("LoadSigned") {
		return 0
	}
	v, err := io.r.LoadSigned()
	if err != nil {
		io.fail(err)
		return 0
	}
	return v
}

// LoadString implements sdk.IO.
func (io *modIO) LoadString() sdk.String { return sdk.StringFromBytes(io.loadBytes("LoadString")) }

// LoadStringBuffer implements sdk.IO.
func (io *modIO) LoadStringBuffer() []byte { return io.loadBytes("LoadStringBuffer") }

func (io *modIO) loadBytes(what string) []byte {
	if !io.loading(what) {
		return nil
	}
	v, err := io.r.LoadString() // a fresh copy
	if err != nil {
		io.fail(err)
		return nil
	}
	return v
}

// LoadDouble implements sdk.IO.
func (io *modIO) LoadDouble() float64 {
	if !io.loading("LoadDouble") {
		return 0
	}
	v, err := io.r.LoadDouble()
	if err != nil {
		io.fail(err)
		return 0
	}
	return v
}

// LoadFloat implements sdk.IO.
func (io *modIO) LoadFloat() float32 {
	if !io.loading("LoadFloat") {
		return 0
	}
	v, err := io.r.LoadFloat()
	if err != nil {
		io.fail(err)
		return 0
	}
	return v
}

// LoadLongDouble implements sdk.IO: the string SaveLongDouble (or C's
// RedisModule_SaveLongDouble) wrote, rounded to a float64.
func (io *modIO) LoadLongDouble() float64 {
	b := io.loadBytes("LoadLongDouble")
	if io.err != nil {
		return 0
	}
	f, ok := parseSavedLongDouble(string(b))
	if !ok {
		io.fail(fmt.Errorf("module type %s: LoadLongDouble: %q is not a long double", io.t.name, b))
		return 0
	}
	return f
}

// EmitAOF implements sdk.IO.
func (io *modIO) EmitAOF(cmd string, format string, args ...any) {
	if io.err != nil {
		return
	}
	if io.mode != ioAOF {
		io.fail(fmt.Errorf("module type %s: EmitAOF called outside AOFRewrite", io.t.name))
		return
	}
	if io.t.srv.table.Get(strings.ToLower(cmd)) == nil {
		io.fail(fmt.Errorf("module type %s: EmitAOF: unknown command '%s'", io.t.name, cmd))
		return
	}
	argv, _, err := typeFormatArgs(cmd, format, args)
	if err != nil {
		io.fail(fmt.Errorf("module type %s: EmitAOF %s: %w", io.t.name, cmd, err))
		return
	}
	io.emit(argv)
}

// IsIOError implements sdk.IO.
func (io *modIO) IsIOError() bool { return io.err != nil }

// Err implements sdk.IO.
func (io *modIO) Err() error { return io.err }

// LogIOError implements sdk.IO.
func (io *modIO) LogIOError(level string, format string, args ...any) {
	io.t.log.Log(hclogLevel(level), fmt.Sprintf(format, args...), "type", io.t.name)
}

// KeyName implements sdk.IO.
func (io *modIO) KeyName() sdk.String { return sdk.StringFromBytes(io.key) }

// DbID implements sdk.IO.
func (io *modIO) DbID() int { return io.db }

// formatLongDoubleHex is C's printf("%La") of v converted to an x87 long
// double, as glibc prints it: the 64-bit significand (explicit integer
// bit) as one hex digit, a point and the other 15 digits without trailing
// zeros, and a binary exponent ("0x8p-3" for 1). Infinities are "inf" and
// "-inf" (ld2string), NaN "nan".
func formatLongDoubleHex(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	case math.IsNaN(v):
		return "nan"
	}
	sign := ""
	if math.Signbit(v) {
		sign = "-"
		v = -v
	}
	if v == 0 {
		return sign + "0x0p+0"
	}
	frac, exp := math.Frexp(v) // v = frac * 2^exp, frac in [0.5, 1)
	m := uint64(math.Ldexp(frac, 64))
	lead := m >> 60
	rest := strings.TrimRight(fmt.Sprintf("%015x", m&(1<<60-1)), "0")
	out := sign + "0x" + strconv.FormatUint(lead, 16)
	if rest != "" {
		out += "." + rest
	}
	return out + fmt.Sprintf("p%+d", exp-4)
}

// parseSavedLongDouble reads what C's strtold reads in a string written by
// RedisModule_SaveLongDouble: a hex or decimal float, inf, nan.
func parseSavedLongDouble(s string) (float64, bool) {
	t := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	switch strings.ToLower(t) {
	case "nan":
		return math.NaN(), true
	case "inf", "infinity":
		if strings.HasPrefix(s, "-") {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	}
	if l := strings.ToLower(t); strings.HasPrefix(l, "0x") && !strings.Contains(l, "p") {
		s += "p0"
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return f, true // rounded to ±Inf or 0, as a float64 must
		}
		return 0, false
	}
	return f, true
}

// typeFormatArgs builds a command line from Call's format letters (c s b l
// d v) for EmitAOF and Replicate, and returns the modifiers seen ('!' 'A'
// 'R' 'E' '3' '0' and the other Call modifiers are accepted and ignored,
// except 'A', reported in noAOF).
func typeFormatArgs(cmd, format string, args []any) (argv [][]byte, noAOF bool, err error) {
	argv = append(argv, []byte(cmd))
	ai := 0
	for i := 0; i < len(format); i++ {
		spec := format[i]
		switch spec {
		case 'A':
			noAOF = true
			continue
		case '!', 'R', 'E', '3', '0', 'C', 'S', 'W', 'M', 'D':
			continue
		}
		if ai >= len(args) {
			return nil, false, fmt.Errorf("format %q wants more arguments than the %d given", format, len(args))
		}
		a := args[ai]
		ai++
		bad := fmt.Errorf("argument %d for '%c' is %T", ai, spec, a)
		switch spec {
		case 'c':
			s, ok := a.(string)
			if !ok {
				return nil, false, bad
			}
			argv = append(argv, []byte(s))
		case 's':
			s, ok := a.(sdk.String)
			if !ok {
				return nil, false, bad
			}
			argv = append(argv, append([]byte(nil), s.Bytes()...))
		case 'b':
			b, ok := a.([]byte)
			if !ok {
				return nil, false, bad
			}
			argv = append(argv, append([]byte(nil), b...))
		case 'l':
			switch n := a.(type) {
			case int:
				argv = append(argv, strconv.AppendInt(nil, int64(n), 10))
			case int64:
				argv = append(argv, strconv.AppendInt(nil, n, 10))
			default:
				return nil, false, bad
			}
		case 'd':
			f, ok := a.(float64)
			if !ok {
				return nil, false, bad
			}
			argv = append(argv, sdk.AppendDouble(nil, f))
		case 'v':
			v, ok := a.([]sdk.String)
			if !ok {
				return nil, false, bad
			}
			for _, s := range v {
				argv = append(argv, append([]byte(nil), s.Bytes()...))
			}
		default:
			return nil, false, fmt.Errorf("unknown format specifier '%c' in %q (known: c s b l d v)", spec, format)
		}
	}
	if ai != len(args) {
		return nil, false, fmt.Errorf("format %q uses %d arguments but %d were given", format, ai, len(args))
	}
	return argv, noAOF, nil
}

// modDigest implements sdk.Digest with Redis's RedisModuleDigest: o is the
// running sequence (mixDigest), x the xor of the finished sequences.
type modDigest struct {
	o, x [20]byte
	key  []byte
	db   int
}

var _ sdk.Digest = (*modDigest)(nil)

// AddStringBuffer implements sdk.Digest (RM_DigestAddStringBuffer).
func (d *modDigest) AddStringBuffer(b []byte) { mixDigest(&d.o, b) }

// AddLongLong implements sdk.Digest (RM_DigestAddLongLong).
func (d *modDigest) AddLongLong(n int64) { mixDigest(&d.o, strconv.AppendInt(nil, n, 10)) }

// EndSequence implements sdk.Digest (RM_DigestEndSequence).
func (d *modDigest) EndSequence() {
	xorDigest(&d.x, d.o[:])
	d.o = [20]byte{}
}

// KeyName implements sdk.Digest.
func (d *modDigest) KeyName() sdk.String { return sdk.StringFromBytes(d.key) }

// DbID implements sdk.Digest.
func (d *modDigest) DbID() int { return d.db }

// xorDigest is Redis's xorDigest: digest ^= SHA1(b).
func xorDigest(digest *[20]byte, b []byte) {
	h := sha1.Sum(b)
	for i := range digest {
		digest[i] ^= h[i]
	}
}

// mixDigest is Redis's mixDigest: digest = SHA1(digest ^ SHA1(b)).
func mixDigest(digest *[20]byte, b []byte) {
	xorDigest(digest, b)
	*digest = sha1.Sum(digest[:])
}
