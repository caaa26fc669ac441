package tds

import "fmt"

// sql_variant on the wire (MS-TDS 2.2.5.5.4, SSVARIANTTYPE): TYPE_INFO is
// SSVARIANTTYPE with a LONGLEN maximum length (8016 as SQL Server sends
// it); a value is a LONGLEN total length (0 for NULL), the base type's id
// (the fixed-length ids for the integer, bit, float, money and datetime
// types), the count of property bytes, the properties (scale; precision
// and scale; maximum length; collation and maximum length) and the data
// without a length prefix.

// VariantMaxLength is SQL Server's declared length of a sql_variant.
const VariantMaxLength = 8016

// SQLVariant is the TYPE_INFO of sql_variant.
func SQLVariant() TypeInfo { return TypeInfo{ID: TypeVariant, Size: VariantMaxLength} }

// Variant is a sql_variant value: the base type as a column of it would be
// described, and the value.
type Variant struct {
	Type  TypeInfo
	Value any
}

func appendVariant(b []byte, t TypeInfo, v any) ([]byte, error) {
	x, ok := v.(Variant)
	if !ok {
		return b, encErr(t, v, "want a tds.Variant")
	}
	if x.Value == nil {
		return appendU32(b, 0), nil
	}
	bt := x.Type
	if err := bt.validate(); err != nil {
		return b, err
	}
	base := bt.ID
	var props []byte
	prefix := 1 // the data's length prefix in the base type's own encoding
	switch bt.ID {
	case TypeIntN:
		base = map[int]byte{1: TypeInt1, 2: TypeInt2, 4: TypeInt4, 8: TypeInt8}[bt.Size]
	case TypeBitN:
		base = TypeBit
	case TypeFltN:
		base = map[int]byte{4: TypeFlt4, 8: TypeFlt8}[bt.Size]
	case TypeMoneyN:
		base = map[int]byte{4: TypeMoney4, 8: TypeMoney}[bt.Size]
	case TypeDateTimeN:
		base = map[int]byte{4: TypeDateTim4, 8: TypeDateTime}[bt.Size]
	case TypeGUID, TypeDateN:
	case TypeTimeN, TypeDateTime2N, TypeDateTimeOffsetN:
		props = []byte{bt.Scale}
	case TypeDecimalN, TypeNumericN:
		props = []byte{bt.Precision, bt.Scale}
	case TypeBigVarBin, TypeBigBinary:
		props, prefix = appendU16(nil, uint16(bt.Size)), 2
	case TypeBigVarChar, TypeBigChar, TypeNVarChar, TypeNChar:
		c := bt.collation()
		props, prefix = appendU16(append([]byte{}, c[:]...), uint16(bt.Size)), 2
	default:
		return b, encErr(t, v, "%v cannot be a sql_variant's base type", bt)
	}
	if base == 0 || bt.Max {
		return b, encErr(t, v, "%v cannot be a sql_variant's base type", bt)
	}
	data, err := appendValue0(nil, bt, x.Value)
	if err != nil {
		return b, err
	}
	if len(data) < prefix {
		return b, fmt.Errorf("tds: sql_variant of %v: short encoding", bt)
	}
	data = data[prefix:]
	b = appendU32(b, uint32(2+len(props)+len(data)))
	b = append(b, base, byte(len(props)))
	b = append(b, props...)
	return append(b, data...), nil
}
