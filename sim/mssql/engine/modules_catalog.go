package engine

import (
	"github.com/pchatdr/harness/sim/mssql/tsql"
)

// modulesOf lists a database's procedures and views by object id.
func modulesOf(db *Database) []*ModuleDef {
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.sortedModules()
}

// parseViewText parses a view's definition without a session (the parse
// does not depend on one).
func (*scope) parseViewText(m *ModuleDef) (*tsql.CreateViewStmt, error) {
	stmts, err := safeParse(m.Definition)
	if err != nil || len(stmts) != 1 {
		return nil, errBadOp
	}
	v, ok := stmts[0].(*tsql.CreateViewStmt)
	if !ok {
		return nil, errBadOp
	}
	return v, nil
}
