package engine

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// groupInfo is a grouped query level. After grouping, a row holds the key
// values followed by the aggregate results; expressions of the select list,
// HAVING and ORDER BY are compiled against that layout.
type groupInfo struct {
	src      *bindScope
	keys     []*cexpr
	keyCanon []string
	keyCol   []int
	aggs     []*aggSpec
}

type aggSpec struct {
	fn       string
	arg      *cexpr
	star     bool
	distinct bool
	typ      Type
}

var aggregateNames = map[string]bool{
	"count": true, "count_big": true, "sum": true, "avg": true, "min": true, "max": true,
	"checksum_agg": true, "stdev": false,
}

func isAggregate(fc *tsql.FuncCall) bool {
	return len(fc.Name.Parts) == 1 && aggregateNames[strings.ToLower(fc.Name.Object().Name)] && fc.Over == nil
}

// hasAggregate reports whether e contains an aggregate outside subqueries.
func hasAggregate(e tsql.Expr) bool {
	found := false
	walkExpr(e, func(x tsql.Expr) bool {
		if fc, ok := x.(*tsql.FuncCall); ok && isAggregate(fc) {
			found = true
		}
		return !found
	})
	return found
}

// walkExpr visits e and its sub-expressions (not subqueries) while fn
// returns true.
func walkExpr(e tsql.Expr, fn func(tsql.Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch x := e.(type) {
	case *tsql.ParenExpr:
		walkExpr(x.X, fn)
	case *tsql.CollateExpr:
		walkExpr(x.X, fn)
	case *tsql.UnaryExpr:
		walkExpr(x.X, fn)
	case *tsql.BinaryExpr:
		walkExpr(x.L, fn)
		walkExpr(x.R, fn)
	case *tsql.IsNullExpr:
		walkExpr(x.X, fn)
	case *tsql.InExpr:
		walkExpr(x.X, fn)
		for _, a := range x.List {
			walkExpr(a, fn)
		}
	case *tsql.LikeExpr:
		walkExpr(x.X, fn)
		walkExpr(x.Pattern, fn)
		walkExpr(x.Escape, fn)
	case *tsql.BetweenExpr:
		walkExpr(x.X, fn)
		walkExpr(x.Lo, fn)
		walkExpr(x.Hi, fn)
	case *tsql.QuantifiedExpr:
		walkExpr(x.X, fn)
	case *tsql.CaseExpr:
		walkExpr(x.Operand, fn)
		for _, w := range x.Whens {
			walkExpr(w.When, fn)
			walkExpr(w.Then, fn)
		}
		walkExpr(x.Else, fn)
	case *tsql.CastExpr:
		walkExpr(x.X, fn)
	case *tsql.ConvertExpr:
		walkExpr(x.X, fn)
		walkExpr(x.Style, fn)
	case *tsql.FuncCall:
		for _, a := range x.Args {
			walkExpr(a, fn)
		}
	}
}

func (g *groupInfo) load(i int, name string) *cexpr {
	t := g.keys[i].typ
	return &cexpr{typ: t, name: name, nullable: true, eval: func(en *env) (Value, error) { return en.row[i], nil }}
}

// groupKey matches e against the GROUP BY expressions.
func (c *compiler) groupKey(e tsql.Expr) (*cexpr, bool, error) {
	switch e.(type) {
	case *tsql.IntLit, *tsql.StringLit, *tsql.NullLit, *tsql.DecimalLit, *tsql.FloatLit, *tsql.VarRef, *tsql.ColumnRef:
		return nil, false, nil
	}
	k := canon(e)
	for i, kc := range c.group.keyCanon {
		if kc == k {
			return c.group.load(i, ""), true, nil
		}
	}
	return nil, false, nil
}

// compileAggregate registers an aggregate call of a grouped query.
func (c *compiler) compileAggregate(fc *tsql.FuncCall) (*cexpr, error) {
	name := strings.ToLower(fc.Name.Object().Name)
	if c.group == nil {
		return nil, newErr(sqlerr.AggregateInWhere)
	}
	if c.inAgg {
		return nil, newErr(sqlerr.AggregateOfAggregate)
	}
	spec := &aggSpec{fn: name, star: fc.Star, distinct: fc.Distinct}
	if !fc.Star {
		if len(fc.Args) != 1 {
			return nil, newErr(sqlerr.FunctionArgCount, fc.Name.Object().Name, 1)
		}
		sub := &compiler{sc: c.sc, bs: c.group.src, inAgg: true}
		a, err := sub.compile(fc.Args[0])
		if err != nil {
			return nil, err
		}
		spec.arg = a
	} else if name != "count" && name != "count_big" {
		return nil, newErr(sqlerr.SyntaxError, "*")
	}
	if err := spec.setType(); err != nil {
		return nil, err
	}
	idx := len(c.group.keys) + len(c.group.aggs)
	c.group.aggs = append(c.group.aggs, spec)
	return &cexpr{typ: spec.typ, nullable: true, eval: func(en *env) (Value, error) { return en.row[idx], nil }}, nil
}

type aggState struct {
	count int64
	acc   Value
	seen  map[string]bool
	cks   []int64
}

// aggregate groups rows and computes the aggregates; with no GROUP BY an
// empty input still yields one row (COUNT(*) = 0), as in SQL Server.
func (g *groupInfo) aggregate(rows [][]Value, ren *env) ([][]Value, error) {
	type group struct {
		keys   []Value
		states []*aggState
	}
	var order []*group
	byKey := map[string]*group{}
	newGroup := func(keys []Value) *group {
		gr := &group{keys: keys, states: make([]*aggState, len(g.aggs))}
		for i := range gr.states {
			gr.states[i] = &aggState{}
		}
		return gr
	}
	if len(g.keys) == 0 {
		gr := newGroup(nil)
		order = append(order, gr)
		byKey[""] = gr
	}
	for _, r := range rows {
		ren.row = r
		keys := make([]Value, len(g.keys))
		var kb strings.Builder
		for i, k := range g.keys {
			v, err := k.eval(ren)
			if err != nil {
				return nil, err
			}
			keys[i] = v
			if v == nil {
				kb.WriteString("\x00N")
			} else {
				kb.WriteString(sqltypes.Key(v, k.typ))
			}
			kb.WriteString("\x00|")
		}
		gr := byKey[kb.String()]
		if gr == nil {
			gr = newGroup(keys)
			byKey[kb.String()] = gr
			order = append(order, gr)
		}
		for i, a := range g.aggs {
			if err := a.step(gr.states[i], ren); err != nil {
				return nil, err
			}
		}
	}
	out := make([][]Value, 0, len(order))
	for _, gr := range order {
		row := make([]Value, 0, len(g.keys)+len(g.aggs))
		row = append(row, gr.keys...)
		for i, a := range g.aggs {
			v, err := a.result(gr.states[i])
			if err != nil {
				return nil, err
			}
			row = append(row, v)
		}
		out = append(out, row)
	}
	return out, nil
}

func (a *aggSpec) step(st *aggState, en *env) error {
	if a.star {
		st.count++
		return nil
	}
	v, err := a.arg.eval(en)
	if err != nil {
		return err
	}
	if v == nil {
		return nil
	}
	if a.distinct {
		if st.seen == nil {
			st.seen = map[string]bool{}
		}
		k := sqltypes.Key(v, a.arg.typ)
		if st.seen[k] {
			return nil
		}
		st.seen[k] = true
	}
	st.count++
	switch a.fn {
	case "sum", "avg":
		cv, err := sqltypes.Convert(v, a.arg.typ, a.typ)
		if err != nil {
			return err
		}
		if st.acc == nil {
			st.acc = cv
			return nil
		}
		r, _, err := sqltypes.Arith('+', st.acc, cv, a.typ, a.typ)
		if err != nil {
			return err
		}
		st.acc, err = convertTo(r, a.typ, a.typ)
		return err
	case "min", "max":
		if st.acc == nil {
			st.acc = v
			return nil
		}
		n, err := sqltypes.Compare(v, st.acc, a.arg.typ, a.arg.typ)
		if err != nil {
			return err
		}
		if (a.fn == "min" && n < 0) || (a.fn == "max" && n > 0) {
			st.acc = v
		}
	case "checksum_agg":
		n, ok := toInt64(v)
		if !ok {
			return newErr(sqlerr.InvalidOperandType, a.arg.typ.Name(), "checksum_agg")
		}
		st.cks = append(st.cks, n)
	}
	return nil
}

func (a *aggSpec) result(st *aggState) (Value, error) {
	switch a.fn {
	case "count", "count_big":
		return st.count, nil
	case "checksum_agg":
		if st.count == 0 {
			return nil, nil
		}
		return int64(sqltypes.ChecksumAgg(st.cks)), nil
	case "avg":
		if st.acc == nil {
			return nil, nil
		}
		var ct Type
		var cv Value
		if a.typ.Kind == sqltypes.KindDecimal {
			ct, cv = sqltypes.DecimalType(19, 0), decimalOf(st.count)
		} else if a.typ.Kind == sqltypes.KindFloat {
			ct, cv = sqltypes.TypeFloat, float64(st.count)
		} else {
			ct, cv = a.typ, st.count
		}
		r, rt, err := sqltypes.Arith('/', st.acc, cv, a.typ, ct)
		if err != nil {
			return nil, err
		}
		return convertTo(r, rt, a.typ)
	}
	return st.acc, nil
}

// setType gives an aggregate SQL Server's result type for its argument.
func (spec *aggSpec) setType() error {
	name := spec.fn
	switch name {
	case "count":
		spec.typ = sqltypes.TypeInt
	case "count_big":
		spec.typ = sqltypes.TypeBigInt
	case "checksum_agg":
		spec.typ = sqltypes.TypeInt
	case "min", "max":
		spec.typ = spec.arg.typ
	case "sum", "avg":
		t := spec.arg.typ
		switch t.Kind {
		case sqltypes.KindTinyInt, sqltypes.KindSmallInt, sqltypes.KindInt:
			spec.typ = sqltypes.TypeInt
		case sqltypes.KindBigInt:
			spec.typ = sqltypes.TypeBigInt
		case sqltypes.KindDecimal:
			s := t.Scale
			if name == "avg" && s < 6 {
				s = 6
			}
			spec.typ = sqltypes.DecimalType(38, s)
		case sqltypes.KindFloat, sqltypes.KindReal:
			spec.typ = sqltypes.TypeFloat
		case sqltypes.KindMoney, sqltypes.KindSmallMoney:
			// SUM and AVG of money or smallmoney are money.
			spec.typ = sqltypes.TypeMoney
		default:
			return newErr(sqlerr.InvalidOperandType, t.Name(), strings.ToLower(name))
		}
	}
	return nil
}
