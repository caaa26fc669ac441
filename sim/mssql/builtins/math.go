package builtins

import (
	"math"
	"math/big"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sqlerr"
)

// ---------------------------------------------------------------------------
// Numbers

func numericArg(a Expr, fn string) (Type, error) {
	t := a.Type
	if t.Kind.IsString() {
		return sqltypes.TypeFloat, nil
	}
	if !t.Kind.IsNumeric() || t.Kind == sqltypes.KindBit {
		return Type{}, sqlerr.New(sqlerr.InvalidArgumentType, t.Name(), 1, fn)
	}
	return t, nil
}

func abs(a []Expr) (Expr, error) {
	t, err := numericArg(a[0], "abs")
	if err != nil {
		return Expr{}, err
	}
	return nullSafe(t, a, func(v []Value) (Value, error) {
		x, err := ConvertTo(v[0], a[0].Type, t)
		if err != nil {
			return nil, err
		}
		switch n := x.(type) {
		case int64:
			if n < 0 {
				r, _, err := sqltypes.Unary('-', n, t)
				return r, err
			}
			return n, nil
		case float64:
			return math.Abs(n), nil
		case Decimal:
			return Decimal{Unscaled: new(big.Int).Abs(n.Unscaled), Scale: n.Scale}, nil
		}
		return x, nil
	}), nil
}

func sign(a []Expr) (Expr, error) {
	t, err := numericArg(a[0], "sign")
	if err != nil {
		return Expr{}, err
	}
	return nullSafe(t, a, func(v []Value) (Value, error) {
		x, err := ConvertTo(v[0], a[0].Type, t)
		if err != nil {
			return nil, err
		}
		s := 0
		switch n := x.(type) {
		case int64:
			s = cmpSign(float64(n))
		case float64:
			s = cmpSign(n)
		case Decimal:
			s = n.Unscaled.Sign()
		}
		return ConvertTo(int64(s), sqltypes.TypeBigInt, t)
	}), nil
}

func cmpSign(f float64) int {
	switch {
	case f > 0:
		return 1
	case f < 0:
		return -1
	}
	return 0
}

func roundTo(kind string) func([]Expr) (Expr, error) {
	return func(a []Expr) (Expr, error) {
		t, err := numericArg(a[0], kind)
		if err != nil {
			return Expr{}, err
		}
		rt := t
		if t.Kind == sqltypes.KindDecimal {
			rt = sqltypes.DecimalType(t.Precision, 0)
		}
		return nullSafe(rt, a, func(v []Value) (Value, error) {
			x, err := ConvertTo(v[0], a[0].Type, t)
			if err != nil {
				return nil, err
			}
			switch n := x.(type) {
			case float64:
				if kind == "floor" {
					return math.Floor(n), nil
				}
				return math.Ceil(n), nil
			case Decimal:
				return roundDecimal(n, 0, kind), nil
			}
			return x, nil
		}), nil
	}
}

// roundDecimal rounds d to s decimals: "round" half away from zero,
// "floor"/"ceiling" toward -inf/+inf; the scale is kept for round and
// dropped to s for floor/ceiling.
func roundDecimal(d Decimal, s int, kind string) Decimal {
	if int(d.Scale) <= s {
		return d
	}
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(int(d.Scale)-s)), nil)
	q, r := new(big.Int).QuoRem(d.Unscaled, p, new(big.Int))
	switch kind {
	case "floor":
		if r.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		}
		return Decimal{Unscaled: q, Scale: uint8(s)}
	case "ceiling":
		if r.Sign() > 0 {
			q.Add(q, big.NewInt(1))
		}
		return Decimal{Unscaled: q, Scale: uint8(s)}
	}
	half := new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2))
	if half.Cmp(p) >= 0 {
		if d.Unscaled.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	q.Mul(q, p)
	return Decimal{Unscaled: q, Scale: d.Scale}
}

func roundN(a []Expr) (Expr, error) {
	t, err := numericArg(a[0], "round")
	if err != nil {
		return Expr{}, err
	}
	return nullSafe(t, a[:2], func(v []Value) (Value, error) {
		x, err := ConvertTo(v[0], a[0].Type, t)
		if err != nil {
			return nil, err
		}
		n, err := argInt(v[1], a[1].Type)
		if err != nil {
			return nil, err
		}
		switch y := x.(type) {
		case float64:
			p := math.Pow(10, float64(n))
			return math.Round(y*p) / p, nil
		case Decimal:
			if n >= 0 {
				return roundDecimal(y, int(n), "round"), nil
			}
			return x, nil
		case int64:
			if n >= 0 {
				return y, nil
			}
			p := int64(math.Pow(10, float64(-n)))
			q := y / p
			if r := y % p; r*2 >= p {
				q++
			} else if r*2 <= -p {
				q--
			}
			return q * p, nil
		}
		return x, nil
	}), nil
}

func isNumeric(a []Expr) (Expr, error) {
	return Expr{Type: sqltypes.TypeInt, Eval: func(en Env) (Value, error) {
		v, err := a[0].Eval(en)
		if err != nil || v == nil {
			return int64(0), err
		}
		if a[0].Type.Kind.IsNumeric() {
			return int64(1), nil
		}
		s, err := ToString(v, a[0].Type)
		if err != nil {
			return int64(0), nil
		}
		if _, err := sqltypes.Convert(strings.TrimSpace(s.(string)), sqltypes.VarChar(100), sqltypes.TypeFloat); err != nil {
			return int64(0), nil
		}
		return int64(1), nil
	}}, nil
}

// checksum is CHECKSUM or BINARY_CHECKSUM over the arguments (for
// CHECKSUM(*), the caller passes the row's columns).
func checksum(binary bool) func(Call) (Expr, error) {
	return func(c Call) (Expr, error) {
		args := c.Args
		types := make([]Type, len(args))
		for i, a := range args {
			types[i] = a.Type
		}
		return Expr{Type: sqltypes.TypeInt, Eval: func(en Env) (Value, error) {
			vals := make([]Value, len(args))
			for i, a := range args {
				v, err := a.Eval(en)
				if err != nil {
					return nil, err
				}
				vals[i] = v
			}
			if binary {
				return int64(sqltypes.BinaryChecksum(vals, types)), nil
			}
			return int64(sqltypes.Checksum(vals, types)), nil
		}}, nil
	}
}
