package backupset

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/pchatdr/harness/sim/mssql/lsn"
)

// A log backup's payload is its records in LSN order, each framed as
// uvarint LSN, uvarint length, bytes.

// MaxRecordBytes bounds one record read from media, so a damaged length
// cannot make a restore allocate without limit (the engine's bound on one
// log operation).
const MaxRecordBytes = 256 << 20

// ErrDamaged is a malformed record in a log backup.
var ErrDamaged = errors.New("backupset: malformed log record")

// noEOF turns an EOF inside a record into io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// WriteLogRecord frames one record of a log backup.
func WriteLogRecord(w io.Writer, l lsn.LSN, payload []byte) (int, error) {
	var hdr [2 * binary.MaxVarintLen64]byte
	h := binary.AppendUvarint(hdr[:0], uint64(l))
	h = binary.AppendUvarint(h, uint64(len(payload)))
	n, err := w.Write(h)
	if err != nil {
		return n, err
	}
	m, err := w.Write(payload)
	return n + m, err
}

// ReadLogRecords reads a log backup's records, calling fn for each; a
// damaged stream is an error wrapping ErrDamaged or io.ErrUnexpectedEOF.
func ReadLogRecords(r io.Reader, fn func(l lsn.LSN, payload []byte) error) error {
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		l, err := binary.ReadUvarint(br)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("log record: %w", err)
		}
		n, err := binary.ReadUvarint(br)
		if err != nil {
			return fmt.Errorf("log record %d: %w", l, noEOF(err))
		}
		if n > MaxRecordBytes {
			return fmt.Errorf("log record %d of %d bytes: %w", l, n, ErrDamaged)
		}
		p := make([]byte, n)
		if _, err := io.ReadFull(br, p); err != nil {
			return fmt.Errorf("log record %d: %w", l, noEOF(err))
		}
		if err := fn(lsn.LSN(l), p); err != nil {
			return err
		}
	}
}
