// Package mutants holds deliberately wrong failback procedures. Each one is
// the engine's own plan (failback.FailbackPlan) with one mistake an
// operator or a careless engine change could make: a step dropped, two
// steps swapped, or a step's Apply sending a wrong statement through the
// same Env. They exist to measure the scenarios: a mutant that passes every
// scenario ("survives") shows a mistake the harness would let into
// production. No engine code is copied here; mutants only rearrange steps
// and wrap the step funcs or the Env they act on.
package mutants

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pchatdr/harness/failback"
)

// Mutant is one wrong plan.
type Mutant struct {
	Name        string // short id, e.g. "restore-without-replace"
	Description string // the mistake, in one line
	// Plan builds the wrong plan (a fresh one per call, as
	// failback.FailbackPlan does).
	Plan func() *failback.Plan
	// FailoverPlan, when set, replaces the failover plan instead: the
	// world's failovers and "the engine runs the failover" run it, and
	// Plan is then the real failback plan.
	FailoverPlan func() *failback.Plan
}

// All lists every mutant, in the order of the steps they break, then the
// issues' own (one file per issue).
func All() []Mutant {
	all := append(procedureMutants(), issue12()...)
	all = append(all, issue12Failover()...)
	all = append(all, capacity()...)
	return append(all, issue17()...)
}

// procedureMutants break the failback plan's steps.
func procedureMutants() []Mutant {
	return []Mutant{
		{Name: "skip-clear-active", Description: "step 1 dropped: the active servers are never cleared, chat servers stay on the backup mgc",
			Plan: func() *failback.Plan { return drop(failback.StepClearActive) }},
		{Name: "skip-drain", Description: "step 1 clears the active list but does not wait for chat sessions to leave the backup databases",
			Plan: skipDrain},
		{Name: "restore-before-unmirror", Description: "steps 2 and 4 out of order: the primary is restored before mirroring is removed on the backup (order 1,3,4,2,5,6,7)",
			Plan: func() *failback.Plan { return moveAfter(failback.StepRemoveMirror, failback.StepRestore) }},
		{Name: "restore-without-replace", Description: "step 4 restores over the rebuilt primary mgc without WITH REPLACE",
			Plan: restoreWithoutReplace},
		{Name: "pool-normal-before-restore", Description: "step 7 moved before step 4: the pool is set Normal while the primary mgc is still the empty rebuilt one",
			Plan: func() *failback.Plan { return moveBefore(failback.StepPoolNormal, failback.StepRestore) }},
		{Name: "active-far-data-center", Description: "step 6 sets pool.failoverActiveServers (the backup data center) instead of the primary's",
			Plan: activeFarDataCenter},
	}
}

// ByName finds a mutant.
func ByName(name string) (Mutant, bool) {
	for _, m := range All() {
		if m.Name == name {
			return m, true
		}
	}
	return Mutant{}, false
}

// Control is the real plan under the same name scheme, for runners that
// must show the scenarios pass without a mutation.
func Control() Mutant {
	return Mutant{Name: "control", Description: "the engine's real failback plan, unchanged", Plan: failback.FailbackPlan}
}

// Bounded caps every step's timeout at d. The simulated world reacts in
// milliseconds, so a step that waits for something that never comes (a
// chat session on an inactive pool) fails within d instead of the
// production default of minutes or hours; the outcome is the same.
func Bounded(p *failback.Plan, d time.Duration) *failback.Plan {
	for i := range p.Steps {
		if p.Steps[i].Timeout == 0 || p.Steps[i].Timeout > d {
			p.Steps[i].Timeout = d
		}
	}
	return p
}

// mustStep returns the index of a step of the real plan; a missing name is
// a programming error in this package (a renamed step), caught by its tests.
func mustStep(p *failback.Plan, name string) int {
	i, _ := p.StepByName(name)
	if i < 0 {
		panic(fmt.Sprintf("mutants: the failback plan has no step %q", name))
	}
	return i
}

func drop(name string) *failback.Plan {
	p := failback.FailbackPlan()
	i := mustStep(p, name)
	p.Steps = append(p.Steps[:i:i], p.Steps[i+1:]...)
	return p
}

// moveAfter moves step name to just after step anchor.
func moveAfter(name, anchor string) *failback.Plan {
	p := failback.FailbackPlan()
	s := p.Steps[mustStep(p, name)]
	p.Steps = without(p.Steps, name)
	j := mustStep(p, anchor)
	p.Steps = insert(p.Steps, j+1, s)
	return p
}

// moveBefore moves step name to just before step anchor.
func moveBefore(name, anchor string) *failback.Plan {
	p := failback.FailbackPlan()
	s := p.Steps[mustStep(p, name)]
	p.Steps = without(p.Steps, name)
	p.Steps = insert(p.Steps, mustStep(p, anchor), s)
	return p
}

func without(steps []failback.Step, name string) []failback.Step {
	out := make([]failback.Step, 0, len(steps))
	for _, s := range steps {
		if s.Name != name {
			out = append(out, s)
		}
	}
	return out
}

func insert(steps []failback.Step, at int, s failback.Step) []failback.Step {
	out := make([]failback.Step, 0, len(steps)+1)
	out = append(out, steps[:at]...)
	out = append(out, s)
	return append(out, steps[at:]...)
}

// skipDrain keeps step 1's Check and Apply but verifies only that the list
// is empty, never waiting for the chat servers to let go of the backup mgc.
func skipDrain() *failback.Plan {
	p := failback.FailbackPlan()
	s := &p.Steps[mustStep(p, failback.StepClearActive)]
	s.Verify = func(ctx context.Context, e *failback.Env) error {
		active, err := e.Pool.ActiveServers(ctx)
		if err != nil {
			return err
		}
		if len(active) > 0 {
			return fmt.Errorf("the active list still holds %s after clearing it", strings.Join(active, ", "))
		}
		return nil
	}
	return p
}

// restoreWithoutReplace runs step 4's real Apply with a primary whose
// RESTORE DATABASE leaves out REPLACE.
func restoreWithoutReplace() *failback.Plan {
	p := failback.FailbackPlan()
	s := &p.Steps[mustStep(p, failback.StepRestore)]
	apply := s.Apply
	s.Apply = func(ctx context.Context, e *failback.Env) error {
		return apply(ctx, withSQL(e, func(x *failback.Env) {
			x.Primary = &restoreHook{SQL: x.Primary, edit: func(r failback.RestoreSpec) (failback.RestoreSpec, bool) {
				r.Replace = false
				return r, true
			}}
		}))
	}
	return p
}

// activeFarDataCenter makes step 6 (Check, Apply and Verify alike) believe
// the wanted active servers are the failover list: an engine that is wrong
// and consistent, so only the scenarios can tell.
func activeFarDataCenter() *failback.Plan {
	p := failback.FailbackPlan()
	s := &p.Steps[mustStep(p, failback.StepSetActive)]
	far := func(e *failback.Env) *failback.Env {
		return withSQL(e, func(x *failback.Env) {
			t := *x.Topo
			t.Pool.ActiveServers = append([]string(nil), t.Pool.FailoverActiveServers...)
			x.Topo = &t
		})
	}
	check, apply, verify := s.Check, s.Apply, s.Verify
	s.Check = func(ctx context.Context, e *failback.Env) (bool, string, error) { return check(ctx, far(e)) }
	s.Apply = func(ctx context.Context, e *failback.Env) error { return apply(ctx, far(e)) }
	s.Verify = func(ctx context.Context, e *failback.Env) error { return verify(ctx, far(e)) }
	return p
}

// withSQL returns a shallow copy of e changed by edit. The copy shares the
// run's identity, facts and event emitter, so whatever the step sends is
// journalled as the real step's.
func withSQL(e *failback.Env, edit func(*failback.Env)) *failback.Env {
	x := *e
	edit(&x)
	return &x
}

// restoreHook changes (or, when keep is false, silently drops) every
// RESTORE DATABASE sent to one instance; every other call goes through.
type restoreHook struct {
	failback.SQL
	edit func(failback.RestoreSpec) (r failback.RestoreSpec, keep bool)
}

func (h *restoreHook) RestoreDatabase(ctx context.Context, r failback.RestoreSpec) error {
	r, keep := h.edit(r)
	if !keep {
		return nil
	}
	return h.SQL.RestoreDatabase(ctx, r)
}
