package failback

import (
	"context"
	"time"
)

// Event kinds written to the journal and to sinks.
const (
	KindRunStart     = "run-start"
	KindRunEnd       = "run-end"
	KindPrecondition = "precondition"
	KindStepStart    = "step-start"
	KindPhase        = "phase"
	KindSent         = "sent"
	KindStepEnd      = "step-end"
	KindFact         = "fact"
	KindMeasure      = "measure"
	KindNote         = "note"
	// KindBudget: a step's budget (Outcome "set") and its overrun
	// (Outcome "overrun"); Seconds is the budget (budget.go).
	KindBudget = "budget"
	// KindProgress: a running BACKUP or RESTORE reported STATS progress
	// (progress.go).
	KindProgress = "progress"
)

// Budget outcomes.
const (
	BudgetSet     = "set"
	BudgetOverrun = "overrun"
)

// Phases of a step.
const (
	PhaseCheck  = "check"
	PhaseApply  = "apply"
	PhaseVerify = "verify"
)

// Outcomes.
const (
	OutcomeOK          = "ok"
	OutcomeFailed      = "failed"
	OutcomeRefused     = "refused"
	OutcomeVerified    = "verified"     // step applied and verified
	OutcomeAlreadyDone = "already-done" // Check found it done, Verify passed
	OutcomeSkipped     = "skipped"      // journal says verified and Check confirms
	OutcomeNotDone     = "not-done"     // Check: the step has to be applied
	OutcomeDone        = "done"         // Check: already in place
	OutcomeInterrupted = "interrupted"
	OutcomeOverridden  = "overridden" // failed precondition overridden by a flag
)

// Measures (KindMeasure events) the metrics package turns into gauges.
const (
	MeasureChatOutage         = "chat_outage_seconds"
	MeasureLogShippingAge     = "log_shipping_last_restored_age_seconds"
	FactOutageStart           = "outage_start"
	FactFirstPrimarySession   = "first_primary_session"
	FactPreconditionsFinished = "preconditions_passed"
)

// Event is one line of the journal. Fields are omitted when empty so a line
// stays readable.
type Event struct {
	Seq     int       `json:"seq"`
	Time    time.Time `json:"time"`
	RunID   string    `json:"run"`
	Plan    string    `json:"plan,omitempty"`
	Kind    string    `json:"kind"`
	Step    string    `json:"step,omitempty"`
	Index   int       `json:"index,omitempty"` // 1-based step number
	Phase   string    `json:"phase,omitempty"`
	Check   string    `json:"check,omitempty"` // precondition name
	Outcome string    `json:"outcome,omitempty"`
	Target  string    `json:"target,omitempty"` // instance name or "pool"
	Text    string    `json:"text,omitempty"`   // exact T-SQL or PowerShell sent
	Message string    `json:"message,omitempty"`
	Error   string    `json:"error,omitempty"`
	// Seconds is a duration (step, phase, statement) or a measured value.
	Seconds float64           `json:"seconds,omitempty"`
	Name    string            `json:"name,omitempty"` // fact or measure name
	Value   string            `json:"value,omitempty"`
	Info    []string          `json:"info,omitempty"` // server INFO messages
	Attrs   map[string]string `json:"attrs,omitempty"`
}

// Sent is one statement or script an implementation sent (or, in a plan,
// would send). Implementations report it with Emit.
type Sent struct {
	Target   string // topology instance name, or "pool"
	Text     string
	Start    time.Time
	Duration time.Duration
	Info     []string
	Err      error
	Change   bool // the statement changes state (not a read)
}

type emitterKey struct{}

// WithEmitter returns a context whose operations report what they send to
// fn. The runner attaches one per step phase, so every statement lands in
// the journal under the step that sent it.
func WithEmitter(ctx context.Context, fn func(Sent)) context.Context {
	return context.WithValue(ctx, emitterKey{}, fn)
}

// Emit reports s to the context's emitter, if any.
func Emit(ctx context.Context, s Sent) {
	if fn, ok := ctx.Value(emitterKey{}).(func(Sent)); ok && fn != nil {
		fn(s)
	}
}

// Sink receives every event after it was journalled.
type Sink interface {
	Event(Event)
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(Event)

// Event calls f.
func (f SinkFunc) Event(e Event) { f(e) }
