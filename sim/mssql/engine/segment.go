package engine

import (
	"encoding/binary"
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
// committed row version (promote), so MVCC, locking and the log work on it
// as on any row. Segment rows come before the table's row versions in a
// scan, as they were inserted before them: seal moves only the oldest
// rows, and a restore appends to the segment only while the table has no
// row versions.
//
// Everything here runs with the database's mu held (read for reads,
// write for changes).

// segRow decodes the segment row at pos as a committed version outside
// t.rows (segPos says where it lives).
func (t *Table) segRow(pos int) *rowVersion {
	return &rowVersion{id: t.seg.ID(pos), vals: t.segVals(pos), segPos: int32(pos) + 1}
}

// segVals decodes the segment row at pos.
func (t *Table) segVals(pos int) []Value {
	vals, _, err := sqltypes.ReadRow(t.seg.Row(pos))
	if err != nil {
		// The segment holds only rows the engine encoded or decoded
		// itself before keeping them: this is memory corruption.
		panic(fmt.Sprintf("engine: segment row %d of %s.%s: %v", pos, t.Schema, t.Name, err))
	}
	return vals
}

// newSeg is an empty segment for t: on disk beside the instance's
// databases when it has a data folder (a seeded or restored mgc of
// gigabytes then costs disk and page cache, not heap), else in memory.
func (t *Table) newSeg() *rowseg.Segment {
	if dir := t.db.inst.cfg.DataDir; dir != "" {
		return rowseg.NewOnDisk(dir, t.db.inst.cfg.SegmentWrites)
	}
	return rowseg.New()
}

// segAppend keeps a committed row (its encoding and its values) in the
// segment, when order allows: t has no live row versions, which would
// otherwise scan before a newer row, and id is above the segment's ids.
// With refs (a restore or recovery applying a snapshot's stream) the
// row's bytes are not copied: the segment reads them from the snapshot
// once it is whole (segRefs).
func (t *Table) segAppend(id int64, row []byte, vals []Value, refs *segRefs, inBody int) bool {
	if len(t.rows) > t.dead {
		return false
	}
	if t.seg == nil {
		t.seg = t.newSeg()
	}
	var pos int
	var ok bool
	if refs != nil {
		pos, ok = t.seg.AppendRef(id, refs.or.bodyAt+int64(inBody), len(row))
	} else {
		pos, ok = t.seg.Append(id, row)
	}
	if !ok {
		return false
	}
	t.segIndex(pos, vals, nil)
	if id >= t.nextRow {
		t.nextRow = id + 1
	}
	return true
}

// segMayTake reports whether segAppend would keep a row with id (so
// applyOp decodes only segCols of it).
func (t *Table) segMayTake(id int64) bool {
	return len(t.rows) <= t.dead && (t.seg == nil || (t.seg.Len() == 0 || id > t.seg.LastID()) && t.seg.Len() < math.MaxInt32)
}

// segCols marks the columns a segment row must be decoded for when it is
// appended: the unique indexes' key columns and the identity column.
func (t *Table) segCols() []bool {
	w := t.segWant
	if len(w) != len(t.Cols) {
		w = make([]bool, len(t.Cols))
	} else {
		clear(w)
	}
	for _, ix := range t.indexes {
		for _, c := range ix.def.Cols {
			w[c] = true
		}
	}
	if ic := t.identityCol(); ic >= 0 {
		w[ic] = true
	}
	t.segWant = w
	return w
}

// segIndex adds the segment row at pos to the unique indexes' key hashes;
// was, when not nil, is the row version it replaces in the key maps.
func (t *Table) segIndex(pos int, vals []Value, was *rowVersion) {
	for _, ix := range t.indexes {
		k, ok := t.keyOf(ix, vals)
		if !ok {
			continue
		}
		if was != nil && ix.m[k] == was {
			delete(ix.m, k)
		}
		if ix.seg == nil {
			ix.seg = rowseg.NewKeys()
		}
		ix.seg.Add(k, pos)
	}
}

// segHasKey reports whether a live segment row has key k in ix.
func (t *Table) segHasKey(ix *uniqueIndex, k string) bool {
	if ix.seg == nil || t.seg == nil {
		return false
	}
	found := false
	ix.seg.Lookup(k, func(pos int) bool {
		if t.seg.Dead(pos) {
			return true
		}
		if kk, ok := t.keyOf(ix, t.segRow(pos).vals); ok && kk == k {
			found = true
			return false
		}
		return true
	})
	return found
}

// segKill deletes the segment row with id (recovery's delete and
// re-insert); false when the segment has no such live row.
func (t *Table) segKill(id int64) bool {
	if t.seg == nil || t.seg.Len() == 0 || id > t.seg.LastID() {
		// Ids only grow: a restore's next row is never in the segment
		// yet, and needs no search.
		return false
	}
	pos, ok := t.seg.Find(id)
	if ok {
		t.seg.Kill(pos)
	}
	return ok
}

// promote turns the segment row r stands for into an ordinary committed
// row version (the segment's copy is marked deleted), so a transaction
// can delete or update it. It returns the version that now holds the row:
// the one an earlier promote made, or nil when the row is gone.
func (t *Table) promote(r *rowVersion) *rowVersion {
	pos := int(r.segPos - 1)
	if t.seg.Dead(pos) {
		return t.byID[r.id]
	}
	t.seg.Kill(pos)
	p := &rowVersion{id: r.id, vals: r.vals}
	t.addRow(p)
	for _, ix := range t.indexes {
		if k, ok := t.keyOf(ix, p.vals); ok {
			ix.m[k] = p
		}
	}
	return p
}

// seal moves t's oldest row versions that are committed and not being
// deleted into the segment, in order, stopping at the first that is not.
// A version moved keeps segPos, so a statement that scanned it before
// still reaches the row (deleteRow promotes it back).
func (t *Table) seal() {
	var buf []byte
	i := 0
	for ; i < len(t.rows); i++ {
		r := t.rows[i]
		if r.gone {
			continue
		}
		if r.xmin != nil || r.xmax != nil {
			break
		}
		if t.seg == nil {
			t.seg = t.newSeg()
		}
		buf = sqltypes.AppendRow(buf[:0], r.vals)
		pos, ok := t.seg.Append(r.id, buf)
		if !ok {
			break
		}
		t.segIndex(pos, r.vals, r)
		delete(t.byID, r.id)
		r.segPos = int32(pos) + 1
	}
	if i == 0 {
		return
	}
	rest := make([]*rowVersion, 0, len(t.rows)-i)
	for _, r := range t.rows[i:] {
		if !r.gone {
			rest = append(rest, r)
		}
	}
	t.rows, t.dead = rest, 0
}

// unseal turns every live segment row back into a row version, ahead of
// the versions t has (CREATE INDEX builds its keys from t.rows).
func (t *Table) unseal() {
	if t.seg == nil {
		return
	}
	rows := make([]*rowVersion, 0, t.seg.Live()+len(t.rows)-t.dead)
	for pos := 0; pos < t.seg.Len(); pos++ {
		if t.seg.Dead(pos) {
			continue
		}
		r := t.segRow(pos)
		r.segPos = 0
		rows = append(rows, r)
		t.byID[r.id] = r
		for _, ix := range t.indexes {
			if k, ok := t.keyOf(ix, r.vals); ok {
				ix.m[k] = r
			}
		}
	}
	for _, r := range t.rows {
		if !r.gone {
			rows = append(rows, r)
		}
	}
	t.rows, t.dead, t.seg = rows, 0, nil
	for _, ix := range t.indexes {
		ix.seg = nil
	}
}

// segLive is the number of live segment rows.
func (t *Table) segLive() int {
	if t.seg == nil {
		return 0
	}
	return t.seg.Live()
}

// putSegInserts writes the view's live rows as insert operations of table
// id, their stored bytes as they are (no decoding, no encoding).
func putSegInserts(put func([]byte) error, v rowseg.View, id int) error {
	var hdr []byte
	return v.Each(func(rowID int64, row []byte) error {
		var ids [2 * binary.MaxVarintLen64]byte
		n := binary.PutUvarint(ids[:], uint64(id))
		n += binary.PutUvarint(ids[n:], uint64(rowID))
		hdr = append(hdr[:0], opInsert)
		hdr = binary.AppendUvarint(hdr, uint64(n+len(row)))
		hdr = append(hdr, ids[:n]...)
		if err := put(hdr); err != nil {
			return err
		}
		return put(row)
	})
}
