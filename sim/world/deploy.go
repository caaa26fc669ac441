package world

import (
	"context"

	"github.com/pchatdr/harness/failback/topology"
)

// Deploy brings a freshly started world to the normal, pre-disaster state
// of a production pool: Topology Builder's stores on both sites, database
// mirroring of the primary stores to the primary-mirror instance (when the
// topology has one), log shipping of mgc to the backup instance from the
// primary and, so that it survives a mirroring failover, from the
// primary-mirror (reference §2.4), the chat
// servers running on the primary data center's active list, and
// sc.MessagesBefore acknowledged messages, all of them in a log backup on
// the share (half already copied and restored by the secondary). It is
// FailOver's first half, and a lab's whole set-up when it rehearses from
// the pool's normal state (make lab LAB_STATE=normal); sc.MessagesDuring
// and sc.Shortcut are not used.
func (w *World) Deploy(ctx context.Context, sc Scene) error {
	step := w.failoverStep
	if err := step("install stores on the primary", w.InstallStores(ctx, topology.RolePrimary)); err != nil {
		return err
	}
	if err := step("install stores on the backup", w.InstallStores(ctx, topology.RoleBackup)); err != nil {
		return err
	}
	if _, ok := w.Topology.InstanceByRole(topology.RolePrimaryMirror); ok {
		if err := step("mirror the primary stores to the primary-mirror instance", w.ConfigureMirroring(ctx, topology.RolePrimary, topology.RolePrimaryMirror)); err != nil {
			return err
		}
	}
	if err := step("log shipping of mgc to the backup instance", w.ConfigureLogShipping(ctx)); err != nil {
		return err
	}
	if _, ok := w.Topology.InstanceByRole(topology.RolePrimaryMirror); ok {
		if err := step("log shipping of mgc from the primary-mirror instance too", w.ConfigureLogShippingFromMirror(ctx)); err != nil {
			return err
		}
	}
	if err := step("start chat servers", w.StartChat(ctx)); err != nil {
		return err
	}
	// Half the history is shipped, copied and restored by the jobs' own
	// schedules; the rest is in the last log backup, on the share but not
	// yet copied when a disaster strikes: a failover's steps 1-3 have real
	// work to do. Every acknowledged message is in a log backup (the
	// world's RPO is 0, as the topology's objective says).
	first := sc.MessagesBefore / 2
	if err := step("chat history on the primary", w.postWhenActive(ctx, first)); err != nil {
		return err
	}
	if err := step("log-shipping jobs: backup, copy, restore", w.CatchUpLogShipping(ctx)); err != nil {
		return err
	}
	if err := step("more chat history on the primary", w.postWhenActive(ctx, sc.MessagesBefore-first)); err != nil {
		return err
	}
	return step("log-shipping backup job", w.BackUpLog(ctx))
}
