package rowstore

import "context"

// Commit makes t durable and visible. For each store it touched it
// appends one record (atomic per store) outside the stores' locks, so
// concurrent committers share fsyncs through the log's group commit; the
// versions become visible to other transactions only after the append
// returned. A transaction spanning stores is durable per store, not
// atomically across them (a crash between the appends keeps the first
// only). A failed append rolls t back and returns the log's error.
func (t *Tx) Commit(ctx context.Context) error {
	if t.State() != Active {
		return nil
	}
	actx := context.WithoutCancel(ctx)
	var held []*Store
	defer func() {
		for _, st := range held {
			st.gate.RUnlock()
		}
	}()
	for _, st := range t.stores {
		w := t.work[st]
		st.gate.RLock()
		held = append(held, st)
		if st.log == nil || len(w.ops) == 0 {
			continue
		}
		if err := st.log(actx, w.ops); err != nil {
			t.undoTo(0)
			t.finish(Aborted)
			return err
		}
	}
	t.finish(Committed)
	// Publish: committed versions lose their transaction pointer, deleted
	// versions go away. Readers already see the right thing through the
	// committed state; this only frees memory and speeds visibility checks.
	for _, st := range t.stores {
		st.mu.Lock()
		for _, u := range t.undo {
			if u.st == st && u.commit != nil {
				u.commit()
			}
		}
		st.mu.Unlock()
	}
	t.undo = nil
	return nil
}

// Rollback undoes everything t did.
func (t *Tx) Rollback() {
	if t.State() != Active {
		return
	}
	t.RollbackTo(0)
	t.finish(Aborted)
}
