package sqltypes

import "fmt"

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

// skipValue steps over one value without building it when its payload
// is a length-prefixed blob (text, binary, decimal): the values worth
// skipping. The others are small and decoded to be checked, as ReadValue
// checks them.
func skipValue(src []byte) ([]byte, error) {
	if len(src) == 0 {
		return nil, corrupt("missing value")
	}
	switch src[0] {
	case tagString, tagBytes:
		_, rest, err := readBlob(src[1:])
		return rest, err
	}
	_, rest, err := ReadValue(src)
	return rest, err
}
