package sqltypes

import (
	"strings"
	"testing"
)

func TestLike(t *testing.T) {
	tests := []struct {
		s, p   string
		escape rune
		want   bool
	}{
		{"hello", "hello", 0, true},
		{"Hello", "hELLO", 0, true},
		{"hello", "h%", 0, true},
		{"hello", "%o", 0, true},
		{"hello", "%ll%", 0, true},
		{"hello", "%x%", 0, false},
		{"hello", "h_llo", 0, true},
		{"hello", "h_lo", 0, false},
		{"hello", "_____", 0, true},
		{"hello", "______", 0, false},
		{"", "%", 0, true},
		{"", "_", 0, false},
		{"", "", 0, true},
		{"a", "", 0, false},
		{"abc", "[abc]bc", 0, true},
		{"dbc", "[abc]bc", 0, false},
		{"mbc", "[a-z]bc", 0, true},
		{"Mbc", "[a-z]bc", 0, true},
		{"5bc", "[a-z]bc", 0, false},
		{"xbc", "[^x]bc", 0, false},
		{"ybc", "[^x]bc", 0, true},
		{"a-c", "a[-]c", 0, true},
		{"50%", "50[%]", 0, true},
		{"500", "50[%]", 0, false},
		{"a_b", "a[_]b", 0, true},
		{"axb", "a[_]b", 0, false},
		{"50%", "50!%", '!', true},
		{"501", "50!%", '!', false},
		{"a!b", "a!!b", '!', true},
		{"[x", "[x", 0, true}, // unclosed bracket is literal
		{"mgc_primary", "mgc%", 0, true},
		{"LSBackup_mgc", "LSBackup[_]%", 0, true},
		{"abc ", "abc", 0, false}, // trailing spaces significant
		{"ÄBC", "äbc", 0, true},
		{"aaa", "a%a%a", 0, true},
		{"aa", "a%a%a", 0, false},
		{"%%", "[%][%]", 0, true},
		{"abc", "a%%c", 0, true},
	}
	for _, tc := range tests {
		if got := Like(tc.s, tc.p, tc.escape); got != tc.want {
			t.Errorf("Like(%q, %q, %q) = %v, want %v", tc.s, tc.p, tc.escape, got, tc.want)
		}
	}
}

// A pattern that is exponential for a naive backtracker finishes at once.
func TestLikeLinear(t *testing.T) {
	s := strings.Repeat("a", 5000)
	p := strings.Repeat("%a", 200) + "b"
	if Like(s, p, 0) {
		t.Fatal("matched")
	}
}

func FuzzLike(f *testing.F) {
	f.Add("hello", "h%[a-z]_o", "!")
	f.Add("[", "[", "")
	f.Add("", "[^", "[")
	f.Fuzz(func(t *testing.T, s, p, esc string) {
		var e rune
		for _, r := range esc {
			e = r
			break
		}
		got := Like(s, p, e)
		if p == "%" && !got {
			t.Fatalf("%% must match %q", s)
		}
	})
}
