package engine

import (
	"context"
	"fmt"
)

// commit makes tx durable and visible. For each database it touched it
// appends one record (atomic per database) outside the table locks, so
// concurrent committers share fsyncs through the log's group commit; the
// versions become visible to other sessions only after the append returned.
// A transaction spanning databases is durable per database, not atomically
// across them (a crash between the appends keeps the first only).
func (tx *Tx) commit(ctx context.Context) error {
	if tx.State() != txActive {
		return nil
	}
	actx := context.WithoutCancel(ctx)
	var held []*Database
	defer func() {
		for _, db := range held {
			db.gate.RUnlock()
		}
	}()
	for _, db := range tx.dbs {
		w := tx.work[db]
		db.gate.RLock()
		held = append(held, db)
		if db.log == nil || len(w.ops) == 0 {
			continue
		}
		lsn, err := db.log.Append(actx, w.ops)
		if err != nil {
			tx.rollbackTo(0)
			tx.finish(txAborted)
			return fmt.Errorf("commit %s: %w", db.Name(), err)
		}
		db.sinceCkp.Add(1)
		if db.commitHook != nil {
			db.commitHook(lsn, w.ops)
		}
	}
	tx.finish(txCommitted)
	// Publish: committed versions lose their transaction pointer, deleted
	// versions go away. Readers already see the right thing through the
	// committed state; this only frees memory and speeds visibility checks.
	for _, db := range tx.dbs {
		db.mu.Lock()
		for _, u := range tx.undo {
			if u.db == db && u.commit != nil {
				u.commit()
			}
		}
		db.mu.Unlock()
	}
	tx.undo = nil
	return nil
}

// rollback undoes everything tx did.
func (tx *Tx) rollback() {
	if tx.State() != txActive {
		return
	}
	tx.rollbackTo(0)
	tx.finish(txAborted)
}
