package opstream

import (
	"errors"
	"io"
)

// A restore reads the backup set (checking its frames' checksums), writes
// it to the database's new snapshot and decodes its operations into the
// database. TeeAhead runs the first two on a goroutine of their own, a few
// blocks ahead of the third, so reading and writing the file overlap the
// decoding (each is about half of a restore's CPU) instead of alternating
// with it, as a real server's read-ahead and asynchronous writes overlap
// its redo.

const (
	teeBlock = 1 << 20 // bytes read at a time
	teeDepth = 4       // blocks read ahead of the decoding
)

// TeeAhead calls apply with a reader of r's bytes, each written to w
// before apply sees it (what io.TeeReader(r, w) gives, read ahead). A
// read or write error reaches apply as its reader's error, after the
// bytes before it. It returns apply's error once the reading goroutine has
// ended: r and w are not used after it returns.
func TeeAhead(r io.Reader, w io.Writer, apply func(io.Reader) error) error {
	full := make(chan []byte, teeDepth)
	free := make(chan []byte, teeDepth)
	for range teeDepth {
		free <- make([]byte, teeBlock)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	pr := &aheadReader{full: full, free: free}
	go func() {
		defer close(done)
		defer close(full) // after pr.err is set: the reader sees it once full is closed
		for {
			var b []byte
			select {
			case b = <-free:
			case <-stop:
				return
			}
			n, err := r.Read(b)
			if n > 0 {
				if _, werr := w.Write(b[:n]); werr != nil {
					pr.err = werr
					return
				}
				select {
				case full <- b[:n]:
				case <-stop:
					return
				}
			} else {
				free <- b
			}
			if err != nil {
				if !errors.Is(err, io.EOF) {
					pr.err = err
				}
				return
			}
		}
	}()
	err := apply(pr)
	close(stop)
	<-done
	return err
}

// aheadReader reads the blocks TeeAhead's goroutine read.
type aheadReader struct {
	full <-chan []byte
	free chan<- []byte
	cur  []byte // the block being read
	rest []byte // what is left of it
	err  error  // set before full is closed
}

func (a *aheadReader) Read(p []byte) (int, error) {
	for len(a.rest) == 0 {
		if a.cur != nil {
			a.free <- a.cur[:cap(a.cur)] // never blocks: free has room for every block
			a.cur = nil
		}
		b, ok := <-a.full
		if !ok {
			if a.err != nil {
				return 0, a.err
			}
			return 0, io.EOF
		}
		a.cur, a.rest = b, b
	}
	n := copy(p, a.rest)
	a.rest = a.rest[n:]
	return n, nil
}
