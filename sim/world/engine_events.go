package world

import (
	"github.com/pchatdr/harness/failback"
)

// EngineSink puts an engine run's events on the timeline under component
// ("engine" for the failback, FailoverComponent for the world's failover):
// each statement and cmdlet, check outcome and step boundary, with the
// event's error, so reports and ordering assertions see the engine next to
// everything else. failback.Describer words each event, so no row is
// blank and a step-end says what holds after the step, not what its check
// found before.
func (t *Timeline) EngineSink(component string) failback.Sink {
	var d failback.Describer
	return failback.SinkFunc(func(e failback.Event) {
		t.Add(component, e.Kind, d.Describe(e), errorText(e.Error))
	})
}
