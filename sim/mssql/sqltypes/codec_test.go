package sqltypes

import (
	"errors"
	"math"
	"math/big"
	"reflect"
	"testing"
	"time"
)

func codecSamples() []Value {
	huge, _ := new(big.Int).SetString("-99999999999999999999999999999999999999", 10)
	return []Value{
		nil, int64(0), int64(-1), int64(math.MaxInt64), int64(math.MinInt64),
		true, false,
		0.0, -1.5, math.Inf(1), math.Float64frombits(0x7FF8000000000123), math.SmallestNonzeroFloat64,
		"", "abc", "naïve ω 😀", string([]byte{0xff, 0x00}),
		[]byte{}, []byte(nil), []byte{0, 1, 2, 255},
		time.Date(2026, 11, 22, 4, 39, 12, 123456789, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(1753, 1, 1, 0, 0, 0, 0, time.UTC),
		// datetimeoffset values keep their offset through the log.
		time.Date(2010, 11, 15, 11, 56, 45, 123e6, OffsetZone(14*60)),
		time.Date(2010, 11, 15, 11, 56, 45, 0, OffsetZone(-450)),
		time.Date(2010, 11, 15, 11, 56, 45, 0, OffsetZone(0)),
		NewDecimal(0, 0), NewDecimal(12345, 2), NewDecimal(-5, 38), Decimal{Unscaled: huge, Scale: 0},
		GUID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
		// sql_variant keeps its base type.
		Variant{Type: TypeTinyInt, V: int64(10)},
		Variant{Type: Type{Kind: KindVarChar, Length: 20, Collation: 3}, V: "привет"},
		Variant{Type: DecimalType(18, 1), V: NewDecimal(-5, 1)},
	}
}

func sameEncoded(a, b Value) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	case time.Time:
		y, ok := b.(time.Time)
		_, xo := x.Zone()
		_, yo := y.Zone()
		return ok && x.Equal(y) && xo == yo && (x.Location() == time.UTC) == (y.Location() == time.UTC)
	case Decimal:
		y, ok := b.(Decimal)
		return ok && x.Scale == y.Scale && x.unscaled().Cmp(y.unscaled()) == 0
	case []byte:
		y, ok := b.([]byte)
		return ok && (x == nil) == (y == nil) && reflect.DeepEqual(append([]byte{}, x...), append([]byte{}, y...))
	case Variant:
		y, ok := b.(Variant)
		return ok && x.Type == y.Type && sameEncoded(x.V, y.V)
	}
	return reflect.DeepEqual(a, b)
}

func TestCodecRoundTrip(t *testing.T) {
	for _, v := range codecSamples() {
		enc := AppendValue([]byte{0xAA}, v)
		got, rest, err := ReadValue(enc[1:])
		if err != nil || len(rest) != 0 {
			t.Fatalf("ReadValue(%#v): %v, rest %d", v, err, len(rest))
		}
		if !sameEncoded(v, got) {
			t.Errorf("round trip %#v -> %#v", v, got)
		}
	}
	row := codecSamples()
	enc := AppendRow(nil, row)
	enc = AppendRow(enc, []Value{})
	got, rest, err := ReadRow(enc)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(row) {
		t.Fatalf("row length %d, want %d", len(got), len(row))
	}
	for i := range row {
		if !sameEncoded(row[i], got[i]) {
			t.Errorf("row[%d] %#v -> %#v", i, row[i], got[i])
		}
	}
	empty, rest, err := ReadRow(rest)
	if err != nil || len(empty) != 0 || len(rest) != 0 {
		t.Fatalf("empty row: %v %v %d", empty, err, len(rest))
	}
}

func TestCodecCorrupt(t *testing.T) {
	full := AppendRow(nil, codecSamples())
	// every strict prefix is an error, never a panic
	for i := 0; i < len(full); i++ {
		if _, _, err := ReadRow(full[:i]); err == nil {
			t.Fatalf("prefix %d/%d decoded", i, len(full))
		} else if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("prefix %d: %v does not wrap ErrCorrupt", i, err)
		}
	}
	bad := [][]byte{
		{0x01, 0xEE},                                     // unknown tag
		{0x01, tagDecimal, 0, 7, 0},                      // bad sign
		{0x01, tagDecimal, 0, 1, 1, 5},                   // zero sign, non-zero magnitude
		{0x01, tagTime, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, // nanos >= 1e9
		{0xFF, 0xFF, 0xFF, 0xFF, 0x0F},                   // huge count
		{0x01, tagString, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F},
	}
	for _, b := range bad {
		if _, _, err := ReadRow(b); !errors.Is(err, ErrCorrupt) {
			t.Errorf("ReadRow(%x) = %v, want ErrCorrupt", b, err)
		}
	}
}

func FuzzReadRow(f *testing.F) {
	f.Add(AppendRow(nil, codecSamples()))
	f.Add(AppendRow(nil, []Value{int64(1), "x"}))
	f.Add([]byte{})
	f.Add([]byte{0x02, tagDecimal})
	f.Add([]byte{0x01, tagVariant, byte(KindInt), 0, 0, 0, 0, tagInt, 2})
	f.Add([]byte{0x01, tagVariant, byte(KindInt), 0, 0, 0, 0, tagVariant, byte(KindInt), 0, 0, 0, 0, tagInt, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		row, _, err := ReadRow(b)
		if err != nil {
			return
		}
		// whatever decodes re-encodes to something that decodes the same
		again, rest, err := ReadRow(AppendRow(nil, row))
		if err != nil || len(rest) != 0 || len(again) != len(row) {
			t.Fatalf("re-encode: %v", err)
		}
		for i := range row {
			if !sameEncoded(row[i], again[i]) {
				t.Fatalf("value %d: %#v vs %#v", i, row[i], again[i])
			}
		}
	})
}

func BenchmarkCodecRow(b *testing.B) {
	row := []Value{int64(42), "persistent chat message body", ts(2026, 1, 1, 0, 0, 0, 0), NewDecimal(12345, 2), true}
	buf := make([]byte, 0, 256)
	for b.Loop() {
		buf = AppendRow(buf[:0], row)
		if _, _, err := ReadRow(buf); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzReadRowPart holds ReadRowPart to ReadRow: the same verdict on any
// bytes (a restore reads them from a file), the same rest, and the wanted
// values decoded the same.
func FuzzReadRowPart(f *testing.F) {
	f.Add(AppendRow(nil, codecSamples()), uint64(0b101))
	f.Add(AppendRow(nil, []Value{int64(1), "x"}), uint64(1))
	f.Add([]byte{}, uint64(0))
	f.Add([]byte{0x01, tagTime, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, uint64(0))
	f.Add([]byte{0x01, tagString, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}, uint64(0))
	f.Add([]byte{0x01, tagVariant, byte(KindInt), 0, 0, 0, 0, tagInt, 2}, uint64(0))
	f.Fuzz(func(t *testing.T, b []byte, mask uint64) {
		want := make([]bool, 64)
		for i := range want {
			want[i] = mask&(1<<i) != 0
		}
		row, rest, err := ReadRow(b)
		cols, crest, cerr := ReadRowPart(b, want, nil)
		if (err == nil) != (cerr == nil) {
			t.Fatalf("ReadRow error %v, ReadRowPart error %v", err, cerr)
		}
		if err != nil {
			if !errors.Is(cerr, ErrCorrupt) {
				t.Fatalf("ReadRowPart error %v does not wrap ErrCorrupt", cerr)
			}
			return
		}
		if len(rest) != len(crest) || len(row) != len(cols) {
			t.Fatalf("rest %d vs %d bytes, %d vs %d values", len(rest), len(crest), len(row), len(cols))
		}
		for i := range row {
			switch {
			case i < len(want) && want[i]:
				if !sameEncoded(row[i], cols[i]) {
					t.Fatalf("value %d: %#v vs %#v", i, row[i], cols[i])
				}
			case cols[i] != nil:
				t.Fatalf("value %d not wanted but decoded: %#v", i, cols[i])
			}
		}
	})
}

func TestReadRowPartReusesAndSkips(t *testing.T) {
	b := AppendRow(nil, codecSamples())
	full, _, err := ReadRow(b)
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]Value, 0, len(full))
	want := []bool{true}
	cols, rest, err := ReadRowPart(b, want, dst)
	if err != nil || len(rest) != 0 {
		t.Fatalf("ReadRowPart: %v, %d bytes left", err, len(rest))
	}
	if &cols[0] != &dst[:1][0] {
		t.Error("ReadRowPart did not reuse dst")
	}
	if !sameEncoded(cols[0], full[0]) {
		t.Errorf("value 0: %#v, want %#v", cols[0], full[0])
	}
	for i := 1; i < len(cols); i++ {
		if cols[i] != nil {
			t.Errorf("value %d: %#v, want nil (not wanted)", i, cols[i])
		}
	}
}
