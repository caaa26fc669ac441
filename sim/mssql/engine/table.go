package engine

import (
	"sync/atomic"

	"github.com/pchatdr/harness/sim/mssql/rowstore"
	"github.com/pchatdr/harness/sim/mssql/storage/rowseg"
	"github.com/pchatdr/harness/sim/mssql/tabledef"
)

// A user table's definition, its columns and its keys are
// sim/mssql/tabledef's, which builds them from CREATE TABLE and CREATE
// INDEX.
type (
	ColumnDef = tabledef.Column
	IndexDef  = tabledef.Index
	TableDef  = tabledef.Table
)

// Table is a user table: its definition and rows (rowstore.Table: row
// versions, unique indexes, identity counter, segment), the database it
// is in and the transaction that created it while that is uncommitted.
// The rows are guarded by the database's mu.
type Table struct {
	rowstore.Table
	db        *Database
	createdBy *Tx // uncommitted CREATE TABLE
	// identMoved: the identity counter moved since keepIdentities last
	// logged it (durability.go).
	identMoved atomic.Bool
	// ixPending names the indexes open transactions created, newest
	// last: checkpoints leave them out (collect).
	ixPending []string
}

// A row version is the row store's.
type rowVersion = rowstore.Version

func newTable(db *Database, def TableDef) *Table {
	h := &rowstore.Hooks{EncInsert: encInsert, EncDelete: encDelete, NewSeg: db.newSeg}
	return &Table{Table: rowstore.NewTable(def, db.store, h), db: db}
}

// seenBy reports whether tx sees t: a table an uncommitted CREATE TABLE
// made is its creator's only, as a row version is its inserter's.
func (t *Table) seenBy(tx *Tx) bool { return rowstore.Visible(t.createdBy, nil, tx) }

// newSeg is an empty segment for a table of db: on disk beside the
// instance's databases when it has a data folder (a seeded or restored mgc
// of gigabytes then costs disk and page cache, not heap), else in memory.
func (db *Database) newSeg() *rowseg.Segment {
	if dir := db.inst.cfg.DataDir; dir != "" {
		return rowseg.NewOnDisk(dir, db.inst.cfg.SegmentWrites)
	}
	return rowseg.New()
}

// segAppend is rowstore.Table.SegAppend for recovery's and a restore's
// apply: with refs the row is read later from the snapshot at the
// stream's offset of its bytes (inBody into the operation's body).
func (t *Table) segAppend(id int64, row []byte, vals []Value, refs *segRefs, inBody int) bool {
	var at int64
	if refs != nil {
		at = refs.or.BodyAt() + int64(inBody)
	}
	return t.SegAppend(id, row, vals, refs != nil, at)
}
