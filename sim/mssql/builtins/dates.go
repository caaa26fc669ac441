package builtins

import (
	"math"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sqlerr"
)

// ---------------------------------------------------------------------------
// Dates

var dateParts = map[string]string{
	"year": "year", "yy": "year", "yyyy": "year",
	"quarter": "quarter", "qq": "quarter", "q": "quarter",
	"month": "month", "mm": "month", "m": "month",
	"dayofyear": "dayofyear", "dy": "dayofyear", "y": "dayofyear",
	"day": "day", "dd": "day", "d": "day",
	"week": "week", "wk": "week", "ww": "week",
	"weekday": "weekday", "dw": "weekday", "w": "weekday",
	"hour": "hour", "hh": "hour",
	"minute": "minute", "mi": "minute", "n": "minute",
	"second": "second", "ss": "second", "s": "second",
	"millisecond": "millisecond", "ms": "millisecond",
	"microsecond": "microsecond", "mcs": "microsecond",
	"nanosecond": "nanosecond", "ns": "nanosecond",
}

// DatePart resolves the datepart keyword word (year, yy, yyyy, ...) of
// the function fn (its name as written, for the 155 message) to its
// canonical name.
func DatePart(word, fn string) (string, error) {
	p, ok := dateParts[strings.ToLower(word)]
	if !ok {
		return "", sqlerr.New(sqlerr.UnknownOption, word, fn)
	}
	return p, nil
}

// dateArg takes a string argument of a date function as datetime, as
// SQL Server converts it implicitly.
func dateArg(a Expr) Expr {
	if !a.Type.Kind.IsString() {
		return a
	}
	return Expr{Type: sqltypes.TypeDateTime, Nullable: true, Eval: func(en Env) (Value, error) {
		v, err := a.Eval(en)
		if err != nil || v == nil {
			return nil, err
		}
		return sqltypes.Convert(v, a.Type, sqltypes.TypeDateTime)
	}}
}

func asTime(v Value) (time.Time, bool) {
	t, ok := v.(time.Time)
	return t, ok
}

func dateAdd(c Call) (Expr, error) {
	part, n, d := c.Part, c.Args[0], dateArg(c.Args[1])
	rt := d.Type
	if !rt.Kind.IsDateTime() {
		return Expr{}, sqlerr.New(sqlerr.InvalidArgumentType, rt.Name(), 3, "dateadd")
	}
	return nullSafe(rt, []Expr{n, d}, func(v []Value) (Value, error) {
		k, err := argInt(v[0], n.Type)
		if err != nil {
			return nil, err
		}
		t, ok := asTime(v[1])
		if !ok {
			return nil, sqlerr.New(sqlerr.InvalidArgumentType, d.Type.Name(), 3, "dateadd")
		}
		var r time.Time
		switch part {
		case "year":
			r = addMonths(t, int(k)*12)
		case "quarter":
			r = addMonths(t, int(k)*3)
		case "month":
			r = addMonths(t, int(k))
		case "day", "dayofyear", "weekday":
			r = t.AddDate(0, 0, int(k))
		case "week":
			r = t.AddDate(0, 0, 7*int(k))
		case "hour":
			r = t.Add(time.Duration(k) * time.Hour)
		case "minute":
			r = t.Add(time.Duration(k) * time.Minute)
		case "second":
			r = t.Add(time.Duration(k) * time.Second)
		case "millisecond":
			r = t.Add(time.Duration(k) * time.Millisecond)
		case "microsecond":
			r = t.Add(time.Duration(k) * time.Microsecond)
		case "nanosecond":
			r = t.Add(time.Duration(k))
		}
		if r.Year() < 1 || r.Year() > 9999 || (rt.Kind == sqltypes.KindDateTime && r.Year() < 1753) {
			return nil, sqlerr.New(sqlerr.DateAddOverflow, rt.Name())
		}
		return sqltypes.Convert(r, sqltypes.DateTime2(7), rt)
	}), nil
}

// addMonths adds months clamping the day to the month's end, as SQL Server
// does (Jan 31 + 1 month = Feb 28/29).
func addMonths(t time.Time, k int) time.Time {
	y, m, d := t.Date()
	total := int(m) - 1 + k
	ny := y + total/12
	nm := total % 12
	if nm < 0 {
		nm += 12
		ny--
	}
	last := time.Date(ny, time.Month(nm+2), 0, 0, 0, 0, 0, time.UTC).Day()
	if d > last {
		d = last
	}
	return time.Date(ny, time.Month(nm+1), d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

func civilDays(t time.Time) int64 {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return d.Unix() / 86400
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func dateDiff(c Call) (Expr, error) {
	part, a, b := c.Part, dateArg(c.Args[0]), dateArg(c.Args[1])
	return nullSafe(sqltypes.TypeInt, []Expr{a, b}, func(v []Value) (Value, error) {
		t1, ok1 := asTime(v[0])
		t2, ok2 := asTime(v[1])
		if !ok1 || !ok2 {
			return nil, sqlerr.New(sqlerr.InvalidArgumentType, a.Type.Name(), 2, "datediff")
		}
		var r int64
		switch part {
		case "year":
			r = int64(t2.Year() - t1.Year())
		case "quarter":
			r = int64((t2.Year()-t1.Year())*4 + (int(t2.Month())-1)/3 - (int(t1.Month())-1)/3)
		case "month":
			r = int64((t2.Year()-t1.Year())*12 + int(t2.Month()) - int(t1.Month()))
		case "day", "dayofyear", "weekday":
			r = civilDays(t2) - civilDays(t1)
		case "week":
			// Weeks start on Sunday; 1970-01-04 was a Sunday.
			r = floorDiv(civilDays(t2)-3, 7) - floorDiv(civilDays(t1)-3, 7)
		default:
			unit := map[string]int64{"hour": 3600e9, "minute": 60e9, "second": 1e9, "millisecond": 1e6, "microsecond": 1e3, "nanosecond": 1}[part]
			n1 := civilDays(t1)*86400e9 + int64(t1.Hour())*3600e9 + int64(t1.Minute())*60e9 + int64(t1.Second())*1e9 + int64(t1.Nanosecond())
			n2 := civilDays(t2)*86400e9 + int64(t2.Hour())*3600e9 + int64(t2.Minute())*60e9 + int64(t2.Second())*1e9 + int64(t2.Nanosecond())
			r = floorDiv(n2, unit) - floorDiv(n1, unit)
		}
		if r > math.MaxInt32 || r < math.MinInt32 {
			return nil, sqlerr.New(sqlerr.DateDiffOverflow, "datediff")
		}
		return r, nil
	}), nil
}

func datePart(part string, t time.Time) int64 {
	switch part {
	case "year":
		return int64(t.Year())
	case "quarter":
		return int64((int(t.Month())-1)/3 + 1)
	case "month":
		return int64(t.Month())
	case "dayofyear":
		return int64(t.YearDay())
	case "day":
		return int64(t.Day())
	case "week":
		jan1 := time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		return int64((t.YearDay()+int(jan1.Weekday())-1)/7 + 1)
	case "weekday":
		return int64(t.Weekday()) + 1
	case "hour":
		return int64(t.Hour())
	case "minute":
		return int64(t.Minute())
	case "second":
		return int64(t.Second())
	case "millisecond":
		return int64(t.Nanosecond() / 1e6)
	case "microsecond":
		return int64(t.Nanosecond() / 1e3)
	}
	return int64(t.Nanosecond())
}

func datePartFunc(c Call) (Expr, error) {
	part, d := c.Part, dateArg(c.Args[0])
	return nullSafe(sqltypes.TypeInt, []Expr{d}, func(v []Value) (Value, error) {
		t, ok := asTime(v[0])
		if !ok {
			return nil, sqlerr.New(sqlerr.InvalidArgumentType, d.Type.Name(), 2, "datepart")
		}
		return datePart(part, t), nil
	}), nil
}

// datePartOf is YEAR, MONTH or DAY: DATEPART with a fixed part.
func datePartOf(part string) *Func {
	return &Func{Min: 1, Max: 1, MsgName: part, Compile: func(c Call) (Expr, error) {
		d := dateArg(c.Args[0])
		return nullSafe(sqltypes.TypeInt, []Expr{d}, func(v []Value) (Value, error) {
			t, ok := asTime(v[0])
			if !ok {
				return nil, sqlerr.New(sqlerr.InvalidArgumentType, d.Type.Name(), 1, part)
			}
			return datePart(part, t), nil
		}), nil
	}}
}
