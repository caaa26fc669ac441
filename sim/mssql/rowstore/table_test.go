package rowstore

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/storage/rowseg"
	"github.com/pchatdr/harness/sim/mssql/tabledef"
	"github.com/pchatdr/harness/sqlerr"
)

// newTestTable is t(id int PK, name nvarchar) in a test store, whose log
// operations are "ins <id>" and "del <id>" and whose segments are in
// memory.
func newTestTable(s *testStore) *Table {
	def := tabledef.Table{Schema: "dbo", Name: "t", Cols: []tabledef.Column{
		{Name: "id", Type: sqltypes.TypeInt},
		{Name: "name", Type: sqltypes.NVarChar(20), Nullable: true},
	}, Indexes: []tabledef.Index{{Name: "PK_t", Primary: true, Cols: []int{0}}}}
	h := &Hooks{
		EncInsert: func(_ int, id int64, _ []Value) []byte { return []byte(fmt.Sprint("ins ", id)) },
		EncDelete: func(_ int, id int64) []byte { return []byte(fmt.Sprint("del ", id)) },
		NewSeg:    rowseg.New,
	}
	t := NewTable(def, s.st, h)
	return &t
}

func ids(vs []*Version) []int64 {
	var out []int64
	for _, v := range vs {
		out = append(out, v.Vals[0].(int64))
	}
	return out
}

func commit(t *testing.T, tx *Tx) {
	t.Helper()
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestInsertIsSeenByItsTransactionUntilCommitted(t *testing.T) {
	s := newTestStore()
	tb := newTestTable(s)
	a := NewTx(1, 51, nil)
	if err := tb.Insert(a, []Value{int64(1), "x"}); err != nil {
		t.Fatal(err)
	}
	if got := ids(tb.Scan(a)); len(got) != 1 {
		t.Fatalf("the inserter scans %v, want [1]", got)
	}
	if got := ids(tb.Scan(nil)); len(got) != 0 {
		t.Fatalf("a reader scans %v before the commit, want nothing", got)
	}
	b := NewTx(2, 52, nil)
	var ce *ConflictError
	if err := tb.Insert(b, []Value{int64(1), "y"}); !errors.As(err, &ce) || ce.Other != a {
		t.Fatalf("inserting a key an active transaction holds = %v, want a conflict with it", err)
	}
	commit(t, a)
	if len(s.records) != 1 || string(s.records[0]) != "ins 0" {
		t.Fatalf("the log has %q, want the insert's operation", s.records)
	}
	if got := tb.ScanVals(nil); len(got) != 1 || got[0][1] != "x" {
		t.Fatalf("a reader scans %v after the commit, want [[1 x]]", got)
	}
	err := tb.Insert(b, []Value{int64(1), "y"})
	if !isErr(err, sqlerr.DuplicateKey) {
		t.Fatalf("inserting a committed key = %v, want 2627", err)
	}
}

func TestRolledBackInsertGivesTheKeyBack(t *testing.T) {
	s := newTestStore()
	tb := newTestTable(s)
	a := NewTx(1, 51, nil)
	if err := tb.Insert(a, []Value{int64(1), "x"}); err != nil {
		t.Fatal(err)
	}
	commit(t, a)
	d := NewTx(2, 52, nil)
	if ok, err := tb.Delete(d, tb.Scan(d)[0]); !ok || err != nil {
		t.Fatalf("delete = %v, %v", ok, err)
	}
	if err := tb.Insert(d, []Value{int64(1), "again"}); err != nil {
		t.Fatalf("re-inserting a key the same transaction deleted: %v", err)
	}
	d.Rollback()
	got := tb.ScanVals(nil)
	if len(got) != 1 || got[0][1] != "x" {
		t.Fatalf("after the rollback the table holds %v, want [[1 x]]", got)
	}
	if err := tb.Insert(NewTx(3, 53, nil), []Value{int64(1), "z"}); !isErr(err, sqlerr.DuplicateKey) {
		t.Fatalf("the key map lost the committed row after the rollback: insert = %v, want 2627", err)
	}
}

func TestSealedRowsKeepKeysAndPromoteOnDelete(t *testing.T) {
	s := newTestStore()
	tb := newTestTable(s)
	a := NewTx(1, 51, nil)
	for i := range 3 {
		if err := tb.Insert(a, []Value{int64(i), fmt.Sprint("r", i)}); err != nil {
			t.Fatal(err)
		}
	}
	commit(t, a)
	before := tb.Scan(nil)
	s.mu.Lock()
	tb.Seal()
	s.mu.Unlock()
	if tb.SegLive() != 3 || len(tb.Rows) != 0 {
		t.Fatalf("after Seal: %d segment rows, %d versions; want 3 and 0", tb.SegLive(), len(tb.Rows))
	}
	if got := ids(tb.Scan(nil)); fmt.Sprint(got) != "[0 1 2]" {
		t.Fatalf("a scan of the sealed table gives %v, want [0 1 2]", got)
	}
	b := NewTx(2, 52, nil)
	if err := tb.Insert(b, []Value{int64(1), "dup"}); !isErr(err, sqlerr.DuplicateKey) {
		t.Fatalf("inserting a sealed row's key = %v, want 2627", err)
	}
	// A version scanned before the seal still reaches its row.
	if ok, err := tb.Delete(b, before[1]); !ok || err != nil {
		t.Fatalf("deleting a row scanned before the seal = %v, %v", ok, err)
	}
	commit(t, b)
	if got := ids(tb.Scan(nil)); fmt.Sprint(got) != "[0 2]" {
		t.Fatalf("after the delete the table scans %v, want [0 2]", got)
	}
	if err := tb.Insert(NewTx(3, 53, nil), []Value{int64(1), "new"}); err != nil {
		t.Fatalf("inserting the deleted row's key again: %v", err)
	}
}

func TestAddIndexUnsealsAndFindsDuplicates(t *testing.T) {
	s := newTestStore()
	tb := newTestTable(s)
	a := NewTx(1, 51, nil)
	for i, n := range []string{"a", "b", "a"} {
		if err := tb.Insert(a, []Value{int64(i), n}); err != nil {
			t.Fatal(err)
		}
	}
	commit(t, a)
	s.mu.Lock()
	defer s.mu.Unlock()
	tb.Seal()
	uq := tabledef.Index{Name: "UQ_name", Cols: []int{1}}
	if dup := tb.AddIndex(uq); fmt.Sprint(dup) != "[2 a]" {
		t.Fatalf("AddIndex over names a, b, a reports %v, want the duplicate [2 a]", dup)
	}
	if tb.Seg != nil || len(tb.Rows) != 3 {
		t.Fatalf("AddIndex left %d versions and segment %v, want the 3 rows as versions", len(tb.Rows), tb.Seg)
	}
	tb.DropLastIndex()
	if len(tb.Indexes) != 1 || len(tb.uniques) != 1 {
		t.Fatalf("after DropLastIndex: %d indexes, %d unique, want 1 and 1", len(tb.Indexes), len(tb.uniques))
	}
}

func TestSegAppendKeepsOrderAndIdentity(t *testing.T) {
	s := newTestStore()
	tb := newTestTable(s)
	s.mu.Lock()
	for _, id := range []int64{4, 7} {
		vals := []Value{id, "r"}
		if !tb.SegMayTake(id) || !tb.SegAppend(id, sqltypes.AppendRow(nil, vals), vals, false, 0) {
			t.Fatalf("SegAppend(%d) on an empty table refused", id)
		}
	}
	if tb.SegMayTake(5) {
		t.Fatal("SegMayTake(5) after 7: a segment's ids only grow")
	}
	if tb.NextRow != 8 {
		t.Fatalf("NextRow after rows 4 and 7 = %d, want 8", tb.NextRow)
	}
	if !tb.SegKill(4) || tb.SegKill(4) || tb.SegLive() != 1 {
		t.Fatalf("SegKill(4) twice: the segment has %d live rows", tb.SegLive())
	}
	s.mu.Unlock()
	if err := tb.Insert(NewTx(1, 51, nil), []Value{int64(7), "dup"}); !isErr(err, sqlerr.DuplicateKey) {
		t.Fatalf("inserting an appended row's key = %v, want 2627", err)
	}
	if err := tb.Insert(NewTx(2, 52, nil), []Value{int64(4), "ok"}); err != nil {
		t.Fatalf("inserting a killed row's key: %v", err)
	}
}

func TestRemoveRowCompactsDeadVersions(t *testing.T) {
	s := newTestStore()
	tb := newTestTable(s)
	for i := range 200 {
		tb.AddRow(&Version{ID: int64(i), Vals: []Value{int64(i), "v"}})
	}
	for _, r := range append([]*Version(nil), tb.Rows[:150]...) {
		tb.RemoveRow(r)
	}
	if len(tb.Rows) >= 150 || tb.Dead > 64 {
		t.Fatalf("150 of 200 versions removed: %d kept, %d dead; want the dead compacted away", len(tb.Rows), tb.Dead)
	}
	if got := ids(tb.Scan(nil)); len(got) != 50 || got[0] != 150 {
		t.Fatalf("the scan after removal starts %v (len %d), want 50 rows from 150", got[:1], len(got))
	}
}

// isErr reports whether err is SQL Server error num.
func isErr(err error, num int32) bool {
	var se *sqlerr.Error
	return errors.As(err, &se) && se.Number == num
}

func TestRecoveryAppliesCommittedRowsAndIdentity(t *testing.T) {
	s := newTestStore()
	tb := newTestTable(s)
	tb.Cols[0].Identity, tb.Cols[0].Incr = true, -1
	tb.Identity = 1 // IDENTITY(0,-1): nothing handed out yet
	s.mu.Lock()
	tb.ApplyCommitted(3, []Value{int64(-3), "a"})
	tb.NoteIdentityOf([]Value{int64(-3), "a"})
	tb.ApplyCommitted(4, []Value{int64(-2), "b"})
	tb.NoteIdentityOf([]Value{int64(-2), "b"})
	tb.Forget(3)
	s.mu.Unlock()
	if got := ids(tb.Scan(nil)); fmt.Sprint(got) != "[-2]" {
		t.Fatalf("after applying rows 3 and 4 and forgetting 3 the table scans %v, want [-2]", got)
	}
	if err := tb.Insert(NewTx(1, 51, nil), []Value{int64(-2), "dup"}); !isErr(err, sqlerr.DuplicateKey) {
		t.Fatalf("inserting an applied row's key = %v, want 2627", err)
	}
	if v := tb.NextIdentity(); v != -4 {
		t.Fatalf("IDENTITY(0,-1) after applied -3 and -2 hands out %d, want -4", v)
	}
	if tb.NextRow != 5 {
		t.Fatalf("NextRow after applied rows 3 and 4 = %d, want 5", tb.NextRow)
	}
}
