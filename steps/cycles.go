package steps

import (
	"context"

	"github.com/cucumber/godog"

	"github.com/pchatdr/harness/sim/fault"
	"github.com/pchatdr/harness/sim/world"
)

// registerCycles binds the steps of repeated disaster cycles (@cycles,
// issue 12 defect 2).
func registerCycles(sc *godog.ScenarioContext) {
	sc.Step(`^the pool fails over again after another disaster, with (\d+) messages before it and (\d+) during failover$`, failOverAgain)
	sc.Step(`^the "([^"]*)" instance goes down when the engine starts step "([^"]*)"$`, instanceDownAtStep)
	sc.Step(`^the engine attempts the failover$`, func(ctx context.Context) error { return runPlan(ctx, get(ctx).failoverPlan(), false, nil) })
	sc.Step(`^the failover stopped at step "([^"]*)"$`, failedAtStep)
}

// instanceDownAtStep stops an instance's SQL Server as the engine starts
// a step (after every precondition passed).
func instanceDownAtStep(ctx context.Context, role, step string) error {
	name, err := instanceName(ctx, role)
	if err != nil {
		return err
	}
	return arm(ctx, fault.InstanceDown{Instance: name}, fault.AtStep(step, fault.AtStart))
}

func failOverAgain(ctx context.Context, before, during int) error {
	return get(ctx).world.FailOverAgain(ctx, world.Scene{MessagesBefore: before, MessagesDuring: during})
}
