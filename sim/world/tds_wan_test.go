package world

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback/topology"
	lyncfake "github.com/pchatdr/harness/fakes/lync"
	"github.com/pchatdr/harness/topologies"
)

// accountingClock is a link clock that does not wait: it adds up what the
// link would have held its callers, so a test reads the time the model
// charged instead of measuring the wall clock.
type accountingClock struct {
	mu    sync.Mutex
	slept time.Duration
}

func (c *accountingClock) Now() time.Time { return time.Now() }

func (c *accountingClock) Sleep(ctx context.Context, d time.Duration) error {
	if d > 0 {
		c.mu.Lock()
		c.slept += d
		c.mu.Unlock()
	}
	return ctx.Err()
}

func (c *accountingClock) total() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.slept
}

// backupConnFromDC1 is a connection to the backup instance (dc2) as a
// client in the engine's data center (dc1) opens it: over the link,
// logged in; closed when the test ends.
func backupConnFromDC1(ctx context.Context, t *testing.T, w *World) (*Instance, *sql.Conn) {
	t.Helper()
	bak, err := w.InstanceByRole(topology.RoleBackup)
	if err != nil {
		t.Fatal(err)
	}
	db, err := w.DBFrom("dc1", bak, "master")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.PingContext(ctx); err != nil {
		t.Fatal(err)
	}
	return bak, conn
}

// TestTDSCrossesTheLink: a query from the engine's data center (dc1) to
// the backup instance (dc2) crosses the WAN link model: its bytes are
// booked on the link the share's traffic and mirroring share, it is
// charged at least one round trip, and a cut link refuses new connections
// and ends open ones, as it does for mirroring and the share.
func TestTDSCrossesTheLink(t *testing.T) {
	ctx := context.Background()
	topo, err := topologies.Load("embedded.yaml")
	if err != nil {
		t.Fatal(err)
	}
	clock := &accountingClock{}
	w, err := Start(ctx, Options{Topology: topo, Dir: t.TempDir(), Links: true, WANClock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	link, ok := w.WANLink("dc1", "dc2")
	if !ok {
		t.Fatal("no WAN link dc1-dc2")
	}
	rtt := link.Stats().RTT
	if rtt <= 0 {
		t.Fatalf("the embedded topology's link has RTT %s; the test needs one", rtt)
	}
	bak, conn := backupConnFromDC1(ctx, t, w)
	before, slept := link.Stats(), clock.total()
	const size = 100000
	var s string
	if err := conn.QueryRowContext(ctx, "SELECT REPLICATE(CONVERT(varchar(max), 'x'), 100000)").Scan(&s); err != nil {
		t.Fatal(err)
	}
	if len(s) != size {
		t.Fatalf("answer of %d bytes, want %d", len(s), size)
	}
	after := link.Stats()
	if got := after.Bytes - before.Bytes; got < size {
		t.Errorf("a %d-byte answer from dc2 to dc1 put %d bytes on the link", size, got)
	}
	if got := after.RoundTrips - before.RoundTrips; got < 1 {
		t.Errorf("the query paid %d round trips on the link, want at least 1", got)
	}
	// Charged at least one RTT plus the answer's transmission time at the
	// link's bandwidth, on the link's clock.
	want := rtt + time.Duration(float64(size)*8/(after.BandwidthMbps*1e6)*float64(time.Second))
	if got := clock.total() - slept; got < want {
		t.Errorf("the link charged the query %s, want at least %s (RTT %s and %d bytes at %g Mbit/s)", got, want, rtt, size, after.BandwidthMbps)
	}

	if err := w.CutLink("dc1", "dc2"); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRowContext(ctx, "SELECT 1").Scan(new(int)); err == nil {
		t.Error("a connection opened before the link was cut still answers")
	}
	fresh, err := w.DBFrom("dc1", bak, "master")
	if err != nil {
		t.Fatal(err)
	}
	if err := fresh.PingContext(ctx); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("a new connection over the cut link: %v, want connection refused", err)
	}
	if err := w.RestoreLink("dc1", "dc2"); err != nil {
		t.Fatal(err)
	}
	if err := fresh.PingContext(ctx); err != nil {
		t.Errorf("over the restored link: %v", err)
	}
}

// TestInstallMirrorCrossesTheLink: Install-CsMirrorDatabase runs on the
// front end the engine's remote PowerShell reaches (in the engine's data
// center, dc1), so its own statements to SQL Servers in dc2 (BACKUP,
// RESTORE, ALTER DATABASE ... SET PARTNER, the wait for SYNCHRONIZED) cross
// the link like the engine's TDS. The share is put in dc2 beside both
// instances, so the backup's bytes and the mirroring session stay off the
// link and what the link carries is the cmdlet's SQL.
func TestInstallMirrorCrossesTheLink(t *testing.T) {
	ctx := context.Background()
	topo, err := topologies.Load("embedded.yaml")
	if err != nil {
		t.Fatal(err)
	}
	clock := &accountingClock{}
	w, err := Start(ctx, Options{Topology: topo, Dir: t.TempDir(), Links: true, WANClock: clock, ShareDataCenter: "dc2"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if err := w.InstallStores(ctx, topology.RoleBackup); err != nil {
		t.Fatal(err)
	}
	link, ok := w.WANLink("dc1", "dc2")
	if !ok {
		t.Fatal("no WAN link dc1-dc2")
	}
	before := link.Stats()
	req := lyncfake.MirrorRequest{DatabaseType: "PersistentChat", Database: "mgc", Principal: "sqlbak.dc2.contoso.test",
		Mirror: "sqlbakmir.dc2.contoso.test", FileShare: w.Topology.Share.UNC}
	if err := w.installMirror(ctx, req); err != nil {
		t.Fatal(err)
	}
	after := link.Stats()
	if got := after.Bytes - before.Bytes; got == 0 {
		t.Errorf("Install-CsMirrorDatabase run in dc1 on two dc2 instances put %d bytes on the link", got)
	}
	// At least a connection to each instance and the six statements.
	if got := after.RoundTrips - before.RoundTrips; got < 8 {
		t.Errorf("Install-CsMirrorDatabase paid %d round trips on the link, want at least 8 (two connections, six statements)", got)
	}
}
