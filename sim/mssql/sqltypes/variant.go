package sqltypes

import (
	"encoding/binary"

	"github.com/pchatdr/harness/sim/mssql/collation"
	"github.com/pchatdr/harness/sqlerr"
)

// sql_variant (Microsoft's "sql_variant" page) holds a value together with
// its base type: Variant. A value of any type converts to it except text,
// ntext, image, xml, the (MAX) types and sql_variant itself (206); from it
// a value converts only explicitly (257), by its base type's rules. Two
// variants compare by their values when their base types' families meet
// (numbers with numbers, strings with strings, ...), else by the families'
// order, approximated here by data type precedence. SQL_VARIANT_PROPERTY
// reads the base type (VariantProperty).

// TypeVariant is sql_variant.
var TypeVariant = Type{Kind: KindVariant}

// Variant is a sql_variant value: its base type and its value (never NULL
// and never a Variant; a NULL sql_variant is nil).
type Variant struct {
	Type Type
	V    Value
}

// variantBase reports whether a type can be a sql_variant's base type.
func variantBase(t Type) bool {
	switch {
	case t.Kind.IsLOB(), t.Kind == KindXML, t.Kind == KindVariant:
		return false
	case (t.Kind.IsString() || t.Kind.IsBinary()) && t.Length == MaxLength:
		return false
	}
	return true
}

func toVariant(v Value, from Type) (Value, error) {
	if x, ok := v.(Variant); ok {
		return x, nil
	}
	if from.Kind == KindInvalid {
		from = LiteralType(v)
	}
	if !variantBase(from) {
		return nil, sqlerr.New(sqlerr.OperandTypeClash, from.String(), "sql_variant")
	}
	return Variant{Type: from, V: v}, nil
}

// compareVariants orders two variants: by value where their base types
// compare, else by the base types' precedence.
func compareVariants(x, y Variant) (int, error) {
	if c, err := Compare(x.V, y.V, x.Type, y.Type); err == nil {
		return c, nil
	}
	return cmpOrdered(Precedence(x.Type.Kind), Precedence(y.Type.Kind)), nil
}

// VariantProperty is SQL_VARIANT_PROPERTY(v, property) for a value whose
// base type is t (a Variant's own when v is one): BaseType, Precision,
// Scale, TotalBytes, Collation, MaxLength; NULL for another property or a
// NULL value. The result is itself a sql_variant (of sysname or int).
func VariantProperty(v Value, t Type, property string) Value {
	if x, ok := v.(Variant); ok {
		v, t = x.V, x.Type
	}
	if v == nil || !variantBase(t) {
		return nil
	}
	prec, scale := variantPrecision(t)
	switch lowerASCII(property) {
	case "basetype":
		// The simulator does not keep whether a value was declared decimal
		// or numeric (the same type); it reports decimal.
		name := t.Name()
		if t.Kind == KindDecimal {
			name = "decimal"
		}
		return Variant{Type: TypeSysname, V: name}
	case "precision":
		return Variant{Type: TypeInt, V: int64(prec)}
	case "scale":
		return Variant{Type: TypeInt, V: int64(scale)}
	case "collation":
		if !t.Kind.IsString() {
			return nil
		}
		return Variant{Type: TypeSysname, V: t.Collation.Name()}
	case "maxlength":
		return Variant{Type: TypeInt, V: int64(variantMaxLength(t))}
	case "totalbytes":
		return Variant{Type: TypeInt, V: int64(variantTotalBytes(v, t))}
	}
	return nil
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// variantPrecision is the base type's precision and scale as
// SQL_VARIANT_PROPERTY reports them (0 for character and binary types).
func variantPrecision(t Type) (int, int) {
	switch t.Kind {
	case KindTinyInt:
		return 3, 0
	case KindSmallInt:
		return 5, 0
	case KindInt:
		return 10, 0
	case KindBigInt:
		return 19, 0
	case KindBit:
		return 1, 0
	case KindDecimal:
		p, s := decimalShape(t)
		return p, s
	case KindMoney:
		return 19, 4
	case KindSmallMoney:
		return 10, 4
	case KindFloat:
		return 53, 0
	case KindReal:
		return 24, 0
	case KindDateTime:
		return 23, 3
	case KindSmallDateTime:
		return 16, 0
	case KindDate:
		return 10, 0
	case KindTime:
		return 8 + timeDigits(t.Scale), int(t.Scale)
	case KindDateTime2:
		return 19 + timeDigits(t.Scale), int(t.Scale)
	case KindDateTimeOffset:
		return 26 + timeDigits(t.Scale), int(t.Scale)
	}
	return 0, 0
}

func timeDigits(scale uint8) int {
	if scale == 0 {
		return 0
	}
	return int(scale) + 1
}

// variantMaxLength is the base type's storage length in bytes.
func variantMaxLength(t Type) int {
	switch t.Kind {
	case KindTinyInt, KindBit:
		return 1
	case KindSmallInt:
		return 2
	case KindInt, KindReal, KindSmallMoney, KindSmallDateTime:
		return 4
	case KindBigInt, KindFloat, KindMoney, KindDateTime:
		return 8
	case KindDecimal:
		p, _ := decimalShape(t)
		switch {
		case p <= 9:
			return 5
		case p <= 19:
			return 9
		case p <= 28:
			return 13
		}
		return 17
	case KindDate:
		return 3
	case KindTime:
		return timeBytes(t.Scale)
	case KindDateTime2:
		return timeBytes(t.Scale) + 3
	case KindDateTimeOffset:
		return timeBytes(t.Scale) + 5
	case KindUniqueIdentifier:
		return 16
	}
	if t.Kind.IsUnicode() {
		return 2 * t.Length
	}
	return t.Length
}

func timeBytes(scale uint8) int {
	switch {
	case scale <= 2:
		return 3
	case scale <= 4:
		return 4
	}
	return 5
}

// variantTotalBytes is the bytes the value takes in a sql_variant: its
// data and the base type's header (two bytes, and the type's properties).
func variantTotalBytes(v Value, t Type) int {
	n := variantMaxLength(t)
	props := 0
	switch {
	case t.Kind == KindDecimal:
		props = 2
	case t.Kind == KindTime, t.Kind == KindDateTime2, t.Kind == KindDateTimeOffset:
		props = 1
	case t.Kind.IsString():
		props = 7
		if s, ok := v.(string); ok {
			n = charLen(s, t)
			if t.Kind.IsUnicode() {
				n *= 2
			}
		}
	case t.Kind.IsBinary():
		props = 2
		if b, ok := v.([]byte); ok {
			n = len(b)
		}
	}
	return 2 + props + n
}

// appendVariant is a Variant's storage form: its type, then its value.
func appendVariant(dst []byte, x Variant) []byte {
	t := x.Type
	dst = append(dst, byte(t.Kind))
	dst = binary.AppendVarint(dst, int64(t.Length))
	dst = append(dst, t.Precision, t.Scale, byte(t.Collation))
	return AppendValue(dst, x.V)
}

func readVariant(src []byte) (Value, []byte, error) {
	if len(src) < 1 {
		return nil, nil, corrupt("truncated sql_variant")
	}
	t := Type{Kind: Kind(src[0])}
	n, k := binary.Varint(src[1:])
	if k <= 0 || n < MaxLength || n > 1<<31 {
		return nil, nil, corrupt("bad sql_variant length")
	}
	t.Length = int(n)
	rest := src[1+k:]
	if len(rest) < 3 {
		return nil, nil, corrupt("truncated sql_variant")
	}
	t.Precision, t.Scale, t.Collation = rest[0], rest[1], collation.ID(rest[2])
	if !t.Collation.Valid() || !variantBase(t) || t.Kind == KindInvalid || t.Kind > KindVariant {
		return nil, nil, corrupt("bad sql_variant base type")
	}
	if len(rest) > 3 && rest[3] == tagVariant {
		return nil, nil, corrupt("nested sql_variant")
	}
	v, rest, err := ReadValue(rest[3:])
	if err != nil {
		return nil, nil, err
	}
	if v == nil {
		return nil, nil, corrupt("sql_variant of NULL")
	}
	if _, nested := v.(Variant); nested {
		return nil, nil, corrupt("nested sql_variant")
	}
	return Variant{Type: t, V: v}, rest, nil
}
