package engine

import (
	"sort"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
)

// plan is a compiled query. run evaluates it with en as the enclosing row
// (correlated subqueries) and returns the result rows.
type plan struct {
	cols   []Column
	assign []*assignTarget // SELECT @v = ... : no result set
	run    func(en *env, limit int) ([][]Value, error)
}

type assignTarget struct {
	v  *variable
	op string
	e  *cexpr
}

// source is a compiled FROM item.
type source struct {
	cols  []bindCol
	names []string // exposed names (1013 check)
	run   func(en *env) ([][]Value, error)
}

func (c *compiler) subquery(q *tsql.SelectStmt) (*plan, error) {
	outer := c.bs
	if c.group != nil {
		// Correlation from a grouped query level: the subquery sees the
		// ungrouped columns by position only through keys; keep it simple
		// and let it see the pre-group scope's outer levels.
		outer = c.group.src.outer
	}
	return c.sc.compileQuery(q, outer)
}

// compileQuery compiles a SELECT (body, ORDER BY, OFFSET/FETCH).
func (sc *scope) compileQuery(q *tsql.SelectStmt, outer *bindScope) (*plan, error) {
	switch b := q.Body.(type) {
	case *tsql.QuerySpec:
		return sc.compileSpec(b, q, outer)
	case *tsql.SetOpExpr:
		return sc.compileSetOp(b, q, outer)
	}
	return nil, newErr(102, "SELECT")
}

func (sc *scope) compileBody(b tsql.QueryExpr, outer *bindScope) (*plan, error) {
	return sc.compileQuery(&tsql.SelectStmt{Body: b}, outer)
}

func (sc *scope) compileSetOp(b *tsql.SetOpExpr, q *tsql.SelectStmt, outer *bindScope) (*plan, error) {
	l, err := sc.compileBody(b.Left, outer)
	if err != nil {
		return nil, err
	}
	r, err := sc.compileBody(b.Right, outer)
	if err != nil {
		return nil, err
	}
	if len(l.cols) != len(r.cols) {
		return nil, newErr(205)
	}
	cols := make([]Column, len(l.cols))
	for i := range cols {
		cols[i] = Column{Name: l.cols[i].Name, Type: sqltypes.ResultType(l.cols[i].Type, r.cols[i].Type), Nullable: true}
		cols[i].Type = widen(cols[i].Type, l.cols[i].Type, r.cols[i].Type)
	}
	op := b.Op
	order, err := outputOrder(q.OrderBy, cols)
	if err != nil {
		return nil, err
	}
	p := &plan{cols: cols}
	p.run = func(en *env, limit int) ([][]Value, error) {
		lr, err := l.run(en, -1)
		if err != nil {
			return nil, err
		}
		rr, err := r.run(en, -1)
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
		if lr, err = conv(lr, l.cols); err != nil {
			return nil, err
		}
		if rr, err = conv(rr, r.cols); err != nil {
			return nil, err
		}
		var out [][]Value
		switch op {
		case tsql.SetUnionAll:
			out = append(lr, rr...)
		case tsql.SetUnion:
			out = distinctRows(append(lr, rr...), cols)
		case tsql.SetExcept, tsql.SetIntersect:
			in := map[string]bool{}
			for _, row := range rr {
				in[rowKey(row, cols)] = true
			}
			for _, row := range distinctRows(lr, cols) {
				if in[rowKey(row, cols)] == (op == tsql.SetIntersect) {
					out = append(out, row)
				}
			}
		}
		if err := sortRows(out, order, cols); err != nil {
			return nil, err
		}
		return out, nil
	}
	return withOffsetFetch(sc, p, q)
}

// widen makes a result type long enough for values of both inputs.
func widen(t, a, b Type) Type {
	if t.Kind.IsString() || t.Kind.IsBinary() {
		if a.Length == sqltypes.MaxLength || b.Length == sqltypes.MaxLength {
			t.Length = sqltypes.MaxLength
		} else if n := max(a.Length, b.Length); n > t.Length {
			t.Length = n
		}
	}
	return t
}

type orderKey struct {
	col  int
	desc bool
}

// outputOrder resolves ORDER BY against output columns only (set
// operations).
func outputOrder(items []*tsql.OrderItem, cols []Column) ([]orderKey, error) {
	var keys []orderKey
	for _, it := range items {
		switch x := it.Expr.(type) {
		case *tsql.IntLit:
			if x.Value < 1 || int(x.Value) > len(cols) {
				return nil, newErr(108, x.Value)
			}
			keys = append(keys, orderKey{int(x.Value) - 1, it.Desc})
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
				keys = append(keys, orderKey{found, it.Desc})
				continue
			}
			return nil, newErr(207, name)
		}
		return nil, newErr(104)
	}
	return keys, nil
}

func rowKey(row []Value, cols []Column) string {
	var b strings.Builder
	for i, v := range row {
		if v == nil {
			b.WriteString("\x00N")
		} else {
			b.WriteString(sqltypes.Key(v, cols[i].Type))
		}
		b.WriteString("\x00|")
	}
	return b.String()
}

func distinctRows(rows [][]Value, cols []Column) [][]Value {
	seen := make(map[string]bool, len(rows))
	out := rows[:0:0]
	for _, r := range rows {
		k := rowKey(r, cols)
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out
}

// sortRows orders rows by keys; NULL sorts first ascending, as in SQL
// Server. The sort is stable so ties keep their scan order.
func sortRows(rows [][]Value, keys []orderKey, cols []Column) error {
	if len(keys) == 0 || len(rows) < 2 {
		return nil
	}
	var firstErr error
	sort.SliceStable(rows, func(i, j int) bool {
		for _, k := range keys {
			a, b := rows[i][k.col], rows[j][k.col]
			var n int
			switch {
			case a == nil && b == nil:
				n = 0
			case a == nil:
				n = -1
			case b == nil:
				n = 1
			default:
				var err error
				n, err = sqltypes.Compare(a, b, cols[k.col].Type, cols[k.col].Type)
				if err != nil && firstErr == nil {
					firstErr = err
				}
			}
			if n != 0 {
				if k.desc {
					return n > 0
				}
				return n < 0
			}
		}
		return false
	})
	return firstErr
}

// compileSpec compiles one SELECT ... FROM ... with q's ORDER BY.
func (sc *scope) compileSpec(qs *tsql.QuerySpec, q *tsql.SelectStmt, outer *bindScope) (*plan, error) {
	src, err := sc.compileFrom(qs.From, outer)
	if err != nil {
		return nil, err
	}
	bs := &bindScope{cols: src.cols, outer: outer}
	c := sc.newCompiler(bs)
	var where *cexpr
	if qs.Where != nil {
		if hasAggregate(qs.Where) {
			return nil, newErr(147)
		}
		if where, err = c.compileCond(qs.Where); err != nil {
			return nil, err
		}
	}
	grouped := len(qs.GroupBy) > 0 || qs.Having != nil
	for _, it := range qs.Items {
		if it.Expr != nil && hasAggregate(it.Expr) {
			grouped = true
		}
	}
	if q != nil {
		for _, o := range q.OrderBy {
			if hasAggregate(o.Expr) {
				grouped = true
			}
		}
	}
	pc := c // compiler for select list, HAVING, ORDER BY
	var gi *groupInfo
	if grouped {
		gi = &groupInfo{src: bs}
		for _, g := range qs.GroupBy {
			ke, err := c.compile(g)
			if err != nil {
				return nil, err
			}
			gi.keys = append(gi.keys, ke)
			gi.keyCanon = append(gi.keyCanon, canon(g))
			col := -1
			if cr, ok := g.(*tsql.ColumnRef); ok {
				d, idx, _, err := lookupColumn(bs, cr.Name.Parts[:len(cr.Name.Parts)-1], cr.Name.Object().Name, cr)
				if err == nil && d == 0 {
					col = idx
				}
			}
			gi.keyCol = append(gi.keyCol, col)
		}
		pc = &compiler{sc: sc, bs: bs, group: gi}
	}
	// Select list.
	var items []*cexpr
	var cols []Column
	var assigns []*assignTarget
	for _, it := range qs.Items {
		switch {
		case it.Star:
			n := 0
			for i, bc := range bs.cols {
				if it.Qualifier != nil && !qualMatches(bc, it.Qualifier.Parts) {
					continue
				}
				n++
				var ce *cexpr
				if gi != nil {
					ce, err = pc.compile(&tsql.ColumnRef{Name: tsql.ObjectName{Parts: []tsql.Ident{{Name: bc.qual}, {Name: bc.name}}}})
					if err != nil {
						return nil, err
					}
				} else {
					ce = loadCol(0, i, bc)
				}
				items = append(items, ce)
				cols = append(cols, Column{Name: bc.name, Type: bc.typ, Nullable: bc.nullable})
			}
			if it.Qualifier != nil && n == 0 {
				return nil, newErr(4104, it.Qualifier.String())
			}
			if it.Qualifier == nil && len(qs.From) == 0 {
				return nil, newErr(263)
			}
		case it.Var != "":
			v := sc.lookupVar(it.Var)
			if v == nil {
				return nil, newErr(137, it.Var)
			}
			ce, err := pc.compile(it.Expr)
			if err != nil {
				return nil, err
			}
			assigns = append(assigns, &assignTarget{v: v, op: it.Op, e: ce})
		default:
			ce, err := pc.compile(it.Expr)
			if err != nil {
				return nil, err
			}
			if ce.cond {
				return nil, newErr(102, exprText(it.Expr))
			}
			name := ce.name
			if it.Alias != nil {
				name = it.Alias.Name
			} else if _, isCol := unparen(it.Expr).(*tsql.ColumnRef); !isCol {
				name = ""
			}
			items = append(items, ce)
			cols = append(cols, Column{Name: name, Type: ce.typ, Nullable: true})
		}
	}
	if len(assigns) > 0 && len(items) > 0 {
		return nil, newErr(141)
	}
	var having *cexpr
	if qs.Having != nil {
		if having, err = pc.compileCond(qs.Having); err != nil {
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
					return nil, newErr(108, lit.Value)
				}
				order = append(order, orderKey{int(lit.Value) - 1, o.Desc})
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
					order = append(order, orderKey{found, o.Desc})
					continue
				}
			}
			if qs.Distinct {
				matched := -1
				k := canon(o.Expr)
				for i, it := range qs.Items {
					if it.Expr != nil && canon(it.Expr) == k {
						matched = i
					}
				}
				if matched < 0 || matched >= nOut {
					return nil, newErr(145)
				}
				order = append(order, orderKey{matched, o.Desc})
				continue
			}
			ce, err := pc.compile(o.Expr)
			if err != nil {
				if e, ok := asSQLError(err); ok && e.Number == 8120 {
					return nil, newErr(8127, strings.TrimSuffix(strings.TrimPrefix(e.Message, "Column '"), "' is invalid in the select list because it is not contained in either an aggregate function or the GROUP BY clause."))
				}
				return nil, err
			}
			order = append(order, orderKey{len(items), o.Desc})
			items = append(items, ce)
			cols = append(cols, Column{Name: "", Type: ce.typ})
		}
	}
	var top *cexpr
	if qs.Top != nil {
		if top, err = sc.newCompiler(outer).compile(qs.Top.Count); err != nil {
			return nil, err
		}
	}
	distinct := qs.Distinct
	outCols := cols[:nOut]
	p := &plan{cols: outCols, assign: assigns}
	p.run = func(en *env, limit int) ([][]Value, error) {
		rows, err := src.run(en)
		if err != nil {
			return nil, err
		}
		ren := &env{outer: en, sc: sc}
		if where != nil {
			kept := rows[:0:0]
			for _, r := range rows {
				ren.row = r
				ok, err := where.eval(ren)
				if err != nil {
					return nil, err
				}
				if ok == true {
					kept = append(kept, r)
				}
			}
			rows = kept
		}
		if gi != nil {
			if rows, err = gi.aggregate(rows, ren); err != nil {
				return nil, err
			}
			if having != nil {
				kept := rows[:0:0]
				for _, r := range rows {
					ren.row = r
					ok, err := having.eval(ren)
					if err != nil {
						return nil, err
					}
					if ok == true {
						kept = append(kept, r)
					}
				}
				rows = kept
			}
		}
		if len(assigns) > 0 {
			for _, r := range rows {
				ren.row = r
				for _, a := range assigns {
					if err := sc.assign(a.v, a.op, a.e, ren); err != nil {
						return nil, err
					}
				}
			}
			return make([][]Value, len(rows)), nil
		}
		out := make([][]Value, 0, len(rows))
		for _, r := range rows {
			ren.row = r
			o := make([]Value, len(items))
			for i, it := range items {
				v, err := it.eval(ren)
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
			out = distinctRows(out, cols)
		}
		if err := sortRows(out, order, cols); err != nil {
			return nil, err
		}
		if top != nil {
			tv, err := top.eval(en)
			if err != nil {
				return nil, err
			}
			n, ok := toInt64(tv)
			if !ok {
				return nil, newErr(1060)
			}
			if n < 0 {
				return nil, newErr(127)
			}
			if qs.Top.Percent {
				n = (int64(len(out))*n + 99) / 100
			}
			if int64(len(out)) > n {
				out = out[:n]
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
		return withOffsetFetch(sc, p, q)
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

func withOffsetFetch(sc *scope, p *plan, q *tsql.SelectStmt) (*plan, error) {
	if q.Offset == nil && q.Fetch == nil {
		return p, nil
	}
	c := sc.newCompiler(nil)
	var off, fetch *cexpr
	var err error
	if q.Offset != nil {
		if off, err = c.compile(q.Offset); err != nil {
			return nil, err
		}
	}
	if q.Fetch != nil {
		if fetch, err = c.compile(q.Fetch); err != nil {
			return nil, err
		}
	}
	inner := p.run
	np := *p
	np.run = func(en *env, limit int) ([][]Value, error) {
		rows, err := inner(en, -1)
		if err != nil {
			return nil, err
		}
		if off != nil {
			v, err := off.eval(en)
			if err != nil {
				return nil, err
			}
			n, _ := toInt64(v)
			if n < 0 {
				return nil, newErr(10742)
			}
			if int(n) >= len(rows) {
				rows = nil
			} else {
				rows = rows[n:]
			}
		}
		if fetch != nil {
			v, err := fetch.eval(en)
			if err != nil {
				return nil, err
			}
			n, _ := toInt64(v)
			if n < 0 {
				return nil, newErr(10744)
			}
			if int(n) < len(rows) {
				rows = rows[:n]
			}
		}
		return rows, nil
	}
	return &np, nil
}

// assign stores a value into a variable (SET @v = / SELECT @v = / compound
// operators), converting it to the variable's type.
func (sc *scope) assign(v *variable, op string, e *cexpr, en *env) error {
	val, err := e.eval(en)
	if err != nil {
		return err
	}
	vt := e.typ
	if op != "" && op != "=" {
		cur := v.val
		if cur == nil || val == nil {
			val = nil
		} else {
			var r Value
			var err error
			bop := op[0]
			if bop == '+' && v.typ.Kind.IsString() {
				a, err1 := toStringValue(cur, v.typ)
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
				r, vt, err = sqltypes.Arith(bop, cur, val, v.typ, vt)
				if err != nil {
					return err
				}
			}
			val = r
		}
	}
	if val == nil {
		v.val = nil
		return nil
	}
	cv, err := sqltypes.ConvertImplicit(val, vt, v.typ)
	if err != nil {
		return err
	}
	v.val = cv
	return nil
}

// ---------------------------------------------------------------------------
// FROM

func (sc *scope) compileFrom(items []tsql.TableSource, outer *bindScope) (*source, error) {
	if len(items) == 0 {
		return &source{run: func(*env) ([][]Value, error) { return [][]Value{{}}, nil }}, nil
	}
	var acc *source
	for _, it := range items {
		s, err := sc.compileSource(it, outer)
		if err != nil {
			return nil, err
		}
		if acc == nil {
			acc = s
			continue
		}
		if acc, err = joinSources(sc, acc, s, tsql.JoinCross, nil, outer); err != nil {
			return nil, err
		}
	}
	return acc, nil
}

func checkExposed(a, b []string) error {
	for _, x := range a {
		for _, y := range b {
			if x != "" && strings.EqualFold(x, y) {
				return newErr(1013, x, y)
			}
		}
	}
	return nil
}

func joinSources(sc *scope, l, r *source, kind tsql.JoinKind, on tsql.Expr, outer *bindScope) (*source, error) {
	if err := checkExposed(l.names, r.names); err != nil {
		return nil, err
	}
	cols := append(append([]bindCol{}, l.cols...), r.cols...)
	if kind == tsql.JoinLeft || kind == tsql.JoinFull {
		for i := len(l.cols); i < len(cols); i++ {
			cols[i].nullable = true
		}
	}
	if kind == tsql.JoinRight || kind == tsql.JoinFull {
		for i := 0; i < len(l.cols); i++ {
			cols[i].nullable = true
		}
	}
	var cond *cexpr
	if on != nil {
		if hasAggregate(on) {
			return nil, newErr(147)
		}
		var err error
		cond, err = sc.newCompiler(&bindScope{cols: cols, outer: outer}).compileCond(on)
		if err != nil {
			return nil, err
		}
	}
	if kind == tsql.JoinCrossApply || kind == tsql.JoinOuterApply {
		return nil, newErr(40000, "APPLY is not supported by the simulator.")
	}
	nl, nr := len(l.cols), len(r.cols)
	run := func(en *env) ([][]Value, error) {
		lrows, err := l.run(en)
		if err != nil {
			return nil, err
		}
		rrows, err := r.run(en)
		if err != nil {
			return nil, err
		}
		var out [][]Value
		rMatched := make([]bool, len(rrows))
		ren := &env{outer: en, sc: sc}
		for _, lr := range lrows {
			matched := false
			for j, rr := range rrows {
				row := make([]Value, 0, nl+nr)
				row = append(append(row, lr...), rr...)
				if cond != nil {
					ren.row = row
					ok, err := cond.eval(ren)
					if err != nil {
						return nil, err
					}
					if ok != true {
						continue
					}
				}
				matched = true
				rMatched[j] = true
				out = append(out, row)
			}
			if !matched && (kind == tsql.JoinLeft || kind == tsql.JoinFull) {
				row := make([]Value, nl+nr)
				copy(row, lr)
				out = append(out, row)
			}
		}
		if kind == tsql.JoinRight || kind == tsql.JoinFull {
			for j, rr := range rrows {
				if !rMatched[j] {
					row := make([]Value, nl+nr)
					copy(row[nl:], rr)
					out = append(out, row)
				}
			}
		}
		return out, nil
	}
	return &source{cols: cols, names: append(append([]string{}, l.names...), r.names...), run: run}, nil
}

func (sc *scope) compileSource(ts tsql.TableSource, outer *bindScope) (*source, error) {
	switch x := ts.(type) {
	case *tsql.TableRef:
		return sc.tableSource(x)
	case *tsql.JoinExpr:
		l, err := sc.compileSource(x.Left, outer)
		if err != nil {
			return nil, err
		}
		r, err := sc.compileSource(x.Right, outer)
		if err != nil {
			return nil, err
		}
		return joinSources(sc, l, r, x.Kind, x.On, outer)
	case *tsql.DerivedTable:
		p, err := sc.compileQuery(x.Query, nil)
		if err != nil {
			return nil, err
		}
		if len(x.Query.OrderBy) > 0 {
			if qs, ok := x.Query.Body.(*tsql.QuerySpec); !ok || qs.Top == nil {
				if x.Query.Offset == nil {
					return nil, newErr(1033)
				}
			}
		}
		alias := x.Alias.Name
		cols := make([]bindCol, len(p.cols))
		for i, pc := range p.cols {
			name := pc.Name
			if i < len(x.Columns) {
				name = x.Columns[i].Name
			}
			if name == "" {
				return nil, newErr(8155, i+1, alias)
			}
			cols[i] = bindCol{qual: strings.ToLower(alias), name: name, typ: pc.Type, nullable: true}
		}
		return &source{cols: cols, names: []string{alias}, run: func(en *env) ([][]Value, error) {
			return p.run(nil, -1)
		}}, nil
	case *tsql.ValuesTable:
		c := sc.newCompiler(outer)
		var rows [][]*cexpr
		for _, r := range x.Rows {
			var ce []*cexpr
			for _, e := range r {
				v, err := c.compile(e)
				if err != nil {
					return nil, err
				}
				ce = append(ce, v)
			}
			rows = append(rows, ce)
		}
		if len(rows) == 0 {
			return nil, newErr(102, "VALUES")
		}
		alias := x.Alias.Name
		cols := make([]bindCol, len(rows[0]))
		for i := range cols {
			name := ""
			if i < len(x.Columns) {
				name = x.Columns[i].Name
			}
			if name == "" {
				return nil, newErr(8155, i+1, alias)
			}
			t := rows[0][i].typ
			for _, r := range rows[1:] {
				if i < len(r) {
					t = widen(sqltypes.ResultType(t, r[i].typ), t, r[i].typ)
				}
			}
			cols[i] = bindCol{qual: strings.ToLower(alias), name: name, typ: t, nullable: true}
		}
		return &source{cols: cols, names: []string{alias}, run: func(en *env) ([][]Value, error) {
			out := make([][]Value, len(rows))
			for i, r := range rows {
				if len(r) != len(cols) {
					return nil, newErr(10709)
				}
				out[i] = make([]Value, len(r))
				for j, e := range r {
					v, err := e.eval(en)
					if err != nil {
						return nil, err
					}
					if out[i][j], err = convertTo(v, e.typ, cols[j].typ); err != nil {
						return nil, err
					}
				}
			}
			return out, nil
		}}, nil
	case *tsql.TableVarRef:
		return nil, newErr(1087, x.Name)
	case *tsql.FuncTable:
		return sc.funcTable(x)
	}
	return nil, newErr(102, "FROM")
}

// tableSource resolves a named table or catalog view in FROM.
func (sc *scope) tableSource(x *tsql.TableRef) (*source, error) {
	obj, err := sc.resolveObject(&x.Name)
	if err != nil {
		return nil, err
	}
	exposed := x.Name.Object().Name
	if x.Alias != nil {
		exposed = x.Alias.Name
	}
	q := strings.ToLower(exposed)
	schema, dbn := obj.schema, obj.db.Name()
	if x.Alias != nil {
		schema, dbn = "", ""
	}
	if obj.view != nil {
		v := obj.view
		cols := make([]bindCol, len(v.cols))
		for i, vc := range v.cols {
			cols[i] = bindCol{qual: q, schema: schema, db: dbn, name: vc.Name, typ: vc.Type, nullable: vc.Nullable}
		}
		db := obj.db
		return &source{cols: cols, names: []string{exposed}, run: func(en *env) ([][]Value, error) {
			return v.rows(sc, db)
		}}, nil
	}
	t := obj.table
	cols := make([]bindCol, len(t.Cols))
	for i, tc := range t.Cols {
		cols[i] = bindCol{qual: q, schema: schema, db: dbn, name: tc.Name, typ: tc.Type, nullable: tc.Nullable}
	}
	if x == sc.dmlTarget {
		// UPDATE/DELETE ... FROM: a hidden last column carries the row
		// version so the statement can change the row it matched.
		sc.dmlTable = t
		cols = append(cols, bindCol{qual: "\x00", name: rowVersionCol, typ: sqltypes.TypeInt, nullable: true})
		return &source{cols: cols, names: []string{exposed}, run: func(en *env) ([][]Value, error) {
			vs := t.scan(sc.s.tx)
			out := make([][]Value, len(vs))
			for i, r := range vs {
				row := make([]Value, len(r.vals)+1)
				copy(row, r.vals)
				row[len(r.vals)] = r
				out[i] = row
			}
			return out, nil
		}}, nil
	}
	return &source{cols: cols, names: []string{exposed}, run: func(en *env) ([][]Value, error) {
		vs := t.scan(sc.s.tx)
		out := make([][]Value, len(vs))
		for i, r := range vs {
			out[i] = r.vals
		}
		return out, nil
	}}, nil
}

const rowVersionCol = "\x00rowversion"

// object is a resolved name: a user table or a catalog view, in a database.
type object struct {
	db     *Database
	schema string
	table  *Table
	view   *catalogView
}

// resolveObject finds a table or catalog view by a one- to three-part name.
// A missing object is 208 (SQL Server resolves names when the statement
// runs, so the batch stops there); a database that cannot be opened gives
// its state's error (927 RESTORING, 942 OFFLINE).
func (sc *scope) resolveObject(n *tsql.ObjectName) (*object, error) {
	if n.Server().Name != "" {
		return nil, newErr(7202, n.Server().Name)
	}
	db := sc.s.currentDB()
	if strings.HasPrefix(n.Object().Name, "#") {
		db = sc.s.inst.DBByID(tempdbID)
	} else if dn := n.Database().Name; dn != "" {
		db = sc.s.inst.DB(dn)
		if db == nil {
			return nil, newErr(208, nameText(n))
		}
	}
	if e := db.openError(); e != nil {
		return nil, e
	}
	schema := n.Schema().Name
	name := sc.tableName(n)
	if strings.EqualFold(schema, "sys") || strings.EqualFold(schema, "INFORMATION_SCHEMA") {
		if v := lookupView(schema, name); v != nil {
			return &object{db: db, schema: strings.ToLower(schema), view: v}, nil
		}
		return nil, newErr(208, nameText(n))
	}
	if schema == "" {
		schema = "dbo"
	}
	db.mu.RLock()
	t := db.lookupTable(schema, name, sc.s.tx)
	db.mu.RUnlock()
	if t == nil {
		if lv, ok := legacyViews[strings.ToLower(name)]; ok && (n.Schema().Name == "" || strings.EqualFold(n.Schema().Name, "dbo")) {
			return &object{db: db, schema: "sys", view: lookupView("sys", lv)}, nil
		}
		return nil, newErr(208, nameText(n))
	}
	return &object{db: db, schema: t.Schema, table: t}, nil
}

func nameText(n *tsql.ObjectName) string {
	parts := make([]string, len(n.Parts))
	for i, p := range n.Parts {
		parts[i] = p.Name
	}
	return strings.Join(parts, ".")
}
