// Command mutants measures the scenarios: it runs the embedded Gherkin
// scenarios once with the engine's real failback plan (the control, which
// must pass) and once per procedure mutant (failback/mutants), each a
// deliberately wrong plan. A mutant is caught when some scenario fails
// under it; one that passes every scenario survived, and is a mistake the
// harness would let through. Catching comes only from the scenarios'
// assertions and the simulator's real errors: nothing here knows what a
// mutant does wrong.
//
//	mutants [--tags EXPR] [--features a.feature,b.feature] [--mutants a,b] [--step-timeout 20s] [--concurrency 2] [--list]
//
// The last line is "caught N of M mutants". Exit codes: 0 every mutant
// caught, 1 a mutant survived, 2 the control failed (the scenarios do not
// pass with the real plan, so nothing can be concluded), 3 usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cucumber/godog"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/mutants"
	"github.com/pchatdr/harness/features"
	"github.com/pchatdr/harness/steps"
)

const (
	exitSurvived = 1
	exitControl  = 2
	exitUsage    = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type config struct {
	tags        string
	paths       []string // feature files (in features.FS); default all
	only        []string
	stepTimeout time.Duration
	concurrency int
	list        bool
}

func parse(args []string, stderr io.Writer) (config, error) {
	var c config
	var only, paths string
	fs := flag.NewFlagSet("mutants", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.tags, "tags", "@embedded && ~@slow && ~@chaos", "godog tag expression of the scenarios to run per mutant (every in-process scenario but the large-history ones and the seeded chaos rehearsals, whose resumes under a wrong engine run into every step timeout, by default)")
	fs.StringVar(&paths, "features", "", "comma-separated feature files to run, e.g. failback.feature (default: all)")
	fs.StringVar(&only, "mutants", "", "comma-separated mutant names to run (default: all)")
	fs.DurationVar(&c.stepTimeout, "step-timeout", 20*time.Second, "cap on every step's timeout: a mutant that waits for what never comes fails within it")
	fs.IntVar(&c.concurrency, "concurrency", 2, "scenarios run at once")
	fs.BoolVar(&c.list, "list", false, "list the mutants and exit")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if c.concurrency < 1 || c.stepTimeout <= 0 {
		return c, errors.New("--concurrency and --step-timeout must be positive")
	}
	for _, p := range strings.Split(paths, ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.paths = append(c.paths, p)
		}
	}
	for _, n := range strings.Split(only, ",") {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		if _, ok := mutants.ByName(n); !ok {
			return c, fmt.Errorf("unknown mutant %q (see --list)", n)
		}
		c.only = append(c.only, n)
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parse(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "mutants:", err)
		}
		return exitUsage
	}
	all := mutants.All()
	if c.list {
		for _, m := range all {
			fmt.Fprintf(stdout, "%-28s %s\n", m.Name, m.Description)
		}
		return 0
	}
	if len(c.only) > 0 {
		var sel []mutants.Mutant
		for _, n := range c.only {
			m, _ := mutants.ByName(n)
			sel = append(sel, m)
		}
		all = sel
	}
	fmt.Fprintf(stdout, "mutants: scenarios %q, step timeout %s\n", c.tags, c.stepTimeout)
	ctl := runMutant(ctx, mutants.Control(), c)
	if ctl.Caught || ctl.Scenarios == 0 {
		fmt.Fprintf(stdout, "control FAILED: %s\n", ctl.why())
		fmt.Fprintln(stdout, "the scenarios do not pass with the real plan: no mutant can be judged")
		return exitControl
	}
	fmt.Fprintf(stdout, "control  passed %d scenarios (%s)\n", ctl.Scenarios, ctl.Duration.Round(time.Millisecond))
	caught := 0
	var survivors []string
	for _, m := range all {
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "mutants: interrupted")
			return exitUsage
		}
		o := runMutant(ctx, m, c)
		if o.Caught {
			caught++
			fmt.Fprintf(stdout, "caught   %-28s %s, %d of %d scenarios failed; first %s\n", m.Name, o.Duration.Round(time.Millisecond), o.Failed, o.Scenarios, o.why())
		} else {
			survivors = append(survivors, m.Name)
			fmt.Fprintf(stdout, "SURVIVED %-28s %s: %s (passed %d scenarios)\n", m.Name, o.Duration.Round(time.Millisecond), m.Description, o.Scenarios)
		}
	}
	if len(survivors) > 0 {
		fmt.Fprintf(stdout, "survivors: %s\n", strings.Join(survivors, ", "))
	}
	fmt.Fprintf(stdout, "caught %d of %d mutants\n", caught, len(all))
	if caught < len(all) {
		return exitSurvived
	}
	return 0
}

// Outcome is what one suite run under a plan found.
type Outcome struct {
	Caught    bool
	Scenarios int    // scenarios run
	Failed    int    // scenarios that failed
	Scenario  string // the first failing scenario
	Step      string // its failing step ("" when a hook failed)
	Err       string
	Duration  time.Duration
}

func (o Outcome) why() string {
	if o.Scenarios == 0 {
		return "no scenario matched the tags"
	}
	where := fmt.Sprintf("scenario %q", o.Scenario)
	if o.Step != "" {
		where += fmt.Sprintf(" at step %q", o.Step)
	}
	return where + ": " + oneLine(o.Err, 300)
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// runMutant runs the scenarios with m's plan, bounded per step.
// suiteOutput receives godog's own progress output (tests may show it).
var suiteOutput io.Writer = io.Discard

func runMutant(ctx context.Context, m mutants.Mutant, c config) Outcome {
	var mu sync.Mutex
	var o Outcome
	t0 := time.Now()
	first := func(scenario, step string, err error) {
		mu.Lock()
		defer mu.Unlock()
		if o.Caught {
			return
		}
		o.Caught, o.Scenario, o.Step = true, scenario, step
		if err != nil {
			o.Err = err.Error()
		}
	}
	plan := func() *failback.Plan { return mutants.Bounded(m.Plan(), c.stepTimeout) }
	var failoverPlan func() *failback.Plan
	if m.FailoverPlan != nil {
		failoverPlan = func() *failback.Plan { return mutants.Bounded(m.FailoverPlan(), c.stepTimeout) }
	}
	paths := c.paths
	if len(paths) == 0 {
		paths = []string{"."}
	}
	suite := godog.TestSuite{
		Name: "mutant-" + m.Name,
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			var name string
			sc.Before(func(ctx context.Context, s *godog.Scenario) (context.Context, error) {
				name = s.Name
				mu.Lock()
				o.Scenarios++
				mu.Unlock()
				return ctx, nil
			})
			sc.StepContext().After(func(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
				switch status {
				case godog.StepFailed:
					first(name, st.Text, err)
				case godog.StepUndefined, godog.StepPending:
					first(name, st.Text, fmt.Errorf("step is %s", status))
				}
				return ctx, nil
			})
			sc.After(func(ctx context.Context, s *godog.Scenario, err error) (context.Context, error) {
				if err != nil {
					first(s.Name, "", err)
					mu.Lock()
					o.Failed++
					mu.Unlock()
				}
				return ctx, nil
			})
			steps.Initializer(steps.Options{Plan: plan, FailoverPlan: failoverPlan})(sc)
		},
		Options: &godog.Options{
			Format:         "progress",
			Output:         suiteOutput,
			FS:             features.FS,
			Paths:          paths,
			Tags:           c.tags,
			Strict:         true,
			Concurrency:    c.concurrency,
			DefaultContext: ctx,
		},
	}
	if status := suite.Run(); status != 0 {
		first("(suite)", "", fmt.Errorf("godog exit status %d", status))
	}
	o.Duration = time.Since(t0)
	return o
}
