package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/memory"
	"github.com/pchatdr/harness/failback/topology"
)

// useFailoverWorld makes the CLI connect to an in-memory deployment whose
// primary data center was just lost.
// useFailoverWorld makes the CLI connect to one memory world, built on the
// first connect: arrange runs on it under its lock, then each of after
// (which may use the world's own locking methods, such as FailNext).
func useFailoverWorld(t *testing.T, arrange func(w *memory.World), after ...func(w *memory.World)) **memory.World {
	t.Helper()
	var world *memory.World
	old := connect
	t.Cleanup(func() { connect = old })
	connect = func(ctx context.Context, topo *topology.Topology, o failback.Options) (*failback.Connection, error) {
		if !o.PrimaryMayBeDown {
			t.Errorf("the failover connected without PrimaryMayBeDown")
		}
		if world == nil {
			world = memory.NewFailoverWorld(topo, memory.DefaultFailoverLogs)
			if arrange != nil {
				world.Lock(arrange)
			}
			for _, f := range after {
				f(world)
			}
		} else {
			world.Topo = topo
		}
		o.PollInterval, o.Backoff = time.Millisecond, lync.Backoff{Attempts: 3, Initial: time.Millisecond, Max: time.Millisecond}
		return &failback.Connection{Env: world.Env(o)}, nil
	}
	return &world
}

func TestFailoverCLI(t *testing.T) {
	dir := t.TempDir()
	j := filepath.Join(dir, "fo.jsonl")
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"plan", "--topology", topoFile, "--plan", "sideways"}, exitUsage, "unknown plan"},
		{[]string{"run", "--topology", topoFile, "--plan", "failover", "--journal", j}, exitUsage, "refusing without --confirm pchat.contoso.test"},
		{[]string{"run", "--topology", topoFile, "--plan", "failover", "--journal", j, "--confirm", pool}, exitUsage, "refusing without --primary-site-lost"},
		{[]string{"resume", "--topology", topoFile, "--plan", "failover", "--journal", j, "--confirm", pool}, exitUsage, "--primary-site-lost"},
		{[]string{"run", "--topology", topoFile, "--plan", "failover", "--journal", j, "--confirm", pool, "--force-with-live-primary"}, exitUsage,
			"--force-with-live-primary only goes with --plan failover --primary-site-lost"},
		{[]string{"plan", "--topology", topoFile, "--force-with-live-primary"}, exitUsage, "--force-with-live-primary only goes with"},
		{[]string{"help"}, exitDone, "--force-with-live-primary"},
	}
	useFailoverWorld(t, nil)
	for _, c := range cases {
		code, _, stderr := cli(c.args...)
		if code != c.code || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d (want %d), stderr %q lacks %q", c.args, code, c.code, stderr, c.msg)
		}
	}
	if _, err := os.Stat(j); err == nil {
		t.Error("a refused command created the journal")
	}

	code, out, stderr := cli("plan", "--topology", topoFile, "--plan", "failover")
	if code != exitDone {
		t.Fatalf("plan exit %d: %s", code, stderr)
	}
	for _, want := range []string{"sp_delete_log_shipping_secondary_database", "RESTORE LOG [mgc]", "RESTORE DATABASE [mgc] WITH RECOVERY",
		"-PoolState 'FailedOver'", "Install-CsMirrorDatabase", "precondition primary-site-lost"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q:\n%s", want, out)
		}
	}
	prom := filepath.Join(dir, "m.prom")
	code, _, stderr = cli("run", "--topology", topoFile, "--plan", "failover", "--journal", j, "--confirm", pool, "--primary-site-lost", "--metrics-textfile", prom)
	if code != exitDone || !strings.Contains(stderr, "failover of pchat.contoso.test done") {
		t.Fatalf("run exit %d: %s", code, stderr)
	}
	b, _ := os.ReadFile(prom)
	for _, want := range []string{`failback_runs_total{outcome="ok"} 1`, `failback_step_duration_seconds{step="recover-backup-mgc"}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("metrics lack %q:\n%s", want, b)
		}
	}
	if strings.Contains(string(b), "plan=") {
		t.Error("a plan label appeared on the metrics")
	}
	code, out, _ = cli("status", "--journal", j, "--plan", "failover")
	if code != exitDone || !strings.Contains(out, "plan failover") || !strings.Contains(out, "outcome: ok") {
		t.Errorf("status exit %d:\n%s", code, out)
	}
	if code, _, stderr = cli("status", "--journal", j, "--plan", "failback"); code != exitUsage || !strings.Contains(stderr, "holds a failover run") {
		t.Errorf("status with the wrong plan: exit %d %s", code, stderr)
	}
	if code, _, stderr = cli("resume", "--topology", topoFile, "--journal", j, "--confirm", pool); code != exitUsage || !strings.Contains(stderr, "pass --plan failover") {
		t.Errorf("resume of a failover journal as failback: exit %d %s", code, stderr)
	}
}

func TestFailoverCLIRefusedFailedResumed(t *testing.T) {
	t.Run("refused: pool already failed over", func(t *testing.T) {
		useFailoverWorld(t, func(w *memory.World) { w.Pool.State = lync.PoolFailedOver })
		j := filepath.Join(t.TempDir(), "j")
		code, _, stderr := cli("run", "--topology", topoFile, "--plan", "failover", "--journal", j, "--confirm", pool, "--primary-site-lost")
		if code != exitRefused || !strings.Contains(stderr, failback.PreNamePoolNormal) {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if code, _, _ = cli("plan", "--topology", topoFile, "--plan", "failover"); code != exitRefused {
			t.Fatalf("plan exit %d, want %d", code, exitRefused)
		}
	})
	t.Run("backup unreachable", func(t *testing.T) {
		old := connect
		defer func() { connect = old }()
		connect = func(context.Context, *topology.Topology, failback.Options) (*failback.Connection, error) {
			return nil, &failback.UnreachableError{What: "SQL instance sql-backup", Err: os.ErrDeadlineExceeded}
		}
		code, _, stderr := cli("run", "--topology", topoFile, "--plan", "failover", "--journal", filepath.Join(t.TempDir(), "j"), "--confirm", pool, "--primary-site-lost")
		if code != exitRefused || !strings.Contains(stderr, failback.PreNameBackupUp) {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	})
	t.Run("live writable primary: --primary-site-lost is not enough", func(t *testing.T) {
		w := useFailoverWorld(t, func(w *memory.World) { w.Instance("sql-primary").Down = false })
		j := filepath.Join(t.TempDir(), "j")
		code, _, stderr := cli("run", "--topology", topoFile, "--plan", "failover", "--journal", j, "--confirm", pool, "--primary-site-lost")
		if code != exitRefused || !strings.Contains(stderr, failback.PreNamePrimaryLost) || !strings.Contains(stderr, "--force-with-live-primary") {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if n := len((*w).Calls()); n != 0 {
			t.Fatalf("a refused failover made %d changes", n)
		}
		code, _, stderr = cli("run", "--topology", topoFile, "--plan", "failover", "--journal", filepath.Join(t.TempDir(), "j2"), "--confirm", pool,
			"--primary-site-lost", "--force-with-live-primary")
		if code != exitDone {
			t.Fatalf("with --force-with-live-primary: exit %d: %s", code, stderr)
		}
	})
	t.Run("failed then resumed", func(t *testing.T) {
		// The backup-mirror answers the precondition, then goes away before
		// Install-CsMirrorDatabase runs.
		w := useFailoverWorld(t, nil, func(w *memory.World) {
			w.FailNext("pool", "InstallMirrorDatabase", &lync.CmdletError{Command: "Install-CsMirrorDatabase", Message: "The server network address \"TCP://sqlbakmir.dc2.contoso.test:5022\" can not be reached or does not exist."})
		})
		j := filepath.Join(t.TempDir(), "j")
		code, _, stderr := cli("run", "--topology", topoFile, "--plan", "failover", "--journal", j, "--confirm", pool, "--primary-site-lost")
		if code != exitFailed || !strings.Contains(stderr, "--plan failover --primary-site-lost") || !strings.Contains(stderr, failback.StepInstallMirror) {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		code, _, stderr = cli("resume", "--topology", topoFile, "--plan", "failover", "--journal", j, "--confirm", pool, "--primary-site-lost")
		if code != exitDone {
			t.Fatalf("resume exit %d: %s", code, stderr)
		}
		_, out, _ := cli("status", "--journal", j, "--json")
		var s failback.Summary
		if err := json.Unmarshal([]byte(out), &s); err != nil || s.Outcome != failback.OutcomeOK || s.Invocations != 2 || s.Plan != failback.PlanFailover {
			t.Fatalf("status %+v %v", s, err)
		}
		if n := (*w).CountCalls("", "RecoverDatabase"); n != 1 {
			t.Errorf("%d recoveries", n)
		}
	})
	t.Run("default journal per plan", func(t *testing.T) {
		useFailoverWorld(t, nil)
		wd, _ := os.Getwd()
		tmp := t.TempDir()
		os.Chdir(tmp)
		defer os.Chdir(wd)
		topo, _ := filepath.Abs(filepath.Join(wd, topoFile))
		code, _, stderr := cli("run", "--topology", topo, "--plan", "failover", "--confirm", pool, "--primary-site-lost")
		if code != exitDone {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if _, err := os.Stat(filepath.Join(tmp, "failover-pchat.contoso.test.journal")); err != nil {
			t.Errorf("no failover journal: %v", err)
		}
		if _, err := os.Stat(filepath.Join(tmp, "failback-pchat.contoso.test.journal")); err == nil {
			t.Error("the failover wrote the failback's journal")
		}
		if code, out, _ := cli("status", "--topology", topo, "--plan", "failover"); code != exitDone || !strings.Contains(out, "plan failover") {
			t.Errorf("status by default journal: exit %d %s", code, out)
		}
	})
}
