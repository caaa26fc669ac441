package engine

import (
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

// Table is a user table: its definition, its row versions and its unique
// indexes. All fields except the definition are guarded by the owning
// database's mu.
//
// Rows are versions: a row inserted by a transaction carries xmin = that
// transaction until it commits durably; a deleted row carries xmax. Other
// sessions see a version only when its inserter has committed (and its
// deleter has not), which gives read-committed-snapshot semantics: readers
// never block and never see uncommitted or not-yet-durable data.
type Table struct {
	TableDef
	db        *Database
	rows      []*rowVersion
	dead      int
	byID      map[int64]*rowVersion
	nextRow   int64
	identity  int64 // last identity value handed out
	identUsed bool
	indexes   []*uniqueIndex
	createdBy *Tx // uncommitted CREATE TABLE
	// seg holds the oldest committed rows compactly (segment.go); nil
	// when the table has none.
	seg *rowseg.Segment
	// segWant and segScratch are applyOp's reusable buffers for the
	// columns a segment row is decoded for and their values.
	segWant    []bool
	segScratch []Value
}

type uniqueIndex struct {
	def IndexDef
	m   map[string]*rowVersion
	// seg finds the table's segment rows by key (nil: none).
	seg *rowseg.Keys
}

type rowVersion struct {
	id   int64
	vals []Value
	xmin *Tx // nil: committed
	xmax *Tx // nil: live
	gone bool
	// segPos is 1 + the row's position in the table's segment when the
	// version stands for a segment row (segment.go), else 0.
	segPos int32
}

func newTable(db *Database, def TableDef) *Table {
	t := &Table{TableDef: def, db: db, byID: map[int64]*rowVersion{}}
	for _, ix := range def.Indexes {
		if !ix.NonUnique {
			t.indexes = append(t.indexes, &uniqueIndex{def: ix, m: map[string]*rowVersion{}})
		}
	}
	for _, c := range def.Cols {
		if c.Identity {
			t.identity = c.Seed - c.Incr
		}
	}
	return t
}

func (t *Table) identityCol() int {
	for i, c := range t.Cols {
		if c.Identity {
			return i
		}
	}
	return -1
}

// seenBy reports whether tx sees t: a table an uncommitted CREATE TABLE
// made is its creator's only, as a row version is its inserter's.
func (t *Table) seenBy(tx *Tx) bool { return rowstore.Visible(t.createdBy, nil, tx) }

// visible reports whether tx (nil: no transaction) sees r (rowstore.Visible).
func (r *rowVersion) visible(tx *Tx) bool {
	return !r.gone && rowstore.Visible(r.xmin, r.xmax, tx)
}

// committedLive reports whether r belongs in a checkpoint: durably inserted
// and not durably deleted.
func (r *rowVersion) committedLive() bool {
	return !r.gone && rowstore.Durable(r.xmin, r.xmax)
}

func (t *Table) keyOf(ix *uniqueIndex, vals []Value) (string, bool) {
	return rowstore.Key(&ix.def, t.Cols, vals)
}

// addRow stores a new version (caller holds db.mu).
func (t *Table) addRow(r *rowVersion) {
	t.rows = append(t.rows, r)
	t.byID[r.id] = r
	if r.id >= t.nextRow {
		t.nextRow = r.id + 1
	}
}

// removeRow drops a version physically (caller holds db.mu).
func (t *Table) removeRow(r *rowVersion) {
	if r.gone {
		return
	}
	r.gone = true
	delete(t.byID, r.id)
	for _, ix := range t.indexes {
		if k, ok := t.keyOf(ix, r.vals); ok && ix.m[k] == r {
			delete(ix.m, k)
		}
	}
	t.dead++
	if t.dead > 64 && t.dead > len(t.rows)/2 {
		live := make([]*rowVersion, 0, len(t.rows)-t.dead)
		for _, x := range t.rows {
			if !x.gone {
				live = append(live, x)
			}
		}
		t.rows = live
		t.dead = 0
	}
}

// addIndex adds an index to the definition and, when unique, builds it from
// the committed rows (caller holds db.mu). It returns the first duplicate
// it met, if any (the caller then removes the index again).
func (t *Table) addIndex(ix IndexDef) (dup []Value) {
	t.unseal()
	t.Indexes = append(append([]IndexDef(nil), t.Indexes...), ix)
	if ix.NonUnique {
		return nil
	}
	u := &uniqueIndex{def: ix, m: map[string]*rowVersion{}}
	for _, r := range t.rows {
		if r.gone || (r.xmax != nil && r.xmax.State() == rowstore.Committed) {
			continue
		}
		k, ok := t.keyOf(u, r.vals)
		if !ok {
			continue
		}
		if h := u.m[k]; h != nil && dup == nil {
			dup = r.vals
		}
		u.m[k] = r
	}
	t.indexes = append(t.indexes, u)
	return dup
}

// dropLastIndex undoes addIndex.
func (t *Table) dropLastIndex() {
	ix := t.Indexes[len(t.Indexes)-1]
	t.Indexes = t.Indexes[:len(t.Indexes)-1]
	if !ix.NonUnique {
		t.indexes = t.indexes[:len(t.indexes)-1]
	}
}
