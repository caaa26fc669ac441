package engine

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// Table variables (DECLARE @t TABLE (...)). A table variable is a table
// of tempdb that no catalog lists: it lives in the variables of its batch
// or procedure scope and is gone with it, as Microsoft's "table (Transact-
// SQL)" page describes. Its rows go through the same DML code as a
// table's.
//
// SQL Server does not undo a table variable's changes on ROLLBACK (they
// are not part of the user transaction). The simulator's DML is
// transactional, so inside an explicit transaction a change to a table
// variable is refused (stricter than SQL Server, never a silently
// different result); in autocommit each statement commits by itself, which
// is what SQL Server does too.

// declareTableVar runs DECLARE @t TABLE (...). Running it again (in a
// loop) keeps the table, as a scalar DECLARE keeps its value.
func (sc *scope) declareTableVar(d *tsql.VarDecl) error {
	key := strings.ToLower(d.Name)
	if v := sc.vars[key]; v != nil && v.tbl != nil {
		return nil
	}
	v, err := sc.newTableVar(d)
	if err != nil {
		return err
	}
	sc.vars[key] = v
	return nil
}

func (sc *scope) newTableVar(d *tsql.VarDecl) (*variable, error) {
	def, err := sc.tableDef(d.Table, "dbo", d.Name, sc.dbCollation())
	if err != nil {
		return nil, err
	}
	return &variable{name: d.Name, tbl: newTable(sc.s.inst.DBByID(tempdbID), def)}, nil
}

// tableVar finds a declared table variable (nil when name is none).
func (sc *scope) tableVar(name string) *Table {
	if v := sc.lookupVar(name); v != nil {
		return v.tbl
	}
	return nil
}

// tableVarTarget is the table a DML statement on @t changes.
func (sc *scope) tableVarTarget(name string) (*Table, error) {
	t := sc.tableVar(name)
	if t == nil {
		return nil, newErr(sqlerr.MustDeclareTableVariable, name)
	}
	if sc.s.tranCount > 0 {
		return nil, newErr(sqlerr.Message, "Changing a table variable inside an explicit transaction is not supported by the simulator (SQL Server keeps such changes on ROLLBACK).")
	}
	return t, nil
}

// tableVarSource is @t [AS alias] in FROM.
func (sc *scope) tableVarSource(x *tsql.TableVarRef) (*source, error) {
	t := sc.tableVar(x.Name)
	if t == nil {
		return nil, newErr(sqlerr.MustDeclareTableVariable, x.Name)
	}
	exposed := x.Name
	if x.Alias != nil {
		exposed = x.Alias.Name
	}
	q := strings.ToLower(exposed)
	cols := make([]bindCol, len(t.Cols))
	for i, tc := range t.Cols {
		cols[i] = bindCol{Qual: q, Name: tc.Name, Type: tc.Type, Nullable: tc.Nullable}
	}
	return &source{Cols: cols, Names: []string{exposed}, Run: func(en *env) ([][]Value, error) {
		vs := t.Scan(sc.s.tx)
		out := make([][]Value, len(vs))
		for i, r := range vs {
			out[i] = r.Vals
		}
		return out, nil
	}}, nil
}
