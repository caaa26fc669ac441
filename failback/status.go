package failback

import (
	"fmt"
	"strings"
	"time"
)

// StepSummary is one step's latest state in a journal.
type StepSummary struct {
	Index   int
	Name    string
	Outcome string // latest step-end outcome, "started" when it never ended
	Seconds float64
	Error   string
}

// Summary is what `status` prints about a journal.
type Summary struct {
	RunID         string
	Plan          string
	Pool          string
	Started       time.Time
	Last          time.Time
	Invocations   int    // run-start events (1 + resumes)
	Outcome       string // latest run-end outcome, or "incomplete" (crashed or running)
	Error         string
	Preconditions map[string]string // name -> latest outcome
	Steps         []StepSummary
	Torn          bool
}

// Summarize reduces a journal's events.
func Summarize(events []Event, torn bool) Summary {
	s := Summary{Preconditions: map[string]string{}, Torn: torn, Outcome: "incomplete"}
	idx := map[string]int{}
	for _, e := range events {
		if s.RunID == "" {
			s.RunID = e.RunID
		}
		if !e.Time.IsZero() && e.Time.After(s.Last) {
			s.Last = e.Time
		}
		switch e.Kind {
		case KindRunStart:
			s.Invocations++
			if s.Started.IsZero() {
				s.Started, s.Plan, s.Pool = e.Time, e.Plan, e.Attrs["pool"]
			}
			s.Outcome, s.Error = "incomplete", ""
		case KindRunEnd:
			s.Outcome, s.Error = e.Outcome, e.Error
		case KindPrecondition:
			s.Preconditions[e.Check] = e.Outcome
		case KindStepStart, KindStepEnd:
			i, ok := idx[e.Step]
			if !ok {
				i = len(s.Steps)
				idx[e.Step] = i
				s.Steps = append(s.Steps, StepSummary{Index: e.Index, Name: e.Step})
			}
			if e.Kind == KindStepStart {
				s.Steps[i].Outcome, s.Steps[i].Error = "started", ""
			} else {
				s.Steps[i].Outcome, s.Steps[i].Seconds, s.Steps[i].Error = e.Outcome, e.Seconds, e.Error
			}
		}
	}
	return s
}

// String renders the summary for a terminal.
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "run %s: plan %s of %s\n", s.RunID, s.Plan, s.Pool)
	fmt.Fprintf(&b, "started %s, last event %s, %d invocation(s)\n", s.Started.UTC().Format(time.RFC3339), s.Last.UTC().Format(time.RFC3339), s.Invocations)
	fmt.Fprintf(&b, "outcome: %s\n", s.Outcome)
	if s.Error != "" {
		fmt.Fprintf(&b, "error: %s\n", s.Error)
	}
	for _, st := range s.Steps {
		fmt.Fprintf(&b, "  %d. %-24s %-13s %8.1fs", st.Index, st.Name, st.Outcome, st.Seconds)
		if st.Error != "" {
			fmt.Fprintf(&b, "  %s", st.Error)
		}
		b.WriteByte('\n')
	}
	if s.Torn {
		b.WriteString("(the journal's last line was torn by a crash and ignored)\n")
	}
	return b.String()
}
