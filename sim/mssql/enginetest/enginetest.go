// Package enginetest holds the simulator's script tests as data, in the style
// of go-mysql-server's enginetest: setup batches, then queries with their
// expected rows or expected SQL Server error numbers. The same table runs
// through go-mssqldb against a live instance (sim/mssql) so every test also
// exercises the wire; expectations are what a real SQL Server returns.
package enginetest

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	mssqldb "github.com/microsoft/go-mssqldb"
)

// ScriptTest is one scenario: Setup batches must all succeed, then each
// Assertion runs in order on the same connection.
type ScriptTest struct {
	Name       string
	Setup      []string
	Assertions []Assertion
}

// Assertion is one query and what it must produce.
type Assertion struct {
	Query string
	// Expected rows, compared after normalisation: integers as int64,
	// DECIMAL/NUMERIC as their string form, UNIQUEIDENTIFIER as its
	// upper-case string, binary as "0x..." hex, times in UTC.
	Expected [][]any
	// Columns, when set, must equal the result's column names.
	Columns []string
	// ErrNumber, when non-zero, is the number of the (last) error the
	// query must fail with; ErrNumbers, when set, all error numbers in order.
	ErrNumber  int32
	ErrNumbers []int32
	// ErrContains, when set, must appear in the last error's message.
	ErrContains string
	// Exec runs the query with ExecContext and compares RowsAffected with
	// Affected (when Affected >= 0) instead of reading rows.
	Exec     bool
	Affected int64
	// Args are query parameters (go-mssqldb sends them through
	// sp_executesql); use sql.Named for @name parameters.
	Args []any

	// The in-process runner (RunSessions) reads these instead of Expected
	// and checks error numbers always (none expected: none allowed).
	//
	// Rows are the last result set's rows in the compact form "a|b|NULL"
	// (the engine's own rendering: DATETIME in style 121); nil leaves the
	// rows unchecked, empty expects none.
	Rows []string
	// AnyOrder compares Rows as a set.
	AnyOrder bool
	// ErrLine, when non-zero, is the line the first error must name.
	ErrLine int32
	// Infos, when set, are the informational messages (PRINT, RAISERROR
	// of severity <= 10) other than 5701 and 3621, in order.
	Infos []string
}

// Connector opens connections to a fresh instance for one ScriptTest.
type Connector func(t *testing.T) *sql.DB

// Run runs every script test as a subtest.
func Run(t *testing.T, tests []ScriptTest, connect Connector) {
	for _, st := range tests {
		t.Run(st.Name, func(t *testing.T) {
			t.Parallel()
			db := connect(t)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Fatalf("connect: %v", err)
			}
			defer conn.Close()
			for i, s := range st.Setup {
				if _, err := conn.ExecContext(ctx, s); err != nil {
					t.Fatalf("setup %d %q: %v", i, s, err)
				}
			}
			for _, a := range st.Assertions {
				check(ctx, t, conn, a)
			}
		})
	}
}

func check(ctx context.Context, t *testing.T, conn *sql.Conn, a Assertion) {
	t.Helper()
	if a.Rows != nil || a.AnyOrder || a.ErrLine != 0 || a.Infos != nil {
		// database/sql shows neither message lines nor PRINT output, and
		// the compact rows are the engine's rendering: refuse rather than
		// pass without checking.
		t.Fatalf("%s: Rows, AnyOrder, ErrLine and Infos are checked by RunSessions only; over the wire use Expected", a.Query)
	}
	wantErr := a.ErrNumber != 0 || len(a.ErrNumbers) > 0
	if a.Exec || wantErr {
		res, err := conn.ExecContext(ctx, a.Query, a.Args...)
		if wantErr {
			checkErr(t, a, err)
			return
		}
		if err != nil {
			t.Errorf("%s: unexpected error: %v", a.Query, err)
			return
		}
		if a.Affected >= 0 {
			n, err := res.RowsAffected()
			if err != nil || n != a.Affected {
				t.Errorf("%s: rows affected = %d (%v), want %d", a.Query, n, err, a.Affected)
			}
		}
		return
	}
	rows, err := conn.QueryContext(ctx, a.Query, a.Args...)
	if err != nil {
		t.Errorf("%s: unexpected error: %v", a.Query, err)
		return
	}
	defer rows.Close()
	got, cols, err := ReadRows(rows)
	if err != nil {
		t.Errorf("%s: reading rows: %v", a.Query, err)
		return
	}
	if a.Columns != nil && !reflect.DeepEqual(cols, a.Columns) {
		t.Errorf("%s: columns = %q, want %q", a.Query, cols, a.Columns)
	}
	want := normalizeExpected(a.Expected)
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %s\n want %s", a.Query, format(got), format(want))
	}
}

func checkErr(t *testing.T, a Assertion, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %d%v", a.Query, a.ErrNumber, a.ErrNumbers)
		return
	}
	var me mssqldb.Error
	if !errors.As(err, &me) {
		t.Errorf("%s: error %v is not a SQL Server error", a.Query, err)
		return
	}
	if a.ErrNumber != 0 && me.Number != a.ErrNumber {
		t.Errorf("%s: error %d %q, want %d", a.Query, me.Number, me.Message, a.ErrNumber)
	}
	if len(a.ErrNumbers) > 0 {
		var nums []int32
		for _, e := range me.All {
			nums = append(nums, e.Number)
		}
		if !reflect.DeepEqual(nums, a.ErrNumbers) {
			t.Errorf("%s: errors %v (%v), want %v", a.Query, nums, err, a.ErrNumbers)
		}
	}
	if a.ErrContains != "" && !strings.Contains(me.Message, a.ErrContains) {
		t.Errorf("%s: error %q does not contain %q", a.Query, me.Message, a.ErrContains)
	}
}

// ReadRows reads every row of the current result set, normalised.
func ReadRows(rows *sql.Rows) ([][]any, []string, error) {
	cols, err := rows.Columns()
	if err != nil {
		return nil, nil, err
	}
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, nil, err
	}
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, err
		}
		for i, v := range vals {
			vals[i] = normalize(v, types[i].DatabaseTypeName())
		}
		out = append(out, vals)
	}
	return out, cols, rows.Err()
}

func normalize(v any, dbType string) any {
	switch x := v.(type) {
	case []byte:
		switch dbType {
		case "DECIMAL", "NUMERIC", "MONEY", "SMALLMONEY":
			return string(x)
		case "UNIQUEIDENTIFIER":
			var u mssqldb.UniqueIdentifier
			if err := u.Scan(x); err == nil {
				return u.String()
			}
		}
		return "0x" + strings.ToUpper(hex.EncodeToString(x))
	case time.Time:
		return x.UTC()
	case int, int8, int16, int32:
		return reflect.ValueOf(x).Int()
	case float32:
		return float64(x)
	}
	return v
}

func normalizeExpected(rows [][]any) [][]any {
	out := make([][]any, len(rows))
	for i, r := range rows {
		out[i] = make([]any, len(r))
		for j, v := range r {
			switch x := v.(type) {
			case int:
				out[i][j] = int64(x)
			case int32:
				out[i][j] = int64(x)
			case time.Time:
				out[i][j] = x.UTC()
			default:
				out[i][j] = v
			}
		}
	}
	return out
}

func format(rows [][]any) string {
	var b strings.Builder
	b.WriteString("[")
	for i, r := range rows {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString("(")
		for j, v := range r {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%#v", v)
		}
		b.WriteString(")")
	}
	b.WriteString("]")
	return b.String()
}
