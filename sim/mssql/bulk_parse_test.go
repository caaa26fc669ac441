package mssql

import (
	"errors"
	"strings"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/tds"
	"github.com/pchatdr/harness/sqlerr"
)

// TestParseInsertBulk: the INSERT BULK forms go-mssqldb and FreeTDS send,
// and the refusals (102 naming the text) for anything else.
func TestParseInsertBulk(t *testing.T) {
	for _, c := range []struct {
		sql     string
		table   string
		columns string
	}{
		{"INSERT BULK [dbo].[t] ([id] int, [name] nvarchar(50) COLLATE SQL_Latin1_General_CP1_CI_AS, [d] decimal(10,2)) ", "[dbo].[t]", "[id],[name],[d]"},
		{"insert bulk master.dbo.t2 (id int, [a,b] varchar(max)) with (TABLOCK, ORDER([id] ASC), ROWS_PER_BATCH = 10)", "master.dbo.t2", "[id],[a,b]"},
		{"INSERT BULK [odd (name)] ([x)] int)", "[odd (name)]", "[x)]"},
	} {
		ib, ok, err := parseInsertBulk(c.sql)
		if !ok || err != nil || ib.table != c.table || strings.Join(ib.columns, ",") != c.columns {
			t.Errorf("%q: %+v %t %v", c.sql, ib, ok, err)
		}
	}
	if _, ok, _ := parseInsertBulk("INSERT INTO t VALUES (1)"); ok {
		t.Error("INSERT INTO taken for INSERT BULK")
	}
	for _, bad := range []string{"INSERT BULK t", "INSERT BULK t (", "INSERT BULK (a int)", "INSERT BULK t (a int) WITH (NO_SUCH_HINT)", "INSERT BULK t (a int) garbage"} {
		_, ok, err := parseInsertBulk(bad)
		if !ok || err == nil || !strings.Contains(err.Error(), "Incorrect syntax near") {
			t.Errorf("%q: ok %t err %v, want 102", bad, ok, err)
		}
	}
}

// FuzzParseInsertBulk: any batch text a client sends is either not INSERT
// BULK, or a statement with a table and columns, or SQL Server's 102;
// never a panic (the handler would turn one into a dropped request).
func FuzzParseInsertBulk(f *testing.F) {
	for _, s := range []string{
		"INSERT BULK [dbo].[t] ([id] int, [name] nvarchar(50) COLLATE SQL_Latin1_General_CP1_CI_AS, [d] decimal(10,2)) ",
		"insert bulk master.dbo.t2 (id int, [a,b] varchar(max)) with (TABLOCK, ORDER([id] ASC), ROWS_PER_BATCH = 10)",
		"INSERT BULK [odd (name)] ([x)] int)",
		"INSERT BULK t (a int) WITH (NO_SUCH_HINT)",
		"INSERT INTO t VALUES (1)",
		// An empty hint between commas and a hint that is only '=' once
		// indexed the first word of nothing.
		"INSERT BULK t (a int) WITH (TABLOCK,,KEEP_NULLS)",
		"INSERT BULK t (a int) WITH (=)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		ib, ok, err := parseInsertBulk(sql)
		switch {
		case !ok:
			if ib != nil || err != nil {
				t.Fatalf("%q: not INSERT BULK, yet %+v, %v", sql, ib, err)
			}
		case err != nil:
			var se *tds.ServerError
			if !errors.As(err, &se) || se.Number != sqlerr.SyntaxError {
				t.Fatalf("%q: %v, want 102", sql, err)
			}
		case ib == nil || ib.table == "" || len(ib.columns) == 0:
			t.Fatalf("%q: accepted without a table or columns: %+v", sql, ib)
		}
	})
}
