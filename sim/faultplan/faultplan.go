// Package faultplan draws seeded fault schedules for rehearsals: which
// faults of the catalogue (sim/fault) hit which steps of the failback. A
// schedule depends only on the run's seed, the scenario's name and what
// the steps touch, so a drill run with the same seed meets the same
// faults whatever order (or how many at once) its scenarios run in, and
// an operator can rerun a failed rehearsal exactly.
//
// Every fault a schedule draws is one the documented procedure must
// survive (fault.Scheduled): the engine retries what is transient and an
// operator resumes what stops it, and the failback must still end with
// every acknowledged message on the primary exactly once. Faults that must
// refuse or stop the run for good (a share that stays unreachable, a
// cmdlet that keeps failing) belong to features/failback-faults.feature,
// not here.
package faultplan

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sim/fault"
)

// DefaultMaxFaults bounds a schedule: enough to combine faults, few enough
// that a rehearsal stays quick and a failure stays readable.
const DefaultMaxFaults = 3

// Options shape a draw.
type Options struct {
	// Links are the world's data-center links (world.LinkNames); none:
	// the world dials directly and link faults are left out.
	Links []string
	// MaxFaults bounds the schedule (0: DefaultMaxFaults).
	MaxFaults int
}

// Fault is one scheduled fault: the step it hits and the fault, as
// schedule.json records it.
type Fault struct {
	Index int    `json:"index"` // 1-based step number
	Step  string `json:"step"`
	fault.Spec
}

// Schedule is a scenario's faults, in step order, at most one per step.
type Schedule struct {
	Seed     int64   `json:"seed"`
	Scenario string  `json:"scenario"`
	Faults   []Fault `json:"faults"`
}

// Draw draws the schedule of scenario from seed over the plan's steps
// (Targets). The source is a PCG seeded from the seed and a hash of the
// scenario's name, so each scenario's schedule is its own: independent of
// the order scenarios run in and of how many run at once. Between 1 and
// MaxFaults distinct steps are hit, each by one fault that applies to it.
func Draw(seed int64, scenario string, steps []fault.Target, opts Options) Schedule {
	s := Schedule{Seed: seed, Scenario: scenario, Faults: []Fault{}}
	if len(steps) == 0 {
		return s
	}
	max := opts.MaxFaults
	if max <= 0 {
		max = DefaultMaxFaults
	}
	max = min(max, len(steps))
	h := fnv.New64a()
	h.Write([]byte(scenario))
	rng := rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
	n := 1 + rng.IntN(max)
	hit := rng.Perm(len(steps))[:n]
	slices.Sort(hit)
	for _, i := range hit {
		t := steps[i]
		t.Links = opts.Links
		var kinds []fault.Schedulable
		for _, k := range fault.Scheduled() {
			if k.AppliesTo(t) {
				kinds = append(kinds, k)
			}
		}
		if len(kinds) == 0 {
			continue
		}
		k := kinds[rng.IntN(len(kinds))]
		s.Faults = append(s.Faults, Fault{Index: i + 1, Step: t.Step, Spec: k.Draw(rng, t)})
	}
	return s
}

// String is one line an operator reads, e.g. "step 4 restore-primary-mgc:
// instance sql-primary restarts after the step's check, before it applies".
func (f Fault) String() string {
	what := string(f.Kind)
	if ft, err := fault.FromSpec(f.Spec); err == nil {
		what = ft.String()
	}
	if f.At != "" {
		what += " " + f.At.String()
	}
	return fmt.Sprintf("step %d %s: %s", f.Index, f.Step, what)
}

// String is one line per fault, or "no faults".
func (s Schedule) String() string {
	if len(s.Faults) == 0 {
		return "no faults"
	}
	lines := make([]string, len(s.Faults))
	for i, f := range s.Faults {
		lines[i] = f.String()
	}
	return strings.Join(lines, "\n")
}

// JSON is the schedule as indented JSON (what schedule.json holds per
// scenario).
func (s Schedule) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("faultplan: %w", err)
	}
	return b, nil
}

// Arm arms every fault of the schedule in set, each at its point of its
// step.
func (s Schedule) Arm(ctx context.Context, set *fault.Set) error {
	for _, sf := range s.Faults {
		f, err := fault.FromSpec(sf.Spec)
		if err != nil {
			return fmt.Errorf("faultplan: %s: %w", sf, err)
		}
		if err := set.Arm(ctx, f, fault.AtStep(sf.Step, sf.At)); err != nil {
			return fmt.Errorf("faultplan: %s: %w", sf, err)
		}
	}
	return nil
}

// Targets dry-runs plan against the deployment topo describes (`failback
// plan`: it reads, it changes nothing) and notes which steps run cmdlets
// and which instances each sends T-SQL to, so a schedule draws only
// faults a step can meet.
func Targets(ctx context.Context, topo *topology.Topology, plan *failback.Plan, opts failback.Options) ([]fault.Target, error) {
	out := make([]fault.Target, len(plan.Steps))
	index := map[string]int{}
	for i, s := range plan.Steps {
		out[i].Step = s.Name
		index[s.Name] = i
	}
	conn, err := failback.Connect(ctx, topo, opts)
	if err != nil {
		return nil, fmt.Errorf("faultplan: dry run: %w", err)
	}
	defer conn.Close()
	// The runner emits on its own goroutine, one event at a time.
	sink := failback.SinkFunc(func(e failback.Event) {
		i, ok := index[e.Step]
		if e.Kind != failback.KindSent || !ok {
			return
		}
		switch {
		case e.Target == failback.PoolTarget:
			out[i].Cmdlets = true
		case e.Target != "" && !slices.Contains(out[i].Instances, e.Target):
			out[i].Instances = append(out[i].Instances, e.Target)
		}
	})
	r := &failback.Runner{Plan: plan, Env: conn.Env, Sinks: []failback.Sink{sink}}
	if _, err := r.DryRun(ctx); err != nil {
		return nil, fmt.Errorf("faultplan: dry run: %w", err)
	}
	return out, nil
}
