package sqltypes

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"time"
)

// The row codec is the simulator's storage format (log records, snapshots,
// backup media). It is a tag byte per value followed by a payload; varints
// keep small integers and short strings small. It round-trips every dynamic
// type exactly: float64 by its bits (NaN included), time.Time to the
// nanosecond (decoded in UTC, SQL Server's values having no zone), Decimal
// with its scale, []byte with nil and empty kept apart.
//
// Tags are part of the on-disk format: never renumber them.
const (
	tagNull     = 0
	tagInt      = 1
	tagFalse    = 2
	tagTrue     = 3
	tagFloat    = 4
	tagString   = 5
	tagBytes    = 6
	tagTime     = 7
	tagDecimal  = 8
	tagGUID     = 9
	tagNilBytes = 10
	// tagTimeOffset is a time with a non-UTC fixed zone (datetimeoffset):
	// the instant as tagTime, then the offset in seconds.
	tagTimeOffset = 11
	// tagVariant is a sql_variant: its base type (kind, length,
	// precision, scale, collation), then its value.
	tagVariant = 12
)

// ErrCorrupt is wrapped by every decoding error.
var ErrCorrupt = errors.New("corrupt value encoding")

// maxRowValues bounds a row's value count so corrupt input cannot make
// ReadRow allocate without limit (SQL Server allows 4096 columns).
const maxRowValues = 1 << 16

// AppendValue appends v's encoding to dst. A value of a type outside the
// package's dynamic types is encoded via normalize (int, int32, float32...);
// anything still unknown panics, as it is a programming error.
func AppendValue(dst []byte, v Value) []byte {
	switch x := normalize(v).(type) {
	case nil:
		return append(dst, tagNull)
	case int64:
		return binary.AppendVarint(append(dst, tagInt), x)
	case bool:
		if x {
			return append(dst, tagTrue)
		}
		return append(dst, tagFalse)
	case float64:
		return binary.BigEndian.AppendUint64(append(dst, tagFloat), math.Float64bits(x))
	case string:
		dst = binary.AppendUvarint(append(dst, tagString), uint64(len(x)))
		return append(dst, x...)
	case []byte:
		if x == nil {
			return append(dst, tagNilBytes)
		}
		dst = binary.AppendUvarint(append(dst, tagBytes), uint64(len(x)))
		return append(dst, x...)
	case time.Time:
		tag := byte(tagTime)
		_, off := x.Zone()
		if x.Location() != time.UTC {
			tag = tagTimeOffset
		}
		dst = binary.AppendVarint(append(dst, tag), x.Unix())
		dst = binary.AppendUvarint(dst, uint64(x.Nanosecond()))
		if tag == tagTimeOffset {
			dst = binary.AppendVarint(dst, int64(off))
		}
		return dst
	case Decimal:
		u := x.unscaled()
		dst = append(dst, tagDecimal, x.Scale, byte(u.Sign()+1))
		mag := u.Bytes()
		dst = binary.AppendUvarint(dst, uint64(len(mag)))
		return append(dst, mag...)
	case GUID:
		return append(append(dst, tagGUID), x[:]...)
	case Variant:
		return appendVariant(append(dst, tagVariant), x)
	}
	panic(fmt.Sprintf("sqltypes: cannot encode %T", v))
}

func corrupt(what string) error { return fmt.Errorf("sqltypes: %s: %w", what, ErrCorrupt) }

func readUvarint(src []byte) (uint64, []byte, error) {
	n, k := binary.Uvarint(src)
	if k <= 0 {
		return 0, nil, corrupt("bad length")
	}
	return n, src[k:], nil
}

func readBlob(src []byte) ([]byte, []byte, error) {
	n, rest, err := readUvarint(src)
	if err != nil {
		return nil, nil, err
	}
	if n > uint64(len(rest)) {
		return nil, nil, corrupt("truncated payload")
	}
	return rest[:n], rest[n:], nil
}

// ReadValue decodes one value from src and returns the rest. Corrupt or
// truncated input is an error wrapping ErrCorrupt, never a panic.
func ReadValue(src []byte) (Value, []byte, error) {
	if len(src) == 0 {
		return nil, nil, corrupt("missing value")
	}
	tag, src := src[0], src[1:]
	switch tag {
	case tagNull:
		return nil, src, nil
	case tagInt:
		x, k := binary.Varint(src)
		if k <= 0 {
			return nil, nil, corrupt("bad integer")
		}
		return x, src[k:], nil
	case tagFalse:
		return false, src, nil
	case tagTrue:
		return true, src, nil
	case tagFloat:
		if len(src) < 8 {
			return nil, nil, corrupt("truncated float")
		}
		return math.Float64frombits(binary.BigEndian.Uint64(src)), src[8:], nil
	case tagString:
		b, rest, err := readBlob(src)
		if err != nil {
			return nil, nil, err
		}
		return string(b), rest, nil
	case tagBytes:
		b, rest, err := readBlob(src)
		if err != nil {
			return nil, nil, err
		}
		return append(make([]byte, 0, len(b)), b...), rest, nil
	case tagNilBytes:
		return []byte(nil), src, nil
	case tagTime, tagTimeOffset:
		sec, k := binary.Varint(src)
		if k <= 0 {
			return nil, nil, corrupt("bad time")
		}
		ns, rest, err := readUvarint(src[k:])
		if err != nil || ns >= 1e9 {
			return nil, nil, corrupt("bad time")
		}
		t := time.Unix(sec, int64(ns)).UTC()
		if tag == tagTimeOffset {
			off, k := binary.Varint(rest)
			if k <= 0 || off < -14*3600 || off > 14*3600 {
				return nil, nil, corrupt("bad time offset")
			}
			t, rest = t.In(OffsetZone(int(off/60))), rest[k:]
		}
		return t, rest, nil
	case tagDecimal:
		if len(src) < 2 {
			return nil, nil, corrupt("truncated decimal")
		}
		scale, sign := src[0], src[1]
		if sign > 2 {
			return nil, nil, corrupt("bad decimal sign")
		}
		mag, rest, err := readBlob(src[2:])
		if err != nil {
			return nil, nil, err
		}
		u := new(big.Int).SetBytes(mag)
		if (sign == 1) != (u.Sign() == 0) {
			return nil, nil, corrupt("bad decimal sign")
		}
		if sign == 0 {
			u.Neg(u)
		}
		return Decimal{Unscaled: u, Scale: scale}, rest, nil
	case tagVariant:
		return readVariant(src)
	case tagGUID:
		if len(src) < 16 {
			return nil, nil, corrupt("truncated uniqueidentifier")
		}
		var g GUID
		copy(g[:], src)
		return g, src[16:], nil
	}
	return nil, nil, corrupt(fmt.Sprintf("unknown tag %d", tag))
}

// AppendRow appends a row: its value count, then each value.
func AppendRow(dst []byte, row []Value) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(row)))
	for _, v := range row {
		dst = AppendValue(dst, v)
	}
	return dst
}

// ReadRow decodes one row written by AppendRow and returns the rest.
func ReadRow(src []byte) ([]Value, []byte, error) {
	n, rest, err := readUvarint(src)
	if err != nil {
		return nil, nil, fmt.Errorf("sqltypes: row: %w", err)
	}
	// every value takes at least one byte
	if n > maxRowValues || n > uint64(len(rest)) {
		return nil, nil, corrupt(fmt.Sprintf("row of %d values", n))
	}
	row := make([]Value, n)
	for i := range row {
		row[i], rest, err = ReadValue(rest)
		if err != nil {
			return nil, nil, fmt.Errorf("sqltypes: row value %d: %w", i, err)
		}
	}
	return row, rest, nil
}
