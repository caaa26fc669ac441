package memory

import (
	"context"
	"fmt"
	"strings"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/sqlerr"
)

// RemoveMirroring is ALTER DATABASE ... SET PARTNER OFF: both sides lose
// their mirroring metadata; the mirror side stays RESTORING (§7.1).
func (s *SQL) RemoveMirroring(ctx context.Context, name string) error {
	q, qerr := failback.RemoveMirroringSQL(name)
	in, err := s.begin(ctx, "RemoveMirroring", q, true)
	defer s.end()
	if err == nil {
		err = s.permit(in, "RemoveMirroring", name) // permissions.go
	}
	if err == nil {
		err = qerr
	}
	if err != nil {
		return err
	}
	d, err := s.db(in, name)
	if err != nil {
		return sqlErr(in.ServerName, e(sqlerr.DatabaseNotFound, name))
	}
	if !d.Mirror.Mirrored {
		return sqlErr(in.ServerName, e(sqlerr.NotMirrored, name), e(sqlerr.AlterDatabaseFailed))
	}
	s.change("RemoveMirroring", name, q)
	partnerHost := strings.TrimPrefix(d.Mirror.Partner, "TCP://")
	partnerHost, _, _ = strings.Cut(partnerHost, ":")
	for _, other := range s.w.Instances {
		if strings.EqualFold(other.Host, partnerHost) {
			if od := other.Databases[name]; od != nil {
				od.Mirror = failback.Mirroring{}
			}
		}
	}
	d.Mirror = failback.Mirroring{}
	return nil
}

// BackupDatabase writes a full backup set (INIT: the file holds only it).
func (s *SQL) BackupDatabase(ctx context.Context, b failback.BackupSpec) (failback.BackupResult, error) {
	q, qerr := failback.BackupDatabaseSQL(b)
	in, err := s.begin(ctx, "BackupDatabase", q, true)
	defer s.end()
	if err == nil {
		err = s.permit(in, "BackupDatabase", b.Database) // permissions.go
	}
	if err == nil {
		err = qerr
	}
	if err != nil {
		return failback.BackupResult{}, err
	}
	d, err := s.db(in, b.Database)
	if err != nil {
		return failback.BackupResult{}, sqlErr(in.ServerName, e(sqlerr.DatabaseNotFound, b.Database), backupAbort("BACKUP DATABASE"))
	}
	if d.Mirror.Mirrored && d.Mirror.Role == "MIRROR" {
		return failback.BackupResult{}, sqlErr(in.ServerName, e(sqlerr.DatabaseIsMirror, b.Database), backupAbort("BACKUP DATABASE"))
	}
	if d.State != "ONLINE" {
		return failback.BackupResult{}, sqlErr(in.ServerName, e(sqlerr.DatabaseRestoring, b.Database), backupAbort("BACKUP DATABASE"))
	}
	if !in.Dirs[lower(dirOf(b.Path))] {
		return failback.BackupResult{}, sqlErr(in.ServerName, e(sqlerr.BackupDeviceOpen, b.Path, "3(The system cannot find the path specified.)"), backupAbort("BACKUP DATABASE"))
	}
	if b.Log {
		return s.backupLog(in, d, b, q)
	}
	s.change("BackupDatabase", b.Database, q)
	x := s.w.fullBackup(in, d, b.Name)
	s.w.putFile(b.Path, []*mediaSet{x})
	in.backups = append(in.backups, x.set)
	msg := fmt.Sprintf("BACKUP DATABASE successfully processed %d pages in 0.100 seconds (10.000 MB/sec).", d.SizeBytes/8192)
	return failback.BackupResult{Position: 1, Messages: []string{msg}}, nil
}

// backupLog is BACKUP LOG; WITH NORECOVERY (the tail-log backup) it needs
// the database to itself (3101) and leaves it RESTORING.
func (s *SQL) backupLog(in *Instance, d *Database, b failback.BackupSpec, q string) (failback.BackupResult, error) {
	if b.NoRecovery && len(s.w.sessions(s.name, b.Database)) > 0 {
		return failback.BackupResult{}, sqlErr(in.ServerName, e(sqlerr.DatabaseInUse), backupAbort("BACKUP LOG"))
	}
	x, err := s.w.logBackup(in, d, b.Name)
	if err != nil {
		return failback.BackupResult{}, err
	}
	s.change("BackupDatabase", b.Database, q)
	x.set.Name = b.Name
	s.w.putFile(b.Path, []*mediaSet{x})
	in.backups = append(in.backups, x.set)
	if b.NoRecovery {
		d.State = "RESTORING"
	}
	return failback.BackupResult{Position: 1, Messages: []string{"BACKUP LOG successfully processed 1 pages in 0.010 seconds (1.000 MB/sec)."}}, nil
}

// VerifyBackup is RESTORE VERIFYONLY.
func (s *SQL) VerifyBackup(ctx context.Context, path string, file int) error {
	in, err := s.begin(ctx, "VerifyBackup", failback.VerifyBackupSQL(path, file), false)
	defer s.end()
	if err == nil {
		err = s.permit(in, "VerifyBackup", "") // permissions.go
	}
	if err != nil {
		return err
	}
	x, err := s.mediaSet(in, path, "VERIFY DATABASE", file)
	if err != nil {
		return err
	}
	if !x.set.Checksums {
		return sqlErr(in.ServerName, e(sqlerr.NoChecksum), e(sqlerr.BackupRestoreAborted, "VERIFY DATABASE"))
	}
	return nil
}

// RestoreDatabase is RESTORE DATABASE with SQL Server's refusals.
func (s *SQL) RestoreDatabase(ctx context.Context, r failback.RestoreSpec) error {
	q, qerr := failback.RestoreDatabaseSQL(r)
	in, err := s.begin(ctx, "RestoreDatabase", q, true)
	defer s.end()
	if err == nil {
		err = s.permit(in, "RestoreDatabase", r.Database) // permissions.go
	}
	if err == nil {
		err = qerr
	}
	if err != nil {
		return err
	}
	abort := backupAbort("RESTORE DATABASE")
	x, err := s.mediaSet(in, r.Path, "RESTORE DATABASE", max(r.File, 1))
	if err != nil {
		return err
	}
	if d := in.Databases[r.Database]; d != nil {
		if d.Mirror.Mirrored {
			return sqlErr(in.ServerName, e(sqlerr.RestoreMirrored, r.Database), abort)
		}
		if len(s.w.sessions(s.name, r.Database)) > 0 {
			return sqlErr(in.ServerName, e(sqlerr.DatabaseInUse), abort)
		}
		if !r.Replace && d.Family != x.db.Family {
			return sqlErr(in.ServerName, e(sqlerr.BackupOfOtherDatabase, r.Database), abort)
		}
		if !r.Replace && d.RecoveryModel == "FULL" && d.State == "ONLINE" {
			return sqlErr(in.ServerName, e(sqlerr.TailLogNotBackedUp, r.Database), abort)
		}
	}
	s.change("RestoreDatabase", r.Database, q)
	nd := x.db.clone()
	nd.Name = r.Database
	nd.Mirror = failback.Mirroring{}
	nd.Other = nil
	nd.Standby = false
	for i := range nd.Files {
		for _, mv := range r.Moves {
			if strings.EqualFold(mv.LogicalName, nd.Files[i].LogicalName) {
				nd.Files[i].PhysicalName = mv.To
			}
		}
	}
	switch {
	case r.Recovery:
		nd.State = "ONLINE"
	case r.StandbyFile != "":
		nd.State, nd.Standby, nd.ReadOnly = "ONLINE", true, true
	default:
		nd.State = "RESTORING"
	}
	// The redo point is the backup's last LSN; a log chain continues from
	// it (the next log backup of either copy must include it).
	nd.LSN, nd.LogFrom = x.last, x.last
	in.Databases[r.Database] = nd
	in.history = append(in.history, restoreRec{RestoreRecord: failback.RestoreRecord{Date: s.w.now(), Database: r.Database, BackupSetName: x.set.Name,
		Device: r.Path, Replace: r.Replace, Recovery: r.Recovery}, typ: "D", lastLSN: x.last})
	return nil
}

// RemoveLogShippingPrimary deletes the primary's entries.
func (s *SQL) RemoveLogShippingPrimary(ctx context.Context, name string, secondaries []failback.LSPartner) error {
	q := failback.RemoveLogShippingPrimarySQL(name, secondaries)
	in, err := s.begin(ctx, "RemoveLogShippingPrimary", q, true)
	defer s.end()
	if err == nil {
		err = s.permit(in, "RemoveLogShippingPrimary", name) // permissions.go
	}
	if err != nil {
		return err
	}
	for i, p := range in.primaries {
		if strings.EqualFold(p.db, name) {
			var left []failback.LSPartner
			for _, x := range p.secondaries {
				removed := false
				for _, y := range secondaries {
					if strings.EqualFold(x.Server, y.Server) && strings.EqualFold(x.Database, y.Database) {
						removed = true
					}
				}
				if !removed {
					left = append(left, x)
				}
			}
			if len(left) > 0 {
				return sqlErr(in.ServerName, e(sqlerr.LSPrimaryHasSecondaries, name))
			}
			s.change("RemoveLogShippingPrimary", name, q)
			delete(in.jobs, p.job)
			in.primaries = append(in.primaries[:i], in.primaries[i+1:]...)
			return nil
		}
	}
	return sqlErr(in.ServerName, e(sqlerr.LSNotPrimary, name))
}

// RemoveLogShippingSecondary deletes a secondary database entry.
func (s *SQL) RemoveLogShippingSecondary(ctx context.Context, name string) error {
	q := failback.RemoveLogShippingSecondarySQL(name)
	in, err := s.begin(ctx, "RemoveLogShippingSecondary", q, true)
	defer s.end()
	if err == nil {
		err = s.permit(in, "RemoveLogShippingSecondary", name) // permissions.go
	}
	if err != nil {
		return err
	}
	for i, x := range in.secondaries {
		if strings.EqualFold(x.db, name) {
			s.change("RemoveLogShippingSecondary", name, q)
			// "If there are no other secondary databases with the same
			// secondary ID, sp_delete_log_shipping_secondary_primary is
			// invoked from sp_delete_log_shipping_secondary_database and
			// deletes the entry for the secondary ID and the copy and
			// restore jobs." (SQL Server docs, Remove a Secondary
			// Database.) Here one registration holds one database.
			delete(in.jobs, x.copyJob)
			delete(in.jobs, x.restoreJob)
			in.secondaries = append(in.secondaries[:i], in.secondaries[i+1:]...)
			return nil
		}
	}
	return sqlErr(in.ServerName, e(sqlerr.LSNotSecondary, name))
}

// RemoveLogShippingSecondaryPrimary deletes a primary's registration.
func (s *SQL) RemoveLogShippingSecondaryPrimary(ctx context.Context, server, name string) error {
	q := failback.RemoveLogShippingSecondaryPrimarySQL(server, name)
	in, err := s.begin(ctx, "RemoveLogShippingSecondaryPrimary", q, true)
	defer s.end()
	if err == nil {
		err = s.permit(in, "RemoveLogShippingSecondaryPrimary", name) // permissions.go
	}
	if err != nil {
		return err
	}
	for i, x := range in.secondaries {
		if strings.EqualFold(x.primaryServer, server) && strings.EqualFold(x.primaryDB, name) {
			if x.db != "" {
				return sqlErr(in.ServerName, e(sqlerr.LSPrimaryHasSecondariesHere, server, name))
			}
			s.change("RemoveLogShippingSecondaryPrimary", name, q)
			delete(in.jobs, x.copyJob)
			delete(in.jobs, x.restoreJob)
			in.secondaries = append(in.secondaries[:i], in.secondaries[i+1:]...)
			return nil
		}
	}
	return sqlErr(in.ServerName, e(sqlerr.LSNotPrimary, name))
}

// AddLogShippingPrimary adds (overwrites) the primary entry and its job.
func (s *SQL) AddLogShippingPrimary(ctx context.Context, p failback.LogShippingPrimary) error {
	q, qerr := failback.AddLogShippingPrimarySQL(p)
	in, err := s.begin(ctx, "AddLogShippingPrimary", q, true)
	defer s.end()
	if err == nil {
		err = s.permit(in, "AddLogShippingPrimary", "") // permissions.go
	}
	if err == nil {
		err = qerr
	}
	if err != nil {
		return err
	}
	d, err := s.db(in, p.Database)
	if err != nil {
		return sqlErr(in.ServerName, e(sqlerr.DatabaseNotFound, p.Database))
	}
	if d.RecoveryModel == "SIMPLE" {
		return sqlErr(in.ServerName, e(sqlerr.LSPrimarySimpleRecovery, p.Database))
	}
	s.change("AddLogShippingPrimary", p.Database, q)
	kept := in.primaries[:0]
	for _, x := range in.primaries {
		if !strings.EqualFold(x.db, p.Database) {
			kept = append(kept, x)
		}
	}
	in.primaries = append(kept, &lsPrimary{db: p.Database, job: p.BackupJob})
	in.jobs[p.BackupJob] = &job{kind: "backup", db: p.Database, enabled: true}
	return nil
}

// AddLogShippingSecondary registers the primary and the secondary database.
func (s *SQL) AddLogShippingSecondary(ctx context.Context, x failback.LogShippingSecondary) error {
	q, qerr := failback.AddLogShippingSecondarySQL(x)
	in, err := s.begin(ctx, "AddLogShippingSecondary", q, true)
	defer s.end()
	if err == nil {
		err = s.permit(in, "AddLogShippingSecondary", "") // permissions.go
	}
	if err == nil {
		err = qerr
	}
	if err != nil {
		return err
	}
	d := in.Databases[x.Database]
	if d == nil || (d.State != "RESTORING" && !d.Standby) {
		return sqlErr(in.ServerName, e(sqlerr.LSDatabaseNotOnline, x.Database))
	}
	s.change("AddLogShippingSecondary", x.Database, q)
	kept := in.secondaries[:0]
	for _, y := range in.secondaries {
		if !(strings.EqualFold(y.primaryServer, x.PrimaryServer) && strings.EqualFold(y.primaryDB, x.Database)) {
			kept = append(kept, y)
		}
	}
	in.secondaries = append(kept, &lsSecondary{primaryServer: x.PrimaryServer, primaryDB: x.Database, db: x.Database,
		copyJob: x.CopyJob, restoreJob: x.RestoreJob, copyDir: x.CopyDirectory, standby: x.Standby})
	in.jobs[x.CopyJob] = &job{kind: "copy", db: x.Database, enabled: true}
	in.jobs[x.RestoreJob] = &job{kind: "restore", db: x.Database, enabled: true}
	return nil
}

// AddLogShippingPrimarySecondary adds a secondary to the primary entry.
func (s *SQL) AddLogShippingPrimarySecondary(ctx context.Context, name, server, sdb string) error {
	q := failback.AddLogShippingPrimarySecondarySQL(name, server, sdb)
	in, err := s.begin(ctx, "AddLogShippingPrimarySecondary", q, true)
	defer s.end()
	if err == nil {
		err = s.permit(in, "AddLogShippingPrimarySecondary", name) // permissions.go
	}
	if err != nil {
		return err
	}
	for _, p := range in.primaries {
		if strings.EqualFold(p.db, name) {
			s.change("AddLogShippingPrimarySecondary", name, q)
			for _, x := range p.secondaries {
				if strings.EqualFold(x.Server, server) && strings.EqualFold(x.Database, sdb) {
					return nil
				}
			}
			p.secondaries = append(p.secondaries, failback.LSPartner{Server: server, Database: sdb})
			return nil
		}
	}
	return sqlErr(in.ServerName, e(sqlerr.LSNotPrimary, name))
}

// AddLogShippingAlertJob creates the alert job unless there is one.
func (s *SQL) AddLogShippingAlertJob(ctx context.Context) error {
	q := failback.AddLogShippingAlertJobSQL
	in, err := s.begin(ctx, "AddLogShippingAlertJob", q, true)
	defer s.end()
	if err == nil {
		err = s.permit(in, "AddLogShippingAlertJob", "") // permissions.go
	}
	if err != nil {
		return err
	}
	// Sent (and recorded) either way; the procedure keeps an existing job.
	s.change("AddLogShippingAlertJob", "", q)
	in.alertJob = true
	return nil
}

// DeleteLogShippingAlertJob removes the alert job when no primary or
// secondary is left to monitor, as sp_delete_log_shipping_alert_job does.
func (s *SQL) DeleteLogShippingAlertJob(ctx context.Context) error {
	q := failback.DeleteLogShippingAlertJobSQL
	in, err := s.begin(ctx, "DeleteLogShippingAlertJob", q, true)
	defer s.end()
	if err == nil {
		err = s.permit(in, "DeleteLogShippingAlertJob", "") // permissions.go
	}
	if err != nil {
		return err
	}
	s.change("DeleteLogShippingAlertJob", "", q)
	if len(in.primaries) == 0 && len(in.secondaries) == 0 {
		in.alertJob = false
	}
	return nil
}
