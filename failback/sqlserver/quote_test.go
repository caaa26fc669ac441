package sqlserver

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// unquoteName is the reference reader of a bracketed identifier: "]]" is
// one "]", a single "]" ends it.
func unquoteName(q string) (name, rest string, ok bool) {
	if !strings.HasPrefix(q, "[") {
		return "", q, false
	}
	var b strings.Builder
	for i := 1; i < len(q); i++ {
		if q[i] == ']' {
			if i+1 < len(q) && q[i+1] == ']' {
				b.WriteByte(']')
				i++
				continue
			}
			return b.String(), q[i+1:], true
		}
		b.WriteByte(q[i])
	}
	return "", "", false
}

func unquoteString(q string) (val, rest string, ok bool) {
	if !strings.HasPrefix(q, "N'") {
		return "", q, false
	}
	var b strings.Builder
	for i := 2; i < len(q); i++ {
		if q[i] == '\'' {
			if i+1 < len(q) && q[i+1] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			return b.String(), q[i+1:], true
		}
		b.WriteByte(q[i])
	}
	return "", "", false
}

var hostileNames = []string{
	"mgc", "mgccomp", "my db", "a]b", "]]", "[x]", "x]; DROP DATABASE mgc; --", "it's", "N'x'",
	"tab\there", "new\nline", "ünïcødé", "日本語", "😀", "-- comment", "/* c */",
}

func TestQuoteNameGolden(t *testing.T) {
	cases := []struct{ in, want string }{
		{"mgc", "[mgc]"},
		{"a]b", "[a]]b]"},
		{"[x]", "[[x]]]"},
		{"x]; DROP DATABASE mgc; --", "[x]]; DROP DATABASE mgc; --]"},
		{"it's", "[it's]"},
		{strings.Repeat("a", 128), "[" + strings.Repeat("a", 128) + "]"},
		{strings.Repeat("]", 128), "[" + strings.Repeat("]", 256) + "]"},
	}
	for _, c := range cases {
		got, err := QuoteName(c.in)
		if err != nil || got != c.want {
			t.Errorf("QuoteName(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, h := range hostileNames {
		q, err := QuoteName(h)
		if err != nil {
			t.Errorf("%q: %v", h, err)
			continue
		}
		name, rest, ok := unquoteName(q)
		if !ok || rest != "" || name != h {
			t.Errorf("%q -> %q -> %q rest %q", h, q, name, rest)
		}
	}
}

func TestQuoteNameRejects(t *testing.T) {
	for name, in := range map[string]string{
		"empty":        "",
		"129 chars":    strings.Repeat("a", 129),
		"65 emoji":     strings.Repeat("😀", 65), // 130 UTF-16 units
		"invalid utf8": "a\xff",
		"NUL":          "a\x00b",
	} {
		if q, err := QuoteName(in); !errors.Is(err, ErrBadName) {
			t.Errorf("%s: got %q, %v", name, q, err)
		}
	}
	if _, err := QuoteName(strings.Repeat("😀", 64)); err != nil {
		t.Errorf("64 emoji = 128 UTF-16 units should pass: %v", err)
	}
}

func TestQuoteString(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "N''"},
		{`\\fs01\logship\mgc.bak`, `N'\\fs01\logship\mgc.bak'`},
		{"O'Brien", "N'O''Brien'"},
		{"'; SHUTDOWN; --", "N'''; SHUTDOWN; --'"},
		{"a\xffb", "N'a\uFFFDb'"},
	}
	for _, c := range cases {
		if got := QuoteString(c.in); got != c.want {
			t.Errorf("QuoteString(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzQuoteName(f *testing.F) {
	for _, h := range hostileNames {
		f.Add(h)
	}
	f.Add(strings.Repeat("]", 128))
	f.Fuzz(func(t *testing.T, s string) {
		q, err := QuoteName(s)
		if err != nil {
			if !errors.Is(err, ErrBadName) {
				t.Fatalf("untyped error %v", err)
			}
			if s != "" && utf8.ValidString(s) && !strings.ContainsRune(s, 0) && utf16Len(s) <= MaxNameLength {
				t.Fatalf("refused a valid name %q: %v", s, err)
			}
			return
		}
		name, rest, ok := unquoteName(q)
		if !ok || rest != "" || name != s {
			t.Fatalf("%q -> %q -> %q (rest %q ok %v)", s, q, name, rest, ok)
		}
	})
}

func FuzzQuoteString(f *testing.F) {
	for _, h := range hostileNames {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := QuoteString(s)
		v, rest, ok := unquoteString(q)
		want := strings.ToValidUTF8(s, "\uFFFD")
		if !ok || rest != "" || v != want {
			t.Fatalf("%q -> %q -> %q (rest %q)", s, q, v, rest)
		}
	})
}
