package rowset

import (
	"context"

	"github.com/pchatdr/harness/sqlerr"
)

// DefaultMaxRecursion is SQL Server's MAXRECURSION when the statement sets
// none.
const DefaultMaxRecursion = 100

// Fixpoint runs a recursive common table expression as Microsoft's "WITH
// common_table_expression" page describes its execution: anchor is the
// anchor member's rows (level 0); step runs the recursive member with the
// previous level's rows as the CTE's input, again and again, until a
// level returns no rows; the result is every level's rows together (UNION
// ALL). A level beyond limit (0 = no limit) ends the statement with error
// 530. ctx ends an endless recursion the statement's cancel stops.
func Fixpoint(ctx context.Context, anchor []Row, step func(level []Row) ([]Row, error), limit int) ([]Row, error) {
	level := anchor
	all := append([]Row(nil), level...)
	for depth := 1; len(level) > 0; depth++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		next, err := step(level)
		if err != nil {
			return nil, err
		}
		if len(next) == 0 {
			break
		}
		if limit > 0 && depth > limit {
			return nil, sqlerr.New(sqlerr.MaxRecursionExhausted, limit)
		}
		all = append(all, next...)
		level = next
	}
	return all, nil
}
