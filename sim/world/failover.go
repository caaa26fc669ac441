package world

import (
	"context"
	"fmt"
	"time"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/topology"
)

// Scene describes how much history the rehearsal starts with.
type Scene struct {
	MessagesBefore int // acknowledged on the primary before the disaster
	MessagesDuring int // acknowledged on the backup while failed over
	// Shortcut reaches the failed-over state the fast way: the backup mgc
	// seeded from one full backup and recovered, the pool switched by two
	// cmdlets, no mirroring, no log shipping, no failover engine. For
	// scenarios about something else that need many worlds quickly.
	Shortcut bool
}

// FailOver brings the world from a freshly installed deployment to the
// failed-over state an operator faces before failback, the way a real
// deployment gets there: Topology Builder's stores, HA/DR configured as a
// DBA does it before a disaster (database mirroring of the primary stores
// to the primary-mirror instance, log shipping of mgc to the backup
// instance), chat history on the primary with the log-shipping jobs
// running, the primary data center lost, the engine's failover plan run
// for real (reference §3: outstanding logs copied and applied, the backup
// mgc recovered, the pool FailedOver, Install-CsMirrorDatabase mirroring
// the backup mgc to the backup-mirror instance, the backup data center's
// servers active), and chat traffic while failed over.
func (w *World) FailOver(ctx context.Context, sc Scene) error {
	if sc.Shortcut {
		return w.failOverShortcut(ctx, sc)
	}
	if err := w.Deploy(ctx, sc); err != nil {
		return err
	}
	step := w.failoverStep
	primaryDC := w.dataCenter(topology.RolePrimary)
	if err := step("disaster: data center "+primaryDC+" down", w.StopDataCenter(ctx, primaryDC)); err != nil {
		return err
	}
	if err := step("the failover engine runs the documented failover", w.RunFailover(ctx)); err != nil {
		return err
	}
	return step("chat traffic while failed over", w.postWhenActive(ctx, sc.MessagesDuring))
}

func (w *World) failoverStep(what string, err error) error {
	w.Timeline.Add("world", "failover", what, err)
	if err != nil {
		return fmt.Errorf("world: fail over: %s: %w", what, err)
	}
	return nil
}

// FailoverComponent is the timeline component of the failover engine's
// events (the failback engine's are "engine", written by the harness).
const FailoverComponent = "engine-failover"

// RunFailover runs the engine's failover plan (failback.FailoverPlan) as
// an operator in the backup data center does after losing the primary
// one: --primary-site-lost, the primary-site instances may be down. Its
// events go onto the timeline; a refusal or a failed step is an error.
func (w *World) RunFailover(ctx context.Context) error {
	topo := w.topologyFrom(w.dataCenter(topology.RoleBackup))
	opts := failback.Options{
		PrimarySiteLost: true, PrimaryMayBeDown: true,
		// The simulated deployment reacts in milliseconds: poll often and
		// give up within seconds, not production's minutes.
		PollInterval: 100 * time.Millisecond, MirrorTimeout: mirrorTimeout,
		JobTimeout: 30 * time.Second, ChatArrivalTimeout: 30 * time.Second, SessionDrainTimeout: 30 * time.Second,
	}
	conn, err := failback.Connect(ctx, topo, opts)
	if err != nil {
		return fmt.Errorf("failover engine: %w", err)
	}
	defer conn.Close()
	sink := w.Timeline.EngineSink(FailoverComponent)
	plan := failback.FailoverPlan
	if w.failoverPlan != nil {
		plan = w.failoverPlan
	}
	r := &failback.Runner{Plan: plan(), Env: conn.Env, Sinks: []failback.Sink{sink}}
	res, err := r.Run(ctx)
	if err != nil {
		err = fmt.Errorf("failover engine: %s at step %q: %w", res.Outcome, res.Failed, err)
	}
	return err
}

// topologyFrom is the topology as a client in data center dc reaches the
// instances: over the data-center links' proxies when the world has them.
func (w *World) topologyFrom(dc string) *topology.Topology {
	t := *w.Topology
	t.Instances = append([]topology.Instance(nil), w.Topology.Instances...)
	if w.links == nil {
		return &t
	}
	for i := range t.Instances {
		if inst, ok := w.Instance(t.Instances[i].Name); ok {
			t.Instances[i].Address = w.Via(dc, inst)
		}
	}
	return &t
}

// failOverShortcut is the fast setup (Scene.Shortcut): Topology Builder's
// stores on both sites, chat history on the primary, the backup mgc seeded
// from a full backup of the primary and recovered, the primary data center
// lost, the pool FailedOver with the backup data center's servers active,
// and chat traffic on the backup. No mirroring, no log shipping.
func (w *World) failOverShortcut(ctx context.Context, sc Scene) error {
	step := w.failoverStep
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
	return step("chat traffic while failed over", w.postWhenActive(ctx, sc.MessagesDuring))
}

// RebuildPrimary rebuilds the primary data center's instances from scratch
// and lets Topology Builder install empty stores on the primary, as the
// failback procedure assumes.
func (w *World) RebuildPrimary(ctx context.Context) error {
	if err := w.RebuildDataCenter(ctx, w.dataCenter(topology.RolePrimary)); err != nil {
		return err
	}
	// The failback's step 5 runs the log-shipping backup job on the rebuilt
	// primary; in the world that may come within the same second as the
	// last log backup before the disaster, and the job would name its file
	// as that one (see BackUpLog). A rebuild takes days, not milliseconds.
	if err := w.nextLogBackupSecond(ctx); err != nil {
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
// One user after another: the simulator is CPU-bound on the harness's own
// machine, so concurrent posters only add contention.
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
	_, priDB, err := w.masterByRole(topology.RolePrimary)
	if err != nil {
		return err
	}
	_, bakDB, err := w.masterByRole(topology.RoleBackup)
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
