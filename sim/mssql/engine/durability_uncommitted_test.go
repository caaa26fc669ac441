package engine

import "testing"

// TestCheckpointWritesCommittedDefinitions: a checkpoint taken while a
// transaction has created an index and a procedure, and dropped a
// procedure, without committing, snapshots the committed definitions: the
// instance dies, recovery rolls the transaction back (SQL Server recovers
// every committed transaction and none other), so the index and the new
// procedure are gone and the dropped procedure is back.
func TestCheckpointWritesCommittedDefinitions(t *testing.T) {
	dir := t.TempDir()
	inst := openDir(t, dir, true)
	defer inst.Close()
	s := login(t, inst, "t")
	mustRun(t, s, "CREATE TABLE dbo.x (id INT IDENTITY PRIMARY KEY, v INT); INSERT dbo.x (v) VALUES (1)")
	mustRun(t, s, "CREATE PROCEDURE dbo.kept AS SELECT 1")
	mustRun(t, s, "CREATE PROCEDURE dbo.altered AS SELECT 1")
	mustRun(t, s, "BEGIN TRAN; CREATE INDEX ix_v ON dbo.x (v); DROP PROCEDURE dbo.kept")
	mustRun(t, s, "CREATE PROCEDURE dbo.uncommitted AS SELECT 2")
	mustRun(t, s, "EXEC('ALTER PROCEDURE dbo.altered AS SELECT 3')")
	if err := inst.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	s2 := login(t, crashOpen(t, dir), "t")
	wantRows(t, s2, "SELECT COUNT(*) FROM sys.indexes WHERE object_id = OBJECT_ID('dbo.x') AND name = 'ix_v'", "0")
	wantRows(t, s2, "SELECT name FROM sys.procedures ORDER BY name", "altered", "kept")
	wantRows(t, s2, "EXEC dbo.altered", "1")
}
