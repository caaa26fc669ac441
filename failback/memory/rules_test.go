package memory_test

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/memory"
	"github.com/pchatdr/harness/failback/sqlserver"
	"github.com/pchatdr/harness/failback/topology"
)

func world(t *testing.T) *memory.World {
	_, f, _, _ := runtime.Caller(0)
	topo, err := topology.Load(filepath.Join(filepath.Dir(f), "..", "..", "topologies", "embedded.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return memory.NewWorld(topo)
}

// The model refuses what SQL Server refuses, with the same numbers.
func TestSQLServerRules(t *testing.T) {
	ctx := context.Background()
	share := `\\files.contoso.test\pchat-logship`
	cases := []struct {
		name string
		do   func(w *memory.World) error
		want []int32
	}{
		{"unmirror twice (1416)", func(w *memory.World) error {
			w.SQL("sql-backup").RemoveMirroring(ctx, "mgc")
			return w.SQL("sql-backup").RemoveMirroring(ctx, "mgc")
		}, []int32{1416, 5069}},
		{"backup of a mirror (954)", func(w *memory.World) error {
			_, err := w.SQL("sql-backup-mirror").BackupDatabase(ctx, failback.BackupSpec{Database: "mgc", Path: share + `\m.bak`, Name: "n"})
			return err
		}, []int32{954, 3013}},
		{"backup to an unknown folder (3201)", func(w *memory.World) error {
			_, err := w.SQL("sql-backup").BackupDatabase(ctx, failback.BackupSpec{Database: "mgc", Path: `\\nowhere\x\m.bak`, Name: "n"})
			return err
		}, []int32{3201, 3013}},
		{"restore over a mirrored database (3104)", func(w *memory.World) error {
			w.SQL("sql-primary").BackupDatabase(ctx, failback.BackupSpec{Database: "mgc", Path: share + `\p.bak`, Name: "n"})
			return w.SQL("sql-backup").RestoreDatabase(ctx, failback.RestoreSpec{Database: "mgc", Path: share + `\p.bak`, File: 1, Replace: true})
		}, []int32{3104, 3013}},
		{"restore with chat sessions (3101)", func(w *memory.World) error {
			w.SQL("sql-backup").RemoveMirroring(ctx, "mgc")
			w.SQL("sql-primary").BackupDatabase(ctx, failback.BackupSpec{Database: "mgc", Path: share + `\p.bak`, Name: "n"})
			return w.SQL("sql-backup").RestoreDatabase(ctx, failback.RestoreSpec{Database: "mgc", Path: share + `\p.bak`, File: 1, Replace: true})
		}, []int32{3101, 3013}},
		{"restore without REPLACE (3154)", func(w *memory.World) error {
			w.SQL("sql-backup").BackupDatabase(ctx, failback.BackupSpec{Database: "mgc", Path: share + `\b.bak`, Name: "n"})
			return w.SQL("sql-primary").RestoreDatabase(ctx, failback.RestoreSpec{Database: "mgc", Path: share + `\b.bak`, File: 1, Recovery: true})
		}, []int32{3154, 3013}},
		{"unknown job (14262)", func(w *memory.World) error { return w.SQL("sql-primary").StartJob(ctx, "nope") }, []int32{14262}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.do(world(t))
			got := sqlserver.SQLErrorNumbers(err)
			if len(got) != len(c.want) {
				t.Fatalf("error numbers %v (%v), want %v", got, err, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("error numbers %v, want %v", got, c.want)
				}
			}
		})
	}
}

func TestChatSessionsFollowThePool(t *testing.T) {
	w := world(t)
	if n := w.SessionsNow("sql-backup", "mgc"); n != 2 {
		t.Fatalf("%d sessions on the backup mgc while failed over, want 2", n)
	}
	if err := w.Env(failback.Options{}).Pool.ClearActiveServers(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := w.SessionsNow("sql-backup", "mgc"); n != 0 {
		t.Fatalf("%d sessions after clearing the active list", n)
	}
}
