package world

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback/topology"
	lyncfake "github.com/pchatdr/harness/fakes/lync"
	"github.com/pchatdr/harness/fakes/lync/pool"
	"github.com/pchatdr/harness/sim/containers"
	"github.com/pchatdr/harness/topologies"
)

// startContainerWorld starts the embedded topology on the containers
// target, or skips the test when no Docker daemon answers.
func startContainerWorld(t *testing.T) *World {
	t.Helper()
	return startContainerWorldWith(t, Options{})
}

// startContainerWorldWith is startContainerWorld with the world's other
// options (links, their clock) taken from opts.
func startContainerWorldWith(t *testing.T, opts Options) *World {
	t.Helper()
	if testing.Short() {
		t.Skip("starts four SQL Server containers")
	}
	ctx := context.Background()
	if err := containers.Available(ctx); err != nil {
		t.Skipf("target containers needs Docker: %v", err)
	}
	topo, err := topologies.Load("embedded.yaml")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	opts.Topology, opts.Dir, opts.Target, opts.Logf = topo, t.TempDir(), TargetContainers, t.Logf
	w, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("container world (%d instances) started in %s", len(topo.Instances), time.Since(start).Round(time.Millisecond))
	t.Cleanup(func() {
		if err := w.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return w
}

// TestContainerWorldFailsOverForReal: the same failover as in process,
// with every SQL Server in its own container: mirroring between
// containers through the network's DNS, log shipping through the shared
// folder, the engine's failover plan over published ports.
func TestContainerWorldFailsOverForReal(t *testing.T) {
	w := startContainerWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if w.Target() != TargetContainers || w.SQLKind() != "simulator" {
		t.Fatalf("target %s kind %s", w.Target(), w.SQLKind())
	}
	for _, in := range w.Topology.Instances {
		inst, _ := w.Instance(in.Name)
		if b, ok := w.backend.(*containerBackend); !ok || b.slot(inst).ctr == nil || inst.srv.Engine() != nil {
			t.Fatalf("%s does not run in a container", in.Name)
		}
	}
	// The management endpoint too, served with the world's certificate
	// on the URL the engine was given.
	ep := w.Pool()
	if b, ok := w.backend.(*containerBackend); ep == nil || !ep.InContainer() || !ok || b.lyncContainer() == nil {
		t.Fatalf("the management endpoint does not run in a container: %v", ep)
	}
	if got := ep.URL() + "/wsman"; got != w.Topology.Management.URL || !strings.HasPrefix(got, "https://127.0.0.1:") || w.Topology.Management.InsecureSkipVerify {
		t.Errorf("endpoint %s, topology %s (skip verify %t)", got, w.Topology.Management.URL, w.Topology.Management.InsecureSkipVerify)
	}
	if err := w.FailOver(ctx, Scene{MessagesBefore: 10, MessagesDuring: 4}); err != nil {
		t.Fatal(err)
	}
	if st, err := w.Pool().State(ctx); err != nil || st.PoolState != "FailedOver" {
		t.Errorf("pool state %s %v", st.PoolState, err)
	}
	// Install-CsMirrorDatabase ran in the container and did its SQL side
	// over TDS: the backup mgc is mirrored to the backup-mirror instance as
	// in process.
	m, err := w.MirroringOf(ctx, topology.RoleBackup, "mgc")
	if err != nil || m.Role != "PRINCIPAL" || m.State != "SYNCHRONIZED" || !strings.Contains(strings.ToLower(m.Partner), "sqlbakmir") {
		t.Errorf("backup mgc mirroring %+v %v", m, err)
	}
	if mm, err := w.MirroringOf(ctx, topology.RoleBackupMirror, "mgc"); err != nil || mm.Role != "MIRROR" {
		t.Errorf("backup-mirror mgc mirroring %+v %v", mm, err)
	}
	if m, err := w.MirroringOf(ctx, topology.RoleBackup, "mgccomp"); err != nil || m.Role != "PRINCIPAL" || m.State != "SYNCHRONIZED" {
		t.Errorf("backup mgccomp mirroring %+v %v", m, err)
	}
	// The endpoint container did the cmdlet's SQL side itself over TDS:
	// nothing is emulated.
	for _, l := range w.Labels() {
		if l.Kind == LabelEmulated {
			t.Errorf("labels %v: want nothing emulated", w.Labels())
		}
	}
	// The endpoint's own record reaches the timeline.
	cmdlets := 0
	for _, e := range w.Timeline.Events() {
		if e.Component == "lync" && e.Kind == "cmdlet" && strings.Contains(e.Detail, "Install-CsMirrorDatabase") {
			cmdlets++
		}
	}
	if cmdlets != 2 {
		t.Errorf("the timeline has %d Install-CsMirrorDatabase cmdlet events from the endpoint, want 2", cmdlets)
	}
	requireLedgerOn(ctx, t, w, topology.RoleBackup, 14)
	// The rebuilt primary is a new container on the same address.
	pri, _ := w.InstanceByRole(topology.RolePrimary)
	addr := pri.Addr
	if err := w.RebuildPrimary(ctx); err != nil {
		t.Fatal(err)
	}
	if pri.Addr != addr || !pri.Up() {
		t.Errorf("rebuilt primary on %s (up %t), was %s", pri.Addr, pri.Up(), addr)
	}
}

// TestContainerWorldLabelsInProcessFaults: a fault that reaches into an
// in-process engine is refused as not applicable on containers, and the
// world remembers it for the report.
func TestContainerWorldLabelsInProcessFaults(t *testing.T) {
	w := startContainerWorld(t)
	bak, _ := w.InstanceByRole(topology.RoleBackup)
	err := w.SetShareUnreachable(bak, true)
	var na *NotApplicableError
	if !errors.As(err, &na) || !errors.Is(err, ErrNotApplicable) || na.Target != TargetContainers {
		t.Fatalf("share fault on a container: %v", err)
	}
	labels := w.Labels()
	if len(labels) != 1 || labels[0].Kind != LabelNotApplicable || !strings.Contains(labels[0].What, "share") {
		t.Errorf("labels %v", labels)
	}
	// Restarting under another Agent account is done for real: a new
	// container on the same data folder and port.
	ctx := context.Background()
	addr := bak.Addr
	if err := w.RestartAs(ctx, bak, `CONTOSO\other`); err != nil {
		t.Fatal(err)
	}
	master, err := w.DB(bak, "master")
	if err != nil {
		t.Fatal(err)
	}
	var acct string
	if err := master.QueryRowContext(ctx, "SELECT service_account FROM sys.dm_server_services WHERE servicename LIKE N'SQL Server Agent%'").Scan(&acct); err != nil {
		t.Fatal(err)
	}
	if acct != `CONTOSO\other` || bak.Addr != addr {
		t.Errorf("agent account %q on %s (was %s)", acct, bak.Addr, addr)
	}
}

// TestContainerWorldPoolEndpoint: the endpoint container answers the
// world's HTTP API (faults armed through it fire, a refused fault is an
// error), and a restart is a stop and start of the container on the same
// URL and certificate with the pool's configuration kept.
func TestContainerWorldPoolEndpoint(t *testing.T) {
	w := startContainerWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ep := w.Pool()
	if err := ep.Inject(ctx, lyncfake.Fault{Kind: "no-such-kind"}); err == nil {
		t.Error("the endpoint took a fault of an unknown kind")
	}
	c, err := w.PoolClient()
	if err != nil {
		t.Fatal(err)
	}
	p := w.Topology.Pool
	if err := ep.Inject(ctx, lyncfake.Fault{Kind: lyncfake.FaultFail, Cmdlet: "Set-CsPersistentChatActiveServer", Count: 1, Message: "injected"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetActiveServers(ctx, p.ActiveServerIdentity, p.FailoverActiveServers); err == nil || !strings.Contains(err.Error(), "injected") {
		t.Fatalf("the armed fault did not fire: %v", err)
	}
	if _, err := c.SetActiveServers(ctx, p.ActiveServerIdentity, p.FailoverActiveServers); err != nil {
		t.Fatal(err)
	}
	events, err := ep.Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fired := 0
	for _, e := range events {
		if e.Kind == pool.KindFault {
			fired++
		}
	}
	if fired != 1 {
		t.Errorf("%d faults fired, want 1", fired)
	}

	r, err := w.RestartablePool()
	if err != nil {
		t.Fatal(err)
	}
	url := ep.URL()
	if err := r.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if w.Pool().URL() != url {
		t.Errorf("restarted on %s, was %s", w.Pool().URL(), url)
	}
	st, err := w.Pool().State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := c.ReadActiveServers(ctx, p.FQDN) // the same client: same URL, same CA
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join(p.FailoverActiveServers, ",")
	if strings.Join(st.ActiveServers, ",") != want || strings.Join(got, ",") != want {
		t.Errorf("after the restart the pool has %v and reads back %v, want %s", st.ActiveServers, got, want)
	}
}

// TestContainerEndpointReadsSQL: the endpoint in its container reaches the
// SQL Server containers as a Front End would (network aliases, passwords
// in its environment): Get-CsDatabaseMirrorState shows the mirroring the
// world set up, SYNCHRONIZED.
func TestContainerEndpointReadsSQL(t *testing.T) {
	w := startContainerWorld(t)
	ctx := context.Background()
	if err := w.InstallStores(ctx, topology.RolePrimary); err != nil {
		t.Fatal(err)
	}
	if err := w.ConfigureMirroring(ctx, topology.RolePrimary, topology.RolePrimaryMirror); err != nil {
		t.Fatal(err)
	}
	if got, want := readMirrorState(t, w), (mirrorState{"mgc", "Principal", "Mirror", "synchronized", "synchronized"}); got != want {
		t.Errorf("Get-CsDatabaseMirrorState in the endpoint container: %+v, want %+v", got, want)
	}
	// What SQL Server holds, not what the endpoint recorded: mirroring
	// removed in T-SQL shows at once.
	_, master, err := w.masterByRole(topology.RolePrimary)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := master.ExecContext(ctx, "ALTER DATABASE [mgc] SET PARTNER OFF"); err != nil {
		t.Fatal(err)
	}
	const na = "DatabaseInaccessibleOrMirroringNotEnabled"
	if got := readMirrorState(t, w); got != (mirrorState{"mgc", na, na, "", ""}) {
		t.Errorf("after SET PARTNER OFF in T-SQL: %+v", got)
	}
}

// linkClock is a link clock that only moves when the link holds someone:
// the time a transfer took on the link is the clock's advance, whatever
// the machine's load.
type linkClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *linkClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *linkClock) Sleep(ctx context.Context, d time.Duration) error {
	if d > 0 {
		c.mu.Lock()
		c.now = c.now.Add(d)
		c.mu.Unlock()
	}
	return ctx.Err()
}

// TestContainerTrafficCrossesTheLink: with every SQL Server in a
// container, the engine's connections from its data center (dc1) to an
// instance in the other (dc2) go through the link's proxy in front of the
// container's published port and the link model behind it, so an answer
// of N bytes takes N·8/B plus the round trips on the link (within 5 %),
// and counts in the link's bytes, as in process; so do the management
// endpoint's SQL, the share's traffic and mirroring between the data
// centers (containerShareAndMirroringOnTheLink). One world for all: each
// start of the container world costs CI tens of seconds.
func TestContainerTrafficCrossesTheLink(t *testing.T) {
	clock := &linkClock{now: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)}
	w := startContainerWorldWith(t, Options{Links: true, WANClock: clock})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	link, ok := w.WANLink("dc1", "dc2")
	if !ok {
		t.Fatal("no WAN link dc1-dc2")
	}
	_, conn := backupConnFromDC1(ctx, t, w)
	const size = 4 << 20
	before, t0 := link.Stats(), clock.Now()
	var s string
	if err := conn.QueryRowContext(ctx, "SELECT REPLICATE(CONVERT(varchar(max), 'x'), 4194304)").Scan(&s); err != nil {
		t.Fatal(err)
	}
	took := clock.Now().Sub(t0)
	after := link.Stats()
	if len(s) != size {
		t.Fatalf("answer of %d bytes, want %d", len(s), size)
	}
	crossed, trips := after.Bytes-before.Bytes, after.RoundTrips-before.RoundTrips
	if crossed < size || crossed > size*105/100 {
		t.Errorf("a %d-byte answer from dc2 to dc1 put %d bytes on the link, want %d to %d (TDS framing and TLS)", size, crossed, size, size*105/100)
	}
	if trips < 1 || trips > 2 {
		t.Errorf("the query paid %d round trips on the link, want 1 (its request) or 2", trips)
	}
	want := time.Duration(float64(size)*8/(after.BandwidthMbps*1e6)*float64(time.Second)) + time.Duration(trips)*after.RTT
	if d := took - want; d < -want/20 || d > want/20 {
		t.Errorf("%d bytes over the link took %s on its clock, want %s within 5%% (%d B at %g Mbit/s plus %d round trips of %s)",
			size, took, want, size, after.BandwidthMbps, trips, after.RTT)
	}
	t.Logf("%d bytes: %d B and %d round trips on the link, %s on its clock (model %s)", size, crossed, trips, took, want)

	// The management endpoint's container stands in the engine's data
	// center too: its cmdlets' SQL to dc2's instances crosses the link
	// the same way (Get-CsDatabaseMirrorState reads the backup pair).
	in, _ := w.Topology.InstanceByRole(topology.RoleBackup)
	before = link.Stats()
	if _, errOut, code := runCmdlet(t, w, "Get-CsDatabaseMirrorState -PoolFqdn "+in.Host+" -DatabaseType PersistentChat | ConvertTo-Json -Compress"); code != 0 {
		t.Fatalf("Get-CsDatabaseMirrorState on %s in the endpoint container: exit %d %s", in.Host, code, errOut)
	}
	after = link.Stats()
	if b, rt := after.Bytes-before.Bytes, after.RoundTrips-before.RoundTrips; b == 0 || rt < 2 {
		t.Errorf("the endpoint's SQL to the dc2 instances put %d bytes and %d round trips on the link, want bytes and at least 2 round trips (a connection and a request)", b, rt)
	} else {
		t.Logf("the endpoint's SQL to dc2: %d B and %d round trips on the link", b, rt)
	}
	containerShareAndMirroringOnTheLink(ctx, t, w, clock)
}

// containerShareAndMirroringOnTheLink: the SQL Server containers' own
// traffic between the data centers crosses the link model as in process
// (wan_test.go): a backup written to the share (dc1) from the backup
// instance (dc2) and a restore that reads it there book their bytes on the
// link and take at least their bytes' time at the link's bandwidth (a
// congested link's, too), so does log shipping's copy job on dc2, a
// mirroring session between dc1 and dc2 carries its log records over it, and a cut link fails the share's I/O and stops
// the session until the link is back.
func containerShareAndMirroringOnTheLink(ctx context.Context, t *testing.T, w *World, clock *linkClock) {
	link, ok := w.WANLink("dc1", "dc2")
	if !ok {
		t.Fatal("no WAN link dc1-dc2")
	}
	if got := w.ShareDataCenter(); got != "dc1" {
		t.Fatalf("share data center %q, want dc1", got)
	}
	_, bak, err := w.masterByRole(topology.RoleBackup)
	if err != nil {
		t.Fatal(err)
	}
	const row = 200000
	for _, q := range []string{
		"CREATE DATABASE wantest",
		"CREATE TABLE wantest.dbo.t (id int IDENTITY PRIMARY KEY, v nvarchar(max))",
		"INSERT INTO wantest.dbo.t (v) VALUES (REPLICATE(CONVERT(nvarchar(max), N'x'), 200000))",
	} {
		if _, err := bak.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	file := w.Topology.Share.UNC + `\wantest_dc2.bak`
	before := link.Stats()
	if _, err := bak.ExecContext(ctx, "BACKUP DATABASE wantest TO DISK = '"+file+"' WITH INIT"); err != nil {
		t.Fatal(err)
	}
	if b := link.Stats().Bytes - before.Bytes; b < row {
		t.Errorf("a backup written from the dc2 container to the share in dc1 put %d bytes on the link, want at least the %d-byte row", b, row)
	} else {
		t.Logf("backup from dc2 to the share: %d B on the link", b)
	}
	// A congested link holds the read to its bandwidth.
	if err := w.SetLinkBandwidth("dc1", "dc2", 10); err != nil {
		t.Fatal(err)
	}
	before, t0 := link.Stats(), clock.Now()
	if _, err := bak.ExecContext(ctx, "RESTORE VERIFYONLY FROM DISK = '"+file+"'"); err != nil {
		t.Fatal(err)
	}
	took := clock.Now().Sub(t0)
	if b := link.Stats().Bytes - before.Bytes; b < row {
		t.Errorf("a restore reading the share in dc1 from the dc2 container put %d bytes on the link, want at least the %d-byte row", b, row)
	} else if least := time.Duration(float64(b) * 8 / 10e6 * float64(time.Second)); took < least {
		t.Errorf("a restore reading %d B over the link congested to 10 Mbit/s took %s on its clock, want at least %s", b, took, least)
	} else {
		t.Logf("restore read from the share in dc2 over the congested link: %d B on the link, %s on its clock", b, took)
	}
	if err := w.SetLinkBandwidth("dc1", "dc2", 0); err != nil {
		t.Fatal(err)
	}

	// Log shipping from the primary (dc1) to the backup instance (dc2):
	// the copy job reads the log backups from the share over the link.
	if err := w.InstallStores(ctx, topology.RolePrimary); err != nil {
		t.Fatal(err)
	}
	if err := w.ConfigureLogShipping(ctx); err != nil {
		t.Fatal(err)
	}
	_, priMaster, err := w.masterByRole(topology.RolePrimary)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := priMaster.ExecContext(ctx, "CREATE TABLE mgc.dbo.lstest (id int IDENTITY PRIMARY KEY, v nvarchar(max)); "+
		"INSERT INTO mgc.dbo.lstest (v) VALUES (REPLICATE(CONVERT(nvarchar(max), N'x'), 200000))"); err != nil {
		t.Fatal(err)
	}
	if err := w.BackUpLog(ctx); err != nil {
		t.Fatal(err)
	}
	before = link.Stats()
	if err := w.CopyAndRestoreLogs(ctx); err != nil {
		t.Fatal(err)
	}
	if b := link.Stats().Bytes - before.Bytes; b < row {
		t.Errorf("log shipping's copy job on the dc2 container put %d bytes on the link for a log backup holding a %d-byte row, want at least that", b, row)
	} else {
		t.Logf("log shipping's copy from the share to dc2: %d B on the link", b)
	}

	// Mirroring between the primary (dc1) and the backup-mirror (dc2).
	if b := mirrorRowAcrossTheLink(ctx, t, w, topology.RoleBackupMirror); b < 300000 {
		t.Errorf("mirroring between the dc1 and dc2 containers put %d bytes on the link for a 300 kB row, want at least 300000", b)
	} else {
		t.Logf("mirroring a 300 kB row from dc1 to dc2: %d B on the link", b)
	}

	// A cut link stops the session and fails the share's I/O from dc2.
	if err := w.CutLink("dc1", "dc2"); err != nil {
		t.Fatal(err)
	}
	waitMirrorState(ctx, t, w, "DISCONNECTED")
	if _, err := bak.ExecContext(ctx, "BACKUP DATABASE wantest TO DISK = '"+file+"' WITH INIT"); err == nil || !strings.Contains(err.Error(), "3201") && !strings.Contains(err.Error(), "Operating system error 53") {
		t.Errorf("a backup from dc2 to the share over a cut link: %v, want 3201 with operating system error 53", err)
	}
	if err := w.RestoreLink("dc1", "dc2"); err != nil {
		t.Fatal(err)
	}
	waitMirrorState(ctx, t, w, "SYNCHRONIZED")
}

// waitMirrorState waits until the primary's mgc mirroring is in state.
func waitMirrorState(ctx context.Context, t *testing.T, w *World, state string) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		m, err := w.MirroringOf(ctx, topology.RolePrimary, "mgc")
		if err == nil && m.State == state {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the primary's mgc mirroring is %+v (%v), want %s", m, err, state)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
