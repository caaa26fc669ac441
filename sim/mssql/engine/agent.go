package engine

import (
	"context"
	"fmt"

	"github.com/pchatdr/harness/sim/mssql/agent"
)

// The instance's SQL Server Agent is a host of its own (sim/mssql/agent)
// that the msdb feature (sim/mssql/msdb) starts and stops; the instance
// only holds it, so sys.dm_server_services, the world and tests can reach
// it. Without the feature the instance has no Agent.

// AgentHost is the instance's Agent host (nil: none, or not started).
func (inst *Instance) AgentHost() *agent.Host {
	inst.subMu.Lock()
	defer inst.subMu.Unlock()
	return inst.agentH
}

// SetAgentHost makes h the instance's Agent host (nil: none); the msdb
// feature calls it in its Start and Stop, and closes the host itself.
func (inst *Instance) SetAgentHost(h *agent.Host) {
	inst.subMu.Lock()
	inst.agentH = h
	inst.subMu.Unlock()
}

// Agent is the instance's SQL Server Agent scheduler (nil if the instance
// has no Agent, failed to start or is closed). The world stops and starts
// it with Stop/Start and waits for jobs with WaitIdle; Config.AgentRunning
// decides whether it starts with the instance.
func (inst *Instance) Agent() *agent.Scheduler {
	if h := inst.AgentHost(); h != nil {
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
	h := inst.AgentHost()
	if h == nil {
		return agent.HistoryRow{}, fmt.Errorf("run job %s: the instance has no agent", name)
	}
	return h.RunJob(ctx, name)
}
