package backupset

import (
	"bytes"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/lsn"
)

// record is one log record as a log backup frames it.
type record struct {
	LSN     lsn.LSN
	Payload []byte
}

func TestLogRecordFraming(t *testing.T) {
	// The framing does not look inside a payload: short ones, an empty one
	// and one larger than a varint byte's range.
	tests := [][]record{
		nil,
		{{LSN: lsn.OfSeq(1), Payload: []byte{4, 0}}},
		{{LSN: lsn.OfSeq(7), Payload: []byte{2, 4, 0xe8, 7, 3}}, {LSN: lsn.OfSeq(8), Payload: nil}, {LSN: lsn.OfSeq(9), Payload: bytes.Repeat([]byte{1}, 5000)}},
	}
	for i, recs := range tests {
		var buf bytes.Buffer
		for _, r := range recs {
			if _, err := WriteLogRecord(&buf, r.LSN, r.Payload); err != nil {
				t.Fatal(err)
			}
		}
		var got []record
		if err := ReadLogRecords(&buf, func(l lsn.LSN, p []byte) error { got = append(got, record{l, p}); return nil }); err != nil {
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
	WriteLogRecord(&buf, lsn.OfSeq(3), []byte{4, 0})
	f.Add(buf.Bytes())
	f.Add([]byte{0x80})
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0x7f})
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = ReadLogRecords(bytes.NewReader(b), func(lsn.LSN, []byte) error { return nil })
	})
}
