package catalog

import (
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

// systemTypeID is a type's system_type_id (sys.columns, sys.types).
func systemTypeID(t engine.Type) int64 {
	switch t.Kind {
	case sqltypes.KindTinyInt:
		return 48
	case sqltypes.KindSmallInt:
		return 52
	case sqltypes.KindInt:
		return 56
	case sqltypes.KindBigInt:
		return 127
	case sqltypes.KindBit:
		return 104
	case sqltypes.KindDecimal:
		return 106
	case sqltypes.KindFloat:
		return 62
	case sqltypes.KindReal:
		return 59
	case sqltypes.KindNVarChar:
		return 231
	case sqltypes.KindVarChar:
		return 167
	case sqltypes.KindNChar:
		return 239
	case sqltypes.KindChar:
		return 175
	case sqltypes.KindDateTime:
		return 61
	case sqltypes.KindDateTime2:
		return 42
	case sqltypes.KindDate:
		return 40
	case sqltypes.KindTime:
		return 41
	case sqltypes.KindDateTimeOffset:
		return 43
	case sqltypes.KindSmallDateTime:
		return 58
	case sqltypes.KindUniqueIdentifier:
		return 36
	case sqltypes.KindVarBinary:
		return 165
	case sqltypes.KindBinary:
		return 173
	case sqltypes.KindMoney:
		return 60
	case sqltypes.KindSmallMoney:
		return 122
	case sqltypes.KindText:
		return 35
	case sqltypes.KindNText:
		return 99
	case sqltypes.KindImage:
		return 34
	case sqltypes.KindXML:
		return 241
	case sqltypes.KindVariant:
		return 98
	}
	return 0
}

// maxLength is a type's max_length in bytes (sys.columns, sp_help): -1
// for (max).
func maxLength(t engine.Type) int64 {
	switch t.Kind {
	case sqltypes.KindTinyInt, sqltypes.KindBit:
		return 1
	case sqltypes.KindSmallInt:
		return 2
	case sqltypes.KindInt, sqltypes.KindReal:
		return 4
	case sqltypes.KindBigInt, sqltypes.KindFloat, sqltypes.KindDateTime, sqltypes.KindMoney:
		return 8
	case sqltypes.KindSmallMoney:
		return 4
	case sqltypes.KindText, sqltypes.KindNText, sqltypes.KindImage:
		return 16 // the text pointer
	case sqltypes.KindXML:
		return -1
	case sqltypes.KindVariant:
		return 8016
	case sqltypes.KindDecimal:
		switch {
		case t.Precision <= 9:
			return 5
		case t.Precision <= 19:
			return 9
		case t.Precision <= 28:
			return 13
		}
		return 17
	case sqltypes.KindDateTime2:
		return 8
	case sqltypes.KindDate:
		return 3
	case sqltypes.KindSmallDateTime:
		return 4
	case sqltypes.KindTime:
		return 5
	case sqltypes.KindDateTimeOffset:
		return 10
	case sqltypes.KindUniqueIdentifier:
		return 16
	}
	if t.Length == sqltypes.MaxLength {
		return -1
	}
	if t.Kind.IsUnicode() {
		return int64(t.Length) * 2
	}
	return int64(t.Length)
}

// precisionOf is a type's precision and scale as sys.columns shows them.
func precisionOf(t engine.Type) (int64, int64) {
	switch t.Kind {
	case sqltypes.KindTinyInt:
		return 3, 0
	case sqltypes.KindSmallInt:
		return 5, 0
	case sqltypes.KindInt:
		return 10, 0
	case sqltypes.KindBigInt:
		return 19, 0
	case sqltypes.KindBit:
		return 1, 0
	case sqltypes.KindDecimal:
		return int64(t.Precision), int64(t.Scale)
	case sqltypes.KindMoney:
		return 19, 4
	case sqltypes.KindSmallMoney:
		return 10, 4
	case sqltypes.KindFloat:
		return 53, 0
	case sqltypes.KindReal:
		return 24, 0
	case sqltypes.KindDateTime:
		return 23, 3
	case sqltypes.KindDateTime2:
		return 27, int64(t.Scale)
	case sqltypes.KindDate:
		return 10, 0
	case sqltypes.KindSmallDateTime:
		return 16, 0
	case sqltypes.KindTime:
		return 16, int64(t.Scale)
	case sqltypes.KindDateTimeOffset:
		return 34, int64(t.Scale)
	}
	return 0, 0
}
