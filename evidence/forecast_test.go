package evidence

import (
	"strings"
	"testing"

	"github.com/pchatdr/harness/failback"
)

// TestForecastBesideActual: a run that recorded its forecast (failback run
// does, in its run-start attributes) shows it beside the measured run time
// and each step's duration; a run without one shows no forecast.
func TestForecastBesideActual(t *testing.T) {
	evs := completedRun()
	attrs := map[string]string{}
	for k, v := range evs[0].Attrs {
		attrs[k] = v
	}
	attrs[AttrForecastRTO] = "88.5"
	attrs[AttrForecastStep+failback.StepRestore] = "41.2"
	evs[0].Attrs = attrs
	rep := fixtureReport()
	rep.Sections = []Section{SectionFromJournal(evs, fixtureObjectives)}
	page := render(t, rep)
	for _, want := range []string{"(forecast 88.5 s)", "Duration (forecast)", "<i>forecast 41.2 s</i>"} {
		if !strings.Contains(page, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if plain := render(t, fixtureReport()); strings.Contains(plain, "forecast") {
		t.Error("a run without a forecast shows one")
	}
	// The history of runs lists the forecast run time beside the measured.
	var b strings.Builder
	History{Rehearsals: []Rehearsal{{Run: Runs(evs)[0], Source: "j"}}}.WriteTable(&b)
	if !strings.Contains(b.String(), "FORECAST") || !strings.Contains(b.String(), "88.5s") {
		t.Errorf("the history table lacks the forecast:\n%s", b.String())
	}
}
