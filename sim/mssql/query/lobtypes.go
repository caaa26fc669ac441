package query

import (
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// text, ntext, image and xml cannot be compared or sorted (sqltypes/lob.go
// has their conversion rules). SQL Server refuses such a query when it is
// compiled, so the refusal here is at compile time too: an empty table
// must not let it through.

// comparable refuses a comparison operator between a and b when either is
// a LOB type (402 "The data types text and varchar are incompatible in the
// equal to operator.") or xml (305).
func comparable(a, b Type, op tsql.BinaryOp) error {
	if a.Kind == sqltypes.KindXML || b.Kind == sqltypes.KindXML {
		return newErr(sqlerr.XMLNotComparable)
	}
	if a.Kind.IsLOB() || b.Kind.IsLOB() {
		return newErr(sqlerr.IncompatibleOperatorTypes, a.Name(), b.Name(), compareOpName(op))
	}
	return nil
}

// compareOpName is the operator's name in SQL Server's 402 message.
func compareOpName(op tsql.BinaryOp) string {
	switch op {
	case tsql.OpEq:
		return "equal to"
	case tsql.OpNe:
		return "not equal to"
	case tsql.OpLt:
		return "less than"
	case tsql.OpGt:
		return "greater than"
	case tsql.OpLe:
		return "less than or equal to"
	case tsql.OpGe:
		return "greater than or equal to"
	case tsql.OpNotGt:
		return "not greater than"
	case tsql.OpNotLt:
		return "not less than"
	}
	return "comparison"
}

// sortable refuses ORDER BY (and GROUP BY, DISTINCT) of a LOB type (306)
// or xml (305).
func sortable(t Type) error {
	switch {
	case t.Kind == sqltypes.KindXML:
		return newErr(sqlerr.XMLNotComparable)
	case t.Kind.IsLOB():
		return newErr(sqlerr.LOBNotComparable)
	}
	return nil
}
