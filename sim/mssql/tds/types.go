package tds

import (
	"fmt"
	"math/big"
)

// TDS data type ids (MS-TDS 2.2.5.4).
const (
	// Fixed-length types: no length in TYPE_INFO.
	TypeNull     = 0x1F
	TypeInt1     = 0x30
	TypeBit      = 0x32
	TypeInt2     = 0x34
	TypeInt4     = 0x38
	TypeDateTim4 = 0x3A
	TypeFlt4     = 0x3B
	TypeMoney    = 0x3C
	TypeDateTime = 0x3D
	TypeFlt8     = 0x3E
	TypeMoney4   = 0x7A
	TypeInt8     = 0x7F

	// Byte-length types.
	TypeGUID            = 0x24
	TypeIntN            = 0x26
	TypeBitN            = 0x68
	TypeDecimalN        = 0x6A
	TypeNumericN        = 0x6C
	TypeFltN            = 0x6D
	TypeMoneyN          = 0x6E
	TypeDateTimeN       = 0x6F
	TypeDateN           = 0x28
	TypeTimeN           = 0x29
	TypeDateTime2N      = 0x2A
	TypeDateTimeOffsetN = 0x2B

	// USHORT-length types; length 0xFFFF in TYPE_INFO means (MAX), sent as PLP.
	TypeBigVarBin  = 0xA5
	TypeBigVarChar = 0xA7
	TypeBigBinary  = 0xAD
	TypeBigChar    = 0xAF
	TypeNVarChar   = 0xE7
	TypeNChar      = 0xEF

	// Types the client may know but this package does not encode or decode.
	TypeXML     = 0xF1
	TypeUDT     = 0xF0
	TypeText    = 0x23
	TypeImage   = 0x22
	TypeNText   = 0x63
	TypeVariant = 0x62
	TypeTVP     = 0xF3
)

// Collation is the 5-byte TDS collation: LCID and flags (4 bytes LE) and
// the SQL sort id.
type Collation [5]byte

// DefaultCollation is SQL_Latin1_General_CP1_CI_AS (LCID 0x0409, sort 52),
// SQL Server's default, code page 1252.
var DefaultCollation = Collation{0x09, 0x04, 0xD0, 0x00, 0x34}

// utf8 reports the collation's UTF8 flag (SQL Server 2019 _UTF8 collations).
func (c Collation) utf8() bool { return c[3]&0x04 != 0 }

// maxShortLen is the largest non-MAX length of the USHORT-length types.
const maxShortLen = 8000

// TypeInfo is a column's or parameter's wire type. It is deliberately the
// TDS view (ids and byte lengths), not the SQL view: the glue layer maps
// engine types onto it with the constructors below.
type TypeInfo struct {
	ID byte
	// Size is the TYPE_INFO length in bytes: the value length of the
	// byte-length types (INTN 1/2/4/8, FLTN 4/8, GUID 16, DATETIMN 4/8),
	// the maximum byte length of the USHORT-length types (NVARCHAR(10) has
	// Size 20). Ignored when Max is set and for the scale-based date/time
	// types, whose length follows from Scale.
	Size      int
	Precision uint8 // DECIMALN/NUMERICN
	Scale     uint8 // DECIMALN/NUMERICN, TIMEN, DATETIME2N, DATETIMEOFFSETN
	Max       bool  // (MAX): values are sent as PLP
	// Collation of the character types; the zero value means
	// DefaultCollation when encoding.
	Collation Collation
}

// IntN is INTN of 1 (tinyint), 2 (smallint), 4 (int) or 8 (bigint) bytes.
func IntN(size int) TypeInfo { return TypeInfo{ID: TypeIntN, Size: size} }

// Bit is BITN(1).
func Bit() TypeInfo { return TypeInfo{ID: TypeBitN, Size: 1} }

// FltN is FLTN of 4 (real) or 8 (float) bytes.
func FltN(size int) TypeInfo { return TypeInfo{ID: TypeFltN, Size: size} }

// XML is untyped XML: UTF-16LE values as PLP.
func XML() TypeInfo { return TypeInfo{ID: TypeXML, Max: true} }

// Text, NText and Image are the deprecated LOB types as SQL Server
// describes their columns (LONGLEN 2^31-1, ntext's in bytes 2^31-2);
// values carry a text pointer.
func Text() TypeInfo { return TypeInfo{ID: TypeText, Size: 0x7FFFFFFF} }

// NText is NTEXT.
func NText() TypeInfo { return TypeInfo{ID: TypeNText, Size: 0x7FFFFFFE} }

// Image is IMAGE.
func Image() TypeInfo { return TypeInfo{ID: TypeImage, Size: 0x7FFFFFFF} }

// MoneyN is MONEYN of 8 (money) or 4 (smallmoney) bytes.
func MoneyN(size int) TypeInfo { return TypeInfo{ID: TypeMoneyN, Size: size} }

// DecimalN is DECIMALN(precision, scale).
func DecimalN(precision, scale uint8) TypeInfo {
	return TypeInfo{ID: TypeDecimalN, Size: decimalSize(precision), Precision: precision, Scale: scale}
}

// NumericN is NUMERICN(precision, scale).
func NumericN(precision, scale uint8) TypeInfo {
	return TypeInfo{ID: TypeNumericN, Size: decimalSize(precision), Precision: precision, Scale: scale}
}

// NVarChar is NVARCHAR(n), n in characters (1..4000).
func NVarChar(n int) TypeInfo { return TypeInfo{ID: TypeNVarChar, Size: 2 * n} }

// NVarCharMax is NVARCHAR(MAX).
func NVarCharMax() TypeInfo { return TypeInfo{ID: TypeNVarChar, Size: 0xFFFF, Max: true} }

// NChar is NCHAR(n), n in characters (1..4000); values are space padded.
func NChar(n int) TypeInfo { return TypeInfo{ID: TypeNChar, Size: 2 * n} }

// VarChar is VARCHAR(n) in the default collation (code page 1252).
func VarChar(n int) TypeInfo { return TypeInfo{ID: TypeBigVarChar, Size: n} }

// VarCharMax is VARCHAR(MAX).
func VarCharMax() TypeInfo { return TypeInfo{ID: TypeBigVarChar, Size: 0xFFFF, Max: true} }

// Char is CHAR(n); values are space padded.
func Char(n int) TypeInfo { return TypeInfo{ID: TypeBigChar, Size: n} }

// VarBinary is VARBINARY(n), n in bytes (1..8000).
func VarBinary(n int) TypeInfo { return TypeInfo{ID: TypeBigVarBin, Size: n} }

// VarBinaryMax is VARBINARY(MAX).
func VarBinaryMax() TypeInfo { return TypeInfo{ID: TypeBigVarBin, Size: 0xFFFF, Max: true} }

// Binary is BINARY(n); values are zero padded.
func Binary(n int) TypeInfo { return TypeInfo{ID: TypeBigBinary, Size: n} }

// DateTime is DATETIMN(8), the classic datetime.
func DateTime() TypeInfo { return TypeInfo{ID: TypeDateTimeN, Size: 8} }

// SmallDateTime is DATETIMN(4).
func SmallDateTime() TypeInfo { return TypeInfo{ID: TypeDateTimeN, Size: 4} }

// DateTime2 is DATETIME2N(scale), scale 0..7.
func DateTime2(scale uint8) TypeInfo {
	return TypeInfo{ID: TypeDateTime2N, Size: timeSize(scale) + 3, Scale: scale}
}

// Date is DATEN.
func Date() TypeInfo { return TypeInfo{ID: TypeDateN, Size: 3} }

// Time is TIMEN(scale).
func Time(scale uint8) TypeInfo { return TypeInfo{ID: TypeTimeN, Size: timeSize(scale), Scale: scale} }

// DateTimeOffset is DATETIMEOFFSETN(scale).
func DateTimeOffset(scale uint8) TypeInfo {
	return TypeInfo{ID: TypeDateTimeOffsetN, Size: timeSize(scale) + 5, Scale: scale}
}

// GUID is uniqueidentifier.
func GUID() TypeInfo { return TypeInfo{ID: TypeGUID, Size: 16} }

// Decimal is an exact numeric value: Unscaled * 10^-Scale. Its layout
// matches sqltypes.Decimal so the glue can convert with a plain type
// conversion.
type Decimal struct {
	Unscaled *big.Int
	Scale    uint8
}

func (d Decimal) String() string {
	if d.Unscaled == nil {
		return "<nil>"
	}
	s := new(big.Int).Abs(d.Unscaled).String()
	if d.Scale > 0 {
		for len(s) <= int(d.Scale) {
			s = "0" + s
		}
		s = s[:len(s)-int(d.Scale)] + "." + s[len(s)-int(d.Scale):]
	}
	if d.Unscaled.Sign() < 0 {
		s = "-" + s
	}
	return s
}

// decimalSize is the value length (sign byte + magnitude) for a precision.
func decimalSize(p uint8) int {
	switch {
	case p <= 9:
		return 5
	case p <= 19:
		return 9
	case p <= 28:
		return 13
	}
	return 17
}

// timeSize is the byte length of the time part for a fractional scale.
func timeSize(scale uint8) int {
	switch {
	case scale <= 2:
		return 3
	case scale <= 4:
		return 4
	}
	return 5
}

func (t TypeInfo) isChar() bool {
	switch t.ID {
	case TypeBigVarChar, TypeBigChar, TypeNVarChar, TypeNChar, TypeText, TypeNText:
		return true
	}
	return false
}

func (t TypeInfo) collation() Collation {
	if t.Collation == (Collation{}) {
		return DefaultCollation
	}
	return t.Collation
}

// String renders the type the way SQL Server declares it.
func (t TypeInfo) String() string {
	n := func(div int) string {
		if t.Max {
			return "max"
		}
		return fmt.Sprint(t.Size / div)
	}
	switch t.ID {
	case TypeNull:
		return "null"
	case TypeIntN, TypeInt1, TypeInt2, TypeInt4, TypeInt8:
		switch t.fixedSize() {
		case 1:
			return "tinyint"
		case 2:
			return "smallint"
		case 4:
			return "int"
		}
		return "bigint"
	case TypeBitN, TypeBit:
		return "bit"
	case TypeFltN, TypeFlt4, TypeFlt8:
		if t.fixedSize() == 4 {
			return "real"
		}
		return "float"
	case TypeDecimalN:
		return fmt.Sprintf("decimal(%d,%d)", t.Precision, t.Scale)
	case TypeNumericN:
		return fmt.Sprintf("numeric(%d,%d)", t.Precision, t.Scale)
	case TypeMoneyN, TypeMoney, TypeMoney4:
		if t.fixedSize() == 4 {
			return "smallmoney"
		}
		return "money"
	case TypeDateTimeN, TypeDateTime, TypeDateTim4:
		if t.fixedSize() == 4 {
			return "smalldatetime"
		}
		return "datetime"
	case TypeDateN:
		return "date"
	case TypeTimeN:
		return fmt.Sprintf("time(%d)", t.Scale)
	case TypeDateTime2N:
		return fmt.Sprintf("datetime2(%d)", t.Scale)
	case TypeDateTimeOffsetN:
		return fmt.Sprintf("datetimeoffset(%d)", t.Scale)
	case TypeGUID:
		return "uniqueidentifier"
	case TypeXML:
		return "xml"
	case TypeVariant:
		return "sql_variant"
	case TypeNVarChar:
		return "nvarchar(" + n(2) + ")"
	case TypeNChar:
		return "nchar(" + n(2) + ")"
	case TypeBigVarChar:
		return "varchar(" + n(1) + ")"
	case TypeBigChar:
		return "char(" + n(1) + ")"
	case TypeBigVarBin:
		return "varbinary(" + n(1) + ")"
	case TypeBigBinary:
		return "binary(" + n(1) + ")"
	case TypeText:
		return "text"
	case TypeNText:
		return "ntext"
	case TypeImage:
		return "image"
	}
	return fmt.Sprintf("type(0x%02X)", t.ID)
}

// fixedSize is the value size of a fixed type, or Size for the N types.
func (t TypeInfo) fixedSize() int {
	switch t.ID {
	case TypeInt1, TypeBit:
		return 1
	case TypeInt2:
		return 2
	case TypeInt4, TypeFlt4, TypeMoney4, TypeDateTim4:
		return 4
	case TypeInt8, TypeFlt8, TypeMoney, TypeDateTime:
		return 8
	}
	return t.Size
}

// validate checks that a TypeInfo can be written as column metadata.
func (t TypeInfo) validate() error {
	bad := func(why string) error { return fmt.Errorf("tds: invalid %v type info: %s", t, why) }
	switch t.ID {
	case TypeIntN:
		if t.Size != 1 && t.Size != 2 && t.Size != 4 && t.Size != 8 {
			return bad("size must be 1, 2, 4 or 8")
		}
	case TypeBitN:
		if t.Size != 1 {
			return bad("size must be 1")
		}
	case TypeFltN, TypeMoneyN:
		if t.Size != 4 && t.Size != 8 {
			return bad("size must be 4 or 8")
		}
	case TypeDateTimeN:
		if t.Size != 4 && t.Size != 8 {
			return bad("size must be 4 or 8")
		}
	case TypeGUID:
		if t.Size != 16 {
			return bad("size must be 16")
		}
	case TypeDecimalN, TypeNumericN:
		if t.Precision < 1 || t.Precision > 38 || t.Scale > t.Precision {
			return bad("precision must be 1..38 and scale at most the precision")
		}
	case TypeDateN:
	case TypeTimeN, TypeDateTime2N, TypeDateTimeOffsetN:
		if t.Scale > 7 {
			return bad("scale must be 0..7")
		}
	case TypeNVarChar, TypeBigVarChar, TypeBigVarBin:
		if t.Max {
			return nil
		}
		if t.Size < 1 || t.Size > maxShortLen || (t.ID == TypeNVarChar && t.Size%2 != 0) {
			return bad("length must be 1..8000 bytes (4000 characters for nvarchar)")
		}
	case TypeNChar, TypeBigChar, TypeBigBinary:
		if t.Max {
			return bad("fixed-length types have no (max) form")
		}
		if t.Size < 1 || t.Size > maxShortLen || (t.ID == TypeNChar && t.Size%2 != 0) {
			return bad("length must be 1..8000 bytes (4000 characters for nchar)")
		}
	case TypeInt1, TypeBit, TypeInt2, TypeInt4, TypeInt8, TypeFlt4, TypeFlt8,
		TypeMoney, TypeMoney4, TypeDateTime, TypeDateTim4:
	case TypeText, TypeNText, TypeImage:
		if t.Size < 0 {
			return bad("length must not be negative")
		}
	case TypeXML:
		if !t.Max {
			return bad("xml values are PLP (Max)")
		}
	case TypeVariant:
		if t.Size < 1 {
			return bad("length must be positive")
		}
	default:
		return bad("unsupported type id")
	}
	return nil
}

// appendTypeInfo writes TYPE_INFO (MS-TDS 2.2.5.6).
func appendTypeInfo(b []byte, t TypeInfo) ([]byte, error) {
	if err := t.validate(); err != nil {
		return b, err
	}
	b = append(b, t.ID)
	switch t.ID {
	case TypeIntN, TypeBitN, TypeFltN, TypeMoneyN, TypeDateTimeN, TypeGUID:
		b = append(b, byte(t.Size))
	case TypeDecimalN, TypeNumericN:
		b = append(b, byte(decimalSize(t.Precision)), t.Precision, t.Scale)
	case TypeTimeN, TypeDateTime2N, TypeDateTimeOffsetN:
		b = append(b, t.Scale)
	case TypeNVarChar, TypeNChar, TypeBigVarChar, TypeBigChar, TypeBigVarBin, TypeBigBinary:
		if t.Max {
			b = appendU16(b, 0xFFFF)
		} else {
			b = appendU16(b, uint16(t.Size))
		}
		if t.isChar() {
			c := t.collation()
			b = append(b, c[:]...)
		}
	case TypeText, TypeNText, TypeImage:
		b = appendU32(b, uint32(t.Size))
		if t.isChar() {
			c := t.collation()
			b = append(b, c[:]...)
		}
	case TypeXML:
		b = append(b, 0) // SCHEMA_PRESENT: untyped xml
	case TypeVariant:
		b = appendU32(b, uint32(t.Size))
	}
	return b, nil
}

// readTypeInfo decodes the TYPE_INFO of an RPC parameter.
func readTypeInfo(r *reader) TypeInfo {
	t := TypeInfo{ID: r.u8("type id")}
	if r.err != nil {
		return t
	}
	switch t.ID {
	case TypeNull:
	case TypeInt1, TypeBit, TypeInt2, TypeInt4, TypeInt8, TypeFlt4, TypeFlt8,
		TypeMoney, TypeMoney4, TypeDateTime, TypeDateTim4:
		t.Size = t.fixedSize()
	case TypeIntN, TypeBitN, TypeFltN, TypeMoneyN, TypeDateTimeN, TypeGUID:
		t.Size = int(r.u8("type length"))
		if r.err == nil && t.validate() != nil {
			r.fail("type 0x%02X has invalid length %d", t.ID, t.Size)
		}
	case TypeDecimalN, TypeNumericN:
		t.Size = int(r.u8("decimal length"))
		t.Precision = r.u8("decimal precision")
		t.Scale = r.u8("decimal scale")
		// The length is the largest value's: SQL Server's own is 5, 9, 13
		// or 17, but FreeTDS sends the Sybase minimum for the precision
		// (4 for decimal(6,4)), which SQL Server takes; values carry
		// their own length (2..17).
		if r.err == nil && (t.validate() != nil || t.Size < 2 || t.Size > 17) {
			r.fail("decimal type has invalid length %d, precision %d or scale %d", t.Size, t.Precision, t.Scale)
		}
	case TypeDateN:
		t.Size = 3
	case TypeTimeN, TypeDateTime2N, TypeDateTimeOffsetN:
		t.Scale = r.u8("time scale")
		if t.Scale > 7 {
			r.fail("type 0x%02X has invalid scale %d", t.ID, t.Scale)
		}
		t.Size = timeSize(t.Scale)
		switch t.ID {
		case TypeDateTime2N:
			t.Size += 3
		case TypeDateTimeOffsetN:
			t.Size += 5
		}
	case TypeNVarChar, TypeNChar, TypeBigVarChar, TypeBigChar, TypeBigVarBin, TypeBigBinary:
		t.Size = int(r.u16("type length"))
		t.Max = t.Size == 0xFFFF
		if t.isChar() {
			copy(t.Collation[:], r.bytes(5, "collation"))
		}
	case TypeXML:
		// XML_INFO: SCHEMA_PRESENT, then (typed xml) the schema
		// collection's database, owning schema and name, which an
		// untyped value here does not use.
		t.Max = true
		if r.u8("xml schema present") != 0 {
			r.bytes(2*int(r.u8("xml dbname length")), "xml dbname")
			r.bytes(2*int(r.u8("xml owning schema length")), "xml owning schema")
			r.bytes(2*int(r.u16("xml schema collection length")), "xml schema collection")
		}
	case TypeText, TypeNText, TypeImage:
		// A parameter's text, ntext or image (ODBC and DB-Library send
		// statement text as ntext): LONGLEN and, for the character
		// types, a collation; no table name outside COLMETADATA.
		t.Size = int(r.u32("type length") & 0x7FFFFFFF)
		if t.isChar() {
			copy(t.Collation[:], r.bytes(5, "collation"))
		}
	default:
		r.fail("data type 0x%02X is unknown or not supported", t.ID)
	}
	return t
}
