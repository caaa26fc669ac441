package evidence

import (
	"sort"
	"strings"
	"time"

	"github.com/pchatdr/harness/failback"
)

// Run is one engine run as its events tell it. A resumed run keeps its
// run ID, so its invocations merge into one Run.
type Run struct {
	ID     string `json:"id"`
	Plan   string `json:"plan"`
	Pool   string `json:"pool"`
	DryRun bool   `json:"dryRun,omitempty"`
	// Attrs are the first run-start's attributes (who, where, topology).
	Attrs       map[string]string `json:"attrs,omitempty"`
	Started     time.Time         `json:"started"`
	Ended       time.Time         `json:"ended"`
	Invocations int               `json:"invocations"`
	// Outcome is the last invocation's run-end outcome; "incomplete" when
	// the journal stops before one (a crash, or a run still going).
	Outcome    string `json:"outcome"`
	Error      string `json:"error,omitempty"`
	FailedStep string `json:"failedStep,omitempty"`
	// Duration is the run's time from its first start to its last end,
	// resumes included (the RTO's figure).
	Duration      time.Duration  `json:"duration"`
	Preconditions []Precondition `json:"preconditions,omitempty"`
	Steps         []Step         `json:"steps,omitempty"`
	// OutageStart and OutageEnd are the engine's facts: the active list
	// cleared; the first chat session on the restored primary.
	OutageStart time.Time     `json:"outageStart,omitempty"`
	OutageEnd   time.Time     `json:"outageEnd,omitempty"`
	Outage      time.Duration `json:"outage,omitempty"`
	// Notes are remarks outside any step (precondition retries).
	Notes []Note `json:"notes,omitempty"`
	// Loss is a count of lost messages the journal carries (a measure
	// event written by a check after the run), if any.
	Loss *Loss `json:"loss,omitempty"`
	// Lines describe every event in order (the report's event table);
	// evidence.json leaves them out (its steps hold what was sent).
	Lines []Line `json:"-"`
}

// OutcomeIncomplete is a run whose journal has no run-end after its last
// start.
const OutcomeIncomplete = "incomplete"

// MeasureMessagesLost is the measure a check of the restored store may
// append to a run's journal (Seconds holds the count), so `failback
// report` can judge the RPO of a real run.
const MeasureMessagesLost = "messages_lost"

// Precondition is one precondition's latest outcome.
type Precondition struct {
	Check    string    `json:"check"`
	Outcome  string    `json:"outcome"`
	Message  string    `json:"message"`
	Warnings string    `json:"warnings,omitempty"`
	At       time.Time `json:"at"`
}

// Step is one step of one invocation: a resumed run has a row per attempt.
type Step struct {
	Index int    `json:"index"`
	Name  string `json:"name"`
	Title string `json:"title"`
	// Invocation is 1 for the first run, 2 for the first resume, ...
	Invocation int       `json:"invocation"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end,omitempty"`
	// Outcome is the step-end's ("started" when none came).
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
	// State is what holds after the step (failback.Describer).
	State      string `json:"state"`
	Statements int    `json:"statements"`
	Cmdlets    int    `json:"cmdlets"`
	Sent       []Sent `json:"sent,omitempty"`
	Notes      []Note `json:"notes,omitempty"`
}

// Duration is the step's, from its events (0 while it never ended).
func (s Step) Duration() time.Duration {
	if s.End.IsZero() || s.End.Before(s.Start) {
		return 0
	}
	return s.End.Sub(s.Start)
}

// Sent is one T-SQL batch or PowerShell script the engine sent.
type Sent struct {
	At       time.Time     `json:"at"`
	Target   string        `json:"target"`
	Text     string        `json:"text"`
	Duration time.Duration `json:"duration"`
	Error    string        `json:"error,omitempty"`
	Change   bool          `json:"change,omitempty"`
	Cmdlet   bool          `json:"cmdlet,omitempty"`
}

// Note is a remark: a retry, a skipped action, a warning, progress.
type Note struct {
	At   time.Time `json:"at"`
	Kind string    `json:"kind"`
	Text string    `json:"text"`
}

// Line is one event, worded for people.
type Line struct {
	At     time.Time `json:"at"`
	Kind   string    `json:"kind"`
	Step   string    `json:"step,omitempty"`
	Target string    `json:"target,omitempty"`
	Text   string    `json:"text"`
	Error  string    `json:"error,omitempty"`
}

// Runs groups engine events by run ID, in the order runs first appear.
// Events carry their run's ID; a refusal the harness reports before any
// run started (an instance that does not answer) has none and becomes a
// refused run of its own.
func Runs(events []failback.Event) []Run {
	var order []string
	by := map[string][]failback.Event{}
	for _, e := range events {
		if _, ok := by[e.RunID]; !ok {
			order = append(order, e.RunID)
		}
		by[e.RunID] = append(by[e.RunID], e)
	}
	out := make([]Run, 0, len(order))
	for _, id := range order {
		out = append(out, buildRun(id, by[id]))
	}
	return out
}

func buildRun(id string, events []failback.Event) Run {
	r := Run{ID: id, Outcome: OutcomeIncomplete}
	var d failback.Describer
	pre := map[string]int{}
	var cur *Step
	endStep := func() {
		if cur != nil {
			r.Steps = append(r.Steps, *cur)
			cur = nil
		}
	}
	var lastEnd float64
	for _, e := range events {
		if r.Plan == "" {
			r.Plan = e.Plan
		}
		if !e.Time.IsZero() {
			if r.Started.IsZero() || e.Time.Before(r.Started) {
				r.Started = e.Time
			}
			if e.Time.After(r.Ended) {
				r.Ended = e.Time
			}
		}
		line := Line{At: e.Time, Kind: e.Kind, Step: e.Step, Target: e.Target, Text: d.Describe(e), Error: e.Error}
		r.Lines = append(r.Lines, line)
		switch e.Kind {
		case failback.KindRunStart:
			endStep()
			r.Invocations++
			if r.Invocations == 1 {
				r.Attrs = e.Attrs
				r.Pool = e.Attrs["pool"]
				r.DryRun = e.Attrs["dry-run"] != ""
			}
			r.Outcome, r.Error, r.FailedStep = OutcomeIncomplete, "", ""
		case failback.KindRunEnd:
			endStep()
			r.Outcome, r.Error, r.FailedStep = e.Outcome, e.Error, e.Step
			lastEnd = e.Seconds
		case failback.KindPrecondition:
			p := Precondition{Check: e.Check, Outcome: e.Outcome, Message: e.Message, Warnings: e.Attrs["warnings"], At: e.Time}
			if i, ok := pre[e.Check]; ok {
				r.Preconditions[i] = p
			} else {
				pre[e.Check] = len(r.Preconditions)
				r.Preconditions = append(r.Preconditions, p)
			}
		case failback.KindStepStart:
			endStep()
			cur = &Step{Index: e.Index, Name: e.Step, Title: e.Message, Invocation: max(r.Invocations, 1), Start: e.Time, Outcome: "started"}
		case failback.KindStepEnd:
			if cur == nil || cur.Name != e.Step {
				endStep()
				cur = &Step{Index: e.Index, Name: e.Step, Invocation: max(r.Invocations, 1), Start: e.Time}
			}
			cur.End, cur.Outcome, cur.Error, cur.State = e.Time, e.Outcome, e.Error, line.Text
			endStep()
		case failback.KindSent:
			s := Sent{At: e.Time, Target: e.Target, Text: e.Text, Duration: secs(e.Seconds), Error: e.Error,
				Change: e.Attrs["change"] == "true", Cmdlet: e.Target == failback.PoolTarget}
			if cur != nil {
				cur.Sent = append(cur.Sent, s)
				if s.Cmdlet {
					cur.Cmdlets++
				} else {
					cur.Statements++
				}
			}
		case failback.KindFact:
			switch e.Name {
			case failback.FactOutageStart:
				r.OutageStart = parseTime(e.Value)
			case failback.FactFirstPrimarySession:
				r.OutageEnd = parseTime(e.Value)
			}
		case failback.KindMeasure:
			switch e.Name {
			case failback.MeasureChatOutage:
				r.Outage = secs(e.Seconds)
			case MeasureMessagesLost:
				r.Loss = &Loss{Count: int(e.Seconds), By: orDefault(e.Message, "a check recorded in the journal")}
			}
		case failback.KindPhase:
			// Phases are in the event table; the step row has the step's
			// own outcome.
		default:
			n := Note{At: e.Time, Kind: e.Kind, Text: line.Text}
			if cur != nil {
				cur.Notes = append(cur.Notes, n)
			} else {
				r.Notes = append(r.Notes, n)
			}
		}
	}
	endStep()
	if r.Invocations == 0 {
		// No run started: the harness's refusal of an unreachable instance.
		for _, p := range r.Preconditions {
			if p.Outcome == failback.OutcomeFailed {
				r.Outcome = failback.OutcomeRefused
				r.Error = p.Check + ": " + p.Message
				break
			}
		}
	}
	switch {
	case lastEnd > 0:
		r.Duration = secs(lastEnd)
	case !r.Started.IsZero():
		r.Duration = r.Ended.Sub(r.Started)
	}
	if r.Outage == 0 && !r.OutageStart.IsZero() && r.OutageEnd.After(r.OutageStart) {
		r.Outage = r.OutageEnd.Sub(r.OutageStart)
	}
	return r
}

// StepTotals sums a run's step durations by step name, attempts included,
// in plan order (history's per-step columns).
func (r Run) StepTotals() []StepTotal {
	var out []StepTotal
	idx := map[string]int{}
	for _, s := range r.Steps {
		i, ok := idx[s.Name]
		if !ok {
			i = len(out)
			idx[s.Name] = i
			out = append(out, StepTotal{Index: s.Index, Name: s.Name})
		}
		out[i].Duration += s.Duration()
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Index < out[j].Index })
	return out
}

// StepTotal is one step's time across a run's attempts.
type StepTotal struct {
	Index    int           `json:"index"`
	Name     string        `json:"name"`
	Duration time.Duration `json:"duration"`
}

func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}
	}
	return t
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
