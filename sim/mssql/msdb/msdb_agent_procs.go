package msdb

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/agent"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sqlerr"
)

// msdb's SQL Server Agent procedures. They change the scheduler (which
// writes msdb), with SQL Server's parameters and defaults; like SQL Server,
// only sp_start_job and sp_stop_job need a running Agent (22022 otherwise).

func pInt(name string, def int64) engine.ProcParam {
	return engine.ProcParam{Name: name, Type: tInt, Default: def, HasDefault: true}
}

func pTiny(name string, def int64) engine.ProcParam {
	return engine.ProcParam{Name: name, Type: tTiny, Default: def, HasDefault: true}
}

func pBit(name string, def bool) engine.ProcParam {
	return engine.ProcParam{Name: name, Type: tBit, Default: def, HasDefault: true}
}

func pStr(name string, t Type) engine.ProcParam {
	return engine.ProcParam{Name: name, Type: t, HasDefault: true}
}

func pReq(name string, t Type) engine.ProcParam { return engine.ProcParam{Name: name, Type: t} }

func pOut(name string, t Type) engine.ProcParam {
	return engine.ProcParam{Name: name, Type: t, HasDefault: true, Output: true}
}

var jobIdent = []engine.ProcParam{{Name: "@job_id", Type: tGUID, HasDefault: true}, pStr("@job_name", tSys)}

func installAgentProcs(r *engine.Registry) {
	r.Procedure("sp_add_job", engine.SystemProc{Params: []engine.ProcParam{
		pReq("@job_name", tSys), pTiny("@enabled", 1), pStr("@description", nv(512)), pInt("@start_step_id", 1),
		pStr("@category_name", tSys), engine.ProcParam{Name: "@category_id", Type: tInt, HasDefault: true}, pStr("@owner_login_name", tSys),
		pInt("@notify_level_eventlog", 2), pInt("@notify_level_email", 0), pInt("@notify_level_netsend", 0), pInt("@notify_level_page", 0),
		pStr("@notify_email_operator_name", tSys), pStr("@notify_netsend_operator_name", tSys), pStr("@notify_page_operator_name", tSys),
		pInt("@delete_level", 0), pOut("@job_id", tGUID), pStr("@originating_server", tSys),
	}, Run: spAddJob})
	r.Procedure("sp_add_jobstep", engine.SystemProc{Params: append(slices.Clone(jobIdent),
		engine.ProcParam{Name: "@step_id", Type: tInt, HasDefault: true}, pReq("@step_name", tSys),
		engine.ProcParam{Name: "@subsystem", Type: nv(40), Default: "TSQL", HasDefault: true}, pStr("@command", sqltypes.NVarChar(sqltypes.MaxLength)),
		pStr("@additional_parameters", sqltypes.NVarChar(sqltypes.MaxLength)), pInt("@cmdexec_success_code", 0), pTiny("@on_success_action", 1), pInt("@on_success_step_id", 0),
		pTiny("@on_fail_action", 2), pInt("@on_fail_step_id", 0), pStr("@server", tSys), pStr("@database_name", tSys),
		pStr("@database_user_name", tSys), pInt("@retry_attempts", 0), pInt("@retry_interval", 0), pInt("@os_run_priority", 0),
		pStr("@output_file_name", nv(200)), pInt("@flags", 0), engine.ProcParam{Name: "@proxy_id", Type: tInt, HasDefault: true},
		pStr("@proxy_name", tSys), pOut("@step_uid", tGUID),
	), Run: spAddJobStep})
	r.Procedure("sp_add_schedule", engine.SystemProc{Params: scheduleParams("@schedule_name", true), Run: spAddSchedule})
	r.Procedure("sp_add_jobschedule", engine.SystemProc{Params: append(slices.Clone(jobIdent), scheduleParams("@name", false)...), Run: spAddJobSchedule})
	r.Procedure("sp_attach_schedule", engine.SystemProc{Params: append(slices.Clone(jobIdent),
		engine.ProcParam{Name: "@schedule_id", Type: tInt, HasDefault: true}, pStr("@schedule_name", tSys), pBit("@automatic_post", true),
	), Run: spAttachSchedule})
	r.Procedure("sp_update_job", engine.SystemProc{Params: append(slices.Clone(jobIdent),
		pStr("@new_name", tSys), engine.ProcParam{Name: "@enabled", Type: tTiny, HasDefault: true}, pStr("@description", nv(512)),
		engine.ProcParam{Name: "@start_step_id", Type: tInt, HasDefault: true}, pStr("@category_name", tSys), pStr("@owner_login_name", tSys),
		engine.ProcParam{Name: "@notify_level_eventlog", Type: tInt, HasDefault: true}, engine.ProcParam{Name: "@notify_level_email", Type: tInt, HasDefault: true},
		engine.ProcParam{Name: "@notify_level_netsend", Type: tInt, HasDefault: true}, engine.ProcParam{Name: "@notify_level_page", Type: tInt, HasDefault: true},
		pStr("@notify_email_operator_name", tSys), pStr("@notify_netsend_operator_name", tSys), pStr("@notify_page_operator_name", tSys),
		engine.ProcParam{Name: "@delete_level", Type: tInt, HasDefault: true}, pBit("@automatic_post", true),
	), Run: spUpdateJob})
	r.Procedure("sp_start_job", engine.SystemProc{Params: append(slices.Clone(jobIdent),
		pInt("@error_flag", 1), pStr("@server_name", tSys), pStr("@step_name", tSys), pInt("@output_flag", 1),
	), Run: spStartJob})
	r.Procedure("sp_stop_job", engine.SystemProc{Params: append(slices.Clone(jobIdent),
		pStr("@originating_server", tSys), pStr("@server_name", tSys),
	), Run: spStopJob})
	r.Procedure("sp_delete_job", engine.SystemProc{Params: append(slices.Clone(jobIdent),
		pStr("@originating_server", tSys), pBit("@delete_history", true), pBit("@delete_unused_schedule", true),
	), Run: spDeleteJob})
	r.Procedure("sp_add_jobserver", engine.SystemProc{Params: append(slices.Clone(jobIdent),
		pStr("@server_name", tSys), pBit("@automatic_post", true),
	), Run: spAddJobServer})
}

func scheduleParams(nameParam string, standalone bool) []engine.ProcParam {
	ps := []engine.ProcParam{
		pReq(nameParam, tSys), pTiny("@enabled", 1), pInt("@freq_type", 0), pInt("@freq_interval", 1), pInt("@freq_subday_type", 0),
		pInt("@freq_subday_interval", 0), pInt("@freq_relative_interval", 0), pInt("@freq_recurrence_factor", 0),
		engine.ProcParam{Name: "@active_start_date", Type: tInt, HasDefault: true}, pInt("@active_end_date", 99991231),
		pInt("@active_start_time", 0), pInt("@active_end_time", 235959),
	}
	if standalone {
		ps = append(ps, pStr("@owner_login_name", tSys), pOut("@schedule_uid", tGUID), pOut("@schedule_id", tInt), pStr("@originating_server", tSys))
	} else {
		ps = append(ps, pOut("@schedule_id", tInt), pBit("@automatic_post", true), pOut("@schedule_uid", tGUID))
	}
	return ps
}

// scheduler is the calling instance's Agent.
func scheduler(pc *engine.ProcCall) (*agent.Scheduler, error) {
	s := pc.Instance().Agent()
	if s == nil {
		return nil, newErr(sqlerr.AgentNotRunning)
	}
	return s, nil
}

// resolveJob finds the job named by @job_id or @job_name (exactly one).
// jobOf is the preamble of the job procedures: the running Agent and the
// job named by @job_id or @job_name.
func jobOf(pc *engine.ProcCall) (*agent.Scheduler, agent.Job, error) {
	s, err := scheduler(pc)
	if err != nil {
		return nil, agent.Job{}, err
	}
	j, err := resolveJob(pc, s)
	return s, j, err
}

// setScheduleOutputs returns a new schedule's id and uid in the
// procedure's OUTPUT parameters.
func setScheduleOutputs(pc *engine.ProcCall, sc agent.Schedule) {
	pc.SetOutput("@schedule_id", int64(sc.ScheduleID))
	pc.SetOutput("@schedule_uid", sc.ScheduleUID)
}

func resolveJob(pc *engine.ProcCall, s *agent.Scheduler) (agent.Job, error) {
	id, idOK := pc.Arg("@job_id").(GUID)
	name, nameOK := pc.Arg("@job_name").(string)
	if idOK == nameOK {
		return agent.Job{}, newErr(sqlerr.JobIdentify, "@job_id", "@job_name")
	}
	if idOK {
		j, ok := s.Job(id)
		if !ok {
			return agent.Job{}, newErr(sqlerr.AgentObjectNotFound, "@job_id", id.String())
		}
		return j, nil
	}
	j, ok := s.JobByName(name)
	if !ok {
		return agent.Job{}, newErr(sqlerr.AgentObjectNotFound, "@job_name", name)
	}
	return j, nil
}

func procStr(pc *engine.ProcCall, name string) string {
	s, _ := pc.Arg(name).(string)
	return s
}

func procInt(pc *engine.ProcCall, name string) int {
	return int(vInt(pc.Arg(name)))
}

func spAddJob(pc *engine.ProcCall) (int32, error) {
	s, err := scheduler(pc)
	if err != nil {
		return 1, err
	}
	j := agent.Job{Name: procStr(pc, "@job_name"), Enabled: procInt(pc, "@enabled") != 0, Description: procStr(pc, "@description"),
		StartStepID: procInt(pc, "@start_step_id"), Owner: procStr(pc, "@owner_login_name"), Category: procStr(pc, "@category_name")}
	if id, ok := pc.Arg("@category_id").(int64); ok && j.Category == "" {
		if j.Category = agent.CategoryName(id); j.Category == "" && id != 0 {
			return 1, newErr(sqlerr.AgentObjectNotFound, "@category_id", fmt.Sprint(id))
		}
	}
	if _, ok := agent.CategoryID(j.Category); !ok {
		return 1, newErr(sqlerr.AgentObjectNotFound, "@category_name", j.Category)
	}
	if j.Owner == "" {
		j.Owner = "sa"
	}
	if j.StartStepID == 1 {
		j.StartStepID = 0 // no steps yet: validated when steps arrive
	}
	added, err := s.AddJob(j)
	if err != nil {
		return 1, agentError(err, "", "")
	}
	pc.SetOutput("@job_id", added.JobID)
	return 0, nil
}

func spAddJobStep(pc *engine.ProcCall) (int32, error) {
	s, j, err := jobOf(pc)
	if err != nil {
		return 1, err
	}
	st := agent.Step{StepName: procStr(pc, "@step_name"), Subsystem: procStr(pc, "@subsystem"), Command: procStr(pc, "@command"),
		DatabaseName: procStr(pc, "@database_name"), OnSuccessAction: procInt(pc, "@on_success_action"), OnSuccessStepID: procInt(pc, "@on_success_step_id"),
		OnFailAction: procInt(pc, "@on_fail_action"), OnFailStepID: procInt(pc, "@on_fail_step_id")}
	for _, x := range j.Steps {
		if strings.EqualFold(x.StepName, st.StepName) {
			return 1, newErr(sqlerr.AgentObjectExists, "@step_name", st.StepName)
		}
	}
	pos := len(j.Steps) + 1
	if v, ok := pc.Arg("@step_id").(int64); ok {
		if v < 1 || v > int64(len(j.Steps)+1) {
			return 1, newErr(sqlerr.AgentInvalidValue, "@step_id", fmt.Sprintf("1..%d", len(j.Steps)+1))
		}
		pos = int(v)
	}
	// Inserting before existing steps renumbers them, as SQL Server does.
	steps := slices.Insert(slices.Clone(j.Steps), pos-1, st)
	for i := range steps {
		steps[i].StepID = i + 1
	}
	j.Steps = steps
	if err := s.UpdateJob(j); err != nil {
		return 1, agentError(err, "", "")
	}
	pc.SetOutput("@step_uid", newGUID())
	return 0, nil
}

// scheduleFromArgs reads sp_add_schedule's schedule fields.
func scheduleFromArgs(pc *engine.ProcCall, name string) agent.Schedule {
	sc := agent.Schedule{Name: name, Enabled: procInt(pc, "@enabled") != 0, Owner: procStr(pc, "@owner_login_name"),
		FreqType: procInt(pc, "@freq_type"), FreqInterval: procInt(pc, "@freq_interval"), FreqSubdayType: procInt(pc, "@freq_subday_type"),
		FreqSubdayInterval: procInt(pc, "@freq_subday_interval"), FreqRelativeInterval: procInt(pc, "@freq_relative_interval"),
		FreqRecurrenceFactor: procInt(pc, "@freq_recurrence_factor"), ActiveEndDate: procInt(pc, "@active_end_date"),
		ActiveStartTime: procInt(pc, "@active_start_time"), ActiveEndTime: procInt(pc, "@active_end_time")}
	if v, ok := pc.Arg("@active_start_date").(int64); ok {
		sc.ActiveStartDate = int(v)
	} else {
		sc.ActiveStartDate = agent.DateInt(agentNow(pc.Instance())) // NULL: today
	}
	if sc.Owner == "" {
		sc.Owner = "sa"
	}
	return sc
}

func spAddSchedule(pc *engine.ProcCall) (int32, error) {
	s, err := scheduler(pc)
	if err != nil {
		return 1, err
	}
	sc, err := s.AddSchedule(scheduleFromArgs(pc, procStr(pc, "@schedule_name")))
	if err != nil {
		return 1, agentError(err, "", "")
	}
	setScheduleOutputs(pc, sc)
	return 0, nil
}

func spAddJobSchedule(pc *engine.ProcCall) (int32, error) {
	s, j, err := jobOf(pc)
	if err != nil {
		return 1, err
	}
	sc, err := s.AddSchedule(scheduleFromArgs(pc, procStr(pc, "@name")))
	if err != nil {
		return 1, agentError(err, "", "")
	}
	if err := s.AttachSchedule(j.JobID, sc.ScheduleID); err != nil {
		return 1, agentError(err, "", "")
	}
	setScheduleOutputs(pc, sc)
	return 0, nil
}

func spAttachSchedule(pc *engine.ProcCall) (int32, error) {
	s, j, err := jobOf(pc)
	if err != nil {
		return 1, err
	}
	id, idOK := pc.Arg("@schedule_id").(int64)
	name, nameOK := pc.Arg("@schedule_name").(string)
	if idOK == nameOK {
		return 1, newErr(sqlerr.ScheduleIdentify, "@schedule_id", "@schedule_name")
	}
	if nameOK {
		found := false
		for _, sc := range s.Schedules() {
			if strings.EqualFold(sc.Name, name) {
				if found {
					return 1, newErr(sqlerr.ScheduleNameAmbiguous, name)
				}
				id, found = int64(sc.ScheduleID), true
			}
		}
		if !found {
			return 1, newErr(sqlerr.AgentObjectNotFound, "@schedule_name", name)
		}
	} else if _, ok := s.Schedule(int(id)); !ok {
		return 1, newErr(sqlerr.AgentObjectNotFound, "@schedule_id", fmt.Sprint(id))
	}
	if err := s.AttachSchedule(j.JobID, int(id)); err != nil {
		return 1, agentError(err, "", "")
	}
	return 0, nil
}

func spUpdateJob(pc *engine.ProcCall) (int32, error) {
	s, j, err := jobOf(pc)
	if err != nil {
		return 1, err
	}
	if v, ok := pc.Arg("@new_name").(string); ok {
		j.Name = v
	}
	if v, ok := pc.Arg("@enabled").(int64); ok {
		j.Enabled = v != 0
	}
	if v, ok := pc.Arg("@description").(string); ok {
		j.Description = v
	}
	if v, ok := pc.Arg("@start_step_id").(int64); ok {
		j.StartStepID = int(v)
	}
	if v, ok := pc.Arg("@owner_login_name").(string); ok {
		j.Owner = v
	}
	if v, ok := pc.Arg("@category_name").(string); ok {
		if _, known := agent.CategoryID(v); !known {
			return 1, newErr(sqlerr.AgentObjectNotFound, "@category_name", v)
		}
		j.Category = v
	}
	if err := s.UpdateJob(j); err != nil {
		return 1, agentError(err, "", "")
	}
	return 0, nil
}

func spStartJob(pc *engine.ProcCall) (int32, error) {
	s, j, err := jobOf(pc)
	if err != nil {
		return 1, err
	}
	user := pc.Session().LoginName()
	if err := s.StartJob(j.JobID, agent.StartOptions{User: user, StepName: procStr(pc, "@step_name")}); err != nil {
		return 1, agentError(err, "", "")
	}
	if procInt(pc, "@output_flag") != 0 {
		if err := pc.Message(newErr(sqlerr.JobStarted, j.Name)); err != nil {
			return 1, err
		}
	}
	return 0, nil
}

func spStopJob(pc *engine.ProcCall) (int32, error) {
	s, j, err := jobOf(pc)
	if err != nil {
		return 1, err
	}
	if err := s.StopJob(j.JobID, pc.Session().LoginName()); err != nil {
		return 1, agentError(err, "", "")
	}
	return 0, nil
}

func spDeleteJob(pc *engine.ProcCall) (int32, error) {
	s, j, err := jobOf(pc)
	if err != nil {
		return 1, err
	}
	if err := deleteJobAndSchedules(s, j.JobID, pc.Arg("@delete_unused_schedule") == true); err != nil {
		return 1, err
	}
	return 0, nil
}

// deleteJobAndSchedules deletes a job and, when asked, the schedules only
// it used (sp_delete_job's @delete_unused_schedule).
func deleteJobAndSchedules(s *agent.Scheduler, id GUID, unused bool) error {
	var mine []int
	for _, a := range s.Attachments() {
		if a.JobID == id {
			mine = append(mine, a.ScheduleID)
		}
	}
	if err := s.DeleteJob(id); err != nil {
		return agentError(err, "", "")
	}
	if !unused {
		return nil
	}
	for _, sid := range mine {
		used := false
		for _, a := range s.Attachments() {
			if a.ScheduleID == sid {
				used = true
			}
		}
		if !used {
			if err := s.DeleteSchedule(sid); err != nil {
				return agentError(err, "", "")
			}
		}
	}
	return nil
}

// spAddJobServer targets a job at a server. The simulator's jobs always run
// on the local Agent, so only the local server is accepted.
func spAddJobServer(pc *engine.ProcCall) (int32, error) {
	if _, _, err := jobOf(pc); err != nil {
		return 1, err
	}
	if srv := procStr(pc, "@server_name"); srv != "" && !strings.EqualFold(srv, "(local)") && !strings.EqualFold(srv, pc.Instance().Name()) {
		return 1, newErr(sqlerr.AgentObjectNotFound, "@server_name", srv)
	}
	return 0, nil
}
