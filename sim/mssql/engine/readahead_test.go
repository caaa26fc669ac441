package engine

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
)

// TestReadAheadIsATeeReader: whatever the chunking, the reader gets the
// bytes in order, the tee the same bytes, and Close leaves nothing behind.
func TestReadAheadIsATeeReader(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 17))
	for _, n := range []int{0, 1, readAheadChunk - 1, readAheadChunk, readAheadChunk + 1, 5*readAheadChunk + 12345} {
		src := make([]byte, n)
		for i := range src {
			src[i] = byte(rng.Uint32())
		}
		var tee bytes.Buffer
		ra := newReadAhead(bytes.NewReader(src), &tee)
		var got bytes.Buffer
		buf := make([]byte, 1+rng.IntN(3*readAheadChunk))
		for {
			k, err := ra.Read(buf[:1+rng.IntN(len(buf))])
			got.Write(buf[:k])
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		ra.Close()
		if !bytes.Equal(got.Bytes(), src) || !bytes.Equal(tee.Bytes(), src) {
			t.Fatalf("%d bytes: read %d, tee %d, want the source's", n, got.Len(), tee.Len())
		}
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

type failReader struct {
	n   int
	err error
}

func (f *failReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, f.err
	}
	k := min(len(p), f.n)
	f.n -= k
	return k, nil
}

// TestReadAheadErrors: the source's and the tee's errors reach the reader,
// and Close returns while the reader stops early.
func TestReadAheadErrors(t *testing.T) {
	boom := errors.New("boom")
	ra := newReadAhead(&failReader{n: 3 * readAheadChunk, err: boom}, io.Discard)
	if _, err := io.Copy(io.Discard, ra); !errors.Is(err, boom) {
		t.Fatalf("source error: got %v, want %v", err, boom)
	}
	ra.Close()
	full := errors.New("disk full")
	ra = newReadAhead(bytes.NewReader(make([]byte, 2*readAheadChunk)), failWriter{full})
	if _, err := io.Copy(io.Discard, ra); !errors.Is(err, full) {
		t.Fatalf("tee error: got %v, want %v", err, full)
	}
	ra.Close()
	// A reader that stops after one byte: Close must not hang on a fill
	// goroutine blocked on a full channel.
	ra = newReadAhead(bytes.NewReader(make([]byte, 20*readAheadChunk)), io.Discard)
	if _, err := ra.Read(make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	ra.Close()
}
