package engine

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// modulesOf lists a database's procedures and views by object id.
func modulesOf(db *Database) []*ModuleDef {
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.sortedModules()
}

// moduleObjectRow is a module's sys.objects row (the column set of
// installObjectViews' objCols).
func moduleObjectRow(m *ModuleDef) []Value {
	return []Value{m.Name, int64(m.ID), nil, int64(1), int64(0), m.Type + " ", m.typeDesc(), m.Created, m.Modified, false, false, false}
}

// moduleObjectRows are the sys.objects rows of db's modules.
func moduleObjectRows(db *Database) [][]Value {
	var out [][]Value
	for _, m := range modulesOf(db) {
		out = append(out, moduleObjectRow(m))
	}
	return out
}

// installModuleCatalog adds sys.procedures, sys.views and sys.sql_modules
// (column sets from Microsoft's pages for each view), sp_helptext and
// OBJECT_DEFINITION.
func installModuleCatalog(r *Registry) {
	objCols := []Column{
		col("name", tSys, false), col("object_id", tInt, false), col("principal_id", tInt, true),
		col("schema_id", tInt, false), col("parent_object_id", tInt, false), col("type", sqltypes.Type{Kind: sqltypes.KindChar, Length: 2}, true),
		col("type_desc", nv(60), true), col("create_date", tDT, false), col("modify_date", tDT, false),
		col("is_ms_shipped", tBit, false), col("is_published", tBit, false), col("is_schema_published", tBit, false),
	}
	of := func(typ string, extra func(m *ModuleDef) []Value) func(sc *scope, db *Database) ([][]Value, error) {
		return func(sc *scope, db *Database) ([][]Value, error) {
			var out [][]Value
			for _, m := range modulesOf(db) {
				if m.Type == typ {
					out = append(out, append(moduleObjectRow(m), extra(m)...))
				}
			}
			return out, nil
		}
	}
	r.View("sys", "procedures", append(append([]Column{}, objCols...),
		col("is_auto_executed", tBit, false), col("is_execution_replicated", tBit, true),
		col("is_repl_serializable_skip", tBit, true), col("skips_repl_constraints", tBit, true)),
		of(moduleProc, func(*ModuleDef) []Value { return []Value{false, false, false, false} }))
	r.View("sys", "views", append(append([]Column{}, objCols...),
		col("is_replicated", tBit, true), col("has_replication_filter", tBit, true), col("has_opaque_metadata", tBit, false),
		col("has_unchecked_assembly_data", tBit, false), col("with_check_option", tBit, false),
		col("is_date_correlation_view", tBit, false), col("is_tracked_by_cdc", tBit, true)),
		of(moduleView, func(m *ModuleDef) []Value {
			check := false
			if st, err := (&scope{}).parseViewText(m); err == nil {
				check = st.CheckOption
			}
			return []Value{false, false, false, false, check, false, false}
		}))
	r.View("sys", "sql_modules", []Column{
		col("object_id", tInt, false), col("definition", sqltypes.NVarChar(sqltypes.MaxLength), true),
		col("uses_ansi_nulls", tBit, true), col("uses_quoted_identifier", tBit, true), col("is_schema_bound", tBit, true),
		col("uses_database_collation", tBit, true), col("is_recompiled", tBit, true), col("null_on_null_input", tBit, true),
		col("execute_as_principal_id", tInt, true), col("uses_native_compilation", tBit, true),
		col("inline_type", tBit, true), col("is_inlineable", tBit, true),
	}, func(sc *scope, db *Database) ([][]Value, error) {
		var out [][]Value
		for _, m := range modulesOf(db) {
			recompiled := m.Type == moduleProc && strings.Contains(strings.ToUpper(m.Definition), "RECOMPILE")
			out = append(out, []Value{int64(m.ID), m.Definition, true, true, false, false, recompiled, false, nil, false, false, false})
		}
		return out, nil
	})
	r.Procedure("sp_helptext", SystemProc{Params: []ProcParam{
		{Name: "@objname", Type: nv(776)},
		{Name: "@columnname", Type: tSys, HasDefault: true},
	}, Run: spHelptext})
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

// spHelptext returns a module's definition one line per row (column Text,
// nvarchar(255)), each line with its line break as SQL Server sends it.
// An object that does not exist is 15009; a table has no text (15197).
func spHelptext(pc *ProcCall) (int32, error) {
	sc := pc.sc
	objname, _ := pc.Arg("@objname").(string)
	parts := splitObjectString(strings.TrimSpace(objname))
	n := &tsql.ObjectName{}
	for _, p := range parts {
		n.Parts = append(n.Parts, tsql.Ident{Name: p})
	}
	if len(parts) == 0 || len(parts) > 3 {
		return 1, newErr(sqlerr.ObjectNotInDatabase, objname, sc.s.currentDB().Name())
	}
	if pc.Given("@columnname") && pc.Arg("@columnname") != nil {
		return 1, newErr(sqlerr.Message, "sp_helptext @columnname (computed columns) is not supported by the simulator.")
	}
	var m *ModuleDef
	if _, p := sc.findModule(n, moduleProc); p != nil {
		m = p
	} else if _, v := sc.findModule(n, moduleView); v != nil {
		m = v
	}
	if m == nil {
		if obj, err := sc.resolveObject(n); err == nil && obj.table != nil {
			return 1, newErr(sqlerr.NoTextForObject, objname)
		}
		return 1, newErr(sqlerr.ObjectNotInDatabase, objname, sc.s.currentDB().Name())
	}
	var rows [][]Value
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
			rows = append(rows, []Value{line[:255]})
			line = line[255:]
		}
		rows = append(rows, []Value{line})
	}
	return 0, pc.Result([]Column{col("Text", nv(255), true)}, rows)
}

// addModuleFuncs adds OBJECT_DEFINITION(object_id): a module's definition
// in the current database, NULL for anything else.
func addModuleFuncs(builtins map[string]builtin) {
	builtins["object_definition"] = fixedArgs(1, func(c *compiler, a []*cexpr) (*cexpr, error) {
		return &cexpr{typ: sqltypes.NVarChar(sqltypes.MaxLength), nullable: true, eval: func(en *env) (Value, error) {
			v, err := a[0].eval(en)
			if err != nil || v == nil {
				return nil, err
			}
			id, ok := toInt64(v)
			if !ok {
				return nil, nil
			}
			if m := en.sc.s.currentDB().moduleByID(int(id)); m != nil {
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
		v, err := a[1].eval(en)
		if err != nil {
			return nil, err
		}
		if s, ok := v.(string); ok && !strings.EqualFold(strings.TrimSpace(s), m.Type) {
			return nil, nil
		}
	}
	return int64(m.ID), nil
}
