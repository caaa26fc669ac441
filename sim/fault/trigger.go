package fault

import (
	"strings"

	"github.com/pchatdr/harness/failback"
)

// Point is where in a step a fault hits.
type Point string

// Points of a step.
const (
	AtStart  Point = "start"  // as the step starts, before its check
	AtApply  Point = "apply"  // after its check, before it applies its change
	AtVerify Point = "verify" // after it applied, before it verifies
)

// Points lists the points in a step's order (a schedule draws from it).
func Points() []Point { return []Point{AtStart, AtApply, AtVerify} }

func (p Point) String() string {
	switch p {
	case AtApply:
		return "after the step's check, before it applies"
	case AtVerify:
		return "after the step applied, before it verifies"
	}
	return "as the step starts"
}

// A Trigger picks the engine event an armed fault fires at. Triggers run
// on the engine's goroutine, one event at a time, so "before the RESTORE
// goes out" is exact, not a guess.
type Trigger struct {
	what  string
	match func(failback.Event) bool
}

func (t Trigger) String() string { return t.what }

// AtStep fires when the engine reaches point p of step: its start, the
// end of a successful check, or the end of a successful apply.
func AtStep(step string, p Point) Trigger {
	return Trigger{
		what: "step " + step + " " + p.String(),
		match: func(e failback.Event) bool {
			if e.Step != step {
				return false
			}
			switch p {
			case AtApply:
				return e.Kind == failback.KindPhase && e.Phase == failback.PhaseCheck && e.Outcome == failback.OutcomeOK
			case AtVerify:
				return e.Kind == failback.KindPhase && e.Phase == failback.PhaseApply && e.Outcome == failback.OutcomeOK
			}
			return e.Kind == failback.KindStepStart
		},
	}
}

// AfterSent fires at the first statement step sends in phase after one
// containing text: step 4's apply reads FILELISTONLY, then the database's
// files, then restores, so AfterSent(StepRestore, PhaseApply,
// "FILELISTONLY") hits between the last read and the RESTORE.
func AfterSent(step, phase, text string) Trigger {
	seen := false
	return Trigger{
		what: "in step " + step + " " + phase + ", after the engine sent " + text,
		match: func(e failback.Event) bool {
			if e.Kind != failback.KindSent || e.Step != step || e.Phase != phase {
				return false
			}
			if strings.Contains(e.Text, text) {
				seen = true
				return false
			}
			return seen
		},
	}
}
