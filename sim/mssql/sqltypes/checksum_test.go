package sqltypes

import "testing"

func TestChecksums(t *testing.T) {
	vc := VarChar(10)
	base := []Value{int64(1), "abc", nil}
	types := []Type{TypeInt, vc, TypeInt}
	b0 := BinaryChecksum(base, types)
	if b0 != BinaryChecksum([]Value{int64(1), "abc", nil}, types) {
		t.Fatal("not deterministic")
	}
	variants := []struct {
		name  string
		vals  []Value
		types []Type
	}{
		{"value", []Value{int64(2), "abc", nil}, types},
		{"string", []Value{int64(1), "abd", nil}, types},
		{"case", []Value{int64(1), "ABC", nil}, types},
		{"null to value", []Value{int64(1), "abc", int64(0)}, types},
		{"swap positions", []Value{"abc", int64(1), nil}, []Type{vc, TypeInt, TypeInt}},
		{"type", []Value{int64(1), "abc", nil}, []Type{TypeBigInt, vc, TypeInt}},
		{"unicode type", []Value{int64(1), "abc", nil}, []Type{TypeInt, NVarChar(10), TypeInt}},
		{"fewer", []Value{int64(1), "abc"}, types[:2]},
	}
	for _, v := range variants {
		if BinaryChecksum(v.vals, v.types) == b0 {
			t.Errorf("BinaryChecksum insensitive to %s", v.name)
		}
	}
	// CHECKSUM follows the collation: case and trailing spaces do not count.
	c0 := Checksum(base, types)
	if Checksum([]Value{int64(1), "ABC  ", nil}, types) != c0 {
		t.Error("Checksum sensitive to case or trailing spaces")
	}
	if Checksum([]Value{int64(1), "abd", nil}, types) == c0 {
		t.Error("Checksum insensitive to a letter")
	}
	// concatenation ambiguity: ("ab","c") vs ("a","bc")
	if BinaryChecksum([]Value{"ab", "c"}, []Type{vc, vc}) == BinaryChecksum([]Value{"a", "bc"}, []Type{vc, vc}) {
		t.Error("BinaryChecksum confuses value boundaries")
	}
}

func TestChecksumAgg(t *testing.T) {
	tests := []struct {
		vals []int64
		want int32
	}{
		{nil, 0},
		{[]int64{5}, 5},
		{[]int64{1, 2, 4}, 7},
		{[]int64{4, 2, 1}, 7},
		{[]int64{3, 3}, 0},
		{[]int64{-1}, -1},
		{[]int64{1 << 32}, 1},
	}
	for _, tc := range tests {
		if got := ChecksumAgg(tc.vals); got != tc.want {
			t.Errorf("ChecksumAgg(%v) = %d, want %d", tc.vals, got, tc.want)
		}
	}
}
