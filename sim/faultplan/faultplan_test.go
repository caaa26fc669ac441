package faultplan

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// steps is shaped like the failback plan's dry run: cmdlet steps, SQL
// steps on one or two instances.
var steps = []Step{
	{Name: "clear-active-servers", Cmdlets: true, Instances: []string{"sql-backup"}},
	{Name: "remove-mirroring", Instances: []string{"sql-backup", "sql-backup-mirror"}},
	{Name: "backup-backup-mgc", Instances: []string{"sql-backup"}},
	{Name: "restore-primary-mgc", Instances: []string{"sql-primary"}},
	{Name: "configure-log-shipping", Instances: []string{"sql-primary", "sql-backup"}},
	{Name: "set-active-servers", Cmdlets: true},
	{Name: "pool-normal", Cmdlets: true, Instances: []string{"sql-primary"}},
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
	count := map[Kind]int{}
	at := map[string]int{}
	for seed := int64(1); seed <= 300; seed++ {
		for _, f := range Draw(seed, "rehearsal 1", steps, withLinks).Faults {
			count[f.Kind]++
			if f.At != "" {
				at[f.At]++
			}
		}
	}
	for _, k := range Kinds {
		if count[k] == 0 {
			t.Errorf("fault kind %s never drawn in 300 seeds (%v)", k, count)
		}
	}
	for _, a := range []string{AtStart, AtApply, AtVerify} {
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
				if st.Name != f.Step {
					t.Fatalf("seed %d: fault names step %s at index %d (%s)", seed, f.Step, f.Index, st.Name)
				}
				if !applies(f.Kind, st, opts.Links) {
					t.Fatalf("seed %d: %s cannot hit step %s", seed, f.Kind, st.Name)
				}
				if f.Kind == LinkOutage && len(opts.Links) == 0 {
					t.Fatalf("seed %d: link fault without links", seed)
				}
				if f.Kind == InstanceRestart && !strings.Contains(strings.Join(st.Instances, ","), f.Instance) {
					t.Fatalf("seed %d: restart of %s, which step %s does not use", seed, f.Instance, st.Name)
				}
			}
		}
	}
}

func TestScheduleTextAndJSON(t *testing.T) {
	s := Schedule{Seed: 42, Scenario: "rehearsal 1", Faults: []Fault{
		{Index: 4, Step: "restore-primary-mgc", Kind: InstanceRestart, Instance: "sql-primary", At: AtApply},
		{Index: 6, Step: "set-active-servers", Kind: CmdletLatency, Count: 2, DelayMs: 300},
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
