package lab

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/fakes/lync/pool"
	"github.com/pchatdr/harness/sim/mssql/hostfs"
	"github.com/pchatdr/harness/sim/world"
	"github.com/pchatdr/harness/topologies"
)

// TestComposeFileRunsTheWorldsInstances: docker-compose.sim.yml passes
// every instance of the embedded topology the flags the world gives it, so
// the seeded folders restart as the same servers; a difference is named.
func TestComposeFileRunsTheWorldsInstances(t *testing.T) {
	top, err := topologies.Load("embedded.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w, err := world.Start(t.Context(), world.Options{Topology: top, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	const file = "../docker-compose.sim.yml"
	cf, err := readComposeFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range w.Topology.Instances {
		lay, ok := w.Layout(in.Name)
		if !ok {
			t.Fatalf("no layout for %s", in.Name)
		}
		if len(lay.Files.Mounts) < 3 || lay.DataDir == "" {
			t.Fatalf("%s: layout %+v lacks its folders", in.Name, lay)
		}
		if err := checkService(cf, file, lay); err != nil {
			t.Error(err)
		}
		other := lay
		other.Files.Rules = append(append([]hostfs.Rule(nil), lay.Files.Rules...), hostfs.Rule{Account: `CONTOSO\intruder`, Prefix: `C:\`, Access: hostfs.Read})
		if err := checkService(cf, file, other); err == nil || !strings.Contains(err.Error(), `--access CONTOSO\intruder:r:C:\`) {
			t.Errorf("%s with an extra access rule: %v, want the rule named", in.Name, err)
		}
		other = lay
		other.ServerName = "ELSEWHERE"
		if err := checkService(cf, file, other); err == nil || !strings.Contains(err.Error(), "--name ELSEWHERE") {
			t.Errorf("%s under another server name: %v, want the name named", in.Name, err)
		}
	}
	lay, _ := w.Layout("sql-primary")
	lay.Name = "sql-elsewhere"
	if err := checkService(cf, file, lay); err == nil || !strings.Contains(err.Error(), "no service sql-elsewhere") {
		t.Errorf("an instance with no service: %v", err)
	}
}

func TestComposeFilesSayWhatTheyRun(t *testing.T) {
	if _, err := readComposeFile("../docker-compose.yml"); !errors.Is(err, errRealImage) {
		t.Errorf("docker-compose.yml: %v, want the real image refused with its reason", err)
	} else if !strings.Contains(err.Error(), "no UNC paths") {
		t.Errorf("the refusal does not say why: %v", err)
	}
	f := filepath.Join(t.TempDir(), "other.yml")
	if err := os.WriteFile(f, []byte("services:\n  a:\n    image: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readComposeFile(f); err == nil || !strings.Contains(err.Error(), "x-pchat-lab.sql") {
		t.Errorf("a compose file without x-pchat-lab: %v", err)
	}
}

func TestEnvNames(t *testing.T) {
	const share = `\\files.contoso.test\pchat-logship`
	for _, tc := range []struct{ role, prefix, want string }{
		{"primary", `C:\`, "PCHAT_PRIMARY_C"},
		{"primary-mirror", `D:\`, "PCHAT_PRIMARY_MIRROR_D"},
		{"backup", `D:\PChatLogShipCopy`, "PCHAT_BACKUP_D"},
		{"backup-mirror", share, "PCHAT_SHARE"},
		{"backup", `\\FILES.contoso.test\PChat-LogShip`, "PCHAT_SHARE"},
	} {
		if got := driveVar(topologyRole(tc.role), tc.prefix, share); got != tc.want {
			t.Errorf("driveVar(%s, %s) = %s, want %s", tc.role, tc.prefix, got, tc.want)
		}
	}
}

// TestFailbackPhases: the failback the operator ran is found in the
// endpoint's events after the lab was ready (the failover before it is
// not), and messages fall before, during or after it.
func TestFailbackPhases(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	evs := []pool.Event{
		{Time: at(-60), Kind: pool.KindActiveServers, NewList: nil}, // the scene's failover
		{Time: at(-59), Kind: pool.KindPoolState, New: "FailedOver"},
		{Time: at(-58), Kind: pool.KindActiveServers, NewList: []string{"pc5"}},
		{Time: at(10), Kind: pool.KindCmdlet},
		{Time: at(20), Kind: pool.KindActiveServers, OldList: []string{"pc5"}, NewList: nil},
		{Time: at(25), Kind: pool.KindActiveServers, NewList: []string{"pc1"}},
		{Time: at(30), Kind: pool.KindPoolState, Old: "FailedOver", New: "Normal"},
		{Time: at(40), Kind: pool.KindActiveServers, NewList: nil}, // a later cycle
	}
	start, end := failbackBounds(evs, t0)
	if !start.Equal(at(20)) || !end.Equal(at(30)) {
		t.Fatalf("failback bounds %s..%s, want %s..%s", start, end, at(20), at(30))
	}
	r := CheckResult{FailbackStarted: start, FailbackEnded: end}
	for _, tc := range []struct {
		s    int
		want int
	}{{-100, Before}, {19, Before}, {20, During}, {29, During}, {30, After}, {100, After}} {
		if got := r.phaseOf(at(tc.s)); got != tc.want {
			t.Errorf("message at %ds: phase %s, want %s", tc.s, phaseNames[got], phaseNames[tc.want])
		}
	}
	if s, e := failbackBounds(evs[:5], t0); !s.Equal(at(20)) || !e.IsZero() {
		t.Errorf("failback under way: bounds %s..%s", s, e)
	}
	if s, _ := failbackBounds(evs, at(50)); !s.IsZero() {
		t.Errorf("nothing after the lab was ready: started %s", s)
	}
	if got := (CheckResult{}).phaseOf(at(5)); got != Before {
		t.Errorf("no failback yet: phase %s, want before", phaseNames[got])
	}
}

func TestCheckResultWrite(t *testing.T) {
	r := CheckResult{PoolState: "Normal", ActiveServers: []string{"pc1"}, Instance: "sql-primary",
		Acknowledged: [phases]int{90, 1, 30}, Lost: [phases]int{0, 1, 0}, Stored: 120,
		FirstLost: []string{"X acknowledged by pc5"}, Traffic: Traffic{Rate: 5, Attempted: 70, Acknowledged: 50, Refused: 20}}
	var b bytes.Buffer
	r.Write(&b)
	for _, want := range []string{
		"acknowledged: 121 (before the failback 90, during 1, after 30)",
		"lost: 1 (before 0, during 1, after 0)",
		"  lost: X acknowledged by pc5",
		"lab check: FAILED: 1 acknowledged messages lost, 0 duplicated",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in:\n%s", want, b.String())
		}
	}
	if r.OK() {
		t.Error("a result with a lost message is OK")
	}
	r.Lost, r.Duplicated = [phases]int{}, 1
	if r.OK() {
		t.Error("a result with a duplicated message is OK")
	}
}

// TestFoldersTheLabRefuses: lab up takes an absent, empty or own folder,
// never one holding anything else, and lab down removes only its own.
func TestFoldersTheLabRefuses(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := claimDir(dir); err == nil || !strings.Contains(err.Error(), "is not a lab folder") {
		t.Errorf("claim a folder with other files: %v", err)
	}
	var out bytes.Buffer
	if err := Down(t.Context(), dir, false, &out); err != nil || !strings.Contains(out.String(), "nothing to stop") {
		t.Errorf("down on a folder that is not a lab's: %v, %q", err, out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
		t.Errorf("down touched a folder that is not a lab's: %v", err)
	}

	fresh := filepath.Join(t.TempDir(), "new", ".lab")
	abs, err := claimDir(fresh)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(abs)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("lab folder mode %v (%v), want 0700", fi.Mode().Perm(), err)
	}
	if b, err := os.ReadFile(filepath.Join(abs, ".gitignore")); err != nil || !strings.Contains(string(b), "*") {
		t.Errorf("lab folder .gitignore: %q, %v", b, err)
	}
	if _, err := claimDir(fresh); err == nil || !strings.Contains(err.Error(), "kept") {
		t.Errorf("claim a stopped lab's folder: %v", err)
	}
	// A damaged state file: check says so, down still removes the folder.
	if err := os.WriteFile(filepath.Join(abs, stateFile), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Check(t.Context(), abs); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("check with a damaged state file: %v", err)
	}
	out.Reset()
	if err := Down(t.Context(), abs, false, &out); err != nil {
		t.Errorf("down with a damaged state file: %v\n%s", err, out.String())
	}
	if _, err := os.Stat(abs); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("down left the damaged lab's folder: %v\n%s", err, out.String())
	}
}

// TestControlNeedsTheToken: only a request with the state file's token
// reaches the lab.
func TestControlNeedsTheToken(t *testing.T) {
	l := &lab{st: State{Token: "secret-token", Phase: PhaseStarting}}
	srv := httptest.NewServer(l.handler())
	defer srv.Close()
	for _, tc := range []struct {
		auth string
		want int
	}{{"", http.StatusUnauthorized}, {"Bearer wrong", http.StatusUnauthorized}, {"Bearer secret-token", http.StatusOK}} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+pathStatus, nil)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("Authorization %q: %s, want %d", tc.auth, resp.Status, tc.want)
		}
	}
	// A check while the lab starts is busy, not an error.
	st := State{Control: strings.TrimPrefix(srv.URL, "http://"), Token: "secret-token", PID: os.Getpid()}
	if err := call(t.Context(), st, http.MethodPost, pathCheck, nil); !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "starting") {
		t.Errorf("check while starting: %v", err)
	}
}

func TestProcessIdentity(t *testing.T) {
	ps, err := procStart(os.Getpid())
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	me := State{PID: os.Getpid(), ProcStart: ps}
	if !me.alive() {
		t.Error("this process is not alive by its own state")
	}
	me.ProcStart += "0" // the pid given to another process since
	if me.alive() {
		t.Error("a recycled pid is taken for the lab")
	}
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip(err)
	}
	// Linux hands out pids in increasing order: the one of a process that
	// just exited is not reused within the test.
	if (State{PID: cmd.Process.Pid}).alive() {
		t.Errorf("the exited process %d is taken for alive", cmd.Process.Pid)
	}
}

// TestMakefileRunsTheLab: make lab, lab-check, lab-down and compose-up
// LAB=sim run the commands the end-to-end tests run.
func TestMakefileRunsTheLab(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"lab"}, "bin/lab up --dir .lab --target embedded --topology topologies/embedded.yaml --state failed-over"},
		{[]string{"lab", "TARGET=containers", "LAB_STATE=normal", "LAB_DIR=x", "LAB_KEEP=1"}, "bin/lab up --dir x --target containers --topology topologies/embedded.yaml --state normal"},
		{[]string{"lab-check"}, "bin/lab check --dir .lab"},
		{[]string{"lab-down", "LAB_KEEP=1"}, "bin/lab down --dir .lab --keep"},
		{[]string{"compose-up", "LAB=sim"}, "bin/lab up --target compose --compose-file docker-compose.sim.yml"},
		{[]string{"compose-down", "LAB=sim"}, "bin/lab down --dir .lab-compose"},
	} {
		out, err := exec.CommandContext(ctx, "make", append([]string{"-n", "-C", ".."}, tc.args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("make -n %s: %v\n%s", strings.Join(tc.args, " "), err, out)
		}
		if !strings.Contains(string(out), tc.want) {
			t.Errorf("make -n %s runs:\n%s\nwant a line with %q", strings.Join(tc.args, " "), out, tc.want)
		}
		if tc.args[0] == "lab" && !strings.Contains(string(out), "--failback-cmd bin/failback") {
			t.Errorf("make lab does not print the failback commands as bin/failback:\n%s", out)
		}
		if strings.Contains(strings.Join(tc.args, " "), "LAB_KEEP=1") && !strings.Contains(string(out), "--keep") {
			t.Errorf("make %s drops LAB_KEEP:\n%s", strings.Join(tc.args, " "), out)
		}
	}
}

func topologyRole(s string) topology.Role { return topology.Role(s) }

// lineWriter hands complete lines to a channel as Up prints them.
type lineWriter struct {
	buf   []byte
	lines chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		select {
		case w.lines <- string(w.buf[:i]):
		default: // nobody reads this line
		}
		w.buf = w.buf[i+1:]
	}
}

// TestUpLeavesNothingRunning: Up in this process, brought to ready and
// stopped through its context, returns with every goroutine it started
// ended and its folder removed.
func TestUpLeavesNothingRunning(t *testing.T) {
	before := runtime.NumGoroutine()
	dir := filepath.Join(t.TempDir(), ".lab")
	out := &lineWriter{lines: make(chan string, 64)}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- Up(ctx, Config{Dir: dir, State: StateNormal, Before: 4, Rate: 20, Out: out})
	}()
	for ready := false; !ready; {
		select {
		case line := <-out.lines:
			ready = strings.HasPrefix(line, "lab ready: topology ")
		case err := <-done:
			t.Fatalf("Up returned before it was ready: %v", err)
		case <-time.After(2 * time.Minute):
			t.Fatal("Up not ready after 2 minutes")
		}
	}
	if _, err := Status(t.Context(), dir); err != nil {
		t.Errorf("status of the running lab: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Up: %v", err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("Up still running 2 minutes after its context ended")
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the lab folder is still there: %v", err)
	}
	// Connections closing in the background (database/sql's closers, the
	// HTTP transports' readers) end on their own; nothing of the lab's may
	// stay. Bounded wait on the count, not on time passing.
	deadline := time.Now().Add(30 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines before Up, %d after it returned:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}
