package tsql

import (
	"reflect"
	"strconv"
)

// Recursive common table expression errors (docs: "WITH common_table_expression",
// guidelines for defining and using recursive CTEs).
const (
	ErrNoAnchorMember   = 246 // No anchor member was specified for recursive query '%.*ls'.
	ErrRecursiveNoUnion = 252 // Recursive common table expression '%.*ls' does not contain a top-level UNION ALL operator.
	ErrMaxRecursionHigh = 310 // The value %d specified for the MAXRECURSION option exceeds the allowed maximum of %d.
)

// RecursiveCTE is a common table expression that refers to itself: the
// anchor member, UNION ALL, the recursive member (the one that refers to
// it). Every reference to it (CTERef) points at this one node.
type RecursiveCTE struct {
	Name      Ident
	Columns   []Ident
	Anchor    QueryExpr
	Recursive QueryExpr
	// MaxRecursion is the statement's OPTION (MAXRECURSION n): -1 for the
	// default (100), 0 for no limit.
	MaxRecursion int
}

// CTERef is a reference to a recursive common table expression in FROM:
// from its own recursive member (Self, the rows of the previous level) or
// from the statement (all its rows).
type CTERef struct {
	Pos
	CTE   *RecursiveCTE
	Alias Ident
	Self  bool
}

func (*CTERef) tableSourceNode() {}

func (r *CTERef) String() string {
	s := r.CTE.Name.String()
	if r.Alias.Name != r.CTE.Name.Name {
		s += " AS " + r.Alias.String()
	}
	return s
}

// recursiveCTE finishes the definition of the CTE being read when its
// query referred to itself: that query must be anchor UNION ALL recursive
// member (252 otherwise), with no self-reference in the anchor (246). Nil
// when the query does not refer to the CTE.
func (p *parser) recursiveCTE(q *SelectStmt) *RecursiveCTE {
	rc := p.cteRec
	if !refersTo(q, rc) {
		return nil
	}
	u, ok := q.Body.(*SetOpExpr)
	if !ok || u.Op != SetUnionAll || len(q.OrderBy) > 0 {
		p.failf(ErrRecursiveNoUnion, "Recursive common table expression '%s' does not contain a top-level UNION ALL operator.", rc.Name.Name)
	}
	if refersTo(u.Left, rc) {
		if lu, ok := u.Left.(*SetOpExpr); ok && lu.Op == SetUnionAll {
			// Several recursive members: not modelled.
			p.unsupported(q.Pos.Line, "recursive common table expressions with several recursive members")
		}
		p.failf(ErrNoAnchorMember, "No anchor member was specified for recursive query '%s'.", rc.Name.Name)
	}
	rc.Anchor, rc.Recursive = u.Left, u.Right
	return rc
}

// refersTo reports whether node holds a self-reference to rc.
func refersTo(node any, rc *RecursiveCTE) bool {
	found := false
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		if found {
			return
		}
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if v.IsNil() {
				return
			}
			if r, ok := v.Interface().(*CTERef); ok {
				if r.Self && r.CTE == rc {
					found = true
				}
				return
			}
			if _, ok := v.Interface().(*RecursiveCTE); ok {
				return
			}
			walk(v.Elem())
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				walk(v.Field(i))
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		}
	}
	walk(reflect.ValueOf(node))
	return found
}

// parseMaxRecursion reads OPTION (MAXRECURSION n), n from 0 to 32767.
func (p *parser) parseMaxRecursion() *int {
	p.next() // OPTION
	p.next() // (
	p.next() // MAXRECURSION
	t := p.tok()
	if t.Kind != TokInt {
		p.fail()
	}
	p.next()
	n, err := strconv.Atoi(t.Raw)
	if err != nil || n > 32767 {
		p.failf(ErrMaxRecursionHigh, "The value %s specified for the MAXRECURSION option exceeds the allowed maximum of 32767.", t.Raw)
	}
	p.expectOp(")")
	return &n
}
