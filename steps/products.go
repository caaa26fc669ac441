package steps

import (
	"context"
	"fmt"
	"strings"

	"github.com/cucumber/godog"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sim/world"
)

// registerProducts binds the steps about the product a pool runs
// (pool.product, issue 12 defect 4).
func registerProducts(sc *godog.ScenarioContext, opts Options) {
	sc.Step(`^the world from "([^"]*)" for a (Lync Server 2013|Skype for Business Server 2015) pool$`, func(ctx context.Context, file, product string) error {
		p := productNamed(product)
		return startWorld(ctx, file, opts, opts.Target, func(t *topology.Topology) { t.Pool.Product, t.Pool.ProductAssumed = p, false })
	})
	sc.Step(`^every cmdlet script the engine sent imported the "([^"]*)" module$`, scriptsImported)
	sc.Step(`^the plan says the pool runs (Lync Server 2013|Skype for Business Server 2015)$`, planSaysProduct)
}

func productNamed(name string) topology.Product {
	if name == topology.ProductLync2013.Name() {
		return topology.ProductLync2013
	}
	return topology.ProductSkype2015
}

// scriptsImported checks every script the failover and failback engines
// sent to the management endpoint (the timeline has both): each imports
// the module, and there was at least one.
func scriptsImported(ctx context.Context, module string) error {
	n := 0
	for _, e := range get(ctx).world.Timeline.Events() {
		if (e.Component != "engine" && e.Component != world.FailoverComponent) || e.Kind != failback.KindSent || !strings.Contains(e.Detail, "Import-Module ") {
			continue
		}
		n++
		if !strings.Contains(e.Detail, "; Import-Module "+module+";") {
			return fmt.Errorf("%s sent a script that does not import %s: %s", e.Component, module, e.Detail)
		}
	}
	if n == 0 {
		return fmt.Errorf("the engine sent no cmdlet script")
	}
	return nil
}

// planSaysProduct: the dry run's start names the product and its module.
func planSaysProduct(ctx context.Context, product string) error {
	run := get(ctx).engine
	run.mu.Lock()
	defer run.mu.Unlock()
	want := string(lync.ModuleFor(productNamed(product)))
	for _, e := range run.events {
		if e.Kind == failback.KindRunStart && strings.Contains(e.Message, product) && strings.Contains(e.Message, "module "+want) {
			return nil
		}
	}
	return fmt.Errorf("no run start of the plan names %s and module %s", product, want)
}
