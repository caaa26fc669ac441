package steps

import (
	"context"

	"github.com/pchatdr/harness/failback/topology"
)

func shipLogs(ctx context.Context) error { return get(ctx).world.ShipLogs(ctx) }

func logBackupRuns(ctx context.Context) error { return get(ctx).world.BackUpLog(ctx) }

func primaryLost(ctx context.Context) error {
	w := get(ctx).world
	in, _ := w.Topology.InstanceByRole(topology.RolePrimary)
	return w.StopDataCenter(ctx, in.DataCenter)
}

func noInstance(ctx context.Context, role string) error {
	return get(ctx).world.RemoveInstance(ctx, topology.Role(role))
}

func runFailover(ctx context.Context) error {
	if err := runPlan(ctx, get(ctx).failoverPlan(), false, nil); err != nil {
		return err
	}
	return runError(get(ctx).engine)
}
