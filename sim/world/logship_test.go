package world

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sim/mssql/agent"
	"github.com/pchatdr/harness/topologies"
)

// TestLogBackupsAcrossTheSchedule runs the world's back-to-back log
// backups while the backup job's own 15-minute schedule fires (the
// Agent's clock starts 1.5 s before 10:00:00). Each must land in a file of
// its own, holding one backup set: a run in the same second as another
// would append to that run's file, which the copy job may already have
// taken (a gap in the secondary's log chain). The CI failure this guards
// against was a world run refused with 22022 by the scheduled run, and
// another appending to the scheduled run's file.
func TestLogBackupsAcrossTheSchedule(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the schedule")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	topo, err := topologies.Load("embedded.yaml")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	start := time.Date(now.Year(), now.Month(), now.Day(), 9, 59, 58, 500e6, now.Location())
	w, err := Start(ctx, Options{Topology: topo, Dir: t.TempDir(), AgentClock: agent.NewScaledClock(start, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	for _, role := range []topology.Role{topology.RolePrimary, topology.RoleBackup} {
		if err := w.InstallStores(ctx, role); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.ConfigureLogShipping(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := w.CatchUpLogShipping(ctx); err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
	}
	_, p, err := w.masterByRole(topology.RolePrimary)
	if err != nil {
		t.Fatal(err)
	}
	// The schedule must have fired in the meantime, or this test proves
	// nothing about it.
	var scheduled int
	if err := p.QueryRowContext(ctx, `SELECT COUNT(*) FROM msdb.dbo.sysjobhistory h JOIN msdb.dbo.sysjobs j ON j.job_id = h.job_id
		WHERE j.name = N'`+topo.LogShipping.BackupJob+`' AND h.step_id = 0 AND h.message LIKE N'%Schedule%'`).Scan(&scheduled); err != nil {
		t.Fatal(err)
	}
	if scheduled == 0 {
		t.Errorf("the backup job's schedule never ran it: the clock did not cross 10:00:00")
	}
	entries, err := os.ReadDir(w.ShareDir)
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".trn") {
			continue
		}
		files++
		sets := 0
		rows, err := p.QueryContext(ctx, "RESTORE HEADERONLY FROM DISK = N'"+topo.Share.UNC+`\`+e.Name()+"'")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			sets++
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		if sets != 1 {
			t.Errorf("%s holds %d backup sets, want 1", e.Name(), sets)
		}
	}
	if files < 3 {
		t.Errorf("%d log backup files on the share, want at least 3", files)
	}
}
