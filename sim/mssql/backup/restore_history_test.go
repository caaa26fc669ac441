package backup_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pchatdr/harness/sim/mssql/hostfs"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/features"
)

// slowLink is a share's network on which every transfer takes an hour of
// the instance's clock.
type slowLink struct {
	mu  sync.Mutex
	now time.Time
}

func (l *slowLink) clock() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.now
}

func (l *slowLink) Pace(context.Context, int) error {
	l.mu.Lock()
	l.now = l.now.Add(time.Hour)
	l.mu.Unlock()
	return nil
}

// PaceAhead is Pace (every transfer takes its hour before it returns, a
// window or not); the bytes have crossed by the time it returns.
func (l *slowLink) PaceAhead(ctx context.Context, n, _ int) (time.Time, error) {
	err := l.Pace(ctx, n)
	return l.clock(), err
}

func (l *slowLink) WaitUntil(context.Context, time.Time) error { return nil }

func (l *slowLink) RoundTrip(context.Context) error { return nil }

// TestRestoreHistoryDates: msdb.dbo.restorehistory.restore_date is the
// start of the restore ("Date and time of the start of the restore
// operation", SQL Server docs), so a forecast can pair it with the
// restored set's size; backupset's start and finish bracket the backup.
func TestRestoreHistoryDates(t *testing.T) {
	link := &slowLink{now: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	dir, share := t.TempDir(), t.TempDir()
	cdrive := filepath.Join(dir, "c")
	if err := os.MkdirAll(cdrive, 0o755); err != nil {
		t.Fatal(err)
	}
	inst, err := engine.New(engine.Config{Name: "SIMSQL01", DataDir: filepath.Join(dir, "data"), SAPassword: "Pa55w.rd!", NoSync: true, Clock: link.clock,
		Files: &hostfs.Config{
			Mounts: []hostfs.Mount{{Prefix: `C:\`, Host: cdrive}, {Prefix: `\\files\share`, Host: share, Pacer: link}},
			Rules:  []hostfs.Rule{{Account: "*", Prefix: `C:\`, Access: hostfs.ReadWrite}, {Account: "*", Prefix: `\\files\share`, Access: hostfs.ReadWrite}},
		},
		Features: features.Default()})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	s := login(t, inst, "t")
	mustRun(t, s, "CREATE DATABASE mgc")
	mustRun(t, s, "CREATE TABLE mgc.dbo.t (v nvarchar(max)); INSERT mgc.dbo.t VALUES (REPLICATE(N'x', 100000))")
	backupStart := link.clock()
	mustRun(t, s, `BACKUP DATABASE mgc TO DISK = '\\files\share\mgc.bak' WITH INIT`)
	restoreStart := link.clock()
	mustRun(t, s, `RESTORE DATABASE mgc2 FROM DISK = '\\files\share\mgc.bak' WITH MOVE 'mgc' TO 'C:\mgc2.mdf', MOVE 'mgc_log' TO 'C:\mgc2.ldf'`)
	if !link.clock().After(restoreStart) {
		t.Fatal("the restore did not take any time on the instance's clock: the test proves nothing")
	}
	wantRows(t, s, "SELECT CONVERT(varchar(19), restore_date, 120) FROM msdb.dbo.restorehistory WHERE destination_database_name = 'mgc2'",
		restoreStart.Format("2006-01-02 15:04:05"))
	wantRows(t, s, "SELECT TOP (1) CONVERT(varchar(19), backup_start_date, 120), CASE WHEN backup_finish_date > backup_start_date THEN 'later' ELSE 'not later' END FROM msdb.dbo.backupset WHERE database_name = 'mgc' ORDER BY backup_set_id",
		backupStart.Format("2006-01-02 15:04:05")+"|later")
}
