package steps

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/sqlserver"
	"github.com/pchatdr/harness/failback/topology"
)

// registerCapacity binds the steps that break one of the assumptions issue
// 12's defect 5 adds to the precondition table: mirroring on the rebuilt
// primary, recovery models, the Agent, free space, share writes.
func registerCapacity(sc *godog.ScenarioContext) {
	sc.Step(`^the rebuilt primary databases are mirrored to the "([^"]*)" instance$`, primaryMirroredTo)
	sc.Step(`^database "([^"]*)" on the "([^"]*)" instance uses the (SIMPLE|BULK_LOGGED|FULL) recovery model$`, recoveryModelIs)
	sc.Step(`^SQL Server Agent is stopped on the "([^"]*)" instance$`, agentStopped)
	sc.Step(`^the backup mgc grew to (\d+) MB and the "([^"]*)" instance's mgc volume has (\d+) MB free$`, backupGrewVolumeFree)
	sc.Step(`^the share has (\d+) MB free$`, shareFree)
	sc.Step(`^the engine read no row of a user table on any instance$`, engineReadNoUserRow)
	sc.Step(`^the topology's backups section says (\d+) MB/s with a budget factor of (\d+) and compression$`, backupsSection)
	sc.Step(`^the backup devices of the "([^"]*)" and "([^"]*)" instances move (\d+) KB per second$`, slowDevices)
	sc.Step(`^the engine warned that step "([^"]*)" ran past its budget, without stopping it$`, warnedOverrun)
	sc.Step(`^the engine reported the progress of its "([^"]*)" on the "([^"]*)" instance while it ran: percent, MB/s and time left$`, reportedProgress)
	sc.Step(`^the engine's backups were sent WITH COMPRESSION$`, backupsCompressed)
	sc.Step(`^the SQL Server service account "([^"]*)" cannot write the share from the "([^"]*)" instance$`, serviceCannotWriteShare)
}

func primaryMirroredTo(ctx context.Context, role string) error {
	return get(ctx).world.ConfigureMirroring(ctx, topology.RolePrimary, topology.Role(role))
}

func recoveryModelIs(ctx context.Context, db, role, model string) error {
	return get(ctx).world.SetRecoveryModel(ctx, topology.Role(role), db, model)
}

func agentStopped(ctx context.Context, role string) error {
	w, inst, err := instance(ctx, role)
	if err != nil {
		return err
	}
	return w.StopAgent(ctx, inst)
}

func backupGrewVolumeFree(ctx context.Context, grown int, role string, mb int) error {
	w, inst, err := instance(ctx, role)
	if err != nil {
		return err
	}
	if err := w.GrowDataFile(ctx, topology.RoleBackup, "mgc", int64(grown)<<20); err != nil {
		return err
	}
	path, err := w.DataFileOf(ctx, inst, "mgc")
	if err != nil {
		return err
	}
	return w.SetVolumeFree(inst, path, int64(mb)<<20)
}

func shareFree(ctx context.Context, mb int) error {
	return get(ctx).world.SetShareFree(int64(mb) << 20)
}

func serviceCannotWriteShare(ctx context.Context, account, role string) error {
	w, inst, err := instance(ctx, role)
	if err != nil {
		return err
	}
	return w.SetShareAccess(inst, account, true, false)
}

// engineReadNoUserRow checks every running instance's count of user-table
// rows read by the engine's program name (sqlserver.DefaultAppName).
func engineReadNoUserRow(ctx context.Context) error {
	reads, err := get(ctx).world.UserRowsRead(sqlserver.DefaultAppName)
	if err != nil {
		return err
	}
	var bad []string
	for inst, n := range reads {
		if n > 0 {
			bad = append(bad, fmt.Sprintf("%s: %d rows", inst, n))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("the engine read rows of user tables: %s", strings.Join(bad, ", "))
	}
	return nil
}

func backupsSection(ctx context.Context, mbps, factor int) error {
	t := get(ctx).world.Topology
	t.Backups = topology.Backups{Compression: true, ThroughputMBps: float64(mbps), BudgetFactor: float64(factor)}
	return nil
}

func slowDevices(ctx context.Context, a, b string, kb int) error {
	for _, role := range []string{a, b} {
		w, inst, err := instance(ctx, role)
		if err != nil {
			return err
		}
		if err := w.SetDeviceThroughput(inst, int64(kb)<<10); err != nil {
			return err
		}
	}
	return nil
}

func warnedOverrun(ctx context.Context, step string) error {
	events := get(ctx).engine.snapshot()
	warned := false
	for _, e := range events {
		if e.Kind == failback.KindBudget && e.Outcome == failback.BudgetOverrun && e.Step == step {
			warned = true
		}
	}
	if !warned {
		var seen []string
		for _, e := range events {
			if e.Step == step && (e.Kind == failback.KindBudget || e.Kind == failback.KindStepEnd) {
				seen = append(seen, fmt.Sprintf("%s %s %.3fs %s", e.Kind, e.Outcome, e.Seconds, e.Message))
			}
		}
		return fmt.Errorf("no budget overrun warning for step %s (its events: %s)", step, strings.Join(seen, "; "))
	}
	for _, e := range events {
		if e.Kind == failback.KindStepEnd && e.Step == step {
			if e.Outcome != failback.OutcomeVerified {
				return fmt.Errorf("step %s ended %s after its overrun: %s", step, e.Outcome, e.Error)
			}
			return nil
		}
	}
	return fmt.Errorf("step %s never ended", step)
}

// reportedProgress checks the STATS progress of one statement: several
// events, percent rising, a rate and a time left on each, and the first
// one recorded well before the statement finished (live, not collected at
// the end).
func reportedProgress(ctx context.Context, statement, role string) error {
	name, err := instanceName(ctx, role)
	if err != nil {
		return err
	}
	events := get(ctx).engine.snapshot()
	var end time.Time
	var dur time.Duration
	for _, e := range events {
		if e.Kind == failback.KindSent && e.Target == name && strings.HasPrefix(e.Text, statement+" [mgc]") && e.Error == "" {
			dur = time.Duration(e.Seconds * float64(time.Second))
			end = e.Time.Add(dur)
			break
		}
	}
	if end.IsZero() {
		return fmt.Errorf("no %s was sent to %s", statement, name)
	}
	var prog []failback.Event
	last := -1
	for _, e := range events {
		if e.Kind != failback.KindProgress || e.Target != name || e.Attrs["statement"] != statement || e.Time.After(end) {
			continue
		}
		pct, _ := strconv.Atoi(e.Attrs["percent"])
		if pct <= last {
			break // a later statement of the same kind
		}
		last = pct
		if e.Attrs["mbps"] == "" || e.Attrs["eta_seconds"] == "" {
			return fmt.Errorf("progress event without rate or time left: %s", e.Message)
		}
		prog = append(prog, e)
	}
	if len(prog) < 3 {
		var all []string
		for _, e := range events {
			if e.Kind == failback.KindProgress {
				all = append(all, e.Target+": "+e.Message)
			}
		}
		return fmt.Errorf("%d progress events for %s on %s before it ended at %s, want one per STATS step (all progress events: %s)",
			len(prog), statement, name, end.Format(time.RFC3339Nano), strings.Join(all, "; "))
	}
	if lead := end.Sub(prog[0].Time); lead < dur/3 {
		return fmt.Errorf("the first progress event of %s (%s) came %s before the statement's end, of %s: not live", statement, prog[0].Message, lead, dur)
	}
	return nil
}

func backupsCompressed(ctx context.Context) error {
	n := 0
	for _, e := range get(ctx).engine.snapshot() {
		if e.Kind == failback.KindSent && strings.HasPrefix(e.Text, "BACKUP DATABASE [mgc]") {
			n++
			if !strings.Contains(e.Text, ", COMPRESSION") {
				return fmt.Errorf("sent without COMPRESSION: %s", e.Text)
			}
		}
	}
	if n == 0 {
		return fmt.Errorf("no BACKUP DATABASE [mgc] was sent")
	}
	return nil
}
