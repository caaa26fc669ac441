package dml

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/builtins"
	"github.com/pchatdr/harness/sim/mssql/query"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// targetScope is the FROM/WHERE of UPDATE and DELETE compiled. The target
// is the table named (or the FROM item whose alias it names).
type targetScope struct {
	t      Table
	cols   []Column
	src    *query.Source
	bs     *query.BindScope
	where  *query.Expr
	single bool
	rvCol  int // FROM form: the hidden row-version column
}

func compileTargets(sc Scope, target *tsql.ObjectName, tableVar string, from []tsql.TableSource, where tsql.Expr) (*targetScope, error) {
	ds := &targetScope{single: len(from) == 0}
	if ds.single {
		t, err := sc.Target(target, tableVar)
		if err != nil {
			return nil, err
		}
		ds.t, ds.cols = t, t.Columns()
		q := strings.ToLower(t.TableName())
		cols := make([]query.BindCol, len(ds.cols))
		for i, c := range ds.cols {
			cols[i] = query.BindCol{Qual: q, Schema: t.SchemaName(), DB: t.DatabaseName(), Name: c.Name, Type: c.Type, Nullable: c.Nullable}
		}
		ds.src = &query.Source{Cols: cols, Names: []string{t.TableName()}}
	} else {
		ref := findTargetRef(from, target)
		if ref == nil {
			// SQL Server would join the named table implicitly; the
			// simulator asks for it in FROM.
			if _, err := sc.Target(target, tableVar); err != nil {
				return nil, err
			}
			return nil, newErr(sqlerr.Message, "UPDATE/DELETE ... FROM must list the target table in the FROM clause.")
		}
		src, t, err := sc.FromTarget(from, ref)
		if err != nil {
			return nil, err
		}
		ds.t, ds.cols, ds.src = t, t.Columns(), src
		for i, c := range src.Cols {
			if c.Name == RowVersionCol {
				ds.rvCol = i
			}
		}
	}
	ds.bs = &query.BindScope{Cols: ds.src.Cols}
	if where != nil {
		if query.HasAggregate(where) {
			return nil, newErr(sqlerr.AggregateInWhere)
		}
		var err error
		if ds.where, err = sc.Compiler().Compiler(ds.bs).CompileCond(where); err != nil {
			return nil, err
		}
	}
	return ds, nil
}

// findTargetRef finds the FROM item an UPDATE/DELETE target names: an
// alias, or a table written without one.
func findTargetRef(items []tsql.TableSource, target *tsql.ObjectName) *tsql.TableRef {
	name := target.Object().Name
	var found *tsql.TableRef
	var walk func(ts tsql.TableSource)
	walk = func(ts tsql.TableSource) {
		switch x := ts.(type) {
		case *tsql.JoinExpr:
			walk(x.Left)
			walk(x.Right)
		case *tsql.TableRef:
			if found != nil {
				return
			}
			if x.Alias != nil {
				if len(target.Parts) == 1 && strings.EqualFold(x.Alias.Name, name) {
					found = x
				}
			} else if strings.EqualFold(x.Name.Object().Name, name) {
				found = x
			}
		}
	}
	for _, it := range items {
		walk(it)
	}
	return found
}

// match is a target row of an UPDATE or DELETE: the row version and the
// source row it was found in.
type match struct {
	r   Row
	row []Value
}

func findTargets(ds *targetScope, tx Tx, top int64) ([]match, error) {
	var out []match
	en := &query.Env{}
	if ds.single {
		for _, r := range tx.Scan(ds.t) {
			vals := r.Values()
			if ds.where != nil {
				en.Row = vals
				ok, err := ds.where.Eval(en)
				if err != nil {
					return nil, err
				}
				if ok != true {
					continue
				}
			}
			out = append(out, match{r: r, row: vals})
			if top >= 0 && int64(len(out)) >= top {
				break
			}
		}
		return out, nil
	}
	rows, err := ds.src.Run(en)
	if err != nil {
		return nil, err
	}
	seen := map[Row]bool{}
	for _, row := range rows {
		if ds.where != nil {
			en.Row = row
			ok, err := ds.where.Eval(en)
			if err != nil {
				return nil, err
			}
			if ok != true {
				continue
			}
		}
		r, _ := row[ds.rvCol].(Row)
		if r == nil || seen[r] {
			continue
		}
		seen[r] = true
		out = append(out, match{r: r, row: row})
		if top >= 0 && int64(len(out)) >= top {
			break
		}
	}
	return out, nil
}

func topCount(sc Scope, top *tsql.Top) (int64, error) {
	if top == nil {
		return -1, nil
	}
	v, _, err := sc.Compiler().Scalar(top.Count)
	if err != nil {
		return 0, err
	}
	n, ok := builtins.ToInt64(v)
	if !ok || n < 0 {
		return 0, newErr(sqlerr.TopNegative)
	}
	return n, nil
}

// Update runs UPDATE: SET of columns and variables (compound operators,
// DEFAULT), FROM, WHERE and TOP.
func Update(sc Scope, x *tsql.UpdateStmt) error {
	ds, err := compileTargets(sc, &x.Target, x.TargetVar, x.From, x.Where)
	if err != nil {
		return err
	}
	t, tcols := ds.t, ds.cols
	type setter struct {
		col int
		v   query.Var
		op  string
		e   *query.Expr
		def bool
	}
	var sets []setter
	c := sc.Compiler().Compiler(ds.bs)
	for _, s := range x.Sets {
		st := setter{col: -1, op: s.Op}
		if s.Column != nil {
			name := s.Column.Object().Name
			st.col = colIndex(tcols, name)
			if st.col < 0 {
				return newErr(sqlerr.InvalidColumn, name)
			}
			if tcols[st.col].Identity {
				return newErr(sqlerr.UpdateIdentity, name)
			}
		}
		if s.Var != "" {
			if st.v = sc.Var(s.Var); st.v == nil {
				return newErr(sqlerr.MustDeclareVariable, s.Var)
			}
		}
		if _, ok := s.Value.(*tsql.DefaultExpr); ok {
			st.def = true
		} else {
			ce, err := c.Compile(s.Value)
			if err != nil {
				return err
			}
			if st.op != "" && st.op != "=" && st.col >= 0 {
				off := 0
				if !ds.single {
					off = ds.rvCol - len(tcols)
				}
				col := query.LoadCol(0, off+st.col, ds.bs.Cols[off+st.col])
				if ce, err = c.Arith(st.op[0], col, ce); err != nil {
					return err
				}
			}
			st.e = ce
		}
		sets = append(sets, st)
	}
	top, err := topCount(sc, x.Top)
	if err != nil {
		return err
	}
	const stmt = "UPDATE"
	n, err := sc.WithTx(func(tx Tx) (int64, error) {
		ms, err := findTargets(ds, tx, top)
		if err != nil {
			return 0, err
		}
		en := &query.Env{}
		var count int64
		for _, m := range ms {
			en.Row = m.row
			newRow := append([]Value(nil), m.r.Values()...)
			for _, s := range sets {
				var v Value
				var vt Type
				if s.def {
					if d := tcols[s.col].Default; d != "" {
						if v, vt, err = sc.Default(d); err != nil {
							return 0, err
						}
					}
				} else {
					if v, err = s.e.Eval(en); err != nil {
						return 0, err
					}
					vt = s.e.Type
				}
				if s.v != nil && s.col < 0 {
					if err := query.Assign(s.v, s.op, query.Const(v, vt), en); err != nil {
						return 0, err
					}
					continue
				}
				if v == nil {
					if !tcols[s.col].Nullable {
						return 0, newErr(sqlerr.NullNotAllowed, tcols[s.col].Name, qualifiedName(t), stmt)
					}
					newRow[s.col] = nil
				} else if newRow[s.col], err = storeValue(v, vt, t, tcols, s.col); err != nil {
					return 0, err
				}
				if s.v != nil {
					s.v.Set(newRow[s.col])
				}
			}
			ok, err := tx.Delete(t, m.r)
			if err != nil {
				return 0, err
			}
			if !ok {
				continue
			}
			if err := tx.Insert(t, newRow); err != nil {
				return 0, err
			}
			count++
		}
		return count, nil
	})
	if err != nil {
		return err
	}
	return sc.Done(n, true, cmdUpdate)
}

// Delete runs DELETE: FROM, WHERE and TOP.
func Delete(sc Scope, x *tsql.DeleteStmt) error {
	ds, err := compileTargets(sc, &x.Target, x.TargetVar, x.From, x.Where)
	if err != nil {
		return err
	}
	top, err := topCount(sc, x.Top)
	if err != nil {
		return err
	}
	n, err := sc.WithTx(func(tx Tx) (int64, error) {
		ms, err := findTargets(ds, tx, top)
		if err != nil {
			return 0, err
		}
		var count int64
		for _, m := range ms {
			ok, err := tx.Delete(ds.t, m.r)
			if err != nil {
				return 0, err
			}
			if ok {
				count++
			}
		}
		return count, nil
	})
	if err != nil {
		return err
	}
	return sc.Done(n, true, cmdDelete)
}

// Truncate runs TRUNCATE TABLE: every row goes and the identity is
// reseeded; no row count is reported.
func Truncate(sc Scope, x *tsql.TruncateStmt) error {
	t, err := sc.Target(&x.Table, "")
	if err != nil {
		return err
	}
	_, err = sc.WithTx(func(tx Tx) (int64, error) {
		for _, r := range tx.Scan(t) {
			if _, err := tx.Delete(t, r); err != nil {
				return 0, err
			}
		}
		tx.ResetIdentity(t)
		return 0, nil
	})
	if err != nil {
		return err
	}
	return sc.Done(0, false, 0)
}
