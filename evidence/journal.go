package evidence

import (
	"fmt"
	"time"

	"github.com/pchatdr/harness/failback"
)

// SectionFromJournal is the section of a real run: its runs (a journal
// normally holds one, resumes merged), judged against the objectives the
// run recorded at its start, or fallback for a journal that predates them.
func SectionFromJournal(events []failback.Event, fallback Objectives) Section {
	runs := Runs(events)
	s := Section{Runs: runs, Objectives: fallback, Result: OutcomeIncomplete}
	if len(runs) == 0 {
		s.Name = "an empty journal"
		return s
	}
	main := runs[len(runs)-1]
	for _, r := range runs {
		if !r.DryRun {
			main = r
		}
	}
	if o, ok := objectivesFromAttrs(main.Attrs); ok {
		s.Objectives = o
	}
	s.Name = fmt.Sprintf("%s of %s, run %s", main.Plan, main.Pool, main.ID)
	s.Result, s.Error = main.Outcome, main.Error
	s.Started, s.Duration = main.Started, main.Duration
	s.Loss = main.Loss
	s.Topology = TopologyRef{File: main.Attrs[AttrTopology], Digest: main.Attrs[AttrTopologyDigest]}
	return s
}

// JournalOptions say what the journal cannot: where it is, the objectives
// of a journal that predates recording them, and who writes the report.
type JournalOptions struct {
	// Objectives are used when the run did not record its own (a
	// topology given to `failback report`).
	Objectives Objectives
	// Topology names that topology, for such a journal.
	Topology TopologyRef
	// Now stamps the report (time.Now when zero).
	Now time.Time
}

// JournalReport is the evidence of a real run from its journal: the same
// report a drill gets, without the SIMULATED banner, the Gherkin steps and
// the world's timeline (a real deployment has none), with the header the
// run recorded at its start: harness, operator, host, topology, command.
func JournalReport(events []failback.Event, opts JournalOptions) (Report, error) {
	sec := SectionFromJournal(events, opts.Objectives)
	if len(sec.Runs) == 0 {
		return Report{}, fmt.Errorf("the journal holds no run")
	}
	if sec.Topology.File == "" {
		sec.Topology = opts.Topology
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	var first Run
	for _, r := range sec.Runs {
		if r.Invocations > 0 {
			first = r
			break
		}
	}
	a := first.Attrs
	h := Header{
		Title:    "Persistent Chat " + orDefault(first.Plan, "failback") + " run",
		Version:  orDefault(a[AttrVersion], "not recorded"),
		Commit:   orDefault(a[AttrCommit], "not recorded"),
		Operator: orDefault(a[AttrOperator], "not recorded"),
		Host:     orDefault(a[AttrHost], "not recorded"),
		Target:   orDefault(first.Pool, "not recorded"),
		Command:  a[AttrCommand],
		Started:  first.Started.UTC(),
		Produced: now.UTC(),
	}
	for _, r := range sec.Runs {
		if r.Ended.After(h.Ended) {
			h.Ended = r.Ended.UTC()
		}
	}
	if sec.Topology.File != "" {
		h.Topologies = []TopologyRef{sec.Topology}
	}
	return Report{Header: h, Sections: []Section{sec}}, nil
}
