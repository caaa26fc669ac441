package mssql

import (
	"strings"
	"testing"
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
