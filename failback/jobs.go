package failback

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/pchatdr/harness/failback/sqlserver"
)

// JobFailedError is an Agent job run that ended without success. It
// carries what SQL Server Agent's View History shows, because the job's
// own outcome row only says "The job failed ... the last step to run was
// step 1"; the cause (an operating-system error 5 reading the share, a
// 4305 from RESTORE LOG) is in the step row, and that is what the operator
// must read to fix it.
type JobFailedError struct {
	Instance string
	Job      string
	Status   int    // JobFailed, JobCanceled, ...
	RunAt    string // "YYYY-MM-DD HH:MM:SS", server local time; "" when unknown
	Outcome  string // the job-outcome row's message
	// Step is the step that failed (the last one that did not succeed),
	// nil when the history has no step row for the run.
	Step *JobStepRun
	// Hint says what usually causes this job's failure and what to check.
	Hint string
}

func (e *JobFailedError) Error() string {
	var b strings.Builder
	b.WriteString(e.Job + " failed")
	if e.Status != JobFailed {
		b.WriteString(" (" + jobStatusText(e.Status) + ")")
	}
	b.WriteString(" on " + e.Instance)
	if e.RunAt != "" {
		b.WriteString(" at " + e.RunAt)
	}
	if s := e.Step; s != nil {
		fmt.Fprintf(&b, ": step %d (%s)", s.StepID, s.StepName)
		if s.SQLMessage > 0 {
			fmt.Fprintf(&b, " SQL Server error %d, severity %d", s.SQLMessage, s.Severity)
		}
		b.WriteString(": " + stepCause(s.Message))
	}
	if e.Outcome != "" {
		b.WriteString("; job outcome: " + oneLine(e.Outcome))
	}
	if e.Hint != "" {
		b.WriteString("; " + e.Hint)
	}
	return b.String()
}

func jobStatusText(st int) string {
	switch st {
	case JobFailed:
		return "failed"
	case JobSucceeded:
		return "succeeded"
	case JobRetry:
		return "retry"
	case JobCanceled:
		return "canceled"
	case JobInProgress:
		return "in progress"
	}
	return "status " + strconv.Itoa(st)
}

var (
	spaces    = regexp.MustCompile(`\s+`)
	logErrors = regexp.MustCompile(`\*\*\* Error.*?\*\*\*`)
)

func oneLine(s string) string { return strings.TrimSpace(spaces.ReplaceAllString(s, " ")) }

// stepCause keeps what matters of a step's output: sqllogship prints a
// timestamped line per action and marks failures "*** Error: ... ***"; a
// T-SQL step's message is the error itself. Without a marked error the
// whole message is kept.
func stepCause(msg string) string {
	msg = oneLine(msg)
	if errs := logErrors.FindAllString(msg, -1); len(errs) > 0 {
		return strings.Join(errs, " ")
	}
	return msg
}

// jobHint is what to check when a log-shipping job fails, by job.
func (e *Env) jobHint(job string, s SQL) string {
	ls := e.Topo.LogShipping
	switch job {
	case ls.BackupJob:
		return fmt.Sprintf("the backup job runs as the SQL Server Agent account on %s and writes to %s: check that account's write access to the share", s.Instance(), e.Topo.Share.UNC)
	case ls.CopyJob:
		return fmt.Sprintf("the copy job runs as the SQL Server Agent account on %s: check that account's read access to %s and write access to %s",
			s.Instance(), e.Topo.Share.UNC, ls.CopyDirectory)
	case ls.RestoreJob:
		return fmt.Sprintf("the restore job runs on %s and reads %s: check the restore error above (a missing log backup, a database in use)", s.Instance(), ls.CopyDirectory)
	}
	return ""
}

// jobFailure reads the history of a failed run (the outcome row st) into
// a JobFailedError. A failure to read the step rows leaves Step nil: the
// outcome alone still stops the run.
func (e *Env) jobFailure(ctx context.Context, s SQL, job string, after int64, st JobStatus) *JobFailedError {
	jf := &JobFailedError{Instance: s.Instance(), Job: job, Status: st.LastStatus, Outcome: st.LastMessage, Hint: e.jobHint(job, s)}
	if st.LastRunDate > 0 {
		d, t := st.LastRunDate, st.LastRunTime
		jf.RunAt = fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d", d/10000, d/100%100, d%100, t/10000, t/100%100, t%100)
	}
	steps, err := s.JobSteps(ctx, job, after, st.LastInstanceID)
	if err != nil {
		e.Note(fmt.Sprintf("cannot read the step history of job %s on %s: %v", job, s.Instance(), err))
		return jf
	}
	for i := len(steps) - 1; i >= 0; i-- {
		if steps[i].Status != JobSucceeded {
			st := steps[i]
			jf.Step = &st
			break
		}
	}
	if jf.Step == nil && len(steps) > 0 {
		st := steps[len(steps)-1]
		jf.Step = &st
	}
	if jf.Step != nil {
		e.Note(fmt.Sprintf("job %s on %s, step %d (%s): %s", job, s.Instance(), jf.Step.StepID, jf.Step.StepName, oneLine(jf.Step.Message)))
	}
	return jf
}

// runJob starts an Agent job and waits, bounded by Options.JobTimeout,
// until effect reports the job's work done. It watches the job's history
// while it waits, so a run that fails stops the wait at once with the
// history's account of why (a JobFailedError) instead of running out the
// timeout on a monitor table that will never change.
//
// A run that succeeded without the effect cannot make progress by
// itself either: nothing changes the monitor until the job runs again.
// runJob then starts the job once more (the first run may have raced with
// the work it was to take, a file still being written), and when that run
// too ends without the effect it fails at once with a JobNoEffectError
// naming the job, what it waited for and what the job's last run said,
// rather than waiting out the timeout for the job's schedule.
func (e *Env) runJob(ctx context.Context, s SQL, job, what string, effect func(ctx context.Context) (bool, string, error)) error {
	return e.runJobOr(ctx, s, job, what, effect, nil)
}

// runJobOr is runJob where a run that succeeded without the effect is
// still enough when settled (nil: never) says the effect had nothing to
// act on (a restore job with no log backup holding new log); settled's
// reason is noted.
func (e *Env) runJobOr(ctx context.Context, s SQL, job, what string, effect, settled func(ctx context.Context) (bool, string, error)) error {
	before, err := s.JobStatus(ctx, job)
	if err != nil {
		return err
	}
	if !before.Exists {
		return fmt.Errorf("%s: job %s does not exist on %s", what, job, s.Instance())
	}
	before, err = e.startJob(ctx, s, job, before)
	if err != nil {
		return err
	}
	runs := 1
	return e.waitFor(ctx, e.Options.JobTimeout, what+" "+job+" on "+s.Instance(), func(ctx context.Context) (bool, string, error) {
		st, err := s.JobStatus(ctx, job)
		if err != nil {
			return false, "", err
		}
		finished := st.LastInstanceID > before.LastInstanceID && st.LastStatus != JobInProgress
		if finished && st.LastStatus != JobSucceeded && st.LastStatus != JobRetry {
			return false, "", e.jobFailure(ctx, s, job, before.LastInstanceID, st)
		}
		ok, state, err := effect(ctx)
		if err != nil || ok {
			return ok, state, err
		}
		if !finished {
			return false, "the job has not finished; " + state, nil
		}
		if settled != nil {
			ok, why, err := settled(ctx)
			if err != nil {
				return false, "", err
			}
			if ok {
				e.Note(fmt.Sprintf("%s %s on %s succeeded (%s), and that is enough: %s", what, job, s.Instance(), state, why))
				return true, why, nil
			}
			state += "; " + why
		}
		if runs >= maxJobRunsWithoutEffect {
			return false, "", e.jobNoEffect(ctx, s, job, what, runs, before.LastInstanceID, st, state)
		}
		e.Note(fmt.Sprintf("%s %s on %s succeeded, but %s: starting it once more", what, job, s.Instance(), state))
		if before, err = e.startJob(ctx, s, job, st); err != nil {
			return false, "", err
		}
		runs++
		return false, "the job succeeded, but " + state + "; started it again", nil
	})
}

// maxJobRunsWithoutEffect is how many runs of a job that succeed without
// the effect the engine waits for it starts before it gives up.
const maxJobRunsWithoutEffect = 2

// JobNoEffectError is a job whose runs succeeded but did not do what the
// engine waited for (the copy job never copied the newest log backup, the
// restore job restored nothing): waiting longer cannot help.
type JobNoEffectError struct {
	Instance string
	Job      string
	What     string // "the log copy job"
	Runs     int
	State    string // what the engine waited for and last saw
	Output   string // the last run's step output, "" when unknown
}

func (e *JobNoEffectError) Error() string {
	msg := fmt.Sprintf("%s %s on %s ran %d times and succeeded, but %s: it cannot progress by itself", e.What, e.Job, e.Instance, e.Runs, e.State)
	if e.Output != "" {
		msg += "; its last run said: " + e.Output
	}
	return msg
}

// jobNoEffect builds the JobNoEffectError of the run whose outcome row st
// is, with that run's step output from the history.
func (e *Env) jobNoEffect(ctx context.Context, s SQL, job, what string, runs int, after int64, st JobStatus, state string) error {
	ne := &JobNoEffectError{Instance: s.Instance(), Job: job, What: what, Runs: runs, State: state}
	steps, err := s.JobSteps(ctx, job, after, st.LastInstanceID)
	if err != nil {
		e.Note(fmt.Sprintf("cannot read the step history of job %s on %s: %v", job, s.Instance(), err))
	} else if len(steps) > 0 {
		ne.Output = oneLine(steps[len(steps)-1].Message)
	}
	return ne
}

// startJob starts job. The job's own schedule may have started it a moment
// earlier (a log-shipping job runs every few minutes, so a failback that
// reaches step 5 at a quarter past the hour meets it): SQL Server then
// refuses with 22022 "... already running from a request by Schedule ...".
// An operator would wait for that run to end and start the job again, and
// so does startJob, within Options.JobTimeout. It returns the job's status
// read just before the start SQL Server accepted, so the caller tells its
// own run's outcome from the scheduled run's.
func (e *Env) startJob(ctx context.Context, s SQL, job string, before JobStatus) (JobStatus, error) {
	deadline := e.now().Add(e.Options.JobTimeout)
	noted := false
	for {
		err := s.StartJob(ctx, job)
		if err == nil || !JobAlreadyRunning(err) {
			return before, err
		}
		if !e.now().Before(deadline) {
			return before, fmt.Errorf("start job %s on %s: still running after %v: %w", job, s.Instance(), e.Options.JobTimeout, err)
		}
		if !noted {
			e.Note(fmt.Sprintf("job %s on %s is already running (%s): waiting for that run to end, then starting it again", job, s.Instance(), oneLine(err.Error())))
			noted = true
		}
		// At least a second: the run SQL Server refused for names its log
		// backup <db>_<second>.trn, and a run of ours in that same second
		// would append to that file after the copy job may have taken it.
		if err := e.Options.Sleep(ctx, max(e.Options.PollInterval, time.Second)); err != nil {
			return before, fmt.Errorf("start job %s: %w", job, err)
		}
		if before, err = s.JobStatus(ctx, job); err != nil {
			return before, err
		}
	}
}

// JobAlreadyRunning tells sp_start_job's refusal of a running job from its
// other 22022 refusals (the Agent is not running), which waiting does not
// cure. SQL Server gives both the same number; only the text differs.
func JobAlreadyRunning(err error) bool {
	for _, n := range sqlserver.SQLErrorNumbers(err) {
		if n == 22022 && strings.Contains(err.Error(), "already running") {
			return true
		}
	}
	return false
}
