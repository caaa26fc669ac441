package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/pchatdr/harness/sim/mssql/rowstore"
)

// Tx is one transaction (sim/mssql/rowstore): its undo log, savepoints,
// the log operations it owes each database, its commit and its waits.
type Tx = rowstore.Tx

// newTx is a transaction of s; it waits as long as s's LOCK_TIMEOUT says.
func newTx(s *Session) *Tx {
	tx := rowstore.NewTx(s.inst.txSeq.Add(1), s.id, func() time.Duration {
		return time.Duration(s.opts.LockTimeout) * time.Millisecond
	})
	tx.OnRollback(s.inst.keepIdentities)
	return tx
}

// appendLog writes a committing transaction's operations on d to its log
// as one record (rowstore.Tx.Commit calls it holding d's gate).
func (d *Database) appendLog(ctx context.Context, ops []byte) error {
	if d.log == nil {
		return nil
	}
	lsn, err := d.log.Append(ctx, ops)
	if err != nil {
		return fmt.Errorf("commit %s: %w", d.Name(), err)
	}
	d.sinceCkp.Add(1)
	if d.commitHook != nil {
		d.commitHook(lsn, ops)
	}
	return nil
}
