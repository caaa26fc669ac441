package tsql

import "testing"

// Precedence per the SQL Server docs: ~; * / %; + - & ^ |; comparisons; NOT;
// AND; OR/BETWEEN/IN/LIKE (the predicates bind to their operands first).
func TestPrecedence(t *testing.T) {
	scalars := []struct{ in, want string }{
		{"1 + 2 * 3", "(1 + (2 * 3))"},
		{"1 * 2 + 3", "((1 * 2) + 3)"},
		{"1 - 2 - 3", "((1 - 2) - 3)"},
		{"8 / 4 / 2", "((8 / 4) / 2)"},
		{"7 % 3 * 2", "((7 % 3) * 2)"},
		{"1 + 2 & 3", "((1 + 2) & 3)"},
		{"1 | 2 ^ 3 & 4", "(((1 | 2) ^ 3) & 4)"},
		{"1 & 2 * 3", "(1 & (2 * 3))"},
		{"~1 + 2", "((~1) + 2)"},
		{"~a * b", "((~a) * b)"},
		{"-a * b", "((-a) * b)"},
		{"- - 1", "(-(-1))"},
		{"-(1 + 2)", "(-((1 + 2)))"},
		{"a + b COLLATE x", "(a + (b COLLATE x))"},
		{"'a' + N'b' + @c", "(('a' + N'b') + @c)"},
		{"(1 + 2) * 3", "(((1 + 2)) * 3)"},
		{"1 + (SELECT 2)", "(1 + (SELECT 2))"},
	}
	for _, tc := range scalars {
		e, err := ParseExpr(tc.in)
		if err != nil {
			t.Errorf("ParseExpr(%q): %v", tc.in, err)
			continue
		}
		if got := e.String(); got != tc.want {
			t.Errorf("ParseExpr(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	conds := []struct{ in, want string }{
		{"a = 1 OR b = 2 AND c = 3", "((a = 1) OR ((b = 2) AND (c = 3)))"},
		{"a = 1 AND b = 2 OR c = 3", "(((a = 1) AND (b = 2)) OR (c = 3))"},
		{"NOT a = 1 AND b = 2", "((NOT (a = 1)) AND (b = 2))"},
		{"NOT a = 1 OR NOT b = 2", "((NOT (a = 1)) OR (NOT (b = 2)))"},
		{"NOT NOT a = 1", "(NOT (NOT (a = 1)))"},
		{"a + 1 > b * 2", "((a + 1) > (b * 2))"},
		{"a BETWEEN 1 AND 2 AND b = 3", "((a BETWEEN 1 AND 2) AND (b = 3))"},
		{"a NOT BETWEEN 1 + 1 AND 2 * 3", "(a NOT BETWEEN (1 + 1) AND (2 * 3))"},
		{"a LIKE 'x' + '%' OR b NOT LIKE 'y'", "((a LIKE ('x' + '%')) OR (b NOT LIKE 'y'))"},
		{"a IN (1, 2) AND b NOT IN (SELECT c FROM t)", "((a IN (1, 2)) AND (b NOT IN (SELECT c FROM t)))"},
		{"a IS NULL OR b IS NOT NULL", "((a IS NULL) OR (b IS NOT NULL))"},
		{"NOT a IS NULL", "(NOT (a IS NULL))"},
		{"NOT EXISTS (SELECT 1) AND EXISTS (SELECT 2)", "((NOT EXISTS (SELECT 1)) AND EXISTS (SELECT 2))"},
		{"(a = 1 OR b = 2) AND c = 3", "((((a = 1) OR (b = 2))) AND (c = 3))"},
		{"((a = 1))", "(((a = 1)))"},
		{"(a) = 1", "((a) = 1)"},
		{"(a + 1) * 2 >= 3", "((((a + 1)) * 2) >= 3)"},
		{"a <> 1 AND b != 2 AND c !< 3 AND d !> 4", "((((a <> 1) AND (b <> 2)) AND (c !< 3)) AND (d !> 4))"},
		{"a > ANY (SELECT 1)", "(a > ANY (SELECT 1))"},
	}
	for _, tc := range conds {
		e, err := ParseCondition(tc.in)
		if err != nil {
			t.Errorf("ParseCondition(%q): %v", tc.in, err)
			continue
		}
		if got := e.String(); got != tc.want {
			t.Errorf("ParseCondition(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestOperatorText keeps the operator as written where the AST folds two
// spellings into one operator.
func TestOperatorText(t *testing.T) {
	e, err := ParseCondition("a != 1")
	if err != nil {
		t.Fatal(err)
	}
	b := e.(*BinaryExpr)
	if b.Op != OpNe || b.OpText != "!=" {
		t.Fatalf("got %v %q", b.Op, b.OpText)
	}
}
