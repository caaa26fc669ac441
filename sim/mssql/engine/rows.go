package engine

import "github.com/pchatdr/harness/sim/mssql/rowstore"

// insertRow adds a new version of vals to t for tx. It returns a
// *rowstore.ConflictError when another active transaction holds one of the
// row's unique keys (the caller rolls the statement back, waits and retries, as
// SQL Server's key lock would make it wait), or 2627 for a duplicate.
func (t *Table) insertRow(tx *Tx, vals []Value) error {
	db := t.db
	db.mu.Lock()
	defer db.mu.Unlock()
	keys := make([]string, len(t.indexes))
	has := make([]bool, len(t.indexes))
	for i, ix := range t.indexes {
		k, ok := t.keyOf(ix, vals)
		keys[i], has[i] = k, ok
		if !ok {
			continue
		}
		h := ix.m[k]
		if h == nil || h.gone {
			if t.segHasKey(ix, k) {
				return t.dupKey(ix, vals)
			}
			continue
		}
		if x := rowstore.Holder(h.xmin, h.xmax, tx); x != nil {
			return &rowstore.ConflictError{Other: x}
		}
		if h.visible(tx) {
			return t.dupKey(ix, vals)
		}
	}
	r := &rowVersion{id: t.nextRow, vals: vals, xmin: tx}
	t.addRow(r)
	prev := make([]*rowVersion, len(t.indexes))
	for i, ix := range t.indexes {
		if has[i] {
			prev[i] = ix.m[keys[i]]
			ix.m[keys[i]] = r
		}
	}
	tx.Record(db.store, encInsert(t.ID, r.id, vals), func() {
		t.removeRow(r)
		for i, ix := range t.indexes {
			if has[i] && prev[i] != nil && !prev[i].gone {
				if cur := ix.m[keys[i]]; cur == nil || cur == r {
					ix.m[keys[i]] = prev[i]
				}
			}
		}
	}, func() { r.xmin = nil })
	return nil
}

// dupKey is the duplicate key error of ix for vals (2627, 2601).
func (t *Table) dupKey(ix *uniqueIndex, vals []Value) error {
	return rowstore.DuplicateKey(&t.TableDef, &ix.def, vals)
}

// deleteRow marks r deleted by tx. It reports false when r is no longer
// visible (deleted meanwhile), and a *rowstore.ConflictError when another active
// transaction is changing it.
func (t *Table) deleteRow(tx *Tx, r *rowVersion) (bool, error) {
	db := t.db
	db.mu.Lock()
	defer db.mu.Unlock()
	if r.segPos > 0 {
		if r = t.promote(r); r == nil {
			return false, nil
		}
	}
	if x := r.xmax; x != nil && x != tx && x.State() == rowstore.Active {
		return false, &rowstore.ConflictError{Other: x}
	}
	if !r.visible(tx) {
		return false, nil
	}
	r.xmax = tx
	tx.Record(db.store, encDelete(t.ID, r.id), func() {
		if r.xmax == tx {
			r.xmax = nil
		}
	}, func() { t.removeRow(r) })
	return true, nil
}

// scan returns the versions of t visible to tx, in insertion order.
func (t *Table) scan(tx *Tx) []*rowVersion {
	db := t.db
	db.mu.RLock()
	defer db.mu.RUnlock()
	out := make([]*rowVersion, 0, t.segLive()+len(t.rows)-t.dead)
	if t.seg != nil {
		for pos := 0; pos < t.seg.Len(); pos++ {
			if !t.seg.Dead(pos) {
				out = append(out, t.segRow(pos))
			}
		}
	}
	for _, r := range t.rows {
		if r.visible(tx) {
			out = append(out, r)
		}
	}
	return out
}

// scanVals is scan's rows as values only, for a read that changes nothing:
// a segment row is decoded straight into its values, with no version
// around them (a full scan of a seeded history makes millions).
func (t *Table) scanVals(tx *Tx) [][]Value {
	db := t.db
	db.mu.RLock()
	defer db.mu.RUnlock()
	out := make([][]Value, 0, t.segLive()+len(t.rows)-t.dead)
	if t.seg != nil {
		for pos := 0; pos < t.seg.Len(); pos++ {
			if !t.seg.Dead(pos) {
				out = append(out, t.segVals(pos))
			}
		}
	}
	for _, r := range t.rows {
		if r.visible(tx) {
			out = append(out, r.vals)
		}
	}
	return out
}

// nextIdentity hands out the next identity value (never rolled back, as in
// SQL Server).
func (t *Table) nextIdentity() int64 {
	db := t.db
	db.mu.Lock()
	defer db.mu.Unlock()
	c := t.Cols[t.identityCol()]
	t.identity = rowstore.NextIdentity(t.identity, t.identUsed, c.Seed, c.Incr)
	t.identUsed = true
	return t.identity
}

// noteExplicitIdentity moves the identity past an explicitly inserted value
// (IDENTITY_INSERT / replay).
func (t *Table) noteExplicitIdentity(v int64) {
	db := t.db
	db.mu.Lock()
	defer db.mu.Unlock()
	c := t.Cols[t.identityCol()]
	if rowstore.MovesIdentity(t.identity, t.identUsed, v, c.Incr) {
		t.identity = v
		t.identUsed = true
	}
}
