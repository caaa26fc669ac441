package sqltypes

import (
	"github.com/pchatdr/harness/sim/mssql/collation"
	"math"
	"testing"
)

func TestConvertMatrix(t *testing.T) {
	vc := VarChar(30)
	nv := NVarChar(30)
	dt := ts(2026, 11, 22, 4, 39, 12, 123_000_000)
	g, _ := ParseGUID("6F9619FF-8B86-D011-B42D-00C04FC964FF")
	tests := []struct {
		name     string
		v        Value
		from, to Type
		want     Value
		err      int32
	}{
		// string -> integers
		{"trim spaces", "  42  ", vc, TypeInt, int64(42), 0},
		{"sign", "-7", vc, TypeInt, int64(-7), 0},
		{"empty is zero", "", vc, TypeInt, int64(0), 0},
		{"not a number", "abc", vc, TypeInt, nil, 245},
		{"fraction refused", "1.5", vc, TypeInt, nil, 245},
		{"exponent refused", "1e3", vc, TypeInt, nil, 245},
		{"int overflow from string", "3000000000", vc, TypeInt, nil, 248},
		{"tinyint overflow from string", "300", vc, TypeTinyInt, nil, 244},
		{"bigint overflow from string", "99999999999999999999", vc, TypeBigInt, nil, 8114},
		{"nvarchar names", "x", nv, TypeBigInt, nil, 245},
		// integers
		{"int to tinyint overflow", int64(300), TypeInt, TypeTinyInt, nil, 220},
		{"negative tinyint", int64(-1), TypeInt, TypeTinyInt, nil, 220},
		{"bigint to int overflow", int64(3_000_000_000), TypeBigInt, TypeInt, nil, 8115},
		{"int to bigint", int64(5), TypeInt, TypeBigInt, int64(5), 0},
		{"decimal truncates", dec(t, "1.9"), DecimalType(2, 1), TypeInt, int64(1), 0},
		{"negative decimal truncates", dec(t, "-1.9"), DecimalType(2, 1), TypeInt, int64(-1), 0},
		{"decimal overflow int", dec(t, "12345678901.5"), DecimalType(12, 1), TypeInt, nil, 8115},
		{"float truncates", 2.99, TypeFloat, TypeInt, int64(2), 0},
		{"float overflow int", 1e10, TypeFloat, TypeInt, nil, 232},
		{"float overflow bigint", 1e19, TypeFloat, TypeBigInt, nil, 232},
		{"float overflow bigint edge", 9223372036854775807.0, TypeFloat, TypeBigInt, nil, 232},
		{"float to tinyint", 5.5, TypeFloat, TypeTinyInt, int64(5), 0},
		{"float to tinyint negative", -1.0, TypeFloat, TypeTinyInt, nil, 232},
		{"float to smallint", -300.0, TypeFloat, TypeSmallInt, int64(-300), 0},
		{"decimal to tinyint", dec(t, "255.9"), DecimalType(4, 1), TypeTinyInt, int64(255), 0},
		{"bit to int", true, TypeBit, TypeInt, int64(1), 0},
		{"datetime to int rounds", ts(1900, 1, 2, 13, 0, 0, 0), TypeDateTime, TypeInt, int64(2), 0},
		// decimal
		{"string to decimal rounds", "1.25", vc, DecimalType(5, 1), dec(t, "1.3"), 0},
		{"string to decimal negative rounds away", "-1.25", vc, DecimalType(5, 1), dec(t, "-1.3"), 0},
		{"string to decimal bad", "abc", vc, DecimalType(5, 1), nil, 8114},
		{"string to decimal exponent", "1e5", vc, DecimalType(18, 0), nil, 8114},
		{"string to decimal overflow", "123456", vc, DecimalType(5, 2), nil, 8115},
		{"int to decimal overflow", int64(1000), TypeInt, DecimalType(3, 0), nil, 8115},
		{"int to decimal", int64(42), TypeInt, DecimalType(5, 2), dec(t, "42.00"), 0},
		{"float to decimal", 0.125, TypeFloat, DecimalType(5, 2), dec(t, "0.13"), 0},
		{"decimal rescale", dec(t, "2.345"), DecimalType(4, 3), DecimalType(10, 2), dec(t, "2.35"), 0},
		{"lsn", "42000000012300001", vc, DecimalType(25, 0), dec(t, "42000000012300001"), 0},
		// float
		{"string to float", " 1.5e3 ", vc, TypeFloat, 1500.0, 0},
		{"string to float bad", "1,5", vc, TypeFloat, nil, 8114},
		{"string to float inf refused", "Inf", vc, TypeFloat, nil, 8114},
		{"decimal to float", dec(t, "0.5"), DecimalType(1, 1), TypeFloat, 0.5, 0},
		{"float to real overflow", 1e300, TypeFloat, TypeReal, nil, 8115},
		{"float to real", 0.1, TypeFloat, TypeReal, float64(float32(0.1)), 0},
		// bit
		{"bit true", "TRUE", vc, TypeBit, true, 0},
		{"bit false", " false ", vc, TypeBit, false, 0},
		{"bit numeric string", "2", vc, TypeBit, true, 0},
		{"bit bad", "yes", vc, TypeBit, nil, 245},
		{"bit from int", int64(-3), TypeInt, TypeBit, true, 0},
		{"bit from zero decimal", dec(t, "0.00"), DecimalType(3, 2), TypeBit, false, 0},
		// numbers -> strings
		{"int to varchar", int64(-42), TypeInt, vc, "-42", 0},
		{"int too long varchar", int64(12345), TypeInt, VarChar(3), "*", 0},
		{"int too long nvarchar", int64(12345), TypeInt, NVarChar(3), nil, 8115},
		{"decimal to varchar", dec(t, "1.50"), DecimalType(3, 2), vc, "1.50", 0},
		{"decimal too long", dec(t, "123.45"), DecimalType(5, 2), VarChar(3), nil, 8115},
		{"float to varchar", 1234567.0, TypeFloat, vc, "1.23457e+006", 0},
		{"float small", 0.1, TypeFloat, vc, "0.1", 0},
		{"float tiny", 0.00001, TypeFloat, vc, "1e-005", 0},
		{"float integral", 123456.0, TypeFloat, vc, "123456", 0},
		{"bit to varchar", true, TypeBit, vc, "1", 0},
		{"char pads", "ab", vc, Type{Kind: KindChar, Length: 5}, "ab   ", 0},
		{"varchar truncates", "abcdef", vc, VarChar(3), "abc", 0},
		{"nchar truncates and pads", "abcdef", nv, Type{Kind: KindNChar, Length: 3}, "abc", 0},
		{"unicode to varchar", "naïve €ω", nv, vc, "naïve €?", 0},
		{"unicode kept in nvarchar", "ω", nv, nv, "ω", 0},
		// dates -> strings
		{"datetime default", dt, TypeDateTime, vc, "Nov 22 2026  4:39AM", 0},
		{"datetime pm", ts(2026, 1, 5, 15, 7, 0, 0), TypeDateTime, vc, "Jan  5 2026  3:07PM", 0},
		{"datetime midnight", ts(2026, 1, 15, 0, 0, 0, 0), TypeDateTime, vc, "Jan 15 2026 12:00AM", 0},
		{"datetime2 default", ts(2026, 11, 22, 4, 39, 12, 123456700), DateTime2(7), vc, "2026-11-22 04:39:12.1234567", 0},
		{"datetime2(0) default", ts(2026, 11, 22, 4, 39, 12, 0), DateTime2(0), vc, "2026-11-22 04:39:12", 0},
		{"date default", ts(2026, 11, 22, 0, 0, 0, 0), TypeDate, vc, "2026-11-22", 0},
		{"date truncated varchar", ts(2026, 11, 22, 0, 0, 0, 0), TypeDate, VarChar(4), "2026", 0},
		// strings -> dates
		{"iso date", "2026-11-22", vc, TypeDateTime, ts(2026, 11, 22, 0, 0, 0, 0), 0},
		{"iso T", "2026-11-22T04:39:12.123", vc, TypeDateTime, ts(2026, 11, 22, 4, 39, 12, 123_000_000), 0},
		{"compact", "20261122", vc, TypeDate, ts(2026, 11, 22, 0, 0, 0, 0), 0},
		{"iso space 7 digits", "2026-11-22 04:39:12.1234567", vc, DateTime2(7), ts(2026, 11, 22, 4, 39, 12, 123456700), 0},
		{"datetime refuses 7 digits", "2026-11-22 04:39:12.1234567", vc, TypeDateTime, nil, 241},
		{"datetime rounds ticks", "2026-11-22 04:39:12.002", vc, TypeDateTime, ts(2026, 11, 22, 4, 39, 12, 3_000_000), 0},
		{"datetime rounds .999", "2026-11-22 23:59:59.999", vc, TypeDateTime, ts(2026, 11, 23, 0, 0, 0, 0), 0},
		{"datetime2(2) rounds", "2026-11-22 04:39:12.125", vc, DateTime2(2), ts(2026, 11, 22, 4, 39, 12, 130_000_000), 0},
		{"date drops time", "2026-11-22 04:39:12", vc, TypeDate, ts(2026, 11, 22, 0, 0, 0, 0), 0},
		{"mdy", "11/22/2026", vc, TypeDateTime, ts(2026, 11, 22, 0, 0, 0, 0), 0},
		{"mon format round trip", "Nov 22 2026  4:39AM", vc, TypeDateTime, ts(2026, 11, 22, 4, 39, 0, 0), 0},
		{"bad date", "2026-02-30", vc, TypeDateTime, nil, 241},
		{"garbage date", "yesterday", vc, TypeDate, nil, 241},
		{"datetime out of range", "1700-01-01", vc, TypeDateTime, nil, 242},
		{"datetime2 wide range", "1700-01-01", vc, DateTime2(7), ts(1700, 1, 1, 0, 0, 0, 0), 0},
		{"empty date", "", vc, TypeDateTime, ts(1900, 1, 1, 0, 0, 0, 0), 0},
		{"time only", "10:30", vc, TypeDateTime, ts(1900, 1, 1, 10, 30, 0, 0), 0},
		// numbers <-> datetime
		{"int to datetime", int64(1), TypeInt, TypeDateTime, ts(1900, 1, 2, 0, 0, 0, 0), 0},
		{"float to datetime", 1.5, TypeFloat, TypeDateTime, ts(1900, 1, 2, 12, 0, 0, 0), 0},
		{"datetime to float", ts(1900, 1, 3, 6, 0, 0, 0), TypeDateTime, TypeFloat, 2.25, 0},
		{"int to date refused", int64(1), TypeInt, TypeDate, nil, 529},
		{"datetime2 to int refused", ts(2000, 1, 1, 0, 0, 0, 0), DateTime2(7), TypeInt, nil, 529},
		{"datetime2 to datetime", ts(2026, 1, 1, 0, 0, 0, 1_000_000), DateTime2(7), TypeDateTime, ts(2026, 1, 1, 0, 0, 0, 0), 0},
		{"datetime2 to datetime range", ts(1000, 1, 1, 0, 0, 0, 0), DateTime2(7), TypeDateTime, nil, 242},
		// uniqueidentifier
		{"guid parse", "6F9619FF-8B86-D011-B42D-00C04FC964FF", vc, TypeGUID, g, 0},
		{"guid lower braces", "{6f9619ff-8b86-d011-b42d-00c04fc964ff}", vc, TypeGUID, g, 0},
		{"guid extra chars ignored", "6F9619FF-8B86-D011-B42D-00C04FC964FFxyz", VarChar(40), TypeGUID, g, 0},
		{"guid bad", "6F9619FF-8B86-D011-B42D", vc, TypeGUID, nil, 8169},
		{"guid to string", g, TypeGUID, VarChar(36), "6F9619FF-8B86-D011-B42D-00C04FC964FF", 0},
		{"guid to short string", g, TypeGUID, VarChar(10), nil, 8170},
		{"guid to binary", g, TypeGUID, VarBinary(16), []byte{0xFF, 0x19, 0x96, 0x6F, 0x86, 0x8B, 0x11, 0xD0, 0xB4, 0x2D, 0x00, 0xC0, 0x4F, 0xC9, 0x64, 0xFF}, 0},
		{"binary to guid", []byte{0xFF, 0x19, 0x96, 0x6F, 0x86, 0x8B, 0x11, 0xD0, 0xB4, 0x2D, 0x00, 0xC0, 0x4F, 0xC9, 0x64, 0xFF}, VarBinary(16), TypeGUID, g, 0},
		{"guid to int refused", g, TypeGUID, TypeInt, nil, 529},
		{"int to guid refused", int64(1), TypeInt, TypeGUID, nil, 529},
		// binary
		{"int to varbinary", int64(258), TypeInt, VarBinary(30), []byte{0, 0, 1, 2}, 0},
		{"bigint to varbinary", int64(-1), TypeBigInt, VarBinary(30), []byte{255, 255, 255, 255, 255, 255, 255, 255}, 0},
		{"int to binary(2) keeps low bytes", int64(258), TypeInt, Type{Kind: KindBinary, Length: 2}, []byte{1, 2}, 0},
		{"int to binary(6) pads left", int64(1), TypeInt, Type{Kind: KindBinary, Length: 6}, []byte{0, 0, 0, 0, 0, 1}, 0},
		{"varbinary to int", []byte{1, 2}, VarBinary(2), TypeInt, int64(258), 0},
		{"varbinary to int sign", []byte{0xFF, 0xFF, 0xFF, 0xFE}, VarBinary(4), TypeInt, int64(-2), 0},
		{"varbinary to smallint keeps right", []byte{9, 9, 0, 5}, VarBinary(4), TypeSmallInt, int64(5), 0},
		{"varbinary to tinyint", []byte{0xFF}, VarBinary(1), TypeTinyInt, int64(255), 0},
		{"varchar to varbinary", "AB", vc, VarBinary(30), []byte("AB"), 0},
		{"nvarchar to varbinary", "AB", nv, VarBinary(30), []byte{'A', 0, 'B', 0}, 0},
		{"binary pads right", []byte{1}, VarBinary(1), Type{Kind: KindBinary, Length: 3}, []byte{1, 0, 0}, 0},
		{"varbinary truncates right", []byte{1, 2, 3}, VarBinary(3), VarBinary(2), []byte{1, 2}, 0},
		{"varbinary to varchar", []byte("hi"), VarBinary(2), vc, "hi", 0},
		{"varbinary to nvarchar", []byte{'h', 0, 'i', 0}, VarBinary(4), nv, "hi", 0},
		{"varbinary to float refused", []byte{1}, VarBinary(1), TypeFloat, nil, 529},
		{"datetime to binary and back", dt, TypeDateTime, VarBinary(8), []byte{0x00, 0x00, 0xB5, 0x0A, 0x00, 0x4C, 0xAF, 0x65}, 0},
		// NULL
		{"null", nil, TypeInt, vc, nil, 0},
		{"null refused kind", nil, TypeInt, TypeGUID, nil, 529},
		// normalize
		{"go int", 7, TypeInt, TypeBigInt, int64(7), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Convert(tc.v, tc.from, tc.to)
			if n := errNum(err); n != tc.err {
				t.Fatalf("Convert(%#v, %s, %s) error %v (number %d), want %d", tc.v, tc.from, tc.to, err, n, tc.err)
			}
			if err == nil && !sameValue(got, tc.want) {
				t.Fatalf("Convert(%#v, %s, %s) = %#v, want %#v", tc.v, tc.from, tc.to, got, tc.want)
			}
		})
	}
}

func TestConvertErrorTexts(t *testing.T) {
	tests := []struct {
		v        Value
		from, to Type
		want     string
	}{
		{"abc", VarChar(3), TypeInt, "Conversion failed when converting the varchar value 'abc' to data type int."},
		{"abc", NVarChar(3), DecimalType(10, 2), "Error converting data type nvarchar to numeric."},
		{"abc", VarChar(3), TypeFloat, "Error converting data type varchar to float."},
		{int64(300), TypeInt, TypeTinyInt, "Arithmetic overflow error for data type tinyint, value = 300."},
		{int64(1) << 40, TypeBigInt, TypeInt, "Arithmetic overflow error converting expression to data type int."},
		{"123456", VarChar(6), DecimalType(5, 2), "Arithmetic overflow error converting varchar to data type numeric."},
		{1e10, TypeFloat, TypeInt, "Arithmetic overflow error for type int, value = 10000000000.000000."},
		{"x", VarChar(1), TypeDateTime, "Conversion failed when converting date and/or time from character string."},
		{"3000000000", VarChar(10), TypeInt, "The conversion of the varchar value '3000000000' overflowed an int column. Use a larger integer column."},
		{int64(1), TypeInt, TypeDate, "Explicit conversion from data type int to date is not allowed."},
		{"1600-01-01", VarChar(10), TypeDateTime, "The conversion of a varchar data type to a datetime data type resulted in an out-of-range value."},
	}
	for _, tc := range tests {
		_, err := Convert(tc.v, tc.from, tc.to)
		if err == nil || err.(interface{ Error() string }) == nil {
			t.Fatalf("Convert(%#v) no error", tc.v)
		}
		if got := errMessage(err); got != tc.want {
			t.Errorf("Convert(%#v, %s, %s) message %q, want %q", tc.v, tc.from, tc.to, got, tc.want)
		}
	}
}

func TestConvertStyle(t *testing.T) {
	dt := ts(2026, 11, 22, 16, 39, 12, 123_000_000)
	d2 := ts(2026, 11, 22, 16, 39, 12, 123456700)
	day := ts(2026, 11, 2, 0, 0, 0, 0)
	vc := VarChar(40)
	tests := []struct {
		v        Value
		from, to Type
		style    int
		want     Value
		err      int32
	}{
		{dt, TypeDateTime, vc, 0, "Nov 22 2026  4:39PM", 0},
		{dt, TypeDateTime, vc, 100, "Nov 22 2026  4:39PM", 0},
		{dt, TypeDateTime, vc, 101, "11/22/2026", 0},
		{dt, TypeDateTime, vc, 103, "22/11/2026", 0},
		{dt, TypeDateTime, vc, 112, "20261122", 0},
		{dt, TypeDateTime, vc, 120, "2026-11-22 16:39:12", 0},
		{dt, TypeDateTime, vc, 121, "2026-11-22 16:39:12.123", 0},
		{dt, TypeDateTime, vc, 126, "2026-11-22T16:39:12.123", 0},
		{dt, TypeDateTime, vc, 127, "2026-11-22T16:39:12.123", 0},
		{ts(2026, 11, 22, 16, 39, 12, 0), TypeDateTime, vc, 126, "2026-11-22T16:39:12", 0},
		{d2, DateTime2(7), vc, 121, "2026-11-22 16:39:12.1234567", 0},
		{d2, DateTime2(7), vc, 0, "Nov 22 2026  4:39PM", 0},
		{d2, DateTime2(3), vc, 121, "2026-11-22 16:39:12.123", 0},
		{day, TypeDate, vc, 121, "2026-11-02", 0},
		{day, TypeDate, vc, 0, "Nov  2 2026", 0},
		{day, TypeDate, vc, 103, "02/11/2026", 0},
		{day, TypeDate, vc, 108, nil, 281},
		{dt, TypeDateTime, vc, 999, nil, 281},
		{"22/11/2026", vc, TypeDateTime, 103, ts(2026, 11, 22, 0, 0, 0, 0), 0},
		{"11/22/2026", vc, TypeDateTime, 101, ts(2026, 11, 22, 0, 0, 0, 0), 0},
		{"11/22/2026", vc, TypeDateTime, 103, nil, 241},
		{"20261122", vc, TypeDate, 112, ts(2026, 11, 22, 0, 0, 0, 0), 0},
		{"2026-11-22T16:39:12.123Z", vc, TypeDateTime, 127, ts(2026, 11, 22, 16, 39, 12, 123_000_000), 0},
		{"2026-11-22 16:39:12", vc, TypeDateTime, 120, ts(2026, 11, 22, 16, 39, 12, 0), 0},
		{"Nov 22 2026  4:39PM", vc, TypeDateTime, 100, ts(2026, 11, 22, 16, 39, 0, 0), 0},
		{"x", vc, TypeDateTime, 42, nil, 281},
		// binary <-> hex string
		{[]byte{0xAB, 0x01}, VarBinary(2), vc, 1, "0xAB01", 0},
		{[]byte{0xAB, 0x01}, VarBinary(2), vc, 2, "AB01", 0},
		{[]byte("AB"), VarBinary(2), vc, 0, "AB", 0},
		{"0xab01", vc, VarBinary(10), 1, []byte{0xAB, 0x01}, 0},
		{"AB01", vc, VarBinary(10), 2, []byte{0xAB, 0x01}, 0},
		{"AB01", vc, VarBinary(10), 1, nil, 8114},
		{"0xABC", vc, VarBinary(10), 1, nil, 8114},
		{"AB", vc, VarBinary(10), 0, []byte("AB"), 0},
		{[]byte{1}, VarBinary(1), vc, 3, nil, 281},
		// float styles; style ignored elsewhere
		{1234.5, TypeFloat, vc, 1, "1.2345000e+003", 0},
		{1234.5, TypeFloat, vc, 2, "1.234500000000000e+003", 0},
		{int64(5), TypeInt, vc, 101, "5", 0},
		{"5", vc, TypeInt, 112, int64(5), 0},
	}
	for _, tc := range tests {
		got, err := ConvertStyle(tc.v, tc.from, tc.to, tc.style)
		if n := errNum(err); n != tc.err {
			t.Errorf("ConvertStyle(%#v, %s, %s, %d) error %v, want %d", tc.v, tc.from, tc.to, tc.style, err, tc.err)
			continue
		}
		if err == nil && !sameValue(got, tc.want) {
			t.Errorf("ConvertStyle(%#v, %s, %s, %d) = %#v, want %#v", tc.v, tc.from, tc.to, tc.style, got, tc.want)
		}
	}
}

// Styles that print a full date and time read back to the same value.
func TestConvertStyleRoundTrip(t *testing.T) {
	dt := ts(2031, 3, 9, 7, 5, 4, 997_000_000)
	for _, style := range []int{120, 121, 126, 127} {
		s, err := ConvertStyle(dt, TypeDateTime, VarChar(40), style)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ConvertStyle(s, VarChar(40), TypeDateTime, style)
		if err != nil {
			t.Fatalf("style %d: %q: %v", style, s, err)
		}
		want := dt
		if style == 120 {
			want = dt.Truncate(1e9)
		}
		if !sameValue(back, want) {
			t.Errorf("style %d: %q -> %v, want %v", style, s, back, want)
		}
	}
}

func TestImplicit(t *testing.T) {
	if _, err := ConvertImplicit("AB", VarChar(2), VarBinary(2)); errNum(err) != 257 {
		t.Errorf("varchar->varbinary implicit: %v, want 257", err)
	}
	if _, err := ConvertImplicit(ts(2000, 1, 1, 0, 0, 0, 0), TypeDateTime, TypeInt); errNum(err) != 257 {
		t.Errorf("datetime->int implicit: %v, want 257", err)
	}
	if v, err := ConvertImplicit("12", VarChar(2), TypeInt); err != nil || v != int64(12) {
		t.Errorf("varchar->int implicit: %v %v", v, err)
	}
}

func TestFits(t *testing.T) {
	tests := []struct {
		v    Value
		t    Type
		want bool
	}{
		{"abc", VarChar(3), true},
		{"abcd", VarChar(3), false},
		{"abc   ", VarChar(3), true}, // trailing spaces are dropped silently
		{"ωωω", NVarChar(3), true},
		{"😀😀", NVarChar(3), false}, // surrogate pairs count twice
		{"x", VarChar(MaxLength), true},
		{[]byte{1, 2, 3}, VarBinary(2), false},
		{[]byte{1, 2}, VarBinary(2), true},
		{int64(256), TypeTinyInt, false},
		{int64(255), TypeTinyInt, true},
		{int64(math.MaxInt32) + 1, TypeInt, false},
		{dec(t, "123.45"), DecimalType(5, 2), true},
		{dec(t, "1234.5"), DecimalType(5, 2), false},
		{dec(t, "999.995"), DecimalType(5, 2), false}, // rounds to 1000.00
		{ts(1700, 1, 1, 0, 0, 0, 0), TypeDateTime, false},
		{ts(1700, 1, 1, 0, 0, 0, 0), DateTime2(7), true},
		{nil, TypeInt, true},
		{1e300, TypeReal, false},
	}
	for _, tc := range tests {
		if got := Fits(tc.v, tc.t); got != tc.want {
			t.Errorf("Fits(%#v, %s) = %v, want %v", tc.v, tc.t, got, tc.want)
		}
	}
}

func FuzzConvert(f *testing.F) {
	f.Add("12", uint8(KindVarChar), uint8(KindInt), 30, uint8(18), uint8(2), -1)
	f.Add("2026-11-22T04:39:12.123", uint8(KindVarChar), uint8(KindDateTime), 30, uint8(0), uint8(7), 126)
	f.Add("0xAB", uint8(KindVarChar), uint8(KindVarBinary), 2, uint8(0), uint8(0), 1)
	f.Add("{6f9619ff-8b86-d011-b42d-00c04fc964ff}", uint8(KindNVarChar), uint8(KindUniqueIdentifier), 0, uint8(0), uint8(0), 0)
	f.Add("-1.5e3", uint8(KindVarChar), uint8(KindDecimal), 0, uint8(38), uint8(38), 0)
	// money (its own string syntax and styles) and varchar under the
	// modelled collations' code pages (p picks the collation).
	f.Add("-$1,234.5678", uint8(KindVarChar), uint8(KindMoney), 0, uint8(0), uint8(0), 1)
	f.Add("214748.3648", uint8(KindVarChar), uint8(KindSmallMoney), 0, uint8(0), uint8(0), 2)
	f.Add("привет日本", uint8(KindNVarChar), uint8(KindVarChar), 5, uint8(3), uint8(0), 0)
	f.Add("中文", uint8(KindVarChar), uint8(KindVarBinary), 3, uint8(7), uint8(0), 0)
	f.Fuzz(func(t *testing.T, s string, fk, tk uint8, length int, p, sc uint8, style int) {
		const kinds = uint8(KindSmallMoney + 1)
		from := Type{Kind: Kind(fk % kinds), Length: length, Collation: collation.ID(p % 9)}
		to := Type{Kind: Kind(tk % kinds), Length: length, Precision: p % 39, Scale: sc % 39, Collation: collation.ID(sc % 9)}
		v, err := ConvertStyle(s, VarChar(MaxLength), from, style%200)
		if err != nil {
			return
		}
		_, _ = Convert(v, from, to)
		_, _ = ConvertStyle(v, from, to, style%200)
		_ = FormatValue(v, from)
		_ = Key(v, from)
		for _, op := range []byte("+-*/%&|^") {
			_, _, _ = Arith(op, v, s, from, VarChar(MaxLength))
			_, _, _ = Arith(op, s, v, to, from)
		}
		_, _ = Compare(v, s, from, NVarChar(MaxLength))
		_, _, _ = Unary('-', v, from)
		_, _, _ = Unary('~', v, from)
		_ = Checksum([]Value{v, s}, []Type{from, to})
		_ = Fits(v, to)
	})
}
