package query

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/rowset"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// Recursive common table expressions: the compiler compiles the anchor and
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

func (qb *Builder) recursiveCTESource(x *tsql.CTERef) (*Source, error) {
	rc := x.CTE
	if x.Self {
		b := qb.recLevel[rc]
		if b == nil {
			return nil, newErr(sqlerr.InvalidObject, rc.Name.Name)
		}
		return recSource(x, b, func() [][]Value { return b.rows }), nil
	}
	anchor, err := qb.compileQuery(&tsql.SelectStmt{Pos: x.Pos, Body: rc.Anchor}, nil)
	if err != nil {
		return nil, err
	}
	b := &recBinding{}
	if len(rc.Columns) > 0 && len(rc.Columns) != len(anchor.Cols) {
		if len(anchor.Cols) > len(rc.Columns) {
			return nil, newErr(sqlerr.MoreColumnsThanList, rc.Name.Name)
		}
		return nil, newErr(sqlerr.FewerColumnsThanList, rc.Name.Name)
	}
	for i, c := range anchor.Cols {
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
	if qb.recLevel == nil {
		qb.recLevel = map[*tsql.RecursiveCTE]*recBinding{}
	}
	outer := qb.recLevel[rc]
	qb.recLevel[rc] = b
	rec, err := qb.compileQuery(&tsql.SelectStmt{Pos: x.Pos, Body: rc.Recursive}, nil)
	qb.recLevel[rc] = outer
	if err != nil {
		return nil, err
	}
	if len(rec.Cols) != len(b.types) {
		return nil, newErr(sqlerr.UnionColumnCount)
	}
	for i, c := range rec.Cols {
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
	return recSource(x, b, nil).withRun(func(en *Env) ([][]Value, error) {
		level, err := anchor.Run(nil, -1)
		if err != nil {
			return nil, err
		}
		defer func() { b.rows = nil }()
		return rowset.Fixpoint(qb.scope.Context(), level, func(level [][]Value) ([][]Value, error) {
			b.rows = level
			return rec.Run(nil, -1)
		}, limit)
	}), nil
}

// recSource is the CTE as a FROM item named by the reference's alias.
func recSource(x *tsql.CTERef, b *recBinding, rows func() [][]Value) *Source {
	q := strings.ToLower(x.Alias.Name)
	cols := make([]BindCol, len(b.names))
	for i := range b.names {
		cols[i] = BindCol{Qual: q, Name: b.names[i], Type: b.types[i], Nullable: true}
	}
	s := &Source{Cols: cols, Names: []string{x.Alias.Name}}
	if rows != nil {
		s.Run = func(*Env) ([][]Value, error) { return rows(), nil }
	}
	return s
}

func (s *Source) withRun(run func(en *Env) ([][]Value, error)) *Source {
	s.Run = run
	return s
}
