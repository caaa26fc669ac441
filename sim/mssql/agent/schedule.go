package agent

import (
	"fmt"
	"time"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

// GUID is a uniqueidentifier (job_id, schedule_uid).
type GUID = sqltypes.GUID

// Schedule types (freq_type).
const (
	FreqOnce            = 1
	FreqDaily           = 4
	FreqWeekly          = 8
	FreqMonthly         = 16
	FreqMonthlyRelative = 32
	FreqAgentStart      = 64
	FreqIdle            = 128
)

// Sub-day units (freq_subday_type).
const (
	SubdayAtTime  = 1
	SubdaySeconds = 2
	SubdayMinutes = 4
	SubdayHours   = 8
)

// Schedule is a row of msdb.dbo.sysschedules.
type Schedule struct {
	ScheduleID           int
	ScheduleUID          GUID
	Name                 string
	Enabled              bool
	Owner                string
	FreqType             int
	FreqInterval         int
	FreqSubdayType       int
	FreqSubdayInterval   int
	FreqRelativeInterval int
	FreqRecurrenceFactor int
	ActiveStartDate      int // YYYYMMDD
	ActiveEndDate        int // YYYYMMDD, 99991231 = no end
	ActiveStartTime      int // HHMMSS
	ActiveEndTime        int // HHMMSS
	DateCreated          time.Time
}

// InvalidError is an invalid job, step or schedule field. SQL Server reports these as
// 14266 "The specified '%s' is invalid (valid values are: %s)." (number and
// wording recalled, not in the project reference).
type InvalidError struct {
	Field string // the sp_add_schedule parameter, e.g. "@freq_interval"
	Valid string
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("The specified '%s' is invalid (valid values are: %s).", e.Field, e.Valid)
}

// Validate checks the fields the way sp_add_schedule does before a
// schedule is stored. NextRun assumes a valid schedule but never loops or
// panics on an invalid one.
func (s *Schedule) Validate() error {
	bad := func(f, v string) error { return &InvalidError{Field: f, Valid: v} }
	switch s.FreqType {
	case FreqOnce, FreqAgentStart, FreqIdle:
	case FreqDaily:
		if s.FreqInterval < 1 {
			return bad("@freq_interval", "number of days, at least 1")
		}
	case FreqWeekly:
		if s.FreqInterval < 1 || s.FreqInterval > 127 {
			return bad("@freq_interval", "1..127, a bit mask of days (1 Sunday .. 64 Saturday)")
		}
		if s.FreqRecurrenceFactor < 1 {
			return bad("@freq_recurrence_factor", "number of weeks, at least 1")
		}
	case FreqMonthly:
		if s.FreqInterval < 1 || s.FreqInterval > 31 {
			return bad("@freq_interval", "1..31")
		}
		if s.FreqRecurrenceFactor < 1 {
			return bad("@freq_recurrence_factor", "number of months, at least 1")
		}
	case FreqMonthlyRelative:
		if s.FreqInterval < 1 || s.FreqInterval > 10 {
			return bad("@freq_interval", "1..7 Sunday..Saturday, 8 day, 9 weekday, 10 weekend day")
		}
		switch s.FreqRelativeInterval {
		case 1, 2, 4, 8, 16:
		default:
			return bad("@freq_relative_interval", "1, 2, 4, 8, 16")
		}
		if s.FreqRecurrenceFactor < 1 {
			return bad("@freq_recurrence_factor", "number of months, at least 1")
		}
	default:
		return bad("@freq_type", "1, 4, 8, 16, 32, 64, 128")
	}
	if s.FreqType == FreqDaily || s.FreqType == FreqWeekly || s.FreqType == FreqMonthly || s.FreqType == FreqMonthlyRelative {
		switch s.FreqSubdayType {
		case SubdayAtTime:
		case SubdaySeconds:
			if s.FreqSubdayInterval < 10 || s.FreqSubdayInterval > 86399 {
				return bad("@freq_subday_interval", "10..86399 seconds")
			}
		case SubdayMinutes:
			if s.FreqSubdayInterval < 1 || s.FreqSubdayInterval > 1439 {
				return bad("@freq_subday_interval", "1..1439 minutes")
			}
		case SubdayHours:
			if s.FreqSubdayInterval < 1 || s.FreqSubdayInterval > 23 {
				return bad("@freq_subday_interval", "1..23 hours")
			}
		default:
			return bad("@freq_subday_type", "0x1, 0x2, 0x4, 0x8")
		}
	}
	if _, ok := parseDate(s.ActiveStartDate); !ok || s.ActiveStartDate < 19900101 {
		return bad("@active_start_date", "a date YYYYMMDD from 19900101")
	}
	if _, ok := parseDate(s.ActiveEndDate); !ok || s.ActiveEndDate < s.ActiveStartDate {
		return bad("@active_end_date", "a date YYYYMMDD not before @active_start_date")
	}
	if !validTime(s.ActiveStartTime) {
		return bad("@active_start_time", "a time HHMMSS")
	}
	if !validTime(s.ActiveEndTime) {
		return bad("@active_end_time", "a time HHMMSS")
	}
	return nil
}

// date is a calendar day, independent of time zones.
type date struct{ y, m, d int }

func parseDate(v int) (date, bool) {
	d := date{v / 10000, v / 100 % 100, v % 100}
	if v < 10101 || d.y > 9999 || d.m < 1 || d.m > 12 || d.d < 1 || d.d > daysIn(d.y, time.Month(d.m)) {
		return d, false
	}
	return d, true
}

func validTime(v int) bool {
	return v >= 0 && v <= 235959 && v/100%100 < 60 && v%100 < 60
}

func secondsOf(hhmmss int) int { return hhmmss/10000*3600 + hhmmss/100%100*60 + hhmmss%100 }

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// dayNum counts days since 0001-01-01 (proleptic Gregorian), so schedules
// step through calendar days with integer arithmetic, free of DST.
func dayNum(y, m, d int) int {
	return int(time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix()/86400) + 719162
}

func fromDayNum(n int) date {
	t := time.Unix(int64(n-719162)*86400, 0).UTC()
	return date{t.Year(), int(t.Month()), t.Day()}
}

// NextRun returns the first moment strictly after `after` at which s fires,
// in after's location, and false when it never will again (ended, a past
// one-time schedule, or an Agent-start / idle schedule, which are not
// time-based). Disabled schedules are the caller's business.
func NextRun(s Schedule, after time.Time) (time.Time, bool) {
	if s.Validate() != nil {
		return time.Time{}, false
	}
	loc := after.Location()
	start, _ := parseDate(s.ActiveStartDate)
	end, _ := parseDate(s.ActiveEndDate)
	startDay, endDay := dayNum(start.y, start.m, start.d), dayNum(end.y, end.m, end.d)
	at := func(day, sec int) time.Time {
		d := fromDayNum(day)
		return time.Date(d.y, time.Month(d.m), d.d, sec/3600, sec/60%60, sec%60, 0, loc)
	}
	switch s.FreqType {
	case FreqOnce:
		t := at(startDay, secondsOf(s.ActiveStartTime))
		return t, t.After(after)
	case FreqAgentStart, FreqIdle:
		return time.Time{}, false
	}
	a := after.In(loc)
	day := max(startDay, dayNum(a.Year(), int(a.Month()), a.Day()))
	// Each pass either finds a run or moves day forward to the next day the
	// schedule could fire on; the cap only guards against a bug.
	for guard := 0; day <= endDay && guard < 100000; guard++ {
		next, ok := nextDay(s, startDay, day)
		if !ok || next > endDay {
			return time.Time{}, false
		}
		day = next
		if t, ok := firstTimeAfter(s, day, after, at); ok {
			return t, true
		}
		day++
	}
	return time.Time{}, false
}

// firstTimeAfter finds the first firing time on day that is after `after`.
// An end time before the start time ends the window at midnight.
func firstTimeAfter(s Schedule, day int, after time.Time, at func(day, sec int) time.Time) (time.Time, bool) {
	first := secondsOf(s.ActiveStartTime)
	if s.FreqSubdayType == SubdayAtTime {
		t := at(day, first)
		return t, t.After(after)
	}
	last := secondsOf(s.ActiveEndTime)
	if last < first {
		last = 86399
	}
	step := s.FreqSubdayInterval
	switch s.FreqSubdayType {
	case SubdayMinutes:
		step *= 60
	case SubdayHours:
		step *= 3600
	}
	sec := first
	if a := after.In(at(day, 0).Location()); DateInt(a) == DateInt(at(day, 0)) {
		if now := a.Hour()*3600 + a.Minute()*60 + a.Second(); now >= first {
			sec = first + ((now-first)/step+1)*step
		}
	}
	// A few extra steps absorb daylight-saving shifts, where a wall-clock
	// time maps to a moment an hour off.
	for i := 0; i < 4 && sec <= last; i, sec = i+1, sec+step {
		if t := at(day, sec); t.After(after) {
			return t, true
		}
	}
	return time.Time{}, false
}

// nextDay returns the first day >= day on which s fires.
func nextDay(s Schedule, startDay, day int) (int, bool) {
	switch s.FreqType {
	case FreqDaily:
		n := s.FreqInterval
		k := (day - startDay + n - 1) / n
		return startDay + k*n, true
	case FreqWeekly:
		// Weeks run Sunday..Saturday; every FreqRecurrenceFactor-th week,
		// counted from the week holding the start date, fires.
		r := s.FreqRecurrenceFactor
		weekOf := func(d int) int { return d - (d+1)%7 } // dayNum 0 is a Monday
		w0 := weekOf(startDay)
		for d, guard := day, 0; guard < 64; guard++ {
			if w := (weekOf(d) - w0) / 7; w%r != 0 {
				d = w0 + (w/r+1)*r*7 // first day of the next firing week
				continue
			}
			if s.FreqInterval&(1<<((d+1)%7)) != 0 {
				return d, true
			}
			d++
		}
		return 0, false
	case FreqMonthly, FreqMonthlyRelative:
		sd := fromDayNum(startDay)
		cur := fromDayNum(day)
		m0 := sd.y*12 + sd.m - 1
		m := cur.y*12 + cur.m - 1
		if r := (m - m0) % s.FreqRecurrenceFactor; r != 0 {
			m += s.FreqRecurrenceFactor - r
		}
		for ; m/12 <= 9999; m += s.FreqRecurrenceFactor {
			y, mon := m/12, m%12+1
			d, ok := monthDay(s, y, mon)
			if !ok {
				continue
			}
			if n := dayNum(y, mon, d); n >= day {
				return n, true
			}
		}
		return 0, false
	}
	return 0, false
}

// monthDay is the day of month y/mon a monthly schedule fires on. A day
// past the month's end fires on its last day.
func monthDay(s Schedule, y, mon int) (int, bool) {
	last := daysIn(y, time.Month(mon))
	if s.FreqType == FreqMonthly {
		return min(s.FreqInterval, last), true
	}
	var days []int
	for d := 1; d <= last; d++ {
		wd := int(time.Date(y, time.Month(mon), d, 0, 0, 0, 0, time.UTC).Weekday()) // 0 Sunday
		var ok bool
		switch s.FreqInterval {
		case 8:
			ok = true
		case 9:
			ok = wd >= 1 && wd <= 5
		case 10:
			ok = wd == 0 || wd == 6
		default:
			ok = wd == s.FreqInterval-1
		}
		if ok {
			days = append(days, d)
		}
	}
	if len(days) == 0 {
		return 0, false
	}
	switch s.FreqRelativeInterval {
	case 16:
		return days[len(days)-1], true
	default:
		i := map[int]int{1: 0, 2: 1, 4: 2, 8: 3}[s.FreqRelativeInterval]
		if i >= len(days) {
			return 0, false
		}
		return days[i], true
	}
}

// DateInt and TimeInt encode t as msdb's YYYYMMDD and HHMMSS integers.
func DateInt(t time.Time) int { return t.Year()*10000 + int(t.Month())*100 + t.Day() }

// TimeInt encodes t's time of day as HHMMSS.
func TimeInt(t time.Time) int { return t.Hour()*10000 + t.Minute()*100 + t.Second() }

// DurationInt encodes d as sysjobhistory.run_duration's HHMMSS (hours may
// exceed 99, as in msdb).
func DurationInt(d time.Duration) int {
	s := int(d / time.Second)
	return s/3600*10000 + s/60%60*100 + s%60
}
