package sqlserver

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxNameLength is the sysname limit QUOTENAME enforces (it returns NULL
// for longer input; we return an error instead).
const MaxNameLength = 128

// ErrBadName is wrapped by QuoteName's errors.
var ErrBadName = errors.New("bad identifier")

// QuoteName returns s as a bracket-delimited identifier, like T-SQL's
// QUOTENAME(s): [s] with every ] doubled. Input longer than 128 characters,
// empty input, invalid UTF-8 and NUL are refused: QUOTENAME would give NULL
// for the first, and the rest can never name a database object.
func QuoteName(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("%w: empty name", ErrBadName)
	}
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%w: name %q is not valid UTF-8", ErrBadName, s)
	}
	if strings.ContainsRune(s, 0) {
		return "", fmt.Errorf("%w: name %q contains NUL", ErrBadName, s)
	}
	// sysname is nvarchar(128): the limit counts UTF-16 code units.
	if n := utf16Len(s); n > MaxNameLength {
		return "", fmt.Errorf("%w: name %.20q... is %d characters, over %d", ErrBadName, s, n, MaxNameLength)
	}
	return "[" + strings.ReplaceAll(s, "]", "]]") + "]", nil
}

// MustQuoteName is QuoteName for names fixed in the program text.
func MustQuoteName(s string) string {
	q, err := QuoteName(s)
	if err != nil {
		panic(err)
	}
	return q
}

// QuoteString returns s as a Unicode string literal, N'...' with every '
// doubled. Inside a T-SQL literal nothing else is special, so this keeps any
// input inside the literal. Invalid UTF-8 bytes become U+FFFD (the server
// receives UTF-16 and could not carry them anyway).
func QuoteString(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return "N'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func utf16Len(s string) int {
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
