package agent

import (
	"context"
	"time"
)

// Step actions (on_success_action, on_fail_action).
const (
	ActionQuitSuccess = 1
	ActionQuitFailure = 2
	ActionNextStep    = 3
	ActionGotoStep    = 4
)

// Run statuses (sysjobhistory.run_status).
const (
	StatusFailed     = 0
	StatusSucceeded  = 1
	StatusRetry      = 2
	StatusCanceled   = 3
	StatusInProgress = 4
)

// Job is a row of msdb.dbo.sysjobs with its steps (sysjobsteps).
type Job struct {
	JobID        GUID
	Name         string
	Enabled      bool
	Description  string
	Category     string // e.g. "Log Shipping Backup"
	Owner        string
	StartStepID  int // 0 means 1
	Steps        []Step
	DateCreated  time.Time
	DateModified time.Time
}

// Step is a row of msdb.dbo.sysjobsteps. Zero actions take SQL Server's
// defaults: quit with success on success, quit with failure on failure.
type Step struct {
	StepID          int
	StepName        string
	Subsystem       string // TSQL, CmdExec, PowerShell, ...
	Command         string
	DatabaseName    string
	OnSuccessAction int
	OnSuccessStepID int
	OnFailAction    int
	OnFailStepID    int
}

// Attachment is a row of msdb.dbo.sysjobschedules (next_run_* come from
// Scheduler.NextRunTime).
type Attachment struct {
	JobID      GUID
	ScheduleID int
}

// HistoryRow is a row of msdb.dbo.sysjobhistory. Step 0 is the job outcome.
type HistoryRow struct {
	InstanceID       int
	JobID            GUID
	StepID           int
	StepName         string
	SQLMessageID     int32
	SQLSeverity      int
	Message          string
	RunStatus        int
	RunDate          int // YYYYMMDD
	RunTime          int // HHMMSS
	RunDuration      int // HHMMSS
	RetriesAttempted int
	Server           string
}

// State is everything the Scheduler owns, for persisting msdb. Plain data:
// it round-trips through encoding/json.
type State struct {
	Jobs           []Job
	Schedules      []Schedule
	Attachments    []Attachment
	History        []HistoryRow
	NextInstanceID int
	NextScheduleID int
}

// Executor runs one job step; the engine implements it (a TSQL step runs
// Command in DatabaseName as the Agent's service account). err == nil means
// the step succeeded; message, sqlMessageID and severity go to the history
// row either way. ctx is cancelled by sp_stop_job and by Agent shutdown.
type Executor interface {
	RunStep(ctx context.Context, job Job, step Step) (message string, sqlMessageID int32, severity int, err error)
}

// ExecutorFunc adapts a function to Executor.
type ExecutorFunc func(ctx context.Context, job Job, step Step) (string, int32, int, error)

func (f ExecutorFunc) RunStep(ctx context.Context, job Job, step Step) (string, int32, int, error) {
	return f(ctx, job, step)
}

// Config sets up a Scheduler.
type Config struct {
	Clock    Clock    // default RealClock
	Executor Executor // required
	// ServerName fills sysjobhistory.server; ServiceAccount the "Executed as
	// user:" part of step messages.
	ServerName     string
	ServiceAccount string
	// InlineRuns runs scheduled jobs inside the timer callback, one after
	// another, instead of one goroutine each. With ManualClock, Advance then
	// returns only after every run due in the interval has finished.
	InlineRuns bool
	// OnChange is called (without locks held) after every change to State,
	// including history rows written by runs, so the engine can persist msdb.
	OnChange func()
	// History limits as in SQL Server Agent's defaults (1000 rows, 100 per
	// job); the oldest rows go first.
	MaxHistoryRows       int
	MaxHistoryRowsPerJob int
}

// StartOptions are sp_start_job's arguments besides the job.
type StartOptions struct {
	User     string // who asked; shown in history and in refusals
	StepName string // start at this step instead of the job's start step
}

// Activity is a job's live state (sysjobactivity / sp_help_job).
type Activity struct {
	Running       bool
	InvokedBy     string // "User sa" or "Schedule 9 (LSBackupSchedule)"
	StartedAt     time.Time
	CurrentStepID int
}
