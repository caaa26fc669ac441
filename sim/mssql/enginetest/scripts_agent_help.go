package enginetest

// AgentHelpScripts are sp_help_job (issue 14; Microsoft's "sp_help_job"
// page): every job, or one job's row, steps and schedules, read from
// msdb; an unknown job is 14262.
var AgentHelpScripts = []ScriptTest{
	{
		Name: "sp_help_job",
		Setup: []string{
			"EXEC msdb.dbo.sp_add_job @job_name = N'nightly', @description = N'd'",
			"EXEC msdb.dbo.sp_add_jobstep @job_name = N'nightly', @step_name = N's1', @subsystem = N'TSQL', @command = N'SELECT 1', @database_name = N'master'",
			"EXEC msdb.dbo.sp_add_job @job_name = N'another'",
		},
		Assertions: []Assertion{
			{Query: helpJobInto + "EXEC msdb.dbo.sp_help_job; SELECT name, enabled, description, category, owner, has_step, has_schedule, last_run_outcome, current_execution_status FROM @j ORDER BY name",
				Expected: [][]any{{"another", 1, "", "[Uncategorized (Local)]", "sa", 0, 0, 5, 4}, {"nightly", 1, "d", "[Uncategorized (Local)]", "sa", 1, 0, 5, 4}}},
			{Query: helpJobInto + "EXEC msdb.dbo.sp_help_job @job_name = N'nightly', @job_aspect = N'JOB'; SELECT name, has_step FROM @j", Expected: [][]any{{"nightly", 1}}},
			{Query: "EXEC msdb.dbo.sp_help_job @job_name = N'missing'", ErrNumber: 14262, ErrContains: "The specified @job_name ('missing') does not exist."},
			{Query: "EXEC msdb.dbo.sp_help_job @job_name = N'nightly', @enabled = 1", ErrNumber: 40000},
		},
	},
	{
		Name: "sp_help",
		Setup: []string{
			"CREATE TABLE dbo.h (id int NOT NULL, name nvarchar(20) NULL, amount decimal(10,2) NULL)",
			"CREATE PROC dbo.hp @a int, @b nvarchar(10) = N'x' OUTPUT AS SELECT 1",
		},
		Assertions: []Assertion{
			{Query: "EXEC sp_help 'h'", Columns: []string{"Name", "Owner", "Type", "Created_datetime"}, Exec: true, Affected: -1},
			// Two result sets of different shapes: INSERT ... EXEC refuses them.
			{Query: "DECLARE @c TABLE (Name sysname, Owner sysname, Type nvarchar(31), Created_datetime datetime); INSERT @c EXEC sp_help 'h'", ErrNumber: 213},
			{Query: "DECLARE @o TABLE (Name sysname, Owner sysname, Object_type nvarchar(31)); INSERT @o EXEC sp_help; SELECT Name, Object_type FROM @o ORDER BY Name",
				Expected: [][]any{{"h", "user table"}, {"hp", "stored procedure"}}},
			{Query: "EXEC sp_help 'nothing'", ErrNumber: 15009},
		},
	},
}

// helpJobInto declares @j with sp_help_job's first result set's columns,
// so INSERT @j EXEC ... captures it.
const helpJobInto = `DECLARE @j TABLE (job_id uniqueidentifier, originating_server nvarchar(128), name sysname, enabled tinyint, description nvarchar(512),
 start_step_id int, category sysname, owner sysname, notify_level_eventlog int, notify_level_email int, notify_level_netsend int,
 notify_level_page int, notify_email_operator sysname, notify_netsend_operator sysname, notify_page_operator sysname, delete_level int,
 date_created datetime, date_modified datetime, version_number int, last_run_date int, last_run_time int, last_run_outcome int,
 next_run_date int, next_run_time int, next_run_schedule_id int, current_execution_status int, current_execution_step sysname,
 current_retry_attempt int, has_step int, has_schedule int, has_target int, type int);
INSERT @j `
