package loadtest

import (
	"database/sql"
	"testing"

	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sim/chat"
	"github.com/pchatdr/harness/sim/mssql/agent"
	"github.com/pchatdr/harness/sim/world"
	"github.com/pchatdr/harness/topologies"
)

// seed is the traffic's seed; the figures a run prints name it.
const seed = 42

// startWorld starts the embedded world the drill uses, closed with the
// test. clock drives the SQL Server Agents (nil: the wall clock).
func startWorld(t testing.TB, clock agent.Clock) *world.World {
	t.Helper()
	topo, err := topologies.Load("topologies/embedded.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w, err := world.Start(t.Context(), world.Options{Topology: topo, Dir: t.TempDir(), AgentClock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := w.Close(); err != nil {
			t.Errorf("close world: %v", err)
		}
	})
	return w
}

func openDB(t testing.TB, w *world.World, role topology.Role, database string) *sql.DB {
	t.Helper()
	inst, err := w.InstanceByRole(role)
	if err != nil {
		t.Fatal(err)
	}
	db, err := w.DB(inst, database)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// checkLedger fails the test unless mgc on the instance with role holds
// every message the chat servers acknowledged exactly once and nothing
// else (strict: the ledger saw every post of this world). Its session to
// mgc is closed afterwards: the failback's step 1 waits for every session
// to leave the backup mgc, as it would for an administrator's.
func checkLedger(t testing.TB, w *world.World, role topology.Role) chat.Report {
	t.Helper()
	db := openDB(t, w, role, "mgc")
	defer db.Close()
	r, err := w.Ledger.Check(t.Context(), db, true)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() {
		t.Errorf("mgc on the %s instance: %s", role, r)
	}
	if r.Acknowledged == 0 {
		t.Errorf("mgc on the %s instance: no message was acknowledged, the check proves nothing", role)
	}
	return r
}

// ackedIn counts acknowledgements by the chat servers of data center dc.
func ackedIn(w *world.World, s Stats, dc string) int {
	n := 0
	for _, sv := range w.Topology.Pool.Servers {
		if sv.DataCenter == dc {
			n += s.ByServer[sv.FQDN]
		}
	}
	return n
}

func dataCenterOf(t testing.TB, w *world.World, role topology.Role) string {
	t.Helper()
	in, ok := w.Topology.InstanceByRole(role)
	if !ok {
		t.Fatalf("no %s instance", role)
	}
	return in.DataCenter
}

// startTraffic starts the generator on the world and makes sure it stops
// (and its posts end) before the world closes.
func startTraffic(t testing.TB, w *world.World, cfg Config) *Generator {
	t.Helper()
	g, err := Start(t.Context(), w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Stop() })
	return g
}

// logStats prints a generator's figures.
func logStats(t testing.TB, what string, w *world.World, s Stats) {
	t.Helper()
	byDC := map[string]int{}
	for _, dc := range w.Topology.DataCenters {
		byDC[dc.Name] = ackedIn(w, s, dc.Name)
	}
	t.Logf("%s: %s (%.1f msg/s attempted); acknowledged by data center %v", what, s,
		float64(s.Attempted)/s.Elapsed.Seconds(), byDC)
	for _, e := range s.Errors {
		t.Logf("  failed post: %s", e)
	}
}
