package collation

import (
	"bytes"
	"testing"
)

func TestLookupAndTDS(t *testing.T) {
	for _, c := range []struct {
		name string
		tds  [5]byte
		cp   CodePage
	}{
		// SQL Server's default as every client sees it in the collation
		// ENVCHANGE: LCID 0x0409, flags 0xD0, sort id 52.
		{"SQL_Latin1_General_CP1_CI_AS", [5]byte{0x09, 0x04, 0xD0, 0x00, 0x34}, 1252},
		{"latin1_general_ci_as", [5]byte{0x09, 0x04, 0xD0, 0x00, 0x00}, 1252},
		{"Latin1_General_100_CI_AS", [5]byte{0x09, 0x04, 0xD0, 0x10, 0x00}, 1252},
		{"Cyrillic_General_CI_AS", [5]byte{0x19, 0x04, 0xD0, 0x00, 0x00}, 1251},
		{"Polish_CI_AS", [5]byte{0x15, 0x04, 0xD0, 0x00, 0x00}, 1250},
		{"Greek_CI_AS", [5]byte{0x08, 0x04, 0xD0, 0x00, 0x00}, 1253},
		{"Japanese_CI_AS", [5]byte{0x11, 0x04, 0xD0, 0x00, 0x00}, 932},
		{"Chinese_PRC_CI_AS", [5]byte{0x04, 0x08, 0xD0, 0x00, 0x00}, 936},
	} {
		id, ok := Lookup(c.name)
		if !ok {
			t.Fatalf("Lookup(%q) failed", c.name)
		}
		if got := id.TDS(); got != c.tds {
			t.Errorf("%s: TDS % X, want % X", c.name, got, c.tds)
		}
		if id.CodePage() != c.cp {
			t.Errorf("%s: code page %d, want %d", c.name, id.CodePage(), c.cp)
		}
		if cp, ok := FromTDS(id.TDS()); !ok || cp != c.cp {
			t.Errorf("%s: FromTDS = %d %v, want %d", c.name, cp, ok, c.cp)
		}
	}
	for _, bad := range []string{"Czech_CI_AS", "Cyrillic_General_CS_AS", "Latin1_General_BIN", "Klingon"} {
		if _, ok := Lookup(bad); ok {
			t.Errorf("Lookup(%q) succeeded; it is not modelled", bad)
		}
	}
}

func TestCodePages(t *testing.T) {
	for _, c := range []struct {
		cp        CodePage
		in, fit   string
		bytes     []byte
		byteCount int
	}{
		{1252, "café €", "café €", []byte("caf\xe9 \x80"), 6},
		{1252, "привет", "??????", []byte("??????"), 6},
		{1251, "привет, мир", "привет, мир", []byte("\xef\xf0\xe8\xe2\xe5\xf2, \xec\xe8\xf0"), 11},
		{1251, "café", "caf?", []byte("caf?"), 4},
		{1250, "zażółć", "zażółć", []byte("za\xbf\xf3\xb3\xe6"), 6},
		{1253, "αβγ", "αβγ", []byte("\xe1\xe2\xe3"), 3},
		{932, "日本a", "日本a", []byte("\x93\xfa\x96\x7ba"), 5},
		{936, "中文", "中文", []byte("\xd6\xd0\xce\xc4"), 4},
		{932, "привет€", "привет?", nil, 0},
	} {
		if got := c.cp.Fit(c.in); got != c.fit {
			t.Errorf("%d Fit(%q) = %q, want %q", c.cp, c.in, got, c.fit)
		}
		if c.bytes == nil {
			continue
		}
		if got := c.cp.Encode(c.in); !bytes.Equal(got, c.bytes) {
			t.Errorf("%d Encode(%q) = % X, want % X", c.cp, c.in, got, c.bytes)
		}
		if got := c.cp.Decode(c.bytes); got != c.fit {
			t.Errorf("%d Decode(% X) = %q, want %q", c.cp, c.bytes, got, c.fit)
		}
		if got := c.cp.Len(c.in); got != c.byteCount {
			t.Errorf("%d Len(%q) = %d, want %d", c.cp, c.in, got, c.byteCount)
		}
	}
	if got := CodePage(932).Truncate("日本a", 3); got != "日" {
		t.Errorf("932 Truncate to 3 bytes = %q, want 日", got)
	}
	// 1252's five unassigned bytes read as the C1 controls of the same
	// value, as Windows' MultiByteToWideChar gives them.
	if got := Latin1.Decode([]byte{0x81, 0x8D}); got != "\u0081\u008d" {
		t.Errorf("1252 Decode(81 8D) = %q", got)
	}
}

// FuzzCodePage: Decode never panics and what it gives re-encodes to bytes
// that decode to the same text (a fixed point after one round).
func FuzzCodePage(f *testing.F) {
	f.Add(1252, []byte("caf\xe9 \x80"))
	f.Add(1251, []byte("\xef\xf0\xe8"))
	f.Add(932, []byte("\x93\xfa\x96\x7b\x93"))
	f.Add(936, []byte("\xd6\xd0\xce"))
	f.Add(1250, []byte{0x81, 0x98})
	f.Fuzz(func(t *testing.T, cp int, b []byte) {
		c := []CodePage{1250, 1251, 1252, 1253, 932, 936}[uint(cp)%6]
		s := c.Decode(b)
		once := c.Decode(c.Encode(s))
		if twice := c.Decode(c.Encode(once)); twice != once {
			t.Fatalf("%d: %q re-encodes to %q then %q", c, s, once, twice)
		}
		if c.Len(once) != len(c.Encode(once)) {
			t.Fatalf("%d: Len(%q) = %d, Encode gives %d bytes", c, once, c.Len(once), len(c.Encode(once)))
		}
	})
}
