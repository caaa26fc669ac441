package failback_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/memory"
)

// TestEachStepCheckApplyVerify walks the plan by hand: before its Apply a
// step's Check says not done, Apply and Verify succeed, and afterwards its
// Check says done.
func TestEachStepCheckApplyVerify(t *testing.T) {
	f := newFixture(t)
	env := f.newEnv()
	// Run through the runner once with zero steps to set the run id.
	if _, err := (&failback.Runner{Plan: &failback.Plan{Name: failback.PlanFailback}, Env: env}).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, s := range failback.FailbackPlan().Steps {
		done, why, err := s.Check(ctx, env)
		if err != nil || done {
			t.Fatalf("%s: check before apply: done=%v why=%q err=%v", s.Name, done, why, err)
		}
		if err := s.Apply(ctx, env); err != nil {
			t.Fatalf("%s: apply: %v", s.Name, err)
		}
		if err := s.Verify(ctx, env); err != nil {
			t.Fatalf("%s: verify: %v", s.Name, err)
		}
		done, why, err = s.Check(ctx, env)
		if err != nil || !done {
			t.Fatalf("%s: check after verify: done=%v why=%q err=%v", s.Name, done, why, err)
		}
	}
}

// Verify catches what Apply could not guarantee.
func TestVerifyFailures(t *testing.T) {
	ctx := context.Background()
	t.Run("backup mgc writable again after the fence", func(t *testing.T) {
		f := newFixture(t)
		env := f.newEnv()
		(&failback.Runner{Plan: &failback.Plan{Name: failback.PlanFailback}, Env: env}).Run(ctx)
		plan := failback.FailbackPlan()
		for _, s := range plan.Steps[:3] {
			if err := s.Apply(ctx, env); err != nil {
				t.Fatal(err)
			}
		}
		f.world.Lock(func(w *memory.World) {
			w.Instance("sql-backup").Databases["mgc"].State = "ONLINE"
		})
		_, s := plan.StepByName(failback.StepBackup)
		if err := s.Verify(ctx, env); err == nil || !strings.Contains(err.Error(), "writable again") {
			t.Fatalf("verify: %v, want the backup mgc found writable again", err)
		}
	})
	t.Run("restore refused with sessions (3101)", func(t *testing.T) {
		f := newFixture(t)
		f.world.Lock(func(w *memory.World) {
			w.Instance("sql-primary").Databases["mgc"].Other = []failback.Session{{ID: 60, Login: "admin", Program: "SSMS"}}
		})
		res, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv()}).Run(ctx)
		if err == nil || res.Failed != failback.StepRestore {
			t.Fatalf("outcome %s failed %s err %v", res.Outcome, res.Failed, err)
		}
	})
	t.Run("a job its schedule already started is waited for and started again", func(t *testing.T) {
		f := newFixture(t)
		running := memory.SQLError(22022, "SQLServerAgent Error: Request to run job LSBackup_mgc (from User sa) refused because the job is already running from a request by Schedule 1 (LSBackupSchedule_mgc).")
		f.world.FailNext("sql-primary", "StartJob", running, running)
		var notes []string
		sink := failback.SinkFunc(func(ev failback.Event) {
			if ev.Kind == failback.KindNote {
				notes = append(notes, ev.Message)
			}
		})
		res, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv(), Sinks: []failback.Sink{sink}}).Run(ctx)
		if err != nil || res.Outcome != failback.OutcomeOK {
			t.Fatalf("outcome %s failed %s err %v", res.Outcome, res.Failed, err)
		}
		waited := 0
		for _, n := range notes {
			if strings.Contains(n, "already running") && strings.Contains(n, "starting it again") {
				waited++
			}
		}
		if waited != 1 {
			t.Fatalf("want one note about waiting for the scheduled run, got %d in %q", waited, notes)
		}
	})
	t.Run("a job still running after the job timeout stops the step", func(t *testing.T) {
		f := newFixture(t)
		running := memory.SQLError(22022, "SQLServerAgent Error: Request to run job LSBackup_mgc (from User sa) refused because the job is already running from a request by Schedule 1 (LSBackupSchedule_mgc).")
		errs := make([]error, 200) // one per poll: longer than JobTimeout/PollInterval
		for i := range errs {
			errs[i] = running
		}
		f.world.FailNext("sql-primary", "StartJob", errs...)
		res, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv()}).Run(ctx)
		if err == nil || res.Failed != failback.StepLogShipping || !strings.Contains(err.Error(), "still running after") {
			t.Fatalf("outcome %s failed %s err %v", res.Outcome, res.Failed, err)
		}
	})
	t.Run("log shipping job does not restore", func(t *testing.T) {
		f := newFixture(t)
		f.world.FailNext("sql-backup", "StartJob", nil, memory.SQLError(22022, "SQLServerAgent is not currently running so it cannot be notified of this action."))
		res, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv()}).Run(ctx)
		if err == nil || res.Failed != failback.StepLogShipping {
			t.Fatalf("outcome %s failed %s err %v", res.Outcome, res.Failed, err)
		}
	})
}

func TestDryRunChangesNothing(t *testing.T) {
	f := newFixture(t)
	rec := &recorder{}
	res, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv(), Sinks: []failback.Sink{rec}}).DryRun(context.Background())
	if err != nil || res.Outcome != failback.OutcomeOK {
		t.Fatalf("plan: %s %v", res.Outcome, err)
	}
	if n := len(f.world.Calls()); n != 0 {
		t.Fatalf("plan made %d changes", n)
	}
	would := map[string]int{}
	for _, e := range rec.kind(failback.KindSent) {
		if e.Attrs["change"] == "true" {
			would[e.Step]++
		}
	}
	for _, s := range failback.FailbackPlan().Steps {
		if would[s.Name] == 0 {
			t.Errorf("plan lists nothing for step %s", s.Name)
		}
	}
	// Where the engine departs from Microsoft's step text, the plan says so.
	notes := map[string]bool{}
	for _, e := range rec.kind(failback.KindNote) {
		notes[e.Message] = true
	}
	for _, d := range []string{failback.DeviationFence, failback.DeviationSecondary} {
		if !notes[d] {
			t.Errorf("the plan does not say %q", d[:50])
		}
	}
}

// TestPlanSaysReadBackIsBestEffort: no Microsoft page documents where the
// active-server list can be read back, so the plan says its checks of it
// are best-effort (issue 15).
func TestPlanSaysReadBackIsBestEffort(t *testing.T) {
	f := newFixture(t)
	rec := &recorder{}
	if _, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv(), Sinks: []failback.Sink{rec}}).DryRun(context.Background()); err != nil {
		t.Fatal(err)
	}
	starts := rec.kind(failback.KindRunStart)
	if len(starts) != 1 || !strings.Contains(starts[0].Message, "active-server read-back is best-effort") {
		t.Fatalf("plan start %+v does not say the active-server read-back is best-effort", starts)
	}
}
