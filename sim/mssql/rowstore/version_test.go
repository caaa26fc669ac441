package rowstore

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tabledef"
	"github.com/pchatdr/harness/sqlerr"
)

// TestVisibilityUnderConcurrentTransactions follows one row version
// through an insert by a and a delete by b, as three readers see it: a
// itself, b, and a reader with no transaction.
func TestVisibilityUnderConcurrentTransactions(t *testing.T) {
	ctx := context.Background()
	a, b := NewTx(1, 51, nil), NewTx(2, 52, nil)
	var xmin, xmax *Tx = a, nil
	see := func(step string, wantA, wantB, wantNone bool) {
		t.Helper()
		if got := Visible(xmin, xmax, a); got != wantA {
			t.Errorf("%s: the inserter sees the version: %v, want %v", step, got, wantA)
		}
		if got := Visible(xmin, xmax, b); got != wantB {
			t.Errorf("%s: another transaction sees it: %v, want %v", step, got, wantB)
		}
		if got := Visible(xmin, xmax, nil); got != wantNone {
			t.Errorf("%s: a reader outside any transaction sees it: %v, want %v", step, got, wantNone)
		}
	}
	see("inserted, uncommitted", true, false, false)
	if Durable(xmin, xmax) {
		t.Error("an uncommitted insert belongs in a checkpoint")
	}
	if h := Holder(xmin, xmax, b); h != a {
		t.Errorf("the holder of an uncommitted insert, for another transaction, is %v, want the inserter", h)
	}
	if h := Holder(xmin, xmax, a); h != nil {
		t.Errorf("the inserter waits for %v on its own version", h)
	}
	if err := a.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	see("inserted, committed", true, true, true)
	s := newTestStore()
	s.mu.Lock()
	xmax = b
	b.Record(s.st, []byte("delete"), func() { xmax = nil }, nil)
	s.mu.Unlock()
	see("deleted by b, uncommitted", true, false, true)
	if !Durable(xmin, xmax) {
		t.Error("a version whose delete is uncommitted is left out of a checkpoint")
	}
	if h := Holder(xmin, xmax, a); h != b {
		t.Errorf("the holder of an uncommitted delete is %v, want the deleter", h)
	}
	if d := NewTx(5, 55, nil); true {
		d.Rollback()
		if !Visible(xmin, d, a) || !Durable(xmin, d) {
			t.Error("an aborted deleter hides the version (before its undo cleared it)")
		}
	}
	b.Rollback()
	see("delete rolled back", true, true, true)
	c := NewTx(3, 53, nil)
	xmax = c
	if err := c.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	see("deleted, committed", false, false, false)
	if Durable(xmin, xmax) {
		t.Error("a committed delete's version belongs in a checkpoint")
	}

	aborted := NewTx(4, 54, nil)
	aborted.Rollback()
	if Visible(aborted, nil, nil) || Durable(aborted, nil) || Holder(aborted, nil, nil) != nil {
		t.Error("a rolled-back insert is visible, durable or held")
	}
}

func TestKeysAndDuplicateKeyErrors(t *testing.T) {
	tbl := &tabledef.Table{Schema: "dbo", Name: "t", Cols: []tabledef.Column{
		{Name: "id", Type: sqltypes.TypeInt},
		{Name: "name", Type: sqltypes.NVarChar(20), Nullable: true},
	}}
	pk := &tabledef.Index{Name: "PK_t", Primary: true, Cols: []int{0}}
	uq := &tabledef.Index{Name: "UQ_t", Cols: []int{1}}
	both := &tabledef.Index{Name: "IX_t", Index: true, Cols: []int{0, 1}}

	key := func(ix *tabledef.Index, vals ...Value) string {
		t.Helper()
		k, ok := Key(ix, tbl.Cols, vals)
		if !ok {
			t.Fatalf("no %s key for %v", ix.Name, vals)
		}
		return k
	}
	if key(uq, int64(1), "abc") != key(uq, int64(2), "ABC  ") {
		t.Error("'abc' and 'ABC  ' have different keys: SQL Server's comparison finds them equal")
	}
	if key(uq, int64(1), "abc") == key(uq, int64(1), "abd") {
		t.Error("'abc' and 'abd' have the same key")
	}
	if key(uq, int64(1), nil) != key(uq, int64(2), nil) {
		t.Error("two NULLs have different keys in a UNIQUE constraint (SQL Server allows one)")
	}
	if _, ok := Key(pk, tbl.Cols, []Value{nil, "x"}); ok {
		t.Error("a primary key holds a NULL")
	}
	if key(both, int64(1), "ab") == key(both, int64(1), "a") || key(both, int64(12), nil) == key(both, int64(1), "2") {
		t.Error("different composite keys are equal")
	}

	for _, tc := range []struct {
		ix   *tabledef.Index
		vals []Value
		num  int32
		text string
	}{
		{pk, []Value{int64(7), "x"}, sqlerr.DuplicateKey, "Violation of PRIMARY KEY constraint 'PK_t'. Cannot insert duplicate key in object 'dbo.t'. The duplicate key value is (7)."},
		{uq, []Value{int64(7), nil}, sqlerr.DuplicateKey, "Violation of UNIQUE KEY constraint 'UQ_t'. Cannot insert duplicate key in object 'dbo.t'. The duplicate key value is (<NULL>)."},
		{both, []Value{int64(7), "x"}, sqlerr.DuplicateKeyRow, "Cannot insert duplicate key row in object 'dbo.t' with unique index 'IX_t'. The duplicate key value is (7, x)."},
	} {
		var se *sqlerr.Error
		if err := DuplicateKey(tbl, tc.ix, tc.vals); !errors.As(err, &se) || se.Number != tc.num || se.Message != tc.text {
			t.Errorf("DuplicateKey(%s, %v) = %v, want %d %q", tc.ix.Name, tc.vals, err, tc.num, tc.text)
		}
	}
	if got := FormatKey(both, tbl.Cols, []Value{nil, "x"}); !strings.Contains(got, "<NULL>, x") {
		t.Errorf("FormatKey = %q, want <NULL>, x", got)
	}
}
