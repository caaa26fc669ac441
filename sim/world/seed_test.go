package world

import (
	"context"
	"fmt"
	"testing"

	"github.com/pchatdr/harness/failback/topology"
)

// TestSeedHistory: a history of the size asked for lands in the backup's
// mgc beside the scene's messages, in the chat tables' shape, and the
// ledger still finds every acknowledged message (history is not phantom
// in a non-strict check).
func TestSeedHistory(t *testing.T) {
	ctx := context.Background()
	w := startTestWorld(t, false)
	if err := w.FailOver(ctx, Scene{MessagesBefore: 5, MessagesDuring: 5, Shortcut: true}); err != nil {
		t.Fatal(err)
	}
	const size = 3 << 20
	got, err := w.SeedHistory(ctx, topology.RoleBackup, History{Bytes: size, Seed: 7, Channels: 50, Users: 300})
	if err != nil {
		t.Fatal(err)
	}
	if got.Bytes < size || got.Bytes > size+64<<10 || got.Messages < 1000 {
		t.Fatalf("seeded %+v, want about %d bytes in thousands of messages", got, size)
	}
	inst, _ := w.InstanceByRole(topology.RoleBackup)
	db, err := w.DB(inst, "mgc")
	if err != nil {
		t.Fatal(err)
	}
	var msgs, chans, users, minLen, maxLen int64
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*), COUNT(DISTINCT channelId), COUNT(DISTINCT userId), MIN(LEN(content)), MAX(LEN(content)) FROM dbo.tblChat").
		Scan(&msgs, &chans, &users, &minLen, &maxLen); err != nil {
		t.Fatal(err)
	}
	if msgs != got.Messages+10 || chans < 20 || users < 100 || minLen < 1 || maxLen < 1000 {
		t.Fatalf("tblChat: %d messages (%d seeded + 10), %d channels, %d users, text %d..%d characters", msgs, got.Messages, chans, users, minLen, maxLen)
	}
	var nodes, principals int64
	if err := db.QueryRowContext(ctx, "SELECT (SELECT COUNT(*) FROM dbo.tblNode), (SELECT COUNT(*) FROM dbo.tblPrincipal)").Scan(&nodes, &principals); err != nil {
		t.Fatal(err)
	}
	if nodes < 50 || principals < 300 {
		t.Fatalf("%d channels, %d users", nodes, principals)
	}
	r, err := w.Ledger.Check(ctx, db, true)
	if err != nil || !r.OK() || r.Acknowledged != 10 || r.HistoryWant != got.Messages {
		t.Fatalf("strict ledger check after seeding: %v %v", r, err)
	}
	// A copy restored from a full backup (the seeded rows are held as
	// compact segments on both sides, copied as stored bytes) has the
	// same rows: count, checksum, and the ledger's strict check.
	master, err := w.DB(inst, "master")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := master.ExecContext(ctx, `BACKUP DATABASE mgc TO DISK = 'C:\SQLBackup\seedcopy.bak' WITH INIT`); err != nil {
		t.Fatal(err)
	}
	if _, err := master.ExecContext(ctx, `RESTORE DATABASE mgccopy FROM DISK = 'C:\SQLBackup\seedcopy.bak' WITH MOVE 'mgc' TO '/var/opt/mssql/data/mgccopy.mdf', MOVE 'mgc_log' TO '/var/opt/mssql/data/mgccopy_log.ldf'`); err != nil {
		t.Fatal(err)
	}
	sum := func(dbName string) string {
		var n, c, l int64
		if err := master.QueryRowContext(ctx, "SELECT COUNT(*), CHECKSUM_AGG(CHECKSUM(*)), SUM(CAST(LEN(content) AS bigint)) FROM "+dbName+".dbo.tblChat").Scan(&n, &c, &l); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(n, " rows, checksum ", c, ", ", l, " characters")
	}
	if a, b := sum("mgc"), sum("mgccopy"); a != b {
		t.Fatalf("restored copy of mgc: %s, mgc: %s", b, a)
	}
	cp, err := w.DB(inst, "mgccopy")
	if err != nil {
		t.Fatal(err)
	}
	if r, err := w.Ledger.Check(ctx, cp, true); err != nil || !r.OK() || r.HistoryStored != got.Messages {
		t.Fatalf("strict ledger check on the restored copy: %v %v", r, err)
	}
	// A lost message of history is found by count.
	if _, err := db.ExecContext(ctx, "DELETE TOP (1) FROM dbo.tblChat WHERE chatDate < '2025-06-01'"); err != nil {
		t.Fatal(err)
	}
	if r, err := w.Ledger.Check(ctx, db, true); err != nil || r.OK() || r.HistoryStored != got.Messages-1 {
		t.Fatalf("ledger check with one history message gone: %v %v", r, err)
	}
	if _, err := w.SeedHistory(ctx, topology.RoleBackup, History{}); err == nil {
		t.Fatal("a history of 0 bytes accepted")
	}
}
