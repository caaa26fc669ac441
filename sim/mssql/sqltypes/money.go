package sqltypes

import (
	"math/big"
	"strings"

	"github.com/pchatdr/harness/sqlerr"
)

// money and smallmoney (Microsoft's "money and smallmoney" page): exact
// numbers with four decimal places, held as Decimal at scale 4, in the
// ranges -922,337,203,685,477.5808 to 922,337,203,685,477.5807 (an int64
// of ten-thousandths) and -214,748.3648 to 214,748.3647 (an int32). Their
// rules differ from decimal(19,4)'s, which is why they are kinds of their
// own:
//   - a string converts with a currency symbol and thousands separators
//     ('$1,234.56'); bad syntax is 235, not 8114;
//   - to a string, style 0 gives two decimal places and no separators,
//     style 1 separators every three digits, style 2 four places
//     ("CAST and CONVERT", money and smallmoney styles);
//   - to an integer the value rounds, where decimal truncates ("Truncating
//     and rounding results": money to int is "Round");
//   - arithmetic between money values stays money (precedence: decimal >
//     money > smallmoney > bigint), rounded to four places.

// TypeMoney and TypeSmallMoney are money and smallmoney.
var (
	TypeMoney      = Type{Kind: KindMoney}
	TypeSmallMoney = Type{Kind: KindSmallMoney}
)

// IsMoney reports money and smallmoney.
func (k Kind) IsMoney() bool { return k == KindMoney || k == KindSmallMoney }

var (
	moneyMax      = big.NewInt(922337203685477_5807)
	moneyMin      = big.NewInt(-922337203685477_5808)
	smallMoneyMax = big.NewInt(214748_3647)
	smallMoneyMin = big.NewInt(-214748_3648)
)

// moneyFits reports whether d (at scale 4) is in k's range.
func moneyFits(d Decimal, k Kind) bool {
	u := d.unscaled()
	if k == KindSmallMoney {
		return u.Cmp(smallMoneyMin) >= 0 && u.Cmp(smallMoneyMax) <= 0
	}
	return u.Cmp(moneyMin) >= 0 && u.Cmp(moneyMax) <= 0
}

// currencySymbols are the symbols a string converted to money may start
// with (the page lists 32; these are the ones of the code pages modelled).
const currencySymbols = "$£¤¥€₩₪₫₭₮₱₲₴₹₽¢"

// parseMoneyString reads a money literal in a string: optional sign,
// optional currency symbol (before or after the sign), digits with comma
// separators, optional fraction.
func parseMoneyString(s string) (Decimal, bool) {
	s = strings.TrimSpace(s)
	sign := ""
	take := func() {
		if s != "" && (s[0] == '+' || s[0] == '-') {
			sign, s = s[:1], strings.TrimSpace(s[1:])
		}
	}
	take()
	for _, c := range currencySymbols {
		if strings.HasPrefix(s, string(c)) {
			s = strings.TrimSpace(s[len(string(c)):])
			if sign == "" {
				take()
			}
			break
		}
	}
	if s == "" || s[0] == ',' {
		return Decimal{}, false
	}
	return parseDecimal(sign + strings.ReplaceAll(s, ",", ""))
}

// toMoney converts to money or smallmoney, rounding to four places.
func toMoney(v Value, from, to Type) (Value, error) {
	var d Value
	if s, ok := v.(string); ok {
		p, ok := parseMoneyString(s)
		if !ok {
			return nil, sqlerr.New(sqlerr.MoneyConversionSyntax)
		}
		d = p
	} else {
		var err error
		if d, err = toDecimal(v, from, DecimalType(MaxPrecision, 4)); err != nil {
			return nil, err
		}
	}
	m := d.(Decimal).Rescale(4, false)
	if !moneyFits(m, to.Kind) {
		what := from.Name()
		if from.Kind.IsInteger() || from.Kind.IsMoney() || from.Kind.IsString() {
			what = "expression"
		}
		return nil, sqlerr.New(sqlerr.ArithmeticOverflowConvert, what, to.Name())
	}
	return m, nil
}

// formatMoney is a money value as CONVERT's style gives it: 0 (and any
// other style) two places, 1 two places with thousands separators, 2 and
// 126 four places.
func formatMoney(d Decimal, style int) string {
	switch style {
	case 2, 126:
		return d.Rescale(4, false).String()
	}
	s := d.Rescale(2, false).String()
	if style != 1 {
		return s
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String() + "." + frac
	if neg {
		out = "-" + out
	}
	return out
}

// moneyToInt rounds a money value to an integer (money -> int rounds).
func moneyToInt(d Decimal) Decimal { return d.Rescale(0, false) }
