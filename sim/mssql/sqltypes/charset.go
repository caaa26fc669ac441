package sqltypes

import (
	"unicode/utf16"
)

// A varchar value is a Go string of the characters it holds, all of them
// in its collation's code page (package collation); its bytes are that
// code page's. Characters outside it become '?' when stored, as SQL Server
// does.

// toCodePage replaces characters a varchar of type t cannot hold with '?'.
func toCodePage(s string, t Type) string { return t.CodePage().Fit(s) }

// encodeVarChar gives the bytes of a varchar value of type t.
func encodeVarChar(s string, t Type) []byte { return t.CodePage().Encode(s) }

// decodeVarChar reads bytes as a varchar of type t holds them.
func decodeVarChar(b []byte, t Type) string { return t.CodePage().Decode(b) }

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

// charLen is the length SQL Server counts for a string of type t: UTF-16
// code units for Unicode kinds, bytes of the code page otherwise (one or
// two per character in the double-byte code pages).
func charLen(s string, t Type) int {
	if t.Kind.IsUnicode() {
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
	return t.CodePage().Len(s)
}

// truncChars cuts s to n characters as counted by charLen.
func truncChars(s string, n int, t Type) string {
	if !t.Kind.IsUnicode() {
		return t.CodePage().Truncate(s, n)
	}
	k := t.Kind
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
