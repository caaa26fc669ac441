package tsql

import (
	"reflect"
	"strings"

	"github.com/pchatdr/harness/sqlerr"
)

// CheckVariables is SQL Server's compile-time variable check of a batch
// or a procedure's body: a variable must be declared textually before its
// use anywhere in it (137 for scalar variables, 1087 for table variables;
// 134 for a second DECLARE of a name), and the batch does not run at all
// otherwise. Control flow does not matter: a DECLARE inside an IF that
// never runs still declares. known reports the variables that exist
// before the batch (a procedure's parameters, sp_executesql's), by lower
// case name. It returns the batch's DECLAREs by lower-case name (a
// variable exists from its declaration to the end of the batch even when
// the DECLARE never ran) and the first error, its Line set.
func CheckVariables(stmts []Stmt, known func(key string) bool) (map[string]*VarDecl, *sqlerr.Error) {
	declared := map[string]bool{}
	var decls map[string]*VarDecl
	var found *sqlerr.Error
	line := 0
	var walk func(v reflect.Value)
	check := func(name string, l int, table bool) {
		if found != nil || name == "" || !strings.HasPrefix(name, "@") || strings.HasPrefix(name, "@@") {
			return
		}
		if key := strings.ToLower(name); !declared[key] && !known(key) {
			if table {
				found = sqlerr.New(sqlerr.MustDeclareTableVariable, name)
			} else {
				found = sqlerr.New(sqlerr.MustDeclareVariable, name)
			}
			found.Line = int32(l)
		}
	}
	walk = func(v reflect.Value) {
		if found != nil {
			return
		}
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if v.IsNil() {
				return
			}
			switch n := v.Interface().(type) {
			case *VarRef:
				check(n.Name, n.Line, false)
				return
			case *DeclareStmt:
				for _, d := range n.Vars {
					if d.Init != nil {
						walk(reflect.ValueOf(d.Init))
					}
					key := strings.ToLower(d.Name)
					if (declared[key] || known(key)) && found == nil {
						found = sqlerr.New(sqlerr.VariableAlreadyDeclared, d.Name)
						found.Line = int32(d.Line)
					}
					declared[key] = true
					if decls == nil {
						decls = map[string]*VarDecl{}
					}
					decls[key] = d
				}
				return
			case *TableVarRef:
				check(n.Name, n.Line, true)
				return
			case *CTERef:
				// A recursive CTE's members are walked from the
				// statement's reference, not again from its own.
				if !n.Self {
					walk(reflect.ValueOf(n.CTE.Anchor))
					walk(reflect.ValueOf(n.CTE.Recursive))
				}
				return
			case *CreateProcStmt, *CreateViewStmt:
				// Checked against the procedure's parameters when it
				// is created (the engine's modules.go).
				return
			}
			walk(v.Elem())
		case reflect.Struct:
			t := v.Type()
			if t == reflect.TypeOf(Pos{}) {
				return
			}
			if p, ok := v.Addr().Interface().(interface{ Position() Pos }); ok && p.Position().Line > 0 {
				line = p.Position().Line
			}
			l := line
			for i := 0; i < v.NumField(); i++ {
				f := t.Field(i)
				fv := v.Field(i)
				if f.Type.Kind() == reflect.String {
					switch f.Name {
					case "Var", "ReturnVar", "ProcVar", "DBVar":
						check(fv.String(), l, false)
					case "TargetVar", "TableVar":
						check(fv.String(), l, true)
					case "Name":
						if t == reflect.TypeOf(BeginTranStmt{}) {
							check(fv.String(), l, false)
						}
					}
					continue
				}
				walk(fv)
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		}
	}
	for _, st := range stmts {
		walk(reflect.ValueOf(st))
	}
	return decls, found
}
