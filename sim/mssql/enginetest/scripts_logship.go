package enginetest

import "strings"

// The batches below are, character for character, what the failback engine
// sends (failback/sqltext.go: AddLogShippingPrimarySQL,
// AddLogShippingSecondarySQL, ... for database mgc, primary SQLP01,
// secondary SQLB01, share \\fileserver\pchat, copy folder D:\LSCopy), so
// these scripts prove the simulator accepts them exactly as sent: DECLARE,
// EXEC with OUTPUT ids, the return-code checks and their RAISERROR.
const (
	fbAddPrimary = "DECLARE @LS_BackupJobId AS uniqueidentifier;\nDECLARE @LS_PrimaryId AS uniqueidentifier;\nDECLARE @SP_Add_RetCode AS int;\nEXEC @SP_Add_RetCode = master.dbo.sp_add_log_shipping_primary_database @database = N'mgc', @backup_directory = N'\\\\fileserver\\pchat', @backup_share = N'\\\\fileserver\\pchat', @backup_job_name = N'LSBackup_mgc', @backup_retention_period = 4320, @backup_compression = 2, @backup_threshold = 60, @threshold_alert_enabled = 1, @history_retention_period = 5760, @backup_job_id = @LS_BackupJobId OUTPUT, @primary_id = @LS_PrimaryId OUTPUT, @overwrite = 1;\nIF (@@ERROR <> 0 OR @SP_Add_RetCode <> 0)\nBEGIN\n\tRAISERROR(N'sp_add_log_shipping_primary_database failed with return code %d', 16, 1, @SP_Add_RetCode);\n\tRETURN;\nEND\nDECLARE @LS_BackUpScheduleUID AS uniqueidentifier;\nDECLARE @LS_BackUpScheduleID AS int;\nEXEC msdb.dbo.sp_add_schedule @schedule_name = N'LSBackupSchedule_mgc', @enabled = 1, @freq_type = 4, @freq_interval = 1, @freq_subday_type = 4, @freq_subday_interval = 15, @freq_recurrence_factor = 0, @active_start_date = 20260301, @active_end_date = 99991231, @active_start_time = 0, @active_end_time = 235900, @schedule_uid = @LS_BackUpScheduleUID OUTPUT, @schedule_id = @LS_BackUpScheduleID OUTPUT;\nEXEC msdb.dbo.sp_attach_schedule @job_id = @LS_BackupJobId, @schedule_id = @LS_BackUpScheduleID;\nEXEC msdb.dbo.sp_update_job @job_id = @LS_BackupJobId, @enabled = 1;"

	fbAddSecondary = "DECLARE @LS_Secondary__CopyJobId AS uniqueidentifier;\nDECLARE @LS_Secondary__RestoreJobId AS uniqueidentifier;\nDECLARE @LS_Secondary__SecondaryId AS uniqueidentifier;\nDECLARE @LS_Add_RetCode AS int;\nEXEC @LS_Add_RetCode = master.dbo.sp_add_log_shipping_secondary_primary @primary_server = N'SQLP01', @primary_database = N'mgc', @backup_source_directory = N'\\\\fileserver\\pchat', @backup_destination_directory = N'D:\\LSCopy', @copy_job_name = N'LSCopy_SQLP01_mgc', @restore_job_name = N'LSRestore_SQLP01_mgc', @file_retention_period = 4320, @overwrite = 1, @copy_job_id = @LS_Secondary__CopyJobId OUTPUT, @restore_job_id = @LS_Secondary__RestoreJobId OUTPUT, @secondary_id = @LS_Secondary__SecondaryId OUTPUT;\nIF (@@ERROR <> 0 OR @LS_Add_RetCode <> 0)\nBEGIN\n\tRAISERROR(N'sp_add_log_shipping_secondary_primary failed with return code %d', 16, 1, @LS_Add_RetCode);\n\tRETURN;\nEND\nDECLARE @LS_SecondaryCopyJobScheduleUID AS uniqueidentifier;\nDECLARE @LS_SecondaryCopyJobScheduleID AS int;\nEXEC msdb.dbo.sp_add_schedule @schedule_name = N'LSCopySchedule_SQLP01_mgc', @enabled = 1, @freq_type = 4, @freq_interval = 1, @freq_subday_type = 4, @freq_subday_interval = 15, @freq_recurrence_factor = 0, @active_start_date = 20260301, @active_end_date = 99991231, @active_start_time = 0, @active_end_time = 235900, @schedule_uid = @LS_SecondaryCopyJobScheduleUID OUTPUT, @schedule_id = @LS_SecondaryCopyJobScheduleID OUTPUT;\nEXEC msdb.dbo.sp_attach_schedule @job_id = @LS_Secondary__CopyJobId, @schedule_id = @LS_SecondaryCopyJobScheduleID;\nDECLARE @LS_SecondaryRestoreJobScheduleUID AS uniqueidentifier;\nDECLARE @LS_SecondaryRestoreJobScheduleID AS int;\nEXEC msdb.dbo.sp_add_schedule @schedule_name = N'LSRestoreSchedule_SQLP01_mgc', @enabled = 1, @freq_type = 4, @freq_interval = 1, @freq_subday_type = 4, @freq_subday_interval = 15, @freq_recurrence_factor = 0, @active_start_date = 20260301, @active_end_date = 99991231, @active_start_time = 0, @active_end_time = 235900, @schedule_uid = @LS_SecondaryRestoreJobScheduleUID OUTPUT, @schedule_id = @LS_SecondaryRestoreJobScheduleID OUTPUT;\nEXEC msdb.dbo.sp_attach_schedule @job_id = @LS_Secondary__RestoreJobId, @schedule_id = @LS_SecondaryRestoreJobScheduleID;\nDECLARE @LS_Add_RetCode2 AS int;\nEXEC @LS_Add_RetCode2 = master.dbo.sp_add_log_shipping_secondary_database @secondary_database = N'mgc', @primary_server = N'SQLP01', @primary_database = N'mgc', @restore_delay = 0, @restore_mode = 0, @disconnect_users = 0, @restore_threshold = 45, @threshold_alert_enabled = 1, @history_retention_period = 5760, @overwrite = 1;\nIF (@@ERROR <> 0 OR @LS_Add_RetCode2 <> 0)\nBEGIN\n\tRAISERROR(N'sp_add_log_shipping_secondary_database failed with return code %d', 16, 1, @LS_Add_RetCode2);\n\tRETURN;\nEND\nEXEC msdb.dbo.sp_update_job @job_id = @LS_Secondary__CopyJobId, @enabled = 1;\nEXEC msdb.dbo.sp_update_job @job_id = @LS_Secondary__RestoreJobId, @enabled = 1;"

	fbAddPrimarySecondary  = "EXEC master.dbo.sp_add_log_shipping_primary_secondary @primary_database = N'mgc', @secondary_server = N'SQLB01', @secondary_database = N'mgc', @overwrite = 1;"
	fbRemovePrimary        = "EXEC master.dbo.sp_delete_log_shipping_primary_secondary @primary_database = N'mgc', @secondary_server = N'SQLB01', @secondary_database = N'mgc';\nEXEC master.dbo.sp_delete_log_shipping_primary_database @database = N'mgc';"
	fbRemoveSecondary      = "EXEC master.dbo.sp_delete_log_shipping_secondary_database @secondary_database = N'mgc';"
	fbRemoveSecondaryPrim  = "EXEC master.dbo.sp_delete_log_shipping_secondary_primary @primary_server = N'SQLP01', @primary_database = N'mgc';"
	fbPrimaries            = "SELECT p.primary_database, j.name, s.secondary_server, s.secondary_database FROM msdb.dbo.log_shipping_primary_databases AS p LEFT JOIN msdb.dbo.log_shipping_primary_secondaries AS s ON s.primary_id = p.primary_id LEFT JOIN msdb.dbo.sysjobs AS j ON j.job_id = p.backup_job_id ORDER BY p.primary_database"
	fbSecondaries          = "SELECT s.primary_server, s.primary_database, d.secondary_database FROM msdb.dbo.log_shipping_secondary AS s LEFT JOIN msdb.dbo.log_shipping_secondary_databases AS d ON d.secondary_id = s.secondary_id ORDER BY s.primary_server, s.primary_database"
	fbPrimaryMonitor       = "SELECT m.last_backup_file, m.last_backup_date_utc FROM msdb.dbo.log_shipping_monitor_primary AS m WHERE m.primary_database = N'mgc'"
	fbSecondaryMonitor     = "SELECT m.last_copied_file, m.last_copied_date_utc, m.last_restored_file, m.last_restored_date_utc FROM msdb.dbo.log_shipping_monitor_secondary AS m WHERE m.secondary_database = N'mgc'"
	lsJobsQuery            = "SELECT j.name, j.enabled, c.name, s.subsystem FROM msdb.dbo.sysjobs AS j JOIN msdb.dbo.syscategories AS c ON c.category_id = j.category_id JOIN msdb.dbo.sysjobsteps AS s ON s.job_id = j.job_id ORDER BY j.name"
	lsSchedulesAttachedSQL = "SELECT j.name, sc.name, sc.freq_type, sc.freq_subday_type, sc.freq_subday_interval FROM msdb.dbo.sysjobschedules AS js JOIN msdb.dbo.sysjobs AS j ON j.job_id = js.job_id JOIN msdb.dbo.sysschedules AS sc ON sc.schedule_id = js.schedule_id ORDER BY j.name"
)

// LogShippingScripts are the log-shipping and SQL Agent procedure scenarios
// (issue 3): configuration as the failback sends it, the errors each
// procedure raises, return codes and OUTPUT ids.
var LogShippingScripts = []ScriptTest{
	{
		Name:  "log shipping primary as the failback configures it",
		Setup: []string{"CREATE DATABASE mgc", fbAddPrimary, fbAddPrimarySecondary},
		Assertions: []Assertion{
			{Query: fbPrimaries, Expected: [][]any{{"mgc", "LSBackup_mgc", "SQLB01", "mgc"}}},
			{Query: lsJobsQuery, Expected: [][]any{{"LSBackup_mgc", 1, "Log Shipping Backup", "CmdExec"}}},
			{Query: lsSchedulesAttachedSQL, Expected: [][]any{{"LSBackup_mgc", "LSBackupSchedule_mgc", 4, 4, 15}}},
			{Query: fbPrimaryMonitor, Expected: [][]any{{nil, nil}}},
			{Query: "SELECT backup_directory, backup_share, backup_retention_period, backup_compression, monitor_server FROM msdb.dbo.log_shipping_primary_databases",
				Expected: [][]any{{`\\fileserver\pchat`, `\\fileserver\pchat`, 4320, 2, "SIMSQL"}}},
			{Query: "SELECT backup_threshold, threshold_alert, threshold_alert_enabled, history_retention_period FROM msdb.dbo.log_shipping_monitor_primary",
				Expected: [][]any{{60, 14420, true, 5760}}},
			// Re-running it (the failback's @overwrite = 1) keeps one entry and one job.
			{Query: fbAddPrimary, Exec: true, Affected: -1},
			{Query: "SELECT COUNT(*) FROM msdb.dbo.sysjobs", Expected: [][]any{{1}}},
			{Query: fbPrimaries, Expected: [][]any{{"mgc", "LSBackup_mgc", "SQLB01", "mgc"}}},
			// Without @overwrite: 32009; the same secondary twice: 32012.
			{Query: `DECLARE @j uniqueidentifier, @p uniqueidentifier; EXEC master.dbo.sp_add_log_shipping_primary_database N'mgc', N'C:\b', N'\\fs\b', N'LSBackup2', 60, @backup_job_id = @j OUTPUT, @primary_id = @p OUTPUT`,
				ErrNumber: 32009, ErrContains: "A log shipping primary entry already exists for database mgc."},
			{Query: "EXEC master.dbo.sp_add_log_shipping_primary_secondary @primary_database = N'mgc', @secondary_server = N'SQLB01', @secondary_database = N'mgc'",
				ErrNumber: 32012, ErrContains: "Secondary SQLB01.mgc already exists for primary mgc."},
			{Query: "EXEC master.dbo.sp_delete_log_shipping_primary_database @database = N'mgc'", ErrNumber: 32011},
			{Query: "EXEC master.dbo.sp_delete_log_shipping_primary_database @database = N'nope'", ErrNumber: 32010, ErrContains: "Database nope does not exist as log shipping primary."},
			{Query: "EXEC master.dbo.sp_add_log_shipping_primary_secondary @primary_database = N'nope', @secondary_server = N'S', @secondary_database = N'd'", ErrNumber: 32010},
			// The failback's removal: secondaries first, then the primary; the job goes too.
			{Query: fbRemovePrimary, Exec: true, Affected: -1},
			{Query: fbPrimaries, Expected: [][]any{}},
			{Query: "SELECT (SELECT COUNT(*) FROM msdb.dbo.sysjobs) + (SELECT COUNT(*) FROM msdb.dbo.sysschedules) + (SELECT COUNT(*) FROM msdb.dbo.log_shipping_monitor_primary)", Expected: [][]any{{0}}},
		},
	},
	{
		Name:  "log shipping primary refusals and the failback's return-code check",
		Setup: []string{"CREATE DATABASE simpledb", "ALTER DATABASE simpledb SET RECOVERY SIMPLE"},
		Assertions: []Assertion{
			// The procedure fails with 32015 and returns 1; the batch's check
			// raises its own error and stops before the schedule (go-mssqldb
			// reports the first failed statement's errors, as with a real
			// server; the engine tests see the RAISERROR too).
			{Query: strings.ReplaceAll(fbAddPrimary, "@database = N'mgc'", "@database = N'simpledb'"), ErrNumber: 32015,
				ErrContains: "The primary database simpledb cannot have SIMPLE recovery for log shipping to work properly."},
			{Query: "SELECT COUNT(*) FROM msdb.dbo.sysschedules", Expected: [][]any{{0}}},
			{Query: strings.ReplaceAll(fbAddPrimary, "@database = N'mgc'", "@database = N'nosuchdb'"), ErrNumber: 15010},
			{Query: "DECLARE @rc int, @j uniqueidentifier, @p uniqueidentifier; EXEC @rc = master.dbo.sp_add_log_shipping_primary_database @database = N'simpledb', @backup_directory = N'x', @backup_share = N'x', @backup_job_name = N'j', @backup_retention_period = 1, @backup_job_id = @j OUTPUT, @primary_id = @p OUTPUT; SELECT @rc",
				ErrNumber: 32015},
			{Query: "EXEC master.dbo.sp_add_log_shipping_primary_database @database = N'simpledb'", ErrNumber: 201},
		},
	},
	{
		Name:  "log shipping secondary as the failback configures and removes it",
		Setup: []string{"CREATE DATABASE mgc", fbAddSecondary},
		Assertions: []Assertion{
			{Query: fbSecondaries, Expected: [][]any{{"SQLP01", "mgc", "mgc"}}},
			{Query: lsJobsQuery, Expected: [][]any{{"LSCopy_SQLP01_mgc", 1, "Log Shipping Copy", "CmdExec"}, {"LSRestore_SQLP01_mgc", 1, "Log Shipping Restore", "CmdExec"}}},
			{Query: fbSecondaryMonitor, Expected: [][]any{{nil, nil, nil, nil}}},
			{Query: "SELECT secondary_server, primary_server, restore_threshold, threshold_alert, threshold_alert_enabled, last_restored_latency FROM msdb.dbo.log_shipping_monitor_secondary",
				Expected: [][]any{{"SIMSQL", "SQLP01", 45, 14421, true, nil}}},
			{Query: "SELECT restore_delay, restore_all, restore_mode, disconnect_users, block_size FROM msdb.dbo.log_shipping_secondary_databases",
				Expected: [][]any{{0, true, false, false, -1}}},
			{Query: "SELECT backup_source_directory, backup_destination_directory, file_retention_period FROM msdb.dbo.log_shipping_secondary",
				Expected: [][]any{{`\\fileserver\pchat`, `D:\LSCopy`, 4320}}},
			{Query: "EXEC master.dbo.sp_help_log_shipping_monitor",
				Columns:  []string{"status", "is_primary", "server", "database_name", "time_since_last_backup", "last_backup_file", "backup_threshold", "is_backup_alert_enabled", "time_since_last_copy", "last_copied_file", "time_since_last_restore", "last_restored_file", "last_restored_latency", "restore_threshold", "is_restore_alert_enabled"},
				Expected: [][]any{{true, false, "SIMSQL", "mgc", nil, nil, nil, nil, nil, nil, nil, nil, nil, 45, true}}},
			// Refusals.
			{Query: "DECLARE @c uniqueidentifier, @r uniqueidentifier, @s uniqueidentifier; EXEC master.dbo.sp_add_log_shipping_secondary_primary @primary_server = N'SQLP01', @primary_database = N'mgc', @backup_source_directory = N'x', @backup_destination_directory = N'y', @copy_job_name = N'c2', @restore_job_name = N'r2', @copy_job_id = @c OUTPUT, @restore_job_id = @r OUTPUT, @secondary_id = @s OUTPUT",
				ErrNumber: 32024, ErrContains: "An entry for primary server SQLP01, primary database mgc already exists."},
			{Query: "EXEC master.dbo.sp_add_log_shipping_secondary_database @secondary_database = N'mgc', @primary_server = N'SQLP01', @primary_database = N'mgc'", ErrNumber: 32013},
			{Query: "EXEC master.dbo.sp_add_log_shipping_secondary_database @secondary_database = N'mgc', @primary_server = N'OTHER', @primary_database = N'mgc'", ErrNumber: 32023},
			{Query: fbRemoveSecondaryPrim, ErrNumber: 32025},
			{Query: "EXEC master.dbo.sp_delete_log_shipping_secondary_database N'nope'", ErrNumber: 32014, ErrContains: "Database nope does not exist as log shipping secondary."},
			// Failover step 1 (positional), then the registration and its jobs.
			{Query: "exec sp_delete_log_shipping_secondary_database mgc", Exec: true, Affected: -1},
			{Query: fbSecondaries, Expected: [][]any{{"SQLP01", "mgc", nil}}},
			{Query: fbRemoveSecondary, ErrNumber: 32014},
			{Query: fbRemoveSecondaryPrim, Exec: true, Affected: -1},
			{Query: fbSecondaries, Expected: [][]any{}},
			{Query: "SELECT COUNT(*) FROM msdb.dbo.sysjobs", Expected: [][]any{{0}}},
			{Query: fbRemoveSecondaryPrim, ErrNumber: 32023},
		},
	},
	{
		Name: "agent job procedures",
		Setup: []string{"CREATE DATABASE app", "CREATE TABLE app.dbo.ticks (id int IDENTITY PRIMARY KEY)",
			"EXEC msdb.dbo.sp_add_job @job_name = N'tick'",
			"EXEC msdb.dbo.sp_add_jobstep @job_name = N'tick', @step_name = N'one', @database_name = N'app', @command = N'INSERT dbo.ticks DEFAULT VALUES'",
			"EXEC msdb.dbo.sp_add_jobschedule @job_name = N'tick', @name = N'hourly', @freq_type = 4, @freq_interval = 1, @freq_subday_type = 8, @freq_subday_interval = 1"},
		Assertions: []Assertion{
			{Query: "DECLARE @id uniqueidentifier, @rc int; EXEC @rc = msdb.dbo.sp_add_job @job_name = N'other', @enabled = 0, @job_id = @id OUTPUT; SELECT @rc, CASE WHEN @id IS NULL THEN 0 ELSE 1 END",
				Expected: [][]any{{0, 1}}},
			{Query: "SELECT name, enabled FROM msdb.dbo.sysjobs ORDER BY name", Expected: [][]any{{"other", 0}, {"tick", 1}}},
			{Query: "SELECT step_id, step_name, subsystem, database_name, on_success_action, on_fail_action FROM msdb.dbo.sysjobsteps",
				Expected: [][]any{{1, "one", "TSQL", "app", 1, 2}}},
			{Query: "EXEC msdb.dbo.sp_start_job @job_name = N'nope'", ErrNumber: 14262, ErrContains: "The specified @job_name ('nope') does not exist."},
			{Query: "EXEC msdb.dbo.sp_start_job @job_name = N'tick', @job_id = '00000000-0000-0000-0000-000000000000'", ErrNumber: 14294},
			{Query: "EXEC msdb.dbo.sp_update_job @job_name = N'nope', @enabled = 1", ErrNumber: 14262},
			{Query: "EXEC msdb.dbo.sp_add_job @job_name = N'tick'", ErrNumber: 14261},
			{Query: "EXEC msdb.dbo.sp_add_schedule @schedule_name = N's', @freq_type = 4, @freq_subday_type = 4, @freq_subday_interval = 5000", ErrNumber: 14266},
			{Query: "EXEC msdb.dbo.sp_delete_job @job_name = N'other'", Exec: true, Affected: -1},
			{Query: "SELECT COUNT(*) FROM msdb.dbo.sysjobs", Expected: [][]any{{1}}},
		},
	},
}
