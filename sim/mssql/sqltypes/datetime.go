package sqltypes

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// SQL Server's date/time ranges and epochs.
var (
	epoch1900   = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	minDateTime = time.Date(1753, 1, 1, 0, 0, 0, 0, time.UTC)
	maxDateTime = time.Date(9999, 12, 31, 23, 59, 59, 997_000_000, time.UTC)
	minDate2    = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
)

const nsPerDay = int64(24 * time.Hour)

var monthAbbr = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// roundDateTime rounds to datetime's 1/300 second ticks and keeps the
// millisecond value SQL Server displays for the tick (.000, .003, .007,
// .010...), so that printing, comparing with literals and the wire's
// tick encoding (round(ms*0.3)) all agree.
func roundDateTime(t time.Time) time.Time {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	ns := t.Sub(day).Nanoseconds()
	ticks := (ns*300 + 500_000_000) / 1_000_000_000
	ms := (ticks*10 + 1) / 3 // nearest millisecond of the tick
	return day.Add(time.Duration(ms) * time.Millisecond)
}

// roundDateTime2 rounds to scale fractional digits.
func roundDateTime2(t time.Time, scale uint8) time.Time {
	if scale >= 7 {
		scale = 7
	}
	unit := time.Duration(1)
	for i := scale; i < 9; i++ {
		unit *= 10
	}
	return t.Round(unit)
}

func truncDate(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// datetimeDays converts a datetime to days since 1900-01-01 with fraction.
func datetimeDays(t time.Time) float64 {
	d := truncDate(t)
	days := float64(daysBetween(epoch1900, d))
	return days + float64(t.Sub(d).Nanoseconds())/float64(nsPerDay)
}

func daysBetween(a, b time.Time) int64 {
	return (b.Unix() - a.Unix()) / 86400
}

// datetimeFromDays is the inverse of datetimeDays, rounded to datetime ticks.
func datetimeFromDays(days float64) (time.Time, bool) {
	if days < -53690 || days >= 2958464 { // 1753-01-01 .. 10000-01-01
		return time.Time{}, false
	}
	whole := int64(days)
	if float64(whole) > days {
		whole--
	}
	frac := days - float64(whole)
	t := epoch1900.AddDate(0, 0, int(whole)).Add(time.Duration(frac * float64(nsPerDay)))
	t = roundDateTime(t)
	if t.Before(minDateTime) || t.After(maxDateTime) {
		return time.Time{}, false
	}
	return t, true
}

const timeRe = `(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.:](\d{1,9}))?)?\s*([AaPp][Mm])?`

var (
	reISO     = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:T|\s+)` + timeRe + `)?\s*(Z|[+-]\d{1,2}:\d{2})?$`)
	reCompact = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})(?:(?:T|\s+)` + timeRe + `)?$`)
	reYMDSep  = regexp.MustCompile(`^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:\s+` + timeRe + `)?$`)
	reNumDMY  = regexp.MustCompile(`^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:\s+` + timeRe + `)?$`)
	reMon     = regexp.MustCompile(`^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})(?:\s+` + timeRe + `)?$`)
	reTime    = regexp.MustCompile(`^` + timeRe + `$`)
)

// parsedTime is a string's date/time with how many fraction digits it had
// (datetime refuses more than three).
type parsedTime struct {
	t          time.Time
	fracDigits int
	// hasOffset: the string ended in a time zone offset (+hh:mm, -hh:mm),
	// offset minutes east of UTC; 'Z' is not one (datetime takes it).
	hasOffset bool
	offset    int
}

// OffsetZone is the fixed zone a datetimeoffset value with an offset of
// minutes east of UTC carries.
func OffsetZone(minutes int) *time.Location {
	return time.FixedZone(formatOffset(minutes), minutes*60)
}

// formatOffset writes minutes as SQL Server does: +hh:mm or -hh:mm.
func formatOffset(minutes int) string {
	sign := '+'
	if minutes < 0 {
		sign, minutes = '-', -minutes
	}
	return fmt.Sprintf("%c%02d:%02d", sign, minutes/60, minutes%60)
}

func offsetOf(t time.Time) int {
	_, off := t.Zone()
	return off / 60
}

// parseDateTimeString reads the formats SQL Server accepts under us_english
// (DATEFORMAT mdy): ISO 'yyyy-mm-dd[Thh:mi:ss[.f]]', 'yyyymmdd [time]',
// 'yyyy/mm/dd', 'mm/dd/yyyy' (dd/mm/yyyy when dmy), 'Mon dd yyyy [time]' and
// a bare time (on 1900-01-01). An empty string is 1900-01-01.
func parseDateTimeString(s string, dmy bool) (parsedTime, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return parsedTime{t: epoch1900}, true
	}
	var y, mo, d int
	var tm []string
	atoi := func(x string) int { n, _ := strconv.Atoi(x); return n }
	hasOff, off := false, 0
	if m := reISO.FindStringSubmatch(s); m != nil {
		y, mo, d, tm = atoi(m[1]), atoi(m[2]), atoi(m[3]), m[4:9]
		if z := m[9]; z != "" && z != "Z" {
			hh, mm, _ := strings.Cut(z[1:], ":")
			off = atoi(hh)*60 + atoi(mm)
			if atoi(hh) > 14 || atoi(mm) > 59 || off > 14*60 {
				return parsedTime{}, false
			}
			if z[0] == '-' {
				off = -off
			}
			hasOff = true
		}
	} else if m := reCompact.FindStringSubmatch(s); m != nil {
		y, mo, d, tm = atoi(m[1]), atoi(m[2]), atoi(m[3]), m[4:9]
	} else if m := reYMDSep.FindStringSubmatch(s); m != nil {
		y, mo, d, tm = atoi(m[1]), atoi(m[2]), atoi(m[3]), m[4:9]
	} else if m := reNumDMY.FindStringSubmatch(s); m != nil {
		a, b := atoi(m[1]), atoi(m[2])
		if dmy {
			d, mo = a, b
		} else {
			mo, d = a, b
		}
		y = atoi(m[3])
		if len(m[3]) == 2 { // two-digit year cutoff 2049
			if y < 50 {
				y += 2000
			} else {
				y += 1900
			}
		}
		tm = m[4:9]
	} else if m := reMon.FindStringSubmatch(s); m != nil {
		mo = monthNumber(m[1])
		if mo == 0 {
			return parsedTime{}, false
		}
		d, y, tm = atoi(m[2]), atoi(m[3]), m[4:9]
	} else if m := reTime.FindStringSubmatch(s); m != nil {
		y, mo, d, tm = 1900, 1, 1, m[1:6]
	} else {
		return parsedTime{}, false
	}
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || y < 1 {
		return parsedTime{}, false
	}
	var h, mi, sec, ns, fd int
	if len(tm) == 5 && tm[0] != "" {
		h, mi, sec = atoi(tm[0]), atoi(tm[1]), atoi(tm[2])
		if f := tm[3]; f != "" {
			fd = len(f)
			ns = atoi((f + "000000000")[:9])
		}
		if ampm := strings.ToUpper(tm[4]); ampm != "" {
			if h < 1 || h > 12 {
				return parsedTime{}, false
			}
			if ampm == "AM" && h == 12 {
				h = 0
			} else if ampm == "PM" && h != 12 {
				h += 12
			}
		}
		if h > 23 || mi > 59 || sec > 59 {
			return parsedTime{}, false
		}
	}
	return parsedTime{t: time.Date(y, time.Month(mo), d, h, mi, sec, ns, time.UTC), fracDigits: fd, hasOffset: hasOff, offset: off}, true
}

func monthNumber(name string) int {
	n := strings.ToLower(name)
	for i, a := range monthAbbr {
		full := strings.ToLower(time.Month(i + 1).String())
		if n == strings.ToLower(a) || n == full {
			return i + 1
		}
	}
	return 0
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// formatMon is style 0/100: 'Nov 22 2026  4:39AM' (day and hour padded to
// two with spaces).
func formatMon(t time.Time, withTime bool) string {
	s := fmt.Sprintf("%s %2d %d", monthAbbr[t.Month()-1], t.Day(), t.Year())
	if !withTime {
		return s
	}
	h := t.Hour() % 12
	if h == 0 {
		h = 12
	}
	ampm := "AM"
	if t.Hour() >= 12 {
		ampm = "PM"
	}
	return s + fmt.Sprintf(" %2d:%02d%s", h, t.Minute(), ampm)
}

// fraction renders the fractional seconds with n digits.
func fraction(t time.Time, n int) string {
	if n <= 0 {
		return ""
	}
	return "." + fmt.Sprintf("%09d", t.Nanosecond())[:n]
}

// fracDigitsOf is how many fraction digits a date/time type prints.
func fracDigitsOf(t Type) int {
	switch t.Kind {
	case KindDateTime, KindSmallDateTime:
		return 3
	case KindDateTime2, KindTime, KindDateTimeOffset:
		return int(min(t.Scale, 7))
	}
	return 0
}

func ymd(t time.Time) string { return fmt.Sprintf("%04d-%02d-%02d", t.Year(), t.Month(), t.Day()) }
func hms(t time.Time) string {
	return fmt.Sprintf("%02d:%02d:%02d", t.Hour(), t.Minute(), t.Second())
}

// formatDateTime renders t of type from in a CONVERT style; style -1 is the
// CAST default (0 for datetime, 121-like for datetime2 and date). ok is false
// for a style SQL Server does not know for date/time.
func formatDateTime(t time.Time, from Type, style int) (string, bool) {
	isDate := from.Kind == KindDate
	fd := fracDigitsOf(from)
	if style == -1 {
		switch from.Kind {
		case KindDateTime, KindSmallDateTime:
			style = 0
		case KindTime, KindDateTimeOffset:
			// CAST's text for time is hh:mm:ss[.fffffff]; for
			// datetimeoffset yyyy-mm-dd hh:mm:ss[.fffffff] +hh:mm.
			style = -2
		default:
			style = 121
		}
	}
	switch from.Kind {
	case KindTime:
		switch style {
		case -2, 8, 108, 14, 114, 20, 120, 21, 121, 24, 126, 127:
			if style == 8 || style == 108 || style == 20 || style == 120 || style == 24 {
				return hms(t), true
			}
			return hms(t) + fraction(t, fd), true
		}
		return "", false
	case KindDateTimeOffset:
		off := formatOffset(offsetOf(t))
		switch style {
		case -2, 21, 121:
			return ymd(t) + " " + hms(t) + fraction(t, fd) + " " + off, true
		case 0, 100:
			return formatMon(t, true) + " " + off, true
		case 20, 120:
			return ymd(t) + " " + hms(t) + " " + off, true
		case 126, 127:
			f := ""
			if t.Nanosecond() != 0 {
				f = fraction(t, fd)
			}
			if style == 127 && offsetOf(t) == 0 {
				off = "Z"
			}
			return ymd(t) + "T" + hms(t) + f + off, true
		}
	}
	dateOnly := func(s string) string { return s }
	withTime := func(dateStr, timeStr string) string {
		if isDate {
			return dateStr
		}
		return dateStr + timeStr
	}
	yy := t.Year() % 100
	switch style {
	case 0, 100:
		return formatMon(t, !isDate), true
	case 1:
		return dateOnly(fmt.Sprintf("%02d/%02d/%02d", t.Month(), t.Day(), yy)), true
	case 101:
		return fmt.Sprintf("%02d/%02d/%04d", t.Month(), t.Day(), t.Year()), true
	case 3:
		return fmt.Sprintf("%02d/%02d/%02d", t.Day(), t.Month(), yy), true
	case 103:
		return fmt.Sprintf("%02d/%02d/%04d", t.Day(), t.Month(), t.Year()), true
	case 102:
		return fmt.Sprintf("%04d.%02d.%02d", t.Year(), t.Month(), t.Day()), true
	case 104:
		return fmt.Sprintf("%02d.%02d.%04d", t.Day(), t.Month(), t.Year()), true
	case 105:
		return fmt.Sprintf("%02d-%02d-%04d", t.Day(), t.Month(), t.Year()), true
	case 110:
		return fmt.Sprintf("%02d-%02d-%04d", t.Month(), t.Day(), t.Year()), true
	case 111:
		return fmt.Sprintf("%04d/%02d/%02d", t.Year(), t.Month(), t.Day()), true
	case 12:
		return fmt.Sprintf("%02d%02d%02d", yy, t.Month(), t.Day()), true
	case 112:
		return fmt.Sprintf("%04d%02d%02d", t.Year(), t.Month(), t.Day()), true
	case 23:
		return ymd(t), true
	case 8, 108:
		if isDate {
			return "", false
		}
		return hms(t), true
	case 20, 120:
		return withTime(ymd(t), " "+hms(t)), true
	case 21, 121:
		return withTime(ymd(t), " "+hms(t)+fraction(t, fd)), true
	case 126, 127:
		// ISO 8601. The fraction is left out when it is zero, as SQL Server
		// does for datetime. No 'Z' is added: only datetimeoffset gets one.
		f := ""
		if t.Nanosecond() != 0 {
			f = fraction(t, fd)
		}
		return withTime(ymd(t), "T"+hms(t)+f), true
	}
	return "", false
}

// validDateStyle reports styles accepted for string -> date/time.
func validDateStyle(style int) bool {
	switch style {
	case -1, 0, 100, 1, 101, 3, 103, 102, 104, 105, 110, 111, 12, 112, 23, 8, 108, 20, 120, 21, 121, 126, 127:
		return true
	}
	return false
}
