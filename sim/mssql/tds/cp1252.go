package tds

import "unicode/utf8"

// Single-byte character columns travel in their collation's code page.
// The simulator's collations are all Latin1_General (code page 1252), the
// default of an English SQL Server install, so that is the only code page
// this package speaks; UTF-8 collations pass bytes through.

// cp1252High maps 0x80..0x9F; the five unassigned bytes map to the C1
// control with the same value, as Windows' MultiByteToWideChar does.
var cp1252High = [32]rune{
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
}

// appendCP1252 encodes s; characters outside the code page become '?',
// which is what SQL Server stores for them in a varchar.
func appendCP1252(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			b = append(b, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		b = append(b, cp1252Byte(r))
	}
	return b
}

func cp1252Byte(r rune) byte {
	if r >= 0xA0 && r <= 0xFF {
		return byte(r)
	}
	for j, h := range cp1252High {
		if h == r {
			return byte(0x80 + j)
		}
	}
	return '?'
}

// cp1252Len is the encoded length of s (one byte per character).
func cp1252Len(s string) int { return utf8.RuneCountInString(s) }

func decodeCP1252(b []byte) string {
	ascii := true
	for _, c := range b {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b)
	}
	out := make([]byte, 0, len(b)+len(b)/2)
	for _, c := range b {
		switch {
		case c < 0x80:
			out = append(out, c)
		case c < 0xA0:
			out = utf8.AppendRune(out, cp1252High[c-0x80])
		default:
			out = utf8.AppendRune(out, rune(c))
		}
	}
	return string(out)
}
