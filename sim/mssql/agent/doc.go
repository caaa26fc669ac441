// Package agent is SQL Server Agent's scheduling core: jobs, steps,
// schedules with msdb's freq_* fields, next-run computation, job history and
// the rule that one job never runs twice at once. It knows nothing about
// T-SQL: job steps run through an Executor the engine provides, and the
// engine maps this package's errors to SQL Server's (22022, 14262, ...).
//
// Ownership: the Scheduler owns the rows (sysjobs, sysjobsteps,
// sysschedules, sysjobschedules, sysjobhistory). The engine reads them for
// its catalog views and msdb procedures, mutates them through the methods
// here, and keeps msdb durable by persisting Snapshot() whenever
// Config.OnChange fires (after every mutation, including history rows that
// scheduled runs append) and calling Restore at startup. A State is plain
// data and round-trips through encoding/json.
//
// Time comes from a Clock. RealClock is the wall clock; ManualClock moves
// only when a test calls Advance, and runs timers synchronously inside
// Advance, so with Config.InlineRuns a test sees every run due in the
// interval finished, in time order, when Advance returns; ScaledClock runs a
// simulated day in minutes for drills.
//
// Agent semantics kept: schedules are evaluated in the clock's location
// (SQL Server Agent uses the server's local time); next runs are computed
// from the moment the Agent starts, so occurrences missed while it was
// stopped are not run late; an occurrence that comes due while the job is
// still running is skipped; sp_start_job works on disabled jobs; a stopped
// Agent refuses sp_start_job (22022).
package agent
