package engine

import (
	"bytes"
	"errors"
	"io"
	"strings"
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

// TestAppendInsertIsEncInsert: the reusing encoder a backup and a
// checkpoint use writes exactly the log's insert operation, row after row
// through the same buffers.
func TestAppendInsertIsEncInsert(t *testing.T) {
	rows := [][]Value{
		{int64(1), "short", nil},
		{int64(2), strings.Repeat("a long pasted log line ", 200), []byte{1, 2, 3}},
		{int64(3), "", int64(-7)},
	}
	var op, body []byte
	for i, vals := range rows {
		op, body = appendInsert(op[:0], body, 42, int64(i+1), vals)
		if want := encInsert(42, int64(i+1), vals); !bytes.Equal(op, want) {
			t.Fatalf("row %d: appendInsert %x, encInsert %x", i+1, op, want)
		}
	}
}
