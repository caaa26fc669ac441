package sqltypes

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pchatdr/harness/sqlerr"
)

// Compare orders a and b after converting both to the type of higher
// precedence (ResultType), as SQL Server does for a comparison operator.
// Strings compare as SQL_Latin1_General_CP1_CI_AS approximately: case
// folded per Unicode, trailing spaces ignored, otherwise by code point.
// Exact numbers (integers, bit, decimal) compare exactly; uniqueidentifier
// in SQL Server's own order (last group first).
//
// NULL is not comparable in SQL; the engine must apply three-valued logic
// before calling. For ORDER BY convenience Compare sorts NULL before every
// value (SQL Server's ascending order) and two NULLs as equal.
// Incompatible kinds (uniqueidentifier vs int, date vs int) are error 206;
// a failed conversion carries its own error (245, 241, 8169...).
func Compare(a, b Value, ta, tb Type) (int, error) {
	a, b = normalize(a), normalize(b)
	switch {
	case a == nil && b == nil:
		return 0, nil
	case a == nil:
		return -1, nil
	case b == nil:
		return 1, nil
	}
	if ta.Kind == KindInvalid {
		ta = LiteralType(a)
	}
	if tb.Kind == KindInvalid {
		tb = LiteralType(b)
	}
	rt := ResultType(ta, tb)
	if !ImplicitAllowed(ta.Kind, rt.Kind) || !ImplicitAllowed(tb.Kind, rt.Kind) {
		return 0, sqlerr.New(sqlerr.OperandTypeClash, ta.Name(), tb.Name())
	}
	ca, err := coerce(a, ta, rt)
	if err != nil {
		return 0, err
	}
	cb, err := coerce(b, tb, rt)
	if x, ok := ca.(Variant); ok && err == nil {
		if y, ok := cb.(Variant); ok {
			return compareVariants(x, y)
		}
	}
	if err != nil {
		return 0, err
	}
	return compareSame(ca, cb), nil
}

// Equal reports whether a and b compare equal; NULL equals nothing.
func Equal(a, b Value, ta, tb Type) (bool, error) {
	if normalize(a) == nil || normalize(b) == nil {
		return false, nil
	}
	c, err := Compare(a, b, ta, tb)
	return c == 0, err
}

// coerce brings v of type t to the comparison type rt. Exact numbers are
// left alone (compareSame compares them exactly), so a capped result type
// cannot round them.
func coerce(v Value, t, rt Type) (Value, error) {
	exact := func(k Kind) bool { return k.IsInteger() || k == KindBit || k == KindDecimal || k.IsMoney() }
	if t.Kind == rt.Kind || (exact(t.Kind) && exact(rt.Kind)) {
		return v, nil
	}
	if !ImplicitAllowed(t.Kind, rt.Kind) {
		return nil, sqlerr.New(sqlerr.OperandTypeClash, rt.Name(), t.Name())
	}
	wide := rt
	if wide.Kind.IsString() || wide.Kind.IsBinary() {
		wide.Length = MaxLength
	}
	if wide.Kind == KindDecimal {
		// A string compared with a decimal keeps all its digits.
		wide = DecimalType(MaxPrecision, rt.Scale)
		if s, ok := v.(string); ok {
			if d, ok := parseDecimal(s); ok {
				return d, nil
			}
		}
	}
	return convert(v, t, wide, -1)
}

func compareSame(a, b Value) int {
	switch x := a.(type) {
	case int64:
		switch y := b.(type) {
		case int64:
			return cmpOrdered(x, y)
		case bool:
			return cmpOrdered(x, b2i(y))
		case Decimal:
			return decimalFromInt(x).Cmp(y)
		case float64:
			return cmpFloat(float64(x), y)
		}
	case bool:
		return compareSame(b2i(x), b)
	case Decimal:
		switch y := b.(type) {
		case Decimal:
			return x.Cmp(y)
		case int64:
			return x.Cmp(decimalFromInt(y))
		case bool:
			return x.Cmp(decimalFromInt(b2i(y)))
		case float64:
			return cmpFloat(x.Float(), y)
		}
	case float64:
		switch y := b.(type) {
		case float64:
			return cmpFloat(x, y)
		case int64, bool, Decimal:
			return -compareSame(b, a)
		}
	case string:
		if y, ok := b.(string); ok {
			return CompareStrings(x, y)
		}
	case []byte:
		if y, ok := b.([]byte); ok {
			return bytes.Compare(x, y)
		}
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y)
		}
	case GUID:
		if y, ok := b.(GUID); ok {
			return compareGUID(x, y)
		}
	}
	// Mismatched dynamic types after coercion: order by type name so the
	// result is at least deterministic.
	return strings.Compare(typeTag(a), typeTag(b))
}

func typeTag(v Value) string {
	switch v.(type) {
	case int64, bool, Decimal, float64:
		return "n"
	case string:
		return "s"
	case []byte:
		return "b"
	case time.Time:
		return "t"
	case GUID:
		return "g"
	}
	return "?"
}

func cmpOrdered[T int | int64 | float64 | string](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpFloat orders NaN (which SQL Server never produces) after everything so
// sorting stays total.
func cmpFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return cmpOrdered(a, b)
}

// guidOrder is the byte significance SQL Server uses to sort
// uniqueidentifier, as indexes into the RFC (string) order: node bytes
// first, then clock sequence, then the time fields.
var guidOrder = [16]int{10, 11, 12, 13, 14, 15, 8, 9, 6, 7, 4, 5, 0, 1, 2, 3}

func compareGUID(a, b GUID) int {
	for _, i := range guidOrder {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// foldRune maps case variants to one rune, the approximation of a
// case-insensitive, accent-sensitive collation.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	return unicode.ToLower(unicode.ToUpper(r))
}

// CompareStrings compares as the server collation does (see Compare).
func CompareStrings(a, b string) int {
	a, b = strings.TrimRight(a, " "), strings.TrimRight(b, " ")
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		fa, fb := foldRune(ra), foldRune(rb)
		if fa != fb {
			if fa < fb {
				return -1
			}
			return 1
		}
		a, b = a[na:], b[nb:]
	}
	return cmpOrdered(len(a), len(b)) // only one (or none) is non-empty
}

func foldString(s string) string {
	s = strings.TrimRight(s, " ")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

// Key returns a string that is equal for two values exactly when Compare
// finds them equal, for hashing in GROUP BY, DISTINCT, UNION and unique
// keys. Numbers of any kind share one space (1, 1.0 and float 1 give the
// same key; a float matches a decimal when its shortest decimal form does);
// strings are case-folded and right-trimmed; NULL has its own key (GROUP BY
// puts all NULLs in one group). t is accepted for future collation-specific
// keys and may be the zero Type.
func Key(v Value, t Type) string {
	switch x := normalize(v).(type) {
	case nil:
		return "\x00"
	case int64:
		return "n" + strconv.FormatInt(x, 10)
	case bool:
		return "n" + strconv.FormatInt(b2i(x), 10)
	case Decimal:
		return "n" + x.canonical()
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "f" + strconv.FormatUint(math.Float64bits(x), 16)
		}
		if x == 0 {
			return "n0"
		}
		d, _ := decimalFromFloat(x)
		return "n" + d.canonical()
	case string:
		return "s" + foldString(x)
	case []byte:
		return "b" + string(x)
	case time.Time:
		return "t" + x.UTC().Format("2006-01-02T15:04:05.000000000")
	case GUID:
		return "g" + string(x[:])
	case Variant:
		return Key(x.V, x.Type)
	}
	return "?"
}
