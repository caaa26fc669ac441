package tsql

const (
	errNamedParams      = 119
	errUnknownSetOption = 195
)

// parseStatement reads one statement. first is true for the first statement
// of the batch, where a bare procedure name is an implicit EXEC.
func (p *parser) parseStatement(first bool) Stmt {
	p.enter()
	defer p.leave()
	t := p.tok()
	if t.Kind == TokOp && t.Raw == "(" && p.startsQuery() {
		return p.parseSelect()
	}
	if t.Kind == TokQuoted || (t.Kind == TokIdent && !t.Keyword) {
		if p.peek(1).isOp(":") {
			p.unsupported(t.Pos.Line, "labels and GOTO")
		}
		switch t.Upper {
		case "THROW":
			if t.Kind == TokIdent {
				return p.parseThrow()
			}
		case "MOVE", "SEND", "RECEIVE", "GET":
			if t.Kind == TokIdent && !first {
				p.unsupported(t.Pos.Line, t.Upper)
			}
		}
		if first {
			return p.parseExecBody(t.Pos, true)
		}
		p.fail()
	}
	if t.Kind != TokIdent {
		p.fail()
	}
	switch t.Upper {
	case "SELECT":
		return p.parseSelect()
	case "WITH":
		if n := p.peek(1); n.isName() && (p.peek(2).isWord("AS") || p.peek(2).isOp("(")) {
			return p.parseWithCTE()
		}
	case "INSERT":
		return p.parseInsert()
	case "UPDATE":
		return p.parseUpdate()
	case "DELETE":
		return p.parseDelete()
	case "TRUNCATE":
		p.next()
		p.expectWord("TABLE")
		return &TruncateStmt{Pos: t.Pos, Table: p.parseObjectName()}
	case "USE":
		p.next()
		return &UseStmt{Pos: t.Pos, DB: p.parseIdent()}
	case "DECLARE":
		return p.parseDeclare()
	case "SET":
		return p.parseSet()
	case "IF":
		return p.parseIf()
	case "BEGIN":
		return p.parseBegin()
	case "WHILE":
		p.next()
		w := &WhileStmt{Pos: t.Pos, Cond: p.parseCond()}
		w.Body = p.parseSubStatement()
		return w
	case "BREAK":
		p.next()
		return &BreakStmt{Pos: t.Pos}
	case "CONTINUE":
		p.next()
		return &ContinueStmt{Pos: t.Pos}
	case "RETURN":
		p.next()
		r := &ReturnStmt{Pos: t.Pos}
		if p.canStartExpr() {
			r.Value = p.parseScalar()
		}
		return r
	case "PRINT":
		p.next()
		return &PrintStmt{Pos: t.Pos, Value: p.parseScalar()}
	case "RAISERROR":
		return p.parseRaiserror()
	case "WAITFOR":
		p.next()
		w := &WaitforStmt{Pos: t.Pos}
		switch {
		case p.acceptWord("DELAY"):
			w.Delay = true
		case p.acceptWord("TIME"):
		default:
			if p.isOp("(") {
				p.unsupported(t.Pos.Line, "WAITFOR (RECEIVE)")
			}
			p.fail()
		}
		w.Value = p.parseScalar()
		return w
	case "EXEC", "EXECUTE":
		return p.parseExec()
	case "COMMIT", "ROLLBACK":
		return p.parseCommitRollback()
	case "SAVE":
		p.next()
		if !p.acceptWord("TRAN") {
			p.expectWord("TRANSACTION")
		}
		return &SaveTranStmt{Pos: t.Pos, Name: p.parseTranName(true)}
	case "KILL":
		p.next()
		k := &KillStmt{Pos: t.Pos}
		switch p.tok().Kind {
		case TokInt:
			k.Target = p.parsePrimary(false)
		case TokString, TokNString:
			k.Target = p.parsePrimary(false)
		default:
			if p.isWord("QUERY") || p.isWord("STATS") {
				p.unsupported(t.Pos.Line, "KILL "+p.tok().Upper)
			}
			p.fail()
		}
		if p.isWord("WITH") {
			p.next()
			p.expectWord("STATUSONLY")
			k.StatusOnly = true
		}
		return k
	case "CREATE":
		return p.parseCreate()
	case "DROP":
		return p.parseDrop()
	case "ALTER":
		return p.parseAlter()
	case "BACKUP":
		return p.parseBackup()
	case "RESTORE":
		return p.parseRestore()
	case "GRANT":
		return p.parseGrant()
	case "RECONFIGURE":
		p.next()
		r := &ReconfigureStmt{Pos: t.Pos}
		if p.acceptWord("WITH") {
			p.expectWord("OVERRIDE")
			r.Override = true
		}
		return r
	case "MERGE", "DENY", "REVOKE", "DBCC", "CHECKPOINT", "SHUTDOWN", "OPEN", "CLOSE",
		"FETCH", "DEALLOCATE", "GOTO", "BULK", "READTEXT", "WRITETEXT", "UPDATETEXT", "SETUSER", "REVERT",
		"DUMP", "LOAD":
		p.unsupported(t.Pos.Line, t.Upper)
	}
	p.fail()
	return nil
}

// parseSubStatement reads the statement controlled by IF, ELSE or WHILE.
func (p *parser) parseSubStatement() Stmt {
	if p.tok().Kind == TokEOF {
		p.fail()
	}
	return p.parseStatement(false)
}

// canStartExpr reports whether the current token can begin a scalar
// expression (used where the expression is optional: RETURN, THROW).
func (p *parser) canStartExpr() bool {
	t := p.tok()
	switch t.Kind {
	case TokInt, TokDecimal, TokFloat, TokString, TokNString, TokBinary, TokMoney, TokVar, TokGlobalVar, TokQuoted:
		return true
	case TokOp:
		return t.Raw == "(" || t.Raw == "-" || t.Raw == "+" || t.Raw == "~"
	case TokIdent:
		if !t.Keyword {
			return true
		}
		switch t.Upper {
		case "NULL", "CASE", "CONVERT", "TRY_CONVERT", "COALESCE", "NULLIF", "LEFT", "RIGHT":
			return true
		}
		return niladic[t.Upper]
	}
	return false
}

func (p *parser) parseIf() Stmt {
	t := p.next()
	s := &IfStmt{Pos: t.Pos, Cond: p.parseCond()}
	s.Then = p.parseSubStatement()
	if p.acceptWord("ELSE") {
		s.Else = p.parseSubStatement()
	}
	return s
}

// parseBegin reads BEGIN TRAN, BEGIN TRY/CATCH or a BEGIN ... END block.
func (p *parser) parseBegin() Stmt {
	t := p.next()
	switch {
	case p.isWord("TRAN") || p.isWord("TRANSACTION"):
		p.next()
		s := &BeginTranStmt{Pos: t.Pos, Name: p.parseTranName(false)}
		if p.isWord("WITH") && p.peek(1).isWord("MARK") {
			p.unsupported(t.Pos.Line, "BEGIN TRAN WITH MARK")
		}
		return s
	case p.isWord("DISTRIBUTED"):
		p.unsupported(t.Pos.Line, "BEGIN DISTRIBUTED TRANSACTION")
	case p.isWord("CONVERSATION") || p.isWord("DIALOG"):
		p.unsupported(t.Pos.Line, "Service Broker")
	case p.isWord("TRY"):
		p.next()
		s := &TryCatchStmt{Pos: t.Pos}
		s.Try = p.parseStmtsUntilEnd()
		p.expectWord("END")
		p.expectWord("TRY")
		p.expectWord("BEGIN")
		p.expectWord("CATCH")
		for p.acceptOp(";") {
		}
		if !p.isWord("END") {
			s.Catch = p.parseStmtsUntilEnd()
		}
		p.expectWord("END")
		p.expectWord("CATCH")
		return s
	}
	b := &BlockStmt{Pos: t.Pos, Body: p.parseStmtsUntilEnd()}
	p.expectWord("END")
	return b
}

// parseStmtsUntilEnd reads at least one statement up to (not including) END.
func (p *parser) parseStmtsUntilEnd() []Stmt {
	var list []Stmt
	for {
		for p.acceptOp(";") {
		}
		if p.isWord("END") || p.tok().Kind == TokEOF {
			if len(list) == 0 {
				p.fail()
			}
			return list
		}
		list = append(list, p.parseStatement(false))
	}
}

// parseTranName reads an optional (or required) transaction name.
func (p *parser) parseTranName(required bool) string {
	t := p.tok()
	if t.Kind == TokVar || t.isName() {
		p.next()
		if t.Kind == TokVar {
			return t.Raw
		}
		return t.Value
	}
	if required {
		p.fail()
	}
	return ""
}

func (p *parser) parseCommitRollback() Stmt {
	t := p.next()
	name, work := "", false
	switch {
	case p.isWord("TRAN") || p.isWord("TRANSACTION"):
		p.next()
		name = p.parseTranName(false)
	case p.isWord("WORK"):
		p.next()
		work = true
	}
	if t.Upper == "COMMIT" {
		if p.isWord("WITH") && p.peek(1).isOp("(") {
			p.unsupported(t.Pos.Line, "COMMIT WITH (DELAYED_DURABILITY)")
		}
		return &CommitStmt{Pos: t.Pos, Name: name, Work: work}
	}
	return &RollbackStmt{Pos: t.Pos, Name: name, Work: work}
}

func (p *parser) parseThrow() Stmt {
	t := p.next()
	s := &ThrowStmt{Pos: t.Pos}
	if !p.canStartExpr() {
		return s
	}
	s.Number = p.parseScalar()
	p.expectOp(",")
	s.Message = p.parseScalar()
	p.expectOp(",")
	s.State = p.parseScalar()
	return s
}

func (p *parser) parseRaiserror() Stmt {
	t := p.next()
	s := &RaiserrorStmt{Pos: t.Pos}
	p.expectOp("(")
	s.Msg = p.parseScalar()
	p.expectOp(",")
	s.Severity = p.parseScalar()
	p.expectOp(",")
	s.State = p.parseScalar()
	for p.acceptOp(",") {
		s.Args = append(s.Args, p.parseScalar())
	}
	p.expectOp(")")
	if p.acceptWord("WITH") {
		for {
			o := p.tok()
			if !o.isWord("NOWAIT") && !o.isWord("LOG") && !o.isWord("SETERROR") {
				p.fail()
			}
			p.next()
			s.Options = append(s.Options, o.Upper)
			if !p.acceptOp(",") {
				break
			}
		}
	}
	return s
}

// ---------------------------------------------------------------------------
// DECLARE and SET

func (p *parser) parseDeclare() Stmt {
	t := p.next()
	d := &DeclareStmt{Pos: t.Pos}
	for {
		v := p.tok()
		if v.Kind != TokVar {
			if v.isName() && p.peek(1).isWord("CURSOR") {
				p.unsupported(v.Pos.Line, "cursors")
			}
			p.fail()
		}
		p.next()
		p.acceptWord("AS")
		switch {
		case p.isWord("TABLE"):
			// A table variable is declared on its own.
			d.Vars = append(d.Vars, p.parseTableVarDecl(v))
			return d
		case p.isWord("CURSOR"):
			p.unsupported(v.Pos.Line, "cursors")
		}
		vd := &VarDecl{Pos: v.Pos, Name: v.Raw, Typ: p.parseType()}
		if p.acceptOp("=") {
			vd.Init = p.parseScalar()
		}
		d.Vars = append(d.Vars, vd)
		if !p.acceptOp(",") {
			return d
		}
	}
}

// onOffSetOptions are the SET options that take ON or OFF.
var onOffSetOptions = map[string]bool{
	"ANSI_DEFAULTS": true, "ANSI_NULL_DFLT_OFF": true, "ANSI_NULL_DFLT_ON": true, "ANSI_NULLS": true,
	"ANSI_PADDING": true, "ANSI_WARNINGS": true, "ARITHABORT": true, "ARITHIGNORE": true,
	"CONCAT_NULL_YIELDS_NULL": true, "CURSOR_CLOSE_ON_COMMIT": true, "FMTONLY": true, "FORCEPLAN": true,
	"IMPLICIT_TRANSACTIONS": true, "NOCOUNT": true, "NOEXEC": true, "NUMERIC_ROUNDABORT": true,
	"PARSEONLY": true, "QUOTED_IDENTIFIER": true, "REMOTE_PROC_TRANSACTIONS": true, "SHOWPLAN_ALL": true,
	"SHOWPLAN_TEXT": true, "SHOWPLAN_XML": true, "XACT_ABORT": true, "NO_BROWSETABLE": true,
}

// numericSetOptions take a number (or variable).
var numericSetOptions = map[string]bool{
	"TEXTSIZE": true, "DATEFIRST": true, "LOCK_TIMEOUT": true, "ROWCOUNT": true, "QUERY_GOVERNOR_COST_LIMIT": true,
}

func (p *parser) parseSet() Stmt {
	t := p.next()
	v := p.tok()
	if v.Kind == TokVar {
		p.next()
		op := p.tok()
		if !p.isAssignOp(op) {
			p.fail()
		}
		p.next()
		return &SetVarStmt{Pos: t.Pos, Var: v.Raw, Op: op.Raw, Value: p.parseScalar()}
	}
	if v.Kind != TokIdent {
		p.fail()
	}
	s := &SetOptionStmt{Pos: t.Pos}
	name := v.Upper
	switch {
	case onOffSetOptions[name]:
		for {
			o := p.tok()
			if o.Kind != TokIdent || !onOffSetOptions[o.Upper] {
				p.failf(errUnknownSetOption, "'%s' is not a recognized SET option.", o.Raw)
			}
			p.next()
			s.Names = append(s.Names, o.Upper)
			if !p.acceptOp(",") {
				break
			}
		}
		s.Value = p.parseOnOff()
	case name == "STATISTICS":
		p.next()
		for {
			o := p.tok()
			if !o.isWord("IO") && !o.isWord("TIME") && !o.isWord("PROFILE") && !o.isWord("XML") {
				p.fail()
			}
			p.next()
			s.Names = append(s.Names, "STATISTICS "+o.Upper)
			if !p.acceptOp(",") {
				break
			}
		}
		s.Value = p.parseOnOff()
	case name == "TRANSACTION":
		p.next()
		p.expectWord("ISOLATION")
		p.expectWord("LEVEL")
		s.Names = []string{"TRANSACTION ISOLATION LEVEL"}
		switch {
		case p.acceptWord("READ"):
			if p.acceptWord("UNCOMMITTED") {
				s.Value = "READ UNCOMMITTED"
			} else {
				p.expectWord("COMMITTED")
				s.Value = "READ COMMITTED"
			}
		case p.acceptWord("REPEATABLE"):
			p.expectWord("READ")
			s.Value = "REPEATABLE READ"
		case p.acceptWord("SNAPSHOT"):
			s.Value = "SNAPSHOT"
		case p.acceptWord("SERIALIZABLE"):
			s.Value = "SERIALIZABLE"
		default:
			p.fail()
		}
	case numericSetOptions[name]:
		p.next()
		s.Names = []string{name}
		s.Arg = p.parseSetNumber()
	case name == "LANGUAGE" || name == "DATEFORMAT":
		p.next()
		s.Names = []string{name}
		a := p.tok()
		switch {
		case a.Kind == TokString || a.Kind == TokNString || a.Kind == TokVar:
			s.Arg = p.parsePrimary(false)
		case a.isName() && name == "LANGUAGE":
			p.next()
			s.Arg = &StringLit{Pos: a.Pos, Raw: a.Raw, Value: a.Value, Unicode: true}
		case a.Kind == TokIdent && name == "DATEFORMAT":
			p.next()
			s.Value = a.Upper
		default:
			p.fail()
		}
	case name == "DEADLOCK_PRIORITY":
		p.next()
		s.Names = []string{name}
		if p.isWord("LOW") || p.isWord("NORMAL") || p.isWord("HIGH") {
			s.Value = p.next().Upper
		} else {
			s.Arg = p.parseSetNumber()
		}
	case name == "CONTEXT_INFO":
		p.next()
		s.Names = []string{name}
		a := p.tok()
		if a.Kind != TokBinary && a.Kind != TokVar {
			p.fail()
		}
		s.Arg = p.parsePrimary(false)
	case name == "IDENTITY_INSERT":
		p.next()
		s.Names = []string{name}
		n := p.parseObjectName()
		s.Object = &n
		s.Value = p.parseOnOff()
	default:
		p.failf(errUnknownSetOption, "'%s' is not a recognized SET option.", v.Raw)
	}
	return s
}

func (p *parser) parseOnOff() string {
	if p.isWord("ON") || p.isWord("OFF") {
		return p.next().Upper
	}
	p.fail()
	return ""
}

// parseSetNumber reads [-]number or a variable.
func (p *parser) parseSetNumber() Expr {
	t := p.tok()
	switch {
	case t.Kind == TokInt || t.Kind == TokVar:
		return p.parsePrimary(false)
	case t.isOp("-") && p.peek(1).Kind == TokInt:
		p.next()
		return &UnaryExpr{Pos: t.Pos, Op: UnaryMinus, X: p.parsePrimary(false)}
	}
	p.fail()
	return nil
}

// ---------------------------------------------------------------------------
// EXEC

func (p *parser) parseExec() Stmt {
	t := p.next()
	if p.isOp("(") {
		p.next()
		s := &ExecStringStmt{Pos: t.Pos, SQL: p.parseScalar()}
		p.expectOp(")")
		if p.isWord("AS") || p.isWord("AT") {
			p.unsupported(t.Pos.Line, "EXEC (...) "+p.tok().Upper)
		}
		return s
	}
	if p.isWord("AS") {
		p.unsupported(t.Pos.Line, "EXECUTE AS")
	}
	return p.parseExecBody(t.Pos, false)
}

// parseExecBody reads [@ret =] proc [args] [WITH RECOMPILE] after EXEC (or
// at the start of a batch for an implicit EXEC).
func (p *parser) parseExecBody(pos Pos, implicit bool) *ExecStmt {
	s := &ExecStmt{Pos: pos, Implicit: implicit}
	if p.tok().Kind == TokVar {
		v := p.next()
		if p.acceptOp("=") {
			s.ReturnVar = v.Raw
		} else {
			s.ProcVar = v.Raw
		}
	}
	if s.ProcVar == "" {
		if p.tok().Kind == TokVar {
			s.ProcVar = p.next().Raw
		} else {
			n := p.parseObjectName()
			s.Proc = &n
			if p.isOp(";") && p.peek(1).Kind == TokInt {
				p.unsupported(pos.Line, "numbered procedures")
			}
		}
	}
	named := false
	if p.canStartExecArg() {
		for {
			a := p.parseExecArg()
			if a.Name != "" {
				named = true
			} else if named {
				p.failf(errNamedParams, "Must pass parameter number %d and subsequent parameters as '@name = value'. After the form '@name = value' has been used, all subsequent parameters must be passed in the form '@name = value'.", len(s.Args)+1)
			}
			s.Args = append(s.Args, a)
			if !p.acceptOp(",") {
				break
			}
		}
	}
	if p.isWord("WITH") {
		p.next()
		if p.isWord("RESULT") {
			p.unsupported(pos.Line, "WITH RESULT SETS")
		}
		p.expectWord("RECOMPILE")
		s.Options = append(s.Options, "RECOMPILE")
	}
	return s
}

func (p *parser) canStartExecArg() bool {
	t := p.tok()
	switch t.Kind {
	case TokInt, TokDecimal, TokFloat, TokString, TokNString, TokBinary, TokMoney, TokVar, TokQuoted:
		return true
	case TokOp:
		return (t.Raw == "-" || t.Raw == "+") && isNumberTok(p.peek(1))
	case TokIdent:
		return !t.Keyword || t.Upper == "NULL" || t.Upper == "DEFAULT"
	}
	return false
}

func isNumberTok(t Token) bool {
	return t.Kind == TokInt || t.Kind == TokDecimal || t.Kind == TokFloat || t.Kind == TokMoney
}

func (p *parser) parseExecArg() *ExecArg {
	t := p.tok()
	a := &ExecArg{Pos: t.Pos}
	if t.Kind == TokVar && p.peek(1).isOp("=") {
		p.next()
		p.next()
		a.Name = t.Raw
	}
	a.Value = p.parseExecValue()
	if p.isWord("OUTPUT") || p.isWord("OUT") {
		p.next()
		a.Output = true
	}
	return a
}

// parseExecValue reads a procedure argument: a constant, a variable, DEFAULT
// or a bare identifier (which SQL Server passes as a string).
func (p *parser) parseExecValue() Expr {
	t := p.tok()
	switch t.Kind {
	case TokInt, TokDecimal, TokFloat, TokString, TokNString, TokBinary, TokMoney, TokVar:
		return p.parsePrimary(false)
	case TokOp:
		if (t.Raw == "-" || t.Raw == "+") && isNumberTok(p.peek(1)) {
			p.next()
			op := UnaryMinus
			if t.Raw == "+" {
				op = UnaryPlus
			}
			return &UnaryExpr{Pos: t.Pos, Op: op, X: p.parsePrimary(false)}
		}
	case TokQuoted:
		p.next()
		return &StringLit{Pos: t.Pos, Raw: t.Raw, Value: t.Value, Unicode: true}
	case TokIdent:
		switch {
		case t.Upper == "DEFAULT":
			p.next()
			return &DefaultExpr{Pos: t.Pos}
		case t.Upper == "NULL":
			p.next()
			return &NullLit{Pos: t.Pos}
		case !t.Keyword:
			p.next()
			return &StringLit{Pos: t.Pos, Raw: t.Raw, Value: t.Value, Unicode: true}
		}
	}
	p.fail()
	return nil
}

// ---------------------------------------------------------------------------
// DML

func (p *parser) parseDMLTarget() (ObjectName, string) {
	if p.tok().Kind == TokVar {
		return ObjectName{}, p.next().Raw
	}
	if p.isWord("OPENQUERY") || p.isWord("OPENROWSET") || p.isWord("OPENDATASOURCE") {
		p.unsupported(p.tok().Pos.Line, p.tok().Upper)
	}
	return p.parseObjectName(), ""
}

func (p *parser) rejectTableHints() {
	if p.isWord("WITH") && p.peek(1).isOp("(") {
		p.unsupported(p.tok().Pos.Line, "table hints on DML targets")
	}
}

func (p *parser) rejectOutput() {
	if p.isWord("OUTPUT") {
		p.unsupported(p.tok().Pos.Line, "OUTPUT clause")
	}
}

func (p *parser) rejectOption() {
	if p.isWord("OPTION") {
		p.unsupported(p.tok().Pos.Line, "query hints (OPTION)")
	}
}

func (p *parser) parseInsert() Stmt {
	t := p.next()
	s := &InsertStmt{Pos: t.Pos}
	if p.isWord("TOP") {
		s.Top = p.parseTop(false)
	}
	p.acceptWord("INTO")
	s.Table, s.TableVar = p.parseDMLTarget()
	p.rejectTableHints()
	if p.isOp("(") && !p.startsQuery() {
		p.next()
		s.Columns = p.parseIdentList()
		p.expectOp(")")
	}
	p.rejectOutput()
	switch {
	case p.isWord("VALUES"):
		p.next()
		s.Values = p.parseValuesRows()
	case p.isWord("SELECT") || p.startsQuery():
		s.Query = p.parseSelect()
	case p.isWord("EXEC") || p.isWord("EXECUTE"):
		e := p.parseExec()
		es, ok := e.(*ExecStmt)
		if !ok {
			p.unsupported(t.Pos.Line, "INSERT ... EXEC (string)")
		}
		s.Exec = es
	case p.isWord("DEFAULT"):
		p.next()
		p.expectWord("VALUES")
		s.DefaultValues = true
	case p.isWord("WITH"):
		p.unsupported(p.tok().Pos.Line, "common table expressions (WITH)")
	default:
		p.fail()
	}
	return s
}

func (p *parser) parseUpdate() Stmt {
	t := p.next()
	s := &UpdateStmt{Pos: t.Pos}
	if p.isWord("TOP") {
		s.Top = p.parseTop(false)
	}
	s.Target, s.TargetVar = p.parseDMLTarget()
	p.rejectTableHints()
	p.expectWord("SET")
	for {
		s.Sets = append(s.Sets, p.parseSetClause())
		if !p.acceptOp(",") {
			break
		}
	}
	p.rejectOutput()
	if p.acceptWord("FROM") {
		s.From = p.parseFromList()
	}
	if p.acceptWord("WHERE") {
		if p.isWord("CURRENT") && p.peek(1).isWord("OF") {
			p.unsupported(p.tok().Pos.Line, "cursors")
		}
		s.Where = p.parseCond()
	}
	p.rejectOption()
	return s
}

func (p *parser) parseSetClause() *SetClause {
	t := p.tok()
	c := &SetClause{Pos: t.Pos}
	if t.Kind == TokVar {
		p.next()
		op := p.tok()
		if !p.isAssignOp(op) {
			p.fail()
		}
		p.next()
		c.Var = t.Raw
		c.Op = op.Raw
		// @v = column = expr
		if op.Raw == "=" {
			if end := p.nameEnd(p.pos); end > 0 && p.isAssignOpAt(end) {
				n := p.parseObjectName()
				c.Column = &n
				c.Op = p.next().Raw
			}
		}
		c.Value = p.parseValueOrDefault()
		return c
	}
	n := p.parseObjectName()
	c.Column = &n
	if p.isOp(".") {
		p.unsupported(t.Pos.Line, "column methods (.WRITE)")
	}
	op := p.tok()
	if !p.isAssignOp(op) {
		p.fail()
	}
	p.next()
	c.Op = op.Raw
	c.Value = p.parseValueOrDefault()
	return c
}

func (p *parser) isAssignOpAt(i int) bool { return i < len(p.toks) && p.isAssignOp(p.toks[i]) }

func (p *parser) parseDelete() Stmt {
	t := p.next()
	s := &DeleteStmt{Pos: t.Pos}
	if p.isWord("TOP") {
		s.Top = p.parseTop(false)
	}
	p.acceptWord("FROM")
	s.Target, s.TargetVar = p.parseDMLTarget()
	p.rejectTableHints()
	p.rejectOutput()
	if p.acceptWord("FROM") {
		s.From = p.parseFromList()
	}
	if p.acceptWord("WHERE") {
		if p.isWord("CURRENT") && p.peek(1).isWord("OF") {
			p.unsupported(p.tok().Pos.Line, "cursors")
		}
		s.Where = p.parseCond()
	}
	p.rejectOption()
	return s
}

// ---------------------------------------------------------------------------
// GRANT

func (p *parser) parseGrant() Stmt {
	t := p.next()
	s := &GrantStmt{Pos: t.Pos}
	for {
		w := p.wordsUntil(func(t Token) bool { return t.isWord("ON") || t.isWord("TO") })
		if w == "" {
			p.fail()
		}
		s.Permissions = append(s.Permissions, w)
		if p.isOp("(") {
			p.unsupported(t.Pos.Line, "column permissions")
		}
		if !p.acceptOp(",") {
			break
		}
	}
	if p.acceptWord("ON") {
		if p.peek(1).isOp("::") {
			c := p.tok()
			if c.Kind != TokIdent {
				p.fail()
			}
			p.next()
			p.next()
			s.Class = c.Upper
		}
		n := p.parseObjectName()
		s.On = &n
	}
	p.expectWord("TO")
	for {
		s.To = append(s.To, p.parsePrincipal())
		if !p.acceptOp(",") {
			break
		}
	}
	if p.isWord("WITH") {
		p.next()
		p.expectWord("GRANT")
		p.expectWord("OPTION")
		s.WithGrant = true
	}
	if p.isWord("AS") {
		p.unsupported(t.Pos.Line, "GRANT ... AS")
	}
	return s
}

// parsePrincipal reads a login/user name; PUBLIC is reserved but a valid
// principal.
func (p *parser) parsePrincipal() Ident {
	if p.isWord("PUBLIC") {
		return identOf(p.next())
	}
	return p.parseIdent()
}
