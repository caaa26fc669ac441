package tsql

import (
	"testing"

	"github.com/pchatdr/harness/sqlerr"
)

func TestCheckVariables(t *testing.T) {
	cases := []struct {
		batch string
		known string // a variable declared before the batch ("" none)
		num   int32  // 0: no error
		line  int32
	}{
		{"DECLARE @a int\nSELECT @a", "", 0, 0},
		{"SELECT 1\nSELECT @a", "", sqlerr.MustDeclareVariable, 2},
		{"SELECT @a\nDECLARE @a int", "", sqlerr.MustDeclareVariable, 1},
		{"IF 1 = 0 DECLARE @a int\nSELECT @a", "", 0, 0},
		{"SELECT @p", "@p", 0, 0},
		{"DECLARE @P int", "@p", sqlerr.VariableAlreadyDeclared, 1},
		{"DECLARE @a int\nDECLARE @A int", "", sqlerr.VariableAlreadyDeclared, 2},
		{"INSERT INTO @t VALUES (1)", "", sqlerr.MustDeclareTableVariable, 1},
		{"SELECT @@SPID", "", 0, 0},
	}
	for _, c := range cases {
		stmts, err := Parse(c.batch)
		if err != nil {
			t.Fatalf("%q: %v", c.batch, err)
		}
		decls, e := CheckVariables(stmts, func(k string) bool { return c.known != "" && k == c.known })
		switch {
		case c.num == 0 && e != nil:
			t.Errorf("%q: %v", c.batch, e)
		case c.num != 0 && (e == nil || e.Number != c.num || e.Line != c.line):
			t.Errorf("%q: got %v, want %d at line %d", c.batch, e, c.num, c.line)
		}
		if c.num == 0 && c.batch[0] == 'D' && decls["@a"] == nil {
			t.Errorf("%q: DECLARE @a not returned", c.batch)
		}
	}
}
