package engine

import (
	"context"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/builtins"
	"github.com/pchatdr/harness/sim/mssql/collation"
	"github.com/pchatdr/harness/sim/mssql/query"
	"github.com/pchatdr/harness/sim/mssql/sessionfuncs"
	"github.com/pchatdr/harness/sim/mssql/tsql"
)

// The query compiler is sim/mssql/query; the engine hands it the running
// statement as a query.Scope (compileScope below) and keeps short names
// for what its statements use of it.
type (
	cexpr     = query.Expr
	env       = query.Env
	plan      = query.Plan
	source    = query.Source
	bindCol   = query.BindCol
	bindScope = query.BindScope
)

// compileScope is a scope as the compiler sees it: the names a query does
// not define itself resolve here (tables and views, variables, @@globals,
// the session's functions).
type compileScope struct{ sc *scope }

var _ query.Scope = compileScope{}

func (c compileScope) Context() context.Context                       { return c.sc.ctx }
func (c compileScope) Collation() collation.ID                        { return c.sc.dbCollation() }
func (c compileScope) GlobalVar(x *tsql.GlobalVarRef) (*cexpr, error) { return c.sc.globalVar(x) }

func (c compileScope) Table(x *tsql.TableRef) (*source, error)       { return c.sc.tableSource(x) }
func (c compileScope) TableVar(x *tsql.TableVarRef) (*source, error) { return c.sc.tableVarSource(x) }
func (c compileScope) TableFunc(x *tsql.FuncTable) (*source, error)  { return c.sc.funcTable(x) }

// Var returns an untyped nil for an undeclared variable, so that the
// compiler's nil check sees it.
func (c compileScope) Var(name string) query.Var {
	if v := c.sc.lookupVar(name); v != nil {
		return v
	}
	return nil
}

// Func binds a session function (sim/mssql/sessionfuncs) to the scope:
// what it reads of the session it reads when the expression runs.
func (c compileScope) Func(name string) query.Func {
	return sessionfuncs.Bind(name, sessionFacts(c))
}

// Type, Value and Set make a variable a query.Var.
func (v *variable) Type() Type    { return v.typ }
func (v *variable) Value() Value  { return v.val }
func (v *variable) Set(val Value) { v.val = val }

func (sc *scope) compiler() *query.Builder { return query.New(compileScope{sc}) }

func (sc *scope) newCompiler(bs *bindScope) *query.Compiler { return sc.compiler().Compiler(bs) }

func (sc *scope) compileQuery(q *tsql.SelectStmt, outer *bindScope) (*plan, error) {
	return sc.compiler().Query(q, outer)
}

func (sc *scope) compileFrom(items []tsql.TableSource, outer *bindScope) (*source, error) {
	return sc.compiler().From(items, outer)
}

func (sc *scope) compileSource(ts tsql.TableSource, outer *bindScope) (*source, error) {
	return sc.compiler().Source(ts, outer)
}

// evalScalar evaluates an expression without a row (SET, PRINT, EXEC args).
func (sc *scope) evalScalar(e tsql.Expr) (Value, Type, error) { return sc.compiler().Scalar(e) }

// assign stores e's value into v (query.Assign).
func (sc *scope) assign(v *variable, op string, e *cexpr, en *env) error {
	return query.Assign(v, op, e, en)
}

func (sc *scope) lookupVar(name string) *variable {
	key := strings.ToLower(name)
	if v := sc.vars[key]; v != nil {
		return v
	}
	if d := sc.declared[key]; d != nil {
		if d.Table != nil {
			v, err := sc.newTableVar(d)
			if err != nil {
				return nil
			}
			sc.vars[key] = v
			return v
		}
		if t, err := resolveType(d.Typ, false, 1); err == nil {
			v := &variable{name: d.Name, typ: t}
			sc.vars[key] = v
			return v
		}
	}
	return nil
}

// The compiler's helpers the engine's statements share.
func constExpr(v Value, t Type) *cexpr      { return query.Const(v, t) }
func exprText(e tsql.Expr) string           { return query.ExprText(e) }
func nameText(n *tsql.ObjectName) string    { return query.NameText(n) }
func collated(t Type, id collation.ID) Type { return query.Collated(t, id) }
func lookupCollation(name string, def collation.ID) (collation.ID, error) {
	return query.LookupCollation(name, def)
}
func resolveType(tn *tsql.TypeName, cast bool, pos int) (Type, error) {
	return query.ResolveType(tn, cast, pos)
}

// toInt64 is builtins.ToInt64 (integers, bits, truncated float and
// decimal, an integer string).
func toInt64(v Value) (int64, bool) { return builtins.ToInt64(v) }

// convertTo converts v from type f to t when the types differ.
func convertTo(v Value, f, t Type) (Value, error) { return builtins.ConvertTo(v, f, t) }

func toStringValue(v Value, t Type) (Value, error) { return builtins.ToString(v, t) }

// scalarEval is a scope as the sessionstmt.Evaluator of PRINT, RAISERROR,
// THROW, WAITFOR and KILL: each expression compiles in a Builder of its
// own, as evalScalar's callers did.
type scalarEval struct{ sc *scope }

func (e scalarEval) Scalar(x tsql.Expr) (Value, Type, error) { return e.sc.evalScalar(x) }
