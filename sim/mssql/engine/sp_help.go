package engine

import (
	"fmt"
	"strings"

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
func installSpHelp(r *Registry) {
	r.Procedure("sp_help", SystemProc{Params: []ProcParam{{Name: "@objname", Type: nv(776), HasDefault: true}}, Run: spHelp})
}

func spHelp(pc *ProcCall) (int32, error) {
	sc := pc.sc
	db := sc.s.currentDB()
	objname, _ := pc.Arg("@objname").(string)
	if objname == "" {
		var rows [][]Value
		for _, t := range sc.tablesOf(db) {
			rows = append(rows, []Value{t.Name, "dbo", "user table"})
		}
		for _, m := range modulesOf(db) {
			kind := "view"
			if m.Type == moduleProc {
				kind = "stored procedure"
			}
			rows = append(rows, []Value{m.Name, "dbo", kind})
		}
		return 0, pc.Result([]Column{col("Name", tSys, true), col("Owner", tSys, true), col("Object_type", nv(31), true)}, rows)
	}
	n := &tsql.ObjectName{}
	for _, p := range splitObjectString(strings.TrimSpace(objname)) {
		n.Parts = append(n.Parts, tsql.Ident{Name: p})
	}
	head := []Column{col("Name", tSys, false), col("Owner", tSys, true), col("Type", nv(31), true), col("Created_datetime", tDT, false)}
	if len(n.Parts) == 0 || len(n.Parts) > 3 {
		return 1, newErr(sqlerr.ObjectNotInDatabase, objname, db.Name())
	}
	for _, typ := range []string{moduleProc, moduleView} {
		if _, m := sc.findModule(n, typ); m != nil {
			kind := "view"
			if typ == moduleProc {
				kind = "stored procedure"
			}
			if err := pc.Result(head, [][]Value{{m.Name, "dbo", kind, m.Created}}); err != nil {
				return 1, err
			}
			if typ == moduleView {
				return 0, nil
			}
			def, err := sc.parsedProc(m)
			if err != nil {
				return 1, err
			}
			params, err := sc.procParams(def.Params)
			if err != nil {
				return 1, err
			}
			var rows [][]Value
			for i, p := range params {
				prec, scale := precisionOf(p.Type)
				rows = append(rows, []Value{p.Name, helpTypeName(p.Type), int64(maxLength(p.Type)), prec, scale, int64(i + 1), collationOf(p.Type)})
			}
			if len(rows) == 0 {
				return 0, nil
			}
			return 0, pc.Result([]Column{col("Parameter_name", tSys, true), col("Type", tSys, true), col("Length", tSm, true),
				col("Prec", tInt, true), col("Scale", tInt, true), col("Param_order", tSm, true), col("Collation", tSys, true)}, rows)
		}
	}
	obj, err := sc.resolveObject(n)
	if err != nil || obj.table == nil {
		return 1, newErr(sqlerr.ObjectNotInDatabase, objname, db.Name())
	}
	t := obj.table
	if err := pc.Result(head, [][]Value{{t.Name, "dbo", "user table", t.Created}}); err != nil {
		return 1, err
	}
	var rows [][]Value
	for _, c := range t.Cols {
		prec, scale := "     ", "     "
		if p, s := precisionOf(c.Type); p > 0 && !c.Type.Kind.IsString() {
			prec, scale = fmt.Sprintf("%-5d", p), fmt.Sprintf("%-5d", s)
		}
		trim, fixed := "(n/a)", "(n/a)"
		if c.Type.Kind.IsString() || c.Type.Kind == sqltypes.KindVarBinary || c.Type.Kind == sqltypes.KindBinary {
			trim, fixed = "no", "yes"
		}
		rows = append(rows, []Value{c.Name, helpTypeName(c.Type), "no", int64(maxLength(c.Type)), prec, scale,
			map[bool]string{true: "yes", false: "no"}[c.Nullable], trim, fixed, collationOf(c.Type)})
	}
	return 0, pc.Result([]Column{col("Column_name", tSys, true), col("Type", tSys, true), col("Computed", vc(35), true),
		col("Length", tInt, true), col("Prec", sqltypes.Type{Kind: sqltypes.KindChar, Length: 5}, true),
		col("Scale", sqltypes.Type{Kind: sqltypes.KindChar, Length: 5}, true), col("Nullable", vc(35), true),
		col("TrimTrailingBlanks", vc(35), true), col("FixedLenNullInSource", vc(35), true), col("Collation", tSys, true)}, rows)
}

// helpTypeName is a type's name as sp_help shows it (decimal, not numeric).
func helpTypeName(t Type) string {
	if t.Kind == sqltypes.KindDecimal {
		return "decimal"
	}
	return t.Name()
}

func collationOf(t Type) Value {
	if t.Kind.IsString() {
		return t.Collation.Name()
	}
	return nil
}
