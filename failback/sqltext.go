package failback

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pchatdr/harness/failback/sqlserver"
)

// This file builds every T-SQL text the engine sends. Names go through
// QuoteName (QUOTENAME rules), values through QuoteString (N'...' with '
// doubled), numbers through strconv: no topology value can leave its
// literal. The live and in-memory implementations and the plan all use
// these builders, so the journal of a unit test shows what a real run sends.

var (
	qs = sqlserver.QuoteString
)

func qn(s string) (string, error) { return sqlserver.QuoteName(s) }

// ServerNameSQL reads the instance's own name, which log shipping records.
const ServerNameSQL = "SELECT @@SERVERNAME"

// RemoveMirroringSQL is SSMS's Remove Mirroring (reference §7.1).
func RemoveMirroringSQL(db string) (string, error) {
	q, err := qn(db)
	if err != nil {
		return "", err
	}
	return "ALTER DATABASE " + q + " SET PARTNER OFF", nil
}

// BackupDatabaseSQL is a full backup (or, with Log, a log backup; with
// NoRecovery too, the tail-log backup that leaves the database RESTORING)
// to one disk file. INIT, SKIP: the file
// is unique per run, and a re-applied step (after a crash between Apply
// and Verify) overwrites its own set instead of appending a second one, so
// the set is always at FILE = 1. CHECKSUM: verify pages while reading and
// let RESTORE VERIFYONLY check the backup's checksum.
func BackupDatabaseSQL(b BackupSpec) (string, error) {
	q, err := qn(b.Database)
	if err != nil {
		return "", err
	}
	if b.Path == "" || b.Name == "" {
		return "", fmt.Errorf("backup %s: empty path or set name", b.Database)
	}
	verb := "BACKUP DATABASE "
	opts := " WITH NOFORMAT, INIT, SKIP, CHECKSUM"
	switch {
	case b.Log && b.NoRecovery:
		verb, opts = "BACKUP LOG ", opts+", NORECOVERY"
	case b.Log:
		verb = "BACKUP LOG "
	case b.NoRecovery:
		return "", fmt.Errorf("backup %s: NORECOVERY is an option of BACKUP LOG only", b.Database)
	}
	s := verb + q + " TO DISK = " + qs(b.Path) + opts + ", NAME = " + qs(b.Name)
	if b.Description != "" {
		s += ", DESCRIPTION = " + qs(b.Description)
	}
	if b.Compression {
		s += ", COMPRESSION"
	}
	return s + ", STATS = 10", nil
}

// VerifyBackupSQL checks the backup set is complete and its checksums hold.
func VerifyBackupSQL(path string, file int) string {
	return "RESTORE VERIFYONLY FROM DISK = " + qs(path) + " WITH FILE = " + strconv.Itoa(file) + ", CHECKSUM"
}

// HeaderOnlySQL lists the backup sets in a file.
func HeaderOnlySQL(path string) string {
	return "RESTORE HEADERONLY FROM DISK = " + qs(path)
}

// FileListOnlySQL lists the database files in a backup set.
func FileListOnlySQL(path string, file int) string {
	return "RESTORE FILELISTONLY FROM DISK = " + qs(path) + " WITH FILE = " + strconv.Itoa(file)
}

// RestoreDatabaseSQL restores a full backup (reference §4 step 4, and the
// log-shipping secondary's initialisation WITH NORECOVERY).
func RestoreDatabaseSQL(r RestoreSpec) (string, error) {
	q, err := qn(r.Database)
	if err != nil {
		return "", err
	}
	file := r.File
	if file <= 0 {
		file = 1
	}
	opts := []string{"FILE = " + strconv.Itoa(file)}
	for _, m := range r.Moves {
		opts = append(opts, "MOVE "+qs(m.LogicalName)+" TO "+qs(m.To))
	}
	if r.Replace {
		opts = append(opts, "REPLACE")
	}
	switch {
	case r.Recovery:
		opts = append(opts, "RECOVERY")
	case r.StandbyFile != "":
		opts = append(opts, "STANDBY = "+qs(r.StandbyFile))
	default:
		opts = append(opts, "NORECOVERY")
	}
	opts = append(opts, "STATS = 10")
	return "RESTORE DATABASE " + q + " FROM DISK = " + qs(r.Path) + " WITH " + strings.Join(opts, ", "), nil
}

// DatabaseFilesSQL lists a database's files as the instance has them.
func DatabaseFilesSQL(db string) string {
	return "SELECT f.name, f.physical_name, f.type_desc FROM sys.master_files AS f WHERE f.database_id = DB_ID(" + qs(db) + ") ORDER BY f.file_id"
}

// DatabaseSizeSQL is the allocated size of a database in bytes.
func DatabaseSizeSQL(db string) string {
	return "SELECT SUM(CAST(f.size AS bigint)) * 8192 FROM sys.master_files AS f WHERE f.database_id = DB_ID(" + qs(db) + ")"
}

// RestoreHistorySQL lists the latest restores into db with the set they
// restored (newest first).
func RestoreHistorySQL(db string) string {
	return "SELECT TOP (20) h.restore_date, h.destination_database_name, b.name, f.physical_device_name, h.[replace], h.[recovery] " +
		"FROM msdb.dbo.restorehistory AS h JOIN msdb.dbo.backupset AS b ON b.backup_set_id = h.backup_set_id " +
		"JOIN msdb.dbo.backupmediafamily AS f ON f.media_set_id = b.media_set_id " +
		"WHERE h.destination_database_name = " + qs(db) + " AND h.restore_type = 'D' ORDER BY h.restore_history_id DESC"
}

// LogShippingPrimariesSQL lists this instance's log-shipping primary
// databases with their secondaries.
const LogShippingPrimariesSQL = "SELECT p.primary_database, j.name, s.secondary_server, s.secondary_database " +
	"FROM msdb.dbo.log_shipping_primary_databases AS p " +
	"LEFT JOIN msdb.dbo.log_shipping_primary_secondaries AS s ON s.primary_id = p.primary_id " +
	"LEFT JOIN msdb.dbo.sysjobs AS j ON j.job_id = p.backup_job_id ORDER BY p.primary_database"

// LogShippingSecondariesSQL lists this instance's log-shipping secondary
// registrations with their databases.
const LogShippingSecondariesSQL = "SELECT s.primary_server, s.primary_database, d.secondary_database " +
	"FROM msdb.dbo.log_shipping_secondary AS s " +
	"LEFT JOIN msdb.dbo.log_shipping_secondary_databases AS d ON d.secondary_id = s.secondary_id ORDER BY s.primary_server, s.primary_database"

// PrimaryMonitorSQL reads the primary's last log backup.
func PrimaryMonitorSQL(db string) string {
	return "SELECT m.last_backup_file, m.last_backup_date_utc FROM msdb.dbo.log_shipping_monitor_primary AS m WHERE m.primary_database = " + qs(db)
}

// SecondaryMonitorSQL reads the secondary's last copy and restore.
func SecondaryMonitorSQL(db string) string {
	return "SELECT m.last_copied_file, m.last_copied_date_utc, m.last_restored_file, m.last_restored_date_utc " +
		"FROM msdb.dbo.log_shipping_monitor_secondary AS m WHERE m.secondary_database = " + qs(db)
}

// RemoveLogShippingPrimarySQL removes db as a log-shipping primary: each
// secondary first (32011 otherwise), then the primary entry (dbatools'
// Remove-DbaDbLogShipping order).
func RemoveLogShippingPrimarySQL(db string, secondaries []LSPartner) string {
	var b strings.Builder
	for _, s := range secondaries {
		b.WriteString("EXEC master.dbo.sp_delete_log_shipping_primary_secondary @primary_database = " + qs(db) +
			", @secondary_server = " + qs(s.Server) + ", @secondary_database = " + qs(s.Database) + ";\n")
	}
	b.WriteString("EXEC master.dbo.sp_delete_log_shipping_primary_database @database = " + qs(db) + ";")
	return b.String()
}

// RemoveLogShippingSecondarySQL removes a secondary database entry (failover
// step 1's statement, with the parameter named).
func RemoveLogShippingSecondarySQL(db string) string {
	return "EXEC master.dbo.sp_delete_log_shipping_secondary_database @secondary_database = " + qs(db) + ";"
}

// RemoveLogShippingSecondaryPrimarySQL removes a secondary's registration of
// a primary (and its copy and restore jobs).
func RemoveLogShippingSecondaryPrimarySQL(primaryServer, primaryDB string) string {
	return "EXEC master.dbo.sp_delete_log_shipping_secondary_primary @primary_server = " + qs(primaryServer) +
		", @primary_database = " + qs(primaryDB) + ";"
}

func addScheduleSQL(name string, minutes, startDate int, uidVar, idVar string) string {
	return "EXEC msdb.dbo.sp_add_schedule @schedule_name = " + qs(name) +
		", @enabled = 1, @freq_type = 4, @freq_interval = 1, @freq_subday_type = 4, @freq_subday_interval = " + strconv.Itoa(minutes) +
		", @freq_recurrence_factor = 0, @active_start_date = " + strconv.Itoa(startDate) +
		", @active_end_date = 99991231, @active_start_time = 0, @active_end_time = 235900" +
		", @schedule_uid = " + uidVar + " OUTPUT, @schedule_id = " + idVar + " OUTPUT;\n"
}

func retCheck(rcVar, proc string) string {
	return "IF (@@ERROR <> 0 OR " + rcVar + " <> 0)\nBEGIN\n\tRAISERROR(N'" + proc + " failed with return code %d', 16, 1, " + rcVar + ");\n\tRETURN;\nEND\n"
}

// historyRetentionMinutes is the history kept for the log-shipping agents
// (the Linux tutorial's and SSMS's 5760, four days).
const historyRetentionMinutes = 5760

// AddLogShippingPrimarySQL is the primary half of the SSMS/dbatools script
// (reference §7.5 steps 2, 3, 5, §7.6, §10): the procedure with OUTPUT job
// and primary ids and a return-code check, the backup schedule attached,
// the backup job enabled. @overwrite = 1 as SSMS and dbatools pass it.
func AddLogShippingPrimarySQL(p LogShippingPrimary) (string, error) {
	if p.Database == "" || p.BackupJob == "" || p.BackupShare == "" {
		return "", fmt.Errorf("log shipping primary: database, backup job and share are required")
	}
	dir := p.BackupDirectory
	if dir == "" {
		dir = p.BackupShare
	}
	var b strings.Builder
	b.WriteString("DECLARE @LS_BackupJobId AS uniqueidentifier;\nDECLARE @LS_PrimaryId AS uniqueidentifier;\nDECLARE @SP_Add_RetCode AS int;\n")
	b.WriteString("EXEC @SP_Add_RetCode = master.dbo.sp_add_log_shipping_primary_database @database = " + qs(p.Database) +
		", @backup_directory = " + qs(dir) + ", @backup_share = " + qs(p.BackupShare) +
		", @backup_job_name = " + qs(p.BackupJob) +
		", @backup_retention_period = " + strconv.Itoa(p.RetentionMinutes) +
		", @backup_compression = 2, @backup_threshold = " + strconv.Itoa(p.BackupThresholdMinutes) +
		", @threshold_alert_enabled = 1, @history_retention_period = " + strconv.Itoa(historyRetentionMinutes) +
		", @backup_job_id = @LS_BackupJobId OUTPUT, @primary_id = @LS_PrimaryId OUTPUT, @overwrite = 1;\n")
	b.WriteString(retCheck("@SP_Add_RetCode", "sp_add_log_shipping_primary_database"))
	b.WriteString("DECLARE @LS_BackUpScheduleUID AS uniqueidentifier;\nDECLARE @LS_BackUpScheduleID AS int;\n")
	b.WriteString(addScheduleSQL(p.ScheduleName, p.ScheduleMinutes, p.StartDate, "@LS_BackUpScheduleUID", "@LS_BackUpScheduleID"))
	b.WriteString("EXEC msdb.dbo.sp_attach_schedule @job_id = @LS_BackupJobId, @schedule_id = @LS_BackUpScheduleID;\n")
	b.WriteString("EXEC msdb.dbo.sp_update_job @job_id = @LS_BackupJobId, @enabled = 1;")
	return b.String(), nil
}

// AddLogShippingSecondarySQL is the secondary half (reference §7.5 steps 6,
// 7, 8, 10): register the primary (OUTPUT copy/restore job ids and the
// secondary id), schedule both jobs, add the secondary database, enable the
// jobs.
func AddLogShippingSecondarySQL(s LogShippingSecondary) (string, error) {
	if s.PrimaryServer == "" || s.Database == "" || s.CopyJob == "" || s.RestoreJob == "" || s.CopyDirectory == "" || s.BackupSourceDirectory == "" {
		return "", fmt.Errorf("log shipping secondary: primary server, database, jobs and directories are required")
	}
	mode, disconnect := "0", "0"
	if s.Standby {
		mode, disconnect = "1", "1"
	}
	var b strings.Builder
	b.WriteString("DECLARE @LS_Secondary__CopyJobId AS uniqueidentifier;\nDECLARE @LS_Secondary__RestoreJobId AS uniqueidentifier;\n" +
		"DECLARE @LS_Secondary__SecondaryId AS uniqueidentifier;\nDECLARE @LS_Add_RetCode AS int;\n")
	b.WriteString("EXEC @LS_Add_RetCode = master.dbo.sp_add_log_shipping_secondary_primary @primary_server = " + qs(s.PrimaryServer) +
		", @primary_database = " + qs(s.Database) +
		", @backup_source_directory = " + qs(s.BackupSourceDirectory) +
		", @backup_destination_directory = " + qs(s.CopyDirectory) +
		", @copy_job_name = " + qs(s.CopyJob) + ", @restore_job_name = " + qs(s.RestoreJob) +
		", @file_retention_period = " + strconv.Itoa(s.RetentionMinutes) +
		", @overwrite = 1, @copy_job_id = @LS_Secondary__CopyJobId OUTPUT, @restore_job_id = @LS_Secondary__RestoreJobId OUTPUT" +
		", @secondary_id = @LS_Secondary__SecondaryId OUTPUT;\n")
	b.WriteString(retCheck("@LS_Add_RetCode", "sp_add_log_shipping_secondary_primary"))
	b.WriteString("DECLARE @LS_SecondaryCopyJobScheduleUID AS uniqueidentifier;\nDECLARE @LS_SecondaryCopyJobScheduleID AS int;\n")
	b.WriteString(addScheduleSQL(s.CopyScheduleName, s.ScheduleMinutes, s.StartDate, "@LS_SecondaryCopyJobScheduleUID", "@LS_SecondaryCopyJobScheduleID"))
	b.WriteString("EXEC msdb.dbo.sp_attach_schedule @job_id = @LS_Secondary__CopyJobId, @schedule_id = @LS_SecondaryCopyJobScheduleID;\n")
	b.WriteString("DECLARE @LS_SecondaryRestoreJobScheduleUID AS uniqueidentifier;\nDECLARE @LS_SecondaryRestoreJobScheduleID AS int;\n")
	b.WriteString(addScheduleSQL(s.RestoreScheduleName, s.ScheduleMinutes, s.StartDate, "@LS_SecondaryRestoreJobScheduleUID", "@LS_SecondaryRestoreJobScheduleID"))
	b.WriteString("EXEC msdb.dbo.sp_attach_schedule @job_id = @LS_Secondary__RestoreJobId, @schedule_id = @LS_SecondaryRestoreJobScheduleID;\n")
	b.WriteString("DECLARE @LS_Add_RetCode2 AS int;\n")
	b.WriteString("EXEC @LS_Add_RetCode2 = master.dbo.sp_add_log_shipping_secondary_database @secondary_database = " + qs(s.Database) +
		", @primary_server = " + qs(s.PrimaryServer) + ", @primary_database = " + qs(s.Database) +
		", @restore_delay = 0, @restore_mode = " + mode + ", @disconnect_users = " + disconnect +
		", @restore_threshold = " + strconv.Itoa(s.RestoreThresholdMinutes) +
		", @threshold_alert_enabled = 1, @history_retention_period = " + strconv.Itoa(historyRetentionMinutes) + ", @overwrite = 1;\n")
	b.WriteString(retCheck("@LS_Add_RetCode2", "sp_add_log_shipping_secondary_database"))
	b.WriteString("EXEC msdb.dbo.sp_update_job @job_id = @LS_Secondary__CopyJobId, @enabled = 1;\n")
	b.WriteString("EXEC msdb.dbo.sp_update_job @job_id = @LS_Secondary__RestoreJobId, @enabled = 1;")
	return b.String(), nil
}

// AddLogShippingPrimarySecondarySQL registers the secondary on the primary
// (reference §7.5 step 9).
func AddLogShippingPrimarySecondarySQL(db, secondaryServer, secondaryDB string) string {
	return "EXEC master.dbo.sp_add_log_shipping_primary_secondary @primary_database = " + qs(db) +
		", @secondary_server = " + qs(secondaryServer) + ", @secondary_database = " + qs(secondaryDB) + ", @overwrite = 1;"
}

// AddLogShippingAlertJobSQL creates the log-shipping alert job
// (LSAlert_<server>) on the instance it runs on, the monitor of its
// configuration, unless it has one (SQL Server's "Configure Log Shipping"
// script runs it on the primary and on each secondary when no separate
// monitor server is named).
const AddLogShippingAlertJobSQL = "EXEC master.dbo.sp_add_log_shipping_alert_job;"

// DeleteLogShippingAlertJobSQL removes the alert job where nothing is left
// to monitor (the procedure keeps it otherwise).
const DeleteLogShippingAlertJobSQL = "EXEC master.dbo.sp_delete_log_shipping_alert_job;"

// SetJobEnabledSQL enables or disables an Agent job (sp_update_job
// @enabled). Disabling stops its schedules from starting it; a run in
// progress goes on, and sp_start_job still runs it.
func SetJobEnabledSQL(job string, enabled bool) string {
	v := "0"
	if enabled {
		v = "1"
	}
	return "EXEC msdb.dbo.sp_update_job @job_name = " + qs(job) + ", @enabled = " + v + ";"
}

// JobActivitySQL reads an Agent job's live state: sp_help_job's
// current_execution_status (1 Executing ... 4 Idle), which msdb's job
// history cannot give (a run's outcome row is written when it ends).
func JobActivitySQL(job string) string {
	return "EXEC msdb.dbo.sp_help_job @job_name = " + qs(job) + ", @job_aspect = N'JOB';"
}

// JobIdle is sp_help_job's current_execution_status of a job the Agent is
// not running.
const JobIdle = 4

// StartJobSQL starts an Agent job (asynchronous: it returns once started).
func StartJobSQL(job string) string {
	return "EXEC msdb.dbo.sp_start_job @job_name = " + qs(job) + ";"
}

// ---- failover (reference §3) ----

// ListFilesSQL lists the files directly in dir (depth 1, files included):
// rows of subdirectory, depth, file. xp_dirtree is undocumented but is what
// SSMS and the community use; it runs as the SQL Server service account.
func ListFilesSQL(dir string) string {
	return "EXEC master.sys.xp_dirtree " + qs(dir) + ", 1, 1"
}

// RedoPointSQL reads the last backup set restored into db: its last_lsn is
// where the next log backup must start (reference §7.9).
func RedoPointSQL(db string) string {
	return "SELECT TOP (1) b.last_lsn, b.type, b.name, f.physical_device_name, h.restore_date " +
		"FROM msdb.dbo.restorehistory AS h JOIN msdb.dbo.backupset AS b ON b.backup_set_id = h.backup_set_id " +
		"JOIN msdb.dbo.backupmediafamily AS f ON f.media_set_id = b.media_set_id " +
		"WHERE h.destination_database_name = " + qs(db) + " AND h.restore_type IN ('D', 'I', 'L') ORDER BY h.restore_history_id DESC"
}

// JobStatusSQL reads a job and its newest outcome row (step_id 0). No row:
// the job does not exist. NULL history columns: it never ran. DESC puts
// NULL last in SQL Server, so a job with history shows its newest run.
func JobStatusSQL(job string) string {
	return "SELECT TOP (1) j.enabled, h.instance_id, h.run_status, h.run_date, h.run_time, h.message " +
		"FROM msdb.dbo.sysjobs AS j LEFT JOIN msdb.dbo.sysjobhistory AS h ON h.job_id = j.job_id AND h.step_id = 0 " +
		"WHERE j.name = " + qs(job) + " ORDER BY h.instance_id DESC"
}

// JobStepsSQL reads the step rows (step_id > 0) of a job's history between
// two instance_ids: the Agent writes a run's step rows before its outcome
// row, so (previous outcome, this outcome) holds exactly that run's steps.
func JobStepsSQL(job string, after, before int64) string {
	return "SELECT h.instance_id, h.step_id, h.step_name, h.run_status, h.sql_message_id, h.sql_severity, h.message " +
		"FROM msdb.dbo.sysjobs AS j JOIN msdb.dbo.sysjobhistory AS h ON h.job_id = j.job_id " +
		"WHERE j.name = " + qs(job) + " AND h.step_id > 0 AND h.instance_id > " + strconv.FormatInt(after, 10) +
		" AND h.instance_id < " + strconv.FormatInt(before, 10) + " ORDER BY h.instance_id"
}

// RestoreLogSQL applies one log backup and leaves the database able to take
// the next one (failover step 3, "RESTORE LOG ... WITH NORECOVERY"), or
// with Recovery brings it online (failback step 4's tail-log backup).
func RestoreLogSQL(r LogRestoreSpec) (string, error) {
	q, err := qn(r.Database)
	if err != nil {
		return "", err
	}
	if r.Path == "" {
		return "", fmt.Errorf("restore log %s: empty path", r.Database)
	}
	file := r.File
	if file <= 0 {
		file = 1
	}
	rec := "NORECOVERY"
	if r.Recovery {
		rec = "RECOVERY"
	}
	return "RESTORE LOG " + q + " FROM DISK = " + qs(r.Path) + " WITH FILE = " + strconv.Itoa(file) + ", " + rec, nil
}

// LastBackupSQL reads the newest backup of db this instance took itself:
// a RESTORE writes the restored set's backupset row too, under the server
// that took it, so server_name = @@SERVERNAME keeps only this instance's.
func LastBackupSQL(db string) string {
	return "SELECT TOP (1) b.position, b.name, b.database_name, b.type, b.has_backup_checksums, b.backup_finish_date, b.first_lsn, b.last_lsn " +
		"FROM msdb.dbo.backupset AS b WHERE b.database_name = " + qs(db) + " AND b.server_name = @@SERVERNAME ORDER BY b.backup_set_id DESC"
}

// KillSQL ends a session (failover step 4's "kill <spid>"). KILL takes a
// literal, so the id is checked rather than quoted.
func KillSQL(id int16) (string, error) {
	if id <= 0 {
		return "", fmt.Errorf("kill: session id %d is not positive", id)
	}
	return "KILL " + strconv.Itoa(int(id)), nil
}

// RecoverDatabaseSQL is failover step 4's "restore database mgc with
// recovery": no backup is read, the restoring database is brought online.
func RecoverDatabaseSQL(db string) (string, error) {
	q, err := qn(db)
	if err != nil {
		return "", err
	}
	return "RESTORE DATABASE " + q + " WITH RECOVERY", nil
}
