package agent

import (
	"errors"
	"testing"
	"time"
)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, time.UTC)
	if err != nil {
		panic(err)
	}
	return t
}

// every15 is the log-shipping schedule from the Linux tutorial (reference §7.6).
func every15() Schedule {
	return Schedule{Name: "LSBackupSchedule", Enabled: true, FreqType: FreqDaily, FreqInterval: 1,
		FreqSubdayType: SubdayMinutes, FreqSubdayInterval: 15,
		ActiveStartDate: 20260301, ActiveEndDate: 99991231, ActiveStartTime: 0, ActiveEndTime: 235900}
}

func TestNextRun(t *testing.T) {
	mod := func(f func(*Schedule)) Schedule { s := every15(); f(&s); return s }
	cases := []struct {
		name  string
		s     Schedule
		after string
		want  string // "" = never
	}{
		{"15 min mid-slot", every15(), "2026-03-01 10:07:30", "2026-03-01 10:15:00"},
		{"15 min on a slot is strictly after", every15(), "2026-03-01 10:15:00", "2026-03-01 10:30:00"},
		{"15 min just after a slot", every15(), "2026-03-01 10:15:00.5", "2026-03-01 10:30:00"},
		{"15 min past end time rolls to next day", every15(), "2026-03-01 23:50:00", "2026-03-02 00:00:00"},
		{"before start date", every15(), "2026-02-20 12:00:00", "2026-03-01 00:00:00"},
		{"every 2 days at 02:00", mod(func(s *Schedule) { s.FreqInterval = 2; s.FreqSubdayType = SubdayAtTime; s.ActiveStartTime = 20000 }), "2026-03-01 03:00:00", "2026-03-03 02:00:00"},
		{"hourly 08-18 after window", mod(func(s *Schedule) {
			s.FreqSubdayType, s.FreqSubdayInterval, s.ActiveStartTime, s.ActiveEndTime = SubdayHours, 1, 80000, 180000
		}), "2026-03-05 18:30:00", "2026-03-06 08:00:00"},
		{"hourly 08-18 before window", mod(func(s *Schedule) {
			s.FreqSubdayType, s.FreqSubdayInterval, s.ActiveStartTime, s.ActiveEndTime = SubdayHours, 1, 80000, 180000
		}), "2026-03-05 07:00:00", "2026-03-05 08:00:00"},
		{"hourly 08-18 last slot", mod(func(s *Schedule) {
			s.FreqSubdayType, s.FreqSubdayInterval, s.ActiveStartTime, s.ActiveEndTime = SubdayHours, 1, 80000, 180000
		}), "2026-03-05 17:00:00", "2026-03-05 18:00:00"},
		{"every 30 s", mod(func(s *Schedule) { s.FreqSubdayType, s.FreqSubdayInterval = SubdaySeconds, 30 }), "2026-03-01 00:00:45", "2026-03-01 00:01:00"},
		{"end date passed", mod(func(s *Schedule) { s.ActiveEndDate = 20260310 }), "2026-03-10 23:46:00", ""},
		{"end date last run", mod(func(s *Schedule) { s.ActiveEndDate = 20260310 }), "2026-03-10 23:40:00", "2026-03-10 23:45:00"},
		{"end time before start time ends at midnight", mod(func(s *Schedule) {
			s.FreqSubdayType, s.FreqSubdayInterval, s.ActiveStartTime, s.ActiveEndTime = SubdayHours, 1, 220000, 20000
		}), "2026-03-01 23:10:00", "2026-03-02 22:00:00"},
		{"once before", Schedule{Enabled: true, FreqType: FreqOnce, ActiveStartDate: 20260305, ActiveEndDate: 99991231, ActiveStartTime: 133000, ActiveEndTime: 235959}, "2026-03-01 00:00:00", "2026-03-05 13:30:00"},
		{"once after", Schedule{Enabled: true, FreqType: FreqOnce, ActiveStartDate: 20260305, ActiveEndDate: 99991231, ActiveStartTime: 133000, ActiveEndTime: 235959}, "2026-03-05 13:30:00", ""},
		{"weekly Mon+Fri", Schedule{FreqType: FreqWeekly, FreqInterval: 2 | 32, FreqRecurrenceFactor: 1, FreqSubdayType: SubdayAtTime, ActiveStartTime: 10000, ActiveStartDate: 20260301, ActiveEndDate: 99991231, ActiveEndTime: 235959}, "2026-03-04 00:00:00", "2026-03-06 01:00:00"},
		{"weekly Mon+Fri wraps week", Schedule{FreqType: FreqWeekly, FreqInterval: 2 | 32, FreqRecurrenceFactor: 1, FreqSubdayType: SubdayAtTime, ActiveStartTime: 10000, ActiveStartDate: 20260301, ActiveEndDate: 99991231, ActiveEndTime: 235959}, "2026-03-06 02:00:00", "2026-03-09 01:00:00"},
		{"every 2 weeks Sunday", Schedule{FreqType: FreqWeekly, FreqInterval: 1, FreqRecurrenceFactor: 2, FreqSubdayType: SubdayAtTime, ActiveStartDate: 20260301, ActiveEndDate: 99991231, ActiveEndTime: 235959}, "2026-03-02 00:00:00", "2026-03-15 00:00:00"},
		{"monthly day 31 in April", Schedule{FreqType: FreqMonthly, FreqInterval: 31, FreqRecurrenceFactor: 1, FreqSubdayType: SubdayAtTime, ActiveStartDate: 20260301, ActiveEndDate: 99991231, ActiveEndTime: 235959}, "2026-04-01 00:00:00", "2026-04-30 00:00:00"},
		{"every 3 months on the 5th", Schedule{FreqType: FreqMonthly, FreqInterval: 5, FreqRecurrenceFactor: 3, FreqSubdayType: SubdayAtTime, ActiveStartDate: 20260301, ActiveEndDate: 99991231, ActiveEndTime: 235959}, "2026-03-06 00:00:00", "2026-06-05 00:00:00"},
		{"last Friday", Schedule{FreqType: FreqMonthlyRelative, FreqInterval: 6, FreqRelativeInterval: 16, FreqRecurrenceFactor: 1, FreqSubdayType: SubdayAtTime, ActiveStartDate: 20260301, ActiveEndDate: 99991231, ActiveEndTime: 235959}, "2026-03-01 00:00:00", "2026-03-27 00:00:00"},
		{"second Tuesday", Schedule{FreqType: FreqMonthlyRelative, FreqInterval: 3, FreqRelativeInterval: 2, FreqRecurrenceFactor: 1, FreqSubdayType: SubdayAtTime, ActiveStartDate: 20260301, ActiveEndDate: 99991231, ActiveEndTime: 235959}, "2026-03-01 00:00:00", "2026-03-10 00:00:00"},
		{"agent start is not time-based", mod(func(s *Schedule) { s.FreqType = FreqAgentStart }), "2026-03-01 00:00:00", ""},
		{"idle is not time-based", mod(func(s *Schedule) { s.FreqType = FreqIdle }), "2026-03-01 00:00:00", ""},
		{"invalid never runs", mod(func(s *Schedule) { s.FreqInterval = 0 }), "2026-03-01 00:00:00", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			after, err := time.ParseInLocation("2006-01-02 15:04:05.999", tc.after, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := NextRun(tc.s, after)
			if tc.want == "" {
				if ok {
					t.Fatalf("got %v, want never", got)
				}
				return
			}
			if !ok || !got.Equal(at(tc.want)) {
				t.Fatalf("got %v %v, want %s", got, ok, tc.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		field string
		f     func(*Schedule)
	}{
		{"", func(*Schedule) {}},
		{"@freq_type", func(s *Schedule) { s.FreqType = 2 }},
		{"@freq_interval", func(s *Schedule) { s.FreqInterval = 0 }},
		{"@freq_subday_type", func(s *Schedule) { s.FreqSubdayType = 3 }},
		{"@freq_subday_interval", func(s *Schedule) { s.FreqSubdayType, s.FreqSubdayInterval = SubdaySeconds, 5 }},
		{"@freq_subday_interval", func(s *Schedule) { s.FreqSubdayInterval = 0 }},
		{"@active_start_date", func(s *Schedule) { s.ActiveStartDate = 19891231 }},
		{"@active_start_date", func(s *Schedule) { s.ActiveStartDate = 20260230 }},
		{"@active_end_date", func(s *Schedule) { s.ActiveEndDate = 20260201 }},
		{"@active_start_time", func(s *Schedule) { s.ActiveStartTime = 126000 }},
		{"@active_end_time", func(s *Schedule) { s.ActiveEndTime = 240000 }},
		{"@freq_recurrence_factor", func(s *Schedule) { s.FreqType, s.FreqInterval = FreqWeekly, 2 }},
		{"@freq_relative_interval", func(s *Schedule) {
			s.FreqType, s.FreqRecurrenceFactor, s.FreqRelativeInterval = FreqMonthlyRelative, 1, 3
		}},
	}
	for _, tc := range cases {
		s := every15()
		tc.f(&s)
		err := s.Validate()
		var ie *InvalidError
		if tc.field == "" {
			if err != nil {
				t.Errorf("valid schedule refused: %v", err)
			}
			continue
		}
		if !errors.As(err, &ie) || ie.Field != tc.field {
			t.Errorf("want %s refused, got %v", tc.field, err)
		}
	}
}

func TestIntEncodings(t *testing.T) {
	tm := at("2026-03-01 09:05:07")
	if DateInt(tm) != 20260301 || TimeInt(tm) != 90507 {
		t.Fatalf("%d %d", DateInt(tm), TimeInt(tm))
	}
	for _, c := range []struct {
		d    time.Duration
		want int
	}{{0, 0}, {59 * time.Second, 59}, {2*time.Minute + 5*time.Second, 205}, {25*time.Hour + time.Second, 250001}} {
		if got := DurationInt(c.d); got != c.want {
			t.Errorf("DurationInt(%v) = %d, want %d", c.d, got, c.want)
		}
	}
}

// FuzzSchedule: random fields never make NextRun panic or spin, and a run
// it returns is after the given time and moves forward when asked again.
func FuzzSchedule(f *testing.F) {
	f.Add(4, 1, 4, 15, 0, 0, 20260301, 99991231, 0, 235900, int64(0))
	f.Add(8, 127, 2, 10, 0, 3, 19900101, 99991231, 235959, 0, int64(1e9))
	f.Add(32, 10, 8, 23, 16, 1, 20240229, 20240229, 120000, 130000, int64(-5e9))
	f.Add(16, 31, 1, 0, 0, 1000000, 99991231, 99991231, 235959, 235959, int64(253402300000))
	f.Fuzz(func(t *testing.T, ft, fi, st, si, ri, rf, sd, ed, stt, ett int, after int64) {
		s := Schedule{Enabled: true, FreqType: ft, FreqInterval: fi, FreqSubdayType: st, FreqSubdayInterval: si,
			FreqRelativeInterval: ri, FreqRecurrenceFactor: rf, ActiveStartDate: sd, ActiveEndDate: ed,
			ActiveStartTime: stt, ActiveEndTime: ett}
		a := time.Unix(after%253402300799, 0).UTC()
		got, ok := NextRun(s, a)
		if !ok {
			return
		}
		if s.Validate() != nil {
			t.Fatalf("invalid schedule %+v produced a run", s)
		}
		if !got.After(a) {
			t.Fatalf("NextRun(%v) = %v, not after", a, got)
		}
		if again, ok := NextRun(s, got); ok && !again.After(got) {
			t.Fatalf("second NextRun %v not after %v", again, got)
		}
	})
}
