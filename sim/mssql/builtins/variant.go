package builtins

import (
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

// sqlVariantProperty is SQL_VARIANT_PROPERTY(expression, property): the
// base type facts of a sql_variant (an argument of another type is taken
// as converted to sql_variant, so its own type is the base type). The
// result is a sql_variant.
func sqlVariantProperty(a []Expr) (Expr, error) {
	return nullSafe(sqltypes.TypeVariant, a, func(v []Value) (Value, error) {
		p, ok := v[1].(string)
		if !ok {
			s, err := ToString(v[1], a[1].Type)
			if err != nil {
				return nil, err
			}
			p = s.(string)
		}
		return sqltypes.VariantProperty(v[0], a[0].Type, p), nil
	}), nil
}
