package builtins

import (
	"testing"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

func TestFormatRaiserror(t *testing.T) {
	i, s := sqltypes.TypeInt, sqltypes.NVarChar(20)
	cases := []struct {
		format string
		args   []Value
		types  []Type
		want   string
	}{
		{"plain", nil, nil, "plain"},
		{"%d and %s", []Value{int64(5), "x"}, []Type{i, s}, "5 and x"},
		{"[%5d][%-5s]", []Value{int64(42), "ab"}, []Type{i, s}, "[   42][ab   ]"},
		{"%x %X %o", []Value{int64(255), int64(255), int64(8)}, []Type{i, i, i}, "ff FF 10"},
		{"100%%", nil, nil, "100%"},
		{"%*d", []Value{int64(4), int64(7)}, []Type{i, i}, "   7"},
		{"%.2s", []Value{"abcdef"}, []Type{s}, "ab"},
		{"%s missing", nil, nil, "(null) missing"},
		{"%d", []Value{nil}, []Type{i}, "(null)"},
		{"%I64d %ld %hs", []Value{int64(9), int64(8), "h"}, []Type{i, i, s}, "9 8 h"},
		{"trailing %", nil, nil, "trailing %"},
	}
	for _, c := range cases {
		if got := FormatMessage(c.format, c.args, c.types); got != c.want {
			t.Errorf("FormatMessage(%q) = %q, want %q", c.format, got, c.want)
		}
	}
}
