// Package rowset holds what a query does to its rows once the engine has
// computed them: grouping and aggregates (COUNT, SUM, AVG, MIN, MAX,
// CHECKSUM_AGG), window functions (ROW_NUMBER, RANK, DENSE_RANK, an
// aggregate OVER a partition), DISTINCT and the set operations' row
// matching, ORDER BY's sort, and the fixpoint a recursive common table
// expression runs to.
//
// It knows no SQL text and no instance: the engine binds names and
// compiles expressions, and hands them over as Cols whose Eval takes the
// caller's evaluation state (Env) for a row, as sim/mssql/builtins takes
// its arguments. The rules here are SQL Server's as its documentation
// states them (aggregate result types, NULL handling, ranking ties, NULL
// first in an ascending sort, MAXRECURSION).
package rowset

import (
	"sort"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

// Aliases for the value system's types, as the engine's api.go has them.
type (
	Type  = sqltypes.Type
	Value = sqltypes.Value
	// Row is one row's values, in column order.
	Row = []Value
)

// Env is the caller's evaluation state positioned on a row. The package
// never looks inside it: it passes it to a Col's Eval.
type Env any

// Col is a compiled expression over a row: a grouping key, an aggregate's
// argument, a window's partition or order expression.
type Col struct {
	Type Type
	Eval func(Env) (Value, error)
}

// At positions the caller's evaluation state on a row and returns it for
// the Cols' Eval (the engine sets its env's row).
type At func(Row) Env

// writeKey appends v's grouping key: two values have the same key exactly
// when SQL Server treats them as equal for GROUP BY, DISTINCT, UNION and
// PARTITION BY (NULLs equal each other there, unlike in =).
func writeKey(b *strings.Builder, v Value, t Type) {
	if v == nil {
		b.WriteString("\x00N")
	} else {
		b.WriteString(sqltypes.Key(v, t))
	}
	b.WriteString("\x00|")
}

// Key is row's key for DISTINCT and the set operations, columns typed by
// types.
func Key(row Row, types []Type) string {
	var b strings.Builder
	for i, v := range row {
		writeKey(&b, v, types[i])
	}
	return b.String()
}

// Distinct keeps the first of each set of equal rows, in order.
func Distinct(rows []Row, types []Type) []Row {
	seen := make(map[string]bool, len(rows))
	out := rows[:0:0]
	for _, r := range rows {
		k := Key(r, types)
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out
}

// Intersect is INTERSECT: the distinct rows of l that r holds too.
func Intersect(l, r []Row, types []Type) []Row { return matching(l, r, types, true) }

// Except is EXCEPT: the distinct rows of l that r does not hold.
func Except(l, r []Row, types []Type) []Row { return matching(l, r, types, false) }

func matching(l, r []Row, types []Type, in bool) []Row {
	inR := map[string]bool{}
	for _, row := range r {
		inR[Key(row, types)] = true
	}
	var out []Row
	for _, row := range Distinct(l, types) {
		if inR[Key(row, types)] == in {
			out = append(out, row)
		}
	}
	return out
}

// OrderKey is one ORDER BY item resolved to a column of the rows.
type OrderKey struct {
	Col  int
	Desc bool
}

// compareNullsFirst orders two values of type t, NULL before any value.
func compareNullsFirst(a, b Value, t Type) (int, error) {
	switch {
	case a == nil && b == nil:
		return 0, nil
	case a == nil:
		return -1, nil
	case b == nil:
		return 1, nil
	}
	return sqltypes.Compare(a, b, t, t)
}

// Sort orders rows by keys; NULL sorts first ascending, as in SQL Server.
// The sort is stable so ties keep their scan order. A comparison that
// fails (values that do not compare) is the error.
func Sort(rows []Row, keys []OrderKey, types []Type) error {
	if len(keys) == 0 || len(rows) < 2 {
		return nil
	}
	var firstErr error
	sort.SliceStable(rows, func(i, j int) bool {
		for _, k := range keys {
			n, err := compareNullsFirst(rows[i][k.Col], rows[j][k.Col], types[k.Col])
			if err != nil && firstErr == nil {
				firstErr = err
			}
			if n != 0 {
				if k.Desc {
					return n > 0
				}
				return n < 0
			}
		}
		return false
	})
	return firstErr
}
