package failback

import (
	"context"
	"fmt"

	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/topology"
)

// drySQL reads through to the real instance and, for every change, reports
// the exact text it would send without sending it. Reads of things a
// previous (not yet run) step would create fall back to placeholders.
type drySQL struct {
	SQL
	env *Env
}

func (d drySQL) would(ctx context.Context, text string, err error) error {
	if err != nil {
		return err
	}
	Emit(ctx, Sent{Target: d.Instance(), Text: text, Change: true})
	return nil
}

func (d drySQL) BackupSets(ctx context.Context, path string) ([]BackupSet, error) {
	sets, err := d.SQL.BackupSets(ctx, path)
	if err != nil || len(sets) == 0 {
		// The file is written by an earlier step of this plan.
		name := "(planned)"
		switch path {
		case d.env.BackupPath():
			name = d.env.BackupSetName()
		case d.env.TailPath():
			return []BackupSet{{Position: 1, Name: d.env.TailSetName(), DatabaseName: DBContent, Type: 2, Checksums: true}}, nil
		}
		return []BackupSet{{Position: 1, Name: name, DatabaseName: DBContent, Type: 1, Checksums: true}}, nil
	}
	return sets, nil
}

func (d drySQL) FileList(ctx context.Context, path string, file int) ([]BackupFile, error) {
	fl, err := d.SQL.FileList(ctx, path, file)
	if err != nil {
		return nil, nil // MOVE clauses are derived from RESTORE FILELISTONLY at run time
	}
	return fl, nil
}

func (d drySQL) RemoveMirroring(ctx context.Context, db string) error {
	q, err := RemoveMirroringSQL(db)
	return d.would(ctx, q, err)
}

func (d drySQL) BackupDatabase(ctx context.Context, b BackupSpec) (BackupResult, error) {
	q, err := BackupDatabaseSQL(b)
	return BackupResult{Position: 1}, d.would(ctx, q, err)
}

func (d drySQL) VerifyBackup(ctx context.Context, path string, file int) error {
	return d.would(ctx, VerifyBackupSQL(path, file), nil)
}

func (d drySQL) RestoreDatabase(ctx context.Context, r RestoreSpec) error {
	q, err := RestoreDatabaseSQL(r)
	return d.would(ctx, q, err)
}

func (d drySQL) RemoveLogShippingPrimary(ctx context.Context, db string, s []LSPartner) error {
	return d.would(ctx, RemoveLogShippingPrimarySQL(db, s), nil)
}

func (d drySQL) RemoveLogShippingSecondary(ctx context.Context, db string) error {
	return d.would(ctx, RemoveLogShippingSecondarySQL(db), nil)
}

func (d drySQL) RemoveLogShippingSecondaryPrimary(ctx context.Context, srv, db string) error {
	return d.would(ctx, RemoveLogShippingSecondaryPrimarySQL(srv, db), nil)
}

func (d drySQL) AddLogShippingPrimary(ctx context.Context, p LogShippingPrimary) error {
	q, err := AddLogShippingPrimarySQL(p)
	return d.would(ctx, q, err)
}

func (d drySQL) AddLogShippingSecondary(ctx context.Context, s LogShippingSecondary) error {
	q, err := AddLogShippingSecondarySQL(s)
	return d.would(ctx, q, err)
}

func (d drySQL) AddLogShippingPrimarySecondary(ctx context.Context, db, srv, sdb string) error {
	return d.would(ctx, AddLogShippingPrimarySecondarySQL(db, srv, sdb), nil)
}

func (d drySQL) AddLogShippingAlertJob(ctx context.Context) error {
	return d.would(ctx, AddLogShippingAlertJobSQL, nil)
}

func (d drySQL) DeleteLogShippingAlertJob(ctx context.Context) error {
	return d.would(ctx, DeleteLogShippingAlertJobSQL, nil)
}

func (d drySQL) StartJob(ctx context.Context, job string) error {
	return d.would(ctx, StartJobSQL(job), nil)
}

func (d drySQL) SetJobEnabled(ctx context.Context, job string, enabled bool) error {
	return d.would(ctx, SetJobEnabledSQL(job, enabled), nil)
}

func (d drySQL) RestoreLog(ctx context.Context, r LogRestoreSpec) error {
	q, err := RestoreLogSQL(r)
	return d.would(ctx, q, err)
}

func (d drySQL) KillSession(ctx context.Context, id int16) error {
	q, err := KillSQL(id)
	return d.would(ctx, q, err)
}

func (d drySQL) RecoverDatabase(ctx context.Context, db string) error {
	q, err := RecoverDatabaseSQL(db)
	return d.would(ctx, q, err)
}

// PoolScript is the full script a Pool implementation runs for a command
// built by failback/lync (the prelude importing the product's module, then
// the command).
func PoolScript(product topology.Product, cmd string) (string, error) {
	p, err := lync.Prelude(lync.ModuleFor(product))
	if err != nil {
		return "", err
	}
	return p + "; " + cmd, nil
}

type dryPool struct {
	Pool
	activeIdentity, stateIdentity string
	product                       topology.Product
}

func (d dryPool) would(ctx context.Context, cmd string, err error) error {
	if err != nil {
		return err
	}
	s, err := PoolScript(d.product, cmd)
	if err != nil {
		return err
	}
	Emit(ctx, Sent{Target: PoolTarget, Text: s, Change: true})
	return nil
}

func (d dryPool) SetPoolState(ctx context.Context, s PoolState) error {
	c, err := lync.SetPoolStateCommand(d.stateIdentity, s)
	return d.would(ctx, c, err)
}

func (d dryPool) ClearActiveServers(ctx context.Context) error {
	c, err := lync.ClearActiveServersCommand(d.activeIdentity)
	return d.would(ctx, c, err)
}

func (d dryPool) SetActiveServers(ctx context.Context, fqdns []string) error {
	c, err := lync.SetActiveServersCommand(d.activeIdentity, fqdns)
	return d.would(ctx, c, err)
}

func (d dryPool) InstallMirrorDatabase(ctx context.Context, m MirrorInstall) error {
	c, err := lync.InstallMirrorDatabaseCommand(m)
	return d.would(ctx, c, err)
}

// DryRun is `plan`: it runs the preconditions and every step's Check
// against the real state, and every Apply against wrappers that report the
// exact text they would send instead of sending it. Nothing is changed and
// nothing waits. The error wraps ErrRefused when a precondition failed (the
// steps are still shown).
func (r *Runner) DryRun(ctx context.Context) (Result, error) {
	e := r.Env
	e.Options = e.Options.withDefaults()
	if e.runID == "" {
		e.runID = NewRunID(e.now())
	}
	e.facts = map[string]string{}
	e.emit = r.emit
	r.emit(Event{Kind: KindRunStart, Attrs: r.runAttrs(map[string]string{"pool": e.Topo.Pool.FQDN, "dry-run": "true"}), Message: "plan " + r.Plan.Name + " of " + e.Topo.Pool.FQDN + runsProduct(e.Topo)})
	perr := r.preconditions(ctx)
	dry := *e
	dry.Primary, dry.Backup = drySQL{e.Primary, e}, drySQL{e.Backup, e}
	if e.PrimaryComp != nil {
		dry.PrimaryComp = drySQL{e.PrimaryComp, e}
	}
	if e.BackupComp != nil {
		dry.BackupComp = drySQL{e.BackupComp, e}
	}
	if e.PrimaryMirror != nil {
		dry.PrimaryMirror = drySQL{e.PrimaryMirror, e}
	}
	dry.Pool = dryPool{Pool: e.Pool, activeIdentity: e.Topo.Pool.ActiveServerIdentity, stateIdentity: e.Topo.Pool.StateIdentity, product: e.Topo.Pool.Product}
	// Facts and notes of a dry Apply are not real; where the plan departs
	// from Microsoft's step text is.
	dry.planning = true
	dry.emit = func(ev Event) {
		if ev.Kind == KindNote && ev.Attrs["deviation"] == "true" {
			r.emit(ev)
		}
	}
	for i := range r.Plan.Steps {
		s := &r.Plan.Steps[i]
		r.step, r.index = s.Name, i+1
		r.emit(Event{Kind: KindStepStart, Message: s.Title})
		var done bool
		var why string
		err := r.phase(ctx, PhaseCheck, func(ctx context.Context) error {
			var err error
			done, why, err = s.Check(ctx, e)
			return err
		})
		outcome := OutcomeNotDone
		if err == nil && done {
			outcome = OutcomeDone
		}
		if err == nil && !done {
			err = r.phase(ctx, PhaseApply, func(ctx context.Context) error { return s.Apply(ctx, &dry) })
		}
		ev := Event{Kind: KindStepEnd, Outcome: outcome, Message: why}
		if err != nil {
			ev.Outcome, ev.Error = OutcomeFailed, fmt.Sprintf("could not plan: %v", err)
		}
		r.emit(ev)
		r.step, r.index = "", 0
	}
	outcome := OutcomeOK
	if perr != nil {
		outcome = OutcomeRefused
	}
	ev := Event{Kind: KindRunEnd, Outcome: outcome}
	if perr != nil {
		ev.Error = perr.Error()
	}
	r.emit(ev)
	return Result{RunID: e.runID, Outcome: outcome}, perr
}
