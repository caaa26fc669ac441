package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/agent"
)

// msdb's SQL Server Agent tables are real tables, so the failback engine's
// joins (log_shipping_primary_databases JOIN sysjobs) and any client's
// queries work unchanged. The agent.Scheduler owns the rows; after every
// change the host writes the difference into these tables in one
// transaction (agentHost.persist), and at startup reads them back
// (loadAgentState). Columns are SQL Server's, in its order, minus the ones
// for features the simulator does not have (operators, proxies, target
// servers).

var agentTablesDDL = []string{
	`CREATE TABLE dbo.syscategories (category_id int NOT NULL PRIMARY KEY, category_class int NOT NULL, category_type tinyint NOT NULL, name sysname NOT NULL)`,
	`CREATE TABLE dbo.sysjobs (job_id uniqueidentifier NOT NULL PRIMARY KEY, originating_server_id int NOT NULL, name sysname NOT NULL,
		enabled tinyint NOT NULL, description nvarchar(512) NULL, start_step_id int NOT NULL, category_id int NOT NULL, owner_sid varbinary(85) NOT NULL,
		notify_level_eventlog int NOT NULL, notify_level_email int NOT NULL, notify_level_netsend int NOT NULL, notify_level_page int NOT NULL,
		delete_level int NOT NULL, date_created datetime NOT NULL, date_modified datetime NOT NULL, version_number int NOT NULL)`,
	`CREATE TABLE dbo.sysjobsteps (job_id uniqueidentifier NOT NULL, step_id int NOT NULL, step_name sysname NOT NULL, subsystem nvarchar(40) NOT NULL,
		command nvarchar(max) NULL, flags int NOT NULL, cmdexec_success_code int NOT NULL, on_success_action tinyint NOT NULL, on_success_step_id int NOT NULL,
		on_fail_action tinyint NOT NULL, on_fail_step_id int NOT NULL, server sysname NULL, database_name sysname NULL, database_user_name sysname NULL,
		retry_attempts int NOT NULL, retry_interval int NOT NULL, os_run_priority int NOT NULL, output_file_name nvarchar(200) NULL,
		last_run_outcome int NOT NULL, last_run_duration int NOT NULL, last_run_retries int NOT NULL, last_run_date int NOT NULL, last_run_time int NOT NULL,
		PRIMARY KEY (job_id, step_id))`,
	`CREATE TABLE dbo.sysschedules (schedule_id int NOT NULL PRIMARY KEY, schedule_uid uniqueidentifier NOT NULL, originating_server_id int NOT NULL,
		name sysname NOT NULL, owner_sid varbinary(85) NOT NULL, enabled int NOT NULL, freq_type int NOT NULL, freq_interval int NOT NULL,
		freq_subday_type int NOT NULL, freq_subday_interval int NOT NULL, freq_relative_interval int NOT NULL, freq_recurrence_factor int NOT NULL,
		active_start_date int NOT NULL, active_end_date int NOT NULL, active_start_time int NOT NULL, active_end_time int NOT NULL,
		date_created datetime NOT NULL, date_modified datetime NOT NULL, version_number int NOT NULL)`,
	`CREATE TABLE dbo.sysjobschedules (schedule_id int NOT NULL, job_id uniqueidentifier NOT NULL, next_run_date int NOT NULL, next_run_time int NOT NULL,
		PRIMARY KEY (job_id, schedule_id))`,
	`CREATE TABLE dbo.sysjobhistory (instance_id int NOT NULL PRIMARY KEY, job_id uniqueidentifier NOT NULL, step_id int NOT NULL, step_name sysname NOT NULL,
		sql_message_id int NOT NULL, sql_severity int NOT NULL, message nvarchar(4000) NULL, run_status int NOT NULL, run_date int NOT NULL,
		run_time int NOT NULL, run_duration int NOT NULL, operator_id_emailed int NOT NULL, operator_id_netsent int NOT NULL, operator_id_paged int NOT NULL,
		retries_attempted int NOT NULL, server sysname NOT NULL)`,
}

// agentCategories are the job categories a new msdb has (category_class 1
// = job, category_type 1 = local), with the log-shipping ones the
// log-shipping procedures use.
var agentCategories = []struct {
	id   int
	name string
}{
	{0, "[Uncategorized (Local)]"}, {3, "Database Maintenance"}, {4, "Full-Text"}, {5, "Jobs from MSX"},
	{6, "Log Shipping"}, {7, "Database Engine Tuning Advisor"}, {8, "Data Collector"},
	{20, "Log Shipping Backup"}, {21, "Log Shipping Copy"}, {22, "Log Shipping Restore"}, {23, "Log Shipping Alert"},
}

func categoryID(name string) (int, bool) {
	if name == "" {
		return 0, true
	}
	for _, c := range agentCategories {
		if strings.EqualFold(c.name, name) {
			return c.id, true
		}
	}
	return 0, false
}

func categoryName(id int64) string {
	for _, c := range agentCategories {
		if int64(c.id) == id {
			return c.name
		}
	}
	return ""
}

// saSID is sa's owner_sid; the simulator's jobs are owned by sa (other
// owners are kept by name in the SID bytes so they round-trip).
var saSID = []byte{1}

func ownerSID(owner string) []byte {
	if owner == "" || strings.EqualFold(owner, "sa") {
		return saSID
	}
	return append([]byte{0xFF}, owner...)
}

func ownerName(sid []byte) string {
	if len(sid) > 1 && sid[0] == 0xFF {
		return string(sid[1:])
	}
	return "sa"
}

// createMsdbTables creates every table in ddl that msdb lacks.
func createMsdbTables(ctx context.Context, inst *Instance, ddl []string) error {
	var b strings.Builder
	for _, d := range ddl {
		name := strings.Fields(d)[2] // CREATE TABLE dbo.x
		fmt.Fprintf(&b, "IF OBJECT_ID(N'msdb.%s') IS NULL %s;\n", name, d)
	}
	_, err := inst.systemSQL(ctx, "msdb", b.String())
	return err
}

func ensureAgentTables(ctx context.Context, inst *Instance) error {
	if err := createMsdbTables(ctx, inst, agentTablesDDL); err != nil {
		return fmt.Errorf("agent tables: %w", err)
	}
	var b strings.Builder
	for _, c := range agentCategories {
		fmt.Fprintf(&b, "IF NOT EXISTS (SELECT 1 FROM msdb.dbo.syscategories WHERE category_id = %d) INSERT msdb.dbo.syscategories VALUES (%d, 1, 1, %s);\n",
			c.id, c.id, agentLit(c.name))
	}
	if _, err := inst.systemSQL(ctx, "msdb", b.String()); err != nil {
		return fmt.Errorf("agent categories: %w", err)
	}
	return nil
}

// loadAgentState reads the Agent's rows back from msdb.
func loadAgentState(ctx context.Context, inst *Instance) (agent.State, error) {
	var st agent.State
	sink, err := inst.systemSQL(ctx, "msdb", `
SELECT job_id, name, enabled, description, start_step_id, category_id, owner_sid, date_created, date_modified FROM msdb.dbo.sysjobs;
SELECT job_id, step_id, step_name, subsystem, command, database_name, on_success_action, on_success_step_id, on_fail_action, on_fail_step_id FROM msdb.dbo.sysjobsteps ORDER BY job_id, step_id;
SELECT schedule_id, schedule_uid, name, owner_sid, enabled, freq_type, freq_interval, freq_subday_type, freq_subday_interval, freq_relative_interval,
	freq_recurrence_factor, active_start_date, active_end_date, active_start_time, active_end_time, date_created FROM msdb.dbo.sysschedules ORDER BY schedule_id;
SELECT job_id, schedule_id FROM msdb.dbo.sysjobschedules;
SELECT instance_id, job_id, step_id, step_name, sql_message_id, sql_severity, message, run_status, run_date, run_time, run_duration, retries_attempted, server
	FROM msdb.dbo.sysjobhistory ORDER BY instance_id;`)
	if err != nil {
		return st, fmt.Errorf("load agent state: %w", err)
	}
	byID := map[GUID]int{}
	for _, r := range sink.rows(0) {
		sid, _ := r[6].([]byte)
		j := agent.Job{JobID: vGUID(r[0]), Name: vStr(r[1]), Enabled: vInt(r[2]) != 0, Description: vStr(r[3]),
			StartStepID: int(vInt(r[4])), Category: categoryName(vInt(r[5])), Owner: ownerName(sid),
			DateCreated: vTime(r[7]), DateModified: vTime(r[8])}
		byID[j.JobID] = len(st.Jobs)
		st.Jobs = append(st.Jobs, j)
	}
	for _, r := range sink.rows(1) {
		i, ok := byID[vGUID(r[0])]
		if !ok {
			continue
		}
		st.Jobs[i].Steps = append(st.Jobs[i].Steps, agent.Step{StepID: int(vInt(r[1])), StepName: vStr(r[2]), Subsystem: vStr(r[3]),
			Command: vStr(r[4]), DatabaseName: vStr(r[5]), OnSuccessAction: int(vInt(r[6])), OnSuccessStepID: int(vInt(r[7])),
			OnFailAction: int(vInt(r[8])), OnFailStepID: int(vInt(r[9]))})
	}
	for _, r := range sink.rows(2) {
		sid, _ := r[3].([]byte)
		st.Schedules = append(st.Schedules, agent.Schedule{ScheduleID: int(vInt(r[0])), ScheduleUID: vGUID(r[1]), Name: vStr(r[2]),
			Owner: ownerName(sid), Enabled: vInt(r[4]) != 0, FreqType: int(vInt(r[5])), FreqInterval: int(vInt(r[6])),
			FreqSubdayType: int(vInt(r[7])), FreqSubdayInterval: int(vInt(r[8])), FreqRelativeInterval: int(vInt(r[9])),
			FreqRecurrenceFactor: int(vInt(r[10])), ActiveStartDate: int(vInt(r[11])), ActiveEndDate: int(vInt(r[12])),
			ActiveStartTime: int(vInt(r[13])), ActiveEndTime: int(vInt(r[14])), DateCreated: vTime(r[15])})
	}
	for _, r := range sink.rows(3) {
		st.Attachments = append(st.Attachments, agent.Attachment{JobID: vGUID(r[0]), ScheduleID: int(vInt(r[1]))})
	}
	for _, r := range sink.rows(4) {
		st.History = append(st.History, agent.HistoryRow{InstanceID: int(vInt(r[0])), JobID: vGUID(r[1]), StepID: int(vInt(r[2])),
			StepName: vStr(r[3]), SQLMessageID: int32(vInt(r[4])), SQLSeverity: int(vInt(r[5])), Message: vStr(r[6]),
			RunStatus: int(vInt(r[7])), RunDate: int(vInt(r[8])), RunTime: int(vInt(r[9])), RunDuration: int(vInt(r[10])),
			RetriesAttempted: int(vInt(r[11])), Server: vStr(r[12])})
	}
	return st, nil
}

// msdbRow is one row of an Agent table as literals: key identifies it,
// values is its VALUES list.
type msdbRow struct {
	key    string // WHERE clause
	values string
}

// agentRows renders the Agent's state as msdb rows, table by table.
func agentRows(st agent.State, nextRun func(agent.Attachment) (time.Time, bool), server string) map[string]map[string]msdbRow {
	out := map[string]map[string]msdbRow{
		"sysjobs": {}, "sysjobsteps": {}, "sysschedules": {}, "sysjobschedules": {}, "sysjobhistory": {},
	}
	for _, j := range st.Jobs {
		cat, _ := categoryID(j.Category)
		start := j.StartStepID
		if start == 0 {
			start = 1
		}
		en := 0
		if j.Enabled {
			en = 1
		}
		k := "job_id = " + agentLit(j.JobID)
		out["sysjobs"][k] = msdbRow{k, strings.Join([]string{agentLit(j.JobID), "0", agentLit(j.Name), agentLit(en), agentLit(j.Description), agentLit(start),
			agentLit(cat), agentLit(ownerSID(j.Owner)), "0", "0", "0", "0", "0", agentLit(wallClock(j.DateCreated)), agentLit(wallClock(j.DateModified)), "1"}, ", ")}
		for _, s := range j.Steps {
			k := k + " AND step_id = " + agentLit(s.StepID)
			db := any(s.DatabaseName)
			if s.DatabaseName == "" {
				db = nil
			}
			sa, fa := s.OnSuccessAction, s.OnFailAction
			if sa == 0 {
				sa = agent.ActionQuitSuccess
			}
			if fa == 0 {
				fa = agent.ActionQuitFailure
			}
			out["sysjobsteps"][k] = msdbRow{k, strings.Join([]string{agentLit(j.JobID), agentLit(s.StepID), agentLit(s.StepName), agentLit(s.Subsystem),
				agentLit(s.Command), "0", "0", agentLit(sa), agentLit(s.OnSuccessStepID), agentLit(fa), agentLit(s.OnFailStepID), "NULL", agentLit(db), "NULL",
				"0", "0", "0", "NULL", "0", "0", "0", "0", "0"}, ", ")}
		}
	}
	for _, s := range st.Schedules {
		k := "schedule_id = " + agentLit(s.ScheduleID)
		en := 0
		if s.Enabled {
			en = 1
		}
		out["sysschedules"][k] = msdbRow{k, strings.Join([]string{agentLit(s.ScheduleID), agentLit(s.ScheduleUID), "0", agentLit(s.Name),
			agentLit(ownerSID(s.Owner)), agentLit(en), agentLit(s.FreqType), agentLit(s.FreqInterval), agentLit(s.FreqSubdayType), agentLit(s.FreqSubdayInterval),
			agentLit(s.FreqRelativeInterval), agentLit(s.FreqRecurrenceFactor), agentLit(s.ActiveStartDate), agentLit(s.ActiveEndDate),
			agentLit(s.ActiveStartTime), agentLit(s.ActiveEndTime), agentLit(wallClock(s.DateCreated)), agentLit(wallClock(s.DateCreated)), "1"}, ", ")}
	}
	for _, a := range st.Attachments {
		k := "job_id = " + agentLit(a.JobID) + " AND schedule_id = " + agentLit(a.ScheduleID)
		d, t := 0, 0
		if when, ok := nextRun(a); ok {
			d, t = agent.DateInt(when), agent.TimeInt(when)
		}
		out["sysjobschedules"][k] = msdbRow{k, strings.Join([]string{agentLit(a.ScheduleID), agentLit(a.JobID), agentLit(d), agentLit(t)}, ", ")}
	}
	for _, h := range st.History {
		k := "instance_id = " + agentLit(h.InstanceID)
		srv := h.Server
		if srv == "" {
			srv = server
		}
		msg := h.Message
		if len(msg) > 4000 {
			msg = msg[:4000]
		}
		out["sysjobhistory"][k] = msdbRow{k, strings.Join([]string{agentLit(h.InstanceID), agentLit(h.JobID), agentLit(h.StepID), agentLit(h.StepName),
			agentLit(h.SQLMessageID), agentLit(h.SQLSeverity), agentLit(msg), agentLit(h.RunStatus), agentLit(h.RunDate), agentLit(h.RunTime), agentLit(h.RunDuration),
			"0", "0", "0", agentLit(h.RetriesAttempted), agentLit(srv)}, ", ")}
	}
	return out
}

// agentTableOrder is the order rows are written (parents first).
var agentTableOrder = []string{"sysjobs", "sysjobsteps", "sysschedules", "sysjobschedules", "sysjobhistory"}

// diffSQL is the T-SQL that turns the tables holding old into new.
func diffSQL(old, cur map[string]map[string]msdbRow) string {
	var b strings.Builder
	for _, t := range agentTableOrder {
		for k, r := range old[t] {
			if n, ok := cur[t][k]; !ok || n.values != r.values {
				fmt.Fprintf(&b, "DELETE msdb.dbo.%s WHERE %s;\n", t, k)
			}
		}
	}
	for _, t := range agentTableOrder {
		var vals []string
		for k, r := range cur[t] {
			if o, ok := old[t][k]; !ok || o.values != r.values {
				vals = append(vals, "("+r.values+")")
			}
		}
		// Several rows per INSERT keeps a sync to a few statements.
		for len(vals) > 0 {
			n := min(len(vals), 100)
			fmt.Fprintf(&b, "INSERT msdb.dbo.%s VALUES %s;\n", t, strings.Join(vals[:n], ", "))
			vals = vals[n:]
		}
	}
	return b.String()
}
