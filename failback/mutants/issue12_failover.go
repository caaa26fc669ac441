package mutants

import (
	"context"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/lync"
)

// Mutants of issue 12's defects 2 and 4: the next failover after a
// failback, and the product's PowerShell module.
func issue12Failover() []Mutant {
	return []Mutant{
		{Name: "skype-module-on-lync2013", Description: "every cmdlet script imports SkypeForBusiness whatever pool.product says (a Lync Server 2013 pool has only the Lync module)",
			Plan: skypeModuleAlways},
	}
}

// skypeModuleAlways runs every step of the real plan with a pool client
// that imports the Skype for Business Server 2015 module, as the engine
// did before pool.product existed. The preconditions keep the real client:
// the mutation is in the steps that change the pool.
func skypeModuleAlways() *failback.Plan {
	p := failback.FailbackPlan()
	for i := range p.Steps {
		s := &p.Steps[i]
		check, apply, verify := s.Check, s.Apply, s.Verify
		s.Check = func(ctx context.Context, e *failback.Env) (bool, string, error) { return check(ctx, skypeModule(e)) }
		s.Apply = func(ctx context.Context, e *failback.Env) error { return apply(ctx, skypeModule(e)) }
		s.Verify = func(ctx context.Context, e *failback.Env) error { return verify(ctx, skypeModule(e)) }
	}
	return p
}

// skypeModule is e with its live pool client importing SkypeForBusiness
// (an in-memory pool has no module and is left as it is).
func skypeModule(e *failback.Env) *failback.Env {
	return withSQL(e, func(x *failback.Env) {
		lp, ok := x.Pool.(*failback.LivePool)
		if !ok || lp.Client == nil {
			return
		}
		pool, client := *lp, *lp.Client
		client.Module = lync.ModuleSkypeForBusiness
		pool.Client = &client
		x.Pool = &pool
	})
}
