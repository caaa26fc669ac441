package failback

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Step 8 and the primary's log-shipping backup job. Install-CsMirrorDatabase
// prepares the mirror as SQL Server's "Prepare a Mirror Database for
// Mirroring" does: a full backup of the principal's mgc, then a log backup,
// both restored WITH NORECOVERY on the primary-mirror. By step 8 the
// primary is a log-shipping primary of mgc (step 5), and its backup job
// runs on its schedule, every few minutes; a production mgc's full backup
// lasts minutes. A log-shipping log backup taken between the cmdlet's two
// backups moves the log chain on: the cmdlet's log backup then begins
// after its full backup's end, and the mirror's RESTORE LOG fails with
// 4305 (seen at 10 GiB in the simulator; the cmdlet restores only its own
// two backups, so the engine cannot supply the ones in between). SQL
// Server's page advises exactly this: "If a log backup job is scheduled to
// run very frequently on the principal database, you might have to disable
// the backup job until mirroring has started", and afterwards "If you
// disabled the backup job on the principal database, reenable the job".
//
// So step 8 disables the job (sp_update_job @enabled = 0), waits until no
// run of it is in progress (sp_help_job's current_execution_status), runs
// the cmdlet, and enables the job again however the step ends: done,
// failed or cancelled. It does not start the job itself to flush the log
// first: a run in the same second as the previous log backup (step 5's
// verification ran one moments before) appends to that file, whose second
// backup set the log-shipping restore job never reads. A run killed in between leaves
// the journalled fact FactPausedLogBackupJob; the resumed run's step 8
// Check reads it and the job's state, and is not done while the job this
// run disabled is still disabled. The pause costs the disaster-recovery
// copy at most the cmdlet's duration of log backups; the job's next
// scheduled run catches up.

// FactPausedLogBackupJob names the primary's log-shipping backup job step
// 8 disabled; "" once it is enabled again.
const FactPausedLogBackupJob = "paused_log_backup_job"

// logBackupResumeTimeout bounds enabling the job again after the step's
// own context ended (a cancelled run still enables it).
const logBackupResumeTimeout = time.Minute

// primaryLogBackupJob is the backup job of the primary's log-shipping
// configuration of mgc; ok is false when the primary ships no log of mgc.
func (e *Env) primaryLogBackupJob(ctx context.Context) (job string, ok bool, err error) {
	cfg, err := e.Primary.LogShipping(ctx)
	if err != nil {
		return "", false, err
	}
	for _, p := range cfg.Primaries {
		if strings.EqualFold(p.Database, DBContent) && p.BackupJob != "" {
			return p.BackupJob, true, nil
		}
	}
	return "", false, nil
}

// logBackupsPaused reports whether this run disabled the primary's
// log-shipping backup job and it is still disabled (a run stopped inside
// step 8 before enabling it again).
func (e *Env) logBackupsPaused(ctx context.Context) (bool, string, error) {
	job, _ := e.Fact(FactPausedLogBackupJob)
	if job == "" {
		return false, "", nil
	}
	st, err := e.Primary.JobStatus(ctx, job)
	if err != nil || !st.Exists || st.Enabled {
		return false, "", err
	}
	return true, fmt.Sprintf("the log-shipping backup job %s on %s is still disabled by this run's step %s: it is enabled again once mirroring has started", job, e.Primary.Instance(), StepMirrorPrimary), nil
}

// pauseLogBackups disables the primary's log-shipping backup job of mgc and
// waits until no run of it is in progress; resume enables it again (on a
// context of its own when ctx has ended). A job an operator disabled before
// the run is left alone, and so is a primary that ships no log.
func (e *Env) pauseLogBackups(ctx context.Context) (resume func() error, err error) {
	resume = func() error { return nil }
	job, ok, err := e.primaryLogBackupJob(ctx)
	if err != nil {
		return resume, err
	}
	if !ok {
		if !e.planning {
			e.Note("the primary " + e.Primary.Instance() + " ships no log of mgc: no log-shipping backup job to pause during Install-CsMirrorDatabase")
			return resume, nil
		}
		job = e.Topo.LogShipping.BackupJob // step 5 of this plan creates it
	}
	st, err := e.Primary.JobStatus(ctx, job)
	if err != nil {
		return resume, err
	}
	if owned, _ := e.Fact(FactPausedLogBackupJob); st.Exists && !st.Enabled && owned != job {
		e.Note(fmt.Sprintf("the log-shipping backup job %s on %s was disabled before this run: left disabled", job, e.Primary.Instance()))
		return resume, nil
	}
	// The fact first: a run killed right after the change still knows
	// the job is its to enable again.
	e.SetFact(FactPausedLogBackupJob, job)
	if err := e.Primary.SetJobEnabled(ctx, job, false); err != nil {
		return resume, fmt.Errorf("disable the log-shipping backup job %s on %s until mirroring has started: %w", job, e.Primary.Instance(), err)
	}
	resume = func() error { return e.resumeLogBackups(ctx) }
	e.Note(fmt.Sprintf("disabled the log-shipping backup job %s on %s until mirroring has started: a log backup between Install-CsMirrorDatabase's full and log backups would break the mirror's restore (4305)", job, e.Primary.Instance()))
	if err := e.waitLogBackupIdle(ctx, job); err != nil {
		return func() error { return nil }, joinResume(err, resume)
	}
	return resume, nil
}

// resumeLogBackups enables again the job this run disabled (the fact
// FactPausedLogBackupJob) if it is still disabled, on a context of its own
// when ctx has ended: a failed or cancelled step 8 enables it too.
func (e *Env) resumeLogBackups(ctx context.Context) error {
	job, _ := e.Fact(FactPausedLogBackupJob)
	if job == "" {
		return nil
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), logBackupResumeTimeout)
	defer cancel()
	if !e.planning {
		st, err := e.Primary.JobStatus(rctx, job)
		if err != nil {
			return fmt.Errorf("enable the log-shipping backup job %s on %s again: %w", job, e.Primary.Instance(), err)
		}
		if st.Exists && st.Enabled {
			e.SetFact(FactPausedLogBackupJob, "")
			return nil
		}
	}
	if err := e.Primary.SetJobEnabled(rctx, job, true); err != nil {
		return fmt.Errorf("enable the log-shipping backup job %s on %s again: %w", job, e.Primary.Instance(), err)
	}
	e.SetFact(FactPausedLogBackupJob, "")
	e.Note(fmt.Sprintf("enabled the log-shipping backup job %s on %s again", job, e.Primary.Instance()))
	return nil
}

// waitLogBackupIdle waits, bounded by Options.JobTimeout, until the Agent
// runs the (now disabled) job no more: disabling stops its schedule from
// starting it, not a run already in progress, whose log backup could
// still end after the cmdlet's full backup. A plan does not wait.
func (e *Env) waitLogBackupIdle(ctx context.Context, job string) error {
	if e.planning {
		return nil
	}
	return e.waitFor(ctx, e.Options.JobTimeout, "the run of "+job+" in progress on "+e.Primary.Instance()+" to end before mirroring", func(ctx context.Context) (bool, string, error) {
		running, err := e.Primary.JobRunning(ctx, job)
		return !running && err == nil, "the job is running", err
	})
}

// joinResume is err with resume's error, if any.
func joinResume(err error, resume func() error) error {
	if rerr := resume(); rerr != nil {
		return fmt.Errorf("%w; %w", err, rerr)
	}
	return err
}
