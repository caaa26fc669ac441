package engine

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/rowset"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// Recursive common table expressions: the engine compiles the anchor and
// the recursive member (the member reads the previous level through a
// recBinding) and rowset.Fixpoint runs them, as Microsoft's "WITH
// common_table_expression" page describes (MAXRECURSION, error 530).

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
		limit = rowset.DefaultMaxRecursion
	}
	return recSource(x, b, nil).withRun(func(en *env) ([][]Value, error) {
		level, err := anchor.run(nil, -1)
		if err != nil {
			return nil, err
		}
		defer func() { b.rows = nil }()
		return rowset.Fixpoint(sc.ctx, level, func(level [][]Value) ([][]Value, error) {
			b.rows = level
			return rec.run(nil, -1)
		}, limit)
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
