package engine

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/pchatdr/harness/sim/mssql/opstream"
)

// Backup set payloads. A full backup's payload is the database's committed
// state in the log's own operation format (the same bytes a snapshot
// holds), so restoring it is applying operations, exactly like crash
// recovery. A log backup's payload is its records, each framed as
// [uvarint LSN][uvarint length][operations], so a restore knows every
// record's LSN and can skip what the database already has.

// writeState streams sc's encoding (stateCopy.encode without building one
// big slice) to w and returns the bytes written.
func writeState(w io.Writer, sc *stateCopy) (int64, error) {
	return writeStateBuf(w, sc, 1<<20)
}

// writeStateBuf is writeState through a buffer of size bytes (a
// checkpoint of a small system database needs no 1 MiB buffer).
func writeStateBuf(w io.Writer, sc *stateCopy, size int) (int64, error) {
	bw := bufio.NewWriterSize(w, size)
	var n int64
	put := func(b []byte) error {
		k, err := bw.Write(b)
		n += int64(k)
		return err
	}
	if err := put(sc.master); err != nil {
		return n, err
	}
	var buf, op, body []byte
	for _, t := range sc.tables {
		if err := put(encJSON(opCreateTable, t.def)); err != nil {
			return n, err
		}
		c := binary.AppendUvarint(buf[:0], uint64(t.def.ID))
		c = binary.AppendVarint(c, t.identity)
		if t.identUsed {
			c = append(c, 1)
		} else {
			c = append(c, 0)
		}
		c = binary.AppendVarint(c, t.nextRow)
		if err := put(appendOp(nil, opCounters, c)); err != nil {
			return n, err
		}
		if err := putSegInserts(put, t.seg, t.def.ID); err != nil {
			return n, err
		}
		for _, r := range t.rows {
			op, body = appendInsert(op[:0], body, t.def.ID, r.ID, r.Vals)
			if err := put(op); err != nil {
				return n, err
			}
		}
	}
	return n, bw.Flush()
}

// opReader reads a snapshot's or a full backup's operations
// (opstream.Reader); an operation too long for the media is errBadOp's as
// every other malformed operation.
type opReader struct{ *opstream.Reader }

func newOpReader(r io.Reader) *opReader { return &opReader{opstream.NewReader(r)} }

// next returns the next operation; io.EOF at a clean end. The body is valid
// until the next call.
func (o *opReader) next() (kind byte, body []byte, err error) {
	kind, body, err = o.Next()
	if errors.Is(err, opstream.ErrTooLarge) {
		err = fmt.Errorf("%w: %w", err, errBadOp)
	}
	return kind, body, err
}
