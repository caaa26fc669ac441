// Package opstream reads the stream of log operations a database's state
// is kept in (a snapshot, a full backup's payload: each operation
// [kind byte][uvarint length][body], the engine's log format) the way a
// restore and a recovery read it: one operation at a time, bounded, in
// place in the read buffer, knowing where in the stream each body lies;
// and ahead of the decoding while a restore copies the stream to the new
// snapshot (TeeAhead). What the operations mean is the engine's.
package opstream

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Reader reads operations one at a time from a stream, so a restore
// applies a state of any size without holding it whole.
type Reader struct {
	r   *bufio.Reader
	buf []byte
	// pos is how many bytes of the stream were read; bodyAt is where in
	// it the body Next returned last starts.
	pos, bodyAt int64
}

// NewReader reads the operations of r through a buffer of 1 MiB.
func NewReader(r io.Reader) *Reader { return &Reader{r: bufio.NewReaderSize(r, 1<<20)} }

// MaxOpBytes bounds one operation read from media, so a damaged length can
// never make a restore allocate gigabytes.
const MaxOpBytes = 256 << 20

// ErrTooLarge is an operation whose length is over MaxOpBytes: damage.
var ErrTooLarge = errors.New("opstream: operation too large")

// BodyAt is where in the stream the body Next returned last starts (a
// restore's rows are then found in the snapshot it writes at that
// offset).
func (o *Reader) BodyAt() int64 { return o.bodyAt }

// Next returns the next operation; io.EOF at a clean end. The body is valid
// until the next call.
func (o *Reader) Next() (kind byte, body []byte, err error) {
	kind, err = o.r.ReadByte()
	if err != nil {
		return 0, nil, err // io.EOF: clean end
	}
	n, err := binary.ReadUvarint(o.r)
	if err != nil {
		return 0, nil, fmt.Errorf("operation length: %w", noEOF(err))
	}
	if n > MaxOpBytes {
		return 0, nil, fmt.Errorf("operation of %d bytes: %w", n, ErrTooLarge)
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
