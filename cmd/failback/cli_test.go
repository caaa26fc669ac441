package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/memory"
	"github.com/pchatdr/harness/failback/topology"
)

const topoFile = "../../topologies/embedded.yaml"
const pool = "pchat.contoso.test"

// useMemory makes the CLI connect to an in-memory world instead of the
// topology's real addresses.
func useMemory(t *testing.T, arrange func(w *memory.World)) *memory.World {
	t.Helper()
	var world *memory.World
	old := connect
	t.Cleanup(func() { connect = old })
	connect = func(ctx context.Context, topo *topology.Topology, o failback.Options) (*failback.Connection, error) {
		if world == nil {
			world = memory.NewWorld(topo)
			if arrange != nil {
				world.Lock(arrange)
			}
		} else {
			world.Topo = topo
		}
		o.PollInterval, o.Backoff = time.Millisecond, lync.Backoff{Attempts: 3, Initial: time.Millisecond, Max: time.Millisecond}
		return &failback.Connection{Env: world.Env(o)}, nil
	}
	return nil
}

func cli(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageAndConfirm(t *testing.T) {
	useMemory(t, nil)
	j := filepath.Join(t.TempDir(), "j")
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{nil, exitUsage, "usage"},
		{[]string{"explode"}, exitUsage, "unknown command"},
		{[]string{"run", "--topology", topoFile, "--journal", j}, exitUsage, "refusing without --confirm pchat.contoso.test"},
		{[]string{"run", "--topology", topoFile, "--journal", j, "--confirm", "other.contoso.test"}, exitUsage, "does not match"},
		{[]string{"resume", "--topology", topoFile, "--journal", j}, exitUsage, "--confirm"},
		{[]string{"run", "--confirm", pool}, exitUsage, "--topology is required"},
		{[]string{"plan", "--topology", "/nonexistent.yaml"}, exitUsage, "no such file"},
		{[]string{"plan", "--topology", topoFile, "--bogus"}, exitUsage, "bogus"},
		{[]string{"resume", "--topology", topoFile, "--journal", j, "--confirm", pool}, exitUsage, "no such file"},
		{[]string{"status", "--journal", j}, exitUsage, "no such file"},
	}
	for _, c := range cases {
		code, _, stderr := cli(c.args...)
		if code != c.code || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d (want %d), stderr %q lacks %q", c.args, code, c.code, stderr, c.msg)
		}
	}
	if _, err := os.Stat(j); err == nil {
		t.Error("a refused command created the journal")
	}
}

func TestPlanRunStatus(t *testing.T) {
	setSecrets(t)
	useMemory(t, nil)
	dir := t.TempDir()
	j := filepath.Join(dir, "j.jsonl")
	prom := filepath.Join(dir, "m.prom")
	code, out, stderr := cli("plan", "--topology", topoFile)
	if code != exitDone {
		t.Fatalf("plan exit %d: %s", code, stderr)
	}
	// The topology names no product: plan says which it assumed, and every
	// cmdlet script imports that product's module.
	for _, want := range []string{"ALTER DATABASE [mgc] SET PARTNER OFF", "-ActiveServers $null", "sp_add_log_shipping_primary_database", "-PoolState 'Normal'", "precondition share-reachable",
		"Skype for Business Server 2015 (assumed: the topology has no pool.product", "Import-Module SkypeForBusiness; Set-CsPersistentChatActiveServer"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q", want)
		}
	}
	code, out, stderr = cli("run", "--topology", topoFile, "--journal", j, "--confirm", pool, "--json", "--metrics-textfile", prom)
	if code != exitDone {
		t.Fatalf("run exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "step 4 restore-primary-mgc") {
		t.Errorf("no progress line per step on stderr: %s", stderr)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		var e failback.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Kind == "" {
			t.Fatalf("stdout line is not an event: %q", sc.Text())
		}
		n++
	}
	if n < 20 {
		t.Errorf("only %d JSON events", n)
	}
	b, err := os.ReadFile(prom)
	if err != nil || !strings.Contains(string(b), `failback_runs_total{outcome="ok"} 1`) || !strings.Contains(string(b), "failback_rto_objective_seconds 300") {
		t.Errorf("metrics textfile: %v\n%s", err, b)
	}
	code, out, _ = cli("status", "--journal", j)
	if code != exitDone || !strings.Contains(out, "outcome: ok") {
		t.Errorf("status exit %d:\n%s", code, out)
	}
	code, _, stderr = cli("run", "--topology", topoFile, "--journal", j, "--confirm", pool)
	if code != exitUsage || !strings.Contains(stderr, "use `failback resume`") {
		t.Errorf("second run on the same journal: exit %d %s", code, stderr)
	}
}

func setSecrets(t *testing.T) {
	for _, v := range []string{"PCHAT_SQL_PRIMARY_PASSWORD", "PCHAT_SQL_BACKUP_PASSWORD", "PCHAT_LYNC_PASSWORD"} {
		t.Setenv(v, "pw")
	}
}

func TestRefusedAndFailedAndResume(t *testing.T) {
	t.Run("refused", func(t *testing.T) {
		useMemory(t, func(w *memory.World) { w.Pool.State = lync.PoolNormal })
		j := filepath.Join(t.TempDir(), "j")
		code, _, stderr := cli("run", "--topology", topoFile, "--journal", j, "--confirm", pool)
		if code != exitRefused || !strings.Contains(stderr, "pool-failed-over") {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		code, _, _ = cli("plan", "--topology", topoFile)
		if code != exitRefused {
			t.Fatalf("plan exit %d, want %d", code, exitRefused)
		}
	})
	t.Run("unreachable primary", func(t *testing.T) {
		old := connect
		defer func() { connect = old }()
		connect = func(context.Context, *topology.Topology, failback.Options) (*failback.Connection, error) {
			return nil, &failback.UnreachableError{What: "SQL instance sql-primary", Err: syscall.ECONNREFUSED}
		}
		code, _, stderr := cli("run", "--topology", topoFile, "--journal", filepath.Join(t.TempDir(), "j"), "--confirm", pool)
		if code != exitRefused || !strings.Contains(stderr, failback.PreNameDataCenterBack) {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	})
	t.Run("unreachable backup", func(t *testing.T) {
		old := connect
		defer func() { connect = old }()
		connect = func(context.Context, *topology.Topology, failback.Options) (*failback.Connection, error) {
			return nil, &failback.UnreachableError{What: "SQL instance sql-backup (backup)", Role: topology.RoleBackup, Err: syscall.ETIMEDOUT}
		}
		code, _, stderr := cli("run", "--topology", topoFile, "--journal", filepath.Join(t.TempDir(), "j"), "--confirm", pool)
		if code != exitRefused || !strings.Contains(stderr, failback.PreNameBackupReachable) || !strings.Contains(stderr, "the backup instance does not answer") ||
			strings.Contains(stderr, failback.PreNameDataCenterBack) {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if code, _, stderr = cli("plan", "--topology", topoFile); code != exitRefused || !strings.Contains(stderr, failback.PreNameBackupReachable) {
			t.Fatalf("plan exit %d: %s", code, stderr)
		}
	})
	t.Run("failed then resumed", func(t *testing.T) {
		var world *memory.World
		useMemory(t, func(w *memory.World) {
			world = w
			w.Pool.StuckSessions = true
		})
		j := filepath.Join(t.TempDir(), "j")
		code, _, stderr := cli("run", "--topology", topoFile, "--journal", j, "--confirm", pool, "--session-drain-timeout", "5ms")
		if code != exitFailed || !strings.Contains(stderr, "failback resume") {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		world.Lock(func(w *memory.World) { w.Pool.StuckSessions = false })
		code, _, stderr = cli("resume", "--topology", topoFile, "--journal", j, "--confirm", pool)
		if code != exitDone {
			t.Fatalf("resume exit %d: %s", code, stderr)
		}
		_, out, _ := cli("status", "--journal", j, "--json")
		var s failback.Summary
		if err := json.Unmarshal([]byte(out), &s); err != nil || s.Outcome != failback.OutcomeOK || s.Invocations != 2 {
			t.Fatalf("status %+v %v", s, err)
		}
	})
}

func TestLoopbackOnlyUnencrypted(t *testing.T) {
	for u, want := range map[string]bool{"http://127.0.0.1:5985/wsman": true, "http://[::1]:1/wsman": true, "http://localhost/wsman": true,
		"http://fe01.contoso.com:5985/wsman": false, "http://10.0.0.1/wsman": false} {
		if got := failback.IsLoopbackURL(u); got != want {
			t.Errorf("%s: %v", u, got)
		}
	}
	_ = errors.New
}

// The wait flags reach the engine's options: the crash matrix runs the
// engine with a short --poll-interval, as the scenarios run it in process.
func TestWaitFlagsReachOptions(t *testing.T) {
	var got failback.Options
	old := connect
	t.Cleanup(func() { connect = old })
	connect = func(ctx context.Context, topo *topology.Topology, o failback.Options) (*failback.Connection, error) {
		got = o
		return nil, errors.New("stop here")
	}
	cli("plan", "--topology", topoFile, "--poll-interval", "150ms", "--job-timeout", "7s",
		"--session-drain-timeout", "8s", "--chat-arrival-timeout", "9s")
	if got.PollInterval != 150*time.Millisecond || got.JobTimeout != 7*time.Second ||
		got.SessionDrainTimeout != 8*time.Second || got.ChatArrivalTimeout != 9*time.Second {
		t.Errorf("options %+v: want poll 150ms, job 7s, drain 8s, arrival 9s", got)
	}
}
