package tsql

// ReconfigureStmt is RECONFIGURE [WITH OVERRIDE]: install the
// configuration values sp_configure set.
type ReconfigureStmt struct {
	Pos
	Override bool
}

func (*ReconfigureStmt) stmtNode() {}

func (s *ReconfigureStmt) String() string {
	if s.Override {
		return "RECONFIGURE WITH OVERRIDE"
	}
	return "RECONFIGURE"
}
