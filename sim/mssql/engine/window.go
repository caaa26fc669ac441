package engine

import (
	"sort"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// windowSpec is a ranking function with its OVER clause: ROW_NUMBER(),
// RANK() and DENSE_RANK() OVER ([PARTITION BY ...] ORDER BY ...). Values
// are computed over the query's rows after WHERE, GROUP BY and HAVING, as
// in SQL Server. Aggregates with OVER are not modelled.
type windowSpec struct {
	fn        string
	partition []*cexpr
	order     []*cexpr
	desc      []bool
	agg       *aggSpec // COUNT/SUM/... OVER (PARTITION BY ...): whole partition
}

func (c *compiler) windowFunc(fc *tsql.FuncCall) (*cexpr, error) {
	name := strings.ToLower(fc.Name.Object().Name)
	if c.windows == nil {
		return nil, newErr(sqlerr.WindowedFunctionPlace)
	}
	ws := &windowSpec{fn: name}
	sub := &compiler{sc: c.sc, bs: c.bs, group: c.group}
	switch name {
	case "row_number", "rank", "dense_rank":
		if len(fc.Args) != 0 {
			return nil, newErr(sqlerr.FunctionArgCount, fc.Name.Object().Name, 0)
		}
		if len(fc.Over.OrderBy) == 0 {
			return nil, newErr(sqlerr.OverNeedsOrderBy, name)
		}
	default:
		if !aggregateNames[name] {
			return nil, newErr(sqlerr.UnknownBuiltinFunction, fc.Name.Object().Name)
		}
		if len(fc.Over.OrderBy) > 0 {
			return nil, newErr(sqlerr.Message, "Aggregates with OVER (ORDER BY ...) (running totals) are not supported by the simulator.")
		}
		spec := &aggSpec{fn: name, star: fc.Star, distinct: fc.Distinct}
		if fc.Distinct {
			return nil, newErr(sqlerr.DistinctOver)
		}
		if !fc.Star {
			if len(fc.Args) != 1 {
				return nil, newErr(sqlerr.FunctionArgCount, fc.Name.Object().Name, 1)
			}
			a, err := sub.compile(fc.Args[0])
			if err != nil {
				return nil, err
			}
			spec.arg = a
		}
		if err := spec.setType(); err != nil {
			return nil, err
		}
		ws.agg = spec
	}
	for _, p := range fc.Over.PartitionBy {
		ce, err := sub.compile(p)
		if err != nil {
			return nil, err
		}
		ws.partition = append(ws.partition, ce)
	}
	for _, o := range fc.Over.OrderBy {
		ce, err := sub.compile(o.Expr)
		if err != nil {
			return nil, err
		}
		ws.order = append(ws.order, ce)
		ws.desc = append(ws.desc, o.Desc)
	}
	k := len(*c.windows)
	*c.windows = append(*c.windows, ws)
	t := sqltypes.TypeBigInt
	if ws.agg != nil {
		t = ws.agg.typ
	}
	return &cexpr{typ: t, nullable: true, eval: func(en *env) (Value, error) { return en.win[k], nil }}, nil
}

// computeWindows returns, for every row, the values of the window
// functions.
func computeWindows(specs []*windowSpec, rows [][]Value, ren *env) ([][]Value, error) {
	out := make([][]Value, len(rows))
	for i := range out {
		out[i] = make([]Value, len(specs))
	}
	for k, ws := range specs {
		type item struct {
			idx   int
			pkey  string
			order []Value
		}
		items := make([]item, len(rows))
		for i, r := range rows {
			ren.row = r
			var pb strings.Builder
			for _, p := range ws.partition {
				v, err := p.eval(ren)
				if err != nil {
					return nil, err
				}
				if v == nil {
					pb.WriteString("\x00N")
				} else {
					pb.WriteString(sqltypes.Key(v, p.typ))
				}
				pb.WriteString("\x00|")
			}
			ov := make([]Value, len(ws.order))
			for j, o := range ws.order {
				v, err := o.eval(ren)
				if err != nil {
					return nil, err
				}
				ov[j] = v
			}
			items[i] = item{idx: i, pkey: pb.String(), order: ov}
		}
		var cmpErr error
		cmpOrder := func(a, b []Value) int {
			for j := range a {
				x, y := a[j], b[j]
				var n int
				switch {
				case x == nil && y == nil:
				case x == nil:
					n = -1
				case y == nil:
					n = 1
				default:
					var err error
					n, err = sqltypes.Compare(x, y, ws.order[j].typ, ws.order[j].typ)
					if err != nil && cmpErr == nil {
						cmpErr = err
					}
				}
				if ws.desc[j] {
					n = -n
				}
				if n != 0 {
					return n
				}
			}
			return 0
		}
		sort.SliceStable(items, func(a, b int) bool {
			if items[a].pkey != items[b].pkey {
				return items[a].pkey < items[b].pkey
			}
			return cmpOrder(items[a].order, items[b].order) < 0
		})
		if cmpErr != nil {
			return nil, cmpErr
		}
		if ws.agg != nil {
			// Whole-partition aggregate: one value per partition.
			for start := 0; start < len(items); {
				end := start
				st := &aggState{}
				for end < len(items) && items[end].pkey == items[start].pkey {
					ren.row = rows[items[end].idx]
					if err := ws.agg.step(st, ren); err != nil {
						return nil, err
					}
					end++
				}
				v, err := ws.agg.result(st)
				if err != nil {
					return nil, err
				}
				for _, it := range items[start:end] {
					out[it.idx][k] = v
				}
				start = end
			}
			continue
		}
		var n, rank, dense int64
		for i, it := range items {
			if i == 0 || it.pkey != items[i-1].pkey {
				n, rank, dense = 0, 0, 0
			}
			n++
			if i == 0 || it.pkey != items[i-1].pkey || cmpOrder(it.order, items[i-1].order) != 0 {
				rank = n
				dense++
			}
			switch ws.fn {
			case "row_number":
				out[it.idx][k] = n
			case "rank":
				out[it.idx][k] = rank
			default:
				out[it.idx][k] = dense
			}
		}
	}
	return out, nil
}
