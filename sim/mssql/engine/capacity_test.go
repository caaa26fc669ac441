package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// Free space as SQL Server reports and enforces it: sys.dm_os_volume_stats
// for a database file, RESTORE refused with 3257 (then 3013) when the
// files do not fit, BACKUP failing with 3202 (operating system error 112)
// on a full share, and xp_delete_file removing only backup media.
func TestVolumeStatsAndSpaceErrors(t *testing.T) {
	e := newBkEnv(t)
	p := e.Start("PRIMARY")
	b := e.Start("BACKUP")
	ps, bs := login(t, p, "t"), login(t, b, "t")
	bkOK(t, bs, "CREATE DATABASE mgc")
	bkOK(t, ps, "CREATE DATABASE mgc")

	p.SetDataVolumeFree(5 << 20)
	if got := scalar(t, ps, "SELECT available_bytes FROM sys.dm_os_volume_stats(DB_ID(N'mgc'), 1) AS v"); got != strconv.Itoa(5<<20) {
		t.Fatalf("available_bytes %s, want %d", got, 5<<20)
	}
	if got := scalar(t, ps, "SELECT COUNT(*) FROM sys.dm_os_volume_stats(DB_ID(N'mgc'), 99) AS v"); got != "0" {
		t.Fatalf("a missing file has %s volume rows, want 0", got)
	}

	// The backup's data file grew to 64 MB: restoring it over the
	// primary's 8 MB file needs 56 MB more than the 5 MB free.
	if err := b.GrowFile(context.Background(), "mgc", 1, 64<<20); err != nil {
		t.Fatal(err)
	}
	bkOK(t, bs, `BACKUP DATABASE mgc TO DISK = N'\\files\share\mgc.bak' WITH INIT`)
	bkWantErr(t, ps, `RESTORE DATABASE mgc FROM DISK = N'\\files\share\mgc.bak' WITH REPLACE`, 3257, 3013)
	p.SetDataVolumeFree(-1)
	bkOK(t, ps, `RESTORE DATABASE mgc FROM DISK = N'\\files\share\mgc.bak' WITH REPLACE`)

	// A full share: BACKUP fails with 112 before it writes a block.
	fs, err := b.Files()
	if err != nil {
		t.Fatal(err)
	}
	if err := fs.SetVolumeFree(`\\files\share`, 0); err != nil {
		t.Fatal(err)
	}
	bkWantErr(t, bs, `BACKUP DATABASE mgc TO DISK = N'\\files\share\full.bak' WITH INIT`, 3202, 3013)
	if err := fs.SetVolumeFree(`\\files\share`, -1); err != nil {
		t.Fatal(err)
	}

	// xp_delete_file type 0 removes backup media and leaves other files.
	other := filepath.Join(e.Share, "notes.txt")
	if err := os.WriteFile(other, []byte("not a backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	bkOK(t, bs, `EXECUTE master.sys.xp_delete_file 0, N'\\files\share\notes.txt'`)
	bkOK(t, bs, `EXECUTE master.sys.xp_delete_file 0, N'\\files\share\mgc.bak'`)
	if _, err := os.Stat(other); err != nil {
		t.Fatalf("xp_delete_file removed a file that is not a backup: %v", err)
	}
	if _, err := os.Stat(filepath.Join(e.Share, "mgc.bak")); !os.IsNotExist(err) {
		t.Fatalf("the backup file is still there: %v", err)
	}
}

// sys.partitions gives row counts without reading rows; a SELECT over the
// table is counted against the session's program, the catalog read is not.
func TestPartitionsRowsWithoutReadingThem(t *testing.T) {
	e := newBkEnv(t)
	p := e.Start("PRIMARY")
	s := login(t, p, "t")
	bkOK(t, s, "CREATE DATABASE mgc")
	bkOK(t, s, "CREATE TABLE mgc.dbo.msg (id INT PRIMARY KEY, body NVARCHAR(100)); INSERT mgc.dbo.msg VALUES (1, N'a'), (2, N'b'), (3, N'c')")
	before := p.UserRowsRead("t")
	q := "SELECT SUM(p.rows) FROM mgc.sys.tables AS t JOIN mgc.sys.partitions AS p ON p.object_id = t.object_id WHERE p.index_id IN (0, 1)"
	if got := scalar(t, s, q); got != "3" {
		t.Fatalf("sys.partitions rows %s, want 3", got)
	}
	if n := p.UserRowsRead("t") - before; n != 0 {
		t.Fatalf("the catalog read counted %d user rows", n)
	}
	if got := scalar(t, s, "SELECT COUNT_BIG(*) FROM mgc.dbo.msg"); got != "3" {
		t.Fatalf("count %s", got)
	}
	if n := p.UserRowsRead("t") - before; n != 3 {
		t.Fatalf("a scan of 3 rows counted %d", n)
	}
}
