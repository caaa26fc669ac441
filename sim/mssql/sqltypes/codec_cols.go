package sqltypes

import (
	"encoding/binary"
	"fmt"
)

// A query reading a few columns of a wide table, and a restore or crash
// recovery keeping rows in their stored encoding (the engine's row
// segments, which need only the unique keys' and identity's values), decode
// just those values and walks over the others without building them (a chat
// message's text is never copied into a string), while checking every
// value exactly as ReadRow does, so a damaged row is refused the same way
// whichever of the two reads it.

// ReadRowCols decodes the row src holds (written by AppendRow) into dst,
// only the values whose need entry is true; the others are skipped
// without being built (a text column is not copied into a string) and
// left nil in dst. It is ReadRow for a query that reads a few columns of
// a wide table: a full scan of a chat history that needs a message's id
// and date does not build every message's text. A row whose value count
// is not len(dst) is an error wrapping ErrCorrupt, as is corrupt input.
func ReadRowCols(src []byte, dst []Value, need []bool) error {
	n, rest, err := readUvarint(src)
	if err != nil {
		return fmt.Errorf("sqltypes: row: %w", err)
	}
	if n != uint64(len(dst)) || n > uint64(len(rest)) {
		return corrupt(fmt.Sprintf("row of %d values, want %d", n, len(dst)))
	}
	for i := range dst {
		if i < len(need) && need[i] {
			dst[i], rest, err = ReadValue(rest)
		} else {
			dst[i] = nil
			rest, err = skipValue(rest)
		}
		if err != nil {
			return fmt.Errorf("sqltypes: row value %d: %w", i, err)
		}
	}
	return nil
}

// ReadRowPart decodes the row at src as ReadRow does, but only the values
// whose position want marks; the others are nil in the result. dst is
// reused when it is large enough. It fails exactly when ReadRow fails and
// returns the same rest.
func ReadRowPart(src []byte, want []bool, dst []Value) ([]Value, []byte, error) {
	n, rest, err := readUvarint(src)
	if err != nil {
		return nil, nil, fmt.Errorf("sqltypes: row: %w", err)
	}
	if n > maxRowValues || n > uint64(len(rest)) {
		return nil, nil, corrupt(fmt.Sprintf("row of %d values", n))
	}
	if uint64(cap(dst)) < n {
		dst = make([]Value, n)
	}
	dst = dst[:n]
	for i := range dst {
		if i < len(want) && want[i] {
			dst[i], rest, err = ReadValue(rest)
		} else {
			dst[i] = nil
			rest, err = skipValue(rest)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("sqltypes: row value %d: %w", i, err)
		}
	}
	return dst, rest, nil
}

// skipValue checks the value at src as ReadValue would decode it and
// returns the rest, without building it for the common tags.
func skipValue(src []byte) ([]byte, error) {
	if len(src) == 0 {
		return nil, corrupt("missing value")
	}
	tag, rest := src[0], src[1:]
	switch tag {
	case tagNull, tagFalse, tagTrue, tagNilBytes:
		return rest, nil
	case tagInt:
		if _, k := binary.Varint(rest); k > 0 {
			return rest[k:], nil
		}
		return nil, corrupt("bad integer")
	case tagFloat:
		if len(rest) < 8 {
			return nil, corrupt("truncated float")
		}
		return rest[8:], nil
	case tagString, tagBytes:
		_, rest, err := readBlob(rest)
		return rest, err
	case tagGUID:
		if len(rest) < 16 {
			return nil, corrupt("truncated uniqueidentifier")
		}
		return rest[16:], nil
	case tagTime:
		_, k := binary.Varint(rest)
		if k <= 0 {
			return nil, corrupt("bad time")
		}
		ns, after, err := readUvarint(rest[k:])
		if err != nil || ns >= 1e9 {
			return nil, corrupt("bad time")
		}
		return after, nil
	}
	// Rare kinds (decimal, datetimeoffset, sql_variant, and whatever
	// ReadValue refuses) go through ReadValue itself.
	_, rest, err := ReadValue(src)
	return rest, err
}
