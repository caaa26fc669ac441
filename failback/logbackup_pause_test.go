package failback_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/memory"
)

// primaryJobEnabled reads the topology's log-shipping backup job on the
// primary.
func primaryJobEnabled(t *testing.T, f *fixture) bool {
	t.Helper()
	st, err := f.world.SQL("sql-primary").JobStatus(context.Background(), f.topo.LogShipping.BackupJob)
	if err != nil || !st.Exists {
		t.Fatalf("job %s on sql-primary: exists %v, %v", f.topo.LogShipping.BackupJob, st.Exists, err)
	}
	return st.Enabled
}

// The plan shows step 8's extra actions in the order they run: the
// primary's log-shipping backup job disabled, the cmdlet, the job enabled
// again.
func TestPlanShowsLogBackupsPausedAroundMirrorInstall(t *testing.T) {
	f := newFixture(t)
	rec := &recorder{}
	if _, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv(), Sinks: []failback.Sink{rec}}).DryRun(context.Background()); err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, e := range rec.kind(failback.KindSent) {
		if e.Step == failback.StepMirrorPrimary && e.Attrs["change"] == "true" {
			texts = append(texts, e.Text)
		}
	}
	job := f.topo.LogShipping.BackupJob
	want := []string{failback.SetJobEnabledSQL(job, false), "Install-CsMirrorDatabase", failback.SetJobEnabledSQL(job, true)}
	i := 0
	for _, s := range texts {
		if i < len(want) && strings.Contains(s, want[i]) {
			i++
		}
	}
	if i < len(want) {
		t.Fatalf("step %s plans %q, want in order %q", failback.StepMirrorPrimary, texts, want)
	}
}

// A run of the job in progress when step 8 disables it is waited for
// before the cmdlet: disabling stops the schedule, not the run.
func TestMirrorInstallWaitsForRunningLogBackup(t *testing.T) {
	f := newFixture(t)
	job := f.topo.LogShipping.BackupJob
	f.world.BusyJob("sql-primary", job, 3)
	rec := &recorder{}
	if _, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv(), Sinks: []failback.Sink{rec}}).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, e := range rec.kind(failback.KindSent) {
		switch {
		case e.Step != failback.StepMirrorPrimary:
		case strings.Contains(e.Text, failback.SetJobEnabledSQL(job, false)):
			order = append(order, "disable")
		case strings.Contains(e.Text, failback.JobActivitySQL(job)):
			order = append(order, "activity")
		case strings.Contains(e.Text, "Install-CsMirrorDatabase"):
			order = append(order, "install")
		}
	}
	if got, want := strings.Join(order, ","), "disable,activity,activity,activity,activity,install"; !strings.HasPrefix(got, want) || strings.Count(got, "activity") != 4 {
		t.Errorf("step %s sent %s, want %s... (three reads find the run, the fourth finds the job idle; then the cmdlet for each database)", failback.StepMirrorPrimary, got, want)
	}
}

// A step 8 that fails, whether in the cmdlet or in enabling the job again,
// leaves the job enabled, or (when enabling failed) the resumed run
// enables it although the primary is mirrored by then.
func TestLogBackupsEnabledAgainWhenStep8Fails(t *testing.T) {
	t.Run("the cmdlet fails", func(t *testing.T) {
		f := newFixture(t)
		f.world.FailNext("pool", "InstallMirrorDatabase", errors.New("memory: the mirror's disk is full"))
		res, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv()}).Run(context.Background())
		if err == nil || res.Failed != failback.StepMirrorPrimary {
			t.Fatalf("run: outcome %s failed %s err %v, want a failure at %s", res.Outcome, res.Failed, err, failback.StepMirrorPrimary)
		}
		if !primaryJobEnabled(t, f) {
			t.Error("the log-shipping backup job stayed disabled after step 8 failed")
		}
	})
	t.Run("enabling the job fails, the resumed run enables it", func(t *testing.T) {
		f := newFixture(t)
		f.world.FailNext("sql-primary", "SetJobEnabled", nil, errors.New("memory: msdb is read-only"))
		path := filepath.Join(t.TempDir(), "j.jsonl")
		j, err := failback.OpenJournal(path)
		if err != nil {
			t.Fatal(err)
		}
		res, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv(), Journal: j}).Run(context.Background())
		j.Close()
		if err == nil || res.Failed != failback.StepMirrorPrimary || !strings.Contains(err.Error(), "enable the log-shipping backup job") {
			t.Fatalf("run: outcome %s failed %s err %v, want step %s failing to enable the job again", res.Outcome, res.Failed, err, failback.StepMirrorPrimary)
		}
		if primaryJobEnabled(t, f) {
			t.Fatal("the job is enabled although enabling it failed")
		}
		var mirrored bool
		f.world.Lock(func(w *memory.World) { mirrored = w.Instance("sql-primary").Databases["mgc"].Mirror.Mirrored })
		if !mirrored {
			t.Fatal("the primary mgc is not mirrored: the case under test is a mirrored primary with the job disabled")
		}
		prev, _, err := failback.ReadJournalFile(path)
		if err != nil {
			t.Fatal(err)
		}
		res, err = (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv(), Previous: prev}).Run(context.Background())
		if err != nil || res.Outcome != failback.OutcomeOK {
			t.Fatalf("resume: outcome %s failed %s err %v", res.Outcome, res.Failed, err)
		}
		if !primaryJobEnabled(t, f) {
			t.Error("the resumed run left the log-shipping backup job disabled")
		}
	})
	t.Run("a job disabled before the run stays disabled", func(t *testing.T) {
		f := newFixture(t)
		job := f.topo.LogShipping.BackupJob
		disable := failback.SinkFunc(func(e failback.Event) {
			if e.Kind == failback.KindStepEnd && e.Step == failback.StepPoolNormal {
				if err := f.world.SQL("sql-primary").SetJobEnabled(context.Background(), job, false); err != nil {
					t.Error(err)
				}
			}
		})
		if _, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv(), Sinks: []failback.Sink{disable}}).Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if primaryJobEnabled(t, f) {
			t.Error("the engine enabled a job an operator had disabled")
		}
	})
}
