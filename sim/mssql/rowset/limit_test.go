package rowset

import (
	"testing"

	"github.com/pchatdr/harness/sqlerr"
)

func ints(n int) []Row {
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = Row{int64(i)}
	}
	return rows
}

// TOP (n), TOP (n) PERCENT rounding up, and the errors of a bad n.
func TestTop(t *testing.T) {
	cases := []struct {
		n       Value
		percent bool
		want    int
	}{
		{int64(3), false, 3}, {int64(30), false, 10}, {int64(0), false, 0},
		{int64(25), true, 3}, {int64(100), true, 10}, {int64(1), true, 1},
	}
	for _, c := range cases {
		got, err := Top(ints(10), c.n, c.percent)
		if err != nil || len(got) != c.want {
			t.Errorf("TOP (%v) percent=%v of 10: %d rows, %v; want %d", c.n, c.percent, len(got), err, c.want)
		}
	}
	if _, err := Top(ints(3), int64(-1), false); number(err) != sqlerr.TopNegative {
		t.Errorf("TOP (-1): %v, want 127", err)
	}
	if _, err := Top(ints(3), []byte{1}, false); number(err) != sqlerr.TopNotInteger {
		t.Errorf("TOP (binary): %v, want 1060", err)
	}
}

func TestOffsetFetch(t *testing.T) {
	rows, err := Offset(ints(10), int64(8))
	if err != nil || len(rows) != 2 || rows[0][0] != int64(8) {
		t.Fatalf("OFFSET 8 of 10: %v, %v", rows, err)
	}
	if rows, err := Offset(ints(3), int64(5)); err != nil || len(rows) != 0 {
		t.Fatalf("OFFSET 5 of 3: %v, %v", rows, err)
	}
	if rows, err := Fetch(ints(10), int64(4)); err != nil || len(rows) != 4 {
		t.Fatalf("FETCH 4 of 10: %d rows, %v", len(rows), err)
	}
	if _, err := Offset(ints(3), int64(-1)); number(err) != sqlerr.OffsetNegative {
		t.Errorf("OFFSET -1: %v, want 10742", err)
	}
	for _, n := range []int64{-1, 0} {
		if _, err := Fetch(ints(3), n); number(err) != sqlerr.FetchNotPositive {
			t.Errorf("FETCH %d: %v, want 10744", n, err)
		}
	}
}
