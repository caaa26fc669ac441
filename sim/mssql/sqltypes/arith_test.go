package sqltypes

import (
	"math"
	"testing"
)

func TestArith(t *testing.T) {
	vc := VarChar(10)
	nv := NVarChar(10)
	tests := []struct {
		op       byte
		a, b     Value
		ta, tb   Type
		want     Value
		wantType string
		err      int32
	}{
		// integers
		{'+', int64(2), int64(3), TypeInt, TypeInt, int64(5), "int", 0},
		{'-', int64(2), int64(3), TypeInt, TypeSmallInt, int64(-1), "int", 0},
		{'*', int64(6), int64(7), TypeBigInt, TypeInt, int64(42), "bigint", 0},
		{'/', int64(7), int64(2), TypeInt, TypeInt, int64(3), "int", 0},
		{'/', int64(-7), int64(2), TypeInt, TypeInt, int64(-3), "int", 0},
		{'%', int64(-7), int64(2), TypeInt, TypeInt, int64(-1), "int", 0},
		{'/', int64(1), int64(0), TypeInt, TypeInt, nil, "", 8134},
		{'%', int64(1), int64(0), TypeInt, TypeInt, nil, "", 8134},
		{'+', int64(math.MaxInt32), int64(1), TypeInt, TypeInt, nil, "", 8115},
		{'+', int64(math.MaxInt32), int64(1), TypeInt, TypeBigInt, int64(math.MaxInt32) + 1, "bigint", 0},
		{'*', int64(math.MaxInt64), int64(2), TypeBigInt, TypeBigInt, nil, "", 8115},
		{'-', int64(math.MinInt64), int64(1), TypeBigInt, TypeBigInt, nil, "", 8115},
		{'/', int64(math.MinInt64), int64(-1), TypeBigInt, TypeBigInt, nil, "", 8115},
		{'+', int64(200), int64(100), TypeTinyInt, TypeTinyInt, nil, "", 8115},
		{'&', int64(12), int64(10), TypeInt, TypeInt, int64(8), "int", 0},
		{'|', int64(12), int64(10), TypeInt, TypeInt, int64(14), "int", 0},
		{'^', int64(12), int64(10), TypeInt, TypeInt, int64(6), "int", 0},
		{'&', true, false, TypeBit, TypeBit, false, "bit", 0},
		{'|', true, false, TypeBit, TypeBit, true, "bit", 0},
		{'+', true, true, TypeBit, TypeBit, nil, "", 8117},
		{'+', true, int64(1), TypeBit, TypeInt, int64(2), "int", 0},
		{'+', nil, int64(1), TypeInt, TypeInt, nil, "int", 0},
		// strings
		{'+', "ab", "cd", vc, vc, "abcd", "varchar(20)", 0},
		{'+', "ab", "cd", vc, nv, "abcd", "nvarchar(20)", 0},
		{'+', "ab", nil, vc, vc, nil, "varchar(20)", 0},
		{'+', "a", "b", VarChar(MaxLength), vc, "ab", "varchar(max)", 0},
		{'+', "a", "b", VarChar(5000), VarChar(5000), "ab", "varchar(8000)", 0},
		{'-', "a", "b", vc, vc, nil, "", 8117},
		{'+', "a", int64(1), vc, TypeInt, nil, "", 245},
		{'+', "41", int64(1), vc, TypeInt, int64(42), "int", 0},
		{'+', []byte{1}, []byte{2}, VarBinary(1), VarBinary(1), []byte{1, 2}, "varbinary(2)", 0},
		// decimal: type rules and values
		{'+', dec(t, "1.5"), dec(t, "2.25"), DecimalType(2, 1), DecimalType(3, 2), dec(t, "3.75"), "numeric(4,2)", 0},
		{'-', dec(t, "1.5"), int64(2), DecimalType(2, 1), TypeInt, dec(t, "-0.5"), "numeric(12,1)", 0},
		{'*', dec(t, "1.5"), dec(t, "2.25"), DecimalType(2, 1), DecimalType(3, 2), dec(t, "3.375"), "numeric(6,3)", 0},
		{'/', dec(t, "2.0"), int64(3), DecimalType(2, 1), TypeInt, dec(t, "0.666666666666"), "numeric(13,12)", 0},
		{'/', dec(t, "1"), dec(t, "3"), DecimalType(1, 0), DecimalType(1, 0), dec(t, "0.333333"), "numeric(7,6)", 0},
		{'/', dec(t, "2"), dec(t, "3"), DecimalType(1, 0), DecimalType(1, 0), dec(t, "0.666666"), "numeric(7,6)", 0},
		{'%', dec(t, "7.5"), int64(2), DecimalType(2, 1), TypeInt, dec(t, "1.5"), "numeric(2,1)", 0},
		{'/', dec(t, "1.0"), int64(0), DecimalType(2, 1), TypeInt, nil, "", 8134},
		{'*', dec(t, "1"), dec(t, "1"), DecimalType(38, 10), DecimalType(38, 10), dec(t, "1.000000"), "numeric(38,6)", 0},
		{'/', dec(t, "1"), dec(t, "3"), DecimalType(38, 0), DecimalType(38, 0), dec(t, "0.333333"), "numeric(38,6)", 0},
		{'+', dec(t, "1"), dec(t, "1"), DecimalType(38, 38), DecimalType(38, 0), dec(t, "2.000000"), "numeric(38,6)", 0},
		{'*', dec(t, "99999999999999999999999999999999999999"), int64(10), DecimalType(38, 0), TypeInt, nil, "", 8115},
		{'&', dec(t, "1"), int64(1), DecimalType(1, 0), TypeInt, nil, "", 402},
		{'+', "1.25", dec(t, "1"), vc, DecimalType(1, 0), dec(t, "2.25"), "", 0},
		// float
		{'+', 1.5, int64(1), TypeFloat, TypeInt, 2.5, "float", 0},
		{'/', 1.0, dec(t, "0"), TypeFloat, DecimalType(1, 0), nil, "", 8134},
		{'*', 1e308, 10.0, TypeFloat, TypeFloat, nil, "", 8115},
		{'%', 1.0, 2.0, TypeFloat, TypeFloat, nil, "", 402},
		{'+', 0.1, int64(0), TypeReal, TypeInt, float64(float32(0.1)), "real", 0},
		// datetime
		{'+', ts(2026, 1, 31, 10, 0, 0, 0), int64(1), TypeDateTime, TypeInt, ts(2026, 2, 1, 10, 0, 0, 0), "datetime", 0},
		{'-', ts(2026, 1, 31, 10, 0, 0, 0), 0.5, TypeDateTime, TypeFloat, ts(2026, 1, 30, 22, 0, 0, 0), "datetime", 0},
		{'+', int64(2), ts(2026, 1, 1, 0, 0, 0, 0), TypeInt, TypeDateTime, ts(2026, 1, 3, 0, 0, 0, 0), "datetime", 0},
		{'-', ts(1900, 1, 3, 12, 0, 0, 0), ts(1900, 1, 2, 0, 0, 0, 0), TypeDateTime, TypeDateTime, ts(1900, 1, 2, 12, 0, 0, 0), "datetime", 0},
		{'+', ts(2026, 1, 1, 0, 0, 0, 0), "1900-01-02", TypeDateTime, vc, ts(2026, 1, 2, 0, 0, 0, 0), "datetime", 0},
		{'*', ts(2026, 1, 1, 0, 0, 0, 0), int64(2), TypeDateTime, TypeInt, nil, "", 8117},
		{'+', ts(9999, 12, 31, 0, 0, 0, 0), int64(1), TypeDateTime, TypeInt, nil, "", 517},
		{'+', ts(2026, 1, 1, 0, 0, 0, 0), int64(1), DateTime2(7), TypeInt, nil, "", 206},
		{'+', ts(2026, 1, 1, 0, 0, 0, 0), int64(1), TypeDate, TypeInt, nil, "", 206},
		{'+', ts(2026, 1, 1, 0, 0, 0, 0), ts(2026, 1, 1, 0, 0, 0, 0), TypeDate, TypeDate, nil, "", 8117},
		// others
		{'+', GUID{}, int64(1), TypeGUID, TypeInt, nil, "", 206},
		{'+', GUID{}, GUID{}, TypeGUID, TypeGUID, nil, "", 8117},
		{'+', []byte{1}, int64(1), VarBinary(1), TypeInt, int64(2), "int", 0},
		{'!', int64(1), int64(1), TypeInt, TypeInt, nil, "", 102},
	}
	for _, tc := range tests {
		got, rt, err := Arith(tc.op, tc.a, tc.b, tc.ta, tc.tb)
		if n := errNum(err); n != tc.err {
			t.Errorf("%#v %c %#v (%s, %s): error %v, want %d", tc.a, tc.op, tc.b, tc.ta, tc.tb, err, tc.err)
			continue
		}
		if err != nil {
			continue
		}
		if !sameValue(got, tc.want) {
			t.Errorf("%#v %c %#v = %#v, want %#v", tc.a, tc.op, tc.b, got, tc.want)
		}
		if tc.wantType != "" && rt.String() != tc.wantType {
			t.Errorf("%#v %c %#v type %s, want %s", tc.a, tc.op, tc.b, rt, tc.wantType)
		}
	}
}

func TestDecimalResultType(t *testing.T) {
	tests := []struct {
		op   byte
		a, b Type
		want string
	}{
		{'+', DecimalType(5, 2), DecimalType(7, 4), "numeric(8,4)"},
		{'-', DecimalType(10, 0), DecimalType(10, 0), "numeric(11,0)"},
		{'*', DecimalType(5, 2), DecimalType(7, 4), "numeric(13,6)"},
		{'/', DecimalType(5, 2), DecimalType(7, 4), "numeric(17,10)"},
		{'%', DecimalType(5, 2), DecimalType(7, 4), "numeric(7,4)"},
		{'*', DecimalType(38, 10), DecimalType(38, 10), "numeric(38,6)"},
		{'*', DecimalType(20, 10), DecimalType(20, 10), "numeric(38,17)"},
		{'/', DecimalType(38, 0), DecimalType(38, 0), "numeric(38,6)"},
		{'/', DecimalType(18, 2), DecimalType(18, 2), "numeric(38,20)"},
		{'+', DecimalType(38, 30), DecimalType(38, 0), "numeric(38,6)"},
		{'+', TypeInt, DecimalType(5, 2), "numeric(13,2)"},
		{'*', TypeBigInt, TypeBigInt, "numeric(38,0)"},
	}
	for _, tc := range tests {
		if got := DecimalResultType(tc.op, tc.a, tc.b).String(); got != tc.want {
			t.Errorf("%s %c %s = %s, want %s", tc.a, tc.op, tc.b, got, tc.want)
		}
	}
}

func TestUnary(t *testing.T) {
	tests := []struct {
		op   byte
		v    Value
		t    Type
		want Value
		err  int32
	}{
		{'-', int64(5), TypeInt, int64(-5), 0},
		{'-', int64(math.MinInt32), TypeInt, nil, 8115},
		{'-', int64(math.MinInt64), TypeBigInt, nil, 8115},
		{'-', int64(1), TypeTinyInt, nil, 8115},
		{'-', dec(t, "1.50"), DecimalType(3, 2), dec(t, "-1.50"), 0},
		{'-', 2.5, TypeFloat, -2.5, 0},
		{'-', "a", VarChar(1), nil, 8117},
		{'-', true, TypeBit, nil, 8117},
		{'-', nil, TypeInt, nil, 0},
		{'+', "a", VarChar(1), "a", 0},
		{'~', int64(5), TypeInt, int64(-6), 0},
		{'~', int64(5), TypeTinyInt, int64(250), 0},
		{'~', true, TypeBit, false, 0},
		{'~', 1.5, TypeFloat, nil, 8117},
		{'*', int64(1), TypeInt, nil, 102},
	}
	for _, tc := range tests {
		got, _, err := Unary(tc.op, tc.v, tc.t)
		if n := errNum(err); n != tc.err {
			t.Errorf("%c%#v error %v, want %d", tc.op, tc.v, err, tc.err)
			continue
		}
		if err == nil && !sameValue(got, tc.want) {
			t.Errorf("%c%#v = %#v, want %#v", tc.op, tc.v, got, tc.want)
		}
	}
}
