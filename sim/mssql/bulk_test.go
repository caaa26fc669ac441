package mssql_test

import (
	"context"
	"testing"
	"time"

	mssqldb "github.com/microsoft/go-mssqldb"
)

// TestCopyIn: go-mssqldb's bulk copy (INSERT BULK, then the rows in a
// BULK_LOAD message) loads rows of several types into a table, inside one
// transaction: a row the table refuses loads none.
func TestCopyIn(t *testing.T) {
	srv := startServer(t, "")
	db := openDB(t, srv, "master")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, `CREATE TABLE dbo.bulk_t (id int NOT NULL PRIMARY KEY, name nvarchar(50) NULL, note varchar(max) NULL, amount decimal(10,2) NULL, at datetime2(3) NULL, blob varbinary(max) NULL, flag bit NULL)`); err != nil {
		t.Fatal(err)
	}
	load := func(rows [][]any) (int64, error) {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		defer tx.Rollback()
		stmt, err := tx.PrepareContext(ctx, mssqldb.CopyIn("dbo.bulk_t", mssqldb.BulkOptions{}, "id", "name", "note", "amount", "at", "blob", "flag"))
		if err != nil {
			return 0, err
		}
		for _, r := range rows {
			if _, err := stmt.ExecContext(ctx, r...); err != nil {
				return 0, err
			}
		}
		res, err := stmt.ExecContext(ctx)
		if err != nil {
			return 0, err
		}
		if err := stmt.Close(); err != nil {
			return 0, err
		}
		n, _ := res.RowsAffected()
		return n, tx.Commit()
	}
	at := time.Date(2024, 3, 5, 10, 20, 30, 123_000_000, time.UTC)
	n, err := load([][]any{
		{1, "héllo", "long text", "12.50", at, []byte{1, 2, 3}, true},
		{2, nil, nil, nil, nil, nil, nil},
	})
	if err != nil || n != 2 {
		t.Fatalf("copy in: %d rows, %v", n, err)
	}
	var name, note string
	var amount float64
	var blob []byte
	if err := db.QueryRowContext(ctx, "SELECT name, note, amount, blob FROM dbo.bulk_t WHERE id = 1").Scan(&name, &note, &amount, &blob); err != nil {
		t.Fatal(err)
	}
	if name != "héllo" || note != "long text" || amount != 12.5 || string(blob) != "\x01\x02\x03" {
		t.Errorf("row 1 came back %q %q %v %v", name, note, amount, blob)
	}
	// A duplicate key fails the load, and none of its rows stay.
	if _, err := load([][]any{{3, "x", nil, nil, nil, nil, nil}, {1, "dup", nil, nil, nil, nil, nil}}); err == nil {
		t.Error("a load with a duplicate key succeeded")
	}
	var count int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM dbo.bulk_t").Scan(&count); err != nil || count != 2 {
		t.Errorf("%d rows after the failed load, want 2 (%v)", count, err)
	}
	// A table that does not exist: 208, before any row is sent.
	tx, _ := db.BeginTx(ctx, nil)
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, mssqldb.CopyIn("dbo.nosuch", mssqldb.BulkOptions{}, "id"))
	if err == nil {
		_, err = stmt.ExecContext(ctx, 1)
		if err == nil {
			_, err = stmt.ExecContext(ctx)
		}
	}
	if err == nil {
		t.Error("copy into a missing table succeeded")
	}
}
