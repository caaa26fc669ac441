package sqltypes

import (
	"time"
	"unicode/utf8"
)

// Precedence is SQL Server's data type precedence rank for the kinds the
// simulator has (higher wins): sql_variant > xml > datetimeoffset > datetime2 > datetime >
// smalldatetime > date > time > float > real >
// decimal > money > smallmoney > bigint > int > smallint > tinyint > bit >
// ntext > text > image > uniqueidentifier >
// nvarchar > nchar > varchar > char > varbinary > binary.
func Precedence(k Kind) int {
	switch k {
	case KindVariant:
		return 28
	case KindXML:
		return 27
	case KindDateTimeOffset:
		return 26
	case KindDateTime2:
		return 25
	case KindDateTime:
		return 24
	case KindSmallDateTime:
		return 23
	case KindDate:
		return 22
	case KindTime:
		return 21
	case KindFloat:
		return 20
	case KindReal:
		return 19
	case KindDecimal:
		return 18
	case KindMoney:
		return 17
	case KindSmallMoney:
		return 16
	case KindBigInt:
		return 15
	case KindInt:
		return 14
	case KindSmallInt:
		return 13
	case KindTinyInt:
		return 12
	case KindBit:
		return 11
	case KindNText:
		return 10
	case KindText:
		return 9
	case KindImage:
		return 8
	case KindUniqueIdentifier:
		return 7
	case KindNVarChar:
		return 6
	case KindNChar:
		return 5
	case KindVarChar:
		return 4
	case KindChar:
		return 3
	case KindVarBinary:
		return 2
	case KindBinary:
		return 1
	}
	return 0
}

// ResultType is the type SQL Server gives an expression that combines a and
// b without arithmetic (comparison, CASE, COALESCE, UNION): the kind of higher
// precedence, with length, precision and scale widened so both fit:
// decimal(max(s1,s2)+max(p1-s1,p2-s2), max(s1,s2)) capped at 38 (an integer
// side counts as decimal(10,0) etc.), the longer string or binary (MAX wins;
// a Unicode result counts a varchar's length in characters, capped at 4000),
// the larger datetime2 scale. An invalid kind on one side yields the other.
func ResultType(a, b Type) Type {
	if a.Kind == KindInvalid {
		return b
	}
	if b.Kind == KindInvalid {
		return a
	}
	hi, lo := a, b
	if Precedence(b.Kind) > Precedence(a.Kind) {
		hi, lo = b, a
	}
	switch {
	case hi.Kind == KindDecimal:
		p1, s1 := decimalShape(hi)
		p2, s2 := decimalShape(lo)
		s := max(s1, s2)
		p := s + max(p1-s1, p2-s2)
		if p > MaxPrecision {
			p = MaxPrecision
			s = min(s, p-max(p1-s1, p2-s2))
			if s < 0 {
				s = 0
			}
		}
		return DecimalType(uint8(p), uint8(s))
	case hi.Kind.IsString():
		r := hi
		if lo.Kind.IsString() || lo.Kind.IsBinary() {
			r.Length = widerLength(hi.Length, lo.Length)
		} else {
			r.Length = max(hi.Length, displayLength(lo))
		}
		if r.Kind.IsUnicode() && r.Length > maxNChars {
			r.Length = MaxLength
		}
		return r
	case hi.Kind.IsBinary():
		r := hi
		if lo.Kind.IsBinary() {
			r.Length = widerLength(hi.Length, lo.Length)
		}
		return r
	case hi.Kind == KindDateTime2 || hi.Kind == KindDateTimeOffset || hi.Kind == KindTime:
		r := hi
		if (lo.Kind == KindDateTime2 || lo.Kind == KindDateTimeOffset || lo.Kind == KindTime) && lo.Scale > r.Scale {
			r.Scale = lo.Scale
		}
		if lo.Kind == KindDateTime && r.Scale < 3 {
			r.Scale = 3
		}
		return r
	}
	return hi
}

func widerLength(a, b int) int {
	if a == MaxLength || b == MaxLength {
		return MaxLength
	}
	return max(a, b)
}

// displayLength is how many characters a non-string type needs as text.
func displayLength(t Type) int {
	switch t.Kind {
	case KindTinyInt:
		return 3
	case KindSmallInt:
		return 6
	case KindInt:
		return 11
	case KindBigInt:
		return 20
	case KindBit:
		return 1
	case KindDecimal:
		return int(t.Precision) + 2
	case KindMoney:
		return 21
	case KindSmallMoney:
		return 12
	case KindFloat, KindReal:
		return 30
	case KindDateTime:
		return 23
	case KindDateTime2:
		return 27
	case KindSmallDateTime:
		return 19
	case KindTime:
		return 16
	case KindDateTimeOffset:
		return 34
	case KindDate:
		return 10
	case KindUniqueIdentifier:
		return 36
	}
	return 30
}

// decimalShape is the (precision, scale) a numeric kind has in decimal
// arithmetic and type unification.
func decimalShape(t Type) (int, int) {
	if t.Kind == KindDecimal {
		if t.Precision == 0 {
			return 18, 0
		}
		return int(t.Precision), int(t.Scale)
	}
	switch t.Kind {
	case KindMoney:
		return 19, 4
	case KindSmallMoney:
		return 10, 4
	}
	return int(intDecimalPrecision(t.Kind)), 0
}

// LiteralType is the type SQL Server gives a literal of v's dynamic type:
// NULL is int; int64 is int when it fits, else bigint (the parser should make
// larger integer literals Decimal, as SQL Server types them numeric(p,0));
// Decimal is numeric(digits, scale); string is varchar(len) (the parser
// types N'...' literals nvarchar itself); []byte varbinary(len); time.Time
// datetime; float64 float; bool bit; GUID uniqueidentifier.
func LiteralType(v Value) Type {
	switch x := normalize(v).(type) {
	case nil:
		return TypeInt
	case int64:
		if x >= -1<<31 && x < 1<<31 {
			return TypeInt
		}
		return TypeBigInt
	case bool:
		return TypeBit
	case float64:
		return TypeFloat
	case Decimal:
		p := max(digits(x.unscaled()), int(x.Scale), 1)
		if p > MaxPrecision {
			p = MaxPrecision
		}
		return DecimalType(uint8(p), x.Scale)
	case string:
		return VarChar(max(utf8.RuneCountInString(x), 1))
	case []byte:
		return VarBinary(max(len(x), 1))
	case time.Time:
		return TypeDateTime
	case GUID:
		return TypeGUID
	}
	return Type{}
}
