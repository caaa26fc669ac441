package steps_test

import (
	"context"
	"flag"
	"os"
	"sync"
	"testing"

	"github.com/cucumber/godog"

	"github.com/pchatdr/harness/features"
	"github.com/pchatdr/harness/securitytest"
	"github.com/pchatdr/harness/sim/containers"
	"github.com/pchatdr/harness/sim/world"
	"github.com/pchatdr/harness/steps"
)

// scenarios overrides TestFeatures' tag expression. CI runs each scenario
// once: make race runs `-race -short` (all but @slow, under the race
// detector), make unit `-scenarios=@slow` without it.
var scenarios = flag.String("scenarios", "", "godog tag expression of the scenarios TestFeatures runs (default: all; ~@slow with -short)")

// concurrency is how many scenarios TestFeatures runs at once. A scenario
// mostly waits (on its world's Agent and log-shipping schedules, the
// engine's polls, the link model's delays), so more run at once than the
// machine has cores: the -short run under the race detector, alone on the
// 2-core machine, took 125 s of wall time for 125 CPU s at 2, 85 s at 4
// and 85 s at 6 (CPU-bound from there).
var concurrency = flag.Int("concurrency", 4, "scenarios TestFeatures runs at once")

// TestFeatures runs every scenario in process (with -short, but the @slow
// ones) with scenarios in parallel, as the drill does, and scans every
// output the drill would write for them for the secrets their worlds
// generated (securitytest.Scan).
func TestFeatures(t *testing.T) {
	// The package's three suites (this, the containers' and the chaos
	// schedule's) build worlds of their own and mostly wait: side by side
	// make unit's plain @slow run took 28.5 s, one after the other 48.5 s.
	t.Parallel()
	tags := *scenarios
	if tags == "" && testing.Short() {
		tags = "~@slow"
	}
	scan := securitytest.NewScan(t.TempDir(), world.TargetEmbedded)
	suite := godog.TestSuite{
		Name:                "pchat-failback",
		ScenarioInitializer: steps.Initializer(scan.Options(steps.Options{TempDir: t.TempDir()})),
		Options: &godog.Options{
			Format:      scan.Format("progress"),
			Output:      scan.Console(os.Stdout),
			FS:          features.FS,
			Paths:       []string{"."},
			Tags:        tags,
			TestingT:    t,
			Strict:      true,
			Concurrency: *concurrency,
		},
	}
	if suite.Run() != 0 {
		t.Fatal("scenarios failed")
	}
	scan.Check(t)
}

// TestContainerScenarios runs the @containers scenarios with every SQL
// Server in a container, as `drill --target containers` does. A scenario
// whose fault cannot be done on containers is skipped (not passed), and
// the world labels it; the test checks both.
func TestContainerScenarios(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts Docker containers for every scenario")
	}
	if err := containers.Available(context.Background()); err != nil {
		t.Skipf("the containers target needs Docker: %v", err)
	}
	var mu sync.Mutex
	labels := map[string][]world.Label{}
	scan := securitytest.NewScan(t.TempDir(), world.TargetContainers)
	suite := godog.TestSuite{
		Name: "pchat-failback-containers",
		ScenarioInitializer: steps.Initializer(scan.Options(steps.Options{TempDir: t.TempDir(), Target: world.TargetContainers,
			OnWorld: func(name string, w *world.World) {
				if w.Target() != world.TargetContainers {
					t.Errorf("%s: world on target %s", name, w.Target())
				}
				mu.Lock()
				labels[name] = w.Labels()
				mu.Unlock()
			}})),
		Options: &godog.Options{
			Format:      scan.Format("progress"),
			Output:      scan.Console(os.Stdout),
			FS:          features.FS,
			Paths:       []string{"."},
			Tags:        "@containers",
			TestingT:    t,
			Concurrency: 2,
		},
	}
	if suite.Run() != 0 {
		t.Fatal("scenarios failed")
	}
	scan.Check(t)
	// Nothing is emulated: the endpoint container does
	// Install-CsMirrorDatabase's SQL Server side itself over TDS.
	notApplicable := map[string][]world.Label{}
	for name, ls := range labels {
		for _, l := range ls {
			switch {
			case l.Kind == world.LabelNotApplicable:
				notApplicable[name] = append(notApplicable[name], l)
			default:
				t.Errorf("%q: unexpected label %v", name, l)
			}
		}
	}
	share := "The share becomes unreachable mid-run: the backup step fails with 3201, nothing is restored"
	if l := notApplicable[share]; len(l) != 1 {
		t.Errorf("%q: labels %v, want one not-applicable label", share, labels[share])
	}
	if len(labels) < 5 {
		t.Errorf("%d scenarios ran on containers, want at least 5", len(labels))
	}
}
