package world

import (
	"context"
	"fmt"
	"time"

	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/topology"
)

// Scene describes how much history the rehearsal starts with.
type Scene struct {
	MessagesBefore int // acknowledged on the primary before the disaster
	MessagesDuring int // acknowledged on the backup while failed over
}

// FailOver brings the world from a healthy pool to the failed-over state an
// operator faces before failback, through real T-SQL and cmdlets:
// Topology Builder's stores on both sites, chat history on the primary, the
// backup mgc seeded from a full backup of the primary (the log-shipping
// secondary's initialisation, recovered as failover step 4 recovers it),
// the primary data center lost, the pool FailedOver with the backup data
// center's servers active, and chat traffic on the backup.
func (w *World) FailOver(ctx context.Context, sc Scene) error {
	step := func(what string, err error) error {
		if err != nil {
			w.Timeline.Add("world", "failover", what, err)
			return fmt.Errorf("world: fail over: %s: %w", what, err)
		}
		w.Timeline.Add("world", "failover", what, nil)
		return nil
	}
	if err := step("install stores on the primary", w.InstallStores(ctx, topology.RolePrimary)); err != nil {
		return err
	}
	if err := step("install stores on the backup", w.InstallStores(ctx, topology.RoleBackup)); err != nil {
		return err
	}
	if err := step("start chat servers", w.StartChat(ctx)); err != nil {
		return err
	}
	if err := step("chat history on the primary", w.postWhenActive(ctx, sc.MessagesBefore)); err != nil {
		return err
	}
	if err := step("seed the backup mgc", w.seedBackup(ctx)); err != nil {
		return err
	}
	primaryDC := w.dataCenter(topology.RolePrimary)
	if err := step("disaster: data center "+primaryDC+" down", w.StopDataCenter(ctx, primaryDC)); err != nil {
		return err
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
	if err := step("chat traffic while failed over", w.postWhenActive(ctx, sc.MessagesDuring)); err != nil {
		return err
	}
	return nil
}

// RebuildPrimary rebuilds the primary data center's instances from scratch
// and lets Topology Builder install empty stores on the primary, as the
// failback procedure assumes.
func (w *World) RebuildPrimary(ctx context.Context) error {
	if err := w.RebuildDataCenter(ctx, w.dataCenter(topology.RolePrimary)); err != nil {
		return err
	}
	return w.InstallStores(ctx, topology.RolePrimary)
}

func (w *World) dataCenter(role topology.Role) string {
	in, ok := w.Topology.InstanceByRole(role)
	if !ok {
		return ""
	}
	return in.DataCenter
}

// postWhenActive posts n messages once some chat server is active (chat
// servers pick up configuration changes within their poll interval).
func (w *World) postWhenActive(ctx context.Context, n int) error {
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; i < n; {
		_, err := w.Post(ctx, 1+i%4, 1+i%25)
		if err == nil {
			i++
			continue
		}
		if time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// seedBackup initialises the backup mgc from a full backup of the primary
// through the share, then recovers it: what log shipping's initialisation
// and failover's "restore database mgc with recovery" leave behind.
func (w *World) seedBackup(ctx context.Context) error {
	pri, err := w.InstanceByRole(topology.RolePrimary)
	if err != nil {
		return err
	}
	bak, err := w.InstanceByRole(topology.RoleBackup)
	if err != nil {
		return err
	}
	priDB, err := w.DB(pri, "master")
	if err != nil {
		return err
	}
	bakDB, err := w.DB(bak, "master")
	if err != nil {
		return err
	}
	path := w.Topology.Share.UNC + `\seed_mgc.bak`
	if _, err := priDB.ExecContext(ctx, "BACKUP DATABASE [mgc] TO DISK = @p1 WITH INIT, CHECKSUM, NAME = N'mgc log shipping initialisation'", path); err != nil {
		return fmt.Errorf("backup primary mgc: %w", err)
	}
	if _, err := bakDB.ExecContext(ctx, "RESTORE DATABASE [mgc] FROM DISK = @p1 WITH REPLACE, RECOVERY", path); err != nil {
		return fmt.Errorf("restore mgc on the backup: %w", err)
	}
	return nil
}
