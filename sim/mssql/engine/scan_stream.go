package engine

import (
	"errors"
	"fmt"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/storage/rowseg"
	"github.com/pchatdr/harness/sim/mssql/tsql"
)

// A SELECT whose select list is only columns of one table (SELECT a, b
// FROM t, SELECT * FROM t), with no WHERE, grouping, window, ORDER BY,
// DISTINCT, TOP or OFFSET, streams its rows to the client: each row is
// decoded (only the columns the select list names, rowseg's rows straight
// from their stored bytes), sent and dropped, where the general plan
// decodes every column of every row and builds the whole result first.
// A check that reads every message of a seeded chat history of gigabytes
// (the ledger's, after a failback at scale) then costs no memory per row
// instead of about 1.4 bytes of heap per byte of table. The rows and
// their order are the general plan's (the same snapshot: the segment's
// rows and the row versions visible to the session, taken under the
// database's lock), and such a select list cannot fail on a row, so the
// client sees the same result.

// streamSpec is the streaming form of qs, or nil when qs's select list is
// not only columns of src's table (or src is no table). The caller has
// checked the rest of the query's shape.
func streamSpec(src *source, bs *bindScope, qs *tsql.QuerySpec) func(en *env, fn func([]Value) error) error {
	if src.each == nil {
		return nil
	}
	var idx []int
	for _, it := range qs.Items {
		switch {
		case it.Star:
			for i, bc := range bs.cols {
				if it.Qualifier == nil || qualMatches(bc, it.Qualifier.Parts) {
					idx = append(idx, i)
				}
			}
		case it.Var != "":
			return nil
		default:
			cr, ok := it.Expr.(*tsql.ColumnRef)
			if !ok || len(cr.Name.Parts) == 0 {
				return nil
			}
			parts := cr.Name.Parts
			depth, i, _, err := lookupColumn(bs, parts[:len(parts)-1], parts[len(parts)-1].Name, cr)
			if err != nil || depth != 0 {
				return nil
			}
			idx = append(idx, i)
		}
	}
	need := make([]bool, len(bs.cols))
	for _, i := range idx {
		need[i] = true
	}
	return func(en *env, fn func([]Value) error) error {
		return src.each(en, need, func(row []Value) error {
			out := make([]Value, len(idx)) // a Results may keep it (INSERT ... EXEC)
			for k, i := range idx {
				out[k] = row[i]
			}
			return fn(out)
		})
	}
}

// scanEach calls fn with each row of t visible to the session's
// transaction, in scan's order, with the values need names (the others
// nil when the row comes from the segment); fn must not keep row. The
// snapshot is taken under the database's lock (the segment's view and the
// visible row versions), the rows are decoded after it.
func (sc *scope) scanEach(t *Table, need []bool, fn func(row []Value) error) error {
	db := t.db
	db.mu.RLock()
	var seg rowseg.View
	if t.seg != nil {
		seg = t.seg.View()
	}
	n := t.segLive()
	var rows [][]Value
	for _, r := range t.rows {
		if r.visible(sc.s.tx) {
			rows = append(rows, r.vals)
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
	if err := sc.emit(sc.out.Columns(p.cols)); err != nil {
		return err
	}
	var n int64
	rc := sc.s.opts.RowCount
	enough := fmt.Errorf("engine: ROWCOUNT %d reached", rc) // stops the scan; never returned
	err := p.stream(&env{sc: sc}, func(r []Value) error {
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
