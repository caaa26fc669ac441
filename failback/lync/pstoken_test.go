package lync

import (
	"fmt"
	"strings"
)

// psToken is one token of the tiny reference tokenizer the tests use to
// prove that a built command has the shape we meant. It follows
// PowerShell's rules for what matters here: single-quoted literals (a quote
// character followed by any quote character is one literal quote, as in
// Tokenizer.ScanStringLiteral), and everything outside literals split into
// words and punctuation.
type psToken struct {
	kind string // "str", "word", "punct"
	text string
}

// unquotePS reads one single-quoted literal at the start of s and returns
// its value and the rest of s.
func unquotePS(s string) (val, rest string, err error) {
	r := []rune(s)
	if len(r) == 0 || !isSingleQuote(r[0]) {
		return "", s, fmt.Errorf("no opening quote")
	}
	var b strings.Builder
	for i := 1; i < len(r); i++ {
		c := r[i]
		if isSingleQuote(c) {
			if i+1 < len(r) && isSingleQuote(r[i+1]) {
				b.WriteRune(r[i+1])
				i++
				continue
			}
			return b.String(), string(r[i+1:]), nil
		}
		b.WriteRune(c)
	}
	return "", "", fmt.Errorf("unterminated literal")
}

func tokenizePS(s string) ([]psToken, error) {
	var toks []psToken
	for len(s) > 0 {
		r := []rune(s)[0]
		switch {
		case r == ' ':
			s = s[1:]
		case isSingleQuote(r):
			v, rest, err := unquotePS(s)
			if err != nil {
				return nil, err
			}
			toks = append(toks, psToken{"str", v})
			s = rest
		case strings.ContainsRune("@(){}=,;:|", r):
			toks = append(toks, psToken{"punct", string(r)})
			s = s[1:]
		default:
			i := strings.IndexAny(s, " @(){}=,;:|'\u2018\u2019\u201A\u201B")
			if i < 0 {
				i = len(s)
			}
			if i == 0 {
				return nil, fmt.Errorf("tokenizer stuck at %q", s)
			}
			toks = append(toks, psToken{"word", s[:i]})
			s = s[i:]
		}
	}
	return toks, nil
}
