package backup_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/hostfs"

	"github.com/pchatdr/harness/sim/mssql/engine"
)

func TestBackupRestoreLogChain(t *testing.T) {
	e := newBkEnv(t)
	p := e.Start("PRIMARY")
	b := e.Start("BACKUP")
	ps, bs := login(t, p, "t"), login(t, b, "t")
	bkOK(t, ps, "CREATE DATABASE mgc; ")
	bkOK(t, ps, "CREATE TABLE mgc.dbo.msg (id INT PRIMARY KEY, body NVARCHAR(100)); INSERT mgc.dbo.msg VALUES (1, N'one')")
	bkWantErr(t, ps, `BACKUP LOG mgc TO DISK = N'\\files\share\early.trn'`, 4214, 3013)
	_, infos, _ := bkExec(t, ps, `BACKUP DATABASE mgc TO DISK = N'\\files\share\mgc.bak' WITH INIT, STATS = 50, NAME = N'full'`)
	if !strings.Contains(strings.Join(infos, "|"), "50 percent processed.") || !strings.HasPrefix(infos[len(infos)-1], "BACKUP DATABASE successfully processed ") {
		t.Fatalf("backup messages: %q", infos)
	}
	var trn []string
	for i := 2; i <= 4; i++ {
		bkOK(t, ps, fmt.Sprintf("INSERT mgc.dbo.msg VALUES (%d, N'row %d')", i, i))
		f := fmt.Sprintf(`\\files\share\mgc_%d.trn`, i)
		bkOK(t, ps, fmt.Sprintf("BACKUP LOG mgc TO DISK = N'%s' WITH INIT", f))
		trn = append(trn, f)
	}
	// HEADERONLY: LSNs chain (each FirstLSN is the previous LastLSN).
	var prevLast string
	for i, f := range trn {
		r := bkOK(t, bs, fmt.Sprintf("RESTORE HEADERONLY FROM DISK = N'%s'", f))
		row := r.Last().Rows[0]
		first, last := fmt.Sprint(row[13]), fmt.Sprint(row[14])
		if len(first) < 17 || !strings.HasPrefix(first, "34") {
			t.Fatalf("FirstLSN %q is not a numeric(25,0) VLF/block/slot LSN", first)
		}
		if i > 0 && first != prevLast {
			t.Fatalf("log backup %d FirstLSN %s != previous LastLSN %s", i, first, prevLast)
		}
		prevLast = last
	}
	bkOK(t, bs, `RESTORE DATABASE mgc FROM DISK = N'\\files\share\mgc.bak' WITH NORECOVERY`)
	bkWantErr(t, bs, "SELECT * FROM mgc.dbo.msg", 927)
	bkWantErr(t, bs, fmt.Sprintf("RESTORE LOG mgc FROM DISK = N'%s' WITH NORECOVERY", trn[1]), 4305, 3013)
	bkOK(t, bs, fmt.Sprintf("RESTORE LOG mgc FROM DISK = N'%s' WITH NORECOVERY", trn[0]))
	bkWantErr(t, bs, fmt.Sprintf("RESTORE LOG mgc FROM DISK = N'%s' WITH NORECOVERY", trn[0]), 4326, 3013)
	// The secondary survives a restart in the middle of the sequence.
	e.Stop("BACKUP")
	b = e.Start("BACKUP")
	bs = login(t, b, "t")
	bkOK(t, bs, fmt.Sprintf("RESTORE LOG mgc FROM DISK = N'%s' WITH NORECOVERY", trn[1]))
	bkOK(t, bs, fmt.Sprintf("RESTORE LOG mgc FROM DISK = N'%s' WITH RECOVERY", trn[2]))
	if got := scalar(t, bs, "SELECT COUNT(*) FROM mgc.dbo.msg"); got != "4" {
		t.Fatalf("rows after restore: %s", got)
	}
	bkWantErr(t, bs, fmt.Sprintf("RESTORE LOG mgc FROM DISK = N'%s'", trn[2]), 3117, 3013)
	// History on both sides.
	if got := scalar(t, ps, "SELECT COUNT(*) FROM msdb.dbo.backupset WHERE database_name = N'mgc'"); got != "4" {
		t.Fatalf("backupset rows: %s", got)
	}
	if got := scalar(t, bs, "SELECT COUNT(*) FROM msdb.dbo.restorehistory WHERE destination_database_name = N'mgc'"); got != "4" {
		t.Fatalf("restorehistory rows: %s", got)
	}
	if got := scalar(t, ps, "SELECT TOP 1 physical_device_name FROM msdb.dbo.backupmediafamily f JOIN msdb.dbo.backupset s ON s.media_set_id = f.media_set_id WHERE s.type = 'D'"); got != `\\files\share\mgc.bak` {
		t.Fatalf("physical_device_name: %s", got)
	}
}

func TestRestoreRefusals(t *testing.T) {
	e := newBkEnv(t)
	p := e.Start("PRIMARY")
	ps := login(t, p, "t")
	bkOK(t, ps, "CREATE DATABASE mgc; CREATE DATABASE other")
	bkOK(t, ps, "CREATE TABLE mgc.dbo.t (a INT); INSERT mgc.dbo.t VALUES (1)")
	bkOK(t, ps, `BACKUP DATABASE mgc TO DISK = N'C:\mgc.bak'`)
	bkOK(t, ps, `BACKUP DATABASE other TO DISK = N'C:\other.bak'`)
	other := login(t, p, "other")
	bkOK(t, other, "USE mgc")
	tests := []struct {
		name string
		sql  string
		want []int32
	}{
		{"in use by another session", `RESTORE DATABASE mgc FROM DISK = N'C:\mgc.bak' WITH REPLACE`, []int32{3101, 3013}},
		{"different family", `RESTORE DATABASE other FROM DISK = N'C:\mgc.bak'`, []int32{3154, 3013}},
		{"missing file", `RESTORE DATABASE x FROM DISK = N'C:\nope.bak'`, []int32{3201, 3013}},
		{"missing folder", `RESTORE HEADERONLY FROM DISK = N'C:\nodir\nope.bak'`, []int32{3201, 3013}},
		{"no such position", `RESTORE DATABASE x FROM DISK = N'C:\mgc.bak' WITH FILE = 2`, []int32{4038, 3013}},
		{"log from a full", `RESTORE LOG other FROM DISK = N'C:\mgc.bak'`, []int32{3135, 3013}},
		{"checksum absent", `RESTORE VERIFYONLY FROM DISK = N'C:\mgc.bak' WITH CHECKSUM`, []int32{3187, 3013}},
		{"bad move", `RESTORE DATABASE x FROM DISK = N'C:\mgc.bak' WITH MOVE 'nope' TO '/x.mdf'`, []int32{3234, 3013}},
		{"file in use", `RESTORE DATABASE x FROM DISK = N'C:\mgc.bak'`, []int32{1834, 3156, 3013}},
		{"in a transaction", `BEGIN TRAN; BACKUP DATABASE mgc TO DISK = N'C:\x.bak'; ROLLBACK`, []int32{3021, 3013}},
		{"log under simple", `ALTER DATABASE other SET RECOVERY SIMPLE; BACKUP LOG other TO DISK = N'C:\o.trn'`, []int32{4208, 3013}},
		{"recover an online db", `RESTORE DATABASE mgc WITH RECOVERY`, []int32{3101, 3013}},
		{"recover other online", `RESTORE DATABASE other WITH RECOVERY`, []int32{3153, 3013}},
		{"not media", `RESTORE HEADERONLY FROM DISK = N'C:\junk.bak'`, []int32{3241, 3013}},
	}
	if err := os.WriteFile(filepath.Join(e.Dirs["PRIMARY"], "c", "junk.bak"), []byte("not a backup at all, just text"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { bkWantErr(t, ps, tt.sql, tt.want...) })
	}
	// 3102: the restoring session itself uses the database.
	bkOK(t, other, "USE master")
	bkOK(t, ps, "USE mgc")
	bkWantErr(t, ps, `RESTORE DATABASE mgc FROM DISK = N'C:\mgc.bak' WITH REPLACE`, 3102, 3013)
	bkOK(t, ps, "USE master")
	// 3159: same family, tail not backed up; REPLACE overrides it.
	bkOK(t, ps, "INSERT mgc.dbo.t VALUES (2)")
	bkWantErr(t, ps, `RESTORE DATABASE mgc FROM DISK = N'C:\mgc.bak'`, 3159, 3013)
	bkOK(t, ps, `BACKUP LOG mgc TO DISK = N'C:\tail.trn' WITH NORECOVERY`)
	if got := scalar(t, ps, "SELECT state_desc FROM sys.databases WHERE name = 'mgc'"); got != "RESTORING" {
		t.Fatalf("after tail-log backup: %s", got)
	}
	bkOK(t, ps, `RESTORE DATABASE mgc FROM DISK = N'C:\mgc.bak' WITH NORECOVERY`)
	bkOK(t, ps, `RESTORE LOG mgc FROM DISK = N'C:\tail.trn'`)
	if got := scalar(t, ps, "SELECT COUNT(*) FROM mgc.dbo.t"); got != "2" {
		t.Fatalf("rows after tail restore: %s", got)
	}
	// REPLACE overrides the family check: restore other's backup over mgc.
	bkOK(t, ps, `RESTORE DATABASE mgc FROM DISK = N'C:\other.bak' WITH REPLACE, MOVE 'other' TO '/var/opt/mssql/data/mgc2.mdf', MOVE 'other_log' TO '/var/opt/mssql/data/mgc2_log.ldf'`)
}

func TestBackupAccessAndVerify(t *testing.T) {
	e := newBkEnv(t)
	p := e.Start("PRIMARY",
		hostfs.Rule{Account: "*", Prefix: `C:\`, Access: hostfs.ReadWrite},
		hostfs.Rule{Account: `CONTOSO\sqlsvc`, Prefix: `\\files\share`, Access: hostfs.Read})
	ps := login(t, p, "t")
	bkOK(t, ps, "CREATE DATABASE mgc; CREATE TABLE mgc.dbo.t (a INT); INSERT mgc.dbo.t VALUES (1)")
	errs, _, r := bkExec(t, ps, `BACKUP DATABASE mgc TO DISK = N'\\files\share\mgc.bak'`)
	if fmt.Sprint(errs) != "[3201 3013]" || !strings.Contains(r.Errors()[0].Message, "Operating system error 5(Access is denied.).") {
		t.Fatalf("backup to read-only share: %v %v", errs, r.Errors())
	}
	if got := r.Errors()[1].Message; got != "BACKUP DATABASE is terminating abnormally." {
		t.Fatalf("3013 text: %q", got)
	}
	bkOK(t, ps, `BACKUP DATABASE mgc TO DISK = N'C:\mgc.bak' WITH CHECKSUM`)
	bkOK(t, ps, `BACKUP DATABASE mgc TO DISK = N'C:\mgc.bak' WITH NOINIT, COMPRESSION`)
	if got := len(bkOK(t, ps, `RESTORE HEADERONLY FROM DISK = N'C:\mgc.bak'`).Last().Rows); got != 2 {
		t.Fatalf("NOINIT: %d sets", got)
	}
	_, infos, _ := bkExec(t, ps, `RESTORE VERIFYONLY FROM DISK = N'C:\mgc.bak' WITH FILE = 2`)
	if len(infos) != 1 || infos[0] != "The backup set on file 2 is valid." {
		t.Fatalf("verify: %q", infos)
	}
	bkOK(t, ps, `BACKUP DATABASE mgc TO DISK = N'C:\mgc.bak' WITH INIT`)
	if got := len(bkOK(t, ps, `RESTORE HEADERONLY FROM DISK = N'C:\mgc.bak'`).Last().Rows); got != 1 {
		t.Fatalf("INIT: %d sets", got)
	}
	if got := len(bkOK(t, ps, `RESTORE FILELISTONLY FROM DISK = N'C:\mgc.bak'`).Last().Rows); got != 2 {
		t.Fatalf("FILELISTONLY: %d files", got)
	}
	// Damage in the payload is detected; a cut-off file fails VERIFYONLY.
	host := filepath.Join(e.Dirs["PRIMARY"], "c", "mgc.bak")
	data, err := os.ReadFile(host)
	if err != nil {
		t.Fatal(err)
	}
	bad := append([]byte(nil), data...)
	bad[len(bad)-200] ^= 0xff
	if err := os.WriteFile(filepath.Join(e.Dirs["PRIMARY"], "c", "bad.bak"), bad, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.Dirs["PRIMARY"], "c", "cut.bak"), data[:len(data)*2/3], 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"bad.bak", "cut.bak"} {
		errs, _, _ := bkExec(t, ps, `RESTORE VERIFYONLY FROM DISK = N'C:\`+f+`'`)
		if len(errs) != 2 || errs[1] != 3013 {
			t.Fatalf("VERIFYONLY of %s: %v", f, errs)
		}
		errs, _, _ = bkExec(t, ps, `RESTORE DATABASE copy FROM DISK = N'C:\`+f+`' WITH MOVE 'mgc' TO '/c.mdf', MOVE 'mgc_log' TO '/c.ldf'`)
		if len(errs) < 2 || errs[len(errs)-1] != 3013 {
			t.Fatalf("RESTORE of %s: %v", f, errs)
		}
	}
	// File procedures answer as the service account.
	if got := fmt.Sprint(bkOK(t, ps, `EXEC master.dbo.xp_fileexist N'C:\mgc.bak'`).Last().Rows[0]); got != "[1 0 1]" {
		t.Fatalf("xp_fileexist: %s", got)
	}
	if got := fmt.Sprint(bkOK(t, ps, `SELECT file_exists, file_is_a_directory, parent_directory_exists FROM sys.dm_os_file_exists(N'C:\')`).Last().Rows[0]); got != "[false true true]" {
		t.Fatalf("dm_os_file_exists: %s", got)
	}
	// Its columns are exposed under the call's alias.
	if got := scalar(t, ps, `SELECT f.file_is_a_directory FROM sys.dm_os_file_exists(N'C:\a') AS f`); got != "false" {
		t.Fatalf("dm_os_file_exists AS f: %s", got)
	}
	bkOK(t, ps, `EXEC master.dbo.xp_create_subdir N'C:\a\b'`)
	if got := len(bkOK(t, ps, `EXEC master.sys.xp_dirtree N'C:\', 0, 1`).Last().Rows); got < 5 {
		t.Fatalf("xp_dirtree rows: %d", got)
	}
	bkWantErr(t, ps, `EXEC master.dbo.xp_create_subdir N'\\files\share\sub'`, 22048)
}

func TestLogRetainedUntilLogBackup(t *testing.T) {
	e := newBkEnv(t)
	p := e.Start("PRIMARY")
	ps := login(t, p, "t")
	bkOK(t, ps, "CREATE DATABASE mgc; CREATE TABLE mgc.dbo.t (a INT)")
	bkOK(t, ps, `BACKUP DATABASE mgc TO DISK = N'C:\mgc.bak'`)
	for round := 0; round < 3; round++ {
		for i := 0; i < 40; i++ {
			bkOK(t, ps, fmt.Sprintf("INSERT mgc.dbo.t VALUES (%d)", i))
		}
		if err := p.Checkpoint(); err != nil {
			t.Fatal(err)
		}
	}
	// Segments are small only in storage tests; here a checkpoint must not
	// have removed what the log backup needs.
	bkOK(t, ps, `BACKUP LOG mgc TO DISK = N'C:\mgc.trn'`)
	ctx := context.Background()
	n := 0
	if err := p.DB("mgc").ReadLogRecords(0, func(engine.LogRecord) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n < 120 {
		t.Fatalf("log holds %d records", n)
	}
	_ = ctx
}

// TestFailedRestoreLeavesRestoring checks crash safety of RESTORE: a restore
// that fails halfway (damaged media) leaves the database RESTORING and
// empty, before and after a restart, and a good restore then succeeds.
func TestFailedRestoreLeavesRestoring(t *testing.T) {
	e := newBkEnv(t)
	p := e.Start("PRIMARY")
	ps := login(t, p, "t")
	bkOK(t, ps, "CREATE DATABASE mgc; CREATE TABLE mgc.dbo.t (a INT, b NVARCHAR(4000))")
	for i := 0; i < 200; i++ {
		bkOK(t, ps, fmt.Sprintf("INSERT mgc.dbo.t VALUES (%d, REPLICATE(N'x', 3000))", i))
	}
	bkOK(t, ps, `BACKUP DATABASE mgc TO DISK = N'C:\mgc.bak'`)
	host := filepath.Join(e.Dirs["PRIMARY"], "c", "mgc.bak")
	data, err := os.ReadFile(host)
	if err != nil {
		t.Fatal(err)
	}
	bad := append([]byte(nil), data...)
	bad[len(bad)/2] ^= 0x55
	if err := os.WriteFile(filepath.Join(e.Dirs["PRIMARY"], "c", "bad.bak"), bad, 0o644); err != nil {
		t.Fatal(err)
	}
	errs, _, _ := bkExec(t, ps, `RESTORE DATABASE mgc FROM DISK = N'C:\bad.bak' WITH REPLACE`)
	if len(errs) != 2 || errs[0] != 3189 || errs[1] != 3013 {
		t.Fatalf("restore of damaged media: %v", errs)
	}
	for round := 0; round < 2; round++ {
		if got := scalar(t, ps, "SELECT state_desc FROM sys.databases WHERE name = 'mgc'"); got != "RESTORING" {
			t.Fatalf("round %d: state %s", round, got)
		}
		bkWantErr(t, ps, "SELECT COUNT(*) FROM mgc.dbo.t", 927)
		if round == 0 {
			e.Stop("PRIMARY")
			p = e.Start("PRIMARY")
			ps = login(t, p, "t")
		}
	}
	bkOK(t, ps, `RESTORE DATABASE mgc FROM DISK = N'C:\mgc.bak'`)
	if got := scalar(t, ps, "SELECT COUNT(*) FROM mgc.dbo.t"); got != "200" {
		t.Fatalf("rows after good restore: %s", got)
	}
}
