package sqltypes

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/pchatdr/harness/sqlerr"
)

// dec parses a decimal for tests.
func dec(t testing.TB, s string) Decimal {
	t.Helper()
	d, err := ParseDecimal(s)
	if err != nil {
		t.Fatalf("ParseDecimal(%q): %v", s, err)
	}
	return d
}

func ts(y, mo, d, h, mi, s, ns int) time.Time {
	return time.Date(y, time.Month(mo), d, h, mi, s, ns, time.UTC)
}

// errNum returns the SQL error number of err, 0 for nil, -1 for a non-SQL
// error.
func errNum(err error) int32 {
	if err == nil {
		return 0
	}
	var e *sqlerr.Error
	if errors.As(err, &e) {
		return e.Number
	}
	return -1
}

// sameValue compares results, decimals by value and scale.
func sameValue(a, b Value) bool {
	da, ok1 := a.(Decimal)
	db, ok2 := b.(Decimal)
	if ok1 && ok2 {
		return da.Scale == db.Scale && da.unscaled().Cmp(db.unscaled()) == 0
	}
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb)
	}
	return reflect.DeepEqual(a, b)
}

func errMessage(err error) string {
	var e *sqlerr.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}
