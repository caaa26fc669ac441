package rowset

import (
	"github.com/pchatdr/harness/sim/mssql/builtins"
	"github.com/pchatdr/harness/sqlerr"
)

// Top is TOP (n) [PERCENT] over sorted rows: n must be an integer (1060)
// and not negative (127); PERCENT keeps n percent of the rows, rounded
// up.
func Top(rows []Row, v Value, percent bool) ([]Row, error) {
	n, ok := builtins.ToInt64(v)
	if !ok {
		return nil, sqlerr.New(sqlerr.TopNotInteger)
	}
	if n < 0 {
		return nil, sqlerr.New(sqlerr.TopNegative)
	}
	if percent {
		n = (int64(len(rows))*n + 99) / 100
	}
	if int64(len(rows)) > n {
		rows = rows[:n]
	}
	return rows, nil
}

// Offset is OFFSET n ROWS: the rows after the first n; a negative n is
// 10742.
func Offset(rows []Row, v Value) ([]Row, error) {
	n, _ := builtins.ToInt64(v)
	if n < 0 {
		return nil, sqlerr.New(sqlerr.OffsetNegative)
	}
	if int(n) >= len(rows) {
		return nil, nil
	}
	return rows[n:], nil
}

// Fetch is FETCH NEXT n ROWS ONLY: at most n rows. The ORDER BY page
// says FETCH's argument is "greater than or equal to one" and 10744's text
// "greater then zero": FETCH NEXT 0 ROWS is 10744 too.
func Fetch(rows []Row, v Value) ([]Row, error) {
	n, _ := builtins.ToInt64(v)
	if n < 1 {
		return nil, sqlerr.New(sqlerr.FetchNotPositive)
	}
	if int(n) < len(rows) {
		rows = rows[:n]
	}
	return rows, nil
}
