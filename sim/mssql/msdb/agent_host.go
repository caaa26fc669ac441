package msdb

import (
	"context"
	"time"

	"github.com/pchatdr/harness/sim/mssql/agent"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/sqllogship"
)

// The agent feature: the instance's SQL Server Agent is a host of its own
// (sim/mssql/agent.Host) that sees the instance through agentServer, as
// the SQLAgent service sees SQL Server through its connections.

// startAgent is the agent feature's Start: it creates msdb's Agent tables,
// loads the Agent's state and, with Config.AgentRunning, starts it.
func startAgent(inst *engine.Instance) error {
	h, err := agent.StartHost(agent.HostConfig{Server: agentServer{inst}, ServerName: inst.Config().Name,
		ServiceAccount: inst.AgentAccount(), Clock: inst.Config().AgentClock, Running: inst.Config().AgentRunning})
	if err != nil {
		return err
	}
	inst.SetAgentHost(h)
	return nil
}

// stopAgent is the agent feature's Stop: running jobs are cancelled and
// their history written while msdb is still open.
func stopAgent(inst *engine.Instance) {
	if h := inst.AgentHost(); h != nil {
		h.Close()
		inst.SetAgentHost(nil)
	}
}

// agentNow is the Agent's clock, the instance's when it has no Agent.
func agentNow(inst *engine.Instance) time.Time {
	if h := inst.AgentHost(); h != nil {
		return h.Now()
	}
	return inst.Now()
}

// agentError maps the scheduler's errors to SQL Server's messages.
func agentError(err error, what, value string) error { return agent.SQLError(err, what, value) }

// createMsdbTables creates every table in ddl that msdb lacks.
func createMsdbTables(ctx context.Context, inst *engine.Instance, ddl []string) error {
	_, err := systemSQL(ctx, inst, "msdb", agent.CreateTablesSQL(ddl))
	return err
}

// agentServer is the instance as its Agent sees it.
type agentServer struct{ inst *engine.Instance }

func (s agentServer) Exec(ctx context.Context, db, text string) (*agent.Result, error) {
	sink, err := systemSQL(ctx, s.inst, db, text)
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

func (s agentServer) Logf(format string, args ...any) { s.inst.Logf(format, args...) }
