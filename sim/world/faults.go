package world

import (
	"context"
	"fmt"
	"strings"

	"github.com/pchatdr/harness/failback/topology"
)

// StopInstance takes one instance down (listener closed, sessions
// dropped) while the rest of its data center stays up: "the rebuilt
// primary's SQL Server service is stopped". Its data folder stays.
func (w *World) StopInstance(ctx context.Context, inst *Instance) error {
	if inst.srv == nil {
		return nil
	}
	err := inst.srv.Close()
	inst.srv = nil
	w.Timeline.Add(inst.Name, "stop", "instance stopped", err)
	if err != nil {
		return fmt.Errorf("world: stop %s: %w", inst.Name, err)
	}
	return nil
}

// StartInstance starts a stopped instance again on the same data folder
// and address (StopInstance undone).
func (w *World) StartInstance(ctx context.Context, inst *Instance) error {
	if inst.srv != nil {
		return nil
	}
	err := w.launch(ctx, inst, inst.Addr)
	w.Timeline.Add(inst.Name, "start", "instance started on "+inst.Addr, err)
	if err != nil {
		return fmt.Errorf("world: start %s: %w", inst.Name, err)
	}
	return nil
}

// Up reports whether the instance is running.
func (inst *Instance) Up() bool { return inst.srv != nil }

// RestartAs restarts an instance with its SQL Server Agent running under
// another account (sys.dm_server_services and the Agent's file access
// follow it), as an administrator changing the service's log-on account
// in SQL Server Configuration Manager does.
func (w *World) RestartAs(ctx context.Context, inst *Instance, agentAccount string) error {
	inst.cfg.AgentAccount = agentAccount
	w.Timeline.Add(inst.Name, "fault", "SQL Server Agent runs as "+agentAccount, nil)
	if inst.srv == nil {
		return fmt.Errorf("world: restart %s: the instance is down", inst.Name)
	}
	if w.backend.fixedService() {
		// The service change is a new machine on the same data folder
		// and port.
		if err := inst.srv.Close(); err != nil {
			return fmt.Errorf("world: restart %s: %w", inst.Name, err)
		}
		if err := w.backend.discard(ctx, inst); err != nil {
			return fmt.Errorf("world: restart %s: %w", inst.Name, err)
		}
		w.Timeline.Add(inst.Name, "stop", "instance replaced to change the Agent's account", nil)
		err := w.launch(ctx, inst, inst.Addr)
		w.Timeline.Add(inst.Name, "start", "new instance on "+inst.Addr, err)
		if err != nil {
			return fmt.Errorf("world: restart %s: %w", inst.Name, err)
		}
		return nil
	}
	return w.Restart(ctx, inst)
}

// SetShareUnreachable makes the log-shipping share fail every file
// operation of one instance with operating system error 53 (the network
// path was not found), as a file server that one site cannot reach.
func (w *World) SetShareUnreachable(inst *Instance, on bool) error {
	e, err := w.engineOf(inst, "make the share unreachable from "+inst.Name)
	if err != nil {
		return err
	}
	fs, err := e.Files()
	if err != nil {
		return fmt.Errorf("world: share of %s: %w", inst.Name, err)
	}
	if err := fs.SetUnreachable(w.Topology.Share.UNC, on); err != nil {
		return fmt.Errorf("world: share of %s: %w", inst.Name, err)
	}
	w.Timeline.Add(inst.Name, "fault", fmt.Sprintf("share %s unreachable=%t", w.Topology.Share.UNC, on), nil)
	return nil
}

// SetChatServerStuck makes the named chat server ignore the pool's
// configuration (it keeps its sessions whatever the active list says), or
// follow it again.
func (w *World) SetChatServerStuck(fqdn string, stuck bool) error {
	for _, s := range w.chat {
		if strings.EqualFold(s.FQDN(), fqdn) {
			s.SetStuck(stuck)
			w.Timeline.Add("chat/"+s.FQDN(), "fault", fmt.Sprintf("ignores the pool's configuration: %t", stuck), nil)
			return nil
		}
	}
	return fmt.Errorf("world: no chat server %s is running", fqdn)
}

// ShipLogToUnknownServer makes the backup mgc a log-shipping primary for a
// secondary server the topology does not know, as an administrator who
// deployed a new backup server during the failover period would have
// (reference §4: the documented failback assumes no such server).
func (w *World) ShipLogToUnknownServer(ctx context.Context, server string) error {
	inst, master, err := w.masterByRole(topology.RoleBackup)
	if err != nil {
		return err
	}
	unc := w.Topology.Share.UNC
	stmts := []string{
		"DECLARE @job uniqueidentifier, @id uniqueidentifier; " +
			"EXEC master.dbo.sp_add_log_shipping_primary_database @database = N'mgc', @backup_directory = @p1, @backup_share = @p1, " +
			"@backup_job_name = N'LSBackup_mgc_new', @backup_retention_period = 4320, @backup_job_id = @job OUTPUT, @primary_id = @id OUTPUT",
		"EXEC master.dbo.sp_add_log_shipping_primary_secondary @primary_database = N'mgc', @secondary_server = @p1, @secondary_database = N'mgc'",
	}
	for i, q := range stmts {
		arg := unc
		if i == 1 {
			arg = server
		}
		if _, err := master.ExecContext(ctx, q, arg); err != nil {
			w.Timeline.Add(inst.Name, "sql", q, err)
			return fmt.Errorf("world: log shipping to %s: %w", server, err)
		}
	}
	w.Timeline.Add(inst.Name, "fault", "mgc ships its log to "+server+", a server the topology does not know", nil)
	return nil
}
