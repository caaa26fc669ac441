package mutants

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/topology"
)

func names(p *failback.Plan) []string {
	var out []string
	for _, s := range p.Steps {
		out = append(out, s.Name)
	}
	return out
}

// Every mutant differs from the real plan, in its step list or in the
// funcs of at least one step, and has a unique name and a description.
func TestEveryMutantDiffers(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range All() {
		t.Run(m.Name, func(t *testing.T) {
			if m.Name == "" || m.Description == "" || seen[m.Name] {
				t.Fatalf("mutant %q: empty or duplicate name, or no description", m.Name)
			}
			seen[m.Name] = true
			p, real := m.Plan(), failback.FailbackPlan()
			if m.FailoverPlan != nil {
				if !samePlan(p, real) {
					t.Fatalf("mutant %s changes both plans", m.Name)
				}
				p, real = m.FailoverPlan(), failback.FailoverPlan()
			}
			if samePlan(p, real) {
				t.Fatalf("mutant %s is the real plan", m.Name)
			}
			if got, ok := ByName(m.Name); !ok || got.Name != m.Name {
				t.Errorf("ByName(%q) = %v, %v", m.Name, got.Name, ok)
			}
		})
	}
	if want := len(procedureMutants()) + len(issue12()) + len(issue12Failover()) + len(capacity()) + len(issue17()); len(seen) != want {
		t.Errorf("%d mutants, want %d", len(seen), want)
	}
}

// samePlan: the same steps in the same order with the same funcs.
func samePlan(p, real *failback.Plan) bool {
	if !reflect.DeepEqual(names(p), names(real)) {
		return false
	}
	for i := range p.Steps {
		a, b := p.Steps[i], real.Steps[i]
		if reflect.ValueOf(a.Apply).Pointer() != reflect.ValueOf(b.Apply).Pointer() ||
			reflect.ValueOf(a.Verify).Pointer() != reflect.ValueOf(b.Verify).Pointer() ||
			reflect.ValueOf(a.Check).Pointer() != reflect.ValueOf(b.Check).Pointer() ||
			reflect.ValueOf(a.Redo).Pointer() != reflect.ValueOf(b.Redo).Pointer() {
			return false
		}
	}
	if len(p.Preconditions) != len(real.Preconditions) {
		return false
	}
	for i := range p.Preconditions {
		if reflect.ValueOf(p.Preconditions[i].Run).Pointer() != reflect.ValueOf(real.Preconditions[i].Run).Pointer() {
			return false
		}
	}
	return true
}

func TestStepOrders(t *testing.T) {
	tests := []struct {
		mutant string
		want   []string
	}{
		{"skip-clear-active", []string{failback.StepRemoveMirror, failback.StepBackup, failback.StepRestore, failback.StepLogShipping, failback.StepSetActive, failback.StepPoolNormal, failback.StepMirrorPrimary, failback.StepLogShippingFromMirror}},
		{"restore-before-unmirror", []string{failback.StepClearActive, failback.StepBackup, failback.StepRestore, failback.StepRemoveMirror, failback.StepLogShipping, failback.StepSetActive, failback.StepPoolNormal, failback.StepMirrorPrimary, failback.StepLogShippingFromMirror}},
		{"pool-normal-before-restore", []string{failback.StepClearActive, failback.StepRemoveMirror, failback.StepBackup, failback.StepPoolNormal, failback.StepRestore, failback.StepLogShipping, failback.StepSetActive, failback.StepMirrorPrimary, failback.StepLogShippingFromMirror}},
	}
	for _, tt := range tests {
		t.Run(tt.mutant, func(t *testing.T) {
			m, ok := ByName(tt.mutant)
			if !ok {
				t.Fatalf("no mutant %s", tt.mutant)
			}
			if got := names(m.Plan()); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("steps %v, want %v", got, tt.want)
			}
		})
	}
}

// recSQL records the restores that reach the instance.
type recSQL struct {
	failback.SQL
	got []failback.RestoreSpec
}

func (r *recSQL) RestoreDatabase(_ context.Context, s failback.RestoreSpec) error {
	r.got = append(r.got, s)
	return nil
}

func TestRestoreHook(t *testing.T) {
	tests := []struct {
		name string
		edit func(failback.RestoreSpec) (failback.RestoreSpec, bool)
		in   failback.RestoreSpec
		want []failback.RestoreSpec
	}{
		{"drops replace", func(r failback.RestoreSpec) (failback.RestoreSpec, bool) { r.Replace = false; return r, true },
			failback.RestoreSpec{Database: "mgc", Replace: true, Recovery: true}, []failback.RestoreSpec{{Database: "mgc", Recovery: true}}},
		{"drops the statement", func(r failback.RestoreSpec) (failback.RestoreSpec, bool) { return r, false },
			failback.RestoreSpec{Database: "mgc", Replace: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recSQL{}
			h := &restoreHook{SQL: rec, edit: tt.edit}
			if err := h.RestoreDatabase(context.Background(), tt.in); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rec.got, tt.want) {
				t.Errorf("sent %+v, want %+v", rec.got, tt.want)
			}
		})
	}
}

// The far-data-center mutant's step 6 acts on the failover list without
// touching the caller's topology.
func TestActiveFarDataCenterLeavesTopologyAlone(t *testing.T) {
	topo := &topology.Topology{Pool: topology.Pool{ActiveServers: []string{"a"}, FailoverActiveServers: []string{"b"}}}
	var set []string
	e := &failback.Env{Topo: topo, Pool: fakePool{set: &set}}
	p := activeFarDataCenter()
	_, s := p.StepByName(failback.StepSetActive)
	if err := s.Apply(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(set, []string{"b"}) || !reflect.DeepEqual(topo.Pool.ActiveServers, []string{"a"}) {
		t.Errorf("set %v, topology now %v", set, topo.Pool.ActiveServers)
	}
}

type fakePool struct {
	failback.Pool
	set *[]string
}

func (f fakePool) SetActiveServers(_ context.Context, s []string) error { *f.set = s; return nil }

func TestBounded(t *testing.T) {
	p := Bounded(failback.FailbackPlan(), time.Minute)
	for _, s := range p.Steps {
		if s.Timeout != time.Minute {
			t.Errorf("step %s timeout %v", s.Name, s.Timeout)
		}
	}
}
