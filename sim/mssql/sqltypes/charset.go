package sqltypes

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// varchar columns under SQL_Latin1_General_CP1_CI_AS hold Windows-1252 bytes.
// Characters outside it become '?' when stored, as SQL Server does; the
// simulator keeps varchar values as Go strings of those characters.

// cp1252High maps bytes 0x80-0x9F to their characters (0 = unassigned).
var cp1252High = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}

var cp1252Rev = func() map[rune]byte {
	m := make(map[rune]byte, 32)
	for i, r := range cp1252High {
		if r != 0 {
			m[r] = byte(0x80 + i)
		}
	}
	return m
}()

func cp1252Byte(r rune) (byte, bool) {
	if r < 0x80 || (r >= 0xA0 && r <= 0xFF) {
		return byte(r), true
	}
	b, ok := cp1252Rev[r]
	return b, ok
}

func cp1252Rune(b byte) rune {
	if b >= 0x80 && b <= 0x9F {
		if r := cp1252High[b-0x80]; r != 0 {
			return r
		}
	}
	return rune(b)
}

// toCodePage replaces characters varchar cannot hold with '?'.
func toCodePage(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if _, ok := cp1252Byte(r); ok {
			b.WriteRune(r)
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}

// encodeVarChar gives the bytes of a varchar value.
func encodeVarChar(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		b, ok := cp1252Byte(r)
		if !ok {
			b = '?'
		}
		out = append(out, b)
	}
	return out
}

func decodeVarChar(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		sb.WriteRune(cp1252Rune(c))
	}
	return sb.String()
}

// encodeNVarChar gives the UTF-16LE bytes of an nvarchar value.
func encodeNVarChar(s string) []byte {
	u := utf16.Encode([]rune(s))
	out := make([]byte, 2*len(u))
	for i, c := range u {
		out[2*i] = byte(c)
		out[2*i+1] = byte(c >> 8)
	}
	return out
}

func decodeNVarChar(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	return string(utf16.Decode(u))
}

// charLen is the length SQL Server counts for a string of kind k: UTF-16
// code units for Unicode kinds, bytes (one per character) otherwise.
func charLen(s string, k Kind) int {
	if k.IsUnicode() {
		n := 0
		for _, r := range s {
			if r >= 0x10000 {
				n += 2
			} else {
				n++
			}
		}
		return n
	}
	return utf8.RuneCountInString(s)
}

// truncChars cuts s to n characters as counted by charLen.
func truncChars(s string, n int, k Kind) string {
	c := 0
	for i, r := range s {
		w := 1
		if k.IsUnicode() && r >= 0x10000 {
			w = 2
		}
		if c+w > n {
			return s[:i]
		}
		c += w
	}
	return s
}
