package mutants

import (
	"context"

	"github.com/pchatdr/harness/failback"
)

// Issue 17's defect found at scale: step 8 ran Install-CsMirrorDatabase
// while the primary's log-shipping backup job (configured by step 5) kept
// running on its schedule. A log backup between the cmdlet's full and log
// backups breaks the mirror's RESTORE LOG (4305).
func issue17() []Mutant {
	return []Mutant{
		{Name: "mirror-with-log-backups-running", Description: "step 8 runs Install-CsMirrorDatabase with the primary's log-shipping backup job left enabled (its sp_update_job @enabled = 0 dropped): a scheduled log backup between the cmdlet's full and log backups breaks the mirror's restore (4305)",
			Plan: mirrorWithLogBackupsRunning},
	}
}

// mirrorWithLogBackupsRunning runs step 8's real Apply with a primary that
// silently drops every request to disable a job.
func mirrorWithLogBackupsRunning() *failback.Plan {
	p := failback.FailbackPlan()
	s := &p.Steps[mustStep(p, failback.StepMirrorPrimary)]
	apply := s.Apply
	s.Apply = func(ctx context.Context, e *failback.Env) error {
		return apply(ctx, withSQL(e, func(x *failback.Env) { x.Primary = keepJobsEnabled{x.Primary} }))
	}
	return p
}

// keepJobsEnabled sends sp_update_job @enabled = 1 and drops @enabled = 0.
type keepJobsEnabled struct{ failback.SQL }

func (k keepJobsEnabled) SetJobEnabled(ctx context.Context, job string, enabled bool) error {
	if !enabled {
		return nil
	}
	return k.SQL.SetJobEnabled(ctx, job, enabled)
}
