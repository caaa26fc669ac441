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

// AsString is v as a string: "" for NULL or a value of another type (the
// simulator's own T-SQL reads its msdb rows back with it).
func AsString(v Value) string {
	s, _ := v.(string)
	return s
}

// AsInt64 is v as an integer: bit as 0/1, an integral DECIMAL as its value,
// 0 for NULL or anything else.
func AsInt64(v Value) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case bool:
		if x {
			return 1
		}
	case Decimal:
		if x.Unscaled != nil && x.Scale == 0 && x.Unscaled.IsInt64() {
			return x.Unscaled.Int64()
		}
	}
	return 0
}

// WallClock is t's wall-clock reading labelled UTC, as DATETIME values
// hold local times.
func WallClock(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}
