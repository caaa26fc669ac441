package archtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// raisers are the functions that raise a SQL Server message by number:
// sqlerr.New itself and the simulator's and the in-memory model's
// wrappers of it (by package directory; "" is any), with the index of the
// argument that is the number.
var raisers = []struct {
	dir, name string
	arg       int
}{
	{"", "sqlerr.New", 0},
	{"sim/mssql/engine", "newErr", 0},
	{"sim/mssql/engine", "msgText", 0},
	{"sim/mssql/mirroring", "newErr", 0},
	{"sim/mssql/security", "newErr", 0},
	{"sim/mssql/catalog", "newErr", 0},
	{"sim/mssql/sysprocs", "newErr", 0},
	// A mirroring partner's refusal is the error the other side's ALTER
	// DATABASE raises.
	{"sim/mssql/mirroring", "refuse", 1},
	{"sim/mssql/backup", "newErr", 0},
	{"sim/mssql/capacity", "newErr", 0},
	{"sim/mssql/databases", "newErr", 0},
	{"sim/mssql/modules", "newErr", 0},
	{"sim/mssql/query", "newErr", 0},
	{"failback/memory", "e", 0},
}

// numberedLits are the composite literals that carry a message number in a
// field: a partner's refusal (mirror.Refusal{Number: ...}).
var numberedLits = []struct{ typ, field string }{
	{"mirror.Refusal", "Number"},
}

// TestErrorsRaisedByName: no code raises a SQL Server message by literal
// number; it names it from the one catalogue (sqlerr.DatabaseInUse, not
// 3101), so a reader sees which rule fires and a typo cannot compile.
func TestErrorsRaisedByName(t *testing.T) {
	root := moduleRoot(t)
	names := catalogueNames(t, filepath.Join(root, "sqlerr", "numbers.go"))
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n != "." && (strings.HasPrefix(n, ".") || n == "testdata" || n == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		dir := filepath.ToSlash(filepath.Dir(rel))
		if dir == "sqlerr" {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			report := func(lit *ast.BasicLit, what string) {
				n, _ := strconv.Atoi(lit.Value)
				want := names[n]
				if want == "" {
					want = "a new constant in sqlerr/numbers.go and its catalogue entry"
				} else {
					want = "sqlerr." + want
				}
				t.Errorf("%s:%d: %s raises a message by number: use %s", filepath.ToSlash(rel), fset.Position(lit.Pos()).Line, what, want)
			}
			if cl, ok := n.(*ast.CompositeLit); ok {
				typ := callName(cl.Type)
				for _, nl := range numberedLits {
					if typ != nl.typ {
						continue
					}
					for _, el := range cl.Elts {
						kv, ok := el.(*ast.KeyValueExpr)
						if !ok {
							continue
						}
						if k, ok := kv.Key.(*ast.Ident); ok && k.Name == nl.field {
							if lit, ok := kv.Value.(*ast.BasicLit); ok && lit.Kind == token.INT {
								report(lit, fmt.Sprintf("%s{%s: %s}", typ, nl.field, lit.Value))
							}
						}
					}
				}
				return true
			}
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			fn := callName(call.Fun)
			for _, r := range raisers {
				if fn != r.name || (r.dir != "" && r.dir != dir) || len(call.Args) <= r.arg {
					continue
				}
				if lit, ok := call.Args[r.arg].(*ast.BasicLit); ok && lit.Kind == token.INT {
					report(lit, fmt.Sprintf("%s(..%s..)", fn, lit.Value))
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 || len(names) < 200 {
		t.Fatalf("checked %d files against %d names: the check would prove nothing", checked, len(names))
	}
}

func callName(fun ast.Expr) string {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		if x, ok := f.X.(*ast.Ident); ok {
			return x.Name + "." + f.Sel.Name
		}
	}
	return ""
}

// catalogueNames reads sqlerr/numbers.go: number -> constant name.
func catalogueNames(t *testing.T, path string) map[int]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			for i, name := range v.Names {
				if lit, ok := v.Values[i].(*ast.BasicLit); ok {
					n, _ := strconv.Atoi(lit.Value)
					out[n] = name.Name
				}
			}
		}
	}
	return out
}

// moduleRoot is the directory holding go.mod, above this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}
