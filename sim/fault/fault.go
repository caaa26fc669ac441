// Package fault is the catalogue of faults a rehearsal injects into a
// simulated world: one Fault interface, one file per fault, as Toxiproxy
// keeps its toxics (toxics/toxic.go and toxics/latency.go). A fault knows
// whether it can hit a target, how to apply itself to a world and how to
// undo itself; a Set arms faults on the engine's event stream and leaves
// whatever a fault keeps doing after it fired (an outage's end, users
// posting through a step) to goroutines the world owns, so none outlives
// the world.
//
// Scenarios arm faults through a Set (steps only say which fault and
// when), and so can the drill and the load tests without godog: start a
// world, make a Set, arm, run the engine with the Set among its sinks,
// then check Set.Err. Seeded schedules (sim/faultplan) draw from the
// Schedulable faults of this catalogue.
package fault

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/pchatdr/harness/sim/world"
)

// Kind names a fault of the catalogue (schedule.json's "kind").
type Kind string

// Target is what a fault would hit: a step of the failback plan as the
// engine's own dry run sees it (sim/faultplan.Targets), in a world with or
// without data-center links. TargetOf describes a whole world.
type Target struct {
	// Step is the plan step's name ("" for a whole world).
	Step string
	// Cmdlets: the step runs cmdlets on the management endpoint.
	Cmdlets bool
	// Instances are the SQL Server instances (topology names) the step
	// sends T-SQL to.
	Instances []string
	// Links are the world's data-center links as world.LinkName names
	// them; none when the world dials directly.
	Links []string
}

// TargetOf is everything a fault armed outside a plan step can hit in w:
// the management endpoint, every instance, the links if w has them.
func TargetOf(w *world.World) Target {
	t := Target{Cmdlets: true, Links: w.LinkNames()}
	for _, in := range w.Topology.Instances {
		t.Instances = append(t.Instances, in.Name)
	}
	return t
}

// A Fault is something that goes wrong in a world.
type Fault interface {
	// Kind is the fault's catalogue name.
	Kind() Kind
	// AppliesTo reports whether the fault can hit target. On a fault's
	// zero value it says whether faults of its kind can hit the target at
	// all; schedules draw only faults that apply, and a Set refuses to
	// arm one that does not.
	AppliesTo(t Target) bool
	// Apply does the fault to the world.
	Apply(ctx context.Context, env *Env) error
	// Undo takes the fault back (the link comes back, the share is
	// reachable again). Faults that end by themselves (a restart, a
	// number of failed calls) have nothing to undo and return nil.
	Undo(ctx context.Context, env *Env) error
	// String says what happens, for the timeline and the drill's output.
	String() string
}

// Lasting faults last a while and are then undone: a Set leaves the
// wait and the Undo to a goroutine the world owns. A zero Duration lasts
// until someone undoes the fault or the world closes.
type Lasting interface {
	Fault
	Duration() time.Duration
}

// Ongoing faults keep acting after Apply (users posting while a step
// runs): a Set runs Run on a goroutine the world owns; its context ends
// when the world closes or the arming context ends.
type Ongoing interface {
	Fault
	Run(ctx context.Context, env *Env) error
}

// A Checker can tell, when it is armed and so before anything runs,
// whether the world can take the fault at all: an instance the world does
// not have, a fault that reaches into an in-process engine on a container
// (a world.NotApplicableError: scenarios skip with the reason).
type Checker interface {
	Check(env *Env) error
}

// Env is what faults act on: the world, and the engine run a Set
// controls (EngineStop ends it).
type Env struct {
	World *world.World
	// stopEngine ends the engine run in progress (Set.EngineRun); nil
	// when none runs under a Set's control.
	stopEngine func() bool
}

// ErrNoEngineRun is what EngineStop returns when no engine run is under
// the Set's control.
var ErrNoEngineRun = errors.New("fault: no engine run to stop")

// instance is the world's instance of that name, or an error naming the
// fault.
func (e *Env) instance(name string, f Fault) (*world.Instance, error) {
	inst, ok := e.World.Instance(name)
	if !ok {
		return nil, fmt.Errorf("fault: %s: the world has no instance %q", f, name)
	}
	return inst, nil
}

// Spec is a fault as a schedule records it (schedule.json): the kind,
// where in its step it hits, and the parameters the kind uses.
type Spec struct {
	Kind     Kind   `json:"kind"`
	At       Point  `json:"at,omitempty"`
	Instance string `json:"instance,omitempty"`
	Link     string `json:"link,omitempty"`
	Count    int    `json:"count,omitempty"`
	// DelayMs is a latency or how long a fault lasts.
	DelayMs int `json:"delayMs,omitempty"`
	// LatencyMs is a link's round trip while a LinkLatency lasts.
	LatencyMs int `json:"latencyMs,omitempty"`
}

// Delay is DelayMs as a duration.
func (s Spec) Delay() time.Duration { return ms(s.DelayMs) }

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// Schedulable faults are the ones a seeded schedule draws: faults the
// documented procedure must survive (the engine retries what is
// transient, an operator resumes what stops it). Faults that must refuse
// or stop the run for good (a share that stays unreachable, a cmdlet that
// keeps failing) are not among them.
type Schedulable interface {
	Fault
	// Draw draws the parameters of a fault of this kind hitting t (which
	// it AppliesTo) from r, in a fixed order of draws: the schedule of a
	// seed depends on it.
	Draw(r *rand.Rand, t Target) Spec
	// FromSpec is the fault a Spec of this kind records.
	FromSpec(s Spec) (Fault, error)
}

// Scheduled is the catalogue a seeded schedule draws from, listed here
// rather than registered: the order is part of every seed's schedule and
// must not change (append new kinds at the end).
func Scheduled() []Schedulable {
	return []Schedulable{
		EndpointHTTP500{}, CmdletLatency{}, InstanceRestart{}, EngineStop{},
		LinkOutage{}, ChatBurst{}, LinkLatency{}, EndpointRestart{},
	}
}

// FromSpec is the fault s records.
func FromSpec(s Spec) (Fault, error) {
	for _, k := range Scheduled() {
		if k.Kind() == s.Kind {
			return k.FromSpec(s)
		}
	}
	return nil, fmt.Errorf("fault: unknown kind %q", s.Kind)
}

// pick is one element of xs drawn from r.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// sortedUnique is xs sorted without duplicates (what a draw picks from:
// the order a step happens to name its instances in must not matter).
func sortedUnique(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return slices.Compact(out)
}

// anyOrIn reports whether name is "" (any) or one of xs.
func anyOrIn(name string, xs []string) bool { return name == "" || slices.Contains(xs, name) }

// positive checks a count or a duration a Spec must set.
func positive(what string, n int, s Spec) error {
	if n <= 0 {
		return fmt.Errorf("fault: %s: %s must be positive, got %d", s.Kind, what, n)
	}
	return nil
}
