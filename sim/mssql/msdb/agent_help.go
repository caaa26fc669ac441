package msdb

import (
	"fmt"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// sp_help_job reads msdb's Agent tables, as SQL Server's does (it needs
// no running Agent). Without a job it lists every job (the first result
// set of Microsoft's "sp_help_job" page); for one job (@job_id or
// @job_name) it returns that job's row, its steps and its schedules. The
// filters (@job_type, @owner_login_name, @subsystem, @category_name,
// @enabled, @execution_status, dates, @description) are refused rather
// than ignored.

const helpJobColumns = `j.job_id, CAST(N'(local)' AS nvarchar(128)) AS originating_server, j.name, j.enabled, j.description, j.start_step_id,
 c.name AS category, CAST(N'sa' AS nvarchar(128)) AS owner, j.notify_level_eventlog, j.notify_level_email, j.notify_level_netsend,
 j.notify_level_page, CAST(N'(unknown)' AS nvarchar(128)) AS notify_email_operator, CAST(N'(unknown)' AS nvarchar(128)) AS notify_netsend_operator,
 CAST(N'(unknown)' AS nvarchar(128)) AS notify_page_operator, j.delete_level, j.date_created, j.date_modified, j.version_number,
 ISNULL((SELECT TOP 1 h.run_date FROM msdb.dbo.sysjobhistory h WHERE h.job_id = j.job_id AND h.step_id = 0 ORDER BY h.instance_id DESC), 0) AS last_run_date,
 ISNULL((SELECT TOP 1 h.run_time FROM msdb.dbo.sysjobhistory h WHERE h.job_id = j.job_id AND h.step_id = 0 ORDER BY h.instance_id DESC), 0) AS last_run_time,
 ISNULL((SELECT TOP 1 h.run_status FROM msdb.dbo.sysjobhistory h WHERE h.job_id = j.job_id AND h.step_id = 0 ORDER BY h.instance_id DESC), 5) AS last_run_outcome,
 ISNULL((SELECT TOP 1 js.next_run_date FROM msdb.dbo.sysjobschedules js WHERE js.job_id = j.job_id AND js.next_run_date > 0 ORDER BY js.next_run_date, js.next_run_time), 0) AS next_run_date,
 ISNULL((SELECT TOP 1 js.next_run_time FROM msdb.dbo.sysjobschedules js WHERE js.job_id = j.job_id AND js.next_run_date > 0 ORDER BY js.next_run_date, js.next_run_time), 0) AS next_run_time,
 ISNULL((SELECT TOP 1 js.schedule_id FROM msdb.dbo.sysjobschedules js WHERE js.job_id = j.job_id AND js.next_run_date > 0 ORDER BY js.next_run_date, js.next_run_time), 0) AS next_run_schedule_id,
 %s AS current_execution_status, CAST(%s AS nvarchar(128)) AS current_execution_step, 0 AS current_retry_attempt,
 (SELECT COUNT(*) FROM msdb.dbo.sysjobsteps s WHERE s.job_id = j.job_id) AS has_step,
 (SELECT COUNT(*) FROM msdb.dbo.sysjobschedules js WHERE js.job_id = j.job_id) AS has_schedule,
 1 AS has_target, 1 AS type
 FROM msdb.dbo.sysjobs AS j JOIN msdb.dbo.syscategories AS c ON c.category_id = j.category_id`

// helpJobColumnsNow is helpJobColumns with the live state of the jobs the
// Agent is running now: current_execution_status 1 (Executing) and
// current_execution_step "<step_id> (<step_name>)" for those, 4 (Idle)
// and "0 (unknown)" for the others, as SQL Server's sp_help_job reports
// them. The Agent's runs live in its scheduler, not in msdb's tables, so
// they are written into the query as constants of this call.
func helpJobColumnsNow(inst *engine.Instance) string {
	status, step := "4", "N'0 (unknown)'"
	var whenStatus, whenStep strings.Builder
	if h := inst.AgentHost(); h != nil {
		sched := h.Scheduler()
		for _, j := range sched.Jobs() {
			a := sched.Activity(j.JobID)
			if !a.Running {
				continue
			}
			stepText := "0 (unknown)" // started, no step begun yet
			for _, st := range j.Steps {
				if st.StepID == a.CurrentStepID {
					stepText = fmt.Sprintf("%d (%s)", st.StepID, st.StepName)
				}
			}
			id := "CAST(N'" + j.JobID.String() + "' AS uniqueidentifier)"
			fmt.Fprintf(&whenStatus, " WHEN %s THEN 1", id)
			fmt.Fprintf(&whenStep, " WHEN %s THEN N'%s'", id, strings.ReplaceAll(stepText, "'", "''"))
		}
	}
	if whenStatus.Len() > 0 {
		status = "CASE j.job_id" + whenStatus.String() + " ELSE 4 END"
		step = "CASE j.job_id" + whenStep.String() + " ELSE N'0 (unknown)' END"
	}
	return fmt.Sprintf(helpJobColumns, status, step)
}

// helpJobFilters are sp_help_job's filter parameters, which the simulator
// refuses.
func helpJobFilters() []string {
	return []string{"@job_type", "@owner_login_name", "@subsystem", "@category_name", "@enabled", "@execution_status",
		"@date_comparator", "@date_created", "@date_last_modified", "@description"}
}

func installAgentHelp(r *engine.Registry) {
	params := []engine.ProcParam{{Name: "@job_id", Type: tGUID, HasDefault: true}, pStr("@job_name", tSys), pStr("@job_aspect", sqltypes.VarChar(9))}
	for _, f := range helpJobFilters() {
		params = append(params, pStr(f, nv(512)))
	}
	r.Procedure("sp_help_job", engine.SystemProc{Params: params, Run: spHelpJob})
}

func spHelpJob(pc *engine.ProcCall) (int32, error) {
	// The first filter given (in the parameter list's order) is named.
	for _, f := range helpJobFilters() {
		if pc.Given(f) && pc.Arg(f) != nil {
			return 1, newErr(sqlerr.Message, fmt.Sprintf("sp_help_job %s is not supported by the simulator.", f))
		}
	}
	if a, _ := pc.Arg("@job_aspect").(string); a != "" && !strings.EqualFold(a, "ALL") && !strings.EqualFold(a, "JOB") {
		return 1, newErr(sqlerr.Message, fmt.Sprintf("sp_help_job @job_aspect = '%s' is not supported by the simulator.", a))
	}
	sc := pc.Scope()
	sc.Declare("@jid", tGUID, pc.Arg("@job_id"))
	sc.Declare("@jname", tSys, pc.Arg("@job_name"))
	id, name := pc.Arg("@job_id"), pc.Arg("@job_name")
	if id == nil && name == nil {
		return 0, sc.RunBatch("SET NOCOUNT ON; SELECT " + helpJobColumnsNow(sc.Instance()) + " ORDER BY j.name")
	}
	if id != nil && name != nil {
		return 1, newErr(sqlerr.JobIdentify, "@job_id", "@job_name")
	}
	if id == nil {
		e, err := tsql.ParseExpr("(SELECT job_id FROM msdb.dbo.sysjobs WHERE name = @jname)")
		if err != nil {
			return 1, err
		}
		v, err := sc.EvalScalar(e)
		if err != nil {
			return 1, err
		}
		if v == nil {
			return 1, newErr(sqlerr.AgentObjectNotFound, "@job_name", name)
		}
		sc.Declare("@jid", tGUID, v)
	} else {
		e, err := tsql.ParseExpr("(SELECT COUNT(*) FROM msdb.dbo.sysjobs WHERE job_id = @jid)")
		if err != nil {
			return 1, err
		}
		if v, err := sc.EvalScalar(e); err != nil {
			return 1, err
		} else if n, _ := v.(int64); n == 0 {
			return 1, newErr(sqlerr.AgentObjectNotFound, "@job_id", fmt.Sprint(id))
		}
	}
	aspect, _ := pc.Arg("@job_aspect").(string)
	batch := "SET NOCOUNT ON; SELECT " + helpJobColumnsNow(sc.Instance()) + " WHERE j.job_id = @jid;"
	if aspect == "" || strings.EqualFold(aspect, "ALL") {
		batch += ` SELECT step_id, step_name, subsystem, command, flags, cmdexec_success_code, on_success_action, on_success_step_id,
 on_fail_action, on_fail_step_id, server, database_name, database_user_name, retry_attempts, retry_interval, os_run_priority,
 output_file_name, last_run_outcome, last_run_duration, last_run_retries, last_run_date, last_run_time, CAST(NULL AS int) AS proxy_id
 FROM msdb.dbo.sysjobsteps WHERE job_id = @jid ORDER BY step_id;
 SELECT s.schedule_id, s.name AS schedule_name, s.enabled, s.freq_type, s.freq_interval, s.freq_subday_type, s.freq_subday_interval,
 s.freq_relative_interval, s.freq_recurrence_factor, s.active_start_date, s.active_end_date, s.active_start_time, s.active_end_time,
 s.date_created, js.next_run_date, js.next_run_time, s.schedule_uid,
 (SELECT COUNT(*) FROM msdb.dbo.sysjobschedules x WHERE x.schedule_id = s.schedule_id) AS job_count
 FROM msdb.dbo.sysjobschedules js JOIN msdb.dbo.sysschedules s ON s.schedule_id = js.schedule_id WHERE js.job_id = @jid ORDER BY s.schedule_id;`
	}
	return 0, sc.RunBatch(batch)
}
