package host

// DEBUG DIGEST and DEBUG DIGEST-VALUE: Redis 7.0's dataset digest
// (computeDatasetDigest, xorObjectDigest in debug.c), byte for byte, so
// the same dataset digests the same in Redis and in Modis. Module values
// digest through their type's Digest callback (sdk.Digest), as Redis's
// moduleType digest does.

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"strconv"

	"modis/host/internal/keyspace"
	"modis/host/internal/types"
)

// Redis's object type numbers (OBJ_STRING ... OBJ_MODULE), mixed into
// each value's digest.
var objTypeNumber = map[keyspace.Kind]uint32{
	keyspace.KindString: 0, keyspace.KindList: 1, keyspace.KindSet: 2,
	keyspace.KindZSet: 3, keyspace.KindHash: 4, keyspace.KindModule: 5,
}

// debugDigest is DEBUG DIGEST: the digest of every database, 40 zeros for
// an empty dataset.
func debugDigest(c *Client) error {
	var final [20]byte
	for _, db := range c.srv.dbs {
		if db.Len() == 0 {
			continue
		}
		var aux [4]byte
		binary.BigEndian.PutUint32(aux[:], uint32(db.ID))
		mixDigest(&final, aux[:])
		db.Scan(0, db.Len(), func(e *keyspace.Entry) {
			var d [20]byte
			key := []byte(e.Key())
			mixDigest(&d, key)
			c.srv.xorObjectDigest(db, key, e, &d)
			xorDigest(&final, d[:])
		})
	}
	c.out.SimpleString(hex.EncodeToString(final[:]))
	return nil
}

// debugDigestValue is DEBUG DIGEST-VALUE key...: each key's value digest
// (without the key name), 40 zeros for a missing key. Like Redis it
// looks keys up without expiring them.
func debugDigestValue(c *Client, keys [][]byte) error {
	c.out.Array(len(keys))
	for _, k := range keys {
		var d [20]byte
		if e := c.db.RawLookup(k); e != nil {
			c.srv.xorObjectDigest(c.db, k, e, &d)
		}
		c.out.SimpleString(hex.EncodeToString(d[:]))
	}
	return nil
}

// xorObjectDigest mixes e's value into digest as Redis's xorObjectDigest.
func (s *Server) xorObjectDigest(db *keyspace.DB, key []byte, e *keyspace.Entry, digest *[20]byte) {
	var aux [4]byte
	binary.BigEndian.PutUint32(aux[:], objTypeNumber[e.Kind])
	mixDigest(digest, aux[:])
	switch e.Kind {
	case keyspace.KindString:
		mixDigest(digest, e.Str)
	case keyspace.KindList:
		e.Obj.(*types.List).Each(func(v []byte) bool {
			mixDigest(digest, v)
			return true
		})
	case keyspace.KindSet:
		st := e.Obj.(*types.Set)
		var buf []byte
		for i := 0; i < st.Len(); i++ {
			buf = st.AppendMember(buf[:0], i)
			xorDigest(digest, buf)
		}
	case keyspace.KindZSet:
		var buf []byte
		e.Obj.(*types.ZSet).Ascend(func(m string, score float64) bool {
			var ed [20]byte
			mixDigest(&ed, []byte(m))
			buf = appendScoreG17(buf[:0], score)
			mixDigest(&ed, buf)
			xorDigest(digest, ed[:])
			return true
		})
	case keyspace.KindHash:
		e.Hash().Range(func(f, v []byte) bool {
			var ed [20]byte
			mixDigest(&ed, f)
			mixDigest(&ed, v)
			xorDigest(digest, ed[:])
			return true
		})
	case keyspace.KindModule:
		if w := moduleValueOf(e); w != nil && w.t.m.Digest != nil {
			md := &modDigest{key: key, db: db.ID}
			if w.t.guard("Digest", key, true, func() { w.t.m.Digest(md, w.v) }) == nil {
				xorDigest(digest, md.x[:])
			}
		}
	}
	if e.Expire != 0 {
		xorDigest(digest, []byte("!!expire!!"))
	}
}

// appendScoreG17 is C's "%.17g" of a score, as Redis 7.0's digest prints
// sorted set scores.
func appendScoreG17(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		return append(dst, "nan"...)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}
