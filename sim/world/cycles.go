package world

import (
	"context"
	"fmt"

	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/topology"
)

// FailOverAgain is the next disaster of a deployment that a failback has
// brought back to its primary data center: the state a real pool is in
// for months between two quarterly rehearsals. Nothing is set up by the
// world this time: the log shipping, the mirroring and the active servers
// are what the failback engine left. Chat history is posted on the primary
// with the log-shipping jobs the failback created running on their
// schedule (half copied and restored, the rest in a last log backup on the
// share, as in Deploy), the primary data center is lost, the engine's
// failover plan runs for real, and chat goes on while failed over.
//
// It refuses to start from anything but a pool in state Normal: a second
// failover from a pool still failed over is not a disaster cycle.
func (w *World) FailOverAgain(ctx context.Context, sc Scene) error {
	step := w.failoverStep
	client, err := w.PoolClient()
	if err != nil {
		return err
	}
	st, _, err := client.ReadPoolState(ctx, w.Topology.Pool.StateIdentity)
	if err != nil {
		return step("read the pool state", err)
	}
	if st != lync.PoolNormal {
		return step("the pool runs Normal after its failback", fmt.Errorf("the pool state is %s: fail back before the next disaster", st))
	}
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
	if err := step("log-shipping backup job", w.BackUpLog(ctx)); err != nil {
		return err
	}
	primaryDC := w.dataCenter(topology.RolePrimary)
	if err := step("disaster: data center "+primaryDC+" down", w.StopDataCenter(ctx, primaryDC)); err != nil {
		return err
	}
	if err := step("the failover engine runs the documented failover", w.RunFailover(ctx)); err != nil {
		return err
	}
	return step("chat traffic while failed over", w.postWhenActive(ctx, sc.MessagesDuring))
}
