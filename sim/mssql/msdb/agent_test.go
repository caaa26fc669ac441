package msdb_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/sim/mssql/agent"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/features"
)

// agentTestStart is a Monday 09:00 local time: schedules are evaluated in
// the clock's location.
var agentTestStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.Local)

func agentInstance(t *testing.T, dir string, clock agent.Clock, running bool) *engine.Instance {
	t.Helper()
	inst, err := engine.New(engine.Config{Name: "SIMSQL01", DataDir: dir, SAPassword: "Pa55w.rd!", NoSync: true,
		ServiceAccount: `CONTOSO\sqlsvc`, AgentAccount: `CONTOSO\sqlagent`, AgentRunning: running, AgentClock: clock, Features: features.Default()})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return inst
}

const addTickJob = `CREATE DATABASE app;
EXEC('CREATE TABLE app.dbo.ticks (id int IDENTITY PRIMARY KEY, at datetime NOT NULL)');
DECLARE @job uniqueidentifier, @sid int, @rc int;
EXEC @rc = msdb.dbo.sp_add_job @job_name = N'tick', @enabled = 0, @job_id = @job OUTPUT;
IF @rc <> 0 RAISERROR(N'sp_add_job %d', 16, 1, @rc);
EXEC msdb.dbo.sp_add_jobstep @job_id = @job, @step_name = N'insert', @subsystem = N'TSQL', @database_name = N'app',
	@command = N'INSERT dbo.ticks (at) VALUES (GETDATE()); PRINT ''ticked''';
EXEC msdb.dbo.sp_add_schedule @schedule_name = N'every15', @enabled = 1, @freq_type = 4, @freq_interval = 1, @freq_subday_type = 4,
	@freq_subday_interval = 15, @freq_recurrence_factor = 0, @active_start_date = 20260301, @active_end_date = 99991231,
	@active_start_time = 0, @active_end_time = 235900, @schedule_id = @sid OUTPUT;
EXEC msdb.dbo.sp_attach_schedule @job_id = @job, @schedule_id = @sid;
EXEC msdb.dbo.sp_update_job @job_id = @job, @enabled = 1;`

func TestAgentSchedulesRunJobsOnTheClock(t *testing.T) {
	clock := agent.NewManualClock(agentTestStart)
	dir := t.TempDir()
	inst := agentInstance(t, dir, clock, true)
	s := login(t, inst, "t")
	mustRun(t, s, addTickJob)
	wantRows(t, s, "SELECT j.name, j.enabled, c.name, s.name, js.next_run_date, js.next_run_time FROM msdb.dbo.sysjobs j JOIN msdb.dbo.syscategories c ON c.category_id = j.category_id JOIN msdb.dbo.sysjobschedules js ON js.job_id = j.job_id JOIN msdb.dbo.sysschedules s ON s.schedule_id = js.schedule_id",
		"tick|1|[Uncategorized (Local)]|every15|20260302|91500")
	clock.Advance(31 * time.Minute) // 09:15 and 09:30
	wantRows(t, s, "SELECT COUNT(*) FROM app.dbo.ticks", "2")
	wantRows(t, s, "SELECT step_id, run_status, run_date, run_time FROM msdb.dbo.sysjobhistory ORDER BY instance_id",
		"1|1|20260302|91500", "0|1|20260302|91500", "1|1|20260302|93000", "0|1|20260302|93000")
	msg := rowsOf(t, s, "SELECT message FROM msdb.dbo.sysjobhistory WHERE step_id = 1 AND instance_id = 1")[0]
	if !strings.Contains(msg, `Executed as user: CONTOSO\sqlagent.`) || !strings.Contains(msg, "ticked [SQLSTATE 01000] (Message 0)") {
		t.Fatalf("step message %q", msg)
	}
	if err := inst.Close(); err != nil {
		t.Fatal(err)
	}

	// Jobs, schedules and history are durable in msdb, and the restarted
	// Agent goes on with the schedule.
	inst = agentInstance(t, dir, clock, true)
	defer inst.Close()
	s = login(t, inst, "t")
	wantRows(t, s, "SELECT COUNT(*) FROM msdb.dbo.sysjobhistory", "4")
	if j, ok := inst.Agent().JobByName("tick"); !ok || !j.Enabled || len(j.Steps) != 1 {
		t.Fatalf("job after restart: %+v %v", j, ok)
	}
	clock.Advance(15 * time.Minute)
	wantRows(t, s, "SELECT COUNT(*) FROM app.dbo.ticks", "3")
	wantRows(t, s, "SELECT COUNT(*) FROM msdb.dbo.sysjobhistory WHERE step_id = 0 AND run_status = 1", "3")
}

func TestAgentStartJobAndErrors(t *testing.T) {
	clock := agent.NewManualClock(agentTestStart)
	inst := agentInstance(t, "", clock, true)
	defer inst.Close()
	s := login(t, inst, "t")
	mustRun(t, s, addTickJob)
	r := mustRun(t, s, "EXEC msdb.dbo.sp_start_job @job_name = N'tick'")
	if len(r.Msgs) != 1 || r.Msgs[0].Number != 14243 || r.Msgs[0].Message != "Job 'tick' started successfully." {
		t.Fatalf("messages %v", r.Msgs)
	}
	if err := inst.Agent().WaitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	out, err := inst.RunAgentJob(context.Background(), "tick")
	if err != nil || out.RunStatus != agent.StatusSucceeded {
		t.Fatalf("RunAgentJob: %+v %v", out, err)
	}
	wantRows(t, s, "SELECT COUNT(*) FROM app.dbo.ticks", "2")

	for _, tc := range []struct {
		sql  string
		want int32
		text string
	}{
		{"EXEC msdb.dbo.sp_start_job @job_name = N'nope'", 14262, "The specified @job_name ('nope') does not exist."},
		{"EXEC msdb.dbo.sp_start_job", 14294, "Supply either @job_id or @job_name to identify the job."},
		{"EXEC msdb.dbo.sp_delete_job @job_id = '00000000-0000-0000-0000-000000000001'", 14262, "The specified @job_id ('00000000-0000-0000-0000-000000000001') does not exist."},
		{"EXEC msdb.dbo.sp_add_job @job_name = N'tick'", 14261, "The specified @job_name ('tick') already exists."},
		{"EXEC msdb.dbo.sp_add_schedule @schedule_name = N'bad', @freq_type = 3", 14266, ""},
		{"EXEC msdb.dbo.sp_add_job @job_name = N'x', @category_name = N'No Such'", 14262, ""},
		{"EXEC msdb.dbo.sp_attach_schedule @job_name = N'tick', @schedule_name = N'none'", 14262, ""},
		{"EXEC msdb.dbo.sp_add_jobstep @job_name = N'tick', @step_name = N'insert'", 14261, ""},
		{"EXEC msdb.dbo.sp_add_jobstep @job_name = N'tick', @step_name = N's9', @step_id = 9", 14266, ""},
		{"EXEC msdb.dbo.sp_add_job", 201, ""},
	} {
		r := run(t, s, tc.sql)
		got := r.ErrNums()
		if len(got) != 1 || got[0] != tc.want || (tc.text != "" && r.Errors()[0].Message != tc.text) {
			t.Errorf("%s: got %v %v, want %d %q", tc.sql, got, r.Errors(), tc.want, tc.text)
		}
	}
	// Return codes: 1 on failure, 0 on success.
	if r := run(t, s, "DECLARE @rc int; EXEC @rc = msdb.dbo.sp_start_job @job_name = N'nope'; SELECT @rc"); fmtRow(r.Last().Rows[0], r.Last().Cols) != "1" {
		t.Fatalf("return code %v", r.Last().Rows)
	}
	wantRows(t, s, "DECLARE @rc int; EXEC @rc = msdb.dbo.sp_update_job @job_name = N'tick', @enabled = 0; SELECT @rc", "0")

	// sp_delete_job removes the job, its history and its unused schedule.
	mustRun(t, s, "EXEC msdb.dbo.sp_delete_job @job_name = N'tick'")
	wantRows(t, s, "SELECT (SELECT COUNT(*) FROM msdb.dbo.sysjobs), (SELECT COUNT(*) FROM msdb.dbo.sysjobhistory), (SELECT COUNT(*) FROM msdb.dbo.sysschedules), (SELECT COUNT(*) FROM msdb.dbo.sysjobschedules)",
		"0|0|0|0")
}

func TestAgentStoppedRefusesStartJob(t *testing.T) {
	inst := agentInstance(t, "", agent.NewManualClock(agentTestStart), false)
	defer inst.Close()
	s := login(t, inst, "t")
	mustRun(t, s, addTickJob) // defining jobs works with the Agent stopped
	r := run(t, s, "EXEC msdb.dbo.sp_start_job @job_name = N'tick'")
	if got := r.ErrNums(); !slices.Equal(got, []int32{22022}) || r.Errors()[0].Message != "SQLServerAgent is not currently running so it cannot be notified of this action." {
		t.Fatalf("got %v", r.Errors())
	}
	// An unknown job is reported first, as SQL Server checks the job
	// before notifying the Agent.
	if got := run(t, s, "EXEC msdb.dbo.sp_start_job @job_name = N'nope'").ErrNums(); !slices.Equal(got, []int32{14262}) {
		t.Fatalf("got %v", got)
	}
	wantRows(t, s, "SELECT status_desc, service_account FROM sys.dm_server_services WHERE servicename LIKE N'SQL Server Agent%'", `Stopped|CONTOSO\sqlagent`)
}

func TestAgentFailingStepHistory(t *testing.T) {
	clock := agent.NewManualClock(agentTestStart)
	inst := agentInstance(t, "", clock, true)
	defer inst.Close()
	s := login(t, inst, "t")
	mustRun(t, s, `EXEC msdb.dbo.sp_add_job @job_name = N'bad';
EXEC msdb.dbo.sp_add_jobstep @job_name = N'bad', @step_name = N'boom', @command = N'SELECT * FROM dbo.missing_table';
EXEC msdb.dbo.sp_add_jobserver @job_name = N'bad';`)
	out, err := inst.RunAgentJob(context.Background(), "bad")
	if err != nil || out.RunStatus != agent.StatusFailed {
		t.Fatalf("outcome %+v %v", out, err)
	}
	wantRows(t, s, "SELECT step_id, sql_message_id, sql_severity, run_status FROM msdb.dbo.sysjobhistory ORDER BY instance_id",
		"1|208|16|0", "0|0|0|0")
	msg := rowsOf(t, s, "SELECT message FROM msdb.dbo.sysjobhistory WHERE step_id = 1")[0]
	if !strings.Contains(msg, "Invalid object name 'dbo.missing_table'. [SQLSTATE 42000] (Error 208)") || !strings.HasSuffix(msg, "The step failed.") {
		t.Fatalf("message %q", msg)
	}
}

// sp_help_job reports a job the Agent is running as Executing (1) at its
// current step, and as Idle (4) once the run ended: how a DBA (and the
// failback engine before Install-CsMirrorDatabase) tells whether a
// disabled job still has a run in progress.
func TestHelpJobShowsRunningJob(t *testing.T) {
	inst := agentInstance(t, "", agent.NewManualClock(agentTestStart), true)
	defer inst.Close()
	s := login(t, inst, "t")
	mustRun(t, s, `CREATE DATABASE app;
EXEC('CREATE TABLE app.dbo.t (id int PRIMARY KEY, x int NOT NULL)');
INSERT app.dbo.t VALUES (1, 0);
DECLARE @job uniqueidentifier;
EXEC msdb.dbo.sp_add_job @job_name = N'slow', @job_id = @job OUTPUT;
EXEC msdb.dbo.sp_add_jobstep @job_id = @job, @step_name = N'update', @subsystem = N'TSQL', @database_name = N'app',
	@command = N'UPDATE dbo.t SET x = 2 WHERE id = 1';
EXEC msdb.dbo.sp_add_jobserver @job_id = @job;`)
	status := func() string {
		t.Helper()
		r := mustRun(t, s, "EXEC msdb.dbo.sp_help_job @job_name = N'slow', @job_aspect = N'JOB'")
		set := r.Last()
		var out []string
		for i, c := range set.Cols {
			if c.Name == "current_execution_status" || c.Name == "current_execution_step" {
				out = append(out, fmtRow(set.Rows[0][i:i+1], set.Cols[i:i+1]))
			}
		}
		return strings.Join(out, "|")
	}
	if got := status(); got != "4|0 (unknown)" {
		t.Fatalf("before the run: %q, want 4|0 (unknown)", got)
	}
	// The test's open transaction holds the row: the job's step waits.
	holder := login(t, inst, "holder")
	mustRun(t, holder, "BEGIN TRANSACTION; UPDATE app.dbo.t SET x = 1 WHERE id = 1")
	mustRun(t, s, "EXEC msdb.dbo.sp_start_job @job_name = N'slow'")
	// Started at once; its step begins on the Agent's goroutine.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for got := status(); got != "1|1 (update)"; got = status() {
		if got != "1|0 (unknown)" || ctx.Err() != nil {
			t.Fatalf("while the run waits: %q, want 1|1 (update)", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
	mustRun(t, holder, "COMMIT")
	if err := inst.Agent().WaitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := status(); got != "4|0 (unknown)" {
		t.Fatalf("after the run: %q, want 4|0 (unknown)", got)
	}
	wantRows(t, s, "SELECT x FROM app.dbo.t", "2")
}
