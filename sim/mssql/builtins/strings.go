package builtins

import (
	"strings"
	"unicode"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sqlerr"
)

// ---------------------------------------------------------------------------
// NULL handling

func isNull(a []Expr) (Expr, error) {
	t := a[0].Type
	return Expr{Type: t, Nullable: a[1].Nullable, Eval: func(en Env) (Value, error) {
		v, err := a[0].Eval(en)
		if err != nil || v != nil {
			return v, err
		}
		w, err := a[1].Eval(en)
		if err != nil {
			return nil, err
		}
		return ConvertTo(w, a[1].Type, t)
	}}, nil
}

func coalesce(c Call) (Expr, error) {
	a := c.Args
	var t Type
	first := true
	for _, x := range a {
		if x.NullLiteral {
			continue
		}
		if first {
			t, first = x.Type, false
		} else {
			t = Widen(sqltypes.ResultType(t, x.Type), t, x.Type)
		}
	}
	if first {
		return Expr{}, sqlerr.New(sqlerr.CoalesceAllNull)
	}
	return Expr{Type: t, Nullable: true, Eval: func(en Env) (Value, error) {
		for _, x := range a {
			v, err := x.Eval(en)
			if err != nil {
				return nil, err
			}
			if v != nil {
				return ConvertTo(v, x.Type, t)
			}
		}
		return nil, nil
	}}, nil
}

func nullIf(a []Expr) (Expr, error) {
	return Expr{Type: a[0].Type, Nullable: true, Eval: func(en Env) (Value, error) {
		v, err := a[0].Eval(en)
		if err != nil || v == nil {
			return nil, err
		}
		w, err := a[1].Eval(en)
		if err != nil {
			return nil, err
		}
		if w == nil {
			return v, nil
		}
		n, err := sqltypes.Compare(v, w, a[0].Type, a[1].Type)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, nil
		}
		return v, nil
	}}, nil
}

// ---------------------------------------------------------------------------
// Strings

// strType is the string type a value of t becomes when a string function
// converts it implicitly: long enough for its longest text form.
func strType(t Type) Type {
	if t.Kind.IsString() {
		return t
	}
	n := 30
	switch t.Kind {
	case sqltypes.KindUniqueIdentifier:
		n = 36
	case sqltypes.KindDateTime2:
		n = 27
	case sqltypes.KindDateTimeOffset:
		n = 34
	case sqltypes.KindDecimal:
		n = int(t.Precision) + 2
	case sqltypes.KindMoney:
		n = 21
	case sqltypes.KindSmallMoney:
		n = 12
	case sqltypes.KindVarBinary, sqltypes.KindBinary:
		n = t.Length
	}
	if n < 30 && t.Kind != sqltypes.KindUniqueIdentifier {
		n = 30
	}
	return sqltypes.VarChar(n)
}

func lenType(t Type) Type {
	if t.Length == sqltypes.MaxLength {
		return sqltypes.TypeBigInt
	}
	return sqltypes.TypeInt
}

func length(a []Expr) (Expr, error) {
	return nullSafe(lenType(a[0].Type), a, func(v []Value) (Value, error) {
		if b, ok := v[0].([]byte); ok {
			return int64(len(b)), nil
		}
		s, err := ToString(v[0], a[0].Type)
		if err != nil {
			return nil, err
		}
		return int64(len([]rune(strings.TrimRight(s.(string), " ")))), nil
	}), nil
}

func dataLength(a []Expr) (Expr, error) {
	return nullSafe(lenType(a[0].Type), a, func(v []Value) (Value, error) {
		t := a[0].Type
		switch x := v[0].(type) {
		case []byte:
			return int64(len(x)), nil
		case string:
			if t.Kind.IsUnicode() {
				n := 0
				for _, r := range x {
					if r > 0xFFFF {
						n += 4
					} else {
						n += 2
					}
				}
				return int64(n), nil
			}
			// The bytes of its code page, not of its UTF-8 form
			// (DATALENGTH('café') is 4).
			return int64(t.CodePage().Len(x)), nil
		}
		switch t.Kind {
		case sqltypes.KindTinyInt, sqltypes.KindBit:
			return int64(1), nil
		case sqltypes.KindSmallInt:
			return int64(2), nil
		case sqltypes.KindInt, sqltypes.KindReal:
			return int64(4), nil
		case sqltypes.KindUniqueIdentifier:
			return int64(16), nil
		}
		return int64(8), nil
	}), nil
}

func toUpper(s string) string   { return strings.ToUpper(s) }
func toLower(s string) string   { return strings.ToLower(s) }
func trimLeft(s string) string  { return strings.TrimLeft(s, " ") }
func trimRight(s string) string { return strings.TrimRight(s, " ") }
func trim(s string) string      { return strings.Trim(s, " ") }

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

func stringMap(f func(string) string) func([]Expr) (Expr, error) {
	return func(a []Expr) (Expr, error) {
		t := strType(a[0].Type)
		return nullSafe(t, a, func(v []Value) (Value, error) {
			s, err := ToString(v[0], a[0].Type)
			if err != nil {
				return nil, err
			}
			return f(s.(string)), nil
		}), nil
	}
}

func substring(a []Expr) (Expr, error) {
	t := a[0].Type
	if !t.Kind.IsString() && !t.Kind.IsBinary() {
		t = sqltypes.VarChar(8000)
	}
	return nullSafe(t, a, func(v []Value) (Value, error) {
		start, err := argInt(v[1], a[1].Type)
		if err != nil {
			return nil, err
		}
		n, err := argInt(v[2], a[2].Type)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, sqlerr.New(sqlerr.InvalidLengthLeftSubstring, "substring")
		}
		end := start + n // exclusive, 1-based
		if start < 1 {
			start = 1
		}
		if b, ok := v[0].([]byte); ok {
			return sliceRange(len(b), start, end, func(i, j int) Value { return append([]byte{}, b[i:j]...) }), nil
		}
		sv, err := ToString(v[0], a[0].Type)
		if err != nil {
			return nil, err
		}
		r := []rune(sv.(string))
		return sliceRange(len(r), start, end, func(i, j int) Value { return string(r[i:j]) }), nil
	}), nil
}

func sliceRange(n int, start, end int64, f func(i, j int) Value) Value {
	i := int(start - 1)
	j := end - 1
	if i > n {
		i = n
	}
	if j > int64(n) {
		j = int64(n)
	}
	if int64(i) > j {
		j = int64(i)
	}
	return f(i, int(j))
}

func leftRight(left bool) func([]Expr) (Expr, error) {
	return func(a []Expr) (Expr, error) {
		t := strType(a[0].Type)
		return nullSafe(t, a, func(v []Value) (Value, error) {
			n, err := argInt(v[1], a[1].Type)
			if err != nil {
				return nil, err
			}
			if n < 0 {
				name := "right"
				if left {
					name = "left"
				}
				return nil, sqlerr.New(sqlerr.InvalidLength, name)
			}
			sv, err := ToString(v[0], a[0].Type)
			if err != nil {
				return nil, err
			}
			r := []rune(sv.(string))
			if int(n) > len(r) {
				n = int64(len(r))
			}
			if left {
				return string(r[:n]), nil
			}
			return string(r[len(r)-int(n):]), nil
		}), nil
	}
}

func bigString(ts ...Type) Type {
	uni := false
	for _, t := range ts {
		if t.Kind.IsUnicode() {
			uni = true
		}
	}
	if uni {
		return sqltypes.NVarChar(sqltypes.MaxLength)
	}
	return sqltypes.VarChar(sqltypes.MaxLength)
}

// foldIndex finds needle in hay case-insensitively (the default collation)
// from rune offset from; it returns a rune index or -1.
func foldIndex(hay, needle []rune, from int) int {
	if len(needle) == 0 {
		return -1
	}
	for i := from; i+len(needle) <= len(hay); i++ {
		ok := true
		for j, r := range needle {
			if unicode.ToLower(hay[i+j]) != unicode.ToLower(r) {
				ok = false
				break
			}
		}
		if ok {
			return i
		}
	}
	return -1
}

func replace(a []Expr) (Expr, error) {
	return nullSafe(bigString(a[0].Type, a[1].Type, a[2].Type), a, func(v []Value) (Value, error) {
		var ss [3][]rune
		for i := range ss {
			s, err := ToString(v[i], a[i].Type)
			if err != nil {
				return nil, err
			}
			ss[i] = []rune(s.(string))
		}
		hay, pat, rep := ss[0], ss[1], ss[2]
		if len(pat) == 0 {
			return string(hay), nil
		}
		var out []rune
		i := 0
		for {
			j := foldIndex(hay, pat, i)
			if j < 0 {
				out = append(out, hay[i:]...)
				break
			}
			out = append(append(out, hay[i:j]...), rep...)
			i = j + len(pat)
		}
		return string(out), nil
	}), nil
}

func charIndex(a []Expr) (Expr, error) {
	return nullSafe(lenType(a[1].Type), a, func(v []Value) (Value, error) {
		n, err := ToString(v[0], a[0].Type)
		if err != nil {
			return nil, err
		}
		h, err := ToString(v[1], a[1].Type)
		if err != nil {
			return nil, err
		}
		from := 0
		if len(v) > 2 {
			s, err := argInt(v[2], a[2].Type)
			if err != nil {
				return nil, err
			}
			if s > 1 {
				from = int(s - 1)
			}
		}
		return int64(foldIndex([]rune(h.(string)), []rune(n.(string)), from) + 1), nil
	}), nil
}

func replicate(a []Expr) (Expr, error) {
	return nullSafe(bigString(a[0].Type), a, func(v []Value) (Value, error) {
		s, err := ToString(v[0], a[0].Type)
		if err != nil {
			return nil, err
		}
		n, err := argInt(v[1], a[1].Type)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, nil
		}
		if int64(len(s.(string)))*n > 1<<24 {
			return nil, sqlerr.New(sqlerr.ArithmeticOverflowConvert, "expression", "nvarchar")
		}
		return strings.Repeat(s.(string), int(n)), nil
	}), nil
}

func space(a []Expr) (Expr, error) {
	return nullSafe(sqltypes.VarChar(8000), a, func(v []Value) (Value, error) {
		n, err := argInt(v[0], a[0].Type)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, nil
		}
		if n > 8000 {
			n = 8000
		}
		return strings.Repeat(" ", int(n)), nil
	}), nil
}

func concat(c Call) (Expr, error) {
	a := c.Args
	ts := make([]Type, len(a))
	for i, x := range a {
		ts[i] = x.Type
	}
	return Expr{Type: bigString(ts...), Eval: func(en Env) (Value, error) {
		var b strings.Builder
		for _, x := range a {
			v, err := x.Eval(en)
			if err != nil {
				return nil, err
			}
			if v == nil {
				continue
			}
			s, err := ToString(v, x.Type)
			if err != nil {
				return nil, err
			}
			b.WriteString(s.(string))
		}
		return b.String(), nil
	}}, nil
}

func quoteName(a []Expr) (Expr, error) {
	return nullSafe(sqltypes.NVarChar(258), a, func(v []Value) (Value, error) {
		s, err := ToString(v[0], a[0].Type)
		if err != nil {
			return nil, err
		}
		q := "["
		if len(v) > 1 {
			qs, err := ToString(v[1], a[1].Type)
			if err != nil {
				return nil, err
			}
			q = qs.(string)
		}
		str := s.(string)
		if len([]rune(str)) > 128 {
			return nil, nil
		}
		switch q {
		case "[", "]":
			return "[" + strings.ReplaceAll(str, "]", "]]") + "]", nil
		case "'":
			return "'" + strings.ReplaceAll(str, "'", "''") + "'", nil
		case "\"":
			return "\"" + strings.ReplaceAll(str, "\"", "\"\"") + "\"", nil
		case "(", ")":
			return "(" + strings.ReplaceAll(str, ")", "))") + ")", nil
		case "<", ">":
			return "<" + strings.ReplaceAll(str, ">", ">>") + ">", nil
		case "{", "}":
			return "{" + strings.ReplaceAll(str, "}", "}}") + "}", nil
		case "`":
			return "`" + strings.ReplaceAll(str, "`", "``") + "`", nil
		}
		return nil, nil
	}), nil
}
