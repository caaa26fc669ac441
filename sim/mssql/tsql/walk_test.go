package tsql

import "testing"

// Canonical ignores what GROUP BY matching must ignore (case, blanks,
// positions, a literal's spelling) and nothing else.
func TestCanonical(t *testing.T) {
	key := func(s string) string {
		t.Helper()
		e, err := ParseExpr(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		return Canonical(e)
	}
	same := [][2]string{
		{"a + 1", "A+1"},
		{"UPPER(t.Name)", "upper( T.name )"},
		{"CASE WHEN x > 0 THEN 'p' END", "case when X>0 then 'p' end"},
	}
	for _, c := range same {
		if key(c[0]) != key(c[1]) {
			t.Errorf("%q and %q have different keys", c[0], c[1])
		}
	}
	differ := [][2]string{
		{"a + 1", "a + 2"},
		{"a + 1", "a - 1"},
		{"t.a", "u.a"},
		{"LEFT(a, 1)", "RIGHT(a, 1)"},
	}
	for _, c := range differ {
		if key(c[0]) == key(c[1]) {
			t.Errorf("%q and %q have the same key", c[0], c[1])
		}
	}
}

// WalkExpr reaches every sub-expression but not into a subquery, and
// does not descend where fn says no.
func TestWalkExpr(t *testing.T) {
	e, err := ParseExpr("COALESCE(a, b + c) + (SELECT MAX(d) FROM t)")
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	WalkExpr(e, func(x Expr) bool {
		if c, ok := x.(*ColumnRef); ok {
			cols = append(cols, c.Name.Object().Name)
		}
		return true
	})
	if got := len(cols); got != 3 || cols[0] != "a" || cols[1] != "b" || cols[2] != "c" {
		t.Fatalf("columns walked = %v, want [a b c]", cols)
	}
	var visited []Expr
	WalkExpr(e, func(x Expr) bool {
		visited = append(visited, x)
		_, isCall := x.(*FuncCall)
		return !isCall
	})
	for _, x := range visited {
		if c, ok := x.(*ColumnRef); ok {
			t.Fatalf("walk descended into COALESCE to %s after fn returned false", c.Name.Object().Name)
		}
	}
	if len(visited) < 3 {
		t.Fatalf("visited %d expressions, want the sum, COALESCE and the subquery", len(visited))
	}
}
