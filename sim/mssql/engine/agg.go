package engine

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/rowset"
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
	aggs     []*rowset.Agg
}

func isAggregate(fc *tsql.FuncCall) bool {
	return len(fc.Name.Parts) == 1 && rowset.IsAggregate(strings.ToLower(fc.Name.Object().Name)) && fc.Over == nil
}

// hasAggregate reports whether e contains an aggregate outside subqueries.
func hasAggregate(e tsql.Expr) bool {
	found := false
	tsql.WalkExpr(e, func(x tsql.Expr) bool {
		if fc, ok := x.(*tsql.FuncCall); ok && isAggregate(fc) {
			found = true
		}
		return !found
	})
	return found
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
	k := tsql.Canonical(e)
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
	var arg rowset.Col
	if !fc.Star {
		if len(fc.Args) != 1 {
			return nil, newErr(sqlerr.FunctionArgCount, fc.Name.Object().Name, 1)
		}
		sub := &compiler{sc: c.sc, bs: c.group.src, inAgg: true}
		a, err := sub.compile(fc.Args[0])
		if err != nil {
			return nil, err
		}
		arg = a.col()
	} else if name != "count" && name != "count_big" {
		return nil, newErr(sqlerr.SyntaxError, "*")
	}
	spec, err := rowset.NewAgg(name, fc.Star, fc.Distinct, arg)
	if err != nil {
		return nil, err
	}
	idx := len(c.group.keys) + len(c.group.aggs)
	c.group.aggs = append(c.group.aggs, spec)
	return &cexpr{typ: spec.Type, nullable: true, eval: func(en *env) (Value, error) { return en.row[idx], nil }}, nil
}

// col is ce as the rowset package evaluates it (its Env is the engine's
// *env positioned on a row).
func (ce *cexpr) col() rowset.Col {
	return rowset.Col{Type: ce.typ, Eval: func(e rowset.Env) (Value, error) { return ce.eval(e.(*env)) }}
}

// at positions ren on a row for rowset's grouping and windows.
func (ren *env) at() rowset.At {
	return func(r rowset.Row) rowset.Env {
		ren.row = r
		return ren
	}
}

// aggregate groups rows and computes the aggregates (rowset.Group).
func (g *groupInfo) aggregate(rows [][]Value, ren *env) ([][]Value, error) {
	keys := make([]rowset.Col, len(g.keys))
	for i, k := range g.keys {
		keys[i] = k.col()
	}
	return rowset.Group(rows, keys, g.aggs, ren.at())
}
