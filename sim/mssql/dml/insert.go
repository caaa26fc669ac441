package dml

import (
	"github.com/pchatdr/harness/sim/mssql/builtins"
	"github.com/pchatdr/harness/sim/mssql/query"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// Insert runs INSERT: VALUES, DEFAULT VALUES, a query or EXEC as its
// source, TOP limiting the rows taken.
func Insert(sc Scope, x *tsql.InsertStmt) error {
	t, err := sc.Target(&x.Table, x.TableVar)
	if err != nil {
		return err
	}
	rb, err := NewRowBuilder(sc, t, x.Columns)
	if err != nil {
		return err
	}
	var top *query.Expr
	if x.Top != nil {
		if top, err = sc.Compiler().Compiler(nil).Compile(x.Top.Count); err != nil {
			return err
		}
	}
	// Compile the source before touching the table: binding errors first.
	var rowsExprs [][]*query.Expr
	var defaults [][]bool
	var plan *query.Plan
	switch {
	case x.DefaultValues:
	case x.Exec != nil:
		// The procedure runs now, its rows are the source.
		if plan, err = sc.InsertExec(x.Exec, len(rb.Targets)); err != nil {
			return err
		}
	case x.Query != nil:
		if plan, err = sc.Compiler().Query(x.Query, nil); err != nil {
			return err
		}
		if len(plan.Cols) != len(rb.Targets) {
			if len(x.Columns) == 0 {
				return newErr(sqlerr.InsertColumnCountMismatch)
			}
			if len(plan.Cols) > len(rb.Targets) {
				return newErr(sqlerr.InsertSelectTooManyItems)
			}
			return newErr(sqlerr.InsertSelectTooFewItems)
		}
	default:
		c := sc.Compiler().Compiler(nil)
		for _, r := range x.Values {
			if len(r) != len(rb.Targets) {
				if len(x.Columns) == 0 {
					return newErr(sqlerr.InsertColumnCountMismatch)
				}
				if len(r) > len(rb.Targets) {
					return newErr(sqlerr.InsertFewerColumnsThanValues)
				}
				return newErr(sqlerr.InsertMoreColumnsThanValues)
			}
			ce := make([]*query.Expr, len(r))
			def := make([]bool, len(r))
			for i, e := range r {
				if _, ok := e.(*tsql.DefaultExpr); ok {
					def[i] = true
					continue
				}
				if ce[i], err = c.Compile(e); err != nil {
					return err
				}
			}
			rowsExprs = append(rowsExprs, ce)
			defaults = append(defaults, def)
		}
	}
	ic := identityCol(rb.cols)
	var lastIdent Value
	n, err := sc.WithTx(func(tx Tx) (int64, error) {
		var srcRows [][]Value
		var srcTypes []Type
		var srcDefaults [][]bool
		switch {
		case x.DefaultValues:
			srcRows = [][]Value{{}}
			rb.Targets = nil
		case plan != nil:
			rows, err := plan.Run(&query.Env{}, -1)
			if err != nil {
				return 0, err
			}
			srcRows = rows
			for _, c := range plan.Cols {
				srcTypes = append(srcTypes, c.Type)
			}
		default:
			en := &query.Env{}
			for ri, r := range rowsExprs {
				vals := make([]Value, len(r))
				for i, e := range r {
					if e == nil {
						continue
					}
					v, err := e.Eval(en)
					if err != nil {
						return 0, err
					}
					vals[i] = v
				}
				srcRows = append(srcRows, vals)
				srcDefaults = append(srcDefaults, defaults[ri])
			}
		}
		if top != nil {
			tv, err := top.Eval(&query.Env{})
			if err != nil {
				return 0, err
			}
			if k, ok := builtins.ToInt64(tv); ok && k >= 0 && int(k) < len(srcRows) {
				srcRows = srcRows[:k]
			}
		}
		var count int64
		for ri, vals := range srcRows {
			types := srcTypes
			var def []bool
			if rowsExprs != nil {
				types = make([]Type, len(vals))
				for i, e := range rowsExprs[ri] {
					if e != nil {
						types[i] = e.Type
					}
				}
				def = srcDefaults[ri]
			}
			row, err := rb.Build(vals, types, def)
			if err != nil {
				return 0, err
			}
			if err := tx.Insert(t, row); err != nil {
				return 0, err
			}
			if ic >= 0 {
				lastIdent = row[ic]
			}
			count++
		}
		return count, nil
	})
	if err != nil {
		return err
	}
	if lastIdent != nil {
		sc.SetIdentity(lastIdent)
	}
	return sc.Done(n, true, cmdInsert)
}
