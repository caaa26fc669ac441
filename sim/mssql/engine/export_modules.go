package engine

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/tsql"
)

// This file is the engine's surface for the user modules' statements,
// which live outside it (sim/mssql/modules: CREATE [OR ALTER] / ALTER /
// DROP PROCEDURE and VIEW and their rules). What stays here is what the
// core runs a module with or keeps it in: the definitions in the
// database and its log (modules.go: opModule, snapshots, a session's
// temporary procedures), EXEC of a procedure (a child scope of the
// executor), a view in FROM (a derived table of the compiler), OBJECT_ID
// and OBJECT_DEFINITION.

// ObjectTarget resolves the database, schema and stored name of an object
// a statement creates or drops: #name is in tempdb, suffixed per session
// as temporary tables are; 911 for a database that does not exist, 2760
// for a schema other than dbo, the database's open error or 3906 when it
// cannot take a change.
func (sc *scope) ObjectTarget(n *tsql.ObjectName) (db *Database, schema, name string, err error) {
	db, schema, err = sc.tableDB(n)
	if err != nil {
		return nil, "", "", err
	}
	return db, schema, sc.tableName(n), nil
}

// ProcParams resolves a procedure's parameter declarations: types (2715),
// duplicate names (134) and defaults, which must be constants converted
// to the parameter's type.
func (sc *scope) ProcParams(decls []*tsql.ProcParamDecl) ([]ProcParam, error) {
	return sc.procParams(decls)
}

// CheckProcBody binds the variables of procedure name's body with params
// declared, as SQL Server compiles a procedure at CREATE: an undeclared
// one is 137 then, not when it runs.
func (sc *scope) CheckProcBody(name string, params []ProcParam, body []tsql.Stmt) error {
	check := sc.child(name)
	for _, p := range params {
		check.vars[strings.ToLower(p.Name)] = &variable{name: p.Name, typ: p.Type}
	}
	if e := check.checkVarsUncached(body); e != nil {
		return e
	}
	return nil
}

// ViewColumns compiles a view's query in db, as CREATE VIEW binds it (208
// and 207 for what it selects from, 1033 for ORDER BY without TOP or
// OFFSET), and returns the names of its columns ("" for one without a
// name).
func (sc *scope) ViewColumns(db *Database, q *tsql.SelectStmt) ([]string, error) {
	p, err := sc.compileViewQuery(db, q)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(p.Cols))
	for i, c := range p.Cols {
		names[i] = c.Name
	}
	return names, nil
}

// ModuleEdit is a change to one database's modules inside the statement's
// transaction, made under the database's lock (Scope.EditModules).
type ModuleEdit struct {
	db *Database
	tx *Tx
}

// EditModules runs edit on db's modules in the statement's transaction:
// what it puts or drops is rolled back with the transaction and logged
// when it commits (opModule, opDropModule), so it survives a restart, a
// backup and a restore.
func (sc *scope) EditModules(db *Database, edit func(e *ModuleEdit) error) error {
	_, err := sc.withTx(func(tx *Tx) (int64, error) {
		db.mu.Lock()
		defer db.mu.Unlock()
		return 0, edit(&ModuleEdit{db: db, tx: tx})
	})
	return err
}

// Module is the module schema.name (nil: none).
func (e *ModuleEdit) Module(schema, name string) *ModuleDef { return e.db.module(schema, name) }

// IsTable says schema.name is a table the transaction sees.
func (e *ModuleEdit) IsTable(schema, name string) bool {
	return e.db.lookupTable(schema, name, e.tx) != nil
}

// TableHoldsName says a table holds the name schema.name, committed or
// not (another transaction's uncommitted CREATE TABLE included).
func (e *ModuleEdit) TableHoldsName(schema, name string) bool {
	return e.IsTable(schema, name) || e.db.tables[tableKey(schema, name)] != nil
}

// Put creates or replaces m (a new module when m.ID is 0: it gets the
// database's next object id).
func (e *ModuleEdit) Put(m *ModuleDef) {
	db := e.db
	key := tableKey(m.Schema, m.Name)
	old := db.modules[key]
	if m.ID == 0 {
		m.ID = db.nextObject
	}
	db.putModule(m)
	done := db.noteModuleChange(key, old)
	e.tx.Record(db.store, encJSON(opModule, m), func() {
		delete(db.modules, key)
		if old != nil {
			db.modules[key] = old
		}
		done()
	}, done)
}

// Drop removes m.
func (e *ModuleEdit) Drop(m *ModuleDef) {
	db := e.db
	key := tableKey(m.Schema, m.Name)
	delete(db.modules, key)
	done := db.noteModuleChange(key, m)
	e.tx.Record(db.store, encID(opDropModule, m.ID), func() { db.modules[key] = m; done() }, done)
}

// KindWord is how DROP and error 3701 name the module's kind (procedure,
// view).
func (m *ModuleDef) KindWord() string { return m.kindWord() }
