package steps

import (
	"context"
	"fmt"
	"strings"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sim/fault"
	"github.com/pchatdr/harness/sim/world"
)

// instance is the world's instance with a topology role.
func instance(ctx context.Context, role string) (*world.World, *world.Instance, error) {
	w := get(ctx).world
	inst, err := w.InstanceByRole(topology.Role(role))
	return w, inst, err
}

func instanceDown(ctx context.Context, role string) error {
	name, err := instanceName(ctx, role)
	if err != nil {
		return err
	}
	return inject(ctx, fault.InstanceDown{Instance: name})
}

func shipsLogToUnknown(ctx context.Context, server string) error {
	return get(ctx).world.ShipLogToUnknownServer(ctx, server)
}

func agentRunsAs(ctx context.Context, role, account string) error {
	w, inst, err := instance(ctx, role)
	if err != nil {
		return err
	}
	return w.RestartAs(ctx, inst, account)
}

func shareUnreachable(ctx context.Context, role string) error {
	name, err := instanceName(ctx, role)
	if err != nil {
		return err
	}
	return inject(ctx, fault.ShareUnreachable{Instance: name})
}

// refusedNamingOnly checks a refusal that names exactly one precondition:
// the broken one refused and every other one the engine evaluated passed.
func refusedNamingOnly(ctx context.Context, name string) error {
	if err := engineRefused(ctx); err != nil {
		return err
	}
	if err := preconditionOutcome(ctx, name, "refuses"); err != nil {
		return err
	}
	run := get(ctx).engine
	if run.err == nil || !strings.Contains(run.err.Error(), name) {
		return fmt.Errorf("the refusal does not name %s: %v", name, run.err)
	}
	for _, e := range run.snapshot() {
		if e.Kind == failback.KindPrecondition && e.Check != name && e.Outcome != failback.OutcomeOK {
			return fmt.Errorf("precondition %s also refused: %s", e.Check, e.Message)
		}
	}
	return nil
}
