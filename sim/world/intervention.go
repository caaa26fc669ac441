package world

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sim/chat"
)

// RestoreServiceOnBackup is what an operator does when a failback stopped
// part-way and chat must come back before anyone can look into it: the
// backup data center takes the pool again, as after the failover. Whatever
// state the stopped run left the backup mgc in, the operator follows the
// failover procedure's own steps (reference §3): remove the log-shipping
// secondary entry if there is one (step 1), bring the database online if it
// is restoring (step 4: RESTORE DATABASE mgc WITH RECOVERY), pool state
// FailedOver (step 5), the backup data center's servers active (step 7).
// It then waits until a chat server of that list holds a session to the
// backup mgc, so chat "goes on" for real.
func (w *World) RestoreServiceOnBackup(ctx context.Context) error {
	step := func(what string, err error) error {
		w.Timeline.Add("operator", "restore-service", what, err)
		if err != nil {
			return fmt.Errorf("world: restore service on the backup site: %s: %w", what, err)
		}
		return nil
	}
	_, master, err := w.masterByRole(topology.RoleBackup)
	if err != nil {
		return err
	}
	var state string
	if err := master.QueryRowContext(ctx, "SELECT state_desc FROM sys.databases WHERE name = N'mgc'").Scan(&state); err != nil {
		return step("read the backup mgc's state", err)
	}
	var secondary int
	if err := master.QueryRowContext(ctx, "SELECT COUNT(*) FROM msdb.dbo.log_shipping_secondary_databases WHERE secondary_database = N'mgc'").Scan(&secondary); err != nil {
		return step("read the log-shipping secondary entries", err)
	}
	if secondary > 0 {
		if _, err := master.ExecContext(ctx, "EXEC sp_delete_log_shipping_secondary_database N'mgc'"); err != nil {
			return step("sp_delete_log_shipping_secondary_database mgc", err)
		}
	}
	if state == "RESTORING" {
		if _, err := master.ExecContext(ctx, "RESTORE DATABASE [mgc] WITH RECOVERY"); err != nil {
			return step("RESTORE DATABASE mgc WITH RECOVERY", err)
		}
		if err := step("RESTORE DATABASE mgc WITH RECOVERY", nil); err != nil {
			return err
		}
	}
	client, err := w.PoolClient()
	if err != nil {
		return err
	}
	p := w.Topology.Pool
	if _, err := client.SetPoolState(ctx, p.StateIdentity, lync.PoolFailedOver); err != nil {
		return step("Set-CsPersistentChatState FailedOver", err)
	}
	if _, err := client.SetActiveServers(ctx, p.ActiveServerIdentity, p.FailoverActiveServers); err != nil {
		return step("Set-CsPersistentChatActiveServer (backup data center)", err)
	}
	return step("chat servers of the backup data center on the backup mgc", w.waitChatOn(ctx, master))
}

// waitChatOn waits until some chat server holds a session to mgc on the
// instance master is connected to.
func (w *World) waitChatOn(ctx context.Context, master *sql.DB) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		err := master.QueryRowContext(ctx, "SELECT COUNT(*) FROM sys.dm_exec_sessions WHERE program_name = @p1 AND database_id = DB_ID(N'mgc')", chat.ProgramName).Scan(&n)
		if err == nil && n > 0 {
			return nil
		}
		if err == nil && time.Now().After(deadline) {
			err = errors.New("no chat server connected to mgc within 10 s")
		}
		if err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// ClearActiveServers is Set-CsPersistentChatActiveServer -ActiveServers
// $Null run by an operator (not the engine).
func (w *World) ClearActiveServers(ctx context.Context) error {
	client, err := w.PoolClient()
	if err != nil {
		return err
	}
	_, err = client.ClearActiveServers(ctx, w.Topology.Pool.ActiveServerIdentity)
	w.Timeline.Add("operator", "clear-active", "Set-CsPersistentChatActiveServer -ActiveServers $Null", err)
	return err
}
