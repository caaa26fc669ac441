package catalog

import (
	"fmt"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// sp_help (Microsoft's "sp_help" page). Without a name: every object of
// the current database (Name, Owner, Object_type). With a table, view or
// procedure: its Name, Owner, Type, Created_datetime row, then a table's
// columns (Column_name ... Collation) or a procedure's parameters
// (Parameter_name ... Collation). The further result sets SQL Server
// sends for a table (identity, ROWGUIDCOL, filegroup, indexes,
// constraints) are not modelled: sp_help of a table stops after its
// columns. Anything else is 15009.
func installSpHelp(r *engine.Registry) {
	r.Procedure("sp_help", engine.SystemProc{Params: []engine.ProcParam{{Name: "@objname", Type: sqltypes.NVarChar(776), HasDefault: true}}, Run: spHelp})
}

func spHelp(pc *engine.ProcCall) (int32, error) {
	sc := pc.Scope()
	db := pc.Database()
	objname, _ := pc.Arg("@objname").(string)
	if objname == "" {
		var rows [][]engine.Value
		for _, t := range sc.Tables(db) {
			rows = append(rows, []engine.Value{t.Name, "dbo", "user table"})
		}
		for _, m := range db.Modules() {
			kind := "view"
			if m.Type == engine.ModuleProcedure {
				kind = "stored procedure"
			}
			rows = append(rows, []engine.Value{m.Name, "dbo", kind})
		}
		return 0, pc.Result([]engine.Column{engine.Col("Name", sqltypes.TypeSysname, true), engine.Col("Owner", sqltypes.TypeSysname, true), engine.Col("Object_type", sqltypes.NVarChar(31), true)}, rows)
	}
	n := &tsql.ObjectName{}
	for _, p := range engine.SplitObjectName(strings.TrimSpace(objname)) {
		n.Parts = append(n.Parts, tsql.Ident{Name: p})
	}
	head := []engine.Column{engine.Col("Name", sqltypes.TypeSysname, false), engine.Col("Owner", sqltypes.TypeSysname, true), engine.Col("Type", sqltypes.NVarChar(31), true), engine.Col("Created_datetime", sqltypes.TypeDateTime, false)}
	if len(n.Parts) == 0 || len(n.Parts) > 3 {
		return 1, newErr(sqlerr.ObjectNotInDatabase, objname, db.Name())
	}
	for _, typ := range []string{engine.ModuleProcedure, engine.ModuleView} {
		if m := sc.FindModule(n, typ); m != nil {
			kind := "view"
			if typ == engine.ModuleProcedure {
				kind = "stored procedure"
			}
			if err := pc.Result(head, [][]engine.Value{{m.Name, "dbo", kind, m.Created}}); err != nil {
				return 1, err
			}
			if typ == engine.ModuleView {
				return 0, nil
			}
			params, err := sc.ModuleParams(m)
			if err != nil {
				return 1, err
			}
			var rows [][]engine.Value
			for i, p := range params {
				prec, scale := precisionOf(p.Type)
				rows = append(rows, []engine.Value{p.Name, helpTypeName(p.Type), int64(maxLength(p.Type)), prec, scale, int64(i + 1), collationOf(p.Type)})
			}
			if len(rows) == 0 {
				return 0, nil
			}
			return 0, pc.Result([]engine.Column{engine.Col("Parameter_name", sqltypes.TypeSysname, true), engine.Col("Type", sqltypes.TypeSysname, true), engine.Col("Length", sqltypes.TypeSmallInt, true),
				engine.Col("Prec", sqltypes.TypeInt, true), engine.Col("Scale", sqltypes.TypeInt, true), engine.Col("Param_order", sqltypes.TypeSmallInt, true), engine.Col("Collation", sqltypes.TypeSysname, true)}, rows)
		}
	}
	t, ok := sc.ResolveTable(n)
	if !ok {
		return 1, newErr(sqlerr.ObjectNotInDatabase, objname, db.Name())
	}
	if err := pc.Result(head, [][]engine.Value{{t.Name, "dbo", "user table", t.Created}}); err != nil {
		return 1, err
	}
	var rows [][]engine.Value
	for _, c := range t.Cols {
		prec, scale := "     ", "     "
		if p, s := precisionOf(c.Type); p > 0 && !c.Type.Kind.IsString() {
			prec, scale = fmt.Sprintf("%-5d", p), fmt.Sprintf("%-5d", s)
		}
		trim, fixed := "(n/a)", "(n/a)"
		if c.Type.Kind.IsString() || c.Type.Kind == sqltypes.KindVarBinary || c.Type.Kind == sqltypes.KindBinary {
			trim, fixed = "no", "yes"
		}
		rows = append(rows, []engine.Value{c.Name, helpTypeName(c.Type), "no", int64(maxLength(c.Type)), prec, scale,
			map[bool]string{true: "yes", false: "no"}[c.Nullable], trim, fixed, collationOf(c.Type)})
	}
	return 0, pc.Result([]engine.Column{engine.Col("Column_name", sqltypes.TypeSysname, true), engine.Col("Type", sqltypes.TypeSysname, true), engine.Col("Computed", sqltypes.VarChar(35), true),
		engine.Col("Length", sqltypes.TypeInt, true), engine.Col("Prec", sqltypes.Type{Kind: sqltypes.KindChar, Length: 5}, true),
		engine.Col("Scale", sqltypes.Type{Kind: sqltypes.KindChar, Length: 5}, true), engine.Col("Nullable", sqltypes.VarChar(35), true),
		engine.Col("TrimTrailingBlanks", sqltypes.VarChar(35), true), engine.Col("FixedLenNullInSource", sqltypes.VarChar(35), true), engine.Col("Collation", sqltypes.TypeSysname, true)}, rows)
}

// helpTypeName is a type's name as sp_help shows it (decimal, not numeric).
func helpTypeName(t engine.Type) string {
	if t.Kind == sqltypes.KindDecimal {
		return "decimal"
	}
	return t.Name()
}

func collationOf(t engine.Type) engine.Value {
	if t.Kind.IsString() {
		return t.Collation.Name()
	}
	return nil
}
