package sqltypes

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

// TestReadRowColsIsReadRow: the columns a query needs come out as ReadRow
// gives them, the others nil; a row of another width or a truncated one is
// corrupt, as ReadRow says.
func TestReadRowColsIsReadRow(t *testing.T) {
	row := []Value{int64(7), "a long text that is skipped", GUID{1, 2, 3}, time.Date(2026, 12, 7, 3, 4, 5, 6, time.UTC), nil, []byte{1, 2}, 2.5, true}
	enc := AppendRow(nil, row)
	full, _, err := ReadRow(enc)
	if err != nil {
		t.Fatal(err)
	}
	need := []bool{false, false, true, true, true, false, true, false}
	got := make([]Value, len(row))
	if err := ReadRowCols(enc, got, need); err != nil {
		t.Fatal(err)
	}
	for i := range row {
		want := full[i]
		if !need[i] {
			want = nil
		}
		if !reflect.DeepEqual(got[i], want) {
			t.Errorf("value %d: got %#v, want %#v", i, got[i], want)
		}
	}
	if err := ReadRowCols(enc, make([]Value, 3), need); !errors.Is(err, ErrCorrupt) {
		t.Errorf("a row of 8 values read as 3: %v, want ErrCorrupt", err)
	}
	for cut := 1; cut < len(enc); cut++ {
		if err := ReadRowCols(enc[:cut], got, []bool{}); !errors.Is(err, ErrCorrupt) {
			t.Errorf("row cut at %d of %d bytes: %v, want ErrCorrupt", cut, len(enc), err)
		}
	}
}
