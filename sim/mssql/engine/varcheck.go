package engine

import (
	"sort"
	"strings"
	"sync"

	"github.com/pchatdr/harness/sim/mssql/tsql"
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

// checkVarsUncached runs tsql.CheckVariables with the scope's variables
// (a procedure's parameters, sp_executesql's) as declared before the
// batch, and keeps the batch's DECLAREs for lookupVar.
func (sc *scope) checkVarsUncached(stmts []tsql.Stmt) *Error {
	decl, err := tsql.CheckVariables(stmts, func(key string) bool { return sc.vars[key] != nil })
	sc.declared = decl
	return err
}
