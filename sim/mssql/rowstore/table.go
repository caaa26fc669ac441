package rowstore

import (
	"github.com/pchatdr/harness/sim/mssql/storage/rowseg"
	"github.com/pchatdr/harness/sim/mssql/tabledef"
)

// TableDef is a user table's definition (sim/mssql/tabledef).
type TableDef = tabledef.Table

// Table is a user table's rows: its row versions, its unique indexes' key
// maps, its identity counter and its compact segment of old committed rows
// (segment.go). Everything but the definition is guarded by its store's mu;
// Insert, Delete, Scan, ScanVals, NextIdentity and NoteExplicitIdentity take
// it, the other methods expect the caller to hold it.
//
// Rows are versions: a row inserted by a transaction carries Xmin = that
// transaction until it commits durably; a deleted row carries Xmax. Other
// sessions see a version only when its inserter has committed (and its
// deleter has not), which gives read-committed-snapshot semantics: readers
// never block and never see uncommitted or not-yet-durable data.
//
// The exported fields are the engine's to read for its checkpoints,
// BACKUP and recovery, which know the log format (engine/durability.go's
// collect and applyOp, and the few readers beside them); the rules live in
// the methods, and the key maps (byID, uniques), which nothing outside
// the row store reads, are its own.
type Table struct {
	TableDef
	store     *Store
	hooks     *Hooks
	Rows      []*Version
	Dead      int
	byID      map[int64]*Version
	NextRow   int64
	Identity  int64 // last identity value handed out
	IdentUsed bool
	uniques   []*Index
	// Seg holds the oldest committed rows compactly (segment.go); nil
	// when the table has none.
	Seg *rowseg.Segment
	// segWant and SegScratch are recovery's reusable buffers for the
	// columns a segment row is decoded for and their values.
	segWant    []bool
	SegScratch []Value
}

// Hooks are what a table needs of its database that the row store does
// not know: the log format of its operations and where segments live.
type Hooks struct {
	// EncInsert and EncDelete encode the log operation of an insert of
	// row id with vals, and of its delete, in table.
	EncInsert func(table int, id int64, vals []Value) []byte
	EncDelete func(table int, id int64) []byte
	// NewSeg is an empty segment for the table.
	NewSeg func() *rowseg.Segment
}

// Index is a unique index's key map.
type Index struct {
	Def IndexDef
	M   map[string]*Version
	// seg finds the table's segment rows by key (nil: none).
	seg *rowseg.Keys
}

// IndexDef is an index's definition (sim/mssql/tabledef).
type IndexDef = tabledef.Index

// Version is one version of a row.
type Version struct {
	ID   int64
	Vals []Value
	Xmin *Tx // nil: committed
	Xmax *Tx // nil: live
	Gone bool
	// SegPos is 1 + the row's position in the table's segment when the
	// version stands for a segment row (segment.go), else 0.
	SegPos int32
}

// NewTable is an empty table of def in store.
func NewTable(def TableDef, store *Store, h *Hooks) Table {
	t := Table{TableDef: def, store: store, hooks: h, byID: map[int64]*Version{}}
	for _, ix := range def.Indexes {
		if !ix.NonUnique {
			t.uniques = append(t.uniques, &Index{Def: ix, M: map[string]*Version{}})
		}
	}
	for _, c := range def.Cols {
		if c.Identity {
			t.Identity = c.Seed - c.Incr
		}
	}
	return t
}

// IdentityCol is the identity column's position, -1 when none.
func (t *Table) IdentityCol() int {
	for i, c := range t.Cols {
		if c.Identity {
			return i
		}
	}
	return -1
}

// Visible reports whether tx (nil: no transaction) sees r.
func (r *Version) Visible(tx *Tx) bool {
	return !r.Gone && Visible(r.Xmin, r.Xmax, tx)
}

// CommittedLive reports whether r belongs in a checkpoint: durably inserted
// and not durably deleted.
func (r *Version) CommittedLive() bool {
	return !r.Gone && Durable(r.Xmin, r.Xmax)
}

// Values is the row's values.
func (r *Version) Values() []Value { return r.Vals }

// KeyOf is vals' key in ix (false: NULL in a UNIQUE key).
func (t *Table) KeyOf(ix *Index, vals []Value) (string, bool) {
	return Key(&ix.Def, t.Cols, vals)
}

// AddRow stores a new version.
func (t *Table) AddRow(r *Version) {
	t.Rows = append(t.Rows, r)
	t.byID[r.ID] = r
	if r.ID >= t.NextRow {
		t.NextRow = r.ID + 1
	}
}

// RemoveRow drops a version physically.
func (t *Table) RemoveRow(r *Version) {
	if r.Gone {
		return
	}
	r.Gone = true
	delete(t.byID, r.ID)
	for _, ix := range t.uniques {
		if k, ok := t.KeyOf(ix, r.Vals); ok && ix.M[k] == r {
			delete(ix.M, k)
		}
	}
	t.Dead++
	if t.Dead > 64 && t.Dead > len(t.Rows)/2 {
		live := make([]*Version, 0, len(t.Rows)-t.Dead)
		for _, x := range t.Rows {
			if !x.Gone {
				live = append(live, x)
			}
		}
		t.Rows = live
		t.Dead = 0
	}
}

// AddIndex adds an index to the definition and, when unique, builds it from
// the committed rows. It returns the first duplicate it met, if any (the
// caller then removes the index again).
func (t *Table) AddIndex(ix IndexDef) (dup []Value) {
	t.Unseal()
	t.Indexes = append(append([]IndexDef(nil), t.Indexes...), ix)
	if ix.NonUnique {
		return nil
	}
	u := &Index{Def: ix, M: map[string]*Version{}}
	for _, r := range t.Rows {
		if r.Gone || (r.Xmax != nil && r.Xmax.State() == Committed) {
			continue
		}
		k, ok := t.KeyOf(u, r.Vals)
		if !ok {
			continue
		}
		if h := u.M[k]; h != nil && dup == nil {
			dup = r.Vals
		}
		u.M[k] = r
	}
	t.uniques = append(t.uniques, u)
	return dup
}

// DropLastIndex undoes AddIndex.
func (t *Table) DropLastIndex() {
	ix := t.Indexes[len(t.Indexes)-1]
	t.Indexes = t.Indexes[:len(t.Indexes)-1]
	if !ix.NonUnique {
		t.uniques = t.uniques[:len(t.uniques)-1]
	}
}

// ApplyCommitted keeps row id with vals as a committed version and its
// keys, and moves the identity counter past its identity value: recovery's
// and a restore's insert, for a row the segment did not take (the caller
// holds the lock and has dropped any earlier version of id: Forget).
func (t *Table) ApplyCommitted(id int64, vals []Value) {
	r := &Version{ID: id, Vals: vals}
	t.AddRow(r)
	for _, ix := range t.uniques {
		if k, ok := t.KeyOf(ix, vals); ok {
			ix.M[k] = r
		}
	}
}

// NoteIdentityOf moves the identity counter past vals' identity value, as
// NoteExplicitIdentity does, for a caller holding the lock (recovery).
func (t *Table) NoteIdentityOf(vals []Value) {
	ic := t.IdentityCol()
	if ic < 0 {
		return
	}
	if v, ok := vals[ic].(int64); ok {
		if MovesIdentity(t.Identity, t.IdentUsed, v, t.Cols[ic].Incr) {
			t.Identity = v
		}
		t.IdentUsed = true
	}
}

// Forget drops row id, a version or a segment row, committed (recovery's
// delete, and its insert of an id it already has).
func (t *Table) Forget(id int64) {
	if r := t.byID[id]; r != nil {
		t.RemoveRow(r)
	} else {
		t.SegKill(id)
	}
}
