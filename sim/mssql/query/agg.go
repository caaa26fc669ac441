package query

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
	src      *BindScope
	keys     []*Expr
	keyCanon []string
	keyCol   []int
	aggs     []*rowset.Agg
}

func isAggregate(fc *tsql.FuncCall) bool {
	return len(fc.Name.Parts) == 1 && rowset.IsAggregate(strings.ToLower(fc.Name.Object().Name)) && fc.Over == nil
}

// HasAggregate reports whether e contains an aggregate outside subqueries.
func HasAggregate(e tsql.Expr) bool {
	found := false
	tsql.WalkExpr(e, func(x tsql.Expr) bool {
		if fc, ok := x.(*tsql.FuncCall); ok && isAggregate(fc) {
			found = true
		}
		return !found
	})
	return found
}

func (g *groupInfo) load(i int, name string) *Expr {
	t := g.keys[i].Type
	return &Expr{Type: t, Name: name, Nullable: true, Eval: func(en *Env) (Value, error) { return en.Row[i], nil }}
}

// groupKey matches e against the GROUP BY expressions.
func (c *Compiler) groupKey(e tsql.Expr) (*Expr, bool, error) {
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
func (c *Compiler) compileAggregate(fc *tsql.FuncCall) (*Expr, error) {
	name := strings.ToLower(fc.Name.Object().Name)
	if c.group == nil {
		return nil, newErr(sqlerr.AggregateInWhere)
	}
	if c.inAgg {
		return nil, newErr(sqlerr.AggregateOfAggregate)
	}
	spec, err := aggCall(&Compiler{qb: c.qb, bs: c.group.src, inAgg: true}, fc, name)
	if err != nil {
		return nil, err
	}
	idx := len(c.group.keys) + len(c.group.aggs)
	c.group.aggs = append(c.group.aggs, spec)
	return &Expr{Type: spec.Type, Nullable: true, Eval: func(en *Env) (Value, error) { return en.Row[idx], nil }}, nil
}

// aggCall binds an aggregate call (name lower case) whose argument sub
// compiles: one argument, or * for COUNT and COUNT_BIG only.
func aggCall(sub *Compiler, fc *tsql.FuncCall, name string) (*rowset.Agg, error) {
	var arg rowset.Col
	if !fc.Star {
		if len(fc.Args) != 1 {
			return nil, newErr(sqlerr.FunctionArgCount, fc.Name.Object().Name, 1)
		}
		a, err := sub.Compile(fc.Args[0])
		if err != nil {
			return nil, err
		}
		arg = a.col()
	} else if name != "count" && name != "count_big" {
		return nil, newErr(sqlerr.SyntaxError, "*")
	}
	return rowset.NewAgg(name, fc.Star, fc.Distinct, arg)
}

// col is ce as the rowset package evaluates it (its rowset.Env is an
// *Env positioned on a row).
func (ce *Expr) col() rowset.Col {
	return rowset.Col{Type: ce.Type, Eval: func(e rowset.Env) (Value, error) { return ce.Eval(e.(*Env)) }}
}

// at positions ren on a row for rowset's grouping and windows.
func (ren *Env) at() rowset.At {
	return func(r rowset.Row) rowset.Env {
		ren.Row = r
		return ren
	}
}

// aggregate groups rows and computes the aggregates (rowset.Group).
func (g *groupInfo) aggregate(rows [][]Value, ren *Env) ([][]Value, error) {
	keys := make([]rowset.Col, len(g.keys))
	for i, k := range g.keys {
		keys[i] = k.col()
	}
	return rowset.Group(rows, keys, g.aggs, ren.at())
}
