package tsql

import (
	"fmt"
	"reflect"
	"strings"
)

// WalkExpr visits e and its sub-expressions (not subqueries), e first;
// where fn returns false it does not descend into that expression's
// sub-expressions (a caller that has found what it looks for returns
// false from then on).
func WalkExpr(e Expr, fn func(Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch x := e.(type) {
	case *ParenExpr:
		WalkExpr(x.X, fn)
	case *CollateExpr:
		WalkExpr(x.X, fn)
	case *UnaryExpr:
		WalkExpr(x.X, fn)
	case *BinaryExpr:
		WalkExpr(x.L, fn)
		WalkExpr(x.R, fn)
	case *IsNullExpr:
		WalkExpr(x.X, fn)
	case *InExpr:
		WalkExpr(x.X, fn)
		for _, a := range x.List {
			WalkExpr(a, fn)
		}
	case *LikeExpr:
		WalkExpr(x.X, fn)
		WalkExpr(x.Pattern, fn)
		WalkExpr(x.Escape, fn)
	case *BetweenExpr:
		WalkExpr(x.X, fn)
		WalkExpr(x.Lo, fn)
		WalkExpr(x.Hi, fn)
	case *QuantifiedExpr:
		WalkExpr(x.X, fn)
	case *CaseExpr:
		WalkExpr(x.Operand, fn)
		for _, w := range x.Whens {
			WalkExpr(w.When, fn)
			WalkExpr(w.Then, fn)
		}
		WalkExpr(x.Else, fn)
	case *CastExpr:
		WalkExpr(x.X, fn)
	case *ConvertExpr:
		WalkExpr(x.X, fn)
		WalkExpr(x.Style, fn)
	case *FuncCall:
		for _, a := range x.Args {
			WalkExpr(a, fn)
		}
	}
}

// Canonical is a structural key of a node that ignores positions, raw
// spellings and identifier case: two expressions with the same key are
// the same expression as SQL Server matches them (a select list item
// against GROUP BY, ORDER BY against a DISTINCT select list).
func Canonical(e Node) string {
	var b strings.Builder
	canonValue(reflect.ValueOf(e), &b)
	return b.String()
}

var (
	posType   = reflect.TypeOf(Pos{})
	identType = reflect.TypeOf(Ident{})
)

func canonValue(v reflect.Value, b *strings.Builder) {
	switch v.Kind() {
	case reflect.Invalid:
		b.WriteString("nil")
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		if rc, ok := v.Interface().(*RecursiveCTE); ok {
			// A recursive CTE refers to itself: its name is its key.
			fmt.Fprintf(b, "cte:%p", rc)
			return
		}
		canonValue(v.Elem(), b)
	case reflect.Struct:
		t := v.Type()
		if t == posType {
			return
		}
		if t == identType {
			b.WriteString(strings.ToLower(v.FieldByName("Name").String()))
			return
		}
		b.WriteString(t.Name())
		b.WriteByte('{')
		for i := 0; i < v.NumField(); i++ {
			f := t.Field(i)
			if f.Name == "Raw" || f.Name == "OpText" || f.Type == posType {
				continue
			}
			canonValue(v.Field(i), b)
			b.WriteByte(',')
		}
		b.WriteByte('}')
	case reflect.Slice:
		b.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			canonValue(v.Index(i), b)
			b.WriteByte(',')
		}
		b.WriteByte(']')
	case reflect.String:
		b.WriteString(strings.ToLower(v.String()))
	default:
		fmt.Fprint(b, v.Interface())
	}
}
