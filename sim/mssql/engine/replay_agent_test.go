package engine_test

import (
	"testing"
	"time"

	"github.com/pchatdr/harness/sim/mssql/agent"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/features"
)

// TestLogAloneRebuildsMsdb is TestLogAloneRebuildsTheSnapshotState for
// what the Agent and BACKUP keep in msdb (jobs, schedules, next runs,
// history, backup sets): an instance killed after its Agent ran a
// scheduled job and a backup was taken comes back, from the log alone,
// with the same msdb as from a snapshot taken at the same point.
func TestLogAloneRebuildsMsdb(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.Local) // a Monday
	clock := agent.NewManualClock(start)
	dir := t.TempDir()
	inst, err := engine.New(engine.Config{Name: "SIMSQL01", DataDir: dir, SAPassword: "Pa55w.rd!", NoSync: true,
		AgentAccount: `CONTOSO\sqlagent`, AgentRunning: true, AgentClock: clock, Features: features.Default()})
	if err != nil {
		t.Fatal(err)
	}
	s := login(t, inst, "t")
	mustRun(t, s, `CREATE DATABASE app;
EXEC('CREATE TABLE app.dbo.ticks (id int IDENTITY PRIMARY KEY, at datetime NOT NULL)');
DECLARE @job uniqueidentifier, @sid int;
EXEC msdb.dbo.sp_add_job @job_name = N'tick', @enabled = 0, @job_id = @job OUTPUT;
EXEC msdb.dbo.sp_add_jobstep @job_id = @job, @step_name = N'insert', @subsystem = N'TSQL', @database_name = N'app',
	@command = N'INSERT dbo.ticks (at) VALUES (GETDATE())';
EXEC msdb.dbo.sp_add_schedule @schedule_name = N'every15', @enabled = 1, @freq_type = 4, @freq_interval = 1, @freq_subday_type = 4,
	@freq_subday_interval = 15, @freq_recurrence_factor = 0, @active_start_date = 20260301, @active_end_date = 99991231,
	@active_start_time = 0, @active_end_time = 235900, @schedule_id = @sid OUTPUT;
EXEC msdb.dbo.sp_attach_schedule @job_id = @job, @schedule_id = @sid;
EXEC msdb.dbo.sp_update_job @job_id = @job, @enabled = 1;`)
	clock.Advance(31 * time.Minute) // the schedule runs the job at 09:15 and 09:30
	mustRun(t, s, `ALTER DATABASE app SET RECOVERY FULL;
BACKUP DATABASE app TO DISK = N'app.bak' WITH INIT;
INSERT app.dbo.ticks (at) VALUES (GETDATE());
BACKUP LOG app TO DISK = N'app.trn' WITH INIT`)
	if _, err := inst.RunAgentJob(t.Context(), "tick"); err != nil {
		t.Fatal(err)
	}
	want := engine.DurableState(inst)
	logOnly := t.TempDir()
	engine.CopyDataDirForTest(t, dir, logOnly)
	if err := inst.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	snapped := t.TempDir()
	engine.CopyDataDirForTest(t, dir, snapped)
	if err := inst.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, dir string }{{"the log", logOnly}, {"a snapshot", snapped}} {
		// No features: what recovery rebuilds, before an Agent that
		// starts writes msdb again.
		back, err := engine.New(engine.Config{Name: "SIMSQL01", DataDir: c.dir, SAPassword: "Pa55w.rd!", NoSync: true, Features: []engine.Feature{}})
		if err != nil {
			t.Fatal(err)
		}
		got := engine.DurableState(back)
		if err := back.Close(); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("recovered from %s, the committed state differs (- before the crash, + after):\n%s", c.name, engine.LineDiffForTest(want, got))
		}
	}
}
