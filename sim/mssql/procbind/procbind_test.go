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
