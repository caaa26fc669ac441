package engine

import (
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/sessionfuncs"
	"github.com/pchatdr/harness/sim/mssql/setopts"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// sessionFacts is a statement's scope as the session functions
// (sim/mssql/sessionfuncs: GETDATE, DB_NAME, OBJECT_ID, ERROR_NUMBER, ...)
// see it: the facts they read when the expression runs; their rules are
// the package's.
type sessionFacts struct{ sc *scope }

var _ sessionfuncs.Session = sessionFacts{}

func (f sessionFacts) Now() time.Time       { return f.sc.s.inst.now() }
func (f sessionFacts) Login() string        { return f.sc.s.login }
func (f sessionFacts) Host() string         { return f.sc.s.host }
func (f sessionFacts) AppName() string      { return f.sc.s.appName }
func (f sessionFacts) InstanceName() string { return f.sc.s.inst.cfg.Name }
func (f sessionFacts) ScopeIdentity() Value { return f.sc.scopeIdent }

func (f sessionFacts) CatchError() *sqlerr.Error { return f.sc.catchErr }

func (f sessionFacts) TxState() (int, bool) { return f.sc.s.tranCount, f.sc.s.doomed }

func (f sessionFacts) CurrentDB() (string, int) {
	db := f.sc.s.currentDB()
	return db.Name(), db.ID()
}

func (f sessionFacts) DBName(id int) (string, bool) {
	if db := f.sc.s.inst.DBByID(id); db != nil {
		return db.Name(), true
	}
	return "", false
}

func (f sessionFacts) DBID(name string) (int, bool) {
	if db := f.sc.s.inst.DB(name); db != nil {
		return db.ID(), true
	}
	return 0, false
}

func (f sessionFacts) Database(name string) (sessionfuncs.DBInfo, bool) {
	db := f.sc.s.inst.DB(name)
	if db == nil {
		return sessionfuncs.DBInfo{}, false
	}
	m := db.Meta()
	return sessionfuncs.DBInfo{Status: m.State.String(), Recovery: m.Recovery.String(), UserAccess: m.UserAccess.String(),
		Collation: m.Collation.Name(), ReadOnly: m.ReadOnly, Standby: m.Standby}, true
}

// Object resolves OBJECT_ID's name: a #name in tempdb under its
// session-qualified name, a catalog view, a table, else a procedure or
// view.
func (f sessionFacts) Object(dbName, schema, name string) (sessionfuncs.Object, bool) {
	sc := f.sc
	db := sc.s.currentDB()
	if strings.HasPrefix(name, "#") {
		db = sc.s.inst.DBByID(tempdbID)
		name = sc.tableName(&tsql.ObjectName{Parts: []tsql.Ident{{Name: name}}})
	} else if dbName != "" {
		if db = sc.s.inst.DB(dbName); db == nil {
			return sessionfuncs.Object{}, false
		}
	}
	if strings.EqualFold(schema, "sys") || strings.EqualFold(schema, "information_schema") {
		if cv := sc.s.inst.reg.view(schema, name); cv != nil {
			return sessionfuncs.Object{ID: int64(cv.id)}, true
		}
		return sessionfuncs.Object{}, false
	}
	db.mu.RLock()
	t := db.lookupTable(schema, name, sc.s.tx)
	db.mu.RUnlock()
	if t != nil {
		return sessionfuncs.Object{ID: int64(t.ID)}, true
	}
	if schema == "" {
		schema = "dbo"
	}
	db.mu.RLock()
	m := db.module(schema, name)
	db.mu.RUnlock()
	if m == nil {
		return sessionfuncs.Object{}, false
	}
	return sessionfuncs.Object{ID: int64(m.ID), Module: true, ModuleType: m.Type}, true
}

func (f sessionFacts) TableName(dbID, id int) (string, bool) {
	db := f.sc.s.currentDB()
	if db.ID() != dbID {
		if db = f.sc.s.inst.DBByID(dbID); db == nil {
			return "", false
		}
	}
	db.mu.RLock()
	defer db.mu.RUnlock()
	if t := db.tablesByID[id]; t != nil {
		return t.Name, true
	}
	return "", false
}

func (f sessionFacts) ModuleDefinition(id int) (string, bool) {
	if m := f.sc.s.currentDB().moduleByID(id); m != nil {
		return m.Definition, true
	}
	return "", false
}

func (f sessionFacts) LoginExists(name string) bool { return f.sc.s.inst.loginExists(name) }
func (f sessionFacts) IsServerRoleMember(role, login string) bool {
	return f.sc.s.inst.IsServerRoleMember(role, login)
}
func (f sessionFacts) SPID() int                 { return f.sc.s.id }
func (f sessionFacts) RowCount() int64           { return f.sc.s.rowcount }
func (f sessionFacts) LastError() int32          { return f.sc.s.lastError }
func (f sessionFacts) Identity() Value           { return f.sc.s.identity }
func (f sessionFacts) Options() *setopts.Options { return &f.sc.s.opts.Options }
func (f sessionFacts) NestLevel() int            { return f.sc.depth }
