package backup_test

import (
	"fmt"
	"testing"
)

// SQL Server's documented log-shipping role switch ("Change Roles Between
// Primary and Secondary Log Shipping Servers", and "Tail-Log Backups"): a
// tail-log backup WITH NORECOVERY leaves the old primary RESTORING, where
// no session can write; the new primary restores full + tail, the tail
// WITH RECOVERY (a new recovery fork starts there); its log backups then
// apply to the old primary, which follows the new fork. Each refusal is
// SQL Server's: 3101 for a tail-log backup with a session in the
// database, 927 for a write to the fenced one, 4305/4326 for gaps and
// repeats, 4330 for a log of another recovery path, 3117 once recovered.
func TestTailLogRoleSwitch(t *testing.T) {
	e := newBkEnv(t)
	old := e.Start("BACKUP")
	np := e.Start("PRIMARY")
	os, ps := login(t, old, "t"), login(t, np, "t")
	bkOK(t, os, "CREATE DATABASE mgc")
	bkOK(t, os, "CREATE TABLE mgc.dbo.msg (id INT PRIMARY KEY)")
	bkOK(t, os, "INSERT mgc.dbo.msg VALUES (1)")
	bkOK(t, os, `BACKUP DATABASE mgc TO DISK = N'\\files\share\full.bak' WITH INIT, CHECKSUM`)
	bkOK(t, os, "INSERT mgc.dbo.msg VALUES (2)")

	// A session in the database: the tail-log backup needs it alone.
	user := login(t, old, "chat")
	bkOK(t, user, "USE mgc")
	bkWantErr(t, os, `BACKUP LOG mgc TO DISK = N'\\files\share\tail.trn' WITH INIT, NORECOVERY`, 3101, 3013)
	bkOK(t, user, "USE master")
	bkOK(t, os, `BACKUP LOG mgc TO DISK = N'\\files\share\tail.trn' WITH INIT, NORECOVERY`)
	if got := scalar(t, os, "SELECT state_desc FROM sys.databases WHERE name = N'mgc'"); got != "RESTORING" {
		t.Fatalf("after the tail-log backup the old primary is %s, want RESTORING", got)
	}
	bkWantErr(t, os, "INSERT mgc.dbo.msg VALUES (3)", 927)

	// The new primary: full WITH NORECOVERY, then the tail WITH RECOVERY.
	bkOK(t, ps, `RESTORE DATABASE mgc FROM DISK = N'\\files\share\full.bak' WITH NORECOVERY`)
	bkOK(t, ps, `RESTORE LOG mgc FROM DISK = N'\\files\share\tail.trn' WITH RECOVERY`)
	if got := scalar(t, ps, "SELECT COUNT(*) FROM mgc.dbo.msg"); got != "2" {
		t.Fatalf("new primary holds %s rows, want 2 (the tail's row too)", got)
	}
	var trn []string
	for i := 3; i <= 5; i++ {
		bkOK(t, ps, fmt.Sprintf("INSERT mgc.dbo.msg VALUES (%d)", i))
		f := fmt.Sprintf(`\\files\share\log%d.trn`, i)
		bkOK(t, ps, fmt.Sprintf("BACKUP LOG mgc TO DISK = N'%s' WITH INIT", f))
		trn = append(trn, f)
	}
	// The old primary is an initialised secondary: no full restore needed.
	// A later log, wholly on the new fork, does not apply before the one
	// that crosses the fork point: 4330 (its recovery path starts on a fork
	// the database is not on yet). The documentation does not say whether
	// SQL Server reports this gap as 4305 or 4330; both refuse it.
	bkWantErr(t, os, fmt.Sprintf("RESTORE LOG mgc FROM DISK = N'%s' WITH NORECOVERY", trn[1]), 4330, 3013)
	bkOK(t, os, fmt.Sprintf("RESTORE LOG mgc FROM DISK = N'%s' WITH NORECOVERY", trn[0]))
	bkWantErr(t, os, fmt.Sprintf("RESTORE LOG mgc FROM DISK = N'%s' WITH NORECOVERY", trn[0]), 4326, 3013)
	bkOK(t, os, fmt.Sprintf("RESTORE LOG mgc FROM DISK = N'%s' WITH NORECOVERY", trn[1]))
	bkOK(t, os, fmt.Sprintf("RESTORE LOG mgc FROM DISK = N'%s' WITH RECOVERY", trn[2]))
	if got := scalar(t, os, "SELECT COUNT(*) FROM mgc.dbo.msg"); got != "5" {
		t.Fatalf("old primary holds %s rows after the new primary's logs, want 5", got)
	}
	bkWantErr(t, os, fmt.Sprintf("RESTORE LOG mgc FROM DISK = N'%s' WITH NORECOVERY", trn[2]), 3117, 3013)
}

// An old primary brought online again after its tail-log backup (an
// operator restoring service) is on a recovery path of its own: the new
// primary's log no longer applies (4330 once it is restoring again, 3117
// while online), so nothing can be written over what it took since.
func TestTailLogFenceBrokenByRecovery(t *testing.T) {
	e := newBkEnv(t)
	old := e.Start("BACKUP")
	np := e.Start("PRIMARY")
	os, ps := login(t, old, "t"), login(t, np, "t")
	bkOK(t, os, "CREATE DATABASE mgc")
	bkOK(t, os, "CREATE TABLE mgc.dbo.msg (id INT PRIMARY KEY)")
	bkOK(t, os, `BACKUP DATABASE mgc TO DISK = N'\\files\share\full.bak' WITH INIT`)
	bkOK(t, os, `BACKUP LOG mgc TO DISK = N'\\files\share\tail.trn' WITH INIT, NORECOVERY`)
	bkOK(t, ps, `RESTORE DATABASE mgc FROM DISK = N'\\files\share\full.bak' WITH NORECOVERY`)
	bkOK(t, ps, `RESTORE LOG mgc FROM DISK = N'\\files\share\tail.trn' WITH RECOVERY`)
	bkOK(t, ps, "INSERT mgc.dbo.msg VALUES (1)")
	bkOK(t, ps, `BACKUP LOG mgc TO DISK = N'\\files\share\log1.trn' WITH INIT`)

	bkOK(t, os, "RESTORE DATABASE mgc WITH RECOVERY")
	bkOK(t, os, "INSERT mgc.dbo.msg VALUES (100)")
	bkWantErr(t, os, `RESTORE LOG mgc FROM DISK = N'\\files\share\log1.trn' WITH NORECOVERY`, 3117, 3013)
	bkOK(t, os, `BACKUP LOG mgc TO DISK = N'\\files\share\tail2.trn' WITH INIT, NORECOVERY`)
	bkWantErr(t, os, `RESTORE LOG mgc FROM DISK = N'\\files\share\log1.trn' WITH NORECOVERY`, 4330, 3013)
}
