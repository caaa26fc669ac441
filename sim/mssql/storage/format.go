package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// LSN is a log sequence number: monotone, starting at 1, one per record.
type LSN uint64

// MaxPayloadBytes bounds one record so a corrupt length field can never make
// recovery allocate gigabytes.
const MaxPayloadBytes = 64 << 20

// Record layout (little endian), 20-byte header then the payload:
//
//	0  uint32 payload length
//	4  uint64 LSN
//	12 uint8  kind
//	13 uint24 group offset: records between the first record of the write
//	          this record was part of and this one (saturates at maxGroupOff)
//	16 uint32 CRC32C over bytes 0..15 and the payload
//
// The group offset lets recovery tell a torn last write from damage in the
// middle: the writer overwrites preallocated zeros, and the page cache may
// put a write's pages on disk in any order, so a crash during the last
// write can leave a hole followed by good records of that same write. A good
// record of a later write after a bad one, however, proves the bad one had
// been made durable (and acknowledged) before. Logs written before the field
// existed hold zero there, which makes every record its own group: the
// strictest reading.
const recHeaderSize = 20

// maxGroupOff is the largest group offset a header can hold; recovery reads
// it as "the group started at least this far back".
const maxGroupOff = 1<<24 - 1

// recKind tells recovery which records are committed. A batch is written as
// members followed by one commit record in the same write; a crash that keeps
// only some of it leaves members without their commit, which recovery cuts, so
// a batch replays all or nothing.
type recKind uint8

const (
	kindSingle recKind = 1 // commits itself
	kindMember recKind = 2 // batch member, committed by the next commit record
	kindCommit recKind = 3 // last record of a batch: commits it and its members
)

// Segment header (32 bytes): magic, version, reserved, first LSN, reserved, CRC32C of bytes 0..27.
//
// Version 2 records carry their position within their write in header
// bytes 13-15 (groupOff), which version 1 wrote as zeros. A version-1
// segment is therefore a valid version-2 segment whose records each began
// a write, and is read as one; Open upgrades the header of a version-1
// tail before appending to it, so a version-1 reader meets a version it
// names instead of header bytes it cannot explain.
const (
	segHeaderSize = 32
	segVersion    = 2
	segMagic      = "PCHWAL\x00\x01"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrCorrupt marks damage that recovery must not paper over: a bad record
// followed by good ones, a bad record in a sealed segment, a missing segment,
// a snapshot whose checksum fails.
var ErrCorrupt = errors.New("storage: corrupt")

// ErrClosed is returned by every operation on a closed Log.
var ErrClosed = errors.New("storage: log is closed")

// ErrPruned is returned by Replay when the records asked for were deleted
// after a snapshot covered them.
var ErrPruned = errors.New("storage: records were removed after a snapshot")

// CorruptionError names where the damage is. errors.Is(err, ErrCorrupt) holds.
type CorruptionError struct {
	File   string
	Offset int64
	Reason string
}

func (e *CorruptionError) Error() string {
	return fmt.Sprintf("storage: corrupt log %s at offset %d: %s", e.File, e.Offset, e.Reason)
}

func (e *CorruptionError) Unwrap() error { return ErrCorrupt }

func appendRecord(dst []byte, lsn LSN, kind recKind, payload []byte) []byte {
	return appendGroupRecord(dst, lsn, kind, 0, payload)
}

// appendGroupRecord encodes a record that is groupOff records after the
// first record of its write (see the layout above).
func appendGroupRecord(dst []byte, lsn LSN, kind recKind, groupOff uint64, payload []byte) []byte {
	var h [recHeaderSize]byte
	binary.LittleEndian.PutUint32(h[0:], uint32(len(payload)))
	binary.LittleEndian.PutUint64(h[4:], uint64(lsn))
	h[12] = byte(kind)
	groupOff = min(groupOff, maxGroupOff)
	h[13], h[14], h[15] = byte(groupOff), byte(groupOff>>8), byte(groupOff>>16)
	crc := crc32.Update(0, castagnoli, h[:16])
	crc = crc32.Update(crc, castagnoli, payload)
	binary.LittleEndian.PutUint32(h[16:], crc)
	dst = append(dst, h[:]...)
	return append(dst, payload...)
}

// recHeader is a decoded header whose fields passed the cheap checks.
type recHeader struct {
	length   int
	lsn      LSN
	kind     recKind
	groupOff uint64
	crc      uint32
}

// groupStart is the lowest LSN the record's write can have started at.
func (r recHeader) groupStart() LSN {
	if uint64(r.lsn) <= r.groupOff {
		return 0
	}
	return r.lsn - LSN(r.groupOff)
}

// parseHeader checks everything that can be checked without the payload.
func parseHeader(h []byte) (recHeader, string) {
	r := recHeader{
		length:   int(binary.LittleEndian.Uint32(h[0:])),
		lsn:      LSN(binary.LittleEndian.Uint64(h[4:])),
		kind:     recKind(h[12]),
		groupOff: uint64(h[13]) | uint64(h[14])<<8 | uint64(h[15])<<16,
		crc:      binary.LittleEndian.Uint32(h[16:]),
	}
	switch {
	case r.kind < kindSingle || r.kind > kindCommit:
		return r, fmt.Sprintf("unknown record kind %d", r.kind)
	case r.groupOff >= uint64(r.lsn):
		return r, fmt.Sprintf("group offset %d reaches before LSN 1", r.groupOff)
	case r.length > MaxPayloadBytes:
		return r, fmt.Sprintf("payload length %d exceeds %d", r.length, MaxPayloadBytes)
	}
	return r, ""
}

func recordCRC(h, payload []byte) uint32 {
	crc := crc32.Update(0, castagnoli, h[:16])
	return crc32.Update(crc, castagnoli, payload)
}

// decodeRecord parses the record at the start of b. want is the LSN the
// record must carry (0: any). reason is empty when the record is good.
func decodeRecord(b []byte, want LSN) (h recHeader, payload []byte, reason string) {
	if len(b) < recHeaderSize {
		return h, nil, fmt.Sprintf("short record header (%d of %d bytes)", len(b), recHeaderSize)
	}
	h, reason = parseHeader(b[:recHeaderSize])
	if reason != "" {
		return h, nil, reason
	}
	if want != 0 && h.lsn != want {
		return h, nil, fmt.Sprintf("record has LSN %d, want %d", h.lsn, want)
	}
	if len(b)-recHeaderSize < h.length {
		return h, nil, fmt.Sprintf("short payload (%d of %d bytes)", len(b)-recHeaderSize, h.length)
	}
	payload = b[recHeaderSize : recHeaderSize+h.length]
	if recordCRC(b, payload) != h.crc {
		return h, nil, "checksum mismatch"
	}
	return h, payload, ""
}

func encodeSegHeader(first LSN) []byte {
	b := make([]byte, segHeaderSize)
	copy(b, segMagic)
	binary.LittleEndian.PutUint32(b[8:], segVersion)
	binary.LittleEndian.PutUint64(b[16:], uint64(first))
	binary.LittleEndian.PutUint32(b[28:], crc32.Checksum(b[:28], castagnoli))
	return b
}

func decodeSegHeader(b []byte) (LSN, string) {
	if len(b) < segHeaderSize {
		return 0, fmt.Sprintf("short segment header (%d of %d bytes)", len(b), segHeaderSize)
	}
	if string(b[:8]) != segMagic {
		return 0, "not a log segment (bad magic)"
	}
	if crc32.Checksum(b[:28], castagnoli) != binary.LittleEndian.Uint32(b[28:]) {
		return 0, "segment header checksum mismatch"
	}
	if v := segHeaderVersion(b); v != 1 && v != segVersion {
		return 0, fmt.Sprintf("unsupported segment version %d (this build reads 1 and %d)", v, segVersion)
	}
	return LSN(binary.LittleEndian.Uint64(b[16:])), ""
}

// segHeaderVersion is the version field of a segment header.
func segHeaderVersion(b []byte) uint32 { return binary.LittleEndian.Uint32(b[8:]) }
