package media

import (
	"bytes"
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

	blockHeadSize  = 20
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
	dst = append(dst, 0, 0, 0, 0, 0, 0, 0, 0)
	dst = encodeFields(dst, reflect.ValueOf(v).Elem())
	binary.LittleEndian.PutUint32(dst[start+12:], uint32(len(dst)-start-blockHeadSize))
	binary.LittleEndian.PutUint32(dst[start+16:], crc32.Checksum(dst[start:start+16], castagnoli))
	return binary.LittleEndian.AppendUint32(dst, crc32.Checksum(dst[start:], castagnoli))
}

// blockError says why a block could not be read. short means the file ended
// inside it, the mark of an interrupted write rather than damage.
type blockError struct {
	short bool
	// tornEnd is where the damaged structure ends: if the file is zero from
	// some point before it to the end, a crash tore the write (0: n/a).
	tornEnd int64
	reason  string
}

func (e *blockError) Error() string { return e.reason }

// readBlock reads the block at off and decodes its fields into v. It returns
// the block's version, flags and total size.
func readBlock(r io.ReaderAt, off int64, magic string, maxVersion uint16, v any) (version, flags uint16, size int64, err error) {
	var head [blockHeadSize]byte
	if n, err := r.ReadAt(head[:], off); n < len(head) {
		if err == nil || errors.Is(err, io.EOF) {
			return 0, 0, 0, &blockError{short: true, reason: "file ends inside a block header"}
		}
		return 0, 0, 0, err
	}
	if string(head[:8]) != magic {
		return 0, 0, 0, &blockError{tornEnd: off + blockHeadSize, reason: fmt.Sprintf("expected %q, found %q", magic, sanitize(head[:8]))}
	}
	// The head has its own checksum so a damaged length is never mistaken
	// for a file that ends early.
	if crc32.Checksum(head[:16], castagnoli) != binary.LittleEndian.Uint32(head[16:]) {
		return 0, 0, 0, &blockError{tornEnd: off + blockHeadSize, reason: magic + " block header checksum mismatch"}
	}
	version = binary.LittleEndian.Uint16(head[8:])
	flags = binary.LittleEndian.Uint16(head[10:])
	n := int64(binary.LittleEndian.Uint32(head[12:]))
	if n > maxBlockBody {
		return 0, 0, 0, &blockError{tornEnd: off + blockHeadSize, reason: fmt.Sprintf("%s block length %d exceeds %d", magic, n, maxBlockBody)}
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
		return 0, 0, 0, &blockError{tornEnd: off + blockHeadSize + n + 4, reason: fmt.Sprintf("%s block checksum %08x, stored %08x", magic, got, want)}
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
		return 0, 0, &blockError{reason: "frame header checksum mismatch"}
	}
	n = int(binary.LittleEndian.Uint32(h[0:]))
	if n > maxFrameStored {
		return 0, 0, &blockError{reason: fmt.Sprintf("frame length %d exceeds %d", n, maxFrameStored)}
	}
	return n, binary.LittleEndian.Uint32(h[4:]), nil
}

// zeroRunStart returns where the run of zero bytes that ends the file
// begins (size when the last byte is not zero).
func zeroRunStart(r io.ReaderAt, size int64) int64 {
	buf := make([]byte, 64<<10)
	for end := size; end > 0; {
		start := max(0, end-int64(len(buf)))
		b := buf[:end-start]
		if m, _ := r.ReadAt(b, start); m < len(b) {
			return end
		}
		if allZero(b) {
			end = start
			continue
		}
		for i := len(b) - 1; i >= 0; i-- {
			if b[i] != 0 {
				return start + int64(i) + 1
			}
		}
		end = start
	}
	return 0
}

var zeros = make([]byte, 64<<10)

func allZero(b []byte) bool {
	for len(b) > 0 {
		n := min(len(b), len(zeros))
		if !bytes.Equal(b[:n], zeros[:n]) {
			return false
		}
		b = b[n:]
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
