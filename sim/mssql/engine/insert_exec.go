package engine

import (
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// INSERT [INTO] target EXEC procedure ...: the procedure runs first and
// the rows of its result sets become the rows to insert (Microsoft's
// "INSERT (Transact-SQL)", INSERT ... EXECUTE). Its result sets go to the
// insert instead of the client; its messages still reach the client.
// Every result set must have the target's column count (213), as on SQL
// Server.

// captureResults keeps a procedure's rows for INSERT ... EXEC.
type captureResults struct {
	Results
	cols    []Column
	rows    [][]Value
	badCols bool
}

func (c *captureResults) Columns(cols []Column) error {
	if c.cols == nil {
		c.cols = cols
	} else if len(cols) != len(c.cols) {
		c.badCols = true
	}
	return nil
}

func (c *captureResults) Row(r []Value) error {
	c.rows = append(c.rows, append([]Value(nil), r...))
	return nil
}

// Done of the procedure's statements is the insert's business: the
// client sees the INSERT's own count.
func (c *captureResults) Done(DoneInfo) error { return nil }

// insertExecPlan runs x and returns its rows as a query plan over want
// columns (the insert's target column count).
func (sc *scope) insertExecPlan(x *tsql.ExecStmt, want int) (*plan, error) {
	cap := &captureResults{Results: sc.out}
	saved := sc.out
	sc.out = cap
	err := sc.execExec(x)
	sc.out = saved
	if err != nil {
		return nil, err
	}
	if cap.badCols || (cap.cols != nil && len(cap.cols) != want) {
		return nil, newErr(sqlerr.InsertColumnCountMismatch)
	}
	cols := cap.cols
	if cols == nil {
		cols = make([]Column, want)
	}
	rows := cap.rows
	return &plan{Cols: cols, Run: func(*env, int) ([][]Value, error) { return rows, nil }}, nil
}
