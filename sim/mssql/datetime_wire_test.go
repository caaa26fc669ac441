package mssql_test

import (
	"database/sql"
	"testing"
	"time"

	"github.com/golang-sql/civil"
	mssqldb "github.com/microsoft/go-mssqldb"
)

// TestDateTimeTypesOnTheWire: datetimeoffset keeps its offset both ways,
// time and smalldatetime travel as their own TDS types. Before, a
// datetimeoffset parameter came back in UTC (offset lost), a time parameter
// was refused with 2715 inside an RPC that then read as "no rows", and
// smalldatetime was unknown.
func TestDateTimeTypesOnTheWire(t *testing.T) {
	db := openDB(t, startServer(t, ""), "master")
	in := time.Date(2006, 1, 2, 22, 4, 5, 0, time.FixedZone("", -7*3600))
	var got time.Time
	if err := db.QueryRow("SELECT @dto", sql.Named("dto", mssqldb.DateTimeOffset(in))).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if _, off := got.Zone(); !got.Equal(in) || off != -7*3600 || got.Hour() != 22 {
		t.Errorf("datetimeoffset parameter: got %v, want %v", got, in)
	}
	if err := db.QueryRow("SELECT CAST('2010-11-15T11:56:45.123+14:00' AS datetimeoffset(3))").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if _, off := got.Zone(); off != 14*3600 || got.Hour() != 11 || got.Nanosecond() != 123e6 {
		t.Errorf("datetimeoffset literal: got %v, want 2010-11-15 11:56:45.123 +14:00", got)
	}
	var tm civil.Time
	if err := db.QueryRow("SELECT @tm", sql.Named("tm", civil.TimeOf(in))).Scan(&got); err != nil {
		t.Fatalf("time parameter: %v", err)
	}
	tm = civil.TimeOf(got)
	if tm.String() != "22:04:05" {
		t.Errorf("time parameter: got %v, want 22:04:05", tm)
	}
	rows, err := db.Query("SELECT CAST('2007-05-09 23:39:29' AS smalldatetime) a, CAST('11:56' AS time(3)) b, SYSDATETIMEOFFSET() c")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"SMALLDATETIME", "TIME", "DATETIMEOFFSET"}
	for i, ct := range types {
		if ct.DatabaseTypeName() != want[i] {
			t.Errorf("column %s: type %s, want %s", ct.Name(), ct.DatabaseTypeName(), want[i])
		}
	}
}
