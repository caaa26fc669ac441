// Package steps binds the Gherkin scenarios to the world and the engine.
// Each step is a few lines that call a domain API; all per-scenario state
// lives in the context, so scenarios run concurrently.
package steps

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/cucumber/godog"
	mssqldb "github.com/microsoft/go-mssqldb"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/metrics"
	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sim/chat"
	"github.com/pchatdr/harness/sim/fault"
	"github.com/pchatdr/harness/sim/world"
	"github.com/pchatdr/harness/topologies"
)

// Options configure the step library.
type Options struct {
	// TempDir is where each scenario's world keeps its data ("" = os default).
	TempDir string
	// OnWorld, if set, is called with each scenario's world when it ends
	// (the drill collects timelines for its report).
	OnWorld func(scenario string, w *world.World)
	// OnResult, if set, receives what an engine run in a scenario measured.
	OnResult func(scenario string, r Result)
	// Plan, if set, replaces the engine's failback plan: procedure mutants
	// (deliberately wrong engines) run under the same scenarios this way.
	Plan func() *failback.Plan
	// FailoverPlan, if set, replaces the engine's failover plan, in the
	// world's failovers and in "the engine runs the failover".
	FailoverPlan func() *failback.Plan
	Logf         func(format string, args ...any)
	// Links runs every world with its data-center links as Toxiproxy
	// proxies (sim/world links.go): cross-data-center connections get the
	// topology's RTT and can be cut.
	Links bool
	// Seed is the run's seed: each scenario draws its fault schedule from
	// it and the scenario's name (schedule.go), so a run reproduces
	// whatever order scenarios run in.
	Seed int64
	// OnSchedule, if set, receives each scenario's fault schedule when it
	// is drawn (the drill prints it and saves it in the report).
	OnSchedule func(scenario string, s Schedule)
	// SchedulesOnly stops a seeded scenario once its schedule is drawn
	// (and handed to OnSchedule): the scenario is skipped, no failback
	// runs. drill --schedules-only uses it to show what a seed draws.
	SchedulesOnly bool
	// Target is where "the world from" builds each scenario's SQL Server
	// instances ("" = embedded). Steps the target cannot do for real
	// skip their scenario with the reason (world.Labels).
	Target world.Target
}

// Result is what one scenario's engine run measured.
type Result struct {
	Outage, OutageObjective time.Duration
	Duration, RTO           time.Duration
	Metrics                 *metrics.Metrics
	// Events are every engine event of the scenario, all its runs (dry
	// runs, resumes, failovers) in order: the report's step table.
	Events []failback.Event
	// Objectives are the topology's; TopologyFile and TopologyDigest name
	// the file the scenario's world was built from (report header).
	Objectives                   topology.Objectives
	TopologyFile, TopologyDigest string
	// LostChecked says a ledger check on the primary counted Lost
	// acknowledged messages missing; LostSince is the earliest
	// acknowledgement among them (the RPO window starts there).
	LostChecked bool
	Lost        int
	LostSince   time.Time
}

type scenario struct {
	name    string
	dir     string
	world   *world.World
	ledgers map[string]*chat.Ledger // by instance name
	held    []*sql.Conn
	lastErr error
	engine  *engineRun
	// failoverPlan builds the failover plan (Options.FailoverPlan).
	failoverPlan func() *failback.Plan
	// engineEvents keeps every engine run's events for the report.
	engineEvents eventLog
	plan         func() *failback.Plan
	// engineOpts are the options scenarios give the engine (timeouts).
	engineOpts failback.Options
	// faults are the scenario's faults (faults.go), armed on the engine's
	// event stream: each fires on the engine's goroutine as its event is
	// emitted, so "when the RESTORE is about to be sent" is exact.
	faults *fault.Set
	// onEvent are other watchers of the engine's events (mirroring.go).
	onEvent []failback.SinkFunc
	links   bool
	// stopped is the first run's result when a scenario resumed it.
	stopped *failback.Result
	// atRestore is the backup databases' mirroring when the engine sent
	// its RESTORE over the primary mgc (mirroring.go).
	atRestore *mirroringAtRestore
	// wan is what the WAN scenarios set and measured (wan.go).
	wan wanState
}

type key struct{}

func get(ctx context.Context) *scenario { return ctx.Value(key{}).(*scenario) }

// Initializer returns godog's ScenarioInitializer.
func Initializer(opts Options) func(*godog.ScenarioContext) {
	if opts.Plan == nil {
		opts.Plan = failback.FailbackPlan
	}
	if opts.FailoverPlan == nil {
		opts.FailoverPlan = failback.FailoverPlan
	}
	return func(sc *godog.ScenarioContext) {
		sc.Before(func(ctx context.Context, s *godog.Scenario) (context.Context, error) {
			dir, err := os.MkdirTemp(opts.TempDir, "pchat-world-")
			if err != nil {
				return ctx, err
			}
			return context.WithValue(ctx, key{}, &scenario{name: s.Name, dir: dir, ledgers: map[string]*chat.Ledger{}, plan: opts.Plan, failoverPlan: opts.FailoverPlan, links: opts.Links}), nil
		})
		// The hook returns only its own failure: godog reports a returned
		// error as the hook's, which would turn a skipped scenario (a step
		// not applicable on the target) into a failed one.
		sc.After(func(ctx context.Context, s *godog.Scenario, _ error) (context.Context, error) {
			st := get(ctx)
			var err error
			for _, c := range st.held {
				c.Close()
			}
			if st.engine != nil && opts.OnResult != nil && st.world != nil {
				topo := st.world.Topology
				opts.OnResult(s.Name, Result{
					Outage: st.engine.outage, OutageObjective: topo.Objectives.Outage,
					Duration: st.engine.result.Duration, RTO: topo.Objectives.RTO,
					Metrics: st.engine.metrics, Events: st.engineEvents.all(),
					Objectives: topo.Objectives, TopologyFile: topo.File, TopologyDigest: topo.Digest,
					LostChecked: st.engine.ledgerChecked, Lost: st.engine.lost, LostSince: st.engine.lostSince,
				})
			}
			if st.world != nil {
				if opts.OnWorld != nil {
					opts.OnWorld(s.Name, st.world)
				}
				if cerr := st.world.Close(); cerr != nil {
					err = fmt.Errorf("close the world: %w", cerr)
				}
			}
			os.RemoveAll(st.dir)
			return ctx, err
		})

		sc.Step(`^the embedded world from "([^"]*)"$`, func(ctx context.Context, file string) error {
			return startWorld(ctx, file, opts, world.TargetEmbedded)
		})
		sc.Step(`^the embedded world from "([^"]*)" with its data-center links$`, func(ctx context.Context, file string) error {
			return worldWithLinks(ctx, file, opts, world.TargetEmbedded)
		})
		sc.Step(`^the world from "([^"]*)"$`, func(ctx context.Context, file string) error {
			return startWorld(ctx, file, opts, opts.Target)
		})
		sc.Step(`^the world from "([^"]*)" with its data-center links$`, func(ctx context.Context, file string) error {
			return worldWithLinks(ctx, file, opts, opts.Target)
		})
		sc.Step(`^Topology Builder installs the Persistent Chat stores on the "([^"]*)" instance$`, installStores)
		sc.Step(`^the Persistent Chat stores on the "([^"]*)" instance$`, installStores)
		sc.Step(`^the "([^"]*)" instance has database "([^"]*)" (\w+) in (\w+) recovery$`, databaseState)
		sc.Step(`^the "([^"]*)" instance holds no chat messages$`, noMessages)
		sc.Step(`^(\d+) chat messages acknowledged by "([^"]*)" on the "([^"]*)" instance$`, postMessages)
		sc.Step(`^the "([^"]*)" instance restarts$`, restart)
		sc.Step(`^the "([^"]*)" instance holds every acknowledged message exactly once$`, checkLedger)
		sc.Step(`^a chat server holds a session to "([^"]*)" on the "([^"]*)" instance$`, holdSession)
		sc.Step(`^database "([^"]*)" is dropped on the "([^"]*)" instance$`, dropDatabase)
		sc.Step(`^database "([^"]*)" was dropped on the "([^"]*)" instance$`, func(ctx context.Context, db, role string) error {
			if err := dropDatabase(ctx, db, role); err != nil {
				return err
			}
			return get(ctx).lastErrUnexpected()
		})
		sc.Step(`^it fails with SQL Server error (\d+)$`, failsWith)
		sc.Step(`^the engine clears the active server list$`, clearActive)
		sc.Step(`^the engine sets the active servers to "([^"]*)"$`, setActive)
		sc.Step(`^the pool has no active servers$`, func(ctx context.Context) error { return poolActive(ctx, "") })
		sc.Step(`^the pool's active servers are "([^"]*)"$`, poolActive)
		sc.Step(`^the engine reads back no active servers$`, func(ctx context.Context) error { return readBackActive(ctx, "") })
		sc.Step(`^the engine reads back the active servers "([^"]*)"$`, readBackActive)
		sc.Step(`^the engine sets the pool state to (Normal|FailedOver)$`, setPoolState)
		sc.Step(`^the pool state is (Normal|FailedOver)$`, poolStateIs)
		sc.Step(`^an operator runs "(.*)"$`, operatorRuns)
		sc.Step(`^the engine plans the failback$`, planFailback)
		sc.Step(`^the chat servers follow the pool$`, chatFollowsPool)
		sc.Step(`^the pool failed over after a disaster, with (\d+) messages before it and (\d+) during failover$`, poolFailedOver)
		sc.Step(`^the primary data center was rebuilt$`, primaryRebuilt)
		sc.Step(`^the engine runs the failback$`, runFailback)
		sc.Step(`^every precondition passed$`, everyPreconditionPassed)
		sc.Step(`^every step of the failback was verified$`, everyStepVerified)
		sc.Step(`^no chat server held a session to "([^"]*)" on the "([^"]*)" instance while it was restored$`, noSessionDuringRestore)
		sc.Step(`^"([^"]*)" on the "([^"]*)" instance is not mirrored$`, notMirrored)
		sc.Step(`^"([^"]*)" on the "([^"]*)" instance is mirrored to the "([^"]*)" instance$`, mirroredTo)
		sc.Step(`^the backup databases were not mirrored when the engine restored the primary mgc$`, notMirroredAtRestore)
		sc.Step(`^database mirroring of the Persistent Chat stores from the "([^"]*)" instance to the "([^"]*)" instance, as configured before a disaster$`, configureMirroring)
		sc.Step(`^the chat outage was within the topology's objective$`, outageWithinObjective)
		sc.Step(`^the failback finished within the topology's RTO$`, failbackWithinRTO)
		sc.Step(`^(\d+) chat servers? holds? sessions to "([^"]*)" on the "([^"]*)" instance$`, chatSessionsAre)
		sc.Step(`^no chat server holds a session to "([^"]*)" on the "([^"]*)" instance$`, noChatSessions)
		sc.Step(`^chat users post (\d+) messages$`, usersPost)
		sc.Step(`^chat users cannot post$`, usersCannotPost)
		sc.Step(`^the "([^"]*)" instance holds every message the chat servers acknowledged$`, storeHoldsLedger)
		sc.Step(`^precondition "([^"]*)" (passes|refuses)$`, preconditionOutcome)
		sc.Step(`^the engine refuses to fail back$`, engineRefused)
		sc.Step(`^nothing changed in the world$`, nothingChanged)
		sc.Step(`^the cmdlet is refused with a message containing "([^"]*)"$`, refusedWith)
		registerFaults(sc)
		registerSchedule(sc, opts)
		registerIntervention(sc)
		registerProducts(sc, opts)
		registerCycles(sc)
		registerConfiguration(sc)
		registerCapacity(sc)
		registerLogins(sc)
		registerSecurity(sc, opts)
		registerEndpointAuth(sc)
		registerWAN(sc)
	}
}

// startWorld builds the scenario's world on target: "the world from" runs
// on the run's target, "the embedded world from" always in process. Each
// edit changes the loaded topology first (it is validated again after).
func startWorld(ctx context.Context, file string, opts Options, target world.Target, edits ...func(*topology.Topology)) error {
	topo, err := topologies.Load(file)
	if err != nil {
		return err
	}
	for _, e := range edits {
		e(topo)
	}
	if len(edits) > 0 {
		if err := topo.Validate(); err != nil {
			return err
		}
	}
	w, err := world.Start(ctx, world.Options{Topology: topo, Dir: get(ctx).dir, Logf: opts.Logf, Links: get(ctx).links, Target: target,
		FailoverPlan: get(ctx).failoverPlan})
	if err != nil {
		return err
	}
	get(ctx).world = w
	return nil
}

// skipIfNotApplicable turns what the world's target cannot do for real
// (world.ErrNotApplicable) into a skipped scenario carrying the reason: it
// never passes, and the report lists it with the world's labels. Steps
// that may meet it return through here (godog's hooks cannot turn a step's
// error into a skip).
func skipIfNotApplicable(err error) error {
	if errors.Is(err, world.ErrNotApplicable) {
		return fmt.Errorf("%w: %w", godog.ErrSkip, err)
	}
	return err
}

func db(ctx context.Context, role, database string) (*sql.DB, *world.Instance, error) {
	w := get(ctx).world
	inst, err := w.InstanceByRole(topology.Role(role))
	if err != nil {
		return nil, nil, err
	}
	d, err := w.DB(inst, database)
	return d, inst, err
}

func installStores(ctx context.Context, role string) error {
	return get(ctx).world.InstallStores(ctx, topology.Role(role))
}

func databaseState(ctx context.Context, role, database, state, recovery string) error {
	master, _, err := db(ctx, role, "master")
	if err != nil {
		return err
	}
	var gotState, gotRecovery string
	err = master.QueryRowContext(ctx, "SELECT state_desc, recovery_model_desc FROM sys.databases WHERE name = @p1", database).Scan(&gotState, &gotRecovery)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("database %s does not exist on the %s instance", database, role)
	}
	if err != nil {
		return err
	}
	if gotState != state || gotRecovery != recovery {
		return fmt.Errorf("database %s on the %s instance is %s in %s recovery, want %s in %s", database, role, gotState, gotRecovery, state, recovery)
	}
	return nil
}

func noMessages(ctx context.Context, role string) error {
	mgc, _, err := db(ctx, role, "mgc")
	if err != nil {
		return err
	}
	var n int
	if err := mgc.QueryRowContext(ctx, "SELECT COUNT(*) FROM dbo.tblChat").Scan(&n); err != nil {
		return err
	}
	if n != 0 {
		return fmt.Errorf("mgc on the %s instance holds %d messages, want none", role, n)
	}
	return nil
}

func postMessages(ctx context.Context, n int, server, role string) error {
	mgc, inst, err := db(ctx, role, "mgc")
	if err != nil {
		return err
	}
	st := get(ctx)
	l := st.ledgers[inst.Name]
	if l == nil {
		l = chat.NewLedger()
		st.ledgers[inst.Name] = l
	}
	for i := 0; i < n; i++ {
		if _, err := chat.Post(ctx, mgc, l, server, 1+i%5, 1+i%17, fmt.Sprintf("message %d from %s", i, server)); err != nil {
			return err
		}
	}
	st.world.Timeline.Add("chat/"+server, "post", fmt.Sprintf("%d messages acknowledged", n), nil)
	return nil
}

func restart(ctx context.Context, role string) error {
	w := get(ctx).world
	inst, err := w.InstanceByRole(topology.Role(role))
	if err != nil {
		return err
	}
	return w.Restart(ctx, inst)
}

func checkLedger(ctx context.Context, role string) error {
	mgc, inst, err := db(ctx, role, "mgc")
	if err != nil {
		return err
	}
	l := get(ctx).ledgers[inst.Name]
	if l == nil {
		return fmt.Errorf("no messages were acknowledged on the %s instance", role)
	}
	r, err := l.Check(ctx, mgc, true)
	if err != nil {
		return err
	}
	if !r.OK() {
		return fmt.Errorf("mgc on the %s instance: %s", role, r)
	}
	return nil
}

func holdSession(ctx context.Context, database, role string) error {
	d, _, err := db(ctx, role, database)
	if err != nil {
		return err
	}
	c, err := d.Conn(ctx)
	if err != nil {
		return err
	}
	st := get(ctx)
	st.held = append(st.held, c)
	return c.PingContext(ctx)
}

func dropDatabase(ctx context.Context, database, role string) error {
	master, _, err := db(ctx, role, "master")
	if err != nil {
		return err
	}
	_, err = master.ExecContext(ctx, "DROP DATABASE "+quoteName(database))
	get(ctx).lastErr = err
	return nil
}

// operatorRestores sends the restore a wrong procedure would: over the
// named database, from the seed backup on the share, with no regard for
// the sessions in it.
func operatorRestores(ctx context.Context, database, role string) error {
	master, _, err := db(ctx, role, "master")
	if err != nil {
		return err
	}
	path := get(ctx).world.Topology.Share.UNC + `\seed_mgc.bak`
	_, err = master.ExecContext(ctx, "RESTORE DATABASE "+quoteName(database)+" FROM DISK = @p1 WITH REPLACE, RECOVERY", path)
	get(ctx).lastErr = err
	return nil
}

func failsWith(ctx context.Context, number int) error {
	err := get(ctx).lastErr
	if err == nil {
		return fmt.Errorf("it succeeded, want SQL Server error %d", number)
	}
	// BACKUP and RESTORE report the specific error, then 3013: any of the
	// errors of the batch counts.
	var me mssqldb.Error
	if errors.As(err, &me) {
		if int(me.Number) == number {
			return nil
		}
		for _, e := range me.All {
			if int(e.Number) == number {
				return nil
			}
		}
	}
	return fmt.Errorf("got %v, want SQL Server error %d", err, number)
}

func quoteName(s string) string { return "[" + strings.ReplaceAll(s, "]", "]]") + "]" }
