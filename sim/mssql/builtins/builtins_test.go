package builtins

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sqlerr"
)

// lit is a constant argument.
func lit(v Value, t Type) Expr {
	return Expr{Type: t, Nullable: v == nil, NullLiteral: v == nil, Eval: func(Env) (Value, error) { return v, nil }}
}

// call compiles and evaluates name(args) the way the engine does.
func call(t *testing.T, name, part string, args ...Expr) (Value, error) {
	t.Helper()
	f, ok := Lookup(name)
	if !ok {
		t.Fatalf("%s: no such built-in", name)
	}
	n := len(args)
	if f.DatePart {
		n++
	}
	if err := f.CheckArity(name, n); err != nil {
		return nil, err
	}
	e, err := f.Compile(Call{Name: name, Part: part, Args: args})
	if err != nil {
		return nil, err
	}
	return e.Eval(nil)
}

func number(err error) int32 {
	var e *sqlerr.Error
	if errors.As(err, &e) {
		return e.Number
	}
	return 0
}

func TestArity(t *testing.T) {
	tests := []struct {
		name string
		n    int
		want int32
		text string
	}{
		{"LEN", 2, sqlerr.FunctionArgCount, "The LEN function requires 1 argument(s)."},
		{"charindex", 4, sqlerr.FunctionArgRange, "The charindex function requires 2 to 3 arguments."},
		{"COALESCE", 1, sqlerr.FunctionArgRange, "The coalesce function requires 2 to 255 arguments."},
		{"DATEADD", 2, sqlerr.FunctionArgCount, "The dateadd function requires 3 argument(s)."},
		{"checksum", 0, sqlerr.FunctionArgRange, "The checksum function requires 1 to 255 arguments."},
	}
	for _, tt := range tests {
		f, _ := Lookup(strings.ToLower(tt.name))
		err := f.CheckArity(tt.name, tt.n)
		if number(err) != tt.want || err.(*sqlerr.Error).Message != tt.text {
			t.Errorf("%s with %d args: %v (%d), want %d %q", tt.name, tt.n, err, number(err), tt.want, tt.text)
		}
	}
	if f, _ := Lookup("coalesce"); f.CheckArity("coalesce", 300) != nil {
		t.Error("coalesce of 300 arguments refused; the simulator does not enforce the documented 255")
	}
}

func TestDatePartKeywords(t *testing.T) {
	for word, want := range map[string]string{"yyyy": "year", "QQ": "quarter", "dw": "weekday", "mcs": "microsecond"} {
		if got, err := DatePart(word, "datepart"); err != nil || got != want {
			t.Errorf("DatePart(%q) = %q, %v; want %q", word, got, err, want)
		}
	}
	_, err := DatePart("fortnight", "DATEADD")
	if number(err) != sqlerr.UnknownOption || err.(*sqlerr.Error).Message != "'fortnight' is not a recognized DATEADD option." {
		t.Errorf("unknown datepart: %v", err)
	}
}

// DATEADD clamps to the month's end; DATEDIFF counts boundaries crossed.
func TestDates(t *testing.T) {
	jan31 := time.Date(2024, 1, 31, 10, 0, 0, 0, time.UTC)
	v, err := call(t, "dateadd", "month", lit(int64(1), sqltypes.TypeInt), lit(jan31, sqltypes.DateTime2(7)))
	if want := time.Date(2024, 2, 29, 10, 0, 0, 0, time.UTC); err != nil || !v.(time.Time).Equal(want) {
		t.Errorf("dateadd(month, 1, 2024-01-31) = %v, %v; want %v", v, err, want)
	}
	// Saturday to Sunday crosses one week boundary (weeks start on Sunday).
	sat, sun := time.Date(2024, 3, 2, 23, 0, 0, 0, time.UTC), time.Date(2024, 3, 3, 1, 0, 0, 0, time.UTC)
	v, err = call(t, "datediff", "week", lit(sat, sqltypes.DateTime2(7)), lit(sun, sqltypes.DateTime2(7)))
	if err != nil || v != int64(1) {
		t.Errorf("datediff(week, sat, sun) = %v, %v; want 1", v, err)
	}
	v, err = call(t, "datediff", "year", lit("2023-12-31", sqltypes.VarChar(20)), lit("2024-01-01", sqltypes.VarChar(20)))
	if err != nil || v != int64(1) {
		t.Errorf("datediff(year, '2023-12-31', '2024-01-01') = %v, %v; want 1", v, err)
	}
	_, err = call(t, "dateadd", "year", lit(int64(8000), sqltypes.TypeInt), lit(jan31, sqltypes.TypeDateTime))
	if number(err) != sqlerr.DateAddOverflow {
		t.Errorf("dateadd past 9999: %v, want %d", err, sqlerr.DateAddOverflow)
	}
}

func TestRoundDecimal(t *testing.T) {
	tests := []struct {
		in   string
		s    int
		kind string
		want string
	}{
		{"2.45", 1, "round", "2.50"},
		{"-2.45", 1, "round", "-2.50"},
		{"-2.45", 0, "floor", "-3"},
		{"2.01", 0, "ceiling", "3"},
		{"2.4", 2, "round", "2.4"},
	}
	for _, tt := range tests {
		d, err := sqltypes.ParseDecimal(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := roundDecimal(d, tt.s, tt.kind).String(); got != tt.want {
			t.Errorf("roundDecimal(%s, %d, %s) = %s, want %s", tt.in, tt.s, tt.kind, got, tt.want)
		}
	}
}

func TestStrings(t *testing.T) {
	vc := sqltypes.VarChar(50)
	tests := []struct {
		name string
		args []Expr
		want Value
	}{
		{"replace", []Expr{lit("Abcabc", vc), lit("B", vc), lit("x", vc)}, "Axcaxc"},
		{"charindex", []Expr{lit("C", vc), lit("abcabc", vc), lit(int64(4), sqltypes.TypeInt)}, int64(6)},
		{"substring", []Expr{lit("abc", vc), lit(int64(0), sqltypes.TypeInt), lit(int64(2), sqltypes.TypeInt)}, "a"},
		{"len", []Expr{lit("ab  ", vc)}, int64(2)},
		{"quotename", []Expr{lit("a]b", vc)}, "[a]]b]"},
		{"concat", []Expr{lit("a", vc), lit(nil, vc), lit(int64(1), sqltypes.TypeInt)}, "a1"},
		{"isnull", []Expr{lit(nil, vc), lit("y", vc)}, "y"},
		{"coalesce", []Expr{lit(nil, vc), lit(nil, vc), lit("z", vc)}, "z"},
	}
	for _, tt := range tests {
		got, err := call(t, tt.name, "", tt.args...)
		if err != nil || got != tt.want {
			t.Errorf("%s = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	_, err := call(t, "coalesce", "", lit(nil, sqltypes.TypeInt), lit(nil, sqltypes.TypeInt))
	if number(err) != sqlerr.CoalesceAllNull {
		t.Errorf("coalesce(NULL, NULL): %v, want %d", err, sqlerr.CoalesceAllNull)
	}
	_, err = call(t, "left", "", lit("abc", vc), lit(int64(-1), sqltypes.TypeInt))
	if number(err) != sqlerr.InvalidLength {
		t.Errorf("left(x, -1): %v, want %d", err, sqlerr.InvalidLength)
	}
}
