package agent

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

// msdb's SQL Server Agent tables are real tables, so the failback engine's
// joins (log_shipping_primary_databases JOIN sysjobs) and any client's
// queries work unchanged. The agent.Scheduler owns the rows; after every
// change the host writes the difference into these tables in one
// transaction (agentHost.persist), and at startup reads them back
// (loadAgentState). Columns are SQL Server's, in its order, minus the ones
// for features the simulator does not have (operators, proxies, target
// servers). This file is that mapping; the engine's Agent host runs the
// T-SQL.

// MsdbTables is the DDL of the Agent's msdb tables (CREATE TABLE dbo.x
// ...), a fresh copy each call.
func MsdbTables() []string { return slices.Clone(msdbTablesDDL[:]) }

var msdbTablesDDL = [...]string{
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
var agentCategories = [...]struct {
	id   int
	name string
}{
	{0, "[Uncategorized (Local)]"}, {3, "Database Maintenance"}, {4, "Full-Text"}, {5, "Jobs from MSX"},
	{6, "Log Shipping"}, {7, "Database Engine Tuning Advisor"}, {8, "Data Collector"},
	{20, "Log Shipping Backup"}, {21, "Log Shipping Copy"}, {22, "Log Shipping Restore"}, {23, "Log Shipping Alert"},
}

// CategoryID is a job category's id (ok false: no such category).
func CategoryID(name string) (int, bool) {
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

// CategoryName is a category id's name ("" when unknown).
func CategoryName(id int64) string {
	for _, c := range agentCategories {
		if int64(c.id) == id {
			return c.name
		}
	}
	return ""
}

// OwnerSID is how owner_sid holds an owner: sa's SID 0x01, any other
// owner by name after 0xFF so that it round-trips (the simulator has no
// Windows SIDs).
func OwnerSID(owner string) []byte {
	if owner == "" || strings.EqualFold(owner, "sa") {
		return []byte{1} // sa
	}
	return append([]byte{0xFF}, owner...)
}

// OwnerName reads an owner back from owner_sid.
func OwnerName(sid []byte) string {
	if len(sid) > 1 && sid[0] == 0xFF {
		return string(sid[1:])
	}
	return "sa"
}

// CategoriesSQL inserts the job categories a new msdb has, where missing.
func CategoriesSQL() string {
	var b strings.Builder
	for _, c := range agentCategories {
		fmt.Fprintf(&b, "IF NOT EXISTS (SELECT 1 FROM msdb.dbo.syscategories WHERE category_id = %d) INSERT msdb.dbo.syscategories VALUES (%d, 1, 1, %s);\n",
			c.id, c.id, lit(c.name))
	}
	return b.String()
}

// LoadStateSQL reads the Agent's rows back from msdb, five result sets in
// the order StateFromRows takes them.
const LoadStateSQL = `
SELECT job_id, name, enabled, description, start_step_id, category_id, owner_sid, date_created, date_modified FROM msdb.dbo.sysjobs;
SELECT job_id, step_id, step_name, subsystem, command, database_name, on_success_action, on_success_step_id, on_fail_action, on_fail_step_id FROM msdb.dbo.sysjobsteps ORDER BY job_id, step_id;
SELECT schedule_id, schedule_uid, name, owner_sid, enabled, freq_type, freq_interval, freq_subday_type, freq_subday_interval, freq_relative_interval,
	freq_recurrence_factor, active_start_date, active_end_date, active_start_time, active_end_time, date_created FROM msdb.dbo.sysschedules ORDER BY schedule_id;
SELECT job_id, schedule_id FROM msdb.dbo.sysjobschedules;
SELECT instance_id, job_id, step_id, step_name, sql_message_id, sql_severity, message, run_status, run_date, run_time, run_duration, retries_attempted, server
	FROM msdb.dbo.sysjobhistory ORDER BY instance_id;`

// StateFromRows rebuilds the scheduler's state from LoadStateSQL's result
// sets.
func StateFromRows(sets [][][]sqltypes.Value) State {
	rows := func(i int) [][]sqltypes.Value {
		if i < len(sets) {
			return sets[i]
		}
		return nil
	}
	var st State
	byID := map[GUID]int{}
	for _, r := range rows(0) {
		sid, _ := r[6].([]byte)
		j := Job{JobID: vGUID(r[0]), Name: vStr(r[1]), Enabled: vInt(r[2]) != 0, Description: vStr(r[3]),
			StartStepID: int(vInt(r[4])), Category: CategoryName(vInt(r[5])), Owner: OwnerName(sid),
			DateCreated: vTime(r[7]), DateModified: vTime(r[8])}
		byID[j.JobID] = len(st.Jobs)
		st.Jobs = append(st.Jobs, j)
	}
	for _, r := range rows(1) {
		i, ok := byID[vGUID(r[0])]
		if !ok {
			continue
		}
		st.Jobs[i].Steps = append(st.Jobs[i].Steps, Step{StepID: int(vInt(r[1])), StepName: vStr(r[2]), Subsystem: vStr(r[3]),
			Command: vStr(r[4]), DatabaseName: vStr(r[5]), OnSuccessAction: int(vInt(r[6])), OnSuccessStepID: int(vInt(r[7])),
			OnFailAction: int(vInt(r[8])), OnFailStepID: int(vInt(r[9]))})
	}
	for _, r := range rows(2) {
		sid, _ := r[3].([]byte)
		st.Schedules = append(st.Schedules, Schedule{ScheduleID: int(vInt(r[0])), ScheduleUID: vGUID(r[1]), Name: vStr(r[2]),
			Owner: OwnerName(sid), Enabled: vInt(r[4]) != 0, FreqType: int(vInt(r[5])), FreqInterval: int(vInt(r[6])),
			FreqSubdayType: int(vInt(r[7])), FreqSubdayInterval: int(vInt(r[8])), FreqRelativeInterval: int(vInt(r[9])),
			FreqRecurrenceFactor: int(vInt(r[10])), ActiveStartDate: int(vInt(r[11])), ActiveEndDate: int(vInt(r[12])),
			ActiveStartTime: int(vInt(r[13])), ActiveEndTime: int(vInt(r[14])), DateCreated: vTime(r[15])})
	}
	for _, r := range rows(3) {
		st.Attachments = append(st.Attachments, Attachment{JobID: vGUID(r[0]), ScheduleID: int(vInt(r[1]))})
	}
	for _, r := range rows(4) {
		st.History = append(st.History, HistoryRow{InstanceID: int(vInt(r[0])), JobID: vGUID(r[1]), StepID: int(vInt(r[2])),
			StepName: vStr(r[3]), SQLMessageID: int32(vInt(r[4])), SQLSeverity: int(vInt(r[5])), Message: vStr(r[6]),
			RunStatus: int(vInt(r[7])), RunDate: int(vInt(r[8])), RunTime: int(vInt(r[9])), RunDuration: int(vInt(r[10])),
			RetriesAttempted: int(vInt(r[11])), Server: vStr(r[12])})
	}
	return st
}

// MsdbRow is one row of an Agent table as literals: Key identifies it,
// Values is its VALUES list.
type MsdbRow struct {
	Key    string // WHERE clause
	Values string
}

// MsdbRows renders the Agent's state as msdb rows, table by table.
// nextRun gives sysjobschedules' next run of an attachment; server is the
// instance's name for history rows that have none.
func MsdbRows(st State, nextRun func(Attachment) (time.Time, bool), server string) map[string]map[string]MsdbRow {
	out := map[string]map[string]MsdbRow{
		"sysjobs": {}, "sysjobsteps": {}, "sysschedules": {}, "sysjobschedules": {}, "sysjobhistory": {},
	}
	for _, j := range st.Jobs {
		cat, _ := CategoryID(j.Category)
		start := j.StartStepID
		if start == 0 {
			start = 1
		}
		en := 0
		if j.Enabled {
			en = 1
		}
		k := "job_id = " + lit(j.JobID)
		out["sysjobs"][k] = MsdbRow{k, strings.Join([]string{lit(j.JobID), "0", lit(j.Name), lit(en), lit(j.Description), lit(start),
			lit(cat), lit(OwnerSID(j.Owner)), "0", "0", "0", "0", "0", lit(wallClock(j.DateCreated)), lit(wallClock(j.DateModified)), "1"}, ", ")}
		for _, s := range j.Steps {
			k := k + " AND step_id = " + lit(s.StepID)
			db := any(s.DatabaseName)
			if s.DatabaseName == "" {
				db = nil
			}
			sa, fa := s.OnSuccessAction, s.OnFailAction
			if sa == 0 {
				sa = ActionQuitSuccess
			}
			if fa == 0 {
				fa = ActionQuitFailure
			}
			out["sysjobsteps"][k] = MsdbRow{k, strings.Join([]string{lit(j.JobID), lit(s.StepID), lit(s.StepName), lit(s.Subsystem),
				lit(s.Command), "0", "0", lit(sa), lit(s.OnSuccessStepID), lit(fa), lit(s.OnFailStepID), "NULL", lit(db), "NULL",
				"0", "0", "0", "NULL", "0", "0", "0", "0", "0"}, ", ")}
		}
	}
	for _, s := range st.Schedules {
		k := "schedule_id = " + lit(s.ScheduleID)
		en := 0
		if s.Enabled {
			en = 1
		}
		out["sysschedules"][k] = MsdbRow{k, strings.Join([]string{lit(s.ScheduleID), lit(s.ScheduleUID), "0", lit(s.Name),
			lit(OwnerSID(s.Owner)), lit(en), lit(s.FreqType), lit(s.FreqInterval), lit(s.FreqSubdayType), lit(s.FreqSubdayInterval),
			lit(s.FreqRelativeInterval), lit(s.FreqRecurrenceFactor), lit(s.ActiveStartDate), lit(s.ActiveEndDate),
			lit(s.ActiveStartTime), lit(s.ActiveEndTime), lit(wallClock(s.DateCreated)), lit(wallClock(s.DateCreated)), "1"}, ", ")}
	}
	for _, a := range st.Attachments {
		k := "job_id = " + lit(a.JobID) + " AND schedule_id = " + lit(a.ScheduleID)
		d, t := 0, 0
		if when, ok := nextRun(a); ok {
			d, t = DateInt(when), TimeInt(when)
		}
		out["sysjobschedules"][k] = MsdbRow{k, strings.Join([]string{lit(a.ScheduleID), lit(a.JobID), lit(d), lit(t)}, ", ")}
	}
	for _, h := range st.History {
		k := "instance_id = " + lit(h.InstanceID)
		srv := h.Server
		if srv == "" {
			srv = server
		}
		msg := h.Message
		if len(msg) > 4000 {
			msg = msg[:4000]
		}
		out["sysjobhistory"][k] = MsdbRow{k, strings.Join([]string{lit(h.InstanceID), lit(h.JobID), lit(h.StepID), lit(h.StepName),
			lit(h.SQLMessageID), lit(h.SQLSeverity), lit(msg), lit(h.RunStatus), lit(h.RunDate), lit(h.RunTime), lit(h.RunDuration),
			"0", "0", "0", lit(h.RetriesAttempted), lit(srv)}, ", ")}
	}
	return out
}

// agentTableOrder is the order rows are written (parents first).
var agentTableOrder = []string{"sysjobs", "sysjobsteps", "sysschedules", "sysjobschedules", "sysjobhistory"}

// DiffSQL is the T-SQL that turns the tables holding old into cur.
func DiffSQL(old, cur map[string]map[string]MsdbRow) string {
	var b strings.Builder
	for _, t := range agentTableOrder {
		for k, r := range old[t] {
			if n, ok := cur[t][k]; !ok || n.Values != r.Values {
				fmt.Fprintf(&b, "DELETE msdb.dbo.%s WHERE %s;\n", t, k)
			}
		}
	}
	for _, t := range agentTableOrder {
		var vals []string
		for k, r := range cur[t] {
			if o, ok := old[t][k]; !ok || o.Values != r.Values {
				vals = append(vals, "("+r.Values+")")
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

func lit(v any) string { return sqltypes.Literal(v) }

func vStr(v sqltypes.Value) string {
	s, _ := v.(string)
	return s
}

func vInt(v sqltypes.Value) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case bool:
		if x {
			return 1
		}
	case sqltypes.Decimal:
		if x.Unscaled != nil && x.Scale == 0 && x.Unscaled.IsInt64() {
			return x.Unscaled.Int64()
		}
	}
	return 0
}

func vGUID(v sqltypes.Value) GUID {
	g, _ := v.(GUID)
	return g
}

func vTime(v sqltypes.Value) time.Time {
	t, _ := v.(time.Time)
	return t
}

// wallClock is t's local wall-clock reading labelled UTC, as DATETIME
// columns hold it.
func wallClock(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}
