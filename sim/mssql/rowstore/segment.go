package rowstore

import (
	"fmt"
	"math"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/storage/rowseg"
)

// A table's oldest committed rows may be held in a compact segment
// (rowseg) instead of as row versions: the rows a bulk load committed
// (Session.BulkLoad seals them batch by batch) and the rows a restore or
// crash recovery applied. A segment row is committed and visible to every
// transaction; a query decodes it when it reads it (scan), a checkpoint or
// BACKUP writes its stored bytes as they are (writeStateBuf), and a
// statement that deletes or updates it first turns it into an ordinary
// committed row version (Promote), so MVCC, locking and the log work on it
// as on any row. Segment rows come before the table's row versions in a
// scan, as they were inserted before them: Seal moves only the oldest
// rows, and a restore appends to the segment only while the table has no
// row versions.
//
// Everything here runs with the database's mu held (read for reads,
// write for changes).

// SegRow decodes the segment row at pos as a committed version outside
// t.Rows (SegPos says where it lives).
func (t *Table) SegRow(pos int) *Version {
	return &Version{ID: t.Seg.ID(pos), Vals: t.SegVals(pos), SegPos: int32(pos) + 1}
}

// SegVals decodes the segment row at pos.
func (t *Table) SegVals(pos int) []Value {
	vals, _, err := sqltypes.ReadRow(t.Seg.Row(pos))
	if err != nil {
		// The segment holds only rows the engine encoded or decoded
		// itself before keeping them: this is memory corruption.
		panic(fmt.Sprintf("rowstore: segment row %d of %s.%s: %v", pos, t.Schema, t.Name, err))
	}
	return vals
}

// SegAppend keeps a committed row (its encoding and its values) in the
// segment, when order allows: t has no live row versions, which would
// otherwise scan before a newer row, and id is above the segment's ids.
// With ref (a restore or recovery applying a snapshot's stream) the
// row's bytes are not copied: the segment reads them at offset at of the
// snapshot once it is whole (the engine's segRefs).
func (t *Table) SegAppend(id int64, row []byte, vals []Value, ref bool, at int64) bool {
	if len(t.Rows) > t.Dead {
		return false
	}
	if t.Seg == nil {
		t.Seg = t.hooks.NewSeg()
	}
	var pos int
	var ok bool
	if ref {
		pos, ok = t.Seg.AppendRef(id, at, len(row))
	} else {
		pos, ok = t.Seg.Append(id, row)
	}
	if !ok {
		return false
	}
	t.segIndex(pos, vals, nil)
	if id >= t.NextRow {
		t.NextRow = id + 1
	}
	return true
}

// SegMayTake reports whether SegAppend would keep a row with id (so
// applyOp decodes only SegCols of it).
func (t *Table) SegMayTake(id int64) bool {
	return len(t.Rows) <= t.Dead && (t.Seg == nil || (t.Seg.Len() == 0 || id > t.Seg.LastID()) && t.Seg.Len() < math.MaxInt32)
}

// SegCols marks the columns a segment row must be decoded for when it is
// appended: the unique indexes' key columns and the identity column.
func (t *Table) SegCols() []bool {
	w := t.segWant
	if len(w) != len(t.Cols) {
		w = make([]bool, len(t.Cols))
	} else {
		clear(w)
	}
	for _, ix := range t.uniques {
		for _, c := range ix.Def.Cols {
			w[c] = true
		}
	}
	if ic := t.IdentityCol(); ic >= 0 {
		w[ic] = true
	}
	t.segWant = w
	return w
}

// segIndex adds the segment row at pos to the unique indexes' key hashes;
// was, when not nil, is the row version it replaces in the key maps.
func (t *Table) segIndex(pos int, vals []Value, was *Version) {
	for _, ix := range t.uniques {
		k, ok := t.KeyOf(ix, vals)
		if !ok {
			continue
		}
		if was != nil && ix.M[k] == was {
			delete(ix.M, k)
		}
		if ix.seg == nil {
			ix.seg = rowseg.NewKeys()
		}
		ix.seg.Add(k, pos)
	}
}

// segHasKey reports whether a live segment row has key k in ix.
func (t *Table) segHasKey(ix *Index, k string) bool {
	if ix.seg == nil || t.Seg == nil {
		return false
	}
	found := false
	ix.seg.Lookup(k, func(pos int) bool {
		if t.Seg.Dead(pos) {
			return true
		}
		if kk, ok := t.KeyOf(ix, t.SegRow(pos).Vals); ok && kk == k {
			found = true
			return false
		}
		return true
	})
	return found
}

// SegKill deletes the segment row with id (recovery's delete and
// re-insert); false when the segment has no such live row.
func (t *Table) SegKill(id int64) bool {
	if t.Seg == nil || t.Seg.Len() == 0 || id > t.Seg.LastID() {
		// Ids only grow: a restore's next row is never in the segment
		// yet, and needs no search.
		return false
	}
	pos, ok := t.Seg.Find(id)
	if ok {
		t.Seg.Kill(pos)
	}
	return ok
}

// Promote turns the segment row r stands for into an ordinary committed
// row version (the segment's copy is marked deleted), so a transaction
// can delete or update it. It returns the version that now holds the row:
// the one an earlier Promote made, or nil when the row is gone.
func (t *Table) Promote(r *Version) *Version {
	pos := int(r.SegPos - 1)
	if t.Seg.Dead(pos) {
		return t.byID[r.ID]
	}
	t.Seg.Kill(pos)
	p := &Version{ID: r.ID, Vals: r.Vals}
	t.AddRow(p)
	for _, ix := range t.uniques {
		if k, ok := t.KeyOf(ix, p.Vals); ok {
			ix.M[k] = p
		}
	}
	return p
}

// Seal moves t's oldest row versions that are committed and not being
// deleted into the segment, in order, stopping at the first that is not.
// A version moved keeps segPos, so a statement that scanned it before
// still reaches the row (deleteRow promotes it back).
func (t *Table) Seal() {
	var buf []byte
	i := 0
	for ; i < len(t.Rows); i++ {
		r := t.Rows[i]
		if r.Gone {
			continue
		}
		if r.Xmin != nil || r.Xmax != nil {
			break
		}
		if t.Seg == nil {
			t.Seg = t.hooks.NewSeg()
		}
		buf = sqltypes.AppendRow(buf[:0], r.Vals)
		pos, ok := t.Seg.Append(r.ID, buf)
		if !ok {
			break
		}
		t.segIndex(pos, r.Vals, r)
		delete(t.byID, r.ID)
		r.SegPos = int32(pos) + 1
	}
	if i == 0 {
		return
	}
	rest := make([]*Version, 0, len(t.Rows)-i)
	for _, r := range t.Rows[i:] {
		if !r.Gone {
			rest = append(rest, r)
		}
	}
	t.Rows, t.Dead = rest, 0
}

// Unseal turns every live segment row back into a row version, ahead of
// the versions t has (CREATE INDEX builds its keys from t.Rows).
func (t *Table) Unseal() {
	if t.Seg == nil {
		return
	}
	rows := make([]*Version, 0, t.Seg.Live()+len(t.Rows)-t.Dead)
	for pos := 0; pos < t.Seg.Len(); pos++ {
		if t.Seg.Dead(pos) {
			continue
		}
		r := t.SegRow(pos)
		r.SegPos = 0
		rows = append(rows, r)
		t.byID[r.ID] = r
		for _, ix := range t.uniques {
			if k, ok := t.KeyOf(ix, r.Vals); ok {
				ix.M[k] = r
			}
		}
	}
	for _, r := range t.Rows {
		if !r.Gone {
			rows = append(rows, r)
		}
	}
	t.Rows, t.Dead, t.Seg = rows, 0, nil
	for _, ix := range t.uniques {
		ix.seg = nil
	}
}

// SegLive is the number of live segment rows.
func (t *Table) SegLive() int {
	if t.Seg == nil {
		return 0
	}
	return t.Seg.Live()
}
