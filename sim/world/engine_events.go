package world

import (
	"strings"

	"github.com/pchatdr/harness/failback"
)

// EngineSink puts an engine run's events on the timeline under component
// ("engine" for the failback, FailoverComponent for the world's failover):
// each statement and cmdlet, check outcome and step boundary, with the
// event's error, so reports and ordering assertions see the engine next to
// everything else.
func (t *Timeline) EngineSink(component string) failback.Sink {
	return failback.SinkFunc(func(e failback.Event) {
		detail := e.Message
		if e.Text != "" {
			detail = e.Text
		}
		if e.Check != "" {
			detail = e.Check + ": " + e.Outcome + " " + e.Message
		}
		t.Add(component, e.Kind, strings.TrimSpace(detail), errorText(e.Error))
	})
}
