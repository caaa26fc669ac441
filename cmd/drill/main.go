// Command drill is the harness's main job: it runs the Gherkin scenarios
// against a simulated deployment (embedded by default), prints progress and a
// summary, and writes a report folder (report.html, junit.xml,
// evidence.json, schedule.json, cucumber.json, metrics.prom). It exits 0
// only when every scenario passed (with --schedules-only: when every
// selected scenario drew its fault schedule; they are skipped there).
//
//	drill [--target embedded|containers] [--tags EXPR] [--seed N] [--report DIR] [--pushgateway URL] [--list] [--schedules-only]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/cucumber/godog"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/push"

	"github.com/pchatdr/harness/evidence"
	"github.com/pchatdr/harness/features"
	"github.com/pchatdr/harness/sim/containers"
	"github.com/pchatdr/harness/sim/world"
	"github.com/pchatdr/harness/steps"
)

// Exit codes: 0 all scenarios passed, 1 a scenario failed (or none
// matched), 3 usage or setup error.
const (
	exitFailed = 1
	exitUsage  = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type config struct {
	target, tags, reportDir, pushgateway string
	seed                                 int64
	concurrency                          int
	list, schedulesOnly                  bool
	// expr is the whole selection: --tags, and @containers on that target.
	expr     tagExpr
	exprText string
}

func parse(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("drill", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.target, "target", "embedded", "where the SQL Server instances run: embedded or containers")
	fs.StringVar(&c.tags, "tags", "", `tag expression selecting scenarios: groups joined by && (all hold), a comma for or, ~ for not, e.g. "@embedded && ~@slow"`)
	fs.Int64Var(&c.seed, "seed", 0, "seed for every random choice of the run (0: pick one and print it)")
	fs.StringVar(&c.reportDir, "report", "report", "folder for report.html, junit.xml, evidence.json, cucumber.json, metrics.prom, schedule.json")
	fs.StringVar(&c.pushgateway, "pushgateway", "", "Prometheus Pushgateway URL to push the run's metrics to")
	fs.IntVar(&c.concurrency, "concurrency", 0, "scenarios run at once (0: 3 embedded, 2 on containers)")
	fs.BoolVar(&c.schedulesOnly, "schedules-only", false, "draw the fault schedules of the selected @chaos scenarios from the seed, print them and write schedule.json; run no failback (the scenarios are skipped)")
	fs.BoolVar(&c.list, "list", false, "list the scenarios --tags selects (all without it) with their tags, and every tag; run nothing")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	target, err := world.ParseTarget(c.target)
	if err != nil {
		return c, err
	}
	if c.concurrency < 0 {
		return c, errors.New("--concurrency must be at least 1 (0: the target's default)")
	}
	if c.concurrency == 0 {
		// An embedded scenario mostly waits (on Agent jobs, on chat
		// servers' polls): on the 2-core VM three at once keep the cores
		// about half busy and bring the suite from 55-60 s to 44-45 s.
		// A container scenario starts five containers; two at once.
		c.concurrency = 3
		if target == world.TargetContainers {
			c.concurrency = 2
		}
	}
	if c.seed == 0 {
		c.seed = rand.Int64N(1<<53) + 1
	}
	// Every scenario runs in process; the containers target runs the ones
	// tagged @containers, with every SQL Server in a container.
	c.exprText = strings.TrimSpace(c.tags)
	if target == world.TargetContainers {
		c.exprText = andTag("@containers", c.exprText)
	}
	// Only the @chaos scenarios draw a schedule; any other would run in
	// full.
	if c.schedulesOnly {
		c.exprText = andTag("@chaos", c.exprText)
	}
	if c.expr, err = parseTags(c.exprText); err != nil {
		return c, err
	}
	return c, nil
}

// andTag is the tag expression expr with tag required too.
func andTag(tag, expr string) string {
	if expr == "" {
		return tag
	}
	return tag + " && " + expr
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parse(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "drill:", err)
		}
		return exitUsage
	}
	all, err := catalog(features.FS)
	if err != nil {
		fmt.Fprintln(stderr, "drill: the feature files:", err)
		return exitUsage
	}
	selected := selectScenarios(all, c.expr)
	if c.list {
		writeList(stdout, selected, all)
		return 0
	}
	if len(selected) == 0 {
		// Nothing runs, so nothing is written: an earlier report stays.
		fmt.Fprintf(stderr, "drill: no scenario matches the tags %q; the report folder %s is left as it was\ntags there are: %s\n",
			c.exprText, c.reportDir, strings.Join(tagCounts(all), ", "))
		return exitFailed
	}
	target := world.Target(c.target)
	if target == world.TargetContainers {
		if err := containers.Available(ctx); err != nil {
			fmt.Fprintf(stderr, "drill: target containers needs a Docker daemon: %v\n", err)
			return exitUsage
		}
	}
	if err := os.MkdirAll(c.reportDir, 0o755); err != nil {
		fmt.Fprintln(stderr, "drill:", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "drill: target %s, seed %d (rerun with --seed %d), %d scenarios, report in %s\n\n", c.target, c.seed, c.seed, len(selected), c.reportDir)

	rec := newRecorder(stdout, time.Now())
	if c.schedulesOnly {
		rec.skipped = "--schedules-only: the fault schedule is drawn, no failback runs"
	}
	wctx, stopWatch := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() { defer close(watched); rec.watch(wctx) }()
	started := rec.t0
	suite := godog.TestSuite{
		Name: "pchat-failback",
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			rec.hook(sc)
			steps.Initializer(steps.Options{OnWorld: rec.world, OnResult: rec.result, Links: true,
				Seed: c.seed, OnSchedule: rec.schedule, SchedulesOnly: c.schedulesOnly, Target: target})(sc)
		},
		Options: &godog.Options{
			// junit.xml is written from the evidence: godog's goes
			// negative when scenarios run concurrently.
			Format:         "cucumber:" + filepath.Join(c.reportDir, "cucumber.json"),
			Output:         io.Discard,
			FS:             features.FS,
			Paths:          []string{"."},
			Tags:           c.exprText,
			Strict:         true,
			Concurrency:    c.concurrency,
			Randomize:      c.seed,
			DefaultContext: ctx,
		},
	}
	status := suite.Run()
	stopWatch()
	<-watched
	ended := time.Now()
	total := ended.Sub(started)

	sections := rec.sections()
	rep := evidence.Report{Header: drillHeader(ctx, c, args, started, ended), Sections: sections}
	rep.Header.Topologies = evidence.Topologies(sections)
	fmt.Fprintln(stdout)
	evidence.WriteSummary(stdout, rep)
	writeSchedules(stdout, c.seed, rec.schedules)
	reg := prometheus.NewRegistry()
	evidence.RegisterDrillMetrics(reg, sections, total)
	rec.registerEngineMetrics(reg)
	problems := 0
	if err := prometheus.WriteToTextfile(filepath.Join(c.reportDir, evidence.MetricsFile), reg); err != nil {
		fmt.Fprintln(stderr, "drill: metrics.prom:", err)
		problems++
	}
	if err := writeScheduleJSON(filepath.Join(c.reportDir, "schedule.json"), c.seed, rec.schedules); err != nil {
		fmt.Fprintln(stderr, "drill:", err)
		problems++
	}
	if err := evidence.WriteFolder(c.reportDir, rep); err != nil {
		fmt.Fprintln(stderr, "drill: report:", err)
		problems++
	}
	// Files other writers made get the folder's one mode.
	for _, f := range []string{evidence.MetricsFile, "cucumber.json"} {
		if err := evidence.FixMode(filepath.Join(c.reportDir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			fmt.Fprintln(stderr, "drill:", err)
			problems++
		}
	}
	if c.pushgateway != "" {
		if err := push.New(c.pushgateway, "pchat_drill").Gatherer(reg).PushContext(ctx); err != nil {
			fmt.Fprintln(stderr, "drill: pushgateway:", err)
			problems++
		}
	}
	fmt.Fprintf(stdout, "\nreport: %s (seed %d, %s)\n", filepath.Join(c.reportDir, evidence.HTMLFile), c.seed, total.Round(time.Millisecond))
	if status != 0 || len(sections) == 0 || problems > 0 {
		return exitFailed
	}
	return 0
}

// drillHeader is the report's header for a drill: simulated, with every
// topology file the scenarios used.
func drillHeader(ctx context.Context, c config, args []string, started, ended time.Time) evidence.Header {
	b := evidence.CurrentBuild(ctx)
	return evidence.Header{Title: "Persistent Chat failback drill", Simulated: true, Version: b.Version, Commit: b.Commit,
		Operator: evidence.Operator(), Host: evidence.Hostname(), Target: c.target, Seed: c.seed,
		Command: evidence.CommandLine("drill", args), Started: started.UTC(), Ended: ended.UTC(), Produced: time.Now().UTC()}
}
