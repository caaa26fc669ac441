package world

import (
	"context"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/internal/portlease"
	"github.com/pchatdr/harness/topologies"
)

// testEphemeralRange reads the kernel's range for outgoing ports on its
// own, so the test does not trust the code it checks.
func testEphemeralRange(t *testing.T) (int, int) {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768, 60999
	}
	f := strings.Fields(string(b))
	lo, _ := strconv.Atoi(f[0])
	hi, _ := strconv.Atoi(f[1])
	return lo, hi
}

func portOf(t *testing.T, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestReboundPortsOutsideEphemeralRange: every port the world binds again
// later (instances after a restart or rebuild, link proxies after a
// restore, the management endpoint after a restart) lies outside the
// kernel's ephemeral range, where an outgoing connection could take it
// while it is free.
func TestReboundPortsOutsideEphemeralRange(t *testing.T) {
	w := startTestWorld(t, true)
	lo, hi := testEphemeralRange(t)
	check := func(what, addr string) {
		if p := portOf(t, addr); p >= lo && p <= hi {
			t.Errorf("%s listens on %s, in the ephemeral range %d-%d", what, addr, lo, hi)
		}
	}
	for _, inst := range w.allInstances() {
		check("instance "+inst.Name, inst.Addr)
		for _, dc := range w.Topology.DataCenters {
			check("link "+dc.Name+"->"+inst.Name, w.Via(dc.Name, inst))
		}
	}
	if w.restarter != nil {
		check("management endpoint", w.restarter.opts.Addr)
	}
}

// TestRestoreLinkWaitsForPort: a link restored while something else holds
// its proxy's port for a moment waits for the port instead of failing.
func TestRestoreLinkWaitsForPort(t *testing.T) {
	w := startTestWorld(t, true)
	bak, err := w.InstanceByRole(topology.RoleBackup)
	if err != nil {
		t.Fatal(err)
	}
	addr := w.Via("dc1", bak)
	if err := w.CutLink("dc1", "dc2"); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	go func() {
		defer close(released)
		time.Sleep(300 * time.Millisecond)
		ln.Close()
	}()
	err = w.RestoreLink("dc1", "dc2")
	<-released
	if err != nil {
		t.Fatalf("restore while the port was held for a moment: %v", err)
	}
	db, err := w.DBFrom("dc1", bak, "master")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ping(); err != nil {
		t.Errorf("over the restored link: %v", err)
	}
}

// TestStartInstanceWaitsForPort: an instance started again while another
// socket holds its port for a moment waits for the port instead of
// failing, and comes back on the same address.
func TestStartInstanceWaitsForPort(t *testing.T) {
	ctx := context.Background()
	w := startTestWorld(t, false)
	bak, err := w.InstanceByRole(topology.RoleBackup)
	if err != nil {
		t.Fatal(err)
	}
	addr := bak.Addr
	if err := w.StopInstance(ctx, bak); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	go func() {
		defer close(released)
		time.Sleep(300 * time.Millisecond)
		ln.Close()
	}()
	err = w.StartInstance(ctx, bak)
	<-released
	if err != nil {
		t.Fatalf("start while the port was held for a moment: %v", err)
	}
	if bak.Addr != addr {
		t.Errorf("instance came back on %s, want %s", bak.Addr, addr)
	}
	db, err := w.DB(bak, "master")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		t.Errorf("after the start: %v", err)
	}
}

// TestWorldLeasesItsPorts: every port the world binds again later is
// leased machine-wide for the world's life, bound or not (an instance
// down), so no other world is handed it; closing the world releases them.
// CI once failed a scenario because another world started a container on
// a port whose owner was between two binds ("Bind for 127.0.0.1:26593
// failed: port is already allocated").
func TestWorldLeasesItsPorts(t *testing.T) {
	ctx := context.Background()
	topo, err := topologies.Load("embedded.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w, err := Start(ctx, Options{Topology: topo, Dir: t.TempDir(), Links: true})
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			w.Close()
		}
	}()
	ports := map[string]int{}
	for _, inst := range w.allInstances() {
		ports["instance "+inst.Name] = portOf(t, inst.Addr)
		for _, dc := range w.Topology.DataCenters {
			ports["link "+dc.Name+"->"+inst.Name] = portOf(t, w.Via(dc.Name, inst))
		}
	}
	if w.restarter != nil {
		ports["management endpoint"] = portOf(t, w.restarter.opts.Addr)
	}
	bak, err := w.InstanceByRole(topology.RoleBackup)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.StopInstance(ctx, bak); err != nil {
		t.Fatal(err)
	}
	other := func(p int) (int, error) {
		b, err := portlease.Open(portlease.Config{Low: p, High: p})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		if err := b.Shared(); err != nil {
			t.Skipf("skipped: ports not leased machine-wide here: %v", err)
		}
		return b.Port()
	}
	for what, p := range ports {
		if got, err := other(p); !errors.Is(err, portlease.ErrExhausted) {
			t.Errorf("while the world runs (%s down), another book was handed %s's port %d: %d, %v", bak.Name, what, p, got, err)
		}
	}
	closed = true
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for what, p := range ports {
		if got, err := other(p); err != nil || got != p {
			t.Errorf("after the world closed, %s's port %d: %d, %v", what, p, got, err)
		}
	}
}
