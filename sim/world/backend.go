package world

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/containers"
	"github.com/pchatdr/harness/sim/mssql"
	"github.com/pchatdr/harness/sim/mssql/engine"
)

// Target says where a world's SQL Server instances run.
type Target string

const (
	// TargetEmbedded runs every instance in this process (the default:
	// no Docker, starts in milliseconds).
	TargetEmbedded Target = "embedded"
	// TargetContainers runs every instance in its own container on one
	// Docker network per world, as a CI pipeline or rehearsal lab with
	// Docker would: the simulator image by default, the real SQL Server
	// image when PCHAT_SQL_IMAGE asks for it and it is present locally.
	TargetContainers Target = "containers"
)

// ParseTarget checks a target name from a flag or a config file.
func ParseTarget(s string) (Target, error) {
	switch t := Target(s); t {
	case TargetEmbedded, TargetContainers:
		return t, nil
	case "":
		return TargetEmbedded, nil
	}
	return "", fmt.Errorf("unknown target %q: want %s or %s", s, TargetEmbedded, TargetContainers)
}

// ErrNotApplicable is what a world answers when its target cannot do
// something for real (a fault reaching into an in-process engine on a
// container, database mirroring on SQL Server on Linux). Scenarios skip
// with the reason in the report instead of passing without having done it.
var ErrNotApplicable = errors.New("not applicable")

// NotApplicableError says what could not be done on which target and why.
type NotApplicableError struct {
	What, Why string
	Target    Target
}

func (e *NotApplicableError) Error() string {
	return fmt.Sprintf("%s: not applicable on target %s: %s", e.What, e.Target, e.Why)
}

func (e *NotApplicableError) Unwrap() error { return ErrNotApplicable }

// Label is how a step was done on the world's target when it was not done
// for real: "emulated" (reached another way, said how) or "not applicable"
// (skipped). Reports show them per scenario.
type Label struct {
	Kind, What, Why string
}

// Label kinds.
const (
	LabelEmulated      = "emulated"
	LabelNotApplicable = "not applicable"
)

func (l Label) String() string { return l.Kind + ": " + l.What + " (" + l.Why + ")" }

// label records how a step was done on this target and returns err, if
// any, as a NotApplicableError for the not-applicable kind.
func (w *World) label(kind, what, why string) error {
	w.mu.Lock()
	w.labels = append(w.labels, Label{Kind: kind, What: what, Why: why})
	w.mu.Unlock()
	w.Timeline.Add("world", kind, what+": "+why, nil)
	if kind == LabelNotApplicable {
		return &NotApplicableError{What: what, Why: why, Target: w.target}
	}
	return nil
}

// Labels are the steps this world emulated or could not do.
func (w *World) Labels() []Label {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Label(nil), w.labels...)
}

// Target is where the world's instances run.
func (w *World) Target() Target { return w.target }

// SQLKind names the SQL Server behind the instances: "simulator" in
// process or in containers, or "real" (the mssql/server image).
func (w *World) SQLKind() string {
	if w.target == TargetContainers {
		return w.sqlKind.String()
	}
	return "simulator"
}

// sqlServer is one running SQL Server behind a world instance.
type sqlServer interface {
	Addr() string
	// Close shuts the server down cleanly; its data stays for the next
	// start.
	Close() error
	// Engine is the in-process simulator's engine, nil for a container:
	// faults that reach into the engine need it.
	Engine() *engine.Instance
}

type embeddedServer struct{ *mssql.Server }

func (s embeddedServer) Engine() *engine.Instance { return s.Instance() }

// containerServer is a container the world started. Close stops it; the
// container stays, so the next start is a restart on the same data folder
// and host port.
type containerServer struct{ ctr *containers.SQLInstance }

func (s containerServer) Addr() string             { return s.ctr.HostAddr() }
func (s containerServer) Engine() *engine.Instance { return nil }
func (s containerServer) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	return s.ctr.Stop(ctx, 30*time.Second)
}

// engineOf is inst's in-process engine, or a NotApplicableError naming
// what needed it.
func (w *World) engineOf(inst *Instance, what string) (*engine.Instance, error) {
	if inst.srv == nil {
		return nil, fmt.Errorf("world: %s: %s is down", what, inst.Name)
	}
	if e := inst.srv.Engine(); e != nil {
		return e, nil
	}
	return nil, w.label(LabelNotApplicable, what, "the SQL Server runs in a container; the fault reaches into an in-process instance")
}

// RequireInProcess checks, when a scenario arms a fault that will reach
// into inst's engine later, that this target can inject it: nil, or a
// labelled NotApplicableError to skip the scenario with before anything
// runs.
func (w *World) RequireInProcess(inst *Instance, what string) error {
	_, err := w.engineOf(inst, what)
	return err
}

// launch starts inst's server: in process on listen, or as a container
// (a stopped one is started again; a missing one is created on the
// instance's data folder and host port).
func (w *World) launch(ctx context.Context, inst *Instance, listen string) error {
	if w.target != TargetContainers {
		srv, err := mssql.Start(mssql.Config{Engine: inst.cfg, Listen: listen})
		if err != nil {
			return err
		}
		inst.srv = embeddedServer{srv}
	} else {
		if inst.ctr != nil {
			if err := inst.ctr.Start(ctx); err != nil {
				return err
			}
		} else {
			ctr, err := w.startContainer(ctx, inst)
			if err != nil {
				return err
			}
			inst.ctr = ctr
		}
		inst.srv = containerServer{inst.ctr}
	}
	// Written only when it changes: chat servers read Addr concurrently
	// while an instance restarts on the same port.
	if a := inst.srv.Addr(); a != inst.Addr {
		inst.Addr = a
	}
	if inst.onStart != nil {
		inst.onStart(inst)
	}
	return nil
}

// dropContainer removes inst's container for good (a rebuild, or a
// restart with other service settings); its data folder is the caller's.
func (w *World) dropContainer(ctx context.Context, inst *Instance) error {
	if inst.ctr == nil {
		return nil
	}
	err := inst.ctr.Terminate(ctx)
	inst.ctr = nil
	inst.srv = nil
	return err
}

// Container paths of the folders a world hands an instance container.
const (
	ctrDataPath  = "/var/opt/mssql"
	ctrMountRoot = "/mnt/w"
	// ctrEndpoint is where the mirroring endpoint listens inside the
	// container: the partner names (TCP://<host>:5022) resolve through the
	// world network's DNS to the container, so no port table is needed.
	ctrEndpoint = "0.0.0.0:5022"
)

// containerOptions turns an instance's engine configuration into the
// simulator container's flags and mounts: each hostfs mount becomes a bind
// mount of the same host folder (the share is one folder every instance
// sees, as the file server is), each rule an --access flag.
func (w *World) containerOptions(inst *Instance) (containers.SQLOptions, error) {
	c := inst.cfg
	if w.sqlKind == containers.SQLReal {
		return containers.SQLOptions{}, fmt.Errorf("world: instance %s: the real SQL Server image cannot take the world's Windows folders and accounts; the containers target runs the simulator image", inst.Name)
	}
	o := containers.SQLOptions{
		Kind: w.sqlKind, Image: w.sqlImage,
		Name: c.Name, Alias: strings.ToLower(c.Name),
		DataCenter: inst.dataCenter, Network: w.network, Docker: w.docker,
		SAPassword:     inst.password,
		Data:           containers.Mount{HostDir: c.DataDir},
		ServiceAccount: c.ServiceAccount, AgentAccount: c.AgentAccount, AgentStopped: !c.AgentRunning,
		HostPort: inst.hostPort,
		Args:     []string{"--endpoint-listen", ctrEndpoint, "--endpoint-public"},
		Logf:     w.logf,
	}
	if inst.host != "" && !strings.EqualFold(inst.host, o.Alias) {
		o.Aliases = append(o.Aliases, strings.ToLower(inst.host))
	}
	if f := c.Files; f != nil {
		for i, m := range f.Mounts {
			if !filepath.IsAbs(m.Host) {
				return o, fmt.Errorf("world: instance %s: mount %s: host folder %q is not absolute", inst.Name, m.Prefix, m.Host)
			}
			path := fmt.Sprintf("%s/%d", ctrMountRoot, i)
			o.Mounts = append(o.Mounts, containers.PathMount{Mount: containers.Mount{HostDir: m.Host}, Path: path})
			o.Args = append(o.Args, "--mount", m.Prefix+"="+path)
		}
		for _, r := range f.Rules {
			o.Args = append(o.Args, "--access", r.Account+":"+r.Access.Flag()+":"+r.Prefix)
		}
		if f.DefaultBackup != "" {
			o.Args = append(o.Args, "--default-backup", f.DefaultBackup)
		}
		if f.DefaultData != "" {
			o.Args = append(o.Args, "--default-data", f.DefaultData)
		}
	}
	return o, nil
}

func (w *World) startContainer(ctx context.Context, inst *Instance) (*containers.SQLInstance, error) {
	if inst.hostPort == 0 {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		inst.hostPort = p
	}
	o, err := w.containerOptions(inst)
	if err != nil {
		return nil, err
	}
	return containers.StartSQL(ctx, o)
}

// freePort picks a loopback port for an instance container's published
// SQL port; it stays the instance's for the world's life.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("world: free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startDocker connects to Docker and creates the world's network.
func (w *World) startDocker(ctx context.Context) error {
	d, err := containers.Connect(ctx)
	if err != nil {
		return fmt.Errorf("world: target containers: %w", err)
	}
	w.docker = d
	if n, err := d.ReapOrphans(ctx); err != nil || n > 0 {
		w.Timeline.Add("world", "start", fmt.Sprintf("removed %d containers and networks left by runs that were killed", n), err)
	}
	w.sqlKind, w.sqlImage = containers.KindFromEnv()
	if w.sqlKind == containers.SQLSimulator && w.sqlImage == "" {
		// Built (or found) once here: the instances start together and
		// must not each build it.
		img, err := d.EnsureImage(ctx, containers.SimulatorSpec, containers.BuildOptions{})
		if err != nil {
			return fmt.Errorf("world: target containers: %w", err)
		}
		w.sqlImage = img.Ref
	}
	nw, err := d.NewNetwork(ctx, "world")
	if err != nil {
		return fmt.Errorf("world: target containers: %w", err)
	}
	w.network = nw
	return nil
}

// closeDocker removes every container (the management endpoint's and the
// SQL Servers'), then the network, then the client.
// It runs even when the world failed half way, with a fresh context: a
// cancelled scenario must not leave containers behind.
func (w *World) closeDocker() error {
	if w.docker == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var errs []error
	w.mu.Lock()
	lf := w.lync
	w.lync = nil
	w.mu.Unlock()
	if lf != nil {
		errs = append(errs, lf.Terminate(ctx))
	}
	for _, inst := range w.allInstances() {
		if inst.ctr != nil {
			errs = append(errs, w.dropContainer(ctx, inst))
		}
	}
	if w.network != nil {
		errs = append(errs, w.network.Remove(ctx))
		w.network = nil
	}
	errs = append(errs, w.docker.Close())
	w.docker = nil
	return errors.Join(errs...)
}

func (w *World) allInstances() []*Instance {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]*Instance, 0, len(w.instances))
	for _, i := range w.instances {
		out = append(out, i)
	}
	return out
}
