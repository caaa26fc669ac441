package steps_test

import (
	"os"
	"reflect"
	"strconv"
	"sync"
	"testing"

	"github.com/cucumber/godog"

	"github.com/pchatdr/harness/features"
	"github.com/pchatdr/harness/steps"
)

// runChaos runs the @chaos rehearsals with seed and returns each
// scenario's schedule.
func runChaos(t *testing.T, seed int64, links bool) map[string]steps.Schedule {
	t.Helper()
	var mu sync.Mutex
	got := map[string]steps.Schedule{}
	suite := godog.TestSuite{
		Name: "chaos",
		ScenarioInitializer: steps.Initializer(steps.Options{TempDir: t.TempDir(), Seed: seed, Links: links,
			OnSchedule: func(name string, s steps.Schedule) {
				t.Logf("%s: fault schedule (seed %d):\n%s", name, s.Seed, s)
				mu.Lock()
				got[name] = s
				mu.Unlock()
			}}),
		Options: &godog.Options{
			Format:      "pretty",
			FS:          features.FS,
			Paths:       []string{"."},
			Tags:        "@chaos",
			TestingT:    t,
			Strict:      true,
			Concurrency: 2,
		},
	}
	if suite.Run() != 0 {
		t.Fatalf("chaos rehearsals with seed %d failed", seed)
	}
	return got
}

// TestChaosSchedule runs the seeded rehearsals and checks each drew its
// own schedule from the seed. PCHAT_CHAOS_SEED picks the seed (to rerun a
// drill's).
func TestChaosSchedule(t *testing.T) {
	t.Parallel()
	seed := int64(42)
	if s := os.Getenv("PCHAT_CHAOS_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatalf("PCHAT_CHAOS_SEED: %v", err)
		}
	}
	got := runChaos(t, seed, os.Getenv("PCHAT_CHAOS_LINKS") != "")
	if len(got) != 3 {
		t.Fatalf("%d schedules drawn, want one per rehearsal (3): %v", len(got), got)
	}
	var seen []steps.Schedule
	for name, s := range got {
		if s.Seed != seed || s.Scenario != name || len(s.Faults) == 0 {
			t.Errorf("%s: schedule %+v, want seed %d and at least one fault", name, s, seed)
		}
		for _, o := range seen {
			if reflect.DeepEqual(o.Faults, s.Faults) {
				t.Errorf("%s drew the same faults as %s", name, o.Scenario)
			}
		}
		seen = append(seen, s)
	}
}
