package mutants

import (
	"context"
	"fmt"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/lync"
)

// Mutants of issue 12's defects 2 and 4: the next failover after a
// failback, and the product's PowerShell module.
func issue12Failover() []Mutant {
	return []Mutant{
		{Name: "skype-module-on-lync2013", Description: "every cmdlet script imports SkypeForBusiness whatever pool.product says (a Lync Server 2013 pool has only the Lync module)",
			Plan: skypeModuleAlways},
		{Name: "failover-without-drop-existing", Description: "the failover's Install-CsMirrorDatabase never passes -DropExistingDatabasesOnMirror (the copy a failback left on the backup-mirror stays in the way)",
			Plan: failback.FailbackPlan, FailoverPlan: failoverWithoutDropExisting},
		{Name: "failover-active-after-mirroring", Description: "the failover sets the active servers only after Install-CsMirrorDatabase (chat waits for mirroring, and stays down when it fails)",
			Plan: failback.FailbackPlan, FailoverPlan: failoverActiveAfterMirroring},
		{Name: "failover-mgc-only", Description: "the failover mirrors mgc but not mgccomp, although the failback removes mirroring on both",
			Plan: failback.FailbackPlan, FailoverPlan: failoverMgcOnly},
	}
}

// mustFailoverStep is mustStep for the failover plan.
func mustFailoverStep(p *failback.Plan, name string) *failback.Step {
	i, s := p.StepByName(name)
	if i < 0 {
		panic(fmt.Sprintf("mutants: the failover plan has no step %q", name))
	}
	return s
}

// noDropPool sends every Install-CsMirrorDatabase without
// -DropExistingDatabasesOnMirror.
type noDropPool struct{ failback.Pool }

func (p noDropPool) InstallMirrorDatabase(ctx context.Context, m failback.MirrorInstall) error {
	m.DropExisting = false
	return p.Pool.InstallMirrorDatabase(ctx, m)
}

func failoverWithoutDropExisting() *failback.Plan {
	p := failback.FailoverPlan()
	s := mustFailoverStep(p, failback.StepInstallMirror)
	apply := s.Apply
	s.Apply = func(ctx context.Context, e *failback.Env) error {
		return apply(ctx, withSQL(e, func(x *failback.Env) { x.Pool = noDropPool{x.Pool} }))
	}
	return p
}

// failoverActiveAfterMirroring is the reference's order of steps 6 and 7.
func failoverActiveAfterMirroring() *failback.Plan {
	p := failback.FailoverPlan()
	s := *mustFailoverStep(p, failback.StepFailoverActive)
	p.Steps = append(without(p.Steps, failback.StepFailoverActive), s)
	return p
}

// failoverMgcOnly runs the mirroring step (Check, Apply and Verify alike)
// as if compliance were off: consistent with itself, so only a scenario
// that looks at mgccomp, or a failback that expects it mirrored, can tell.
func failoverMgcOnly() *failback.Plan {
	p := failback.FailoverPlan()
	s := mustFailoverStep(p, failback.StepInstallMirror)
	noComp := func(e *failback.Env) *failback.Env {
		return withSQL(e, func(x *failback.Env) {
			t := *x.Topo
			t.Compliance = false
			x.Topo = &t
		})
	}
	check, apply, verify := s.Check, s.Apply, s.Verify
	s.Check = func(ctx context.Context, e *failback.Env) (bool, string, error) { return check(ctx, noComp(e)) }
	s.Apply = func(ctx context.Context, e *failback.Env) error { return apply(ctx, noComp(e)) }
	s.Verify = func(ctx context.Context, e *failback.Env) error { return verify(ctx, noComp(e)) }
	return p
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
