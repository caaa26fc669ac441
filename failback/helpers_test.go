package failback_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/memory"
	"github.com/pchatdr/harness/failback/topology"
)

// clock is a fake clock that Sleep advances, so bounded waits run
// instantly and deterministically.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return nil
}

func repoFile(t testing.TB, rel string) string {
	// go test runs a package's tests in its folder; a path from
	// runtime.Caller would be wrong under -trimpath, which make test uses.
	return filepath.Join("..", rel)
}

func loadTopo(t testing.TB) *topology.Topology {
	t.Helper()
	topo, err := topology.Load(repoFile(t, "topologies/embedded.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return topo
}

type fixture struct {
	topo  *topology.Topology
	world *memory.World
	clock *clock
	env   *failback.Env
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	topo := loadTopo(t)
	w := memory.NewWorld(topo)
	c := newClock()
	w.Now = c.Now
	f := &fixture{topo: topo, world: w, clock: c}
	f.env = f.newEnv()
	return f
}

func (f *fixture) opts() failback.Options {
	return failback.Options{
		Now: f.clock.Now, Sleep: f.clock.Sleep, PollInterval: time.Second,
		SessionDrainTimeout: time.Minute, ChatArrivalTimeout: time.Minute, JobTimeout: time.Minute,
		Backoff: lync.Backoff{Attempts: 4, Initial: time.Millisecond, Max: time.Millisecond, Sleep: f.clock.Sleep},
	}
}

func (f *fixture) newEnv() *failback.Env { return f.world.Env(f.opts()) }

// recorder collects events.
type recorder struct {
	mu     sync.Mutex
	events []failback.Event
}

func (r *recorder) Event(e failback.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) all() []failback.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]failback.Event(nil), r.events...)
}

func (r *recorder) kind(k string) []failback.Event {
	var out []failback.Event
	for _, e := range r.all() {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// crashAndResume runs plan on f with a journal, cancels it right after the
// k-th phase or step end (a crash at that boundary), and resumes it from
// the journal on disk with a fresh runner, as an operator would. It checks
// what every crash must satisfy (interrupted, readable journal, resume
// succeeds under the same run id) and returns the journal's path. more is
// false once k is past the last boundary; resumed is false when the cancel
// came after the last event and there was nothing to resume.
func crashAndResume(t *testing.T, f *fixture, plan func() *failback.Plan, k int) (path string, resumed, more bool) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "j.jsonl")
	j, err := failback.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	seen := 0
	crash := failback.SinkFunc(func(e failback.Event) {
		if e.Kind == failback.KindPhase || e.Kind == failback.KindStepEnd {
			seen++
			if seen == k {
				cancel()
			}
		}
	})
	res, err := (&failback.Runner{Plan: plan(), Env: f.newEnv(), Journal: j, Sinks: []failback.Sink{crash}}).Run(ctx)
	j.Close()
	if err == nil {
		return path, false, seen >= k
	}
	if res.Outcome != failback.OutcomeInterrupted {
		t.Fatalf("k=%d: outcome %s (%v), want interrupted", k, res.Outcome, err)
	}
	prev, _, err := failback.ReadJournalFile(path)
	if err != nil {
		t.Fatalf("k=%d: journal unreadable after the crash: %v", k, err)
	}
	j2, err := failback.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	res2, err := (&failback.Runner{Plan: plan(), Env: f.newEnv(), Journal: j2, Previous: prev}).Run(context.Background())
	j2.Close()
	if err != nil {
		t.Fatalf("k=%d: resume: %v", k, err)
	}
	if res2.RunID != res.RunID {
		t.Errorf("k=%d: resume has run id %s, want %s", k, res2.RunID, res.RunID)
	}
	return path, true, true
}
