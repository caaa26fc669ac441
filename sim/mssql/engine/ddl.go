package engine

import (
	"slices"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/collation"
	"github.com/pchatdr/harness/sim/mssql/rowstore"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tabledef"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// tableDB resolves the database and schema a CREATE/DROP TABLE names.
func (sc *scope) tableDB(n *tsql.ObjectName) (*Database, string, error) {
	db := sc.nameDB(n)
	if db == nil {
		return nil, "", newErr(sqlerr.DatabaseNotFound, n.Database().Name)
	}
	if e := db.openError(); e != nil {
		return nil, "", e
	}
	if db.Meta().ReadOnly {
		return nil, "", newErr(sqlerr.DatabaseReadOnly, db.Name())
	}
	schema := n.Schema().Name
	if schema == "" {
		schema = "dbo"
	}
	if !strings.EqualFold(schema, "dbo") {
		return nil, "", newErr(sqlerr.SchemaNotFound, schema)
	}
	return db, "dbo", nil
}

func constInt(sc *scope, e tsql.Expr, def int64) (int64, error) {
	if e == nil {
		return def, nil
	}
	v, _, err := sc.evalScalar(e)
	if err != nil {
		return 0, err
	}
	n, ok := toInt64(v)
	if !ok {
		return 0, newErr(sqlerr.SyntaxError, exprText(e))
	}
	return n, nil
}

func (sc *scope) execCreateTable(x *tsql.CreateTableStmt) error {
	db, schema, err := sc.tableDB(&x.Name)
	if err != nil {
		return err
	}
	name := sc.tableName(&x.Name)
	def, err := sc.tableDef(x, schema, name, db.Collation())
	if err != nil {
		return err
	}
	_, err = sc.withTx(func(tx *Tx) (int64, error) {
		db.mu.Lock()
		defer db.mu.Unlock()
		if existing := db.tables[tableKey(schema, name)]; existing != nil {
			if c := rowstore.Holder(existing.createdBy, nil, tx); c != nil {
				return 0, &rowstore.ConflictError{Other: c}
			}
			return 0, newErr(sqlerr.ObjectExists, name)
		}
		if db.module(schema, name) != nil {
			return 0, newErr(sqlerr.ObjectExists, name)
		}
		def.ID = db.nextObject
		db.nextObject++
		t := newTable(db, def)
		t.createdBy = tx
		db.tables[tableKey(schema, name)] = t
		db.tablesByID[def.ID] = t
		tx.Record(db.store, encJSON(opCreateTable, def), func() {
			delete(db.tables, tableKey(schema, name))
			delete(db.tablesByID, def.ID)
		}, func() { t.createdBy = nil })
		return 0, nil
	})
	if err != nil {
		return err
	}
	sc.s.rowcount = 0
	sc.s.lastError = 0
	return sc.done(DoneInfo{})
}

// tableDef builds a table's definition from CREATE TABLE (also a table
// variable's, from DECLARE @t TABLE): sim/mssql/tabledef's rules, with
// the session's ANSI_NULL_DFLT_ON and the instance's clock. A character
// column without COLLATE takes coll, its database's collation.
func (sc *scope) tableDef(x *tsql.CreateTableStmt, schema, name string, coll collation.ID) (TableDef, error) {
	return tabledef.Build(tableDefScope{sc}, x, tabledef.Options{
		Schema: schema, Name: name, Collation: coll,
		AnsiNullDfltOn: sc.s.opts.AnsiNullDfltOn,
		Created:        sqltypes.WallClock(sc.s.inst.now()),
	})
}

// tableDefScope is a scope as sim/mssql/tabledef sees it.
type tableDefScope struct{ sc *scope }

var _ tabledef.Scope = tableDefScope{}

func (t tableDefScope) ConstInt(e tsql.Expr, def int64) (int64, error) { return constInt(t.sc, e, def) }
func (t tableDefScope) ConstraintFail(e *Error) error                  { return t.sc.constraintFail(e) }

func (sc *scope) execDropTable(x *tsql.DropTableStmt) error {
	for _, n := range x.Names {
		n := n
		db, schema, err := sc.tableDB(&n)
		if err != nil {
			return err
		}
		name := sc.tableName(&n)
		_, err = sc.withTx(func(tx *Tx) (int64, error) {
			db.mu.Lock()
			defer db.mu.Unlock()
			t := db.lookupTable(schema, name, tx)
			if t == nil {
				if m := db.module(schema, name); m != nil {
					return 0, newErr(sqlerr.DropWrongObjectType, "TABLE", name, name, "a "+m.kindWord(), "DROP "+strings.ToUpper(m.kindWord()))
				}
				if x.IfExists {
					return 0, nil
				}
				return 0, newErr(sqlerr.CannotDropNotFound, "table", nameText(&n))
			}
			for _, r := range t.Rows {
				if r.Gone {
					continue
				}
				if x := rowstore.Holder(r.Xmin, r.Xmax, tx); x != nil {
					return 0, &rowstore.ConflictError{Other: x}
				}
			}
			delete(db.tables, tableKey(t.Schema, t.Name))
			delete(db.tablesByID, t.ID)
			if db.droppedBy == nil {
				db.droppedBy = map[*Table]*Tx{}
			}
			db.droppedBy[t] = tx
			tx.Record(db.store, encID(opDropTable, t.ID), func() {
				delete(db.droppedBy, t)
				db.tables[tableKey(t.Schema, t.Name)] = t
				db.tablesByID[t.ID] = t
			}, func() { delete(db.droppedBy, t) })
			return 0, nil
		})
		if err != nil {
			return err
		}
	}
	sc.s.rowcount = 0
	sc.s.lastError = 0
	return sc.done(DoneInfo{})
}

// constraintFail reports a constraint that cannot be created as SQL Server
// does: the specific error, then 1750 "Could not create constraint or
// index. See previous errors." Inside TRY only the 1750 reaches CATCH.
func (sc *scope) constraintFail(e *Error) error {
	if sc.inTry == 0 {
		if err := sc.message(e); err != nil {
			return err
		}
		sc.s.lastError = e.Number
	}
	return newErr(sqlerr.ConstraintNotCreated)
}

func (sc *scope) execCreateIndex(x *tsql.CreateIndexStmt) error {
	if err := tabledef.CheckIndexOptions(x.Options); err != nil {
		return err
	}
	obj, err := sc.resolveObject(&x.Table)
	if err != nil {
		return err
	}
	t := obj.table
	if t == nil {
		return newErr(sqlerr.ObjectNotFound, nameText(&x.Table))
	}
	ix, err := tabledef.NewIndex(x, &t.TableDef)
	if err != nil {
		return err
	}
	db := t.db
	_, err = sc.withTx(func(tx *Tx) (int64, error) {
		db.mu.Lock()
		defer db.mu.Unlock()
		for _, r := range t.Rows {
			if x := r.Xmin; x != nil && x != tx && x.State() == rowstore.Active {
				return 0, &rowstore.ConflictError{Other: x}
			}
		}
		if dup := t.AddIndex(ix); dup != nil {
			t.DropLastIndex()
			return 0, newErr(sqlerr.DuplicateKeyCreateIndex, t.Schema+"."+t.Name, ix.Name, "("+rowstore.FormatKey(&ix, t.Cols, dup)+")")
		}
		body, _ := jsonMarshal(ix)
		op := appendOp(nil, opIndex, append(binaryUvarint(uint64(t.ID)), body...))
		t.ixPending = append(t.ixPending, ix.Name)
		tx.Record(db.store, op, func() {
			t.DropLastIndex()
			t.ixPending = t.ixPending[:len(t.ixPending)-1]
		}, func() { t.ixPending = slices.DeleteFunc(t.ixPending, func(n string) bool { return n == ix.Name }) })
		return 0, nil
	})
	if err != nil {
		return err
	}
	sc.s.rowcount = 0
	sc.s.lastError = 0
	return sc.done(DoneInfo{})
}

// tableName is the stored name of a table: a local temporary table (#t)
// belongs to its session, so its name carries the session id
// (tabledef.StoredName).
func (sc *scope) tableName(n *tsql.ObjectName) string {
	return tabledef.StoredName(n.Object().Name, sc.s.id)
}

// dropTempTables removes a session's local temporary tables.
func (s *Session) dropTempTables() {
	s.dropTempModules()
	db := s.inst.DBByID(tempdbID)
	if db == nil {
		return
	}
	// Called on every connection reset (go-mssqldb resets a pooled
	// connection before each use), so the common case (no temporary table)
	// only takes the read lock and formats nothing.
	suffix := tabledef.TempSuffix(s.id)
	mine := func(t *Table) bool { return strings.HasPrefix(t.Name, "#") && strings.HasSuffix(t.Name, suffix) }
	db.mu.RLock()
	found := false
	for _, t := range db.tables {
		if mine(t) {
			found = true
			break
		}
	}
	db.mu.RUnlock()
	if !found {
		return
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	for k, t := range db.tables {
		if mine(t) {
			delete(db.tables, k)
			delete(db.tablesByID, t.ID)
		}
	}
}
