package sqltypes

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Literal renders a Go value as a T-SQL literal, for the simulator's own
// T-SQL (the Agent's msdb rows, the log-shipping procedures and agent).
// Strings are N'...' with quotes doubled, so no value can leave its
// literal; times are DATETIME (a zero time is NULL). It panics on a type
// it does not render: callers pass only these.
func Literal(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return "N'" + strings.ReplaceAll(x, "'", "''") + "'"
	case int:
		return strconv.Itoa(x)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		if x {
			return "1"
		}
		return "0"
	case GUID:
		return "CONVERT(uniqueidentifier, '" + x.String() + "')"
	case time.Time:
		if x.IsZero() {
			return "NULL"
		}
		return "CONVERT(datetime, '" + x.Format("2006-01-02T15:04:05.000") + "', 126)"
	case []byte:
		return "0x" + strings.ToUpper(fmt.Sprintf("%x", x))
	}
	panic(fmt.Sprintf("sqltypes: Literal of %T", v))
}

// QuoteName is QUOTENAME: [name] with ] doubled.
func QuoteName(s string) string { return "[" + strings.ReplaceAll(s, "]", "]]") + "]" }
