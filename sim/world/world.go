// Package world builds a simulated Persistent Chat deployment from a
// topology file: SQL Server instances and the management endpoint (in
// process or in containers, behind an instance backend: backend.go), the
// log-shipping share and copy folders, and one timeline of everything
// that happens. Scenarios and the drill drive it; the failback engine sees
// only the topology the world hands it, with real addresses and secrets in
// files, exactly as it would see production.
package world

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/microsoft/go-mssqldb" // the world talks to its instances as any client would

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/internal/portlease"
	"github.com/pchatdr/harness/sim/chat"
	"github.com/pchatdr/harness/sim/mssql"
	"github.com/pchatdr/harness/sim/mssql/agent"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/ntlm"
	"github.com/pchatdr/harness/sim/tlscert"
	"github.com/pchatdr/harness/sim/wan"
)

// Options configure a world.
type Options struct {
	// Topology is the deployment to build; its instance addresses with
	// port 0 get free loopback ports, its secrets are generated.
	Topology *topology.Topology
	// Dir holds every instance's data folder, the share, the copy
	// folder and the generated secrets. It must exist.
	Dir  string
	Logf func(format string, args ...any)
	// Links puts the topology's data-center links between clients and
	// instances of different data centers (links.go): every byte between
	// data centers (TDS, mirroring, the share's files) crosses the link
	// model of sim/wan, held to its RTT and shared bandwidth, and a link
	// that can be cut.
	Links bool
	// EngineDataCenter is where the engine runs, so which instances it
	// reaches over a link ("" = the primary instance's data center, where
	// an operator fails back from: Microsoft's failback procedure runs
	// the cmdlets on the primary pool's front end; the topology does not
	// say where the operator's workstation is).
	EngineDataCenter string
	// AgentClock drives every instance's SQL Server Agent schedules
	// (nil: the wall clock). A scaled clock runs days of log shipping in
	// minutes (load tests).
	AgentClock agent.Clock
	// Target is where the SQL Server instances run ("" = embedded).
	Target Target
	// ShareDataCenter is where the log-shipping share lives ("" = the
	// topology's share.dataCenter, else the primary data center); with
	// Links, instances elsewhere reach it over the WAN link (wan.go).
	ShareDataCenter string
	// WANClock is what the WAN links pace against (nil: the wall clock).
	WANClock wan.Clock
	// FailoverPlan builds the plan RunFailover runs (nil: the engine's
	// failback.FailoverPlan); procedure mutants replace it.
	FailoverPlan func() *failback.Plan
}

// World is a running simulated deployment.
type World struct {
	// Topology is the deployment as the engine must see it: real
	// addresses, secrets in files under Dir.
	Topology *topology.Topology
	Timeline *Timeline
	// ShareDir and CopyDir are the host folders behind the share's UNC
	// path and the log-shipping copy directory.
	ShareDir, CopyDir string

	dir          string
	logf         func(string, ...any)
	agentClock   agent.Clock
	failoverPlan func() *failback.Plan

	// backend runs the instances and the management endpoint, in
	// process or in containers (backend.go).
	backend backend
	labels  []Label

	// pool is the management endpoint (endpoint.go).
	pool       poolEndpoint
	chat       []*chat.Server
	httpClient *http.Client
	// Ledger holds every message a chat server acknowledged.
	Ledger *chat.Ledger

	links *links
	// wan holds the link models by pairKey, shareDC the share's data
	// center (wan.go); nil and "" without Options.Links.
	wan     map[string]*wan.Link
	shareDC string
	// frontEndDC is where the engine and the management endpoint's
	// cmdlets reach the instances from (Options.EngineDataCenter or the
	// primary's data center); "" without Options.Links.
	frontEndDC string
	// domain holds the topology's Windows instance users (windows.go).
	domain *domain

	// segmentWrites counts the bytes every in-process instance wrote to
	// its tables' segment files (engine.Config.SegmentWrites).
	segmentWrites atomic.Int64

	mu        sync.Mutex
	instances map[string]*Instance
	dbs       []*sql.DB

	// partners maps every instance's host name to its mirroring
	// endpoint's address once it listens (mirroring.go).
	partnersMu sync.Mutex
	partners   map[string]string
	// mirrorHops are the forwarders that carry mirroring between data
	// centers over the WAN link (mirror_wan.go); guarded by partnersMu.
	mirrorHops map[mirrorHopKey]*mirrorForwarder
	// lastLogBackup is the Agent-clock time of the newest log backup the
	// world knows of, its own or the schedule's (logship.go).
	lastLogBackup time.Time
	// restarter restarts the in-process management endpoint (pool.go).
	restarter *PoolRestarter
	// tasks are the goroutines the world runs for faults (tasks.go).
	tasks *tasks
	// ports leases the ports the world binds again later (ports.go).
	ports *portlease.Book
	// postSeq spreads posts over the chat servers (chat.go).
	postSeq atomic.Int64
	// dueLogBackup is a log-shipping backup due during the next mirror
	// set-up (mirror_logbackup.go).
	dueLogBackup dueLogBackup
}

// Instance is one simulated SQL Server instance of the world.
type Instance struct {
	Name string
	Role topology.Role
	Addr string

	cfg        engine.Config
	password   string
	srv        sqlServer // nil while the instance is down
	rebuilds   int
	host       string
	dataCenter string
	// cert is the TLS certificate the instance presents, made once so a
	// restart or rebuild presents the same one; tlsDir holds it as
	// cert.pem (the engine's CA file) and key.pem.
	cert   tlscert.Certificate
	tlsDir string
	// windows is the host's NTLM acceptor in the world's domain; nil when
	// the topology has no Windows instance users.
	windows *ntlm.Server
	// onStart runs after every start (first, restart, rebuild).
	onStart func(*Instance)
}

// Start builds and starts the world. On error nothing is left running.
func Start(ctx context.Context, opts Options) (_ *World, err error) {
	if opts.Topology == nil || opts.Dir == "" {
		return nil, errors.New("world: Topology and Dir are required")
	}
	topo := *opts.Topology // the caller's copy stays untouched
	topo.Instances = append([]topology.Instance(nil), opts.Topology.Instances...)
	w := &World{
		Topology:     &topo,
		Timeline:     NewTimeline(nil),
		ShareDir:     filepath.Join(opts.Dir, "share"),
		CopyDir:      filepath.Join(opts.Dir, "copy"),
		dir:          opts.Dir,
		logf:         opts.Logf,
		agentClock:   opts.AgentClock,
		failoverPlan: opts.FailoverPlan,
		backend:      embedded{}, // until the target's is made: Close needs one
		instances:    map[string]*Instance{},
		partners:     map[string]string{},
		tasks:        newTasks(),
	}
	defer func() {
		if err != nil {
			w.Close()
		}
	}()
	target, err := ParseTarget(string(opts.Target))
	if err != nil {
		return nil, fmt.Errorf("world: %w", err)
	}
	b, err := newBackend(w, target, opts)
	if err != nil {
		return nil, fmt.Errorf("world: %w", err)
	}
	w.backend = b
	if w.ports, err = portlease.Open(portlease.Config{}); err != nil {
		return nil, fmt.Errorf("world: %w", err)
	}
	if err := w.ports.Shared(); err != nil {
		w.Timeline.Add("world", "start", "ports are not leased machine-wide: a parallel run may take a port of this world while it is unbound", err)
	}
	for _, d := range []string{w.ShareDir, w.CopyDir, filepath.Join(opts.Dir, "secrets")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("world: %w", err)
		}
	}
	if err := w.backend.open(ctx); err != nil {
		return nil, err
	}
	if opts.Links {
		if err := w.startWAN(opts.ShareDataCenter, opts.WANClock); err != nil {
			return nil, err
		}
	}
	_, dnsDomain, _ := strings.Cut(topo.Pool.FQDN, ".")
	if w.domain, err = newDomain(&topo, dnsDomain); err != nil {
		return nil, err
	}
	started, err := w.startInstances(ctx, topo.Instances)
	if err != nil {
		return nil, err
	}
	for i := range topo.Instances {
		in, inst := &topo.Instances[i], started[i]
		in.Address = inst.Addr
		// As production connects (topologies/example-production.yaml):
		// full encryption, the certificate checked against a CA file.
		in.Encrypt, in.TrustServerCertificate, in.CAFile = "true", false, inst.CAFile()
		secret := inst.password
		if isWindowsUser(in.User) {
			secret = w.domain.password(in.User) // Windows authentication as that domain account
		}
		if in.Password, err = w.secretFile(in.Name, secret); err != nil {
			return nil, err
		}
	}
	if opts.Links {
		if err := w.startLinks(); err != nil {
			return nil, err
		}
		from := opts.EngineDataCenter
		if from == "" {
			from = w.dataCenter(topology.RolePrimary)
		}
		w.frontEndDC = from
		for i := range topo.Instances {
			if inst, ok := w.Instance(topo.Instances[i].Name); ok {
				topo.Instances[i].Address = w.Via(from, inst)
			}
		}
	}
	if err := w.startPool(ctx); err != nil {
		return nil, err
	}
	return w, nil
}

// startInstances starts every instance of the topology, in its order. In
// process that takes milliseconds each; containers take a second or more
// each, mostly waiting on Docker, so they start together.
func (w *World) startInstances(ctx context.Context, ins []topology.Instance) ([]*Instance, error) {
	out := make([]*Instance, len(ins))
	if !w.backend.startsTogether() {
		for i := range ins {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			inst, err := w.startInstance(ctx, &ins[i])
			if err != nil {
				return nil, err
			}
			out[i] = inst
		}
		return out, nil
	}
	errs := make([]error, len(ins))
	var wg sync.WaitGroup
	for i := range ins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = w.startInstance(ctx, &ins[i])
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

func (w *World) startInstance(ctx context.Context, in *topology.Instance) (*Instance, error) {
	pw, err := newPassword()
	if err != nil {
		return nil, err
	}
	listen := in.Address
	if host, port, err := net.SplitHostPort(listen); err != nil || host != "127.0.0.1" || port == "0" {
		// The world serves on loopback only, on a port it binds again
		// after a restart or rebuild: one outside the ephemeral range
		// (ports.go).
		if listen, err = w.ports.Addr(); err != nil {
			return nil, fmt.Errorf("world: instance %s: %w", in.Name, err)
		}
	} else {
		listen = net.JoinHostPort(host, port)
	}
	dataDir := filepath.Join(w.dir, "sql", in.Name)
	files, err := w.filesFor(in, dataDir)
	if err != nil {
		return nil, err
	}
	tlsDir := filepath.Join(w.dir, "tls", in.Name)
	cert, err := instanceCertificate(in, tlsDir)
	if err != nil {
		return nil, err
	}
	var windows *ntlm.Server
	var windowsLogins []string
	if w.domain != nil {
		if windows, err = w.domain.server(serverName(in)); err != nil {
			return nil, err
		}
		windowsLogins = w.domain.logins
	}
	inst := &Instance{
		Name: in.Name, Role: in.Role, password: pw, cert: cert, tlsDir: tlsDir, windows: windows,
		cfg: engine.Config{
			Name:           serverName(in),
			DataDir:        dataDir,
			SegmentWrites:  &w.segmentWrites,
			Files:          files,
			SAPassword:     pw,
			ServiceAccount: in.ServiceAccount,
			AgentAccount:   in.AgentAccount,
			AgentRunning:   true,
			AgentClock:     w.agentClock,
			Logf:           w.logf,
			// The engine picks the endpoint's port and the world tells
			// every instance where each host's endpoint is (mirroring.go).
			EndpointListen: "127.0.0.1:0",
			MirrorRetry:    200 * time.Millisecond,
			WindowsLogins:  windowsLogins,
			SysadminLogins: w.domain.sysadminsFor(in), // logins.go
		},
		host:       in.Host,
		dataCenter: in.DataCenter,
		onStart:    w.publishEndpoints,
	}
	w.mu.Lock()
	w.instances[in.Name] = inst // before the start: Close finds a half-started container
	w.mu.Unlock()
	if err := w.launch(ctx, inst, listen); err != nil {
		return nil, fmt.Errorf("world: instance %s: %w", in.Name, err)
	}
	w.Timeline.Add(in.Name, "start", fmt.Sprintf("SQL Server %s (%s) listening on %s", inst.cfg.Name, in.Role, inst.Addr), nil)
	return inst, nil
}

// instanceCertificate makes the instance's self-signed certificate, valid
// for 127.0.0.1 (where the world serves), its host's FQDN and its server
// name, and writes it to dir for the engine's CA file and a container's
// mount.
func instanceCertificate(in *topology.Instance, dir string) (tlscert.Certificate, error) {
	names := []string{strings.ToLower(serverName(in))}
	if in.Host != "" {
		names = append(names, strings.ToLower(in.Host))
	}
	cert, err := tlscert.SelfSigned(serverName(in), names...)
	if err != nil {
		return cert, fmt.Errorf("world: instance %s: %w", in.Name, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return cert, fmt.Errorf("world: instance %s: %w", in.Name, err)
	}
	if err := cert.Write(filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")); err != nil {
		return cert, fmt.Errorf("world: instance %s: %w", in.Name, err)
	}
	return cert, nil
}

// CAFile is the PEM file a client trusts the instance's certificate by.
func (i *Instance) CAFile() string { return filepath.Join(i.tlsDir, "cert.pem") }

// serverName is @@SERVERNAME: the host's short name, upper case, as a
// default instance on Windows reports it.
func serverName(in *topology.Instance) string {
	host := in.Host
	if host == "" {
		host = in.Name
	}
	host, _, _ = strings.Cut(host, ".")
	return strings.ToUpper(host)
}

func newPassword() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("world: password: %w", err)
	}
	return "Sim-" + hex.EncodeToString(b) + "!", nil
}

// secretFile writes a secret where only this world can read it and returns
// a reference to it: the engine resolves it like a production passwordFile.
func (w *World) secretFile(name, secret string) (topology.SecretRef, error) {
	path := filepath.Join(w.dir, "secrets", name+".password")
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return topology.SecretRef{}, fmt.Errorf("world: secret for %s: %w", name, err)
	}
	return topology.SecretRef{File: path, Key: "instances." + name + ".passwordFile"}, nil
}

// SegmentBytesWritten is what the in-process instances have written to
// their tables' segment files so far: scratch copies of rows that are
// already in a data or backup file (the simulator's representation, not
// I/O of the procedure), which a measure of the disk's share of an outage
// leaves out.
func (w *World) SegmentBytesWritten() int64 { return w.segmentWrites.Load() }

// Instance returns the named instance.
func (w *World) Instance(name string) (*Instance, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	inst, ok := w.instances[name]
	return inst, ok
}

// InstanceByRole returns the instance with the given role.
func (w *World) InstanceByRole(role topology.Role) (*Instance, error) {
	in, ok := w.Topology.InstanceByRole(role)
	if !ok {
		return nil, fmt.Errorf("world: no %s instance in the topology", role)
	}
	inst, ok := w.Instance(in.Name)
	if !ok {
		return nil, fmt.Errorf("world: instance %s is not running", in.Name)
	}
	return inst, nil
}

// DB opens a connection pool to an instance as sa, closed with the world.
func (w *World) DB(inst *Instance, database string) (*sql.DB, error) {
	db, err := sql.Open("sqlserver", mssql.DSN(inst.Addr, "sa", inst.password, database)+"&app+name="+worldAppName)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	w.dbs = append(w.dbs, db)
	w.mu.Unlock()
	return db, nil
}

// masterByRole is the instance with the given role and a connection pool
// to its master database as sa: how the world starts most of what a DBA
// would do on that server.
func (w *World) masterByRole(role topology.Role) (*Instance, *sql.DB, error) {
	inst, err := w.InstanceByRole(role)
	if err != nil {
		return nil, nil, err
	}
	db, err := w.DB(inst, "master")
	if err != nil {
		return nil, nil, err
	}
	return inst, db, nil
}

// Restart stops an instance as a crash would not (clean shutdown) and starts
// it again on the same data folder and port.
func (w *World) Restart(ctx context.Context, inst *Instance) error {
	if inst.srv == nil {
		return fmt.Errorf("world: restart %s: the instance is down", inst.Name)
	}
	if err := inst.srv.Close(); err != nil {
		w.Timeline.Add(inst.Name, "stop", "shutdown", err)
		return fmt.Errorf("world: restart %s: %w", inst.Name, err)
	}
	w.Timeline.Add(inst.Name, "stop", "shutdown", nil)
	if err := w.launch(ctx, inst, inst.Addr); err != nil {
		w.Timeline.Add(inst.Name, "start", "restart", err)
		return fmt.Errorf("world: restart %s: %w", inst.Name, err)
	}
	w.Timeline.Add(inst.Name, "start", "restarted on "+inst.Addr, nil)
	return nil
}

// Close stops everything the world started: first the goroutines it runs
// for faults (they may still be acting on the rest), then the rest.
func (w *World) Close() error {
	w.tasks.stop()
	w.stopChat()
	w.closeLinks()
	w.Timeline.setSync(nil)
	w.mu.Lock()
	p := w.pool
	w.pool = nil
	w.mu.Unlock()
	var errs []error
	if p != nil {
		errs = append(errs, p.close())
	}
	w.mu.Lock()
	for _, db := range w.dbs {
		db.Close()
	}
	w.dbs = nil
	w.mu.Unlock()
	errs = append(errs, w.backend.close(w.allInstances()))
	w.mu.Lock()
	clear(w.instances)
	w.mu.Unlock()
	if w.ports != nil { // released last: nothing of the world binds them now
		errs = append(errs, w.ports.Close())
	}
	return errors.Join(errs...)
}
