package lab

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/loadtest"
	"github.com/pchatdr/harness/sim/world"
	"github.com/pchatdr/harness/topologies"
)

// States a lab can be brought to before the operator takes over.
const (
	// StateFailedOver: the disaster, the documented failover and the
	// rebuilt primary data center, the state a failback starts from.
	StateFailedOver = "failed-over"
	// StateNormal: the deployment before any disaster (HA/DR configured,
	// chat on the primary data center).
	StateNormal = "normal"
)

// TargetCompose runs the lab's SQL Servers and management endpoint as
// the services of a compose file (docker-compose.sim.yml), seeded by an
// embedded world (compose.go). The other targets are the world's.
const TargetCompose = "compose"

// Config configures a lab.
type Config struct {
	// Dir is the lab folder: created (mode 0700) when missing, refused when
	// it holds anything but a lab's files.
	Dir string
	// Topology is a topology file or a shipped one's name
	// (topologies.Load); default "topologies/embedded.yaml".
	Topology string
	// Target is world.TargetEmbedded (default), world.TargetContainers or
	// TargetCompose.
	Target string
	// ComposeFile and ComposeProject are the compose file and project name
	// of the compose target (defaults docker-compose.sim.yml, pchat-lab).
	ComposeFile, ComposeProject string
	// AnyPorts publishes the compose services on any free ports instead
	// of the defaults (14331-14334, 15985) where those are free.
	AnyPorts bool
	// State is StateFailedOver (default) or StateNormal.
	State string
	// Rate is the steady chat traffic in posts per second (default 5).
	Rate float64
	// Seed drives the traffic's choice of channels and users (0: one is
	// picked and printed).
	Seed uint64
	// Before and During are the chat history the scene starts with:
	// messages acknowledged before the disaster and while failed over
	// (defaults 40 and 25).
	Before, During int
	// Keep leaves the lab folder behind when the lab stops.
	Keep bool
	// FailbackCmd, CheckCmd and DownCmd are how the printed instructions
	// call the failback CLI, the check and the stop (defaults "failback",
	// "make lab-check", "make lab-down").
	FailbackCmd, CheckCmd, DownCmd string
	// Out receives the progress lines and the operator's instructions
	// (default os.Stdout).
	Out io.Writer
}

func (c Config) withDefaults() (Config, error) {
	if c.Dir == "" {
		return c, errors.New("lab: no folder (--dir)")
	}
	if c.Topology == "" {
		c.Topology = "topologies/embedded.yaml"
	}
	if c.Target == TargetCompose {
		if c.ComposeFile == "" {
			c.ComposeFile = "docker-compose.sim.yml"
		}
		if c.ComposeProject == "" {
			c.ComposeProject = "pchat-lab"
		}
	} else {
		t, err := world.ParseTarget(c.Target)
		if err != nil {
			return c, fmt.Errorf("lab: %w (or %s)", err, TargetCompose)
		}
		c.Target = string(t)
	}
	switch c.State {
	case "":
		c.State = StateFailedOver
	case StateFailedOver, StateNormal:
	default:
		return c, fmt.Errorf("lab: unknown state %q: want %s or %s", c.State, StateFailedOver, StateNormal)
	}
	if c.Rate == 0 {
		c.Rate = 5
	}
	if c.Rate < 0 || c.Rate > 1000 {
		return c, fmt.Errorf("lab: chat rate %v posts/s: want (0, 1000]", c.Rate)
	}
	if c.Before < 0 || c.During < 0 {
		return c, errors.New("lab: the chat history sizes must not be negative")
	}
	if c.Before == 0 {
		c.Before = 40
	}
	if c.During == 0 {
		c.During = 25
	}
	if c.Seed == 0 {
		c.Seed = mrand.Uint64N(1<<53) + 1
	}
	if c.FailbackCmd == "" {
		c.FailbackCmd = "failback"
	}
	if c.CheckCmd == "" {
		c.CheckCmd = "make lab-check"
	}
	if c.DownCmd == "" {
		c.DownCmd = "make lab-down"
	}
	if c.Out == nil {
		c.Out = os.Stdout
	}
	return c, nil
}

// lab is one running lab.
type lab struct {
	cfg   Config
	dir   string
	st    State
	log   *os.File
	outMu sync.Mutex

	d       deployment // nil until built
	readyAt time.Time

	// life is the lab's context, which the traffic runs in; stop ends it
	// (a Down request; the caller's context ends it too). keepReq is what
	// the Down request asked.
	life    context.Context
	stop    context.CancelFunc
	keepReq bool

	// traffic: gen is the running generator (nil while paused), past what
	// the stopped ones did; gens counts them (each takes seed+gens).
	mu     sync.Mutex
	gen    *loadtest.Generator
	past   loadtest.Stats
	gens   uint64
	checks sync.Mutex // one check at a time
}

// Up runs a lab until ctx is done or Down asks it to stop; everything it
// started is stopped before it returns. Its start-up ends with the line
// "lab ready: topology <path>" on cfg.Out.
func Up(ctx context.Context, cfg Config) (err error) {
	cfg, err = cfg.withDefaults()
	if err != nil {
		return err
	}
	top, err := topologies.Load(cfg.Topology)
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	dir, err := claimDir(cfg.Dir)
	if err != nil {
		return err
	}
	l := &lab{cfg: cfg, dir: dir}
	defer func() {
		// A lab that failed keeps its folder for its log; Down removes it.
		// The error goes out before the folder's fate.
		if err != nil {
			l.printf("%v", err)
			err = reported{err}
		}
		if rerr := l.release(cfg.Keep || l.keepRequested() || err != nil); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}()
	if l.log, err = os.OpenFile(filepath.Join(dir, logFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600); err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	ctx, l.stop = context.WithCancel(ctx)
	defer l.stop()
	l.life = ctx

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("lab: control endpoint: %w", err)
	}
	token, err := newToken()
	if err != nil {
		ln.Close()
		return err
	}
	ps, _ := procStart(os.Getpid())
	l.st = State{
		PID: os.Getpid(), ProcStart: ps, Control: ln.Addr().String(), Token: token,
		Target: cfg.Target, Dir: dir, Journal: filepath.Join(dir, journalFile),
		Pool: top.Pool.FQDN, Phase: PhaseStarting, Started: time.Now().UTC(),
	}
	if err := writeState(dir, l.st); err != nil {
		ln.Close()
		return err
	}
	srv := &http.Server{Handler: l.handler(), ReadHeaderTimeout: 5 * time.Second}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln) // ends with Shutdown below
	}()
	defer func() {
		l.setPhase(PhaseStopping)
		sctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = srv.Shutdown(sctx) // waits for a check in progress
		<-served
		l.stopTraffic()
		if l.d != nil {
			l.printf("lab: stopping the deployment (%s)", cfg.Target)
			if cerr := l.d.close(); cerr != nil {
				err = errors.Join(err, fmt.Errorf("lab: stop: %w", cerr))
			}
		}
	}()

	if err := l.build(ctx, top); err != nil {
		if ctx.Err() != nil {
			l.printf("lab: stopped while starting")
			return nil
		}
		return err
	}
	l.ready()
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		l.watchPool(ctx)
	}()
	<-ctx.Done()
	<-watched
	l.printf("lab: stopping")
	return nil
}

// build starts the deployment, brings it to the configured state, writes
// the lab's topology and starts the chat traffic.
func (l *lab) build(ctx context.Context, top *topology.Topology) error {
	var (
		t   *topology.Topology
		err error
	)
	if l.cfg.Target == TargetCompose {
		t, err = l.buildCompose(ctx, top)
	} else {
		var w *world.World
		w, err = l.startWorld(ctx, top, world.Target(l.cfg.Target))
		if w != nil {
			l.d = worldDeployment{w}
			t = w.Topology
		}
	}
	if err != nil {
		return err
	}
	path := filepath.Join(l.dir, topologyFile)
	if err := topology.WriteFile(path, t); err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	l.update(func(st *State) { st.Topology = path })
	return l.startTraffic()
}

// startWorld starts a world on target and brings it to the configured
// state. The world comes back even with an error, for its caller to close.
func (l *lab) startWorld(ctx context.Context, top *topology.Topology, target world.Target) (*world.World, error) {
	cfg := l.cfg
	l.printf("lab: starting %d SQL Server instances, the management endpoint and %d chat servers (target %s, topology %s)",
		len(top.Instances), len(top.Pool.Servers), target, cfg.Topology)
	wdir := filepath.Join(l.dir, worldDir)
	if err := os.MkdirAll(wdir, 0o700); err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	began := time.Now()
	w, err := world.Start(ctx, world.Options{Topology: top, Dir: wdir, Target: target, Logf: l.logf})
	if err != nil {
		return nil, fmt.Errorf("lab: start the deployment: %w", err)
	}
	l.printf("lab: deployment up in %s (SQL Server: %s)", since(began), w.SQLKind())
	scene := world.Scene{MessagesBefore: cfg.Before, MessagesDuring: cfg.During}
	began = time.Now()
	if cfg.State == StateNormal {
		l.printf("lab: configuring mirroring and log shipping, %d chat messages on the primary", cfg.Before)
		if err := w.Deploy(ctx, scene); err != nil {
			return w, fmt.Errorf("lab: %w", err)
		}
	} else {
		l.printf("lab: configuring mirroring and log shipping, %d chat messages on the primary; then the disaster (data center %s down), the documented failover, %d chat messages on the backup",
			cfg.Before, dataCenterOf(top, topology.RolePrimary), cfg.During)
		if err := w.FailOver(ctx, scene); err != nil {
			return w, fmt.Errorf("lab: %w", err)
		}
		l.printf("lab: rebuilding the primary data center (fresh instances, empty stores from Topology Builder)")
		if err := w.RebuildPrimary(ctx); err != nil {
			return w, fmt.Errorf("lab: rebuild the primary: %w", err)
		}
	}
	l.printf("lab: %s state reached in %s", cfg.State, since(began))
	return w, nil
}

// ready records the lab as ready and prints the operator's commands.
func (l *lab) ready() {
	l.readyAt = time.Now()
	l.setPhase(PhaseReady)
	cfg := l.cfg
	top := display(l.st.Topology)
	jr := display(l.st.Journal)
	if st, err := l.d.Pool().State(context.Background()); err == nil {
		l.printf("lab: pool %s is %s, active servers %s", st.PoolFQDN, st.PoolState, strings.Join(st.ActiveServers, " "))
	}
	l.printf("lab: chat traffic %g posts/s (seed %d); secrets in %s (mode 0600); log in %s",
		cfg.Rate, cfg.Seed, display(filepath.Join(l.dir, worldDir, "secrets")), display(filepath.Join(l.dir, logFile)))
	var b strings.Builder
	if cfg.State == StateNormal {
		b.WriteString("The pool is in its normal state: `plan` shows what the failback would refuse and why.\n")
	} else {
		b.WriteString("Rehearse the failback (in this order):\n")
	}
	fb := cfg.FailbackCmd
	fmt.Fprintf(&b, "  %s plan --topology %s --journal %s\n", fb, top, jr)
	fmt.Fprintf(&b, "  %s run --topology %s --journal %s --confirm %s\n", fb, top, jr, l.st.Pool)
	fmt.Fprintf(&b, "  %s status --topology %s --journal %s\n", fb, top, jr)
	fmt.Fprintf(&b, "  %s report --journal %s --topology %s --out %s\t# the evidence; before lab-down, which removes %s\n",
		fb, jr, top, filepath.Join("report", "lab-"+l.st.Started.Format("20060102T150405Z")), display(l.dir))
	fmt.Fprintf(&b, "  %s\t# was any acknowledged chat message lost?\n", cfg.CheckCmd)
	fmt.Fprintf(&b, "  %s\t# stop the lab (Ctrl-C here does the same)\n", cfg.DownCmd)
	l.outMu.Lock()
	fmt.Fprint(l.cfg.Out, b.String())
	fmt.Fprintf(l.cfg.Out, "lab ready: topology %s\n", top)
	l.outMu.Unlock()
	l.logf("lab ready: topology %s", l.st.Topology)
}

// reported is an error Up already printed on Config.Out.
type reported struct{ error }

func (r reported) Unwrap() error { return r.error }

// Reported says whether Up already printed err (the caller need not).
func Reported(err error) bool {
	var r reported
	return errors.As(err, &r) && !isJoined(err)
}

// isJoined: an error joined to a reported one carries news.
func isJoined(err error) bool {
	_, ok := err.(interface{ Unwrap() []error })
	return ok
}

// release removes the lab folder (keep: only the state file), so the next
// lab may start there.
func (l *lab) release(keep bool) error {
	if l.log != nil {
		l.log.Close()
	}
	if keep {
		err := os.Remove(filepath.Join(l.dir, stateFile))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("lab: %w", err)
		}
		l.printf("lab stopped; kept %s (`%s` removes it)", display(l.dir), l.cfg.DownCmd)
		return nil
	}
	if err := os.RemoveAll(l.dir); err != nil {
		return fmt.Errorf("lab: remove %s: %w", l.dir, err)
	}
	l.printf("lab stopped; removed %s", display(l.dir))
	return nil
}

func (l *lab) setPhase(p string) { l.update(func(st *State) { st.Phase = p }) }

// update changes the lab's state and writes its state file.
func (l *lab) update(f func(*State)) {
	l.mu.Lock()
	f(&l.st)
	st := l.st
	l.mu.Unlock()
	if err := writeState(l.dir, st); err != nil {
		l.logf("%v", err)
	}
}

func (l *lab) phase() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.st.Phase
}

// printf writes a progress line for the operator and to the log.
func (l *lab) printf(format string, args ...any) {
	l.outMu.Lock()
	fmt.Fprintf(l.cfg.Out, format+"\n", args...)
	l.outMu.Unlock()
	l.logf(format, args...)
}

// logf writes to the lab's log file only (the world's chatter goes there).
func (l *lab) logf(format string, args ...any) {
	if l.log == nil {
		return
	}
	l.outMu.Lock()
	defer l.outMu.Unlock()
	fmt.Fprintf(l.log, "%s %s\n", time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), fmt.Sprintf(format, args...))
}

// claimDir makes dir the lab's folder: absolute, created 0700 when
// missing, with the marker that lets Down remove it and a .gitignore that
// keeps it out of git. A folder that holds another lab (running, dead or
// kept) or anything else is refused with what to do.
func claimDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("lab: %w", err)
	}
	if st, err := readState(abs); err == nil {
		if st.alive() {
			return "", fmt.Errorf("lab: a lab is already running in %s (pid %d, started %s); stop it with `make lab-down`", display(abs), st.PID, st.Started.Format(time.RFC3339))
		}
		return "", fmt.Errorf("lab: %s holds what a lab that is no longer running left (pid %d, started %s); `make lab-down` removes it", display(abs), st.PID, st.Started.Format(time.RFC3339))
	} else if !errors.Is(err, ErrNoLab) {
		return "", err
	}
	entries, err := os.ReadDir(abs)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(abs, 0o700); err != nil {
			return "", fmt.Errorf("lab: %w", err)
		}
	case err != nil:
		return "", fmt.Errorf("lab: %w", err)
	case isLabDir(abs):
		return "", fmt.Errorf("lab: %s holds a stopped lab's files (kept); `make lab-down` removes them, or choose another LAB_DIR", display(abs))
	case len(entries) > 0:
		return "", fmt.Errorf("lab: %s exists and is not a lab folder; choose another LAB_DIR", display(abs))
	}
	if err := os.Chmod(abs, 0o700); err != nil {
		return "", fmt.Errorf("lab: %w", err)
	}
	// Created exclusively: of two labs started at once in one folder, the
	// second stops here.
	f, err := os.OpenFile(filepath.Join(abs, markerFile), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", fmt.Errorf("lab: %s: another lab is starting there: %w", display(abs), err)
	}
	_, err = f.WriteString("a rehearsal lab's folder (cmd/lab); `make lab-down` removes it\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(abs, ".gitignore"), []byte("# the rehearsal lab's data and secrets: never commit them\n*\n"), 0o600)
	}
	if err != nil {
		return "", fmt.Errorf("lab: %w", err)
	}
	return abs, nil
}

func isLabDir(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, markerFile))
	return err == nil
}

func newToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("lab: token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// display is path as the operator should type it: relative to the working
// folder when inside it.
func display(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path
	}
	return rel
}

func since(t time.Time) time.Duration { return time.Since(t).Round(10 * time.Millisecond) }

func dataCenterOf(t *topology.Topology, role topology.Role) string {
	if in, ok := t.InstanceByRole(role); ok {
		return in.DataCenter
	}
	return "?"
}
