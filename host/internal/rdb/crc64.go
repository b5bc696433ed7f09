package rdb

import "hash/crc64"

// Redis's crc64.c: the Jones polynomial (0xad93d23594c935a9), reflected
// input and output, initial value 0, no final xor. Go's hash/crc64 takes the
// reversed polynomial and complements before and after, which the two
// complements in Update cancel.
var jonesTable = crc64.MakeTable(0x95ac9329ac4bc9b5)

// CRC64 continues Redis's CRC-64 crc over p.
func CRC64(crc uint64, p []byte) uint64 {
	return ^crc64.Update(^crc, jonesTable, p)
}
