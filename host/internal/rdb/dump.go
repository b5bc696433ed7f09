package rdb

import (
	"bytes"
	"encoding/binary"
	"errors"

	"modis/host/internal/keyspace"
)

// DUMP payloads, as Redis's DUMP writes them: the value's RDB type byte and
// encoding (no key, no expiry), the RDB version as two little-endian bytes,
// and the CRC-64 of everything before it, little endian.

// ErrBadPayload is RESTORE's error for a payload whose version or checksum
// is wrong.
var ErrBadPayload = errors.New("payload version or checksum are wrong")

// DumpValue returns ent's value as a DUMP payload (compress: rdbcompression).
func DumpValue(ent *keyspace.Entry, compress bool) ([]byte, error) {
	var buf bytes.Buffer
	enc := NewEncoder(&buf, compress)
	enc.NoChecksum = true
	v := *ent
	v.Expire = 0
	if err := enc.Entry(nil, &v); err != nil {
		return nil, err
	}
	if err := enc.Flush(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	// Entry wrote the type, an empty key (its one length byte, 0), then
	// the value: drop the key.
	if len(b) < 2 || b[1] != 0 {
		return nil, errors.New("unexpected value encoding")
	}
	out := make([]byte, 0, len(b)+9)
	out = append(out, b[0])
	out = append(out, b[2:]...)
	out = binary.LittleEndian.AppendUint16(out, Version)
	return binary.LittleEndian.AppendUint64(out, CRC64(0, out)), nil
}

// CheckPayload verifies a DUMP payload's footer: a version this code reads
// (up to MaxReadVersion: Redis 7.2's payloads are version 11) and a
// matching checksum (unless skipChecksum).
func CheckPayload(p []byte, skipChecksum bool) error {
	if len(p) < 10 {
		return ErrBadPayload
	}
	footer := p[len(p)-10:]
	if binary.LittleEndian.Uint16(footer) > MaxReadVersion {
		return ErrBadPayload
	}
	if skipChecksum {
		return nil
	}
	if binary.LittleEndian.Uint64(footer[2:]) != CRC64(0, p[:len(p)-8]) {
		return ErrBadPayload
	}
	return nil
}

// RestoreValue decodes a DUMP payload checked by CheckPayload into an
// entry (without expiry). modules resolves module types (nil: Modules).
func RestoreValue(p []byte, modules *ModuleRegistry) (ent *keyspace.Entry, err error) {
	body := p[:len(p)-10]
	if len(body) < 1 {
		return nil, errors.New("empty payload")
	}
	// Give the decoder what it reads in a file: type, key (empty), value.
	b := make([]byte, 0, len(body)+1)
	b = append(b, body[0], 0)
	b = append(b, body[1:]...)
	d := &decoder{b: b, modules: modules, db: -1, ver: int(binary.LittleEndian.Uint16(p[len(p)-10:]))}
	if d.modules == nil {
		d.modules = Modules
	}
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(failure)
			if !ok {
				panic(r)
			}
			ent, err = nil, f.err
		}
	}()
	t := d.byte1("the value type")
	key := d.string("the key")
	ent = d.value(t, 0, key)
	if d.p != len(d.b) {
		d.fail(d.p, "%d unexpected bytes after the value", len(d.b)-d.p)
	}
	return ent, nil
}
