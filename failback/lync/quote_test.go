package lync

import (
	"strings"
	"testing"
	"unicode/utf8"
)

var hostile = []string{
	"",
	"plain",
	"it's",
	"''",
	"'; Remove-Item C:\\ -Recurse; '",
	"\u2018curly\u2019 \u201Alow\u201B",
	"mixed '\u2019' quotes",
	"`n`t backtick `'",
	"$(Stop-Computer)",
	"$env:USERNAME ${x}",
	"a;b | c & d",
	"line1\nline2\r\n'line3",
	"@{Replace=@('x')}",
	"-Confirm:$true",
	"\"double\" quotes",
	"#comment",
	"<# block #>",
	"\u2013PoolState en dash",
	"trailing quote'",
}

func TestQuoteGolden(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "''"},
		{"global", "'global'"},
		{"it's", "'it''s'"},
		{"\u2019", "'\u2019\u2019'"},
		{"\u2018a\u201A\u201B", "'\u2018\u2018a\u201A\u201A\u201B\u201B'"},
		{"$(x)`;", "'$(x)`;'"},
		{"a\nb", "'a\nb'"},
	}
	for _, c := range cases {
		if got := Quote(c.in); got != c.want {
			t.Errorf("Quote(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestQuoteStaysOneLiteral(t *testing.T) {
	for _, h := range hostile {
		cmd, err := NewCommand("Set-CsPersistentChatState").
			Param("Identity", String(h)).
			Param("PoolState", String("Normal")).
			SwitchValue("Confirm", false).Build()
		if err != nil {
			t.Fatalf("%q: %v", h, err)
		}
		toks, err := tokenizePS(cmd)
		if err != nil {
			t.Fatalf("%q: tokenize %q: %v", h, cmd, err)
		}
		want := []psToken{
			{"word", "Set-CsPersistentChatState"}, {"word", "-Identity"}, {"str", h},
			{"word", "-PoolState"}, {"str", "Normal"}, {"word", "-Confirm"}, {"punct", ":"}, {"word", "$false"},
		}
		if len(toks) != len(want) {
			t.Fatalf("%q: %d tokens %v, want %d", h, len(toks), toks, len(want))
		}
		for i := range want {
			if toks[i] != want[i] {
				t.Errorf("%q: token %d = %+v, want %+v", h, i, toks[i], want[i])
			}
		}
	}
}

func TestArrayAndHashtableStayLiterals(t *testing.T) {
	cmd, err := NewCommand("Set-CsPersistentChatActiveServer").
		Param("Identity", String("global")).
		Param("ActiveServers", Hashtable(Entry{Key: "Replace", Value: Strings(hostile...)})).
		Build()
	if err != nil {
		t.Fatal(err)
	}
	toks, err := tokenizePS(cmd)
	if err != nil {
		t.Fatal(err)
	}
	// name -Identity 'global' -ActiveServers @ { Replace = @ ( s , s ... ) }
	var strs []string
	for _, tk := range toks[2:] {
		if tk.kind == "str" {
			strs = append(strs, tk.text)
		} else if tk.kind == "word" && tk.text != "-ActiveServers" && tk.text != "Replace" {
			t.Errorf("unexpected word %q outside literals in %q", tk.text, cmd)
		}
	}
	want := append([]string{"global"}, hostile...)
	if strings.Join(strs, "\x00") != strings.Join(want, "\x00") {
		t.Errorf("literals = %q, want %q", strs, want)
	}
	if !strings.HasPrefix(cmd, "Set-CsPersistentChatActiveServer -Identity 'global' -ActiveServers @{Replace=@(''") {
		t.Errorf("shape: %q", cmd)
	}
}

func TestHashtableQuotesOddKeys(t *testing.T) {
	got, err := NewCommand("Install-CsMirrorDatabase").Param("DatabasePathMap",
		Hashtable(Entry{Key: "PersistentChatStore:mgc:DbPath", Value: String(`D:\data`)}, Entry{Key: "Add", Value: Null()})).Build()
	if err != nil {
		t.Fatal(err)
	}
	want := `Install-CsMirrorDatabase -DatabasePathMap @{'PersistentChatStore:mgc:DbPath'='D:\data'; Add=$null}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestBuilderRejects(t *testing.T) {
	cases := map[string]*Command{
		"param with dash":     NewCommand("Get-CsService").Param("Pool-Fqdn", String("x")),
		"param with space":    NewCommand("Get-CsService").Switch("A B"),
		"param injection":     NewCommand("Get-CsService").SwitchValue("X;Stop-Computer", true),
		"command name":        NewCommand("Get-CsService;Stop-Computer"),
		"nil value":           NewCommand("Get-CsService").Param("Identity", nil),
		"NUL in value":        NewCommand("Get-CsService").Param("Identity", String("a\x00b")),
		"invalid utf8":        NewCommand("Get-CsService").Param("Identity", String("a\xffb")),
		"nil hashtable value": NewCommand("Get-CsService").Param("X", Hashtable(Entry{Key: "Add"})),
	}
	for name, c := range cases {
		if s, err := c.Build(); err == nil {
			t.Errorf("%s: built %q, want error", name, s)
		}
	}
}

func FuzzQuote(f *testing.F) {
	for _, h := range hostile {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := Quote(s)
		v, rest, err := unquotePS(q)
		if err != nil {
			t.Fatalf("unquote %q: %v", q, err)
		}
		if rest != "" {
			t.Fatalf("literal of %q ended early; rest %q", s, rest)
		}
		want := s
		if !utf8.ValidString(s) {
			// Invalid bytes cannot travel as UTF-16; each becomes U+FFFD.
			want = string([]rune(s))
		}
		if v != want {
			t.Fatalf("round trip %q -> %q -> %q", s, q, v)
		}
	})
}
