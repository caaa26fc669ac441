package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"reflect"
)

const (
	magicMedia   = "PCHBKMED"
	magicSet     = "PCHBKSET"
	magicTrailer = "PCHBKEND"

	// Versions of each block. Tagged fields make additions compatible, so a
	// bump means an incompatible change and older readers refuse the block.
	mediaVersion   = 1
	setVersion     = 1
	trailerVersion = 1

	blockHeadSize  = 16
	maxBlockBody   = 4 << 20 // bounds allocation on damaged length fields
	frameHeadSize  = 12
	frameChunk     = 1 << 20 // raw bytes per frame before compression
	maxFrameStored = 2 << 20 // deflate never grows 1 MiB this much

	flagCompressed = 1 << 0
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// appendBlock appends a checksummed block holding the fields of v.
func appendBlock(dst []byte, magic string, version, flags uint16, v any) []byte {
	start := len(dst)
	dst = append(dst, magic...)
	dst = binary.LittleEndian.AppendUint16(dst, version)
	dst = binary.LittleEndian.AppendUint16(dst, flags)
	dst = append(dst, 0, 0, 0, 0)
	dst = encodeFields(dst, reflect.ValueOf(v).Elem())
	binary.LittleEndian.PutUint32(dst[start+12:], uint32(len(dst)-start-blockHeadSize))
	return binary.LittleEndian.AppendUint32(dst, crc32.Checksum(dst[start:], castagnoli))
}

// blockError says why a block could not be read. short means the file ended
// inside it, the mark of an interrupted write rather than damage.
type blockError struct {
	short  bool
	zero   bool  // the bytes present are all zero (an unwritten, preallocated tail)
	crcAt  int64 // for a checksum mismatch: where the stored checksum sits
	reason string
}

func (e *blockError) Error() string { return e.reason }

// readBlock reads the block at off and decodes its fields into v. It returns
// the block's version, flags and total size.
func readBlock(r io.ReaderAt, off int64, magic string, maxVersion uint16, v any) (version, flags uint16, size int64, err error) {
	var head [blockHeadSize]byte
	if n, err := r.ReadAt(head[:], off); n < len(head) {
		if err == nil || errors.Is(err, io.EOF) {
			return 0, 0, 0, &blockError{short: true, zero: allZero(head[:n]), reason: "file ends inside a block header"}
		}
		return 0, 0, 0, err
	}
	if string(head[:8]) != magic {
		return 0, 0, 0, &blockError{zero: allZero(head[:]), reason: fmt.Sprintf("expected %q, found %q", magic, sanitize(head[:8]))}
	}
	version = binary.LittleEndian.Uint16(head[8:])
	flags = binary.LittleEndian.Uint16(head[10:])
	n := int64(binary.LittleEndian.Uint32(head[12:]))
	if n > maxBlockBody {
		return 0, 0, 0, &blockError{reason: fmt.Sprintf("%s block length %d exceeds %d", magic, n, maxBlockBody)}
	}
	buf := make([]byte, blockHeadSize+n+4)
	copy(buf, head[:])
	if m, err := r.ReadAt(buf[blockHeadSize:], off+blockHeadSize); int64(m) < n+4 {
		if err == nil || errors.Is(err, io.EOF) {
			return 0, 0, 0, &blockError{short: true, reason: "file ends inside a " + magic + " block"}
		}
		return 0, 0, 0, err
	}
	want := binary.LittleEndian.Uint32(buf[blockHeadSize+n:])
	if got := crc32.Checksum(buf[:blockHeadSize+n], castagnoli); got != want {
		return 0, 0, 0, &blockError{crcAt: off + blockHeadSize + n, reason: fmt.Sprintf("%s block checksum %08x, stored %08x", magic, got, want)}
	}
	if version == 0 || version > maxVersion {
		return 0, 0, 0, &blockError{reason: fmt.Sprintf("%s block version %d not supported (max %d)", magic, version, maxVersion)}
	}
	if err := decodeFields(buf[blockHeadSize:blockHeadSize+n], reflect.ValueOf(v).Elem()); err != nil {
		return 0, 0, 0, &blockError{reason: magic + " block: " + err.Error()}
	}
	return version, flags, blockHeadSize + n + 4, nil
}

// putFrameHead fills a 12-byte frame header for stored bytes data.
func putFrameHead(h []byte, data []byte) {
	binary.LittleEndian.PutUint32(h[0:], uint32(len(data)))
	binary.LittleEndian.PutUint32(h[4:], crc32.Checksum(data, castagnoli))
	binary.LittleEndian.PutUint32(h[8:], crc32.Checksum(h[:8], castagnoli))
}

// parseFrameHead checks a frame header and returns its length and data CRC.
func parseFrameHead(h []byte) (n int, dataCRC uint32, err error) {
	if crc32.Checksum(h[:8], castagnoli) != binary.LittleEndian.Uint32(h[8:]) {
		return 0, 0, &blockError{zero: allZero(h), reason: "frame header checksum mismatch"}
	}
	n = int(binary.LittleEndian.Uint32(h[0:]))
	if n > maxFrameStored {
		return 0, 0, &blockError{reason: fmt.Sprintf("frame length %d exceeds %d", n, maxFrameStored)}
	}
	return n, binary.LittleEndian.Uint32(h[4:]), nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func sanitize(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '.'
		}
		out[i] = c
	}
	return string(out)
}
