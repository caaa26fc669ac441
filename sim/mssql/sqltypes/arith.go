package sqltypes

import (
	"math"
	"math/big"
	"time"

	"github.com/pchatdr/harness/sqlerr"
)

// opName is the operator's name in SQL Server's messages 8117 and 402.
func opName(op byte) string {
	switch op {
	case '+':
		return "add"
	case '-':
		return "subtract"
	case '*':
		return "multiply"
	case '/':
		return "divide"
	case '%':
		return "modulo"
	case '&':
		return "boolean AND"
	case '|':
		return "boolean OR"
	case '^':
		return "boolean XOR"
	}
	return string(op)
}

func bitwise(op byte) bool { return op == '&' || op == '|' || op == '^' }

// Arith evaluates a op b for op in + - * / % & | ^ with SQL Server's typing:
//
//   - integers: the wider integer kind; overflow is 8115, zero divisor 8134;
//     bit takes part only in & | ^ with itself (bit + bit is 8117).
//   - decimal (an integer side counts as decimal(10,0) etc.): precision and
//     scale per SQL Server's formulas (+ -: max(s1,s2)+max(p1-s1,p2-s2)+1;
//     *: p1+p2+1, s1+s2; /: p1-s1+s2+max(6,s1+p2+1), max(6,s1+p2+1);
//     %: min(p1-s1,p2-s2)+max(s1,s2)), capped at 38 by keeping the integral
//     digits and at least min(scale,6) decimals. Results round half away from
//     zero, except division, which truncates as SQL Server's does.
//   - float/real: IEEE arithmetic; infinity is 8115.
//   - strings: + concatenates (nvarchar if either side is), capped at
//     8000 bytes / 4000 characters unless a side is MAX, as SQL Server
//     silently does; other operators are 8117. A string meeting a number is
//     converted to the number's type (so 'a' + 1 is error 245).
//   - datetime ± number adds days; datetime ± datetime works on days since
//     1900-01-01. datetime2 and date take no arithmetic (206/8117).
//
// A NULL operand gives NULL of the result type, after the type checks.
func Arith(op byte, a, b Value, ta, tb Type) (Value, Type, error) {
	a, b = normalize(a), normalize(b)
	if ta.Kind == KindInvalid {
		ta = LiteralType(a)
	}
	if tb.Kind == KindInvalid {
		tb = LiteralType(b)
	}
	switch op {
	case '+', '-', '*', '/', '%', '&', '|', '^':
	default:
		return nil, Type{}, sqlerr.New(sqlerr.SyntaxError, string(op))
	}
	hi := ta
	if Precedence(tb.Kind) > Precedence(ta.Kind) {
		hi = tb
	}
	for _, pair := range [][2]Type{{ta, tb}, {tb, ta}} {
		if pair[0].Kind == KindUniqueIdentifier && pair[1].Kind != KindUniqueIdentifier && !pair[1].Kind.IsString() {
			return nil, Type{}, sqlerr.New(sqlerr.OperandTypeClash, pair[0].Name(), pair[1].Name())
		}
	}
	switch {
	case hi.Kind.IsString() || (hi.Kind.IsBinary() && op == '+'):
		if op != '+' {
			return nil, Type{}, sqlerr.New(sqlerr.InvalidOperandType, hi.Name(), opName(op))
		}
		return concat(a, b, ta, tb, hi)
	case hi.Kind.IsBinary(), hi.Kind == KindUniqueIdentifier:
		return nil, Type{}, sqlerr.New(sqlerr.InvalidOperandType, hi.Name(), opName(op))
	case hi.Kind == KindDateTime2 || hi.Kind == KindDate:
		lo := tb
		if hi == tb {
			lo = ta
		}
		if lo.Kind.IsDateTime() || lo.Kind.IsString() {
			return nil, Type{}, sqlerr.New(sqlerr.InvalidOperandType, hi.Name(), opName(op))
		}
		return nil, Type{}, sqlerr.New(sqlerr.OperandTypeClash, hi.Name(), lo.Name())
	case hi.Kind == KindDateTime:
		return dateArith(op, a, b, ta, tb)
	case hi.Kind == KindFloat || hi.Kind == KindReal:
		if op == '%' || bitwise(op) {
			return nil, Type{}, sqlerr.New(sqlerr.IncompatibleOperatorTypes, ta.Name(), tb.Name(), opName(op))
		}
		return floatArith(op, a, b, ta, tb, hi)
	case hi.Kind == KindDecimal:
		if bitwise(op) {
			return nil, Type{}, sqlerr.New(sqlerr.IncompatibleOperatorTypes, ta.Name(), tb.Name(), opName(op))
		}
		return decimalArith(op, a, b, ta, tb)
	case hi.Kind.IsMoney():
		// Exact arithmetic, then the money type of higher precedence,
		// rounded to four places (8115 out of its range).
		if bitwise(op) {
			return nil, Type{}, sqlerr.New(sqlerr.IncompatibleOperatorTypes, ta.Name(), tb.Name(), opName(op))
		}
		r, rt, err := decimalArith(op, a, b, ta, tb)
		if err != nil || r == nil {
			return nil, hi, err
		}
		m, err := toMoney(r, rt, hi)
		return m, hi, err
	case hi.Kind.IsInteger() || hi.Kind == KindBit:
		return intArith(op, a, b, ta, tb, hi)
	}
	return nil, Type{}, sqlerr.New(sqlerr.InvalidOperandType, hi.Name(), opName(op))
}

func concat(a, b Value, ta, tb, hi Type) (Value, Type, error) {
	rt := Type{Kind: KindVarChar}
	limit := maxBytes
	if ta.Kind.IsUnicode() || tb.Kind.IsUnicode() {
		rt.Kind, limit = KindNVarChar, maxNChars
	}
	if hi.Kind.IsBinary() {
		rt.Kind, limit = KindVarBinary, maxBytes
	}
	la, lb := lengthOf(ta), lengthOf(tb)
	if la == MaxLength || lb == MaxLength {
		rt.Length = MaxLength
	} else {
		rt.Length = min(la+lb, limit)
	}
	if a == nil || b == nil {
		return nil, rt, nil
	}
	wide := rt
	wide.Length = MaxLength
	ca, err := convert(a, ta, wide, -1)
	if err != nil {
		return nil, Type{}, err
	}
	cb, err := convert(b, tb, wide, -1)
	if err != nil {
		return nil, Type{}, err
	}
	if rt.Kind.IsBinary() {
		out := append(append([]byte(nil), ca.([]byte)...), cb.([]byte)...)
		if rt.Length != MaxLength && len(out) > rt.Length {
			out = out[:rt.Length]
		}
		return out, rt, nil
	}
	s := ca.(string) + cb.(string)
	if rt.Length != MaxLength {
		s = truncChars(s, rt.Length, rt)
	}
	return s, rt, nil
}

// lengthOf is a type's length as a concatenation operand.
func lengthOf(t Type) int {
	if t.Kind.IsString() || t.Kind.IsBinary() {
		if t.Length == MaxLength {
			return MaxLength
		}
		return max(t.Length, 1) // a malformed length counts as 1
	}
	return displayLength(t)
}

func intArith(op byte, a, b Value, ta, tb, hi Type) (Value, Type, error) {
	rt := Type{Kind: hi.Kind}
	if ta.Kind == KindBit && tb.Kind == KindBit {
		if !bitwise(op) {
			return nil, Type{}, sqlerr.New(sqlerr.InvalidOperandType, "bit", opName(op))
		}
	} else if rt.Kind == KindBit {
		rt.Kind = KindInt // unreachable: any integer outranks bit
	}
	if a == nil || b == nil {
		return nil, rt, nil
	}
	x, err := convert(a, ta, TypeBigInt, -1)
	if err != nil {
		return nil, Type{}, err
	}
	y, err := convert(b, tb, TypeBigInt, -1)
	if err != nil {
		return nil, Type{}, err
	}
	i, j := x.(int64), y.(int64)
	var r int64
	overflow := false
	switch op {
	case '+':
		r = i + j
		overflow = (i >= 0) == (j >= 0) && (r >= 0) != (i >= 0)
	case '-':
		r = i - j
		overflow = (i >= 0) != (j >= 0) && (r >= 0) != (i >= 0)
	case '*':
		bi := new(big.Int).Mul(big.NewInt(i), big.NewInt(j))
		overflow = !bi.IsInt64()
		r = bi.Int64()
	case '/', '%':
		if j == 0 {
			return nil, Type{}, sqlerr.New(sqlerr.DivideByZero)
		}
		if i == math.MinInt64 && j == -1 {
			overflow, r = op == '/', 0
		} else if op == '/' {
			r = i / j
		} else {
			r = i % j
		}
	case '&':
		r = i & j
	case '|':
		r = i | j
	case '^':
		r = i ^ j
	}
	if rt.Kind == KindBit {
		return r != 0, rt, nil
	}
	lo, hiV := intRange(rt.Kind)
	if overflow || r < lo || r > hiV {
		return nil, Type{}, sqlerr.New(sqlerr.ArithmeticOverflowConvert, "expression", rt.Name())
	}
	return r, rt, nil
}

func floatArith(op byte, a, b Value, ta, tb, hi Type) (Value, Type, error) {
	rt := Type{Kind: hi.Kind}
	if a == nil || b == nil {
		return nil, rt, nil
	}
	x, err := convert(a, ta, TypeFloat, -1)
	if err != nil {
		return nil, Type{}, err
	}
	y, err := convert(b, tb, TypeFloat, -1)
	if err != nil {
		return nil, Type{}, err
	}
	f, g := x.(float64), y.(float64)
	var r float64
	switch op {
	case '+':
		r = f + g
	case '-':
		r = f - g
	case '*':
		r = f * g
	case '/':
		if g == 0 {
			return nil, Type{}, sqlerr.New(sqlerr.DivideByZero)
		}
		r = f / g
	}
	if rt.Kind == KindReal {
		r = float64(float32(r))
	}
	if math.IsInf(r, 0) || math.IsNaN(r) {
		return nil, Type{}, sqlerr.New(sqlerr.ArithmeticOverflowConvert, "expression", rt.Name())
	}
	return r, rt, nil
}

// DecimalResultType is the type of a op b for decimal operands (an integer
// operand already expressed as decimal(10,0) etc.).
func DecimalResultType(op byte, a, b Type) Type {
	p1, s1 := decimalShape(a)
	p2, s2 := decimalShape(b)
	var p, s int
	switch op {
	case '+', '-':
		s = max(s1, s2)
		p = s + max(p1-s1, p2-s2) + 1
	case '*':
		p, s = p1+p2+1, s1+s2
	case '/':
		s = max(6, s1+p2+1)
		p = p1 - s1 + s2 + s
	case '%':
		s = max(s1, s2)
		p = min(p1-s1, p2-s2) + s
	default:
		s = max(s1, s2)
		p = s + max(p1-s1, p2-s2)
	}
	if p > MaxPrecision {
		intDigits := p - s
		s = max(MaxPrecision-intDigits, min(s, 6))
		p = MaxPrecision
	}
	if p < 1 {
		p = 1
	}
	return DecimalType(uint8(p), uint8(s))
}

func toRat(v Value, t Type) (*big.Rat, error) {
	if s, ok := v.(string); ok {
		// a string operand becomes numeric as written
		d, ok := parseDecimal(s)
		if !ok {
			return nil, sqlerr.New(sqlerr.ConvertError, t.Name(), "numeric")
		}
		v = d
	}
	switch x := v.(type) {
	case int64:
		return new(big.Rat).SetInt64(x), nil
	case bool:
		return new(big.Rat).SetInt64(b2i(x)), nil
	case Decimal:
		return new(big.Rat).SetFrac(x.unscaled(), pow10(int(x.Scale))), nil
	}
	return nil, sqlerr.New(sqlerr.InvalidOperandType, t.Name(), "numeric")
}

// ratToDecimal rounds (or truncates) r to scale.
func ratToDecimal(r *big.Rat, scale uint8, trunc bool) Decimal {
	num := new(big.Int).Mul(r.Num(), pow10(int(scale)+1))
	q := new(big.Int).Quo(num, r.Denom()) // one extra digit, truncated
	d := Decimal{Unscaled: q, Scale: scale + 1}
	if trunc {
		return d.Rescale(scale, true)
	}
	return d.Rescale(scale, false)
}

func decimalArith(op byte, a, b Value, ta, tb Type) (Value, Type, error) {
	// A string operand takes the shape of the number it holds.
	shape := func(v Value, t Type) Type {
		if !t.Kind.IsString() {
			return t
		}
		if s, ok := v.(string); ok {
			if d, ok := parseDecimal(s); ok {
				return LiteralType(d)
			}
		}
		return DecimalType(18, 0)
	}
	sa, sb := shape(a, ta), shape(b, tb)
	rt := DecimalResultType(op, sa, sb)
	if a == nil || b == nil {
		return nil, rt, nil
	}
	x, err := toRat(a, ta)
	if err != nil {
		return nil, Type{}, err
	}
	y, err := toRat(b, tb)
	if err != nil {
		return nil, Type{}, err
	}
	var r *big.Rat
	trunc := false
	switch op {
	case '+':
		r = new(big.Rat).Add(x, y)
	case '-':
		r = new(big.Rat).Sub(x, y)
	case '*':
		r = new(big.Rat).Mul(x, y)
	case '/', '%':
		if y.Sign() == 0 {
			return nil, Type{}, sqlerr.New(sqlerr.DivideByZero)
		}
		q := new(big.Rat).Quo(x, y)
		if op == '/' {
			r, trunc = q, true
		} else {
			iq := new(big.Int).Quo(q.Num(), q.Denom()) // truncated quotient
			r = new(big.Rat).Sub(x, new(big.Rat).Mul(new(big.Rat).SetInt(iq), y))
		}
	}
	d := ratToDecimal(r, rt.Scale, trunc)
	if !d.fitsPrecision(rt.Precision) {
		return nil, Type{}, sqlerr.New(sqlerr.ArithmeticOverflowConvert, "expression", "numeric")
	}
	return d, rt, nil
}

func dateArith(op byte, a, b Value, ta, tb Type) (Value, Type, error) {
	rt := TypeDateTime
	if op != '+' && op != '-' {
		return nil, Type{}, sqlerr.New(sqlerr.InvalidOperandType, "datetime", opName(op))
	}
	for _, t := range []Type{ta, tb} {
		if t.Kind == KindUniqueIdentifier || t.Kind.IsBinary() {
			return nil, Type{}, sqlerr.New(sqlerr.OperandTypeClash, "datetime", t.Name())
		}
	}
	if a == nil || b == nil {
		return nil, rt, nil
	}
	days := func(v Value, t Type) (float64, error) {
		if t.Kind.IsString() {
			c, err := convert(v, t, TypeDateTime, -1)
			if err != nil {
				return 0, err
			}
			v = c
		}
		if tm, ok := v.(time.Time); ok {
			return datetimeDays(tm), nil
		}
		f, err := convert(v, t, TypeFloat, -1)
		if err != nil {
			return 0, err
		}
		return f.(float64), nil
	}
	x, err := days(a, ta)
	if err != nil {
		return nil, Type{}, err
	}
	y, err := days(b, tb)
	if err != nil {
		return nil, Type{}, err
	}
	r := x + y
	if op == '-' {
		r = x - y
	}
	t, ok := datetimeFromDays(r)
	if !ok {
		return nil, Type{}, sqlerr.New(sqlerr.DateAddOverflow, "datetime")
	}
	return t, rt, nil
}

// Unary evaluates unary '-', '+' or '~' on v of type t. Minus keeps the
// operand's type (overflow 8115: -(-2147483648) as int); '~' takes integers
// and bit; strings accept '+' only.
func Unary(op byte, v Value, t Type) (Value, Type, error) {
	v = normalize(v)
	if t.Kind == KindInvalid {
		t = LiteralType(v)
	}
	k := t.Kind
	switch op {
	case '+':
		if k.IsNumeric() || k.IsString() {
			return v, t, nil
		}
		return nil, Type{}, sqlerr.New(sqlerr.InvalidOperandType, t.Name(), "plus")
	case '-':
		if !k.IsNumeric() || k == KindBit {
			return nil, Type{}, sqlerr.New(sqlerr.InvalidOperandType, t.Name(), "minus")
		}
		if v == nil {
			return nil, t, nil
		}
		switch x := v.(type) {
		case int64:
			lo, hi := intRange(k)
			if x == math.MinInt64 || -x < lo || -x > hi {
				return nil, Type{}, sqlerr.New(sqlerr.ArithmeticOverflowConvert, "expression", t.Name())
			}
			return -x, t, nil
		case Decimal:
			return Decimal{Unscaled: new(big.Int).Neg(x.unscaled()), Scale: x.Scale}, t, nil
		case float64:
			return -x, t, nil
		}
	case '~':
		if !k.IsInteger() && k != KindBit {
			return nil, Type{}, sqlerr.New(sqlerr.InvalidOperandType, t.Name(), "~")
		}
		if v == nil {
			return nil, t, nil
		}
		switch x := v.(type) {
		case bool:
			return !x, t, nil
		case int64:
			switch k {
			case KindTinyInt:
				return int64(^uint8(x)), t, nil
			case KindBit:
				return x == 0, t, nil
			}
			return ^x, t, nil
		}
	default:
		return nil, Type{}, sqlerr.New(sqlerr.SyntaxError, string(op))
	}
	return nil, Type{}, sqlerr.New(sqlerr.InvalidOperandType, t.Name(), string(op))
}
