package lab_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/microsoft/go-mssqldb"
	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/internal/testbin"
	"github.com/pchatdr/harness/sim/containers"
	"github.com/pchatdr/harness/sim/mssql"
)

// The end-to-end tests drive the operator's path with the real commands,
// each a process: `lab up` (what `make lab` runs), the `failback` commands
// it prints, `lab check` (make lab-check), `lab down` (make lab-down); and
// then check that nothing the lab started is left.

var bins struct {
	once               sync.Once
	dir, lab, failback string
	err                error
}

// binaries builds cmd/lab and cmd/failback once per test binary.
func binaries(t *testing.T) (labBin, failbackBin string) {
	t.Helper()
	bins.once.Do(func() {
		dir, err := os.MkdirTemp("", "lab-e2e-bin-")
		if err != nil {
			bins.err = err
			return
		}
		bins.dir = dir
		b, err := testbin.Build(dir, "cmd/lab", "cmd/failback")
		if err != nil {
			bins.err = err
			return
		}
		bins.lab, bins.failback = b[0], b[1]
	})
	if bins.err != nil {
		t.Fatal(bins.err)
	}
	return bins.lab, bins.failback
}

func TestMain(m *testing.M) {
	os.Setenv(containers.RyukEnv, "true")
	tclog.SetDefault(tclog.NewNoopLogger()) // containers.Available's banner
	code := m.Run()
	if bins.dir != "" {
		os.RemoveAll(bins.dir)
	}
	os.Exit(code)
}

// syncBuffer collects a process's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// labProc is a running `lab up`.
type labProc struct {
	t        *testing.T
	cmd      *exec.Cmd
	dir      string
	out      syncBuffer // stdout and stderr
	done     chan struct{}
	topology string   // from "lab ready: topology <path>"
	commands []string // the failback command lines it printed
}

// startLab runs `lab up --dir <temp> args...` and waits for its
// "lab ready" line. Whatever happens, the test's clean-up leaves no lab
// process and no lab folder behind.
func startLab(t *testing.T, args ...string) *labProc {
	t.Helper()
	labBin, failbackBin := binaries(t)
	p := &labProc{t: t, dir: filepath.Join(t.TempDir(), ".lab"), done: make(chan struct{})}
	p.cmd = exec.Command(labBin, append([]string{"up", "--dir", p.dir, "--failback-cmd", failbackBin, "--rate", "20"}, args...)...)
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = &p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(&p.out, line)
			if path, ok := strings.CutPrefix(line, "lab ready: topology "); ok {
				ready <- path
			}
			if rest, ok := strings.CutPrefix(line, "  "+failbackBin+" "); ok {
				p.commands = append(p.commands, rest)
			}
		}
		_ = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(p.cleanup)
	select {
	case p.topology = <-ready:
	case <-p.done:
		t.Fatalf("lab up exited (%v) before it was ready:\n%s", p.cmd.ProcessState, p.out.String())
	case <-time.After(5 * time.Minute):
		t.Fatalf("lab up not ready after 5 minutes:\n%s", p.out.String())
	}
	t.Logf("lab ready: topology %s (%d failback commands printed)", p.topology, len(p.commands))
	return p
}

// cleanup stops a lab a failed test left running, then runs lab down for
// whatever it left.
func (p *labProc) cleanup() {
	select {
	case <-p.done:
	default:
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(3 * time.Minute):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
	if _, err := os.Stat(p.dir); err == nil {
		labBin, _ := binaries(p.t)
		out, _ := exec.Command(labBin, "down", "--dir", p.dir).CombinedOutput()
		p.t.Logf("clean-up: lab down:\n%s", out)
	}
	if p.t.Failed() {
		p.t.Logf("lab up's output:\n%s", p.out.String())
	}
}

// command returns the printed failback command that starts with verb.
func (p *labProc) command(verb string) []string {
	p.t.Helper()
	for _, c := range p.commands {
		c, _, _ = strings.Cut(c, "#") // the comment the lab prints beside it
		if f := strings.Fields(c); len(f) > 0 && f[0] == verb {
			return f
		}
	}
	p.t.Fatalf("lab up printed no `failback %s` command; it printed %q", verb, p.commands)
	return nil
}

// wait waits for lab up to exit and returns its exit code.
func (p *labProc) wait(d time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(d):
		p.t.Fatalf("lab up still running %s after lab down:\n%s", d, p.out.String())
		return -1
	}
}

// run runs a command to its end and returns its combined output and exit
// code.
func run(t *testing.T, bin string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
	t.Logf("$ %s %s  (exit %d)", filepath.Base(bin), strings.Join(args, " "), cmd.ProcessState.ExitCode())
	return string(out), cmd.ProcessState.ExitCode()
}

func mustContain(t *testing.T, what, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("%s: no %q in:\n%s", what, w, out)
		}
	}
}

// figure reads "<name>: N" from lab check's output.
func figure(t *testing.T, out, name string) int {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `: (\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("lab check printed no %q line:\n%s", name, out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// leftovers is what a lab listens on: every SQL instance, the management
// endpoint and the control endpoint, read while it runs.
func leftovers(t *testing.T, p *labProc) []string {
	t.Helper()
	top, err := topology.Load(p.topology)
	if err != nil {
		t.Fatal(err)
	}
	var addrs []string
	for _, in := range top.Instances {
		addrs = append(addrs, in.Address)
	}
	u, err := url.Parse(top.Management.URL)
	if err != nil {
		t.Fatal(err)
	}
	addrs = append(addrs, u.Host)
	b, err := os.ReadFile(filepath.Join(p.dir, "lab.json"))
	if err != nil {
		t.Fatal(err)
	}
	var st struct{ Control string }
	if err := json.Unmarshal(b, &st); err != nil || st.Control == "" {
		t.Fatalf("lab.json: %v %q", err, b)
	}
	return append(addrs, st.Control)
}

// assertGone checks that the lab left nothing: its process, its folder,
// anything listening on its addresses, and (containers) any container or
// network it owned.
func assertGone(t *testing.T, p *labProc, addrs []string) {
	t.Helper()
	if err := syscall.Kill(p.cmd.Process.Pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("lab process %d still exists (kill 0: %v)", p.cmd.Process.Pid, err)
	}
	if _, err := os.Stat(p.dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lab folder %s still exists (%v)", p.dir, err)
	}
	for _, a := range addrs {
		if c, err := net.DialTimeout("tcp", a, 2*time.Second); err == nil {
			c.Close()
			t.Errorf("something still listens on %s, where the lab listened", a)
		}
	}
}

// deleteOneMessage removes one stored chat message from the primary mgc
// through the lab's topology, as a faulty procedure would lose it.
func deleteOneMessage(t *testing.T, topoFile string) {
	t.Helper()
	top, err := topology.Load(topoFile)
	if err != nil {
		t.Fatal(err)
	}
	in, ok := top.InstanceByRole(topology.RolePrimary)
	if !ok {
		t.Fatal("no primary instance in the lab's topology")
	}
	pw, err := in.Password.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlserver", mssql.DSN(in.Address, in.User, pw, "mgc"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec("DELETE TOP (1) FROM dbo.tblChat")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("deleted %d messages, want 1", n)
	}
}

// failBack runs the printed plan, run and status commands and checks the
// lab's chat history afterwards; it returns lab check's output.
func failBack(t *testing.T, p *labProc) string {
	t.Helper()
	labBin, failbackBin := binaries(t)
	out, code := run(t, failbackBin, p.command("plan")...)
	if code != 0 {
		t.Fatalf("failback plan: exit %d, want 0:\n%s", code, out)
	}
	if n := strings.Count(out, ": ok"); n < 9 || strings.Contains(out, "refused") {
		t.Errorf("failback plan: %d preconditions ok, want every one (at least 9) and none refused:\n%s", n, out)
	}
	runArgs := p.command("run")
	if i := indexOf(runArgs, "--confirm"); i < 0 || i+1 >= len(runArgs) || runArgs[i+1] != "pchat.contoso.test" {
		t.Errorf("printed run command %q lacks --confirm pchat.contoso.test", runArgs)
	}
	out, code = run(t, failbackBin, runArgs...)
	if code != 0 {
		t.Fatalf("failback run: exit %d, want 0:\n%s", code, out)
	}
	mustContain(t, "failback run", out, "step 7 pool-normal", "failback of pchat.contoso.test done")
	out, code = run(t, failbackBin, p.command("status")...)
	if code != 0 {
		t.Errorf("failback status: exit %d, want 0:\n%s", code, out)
	}
	// The printed report command, written to a temporary folder instead
	// of the repository's report/.
	rep := p.command("report")
	if i := indexOf(rep, "--out"); i < 0 || i+1 >= len(rep) || !strings.HasPrefix(rep[i+1], "report/lab-") {
		t.Errorf("printed report command %q does not write to report/lab-...", rep)
	} else {
		rep[i+1] = filepath.Join(t.TempDir(), "evidence")
		out, code = run(t, failbackBin, rep...)
		if code != 0 {
			t.Errorf("failback report: exit %d, want 0:\n%s", code, out)
		} else if _, err := os.Stat(filepath.Join(rep[i+1], "report.html")); err != nil {
			t.Errorf("failback report wrote no report.html: %v\n%s", err, out)
		}
	}
	// The traffic goes on after the failback: wait until the primary data
	// center's servers have acknowledged some of it (bounded: a pool that
	// never comes back fails here).
	deadline := time.Now().Add(time.Minute)
	for {
		out, code = run(t, labBin, "check", "--dir", p.dir)
		if code != 0 {
			t.Fatalf("lab check after the failback: exit %d, want 0:\n%s", code, out)
		}
		if figure(t, out, "acknowledged") > 0 && afterFailback(t, out) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no message acknowledged after the failback within a minute:\n%s", out)
		}
		time.Sleep(time.Second)
	}
	return out
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// afterFailback reads the "after" figure of lab check's acknowledged line.
func afterFailback(t *testing.T, out string) int {
	t.Helper()
	m := regexp.MustCompile(`acknowledged: \d+ \(before the failback (\d+), during (\d+), after (\d+)\)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("lab check printed no acknowledged line with phases:\n%s", out)
	}
	n, _ := strconv.Atoi(m[3])
	return n
}

// TestLabFailbackEndToEnd is the operator's path on the embedded target:
// make lab, the printed failback plan/run/status, make lab-check (which
// must also catch a lost message), make lab-down, nothing left.
func TestLabFailbackEndToEnd(t *testing.T) {
	t.Parallel()
	labBin, _ := binaries(t)
	p := startLab(t)
	mustContain(t, "lab up", p.out.String(), "pool pchat.contoso.test is FailedOver", "Rehearse the failback")
	if len(p.commands) != 4 {
		t.Errorf("lab up printed %d failback commands, want plan, run, status, report: %q", len(p.commands), p.commands)
	}
	for _, c := range p.commands {
		mustContain(t, "printed command", c, "--topology "+p.topology, "--journal "+filepath.Join(p.dir, "failback.journal"))
	}
	secrets, err := filepath.Glob(filepath.Join(p.dir, "world", "secrets", "*.password"))
	if err != nil || len(secrets) == 0 {
		t.Fatalf("no secret files (%v)", err)
	}
	for _, f := range append(secrets, p.topology, filepath.Join(p.dir, "lab.json")) {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v (%v), want 0600", f, fi.Mode().Perm(), err)
		}
	}

	out := failBack(t, p)
	mustContain(t, "lab check", out, "pool Normal", "checked mgc on sql-primary", "lost: 0 ", "duplicated: 0", "lab check: OK")
	if n := figure(t, out, "stored in mgc"); n < 65 {
		t.Errorf("the primary mgc holds %d messages, want at least the scene's 65", n)
	}
	if m := regexp.MustCompile(`(\d+) refused`).FindStringSubmatch(out); m == nil || m[1] == "0" {
		t.Errorf("no post was refused: the traffic did not run through the failback's outage:\n%s", out)
	}

	// lab check must be able to fail: one stored message deleted is one lost.
	deleteOneMessage(t, p.topology)
	out, code := run(t, labBin, "check", "--dir", p.dir)
	if code != 1 {
		t.Errorf("lab check after a message was deleted: exit %d, want 1:\n%s", code, out)
	}
	mustContain(t, "lab check (one message deleted)", out, "lost: 1 ", "lab check: FAILED")

	addrs := leftovers(t, p)
	out, code = run(t, labBin, "down", "--dir", p.dir)
	if code != 0 {
		t.Fatalf("lab down: exit %d:\n%s", code, out)
	}
	mustContain(t, "lab down", out, "stopped everything it started")
	if code := p.wait(time.Minute); code != 0 {
		t.Errorf("lab up exited %d after lab down, want 0:\n%s", code, p.out.String())
	}
	mustContain(t, "lab up", p.out.String(), "lab stopped; removed")
	assertGone(t, p, addrs)
}

// TestLabThatDiedIsCleanedUp: a lab killed without warning is reported as
// dead by lab check, refused as a place to start another lab, and cleaned
// up by lab down. It also starts from the normal state, where the failback
// plan must refuse (nothing to fail back).
func TestLabThatDiedIsCleanedUp(t *testing.T) {
	t.Parallel()
	labBin, failbackBin := binaries(t)
	p := startLab(t, "--state", "normal")
	mustContain(t, "lab up", p.out.String(), "pool pchat.contoso.test is Normal")
	out, code := run(t, failbackBin, p.command("plan")...)
	if code != 2 {
		t.Errorf("failback plan on a Normal pool: exit %d, want 2 (precondition refused):\n%s", code, out)
	}
	out, code = run(t, labBin, "check", "--dir", p.dir)
	if code != 0 {
		t.Errorf("lab check on the normal lab: exit %d:\n%s", code, out)
	}
	mustContain(t, "lab check", out, "checked mgc on sql-primary", "failback: not run yet", "lab check: OK")

	addrs := leftovers(t, p)
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(time.Minute); code != -1 {
		t.Errorf("killed lab exited %d", code)
	}
	out, code = run(t, labBin, "check", "--dir", p.dir)
	if code != 2 {
		t.Errorf("lab check on a dead lab: exit %d, want 2:\n%s", code, out)
	}
	mustContain(t, "lab check (dead lab)", out, "is no longer running", "make lab-down")
	out, code = run(t, labBin, "up", "--dir", p.dir)
	if code != 1 {
		t.Errorf("lab up over a dead lab's folder: exit %d, want 1:\n%s", code, out)
	}
	mustContain(t, "lab up (dead lab's folder)", out, "no longer running", "make lab-down")
	out, code = run(t, labBin, "down", "--dir", p.dir)
	if code != 0 {
		t.Errorf("lab down on a dead lab: exit %d:\n%s", code, out)
	}
	mustContain(t, "lab down (dead lab)", out, "died without stopping", "removed")
	assertGone(t, p, addrs)
	out, code = run(t, labBin, "down", "--dir", p.dir)
	if code != 0 {
		t.Errorf("lab down with no lab: exit %d:\n%s", code, out)
	}
	mustContain(t, "lab down (nothing)", out, "nothing to stop")
	out, code = run(t, labBin, "check", "--dir", p.dir)
	if code != 2 {
		t.Errorf("lab check with no lab: exit %d, want 2:\n%s", code, out)
	}
	mustContain(t, "lab check (no lab)", out, "no lab", "make lab")
}

// requireDocker skips a test when no Docker daemon answers (or in -short
// mode).
func requireDocker(t *testing.T, what string) {
	t.Helper()
	t.Parallel() // mostly waits on Docker: beside the other end-to-end tests
	if testing.Short() {
		t.Skip(what + ": skipped in -short mode")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := containers.Available(ctx); err != nil {
		t.Skipf("%s needs Docker: %v", what, err)
	}
}

// dockerFailBack runs the operator's path on a lab in Docker, lab down
// included, and checks that no container or network carrying the label
// the lab's pid gives (label(pid)) is left.
func dockerFailBack(t *testing.T, label func(pid int) string, args ...string) {
	t.Helper()
	labBin, _ := binaries(t)
	p := startLab(t, args...)
	mustContain(t, "lab up", p.out.String(), "pool pchat.contoso.test is FailedOver")
	out := failBack(t, p)
	mustContain(t, "lab check", out, "pool Normal", "checked mgc on sql-primary", "lost: 0 ", "lab check: OK")
	addrs := leftovers(t, p)
	out, code := run(t, labBin, "down", "--dir", p.dir)
	if code != 0 {
		t.Fatalf("lab down: exit %d:\n%s", code, out)
	}
	if code := p.wait(3 * time.Minute); code != 0 {
		t.Errorf("lab up exited %d after lab down, want 0", code)
	}
	assertGone(t, p, addrs)
	filter := "label=" + label(p.cmd.Process.Pid)
	for _, what := range [][]string{{"ps", "-a", "-q"}, {"network", "ls", "-q"}} {
		b, err := exec.Command("docker", append(what, "--filter", filter)...).CombinedOutput()
		if err != nil {
			t.Fatalf("docker %s: %v\n%s", what[0], err, b)
		}
		if s := strings.TrimSpace(string(b)); s != "" {
			t.Errorf("docker %s --filter %s: the lab left %s", what[0], filter, s)
		}
	}
}

// TestLabContainersFailbackEndToEnd is the operator's path with every SQL
// Server and the management endpoint in containers, where Docker answers.
func TestLabContainersFailbackEndToEnd(t *testing.T) {
	requireDocker(t, "make lab TARGET=containers")
	host, _ := os.Hostname()
	dockerFailBack(t, func(pid int) string { return fmt.Sprintf("%s=%s/%d", containers.LabelOwner, host, pid) },
		"--target", "containers")
}

// TestLabComposeFailbackEndToEnd is the operator's path on the compose
// target (docker-compose.sim.yml seeded by the lab), where Docker and a
// compose client answer: the same commands, and afterwards no container
// or network of the compose project.
func TestLabComposeFailbackEndToEnd(t *testing.T) {
	requireDocker(t, "make compose-up LAB=sim")
	if exec.Command("docker", "compose", "version").Run() != nil {
		if _, err := exec.LookPath("docker-compose"); err != nil {
			t.Skip("make compose-up LAB=sim needs `docker compose` or `docker-compose`")
		}
	}
	project := fmt.Sprintf("pchatlabtest%d", os.Getpid())
	dockerFailBack(t, func(int) string { return "com.docker.compose.project=" + project },
		"--target", "compose", "--compose-file", "../docker-compose.sim.yml", "--compose-project", project, "--any-ports")
}
