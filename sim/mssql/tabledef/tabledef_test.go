package tabledef_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/collation"
	"github.com/pchatdr/harness/sim/mssql/tabledef"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// fakeScope is the smallest tabledef.Scope: IDENTITY's seed and increment
// are integer literals, and a failed constraint is recorded, so that the
// definition rules are tested without an instance.
type fakeScope struct{ failed []*sqlerr.Error }

func (f *fakeScope) ConstInt(e tsql.Expr, def int64) (int64, error) {
	if e == nil {
		return def, nil
	}
	var n int64
	for _, c := range e.String() {
		if c < '0' || c > '9' {
			return 0, sqlerr.New(sqlerr.SyntaxError, e.String())
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}

func (f *fakeScope) ConstraintFail(e *sqlerr.Error) error {
	f.failed = append(f.failed, e)
	return sqlerr.New(sqlerr.ConstraintNotCreated)
}

func build(t *testing.T, sc *fakeScope, sql string) (tabledef.Table, error) {
	t.Helper()
	stmts, err := tsql.Parse(sql)
	if err != nil {
		t.Fatalf("parse %q: %v", sql, err)
	}
	x, ok := stmts[0].(*tsql.CreateTableStmt)
	if !ok {
		t.Fatalf("%q parsed as %T", sql, stmts[0])
	}
	return tabledef.Build(sc, x, tabledef.Options{Schema: "dbo", Name: "orders", Collation: collation.Default})
}

func number(err error) int32 {
	var e *sqlerr.Error
	if errors.As(err, &e) {
		return e.Number
	}
	return 0
}

func TestBuildKeysAndIdentity(t *testing.T) {
	def, err := build(t, &fakeScope{}, "CREATE TABLE orders (id int IDENTITY(10,5) PRIMARY KEY, code varchar(10) NOT NULL UNIQUE, note nvarchar(20) NULL DEFAULT N'x')")
	if err != nil {
		t.Fatal(err)
	}
	if len(def.Cols) != 3 || def.Cols[0].Seed != 10 || def.Cols[0].Incr != 5 || !def.Cols[0].Identity || def.Cols[0].Nullable {
		t.Fatalf("columns: %+v", def.Cols)
	}
	if !def.Cols[2].Nullable || def.Cols[2].Default != "N'x'" || !strings.HasPrefix(def.Cols[2].DefaultName, "DF__orders__") {
		t.Fatalf("default column: %+v", def.Cols[2])
	}
	if len(def.Indexes) != 2 || !def.Indexes[0].Primary || !strings.HasPrefix(def.Indexes[0].Name, "PK__orders__") || !strings.HasPrefix(def.Indexes[1].Name, "UQ__orders__") {
		t.Fatalf("indexes: %+v", def.Indexes)
	}
	if got := def.ColIndex("CODE"); got != 1 {
		t.Fatalf("ColIndex(CODE) = %d, want 1", got)
	}
}

func TestBuildErrors(t *testing.T) {
	for _, c := range []struct {
		sql  string
		want int32
	}{
		{"CREATE TABLE orders (a int, A int)", sqlerr.DuplicateColumnName},
		{"CREATE TABLE orders (a varchar(5) IDENTITY)", sqlerr.IdentityType},
		{"CREATE TABLE orders (a int IDENTITY(1,0))", sqlerr.IdentityType},
		{"CREATE TABLE orders (a int IDENTITY NULL)", sqlerr.IdentityNullable},
		{"CREATE TABLE orders (a int IDENTITY DEFAULT 1)", sqlerr.DefaultOnIdentity},
		{"CREATE TABLE orders (a int PRIMARY KEY, b int PRIMARY KEY)", sqlerr.MultiplePrimaryKeys},
		{"CREATE TABLE orders (a int, PRIMARY KEY (b))", sqlerr.ColumnNotInTarget},
		{"CREATE TABLE orders (a int NULL PRIMARY KEY)", sqlerr.ConstraintNotCreated},
	} {
		sc := &fakeScope{}
		if _, err := build(t, sc, c.sql); number(err) != c.want {
			t.Errorf("%s: error %v, want %d", c.sql, err, c.want)
		}
	}
	sc := &fakeScope{}
	if _, err := build(t, sc, "CREATE TABLE orders (a int NULL, CONSTRAINT pk PRIMARY KEY (a))"); number(err) != sqlerr.ConstraintNotCreated {
		t.Fatalf("nullable key column: %v", err)
	}
	if len(sc.failed) != 1 || sc.failed[0].Number != sqlerr.PrimaryKeyNullable {
		t.Fatalf("the scope was told %v, want 8111 first", sc.failed)
	}
}

func TestTempNames(t *testing.T) {
	if got := tabledef.TempSuffix(0x3A); got != "________00000000003A" {
		t.Fatalf("TempSuffix(0x3A) = %q", got)
	}
	if got := tabledef.StoredName("#t", 0x3A); got != "#t________00000000003A" {
		t.Fatalf("StoredName(#t) = %q", got)
	}
	for _, n := range []string{"##t", "t"} {
		if got := tabledef.StoredName(n, 0x3A); got != n {
			t.Fatalf("StoredName(%s) = %q", n, got)
		}
	}
}
