// Package procbind is how SQL Server matches a call's arguments to a
// procedure's parameters, and how it reads sp_executesql's @params
// declarations: positional then named arguments, 8144 for too many, 8145
// for a name the procedure does not have, 201 for a parameter without
// default left out, 8114 for a value that does not convert implicitly, and
// the "@a int, @b nvarchar(10) OUTPUT, @c int = 5" list (102 on a bad one),
// and how sp_executesql's own arguments and its parameters' values are told
// apart and bound to that list (executesql.go: 201, 214, 8144, 8145, 8114,
// 8178).
//
// It knows no instance: the engine hands it the arguments' values and
// types (from EXEC or RPC) and the parser, and keeps what an OUTPUT
// argument writes back to and the cache of parsed declarations.
package procbind

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/query"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// Param declares one parameter of a procedure.
type Param struct {
	Name       string // with '@'
	Type       sqltypes.Type
	Default    sqltypes.Value
	HasDefault bool
	Output     bool
}

// Arg is one argument of a call as Bind sees it.
type Arg struct {
	Name      string // "" positional
	Val       sqltypes.Value
	Type      sqltypes.Type
	IsDefault bool // DEFAULT: the parameter keeps its default
	Output    bool
}

// Bound is a parameter's value for one call.
type Bound struct {
	Param Param
	Val   sqltypes.Value
	Type  sqltypes.Type
	Given bool
	// Output is true when the caller passed the argument as OUTPUT.
	Output bool
}

func newErr(n int32, args ...any) *sqlerr.Error { return sqlerr.New(n, args...) }

// EnsureAt is a parameter name with its '@' (an RPC may send it without).
func EnsureAt(s string) string {
	if strings.HasPrefix(s, "@") {
		return s
	}
	return "@" + s
}

// Bind matches arguments to parameters: 8144 too many, 8145 unknown name,
// 201 missing, 8114 a value that does not convert implicitly. The result
// is keyed by the parameter's lower-case name.
func Bind(procName string, params []Param, args []Arg) (map[string]*Bound, error) {
	out := make(map[string]*Bound, len(params))
	for _, p := range params {
		out[strings.ToLower(p.Name)] = &Bound{Param: p, Val: p.Default, Type: p.Type}
	}
	pos := 0
	for _, a := range args {
		var pa *Bound
		if a.Name == "" {
			if pos >= len(params) {
				return nil, newErr(sqlerr.TooManyArguments, procName)
			}
			pa = out[strings.ToLower(params[pos].Name)]
			pos++
		} else if pa = out[strings.ToLower(EnsureAt(a.Name))]; pa == nil {
			return nil, newErr(sqlerr.NotAParameter, a.Name, procName)
		}
		pa.Given = true
		pa.Output = a.Output
		if a.IsDefault {
			continue
		}
		v := a.Val
		if v != nil && pa.Param.Type.Kind != sqltypes.KindInvalid {
			cv, err := sqltypes.ConvertImplicit(v, a.Type, pa.Param.Type)
			if err != nil {
				return nil, newErr(sqlerr.ConvertError, a.Type.Name(), pa.Param.Type.Name())
			}
			v = cv
		}
		pa.Val = v
	}
	for _, p := range params {
		pa := out[strings.ToLower(p.Name)]
		if !pa.Given && !p.HasDefault {
			return nil, newErr(sqlerr.ParameterNotSupplied, procName, p.Name)
		}
	}
	return out, nil
}

// Decl is one declaration of sp_executesql's @params.
type Decl struct {
	Name    string
	Type    sqltypes.Type
	Output  bool
	Default tsql.Expr // nil: none
}

// ParseDecls parses "@a int, @b nvarchar(10) OUTPUT, @c int = 5" with
// parse, the instance's batch parser (each declaration is read as a
// DECLARE). An empty text declares nothing.
func ParseDecls(text string, parse func(string) ([]tsql.Stmt, error)) ([]Decl, error) {
	var out []Decl
	depth := 0
	start := 0
	var parts []string
	for i, r := range text {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, text[start:i])
				start = i + 1
			}
		}
	}
	parts = append(parts, text[start:])
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			if len(parts) == 1 {
				break
			}
			return nil, newErr(sqlerr.SyntaxError, ",")
		}
		out1 := false
		up := strings.ToUpper(p)
		for _, suf := range []string{" OUTPUT", " OUT", " READONLY"} {
			if strings.HasSuffix(up, suf) {
				out1 = suf != " READONLY"
				p = strings.TrimSpace(p[:len(p)-len(suf)])
				break
			}
		}
		stmts, err := parse("DECLARE " + p)
		if err != nil || len(stmts) != 1 {
			return nil, newErr(sqlerr.SyntaxError, p)
		}
		d, ok := stmts[0].(*tsql.DeclareStmt)
		if !ok || len(d.Vars) != 1 || d.Vars[0].Typ == nil {
			return nil, newErr(sqlerr.SyntaxError, p)
		}
		t, err := query.ResolveType(d.Vars[0].Typ, false, i+1)
		if err != nil {
			return nil, err
		}
		out = append(out, Decl{Name: d.Vars[0].Name, Type: t, Output: out1, Default: d.Vars[0].Init})
	}
	return out, nil
}
