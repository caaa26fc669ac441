package sqltypes

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// FormatValue renders v of type t as text the way PRINT and CAST(... AS
// nvarchar(max)) do: numbers in their CAST form (float with six significant
// digits), bit as 1/0, datetime as 'Nov 22 2026  4:39AM', datetime2 and date
// in ISO form, uniqueidentifier upper-case. Two choices where PRINT would
// not help: NULL renders as "" (PRINT prints an empty line) and binary as
// 0x-prefixed upper-case hex (SSMS' rendering; CAST would give raw bytes).
func FormatValue(v Value, t Type) string {
	v = normalize(v)
	switch x := v.(type) {
	case nil:
		return ""
	case []byte:
		return "0x" + strings.ToUpper(hex.EncodeToString(x))
	case string:
		return x
	case Variant:
		return FormatValue(x.V, x.Type)
	}
	if t.Kind == KindInvalid || t.Kind.IsString() || t.Kind.IsBinary() {
		t = LiteralType(v)
	}
	s, err := convert(v, t, NVarChar(MaxLength), -1)
	if err != nil {
		return fmt.Sprint(v)
	}
	return s.(string)
}
