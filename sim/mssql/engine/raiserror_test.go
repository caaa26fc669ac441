package engine

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
		if got := formatRaiserror(c.format, c.args, c.types); got != c.want {
			t.Errorf("formatRaiserror(%q) = %q, want %q", c.format, got, c.want)
		}
	}
}

func TestParseWaitTime(t *testing.T) {
	ok := map[string]string{"00:00:01": "1s", "01:02:03.5": "1h2m3.5s", "00:10": "10m0s"}
	for in, want := range ok {
		d, good := parseWaitTime(in)
		if !good || d.String() != want {
			t.Errorf("parseWaitTime(%q) = %v %v, want %s", in, d, good, want)
		}
	}
	for _, bad := range []string{"", "1", "25:00:00", "00:61:00", "a:b", "00:00:60"} {
		if _, good := parseWaitTime(bad); good {
			t.Errorf("parseWaitTime(%q) accepted", bad)
		}
	}
}
