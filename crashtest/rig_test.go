package crashtest

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/internal/testbin"
	"github.com/pchatdr/harness/sim/world"
	"github.com/pchatdr/harness/topologies"
)

var (
	buildOnce sync.Once
	engineBin string
	buildErr  error
)

// engine builds cmd/failback once per test binary, into a temp folder
// removed by TestMain.
func engine(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "crashtest-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binDir = dir
		bins, err := testbin.Build(dir, "cmd/failback")
		if err != nil {
			buildErr = fmt.Errorf("cmd/failback: %w", err)
			return
		}
		engineBin = bins[0]
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return engineBin
}

var binDir string

// TestMain runs up to 4 interrupted runs at once unless -parallel is given:
// each mostly waits (on the engine's state polls, the worlds' Agent jobs,
// process starts), so 2 cores (the default limit here) would leave the
// matrix idle most of its time.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		_ = flag.Set("test.parallel", "4")
	}
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// scene is the pre-failback history every world starts from.
var scene = world.Scene{MessagesBefore: 40, MessagesDuring: 25, Shortcut: true}

// rig is one world in the pre-failback state, its topology file for the
// engine, and the journal the engine processes share.
type rig struct {
	t       *testing.T
	w       *world.World
	dir     string
	topo    string
	journal string
	logs    bytes.Buffer // every engine process's stdout and stderr
}

func newRig(t *testing.T) *rig {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	top, err := topologies.Load("embedded.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w, err := world.Start(ctx, world.Options{Topology: top, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	r := &rig{t: t, w: w, dir: dir, topo: filepath.Join(dir, "topology.yaml"), journal: filepath.Join(dir, "failback.journal")}
	if err := w.FailOver(ctx, scene); err != nil {
		t.Fatal(err)
	}
	if err := w.RebuildPrimary(ctx); err != nil {
		t.Fatal(err)
	}
	if err := topology.WriteFile(r.topo, w.Topology); err != nil {
		t.Fatal(err)
	}
	return r
}

// proc is one engine process.
type proc struct {
	cmd  *exec.Cmd
	out  bytes.Buffer
	done chan struct{}
	err  error
}

// pollInterval is how often the engine's waits re-read the state: the
// scenarios' in-process engine polls every 100ms (steps/engine.go), the
// simulated deployment reacts in milliseconds. With the production default
// of 2s the matrix spent most of its time asleep between polls.
const pollInterval = "100ms"

// start runs `failback CMD` against the rig's topology and journal. The
// waits are generous: a step that never finishes is a test failure, not a
// timing choice.
func (r *rig) start(cmd string) *proc {
	r.t.Helper()
	p := &proc{done: make(chan struct{})}
	p.cmd = exec.Command(engine(r.t), cmd, "--topology", r.topo, "--journal", r.journal,
		"--confirm", r.w.Topology.Pool.FQDN, "--session-drain-timeout", "60s", "--chat-arrival-timeout", "60s", "--job-timeout", "60s",
		"--poll-interval", pollInterval)
	p.cmd.Dir = r.dir
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	if err := p.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	return p
}

// wait waits for the process and returns its exit code (-1 when killed).
func (r *rig) wait(p *proc) int {
	select {
	case <-p.done:
	case <-time.After(5 * time.Minute):
		p.cmd.Process.Kill()
		<-p.done
		r.t.Fatalf("engine still running after 5 minutes:\n%s", p.out.String())
	}
	fmt.Fprintf(&r.logs, "--- failback %s (exit %d)\n%s", p.cmd.Args[1], p.cmd.ProcessState.ExitCode(), p.out.String())
	return p.cmd.ProcessState.ExitCode()
}

// kill sends SIGKILL (no chance to journal or clean up) and reaps it.
func (r *rig) kill(p *proc) {
	_ = p.cmd.Process.Signal(syscall.SIGKILL) // already gone is fine
	r.wait(p)
}

// watch reads the journal as the engine appends to it until stop reports
// true for an event (the n-th line, 1-based) or the process exits. It
// synchronises on what the engine journalled, never on elapsed time: the
// 1ms poll only bounds how late the event is seen.
func (r *rig) watch(p *proc, stop func(n int, e failback.Event) bool) (failback.Event, bool) {
	var off int64
	var partial []byte
	n := 0
	scan := func() (failback.Event, bool) {
		f, err := os.Open(r.journal)
		if err != nil {
			return failback.Event{}, false
		}
		defer f.Close()
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			return failback.Event{}, false
		}
		b, _ := io.ReadAll(f)
		off += int64(len(b))
		partial = append(partial, b...)
		for {
			i := bytes.IndexByte(partial, '\n')
			if i < 0 {
				return failback.Event{}, false
			}
			line := partial[:i]
			partial = partial[i+1:]
			var e failback.Event
			if json.Unmarshal(line, &e) != nil || e.Kind == "" {
				continue
			}
			n++
			if stop(n, e) {
				return e, true
			}
		}
	}
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		if e, ok := scan(); ok {
			return e, true
		}
		select {
		case <-p.done:
			return scan()
		case <-tick.C:
		}
	}
}

// runKilledAfterStepEnd starts `failback run` and kills it right after
// its n-th step-end event; it returns that event.
func (r *rig) runKilledAfterStepEnd(n int) failback.Event {
	r.t.Helper()
	p := r.start("run")
	ends := 0
	e, ok := r.watch(p, func(_ int, e failback.Event) bool {
		if e.Kind == failback.KindStepEnd {
			ends++
		}
		return ends == n
	})
	r.kill(p)
	if !ok {
		r.t.Fatalf("the engine exited before step-end %d:\n%s", n, r.logs.String())
	}
	return e
}

// finish runs resume until the journal's run is done (at most twice: a
// resume after a kill must finish; one more covers a restart that made the
// first resume fail a step).
func (r *rig) finish() {
	r.t.Helper()
	for i := 0; i < 2; i++ {
		if r.wait(r.start("resume")) == 0 {
			return
		}
	}
	r.t.Fatalf("resume did not finish the failback:\n%s", r.logs.String())
}

// events reads the shared journal.
func (r *rig) events() []failback.Event {
	r.t.Helper()
	evs, _, err := failback.ReadJournalFile(r.journal)
	if err != nil {
		r.t.Fatal(err)
	}
	return evs
}

// endState is what must not depend on how the run got there: the world's
// fingerprint (database states, row counts, pool state and active list).
func (r *rig) endState() string {
	r.t.Helper()
	fp, err := r.w.Fingerprint(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	return fp
}

// check asserts the invariants of a finished failback and that the end
// state equals want (an uninterrupted run's; "" skips that comparison).
func (r *rig) check(want string) {
	r.t.Helper()
	ctx := context.Background()
	if got := r.endState(); want != "" && got != want {
		r.t.Errorf("end state differs from the uninterrupted run's:\n%s\nengine output:\n%s", diffLines(want, got), r.logs.String())
	}
	st, err := r.w.Pool().State(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	active := append([]string(nil), st.ActiveServers...)
	wantActive := append([]string(nil), r.w.Topology.Pool.ActiveServers...)
	sort.Strings(active)
	sort.Strings(wantActive)
	if string(st.PoolState) != "Normal" || strings.Join(active, ",") != strings.Join(wantActive, ",") {
		r.t.Errorf("pool %s with active %v, want Normal with %v", st.PoolState, active, wantActive)
	}
	pri, err := r.w.InstanceByRole(topology.RolePrimary)
	if err != nil {
		r.t.Fatal(err)
	}
	mgc, err := r.w.DB(pri, "mgc")
	if err != nil {
		r.t.Fatal(err)
	}
	rep, err := r.w.Ledger.Check(ctx, mgc, true)
	if err != nil {
		r.t.Fatal(err)
	}
	if !rep.OK() {
		r.t.Errorf("primary mgc against the ledger: %s", rep)
	}
	master, err := r.w.DB(pri, "master")
	if err != nil {
		r.t.Fatal(err)
	}
	var restores int
	if err := master.QueryRowContext(ctx, "SELECT COUNT(*) FROM msdb.dbo.restorehistory WHERE destination_database_name = N'mgc' AND [replace] = 1").Scan(&restores); err != nil {
		r.t.Fatal(err)
	}
	if restores != 1 {
		r.t.Errorf("msdb.dbo.restorehistory on the primary holds %d restores of mgc WITH REPLACE, want exactly 1", restores)
	}
	// Step 8 disables the primary's log-shipping backup job around
	// Install-CsMirrorDatabase; however the run got to its end, the job
	// is enabled again (the disaster-recovery copy gets its log backups).
	var enabled int
	if err := master.QueryRowContext(ctx, "SELECT enabled FROM msdb.dbo.sysjobs WHERE name = @p1", r.w.Topology.LogShipping.BackupJob).Scan(&enabled); err != nil {
		r.t.Fatal(err)
	}
	if enabled != 1 {
		r.t.Errorf("the log-shipping backup job %s on the primary is disabled after the failback", r.w.Topology.LogShipping.BackupJob)
	}
	if n := journalledRestores(r.events(), pri.Name); n > 1 {
		r.t.Errorf("the journals record %d successful RESTORE ... REPLACE over the primary mgc, want at most 1 (0 when killed mid-statement)", n)
	}
}

// journalledRestores counts successful restores over mgc sent to the
// primary instance, across every run in the journal.
func journalledRestores(evs []failback.Event, primary string) int {
	n := 0
	for _, e := range evs {
		if e.Kind == failback.KindSent && e.Target == primary && e.Error == "" &&
			strings.HasPrefix(e.Text, "RESTORE DATABASE [mgc]") && strings.Contains(e.Text, "REPLACE") {
			n++
		}
	}
	return n
}

func diffLines(want, got string) string {
	w := map[string]bool{}
	for _, l := range strings.Split(want, "\n") {
		w[l] = true
	}
	g := map[string]bool{}
	var b strings.Builder
	for _, l := range strings.Split(got, "\n") {
		g[l] = true
		if !w[l] {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	return b.String()
}
