package procbind

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

// Call is one call of a system procedure as its body reads and writes its
// arguments: the parameters Bind bound, by name.
type Call struct {
	Name string
	// Qualifier is the database the caller named (master in
	// master.dbo.sp_x), empty when unqualified: a qualified system
	// procedure runs in that database's context on SQL Server.
	Qualifier string
	args      map[string]*Bound // key: lower(@name)
}

// NewCall is a call of name with Bind's result args.
func NewCall(name, qualifier string, args map[string]*Bound) Call {
	return Call{Name: name, Qualifier: qualifier, args: args}
}

// Arg returns a parameter's value (its default when not passed).
func (c *Call) Arg(name string) sqltypes.Value {
	if a := c.args[strings.ToLower(name)]; a != nil {
		return a.Val
	}
	return nil
}

// Given reports whether the caller passed the parameter.
func (c *Call) Given(name string) bool {
	a := c.args[strings.ToLower(name)]
	return a != nil && a.Given
}

// SetOutput sets an OUTPUT parameter's value (what the engine writes back
// to the caller's variable).
func (c *Call) SetOutput(name string, v sqltypes.Value) {
	if a := c.args[strings.ToLower(name)]; a != nil {
		a.Val = v
	}
}
