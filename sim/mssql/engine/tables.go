package engine

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/dml"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// tableSource resolves a named table or catalog view in FROM.
func (sc *scope) tableSource(x *tsql.TableRef) (*source, error) {
	if src, ok, err := sc.viewSource(x); ok {
		return src, err
	}
	obj, err := sc.resolveObject(&x.Name)
	if err != nil {
		return nil, err
	}
	exposed := x.Name.Object().Name
	if x.Alias != nil {
		exposed = x.Alias.Name
	}
	q := strings.ToLower(exposed)
	schema, dbn := obj.schema, obj.db.Name()
	if x.Alias != nil {
		schema, dbn = "", ""
	}
	if obj.view != nil {
		v := obj.view
		cols := make([]bindCol, len(v.cols))
		for i, vc := range v.cols {
			cols[i] = bindCol{Qual: q, Schema: schema, DB: dbn, Name: vc.Name, Type: vc.Type, Nullable: vc.Nullable}
		}
		db := obj.db
		return &source{Cols: cols, Names: []string{exposed}, Run: func(en *env) ([][]Value, error) {
			return v.rows(sc, db)
		}}, nil
	}
	t := obj.table
	cols := make([]bindCol, len(t.Cols))
	for i, tc := range t.Cols {
		cols[i] = bindCol{Qual: q, Schema: schema, DB: dbn, Name: tc.Name, Type: tc.Type, Nullable: tc.Nullable}
	}
	if x == sc.dmlTarget {
		// UPDATE/DELETE ... FROM: a hidden last column carries the row
		// version so the statement can change the row it matched.
		sc.dmlTable = t
		cols = append(cols, bindCol{Qual: "\x00", Name: rowVersionCol, Type: sqltypes.TypeInt, Nullable: true})
		return &source{Cols: cols, Names: []string{exposed}, Run: func(en *env) ([][]Value, error) {
			vs := t.Scan(sc.s.tx)
			sc.countScan(t, len(vs))
			out := make([][]Value, len(vs))
			for i, r := range vs {
				row := make([]Value, len(r.Vals)+1)
				copy(row, r.Vals)
				row[len(r.Vals)] = r
				out[i] = row
			}
			return out, nil
		}}, nil
	}
	return &source{Cols: cols, Names: []string{exposed}, Run: func(en *env) ([][]Value, error) {
		out := t.ScanVals(sc.s.tx)
		sc.countScan(t, len(out))
		return out, nil
	}, Each: func(en *env, need []bool, fn func([]Value) error) error {
		return sc.scanEach(t, need, fn)
	}}, nil
}

const rowVersionCol = dml.RowVersionCol

// object is a resolved name: a user table or a catalog view, in a database.
type object struct {
	db     *Database
	schema string
	table  *Table
	view   *catalogView
}

// nameDB is the database a one- to three-part name lives in: tempdb for a
// # name, the named database, else the session's current one; nil when
// the named database does not exist.
func (sc *scope) nameDB(n *tsql.ObjectName) *Database {
	switch {
	case strings.HasPrefix(n.Object().Name, "#"):
		return sc.s.inst.DBByID(tempdbID)
	case n.Database().Name != "":
		return sc.s.inst.DB(n.Database().Name)
	}
	return sc.s.currentDB()
}

// resolveObject finds a table or catalog view by a one- to three-part name.
// A missing object is 208 (SQL Server resolves names when the statement
// runs, so the batch stops there); a database that cannot be opened gives
// its state's error (927 RESTORING, 942 OFFLINE).
func (sc *scope) resolveObject(n *tsql.ObjectName) (*object, error) {
	if n.Server().Name != "" {
		return nil, newErr(sqlerr.ServerNotFound, n.Server().Name)
	}
	db := sc.nameDB(n)
	if db == nil {
		return nil, newErr(sqlerr.InvalidObject, nameText(n))
	}
	if e := db.openError(); e != nil {
		return nil, e
	}
	schema := n.Schema().Name
	name := sc.tableName(n)
	if strings.EqualFold(schema, "sys") || strings.EqualFold(schema, "INFORMATION_SCHEMA") {
		if v := sc.s.inst.reg.view(schema, name); v != nil {
			return &object{db: db, schema: strings.ToLower(schema), view: v}, nil
		}
		return nil, newErr(sqlerr.InvalidObject, nameText(n))
	}
	if schema == "" {
		schema = "dbo"
	}
	db.mu.RLock()
	t := db.lookupTable(schema, name, sc.s.tx)
	db.mu.RUnlock()
	if t == nil {
		if lv, ok := sc.s.inst.reg.legacy[strings.ToLower(name)]; ok && (n.Schema().Name == "" || strings.EqualFold(n.Schema().Name, "dbo")) {
			return &object{db: db, schema: "sys", view: sc.s.inst.reg.view("sys", lv)}, nil
		}
		if err := sc.viewNotUpdatable(n); err != nil {
			return nil, err
		}
		return nil, newErr(sqlerr.InvalidObject, nameText(n))
	}
	return &object{db: db, schema: t.Schema, table: t}, nil
}
