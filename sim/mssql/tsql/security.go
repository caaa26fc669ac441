package tsql

// AlterServerRoleStmt is ALTER SERVER ROLE role ADD MEMBER login or
// ALTER SERVER ROLE role DROP MEMBER login ("ALTER SERVER ROLE
// (Transact-SQL)"). WITH NAME = (renaming a user-defined role) is not
// supported: the simulator has only the fixed server roles.
type AlterServerRoleStmt struct {
	Pos
	Role   Ident
	Add    bool // ADD MEMBER; false: DROP MEMBER
	Member Ident
}

func (*AlterServerRoleStmt) stmtNode() {}

func (s *AlterServerRoleStmt) String() string {
	verb := " DROP MEMBER "
	if s.Add {
		verb = " ADD MEMBER "
	}
	return "ALTER SERVER ROLE " + s.Role.String() + verb + s.Member.String()
}

// parseAlterServerRole parses what follows ALTER SERVER ROLE.
func (p *parser) parseAlterServerRole(pos Pos) Stmt {
	s := &AlterServerRoleStmt{Pos: pos, Role: p.parseIdent()}
	switch {
	case p.acceptWord("ADD"):
		s.Add = true
	case p.acceptWord("DROP"):
	case p.isWord("WITH"):
		p.unsupported(pos.Line, "ALTER SERVER ROLE WITH NAME")
	default:
		p.fail()
	}
	p.expectWord("MEMBER")
	s.Member = p.parseIdent()
	return s
}
