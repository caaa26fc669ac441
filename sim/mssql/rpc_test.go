package mssql_test

import (
	"database/sql"
	"errors"
	"strings"
	"testing"

	mssqldb "github.com/microsoft/go-mssqldb"
)

// TestRPCFailureFraming: an RPC whose statement fails with a
// batch-aborting error still ends with RETURNSTATUS and DONEPROC(ERROR)
// (MS-TDS 2.2.7.18, 2.2.7.8), so the client sees the error. Before, the
// failed statement's DONEINPROC was the last token and go-mssqldb reported
// "sql: no rows in result set" with no error.
func TestRPCFailureFraming(t *testing.T) {
	db := openDB(t, startServer(t, ""), "master")
	for _, c := range []struct {
		query string
		arg   any
		want  string
	}{
		{"select cast(@p1 as int)", "x", "Conversion failed when converting the nvarchar value 'x' to data type int."},
		{"select * from nosuchtable where 1 = @p1", 1, "Invalid object name 'nosuchtable'."},
		{"select nosuchfunc(@p1)", 1, "'nosuchfunc' is not a recognized built-in function name."},
	} {
		var v any
		err := db.QueryRow(c.query, c.arg).Scan(&v)
		if err == nil || errors.Is(err, sql.ErrNoRows) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want the error %q", c.query, err, c.want)
		}
	}
	var rs mssqldb.ReturnStatus
	if _, err := db.Exec("sp_executesql", "select cast('x' as int)", &rs); err == nil {
		t.Errorf("sp_executesql with a conversion error: no error")
	}
	if rs == 0 {
		t.Errorf("sp_executesql with a conversion error: return status %d, want non-zero (RETURNSTATUS must close every RPC)", rs)
	}
}
