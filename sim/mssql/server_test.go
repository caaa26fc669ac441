package mssql_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	mssqldb "github.com/microsoft/go-mssqldb"
)

func TestLoginFailed(t *testing.T) {
	srv := startServer(t, "")
	db := openDBAs(t, srv, "sa", "wrong-password", "master")
	err := db.PingContext(context.Background())
	if err == nil || !strings.Contains(err.Error(), "Login failed for user 'sa'.") {
		t.Fatalf("ping with a wrong password: %v, want login failed", err)
	}
	if strings.Contains(err.Error(), "wrong-password") {
		t.Fatalf("login error shows the password: %v", err)
	}
}

func TestLoginToMissingDatabase(t *testing.T) {
	srv := startServer(t, "")
	db := openDB(t, srv, "nosuchdb")
	if err := db.PingContext(context.Background()); err == nil {
		t.Fatal("login to a missing database succeeded")
	}
}

// A KILL closes the victim's connection, as on SQL Server: the failback
// procedure relies on it (failover step 4, kill sessions in mgc).
func TestKillClosesVictimConnection(t *testing.T) {
	ctx := context.Background()
	srv := startServer(t, "")
	victim, err := openDB(t, srv, "master").Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer victim.Close()
	var spid int
	if err := victim.QueryRowContext(ctx, "SELECT @@SPID").Scan(&spid); err != nil {
		t.Fatal(err)
	}
	killer := openDB(t, srv, "master")
	if _, err := killer.ExecContext(ctx, fmt.Sprintf("KILL %d", spid)); err != nil {
		t.Fatalf("kill %d: %v", spid, err)
	}
	var n int
	err = victim.QueryRowContext(ctx, "SELECT 1").Scan(&n)
	if err == nil {
		t.Fatal("killed session still answers")
	}
	var live int
	if err := killer.QueryRowContext(ctx, "SELECT COUNT(*) FROM sys.dm_exec_sessions WHERE session_id = @p1", spid).Scan(&live); err != nil || live != 0 {
		t.Fatalf("killed session still listed: %d, %v", live, err)
	}
}

// A cancelled context sends ATTENTION; the simulator stops the statement
// and the connection stays usable.
func TestAttentionCancelsWaitfor(t *testing.T) {
	srv := startServer(t, "")
	db := openDB(t, srv, "master")
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := db.ExecContext(ctx, "WAITFOR DELAY '00:00:30'")
	if err == nil {
		t.Fatal("WAITFOR was not cancelled")
	}
	// Under the WAITFOR's 30 s proves the cancel interrupted it (not a speed check).
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("cancel took %v", d)
	}
	var n int
	if err := db.QueryRowContext(context.Background(), "SELECT 5").Scan(&n); err != nil || n != 5 {
		t.Fatalf("after cancel: %d, %v", n, err)
	}
}

func TestErrorCarriesNumberStateClassLine(t *testing.T) {
	srv := startServer(t, "")
	db := openDB(t, srv, "master")
	_, err := db.ExecContext(context.Background(), "SELECT 1;\nSELECT 2;\nSELECT * FROM nosuch")
	var me mssqldb.Error
	if !errors.As(err, &me) {
		t.Fatalf("error %v is not an mssql.Error", err)
	}
	if me.Number != 208 || me.Class != 16 || me.LineNo != 3 || me.ServerName != "SIMSQL" {
		t.Fatalf("got number %d class %d line %d server %q, want 208 16 3 SIMSQL", me.Number, me.Class, me.LineNo, me.ServerName)
	}
	if me.Message != "Invalid object name 'nosuch'." {
		t.Fatalf("message %q", me.Message)
	}
}

func TestRestartKeepsCommittedRows(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	srv := startServer(t, dir)
	db := openDB(t, srv, "master")
	for _, q := range []string{
		"CREATE DATABASE mgc",
		"CREATE TABLE mgc.dbo.tblChat (id int IDENTITY PRIMARY KEY, body nvarchar(100) NOT NULL)",
		"INSERT mgc.dbo.tblChat (body) VALUES (N'one'), (N'two')",
		"BEGIN TRAN; INSERT mgc.dbo.tblChat (body) VALUES (N'never committed')",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	srv2 := startServer(t, dir)
	db2 := openDB(t, srv2, "mgc")
	rows, err := db2.QueryContext(ctx, "SELECT id, body FROM tblChat ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id int
		var body string
		if err := rows.Scan(&id, &body); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d:%s", id, body))
	}
	if strings.Join(got, ",") != "1:one,2:two" {
		t.Fatalf("after restart: %v", got)
	}
	// The identity continues after the highest committed value.
	var id int
	if err := db2.QueryRowContext(ctx, "INSERT tblChat (body) VALUES (N'three'); SELECT CAST(SCOPE_IDENTITY() AS int)").Scan(&id); err != nil || id < 3 {
		t.Fatalf("identity after restart: %d, %v", id, err)
	}
}
