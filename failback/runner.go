package failback

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/topology"
)

// ErrRefused is wrapped when a precondition failed: nothing was changed.
var ErrRefused = errors.New("precondition refused")

// ErrInterrupted is wrapped when the context ended mid-run.
var ErrInterrupted = errors.New("run interrupted")

// StepError is a step that failed.
type StepError struct {
	Step  string
	Phase string
	Err   error
}

func (e *StepError) Error() string { return "step " + e.Step + " " + e.Phase + ": " + e.Err.Error() }
func (e *StepError) Unwrap() error { return e.Err }

// Result summarises a Runner.Run.
type Result struct {
	RunID    string
	Outcome  string // OutcomeOK, OutcomeRefused, OutcomeFailed, OutcomeInterrupted
	Failed   string // the failing step, if any
	Duration time.Duration
}

// Runner runs a plan against an Env, journalling every event.
type Runner struct {
	Plan    *Plan
	Env     *Env
	Journal *Journal // nil: events go to the sinks only
	Sinks   []Sink
	// Previous are the journal's events when resuming; nil for a new run.
	Previous []Event
	// Attrs are recorded on the run-start event beside the engine's own
	// (pool, resume, dry-run): who ran it, from which host, with which
	// topology file and objectives, so evidence built later from the
	// journal alone (failback report) has its header.
	Attrs map[string]string

	// mu serialises emit: a budget's overrun and a statement's STATS
	// progress are reported from other goroutines than the step's.
	mu       sync.Mutex
	copy     int64 // bytes one statement of the running step moves (progress rates)
	seq      int
	step     string
	index    int
	curPhase string
	failed   error
	runStart time.Time
}

func (r *Runner) emit(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	e.Seq = r.seq
	if e.Time.IsZero() {
		e.Time = r.Env.now()
	}
	e.RunID = r.Env.runID
	e.Plan = r.Plan.Name
	if e.Step == "" && e.Kind != KindRunStart && e.Kind != KindRunEnd && e.Kind != KindPrecondition {
		e.Step, e.Index, e.Phase = r.step, r.index, r.curPhase
	}
	if r.Journal != nil {
		if err := r.Journal.Write(e); err != nil && r.failed == nil {
			r.failed = err
		}
	}
	for _, s := range r.Sinks {
		s.Event(e)
	}
}

// runsProduct is the run start's word on the product and the module every
// cmdlet script imports, and whether the product was assumed; and that the
// active-server read-back is best-effort (lync.ActiveServerReadBack).
func runsProduct(t *topology.Topology) string {
	return ", a pool of " + t.Pool.Describe() + ": cmdlets from module " + string(lync.ModuleFor(t.Pool.Product)) + "; " + lync.ActiveServerReadBack
}

// runAttrs adds the caller's Attrs to the engine's own; the engine's win.
func (r *Runner) runAttrs(own map[string]string) map[string]string {
	for k, v := range r.Attrs {
		if _, set := own[k]; !set {
			own[k] = v
		}
	}
	return own
}

func (r *Runner) sent(s Sent) {
	e := Event{Kind: KindSent, Target: s.Target, Text: s.Text, Seconds: s.Duration.Seconds(), Info: s.Info, Time: s.Start}
	if s.Change {
		e.Attrs = map[string]string{"change": "true"}
	}
	if s.Err != nil {
		e.Error = s.Err.Error()
	}
	r.emit(e)
}

// Run runs the plan (or resumes it when Previous is set).
func (r *Runner) Run(ctx context.Context) (Result, error) {
	e := r.Env
	e.Options = e.Options.withDefaults()
	resume := len(r.Previous) > 0
	prior := analyse(r.Previous)
	if resume {
		if prior.runID == "" {
			return Result{}, fmt.Errorf("resume: journal has no run-start event")
		}
		if prior.plan != "" && prior.plan != r.Plan.Name {
			return Result{}, fmt.Errorf("resume: journal is for plan %s, not %s", prior.plan, r.Plan.Name)
		}
		if prior.pool != "" && !strings.EqualFold(prior.pool, e.Topo.Pool.FQDN) {
			return Result{}, fmt.Errorf("resume: journal is for pool %s, the topology names %s", prior.pool, e.Topo.Pool.FQDN)
		}
		e.runID = prior.runID
		r.seq = prior.maxSeq
		e.facts = prior.facts
	} else if e.runID == "" {
		e.runID = NewRunID(e.now())
	}
	if e.facts == nil {
		e.facts = map[string]string{}
	}
	e.emit = r.emit
	r.runStart = e.now()
	if resume && !prior.started.IsZero() {
		r.runStart = prior.started
	}
	attrs := r.runAttrs(map[string]string{"pool": e.Topo.Pool.FQDN})
	if resume {
		attrs["resume"] = "true"
	}
	r.emit(Event{Kind: KindRunStart, Attrs: attrs, Message: r.Plan.Name + " of " + e.Topo.Pool.FQDN + runsProduct(e.Topo)})
	if r.failed != nil {
		return Result{RunID: e.runID, Outcome: OutcomeFailed}, r.failed
	}

	finish := func(outcome, failed string, err error) (Result, error) {
		if r.failed != nil && err == nil {
			outcome, err = OutcomeFailed, r.failed
		}
		d := e.now().Sub(r.runStart)
		ev := Event{Kind: KindRunEnd, Outcome: outcome, Step: failed, Seconds: d.Seconds()}
		if err != nil {
			ev.Error = err.Error()
		}
		r.emit(ev)
		return Result{RunID: e.runID, Outcome: outcome, Failed: failed, Duration: d}, err
	}

	// Preconditions describe the state before the run changed anything; once
	// a step has been applied they no longer hold (the pool is no longer
	// FailedOver after step 7), so a resume checks them only if nothing was
	// applied yet.
	if !prior.applied {
		if err := r.preconditions(ctx); err != nil {
			if errors.Is(err, ErrRefused) {
				return finish(OutcomeRefused, "", err)
			}
			return finish(OutcomeInterrupted, "", err)
		}
	}

	for i := range r.Plan.Steps {
		s := &r.Plan.Steps[i]
		err := r.runStep(ctx, i, s, prior.verified[s.Name])
		if err != nil {
			if ctx.Err() != nil {
				return finish(OutcomeInterrupted, s.Name, fmt.Errorf("%w: %w", ErrInterrupted, err))
			}
			return finish(OutcomeFailed, s.Name, err)
		}
		if r.failed != nil {
			return finish(OutcomeFailed, s.Name, r.failed)
		}
	}
	return finish(OutcomeOK, "", nil)
}

func (r *Runner) preconditions(ctx context.Context) error {
	var refused []string
	for _, p := range r.Plan.Preconditions {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%w: %w", ErrInterrupted, err)
		}
		t0 := time.Now()
		res, err := r.precondition(ctx, p)
		if err != nil {
			return err
		}
		outcome := OutcomeOK
		if !res.OK {
			outcome = OutcomeFailed
			if p.Overridden != nil && p.Overridden(r.Env.Options, res) {
				outcome = OutcomeOverridden
			} else {
				refused = append(refused, p.Name+": "+res.Message)
			}
		}
		ev := Event{Kind: KindPrecondition, Check: p.Name, Outcome: outcome, Message: res.Message, Seconds: time.Since(t0).Seconds()}
		if len(res.Warnings) > 0 {
			ev.Attrs = map[string]string{"warnings": strings.Join(res.Warnings, "; ")}
		}
		r.emit(ev)
	}
	if len(refused) > 0 {
		return fmt.Errorf("%w: %s", ErrRefused, strings.Join(refused, "; "))
	}
	return nil
}

// precondition runs one check, again (with Options.Backoff) while a
// transient read error keeps it from a definite answer: the same rule as
// a step's phases, so a refusal is always the world's answer, not a
// dropped packet's. Each retry is a note in the journal naming the check.
// When the attempts run out the last result stands, saying so; the error
// is only for an interrupted run.
func (r *Runner) precondition(ctx context.Context, p Precondition) (PreconditionResult, error) {
	pctx := WithEmitter(ctx, r.sent)
	var res PreconditionResult
	attempts := 0
	err := lync.Retry(pctx, r.Env.Options.Backoff, IsTransient, func(ctx context.Context) error {
		if attempts > 0 {
			// Noted when the retry happens, so the last attempt of an
			// exhausted check does not promise one.
			r.emit(Event{Kind: KindNote, Check: p.Name, Message: fmt.Sprintf("precondition %s: attempt %d could not decide, will retry: %v", p.Name, attempts, res.Err)})
		}
		attempts++
		res = p.Run(ctx, r.Env)
		if res.Err != nil && IsTransient(res.Err) {
			return res.Err
		}
		return nil
	})
	if ctx.Err() != nil {
		return res, fmt.Errorf("%w: precondition %s: %w", ErrInterrupted, p.Name, ctx.Err())
	}
	if err != nil && attempts > 1 && !res.OK {
		res.Message += fmt.Sprintf(" (still failing after %d attempts)", attempts)
	}
	return res, nil
}

// phase runs fn with retries of transient errors and records the phase.
func (r *Runner) phase(ctx context.Context, name string, fn func(ctx context.Context) error) error {
	r.curPhase = name
	defer func() { r.curPhase = "" }()
	t0 := time.Now()
	pctx := WithProgress(WithEmitter(ctx, r.sent), r.progress)
	attempts := 0
	err := lync.Retry(pctx, r.Env.Options.Backoff, IsTransient, func(ctx context.Context) error {
		attempts++
		err := fn(ctx)
		if err != nil && IsTransient(err) {
			r.emit(Event{Kind: KindNote, Message: fmt.Sprintf("attempt %d failed, will retry: %v", attempts, err)})
		}
		return err
	})
	ev := Event{Kind: KindPhase, Outcome: OutcomeOK, Seconds: time.Since(t0).Seconds()}
	if err != nil {
		ev.Outcome, ev.Error = OutcomeFailed, err.Error()
	}
	r.emit(ev)
	return err
}

// runStep runs one step: Check, then Apply and Verify unless Check finds it
// done. A resume checks every step again, including those the journal says
// verified: while the run was stopped an operator may have changed what a
// step protects (chat given back to the backup site, the backup mgc brought
// online), and a journal entry is no evidence of the world now. A verified
// step whose Check now fails is applied again, except a destructive one,
// which only its Redo may allow.
func (r *Runner) runStep(ctx context.Context, i int, s *Step, journalVerified bool) error {
	e := r.Env
	r.step, r.index = s.Name, i+1
	defer func() { r.step, r.index = "", 0 }()
	timeout := s.Timeout
	if timeout <= 0 && s.Budget == nil {
		timeout = e.Options.StepTimeout
	}
	sctx, cancel := context.WithCancel(ctx)
	if timeout > 0 {
		sctx, cancel = context.WithTimeout(ctx, timeout)
	}
	defer cancel()
	t0 := e.now()
	r.emit(Event{Kind: KindStepStart, Message: s.Title})
	if s.Budget != nil {
		defer r.watchBudget(sctx, s, i)()
	}
	end := func(outcome string, err error, msg string) error {
		ev := Event{Kind: KindStepEnd, Outcome: outcome, Seconds: e.now().Sub(t0).Seconds(), Message: msg}
		if err != nil {
			if sctx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
				err = fmt.Errorf("step timed out after %v: %w", timeout, err)
			}
			ev.Error = err.Error()
		}
		r.emit(ev)
		return err
	}

	var done bool
	var why string
	err := r.phase(sctx, PhaseCheck, func(ctx context.Context) error {
		var err error
		done, why, err = s.Check(ctx, e)
		return err
	})
	if err != nil {
		return end(OutcomeFailed, &StepError{s.Name, PhaseCheck, err}, "")
	}
	if journalVerified {
		if done {
			return end(OutcomeSkipped, nil, "verified in the journal; check confirms: "+why)
		}
		if s.Destructive {
			ok, redoWhy := false, "no rule allows applying it again"
			if s.Redo != nil {
				err := r.phase(sctx, PhaseCheck, func(ctx context.Context) error {
					var err error
					ok, redoWhy, err = s.Redo(ctx, e)
					return err
				})
				if err != nil {
					return end(OutcomeFailed, &StepError{s.Name, PhaseCheck, err}, "")
				}
			}
			if !ok {
				err := fmt.Errorf("the journal says this destructive step verified, but its check now finds %s; refusing to apply it again: %s", why, redoWhy)
				return end(OutcomeFailed, &StepError{s.Name, PhaseCheck, err}, "")
			}
			r.emit(Event{Kind: KindNote, Message: "verified in the journal, but its check now finds " + why + "; applying it again: " + redoWhy})
		} else {
			r.emit(Event{Kind: KindNote, Message: "verified in the journal, but its check now finds " + why + "; applying it again"})
		}
	}
	outcome := OutcomeVerified
	if done {
		outcome = OutcomeAlreadyDone
		r.emit(Event{Kind: KindNote, Message: "already done: " + why})
	} else {
		if err := r.phase(sctx, PhaseApply, func(ctx context.Context) error { return s.Apply(ctx, e) }); err != nil {
			return end(OutcomeFailed, &StepError{s.Name, PhaseApply, err}, why)
		}
	}
	if err := r.phase(sctx, PhaseVerify, func(ctx context.Context) error { return s.Verify(ctx, e) }); err != nil {
		return end(OutcomeFailed, &StepError{s.Name, PhaseVerify, err}, why)
	}
	return end(outcome, nil, why)
}

// priorRun is what a journal says about an earlier run.
type priorRun struct {
	runID    string
	plan     string
	pool     string
	started  time.Time
	maxSeq   int
	applied  bool
	verified map[string]bool
	facts    map[string]string
}

func analyse(events []Event) priorRun {
	p := priorRun{verified: map[string]bool{}, facts: map[string]string{}}
	for _, ev := range events {
		if ev.Seq > p.maxSeq {
			p.maxSeq = ev.Seq
		}
		switch ev.Kind {
		case KindRunStart:
			if p.runID == "" {
				p.runID, p.plan, p.started = ev.RunID, ev.Plan, ev.Time
				p.pool = ev.Attrs["pool"]
			}
		case KindPhase:
			if ev.Phase == PhaseApply {
				p.applied = true
			}
		case KindSent:
			if ev.Attrs["change"] == "true" {
				p.applied = true
			}
		case KindStepEnd:
			switch ev.Outcome {
			case OutcomeVerified, OutcomeAlreadyDone, OutcomeSkipped:
				p.verified[ev.Step] = true
			}
		case KindFact:
			p.facts[ev.Name] = ev.Value
		}
	}
	return p
}

// watchBudget works out a budgeted step's budget, records it, and warns
// once if the step is still running when it is spent; it never cancels
// the step. The returned func stops the watch and waits for it.
func (r *Runner) watchBudget(ctx context.Context, s *Step, i int) func() {
	b, err := s.Budget(WithEmitter(ctx, r.sent), r.Env)
	if err != nil {
		r.emit(Event{Kind: KindNote, Message: fmt.Sprintf("no budget for step %s: %v; it runs without one", s.Name, err)})
		return func() {}
	}
	r.copy = b.Copy
	r.emit(Event{Kind: KindBudget, Outcome: BudgetSet, Seconds: b.Duration.Seconds(),
		Message: fmt.Sprintf("budget %s (%s)", b.Duration.Round(time.Second), b.Why)})
	step, index := s.Name, i+1
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTimer(b.Duration)
		defer t.Stop()
		select {
		case <-t.C:
			r.emit(Event{Kind: KindBudget, Step: step, Index: index, Outcome: BudgetOverrun, Seconds: b.Duration.Seconds(),
				Message: fmt.Sprintf("step %s has run past its budget of %s (%s); the running statement goes on: "+
					"check its progress, and raise backups.throughputMBps or backups.budgetFactor if this deployment is slower", step, b.Duration.Round(time.Second), b.Why)})
		case <-stop:
		case <-ctx.Done():
		}
	}()
	return func() {
		close(stop)
		<-done
		r.copy = 0
	}
}

// progress records a running statement's STATS progress (called from the
// goroutine that reads the server's messages).
func (r *Runner) progress(p Progress) {
	r.mu.Lock()
	bytes, step, index, phase := r.copy, r.step, r.index, r.curPhase
	r.mu.Unlock()
	ev := progressEvent(p, bytes)
	ev.Step, ev.Index, ev.Phase = step, index, phase
	r.emit(ev)
}
