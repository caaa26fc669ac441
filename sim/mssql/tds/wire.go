// Package tds is the server side of the TDS 7.4 wire protocol (MS-TDS) for
// the embedded SQL Server simulator: packet framing, PRELOGIN, LOGIN7, the
// token stream a server sends and the requests a client sends (SQL batch,
// RPC, transaction manager, attention).
//
// It knows no SQL. The glue layer in sim/mssql plugs a Handler into Serve
// and translates between engine values and the wire values described here.
// Everything a client sends is untrusted: decoders return errors (wrapping
// ErrMalformed) and never panic, so one bad client cannot take the process
// down.
package tds

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrMalformed is wrapped by every decoding error caused by bytes the peer
// sent, so callers can tell a protocol violation from an I/O failure.
var ErrMalformed = errors.New("malformed tds data")

// reader is a bounds-checked cursor over a message payload. The first
// shortage or bad value sets a sticky error; later calls return zero values.
// That keeps decoders linear (no error check after every field) while
// guaranteeing no out-of-range slice ever happens.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
	}
}

func (r *reader) remaining() int { return len(r.b) - r.off }

func (r *reader) need(n int, what string) bool {
	if r.err != nil {
		return false
	}
	if n < 0 || r.remaining() < n {
		r.fail("%s: need %d bytes at offset %d, only %d left", what, n, r.off, r.remaining())
		return false
	}
	return true
}

func (r *reader) u8(what string) byte {
	if !r.need(1, what) {
		return 0
	}
	v := r.b[r.off]
	r.off++
	return v
}

func (r *reader) u16(what string) uint16 {
	if !r.need(2, what) {
		return 0
	}
	v := binary.LittleEndian.Uint16(r.b[r.off:])
	r.off += 2
	return v
}

func (r *reader) u32(what string) uint32 {
	if !r.need(4, what) {
		return 0
	}
	v := binary.LittleEndian.Uint32(r.b[r.off:])
	r.off += 4
	return v
}

func (r *reader) u64(what string) uint64 {
	if !r.need(8, what) {
		return 0
	}
	v := binary.LittleEndian.Uint64(r.b[r.off:])
	r.off += 8
	return v
}

// bytes returns the next n bytes without copying; callers copy what they keep.
func (r *reader) bytes(n int, what string) []byte {
	if !r.need(n, what) {
		return nil
	}
	v := r.b[r.off : r.off+n]
	r.off += n
	return v
}

// bVarChar reads a B_VARCHAR: a character count byte then UTF-16LE.
func (r *reader) bVarChar(what string) string {
	n := int(r.u8(what))
	return decodeUTF16(r.bytes(2*n, what))
}

// appendUTF16 appends s as UTF-16LE. Invalid UTF-8 becomes U+FFFD, as the
// Go string conversion rules do.
func appendUTF16(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			b = append(b, c, 0)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			b = append(b, byte(r1), byte(r1>>8), byte(r2), byte(r2>>8))
			continue
		}
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}

// utf16Len is the number of UTF-16 code units appendUTF16 would write.
func utf16Len(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// decodeUTF16 decodes UTF-16LE; an odd trailing byte and unpaired
// surrogates become U+FFFD rather than an error, as SQL Server stores
// whatever code units it is given.
func decodeUTF16(b []byte) string {
	ascii := true
	for i := 0; i+1 < len(b); i += 2 {
		if b[i] >= utf8.RuneSelf || b[i+1] != 0 {
			ascii = false
			break
		}
	}
	if ascii && len(b)%2 == 0 {
		out := make([]byte, len(b)/2)
		for i := range out {
			out[i] = b[2*i]
		}
		return string(out)
	}
	out := make([]byte, 0, len(b))
	for i := 0; i+1 < len(b); i += 2 {
		u := rune(binary.LittleEndian.Uint16(b[i:]))
		if utf16.IsSurrogate(u) {
			if i+3 < len(b) {
				u2 := rune(binary.LittleEndian.Uint16(b[i+2:]))
				if dec := utf16.DecodeRune(u, u2); dec != utf8.RuneError {
					out = utf8.AppendRune(out, dec)
					i += 2
					continue
				}
			}
			u = utf8.RuneError
		}
		out = utf8.AppendRune(out, u)
	}
	if len(b)%2 == 1 {
		out = utf8.AppendRune(out, utf8.RuneError)
	}
	return string(out)
}

func appendU16(b []byte, v uint16) []byte { return binary.LittleEndian.AppendUint16(b, v) }
func appendU32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }
func appendU64(b []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(b, v) }

// appendBVarChar appends a B_VARCHAR; names longer than 255 UTF-16 units
// cannot be represented and are an error rather than a silently cut name.
func appendBVarChar(b []byte, s, what string) ([]byte, error) {
	n := utf16Len(s)
	if n > 255 {
		return b, fmt.Errorf("tds: %s is %d characters, B_VARCHAR holds at most 255", what, n)
	}
	b = append(b, byte(n))
	return appendUTF16(b, s), nil
}

// appendUSVarChar appends a US_VARCHAR (at most 65535 UTF-16 units).
func appendUSVarChar(b []byte, s, what string) ([]byte, error) {
	n := utf16Len(s)
	if n > 0xFFFF {
		return b, fmt.Errorf("tds: %s is %d characters, US_VARCHAR holds at most 65535", what, n)
	}
	b = appendU16(b, uint16(n))
	return appendUTF16(b, s), nil
}
