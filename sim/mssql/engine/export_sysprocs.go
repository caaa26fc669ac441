package engine

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/sessionfuncs"
	"github.com/pchatdr/harness/sim/mssql/tsql"
)

// This file is the engine's surface for the system procedures that live
// outside it (sim/mssql/sysprocs).

// ResetConnection is sp_reset_connection on s, the running session (the
// pooled-connection reset drivers send): any open transaction is rolled
// back and the SET options return to their login defaults.
func (s *Session) ResetConnection() {
	s.abandonTx()
	s.opts = defaultOptions()
}

// Declare sets the variable name (with its @) of type t to v in the
// statement's scope, declaring it when needed: a system procedure that
// runs T-SQL of its own (RunBatch) passes its arguments this way, never as
// text spliced into the batch.
func (sc *scope) Declare(name string, t Type, v Value) {
	key := strings.ToLower(name)
	if vr := sc.vars[key]; vr != nil {
		vr.val = v
		return
	}
	sc.vars[key] = &variable{name: name, typ: t, val: v}
}

// RunBatch runs T-SQL text in the statement's scope (its variables, its
// session), sending its results to the client: a system procedure written
// in T-SQL, as SQL Server's own are (sp_help_job).
func (sc *scope) RunBatch(text string) error { return sc.runBatch(text) }

// Kinds of module (ModuleDef.Type).
const (
	ModuleProcedure = moduleProc
	ModuleView      = moduleView
)

// Modules lists d's procedures and views by object id.
func (d *Database) Modules() []*ModuleDef { return modulesOf(d) }

// FindModule is the procedure (ModuleProcedure) or view (ModuleView) a one-
// to three-part name names from the statement's session, nil when none.
func (sc *scope) FindModule(n *tsql.ObjectName, typ string) *ModuleDef {
	_, m := sc.findModule(n, typ)
	return m
}

// ModuleParams are a procedure's parameters as its definition declares
// them.
func (sc *scope) ModuleParams(m *ModuleDef) ([]ProcParam, error) {
	def, err := sc.parsedProc(m)
	if err != nil {
		return nil, err
	}
	return sc.procParams(def.Params)
}

// ResolveTable is the definition of the user table a one- to three-part
// name names from the statement's session; ok false when it names no
// table (a catalog view, nothing).
func (sc *scope) ResolveTable(n *tsql.ObjectName) (def TableDef, ok bool) {
	obj, err := sc.resolveObject(n)
	if err != nil || obj.table == nil {
		return TableDef{}, false
	}
	return obj.table.TableDef, true
}

// SplitObjectName splits an object name given as a string (sp_help's
// @objname, OBJECT_ID's argument) into its parts, brackets removed.
func SplitObjectName(s string) []string { return sessionfuncs.SplitObjectName(s) }
