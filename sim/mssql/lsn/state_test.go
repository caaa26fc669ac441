package lsn

import (
	"errors"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

// A State survives its encoding, and a database never backed up takes
// its family as its fork and incarnation.
func TestStateEncodingAndDefaults(t *testing.T) {
	fam := sqltypes.NewGUID()
	s := State{Offset: 41, ForkGUID: sqltypes.NewGUID(), RedoLSN: OfSeq(7), StandbyFile: `C:\u.bak`}
	got := DecodeState(s.Encode())
	if got != s {
		t.Fatalf("decoded %+v, want %+v", got, s)
	}
	d := got.WithDefaults(fam)
	if d.ForkGUID != s.ForkGUID || d.DatabaseGUID != fam {
		t.Fatalf("defaults: fork %v (want %v kept), incarnation %v (want the family %v)", d.ForkGUID, s.ForkGUID, d.DatabaseGUID, fam)
	}
	if z := (State{}).WithDefaults(fam); z.ForkGUID != fam || z.DatabaseGUID != fam {
		t.Fatalf("zero state's defaults: %+v", z)
	}
}

// Storage LSNs and SQL LSNs meet through the offset, and a storage LSN
// is never below the log's first.
func TestOffsetArithmetic(t *testing.T) {
	if got, want := OfStorage(5, 100), OfSeq(105); got != want {
		t.Fatalf("OfStorage(5, 100) = %s, want %s", got, want)
	}
	for _, tt := range []struct {
		seq  uint64
		off  int64
		want uint64
	}{{105, 100, 5}, {100, 100, 1}, {3, 100, 1}, {0, 0, 1}, {9, -2, 11}} {
		got, ok := StorageFrom(OfSeq(tt.seq), tt.off)
		if !ok || got != tt.want {
			t.Errorf("StorageFrom(seq %d, %d) = %d, %v; want %d", tt.seq, tt.off, got, ok, tt.want)
		}
	}
	if _, ok := StorageFrom(LSN(12345), 0); ok {
		t.Error("StorageFrom accepted a value that is no LSN of the model")
	}
}

// Due skips what was applied, stops at a gap and refuses a value that is
// no LSN of the model.
func TestDue(t *testing.T) {
	rec := func(seq uint64) Record { return Record{LSN: OfSeq(seq), Payload: []byte{byte(seq)}} }
	todo, gap, err := Due("db", 10, []Record{rec(8), rec(9), rec(10), rec(11), rec(13), rec(14)})
	if err != nil || len(todo) != 2 || todo[0][0] != 10 || todo[1][0] != 11 {
		t.Fatalf("todo %v, err %v; want [[10] [11]]", todo, err)
	}
	var g *GapError
	if !errors.As(gap, &g) || g.Next != OfSeq(12) || g.Got != OfSeq(13) || g.Database != "db" {
		t.Fatalf("gap %v, want need LSN %s, got %s", gap, OfSeq(12), OfSeq(13))
	}
	if todo, gap, err := Due("db", 10, []Record{rec(10), {LSN: 1}}); err == nil || todo != nil || gap != nil {
		t.Fatalf("a bad LSN: todo %v gap %v err %v; want only an error", todo, gap, err)
	}
}

// The lowest hold is what the log keeps; a released owner holds nothing.
func TestHolds(t *testing.T) {
	var h Holds
	if h.Low() != 0 {
		t.Fatal("an empty set holds something")
	}
	h.Hold("mirroring", OfSeq(20))
	h.Hold("logbackup", OfSeq(5))
	if h.Low() != OfSeq(5) {
		t.Fatalf("low %s, want %s", h.Low(), OfSeq(5))
	}
	h.Hold("logbackup", OfSeq(30))
	if h.Low() != OfSeq(20) {
		t.Fatalf("after moving a hold: low %s, want %s", h.Low(), OfSeq(20))
	}
	h.Release("mirroring")
	h.Release("logbackup")
	if h.Low() != 0 {
		t.Fatalf("released: low %s", h.Low())
	}
}
