package procbind

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/builtins"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// ExecuteSQL is a call of sp_executesql as the caller wrote it: its
// statement (@stmt, @statement or the first positional argument), its
// @params text (or the second positional argument; "" when absent or
// NULL), and the positions in the call of the other arguments, which are
// the values of the parameters @params declares.
type ExecuteSQL struct {
	Stmt, Params string
	Rest         []int
}

// SplitExecuteSQL finds sp_executesql's own arguments in args: 201 when
// the statement is missing, 214 when it or @params is not Unicode.
func SplitExecuteSQL(args []Arg) (ExecuteSQL, error) {
	var call ExecuteSQL
	stmt, decls := -1, -1
	for i, a := range args {
		switch {
		case strings.EqualFold(a.Name, "@stmt") || strings.EqualFold(a.Name, "@statement") || (a.Name == "" && i == 0):
			stmt = i
		case strings.EqualFold(a.Name, "@params") || (a.Name == "" && i == 1):
			decls = i
		default:
			call.Rest = append(call.Rest, i)
		}
	}
	if stmt < 0 {
		return call, newErr(sqlerr.ParameterNotSupplied, "sp_executesql", "@statement")
	}
	if a := args[stmt]; a.Val != nil && !a.Type.Kind.IsUnicode() {
		return call, newErr(sqlerr.ProcParameterType, "@statement", "ntext/nchar/nvarchar")
	}
	call.Stmt, _ = args[stmt].Val.(string)
	if decls >= 0 && args[decls].Val != nil {
		if !args[decls].Type.Kind.IsUnicode() {
			return call, newErr(sqlerr.ProcParameterType, "@params", "ntext/nchar/nvarchar")
		}
		call.Params, _ = args[decls].Val.(string)
	}
	return call, nil
}

// BindDecls binds sp_executesql's parameter arguments (call.Rest of args)
// to the declarations of its @params: positional then named (8144 too
// many, 8145 a name not declared), each value converted to its declared
// type (8114); a declaration no argument names takes its default, which
// eval computes, in declaration order (8178 when it has none). set stores
// a declaration's value as it is bound (the engine's variable of the
// dynamic batch, which a later default may read). It returns the
// declaration each argument bound, by the argument's position in args
// (the OUTPUT write-back).
func BindDecls(call ExecuteSQL, decls []Decl, args []Arg, eval func(tsql.Expr) (sqltypes.Value, sqltypes.Type, error), set func(decl int, v sqltypes.Value)) (map[int]int, error) {
	given := make([]bool, len(decls))
	pos := 0
	target := map[int]int{}
	for _, i := range call.Rest {
		a := args[i]
		k := -1
		if a.Name == "" {
			k = pos
			pos++
			if k >= len(decls) {
				return nil, newErr(sqlerr.TooManyArguments, "sp_executesql")
			}
		} else {
			for j, d := range decls {
				if strings.EqualFold(d.Name, EnsureAt(a.Name)) {
					k = j
				}
			}
			if k < 0 {
				return nil, newErr(sqlerr.NotAParameter, a.Name, "sp_executesql")
			}
		}
		given[k] = true
		target[i] = k
		if a.IsDefault || a.Val == nil {
			continue
		}
		cv, err := sqltypes.ConvertImplicit(a.Val, a.Type, decls[k].Type)
		if err != nil {
			return nil, newErr(sqlerr.ConvertError, a.Type.Name(), decls[k].Type.Name())
		}
		set(k, cv)
	}
	for k, d := range decls {
		if given[k] {
			continue
		}
		if d.Default == nil {
			q := "(" + call.Params + ")" + call.Stmt
			if len(q) > 100 {
				q = q[:100]
			}
			return nil, newErr(sqlerr.QueryParameterNotSupplied, q, d.Name)
		}
		v, t, err := eval(d.Default)
		if err != nil {
			return nil, err
		}
		cv, err := builtins.ConvertTo(v, t, d.Type)
		if err != nil {
			return nil, err
		}
		set(k, cv)
	}
	return target, nil
}
