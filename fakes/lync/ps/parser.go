package ps

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// ParseError is a script that does not parse. PowerShell refuses the whole
// script in that case and runs nothing, which is what Run does too.
type ParseError struct {
	Msg   string
	ID    string // PowerShell's FullyQualifiedErrorId, e.g. "UnexpectedToken"
	Start int    // rune offset into the script
	End   int
}

func (e *ParseError) Error() string { return e.Msg }

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 200

type parser struct {
	src   []rune
	pos   int
	depth int
}

// Parse parses a script into statements.
func Parse(script string) ([]Node, error) {
	p := &parser{src: []rune(script)}
	stmts, err := p.statements(0)
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.src) {
		return nil, p.unexpected()
	}
	return stmts, nil
}

// isDash reports the characters PowerShell's tokenizer accepts as a dash
// (CharTraits.IsDash): '-', en dash, em dash and horizontal bar. Copy-pasted
// documentation (Lync 2013's "–PoolState") depends on it.
func isDash(r rune) bool {
	return r == '-' || r == '\u2013' || r == '\u2014' || r == '\u2015'
}

func isSingleQuote(r rune) bool {
	return r == '\'' || r == '\u2018' || r == '\u2019' || r == '\u201a' || r == '\u201b'
}

func isDoubleQuote(r rune) bool {
	return r == '"' || r == '\u201c' || r == '\u201d' || r == '\u201e'
}

func isNewline(r rune) bool { return r == '\n' || r == '\r' }

func (p *parser) peek(off int) rune {
	if p.pos+off < len(p.src) && p.pos+off >= 0 {
		return p.src[p.pos+off]
	}
	return 0
}

func (p *parser) eof() bool { return p.pos >= len(p.src) }

func (p *parser) errAt(start, end int, id, format string, args ...any) *ParseError {
	if end <= start {
		end = start + 1
	}
	return &ParseError{Msg: fmt.Sprintf(format, args...), ID: id, Start: start, End: end}
}

// unexpected reports the token at pos the way PowerShell does: a bracket
// on its own, otherwise everything up to white space or a separator.
func (p *parser) unexpected() *ParseError {
	start := p.pos
	if start >= len(p.src) {
		return p.errAt(len(p.src), len(p.src), "UnexpectedToken", "Unexpected end of input.")
	}
	end := start + 1
	if !strings.ContainsRune("(){}[],;|", p.src[start]) {
		for end < len(p.src) && !unicode.IsSpace(p.src[end]) && !strings.ContainsRune("(){}[],;|", p.src[end]) {
			end++
		}
	}
	return p.errAt(start, end, "UnexpectedToken", "Unexpected token '%s' in expression or statement.", string(p.src[start:end]))
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errAt(p.pos, p.pos+1, "ScriptTooDeep", "The script is nested too deeply to be parsed (more than %d levels).", maxDepth)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// skipSpace skips blanks, line continuations and comments but not newlines.
func (p *parser) skipSpace() error {
	for !p.eof() {
		r := p.src[p.pos]
		switch {
		case r == ' ' || r == '\t' || r == '\f' || r == '\v' || r == '\u00a0' || r == '\ufeff':
			p.pos++
		case r == '`' && isNewline(p.peek(1)):
			p.pos += 2
			if p.src[p.pos-1] == '\r' && p.peek(0) == '\n' {
				p.pos++
			}
		case r == '<' && p.peek(1) == '#':
			start := p.pos
			end := strings.Index(string(p.src[p.pos+2:]), "#>")
			if end < 0 {
				return p.errAt(start, len(p.src), "MissingEndMultiLineComment", "Missing the terminator '#>' for the block comment.")
			}
			p.pos += 2 + len([]rune(string(p.src[p.pos+2:])[:end])) + 2
		case r == '#':
			for !p.eof() && !isNewline(p.src[p.pos]) {
				p.pos++
			}
		default:
			return nil
		}
	}
	return nil
}

// skipSpaceNL also skips newlines (inside brackets, after operators).
func (p *parser) skipSpaceNL() error {
	for {
		if err := p.skipSpace(); err != nil {
			return err
		}
		if !p.eof() && isNewline(p.src[p.pos]) {
			p.pos++
			continue
		}
		return nil
	}
}

// statements parses statements up to the closing rune end (0 = end of input).
func (p *parser) statements(end rune) ([]Node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	var out []Node
	for {
		if err := p.skipSpace(); err != nil {
			return nil, err
		}
		if p.eof() {
			return out, nil
		}
		r := p.src[p.pos]
		if isNewline(r) || r == ';' {
			p.pos++
			continue
		}
		if end != 0 && r == end {
			return out, nil
		}
		if r == ')' || r == '}' {
			return nil, p.unexpected()
		}
		st, err := p.statement()
		if err != nil {
			return nil, err
		}
		out = append(out, st)
		if err := p.skipSpace(); err != nil {
			return nil, err
		}
		if p.eof() {
			return out, nil
		}
		r = p.src[p.pos]
		if isNewline(r) || r == ';' || (end != 0 && r == end) {
			continue
		}
		return nil, p.unexpected()
	}
}

// unsupported keywords get a clear refusal instead of "command not found".
var unsupportedKeywords = map[string]bool{
	"for": true, "while": true,
	"do": true, "switch": true, "trap": true,
	"function": true, "filter": true, "param": true, "begin": true, "process": true,
	"end": true, "break": true, "continue": true, "class": true, "enum": true,
	"using": true, "data": true, "return": true, "workflow": true,
}

func (p *parser) statement() (Node, error) {
	start := p.pos
	// Assignment: $name = ...
	if p.peek(0) == '$' {
		save := p.pos
		name, ok := p.varName()
		if ok {
			if err := p.skipSpace(); err != nil {
				return nil, err
			}
			op := ""
			if (p.peek(0) == '+' || p.peek(0) == '-') && p.peek(1) == '=' {
				op = string(p.peek(0))
				p.pos++
			}
			if p.peek(0) == '=' && p.peek(1) != '=' {
				p.pos++
				if err := p.skipSpaceNL(); err != nil {
					return nil, err
				}
				if p.atStatementEnd() {
					return nil, p.errAt(p.pos-1, p.pos, "ExpectedValueExpression", "You must provide a value expression following the '%s=' operator.", op)
				}
				val, err := p.assignedValue()
				if err != nil {
					return nil, err
				}
				return &AssignStmt{span: span{start, p.pos}, Name: name, Op: op, Value: val}, nil
			}
			if op != "" {
				return nil, p.unexpected()
			}
		}
		p.pos = save
	}
	if isCommandStart(p.peek(0)) {
		save := p.pos
		word := p.bareword()
		lw := strings.ToLower(word)
		switch {
		case lw == "exit" || lw == "throw":
			if err := p.skipSpace(); err != nil {
				return nil, err
			}
			var val Node
			if !p.atStatementEnd() {
				v, err := p.pipeline()
				if err != nil {
					return nil, err
				}
				val = v
			}
			if lw == "exit" {
				return &ExitStmt{span: span{start, p.pos}, Value: val}, nil
			}
			return &ThrowStmt{span: span{start, p.pos}, Value: val}, nil
		case lw == "if":
			return p.ifStatement(start)
		case lw == "foreach":
			return p.foreachStatement(start)
		case lw == "try":
			return p.tryStatement(start)
		case unsupportedKeywords[lw]:
			return nil, p.errAt(start, p.pos, "UnsupportedStatement", "The '%s' statement is not supported by this PowerShell subset.", word)
		}
		p.pos = save
	}
	return p.pipeline()
}

func (p *parser) atStatementEnd() bool {
	if p.eof() {
		return true
	}
	r := p.src[p.pos]
	return isNewline(r) || r == ';' || r == ')' || r == '}'
}

// isCommandStart reports whether a statement starting with r is a command
// (command mode) rather than an expression.
func isCommandStart(r rune) bool {
	if r == 0 || unicode.IsSpace(r) || isDash(r) || isSingleQuote(r) || isDoubleQuote(r) {
		return false
	}
	if r >= '0' && r <= '9' {
		return false
	}
	return !strings.ContainsRune("$@({[!,;|)}&.<>=+*/%#`", r)
}

func (p *parser) pipeline() (Node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	start := p.pos
	var elems []Node
	for {
		if err := p.skipSpace(); err != nil {
			return nil, err
		}
		if p.atStatementEnd() || p.peek(0) == '|' {
			if len(elems) == 0 && p.peek(0) != '|' {
				return nil, p.unexpected()
			}
			return nil, p.errAt(p.pos, p.pos+1, "EmptyPipeElement", "An empty pipe element is not allowed.")
		}
		var el Node
		var err error
		if isCommandStart(p.peek(0)) {
			el, err = p.command()
		} else {
			if len(elems) > 0 {
				s := p.pos
				if _, err := p.expression(); err != nil {
					return nil, err
				}
				return nil, p.errAt(s, p.pos, "ExpressionsMustBeFirstInPipeline", "Expressions are only allowed as the first element of a pipeline.")
			}
			el, err = p.expression()
		}
		if err != nil {
			return nil, err
		}
		elems = append(elems, el)
		if err := p.skipSpace(); err != nil {
			return nil, err
		}
		if p.peek(0) == '|' && p.peek(1) != '|' {
			p.pos++
			if err := p.skipSpaceNL(); err != nil {
				return nil, err
			}
			continue
		}
		break
	}
	if len(elems) == 1 {
		if _, ok := elems[0].(*CommandNode); !ok {
			return elems[0], nil
		}
	}
	return &PipelineStmt{span: span{start, p.pos}, Elems: elems}, nil
}

// bareword reads a generic token: everything up to white space or a
// character that ends a command element.
func (p *parser) bareword() string {
	start := p.pos
	for !p.eof() {
		r := p.src[p.pos]
		if unicode.IsSpace(r) || strings.ContainsRune("|;,(){}", r) || isSingleQuote(r) || isDoubleQuote(r) {
			break
		}
		p.pos++
	}
	return string(p.src[start:p.pos])
}

func (p *parser) command() (Node, error) {
	start := p.pos
	name := p.bareword()
	cmd := &CommandNode{Name: name}
	for {
		if err := p.skipSpace(); err != nil {
			return nil, err
		}
		if p.eof() {
			break
		}
		r := p.src[p.pos]
		if isNewline(r) || r == ';' || r == '|' || r == ')' || r == '}' {
			break
		}
		if r == '&' && p.peek(1) == '&' {
			return nil, p.errAt(p.pos, p.pos+2, "InvalidEndOfLine", "The token '&&' is not a valid statement separator in this version.")
		}
		es := p.pos
		if isDash(r) && isParamNameStart(p.peek(1)) {
			p.pos++
			ns := p.pos
			for !p.eof() {
				c := p.src[p.pos]
				if unicode.IsSpace(c) || c == ':' || strings.ContainsRune("|;,(){}", c) || isSingleQuote(c) || isDoubleQuote(c) {
					break
				}
				p.pos++
			}
			el := CmdElem{Param: string(p.src[ns:p.pos])}
			if p.peek(0) == ':' {
				p.pos++
				el.Colon = true
				if err := p.skipSpace(); err != nil {
					return nil, err
				}
				if p.atStatementEnd() || p.peek(0) == '|' {
					return nil, p.errAt(es, p.pos, "ParameterRequiresArgument", "Missing argument in parameter list.")
				}
				arg, err := p.argument()
				if err != nil {
					return nil, err
				}
				el.Arg = arg
			}
			el.span = span{es, p.pos}
			cmd.Elems = append(cmd.Elems, el)
			continue
		}
		if r == '@' && (unicode.IsLetter(p.peek(1)) || p.peek(1) == '_') {
			p.pos++
			ns := p.pos
			for !p.eof() && (unicode.IsLetter(p.src[p.pos]) || unicode.IsDigit(p.src[p.pos]) || p.src[p.pos] == '_') {
				p.pos++
			}
			cmd.Elems = append(cmd.Elems, CmdElem{span: span{es, p.pos}, Splat: string(p.src[ns:p.pos])})
			continue
		}
		if isDash(r) && isDash(p.peek(1)) && (p.pos+2 >= len(p.src) || unicode.IsSpace(p.src[p.pos+2])) {
			p.pos += 2 // "--" ends parameter parsing; treat like PowerShell, ignore
			continue
		}
		arg, err := p.argument()
		if err != nil {
			return nil, err
		}
		cmd.Elems = append(cmd.Elems, CmdElem{span: span{es, p.pos}, Arg: arg})
	}
	cmd.span = span{start, p.pos}
	return cmd, nil
}

func isParamNameStart(r rune) bool {
	return unicode.IsLetter(r) || r == '_' || r == '?'
}

// argument parses one command argument: a primary or a comma list of them.
func (p *parser) argument() (Node, error) { return p.commaList(p.argPrimary) }

// commaList parses elem, or a comma list of elems as an array (PowerShell's
// comma operator), the same way in arguments and in expressions.
func (p *parser) commaList(elem func() (Node, error)) (Node, error) {
	start := p.pos
	first, err := elem()
	if err != nil {
		return nil, err
	}
	elems := []Node{first}
	for {
		save := p.pos
		if err := p.skipSpace(); err != nil {
			return nil, err
		}
		if p.peek(0) != ',' {
			p.pos = save
			break
		}
		p.pos++
		if err := p.skipSpaceNL(); err != nil {
			return nil, err
		}
		if p.atStatementEnd() || p.peek(0) == '|' || p.peek(0) == ',' {
			return nil, p.errAt(p.pos-1, p.pos, "MissingExpressionAfterToken", "Missing expression after ','.")
		}
		e, err := elem()
		if err != nil {
			return nil, err
		}
		elems = append(elems, e)
	}
	if len(elems) == 1 {
		return first, nil
	}
	return &ArrayLit{span: span{start, p.pos}, Elems: elems}, nil
}

func (p *parser) argPrimary() (Node, error) {
	r := p.peek(0)
	if r == '$' || r == '@' || r == '(' || r == '{' || isSingleQuote(r) || isDoubleQuote(r) {
		return p.postfix()
	}
	start := p.pos
	word := p.bareword()
	if word == "" {
		return nil, p.unexpected()
	}
	if n, ok := parseNumber(word); ok {
		return &NumberLit{span: span{start, p.pos}, Value: n}, nil
	}
	return &StringLit{span: span{start, p.pos}, Value: word, Bare: true}, nil
}

func parseNumber(s string) (any, bool) {
	if s == "" {
		return nil, false
	}
	neg := false
	body := s
	if isDash([]rune(s)[0]) {
		neg = true
		body = string([]rune(s)[1:])
	}
	if body == "" || !(body[0] >= '0' && body[0] <= '9' || body[0] == '.') {
		return nil, false
	}
	if strings.HasPrefix(strings.ToLower(body), "0x") {
		v, err := strconv.ParseInt(body[2:], 16, 64)
		if err != nil {
			return nil, false
		}
		if neg {
			v = -v
		}
		return v, true
	}
	if v, err := strconv.ParseInt(body, 10, 64); err == nil {
		if neg {
			v = -v
		}
		return v, true
	}
	if v, err := strconv.ParseFloat(body, 64); err == nil && !strings.ContainsAny(body, "xXpP_") {
		if neg {
			v = -v
		}
		return v, true
	}
	return nil, false
}

// Expression grammar, lowest precedence first:
// logical (-and -or) < comparison < additive (+ -) < comma < unary < postfix.
func (p *parser) expression() (Node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	return p.logical()
}

// splitComparison splits a comparison operator's name ("eq", "ieq", "cnotlike")
// into its base operator and whether it is the case-sensitive c- form; ok
// is false for a name that is no comparison operator. A function, not a
// table filled at start-up: the parser keeps no package-level state.
func splitComparison(op string) (base string, caseSensitive, ok bool) {
	base = op
	if len(op) > 1 && (op[0] == 'c' || op[0] == 'i') && isBaseComparison(op[1:]) {
		return op[1:], op[0] == 'c', true
	}
	return base, false, isBaseComparison(op)
}

func isBaseComparison(op string) bool {
	switch op {
	case "eq", "ne", "gt", "ge", "lt", "le", "like", "notlike", "match", "notmatch", "contains", "notcontains", "in", "notin":
		return true
	}
	return false
}

// operator peeks a dash operator (-eq, -and) after white space; it returns
// the lower-case name and its extent without consuming it.
func (p *parser) operator() (string, int, int) {
	save := p.pos
	defer func() { p.pos = save }()
	if p.skipSpace() != nil {
		return "", 0, 0
	}
	if !isDash(p.peek(0)) || !unicode.IsLetter(p.peek(1)) {
		return "", 0, 0
	}
	start := p.pos
	p.pos++
	for !p.eof() && unicode.IsLetter(p.src[p.pos]) {
		p.pos++
	}
	return strings.ToLower(string(p.src[start+1 : p.pos])), start, p.pos
}

func (p *parser) logical() (Node, error) {
	left, err := p.comparison()
	if err != nil {
		return nil, err
	}
	for {
		op, _, end := p.operator()
		if op != "and" && op != "or" && op != "xor" {
			return left, nil
		}
		p.pos = end
		if err := p.skipSpaceNL(); err != nil {
			return nil, err
		}
		right, err := p.operand(op, p.comparison)
		if err != nil {
			return nil, err
		}
		s, _ := left.Extent()
		left = &BinaryExpr{span: span{s, p.pos}, Op: op, Left: left, Right: right}
	}
}

func (p *parser) operand(op string, next func() (Node, error)) (Node, error) {
	if p.atStatementEnd() || p.peek(0) == '|' {
		return nil, p.errAt(p.pos-1, p.pos, "ExpectedValueExpression", "You must provide a value expression following the '-%s' operator.", op)
	}
	return next()
}

func (p *parser) comparison() (Node, error) {
	left, err := p.additive()
	if err != nil {
		return nil, err
	}
	for {
		op, start, end := p.operator()
		if op == "" || op == "and" || op == "or" || op == "xor" {
			return left, nil
		}
		if _, _, ok := splitComparison(op); !ok {
			return nil, p.errAt(start, end, "UnexpectedToken", "Unexpected token '%s' in expression or statement.", string(p.src[start:end]))
		}
		p.pos = end
		if err := p.skipSpaceNL(); err != nil {
			return nil, err
		}
		right, err := p.operand(op, p.additive)
		if err != nil {
			return nil, err
		}
		s, _ := left.Extent()
		left = &BinaryExpr{span: span{s, p.pos}, Op: op, Left: left, Right: right}
	}
}

func (p *parser) additive() (Node, error) {
	left, err := p.comma()
	if err != nil {
		return nil, err
	}
	for {
		save := p.pos
		if err := p.skipSpace(); err != nil {
			return nil, err
		}
		r := p.peek(0)
		if r != '+' && !(isDash(r) && !unicode.IsLetter(p.peek(1))) {
			p.pos = save
			return left, nil
		}
		op := "+"
		if r != '+' {
			op = "-"
		}
		p.pos++
		if err := p.skipSpaceNL(); err != nil {
			return nil, err
		}
		right, err := p.operand(op, p.comma)
		if err != nil {
			return nil, err
		}
		s, _ := left.Extent()
		left = &BinaryExpr{span: span{s, p.pos}, Op: op, Left: left, Right: right}
	}
}

func (p *parser) comma() (Node, error) { return p.commaList(p.unary) }

func (p *parser) unary() (Node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	if err := p.skipSpace(); err != nil {
		return nil, err
	}
	start := p.pos
	r := p.peek(0)
	if r == '!' {
		p.pos++
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &UnaryExpr{span: span{start, p.pos}, Op: "not", X: x}, nil
	}
	if r == ',' {
		// unary comma: a one-element array
		p.pos++
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &ArrayLit{span: span{start, p.pos}, Elems: []Node{x}}, nil
	}
	if isDash(r) {
		if unicode.IsLetter(p.peek(1)) {
			op, _, end := p.operator()
			if op == "not" {
				p.pos = end
				if err := p.skipSpace(); err != nil {
					return nil, err
				}
				x, err := p.unary()
				if err != nil {
					return nil, err
				}
				return &UnaryExpr{span: span{start, p.pos}, Op: "not", X: x}, nil
			}
			return nil, p.errAt(start, end, "UnexpectedToken", "Unexpected token '%s' in expression or statement.", string(p.src[start:end]))
		}
		p.pos++
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		if n, ok := x.(*NumberLit); ok {
			switch v := n.Value.(type) {
			case int64:
				n.Value = -v
			case float64:
				n.Value = -v
			}
			n.start = start
			return n, nil
		}
		return &UnaryExpr{span: span{start, p.pos}, Op: "-", X: x}, nil
	}
	return p.postfix()
}

func (p *parser) postfix() (Node, error) {
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	start, _ := x.Extent()
	for !p.eof() {
		r := p.src[p.pos]
		switch {
		case r == '.' && (unicode.IsLetter(p.peek(1)) || p.peek(1) == '_'):
			p.pos++
			ns := p.pos
			for !p.eof() && (unicode.IsLetter(p.src[p.pos]) || unicode.IsDigit(p.src[p.pos]) || p.src[p.pos] == '_') {
				p.pos++
			}
			name := string(p.src[ns:p.pos])
			if p.peek(0) == '(' {
				return nil, p.errAt(ns, p.pos+1, "MethodCallNotSupported", "Method invocation '%s()' is not supported by this PowerShell subset.", name)
			}
			x = &MemberExpr{span: span{start, p.pos}, X: x, Name: name}
		case r == '.' && (isSingleQuote(p.peek(1)) || isDoubleQuote(p.peek(1))):
			p.pos++
			s, err := p.primary()
			if err != nil {
				return nil, err
			}
			lit, ok := s.(*StringLit)
			if !ok || lit.Parts != nil {
				return nil, p.errAt(start, p.pos, "UnexpectedToken", "Only literal member names are supported by this PowerShell subset.")
			}
			x = &MemberExpr{span: span{start, p.pos}, X: x, Name: lit.Value}
		case r == '[':
			p.pos++
			if err := p.skipSpaceNL(); err != nil {
				return nil, err
			}
			idx, err := p.expression()
			if err != nil {
				return nil, err
			}
			if err := p.skipSpaceNL(); err != nil {
				return nil, err
			}
			if p.peek(0) != ']' {
				return nil, p.errAt(p.pos, p.pos+1, "MissingEndSquareBracket", "Missing ']' after array index expression.")
			}
			p.pos++
			x = &IndexExpr{span: span{start, p.pos}, X: x, Index: idx}
		case r == ':' && p.peek(1) == ':':
			return nil, p.errAt(p.pos, p.pos+2, "UnexpectedToken", "Static member access '::' is not supported by this PowerShell subset.")
		default:
			return x, nil
		}
	}
	return x, nil
}

func (p *parser) primary() (Node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	start := p.pos
	r := p.peek(0)
	switch {
	case p.eof():
		return nil, p.errAt(start, start, "ExpectedExpression", "An expression was expected after '%s'.", string(p.prevRune()))
	case r == '$':
		if p.peek(1) == '(' {
			p.pos += 2
			stmts, err := p.statements(')')
			if err != nil {
				return nil, err
			}
			if p.peek(0) != ')' {
				return nil, p.errAt(start, p.pos, "MissingEndParenthesisInSubexpression", "Missing closing ')' in subexpression.")
			}
			p.pos++
			return &SubExpr{span: span{start, p.pos}, Stmts: stmts}, nil
		}
		name, ok := p.varName()
		if !ok {
			p.pos = start + 1
			return &StringLit{span: span{start, p.pos}, Value: "$"}, nil
		}
		return &VarRef{span: span{start, p.pos}, Name: name}, nil
	case isSingleQuote(r):
		return p.singleQuoted()
	case isDoubleQuote(r):
		return p.doubleQuoted()
	case r == '@' && p.peek(1) == '(':
		p.pos += 2
		stmts, err := p.statements(')')
		if err != nil {
			return nil, err
		}
		if p.peek(0) != ')' {
			return nil, p.errAt(start, p.pos, "MissingEndParenthesisInSubexpression", "Missing closing ')' in subexpression.")
		}
		p.pos++
		return &ArrayExpr{span: span{start, p.pos}, Stmts: stmts}, nil
	case r == '@' && p.peek(1) == '{':
		return p.hashLiteral()
	case r == '@' && (isDoubleQuote(p.peek(1)) || isSingleQuote(p.peek(1))):
		return nil, p.errAt(start, start+2, "HereStringNotSupported", "Here-strings are not supported by this PowerShell subset.")
	case r == '(':
		p.pos++
		if err := p.skipSpaceNL(); err != nil {
			return nil, err
		}
		if p.peek(0) == ')' {
			return nil, p.errAt(p.pos, p.pos+1, "ExpectedExpression", "An expression was expected after '('.")
		}
		inner, err := p.statementInParens()
		if err != nil {
			return nil, err
		}
		if err := p.skipSpaceNL(); err != nil {
			return nil, err
		}
		if p.peek(0) != ')' {
			if p.eof() {
				return nil, p.errAt(start, start+1, "MissingEndParenthesisInExpression", "Missing closing ')' in expression.")
			}
			return nil, p.unexpected()
		}
		p.pos++
		return &ParenExpr{span: span{start, p.pos}, Inner: inner}, nil
	case r == '{':
		p.pos++
		stmts, err := p.statements('}')
		if err != nil {
			return nil, err
		}
		if p.peek(0) != '}' {
			return nil, p.errAt(start, start+1, "MissingEndCurlyBrace", "Missing closing '}' in statement block or type definition.")
		}
		text := string(p.src[start+1 : p.pos])
		p.pos++
		return &ScriptBlockLit{span: span{start, p.pos}, Text: text, Stmts: stmts}, nil
	case r >= '0' && r <= '9' || r == '.' && p.peek(1) >= '0' && p.peek(1) <= '9':
		for !p.eof() && (unicode.IsLetter(p.src[p.pos]) || unicode.IsDigit(p.src[p.pos]) || p.src[p.pos] == '.') {
			if p.src[p.pos] == '.' && !unicode.IsDigit(p.peek(1)) {
				break
			}
			p.pos++
		}
		word := string(p.src[start:p.pos])
		n, ok := parseNumber(word)
		if !ok {
			return nil, p.errAt(start, p.pos, "BadNumericConstant", "The numeric constant %s is not valid.", word)
		}
		return &NumberLit{span: span{start, p.pos}, Value: n}, nil
	case r == '[':
		end := p.pos
		for end < len(p.src) && p.src[end] != ']' && !isNewline(p.src[end]) {
			end++
		}
		return nil, p.errAt(start, end+1, "TypeLiteralNotSupported", "Type literals such as '%s' are not supported by this PowerShell subset.", string(p.src[start:min(end+1, len(p.src))]))
	}
	return nil, p.unexpected()
}

// statementInParens parses what ( ... ) may hold: an assignment or pipeline.
func (p *parser) statementInParens() (Node, error) {
	return p.statement()
}

func (p *parser) prevRune() rune {
	if p.pos > 0 && p.pos <= len(p.src) {
		return p.src[p.pos-1]
	}
	return ' '
}

var scopes = map[string]bool{"global": true, "script": true, "local": true, "private": true, "env": true, "variable": true, "using": true}

// varName reads $name, ${name}, $_ or $? at pos (which holds '$').
func (p *parser) varName() (string, bool) {
	start := p.pos
	p.pos++
	if p.peek(0) == '{' {
		end := p.pos + 1
		for end < len(p.src) && p.src[end] != '}' {
			end++
		}
		if end >= len(p.src) {
			p.pos = start
			return "", false
		}
		name := string(p.src[p.pos+1 : end])
		p.pos = end + 1
		return name, true
	}
	if r := p.peek(0); r == '?' || r == '$' || r == '^' {
		p.pos++
		return string(r), true
	}
	ns := p.pos
	for !p.eof() && (unicode.IsLetter(p.src[p.pos]) || unicode.IsDigit(p.src[p.pos]) || p.src[p.pos] == '_') {
		p.pos++
	}
	if p.pos == ns {
		p.pos = start
		return "", false
	}
	name := string(p.src[ns:p.pos])
	if p.peek(0) == ':' && scopes[strings.ToLower(name)] && (unicode.IsLetter(p.peek(1)) || p.peek(1) == '_') {
		p.pos++
		ns2 := p.pos
		for !p.eof() && (unicode.IsLetter(p.src[p.pos]) || unicode.IsDigit(p.src[p.pos]) || p.src[p.pos] == '_') {
			p.pos++
		}
		name = name + ":" + string(p.src[ns2:p.pos])
	}
	return name, true
}

func (p *parser) singleQuoted() (Node, error) {
	start := p.pos
	p.pos++
	var b strings.Builder
	for {
		if p.eof() {
			return nil, p.errAt(start, len(p.src), "TerminatorExpectedAtEndOfString", "The string is missing the terminator: '.")
		}
		r := p.src[p.pos]
		if isSingleQuote(r) {
			if isSingleQuote(p.peek(1)) {
				// PowerShell keeps the second quote character as written.
				b.WriteRune(p.peek(1))
				p.pos += 2
				continue
			}
			p.pos++
			return &StringLit{span: span{start, p.pos}, Value: b.String()}, nil
		}
		b.WriteRune(r)
		p.pos++
	}
}

var backtickEscapes = map[rune]rune{'0': 0, 'a': 7, 'b': 8, 'e': 27, 'f': 12, 'n': '\n', 'r': '\r', 't': '\t', 'v': 11}

func (p *parser) doubleQuoted() (Node, error) {
	start := p.pos
	p.pos++
	var parts []Node
	var b strings.Builder
	expandable := false
	flush := func(at int) {
		if b.Len() > 0 {
			parts = append(parts, &StringLit{span: span{at, p.pos}, Value: b.String()})
			b.Reset()
		}
	}
	litStart := p.pos
	for {
		if p.eof() {
			return nil, p.errAt(start, len(p.src), "TerminatorExpectedAtEndOfString", "The string is missing the terminator: \".")
		}
		r := p.src[p.pos]
		switch {
		case r == '`':
			if p.pos+1 >= len(p.src) {
				p.pos++
				continue
			}
			c := p.src[p.pos+1]
			if e, ok := backtickEscapes[c]; ok {
				b.WriteRune(e)
			} else {
				b.WriteRune(c)
			}
			p.pos += 2
		case isDoubleQuote(r):
			if isDoubleQuote(p.peek(1)) {
				b.WriteRune(p.peek(1))
				p.pos += 2
				continue
			}
			flush(litStart)
			p.pos++
			lit := &StringLit{span: span{start, p.pos}}
			if !expandable {
				for _, part := range parts {
					lit.Value += part.(*StringLit).Value
				}
				return lit, nil
			}
			lit.Parts = parts
			return lit, nil
		case r == '$' && p.peek(1) == '(':
			flush(litStart)
			es := p.pos
			p.pos += 2
			stmts, err := p.statements(')')
			if err != nil {
				return nil, err
			}
			if p.peek(0) != ')' {
				return nil, p.errAt(es, p.pos, "MissingEndParenthesisInSubexpression", "Missing closing ')' in subexpression.")
			}
			p.pos++
			parts = append(parts, &SubExpr{span: span{es, p.pos}, Stmts: stmts})
			expandable = true
			litStart = p.pos
		case r == '$':
			es := p.pos
			name, ok := p.varName()
			if !ok {
				b.WriteRune('$')
				p.pos = es + 1
				continue
			}
			flush(litStart)
			parts = append(parts, &VarRef{span: span{es, p.pos}, Name: name})
			expandable = true
			litStart = p.pos
		default:
			b.WriteRune(r)
			p.pos++
		}
	}
}

func (p *parser) hashLiteral() (Node, error) {
	start := p.pos
	p.pos += 2
	h := &HashLit{}
	for {
		if err := p.skipSpaceNL(); err != nil {
			return nil, err
		}
		if p.eof() {
			return nil, p.errAt(start, start+2, "IncompleteHashLiteral", "The hash literal was incomplete.")
		}
		r := p.src[p.pos]
		if r == ';' {
			p.pos++
			continue
		}
		if r == '}' {
			p.pos++
			h.span = span{start, p.pos}
			return h, nil
		}
		var key string
		ks := p.pos
		switch {
		case isSingleQuote(r) || isDoubleQuote(r):
			n, err := p.primary()
			if err != nil {
				return nil, err
			}
			lit := n.(*StringLit)
			if lit.Parts != nil {
				return nil, p.errAt(ks, p.pos, "UnsupportedHashKey", "Expandable hash keys are not supported by this PowerShell subset.")
			}
			key = lit.Value
		default:
			for !p.eof() {
				c := p.src[p.pos]
				if unicode.IsSpace(c) || strings.ContainsRune("=;}{()|,", c) || isSingleQuote(c) || isDoubleQuote(c) {
					break
				}
				p.pos++
			}
			key = string(p.src[ks:p.pos])
			if key == "" {
				return nil, p.errAt(p.pos, p.pos+1, "MissingEqualsInHashLiteral", "Missing '=' operator after key in hash literal.")
			}
		}
		if err := p.skipSpace(); err != nil {
			return nil, err
		}
		if p.peek(0) != '=' {
			return nil, p.errAt(p.pos, p.pos+1, "MissingEqualsInHashLiteral", "Missing '=' operator after key in hash literal.")
		}
		p.pos++
		if err := p.skipSpaceNL(); err != nil {
			return nil, err
		}
		if p.eof() || p.peek(0) == '}' || p.peek(0) == ';' {
			return nil, p.errAt(p.pos, p.pos+1, "MissingStatementAfterAssignmentInHashLiteral", "Missing statement after '=' in hash literal.")
		}
		val, err := p.statement()
		if err != nil {
			return nil, err
		}
		h.Entries = append(h.Entries, HashEntry{Key: key, Value: val})
		if err := p.skipSpace(); err != nil {
			return nil, err
		}
		if p.eof() {
			return nil, p.errAt(start, start+2, "IncompleteHashLiteral", "The hash literal was incomplete.")
		}
		if c := p.src[p.pos]; !(c == ';' || c == '}' || isNewline(c)) {
			return nil, p.errAt(p.pos, p.pos+1, "MissingEndCurlyBrace", "Missing closing '}' in statement block or type definition.")
		}
	}
}

// block parses `{ statements }` after optional white space and line
// breaks; missing is the error (id, message) when no '{' follows.
func (p *parser) block(id, missing string) ([]Node, error) {
	if err := p.skipSpaceNL(); err != nil {
		return nil, err
	}
	if p.peek(0) != '{' {
		return nil, p.errAt(p.pos, p.pos, id, "%s", missing)
	}
	open := p.pos
	p.pos++
	stmts, err := p.statements('}')
	if err != nil {
		return nil, err
	}
	if p.peek(0) != '}' {
		return nil, p.errAt(open, open+1, "MissingEndCurlyBrace", "Missing closing '}' in statement block or type definition.")
	}
	p.pos++
	return stmts, nil
}

// condition parses `( pipeline )` after keyword.
func (p *parser) condition(keyword string) (Node, error) {
	if err := p.skipSpace(); err != nil {
		return nil, err
	}
	if p.peek(0) != '(' {
		return nil, p.errAt(p.pos, p.pos, "MissingOpenParenthesisInIfStatement", "Missing '(' after '%s' in if statement.", keyword)
	}
	open := p.pos
	p.pos++
	if err := p.skipSpaceNL(); err != nil {
		return nil, err
	}
	if p.peek(0) == ')' {
		return nil, p.errAt(p.pos, p.pos+1, "IfStatementMissingCondition", "Missing condition in if statement after '%s ('.", keyword)
	}
	cond, err := p.statement()
	if err != nil {
		return nil, err
	}
	if err := p.skipSpaceNL(); err != nil {
		return nil, err
	}
	if p.peek(0) != ')' {
		return nil, p.errAt(open, p.pos, "MissingEndParenthesisAfterStatement", "Missing closing ')' after expression in '%s' statement.", keyword)
	}
	p.pos++
	return cond, nil
}

// nextKeyword reports whether, after white space and line breaks, one of
// the words follows; it consumes it when it does.
func (p *parser) nextKeyword(words ...string) string {
	save := p.pos
	if err := p.skipSpaceNL(); err != nil {
		p.pos = save
		return ""
	}
	w := strings.ToLower(p.bareword())
	for _, k := range words {
		if w == k {
			return k
		}
	}
	p.pos = save
	return ""
}

func (p *parser) ifStatement(start int) (Node, error) {
	st := &IfStmt{}
	keyword := "if"
	for {
		cond, err := p.condition(keyword)
		if err != nil {
			return nil, err
		}
		body, err := p.block("MissingStatementBlock", fmt.Sprintf("Missing statement block after %s ( condition ).", keyword))
		if err != nil {
			return nil, err
		}
		st.Clauses = append(st.Clauses, IfClause{Cond: cond, Body: body})
		switch p.nextKeyword("elseif", "else") {
		case "elseif":
			keyword = "elseif"
			continue
		case "else":
			body, err := p.block("MissingStatementBlockAfterElse", "Missing statement block after 'else' keyword.")
			if err != nil {
				return nil, err
			}
			st.Else, st.HasElse = body, true
		}
		st.span = span{start, p.pos}
		return st, nil
	}
}

func (p *parser) foreachStatement(start int) (Node, error) {
	if err := p.skipSpace(); err != nil {
		return nil, err
	}
	if p.peek(0) != '(' {
		return nil, p.errAt(p.pos, p.pos, "MissingOpenParenthesisAfterKeyword", "Missing opening '(' after keyword 'foreach'.")
	}
	p.pos++
	if err := p.skipSpaceNL(); err != nil {
		return nil, err
	}
	vs := p.pos
	if p.peek(0) != '$' {
		return nil, p.errAt(vs, vs, "MissingVariableNameAfterForeach", "Missing variable name after foreach.")
	}
	name, ok := p.varName()
	if !ok {
		return nil, p.errAt(vs, vs+1, "MissingVariableNameAfterForeach", "Missing variable name after foreach.")
	}
	if p.nextKeyword("in") == "" {
		return nil, p.errAt(p.pos, p.pos, "MissingInInForeach", "Missing 'in' after variable in foreach loop.")
	}
	if err := p.skipSpaceNL(); err != nil {
		return nil, err
	}
	if p.peek(0) == ')' {
		return nil, p.errAt(p.pos, p.pos+1, "MissingForeachExpression", "Missing foreach loop expression after 'in'.")
	}
	coll, err := p.pipeline()
	if err != nil {
		return nil, err
	}
	if err := p.skipSpaceNL(); err != nil {
		return nil, err
	}
	if p.peek(0) != ')' {
		return nil, p.errAt(p.pos, p.pos, "MissingEndParenthesisAfterForeach", "Missing closing ')' after expression in 'foreach' statement.")
	}
	p.pos++
	body, err := p.block("MissingForeachStatement", "Missing statement body in foreach loop.")
	if err != nil {
		return nil, err
	}
	return &ForeachStmt{span: span{start, p.pos}, Var: name, Coll: coll, Body: body}, nil
}

func (p *parser) tryStatement(start int) (Node, error) {
	body, err := p.block("MissingTryStatementBlock", "Missing statement block after 'try' keyword.")
	if err != nil {
		return nil, err
	}
	st := &TryStmt{Body: body}
	for p.nextKeyword("catch") != "" {
		var types []string
		for {
			if err := p.skipSpace(); err != nil {
				return nil, err
			}
			if p.peek(0) != '[' {
				break
			}
			ts := p.pos
			end := p.pos
			for end < len(p.src) && p.src[end] != ']' && !isNewline(p.src[end]) {
				end++
			}
			if end >= len(p.src) || p.src[end] != ']' {
				return nil, p.errAt(ts, end, "EndSquareBracketExpectedAtEndOfType", "Missing ] at end of type token.")
			}
			types = append(types, strings.TrimSpace(string(p.src[ts+1:end])))
			p.pos = end + 1
			if err := p.skipSpace(); err != nil {
				return nil, err
			}
			if p.peek(0) != ',' {
				break
			}
			p.pos++
			if err := p.skipSpaceNL(); err != nil {
				return nil, err
			}
		}
		cb, err := p.block("MissingCatchHandlerBlock", "Missing statement block in catch block.")
		if err != nil {
			return nil, err
		}
		st.Catches = append(st.Catches, CatchClause{Types: types, Body: cb})
	}
	if p.nextKeyword("finally") != "" {
		fb, err := p.block("MissingFinallyStatementBlock", "Missing statement block after 'finally' keyword.")
		if err != nil {
			return nil, err
		}
		st.Finally, st.HasFinally = fb, true
	}
	if len(st.Catches) == 0 && !st.HasFinally {
		return nil, p.errAt(start, p.pos, "MissingCatchOrFinally", "The Try statement is missing its Catch or Finally block.")
	}
	st.span = span{start, p.pos}
	return st, nil
}

// assignedValue is the right of '=': a pipeline, or an if, foreach or try
// statement whose output is the value.
func (p *parser) assignedValue() (Node, error) {
	start := p.pos
	if isCommandStart(p.peek(0)) {
		switch strings.ToLower(p.bareword()) {
		case "if":
			return p.ifStatement(start)
		case "foreach":
			return p.foreachStatement(start)
		case "try":
			return p.tryStatement(start)
		}
		p.pos = start
	}
	return p.pipeline()
}
