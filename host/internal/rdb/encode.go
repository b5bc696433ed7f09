// Package rdb reads and writes Redis's RDB snapshot format as Redis 7.0
// writes it (RDB version 10), and reads the older encodings Redis 7.0 still
// loads (ziplists, zipmaps, quicklist version 1, the plain sorted set with
// decimal scores) as well as what Redis 7.2 writes (RDB version 11: sets as
// listpacks).
//
// The file: "REDIS0010", AUX fields, then per database SELECTDB, RESIZEDB
// and the keys (each optionally preceded by EXPIRETIME_MS), EOF and the
// CRC-64 (Jones) of everything before it, little endian.
package rdb

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"

	"modis/host/internal/keyspace"
	"modis/host/internal/types"
)

// Version is the RDB format version written (Redis 7.0's).
const Version = 10

// MaxReadVersion is the newest RDB format version read: Redis 7.2's, whose
// only change for the data types Modis has is the listpack set
// (TypeSetListpack). Files and DUMP payloads of a newer version are refused.
const MaxReadVersion = 11

// Value types and opcodes (rdb.h).
const (
	TypeString           = 0
	TypeList             = 1
	TypeSet              = 2
	TypeZSet             = 3
	TypeHash             = 4
	TypeZSet2            = 5
	TypeModule           = 6
	TypeModule2          = 7
	TypeHashZipmap       = 9
	TypeListZiplist      = 10
	TypeSetIntset        = 11
	TypeZSetZiplist      = 12
	TypeHashZiplist      = 13
	TypeListQuicklist    = 14
	TypeStreamListpacks  = 15
	TypeHashListpack     = 16
	TypeZSetListpack     = 17
	TypeListQuicklist2   = 18
	TypeStreamListpacks2 = 19
	TypeSetListpack      = 20 // RDB 11 (Redis 7.2)
	TypeStreamListpacks3 = 21 // RDB 11 (Redis 7.2)

	OpFunction2    = 245
	OpFunction     = 246
	OpModuleAux    = 247
	OpIdle         = 248
	OpFreq         = 249
	OpAux          = 250
	OpResizeDB     = 251
	OpExpireTimeMS = 252
	OpExpireTime   = 253
	OpSelectDB     = 254
	OpEOF          = 255
)

// Length encodings.
const (
	len6bit  = 0
	len14bit = 1
	len32bit = 0x80
	len64bit = 0x81
	lenEnc   = 3 // 11xxxxxx: a special string encoding follows

	encInt8  = 0
	encInt16 = 1
	encInt32 = 2
	encLZF   = 3
)

// quicklist node containers.
const (
	qlPlain  = 1
	qlPacked = 2
)

// listNodeBytes is the listpack size a list node is cut at (Redis's default
// list-max-listpack-size -2: 8 kB).
const listNodeBytes = 8 << 10

// Encoder writes an RDB stream. Errors are sticky: check Finish's.
type Encoder struct {
	w        *bufio.Writer
	crc      uint64
	compress bool
	// NoChecksum writes a zero checksum, as Redis does with rdbchecksum no
	// (and skips computing it).
	NoChecksum bool
	err        error
	scratch    []byte
	lzf        []byte // LZF output, reused
	db         int    // the database SelectDB started, -1 before any (a DUMP payload)
}

// NewEncoder returns an encoder writing to w; compress is rdbcompression
// (LZF for strings longer than 20 bytes when it saves space).
func NewEncoder(w io.Writer, compress bool) *Encoder {
	return &Encoder{w: bufio.NewWriterSize(w, 64<<10), compress: compress, db: -1}
}

func (e *Encoder) write(p []byte) {
	if e.err != nil {
		return
	}
	if !e.NoChecksum {
		e.crc = CRC64(e.crc, p)
	}
	_, e.err = e.w.Write(p)
}

func (e *Encoder) byte1(b byte) { e.write([]byte{b}) }

// Header writes the magic string and version.
func (e *Encoder) Header() { e.write([]byte(fmt.Sprintf("REDIS%04d", Version))) }

// Aux writes an AUX field.
func (e *Encoder) Aux(key, val string) {
	e.byte1(OpAux)
	e.String([]byte(key))
	e.String([]byte(val))
}

// Function writes a function library's code (FUNCTION2), as Redis writes
// each library after the AUX fields.
func (e *Encoder) Function(code string) {
	e.byte1(OpFunction2)
	e.String([]byte(code))
}

// AuxInt writes an AUX field whose value is an integer (Redis writes those
// int-encoded).
func (e *Encoder) AuxInt(key string, v int64) { e.Aux(key, strconv.FormatInt(v, 10)) }

// SelectDB starts database n.
func (e *Encoder) SelectDB(n int) {
	e.db = n
	e.byte1(OpSelectDB)
	e.Length(uint64(n))
}

// ResizeDB writes the database's key and expiry counts.
func (e *Encoder) ResizeDB(size, expires int) {
	e.byte1(OpResizeDB)
	e.Length(uint64(size))
	e.Length(uint64(expires))
}

// Length writes an RDB length.
func (e *Encoder) Length(n uint64) {
	var b [9]byte
	switch {
	case n < 1<<6:
		e.byte1(byte(n))
	case n < 1<<14:
		e.write([]byte{byte(n>>8) | len14bit<<6, byte(n)})
	case n <= math.MaxUint32:
		b[0] = len32bit
		binary.BigEndian.PutUint32(b[1:], uint32(n))
		e.write(b[:5])
	default:
		b[0] = len64bit
		binary.BigEndian.PutUint64(b[1:], n)
		e.write(b[:9])
	}
}

// String writes a string as rdbSaveRawString does: as an integer when it
// is one that fits 32 bits (and at most 11 bytes), LZF-compressed when that
// is on, the string is over 20 bytes and compression saves at least 4
// bytes, else raw.
func (e *Encoder) String(s []byte) {
	if len(s) <= 11 {
		if v, ok := keyspace.ParseStrictInt(s); ok && v >= math.MinInt32 && v <= math.MaxInt32 {
			switch {
			case v >= math.MinInt8 && v <= math.MaxInt8:
				e.write([]byte{lenEnc<<6 | encInt8, byte(v)})
			case v >= math.MinInt16 && v <= math.MaxInt16:
				e.write([]byte{lenEnc<<6 | encInt16, byte(v), byte(v >> 8)})
			default:
				e.write([]byte{lenEnc<<6 | encInt32, byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)})
			}
			return
		}
	}
	if e.compress && len(s) > 20 {
		if c := lzfCompress(e.lzf, s, len(s)-4); c != nil {
			e.lzf = c
			e.byte1(lenEnc<<6 | encLZF)
			e.Length(uint64(len(c)))
			e.Length(uint64(len(s)))
			e.write(c)
			return
		}
	}
	e.Length(uint64(len(s)))
	e.write(s)
}

// Entry writes one key: its expiry (if any), type and value. A module
// value is written as MODULE_2 through its type's Save (see module.go); one
// whose Obj names no type (IsSavableModuleValue) is an error, and nothing
// is written. An error from a type's Save leaves the stream unusable.
func (e *Encoder) Entry(key []byte, ent *keyspace.Entry) error {
	var mt ModuleType
	var mv any
	if ent.Kind == keyspace.KindModule {
		var ok bool
		if mt, mv, ok = moduleValueOf(ent.Obj); !ok {
			return fmt.Errorf("key %q: a module value whose type is not known has no RDB encoding", key)
		}
	}
	if ent.Kind == 0 {
		return fmt.Errorf("key %q: a %s value has no RDB encoding in Modis", key, ent.Kind)
	}
	if ent.Expire != 0 {
		var b [9]byte
		b[0] = OpExpireTimeMS
		binary.LittleEndian.PutUint64(b[1:], uint64(ent.Expire))
		e.write(b[:])
	}
	switch ent.Kind {
	case keyspace.KindString:
		e.byte1(TypeString)
		e.String(key)
		e.String(ent.Str)
	case keyspace.KindList:
		e.byte1(TypeListQuicklist2)
		e.String(key)
		e.list(ent.Obj.(*types.List))
	case keyspace.KindSet:
		s := ent.Obj.(*types.Set)
		if s.IsIntset() {
			e.byte1(TypeSetIntset)
			e.String(key)
			ints := make([]int64, s.Len())
			for i := range ints {
				_, ints[i], _ = s.At(i)
			}
			e.String(EncodeIntset(ints))
			break
		}
		e.byte1(TypeSet)
		e.String(key)
		e.Length(uint64(s.Len()))
		for i := 0; i < s.Len(); i++ {
			e.scratch = s.AppendMember(e.scratch[:0], i)
			e.String(e.scratch)
		}
	case keyspace.KindZSet:
		z := ent.Obj.(*types.ZSet)
		if z.Encoding() == "listpack" {
			e.byte1(TypeZSetListpack)
			e.String(key)
			var lp listpackWriter
			z.Ascend(func(m string, sc float64) bool {
				lp.appendString(m)
				lp.appendString(formatScore(sc))
				return true
			})
			e.String(lp.finish())
			break
		}
		e.byte1(TypeZSet2)
		e.String(key)
		e.Length(uint64(z.Len()))
		// Like Redis, from the tail: loading then inserts at the head.
		z.Descend(func(m string, sc float64) bool {
			e.String([]byte(m))
			var b [8]byte
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(sc))
			e.write(b[:])
			return true
		})
	case keyspace.KindHash:
		h := ent.Hash()
		if h.Compact() {
			e.byte1(TypeHashListpack)
			e.String(key)
			var lp listpackWriter
			h.Range(func(f, v []byte) bool {
				lp.append(f)
				lp.append(v)
				return true
			})
			e.String(lp.finish())
			break
		}
		e.byte1(TypeHash)
		e.String(key)
		e.Length(uint64(h.Len()))
		h.Range(func(f, v []byte) bool {
			e.String(f)
			e.String(v)
			return true
		})
	case keyspace.KindModule:
		e.byte1(TypeModule2)
		e.String(key)
		return e.module(key, mt, mv)
	default:
		return fmt.Errorf("key %q: unknown kind %d", key, ent.Kind)
	}
	return e.err
}

// list writes a quicklist (version 2): the number of nodes, then each
// node's container and listpack.
func (e *Encoder) list(l *types.List) {
	var nodes [][]byte
	var lp listpackWriter
	l.Each(func(v []byte) bool {
		if lp.count > 0 && lp.size()+len(v)+11 > listNodeBytes {
			nodes = append(nodes, lp.finish())
			lp = listpackWriter{}
		}
		lp.append(v)
		return true
	})
	if lp.count > 0 {
		nodes = append(nodes, lp.finish())
	}
	e.Length(uint64(len(nodes)))
	for _, n := range nodes {
		e.Length(qlPacked)
		e.String(n)
	}
}

// formatScore is Redis 7.0's d2string, as a listpack stores a score.
func formatScore(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	case v == 0:
		if math.Signbit(v) {
			return "-0"
		}
		return "0"
	}
	if v > -4503599627370495 && v < 4503599627370496 && v == math.Trunc(v) {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', 17, 64)
}

// Finish writes EOF and the checksum, and flushes.
func (e *Encoder) Finish() error {
	e.byte1(OpEOF)
	var b [8]byte
	if !e.NoChecksum {
		binary.LittleEndian.PutUint64(b[:], e.crc)
	}
	if e.err == nil {
		_, e.err = e.w.Write(b[:])
	}
	if e.err == nil {
		e.err = e.w.Flush()
	}
	return e.err
}

// Flush writes what is buffered to the underlying writer.
func (e *Encoder) Flush() error {
	if e.err == nil {
		e.err = e.w.Flush()
	}
	return e.err
}

// Err returns the first write error.
func (e *Encoder) Err() error { return e.err }
