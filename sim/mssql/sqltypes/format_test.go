package sqltypes

import "testing"

func TestFormatValue(t *testing.T) {
	g, _ := ParseGUID("6f9619ff-8b86-d011-b42d-00c04fc964ff")
	tests := []struct {
		v    Value
		t    Type
		want string
	}{
		{nil, TypeInt, ""},
		{int64(-42), TypeInt, "-42"},
		{true, TypeBit, "1"},
		{false, TypeBit, "0"},
		{dec(t, "25.00"), DecimalType(25, 2), "25.00"},
		{dec(t, "-0.5"), DecimalType(3, 1), "-0.5"},
		{1234567.0, TypeFloat, "1.23457e+006"},
		{3.5, TypeFloat, "3.5"},
		{"text", NVarChar(10), "text"},
		{"ab   ", Type{Kind: KindChar, Length: 5}, "ab   "},
		{ts(2026, 11, 22, 4, 39, 12, 0), TypeDateTime, "Nov 22 2026  4:39AM"},
		{ts(2026, 11, 22, 4, 39, 12, 0), DateTime2(0), "2026-11-22 04:39:12"},
		{ts(2026, 11, 22, 0, 0, 0, 0), TypeDate, "2026-11-22"},
		{ts(2026, 11, 22, 4, 39, 12, 0), Type{}, "Nov 22 2026  4:39AM"},
		{g, TypeGUID, "6F9619FF-8B86-D011-B42D-00C04FC964FF"},
		{[]byte{0xAB, 1}, VarBinary(2), "0xAB01"},
		{7, TypeInt, "7"},
	}
	for _, tc := range tests {
		if got := FormatValue(tc.v, tc.t); got != tc.want {
			t.Errorf("FormatValue(%#v, %s) = %q, want %q", tc.v, tc.t, got, tc.want)
		}
	}
}
