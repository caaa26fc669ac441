package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/pchatdr/harness/sim/mssql/agent"
	"github.com/pchatdr/harness/sim/mssql/sqllogship"
)

// The agent feature: the instance's SQL Server Agent is a host of its own
// (sim/mssql/agent.Host) that sees the instance through agentServer, as
// the SQLAgent service sees SQL Server through its connections.

// startAgent is the agent feature's Start: it creates msdb's Agent tables,
// loads the Agent's state and, with Config.AgentRunning, starts it.
func startAgent(inst *Instance) error {
	h, err := agent.StartHost(agent.HostConfig{Server: agentServer{inst}, ServerName: inst.cfg.Name,
		ServiceAccount: inst.AgentAccount(), Clock: inst.cfg.AgentClock, Running: inst.cfg.AgentRunning})
	if err != nil {
		return err
	}
	inst.setAgentHost(h)
	return nil
}

// stopAgent is the agent feature's Stop: running jobs are cancelled and
// their history written while msdb is still open.
func stopAgent(inst *Instance) {
	if h := inst.agentHost(); h != nil {
		h.Close()
		inst.setAgentHost(nil)
	}
}

func (inst *Instance) agentHost() *agent.Host {
	inst.subMu.Lock()
	defer inst.subMu.Unlock()
	return inst.agentH
}

func (inst *Instance) setAgentHost(h *agent.Host) {
	inst.subMu.Lock()
	inst.agentH = h
	inst.subMu.Unlock()
}

// Agent is the instance's SQL Server Agent scheduler (nil if the instance
// failed to start or is closed). The world stops and starts it with
// Stop/Start and waits for jobs with WaitIdle; Config.AgentRunning decides
// whether it starts with the instance.
func (inst *Instance) Agent() *agent.Scheduler {
	if h := inst.agentHost(); h != nil {
		return h.Scheduler()
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

// RunAgentJob starts a job now (as sp_start_job does) and waits until its
// outcome is in msdb.dbo.sysjobhistory, returning that outcome row (step 0).
// The world and tests use it to run log shipping's jobs one by one.
func (inst *Instance) RunAgentJob(ctx context.Context, name string) (agent.HistoryRow, error) {
	h := inst.agentHost()
	if h == nil {
		return agent.HistoryRow{}, fmt.Errorf("run job %s: the instance has no agent", name)
	}
	return h.RunJob(ctx, name)
}

// agentNow is the Agent's clock, the instance's when it has no Agent.
func (inst *Instance) agentNow() time.Time {
	if h := inst.agentHost(); h != nil {
		return h.Now()
	}
	return inst.now()
}

// agentError maps the scheduler's errors to SQL Server's messages.
func agentError(err error, what, value string) error { return agent.SQLError(err, what, value) }

// createMsdbTables creates every table in ddl that msdb lacks.
func createMsdbTables(ctx context.Context, inst *Instance, ddl []string) error {
	_, err := inst.systemSQL(ctx, "msdb", agent.CreateTablesSQL(ddl))
	return err
}

// agentServer is the instance as its Agent sees it.
type agentServer struct{ inst *Instance }

func (s agentServer) Exec(ctx context.Context, db, text string) (*agent.Result, error) {
	sink, err := s.inst.systemSQL(ctx, db, text)
	if sink == nil {
		return nil, err
	}
	return &agent.Result{Sets: sink.sets, Msgs: sink.msgs}, err
}

// CmdExec knows one program: sqllogship.exe, the log-shipping agent.
func (s agentServer) CmdExec(ctx context.Context, command string) (string, bool, error) {
	kind, id, ok := sqllogship.Parse(command)
	if !ok {
		return "", false, nil
	}
	out, err := sqllogship.Run(ctx, lsServer(s), kind, id)
	return out, true, err
}

func (s agentServer) Logf(format string, args ...any) { s.inst.logf(format, args...) }
