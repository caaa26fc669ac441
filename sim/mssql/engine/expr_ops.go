package engine

import (
	"github.com/pchatdr/harness/sim/mssql/builtins"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// ---------------------------------------------------------------------------
// Operators

func (c *compiler) unary(x *tsql.UnaryExpr) (*cexpr, error) {
	a, err := c.compile(x.X)
	if err != nil {
		return nil, err
	}
	if x.Op == tsql.UnaryNot {
		if !a.cond {
			return nil, newErr(sqlerr.NonBooleanCondition, exprText(x.X))
		}
		return &cexpr{cond: true, typ: sqltypes.TypeBit, eval: func(en *env) (Value, error) {
			v, err := a.eval(en)
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
	if op == '-' && a.constant {
		v, err := a.eval(nil)
		if err != nil {
			return nil, err
		}
		r, t, err := sqltypes.Unary(op, v, a.typ)
		if err != nil {
			return nil, err
		}
		if t.Kind == sqltypes.KindInvalid {
			t = a.typ
		}
		return constExpr(r, t), nil
	}
	_, st, err := sqltypes.Unary(op, nil, a.typ)
	if err != nil {
		return nil, err
	}
	if st.Kind == sqltypes.KindInvalid {
		st = a.typ
	}
	return &cexpr{typ: st, nullable: a.nullable, eval: func(en *env) (Value, error) {
		v, err := a.eval(en)
		if err != nil || v == nil {
			return nil, err
		}
		r, _, err := sqltypes.Unary(op, v, a.typ)
		return r, err
	}}, nil
}

var arithOps = map[tsql.BinaryOp]byte{
	tsql.OpMul: '*', tsql.OpDiv: '/', tsql.OpMod: '%', tsql.OpAdd: '+', tsql.OpSub: '-',
	tsql.OpBitAnd: '&', tsql.OpBitOr: '|', tsql.OpBitXor: '^',
}

func (c *compiler) binary(x *tsql.BinaryExpr) (*cexpr, error) {
	a, err := c.compile(x.L)
	if err != nil {
		return nil, err
	}
	b, err := c.compile(x.R)
	if err != nil {
		return nil, err
	}
	switch x.Op {
	case tsql.OpAnd, tsql.OpOr:
		if !a.cond {
			return nil, newErr(sqlerr.NonBooleanCondition, exprText(x.L))
		}
		if !b.cond {
			return nil, newErr(sqlerr.NonBooleanCondition, exprText(x.R))
		}
		and := x.Op == tsql.OpAnd
		return &cexpr{cond: true, typ: sqltypes.TypeBit, eval: func(en *env) (Value, error) {
			l, err := a.eval(en)
			if err != nil {
				return nil, err
			}
			if lb, ok := l.(bool); ok && lb != and {
				return !and, nil // FALSE AND x, TRUE OR x
			}
			r, err := b.eval(en)
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
		return c.arith(op, a, b)
	}
	if a.cond || b.cond {
		return nil, newErr(sqlerr.SyntaxError, x.OpText)
	}
	if err := comparable(a.typ, b.typ, x.Op); err != nil {
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

func compareExpr(a, b *cexpr, test func(int) bool) *cexpr {
	return &cexpr{cond: true, typ: sqltypes.TypeBit, eval: func(en *env) (Value, error) {
		l, err := a.eval(en)
		if err != nil {
			return nil, err
		}
		r, err := b.eval(en)
		if err != nil {
			return nil, err
		}
		if l == nil || r == nil {
			return nil, nil
		}
		n, err := sqltypes.Compare(l, r, a.typ, b.typ)
		if err != nil {
			return nil, err
		}
		return test(n), nil
	}}
}

func (c *compiler) arith(op byte, a, b *cexpr) (*cexpr, error) {
	if a.cond || b.cond {
		return nil, newErr(sqlerr.SyntaxError, string(op))
	}
	t, err := arithType(op, a.typ, b.typ)
	if err != nil {
		return nil, err
	}
	f := func(en *env) (Value, error) {
		l, err := a.eval(en)
		if err != nil {
			return nil, err
		}
		r, err := b.eval(en)
		if err != nil {
			return nil, err
		}
		if l == nil || r == nil {
			return nil, nil
		}
		v, _, err := sqltypes.Arith(op, l, r, a.typ, b.typ)
		return v, err
	}
	ce := &cexpr{typ: t, nullable: a.nullable || b.nullable, eval: f}
	if a.constant && b.constant {
		v, err := f(nil)
		if err == nil {
			return constExpr(v, t), nil
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

func (c *compiler) between(x *tsql.BetweenExpr) (*cexpr, error) {
	v, err := c.compile(x.X)
	if err != nil {
		return nil, err
	}
	lo, err := c.compile(x.Lo)
	if err != nil {
		return nil, err
	}
	hi, err := c.compile(x.Hi)
	if err != nil {
		return nil, err
	}
	ge := compareExpr(v, lo, func(r int) bool { return r >= 0 })
	le := compareExpr(v, hi, func(r int) bool { return r <= 0 })
	not := x.Not
	return &cexpr{cond: true, typ: sqltypes.TypeBit, eval: func(en *env) (Value, error) {
		a, err := ge.eval(en)
		if err != nil {
			return nil, err
		}
		b, err := le.eval(en)
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

func (c *compiler) in(x *tsql.InExpr) (*cexpr, error) {
	v, err := c.compile(x.X)
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
		if len(p.cols) != 1 {
			return nil, newErr(sqlerr.SubqueryOneColumn)
		}
		et := p.cols[0].Type
		return &cexpr{cond: true, typ: sqltypes.TypeBit, eval: func(en *env) (Value, error) {
			l, err := v.eval(en)
			if err != nil {
				return nil, err
			}
			rows, err := p.run(en, -1)
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
				n, err := sqltypes.Compare(l, r[0], v.typ, et)
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
	list := make([]*cexpr, len(x.List))
	for i, e := range x.List {
		if list[i], err = c.compile(e); err != nil {
			return nil, err
		}
	}
	return &cexpr{cond: true, typ: sqltypes.TypeBit, eval: func(en *env) (Value, error) {
		l, err := v.eval(en)
		if err != nil {
			return nil, err
		}
		if l == nil {
			return finish(false, true), nil
		}
		sawNull := false
		for _, e := range list {
			r, err := e.eval(en)
			if err != nil {
				return nil, err
			}
			if r == nil {
				sawNull = true
				continue
			}
			n, err := sqltypes.Compare(l, r, v.typ, e.typ)
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

func (c *compiler) like(x *tsql.LikeExpr) (*cexpr, error) {
	v, err := c.compile(x.X)
	if err != nil {
		return nil, err
	}
	p, err := c.compile(x.Pattern)
	if err != nil {
		return nil, err
	}
	var esc *cexpr
	if x.Escape != nil {
		if esc, err = c.compile(x.Escape); err != nil {
			return nil, err
		}
	}
	not := x.Not
	return &cexpr{cond: true, typ: sqltypes.TypeBit, eval: func(en *env) (Value, error) {
		s, err := evalString(v, en)
		if err != nil {
			return nil, err
		}
		pat, err := evalString(p, en)
		if err != nil {
			return nil, err
		}
		if s == nil || pat == nil {
			return nil, nil
		}
		var er rune
		if esc != nil {
			e, err := evalString(esc, en)
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

// evalString evaluates e and converts it to a Go string (nil for NULL).
func evalString(e *cexpr, en *env) (Value, error) {
	v, err := e.eval(en)
	if err != nil || v == nil {
		return nil, err
	}
	return toStringValue(v, e.typ)
}

func toStringValue(v Value, t Type) (Value, error) { return builtins.ToString(v, t) }

func (c *compiler) quantified(x *tsql.QuantifiedExpr) (*cexpr, error) {
	v, err := c.compile(x.X)
	if err != nil {
		return nil, err
	}
	p, err := c.subquery(x.Query)
	if err != nil {
		return nil, err
	}
	if len(p.cols) != 1 {
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
	et := p.cols[0].Type
	return &cexpr{cond: true, typ: sqltypes.TypeBit, eval: func(en *env) (Value, error) {
		l, err := v.eval(en)
		if err != nil {
			return nil, err
		}
		rows, err := p.run(en, -1)
		if err != nil {
			return nil, err
		}
		var acc Value = all
		for _, r := range rows {
			var res Value
			if l != nil && r[0] != nil {
				n, err := sqltypes.Compare(l, r[0], v.typ, et)
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

func (c *compiler) caseExpr(x *tsql.CaseExpr) (*cexpr, error) {
	var operand *cexpr
	var err error
	if x.Operand != nil {
		if operand, err = c.compile(x.Operand); err != nil {
			return nil, err
		}
	}
	type arm struct{ when, then *cexpr }
	arms := make([]arm, len(x.Whens))
	var rt Type
	first := true
	for i, w := range x.Whens {
		if operand != nil {
			wv, err := c.compile(w.When)
			if err != nil {
				return nil, err
			}
			arms[i].when = compareExpr(operand, wv, func(r int) bool { return r == 0 })
		} else if arms[i].when, err = c.compileCond(w.When); err != nil {
			return nil, err
		}
		if arms[i].then, err = c.compile(w.Then); err != nil {
			return nil, err
		}
		if _, isNull := w.Then.(*tsql.NullLit); !isNull {
			if first {
				rt, first = arms[i].then.typ, false
			} else {
				rt = sqltypes.ResultType(rt, arms[i].then.typ)
			}
		}
	}
	var els *cexpr
	if x.Else != nil {
		if els, err = c.compile(x.Else); err != nil {
			return nil, err
		}
		if _, isNull := x.Else.(*tsql.NullLit); !isNull {
			if first {
				rt, first = els.typ, false
			} else {
				rt = sqltypes.ResultType(rt, els.typ)
			}
		}
	}
	if first {
		rt = sqltypes.TypeInt
	}
	return &cexpr{typ: rt, nullable: true, eval: func(en *env) (Value, error) {
		for _, a := range arms {
			ok, err := a.when.eval(en)
			if err != nil {
				return nil, err
			}
			if ok == true {
				v, err := a.then.eval(en)
				if err != nil {
					return nil, err
				}
				return convertTo(v, a.then.typ, rt)
			}
		}
		if els == nil {
			return nil, nil
		}
		v, err := els.eval(en)
		if err != nil {
			return nil, err
		}
		return convertTo(v, els.typ, rt)
	}}, nil
}

// convertTo converts v from type f to t when the types differ.
func convertTo(v Value, f, t Type) (Value, error) { return builtins.ConvertTo(v, f, t) }

// resolveType resolves a written type name (cast: CAST/CONVERT defaults).
func resolveType(tn *tsql.TypeName, cast bool, pos int) (Type, error) {
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

func (c *compiler) cast(xe tsql.Expr, tn *tsql.TypeName, style tsql.Expr, try bool) (*cexpr, error) {
	a, err := c.compile(xe)
	if err != nil {
		return nil, err
	}
	t, err := resolveType(tn, true, 1)
	if err != nil {
		return nil, err
	}
	t = collated(t, c.sc.dbCollation())
	var st *cexpr
	if style != nil {
		if st, err = c.compile(style); err != nil {
			return nil, err
		}
	}
	return &cexpr{typ: t, name: "", nullable: true, eval: func(en *env) (Value, error) {
		v, err := a.eval(en)
		if err != nil || v == nil {
			return nil, err
		}
		var r Value
		if st != nil {
			sv, err := st.eval(en)
			if err != nil {
				return nil, err
			}
			n, _ := toInt64(sv)
			r, err = sqltypes.ConvertStyle(v, a.typ, t, int(n))
			if err != nil {
				if try {
					return nil, nil
				}
				return nil, err
			}
			return r, nil
		}
		r, err = sqltypes.Convert(v, a.typ, t)
		if err != nil && try {
			return nil, nil
		}
		return r, err
	}}, nil
}
