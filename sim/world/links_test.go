package world

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/topologies"
)

func startTestWorld(t *testing.T, links bool) *World {
	t.Helper()
	topo, err := topologies.Load("embedded.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w, err := Start(context.Background(), Options{Topology: topo, Dir: t.TempDir(), Links: links})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// TestLinks: the engine (in dc1) reaches dc2 over the link, with at least
// the link's RTT per round trip; a cut link refuses connections and a
// restored one answers again on the same address.
func TestLinks(t *testing.T) {
	ctx := context.Background()
	w := startTestWorld(t, true)
	bak, err := w.InstanceByRole(topology.RoleBackup)
	if err != nil {
		t.Fatal(err)
	}
	in, _ := w.Topology.InstanceByRole(topology.RoleBackup)
	if in.Address == bak.Addr || in.Address != w.Via("dc1", bak) {
		t.Fatalf("engine address of the backup %s, instance %s, via dc1 %s", in.Address, bak.Addr, w.Via("dc1", bak))
	}
	if got := w.Via("dc2", bak); got != bak.Addr {
		t.Fatalf("from its own data center the backup is at %s, want %s", got, bak.Addr)
	}
	ping := func() (time.Duration, error) {
		db, err := w.DBFrom("dc1", bak, "master")
		if err != nil {
			return 0, err
		}
		defer db.Close()
		if err := db.PingContext(ctx); err != nil {
			return 0, err
		}
		t0 := time.Now()
		var one int
		err = db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
		return time.Since(t0), err
	}
	d, err := ping()
	if err != nil {
		t.Fatal(err)
	}
	if d < 4*time.Millisecond {
		t.Errorf("round trip over a 4 ms link took %s", d)
	}
	if err := w.CutLink("dc1", "dc2"); err != nil {
		t.Fatal(err)
	}
	if _, err := ping(); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("over a cut link: %v, want connection refused", err)
	}
	if err := w.RestoreLink("dc2", "dc1"); err != nil {
		t.Fatal(err)
	}
	if _, err := ping(); err != nil {
		t.Errorf("over the restored link: %v", err)
	}
	if err := w.CutLink("dc1", "dc9"); err == nil {
		t.Error("cutting a link the topology does not have succeeded")
	}
	// A congested link: the round trip rises to what was set (a lower
	// bound, which latency guarantees), and back to the topology's.
	if err := w.SetLinkRTT("dc2", "dc1", 120*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if d, err := ping(); err != nil || d < 120*time.Millisecond {
		t.Errorf("round trip over a link set to 120 ms: %s, %v", d, err)
	}
	if err := w.SetLinkRTT("dc1", "dc2", 0); err != nil {
		t.Fatal(err)
	}
	if d, err := ping(); err != nil || d < 4*time.Millisecond {
		t.Errorf("round trip over the link back to 4 ms: %s, %v", d, err)
	}
	if err := w.SetLinkRTT("dc1", "dc9", time.Second); err == nil {
		t.Error("slowing a link the topology does not have succeeded")
	}
}

// TestFingerprintDownInstance: a stopped instance shows as down rather
// than failing the fingerprint, and the fingerprint sees it.
func TestFingerprintDownInstance(t *testing.T) {
	ctx := context.Background()
	w := startTestWorld(t, false)
	before, err := w.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.CutLink("dc1", "dc2"); err == nil {
		t.Error("cutting a link in a world without links succeeded")
	}
	pri, _ := w.InstanceByRole(topology.RolePrimary)
	if err := w.StopInstance(ctx, pri); err != nil {
		t.Fatal(err)
	}
	after, err := w.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after == before || !strings.Contains(after, pri.Name+": down") {
		t.Fatalf("fingerprint after stopping %s:\n%s", pri.Name, after)
	}
}
