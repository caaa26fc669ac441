package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/pchatdr/harness/evidence"
	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/metrics"
	"github.com/pchatdr/harness/failback/topology"
)

// Exit codes (design.md §3.2).
const (
	exitDone    = 0
	exitFailed  = 1
	exitRefused = 2
	exitUsage   = 3
)

// connect opens the live deployment; tests replace it with an in-memory one.
var connect = func(ctx context.Context, t *topology.Topology, o failback.Options) (*failback.Connection, error) {
	return failback.Connect(ctx, t, o)
}

const usage = `usage: failback plan|run|resume|status --topology FILE [--plan failback|failover] [--journal FILE]
       [--confirm POOLFQDN] [--primary-site-lost [--force-with-live-primary]] [--metrics-textfile F]
       [--pushgateway URL] [--metrics-listen ADDR] [--json] [--allow-replace-newer-primary]
       failback report --journal FILE --out DIR [--topology FILE]
       failback history [--out FILE] DIR...
       failback forecast --topology FILE [--calibrate JOURNAL] [--json]

  plan    check the preconditions and print every statement and cmdlet a run would send; changes nothing
  run     run the plan; needs --confirm equal to the topology's pool FQDN, and for
          --plan failover also --primary-site-lost (the primary data center is lost)
  resume  continue the run recorded in --journal from the first step not verified; same flags as run
  status  summarise --journal
  report  write a run's evidence from its journal into --out: report.html (verdict per objective first),
          junit.xml, evidence.json, metrics.prom; --topology supplies the objectives of a journal that
          predates recording them
  history list every run found under the folders (report folders and journals) with its date, plan,
          outcome, RTO, outage and step durations, and draw the trend in one HTML page (--out, default
          history.html)
--plan failback (default) fails the pool back to the rebuilt primary data center (reference §4);
--plan failover fails it over to the backup data center (reference §3).
--primary-site-lost states the operator's decision; it overrides precondition primary-site-lost
  only when a primary-site instance answers but its mgc cannot be read. A primary mgc the engine
  reaches and finds ONLINE and writable still refuses the failover (two writable copies: split
  brain) unless --force-with-live-primary is given too: stop or fence the primary instead.
  forecast read mgc's size, msdb's backup and restore history and free space from the servers and
          the link from the topology (read-only) and print each step's forecast duration, the forecast
          RTO and outage against the objectives (met / not met) and the assumptions; --calibrate takes
          the time that does not grow with mgc from an earlier run's journal (a rehearsal); --json for machines
The default journal is <plan>-<pool FQDN>.journal.
exit codes: 0 done, 1 step failed, 2 precondition refused, 3 usage or configuration error
`

type cliFlags struct {
	topology, journal, confirm, textfile, pushgateway, listen, plan, out, calibrate string
	json, allowNewer, siteLost, forceLive, planSet                                  bool
	command                                                                         string
	drain, arrival, jobTimeout, poll                                                time.Duration
}

// run is the whole CLI, callable in-process by tests.
func run(args []string, stdout, stderr io.Writer) int {
	return runCtx(context.Background(), args, stdout, stderr)
}

func runCtx(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitDone
	}
	cmd := args[0]
	fs := flag.NewFlagSet("failback "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := cliFlags{command: evidence.CommandLine("failback", args)}
	fs.StringVar(&f.topology, "topology", "", "topology file")
	fs.StringVar(&f.plan, "plan", failback.PlanFailback, "the plan: failback (to the primary data center) or failover (to the backup data center)")
	fs.StringVar(&f.journal, "journal", "", "journal file (JSON lines); default <plan>-<pool>.journal")
	fs.BoolVar(&f.siteLost, "primary-site-lost", false, "failover: the operator declares the primary data center lost (required by run/resume --plan failover; overrides precondition primary-site-lost, except for a reachable, writable primary mgc)")
	fs.BoolVar(&f.forceLive, "force-with-live-primary", false, "failover, with --primary-site-lost: fail over even though the primary mgc answers ONLINE and writable (split brain: two writable copies)")
	fs.StringVar(&f.confirm, "confirm", "", "the pool FQDN, to confirm run/resume")
	fs.StringVar(&f.textfile, "metrics-textfile", "", "write metrics here at the end (node_exporter textfile)")
	fs.StringVar(&f.pushgateway, "pushgateway", "", "push metrics to this Pushgateway URL at the end")
	fs.StringVar(&f.listen, "metrics-listen", "", "serve /metrics on ADDR while running")
	fs.BoolVar(&f.json, "json", false, "write events to stdout as JSON lines")
	fs.BoolVar(&f.allowNewer, "allow-replace-newer-primary", false, "override precondition primary-not-newer: accept losing data only the primary mgc holds")
	fs.DurationVar(&f.drain, "session-drain-timeout", 0, "how long step 1 waits for chat sessions to leave the backup databases (default 5m)")
	fs.DurationVar(&f.arrival, "chat-arrival-timeout", 0, "how long step 7 waits for a chat session on the primary mgc (default 10m)")
	fs.DurationVar(&f.jobTimeout, "job-timeout", 0, "how long step 5 waits for each log-shipping job (default 10m)")
	fs.DurationVar(&f.poll, "poll-interval", 0, "how often a wait re-reads the state it waits on (default 2s)")
	fs.StringVar(&f.calibrate, "calibrate", "", "forecast: an earlier run's journal to take the steps' fixed time from")
	fs.StringVar(&f.out, "out", "", "report: the folder to write the evidence into; history: the HTML page (default history.html)")
	switch cmd {
	case "plan", "run", "resume", "status", "report", "history", "forecast":
	default:
		fmt.Fprintf(stderr, "failback: unknown command %q\n%s", cmd, usage)
		return exitUsage
	}
	if err := fs.Parse(args[1:]); err != nil {
		return exitUsage
	}
	if cmd == "history" {
		return history(fs.Args(), f.out, stdout, stderr)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "failback %s: unexpected argument %q\n", cmd, fs.Arg(0))
		return exitUsage
	}
	fs.Visit(func(fl *flag.Flag) {
		if fl.Name == "plan" {
			f.planSet = true
		}
	})
	if _, err := failback.PlanByName(f.plan); err != nil {
		fmt.Fprintf(stderr, "failback %s: --plan: %v\n", cmd, err)
		return exitUsage
	}
	if f.forceLive && (f.plan != failback.PlanFailover || !f.siteLost) {
		fmt.Fprintf(stderr, "failback %s: --force-with-live-primary only goes with --plan failover --primary-site-lost\n", cmd)
		return exitUsage
	}
	if cmd == "status" {
		return status(f, stdout, stderr)
	}
	if cmd == "report" {
		return report(f, stdout, stderr)
	}
	if f.topology == "" {
		fmt.Fprintf(stderr, "failback %s: --topology is required\n", cmd)
		return exitUsage
	}
	topo, err := topology.Load(f.topology)
	if err != nil {
		fmt.Fprintf(stderr, "failback %s: %v\n", cmd, err)
		return exitUsage
	}
	if cmd == "forecast" {
		return forecast(ctx, topo, f.calibrate, f.json, stdout, stderr)
	}
	if f.journal == "" {
		f.journal = defaultJournal(f.plan, topo)
	}
	if cmd == "run" || cmd == "resume" {
		if f.confirm == "" {
			what := "this overwrites the primary mgc and reconfigures the pool"
			if f.plan == failback.PlanFailover {
				what = "this recovers the backup mgc and moves the pool to the backup data center"
			}
			fmt.Fprintf(stderr, "failback %s: refusing without --confirm %s (the pool FQDN): %s\n", cmd, topo.Pool.FQDN, what)
			return exitUsage
		}
		if !strings.EqualFold(strings.TrimSuffix(f.confirm, "."), topo.Pool.FQDN) {
			fmt.Fprintf(stderr, "failback %s: --confirm %q does not match the topology's pool %s; refusing\n", cmd, f.confirm, topo.Pool.FQDN)
			return exitUsage
		}
		if f.plan == failback.PlanFailover && !f.siteLost {
			fmt.Fprintf(stderr, "failback %s --plan failover: refusing without --primary-site-lost: a failover while the primary mgc still serves chat leaves two writable copies; state that the primary data center is lost\n", cmd)
			return exitUsage
		}
	}
	var previous []failback.Event
	switch cmd {
	case "run":
		if evs, _, err := failback.ReadJournalFile(f.journal); err == nil && len(evs) > 0 {
			fmt.Fprintf(stderr, "failback run: journal %s already holds run %s; use `failback resume` or another --journal\n", f.journal, evs[0].RunID)
			return exitUsage
		}
	case "resume":
		evs, torn, err := failback.ReadJournalFile(f.journal)
		if err != nil {
			fmt.Fprintf(stderr, "failback resume: %v\n", err)
			return exitUsage
		}
		if len(evs) == 0 {
			fmt.Fprintf(stderr, "failback resume: journal %s holds no run; use `failback run`\n", f.journal)
			return exitUsage
		}
		if torn {
			fmt.Fprintf(stderr, "failback resume: the journal's last line was torn by a crash and is ignored\n")
		}
		if p := journalPlan(evs); p != "" && p != f.plan {
			fmt.Fprintf(stderr, "failback resume: journal %s holds a %s run, not %s: pass --plan %s\n", f.journal, p, f.plan, p)
			return exitUsage
		}
		previous = evs
	}
	opts := failback.Options{AllowReplaceNewerPrimary: f.allowNewer, SessionDrainTimeout: f.drain, ChatArrivalTimeout: f.arrival, JobTimeout: f.jobTimeout, PollInterval: f.poll,
		PrimarySiteLost: f.siteLost, ForceWithLivePrimary: f.forceLive, PrimaryMayBeDown: f.plan == failback.PlanFailover}
	return execute(ctx, cmd, f, topo, opts, previous, stdout, stderr)
}

func execute(ctx context.Context, cmd string, f cliFlags, topo *topology.Topology, opts failback.Options, previous []failback.Event, stdout, stderr io.Writer) int {
	m := metrics.New()
	m.SetObjective(topo.Objectives.RTO)
	progress := newProgress(stderr)
	defer progress.Close()
	sinks := []failback.Sink{m, progress}
	if f.json {
		sinks = append(sinks, jsonSink(stdout))
	}
	defer exportMetrics(ctx, m, f, topo, stderr)

	if f.listen != "" {
		ln, err := net.Listen("tcp", f.listen)
		if err != nil {
			fmt.Fprintf(stderr, "failback %s: --metrics-listen: %v\n", cmd, err)
			return exitUsage
		}
		mux := http.NewServeMux()
		mux.Handle("/metrics", m.Handler())
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(ln)
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			srv.Shutdown(sctx)
		}()
		fmt.Fprintf(stderr, "serving metrics on http://%s/metrics\n", ln.Addr())
	}

	conn, err := connect(ctx, topo, opts)
	if err != nil {
		if check, msg, ok := failback.ConnectRefusal(f.plan, err); ok {
			m.Event(failback.Event{Kind: failback.KindPrecondition, Check: check, Outcome: failback.OutcomeFailed, Message: msg})
			fmt.Fprintf(stderr, "failback %s refused, nothing changed: precondition %s: %s\n", cmd, check, msg)
			return exitRefused
		}
		fmt.Fprintf(stderr, "failback %s: %v\n", cmd, err)
		return exitUsage
	}
	defer conn.Close()
	plan, _ := failback.PlanByName(f.plan)
	// The run records who ran it, where, with which topology, harness and
	// objectives: `failback report` writes the evidence's header from it.
	attrs := evidence.RunAttrs(evidence.CurrentBuild(ctx), topo.File, topo.Digest, evidence.ObjectivesOf(topo.Objectives), f.command)
	r := &failback.Runner{Plan: plan, Env: conn.Env, Sinks: sinks, Previous: previous, Attrs: attrs}

	if cmd == "plan" {
		var planned *planPrinter
		if !f.json {
			planned = &planPrinter{w: stdout}
			r.Sinks = append(r.Sinks, planned)
		}
		_, err := r.DryRun(ctx)
		switch {
		case errors.Is(err, failback.ErrRefused):
			return exitRefused
		case err != nil:
			fmt.Fprintf(stderr, "failback plan: %v\n", err)
			return exitFailed
		}
		return exitDone
	}

	j, err := failback.OpenJournal(f.journal, conn.Secrets...)
	if err != nil {
		fmt.Fprintf(stderr, "failback %s: %v\n", cmd, err)
		return exitUsage
	}
	defer j.Close()
	r.Journal = j
	if f.plan == failback.PlanFailback && previous == nil {
		startForecast(ctx, conn.Env, topo, attrs, stderr)
		r.Sinks = append(r.Sinks, forecastBeside(attrs, stderr))
	}
	res, err := r.Run(ctx)
	switch {
	case err == nil:
		fmt.Fprintf(stderr, "%s of %s done in %s (run %s, journal %s)\n", f.plan, topo.Pool.FQDN, res.Duration.Round(time.Second), res.RunID, f.journal)
		return exitDone
	case errors.Is(err, failback.ErrRefused):
		fmt.Fprintf(stderr, "failback %s refused, nothing changed: %v\n", cmd, err)
		return exitRefused
	case res.RunID == "":
		fmt.Fprintf(stderr, "failback %s: %v\n", cmd, err)
		return exitUsage
	default:
		extra := ""
		if f.plan == failback.PlanFailover {
			extra = " --plan failover --primary-site-lost"
			if f.forceLive {
				extra += " --force-with-live-primary"
			}
		}
		fmt.Fprintf(stderr, "failback %s stopped at step %s: %v\nfix the cause, then: failback resume --topology %s --journal %s --confirm %s%s\n",
			cmd, res.Failed, err, f.topology, f.journal, topo.Pool.FQDN, extra)
		return exitFailed
	}
}

func exportMetrics(ctx context.Context, m *metrics.Metrics, f cliFlags, topo *topology.Topology, stderr io.Writer) {
	if f.textfile != "" {
		if err := m.WriteTextfile(f.textfile); err != nil {
			fmt.Fprintf(stderr, "failback: %v\n", err)
		}
	}
	if f.pushgateway != "" {
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := m.Push(pctx, f.pushgateway, topo.Pool.FQDN); err != nil {
			fmt.Fprintf(stderr, "failback: %v\n", err)
		}
	}
}

func status(f cliFlags, stdout, stderr io.Writer) int {
	if f.journal == "" {
		if f.topology == "" {
			fmt.Fprintf(stderr, "failback status: --journal (or --topology for the default journal name) is required\n")
			return exitUsage
		}
		topo, err := topology.Load(f.topology)
		if err != nil {
			fmt.Fprintf(stderr, "failback status: %v\n", err)
			return exitUsage
		}
		f.journal = defaultJournal(f.plan, topo)
	}
	evs, torn, err := failback.ReadJournalFile(f.journal)
	if err != nil {
		fmt.Fprintf(stderr, "failback status: %v\n", err)
		return exitUsage
	}
	if len(evs) == 0 {
		// As resume refuses it: an empty journal summarised reads as a
		// run with no ID that never started.
		fmt.Fprintf(stderr, "failback status: journal %s holds no run\n", f.journal)
		return exitUsage
	}
	s := failback.Summarize(evs, torn)
	if f.planSet && s.Plan != "" && s.Plan != f.plan {
		fmt.Fprintf(stderr, "failback status: journal %s holds a %s run, not %s\n", f.journal, s.Plan, f.plan)
		return exitUsage
	}
	if f.json {
		if err := json.NewEncoder(stdout).Encode(s); err != nil {
			return exitUsage
		}
		return exitDone
	}
	fmt.Fprint(stdout, s.String())
	return exitDone
}

func jsonSink(w io.Writer) failback.Sink {
	var mu sync.Mutex
	enc := json.NewEncoder(w)
	return failback.SinkFunc(func(e failback.Event) {
		mu.Lock()
		defer mu.Unlock()
		enc.Encode(e)
	})
}

// planPrinter lists what `plan` found and would send, for humans.
type planPrinter struct {
	w io.Writer
}

func (p *planPrinter) Event(e failback.Event) {
	switch e.Kind {
	case failback.KindRunStart:
		// It names the pool's product and the module every cmdlet imports
		// (or that the product was assumed).
		fmt.Fprintf(p.w, "%s\n\n", e.Message)
	case failback.KindPrecondition:
		mark := "ok    "
		if e.Outcome != failback.OutcomeOK {
			mark = strings.ToUpper(e.Outcome)
		}
		fmt.Fprintf(p.w, "precondition %-28s %s %s\n", e.Check, mark, e.Message)
		if w := e.Attrs["warnings"]; w != "" {
			fmt.Fprintf(p.w, "    warning: %s\n", w)
		}
	case failback.KindStepStart:
		fmt.Fprintf(p.w, "\nstep %d %s: %s\n", e.Index, e.Step, e.Message)
	case failback.KindBudget:
		fmt.Fprintf(p.w, "  %s; past it the engine warns and lets the statement finish\n", e.Message)
	case failback.KindNote:
		if e.Attrs["deviation"] == "true" {
			fmt.Fprintf(p.w, "  %s\n", e.Message)
		}
	case failback.KindSent:
		if e.Attrs["change"] == "true" {
			fmt.Fprintf(p.w, "  would send to %s:\n    %s\n", e.Target, strings.ReplaceAll(e.Text, "\n", "\n    "))
		}
	case failback.KindStepEnd:
		switch e.Outcome {
		case failback.OutcomeDone:
			fmt.Fprintf(p.w, "  already done: %s\n", e.Message)
		case failback.OutcomeFailed:
			fmt.Fprintf(p.w, "  %s\n", e.Error)
		}
	}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// defaultJournal keeps the two plans' journals apart: a failover's journal
// must not make the later failback look like a resume.
func defaultJournal(plan string, topo *topology.Topology) string {
	return plan + "-" + topo.Pool.FQDN + ".journal"
}

// journalPlan is the plan of the first run recorded in a journal.
func journalPlan(evs []failback.Event) string {
	for _, e := range evs {
		if e.Kind == failback.KindRunStart {
			return e.Plan
		}
	}
	return ""
}
