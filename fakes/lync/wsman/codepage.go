package wsman

import (
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// encodeCodePage turns the command's output (UTF-8) into the bytes a
// console in the shell's code page writes: unchanged for 65001, OEM 437
// otherwise, where a character 437 lacks becomes '?' as a console's
// WideCharToMultiByte without best fit writes it.
func encodeCodePage(utf8Text []byte, codePage int) []byte {
	if codePage == CodePageUTF8 || len(utf8Text) == 0 {
		return utf8Text
	}
	out := make([]byte, 0, len(utf8Text))
	for len(utf8Text) > 0 {
		r, n := utf8.DecodeRune(utf8Text)
		utf8Text = utf8Text[n:]
		if r < 0x80 {
			out = append(out, byte(r))
			continue
		}
		if b, ok := charmap.CodePage437.EncodeRune(r); ok {
			out = append(out, b)
			continue
		}
		out = append(out, '?')
	}
	return out
}
