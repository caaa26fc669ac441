package engine

import (
	"math/big"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/builtins"
	"github.com/pchatdr/harness/sim/mssql/rowset"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// env is the runtime context of an expression: the current row of its
// query, the rows of enclosing queries (correlated subqueries) and the scope
// (variables, session).
type env struct {
	row   []Value
	outer *env
	sc    *scope
	win   []Value // window function results for row (ROW_NUMBER() ...)
}

// cexpr is a compiled expression: names are bound, types known, errors such
// as 207 found before any row is read (SQL Server reports them even for an
// empty table).
type cexpr struct {
	typ      Type
	name     string // result column name ("" for an unnamed expression)
	nullable bool
	cond     bool // a predicate: evaluates to true, false or nil (UNKNOWN)
	constant bool
	eval     func(*env) (Value, error)
}

// bindCol is a column visible to expressions of a query.
type bindCol struct {
	qual     string // exposed name of its source (alias or table name), lower case
	schema   string
	db       string
	name     string
	typ      Type
	nullable bool
}

// bindScope is the columns of one query level.
type bindScope struct {
	cols  []bindCol
	outer *bindScope
}

type compiler struct {
	sc    *scope
	bs    *bindScope
	group *groupInfo
	inAgg bool
	// windows collects the window functions of a select list; nil where
	// they are not allowed (WHERE, ON, GROUP BY).
	windows *[]*rowset.Window
}

func (sc *scope) newCompiler(bs *bindScope) *compiler { return &compiler{sc: sc, bs: bs} }

func constExpr(v Value, t Type) *cexpr {
	return &cexpr{typ: t, nullable: v == nil, constant: true, eval: func(*env) (Value, error) { return v, nil }}
}

// evalScalar evaluates an expression without a row (SET, PRINT, EXEC args).
func (sc *scope) evalScalar(e tsql.Expr) (Value, Type, error) {
	ce, err := sc.newCompiler(nil).compile(e)
	if err != nil {
		return nil, Type{}, err
	}
	v, err := ce.eval(&env{sc: sc})
	return v, ce.typ, err
}

func (c *compiler) compileCond(e tsql.Expr) (*cexpr, error) {
	ce, err := c.compile(e)
	if err != nil {
		return nil, err
	}
	if !ce.cond {
		return nil, newErr(sqlerr.NonBooleanCondition, exprText(e))
	}
	return ce, nil
}

func exprText(e tsql.Expr) string {
	if e == nil {
		return ""
	}
	s := e.String()
	if len(s) > 40 {
		s = s[:40]
	}
	return s
}

// compile binds and types e.
func (c *compiler) compile(e tsql.Expr) (*cexpr, error) {
	if c.group != nil && !c.inAgg {
		if ce, ok, err := c.groupKey(e); ok || err != nil {
			return ce, err
		}
	}
	switch x := e.(type) {
	case *tsql.IntLit:
		return constExpr(x.Value, sqltypes.TypeInt), nil
	case *tsql.DecimalLit:
		u, ok := new(big.Int).SetString(x.Unscaled, 10)
		if !ok {
			return nil, newErr(sqlerr.SyntaxError, x.Raw)
		}
		p := x.Precision
		if p > 38 {
			p = 38
		}
		return constExpr(Decimal{Unscaled: u, Scale: uint8(x.Scale)}, sqltypes.DecimalType(uint8(p), uint8(x.Scale))), nil
	case *tsql.FloatLit:
		return constExpr(x.Value, sqltypes.TypeFloat), nil
	case *tsql.StringLit:
		if x.Unicode {
			n := len([]rune(x.Value))
			if n == 0 {
				n = 1
			}
			if n > 4000 {
				n = sqltypes.MaxLength
			}
			return constExpr(x.Value, collated(sqltypes.NVarChar(n), c.sc.dbCollation())), nil
		}
		// A varchar literal is in the current database's code page: the
		// characters it lacks are '?' already in the literal.
		t := collated(sqltypes.VarChar(0), c.sc.dbCollation())
		v := t.CodePage().Fit(x.Value)
		n := t.CodePage().Len(v)
		if n == 0 {
			n = 1
		}
		if n > 8000 {
			n = sqltypes.MaxLength
		}
		t.Length = n
		return constExpr(v, t), nil
	case *tsql.BinaryLit:
		n := len(x.Value)
		if n == 0 {
			n = 1
		}
		if n > 8000 {
			n = sqltypes.MaxLength
		}
		return constExpr(x.Value, sqltypes.VarBinary(n)), nil
	case *tsql.MoneyLit:
		d, err := sqltypes.ParseDecimal(strings.TrimPrefix(x.Raw, "$"))
		if err != nil {
			return nil, err
		}
		return constExpr(d.Rescale(4, false), sqltypes.TypeMoney), nil
	case *tsql.NullLit:
		return constExpr(nil, sqltypes.TypeInt), nil
	case *tsql.DefaultExpr:
		return nil, newErr(sqlerr.SyntaxErrorKeyword, "DEFAULT")
	case *tsql.ParenExpr:
		return c.compile(x.X)
	case *tsql.CollateExpr:
		return c.compileCollate(x)
	case *tsql.VarRef:
		v := c.sc.lookupVar(x.Name)
		if v == nil {
			return nil, newErr(sqlerr.MustDeclareVariable, x.Name)
		}
		return &cexpr{typ: v.typ, nullable: true, eval: func(*env) (Value, error) { return v.val, nil }}, nil
	case *tsql.GlobalVarRef:
		return c.globalVar(x)
	case *tsql.ColumnRef:
		return c.column(x)
	case *tsql.UnaryExpr:
		return c.unary(x)
	case *tsql.BinaryExpr:
		return c.binary(x)
	case *tsql.IsNullExpr:
		a, err := c.compile(x.X)
		if err != nil {
			return nil, err
		}
		not := x.Not
		return &cexpr{cond: true, typ: sqltypes.TypeBit, eval: func(en *env) (Value, error) {
			v, err := a.eval(en)
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
		return &cexpr{cond: true, typ: sqltypes.TypeBit, eval: func(en *env) (Value, error) {
			rows, err := p.run(en, 1)
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
		if len(p.cols) != 1 {
			return nil, newErr(sqlerr.SubqueryOneColumn)
		}
		return &cexpr{typ: p.cols[0].Type, nullable: true, name: p.cols[0].Name, eval: func(en *env) (Value, error) {
			rows, err := p.run(en, 2)
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
	return nil, newErr(sqlerr.SyntaxError, exprText(e))
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

// ---------------------------------------------------------------------------
// Columns

func (c *compiler) column(x *tsql.ColumnRef) (*cexpr, error) {
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
					return c.group.load(i, col.name), nil
				}
			}
			q := col.qual
			if q == "" {
				return nil, newErr(sqlerr.NotInGroupBy, col.name)
			}
			return nil, newErr(sqlerr.NotInGroupBy, qualName(quals, col)+"."+col.name)
		}
		return loadCol(depth, idx, col), nil
	}
	depth, idx, col, err := lookupColumn(c.bs, quals, name, x)
	if err != nil {
		return nil, err
	}
	return loadCol(depth, idx, col), nil
}

func qualName(quals []tsql.Ident, col bindCol) string {
	if len(quals) > 0 {
		return quals[len(quals)-1].Name
	}
	return col.qual
}

func loadCol(depth, idx int, col bindCol) *cexpr {
	return &cexpr{typ: col.typ, name: col.name, nullable: col.nullable, eval: func(en *env) (Value, error) {
		for i := 0; i < depth; i++ {
			en = en.outer
		}
		return en.row[idx], nil
	}}
}

func qualMatches(col bindCol, quals []tsql.Ident) bool {
	n := len(quals)
	if n == 0 {
		return true
	}
	if !strings.EqualFold(quals[n-1].Name, col.qual) {
		return false
	}
	if n >= 2 && quals[n-2].Name != "" && !strings.EqualFold(quals[n-2].Name, col.schema) {
		return false
	}
	if n >= 3 && quals[n-3].Name != "" && !strings.EqualFold(quals[n-3].Name, col.db) {
		return false
	}
	return true
}

// lookupColumn resolves a (qualified) column through the query levels:
// 209 ambiguous, 4104 unknown qualifier, 207 unknown column.
func lookupColumn(bs *bindScope, quals []tsql.Ident, name string, x *tsql.ColumnRef) (int, int, bindCol, error) {
	qualSeen := false
	for depth := 0; bs != nil; bs, depth = bs.outer, depth+1 {
		found := -1
		for i, col := range bs.cols {
			if !qualMatches(col, quals) {
				continue
			}
			qualSeen = true
			if !strings.EqualFold(col.name, name) {
				continue
			}
			if found >= 0 {
				return 0, 0, bindCol{}, newErr(sqlerr.AmbiguousColumn, name)
			}
			found = i
		}
		if found >= 0 {
			return depth, found, bs.cols[found], nil
		}
		if qualSeen && len(quals) > 0 {
			break
		}
	}
	if len(quals) > 0 && !qualSeen {
		return 0, 0, bindCol{}, newErr(sqlerr.MultiPartIdentifier, x.Name.String())
	}
	return 0, 0, bindCol{}, newErr(sqlerr.InvalidColumn, name)
}

// ---------------------------------------------------------------------------
// Helpers

// toInt64 is builtins.ToInt64 (integers, bits, truncated float and
// decimal, an integer string).
func toInt64(v Value) (int64, bool) { return builtins.ToInt64(v) }

func decimalOf(n int64) Decimal { return Decimal{Unscaled: big.NewInt(n), Scale: 0} }
