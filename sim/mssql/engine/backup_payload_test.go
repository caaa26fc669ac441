package engine

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func FuzzOpReader(f *testing.F) {
	f.Add(append(encMarker(), encDelete(1000, 1)...))
	f.Add([]byte{opInsert, 0xff})
	f.Add([]byte{opCreateTable, 3, '{', '}'})
	f.Fuzz(func(t *testing.T, b []byte) {
		or := newOpReader(bytes.NewReader(b))
		d := newDatabase(nil, DBMeta{Name: "f"})
		for i := 0; i < 1000; i++ {
			kind, body, err := or.next()
			if errors.Is(err, io.EOF) || err != nil {
				return
			}
			if kind == opDBMeta || kind == opDBDrop {
				continue // master-only operations need an instance
			}
			_ = d.applyOp(kind, body)
		}
	})
}
