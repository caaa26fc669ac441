package engine

import (
	"encoding/binary"

	"github.com/pchatdr/harness/sim/mssql/storage/rowseg"
)

// putSegInserts writes the view's live rows as insert operations of table
// id, their stored bytes as they are (no decoding, no encoding).
func putSegInserts(put func([]byte) error, v rowseg.View, id int) error {
	var hdr []byte
	return v.Each(func(rowID int64, row []byte) error {
		var ids [2 * binary.MaxVarintLen64]byte
		n := binary.PutUvarint(ids[:], uint64(id))
		n += binary.PutUvarint(ids[n:], uint64(rowID))
		hdr = append(hdr[:0], opInsert)
		hdr = binary.AppendUvarint(hdr, uint64(n+len(row)))
		hdr = append(hdr, ids[:n]...)
		if err := put(hdr); err != nil {
			return err
		}
		return put(row)
	})
}
