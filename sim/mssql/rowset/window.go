package rowset

import (
	"sort"
	"strings"
)

// Window is a window function with its OVER clause: ROW_NUMBER(), RANK()
// or DENSE_RANK() OVER ([PARTITION BY ...] ORDER BY ...), or an aggregate
// (Agg set) OVER (PARTITION BY ...), whose value is the whole partition's.
// Aggregates with OVER (ORDER BY ...) (running totals) are not modelled;
// the engine refuses them.
type Window struct {
	Fn        string // row_number, rank, dense_rank; an aggregate's name when Agg is set
	Partition []Col
	Order     []Col
	Desc      []bool
	Agg       *Agg
}

// Windows computes, for every row, the values of the window functions
// (out[row][window]). They are computed over the query's rows after WHERE,
// GROUP BY and HAVING, as in SQL Server.
func Windows(specs []*Window, rows []Row, at At) ([][]Value, error) {
	out := make([][]Value, len(rows))
	for i := range out {
		out[i] = make([]Value, len(specs))
	}
	for k, ws := range specs {
		if err := ws.compute(k, rows, at, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// compute fills column k of out with ws's values.
func (ws *Window) compute(k int, rows []Row, at At, out [][]Value) error {
	type item struct {
		idx   int
		pkey  string
		order []Value
	}
	items := make([]item, len(rows))
	var pb strings.Builder
	for i, r := range rows {
		en := at(r)
		pb.Reset()
		for _, p := range ws.Partition {
			v, err := p.Eval(en)
			if err != nil {
				return err
			}
			writeKey(&pb, v, p.Type)
		}
		ov := make([]Value, len(ws.Order))
		for j, o := range ws.Order {
			v, err := o.Eval(en)
			if err != nil {
				return err
			}
			ov[j] = v
		}
		items[i] = item{idx: i, pkey: pb.String(), order: ov}
	}
	var cmpErr error
	cmpOrder := func(a, b []Value) int {
		for j := range a {
			n, err := compareNullsFirst(a[j], b[j], ws.Order[j].Type)
			if err != nil && cmpErr == nil {
				cmpErr = err
			}
			if ws.Desc[j] {
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
		return cmpErr
	}
	if ws.Agg != nil {
		// Whole-partition aggregate: one value per partition.
		for start := 0; start < len(items); {
			end := start
			var st AggState
			for end < len(items) && items[end].pkey == items[start].pkey {
				if err := ws.Agg.Step(&st, at(rows[items[end].idx])); err != nil {
					return err
				}
				end++
			}
			v, err := ws.Agg.Result(&st)
			if err != nil {
				return err
			}
			for _, it := range items[start:end] {
				out[it.idx][k] = v
			}
			start = end
		}
		return nil
	}
	// Ranks: ROW_NUMBER counts rows; RANK gives ties the same number and
	// skips after them; DENSE_RANK does not skip.
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
		switch ws.Fn {
		case "row_number":
			out[it.idx][k] = n
		case "rank":
			out[it.idx][k] = rank
		default:
			out[it.idx][k] = dense
		}
	}
	return nil
}
