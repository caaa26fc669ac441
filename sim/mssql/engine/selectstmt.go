package engine

import (
	"github.com/pchatdr/harness/sim/mssql/tsql"
)

// execSelect runs a SELECT statement: a result set, or variable
// assignments (SELECT @v = ...) with no result set.
func (sc *scope) execSelect(x *tsql.SelectStmt) error {
	p, err := sc.compileQuery(x, nil)
	if err != nil {
		return err
	}
	if sc.s.opts.FmtOnly {
		// SET FMTONLY ON: the result's metadata, no rows, nothing run; a
		// variable-assigning SELECT returns nothing and assigns nothing.
		if len(p.Assign) > 0 {
			return nil
		}
		if err := sc.emit(sc.out.Columns(p.Cols)); err != nil {
			return err
		}
		return sc.done(DoneInfo{CurCmd: 0xC1})
	}
	if p.Stream != nil {
		return sc.streamSelect(p)
	}
	rows, err := p.Run(&env{}, -1)
	if err != nil {
		return err
	}
	if rc := sc.s.opts.RowCount; rc > 0 && int64(len(rows)) > rc {
		rows = rows[:rc]
	}
	if len(p.Assign) > 0 {
		sc.s.rowcount = int64(len(rows))
		sc.s.lastError = 0
		return nil
	}
	if err := sc.emit(sc.out.Columns(p.Cols)); err != nil {
		return err
	}
	for _, r := range rows {
		if err := sc.ctx.Err(); err != nil {
			return err
		}
		if err := sc.emit(sc.out.Row(r)); err != nil {
			return err
		}
	}
	sc.s.rowcount = int64(len(rows))
	sc.s.lastError = 0
	return sc.done(DoneInfo{Count: int64(len(rows)), HasCount: true, CurCmd: 0xC1})
}
