package tsql

import (
	"fmt"
	"strings"
)

// ErrFirstInBatch is 111: CREATE PROCEDURE, CREATE VIEW (and their ALTER
// forms) must be the first statement of a batch, because everything after
// the CREATE is part of the definition (docs: "Batches", rules for using
// batches).
const ErrFirstInBatch = 111

// ProcParamDecl is one parameter of CREATE PROCEDURE:
// @name [AS] type [VARYING] [NULL] [= default] [OUT|OUTPUT] [READONLY].
type ProcParamDecl struct {
	Pos
	Name     string // with '@'
	Typ      *TypeName
	Default  Expr // nil when none
	Output   bool
	ReadOnly bool
}

// CreateProcStmt is CREATE [OR ALTER] PROCEDURE or ALTER PROCEDURE. Text is
// the whole batch: SQL Server keeps a module's definition as the batch that
// created it (sys.sql_modules.definition), and the engine re-parses it to
// run the procedure.
type CreateProcStmt struct {
	Pos
	Alter   bool // ALTER PROCEDURE
	OrAlter bool // CREATE OR ALTER PROCEDURE
	Name    ObjectName
	Params  []*ProcParamDecl
	Options []string // WITH RECOMPILE, EXECUTE AS CALLER
	Body    []Stmt
	Text    string
}

// CreateViewStmt is CREATE [OR ALTER] VIEW or ALTER VIEW.
type CreateViewStmt struct {
	Pos
	Alter       bool
	OrAlter     bool
	Name        ObjectName
	Columns     []Ident
	Query       *SelectStmt
	CheckOption bool
	Text        string
}

// DropModuleStmt is DROP PROCEDURE / DROP VIEW [IF EXISTS] name, ....
type DropModuleStmt struct {
	Pos
	Kind     string // "PROCEDURE" or "VIEW"
	IfExists bool
	Names    []ObjectName
}

func (*CreateProcStmt) stmtNode() {}
func (*CreateViewStmt) stmtNode() {}
func (*DropModuleStmt) stmtNode() {}

func (s *CreateProcStmt) String() string {
	var b strings.Builder
	b.WriteString(createVerb(s.Alter, s.OrAlter) + " PROCEDURE " + s.Name.String())
	for i, p := range s.Params {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(" " + p.Name + " " + p.Typ.String())
		if p.Default != nil {
			b.WriteString(" = " + p.Default.String())
		}
		if p.Output {
			b.WriteString(" OUTPUT")
		}
		if p.ReadOnly {
			b.WriteString(" READONLY")
		}
	}
	b.WriteString(" AS")
	for _, st := range s.Body {
		b.WriteString(" " + st.String() + ";")
	}
	return b.String()
}

func (s *CreateViewStmt) String() string {
	t := createVerb(s.Alter, s.OrAlter) + " VIEW " + s.Name.String()
	if len(s.Columns) > 0 {
		names := make([]string, len(s.Columns))
		for i, c := range s.Columns {
			names[i] = c.String()
		}
		t += " (" + strings.Join(names, ", ") + ")"
	}
	t += " AS " + s.Query.String()
	if s.CheckOption {
		t += " WITH CHECK OPTION"
	}
	return t
}

func (s *DropModuleStmt) String() string {
	t := "DROP " + s.Kind
	if s.IfExists {
		t += " IF EXISTS"
	}
	names := make([]string, len(s.Names))
	for i := range s.Names {
		names[i] = s.Names[i].String()
	}
	return t + " " + strings.Join(names, ", ")
}

func createVerb(alter, orAlter bool) string {
	switch {
	case alter:
		return "ALTER"
	case orAlter:
		return "CREATE OR ALTER"
	}
	return "CREATE"
}

// moduleStart reports whether the tokens at the current position begin
// CREATE [OR ALTER] / ALTER of a procedure or view, and which ("PROCEDURE"
// or "VIEW").
func (p *parser) moduleStart() (kind string, ok bool) {
	i := 1
	switch {
	case p.isWord("CREATE"):
		if p.peek(1).isWord("OR") && p.peek(2).isWord("ALTER") {
			i = 3
		}
	case p.isWord("ALTER"):
	default:
		return "", false
	}
	switch t := p.peek(i); {
	case t.isWord("PROC") || t.isWord("PROCEDURE"):
		return "PROCEDURE", true
	case t.isWord("VIEW"):
		return "VIEW", true
	}
	return "", false
}

// parseModule reads CREATE/ALTER PROCEDURE or VIEW at the start of a batch.
// Later in the batch it is error 111, as on SQL Server (the message names
// 'CREATE/ALTER PROCEDURE' for both procedure forms, 'CREATE VIEW' or
// 'ALTER VIEW' for views).
func (p *parser) parseModule(kind string, first bool) Stmt {
	t := p.tok()
	alter := t.isWord("ALTER")
	if !first {
		what := "CREATE/ALTER PROCEDURE"
		if kind == "VIEW" {
			what = "CREATE VIEW"
			if alter {
				what = "ALTER VIEW"
			}
		}
		p.bail(&SyntaxError{Number: ErrFirstInBatch, Line: t.Pos.Line, Near: t.Raw,
			Msg: fmt.Sprintf("'%s' must be the first statement in a query batch.", what)})
	}
	p.next()
	orAlter := false
	if !alter && p.isWord("OR") {
		p.next()
		p.expectWord("ALTER")
		orAlter = true
	}
	p.next() // PROC, PROCEDURE or VIEW
	if kind == "VIEW" {
		return p.parseViewRest(t.Pos, alter, orAlter)
	}
	return p.parseProcRest(t.Pos, alter, orAlter)
}

func (p *parser) parseProcRest(pos Pos, alter, orAlter bool) Stmt {
	s := &CreateProcStmt{Pos: pos, Alter: alter, OrAlter: orAlter, Name: p.parseObjectName(), Text: p.src}
	if len(s.Name.Parts) > 2 {
		p.bail(syntaxNear(s.Name.Pos.Line, ".", false))
	}
	if p.isOp(";") && p.peek(1).Kind == TokInt {
		p.unsupported(pos.Line, "numbered procedures")
	}
	paren := p.acceptOp("(")
	if p.tok().Kind == TokVar {
		for {
			s.Params = append(s.Params, p.parseProcParam())
			if !p.acceptOp(",") {
				break
			}
		}
	}
	if paren {
		p.expectOp(")")
	}
	if p.acceptWord("WITH") {
		for {
			switch {
			case p.acceptWord("RECOMPILE"):
				s.Options = append(s.Options, "RECOMPILE")
			case p.isWord("EXECUTE") || p.isWord("EXEC"):
				p.next()
				p.expectWord("AS")
				if !p.isWord("CALLER") {
					p.unsupported(pos.Line, "EXECUTE AS "+p.tok().Upper)
				}
				p.next()
				s.Options = append(s.Options, "EXECUTE AS CALLER")
			case p.tok().Kind == TokIdent:
				// ENCRYPTION, NATIVE_COMPILATION, SCHEMABINDING change what
				// the server stores or how it compiles: not modelled.
				p.unsupported(pos.Line, "CREATE PROCEDURE WITH "+p.tok().Upper)
			default:
				p.fail()
			}
			if !p.acceptOp(",") {
				break
			}
		}
	}
	if p.isWord("FOR") {
		p.unsupported(pos.Line, "CREATE PROCEDURE FOR REPLICATION")
	}
	p.expectWord("AS")
	if p.isWord("EXTERNAL") {
		p.unsupported(pos.Line, "CLR procedures (EXTERNAL NAME)")
	}
	for {
		for p.acceptOp(";") {
		}
		if p.tok().Kind == TokEOF {
			break
		}
		s.Body = append(s.Body, p.parseStatement(false))
	}
	if len(s.Body) == 0 {
		p.fail()
	}
	return s
}

func (p *parser) parseProcParam() *ProcParamDecl {
	v := p.next() // TokVar
	d := &ProcParamDecl{Pos: v.Pos, Name: v.Raw}
	p.acceptWord("AS")
	if p.isWord("TABLE") || p.isWord("CURSOR") {
		p.unsupported(v.Pos.Line, "procedure parameters of type "+p.tok().Upper)
	}
	d.Typ = p.parseType()
	p.acceptWord("VARYING")
	if p.isWord("NULL") || (p.isWord("NOT") && p.peek(1).isWord("NULL")) {
		p.unsupported(v.Pos.Line, "NULL / NOT NULL on procedure parameters (natively compiled procedures)")
	}
	if p.acceptOp("=") {
		if p.isWord("DEFAULT") {
			p.fail()
		}
		d.Default = p.parseExecValue()
	}
	for {
		switch {
		case p.isWord("OUT") || p.isWord("OUTPUT"):
			p.next()
			d.Output = true
			continue
		case p.isWord("READONLY"):
			p.next()
			d.ReadOnly = true
			continue
		}
		break
	}
	return d
}

func (p *parser) parseViewRest(pos Pos, alter, orAlter bool) Stmt {
	s := &CreateViewStmt{Pos: pos, Alter: alter, OrAlter: orAlter, Name: p.parseObjectName(), Text: p.src}
	if len(s.Name.Parts) > 2 {
		p.bail(syntaxNear(s.Name.Pos.Line, ".", false))
	}
	if p.acceptOp("(") {
		s.Columns = p.parseIdentList()
		p.expectOp(")")
	}
	if p.isWord("WITH") {
		// SCHEMABINDING would have to forbid dropping or altering what the
		// view references; ENCRYPTION hides the definition;
		// VIEW_METADATA changes browse-mode metadata: none is modelled.
		p.unsupported(pos.Line, "CREATE VIEW WITH "+p.peek(1).Upper)
	}
	p.expectWord("AS")
	if !p.isWord("SELECT") && !p.isWord("WITH") && !p.startsQuery() {
		p.fail()
	}
	if p.isWord("WITH") {
		q, ok := p.parseWithCTE().(*SelectStmt)
		if !ok {
			p.fail()
		}
		s.Query = q
	} else {
		s.Query = p.parseSelect()
	}
	if p.isWord("WITH") && p.peek(1).isWord("CHECK") {
		p.next()
		p.next()
		p.expectWord("OPTION")
		s.CheckOption = true
	}
	for p.acceptOp(";") {
	}
	if p.tok().Kind != TokEOF {
		p.fail()
	}
	return s
}

// parseDropModule reads DROP PROC[EDURE] | VIEW [IF EXISTS] name [, ...];
// the keyword is the current token.
func (p *parser) parseDropModule(pos Pos) Stmt {
	kind := "VIEW"
	if !p.isWord("VIEW") {
		kind = "PROCEDURE"
	}
	p.next()
	s := &DropModuleStmt{Pos: pos, Kind: kind, IfExists: p.parseIfExists()}
	for {
		n := p.parseObjectName()
		if len(n.Parts) > 2 {
			p.bail(syntaxNear(n.Pos.Line, ".", false))
		}
		s.Names = append(s.Names, n)
		if !p.acceptOp(",") {
			return s
		}
	}
}
