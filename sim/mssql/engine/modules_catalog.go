package engine

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
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

// addModuleFuncs adds OBJECT_DEFINITION(object_id): a module's definition
// in the current database, NULL for anything else.
func addModuleFuncs(builtins map[string]builtin) {
	builtins["object_definition"] = fixedArgs(1, func(sc *scope, a []*cexpr) (*cexpr, error) {
		return &cexpr{Type: sqltypes.NVarChar(sqltypes.MaxLength), Nullable: true, Eval: func(en *env) (Value, error) {
			v, err := a[0].Eval(en)
			if err != nil || v == nil {
				return nil, err
			}
			id, ok := toInt64(v)
			if !ok {
				return nil, nil
			}
			if m := sc.s.currentDB().moduleByID(int(id)); m != nil {
				return m.Definition, nil
			}
			return nil, nil
		}}, nil
	})
}

// moduleObjectID is OBJECT_ID of a procedure or view; with the second
// argument (object type) it is NULL unless the module is of that type.
func moduleObjectID(en *env, a []*cexpr, db *Database, schema, name string) (Value, error) {
	if schema == "" {
		schema = "dbo"
	}
	db.mu.RLock()
	m := db.module(schema, name)
	db.mu.RUnlock()
	if m == nil {
		return nil, nil
	}
	if len(a) > 1 {
		v, err := a[1].Eval(en)
		if err != nil {
			return nil, err
		}
		if s, ok := v.(string); ok && !strings.EqualFold(strings.TrimSpace(s), m.Type) {
			return nil, nil
		}
	}
	return int64(m.ID), nil
}
