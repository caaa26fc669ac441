package tsql

import (
	"fmt"
	"strings"
)

// parser is a recursive-descent parser over the token slice of one batch.
// Errors unwind with panic(bailout) and are recovered in the entry points:
// the grammar code stays readable, and only our own panics are caught, so a
// real bug still crashes tests and fuzzing.
type parser struct {
	src    string
	toks   []Token
	pos    int
	lexErr error
	depth  int
	// ctes are the common table expressions the statement being parsed
	// may reference (lower-cased name); cteDefining is the one whose body
	// is being read (a reference to it would be recursion).
	ctes        map[string]*cteDef
	cteDefining string
	cteRec      *RecursiveCTE // the one being defined, for self references
}

type bailout struct{ err error }

// maxDepth bounds nesting (parentheses, subqueries, blocks) so hostile input
// cannot exhaust the stack; SQL Server answers such input with error 191.
const maxDepth = 256

const errNestedTooDeeply = 191

func newParser(src string) *parser {
	toks, err := Lex(src)
	return &parser{src: src, toks: toks, lexErr: err}
}

// run calls f, turning a bailout into an error.
func (p *parser) run(f func()) (err error) {
	if p.lexErr != nil {
		return p.lexErr
	}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			err = b.err
		}
	}()
	f()
	return nil
}

func (p *parser) parseBatch() ([]Stmt, error) {
	var stmts []Stmt
	err := p.run(func() {
		for {
			for p.acceptOp(";") {
			}
			if p.tok().Kind == TokEOF {
				return
			}
			if kind, ok := p.moduleStart(); ok {
				stmts = append(stmts, p.parseModule(kind, len(stmts) == 0))
				continue
			}
			stmts = append(stmts, p.parseStatement(len(stmts) == 0))
		}
	})
	if err != nil {
		return nil, err
	}
	return stmts, nil
}

// ---------------------------------------------------------------------------
// Token access

func (p *parser) tok() Token { return p.toks[p.pos] }

func (p *parser) peek(n int) Token {
	if p.pos+n < len(p.toks) {
		return p.toks[p.pos+n]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() Token {
	t := p.toks[p.pos]
	if t.Kind != TokEOF {
		p.pos++
	}
	return t
}

func (t Token) isWord(w string) bool { return t.Kind == TokIdent && t.Upper == w }
func (t Token) isOp(op string) bool  { return t.Kind == TokOp && t.Raw == op }

// isName reports whether t can be an unquoted or quoted identifier.
func (t Token) isName() bool {
	return (t.Kind == TokIdent && !t.Keyword) || t.Kind == TokQuoted
}

func (p *parser) isWord(w string) bool { return p.tok().isWord(w) }
func (p *parser) isOp(op string) bool  { return p.tok().isOp(op) }

func (p *parser) acceptWord(w string) bool {
	if p.isWord(w) {
		p.next()
		return true
	}
	return false
}

func (p *parser) acceptOp(op string) bool {
	if p.isOp(op) {
		p.next()
		return true
	}
	return false
}

func (p *parser) expectWord(w string) Token {
	if !p.isWord(w) {
		p.fail()
	}
	return p.next()
}

func (p *parser) expectOp(op string) Token {
	if !p.isOp(op) {
		p.fail()
	}
	return p.next()
}

// ---------------------------------------------------------------------------
// Errors

func (p *parser) bail(err error) { panic(bailout{err}) }

// nearText is how SQL Server names a token in "Incorrect syntax near".
func nearText(t Token) string {
	switch t.Kind {
	case TokQuoted, TokString, TokNString:
		return t.Value
	}
	return t.Raw
}

// errAt builds the syntax error for an unexpected token. At the end of the
// batch SQL Server names the last token.
func (p *parser) errAt(t Token) *SyntaxError {
	if t.Kind == TokEOF {
		if len(p.toks) < 2 {
			return syntaxNear(t.Pos.Line, "", false)
		}
		t = p.toks[len(p.toks)-2]
	}
	return syntaxNear(t.Pos.Line, nearText(t), t.Keyword)
}

// fail reports the current token as unexpected.
func (p *parser) fail() { p.bail(p.errAt(p.tok())) }

// failf raises a specific SQL Server compile error at the current token.
func (p *parser) failf(number int, format string, args ...any) {
	t := p.tok()
	if t.Kind == TokEOF && len(p.toks) > 1 {
		t = p.toks[len(p.toks)-2]
	}
	p.bail(&SyntaxError{Number: number, Line: t.Pos.Line, Near: nearText(t), Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) unsupported(line int, feature string) {
	p.bail(&UnsupportedError{Line: line, Feature: feature})
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.failf(errNestedTooDeeply, "Some part of your SQL statement is nested too deeply. Rewrite the query or break it up into smaller queries.")
	}
}

func (p *parser) leave() { p.depth-- }

// ---------------------------------------------------------------------------
// Names

func identOf(t Token) Ident {
	return Ident{Pos: t.Pos, Raw: t.Raw, Name: t.Value, Quoted: t.Kind == TokQuoted}
}

// parseIdent reads one identifier (unquoted non-reserved, or quoted).
func (p *parser) parseIdent() Ident {
	if !p.tok().isName() {
		p.fail()
	}
	return identOf(p.next())
}

// parseObjectName reads a multi-part name of at most four parts; middle
// parts may be empty (db..t).
func (p *parser) parseObjectName() ObjectName {
	start := p.tok().Pos
	n := ObjectName{Pos: start}
	n.Parts = append(n.Parts, p.parseIdent())
	for p.isOp(".") && (p.peek(1).isName() || p.peek(1).isOp(".")) {
		if len(n.Parts) == 4 {
			p.fail()
		}
		p.next()
		if p.isOp(".") {
			n.Parts = append(n.Parts, Ident{Pos: p.tok().Pos})
			continue
		}
		n.Parts = append(n.Parts, p.parseIdent())
	}
	return n
}

// nameEnd returns the index just after a multi-part name starting at token
// index i, or -1 if there is none there.
func (p *parser) nameEnd(i int) int {
	if i >= len(p.toks) || !p.toks[i].isName() {
		return -1
	}
	i++
	for i+1 < len(p.toks) && p.toks[i].isOp(".") {
		if p.toks[i+1].isName() {
			i += 2
			continue
		}
		if p.toks[i+1].isOp(".") {
			i++
			continue
		}
		break
	}
	return i
}

// wordsUntil collects upper-cased words (any TokIdent, reserved or not) for
// multi-word values such as "SAFETY FULL" or "REQUIRED ALGORITHM AES".
func (p *parser) wordsUntil(stop func(Token) bool) string {
	var ws []string
	for p.tok().Kind == TokIdent && !stop(p.tok()) {
		ws = append(ws, p.next().Upper)
	}
	return strings.Join(ws, " ")
}

// ---------------------------------------------------------------------------
// Type names

// parseType reads a data type name with optional (n), (p,s) or (MAX).
func (p *parser) parseType() *TypeName {
	t := &TypeName{Pos: p.tok().Pos}
	if p.isWord("DOUBLE") && p.peek(1).isWord("PRECISION") {
		first := p.next()
		p.next()
		t.Name = ObjectName{Pos: first.Pos, Parts: []Ident{{Pos: first.Pos, Raw: "DOUBLE PRECISION", Name: "float"}}}
		return t
	}
	t.Name = p.parseObjectName()
	if len(t.Name.Parts) > 2 {
		p.bail(syntaxNear(t.Name.Pos.Line, ".", false))
	}
	if p.isOp("(") {
		p.next()
		t.Parens = true
		if p.isWord("MAX") {
			p.next()
			t.Max = true
		} else {
			for {
				tok := p.tok()
				if tok.Kind != TokInt {
					p.fail()
				}
				p.next()
				v, ok := parseSmallInt(tok.Raw)
				if !ok {
					p.fail()
				}
				t.Params = append(t.Params, v)
				if !p.acceptOp(",") {
					break
				}
			}
		}
		p.expectOp(")")
	}
	return t
}

func parseSmallInt(s string) (int64, bool) {
	var v int64
	for _, c := range []byte(s) {
		v = v*10 + int64(c-'0')
		if v > 1<<31 {
			return 0, false
		}
	}
	return v, true
}

// ---------------------------------------------------------------------------
// Public helpers

// ParseExpr parses one scalar expression (as in SELECT lists and SET) that
// must span the whole input.
func ParseExpr(s string) (Expr, error) {
	p := newParser(s)
	var e Expr
	err := p.run(func() {
		e = p.parseScalar()
		if p.tok().Kind != TokEOF {
			p.fail()
		}
	})
	return e, err
}

// ParseCondition parses one boolean condition (as in WHERE and IF).
func ParseCondition(s string) (Expr, error) {
	p := newParser(s)
	var e Expr
	err := p.run(func() {
		e = p.parseCond()
		if p.tok().Kind != TokEOF {
			p.fail()
		}
	})
	return e, err
}

// ParseType parses a data type name such as "nvarchar(128)" or "decimal(25,0)".
func ParseType(s string) (*TypeName, error) {
	p := newParser(s)
	var t *TypeName
	err := p.run(func() {
		t = p.parseType()
		if p.tok().Kind != TokEOF {
			p.fail()
		}
	})
	return t, err
}

// ParseObjectName parses a one- to four-part name such as "msdb.dbo.backupset"
// or "[my db]..t".
func ParseObjectName(s string) (ObjectName, error) {
	p := newParser(s)
	var n ObjectName
	err := p.run(func() {
		n = p.parseObjectName()
		if p.tok().Kind != TokEOF {
			p.fail()
		}
	})
	return n, err
}
