package fault

import (
	"math/rand/v2"
	"strings"
	"testing"
)

var (
	cmdletStep = Target{Step: "set-active-servers", Cmdlets: true}
	sqlStep    = Target{Step: "restore-primary-mgc", Instances: []string{"sql-primary", "sql-backup"}}
	linked     = Target{Step: "backup-backup-mgc", Instances: []string{"sql-backup"}, Links: []string{"dc1-dc2"}}
)

// Every schedulable fault: one kind each, drawn only where it applies,
// and what a schedule records (a Spec) turns back into the same fault,
// which applies where it was drawn.
func TestScheduledCatalogue(t *testing.T) {
	seen := map[Kind]bool{}
	r := rand.New(rand.NewPCG(1, 2))
	for _, k := range Scheduled() {
		if seen[k.Kind()] {
			t.Fatalf("kind %s listed twice", k.Kind())
		}
		seen[k.Kind()] = true
		drawn := 0
		for _, tg := range []Target{cmdletStep, sqlStep, linked} {
			if !k.AppliesTo(tg) {
				continue
			}
			drawn++
			s := k.Draw(r, tg)
			if s.Kind != k.Kind() {
				t.Errorf("%s drew a %s", k.Kind(), s.Kind)
			}
			f, err := FromSpec(s)
			if err != nil {
				t.Fatalf("%s: %+v: %v", k.Kind(), s, err)
			}
			if f.Kind() != k.Kind() || !f.AppliesTo(tg) {
				t.Errorf("%+v became %s, which does not apply to %+v", s, f, tg)
			}
			if f.String() == "" || strings.Contains(f.String(), "%!") {
				t.Errorf("%s: %q", k.Kind(), f)
			}
		}
		if drawn == 0 {
			t.Errorf("%s applies to none of the test targets", k.Kind())
		}
	}
	if len(seen) != 8 {
		t.Errorf("%d schedulable kinds, want the 8 of schedule.json", len(seen))
	}
}

func TestAppliesTo(t *testing.T) {
	for _, c := range []struct {
		f    Fault
		t    Target
		want bool
	}{
		{EndpointHTTP500{}, cmdletStep, true},
		{EndpointHTTP500{}, sqlStep, false},
		{InstanceRestart{}, sqlStep, true},
		{InstanceRestart{Instance: "sql-backup"}, sqlStep, true},
		{InstanceRestart{Instance: "sql-backup-mirror"}, sqlStep, false},
		{InstanceRestart{}, cmdletStep, false},
		{LinkOutage{}, sqlStep, false},
		{LinkOutage{Link: "dc1-dc2"}, linked, true},
		{LinkLatency{Link: "dc1-dc3"}, linked, false},
		{EngineStop{}, sqlStep, true},
		{ChatBurst{}, cmdletStep, true},
		{ShareUnreachable{Instance: "sql-backup"}, linked, true},
		{ShareUnreachable{Instance: "sql-primary"}, linked, false},
	} {
		if got := c.f.AppliesTo(c.t); got != c.want {
			t.Errorf("%s applies to %+v: %t, want %t", c.f, c.t, got, c.want)
		}
	}
}

// A Spec that lacks what its kind needs, or names no kind of the
// catalogue, is refused with what is wrong.
func TestFromSpecRefusesBadSpecs(t *testing.T) {
	for _, c := range []struct {
		s    Spec
		want string
	}{
		{Spec{Kind: "meteor-strike"}, `unknown kind "meteor-strike"`},
		{Spec{Kind: KindEndpointHTTP500}, "count must be positive"},
		{Spec{Kind: KindCmdletLatency, Count: 1}, "delayMs must be positive"},
		{Spec{Kind: KindInstanceRestart}, "no instance"},
		{Spec{Kind: KindLinkOutage, DelayMs: 100}, "no link"},
		{Spec{Kind: KindLinkLatency, Link: "dc1-dc2", DelayMs: 100}, "latencyMs must be positive"},
		{Spec{Kind: KindChatBurst}, "count must be positive"},
	} {
		if _, err := FromSpec(c.s); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.s, err, c.want)
		}
	}
}

func TestPointText(t *testing.T) {
	for p, want := range map[Point]string{
		AtStart:  "as the step starts",
		AtApply:  "after the step's check, before it applies",
		AtVerify: "after the step applied, before it verifies",
	} {
		if p.String() != want {
			t.Errorf("%s: %q", string(p), p)
		}
	}
}
