package steps

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/sqlserver"
)

// How an engine run ended: runs that may stop, and what the scenarios
// check of the outcome.

// attemptFailback runs the engine and keeps whatever it ends with.
func attemptFailback(ctx context.Context) error { return runEngine(ctx, false) }

// failbackResumingOnce runs the failback; if it stops at a step it resumes
// once from the first run's events (as `failback resume` from its
// journal) and that resume must finish.
func failbackResumingOnce(ctx context.Context) error {
	if err := runEngine(ctx, false); err != nil {
		return err
	}
	st := get(ctx)
	first := st.engine
	if first.result.Outcome == failback.OutcomeOK {
		st.world.Timeline.Add("harness", "note", "the failback completed without a resume", nil)
		return nil
	}
	if first.result.Outcome != failback.OutcomeFailed {
		return fmt.Errorf("failback %s: %v", first.result.Outcome, first.err)
	}
	st.world.Timeline.Add("harness", "note", fmt.Sprintf("the failback stopped at step %s (%v); resuming", first.result.Failed, first.err), nil)
	st.stopped = &first.result
	prev := first.snapshot()
	if err := runPlan(ctx, first.plan, false, prev); err != nil {
		return err
	}
	st.engine.mu.Lock()
	st.engine.events = append(prev, st.engine.events...)
	st.engine.mu.Unlock()
	return runError(st.engine)
}

// retriedStep checks the engine met a transient failure in a step and
// retried it there (the runner's note "attempt N failed, will retry").
func retriedStep(ctx context.Context, kind, name, text string) error {
	if err := faultsErr(ctx); err != nil {
		return err
	}
	for _, e := range get(ctx).engine.snapshot() {
		at := e.Step
		if kind == "precondition" {
			at = e.Check
		}
		if e.Kind == failback.KindNote && at == name && strings.Contains(e.Message, "will retry") && strings.Contains(e.Message, text) {
			return nil
		}
	}
	return fmt.Errorf("the engine did not retry %s %s after %q", kind, name, text)
}

func runError(run *engineRun) error {
	if run.err != nil {
		return fmt.Errorf("failback %s at step %q: %w", run.result.Outcome, run.result.Failed, run.err)
	}
	return nil
}

func failedAtStep(ctx context.Context, step string) error {
	if err := faultsErr(ctx); err != nil {
		return err
	}
	run := get(ctx).engine
	if run == nil {
		return fmt.Errorf("the engine has not run")
	}
	if run.result.Outcome != failback.OutcomeFailed || run.result.Failed != step {
		return fmt.Errorf("engine outcome %q at step %q (%v), want failed at %s", run.result.Outcome, run.result.Failed, run.err, step)
	}
	return nil
}

func failedAtStepWithSQLError(ctx context.Context, step string, number int) error {
	if err := failedAtStep(ctx, step); err != nil {
		return err
	}
	err := get(ctx).engine.err
	if nums := sqlserver.SQLErrorNumbers(err); !slices.Contains(nums, int32(number)) {
		return fmt.Errorf("the failure carries SQL Server errors %v, want %d: %v", nums, number, err)
	}
	return nil
}

func failureSays(ctx context.Context, text string) error {
	run := get(ctx).engine
	if run == nil || run.err == nil {
		return fmt.Errorf("the engine did not fail")
	}
	if !strings.Contains(run.err.Error(), text) {
		return fmt.Errorf("the failure %q does not say %q", run.err, text)
	}
	return nil
}

// jobFailedWith reads the job's last step outcome as an operator would in
// the job history (View History: the step's message carries the error;
// the job's own line only says "The job failed").
func jobFailedWith(ctx context.Context, job, role, text string) error {
	msdb, _, err := db(ctx, role, "msdb")
	if err != nil {
		return err
	}
	var status int
	var msg sql.NullString
	err = msdb.QueryRowContext(ctx, "SELECT TOP (1) h.run_status, h.message FROM msdb.dbo.sysjobs AS j "+
		"JOIN msdb.dbo.sysjobhistory AS h ON h.job_id = j.job_id AND h.step_id > 0 "+
		"WHERE j.name = @p1 ORDER BY h.instance_id DESC", job).Scan(&status, &msg)
	if err != nil {
		return fmt.Errorf("history of job %s on the %s instance: %w", job, role, err)
	}
	if status != 0 || !strings.Contains(msg.String, text) {
		return fmt.Errorf("job %s on the %s instance: last step status %d: %q, want failed (0) with %q", job, role, status, msg.String, text)
	}
	return nil
}

func failbackSucceeded(ctx context.Context) error {
	run := get(ctx).engine
	if run == nil {
		return fmt.Errorf("the engine has not run")
	}
	if run.result.Outcome != failback.OutcomeOK {
		return runError(run)
	}
	return nil
}

func refusedNamingInstance(ctx context.Context, name string) error {
	if err := engineRefused(ctx); err != nil {
		return err
	}
	run := get(ctx).engine
	var ue *failback.UnreachableError
	if !errors.As(run.err, &ue) || !strings.Contains(ue.What, name) {
		return fmt.Errorf("the refusal does not name the unreachable instance %s: %v", name, run.err)
	}
	return nil
}
