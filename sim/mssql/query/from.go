package query

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/rowset"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// ---------------------------------------------------------------------------
// FROM

func (qb *Builder) compileFrom(items []tsql.TableSource, outer *BindScope) (*Source, error) {
	if len(items) == 0 {
		return &Source{Run: func(*Env) ([][]Value, error) { return [][]Value{{}}, nil }}, nil
	}
	var acc *Source
	for _, it := range items {
		s, err := qb.compileSource(it, outer)
		if err != nil {
			return nil, err
		}
		if acc == nil {
			acc = s
			continue
		}
		if acc, err = joinSources(qb, acc, s, tsql.JoinCross, nil, outer); err != nil {
			return nil, err
		}
	}
	return acc, nil
}

func checkExposed(a, b []string) error {
	for _, x := range a {
		for _, y := range b {
			if x != "" && strings.EqualFold(x, y) {
				return newErr(sqlerr.DuplicateExposedNames, x, y)
			}
		}
	}
	return nil
}

func joinSources(qb *Builder, l, r *Source, kind tsql.JoinKind, on tsql.Expr, outer *BindScope) (*Source, error) {
	if err := checkExposed(l.Names, r.Names); err != nil {
		return nil, err
	}
	cols := append(append([]BindCol{}, l.Cols...), r.Cols...)
	if kind == tsql.JoinLeft || kind == tsql.JoinFull {
		for i := len(l.Cols); i < len(cols); i++ {
			cols[i].Nullable = true
		}
	}
	if kind == tsql.JoinRight || kind == tsql.JoinFull {
		for i := 0; i < len(l.Cols); i++ {
			cols[i].Nullable = true
		}
	}
	var cond *Expr
	if on != nil {
		if HasAggregate(on) {
			return nil, newErr(sqlerr.AggregateInWhere)
		}
		var err error
		cond, err = qb.newCompiler(&BindScope{Cols: cols, outer: outer}).CompileCond(on)
		if err != nil {
			return nil, err
		}
	}
	if kind == tsql.JoinCrossApply || kind == tsql.JoinOuterApply {
		return nil, newErr(sqlerr.Message, "APPLY is not supported by the simulator.")
	}
	nl, nr := len(l.Cols), len(r.Cols)
	side := rowset.JoinKind{
		KeepLeft:  kind == tsql.JoinLeft || kind == tsql.JoinFull,
		KeepRight: kind == tsql.JoinRight || kind == tsql.JoinFull,
	}
	var match *rowset.Col
	if cond != nil {
		c := cond.col()
		match = &c
	}
	run := func(en *Env) ([][]Value, error) {
		lrows, err := l.Run(en)
		if err != nil {
			return nil, err
		}
		rrows, err := r.Run(en)
		if err != nil {
			return nil, err
		}
		return rowset.Join(lrows, rrows, nl, nr, side, match, (&Env{outer: en}).at())
	}
	return &Source{Cols: cols, Names: append(append([]string{}, l.Names...), r.Names...), Run: run}, nil
}

func (qb *Builder) compileSource(ts tsql.TableSource, outer *BindScope) (*Source, error) {
	switch x := ts.(type) {
	case *tsql.TableRef:
		return qb.scope.Table(x)
	case *tsql.JoinExpr:
		l, err := qb.compileSource(x.Left, outer)
		if err != nil {
			return nil, err
		}
		r, err := qb.compileSource(x.Right, outer)
		if err != nil {
			return nil, err
		}
		return joinSources(qb, l, r, x.Kind, x.On, outer)
	case *tsql.DerivedTable:
		p, err := qb.compileQuery(x.Query, nil)
		if err != nil {
			return nil, err
		}
		if len(x.Query.OrderBy) > 0 {
			if qs, ok := x.Query.Body.(*tsql.QuerySpec); !ok || qs.Top == nil {
				if x.Query.Offset == nil {
					return nil, newErr(sqlerr.OrderByInSubquery)
				}
			}
		}
		alias := x.Alias.Name
		cols := make([]BindCol, len(p.Cols))
		for i, pc := range p.Cols {
			name := pc.Name
			if i < len(x.Columns) {
				name = x.Columns[i].Name
			}
			if name == "" {
				return nil, newErr(sqlerr.NoColumnName, i+1, alias)
			}
			cols[i] = BindCol{Qual: strings.ToLower(alias), Name: name, Type: pc.Type, Nullable: true}
		}
		return &Source{Cols: cols, Names: []string{alias}, Run: func(en *Env) ([][]Value, error) {
			return p.Run(nil, -1)
		}}, nil
	case *tsql.ValuesTable:
		c := qb.newCompiler(outer)
		var rows [][]*Expr
		for _, r := range x.Rows {
			var ce []*Expr
			for _, e := range r {
				v, err := c.Compile(e)
				if err != nil {
					return nil, err
				}
				ce = append(ce, v)
			}
			rows = append(rows, ce)
		}
		if len(rows) == 0 {
			return nil, newErr(sqlerr.SyntaxError, "VALUES")
		}
		alias := x.Alias.Name
		cols := make([]BindCol, len(rows[0]))
		for i := range cols {
			name := ""
			if i < len(x.Columns) {
				name = x.Columns[i].Name
			}
			if name == "" {
				return nil, newErr(sqlerr.NoColumnName, i+1, alias)
			}
			t := rows[0][i].Type
			for _, r := range rows[1:] {
				if i < len(r) {
					t = widen(sqltypes.ResultType(t, r[i].Type), t, r[i].Type)
				}
			}
			cols[i] = BindCol{Qual: strings.ToLower(alias), Name: name, Type: t, Nullable: true}
		}
		return &Source{Cols: cols, Names: []string{alias}, Run: func(en *Env) ([][]Value, error) {
			out := make([][]Value, len(rows))
			for i, r := range rows {
				if len(r) != len(cols) {
					return nil, newErr(sqlerr.RowValueCountMismatch)
				}
				out[i] = make([]Value, len(r))
				for j, e := range r {
					v, err := e.Eval(en)
					if err != nil {
						return nil, err
					}
					if out[i][j], err = convertTo(v, e.Type, cols[j].Type); err != nil {
						return nil, err
					}
				}
			}
			return out, nil
		}}, nil
	case *tsql.TableVarRef:
		return qb.scope.TableVar(x)
	case *tsql.CTERef:
		return qb.recursiveCTESource(x)
	case *tsql.FuncTable:
		return qb.scope.TableFunc(x)
	}
	return nil, newErr(sqlerr.SyntaxError, "FROM")
}
