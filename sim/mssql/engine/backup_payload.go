package engine

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
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

// opReader reads operations one at a time from a stream, so a restore
// applies a state of any size without holding it whole.
type opReader struct {
	r   *bufio.Reader
	buf []byte
	// pos is how many bytes of the stream were read; bodyAt is where in
	// it the body next returned starts (a restore's rows are then found
	// in the snapshot it writes: segRefs).
	pos, bodyAt int64
}

func newOpReader(r io.Reader) *opReader { return &opReader{r: bufio.NewReaderSize(r, 1<<20)} }

// maxOpBytes bounds one operation read from media, so a damaged length can
// never make a restore allocate gigabytes.
const maxOpBytes = 256 << 20

// next returns the next operation; io.EOF at a clean end. The body is valid
// until the next call.
func (o *opReader) next() (kind byte, body []byte, err error) {
	kind, err = o.r.ReadByte()
	if err != nil {
		return 0, nil, err // io.EOF: clean end
	}
	n, err := binary.ReadUvarint(o.r)
	if err != nil {
		return 0, nil, fmt.Errorf("operation length: %w", noEOF(err))
	}
	if n > maxOpBytes {
		return 0, nil, fmt.Errorf("operation of %d bytes: %w", n, errBadOp)
	}
	o.bodyAt = o.pos + 1 + int64(uvarintLen(n))
	o.pos = o.bodyAt + int64(n)
	if n <= uint64(o.r.Size()) {
		// Most operations fit the reader's buffer: the body is read in
		// place instead of copied out (a restore reads gigabytes).
		b, err := o.r.Peek(int(n))
		if err != nil {
			return 0, nil, fmt.Errorf("operation body: %w", noEOF(err))
		}
		_, _ = o.r.Discard(len(b))
		return kind, b, nil
	}
	if cap(o.buf) < int(n) {
		o.buf = make([]byte, n)
	}
	o.buf = o.buf[:n]
	if _, err := io.ReadFull(o.r, o.buf); err != nil {
		return 0, nil, fmt.Errorf("operation body: %w", noEOF(err))
	}
	return kind, o.buf, nil
}

// uvarintLen is how many bytes binary.AppendUvarint writes for n.
func uvarintLen(n uint64) int {
	w := 1
	for ; n >= 0x80; n >>= 7 {
		w++
	}
	return w
}

func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
