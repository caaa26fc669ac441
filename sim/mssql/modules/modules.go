// Package modules is the user modules' statements, a feature outside the
// engine (sim/mssql/features wires it in, with the catalog's module views:
// catalog.WithModuleViews): CREATE [OR ALTER] / ALTER / DROP PROCEDURE and
// VIEW with SQL Server's rules for them (what a procedure and a view bind at
// CREATE, which names collide, what ALTER and DROP of the wrong kind
// raise).
//
// A module is kept as its definition, the batch that created it, as SQL
// Server keeps it in sys.sql_modules. Keeping it, logging it and running
// it are the engine's (engine/modules.go, export_modules.go): the
// definitions live in the database and its log like tables; EXEC runs a
// procedure as a child scope of the executor, FROM compiles a view as a
// derived table, OBJECT_ID and OBJECT_DEFINITION read them.
package modules

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// Modules is the feature (named "modules": catalog.WithModuleViews adds
// sys.procedures, sys.views, sys.sql_modules and sp_helptext to it).
func Modules() engine.Feature {
	return engine.Feature{Name: "modules", Install: func(r *engine.Registry) {
		r.Statement(&tsql.CreateProcStmt{}, func(sc *engine.Scope, st tsql.Stmt) error {
			return createProc(sc, st.(*tsql.CreateProcStmt))
		})
		r.Statement(&tsql.CreateViewStmt{}, func(sc *engine.Scope, st tsql.Stmt) error {
			return createView(sc, st.(*tsql.CreateViewStmt))
		})
		r.Statement(&tsql.DropModuleStmt{}, func(sc *engine.Scope, st tsql.Stmt) error {
			return dropModule(sc, st.(*tsql.DropModuleStmt))
		})
	}}
}

func createProc(sc *engine.Scope, x *tsql.CreateProcStmt) error {
	if strings.HasPrefix(x.Name.Object().Name, "##") {
		return newErr(sqlerr.Message, "Global temporary procedures (##) are not supported by the simulator.")
	}
	db, schema, name, err := sc.ObjectTarget(&x.Name)
	if err != nil {
		return err
	}
	params, err := sc.ProcParams(x.Params)
	if err != nil {
		return err
	}
	// Variables are bound when the procedure is compiled: an undeclared
	// one is 137 at CREATE time.
	if err := sc.CheckProcBody(name, params, x.Body); err != nil {
		return err
	}
	return store(sc, db, schema, name, engine.ModuleProcedure, x.Alter, x.OrAlter, x.Text)
}

func createView(sc *engine.Scope, x *tsql.CreateViewStmt) error {
	if strings.HasPrefix(x.Name.Object().Name, "#") {
		return newErr(sqlerr.Message, "Views cannot be temporary: CREATE VIEW of a #name is refused.")
	}
	db, schema, name, err := sc.ObjectTarget(&x.Name)
	if err != nil {
		return err
	}
	// Unlike procedures, a view is bound when it is created: what it
	// selects from must exist (208, 207) and its columns must have unique
	// names (4511, 4506, 8158, 8159).
	cols, err := sc.ViewColumns(db, x.Query)
	if err != nil {
		return err
	}
	if len(x.Columns) > 0 {
		switch {
		case len(cols) > len(x.Columns):
			return newErr(sqlerr.MoreColumnsThanList, name)
		case len(cols) < len(x.Columns):
			return newErr(sqlerr.FewerColumnsThanList, name)
		}
	}
	seen := map[string]bool{}
	for i, cn := range cols {
		if len(x.Columns) > 0 {
			cn = x.Columns[i].Name
		}
		if cn == "" {
			return newErr(sqlerr.ViewNoColumnName, i+1)
		}
		if seen[strings.ToLower(cn)] {
			return newErr(sqlerr.ViewColumnNotUnique, cn, name)
		}
		seen[strings.ToLower(cn)] = true
	}
	return store(sc, db, schema, name, engine.ModuleView, x.Alter, x.OrAlter, x.Text)
}

// store creates or alters a module in a transaction (rolled back with it,
// logged when it commits). CREATE of an existing name is 2714, ALTER of a
// missing one 208, ALTER of an object of another kind 2010.
func store(sc *engine.Scope, db *engine.Database, schema, name, typ string, alter, orAlter bool, text string) error {
	now := engine.WallClock(sc.Instance().Now())
	err := sc.EditModules(db, func(e *engine.ModuleEdit) error {
		old := e.Module(schema, name)
		if e.TableHoldsName(schema, name) {
			if alter || orAlter {
				return newErr(sqlerr.AlterIncompatibleObject, name)
			}
			return newErr(sqlerr.ObjectExists, name)
		}
		switch {
		case old != nil && !alter && !orAlter:
			return newErr(sqlerr.ObjectExists, name)
		case old == nil && alter:
			return newErr(sqlerr.InvalidObject, name)
		case old != nil && old.Type != typ:
			return newErr(sqlerr.AlterIncompatibleObject, name)
		}
		m := &engine.ModuleDef{Schema: schema, Name: name, Type: typ, Definition: text, Created: now, Modified: now}
		if old != nil {
			m.ID, m.Created = old.ID, old.Created
		}
		e.Put(m)
		return nil
	})
	if err != nil {
		return err
	}
	return sc.OK()
}

func dropModule(sc *engine.Scope, x *tsql.DropModuleStmt) error {
	typ, word := engine.ModuleProcedure, "PROCEDURE"
	if x.Kind == "VIEW" {
		typ, word = engine.ModuleView, "VIEW"
	}
	for i := range x.Names {
		n := &x.Names[i]
		db, schema, name, err := sc.ObjectTarget(n)
		if err != nil {
			return err
		}
		err = sc.EditModules(db, func(e *engine.ModuleEdit) error {
			m := e.Module(schema, name)
			if m == nil || m.Type != typ {
				switch {
				case m != nil:
					return newErr(sqlerr.DropWrongObjectType, word, name, name, "a "+m.KindWord(), "DROP "+strings.ToUpper(m.KindWord()))
				case e.IsTable(schema, name):
					return newErr(sqlerr.DropWrongObjectType, word, name, name, "a table", "DROP TABLE")
				case x.IfExists:
					return nil
				}
				return newErr(sqlerr.CannotDropNotFound, strings.ToLower(word), nameText(n))
			}
			e.Drop(m)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return sc.OK()
}

// nameText is a one- to four-part name as written, without brackets
// (error 3701 names it so).
func nameText(n *tsql.ObjectName) string {
	parts := make([]string, len(n.Parts))
	for i, p := range n.Parts {
		parts[i] = p.Name
	}
	return strings.Join(parts, ".")
}

func newErr(n int32, args ...any) *engine.Error { return sqlerr.New(n, args...) }
