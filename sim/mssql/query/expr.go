package query

import (
	"math/big"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/builtins"
	"github.com/pchatdr/harness/sim/mssql/rowset"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// Env is the runtime context of an expression: the current row of its
// query and the rows of enclosing queries (correlated subqueries). A nil
// *Env is the environment of an expression outside any query (SET, PRINT,
// EXEC's arguments). What an expression reads of the session it reads
// through the Scope it was compiled for, not through its Env.
type Env struct {
	// Row is the current row, laid out as the BindScope the expression
	// was compiled against (UPDATE's SET expressions get the target row).
	Row   []Value
	outer *Env
	win   []Value // window function results for row (ROW_NUMBER() ...)
}

// Expr is a compiled expression: names are bound, types known, errors such
// as 207 found before any row is read (SQL Server reports them even for an
// empty table).
type Expr struct {
	Type     Type
	Name     string // result column name ("" for an unnamed expression)
	Nullable bool
	Cond     bool // a predicate: evaluates to true, false or nil (UNKNOWN)
	Constant bool
	Eval     func(*Env) (Value, error)
}

// BindCol is a column visible to expressions of a query.
type BindCol struct {
	Qual     string // exposed name of its source (alias or table name), lower case
	Schema   string
	DB       string
	Name     string
	Type     Type
	Nullable bool
}

// BindScope is the columns of one query level.
type BindScope struct {
	Cols  []BindCol
	outer *BindScope
}

// Compiler binds and types the expressions of one query level (its
// columns, its grouping and the window functions of its select list).
type Compiler struct {
	qb    *Builder
	bs    *BindScope
	group *groupInfo
	inAgg bool
	// windows collects the window functions of a select list; nil where
	// they are not allowed (WHERE, ON, GROUP BY).
	windows *[]*rowset.Window
}

func (qb *Builder) newCompiler(bs *BindScope) *Compiler { return &Compiler{qb: qb, bs: bs} }

// Const is the constant v of type t.
func Const(v Value, t Type) *Expr {
	return &Expr{Type: t, Nullable: v == nil, Constant: true, Eval: func(*Env) (Value, error) { return v, nil }}
}

// CompileCond compiles a predicate (WHERE, ON, HAVING, WHEN): a value
// where a condition is expected is 4145.
func (c *Compiler) CompileCond(e tsql.Expr) (*Expr, error) {
	ce, err := c.Compile(e)
	if err != nil {
		return nil, err
	}
	if !ce.Cond {
		return nil, newErr(sqlerr.NonBooleanCondition, ExprText(e))
	}
	return ce, nil
}

// ExprText is the start of e's text as messages quote it (4145, 102).
func ExprText(e tsql.Expr) string {
	if e == nil {
		return ""
	}
	s := e.String()
	if len(s) > 40 {
		s = s[:40]
	}
	return s
}

// Compile binds and types e.
func (c *Compiler) Compile(e tsql.Expr) (*Expr, error) {
	if c.group != nil && !c.inAgg {
		if ce, ok, err := c.groupKey(e); ok || err != nil {
			return ce, err
		}
	}
	switch x := e.(type) {
	case *tsql.IntLit:
		return Const(x.Value, sqltypes.TypeInt), nil
	case *tsql.DecimalLit:
		u, ok := new(big.Int).SetString(x.Unscaled, 10)
		if !ok {
			return nil, newErr(sqlerr.SyntaxError, x.Raw)
		}
		p := x.Precision
		if p > 38 {
			p = 38
		}
		return Const(Decimal{Unscaled: u, Scale: uint8(x.Scale)}, sqltypes.DecimalType(uint8(p), uint8(x.Scale))), nil
	case *tsql.FloatLit:
		return Const(x.Value, sqltypes.TypeFloat), nil
	case *tsql.StringLit:
		if x.Unicode {
			n := len([]rune(x.Value))
			if n == 0 {
				n = 1
			}
			if n > 4000 {
				n = sqltypes.MaxLength
			}
			return Const(x.Value, Collated(sqltypes.NVarChar(n), c.qb.dbCollation())), nil
		}
		// A varchar literal is in the current database's code page: the
		// characters it lacks are '?' already in the literal.
		t := Collated(sqltypes.VarChar(0), c.qb.dbCollation())
		v := t.CodePage().Fit(x.Value)
		n := t.CodePage().Len(v)
		if n == 0 {
			n = 1
		}
		if n > 8000 {
			n = sqltypes.MaxLength
		}
		t.Length = n
		return Const(v, t), nil
	case *tsql.BinaryLit:
		n := len(x.Value)
		if n == 0 {
			n = 1
		}
		if n > 8000 {
			n = sqltypes.MaxLength
		}
		return Const(x.Value, sqltypes.VarBinary(n)), nil
	case *tsql.MoneyLit:
		d, err := sqltypes.ParseDecimal(strings.TrimPrefix(x.Raw, "$"))
		if err != nil {
			return nil, err
		}
		return Const(d.Rescale(4, false), sqltypes.TypeMoney), nil
	case *tsql.NullLit:
		return Const(nil, sqltypes.TypeInt), nil
	case *tsql.DefaultExpr:
		return nil, newErr(sqlerr.SyntaxErrorKeyword, "DEFAULT")
	case *tsql.ParenExpr:
		return c.Compile(x.X)
	case *tsql.CollateExpr:
		return c.compileCollate(x)
	case *tsql.VarRef:
		v := c.qb.lookupVar(x.Name)
		if v == nil {
			return nil, newErr(sqlerr.MustDeclareVariable, x.Name)
		}
		return &Expr{Type: v.Type(), Nullable: true, Eval: func(*Env) (Value, error) { return v.Value(), nil }}, nil
	case *tsql.GlobalVarRef:
		return c.qb.scope.GlobalVar(x)
	case *tsql.ColumnRef:
		return c.column(x)
	case *tsql.UnaryExpr:
		return c.unary(x)
	case *tsql.BinaryExpr:
		return c.binary(x)
	case *tsql.IsNullExpr:
		a, err := c.Compile(x.X)
		if err != nil {
			return nil, err
		}
		not := x.Not
		return &Expr{Cond: true, Type: sqltypes.TypeBit, Eval: func(en *Env) (Value, error) {
			v, err := a.Eval(en)
			if err != nil {
				return nil, err
			}
			return (v == nil) != not, nil
		}}, nil
	case *tsql.BetweenExpr:
		return c.between(x)
	case *tsql.InExpr:
		return c.in(x)
	case *tsql.LikeExpr:
		return c.like(x)
	case *tsql.ExistsExpr:
		p, err := c.subquery(x.Query)
		if err != nil {
			return nil, err
		}
		return &Expr{Cond: true, Type: sqltypes.TypeBit, Eval: func(en *Env) (Value, error) {
			rows, err := p.Run(en, 1)
			if err != nil {
				return nil, err
			}
			return len(rows) > 0, nil
		}}, nil
	case *tsql.SubqueryExpr:
		p, err := c.subquery(x.Query)
		if err != nil {
			return nil, err
		}
		if len(p.Cols) != 1 {
			return nil, newErr(sqlerr.SubqueryOneColumn)
		}
		return &Expr{Type: p.Cols[0].Type, Nullable: true, Name: p.Cols[0].Name, Eval: func(en *Env) (Value, error) {
			rows, err := p.Run(en, 2)
			if err != nil {
				return nil, err
			}
			if len(rows) > 1 {
				return nil, newErr(sqlerr.SubqueryMultipleValues)
			}
			if len(rows) == 0 {
				return nil, nil
			}
			return rows[0][0], nil
		}}, nil
	case *tsql.QuantifiedExpr:
		return c.quantified(x)
	case *tsql.CaseExpr:
		return c.caseExpr(x)
	case *tsql.CastExpr:
		return c.cast(x.X, x.Typ, nil, x.Try)
	case *tsql.ConvertExpr:
		return c.cast(x.X, x.Typ, x.Style, x.Try)
	case *tsql.FuncCall:
		return c.funcCall(x)
	}
	return nil, newErr(sqlerr.SyntaxError, ExprText(e))
}

// ---------------------------------------------------------------------------
// Columns

func (c *Compiler) column(x *tsql.ColumnRef) (*Expr, error) {
	parts := x.Name.Parts
	if len(parts) == 0 {
		return nil, newErr(sqlerr.InvalidColumn, "")
	}
	name := parts[len(parts)-1].Name
	quals := parts[:len(parts)-1]
	if c.group != nil && !c.inAgg {
		depth, idx, col, err := lookupColumn(c.group.src, quals, name, x)
		if err != nil {
			return nil, err
		}
		if depth == 0 {
			for i, kc := range c.group.keyCol {
				if kc == idx {
					return c.group.load(i, col.Name), nil
				}
			}
			q := col.Qual
			if q == "" {
				return nil, newErr(sqlerr.NotInGroupBy, col.Name)
			}
			return nil, newErr(sqlerr.NotInGroupBy, qualName(quals, col)+"."+col.Name)
		}
		return LoadCol(depth, idx, col), nil
	}
	depth, idx, col, err := lookupColumn(c.bs, quals, name, x)
	if err != nil {
		return nil, err
	}
	return LoadCol(depth, idx, col), nil
}

func qualName(quals []tsql.Ident, col BindCol) string {
	if len(quals) > 0 {
		return quals[len(quals)-1].Name
	}
	return col.Qual
}

// LoadCol reads column idx of the row depth query levels out (0: the
// query's own).
func LoadCol(depth, idx int, col BindCol) *Expr {
	return &Expr{Type: col.Type, Name: col.Name, Nullable: col.Nullable, Eval: func(en *Env) (Value, error) {
		for i := 0; i < depth; i++ {
			en = en.outer
		}
		return en.Row[idx], nil
	}}
}

func qualMatches(col BindCol, quals []tsql.Ident) bool {
	n := len(quals)
	if n == 0 {
		return true
	}
	if !strings.EqualFold(quals[n-1].Name, col.Qual) {
		return false
	}
	if n >= 2 && quals[n-2].Name != "" && !strings.EqualFold(quals[n-2].Name, col.Schema) {
		return false
	}
	if n >= 3 && quals[n-3].Name != "" && !strings.EqualFold(quals[n-3].Name, col.DB) {
		return false
	}
	return true
}

// lookupColumn resolves a (qualified) column through the query levels:
// 209 ambiguous, 4104 unknown qualifier, 207 unknown column.
func lookupColumn(bs *BindScope, quals []tsql.Ident, name string, x *tsql.ColumnRef) (int, int, BindCol, error) {
	qualSeen := false
	for depth := 0; bs != nil; bs, depth = bs.outer, depth+1 {
		found := -1
		for i, col := range bs.Cols {
			if !qualMatches(col, quals) {
				continue
			}
			qualSeen = true
			if !strings.EqualFold(col.Name, name) {
				continue
			}
			if found >= 0 {
				return 0, 0, BindCol{}, newErr(sqlerr.AmbiguousColumn, name)
			}
			found = i
		}
		if found >= 0 {
			return depth, found, bs.Cols[found], nil
		}
		if qualSeen && len(quals) > 0 {
			break
		}
	}
	if len(quals) > 0 && !qualSeen {
		return 0, 0, BindCol{}, newErr(sqlerr.MultiPartIdentifier, x.Name.String())
	}
	return 0, 0, BindCol{}, newErr(sqlerr.InvalidColumn, name)
}

// ---------------------------------------------------------------------------
// Helpers

// toInt64 is builtins.ToInt64 (integers, bits, truncated float and
// decimal, an integer string).
func toInt64(v Value) (int64, bool) { return builtins.ToInt64(v) }
