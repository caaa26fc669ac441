package steps_test

import (
	"testing"

	"github.com/cucumber/godog"

	"github.com/pchatdr/harness/features"
	"github.com/pchatdr/harness/steps"
)

// TestFeatures runs every embedded scenario (but the container ones, and
// with -short the @slow ones) with scenarios in parallel, as the drill does.
func TestFeatures(t *testing.T) {
	tags := "~@containers"
	if testing.Short() {
		tags += " && ~@slow"
	}
	suite := godog.TestSuite{
		Name:                "pchat-failback",
		ScenarioInitializer: steps.Initializer(steps.Options{TempDir: t.TempDir()}),
		Options: &godog.Options{
			Format:      "progress",
			FS:          features.FS,
			Paths:       []string{"."},
			Tags:        tags,
			TestingT:    t,
			Strict:      true,
			Concurrency: 2,
		},
	}
	if suite.Run() != 0 {
		t.Fatal("scenarios failed")
	}
}
