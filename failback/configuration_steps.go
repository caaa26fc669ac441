package failback

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/topology"
)

// Steps 8 and 9 of the failback: "restore the pre-disaster configuration"
// (the failback topic's stated goal) beyond what Microsoft's seven steps
// do. Before the disaster the primary mgc and mgccomp were mirrored to the
// primary-mirror ("Configuring Persistent Chat Server for high availability
// and disaster recovery", §2.2) and log shipping reached the backup from
// the primary mirror too (§2.4), so that it survives a mirroring failover on
// the primary side. Both run after the pool is Normal: outside the chat
// outage.
const (
	StepMirrorPrimary         = "mirror-primary-databases"
	StepLogShippingFromMirror = "log-shipping-from-primary-mirror"
)

// DeviationConfiguration says why the plan has steps Microsoft's text does
// not.
const DeviationConfiguration = "deviation from the documented procedure, which ends at the pool state Normal: its stated goal is the pre-disaster configuration, " +
	"so steps 8 and 9 mirror the primary databases to the primary-mirror again and make the primary-mirror a log-shipping primary too, as the HA/DR configuration topic sets them up; " +
	"without them the primary runs without high availability and log shipping stops at the first mirroring failover"

// configurationSteps are the failback's steps 8 and 9.
func configurationSteps() []Step {
	return []Step{
		{Name: StepMirrorPrimary, Title: "mirror the primary mgc and mgccomp to the primary-mirror again (Install-CsMirrorDatabase -DropExistingDatabasesOnMirror), " +
			"the primary's log-shipping backup job disabled until mirroring has started and enabled again after",
			Check: checkPrimaryMirrored, Apply: applyMirrorPrimary, Verify: verifyPrimaryMirrored},
		{Name: StepLogShippingFromMirror, Title: "make the primary-mirror a log-shipping primary of mgc too, shipping to the backup server (so log shipping survives a mirroring failover); remove what the failover period left of log shipping on the backup-mirror",
			Check: checkLogShippingFromMirror, Apply: applyLogShippingFromMirror, Verify: verifyLogShippingFromMirror},
	}
}

// primaryMirrorPair is one primary-side database and the instance that
// mirrors it.
type primaryMirrorPair struct {
	sql    SQL
	db     string
	dbType string
	mirror *topology.Instance
	inst   *topology.Instance // the principal's topology entry
}

// primaryMirrorPairs lists mgc (and mgccomp with compliance) with their
// mirror instances; none when the topology has no primary-mirror.
func (e *Env) primaryMirrorPairs() ([]primaryMirrorPair, error) {
	t := e.Topo
	mirror, ok := t.InstanceByRole(topology.RolePrimaryMirror)
	if !ok {
		return nil, nil
	}
	prim, ok := t.InstanceByRole(topology.RolePrimary)
	if !ok {
		return nil, fmt.Errorf("the topology has no primary instance")
	}
	out := []primaryMirrorPair{{sql: e.Primary, db: DBContent, dbType: lync.DatabasePersistentChat, mirror: mirror, inst: prim}}
	if t.Compliance && e.PrimaryComp != nil {
		cp, ok := t.ComplianceInstance(topology.RolePrimary)
		cm, mok := t.ComplianceInstance(topology.RolePrimaryMirror)
		if ok && mok {
			out = append(out, primaryMirrorPair{sql: e.PrimaryComp, db: DBCompliance, dbType: lync.DatabasePersistentChatCompliance, mirror: cm, inst: cp})
		}
	}
	return out, nil
}

func checkPrimaryMirrored(ctx context.Context, e *Env) (bool, string, error) {
	pairs, err := e.primaryMirrorPairs()
	if err != nil || len(pairs) == 0 {
		return len(pairs) == 0 && err == nil, "the topology has no primary-mirror instance", err
	}
	var missing, done []string
	for _, p := range pairs {
		m, err := p.sql.Mirroring(ctx, p.db)
		if err != nil {
			return false, "", err
		}
		if mirroredTo(m, p.mirror.Host) && m.State == "SYNCHRONIZED" {
			done = append(done, p.db+" is the principal of a SYNCHRONIZED session with "+m.Partner)
			continue
		}
		if m.Mirrored {
			missing = append(missing, fmt.Sprintf("%s on %s is %s %s with %s", p.db, p.sql.Instance(), m.Role, m.State, m.Partner))
		} else {
			missing = append(missing, p.db+" on "+p.sql.Instance()+" is not mirrored")
		}
	}
	if len(missing) > 0 {
		return false, strings.Join(missing, "; "), nil
	}
	if paused, why, err := e.logBackupsPaused(ctx); err != nil || paused {
		return false, why, err
	}
	return true, strings.Join(done, "; "), nil
}

// applyMirrorPrimary runs Install-CsMirrorDatabase for each database not
// mirrored yet. -DropExistingDatabasesOnMirror: a copy on the rebuilt
// primary-mirror (Topology Builder's, or one left RESTORING) is never the
// data's source; without the switch the cmdlet refuses to mirror over it.
//
// The primary's log-shipping backup job is disabled around the cmdlet
// (logbackup_pause.go) and enabled again however the step ends.
func applyMirrorPrimary(ctx context.Context, e *Env) (err error) {
	pairs, err := e.primaryMirrorPairs()
	if err != nil {
		return err
	}
	if len(pairs) == 0 {
		e.Note("skip: the topology has no primary-mirror instance; the primary databases run without a mirror")
		return nil
	}
	e.Deviation(DeviationConfiguration)
	var resume func() error // set once the job is paused, before the first cmdlet
	defer func() {
		if resume == nil {
			resume = func() error { return e.resumeLogBackups(ctx) } // one a stopped run left disabled
		}
		if rerr := resume(); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}()
	for _, p := range pairs {
		m, err := p.sql.Mirroring(ctx, p.db)
		if err != nil {
			return err
		}
		if m.Mirrored {
			if mirroredTo(m, p.mirror.Host) {
				e.Note("skip: " + p.db + " is already mirrored with " + m.Partner + " (" + m.State + ")")
				continue
			}
			return fmt.Errorf("%s on %s is already %s with %s, not with the topology's primary-mirror %s: remove that session first", p.db, p.sql.Instance(), m.Role, m.Partner, p.mirror.Host)
		}
		_, inst, _, err := topology.ParseAddress(p.inst.Address)
		if err != nil {
			return fmt.Errorf("%s instance address: %w", p.inst.Name, err)
		}
		if resume == nil {
			if resume, err = e.pauseLogBackups(ctx); err != nil {
				return err
			}
		}
		if err := e.Pool.InstallMirrorDatabase(ctx, MirrorInstall{DatabaseType: p.dbType, SqlServerFqdn: p.inst.Host, SqlInstanceName: inst,
			FileShare: e.Topo.Share.UNC, DropExisting: true}); err != nil {
			return err
		}
	}
	return nil
}

func verifyPrimaryMirrored(ctx context.Context, e *Env) error {
	return e.waitFor(ctx, e.Options.MirrorTimeout, "the primary databases' mirroring sessions to synchronise", func(ctx context.Context) (bool, string, error) {
		return checkPrimaryMirrored(ctx, e)
	})
}

// mirrorShips reports whether the primary-mirror is a log-shipping primary
// of mgc with the backup server as its secondary.
func (e *Env) mirrorShips(ctx context.Context) (bool, string, error) {
	if e.PrimaryMirror == nil {
		if _, ok := e.Topo.InstanceByRole(topology.RolePrimaryMirror); !ok {
			return true, "the topology has no primary-mirror instance", nil
		}
		return false, "", fmt.Errorf("the primary-mirror instance is not connected")
	}
	backup, err := e.Backup.ServerName(ctx)
	if err != nil {
		return false, "", err
	}
	cfg, err := e.PrimaryMirror.LogShipping(ctx)
	if err != nil {
		return false, "", err
	}
	for _, p := range cfg.Primaries {
		if !strings.EqualFold(p.Database, DBContent) {
			continue
		}
		for _, s := range p.Secondaries {
			if strings.EqualFold(s.Server, backup) && strings.EqualFold(s.Database, DBContent) {
				return true, "the primary-mirror " + e.PrimaryMirror.Instance() + " ships mgc to " + backup + " too (job " + p.BackupJob + ")", nil
			}
		}
	}
	return false, "the primary-mirror " + e.PrimaryMirror.Instance() + " does not ship mgc to " + backup, nil
}

// backupMirrorLeftovers lists what the backup-mirror holds of log
// shipping for mgc: a primary configuration (an administrator who set up
// the HA/DR configuration on the backup side during the failover period,
// for after a mirroring failover there), a secondary one, and the LSAlert
// job when nothing is left for it to monitor. Before the disaster the
// backup-mirror held none of it ("Configuring Persistent Chat Server for
// high availability and disaster recovery" gives it no log-shipping role).
func (e *Env) backupMirrorLeftovers(ctx context.Context) (LogShippingConfig, bool, []string, error) {
	var cfg LogShippingConfig
	if e.BackupMirror == nil {
		return cfg, false, nil, nil
	}
	all, err := e.BackupMirror.LogShipping(ctx)
	if err != nil {
		return cfg, false, nil, err
	}
	var what []string
	for _, p := range all.Primaries {
		if strings.EqualFold(p.Database, DBContent) {
			cfg.Primaries = append(cfg.Primaries, p)
			what = append(what, fmt.Sprintf("%s is a log-shipping primary (job %s, %d secondaries)", p.Database, p.BackupJob, len(p.Secondaries)))
		}
	}
	for _, s := range all.Secondaries {
		if strings.EqualFold(s.PrimaryDatabase, DBContent) || strings.EqualFold(s.Database, DBContent) {
			cfg.Secondaries = append(cfg.Secondaries, s)
			what = append(what, fmt.Sprintf("a log-shipping secondary of %s.%s", s.PrimaryServer, s.PrimaryDatabase))
		}
	}
	// The alert job belongs to whatever the instance still monitors: a
	// leftover only when nothing but mgc's configuration is there.
	alert := false
	if len(all.Primaries) == len(cfg.Primaries) && len(all.Secondaries) == len(cfg.Secondaries) {
		name, err := e.BackupMirror.ServerName(ctx)
		if err != nil {
			return cfg, false, nil, err
		}
		st, err := e.BackupMirror.JobStatus(ctx, "LSAlert_"+name)
		if err != nil {
			return cfg, false, nil, err
		}
		if alert = st.Exists; alert {
			what = append(what, "job LSAlert_"+name)
		}
	}
	return cfg, alert, what, nil
}

// backupMirrorClean reports whether the backup-mirror holds no log
// shipping of mgc (none in the topology: clean).
func (e *Env) backupMirrorClean(ctx context.Context) (bool, string, error) {
	if e.BackupMirror == nil {
		return true, "the topology has no backup-mirror instance", nil
	}
	_, _, what, err := e.backupMirrorLeftovers(ctx)
	if err != nil {
		return false, "", err
	}
	if len(what) > 0 {
		return false, "the backup-mirror " + e.BackupMirror.Instance() + " holds log shipping of the failover period: " + strings.Join(what, "; "), nil
	}
	return true, "the backup-mirror " + e.BackupMirror.Instance() + " holds no log shipping of mgc", nil
}

// cleanBackupMirror removes mgc's log shipping from the backup-mirror: the
// secondaries of its primary configuration and the configuration (with its
// backup job), its secondary entries, then its alert job (which the
// procedure keeps while something else is monitored).
func (e *Env) cleanBackupMirror(ctx context.Context) error {
	cfg, alert, what, err := e.backupMirrorLeftovers(ctx)
	if err != nil || len(what) == 0 {
		return err
	}
	e.Note("removing log shipping of the failover period from the backup-mirror " + e.BackupMirror.Instance() + ": " + strings.Join(what, "; "))
	for _, p := range cfg.Primaries {
		if err := e.BackupMirror.RemoveLogShippingPrimary(ctx, p.Database, p.Secondaries); err != nil {
			return err
		}
	}
	removed := map[string]bool{}
	for _, s := range cfg.Secondaries {
		if s.Database != "" && !removed[strings.ToLower(s.Database)] {
			if err := e.BackupMirror.RemoveLogShippingSecondary(ctx, s.Database); err != nil {
				return err
			}
			removed[strings.ToLower(s.Database)] = true
		}
	}
	// sp_delete_log_shipping_secondary_database may have removed the
	// primary's registration with its last database: read what is left.
	if len(cfg.Secondaries) > 0 {
		left, err := e.BackupMirror.LogShipping(ctx)
		if err != nil {
			return err
		}
		for _, s := range left.Secondaries {
			if strings.EqualFold(s.PrimaryDatabase, DBContent) {
				if err := e.BackupMirror.RemoveLogShippingSecondaryPrimary(ctx, s.PrimaryServer, s.PrimaryDatabase); err != nil {
					return err
				}
			}
		}
	}
	if alert || len(cfg.Primaries)+len(cfg.Secondaries) > 0 {
		return e.BackupMirror.DeleteLogShippingAlertJob(ctx)
	}
	return nil
}

func checkLogShippingFromMirror(ctx context.Context, e *Env) (bool, string, error) {
	ok, why, err := e.mirrorShips(ctx)
	if err != nil || !ok {
		return ok, why, err
	}
	clean, cwhy, err := e.backupMirrorClean(ctx)
	if err != nil || !clean {
		return false, cwhy, err
	}
	return true, why + "; " + cwhy, nil
}

// applyLogShippingFromMirror is §2.4's "first half of the script": on the
// primary-mirror, sp_add_log_shipping_primary_database with the primary's
// settings, its backup job's schedule, and sp_add_log_shipping_primary_secondary
// naming the backup server (the secondary is initialised already and its
// copy job reads every mgc log backup on the share). The Lync topic fails
// the database over to the mirror to do this in SSMS; SQL Server's
// "Database Mirroring and Log Shipping" does it with the stored procedures,
// which need no failover and so no interruption of chat.
func applyLogShippingFromMirror(ctx context.Context, e *Env) error {
	if err := e.cleanBackupMirror(ctx); err != nil {
		return err
	}
	if e.PrimaryMirror == nil {
		e.Note("skip: the topology has no primary-mirror instance")
		return nil
	}
	t := e.Topo
	ls := t.LogShipping
	backup, err := e.Backup.ServerName(ctx)
	if err != nil {
		return err
	}
	cfg, err := e.PrimaryMirror.LogShipping(ctx)
	if err != nil {
		return err
	}
	for _, p := range cfg.Primaries {
		if strings.EqualFold(p.Database, DBContent) {
			if err := e.PrimaryMirror.RemoveLogShippingPrimary(ctx, DBContent, p.Secondaries); err != nil {
				return err
			}
		}
	}
	if err := e.PrimaryMirror.AddLogShippingPrimary(ctx, LogShippingPrimary{Database: DBContent, BackupDirectory: t.Share.UNC, BackupShare: t.Share.UNC,
		BackupJob: ls.BackupJob, ScheduleName: "LSBackupSchedule_" + DBContent, ScheduleMinutes: ls.ScheduleMinutes,
		RetentionMinutes: ls.RetentionMinutes, BackupThresholdMinutes: ls.BackupThresholdMinutes, StartDate: e.scheduleStart()}); err != nil {
		return err
	}
	// The primary-mirror monitors its own configuration: its LSAlert job.
	if err := e.PrimaryMirror.AddLogShippingAlertJob(ctx); err != nil {
		return err
	}
	return e.PrimaryMirror.AddLogShippingPrimarySecondary(ctx, DBContent, backup, DBContent)
}

func verifyLogShippingFromMirror(ctx context.Context, e *Env) error {
	ok, why, err := checkLogShippingFromMirror(ctx, e)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("after configuring it, %s", why)
	}
	return nil
}
