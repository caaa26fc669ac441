package opstream

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

func op(kind byte, body []byte) []byte {
	b := binary.AppendUvarint([]byte{kind}, uint64(len(body)))
	return append(b, body...)
}

// Operations come back in order with where their bodies start, whether
// they fit the read buffer or not; a cut-off body is io.ErrUnexpectedEOF
// and a length past MaxOpBytes is ErrTooLarge, before anything is
// allocated for it.
func TestReader(t *testing.T) {
	big := bytes.Repeat([]byte{7}, 3<<20)
	stream := append(append(op(1, []byte("ab")), op(2, big)...), op(3, nil)...)
	r := NewReader(bytes.NewReader(stream))
	want := []struct {
		kind   byte
		n      int
		bodyAt int64
	}{{1, 2, 2}, {2, len(big), 4 + 1 + 4}, {3, 0, int64(4 + 1 + 4 + len(big) + 2)}}
	for i, w := range want {
		kind, body, err := r.Next()
		if err != nil || kind != w.kind || len(body) != w.n || r.BodyAt() != w.bodyAt {
			t.Fatalf("op %d: kind %d, %d bytes at %d, err %v; want kind %d, %d bytes at %d", i, kind, len(body), r.BodyAt(), err, w.kind, w.n, w.bodyAt)
		}
	}
	if _, _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last: %v, want io.EOF", err)
	}
	if _, _, err := NewReader(bytes.NewReader(op(1, []byte("abc"))[:4])).Next(); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("cut-off body: %v, want io.ErrUnexpectedEOF", err)
	}
	huge := binary.AppendUvarint([]byte{1}, MaxOpBytes+1)
	if _, _, err := NewReader(bytes.NewReader(huge)).Next(); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("an operation over MaxOpBytes: %v, want ErrTooLarge", err)
	}
}
