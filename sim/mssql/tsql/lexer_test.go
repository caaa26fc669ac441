package tsql

import (
	"fmt"
	"strings"
	"testing"
)

func TestLex(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT a", "Ident(SELECT)* Ident(a)"},
		{"[a]]b] \"c\"\"d\"", "Quoted(a]b) Quoted(c\"d)"},
		{"@v @@SPID #tmp ##g", "Var(@v) GlobalVar(@@SPID) Ident(#tmp) Ident(##g)"},
		{"1 1.5 1. .5 1e3 1.5E-2 0x 0x0aF $1.5", "Int(1) Decimal(1.5) Decimal(1.) Decimal(.5) Float(1e3) Float(1.5E-2) Binary() Binary(0aF) Money(1.5)"},
		{"'it''s' N'x' n'y' ''", "String(it's) NString(x) NString(y) String()"},
		{"<> != <= >= !< !> :: += - -1", "Op(<>) Op(!=) Op(<=) Op(>=) Op(!<) Op(!>) Op(::) Op(+=) Op(-) Op(-) Int(1)"},
		{"a--comment\nb/*x/*y*/z*/c", "Ident(a) Ident(b) Ident(c)"},
		{"a.b..c", "Ident(a) Op(.) Ident(b) Op(.) Op(.) Ident(c)"},
		{"Nx N 'a'", "Ident(Nx) Ident(N) String(a)"},
		{"` ?", "Illegal(`) Illegal(?)"},
		{"café ñ", "Ident(café) Ident(ñ)"},
		{"1a", "Int(1) Ident(a)"},
	}
	for _, tc := range tests {
		toks, err := Lex(tc.in)
		if err != nil {
			t.Errorf("Lex(%q): %v", tc.in, err)
			continue
		}
		if toks[len(toks)-1].Kind != TokEOF {
			t.Errorf("Lex(%q): last token is not EOF", tc.in)
		}
		var parts []string
		for _, tk := range toks[:len(toks)-1] {
			s := fmt.Sprintf("%s(%s)", tk.Kind, tk.Value)
			if tk.Kind == TokOp || tk.Kind == TokIllegal {
				s = fmt.Sprintf("%s(%s)", tk.Kind, tk.Raw)
			}
			if tk.Keyword {
				s += "*"
			}
			parts = append(parts, s)
		}
		if got := strings.Join(parts, " "); got != tc.want {
			t.Errorf("Lex(%q)\n got: %s\nwant: %s", tc.in, got, tc.want)
		}
	}
}

func TestLexPositions(t *testing.T) {
	toks, err := Lex("SELECT\r\n  é, x\n\t'a\nb' y")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		raw       string
		line, col int
		off       int
	}{
		{"SELECT", 1, 1, 0}, {"é", 2, 3, 10}, {",", 2, 4, 12}, {"x", 2, 6, 14}, {"'a\nb'", 3, 2, 17}, {"y", 4, 4, 23},
	}
	for i, w := range want {
		tk := toks[i]
		if tk.Raw != w.raw || tk.Pos.Line != w.line || tk.Pos.Col != w.col || tk.Pos.Offset != w.off {
			t.Errorf("token %d: got %q %d:%d@%d, want %q %d:%d@%d", i, tk.Raw, tk.Pos.Line, tk.Pos.Col, tk.Pos.Offset, w.raw, w.line, w.col, w.off)
		}
	}
}

// TestStatementPositions checks the lines the engine reports in messages and
// that Offset slices the batch at each statement.
func TestStatementPositions(t *testing.T) {
	batch := "SET NOCOUNT ON;\n\nSELECT 1\n  /* c */ PRINT 'x'\nIF 1 = 1\n  BEGIN\n    RAISERROR('e', 16, 1)\n  END"
	stmts, err := Parse(batch)
	if err != nil {
		t.Fatal(err)
	}
	wantLines := []int{1, 3, 4, 5}
	if len(stmts) != len(wantLines) {
		t.Fatalf("got %d statements", len(stmts))
	}
	for i, s := range stmts {
		p := s.Position()
		if p.Line != wantLines[i] {
			t.Errorf("stmt %d (%s): line %d, want %d", i, s, p.Line, wantLines[i])
		}
	}
	if got := batch[stmts[2].Position().Offset:][:5]; got != "PRINT" {
		t.Errorf("offset of PRINT slices to %q", got)
	}
	inner := stmts[3].(*IfStmt).Then.(*BlockStmt).Body[0]
	if p := inner.Position(); p.Line != 7 || p.Col != 5 {
		t.Errorf("RAISERROR at %v, want 7:5", p)
	}
	sel := stmts[1].(*SelectStmt).Body.(*QuerySpec)
	if p := sel.Items[0].Expr.Position(); p.Line != 3 || p.Col != 8 {
		t.Errorf("select item at %v, want 3:8", p)
	}
}

func TestIdentifiers(t *testing.T) {
	n, err := ParseObjectName("[srv].[my db]..\"t\"\"x\"")
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Parts) != 4 || n.Server().Name != "srv" || n.Database().Name != "my db" || n.Schema().Name != "" || n.Object().Name != "t\"x" {
		t.Fatalf("got %+v", n.Parts)
	}
	if n.Object().Raw != "\"t\"\"x\"" || !n.Object().Quoted {
		t.Fatalf("raw %q quoted %v", n.Object().Raw, n.Object().Quoted)
	}
	one, err := ParseObjectName("mgc")
	if err != nil {
		t.Fatal(err)
	}
	if one.Object().Name != "mgc" || one.Schema().Name != "" || one.Database().Name != "" {
		t.Fatalf("got %+v", one)
	}
	if _, err := ParseObjectName("a.b.c.d.e"); err == nil {
		t.Fatal("five-part name accepted")
	}
}

func TestTypes(t *testing.T) {
	tests := []struct {
		in     string
		name   string
		params []int64
		max    bool
	}{
		{"INT", "INT", nil, false},
		{"decimal(25, 0)", "decimal", []int64{25, 0}, false},
		{"nvarchar(MAX)", "nvarchar", nil, true},
		{"varbinary(max)", "varbinary", nil, true},
		{"float(24)", "float", []int64{24}, false},
		{"datetime2(7)", "datetime2", []int64{7}, false},
		{"sysname", "sysname", nil, false},
		{"sys.sysname", "sysname", nil, false},
		{"double precision", "float", nil, false},
	}
	for _, tc := range tests {
		typ, err := ParseType(tc.in)
		if err != nil {
			t.Errorf("ParseType(%q): %v", tc.in, err)
			continue
		}
		if typ.Name.Object().Name != tc.name || typ.Max != tc.max || fmt.Sprint(typ.Params) != fmt.Sprint(tc.params) {
			t.Errorf("ParseType(%q) = %+v", tc.in, typ)
		}
	}
	for _, bad := range []string{"int(", "varchar(-1)", "varchar(x)", "decimal(1,)", "a.b.c"} {
		if _, err := ParseType(bad); err == nil {
			t.Errorf("ParseType(%q) accepted", bad)
		}
	}
}

func TestLiterals(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1", "*tsql.IntLit 1"},
		{"2147483647", "*tsql.IntLit 2147483647"},
		{"2147483648", "*tsql.DecimalLit 2147483648 p10 s0"},
		{"1.50", "*tsql.DecimalLit 150 p3 s2"},
		{"0.5", "*tsql.DecimalLit 5 p1 s1"},
		{"000.000", "*tsql.DecimalLit 0 p3 s3"},
		{"1.", "*tsql.DecimalLit 1 p1 s0"},
		{"1e3", "*tsql.FloatLit 1000"},
		{"0x1", "*tsql.BinaryLit [1]"},
		{"0x", "*tsql.BinaryLit []"},
		{"N'a''b'", "*tsql.StringLit a'b unicode"},
	}
	for _, tc := range tests {
		e, err := ParseExpr(tc.in)
		if err != nil {
			t.Errorf("ParseExpr(%q): %v", tc.in, err)
			continue
		}
		var got string
		switch v := e.(type) {
		case *IntLit:
			got = fmt.Sprintf("%T %d", v, v.Value)
		case *DecimalLit:
			got = fmt.Sprintf("%T %s p%d s%d", v, v.Unscaled, v.Precision, v.Scale)
		case *FloatLit:
			got = fmt.Sprintf("%T %g", v, v.Value)
		case *BinaryLit:
			got = fmt.Sprintf("%T %v", v, v.Value)
		case *StringLit:
			got = fmt.Sprintf("%T %s", v, v.Value)
			if v.Unicode {
				got += " unicode"
			}
		default:
			got = fmt.Sprintf("%T", v)
		}
		if got != tc.want {
			t.Errorf("ParseExpr(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
