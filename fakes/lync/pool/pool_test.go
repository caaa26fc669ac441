package pool

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func cfg() Config {
	c := Config{PoolFQDN: "p.test", Compliance: false, ActiveServers: []string{"a1", "a2"},
		Stores: []Store{{Role: RolePrimary, FQDN: "sql1"}, {Role: RolePrimaryMirror, FQDN: "sql1m"}, {Role: RoleBackup, FQDN: "sql2"}}}
	for _, n := range []string{"a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4"} {
		c.Servers = append(c.Servers, Server{FQDN: n, DataCenter: n[:1]})
	}
	return c
}

func TestActiveServerRules(t *testing.T) {
	cases := []struct {
		name string
		mod  ListModifier
		want []string
		err  error
	}{
		{"clear", ListModifier{Clear: true}, []string{}, nil},
		{"replace wins over add/remove", ListModifier{Replace: []string{"b1"}, Add: []string{"b2"}, Remove: []string{"b1"}}, []string{"b1"}, nil},
		{"remove then add", ListModifier{Add: []string{"a1"}, Remove: []string{"a1"}}, []string{"a2", "a1"}, nil},
		{"case is canonicalised", ListModifier{Replace: []string{"B1", "b1"}}, []string{"b1"}, nil},
		{"outside the pool", ListModifier{Add: []string{"zz"}}, nil, ErrServerNotInPool},
		{"removing an outsider", ListModifier{Remove: []string{"zz"}}, nil, ErrServerNotInPool},
		{"fifth active", ListModifier{Add: []string{"a3", "a4", "b1"}}, nil, ErrTooManyActive},
		{"four is fine", ListModifier{Add: []string{"a3", "a4"}}, []string{"a1", "a2", "a3", "a4"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := New(cfg())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.SetActiveServers(tc.mod, true); !errors.Is(err, tc.err) {
				t.Fatalf("whatif err %v, want %v", err, tc.err)
			}
			if !slices.Equal(p.State().ActiveServers, []string{"a1", "a2"}) {
				t.Fatal("whatIf changed the list")
			}
			got, err := p.SetActiveServers(tc.mod, false)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if tc.err == nil && (!slices.Equal(got, tc.want) || !slices.Equal(p.State().ActiveServers, tc.want)) {
				t.Fatalf("got %v state %v, want %v", got, p.State().ActiveServers, tc.want)
			}
			if tc.err != nil && !slices.Equal(p.State().ActiveServers, []string{"a1", "a2"}) {
				t.Fatal("refused change applied")
			}
		})
	}
}

func TestSwapAndInactive(t *testing.T) {
	c := cfg()
	c.ActiveServers = []string{"a1", "a2", "a3", "a4"}
	p, _ := New(c)
	got, err := p.Swap(false)
	if err != nil || !slices.Equal(got, []string{"b1", "b2", "b3", "b4"}) {
		t.Fatalf("swap %v %v", got, err)
	}
	if in := p.State().InactiveServers(); !slices.Equal(in, []string{"a1", "a2", "a3", "a4"}) {
		t.Fatalf("inactive %v", in)
	}
	p2, _ := New(cfg())
	if _, err := p2.Swap(false); !errors.Is(err, ErrTooManyActive) {
		t.Fatalf("swap 2 of 8 gives 6 active: %v", err)
	}
}

func TestMirrorAndDatabaseFailover(t *testing.T) {
	p, _ := New(cfg())
	if _, err := p.FailoverDatabase("p.test", DBPersistentChat, "Mirror", false); err != nil {
		t.Fatal(err)
	}
	if got := p.State().ServingStore(DBPersistentChat); got != "sql1m" {
		t.Fatalf("serving %q", got)
	}
	if err := p.SetPoolState(FailedOver, false); err != nil {
		t.Fatal(err)
	}
	if got := p.State().ServingStore(DBPersistentChat); got != "sql2" {
		t.Fatalf("failed over serving %q", got)
	}
	if _, err := p.InstallMirror("sql2", nil, false); !errors.Is(err, ErrNoMirror) {
		t.Fatalf("backup has no mirror in this topology: %v", err)
	}
	if _, err := p.InstallMirror("nosql", nil, false); !errors.Is(err, ErrUnknownStore) {
		t.Fatalf("unknown store: %v", err)
	}
	if _, err := p.FailoverDatabase("p.test", DBPersistentChat, "Mirror", false); !errors.Is(err, ErrNoMirror) {
		t.Fatalf("failover without mirror: %v", err)
	}
	kinds := []string{}
	for _, e := range p.Events() {
		kinds = append(kinds, e.Kind)
	}
	if !slices.Equal(kinds, []string{KindDatabaseFailover, KindPoolState}) {
		t.Fatalf("events %v", kinds)
	}
}

func TestPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	p, err := New(cfg(), WithPersistence(path))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.SetActiveServers(ListModifier{Replace: []string{"b2"}}, false); err != nil {
		t.Fatal(err)
	}
	if err := p.SetPoolState(FailedOver, false); err != nil {
		t.Fatal(err)
	}
	q, err := New(cfg(), WithPersistence(path))
	if err != nil {
		t.Fatal(err)
	}
	if st := q.State(); st.PoolState != FailedOver || !slices.Equal(st.ActiveServers, []string{"b2"}) {
		t.Fatalf("reloaded %+v", st)
	}
	c := cfg()
	c.Servers = c.Servers[:4] // b2 no longer in the pool
	c.ActiveServers = nil
	if _, err := New(c, WithPersistence(path)); !errors.Is(err, ErrPersisted) {
		t.Fatalf("stale server accepted: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "missing-dir", "s.json")
	if _, err := New(cfg(), WithPersistence(bad)); err == nil {
		t.Fatal("unwritable state path accepted")
	}
}

// StateAfter returns at once when the version moved on, waits for the
// next recorded event otherwise, and gives up with its context.
func TestStateAfterWaitsForTheNextChange(t *testing.T) {
	p, err := New(cfg())
	if err != nil {
		t.Fatal(err)
	}
	v0 := p.Version()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	st, v := p.StateAfter(ctx, v0)
	cancel()
	if v != v0 || st.PoolState != Normal {
		t.Fatalf("no change: version %q state %s, want %q Normal", v, st.PoolState, v0)
	}
	if _, v := p.StateAfter(context.Background(), "another pool's version"); v != v0 {
		t.Fatalf("a stale version: %q, want %q at once", v, v0)
	}
	done := make(chan State)
	go func() {
		st, _ := p.StateAfter(context.Background(), v0)
		done <- st
	}()
	if err := p.SetPoolState(FailedOver, false); err != nil {
		t.Fatal(err)
	}
	select {
	case st := <-done:
		if st.PoolState != FailedOver {
			t.Fatalf("woken with %s, want FailedOver", st.PoolState)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("StateAfter did not return after SetPoolState")
	}
	if p.Version() == v0 {
		t.Fatal("the version did not change with the pool state")
	}
}
