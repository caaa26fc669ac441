package sqltypes

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/pchatdr/harness/sqlerr"
)

var (
	bigTen  = big.NewInt(10)
	bigZero = big.NewInt(0)
)

// pow10 returns 10^n as a new big.Int.
func pow10(n int) *big.Int {
	return new(big.Int).Exp(bigTen, big.NewInt(int64(n)), nil)
}

// unscaled returns d's unscaled value, never nil.
func (d Decimal) unscaled() *big.Int {
	if d.Unscaled == nil {
		return bigZero
	}
	return d.Unscaled
}

// NewDecimal builds unscaled * 10^-scale.
func NewDecimal(unscaled int64, scale uint8) Decimal {
	return Decimal{Unscaled: big.NewInt(unscaled), Scale: scale}
}

// ParseDecimal parses a decimal literal or string: optional sign, digits
// with an optional point, surrounding spaces allowed, no exponent (SQL Server
// refuses '1e5' as numeric). Failure is error 8114 (varchar to numeric).
func ParseDecimal(s string) (Decimal, error) {
	d, ok := parseDecimal(s)
	if !ok {
		return Decimal{}, sqlerr.New(8114, "varchar", "numeric")
	}
	return d, nil
}

func parseDecimal(s string) (Decimal, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return Decimal{}, false
	}
	if !allDigits(intPart) || !allDigits(frac) || (hasDot && strings.ContainsAny(frac, ".")) {
		return Decimal{}, false
	}
	if len(frac) > 255 {
		return Decimal{}, false
	}
	u, ok := new(big.Int).SetString("0"+intPart+frac, 10)
	if !ok {
		return Decimal{}, false
	}
	if neg {
		u.Neg(u)
	}
	return Decimal{Unscaled: u, Scale: uint8(len(frac))}, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// digits counts the decimal digits of |u| (0 has one digit, as precision
// counts it).
func digits(u *big.Int) int {
	if u.Sign() == 0 {
		return 1
	}
	return len(new(big.Int).Abs(u).String())
}

// Rescale returns d with the given scale, rounding half away from zero when
// digits are dropped (SQL Server's rule for CAST and assignment) or
// truncating toward zero when trunc is set (its rule for decimal division).
func (d Decimal) Rescale(scale uint8, trunc bool) Decimal {
	u := d.unscaled()
	switch {
	case scale == d.Scale:
		return Decimal{Unscaled: new(big.Int).Set(u), Scale: scale}
	case scale > d.Scale:
		return Decimal{Unscaled: new(big.Int).Mul(u, pow10(int(scale-d.Scale))), Scale: scale}
	}
	div := pow10(int(d.Scale - scale))
	q, r := new(big.Int).QuoRem(u, div, new(big.Int))
	if !trunc {
		// |r|*2 >= div rounds away from zero
		r2 := new(big.Int).Abs(r)
		r2.Lsh(r2, 1)
		if r2.Cmp(div) >= 0 {
			if u.Sign() < 0 {
				q.Sub(q, big.NewInt(1))
			} else {
				q.Add(q, big.NewInt(1))
			}
		}
	}
	return Decimal{Unscaled: q, Scale: scale}
}

// fitsPrecision reports whether d (already at its target scale) has at most p
// digits.
func (d Decimal) fitsPrecision(p uint8) bool {
	return digits(d.unscaled()) <= int(p)
}

// Float returns d as a float64 (nearest).
func (d Decimal) Float() float64 {
	f, _ := new(big.Rat).SetFrac(d.unscaled(), pow10(int(d.Scale))).Float64()
	return f
}

// Int64 returns d truncated toward zero, and false if it does not fit.
func (d Decimal) Int64() (int64, bool) {
	q := new(big.Int).Quo(d.unscaled(), pow10(int(d.Scale)))
	if !q.IsInt64() {
		return 0, false
	}
	return q.Int64(), true
}

// Sign returns -1, 0 or 1.
func (d Decimal) Sign() int { return d.unscaled().Sign() }

// Cmp compares two decimals exactly.
func (d Decimal) Cmp(o Decimal) int {
	s := max(d.Scale, o.Scale)
	return d.Rescale(s, false).Unscaled.Cmp(o.Rescale(s, false).Unscaled)
}

// canonical is d without trailing fractional zeros; equal values give equal
// strings whatever their scale.
func (d Decimal) canonical() string {
	u := new(big.Int).Set(d.unscaled())
	s := d.Scale
	r := new(big.Int)
	for s > 0 {
		q, m := new(big.Int).QuoRem(u, bigTen, r)
		if m.Sign() != 0 {
			break
		}
		u = q
		s--
	}
	return Decimal{Unscaled: u, Scale: s}.String()
}

func decimalFromInt(i int64) Decimal { return Decimal{Unscaled: big.NewInt(i), Scale: 0} }

// decimalFromFloat converts through the shortest decimal representation of
// f, which is what a reader of the float would write.
func decimalFromFloat(f float64) (Decimal, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Decimal{}, false
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	return parseDecimal(s)
}

// intDecimalPrecision is the precision an integer kind takes in decimal
// arithmetic (int becomes decimal(10,0) and so on).
func intDecimalPrecision(k Kind) uint8 {
	switch k {
	case KindTinyInt:
		return 3
	case KindSmallInt:
		return 5
	case KindInt:
		return 10
	case KindBigInt:
		return 19
	case KindBit:
		return 1
	}
	return MaxPrecision
}
