package sqltypes

import (
	"strconv"
	"strings"

	"github.com/pchatdr/harness/sqlerr"
)

// Maximum declared lengths for non-MAX types, as SQL Server enforces them.
const (
	maxNChars = 4000 // nvarchar, nchar
	maxBytes  = 8000 // varchar, char, varbinary, binary
	// MaxPrecision is the largest decimal precision.
	MaxPrecision = 38
)

// Name is the type's bare name as SQL Server writes it in messages
// ("Conversion failed when converting the varchar value ... to data type
// int."). Decimal is called numeric there, as SQL Server does.
func (t Type) Name() string {
	switch t.Kind {
	case KindTinyInt:
		return "tinyint"
	case KindSmallInt:
		return "smallint"
	case KindInt:
		return "int"
	case KindBigInt:
		return "bigint"
	case KindBit:
		return "bit"
	case KindDecimal:
		return "numeric"
	case KindFloat:
		return "float"
	case KindReal:
		return "real"
	case KindNVarChar:
		return "nvarchar"
	case KindVarChar:
		return "varchar"
	case KindNChar:
		return "nchar"
	case KindChar:
		return "char"
	case KindDateTime:
		return "datetime"
	case KindDateTime2:
		return "datetime2"
	case KindDate:
		return "date"
	case KindUniqueIdentifier:
		return "uniqueidentifier"
	case KindVarBinary:
		return "varbinary"
	case KindBinary:
		return "binary"
	case KindSmallDateTime:
		return "smalldatetime"
	case KindTime:
		return "time"
	case KindDateTimeOffset:
		return "datetimeoffset"
	case KindMoney:
		return "money"
	case KindSmallMoney:
		return "smallmoney"
	case KindText:
		return "text"
	case KindNText:
		return "ntext"
	case KindImage:
		return "image"
	case KindXML:
		return "xml"
	case KindVariant:
		return "sql_variant"
	}
	return "invalid"
}

// String spells the full type as SQL Server does: "nvarchar(128)",
// "numeric(25,0)", "varbinary(max)", "datetime2(7)", "int".
func (t Type) String() string {
	n := t.Name()
	switch t.Kind {
	case KindDecimal:
		return n + "(" + strconv.Itoa(int(t.Precision)) + "," + strconv.Itoa(int(t.Scale)) + ")"
	case KindDateTime2, KindTime, KindDateTimeOffset:
		return n + "(" + strconv.Itoa(int(t.Scale)) + ")"
	case KindNVarChar, KindVarChar, KindNChar, KindChar, KindVarBinary, KindBinary:
		if t.Length == MaxLength {
			return n + "(max)"
		}
		return n + "(" + strconv.Itoa(t.Length) + ")"
	}
	return n
}

// IsString reports a character kind.
func (k Kind) IsString() bool {
	return k == KindNVarChar || k == KindVarChar || k == KindNChar || k == KindChar || k == KindText || k == KindNText
}

// IsUnicode reports nvarchar, nchar and ntext.
func (k Kind) IsUnicode() bool { return k == KindNVarChar || k == KindNChar || k == KindNText }

// IsBinary reports varbinary, binary and image.
func (k Kind) IsBinary() bool { return k == KindVarBinary || k == KindBinary || k == KindImage }

// IsInteger reports the four integer kinds (not bit).
func (k Kind) IsInteger() bool {
	return k == KindTinyInt || k == KindSmallInt || k == KindInt || k == KindBigInt
}

// IsNumeric reports integers, bit, decimal, float and real.
func (k Kind) IsNumeric() bool {
	return k.IsInteger() || k == KindBit || k == KindDecimal || k == KindFloat || k == KindReal || k.IsMoney()
}

// IsDateTime reports the date and time kinds: datetime, datetime2, date,
// smalldatetime, time and datetimeoffset.
func (k Kind) IsDateTime() bool {
	switch k {
	case KindDateTime, KindDateTime2, KindDate, KindSmallDateTime, KindTime, KindDateTimeOffset:
		return true
	}
	return false
}

// Handy constructors for the engine and tests.
var (
	TypeTinyInt  = Type{Kind: KindTinyInt}
	TypeSmallInt = Type{Kind: KindSmallInt}
	TypeInt      = Type{Kind: KindInt}
	TypeBigInt   = Type{Kind: KindBigInt}
	TypeBit      = Type{Kind: KindBit}
	TypeFloat    = Type{Kind: KindFloat}
	TypeReal     = Type{Kind: KindReal}
	TypeDateTime = Type{Kind: KindDateTime}
	TypeDate     = Type{Kind: KindDate}
	TypeGUID     = Type{Kind: KindUniqueIdentifier}
	// TypeSysname is sysname: nvarchar(128) (NOT NULL is the engine's rule).
	TypeSysname = Type{Kind: KindNVarChar, Length: 128}
)

// NVarChar returns nvarchar(n); n may be MaxLength.
func NVarChar(n int) Type { return Type{Kind: KindNVarChar, Length: n} }

// VarChar returns varchar(n); n may be MaxLength.
func VarChar(n int) Type { return Type{Kind: KindVarChar, Length: n} }

// VarBinary returns varbinary(n); n may be MaxLength.
func VarBinary(n int) Type { return Type{Kind: KindVarBinary, Length: n} }

// DecimalType returns decimal(p,s).
func DecimalType(p, s uint8) Type { return Type{Kind: KindDecimal, Precision: p, Scale: s} }

// DateTime2 returns datetime2(scale).
func DateTime2(scale uint8) Type { return Type{Kind: KindDateTime2, Scale: scale} }

// Time returns time(scale).
func Time(scale uint8) Type { return Type{Kind: KindTime, Scale: scale} }

// DateTimeOffset returns datetimeoffset(scale).
func DateTimeOffset(scale uint8) Type { return Type{Kind: KindDateTimeOffset, Scale: scale} }

// TypeSmallDateTime is smalldatetime.
var TypeSmallDateTime = Type{Kind: KindSmallDateTime}

// TypeNameOptions tunes ParseTypeNameOpts.
type TypeNameOptions struct {
	// Position is the "#%d" SQL Server reports in 2715/2750 (column,
	// parameter or variable ordinal); 0 means 1.
	Position int
	// Cast selects CAST/CONVERT's default length of 30 for character and
	// binary types written without a length; declarations default to 1.
	Cast bool
}

// ParseTypeName resolves a type as written in DECLARE, CREATE TABLE or a
// parameter list: name is case-insensitive (schema "sys." allowed), args are
// the numbers in parentheses and max is true for "(MAX)". Character and
// binary types without a length get length 1, as in a declaration.
func ParseTypeName(name string, args []int, max bool) (Type, error) {
	return ParseTypeNameOpts(name, args, max, TypeNameOptions{})
}

// ParseCastTypeName is ParseTypeName for the target of CAST/CONVERT, where a
// missing length means 30.
func ParseCastTypeName(name string, args []int, max bool) (Type, error) {
	return ParseTypeNameOpts(name, args, max, TypeNameOptions{Cast: true})
}

// ParseTypeNameOpts is ParseTypeName with options.
func ParseTypeNameOpts(name string, args []int, max bool, o TypeNameOptions) (Type, error) {
	pos := o.Position
	if pos <= 0 {
		pos = 1
	}
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.TrimPrefix(strings.TrimPrefix(n, "sys."), "[sys].")
	n = strings.Trim(n, "[]")
	display := name
	unknown := func() (Type, error) { return Type{}, sqlerr.New(sqlerr.UnknownDataType, pos, display) }
	noArgs := func(t Type) (Type, error) {
		if len(args) > 0 || max {
			return unknown()
		}
		return t, nil
	}
	length := func(k Kind, limit int) (Type, error) {
		if max {
			if len(args) > 0 {
				return unknown()
			}
			return Type{Kind: k, Length: MaxLength}, nil
		}
		switch len(args) {
		case 0:
			if o.Cast {
				return Type{Kind: k, Length: 30}, nil
			}
			return Type{Kind: k, Length: 1}, nil
		case 1:
			if args[0] < 1 || args[0] > limit {
				return Type{}, sqlerr.New(sqlerr.SizeExceedsMaximum, args[0], "type", strings.ToLower(name), limit)
			}
			return Type{Kind: k, Length: args[0]}, nil
		}
		return unknown()
	}
	switch n {
	case "tinyint":
		return noArgs(TypeTinyInt)
	case "smallint":
		return noArgs(TypeSmallInt)
	case "int", "integer":
		return noArgs(TypeInt)
	case "bigint":
		return noArgs(TypeBigInt)
	case "bit":
		return noArgs(TypeBit)
	case "real":
		return noArgs(TypeReal)
	case "datetime":
		return noArgs(TypeDateTime)
	case "date":
		return noArgs(TypeDate)
	case "uniqueidentifier":
		return noArgs(TypeGUID)
	case "sysname":
		return noArgs(TypeSysname)
	case "decimal", "numeric", "dec":
		if max || len(args) > 2 {
			return unknown()
		}
		p, s := 18, 0
		if len(args) >= 1 {
			p = args[0]
		}
		if len(args) == 2 {
			s = args[1]
		}
		if p < 1 || p > MaxPrecision {
			return Type{}, sqlerr.New(sqlerr.PrecisionTooLarge, pos, p, MaxPrecision)
		}
		if s < 0 || s > p {
			return Type{}, sqlerr.New(sqlerr.ScaleTooLarge, pos, s, p)
		}
		return DecimalType(uint8(p), uint8(s)), nil
	case "float":
		if max || len(args) > 1 {
			return unknown()
		}
		if len(args) == 0 {
			return TypeFloat, nil
		}
		if args[0] < 1 || args[0] > 53 {
			return Type{}, sqlerr.New(sqlerr.PrecisionTooLarge, pos, args[0], 53)
		}
		if args[0] <= 24 {
			return TypeReal, nil
		}
		return TypeFloat, nil
	case "smalldatetime":
		return noArgs(TypeSmallDateTime)
	case "text":
		return noArgs(TypeText)
	case "ntext":
		return noArgs(TypeNText)
	case "image":
		return noArgs(TypeImage)
	case "xml":
		return noArgs(TypeXML)
	case "sql_variant":
		return noArgs(TypeVariant)
	case "money":
		return noArgs(TypeMoney)
	case "smallmoney":
		return noArgs(TypeSmallMoney)
	case "datetime2", "time", "datetimeoffset":
		if max || len(args) > 1 {
			return unknown()
		}
		scale := 7
		if len(args) == 1 {
			scale = args[0]
		}
		if scale < 0 || scale > 7 {
			return Type{}, sqlerr.New(sqlerr.PrecisionTooLarge, pos, scale, 7)
		}
		k := map[string]Kind{"datetime2": KindDateTime2, "time": KindTime, "datetimeoffset": KindDateTimeOffset}[n]
		return Type{Kind: k, Scale: uint8(scale)}, nil
	case "nvarchar", "national character varying", "national char varying":
		return length(KindNVarChar, maxNChars)
	case "varchar", "character varying", "char varying":
		return length(KindVarChar, maxBytes)
	case "nchar", "national character", "national char":
		if max {
			return unknown()
		}
		return length(KindNChar, maxNChars)
	case "char", "character":
		if max {
			return unknown()
		}
		return length(KindChar, maxBytes)
	case "varbinary", "binary varying":
		return length(KindVarBinary, maxBytes)
	case "binary":
		if max {
			return unknown()
		}
		return length(KindBinary, maxBytes)
	}
	return unknown()
}
