package engine

import (
	"errors"
	"io"
	"sync"
)

// readAhead reads a backup set in its own goroutine, up to readAheadDepth
// chunks ahead of the restore that applies it, and hands every chunk to
// tee (the restored database's snapshot file) before the apply sees it.
//
// SQL Server's RESTORE reads the backup device, and writes the data files,
// with reader and writer threads of their own (BUFFERCOUNT transfer
// buffers between them), so the restore's time is the slowest of the
// device, the data disk and the work between. Done in one goroutine, the
// simulator's restore paid the media's framing and checksums, the
// snapshot's write and checksum and the apply one after the other: on a
// 64 MiB history a third of the restore's CPU went to the reading and
// writing side, in series with the apply.
//
// The bytes the apply consumes, and those tee gets, are the same and in
// the same order as through io.TeeReader; Close stops the goroutine and
// waits for it, so no write to tee happens after Close returns.
type readAhead struct {
	filled chan raChunk
	free   chan []byte
	stop   chan struct{}
	wg     sync.WaitGroup

	cur  []byte // unread part of the chunk being consumed
	back []byte // that chunk's buffer, returned to free when used up
	err  error  // sticky: the reader's error (io.EOF at the end)
	once sync.Once
}

type raChunk struct {
	b   []byte
	err error
}

const (
	readAheadChunk = 1 << 20
	readAheadDepth = 4
)

// newReadAhead starts reading r; tee may be nil.
func newReadAhead(r io.Reader, tee io.Writer) *readAhead {
	ra := &readAhead{
		filled: make(chan raChunk, readAheadDepth),
		free:   make(chan []byte, readAheadDepth+1),
		stop:   make(chan struct{}),
	}
	for i := 0; i < readAheadDepth+1; i++ {
		ra.free <- make([]byte, readAheadChunk)
	}
	ra.wg.Add(1)
	go ra.fill(r, tee)
	return ra
}

func (ra *readAhead) fill(r io.Reader, tee io.Writer) {
	defer ra.wg.Done()
	send := func(c raChunk) bool {
		select {
		case ra.filled <- c:
			return true
		case <-ra.stop:
			return false
		}
	}
	for {
		var buf []byte
		select {
		case buf = <-ra.free:
		case <-ra.stop:
			return
		}
		n, err := io.ReadFull(r, buf)
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = io.EOF // a short last chunk
		}
		if n > 0 && tee != nil {
			if _, werr := tee.Write(buf[:n]); werr != nil {
				send(raChunk{err: werr})
				return
			}
		}
		if n > 0 && !send(raChunk{b: buf[:n]}) {
			return
		}
		if err != nil {
			send(raChunk{err: err})
			return
		}
	}
}

// Read is io.Reader over the chunks in order.
func (ra *readAhead) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for len(ra.cur) == 0 {
		if ra.back != nil {
			ra.free <- ra.back[:cap(ra.back)]
			ra.back = nil
		}
		if ra.err != nil {
			return 0, ra.err
		}
		c := <-ra.filled
		if c.err != nil {
			ra.err = c.err
			continue
		}
		ra.cur, ra.back = c.b, c.b
	}
	n := copy(p, ra.cur)
	ra.cur = ra.cur[n:]
	return n, nil
}

// Close stops the reading goroutine and waits for it.
func (ra *readAhead) Close() {
	ra.once.Do(func() { close(ra.stop) })
	ra.wg.Wait()
}
