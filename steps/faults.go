package steps

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/sqlserver"
	lyncfake "github.com/pchatdr/harness/fakes/lync"
	"github.com/pchatdr/harness/fakes/lync/pool"
)

// armed is one fault waiting on the engine's event stream.
type armed struct {
	mu    sync.Mutex
	what  string
	fired bool
	err   error
}

// arm runs fire once, on the engine's goroutine, at the first engine event
// match accepts; steps that assert a fault's effect first check it fired.
func arm(ctx context.Context, what string, match func(failback.Event) bool, fire func() error) {
	st := get(ctx)
	a := &armed{what: what}
	st.armed = append(st.armed, a)
	st.onEvent = append(st.onEvent, func(e failback.Event) {
		a.mu.Lock()
		defer a.mu.Unlock()
		if a.fired || !match(e) {
			return
		}
		a.fired, a.err = true, fire()
	})
}

func armedFired(ctx context.Context) error {
	for _, a := range get(ctx).armed {
		a.mu.Lock()
		fired, err := a.fired, a.err
		a.mu.Unlock()
		if !fired {
			return fmt.Errorf("the fault %q never fired", a.what)
		}
		if err != nil {
			return fmt.Errorf("the fault %q: %w", a.what, err)
		}
	}
	return nil
}

func shareUnreachableAtStep(ctx context.Context, role, step string) error {
	w, inst, err := instance(ctx, role)
	if err != nil {
		return err
	}
	if err := w.RequireInProcess(inst, "make the share unreachable from "+inst.Name); err != nil {
		return skipIfNotApplicable(err)
	}
	arm(ctx, "share unreachable from "+role+" at step "+step,
		func(e failback.Event) bool { return e.Kind == failback.KindStepStart && e.Step == step },
		func() error { return w.SetShareUnreachable(inst, true) })
	return nil
}

// restartBeforeRestore restarts the instance right after the engine's last
// read before its RESTORE DATABASE (step 4's apply reads FILELISTONLY, then
// the database's files, then restores), so the RESTORE goes out on a pooled
// connection whose server has just restarted.
func restartBeforeRestore(ctx context.Context, role string) error {
	w, inst, err := instance(ctx, role)
	if err != nil {
		return err
	}
	fileList := false
	arm(ctx, "restart "+role+" before the RESTORE",
		func(e failback.Event) bool {
			if e.Kind != failback.KindSent || e.Step != failback.StepRestore || e.Phase != failback.PhaseApply {
				return false
			}
			if strings.Contains(e.Text, "FILELISTONLY") {
				fileList = true
				return false
			}
			return fileList
		},
		func() error { return w.Restart(ctx, inst) })
	return nil
}

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
	if err := armedFired(ctx); err != nil {
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
	if err := armedFired(ctx); err != nil {
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

func agentCannotReadShare(ctx context.Context, account, role string) error {
	w, inst, err := instance(ctx, role)
	if err != nil {
		return err
	}
	return skipIfNotApplicable(w.SetShareAccess(inst, account, false, false))
}

func engineJobTimeout(ctx context.Context, seconds int) error {
	get(ctx).engineOpts.JobTimeout = time.Duration(seconds) * time.Second
	return nil
}

func engineDrainTimeout(ctx context.Context, seconds int) error {
	get(ctx).engineOpts.SessionDrainTimeout = time.Duration(seconds) * time.Second
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

func stickChatServer(ctx context.Context, fqdn string) error {
	return get(ctx).world.StickChatServer(fqdn)
}

// operatorRestores sends the restore a wrong procedure would: over the
// named database, from the seed backup on the share, with no regard for
// the sessions in it.
func operatorRestores(ctx context.Context, database, role string) error {
	master, _, err := db(ctx, role, "master")
	if err != nil {
		return err
	}
	path := get(ctx).world.Topology.Share.UNC + `\seed_mgc.bak`
	_, err = master.ExecContext(ctx, "RESTORE DATABASE "+quoteName(database)+" FROM DISK = @p1 WITH REPLACE, RECOVERY", path)
	get(ctx).lastErr = err
	return nil
}

func endpointHTTP500(ctx context.Context, n int) error {
	return get(ctx).world.Pool().Inject(ctx, lyncfake.Fault{Kind: lyncfake.FaultHTTP500, Action: "Command", Count: n})
}

// endpointHTTP500AtStep arms the 500s for when a step starts: the engine
// retries transient failures inside steps, not in its preconditions.
func endpointHTTP500AtStep(ctx context.Context, n int, step string) error {
	w := get(ctx).world
	arm(ctx, fmt.Sprintf("%d HTTP 500s at step %s", n, step),
		func(e failback.Event) bool { return e.Kind == failback.KindStepStart && e.Step == step },
		func() error {
			return w.Pool().Inject(ctx, lyncfake.Fault{Kind: lyncfake.FaultHTTP500, Action: "Command", Count: n})
		})
	return nil
}

func endpointFailsCmdlet(ctx context.Context, cmdlet, message string) error {
	return get(ctx).world.Pool().Inject(ctx, lyncfake.Fault{Kind: lyncfake.FaultFail, Cmdlet: cmdlet, Message: message})
}

func endpointDelays(ctx context.Context, cmdlet string, ms int) error {
	return get(ctx).world.Pool().Inject(ctx, lyncfake.Fault{Kind: lyncfake.FaultLatency, Cmdlet: cmdlet, Delay: time.Duration(ms) * time.Millisecond})
}

// faultsFired counts the endpoint's injected faults that fired.
func faultsFired(ctx context.Context, n int) error {
	if err := armedFired(ctx); err != nil {
		return err
	}
	events, err := get(ctx).world.Pool().Events(ctx)
	if err != nil {
		return err
	}
	got := 0
	for _, e := range events {
		if e.Kind == pool.KindFault {
			got++
		}
	}
	if got != n {
		return fmt.Errorf("%d injected endpoint faults fired, want %d", got, n)
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

func cutLink(ctx context.Context, a, b string) error { return get(ctx).world.CutLink(a, b) }

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
