package engine

import (
	"errors"
	"fmt"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/storage/rowseg"
)

// A SELECT of plain columns of one table streams (query.Plan.Stream,
// sim/mssql/query/stream.go): the table's rows come from scanEach, which
// decodes a segment row's needed columns only, and streamSelect sends
// each as it comes.

// scanEach calls fn with each row of t visible to the session's
// transaction, in scan's order, with the values need names (the others
// nil when the row comes from the segment); fn must not keep row. The
// snapshot is taken under the database's lock (the segment's view and the
// visible row versions), the rows are decoded after it.
func (sc *scope) scanEach(t *Table, need []bool, fn func(row []Value) error) error {
	db := t.db
	db.mu.RLock()
	var seg rowseg.View
	if t.Seg != nil {
		seg = t.Seg.View()
	}
	n := t.SegLive()
	var rows [][]Value
	for _, r := range t.Rows {
		if r.Visible(sc.s.tx) {
			rows = append(rows, r.Vals)
		}
	}
	db.mu.RUnlock()
	sc.countScan(t, n+len(rows))
	buf := make([]Value, len(t.Cols))
	if err := seg.Each(func(id int64, b []byte) error {
		if err := sqltypes.ReadRowCols(b, buf, need); err != nil {
			// The segment holds only rows the engine encoded or decoded
			// itself (segVals): a row of another width is decoded whole.
			vals, _, err := sqltypes.ReadRow(b)
			if err != nil {
				panic(fmt.Sprintf("engine: segment row %d of %s.%s: %v", id, t.Schema, t.Name, err))
			}
			return fn(vals)
		}
		return fn(buf)
	}); err != nil {
		return err
	}
	for _, r := range rows {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// streamSelect sends a streaming plan's result set: the column metadata,
// each row as it is read, the row count (SET ROWCOUNT stops the scan).
func (sc *scope) streamSelect(p *plan) error {
	if err := sc.emit(sc.out.Columns(p.Cols)); err != nil {
		return err
	}
	var n int64
	rc := sc.s.opts.RowCount
	enough := fmt.Errorf("engine: ROWCOUNT %d reached", rc) // stops the scan; never returned
	err := p.Stream(&env{}, func(r []Value) error {
		if rc > 0 && n >= rc {
			return enough
		}
		if err := sc.ctx.Err(); err != nil {
			return err
		}
		if err := sc.emit(sc.out.Row(r)); err != nil {
			return err
		}
		n++
		return nil
	})
	if err != nil && !errors.Is(err, enough) {
		return err
	}
	sc.s.rowcount = n
	sc.s.lastError = 0
	return sc.done(DoneInfo{Count: n, HasCount: true, CurCmd: 0xC1})
}
