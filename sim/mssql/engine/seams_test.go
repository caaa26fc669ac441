package engine

import (
	"context"
	"sync"
	"testing"
)

func TestSeamsBackupRestoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	inst := openDir(t, dir, true)
	s := login(t, inst, "t")
	mustRun(t, s, durableSetup)
	mustRun(t, s, durableTable)
	mustRun(t, s, "CREATE UNIQUE INDEX ux_body ON msgs (body)")
	db := inst.DB("mgc")
	var mu sync.Mutex
	var shipped [][]byte
	db.SetCommitHook(func(lsn uint64, p []byte) {
		mu.Lock()
		shipped = append(shipped, append([]byte(nil), p...))
		mu.Unlock()
	})
	lsn, state := db.CommittedState()
	if lsn == 0 || len(state) == 0 {
		t.Fatalf("state at %d: %d bytes", lsn, len(state))
	}
	m := db.Meta()
	m.ID, m.Name = 0, "mgc_copy"
	if _, err := inst.ReplaceDatabase(context.Background(), m, state); err != nil {
		t.Fatal(err)
	}
	// Changes after the "backup" reach the copy through the commit hook,
	// as mirroring would ship them.
	mustRun(t, s, "INSERT msgs (body) VALUES (N'three'); DELETE FROM msgs WHERE body = N'two'")
	mu.Lock()
	recs := shipped
	mu.Unlock()
	if err := inst.DB("mgc_copy").ApplyRecords(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	wantRows(t, s, "SELECT body FROM mgc_copy.dbo.msgs ORDER BY id", "one", "three")
	if err := inst.Close(); err != nil {
		t.Fatal(err)
	}
	inst = openDir(t, dir, true)
	defer inst.Close()
	s = login(t, inst, "t")
	wantRows(t, s, "SELECT body FROM mgc_copy.dbo.msgs ORDER BY id", "one", "three")
	// The unique index survived the restart and the copy.
	r := run(t, s, "INSERT mgc.dbo.msgs (body) VALUES (N'one')")
	if got := r.errNums(); len(got) != 1 || got[0] != 2601 {
		t.Fatalf("index after restart: %v", got)
	}
	r = run(t, s, "INSERT mgc_copy.dbo.msgs (body) VALUES (N'one')")
	if got := r.errNums(); len(got) != 1 || got[0] != 2601 {
		t.Fatalf("index in copy: %v", got)
	}
}

func TestCheckpointKeepsTableDroppedByOpenTransaction(t *testing.T) {
	dir := t.TempDir()
	inst := openDir(t, dir, false)
	s := login(t, inst, "t")
	mustRun(t, s, "CREATE TABLE keep (a INT); INSERT keep VALUES (1)")
	mustRun(t, s, "BEGIN TRAN; DROP TABLE keep")
	if err := inst.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	crash := t.TempDir()
	copyDir(t, dir, crash)
	inst.Close()
	inst2 := openDir(t, crash, false)
	defer inst2.Close()
	s2 := login(t, inst2, "t")
	wantRows(t, s2, "SELECT a FROM keep", "1")
}

func TestFeatureStartCreatesMsdbTable(t *testing.T) {
	probe := Feature{Name: "probe", Start: func(inst *Instance) error {
		s, err := inst.SystemSession("msdb")
		if err != nil {
			return err
		}
		defer s.Close()
		r := &recorder{}
		if err := s.Batch(context.Background(), "IF OBJECT_ID('dbo.hook_probe') IS NULL CREATE TABLE dbo.hook_probe (backup_set_id INT IDENTITY PRIMARY KEY, database_name NVARCHAR(128))", r); err != nil {
			return err
		}
		if e := r.errors(); len(e) > 0 {
			return e[0]
		}
		return nil
	}}
	dir := t.TempDir()
	for i := 0; i < 2; i++ {
		inst, err := newInstance(Config{Name: "SIMSQL01", DataDir: dir, SAPassword: "Pa55w.rd!", NoSync: true,
			Features: append(testFeatures(), probe)})
		if err != nil {
			t.Fatal(err)
		}
		s := login(t, inst, "t")
		mustRun(t, s, "INSERT msdb.dbo.hook_probe (database_name) VALUES (N'mgc')")
		wantRows(t, s, "SELECT COUNT(*) FROM sys.dm_exec_sessions", "1")
		if i == 1 {
			wantRows(t, s, "SELECT COUNT(*) FROM msdb.dbo.hook_probe", "2")
		}
		if err := inst.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
