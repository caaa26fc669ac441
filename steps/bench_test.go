package steps_test

import (
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cucumber/godog"

	"github.com/pchatdr/harness/features"
	"github.com/pchatdr/harness/steps"
)

// runSuite runs the embedded scenarios selected by tags, as the drill does
// (three at a time, the drill's default on the embedded target; links
// through Toxiproxy as in the drill), and fails the benchmark if any
// scenario fails: a fast red run measures nothing.
func runSuite(b *testing.B, tags string, paths ...string) {
	b.Helper()
	if len(paths) == 0 {
		paths = []string{"."}
	}
	var ran atomic.Int64
	init := steps.Initializer(steps.Options{TempDir: b.TempDir()})
	suite := godog.TestSuite{
		Name: "pchat-failback-bench",
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			ran.Add(1)
			init(sc)
		},
		Options: &godog.Options{
			Format:      "progress",
			Output:      io.Discard,
			FS:          features.FS,
			Paths:       paths,
			Tags:        tags,
			Strict:      true,
			Concurrency: 3,
		},
	}
	if st := suite.Run(); st != 0 {
		b.Fatalf("scenarios %q %v failed (status %d)", tags, paths, st)
	}
	if ran.Load() == 0 {
		b.Fatalf("no scenario matched %q %v", tags, paths)
	}
}

// BenchmarkEmbeddedSuite is the wall time of the whole embedded suite, as
// `make run` runs it: every scenario, the @slow data sizes and the seeded
// @chaos rehearsals included (goal: under 60 s on the 2-core machine).
func BenchmarkEmbeddedSuite(b *testing.B) {
	for i := 0; i < b.N; i++ {
		start := time.Now()
		runSuite(b, "")
		b.ReportMetric(time.Since(start).Seconds(), "s/suite")
	}
}

// BenchmarkEmbeddedSuiteQuick leaves out the @slow data sizes (the
// 10000+1000-message example is about 20 s of the suite on its own).
func BenchmarkEmbeddedSuiteQuick(b *testing.B) {
	for i := 0; i < b.N; i++ {
		start := time.Now()
		runSuite(b, "~@slow")
		b.ReportMetric(time.Since(start).Seconds(), "s/suite")
	}
}

// BenchmarkHappyPathFailback is one happy-path failback rehearsal: world,
// failover, rebuild, the engine's whole run, every check (goal: under 5 s).
func BenchmarkHappyPathFailback(b *testing.B) {
	for i := 0; i < b.N; i++ {
		start := time.Now()
		runSuite(b, "@happy")
		b.ReportMetric(time.Since(start).Seconds(), "s/scenario")
	}
}
