package rdb

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"

	"modis/host/internal/keyspace"
	"modis/host/internal/types"
)

// Error is a load failure: where in the file and what is wrong.
type Error struct {
	Offset int64
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("at offset %d: %s", e.Offset, e.Msg) }

// Handler receives what Decode reads.
type Handler struct {
	// Aux receives each AUX field (optional).
	Aux func(key, val []byte)
	// Entry receives each key, its database and its value (Kind, Str or
	// Obj, Expire). The entry is new and the key a fresh copy.
	Entry func(db int, key []byte, e *keyspace.Entry) error
	// Function receives a function library's code (FUNCTION2). Without it,
	// a file holding functions is refused.
	Function func(code []byte) error
	// Modules resolves module type ids (MODULE_2 values); nil means the
	// process's registry, Modules. A value of a type not registered fails
	// the load.
	Modules *ModuleRegistry
	// SkipChecksum does not verify the CRC-64 trailer (rdbchecksum no).
	SkipChecksum bool
}

type decoder struct {
	b       []byte
	p       int
	ver     int
	modules *ModuleRegistry
	db      int // the database being read (SELECTDB), -1 for a DUMP payload
}

type failure struct{ err *Error }

func (d *decoder) fail(at int, format string, args ...any) {
	panic(failure{&Error{Offset: int64(at), Msg: fmt.Sprintf(format, args...)}})
}

func (d *decoder) need(n int, what string) {
	if n < 0 || d.p+n > len(d.b) {
		d.fail(d.p, "unexpected end of file reading %s (file truncated?)", what)
	}
}

func (d *decoder) byte1(what string) byte {
	d.need(1, what)
	d.p++
	return d.b[d.p-1]
}

func (d *decoder) bytes(n int, what string) []byte {
	d.need(n, what)
	d.p += n
	return d.b[d.p-n : d.p]
}

// length reads an RDB length; enc reports a special string encoding (the
// length is then the encoding type).
func (d *decoder) length(what string) (n uint64, enc bool) {
	c := d.byte1(what)
	switch c >> 6 {
	case len6bit:
		return uint64(c & 0x3F), false
	case len14bit:
		return uint64(c&0x3F)<<8 | uint64(d.byte1(what)), false
	case lenEnc:
		return uint64(c & 0x3F), true
	}
	switch c {
	case len32bit:
		return uint64(binary.BigEndian.Uint32(d.bytes(4, what))), false
	case len64bit:
		return binary.BigEndian.Uint64(d.bytes(8, what)), false
	}
	d.fail(d.p-1, "invalid length encoding 0x%02x in %s", c, what)
	return 0, false
}

func (d *decoder) plainLength(what string) int {
	at := d.p
	n, enc := d.length(what)
	if enc || n > uint64(len(d.b)) && n > 1<<32 {
		d.fail(at, "invalid length in %s", what)
	}
	return int(n)
}

// string reads an RDB string (raw, integer or LZF).
func (d *decoder) string(what string) []byte {
	at := d.p
	n, enc := d.length(what)
	if !enc {
		if n > uint64(len(d.b)) {
			d.fail(d.p, "unexpected end of file reading %s (a %d-byte string; file truncated?)", what, n)
		}
		return bytes.Clone(d.bytes(int(n), what))
	}
	switch n {
	case encInt8:
		return strconv.AppendInt(nil, int64(int8(d.byte1(what))), 10)
	case encInt16:
		return strconv.AppendInt(nil, int64(int16(binary.LittleEndian.Uint16(d.bytes(2, what)))), 10)
	case encInt32:
		return strconv.AppendInt(nil, int64(int32(binary.LittleEndian.Uint32(d.bytes(4, what)))), 10)
	case encLZF:
		clen := d.plainLength(what)
		ulen := d.plainLength(what)
		if ulen > 1<<32 {
			d.fail(at, "LZF string of %d bytes is too long", ulen)
		}
		out, err := lzfDecompress(d.bytes(clen, what), ulen)
		if err != nil {
			d.fail(at, "%s: %v", what, err)
		}
		return out
	}
	d.fail(at, "unknown string encoding %d in %s", n, what)
	return nil
}

// Decode reads a whole RDB file held in b and hands what it holds to h.
// It checks the checksum (unless the file's is zero, as Redis writes it
// with rdbchecksum off). A failure is an *Error.
func Decode(b []byte, h Handler) (err error) {
	d := &decoder{b: b, modules: h.Modules}
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(failure)
			if !ok {
				panic(r)
			}
			err = f.err
		}
	}()
	if len(b) < 9 {
		d.fail(len(b), "unexpected end of file reading the header (file truncated?)")
	}
	if string(b[:5]) != "REDIS" {
		d.fail(0, "wrong signature trying to load DB from file")
	}
	ver, e := strconv.Atoi(string(b[5:9]))
	if e != nil || ver < 1 || ver > MaxReadVersion {
		d.fail(5, "can't handle RDB format version %q", b[5:9])
	}
	d.ver = ver
	d.p = 9
	d.db = 0
	var expire int64
	for {
		at := d.p
		op := d.byte1("an opcode")
		switch op {
		case OpExpireTime:
			expire = int64(int32(binary.LittleEndian.Uint32(d.bytes(4, "an expire time")))) * 1000
			continue
		case OpExpireTimeMS:
			expire = int64(binary.LittleEndian.Uint64(d.bytes(8, "an expire time")))
			continue
		case OpFreq:
			d.byte1("an LFU frequency")
			continue
		case OpIdle:
			d.length("an LRU idle time")
			continue
		case OpEOF:
			if ver >= 5 {
				sumAt := d.p
				want := binary.LittleEndian.Uint64(d.bytes(8, "the checksum"))
				if want != 0 && !h.SkipChecksum {
					if got := CRC64(0, b[:sumAt]); got != want {
						d.fail(sumAt, "wrong RDB checksum: file says %016x, contents give %016x", want, got)
					}
				}
			}
			if d.p != len(b) {
				d.fail(d.p, "%d unexpected bytes after the end of the RDB", len(b)-d.p)
			}
			return nil
		case OpSelectDB:
			d.db = d.plainLength("a database number")
			continue
		case OpResizeDB:
			d.length("a database size")
			d.length("a database expires size")
			continue
		case OpAux:
			k := d.string("an AUX field name")
			v := d.string("an AUX field value")
			if h.Aux != nil {
				h.Aux(k, v)
			}
			continue
		case OpModuleAux:
			d.moduleAux(at) // module.go
			continue
		case OpFunction:
			d.fail(at, "pre-release function format (FUNCTION) not supported")
		case OpFunction2:
			code := d.string("a function library")
			if h.Function == nil {
				d.fail(at, "the file holds a function library, which Modis cannot load yet")
			}
			if err := h.Function(code); err != nil {
				d.fail(at, "function library: %v", err)
			}
			continue
		}
		key := d.string("a key")
		ent := d.value(op, at, key)
		ent.Expire = expire
		expire = 0
		if h.Entry != nil {
			if err := h.Entry(d.db, key, ent); err != nil {
				d.fail(at, "key %q: %v", key, err)
			}
		}
	}
}

// value reads a value of type t.
func (d *decoder) value(t byte, at int, key []byte) *keyspace.Entry {
	blob := func(what string) ([]byte, int) {
		p := d.p
		return d.string(what), p
	}
	bad := func(p int, what string, err error) {
		d.fail(p, "key %q: invalid %s: %v", key, what, err)
	}
	switch t {
	case TypeString:
		return &keyspace.Entry{Kind: keyspace.KindString, Str: d.string("a string value")}
	case TypeList:
		n := d.plainLength("a list length")
		l := types.NewList()
		for i := 0; i < n; i++ {
			l.PushBack(d.string("a list element"))
		}
		return d.nonEmpty(at, key, &keyspace.Entry{Kind: keyspace.KindList, Obj: l}, l.Len())
	case TypeListZiplist:
		b, p := blob("a ziplist")
		elems, err := decodeZiplist(b)
		if err != nil {
			bad(p, "ziplist", err)
		}
		l := types.NewList()
		for _, v := range elems {
			l.PushBack(v)
		}
		return d.nonEmpty(at, key, &keyspace.Entry{Kind: keyspace.KindList, Obj: l}, l.Len())
	case TypeListQuicklist, TypeListQuicklist2:
		n := d.plainLength("a quicklist length")
		l := types.NewList()
		for i := 0; i < n; i++ {
			container := uint64(qlPacked)
			if t == TypeListQuicklist2 {
				container, _ = d.length("a quicklist container")
			}
			b, p := blob("a quicklist node")
			switch {
			case container == qlPlain:
				l.PushBack(b)
				continue
			case container != qlPacked:
				d.fail(p, "key %q: quicklist node with unknown container %d", key, container)
			}
			var elems [][]byte
			var err error
			if t == TypeListQuicklist2 {
				elems, err = decodeListpack(b)
			} else {
				elems, err = decodeZiplist(b)
			}
			if err != nil {
				bad(p, "quicklist node", err)
			}
			for _, v := range elems {
				l.PushBack(v)
			}
		}
		return d.nonEmpty(at, key, &keyspace.Entry{Kind: keyspace.KindList, Obj: l}, l.Len())
	case TypeSet:
		n := d.plainLength("a set length")
		s := types.NewSet()
		for i := 0; i < n; i++ {
			p := d.p
			if !s.Add(d.string("a set member")) {
				d.fail(p, "key %q: duplicate set member", key)
			}
		}
		return d.nonEmpty(at, key, &keyspace.Entry{Kind: keyspace.KindSet, Obj: s}, s.Len())
	case TypeSetIntset:
		b, p := blob("an intset")
		vals, err := decodeIntset(b)
		if err != nil {
			bad(p, "intset", err)
		}
		s := types.NewSet()
		for _, v := range vals {
			s.AddInt(v)
		}
		return d.nonEmpty(at, key, &keyspace.Entry{Kind: keyspace.KindSet, Obj: s}, s.Len())
	case TypeSetListpack: // Redis 7.2: a listpack of the members
		b, p := blob("a set listpack")
		elems, err := decodeListpack(b)
		if err != nil {
			bad(p, "set listpack", err)
		}
		s := types.NewSet()
		for _, m := range elems {
			if !s.Add(m) {
				d.fail(p, "key %q: duplicate set member", key)
			}
		}
		return d.nonEmpty(at, key, &keyspace.Entry{Kind: keyspace.KindSet, Obj: s}, s.Len())
	case TypeZSet, TypeZSet2:
		n := d.plainLength("a sorted set length")
		ents := make([]types.ZEntry, 0, min(n, 1<<16))
		seen := make(map[string]bool, min(n, 1<<16))
		for i := 0; i < n; i++ {
			p := d.p
			m := string(d.string("a sorted set member"))
			var sc float64
			if t == TypeZSet2 {
				sc = math.Float64frombits(binary.LittleEndian.Uint64(d.bytes(8, "a score")))
			} else {
				sc = d.oldScore()
			}
			if sc != sc {
				d.fail(p, "key %q: NaN score", key)
			}
			if seen[m] {
				d.fail(p, "key %q: duplicate sorted set member", key)
			}
			seen[m] = true
			ents = append(ents, types.ZEntry{Member: m, Score: sc})
		}
		z := types.NewZSetFrom(ents)
		return d.nonEmpty(at, key, &keyspace.Entry{Kind: keyspace.KindZSet, Obj: z}, z.Len())
	case TypeZSetZiplist, TypeZSetListpack:
		b, p := blob("a sorted set listpack")
		var elems [][]byte
		var err error
		if t == TypeZSetListpack {
			elems, err = decodeListpack(b)
		} else {
			elems, err = decodeZiplist(b)
		}
		if err == nil && len(elems)%2 != 0 {
			err = fmt.Errorf("odd number of elements (%d)", len(elems))
		}
		if err != nil {
			bad(p, "sorted set listpack", err)
		}
		ents := make([]types.ZEntry, 0, len(elems)/2)
		seen := make(map[string]bool, len(elems)/2)
		for i := 0; i < len(elems); i += 2 {
			sc, err := strconv.ParseFloat(string(elems[i+1]), 64)
			if err != nil && !isRangeErr(err) || sc != sc {
				d.fail(p, "key %q: invalid score %q", key, elems[i+1])
			}
			m := string(elems[i])
			if seen[m] {
				d.fail(p, "key %q: duplicate sorted set member", key)
			}
			seen[m] = true
			ents = append(ents, types.ZEntry{Member: m, Score: sc})
		}
		z := types.NewZSetFrom(ents)
		return d.nonEmpty(at, key, &keyspace.Entry{Kind: keyspace.KindZSet, Obj: z}, z.Len())
	case TypeHash:
		n := d.plainLength("a hash length")
		h := types.NewHash()
		for i := 0; i < n; i++ {
			p := d.p
			f := d.string("a hash field")
			v := d.string("a hash value")
			if !h.Set(f, v) {
				d.fail(p, "key %q: duplicate hash field", key)
			}
		}
		return d.nonEmpty(at, key, &keyspace.Entry{Kind: keyspace.KindHash, Obj: h}, h.Len())
	case TypeHashZipmap, TypeHashZiplist, TypeHashListpack:
		b, p := blob("a hash listpack")
		var elems [][]byte
		var err error
		switch t {
		case TypeHashListpack:
			elems, err = decodeListpack(b)
		case TypeHashZiplist:
			elems, err = decodeZiplist(b)
		default:
			elems, err = decodeZipmap(b)
		}
		if err == nil && len(elems)%2 != 0 {
			err = fmt.Errorf("odd number of elements (%d)", len(elems))
		}
		if err != nil {
			bad(p, "hash encoding", err)
		}
		h := types.NewHash()
		for i := 0; i < len(elems); i += 2 {
			if !h.Set(elems[i], elems[i+1]) {
				d.fail(p, "key %q: duplicate hash field", key)
			}
		}
		return d.nonEmpty(at, key, &keyspace.Entry{Kind: keyspace.KindHash, Obj: h}, h.Len())
	case TypeStreamListpacks, TypeStreamListpacks2, TypeStreamListpacks3:
		d.fail(at, "key %q is a stream, which Modis does not support", key)
	case TypeModule, TypeModule2:
		return d.module(t, at, key)
	}
	d.fail(at, "unknown value type %d", t)
	return nil
}

func (d *decoder) nonEmpty(at int, key []byte, e *keyspace.Entry, n int) *keyspace.Entry {
	if n == 0 {
		d.fail(at, "key %q: empty %s", key, e.Kind)
	}
	return e
}

// oldScore reads a score of the old ZSET type: a length byte (253 NaN, 254
// +inf, 255 -inf) then that many ASCII bytes.
func (d *decoder) oldScore() float64 {
	at := d.p
	n := d.byte1("a score")
	switch n {
	case 253:
		return math.NaN()
	case 254:
		return math.Inf(1)
	case 255:
		return math.Inf(-1)
	}
	s := d.bytes(int(n), "a score")
	v, err := strconv.ParseFloat(string(s), 64)
	if err != nil && !isRangeErr(err) {
		d.fail(at, "invalid score %q", s)
	}
	return v
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}
