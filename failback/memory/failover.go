package memory

import (
	"context"
	"fmt"
	"strings"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/topology"
)

// FailoverLogs describes the log backups NewFailoverWorld leaves behind.
type FailoverLogs struct {
	Restored int // applied on the secondary by the restore job
	Copied   int // copied to the copy folder, not yet restored
	OnShare  int // on the share only (the copy job had not run yet)
}

// DefaultFailoverLogs is what NewFailoverWorld uses: three log backups
// restored, one copied but not restored, one still only on the share.
var DefaultFailoverLogs = FailoverLogs{Restored: 3, Copied: 1, OnShare: 1}

// NewFailoverWorld builds the state the failover starts from (reference
// §3): log shipping from the primary mgc to the backup instance ran for a
// while through the model's own backup, copy and restore jobs (so every
// file, LSN and history row is one SQL Server would have), then the
// primary data center was lost: the primary and its mirror are Down, the
// pool is still Normal with the primary data center's active servers, and
// the backup-mirror instance is empty. PrimaryContent is the primary mgc's
// content at the disaster: a failover that loses nothing ends with it.
func NewFailoverWorld(t *topology.Topology, logs FailoverLogs) *World {
	w := newBase(t)
	prim, back := w.instanceFor(topology.RolePrimary), w.instanceFor(topology.RoleBackup)
	pmir := w.instanceFor(topology.RolePrimaryMirror)
	w.Pool = &PoolModel{State: lync.PoolNormal, Active: append([]string(nil), t.Pool.ActiveServers...)}
	for _, s := range t.Pool.Servers {
		w.Pool.Servers = append(w.Pool.Servers, s.FQDN)
	}
	if prim == nil || back == nil {
		return w
	}
	content := map[string]Table{}
	for k, v := range ContentTables {
		content[k] = v
	}
	for _, name := range []string{failback.DBContent, failback.DBCompliance} {
		if name == failback.DBCompliance && !t.Compliance {
			continue
		}
		in := prim
		if name == failback.DBCompliance {
			in = w.compFor(topology.RolePrimary)
		}
		if in == nil {
			continue
		}
		d := &Database{Name: name, State: "ONLINE", RecoveryModel: "FULL", Family: "original-" + name, Tables: map[string]Table{},
			Files: files(`E:\SQLData`, name), SizeBytes: 512 << 20, LSN: 500000}
		for k, v := range content {
			d.Tables[k] = v
		}
		in.Databases[name] = d
		if pmir != nil && name == failback.DBContent {
			d.Mirror = failback.Mirroring{Mirrored: true, Role: "PRINCIPAL", State: "SYNCHRONIZED", Partner: "TCP://" + pmir.Host + ":5022", SafetyLevel: "FULL"}
			m := d.clone()
			m.State = "RESTORING"
			m.Mirror = failback.Mirroring{Mirrored: true, Role: "MIRROR", State: "SYNCHRONIZED", Partner: "TCP://" + prim.Host + ":5022", SafetyLevel: "FULL"}
			pmir.Databases[name] = m
		}
	}
	// mgccomp is not log shipped (reference §3: it is not failed over);
	// Topology Builder installed an empty one on the backup's store.
	if t.Compliance {
		if bc := w.compFor(topology.RoleBackup); bc != nil {
			bc.Databases[failback.DBCompliance] = &Database{Name: failback.DBCompliance, State: "ONLINE", RecoveryModel: "FULL",
				Family: "backup-" + failback.DBCompliance, Tables: map[string]Table{}, Files: files(`D:\SQLData`, failback.DBCompliance),
				SizeBytes: 64 << 20, LSN: 7000}
		}
	}
	// Initialise the secondary (reference §2.3 step 14) and configure log
	// shipping with the topology's job names.
	ls := t.LogShipping
	pdb := prim.Databases[failback.DBContent]
	init := w.fullBackup(prim, pdb, "mgc log shipping init")
	initPath := strings.TrimRight(t.Share.UNC, `\`) + `\mgc_logship_init.bak`
	w.putFile(initPath, []*mediaSet{init})
	bdb := init.db.clone()
	bdb.State, bdb.Mirror, bdb.Files = "RESTORING", failback.Mirroring{}, files(`D:\SQLData`, failback.DBContent)
	bdb.LSN, bdb.LogFrom = init.last, init.last
	back.Databases[failback.DBContent] = bdb
	back.history = append(back.history, restoreRec{RestoreRecord: failback.RestoreRecord{Date: w.now(), Database: failback.DBContent,
		BackupSetName: init.set.Name, Device: initPath}, typ: "D", lastLSN: init.last})
	prim.primaries = append(prim.primaries, &lsPrimary{db: failback.DBContent, job: ls.BackupJob,
		secondaries: []failback.LSPartner{{Server: back.ServerName, Database: failback.DBContent}}})
	prim.jobs[ls.BackupJob] = &job{kind: "backup", db: failback.DBContent, enabled: true}
	back.secondaries = append(back.secondaries, &lsSecondary{primaryServer: prim.ServerName, primaryDB: failback.DBContent, db: failback.DBContent,
		copyJob: ls.CopyJob, restoreJob: ls.RestoreJob, copyDir: ls.CopyDirectory, standby: ls.RestoreMode == topology.RestoreStandby})
	back.jobs[ls.CopyJob] = &job{kind: "copy", db: failback.DBContent, enabled: true}
	back.jobs[ls.RestoreJob] = &job{kind: "restore", db: failback.DBContent, enabled: true}
	if ls.RestoreMode == topology.RestoreStandby {
		bdb.State, bdb.Standby, bdb.ReadOnly = "ONLINE", true, true
	}

	chat := "dbo.tblChat"
	post := func() {
		t := pdb.Tables[chat]
		t.Rows += 25
		t.Checksum = t.Checksum*31 + t.Rows
		pdb.Tables[chat] = t
	}
	run := func(kind string) {
		in, name := prim, ls.BackupJob
		if kind != "backup" {
			in, name = back, ls.CopyJob
			if kind == "restore" {
				name = ls.RestoreJob
			}
		}
		j := in.jobs[name]
		var err error
		switch kind {
		case "backup":
			err = w.runBackupJob(in, j)
		case "copy":
			err = w.runCopyJob(in, j)
		case "restore":
			err = w.runRestoreJob(in, j)
		}
		w.jobRan(in, j, err)
	}
	for i := 0; i < logs.Restored; i++ {
		post()
		run("backup")
		run("copy")
		run("restore")
	}
	for i := 0; i < logs.Copied; i++ {
		post()
		run("backup")
		run("copy")
	}
	for i := 0; i < logs.OnShare; i++ {
		post()
		run("backup")
	}
	post() // acknowledged after the last log backup: lost in any failover (RPO)

	w.PrimaryContent = map[string]Table{}
	for k, v := range pdb.Tables {
		w.PrimaryContent[k] = v
	}
	w.LoggedContent = map[string]Table{}
	if n := logs.Restored + logs.Copied + logs.OnShare; n > 0 {
		last := w.logSetsIn(t.Share.UNC, failback.DBContent)
		for k, v := range last[len(last)-1].set.db.Tables {
			w.LoggedContent[k] = v
		}
	}
	// The disaster.
	prim.Down = true
	if pmir != nil {
		pmir.Down = true
	}
	w.lastMode = w.modeKey()
	return w
}

// mirrorFor is the instance Install-CsMirrorDatabase mirrors a principal
// to: the topology's mirror role for the principal's role.
func (w *World) mirrorFor(principal *topology.Instance, dbType string) (*topology.Instance, bool) {
	var role topology.Role
	switch principal.Role {
	case topology.RolePrimary:
		role = topology.RolePrimaryMirror
	case topology.RoleBackup:
		role = topology.RoleBackupMirror
	case topology.RoleCompliancePrimary:
		role = topology.RoleCompliancePrimaryMirror
	case topology.RoleComplianceBackup:
		role = topology.RoleComplianceBackupMirror
	default:
		return nil, false
	}
	if dbType == lync.DatabasePersistentChatCompliance {
		if in, ok := w.Topo.ComplianceInstance(role); ok {
			return in, true
		}
	}
	return w.Topo.InstanceByRole(role)
}

// InstallMirrorDatabase is Install-CsMirrorDatabase: the principal's
// database is backed up through the share and restored on the topology's
// mirror for it, and the session starts SYNCHRONIZED. It refuses what the
// product and SQL Server refuse: an unknown store, no mirror defined, a
// principal database that is missing, not ONLINE or not FULL recovery,
// one already mirrored (1405), a mirror that does not answer (1418), and
// an existing database on the mirror without -DropExistingDatabasesOnMirror.
func (p *Pool) InstallMirrorDatabase(ctx context.Context, m failback.MirrorInstall) error {
	c, cerr := lync.InstallMirrorDatabaseCommand(m)
	const cmd = "Install-CsMirrorDatabase"
	return p.call(ctx, "InstallMirrorDatabase", c, cerr, true, func() error {
		w := p.w
		var principal *topology.Instance
		for i := range w.Topo.Instances {
			if strings.EqualFold(w.Topo.Instances[i].Host, m.SqlServerFqdn) {
				principal = &w.Topo.Instances[i]
				break
			}
		}
		if principal == nil {
			return cmdletErr(cmd, fmt.Sprintf("SQL Server \"%s\" does not host Persistent Chat databases in the published topology.", m.SqlServerFqdn))
		}
		mt, ok := w.mirrorFor(principal, m.DatabaseType)
		if !ok {
			return cmdletErr(cmd, fmt.Sprintf("No mirror SQL store is defined for the %s database on \"%s\" in the published topology.", m.DatabaseType, m.SqlServerFqdn))
		}
		db := failback.DBContent
		if m.DatabaseType == lync.DatabasePersistentChatCompliance {
			db = failback.DBCompliance
		}
		pin, min := w.Instances[principal.Name], w.Instances[mt.Name]
		if pin.Down {
			return cmdletErr(cmd, fmt.Sprintf("Cannot connect to SQL Server %s.", m.SqlServerFqdn))
		}
		d := pin.Databases[db]
		switch {
		case d == nil:
			return cmdletErr(cmd, fmt.Sprintf("Database %s does not exist on %s.", db, m.SqlServerFqdn))
		case d.State != "ONLINE" || d.Standby:
			return cmdletErr(cmd, fmt.Sprintf("Database '%s' cannot be opened. It is in the middle of a restore.", db))
		case d.RecoveryModel != "FULL":
			return cmdletErr(cmd, fmt.Sprintf("Database %s must use the FULL recovery model to be mirrored.", db))
		case d.Mirror.Mirrored:
			return cmdletErr(cmd, fmt.Sprintf("The database \"%s\" is already enabled for database mirroring.", db))
		case min == nil || min.Down:
			return cmdletErr(cmd, fmt.Sprintf("The server network address \"TCP://%s:5022\" can not be reached or does not exist. Check the network address name and that the ports for the local and remote endpoints are operational.", mt.Host))
		case min.Databases[db] != nil && !m.DropExisting:
			return cmdletErr(cmd, fmt.Sprintf("Database %s already exists on the mirror %s: use -DropExistingDatabasesOnMirror.", db, mt.Host))
		}
		before, bs := w.snapshotChat()
		d.Mirror = failback.Mirroring{Mirrored: true, Role: "PRINCIPAL", State: "SYNCHRONIZED", Partner: "TCP://" + mt.Host + ":5022", SafetyLevel: "FULL"}
		md := d.clone()
		md.State, md.Other = "RESTORING", nil
		md.Mirror = failback.Mirroring{Mirrored: true, Role: "MIRROR", State: "SYNCHRONIZED", Partner: "TCP://" + principal.Host + ":5022", SafetyLevel: "FULL"}
		min.Databases[db] = md
		w.poolChanged(before, bs)
		return nil
	})
}

// RenameFile moves a backup file (a test giving a log backup an awkward
// name). It reports whether old existed.
func (w *World) RenameFile(old, new string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	sets, ok := w.files[lower(old)]
	if !ok {
		return false
	}
	delete(w.files, lower(old))
	delete(w.paths, lower(old))
	w.putFile(new, sets)
	return true
}

// ForgetRestoreHistory empties an instance's msdb restore history (as
// sp_delete_backuphistory would), so the engine cannot know the redo point
// and must rely on SQL Server's 4326 answers.
func (w *World) ForgetRestoreHistory(instance string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if in := w.Instances[instance]; in != nil {
		in.history = nil
	}
}

// JobExists reports whether an Agent job exists on an instance.
func (w *World) JobExists(instance, name string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	in := w.Instances[instance]
	return in != nil && in.jobs[name] != nil
}

// FailJob makes the next run of an Agent job fail with msg (the job's
// history says so; sp_start_job itself succeeds), e.g. a copy job whose
// account lost read on the share.
//
// The job need not exist yet: the failback's step 5 creates the
// log-shipping jobs and runs them at once, so a test arms the failure
// before the run.
func (w *World) FailJob(instance, name, msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.jobFails == nil {
		w.jobFails = map[string][]string{}
	}
	k := instance + "/" + name
	w.jobFails[k] = append(w.jobFails[k], msg)
}

// IdleJob makes the next n runs of an Agent job succeed without doing
// anything, as a copy job does whose backup_source_directory is not the
// folder the backup job writes to (it finds no new file, copies nothing
// and reports success), so the monitor never shows the job's effect.
func (w *World) IdleJob(instance, name string, n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.jobIdle == nil {
		w.jobIdle = map[string]int{}
	}
	w.jobIdle[instance+"/"+name] += n
}

// BusyJob makes the next n reads of a job's activity (sp_help_job) find a
// run of it in progress, as a scheduled run that started just before the
// engine disabled the job.
func (w *World) BusyJob(instance, name string, n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.jobBusy == nil {
		w.jobBusy = map[string]int{}
	}
	w.jobBusy[instance+"/"+name] += n
}

// QuietLog makes nothing be written to a database's log (on) or lets
// writes go on again (off): while quiet, a log backup holds no record past
// the previous log backup or restore (its last_lsn is where the log chain
// stood), as on SQL Server when no transaction ran since. A log-shipping
// restore job skips such a backup on a secondary already at that point
// (sqllogship: "Skipped log backup file").
func (w *World) QuietLog(instance, db string, on bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.quiet == nil {
		w.quiet = map[string]bool{}
	}
	w.quiet[instance+"/"+lower(db)] = on
}

// SameSecondLogBackup makes the next n runs of the instance's log-shipping
// backup job land in the same second as the newest log backup file of
// their database on the share. sqllogship names a file <db>_<UTC time to
// the second>.trn and writes it with BACKUP LOG ... TO DISK (no INIT), so
// such a run appends its backup to that file as the next backup set.
func (w *World) SameSecondLogBackup(instance string, n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.sameSec == nil {
		w.sameSec = map[string]int{}
	}
	w.sameSec[instance] += n
}

// takeJobIdle reports whether this run of the job is an idle one.
func (w *World) takeJobIdle(instance, name string) bool {
	k := instance + "/" + name
	if w.jobIdle[k] <= 0 {
		return false
	}
	w.jobIdle[k]--
	return true
}

// takeJobFail pops the next injected failure of a job ("" for none).
func (w *World) takeJobFail(instance, name string) string {
	k := instance + "/" + name
	q := w.jobFails[k]
	if len(q) == 0 {
		return ""
	}
	w.jobFails[k] = q[1:]
	return q[0]
}
