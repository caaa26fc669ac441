package engine

import (
	"crypto/rand"
	"encoding/hex"
	"github.com/pchatdr/harness/sim/mssql/collation"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

func randHex(n int) string {
	b := make([]byte, n/2)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

// constraintName makes SQL Server's system name for an unnamed constraint
// (PK__orders__3213E83F1A2B3C4D).
func constraintName(prefix, table string) string {
	if len(table) > 8 {
		table = table[:8]
	}
	return prefix + "__" + table + "__" + randHex(16)
}

// tableDB resolves the database and schema a CREATE/DROP TABLE names.
func (sc *scope) tableDB(n *tsql.ObjectName) (*Database, string, error) {
	db := sc.s.currentDB()
	name := n.Object().Name
	if strings.HasPrefix(name, "#") {
		db = sc.s.inst.DBByID(tempdbID)
	} else if dn := n.Database().Name; dn != "" {
		if db = sc.s.inst.DB(dn); db == nil {
			return nil, "", newErr(sqlerr.DatabaseNotFound, dn)
		}
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
			if c := existing.createdBy; c != nil && c != tx && c.State() == txActive {
				return 0, &conflictError{other: c}
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
		tx.record(db, encJSON(opCreateTable, def), func() {
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
// variable's, from DECLARE @t TABLE). A character column without COLLATE
// takes coll, its database's collation.
func (sc *scope) tableDef(x *tsql.CreateTableStmt, schema, name string, coll collation.ID) (TableDef, error) {
	def := TableDef{Schema: schema, Name: name, Created: wallClock(sc.s.inst.now())}
	seen := map[string]bool{}
	var pk *IndexDef
	for i, cd := range x.Columns {
		key := strings.ToLower(cd.Name.Name)
		if seen[key] {
			return TableDef{}, newErr(sqlerr.DuplicateColumnName, cd.Name.Name, name)
		}
		seen[key] = true
		t, err := resolveType(cd.Typ, false, i+1)
		if err != nil {
			return TableDef{}, err
		}
		cid, err := lookupCollation(cd.Collation, coll)
		if err != nil {
			return TableDef{}, err
		}
		t = collated(t, cid)
		// A column declared neither NULL nor NOT NULL takes the session's
		// ANSI_NULL_DFLT_ON/OFF (both off: the database's ANSI_NULL_DEFAULT,
		// OFF unless set, i.e. NOT NULL).
		nullable := cd.Null == tsql.NullAllowed || (cd.Null == tsql.NullUnspecified && sc.s.opts.AnsiNullDfltOn)
		col := ColumnDef{Name: cd.Name.Name, Type: t, Nullable: nullable}
		if cd.Identity != nil {
			if !t.Kind.IsInteger() && !(t.Kind == sqltypes.KindDecimal && t.Scale == 0) {
				return TableDef{}, newErr(sqlerr.IdentityType, cd.Name.Name, name)
			}
			col.Identity = true
			if col.Seed, err = constInt(sc, cd.Identity.Seed, 1); err != nil {
				return TableDef{}, err
			}
			if col.Incr, err = constInt(sc, cd.Identity.Increment, 1); err != nil {
				return TableDef{}, err
			}
			if col.Incr == 0 {
				return TableDef{}, newErr(sqlerr.IdentityType, cd.Name.Name, name)
			}
			if cd.Null == tsql.NullAllowed {
				return TableDef{}, newErr(sqlerr.IdentityNullable, cd.Name.Name, name)
			}
			col.Nullable = false
		}
		if cd.Default != nil {
			if cd.Identity != nil {
				return TableDef{}, newErr(sqlerr.DefaultOnIdentity, cd.Name.Name, name)
			}
			col.Default = cd.Default.String()
			if cd.DefaultName != nil {
				col.DefaultName = cd.DefaultName.Name
			} else {
				col.DefaultName = constraintName("DF", name)
			}
		}
		if cd.Check != nil {
			return TableDef{}, newErr(sqlerr.Message, "CHECK constraints are not supported by the simulator.")
		}
		if cd.PrimaryKey {
			if pk != nil {
				return TableDef{}, newErr(sqlerr.MultiplePrimaryKeys, name)
			}
			if cd.Null == tsql.NullAllowed {
				return TableDef{}, sc.constraintFail(newErr(sqlerr.PrimaryKeyNullable, name))
			}
			col.Nullable = false
			pk = &IndexDef{Name: keyName(cd.KeyName, "PK", name), Primary: true, Cols: []int{i}}
			def.Indexes = append(def.Indexes, *pk)
		}
		if cd.Unique {
			def.Indexes = append(def.Indexes, IndexDef{Name: keyName(cd.KeyName, "UQ", name), Cols: []int{i}})
		}
		def.Cols = append(def.Cols, col)
	}
	for _, tc := range x.Constraints {
		if err := checkIndexOptions(tc.Options); err != nil {
			return TableDef{}, err
		}
		switch tc.Kind {
		case tsql.ConstraintPrimaryKey, tsql.ConstraintUnique:
			ix := IndexDef{Primary: tc.Kind == tsql.ConstraintPrimaryKey}
			for _, ic := range tc.Columns {
				ci := -1
				for j, c := range def.Cols {
					if strings.EqualFold(c.Name, ic.Name.Name) {
						ci = j
					}
				}
				if ci < 0 {
					return TableDef{}, newErr(sqlerr.ColumnNotInTarget, ic.Name.Name)
				}
				if ix.Primary {
					if x.Columns[ci].Null == tsql.NullAllowed {
						return TableDef{}, sc.constraintFail(newErr(sqlerr.PrimaryKeyNullable, name))
					}
					def.Cols[ci].Nullable = false
				}
				ix.Cols = append(ix.Cols, ci)
			}
			if tc.Name != nil {
				ix.Name = tc.Name.Name
			} else if ix.Primary {
				ix.Name = constraintName("PK", name)
			} else {
				ix.Name = constraintName("UQ", name)
			}
			if ix.Primary {
				if pk != nil {
					return TableDef{}, newErr(sqlerr.MultiplePrimaryKeys, name)
				}
				pk = &ix
			}
			def.Indexes = append(def.Indexes, ix)
		default:
			return TableDef{}, newErr(sqlerr.Message, "CHECK and FOREIGN KEY constraints are not supported by the simulator.")
		}
	}
	return def, nil
}

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
			for _, r := range t.rows {
				if r.gone {
					continue
				}
				if x := r.xmin; x != nil && x != tx && x.State() == txActive {
					return 0, &conflictError{other: x}
				}
				if x := r.xmax; x != nil && x != tx && x.State() == txActive {
					return 0, &conflictError{other: x}
				}
			}
			delete(db.tables, tableKey(t.Schema, t.Name))
			delete(db.tablesByID, t.ID)
			if db.droppedBy == nil {
				db.droppedBy = map[*Table]*Tx{}
			}
			db.droppedBy[t] = tx
			tx.record(db, encID(opDropTable, t.ID), func() {
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

// keyName is a column's key constraint name: the one it was given
// (CONSTRAINT pk_t PRIMARY KEY), else SQL Server's generated PK__t__hash.
func keyName(given *tsql.Ident, prefix, table string) string {
	if given != nil {
		return given.Name
	}
	return constraintName(prefix, table)
}

// checkIndexOptions takes the index options of a key or index. The
// physical ones (PAD_INDEX, FILLFACTOR, ALLOW_ROW_LOCKS, DATA_COMPRESSION,
// ...) change nothing the simulator models; IGNORE_DUP_KEY = ON would turn
// a duplicate key into a warning and a skipped row, which is not modelled,
// so it is refused rather than ignored.
func checkIndexOptions(opts []*tsql.Option) error {
	for _, o := range opts {
		if o.Name == "IGNORE_DUP_KEY" && o.Word == "ON" {
			return newErr(sqlerr.Message, "IGNORE_DUP_KEY = ON is not supported by the simulator.")
		}
	}
	return nil
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
	if err := checkIndexOptions(x.Options); err != nil {
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
	for _, ix := range t.Indexes {
		if strings.EqualFold(ix.Name, x.Name.Name) {
			return newErr(sqlerr.IndexExists, x.Name.Name, t.Name)
		}
	}
	ix := IndexDef{Name: x.Name.Name, NonUnique: !x.Unique, Index: true}
	for _, c := range x.Columns {
		ci := t.colIndex(c.Name.Name)
		if ci < 0 {
			return newErr(sqlerr.ColumnNotInTarget, c.Name.Name)
		}
		ix.Cols = append(ix.Cols, ci)
	}
	for _, c := range x.Include {
		if t.colIndex(c.Name) < 0 {
			return newErr(sqlerr.ColumnNotInTarget, c.Name)
		}
	}
	db := t.db
	_, err = sc.withTx(func(tx *Tx) (int64, error) {
		db.mu.Lock()
		defer db.mu.Unlock()
		for _, r := range t.rows {
			if x := r.xmin; x != nil && x != tx && x.State() == txActive {
				return 0, &conflictError{other: x}
			}
		}
		if dup := t.addIndex(ix); dup != nil {
			t.dropLastIndex()
			u := &uniqueIndex{def: ix}
			return 0, newErr(sqlerr.DuplicateKeyCreateIndex, t.Schema+"."+t.Name, ix.Name, "("+t.formatKey(u, dup)+")")
		}
		body, _ := jsonMarshal(ix)
		op := appendOp(nil, opIndex, append(binaryUvarint(uint64(t.ID)), body...))
		tx.record(db, op, func() { t.dropLastIndex() }, nil)
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
// belongs to its session, so its name carries the session id (SQL Server
// pads it with underscores and a suffix the same way).
func (sc *scope) tableName(n *tsql.ObjectName) string {
	name := n.Object().Name
	if strings.HasPrefix(name, "#") && !strings.HasPrefix(name, "##") {
		return name + tempTableSuffix(sc.s.id)
	}
	return name
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
	suffix := tempTableSuffix(s.id)
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

// tempTableSuffix is what a session's temporary table names end with:
// eight underscores and the session id in 12 hex digits.
func tempTableSuffix(id int) string {
	const hex = "0123456789ABCDEF"
	var b [20]byte
	for i := 0; i < 8; i++ {
		b[i] = '_'
	}
	v := uint64(id)
	for i := 19; i >= 8; i-- {
		b[i] = hex[v&0xF]
		v >>= 4
	}
	return string(b[:])
}
