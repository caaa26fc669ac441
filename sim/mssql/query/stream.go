package query

import "github.com/pchatdr/harness/sim/mssql/tsql"

// A SELECT whose select list is only columns of one table (SELECT a, b
// FROM t, SELECT * FROM t), with no WHERE, grouping, window, ORDER BY,
// DISTINCT, TOP or OFFSET, can stream its rows to the client: each row is
// decoded (only the columns the select list names), sent and dropped,
// where Run decodes every column of every row and builds the whole result
// first. A check that reads every message of a seeded chat history of
// gigabytes (the ledger's, after a failback at scale) then costs no
// memory per row instead of about 1.4 bytes of heap per byte of table.
// The rows and their order are Run's (the table's Each reads the same
// snapshot), and such a select list cannot fail on a row, so the client
// sees the same result.

// streamSpec is the streaming form of qs, or nil when qs's select list is
// not only columns of src (or src cannot stream). The caller has checked
// the rest of the query's shape.
func streamSpec(src *Source, bs *BindScope, qs *tsql.QuerySpec) func(en *Env, fn func([]Value) error) error {
	if src.Each == nil {
		return nil
	}
	var idx []int
	for _, it := range qs.Items {
		switch {
		case it.Star:
			for i, bc := range bs.Cols {
				if it.Qualifier == nil || qualMatches(bc, it.Qualifier.Parts) {
					idx = append(idx, i)
				}
			}
		case it.Var != "":
			return nil
		default:
			cr, ok := it.Expr.(*tsql.ColumnRef)
			if !ok || len(cr.Name.Parts) == 0 {
				return nil
			}
			parts := cr.Name.Parts
			depth, i, _, err := lookupColumn(bs, parts[:len(parts)-1], parts[len(parts)-1].Name, cr)
			if err != nil || depth != 0 {
				return nil
			}
			idx = append(idx, i)
		}
	}
	need := make([]bool, len(bs.Cols))
	for _, i := range idx {
		need[i] = true
	}
	return func(en *Env, fn func([]Value) error) error {
		return src.Each(en, need, func(row []Value) error {
			out := make([]Value, len(idx)) // a result may keep it (INSERT ... EXEC)
			for k, i := range idx {
				out[k] = row[i]
			}
			return fn(out)
		})
	}
}
