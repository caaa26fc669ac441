package loadtest

import (
	"testing"
	"time"

	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/mutants"
	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sim/world"
)

// TestSteadyChatThroughFailback keeps users posting at a steady rate while
// the real engine fails the pool back: into the backup mgc while failed
// over, refused while the active list is empty and the primary mgc is
// restored, into the restored primary once the pool is Normal. Afterwards
// the primary mgc must hold every acknowledged message of the world's
// whole life exactly once, and nothing else.
func TestSteadyChatThroughFailback(t *testing.T) {
	rate, lead, tail := 50.0, 2*time.Second, 2*time.Second
	if testing.Short() {
		rate, lead, tail = 20, time.Second, time.Second
	}
	ctx := t.Context()
	begin := time.Now()
	w := startWorld(t, nil)
	if err := w.FailOver(ctx, world.Scene{MessagesBefore: 40, MessagesDuring: 25}); err != nil {
		t.Fatal(err)
	}
	if err := w.RebuildPrimary(ctx); err != nil {
		t.Fatal(err)
	}
	scene := w.Ledger.Len()

	g := startTraffic(t, w, Config{Rate: rate, Seed: seed})
	if err := lync.Sleep(ctx, lead); err != nil {
		t.Fatal(err)
	}
	atStart := g.Stats()
	run, err := RunFailback(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	atNormal := g.Stats()
	if err := lync.Sleep(ctx, tail); err != nil {
		t.Fatal(err)
	}
	final := g.Stop()

	logStats(t, "traffic", w, final)
	t.Logf("failback %s in %s (engine-measured chat outage %s); %d acknowledged before the engine started, %d after the pool was Normal",
		run.Result.Outcome, run.Result.Duration.Round(time.Millisecond), run.Outage.Round(time.Millisecond),
		atStart.Acknowledged, final.Acknowledged-atNormal.Acknowledged)

	if got, want := w.Ledger.Len(), scene+final.Acknowledged; got != want {
		t.Errorf("ledger holds %d messages, want %d (%d from the scene + %d the traffic saw acknowledged)", got, want, scene, final.Acknowledged)
	}
	r := checkLedger(t, w, topology.RolePrimary)
	t.Logf("primary mgc: %s (%d stored); wall time %s", r, r.Stored, time.Since(begin).Round(time.Millisecond))

	// The check above only means something if the traffic really ran on
	// both sides of the outage and through it.
	if n := ackedIn(w, atStart, dataCenterOf(t, w, topology.RoleBackup)); n == 0 {
		t.Errorf("no post was acknowledged by the backup data center's servers before the failback (%s)", atStart)
	}
	if n := final.Acknowledged - atNormal.Acknowledged; n == 0 {
		t.Errorf("no post was acknowledged after the pool was Normal: traffic never resumed (%s)", final)
	}
	if n := ackedIn(w, final, dataCenterOf(t, w, topology.RolePrimary)); n == 0 {
		t.Errorf("no post was acknowledged by the primary data center's servers (%s)", final)
	}
	if final.Refused == 0 {
		t.Errorf("no post was refused: the traffic did not run through the outage (%s)", final)
	}
	if final.Failed > 0 {
		t.Errorf("%d posts failed with something other than a refusal (first: %q)", final.Failed, final.Errors)
	}
}

// BenchmarkChatThroughFailback times the failback under 50 messages a
// second of chat traffic (the world, the failover and the rebuild are
// set up outside the timer) and reports the engine-measured chat outage
// and how many posts were refused during it: what users feel, as the
// traffic sees it.
func BenchmarkChatThroughFailback(b *testing.B) {
	var outage time.Duration
	refused := 0
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		w := startWorld(b, nil)
		ctx := b.Context()
		if err := w.FailOver(ctx, world.Scene{MessagesBefore: 40, MessagesDuring: 25, Shortcut: true}); err != nil {
			b.Fatal(err)
		}
		if err := w.RebuildPrimary(ctx); err != nil {
			b.Fatal(err)
		}
		g := startTraffic(b, w, Config{Rate: 50, Seed: seed})
		b.StartTimer()
		run, err := RunFailback(ctx, w)
		b.StopTimer()
		s := g.Stop()
		if err != nil {
			b.Fatal(err)
		}
		r := checkLedger(b, w, topology.RolePrimary)
		if !r.OK() {
			b.Fatalf("primary mgc: %s", r)
		}
		outage += run.Outage
		refused += s.Refused
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(outage.Seconds()*1000/float64(b.N), "outage-ms/op")
	b.ReportMetric(float64(refused)/float64(b.N), "refused/op")
}

// TestLoadSeesSkipClearActive runs a wrong engine under the same traffic:
// the skip-clear-active mutant (failback/mutants) never clears the active
// list, so users keep posting into the backup mgc after its backup was
// taken. The ledger check must name those messages lost on the primary,
// whatever the engine itself noticed: the load test can fail.
func TestLoadSeesSkipClearActive(t *testing.T) {
	rate := 50.0
	if testing.Short() {
		rate = 20
	}
	m, ok := mutants.ByName("skip-clear-active")
	if !ok {
		t.Fatal("no skip-clear-active mutant")
	}
	ctx := t.Context()
	w := startWorld(t, nil)
	if err := w.FailOver(ctx, world.Scene{MessagesBefore: 40, MessagesDuring: 25, Shortcut: true}); err != nil {
		t.Fatal(err)
	}
	if err := w.RebuildPrimary(ctx); err != nil {
		t.Fatal(err)
	}
	g := startTraffic(t, w, Config{Rate: rate, Seed: seed})
	if err := lync.Sleep(ctx, time.Second); err != nil {
		t.Fatal(err)
	}
	_, engineErr := RunPlan(ctx, w, mutants.Bounded(m.Plan(), 10*time.Second))
	if err := lync.Sleep(ctx, time.Second); err != nil {
		t.Fatal(err)
	}
	s := g.Stop()
	db := openDB(t, w, topology.RolePrimary, "mgc")
	defer db.Close()
	r, err := w.Ledger.Check(ctx, db, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("mutant %s: engine: %v; traffic: %s; primary mgc: %s", m.Name, engineErr, s, r)
	if len(r.Lost) == 0 {
		t.Errorf("the ledger check found nothing lost under a mutant that leaves users posting into the backup mgc after its backup: %s", r)
	}
}
