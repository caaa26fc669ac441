package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pchatdr/harness/sim/mssql/agent"
	"github.com/pchatdr/harness/sim/mssql/sqllogship"
)

// agentHost ties one instance's SQL Server Agent (sim/mssql/agent) to the
// engine: it runs job steps (T-SQL on a system session, log-shipping agent
// steps in Go through T-SQL and the instance's files), keeps msdb's Agent
// tables equal to the scheduler's state, and stops the Agent before the
// instance closes its logs.
type agentHost struct {
	inst  *Instance
	sched *agent.Scheduler
	clock agent.Clock

	mu      sync.Mutex // serializes persist
	written map[string]map[string]agent.MsdbRow
	// notify is closed and replaced after every persist, so waiters for a
	// job outcome wake without polling.
	notify chan struct{}
	ctx    context.Context // cancelled when the instance closes
	cancel context.CancelFunc
}

func (inst *Instance) agentHost() *agentHost {
	inst.subMu.Lock()
	defer inst.subMu.Unlock()
	return inst.agentH
}

// Agent is the instance's SQL Server Agent scheduler (nil if the instance
// failed to start). The world stops and starts it with Stop/Start and waits
// for jobs with WaitIdle; Config.AgentRunning decides whether it starts with
// the instance.
func (inst *Instance) Agent() *agent.Scheduler {
	if h := inst.agentHost(); h != nil {
		return h.sched
	}
	return nil
}

// AgentAccount is the account the Agent runs as (sys.dm_server_services).
func (inst *Instance) AgentAccount() string {
	if inst.cfg.AgentAccount != "" {
		return inst.cfg.AgentAccount
	}
	return `NT SERVICE\SQLSERVERAGENT`
}

func startAgent(inst *Instance) error {
	ctx, cancel := context.WithCancel(context.Background())
	h := &agentHost{inst: inst, clock: inst.cfg.AgentClock, notify: make(chan struct{}), ctx: ctx, cancel: cancel}
	if h.clock == nil {
		h.clock = agent.RealClock{}
	}
	fail := func(err error) error {
		cancel()
		return fmt.Errorf("sql server agent: %w", err)
	}
	if err := ensureAgentTables(ctx, inst); err != nil {
		return fail(err)
	}
	if err := ensureLogShippingTables(ctx, inst); err != nil {
		return fail(err)
	}
	st, err := loadAgentState(ctx, inst)
	if err != nil {
		return fail(err)
	}
	_, manual := h.clock.(*agent.ManualClock)
	sched, err := agent.New(agent.Config{
		Clock: h.clock, Executor: h, ServerName: inst.cfg.Name, ServiceAccount: inst.AgentAccount(),
		// With a manual clock a test's Advance returns after every run it
		// made due has finished and been written to msdb.
		InlineRuns: manual,
		OnChange:   h.persist,
	})
	if err != nil {
		return fail(err)
	}
	if err := sched.Restore(st); err != nil {
		return fail(err)
	}
	h.sched = sched
	h.written = h.loadedRows()
	inst.setAgentHost(h)
	if inst.cfg.AgentRunning {
		if err := sched.Start(ctx); err != nil {
			inst.setAgentHost(nil)
			return fail(err)
		}
	}
	h.persist()
	inst.wg.Add(1)
	go func() {
		defer inst.wg.Done()
		<-inst.stop
		// Stop before the instance closes its logs: running jobs are
		// cancelled and their history is written while msdb is still open.
		stopCtx, stopCancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := sched.Stop(stopCtx); err != nil {
			inst.logf("engine: %v", err)
		}
		stopCancel()
		cancel()
		h.persist()
		inst.setAgentHost(nil)
	}()
	return nil
}

func (inst *Instance) setAgentHost(h *agentHost) {
	inst.subMu.Lock()
	inst.agentH = h
	inst.subMu.Unlock()
}

// loadedRows renders the state with no next-run times, matching what the
// rows written before a restart hold except sysjobschedules' next run,
// which the first persist rewrites.
func (h *agentHost) loadedRows() map[string]map[string]agent.MsdbRow {
	rows := agent.MsdbRows(h.sched.Snapshot(), func(agent.Attachment) (time.Time, bool) { return time.Time{}, false }, h.inst.cfg.Name)
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
func (h *agentHost) nextRun(st agent.State) func(agent.Attachment) (time.Time, bool) {
	now := h.clock.Now()
	return func(a agent.Attachment) (time.Time, bool) {
		var job *agent.Job
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
				return agent.NextRun(s, now)
			}
		}
		return time.Time{}, false
	}
}

// persist writes the scheduler's state into msdb's Agent tables. It is the
// scheduler's OnChange, so it runs after every change, possibly from
// several goroutines: one at a time, each writing the latest state.
func (h *agentHost) persist() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sched == nil {
		return
	}
	st := h.sched.Snapshot()
	cur := agent.MsdbRows(st, h.nextRun(st), h.inst.cfg.Name)
	text := agent.DiffSQL(h.written, cur)
	if text != "" {
		// Background context: a change the scheduler made must reach msdb
		// even while the instance shuts down.
		_, err := h.inst.systemSQL(context.Background(), "msdb", "SET XACT_ABORT ON; BEGIN TRANSACTION;\n"+text+"COMMIT TRANSACTION;")
		if err != nil {
			h.inst.logf("engine: persist agent state: %v", err)
			return
		}
		h.written = cur
	}
	close(h.notify)
	h.notify = make(chan struct{})
}

// changed returns a channel closed at the next persist.
func (h *agentHost) changed() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.notify
}

// RunAgentJob starts a job now (as sp_start_job does) and waits until its
// outcome is in msdb.dbo.sysjobhistory, returning that outcome row (step 0).
// The world and tests use it to run log shipping's jobs one by one.
func (inst *Instance) RunAgentJob(ctx context.Context, name string) (agent.HistoryRow, error) {
	h := inst.agentHost()
	if h == nil {
		return agent.HistoryRow{}, fmt.Errorf("run job %s: the instance has no agent", name)
	}
	job, ok := h.sched.JobByName(name)
	if !ok {
		return agent.HistoryRow{}, newErr(14262, "@job_name", name)
	}
	mark := 0
	for _, r := range h.sched.History(job.JobID) {
		mark = max(mark, r.InstanceID)
	}
	if err := h.sched.StartJob(job.JobID, agent.StartOptions{User: "sa"}); err != nil {
		return agent.HistoryRow{}, agentError(err, "@job_name", name)
	}
	return h.waitOutcome(ctx, job.JobID, mark)
}

// waitOutcome waits for a job outcome row of job newer than instance id
// mark that has been written to msdb.
func (h *agentHost) waitOutcome(ctx context.Context, job GUID, mark int) (agent.HistoryRow, error) {
	for {
		ch := h.changed()
		h.mu.Lock()
		var found *agent.HistoryRow
		for _, r := range h.sched.History(job) {
			if r.InstanceID > mark && r.StepID == 0 {
				if _, ok := h.written["sysjobhistory"]["instance_id = "+agentLit(r.InstanceID)]; ok {
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
			return agent.HistoryRow{}, fmt.Errorf("wait for job outcome: %w", ctx.Err())
		case <-ch:
		}
	}
}

// agentError maps the scheduler's errors to SQL Server's messages.
func agentError(err error, what, value string) error {
	var nf *agent.NotFoundError
	var ex *agent.ExistsError
	var inv *agent.InvalidError
	var ar *agent.AlreadyRunningError
	var nr *agent.NotRunningError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, agent.ErrAgentStopped):
		return newErr(22022)
	case errors.As(err, &nf):
		if what != "" && (nf.What == "@job_id" || nf.What == "@job_name") {
			return newErr(14262, what, value)
		}
		return newErr(14262, nf.What, nf.Value)
	case errors.As(err, &ex):
		return newErr(14261, ex.What, ex.Value)
	case errors.As(err, &inv):
		return newErr(14266, inv.Field, inv.Valid)
	case errors.As(err, &ar):
		e := newErr(22022)
		e.Message = ar.Error()
		return e
	case errors.As(err, &nr):
		e := newErr(22022)
		e.Message = nr.Error()
		return e
	}
	return err
}

// RunStep is the agent.Executor: it runs one job step as the Agent does.
func (h *agentHost) RunStep(ctx context.Context, job agent.Job, step agent.Step) (string, int32, int, error) {
	switch strings.ToUpper(step.Subsystem) {
	case "TSQL":
		return h.runTSQLStep(ctx, step)
	case "CMDEXEC":
		if kind, id, ok := sqllogship.Parse(step.Command); ok {
			out, err := sqllogship.Run(ctx, lsServer{h.inst}, kind, id)
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
func (h *agentHost) runTSQLStep(ctx context.Context, step agent.Step) (string, int32, int, error) {
	db := step.DatabaseName
	if db == "" {
		db = "master"
	}
	sink, err := h.inst.systemSQL(ctx, db, step.Command)
	if sink == nil {
		return err.Error(), 0, 0, err
	}
	var parts []string
	var last *Error
	for _, m := range sink.msgs {
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

// ensureAgentTables creates msdb's Agent tables and job categories where
// missing (sim/mssql/agent/msdb.go has their DDL).
func ensureAgentTables(ctx context.Context, inst *Instance) error {
	if err := createMsdbTables(ctx, inst, agent.MsdbTables()); err != nil {
		return fmt.Errorf("agent tables: %w", err)
	}
	if _, err := inst.systemSQL(ctx, "msdb", agent.CategoriesSQL()); err != nil {
		return fmt.Errorf("agent categories: %w", err)
	}
	return nil
}

// loadAgentState reads the Agent's rows back from msdb.
func loadAgentState(ctx context.Context, inst *Instance) (agent.State, error) {
	sink, err := inst.systemSQL(ctx, "msdb", agent.LoadStateSQL)
	if err != nil {
		return agent.State{}, fmt.Errorf("load agent state: %w", err)
	}
	return agent.StateFromRows(sink.sets), nil
}
