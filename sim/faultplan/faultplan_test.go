package faultplan

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/pchatdr/harness/sim/fault"
)

// steps is shaped like the failback plan's dry run: cmdlet steps, SQL
// steps on one or two instances.
var steps = []fault.Target{
	{Step: "clear-active-servers", Cmdlets: true, Instances: []string{"sql-backup"}},
	{Step: "remove-mirroring", Instances: []string{"sql-backup", "sql-backup-mirror"}},
	{Step: "backup-backup-mgc", Instances: []string{"sql-backup"}},
	{Step: "restore-primary-mgc", Instances: []string{"sql-primary"}},
	{Step: "configure-log-shipping", Instances: []string{"sql-primary", "sql-backup"}},
	{Step: "set-active-servers", Cmdlets: true},
	{Step: "pool-normal", Cmdlets: true, Instances: []string{"sql-primary"}},
}

var withLinks = Options{Links: []string{"dc1-dc2"}}

func TestScheduleSameSeedSameSchedule(t *testing.T) {
	for seed := int64(1); seed <= 50; seed++ {
		a := Draw(seed, "rehearsal 1", steps, withLinks)
		b := Draw(seed, "rehearsal 1", steps, withLinks)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("seed %d: two draws differ:\n%s\n--\n%s", seed, a, b)
		}
	}
}

// A scenario's schedule does not depend on which other scenarios drew
// before it (order and concurrency of a run).
func TestScheduleIndependentOfOtherScenarios(t *testing.T) {
	want := Draw(42, "rehearsal 2", steps, withLinks)
	Draw(42, "rehearsal 1", steps, withLinks)
	Draw(42, "rehearsal 3", steps, withLinks)
	if got := Draw(42, "rehearsal 2", steps, withLinks); !reflect.DeepEqual(got, want) {
		t.Fatalf("schedule changed after other draws:\n%s\n--\n%s", got, want)
	}
}

func TestScheduleDifferentSeedsDiffer(t *testing.T) {
	seen := map[string]int64{}
	for seed := int64(1); seed <= 100; seed++ {
		seen[Draw(seed, "rehearsal 1", steps, withLinks).String()] = seed
	}
	// 100 seeds over 7 steps, 6 kinds and their parameters: nearly all
	// distinct; a handful of collisions is chance, a few distinct ones a bug.
	if len(seen) < 80 {
		t.Fatalf("100 seeds drew only %d distinct schedules", len(seen))
	}
	if a, b := Draw(1, "rehearsal 1", steps, withLinks), Draw(2, "rehearsal 1", steps, withLinks); reflect.DeepEqual(a.Faults, b.Faults) {
		t.Fatalf("seeds 1 and 2 drew the same faults:\n%s", a)
	}
	a, b := Draw(7, "rehearsal 1", steps, withLinks), Draw(7, "rehearsal 2", steps, withLinks)
	if reflect.DeepEqual(a.Faults, b.Faults) {
		t.Fatalf("two scenarios of seed 7 drew the same faults:\n%s", a)
	}
}

func TestScheduleEveryKindReachable(t *testing.T) {
	count := map[fault.Kind]int{}
	at := map[fault.Point]int{}
	for seed := int64(1); seed <= 300; seed++ {
		for _, f := range Draw(seed, "rehearsal 1", steps, withLinks).Faults {
			count[f.Kind]++
			if f.At != "" {
				at[f.At]++
			}
		}
	}
	for _, k := range fault.Scheduled() {
		if count[k.Kind()] == 0 {
			t.Errorf("fault kind %s never drawn in 300 seeds (%v)", k.Kind(), count)
		}
	}
	for _, a := range fault.Points() {
		if at[a] == 0 {
			t.Errorf("no fault drawn at %q in 300 seeds", a)
		}
	}
}

func TestScheduleBoundedAndApplicable(t *testing.T) {
	for _, opts := range []Options{{}, withLinks, {MaxFaults: 1}, {MaxFaults: 20, Links: []string{"dc1-dc2"}}} {
		max := opts.MaxFaults
		if max == 0 {
			max = DefaultMaxFaults
		}
		max = min(max, len(steps))
		for seed := int64(-50); seed <= 200; seed++ {
			s := Draw(seed, "rehearsal 3", steps, opts)
			if len(s.Faults) < 1 || len(s.Faults) > max {
				t.Fatalf("opts %+v seed %d: %d faults, want 1..%d", opts, seed, len(s.Faults), max)
			}
			last := 0
			for _, f := range s.Faults {
				if f.Index <= last {
					t.Fatalf("seed %d: faults not one per step in step order: %s", seed, s)
				}
				last = f.Index
				st := steps[f.Index-1]
				if st.Step != f.Step {
					t.Fatalf("seed %d: fault names step %s at index %d (%s)", seed, f.Step, f.Index, st.Step)
				}
				ft, err := fault.FromSpec(f.Spec)
				if err != nil {
					t.Fatalf("seed %d: %s: %v", seed, f, err)
				}
				st.Links = opts.Links
				if !ft.AppliesTo(st) {
					t.Fatalf("seed %d: %s cannot hit step %s", seed, ft, st.Step)
				}
				if (f.Kind == fault.KindLinkOutage || f.Kind == fault.KindLinkLatency) && !slices.Contains(opts.Links, f.Link) {
					t.Fatalf("seed %d: link fault on %q, links %v", seed, f.Link, opts.Links)
				}
				if f.Kind == fault.KindInstanceRestart && !slices.Contains(st.Instances, f.Instance) {
					t.Fatalf("seed %d: restart of %s, which step %s does not use", seed, f.Instance, st.Step)
				}
			}
		}
	}
}

func TestScheduleTextAndJSON(t *testing.T) {
	s := Schedule{Seed: 42, Scenario: "rehearsal 1", Faults: []Fault{
		{Index: 4, Step: "restore-primary-mgc", Spec: fault.Spec{Kind: fault.KindInstanceRestart, Instance: "sql-primary", At: fault.AtApply}},
		{Index: 6, Step: "set-active-servers", Spec: fault.Spec{Kind: fault.KindCmdletLatency, Count: 2, DelayMs: 300}},
	}}
	want := "step 4 restore-primary-mgc: instance sql-primary restarts after the step's check, before it applies\n" +
		"step 6 set-active-servers: the next 2 cmdlets are each delayed by 300ms"
	if s.String() != want {
		t.Errorf("String:\n%s\nwant:\n%s", s, want)
	}
	b, err := s.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var back Schedule
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, s) {
		t.Errorf("JSON round trip: %+v, want %+v", back, s)
	}
	if (Schedule{}).String() != "no faults" {
		t.Errorf("empty schedule: %q", Schedule{})
	}
	if got := Draw(1, "x", nil, Options{}); len(got.Faults) != 0 {
		t.Errorf("a plan without steps drew %v", got.Faults)
	}
}

// The schedules of testdata/schedules.golden.json were drawn by the first
// version of the draw (before the catalogue moved to sim/fault): a seed
// must keep drawing the same schedule, field for field and in the same
// JSON, across versions, or an operator cannot rerun an old rehearsal.
func TestScheduleGolden(t *testing.T) {
	want, err := os.ReadFile("testdata/schedules.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var all []Schedule
	for _, links := range [][]string{nil, {"dc1-dc2"}} {
		for seed := int64(1); seed <= 12; seed++ {
			all = append(all, Draw(seed, "rehearsal "+string(rune('0'+len(links))), steps, Options{Links: links}))
		}
	}
	got, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(append(got, '\n'), want) {
		t.Fatalf("the draw changed: seeds no longer reproduce their schedules:\n%s", got)
	}
}
