package world

import (
	"context"
	"errors"
	"fmt"

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
		return &NotApplicableError{What: what, Why: why, Target: w.Target()}
	}
	return nil
}

// Labels are the steps this world emulated or could not do.
func (w *World) Labels() []Label {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Label(nil), w.labels...)
}

// backend runs a world's SQL Server instances, and with them its
// management endpoint: in this process (embedded.go) or in containers
// (containers.go). The world keeps what both share (data folders, the
// share, secrets, the timeline, the instances' settings); a backend only
// what differs, so no other file of the world asks where it runs.
type backend interface {
	target() Target
	// open prepares what the instances need before the first starts.
	open(ctx context.Context) error
	// sqlKind names the SQL Server behind the instances: "simulator", or
	// "real" (the mssql/server image).
	sqlKind() string
	// startsTogether: instances start concurrently (each start mostly
	// waits on something else).
	startsTogether() bool
	// launch starts inst's server listening on listen: on the first
	// start, after a stop (the same machine again) and after a discard (a
	// new machine on the same data folder and port).
	launch(ctx context.Context, inst *Instance, listen string) (sqlServer, error)
	// discard removes inst's machine for good, running or not (a rebuild,
	// a service change a restart cannot apply); the data folder stays the
	// world's.
	discard(ctx context.Context, inst *Instance) error
	// fixedService: a change of an instance's service settings (the
	// Agent's account) takes a new machine, not a restart.
	fixedService() bool
	// startPool starts the management endpoint for user with password and
	// points the topology's management settings at it.
	startPool(ctx context.Context, user, password string) error
	// close stops every instance and frees what the backend holds, even
	// after a start that failed half way.
	close(instances []*Instance) error
}

// newBackend is the backend for target.
func newBackend(w *World, target Target, opts Options) (backend, error) {
	switch target {
	case TargetContainers:
		if opts.AgentClock != nil {
			return nil, errors.New("target containers: AgentClock needs in-process instances (a container's Agent runs on the wall clock)")
		}
		return &containerBackend{w: w, ctrs: map[string]*sqlContainer{}}, nil
	case TargetEmbedded:
		return embedded{w}, nil
	}
	return nil, fmt.Errorf("no backend for target %q", target)
}

// Target is where the world's instances run.
func (w *World) Target() Target { return w.backend.target() }

// SQLKind names the SQL Server behind the instances: "simulator" in
// process or in containers, or "real" (the mssql/server image).
func (w *World) SQLKind() string { return w.backend.sqlKind() }

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

// launch starts inst's server on its backend and tells the world where it
// listens.
func (w *World) launch(ctx context.Context, inst *Instance, listen string) error {
	srv, err := w.backend.launch(ctx, inst, listen)
	if err != nil {
		return err
	}
	inst.srv = srv
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

func (w *World) allInstances() []*Instance {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]*Instance, 0, len(w.instances))
	for _, i := range w.instances {
		out = append(out, i)
	}
	return out
}
