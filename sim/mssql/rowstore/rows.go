package rowstore

// Insert adds a new version of vals to t for tx. It returns a
// *ConflictError when another active transaction holds one of the row's
// unique keys (the caller rolls the statement back, waits and retries, as
// SQL Server's key lock would make it wait), or 2627 for a duplicate.
func (t *Table) Insert(tx *Tx, vals []Value) error {
	t.store.mu.Lock()
	defer t.store.mu.Unlock()
	keys := make([]string, len(t.uniques))
	has := make([]bool, len(t.uniques))
	for i, ix := range t.uniques {
		k, ok := t.KeyOf(ix, vals)
		keys[i], has[i] = k, ok
		if !ok {
			continue
		}
		h := ix.M[k]
		if h == nil || h.Gone {
			if t.segHasKey(ix, k) {
				return t.DupKey(ix, vals)
			}
			continue
		}
		if x := Holder(h.Xmin, h.Xmax, tx); x != nil {
			return &ConflictError{Other: x}
		}
		if h.Visible(tx) {
			return t.DupKey(ix, vals)
		}
	}
	r := &Version{ID: t.NextRow, Vals: vals, Xmin: tx}
	t.AddRow(r)
	prev := make([]*Version, len(t.uniques))
	for i, ix := range t.uniques {
		if has[i] {
			prev[i] = ix.M[keys[i]]
			ix.M[keys[i]] = r
		}
	}
	tx.Record(t.store, t.hooks.EncInsert(t.ID, r.ID, vals), func() {
		t.RemoveRow(r)
		for i, ix := range t.uniques {
			if has[i] && prev[i] != nil && !prev[i].Gone {
				if cur := ix.M[keys[i]]; cur == nil || cur == r {
					ix.M[keys[i]] = prev[i]
				}
			}
		}
	}, func() { r.Xmin = nil })
	return nil
}

// DupKey is the duplicate key error of ix for vals (2627, 2601).
func (t *Table) DupKey(ix *Index, vals []Value) error {
	return DuplicateKey(&t.TableDef, &ix.Def, vals)
}

// Delete marks r deleted by tx. It reports false when r is no longer
// visible (deleted meanwhile), and a *ConflictError when another active
// transaction is changing it.
func (t *Table) Delete(tx *Tx, r *Version) (bool, error) {
	t.store.mu.Lock()
	defer t.store.mu.Unlock()
	if r.SegPos > 0 {
		if r = t.Promote(r); r == nil {
			return false, nil
		}
	}
	if x := r.Xmax; x != nil && x != tx && x.State() == Active {
		return false, &ConflictError{Other: x}
	}
	if !r.Visible(tx) {
		return false, nil
	}
	r.Xmax = tx
	tx.Record(t.store, t.hooks.EncDelete(t.ID, r.ID), func() {
		if r.Xmax == tx {
			r.Xmax = nil
		}
	}, func() { t.RemoveRow(r) })
	return true, nil
}

// Scan returns the versions of t visible to tx, in insertion order.
func (t *Table) Scan(tx *Tx) []*Version {
	t.store.mu.RLock()
	defer t.store.mu.RUnlock()
	out := make([]*Version, 0, t.SegLive()+len(t.Rows)-t.Dead)
	if t.Seg != nil {
		for pos := 0; pos < t.Seg.Len(); pos++ {
			if !t.Seg.Dead(pos) {
				out = append(out, t.SegRow(pos))
			}
		}
	}
	for _, r := range t.Rows {
		if r.Visible(tx) {
			out = append(out, r)
		}
	}
	return out
}

// ScanVals is Scan's rows as values only, for a read that changes nothing:
// a segment row is decoded straight into its values, with no version
// around them (a full scan of a seeded history makes millions).
func (t *Table) ScanVals(tx *Tx) [][]Value {
	t.store.mu.RLock()
	defer t.store.mu.RUnlock()
	out := make([][]Value, 0, t.SegLive()+len(t.Rows)-t.Dead)
	if t.Seg != nil {
		for pos := 0; pos < t.Seg.Len(); pos++ {
			if !t.Seg.Dead(pos) {
				out = append(out, t.SegVals(pos))
			}
		}
	}
	for _, r := range t.Rows {
		if r.Visible(tx) {
			out = append(out, r.Vals)
		}
	}
	return out
}

// NextIdentity hands out the next identity value (never rolled back, as in
// SQL Server).
func (t *Table) NextIdentity() int64 {
	t.store.mu.Lock()
	defer t.store.mu.Unlock()
	c := t.Cols[t.IdentityCol()]
	t.Identity = NextIdentity(t.Identity, t.IdentUsed, c.Seed, c.Incr)
	t.IdentUsed = true
	return t.Identity
}

// NoteExplicitIdentity moves the identity past an explicitly inserted value
// (IDENTITY_INSERT / replay).
func (t *Table) NoteExplicitIdentity(v int64) {
	t.store.mu.Lock()
	defer t.store.mu.Unlock()
	c := t.Cols[t.IdentityCol()]
	if MovesIdentity(t.Identity, t.IdentUsed, v, c.Incr) {
		t.Identity = v
		t.IdentUsed = true
	}
}
