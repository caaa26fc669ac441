package failback

import (
	"context"
	"time"
)

// Step is one Check -> Apply -> Verify unit of a plan.
type Step struct {
	Name  string // stable id used in the journal and metrics, e.g. "restore-primary-mgc"
	Title string // one line for humans
	// Destructive steps overwrite data. Once the journal says one verified,
	// a resume applies it again only if its Check no longer finds it done
	// and Redo says that loses nothing; otherwise the run refuses.
	Destructive bool
	// Redo (destructive steps only) decides whether a step the journal says
	// verified, whose effect Check no longer finds, may be applied again
	// (the operator changed something while the run was stopped). why says
	// what it found; when ok is false it tells the operator what to do.
	Redo    func(ctx context.Context, e *Env) (ok bool, why string, err error)
	Timeout time.Duration // 0 means Options.StepTimeout (or no limit with Budget)
	// Budget, when set (and Timeout is 0), replaces the hard timeout of a
	// step whose statements must never be cancelled for taking long (a
	// BACKUP or RESTORE of mgc): past the budget the runner warns and lets
	// the step finish (budget.go).
	Budget func(ctx context.Context, e *Env) (Budget, error)
	// Check is read-only: is the step's effect already in place? why says
	// what it found, for the journal.
	Check func(ctx context.Context, e *Env) (done bool, why string, err error)
	// Apply makes the change. It must be safe to call again after a crash
	// part-way through (the runner re-applies a step whose Verify never
	// passed).
	Apply func(ctx context.Context, e *Env) error
	// Verify confirms the effect, waiting (bounded) where the world needs
	// time, e.g. chat servers disconnecting.
	Verify func(ctx context.Context, e *Env) error
}

// PreconditionResult is the outcome of one precondition.
type PreconditionResult struct {
	OK       bool
	Message  string   // what was found; on failure, what the operator should do
	Warnings []string // passed, but something could not be checked
	// Err is the read error that kept the check from a definite answer
	// (nil when it decided). The runner runs the check again while Err is
	// transient (IsTransient), as it retries a step's phase, so a single
	// WinRM 500 or reset connection does not refuse a run that a second
	// look would allow.
	Err error
	// Grave marks a failure that the precondition's usual override does
	// not cover (the failover's primary-site-lost finding a reachable,
	// writable primary mgc): Overridden sees it and may demand more.
	Grave bool
}

// Precondition is a named read-only check run before a plan changes
// anything.
type Precondition struct {
	Name  string
	Title string
	Run   func(ctx context.Context, e *Env) PreconditionResult
	// Overridden reports whether the options override the failure r.
	Overridden func(o Options, r PreconditionResult) bool
}

// Plan is an ordered list of steps and the preconditions that guard it.
type Plan struct {
	Name          string
	Preconditions []Precondition
	Steps         []Step
}

// StepByName finds a step.
func (p *Plan) StepByName(name string) (int, *Step) {
	for i := range p.Steps {
		if p.Steps[i].Name == name {
			return i, &p.Steps[i]
		}
	}
	return -1, nil
}
