package engine

import (
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// checkVars is SQL Server's compile-time variable check: a variable must be
// declared textually before its use anywhere in the batch (137 for scalar
// variables, 1087 for table variables), and the batch does not run at all
// otherwise. Control flow does not matter: a DECLARE inside an IF that
// never runs still declares.
func (sc *scope) checkVars(stmts []tsql.Stmt, text string) *Error {
	// The result depends only on the batch and the variables the scope
	// starts with (sp_executesql parameters): cache it, parameterized
	// statements repeat.
	keys := make([]string, 0, len(sc.vars))
	for k := range sc.vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ck := strings.Join(keys, ",") + "\x00" + text
	vc := &sc.s.inst.vcache
	vc.mu.Lock()
	if r, ok := vc.m[ck]; ok {
		vc.mu.Unlock()
		sc.declared = r.declared
		if r.err != nil {
			e := *r.err
			return &e
		}
		return nil
	}
	vc.mu.Unlock()
	sc.declared = nil
	err := sc.checkVarsUncached(stmts)
	vc.mu.Lock()
	if vc.m == nil || len(vc.m) >= parseCacheMax {
		vc.m = map[string]varCheck{}
	}
	var saved *Error
	if err != nil {
		c := *err
		saved = &c
	}
	vc.m[ck] = varCheck{err: saved, declared: sc.declared}
	vc.mu.Unlock()
	return err
}

type varCheck struct {
	err      *Error
	declared map[string]*tsql.VarDecl // read-only once cached
}

type varCheckCache struct {
	mu sync.Mutex
	m  map[string]varCheck
}

func (sc *scope) checkVarsUncached(stmts []tsql.Stmt) *Error {
	declared := map[string]bool{}
	for k := range sc.vars {
		declared[k] = true
	}
	var found *Error
	line := 0
	var walk func(v reflect.Value)
	check := func(name string, l int, table bool) {
		if found != nil || name == "" || !strings.HasPrefix(name, "@") || strings.HasPrefix(name, "@@") {
			return
		}
		if !declared[strings.ToLower(name)] {
			if table {
				found = newErr(sqlerr.MustDeclareTableVariable, name)
			} else {
				found = newErr(sqlerr.MustDeclareVariable, name)
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
			case *tsql.VarRef:
				check(n.Name, n.Line, false)
				return
			case *tsql.DeclareStmt:
				for _, d := range n.Vars {
					if d.Init != nil {
						walk(reflect.ValueOf(d.Init))
					}
					key := strings.ToLower(d.Name)
					if declared[key] && found == nil {
						found = newErr(sqlerr.VariableAlreadyDeclared, d.Name)
						found.Line = int32(d.Line)
					}
					declared[key] = true
					if sc.declared == nil {
						sc.declared = map[string]*tsql.VarDecl{}
					}
					sc.declared[key] = d
				}
				return
			case *tsql.TableVarRef:
				check(n.Name, n.Line, true)
				return
			case *tsql.CTERef:
				// A recursive CTE's members are walked from the
				// statement's reference, not again from its own.
				if !n.Self {
					walk(reflect.ValueOf(n.CTE.Anchor))
					walk(reflect.ValueOf(n.CTE.Recursive))
				}
				return
			case *tsql.CreateProcStmt, *tsql.CreateViewStmt:
				// Checked against the procedure's parameters when it
				// is created (modules.go).
				return
			}
			walk(v.Elem())
		case reflect.Struct:
			t := v.Type()
			if t == posType {
				return
			}
			if p, ok := v.Addr().Interface().(interface{ Position() tsql.Pos }); ok && p.Position().Line > 0 {
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
						if t == reflect.TypeOf(tsql.BeginTranStmt{}) {
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
	return found
}
