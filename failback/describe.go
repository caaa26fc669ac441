package failback

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Describer turns events into one-line descriptions for people (the
// world's timeline, report.html's event table). It is stateful for one
// reason: a step-end event carries what the step's check found before it
// acted, and only the step-start event carries the step's title, which is
// what a verified step has established. Without that, a step-end row would
// read "pool state is FailedOver" right after the step set it to Normal.
// Safe for concurrent use.
type Describer struct {
	mu     sync.Mutex
	titles map[string]string // step name -> title, from step-start events
}

// Describe returns a non-empty description of e: every kind reads as a
// sentence, so no row of a table built from it is blank. The event's
// error is not repeated (callers show Error beside it), except where it is
// the whole story (a failed step-end or phase says what failed).
func (d *Describer) Describe(e Event) string {
	switch e.Kind {
	case KindSent:
		// The exact text sent, as it is: orderings and reports search it.
		if t := strings.TrimSpace(e.Text); t != "" {
			return t
		}
		return "(empty text) to " + e.Target
	case KindStepStart:
		d.mu.Lock()
		if d.titles == nil {
			d.titles = map[string]string{}
		}
		d.titles[e.Step] = e.Message
		d.mu.Unlock()
		return withPrefix(fmt.Sprintf("step %d %s", e.Index, e.Step), e.Message)
	case KindStepEnd:
		return d.stepEnd(e)
	case KindRunStart:
		s := e.Message
		if s == "" {
			s = e.Plan + " of " + e.Attrs["pool"]
		}
		switch {
		case e.Attrs["dry-run"] != "":
			s += ": plan only, nothing is changed"
		case e.Attrs["resume"] != "":
			s += ": resumed from the journal"
		default:
			s += ": started"
		}
		return s
	case KindRunEnd:
		s := "run ended: " + orWord(e.Outcome, "no outcome")
		if e.Seconds > 0 {
			s += " after " + Seconds(e.Seconds)
		}
		if e.Step != "" {
			s += " at step " + e.Step
		}
		return s
	case KindPrecondition:
		msg := strings.TrimSpace(e.Message)
		if msg == "" {
			msg = "no message"
		}
		return fmt.Sprintf("precondition %s: %s: %s", e.Check, e.Outcome, msg)
	case KindPhase:
		s := fmt.Sprintf("%s %s", orWord(e.Phase, "phase"), orWord(e.Outcome, "ended"))
		if e.Seconds > 0 {
			s += " in " + Seconds(e.Seconds)
		}
		return s
	case KindFact:
		return fmt.Sprintf("fact %s = %s", e.Name, orWord(e.Value, `""`))
	case KindMeasure:
		return fmt.Sprintf("measured %s = %s", e.Name, Seconds(e.Seconds))
	case KindNote:
		return orWord(strings.TrimSpace(e.Message), "note")
	}
	// A kind this build does not know (a newer engine's journal): say what
	// there is rather than nothing.
	parts := []string{e.Kind}
	for _, s := range []string{e.Name, e.Message, e.Text, e.Value} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ": ")
}

// stepEnd says what holds after the step: for a step the engine applied,
// its title (what its Verify has just confirmed) with the state its check
// found before; for one already in place, that state.
func (d *Describer) stepEnd(e Event) string {
	d.mu.Lock()
	title := d.titles[e.Step]
	d.mu.Unlock()
	found := strings.TrimSpace(e.Message)
	switch e.Outcome {
	case OutcomeVerified:
		s := "verified: " + orWord(title, e.Step)
		if found != "" {
			s += " (before: " + found + ")"
		}
		return s
	case OutcomeAlreadyDone:
		return withPrefix("already done, verified", found)
	case OutcomeSkipped:
		return withPrefix("skipped", found)
	case OutcomeDone:
		return withPrefix("already in place", found)
	case OutcomeNotDone:
		return withPrefix("would apply: "+orWord(title, e.Step), found)
	case OutcomeFailed:
		if found != "" {
			return "failed (before: " + found + ")"
		}
		return "failed"
	}
	return withPrefix(orWord(e.Outcome, "ended"), found)
}

// Seconds formats a duration in seconds for people: 1.234s, 12ms, 2m3s.
func Seconds(s float64) string {
	d := time.Duration(s * float64(time.Second))
	if d >= time.Millisecond {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Microsecond).String()
}

func withPrefix(prefix, s string) string {
	if s == "" {
		return prefix
	}
	return prefix + ": " + s
}

func orWord(s, word string) string {
	if s == "" {
		return word
	}
	return s
}
