package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/abort"
	"github.com/pchatdr/harness/sim/mssql/tabledef"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// User procedures and views (SQL Server "modules") as the core keeps and
// runs them: their definitions in the database and its log, EXEC of a user
// procedure (parameters, defaults, OUTPUT, RETURN, nesting), views in FROM,
// and what OBJECT_ID, OBJECT_DEFINITION and the catalog read. Their
// statements, CREATE [OR ALTER] / ALTER / DROP PROCEDURE and VIEW, are the
// modules feature's (sim/mssql/modules, over export_modules.go); the views
// that show them (sys.procedures, sys.views, sys.sql_modules, sp_helptext)
// the catalog's.
//
// A module is kept as its definition, the batch that created it, as SQL
// Server keeps it in sys.sql_modules; running it re-parses that text (the
// parse cache makes it a map lookup). Definitions are logged like tables
// (opModule, opDropModule), so they survive a restart, a backup and a
// restore.

// Module types (sys.objects.type, without the padding blank).
const (
	moduleProc = "P"
	moduleView = "V"
)

// ModuleDef is a procedure or view of a database.
type ModuleDef struct {
	ID         int       `json:"id"`
	Schema     string    `json:"schema"`
	Name       string    `json:"name"`
	Type       string    `json:"type"`
	Definition string    `json:"definition"`
	Created    time.Time `json:"created"`
	Modified   time.Time `json:"modified"`
}

// Log operations of modules (see durability.go for the others).
const (
	opModule     byte = 7 // ModuleDef JSON: create or replace
	opDropModule byte = 8 // object id
)

func (m *ModuleDef) typeDesc() string {
	if m.Type == moduleView {
		return "VIEW"
	}
	return "SQL_STORED_PROCEDURE"
}

// kindWord is how DROP and error 3701 name the module's kind.
func (m *ModuleDef) kindWord() string {
	if m.Type == moduleView {
		return "view"
	}
	return "procedure"
}

// module finds a module by schema and name (caller holds d.mu).
func (d *Database) module(schema, name string) *ModuleDef {
	if d.modules == nil {
		return nil
	}
	return d.modules[tableKey(schema, name)]
}

func (d *Database) putModule(m *ModuleDef) {
	if d.modules == nil {
		d.modules = map[string]*ModuleDef{}
	}
	d.modules[tableKey(m.Schema, m.Name)] = m
	if m.ID >= d.nextObject {
		d.nextObject = m.ID + 1
	}
}

// sortedModules lists modules by object id (caller holds d.mu).
func (d *Database) sortedModules() []*ModuleDef {
	out := make([]*ModuleDef, 0, len(d.modules))
	for _, m := range d.modules {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// applyModuleOp replays opModule / opDropModule (recovery and restore).
func (d *Database) applyModuleOp(kind byte, body []byte) error {
	if kind == opModule {
		var m ModuleDef
		if err := json.Unmarshal(body, &m); err != nil {
			return fmt.Errorf("engine: decode module: %w", err)
		}
		for k, old := range d.modules {
			if old.ID == m.ID {
				delete(d.modules, k)
			}
		}
		d.putModule(&m)
		return nil
	}
	ids, _, err := readUvarints(body, 1)
	if err != nil {
		return err
	}
	for k, m := range d.modules {
		if m.ID == int(ids[0]) {
			delete(d.modules, k)
		}
	}
	return nil
}

// encodeModules is the modules' part of a snapshot or full backup (caller
// holds d.mu); it goes ahead of the tables, as nothing in it refers to them.
//
// It writes the committed modules: one an open transaction created is left
// out, one it altered or dropped is written as it was before, as recovery
// rolls that transaction back (a crash after a checkpoint taken during
// CREATE PROCEDURE's transaction brought the procedure back, and one
// during DROP PROCEDURE's lost the committed procedure).
func (d *Database) encodeModules() []byte {
	var b []byte
	for _, m := range d.sortedModules() {
		key := tableKey(m.Schema, m.Name)
		if c, pending := d.modCommitted[key]; pending {
			if c != nil {
				b = append(b, encJSON(opModule, c)...)
			}
			continue
		}
		b = append(b, encJSON(opModule, m)...)
	}
	// Committed modules an open transaction dropped.
	var dropped []*ModuleDef
	for key, c := range d.modCommitted {
		if c != nil && d.modules[key] == nil {
			dropped = append(dropped, c)
		}
	}
	sort.Slice(dropped, func(i, j int) bool { return dropped[i].ID < dropped[j].ID })
	for _, c := range dropped {
		b = append(b, encJSON(opModule, c)...)
	}
	return b
}

// noteModuleChange records, as an open transaction changes the module at
// key, its committed version (committed: nil when there is none) unless
// the transaction changed it before; done forgets it once the transaction
// commits or rolls the change back (caller holds d.mu, as done's caller
// does).
func (d *Database) noteModuleChange(key string, committed *ModuleDef) (done func()) {
	if _, ok := d.modCommitted[key]; ok {
		return func() {}
	}
	if d.modCommitted == nil {
		d.modCommitted = map[string]*ModuleDef{}
	}
	d.modCommitted[key] = committed
	return func() { delete(d.modCommitted, key) }
}

// dropTempModules removes a session's temporary procedures (#p), as SQL
// Server does when the session ends or its connection is reset.
func (s *Session) dropTempModules() {
	db := s.inst.DBByID(tempdbID)
	if db == nil {
		return
	}
	suffix := strings.ToLower(tabledef.TempSuffix(s.id))
	db.mu.Lock()
	defer db.mu.Unlock()
	for k, m := range db.modules {
		if strings.HasPrefix(m.Name, "#") && strings.HasSuffix(strings.ToLower(m.Name), suffix) {
			delete(db.modules, k)
		}
	}
}

// ---------------------------------------------------------------------------
// What CREATE PROCEDURE and CREATE VIEW bind (sim/mssql/modules runs the
// statements: export_modules.go)

// procParams resolves a procedure's parameter declarations: types (2715),
// duplicate names (134) and defaults, which must be constants converted to
// the parameter's type.
func (sc *scope) procParams(decls []*tsql.ProcParamDecl) ([]ProcParam, error) {
	out := make([]ProcParam, 0, len(decls))
	seen := map[string]bool{}
	for i, d := range decls {
		key := strings.ToLower(d.Name)
		if seen[key] {
			return nil, newErr(sqlerr.VariableAlreadyDeclared, d.Name)
		}
		seen[key] = true
		t, err := resolveType(d.Typ, false, i+1)
		if err != nil {
			return nil, err
		}
		if d.ReadOnly {
			// READONLY is for table-valued parameters only.
			return nil, newErr(sqlerr.Message, "READONLY parameters (table-valued parameters) are not supported by the simulator.")
		}
		p := ProcParam{Name: d.Name, Type: t, Output: d.Output}
		if d.Default != nil {
			v, vt, err := sc.evalScalar(d.Default)
			if err != nil {
				return nil, err
			}
			if p.Default, err = convertTo(v, vt, t); err != nil {
				return nil, err
			}
			p.HasDefault = true
		}
		out = append(out, p)
	}
	return out, nil
}

// compileViewQuery compiles a view's query in the view's database (ORDER
// BY without TOP or OFFSET is 1033, as in any derived table).
func (sc *scope) compileViewQuery(db *Database, q *tsql.SelectStmt) (*plan, error) {
	if len(q.OrderBy) > 0 && q.Offset == nil {
		if qs, ok := q.Body.(*tsql.QuerySpec); !ok || qs.Top == nil {
			return nil, newErr(sqlerr.OrderByInSubquery)
		}
	}
	if cur := sc.s.currentDB(); cur != db {
		sc.s.setDB(db)
		defer sc.s.setDB(cur)
	}
	return sc.compileQuery(q, nil)
}

// ---------------------------------------------------------------------------
// Lookup

// findModule resolves a one- to three-part name to a module of the given
// type, as tables resolve (# names in tempdb, default schema dbo); nil
// when there is none.
func (sc *scope) findModule(n *tsql.ObjectName, typ string) (*Database, *ModuleDef) {
	if n.Server().Name != "" || len(n.Parts) == 0 {
		return nil, nil
	}
	db := sc.nameDB(n)
	if db == nil {
		return nil, nil
	}
	schema := n.Schema().Name
	if schema == "" {
		schema = "dbo"
	}
	db.mu.RLock()
	m := db.module(schema, sc.tableName(n))
	db.mu.RUnlock()
	if m == nil || m.Type != typ {
		return nil, nil
	}
	return db, m
}

// moduleByID finds a module of db by object id.
func (db *Database) moduleByID(id int) *ModuleDef {
	db.mu.RLock()
	defer db.mu.RUnlock()
	for _, m := range db.modules {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// parsedProc re-parses a procedure's definition.
func (sc *scope) parsedProc(m *ModuleDef) (*tsql.CreateProcStmt, error) {
	stmts, err := sc.s.inst.parse(m.Definition)
	if err != nil || len(stmts) != 1 {
		return nil, fmt.Errorf("engine: procedure %s no longer parses: %w", m.Name, errBadOp)
	}
	p, ok := stmts[0].(*tsql.CreateProcStmt)
	if !ok {
		return nil, fmt.Errorf("engine: procedure %s: %w", m.Name, errBadOp)
	}
	return p, nil
}

func (sc *scope) parsedView(m *ModuleDef) (*tsql.CreateViewStmt, error) {
	stmts, err := sc.s.inst.parse(m.Definition)
	if err != nil || len(stmts) != 1 {
		return nil, fmt.Errorf("engine: view %s no longer parses: %w", m.Name, errBadOp)
	}
	v, ok := stmts[0].(*tsql.CreateViewStmt)
	if !ok {
		return nil, fmt.Errorf("engine: view %s: %w", m.Name, errBadOp)
	}
	return v, nil
}

// ---------------------------------------------------------------------------
// EXEC

// statusScopeAbort is the return status of a procedure a scope-aborting
// error ended (208 on a table that does not exist, ...): SQL Server's
// reserved "miscellaneous user error" status.
const statusScopeAbort = -6

// callUserProc runs a user procedure; found is false when n names none.
func (sc *scope) callUserProc(n *tsql.ObjectName, args []argument) (status int32, outs map[int]outValue, found bool, err error) {
	db, m := sc.findModule(n, moduleProc)
	if m == nil {
		return 0, nil, false, nil
	}
	def, err := sc.parsedProc(m)
	if err != nil {
		return 0, nil, true, err
	}
	params, err := sc.procParams(def.Params)
	if err != nil {
		return 0, nil, true, err
	}
	name := n.Object().Name
	bound, err := bindArgs(name, params, args)
	if err != nil {
		return 0, nil, true, err
	}
	for _, p := range params {
		if a := bound[strings.ToLower(p.Name)]; a.Output && !p.Output {
			return 0, nil, true, newErr(sqlerr.NotOutputParameter, p.Name)
		}
	}
	child := sc.child(name)
	for _, p := range params {
		a := bound[strings.ToLower(p.Name)]
		child.vars[strings.ToLower(p.Name)] = &variable{name: p.Name, typ: p.Type, val: a.Val}
	}
	if e := child.checkVars(def.Body, m.Definition); e != nil {
		return 0, nil, true, e
	}
	// A procedure's names resolve in its own database (a temporary
	// procedure's in the caller's).
	if cur := sc.s.currentDB(); db.ID() != tempdbID && cur != db {
		sc.s.setDB(db)
		defer func() {
			if sc.s.currentDB() == db {
				sc.s.setDB(cur)
			}
		}()
	}
	before := sc.s.tranCount
	err = child.runList(def.Body)
	status = child.retStatus
	var ab *abortErr
	switch {
	case err == nil, errors.Is(err, errReturn):
		err = nil
	case errors.Is(err, errBreak), errors.Is(err, errContinue):
		err = nil
	case errors.As(err, &ab) && ab.act == abort.Batch:
		// A scope-aborting error ends the procedure; the caller goes on.
		err, status = nil, statusScopeAbort
	}
	if err != nil {
		return 0, nil, true, err
	}
	if after := sc.s.tranCount; after != before {
		if err := child.message(newErr(sqlerr.TranCountMismatch, before, after)); err != nil {
			return 0, nil, true, err
		}
	}
	outs = map[int]outValue{}
	for _, a := range args {
		if !a.output {
			continue
		}
		var p *ProcParam
		if a.name != "" {
			for i := range params {
				if strings.EqualFold(params[i].Name, ensureAt(a.name)) {
					p = &params[i]
				}
			}
		} else if a.ord < len(params) {
			p = &params[a.ord]
		}
		if p != nil {
			v := child.vars[strings.ToLower(p.Name)]
			outs[a.ord] = outValue{name: a.name, val: v.val, typ: v.typ}
		}
	}
	return status, outs, true, nil
}

// ---------------------------------------------------------------------------
// Views in FROM

// maxViewNesting is SQL Server's nesting limit, which views count toward
// (error 217).
const maxViewNesting = 32

// viewSource compiles a reference to a user view as the derived table its
// definition is; ok is false when x names no view.
func (sc *scope) viewSource(x *tsql.TableRef) (*source, bool, error) {
	if s := strings.ToLower(x.Name.Schema().Name); s == "sys" || s == "information_schema" {
		return nil, false, nil
	}
	db, m := sc.findModule(&x.Name, moduleView)
	if m == nil {
		return nil, false, nil
	}
	if e := db.openError(); e != nil {
		return nil, true, e
	}
	v, err := sc.parsedView(m)
	if err != nil {
		return nil, true, err
	}
	if sc.viewDepth >= maxViewNesting {
		return nil, true, newErr(sqlerr.NestingLimit, maxViewNesting)
	}
	sc.viewDepth++
	defer func() { sc.viewDepth-- }()
	alias := tsql.Ident{Name: x.Name.Object().Name}
	if x.Alias != nil {
		alias = *x.Alias
	}
	if cur := sc.s.currentDB(); cur != db {
		sc.s.setDB(db)
		defer sc.s.setDB(cur)
	}
	src, err := sc.compileSource(&tsql.DerivedTable{Pos: x.Pos, Query: v.Query, Alias: alias, Columns: v.Columns}, nil)
	return src, true, err
}

// viewNotUpdatable refuses INSERT, UPDATE and DELETE through a view, which
// the simulator does not model; a view name is never "invalid" (208).
func (sc *scope) viewNotUpdatable(n *tsql.ObjectName) error {
	if _, m := sc.findModule(n, moduleView); m != nil {
		return newErr(sqlerr.Message, fmt.Sprintf("Modifying data through the view '%s' is not supported by the simulator.", m.Name))
	}
	return nil
}
