package tsql

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TokenKind classifies a token.
type TokenKind int

// Token kinds.
const (
	TokEOF       TokenKind = iota
	TokIdent               // unquoted word (keywords included; see Token.Keyword)
	TokQuoted              // [x] or "x"
	TokVar                 // @name
	TokGlobalVar           // @@name
	TokInt                 // 123
	TokDecimal             // 1.5, 1., .5
	TokFloat               // 1e3, 1.5E-2
	TokString              // 'x'
	TokNString             // N'x'
	TokBinary              // 0x0A
	TokMoney               // $1.5
	TokOp                  // punctuation and operators: ( ) , . ; = <> != ... :: +=
	TokIllegal             // a character T-SQL does not know
)

var tokKindNames = [...]string{"EOF", "Ident", "Quoted", "Var", "GlobalVar", "Int", "Decimal", "Float",
	"String", "NString", "Binary", "Money", "Op", "Illegal"}

func (k TokenKind) String() string {
	if int(k) < len(tokKindNames) {
		return tokKindNames[k]
	}
	return fmt.Sprintf("TokenKind(%d)", int(k))
}

// Token is one lexical token.
//
//   - Raw is the source text of the token.
//   - Value is the decoded text: the identifier name without quotes, string
//     contents with ” collapsed, the word itself for TokIdent.
//   - Upper is strings.ToUpper(Raw) for TokIdent (keyword matching) and Raw for
//     operators.
//   - Keyword is true for a TokIdent that is a T-SQL reserved keyword.
type Token struct {
	Kind    TokenKind
	Raw     string
	Value   string
	Upper   string
	Keyword bool
	Pos     Pos
}

// MaxIdentifierLength is SQL Server's limit for identifiers (sysname).
const MaxIdentifierLength = 128

// Lex splits a batch into tokens, dropping whitespace and comments. The last
// token is always TokEOF (positioned after the text). Lexical errors are
// *SyntaxError: unclosed quotes (105), unclosed comments (113), identifiers
// longer than 128 characters (103).
func Lex(batch string) ([]Token, error) {
	lx := &lexer{src: batch, line: 1, col: 1}
	var toks []Token
	for {
		t, err := lx.next()
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		if t.Kind == TokEOF {
			return toks, nil
		}
	}
}

type lexer struct {
	src  string
	off  int
	line int
	col  int
}

func (lx *lexer) pos() Pos { return Pos{Line: lx.line, Col: lx.col, Offset: lx.off} }

func (lx *lexer) peekByte(i int) byte {
	if lx.off+i < len(lx.src) {
		return lx.src[lx.off+i]
	}
	return 0
}

// advance moves over n bytes, keeping line and column (in runes) right.
func (lx *lexer) advance(n int) {
	end := lx.off + n
	for lx.off < end {
		r, size := utf8.DecodeRuneInString(lx.src[lx.off:])
		lx.off += size
		if r == '\n' {
			lx.line++
			lx.col = 1
		} else {
			lx.col++
		}
	}
}

func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\v', '\f', 0xA0, 0xFEFF:
		return true
	}
	return unicode.IsSpace(r)
}

func isIdentStart(r rune) bool {
	return r == '_' || r == '#' || r == '@' || unicode.IsLetter(r)
}

func isIdentPart(r rune) bool {
	return r == '_' || r == '#' || r == '@' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isHex(b byte) bool {
	return isDigit(b) || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F')
}

// skip drops whitespace and comments.
func (lx *lexer) skip() error {
	for lx.off < len(lx.src) {
		r, size := utf8.DecodeRuneInString(lx.src[lx.off:])
		switch {
		case isSpace(r):
			lx.advance(size)
		case r == '-' && lx.peekByte(1) == '-':
			end := strings.IndexByte(lx.src[lx.off:], '\n')
			if end < 0 {
				end = len(lx.src) - lx.off
			}
			lx.advance(end)
		case r == '/' && lx.peekByte(1) == '*':
			start := lx.pos()
			depth := 0
			for {
				if lx.off >= len(lx.src) {
					return &SyntaxError{Number: ErrMissingEndComment, Line: start.Line, Near: "*/",
						Msg: "Missing end comment mark '*/'."}
				}
				switch {
				case lx.peekByte(0) == '/' && lx.peekByte(1) == '*':
					depth++
					lx.advance(2)
				case lx.peekByte(0) == '*' && lx.peekByte(1) == '/':
					depth--
					lx.advance(2)
				default:
					_, sz := utf8.DecodeRuneInString(lx.src[lx.off:])
					lx.advance(sz)
				}
				if depth == 0 {
					break
				}
			}
		default:
			return nil
		}
	}
	return nil
}

// threeOps and twoOps are the multi-character operators, longest first.
var twoOps = []string{"<>", "!=", "<=", ">=", "!<", "!>", "::", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^="}

const oneOps = "()[],.;=<>+-*/%&|^~:"

func (lx *lexer) next() (Token, error) {
	if err := lx.skip(); err != nil {
		return Token{}, err
	}
	start := lx.pos()
	if lx.off >= len(lx.src) {
		return Token{Kind: TokEOF, Pos: start}, nil
	}
	rest := lx.src[lx.off:]
	r, size := utf8.DecodeRuneInString(rest)
	c := rest[0]
	mk := func(kind TokenKind, n int, value string) Token {
		raw := rest[:n]
		lx.advance(n)
		return Token{Kind: kind, Raw: raw, Value: value, Upper: raw, Pos: start}
	}
	switch {
	case (c == 'N' || c == 'n') && len(rest) > 1 && rest[1] == '\'':
		n, val, ok := scanQuoted(rest[1:], '\'')
		if !ok {
			return Token{}, unclosed(start.Line, rest[2:])
		}
		return mk(TokNString, n+1, val), nil
	case c == '\'':
		n, val, ok := scanQuoted(rest, '\'')
		if !ok {
			return Token{}, unclosed(start.Line, rest[1:])
		}
		return mk(TokString, n, val), nil
	case c == '[':
		n, val, ok := scanQuoted(rest, ']')
		if !ok {
			return Token{}, unclosed(start.Line, rest[1:])
		}
		if err := checkLen(start.Line, val); err != nil {
			return Token{}, err
		}
		return mk(TokQuoted, n, val), nil
	case c == '"':
		n, val, ok := scanQuoted(rest, '"')
		if !ok {
			return Token{}, unclosed(start.Line, rest[1:])
		}
		if err := checkLen(start.Line, val); err != nil {
			return Token{}, err
		}
		return mk(TokQuoted, n, val), nil
	case c == '0' && len(rest) > 1 && (rest[1] == 'x' || rest[1] == 'X'):
		n := 2
		for n < len(rest) && isHex(rest[n]) {
			n++
		}
		return mk(TokBinary, n, rest[2:n]), nil
	case isDigit(c) || (c == '.' && len(rest) > 1 && isDigit(rest[1])):
		kind, n := scanNumber(rest)
		return mk(kind, n, rest[:n]), nil
	case c == '$' && len(rest) > 1 && (isDigit(rest[1]) || rest[1] == '.'):
		_, n := scanNumber(rest[1:])
		return mk(TokMoney, n+1, rest[1:n+1]), nil
	case c == '@' && len(rest) > 1 && rest[1] == '@':
		n := 2
		for n < len(rest) {
			r2, sz := utf8.DecodeRuneInString(rest[n:])
			if !isIdentPart(r2) {
				break
			}
			n += sz
		}
		if err := checkLen(start.Line, rest[:n]); err != nil {
			return Token{}, err
		}
		return mk(TokGlobalVar, n, rest[:n]), nil
	case isIdentStart(r):
		n := size
		for n < len(rest) {
			r2, sz := utf8.DecodeRuneInString(rest[n:])
			if !isIdentPart(r2) {
				break
			}
			n += sz
		}
		word := rest[:n]
		if err := checkLen(start.Line, word); err != nil {
			return Token{}, err
		}
		if c == '@' {
			return mk(TokVar, n, word), nil
		}
		t := mk(TokIdent, n, word)
		t.Upper = strings.ToUpper(word)
		t.Keyword = reserved[t.Upper]
		return t, nil
	}
	for _, op := range twoOps {
		if strings.HasPrefix(rest, op) {
			return mk(TokOp, len(op), op), nil
		}
	}
	if strings.IndexByte(oneOps, c) >= 0 && c < utf8.RuneSelf {
		return mk(TokOp, 1, rest[:1]), nil
	}
	return mk(TokIllegal, size, rest[:size]), nil
}

// scanQuoted scans a token opened by s[0] and closed by close, where a
// doubled close stands for one. It returns the byte length, the decoded
// contents and whether the token was closed.
func scanQuoted(s string, close byte) (int, string, bool) {
	var b strings.Builder
	i := 1
	for i < len(s) {
		j := strings.IndexByte(s[i:], close)
		if j < 0 {
			return 0, "", false
		}
		b.WriteString(s[i : i+j])
		i += j + 1
		if i < len(s) && s[i] == close {
			b.WriteByte(close)
			i++
			continue
		}
		return i, b.String(), true
	}
	return 0, "", false
}

// scanNumber scans digits [. digits] [e [+-] digits] and says which literal
// kind that is.
func scanNumber(s string) (TokenKind, int) {
	kind := TokInt
	n := 0
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	if n < len(s) && s[n] == '.' {
		kind = TokDecimal
		n++
		for n < len(s) && isDigit(s[n]) {
			n++
		}
	}
	if n < len(s) && (s[n] == 'e' || s[n] == 'E') {
		kind = TokFloat
		n++
		if n < len(s) && (s[n] == '+' || s[n] == '-') && n+1 < len(s) && isDigit(s[n+1]) {
			n++
		}
		for n < len(s) && isDigit(s[n]) {
			n++
		}
	}
	return kind, n
}

func unclosed(line int, rest string) *SyntaxError {
	return &SyntaxError{
		Number: ErrUnclosedQuote, Line: line, Near: rest,
		Msg: fmt.Sprintf("Unclosed quotation mark after the character string '%s'.", rest),
		// SQL Server follows 105 with a 102 naming the same text.
		Also: []*SyntaxError{syntaxNear(line, rest, false)},
	}
}

func checkLen(line int, name string) error {
	if utf8.RuneCountInString(name) <= MaxIdentifierLength {
		return nil
	}
	prefix := string([]rune(name)[:MaxIdentifierLength])
	return &SyntaxError{Number: ErrIdentifierTooLong, Line: line, Near: prefix,
		Msg: fmt.Sprintf("The identifier that starts with '%s' is too long. Maximum length is %d.", prefix, MaxIdentifierLength)}
}
