package query

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/builtins"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// funcCall compiles a function call: a window function, an aggregate,
// IIF, a function of the scope (Scope.Func) or a pure built-in.
func (c *Compiler) funcCall(fc *tsql.FuncCall) (*Expr, error) {
	name := fc.Name.Object().Name
	if len(fc.Name.Parts) > 1 {
		return nil, newErr(sqlerr.ColumnOrFunctionNotFound, fc.Name.Parts[0].Name, NameText(&fc.Name))
	}
	if fc.Over != nil {
		return c.windowFunc(fc)
	}
	if isAggregate(fc) {
		return c.compileAggregate(fc)
	}
	lname := strings.ToLower(name)
	if lname == "iif" {
		if fc.Star {
			return nil, newErr(sqlerr.SyntaxError, "*")
		}
		return c.iif(fc)
	}
	if b := c.qb.scope.Func(lname); b != nil {
		if fc.Star {
			return nil, newErr(sqlerr.SyntaxError, "*")
		}
		return b(c, fc)
	}
	f, ok := builtins.Lookup(lname)
	if !ok {
		return nil, newErr(sqlerr.UnknownBuiltinFunction, name)
	}
	return c.callBuiltin(f, fc)
}

// callBuiltin compiles a call to a pure built-in: the compiler checks the
// argument count, resolves a datepart keyword, binds the arguments (the
// row's columns for CHECKSUM(*)) and hands them to the function.
func (c *Compiler) callBuiltin(f *builtins.Func, fc *tsql.FuncCall) (*Expr, error) {
	name := fc.Name.Object().Name
	call := builtins.Call{Name: name}
	srcs := fc.Args
	var args []*Expr
	switch {
	case fc.Star:
		if !f.Star {
			return nil, newErr(sqlerr.SyntaxError, "*")
		}
		if c.bs == nil || len(c.bs.Cols) == 0 {
			return nil, newErr(sqlerr.SelectNeedsTable)
		}
		for i, col := range c.bs.Cols {
			args = append(args, LoadCol(0, i, col))
		}
		if c.group != nil && !c.inAgg {
			return nil, newErr(sqlerr.NotInGroupBy, c.bs.Cols[0].Qual+"."+c.bs.Cols[0].Name)
		}
		srcs = nil
	default:
		if err := f.CheckArity(name, len(fc.Args)); err != nil {
			return nil, err
		}
		if f.DatePart {
			part, err := builtins.DatePart(datePartWord(fc.Args[0]), name)
			if err != nil {
				return nil, err
			}
			call.Part, srcs = part, fc.Args[1:]
		}
		var err error
		if args, err = c.compileExprs(srcs); err != nil {
			return nil, err
		}
	}
	call.Args = make([]builtins.Expr, len(args))
	for i, a := range args {
		a := a
		call.Args[i] = builtins.Expr{Type: a.Type, Nullable: a.Nullable, Eval: func(e builtins.Env) (Value, error) { return a.Eval(e.(*Env)) }}
		if srcs != nil {
			_, call.Args[i].NullLiteral = srcs[i].(*tsql.NullLit)
		}
	}
	r, err := f.Compile(call)
	if err != nil {
		return nil, err
	}
	return &Expr{Type: r.Type, Nullable: r.Nullable, Eval: func(en *Env) (Value, error) { return r.Eval(en) }}, nil
}

// datePartWord is the text of a datepart argument: a bare word (year) or
// a string ('year'); anything else is no datepart.
func datePartWord(e tsql.Expr) string {
	switch x := e.(type) {
	case *tsql.ColumnRef:
		if len(x.Name.Parts) == 1 {
			return x.Name.Object().Name
		}
	case *tsql.StringLit:
		return x.Value
	}
	return ""
}

// CompileArgs compiles a call's arguments: values, not predicates.
func (c *Compiler) CompileArgs(fc *tsql.FuncCall) ([]*Expr, error) {
	return c.compileExprs(fc.Args)
}

// compileExprs compiles the arguments of a call: values, not predicates.
func (c *Compiler) compileExprs(es []tsql.Expr) ([]*Expr, error) {
	out := make([]*Expr, len(es))
	for i, a := range es {
		ce, err := c.Compile(a)
		if err != nil {
			return nil, err
		}
		if ce.Cond {
			return nil, newErr(sqlerr.SyntaxError, ExprText(a))
		}
		out[i] = ce
	}
	return out, nil
}

// iif is IIF(cond, a, b): CASE WHEN cond THEN a ELSE b END.
func (c *Compiler) iif(fc *tsql.FuncCall) (*Expr, error) {
	if len(fc.Args) != 3 {
		return nil, newErr(sqlerr.FunctionArgCount, "iif", 3)
	}
	return c.caseExpr(&tsql.CaseExpr{Whens: []*tsql.CaseWhen{{When: fc.Args[0], Then: fc.Args[1]}}, Else: fc.Args[2]})
}

// NameText is a multi-part name as messages quote it: its parts joined
// by dots, without brackets.
func NameText(n *tsql.ObjectName) string {
	parts := make([]string, len(n.Parts))
	for i, p := range n.Parts {
		parts[i] = p.Name
	}
	return strings.Join(parts, ".")
}
