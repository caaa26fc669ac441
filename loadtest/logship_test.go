package loadtest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sim/world"
)

// shipping is what log shipping of mgc did, read from both instances.
type shipping struct {
	primary, secondary map[int]AgentRuns
	backups, restores  int
	shareFiles         int
	copyFiles          int
	lastRestored       string
}

func (s shipping) String() string {
	return fmt.Sprintf("backup job %d runs (%d failed), copy job %d runs (%d failed), restore job %d runs (%d failed); "+
		"%d log backups, %d log restores; %d .trn files on the share, %d in the copy folder; last restored %s",
		s.primary[AgentBackup].Runs, s.primary[AgentBackup].Failed, s.secondary[AgentCopy].Runs, s.secondary[AgentCopy].Failed,
		s.secondary[AgentRestore].Runs, s.secondary[AgentRestore].Failed, s.backups, s.restores, s.shareFiles, s.copyFiles, s.lastRestored)
}

func (s shipping) failed() int {
	return s.primary[AgentBackup].Failed + s.secondary[AgentCopy].Failed + s.secondary[AgentRestore].Failed
}

// fewest is the smallest run count of the three jobs.
func (s shipping) fewest() int {
	return min(s.primary[AgentBackup].Runs, s.secondary[AgentCopy].Runs, s.secondary[AgentRestore].Runs)
}

func readShipping(ctx context.Context, w *world.World, pri, bak *sql.DB) (shipping, error) {
	var s shipping
	var err error
	if s.primary, err = ShippingRuns(ctx, pri); err != nil {
		return s, err
	}
	if s.secondary, err = ShippingRuns(ctx, bak); err != nil {
		return s, err
	}
	if s.backups, err = LogBackups(ctx, pri, "mgc"); err != nil {
		return s, err
	}
	if s.restores, err = LogRestores(ctx, bak, "mgc"); err != nil {
		return s, err
	}
	if s.lastRestored, err = LastRestoredFile(ctx, bak, "mgc"); err != nil {
		return s, err
	}
	if s.shareFiles, err = countTrn(w.ShareDir); err != nil {
		return s, err
	}
	s.copyFiles, err = countTrn(w.CopyDir)
	return s, err
}

func countTrn(dir string) (int, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("count log backups: %w", err)
	}
	n := 0
	for _, e := range ents {
		if !e.IsDir() && strings.HasPrefix(e.Name(), "mgc_") && filepath.Ext(e.Name()) == ".trn" {
			n++
		}
	}
	return n, nil
}

// TestDaysOfLogShipping lives through simulated days of log shipping of
// mgc from the primary to the backup instance, with the jobs on their
// 15-minute schedules on a sped-up SQL Server Agent clock and users
// posting at a steady rate into the primary all along; then the disaster,
// the documented failover (the engine's failover plan applies what was
// not yet restored and recovers the backup mgc), and the failback with
// traffic still running. After the failover the backup mgc must hold every
// acknowledged message exactly once, after the failback the primary mgc.
//
// Log shipping is modelled only in the normal direction (the failover
// re-creates none from the backup; the failback's step 5 re-creates it
// primary -> backup), so the days run before the disaster, as they do in
// production.
func TestDaysOfLogShipping(t *testing.T) {
	// 2 simulated days in about 24 s of wall time; -short: 6 hours in 3 s.
	span, factor, rate, wantRuns := 48*time.Hour, 7200.0, 30.0, 96
	if testing.Short() {
		span, rate, wantRuns = 6*time.Hour, 10, 12
	}
	ctx := t.Context()
	begin := time.Now()
	clock := NewGearClock(time.Now(), factor)
	w := startWorld(t, clock)
	interval := time.Duration(w.Topology.LogShipping.ScheduleMinutes) * time.Minute

	// The deployment before a disaster, as an administrator leaves it and
	// world.FailOver builds it: Topology Builder's stores on both sites, the
	// primary stores mirrored inside the primary data center, mgc log
	// shipped to the backup instance, the chat servers of the primary data
	// center active.
	steps := []struct {
		what string
		do   func(context.Context) error
	}{
		{"install stores on the primary", func(ctx context.Context) error { return w.InstallStores(ctx, topology.RolePrimary) }},
		{"install stores on the backup", func(ctx context.Context) error { return w.InstallStores(ctx, topology.RoleBackup) }},
		{"mirror the primary stores", func(ctx context.Context) error {
			return w.ConfigureMirroring(ctx, topology.RolePrimary, topology.RolePrimaryMirror)
		}},
		{"log shipping of mgc to the backup", w.ConfigureLogShipping},
		{"start chat servers", w.StartChat},
	}
	for _, s := range steps {
		if err := s.do(ctx); err != nil {
			t.Fatalf("%s: %v", s.what, err)
		}
	}
	pri := openDB(t, w, topology.RolePrimary, "msdb")
	bak := openDB(t, w, topology.RoleBackup, "msdb")

	// Days of traffic. The phase ends when the span has passed on the
	// Agent's clock, each job has run and the backup has restored at least
	// wantRuns times (bounded:
	// a machine too slow to run the jobs that often runs more simulated
	// time instead).
	simStart := clock.Now()
	wallStart := time.Now()
	g := startTraffic(t, w, Config{Rate: rate, Seed: seed})
	// The bound only catches a stall: on a loaded machine each job run takes
	// longer than its sped-up interval and the Agent skips occurrences, so
	// the wanted runs need more wall time (seen: 831 missed ticks at load
	// 38 with a bound of 3 spans). An idle machine ends at the span.
	deadline := time.Now().Add(12 * time.Duration(float64(span)/factor))
	nextReport := span / 4
	var ls shipping
	for {
		if err := lync.Sleep(ctx, 250*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		var err error
		if ls, err = readShipping(ctx, w, pri, bak); err != nil {
			t.Fatal(err)
		}
		simulated := clock.Now().Sub(simStart)
		if simulated >= nextReport {
			t.Logf("  simulated %s: %d acknowledged; %s", simulated.Round(time.Minute), g.Stats().Acknowledged, ls)
			nextReport += span / 4
		}
		// The restores trail the backups by a copy and a restore run: the
		// phase ends when they too reached wantRuns (seen under -race on a
		// loaded machine: 12 backup runs, 11 restores at the break).
		if simulated >= span && ls.fewest() >= wantRuns && ls.restores >= wantRuns || time.Now().After(deadline) {
			break
		}
	}
	simulated, wallDays := clock.Now().Sub(simStart), time.Since(wallStart)
	days := g.Stop()
	// The rest happens in real time: at thousands of times real speed the
	// jobs start every few milliseconds and the procedures' own sp_start_job
	// would find them running (22022). Timers armed before the shift fire
	// within one sped-up interval; then wait for their runs to end.
	clock.Shift(1)
	if err := lync.Sleep(ctx, 2*time.Duration(float64(interval)/factor)); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, pri, bak)
	ls, err := readShipping(ctx, w, pri, bak)
	if err != nil {
		t.Fatal(err)
	}
	logStats(t, "traffic into the primary", w, days)
	t.Logf("simulated %s in %s of wall time (x%.0f, schedule every %s: %d occurrences per job)",
		simulated.Round(time.Minute), wallDays.Round(time.Millisecond), factor, interval, int(simulated/interval))
	t.Logf("log shipping: %s", ls)
	if ls.fewest() < wantRuns {
		t.Errorf("a log-shipping job ran fewer than %d times: %s", wantRuns, ls)
	}
	if ls.failed() > 0 {
		t.Errorf("log-shipping job runs failed: %s", ls)
	}
	if ls.restores < wantRuns {
		t.Errorf("%d log restores on the backup, want at least %d: %s", ls.restores, wantRuns, ls)
	}
	if days.Acknowledged == 0 {
		t.Fatalf("no post was acknowledged during the simulated days (%s)", days)
	}

	// The disaster: every acknowledged message is in a log backup (the
	// traffic stopped before the last one; RPO 0), the primary data center
	// is lost, the engine runs the documented failover.
	for _, s := range []struct {
		what string
		do   func(context.Context) error
	}{
		{"last log backup", w.BackUpLog},
		{"disaster", func(ctx context.Context) error {
			return w.StopDataCenter(ctx, dataCenterOf(t, w, topology.RolePrimary))
		}},
		{"failover", w.RunFailover},
	} {
		if err := s.do(ctx); err != nil {
			t.Fatalf("%s: %v", s.what, err)
		}
	}
	restores, err := LogRestores(ctx, bak, "mgc")
	if err != nil {
		t.Fatal(err)
	}
	r := checkLedger(t, w, topology.RoleBackup)
	t.Logf("after the failover the backup mgc (%d log restores in all): %s", restores, r)

	// The failback, with users posting through it.
	if err := w.RebuildPrimary(ctx); err != nil {
		t.Fatal(err)
	}
	g = startTraffic(t, w, Config{Rate: rate, Seed: seed + 1})
	if err := lync.Sleep(ctx, time.Second); err != nil {
		t.Fatal(err)
	}
	atStart := g.Stats()
	run, err := RunFailback(ctx, w)
	if err != nil {
		logShippingHistory(t, bak, AgentCopy)
		logShippingHistory(t, bak, AgentRestore)
		t.Fatal(err)
	}
	atNormal := g.Stats()
	if err := lync.Sleep(ctx, time.Second); err != nil {
		t.Fatal(err)
	}
	fb := g.Stop()
	logStats(t, "traffic through the failback", w, fb)
	t.Logf("failback %s in %s (engine-measured chat outage %s)", run.Result.Outcome,
		run.Result.Duration.Round(time.Millisecond), run.Outage.Round(time.Millisecond))
	if ackedIn(w, atStart, dataCenterOf(t, w, topology.RoleBackup)) == 0 || fb.Acknowledged == atNormal.Acknowledged {
		t.Errorf("traffic did not run on both sides of the failback: %d acknowledged before it, %d after (%s)",
			atStart.Acknowledged, fb.Acknowledged-atNormal.Acknowledged, fb)
	}
	if fb.Failed > 0 || days.Failed > 0 {
		t.Errorf("posts failed with something other than a refusal: %q %q", days.Errors, fb.Errors)
	}
	r = checkLedger(t, w, topology.RolePrimary)
	t.Logf("after the failback the primary mgc: %s; wall time %s", r, time.Since(begin).Round(time.Millisecond))
}

// waitIdle waits (bounded) until no log-shipping job is in the middle of a
// run on either instance, twice in a row: a run the Agent has just started
// may not have written its first monitor row yet.
func waitIdle(t testing.TB, dbs ...*sql.DB) {
	t.Helper()
	ctx := t.Context()
	deadline := time.Now().Add(30 * time.Second)
	quiet := 0
	for quiet < 2 {
		idle := true
		for _, db := range dbs {
			ok, err := ShippingIdle(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			idle = idle && ok
		}
		if idle {
			quiet++
		} else {
			quiet = 0
		}
		if time.Now().After(deadline) {
			t.Fatal("log-shipping jobs still running 30 s after the clock slowed down")
		}
		if err := lync.Sleep(ctx, 100*time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
}

// logShippingHistory logs an agent's latest log-shipping monitor session
// on an instance (what View History shows), to explain a failed run:
// its first and last rows, and how many files it skipped.
func logShippingHistory(t testing.TB, db *sql.DB, agentType int) {
	t.Helper()
	rows, err := db.QueryContext(context.WithoutCancel(t.Context()), `SELECT session_id, session_status, log_time_utc, message
		FROM msdb.dbo.log_shipping_monitor_history_detail WHERE agent_type = @p1 AND session_id =
		(SELECT MAX(session_id) FROM msdb.dbo.log_shipping_monitor_history_detail WHERE agent_type = @p1) ORDER BY log_time_utc`, agentType)
	if err != nil {
		t.Logf("log-shipping history: %v", err)
		return
	}
	defer rows.Close()
	var lines []string
	skipped := 0
	for rows.Next() {
		var session, status int
		var at time.Time
		var msg string
		if err := rows.Scan(&session, &status, &at, &msg); err != nil {
			t.Logf("log-shipping history: %v", err)
			return
		}
		if strings.HasPrefix(msg, "Skipped") {
			skipped++
		}
		lines = append(lines, fmt.Sprintf("  agent %d session %d status %d %s %s", agentType, session, status, at.Format("15:04:05.000"), msg))
	}
	for i, l := range lines {
		if i < 3 || i >= len(lines)-4 {
			t.Log(l)
		}
	}
	t.Logf("  agent %d: %d rows, %d files skipped", agentType, len(lines), skipped)
}
