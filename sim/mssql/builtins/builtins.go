// Package builtins holds SQL Server's pure scalar built-in functions:
// those whose result depends only on their arguments (string, date and
// arithmetic functions, ISNULL, COALESCE, CHECKSUM). The engine binds
// names and compiles a call's arguments, then asks this package for the
// function by name; functions that read the session or the instance
// (GETDATE, DB_NAME, OBJECT_ID, ERROR_NUMBER, ...) are
// sim/mssql/sessionfuncs, to which the engine supplies the session's facts.
//
// The package knows nothing of rows or scopes: an argument is an Expr
// whose Eval takes the caller's evaluation state (Env) and hands it on
// untouched, so the same compiled function runs over any row.
package builtins

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sqlerr"
)

// Aliases for the value system's types, as the engine's api.go has them.
type (
	Type    = sqltypes.Type
	Value   = sqltypes.Value
	Decimal = sqltypes.Decimal
)

// Env is the caller's evaluation state (the engine's row and scope). A
// built-in never looks inside it: it passes it to its arguments' Eval.
type Env any

// Expr is a compiled expression as a built-in sees it: an argument, or
// the call's result.
type Expr struct {
	Type     Type
	Nullable bool
	// NullLiteral is set on an argument written as the literal NULL:
	// COALESCE takes its result type from the other arguments and fails
	// (4127) when all are NULL literals.
	NullLiteral bool
	Eval        func(Env) (Value, error)
}

// Call is one call being compiled: the function's name as written, its
// compiled arguments and, for a function with a datepart (Func.DatePart),
// the datepart's canonical name, its first argument not being among Args.
type Call struct {
	Name string
	Part string
	Args []Expr
}

// Func is one built-in function.
type Func struct {
	// Min and Max bound the number of arguments (Max < 0: no bound).
	// A call outside gets 174 ("requires n argument(s)") when Min ==
	// Max, else 189 ("requires Min to Shown arguments").
	Min, Max int
	// Shown is the upper bound message 189 names when Max < 0 (the
	// documented limit, which the simulator does not enforce).
	Shown int
	// MsgName is the name messages 174 and 189 show ("" for the name as
	// written).
	MsgName string
	// DatePart marks DATEADD, DATEDIFF and DATEPART: the first argument
	// is a datepart keyword (year, yy, ...), which the caller resolves
	// with DatePart and passes as Call.Part, not an expression.
	DatePart bool
	// Star allows the argument list * (CHECKSUM(*)): the caller passes
	// the columns of the row as Args.
	Star bool
	// Compile checks the arguments' types and builds the call.
	Compile func(Call) (Expr, error)
}

// CheckArity is the argument-count check, made before the arguments are
// compiled (SQL Server reports 174 even when an argument names an unknown
// column).
func (f *Func) CheckArity(name string, n int) error {
	if n >= f.Min && (f.Max < 0 || n <= f.Max) {
		return nil
	}
	if f.MsgName != "" {
		name = f.MsgName
	}
	if f.Min == f.Max {
		return sqlerr.New(sqlerr.FunctionArgCount, name, f.Min)
	}
	hi := f.Max
	if hi < 0 {
		hi = f.Shown
	}
	return sqlerr.New(sqlerr.FunctionArgRange, name, f.Min, hi)
}

// Lookup finds a function by its lower-case name.
func Lookup(name string) (*Func, bool) {
	f, ok := table[name]
	return f, ok
}

// table is the functions by lower-case name. It is never written after
// package initialization.
var table = map[string]*Func{
	"isnull":     fixed(2, isNull),
	"coalesce":   {Min: 2, Max: -1, Shown: 255, MsgName: "coalesce", Compile: coalesce},
	"nullif":     fixed(2, nullIf),
	"len":        fixed(1, length),
	"datalength": fixed(1, dataLength),
	"upper":      fixed(1, stringMap(toUpper)),
	"lower":      fixed(1, stringMap(toLower)),
	"ltrim":      fixed(1, stringMap(trimLeft)),
	"rtrim":      fixed(1, stringMap(trimRight)),
	"trim":       fixed(1, stringMap(trim)),
	"reverse":    fixed(1, stringMap(reverse)),
	"substring":  fixed(3, substring),
	"left":       fixed(2, leftRight(true)),
	"right":      fixed(2, leftRight(false)),
	"replace":    fixed(3, replace),
	"charindex":  ranged(2, 3, charIndex),
	"replicate":  fixed(2, replicate),
	"space":      fixed(1, space),
	"concat":     {Min: 2, Max: -1, Shown: 254, MsgName: "concat", Compile: concat},
	"quotename":  ranged(1, 2, quoteName),

	"dateadd":  {Min: 3, Max: 3, MsgName: "dateadd", DatePart: true, Compile: dateAdd},
	"datediff": {Min: 3, Max: 3, MsgName: "datediff", DatePart: true, Compile: dateDiff},
	"datepart": {Min: 2, Max: 2, MsgName: "datepart", DatePart: true, Compile: datePartFunc},
	"year":     datePartOf("year"),
	"month":    datePartOf("month"),
	"day":      datePartOf("day"),

	"abs":             fixed(1, abs),
	"ceiling":         fixed(1, roundTo("ceiling")),
	"floor":           fixed(1, roundTo("floor")),
	"round":           ranged(2, 3, roundN),
	"sign":            fixed(1, sign),
	"checksum":        {Min: 1, Max: -1, Shown: 255, Star: true, Compile: checksum(false)},
	"binary_checksum": {Min: 1, Max: -1, Shown: 255, Star: true, Compile: checksum(true)},
	"isnumeric":       fixed(1, isNumeric),

	"sql_variant_property": fixed(2, sqlVariantProperty),
}

// fixed is a function of exactly n arguments.
func fixed(n int, f func([]Expr) (Expr, error)) *Func {
	return &Func{Min: n, Max: n, Compile: func(c Call) (Expr, error) { return f(c.Args) }}
}

// ranged is a function of lo to hi arguments.
func ranged(lo, hi int, f func([]Expr) (Expr, error)) *Func {
	return &Func{Min: lo, Max: hi, Compile: func(c Call) (Expr, error) { return f(c.Args) }}
}

// evalArgs evaluates the arguments; null reports that one was NULL.
func evalArgs(args []Expr, en Env) ([]Value, bool, error) {
	vals := make([]Value, len(args))
	null := false
	for i, a := range args {
		v, err := a.Eval(en)
		if err != nil {
			return nil, false, err
		}
		vals[i] = v
		if v == nil {
			null = true
		}
	}
	return vals, null, nil
}

// nullSafe builds a function that is NULL when any argument is.
func nullSafe(t Type, args []Expr, f func(vals []Value) (Value, error)) Expr {
	return Expr{Type: t, Nullable: true, Eval: func(en Env) (Value, error) {
		vals, null, err := evalArgs(args, en)
		if err != nil || null {
			return nil, err
		}
		return f(vals)
	}}
}

// ConvertTo converts v from type f to t when the types differ.
func ConvertTo(v Value, f, t Type) (Value, error) {
	if v == nil || f == t {
		return v, nil
	}
	return sqltypes.Convert(v, f, t)
}

// ToInt64 is v as an integer where SQL Server converts it implicitly (a
// TOP count, a CHECKSUM_AGG argument, a bit): integers and bits as they
// are, float and decimal truncated toward zero, a string that holds an
// integer; false for anything else.
func ToInt64(v Value) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case float64:
		return int64(x), true
	case Decimal:
		if x.Unscaled == nil {
			return 0, true
		}
		q := new(big.Int).Quo(x.Unscaled, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(x.Scale)), nil))
		return q.Int64(), true
	case string:
		var n int64
		_, err := fmt.Sscan(strings.TrimSpace(x), &n)
		return n, err == nil
	}
	return 0, false
}

// ToString converts a non-NULL value of type t to a Go string (as a Value).
func ToString(v Value, t Type) (Value, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	return sqltypes.Convert(v, t, sqltypes.NVarChar(sqltypes.MaxLength))
}

// Widen makes a result type t of inputs a and b long enough for values
// of both (UNION, CASE and COALESCE results).
func Widen(t, a, b Type) Type {
	if t.Kind.IsString() || t.Kind.IsBinary() {
		if a.Length == sqltypes.MaxLength || b.Length == sqltypes.MaxLength {
			t.Length = sqltypes.MaxLength
		} else if n := max(a.Length, b.Length); n > t.Length {
			t.Length = n
		}
	}
	return t
}

// argInt converts an integer argument.
func argInt(v Value, t Type) (int64, error) {
	if n, ok := v.(int64); ok {
		return n, nil
	}
	cv, err := sqltypes.Convert(v, t, sqltypes.TypeBigInt)
	if err != nil {
		return 0, err
	}
	return cv.(int64), nil
}
