package memory_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/memory"
	"github.com/pchatdr/harness/failback/sqlserver"
	"github.com/pchatdr/harness/failback/topology"
)

func failoverWorld(t *testing.T) *memory.World {
	return memory.NewFailoverWorld(world(t).Topo, memory.DefaultFailoverLogs)
}

// logs lists the log backups in a folder in LSN order (their names sort
// by time, and the model numbers them).
func logs(w *memory.World, dir string) []string {
	var out []string
	for _, n := range w.Files(dir) {
		if strings.HasSuffix(n, ".trn") {
			out = append(out, dir+`\`+n)
		}
	}
	return out
}

// The failover's operations refuse what SQL Server refuses.
func TestFailoverSQLServerRules(t *testing.T) {
	ctx := context.Background()
	share := `\\files.contoso.test\pchat-logship`
	copyDir := `D:\PChatLogShipCopy`
	restore := func(w *memory.World, path string) error {
		return w.SQL("sql-backup").RestoreLog(ctx, failback.LogRestoreSpec{Database: "mgc", Path: path})
	}
	cases := []struct {
		name string
		do   func(w *memory.World) error
		want []int32
	}{
		{"log already applied (4326)", func(w *memory.World) error { return restore(w, logs(w, copyDir)[0]) }, []int32{4326, 3013}},
		{"log after a gap (4305)", func(w *memory.World) error { return restore(w, logs(w, share)[4]) }, []int32{4305, 3013}},
		{"next log applies", func(w *memory.World) error { return restore(w, logs(w, copyDir)[3]) }, nil},
		{"log after RECOVERY (3117)", func(w *memory.World) error {
			if err := w.SQL("sql-backup").RecoverDatabase(ctx, "mgc"); err != nil {
				return err
			}
			return restore(w, logs(w, copyDir)[3])
		}, []int32{3117, 3013}},
		{"recover twice (3153)", func(w *memory.World) error {
			w.SQL("sql-backup").RecoverDatabase(ctx, "mgc")
			return w.SQL("sql-backup").RecoverDatabase(ctx, "mgc")
		}, []int32{3153, 3013}},
		{"recover with a session (3101)", func(w *memory.World) error {
			w.Lock(func(w *memory.World) { w.Instance("sql-backup").Databases["mgc"].Other = []failback.Session{{ID: 60}} })
			return w.SQL("sql-backup").RecoverDatabase(ctx, "mgc")
		}, []int32{3101, 3013}},
		{"restore log with a session (3101)", func(w *memory.World) error {
			w.Lock(func(w *memory.World) { w.Instance("sql-backup").Databases["mgc"].Other = []failback.Session{{ID: 60}} })
			return restore(w, logs(w, copyDir)[3])
		}, []int32{3101, 3013}},
		{"kill then recover", func(w *memory.World) error {
			w.Lock(func(w *memory.World) { w.Instance("sql-backup").Databases["mgc"].Other = []failback.Session{{ID: 60}} })
			if err := w.SQL("sql-backup").KillSession(ctx, 60); err != nil {
				return err
			}
			return w.SQL("sql-backup").RecoverDatabase(ctx, "mgc")
		}, nil},
		{"kill unknown session (6106)", func(w *memory.World) error { return w.SQL("sql-backup").KillSession(ctx, 99) }, []int32{6106}},
		{"recover a missing database (3118)", func(w *memory.World) error { return w.SQL("sql-backup").RecoverDatabase(ctx, "nope") }, []int32{3118, 3013}},
		{"restore log of another database family (4330)", func(w *memory.World) error {
			w.Lock(func(w *memory.World) { w.Instance("sql-backup").Databases["mgc"].Family = "other" })
			return restore(w, logs(w, copyDir)[3])
		}, []int32{4330, 3013}},
		{"restore log from a missing file (3201)", func(w *memory.World) error { return restore(w, copyDir+`\nope.trn`) }, []int32{3201, 3013}},
		{"remove the secondary twice (32014)", func(w *memory.World) error {
			w.SQL("sql-backup").RemoveLogShippingSecondary(ctx, "mgc")
			return w.SQL("sql-backup").RemoveLogShippingSecondary(ctx, "mgc")
		}, []int32{32014}},
		{"start the copy job after log shipping was removed (14262)", func(w *memory.World) error {
			w.SQL("sql-backup").RemoveLogShippingSecondary(ctx, "mgc")
			return w.SQL("sql-backup").StartJob(ctx, w.Topo.LogShipping.CopyJob)
		}, []int32{14262}},
	}
	for _, c := range cases {
		w := failoverWorld(t)
		err := c.do(w)
		got := sqlserver.SQLErrorNumbers(err)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: errors %v (%v), want %v", c.name, got, err, c.want)
		}
	}
}

func TestFailoverWorldAndJobs(t *testing.T) {
	ctx := context.Background()
	w := failoverWorld(t)
	b := w.SQL("sql-backup")
	rp, ok, err := b.RedoPoint(ctx, "mgc")
	if err != nil || !ok || rp.Type != "L" {
		t.Fatalf("redo point %+v %v %v", rp, ok, err)
	}
	if n := len(logs(w, `D:\PChatLogShipCopy`)); n != 4 {
		t.Errorf("%d logs copied, want 4", n)
	}
	if n := len(logs(w, `\\files.contoso.test\pchat-logship`)); n != 5 {
		t.Errorf("%d logs on the share, want 5", n)
	}
	// Removing the last secondary database removes the registration and
	// the copy and restore jobs (sp_delete_log_shipping_secondary_primary
	// runs inside it).
	if err := b.RemoveLogShippingSecondary(ctx, "mgc"); err != nil {
		t.Fatal(err)
	}
	cfg, _ := b.LogShipping(ctx)
	if len(cfg.Secondaries) != 0 || w.JobExists("sql-backup", w.Topo.LogShipping.CopyJob) || w.JobExists("sql-backup", w.Topo.LogShipping.RestoreJob) {
		t.Errorf("left after removal: %+v", cfg)
	}
	// A failed job run is in the history; sp_start_job succeeded.
	w2 := failoverWorld(t)
	w2.FailJob("sql-backup", w2.Topo.LogShipping.CopyJob, "denied")
	before, _ := w2.SQL("sql-backup").JobStatus(ctx, w2.Topo.LogShipping.CopyJob)
	if err := w2.SQL("sql-backup").StartJob(ctx, w2.Topo.LogShipping.CopyJob); err != nil {
		t.Fatal(err)
	}
	after, _ := w2.SQL("sql-backup").JobStatus(ctx, w2.Topo.LogShipping.CopyJob)
	if after.LastInstanceID <= before.LastInstanceID || after.LastStatus != failback.JobFailed || !strings.Contains(after.LastMessage, "The job failed.") {
		t.Errorf("job history %+v after %+v", after, before)
	}
	// The outcome row points at the step; the step row holds the error.
	steps, err := w2.SQL("sql-backup").JobSteps(ctx, w2.Topo.LogShipping.CopyJob, before.LastInstanceID, after.LastInstanceID)
	if err != nil || len(steps) != 1 || steps[0].Status != failback.JobFailed || steps[0].StepID != 1 || !strings.Contains(steps[0].Message, "denied") {
		t.Errorf("step rows of the failed run: %+v %v", steps, err)
	}
	if st, _ := w2.SQL("sql-backup").JobStatus(ctx, "nope"); st.Exists {
		t.Error("unknown job exists")
	}
	// xp_dirtree of a folder the instance cannot see lists nothing.
	if fs, err := b.ListFiles(ctx, `\\elsewhere\x`); err != nil || len(fs) != 0 {
		t.Errorf("ListFiles of an unknown folder: %v %v", fs, err)
	}
}

func TestInstallMirrorRules(t *testing.T) {
	ctx := context.Background()
	mi := failback.MirrorInstall{DatabaseType: lync.DatabasePersistentChat, SqlServerFqdn: "sqlbak.dc2.contoso.test", FileShare: `\\files.contoso.test\pchat-logship`}
	cases := []struct {
		name    string
		arrange func(w *memory.World)
		m       func(m failback.MirrorInstall) failback.MirrorInstall
		want    string
	}{
		{"restoring principal", nil, nil, "in the middle of a restore"},
		{"recovered principal", func(w *memory.World) { w.SQL("sql-backup").RecoverDatabase(ctx, "mgc") }, nil, ""},
		{"unknown store", nil, func(m failback.MirrorInstall) failback.MirrorInstall { m.SqlServerFqdn = "x.contoso.test"; return m }, "does not host"},
		{"mirror down", func(w *memory.World) {
			w.SQL("sql-backup").RecoverDatabase(ctx, "mgc")
			w.Lock(func(w *memory.World) { w.Instance("sql-backup-mirror").Down = true })
		}, nil, "can not be reached"},
		{"no mirror in the topology", func(w *memory.World) {
			w.SQL("sql-backup").RecoverDatabase(ctx, "mgc")
			for i, in := range w.Topo.Instances {
				if in.Role == topology.RoleBackupMirror {
					w.Topo.Instances = append(w.Topo.Instances[:i], w.Topo.Instances[i+1:]...)
					break
				}
			}
		}, nil, "No mirror SQL store"},
		{"simple recovery", func(w *memory.World) {
			w.SQL("sql-backup").RecoverDatabase(ctx, "mgc")
			w.Lock(func(w *memory.World) { w.Instance("sql-backup").Databases["mgc"].RecoveryModel = "SIMPLE" })
		}, nil, "FULL recovery"},
		{"bad share", nil, func(m failback.MirrorInstall) failback.MirrorInstall { m.FileShare = "C:\\x"; return m }, "not a UNC path"},
	}
	for _, c := range cases {
		w := failoverWorld(t)
		if c.arrange != nil {
			c.arrange(w)
		}
		m := mi
		if c.m != nil {
			m = c.m(m)
		}
		err := w.Env(failback.Options{}).Pool.InstallMirrorDatabase(ctx, m)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: err %v, want %q", c.name, err, c.want)
		}
		if c.want == "" {
			mir, _ := w.SQL("sql-backup").Mirroring(ctx, "mgc")
			if !mir.Mirrored || mir.Role != "PRINCIPAL" || !strings.Contains(mir.Partner, "sqlbakmir") {
				t.Errorf("%s: mirroring %+v", c.name, mir)
			}
		}
	}
}
