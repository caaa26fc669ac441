package capacity_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/pchatdr/harness/sim/mssql/capacity"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/engine/enginerec"
	"github.com/pchatdr/harness/sim/mssql/features"
)

// Free space as SQL Server reports and enforces it: sys.dm_os_volume_stats
// for a database file, RESTORE refused with 3257 (then 3013) when the
// files do not fit, BACKUP failing with 3202 (operating system error 112)
// on a full share, and xp_delete_file removing only backup media.
func TestVolumeStatsAndSpaceErrors(t *testing.T) {
	e := enginerec.NewShareEnv(t, features.Default())
	p := e.Start("PRIMARY")
	b := e.Start("BACKUP")
	ps, bs := enginerec.Login(t, p, "t"), enginerec.Login(t, b, "t")
	enginerec.OK(t, bs, "CREATE DATABASE mgc")
	enginerec.OK(t, ps, "CREATE DATABASE mgc")

	if err := capacity.SetDataVolumeFree(p, 5<<20); err != nil {
		t.Fatal(err)
	}
	if got := enginerec.Scalar(t, ps, "SELECT available_bytes FROM sys.dm_os_volume_stats(DB_ID(N'mgc'), 1) AS v"); got != strconv.Itoa(5<<20) {
		t.Fatalf("available_bytes %s, want %d", got, 5<<20)
	}
	if got := enginerec.Scalar(t, ps, "SELECT COUNT(*) FROM sys.dm_os_volume_stats(DB_ID(N'mgc'), 99) AS v"); got != "0" {
		t.Fatalf("a missing file has %s volume rows, want 0", got)
	}

	// The backup's data file grew to 64 MB: restoring it over the
	// primary's 8 MB file needs 56 MB more than the 5 MB free.
	if err := capacity.GrowFile(context.Background(), b, "mgc", 1, 64<<20); err != nil {
		t.Fatal(err)
	}
	enginerec.OK(t, bs, `BACKUP DATABASE mgc TO DISK = N'\\files\share\mgc.bak' WITH INIT`)
	enginerec.WantErr(t, ps, `RESTORE DATABASE mgc FROM DISK = N'\\files\share\mgc.bak' WITH REPLACE`, 3257, 3013)
	if err := capacity.SetDataVolumeFree(p, -1); err != nil {
		t.Fatal(err)
	}
	enginerec.OK(t, ps, `RESTORE DATABASE mgc FROM DISK = N'\\files\share\mgc.bak' WITH REPLACE`)

	// A full share: BACKUP fails with 112 before it writes a block.
	fs, err := b.Files()
	if err != nil {
		t.Fatal(err)
	}
	if err := fs.SetVolumeFree(`\\files\share`, 0); err != nil {
		t.Fatal(err)
	}
	enginerec.WantErr(t, bs, `BACKUP DATABASE mgc TO DISK = N'\\files\share\full.bak' WITH INIT`, 3202, 3013)
	if err := fs.SetVolumeFree(`\\files\share`, -1); err != nil {
		t.Fatal(err)
	}

	// xp_delete_file type 0 removes backup media and leaves other files.
	other := filepath.Join(e.Share, "notes.txt")
	if err := os.WriteFile(other, []byte("not a backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	enginerec.OK(t, bs, `EXECUTE master.sys.xp_delete_file 0, N'\\files\share\notes.txt'`)
	enginerec.OK(t, bs, `EXECUTE master.sys.xp_delete_file 0, N'\\files\share\mgc.bak'`)
	if _, err := os.Stat(other); err != nil {
		t.Fatalf("xp_delete_file removed a file that is not a backup: %v", err)
	}
	if _, err := os.Stat(filepath.Join(e.Share, "mgc.bak")); !os.IsNotExist(err) {
		t.Fatalf("the backup file is still there: %v", err)
	}
}

// The devices' throughput holds BACKUP to it: at 64 bytes a second a
// backup of a database with a few KB of rows cannot finish before the
// statement is cancelled, and the cancelled BACKUP does not succeed. (No
// speed is asserted: without pacing the backup ends long before the
// cancel on any machine.)
func TestDeviceThroughputPacesBackup(t *testing.T) {
	e := enginerec.NewShareEnv(t, features.Default())
	b := e.Start("BACKUP")
	s := enginerec.Login(t, b, "t")
	enginerec.OK(t, s, "CREATE DATABASE mgc")
	enginerec.OK(t, s, "CREATE TABLE mgc.dbo.msg (id INT PRIMARY KEY, body NVARCHAR(100))")
	for i := 0; i < 10; i++ {
		enginerec.OK(t, s, "INSERT mgc.dbo.msg SELECT "+strconv.Itoa(i)+", REPLICATE(N'x', 100)")
	}
	if err := capacity.SetDeviceThroughput(b, 64); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	r := &enginerec.Recorder{}
	err := s.Batch(ctx, `BACKUP DATABASE mgc TO DISK = N'\\files\share\slow.bak' WITH INIT`, r)
	if err == nil && len(r.Errors()) == 0 {
		t.Fatal("a BACKUP at 64 bytes a second finished before it was cancelled: the device is not paced")
	}
	if err := capacity.SetDeviceThroughput(b, 0); err != nil {
		t.Fatal(err)
	}
	s2 := enginerec.Login(t, b, "t2")
	enginerec.OK(t, s2, `BACKUP DATABASE mgc TO DISK = N'\\files\share\fast.bak' WITH INIT`)
}

// An instance built without the feature has no volume or device knobs:
// setting them is an error, not a silent no-op.
func TestKnobsNeedTheFeature(t *testing.T) {
	var fs []engine.Feature
	for _, f := range features.Default() {
		if f.Name != "capacity" {
			fs = append(fs, f)
		}
	}
	e := enginerec.NewShareEnv(t, fs)
	b := e.Start("BARE")
	if err := capacity.SetDataVolumeFree(b, 0); err == nil {
		t.Fatal("SetDataVolumeFree on an instance without the capacity feature succeeded")
	}
	if err := capacity.SetDeviceThroughput(b, 1); err == nil {
		t.Fatal("SetDeviceThroughput on an instance without the capacity feature succeeded")
	}
}
