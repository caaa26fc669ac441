package tds

import (
	"bytes"
	"errors"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"
)

func dec(s string, scale uint8) Decimal {
	u, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic(s)
	}
	return Decimal{Unscaled: u, Scale: scale}
}

var testGUID = [16]byte{0x6F, 0x96, 0x19, 0xFF, 0x8B, 0x86, 0xD0, 0x11, 0xB4, 0x2D, 0x00, 0xC0, 0x4F, 0xC9, 0x64, 0xFF}

// TestValueRoundTrip encodes TYPE_INFO + value as the server writes them
// and decodes them with the parameter decoder, which reads the same forms.
func TestValueRoundTrip(t *testing.T) {
	ts := time.Date(2024, 3, 5, 10, 20, 30, 500_000_000, time.UTC)
	cases := []struct {
		name string
		ti   TypeInfo
		in   any
		want any // nil: same as in
	}{
		{"tinyint", IntN(1), int64(255), nil},
		{"smallint", IntN(2), int64(-32768), nil},
		{"int", IntN(4), int64(-2147483648), nil},
		{"bigint", IntN(8), int64(1 << 62), nil},
		{"bit true", Bit(), true, nil},
		{"bit false", Bit(), false, nil},
		{"real", FltN(4), 1.5, nil},
		{"float", FltN(8), 3.141592653589793, nil},
		{"decimal(25,0)", DecimalN(25, 0), dec("1234567890123456789012345", 0), nil},
		{"decimal(38,10) negative", DecimalN(38, 10), dec("-12345678901234567890123456780123456789", 10), nil},
		{"numeric(10,3) rescaled", NumericN(10, 3), dec("-12345678", 1), dec("-1234567800", 3)},
		{"decimal from int64", DecimalN(5, 2), int64(42), dec("4200", 2)},
		{"nvarchar", NVarChar(10), "héllo", nil},
		{"nvarchar empty", NVarChar(1), "", nil},
		{"nvarchar surrogate", NVarChar(4), "a😀b", nil},
		{"nvarchar max", NVarCharMax(), strings.Repeat("αβγ", 5000), nil},
		{"nvarchar max empty", NVarCharMax(), "", nil},
		{"nchar padded", NChar(5), "ab", "ab   "},
		{"varchar cp1252", VarChar(10), "café €", nil},
		{"xml", XML(), "<a b=\"ж\"/>", nil},
		{"xml null", XML(), nil, nil},
		{"varchar unmappable", VarChar(10), "a😀", "a?"},
		{"varchar max", VarCharMax(), strings.Repeat("x", 9000), nil},
		{"char padded", Char(4), "a", "a   "},
		{"datetime", DateTime(), ts, nil},
		{"datetime rounds to 1/300 s", DateTime(), time.Date(2024, 1, 1, 0, 0, 0, 1_000_000, time.UTC), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"datetime rounds into next day", DateTime(), time.Date(2024, 1, 1, 23, 59, 59, 999_000_000, time.UTC), time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)},
		{"datetime 1753", DateTime(), time.Date(1753, 1, 1, 0, 0, 0, 0, time.UTC), nil},
		{"smalldatetime", SmallDateTime(), time.Date(2024, 1, 1, 10, 20, 40, 0, time.UTC), time.Date(2024, 1, 1, 10, 21, 0, 0, time.UTC)},
		{"datetime2(7)", DateTime2(7), time.Date(2024, 3, 5, 10, 20, 30, 123456700, time.UTC), nil},
		{"datetime2(0)", DateTime2(0), time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), nil},
		{"datetime2(3) 9999", DateTime2(3), time.Date(9999, 12, 31, 23, 59, 59, 999_000_000, time.UTC), nil},
		{"date", Date(), time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC), nil},
		{"date drops time", Date(), ts, time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)},
		{"time(7)", Time(7), time.Date(1, 1, 1, 23, 59, 59, 999999900, time.UTC), nil},
		{"datetimeoffset", DateTimeOffset(7), time.Date(2024, 3, 5, 10, 20, 30, 0, time.FixedZone("", -5*3600)), nil},
		{"guid", GUID(), testGUID, nil},
		{"varbinary", VarBinary(10), []byte{1, 2, 3}, nil},
		{"varbinary empty", VarBinary(10), []byte{}, nil},
		{"varbinary max", VarBinaryMax(), bytes.Repeat([]byte{0xAB}, 10000), nil},
		{"binary padded", Binary(4), []byte{1}, []byte{1, 0, 0, 0}},
	}
	nullable := []TypeInfo{IntN(4), Bit(), FltN(8), DecimalN(25, 0), NVarChar(3), NVarCharMax(), NChar(2),
		VarChar(3), VarCharMax(), DateTime(), DateTime2(7), Date(), Time(3), DateTimeOffset(2), GUID(),
		VarBinary(3), VarBinaryMax()}
	for _, ti := range nullable {
		cases = append(cases, struct {
			name string
			ti   TypeInfo
			in   any
			want any
		}{"null " + ti.String(), ti, nil, nil})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := appendTypeInfo(nil, c.ti)
			if err != nil {
				t.Fatalf("type info: %v", err)
			}
			b, err = appendValue(b, c.ti, c.in)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			r := &reader{b: b}
			ti := readTypeInfo(r)
			got := readValue(r, ti)
			if r.err != nil {
				t.Fatalf("decode: %v", r.err)
			}
			if r.remaining() != 0 {
				t.Fatalf("%d bytes left after decoding", r.remaining())
			}
			if ti.ID != c.ti.ID || ti.Max != c.ti.Max || ti.Scale != c.ti.Scale || ti.Precision != c.ti.Precision {
				t.Errorf("type info = %+v, want %+v", ti, c.ti)
			}
			want := c.want
			if want == nil {
				want = c.in
			}
			if !valueEqual(got, want) {
				t.Errorf("got %#v (%T), want %#v", got, got, want)
			}
		})
	}
}

func valueEqual(a, b any) bool {
	switch x := a.(type) {
	case time.Time:
		y, ok := b.(time.Time)
		if !ok || !x.Equal(y) {
			return false
		}
		_, ox := x.Zone()
		_, oy := y.Zone()
		return ox == oy
	case Decimal:
		y, ok := b.(Decimal)
		return ok && x.Scale == y.Scale && x.Unscaled.Cmp(y.Unscaled) == 0
	}
	return reflect.DeepEqual(a, b)
}

func TestEncodeErrors(t *testing.T) {
	cases := []struct {
		name string
		ti   TypeInfo
		v    any
		want string
	}{
		{"nvarchar too long", NVarChar(3), "abcd", "8 bytes, the type holds 6"},
		{"nchar too long", NChar(1), "ab", "4 bytes, the type holds 2"},
		{"varchar too long", VarChar(2), "abc", "3 bytes"},
		{"varbinary too long", VarBinary(2), []byte{1, 2, 3}, "3 bytes"},
		{"tinyint range", IntN(1), int64(256), "out of range"},
		{"smallint range", IntN(2), int64(40000), "out of range"},
		{"int range", IntN(4), int64(1 << 40), "out of range"},
		{"decimal precision", DecimalN(5, 0), int64(123456), "more than 5 digits"},
		{"decimal scale loss", DecimalN(10, 1), dec("123", 2), "more than 1 decimal places"},
		{"datetime before 1753", DateTime(), time.Date(1752, 12, 31, 0, 0, 0, 0, time.UTC), "outside 1753"},
		{"datetime after 9999", DateTime(), time.Date(9999, 12, 31, 23, 59, 59, 999_000_000, time.UTC), "outside"},
		{"wrong go type", IntN(4), "1", "want an integer"},
		{"guid wrong type", GUID(), []byte{1}, "want a [16]byte"},
		{"bad type", TypeInfo{ID: 0xF0}, "x", "unsupported"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			prefix := []byte{0xEE}
			b, err := appendValue(prefix, c.ti, c.v)
			if err == nil {
				t.Fatalf("encoded %v as %v without error", c.v, c.ti)
			}
			var ee *EncodeError
			if !errors.As(err, &ee) {
				t.Errorf("error %T is not an *EncodeError", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
			if !bytes.Equal(b, prefix) {
				t.Errorf("failed encode left %x, want the buffer unchanged", b)
			}
		})
	}
}

type namedGUID [16]byte

type namedDecimal struct {
	Unscaled *big.Int
	Scale    uint8
}

// TestNamedTypes: the glue passes sqltypes.GUID and sqltypes.Decimal as
// they are.
func TestNamedTypes(t *testing.T) {
	b, err := appendValue(nil, GUID(), namedGUID(testGUID))
	if err != nil {
		t.Fatal(err)
	}
	want := append([]byte{16}, 0xFF, 0x19, 0x96, 0x6F, 0x86, 0x8B, 0x11, 0xD0, 0xB4, 0x2D, 0x00, 0xC0, 0x4F, 0xC9, 0x64, 0xFF)
	if !bytes.Equal(b, want) {
		t.Errorf("guid wire = %x, want %x", b, want)
	}
	b, err = appendValue(nil, DecimalN(5, 2), namedDecimal{Unscaled: big.NewInt(-150), Scale: 2})
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{5, 0, 150, 0, 0, 0}; !bytes.Equal(b, want) {
		t.Errorf("decimal wire = %x, want %x", b, want)
	}
}

func TestTypeInfoValidate(t *testing.T) {
	bad := []TypeInfo{IntN(3), NVarChar(4001), NVarChar(0), VarBinary(8001), {ID: TypeNChar, Max: true, Size: 0xFFFF},
		DecimalN(39, 0), DecimalN(5, 6), DateTime2(8), FltN(2), {ID: 0x99}}
	for _, ti := range bad {
		if _, err := appendTypeInfo(nil, ti); err == nil {
			t.Errorf("%+v accepted", ti)
		}
	}
}

// TestFreeTDSDecimalLength: FreeTDS declares a decimal parameter with the
// Sybase minimum length for its precision (4 for decimal(6,4)), which SQL
// Server takes. The simulator refused it ("decimal type has invalid length
// 4"), so pyodbc could not send decimal.Decimal("-12.3456").
func TestFreeTDSDecimalLength(t *testing.T) {
	// DECIMALN, length 4, precision 6, scale 4; value: length 4, negative,
	// magnitude 123456 little-endian in 3 bytes.
	b := []byte{TypeDecimalN, 4, 6, 4, 4, 0, 0x40, 0xE2, 0x01}
	r := &reader{b: b}
	ti := readTypeInfo(r)
	got := readValue(r, ti)
	if r.err != nil {
		t.Fatalf("decode: %v", r.err)
	}
	if want := dec("-123456", 4); !valueEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

// Varchar values travel in the code page of their TYPE_INFO's collation.
func TestVarCharCodePages(t *testing.T) {
	cyr := TypeInfo{ID: TypeBigVarChar, Size: 20, Collation: Collation{0x19, 0x04, 0xD0, 0x00, 0x00}}
	b, err := appendValue(nil, cyr, "привет")
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{6, 0, 0xEF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2}; string(b) != string(want) {
		t.Errorf("encoded % X, want % X", b, want)
	}
	r := &reader{b: b}
	if got := readValue(r, cyr); got != "привет" || r.err != nil {
		t.Errorf("decoded %q (%v)", got, r.err)
	}
	// The default collation has no Cyrillic: '?' as SQL Server stores.
	b, _ = appendValue(nil, VarChar(20), "мир")
	if want := []byte{3, 0, '?', '?', '?'}; string(b) != string(want) {
		t.Errorf("encoded % X, want % X", b, want)
	}
}

// TestVariantEncoding: SSVARIANTTYPE values as MS-TDS 2.2.5.5.4 lays
// them out (total length, base type, property count, properties, data).
func TestVariantEncoding(t *testing.T) {
	for _, c := range []struct {
		name string
		v    Variant
		want []byte
	}{
		{"int", Variant{IntN(4), int64(-20)}, []byte{6, 0, 0, 0, TypeInt4, 0, 0xEC, 0xFF, 0xFF, 0xFF}},
		{"tinyint", Variant{IntN(1), int64(10)}, []byte{3, 0, 0, 0, TypeInt1, 0, 10}},
		{"bit", Variant{Bit(), true}, []byte{3, 0, 0, 0, TypeBit, 0, 1}},
		{"decimal", Variant{DecimalN(18, 1), dec("-5", 1)}, []byte{13, 0, 0, 0, TypeDecimalN, 2, 18, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0}},
		{"nvarchar", Variant{NVarChar(3), "abc"}, []byte{15, 0, 0, 0, TypeNVarChar, 7, 0x09, 0x04, 0xD0, 0x00, 0x34, 6, 0, 'a', 0, 'b', 0, 'c', 0}},
		{"null", Variant{IntN(4), nil}, []byte{0, 0, 0, 0}},
	} {
		got, err := appendValue(nil, SQLVariant(), c.v)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if string(got) != string(c.want) {
			t.Errorf("%s: % X, want % X", c.name, got, c.want)
		}
	}
	if _, err := appendValue(nil, SQLVariant(), Variant{NVarCharMax(), "x"}); err == nil {
		t.Error("nvarchar(max) as a base type encoded; SQL Server refuses it")
	}
}
