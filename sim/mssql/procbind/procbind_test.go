package procbind_test

import (
	"errors"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/procbind"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

func number(err error) int32 {
	var e *sqlerr.Error
	if errors.As(err, &e) {
		return e.Number
	}
	return 0
}

var params = []procbind.Param{
	{Name: "@a", Type: sqltypes.TypeInt},
	{Name: "@b", Type: sqltypes.NVarChar(10), Default: "x", HasDefault: true},
}

func TestBind(t *testing.T) {
	got, err := procbind.Bind("p", params, []procbind.Arg{{Val: "7", Type: sqltypes.NVarChar(1)}, {Name: "b", IsDefault: true, Output: true}})
	if err != nil {
		t.Fatal(err)
	}
	if a := got["@a"]; !a.Given || a.Val != int64(7) {
		t.Fatalf("@a bound as %+v, want the converted 7", a)
	}
	if b := got["@b"]; !b.Given || !b.Output || b.Val != "x" {
		t.Fatalf("@b bound as %+v, want its default, given as OUTPUT", b)
	}
	for _, c := range []struct {
		args []procbind.Arg
		want int32
	}{
		{[]procbind.Arg{{Val: int64(1), Type: sqltypes.TypeInt}, {Val: "x", Type: sqltypes.NVarChar(1)}, {Val: int64(3), Type: sqltypes.TypeInt}}, sqlerr.TooManyArguments},
		{[]procbind.Arg{{Name: "@c", Val: int64(1), Type: sqltypes.TypeInt}}, sqlerr.NotAParameter},
		{[]procbind.Arg{{Name: "@b", Val: "y", Type: sqltypes.NVarChar(1)}}, sqlerr.ParameterNotSupplied},
		{[]procbind.Arg{{Val: "seven", Type: sqltypes.NVarChar(5)}}, sqlerr.ConvertError},
	} {
		if _, err := procbind.Bind("p", params, c.args); number(err) != c.want {
			t.Errorf("%+v: error %v, want %d", c.args, err, c.want)
		}
	}
}

func TestParseDecls(t *testing.T) {
	ds, err := procbind.ParseDecls("@a int, @b decimal(10, 2) OUTPUT, @c int = 5", tsql.Parse)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 3 || ds[0].Name != "@a" || ds[1].Type.Kind != sqltypes.KindDecimal || !ds[1].Output || ds[2].Default == nil {
		t.Fatalf("declarations: %+v", ds)
	}
	if ds, err := procbind.ParseDecls("", tsql.Parse); err != nil || len(ds) != 0 {
		t.Fatalf("empty text: %v, %v", ds, err)
	}
	for _, text := range []string{"@a int,", "@a", "@a nosuchtype"} {
		if _, err := procbind.ParseDecls(text, tsql.Parse); err == nil {
			t.Errorf("%q parsed", text)
		}
	}
}

func nv(s string) procbind.Arg { return procbind.Arg{Val: s, Type: sqltypes.NVarChar(len(s))} }

func TestSplitExecuteSQL(t *testing.T) {
	stmt := nv("SELECT @a")
	call, err := procbind.SplitExecuteSQL([]procbind.Arg{stmt, nv("@a int"), {Val: int64(1), Type: sqltypes.TypeInt}})
	if err != nil || call.Stmt != "SELECT @a" || call.Params != "@a int" || len(call.Rest) != 1 || call.Rest[0] != 2 {
		t.Fatalf("positional: %+v, %v", call, err)
	}
	named := []procbind.Arg{{Name: "@b", Val: int64(2), Type: sqltypes.TypeInt}, {Name: "@params", Type: sqltypes.NVarChar(10)}, {Name: "@Statement", Val: "SELECT 1", Type: sqltypes.NVarChar(8)}}
	if call, err := procbind.SplitExecuteSQL(named); err != nil || call.Stmt != "SELECT 1" || call.Params != "" || len(call.Rest) != 1 || call.Rest[0] != 0 {
		t.Fatalf("named, NULL @params: %+v, %v", call, err)
	}
	for _, c := range []struct {
		args []procbind.Arg
		want int32
	}{
		{[]procbind.Arg{{Name: "@params", Val: "@a int", Type: sqltypes.NVarChar(6)}}, sqlerr.ParameterNotSupplied},
		{[]procbind.Arg{{Val: "SELECT 1", Type: sqltypes.VarChar(8)}}, sqlerr.ProcParameterType},
		{[]procbind.Arg{stmt, {Val: "@a int", Type: sqltypes.VarChar(6)}}, sqlerr.ProcParameterType},
	} {
		if _, err := procbind.SplitExecuteSQL(c.args); number(err) != c.want {
			t.Errorf("%+v: error %v, want %d", c.args, err, c.want)
		}
	}
}

func TestBindDecls(t *testing.T) {
	decls, err := procbind.ParseDecls("@a int, @b nvarchar(10) OUTPUT, @c int = 5", tsql.Parse)
	if err != nil {
		t.Fatal(err)
	}
	bind := func(args ...procbind.Arg) ([]sqltypes.Value, map[int]int, []string, error) {
		all := append([]procbind.Arg{nv("SELECT 1"), nv("@a int, @b nvarchar(10) OUTPUT, @c int = 5")}, args...)
		call, err := procbind.SplitExecuteSQL(all)
		if err != nil {
			t.Fatal(err)
		}
		vals := make([]sqltypes.Value, len(decls))
		var evaluated []string
		eval := func(e tsql.Expr) (sqltypes.Value, sqltypes.Type, error) {
			evaluated = append(evaluated, e.(*tsql.IntLit).Raw)
			return int64(5), sqltypes.TypeInt, nil
		}
		target, err := procbind.BindDecls(call, decls, all, eval, func(k int, v sqltypes.Value) { vals[k] = v })
		return vals, target, evaluated, err
	}
	vals, target, evaluated, err := bind(nv("7"), procbind.Arg{Name: "b", Val: int64(3), Type: sqltypes.TypeInt, Output: true})
	if err != nil {
		t.Fatal(err)
	}
	if vals[0] != int64(7) || vals[1] != "3" || vals[2] != int64(5) {
		t.Errorf("values %#v, want 7 converted to int, 3 to nvarchar, @c's default 5", vals)
	}
	if target[2] != 0 || target[3] != 1 || len(evaluated) != 1 {
		t.Errorf("targets %v (want argument 2 -> @a, 3 -> @b), defaults evaluated %v", target, evaluated)
	}
	if vals, _, _, err := bind(procbind.Arg{Name: "@c", IsDefault: true}, procbind.Arg{Name: "@a"}, procbind.Arg{Name: "@b", Val: "x", Type: sqltypes.NVarChar(1)}); err != nil || vals[0] != nil || vals[2] != nil {
		t.Errorf("DEFAULT and NULL: %#v, %v: a named DEFAULT is given, no default evaluated", vals, err)
	}
	for _, c := range []struct {
		args []procbind.Arg
		want int32
	}{
		{[]procbind.Arg{nv("1"), nv("x"), nv("3"), nv("4")}, sqlerr.TooManyArguments},
		{[]procbind.Arg{{Name: "@d", Val: int64(1), Type: sqltypes.TypeInt}}, sqlerr.NotAParameter},
		{[]procbind.Arg{nv("seven")}, sqlerr.ConvertError},
		{[]procbind.Arg{nv("1")}, sqlerr.QueryParameterNotSupplied},
	} {
		if _, _, _, err := bind(c.args...); number(err) != c.want {
			t.Errorf("%+v: error %v, want %d", c.args, err, c.want)
		}
	}
}

// A call's body reads a parameter by any case of its name, its default
// when it was not passed, and writes an OUTPUT parameter back.
func TestCallArguments(t *testing.T) {
	params := []procbind.Param{{Name: "@db", Type: sqltypes.TypeSysname}, {Name: "@n", Type: sqltypes.TypeInt, Default: int64(5), HasDefault: true, Output: true}}
	bound, err := procbind.Bind("sp_x", params, []procbind.Arg{{Val: "mgc", Type: sqltypes.TypeSysname}})
	if err != nil {
		t.Fatal(err)
	}
	c := procbind.NewCall("sp_x", "master", bound)
	if c.Arg("@DB") != "mgc" || !c.Given("@db") || c.Given("@n") || c.Arg("@n") != int64(5) || c.Arg("@none") != nil {
		t.Fatalf("@db %v (given %v), @n %v (given %v)", c.Arg("@db"), c.Given("@db"), c.Arg("@n"), c.Given("@n"))
	}
	c.SetOutput("@N", int64(9))
	c.SetOutput("@none", int64(1))
	if bound["@n"].Val != int64(9) || c.Name != "sp_x" || c.Qualifier != "master" {
		t.Fatalf("after SetOutput: @n %v", bound["@n"].Val)
	}
}
