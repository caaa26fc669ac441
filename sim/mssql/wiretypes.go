package mssql

import (
	"time"

	"github.com/pchatdr/harness/sim/mssql/collation"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tds"
)

// wireType maps an engine type to the TYPE_INFO SQL Server would send for it.
// Lengths beyond the short-length limit travel as (MAX), i.e. PLP. A
// character type carries its collation, by which the client decodes a
// varchar's code-page bytes.
func wireType(t engine.Type) tds.TypeInfo {
	ti := wireTypeOf(t)
	if t.Kind.IsString() {
		ti.Collation = tds.Collation(t.Collation.TDS())
	}
	return ti
}

func wireTypeOf(t engine.Type) tds.TypeInfo {
	switch t.Kind {
	case sqltypes.KindTinyInt:
		return tds.IntN(1)
	case sqltypes.KindSmallInt:
		return tds.IntN(2)
	case sqltypes.KindInt:
		return tds.IntN(4)
	case sqltypes.KindBigInt:
		return tds.IntN(8)
	case sqltypes.KindBit:
		return tds.Bit()
	case sqltypes.KindDecimal:
		p := t.Precision
		if p == 0 {
			p = 18
		}
		return tds.DecimalN(p, t.Scale)
	case sqltypes.KindText:
		return tds.Text()
	case sqltypes.KindNText:
		return tds.NText()
	case sqltypes.KindImage:
		return tds.Image()
	case sqltypes.KindXML:
		return tds.XML()
	case sqltypes.KindVariant:
		return tds.SQLVariant()
	case sqltypes.KindMoney:
		return tds.MoneyN(8)
	case sqltypes.KindSmallMoney:
		return tds.MoneyN(4)
	case sqltypes.KindFloat:
		return tds.FltN(8)
	case sqltypes.KindReal:
		return tds.FltN(4)
	case sqltypes.KindNVarChar:
		if t.Length == sqltypes.MaxLength || t.Length > 4000 {
			return tds.NVarCharMax()
		}
		return tds.NVarChar(max(t.Length, 1))
	case sqltypes.KindNChar:
		if t.Length > 4000 {
			return tds.NVarCharMax()
		}
		return tds.NChar(max(t.Length, 1))
	case sqltypes.KindVarChar:
		if t.Length == sqltypes.MaxLength || t.Length > 8000 {
			return tds.VarCharMax()
		}
		return tds.VarChar(max(t.Length, 1))
	case sqltypes.KindChar:
		if t.Length > 8000 {
			return tds.VarCharMax()
		}
		return tds.Char(max(t.Length, 1))
	case sqltypes.KindDateTime:
		return tds.DateTime()
	case sqltypes.KindDateTime2:
		return tds.DateTime2(t.Scale)
	case sqltypes.KindDate:
		return tds.Date()
	case sqltypes.KindSmallDateTime:
		return tds.SmallDateTime()
	case sqltypes.KindTime:
		return tds.Time(t.Scale)
	case sqltypes.KindDateTimeOffset:
		return tds.DateTimeOffset(t.Scale)
	case sqltypes.KindUniqueIdentifier:
		return tds.GUID()
	case sqltypes.KindVarBinary:
		if t.Length == sqltypes.MaxLength || t.Length > 8000 {
			return tds.VarBinaryMax()
		}
		return tds.VarBinary(max(t.Length, 1))
	case sqltypes.KindBinary:
		if t.Length > 8000 {
			return tds.VarBinaryMax()
		}
		return tds.Binary(max(t.Length, 1))
	}
	// The engine never produces another kind; NVARCHAR(MAX) carries any
	// value's text form rather than corrupting the stream.
	return tds.NVarCharMax()
}

// engineValue maps a decoded RPC parameter to the engine's type and value.
// A datetimeoffset keeps its offset (its zone); a time goes on 1900-01-01;
// the other date/time values are UTC wall clocks.
func engineValue(t tds.TypeInfo, v any) (engine.Type, engine.Value) {
	et := engineType(t)
	switch x := v.(type) {
	case tds.Decimal:
		return et, sqltypes.Decimal{Unscaled: x.Unscaled, Scale: x.Scale}
	case [16]byte:
		return et, sqltypes.GUID(x)
	case time.Time:
		switch et.Kind {
		case sqltypes.KindDateTimeOffset:
			_, off := x.Zone()
			return et, x.In(sqltypes.OffsetZone(off / 60))
		case sqltypes.KindTime:
			h, m, s := x.Clock()
			return et, time.Date(1900, 1, 1, h, m, s, x.Nanosecond(), time.UTC)
		}
		return et, x.UTC()
	}
	return et, v
}

func engineType(t tds.TypeInfo) engine.Type {
	switch t.ID {
	case tds.TypeIntN, tds.TypeInt8, tds.TypeInt4, tds.TypeInt2, tds.TypeInt1:
		switch t.Size {
		case 1:
			return engine.Type{Kind: sqltypes.KindTinyInt}
		case 2:
			return engine.Type{Kind: sqltypes.KindSmallInt}
		case 4:
			return engine.Type{Kind: sqltypes.KindInt}
		}
		return engine.Type{Kind: sqltypes.KindBigInt}
	case tds.TypeBitN, tds.TypeBit:
		return engine.Type{Kind: sqltypes.KindBit}
	case tds.TypeFltN, tds.TypeFlt8, tds.TypeFlt4:
		if t.Size == 4 {
			return engine.Type{Kind: sqltypes.KindReal}
		}
		return engine.Type{Kind: sqltypes.KindFloat}
	case tds.TypeDecimalN, tds.TypeNumericN:
		return engine.Type{Kind: sqltypes.KindDecimal, Precision: t.Precision, Scale: t.Scale}
	case tds.TypeMoneyN, tds.TypeMoney, tds.TypeMoney4:
		// Falling through to the untyped-NULL case below lost the value of
		// an OUTPUT money parameter (go-mssqldb read NULL).
		if t.Size == 4 || t.ID == tds.TypeMoney4 {
			return sqltypes.TypeSmallMoney
		}
		return sqltypes.TypeMoney
	case tds.TypeNVarChar:
		if t.Max {
			return engine.Type{Kind: sqltypes.KindNVarChar, Length: sqltypes.MaxLength}
		}
		return engine.Type{Kind: sqltypes.KindNVarChar, Length: max(t.Size/2, 1)}
	case tds.TypeNChar:
		return engine.Type{Kind: sqltypes.KindNChar, Length: max(t.Size/2, 1)}
	case tds.TypeBigVarChar:
		if t.Max {
			return engine.Type{Kind: sqltypes.KindVarChar, Length: sqltypes.MaxLength, Collation: paramCollation(t)}
		}
		return engine.Type{Kind: sqltypes.KindVarChar, Length: max(t.Size, 1), Collation: paramCollation(t)}
	case tds.TypeBigChar:
		return engine.Type{Kind: sqltypes.KindChar, Length: max(t.Size, 1), Collation: paramCollation(t)}
	case tds.TypeBigVarBin:
		if t.Max {
			return engine.Type{Kind: sqltypes.KindVarBinary, Length: sqltypes.MaxLength}
		}
		return engine.Type{Kind: sqltypes.KindVarBinary, Length: max(t.Size, 1)}
	case tds.TypeBigBinary:
		return engine.Type{Kind: sqltypes.KindBinary, Length: max(t.Size, 1)}
	case tds.TypeDateTimeN, tds.TypeDateTime, tds.TypeDateTim4:
		if t.Size == 4 || t.ID == tds.TypeDateTim4 {
			return engine.Type{Kind: sqltypes.KindSmallDateTime}
		}
		return engine.Type{Kind: sqltypes.KindDateTime}
	case tds.TypeDateN:
		return engine.Type{Kind: sqltypes.KindDate}
	case tds.TypeDateTime2N:
		return engine.Type{Kind: sqltypes.KindDateTime2, Scale: t.Scale}
	case tds.TypeDateTimeOffsetN:
		return engine.Type{Kind: sqltypes.KindDateTimeOffset, Scale: t.Scale}
	case tds.TypeTimeN:
		return engine.Type{Kind: sqltypes.KindTime, Scale: t.Scale}
	case tds.TypeGUID:
		return engine.Type{Kind: sqltypes.KindUniqueIdentifier}
	case tds.TypeNText:
		return sqltypes.TypeNText
	case tds.TypeText:
		tt := sqltypes.TypeText
		tt.Collation = paramCollation(t)
		return tt
	case tds.TypeImage:
		return sqltypes.TypeImage
	case tds.TypeXML:
		return sqltypes.TypeXML
	}
	// NULL type (go-mssqldb's nil) and anything unusual: an untyped NULL
	// converts to whatever the statement needs.
	return engine.Type{Kind: sqltypes.KindNVarChar, Length: 1}
}

// paramCollation is the modelled collation of a client's varchar
// parameter whose characters its TDS collation's code page gives (the
// tds layer decoded them by it): its characters stay what the client sent.
func paramCollation(t tds.TypeInfo) collation.ID {
	return collation.ForCodePage(t.CodePage())
}

// wireVariant is a sql_variant value for the wire: its base type as a
// column of that type is described, and its value.
func wireVariant(x sqltypes.Variant) tds.Variant {
	return tds.Variant{Type: wireType(x.Type), Value: x.V}
}
