// Package query is the simulator's query compiler: it binds and types the
// expressions and SELECTs of a statement (names resolved, errors such as
// 207, 209, 4104, 8120 and 1013 found before any row is read, as SQL Server
// reports them even for an empty table) and builds closures that compute
// their values and rows. What a query does to the rows it computed
// (grouping, windows, joins, sorting) it hands to sim/mssql/rowset; the pure
// built-in functions are sim/mssql/builtins.
//
// It knows no instance: the engine's statement scope implements Scope,
// through which the compiler resolves what is not the query's own (tables
// and views, table variables, table-valued functions, variables, @@
// globals, the functions that read the session), as go-mysql-server's
// planbuilder sees sql.Catalog. A recursive CTE and everything compiled for
// one statement share a Builder.
package query

import (
	"context"
	"errors"

	"github.com/pchatdr/harness/sim/mssql/collation"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

type (
	// Value is a SQL value (sqltypes).
	Value = sqltypes.Value
	// Type is a SQL type (sqltypes).
	Type = sqltypes.Type
	// Decimal is a decimal or numeric value (sqltypes).
	Decimal = sqltypes.Decimal
)

// Column describes one column of a result set.
type Column struct {
	Name     string
	Type     Type
	Nullable bool
}

// Scope is what the compiler needs of the statement it compiles for. Each
// method resolves a name the query does not define itself; an unknown name
// is the error SQL Server gives (208, 137, 195, 1087).
type Scope interface {
	// Context is the statement's: a recursive CTE's levels stop when it
	// is done.
	Context() context.Context
	// Collation is the current database's: a varchar literal, a CAST
	// target and COLLATE DATABASE_DEFAULT take it.
	Collation() collation.ID
	// Var is the variable @name, nil when none is declared (137).
	Var(name string) Var
	// GlobalVar compiles @@name.
	GlobalVar(x *tsql.GlobalVarRef) (*Expr, error)
	// Func is the scalar function name (lower case) that reads the
	// session, the instance or the scope (GETDATE, DB_NAME, OBJECT_ID,
	// ERROR_NUMBER), nil when name is none of them.
	Func(name string) Func
	// Table resolves a table, a user view or a catalog view in FROM.
	Table(x *tsql.TableRef) (*Source, error)
	// TableVar resolves @t in FROM (1087 when it is not declared).
	TableVar(x *tsql.TableVarRef) (*Source, error)
	// TableFunc resolves a table-valued function in FROM.
	TableFunc(x *tsql.FuncTable) (*Source, error)
}

// Var is a variable of the scope: its declared type and value.
// SELECT @v = ... and Assign store into it.
type Var interface {
	Type() Type
	Value() Value
	Set(Value)
}

// Func compiles a call to a function Scope.Func found.
type Func func(c *Compiler, fc *tsql.FuncCall) (*Expr, error)

// Builder compiles the queries and expressions of one statement for a
// scope.
type Builder struct {
	scope Scope
	// recLevel holds, while a recursive CTE's recursive member compiles
	// and runs, the rows of the previous level (cte_recursive.go).
	recLevel map[*tsql.RecursiveCTE]*recBinding
}

// New is a Builder compiling for sc.
func New(sc Scope) *Builder { return &Builder{scope: sc} }

// Query compiles a SELECT (its body, ORDER BY, OFFSET/FETCH) whose
// enclosing query levels are outer (nil for a statement's own).
func (qb *Builder) Query(q *tsql.SelectStmt, outer *BindScope) (*Plan, error) {
	return qb.compileQuery(q, outer)
}

// From compiles a FROM clause (UPDATE and DELETE ... FROM).
func (qb *Builder) From(items []tsql.TableSource, outer *BindScope) (*Source, error) {
	return qb.compileFrom(items, outer)
}

// Source compiles one FROM item (a view as the derived table its
// definition is).
func (qb *Builder) Source(ts tsql.TableSource, outer *BindScope) (*Source, error) {
	return qb.compileSource(ts, outer)
}

// Compiler compiles expressions over the columns of bs (nil: no columns,
// as SET and PRINT).
func (qb *Builder) Compiler(bs *BindScope) *Compiler { return qb.newCompiler(bs) }

// Scalar evaluates an expression without a row (SET, PRINT, EXEC's
// arguments) with its type.
func (qb *Builder) Scalar(e tsql.Expr) (Value, Type, error) {
	ce, err := qb.newCompiler(nil).Compile(e)
	if err != nil {
		return nil, Type{}, err
	}
	v, err := ce.Eval(&Env{})
	return v, ce.Type, err
}

func (qb *Builder) dbCollation() collation.ID { return qb.scope.Collation() }

func (qb *Builder) lookupVar(name string) Var { return qb.scope.Var(name) }

// newErr builds SQL Server message number (a sqlerr constant).
func newErr(n int32, args ...any) *sqlerr.Error { return sqlerr.New(n, args...) }

// asSQLError extracts a SQL Server message from err.
func asSQLError(err error) (*sqlerr.Error, bool) {
	var e *sqlerr.Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}
