// Package evidence turns a run into what operators and auditors read:
// report.html (the verdict per objective first, then per scenario or run
// the refusal, the engine's step table, a printable timeline and the
// Gherkin steps), junit.xml, evidence.json, a summary table on the
// terminal, and the history of many runs as a trend.
//
// It serves drill runs (scenarios in a simulated world) and real runs (a
// journal the engine wrote) alike, and does not import the simulator: the
// drill hands it the world's timeline as Marks, the CLI a journal.
package evidence

import (
	"time"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/topology"
)

// Report is everything one report folder holds.
type Report struct {
	Header   Header    `json:"header"`
	Sections []Section `json:"sections"`
}

// Header is what an auditor needs to know about where evidence came from.
type Header struct {
	// Title heads the page ("Persistent Chat failback drill").
	Title string `json:"title"`
	// Simulated marks a drill: nothing real was touched; the page says so
	// in a banner.
	Simulated bool `json:"simulated"`
	// Version and Commit identify the harness that produced the evidence
	// (Commit ends in "+dirty" for a modified working tree).
	Version string `json:"version"`
	Commit  string `json:"commit"`
	// Topologies are the topology files the runs used, with their digests.
	Topologies []TopologyRef `json:"topologies"`
	// Operator and Host are who ran it, where.
	Operator string `json:"operator"`
	Host     string `json:"host"`
	// Target is where the run went: embedded, containers, or the pool.
	Target string `json:"target"`
	// Seed is the drill's seed (0 for real runs).
	Seed int64 `json:"seed,omitempty"`
	// Command is the command line that produced the evidence.
	Command string `json:"command,omitempty"`
	// Started and Ended are the run's, in UTC.
	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended"`
	// Produced is when this report was written (failback report writes
	// evidence of a run long after it).
	Produced time.Time `json:"produced"`
}

// TopologyRef names a topology file and the SHA-256 of its bytes.
type TopologyRef struct {
	File   string `json:"file"`
	Digest string `json:"digest"`
}

// Section is one scenario of a drill, or the one run of a journal.
type Section struct {
	Name string   `json:"name"`
	URI  string   `json:"uri,omitempty"`
	Tags []string `json:"tags,omitempty"`
	// Result is passed, failed or skipped for a scenario; for a journal's
	// run, the run's outcome.
	Result   string        `json:"result"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration"`
	Error    string        `json:"error,omitempty"`
	// Labels say which steps the target could not do for real.
	Labels []string `json:"labels,omitempty"`
	// Faults is the seeded fault schedule a rehearsal drew.
	Faults *FaultSchedule `json:"faults,omitempty"`
	// Gherkin are the scenario's steps with their outcomes (drill only).
	Gherkin []GherkinStep `json:"gherkin,omitempty"`
	// Runs are the engine's runs in the section, by run ID.
	Runs []Run `json:"runs,omitempty"`
	// Marks are the world's timeline (drill only): every component's
	// events, the engine's included.
	Marks      []Mark      `json:"marks,omitempty"`
	Objectives Objectives  `json:"objectives"`
	Loss       *Loss       `json:"loss,omitempty"`
	Topology   TopologyRef `json:"topology"`
}

// Result values of a scenario.
const (
	ResultPassed  = "passed"
	ResultFailed  = "failed"
	ResultSkipped = "skipped"
)

// FaultSchedule is a rehearsal's drawn faults, as text.
type FaultSchedule struct {
	Seed   int64    `json:"seed"`
	Faults []string `json:"faults"`
}

// GherkinStep is one Gherkin step and what became of it.
type GherkinStep struct {
	Keyword  string        `json:"keyword,omitempty"`
	Text     string        `json:"text"`
	Status   string        `json:"status"` // passed, failed, skipped, undefined, pending
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration"`
	Error    string        `json:"error,omitempty"`
}

// Mark is one event of the world's timeline.
type Mark struct {
	At        time.Time `json:"at"`
	Component string    `json:"component"`
	Kind      string    `json:"kind"`
	Detail    string    `json:"detail"`
	Err       string    `json:"err,omitempty"`
}

// Objectives are the recovery objectives the runs are judged against.
type Objectives struct {
	RTO    time.Duration `json:"rto"`
	Outage time.Duration `json:"outage"`
	RPO    time.Duration `json:"rpo"`
}

// ObjectivesOf copies a topology's objectives.
func ObjectivesOf(o topology.Objectives) Objectives {
	return Objectives{RTO: o.RTO, Outage: o.Outage, RPO: o.RPO}
}

// Loss is what a check of the restored store against the acknowledged
// messages found: Count lost, the earliest acknowledged at Since.
type Loss struct {
	Count int       `json:"count"`
	Since time.Time `json:"since,omitempty"`
	// By says who counted (the drill's ledger, an operator's check).
	By string `json:"by"`
}

// FailbackRuns are the section's real (not dry) runs of the failback plan:
// the runs the objectives judge.
func (s Section) FailbackRuns() []Run {
	var out []Run
	for _, r := range s.Runs {
		if !r.DryRun && r.Plan == failback.PlanFailback {
			out = append(out, r)
		}
	}
	return out
}

// Refusals are the preconditions that refused the section's runs.
func (s Section) Refusals() []Precondition {
	var out []Precondition
	for _, r := range s.Runs {
		if r.Outcome != failback.OutcomeRefused {
			continue
		}
		for _, p := range r.Preconditions {
			if p.Outcome == failback.OutcomeFailed {
				out = append(out, p)
			}
		}
	}
	return out
}

// Topologies lists the distinct topology files the sections used.
func Topologies(sections []Section) []TopologyRef {
	var out []TopologyRef
	seen := map[TopologyRef]bool{}
	for _, s := range sections {
		if s.Topology.File != "" && !seen[s.Topology] {
			seen[s.Topology] = true
			out = append(out, s.Topology)
		}
	}
	return out
}
