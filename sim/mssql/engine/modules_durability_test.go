package engine

import "testing"

// TestModulesSurviveRestart: procedures and views are logged like tables:
// one from before a checkpoint (in the snapshot), one after it (in the
// log), an ALTER and a DROP, and one rolled back, which must not come back.
func TestModulesSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	inst := openDir(t, dir, true)
	s := login(t, inst, "t")
	mustRun(t, s, durableSetup)
	mustRun(t, s, "USE mgc")
	mustRun(t, s, "CREATE TABLE dbo.t (a int); INSERT t VALUES (1), (2)")
	mustRun(t, s, "CREATE PROC dbo.p1 AS SELECT COUNT(*) FROM dbo.t")
	mustRun(t, s, "CREATE VIEW dbo.v1 AS SELECT a FROM dbo.t WHERE a > 1")
	if err := inst.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	mustRun(t, s, "ALTER PROC dbo.p1 AS SELECT SUM(a) FROM dbo.t")
	mustRun(t, s, "CREATE PROC dbo.p2 @x int AS RETURN @x")
	mustRun(t, s, "CREATE PROC dbo.gone AS SELECT 1")
	mustRun(t, s, "DROP PROC dbo.gone")
	mustRun(t, s, "BEGIN TRAN")
	mustRun(t, s, "CREATE PROC dbo.rolled AS SELECT 1")
	mustRun(t, s, "ROLLBACK")
	if err := inst.Close(); err != nil {
		t.Fatal(err)
	}
	inst = openDir(t, dir, true)
	t.Cleanup(func() { inst.Close() })
	s = login(t, inst, "t")
	mustRun(t, s, "USE mgc")
	wantRows(t, s, "EXEC dbo.p1", "3")
	wantRows(t, s, "DECLARE @r int; EXEC @r = dbo.p2 7; SELECT @r", "7")
	wantRows(t, s, "SELECT a FROM dbo.v1", "2")
	wantRows(t, s, "SELECT name FROM sys.objects WHERE type IN ('P', 'V') ORDER BY name", "p1", "p2", "v1")
}
