// Package sqltypes is the simulator's value system: SQL Server's base types,
// how values of them are represented in Go, and the rules between them
// (conversion, comparison, arithmetic, checksums). The engine evaluates
// expressions with it; transports encode its values on the wire.
package sqltypes

import (
	"crypto/rand"
	"fmt"
	"math/big"

	"github.com/pchatdr/harness/sim/mssql/collation"
)

// Kind is a SQL Server base type as the engine stores and returns it.
type Kind uint8

const (
	KindInvalid Kind = iota
	KindTinyInt
	KindSmallInt
	KindInt
	KindBigInt
	KindBit
	KindDecimal // also NUMERIC; LSNs are numeric(25,0)
	KindFloat   // FLOAT(53)
	KindReal    // FLOAT(24)
	KindNVarChar
	KindVarChar
	KindNChar
	KindChar
	KindDateTime
	KindDateTime2
	KindDate
	KindUniqueIdentifier
	KindVarBinary
	KindBinary
	// Appended after the kinds above: stored rows and table definitions
	// carry kind numbers.
	KindSmallDateTime
	KindTime           // Scale 0-7; the value is on 1900-01-01
	KindDateTimeOffset // Scale 0-7; the value's zone is its offset
	KindMoney          // Decimal at scale 4 (money.go)
	KindSmallMoney     // Decimal at scale 4, int32 range
	// The deprecated LOB types and xml (lob.go): text and ntext hold
	// strings, image []byte, xml the string of its document.
	KindText
	KindNText
	KindImage
	KindXML
	KindVariant // sql_variant: the value is a Variant (variant.go)
)

// MaxLength marks a (MAX) length in Type.Length.
const MaxLength = -1

// Type is a column, variable or parameter type.
// Length counts characters for character types and bytes for binary types;
// MaxLength means (MAX). Precision and Scale apply to Decimal and (Scale only)
// to DateTime2. Collation applies to the character kinds: a non-Unicode
// value holds only characters of its code page, and its length counts that
// code page's bytes; the zero value is the server's default collation.
type Type struct {
	Kind      Kind
	Length    int
	Precision uint8
	Scale     uint8
	Collation collation.ID `json:",omitempty"`
}

// CodePage is the code page of a non-Unicode character type's bytes.
func (t Type) CodePage() collation.CodePage { return t.Collation.CodePage() }

// Value is one SQL value. The dynamic types are exactly:
//
//	nil (NULL), int64 (all integer kinds), bool (BIT), float64 (FLOAT, REAL),
//	string (all character kinds), []byte (binary kinds), time.Time (date/time
//	kinds: UTC wall clock as SQL Server has no zone, except datetimeoffset,
//	whose location is a fixed zone of its offset; time is on 1900-01-01),
//	Decimal, GUID.
type Value = any

// Decimal is an exact numeric: Unscaled * 10^-Scale.
type Decimal struct {
	Unscaled *big.Int
	Scale    uint8
}

func (d Decimal) String() string {
	if d.Unscaled == nil {
		return "0"
	}
	s := new(big.Int).Abs(d.Unscaled).String()
	neg := d.Unscaled.Sign() < 0
	if d.Scale > 0 {
		for len(s) <= int(d.Scale) {
			s = "0" + s
		}
		s = s[:len(s)-int(d.Scale)] + "." + s[len(s)-int(d.Scale):]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// GUID is a uniqueidentifier in RFC 4122 byte order (the order of its string
// form); transports convert to SQL Server's mixed-endian wire order.
type GUID [16]byte

// NewGUID is a random (version 4) GUID, as NEWID() makes.
func NewGUID() GUID {
	var g GUID
	_, _ = rand.Read(g[:])
	g[6] = g[6]&0x0f | 0x40
	g[8] = g[8]&0x3f | 0x80
	return g
}

func (g GUID) String() string {
	return fmt.Sprintf("%X-%X-%X-%X-%X", g[0:4], g[4:6], g[6:8], g[8:10], g[10:16])
}
