package query

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/builtins"
	"github.com/pchatdr/harness/sim/mssql/rowset"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// Plan is a compiled query. Run evaluates it with en as the enclosing row
// (correlated subqueries) and returns the result rows; limit > 0 lets it
// stop after that many when nothing (ORDER BY, DISTINCT, TOP) needs them
// all (EXISTS, a scalar subquery).
type Plan struct {
	Cols   []Column
	Assign []*AssignTarget // SELECT @v = ... : no result set
	Run    func(en *Env, limit int) ([][]Value, error)
	// Stream, when set, is Run's rows one at a time, for a statement
	// that sends them as they come (stream.go).
	Stream func(en *Env, fn func([]Value) error) error
}

// AssignTarget is one SELECT @v = expr (or a compound operator) of a
// select list.
type AssignTarget struct {
	v  Var
	op string
	e  *Expr
}

// Source is a compiled FROM item: its columns, the names it exposes (two
// items of one name are 1013) and how to produce its rows.
type Source struct {
	Cols  []BindCol
	Names []string
	Run   func(en *Env) ([][]Value, error)
	// Each, when set (a table), calls fn with each of Run's rows as it
	// is read, only the columns need marks decoded; fn must not keep the
	// row (stream.go).
	Each func(en *Env, need []bool, fn func([]Value) error) error
}

func (c *Compiler) subquery(q *tsql.SelectStmt) (*Plan, error) {
	outer := c.bs
	if c.group != nil {
		// Correlation from a grouped query level: the subquery sees the
		// ungrouped columns by position only through keys; keep it simple
		// and let it see the pre-group scope's outer levels.
		outer = c.group.src.outer
	}
	return c.qb.compileQuery(q, outer)
}

// compileQuery compiles a SELECT (body, ORDER BY, OFFSET/FETCH).
func (qb *Builder) compileQuery(q *tsql.SelectStmt, outer *BindScope) (*Plan, error) {
	switch b := q.Body.(type) {
	case *tsql.QuerySpec:
		return qb.compileSpec(b, q, outer)
	case *tsql.SetOpExpr:
		return qb.compileSetOp(b, q, outer)
	}
	return nil, newErr(sqlerr.SyntaxError, "SELECT")
}

func (qb *Builder) compileBody(b tsql.QueryExpr, outer *BindScope) (*Plan, error) {
	return qb.compileQuery(&tsql.SelectStmt{Body: b}, outer)
}

func (qb *Builder) compileSetOp(b *tsql.SetOpExpr, q *tsql.SelectStmt, outer *BindScope) (*Plan, error) {
	l, err := qb.compileBody(b.Left, outer)
	if err != nil {
		return nil, err
	}
	r, err := qb.compileBody(b.Right, outer)
	if err != nil {
		return nil, err
	}
	if len(l.Cols) != len(r.Cols) {
		return nil, newErr(sqlerr.UnionColumnCount)
	}
	cols := make([]Column, len(l.Cols))
	for i := range cols {
		cols[i] = Column{Name: l.Cols[i].Name, Type: sqltypes.ResultType(l.Cols[i].Type, r.Cols[i].Type), Nullable: true}
		cols[i].Type = widen(cols[i].Type, l.Cols[i].Type, r.Cols[i].Type)
	}
	op := b.Op
	order, err := outputOrder(q.OrderBy, cols)
	if err != nil {
		return nil, err
	}
	types := colTypes(cols)
	p := &Plan{Cols: cols}
	p.Run = func(en *Env, limit int) ([][]Value, error) {
		lr, err := l.Run(en, -1)
		if err != nil {
			return nil, err
		}
		rr, err := r.Run(en, -1)
		if err != nil {
			return nil, err
		}
		conv := func(rows [][]Value, from []Column) ([][]Value, error) {
			for _, row := range rows {
				for i := range row {
					v, err := convertTo(row[i], from[i].Type, cols[i].Type)
					if err != nil {
						return nil, err
					}
					row[i] = v
				}
			}
			return rows, nil
		}
		if lr, err = conv(lr, l.Cols); err != nil {
			return nil, err
		}
		if rr, err = conv(rr, r.Cols); err != nil {
			return nil, err
		}
		var out [][]Value
		switch op {
		case tsql.SetUnionAll:
			out = append(lr, rr...)
		case tsql.SetUnion:
			out = rowset.Distinct(append(lr, rr...), types)
		case tsql.SetExcept:
			out = rowset.Except(lr, rr, types)
		case tsql.SetIntersect:
			out = rowset.Intersect(lr, rr, types)
		}
		if err := rowset.Sort(out, order, types); err != nil {
			return nil, err
		}
		return out, nil
	}
	return withOffsetFetch(qb, p, q)
}

// widen makes a result type long enough for values of both inputs.
func widen(t, a, b Type) Type { return builtins.Widen(t, a, b) }

// orderKey is an ORDER BY item resolved to an output column.
type orderKey = rowset.OrderKey

// outputOrder resolves ORDER BY against output columns only (set
// operations).
func outputOrder(items []*tsql.OrderItem, cols []Column) ([]orderKey, error) {
	var keys []orderKey
	for _, it := range items {
		switch x := it.Expr.(type) {
		case *tsql.IntLit:
			if x.Value < 1 || int(x.Value) > len(cols) {
				return nil, newErr(sqlerr.OrderByPositionOutOfRange, x.Value)
			}
			keys = append(keys, orderKey{Col: int(x.Value) - 1, Desc: it.Desc})
			continue
		case *tsql.ColumnRef:
			name := x.Name.Object().Name
			found := -1
			for i, c := range cols {
				if strings.EqualFold(c.Name, name) {
					found = i
					break
				}
			}
			if found >= 0 {
				keys = append(keys, orderKey{Col: found, Desc: it.Desc})
				continue
			}
			return nil, newErr(sqlerr.InvalidColumn, name)
		}
		return nil, newErr(sqlerr.OrderByNotInSelectListUnion)
	}
	return keys, nil
}

// colTypes is the types of a result's columns, as rowset's sort and
// row matching take them.
func colTypes(cols []Column) []Type {
	ts := make([]Type, len(cols))
	for i, c := range cols {
		ts[i] = c.Type
	}
	return ts
}

// compileSpec compiles one SELECT ... FROM ... with q's ORDER BY.
func (qb *Builder) compileSpec(qs *tsql.QuerySpec, q *tsql.SelectStmt, outer *BindScope) (*Plan, error) {
	src, err := qb.compileFrom(qs.From, outer)
	if err != nil {
		return nil, err
	}
	bs := &BindScope{Cols: src.Cols, outer: outer}
	c := qb.newCompiler(bs)
	var where *Expr
	if qs.Where != nil {
		if HasAggregate(qs.Where) {
			return nil, newErr(sqlerr.AggregateInWhere)
		}
		if where, err = c.CompileCond(qs.Where); err != nil {
			return nil, err
		}
	}
	grouped := len(qs.GroupBy) > 0 || qs.Having != nil
	for _, it := range qs.Items {
		if it.Expr != nil && HasAggregate(it.Expr) {
			grouped = true
		}
	}
	if q != nil {
		for _, o := range q.OrderBy {
			if HasAggregate(o.Expr) {
				grouped = true
			}
		}
	}
	pc := c // compiler for select list, HAVING, ORDER BY
	var gi *groupInfo
	if grouped {
		gi = &groupInfo{src: bs}
		for _, g := range qs.GroupBy {
			ke, err := c.Compile(g)
			if err != nil {
				return nil, err
			}
			gi.keys = append(gi.keys, ke)
			gi.keyCanon = append(gi.keyCanon, tsql.Canonical(g))
			col := -1
			if cr, ok := g.(*tsql.ColumnRef); ok {
				d, idx, _, err := lookupColumn(bs, cr.Name.Parts[:len(cr.Name.Parts)-1], cr.Name.Object().Name, cr)
				if err == nil && d == 0 {
					col = idx
				}
			}
			gi.keyCol = append(gi.keyCol, col)
		}
		pc = &Compiler{qb: qb, bs: bs, group: gi}
	}
	var windows []*rowset.Window
	pc.windows = &windows
	// Select list.
	var items []*Expr
	var cols []Column
	var assigns []*AssignTarget
	for _, it := range qs.Items {
		switch {
		case it.Star:
			n := 0
			for i, bc := range bs.Cols {
				if it.Qualifier != nil && !qualMatches(bc, it.Qualifier.Parts) {
					continue
				}
				n++
				var ce *Expr
				if gi != nil {
					ce, err = pc.Compile(&tsql.ColumnRef{Name: tsql.ObjectName{Parts: []tsql.Ident{{Name: bc.Qual}, {Name: bc.Name}}}})
					if err != nil {
						return nil, err
					}
				} else {
					ce = LoadCol(0, i, bc)
				}
				items = append(items, ce)
				cols = append(cols, Column{Name: bc.Name, Type: bc.Type, Nullable: bc.Nullable})
			}
			if it.Qualifier != nil && n == 0 {
				return nil, newErr(sqlerr.MultiPartIdentifier, it.Qualifier.String())
			}
			if it.Qualifier == nil && len(qs.From) == 0 {
				return nil, newErr(sqlerr.SelectNeedsTable)
			}
		case it.Var != "":
			v := qb.lookupVar(it.Var)
			if v == nil {
				return nil, newErr(sqlerr.MustDeclareVariable, it.Var)
			}
			ce, err := pc.Compile(it.Expr)
			if err != nil {
				return nil, err
			}
			assigns = append(assigns, &AssignTarget{v: v, op: it.Op, e: ce})
		default:
			ce, err := pc.Compile(it.Expr)
			if err != nil {
				return nil, err
			}
			if ce.Cond {
				return nil, newErr(sqlerr.SyntaxError, ExprText(it.Expr))
			}
			name := ce.Name
			if it.Alias != nil {
				name = it.Alias.Name
			} else if _, isCol := unparen(it.Expr).(*tsql.ColumnRef); !isCol {
				name = ""
			}
			items = append(items, ce)
			cols = append(cols, Column{Name: name, Type: ce.Type, Nullable: true})
		}
	}
	if len(assigns) > 0 && len(items) > 0 {
		return nil, newErr(sqlerr.SelectAssignAndRetrieve)
	}
	var having *Expr
	if qs.Having != nil {
		if having, err = pc.CompileCond(qs.Having); err != nil {
			return nil, err
		}
	}
	// ORDER BY: output columns by alias or position, otherwise hidden
	// expressions evaluated with the select list.
	var order []orderKey
	nOut := len(items)
	if q != nil {
		for _, o := range q.OrderBy {
			if lit, ok := o.Expr.(*tsql.IntLit); ok {
				if lit.Value < 1 || int(lit.Value) > nOut {
					return nil, newErr(sqlerr.OrderByPositionOutOfRange, lit.Value)
				}
				order = append(order, orderKey{Col: int(lit.Value) - 1, Desc: o.Desc})
				continue
			}
			if cr, ok := o.Expr.(*tsql.ColumnRef); ok && len(cr.Name.Parts) == 1 {
				found := -1
				for i := 0; i < nOut; i++ {
					if strings.EqualFold(cols[i].Name, cr.Name.Object().Name) {
						found = i
						break
					}
				}
				if found >= 0 {
					order = append(order, orderKey{Col: found, Desc: o.Desc})
					continue
				}
			}
			if qs.Distinct {
				matched := -1
				k := tsql.Canonical(o.Expr)
				for i, it := range qs.Items {
					if it.Expr != nil && tsql.Canonical(it.Expr) == k {
						matched = i
					}
				}
				if matched < 0 || matched >= nOut {
					return nil, newErr(sqlerr.OrderByNotInSelectListDistinct)
				}
				order = append(order, orderKey{Col: matched, Desc: o.Desc})
				continue
			}
			ce, err := pc.Compile(o.Expr)
			if err != nil {
				if e, ok := asSQLError(err); ok && e.Number == sqlerr.NotInGroupBy {
					return nil, newErr(sqlerr.OrderByNotInGroupBy, strings.TrimSuffix(strings.TrimPrefix(e.Message, "Column '"), "' is invalid in the select list because it is not contained in either an aggregate function or the GROUP BY clause."))
				}
				return nil, err
			}
			order = append(order, orderKey{Col: len(items), Desc: o.Desc})
			items = append(items, ce)
			cols = append(cols, Column{Name: "", Type: ce.Type})
		}
	}
	for _, k := range order {
		if err := sortable(cols[k.Col].Type); err != nil {
			return nil, err
		}
	}
	var top *Expr
	if qs.Top != nil {
		if top, err = qb.newCompiler(outer).Compile(qs.Top.Count); err != nil {
			return nil, err
		}
	}
	distinct := qs.Distinct
	types := colTypes(cols)
	outCols := cols[:nOut]
	p := &Plan{Cols: outCols, Assign: assigns}
	if where == nil && gi == nil && len(windows) == 0 && len(order) == 0 && !distinct && top == nil && len(assigns) == 0 &&
		(q == nil || q.Offset == nil && q.Fetch == nil) {
		p.Stream = streamSpec(src, bs, qs)
	}
	p.Run = func(en *Env, limit int) ([][]Value, error) {
		rows, err := src.Run(en)
		if err != nil {
			return nil, err
		}
		ren := &Env{outer: en}
		if where != nil {
			if rows, err = rowset.Filter(rows, where.col(), ren.at()); err != nil {
				return nil, err
			}
		}
		if gi != nil {
			if rows, err = gi.aggregate(rows, ren); err != nil {
				return nil, err
			}
			if having != nil {
				if rows, err = rowset.Filter(rows, having.col(), ren.at()); err != nil {
					return nil, err
				}
			}
		}
		if len(assigns) > 0 {
			for _, r := range rows {
				ren.Row = r
				for _, a := range assigns {
					if err := Assign(a.v, a.op, a.e, ren); err != nil {
						return nil, err
					}
				}
			}
			return make([][]Value, len(rows)), nil
		}
		var winVals [][]Value
		if len(windows) > 0 {
			if winVals, err = rowset.Windows(windows, rows, ren.at()); err != nil {
				return nil, err
			}
		}
		out := make([][]Value, 0, len(rows))
		for ri, r := range rows {
			ren.Row = r
			if winVals != nil {
				ren.win = winVals[ri]
			}
			o := make([]Value, len(items))
			for i, it := range items {
				v, err := it.Eval(ren)
				if err != nil {
					return nil, err
				}
				o[i] = v
			}
			out = append(out, o)
			if limit > 0 && len(out) >= limit && len(order) == 0 && !distinct && top == nil {
				break
			}
		}
		if distinct {
			out = rowset.Distinct(out, types)
		}
		if err := rowset.Sort(out, order, types); err != nil {
			return nil, err
		}
		if top != nil {
			tv, err := top.Eval(en)
			if err != nil {
				return nil, err
			}
			if out, err = rowset.Top(out, tv, qs.Top.Percent); err != nil {
				return nil, err
			}
		}
		if len(items) > nOut {
			for i := range out {
				out[i] = out[i][:nOut]
			}
		}
		return out, nil
	}
	if q != nil {
		return withOffsetFetch(qb, p, q)
	}
	return p, nil
}

func unparen(e tsql.Expr) tsql.Expr {
	for {
		p, ok := e.(*tsql.ParenExpr)
		if !ok {
			return e
		}
		e = p.X
	}
}

func withOffsetFetch(qb *Builder, p *Plan, q *tsql.SelectStmt) (*Plan, error) {
	if q.Offset == nil && q.Fetch == nil {
		return p, nil
	}
	c := qb.newCompiler(nil)
	var off, fetch *Expr
	var err error
	if q.Offset != nil {
		if off, err = c.Compile(q.Offset); err != nil {
			return nil, err
		}
	}
	if q.Fetch != nil {
		if fetch, err = c.Compile(q.Fetch); err != nil {
			return nil, err
		}
	}
	inner := p.Run
	np := *p
	np.Run = func(en *Env, limit int) ([][]Value, error) {
		rows, err := inner(en, -1)
		if err != nil {
			return nil, err
		}
		if off != nil {
			v, err := off.Eval(en)
			if err != nil {
				return nil, err
			}
			if rows, err = rowset.Offset(rows, v); err != nil {
				return nil, err
			}
		}
		if fetch != nil {
			v, err := fetch.Eval(en)
			if err != nil {
				return nil, err
			}
			if rows, err = rowset.Fetch(rows, v); err != nil {
				return nil, err
			}
		}
		return rows, nil
	}
	return &np, nil
}

// Assign stores a value into a variable (SET @v = / SELECT @v = / compound
// operators), converting it to the variable's type.
func Assign(v Var, op string, e *Expr, en *Env) error {
	val, err := e.Eval(en)
	if err != nil {
		return err
	}
	vt := e.Type
	if op != "" && op != "=" {
		cur := v.Value()
		if cur == nil || val == nil {
			val = nil
		} else {
			var r Value
			var err error
			bop := op[0]
			if bop == '+' && v.Type().Kind.IsString() {
				a, err1 := toStringValue(cur, v.Type())
				b, err2 := toStringValue(val, vt)
				if err1 != nil {
					return err1
				}
				if err2 != nil {
					return err2
				}
				r = a.(string) + b.(string)
				vt = sqltypes.NVarChar(sqltypes.MaxLength)
			} else {
				r, vt, err = sqltypes.Arith(bop, cur, val, v.Type(), vt)
				if err != nil {
					return err
				}
			}
			val = r
		}
	}
	if val == nil {
		v.Set(nil)
		return nil
	}
	cv, err := sqltypes.ConvertImplicit(val, vt, v.Type())
	if err != nil {
		return err
	}
	v.Set(cv)
	return nil
}
