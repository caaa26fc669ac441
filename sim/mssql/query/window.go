package query

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/rowset"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// windowFunc compiles a window function of a select list: ROW_NUMBER(),
// RANK() and DENSE_RANK() OVER ([PARTITION BY ...] ORDER BY ...), or an
// aggregate OVER (PARTITION BY ...). rowset.Windows computes the values
// over the query's rows after WHERE, GROUP BY and HAVING.
func (c *Compiler) windowFunc(fc *tsql.FuncCall) (*Expr, error) {
	name := strings.ToLower(fc.Name.Object().Name)
	if c.windows == nil {
		return nil, newErr(sqlerr.WindowedFunctionPlace)
	}
	ws := &rowset.Window{Fn: name}
	sub := &Compiler{qb: c.qb, bs: c.bs, group: c.group}
	switch name {
	case "row_number", "rank", "dense_rank":
		if len(fc.Args) != 0 {
			return nil, newErr(sqlerr.FunctionArgCount, fc.Name.Object().Name, 0)
		}
		if len(fc.Over.OrderBy) == 0 {
			return nil, newErr(sqlerr.OverNeedsOrderBy, name)
		}
	default:
		if !rowset.IsAggregate(name) {
			return nil, newErr(sqlerr.UnknownBuiltinFunction, fc.Name.Object().Name)
		}
		if len(fc.Over.OrderBy) > 0 {
			return nil, newErr(sqlerr.Message, "Aggregates with OVER (ORDER BY ...) (running totals) are not supported by the simulator.")
		}
		if fc.Distinct {
			return nil, newErr(sqlerr.DistinctOver)
		}
		spec, err := aggCall(sub, fc, name)
		if err != nil {
			return nil, err
		}
		ws.Agg = spec
	}
	for _, p := range fc.Over.PartitionBy {
		ce, err := sub.Compile(p)
		if err != nil {
			return nil, err
		}
		ws.Partition = append(ws.Partition, ce.col())
	}
	for _, o := range fc.Over.OrderBy {
		ce, err := sub.Compile(o.Expr)
		if err != nil {
			return nil, err
		}
		ws.Order = append(ws.Order, ce.col())
		ws.Desc = append(ws.Desc, o.Desc)
	}
	k := len(*c.windows)
	*c.windows = append(*c.windows, ws)
	t := sqltypes.TypeBigInt
	if ws.Agg != nil {
		t = ws.Agg.Type
	}
	return &Expr{Type: t, Nullable: true, Eval: func(en *Env) (Value, error) { return en.win[k], nil }}, nil
}
