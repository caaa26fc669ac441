package engine

import (
	"github.com/pchatdr/harness/sim/mssql/sessionfuncs"
	"github.com/pchatdr/harness/sim/mssql/tsql"
)

// Version is @@VERSION (sessionfuncs.Version).
func (inst *Instance) Version() string { return sessionfuncs.Version }

// globalVar compiles @@name: its rules are sessionfuncs.Global's, the
// facts it reads the scope's (sessionfacts.go).
func (sc *scope) globalVar(x *tsql.GlobalVarRef) (*cexpr, error) {
	return sessionfuncs.Global(sessionFacts{sc}, x.Name)
}
