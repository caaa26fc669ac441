package query

import (
	"github.com/pchatdr/harness/sim/mssql/builtins"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// ---------------------------------------------------------------------------
// Operators

func (c *Compiler) unary(x *tsql.UnaryExpr) (*Expr, error) {
	a, err := c.Compile(x.X)
	if err != nil {
		return nil, err
	}
	if x.Op == tsql.UnaryNot {
		if !a.Cond {
			return nil, newErr(sqlerr.NonBooleanCondition, ExprText(x.X))
		}
		return &Expr{Cond: true, Type: sqltypes.TypeBit, Eval: func(en *Env) (Value, error) {
			v, err := a.Eval(en)
			if err != nil || v == nil {
				return nil, err
			}
			return !v.(bool), nil
		}}, nil
	}
	var op byte
	switch x.Op {
	case tsql.UnaryMinus:
		op = '-'
	case tsql.UnaryPlus:
		op = '+'
	default:
		op = '~'
	}
	// Fold negative literals so -2147483648 stays an int as in SQL Server.
	if op == '-' && a.Constant {
		v, err := a.Eval(nil)
		if err != nil {
			return nil, err
		}
		r, t, err := sqltypes.Unary(op, v, a.Type)
		if err != nil {
			return nil, err
		}
		if t.Kind == sqltypes.KindInvalid {
			t = a.Type
		}
		return Const(r, t), nil
	}
	_, st, err := sqltypes.Unary(op, nil, a.Type)
	if err != nil {
		return nil, err
	}
	if st.Kind == sqltypes.KindInvalid {
		st = a.Type
	}
	return &Expr{Type: st, Nullable: a.Nullable, Eval: func(en *Env) (Value, error) {
		v, err := a.Eval(en)
		if err != nil || v == nil {
			return nil, err
		}
		r, _, err := sqltypes.Unary(op, v, a.Type)
		return r, err
	}}, nil
}

var arithOps = map[tsql.BinaryOp]byte{
	tsql.OpMul: '*', tsql.OpDiv: '/', tsql.OpMod: '%', tsql.OpAdd: '+', tsql.OpSub: '-',
	tsql.OpBitAnd: '&', tsql.OpBitOr: '|', tsql.OpBitXor: '^',
}

func (c *Compiler) binary(x *tsql.BinaryExpr) (*Expr, error) {
	a, err := c.Compile(x.L)
	if err != nil {
		return nil, err
	}
	b, err := c.Compile(x.R)
	if err != nil {
		return nil, err
	}
	switch x.Op {
	case tsql.OpAnd, tsql.OpOr:
		if !a.Cond {
			return nil, newErr(sqlerr.NonBooleanCondition, ExprText(x.L))
		}
		if !b.Cond {
			return nil, newErr(sqlerr.NonBooleanCondition, ExprText(x.R))
		}
		and := x.Op == tsql.OpAnd
		return &Expr{Cond: true, Type: sqltypes.TypeBit, Eval: func(en *Env) (Value, error) {
			l, err := a.Eval(en)
			if err != nil {
				return nil, err
			}
			if lb, ok := l.(bool); ok && lb != and {
				return !and, nil // FALSE AND x, TRUE OR x
			}
			r, err := b.Eval(en)
			if err != nil {
				return nil, err
			}
			if rb, ok := r.(bool); ok && rb != and {
				return !and, nil
			}
			if l == nil || r == nil {
				return nil, nil
			}
			return and, nil
		}}, nil
	}
	if op, ok := arithOps[x.Op]; ok {
		return c.Arith(op, a, b)
	}
	if a.Cond || b.Cond {
		return nil, newErr(sqlerr.SyntaxError, x.OpText)
	}
	if err := comparable(a.Type, b.Type, x.Op); err != nil {
		return nil, err
	}
	var test func(int) bool
	switch x.Op {
	case tsql.OpEq:
		test = func(r int) bool { return r == 0 }
	case tsql.OpNe:
		test = func(r int) bool { return r != 0 }
	case tsql.OpLt, tsql.OpNotGt:
		if x.Op == tsql.OpNotGt {
			test = func(r int) bool { return r <= 0 }
		} else {
			test = func(r int) bool { return r < 0 }
		}
	case tsql.OpGt, tsql.OpNotLt:
		if x.Op == tsql.OpNotLt {
			test = func(r int) bool { return r >= 0 }
		} else {
			test = func(r int) bool { return r > 0 }
		}
	case tsql.OpLe:
		test = func(r int) bool { return r <= 0 }
	case tsql.OpGe:
		test = func(r int) bool { return r >= 0 }
	default:
		return nil, newErr(sqlerr.SyntaxError, x.OpText)
	}
	return compareExpr(a, b, test), nil
}

func compareExpr(a, b *Expr, test func(int) bool) *Expr {
	return &Expr{Cond: true, Type: sqltypes.TypeBit, Eval: func(en *Env) (Value, error) {
		l, err := a.Eval(en)
		if err != nil {
			return nil, err
		}
		r, err := b.Eval(en)
		if err != nil {
			return nil, err
		}
		if l == nil || r == nil {
			return nil, nil
		}
		n, err := sqltypes.Compare(l, r, a.Type, b.Type)
		if err != nil {
			return nil, err
		}
		return test(n), nil
	}}
}

// Arith is a op b (+ - * / % & | ^) with SQL Server's result type, folded
// when both are constants (UPDATE's SET col += e compiles col + e).
func (c *Compiler) Arith(op byte, a, b *Expr) (*Expr, error) {
	if a.Cond || b.Cond {
		return nil, newErr(sqlerr.SyntaxError, string(op))
	}
	t, err := arithType(op, a.Type, b.Type)
	if err != nil {
		return nil, err
	}
	f := func(en *Env) (Value, error) {
		l, err := a.Eval(en)
		if err != nil {
			return nil, err
		}
		r, err := b.Eval(en)
		if err != nil {
			return nil, err
		}
		if l == nil || r == nil {
			return nil, nil
		}
		v, _, err := sqltypes.Arith(op, l, r, a.Type, b.Type)
		return v, err
	}
	ce := &Expr{Type: t, Nullable: a.Nullable || b.Nullable, Eval: f}
	if a.Constant && b.Constant {
		v, err := f(nil)
		if err == nil {
			return Const(v, t), nil
		}
	}
	return ce, nil
}

// arithType is the static type of a op b.
func arithType(op byte, ta, tb Type) (Type, error) {
	if op == '+' && ta.Kind.IsString() && tb.Kind.IsString() {
		k := sqltypes.KindVarChar
		limit := 8000
		if ta.Kind.IsUnicode() || tb.Kind.IsUnicode() {
			k = sqltypes.KindNVarChar
			limit = 4000
		}
		if ta.Length == sqltypes.MaxLength || tb.Length == sqltypes.MaxLength || ta.Length+tb.Length > limit {
			return Type{Kind: k, Length: sqltypes.MaxLength}, nil
		}
		return Type{Kind: k, Length: ta.Length + tb.Length}, nil
	}
	_, t, err := sqltypes.Arith(op, nil, nil, ta, tb)
	if err != nil {
		return Type{}, err
	}
	if t.Kind == sqltypes.KindInvalid {
		t = sqltypes.ResultType(ta, tb)
	}
	return t, nil
}

func (c *Compiler) between(x *tsql.BetweenExpr) (*Expr, error) {
	v, err := c.Compile(x.X)
	if err != nil {
		return nil, err
	}
	lo, err := c.Compile(x.Lo)
	if err != nil {
		return nil, err
	}
	hi, err := c.Compile(x.Hi)
	if err != nil {
		return nil, err
	}
	ge := compareExpr(v, lo, func(r int) bool { return r >= 0 })
	le := compareExpr(v, hi, func(r int) bool { return r <= 0 })
	not := x.Not
	return &Expr{Cond: true, Type: sqltypes.TypeBit, Eval: func(en *Env) (Value, error) {
		a, err := ge.Eval(en)
		if err != nil {
			return nil, err
		}
		b, err := le.Eval(en)
		if err != nil {
			return nil, err
		}
		r := and3(a, b)
		if not {
			return not3(r), nil
		}
		return r, nil
	}}, nil
}

func and3(a, b Value) Value {
	if a == false || b == false {
		return false
	}
	if a == nil || b == nil {
		return nil
	}
	return true
}

func not3(a Value) Value {
	if a == nil {
		return nil
	}
	return !a.(bool)
}

func (c *Compiler) in(x *tsql.InExpr) (*Expr, error) {
	v, err := c.Compile(x.X)
	if err != nil {
		return nil, err
	}
	not := x.Not
	finish := func(found, sawNull bool) Value {
		var r Value
		switch {
		case found:
			r = true
		case sawNull:
			r = nil
		default:
			r = false
		}
		if not {
			return not3(r)
		}
		return r
	}
	if x.Query != nil {
		p, err := c.subquery(x.Query)
		if err != nil {
			return nil, err
		}
		if len(p.Cols) != 1 {
			return nil, newErr(sqlerr.SubqueryOneColumn)
		}
		et := p.Cols[0].Type
		return &Expr{Cond: true, Type: sqltypes.TypeBit, Eval: func(en *Env) (Value, error) {
			l, err := v.Eval(en)
			if err != nil {
				return nil, err
			}
			rows, err := p.Run(en, -1)
			if err != nil {
				return nil, err
			}
			if len(rows) == 0 {
				return finish(false, false), nil
			}
			if l == nil {
				return finish(false, true), nil
			}
			sawNull := false
			for _, r := range rows {
				if r[0] == nil {
					sawNull = true
					continue
				}
				n, err := sqltypes.Compare(l, r[0], v.Type, et)
				if err != nil {
					return nil, err
				}
				if n == 0 {
					return finish(true, false), nil
				}
			}
			return finish(false, sawNull), nil
		}}, nil
	}
	list := make([]*Expr, len(x.List))
	for i, e := range x.List {
		if list[i], err = c.Compile(e); err != nil {
			return nil, err
		}
	}
	return &Expr{Cond: true, Type: sqltypes.TypeBit, Eval: func(en *Env) (Value, error) {
		l, err := v.Eval(en)
		if err != nil {
			return nil, err
		}
		if l == nil {
			return finish(false, true), nil
		}
		sawNull := false
		for _, e := range list {
			r, err := e.Eval(en)
			if err != nil {
				return nil, err
			}
			if r == nil {
				sawNull = true
				continue
			}
			n, err := sqltypes.Compare(l, r, v.Type, e.Type)
			if err != nil {
				return nil, err
			}
			if n == 0 {
				return finish(true, false), nil
			}
		}
		return finish(false, sawNull), nil
	}}, nil
}

func (c *Compiler) like(x *tsql.LikeExpr) (*Expr, error) {
	v, err := c.Compile(x.X)
	if err != nil {
		return nil, err
	}
	p, err := c.Compile(x.Pattern)
	if err != nil {
		return nil, err
	}
	var esc *Expr
	if x.Escape != nil {
		if esc, err = c.Compile(x.Escape); err != nil {
			return nil, err
		}
	}
	not := x.Not
	return &Expr{Cond: true, Type: sqltypes.TypeBit, Eval: func(en *Env) (Value, error) {
		s, err := EvalString(v, en)
		if err != nil {
			return nil, err
		}
		pat, err := EvalString(p, en)
		if err != nil {
			return nil, err
		}
		if s == nil || pat == nil {
			return nil, nil
		}
		var er rune
		if esc != nil {
			e, err := EvalString(esc, en)
			if err != nil {
				return nil, err
			}
			if e == nil {
				return nil, nil
			}
			if r := []rune(e.(string)); len(r) > 0 {
				er = r[0]
			}
		}
		m := sqltypes.Like(s.(string), pat.(string), er)
		return m != not, nil
	}}, nil
}

// EvalString evaluates e and converts it to a Go string (nil for NULL).
func EvalString(e *Expr, en *Env) (Value, error) {
	v, err := e.Eval(en)
	if err != nil || v == nil {
		return nil, err
	}
	return toStringValue(v, e.Type)
}

func toStringValue(v Value, t Type) (Value, error) { return builtins.ToString(v, t) }

func (c *Compiler) quantified(x *tsql.QuantifiedExpr) (*Expr, error) {
	v, err := c.Compile(x.X)
	if err != nil {
		return nil, err
	}
	p, err := c.subquery(x.Query)
	if err != nil {
		return nil, err
	}
	if len(p.Cols) != 1 {
		return nil, newErr(sqlerr.SubqueryOneColumn)
	}
	var test func(int) bool
	switch x.Op {
	case tsql.OpEq:
		test = func(r int) bool { return r == 0 }
	case tsql.OpNe:
		test = func(r int) bool { return r != 0 }
	case tsql.OpLt:
		test = func(r int) bool { return r < 0 }
	case tsql.OpGt:
		test = func(r int) bool { return r > 0 }
	case tsql.OpLe, tsql.OpNotGt:
		test = func(r int) bool { return r <= 0 }
	default:
		test = func(r int) bool { return r >= 0 }
	}
	all := x.Quantifier == tsql.QuantAll
	et := p.Cols[0].Type
	return &Expr{Cond: true, Type: sqltypes.TypeBit, Eval: func(en *Env) (Value, error) {
		l, err := v.Eval(en)
		if err != nil {
			return nil, err
		}
		rows, err := p.Run(en, -1)
		if err != nil {
			return nil, err
		}
		var acc Value = all
		for _, r := range rows {
			var res Value
			if l != nil && r[0] != nil {
				n, err := sqltypes.Compare(l, r[0], v.Type, et)
				if err != nil {
					return nil, err
				}
				res = test(n)
			}
			if all {
				acc = and3(acc, res)
			} else {
				acc = not3(and3(not3(acc), not3(res)))
			}
		}
		return acc, nil
	}}, nil
}

func (c *Compiler) caseExpr(x *tsql.CaseExpr) (*Expr, error) {
	var operand *Expr
	var err error
	if x.Operand != nil {
		if operand, err = c.Compile(x.Operand); err != nil {
			return nil, err
		}
	}
	type arm struct{ when, then *Expr }
	arms := make([]arm, len(x.Whens))
	var rt Type
	first := true
	for i, w := range x.Whens {
		if operand != nil {
			wv, err := c.Compile(w.When)
			if err != nil {
				return nil, err
			}
			arms[i].when = compareExpr(operand, wv, func(r int) bool { return r == 0 })
		} else if arms[i].when, err = c.CompileCond(w.When); err != nil {
			return nil, err
		}
		if arms[i].then, err = c.Compile(w.Then); err != nil {
			return nil, err
		}
		if _, isNull := w.Then.(*tsql.NullLit); !isNull {
			if first {
				rt, first = arms[i].then.Type, false
			} else {
				rt = sqltypes.ResultType(rt, arms[i].then.Type)
			}
		}
	}
	var els *Expr
	if x.Else != nil {
		if els, err = c.Compile(x.Else); err != nil {
			return nil, err
		}
		if _, isNull := x.Else.(*tsql.NullLit); !isNull {
			if first {
				rt, first = els.Type, false
			} else {
				rt = sqltypes.ResultType(rt, els.Type)
			}
		}
	}
	if first {
		rt = sqltypes.TypeInt
	}
	return &Expr{Type: rt, Nullable: true, Eval: func(en *Env) (Value, error) {
		for _, a := range arms {
			ok, err := a.when.Eval(en)
			if err != nil {
				return nil, err
			}
			if ok == true {
				v, err := a.then.Eval(en)
				if err != nil {
					return nil, err
				}
				return convertTo(v, a.then.Type, rt)
			}
		}
		if els == nil {
			return nil, nil
		}
		v, err := els.Eval(en)
		if err != nil {
			return nil, err
		}
		return convertTo(v, els.Type, rt)
	}}, nil
}

// convertTo converts v from type f to t when the types differ.
func convertTo(v Value, f, t Type) (Value, error) { return builtins.ConvertTo(v, f, t) }

// ResolveType resolves a written type name (cast: CAST/CONVERT defaults).
func ResolveType(tn *tsql.TypeName, cast bool, pos int) (Type, error) {
	args := make([]int, len(tn.Params))
	for i, p := range tn.Params {
		args[i] = int(p)
	}
	name := tn.Name.Object().Name
	if s := tn.Name.Schema().Name; s != "" && !strings.EqualFold(s, "sys") {
		return Type{}, newErr(sqlerr.UnknownDataType, pos, tn.Name.String())
	}
	return sqltypes.ParseTypeNameOpts(name, args, tn.Max, sqltypes.TypeNameOptions{Position: pos, Cast: cast})
}

func (c *Compiler) cast(xe tsql.Expr, tn *tsql.TypeName, style tsql.Expr, try bool) (*Expr, error) {
	a, err := c.Compile(xe)
	if err != nil {
		return nil, err
	}
	t, err := ResolveType(tn, true, 1)
	if err != nil {
		return nil, err
	}
	t = Collated(t, c.qb.dbCollation())
	var st *Expr
	if style != nil {
		if st, err = c.Compile(style); err != nil {
			return nil, err
		}
	}
	return &Expr{Type: t, Name: "", Nullable: true, Eval: func(en *Env) (Value, error) {
		v, err := a.Eval(en)
		if err != nil || v == nil {
			return nil, err
		}
		var r Value
		if st != nil {
			sv, err := st.Eval(en)
			if err != nil {
				return nil, err
			}
			n, _ := toInt64(sv)
			r, err = sqltypes.ConvertStyle(v, a.Type, t, int(n))
			if err != nil {
				if try {
					return nil, nil
				}
				return nil, err
			}
			return r, nil
		}
		r, err = sqltypes.Convert(v, a.Type, t)
		if err != nil && try {
			return nil, nil
		}
		return r, err
	}}, nil
}
