package msdb_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/sim/mssql/enginetest"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

const (
	lsAlertPrimary = `CREATE DATABASE mgc;
DECLARE @j uniqueidentifier, @p uniqueidentifier;
EXEC master.dbo.sp_add_log_shipping_primary_database @database = N'mgc', @backup_directory = N'C:\ls', @backup_share = N'\\fs\ls',
	@backup_job_name = N'LSBackup_mgc', @backup_retention_period = 4320, @backup_threshold = 60, @threshold_alert_enabled = 1,
	@backup_job_id = @j OUTPUT, @primary_id = @p OUTPUT`
	lsAlertJobs         = "SELECT j.name, j.enabled, c.name, s.step_name, s.subsystem, s.command, s.database_name FROM msdb.dbo.sysjobs AS j JOIN msdb.dbo.syscategories AS c ON c.category_id = j.category_id JOIN msdb.dbo.sysjobsteps AS s ON s.job_id = j.job_id WHERE j.name LIKE N'LSAlert%'"
	lsAlertSchedulesSQL = "SELECT sc.name, sc.enabled, sc.freq_type, sc.freq_interval, sc.freq_subday_type, sc.freq_subday_interval FROM msdb.dbo.sysjobschedules AS js JOIN msdb.dbo.sysjobs AS j ON j.job_id = js.job_id JOIN msdb.dbo.sysschedules AS sc ON sc.schedule_id = js.schedule_id WHERE j.name LIKE N'LSAlert%'"
	lsAlertIDIsRow      = "DECLARE @id uniqueidentifier; EXEC master.dbo.sp_add_log_shipping_alert_job @alert_job_id = @id OUTPUT; SELECT CASE WHEN @id = (SELECT alert_job_id FROM msdb.dbo.log_shipping_monitor_alert) AND @id = (SELECT job_id FROM msdb.dbo.sysjobs WHERE name = N'LSAlert_SIMSQL01') THEN 1 ELSE 0 END"
	lsAlertCount        = "SELECT (SELECT COUNT(*) FROM msdb.dbo.sysjobs WHERE name LIKE N'LSAlert%'), (SELECT COUNT(*) FROM msdb.dbo.sysschedules WHERE name = N'Log shipping alert job schedule.'), (SELECT COUNT(*) FROM msdb.dbo.log_shipping_monitor_alert)"
	lsAlertSecondary    = `INSERT msdb.dbo.log_shipping_monitor_secondary (secondary_server, secondary_database, secondary_id, primary_server, primary_database,
	restore_threshold, threshold_alert, threshold_alert_enabled, last_copied_date_utc, last_restored_date_utc, last_restored_latency, history_retention_period)
	VALUES (N'SQLB01', N'mgc', NEWID(), N'SQLP01', N'mgc', 45, 14421, 1, DATEADD(minute, -10, GETUTCDATE()), DATEADD(minute, -50, GETUTCDATE()), 3, 5760)`
)

// TestScriptsLogShippingAlert: the alert job as sp_add_log_shipping_alert_job
// documents it (LSAlert_<server>, enabled, every two minutes, its id in
// log_shipping_monitor_alert, created once), its conditional removal, and the
// 14420/14421 the check raises when a threshold is passed.
func TestScriptsLogShippingAlert(t *testing.T) {
	runScripts(t, []enginetest.ScriptTest{
		{Name: "alert job created once with its schedule", Assertions: []enginetest.Assertion{
			{Query: lsAlertIDIsRow, Rows: []string{"1"}},
			{Query: lsAlertJobs, Rows: []string{"LSAlert_SIMSQL01|1|Log Shipping Alert|Log shipping alert job step.|TSQL|sys.sp_check_log_shipping_monitor_alert|master"}},
			{Query: lsAlertSchedulesSQL, Rows: []string{"Log shipping alert job schedule.|1|4|1|4|2"}},
			{Query: lsAlertIDIsRow, Rows: []string{"1"}},
			{Query: lsAlertCount, Rows: []string{"1|1|1"}},
			// A job deleted by hand is re-created and its id recorded.
			{Query: "EXEC msdb.dbo.sp_delete_job @job_name = N'LSAlert_SIMSQL01'"},
			{Query: lsAlertIDIsRow, Rows: []string{"1"}},
			{Query: lsAlertCount, Rows: []string{"1|1|1"}},
		}},
		{Name: "alert procedures run from master only", Setup: []string{"USE msdb"}, Assertions: []enginetest.Assertion{
			{Query: "USE msdb; EXEC sp_add_log_shipping_alert_job", ErrNumber: 5001},
			{Query: "USE msdb; EXEC sp_delete_log_shipping_alert_job", ErrNumber: 5001},
			{Query: lsAlertCount, Rows: []string{"0|0|0"}},
			// Qualified with master, the procedure runs in master, as on SQL Server.
			{Query: "USE msdb; EXEC master.dbo.sp_add_log_shipping_alert_job"},
			{Query: lsAlertCount, Rows: []string{"1|1|1"}},
		}},
		{Name: "alert job kept while a database is monitored", Setup: []string{lsAlertPrimary, "EXEC master.dbo.sp_add_log_shipping_alert_job"}, Assertions: []enginetest.Assertion{
			{Query: "EXEC master.dbo.sp_delete_log_shipping_alert_job"},
			{Query: lsAlertCount, Rows: []string{"1|1|1"}},
			{Query: "EXEC master.dbo.sp_delete_log_shipping_primary_database @database = N'mgc'"},
			{Query: "EXEC master.dbo.sp_delete_log_shipping_alert_job"},
			{Query: lsAlertCount, Rows: []string{"0|0|0"}},
			{Query: "EXEC master.dbo.sp_delete_log_shipping_alert_job"},
		}},
		{Name: "threshold alerts 14420 and 14421", Setup: []string{lsAlertPrimary}, Assertions: []enginetest.Assertion{
			// Never backed up: nothing to measure; within the threshold: silent.
			{Query: "EXEC master.dbo.sp_check_log_shipping_monitor_alert"},
			{Query: "UPDATE msdb.dbo.log_shipping_monitor_primary SET last_backup_date_utc = DATEADD(minute, -30, GETUTCDATE())"},
			{Query: "EXEC master.dbo.sp_check_log_shipping_monitor_alert"},
			{Query: "UPDATE msdb.dbo.log_shipping_monitor_primary SET last_backup_date_utc = DATEADD(minute, -90, GETUTCDATE())"},
			{Query: "DECLARE @rc int; EXEC @rc = master.dbo.sp_check_log_shipping_monitor_alert; SELECT @rc", ErrNumber: 14420, Rows: []string{"1"},
				ErrContains: "The log shipping primary database SIMSQL01.mgc has backup threshold of 60 minutes and has not performed a backup log operation for 90 minutes."},
			{Query: lsAlertSecondary},
			{Query: "EXEC master.dbo.sp_check_log_shipping_monitor_alert", ErrNumbers: []int32{14420, 14421},
				ErrContains: "The log shipping secondary database SQLB01.mgc has restore threshold of 45 minutes and is out of sync. No restore was performed for 50 minutes. Restored latency is 3 minutes."},
			// Disabled alerts are not raised.
			{Query: "UPDATE msdb.dbo.log_shipping_monitor_primary SET threshold_alert_enabled = 0; UPDATE msdb.dbo.log_shipping_monitor_secondary SET threshold_alert_enabled = 0"},
			{Query: "EXEC master.dbo.sp_check_log_shipping_monitor_alert"},
			// Latency alone passes the threshold.
			{Query: "UPDATE msdb.dbo.log_shipping_monitor_secondary SET threshold_alert_enabled = 1, last_restored_date_utc = GETUTCDATE(), last_restored_latency = 46"},
			{Query: "EXEC master.dbo.sp_check_log_shipping_monitor_alert", ErrNumber: 14421, ErrContains: "No restore was performed for 0 minutes. Restored latency is 46 minutes."},
		}},
	})
}

// TestLogShippingAlertJobRuns: the Agent runs LSAlert_<server>'s step; it
// succeeds while the last log backup is recent and fails with 14420 once
// the backup threshold has passed, as the job does on a real server.
func TestLogShippingAlertJobRuns(t *testing.T) {
	w := newLSWorld(t)
	w.configure(t)
	mustRun(t, w.ps, "EXEC master.dbo.sp_add_log_shipping_alert_job")
	wantOutcome(t, "LSBackup_mgc", startJob(t, w.p, w.ps, "LSBackup_mgc"), 1)
	wantOutcome(t, "LSAlert_SQLP01", startJob(t, w.p, w.ps, "LSAlert_SQLP01"), 1)
	// The backups stop (the job disabled); 90 minutes later the threshold
	// of 60 has passed.
	mustRun(t, w.ps, "EXEC msdb.dbo.sp_update_job @job_name = N'LSBackup_mgc', @enabled = 0")
	w.clock.Advance(90 * time.Minute)
	wantOutcome(t, "LSAlert_SQLP01", startJob(t, w.p, w.ps, "LSAlert_SQLP01"), 0)
	r := run(t, w.ps, "SELECT TOP (1) h.message FROM msdb.dbo.sysjobhistory AS h JOIN msdb.dbo.sysjobs AS j ON j.job_id = h.job_id WHERE j.name = N'LSAlert_SQLP01' AND h.step_id = 1 ORDER BY h.instance_id DESC")
	if rs := r.Last(); rs == nil || len(rs.Rows) != 1 || !strings.Contains(sqltypes.AsString(rs.Rows[0][0]), "(Error 14420)") {
		t.Fatalf("LSAlert_SQLP01's step failed without 14420: %v", rs)
	}
}
