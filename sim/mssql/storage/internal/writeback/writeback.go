// Package writeback starts the kernel writing a large file's data to disk
// while the file is still being written, so the fsync that makes it
// durable at its end waits only for the last few megabytes instead of all
// of them: a RESTORE writes the database's snapshot while it decodes the
// rows, and a BACKUP writes its set while the link paces it, and both then
// overlap the disk with the rest of their work, as a real server's
// asynchronous I/O does.
package writeback

import "os"

// Every is how many bytes are written between two starts of writeback.
const Every = 8 << 20

// Writer writes to a file at its current offset, from offset off on, and
// starts writeback of every Every bytes it wrote. Starting writeback never
// blocks on the disk and never fails the write: durability still comes
// from the caller's fsync.
type Writer struct {
	f       *os.File
	off     int64 // the file offset the next Write writes at
	started int64 // the offset writeback was started up to
}

// New returns a Writer for f, whose offset is off.
func New(f *os.File, off int64) *Writer { return &Writer{f: f, off: off, started: off} }

func (w *Writer) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.off += int64(n)
	if w.off-w.started >= Every {
		start(w.f, w.started, w.off-w.started)
		w.started = w.off
	}
	return n, err
}
