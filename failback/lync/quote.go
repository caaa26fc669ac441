package lync

import "strings"

// isSingleQuote reports the characters PowerShell's tokenizer treats as a
// single quote (CharTraits.IsSingleQuote): the ASCII apostrophe and the
// typographic quotes U+2018..U+201B. Any of them would end a single-quoted
// literal, so each must be doubled, not only the ASCII one.
func isSingleQuote(r rune) bool {
	switch r {
	case '\'', '\u2018', '\u2019', '\u201A', '\u201B':
		return true
	}
	return false
}

// Quote returns s as one PowerShell single-quoted (verbatim) string literal.
//
// Inside '...' PowerShell expands nothing: no $variables, no $(...), no
// backtick escapes, and newlines and semicolons are plain characters. The only
// way out of the literal is a quote character, and the tokenizer reads a quote
// followed by another quote as one literal quote. Doubling every quote
// character therefore keeps any input inside the literal.
func Quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for _, r := range s {
		if isSingleQuote(r) {
			b.WriteRune(r)
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String()
}
