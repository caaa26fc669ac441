package rowset

import (
	"math/big"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/builtins"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sqlerr"
)

// IsAggregate reports whether name (lower case) is an aggregate the
// simulator computes. STDEV is an aggregate in SQL Server but not
// modelled: false, so a call reaches the function lookup and its
// "not a recognized built-in function" error rather than a wrong value.
func IsAggregate(name string) bool {
	switch name {
	case "count", "count_big", "sum", "avg", "min", "max", "checksum_agg":
		return true
	}
	return false
}

// Agg is one aggregate call: its function (lower case), COUNT(*)'s star,
// DISTINCT, its argument (zero for a star) and its result type.
type Agg struct {
	Fn       string
	Star     bool
	Distinct bool
	Arg      Col
	Type     Type
}

// NewAgg is an aggregate call with SQL Server's result type for its
// argument (the aggregate's documentation page: SUM and AVG of the
// integer types are int or bigint, of decimal(p,s) decimal(38,s) (AVG's
// scale at least 6), of float and real float; COUNT int, COUNT_BIG
// bigint; MIN and MAX their argument's type). An argument type an
// aggregate does not take is 8117.
func NewAgg(fn string, star, distinct bool, arg Col) (*Agg, error) {
	a := &Agg{Fn: fn, Star: star, Distinct: distinct, Arg: arg}
	switch fn {
	case "count", "checksum_agg":
		a.Type = sqltypes.TypeInt
	case "count_big":
		a.Type = sqltypes.TypeBigInt
	case "min", "max":
		a.Type = arg.Type
	case "sum", "avg":
		t := arg.Type
		switch t.Kind {
		case sqltypes.KindTinyInt, sqltypes.KindSmallInt, sqltypes.KindInt:
			a.Type = sqltypes.TypeInt
		case sqltypes.KindBigInt:
			a.Type = sqltypes.TypeBigInt
		case sqltypes.KindDecimal:
			s := t.Scale
			if fn == "avg" && s < 6 {
				s = 6
			}
			a.Type = sqltypes.DecimalType(38, s)
		case sqltypes.KindFloat, sqltypes.KindReal:
			a.Type = sqltypes.TypeFloat
		case sqltypes.KindMoney, sqltypes.KindSmallMoney:
			// SUM and AVG of money or smallmoney are money.
			a.Type = sqltypes.TypeMoney
		default:
			return nil, sqlerr.New(sqlerr.InvalidOperandType, t.Name(), fn)
		}
	}
	return a, nil
}

// AggState is one aggregate's running state over one group.
type AggState struct {
	count int64
	acc   Value
	seen  map[string]bool
	cks   []int64
}

// Step adds the row en is positioned on. NULL arguments are skipped, as
// every aggregate but COUNT(*) does.
func (a *Agg) Step(st *AggState, en Env) error {
	if a.Star {
		st.count++
		return nil
	}
	v, err := a.Arg.Eval(en)
	if err != nil {
		return err
	}
	if v == nil {
		return nil
	}
	if a.Distinct {
		if st.seen == nil {
			st.seen = map[string]bool{}
		}
		k := sqltypes.Key(v, a.Arg.Type)
		if st.seen[k] {
			return nil
		}
		st.seen[k] = true
	}
	st.count++
	switch a.Fn {
	case "sum", "avg":
		cv, err := sqltypes.Convert(v, a.Arg.Type, a.Type)
		if err != nil {
			return err
		}
		if st.acc == nil {
			st.acc = cv
			return nil
		}
		r, _, err := sqltypes.Arith('+', st.acc, cv, a.Type, a.Type)
		if err != nil {
			return err
		}
		st.acc, err = builtins.ConvertTo(r, a.Type, a.Type)
		return err
	case "min", "max":
		if st.acc == nil {
			st.acc = v
			return nil
		}
		n, err := sqltypes.Compare(v, st.acc, a.Arg.Type, a.Arg.Type)
		if err != nil {
			return err
		}
		if (a.Fn == "min" && n < 0) || (a.Fn == "max" && n > 0) {
			st.acc = v
		}
	case "checksum_agg":
		n, ok := builtins.ToInt64(v)
		if !ok {
			return sqlerr.New(sqlerr.InvalidOperandType, a.Arg.Type.Name(), "checksum_agg")
		}
		st.cks = append(st.cks, n)
	}
	return nil
}

// Result is the aggregate's value for the rows stepped: NULL over no
// non-NULL value except for COUNT, which is 0; AVG divides in the sum's
// type (integer division for the integer types).
func (a *Agg) Result(st *AggState) (Value, error) {
	switch a.Fn {
	case "count", "count_big":
		return st.count, nil
	case "checksum_agg":
		if st.count == 0 {
			return nil, nil
		}
		return int64(sqltypes.ChecksumAgg(st.cks)), nil
	case "avg":
		if st.acc == nil {
			return nil, nil
		}
		var ct Type
		var cv Value
		switch a.Type.Kind {
		case sqltypes.KindDecimal:
			ct, cv = sqltypes.DecimalType(19, 0), sqltypes.Decimal{Unscaled: big.NewInt(st.count)}
		case sqltypes.KindFloat:
			ct, cv = sqltypes.TypeFloat, float64(st.count)
		default:
			ct, cv = a.Type, st.count
		}
		r, rt, err := sqltypes.Arith('/', st.acc, cv, a.Type, ct)
		if err != nil {
			return nil, err
		}
		return builtins.ConvertTo(r, rt, a.Type)
	}
	return st.acc, nil
}

// Group groups rows by keys and computes aggs over each group; a result
// row is the group's key values followed by the aggregates' values, in
// the order groups first appear. With no keys an empty input still yields
// one row (COUNT(*) = 0), as in SQL Server.
func Group(rows []Row, keys []Col, aggs []*Agg, at At) ([]Row, error) {
	type group struct {
		keys   []Value
		states []AggState
	}
	var order []*group
	byKey := map[string]*group{}
	newGroup := func(keys []Value) *group {
		return &group{keys: keys, states: make([]AggState, len(aggs))}
	}
	if len(keys) == 0 {
		gr := newGroup(nil)
		order = append(order, gr)
		byKey[""] = gr
	}
	var kb strings.Builder
	for _, r := range rows {
		en := at(r)
		vals := make([]Value, len(keys))
		kb.Reset()
		for i, k := range keys {
			v, err := k.Eval(en)
			if err != nil {
				return nil, err
			}
			vals[i] = v
			writeKey(&kb, v, k.Type)
		}
		gr := byKey[kb.String()]
		if gr == nil {
			gr = newGroup(vals)
			byKey[kb.String()] = gr
			order = append(order, gr)
		}
		for i, a := range aggs {
			if err := a.Step(&gr.states[i], en); err != nil {
				return nil, err
			}
		}
	}
	out := make([]Row, 0, len(order))
	for _, gr := range order {
		row := make(Row, 0, len(keys)+len(aggs))
		row = append(row, gr.keys...)
		for i, a := range aggs {
			v, err := a.Result(&gr.states[i])
			if err != nil {
				return nil, err
			}
			row = append(row, v)
		}
		out = append(out, row)
	}
	return out, nil
}
