package engine

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/pchatdr/harness/sim/mssql/dml"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// BulkLoad inserts rows into table (a one- to three-part name, resolved in
// the session's database as INSERT resolves it) at storage speed: no T-SQL
// text and no TDS, but the same row building as INSERT (column list,
// identity, defaults, conversions, NOT NULL, unique keys) and the same
// durable log. It commits every batchRows rows, as BULK INSERT ... WITH
// (BATCHSIZE = n) does: a failure keeps the batches committed before it
// and reports how many rows they hold, as SQL Server does.
//
// It exists to seed databases of gigabytes (a production-sized mgc) that a
// row-per-statement INSERT through the wire would take hours to build;
// what it stores is indistinguishable from what INSERT would have stored.
// next returns io.EOF after the last row; types are the Go values' SQL
// types, one per column in cols.
func (s *Session) BulkLoad(ctx context.Context, table string, cols []string, types []Type, batchRows int, next func() ([]Value, error)) (int64, error) {
	if len(cols) != len(types) {
		return 0, fmt.Errorf("bulk load %s: %d columns, %d types", table, len(cols), len(types))
	}
	if batchRows <= 0 {
		batchRows = 10000
	}
	rctx, end, err := s.begin(ctx, "BULK INSERT")
	if err != nil {
		return 0, err
	}
	defer end()
	if s.tx != nil {
		return 0, newErr(sqlerr.BackupInTransaction) // not inside a user transaction: batches commit on their own
	}
	name, err := tsql.ParseObjectName(table)
	if err != nil {
		return 0, err
	}
	sc := s.newScope(rctx, nil)
	t, err := sc.target(&name, "")
	if err != nil {
		return 0, err
	}
	idents := make([]tsql.Ident, len(cols))
	for i, c := range cols {
		idents[i] = tsql.Ident{Raw: c, Name: c}
	}
	rb, err := dml.NewRowBuilder(dmlScope{sc}, t, idents)
	if err != nil {
		return 0, err
	}
	rb.Stmt = "BULK INSERT"
	var total int64
	done := false
	for !done {
		if err := rctx.Err(); err != nil {
			return total, err
		}
		tx := newTx(s)
		var n int64
		for n < int64(batchRows) {
			vals, err := next()
			if errors.Is(err, io.EOF) {
				done = true
				break
			}
			if err == nil {
				err = bulkInsert(rctx, tx, t, rb, vals, types)
			}
			if err != nil {
				tx.Rollback()
				return total, err
			}
			n++
		}
		if err := tx.Commit(rctx); err != nil {
			return total, s.logFailure(err)
		}
		total += n
		// The batch's rows are committed and nobody changed them yet: kept
		// compactly from now on (rowstore/segment.go), so a history of gigabytes
		// costs about its size in memory.
		db := t.db
		db.mu.Lock()
		t.Seal()
		db.mu.Unlock()
	}
	return total, nil
}

// bulkInsert builds and inserts one row; a key another transaction holds is
// waited for (insertRow changed nothing when it says so), as INSERT waits
// on the key lock.
func bulkInsert(ctx context.Context, tx *Tx, t *Table, rb *dml.RowBuilder, vals []Value, types []Type) error {
	row, err := rb.Build(vals, types, nil)
	if err != nil {
		return err
	}
	for {
		if retry, err := tx.AwaitConflict(ctx, t.Insert(tx, row)); !retry {
			return err
		}
	}
}
