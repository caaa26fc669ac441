package query_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/collation"
	"github.com/pchatdr/harness/sim/mssql/query"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// fakeScope is the smallest query.Scope: one table t(a int, b varchar),
// the variables it is given, @@SPID and one session function, so that
// the compiler is tested without an instance. It counts the scans of t,
// which compile-time errors must leave at zero.
type fakeScope struct {
	vars  map[string]*fakeVar
	rows  [][]query.Value
	scans int
	spid  int64
}

type fakeVar struct {
	t query.Type
	v query.Value
}

func (v *fakeVar) Type() query.Type           { return v.t }
func (v *fakeVar) Value() query.Value         { return v.v }
func (v *fakeVar) Set(val query.Value)        { v.v = val }
func (f *fakeScope) Context() context.Context { return context.Background() }
func (f *fakeScope) Collation() collation.ID  { return collation.Default }

func (f *fakeScope) Var(name string) query.Var {
	if v, ok := f.vars[strings.ToLower(name)]; ok {
		return v
	}
	return nil
}

func (f *fakeScope) GlobalVar(x *tsql.GlobalVarRef) (*query.Expr, error) {
	if strings.EqualFold(x.Name, "@@spid") {
		return &query.Expr{Type: sqltypes.TypeSmallInt, Eval: func(*query.Env) (query.Value, error) { return f.spid, nil }}, nil
	}
	return nil, sqlerr.New(sqlerr.MustDeclareVariable, x.Name)
}

// Func has ANSWER(): 42, read when the expression runs.
func (f *fakeScope) Func(name string) query.Func {
	if name != "answer" {
		return nil
	}
	return func(c *query.Compiler, fc *tsql.FuncCall) (*query.Expr, error) {
		return &query.Expr{Type: sqltypes.TypeInt, Eval: func(*query.Env) (query.Value, error) { return int64(42), nil }}, nil
	}
}

func (f *fakeScope) Table(x *tsql.TableRef) (*query.Source, error) {
	if !strings.EqualFold(x.Name.Object().Name, "t") {
		return nil, sqlerr.New(sqlerr.InvalidObject, x.Name.Object().Name)
	}
	exposed := "t"
	if x.Alias != nil {
		exposed = x.Alias.Name
	}
	q := strings.ToLower(exposed)
	cols := []query.BindCol{
		{Qual: q, Schema: "dbo", Name: "a", Type: sqltypes.TypeInt, Nullable: true},
		{Qual: q, Schema: "dbo", Name: "b", Type: sqltypes.VarChar(10), Nullable: true},
	}
	return &query.Source{Cols: cols, Names: []string{exposed}, Run: func(*query.Env) ([][]query.Value, error) {
		f.scans++
		out := make([][]query.Value, len(f.rows))
		for i, r := range f.rows {
			out[i] = append([]query.Value(nil), r...)
		}
		return out, nil
	}}, nil
}

func (f *fakeScope) TableVar(x *tsql.TableVarRef) (*query.Source, error) {
	return nil, sqlerr.New(sqlerr.MustDeclareTableVariable, x.Name)
}

func (f *fakeScope) TableFunc(x *tsql.FuncTable) (*query.Source, error) {
	return nil, sqlerr.New(sqlerr.InvalidObject, query.NameText(&x.Call.Name))
}

func newFake() *fakeScope {
	return &fakeScope{
		vars: map[string]*fakeVar{"@n": {t: sqltypes.TypeInt, v: int64(2)}, "@s": {t: sqltypes.VarChar(20)}},
		rows: [][]query.Value{{int64(1), "x"}, {int64(2), "y"}, {int64(2), "z"}, {nil, "w"}},
		spid: 51,
	}
}

func selectStmt(t *testing.T, text string) *tsql.SelectStmt {
	t.Helper()
	stmts, err := tsql.Parse(text)
	if err != nil {
		t.Fatalf("parse %q: %v", text, err)
	}
	q, ok := stmts[0].(*tsql.SelectStmt)
	if !ok {
		t.Fatalf("%q is a %T", text, stmts[0])
	}
	return q
}

func run(t *testing.T, f *fakeScope, text string) ([]query.Column, [][]query.Value) {
	t.Helper()
	p, err := query.New(f).Query(selectStmt(t, text), nil)
	if err != nil {
		t.Fatalf("compile %q: %v", text, err)
	}
	rows, err := p.Run(nil, -1)
	if err != nil {
		t.Fatalf("run %q: %v", text, err)
	}
	return p.Cols, rows
}

// TestQueryThroughScope: names the query does not define resolve through
// the Scope (a table, a variable, @@SPID, a session function), the rest
// is the compiler's (grouping, a correlated subquery, a recursive CTE).
func TestQueryThroughScope(t *testing.T) {
	cases := []struct {
		text string
		want [][]query.Value
	}{
		{"SELECT a, b FROM t WHERE a = @n ORDER BY b DESC", [][]query.Value{{int64(2), "z"}, {int64(2), "y"}}},
		{"SELECT ANSWER() + @@SPID", [][]query.Value{{int64(93)}}},
		{"SELECT a, COUNT(*) AS n FROM t GROUP BY a HAVING COUNT(*) > 1", [][]query.Value{{int64(2), int64(2)}}},
		{"SELECT b FROM t AS o WHERE EXISTS (SELECT 1 FROM t AS i WHERE i.a = o.a AND i.b <> o.b) ORDER BY b", [][]query.Value{{"y"}, {"z"}}},
		{"WITH r(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM r WHERE k < @n + 1) SELECT k FROM r", [][]query.Value{{int64(1)}, {int64(2)}, {int64(3)}}},
		{"SELECT IIF(a IS NULL, 'none', b) FROM t WHERE b = 'w'", [][]query.Value{{"none"}}},
	}
	for _, c := range cases {
		_, rows := run(t, newFake(), c.text)
		if !reflect.DeepEqual(rows, c.want) {
			t.Errorf("%s:\n got %v\nwant %v", c.text, rows, c.want)
		}
	}
}

// TestCompileErrorsReadNoRows: binding errors are found before any row
// is read, as SQL Server reports them for an empty table too.
func TestCompileErrorsReadNoRows(t *testing.T) {
	cases := []struct {
		text string
		want int32
	}{
		{"SELECT c FROM t", sqlerr.InvalidColumn},
		{"SELECT a FROM t AS x CROSS JOIN t AS y", sqlerr.AmbiguousColumn},
		{"SELECT z.a FROM t", sqlerr.MultiPartIdentifier},
		{"SELECT @missing", sqlerr.MustDeclareVariable},
		{"SELECT b FROM t GROUP BY a", sqlerr.NotInGroupBy},
		{"SELECT a FROM t, t", sqlerr.DuplicateExposedNames},
		{"SELECT a FROM nosuch", sqlerr.InvalidObject},
		{"SELECT NOSUCHFUNC(a) FROM t", sqlerr.UnknownBuiltinFunction},
	}
	for _, c := range cases {
		f := newFake()
		_, err := query.New(f).Query(selectStmt(t, c.text), nil)
		var e *sqlerr.Error
		if !errors.As(err, &e) || e.Number != c.want {
			t.Errorf("%s: got %v, want error %d", c.text, err, c.want)
		}
		if f.scans != 0 {
			t.Errorf("%s: %d scans before the error", c.text, f.scans)
		}
	}
}

// TestSelectAssignsThroughVar: SELECT @v = ... stores through Var.Set,
// converted to the variable's type; the plan has no result set.
func TestSelectAssignsThroughVar(t *testing.T) {
	f := newFake()
	p, err := query.New(f).Query(selectStmt(t, "SELECT @s = b + '!' FROM t WHERE a = 1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Assign) != 1 {
		t.Fatalf("assign targets: %d, want 1", len(p.Assign))
	}
	if _, err := p.Run(nil, -1); err != nil {
		t.Fatal(err)
	}
	if got := f.vars["@s"].v; got != "x!" {
		t.Errorf("@s = %v, want x!", got)
	}
}
