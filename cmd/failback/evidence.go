package main

import (
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/pchatdr/harness/evidence"
	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/metrics"
	"github.com/pchatdr/harness/failback/topology"
)

// report writes a real run's evidence from its journal: the same files a
// drill writes (report.html, junit.xml, evidence.json, metrics.prom), with
// the header the run recorded at its start.
func report(f cliFlags, stdout, stderr io.Writer) int {
	if f.journal == "" || f.out == "" {
		fmt.Fprintf(stderr, "failback report: --journal and --out are required\n")
		return exitUsage
	}
	evs, torn, err := failback.ReadJournalFile(f.journal)
	if err != nil {
		fmt.Fprintf(stderr, "failback report: %v\n", err)
		return exitUsage
	}
	if len(evs) == 0 {
		fmt.Fprintf(stderr, "failback report: journal %s holds no run\n", f.journal)
		return exitUsage
	}
	var opts evidence.JournalOptions
	if f.topology != "" {
		topo, err := topology.Load(f.topology)
		if err != nil {
			fmt.Fprintf(stderr, "failback report: %v\n", err)
			return exitUsage
		}
		opts.Objectives = evidence.ObjectivesOf(topo.Objectives)
		opts.Topology = evidence.TopologyRef{File: topo.File, Digest: topo.Digest}
	}
	rep, err := evidence.JournalReport(evs, opts)
	if err != nil {
		fmt.Fprintf(stderr, "failback report: %s: %v\n", f.journal, err)
		return exitUsage
	}
	sec := &rep.Sections[0]
	switch {
	case sec.Objectives == (evidence.Objectives{}):
		fmt.Fprintf(stderr, "failback report: the journal records no objectives; pass --topology FILE to judge the run against its objectives\n")
	case f.topology != "" && sec.Topology.Digest != opts.Topology.Digest:
		// The run's own record wins: it is what the run was held to.
		fmt.Fprintf(stderr, "failback report: note: the run recorded topology %s (%s) with its objectives; %s (%s) differs and is not used\n",
			sec.Topology.File, sec.Topology.Digest, f.topology, opts.Topology.Digest)
	}
	if torn {
		sec.Error = joinLines(sec.Error, "the journal's last line was torn by a crash and is ignored")
	}
	if err := evidence.WriteFolder(f.out, rep); err != nil {
		fmt.Fprintf(stderr, "failback report: %v\n", err)
		return exitFailed
	}
	// metrics.prom: the journal replayed through the engine's own
	// collectors, as --metrics-textfile would have written them.
	m := metrics.New()
	m.SetObjective(sec.Objectives.RTO)
	for _, e := range evs {
		m.Event(e)
	}
	if sec.Loss != nil {
		m.SetMessagesLost(sec.Loss.Count)
	}
	prom := filepath.Join(f.out, evidence.MetricsFile)
	if err := m.WriteTextfile(prom); err != nil {
		fmt.Fprintf(stderr, "failback report: %v\n", err)
		return exitFailed
	}
	if err := evidence.FixMode(prom); err != nil {
		fmt.Fprintf(stderr, "failback report: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "%s: %s\n", sec.Name, sec.Result)
	evidence.WriteVerdicts(stdout, rep.Overall())
	fmt.Fprintf(stdout, "report: %s\n", filepath.Join(f.out, evidence.HTMLFile))
	return exitDone
}

func joinLines(a, b string) string {
	if a == "" {
		return b
	}
	return a + "\n" + b
}

// history lists every run found under the folders and draws the trend.
func history(paths []string, out string, stdout, stderr io.Writer) int {
	if len(paths) == 0 {
		fmt.Fprintf(stderr, "failback history: name at least one folder of report folders or journals\n")
		return exitUsage
	}
	if out == "" {
		out = "history.html"
	}
	h, err := evidence.CollectHistory(paths)
	for _, s := range h.Skipped {
		fmt.Fprintf(stderr, "failback history: skipped %v\n", s)
	}
	if err != nil {
		// No run found, or a folder that cannot be read.
		fmt.Fprintf(stderr, "failback history: %v\n", err)
		return exitUsage
	}
	h.WriteTable(stdout)
	if err := evidence.WriteHistoryFile(out, h, time.Now()); err != nil {
		fmt.Fprintf(stderr, "failback history: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "trend: %s\n", out)
	return exitDone
}
