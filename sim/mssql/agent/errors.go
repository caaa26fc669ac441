package agent

import (
	"errors"
	"fmt"
)

// ErrAgentStopped is SQL Server's 22022 "SQLServerAgent is not currently
// running so it cannot be notified of this action."
//
//lint:ignore ST1005 the text is SQL Server's message 22022, word for word.
var ErrAgentStopped = errors.New("SQLServerAgent is not currently running so it cannot be notified of this action.")

// AlreadyRunningError refuses sp_start_job for a running job; SQL Server
// returns it as 22022. The wording is as commonly reported by users (not in
// the project reference): "SQLServerAgent Error: Request to run job %s (from
// User %s) refused because the job is already running from a request by %s."
type AlreadyRunningError struct {
	Job       string
	User      string
	RunningBy string // "User sa" or "Schedule 9 (LSBackupSchedule)"
}

func (e *AlreadyRunningError) Error() string {
	return fmt.Sprintf("SQLServerAgent Error: Request to run job %s (from User %s) refused because the job is already running from a request by %s.", e.Job, e.User, e.RunningBy)
}

// NotRunningError refuses sp_stop_job for an idle job (22022; wording as
// commonly reported, not in the project reference).
type NotRunningError struct {
	Job  string
	User string
}

func (e *NotRunningError) Error() string {
	return fmt.Sprintf("SQLServerAgent Error: Request to stop job %s (from User %s) refused because the job is not currently running.", e.Job, e.User)
}

// NotFoundError is 14262 "The specified %s ('%s') does not exist."
type NotFoundError struct {
	What  string // "@job_name", "@job_id", "@schedule_id", "@step_name"
	Value string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("The specified %s ('%s') does not exist.", e.What, e.Value)
}

// ExistsError is 14261 "The specified %s ('%s') already exists." (number
// recalled, not in the project reference).
type ExistsError struct {
	What  string
	Value string
}

func (e *ExistsError) Error() string {
	return fmt.Sprintf("The specified %s ('%s') already exists.", e.What, e.Value)
}
