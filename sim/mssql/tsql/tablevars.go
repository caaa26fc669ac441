package tsql

import "strings"

// parseTableVarDecl reads TABLE ( column definitions and constraints )
// after DECLARE @t [AS]: the body of CREATE TABLE without filegroups or
// table options (docs: "DECLARE @local_variable", table_type_definition).
func (p *parser) parseTableVarDecl(v Token) *VarDecl {
	t := p.next() // TABLE
	s := &CreateTableStmt{Pos: t.Pos, Name: ObjectName{Pos: v.Pos, Parts: []Ident{{Pos: v.Pos, Raw: v.Raw, Name: v.Raw}}}}
	p.expectOp("(")
	for {
		switch {
		case p.isWord("CONSTRAINT") || p.isWord("PRIMARY") || p.isWord("UNIQUE") || p.isWord("CHECK") || p.isWord("FOREIGN"):
			s.Constraints = append(s.Constraints, p.parseTableConstraint())
		case p.isWord("INDEX"):
			p.unsupported(p.tok().Pos.Line, "inline INDEX in a table variable")
		default:
			s.Columns = append(s.Columns, p.parseColumnDef())
		}
		if !p.acceptOp(",") {
			break
		}
		if p.isOp(")") {
			break
		}
	}
	p.expectOp(")")
	return &VarDecl{Pos: v.Pos, Name: v.Raw, Table: s}
}

// tableVarColumns prints a table variable's column list.
func tableVarColumns(s *CreateTableStmt) string {
	parts := make([]string, 0, len(s.Columns)+len(s.Constraints))
	for _, c := range s.Columns {
		parts = append(parts, c.String())
	}
	for _, c := range s.Constraints {
		parts = append(parts, c.String())
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
