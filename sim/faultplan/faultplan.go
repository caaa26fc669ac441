// Package faultplan draws seeded fault schedules for rehearsals: which
// faults hit which steps of the failback. A schedule depends only on the
// run's seed, the scenario's name and what the steps touch, so a drill run
// with the same seed meets the same faults whatever order (or how many at
// once) its scenarios run in, and an operator can rerun a failed rehearsal
// exactly.
//
// Every fault in the catalogue is one the documented procedure must survive:
// the engine retries what is transient and an operator resumes what stops
// it, and the failback must still end with every acknowledged message on
// the primary exactly once. Faults that must refuse or stop the run for
// good (a share that stays unreachable, a cmdlet that keeps failing) belong
// to features/failback-faults.feature, not here.
package faultplan

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Kind names a fault of the catalogue.
type Kind string

// The catalogue.
const (
	// EndpointHTTP500: the management endpoint answers the next Count
	// WinRM commands with HTTP 500 once the step starts (transient: the
	// engine retries). Only for steps that run cmdlets.
	EndpointHTTP500 Kind = "endpoint-http500"
	// CmdletLatency: the next Count cmdlets are each delayed by Delay once
	// the step starts. Only for steps that run cmdlets.
	CmdletLatency Kind = "cmdlet-latency"
	// InstanceRestart: a SQL Server instance the step sends T-SQL to
	// restarts At a point of the step; the engine's pooled connections to
	// it break (transient: the engine retries on a new connection).
	InstanceRestart Kind = "instance-restart"
	// EngineStop: the engine process stops At a point of the step (its
	// context ends, as a service stop or Ctrl-C) and an operator runs
	// `failback resume` from its journal.
	EngineStop Kind = "engine-stop"
	// LinkOutage: the data-center link Link goes down for Delay when the
	// step starts, then comes back. Only when the world has links.
	LinkOutage Kind = "link-outage"
	// LinkLatency: the data-center link Link's round trip rises to
	// LatencyMs for Delay from the step's start (a congested WAN), then
	// returns to the topology's.
	LinkLatency Kind = "link-latency"
	// ChatBurst: chat users post Count messages while the step runs; the
	// ones a chat server acknowledges must end on the primary.
	ChatBurst Kind = "chat-burst"
	// EndpointRestart: the management endpoint restarts At a point of the
	// step (a Front End reboot): its WinRM shells and any cmdlet in flight
	// are lost, the pool's configuration is kept. Only for steps that run
	// cmdlets.
	EndpointRestart Kind = "endpoint-restart"
)

// Kinds is the catalogue in a fixed order (the draw depends on it).
var Kinds = []Kind{EndpointHTTP500, CmdletLatency, InstanceRestart, EngineStop, LinkOutage, ChatBurst, LinkLatency, EndpointRestart}

// Points of a step a fault can hit.
const (
	AtStart  = "start"  // as the step starts, before its check
	AtApply  = "apply"  // after its check, before it applies its change
	AtVerify = "verify" // after it applied, before it verifies
)

// DefaultMaxFaults bounds a schedule: enough to combine faults, few enough
// that a rehearsal stays quick and a failure stays readable.
const DefaultMaxFaults = 3

// Step is what the draw needs to know of one step of the plan: its id and
// what it talks to (from the engine's own dry run, so nothing here names
// the failback's steps).
type Step struct {
	Name string
	// Cmdlets: the step runs cmdlets on the management endpoint.
	Cmdlets bool
	// Instances are the SQL Server instances (topology names) the step
	// sends T-SQL to.
	Instances []string
}

// Options shape a draw.
type Options struct {
	// Links are the world's data-center links as "dcA-dcB"; none: the
	// world dials directly and link faults are left out.
	Links []string
	// MaxFaults bounds the schedule (0: DefaultMaxFaults).
	MaxFaults int
}

// Fault is one scheduled fault.
type Fault struct {
	Index    int    `json:"index"` // 1-based step number
	Step     string `json:"step"`
	Kind     Kind   `json:"kind"`
	At       string `json:"at,omitempty"`
	Instance string `json:"instance,omitempty"`
	Link     string `json:"link,omitempty"`
	Count    int    `json:"count,omitempty"`
	// DelayMs is a latency or an outage's length (Delay as a duration).
	DelayMs int `json:"delayMs,omitempty"`
	// LatencyMs is a link's round trip while a LinkLatency fault lasts.
	LatencyMs int `json:"latencyMs,omitempty"`
}

// Delay is DelayMs as a duration.
func (f Fault) Delay() time.Duration { return time.Duration(f.DelayMs) * time.Millisecond }

// Schedule is a scenario's faults, in step order, at most one per step.
type Schedule struct {
	Seed     int64   `json:"seed"`
	Scenario string  `json:"scenario"`
	Faults   []Fault `json:"faults"`
}

// Draw draws the schedule of scenario from seed. The source is a PCG
// seeded from the seed and a hash of the scenario's name, so each
// scenario's schedule is its own: independent of the order scenarios run
// in and of how many run at once. Between 1 and MaxFaults distinct steps
// are hit, each by one fault the step can meet.
func Draw(seed int64, scenario string, steps []Step, opts Options) Schedule {
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
	links := slices.Clone(opts.Links)
	slices.Sort(links)
	for _, i := range hit {
		st := steps[i]
		var kinds []Kind
		for _, k := range Kinds {
			if applies(k, st, links) {
				kinds = append(kinds, k)
			}
		}
		if len(kinds) == 0 {
			continue
		}
		f := Fault{Index: i + 1, Step: st.Name, Kind: kinds[rng.IntN(len(kinds))]}
		at := []string{AtStart, AtApply, AtVerify}
		switch f.Kind {
		case EndpointHTTP500:
			f.Count = 1 + rng.IntN(2)
		case CmdletLatency:
			f.Count = 1 + rng.IntN(2)
			f.DelayMs = 100 * (1 + rng.IntN(6))
		case InstanceRestart:
			in := slices.Clone(st.Instances)
			slices.Sort(in)
			in = slices.Compact(in)
			f.Instance = in[rng.IntN(len(in))]
			f.At = at[rng.IntN(len(at))]
		case EngineStop, EndpointRestart:
			f.At = at[rng.IntN(len(at))]
		case LinkOutage:
			f.Link = links[rng.IntN(len(links))]
			f.DelayMs = 100 * (2 + rng.IntN(7))
		case ChatBurst:
			f.Count = 5 + rng.IntN(16)
		case LinkLatency:
			f.Link = links[rng.IntN(len(links))]
			f.DelayMs = 100 * (3 + rng.IntN(8))
			f.LatencyMs = 50 * (2 + rng.IntN(7))
		}
		s.Faults = append(s.Faults, f)
	}
	return s
}

func applies(k Kind, st Step, links []string) bool {
	switch k {
	case EndpointHTTP500, CmdletLatency, EndpointRestart:
		return st.Cmdlets
	case InstanceRestart:
		return len(st.Instances) > 0
	case LinkOutage, LinkLatency:
		return len(links) > 0
	}
	return true
}

var atText = map[string]string{
	AtStart:  "as the step starts",
	AtApply:  "after the step's check, before it applies",
	AtVerify: "after the step applied, before it verifies",
}

// String is one line an operator reads, e.g. "step 4 restore-primary-mgc:
// sql-primary restarts after the step's check, before it applies".
func (f Fault) String() string {
	var what string
	switch f.Kind {
	case EndpointHTTP500:
		what = fmt.Sprintf("the management endpoint answers the next %d WinRM commands with HTTP 500", f.Count)
	case CmdletLatency:
		what = fmt.Sprintf("the next %d cmdlets are each delayed by %s", f.Count, f.Delay())
	case InstanceRestart:
		what = fmt.Sprintf("instance %s restarts %s", f.Instance, atText[f.At])
	case EngineStop:
		what = fmt.Sprintf("the engine stops %s and is resumed", atText[f.At])
	case EndpointRestart:
		what = fmt.Sprintf("the management endpoint restarts %s", atText[f.At])
	case LinkOutage:
		what = fmt.Sprintf("link %s is down for %s from the step's start", f.Link, f.Delay())
	case ChatBurst:
		what = fmt.Sprintf("chat users post %d messages while the step runs", f.Count)
	case LinkLatency:
		what = fmt.Sprintf("link %s round trip rises to %dms for %s from the step's start", f.Link, f.LatencyMs, f.Delay())
	default:
		what = string(f.Kind)
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
