package tds

import (
	"time"
)

// TDS protocol levels the server speaks, from a LOGIN7's TDSVersion. The
// level decides the LOGIN7 layout, whether requests carry ALL_HEADERS and
// which data types may reach the client, as MS-TDS ties each to a version.
const (
	Level70 = 70 // SQL Server 7.0; refused, as SQL Server 2012 and later do
	Level71 = 71 // SQL Server 2000 SP1: no ALL_HEADERS, no (MAX) types, 86-byte LOGIN7 header
	Level72 = 72 // SQL Server 2005: ALL_HEADERS, (MAX) types as PLP
	Level73 = 73 // SQL Server 2008: date, time, datetime2, datetimeoffset
	Level74 = 74 // SQL Server 2012 and later
)

// LevelOf maps a LOGIN7 TDSVersion to its level. TDS 8.0 (strict
// encryption) and any later version speak what 7.4 does.
func LevelOf(v uint32) int {
	switch v >> 24 {
	case 0x70:
		return Level70
	case 0x71:
		return Level71
	case 0x72:
		return Level72
	case 0x73:
		return Level73
	}
	return Level74
}

// loginAckVersion is the TDSVersion LOGINACK answers for a level: the
// client's own, capped at the server's 7.4.
func loginAckVersion(level int) uint32 {
	switch level {
	case Level71:
		return VerTDS71
	case Level72:
		return VerTDS72
	case Level73:
		return VerTDS73B
	}
	return VerTDS74
}

// downgrade is how a column of a type the client's level does not know is
// sent instead, as SQL Server does: date and time types as nvarchar in
// their ISO string form below 7.3 (the length SQL Server uses for each
// scale), (MAX) types as ntext, text and image below 7.2. conv turns a
// value into the substitute's; nil when nothing changes.
func downgrade(t TypeInfo, level int) (TypeInfo, func(any) any) {
	if level < Level73 {
		switch t.ID {
		case TypeDateN:
			return NVarChar(10), timeString("2006-01-02")
		case TypeTimeN:
			return NVarChar(timeChars(8, t.Scale)), timeString("15:04:05" + fraction(t.Scale))
		case TypeDateTime2N:
			return NVarChar(timeChars(19, t.Scale)), timeString("2006-01-02 15:04:05" + fraction(t.Scale))
		case TypeDateTimeOffsetN:
			return NVarChar(timeChars(19, t.Scale) + 7), timeString("2006-01-02 15:04:05" + fraction(t.Scale) + " -07:00")
		}
	}
	if level < Level72 && t.Max {
		switch t.ID {
		case TypeXML:
			// xml came with TDS 7.2; earlier clients get it as ntext.
			return NText(), nil
		case TypeNVarChar:
			return TypeInfo{ID: TypeNText, Size: 0x7FFFFFFF, Collation: t.Collation}, nil
		case TypeBigVarChar:
			return TypeInfo{ID: TypeText, Size: 0x7FFFFFFF, Collation: t.Collation}, nil
		case TypeBigVarBin:
			return TypeInfo{ID: TypeImage, Size: 0x7FFFFFFF}, nil
		}
	}
	return t, nil
}

// timeChars is the length of a time string of base characters and a
// fraction of scale digits (and its point).
func timeChars(base int, scale uint8) int {
	if scale == 0 {
		return base
	}
	return base + 1 + int(scale)
}

func fraction(scale uint8) string {
	if scale == 0 {
		return ""
	}
	return "." + "0000000"[:scale]
}

func timeString(layout string) func(any) any {
	return func(v any) any {
		if tm, ok := v.(time.Time); ok {
			return tm.Format(layout)
		}
		return v
	}
}

// appendLongLen writes a text, ntext or image value of a result row: a
// 16-byte text pointer, an 8-byte timestamp, the length and the bytes
// (MS-TDS 2.2.4.2.1.3); NULL is an empty text pointer.
func appendLongLen(b []byte, t TypeInfo, v any) ([]byte, error) {
	if v == nil {
		return append(b, 0), nil
	}
	var data []byte
	switch x := v.(type) {
	case string:
		if t.ID == TypeNText {
			data = appendUTF16(nil, x)
		} else {
			data = appendChars(nil, t.collation(), x)
		}
	case []byte:
		if t.ID != TypeImage {
			return b, encErr(t, v, "want a string")
		}
		data = x
	default:
		return b, encErr(t, v, "want a string or []byte, got %T", v)
	}
	// The text pointer and timestamp are what a TDS 7.1 client keeps for
	// READTEXT/WRITETEXT, which this server does not offer: fixed values.
	b = append(b, 16)
	b = append(b, "simtextpointer\x00\x00"...)
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 0)
	b = appendU32(b, uint32(len(data)))
	return append(b, data...), nil
}
