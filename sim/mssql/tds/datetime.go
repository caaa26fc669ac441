package tds

import (
	"fmt"
	"time"
)

// SQL Server has no time zones outside datetimeoffset: the date/time types
// carry a wall clock. Encoders take the wall clock of the time.Time as
// given (its own location); decoders return UTC times, as go-mssqldb does.

var unixDay0001 = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix() / 86400

const (
	nsPerDay       = int64(86400) * 1e9
	days0001To1900 = 693595 // days from 0001-01-01 to 1900-01-01
	ticksPerDay    = 300 * 86400
)

// civilDays counts days from 0001-01-01 to t's calendar date.
func civilDays(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()/86400 - unixDay0001
}

func nsOfDay(t time.Time) int64 {
	h, mi, s := t.Clock()
	return (int64(h)*3600+int64(mi)*60+int64(s))*1e9 + int64(t.Nanosecond())
}

var pow10 = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}

// maxDays is the day count of 9999-12-31.
const maxDays = 3652058

func checkYear(days int64, what string) error {
	if days < 0 || days > maxDays {
		return fmt.Errorf("%s value is outside 0001-01-01..9999-12-31", what)
	}
	return nil
}

// timeUnits rounds a time of day to 10^-scale seconds, carrying into the
// next day when it rounds up to midnight.
func timeUnits(t time.Time, scale uint8) (units int64, days int64) {
	days = civilDays(t)
	div := pow10[9-scale]
	units = (nsOfDay(t) + div/2) / div
	if per := 86400 * pow10[scale]; units >= per {
		units -= per
		days++
	}
	return units, days
}

func appendUintN(b []byte, v uint64, n int) []byte {
	for i := 0; i < n; i++ {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

func uintN(b []byte) uint64 {
	var v uint64
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

func appendDateTime(b []byte, t time.Time) ([]byte, error) {
	days := civilDays(t) - days0001To1900
	ticks := (nsOfDay(t)*3 + 5_000_000) / 10_000_000
	if ticks >= ticksPerDay {
		ticks -= ticksPerDay
		days++
	}
	// 1753-01-01 is day -53690; 9999-12-31 is day 2958463.
	if days < -53690 || days > 2958463 {
		return b, fmt.Errorf("value is outside 1753-01-01..9999-12-31")
	}
	b = appendU32(b, uint32(int32(days)))
	return appendU32(b, uint32(ticks)), nil
}

func appendSmallDateTime(b []byte, t time.Time) ([]byte, error) {
	days := civilDays(t) - days0001To1900
	mins := (nsOfDay(t) + 30e9) / 60e9
	if mins >= 1440 {
		mins -= 1440
		days++
	}
	if days < 0 || days > 0xFFFF {
		return b, fmt.Errorf("value is outside 1900-01-01..2079-06-06")
	}
	b = appendU16(b, uint16(days))
	return appendU16(b, uint16(mins)), nil
}

func decodeDateTime(b []byte) time.Time {
	days := int32(uintN(b[:4]))
	ticks := int64(uintN(b[4:8]))
	ns := (ticks*1e7 + 1) / 3
	return time.Date(1900, 1, 1+int(days), 0, 0, 0, 0, time.UTC).Add(time.Duration(ns))
}

func decodeSmallDateTime(b []byte) time.Time {
	days := int(uintN(b[:2]))
	mins := int(uintN(b[2:4]))
	return time.Date(1900, 1, 1+days, 0, mins, 0, 0, time.UTC)
}

func appendDate(b []byte, t time.Time) ([]byte, error) {
	days := civilDays(t)
	if err := checkYear(days, "date"); err != nil {
		return b, err
	}
	return appendUintN(b, uint64(days), 3), nil
}

func decodeDate(b []byte) time.Time {
	return time.Date(1, 1, 1+int(uintN(b[:3])), 0, 0, 0, 0, time.UTC)
}

func appendTime(b []byte, t time.Time, scale uint8) []byte {
	units, _ := timeUnits(t, scale)
	return appendUintN(b, uint64(units), timeSize(scale))
}

func decodeTimeNS(b []byte, scale uint8) int64 {
	return int64(uintN(b)) * pow10[9-scale]
}

func appendDateTime2(b []byte, t time.Time, scale uint8) ([]byte, error) {
	units, days := timeUnits(t, scale)
	if err := checkYear(days, "datetime2"); err != nil {
		return b, err
	}
	b = appendUintN(b, uint64(units), timeSize(scale))
	return appendUintN(b, uint64(days), 3), nil
}

func decodeDateTime2(b []byte, scale uint8) time.Time {
	n := timeSize(scale)
	return decodeDate(b[n:]).Add(time.Duration(decodeTimeNS(b[:n], scale)))
}

// appendDateTimeOffset writes the UTC instant then the offset in minutes.
func appendDateTimeOffset(b []byte, t time.Time, scale uint8) ([]byte, error) {
	_, off := t.Zone()
	b, err := appendDateTime2(b, t.UTC(), scale)
	if err != nil {
		return b, err
	}
	return appendU16(b, uint16(int16(off/60))), nil
}

func decodeDateTimeOffset(b []byte, scale uint8) time.Time {
	n := timeSize(scale) + 3
	utc := decodeDateTime2(b[:n], scale)
	off := int(int16(uintN(b[n : n+2])))
	return utc.In(time.FixedZone("", off*60))
}
