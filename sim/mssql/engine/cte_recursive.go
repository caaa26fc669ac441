package engine

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// Recursive common table expressions, as Microsoft's "WITH
// common_table_expression" page describes their execution: run the anchor
// member (level 0); run the recursive member with the previous level's
// rows as the CTE's input, again and again, until a level returns no
// rows; the result is every level's rows together (UNION ALL). A level
// beyond MAXRECURSION (default 100, 0 = no limit) ends the statement with
// error 530.

// defaultMaxRecursion is SQL Server's MAXRECURSION when the statement sets
// none.
const defaultMaxRecursion = 100

// recBinding is a recursive CTE's columns and the rows of the level being
// fed to its recursive member.
type recBinding struct {
	names []string
	types []Type
	rows  [][]Value
}

func (sc *scope) recursiveCTESource(x *tsql.CTERef) (*source, error) {
	rc := x.CTE
	if x.Self {
		b := sc.recLevel[rc]
		if b == nil {
			return nil, newErr(sqlerr.InvalidObject, rc.Name.Name)
		}
		return recSource(x, b, func() [][]Value { return b.rows }), nil
	}
	anchor, err := sc.compileQuery(&tsql.SelectStmt{Pos: x.Pos, Body: rc.Anchor}, nil)
	if err != nil {
		return nil, err
	}
	b := &recBinding{}
	if len(rc.Columns) > 0 && len(rc.Columns) != len(anchor.cols) {
		if len(anchor.cols) > len(rc.Columns) {
			return nil, newErr(sqlerr.MoreColumnsThanList, rc.Name.Name)
		}
		return nil, newErr(sqlerr.FewerColumnsThanList, rc.Name.Name)
	}
	for i, c := range anchor.cols {
		name := c.Name
		if len(rc.Columns) > 0 {
			name = rc.Columns[i].Name
		}
		if name == "" {
			return nil, newErr(sqlerr.NoColumnName, i+1, rc.Name.Name)
		}
		b.names = append(b.names, name)
		b.types = append(b.types, c.Type)
	}
	if sc.recLevel == nil {
		sc.recLevel = map[*tsql.RecursiveCTE]*recBinding{}
	}
	outer := sc.recLevel[rc]
	sc.recLevel[rc] = b
	rec, err := sc.compileQuery(&tsql.SelectStmt{Pos: x.Pos, Body: rc.Recursive}, nil)
	sc.recLevel[rc] = outer
	if err != nil {
		return nil, err
	}
	if len(rec.cols) != len(b.types) {
		return nil, newErr(sqlerr.UnionColumnCount)
	}
	for i, c := range rec.cols {
		// SQL Server does not convert the recursive member's columns to
		// the anchor's types: they must be the same (240).
		if c.Type != b.types[i] {
			return nil, newErr(sqlerr.RecursiveTypeMismatch, b.names[i], rc.Name.Name)
		}
	}
	limit := rc.MaxRecursion
	if limit < 0 {
		limit = defaultMaxRecursion
	}
	return recSource(x, b, nil).withRun(func(en *env) ([][]Value, error) {
		level, err := anchor.run(nil, -1)
		if err != nil {
			return nil, err
		}
		all := append([][]Value(nil), level...)
		for depth := 1; len(level) > 0; depth++ {
			if err := sc.ctx.Err(); err != nil {
				return nil, err
			}
			b.rows = level
			next, err := rec.run(nil, -1)
			if err != nil {
				return nil, err
			}
			if len(next) == 0 {
				break
			}
			if limit > 0 && depth > limit {
				return nil, newErr(sqlerr.MaxRecursionExhausted, limit)
			}
			all = append(all, next...)
			level = next
		}
		b.rows = nil
		return all, nil
	}), nil
}

// recSource is the CTE as a FROM item named by the reference's alias.
func recSource(x *tsql.CTERef, b *recBinding, rows func() [][]Value) *source {
	q := strings.ToLower(x.Alias.Name)
	cols := make([]bindCol, len(b.names))
	for i := range b.names {
		cols[i] = bindCol{qual: q, name: b.names[i], typ: b.types[i], nullable: true}
	}
	s := &source{cols: cols, names: []string{x.Alias.Name}}
	if rows != nil {
		s.run = func(*env) ([][]Value, error) { return rows(), nil }
	}
	return s
}

func (s *source) withRun(run func(en *env) ([][]Value, error)) *source {
	s.run = run
	return s
}
