package dml_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/collation"
	"github.com/pchatdr/harness/sim/mssql/dml"
	"github.com/pchatdr/harness/sim/mssql/query"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// fakeTable is t(id int IDENTITY(1,1), name varchar(5) NOT NULL, n int
// DEFAULT 7) in db.dbo, its rows a slice.
type fakeTable struct {
	rows     []*fakeRow
	identity int64
	reseeds  int
}

type fakeRow struct{ vals []query.Value }

func (r *fakeRow) Values() []query.Value { return r.vals }

func (t *fakeTable) TableName() string    { return "t" }
func (t *fakeTable) SchemaName() string   { return "dbo" }
func (t *fakeTable) DatabaseName() string { return "db" }
func (t *fakeTable) Columns() []dml.Column {
	return []dml.Column{
		{Name: "id", Type: sqltypes.TypeInt, Identity: true},
		{Name: "name", Type: sqltypes.VarChar(5)},
		{Name: "n", Type: sqltypes.TypeInt, Nullable: true, Default: "(7)"},
	}
}
func (t *fakeTable) NextIdentity() int64          { t.identity++; return t.identity }
func (t *fakeTable) NoteExplicitIdentity(v int64) { t.identity = max(t.identity, v) }
func (t *fakeTable) values() (out [][]query.Value) {
	for _, r := range t.rows {
		out = append(out, r.vals)
	}
	return out
}

// fakeTx changes the table's slice; fakeScope.WithTx undoes a failed
// statement by restoring it.
type fakeTx struct{ scans *int }

func (x fakeTx) Scan(t dml.Table) []dml.Row {
	*x.scans++
	ft := t.(*fakeTable)
	out := make([]dml.Row, len(ft.rows))
	for i, r := range ft.rows {
		out[i] = r
	}
	return out
}

func (x fakeTx) Insert(t dml.Table, row []query.Value) error {
	ft := t.(*fakeTable)
	ft.rows = append(ft.rows, &fakeRow{vals: row})
	return nil
}

func (x fakeTx) Delete(t dml.Table, r dml.Row) (bool, error) {
	ft := t.(*fakeTable)
	for i, have := range ft.rows {
		if have == r {
			ft.rows = append(ft.rows[:i:i], ft.rows[i+1:]...)
			return true, nil
		}
	}
	return false, nil
}

func (x fakeTx) ResetIdentity(t dml.Table) { t.(*fakeTable).identity = 0; t.(*fakeTable).reseeds++ }

// fakeScope is the smallest dml.Scope: one table t, no variables, no
// FROM; it records what the statement reported.
type fakeScope struct {
	t     *fakeTable
	scans int
	ident query.Value
	done  []string
}

// The compiler's scope: nothing but literals.
type noNames struct{}

func (noNames) Context() context.Context { return context.Background() }
func (noNames) Collation() collation.ID  { return collation.Default }
func (noNames) Var(string) query.Var     { return nil }
func (noNames) Func(string) query.Func   { return nil }
func (noNames) GlobalVar(x *tsql.GlobalVarRef) (*query.Expr, error) {
	return nil, sqlerr.New(sqlerr.MustDeclareVariable, x.Name)
}
func (noNames) Table(x *tsql.TableRef) (*query.Source, error) {
	return nil, sqlerr.New(sqlerr.InvalidObject, x.Name.Object().Name)
}
func (noNames) TableVar(x *tsql.TableVarRef) (*query.Source, error) {
	return nil, sqlerr.New(sqlerr.MustDeclareTableVariable, x.Name)
}
func (noNames) TableFunc(x *tsql.FuncTable) (*query.Source, error) {
	return nil, sqlerr.New(sqlerr.InvalidObject, query.NameText(&x.Call.Name))
}

func (f *fakeScope) Compiler() *query.Builder { return query.New(noNames{}) }
func (f *fakeScope) Var(string) query.Var     { return nil }
func (f *fakeScope) Target(n *tsql.ObjectName, tableVar string) (dml.Table, error) {
	if tableVar != "" || !strings.EqualFold(n.Object().Name, "t") {
		return nil, sqlerr.New(sqlerr.InvalidObject, n.Object().Name)
	}
	return f.t, nil
}
func (f *fakeScope) FromTarget([]tsql.TableSource, *tsql.TableRef) (*query.Source, dml.Table, error) {
	return nil, nil, sqlerr.New(sqlerr.AdHocCatalogUpdate)
}
func (f *fakeScope) InsertExec(*tsql.ExecStmt, int) (*query.Plan, error) {
	return nil, sqlerr.New(sqlerr.InsertColumnCountMismatch)
}
func (f *fakeScope) Default(text string) (query.Value, query.Type, error) {
	stmts, err := tsql.Parse("SELECT " + text)
	if err != nil {
		return nil, query.Type{}, err
	}
	return query.New(noNames{}).Scalar(stmts[0].(*tsql.SelectStmt).Body.(*tsql.QuerySpec).Items[0].Expr)
}
func (f *fakeScope) IdentityInsert(dml.Table) bool { return false }
func (f *fakeScope) WithTx(fn func(dml.Tx) (int64, error)) (int64, error) {
	saved := append([]*fakeRow(nil), f.t.rows...)
	n, err := fn(fakeTx{scans: &f.scans})
	if err != nil {
		f.t.rows = saved // the identity is never rolled back, as in SQL Server
	}
	return n, err
}
func (f *fakeScope) SetIdentity(v query.Value) { f.ident = v }
func (f *fakeScope) Done(n int64, hasCount bool, cmd uint16) error {
	f.done = append(f.done, fmt.Sprintf("%d %v %#x", n, hasCount, cmd))
	return nil
}

func exec(t *testing.T, f *fakeScope, text string) error {
	t.Helper()
	stmts, err := tsql.Parse(text)
	if err != nil {
		t.Fatalf("parse %q: %v", text, err)
	}
	switch x := stmts[0].(type) {
	case *tsql.InsertStmt:
		return dml.Insert(f, x)
	case *tsql.UpdateStmt:
		return dml.Update(f, x)
	case *tsql.DeleteStmt:
		return dml.Delete(f, x)
	case *tsql.TruncateStmt:
		return dml.Truncate(f, x)
	}
	t.Fatalf("%q is a %T", text, stmts[0])
	return nil
}

func wantNumber(t *testing.T, err error, n int32) {
	t.Helper()
	var e *sqlerr.Error
	if !errors.As(err, &e) || e.Number != n {
		t.Fatalf("error %v, want %d", err, n)
	}
}

// TestStatementsOverFakeScope runs INSERT, UPDATE, DELETE and TRUNCATE
// against a fake row store: defaults, identity, conversion, the row
// counts and DONE's command, and the errors that leave the table as it was.
func TestStatementsOverFakeScope(t *testing.T) {
	f := &fakeScope{t: &fakeTable{}}
	if err := exec(t, f, "INSERT INTO t (name) VALUES ('ab'), ('cd')"); err != nil {
		t.Fatal(err)
	}
	if err := exec(t, f, "INSERT INTO t (name, n) VALUES ('ef', DEFAULT), ('gh', 1)"); err != nil {
		t.Fatal(err)
	}
	want := [][]query.Value{{int64(1), "ab", int64(7)}, {int64(2), "cd", int64(7)}, {int64(3), "ef", int64(7)}, {int64(4), "gh", int64(1)}}
	if got := f.t.values(); !reflect.DeepEqual(got, want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
	if f.ident != int64(4) {
		t.Fatalf("identity %v, want 4", f.ident)
	}

	// Errors: nothing changes, and binding errors come before any row is read.
	wantNumber(t, exec(t, f, "INSERT INTO t (name) VALUES ('toolong')"), sqlerr.Truncation)
	wantNumber(t, exec(t, f, "INSERT INTO t (n) VALUES (1)"), sqlerr.NullNotAllowed)
	wantNumber(t, exec(t, f, "INSERT INTO t (id, name) VALUES (9, 'x')"), sqlerr.IdentityInsertOff)
	wantNumber(t, exec(t, f, "INSERT INTO t (name) VALUES ('a', 1)"), sqlerr.InsertFewerColumnsThanValues)
	scans := f.scans
	wantNumber(t, exec(t, f, "UPDATE t SET n = 1 WHERE nope = 1"), sqlerr.InvalidColumn)
	wantNumber(t, exec(t, f, "UPDATE t SET id = 1"), sqlerr.UpdateIdentity)
	wantNumber(t, exec(t, f, "DELETE TOP (-1) FROM t"), sqlerr.TopNegative)
	if f.scans != scans {
		t.Fatalf("a statement that failed to compile scanned the table")
	}
	if got := f.t.values(); !reflect.DeepEqual(got, want) {
		t.Fatalf("after the errors: rows %v, want %v", got, want)
	}

	if err := exec(t, f, "UPDATE t SET n += 10 WHERE id > 2"); err != nil {
		t.Fatal(err)
	}
	if err := exec(t, f, "DELETE TOP (1) FROM t WHERE n = 7"); err != nil {
		t.Fatal(err)
	}
	want = [][]query.Value{{int64(2), "cd", int64(7)}, {int64(3), "ef", int64(17)}, {int64(4), "gh", int64(11)}}
	if got := f.t.values(); !reflect.DeepEqual(got, want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
	if err := exec(t, f, "TRUNCATE TABLE t"); err != nil {
		t.Fatal(err)
	}
	if len(f.t.rows) != 0 || f.t.reseeds != 1 {
		t.Fatalf("after TRUNCATE: %d rows, %d reseeds", len(f.t.rows), f.t.reseeds)
	}
	wantDone := []string{"2 true 0xc3", "2 true 0xc3", "2 true 0xc5", "1 true 0xc4", "0 false 0x0"}
	if !reflect.DeepEqual(f.done, wantDone) {
		t.Fatalf("DONE %q, want %q", f.done, wantDone)
	}
}
