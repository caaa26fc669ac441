package rowset

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sqlerr"
)

// The Env these tests pass is the row itself; column i reads it.
func column(i int, t Type) Col {
	return Col{Type: t, Eval: func(e Env) (Value, error) { return e.(Row)[i], nil }}
}

func rowAt(r Row) Env { return r }

func number(err error) int32 {
	var e *sqlerr.Error
	if errors.As(err, &e) {
		return e.Number
	}
	return 0
}

var (
	tInt = sqltypes.TypeInt
	tStr = sqltypes.NVarChar(20)
)

// GROUP BY a, COUNT(*), COUNT(b), SUM(b), MIN(b), MAX(b), AVG(b): groups
// in first-seen order, NULL a value of its own group, NULL arguments
// skipped, AVG of int an int (integer division).
func TestGroup(t *testing.T) {
	rows := []Row{
		{"x", int64(1)}, {"y", int64(10)}, {"x", nil}, {nil, int64(4)}, {"x", int64(2)}, {nil, int64(5)},
	}
	var aggs []*Agg
	for _, fn := range []string{"count", "sum", "min", "max", "avg"} {
		a, err := NewAgg(fn, false, false, column(1, tInt))
		if err != nil {
			t.Fatal(err)
		}
		aggs = append(aggs, a)
	}
	star, err := NewAgg("count", true, false, Col{})
	if err != nil {
		t.Fatal(err)
	}
	aggs = append(aggs, star)
	got, err := Group(rows, []Col{column(0, tStr)}, aggs, rowAt)
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{
		{"x", int64(2), int64(3), int64(1), int64(2), int64(1), int64(3)},
		{"y", int64(1), int64(10), int64(10), int64(10), int64(10), int64(1)},
		{nil, int64(2), int64(9), int64(4), int64(5), int64(4), int64(2)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Group = %v, want %v", got, want)
	}
}

// Without GROUP BY an empty input is one row: COUNT 0, SUM NULL.
func TestGroupEmptyInput(t *testing.T) {
	cnt, _ := NewAgg("count", true, false, Col{})
	sum, _ := NewAgg("sum", false, false, column(0, tInt))
	got, err := Group(nil, nil, []*Agg{cnt, sum}, rowAt)
	if err != nil {
		t.Fatal(err)
	}
	if want := []Row{{int64(0), nil}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Group = %v, want %v", got, want)
	}
}

// COUNT(DISTINCT b) counts equal values once, strings by the collation's
// rule (case-insensitive).
func TestCountDistinct(t *testing.T) {
	a, _ := NewAgg("count", false, true, column(0, tStr))
	got, err := Group([]Row{{"a"}, {"A"}, {"b"}, {nil}}, nil, []*Agg{a}, rowAt)
	if err != nil {
		t.Fatal(err)
	}
	if got[0][0] != int64(2) {
		t.Fatalf("COUNT(DISTINCT) = %v, want 2", got[0][0])
	}
}

// The result types of SQL Server's aggregate pages, and 8117 for an
// argument type an aggregate does not take.
func TestAggTypes(t *testing.T) {
	cases := []struct {
		fn   string
		arg  Type
		want Type
	}{
		{"sum", sqltypes.Type{Kind: sqltypes.KindTinyInt}, tInt},
		{"sum", sqltypes.TypeBigInt, sqltypes.TypeBigInt},
		{"avg", sqltypes.DecimalType(10, 2), sqltypes.DecimalType(38, 6)},
		{"sum", sqltypes.DecimalType(10, 2), sqltypes.DecimalType(38, 2)},
		{"avg", sqltypes.Type{Kind: sqltypes.KindReal}, sqltypes.TypeFloat},
		{"max", tStr, tStr},
		{"count_big", tStr, sqltypes.TypeBigInt},
	}
	for _, c := range cases {
		a, err := NewAgg(c.fn, false, false, Col{Type: c.arg})
		if err != nil {
			t.Fatalf("%s(%s): %v", c.fn, c.arg.Name(), err)
		}
		if a.Type != c.want {
			t.Errorf("%s(%s) is %s, want %s", c.fn, c.arg.Name(), a.Type.Name(), c.want.Name())
		}
	}
	if _, err := NewAgg("sum", false, false, Col{Type: tStr}); number(err) != sqlerr.InvalidOperandType {
		t.Fatalf("SUM(nvarchar) = %v, want 8117", err)
	}
}

// ROW_NUMBER, RANK and DENSE_RANK over (PARTITION BY p ORDER BY o DESC):
// ties share RANK and DENSE_RANK, RANK skips after them; NULL sorts first
// ascending, so last descending.
func TestWindows(t *testing.T) {
	rows := []Row{
		{"a", int64(5)}, {"b", int64(1)}, {"a", int64(7)}, {"a", int64(5)}, {"a", nil},
	}
	var specs []*Window
	for _, fn := range []string{"row_number", "rank", "dense_rank"} {
		specs = append(specs, &Window{Fn: fn, Partition: []Col{column(0, tStr)}, Order: []Col{column(1, tInt)}, Desc: []bool{true}})
	}
	sum, _ := NewAgg("sum", false, false, column(1, tInt))
	specs = append(specs, &Window{Fn: "sum", Partition: []Col{column(0, tStr)}, Agg: sum})
	got, err := Windows(specs, rows, rowAt)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]Value{
		{int64(2), int64(2), int64(2), int64(17)},
		{int64(1), int64(1), int64(1), int64(1)},
		{int64(1), int64(1), int64(1), int64(17)},
		{int64(3), int64(2), int64(2), int64(17)},
		{int64(4), int64(4), int64(3), int64(17)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Windows = %v, want %v", got, want)
	}
}

// ORDER BY 1, 2 DESC: NULL first ascending, a stable sort.
func TestSort(t *testing.T) {
	rows := []Row{{int64(2), "b"}, {nil, "z"}, {int64(1), "a"}, {int64(2), "c"}, {int64(1), "b"}}
	if err := Sort(rows, []OrderKey{{Col: 0}, {Col: 1, Desc: true}}, []Type{tInt, tStr}); err != nil {
		t.Fatal(err)
	}
	want := []Row{{nil, "z"}, {int64(1), "b"}, {int64(1), "a"}, {int64(2), "c"}, {int64(2), "b"}}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("Sort = %v, want %v", rows, want)
	}
}

// UNION's DISTINCT, INTERSECT and EXCEPT treat NULLs as equal and give
// each row once.
func TestSetOps(t *testing.T) {
	types := []Type{tInt}
	l := []Row{{int64(1)}, {nil}, {int64(2)}, {int64(1)}, {nil}}
	r := []Row{{nil}, {int64(2)}}
	if got, want := Distinct(l, types), []Row{{int64(1)}, {nil}, {int64(2)}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Distinct = %v, want %v", got, want)
	}
	if got, want := Intersect(l, r, types), []Row{{nil}, {int64(2)}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Intersect = %v, want %v", got, want)
	}
	if got, want := Except(l, r, types), []Row{{int64(1)}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Except = %v, want %v", got, want)
	}
}

// A recursion that ends returns every level; one beyond MAXRECURSION is
// 530; MAXRECURSION 0 has no limit; a cancelled statement stops.
func TestFixpoint(t *testing.T) {
	upTo := func(n int64) func([]Row) ([]Row, error) {
		return func(level []Row) ([]Row, error) {
			var next []Row
			for _, r := range level {
				if v := r[0].(int64); v < n {
					next = append(next, Row{v + 1})
				}
			}
			return next, nil
		}
	}
	ctx := context.Background()
	got, err := Fixpoint(ctx, []Row{{int64(0)}}, upTo(3), DefaultMaxRecursion)
	if err != nil {
		t.Fatal(err)
	}
	if want := []Row{{int64(0)}, {int64(1)}, {int64(2)}, {int64(3)}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Fixpoint = %v, want %v", got, want)
	}
	if _, err := Fixpoint(ctx, []Row{{int64(0)}}, upTo(3), 2); number(err) != sqlerr.MaxRecursionExhausted {
		t.Fatalf("3 levels under MAXRECURSION 2: %v, want 530", err)
	}
	if _, err := Fixpoint(ctx, []Row{{int64(0)}}, upTo(3), 3); err != nil {
		t.Fatalf("3 levels under MAXRECURSION 3: %v", err)
	}
	if got, err := Fixpoint(ctx, []Row{{int64(0)}}, upTo(150), 0); err != nil || len(got) != 151 {
		t.Fatalf("MAXRECURSION 0: %d rows, %v; want 151", len(got), err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Fixpoint(cctx, []Row{{int64(0)}}, upTo(3), 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}
