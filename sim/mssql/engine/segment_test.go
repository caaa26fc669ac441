package engine

import (
	"context"
	"fmt"
	"testing"
)

// segLiveOf is how many rows of db's schema.name are held in its segment.
func segLiveOf(t *testing.T, inst *Instance, db, name string) int {
	t.Helper()
	d := inst.DB(db)
	d.mu.RLock()
	defer d.mu.RUnlock()
	tb := d.tables[tableKey("dbo", name)]
	if tb == nil {
		t.Fatalf("no table %s.dbo.%s", db, name)
	}
	return tb.SegLive()
}

// TestSegmentRowsAreRows: rows a bulk load sealed into the table's compact
// segment are read, counted, checksummed, updated, deleted (with MVCC:
// another session sees the row until the delete commits; a rollback
// brings it back), checked for duplicate keys and recovered after a
// restart exactly like the same rows held as row versions (a twin table
// filled by INSERT ... SELECT, compared after every step).
func TestSegmentRowsAreRows(t *testing.T) {
	dir := t.TempDir()
	inst := openDir(t, dir, true)
	s := login(t, inst, "t")
	mustRun(t, s, "CREATE DATABASE mgc")
	const cols = "(chatId bigint IDENTITY(1,1) NOT NULL PRIMARY KEY, msgId int NOT NULL UNIQUE, content nvarchar(max) NOT NULL, chatDate datetime2 NOT NULL, note varbinary(20) NULL)"
	mustRun(t, s, "USE mgc; CREATE TABLE dbo.seg "+cols+"; CREATE TABLE dbo.twin "+cols)
	mustRun(t, s, "INSERT dbo.seg (msgId, content, chatDate) VALUES (-1, N'typed before the load', '2025-01-01')")
	n, err := loadMessages(s, "dbo.seg", 3000, 700)
	if err != nil || n != 3000 {
		t.Fatalf("BulkLoad: %d rows, %v", n, err)
	}
	if got := segLiveOf(t, inst, "mgc", "seg"); got != 3001 {
		t.Fatalf("%d rows in the segment after the load, want 3001 (the typed row and the loaded ones)", got)
	}
	mustRun(t, s, "SET IDENTITY_INSERT dbo.twin ON; INSERT dbo.twin (chatId, msgId, content, chatDate, note) SELECT chatId, msgId, content, chatDate, note FROM dbo.seg; SET IDENTITY_INSERT dbo.twin OFF")
	same := func(step string) {
		t.Helper()
		q := "SELECT COUNT(*), CHECKSUM_AGG(CHECKSUM(*)), SUM(CAST(LEN(content) AS bigint)), MAX(chatId), COUNT(note) FROM dbo."
		a, b := rowsOf(t, s, q+"seg"), rowsOf(t, s, q+"twin")
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Fatalf("%s: segment table %v, twin %v", step, a, b)
		}
		k := "SELECT chatId, msgId, content, note FROM dbo."
		if a, b := rowsOf(t, s, k+"seg WHERE msgId IN (-1, 7, 2999) ORDER BY chatId"), rowsOf(t, s, k+"twin WHERE msgId IN (-1, 7, 2999) ORDER BY chatId"); fmt.Sprint(a) != fmt.Sprint(b) {
			t.Fatalf("%s: rows %v, twin %v", step, a, b)
		}
	}
	same("after the load")
	wantRows(t, s, "SELECT COUNT(*) FROM dbo.seg", "3001")

	// Duplicate keys against segment rows: both unique indexes (done to
	// the twin too: a failed INSERT uses up an identity value).
	dups := func(step string, msgID, chatID int) {
		t.Helper()
		for _, tb := range []string{"seg", "twin"} {
			for _, q := range []string{
				"INSERT dbo.%[1]s (msgId, content, chatDate) VALUES (%[2]d, N'dup', '2025-01-01')",
				"SET IDENTITY_INSERT dbo.%[1]s ON; INSERT dbo.%[1]s (chatId, msgId, content, chatDate) VALUES (%[3]d, 200000, N'dup', '2025-01-01')",
			} {
				q = fmt.Sprintf(q, tb, msgID, chatID)
				r := run(t, s, q)
				if errs := r.errors(); len(errs) == 0 || errs[0].Number != 2627 {
					t.Fatalf("%s, %s: %v, want 2627", step, q, errs)
				}
			}
			mustRun(t, s, "SET IDENTITY_INSERT dbo."+tb+" OFF")
		}
	}
	dups("after the load", 42, 5)

	// Changes to segment rows, done to both tables.
	for _, q := range []string{
		"UPDATE dbo.%s SET content = N'edited' WHERE msgId BETWEEN 10 AND 20",
		"DELETE FROM dbo.%s WHERE msgId %% 100 = 0",
		"UPDATE dbo.%s SET msgId = msgId + 100000 WHERE msgId = 7",
		"INSERT dbo.%s (msgId, content, chatDate) VALUES (42000, N'new', '2026-01-01')",
	} {
		mustRun(t, s, fmt.Sprintf(q, "seg"))
		mustRun(t, s, fmt.Sprintf(q, "twin"))
	}
	same("after updates and deletes")
	// The key 7 is free again (the row moved to 100007): a new row takes it.
	mustRun(t, s, "INSERT dbo.seg (msgId, content, chatDate) VALUES (7, N'x', '2026-01-01'); INSERT dbo.twin (msgId, content, chatDate) VALUES (7, N'x', '2026-01-01')")
	same("after reusing a key")

	// MVCC: a delete in flight hides nothing from another session; a
	// rollback brings the row back; a commit removes it for everyone.
	o := login(t, inst, "other")
	defer o.Close()
	mustRun(t, o, "USE mgc")
	mustRun(t, s, "BEGIN TRAN; DELETE FROM dbo.seg WHERE msgId = 1501")
	wantRows(t, o, "SELECT COUNT(*) FROM dbo.seg WHERE msgId = 1501", "1")
	wantRows(t, s, "SELECT COUNT(*) FROM dbo.seg WHERE msgId = 1501", "0")
	mustRun(t, s, "ROLLBACK")
	same("after a rolled back delete")
	mustRun(t, s, "BEGIN TRAN; DELETE FROM dbo.seg WHERE msgId = 1502")
	mustRun(t, s, "COMMIT")
	wantRows(t, o, "SELECT COUNT(*) FROM dbo.seg WHERE msgId = 1502", "0")
	mustRun(t, s, "DELETE FROM dbo.twin WHERE msgId = 1502")
	same("after a committed delete")

	// Crash recovery (a checkpoint holds the segment's bytes as they are)
	// keeps them, and keeps them compact.
	s.Close()
	o.Close()
	if err := inst.Close(); err != nil {
		t.Fatal(err)
	}
	inst = openDir(t, dir, true)
	defer inst.Close()
	s = login(t, inst, "t")
	defer s.Close()
	mustRun(t, s, "USE mgc")
	same("after a restart")
	if got := segLiveOf(t, inst, "mgc", "seg"); got < 2900 {
		t.Fatalf("%d rows in the segment after recovery, want the table's rows", got)
	}
	// Recovery decoded the segment rows only as far as their keys and
	// identity (ReadRowPart): both unique keys still refuse a duplicate,
	// and the identity goes on where it was.
	dups("after the restart", 2999, 9)
	for _, tb := range []string{"seg", "twin"} {
		mustRun(t, s, "INSERT dbo."+tb+" (msgId, content, chatDate) VALUES (300000, N'after the restart', '2026-02-02')")
	}
	same("after inserting after the restart")

	// CREATE UNIQUE INDEX sees the segment rows (a duplicate refuses it),
	// then TRUNCATE empties the table.
	r := run(t, s, "CREATE UNIQUE INDEX ux_date ON dbo.seg (chatDate, msgId)")
	if errs := r.errors(); len(errs) != 0 {
		t.Fatalf("unique index on distinct keys: %v", errs)
	}
	r = run(t, s, "CREATE UNIQUE INDEX ux_content ON dbo.seg (content)")
	if errs := r.errors(); len(errs) == 0 || errs[0].Number != 1505 {
		t.Fatalf("unique index over duplicated texts: %v, want 1505", errs)
	}
	mustRun(t, s, "TRUNCATE TABLE dbo.seg")
	wantRows(t, s, "SELECT COUNT(*) FROM dbo.seg", "0")
}

// TestSealedVersionStillReachesItsRow: a statement that read a row version
// before a bulk load's seal moved the row into the segment still deletes
// that row (deleteRow promotes it back), exactly once.
func TestSealedVersionStillReachesItsRow(t *testing.T) {
	inst := openDir(t, t.TempDir(), true)
	defer inst.Close()
	s := login(t, inst, "t")
	defer s.Close()
	mustRun(t, s, "CREATE DATABASE mgc")
	mustRun(t, s, "USE mgc; CREATE TABLE dbo.m (id int PRIMARY KEY, body nvarchar(20) NOT NULL); INSERT dbo.m VALUES (1, N'a'), (2, N'b'), (3, N'c')")
	d := inst.DB("mgc")
	tb := d.tables[tableKey("dbo", "m")]
	vs := tb.Scan(nil)
	if len(vs) != 3 || vs[1].SegPos != 0 {
		t.Fatalf("before the seal: %d versions", len(vs))
	}
	d.mu.Lock()
	tb.Seal()
	d.mu.Unlock()
	if got := segLiveOf(t, inst, "mgc", "m"); got != 3 || vs[1].SegPos == 0 {
		t.Fatalf("after the seal: %d segment rows, version's segPos %d", got, vs[1].SegPos)
	}
	ctx := context.Background()
	for i, want := range []bool{true, false} {
		tx := newTx(s)
		ok, err := tb.Delete(tx, vs[1])
		if err != nil || ok != want {
			t.Fatalf("delete %d through the stale version: %v %v, want %v", i, ok, err, want)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	wantRows(t, s, "SELECT id, body FROM dbo.m ORDER BY id", "1|a", "3|c")
	mustRun(t, s, "INSERT dbo.m VALUES (2, N'again')")
	r := run(t, s, "INSERT dbo.m VALUES (3, N'dup')")
	if errs := r.errors(); len(errs) == 0 || errs[0].Number != 2627 {
		t.Fatalf("a key held by a segment row: %v, want 2627", errs)
	}
}
