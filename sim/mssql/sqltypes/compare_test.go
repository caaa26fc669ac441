package sqltypes

import (
	"math/rand"
	"testing"
)

func TestCompare(t *testing.T) {
	g1, _ := ParseGUID("00000000-0000-0000-0000-000000000001")
	g2, _ := ParseGUID("01000000-0000-0000-0000-000000000000")
	g3, _ := ParseGUID("00000000-0000-0000-0100-000000000000")
	vc := VarChar(20)
	tests := []struct {
		a, b   Value
		ta, tb Type
		want   int
		err    int32
	}{
		{int64(1), int64(2), TypeInt, TypeInt, -1, 0},
		{int64(2), int64(2), TypeInt, TypeBigInt, 0, 0},
		{int64(1), dec(t, "1.00"), TypeInt, DecimalType(3, 2), 0, 0},
		{dec(t, "1.5"), int64(1), DecimalType(2, 1), TypeInt, 1, 0},
		{dec(t, "0.1"), 0.1, DecimalType(1, 1), TypeFloat, 0, 0},
		{int64(3), 2.5, TypeInt, TypeFloat, 1, 0},
		{true, int64(1), TypeBit, TypeInt, 0, 0},
		{"abc", "ABC", vc, vc, 0, 0},
		{"abc", "abc   ", vc, Type{Kind: KindChar, Length: 6}, 0, 0},
		{"abc", "abd", vc, NVarChar(3), -1, 0},
		{" abc", "abc", vc, vc, -1, 0}, // leading spaces count
		{"ÄBC", "äbc", NVarChar(3), NVarChar(3), 0, 0},
		{"a", "ab", vc, vc, -1, 0},
		{"10", int64(9), vc, TypeInt, 1, 0}, // string converts to int: numeric order
		{"abc", int64(9), vc, TypeInt, 0, 245},
		{"1.5", dec(t, "1.50"), vc, DecimalType(3, 2), 0, 0},
		{"2026-01-02", ts(2026, 1, 2, 0, 0, 0, 0), vc, TypeDateTime, 0, 0},
		{"garbage", ts(2026, 1, 2, 0, 0, 0, 0), vc, TypeDateTime, 0, 241},
		{ts(2026, 1, 2, 0, 0, 0, 0), ts(2026, 1, 2, 12, 0, 0, 0), TypeDate, TypeDateTime, -1, 0},
		{[]byte{1, 2}, []byte{1, 3}, VarBinary(2), VarBinary(2), -1, 0},
		{g1, g2, TypeGUID, TypeGUID, 1, 0}, // node bytes are most significant
		{g2, g3, TypeGUID, TypeGUID, -1, 0},
		{g1, "00000000-0000-0000-0000-000000000001", TypeGUID, vc, 0, 0},
		{g1, int64(1), TypeGUID, TypeInt, 0, 206},
		{ts(2026, 1, 2, 0, 0, 0, 0), int64(1), TypeDate, TypeInt, 0, 206},
		{nil, int64(1), TypeInt, TypeInt, -1, 0},
		{int64(1), nil, TypeInt, TypeInt, 1, 0},
		{nil, nil, TypeInt, TypeInt, 0, 0},
	}
	for _, tc := range tests {
		got, err := Compare(tc.a, tc.b, tc.ta, tc.tb)
		if n := errNum(err); n != tc.err {
			t.Errorf("Compare(%#v, %#v) error %v, want %d", tc.a, tc.b, err, tc.err)
			continue
		}
		if err == nil && got != tc.want {
			t.Errorf("Compare(%#v, %#v) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if err == nil && tc.a != nil && tc.b != nil {
			back, _ := Compare(tc.b, tc.a, tc.tb, tc.ta)
			if back != -got {
				t.Errorf("Compare not antisymmetric for %#v, %#v: %d vs %d", tc.a, tc.b, got, back)
			}
			eq, _ := Equal(tc.a, tc.b, tc.ta, tc.tb)
			if eq != (got == 0) {
				t.Errorf("Equal(%#v, %#v) = %v", tc.a, tc.b, eq)
			}
		}
	}
	if eq, _ := Equal(nil, nil, TypeInt, TypeInt); eq {
		t.Error("NULL = NULL must not be true")
	}
}

func TestKeyAcrossNumericKinds(t *testing.T) {
	same := [][]Value{
		{int64(1), true, dec(t, "1.000"), 1.0},
		{dec(t, "0.10"), 0.1, dec(t, "0.1")},
		{int64(0), false, dec(t, "0.00"), 0.0},
		{"Abc ", "aBC", "abc"},
	}
	for _, group := range same {
		k := Key(group[0], Type{})
		for _, v := range group[1:] {
			if Key(v, Type{}) != k {
				t.Errorf("Key(%#v) = %q, Key(%#v) = %q", v, Key(v, Type{}), group[0], k)
			}
		}
	}
	distinct := []Value{nil, int64(1), "1", []byte("1"), ts(1900, 1, 2, 0, 0, 0, 0), GUID{1}, 1.5, "a", "b"}
	seen := map[string]Value{}
	for _, v := range distinct {
		k := Key(v, Type{})
		if prev, dup := seen[k]; dup {
			t.Errorf("Key collision: %#v and %#v -> %q", prev, v, k)
		}
		seen[k] = v
	}
}

// randomValue draws a value of kind k from a small domain so that equal
// values are frequent.
func randomValue(r *rand.Rand, k Kind) (Value, Type) {
	switch k {
	case KindInt:
		return int64(r.Intn(7) - 3), TypeInt
	case KindDecimal:
		return NewDecimal(int64(r.Intn(41)-20), uint8(r.Intn(3))), DecimalType(10, 2)
	case KindFloat:
		return float64(r.Intn(9)-4) / 2, TypeFloat
	case KindNVarChar:
		letters := []string{"a", "A", "b", "B", "ä", "Ä", " ", "ab", "AB ", "b  "}
		return letters[r.Intn(len(letters))] + letters[r.Intn(len(letters))], NVarChar(10)
	case KindDateTime:
		return ts(2026, 1, 1+r.Intn(3), r.Intn(2), 0, 0, 0), TypeDateTime
	case KindVarBinary:
		return []byte{byte(r.Intn(3)), byte(r.Intn(2))}[:1+r.Intn(2)], VarBinary(2)
	case KindUniqueIdentifier:
		var g GUID
		g[r.Intn(16)] = byte(r.Intn(2))
		return g, TypeGUID
	}
	return nil, Type{}
}

// Property: within a kind, Compare == 0 exactly when keys are equal, and
// Compare is antisymmetric and transitive enough to sort.
func TestCompareKeyConsistency(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	kinds := []Kind{KindInt, KindDecimal, KindFloat, KindNVarChar, KindDateTime, KindVarBinary, KindUniqueIdentifier}
	for _, k := range kinds {
		for i := 0; i < 2000; i++ {
			a, ta := randomValue(r, k)
			b, tb := randomValue(r, k)
			c, err := Compare(a, b, ta, tb)
			if err != nil {
				t.Fatalf("Compare(%#v, %#v): %v", a, b, err)
			}
			if (c == 0) != (Key(a, ta) == Key(b, tb)) {
				t.Fatalf("kind %s: Compare(%#v, %#v) = %d but keys %q %q", ta.Name(), a, b, c, Key(a, ta), Key(b, tb))
			}
			if back, _ := Compare(b, a, tb, ta); back != -c {
				t.Fatalf("antisymmetry %#v %#v", a, b)
			}
		}
	}
	// mixed exact numerics share the key space
	for i := 0; i < 2000; i++ {
		a, ta := randomValue(r, KindInt)
		b, tb := randomValue(r, KindDecimal)
		c, err := Compare(a, b, ta, tb)
		if err != nil {
			t.Fatal(err)
		}
		if (c == 0) != (Key(a, ta) == Key(b, tb)) {
			t.Fatalf("Compare(%#v, %#v) = %d but keys %q %q", a, b, c, Key(a, ta), Key(b, tb))
		}
	}
}
