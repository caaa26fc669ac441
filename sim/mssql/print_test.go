package mssql_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/golang-sql/sqlexp"
)

// TestPrintEndsWithDone: PRINT is a statement, and like every statement of
// a batch it ends with a DONE (MS-TDS 2.2.7.6), so a client's message
// stream shows each PRINT as its own result. Before, PRINT sent only its
// INFO, and go-mssqldb's message queue merged it into the next statement.
func TestPrintEndsWithDone(t *testing.T) {
	db := openDB(t, startServer(t, ""), "master")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	retmsg := &sqlexp.ReturnMessage{}
	rows, err := db.QueryContext(ctx, "PRINT 'msg1'; select 100 as c; PRINT 'msg2'", retmsg)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := []string{"notice mssql: msg1 (0)", "nextresultset", "next", "rowsaffected 1", "nextresultset",
		"notice mssql: msg2 (0)", "nextresultset", "nextresultset"}
	var got []string
	for active := true; active && len(got) < 20; {
		switch m := retmsg.Message(ctx).(type) {
		case sqlexp.MsgNotice:
			got = append(got, fmt.Sprintf("notice %v", m.Message))
		case sqlexp.MsgNextResultSet:
			got = append(got, "nextresultset")
			active = rows.NextResultSet()
		case sqlexp.MsgNext:
			got = append(got, "next")
			var c int
			if !rows.Next() || rows.Scan(&c) != nil || c != 100 {
				t.Fatalf("row: %v", rows.Err())
			}
		case sqlexp.MsgRowsAffected:
			got = append(got, fmt.Sprintf("rowsaffected %d", m.Count))
		case sqlexp.MsgError:
			t.Fatalf("error %v", m.Error)
		default:
			got = append(got, fmt.Sprintf("%T", m))
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("messages\n got  %q\n want %q", got, want)
	}
}
