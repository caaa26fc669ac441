package sqlerr

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"
)

// TestEveryNumberNamed: numbers.go names every catalogue entry once and
// nothing else, so a number added to the catalogue gets its name (and a
// name never points at a message the catalogue cannot build).
func TestEveryNumberNamed(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "numbers.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	named := map[int32][]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			for i, name := range v.Names {
				lit, ok := v.Values[i].(*ast.BasicLit)
				if !ok {
					t.Fatalf("%s: not a number literal", name.Name)
				}
				n, err := strconv.ParseInt(lit.Value, 10, 32)
				if err != nil {
					t.Fatalf("%s: %v", name.Name, err)
				}
				named[int32(n)] = append(named[int32(n)], name.Name)
			}
		}
	}
	for _, n := range Numbers() {
		switch names := named[n]; len(names) {
		case 0:
			t.Errorf("message %d has no constant in numbers.go", n)
		case 1:
		default:
			t.Errorf("message %d has several constants: %v", n, names)
		}
	}
	for n, names := range named {
		if _, ok := Lookup(n); !ok {
			t.Errorf("%v = %d: no catalogue entry", names, n)
		}
	}
	if e := New(DatabaseInUse); e.Number != 3101 || e.Message != "Exclusive access could not be obtained because the database is in use." {
		t.Errorf("New(DatabaseInUse) = %+v", e)
	}
}
