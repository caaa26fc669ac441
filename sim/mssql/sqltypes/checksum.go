package sqltypes

import (
	"encoding/binary"
	"math"
	"time"
	"unicode"
	"unicode/utf16"
)

// The checksum functions are deterministic and sensitive to every value,
// its position and its type, but they are NOT bit-compatible with SQL
// Server: the real algorithm is undocumented. They hash, with 32-bit
// FNV-1a, each argument as (kind tag, length, canonical bytes):
//
//   - BinaryChecksum hashes the stored bytes (varchar as Windows-1252,
//     nvarchar as UTF-16LE, numbers big-endian, datetime as days+ticks).
//   - Checksum does the same but hashes strings case-folded and without
//     trailing spaces, so values equal under the CI collation agree, as
//     SQL Server's CHECKSUM does.
//
// NULL hashes as its own tag.

const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

type fnv32 uint32

func (h *fnv32) write(b []byte) {
	x := uint32(*h)
	for _, c := range b {
		x ^= uint32(c)
		x *= fnvPrime
	}
	*h = fnv32(x)
}

func (h *fnv32) byte1(c byte) { h.write([]byte{c}) }

// writeUTF16 hashes s's UTF-16LE bytes (encodeNVarChar's) without making them.
func (h *fnv32) writeUTF16(s string) {
	x := uint32(*h)
	unit := func(u uint16) {
		x ^= uint32(byte(u))
		x *= fnvPrime
		x ^= uint32(byte(u >> 8))
		x *= fnvPrime
	}
	for _, r := range s {
		if r1, r2 := utf16.EncodeRune(r); r1 != unicode.ReplacementChar || r2 != unicode.ReplacementChar {
			unit(uint16(r1))
			unit(uint16(r2))
			continue
		}
		unit(uint16(r))
	}
	*h = fnv32(x)
}

// utf16Len is the number of UTF-16 code units of s.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func checksum(vals []Value, types []Type, folded bool) int32 {
	h := fnv32(fnvOffset)
	var buf [8]byte
	for i, v := range vals {
		var t Type
		if i < len(types) {
			t = types[i]
		}
		v = normalize(v)
		if t.Kind == KindInvalid {
			t = LiteralType(v)
		}
		h.byte1(byte(i))
		if v == nil {
			h.byte1(0xFF)
			continue
		}
		h.byte1(byte(t.Kind))
		var b []byte
		switch x := v.(type) {
		case int64:
			binary.BigEndian.PutUint64(buf[:], uint64(x))
			b = buf[:]
		case bool:
			b = []byte{byte(b2i(x))}
		case float64:
			binary.BigEndian.PutUint64(buf[:], math.Float64bits(x))
			b = buf[:]
		case Decimal:
			b = append([]byte{x.Scale}, []byte(x.unscaled().String())...)
		case string:
			if folded {
				x = foldString(x)
			}
			if t.Kind.IsUnicode() {
				// The UTF-16LE bytes, hashed as they are made: a
				// checksum over gigabytes of chat text allocates nothing.
				var l [4]byte
				binary.BigEndian.PutUint32(l[:], uint32(2*utf16Len(x)))
				h.write(l[:])
				h.writeUTF16(x)
				continue
			} else {
				b = encodeVarChar(x, t)
			}
		case []byte:
			b = x
		case time.Time:
			binary.BigEndian.PutUint64(buf[:], uint64(x.UnixNano()))
			b = buf[:]
		case GUID:
			b = x[:]
		}
		var l [4]byte
		binary.BigEndian.PutUint32(l[:], uint32(len(b)))
		h.write(l[:])
		h.write(b)
	}
	return int32(h)
}

// BinaryChecksum is BINARY_CHECKSUM(v1, v2, ...): see the package's
// checksum notes. types may be shorter than vals (missing types are taken
// from the values).
func BinaryChecksum(vals []Value, types []Type) int32 { return checksum(vals, types, false) }

// Checksum is CHECKSUM(v1, v2, ...): like BinaryChecksum but insensitive to
// case and trailing spaces in strings.
func Checksum(vals []Value, types []Type) int32 { return checksum(vals, types, true) }

// ChecksumAgg is CHECKSUM_AGG: the XOR of the values, as SQL Server's, so
// it ignores order and a value present twice cancels out. Values outside
// the int range are folded (high half XOR low half) first.
func ChecksumAgg(values []int64) int32 {
	var x int32
	for _, v := range values {
		if v >= math.MinInt32 && v <= math.MaxInt32 {
			x ^= int32(v)
		} else {
			x ^= int32(uint32(v) ^ uint32(uint64(v)>>32))
		}
	}
	return x
}
