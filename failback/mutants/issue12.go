package mutants

import (
	"context"
	"strconv"
	"strings"

	"github.com/pchatdr/harness/failback"
)

// issue12 lists the mutants of issue 12's defects 1 (a resume overwrites
// writes on the backup mgc) and 3 (the pre-disaster configuration is not
// restored).
func issue12() []Mutant {
	return []Mutant{
		{Name: "restore-over-backup-unfenced", Description: "the old procedure: no tail-log fence (the tail-log backup without NORECOVERY leaves the backup mgc writable, and the steps take it as fenced), step 5 initialises the secondary by restoring a new full backup of the primary over the backup mgc WITH REPLACE",
			Plan: restoreOverBackupUnfenced},
		{Name: "resume-ignores-fence", Description: "a resume takes the backup mgc as fenced whenever this run's backup files exist, even after an operator brought it online again",
			Plan: resumeIgnoresFence},
		{Name: "no-mirroring-restored", Description: "steps 8 and 9 dropped: the failback ends at pool Normal, the primary databases unmirrored and no log shipping from the primary-mirror (the pre-disaster configuration not restored)",
			Plan: func() *failback.Plan { return dropAll(failback.StepMirrorPrimary, failback.StepLogShippingFromMirror) }},
		{Name: "no-log-shipping-from-mirror", Description: "step 9 dropped: the primary is mirrored again but the primary-mirror never ships mgc, so log shipping stops at a mirroring failover",
			Plan: func() *failback.Plan { return drop(failback.StepLogShippingFromMirror) }},
		{Name: "old-ls-config-left", Description: "step 5 adds the new log-shipping configuration without removing what an earlier configuration (or an earlier run) left in msdb and the Agent's jobs",
			Plan: oldLogShippingLeft},
		{Name: "lsalert-not-recreated", Description: "steps 5 and 9 configure log shipping without the LSAlert job: the old alert jobs go with the old configuration and none is created where the new one needs it, so no threshold alert fires after the failback",
			Plan: lsAlertNotRecreated},
		{Name: "backup-mirror-ls-left", Description: "step 9 never looks at the backup-mirror: the log shipping the failover period left there (a log-shipping primary of mgc, its backup job, its LSAlert job) stays after the failback",
			Plan: backupMirrorLSLeft},
		{Name: "redo-restore-trusts-pool-state", Description: "a resume restores over the primary mgc again whenever the journal has no pool-Normal fact and the pool is FailedOver, without looking at the database: messages written there while an operator ran the pool Normal by hand are destroyed",
			Plan: redoRestoreTrustsPoolState},
	}
}

// redoRestoreTrustsPoolState runs step 4's real Redo with a primary
// instance whose row counts are always those journalled after the restore.
func redoRestoreTrustsPoolState() *failback.Plan {
	p := failback.FailbackPlan()
	s := &p.Steps[mustStep(p, failback.StepRestore)]
	redo := s.Redo
	s.Redo = func(ctx context.Context, e *failback.Env) (bool, string, error) {
		fact, _ := e.Fact(failback.FactPrimaryRows)
		return redo(ctx, withSQL(e, func(x *failback.Env) { x.Primary = rowsAsRestored{x.Primary, fact} }))
	}
	return p
}

// rowsAsRestored answers RowCounts of mgc with the counts the fact holds.
type rowsAsRestored struct {
	failback.SQL
	fact string
}

func (r rowsAsRestored) RowCounts(ctx context.Context, db string) ([]failback.TableRows, error) {
	if !strings.EqualFold(db, failback.DBContent) || r.fact == "" {
		return r.SQL.RowCounts(ctx, db)
	}
	var out []failback.TableRows
	for _, p := range strings.Split(r.fact, ";") {
		name, n, _ := strings.Cut(p, "=")
		schema, table, _ := strings.Cut(name, ".")
		rows, _ := strconv.ParseInt(n, 10, 64)
		out = append(out, failback.TableRows{Schema: schema, Table: table, Rows: rows})
	}
	return out, nil
}

// backupMirrorLSLeft runs step 9 as the engine did before it cleaned the
// backup-mirror: its Check, Apply and Verify see no backup-mirror.
func backupMirrorLSLeft() *failback.Plan {
	p := failback.FailbackPlan()
	s := &p.Steps[mustStep(p, failback.StepLogShippingFromMirror)]
	blind := func(e *failback.Env) *failback.Env {
		return withSQL(e, func(x *failback.Env) { x.BackupMirror, x.BackupMirrorComp = nil, nil })
	}
	check, apply, verify := s.Check, s.Apply, s.Verify
	s.Check = func(ctx context.Context, e *failback.Env) (bool, string, error) { return check(ctx, blind(e)) }
	s.Apply = func(ctx context.Context, e *failback.Env) error { return apply(ctx, blind(e)) }
	s.Verify = func(ctx context.Context, e *failback.Env) error { return verify(ctx, blind(e)) }
	return p
}

// dropAll drops several steps of the real plan.
func dropAll(names ...string) *failback.Plan {
	p := failback.FailbackPlan()
	for _, n := range names {
		p.Steps = without(p.Steps, p.Steps[mustStep(p, n)].Name)
	}
	return p
}

// oldLogShippingLeft runs step 5's real Apply with instances that ignore
// every removal of log-shipping configuration.
func oldLogShippingLeft() *failback.Plan {
	p := failback.FailbackPlan()
	s := &p.Steps[mustStep(p, failback.StepLogShipping)]
	apply := s.Apply
	s.Apply = func(ctx context.Context, e *failback.Env) error {
		return apply(ctx, withSQL(e, func(x *failback.Env) {
			x.Primary, x.Backup = keepsLogShipping{x.Primary}, keepsLogShipping{x.Backup}
		}))
	}
	return p
}

// keepsLogShipping silently skips the sp_delete_log_shipping_* calls.
type keepsLogShipping struct{ failback.SQL }

func (keepsLogShipping) RemoveLogShippingPrimary(context.Context, string, []failback.LSPartner) error {
	return nil
}
func (keepsLogShipping) RemoveLogShippingSecondary(context.Context, string) error { return nil }
func (keepsLogShipping) RemoveLogShippingSecondaryPrimary(context.Context, string, string) error {
	return nil
}

// claimsFenced is a backup instance whose reads say what a careless check
// assumes: the backup mgc is RESTORING whatever its state.
type claimsFenced struct{ failback.SQL }

func (c claimsFenced) DatabaseState(ctx context.Context, db string) (failback.DatabaseStatus, error) {
	st, err := c.SQL.DatabaseState(ctx, db)
	if err == nil && strings.EqualFold(db, failback.DBContent) && st.State == "ONLINE" {
		st.State = "RESTORING"
	}
	return st, err
}

// blindToFence makes the step's Check (and, with verify, its Verify) read
// the backup instance through claimsFenced.
func blindToFence(p *failback.Plan, name string, verify bool) {
	s := &p.Steps[mustStep(p, name)]
	blind := func(e *failback.Env) *failback.Env {
		return withSQL(e, func(x *failback.Env) { x.Backup = claimsFenced{x.Backup} })
	}
	check, ver := s.Check, s.Verify
	s.Check = func(ctx context.Context, e *failback.Env) (bool, string, error) { return check(ctx, blind(e)) }
	if verify {
		s.Verify = func(ctx context.Context, e *failback.Env) error { return ver(ctx, blind(e)) }
	}
}

func resumeIgnoresFence() *failback.Plan {
	p := failback.FailbackPlan()
	blindToFence(p, failback.StepClearActive, false)
	blindToFence(p, failback.StepBackup, false)
	return p
}

func restoreOverBackupUnfenced() *failback.Plan {
	p := resumeIgnoresFence()
	blindToFence(p, failback.StepBackup, true)
	s := &p.Steps[mustStep(p, failback.StepBackup)]
	apply := s.Apply
	s.Apply = func(ctx context.Context, e *failback.Env) error {
		return apply(ctx, withSQL(e, func(x *failback.Env) { x.Backup = noTailFence{x.Backup} }))
	}
	ls := &p.Steps[mustStep(p, failback.StepLogShipping)]
	lsApply := ls.Apply
	ls.Apply = func(ctx context.Context, e *failback.Env) error {
		if err := initSecondaryByRestore(ctx, e); err != nil {
			return err
		}
		return lsApply(ctx, withSQL(e, func(x *failback.Env) { x.Backup = claimsFenced{x.Backup} }))
	}
	return p
}

// noTailFence takes the tail-log backup without NORECOVERY.
type noTailFence struct{ failback.SQL }

func (n noTailFence) BackupDatabase(ctx context.Context, b failback.BackupSpec) (failback.BackupResult, error) {
	b.NoRecovery = false
	return n.SQL.BackupDatabase(ctx, b)
}

// initSecondaryByRestore is what the engine did before issue 12: a full
// backup of the primary mgc restored over the backup mgc WITH REPLACE,
// NORECOVERY ("Yes, generate a full backup of the primary database and
// restore it into the secondary database").
func initSecondaryByRestore(ctx context.Context, e *failback.Env) error {
	path := strings.TrimSuffix(e.BackupPath(), ".bak") + "_lsinit.bak"
	name := failback.DBContent + " log shipping init " + e.RunID()
	if _, err := e.Primary.BackupDatabase(ctx, failback.BackupSpec{Database: failback.DBContent, Path: path, Name: name}); err != nil {
		return err
	}
	files, err := e.Backup.FileList(ctx, path, 1)
	if err != nil {
		return err
	}
	existing, err := e.Backup.DatabaseFiles(ctx, failback.DBContent)
	if err != nil {
		return err
	}
	return e.Backup.RestoreDatabase(ctx, failback.RestoreSpec{Database: failback.DBContent, Path: path, File: 1,
		Moves: failback.DeriveMoves(files, existing), Replace: true})
}

// lsAlertNotRecreated runs steps 5 and 9's real Apply with instances that
// skip sp_add_log_shipping_alert_job.
func lsAlertNotRecreated() *failback.Plan {
	p := failback.FailbackPlan()
	for _, name := range []string{failback.StepLogShipping, failback.StepLogShippingFromMirror} {
		s := &p.Steps[mustStep(p, name)]
		apply := s.Apply
		s.Apply = func(ctx context.Context, e *failback.Env) error {
			return apply(ctx, withSQL(e, func(x *failback.Env) {
				x.Primary, x.Backup = noAlertJob{x.Primary}, noAlertJob{x.Backup}
				if x.PrimaryMirror != nil {
					x.PrimaryMirror = noAlertJob{x.PrimaryMirror}
				}
			}))
		}
	}
	return p
}

// noAlertJob silently skips sp_add_log_shipping_alert_job.
type noAlertJob struct{ failback.SQL }

func (noAlertJob) AddLogShippingAlertJob(context.Context) error { return nil }
