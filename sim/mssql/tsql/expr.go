package tsql

import (
	"encoding/hex"
	"math"
	"strconv"
	"strings"
)

// Expressions follow SQL Server's grammar, which separates conditions
// (WHERE, IF, WHEN of a searched CASE) from scalar values (select lists,
// SET, arguments): `SELECT 1 = 1` and `IF 1 PRINT 'x'` are compile errors
// there, so they are here. Precedence, loosest first: OR; AND; NOT;
// predicates (comparisons, IS NULL, IN, LIKE, BETWEEN, which do not chain);
// + - & | ^; * / %; unary - + ~. Unary minus binds tighter than the docs'
// level 3; the results only differ in overflow corner cases.
//
// allowBool marks the one ambiguous spot: the leftmost operand of a
// condition, where "(" may open a parenthesised condition or a scalar.

const errNonBoolean = 4145

// isBool reports whether e is a condition rather than a scalar.
func isBool(e Expr) bool {
	switch e := e.(type) {
	case *BinaryExpr:
		return e.Op >= OpEq
	case *UnaryExpr:
		return e.Op == UnaryNot
	case *IsNullExpr, *InExpr, *LikeExpr, *BetweenExpr, *ExistsExpr, *QuantifiedExpr:
		return true
	case *ParenExpr:
		return isBool(e.X)
	}
	return false
}

func (p *parser) failNonBoolean() {
	t := p.tok()
	if t.Kind == TokEOF {
		p.fail()
	}
	p.failf(errNonBoolean, "An expression of non-boolean type specified in a context where a condition is expected, near '%s'.", nearText(t))
}

// parseCond parses a condition.
func (p *parser) parseCond() Expr {
	e := p.parseOr(true)
	if !isBool(e) {
		p.failNonBoolean()
	}
	return e
}

// parseScalar parses a scalar expression.
func (p *parser) parseScalar() Expr { return p.parseAdditive(false) }

func (p *parser) parseOr(allowBool bool) Expr {
	left := p.parseAnd(allowBool)
	for p.isWord("OR") {
		if !isBool(left) {
			p.failNonBoolean()
		}
		op := p.next()
		right := p.parseAnd(true)
		if !isBool(right) {
			p.failNonBoolean()
		}
		left = &BinaryExpr{Pos: left.Position(), Op: OpOr, OpText: op.Raw, L: left, R: right}
	}
	return left
}

func (p *parser) parseAnd(allowBool bool) Expr {
	left := p.parseNot(allowBool)
	for p.isWord("AND") {
		if !isBool(left) {
			p.failNonBoolean()
		}
		op := p.next()
		right := p.parseNot(true)
		if !isBool(right) {
			p.failNonBoolean()
		}
		left = &BinaryExpr{Pos: left.Position(), Op: OpAnd, OpText: op.Raw, L: left, R: right}
	}
	return left
}

func (p *parser) parseNot(allowBool bool) Expr {
	if p.isWord("NOT") {
		p.enter()
		defer p.leave()
		t := p.next()
		x := p.parseNot(true)
		if !isBool(x) {
			p.failNonBoolean()
		}
		return &UnaryExpr{Pos: t.Pos, Op: UnaryNot, X: x}
	}
	return p.parsePredicate(allowBool)
}

var comparisonOps = map[string]BinaryOp{
	"=": OpEq, "<>": OpNe, "!=": OpNe, "<": OpLt, ">": OpGt, "<=": OpLe, ">=": OpGe, "!<": OpNotLt, "!>": OpNotGt,
}

func (p *parser) parsePredicate(allowBool bool) Expr {
	if p.isWord("EXISTS") {
		t := p.next()
		return &ExistsExpr{Pos: t.Pos, Query: p.parseParenQuery()}
	}
	left := p.parseAdditive(allowBool)
	t := p.tok()
	if isBool(left) {
		// A parenthesised condition cannot be compared or tested further.
		if t.Kind == TokOp && comparisonOps[t.Raw] != 0 || t.isWord("IS") || t.isWord("IN") ||
			t.isWord("LIKE") || t.isWord("BETWEEN") || (t.isWord("NOT") && isPredicateWord(p.peek(1))) {
			p.fail()
		}
		return left
	}
	pos := left.Position()
	if t.Kind == TokOp {
		if op, ok := comparisonOps[t.Raw]; ok {
			p.next()
			if q := p.quantifier(); q != 0 {
				return &QuantifiedExpr{Pos: pos, X: left, Op: op, OpText: t.Raw, Quantifier: q, Query: p.parseParenQuery()}
			}
			right := p.parseAdditive(false)
			return &BinaryExpr{Pos: pos, Op: op, OpText: t.Raw, L: left, R: right}
		}
		return left
	}
	if t.isWord("IS") {
		p.next()
		not := p.acceptWord("NOT")
		p.expectWord("NULL")
		return &IsNullExpr{Pos: pos, X: left, Not: not}
	}
	not := false
	if t.isWord("NOT") && isPredicateWord(p.peek(1)) {
		p.next()
		not = true
	}
	switch {
	case p.isWord("IN"):
		p.next()
		in := &InExpr{Pos: pos, X: left, Not: not}
		p.expectOp("(")
		if p.startsQuery() {
			in.Query = p.parseSelect()
		} else {
			in.List = p.parseScalarList()
		}
		p.expectOp(")")
		return in
	case p.isWord("LIKE"):
		p.next()
		like := &LikeExpr{Pos: pos, X: left, Not: not, Pattern: p.parseAdditive(false)}
		if p.acceptWord("ESCAPE") {
			like.Escape = p.parseAdditive(false)
		}
		return like
	case p.isWord("BETWEEN"):
		p.next()
		b := &BetweenExpr{Pos: pos, X: left, Not: not, Lo: p.parseAdditive(false)}
		p.expectWord("AND")
		b.Hi = p.parseAdditive(false)
		return b
	}
	return left
}

func isPredicateWord(t Token) bool { return t.isWord("IN") || t.isWord("LIKE") || t.isWord("BETWEEN") }

// quantifier consumes ALL/ANY/SOME when a subquery follows.
func (p *parser) quantifier() Quantifier {
	if !p.peek(1).isOp("(") {
		return 0
	}
	var q Quantifier
	switch {
	case p.isWord("ALL"):
		q = QuantAll
	case p.isWord("ANY"):
		q = QuantAny
	case p.isWord("SOME"):
		q = QuantSome
	default:
		return 0
	}
	p.next()
	return q
}

var additiveOps = map[string]BinaryOp{"+": OpAdd, "-": OpSub, "&": OpBitAnd, "|": OpBitOr, "^": OpBitXor}
var multiplicativeOps = map[string]BinaryOp{"*": OpMul, "/": OpDiv, "%": OpMod}

func (p *parser) parseAdditive(allowBool bool) Expr {
	left := p.parseMultiplicative(allowBool)
	for p.tok().Kind == TokOp {
		op, ok := additiveOps[p.tok().Raw]
		if !ok {
			break
		}
		if isBool(left) {
			p.fail()
		}
		t := p.next()
		right := p.parseMultiplicative(false)
		left = &BinaryExpr{Pos: left.Position(), Op: op, OpText: t.Raw, L: left, R: right}
	}
	return left
}

func (p *parser) parseMultiplicative(allowBool bool) Expr {
	left := p.parseUnary(allowBool)
	for p.tok().Kind == TokOp {
		op, ok := multiplicativeOps[p.tok().Raw]
		if !ok {
			break
		}
		if isBool(left) {
			p.fail()
		}
		t := p.next()
		right := p.parseUnary(false)
		left = &BinaryExpr{Pos: left.Position(), Op: op, OpText: t.Raw, L: left, R: right}
	}
	return left
}

func (p *parser) parseUnary(allowBool bool) Expr {
	t := p.tok()
	var op UnaryOp
	switch {
	case t.isOp("-"):
		op = UnaryMinus
	case t.isOp("+"):
		op = UnaryPlus
	case t.isOp("~"):
		op = UnaryBitNot
	default:
		return p.parsePostfix(allowBool)
	}
	p.enter()
	defer p.leave()
	p.next()
	return &UnaryExpr{Pos: t.Pos, Op: op, X: p.parseUnary(false)}
}

func (p *parser) parsePostfix(allowBool bool) Expr {
	e := p.parsePrimary(allowBool)
	for p.isWord("COLLATE") {
		if isBool(e) {
			p.fail()
		}
		p.next()
		c := p.parseIdent()
		e = &CollateExpr{Pos: e.Position(), X: e, Collation: c.Name}
	}
	return e
}

func (p *parser) parseScalarList() []Expr {
	list := []Expr{p.parseScalar()}
	for p.acceptOp(",") {
		list = append(list, p.parseScalar())
	}
	return list
}

// startsQuery reports whether the current token opens a query (SELECT, or
// parentheses around one).
func (p *parser) startsQuery() bool {
	i := p.pos
	for i < len(p.toks) && p.toks[i].isOp("(") {
		i++
	}
	return i < len(p.toks) && p.toks[i].isWord("SELECT")
}

// parseParenQuery reads ( query ).
func (p *parser) parseParenQuery() *SelectStmt {
	p.expectOp("(")
	if !p.startsQuery() {
		p.fail()
	}
	q := p.parseSelect()
	p.expectOp(")")
	return q
}

// niladic are the keyword functions written without parentheses.
var niladic = map[string]bool{"CURRENT_TIMESTAMP": true, "CURRENT_USER": true, "SESSION_USER": true, "SYSTEM_USER": true, "USER": true}

// keywordFuncs are reserved words that are also function names when "(" follows.
var keywordFuncs = map[string]bool{"COALESCE": true, "NULLIF": true, "LEFT": true, "RIGHT": true}

func (p *parser) parsePrimary(allowBool bool) Expr {
	t := p.tok()
	switch t.Kind {
	case TokInt:
		p.next()
		return p.intLiteral(t)
	case TokDecimal:
		p.next()
		return p.decimalLiteral(t)
	case TokFloat:
		p.next()
		v, err := strconv.ParseFloat(t.Raw, 64)
		if err != nil || math.IsInf(v, 0) {
			p.pos--
			p.failf(errNumberRange, "The number '%s' is out of the range for numeric representation (maximum precision 38).", t.Raw)
		}
		return &FloatLit{Pos: t.Pos, Raw: t.Raw, Value: v}
	case TokString:
		p.next()
		return &StringLit{Pos: t.Pos, Raw: t.Raw, Value: t.Value}
	case TokNString:
		p.next()
		return &StringLit{Pos: t.Pos, Raw: t.Raw, Value: t.Value, Unicode: true}
	case TokBinary:
		p.next()
		return binaryLiteral(t)
	case TokMoney:
		p.next()
		return &MoneyLit{Pos: t.Pos, Raw: t.Raw}
	case TokVar:
		p.next()
		return &VarRef{Pos: t.Pos, Name: t.Raw}
	case TokGlobalVar:
		p.next()
		return &GlobalVarRef{Pos: t.Pos, Name: t.Raw}
	case TokOp:
		if t.Raw == "(" {
			return p.parseParen(allowBool)
		}
	case TokQuoted:
		return p.parseNameExpr()
	case TokIdent:
		switch {
		case t.Upper == "NULL":
			p.next()
			return &NullLit{Pos: t.Pos}
		case t.Upper == "CASE":
			return p.parseCase()
		case (t.Upper == "CAST" || t.Upper == "TRY_CAST") && p.peek(1).isOp("("):
			return p.parseCast()
		case (t.Upper == "CONVERT" || t.Upper == "TRY_CONVERT") && p.peek(1).isOp("("):
			return p.parseConvert()
		case t.Upper == "IIF" && p.peek(1).isOp("("):
			return p.parseIIF()
		case niladic[t.Upper]:
			p.next()
			return &FuncCall{Pos: t.Pos, Name: ObjectName{Pos: t.Pos, Parts: []Ident{identOf(t)}}, NoParens: true}
		case keywordFuncs[t.Upper] && p.peek(1).isOp("("):
			p.next()
			return p.parseCall(t.Pos, ObjectName{Pos: t.Pos, Parts: []Ident{identOf(t)}})
		case !t.Keyword:
			return p.parseNameExpr()
		}
	}
	p.fail()
	return nil
}

func (p *parser) parseParen(allowBool bool) Expr {
	p.enter()
	defer p.leave()
	t := p.tok()
	if p.peek(1).isWord("SELECT") {
		q := p.parseParenQuery()
		return &SubqueryExpr{Pos: t.Pos, Query: q}
	}
	p.next()
	var x Expr
	if allowBool {
		x = p.parseOr(true)
	} else {
		x = p.parseScalar()
	}
	p.expectOp(")")
	return &ParenExpr{Pos: t.Pos, X: x}
}

// parseNameExpr reads a column reference or a function call.
func (p *parser) parseNameExpr() Expr {
	n := p.parseObjectName()
	if p.isOp("(") {
		return p.parseCall(n.Pos, n)
	}
	return &ColumnRef{Pos: n.Pos, Name: n}
}

// parseCall reads the argument list of a function call (current token "(").
func (p *parser) parseCall(pos Pos, name ObjectName) Expr {
	p.enter()
	defer p.leave()
	p.expectOp("(")
	f := &FuncCall{Pos: pos, Name: name}
	switch {
	case p.isOp("*"):
		p.next()
		f.Star = true
	case p.isOp(")"):
	default:
		if p.acceptWord("DISTINCT") {
			f.Distinct = true
		} else {
			p.acceptWord("ALL")
		}
		f.Args = p.parseScalarList()
	}
	p.expectOp(")")
	if p.isWord("OVER") {
		f.Over = p.parseOver()
	}
	return f
}

func (p *parser) parseOver() *OverClause {
	t := p.next()
	o := &OverClause{Pos: t.Pos}
	p.expectOp("(")
	if p.isWord("PARTITION") {
		p.next()
		p.expectWord("BY")
		o.PartitionBy = p.parseScalarList()
	}
	if p.isWord("ORDER") {
		p.next()
		p.expectWord("BY")
		o.OrderBy = p.parseOrderList()
	}
	if p.isWord("ROWS") || p.isWord("RANGE") {
		p.unsupported(p.tok().Pos.Line, "window frame")
	}
	p.expectOp(")")
	return o
}

func (p *parser) parseCase() Expr {
	p.enter()
	defer p.leave()
	t := p.next()
	c := &CaseExpr{Pos: t.Pos}
	if !p.isWord("WHEN") {
		c.Operand = p.parseScalar()
	}
	if !p.isWord("WHEN") {
		p.fail()
	}
	for p.isWord("WHEN") {
		w := p.next()
		cw := &CaseWhen{Pos: w.Pos}
		if c.Operand != nil {
			cw.When = p.parseScalar()
		} else {
			cw.When = p.parseCond()
		}
		p.expectWord("THEN")
		cw.Then = p.parseScalar()
		c.Whens = append(c.Whens, cw)
	}
	if p.acceptWord("ELSE") {
		c.Else = p.parseScalar()
	}
	p.expectWord("END")
	return c
}

func (p *parser) parseCast() Expr {
	p.enter()
	defer p.leave()
	t := p.next()
	p.expectOp("(")
	x := p.parseScalar()
	p.expectWord("AS")
	typ := p.parseType()
	p.expectOp(")")
	return &CastExpr{Pos: t.Pos, X: x, Typ: typ, Try: t.Upper == "TRY_CAST"}
}

func (p *parser) parseConvert() Expr {
	p.enter()
	defer p.leave()
	t := p.next()
	p.expectOp("(")
	c := &ConvertExpr{Pos: t.Pos, Try: t.Upper == "TRY_CONVERT"}
	c.Typ = p.parseType()
	p.expectOp(",")
	c.X = p.parseScalar()
	if p.acceptOp(",") {
		c.Style = p.parseScalar()
	}
	p.expectOp(")")
	return c
}

// parseIIF reads IIF(condition, a, b); its first argument is a condition.
func (p *parser) parseIIF() Expr {
	p.enter()
	defer p.leave()
	t := p.next()
	p.expectOp("(")
	cond := p.parseCond()
	p.expectOp(",")
	a := p.parseScalar()
	p.expectOp(",")
	b := p.parseScalar()
	p.expectOp(")")
	return &FuncCall{Pos: t.Pos, Name: ObjectName{Pos: t.Pos, Parts: []Ident{identOf(t)}}, Args: []Expr{cond, a, b}}
}

// ---------------------------------------------------------------------------
// Literals

const errNumberRange = 1007

func (p *parser) intLiteral(t Token) Expr {
	digits := strings.TrimLeft(t.Raw, "0")
	if len(digits) <= 10 {
		v, _ := strconv.ParseInt("0"+digits, 10, 64)
		if v <= math.MaxInt32 {
			return &IntLit{Pos: t.Pos, Raw: t.Raw, Value: v}
		}
	}
	if len(digits) > 38 {
		p.pos--
		p.failf(errNumberRange, "The number '%s' is out of the range for numeric representation (maximum precision 38).", t.Raw)
	}
	return &DecimalLit{Pos: t.Pos, Raw: t.Raw, Unscaled: digits, Precision: len(digits), Scale: 0}
}

func (p *parser) decimalLiteral(t Token) Expr {
	intPart, frac, _ := strings.Cut(t.Raw, ".")
	intPart = strings.TrimLeft(intPart, "0")
	scale := len(frac)
	prec := len(intPart) + scale
	if prec == 0 {
		prec = 1
	}
	if prec > 38 {
		p.pos--
		p.failf(errNumberRange, "The number '%s' is out of the range for numeric representation (maximum precision 38).", t.Raw)
	}
	unscaled := strings.TrimLeft(intPart+frac, "0")
	if unscaled == "" {
		unscaled = "0"
	}
	return &DecimalLit{Pos: t.Pos, Raw: t.Raw, Unscaled: unscaled, Precision: prec, Scale: scale}
}

func binaryLiteral(t Token) Expr {
	digits := t.Value
	if len(digits)%2 == 1 {
		digits = "0" + digits
	}
	b, _ := hex.DecodeString(digits)
	if b == nil {
		b = []byte{}
	}
	return &BinaryLit{Pos: t.Pos, Raw: t.Raw, Value: b}
}
