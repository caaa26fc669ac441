package agent

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sqlerr"
)

// Host ties one instance's SQL Server Agent (the Scheduler) to the
// instance, as the SQLAgent service is tied to its SQL Server: it runs job
// steps (T-SQL on a session of its own, CmdExec programs through the
// instance), keeps msdb's Agent tables equal to the scheduler's state (the
// tables are the truth after a restart), and stops the Agent before the
// instance closes its logs. It knows the instance only through Server.
type Host struct {
	cfg   HostConfig
	sched *Scheduler

	mu      sync.Mutex // serializes persist
	written map[string]map[string]MsdbRow
	// notify is closed and replaced after every persist, so waiters for a
	// job outcome wake without polling.
	notify chan struct{}
	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
}

// Server is the instance as its Agent sees it.
type Server interface {
	// Exec runs a batch on a system session of its own in database db and
	// returns what it produced; the error is the batch's first error
	// message (the Result still holds every message).
	Exec(ctx context.Context, db, text string) (*Result, error)
	// CmdExec runs a CmdExec step's command line: handled is false when no
	// such program exists on the server.
	CmdExec(ctx context.Context, command string) (output string, handled bool, err error)
	// Logf reports what the Agent would write to its error log.
	Logf(format string, args ...any)
}

// Result is what one batch produced: result sets and messages, in order.
type Result struct {
	Sets [][][]sqltypes.Value
	Msgs []*sqlerr.Error
}

// HostConfig configures a Host.
type HostConfig struct {
	Server         Server
	ServerName     string // @@SERVERNAME, for history rows
	ServiceAccount string // the Agent's account
	Clock          Clock  // RealClock when nil
	Running        bool   // start the scheduler with the host
}

// StartHost creates msdb's Agent tables where missing, loads the Agent's
// state from them and, when cfg.Running, starts the scheduler.
func StartHost(cfg HostConfig) (*Host, error) {
	if cfg.Clock == nil {
		cfg.Clock = RealClock{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &Host{cfg: cfg, notify: make(chan struct{}), ctx: ctx, cancel: cancel}
	fail := func(err error) (*Host, error) {
		cancel()
		return nil, fmt.Errorf("sql server agent: %w", err)
	}
	if err := h.ensureTables(ctx); err != nil {
		return fail(err)
	}
	res, err := cfg.Server.Exec(ctx, "msdb", LoadStateSQL)
	if err != nil {
		return fail(fmt.Errorf("load agent state: %w", err))
	}
	_, manual := cfg.Clock.(*ManualClock)
	sched, err := New(Config{
		Clock: cfg.Clock, Executor: h, ServerName: cfg.ServerName, ServiceAccount: cfg.ServiceAccount,
		// With a manual clock a test's Advance returns after every run it
		// made due has finished and been written to msdb.
		InlineRuns: manual,
		OnChange:   h.persist,
	})
	if err != nil {
		return fail(err)
	}
	if err := sched.Restore(StateFromRows(res.Sets)); err != nil {
		return fail(err)
	}
	h.sched = sched
	h.written = h.loadedRows()
	if cfg.Running {
		if err := sched.Start(ctx); err != nil {
			return fail(err)
		}
	}
	h.persist()
	return h, nil
}

// ensureTables creates msdb's Agent tables and job categories where
// missing.
func (h *Host) ensureTables(ctx context.Context) error {
	if _, err := h.cfg.Server.Exec(ctx, "msdb", CreateTablesSQL(MsdbTables())); err != nil {
		return fmt.Errorf("agent tables: %w", err)
	}
	if _, err := h.cfg.Server.Exec(ctx, "msdb", CategoriesSQL()); err != nil {
		return fmt.Errorf("agent categories: %w", err)
	}
	return nil
}

// CreateTablesSQL creates every table in ddl (CREATE TABLE dbo.x ...) that
// msdb lacks.
func CreateTablesSQL(ddl []string) string {
	var b strings.Builder
	for _, d := range ddl {
		name := strings.Fields(d)[2] // CREATE TABLE dbo.x
		fmt.Fprintf(&b, "IF OBJECT_ID(N'msdb.%s') IS NULL %s;\n", name, d)
	}
	return b.String()
}

// Close stops the Agent: running jobs are cancelled and their history is
// written, so the instance calls it while msdb is still open.
func (h *Host) Close() {
	stopCtx, stopCancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer stopCancel()
	if err := h.sched.Stop(stopCtx); err != nil {
		h.cfg.Server.Logf("sql server agent: %v", err)
	}
	h.cancel()
	h.persist()
}

// Scheduler is the Agent's scheduler: the world stops and starts it, tests
// wait for it with WaitIdle, the msdb procedures change its jobs.
func (h *Host) Scheduler() *Scheduler { return h.sched }

// Clock is the Agent's clock (schedules, sp_add_schedule's "today").
func (h *Host) Clock() Clock { return h.cfg.Clock }

// Now is the Agent clock's time.
func (h *Host) Now() time.Time { return h.cfg.Clock.Now() }

// loadedRows renders the state with no next-run times, matching what the
// rows written before a restart hold except sysjobschedules' next run,
// which the first persist rewrites.
func (h *Host) loadedRows() map[string]map[string]MsdbRow {
	rows := MsdbRows(h.sched.Snapshot(), func(Attachment) (time.Time, bool) { return time.Time{}, false }, h.cfg.ServerName)
	// Force sysjobschedules to be rewritten.
	for k, r := range rows["sysjobschedules"] {
		r.Values += " "
		rows["sysjobschedules"][k] = r
	}
	return rows
}

// nextRun is sysjobschedules.next_run_* for an attachment: the next
// occurrence of an enabled schedule of an enabled job, 0 otherwise (SQL
// Server's Agent writes them as it arms its timers).
func (h *Host) nextRun(st State) func(Attachment) (time.Time, bool) {
	now := h.cfg.Clock.Now()
	return func(a Attachment) (time.Time, bool) {
		var job *Job
		for i := range st.Jobs {
			if st.Jobs[i].JobID == a.JobID {
				job = &st.Jobs[i]
			}
		}
		if job == nil || !job.Enabled {
			return time.Time{}, false
		}
		for _, s := range st.Schedules {
			if s.ScheduleID == a.ScheduleID && s.Enabled {
				return NextRun(s, now)
			}
		}
		return time.Time{}, false
	}
}

// persist writes the scheduler's state into msdb's Agent tables. It is the
// scheduler's OnChange, so it runs after every change, possibly from
// several goroutines: one at a time, each writing the latest state.
func (h *Host) persist() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sched == nil {
		return
	}
	st := h.sched.Snapshot()
	cur := MsdbRows(st, h.nextRun(st), h.cfg.ServerName)
	text := DiffSQL(h.written, cur)
	if text != "" {
		// Background context: a change the scheduler made must reach msdb
		// even while the instance shuts down.
		_, err := h.cfg.Server.Exec(context.Background(), "msdb", "SET XACT_ABORT ON; BEGIN TRANSACTION;\n"+text+"COMMIT TRANSACTION;")
		if err != nil {
			h.cfg.Server.Logf("sql server agent: persist agent state: %v", err)
			return
		}
		h.written = cur
	}
	close(h.notify)
	h.notify = make(chan struct{})
}

// changed returns a channel closed at the next persist.
func (h *Host) changed() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.notify
}

// RunJob starts a job now (as sp_start_job does) and waits until its
// outcome is in msdb.dbo.sysjobhistory, returning that outcome row (step
// 0). The world and tests use it to run log shipping's jobs one by one.
func (h *Host) RunJob(ctx context.Context, name string) (HistoryRow, error) {
	job, ok := h.sched.JobByName(name)
	if !ok {
		return HistoryRow{}, sqlerr.New(sqlerr.AgentObjectNotFound, "@job_name", name)
	}
	mark := 0
	for _, r := range h.sched.History(job.JobID) {
		mark = max(mark, r.InstanceID)
	}
	if err := h.sched.StartJob(job.JobID, StartOptions{User: "sa"}); err != nil {
		return HistoryRow{}, SQLError(err, "@job_name", name)
	}
	return h.WaitOutcome(ctx, job.JobID, mark)
}

// WaitOutcome waits for a job outcome row of job newer than instance id
// mark that has been written to msdb.
func (h *Host) WaitOutcome(ctx context.Context, job GUID, mark int) (HistoryRow, error) {
	for {
		ch := h.changed()
		h.mu.Lock()
		var found *HistoryRow
		for _, r := range h.sched.History(job) {
			if r.InstanceID > mark && r.StepID == 0 {
				if _, ok := h.written["sysjobhistory"]["instance_id = "+lit(r.InstanceID)]; ok {
					r := r
					found = &r
					break
				}
			}
		}
		h.mu.Unlock()
		if found != nil {
			return *found, nil
		}
		select {
		case <-ctx.Done():
			return HistoryRow{}, fmt.Errorf("wait for job outcome: %w", ctx.Err())
		case <-ch:
		}
	}
}

// SQLError maps the scheduler's errors to SQL Server's messages (what and
// value name the job as the caller did, "" to use the scheduler's words).
func SQLError(err error, what, value string) error {
	var nf *NotFoundError
	var ex *ExistsError
	var inv *InvalidError
	var ar *AlreadyRunningError
	var nr *NotRunningError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrAgentStopped):
		return sqlerr.New(sqlerr.AgentNotRunning)
	case errors.As(err, &nf):
		if what != "" && (nf.What == "@job_id" || nf.What == "@job_name") {
			return sqlerr.New(sqlerr.AgentObjectNotFound, what, value)
		}
		return sqlerr.New(sqlerr.AgentObjectNotFound, nf.What, nf.Value)
	case errors.As(err, &ex):
		return sqlerr.New(sqlerr.AgentObjectExists, ex.What, ex.Value)
	case errors.As(err, &inv):
		return sqlerr.New(sqlerr.AgentInvalidValue, inv.Field, inv.Valid)
	case errors.As(err, &ar):
		e := sqlerr.New(sqlerr.AgentNotRunning)
		e.Message = ar.Error()
		return e
	case errors.As(err, &nr):
		e := sqlerr.New(sqlerr.AgentNotRunning)
		e.Message = nr.Error()
		return e
	}
	return err
}

// RunStep is the Executor: it runs one job step as the Agent does.
func (h *Host) RunStep(ctx context.Context, job Job, step Step) (string, int32, int, error) {
	switch strings.ToUpper(step.Subsystem) {
	case "TSQL":
		return h.runTSQLStep(ctx, step)
	case "CMDEXEC":
		out, handled, err := h.cfg.Server.CmdExec(ctx, step.Command)
		if handled {
			return out, 0, 0, err
		}
		msg := fmt.Sprintf("The process could not be created for step %d of job %s (reason: The system cannot find the file specified).",
			step.StepID, jobIDHex(job.JobID))
		return msg, 0, 0, errors.New(msg)
	}
	msg := fmt.Sprintf("Unable to start execution of step %d (reason: the %s subsystem is not available in this simulator).", step.StepID, step.Subsystem)
	return msg, 0, 0, errors.New(msg)
}

// jobIDHex is how Agent messages name a job: 0x followed by the GUID's bytes
// in storage order.
func jobIDHex(g GUID) string {
	w := GUID{g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]}
	return fmt.Sprintf("0x%X", w[:])
}

// runTSQLStep runs the step's command in its database on a system session,
// with the Agent's message shape: "<text> [SQLSTATE 42000] (Error n)".
func (h *Host) runTSQLStep(ctx context.Context, step Step) (string, int32, int, error) {
	db := step.DatabaseName
	if db == "" {
		db = "master"
	}
	res, err := h.cfg.Server.Exec(ctx, db, step.Command)
	if res == nil {
		return err.Error(), 0, 0, err
	}
	var parts []string
	var last *sqlerr.Error
	for _, m := range res.Msgs {
		state := "01000"
		kind := "Message"
		if m.Class > 10 {
			state, kind = "42000", "Error"
			last = m
		}
		parts = append(parts, fmt.Sprintf("%s [SQLSTATE %s] (%s %d)", m.Message, state, kind, m.Number))
	}
	msg := strings.Join(parts, "  ")
	if last != nil {
		return msg, last.Number, int(last.Class), last
	}
	if err != nil {
		return err.Error(), 0, 0, err
	}
	return msg, 0, 0, nil
}
