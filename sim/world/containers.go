package world

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/sim/containers"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/wan"
)

// containerBackend runs every SQL Server instance in its own container on
// one Docker network per world, and the management endpoint in another,
// as a CI pipeline or rehearsal lab with Docker would: the simulator image
// by default, the real SQL Server image when PCHAT_SQL_IMAGE asks for it
// and it is present locally.
type containerBackend struct {
	w *World

	// Set by open, before any instance starts.
	docker  *containers.Docker
	network *containers.Network
	kind    containers.SQLKind
	image   string

	mu sync.Mutex
	// ctrs are the instances' containers by instance name, kept while
	// stopped so the next start is a restart.
	ctrs map[string]*sqlContainer
	lync *containers.LyncInstance
	// gateway is the host's address on the network and linkAddrs where
	// each link is served to the containers on it (containers_wan.go).
	gateway   string
	linkAddrs map[*wan.Link]string
}

// sqlContainer is an instance's container and its published SQL port,
// the same for the world's life (a rebuilt instance's new container
// publishes it again).
type sqlContainer struct {
	ctr      *containers.SQLInstance // nil once discarded
	hostPort int
	// endpointPort publishes the mirroring endpoint for the link
	// forwarders (with links only, containers_wan.go).
	endpointPort int
}

func (b *containerBackend) target() Target       { return TargetContainers }
func (b *containerBackend) sqlKind() string      { return b.kind.String() }
func (b *containerBackend) startsTogether() bool { return true }

// fixedService: a container's flags are fixed when it is created, so a
// service change is a new container on the same data folder and port.
func (b *containerBackend) fixedService() bool { return true }

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

// open connects to Docker, makes sure the simulator image exists and
// creates the world's network.
func (b *containerBackend) open(ctx context.Context) error {
	d, err := containers.Connect(ctx)
	if err != nil {
		return fmt.Errorf("world: target containers: %w", err)
	}
	b.docker = d
	if n, err := d.ReapOrphans(ctx); err != nil || n > 0 {
		b.w.Timeline.Add("world", "start", fmt.Sprintf("removed %d containers and networks left by runs that were killed", n), err)
	}
	b.kind, b.image = containers.KindFromEnv()
	if b.kind == containers.SQLSimulator && b.image == "" {
		// Built (or found) once here: the instances start together and
		// must not each build it.
		img, err := d.EnsureImage(ctx, containers.SimulatorSpec, containers.BuildOptions{})
		if err != nil {
			return fmt.Errorf("world: target containers: %w", err)
		}
		b.image = img.RunRef()
	}
	nw, err := d.NewNetwork(ctx, "world")
	if err != nil {
		return fmt.Errorf("world: target containers: %w", err)
	}
	b.network = nw
	return nil
}

// slot is inst's container slot, made on its first start.
func (b *containerBackend) slot(inst *Instance) *sqlContainer {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.ctrs[inst.Name]
	if c == nil {
		c = &sqlContainer{}
		b.ctrs[inst.Name] = c
	}
	return c
}

// launch starts inst's stopped container again, or creates one on the
// instance's data folder and host port. The world serves on loopback, so
// listen's port is replaced by the container's published one.
func (b *containerBackend) launch(ctx context.Context, inst *Instance, _ string) (sqlServer, error) {
	c := b.slot(inst)
	if c.ctr != nil {
		if err := c.ctr.Start(ctx); err != nil {
			return nil, err
		}
		return containerServer{c.ctr}, nil
	}
	if c.hostPort == 0 {
		p, err := b.w.ports.Port()
		if err != nil {
			return nil, err
		}
		c.hostPort = p
	}
	if c.endpointPort == 0 && b.w.wan != nil {
		p, err := b.w.ports.Port()
		if err != nil {
			return nil, err
		}
		c.endpointPort = p
	}
	o, err := b.options(inst, c.hostPort)
	if err != nil {
		return nil, err
	}
	if err := b.overLinks(ctx, inst, &o, c.endpointPort); err != nil {
		return nil, err
	}
	ctr, err := containers.StartSQL(ctx, o)
	// The daemon frees a terminated container's published port a moment
	// after it says the container is gone, and a rebuilt instance keeps its
	// port (its address is in the topology): a few tries ride that out.
	for try := 1; err != nil && try < 6 && strings.Contains(err.Error(), "port is already allocated"); try++ {
		if serr := lync.Sleep(ctx, time.Duration(try)*300*time.Millisecond); serr != nil {
			return nil, err
		}
		ctr, err = containers.StartSQL(ctx, o)
	}
	if err != nil {
		return nil, err
	}
	c.ctr = ctr
	return containerServer{ctr}, nil
}

// discard removes inst's container for good; its data folder is the
// world's.
func (b *containerBackend) discard(ctx context.Context, inst *Instance) error {
	c := b.slot(inst)
	if c.ctr == nil {
		return nil
	}
	err := c.ctr.Terminate(ctx)
	c.ctr = nil
	inst.srv = nil
	return err
}

// Container paths of the folders a world hands an instance container.
const (
	ctrMountRoot = "/mnt/w"
	// ctrEndpoint is where the mirroring endpoint listens inside the
	// container: the partner names (TCP://<host>:5022) resolve through the
	// world network's DNS to the container, so no port table is needed;
	// with links a partner in another data center is mapped to the link's
	// forwarder instead (containers_wan.go).
	ctrEndpoint = "0.0.0.0:5022"
)

// options turns an instance's engine configuration into the simulator
// container's flags and mounts: each hostfs mount becomes a bind mount of
// the same host folder (the share is one folder every instance sees, as
// the file server is), each rule an --access flag.
func (b *containerBackend) options(inst *Instance, hostPort int) (containers.SQLOptions, error) {
	c := inst.cfg
	if b.kind == containers.SQLReal {
		return containers.SQLOptions{}, fmt.Errorf("world: instance %s: the real SQL Server image cannot take the world's Windows folders and accounts; the containers target runs the simulator image", inst.Name)
	}
	o := containers.SQLOptions{
		Kind: b.kind, Image: b.image,
		Name: c.Name, Alias: strings.ToLower(c.Name),
		DataCenter: inst.dataCenter, Network: b.network, Docker: b.docker,
		SAPassword:     inst.password,
		Data:           containers.Mount{HostDir: c.DataDir},
		ServiceAccount: c.ServiceAccount, AgentAccount: c.AgentAccount, AgentStopped: !c.AgentRunning,
		HostPort:   hostPort,
		Args:       []string{"--endpoint-listen", ctrEndpoint, "--endpoint-public"},
		TLSCertPEM: inst.cert.CertPEM, TLSKeyPEM: inst.cert.KeyPEM,
		Domain: b.w.domain.containerDomain(),
		Logf:   b.w.logf,
	}
	if o.Domain != nil {
		o.Domain.Sysadmins = c.SysadminLogins
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

// startPool runs the endpoint in a container on the world's network
// (pool.go).
func (b *containerBackend) startPool(ctx context.Context, user, pw string) error {
	return b.w.startPoolContainer(ctx, b, user, pw)
}

// close removes every container (the management endpoint's and the SQL
// Servers', stopped or not), then the network, then the client. It runs
// even when the world failed half way, with a fresh context: a cancelled
// scenario must not leave containers behind.
func (b *containerBackend) close(instances []*Instance) error {
	if b.docker == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var errs []error
	b.mu.Lock()
	lf := b.lync
	b.lync = nil
	b.mu.Unlock()
	if lf != nil {
		errs = append(errs, lf.Terminate(ctx))
	}
	for _, inst := range instances {
		errs = append(errs, b.discard(ctx, inst))
	}
	if b.network != nil {
		errs = append(errs, b.network.Remove(ctx))
		b.network = nil
	}
	errs = append(errs, b.docker.Close())
	b.docker = nil
	return errors.Join(errs...)
}

// lyncContainer is the management endpoint's container, nil before it
// started and after close (tests).
func (b *containerBackend) lyncContainer() *containers.LyncInstance {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lync
}
