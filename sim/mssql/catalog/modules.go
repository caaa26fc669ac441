package catalog

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// moduleObjectRow is a module's sys.objects row (the column set of
// installObjectViews' objCols).
func moduleObjectRow(m *engine.ModuleDef) []engine.Value {
	return []engine.Value{m.Name, int64(m.ID), nil, int64(1), int64(0), m.Type + " ", m.TypeDesc(), m.Created, m.Modified, false, false, false}
}

// moduleObjectRows are the sys.objects rows of db's modules.
func moduleObjectRows(db *engine.Database) [][]engine.Value {
	var out [][]engine.Value
	for _, m := range db.Modules() {
		out = append(out, moduleObjectRow(m))
	}
	return out
}

// installModuleCatalog adds sys.procedures, sys.views and sys.sql_modules
// (column sets from Microsoft's pages for each view), sp_helptext and
// OBJECT_DEFINITION.
func installModuleCatalog(r *engine.Registry) {
	objCols := []engine.Column{
		col("name", tSys, false), col("object_id", tInt, false), col("principal_id", tInt, true),
		col("schema_id", tInt, false), col("parent_object_id", tInt, false), col("type", sqltypes.Type{Kind: sqltypes.KindChar, Length: 2}, true),
		col("type_desc", nv(60), true), col("create_date", tDT, false), col("modify_date", tDT, false),
		col("is_ms_shipped", tBit, false), col("is_published", tBit, false), col("is_schema_published", tBit, false),
	}
	of := func(typ string, extra func(m *engine.ModuleDef) []engine.Value) func(sc *engine.Scope, db *engine.Database) ([][]engine.Value, error) {
		return func(sc *engine.Scope, db *engine.Database) ([][]engine.Value, error) {
			var out [][]engine.Value
			for _, m := range db.Modules() {
				if m.Type == typ {
					out = append(out, append(moduleObjectRow(m), extra(m)...))
				}
			}
			return out, nil
		}
	}
	r.View("sys", "procedures", append(append([]engine.Column{}, objCols...),
		col("is_auto_executed", tBit, false), col("is_execution_replicated", tBit, true),
		col("is_repl_serializable_skip", tBit, true), col("skips_repl_constraints", tBit, true)),
		of(engine.ModuleProcedure, func(*engine.ModuleDef) []engine.Value { return []engine.Value{false, false, false, false} }))
	r.View("sys", "views", append(append([]engine.Column{}, objCols...),
		col("is_replicated", tBit, true), col("has_replication_filter", tBit, true), col("has_opaque_metadata", tBit, false),
		col("has_unchecked_assembly_data", tBit, false), col("with_check_option", tBit, false),
		col("is_date_correlation_view", tBit, false), col("is_tracked_by_cdc", tBit, true)),
		of(engine.ModuleView, func(m *engine.ModuleDef) []engine.Value {
			return []engine.Value{false, false, false, false, m.ViewCheckOption(), false, false}
		}))
	r.View("sys", "sql_modules", []engine.Column{
		col("object_id", tInt, false), col("definition", sqltypes.NVarChar(sqltypes.MaxLength), true),
		col("uses_ansi_nulls", tBit, true), col("uses_quoted_identifier", tBit, true), col("is_schema_bound", tBit, true),
		col("uses_database_collation", tBit, true), col("is_recompiled", tBit, true), col("null_on_null_input", tBit, true),
		col("execute_as_principal_id", tInt, true), col("uses_native_compilation", tBit, true),
		col("inline_type", tBit, true), col("is_inlineable", tBit, true),
	}, func(sc *engine.Scope, db *engine.Database) ([][]engine.Value, error) {
		var out [][]engine.Value
		for _, m := range db.Modules() {
			recompiled := m.Type == engine.ModuleProcedure && strings.Contains(strings.ToUpper(m.Definition), "RECOMPILE")
			out = append(out, []engine.Value{int64(m.ID), m.Definition, true, true, false, false, recompiled, false, nil, false, false, false})
		}
		return out, nil
	})
	r.Procedure("sp_helptext", engine.SystemProc{Params: []engine.ProcParam{
		{Name: "@objname", Type: nv(776)},
		{Name: "@columnname", Type: tSys, HasDefault: true},
	}, Run: spHelptext})
}

// spHelptext returns a module's definition one line per row (column Text,
// nvarchar(255)), each line with its line break as SQL Server sends it.
// An object that does not exist is 15009; a table has no text (15197).
func spHelptext(pc *engine.ProcCall) (int32, error) {
	sc := pc.Scope()
	objname, _ := pc.Arg("@objname").(string)
	parts := engine.SplitObjectName(strings.TrimSpace(objname))
	n := &tsql.ObjectName{}
	for _, p := range parts {
		n.Parts = append(n.Parts, tsql.Ident{Name: p})
	}
	if len(parts) == 0 || len(parts) > 3 {
		return 1, newErr(sqlerr.ObjectNotInDatabase, objname, pc.Database().Name())
	}
	if pc.Given("@columnname") && pc.Arg("@columnname") != nil {
		return 1, newErr(sqlerr.Message, "sp_helptext @columnname (computed columns) is not supported by the simulator.")
	}
	var m *engine.ModuleDef
	if p := sc.FindModule(n, engine.ModuleProcedure); p != nil {
		m = p
	} else if v := sc.FindModule(n, engine.ModuleView); v != nil {
		m = v
	}
	if m == nil {
		if _, ok := sc.ResolveTable(n); ok {
			return 1, newErr(sqlerr.NoTextForObject, objname)
		}
		return 1, newErr(sqlerr.ObjectNotInDatabase, objname, pc.Database().Name())
	}
	var rows [][]engine.Value
	text := m.Definition
	for text != "" {
		i := strings.IndexByte(text, '\n')
		line := text
		if i >= 0 {
			line, text = text[:i+1], text[i+1:]
		} else {
			text = ""
		}
		for len(line) > 255 {
			rows = append(rows, []engine.Value{line[:255]})
			line = line[255:]
		}
		rows = append(rows, []engine.Value{line})
	}
	return 0, pc.Result([]engine.Column{col("Text", nv(255), true)}, rows)
}
