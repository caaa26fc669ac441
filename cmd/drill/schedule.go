package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/pchatdr/harness/evidence"
	"github.com/pchatdr/harness/sim/faultplan"
)

// writeSchedules prints the fault schedule of every scenario that drew
// one, so a failed rehearsal's faults are on the terminal next to the
// seed that reproduces them. Nothing when no scenario drew one.
func writeSchedules(w io.Writer, seed int64, schedules []faultplan.Schedule) {
	for _, s := range schedules {
		fmt.Fprintf(w, "fault schedule (seed %d): %s\n", seed, s.Scenario)
		for _, line := range strings.Split(s.String(), "\n") {
			fmt.Fprintf(w, "    %s\n", line)
		}
	}
}

// ScheduleFile is what schedule.json holds: the run's seed and every
// drawn schedule, ordered by scenario name (not by when scenarios ran),
// so two runs with the same seed write the same file.
type ScheduleFile struct {
	Seed      int64                `json:"seed"`
	Schedules []faultplan.Schedule `json:"schedules"`
}

// writeScheduleJSON writes schedule.json atomically, with the report
// folder's file mode.
func writeScheduleJSON(path string, seed int64, schedules []faultplan.Schedule) error {
	f := ScheduleFile{Seed: seed, Schedules: append([]faultplan.Schedule{}, schedules...)}
	sort.SliceStable(f.Schedules, func(i, j int) bool { return f.Schedules[i].Scenario < f.Schedules[j].Scenario })
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("schedule.json: %w", err)
	}
	return evidence.WriteFile(path, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}
