package engine

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestLogRecordFraming(t *testing.T) {
	tests := [][]LogRecord{
		nil,
		{{LSN: lsnOfSeq(1), Payload: encMarker()}},
		{{LSN: lsnOfSeq(7), Payload: encDelete(1000, 3)}, {LSN: lsnOfSeq(8), Payload: nil}, {LSN: lsnOfSeq(9), Payload: bytes.Repeat([]byte{1}, 5000)}},
	}
	for i, recs := range tests {
		var buf bytes.Buffer
		for _, r := range recs {
			if _, err := writeLogRecord(&buf, r); err != nil {
				t.Fatal(err)
			}
		}
		var got []LogRecord
		if err := readLogRecords(&buf, func(r LogRecord) error { got = append(got, r); return nil }); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if len(got) != len(recs) {
			t.Fatalf("case %d: %d records, want %d", i, len(got), len(recs))
		}
		for j := range recs {
			if got[j].LSN != recs[j].LSN || !bytes.Equal(got[j].Payload, recs[j].Payload) {
				t.Fatalf("case %d record %d differs", i, j)
			}
		}
	}
}

func FuzzReadLogRecords(f *testing.F) {
	var buf bytes.Buffer
	writeLogRecord(&buf, LogRecord{LSN: lsnOfSeq(3), Payload: encMarker()})
	f.Add(buf.Bytes())
	f.Add([]byte{0x80})
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0x7f})
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = readLogRecords(bytes.NewReader(b), func(LogRecord) error { return nil })
	})
}

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
