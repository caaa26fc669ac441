package opstream

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

// TestTeeAhead: apply reads exactly r's bytes and w got all of them; a
// read error comes after the bytes before it; a write error stops the
// stream; an apply that stops early ends the reading goroutine before
// TeeAhead returns.
func TestTeeAhead(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 3))
	data := make([]byte, 5*teeBlock+12345)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}

	t.Run("through", func(t *testing.T) {
		var w bytes.Buffer
		var got []byte
		err := TeeAhead(iotest.HalfReader(bytes.NewReader(data)), &w, func(r io.Reader) error {
			var err error
			got, err = io.ReadAll(r)
			return err
		})
		if err != nil || !bytes.Equal(got, data) || !bytes.Equal(w.Bytes(), data) {
			t.Fatalf("err %v, apply read %d bytes, w got %d, want %d of each", err, len(got), w.Len(), len(data))
		}
	})
	t.Run("read error", func(t *testing.T) {
		bad := errors.New("bad frame")
		r := io.MultiReader(bytes.NewReader(data[:3*teeBlock+7]), iotest.ErrReader(bad))
		var got []byte
		err := TeeAhead(r, io.Discard, func(r io.Reader) error {
			var err error
			got, err = io.ReadAll(r)
			return err
		})
		if !errors.Is(err, bad) || !bytes.Equal(got, data[:3*teeBlock+7]) {
			t.Fatalf("err %v after %d bytes, want %v after %d", err, len(got), bad, 3*teeBlock+7)
		}
	})
	t.Run("write error", func(t *testing.T) {
		full := errors.New("disk full")
		err := TeeAhead(bytes.NewReader(data), failWriter{full}, func(r io.Reader) error {
			_, err := io.ReadAll(r)
			return err
		})
		if !errors.Is(err, full) {
			t.Fatalf("err %v, want %v", err, full)
		}
	})
	t.Run("apply stops early", func(t *testing.T) {
		r := &countingReader{r: bytes.NewReader(data)}
		stopped := errors.New("bad operation")
		err := TeeAhead(r, io.Discard, func(r io.Reader) error {
			var b [10]byte
			if _, err := io.ReadFull(r, b[:]); err != nil {
				return err
			}
			return stopped
		})
		if !errors.Is(err, stopped) {
			t.Fatalf("err %v, want %v", err, stopped)
		}
		n := r.reads
		if n > teeDepth+1 {
			t.Errorf("%d reads ahead, want at most %d", n, teeDepth+1)
		}
		r.closed = true // a read after TeeAhead returned would now fail the test
	})
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

type countingReader struct {
	r      io.Reader
	reads  int
	closed bool
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.closed {
		panic("read after TeeAhead returned")
	}
	c.reads++
	return c.r.Read(p)
}
